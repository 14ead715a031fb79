/* ty_items.c: a module's top-level items: collection, function grouping and
 * checking in dependency order (language.md 2.6, 2.7, 4.1; D10, D11).
 *
 * Collection registers every item before any body is checked, so all items
 * are in scope in the whole module. Functions (and impl methods) are then
 * checked by strongly connected components of the reference graph, callees
 * first: the members of one component share monomorphic types while their
 * bodies are checked and are generalised together afterwards (D10).
 * Constants, actors, services, supervisors and bare expressions follow;
 * they are monomorphic, so their order does not matter.
 */
#include <string.h>

#include "lang/compiler/ty_check.h"

/* ====================================================== small helpers */

static void push_fn(ty_checker_t *ck, ty_module_t *out, ty_fn_t *f)
{
    if ((out->nfns & (out->nfns - 1)) == 0) {
        uint32_t cap = out->nfns ? out->nfns * 2 : 16;
        ty_fn_t **n = ARENA_ARRAY(ck->a, ty_fn_t *, cap);
        if (out->nfns)
            memcpy(n, out->fns, out->nfns * sizeof *n);
        out->fns = n;
    }
    out->fns[out->nfns++] = f;
}

#define GROW(ck, arr, len, T)                                                                      \
    do {                                                                                           \
        if (((len) & ((len) - 1)) == 0) {                                                          \
            uint32_t cap_ = (len) ? (len) * 2 : 8;                                                 \
            T *n_ = ARENA_ARRAY((ck)->a, T, cap_);                                                 \
            if (len)                                                                               \
                memcpy(n_, (arr), (len) * sizeof(T));                                              \
            (arr) = n_;                                                                            \
        }                                                                                          \
    } while (0)

static ty_ent_t *ent(ty_checker_t *ck, ty_ent_kind_t kind, uint32_t order)
{
    ty_ent_t *e = ARENA_NEW(ck->a, ty_ent_t);
    e->kind = kind;
    e->order = order;
    return e;
}

ty_fn_t *ty_fn_new(ty_checker_t *ck, ty_fn_kind_t kind, ast_item_t *it)
{
    ty_fn_t *f = ARENA_NEW(ck->a, ty_fn_t);
    f->kind = kind;
    f->name = it->u.fn.name;
    f->arity = it->u.fn.params.len;
    f->module = ck->mod ? ck->mod->name : NULL;
    f->is_pub = it->u.fn.is_pub;
    f->clauses = ARENA_ARRAY(ck->a, ast_fn_t *, 1);
    f->items = ARENA_ARRAY(ck->a, ast_item_t *, 1);
    f->clauses[0] = &it->u.fn;
    f->items[0] = it;
    f->nclauses = 1;
    f->id = ++ck->next_fn;
    it->sem = f;
    return f;
}

void ty_fn_add_clause(ty_checker_t *ck, ty_fn_t *f, ast_item_t *it)
{
    GROW(ck, f->clauses, f->nclauses, ast_fn_t *);
    uint32_t n = f->nclauses;
    /* items grows in step with clauses */
    if ((n & (n - 1)) == 0) {
        ast_item_t **ni = ARENA_ARRAY(ck->a, ast_item_t *, n * 2);
        memcpy(ni, f->items, n * sizeof *ni);
        f->items = ni;
    }
    f->clauses[n] = &it->u.fn;
    f->items[n] = it;
    f->nclauses++;
    it->sem = f;
    ast_fn_t *c = &it->u.fn;
    const char *what = c->is_pub ? "visibility"
                       : c->generics.len ? "generic parameters"
                       : c->ret          ? "return type annotation"
                       : c->where.len    ? "where clause"
                                         : NULL;
    if (what)
        ty_warning(ck, c->name_span, "W0002", "%s on non-first clause of `%s` will be ignored", what,
                   c->name);
}

/* ================================================================ decls */

static ty_decl_t *new_decl(ty_checker_t *ck, ty_modenv_t *m, ast_item_t *it)
{
    ast_typedef_t *def = &it->u.type;
    ty_decl_t *d = ARENA_NEW(ck->a, ty_decl_t);
    d->kind = it->kind == AST_ITEM_STRUCT ? TY_DECL_STRUCT : TY_DECL_SUM;
    d->name = def->name;
    d->module = m->name;
    d->is_pub = def->is_pub;
    d->item = it;
    d->nparams = def->generics.len;
    d->params = ARENA_ARRAY(ck->a, ty_t *, d->nparams ? d->nparams : 1);
    for (uint32_t i = 0; i < d->nparams; i++) {
        d->params[i] = ty_fresh(ck);
        d->params[i]->level = TY_LEVEL_GENERIC;
        d->params[i]->name = def->generics.items[i];
    }
    it->sem = d;
    ty_program_t *p = ck->prog;
    GROW(ck, p->decls, p->ndecls, ty_decl_t *);
    p->decls[p->ndecls++] = d;
    ty_tent_t *te = ARENA_NEW(ck->a, ty_tent_t);
    te->kind = TY_TNS_DECL;
    te->decl = d;
    ty_map_put(ck->a, &m->types, d->name, te);
    return d;
}

static ty_field_t *resolve_fields(ty_checker_t *ck, ast_fields_t *fs)
{
    ty_field_t *out = ARENA_ARRAY(ck->a, ty_field_t, fs->len ? fs->len : 1);
    for (uint32_t i = 0; i < fs->len; i++) {
        out[i].name = fs->items[i].name;
        out[i].span = fs->items[i].name_span;
        /* A positional variant field has no name: point at its type. */
        if (!fs->items[i].name && fs->items[i].type)
            out[i].span = fs->items[i].type->span;
        out[i].type = fs->items[i].type ? ty_from_ast(ck, fs->items[i].type) : ty_fresh(ck);
    }
    return out;
}

/* Field and variant types, once every type name of the module is known. */
static void resolve_decl(ty_checker_t *ck, ty_modenv_t *m, ty_decl_t *d, uint32_t order)
{
    ast_typedef_t *def = &d->item->u.type;
    ty_map_t params = {0};
    for (uint32_t i = 0; i < d->nparams; i++)
        ty_map_put(ck->a, &params, d->params[i]->name, d->params[i]);
    ck->tparams = &params;
    if (d->kind == TY_DECL_STRUCT) {
        d->fields = resolve_fields(ck, &def->fields);
        d->nfields = def->fields.len;
    } else {
        d->nvariants = def->variants.len;
        d->variants = ARENA_ARRAY(ck->a, ty_variant_t, d->nvariants ? d->nvariants : 1);
        for (uint32_t v = 0; v < d->nvariants; v++) {
            ast_variant_t *av = &def->variants.items[v];
            ty_variant_t *tv = &d->variants[v];
            tv->sem_tag = TY_SEM_VARIANT;
            tv->name = av->name;
            tv->index = v;
            tv->decl = d;
            tv->span = av->name_span;
            tv->fields = resolve_fields(ck, &av->fields);
            tv->nfields = av->fields.len;
            ty_ent_t *e = ent(ck, TY_ENT_CTOR, order);
            e->variant = tv;
            ty_ent_add(ck, m, tv->name, e);
        }
    }
    ck->tparams = NULL;
}

/* ============================================================ collection */

static void collect_interface(ty_checker_t *ck, ty_modenv_t *m, ast_item_t *it)
{
    ast_interface_t *in = &it->u.iface;
    ty_trait_t *tr = ARENA_NEW(ck->a, ty_trait_t);
    tr->builtin = TY_TR_USER;
    tr->name = in->name;
    tr->module = m->name;
    tr->item = it;
    tr->nmethods = in->methods.len;
    tr->methods = ARENA_ARRAY(ck->a, ty_method_t, tr->nmethods ? tr->nmethods : 1);
    for (uint32_t i = 0; i < tr->nmethods; i++) {
        ast_method_sig_t *s = &in->methods.items[i];
        tr->methods[i].name = s->name;
        tr->methods[i].sig = s;
        tr->methods[i].has_default = s->default_body != NULL;
        tr->methods[i].is_static = !(s->params.len && s->params.items[0].is_self);
        ty_map_put(ck->a, &ck->trait_methods, s->name, tr);
        if (s->default_body) {
            ty_fn_t *f = ty_fn_new(ck, TY_FN_DEFAULT, ty_default_item(ck, s, it->span));
            f->trait = tr;
            f->is_pub = true;
            tr->methods[i].default_fn = f;
            push_fn(ck, m->out, f);
        }
    }
    it->sem = tr;
    ty_tent_t *te = ARENA_NEW(ck->a, ty_tent_t);
    te->kind = TY_TNS_TRAIT;
    te->trait = tr;
    ty_map_put(ck->a, &m->types, tr->name, te);
    ty_program_t *p = ck->prog;
    GROW(ck, p->traits, p->ntraits, ty_trait_t *);
    p->traits[p->ntraits++] = tr;
}

/* Groups consecutive clauses of one name and arity (4.1.2). */
static void collect_fn(ty_checker_t *ck, ty_modenv_t *m, ast_item_t *it, ty_fn_t **last,
                       uint32_t order)
{
    ast_fn_t *fn = &it->u.fn;
    uint32_t arity = fn->params.len;
    if (*last && (*last)->name == fn->name && (*last)->arity == arity) {
        ty_fn_add_clause(ck, *last, it);
        return;
    }
    for (ty_ent_t *e = ty_ent_lookup(m, fn->name); e; e = e->next) {
        if (e->kind == TY_ENT_FN && e->fn->arity == arity && e->fn->kind == TY_FN_PLAIN) {
            ty_error(ck, fn->name_span, "E0023",
                     "function `%s/%u` already defined; multi-clause functions must have "
                     "consecutive clauses",
                     fn->name, arity);
            ty_fn_add_clause(ck, e->fn, it);
            *last = NULL;
            return;
        }
    }
    ty_fn_t *f = ty_fn_new(ck, TY_FN_PLAIN, it);
    ty_ent_t *e = ent(ck, TY_ENT_FN, order);
    e->fn = f;
    ty_ent_add(ck, m, f->name, e);
    push_fn(ck, m->out, f);
    *last = f;
    if (m->cm->is_main && f->name == ck->s.main && arity == 0)
        ck->prog->main_fn = f;
}

static void add_top_binding(ty_checker_t *ck, ty_modenv_t *m, ast_stmt_t *s, ast_pat_t *p,
                            sym_t name, span_t span, uint32_t order);

/* The names a destructuring constant binds: `let (lo, hi) = (1, 10)`. */
static void collect_pat_names(ty_checker_t *ck, ty_modenv_t *m, ast_stmt_t *s, ast_pat_t *p,
                              uint32_t order)
{
    if (!p)
        return;
    switch (p->kind) {
    case AST_PAT_IDENT:
        if (p->name != ck->s.underscore)
            add_top_binding(ck, m, s, p, p->name, p->span, order);
        return;
    case AST_PAT_AS:
        add_top_binding(ck, m, s, p, p->name, p->name_span, order);
        collect_pat_names(ck, m, s, p->head, order);
        return;
    case AST_PAT_CONS:
        collect_pat_names(ck, m, s, p->head, order);
        collect_pat_names(ck, m, s, p->tail, order);
        return;
    case AST_PAT_TUPLE:
    case AST_PAT_CTOR:
        for (uint32_t i = 0; i < p->elems.len; i++)
            collect_pat_names(ck, m, s, p->elems.items[i], order);
        return;
    default:
        return;
    }
}

static void collect_top_let(ty_checker_t *ck, ty_modenv_t *m, ast_stmt_t *s, uint32_t order)
{
    if (s->pat->kind != AST_PAT_IDENT) {
        collect_pat_names(ck, m, s, s->pat, order);
        return;
    }
    add_top_binding(ck, m, s, s->pat, s->pat->name, s->pat->span, order);
}

/* One module constant; a destructuring let adds one per name, all with the
 * same statement (ty_module_t.top_let_stmts). */
static void add_top_binding(ty_checker_t *ck, ty_modenv_t *m, ast_stmt_t *s, ast_pat_t *p,
                            sym_t name, span_t span, uint32_t order)
{
    ty_module_t *out = m->out;
    ty_binding_t *b = ARENA_NEW(ck->a, ty_binding_t);
    b->sem_tag = TY_SEM_BINDING;
    b->name = name;
    b->span = span;
    b->type = ty_fresh(ck);
    b->id = ++ck->next_binding;
    b->is_top_let = true;
    if (p == s->pat) {
        p->sem = b;
        p->ty = b->type;
    }
    ty_ent_t *e = ent(ck, TY_ENT_TOP_LET, order);
    e->binding = b;
    ty_ent_add(ck, m, b->name, e);
    GROW(ck, out->top_lets, out->ntop_lets, ty_binding_t *);
    uint32_t n = out->ntop_lets;
    if ((n & (n - 1)) == 0) {
        ast_stmt_t **ns = ARENA_ARRAY(ck->a, ast_stmt_t *, n ? n * 2 : 8);
        if (n)
            memcpy(ns, out->top_let_stmts, n * sizeof *ns);
        out->top_let_stmts = ns;
    }
    out->top_lets[n] = b;
    out->top_let_stmts[n] = s;
    out->ntop_lets++;
}


/* Pass 1: names of everything; pass 2 (ty_collect_types): field types. */
void ty_collect_module(ty_checker_t *ck, ty_modenv_t *m)
{
    ast_file_t *f = m->cm->ast;
    ty_fn_t *last = NULL;
    ck->mod = m;
    for (uint32_t i = 0; i < f->len; i++) {
        ast_stmt_t *s = f->items[i];
        if (s->kind == AST_STMT_LET) {
            collect_top_let(ck, m, s, i);
            last = NULL;
            continue;
        }
        if (s->kind != AST_STMT_ITEM) {
            last = NULL;
            continue;
        }
        ast_item_t *it = s->item;
        if (it->kind != AST_ITEM_FN)
            last = NULL;
        switch (it->kind) {
        case AST_ITEM_FN:
            collect_fn(ck, m, it, &last, it->span.start);
            break;
        case AST_ITEM_STRUCT:
        case AST_ITEM_SUM:
            new_decl(ck, m, it);
            break;
        case AST_ITEM_ALIAS: {
            ty_alias_t *al = ARENA_NEW(ck->a, ty_alias_t);
            al->def = &it->u.type;
            al->module = m->name;
            ty_tent_t *te = ARENA_NEW(ck->a, ty_tent_t);
            te->kind = TY_TNS_ALIAS;
            te->alias = al;
            ty_map_put(ck->a, &m->types, it->u.type.name, te);
            break;
        }
        case AST_ITEM_INTERFACE:
            collect_interface(ck, m, it);
            break;
        case AST_ITEM_ACTOR:
        case AST_ITEM_SERVICE:
        case AST_ITEM_SUPERVISOR:
            ty_collect_concurrency(ck, m, it, i);
            break;
        default:
            break; /* imports: ty_modules.c; impls: ty_collect_impls; inline modules: D8 */
        }
    }
}

/* After imports are resolved: field types, constructors, deriving, impls. */
void ty_collect_types(ty_checker_t *ck, ty_modenv_t *m)
{
    ast_file_t *f = m->cm->ast;
    ck->mod = m;
    for (uint32_t i = 0; i < f->len; i++) {
        ast_stmt_t *s = f->items[i];
        if (s->kind == AST_STMT_ITEM &&
            (s->item->kind == AST_ITEM_STRUCT || s->item->kind == AST_ITEM_SUM) && s->item->sem)
            resolve_decl(ck, m, s->item->sem, i);
    }
    for (uint32_t i = 0; i < f->len; i++) {
        ast_stmt_t *s = f->items[i];
        if (s->kind == AST_STMT_ITEM &&
            (s->item->kind == AST_ITEM_STRUCT || s->item->kind == AST_ITEM_SUM) && s->item->sem)
            ty_derive_decl(ck, s->item->sem);
    }
    for (uint32_t i = 0; i < f->len; i++) {
        ast_stmt_t *s = f->items[i];
        if (s->kind == AST_STMT_ITEM &&
            (s->item->kind == AST_ITEM_STRUCT || s->item->kind == AST_ITEM_SUM) && s->item->sem)
            ty_derive_check_fields(ck, s->item->sem);
    }
    ty_collect_impls(ck, m);
}
