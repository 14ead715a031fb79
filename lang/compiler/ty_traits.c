/* ty_traits.c: built-in traits, impl tables, obligations and deriving
 * (language.md 4.5, 4.6, 5.3-5.5).
 *
 * Whether a type implements a trait is answered structurally for built-in
 * types (List<T> is Eq when T is, ...) and from the impl table for user
 * types (derived and hand-written impls). When the answer depends on a type
 * variable the question becomes an obligation on that variable, re-asked
 * when the variable is bound, or turned into a bound of the enclosing
 * function's scheme when it is generalised (5.2: operators on unannotated
 * parameters stay polymorphic).
 */
#include <string.h>

#include "lang/compiler/ty_check.h"

/* ORDER TY_TRAIT */
static const char *const trait_names[TY_TR_COUNT] = {
    "", "Add", "Sub", "Mul", "Div", "Mod", "Eq", "Ord", "Not", "Display", "Debug", "Hash",
    "Default", "Json", "Row",
};
static const char *const trait_methods[TY_TR_COUNT] = {
    "", "add", "sub", "mul", "div", "mod", "eq", "lt", "not", "to_string", "inspect", "hash",
    "default", "to_json", "from_row",
};

void ty_traits_init(ty_checker_t *ck)
{
    ty_program_t *p = ck->prog;
    /* User interfaces are appended with power-of-two growth (ty_items.c
     * GROW), which assumes the capacity is the next power of two. */
    _Static_assert(TY_TR_COUNT <= 16, "traits[] starts with 16 slots");
    p->traits = ARENA_ARRAY(ck->a, ty_trait_t *, 16);
    p->ntraits = TY_TR_COUNT;
    for (int k = 1; k < TY_TR_COUNT; k++) {
        ty_trait_t *t = ARENA_NEW(ck->a, ty_trait_t);
        t->builtin = (ty_trait_kind_t)k;
        t->name = intern_cstr(ck->in, trait_names[k]);
        uint32_t n = k == TY_TR_ORD ? 2 : 1;
        t->methods = ARENA_ARRAY(ck->a, ty_method_t, n);
        t->nmethods = n;
        t->methods[0].name = intern_cstr(ck->in, trait_methods[k]);
        t->methods[0].is_static = k == TY_TR_DEFAULT || k == TY_TR_ROW;
        if (k == TY_TR_ORD) {
            t->methods[1].name = ck->s.compare;
            t->methods[1].has_default = true;
        }
        ck->btraits[k] = t;
        p->traits[k] = t;
        ty_map_put(ck->a, &ck->trait_by_name, t->name, t);
    }
}

/* ================================================================ impls */

static bool impl_matches(const ty_impl_t *im, const ty_t *t)
{
    if (im->kind != t->kind)
        return false;
    return t->kind != TY_CON || im->decl == t->decl;
}

ty_impl_t *ty_find_impl(const ty_program_t *p, const ty_trait_t *trait, const ty_t *t)
{
    t = ty_resolve((ty_t *)t);
    if (t->kind == TY_VAR)
        return NULL;
    for (uint32_t i = 0; i < p->nimpls; i++)
        if (p->impls[i]->trait == trait && impl_matches(p->impls[i], t))
            return p->impls[i];
    return NULL;
}

ty_fn_t *ty_impl_method(const ty_program_t *p, const ty_impl_t *impl, sym_t method, bool *is_default)
{
    (void)p;
    *is_default = false;
    if (!impl)
        return NULL;
    for (uint32_t i = 0; i < impl->nmethods; i++)
        if (impl->methods[i]->name == method)
            return impl->methods[i];
    for (uint32_t i = 0; impl->trait && i < impl->trait->nmethods; i++) {
        if (impl->trait->methods[i].name == method && impl->trait->methods[i].default_fn) {
            *is_default = true;
            return impl->trait->methods[i].default_fn;
        }
    }
    return NULL;
}

static ty_impl_t *add_impl(ty_checker_t *ck, ty_trait_t *tr, ty_kind_t kind, ty_decl_t *d)
{
    ty_impl_t *im = ARENA_NEW(ck->a, ty_impl_t);
    im->trait = tr;
    im->kind = kind;
    im->decl = d;
    ty_program_t *p = ck->prog;
    if ((p->nimpls & (p->nimpls - 1)) == 0) {
        uint32_t cap = p->nimpls ? p->nimpls * 2 : 64;
        ty_impl_t **n = ARENA_ARRAY(ck->a, ty_impl_t *, cap);
        if (p->nimpls)
            memcpy(n, p->impls, p->nimpls * sizeof *n);
        p->impls = n;
    }
    p->impls[p->nimpls++] = im;
    return im;
}

/* =============================================================== status */

/* Set with *blocker when the variable blocks a JSON_KEY question, so the
 * waiting obligation re-asks that question rather than plain Json. */
static bool blocked_on_json_key;

/* 1: implements; 0: does not; -1: depends on *blocker (a variable). */
static int status(const ty_program_t *p, ty_trait_kind_t k, ty_t *t, ty_t **blocker);

static int all_args(const ty_program_t *p, ty_trait_kind_t k, ty_t *t, ty_t **blocker)
{
    int res = 1;
    for (uint32_t i = 0; i < t->nargs; i++) {
        int s = status(p, k, t->args[i], blocker);
        if (s == 0)
            return 0;
        if (s < 0)
            res = -1;
    }
    return res;
}

static uint32_t bits(int a, int b, int c, int d, int e)
{
    uint32_t m = 0;
    int v[5] = {a, b, c, d, e};
    for (int i = 0; i < 5; i++)
        if (v[i] > 0)
            m |= 1u << v[i];
    return m;
}

static int builtin_con(const ty_program_t *p, ty_trait_kind_t k, ty_t *t, ty_t **blocker)
{
    bool print = k == TY_TR_DISPLAY || k == TY_TR_DEBUG || k == TY_TR_PRINTABLE;
    switch (t->decl->builtin) {
    case TY_B_LIST:
        if (print || k == TY_TR_EQ || k == TY_TR_ORD || k == TY_TR_JSON)
            return all_args(p, k == TY_TR_JSON || k == TY_TR_EQ || k == TY_TR_ORD ? k
                                                                                  : TY_TR_PRINTABLE,
                            t, blocker);
        return 0;
    case TY_B_MAP:
        if (print)
            return all_args(p, TY_TR_PRINTABLE, t, blocker);
        if (k == TY_TR_JSON && t->nargs == 2) {
            int ks = status(p, TY_TR_JSON_KEY, t->args[0], blocker);
            if (ks == 0)
                return 0;
            int vs = status(p, TY_TR_JSON, t->args[1], blocker);
            return vs == 0 ? 0 : ks < 0 ? (blocked_on_json_key = true, -1) : vs;
        }
        if (k == TY_TR_JSON)
            return 1;
        return 0;
    case TY_B_OPTION:
    case TY_B_RESULT:
        if (print)
            return all_args(p, TY_TR_PRINTABLE, t, blocker);
        if (k == TY_TR_JSON && t->decl->builtin == TY_B_OPTION)
            return all_args(p, TY_TR_JSON, t, blocker);
        return 0;
    case TY_B_SET:
    case TY_B_SYSTEMMSG:
    case TY_B_EXITREASON:
        return print;
    case TY_B_ORDERING:
        return print || k == TY_TR_EQ;
    case TY_B_PID:
        return print || k == TY_TR_EQ;
    case TY_B_JSON:
        return k == TY_TR_JSON;
    default:
        return 0;
    }
}

static int status(const ty_program_t *p, ty_trait_kind_t k, ty_t *t, ty_t **blocker)
{
    t = ty_resolve(t);
    uint32_t num = bits(TY_TR_ADD, TY_TR_SUB, TY_TR_MUL, TY_TR_DIV, TY_TR_MOD);
    uint32_t common = bits(TY_TR_EQ, TY_TR_DISPLAY, TY_TR_DEBUG, TY_TR_HASH, TY_TR_DEFAULT) |
                      (1u << TY_TR_JSON);
    uint32_t kb = k == TY_TR_PRINTABLE ? (1u << TY_TR_DISPLAY) : (1u << k);
    if (k == TY_TR_JSON_KEY && t->kind != TY_VAR)
        return t->kind == TY_STRING || t->kind == TY_NEVER;
    switch (t->kind) {
    case TY_VAR:
        *blocker = t;
        return -1;
    case TY_NEVER:
        return 1;
    case TY_INT:
    case TY_FLOAT:
        return (kb & (num | common | (1u << TY_TR_ORD))) != 0;
    case TY_STRING:
        return (kb & (common | (1u << TY_TR_ORD))) != 0;
    case TY_BOOL:
        return (kb & (common | (1u << TY_TR_NOT))) != 0;
    case TY_UNIT:
        return (kb & bits(TY_TR_DISPLAY, TY_TR_DEBUG, 0, 0, 0)) != 0;
    case TY_TUPLE:
        if (kb & bits(TY_TR_DISPLAY, TY_TR_DEBUG, 0, 0, 0))
            return all_args(p, TY_TR_PRINTABLE, t, blocker);
        return 0;
    case TY_FUN:
        return 0;
    case TY_CON:
        break;
    }
    if (t->decl->builtin != TY_B_NONE)
        return builtin_con(p, k, t, blocker);
    if (k == TY_TR_PRINTABLE)
        return status(p, TY_TR_DISPLAY, t, blocker) == 1 || status(p, TY_TR_DEBUG, t, blocker) == 1;
    return ty_find_impl(p, p->traits[k], t) != NULL;
}

bool ty_has_trait(const ty_program_t *p, ty_trait_kind_t k, const ty_t *t)
{
    ty_t *blocker = NULL;
    return status(p, k, (ty_t *)t, &blocker) != 0;
}

bool ty_has_builtin_trait(ty_checker_t *ck, ty_trait_kind_t k, ty_t *t, ty_t **blocker)
{
    return status(ck->prog, k, t, blocker) != 0;
}

/* ========================================================== obligations */

static void report_missing(ty_checker_t *ck, ty_t *t, const char *trait, span_t span)
{
    const char *ts = ty_str(ck, t);
    ty_error(ck, span, "E0006", "%s does not implement %s", ts, trait);
    ty_message(ck, "type `%s` does not satisfy trait `%s`", ts, trait);
    ty_help(ck, "add `impl %s for %s do ... end`", trait, ts);
}

static void push_oblig(ty_checker_t *ck, ty_oblig_t o)
{
    if (ck->nobligs == ck->cap_obligs) {
        uint32_t cap = ck->cap_obligs ? ck->cap_obligs * 2 : 64;
        ty_oblig_t *n = ARENA_ARRAY(ck->a, ty_oblig_t, cap);
        if (ck->nobligs)
            memcpy(n, ck->obligs, ck->nobligs * sizeof *n);
        ck->obligs = n;
        ck->cap_obligs = cap;
    }
    ck->obligs[ck->nobligs++] = o;
}

/* Returns false when the obligation must wait (o->type updated to the
 * variable it waits on). */
static bool discharge(ty_checker_t *ck, ty_oblig_t *o)
{
    ty_t *t = ty_resolve(o->type);
    if (o->builtin == TY_TR_USER) {
        if (t->kind == TY_VAR)
            return false;
        if (!ty_find_impl(ck->prog, o->trait, t))
            report_missing(ck, t, o->trait->builtin == TY_TR_JSON ? "ToJson" : o->trait->name,
                           o->span);
        return true;
    }
    ty_t *blocker = NULL;
    blocked_on_json_key = false;
    int s = status(ck->prog, o->builtin, t, &blocker);
    if (s < 0) {
        o->type = blocker;
        if (blocked_on_json_key)
            o->builtin = TY_TR_JSON_KEY;
        return false;
    }
    if (s == 0) {
        /* JSON encoding is the ToJson trait of language.md 9 (D56 text). */
        const char *name = o->builtin == TY_TR_PRINTABLE ? "Display"
                           : o->builtin == TY_TR_JSON || o->builtin == TY_TR_JSON_KEY
                               ? "ToJson"
                               : trait_names[o->builtin];
        report_missing(ck, t, name, o->span);
    }
    return true;
}

void ty_require(ty_checker_t *ck, ty_t *t, ty_trait_kind_t k, ty_trait_t *user, span_t span)
{
    ty_oblig_t o = {.type = t, .builtin = user ? TY_TR_USER : k, .trait = user, .span = span};
    if (!user && k == TY_TR_USER)
        return;
    if (!discharge(ck, &o))
        push_oblig(ck, o);
}

void ty_obligs_flush(ty_checker_t *ck)
{
    uint32_t keep = 0;
    for (uint32_t i = 0; i < ck->nobligs; i++) {
        ty_oblig_t o = ck->obligs[i];
        if (!discharge(ck, &o))
            ck->obligs[keep++] = o;
    }
    ck->nobligs = keep;
}

/* ============================================================ deriving */

static bool json_ok(ty_checker_t *ck, ty_t *t)
{
    t = ty_resolve(t);
    switch (t->kind) {
    case TY_INT:
    case TY_FLOAT:
    case TY_BOOL:
    case TY_STRING:
        return true;
    case TY_VAR:
        return t->name && strlen(t->name) == 1; /* a single-letter type parameter */
    case TY_CON:
        if (t->decl->builtin == TY_B_OPTION || t->decl->builtin == TY_B_LIST)
            return json_ok(ck, t->args[0]);
        if (t->decl->builtin == TY_B_MAP)
            return ty_resolve(t->args[0])->kind == TY_STRING && json_ok(ck, t->args[1]);
        /* `Json` itself is not serialisable as a field (16.5). */
        return t->decl->builtin == TY_B_NONE && (t->decl->derived & (1u << TY_TR_JSON));
    default:
        return false;
    }
}

static bool row_scalar(ty_t *t)
{
    t = ty_resolve(t);
    return t->kind == TY_INT || t->kind == TY_FLOAT || t->kind == TY_BOOL || t->kind == TY_STRING;
}

static void check_field_json(ty_checker_t *ck, const char *fname, ty_field_t *f)
{
    if (json_ok(ck, f->type))
        return;
    ty_error(ck, f->span, "E0038", "field `%s` of type `%s` is not JSON-serializable", fname,
             ty_str(ck, f->type));
}

static void derive_checks(ty_checker_t *ck, ty_decl_t *d)
{
    if (d->derived & (1u << TY_TR_JSON)) {
        for (uint32_t i = 0; i < d->nfields; i++)
            check_field_json(ck, d->fields[i].name, &d->fields[i]);
        for (uint32_t v = 0; v < d->nvariants; v++) {
            ty_variant_t *var = &d->variants[v];
            for (uint32_t i = 0; i < var->nfields; i++) {
                const char *fname = var->fields[i].name
                                        ? ty_fmt(ck, "%s::%s", var->name, var->fields[i].name)
                                        : ty_fmt(ck, "%s::%u", var->name, i);
                check_field_json(ck, fname, &var->fields[i]);
            }
        }
    }
    if ((d->derived & (1u << TY_TR_ROW)) && d->kind == TY_DECL_STRUCT) {
        for (uint32_t i = 0; i < d->nfields; i++) {
            ty_t *t = ty_resolve(d->fields[i].type);
            bool ok = row_scalar(t) || (ty_is_con(t, TY_B_OPTION) && row_scalar(t->args[0]));
            if (!ok) {
                ty_error(ck, d->fields[i].span, "E0039",
                         "field `%s` has type `%s` which cannot be mapped from a database row",
                         d->fields[i].name, ty_str(ck, t));
                ty_message(ck,
                           "field `%s` has type `%s` which cannot be mapped from a database row "
                           "(only Int, Float, Bool, String, and Option<T> are supported)",
                           d->fields[i].name, ty_str(ck, t));
            }
        }
    }
}

/* Sets d->derived from its deriving clause (4.5) and registers the derived
 * impls. Field-type checks (E0038/E0039) run after all decls are known. */
void ty_derive_decl(ty_checker_t *ck, ty_decl_t *d)
{
    ast_typedef_t *def = &d->item->u.type;
    uint32_t derived = 0;
    if (!def->has_deriving) {
        derived = (1u << TY_TR_DEBUG) | (1u << TY_TR_EQ) | (1u << TY_TR_ORD);
        if (d->kind == TY_DECL_STRUCT)
            derived |= 1u << TY_TR_HASH;
    }
    bool has_ord = false, has_eq = false;
    for (uint32_t i = 0; i < def->derives.len; i++) {
        sym_t n = def->derives.items[i];
        ty_trait_t *tr = ty_map_get(&ck->trait_by_name, n);
        ty_trait_kind_t k = tr ? tr->builtin : TY_TR_USER;
        bool ok = k == TY_TR_EQ || k == TY_TR_ORD || k == TY_TR_DISPLAY || k == TY_TR_DEBUG ||
                  k == TY_TR_HASH || k == TY_TR_JSON || k == TY_TR_ROW;
        if (!ok) {
            ty_error(ck, def->derives.spans[i], "E0028", "cannot derive `%s` for `%s`", n, d->name);
            ty_message(ck,
                       "cannot derive `%s` for `%s` -- only Eq, Ord, Display, Debug, Hash, Json, "
                       "and Row are derivable",
                       n, d->name);
            ty_help(ck, "only Eq, Ord, Display, Debug, Hash, Json, and Row are derivable");
            continue;
        }
        has_ord |= k == TY_TR_ORD;
        has_eq |= k == TY_TR_EQ;
        derived |= 1u << k;
    }
    if (has_ord && !has_eq) {
        uint32_t i = 0;
        while (def->derives.items[i] != ck->btraits[TY_TR_ORD]->name)
            i++;
        ty_error(ck, def->derives.spans[i], "E0029", "cannot derive `Ord` for `%s` without `Eq`",
                 d->name);
        ty_message(ck, "deriving `Ord` for `%s` requires `Eq` to also be derived", d->name);
        ty_help(ck, "add `Eq` to the deriving list: deriving(Ord, Eq)");
        derived &= ~(1u << TY_TR_ORD);
    }
    d->derived = derived;
    for (int k = 1; k < TY_TR_COUNT; k++) {
        if (!(derived & (1u << k)))
            continue;
        ty_impl_t *im = add_impl(ck, ck->btraits[k], TY_CON, d);
        im->derived = true;
        im->module = d->module;
    }
}

void ty_derive_check_fields(ty_checker_t *ck, ty_decl_t *d)
{
    derive_checks(ck, d);
}

/* Registers impls of built-in traits for built-in types so ty_find_impl
 * answers for them too (the lowering dispatches through the same table). */
void ty_builtin_impls(ty_checker_t *ck)
{
    static const ty_kind_t prims[] = {TY_INT, TY_FLOAT, TY_STRING, TY_BOOL, TY_UNIT};
    for (size_t i = 0; i < sizeof prims / sizeof prims[0]; i++) {
        ty_t probe = {.kind = prims[i]};
        for (int k = 1; k < TY_TR_COUNT; k++) {
            ty_t *blocker = NULL;
            if (status(ck->prog, (ty_trait_kind_t)k, &probe, &blocker) == 1)
                add_impl(ck, ck->btraits[k], prims[i], NULL)->builtin = true;
        }
    }
    for (int b = 1; b < TY_B_COUNT; b++) {
        ty_decl_t *d = ck->prog->builtins[b];
        ty_t *args[2] = {ty_prim(ck, TY_INT), ty_prim(ck, TY_INT)};
        ty_t *probe = ty_con(ck->a, d, args, d->nparams);
        for (int k = 1; k < TY_TR_COUNT; k++) {
            ty_t *blocker = NULL;
            if (status(ck->prog, (ty_trait_kind_t)k, probe, &blocker) == 1)
                add_impl(ck, ck->btraits[k], TY_CON, d)->builtin = true;
        }
    }
}

/* ======================================================= user impls */

ty_impl_t *ty_method_impl(ty_checker_t *ck, ty_t *t, sym_t name, ty_trait_t **trait, int *count,
                          ty_trait_t **second)
{
    ty_impl_t *found = NULL;
    *count = 0;
    t = ty_resolve(t);
    for (uint32_t i = 0; i < ck->prog->nimpls; i++) {
        ty_impl_t *im = ck->prog->impls[i];
        if (im->builtin || !impl_matches(im, t))
            continue;
        ty_trait_t *tr = im->trait;
        if (tr->builtin != TY_TR_USER && !im->item)
            continue; /* derived built-in traits are handled as prelude methods */
        for (uint32_t m = 0; m < tr->nmethods; m++) {
            if (tr->methods[m].name != name)
                continue;
            if (!found) {
                found = im;
                *trait = tr;
            } else if (*count == 1) {
                *second = tr;
            }
            (*count)++;
            break;
        }
    }
    return found;
}

ty_trait_t *ty_trait_by_method(ty_checker_t *ck, sym_t name)
{
    return ty_map_get(&ck->trait_methods, name);
}

static ty_t *builtin_method_type(ty_checker_t *ck, ty_trait_t *tr, ty_t *self)
{
    ty_t *two[2] = {self, self};
    switch (tr->builtin) {
    case TY_TR_ADD:
    case TY_TR_SUB:
    case TY_TR_MUL:
    case TY_TR_DIV:
    case TY_TR_MOD:
        return ty_fun(ck, two, 2, self);
    case TY_TR_EQ:
    case TY_TR_ORD:
        return ty_fun(ck, two, 2, ty_prim(ck, TY_BOOL));
    case TY_TR_NOT:
        return ty_fun(ck, two, 1, ty_prim(ck, TY_BOOL));
    case TY_TR_DISPLAY:
    case TY_TR_DEBUG:
        return ty_fun(ck, two, 1, ty_prim(ck, TY_STRING));
    case TY_TR_HASH:
        return ty_fun(ck, two, 1, ty_prim(ck, TY_INT));
    case TY_TR_DEFAULT:
        return ty_fun(ck, NULL, 0, self);
    default:
        return ty_fun(ck, two, 1, ty_fresh(ck));
    }
}

ty_t *ty_trait_method_type(ty_checker_t *ck, ty_trait_t *tr, sym_t method, ty_t *self_ty)
{
    if (tr->builtin != TY_TR_USER) {
        if (tr->builtin == TY_TR_ORD && method == ck->s.compare) {
            ty_t *two[2] = {self_ty, self_ty};
            return ty_fun(ck, two, 2, ty_con0(ck, TY_B_ORDERING));
        }
        return builtin_method_type(ck, tr, self_ty);
    }
    ty_method_t *m = NULL;
    for (uint32_t i = 0; i < tr->nmethods; i++)
        if (tr->methods[i].name == method)
            m = &tr->methods[i];
    if (!m || !m->sig)
        return ty_fresh(ck);
    ty_t *saved_self = ck->self_type;
    ty_map_t *saved_tp = ck->tparams;
    ck->self_type = self_ty;
    /* The interface's type parameters (and single-letter names it uses)
     * are fresh at every use. */
    ty_map_t *tp = ARENA_NEW(ck->a, ty_map_t);
    if (tr->item) {
        ast_names_t *g = &tr->item->u.iface.generics;
        for (uint32_t i = 0; i < g->len; i++) {
            ty_t *v = ty_fresh(ck);
            v->name = g->items[i];
            ty_map_put(ck->a, tp, g->items[i], v);
        }
    }
    for (uint32_t i = 0; i < m->sig->params.len; i++)
        ty_auto_tparams(ck, m->sig->params.items[i].type, tp);
    ty_auto_tparams(ck, m->sig->ret, tp);
    ck->tparams = tp;
    uint32_t n = m->sig->params.len;
    ty_t **ps = ARENA_ARRAY(ck->a, ty_t *, n ? n : 1);
    for (uint32_t i = 0; i < n; i++) {
        ast_param_t *p = &m->sig->params.items[i];
        ps[i] = p->is_self ? self_ty : p->type ? ty_from_ast(ck, p->type) : ty_fresh(ck);
    }
    ty_t *ret = m->sig->ret ? ty_from_ast(ck, m->sig->ret) : ty_fresh(ck);
    ck->self_type = saved_self;
    ck->tparams = saved_tp;
    return ty_fun(ck, ps, n, ret);
}

ty_impl_t *ty_add_impl_(ty_checker_t *ck, ty_trait_t *tr, ty_kind_t kind, ty_decl_t *d)
{
    return add_impl(ck, tr, kind, d);
}

ty_trait_t *ty_trait_named(ty_checker_t *ck, sym_t name)
{
    ty_tent_t *te = ck->mod ? ty_map_get(&ck->mod->types, name) : NULL;
    if (te)
        return te->kind == TY_TNS_TRAIT ? te->trait : NULL;
    ty_trait_t *b = ty_map_get(&ck->trait_by_name, name);
    if (b)
        return b;
    /* pub interfaces are visible in every module (2.3). */
    for (uint32_t i = 0; i < ck->prog->ntraits; i++) {
        ty_trait_t *t = ck->prog->traits[i]; /* [0] (TY_TR_USER) is NULL */
        if (t && t->name == name && t->item && t->item->u.iface.is_pub)
            return t;
    }
    return NULL;
}

void ty_obligs_final(ty_checker_t *ck)
{
    ty_obligs_flush(ck);
    for (uint32_t i = 0; i < ck->nobligs; i++) {
        ty_oblig_t *o = &ck->obligs[i];
        if (o->builtin != TY_TR_DEFAULT || ty_resolve(o->type)->kind != TY_VAR)
            continue;
        /* default() needs its type from the context (stdlib.md 3); other
         * open obligations concern unconstrained variables, which are (). */
        ty_error(ck, o->span, "E0006", "%s does not implement Default", ty_str(ck, o->type));
        ty_message(ck, "type `%s` does not satisfy trait `Default`", ty_str(ck, o->type));
        ty_help(ck, "default() needs a type from the context: annotate it, e.g. `let z :: Int = "
                    "default()`");
    }
    ck->nobligs = 0;
}
