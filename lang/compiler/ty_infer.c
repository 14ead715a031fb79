/* ty_infer.c: inference for expressions, blocks, closures and function
 * bodies (language.md 5.2-5.9).
 *
 * Every ty_infer_* function sets the node's `ty` and returns it. Errors are
 * reported where found and checking continues with a fresh variable, so one
 * mistake gives one diagnostic. Names, calls, fields and actor forms live in
 * ty_call.c; patterns and guards in ty_pat.c.
 *
 * `return e` and `e?` are recorded in the enclosing ty_fnctx_t and checked
 * when the function's result type R is known (D17): if R is () (or the body
 * is an actor's) anything goes; otherwise return values must have type R and
 * `?` needs R to be a Result with the same error type, or an Option.
 */
#include <string.h>

#include "lang/compiler/ty_check.h"

/* The result of two branches: Never yields to the other side (5.7). */
static ty_t *join(ty_checker_t *ck, ty_t *acc, ty_t *t, span_t span)
{
    if (!acc || ty_resolve(acc)->kind == TY_NEVER)
        return t;
    if (ty_resolve(t)->kind == TY_NEVER)
        return acc;
    ty_expect(ck, acc, t, span);
    return acc;
}

static span_t block_tail_span(ast_block_t *b)
{
    if (b->len == 0)
        return b->span;
    ast_stmt_t *s = b->items[b->len - 1];
    return s->kind == AST_STMT_EXPR && s->expr ? s->expr->span : s->span;
}

/* =========================================================== functions */

void ty_fnctx_enter(ty_checker_t *ck, ty_fnctx_t *fc, ty_t *ret, bool annotated)
{
    ty_fnctx_t *parent = ck->fn;
    memset(fc, 0, sizeof *fc);
    fc->parent = parent;
    fc->ret = ret;
    fc->ret_annotated = annotated;
    if (parent) {
        fc->msg = parent->msg;
        fc->actor = parent->actor;
        fc->closure_depth = parent->closure_depth + 1;
    }
    ck->fn = fc;
}

static void check_try_exit(ty_checker_t *ck, ty_t *r, ty_exit_t *x)
{
    if (r->kind == TY_VAR) {
        ty_t *want = x->try_option ? ty_con1(ck, TY_B_OPTION, ty_fresh(ck))
                                   : ty_con2(ck, TY_B_RESULT, ty_fresh(ck), x->type);
        ty_expect(ck, r, want, x->span);
        return;
    }
    if (!x->try_option && ty_is_con(r, TY_B_RESULT)) {
        ty_expect(ck, r->args[1], x->type, x->span);
        return;
    }
    if (x->try_option && ty_is_con(r, TY_B_OPTION))
        return;
    ty_error(ck, x->span, "E0036", "`?` operator requires function to return `Result` or `Option`");
    ty_message(ck, "`?` operator requires function to return `Result` or `Option`, found `%s`",
                  ty_str(ck, r));
    ty_note(ck, "the enclosing function returns `%s`", ty_str(ck, r));
}

void ty_fnctx_leave(ty_checker_t *ck, ty_t *body_ty)
{
    ty_fnctx_t *fc = ck->fn;
    ty_t *r = ty_resolve(fc->ret);
    if (r->kind == TY_NEVER || (r->kind == TY_VAR && ty_resolve(body_ty)->kind == TY_NEVER)) {
        /* The body always exits early: R is the type of the first return. */
        for (uint32_t i = 0; i < fc->nexits; i++) {
            if (!fc->exits[i].is_try) {
                ty_expect(ck, fc->ret, fc->exits[i].type, fc->exits[i].span);
                break;
            }
        }
        r = ty_resolve(fc->ret);
    }
    bool lax = fc->is_actor || r->kind == TY_UNIT;
    for (uint32_t i = 0; i < fc->nexits && !lax; i++) {
        ty_exit_t *x = &fc->exits[i];
        if (x->is_try)
            check_try_exit(ck, ty_resolve(fc->ret), x);
        else
            ty_expect(ck, fc->ret, x->type, x->span);
    }
    ck->fn = fc->parent;
}

static void add_exit(ty_checker_t *ck, ty_exit_t x)
{
    ty_fnctx_t *fc = ck->fn;
    if (!fc)
        return;
    if (fc->nexits == fc->cap_exits) {
        uint32_t cap = fc->cap_exits ? fc->cap_exits * 2 : 4;
        ty_exit_t *n = ARENA_ARRAY(ck->a, ty_exit_t, cap);
        if (fc->nexits)
            memcpy(n, fc->exits, fc->nexits * sizeof *n);
        fc->exits = n;
        fc->cap_exits = cap;
    }
    fc->exits[fc->nexits++] = x;
}

/* ============================================================ literals */

static ty_t *infer_string(ty_checker_t *ck, ast_expr_t *e)
{
    for (uint32_t i = 0; i < e->parts.len; i++) {
        ast_expr_t *x = e->parts.items[i].expr;
        if (!x)
            continue;
        ty_t *t = ty_infer_expr(ck, x);
        ty_require(ck, t, TY_TR_PRINTABLE, NULL, x->span);
    }
    return ty_prim(ck, TY_STRING);
}

static ty_t *infer_list(ty_checker_t *ck, ast_expr_t *e)
{
    ty_t *elem = ty_fresh(ck);
    for (uint32_t i = 0; i < e->elems.len; i++) {
        ast_expr_t *x = e->elems.items[i];
        ty_expect(ck, elem, ty_infer_expr(ck, x), x->span);
    }
    return ty_con1(ck, TY_B_LIST, elem);
}

static ty_t *infer_map(ty_checker_t *ck, ast_expr_t *e)
{
    ty_t *k = ty_fresh(ck), *v = ty_fresh(ck);
    for (uint32_t i = 0; i < e->elems.len; i++) {
        ty_expect(ck, k, ty_infer_expr(ck, e->elems.items[i]), e->elems.items[i]->span);
        if (i < e->values.len)
            ty_expect(ck, v, ty_infer_expr(ck, e->values.items[i]), e->values.items[i]->span);
    }
    return ty_con2(ck, TY_B_MAP, k, v);
}

static ty_t *infer_tuple(ty_checker_t *ck, ast_expr_t *e)
{
    uint32_t n = e->elems.len;
    ty_t **ts = ARENA_ARRAY(ck->a, ty_t *, n ? n : 1);
    for (uint32_t i = 0; i < n; i++)
        ts[i] = ty_infer_expr(ck, e->elems.items[i]);
    return ty_tuple(ck, ts, n);
}

/* =========================================================== operators */

static const ty_trait_kind_t arith_trait[] = {TY_TR_ADD, TY_TR_SUB, TY_TR_MUL, TY_TR_DIV,
                                              TY_TR_MOD};

static void mark_operator(ty_checker_t *ck, ast_expr_t *e, ty_t *t, ty_trait_kind_t k)
{
    ty_t *r = ty_resolve(t);
    if (r->kind != TY_CON && r->kind != TY_VAR)
        return;
    ty_ref_t *ref = ty_ref_new(ck, TY_REF_OPERATOR);
    ref->trait = ck->btraits[k];
    if (r->kind == TY_CON)
        ref->impl = ty_find_impl(ck->prog, ref->trait, r);
    e->sem = ref;
}

static ty_t *infer_binary(ty_checker_t *ck, ast_expr_t *e)
{
    if (e->binop == AST_BIN_PIPE)
        return ty_infer_pipe(ck, e);
    ty_t *l = ty_infer_expr(ck, e->lhs);
    ty_t *r = ty_infer_expr(ck, e->rhs);
    switch (e->binop) {
    case AST_BIN_ADD:
    case AST_BIN_SUB:
    case AST_BIN_MUL:
    case AST_BIN_DIV:
    case AST_BIN_REM: {
        ty_trait_kind_t k = arith_trait[e->binop - AST_BIN_ADD];
        if (ty_expect(ck, l, r, e->rhs->span))
            ty_require(ck, l, k, NULL, e->span);
        mark_operator(ck, e, l, k);
        return l;
    }
    case AST_BIN_EQ:
    case AST_BIN_NE:
        if (ty_expect(ck, l, r, e->rhs->span))
            ty_require(ck, l, TY_TR_EQ, NULL, e->span);
        mark_operator(ck, e, l, TY_TR_EQ);
        return ty_prim(ck, TY_BOOL);
    case AST_BIN_LT:
    case AST_BIN_GT:
    case AST_BIN_LE:
    case AST_BIN_GE:
        if (ty_expect(ck, l, r, e->rhs->span))
            ty_require(ck, l, TY_TR_ORD, NULL, e->span);
        mark_operator(ck, e, l, TY_TR_ORD);
        return ty_prim(ck, TY_BOOL);
    case AST_BIN_AND:
    case AST_BIN_OR:
        ty_expect(ck, ty_prim(ck, TY_BOOL), l, e->lhs->span);
        ty_expect(ck, ty_prim(ck, TY_BOOL), r, e->rhs->span);
        return ty_prim(ck, TY_BOOL);
    case AST_BIN_CONCAT:
    case AST_BIN_PLUSPLUS:
        ty_expect(ck, l, r, e->rhs->span);
        return l;
    case AST_BIN_RANGE:
        ty_expect(ck, ty_prim(ck, TY_INT), l, e->lhs->span);
        ty_expect(ck, ty_prim(ck, TY_INT), r, e->rhs->span);
        return ty_con0(ck, TY_B_RANGE);
    case AST_BIN_PIPE:
        break;
    }
    return ty_fresh(ck);
}

static ty_t *infer_unary(ty_checker_t *ck, ast_expr_t *e)
{
    ty_t *t = ty_infer_expr(ck, e->lhs);
    if (e->unop == AST_UN_NOT) {
        ty_t *r = ty_resolve(t);
        if (r->kind == TY_CON && r->decl->builtin == TY_B_NONE) {
            /* `not` on a user type dispatches to its Not impl (5.4). */
            ty_require(ck, r, TY_TR_NOT, NULL, e->span);
            mark_operator(ck, e, r, TY_TR_NOT);
            return ty_prim(ck, TY_BOOL);
        }
        ty_expect(ck, ty_prim(ck, TY_BOOL), t, e->lhs->span);
        return ty_prim(ck, TY_BOOL);
    }
    return t;
}

/* ======================================================== control flow */

/* Branches (receive/case arms, if/else) in an actor body whose value is
 * discarded (ck->discard: a statement that is not a block's value, or the
 * value of the actor body itself): the actor's loop ends each branch with
 * a call (its own name, or a helper that calls it) or an effect, so
 * branches of different types make the expression `()` instead of an error
 * (*mixed set). Wherever the value is used, branches must agree (5.7). */
static ty_t *join_arm(ty_checker_t *ck, ty_t *acc, ty_t *t, span_t span, bool discard,
                      bool *mixed)
{
    if (!discard || !ck->fn || !ck->fn->is_actor || ck->fn->closure_depth > 0)
        return join(ck, acc, t, span);
    if (!acc || ty_resolve(acc)->kind == TY_NEVER)
        return t;
    if (ty_resolve(t)->kind == TY_NEVER)
        return acc;
    bool occurs = false;
    if (!ty_unify_(ck, acc, t, &occurs))
        *mixed = true;
    return acc;
}

static ty_t *infer_if(ty_checker_t *ck, ast_expr_t *e, bool discard)
{
    ty_expect(ck, ty_prim(ck, TY_BOOL), ty_infer_expr(ck, e->lhs), e->lhs->span);
    ck->discard = discard;
    ty_t *then_ty = ty_infer_block(ck, e->then_block);
    if (!e->else_block)
        return ty_prim(ck, TY_UNIT); /* D16 */
    ck->discard = discard;
    ty_t *else_ty = ty_infer_block(ck, e->else_block);
    bool mixed = false;
    ty_t *t = join_arm(ck, then_ty, else_ty, block_tail_span(e->else_block), discard, &mixed);
    return mixed ? ty_prim(ck, TY_UNIT) : t;
}

static ty_t *infer_case(ty_checker_t *ck, ast_expr_t *e, bool discard)
{
    ty_t *scrut = ty_infer_expr(ck, e->lhs);
    ty_t *result = NULL;
    uint32_t n = e->arms.len;
    ast_pat_t ***rows = ARENA_ARRAY(ck->a, ast_pat_t **, n ? n : 1);
    bool *guarded = ARENA_ARRAY(ck->a, bool, n ? n : 1);
    span_t *spans = ARENA_ARRAY(ck->a, span_t, n ? n : 1);
    uint32_t errors_before = ck->errors;
    bool mixed = false;
    for (uint32_t i = 0; i < n; i++) {
        ast_arm_t *arm = &e->arms.items[i];
        ty_scope_push(ck);
        ty_check_pat(ck, arm->pat, scrut);
        if (arm->guard)
            ty_check_guard(ck, arm->guard, true);
        ck->discard = discard;
        ty_t *body = ty_infer_expr(ck, arm->body);
        result = join_arm(ck, result, body, arm->body->span, discard, &mixed);
        ty_scope_pop(ck);
        rows[i] = ARENA_ARRAY(ck->a, ast_pat_t *, 1);
        rows[i][0] = arm->pat;
        guarded[i] = arm->guard != NULL;
        spans[i] = arm->pat->span;
    }
    bool exhaustive;
    /* After a pattern error the model of the arms is wrong: say nothing more. */
    if (ck->errors == errors_before)
        ty_exhaust_check(ck, rows, guarded, spans, n, 1, &scrut, e->lhs->span, false, &exhaustive);
    return result && !mixed ? result : ty_prim(ck, TY_UNIT);
}

static ty_t *infer_receive(ty_checker_t *ck, ast_expr_t *e, bool discard)
{
    bool mixed = false;
    if (!ck->fn || !ck->fn->msg) {
        ty_error(ck, e->span, "E0017", "receive used outside actor block");
        ty_help(ck, "move this receive expression into an actor block");
    }
    ty_t *msg = ck->fn && ck->fn->msg ? ck->fn->msg : ty_fresh(ck);
    ty_t *result = NULL;
    for (uint32_t i = 0; i < e->arms.len; i++) {
        ast_arm_t *arm = &e->arms.items[i];
        ty_scope_push(ck);
        ty_t *pt = ty_fresh(ck);
        ty_check_pat(ck, arm->pat, pt);
        /* Arms on SystemMsg take notifications and do not fix M (D63). */
        if (!ty_is_con(ty_resolve(pt), TY_B_SYSTEMMSG))
            ty_expect(ck, msg, pt, arm->pat->span);
        if (arm->guard)
            ty_check_guard(ck, arm->guard, false);
        ck->discard = discard;
        ty_t *body = ty_infer_expr(ck, arm->body);
        result = join_arm(ck, result, body, arm->body->span, discard, &mixed);
        ty_scope_pop(ck);
    }
    if (e->after_timeout) {
        ty_expect(ck, ty_prim(ck, TY_INT), ty_infer_expr(ck, e->after_timeout),
                  e->after_timeout->span);
        if (e->after_body) {
            ck->discard = discard;
            ty_t *body = ty_infer_expr(ck, e->after_body);
            result = join_arm(ck, result, body, e->after_body->span, discard, &mixed);
        }
    }
    if (mixed)
        return ty_prim(ck, TY_UNIT);
    return result ? result : ty_prim(ck, TY_UNIT);
}

static ty_t *infer_while(ty_checker_t *ck, ast_expr_t *e)
{
    ty_expect(ck, ty_prim(ck, TY_BOOL), ty_infer_expr(ck, e->lhs), e->lhs->span);
    if (ck->fn)
        ck->fn->loop_depth++;
    ty_infer_block(ck, e->then_block);
    if (ck->fn)
        ck->fn->loop_depth--;
    return ty_prim(ck, TY_UNIT);
}

/* The element a `for` binds: List<T> -> T, Map<K, V> -> (K, V) for `{k, v}`
 * and K for a single name, Range and Set -> Int (6.8). NULL: not known. */
static ty_t *elem_of(ty_checker_t *ck, ty_t *r, bool map_pair)
{
    if (ty_is_con(r, TY_B_LIST))
        return r->args[0];
    if (ty_is_con(r, TY_B_MAP)) {
        ty_t *kv[2] = {r->args[0], r->args[1]};
        return map_pair ? ty_tuple(ck, kv, 2) : r->args[0];
    }
    if (ty_is_con(r, TY_B_RANGE) || ty_is_con(r, TY_B_SET))
        return ty_prim(ck, TY_INT);
    return NULL;
}

static ty_t *for_elem(ty_checker_t *ck, ty_t *coll, ast_pat_t *pat, span_t span)
{
    bool pair = pat->kind == AST_PAT_TUPLE && pat->elems.len == 2;
    ty_t *r = ty_resolve(coll);
    ty_t *e = elem_of(ck, r, pair);
    if (e)
        return e;
    ty_t *elem = ty_fresh(ck);
    if (r->kind != TY_VAR) {
        ty_expect(ck, ty_con1(ck, TY_B_LIST, elem), coll, span);
        return elem;
    }
    /* An unannotated parameter: decided when the function is checked, or
     * per instantiation if it stays generic (a scheme bound). */
    ty_iter_push(ck, coll, elem, pair, span);
    return elem;
}

void ty_iter_push(ty_checker_t *ck, ty_t *coll, ty_t *elem, bool map_pair, span_t span)
{
    if (ck->niters == ck->cap_iters) {
        uint32_t cap = ck->cap_iters ? ck->cap_iters * 2 : 16;
        ty_iter_t *n = ARENA_ARRAY(ck->a, ty_iter_t, cap);
        if (ck->niters)
            memcpy(n, ck->iters, ck->niters * sizeof *n);
        ck->iters = n;
        ck->cap_iters = cap;
    }
    ck->iters[ck->niters++] = (ty_iter_t){coll, elem, map_pair, NULL, NULL, span};
}

void ty_field_push(ty_checker_t *ck, ty_t *recv, ty_t *field_ty, sym_t field, ast_expr_t *e,
                   span_t span)
{
    ty_iter_push(ck, recv, field_ty, false, span);
    ck->iters[ck->niters - 1].field = field;
    ck->iters[ck->niters - 1].expr = e;
}

/* The component a pseudo field of a deferred Tuple.first/second stands
 * for ("#0", "#1", ty_call.c: not identifiers, so no user field has
 * them), or -1 for a real field. */
static int ty_tuple_component(ty_checker_t *ck, sym_t field)
{
    if (field == intern_cstr(ck->in, "#0"))
        return 0;
    return field == intern_cstr(ck->in, "#1") ? 1 : -1;
}

/* A deferred field access: true when settled (or reported). */
static bool settle_field(ty_checker_t *ck, ty_iter_t *it, bool final)
{
    ty_t *r = ty_resolve(it->coll);
    if (r->kind == TY_VAR && !final)
        return false;
    int comp = ty_tuple_component(ck, it->field);
    if (comp >= 0) {
        /* Tuple.first/second on a receiver typed later (D50). */
        if (r->kind == TY_TUPLE && (uint32_t)comp < r->nargs)
            ty_expect(ck, r->args[comp], it->elem, it->span);
        else if (r->kind != TY_VAR)
            ty_error(ck, it->span, "E0001", "expected a tuple with %d components, found %s",
                     comp + 1, ty_str(ck, r));
        return true;
    }
    int idx = r->kind == TY_CON && r->decl->kind == TY_DECL_STRUCT
                  ? ty_field_index(r->decl, it->field)
                  : -1;
    if (idx < 0) {
        ty_error(ck, it->span, "E0009", "type %s has no field %s", ty_str(ck, r), it->field);
        ty_message(ck, "type `%s` has no field `%s`", ty_str(ck, r), it->field);
        return true;
    }
    ty_expect(ck, ty_field_type(ck->a, r, &r->decl->fields[idx]), it->elem, it->span);
    ty_ref_t *ref = it->expr ? it->expr->sem : NULL;
    if (ref && ref->kind == TY_REF_FIELD && !ref->decl) {
        ref->decl = r->decl;
        ref->field_index = (uint32_t)idx;
    }
    return true;
}

void ty_iters_flush(ty_checker_t *ck, bool final)
{
    uint32_t keep = 0;
    for (uint32_t i = 0; i < ck->niters; i++) {
        ty_iter_t it = ck->iters[i];
        if (it.field) {
            if (!settle_field(ck, &it, final))
                ck->iters[keep++] = it;
            continue;
        }
        ty_t *r = ty_resolve(it.coll);
        ty_t *e = elem_of(ck, r, it.map_pair);
        if (e) {
            ty_expect(ck, e, it.elem, it.span);
        } else if (final || r->kind != TY_VAR) {
            ty_expect(ck, ty_con1(ck, TY_B_LIST, it.elem), it.coll, it.span);
        } else {
            ck->iters[keep++] = it;
        }
    }
    ck->niters = keep;
}

static ty_t *infer_for(ty_checker_t *ck, ast_expr_t *e)
{
    ty_t *elem = for_elem(ck, ty_infer_expr(ck, e->lhs), e->for_pat, e->lhs->span);
    ty_scope_push(ck);
    ty_check_pat(ck, e->for_pat, elem);
    if (e->guard)
        ty_expect(ck, ty_prim(ck, TY_BOOL), ty_infer_expr(ck, e->guard), e->guard->span);
    if (ck->fn)
        ck->fn->loop_depth++;
    ty_t *body = ty_infer_block(ck, e->then_block);
    if (ck->fn)
        ck->fn->loop_depth--;
    ty_scope_pop(ck);
    if (ty_resolve(body)->kind == TY_NEVER)
        body = ty_fresh(ck);
    return ty_con1(ck, TY_B_LIST, body);
}

static ty_t *infer_jump(ty_checker_t *ck, ast_expr_t *e)
{
    if (!ck->fn || ck->fn->loop_depth == 0) {
        if (e->kind == AST_EXPR_BREAK)
            ty_error(ck, e->span, "E0032", "`break` outside of loop");
        else
            ty_error(ck, e->span, "E0033", "`continue` outside of loop");
    }
    return ty_prim(ck, TY_NEVER);
}

static ty_t *infer_return(ty_checker_t *ck, ast_expr_t *e)
{
    ty_t *t = e->lhs ? ty_infer_expr(ck, e->lhs) : ty_prim(ck, TY_UNIT);
    ty_exit_t x = {.is_try = false, .type = t, .span = e->lhs ? e->lhs->span : e->span};
    add_exit(ck, x);
    return ty_prim(ck, TY_NEVER);
}

static ty_t *infer_try(ty_checker_t *ck, ast_expr_t *e)
{
    ty_t *t = ty_resolve(ty_infer_expr(ck, e->lhs));
    ty_exit_t x = {.is_try = true, .span = e->span};
    if (t->kind == TY_VAR) {
        ty_t *ok = ty_fresh(ck), *err = ty_fresh(ck);
        ty_expect(ck, ty_con2(ck, TY_B_RESULT, ok, err), t, e->lhs->span);
        x.type = err;
        add_exit(ck, x);
        return ok;
    }
    if (ty_is_con(t, TY_B_RESULT)) {
        x.type = t->args[1];
        add_exit(ck, x);
        return t->args[0];
    }
    if (ty_is_con(t, TY_B_OPTION)) {
        x.try_option = true;
        add_exit(ck, x);
        return t->args[0];
    }
    ty_error(ck, e->span, "E0037", "`?` requires `Result` or `Option`");
    ty_message(ck, "`?` operator requires `Result` or `Option`, found `%s`", ty_str(ck, t));
    return ty_fresh(ck);
}

/* ============================================================ closures */

static ty_t *infer_closure(ty_checker_t *ck, ast_expr_t *e)
{
    uint32_t arity = e->clauses.len ? e->clauses.items[0].params.len : 0;
    ty_t **params = ARENA_ARRAY(ck->a, ty_t *, arity ? arity : 1);
    for (uint32_t i = 0; i < arity; i++) {
        ast_param_t *p = &e->clauses.items[0].params.items[i];
        params[i] = p->type ? ty_from_ast(ck, p->type) : ty_fresh(ck);
    }
    ty_t *ret = ty_fresh(ck);
    for (uint32_t c = 0; c < e->clauses.len; c++) {
        ast_closure_clause_t *cl = &e->clauses.items[c];
        if (cl->params.len != arity) {
            ty_error(ck, cl->span, "E0003", "expected %u argument(s), found %u", arity,
                     cl->params.len);
            continue;
        }
        ty_fnctx_t fc;
        ty_fnctx_enter(ck, &fc, ret, false);
        ty_scope_push(ck);
        for (uint32_t i = 0; i < arity; i++) {
            ast_param_t *p = &cl->params.items[i];
            if (c > 0 && p->type)
                ty_expect(ck, params[i], ty_from_ast(ck, p->type), p->span);
            ty_check_pat(ck, p->pat, params[i]);
        }
        if (cl->guard)
            ty_check_guard(ck, cl->guard, false);
        ty_t *body = ty_infer_block(ck, cl->body);
        if (ty_resolve(body)->kind != TY_NEVER)
            ty_expect(ck, ret, body, block_tail_span(cl->body));
        ty_scope_pop(ck);
        ty_fnctx_leave(ck, body);
    }
    return ty_fun(ck, params, arity, ret);
}

/* ============================================================== blocks */

static ty_t *infer_let(ty_checker_t *ck, ast_stmt_t *s)
{
    /* Closures and names bound by let are generalised (5.2: `let same = fn
     * v -> v end`; `let g = show_it` keeps show_it's bounds, 5.5). Other
     * values stay monomorphic (a value restriction), so the lowering never
     * specialises a computed local. */
    bool gen = (s->expr->kind == AST_EXPR_CLOSURE || s->expr->kind == AST_EXPR_IDENT) &&
               s->pat->kind == AST_PAT_IDENT && !s->type;
    if (gen)
        ck->level++;
    ty_t *annot = s->type ? ty_from_ast(ck, s->type) : NULL;
    if (annot && ty_resolve(annot)->kind == TY_FUN && s->expr->kind == AST_EXPR_IDENT)
        ck->expect_arity = (int)ty_resolve(annot)->nargs; /* D11 */
    ty_t *t = ty_infer_expr(ck, s->expr);
    ck->expect_arity = -1;
    if (gen)
        ck->level--;
    if (annot)
        ty_expect(ck, annot, t, s->expr->span);
    ty_check_pat(ck, s->pat, t);
    if (gen && s->pat->sem) {
        ty_binding_t *b = s->pat->sem;
        ty_iters_flush(ck, false);
        ty_obligs_flush(ck);
        b->scheme = ty_generalize(ck, t);
    }
    return t;
}

/* A nested `fn` item and the clauses right after it with the same name and
 * arity (4.1.2), checked and generalised like a top-level function. *used
 * is the number of statements consumed. */
static ty_t *infer_nested_fn(ty_checker_t *ck, ast_block_t *blk, uint32_t at, uint32_t *used)
{
    ast_item_t *it = blk->items[at]->item;
    *used = 1;
    if (it->kind != AST_ITEM_FN)
        return ty_prim(ck, TY_UNIT); /* other nested items are ignored (3.2) */
    ty_fn_t *f = ty_fn_new(ck, TY_FN_NESTED, it);
    while (at + *used < blk->len) {
        ast_stmt_t *n = blk->items[at + *used];
        if (n->kind != AST_STMT_ITEM || n->item->kind != AST_ITEM_FN ||
            n->item->u.fn.name != f->name || n->item->u.fn.params.len != f->arity)
            break;
        ty_fn_add_clause(ck, f, n->item);
        (*used)++;
    }
    /* Bind first so the function may call itself. */
    ck->level++;
    ty_t *self_ty = ty_fresh(ck);
    f->scheme = ty_mono(ck, self_ty);
    ty_binding_t *b = ty_bind(ck, f->name, it->u.fn.name_span, self_ty);
    b->nested_fn = f;
    ty_fnctx_t *saved = ck->fn;
    ck->fn = NULL; /* a nested fn is its own function: no loops, no actor */
    ty_check_fn_group(ck, f);
    ck->fn = saved;
    ty_iters_flush(ck, false);
    ck->level--;
    ty_obligs_flush(ck);
    f->scheme = ty_generalize(ck, self_ty);
    b->scheme = f->scheme;
    return self_ty;
}

ty_t *ty_infer_block(ty_checker_t *ck, ast_block_t *b)
{
    bool discard = ck->discard; /* the block's own value is discarded */
    ck->discard = false;
    ty_t *t = ty_prim(ck, TY_UNIT);
    ty_scope_push(ck);
    for (uint32_t i = 0; i < b->len; i++) {
        ast_stmt_t *s = b->items[i];
        switch (s->kind) {
        case AST_STMT_EXPR:
            ck->discard = discard || i + 1 < b->len;
            t = ty_infer_expr(ck, s->expr);
            break;
        case AST_STMT_LET:
            t = infer_let(ck, s);
            break;
        case AST_STMT_ITEM: {
            uint32_t used = 1;
            t = infer_nested_fn(ck, b, i, &used);
            i += used - 1;
            break;
        }
        }
    }
    ty_scope_pop(ck);
    b->ty = t;
    return t;
}

/* ========================================================= expressions */

static ty_t *infer_kind(ty_checker_t *ck, ast_expr_t *e, bool discard)
{
    switch (e->kind) {
    case AST_EXPR_INT: return ty_prim(ck, TY_INT);
    case AST_EXPR_FLOAT: return ty_prim(ck, TY_FLOAT);
    case AST_EXPR_BOOL: return ty_prim(ck, TY_BOOL);
    case AST_EXPR_NIL: return ty_prim(ck, TY_UNIT);
    case AST_EXPR_STRING: return infer_string(ck, e);
    case AST_EXPR_IDENT: return ty_infer_ident(ck, e);
    case AST_EXPR_UNARY: return infer_unary(ck, e);
    case AST_EXPR_BINARY: return infer_binary(ck, e);
    case AST_EXPR_CALL: return ty_infer_call(ck, e);
    case AST_EXPR_FIELD: return ty_infer_field(ck, e);
    case AST_EXPR_TRY: return infer_try(ck, e);
    case AST_EXPR_STRUCT: return ty_infer_struct_lit(ck, e);
    case AST_EXPR_TUPLE: return infer_tuple(ck, e);
    case AST_EXPR_LIST: return infer_list(ck, e);
    case AST_EXPR_MAP: return infer_map(ck, e);
    case AST_EXPR_IF: return infer_if(ck, e, discard);
    case AST_EXPR_CASE: return infer_case(ck, e, discard);
    case AST_EXPR_RECEIVE: return infer_receive(ck, e, discard);
    case AST_EXPR_WHILE: return infer_while(ck, e);
    case AST_EXPR_FOR: return infer_for(ck, e);
    case AST_EXPR_BREAK:
    case AST_EXPR_CONTINUE: return infer_jump(ck, e);
    case AST_EXPR_RETURN: return infer_return(ck, e);
    case AST_EXPR_CLOSURE: return infer_closure(ck, e);
    case AST_EXPR_SPAWN:
    case AST_EXPR_SEND:
    case AST_EXPR_LINK:
    case AST_EXPR_MONITOR:
    case AST_EXPR_SELF: return ty_infer_actor_form(ck, e);
    case AST_EXPR_BLOCK:
        ck->discard = discard;
        return ty_infer_block(ck, e->then_block);
    }
    return ty_fresh(ck);
}

ty_t *ty_infer_expr(ty_checker_t *ck, ast_expr_t *e)
{
    /* Whether this value is discarded applies to e only, not to its parts. */
    bool discard = ck->discard;
    ck->discard = false;
    ty_t *t = infer_kind(ck, e, discard);
    e->ty = t;
    return t;
}
