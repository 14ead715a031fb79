/* lower_expr.c: expressions into IR statements: the lower_expr() dispatch,
 * literals and string interpolation, equality and ordering, operators,
 * fields and struct literals, compound literals, `?` and `if`.
 *
 * lower_expr() returns a side-effect-free IR expression and appends every
 * effect (calls, allocation, control flow) to the current block in source
 * order, which is how Snow's left-to-right evaluation (language.md 6.2)
 * survives C's unspecified argument order. Calls and names used as values
 * are in lower_call.c; blocks, let, closures and tail position in
 * lower_block.c; loops in lower_loop.c, patterns in lower_match.c.
 */
#include "lang/compiler/lower_int.h"

/* {====== Helpers */

ir_expr_t *lw_default_of(lower_t *lw, ir_rep_t rep)
{
    switch (rep) {
    case IR_REP_INT:
        return ir_int(lw->a, 0);
    case IR_REP_FLOAT:
        return ir_float(lw->a, 0.0);
    case IR_REP_BOOL:
        return ir_bool(lw->a, false);
    case IR_REP_PTR:
        return ir_raw(lw->a, "NULL", IR_REP_PTR);
    case IR_REP_WORD:
        return ir_raw(lw->a, "(snow_word_t)0", IR_REP_WORD);
    case IR_REP_UNIT:
        break;
    }
    return ir_unit(lw->a);
}

/* e converted to representation want (generic words <-> concrete values). */
ir_expr_t *lw_coerce(lower_t *lw, ir_expr_t *e, ir_rep_t want)
{
    if (e->rep == want)
        return e;
    if (want == IR_REP_UNIT)
        return ir_unit(lw->a);
    if (e->rep == IR_REP_UNIT)
        return lw_default_of(lw, want);
    if (want == IR_REP_WORD)
        return ir_to_word(lw->a, e);
    if (e->rep == IR_REP_WORD)
        return ir_from_word(lw->a, e, want);
    return e;
}

void lw_store(lower_t *lw, uint32_t local, ir_expr_t *e, uint32_t line)
{
    ir_rep_t want = lw->fx->f->locals[local].rep;
    if (want == IR_REP_UNIT)
        return;
    lw_assign(lw, local, lw_coerce(lw, e, want), line);
}

ir_expr_t *lw_new_record(lower_t *lw, uint16_t tag, ir_expr_t **vals, uint32_t n, uint32_t line)
{
    ir_stmt_t *s = ir_stmt(lw->a, IR_S_RECORD, line);
    s->tag = tag;
    s->args = ARENA_ARRAY(lw->a, ir_expr_t *, n ? n : 1);
    for (uint32_t i = 0; i < n; i++) {
        s->args[i] = vals[i];
        if (vals[i]->rep == IR_REP_PTR)
            s->ptrmask |= (i < 63) ? (UINT64_C(1) << i) : (UINT64_C(1) << 63);
    }
    s->nargs = n;
    s->local = lw_temp(lw, IR_REP_PTR);
    lw_push(lw, s);
    return lw_local(lw, s->local);
}

static ir_rep_t rep_of(lower_t *lw, ty_t *t) { return lw_rep(lw_ty(lw, t)); }

/* }====== */

/* {====== Values: strings, equality, ordering */

ir_expr_t *lw_to_string(lower_t *lw, ir_expr_t *v, ty_t *t, uint32_t line)
{
    t = ty_resolve(t);
    switch (t->kind) {
    case TY_STRING:
        return v;
    case TY_INT:
        return lw_hoist(lw, ir_rt1(lw->a, "snow_int_to_string", IR_REP_PTR, v), line);
    case TY_FLOAT:
        return lw_hoist(lw, ir_rt1(lw->a, "snow_float_to_string", IR_REP_PTR, v), line);
    case TY_BOOL:
        return lw_hoist(lw, ir_rt1(lw->a, "snow_bool_to_string", IR_REP_PTR, v), line);
    default:
        break;
    }
    ir_expr_t *w = ir_to_word(lw->a, lw_coerce(lw, v, lw_rep(t)));
    return lw_hoist(lw, ir_rt2(lw->a, "snow_to_string", IR_REP_PTR, lw_type_expr(lw, t), w), line);
}

static ir_expr_t *user_binary(lower_t *lw, ty_fn_t *m, ir_expr_t *x, ir_expr_t *y, ty_t *t,
                              ty_kind_t ret, uint32_t line)
{
    ty_t *fty = ARENA_NEW(lw->a, ty_t);
    fty->kind = TY_FUN;
    fty->nargs = 2;
    fty->args = ARENA_ARRAY(lw->a, ty_t *, 2);
    fty->args[0] = fty->args[1] = t;
    fty->ret = ARENA_NEW(lw->a, ty_t);
    fty->ret->kind = ret;
    if (ret == TY_VAR)
        fty->ret = t;
    uint32_t inst = lw_instance_for(lw, m, fty);
    ir_expr_t *args[2] = {x, y};
    return lw_call_fn(lw, inst, args, 2, line);
}

ir_expr_t *lw_equal(lower_t *lw, ir_expr_t *x, ir_expr_t *y, ty_t *t, uint32_t line)
{
    t = ty_resolve(t);
    switch (t->kind) {
    case TY_INT:
    case TY_FLOAT:
    case TY_BOOL:
        return ir_bin(lw->a, IR_OP_EQ, lw_rep(t), x, y);
    case TY_UNIT:
    case TY_NEVER:
        return ir_bool(lw->a, true);
    case TY_STRING: {
        ir_expr_t *e = ir_rt2(lw->a, "snow_string_eq", IR_REP_BOOL, x, y);
        e->no_cx = true;
        return e;
    }
    default:
        break;
    }
    if (lw_is_builtin(t, TY_B_PID))
        return ir_bin(lw->a, IR_OP_EQ, IR_REP_INT, x, y);
    ty_fn_t *m = lw_impl_method(lw, lw->tp->traits[TY_TR_EQ], t, lw->s_eq);
    if (m)
        return user_binary(lw, m, x, y, t, TY_BOOL, line);
    ir_expr_t *args[3] = {lw_type_expr(lw, t), ir_to_word(lw->a, lw_coerce(lw, x, lw_rep(t))),
                          ir_to_word(lw->a, lw_coerce(lw, y, lw_rep(t)))};
    return lw_hoist(lw, ir_rt(lw->a, "snow_eq_op", IR_REP_BOOL, args, 3), line);
}

/* x OP y for ordering operators; returns a Bool expression. */
static ir_expr_t *compare(lower_t *lw, ir_op_t op, ir_expr_t *x, ir_expr_t *y, ty_t *t,
                          uint32_t line)
{
    t = ty_resolve(t);
    if (t->kind == TY_INT || t->kind == TY_FLOAT || t->kind == TY_BOOL)
        return ir_bin(lw->a, op, lw_rep(t), x, y);
    ir_expr_t *c;
    if (t->kind == TY_STRING) {
        c = ir_rt2(lw->a, "snow_string_cmp", IR_REP_INT, x, y);
        c->no_cx = true;
        c = lw_hoist(lw, c, line);
    } else {
        ty_fn_t *m = lw_impl_method(lw, lw->tp->traits[TY_TR_ORD], t, lw->s_lt);
        if (m) {
            /* a < b = lt(a, b); a > b = lt(b, a); a <= b = not lt(b, a); a >= b = not lt(a, b) */
            bool swap = op == IR_OP_GT || op == IR_OP_LE;
            ir_expr_t *r = user_binary(lw, m, swap ? y : x, swap ? x : y, t, TY_BOOL, line);
            if (op == IR_OP_LE || op == IR_OP_GE)
                r = ir_un(lw->a, IR_OP_NOT, IR_REP_BOOL, r);
            return r;
        }
        ir_expr_t *args[3] = {lw_type_expr(lw, t), ir_to_word(lw->a, x), ir_to_word(lw->a, y)};
        c = lw_hoist(lw, ir_rt(lw->a, "snow_cmp", IR_REP_INT, args, 3), line);
    }
    return ir_bin(lw->a, op, IR_REP_INT, c, ir_int(lw->a, 0));
}

/* "a${x}b": each piece is converted (Display) left to right, then one
 * snow_string_concatn joins them, so long interpolations stay linear. */
static ir_expr_t *lower_string(lower_t *lw, ast_expr_t *e)
{
    uint32_t line = lw_line(lw, e->span);
    uint32_t n = 0;
    ir_expr_t **pieces = ARENA_ARRAY(lw->a, ir_expr_t *, e->parts.len ? e->parts.len : 1);
    for (uint32_t i = 0; i < e->parts.len; i++) {
        ast_strpart_t *part = &e->parts.items[i];
        if (part->expr) {
            ir_expr_t *v = lower_expr(lw, part->expr);
            pieces[n++] = lw_to_string(lw, v, lw_ty(lw, part->expr->ty), line);
        } else if (part->text_len > 0 || e->parts.len == 1) {
            pieces[n++] = lw_string(lw, part->text, part->text_len);
        }
    }
    if (n == 0)
        return lw_string(lw, "", 0);
    if (n == 1)
        return pieces[0];
    if (n == 2)
        return lw_hoist(lw, ir_rt2(lw->a, "snow_string_concat", IR_REP_PTR, pieces[0], pieces[1]),
                        line);
    ir_expr_t *cat = ir_rt(lw->a, "snow_string_concatn", IR_REP_PTR, pieces, n);
    cat->arr_type = "snow_string_t *";
    cat->arr_from = 0;
    return lw_hoist(lw, cat, line);
}

/* }====== */

/* {====== Fields and struct literals */

static ir_expr_t *lower_field(lower_t *lw, ast_expr_t *e)
{
    ty_ref_t *ref = lw_ref_of(e);
    if (ref && ref->kind == TY_REF_FIELD) {
        int idx = (int)ref->field_index;
        if (!ref->decl || ref->method) {
            /* generic receiver (several structs have the field): found by
             * name on this instance's struct */
            ty_t *rt = ty_resolve(lw_ty(lw, e->lhs->ty));
            bool is_struct = rt->kind == TY_CON && rt->decl && rt->decl->kind == TY_DECL_STRUCT;
            idx = is_struct ? ty_field_index(rt->decl, ref->method) : -1;
            if (idx < 0) {
                lw_unsupported(lw, e->span, "this field access");
                return lw_default_of(lw, rep_of(lw, e->ty));
            }
        }
        ir_expr_t *rec = lower_expr(lw, e->lhs);
        return ir_field(lw->a, rec, (uint32_t)idx, rep_of(lw, e->ty));
    }
    if (ref)
        return lower_ref_value(lw, e, ref);
    lw_unsupported(lw, e->span, "this field access");
    return ir_unit(lw->a);
}

static ir_expr_t *lower_struct(lower_t *lw, ast_expr_t *e)
{
    ty_t *t = ty_resolve(lw_ty(lw, e->ty));
    ty_decl_t *d = t->kind == TY_CON ? t->decl : NULL;
    if (!d || d->kind != TY_DECL_STRUCT) {
        lw_unsupported(lw, e->span, "this struct literal");
        return ir_unit(lw->a);
    }
    ir_expr_t **vals = ARENA_ARRAY(lw->a, ir_expr_t *, d->nfields ? d->nfields : 1);
    for (uint32_t i = 0; i < e->fields.len; i++) {
        int idx = ty_field_index(d, e->fields.items[i].name);
        ir_expr_t *v = lower_expr(lw, e->fields.items[i].value);
        if (idx >= 0) {
            ty_t *ft = ty_field_type(lw->a, t, &d->fields[idx]);
            vals[idx] = lw_coerce(lw, v, lw_rep(ft));
        }
    }
    for (uint32_t i = 0; i < d->nfields; i++)
        if (!vals[i])
            vals[i] = ir_unit(lw->a);
    return lw_new_record(lw, 0, vals, d->nfields, lw_line(lw, e->span));
}

/* }====== */

/* {====== Operators */

static ir_op_t arith_op(ast_binop_t op)
{
    switch (op) {
    case AST_BIN_ADD:
        return IR_OP_ADD;
    case AST_BIN_SUB:
        return IR_OP_SUB;
    case AST_BIN_MUL:
        return IR_OP_MUL;
    case AST_BIN_DIV:
        return IR_OP_DIV;
    case AST_BIN_REM:
        return IR_OP_REM;
    case AST_BIN_LT:
        return IR_OP_LT;
    case AST_BIN_GT:
        return IR_OP_GT;
    case AST_BIN_LE:
        return IR_OP_LE;
    case AST_BIN_GE:
        return IR_OP_GE;
    default:
        return IR_OP_EQ;
    }
}

/* and / or with a right operand that has statements: r = l; if (r) r = rhs. */
static ir_expr_t *lower_logic(lower_t *lw, ast_expr_t *e)
{
    uint32_t line = lw_line(lw, e->span);
    ir_expr_t *l = lower_expr(lw, e->lhs);
    ir_stmt_t *s = ir_stmt(lw->a, IR_S_IF, line);
    ir_expr_t *r = NULL;
    LW_IN_BLOCK(lw, &s->then, r = lower_expr(lw, e->rhs));
    if (s->then.len == 0)
        return ir_bin(lw->a, e->binop == AST_BIN_AND ? IR_OP_AND : IR_OP_OR, IR_REP_BOOL, l, r);
    uint32_t res = lw_temp(lw, IR_REP_BOOL);
    lw_assign(lw, res, l, line);
    LW_IN_BLOCK(lw, &s->then, lw_assign(lw, res, r, line));
    s->e = e->binop == AST_BIN_AND ? lw_local(lw, res)
                                   : ir_un(lw->a, IR_OP_NOT, IR_REP_BOOL, lw_local(lw, res));
    lw_push(lw, s);
    return lw_local(lw, res);
}

/* The operands' type. Where the checker left it open (an unbound variable
 * means () after zonking), take the other operand's, else the type the
 * lowered values' representation implies, so `==` never compares two Ints
 * as units. */
static ty_t *operand_type(lower_t *lw, ast_expr_t *e, ir_expr_t *l, ir_expr_t *r)
{
    ty_t *t = ty_resolve(lw_ty(lw, e->lhs->ty));
    if (t->kind != TY_UNIT && t->kind != TY_VAR)
        return t;
    ty_t *t2 = ty_resolve(lw_ty(lw, e->rhs->ty));
    if (t2->kind != TY_UNIT && t2->kind != TY_VAR)
        return t2;
    ir_rep_t rep = l->rep != IR_REP_UNIT ? l->rep : r->rep;
    ty_kind_t k = rep == IR_REP_INT     ? TY_INT
                  : rep == IR_REP_FLOAT ? TY_FLOAT
                  : rep == IR_REP_BOOL  ? TY_BOOL
                                        : TY_UNIT;
    if (k == TY_UNIT)
        return t;
    ty_t *p = ARENA_NEW(lw->a, ty_t);
    p->kind = k;
    return p;
}

static sym_t operator_method(lower_t *lw, ast_binop_t op)
{
    const char *names[] = {[AST_BIN_ADD] = "add",
                           [AST_BIN_SUB] = "sub",
                           [AST_BIN_MUL] = "mul",
                           [AST_BIN_DIV] = "div",
                           [AST_BIN_REM] = "mod"};
    if (op <= AST_BIN_REM)
        return intern_cstr(lw->c->interner, names[op]);
    return NULL;
}

static ir_expr_t *lower_binary(lower_t *lw, ast_expr_t *e, bool tail)
{
    uint32_t line = lw_line(lw, e->span);
    switch (e->binop) {
    case AST_BIN_PIPE:
        return lower_pipe(lw, e, tail);
    case AST_BIN_AND:
    case AST_BIN_OR:
        return lower_logic(lw, e);
    default:
        break;
    }
    ir_expr_t *l = lower_expr(lw, e->lhs);
    ir_expr_t *r = lower_expr(lw, e->rhs);
    ty_t *t = operand_type(lw, e, l, r);
    ty_t *rt = ty_resolve(t);
    switch (e->binop) {
    case AST_BIN_EQ:
        return lw_equal(lw, l, r, t, line);
    case AST_BIN_NE:
        return ir_un(lw->a, IR_OP_NOT, IR_REP_BOOL, lw_equal(lw, l, r, t, line));
    case AST_BIN_LT:
    case AST_BIN_GT:
    case AST_BIN_LE:
    case AST_BIN_GE:
        return compare(lw, arith_op(e->binop), l, r, t, line);
    case AST_BIN_CONCAT:
    case AST_BIN_PLUSPLUS:
        if (rt->kind == TY_STRING)
            return lw_hoist(lw, ir_rt2(lw->a, "snow_string_concat", IR_REP_PTR, l, r), line);
        if (lw_is_builtin(rt, TY_B_LIST))
            return lw_hoist(lw, ir_rt2(lw->a, "snow_list_concat", IR_REP_PTR, l, r), line);
        lw_unsupported(lw, e->span, "`<>`/`++` on this type");
        return l;
    case AST_BIN_RANGE: {
        ir_expr_t *vals[2] = {l, r};
        return lw_new_record(lw, 0, vals, 2, line);
    }
    default:
        break;
    }
    if (rt->kind == TY_INT || rt->kind == TY_FLOAT) {
        ir_expr_t *x = ir_bin(lw->a, arith_op(e->binop), lw_rep(rt), l, r);
        x->line = line;
        if (rt->kind == TY_INT && (e->binop == AST_BIN_DIV || e->binop == AST_BIN_REM))
            return lw_hoist(lw, x, line); /* may panic: keep its place in evaluation order */
        return x;
    }
    ty_trait_kind_t tk = (ty_trait_kind_t)(TY_TR_ADD + (e->binop - AST_BIN_ADD));
    ty_fn_t *m = lw_impl_method(lw, lw->tp->traits[tk], rt, operator_method(lw, e->binop));
    if (!m) {
        lw_unsupported(lw, e->span, "this operator on this type");
        return l;
    }
    return user_binary(lw, m, l, r, rt, TY_VAR, line);
}

/* }====== */

/* {====== Literals of compound values, `?` */

static ir_expr_t *lower_list(lower_t *lw, ast_expr_t *e)
{
    uint32_t line = lw_line(lw, e->span);
    ty_t *t = ty_resolve(lw_ty(lw, e->ty));
    ty_t *elem = t->nargs ? t->args[0] : NULL;
    ir_expr_t **vals = ARENA_ARRAY(lw->a, ir_expr_t *, e->elems.len ? e->elems.len : 1);
    for (uint32_t i = 0; i < e->elems.len; i++)
        vals[i] = lower_expr(lw, e->elems.items[i]);
    ir_expr_t *xs = lw_hoist(
        lw, ir_rt1(lw->a, "snow_list_new", IR_REP_PTR, lw_type_expr(lw, elem ? elem : t)), line);
    for (uint32_t i = 0; i < e->elems.len; i++) {
        ir_expr_t *w =
            ir_to_word(lw->a, lw_coerce(lw, vals[i], elem ? lw_rep(elem) : vals[i]->rep));
        xs = lw_hoist(lw, ir_rt2(lw->a, "snow_list_append", IR_REP_PTR, xs, w), line);
    }
    return xs;
}

static ir_expr_t *lower_map(lower_t *lw, ast_expr_t *e)
{
    uint32_t line = lw_line(lw, e->span);
    ty_t *t = ty_resolve(lw_ty(lw, e->ty));
    ir_expr_t **ks = ARENA_ARRAY(lw->a, ir_expr_t *, e->elems.len ? e->elems.len : 1);
    ir_expr_t **vs = ARENA_ARRAY(lw->a, ir_expr_t *, e->elems.len ? e->elems.len : 1);
    for (uint32_t i = 0; i < e->elems.len; i++) {
        ks[i] = lower_expr(lw, e->elems.items[i]);
        vs[i] = lower_expr(lw, e->values.items[i]);
    }
    ir_expr_t *kv[2] = {lw_type_expr(lw, t->nargs > 0 ? t->args[0] : t),
                        lw_type_expr(lw, t->nargs > 1 ? t->args[1] : t)};
    ir_expr_t *m = lw_hoist(lw, ir_rt(lw->a, "snow_map_new", IR_REP_PTR, kv, 2), line);
    for (uint32_t i = 0; i < e->elems.len; i++) {
        ir_expr_t *args[3] = {m, ir_to_word(lw->a, ks[i]), ir_to_word(lw->a, vs[i])};
        m = lw_hoist(lw, ir_rt(lw->a, "snow_map_put", IR_REP_PTR, args, 3), line);
    }
    return m;
}

static ir_expr_t *lower_tuple(lower_t *lw, ast_expr_t *e)
{
    if (e->elems.len == 0)
        return ir_unit(lw->a);
    if (e->elems.len == 1)
        return lower_expr(lw, e->elems.items[0]);
    ir_expr_t **vals = ARENA_ARRAY(lw->a, ir_expr_t *, e->elems.len);
    for (uint32_t i = 0; i < e->elems.len; i++)
        vals[i] = lower_expr(lw, e->elems.items[i]);
    return lw_new_record(lw, 0, vals, e->elems.len, lw_line(lw, e->span));
}

/* e? on Option or Result (5.9): None / Err(e) leaves the function with the
 * same value (their layout does not depend on the success type). */
static ir_expr_t *lower_try(lower_t *lw, ast_expr_t *e)
{
    uint32_t line = lw_line(lw, e->span);
    ir_expr_t *v = lower_expr(lw, e->lhs);
    uint32_t tmp = lw_temp(lw, IR_REP_PTR);
    lw_store(lw, tmp, v, line);
    ir_expr_t *tag = ARENA_NEW(lw->a, ir_expr_t);
    tag->kind = IR_E_TAG;
    tag->rep = IR_REP_INT;
    tag->a = lw_local(lw, tmp);
    ir_stmt_t *s = ir_stmt(lw->a, IR_S_IF, line);
    s->e = ir_bin(lw->a, IR_OP_EQ, IR_REP_INT, tag, ir_int(lw->a, 1)); /* None / Err */
    LW_IN_BLOCK(lw, &s->then, lw_emit_return(lw, lw_local(lw, tmp), line));
    lw_push(lw, s);
    return ir_field(lw->a, lw_local(lw, tmp), 0, rep_of(lw, e->ty));
}

/* }====== */

/* {====== Control flow */

static ir_expr_t *lower_if(lower_t *lw, ast_expr_t *e)
{
    uint32_t line = lw_line(lw, e->span);
    ir_rep_t rep = rep_of(lw, e->ty);
    ir_expr_t *c = lower_expr(lw, e->lhs);
    uint32_t res = rep == IR_REP_UNIT ? 0 : lw_temp(lw, rep);
    ir_stmt_t *s = ir_stmt(lw->a, IR_S_IF, line);
    s->e = c;
    LW_IN_BLOCK(lw, &s->then, {
        ir_expr_t *v = lower_block(lw, e->then_block);
        if (rep != IR_REP_UNIT)
            lw_store(lw, res, v, line);
    });
    if (e->else_block) {
        LW_IN_BLOCK(lw, &s->els, {
            ir_expr_t *v = lower_block(lw, e->else_block);
            if (rep != IR_REP_UNIT)
                lw_store(lw, res, v, line);
        });
    }
    lw_push(lw, s);
    return rep == IR_REP_UNIT ? ir_unit(lw->a) : lw_local(lw, res);
}

/* }====== */

/* {====== Dispatch */

static void push_simple(lower_t *lw, ir_stmt_kind_t kind, uint32_t line)
{
    lw_push(lw, ir_stmt(lw->a, kind, line));
}

ir_expr_t *lower_expr(lower_t *lw, ast_expr_t *e)
{
    uint32_t line = lw_line(lw, e->span);
    switch (e->kind) {
    case AST_EXPR_INT:
        return ir_int(lw->a, e->int_value);
    case AST_EXPR_FLOAT:
        return ir_float(lw->a, e->float_value);
    case AST_EXPR_BOOL:
        return ir_bool(lw->a, e->bool_value);
    case AST_EXPR_NIL:
        return ir_unit(lw->a);
    case AST_EXPR_STRING:
        return lower_string(lw, e);
    case AST_EXPR_IDENT:
        if (!lw_ref_of(e)) {
            lw_unsupported(lw, e->span, "an unresolved name");
            return ir_unit(lw->a);
        }
        return lower_ref_value(lw, e, lw_ref_of(e));
    case AST_EXPR_UNARY: {
        ir_expr_t *v = lower_expr(lw, e->lhs);
        if (e->unop == AST_UN_NOT)
            return ir_un(lw->a, IR_OP_NOT, IR_REP_BOOL, v);
        return ir_un(lw->a, IR_OP_NEG, v->rep, v);
    }
    case AST_EXPR_BINARY:
        return lower_binary(lw, e, false);
    case AST_EXPR_CALL:
        return lower_call_expr(lw, e, false);
    case AST_EXPR_FIELD:
        return lower_field(lw, e);
    case AST_EXPR_TRY:
        return lower_try(lw, e);
    case AST_EXPR_STRUCT:
        return lower_struct(lw, e);
    case AST_EXPR_TUPLE:
        return lower_tuple(lw, e);
    case AST_EXPR_LIST:
        return lower_list(lw, e);
    case AST_EXPR_MAP:
        return lower_map(lw, e);
    case AST_EXPR_IF:
        return lower_if(lw, e);
    case AST_EXPR_CASE:
        return lower_case(lw, e, false);
    case AST_EXPR_WHILE:
        return lower_while(lw, e);
    case AST_EXPR_FOR:
        return lower_for(lw, e, true);
    case AST_EXPR_BREAK:
        push_simple(lw, IR_S_BREAK, line);
        return ir_unit(lw->a);
    case AST_EXPR_CONTINUE:
        push_simple(lw, IR_S_CONTINUE, line);
        return ir_unit(lw->a);
    case AST_EXPR_RETURN:
        if (e->lhs)
            lower_tail(lw, e->lhs);
        else
            lw_emit_return(lw, ir_unit(lw->a), line);
        return ir_unit(lw->a);
    case AST_EXPR_CLOSURE:
        return lower_closure(lw, e);
    case AST_EXPR_BLOCK:
        return lower_block(lw, e->then_block);
    case AST_EXPR_RECEIVE:
        return lower_receive(lw, e, false);
    case AST_EXPR_SPAWN:
    case AST_EXPR_SEND:
    case AST_EXPR_LINK:
    case AST_EXPR_MONITOR:
    case AST_EXPR_SELF:
        return lower_actor_form(lw, e);
    default:
        lw_unsupported(lw, e->span, "this expression");
        return ir_unit(lw->a);
    }
}

/* }====== */
