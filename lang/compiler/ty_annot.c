/* ty_annot.c: resolving written types (annotations, field types, aliases).
 *
 * Every annotation is resolved fully (D12): `xs :: List<Int>` is List<Int>.
 * Names are looked up in this order: the type parameters in scope
 * (ck->tparams), `Self` inside impls and interfaces, the primitive names,
 * then the module's types (own and imported) and the built-in types. A
 * qualified name `Geo.Point` goes through the module qualifier `Geo`.
 * Aliases are transparent (4.4) and are expanded here.
 */
#include <string.h>

#include "lang/compiler/ty_check.h"

static ty_t *resolve_alias(ty_checker_t *ck, ty_alias_t *al, ty_t **args, uint32_t nargs,
                           span_t span)
{
    ast_typedef_t *def = al->def;
    if (al->resolving) {
        ty_error(ck, span, "E0004", "type alias `%s` refers to itself", def->name);
        return ty_fresh(ck);
    }
    ty_map_t params = {0};
    for (uint32_t i = 0; i < def->generics.len; i++)
        ty_map_put(ck->a, &params, def->generics.items[i], i < nargs ? args[i] : ty_fresh(ck));
    ty_map_t *saved = ck->tparams;
    ck->tparams = &params;
    al->resolving = true;
    ty_t *t = ty_from_ast(ck, def->aliased);
    al->resolving = false;
    ck->tparams = saved;
    return t;
}

static ty_t *apply_decl(ty_checker_t *ck, ty_decl_t *d, ty_t **args, uint32_t nargs, span_t span)
{
    if (d->builtin == TY_B_PID)
        return ty_con(ck->a, d, args, nargs > 1 ? 1 : nargs);
    if (d->builtin == TY_B_SET)
        return ty_con(ck->a, d, NULL, 0);
    if (nargs == d->nparams)
        return ty_con(ck->a, d, args, nargs);
    if (nargs != 0) {
        ty_error(ck, span, "E0003", "expected %u argument(s), found %u", d->nparams, nargs);
        ty_help(ck, "type `%s` takes %u type argument(s)", d->name, d->nparams);
    }
    ty_t **fresh = ARENA_ARRAY(ck->a, ty_t *, d->nparams ? d->nparams : 1);
    for (uint32_t i = 0; i < d->nparams; i++)
        fresh[i] = ty_fresh(ck);
    return ty_con(ck->a, d, fresh, d->nparams);
}

static ty_t *prim_named(ty_checker_t *ck, sym_t name)
{
    if (name == ck->s.Int)
        return ty_prim(ck, TY_INT);
    if (name == ck->s.Float)
        return ty_prim(ck, TY_FLOAT);
    if (name == ck->s.Bool)
        return ty_prim(ck, TY_BOOL);
    if (name == ck->s.String)
        return ty_prim(ck, TY_STRING);
    return NULL;
}

static ty_t *named(ty_checker_t *ck, ast_type_t *t)
{
    ast_names_t *parts = &t->path.parts;
    sym_t last = parts->items[parts->len - 1];
    ty_t *args[16];
    uint32_t nargs = t->args.len < 16 ? t->args.len : 16;
    for (uint32_t i = 0; i < nargs; i++)
        args[i] = ty_from_ast(ck, t->args.items[i]);

    ty_tent_t *te = NULL;
    if (parts->len == 1) {
        ty_t *p = ck->tparams ? ty_map_get(ck->tparams, last) : NULL;
        if (p)
            return p;
        if (last == ck->s.Self && ck->self_type)
            return ck->self_type;
        if ((p = prim_named(ck, last)))
            return p;
        te = ty_type_lookup(ck, ck->mod, last);
    } else {
        ty_modenv_t *m = ck->mod ? ty_map_get(&ck->mod->qualifiers, parts->items[0]) : NULL;
        if (!m) {
            /* A fully qualified module path: Geo.Shapes.Point. */
            char buf[256];
            size_t n = 0;
            for (uint32_t i = 0; i + 1 < parts->len && n < 200; i++) {
                size_t l = strlen(parts->items[i]);
                if (i)
                    buf[n++] = '.';
                memcpy(buf + n, parts->items[i], l);
                n += l;
            }
            m = ty_map_get(&ck->mod_by_name, intern(ck->in, buf, n));
        }
        if (m)
            te = ty_map_get(&m->types, last);
        else if (parts->len == 2)
            te = ty_type_lookup(ck, NULL, last); /* JSON.Json-style: stdlib qualifier */
    }
    if (!te) {
        ty_error(ck, t->span, "E0004", "undefined type: %s", last);
        ty_label(ck, "not found in this scope");
        return ty_fresh(ck);
    }
    switch (te->kind) {
    case TY_TNS_DECL:
        return apply_decl(ck, te->decl, args, nargs, t->span);
    case TY_TNS_ALIAS:
        return resolve_alias(ck, te->alias, args, nargs, t->span);
    case TY_TNS_TRAIT:
        break;
    }
    ty_error(ck, t->span, "E0004", "`%s` is an interface, not a type", last);
    return ty_fresh(ck);
}

ty_t *ty_from_ast(ty_checker_t *ck, ast_type_t *t)
{
    ty_t *elems[32];
    uint32_t n;
    switch (t->kind) {
    case AST_TYPE_NAME:
        return named(ck, t);
    case AST_TYPE_TUPLE:
        n = t->args.len < 32 ? t->args.len : 32;
        for (uint32_t i = 0; i < n; i++)
            elems[i] = ty_from_ast(ck, t->args.items[i]);
        return ty_tuple(ck, elems, n);
    case AST_TYPE_FUN:
        n = t->args.len < 32 ? t->args.len : 32;
        for (uint32_t i = 0; i < n; i++)
            elems[i] = ty_from_ast(ck, t->args.items[i]);
        return ty_fun(ck, elems, n, ty_from_ast(ck, t->inner));
    case AST_TYPE_OPTION:
        return ty_con1(ck, TY_B_OPTION, ty_from_ast(ck, t->inner));
    case AST_TYPE_RESULT:
        return ty_con2(ck, TY_B_RESULT, ty_from_ast(ck, t->inner), ty_from_ast(ck, t->err));
    }
    return ty_fresh(ck);
}
