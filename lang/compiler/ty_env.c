/* ty_env.c: symbol tables and scopes of the type checker.
 *
 * Local scopes are short arrays searched innermost first (functions have few
 * locals; a hash per scope would cost more than it saves). Module namespaces
 * are pointer-keyed hash maps, since a module may define thousands of names.
 */
#include <string.h>

#include "lang/compiler/ty_check.h"

/* ================================================================ maps */

static uint32_t hash_ptr(const void *p)
{
    uint64_t x = (uint64_t)(uintptr_t)p;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return (uint32_t)x;
}

void *ty_map_get(const ty_map_t *m, const void *key)
{
    if (!m->cap)
        return NULL;
    uint32_t mask = m->cap - 1;
    for (uint32_t i = hash_ptr(key) & mask;; i = (i + 1) & mask) {
        if (m->keys[i] == key)
            return m->vals[i];
        if (!m->keys[i])
            return NULL;
    }
}

static void map_grow(arena_t *a, ty_map_t *m)
{
    uint32_t cap = m->cap ? m->cap * 2 : 16;
    const void **keys = ARENA_ARRAY(a, const void *, cap);
    void **vals = ARENA_ARRAY(a, void *, cap);
    for (uint32_t i = 0; i < m->cap; i++) {
        if (!m->keys[i])
            continue;
        uint32_t j = hash_ptr(m->keys[i]) & (cap - 1);
        while (keys[j])
            j = (j + 1) & (cap - 1);
        keys[j] = m->keys[i];
        vals[j] = m->vals[i];
    }
    m->keys = keys;
    m->vals = vals;
    m->cap = cap;
}

void ty_map_put(arena_t *a, ty_map_t *m, const void *key, void *val)
{
    if ((m->len + 1) * 4 >= m->cap * 3)
        map_grow(a, m);
    uint32_t mask = m->cap - 1;
    uint32_t i = hash_ptr(key) & mask;
    while (m->keys[i] && m->keys[i] != key)
        i = (i + 1) & mask;
    if (!m->keys[i])
        m->len++;
    m->keys[i] = key;
    m->vals[i] = val;
}

/* ============================================================== scopes */

void ty_scope_push(ty_checker_t *ck)
{
    ty_scope_t *s = ARENA_NEW(ck->a, ty_scope_t);
    s->parent = ck->scope;
    ck->scope = s;
}

void ty_scope_pop(ty_checker_t *ck)
{
    ck->scope = ck->scope->parent;
}

ty_binding_t *ty_bind(ty_checker_t *ck, sym_t name, span_t span, ty_t *t)
{
    ty_binding_t *b = NULL;
    for (uint32_t i = 0; i < ck->nor_bind; i++) {
        if (ck->or_bind[i]->name == name) {
            b = ck->or_bind[i];
            ty_expect(ck, b->type, t, span);
            break;
        }
    }
    if (b)
        goto push;
    b = ARENA_NEW(ck->a, ty_binding_t);
    b->sem_tag = TY_SEM_BINDING;
    b->name = name;
    b->span = span;
    b->type = t;
    b->id = ++ck->next_binding;
    b->depth = ck->fn ? ck->fn->closure_depth : 0;
push:;
    ty_scope_t *s = ck->scope;
    if (!s)
        return b;
    if (s->len == s->cap) {
        uint32_t cap = s->cap ? s->cap * 2 : 8;
        ty_binding_t **n = ARENA_ARRAY(ck->a, ty_binding_t *, cap);
        if (s->len)
            memcpy(n, s->items, s->len * sizeof *n);
        s->items = n;
        s->cap = cap;
    }
    s->items[s->len++] = b;
    return b;
}

ty_binding_t *ty_lookup_local(ty_checker_t *ck, sym_t name)
{
    for (ty_scope_t *s = ck->scope; s; s = s->parent)
        for (uint32_t i = s->len; i-- > 0;)
            if (s->items[i]->name == name)
                return s->items[i];
    return NULL;
}

/* ========================================================= namespaces */

void ty_ent_add(ty_checker_t *ck, ty_modenv_t *m, sym_t name, ty_ent_t *e)
{
    ty_ent_t *old = ty_map_get(&m->values, name);
    /* Variants: the later definition wins for unqualified use (D20), so a
     * constructor entry replaces older constructor entries. */
    if (e->kind == TY_ENT_CTOR) {
        ty_ent_t **pp = &old;
        while (*pp) {
            if ((*pp)->kind == TY_ENT_CTOR)
                *pp = (*pp)->next;
            else
                pp = &(*pp)->next;
        }
    }
    e->next = old;
    ty_map_put(ck->a, &m->values, name, e);
}

ty_ent_t *ty_ent_lookup(ty_modenv_t *m, sym_t name)
{
    return ty_map_get(&m->values, name);
}

ty_tent_t *ty_type_lookup(ty_checker_t *ck, ty_modenv_t *m, sym_t name)
{
    ty_tent_t *t = m ? ty_map_get(&m->types, name) : NULL;
    if (t)
        return t;
    return ty_map_get(&ck->builtin_types, name);
}

ty_variant_t *ty_variant_lookup(ty_checker_t *ck, sym_t name)
{
    for (ty_ent_t *e = ck->mod ? ty_ent_lookup(ck->mod, name) : NULL; e; e = e->next)
        if (e->kind == TY_ENT_CTOR)
            return e->variant;
    return ty_map_get(&ck->builtin_values, name);
}

ty_ref_t *ty_ref_new(ty_checker_t *ck, ty_ref_kind_t kind)
{
    ty_ref_t *r = ARENA_NEW(ck->a, ty_ref_t);
    r->kind = kind;
    return r;
}

/* ========================================================= suggestions */

static unsigned edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 30 || lb > 30)
        return 99;
    unsigned d[32][32];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = (unsigned)i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = (unsigned)j;
    for (size_t i = 1; i <= la; i++) {
        for (size_t j = 1; j <= lb; j++) {
            unsigned c = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            unsigned x = d[i - 1][j] + 1, y = d[i][j - 1] + 1;
            d[i][j] = c < x ? (c < y ? c : y) : (x < y ? x : y);
        }
    }
    return d[la][lb];
}

static void consider(sym_t cand, sym_t name, sym_t *best, unsigned *best_d)
{
    if (!cand || cand == name)
        return;
    unsigned d = edit_distance(cand, name);
    if (d < *best_d) {
        *best_d = d;
        *best = cand;
    }
}

sym_t ty_suggest(ty_checker_t *ck, sym_t name)
{
    sym_t best = NULL;
    size_t n = strlen(name);
    unsigned best_d = n <= 3 ? 2 : n <= 6 ? 3 : 4;
    for (ty_scope_t *s = ck->scope; s; s = s->parent)
        for (uint32_t i = 0; i < s->len; i++)
            consider(s->items[i]->name, name, &best, &best_d);
    if (ck->mod) {
        ty_map_t *m = &ck->mod->values;
        for (uint32_t i = 0; i < m->cap; i++)
            if (m->keys[i])
                consider(m->keys[i], name, &best, &best_d);
    }
    return best;
}
