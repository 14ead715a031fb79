/* ty_repr.c: type construction, resolution, substitution and printing.
 *
 * Types are immutable once built except for TY_VAR links, which only ever go
 * from NULL to a type (union-find without rank: chains are short because
 * ty_resolve compresses them). Printing follows language.md 10.4: types as
 * users write them, Option/Result in their long form, unresolved variables
 * as ?<n> (or the user's type-parameter name when it came from one).
 */
#include "lang/compiler/types.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lang/compiler/ty_check.h"

/* ORDER TY_BUILTIN */
static const char *const builtin_names[TY_B_COUNT] = {
    "", "List", "Map", "Set", "Queue", "Range", "Tuple", "Json", "Option", "Result", "Ordering", "Pid",
    "SystemMsg", "ExitReason", "Request", "Response", "Router", "SqliteConn", "PgConn", "PoolHandle",
    "WsConn",
};

const char *ty_builtin_name(ty_builtin_t b)
{
    return builtin_names[b];
}

/* ================================================================ build */

ty_t *ty_new(ty_checker_t *ck, ty_kind_t kind)
{
    ty_t *t = ARENA_NEW(ck->a, ty_t);
    t->kind = kind;
    return t;
}

ty_t *ty_prim(ty_checker_t *ck, ty_kind_t kind)
{
    static _Thread_local ty_t prims[TY_CON + 1];
    (void)ck;
    prims[kind].kind = kind;
    return &prims[kind];
}

ty_t *ty_fresh(ty_checker_t *ck)
{
    ty_t *t = ty_new(ck, TY_VAR);
    t->id = ++ck->next_var;
    t->level = ck->level;
    return t;
}

ty_t *ty_fun(ty_checker_t *ck, ty_t **params, uint32_t n, ty_t *ret)
{
    ty_t *t = ty_new(ck, TY_FUN);
    t->args = ARENA_ARRAY(ck->a, ty_t *, n ? n : 1);
    if (n)
        memcpy(t->args, params, n * sizeof(ty_t *));
    t->nargs = n;
    t->ret = ret;
    return t;
}

ty_t *ty_tuple(ty_checker_t *ck, ty_t **elems, uint32_t n)
{
    if (n == 0)
        return ty_prim(ck, TY_UNIT);
    if (n == 1)
        return elems[0];
    ty_t *t = ty_new(ck, TY_TUPLE);
    t->args = ARENA_ARRAY(ck->a, ty_t *, n);
    memcpy(t->args, elems, n * sizeof(ty_t *));
    t->nargs = n;
    return t;
}

ty_t *ty_con(arena_t *a, ty_decl_t *decl, ty_t **args, uint32_t nargs)
{
    ty_t *t = ARENA_NEW(a, ty_t);
    t->kind = TY_CON;
    t->decl = decl;
    t->nargs = nargs;
    if (nargs) {
        t->args = ARENA_ARRAY(a, ty_t *, nargs);
        memcpy(t->args, args, nargs * sizeof(ty_t *));
    }
    return t;
}

ty_t *ty_con0(ty_checker_t *ck, ty_builtin_t b)
{
    return ty_con(ck->a, ck->prog->builtins[b], NULL, 0);
}

ty_t *ty_con1(ty_checker_t *ck, ty_builtin_t b, ty_t *arg)
{
    return ty_con(ck->a, ck->prog->builtins[b], &arg, 1);
}

ty_t *ty_con2(ty_checker_t *ck, ty_builtin_t b, ty_t *a0, ty_t *a1)
{
    ty_t *args[2] = {a0, a1};
    return ty_con(ck->a, ck->prog->builtins[b], args, 2);
}

bool ty_is_con(const ty_t *t, ty_builtin_t b)
{
    return t->kind == TY_CON && t->decl->builtin == b;
}

/* ============================================================ resolve */

ty_t *ty_resolve(ty_t *t)
{
    ty_t *r = t;
    while (r->kind == TY_VAR && r->link)
        r = r->link;
    /* Path compression: point every variable on the chain at the end. */
    while (t->kind == TY_VAR && t->link && t->link != r) {
        ty_t *next = t->link;
        t->link = r;
        t = next;
    }
    return r;
}

static ty_t *zonk_rec(arena_t *a, ty_t *t, bool unit, int depth)
{
    t = ty_resolve(t);
    if (t->kind == TY_VAR) {
        if (unit && t->level != TY_LEVEL_GENERIC) {
            ty_t *u = ARENA_NEW(a, ty_t);
            u->kind = TY_UNIT;
            return u;
        }
        return t;
    }
    if (depth > 200 || (t->nargs == 0 && t->kind != TY_FUN))
        return t;
    bool changed = false;
    ty_t *tmp[64];
    ty_t **out = t->nargs <= 64 ? tmp : ARENA_ARRAY(a, ty_t *, t->nargs);
    for (uint32_t i = 0; i < t->nargs; i++) {
        out[i] = zonk_rec(a, t->args[i], unit, depth + 1);
        changed |= out[i] != t->args[i];
    }
    ty_t *ret = t->ret ? zonk_rec(a, t->ret, unit, depth + 1) : NULL;
    changed |= ret != t->ret;
    if (!changed)
        return t;
    ty_t *n = ARENA_NEW(a, ty_t);
    *n = *t;
    n->args = ARENA_ARRAY(a, ty_t *, t->nargs ? t->nargs : 1);
    memcpy(n->args, out, t->nargs * sizeof(ty_t *));
    n->ret = ret;
    return n;
}

ty_t *ty_zonk(arena_t *a, ty_t *t, bool unit_for_unbound)
{
    return zonk_rec(a, t, unit_for_unbound, 0);
}

static ty_t *subst_rec(arena_t *a, ty_t *t, ty_t *const *vars, ty_t *const *args, uint32_t n)
{
    t = ty_resolve(t);
    if (t->kind == TY_VAR) {
        for (uint32_t i = 0; i < n; i++)
            if (vars[i] == t)
                return args[i];
        return t;
    }
    if (t->nargs == 0 && t->kind != TY_FUN)
        return t;
    ty_t *c = ARENA_NEW(a, ty_t);
    *c = *t;
    c->args = ARENA_ARRAY(a, ty_t *, t->nargs ? t->nargs : 1);
    for (uint32_t i = 0; i < t->nargs; i++)
        c->args[i] = subst_rec(a, t->args[i], vars, args, n);
    if (t->ret)
        c->ret = subst_rec(a, t->ret, vars, args, n);
    return c;
}

ty_t *ty_subst(arena_t *a, ty_t *t, ty_t *const *vars, ty_t *const *args, uint32_t n)
{
    return subst_rec(a, t, vars, args, n);
}

bool ty_equal(const ty_t *a, const ty_t *b)
{
    a = ty_resolve((ty_t *)a);
    b = ty_resolve((ty_t *)b);
    if (a == b)
        return true;
    if (a->kind != b->kind || a->nargs != b->nargs)
        return false;
    if (a->kind == TY_VAR)
        return false;
    if (a->kind == TY_CON && a->decl != b->decl)
        return false;
    for (uint32_t i = 0; i < a->nargs; i++)
        if (!ty_equal(a->args[i], b->args[i]))
            return false;
    if (a->kind == TY_FUN)
        return ty_equal(a->ret, b->ret);
    return true;
}

int ty_field_index(const ty_decl_t *decl, sym_t name)
{
    for (uint32_t i = 0; i < decl->nfields; i++)
        if (decl->fields[i].name == name)
            return (int)i;
    return -1;
}

ty_t *ty_field_type(arena_t *a, const ty_t *con, const ty_field_t *field)
{
    const ty_decl_t *d = con->decl;
    uint32_t n = d->nparams < con->nargs ? d->nparams : con->nargs;
    return ty_subst(a, field->type, d->params, con->args, n);
}

/* ============================================================== print */

typedef struct {
    char *buf;
    size_t cap, len;
    sym_t module;
} out_t;

static void put(out_t *o, const char *s)
{
    size_t n = strlen(s);
    if (o->len < o->cap) {
        size_t room = o->cap - o->len - 1;
        memcpy(o->buf + o->len, s, n < room ? n : room);
        o->buf[o->len + (n < room ? n : room)] = 0;
    }
    o->len += n;
}

static void print_rec(out_t *o, const ty_t *t, int depth);

static void print_list(out_t *o, ty_t *const *args, uint32_t n, int depth)
{
    for (uint32_t i = 0; i < n; i++) {
        if (i)
            put(o, ", ");
        print_rec(o, args[i], depth + 1);
    }
}

static void print_con(out_t *o, const ty_t *t, int depth)
{
    const ty_decl_t *d = t->decl;
    if (d->module && o->module && d->module != o->module) {
        put(o, d->module);
        put(o, ".");
    }
    put(o, d->name);
    /* Set and Queue are monomorphic: Set<T> prints as Set (5.1). */
    if (t->nargs && d->builtin != TY_B_SET) {
        put(o, "<");
        print_list(o, t->args, t->nargs, depth);
        put(o, ">");
    }
}

static void print_rec(out_t *o, const ty_t *t, int depth)
{
    char tmp[32];
    if (depth > 40) {
        put(o, "...");
        return;
    }
    t = ty_resolve((ty_t *)t);
    switch (t->kind) {
    case TY_VAR:
        if (t->name) {
            put(o, t->name);
        } else {
            snprintf(tmp, sizeof tmp, "?%u", t->id);
            put(o, tmp);
        }
        break;
    case TY_INT: put(o, "Int"); break;
    case TY_FLOAT: put(o, "Float"); break;
    case TY_BOOL: put(o, "Bool"); break;
    case TY_STRING: put(o, "String"); break;
    case TY_UNIT: put(o, "()"); break;
    case TY_NEVER: put(o, "Never"); break;
    case TY_TUPLE:
        put(o, "(");
        print_list(o, t->args, t->nargs, depth);
        put(o, ")");
        break;
    case TY_FUN:
        put(o, "(");
        print_list(o, t->args, t->nargs, depth);
        put(o, ") -> ");
        print_rec(o, t->ret, depth + 1);
        break;
    case TY_CON:
        print_con(o, t, depth);
        break;
    }
}

size_t ty_print(char *buf, size_t cap, const ty_t *t, sym_t cur_module)
{
    out_t o = {buf, cap, 0, cur_module};
    if (cap)
        buf[0] = 0;
    print_rec(&o, t, 0);
    return o.len;
}

const char *ty_str(ty_checker_t *ck, ty_t *t)
{
    char small[256];
    /* Single-module programs print their own types unqualified; with several
     * modules, other modules' types are qualified (10.4). */
    sym_t mod = ck->nmods > 1 ? "" : NULL;
    size_t n = ty_print(small, sizeof small, t, mod);
    char *s = arena_alloc(ck->a, n + 1);
    if (n < sizeof small) {
        memcpy(s, small, n + 1);
    } else {
        ty_print(s, n + 1, t, mod);
    }
    return s;
}
