/* lower_call.c: calls and names used as values, into IR statements.
 *
 * A call resolved by the checker (its ty_ref_t) goes to a function instance
 * (monomorphized on first use), a trait method through the receiver's
 * concrete type (static dispatch), a stdlib function, a constructor, an
 * actor, or, for any other callee, a closure call. A self call in tail
 * position becomes parameter assignments and a jump (6.11). Functions,
 * constructors and stdlib functions used as values become closure code
 * that makes the call. Arguments are lowered left to right before the call
 * (language.md 6.2).
 */
#include "lang/compiler/lower_int.h"

#include <string.h>

/* {====== Calls */

ir_expr_t *lw_call_fn(lower_t *lw, uint32_t func, ir_expr_t **args, uint32_t nargs, uint32_t line)
{
    ir_func_t *f = lw->p->funcs[func];
    ir_expr_t *e = ARENA_NEW(lw->a, ir_expr_t);
    e->kind = IR_E_CALL;
    e->rep = f->ret;
    e->index = func;
    e->args = ARENA_ARRAY(lw->a, ir_expr_t *, nargs ? nargs : 1);
    for (uint32_t i = 0; i < nargs; i++)
        e->args[i] = i < f->nparams ? lw_coerce(lw, args[i], f->locals[i].rep) : args[i];
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

static ir_expr_t *variant_value(lower_t *lw, ty_variant_t *v, ir_expr_t **args, uint32_t n,
                                uint32_t line)
{
    ty_builtin_t b = v->decl ? v->decl->builtin : TY_B_NONE;
    if (n == 0 && b == TY_B_OPTION)
        return ir_raw(lw->a, "(void *)SNOW_NONE", IR_REP_PTR);
    if (n == 0 && b == TY_B_ORDERING)
        return ir_raw(lw->a, lw_fmt(lw, "(void *)&snow_ordering_objs[%u]", v->index), IR_REP_PTR);
    return lw_new_record(lw, (uint16_t)v->index, args, n, line);
}

static ir_expr_t *lower_call(lower_t *lw, ast_expr_t *call, ty_ref_t *ref, ast_expr_t *callee,
                             ast_expr_t *first, ast_expr_t **args, uint32_t nargs, bool tail);

ty_t *lw_fun_type(lower_t *lw, ty_t **params, uint32_t n, ty_t *ret)
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
    return lw_instance_for(lw, fn, lw_fun_type(lw, arg_tys, nargs, ret));
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
    uint32_t inst = lw_instance_for(lw, fn, lw_fun_type(lw, tys, n, ret));
    return lw_call_fn(lw, inst, vals, n, line);
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
        lw_store(lw, tmps[i], vals[i], line);
    }
    for (uint32_t i = 0; i < n; i++)
        if (f->locals[i].rep != IR_REP_UNIT)
            lw_assign(lw, i, lw_local(lw, tmps[i]), line);
    f->uses_tailcall = true;
    lw_push(lw, ir_stmt(lw->a, IR_S_TAILCALL, line));
}

/* A nested `fn` item is named through a local binding; call it like a
 * top-level function. */
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
                return ref; /* polymorphic: lw_nested_poly_use at the value */
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
        return lw_call_fn(lw, inst, vals, n, line);
    }
    case TY_REF_STDLIB:
        return lower_stdlib_call(lw, call, ref->builtin, vals, tys, n, ret);
    case TY_REF_CTOR: {
        ty_variant_t *v = ref->variant;
        for (uint32_t i = 0; i < n && i < v->nfields; i++)
            vals[i] = lw_coerce(lw, vals[i], lw_rep(tys[i]));
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

ty_ref_t *lw_ref_of(ast_expr_t *e) { return (ty_ref_t *)e->sem; }

ir_expr_t *lower_call_expr(lower_t *lw, ast_expr_t *e, bool tail)
{
    /* Only a callee that is a name (f, M.f, x.m) can resolve the call; any
     * other callee expression (f(a)(b), (fn ... end)(x)) yields a closure. */
    bool named = e->lhs->kind == AST_EXPR_IDENT || e->lhs->kind == AST_EXPR_FIELD;
    ty_ref_t *ref = named ? (lw_ref_of(e) ? lw_ref_of(e) : lw_ref_of(e->lhs)) : NULL;
    ast_expr_t *first = NULL;
    if (ref && ref->recv_first && e->lhs->kind == AST_EXPR_FIELD)
        first = e->lhs->lhs;
    return lower_call(lw, e, ref, e->lhs, first, e->elems.items, e->elems.len, tail);
}

/* x |> f(a) is f(x, a); x |> f is f(x) (6.6). */
ir_expr_t *lower_pipe(lower_t *lw, ast_expr_t *e, bool tail)
{
    ast_expr_t *rhs = e->rhs;
    if (rhs->kind == AST_EXPR_CALL) {
        ty_ref_t *ref = lw_ref_of(e) ? lw_ref_of(e) : lw_ref_of(rhs);
        if (!ref && (rhs->lhs->kind == AST_EXPR_IDENT || rhs->lhs->kind == AST_EXPR_FIELD))
            ref = lw_ref_of(rhs->lhs);
        return lower_call(lw, e, ref, rhs->lhs, e->lhs, rhs->elems.items, rhs->elems.len, tail);
    }
    ty_ref_t *ref = lw_ref_of(e) ? lw_ref_of(e) : lw_ref_of(rhs);
    if (rhs->kind == AST_EXPR_CLOSURE)
        ref = NULL;
    return lower_call(lw, e, ref, rhs, e->lhs, NULL, 0, tail);
}

/* }====== */

/* {====== Names used as values */

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
    lw_emit_return(lw, r, line);
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
    return lw_default_of(lw, lw_rep(t));
}

ir_expr_t *lower_ref_value(lower_t *lw, ast_expr_t *e, ty_ref_t *ref)
{
    uint32_t line = lw_line(lw, e->span);
    ref = nested_fn_ref(lw, ref);
    ty_t *t = lw_ty(lw, e->ty);
    switch (ref->kind) {
    case TY_REF_LOCAL: {
        ir_expr_t *poly = ref->binding && ref->binding->nested_fn
                              ? lw_nested_poly_use(lw, ref, e->span)
                              : lw_poly_use(lw, ref);
        if (poly)
            return poly;
        int64_t local = lw_lookup(lw, ref->binding);
        if (local < 0) {
            lw_unsupported(lw, e->span,
                           lw_fmt(lw, "reference to `%s` from here", ref->binding->name));
            return lw_default_of(lw, lw_rep(t));
        }
        return lw_coerce(lw, lw_local(lw, (uint32_t)local), lw_rep(t));
    }
    case TY_REF_TOP_LET:
        return lw_coerce(lw, lw_call_fn(lw, lw_const_getter(lw, ref->binding), NULL, 0, line),
                         lw_rep(t));
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
        return lw_default_of(lw, lw_rep(t));
    }
}

/* }====== */
