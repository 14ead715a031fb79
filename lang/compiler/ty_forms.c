/* ty_forms.c: struct literals and the actor special forms (language.md 4.2,
 * 5.10; D23, D139, D140).
 *
 * A struct literal must name every field exactly once (E0009); its type
 * arguments are fresh per literal. spawn/send/link/monitor/self follow
 * 5.10: spawn needs a function returning a Pid (E0016 for a non-function),
 * send checks the message against a typed Pid's M (E0014) and accepts
 * anything through an untyped Pid or a (name, node) tuple, self() and
 * receive need an actor body (E0015, E0017).
 */
#include <string.h>

#include "lang/compiler/ty_check.h"

/* ========================================================= struct literal */

static ty_decl_t *struct_decl(ty_checker_t *ck, ast_expr_t *q)
{
    ty_tent_t *te = NULL;
    if (q->kind == AST_EXPR_IDENT) {
        te = ty_type_lookup(ck, ck->mod, q->name);
    } else if (q->kind == AST_EXPR_FIELD) {
        ty_modenv_t *m = ty_module_of_path(ck, q->lhs);
        te = m ? ty_map_get(&m->types, q->name) : NULL;
    }
    if (te && te->kind == TY_TNS_ALIAS) {
        ast_type_t *at = te->alias->def->aliased;
        ty_t *t = ty_resolve(ty_from_ast(ck, at));
        return t->kind == TY_CON && t->decl->kind == TY_DECL_STRUCT ? t->decl : NULL;
    }
    return te && te->kind == TY_TNS_DECL && te->decl->kind == TY_DECL_STRUCT ? te->decl : NULL;
}

ty_t *ty_infer_struct_lit(ty_checker_t *ck, ast_expr_t *e)
{
    ty_decl_t *d = struct_decl(ck, e->lhs);
    if (!d) {
        sym_t nm = e->lhs->kind == AST_EXPR_IDENT || e->lhs->kind == AST_EXPR_FIELD ? e->lhs->name
                                                                                     : "?";
        ty_error(ck, e->lhs->span, "E0004", "undefined type: %s", nm);
        ty_label(ck, "not a struct in this scope");
        for (uint32_t i = 0; i < e->fields.len; i++)
            ty_infer_expr(ck, e->fields.items[i].value);
        return ty_fresh(ck);
    }
    ty_ref_t *r = ty_ref_new(ck, TY_REF_STRUCT_LIT);
    r->decl = d;
    ty_t **fresh = ARENA_ARRAY(ck->a, ty_t *, d->nparams ? d->nparams : 1);
    for (uint32_t i = 0; i < d->nparams; i++)
        fresh[i] = ty_fresh(ck);
    r->inst = fresh;
    r->ninst = d->nparams;
    e->sem = r;
    ty_t *t = ty_con(ck->a, d, fresh, d->nparams);
    bool *seen = ARENA_ARRAY(ck->a, bool, d->nfields ? d->nfields : 1);
    for (uint32_t i = 0; i < e->fields.len; i++) {
        ast_field_init_t *fi = &e->fields.items[i];
        ty_t *vt = ty_infer_expr(ck, fi->value);
        int idx = ty_field_index(d, fi->name);
        if (idx < 0 || seen[idx]) {
            ty_error(ck, fi->name_span, "E0009", "unknown field %s in struct %s", fi->name,
                     d->name);
            ty_message(ck, "unknown field `%s` in struct `%s`", fi->name, d->name);
            continue;
        }
        seen[idx] = true;
        ty_expect(ck, ty_field_type(ck->a, t, &d->fields[idx]), vt, fi->value->span);
    }
    for (uint32_t i = 0; i < d->nfields; i++) {
        if (!seen[i]) {
            ty_error(ck, e->span, "E0009", "missing field %s in struct %s", d->fields[i].name,
                     d->name);
            ty_message(ck, "missing field `%s` in struct `%s`", d->fields[i].name, d->name);
        }
    }
    return t;
}

/* ============================================================ actor forms */

/* spawn(f, args...) and Node.spawn(node, f, args...) (5.10, D140). */
static ty_t *spawn_core(ty_checker_t *ck, ast_expr_t *site, ast_expr_t **args, uint32_t n,
                        bool set_sem)
{
    if (n == 0) {
        ty_error(ck, site->span, "E0003", "expected 1 argument(s), found 0");
        return ty_con0(ck, TY_B_PID);
    }
    ast_expr_t *f = args[0];
    ty_t *ft = ty_infer_expr(ck, f);
    if (f->sem && set_sem)
        site->sem = f->sem;
    ty_t *r = ty_resolve(ft);
    if (r->kind != TY_FUN && r->kind != TY_VAR) {
        ty_error(ck, f->span, "E0016", "cannot spawn non-function: found %s", ty_str(ck, r));
        ty_message(ck, "cannot spawn non-function: found `%s`", ty_str(ck, r));
        for (uint32_t i = 1; i < n; i++)
            ty_infer_expr(ck, args[i]);
        return ty_con0(ck, TY_B_PID);
    }
    ty_t *ret = ty_apply(ck, ft, args + 1, n - 1, NULL, site->span);
    ty_t *pid = ty_con1(ck, TY_B_PID, ty_fresh(ck));
    ty_t *rr = ty_resolve(ret);
    if (rr->kind == TY_NEVER)
        return pid;
    if (ty_is_con(rr, TY_B_PID))
        return rr;
    ty_expect(ck, pid, ret, f->span);
    return pid;
}

static ty_t *infer_spawn(ty_checker_t *ck, ast_expr_t *e)
{
    return spawn_core(ck, e, e->elems.items, e->elems.len, true);
}

ty_t *ty_node_spawn(ty_checker_t *ck, ast_expr_t *site, ast_expr_t **args, uint32_t n)
{
    if (n < 2) {
        ty_error(ck, site->span, "E0003", "expected 2 argument(s), found %u", n);
        for (uint32_t i = 0; i < n; i++)
            ty_infer_expr(ck, args[i]);
        return ty_con0(ck, TY_B_PID);
    }
    ty_expect(ck, ty_prim(ck, TY_STRING), ty_infer_expr(ck, args[0]), args[0]->span);
    return spawn_core(ck, site, args + 1, n - 1, false);
}

static ty_t *infer_send(ty_checker_t *ck, ast_expr_t *e)
{
    if (e->elems.len != 2) {
        ty_error(ck, e->span, "E0003", "expected 2 argument(s), found %u", e->elems.len);
        for (uint32_t i = 0; i < e->elems.len; i++)
            ty_infer_expr(ck, e->elems.items[i]);
        return ty_prim(ck, TY_UNIT);
    }
    ty_t *p = ty_resolve(ty_infer_expr(ck, e->elems.items[0]));
    ty_t *m = ty_infer_expr(ck, e->elems.items[1]);
    if (p->kind == TY_TUPLE)
        return ty_prim(ck, TY_UNIT); /* (name, node): unchecked (D139) */
    if (p->kind == TY_VAR) {
        ty_expect(ck, ty_con1(ck, TY_B_PID, ty_fresh(ck)), p, e->elems.items[0]->span);
        p = ty_resolve(p);
    }
    if (!ty_is_con(p, TY_B_PID)) {
        ty_expect(ck, ty_con0(ck, TY_B_PID), p, e->elems.items[0]->span);
        return ty_prim(ck, TY_UNIT);
    }
    if (p->nargs == 1) {
        bool occurs = false;
        if (!ty_unify_(ck, p->args[0], m, &occurs)) {
            const char *ms = ty_str(ck, p->args[0]);
            ty_error(ck, e->elems.items[1]->span, "E0014",
                     "message type mismatch: expected %s, found %s", ms, ty_str(ck, m));
            ty_help(ck, "this Pid accepts messages of type %s", ms);
        }
    }
    return ty_prim(ck, TY_UNIT);
}

ty_t *ty_infer_actor_form(ty_checker_t *ck, ast_expr_t *e)
{
    switch (e->kind) {
    case AST_EXPR_SPAWN:
        return infer_spawn(ck, e);
    case AST_EXPR_SEND:
        return infer_send(ck, e);
    case AST_EXPR_LINK:
    case AST_EXPR_MONITOR:
        for (uint32_t i = 0; i < e->elems.len; i++) {
            ty_t *t = ty_infer_expr(ck, e->elems.items[i]);
            if (i == 0)
                ty_expect(ck, ty_con0(ck, TY_B_PID), t, e->elems.items[i]->span);
        }
        if (e->elems.len != 1)
            ty_error(ck, e->span, "E0003", "expected 1 argument(s), found %u", e->elems.len);
        return e->kind == AST_EXPR_LINK ? ty_prim(ck, TY_UNIT) : ty_prim(ck, TY_INT);
    case AST_EXPR_SELF:
        if (!ck->fn || !ck->fn->msg) {
            ty_error(ck, e->span, "E0015", "self() used outside actor block");
            return ty_con0(ck, TY_B_PID);
        }
        return ty_con1(ck, TY_B_PID, ck->fn->msg);
    default:
        return ty_fresh(ck);
    }
}
