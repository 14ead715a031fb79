/* lower_block.c: blocks, let, closures, nested fns and tail position.
 *
 * A block lowers its statements in order; its value is its last one's.
 * A closure becomes its own IR function plus a (code, env) record of its
 * captures (6.7). Polymorphic let-bound closures and nested fns are lowered
 * again at each use with that use's types, so every copy is monomorphic.
 * lower_tail() lowers an expression in tail position (6.11): it emits the
 * `return` itself, so a self-recursive call there becomes parameter
 * assignments and a jump (lower_call.c).
 */
#include "lang/compiler/lower_int.h"

#include <string.h>

/* {====== Closures: (code, env) records (6.7) */

static ir_expr_t *closure_of(lower_t *lw, ty_t *ft, ast_params_t *params, ast_expr_t **guards,
                             ast_block_t **bodies, uint32_t nc, span_t span);

ir_expr_t *lower_closure(lower_t *lw, ast_expr_t *e)
{
    ty_t *ft = ty_resolve(lw_ty(lw, e->ty));
    if (ft->kind != TY_FUN && e->clauses.len > 0) {
        /* No type on the closure itself: rebuild it from its first clause. */
        ast_closure_clause_t *c0 = &e->clauses.items[0];
        ty_t **ps = ARENA_ARRAY(lw->a, ty_t *, c0->params.len ? c0->params.len : 1);
        for (uint32_t i = 0; i < c0->params.len; i++)
            ps[i] = lw_ty(lw, c0->params.items[i].pat->ty);
        ft = lw_fun_type(lw, ps, c0->params.len, lw_ty(lw, c0->body ? c0->body->ty : NULL));
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

/* {====== Blocks, let, nested fns, tail position */

void lw_emit_return(lower_t *lw, ir_expr_t *v, uint32_t line)
{
    ir_stmt_t *r = ir_stmt(lw->a, IR_S_RETURN, line);
    r->e = lw->fx->f->is_closure ? v : lw_coerce(lw, v, lw->fx->f->ret);
    lw_push(lw, r);
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
    bool fn_name = (x->kind == AST_EXPR_IDENT || x->kind == AST_EXPR_FIELD) && lw_ref_of(x) &&
                   (lw_ref_of(x)->kind == TY_REF_FN || lw_ref_of(x)->kind == TY_REF_STDLIB ||
                    lw_ref_of(x)->kind == TY_REF_CTOR);
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

ir_expr_t *lw_poly_use(lower_t *lw, ty_ref_t *ref)
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
 * instantiation (as lw_poly_use does for let-bound closures). */
ir_expr_t *lw_nested_poly_use(lower_t *lw, ty_ref_t *ref, span_t span)
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
    lw_emit_return(lw, v, lw_line(lw, span));
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
                lw_emit_return(lw, ir_unit(lw->a), line);
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
            lw_emit_return(lw, ir_unit(lw->a), line);
        return;
    case AST_EXPR_CALL: {
        ir_expr_t *v = lower_call_expr(lw, e, true);
        if (v)
            lw_emit_return(lw, v, line);
        return;
    }
    case AST_EXPR_BINARY:
        if (e->binop == AST_BIN_PIPE) {
            ir_expr_t *v = lower_pipe(lw, e, true);
            if (v)
                lw_emit_return(lw, v, line);
            return;
        }
        break;
    case AST_EXPR_FOR:
        lw_emit_return(lw, lower_for(lw, e, true), line);
        return;
    default:
        break;
    }
    lw_emit_return(lw, lower_expr(lw, e), line);
}

/* }====== */

/* {====== For lower_actor.c */

ir_expr_t *lw_block_closure(lower_t *lw, ast_block_t *body, ty_t *ret, span_t span)
{
    ast_params_t none = {0};
    ast_expr_t *guard = NULL;
    return closure_of(lw, lw_fun_type(lw, NULL, 0, ret), &none, &guard, &body, 1, span);
}

/* }====== */
