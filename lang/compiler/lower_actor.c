/* lower_actor.c: actors, spawn/send/receive, services, supervisors, and
 * the Process/Timer/Job functions (language.md 4.7-4.9, 5.10, 8; stdlib
 * 18-23; issue 7).
 *
 * Everything lowers to calls of snow.h's "Processes" section:
 * - an actor is a function `snow_actor_<Mod>_<name>(params)` whose self
 *   tail calls are its loop (4.7); `spawn(a, args)` passes the runtime a
 *   closure that captures args and calls it, and the runtime copies that
 *   closure into the new process (so arguments are deep-copied, 8.1);
 * - `receive` asks the runtime for the oldest message (or notification,
 *   when an arm has a SystemMsg pattern, D63) and matches the arms like
 *   `case`, panicking `non-exhaustive match` when none fits (D61, D62);
 * - a service becomes one dispatch closure `Fun(op, state, args)` whose
 *   branches are the handlers, so the runtime needs no per-service C
 *   descriptor; `S.start` runs init in the caller (D74);
 * - a supervisor start builds a List of (name, start, restart, shutdown)
 *   tuples at run time from the checked declaration (D79-D83).
 * A program that lowers any of this sets ir_program_t.uses_procs, and its
 * main then runs on the scheduler. */
#include "lang/compiler/lower_int.h"
#include "lang/compiler/park.h"

#include <string.h>

static void uses_procs(lower_t *lw) { lw->p->uses_procs = true; }

static ir_expr_t *is_ptr_of(lower_t *lw, ty_t *t)
{
    return ir_bool(lw->a, t && lw_rep(t) == IR_REP_PTR);
}

/* The runtime call name(args...) with result rep, hoisted. */
static ir_expr_t *rt(lower_t *lw, const char *name, ir_rep_t rep, ir_expr_t **args, uint32_t n,
                     uint32_t line)
{
    uses_procs(lw);
    return lw_hoist(lw, ir_rt(lw->a, name, rep, args, n), line);
}

/* The type argument of a Pid<T>, List<T> ... (NULL when there is none). */
static ty_t *arg0(lower_t *lw, ty_t *t)
{
    t = t ? ty_resolve(lw_ty(lw, t)) : NULL;
    return t && t->kind == TY_CON && t->nargs > 0 ? ty_resolve(t->args[0]) : NULL;
}

/* `timeout < 0 ? 0 : timeout`: an `after` or await_timeout never waits
 * forever on a negative value (D72: ms <= 0 checks once). */
static ir_expr_t *non_negative(lower_t *lw, ir_expr_t *ms)
{
    ir_expr_t *c = ARENA_NEW(lw->a, ir_expr_t);
    c->kind = IR_E_COND;
    c->rep = IR_REP_INT;
    c->a = ir_bin(lw->a, IR_OP_LT, IR_REP_INT, ms, ir_int(lw->a, 0));
    c->b = ir_int(lw->a, 0);
    c->c = ms;
    return c;
}

/* {====== Functions made for actors and services */

static const char *c_part(lower_t *lw, const char *s) { return lw_c_ident(lw, s ? s : "Main"); }

/* The function made for the actor or service `name` of `module` (kind
 * "actor" or "service"), queued with work w on first use. */
static uint32_t made_func(lower_t *lw, const char *kind, const char *module, const char *name,
                          ir_rep_t ret, lw_work_t w)
{
    const char *mod = module ? module : "Main";
    const char *key = lw_fmt(lw, "%s|%s.%s", kind, mod, name);
    int64_t found = lw_find_func(lw, key);
    if (found >= 0)
        return (uint32_t)found;
    ir_func_t *f = ir_func_new(
        lw->a, lw_fmt(lw, "snow_%s_%s_%s", kind, c_part(lw, module), c_part(lw, name)), ret);
    f->is_closure = w.service != NULL;
    f->snow_name = lw_fmt(lw, "%s.%s (%s)", mod, name, kind);
    return lw_queue_func(lw, f, key, w);
}

/* The function of actor a's body. */
static uint32_t actor_func(lower_t *lw, ty_actor_t *a)
{
    return made_func(lw, "actor", a->module, a->name, IR_REP_UNIT, (lw_work_t){.actor = a});
}

/* The dispatch closure code of service s: (op, state, args) -> word. */
static uint32_t service_func(lower_t *lw, ty_service_t *s)
{
    return made_func(lw, "service", s->module, s->name, IR_REP_WORD, (lw_work_t){.service = s});
}

static void begin_fn(lower_t *lw, lw_fn_t *fx, ir_func_t *f)
{
    memset(fx, 0, sizeof *fx);
    fx->tag_src = -1;
    fx->f = f;
    fx->cur = &f->body;
    lw->fx = fx;
}

static void lower_actor_body(lower_t *lw, ty_actor_t *a, ir_func_t *f)
{
    lw_fn_t fx;
    begin_fn(lw, &fx, f);
    fx.self_actor = a;
    span_t span = a->ast->name_span;
    f->file = span.file;
    f->line = lw_line(lw, span);
    ty_t *fty = ty_resolve(lw_ty(lw, a->type));
    uint32_t n = fty->kind == TY_FUN ? fty->nargs : 0;
    for (uint32_t i = 0; i < n; i++) {
        ty_binding_t *b = i < a->nparams ? a->params[i] : NULL;
        uint32_t local = ir_local(lw->a, f, b ? c_part(lw, b->name) : "p", lw_rep(fty->args[i]));
        if (b)
            lw_bind(lw, b, local);
    }
    f->nparams = n;
    if (a->ast->terminate) {
        /* Registered at the top of each turn of the state loop, so the
         * clause sees the current state (8.4). */
        ty_t *ret = a->ast->terminate->ty ? a->ast->terminate->ty : lw_prim(lw, TY_UNIT);
        ir_expr_t *clo = lw_block_closure(lw, a->ast->terminate, ret, a->ast->terminate->span);
        (void)rt(lw, "snow_proc_on_terminate", IR_REP_UNIT, &clo, 1, f->line);
    }
    lower_tail_block(lw, a->ast->body, span);
    lw->fx = NULL;
}

/* The arguments of handler h (locals of the dispatcher) from the args word:
 * none, the value itself, or the fields of a tuple. */
static void bind_handler_args(lower_t *lw, ty_handler_t *h, ir_expr_t *args, uint32_t line)
{
    uint32_t n = h->ast->params.len;
    for (uint32_t i = 0; i < n; i++) {
        ty_binding_t *b = h->params ? h->params[i] : NULL;
        if (!b)
            continue;
        ir_rep_t rep = lw_rep(lw_ty(lw, b->type));
        ir_expr_t *v = n == 1 ? ir_from_word(lw->a, args, rep)
                              : ir_field(lw->a, ir_from_word(lw->a, args, IR_REP_PTR), i, rep);
        uint32_t local = lw_temp(lw, rep);
        if (rep != IR_REP_UNIT)
            lw_assign(lw, local, v, line);
        lw_bind(lw, b, local);
    }
}

static void lower_service_dispatch(lower_t *lw, ty_service_t *s, ir_func_t *f)
{
    lw_fn_t fx;
    begin_fn(lw, &fx, f);
    span_t span = s->ast->name_span;
    f->file = span.file;
    f->line = lw_line(lw, span);
    uint32_t op = ir_local(lw->a, f, "op", IR_REP_INT);
    uint32_t state = ir_local(lw->a, f, "state", IR_REP_WORD);
    uint32_t args = ir_local(lw->a, f, "args", IR_REP_WORD);
    f->nparams = 3;
    ir_rep_t srep = s->state ? lw_rep(lw_ty(lw, s->state)) : IR_REP_UNIT;
    for (uint32_t i = 0; i < s->nhandlers; i++) {
        ty_handler_t *h = &s->handlers[i];
        uint32_t line = lw_line(lw, h->ast->name_span);
        ir_stmt_t *br = ir_stmt(lw->a, IR_S_IF, line);
        br->e = ir_bin(lw->a, IR_OP_EQ, IR_REP_INT, lw_local(lw, op), ir_int(lw->a, i));
        LW_IN_BLOCK(lw, &br->then, {
            if (h->state) {
                uint32_t st = lw_temp(lw, srep);
                if (srep != IR_REP_UNIT)
                    lw_assign(lw, st, ir_from_word(lw->a, lw_local(lw, state), srep), line);
                lw_bind(lw, h->state, st);
            }
            bind_handler_args(lw, h, lw_local(lw, args), line);
            lower_tail_block(lw, h->ast->body, h->ast->name_span);
        });
        lw_push(lw, br);
    }
    lw_panic(lw, "service: unknown request", f->line);
    lw->fx = NULL;
}

void lower_actor_work(lower_t *lw, lw_work_t *w)
{
    ir_func_t *f = lw->p->funcs[w->func];
    if (w->actor)
        lower_actor_body(lw, w->actor, f);
    else
        lower_service_dispatch(lw, w->service, f);
}

/* }====== */

/* {====== spawn, send, link, monitor, self */

/* The closure code that calls funcs[func] with its captures and returns
 * (): one per spawned function, shared by its spawn sites. */
static uint32_t spawn_code(lower_t *lw, uint32_t func, const ir_expr_t *const *vals, uint32_t n)
{
    const char *key = lw_fmt(lw, "spawn|%u", func);
    int64_t found = lw_find_func(lw, key);
    if (found >= 0)
        return (uint32_t)found;
    ir_func_t *callee = lw->p->funcs[func];
    ir_func_t *code = ir_func_new(lw->a, lw_fmt(lw, "snow_spawn_%s", callee->c_name + 5),
                                  IR_REP_UNIT);
    code->is_closure = true;
    code->file = callee->file;
    code->line = callee->line;
    code->snow_name = lw_fmt(lw, "spawn of %s", callee->snow_name ? callee->snow_name : "?");
    code->capture_locals = ARENA_ARRAY(lw->a, uint32_t, n ? n : 1);
    ir_expr_t *call = ARENA_NEW(lw->a, ir_expr_t);
    call->kind = IR_E_CALL;
    call->rep = callee->ret;
    call->index = func;
    call->nargs = n;
    call->args = ARENA_ARRAY(lw->a, ir_expr_t *, n ? n : 1);
    for (uint32_t i = 0; i < n; i++) {
        ir_rep_t rep = i < callee->nparams ? callee->locals[i].rep : vals[i]->rep;
        code->capture_locals[i] = ir_local(lw->a, code, "a", rep);
        call->args[i] = ir_local_ref(lw->a, code, code->capture_locals[i]);
    }
    code->ncaptures = n;
    ir_stmt_t *st = ir_stmt(lw->a, IR_S_EXPR, code->line);
    st->e = call;
    ir_push(lw->a, &code->body, st);
    ir_stmt_t *ret = ir_stmt(lw->a, IR_S_RETURN, code->line);
    ret->e = ir_unit(lw->a);
    ir_push(lw->a, &code->body, ret);
    return lw_add_func(lw, code, key);
}

/* A closure that calls funcs[func](vals...) and returns (): what a spawn
 * hands the runtime. vals are captured, so the runtime's copy of the
 * closure carries copies of the arguments. */
static ir_expr_t *calling_closure(lower_t *lw, uint32_t func, ir_expr_t **vals, uint32_t n,
                                  uint32_t line, uint32_t *code_out)
{
    uint32_t ci = spawn_code(lw, func, (const ir_expr_t *const *)vals, n);
    if (code_out)
        *code_out = ci;
    const ir_func_t *code = lw->p->funcs[ci];
    ir_stmt_t *clo = ir_stmt(lw->a, IR_S_CLOSURE, line);
    clo->index = ci;
    clo->nargs = n;
    clo->args = ARENA_ARRAY(lw->a, ir_expr_t *, n ? n : 1);
    for (uint32_t i = 0; i < n; i++) {
        ir_rep_t rep = code->locals[code->capture_locals[i]].rep;
        clo->args[i] = rep == IR_REP_UNIT ? ir_unit(lw->a) : lw_coerce(lw, vals[i], rep);
        if (rep == IR_REP_PTR)
            clo->ptrmask |= (i + 1 < 63) ? (UINT64_C(1) << (i + 1)) : (UINT64_C(1) << 63);
    }
    clo->local = lw_temp(lw, IR_REP_PTR);
    lw_push(lw, clo);
    return lw_local(lw, clo->local);
}

static ir_expr_t *sup_start(lower_t *lw, ty_supervisor_t *s, uint32_t line);

static ir_expr_t *lower_spawn(lower_t *lw, ast_expr_t *e, uint32_t line)
{
    if (e->elems.len == 0)
        return ir_int(lw->a, 0);
    ast_expr_t *target = e->elems.items[0];
    ty_ref_t *ref = target->sem;
    uint32_t n = e->elems.len - 1;
    ir_expr_t **vals = ARENA_ARRAY(lw->a, ir_expr_t *, n ? n : 1);
    for (uint32_t i = 0; i < n; i++)
        vals[i] = lower_expr(lw, e->elems.items[i + 1]);
    ir_expr_t *clo = NULL;
    uint32_t code = UINT32_MAX; /* the closure's function when known here */
    if (ref && ref->kind == TY_REF_ACTOR) {
        clo = calling_closure(lw, actor_func(lw, ref->actor), vals, n, line, &code);
    } else if (ref && ref->kind == TY_REF_FN && ref->fn) {
        uint32_t inst = lw_instance_for(lw, ref->fn, ty_resolve(lw_ty(lw, target->ty)));
        clo = calling_closure(lw, inst, vals, n, line, &code);
    } else if (ref && ref->kind == TY_REF_SUPERVISOR) {
        return sup_start(lw, ref->supervisor, line);
    } else if (n == 0) {
        clo = lower_expr(lw, target); /* a Fun() -> Pid value */
    } else {
        lw_unsupported(lw, e->span, "spawn of a function value with arguments");
        return ir_int(lw->a, 0);
    }
    ir_expr_t *call = ir_rt(lw->a, "snow_proc_spawn", IR_REP_INT, &clo, 1);
    if (code != UINT32_MAX)
        park_mark_spawn(call, code); /* park.c may make it a shared spawn */
    uses_procs(lw);
    return lw_hoist(lw, call, line);
}

ir_expr_t *lower_actor_form(lower_t *lw, ast_expr_t *e)
{
    uint32_t line = lw_line(lw, e->span);
    switch (e->kind) {
    case AST_EXPR_SPAWN:
        return lower_spawn(lw, e, line);
    case AST_EXPR_SELF:
        return rt(lw, "snow_proc_self", IR_REP_INT, NULL, 0, line);
    case AST_EXPR_SEND: {
        if (e->elems.len != 2)
            return ir_unit(lw->a);
        ast_expr_t *to = e->elems.items[0], *msg = e->elems.items[1];
        if (ty_resolve(lw_ty(lw, to->ty))->kind == TY_TUPLE) {
            lw_unsupported(lw, e->span, "sending to a name on another node (distribution)");
            return ir_unit(lw->a);
        }
        ir_expr_t *args[3] = {lower_expr(lw, to), NULL, is_ptr_of(lw, lw_ty(lw, msg->ty))};
        args[1] = ir_to_word(lw->a, lower_expr(lw, msg));
        return rt(lw, "snow_proc_send", IR_REP_UNIT, args, 3, line);
    }
    case AST_EXPR_LINK:
    case AST_EXPR_MONITOR: {
        if (e->elems.len != 1)
            return ir_unit(lw->a);
        ir_expr_t *pid = lower_expr(lw, e->elems.items[0]);
        if (e->kind == AST_EXPR_LINK)
            return rt(lw, "snow_proc_link", IR_REP_UNIT, &pid, 1, line);
        return rt(lw, "snow_process_monitor", IR_REP_INT, &pid, 1, line);
    }
    default:
        lw_unsupported(lw, e->span, "this process form");
        return ir_unit(lw->a);
    }
}

/* }====== */

/* {====== receive */

static bool is_system_arm(lower_t *lw, const ast_arm_t *arm)
{
    return arm->pat->ty && lw_is_builtin(lw_ty(lw, arm->pat->ty), TY_B_SYSTEMMSG);
}

ir_expr_t *lower_receive(lower_t *lw, ast_expr_t *e, bool tail)
{
    uint32_t line = lw_line(lw, e->span);
    uint32_t n = e->arms.len;
    ast_arm_t **user = ARENA_ARRAY(lw->a, ast_arm_t *, n ? n : 1);
    ast_arm_t **sys = ARENA_ARRAY(lw->a, ast_arm_t *, n ? n : 1);
    uint32_t nuser = 0, nsys = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (is_system_arm(lw, &e->arms.items[i]))
            sys[nsys++] = &e->arms.items[i];
        else
            user[nuser++] = &e->arms.items[i];
    }
    ir_rep_t rep = lw_rep(lw_ty(lw, e->ty));
    uint32_t res = (!tail && rep != IR_REP_UNIT) ? lw_temp(lw, rep) : 0;
    ir_expr_t *timeout = e->after_timeout ? non_negative(lw, lower_expr(lw, e->after_timeout))
                                          : ir_int(lw->a, -1);
    ir_expr_t *args[2] = {timeout, ir_bool(lw->a, nsys > 0)};
    ir_expr_t *kind = rt(lw, "snow_proc_receive", IR_REP_INT, args, 2, line);
    ir_block_t *saved_done;
    ir_stmt_t *done = lw_block_begin(lw, &saved_done);
    if (e->after_timeout) {
        ir_stmt_t *br = ir_stmt(lw->a, IR_S_IF, line);
        br->e = ir_bin(lw->a, IR_OP_EQ, IR_REP_INT, kind, ir_int(lw->a, 0));
        LW_IN_BLOCK(lw, &br->then, {
            if (tail) {
                if (e->after_body)
                    lower_tail(lw, e->after_body);
            } else {
                ir_expr_t *v = e->after_body ? lower_expr(lw, e->after_body) : ir_unit(lw->a);
                if (rep != IR_REP_UNIT && v->rep != IR_REP_UNIT)
                    lw_assign(lw, res, lw_coerce(lw, v, rep), line);
                lw_exit(lw, done->label, line);
            }
        });
        lw_push(lw, br);
    }
    ir_expr_t *v = rt(lw, "snow_proc_received", IR_REP_WORD, NULL, 0, line);
    if (nsys > 0) {
        ir_stmt_t *br = ir_stmt(lw->a, IR_S_IF, line);
        br->e = ir_bin(lw->a, IR_OP_EQ, IR_REP_INT, kind, ir_int(lw->a, 2));
        LW_IN_BLOCK(lw, &br->then, {
            uint32_t sv = lw_temp(lw, IR_REP_PTR);
            lw_assign(lw, sv, ir_from_word(lw->a, v, IR_REP_PTR), line);
            lw_match_arms(lw, sys, nsys, lw_local(lw, sv), lw_ty(lw, sys[0]->pat->ty), res, rep,
                          tail, line);
            if (!tail)
                lw_exit(lw, done->label, line);
        });
        lw_push(lw, br);
    }
    if (nuser > 0) {
        ty_t *mt = lw_ty(lw, user[0]->pat->ty);
        ir_rep_t mrep = lw_rep(mt);
        uint32_t uv = lw_temp(lw, mrep);
        if (mrep != IR_REP_UNIT)
            lw_assign(lw, uv, ir_from_word(lw->a, v, mrep), line);
        lw_match_arms(lw, user, nuser, mrep == IR_REP_UNIT ? ir_unit(lw->a) : lw_local(lw, uv), mt,
                      res, rep, tail, line);
    } else {
        lw_panic(lw, "non-exhaustive match", line);
    }
    lw_block_end(lw, done, saved_done);
    return (!tail && rep != IR_REP_UNIT) ? lw_local(lw, res) : ir_unit(lw->a);
}

/* }====== */

/* {====== Services and supervisors */

/* The argument word of a request: nothing, the value, or a tuple. */
static ir_expr_t *pack(lower_t *lw, ir_expr_t **vals, uint32_t n, bool *is_ptr, uint32_t line)
{
    if (n == 0) {
        *is_ptr = false;
        return ir_int(lw->a, 0);
    }
    if (n == 1) {
        *is_ptr = vals[0]->rep == IR_REP_PTR;
        return ir_to_word(lw->a, vals[0]);
    }
    *is_ptr = true;
    return ir_to_word(lw->a, lw_new_record(lw, 0, vals, n, line));
}

static ir_expr_t *service_call(lower_t *lw, ast_expr_t *call, ty_service_t *s, sym_t method,
                               ir_expr_t **vals, uint32_t n, uint32_t line)
{
    if (strcmp(method, "start") == 0) {
        ir_expr_t *state = ir_unit(lw->a);
        if (s->init)
            state = lw_call_fn(lw, lw_instance(lw, s->init, NULL, 0), vals, n, line);
        uint32_t fi = service_func(lw, s);
        ir_stmt_t *clo = ir_stmt(lw->a, IR_S_CLOSURE, line);
        clo->index = fi;
        clo->args = ARENA_ARRAY(lw->a, ir_expr_t *, 1);
        clo->local = lw_temp(lw, IR_REP_PTR);
        lw_push(lw, clo);
        ir_expr_t *args[3] = {lw_local(lw, clo->local), ir_to_word(lw->a, state),
                              ir_bool(lw->a, state->rep == IR_REP_PTR)};
        return rt(lw, "snow_service_start", IR_REP_INT, args, 3, line);
    }
    for (uint32_t i = 0; i < s->nhandlers; i++) {
        ty_handler_t *h = &s->handlers[i];
        if (h->fn_name != method && strcmp(h->fn_name, method) != 0)
            continue;
        if (n == 0)
            break;
        /* Each argument in its declared representation, as the dispatcher
         * reads it. */
        ir_expr_t **hv = ARENA_ARRAY(lw->a, ir_expr_t *, n);
        for (uint32_t k = 1; k < n; k++) {
            ty_binding_t *b = h->params ? h->params[k - 1] : NULL;
            hv[k - 1] = b ? lw_coerce(lw, vals[k], lw_rep(lw_ty(lw, b->type))) : vals[k];
        }
        bool is_ptr = false;
        ir_expr_t *w = pack(lw, hv, n - 1, &is_ptr, line);
        ir_expr_t *args[4] = {vals[0], ir_int(lw->a, i), w, ir_bool(lw->a, is_ptr)};
        if (!h->is_call)
            return rt(lw, "snow_service_cast", IR_REP_UNIT, args, 4, line);
        ir_expr_t *reply = rt(lw, "snow_service_call", IR_REP_WORD, args, 4, line);
        return ir_from_word(lw->a, reply, lw_rep(lw_ty(lw, call->ty)));
    }
    lw_unsupported(lw, call->span, lw_fmt(lw, "service function `%s`", method));
    return ir_unit(lw->a);
}

/* spawn(Sup) / Sup(): the children as (name, start, restart, shutdown). */
static ir_expr_t *sup_start(lower_t *lw, ty_supervisor_t *s, uint32_t line)
{
    ty_t *tuple = lw_prim(lw, TY_TUPLE);
    tuple->nargs = 4;
    tuple->args = ARENA_ARRAY(lw->a, ty_t *, 4);
    tuple->args[0] = lw_prim(lw, TY_STRING);
    tuple->args[1] = lw_fun_type(lw, NULL, 0, lw_prim(lw, TY_INT));
    tuple->args[2] = lw_prim(lw, TY_INT);
    tuple->args[3] = lw_prim(lw, TY_INT);
    ir_expr_t *xs = lw_hoist(lw, ir_rt1(lw->a, "snow_list_new", IR_REP_PTR, lw_type_expr(lw, tuple)),
                             line);
    for (uint32_t i = 0; i < s->nchildren; i++) {
        ty_child_t *c = &s->children[i];
        ir_expr_t *f[4] = {
            lw_string(lw, c->name, (uint32_t)strlen(c->name)),
            lower_expr(lw, c->start),
            ir_int(lw->a, (int64_t)c->restart),
            ir_int(lw->a, c->shutdown_ms < 0 ? 0 : c->shutdown_ms),
        };
        ir_expr_t *t = lw_new_record(lw, 0, f, 4, line);
        xs = lw_hoist(lw, ir_rt2(lw->a, "snow_list_append", IR_REP_PTR, xs, ir_to_word(lw->a, t)),
                      line);
    }
    ir_expr_t *args[5] = {
        lw_string(lw, s->name, (uint32_t)strlen(s->name)), ir_int(lw->a, (int64_t)s->strategy),
        ir_int(lw->a, s->max_restarts), ir_int(lw->a, s->max_seconds), xs};
    return rt(lw, "snow_sup_start", IR_REP_INT, args, 5, line);
}

ir_expr_t *lower_actor_call(lower_t *lw, ast_expr_t *call, ty_ref_t *ref, ir_expr_t **vals,
                            ty_t **tys, uint32_t n)
{
    (void)tys;
    uint32_t line = lw_line(lw, call->span);
    switch (ref->kind) {
    case TY_REF_ACTOR:
        /* Running an actor's body in the current process (not its own
         * loop): the value is the current process's pid. */
        (void)lw_call_fn(lw, actor_func(lw, ref->actor), vals, n, line);
        return rt(lw, "snow_proc_self", IR_REP_INT, NULL, 0, line);
    case TY_REF_SERVICE:
        return service_call(lw, call, ref->service, ref->method, vals, n, line);
    case TY_REF_SUPERVISOR:
        return sup_start(lw, ref->supervisor, line);
    default:
        lw_unsupported(lw, call->span, "this call");
        return ir_unit(lw->a);
    }
}

/* }====== */

/* {====== Process, Timer, Job */

ir_expr_t *lower_proc_std(lower_t *lw, const ty_builtin_fn_t *fn, ir_expr_t **args, ty_t **tys,
                          uint32_t n, ty_t *ret, uint32_t line)
{
    const char *m = fn->module;
    if (!m || (strcmp(m, "Process") != 0 && strcmp(m, "Timer") != 0 && strcmp(m, "Job") != 0))
        return NULL;
    uses_procs(lw);
    const char *name = fn->name;
    if (strcmp(m, "Timer") == 0 && strcmp(name, "send_after") == 0 && n == 3) {
        ir_expr_t *xs[4] = {args[0], args[1], ir_to_word(lw->a, args[2]),
                            is_ptr_of(lw, lw_ty(lw, tys[2]))};
        return rt(lw, "snow_timer_send_after", IR_REP_UNIT, xs, 4, line);
    }
    if (strcmp(m, "Job") != 0)
        return NULL; /* the generic call: snow_process_* / snow_timer_sleep */
    if (strcmp(name, "async") == 0 && n == 1) {
        ir_expr_t *xs[2] = {args[0], is_ptr_of(lw, arg0(lw, ret))};
        return rt(lw, "snow_job_async", IR_REP_INT, xs, 2, line);
    }
    if ((strcmp(name, "await") == 0 && n == 1) || (strcmp(name, "await_timeout") == 0 && n == 2)) {
        ir_expr_t *ms = n == 2 ? non_negative(lw, args[1]) : ir_int(lw->a, -1);
        ir_expr_t *xs[3] = {args[0], ms, is_ptr_of(lw, arg0(lw, tys[0]))};
        return rt(lw, "snow_job_await", IR_REP_PTR, xs, 3, line);
    }
    if (strcmp(name, "map") == 0 && n == 2) {
        ty_t *result = arg0(lw, ret); /* Result<B, String> */
        ty_t *b = result ? arg0(lw, result) : NULL;
        ir_expr_t *xs[5] = {args[0], args[1], is_ptr_of(lw, arg0(lw, tys[0])), is_ptr_of(lw, b),
                            lw_type_expr(lw, result ? result : ty_resolve(lw_ty(lw, ret)))};
        return rt(lw, "snow_job_map", IR_REP_PTR, xs, 5, line);
    }
    return NULL;
}

/* }====== */
