/* lower_expr.c: expressions, blocks, calls and loops into IR statements.
 *
 * lower_expr() returns a side-effect-free IR expression and appends every
 * effect (calls, allocation, control flow) to the current block in source
 * order, which is how Snow's left-to-right evaluation (language.md 6.2)
 * survives C's unspecified argument order. lower_tail() lowers an
 * expression in tail position (6.11): it emits the `return` itself, so a
 * self-recursive call there becomes parameter assignments and a jump.
 * Loops are in lower_loop.c, patterns in lower_match.c.
 */
#include "lang/compiler/lower_int.h"

#include <string.h>

/* {====== Helpers */

static ir_expr_t *default_of(lower_t *lw, ir_rep_t rep)
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
static ir_expr_t *coerce(lower_t *lw, ir_expr_t *e, ir_rep_t want)
{
    if (e->rep == want)
        return e;
    if (want == IR_REP_UNIT)
        return ir_unit(lw->a);
    if (e->rep == IR_REP_UNIT)
        return default_of(lw, want);
    if (want == IR_REP_WORD)
        return ir_to_word(lw->a, e);
    if (e->rep == IR_REP_WORD)
        return ir_from_word(lw->a, e, want);
    return e;
}

ir_expr_t *lw_coerce(lower_t *lw, ir_expr_t *e, ir_rep_t want) { return coerce(lw, e, want); }

static void store(lower_t *lw, uint32_t local, ir_expr_t *e, uint32_t line)
{
    ir_rep_t want = lw->fx->f->locals[local].rep;
    if (want == IR_REP_UNIT)
        return;
    lw_assign(lw, local, coerce(lw, e, want), line);
}

static ir_expr_t *call_fn(lower_t *lw, uint32_t func, ir_expr_t **args, uint32_t nargs,
                          uint32_t line)
{
    ir_func_t *f = lw->p->funcs[func];
    ir_expr_t *e = ARENA_NEW(lw->a, ir_expr_t);
    e->kind = IR_E_CALL;
    e->rep = f->ret;
    e->index = func;
    e->args = ARENA_ARRAY(lw->a, ir_expr_t *, nargs ? nargs : 1);
    for (uint32_t i = 0; i < nargs; i++)
        e->args[i] = i < f->nparams ? coerce(lw, args[i], f->locals[i].rep) : args[i];
    e->nargs = nargs;
    return lw_hoist(lw, e, line);
}

static ir_expr_t *call_closure(lower_t *lw, ir_expr_t *clo, ir_expr_t **args, uint32_t nargs,
                               ir_rep_t ret, uint32_t line)
{
    ir_expr_t *e = ARENA_NEW(lw->a, ir_expr_t);
    e->kind = IR_E_CALL_CLO;
    e->rep = ret;
    e->a = clo;
    e->args = ARENA_ARRAY(lw->a, ir_expr_t *, nargs ? nargs : 1);
    memcpy(e->args, args, sizeof(ir_expr_t *) * nargs);
    e->nargs = nargs;
    return lw_hoist(lw, e, line);
}

static ir_expr_t *new_record(lower_t *lw, uint16_t tag, ir_expr_t **vals, uint32_t n, uint32_t line)
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

/* {====== Values: constructors, strings, equality */

static ir_expr_t *variant_value(lower_t *lw, ty_variant_t *v, ir_expr_t **args, uint32_t n,
                                uint32_t line)
{
    ty_builtin_t b = v->decl ? v->decl->builtin : TY_B_NONE;
    if (n == 0 && b == TY_B_OPTION)
        return ir_raw(lw->a, "(void *)SNOW_NONE", IR_REP_PTR);
    if (n == 0 && b == TY_B_ORDERING)
        return ir_raw(lw->a, lw_fmt(lw, "(void *)&snow_ordering_objs[%u]", v->index), IR_REP_PTR);
    return new_record(lw, (uint16_t)v->index, args, n, line);
}

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
    ir_expr_t *w = ir_to_word(lw->a, coerce(lw, v, lw_rep(t)));
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
    return call_fn(lw, inst, args, 2, line);
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
    ir_expr_t *args[3] = {lw_type_expr(lw, t), ir_to_word(lw->a, coerce(lw, x, lw_rep(t))),
                          ir_to_word(lw->a, coerce(lw, y, lw_rep(t)))};
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

/* {====== Calls */

static ir_expr_t *lower_call(lower_t *lw, ast_expr_t *call, ty_ref_t *ref, ast_expr_t *callee,
                             ast_expr_t *first, ast_expr_t **args, uint32_t nargs, bool tail);

static ty_t *fun_type(lower_t *lw, ty_t **params, uint32_t n, ty_t *ret)
{
    ty_t *t = ARENA_NEW(lw->a, ty_t);
    t->kind = TY_FUN;
    t->args = params;
    t->nargs = n;
    t->ret = ret;
    return t;
}

static uint32_t fn_instance(lower_t *lw, ty_ref_t *ref, ty_t **arg_tys, uint32_t nargs, ty_t *ret)
{
    ty_fn_t *fn = ref->fn;
    uint32_t nv = fn->scheme ? fn->scheme->nvars : 0;
    if (ref->inst && ref->ninst == nv) {
        ty_t **inst = ARENA_ARRAY(lw->a, ty_t *, nv ? nv : 1);
        for (uint32_t i = 0; i < nv; i++)
            inst[i] = lw_ty(lw, ref->inst[i]);
        return lw_instance(lw, fn, inst, nv);
    }
    return lw_instance_for(lw, fn, fun_type(lw, arg_tys, nargs, ret));
}

ir_expr_t *lw_fn_value(lower_t *lw, uint32_t func, ty_t *fun_ty, uint32_t line)
{
    /* The target may not be lowered yet: its parameters come from fun_ty. */
    ir_func_t *target = lw->p->funcs[func];
    fun_ty = ty_resolve(fun_ty);
    uint32_t n = fun_ty->kind == TY_FUN ? fun_ty->nargs : 0;
    ir_func_t *w = ir_func_new(
        lw->a, lw_fmt(lw, "snow_fnv_%s_%u", target->c_name + 8, lw->nclosures++), target->ret);
    w->is_closure = true;
    w->snow_name = lw_fmt(lw, "%s as a value", target->snow_name ? target->snow_name : "?");
    uint32_t wi = ir_add_func(lw->a, lw->p, w);
    ir_expr_t *call = ARENA_NEW(lw->a, ir_expr_t);
    call->kind = IR_E_CALL;
    call->rep = target->ret;
    call->index = func;
    call->nargs = n;
    call->args = ARENA_ARRAY(lw->a, ir_expr_t *, n ? n : 1);
    for (uint32_t i = 0; i < n; i++) {
        ir_local(lw->a, w, "a", lw_rep(fun_ty->args[i]));
        call->args[i] = ir_local_ref(lw->a, w, i);
    }
    w->nparams = n;
    ir_stmt_t *r = ir_stmt(lw->a, IR_S_RETURN, 0);
    r->e = call;
    ir_push(lw->a, &w->body, r);
    ir_stmt_t *s = ir_stmt(lw->a, IR_S_CLOSURE, line);
    s->index = wi;
    s->local = lw_temp(lw, IR_REP_PTR);
    lw_push(lw, s);
    return lw_local(lw, s->local);
}

static bool is_self_call(lower_t *lw, uint32_t inst)
{
    lw_fn_t *fx = lw->fx;
    return fx->self_fn && !fx->parent && lw->p->funcs[inst] == fx->f;
}

/* Calls a trait method through the concrete receiver type (static dispatch). */
static ir_expr_t *call_method(lower_t *lw, ast_expr_t *call, ty_ref_t *ref, ir_expr_t **vals,
                              ty_t **tys, uint32_t n, ty_t *ret, uint32_t line)
{
    ty_fn_t *fn = NULL;
    if (n > 0 && ref->trait)
        fn = lw_impl_method(lw, ref->trait, tys[0], ref->method);
    if (!fn && ref->fn && ref->impl && !ref->impl->derived && !ref->impl->builtin)
        fn = ref->fn;
    if (!fn && n > 0) {
        /* Built-in or derived impls of the compiler-known traits. */
        if (ref->method == lw->s_to_string)
            return lw_to_string(lw, vals[0], tys[0], line);
        if (ref->method == lw->s_eq && n == 2)
            return lw_equal(lw, vals[0], vals[1], tys[0], line);
        if (ref->method == lw->s_inspect || ref->method == lw->s_hash ||
            ref->method == lw->s_compare) {
            const char *rt = ref->method == lw->s_inspect ? "snow_inspect"
                             : ref->method == lw->s_hash  ? "snow_hash"
                                                          : "snow_compare";
            ir_rep_t r = ref->method == lw->s_hash ? IR_REP_INT : IR_REP_PTR;
            ir_expr_t *args[3] = {lw_type_expr(lw, tys[0]), ir_to_word(lw->a, vals[0]),
                                  n > 1 ? ir_to_word(lw->a, vals[1]) : NULL};
            return lw_hoist(lw, ir_rt(lw->a, rt, r, args, n > 1 ? 3 : 2), line);
        }
    }
    if (!fn) {
        lw_unsupported(lw, call->span,
                       lw_fmt(lw, "method `%s` here", ref->method ? ref->method : "?"));
        return ir_unit(lw->a);
    }
    uint32_t inst = lw_instance_for(lw, fn, fun_type(lw, tys, n, ret));
    return call_fn(lw, inst, vals, n, line);
}

/* deriving(Json) (stdlib.md 16.5, 16.6): x.to_json() and T.from_json(text)
 * go to the runtime with T's descriptor. */
static ir_expr_t *call_json(lower_t *lw, ast_expr_t *call, ty_ref_t *ref, ir_expr_t **vals,
                            ty_t **tys, uint32_t n, ty_t *ret, uint32_t line)
{
    const char *m = ref->method ? ref->method : "";
    if (strcmp(m, "from_json") == 0 && n == 1) {
        ty_t *r = ty_resolve(ret);
        ir_expr_t *args[2] = {lw_type_expr(lw, r->nargs ? r->args[0] : r), vals[0]};
        return lw_hoist(lw, ir_rt(lw->a, "snow_json_decode", IR_REP_PTR, args, 2), line);
    }
    if (strcmp(m, "to_json") == 0 && n == 1) {
        ir_expr_t *args[2] = {lw_type_expr(lw, tys[0]), ir_to_word(lw->a, vals[0])};
        return lw_hoist(lw, ir_rt(lw->a, "snow_json_from_value", IR_REP_PTR, args, 2), line);
    }
    lw_unsupported(lw, call->span, lw_fmt(lw, "`%s`", m));
    return ir_unit(lw->a);
}

static void self_tail_call(lower_t *lw, ir_expr_t **vals, uint32_t n, uint32_t line)
{
    ir_func_t *f = lw->fx->f;
    uint32_t *tmps = ARENA_ARRAY(lw->a, uint32_t, n ? n : 1);
    for (uint32_t i = 0; i < n; i++) {
        tmps[i] = lw_temp(lw, f->locals[i].rep);
        store(lw, tmps[i], vals[i], line);
    }
    for (uint32_t i = 0; i < n; i++)
        if (f->locals[i].rep != IR_REP_UNIT)
            lw_assign(lw, i, lw_local(lw, tmps[i]), line);
    f->uses_tailcall = true;
    lw_push(lw, ir_stmt(lw->a, IR_S_TAILCALL, line));
}

static void emit_return(lower_t *lw, ir_expr_t *v, uint32_t line)
{
    ir_stmt_t *r = ir_stmt(lw->a, IR_S_RETURN, line);
    r->e = lw->fx->f->is_closure ? v : coerce(lw, v, lw->fx->f->ret);
    lw_push(lw, r);
}

/* A nested `fn` item is named through a local binding; call it like a
 * top-level function. */
static ir_expr_t *nested_poly_use(lower_t *lw, ty_ref_t *ref, span_t span);

static ty_ref_t *nested_fn_ref(lower_t *lw, ty_ref_t *ref)
{
    if (!ref || ref->kind != TY_REF_LOCAL || !ref->binding || !ref->binding->nested_fn)
        return ref;
    if (lw_lookup(lw, ref->binding) >= 0)
        return ref; /* its closure (nested_closure) */
    for (lw_fn_t *fx = lw->fx; fx; fx = fx->parent) {
        for (uint32_t i = 0; i < fx->nnested; i++) {
            if (fx->nested[i].fn != ref->binding->nested_fn)
                continue;
            if (fx->nested[i].local == UINT32_MAX) {
                if (fx->nested[i].busy)
                    continue;
                return ref; /* polymorphic: nested_poly_use at the value */
            }
            lw_fn_t *saved = lw->fx;
            lw->fx = fx;
            lw_bind(lw, ref->binding, fx->nested[i].local);
            lw->fx = saved;
            if (lw_lookup(lw, ref->binding) >= 0)
                return ref;
        }
    }
    ty_ref_t *r = ARENA_NEW(lw->a, ty_ref_t);
    *r = *ref;
    r->kind = TY_REF_FN;
    r->fn = ref->binding->nested_fn;
    uint32_t nv = r->fn->scheme ? r->fn->scheme->nvars : 0;
    if (r->ninst != nv)
        r->inst = NULL;
    return r;
}

static ir_expr_t *lower_call(lower_t *lw, ast_expr_t *call, ty_ref_t *ref, ast_expr_t *callee,
                             ast_expr_t *first, ast_expr_t **args, uint32_t nargs, bool tail)
{
    uint32_t line = lw_line(lw, call->span);
    ty_t *ret = lw_ty(lw, call->ty);
    ir_expr_t *clo = NULL;
    /* A nested fn calling itself from its own closure body calls that
     * closure (`self` in the closure's code), so what it captured stays in
     * reach (4.1, 6.7). */
    bool self_nested =
        ref && lw->fx->self_nested &&
        ((ref->kind == TY_REF_FN && ref->fn == lw->fx->self_nested) ||
         (ref->kind == TY_REF_LOCAL && ref->binding &&
          ref->binding->nested_fn == lw->fx->self_nested && lw_lookup(lw, ref->binding) < 0));
    if (!self_nested)
        ref = nested_fn_ref(lw, ref);
    bool closure_call =
        self_nested || !ref || ref->kind == TY_REF_LOCAL || ref->kind == TY_REF_TOP_LET;
    if (self_nested)
        clo = ir_raw(lw->a, "self", IR_REP_PTR);
    else if (closure_call)
        clo = lower_expr(lw, callee);
    uint32_t n = nargs + (first ? 1 : 0);
    ir_expr_t **vals = ARENA_ARRAY(lw->a, ir_expr_t *, n ? n : 1);
    ty_t **tys = ARENA_ARRAY(lw->a, ty_t *, n ? n : 1);
    for (uint32_t i = 0; i < n; i++) {
        ast_expr_t *a = first ? (i == 0 ? first : args[i - 1]) : args[i];
        vals[i] = lower_expr(lw, a);
        tys[i] = lw_ty(lw, a->ty);
    }
    if (closure_call) {
        for (uint32_t i = 0; i < n; i++)
            vals[i] = ir_to_word(lw->a, vals[i]);
        return call_closure(lw, clo, vals, n, lw_rep(ret), line);
    }
    switch (ref->kind) {
    case TY_REF_FN: {
        uint32_t inst = fn_instance(lw, ref, tys, n, ret);
        if (tail && is_self_call(lw, inst)) {
            self_tail_call(lw, vals, n, line);
            return NULL;
        }
        return call_fn(lw, inst, vals, n, line);
    }
    case TY_REF_STDLIB:
        return lower_stdlib_call(lw, call, ref->builtin, vals, tys, n, ret);
    case TY_REF_CTOR: {
        ty_variant_t *v = ref->variant;
        for (uint32_t i = 0; i < n && i < v->nfields; i++)
            vals[i] = coerce(lw, vals[i], lw_rep(tys[i]));
        return variant_value(lw, v, vals, n, line);
    }
    case TY_REF_METHOD:
        return call_method(lw, call, ref, vals, tys, n, ret, line);
    case TY_REF_FROM_JSON:
        return call_json(lw, call, ref, vals, tys, n, ret, line);
    case TY_REF_ACTOR:
        if (tail && lw->fx->self_actor == ref->actor && !lw->fx->parent) {
            self_tail_call(lw, vals, n, line); /* the actor's state loop (4.7) */
            return NULL;
        }
        return lower_actor_call(lw, call, ref, vals, tys, n);
    case TY_REF_SERVICE:
    case TY_REF_SUPERVISOR:
        return lower_actor_call(lw, call, ref, vals, tys, n);
    default:
        lw_unsupported(lw, call->span, "this kind of call");
        return ir_unit(lw->a);
    }
}

static const char *c_name_of(lower_t *lw, ty_ref_t *ref)
{
    if (ref->kind == TY_REF_CTOR)
        return ref->variant->name;
    return ref->builtin && ref->builtin->c_name ? ref->builtin->c_name : lw_fmt(lw, "std");
}

static ty_ref_t *ref_of(ast_expr_t *e) { return (ty_ref_t *)e->sem; }

static ir_expr_t *lower_call_expr(lower_t *lw, ast_expr_t *e, bool tail)
{
    /* Only a callee that is a name (f, M.f, x.m) can resolve the call; any
     * other callee expression (f(a)(b), (fn ... end)(x)) yields a closure. */
    bool named = e->lhs->kind == AST_EXPR_IDENT || e->lhs->kind == AST_EXPR_FIELD;
    ty_ref_t *ref = named ? (ref_of(e) ? ref_of(e) : ref_of(e->lhs)) : NULL;
    ast_expr_t *first = NULL;
    if (ref && ref->recv_first && e->lhs->kind == AST_EXPR_FIELD)
        first = e->lhs->lhs;
    return lower_call(lw, e, ref, e->lhs, first, e->elems.items, e->elems.len, tail);
}

/* x |> f(a) is f(x, a); x |> f is f(x) (6.6). */
static ir_expr_t *lower_pipe(lower_t *lw, ast_expr_t *e, bool tail)
{
    ast_expr_t *rhs = e->rhs;
    if (rhs->kind == AST_EXPR_CALL) {
        ty_ref_t *ref = ref_of(e) ? ref_of(e) : ref_of(rhs);
        if (!ref && (rhs->lhs->kind == AST_EXPR_IDENT || rhs->lhs->kind == AST_EXPR_FIELD))
            ref = ref_of(rhs->lhs);
        return lower_call(lw, e, ref, rhs->lhs, e->lhs, rhs->elems.items, rhs->elems.len, tail);
    }
    ty_ref_t *ref = ref_of(e) ? ref_of(e) : ref_of(rhs);
    if (rhs->kind == AST_EXPR_CLOSURE)
        ref = NULL;
    return lower_call(lw, e, ref, rhs, e->lhs, NULL, 0, tail);
}

/* }====== */

/* {====== Names and fields */

static ir_expr_t *poly_use(lower_t *lw, ty_ref_t *ref);

/* A stdlib function or a constructor used as a value (List.map(xs,
 * String.length), List.map(xs, Some)): closure code that makes the call. */
static ir_expr_t *wrapper_value(lower_t *lw, ast_expr_t *e, ty_ref_t *ref, ty_t *t, uint32_t line)
{
    ty_t *ft = ty_resolve(t);
    uint32_t n = ft->kind == TY_FUN ? ft->nargs : 0;
    ir_func_t *w =
        ir_func_new(lw->a, lw_fmt(lw, "snow_fnv_%s_%u", c_name_of(lw, ref), lw->nclosures++),
                    ft->kind == TY_FUN ? lw_rep(ft->ret) : IR_REP_UNIT);
    w->is_closure = true;
    w->file = e->span.file;
    w->line = line;
    uint32_t wi = ir_add_func(lw->a, lw->p, w);
    lw_fn_t fx = {0};
    fx.tag_src = -1;
    fx.parent = NULL;
    fx.f = w;
    fx.cur = &w->body;
    fx.vars = lw->fx->vars;
    fx.args = lw->fx->args;
    fx.nsubst = lw->fx->nsubst;
    lw_fn_t *saved = lw->fx;
    lw->fx = &fx;
    ir_expr_t **vals = ARENA_ARRAY(lw->a, ir_expr_t *, n ? n : 1);
    for (uint32_t i = 0; i < n; i++)
        vals[i] = ir_local_ref(lw->a, w, ir_local(lw->a, w, "a", lw_rep(ft->args[i])));
    w->nparams = n;
    ir_expr_t *r;
    if (ref->kind == TY_REF_CTOR)
        r = variant_value(lw, ref->variant, vals, n, line);
    else
        r = lower_stdlib_call(lw, e, ref->builtin, vals, ft->args, n, ft->ret);
    emit_return(lw, r, line);
    lw->fx = saved;
    ir_stmt_t *s = ir_stmt(lw->a, IR_S_CLOSURE, line);
    s->index = wi;
    s->local = lw_temp(lw, IR_REP_PTR);
    lw_push(lw, s);
    return lw_local(lw, s->local);
}

/* Math.pi (stdlib.md 1.3): the only stdlib value that is not a function. */
static ir_expr_t *stdlib_constant(lower_t *lw, ast_expr_t *e, ty_ref_t *ref, ty_t *t)
{
    if (ref->builtin && strcmp(ref->builtin->name, "pi") == 0)
        return ir_raw(lw->a, "SNOW_MATH_PI", IR_REP_FLOAT); /* snow.h, stdlib Math.pi */
    lw_unsupported(lw, e->span, "this stdlib value");
    return default_of(lw, lw_rep(t));
}

static ir_expr_t *lower_ref_value(lower_t *lw, ast_expr_t *e, ty_ref_t *ref)
{
    uint32_t line = lw_line(lw, e->span);
    ref = nested_fn_ref(lw, ref);
    ty_t *t = lw_ty(lw, e->ty);
    switch (ref->kind) {
    case TY_REF_LOCAL: {
        ir_expr_t *poly = ref->binding && ref->binding->nested_fn
                              ? nested_poly_use(lw, ref, e->span)
                              : poly_use(lw, ref);
        if (poly)
            return poly;
        int64_t local = lw_lookup(lw, ref->binding);
        if (local < 0) {
            lw_unsupported(lw, e->span,
                           lw_fmt(lw, "reference to `%s` from here", ref->binding->name));
            return default_of(lw, lw_rep(t));
        }
        return coerce(lw, lw_local(lw, (uint32_t)local), lw_rep(t));
    }
    case TY_REF_TOP_LET:
        return coerce(lw, call_fn(lw, lw_const_getter(lw, ref->binding), NULL, 0, line), lw_rep(t));
    case TY_REF_FN: {
        ty_t *ft = ty_resolve(t);
        uint32_t inst =
            fn_instance(lw, ref, ft->kind == TY_FUN ? ft->args : NULL,
                        ft->kind == TY_FUN ? ft->nargs : 0, ft->kind == TY_FUN ? ft->ret : NULL);
        return lw_fn_value(lw, inst, ft, line);
    }
    case TY_REF_CTOR:
        if (ref->variant->nfields == 0)
            return variant_value(lw, ref->variant, NULL, 0, line);
        return wrapper_value(lw, e, ref, t, line);
    case TY_REF_STDLIB:
        if (ty_resolve(t)->kind != TY_FUN)
            return stdlib_constant(lw, e, ref, t);
        return wrapper_value(lw, e, ref, t, line);
    default:
        lw_unsupported(lw, e->span, "this kind of name");
        return default_of(lw, lw_rep(t));
    }
}

static ir_expr_t *lower_field(lower_t *lw, ast_expr_t *e)
{
    ty_ref_t *ref = ref_of(e);
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
                return default_of(lw, rep_of(lw, e->ty));
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
            vals[idx] = coerce(lw, v, lw_rep(ft));
        }
    }
    for (uint32_t i = 0; i < d->nfields; i++)
        if (!vals[i])
            vals[i] = ir_unit(lw->a);
    return new_record(lw, 0, vals, d->nfields, lw_line(lw, e->span));
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
        return new_record(lw, 0, vals, 2, line);
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
        ir_expr_t *w = ir_to_word(lw->a, coerce(lw, vals[i], elem ? lw_rep(elem) : vals[i]->rep));
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
    return new_record(lw, 0, vals, e->elems.len, lw_line(lw, e->span));
}

/* e? on Option or Result (5.9): None / Err(e) leaves the function with the
 * same value (their layout does not depend on the success type). */
static ir_expr_t *lower_try(lower_t *lw, ast_expr_t *e)
{
    uint32_t line = lw_line(lw, e->span);
    ir_expr_t *v = lower_expr(lw, e->lhs);
    uint32_t tmp = lw_temp(lw, IR_REP_PTR);
    store(lw, tmp, v, line);
    ir_expr_t *tag = ARENA_NEW(lw->a, ir_expr_t);
    tag->kind = IR_E_TAG;
    tag->rep = IR_REP_INT;
    tag->a = lw_local(lw, tmp);
    ir_stmt_t *s = ir_stmt(lw->a, IR_S_IF, line);
    s->e = ir_bin(lw->a, IR_OP_EQ, IR_REP_INT, tag, ir_int(lw->a, 1)); /* None / Err */
    LW_IN_BLOCK(lw, &s->then, emit_return(lw, lw_local(lw, tmp), line));
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
            store(lw, res, v, line);
    });
    if (e->else_block) {
        LW_IN_BLOCK(lw, &s->els, {
            ir_expr_t *v = lower_block(lw, e->else_block);
            if (rep != IR_REP_UNIT)
                store(lw, res, v, line);
        });
    }
    lw_push(lw, s);
    return rep == IR_REP_UNIT ? ir_unit(lw->a) : lw_local(lw, res);
}

/* {====== Closures: (code, env) records (6.7) */

static ir_expr_t *closure_of(lower_t *lw, ty_t *ft, ast_params_t *params, ast_expr_t **guards,
                             ast_block_t **bodies, uint32_t nc, span_t span);

static ir_expr_t *lower_closure(lower_t *lw, ast_expr_t *e)
{
    ty_t *ft = ty_resolve(lw_ty(lw, e->ty));
    if (ft->kind != TY_FUN && e->clauses.len > 0) {
        /* No type on the closure itself: rebuild it from its first clause. */
        ast_closure_clause_t *c0 = &e->clauses.items[0];
        ty_t **ps = ARENA_ARRAY(lw->a, ty_t *, c0->params.len ? c0->params.len : 1);
        for (uint32_t i = 0; i < c0->params.len; i++)
            ps[i] = lw_ty(lw, c0->params.items[i].pat->ty);
        ft = fun_type(lw, ps, c0->params.len, lw_ty(lw, c0->body ? c0->body->ty : NULL));
    }
    uint32_t nc = e->clauses.len;
    ast_params_t *params = ARENA_ARRAY(lw->a, ast_params_t, nc ? nc : 1);
    ast_expr_t **guards = ARENA_ARRAY(lw->a, ast_expr_t *, nc ? nc : 1);
    ast_block_t **bodies = ARENA_ARRAY(lw->a, ast_block_t *, nc ? nc : 1);
    for (uint32_t k = 0; k < nc; k++) {
        params[k] = e->clauses.items[k].params;
        guards[k] = e->clauses.items[k].guard;
        bodies[k] = e->clauses.items[k].body;
    }
    return closure_of(lw, ft, params, guards, bodies, nc, e->span);
}

static ir_expr_t *closure_of(lower_t *lw, ty_t *ft, ast_params_t *params, ast_expr_t **guards,
                             ast_block_t **bodies, uint32_t nc, span_t span)
{
    uint32_t line = lw_line(lw, span);
    lw_fn_t *parent = lw->fx;
    ir_func_t *f =
        ir_func_new(lw->a, lw_fmt(lw, "snow_clo_%s_%u", parent->f->c_name + 5, lw->nclosures++),
                    ft->kind == TY_FUN ? lw_rep(ft->ret) : IR_REP_UNIT);
    f->is_closure = true;
    f->file = span.file;
    f->line = line;
    f->snow_name = lw_fmt(lw, "closure in %s", parent->f->snow_name ? parent->f->snow_name : "?");
    uint32_t fi = ir_add_func(lw->a, lw->p, f);
    lw_fn_t fx = {0};
    fx.tag_src = -1;
    fx.parent = parent;
    fx.f = f;
    fx.cur = &f->body;
    fx.vars = parent->vars;
    fx.args = parent->args;
    fx.nsubst = parent->nsubst;
    fx.self_nested = lw->next_self_nested;
    lw->next_self_nested = NULL;
    lw->fx = &fx;
    uint32_t n = ft->kind == TY_FUN ? ft->nargs : 0;
    uint32_t *locals = ARENA_ARRAY(lw->a, uint32_t, n ? n : 1);
    for (uint32_t i = 0; i < n; i++)
        locals[i] = ir_local(lw->a, f, "a", lw_rep(ft->args[i]));
    f->nparams = n;
    lower_clauses(lw, params, guards, bodies, nc, locals, ft->kind == TY_FUN ? ft->args : NULL,
                  span);
    lw->fx = parent;
    ir_stmt_t *s = ir_stmt(lw->a, IR_S_CLOSURE, line);
    s->index = fi;
    s->nargs = fx.ncaps;
    s->args = ARENA_ARRAY(lw->a, ir_expr_t *, fx.ncaps ? fx.ncaps : 1);
    for (uint32_t i = 0; i < fx.ncaps; i++) {
        int64_t local = lw_lookup(lw, fx.caps[i]);
        s->args[i] = lw_local(lw, (uint32_t)local);
        if (s->args[i]->rep == IR_REP_PTR)
            s->ptrmask |= (i + 1 < 63) ? (UINT64_C(1) << (i + 1)) : (UINT64_C(1) << 63);
    }
    s->local = lw_temp(lw, IR_REP_PTR);
    lw_push(lw, s);
    return lw_local(lw, s->local);
}

/* }====== */

/* {====== Dispatch, blocks, tail position */

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
        if (!ref_of(e)) {
            lw_unsupported(lw, e->span, "an unresolved name");
            return ir_unit(lw->a);
        }
        return lower_ref_value(lw, e, ref_of(e));
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
            emit_return(lw, ir_unit(lw->a), line);
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

/* A statement whose value is discarded: loops skip building their list. */
static void lower_discard(lower_t *lw, ast_expr_t *e)
{
    if (e->kind == AST_EXPR_FOR)
        (void)lower_for(lw, e, false);
    else
        (void)lower_expr(lw, e);
}

/* let f = fn ... end with a polymorphic type (5.2): the closure is lowered
 * again at each use with that use's instantiation, so each copy is
 * monomorphic (a closure's identity is not observable, 6.1). */
static bool record_poly(lower_t *lw, ast_stmt_t *st)
{
    ast_pat_t *p = st->pat;
    ast_expr_t *x = st->expr;
    bool fn_name = (x->kind == AST_EXPR_IDENT || x->kind == AST_EXPR_FIELD) && ref_of(x) &&
                   (ref_of(x)->kind == TY_REF_FN || ref_of(x)->kind == TY_REF_STDLIB ||
                    ref_of(x)->kind == TY_REF_CTOR);
    if (!p || p->kind != AST_PAT_IDENT || !p->sem || (x->kind != AST_EXPR_CLOSURE && !fn_name))
        return false;
    ty_binding_t *b = p->sem;
    if (ty_pat_variant(p) || !b->scheme || b->scheme->nvars == 0)
        return false;
    if (lw->npolys == lw->cap_polys) {
        uint32_t ncap = lw->cap_polys ? lw->cap_polys * 2 : 8;
        ty_binding_t **nb = ARENA_ARRAY(lw->a, ty_binding_t *, ncap);
        ast_expr_t **ne = ARENA_ARRAY(lw->a, ast_expr_t *, ncap);
        if (lw->npolys) {
            memcpy(nb, lw->polys, sizeof(*nb) * lw->npolys);
            memcpy(ne, lw->poly_exprs, sizeof(*ne) * lw->npolys);
        }
        lw->polys = nb;
        lw->poly_exprs = ne;
        lw->cap_polys = ncap;
    }
    lw->polys[lw->npolys] = b;
    lw->poly_exprs[lw->npolys] = st->expr;
    lw->npolys++;
    return true;
}

static ir_expr_t *lower_closure(lower_t *lw, ast_expr_t *e);

/* The substitution in force before subst_push, restored by subst_pop. */
typedef struct {
    ty_t **vars, **args;
    uint32_t n;
} subst_saved_t;

/* Extends the current function's substitution with sc's variables bound to
 * the types ref instantiated them with (Unit where the checker left one
 * open), so a polymorphic let or nested fn is lowered at this use's types. */
static subst_saved_t subst_push(lower_t *lw, ty_scheme_t *sc, ty_ref_t *ref)
{
    lw_fn_t *fx = lw->fx;
    subst_saved_t saved = {fx->vars, fx->args, fx->nsubst};
    uint32_t n = saved.n + sc->nvars;
    ty_t **vars = ARENA_ARRAY(lw->a, ty_t *, n);
    ty_t **args = ARENA_ARRAY(lw->a, ty_t *, n);
    for (uint32_t k = 0; k < saved.n; k++) {
        vars[k] = saved.vars[k];
        args[k] = saved.args[k];
    }
    for (uint32_t k = 0; k < sc->nvars; k++) {
        vars[saved.n + k] = sc->vars[k];
        args[saved.n + k] = k < ref->ninst ? lw_ty(lw, ref->inst[k]) : NULL;
        if (!args[saved.n + k]) {
            args[saved.n + k] = ARENA_NEW(lw->a, ty_t);
            args[saved.n + k]->kind = TY_UNIT;
        }
    }
    fx->vars = vars;
    fx->args = args;
    fx->nsubst = n;
    return saved;
}

static void subst_pop(lower_t *lw, subst_saved_t saved)
{
    lw->fx->vars = saved.vars;
    lw->fx->args = saved.args;
    lw->fx->nsubst = saved.n;
}

static ir_expr_t *poly_use(lower_t *lw, ty_ref_t *ref)
{
    for (uint32_t i = 0; i < lw->npolys; i++) {
        if (lw->polys[i] != ref->binding)
            continue;
        subst_saved_t saved = subst_push(lw, ref->binding->scheme, ref);
        ast_expr_t *x = lw->poly_exprs[i];
        ir_expr_t *v = x->kind == AST_EXPR_CLOSURE ? lower_closure(lw, x) : lower_expr(lw, x);
        subst_pop(lw, saved);
        return v;
    }
    return NULL;
}

/* Returns the initializer's value: a block ending in `let` has it (5.7). */
static ir_expr_t *lower_let(lower_t *lw, ast_stmt_t *st)
{
    uint32_t line = lw_line(lw, st->span);
    if (record_poly(lw, st))
        return ir_unit(lw->a);
    ir_expr_t *v = lower_expr(lw, st->expr);
    if (v->kind != IR_E_LOCAL && v->rep != IR_REP_UNIT)
        v = lw_hoist(lw, v, line);
    lower_bind_pat(lw, st->pat, v, lw_ty(lw, st->expr->ty), line);
    return v;
}

/* A monomorphic nested `fn` becomes a closure value where it is defined,
 * so its body may capture the enclosing function's locals (4.1, 6.7); uses
 * bind it lazily (nested_fn_ref). Polymorphic nested fns, and uses the
 * closure cannot reach (a recursive call from its own body), are lowered
 * as top-level functions when called, as before. */
static ir_expr_t *nested_value(lower_t *lw, ty_fn_t *fn, span_t span)
{
    ty_t *ft = ty_resolve(lw_ty(lw, fn->scheme->type));
    if (ft->kind != TY_FUN)
        return NULL;
    uint32_t nc = fn->nclauses;
    ast_params_t *params = ARENA_ARRAY(lw->a, ast_params_t, nc);
    ast_expr_t **guards = ARENA_ARRAY(lw->a, ast_expr_t *, nc);
    ast_block_t **bodies = ARENA_ARRAY(lw->a, ast_block_t *, nc);
    for (uint32_t k = 0; k < nc; k++) {
        params[k] = fn->clauses[k]->params;
        guards[k] = fn->clauses[k]->guard;
        bodies[k] = fn->clauses[k]->body;
    }
    lw->next_self_nested = fn;
    return closure_of(lw, ft, params, guards, bodies, nc, span);
}

static void nested_closure(lower_t *lw, ast_item_t *it)
{
    ty_fn_t *fn = it->kind == AST_ITEM_FN ? it->sem : NULL;
    if (!fn || fn->nclauses == 0 || fn->items[0] != it || !fn->scheme)
        return;
    uint32_t local = UINT32_MAX;
    if (!fn->scheme->nvars) {
        ir_expr_t *v = nested_value(lw, fn, it->span);
        if (!v)
            return;
        local = v->index;
    }
    lw_fn_t *fx = lw->fx;
    if (fx->nnested == fx->cap_nested) {
        uint32_t ncap = fx->cap_nested ? fx->cap_nested * 2 : 4;
        lw_nested_t *n = ARENA_ARRAY(lw->a, lw_nested_t, ncap);
        if (fx->nnested)
            memcpy(n, fx->nested, sizeof(*n) * fx->nnested);
        fx->nested = n;
        fx->cap_nested = ncap;
    }
    fx->nested[fx->nnested++] = (lw_nested_t){fn, local, false};
}

/* A use of a polymorphic nested fn: its closure lowered with this use's
 * instantiation (as poly_use does for let-bound closures). */
static ir_expr_t *nested_poly_use(lower_t *lw, ty_ref_t *ref, span_t span)
{
    ty_fn_t *fn = ref->binding ? ref->binding->nested_fn : NULL;
    if (!fn)
        return NULL;
    lw_nested_t *nd = NULL;
    for (lw_fn_t *fx = lw->fx; fx && !nd; fx = fx->parent)
        for (uint32_t i = 0; i < fx->nnested; i++)
            if (fx->nested[i].fn == fn && fx->nested[i].local == UINT32_MAX && !fx->nested[i].busy)
                nd = &fx->nested[i];
    if (!nd)
        return NULL;
    subst_saved_t saved = subst_push(lw, fn->scheme, ref);
    nd->busy = true;
    ir_expr_t *v = nested_value(lw, fn, span);
    nd->busy = false;
    subst_pop(lw, saved);
    return v;
}

/* Lowers all statements but the last; returns the last one (or NULL). */
static ast_stmt_t *lower_prefix(lower_t *lw, ast_block_t *b)
{
    ast_stmt_t *last = NULL;
    for (uint32_t i = 0; i < b->len; i++) {
        ast_stmt_t *st = b->items[i];
        if (st->kind == AST_STMT_ITEM) {
            /* Statements before a nested fn are lowered first: its closure
             * captures what they bound (4.1). */
            if (last) {
                if (last->kind == AST_STMT_LET)
                    (void)lower_let(lw, last);
                else
                    lower_discard(lw, last->expr);
                last = NULL;
            }
            nested_closure(lw, st->item);
            continue;
        }
        if (last) {
            if (last->kind == AST_STMT_LET)
                (void)lower_let(lw, last);
            else
                lower_discard(lw, last->expr);
        }
        last = st;
    }
    return last;
}

ir_expr_t *lower_block(lower_t *lw, ast_block_t *b)
{
    if (!b)
        return ir_unit(lw->a);
    ast_stmt_t *last = lower_prefix(lw, b);
    if (!last)
        return ir_unit(lw->a);
    if (last->kind == AST_STMT_LET)
        return lower_let(lw, last);
    return lower_expr(lw, last->expr);
}

void lower_tail_block(lower_t *lw, ast_block_t *b, span_t span)
{
    ast_stmt_t *last = b ? lower_prefix(lw, b) : NULL;
    if (last && last->kind == AST_STMT_EXPR) {
        lower_tail(lw, last->expr);
        return;
    }
    ir_expr_t *v = last ? lower_let(lw, last) : ir_unit(lw->a);
    emit_return(lw, v, lw_line(lw, span));
}

void lower_tail(lower_t *lw, ast_expr_t *e)
{
    uint32_t line = lw_line(lw, e->span);
    switch (e->kind) {
    case AST_EXPR_IF: {
        ir_stmt_t *s = ir_stmt(lw->a, IR_S_IF, line);
        s->e = lower_expr(lw, e->lhs);
        LW_IN_BLOCK(lw, &s->then, lower_tail_block(lw, e->then_block, e->span));
        LW_IN_BLOCK(lw, &s->els, {
            if (e->else_block)
                lower_tail_block(lw, e->else_block, e->span);
            else
                emit_return(lw, ir_unit(lw->a), line);
        });
        lw_push(lw, s);
        return;
    }
    case AST_EXPR_CASE:
        (void)lower_case(lw, e, true);
        return;
    case AST_EXPR_RECEIVE:
        (void)lower_receive(lw, e, true);
        return;
    case AST_EXPR_BLOCK:
        lower_tail_block(lw, e->then_block, e->span);
        return;
    case AST_EXPR_RETURN:
        if (e->lhs)
            lower_tail(lw, e->lhs);
        else
            emit_return(lw, ir_unit(lw->a), line);
        return;
    case AST_EXPR_CALL: {
        ir_expr_t *v = lower_call_expr(lw, e, true);
        if (v)
            emit_return(lw, v, line);
        return;
    }
    case AST_EXPR_BINARY:
        if (e->binop == AST_BIN_PIPE) {
            ir_expr_t *v = lower_pipe(lw, e, true);
            if (v)
                emit_return(lw, v, line);
            return;
        }
        break;
    case AST_EXPR_FOR:
        emit_return(lw, lower_for(lw, e, true), line);
        return;
    default:
        break;
    }
    emit_return(lw, lower_expr(lw, e), line);
}

/* }====== */

/* {====== For lower_actor.c */

ir_expr_t *lw_new_record(lower_t *lw, uint16_t tag, ir_expr_t **vals, uint32_t n, uint32_t line)
{
    return new_record(lw, tag, vals, n, line);
}

ir_expr_t *lw_call_fn(lower_t *lw, uint32_t func, ir_expr_t **args, uint32_t nargs, uint32_t line)
{
    return call_fn(lw, func, args, nargs, line);
}

ir_expr_t *lw_block_closure(lower_t *lw, ast_block_t *body, ty_t *ret, span_t span)
{
    ast_params_t none = {0};
    ast_expr_t *guard = NULL;
    return closure_of(lw, fun_type(lw, NULL, 0, ret), &none, &guard, &body, 1, span);
}

ty_t *lw_fun_type(lower_t *lw, ty_t **params, uint32_t n, ty_t *ret)
{
    return fun_type(lw, params, n, ret);
}

/* }====== */
