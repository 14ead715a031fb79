/* ty_modules.c: module graph and imports (language.md 2.2-2.4).
 *
 * Modules are checked in dependency order (imported modules first). A cycle
 * or a self-import is a fatal build problem without a code (10.1), reported
 * like the front end's other fatal problems (F0001, no location). A missing
 * module is E0031; importing a missing name E0034, a private one E0035.
 * `import A.B.C` binds the qualifier `C` (the last segment); `from M import
 * x` copies the public entry x of M (for a sum type: its constructors too)
 * into the importing module's namespace. Standard-library modules need no
 * import; `from String import length` binds the stdlib function.
 */
#include <string.h>

#include "lang/compiler/diag.h"
#include "lang/compiler/ty_check.h"

static sym_t path_name(ty_checker_t *ck, ast_path_t *p)
{
    char buf[512];
    size_t n = 0;
    for (uint32_t i = 0; i < p->parts.len; i++) {
        size_t l = strlen(p->parts.items[i]);
        if (n + l + 2 > sizeof buf)
            break;
        if (i)
            buf[n++] = '.';
        memcpy(buf + n, p->parts.items[i], l);
        n += l;
    }
    return intern(ck->in, buf, n);
}

static bool is_import(ast_stmt_t *s)
{
    return s->kind == AST_STMT_ITEM &&
           (s->item->kind == AST_ITEM_IMPORT || s->item->kind == AST_ITEM_FROM_IMPORT);
}

/* ============================================================== ordering */

static void fatal(ty_checker_t *ck, const char *msg)
{
    span_t none = {DIAG_NO_FILE, 0, 0};
    ck->errors++;
    diag_error(ck->c->diag, none, "F0001", "%s", msg);
}

static bool visit(ty_checker_t *ck, uint32_t i, uint32_t *stack, uint32_t depth, uint32_t *order,
                  uint32_t *n)
{
    ty_modenv_t *m = &ck->mods[i];
    if (m->visit == 2)
        return true;
    if (m->visit == 1) {
        char buf[1024];
        size_t len = (size_t)snprintf(buf, sizeof buf, "Circular dependency: ");
        uint32_t start = 0;
        while (stack[start] != i)
            start++;
        for (uint32_t k = start; k < depth && len < sizeof buf - 64; k++)
            len += (size_t)snprintf(buf + len, sizeof buf - len, "%s -> ", ck->mods[stack[k]].name);
        snprintf(buf + len, sizeof buf - len, "%s", m->name);
        fatal(ck, buf);
        return false;
    }
    m->visit = 1;
    stack[depth] = i;
    for (uint32_t d = 0; d < m->ndeps; d++)
        if (!visit(ck, m->deps[d], stack, depth + 1, order, n))
            return false;
    m->visit = 2;
    order[(*n)++] = i;
    return true;
}

static void find_deps(ty_checker_t *ck, ty_modenv_t *m, bool *ok)
{
    ast_file_t *f = m->cm->ast;
    m->deps = ARENA_ARRAY(ck->a, uint32_t, f->len + 1);
    for (uint32_t i = 0; i < f->len; i++) {
        if (!is_import(f->items[i]))
            continue;
        ast_import_t *im = &f->items[i]->item->u.import;
        sym_t name = path_name(ck, &im->path);
        ty_modenv_t *dep = ty_map_get(&ck->mod_by_name, name);
        if (!dep) {
            if (im->path.parts.len == 1 && ty_is_stdlib_module(ck, name))
                continue;
            ck->mod = m;
            ty_error(ck, im->path.span, "E0031", "module not found");
            ty_message(ck, "module `%s` not found", name);
            ty_label(ck, "module `%s` not found", name);
            continue;
        }
        if (dep == m) {
            char buf[300];
            snprintf(buf, sizeof buf, "Module '%s' cannot import itself", name);
            fatal(ck, buf);
            *ok = false;
            continue;
        }
        m->deps[m->ndeps++] = dep->index;
    }
}

bool ty_modules_order(ty_checker_t *ck, uint32_t **order_out)
{
    bool ok = true;
    for (uint32_t i = 0; i < ck->nmods; i++)
        find_deps(ck, &ck->mods[i], &ok);
    uint32_t *order = ARENA_ARRAY(ck->a, uint32_t, ck->nmods + 1);
    uint32_t *stack = ARENA_ARRAY(ck->a, uint32_t, ck->nmods + 1);
    uint32_t n = 0;
    for (uint32_t i = 0; i < ck->nmods && ok; i++)
        ok = visit(ck, i, stack, 0, order, &n);
    *order_out = order;
    return ok;
}

/* ============================================================== imports */

static void list_exports(ty_modenv_t *src, char *buf, size_t cap)
{
    size_t n = 0;
    buf[0] = 0;
    for (uint32_t i = 0; i < src->values.cap; i++) {
        ty_ent_t *e = src->values.vals[i];
        if (!src->values.keys[i] || !e || e->kind != TY_ENT_FN || !e->fn->is_pub)
            continue;
        n += (size_t)snprintf(buf + n, n < cap ? cap - n : 0, "%s%s", n ? ", " : "",
                              (const char *)src->values.keys[i]);
        if (n >= cap)
            break;
    }
}

static bool import_type(ty_checker_t *ck, ty_modenv_t *m, ty_modenv_t *src, sym_t name,
                        bool *private_)
{
    ty_tent_t *te = ty_map_get(&src->types, name);
    if (!te)
        return false;
    bool pub = te->kind == TY_TNS_DECL    ? te->decl->is_pub
               : te->kind == TY_TNS_TRAIT ? (te->trait->item && te->trait->item->u.iface.is_pub)
                                          : te->alias->def->is_pub;
    if (!pub) {
        *private_ = true;
        return true;
    }
    ty_map_put(ck->a, &m->types, name, te);
    if (te->kind == TY_TNS_DECL && te->decl->kind == TY_DECL_SUM) {
        /* Constructors come with the type (2.3); they are registered when
         * the source module's types are resolved, so copy them now. */
        for (uint32_t v = 0; v < te->decl->nvariants; v++) {
            ty_ent_t *e = ARENA_NEW(ck->a, ty_ent_t);
            e->kind = TY_ENT_CTOR;
            e->variant = &te->decl->variants[v];
            ty_ent_add(ck, m, e->variant->name, e);
        }
    }
    return true;
}

static void import_name(ty_checker_t *ck, ty_modenv_t *m, ty_modenv_t *src, sym_t name,
                        span_t span)
{
    bool private_ = false, found = false;
    for (ty_ent_t *e = ty_ent_lookup(src, name); e; e = e->next) {
        if (e->kind != TY_ENT_FN && e->kind != TY_ENT_SUPERVISOR && e->kind != TY_ENT_CTOR)
            continue;
        found = true;
        bool pub = e->kind == TY_ENT_FN ? e->fn->is_pub
                   : e->kind == TY_ENT_CTOR ? e->variant->decl->is_pub
                                            : src->cm != NULL;
        /* A private name is still bound after E0035 so its uses do not
         * cascade into E0004. */
        private_ |= !pub;
        ty_ent_t *copy = ARENA_NEW(ck->a, ty_ent_t);
        *copy = *e;
        copy->next = NULL;
        ty_ent_add(ck, m, name, copy);
    }
    found |= import_type(ck, m, src, name, &private_);
    if (found && private_) {
        ty_error(ck, span, "E0035", "private item cannot be imported");
        ty_message(ck, "`%s` is private in module `%s`; add `pub` to make it accessible", name,
                   src->name);
        ty_help(ck, "add `pub` to `%s` in module `%s` to make it accessible", name, src->name);
    } else if (!found) {
        char exports[400];
        list_exports(src, exports, sizeof exports);
        ty_error(ck, span, "E0034", "name not found in module");
        ty_message(ck, "`%s` is not exported by module `%s`; available: %s", name, src->name,
                   exports);
        ty_note(ck, "available exports: %s", exports);
    }
}

static void import_stdlib(ty_checker_t *ck, ty_modenv_t *m, sym_t module, ast_names_t *names)
{
    for (uint32_t i = 0; i < names->len; i++) {
        const ty_builtin_fn_t *bf = ty_stdlib_lookup(ck, module, names->items[i]);
        if (!bf) {
            ty_error(ck, names->spans[i], "E0034", "name not found in module");
            ty_message(ck, "`%s` is not exported by module `%s`", names->items[i], module);
            continue;
        }
        ty_ent_t *e = ARENA_NEW(ck->a, ty_ent_t);
        e->kind = TY_ENT_BUILTIN;
        e->builtin = bf;
        ty_ent_add(ck, m, names->items[i], e);
    }
}

void ty_resolve_imports(ty_checker_t *ck, ty_modenv_t *m)
{
    ast_file_t *f = m->cm->ast;
    ck->mod = m;
    for (uint32_t i = 0; i < f->len; i++) {
        if (!is_import(f->items[i]))
            continue;
        ast_item_t *it = f->items[i]->item;
        ast_import_t *im = &it->u.import;
        sym_t name = path_name(ck, &im->path);
        ty_modenv_t *src = ty_map_get(&ck->mod_by_name, name);
        if (!src) {
            if (it->kind == AST_ITEM_FROM_IMPORT && im->path.parts.len == 1 &&
                ty_is_stdlib_module(ck, name))
                import_stdlib(ck, m, name, &im->names);
            continue; /* E0031 was reported while ordering */
        }
        if (src == m)
            continue;
        if (it->kind == AST_ITEM_IMPORT) {
            sym_t q = im->path.parts.items[im->path.parts.len - 1];
            ty_map_put(ck->a, &m->qualifiers, q, src);
            continue;
        }
        for (uint32_t k = 0; k < im->names.len; k++)
            import_name(ck, m, src, im->names.items[k], im->names.spans[k]);
    }
}
