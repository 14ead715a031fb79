/* lower_match.c: pattern matching (language.md 3.6, 6.9) as tests and jumps.
 *
 * A `case`, a multi-clause function and a multi-clause closure all become
 * the same shape: one labelled block per arm; inside it the pattern's tests
 * run left to right, depth first, each jumping out of the arm's block on
 * failure, then the bindings are stored, the guard is tested, and the body
 * runs and leaves the whole match (or returns, in tail position). After the
 * last arm comes a `non-exhaustive match` panic with the match's line.
 *
 * This is a backtracking automaton rather than a shared decision tree: a
 * scrutinee component is re-tested by later arms instead of being switched
 * on once. Sub-values are loaded into temporaries once per arm.
 */
#include "lang/compiler/lower_int.h"

#include <string.h>

static ir_expr_t *tag_of(lower_t *lw, ir_expr_t *v)
{
    lw_fn_t *fx = lw->fx;
    if (fx->tag_src >= 0 && v->kind == IR_E_LOCAL && v->index == (uint32_t)fx->tag_src)
        return lw_local(lw, fx->tag_local); /* the case's scrutinee: tag loaded once */
    ir_expr_t *e = ARENA_NEW(lw->a, ir_expr_t);
    e->kind = IR_E_TAG;
    e->rep = IR_REP_INT;
    e->a = v;
    return e;
}

/* !cond, written as the opposite comparison where that is exact (== and
 * != always; orderings only on Int, since NaN breaks them on Float). */
static ir_expr_t *negate(lower_t *lw, ir_expr_t *cond)
{
    if (cond->kind == IR_E_BIN) {
        ir_op_t op = cond->op, flipped = op;
        bool ints = (ir_rep_t)cond->i == IR_REP_INT;
        switch (op) {
        case IR_OP_EQ:
            flipped = IR_OP_NE;
            break;
        case IR_OP_NE:
            flipped = IR_OP_EQ;
            break;
        case IR_OP_LT:
            flipped = ints ? IR_OP_GE : op;
            break;
        case IR_OP_GE:
            flipped = ints ? IR_OP_LT : op;
            break;
        case IR_OP_GT:
            flipped = ints ? IR_OP_LE : op;
            break;
        case IR_OP_LE:
            flipped = ints ? IR_OP_GT : op;
            break;
        default:
            break;
        }
        if (flipped != op)
            return ir_bin(lw->a, flipped, (ir_rep_t)cond->i, cond->a, cond->b);
    }
    return ir_un(lw->a, IR_OP_NOT, IR_REP_BOOL, cond);
}

/* if (!cond) goto fail */
static void require(lower_t *lw, ir_expr_t *cond, uint32_t fail, uint32_t line)
{
    ir_stmt_t *s = ir_stmt(lw->a, IR_S_IF, line);
    s->e = negate(lw, cond);
    ir_stmt_t *x = ir_stmt(lw->a, IR_S_EXIT, line);
    x->label = fail;
    ir_push(lw->a, &s->then, x);
    lw_push(lw, s);
}

/* The variant an IDENT pattern names, when t is a sum type that has one. */
static ty_variant_t *ident_variant(ast_pat_t *p, ty_t *t)
{
    if (p->kind == AST_PAT_IDENT && p->sem)
        return ty_pat_variant(p);
    t = ty_resolve(t);
    if (p->kind != AST_PAT_IDENT || t->kind != TY_CON || !t->decl || t->decl->kind != TY_DECL_SUM)
        return NULL;
    for (uint32_t i = 0; i < t->decl->nvariants; i++)
        if (t->decl->variants[i].name == p->name)
            return &t->decl->variants[i];
    return NULL;
}

static bool is_binding(lower_t *lw, ast_pat_t *p, ty_t *t)
{
    return p->kind == AST_PAT_IDENT && !ident_variant(p, t) && p->name != lw->s_underscore;
}

/* Stores v in a local for binding b (or, inside a later or-pattern
 * alternative, in the local the first alternative bound to the same name). */
static void bind_value(lower_t *lw, ty_binding_t *b, sym_t name, ir_expr_t *v, ty_t *t,
                       uint32_t line)
{
    lw_fn_t *fx = lw->fx;
    ir_rep_t rep = lw_rep(t);
    if (fx->in_or) {
        for (uint32_t i = fx->nbinds; i-- > 0;) {
            if (fx->binds[i].name == name) {
                uint32_t local = fx->binds[i].local;
                if (rep != IR_REP_UNIT)
                    lw_assign(lw, local, v, line);
                lw_bind(lw, b, local);
                return;
            }
        }
    }
    uint32_t local = lw_temp(lw, rep);
    fx->f->locals[local].name = name;
    if (rep != IR_REP_UNIT)
        lw_assign(lw, local, v, line);
    lw_bind(lw, b, local);
    fx->binds[fx->nbinds - 1].name = name;
}

/* A sub-value held in a temporary (loaded once). */
static ir_expr_t *load(lower_t *lw, ir_expr_t *v, uint32_t line)
{
    if (v->kind == IR_E_LOCAL)
        return v;
    return lw_hoist(lw, v, line);
}

static void lower_fields(lower_t *lw, ast_pats_t *ps, ir_expr_t *v, ty_t **tys, uint32_t fail,
                         uint32_t line)
{
    for (uint32_t i = 0; i < ps->len; i++) {
        ast_pat_t *sub = ps->items[i];
        if (sub->kind == AST_PAT_WILD ||
            (sub->kind == AST_PAT_IDENT && sub->name == lw->s_underscore))
            continue;
        ir_expr_t *fv = load(lw, ir_field(lw->a, v, i, lw_rep(tys[i])), line);
        lower_pat(lw, sub, fv, tys[i], fail);
    }
}

static void lower_or(lower_t *lw, ast_pat_t *p, ir_expr_t *v, ty_t *t, uint32_t fail, uint32_t line)
{
    ir_block_t *outer_saved;
    ir_stmt_t *ok = lw_block_begin(lw, &outer_saved);
    bool was_or = lw->fx->in_or;
    for (uint32_t k = 0; k < p->elems.len; k++) {
        ir_block_t *saved;
        ir_stmt_t *alt = lw_block_begin(lw, &saved);
        lw->fx->in_or = was_or || k > 0;
        lower_pat(lw, p->elems.items[k], v, t, alt->label);
        lw_exit(lw, ok->label, line);
        lw_block_end(lw, alt, saved);
    }
    lw->fx->in_or = was_or;
    lw_exit(lw, fail, line);
    lw_block_end(lw, ok, outer_saved);
}

static void lower_cons(lower_t *lw, ast_pat_t *p, ir_expr_t *v, ty_t *t, uint32_t fail,
                       uint32_t line)
{
    ir_expr_t *len = ARENA_NEW(lw->a, ir_expr_t);
    len->kind = IR_E_LIST_LEN;
    len->rep = IR_REP_INT;
    len->a = v;
    require(lw, ir_bin(lw->a, IR_OP_GT, IR_REP_INT, len, ir_int(lw->a, 0)), fail, line);
    ty_t *elem = ty_resolve(t)->nargs ? ty_resolve(t)->args[0] : t;
    ir_expr_t *item = ARENA_NEW(lw->a, ir_expr_t);
    item->kind = IR_E_LIST_ITEM;
    item->rep = lw_rep(elem);
    item->a = v;
    item->b = ir_int(lw->a, 0);
    lower_pat(lw, p->head, load(lw, item, line), elem, fail);
    ir_expr_t *rest = lw_hoist(lw, ir_rt1(lw->a, "snow_list_tail", IR_REP_PTR, v), line);
    lower_pat(lw, p->tail, rest, t, fail);
}

void lower_pat(lower_t *lw, ast_pat_t *p, ir_expr_t *v, ty_t *t, uint32_t fail)
{
    uint32_t line = lw_line(lw, p->span);
    t = ty_resolve(t);
    switch (p->kind) {
    case AST_PAT_WILD:
    case AST_PAT_NIL:
        return;
    case AST_PAT_INT:
        require(lw, ir_bin(lw->a, IR_OP_EQ, IR_REP_INT, v, ir_int(lw->a, p->int_value)), fail,
                line);
        return;
    case AST_PAT_FLOAT:
        require(lw, ir_bin(lw->a, IR_OP_EQ, IR_REP_FLOAT, v, ir_float(lw->a, p->float_value)), fail,
                line);
        return;
    case AST_PAT_BOOL:
        require(lw, p->bool_value ? v : ir_un(lw->a, IR_OP_NOT, IR_REP_BOOL, v), fail, line);
        return;
    case AST_PAT_STRING: {
        ir_expr_t *eq =
            ir_rt2(lw->a, "snow_string_eq", IR_REP_BOOL, v, lw_string(lw, p->str, p->str_len));
        eq->no_cx = true;
        require(lw, eq, fail, line);
        return;
    }
    case AST_PAT_IDENT: {
        ty_variant_t *var = ident_variant(p, t);
        if (var) {
            if (var->decl && var->decl->nvariants > 1)
                require(
                    lw,
                    ir_bin(lw->a, IR_OP_EQ, IR_REP_INT, tag_of(lw, v), ir_int(lw->a, var->index)),
                    fail, line);
            return;
        }
        if (p->name != lw->s_underscore)
            bind_value(lw, p->sem, p->name, v, t, line);
        return;
    }
    case AST_PAT_CTOR: {
        ty_variant_t *var = p->sem;
        if (!var) {
            lw_unsupported(lw, p->span, "this constructor pattern");
            return;
        }
        if (var->decl && var->decl->nvariants > 1)
            require(lw,
                    ir_bin(lw->a, IR_OP_EQ, IR_REP_INT, tag_of(lw, v), ir_int(lw->a, var->index)),
                    fail, line);
        ty_t **tys = ARENA_ARRAY(lw->a, ty_t *, var->nfields ? var->nfields : 1);
        for (uint32_t i = 0; i < var->nfields; i++)
            tys[i] = ty_field_type(lw->a, t, &var->fields[i]);
        ast_pats_t ps = p->elems;
        if (ps.len > var->nfields)
            ps.len = var->nfields;
        lower_fields(lw, &ps, v, tys, fail, line);
        return;
    }
    case AST_PAT_TUPLE:
        if (p->elems.len == 1) {
            lower_pat(lw, p->elems.items[0], v, t, fail);
            return;
        }
        if (t->kind == TY_TUPLE)
            lower_fields(lw, &p->elems, v, t->args, fail, line);
        return;
    case AST_PAT_OR:
        lower_or(lw, p, v, t, fail, line);
        return;
    case AST_PAT_CONS:
        lower_cons(lw, p, v, t, fail, line);
        return;
    case AST_PAT_AS:
        bind_value(lw, p->sem, p->name, v, t, line);
        lower_pat(lw, p->head, v, t, fail);
        return;
    }
}

/* let / for binders: a name binds directly; anything else is matched and a
 * mismatch panics (6.9: failed destructuring). */
void lower_bind_pat(lower_t *lw, ast_pat_t *p, ir_expr_t *v, ty_t *t, uint32_t line)
{
    if (p->kind == AST_PAT_WILD || (p->kind == AST_PAT_IDENT && p->name == lw->s_underscore))
        return;
    if (is_binding(lw, p, t)) {
        bind_value(lw, p->sem, p->name, v, t, line);
        return;
    }
    v = load(lw, v, line);
    ir_block_t *saved_ok, *saved_fail;
    ir_stmt_t *ok = lw_block_begin(lw, &saved_ok);
    ir_stmt_t *fail = lw_block_begin(lw, &saved_fail);
    lower_pat(lw, p, v, t, fail->label);
    lw_exit(lw, ok->label, line);
    lw_block_end(lw, fail, saved_fail);
    lw_panic(lw, "non-exhaustive match", line);
    /* The bindings made inside the block stay visible after it: C scoping is
     * not involved because IR locals are function-wide. */
    lw_block_end(lw, ok, saved_ok);
}

void lw_match_arms(lower_t *lw, ast_arm_t *const *arms, uint32_t n, ir_expr_t *scrut, ty_t *t,
                   uint32_t res, ir_rep_t rep, bool tail, uint32_t line)
{
    ir_block_t *saved_done;
    ir_stmt_t *done = lw_block_begin(lw, &saved_done);
    for (uint32_t k = 0; k < n; k++) {
        ast_arm_t *arm = arms[k];
        ir_block_t *saved;
        ir_stmt_t *next = lw_block_begin(lw, &saved);
        lower_pat(lw, arm->pat, scrut, t, next->label);
        if (arm->guard) {
            ir_expr_t *g = lower_expr(lw, arm->guard);
            require(lw, g, next->label, lw_line(lw, arm->span));
        }
        if (tail) {
            lower_tail(lw, arm->body);
        } else {
            ir_expr_t *v = lower_expr(lw, arm->body);
            if (rep != IR_REP_UNIT) {
                ir_stmt_t *s = ir_stmt(lw->a, IR_S_ASSIGN, lw_line(lw, arm->span));
                s->local = res;
                s->e = v->rep == rep           ? v
                       : rep == IR_REP_WORD    ? ir_to_word(lw->a, v)
                       : v->rep == IR_REP_WORD ? ir_from_word(lw->a, v, rep)
                                               : v;
                if (v->rep != IR_REP_UNIT)
                    lw_push(lw, s);
            }
            lw_exit(lw, done->label, line);
        }
        lw_block_end(lw, next, saved);
    }
    lw_panic(lw, "non-exhaustive match", line);
    lw_block_end(lw, done, saved_done);
}

ir_expr_t *lower_case(lower_t *lw, ast_expr_t *e, bool tail)
{
    uint32_t line = lw_line(lw, e->span);
    ty_t *t = lw_ty(lw, e->lhs->ty);
    ir_expr_t *scrut = load(lw, lower_expr(lw, e->lhs), line);
    if (scrut->kind != IR_E_LOCAL && scrut->rep != IR_REP_UNIT) {
        uint32_t tmp = lw_temp(lw, scrut->rep);
        lw_assign(lw, tmp, scrut, line);
        scrut = lw_local(lw, tmp);
    }
    ir_rep_t rep = lw_rep(lw_ty(lw, e->ty));
    uint32_t res = (!tail && rep != IR_REP_UNIT) ? lw_temp(lw, rep) : 0;
    /* A sum-type scrutinee's tag is read once; every arm's constructor test
     * then compares one local, which the C compiler turns into a jump table. */
    int64_t saved_src = lw->fx->tag_src;
    uint32_t saved_tag = lw->fx->tag_local;
    ty_t *rt = ty_resolve(t);
    if (scrut->kind == IR_E_LOCAL && rt->kind == TY_CON && rt->decl &&
        rt->decl->kind == TY_DECL_SUM && rt->decl->nvariants > 1) {
        uint32_t tl = lw_temp(lw, IR_REP_INT);
        lw->fx->tag_src = -1;
        lw_assign(lw, tl, tag_of(lw, scrut), line);
        lw->fx->tag_src = scrut->index;
        lw->fx->tag_local = tl;
    }
    ast_arm_t **arms = ARENA_ARRAY(lw->a, ast_arm_t *, e->arms.len ? e->arms.len : 1);
    for (uint32_t k = 0; k < e->arms.len; k++)
        arms[k] = &e->arms.items[k];
    lw_match_arms(lw, arms, e->arms.len, scrut, t, res, rep, tail, line);
    lw->fx->tag_src = saved_src;
    lw->fx->tag_local = saved_tag;
    return (!tail && rep != IR_REP_UNIT) ? lw_local(lw, res) : ir_unit(lw->a);
}

/* One clause whose parameters are plain names or `_`: bind the parameter
 * locals directly, with no test and no unreachable panic. */
static bool simple_clause(lower_t *lw, ast_params_t *params, ast_expr_t *guard, ty_t **tys)
{
    if (guard || !tys)
        return false;
    for (uint32_t i = 0; i < params->len; i++) {
        ast_pat_t *p = params->items[i].pat;
        if (p->kind == AST_PAT_WILD || (p->kind == AST_PAT_IDENT && p->name == lw->s_underscore))
            continue;
        if (!is_binding(lw, p, tys[i]))
            return false;
    }
    return true;
}

void lower_clauses(lower_t *lw, ast_params_t *params, ast_expr_t **guards, ast_block_t **bodies,
                   uint32_t nclauses, const uint32_t *param_locals, ty_t **param_tys, span_t span)
{
    uint32_t line = lw_line(lw, span);
    bool simple = nclauses == 1 && simple_clause(lw, &params[0], guards[0], param_tys);
    int64_t saved_src = lw->fx->tag_src;
    uint32_t saved_tag = lw->fx->tag_local;
    if (!simple && param_tys) {
        /* The first sum-typed parameter's tag is read once for all clauses
         * (a self tail call re-enters above this load). */
        for (uint32_t i = 0; i < params[0].len; i++) {
            ty_t *t = ty_resolve(param_tys[i]);
            if (t->kind == TY_CON && t->decl && t->decl->kind == TY_DECL_SUM &&
                t->decl->nvariants > 1 && lw->fx->f->locals[param_locals[i]].rep == IR_REP_PTR) {
                uint32_t tl = lw_temp(lw, IR_REP_INT);
                lw->fx->tag_src = -1;
                lw_assign(lw, tl, tag_of(lw, lw_local(lw, param_locals[i])), line);
                lw->fx->tag_src = param_locals[i];
                lw->fx->tag_local = tl;
                break;
            }
        }
    }
    if (simple) {
        for (uint32_t i = 0; i < params[0].len; i++) {
            ast_pat_t *p = params[0].items[i].pat;
            if (p->kind == AST_PAT_IDENT && p->name != lw->s_underscore) {
                lw->fx->f->locals[param_locals[i]].name = p->name;
                lw_bind(lw, p->sem, param_locals[i]);
                lw->fx->binds[lw->fx->nbinds - 1].name = p->name;
            }
        }
        lower_tail_block(lw, bodies[0], span);
        return;
    }
    for (uint32_t k = 0; k < nclauses; k++) {
        ir_block_t *saved;
        ir_stmt_t *next = lw_block_begin(lw, &saved);
        for (uint32_t i = 0; i < params[k].len && param_tys; i++)
            lower_pat(lw, params[k].items[i].pat, lw_local(lw, param_locals[i]), param_tys[i],
                      next->label);
        if (guards[k]) {
            ir_expr_t *g = lower_expr(lw, guards[k]);
            require(lw, g, next->label, line);
        }
        lower_tail_block(lw, bodies[k], span);
        lw_block_end(lw, next, saved);
    }
    lw_panic(lw, "non-exhaustive match", line);
    lw->fx->tag_src = saved_src;
    lw->fx->tag_local = saved_tag;
}
