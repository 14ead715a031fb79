/* ty_unify.c: unification, generalisation and instantiation (language.md 5.2).
 *
 * Algorithm J with union-find and levels: a variable created at level L may
 * be generalised only when checking leaves level L; binding a variable to a
 * type lowers the levels of the variables inside that type, so a variable
 * that escapes into an outer binding is never generalised.
 *
 * Special rules: Never (break/continue/return) unifies with anything and
 * binds nothing; bare `Pid` unifies with every `Pid<M>` (5.1); `Set<T>`
 * means `Set` (its argument is ignored).
 */
#include <string.h>

#include "lang/compiler/ty_check.h"

/* Occurs check plus level adjustment, in one walk. */
static bool occurs_adjust(ty_t *v, ty_t *t, int32_t level)
{
    t = ty_resolve(t);
    if (t == v)
        return true;
    if (t->kind == TY_VAR) {
        if (t->level > level && t->level != TY_LEVEL_GENERIC)
            t->level = level;
        return false;
    }
    for (uint32_t i = 0; i < t->nargs; i++)
        if (occurs_adjust(v, t->args[i], level))
            return true;
    if (t->ret && occurs_adjust(v, t->ret, level))
        return true;
    return false;
}

static bool bind_var(ty_t *v, ty_t *t, bool *occurs)
{
    if (t->kind == TY_NEVER)
        return true; /* Never carries no information */
    if (occurs_adjust(v, t, v->level)) {
        *occurs = true;
        return false;
    }
    v->link = t;
    return true;
}

bool ty_unify_(ty_checker_t *ck, ty_t *a, ty_t *b, bool *occurs)
{
    a = ty_resolve(a);
    b = ty_resolve(b);
    if (a == b)
        return true;
    if (a->kind == TY_NEVER || b->kind == TY_NEVER)
        return true;
    /* A declared type parameter is rigid while its function is checked
     * (5.5: checked once, opaque): flexible variables may become it, it
     * becomes nothing else. */
    if (a->kind == TY_VAR && a->rigid) {
        if (b->kind == TY_VAR && !b->rigid)
            return bind_var(b, a, occurs);
        return false;
    }
    if (b->kind == TY_VAR && b->rigid) {
        if (a->kind == TY_VAR)
            return bind_var(a, b, occurs);
        return false;
    }
    if (a->kind == TY_VAR) {
        /* Keep the user's type-parameter name on the representative. */
        if (b->kind == TY_VAR && a->name && !b->name) {
            b->name = a->name;
        }
        return bind_var(a, b, occurs);
    }
    if (b->kind == TY_VAR)
        return bind_var(b, a, occurs);
    if (a->kind != b->kind)
        return false;
    switch (a->kind) {
    case TY_INT:
    case TY_FLOAT:
    case TY_BOOL:
    case TY_STRING:
    case TY_UNIT:
        return true;
    case TY_TUPLE:
        if (a->nargs != b->nargs)
            return false;
        for (uint32_t i = 0; i < a->nargs; i++)
            if (!ty_unify_(ck, a->args[i], b->args[i], occurs))
                return false;
        return true;
    case TY_FUN:
        if (a->nargs != b->nargs)
            return false;
        for (uint32_t i = 0; i < a->nargs; i++)
            if (!ty_unify_(ck, a->args[i], b->args[i], occurs))
                return false;
        return ty_unify_(ck, a->ret, b->ret, occurs);
    case TY_CON:
        if (a->decl != b->decl)
            return false;
        if (a->decl->builtin == TY_B_SET)
            return true;
        if (a->decl->builtin == TY_B_PID && (a->nargs == 0 || b->nargs == 0))
            return true;
        if (a->nargs != b->nargs)
            return false;
        for (uint32_t i = 0; i < a->nargs; i++)
            if (!ty_unify_(ck, a->args[i], b->args[i], occurs))
                return false;
        return true;
    default:
        return false;
    }
}

bool ty_expect(ty_checker_t *ck, ty_t *expected, ty_t *found, span_t span)
{
    bool occurs = false;
    if (ty_unify_(ck, expected, found, &occurs))
        return true;
    if (occurs) {
        ty_t *e = ty_resolve(expected), *f = ty_resolve(found);
        ty_t *v = e->kind == TY_VAR ? e : f;
        ty_t *t = e->kind == TY_VAR ? f : e;
        ty_error(ck, span, "E0002", "infinite type: %s occurs in %s", ty_str(ck, v), ty_str(ck, t));
        ty_message(ck, "infinite type: `%s` occurs in `%s`", ty_str(ck, v), ty_str(ck, t));
        ty_help(ck, "a value cannot have a type that refers to itself");
        return false;
    }
    const char *es = ty_str(ck, expected), *fs = ty_str(ck, found);
    ty_error(ck, span, "E0001", "expected %s, found %s", es, fs);
    ty_label(ck, "expected %s, found %s", es, fs);
    ty_t *e = ty_resolve(expected), *f = ty_resolve(found);
    ty_message(ck, "type mismatch: expected `%s`, found `%s`", es, fs);
    /* The JSON `fix` suggestions of 10.3. */
    if (ty_is_con(e, TY_B_OPTION) && f->kind != TY_CON && f->kind != TY_VAR)
        ty_fix(ck, "wrap in Some(...)");
    else if (ty_is_con(e, TY_B_RESULT) && f->kind != TY_CON && f->kind != TY_VAR)
        ty_fix(ck, "wrap in Ok(...)");
    else if (e->kind == TY_INT && f->kind == TY_FLOAT)
        ty_fix(ck, "use Int conversion");
    else if (e->kind == TY_FLOAT && f->kind == TY_INT)
        ty_fix(ck, "use Float conversion");
    else if (e->kind == TY_STRING && f->kind != TY_VAR && f->kind != TY_STRING)
        ty_fix(ck, "use to_string()");
    else if (e->kind == TY_BOOL && f->kind != TY_VAR)
        ty_fix(ck, "expected a boolean expression");
    return false;
}

/* ====================================================== generalisation */

typedef struct {
    ty_t **vars;
    uint32_t len, cap;
} varset_t;

static void collect_gen(ty_checker_t *ck, ty_t *t, varset_t *vs)
{
    t = ty_resolve(t);
    if (t->kind == TY_VAR) {
        if (t->level <= ck->level)
            return;
        /* Already generic: a variable shared with another member of the same
         * component, or an impl type parameter; quantify it here too. */
        for (uint32_t i = 0; i < vs->len; i++)
            if (vs->vars[i] == t)
                return;
        t->level = TY_LEVEL_GENERIC;
        if (vs->len == vs->cap) {
            uint32_t cap = vs->cap ? vs->cap * 2 : 8;
            ty_t **n = ARENA_ARRAY(ck->a, ty_t *, cap);
            if (vs->len)
                memcpy(n, vs->vars, vs->len * sizeof(ty_t *));
            vs->vars = n;
            vs->cap = cap;
        }
        vs->vars[vs->len++] = t;
        return;
    }
    for (uint32_t i = 0; i < t->nargs; i++)
        collect_gen(ck, t->args[i], vs);
    if (t->ret)
        collect_gen(ck, t->ret, vs);
}

static void add_bound(ty_checker_t *ck, ty_scheme_t *s, ty_bound_t b)
{
    ty_bound_t *nb = ARENA_ARRAY(ck->a, ty_bound_t, s->nbounds + 1);
    if (s->nbounds)
        memcpy(nb, s->bounds, s->nbounds * sizeof *nb);
    nb[s->nbounds++] = b;
    s->bounds = nb;
}

ty_scheme_t *ty_mono(ty_checker_t *ck, ty_t *t)
{
    ty_scheme_t *s = ARENA_NEW(ck->a, ty_scheme_t);
    s->type = t;
    return s;
}

/* Obligations on the scheme's variables become its bounds and are checked
 * again at every instantiation (5.2, 5.5). */
static void move_obligations(ty_checker_t *ck, ty_scheme_t *s)
{
    uint32_t keep = 0;
    for (uint32_t i = 0; i < ck->nobligs; i++) {
        ty_oblig_t *o = &ck->obligs[i];
        ty_t *r = ty_resolve(o->type);
        if (r->kind != TY_VAR || r->level != TY_LEVEL_GENERIC) {
            ck->obligs[keep++] = *o;
            continue;
        }
        if (o->builtin == TY_TR_JSON_KEY)
            continue; /* a generic key has no bound kind: not checked (known gap) */
        ty_trait_t *tr = o->builtin == TY_TR_USER       ? o->trait
                         : o->builtin == TY_TR_PRINTABLE ? NULL
                                                         : ck->btraits[o->builtin];
        bool dup = false;
        for (uint32_t b = 0; b < s->nbounds && !dup; b++)
            dup = s->bounds[b].var == r && s->bounds[b].trait == tr && !s->bounds[b].elem;
        if (!dup)
            add_bound(ck, s, (ty_bound_t){r, tr, NULL, false, NULL});
    }
    ck->nobligs = keep;
    /* "Display, else Debug" is implied by a Display or Debug bound: keep one
     * bound so a violation is reported once. */
    uint32_t out = 0;
    for (uint32_t b = 0; b < s->nbounds; b++) {
        ty_bound_t *x = &s->bounds[b];
        bool implied = false;
        for (uint32_t k = 0; k < s->nbounds && !implied && !x->trait && !x->elem && !x->field; k++) {
            ty_trait_t *t = s->bounds[k].trait;
            implied = s->bounds[k].var == x->var && t &&
                      (t->builtin == TY_TR_DISPLAY || t->builtin == TY_TR_DEBUG);
        }
        if (!implied)
            s->bounds[out++] = *x;
    }
    s->nbounds = out;
}

/* `for` loops over a collection that became generic: the element type is
 * quantified with it (before the scheme is built) and the loop becomes a
 * bound decided per instantiation. */
static bool quantify_iter_elems(ty_checker_t *ck, varset_t *vs)
{
    bool any = false;
    for (uint32_t i = 0; i < ck->niters && vs->len; i++) {
        ty_t *r = ty_resolve(ck->iters[i].coll);
        bool mine = false;
        for (uint32_t k = 0; k < vs->len && !mine; k++)
            mine = vs->vars[k] == r;
        if (mine) {
            collect_gen(ck, ck->iters[i].elem, vs);
            any = true;
        }
    }
    return any;
}

static void move_iters(ty_checker_t *ck, ty_scheme_t *s)
{
    uint32_t keep = 0;
    for (uint32_t i = 0; i < ck->niters; i++) {
        ty_iter_t *it = &ck->iters[i];
        ty_t *r = ty_resolve(it->coll);
        if (r->kind == TY_VAR && r->level == TY_LEVEL_GENERIC)
            add_bound(ck, s, (ty_bound_t){r, NULL, it->elem, it->map_pair, it->field});
        else
            ck->iters[keep++] = *it;
    }
    ck->niters = keep;
}

ty_scheme_t *ty_generalize(ty_checker_t *ck, ty_t *t)
{
    varset_t vs = {0};
    collect_gen(ck, t, &vs);
    bool iters = quantify_iter_elems(ck, &vs);
    ty_scheme_t *s = ty_mono(ck, t);
    s->vars = vs.vars;
    s->nvars = vs.len;
    if (!vs.len)
        return s;
    if (iters)
        move_iters(ck, s);
    move_obligations(ck, s);
    return s;
}

ty_t *ty_instantiate(ty_checker_t *ck, ty_scheme_t *s, ty_t ***inst, uint32_t *ninst, span_t span)
{
    if (!s->nvars) {
        if (inst) {
            *inst = NULL;
            *ninst = 0;
        }
        return s->type;
    }
    ty_t **fresh = ARENA_ARRAY(ck->a, ty_t *, s->nvars);
    for (uint32_t i = 0; i < s->nvars; i++) {
        fresh[i] = ty_fresh(ck);
        fresh[i]->name = s->vars[i]->name;
    }
    ty_t *t = ty_subst(ck->a, s->type, s->vars, fresh, s->nvars);
    for (uint32_t b = 0; b < s->nbounds; b++) {
        if (s->bounds[b].elem) {
            ty_t *coll = ty_subst(ck->a, s->bounds[b].var, s->vars, fresh, s->nvars);
            ty_t *elem = ty_subst(ck->a, s->bounds[b].elem, s->vars, fresh, s->nvars);
            if (s->bounds[b].field)
                ty_field_push(ck, coll, elem, s->bounds[b].field, NULL, span);
            else
                ty_iter_push(ck, coll, elem, s->bounds[b].map_pair, span);
            continue;
        }
        for (uint32_t i = 0; i < s->nvars; i++) {
            if (s->vars[i] != s->bounds[b].var)
                continue;
            ty_trait_t *tr = s->bounds[b].trait;
            if (!tr)
                ty_require(ck, fresh[i], TY_TR_PRINTABLE, NULL, span);
            else
                ty_require(ck, fresh[i], tr->builtin, tr, span);
        }
    }
    if (inst) {
        *inst = fresh;
        *ninst = s->nvars;
    }
    return t;
}
