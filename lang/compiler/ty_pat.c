/* ty_pat.c: pattern typing and guard rules (language.md 3.6, 4.1.3).
 *
 * A bare identifier pattern is a constructor only when it names a nullary
 * variant in scope (D19); otherwise it binds a fresh variable. Or-pattern
 * alternatives must bind the same names (E0011); each name is bound once,
 * in the first alternative, and the later alternatives' bindings are unified
 * with it so the lowering sees one variable.
 */
#include <string.h>

#include "lang/compiler/ty_check.h"

static void check_ctor_args(ty_checker_t *ck, ast_pat_t *p, ty_variant_t *v, ty_t *t)
{
    ty_decl_t *d = v->decl;
    ty_t **fresh = ARENA_ARRAY(ck->a, ty_t *, d->nparams ? d->nparams : 1);
    for (uint32_t i = 0; i < d->nparams; i++)
        fresh[i] = ty_fresh(ck);
    ty_t *con = ty_con(ck->a, d, fresh, d->nparams);
    ty_expect(ck, t, con, p->span);
    p->sem = v;
    if (p->elems.len != v->nfields) {
        ty_error(ck, p->span, "E0003", "expected %u argument(s), found %u", v->nfields,
                 p->elems.len);
        ty_message(ck, "arity mismatch: expected %u arguments, found %u", v->nfields,
                   p->elems.len);
        ty_help(ck, p->elems.len < v->nfields ? "missing argument(s)" : "extra argument(s)");
    }
    for (uint32_t i = 0; i < p->elems.len; i++) {
        ty_t *ft = i < v->nfields ? ty_subst(ck->a, v->fields[i].type, d->params, fresh, d->nparams)
                                  : ty_fresh(ck);
        ty_check_pat(ck, p->elems.items[i], ft);
    }
}

static void report_variant(ty_checker_t *ck, ast_pat_t *p)
{
    ty_error(ck, p->name_span, "E0010", "unknown variant: %s", p->name);
    ty_message(ck, "unknown variant `%s`", p->name);
    sym_t s = ty_suggest(ck, p->name);
    if (s)
        ty_help(ck, "did you mean `%s`?", s);
    for (uint32_t i = 0; i < p->elems.len; i++)
        ty_check_pat(ck, p->elems.items[i], ty_fresh(ck));
}

/* The variant a CTOR pattern names: Circle, Shape.Circle, Geo.Shape.Circle. */
static ty_variant_t *ctor_variant(ty_checker_t *ck, ast_pat_t *p)
{
    if (p->qualifier.parts.len == 0)
        return ty_variant_lookup(ck, p->name);
    ast_names_t *q = &p->qualifier.parts;
    sym_t tname = q->items[q->len - 1];
    ty_tent_t *te = NULL;
    if (q->len == 1) {
        te = ty_type_lookup(ck, ck->mod, tname);
    } else if (ck->mod) {
        ty_modenv_t *m = ty_map_get(&ck->mod->qualifiers, q->items[q->len - 2]);
        te = m ? ty_map_get(&m->types, tname) : NULL;
    }
    if (!te || te->kind != TY_TNS_DECL || te->decl->kind != TY_DECL_SUM)
        return NULL;
    for (uint32_t i = 0; i < te->decl->nvariants; i++)
        if (te->decl->variants[i].name == p->name)
            return &te->decl->variants[i];
    return NULL;
}

static void names_str(char *buf, size_t cap, ty_binding_t **b, uint32_t n)
{
    buf[0] = 0;
    for (uint32_t j = 0; j < n; j++) {
        strncat(buf, j ? ", " : "", cap - strlen(buf) - 1);
        strncat(buf, b[j]->name, cap - strlen(buf) - 1);
    }
}

/* Checks every alternative; the bindings of alternative a are the scope
 * entries added while checking it. */
static void check_or(ty_checker_t *ck, ast_pat_t *p, ty_t *t)
{
    if (!ck->scope) {
        for (uint32_t i = 0; i < p->elems.len; i++)
            ty_check_pat(ck, p->elems.items[i], t);
        return;
    }
    uint32_t first_start = ck->scope->len;
    ty_check_pat(ck, p->elems.items[0], t);
    uint32_t nf = ck->scope->len - first_start;
    ty_binding_t **first = ARENA_ARRAY(ck->a, ty_binding_t *, nf ? nf : 1);
    if (nf)
        memcpy(first, ck->scope->items + first_start, nf * sizeof *first);
    for (uint32_t a = 1; a < p->elems.len; a++) {
        uint32_t start = ck->scope->len;
        ty_binding_t **saved = ck->or_bind;
        uint32_t saved_n = ck->nor_bind;
        ck->or_bind = first;
        ck->nor_bind = nf;
        ty_check_pat(ck, p->elems.items[a], t);
        ck->or_bind = saved;
        ck->nor_bind = saved_n;
        ty_binding_t **alt = ck->scope->items + start;
        uint32_t cnt = ck->scope->len - start;
        bool same = cnt == nf;
        for (uint32_t j = 0; same && j < cnt; j++) {
            bool found = false;
            for (uint32_t m = 0; m < nf && !found; m++) {
                if (first[m]->name == alt[j]->name)
                    found = true;
            }
            same = found;
        }
        if (!same) {
            char fa[256], oa[256];
            names_str(fa, sizeof fa, first, nf);
            names_str(oa, sizeof oa, alt, cnt);
            ty_error(ck, p->elems.items[a]->span, "E0011",
                     "or-pattern alternatives bind different variables: [%s] vs [%s]", fa, oa);
            ty_message(ck, "or-pattern binding mismatch: expected [%s], found [%s]", fa, oa);
        }
        /* Later alternatives' bindings are the first's (ty_bind): drop the copies. */
        ck->scope->len = start;
    }
}

void ty_check_pat(ty_checker_t *ck, ast_pat_t *p, ty_t *t)
{
    p->ty = t;
    switch (p->kind) {
    case AST_PAT_WILD:
        return;
    case AST_PAT_INT:
        ty_expect(ck, t, ty_prim(ck, TY_INT), p->span);
        return;
    case AST_PAT_FLOAT:
        ty_expect(ck, t, ty_prim(ck, TY_FLOAT), p->span);
        return;
    case AST_PAT_BOOL:
        ty_expect(ck, t, ty_prim(ck, TY_BOOL), p->span);
        return;
    case AST_PAT_NIL:
        ty_expect(ck, t, ty_prim(ck, TY_UNIT), p->span);
        return;
    case AST_PAT_STRING:
        ty_expect(ck, t, ty_prim(ck, TY_STRING), p->span);
        return;
    case AST_PAT_IDENT: {
        ty_variant_t *v = ty_variant_lookup(ck, p->name);
        if (v && v->nfields == 0) {
            check_ctor_args(ck, p, v, t);
            return;
        }
        p->sem = ty_bind(ck, p->name, p->span, t);
        return;
    }
    case AST_PAT_CTOR: {
        ty_variant_t *v = ctor_variant(ck, p);
        if (!v) {
            report_variant(ck, p);
            return;
        }
        check_ctor_args(ck, p, v, t);
        return;
    }
    case AST_PAT_TUPLE: {
        uint32_t n = p->elems.len;
        ty_t **ts = ARENA_ARRAY(ck->a, ty_t *, n ? n : 1);
        for (uint32_t i = 0; i < n; i++)
            ts[i] = ty_fresh(ck);
        ty_expect(ck, t, ty_tuple(ck, ts, n), p->span);
        for (uint32_t i = 0; i < n; i++)
            ty_check_pat(ck, p->elems.items[i], ts[i]);
        return;
    }
    case AST_PAT_OR:
        check_or(ck, p, t);
        return;
    case AST_PAT_CONS: {
        ty_t *elem = ty_fresh(ck);
        ty_t *list = ty_con1(ck, TY_B_LIST, elem);
        ty_expect(ck, t, list, p->span);
        ty_check_pat(ck, p->head, elem);
        ty_check_pat(ck, p->tail, list);
        return;
    }
    case AST_PAT_AS:
        ty_check_pat(ck, p->head, t);
        p->sem = ty_bind(ck, p->name, p->name_span, t);
        return;
    }
}

/* ================================================================ guards */

/* case-arm guards accept only simple forms (4.1.3, E0013, D18). */
static bool guard_ok(ty_checker_t *ck, ast_expr_t *g)
{
    static const char *const opname[] = {"+", "-", "*", "/", "%"};
    switch (g->kind) {
    case AST_EXPR_INT:
    case AST_EXPR_FLOAT:
    case AST_EXPR_BOOL:
    case AST_EXPR_NIL:
    case AST_EXPR_STRING:
    case AST_EXPR_IDENT:
        return true;
    case AST_EXPR_UNARY:
        if (g->unop == AST_UN_NEG && (g->lhs->kind == AST_EXPR_INT || g->lhs->kind == AST_EXPR_FLOAT))
            return true;
        if (g->unop != AST_UN_NOT) {
            ty_error(ck, g->span, "E0013", "invalid guard: operator `-` not allowed in guard");
            return false;
        }
        return guard_ok(ck, g->lhs);
    case AST_EXPR_BINARY:
        if (g->binop >= AST_BIN_ADD && g->binop <= AST_BIN_REM) {
            ty_error(ck, g->span, "E0013", "invalid guard: operator `%s` not allowed in guard",
                     opname[g->binop - AST_BIN_ADD]);
            ty_message(ck, "invalid guard expression: operator `%s` not allowed in guard",
                       opname[g->binop - AST_BIN_ADD]);
            return false;
        }
        if (g->binop >= AST_BIN_EQ && g->binop <= AST_BIN_OR)
            return guard_ok(ck, g->lhs) && guard_ok(ck, g->rhs);
        break;
    case AST_EXPR_CALL:
        if (g->lhs->kind != AST_EXPR_IDENT) {
            ty_error(ck, g->span, "E0013", "invalid guard: only named function calls allowed in guard");
            ty_message(ck, "invalid guard expression: only named function calls allowed in guard");
            return false;
        }
        for (uint32_t i = 0; i < g->elems.len; i++)
            if (!guard_ok(ck, g->elems.items[i]))
                return false;
        return true;
    case AST_EXPR_BLOCK:
        if (g->then_block && g->then_block->len == 1 &&
            g->then_block->items[0]->kind == AST_STMT_EXPR)
            return guard_ok(ck, g->then_block->items[0]->expr);
        break;
    default:
        break;
    }
    ty_error(ck, g->span, "E0013", "invalid guard: expression not allowed in guard");
    ty_message(ck, "invalid guard expression: expression not allowed in guard");
    return false;
}

void ty_check_guard(ty_checker_t *ck, ast_expr_t *g, bool restricted)
{
    if (restricted && !guard_ok(ck, g))
        return;
    ty_t *t = ty_infer_expr(ck, g);
    ty_expect(ck, ty_prim(ck, TY_BOOL), t, g->span);
}
