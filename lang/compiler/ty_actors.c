/* ty_actors.c: actors, services and supervisors (language.md 4.7-4.9, 5.10;
 * D74-D83).
 *
 * These items are monomorphic: an actor is a function Fun(params) ->
 * Pid<M> whose message type M is fixed by its receive patterns and by typed
 * sends; a service has one state type S fixed by `init`. Their signatures
 * are built when the module's types are known (ty_concurrency_sigs), before
 * any function body is checked, so calls from anywhere in the module see
 * them; their bodies are checked after the module's functions.
 */
#include <ctype.h>
#include <string.h>

#include "lang/compiler/ty_check.h"


#define PUSH(ck, arr, len, x)                                                                      \
    do {                                                                                           \
        if (((len) & ((len) - 1)) == 0) {                                                          \
            void *n_ = arena_alloc((ck)->a, sizeof(*(arr)) * ((len) ? (len) * 2 : 8));             \
            if (len)                                                                               \
                memcpy(n_, (arr), sizeof(*(arr)) * (len));                                         \
            (arr) = n_;                                                                            \
        }                                                                                          \
        (arr)[(len)++] = (x);                                                                      \
    } while (0)

/* `GetCount` -> `get_count` (4.8). */
static sym_t snake(ty_checker_t *ck, sym_t name)
{
    char buf[256];
    size_t n = 0;
    for (size_t i = 0; name[i] && n < sizeof buf - 2; i++) {
        unsigned char ch = (unsigned char)name[i];
        if (isupper(ch) && i > 0)
            buf[n++] = '_';
        buf[n++] = (char)tolower(ch);
    }
    return intern(ck->in, buf, n);
}

static ty_ent_t *ent(ty_checker_t *ck, ty_ent_kind_t kind, uint32_t order)
{
    ty_ent_t *e = ARENA_NEW(ck->a, ty_ent_t);
    e->kind = kind;
    e->order = order;
    return e;
}

/* ============================================================ collection */

static void collect_service(ty_checker_t *ck, ty_modenv_t *m, ast_item_t *it)
{
    ast_service_t *as = &it->u.service;
    ty_service_t *s = ARENA_NEW(ck->a, ty_service_t);
    s->name = as->name;
    s->module = m->name;
    s->ast = as;
    it->sem = s;
    s->nhandlers = as->handlers.len;
    s->handlers = ARENA_ARRAY(ck->a, ty_handler_t, s->nhandlers ? s->nhandlers : 1);
    sym_t start = intern_cstr(ck->in, "start");
    for (uint32_t i = 0; i < s->nhandlers; i++) {
        ast_handler_t *h = &as->handlers.items[i];
        ty_handler_t *th = &s->handlers[i];
        th->name = h->name;
        th->fn_name = snake(ck, h->name);
        th->is_call = h->is_call;
        th->ast = h;
        bool dup = th->fn_name == start;
        for (uint32_t k = 0; k < i && !dup; k++)
            dup = s->handlers[k].fn_name == th->fn_name;
        if (dup) {
            ty_error(ck, h->name_span, "E0040", "duplicate service function `%s` in service `%s`",
                     th->fn_name, s->name);
        }
    }
    for (uint32_t i = 0; i < as->fns.len; i++) {
        ast_item_t *fi = as->fns.items[i];
        if (fi->kind != AST_ITEM_FN)
            continue;
        if (fi->u.fn.name == ck->s.init && !s->init) {
            s->init = ty_fn_new(ck, TY_FN_SERVICE, fi);
            continue;
        }
        /* Helper functions of a service are checked as module functions. */
        ty_fn_t *f = ty_fn_new(ck, TY_FN_PLAIN, fi);
        ty_ent_t *e = ent(ck, TY_ENT_FN, 0);
        e->fn = f;
        ty_ent_add(ck, m, f->name, e);
        PUSH(ck, m->out->fns, m->out->nfns, f);
    }
    ty_map_put(ck->a, &m->services, s->name, s);
    ty_ent_t *e = ent(ck, TY_ENT_SERVICE, 0);
    e->service = s;
    ty_program_t *p = ck->prog;
    PUSH(ck, p->services, p->nservices, s);
}

void ty_collect_concurrency(ty_checker_t *ck, ty_modenv_t *m, ast_item_t *it, uint32_t order)
{
    ty_program_t *p = ck->prog;
    if (it->kind == AST_ITEM_ACTOR) {
        ty_actor_t *a = ARENA_NEW(ck->a, ty_actor_t);
        a->name = it->u.actor.name;
        a->module = m->name;
        a->ast = &it->u.actor;
        it->sem = a;
        ty_ent_t *e = ent(ck, TY_ENT_ACTOR, order);
        e->actor = a;
        ty_ent_add(ck, m, a->name, e);
        PUSH(ck, p->actors, p->nactors, a);
    } else if (it->kind == AST_ITEM_SERVICE) {
        collect_service(ck, m, it);
    } else if (it->kind == AST_ITEM_SUPERVISOR) {
        ty_supervisor_t *s = ARENA_NEW(ck->a, ty_supervisor_t);
        s->name = it->u.sup.name;
        s->module = m->name;
        s->ast = &it->u.sup;
        it->sem = s;
        ty_ent_t *e = ent(ck, TY_ENT_SUPERVISOR, order);
        e->supervisor = s;
        ty_ent_add(ck, m, s->name, e);
        PUSH(ck, p->supervisors, p->nsupervisors, s);
    }
}

/* ============================================================ signatures */

static ty_t **param_types(ty_checker_t *ck, ast_params_t *ps)
{
    ty_t **out = ARENA_ARRAY(ck->a, ty_t *, ps->len + 1);
    for (uint32_t i = 0; i < ps->len; i++)
        out[i] = ps->items[i].type ? ty_from_ast(ck, ps->items[i].type) : ty_fresh(ck);
    return out;
}

static void service_sigs(ty_checker_t *ck, ty_service_t *s)
{
    ty_t *unit_pid = ty_con1(ck, TY_B_PID, ty_prim(ck, TY_UNIT));
    s->state = ty_fresh(ck);
    if (s->init) {
        ast_fn_t *c0 = s->init->clauses[0];
        ty_t **ps = param_types(ck, &c0->params);
        ty_t *ret = c0->ret ? ty_from_ast(ck, c0->ret) : ty_fresh(ck);
        ty_expect(ck, s->state, ret, c0->name_span);
        s->init->scheme = ty_mono(ck, ty_fun(ck, ps, c0->params.len, s->state));
        s->start_type = ty_fun(ck, ps, c0->params.len, unit_pid);
    } else {
        s->start_type = ty_fun(ck, NULL, 0, unit_pid);
    }
    for (uint32_t i = 0; i < s->nhandlers; i++) {
        ty_handler_t *h = &s->handlers[i];
        uint32_t n = h->ast->params.len;
        ty_t **ps = ARENA_ARRAY(ck->a, ty_t *, n + 1);
        ps[0] = unit_pid;
        ty_t **own = param_types(ck, &h->ast->params);
        memcpy(ps + 1, own, n * sizeof *ps);
        ty_t *reply = h->is_call ? (h->ast->ret ? ty_from_ast(ck, h->ast->ret) : ty_fresh(ck))
                                 : ty_prim(ck, TY_UNIT);
        h->type = ty_fun(ck, ps, n + 1, reply);
    }
}

void ty_concurrency_sigs(ty_checker_t *ck, ty_modenv_t *m)
{
    ty_program_t *p = ck->prog;
    ck->mod = m;
    for (uint32_t i = 0; i < p->nactors; i++) {
        ty_actor_t *a = p->actors[i];
        if (a->module != m->name || a->type)
            continue;
        ty_t **ps = param_types(ck, &a->ast->params);
        a->msg = ty_fresh(ck);
        a->type = ty_fun(ck, ps, a->ast->params.len, ty_con1(ck, TY_B_PID, a->msg));
    }
    for (uint32_t i = 0; i < p->nservices; i++)
        if (p->services[i]->module == m->name && !p->services[i]->start_type)
            service_sigs(ck, p->services[i]);
}

/* ================================================================ bodies */

static void check_actor(ty_checker_t *ck, ty_actor_t *a)
{
    ty_fnctx_t fc;
    ty_fnctx_enter(ck, &fc, ty_fresh(ck), false);
    fc.is_actor = true;
    fc.msg = a->msg;
    fc.actor = a;
    fc.closure_depth = 0;
    ty_scope_push(ck);
    ty_t *fty = ty_resolve(a->type);
    a->nparams = a->ast->params.len;
    a->params = ARENA_ARRAY(ck->a, ty_binding_t *, a->nparams + 1);
    for (uint32_t i = 0; i < a->nparams; i++) {
        ty_check_pat(ck, a->ast->params.items[i].pat, fty->args[i]);
        ast_pat_t *pp = a->ast->params.items[i].pat;
        a->params[i] = pp->kind == AST_PAT_IDENT ? pp->sem : NULL;
    }
    ck->discard = true; /* an actor body's value is ignored */
    ty_t *body = ty_infer_block(ck, a->ast->body);
    if (a->ast->terminate)
        ty_infer_block(ck, a->ast->terminate);
    ty_scope_pop(ck);
    ty_fnctx_leave(ck, body);
}

static void check_handler(ty_checker_t *ck, ty_service_t *s, ty_handler_t *h)
{
    ty_t *fty = ty_resolve(h->type);
    ty_fnctx_t fc;
    ty_t *want = h->is_call ? ty_tuple(ck, (ty_t *[]){s->state, fty->ret}, 2) : s->state;
    ty_fnctx_enter(ck, &fc, want, true);
    fc.closure_depth = 0;
    fc.msg = NULL;
    ty_scope_push(ck);
    uint32_t n = h->ast->params.len;
    h->params = ARENA_ARRAY(ck->a, ty_binding_t *, n + 1);
    for (uint32_t i = 0; i < n; i++) {
        ast_pat_t *pp = h->ast->params.items[i].pat;
        ty_check_pat(ck, pp, fty->args[i + 1]);
        h->params[i] = pp->kind == AST_PAT_IDENT ? pp->sem : NULL;
    }
    if (h->ast->state_name)
        h->state = ty_bind(ck, h->ast->state_name, h->ast->state_span, s->state);
    ty_t *body = ty_infer_block(ck, h->ast->body);
    if (ty_resolve(body)->kind != TY_NEVER)
        ty_expect(ck, want, body, h->ast->body->span);
    ty_scope_pop(ck);
    ty_fnctx_leave(ck, body);
}

static bool sup_ident(ast_sup_value_t *v, const char *const *names, int n, int *out)
{
    for (int i = 0; i < n; i++) {
        if (v->ident && !strcmp(v->ident, names[i])) {
            *out = i;
            return true;
        }
    }
    return false;
}

static void check_child(ty_checker_t *ck, ast_child_t *c, ty_child_t *tc)
{
    static const char *const restarts[] = {"permanent", "transient", "temporary"};
    tc->name = c->name;
    tc->start = c->start;
    tc->shutdown_ms = 5000;
    if (c->start) {
        ty_t *t = ty_resolve(ty_infer_expr(ck, c->start));
        bool ok = t->kind == TY_FUN && t->nargs == 0;
        if (ok) {
            ty_t *r = ty_resolve(t->ret);
            if (r->kind == TY_VAR)
                ty_expect(ck, ty_con0(ck, TY_B_PID), r, c->start->span);
            ok = ty_is_con(ty_resolve(t->ret), TY_B_PID);
        }
        if (!ok) {
            /* The headline is the catalogue's, `unknown` included (10.4). */
            ty_error(ck, c->start->span, "E0018",
                     "child `%s` start function must return Pid, found `unknown`", c->name);
            ty_note(ck, "the start value has type `%s`; expected `Fun() -> Pid` (D80)",
                    ty_str(ck, t));
        }
    }
    int r = 0;
    if (c->restart.present && !sup_ident(&c->restart, restarts, 3, &r)) {
        ty_error(ck, c->restart.span, "E0020", "invalid restart type `%s` for child `%s`",
                 c->restart.ident ? c->restart.ident : "?", c->name);
        ty_message(ck,
                   "invalid restart type `%s` for child `%s`, expected permanent, transient, or "
                   "temporary",
                   c->restart.ident ? c->restart.ident : "?", c->name);
    }
    tc->restart = (ty_restart_t)r;
    if (c->shutdown.present) {
        bool ok = c->shutdown.is_int ? c->shutdown.int_value > 0
                                     : c->shutdown.ident && !strcmp(c->shutdown.ident, "brutal_kill");
        if (!ok) {
            const char *v = c->shutdown.is_int ? ty_fmt(ck, "%lld", (long long)c->shutdown.int_value)
                                               : c->shutdown.ident;
            ty_error(ck, c->shutdown.span, "E0021", "invalid shutdown value `%s` for child `%s`", v,
                     c->name);
            ty_message(ck,
                       "invalid shutdown value `%s` for child `%s`, expected a positive integer or "
                       "brutal_kill",
                       v, c->name);
        }
        tc->shutdown_ms = c->shutdown.is_int ? c->shutdown.int_value : -1;
    }
}

static void check_supervisor(ty_checker_t *ck, ty_supervisor_t *s)
{
    static const char *const strategies[] = {"one_for_one", "one_for_all", "rest_for_one",
                                             "simple_one_for_one"};
    ast_supervisor_t *as = s->ast;
    int st = 0;
    if (as->strategy.present && !sup_ident(&as->strategy, strategies, 4, &st)) {
        const char *v = as->strategy.ident ? as->strategy.ident : "?";
        ty_error(ck, as->strategy.span, "E0019", "unknown supervision strategy `%s`", v);
        ty_message(ck,
                   "unknown supervision strategy `%s`, expected one_for_one, one_for_all, "
                   "rest_for_one, or simple_one_for_one",
                   v);
    }
    s->strategy = (ty_strategy_t)st;
    s->max_restarts = as->max_restarts.present ? as->max_restarts.int_value : 3;
    s->max_seconds = as->max_seconds.present ? as->max_seconds.int_value : 5;
    s->nchildren = as->children.len;
    s->children = ARENA_ARRAY(ck->a, ty_child_t, s->nchildren ? s->nchildren : 1);
    for (uint32_t i = 0; i < s->nchildren; i++) {
        ast_child_t *c = &as->children.items[i];
        for (uint32_t k = 0; k < i; k++) {
            if (as->children.items[k].name == c->name) {
                /* Message kept verbatim from v5.0 (D82). */
                ty_error(ck, c->name_span, "E0019",
                         "unknown supervision strategy `duplicate child name `%s``", c->name);
                break;
            }
        }
        check_child(ck, c, &s->children[i]);
    }
}

void ty_check_concurrency(ty_checker_t *ck, ty_modenv_t *m)
{
    ty_program_t *p = ck->prog;
    for (uint32_t i = 0; i < p->nservices; i++) {
        ty_service_t *s = p->services[i];
        if (s->module != m->name)
            continue;
        if (s->init)
            ty_check_fn_group(ck, s->init);
        for (uint32_t h = 0; h < s->nhandlers; h++)
            check_handler(ck, s, &s->handlers[h]);
    }
    for (uint32_t i = 0; i < p->nactors; i++)
        if (p->actors[i]->module == m->name)
            check_actor(ck, p->actors[i]);
    for (uint32_t i = 0; i < p->nsupervisors; i++)
        if (p->supervisors[i]->module == m->name)
            check_supervisor(ck, p->supervisors[i]);
}
