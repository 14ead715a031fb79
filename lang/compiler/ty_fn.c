/* ty_fn.c: checking function groups and a module's bodies (language.md 4.1,
 * 5.2, 2.7; D10).
 *
 * The reference graph is built from names only: a function refers to every
 * function (or impl method) whose name appears in its body. That
 * over-approximates (a local `f` shadowing a top-level `f` still adds an
 * edge) which only makes a component larger; it never makes a program fail.
 * Components come out of Tarjan's algorithm callees first.
 */
#include <string.h>

#include "lang/compiler/ty_check.h"

/* ==================================================== one function group */

static bool is_catch_all(ty_checker_t *ck, ast_fn_t *c)
{
    if (c->guard)
        return false;
    for (uint32_t i = 0; i < c->params.len; i++) {
        ast_pat_t *p = c->params.items[i].pat;
        if (p->kind == AST_PAT_WILD)
            continue;
        if (p->kind == AST_PAT_IDENT) {
            ty_variant_t *v = ty_variant_lookup(ck, p->name);
            if (!v || v->nfields)
                continue;
        }
        return false;
    }
    return true;
}

static void check_clause_order(ty_checker_t *ck, ty_fn_t *f)
{
    for (uint32_t c = 0; c + 1 < f->nclauses; c++) {
        if (is_catch_all(ck, f->clauses[c])) {
            ty_error(ck, f->clauses[c]->name_span, "E0022",
                     "catch-all clause must be the last clause of function `%s/%u`", f->name,
                     f->arity);
            ty_message(ck,
                       "catch-all clause must be the last clause of function `%s/%u`; clauses "
                       "after a catch-all are unreachable",
                       f->name, f->arity);
            return;
        }
    }
}

static void bind_generics(ty_checker_t *ck, ast_fn_t *c0, ty_map_t *tp)
{
    for (uint32_t i = 0; i < c0->generics.len; i++) {
        ty_t *v = ty_fresh(ck);
        v->name = c0->generics.items[i];
        v->rigid = true;
        ty_map_put(ck->a, tp, v->name, v);
    }
    if (ck->tparams) {
        /* impl-level type parameters stay visible */
        for (uint32_t i = 0; i < ck->tparams->cap; i++)
            if (ck->tparams->keys[i] && !ty_map_get(tp, ck->tparams->keys[i]))
                ty_map_put(ck->a, tp, ck->tparams->keys[i], ck->tparams->vals[i]);
    }
    ck->tparams = tp;
    for (uint32_t i = 0; i < c0->where.len; i++) {
        ast_bound_t *b = &c0->where.items[i];
        ty_t *v = ty_map_get(tp, b->param);
        sym_t tn = b->trait.parts.items[b->trait.parts.len - 1];
        ty_trait_t *tr = ty_trait_named(ck, tn);
        if (!v || !tr) {
            ty_error(ck, b->param_span, "E0004", "undefined variable: %s", v ? tn : b->param);
            continue;
        }
        ty_require(ck, v, tr->builtin, tr->builtin == TY_TR_USER ? tr : NULL, b->param_span);
    }
}

static void check_clause(ty_checker_t *ck, ty_fn_t *f, uint32_t ci, ty_t **params, ty_t *ret)
{
    ast_fn_t *c = f->clauses[ci];
    ty_fnctx_t fc;
    ty_fnctx_enter(ck, &fc, ret, f->clauses[0]->ret != NULL);
    fc.closure_depth = 0;
    fc.msg = NULL;
    fc.actor = NULL;
    ty_scope_push(ck);
    for (uint32_t i = 0; i < c->params.len && i < f->arity; i++) {
        ast_param_t *p = &c->params.items[i];
        if (ci > 0 && p->type)
            ty_expect(ck, params[i], ty_from_ast(ck, p->type), p->span);
        ty_check_pat(ck, p->pat, params[i]);
    }
    if (c->guard)
        ty_check_guard(ck, c->guard, false);
    ty_t *body = ty_infer_block(ck, c->body);
    if (ty_resolve(body)->kind != TY_NEVER) {
        span_t sp = c->body->len ? c->body->items[c->body->len - 1]->span : c->body->span;
        ast_stmt_t *last = c->body->len ? c->body->items[c->body->len - 1] : NULL;
        if (last && last->kind == AST_STMT_EXPR && last->expr)
            sp = last->expr->span;
        ty_expect(ck, ret, body, sp);
    }
    ty_scope_pop(ck);
    ty_fnctx_leave(ck, body);
}

static void check_exhaustive(ty_checker_t *ck, ty_fn_t *f, ty_t **params)
{
    if (f->arity == 0)
        return;
    uint32_t n = f->nclauses;
    ast_pat_t ***rows = ARENA_ARRAY(ck->a, ast_pat_t **, n);
    bool *guarded = ARENA_ARRAY(ck->a, bool, n);
    span_t *spans = ARENA_ARRAY(ck->a, span_t, n);
    for (uint32_t c = 0; c < n; c++) {
        rows[c] = ARENA_ARRAY(ck->a, ast_pat_t *, f->arity);
        for (uint32_t i = 0; i < f->arity; i++)
            rows[c][i] = i < f->clauses[c]->params.len ? f->clauses[c]->params.items[i].pat : NULL;
        guarded[c] = f->clauses[c]->guard != NULL;
        spans[c] = f->clauses[c]->name_span;
    }
    ty_exhaust_check(ck, rows, guarded, spans, n, f->arity, params, f->clauses[0]->name_span, true,
                     &f->exhaustive);
}

/* Checks all clauses of f against f->scheme->type (a variable or the
 * function type), leaving the function type in it. Does not generalise. */
void ty_check_fn_group(ty_checker_t *ck, ty_fn_t *f)
{
    ast_fn_t *c0 = f->clauses[0];
    ty_map_t *saved_tp = ck->tparams;
    ty_map_t tp = {0};
    bind_generics(ck, c0, &tp);
    ty_t **params = ARENA_ARRAY(ck->a, ty_t *, f->arity ? f->arity : 1);
    for (uint32_t i = 0; i < f->arity; i++) {
        ast_param_t *p = &c0->params.items[i];
        if (p->is_self)
            params[i] = ck->self_type ? ck->self_type : ty_fresh(ck);
        else
            params[i] = p->type ? ty_from_ast(ck, p->type) : ty_fresh(ck);
    }
    ty_t *ret = c0->ret ? ty_from_ast(ck, c0->ret) : ty_fresh(ck);
    ty_t *fty = ty_fun(ck, params, f->arity, ret);
    ty_expect(ck, f->scheme->type, fty, c0->name_span);
    for (uint32_t ci = 0; ci < f->nclauses; ci++) {
        if (f->clauses[ci]->params.len != f->arity) {
            ty_error(ck, f->clauses[ci]->name_span, "E0024",
                     "all clauses of `%s` must have the same number of parameters; expected %u, "
                     "found %u",
                     f->name, f->arity, f->clauses[ci]->params.len);
            continue;
        }
        check_clause(ck, f, ci, params, ret);
    }
    check_clause_order(ck, f);
    bool refutable = f->nclauses > 1;
    for (uint32_t i = 0; i < f->arity && !refutable; i++) {
        ast_pat_kind_t k = c0->params.items[i].pat->kind;
        refutable = k != AST_PAT_IDENT && k != AST_PAT_WILD;
    }
    f->exhaustive = true;
    if (refutable || c0->guard)
        check_exhaustive(ck, f, params);
    ck->tparams = saved_tp;
}

/* ====================================================== reference graph */

typedef struct {
    ty_checker_t *ck;
    ty_map_t *by_name; /* sym -> node list head (uint32_t index + 1 chain in next[]) */
    uint32_t *next;
    uint32_t **edges;
    uint32_t *nedges;
    uint32_t *cap;
    uint32_t from;
} graph_t;

static void add_edges(graph_t *g, sym_t name)
{
    uintptr_t head = (uintptr_t)ty_map_get(g->by_name, name);
    for (uint32_t n = (uint32_t)head; n; n = g->next[n - 1]) {
        uint32_t to = n - 1, from = g->from;
        if (g->nedges[from] == g->cap[from]) {
            uint32_t cap = g->cap[from] ? g->cap[from] * 2 : 4;
            uint32_t *ne = ARENA_ARRAY(g->ck->a, uint32_t, cap);
            if (g->nedges[from])
                memcpy(ne, g->edges[from], g->nedges[from] * sizeof *ne);
            g->edges[from] = ne;
            g->cap[from] = cap;
        }
        g->edges[from][g->nedges[from]++] = to;
    }
}

static void walk_block(graph_t *g, ast_block_t *b);

static void walk_expr(graph_t *g, ast_expr_t *e)
{
    if (!e)
        return;
    if (e->kind == AST_EXPR_IDENT || e->kind == AST_EXPR_FIELD)
        add_edges(g, e->name);
    walk_expr(g, e->lhs);
    walk_expr(g, e->rhs);
    for (uint32_t i = 0; i < e->elems.len; i++)
        walk_expr(g, e->elems.items[i]);
    for (uint32_t i = 0; i < e->values.len; i++)
        walk_expr(g, e->values.items[i]);
    for (uint32_t i = 0; i < e->parts.len; i++)
        walk_expr(g, e->parts.items[i].expr);
    for (uint32_t i = 0; i < e->fields.len; i++)
        walk_expr(g, e->fields.items[i].value);
    for (uint32_t i = 0; i < e->arms.len; i++) {
        walk_expr(g, e->arms.items[i].guard);
        walk_expr(g, e->arms.items[i].body);
    }
    for (uint32_t i = 0; i < e->clauses.len; i++) {
        walk_expr(g, e->clauses.items[i].guard);
        walk_block(g, e->clauses.items[i].body);
    }
    if (e->then_block)
        walk_block(g, e->then_block);
    if (e->else_block)
        walk_block(g, e->else_block);
    walk_expr(g, e->guard);
    walk_expr(g, e->after_timeout);
    walk_expr(g, e->after_body);
}

static void walk_block(graph_t *g, ast_block_t *b)
{
    for (uint32_t i = 0; i < b->len; i++) {
        ast_stmt_t *s = b->items[i];
        walk_expr(g, s->expr);
        if (s->kind == AST_STMT_ITEM && s->item->kind == AST_ITEM_FN)
            walk_block(g, s->item->u.fn.body);
    }
}

typedef struct {
    graph_t *g;
    uint32_t *index, *low, *stack;
    bool *on;
    uint32_t sp, counter;
    ty_fn_t **fns;
    void (*emit)(ty_checker_t *ck, ty_fn_t **fns, uint32_t *members, uint32_t n);
} tarjan_t;

static void strongconnect(tarjan_t *t, uint32_t v)
{
    t->index[v] = t->low[v] = ++t->counter;
    t->stack[t->sp++] = v;
    t->on[v] = true;
    for (uint32_t i = 0; i < t->g->nedges[v]; i++) {
        uint32_t w = t->g->edges[v][i];
        if (!t->index[w]) {
            strongconnect(t, w);
            if (t->low[w] < t->low[v])
                t->low[v] = t->low[w];
        } else if (t->on[w] && t->index[w] < t->low[v]) {
            t->low[v] = t->index[w];
        }
    }
    if (t->low[v] != t->index[v])
        return;
    uint32_t start = t->sp;
    do {
        start--;
        t->on[t->stack[start]] = false;
    } while (t->stack[start] != v);
    t->emit(t->g->ck, t->fns, t->stack + start, t->sp - start);
    t->sp = start;
}

/* `impl Show for Box<T> where T: Show`: the bounds hold inside the impl's
 * methods and become bounds of their schemes, checked at each call. */
static void impl_where(ty_checker_t *ck, ty_impl_t *im)
{
    ast_bounds_t *w = im->item ? &im->item->u.impl.where : NULL;
    for (uint32_t i = 0; w && i < w->len; i++) {
        ast_bound_t *b = &w->items[i];
        ty_t *v = im->_tparams ? ty_map_get(im->_tparams, b->param) : NULL;
        ty_trait_t *tr = ty_trait_named(ck, b->trait.parts.items[b->trait.parts.len - 1]);
        if (!v || !tr) {
            ty_error(ck, b->param_span, "E0004", "undefined variable: %s", v ? "trait" : b->param);
            continue;
        }
        ty_require(ck, v, tr->builtin, tr->builtin == TY_TR_USER ? tr : NULL, b->param_span);
    }
}

/* Checks one component: monomorphic inside, generalised after (D10). */
static void check_component(ty_checker_t *ck, ty_fn_t **fns, uint32_t *members, uint32_t n)
{
    ck->level++;
    for (uint32_t i = 0; i < n; i++)
        fns[members[i]]->scheme = ty_mono(ck, ty_fresh(ck));
    for (uint32_t i = 0; i < n; i++) {
        ty_fn_t *f = fns[members[i]];
        ck->self_type = NULL;
        ck->tparams = NULL;
        if (f->impl) {
            ck->self_type = f->impl->target;
            ck->tparams = f->impl->_tparams;
            impl_where(ck, f->impl);
        } else if (f->kind == TY_FN_DEFAULT && f->trait) {
            /* One generic body per default method: Self is a variable with
             * the bound Self: Trait, fixed by each impl's instantiation. */
            ck->self_type = ty_fresh(ck);
            ck->self_type->name = ck->s.Self;
            ck->self_trait = f->trait;
            ty_require(ck, ck->self_type, TY_TR_USER, f->trait, f->clauses[0]->name_span);
        }
        ty_check_fn_group(ck, f);
        ck->self_type = NULL;
        ck->self_trait = NULL;
        ck->tparams = NULL;
    }
    ty_iters_flush(ck, false);
    ck->level--;
    ty_obligs_flush(ck);
    for (uint32_t i = 0; i < n; i++)
        fns[members[i]]->scheme = ty_generalize(ck, fns[members[i]]->scheme->type);
}

void ty_check_fns(ty_checker_t *ck, ty_fn_t **fns, uint32_t n)
{
    if (!n)
        return;
    graph_t g = {.ck = ck};
    ty_map_t by_name = {0};
    g.by_name = &by_name;
    g.next = ARENA_ARRAY(ck->a, uint32_t, n);
    g.edges = ARENA_ARRAY(ck->a, uint32_t *, n);
    g.nedges = ARENA_ARRAY(ck->a, uint32_t, n);
    g.cap = ARENA_ARRAY(ck->a, uint32_t, n);
    for (uint32_t i = 0; i < n; i++) {
        uintptr_t head = (uintptr_t)ty_map_get(&by_name, fns[i]->name);
        g.next[i] = (uint32_t)head;
        ty_map_put(ck->a, &by_name, fns[i]->name, (void *)(uintptr_t)(i + 1));
    }
    for (uint32_t i = 0; i < n; i++) {
        g.from = i;
        for (uint32_t c = 0; c < fns[i]->nclauses; c++) {
            walk_block(&g, fns[i]->clauses[c]->body);
            walk_expr(&g, fns[i]->clauses[c]->guard);
        }
    }
    tarjan_t t = {.g = &g, .fns = fns, .emit = check_component};
    t.index = ARENA_ARRAY(ck->a, uint32_t, n);
    t.low = ARENA_ARRAY(ck->a, uint32_t, n);
    t.stack = ARENA_ARRAY(ck->a, uint32_t, n);
    t.on = ARENA_ARRAY(ck->a, bool, n);
    for (uint32_t v = 0; v < n; v++)
        if (!t.index[v])
            strongconnect(&t, v);
}

/* ============================================================== module */

static void check_top_lets(ty_checker_t *ck, ty_modenv_t *m)
{
    ty_module_t *out = m->out;
    for (uint32_t i = 0; i < out->ntop_lets; i++) {
        ast_stmt_t *s = out->top_let_stmts[i];
        if (s->pat->kind != AST_PAT_IDENT) {
            /* Destructuring: the pattern binds the constants collected for
             * this statement (consecutive entries), through or_bind. */
            uint32_t n = 1;
            while (i + n < out->ntop_lets && out->top_let_stmts[i + n] == s)
                n++;
            ty_t *t = ty_infer_expr(ck, s->expr);
            if (s->type)
                ty_expect(ck, ty_from_ast(ck, s->type), t, s->expr->span);
            ty_scope_push(ck);
            ck->or_bind = out->top_lets + i;
            ck->nor_bind = n;
            ty_check_pat(ck, s->pat, t);
            ck->or_bind = NULL;
            ck->nor_bind = 0;
            ty_scope_pop(ck);
            i += n - 1;
            continue;
        }
        /* A constant bound to a closure is polymorphic like a local one. */
        bool gen = s->expr->kind == AST_EXPR_CLOSURE && !s->type;
        if (gen)
            ck->level++;
        ty_t *t = ty_infer_expr(ck, s->expr);
        if (gen)
            ck->level--;
        if (s->type)
            ty_expect(ck, ty_from_ast(ck, s->type), t, s->expr->span);
        if (gen) {
            /* Generalise before touching the binding's level-0 variable,
             * which would pin the closure's variables. Uses checked earlier
             * (in functions) unify with one instance. */
            ty_obligs_flush(ck);
            ty_scheme_t *sc = ty_generalize(ck, t);
            out->top_lets[i]->scheme = sc;
            t = ty_instantiate(ck, sc, NULL, NULL, s->expr->span);
        }
        ty_expect(ck, out->top_lets[i]->type, t, s->expr->span);
    }
}


void ty_check_module(ty_checker_t *ck, ty_modenv_t *m)
{
    ck->mod = m;
    ck->level = 0;
    ty_check_fns(ck, m->out->fns, m->out->nfns);
    check_top_lets(ck, m);
    ty_check_concurrency(ck, m);
    /* Bare top-level expressions: checked, never run (2.6). */
    ast_file_t *f = m->cm->ast;
    ty_scope_push(ck);
    for (uint32_t i = 0; i < f->len; i++) {
        ast_stmt_t *s = f->items[i];
        if (s->kind == AST_STMT_EXPR)
            ty_infer_expr(ck, s->expr);
    }
    ty_scope_pop(ck);
    ty_iters_flush(ck, true);
    ty_obligs_flush(ck);
    m->checked = true;
}
