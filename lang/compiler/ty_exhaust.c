/* ty_exhaust.c: exhaustiveness and redundancy of pattern matches
 * (language.md 5.8; Maranget, "Warnings for pattern matching", JFP 2007).
 *
 * Patterns are first translated to a small model: wildcards (variables, `_`,
 * cons patterns, which count as wildcards), constructors of finite types
 * (Bool, sum types, tuples, unit) and literals of infinite types (Int, Float,
 * String), whose signature is never complete. Usefulness then decides both
 * questions: an arm is redundant when it is not useful after the earlier
 * unguarded arms; a match is exhaustive when the all-wildcard row is not
 * useful after the unguarded arms. The witness search produces the missing
 * patterns for the E0012 message.
 */
#include <string.h>

#include "lang/compiler/ty_check.h"

typedef enum { PM_WILD, PM_CTOR, PM_LIT, PM_OR } pm_kind_t;

typedef struct pm_t {
    pm_kind_t kind;
    uint32_t ctor;        /* CTOR: variant index, Bool value, 0 for tuples/unit */
    uint32_t arity;
    struct pm_t **args;   /* CTOR args; OR alternatives */
    const ast_pat_t *lit; /* LIT: the literal pattern */
} pm_t;

typedef struct {
    ty_checker_t *ck;
    uint32_t budget; /* bounds the work on pathological matches */
    bool gave_up;    /* the budget ran out: the last answer means nothing */
    bool cons_wild;  /* cons patterns as wildcards (coverage) or as a non-empty test (redundancy) */
} ex_t;

static pm_t wild_pm = {PM_WILD, 0, 0, NULL, NULL};

/* ================================================================ model */

static pm_t *pm_new(ex_t *x, pm_kind_t k, uint32_t arity)
{
    pm_t *p = ARENA_NEW(x->ck->a, pm_t);
    p->kind = k;
    p->arity = arity;
    if (arity)
        p->args = ARENA_ARRAY(x->ck->a, pm_t *, arity);
    return p;
}

static pm_t *model(ex_t *x, const ast_pat_t *p)
{
    if (!p)
        return &wild_pm;
    pm_t *m;
    switch (p->kind) {
    case AST_PAT_WILD:
        return &wild_pm;
    case AST_PAT_CONS:
        /* Coverage counts `h :: t` as a wildcard (5.8); for redundancy it
         * only matches non-empty lists, so `h :: t -> ...  _ -> ...` (the
         * idiom of 6.4) has no redundant arm. */
        if (x->cons_wild)
            return &wild_pm;
        m = pm_new(x, PM_CTOR, 2);
        m->ctor = 1; /* List has [] (0, never written) and :: (1) */
        m->args[0] = model(x, p->head);
        m->args[1] = model(x, p->tail);
        return m;
    case AST_PAT_AS:
        return model(x, p->head);
    case AST_PAT_IDENT:
    case AST_PAT_CTOR: {
        ty_variant_t *v = ty_pat_variant(p);
        if (!v)
            return &wild_pm;
        m = pm_new(x, PM_CTOR, v->nfields);
        m->ctor = v->index;
        for (uint32_t i = 0; i < v->nfields; i++)
            m->args[i] = i < p->elems.len ? model(x, p->elems.items[i]) : &wild_pm;
        return m;
    }
    case AST_PAT_BOOL:
        m = pm_new(x, PM_CTOR, 0);
        m->ctor = p->bool_value;
        return m;
    case AST_PAT_NIL:
        return pm_new(x, PM_CTOR, 0);
    case AST_PAT_TUPLE:
        if (p->elems.len == 0)
            return pm_new(x, PM_CTOR, 0);
        m = pm_new(x, PM_CTOR, p->elems.len);
        for (uint32_t i = 0; i < p->elems.len; i++)
            m->args[i] = model(x, p->elems.items[i]);
        return m;
    case AST_PAT_OR:
        m = pm_new(x, PM_OR, p->elems.len);
        for (uint32_t i = 0; i < p->elems.len; i++)
            m->args[i] = model(x, p->elems.items[i]);
        return m;
    case AST_PAT_INT:
    case AST_PAT_FLOAT:
    case AST_PAT_STRING:
        m = pm_new(x, PM_LIT, 0);
        m->lit = p;
        return m;
    }
    return &wild_pm;
}

static bool lit_eq(const ast_pat_t *a, const ast_pat_t *b)
{
    if (a->kind != b->kind)
        return false;
    switch (a->kind) {
    case AST_PAT_INT: return a->int_value == b->int_value;
    case AST_PAT_FLOAT: return a->float_value == b->float_value;
    case AST_PAT_STRING: return a->str_len == b->str_len && !memcmp(a->str, b->str, a->str_len);
    default: return false;
    }
}

/* ============================================================ signature */

/* Number of constructors of t, or 0 when t is infinite. */
static uint32_t sig_count(ty_t *t)
{
    t = ty_resolve(t);
    switch (t->kind) {
    case TY_BOOL: return 2;
    case TY_UNIT: return 1;
    case TY_TUPLE: return 1;
    case TY_CON:
        if (t->decl->builtin == TY_B_LIST)
            return 2;
        return t->decl->kind == TY_DECL_SUM ? t->decl->nvariants : 0;
    default: return 0;
    }
}

static uint32_t ctor_arity(ty_t *t, uint32_t c)
{
    t = ty_resolve(t);
    if (t->kind == TY_TUPLE)
        return t->nargs;
    if (ty_is_con(t, TY_B_LIST))
        return c == 1 ? 2 : 0;
    if (t->kind == TY_CON && t->decl->kind == TY_DECL_SUM && c < t->decl->nvariants)
        return t->decl->variants[c].nfields;
    return 0;
}

static ty_t *ctor_field_type(ex_t *x, ty_t *t, uint32_t c, uint32_t i)
{
    t = ty_resolve(t);
    if (t->kind == TY_TUPLE)
        return t->args[i];
    if (ty_is_con(t, TY_B_LIST))
        return i == 0 && t->nargs ? t->args[0] : t;
    if (t->kind == TY_CON && t->decl->kind == TY_DECL_SUM)
        return ty_field_type(x->ck->a, t, &t->decl->variants[c].fields[i]);
    return ty_fresh(x->ck);
}

/* ============================================================== matrices */

typedef struct {
    pm_t ***rows; /* rows[i][0..ncols) */
    uint32_t nrows, ncols;
} mat_t;

static void mat_push(ex_t *x, mat_t *m, pm_t **row, uint32_t *cap)
{
    if (m->nrows == *cap) {
        uint32_t nc = *cap ? *cap * 2 : 8;
        pm_t ***n = ARENA_ARRAY(x->ck->a, pm_t **, nc);
        if (m->nrows)
            memcpy(n, m->rows, m->nrows * sizeof *n);
        m->rows = n;
        *cap = nc;
    }
    m->rows[m->nrows++] = row;
}

/* Rows with their OR heads expanded. */
static mat_t expand_or(ex_t *x, mat_t in)
{
    mat_t out = {NULL, 0, in.ncols};
    uint32_t cap = 0;
    for (uint32_t i = 0; i < in.nrows; i++) {
        pm_t *h = in.ncols ? in.rows[i][0] : NULL;
        if (!h || h->kind != PM_OR) {
            mat_push(x, &out, in.rows[i], &cap);
            continue;
        }
        for (uint32_t a = 0; a < h->arity; a++) {
            pm_t **r = ARENA_ARRAY(x->ck->a, pm_t *, in.ncols);
            memcpy(r, in.rows[i], in.ncols * sizeof *r);
            r[0] = h->args[a];
            mat_t one = {&r, 1, in.ncols};
            mat_t sub = expand_or(x, one);
            for (uint32_t k = 0; k < sub.nrows; k++)
                mat_push(x, &out, sub.rows[k], &cap);
        }
    }
    return out;
}

/* S(c, P) for a constructor (lit == NULL) or a literal. */
static mat_t specialize(ex_t *x, mat_t m, uint32_t c, uint32_t arity, const ast_pat_t *lit)
{
    mat_t out = {NULL, 0, m.ncols - 1 + arity};
    uint32_t cap = 0;
    for (uint32_t i = 0; i < m.nrows; i++) {
        pm_t *h = m.rows[i][0];
        if (h->kind == PM_CTOR && (lit || h->ctor != c))
            continue;
        if (h->kind == PM_LIT && (!lit || !lit_eq(h->lit, lit)))
            continue;
        pm_t **r = ARENA_ARRAY(x->ck->a, pm_t *, out.ncols ? out.ncols : 1);
        for (uint32_t k = 0; k < arity; k++)
            r[k] = h->kind == PM_CTOR && k < h->arity ? h->args[k] : &wild_pm;
        memcpy(r + arity, m.rows[i] + 1, (m.ncols - 1) * sizeof *r);
        mat_push(x, &out, r, &cap);
    }
    return out;
}

static mat_t default_mat(ex_t *x, mat_t m)
{
    mat_t out = {NULL, 0, m.ncols - 1};
    uint32_t cap = 0;
    for (uint32_t i = 0; i < m.nrows; i++)
        if (m.rows[i][0]->kind == PM_WILD)
            mat_push(x, &out, m.rows[i] + 1, &cap);
    return out;
}

static ty_t **sub_types(ex_t *x, ty_t **types, uint32_t ncols, uint32_t c, uint32_t arity)
{
    ty_t **t = ARENA_ARRAY(x->ck->a, ty_t *, ncols - 1 + arity + 1);
    for (uint32_t k = 0; k < arity; k++)
        t[k] = ctor_field_type(x, types[0], c, k);
    memcpy(t + arity, types + 1, (ncols - 1) * sizeof *t);
    return t;
}

/* ============================================================ usefulness */

static bool useful(ex_t *x, mat_t p, pm_t **q, ty_t **types)
{
    if (x->budget == 0) {
        x->gave_up = true;
        return false;
    }
    x->budget--;
    if (p.ncols == 0)
        return p.nrows == 0;
    p = expand_or(x, p);
    pm_t *h = q[0];
    if (h->kind == PM_OR) {
        for (uint32_t a = 0; a < h->arity; a++) {
            pm_t **q2 = ARENA_ARRAY(x->ck->a, pm_t *, p.ncols);
            memcpy(q2, q, p.ncols * sizeof *q2);
            q2[0] = h->args[a];
            if (useful(x, p, q2, types))
                return true;
        }
        return false;
    }
    if (h->kind == PM_CTOR || h->kind == PM_LIT) {
        uint32_t arity = h->kind == PM_CTOR ? ctor_arity(types[0], h->ctor) : 0;
        mat_t s = specialize(x, p, h->ctor, arity, h->kind == PM_LIT ? h->lit : NULL);
        pm_t **q2 = ARENA_ARRAY(x->ck->a, pm_t *, s.ncols + 1);
        for (uint32_t k = 0; k < arity; k++)
            q2[k] = h->kind == PM_CTOR && k < h->arity ? h->args[k] : &wild_pm;
        memcpy(q2 + arity, q + 1, (p.ncols - 1) * sizeof *q2);
        return useful(x, s, q2, sub_types(x, types, p.ncols, h->ctor, arity));
    }
    uint32_t n = sig_count(types[0]);
    bool complete = n > 0;
    for (uint32_t c = 0; c < n && complete; c++) {
        bool seen = false;
        for (uint32_t i = 0; i < p.nrows && !seen; i++)
            seen = p.rows[i][0]->kind == PM_CTOR && p.rows[i][0]->ctor == c;
        complete = seen;
    }
    if (complete) {
        for (uint32_t c = 0; c < n; c++) {
            uint32_t arity = ctor_arity(types[0], c);
            mat_t s = specialize(x, p, c, arity, NULL);
            pm_t **q2 = ARENA_ARRAY(x->ck->a, pm_t *, s.ncols + 1);
            for (uint32_t k = 0; k < arity; k++)
                q2[k] = &wild_pm;
            memcpy(q2 + arity, q + 1, (p.ncols - 1) * sizeof *q2);
            if (useful(x, s, q2, sub_types(x, types, p.ncols, c, arity)))
                return true;
        }
        return false;
    }
    return useful(x, default_mat(x, p), q + 1, types + 1);
}

/* ============================================================= witnesses */

typedef struct {
    char *buf;
    size_t cap, len;
} sb_t;

static void sb_put(sb_t *s, const char *t)
{
    size_t n = strlen(t);
    if (s->len + n + 1 > s->cap)
        return;
    memcpy(s->buf + s->len, t, n + 1);
    s->len += n;
}

/* A witness constructor remembers how to print itself. */
static pm_t *wctor(ex_t *x, ty_t *t, uint32_t c)
{
    uint32_t arity = ctor_arity(t, c);
    pm_t *m = pm_new(x, PM_CTOR, arity);
    m->ctor = c;
    t = ty_resolve(t);
    m->lit = (const ast_pat_t *)t; /* the column type, for printing */
    for (uint32_t k = 0; k < arity; k++)
        m->args[k] = &wild_pm;
    return m;
}

static void print_pm(sb_t *out, const pm_t *m)
{
    if (m->kind != PM_CTOR) {
        sb_put(out, "_");
        return;
    }
    const ty_t *t = (const ty_t *)m->lit;
    if (ty_is_con(t, TY_B_LIST)) {
        if (m->ctor == 0) {
            sb_put(out, "[]");
            return;
        }
        print_pm(out, m->args[0]);
        sb_put(out, " :: ");
        print_pm(out, m->args[1]);
        return;
    }
    if (t->kind == TY_BOOL)
        sb_put(out, m->ctor ? "true" : "false");
    else if (t->kind == TY_UNIT)
        sb_put(out, "()");
    else if (t->kind == TY_CON)
        sb_put(out, t->decl->variants[m->ctor].name);
    if (m->arity || t->kind == TY_TUPLE) {
        sb_put(out, "(");
        for (uint32_t k = 0; k < m->arity; k++) {
            if (k)
                sb_put(out, ", ");
            print_pm(out, m->args[k]);
        }
        sb_put(out, ")");
    }
}

/* A row of patterns that no row of p matches, or NULL when p is exhaustive. */
static pm_t **witness(ex_t *x, mat_t p, ty_t **types)
{
    if (x->budget == 0)
        return NULL;
    x->budget--;
    if (p.ncols == 0)
        return p.nrows == 0 ? ARENA_ARRAY(x->ck->a, pm_t *, 1) : NULL;
    p = expand_or(x, p);
    uint32_t n = sig_count(types[0]);
    bool present[64] = {0};
    bool any = false;
    for (uint32_t i = 0; i < p.nrows; i++) {
        pm_t *h = p.rows[i][0];
        if (h->kind == PM_CTOR && h->ctor < 64) {
            present[h->ctor] = true;
            any = true;
        }
    }
    bool complete = n > 0 && n <= 64;
    for (uint32_t c = 0; c < n && complete; c++)
        complete = present[c];
    pm_t **w = ARENA_ARRAY(x->ck->a, pm_t *, p.ncols);
    if (complete) {
        for (uint32_t c = 0; c < n; c++) {
            uint32_t arity = ctor_arity(types[0], c);
            mat_t s = specialize(x, p, c, arity, NULL);
            pm_t **sw = witness(x, s, sub_types(x, types, p.ncols, c, arity));
            if (!sw)
                continue;
            pm_t *head = wctor(x, types[0], c);
            for (uint32_t k = 0; k < arity; k++)
                head->args[k] = sw[k];
            w[0] = head;
            memcpy(w + 1, sw + arity, (p.ncols - 1) * sizeof *w);
            return w;
        }
        return NULL;
    }
    pm_t **dw = witness(x, default_mat(x, p), types + 1);
    if (!dw)
        return NULL;
    if (n > 0 && n <= 64 && any) {
        uint32_t c = 0;
        while (present[c])
            c++;
        w[0] = wctor(x, types[0], c);
    } else {
        w[0] = &wild_pm;
    }
    memcpy(w + 1, dw, (p.ncols - 1) * sizeof *w);
    return w;
}

/* ================================================================ driver */

/* The E0012 report: one witness per missing constructor for a single
 * column of a finite type, else one witness row. */
static void report_missing(ex_t *x, mat_t seen, ty_t **col_types, uint32_t arity, span_t where,
                           bool as_warning)
{
    ty_checker_t *ck = x->ck;
    char buf[256];
    sb_t sb = {buf, sizeof buf, 0};
    buf[0] = 0;
    /* Lists are excluded: coverage treats `h :: t` as a wildcard (5.8). */
    uint32_t nsig = arity == 1 && !ty_is_con(ty_resolve(col_types[0]), TY_B_LIST)
                        ? sig_count(col_types[0])
                        : 0;
    if (nsig > 1 && nsig <= 64) {
        uint32_t listed = 0;
        for (uint32_t c = 0; c < nsig && listed < 8; c++) {
            uint32_t ar = ctor_arity(col_types[0], c);
            mat_t sc = specialize(x, expand_or(x, seen), c, ar, NULL);
            pm_t **sw = witness(x, sc, sub_types(x, col_types, 1, c, ar));
            if (!sw)
                continue;
            pm_t *head = wctor(x, col_types[0], c);
            for (uint32_t k = 0; k < ar; k++)
                head->args[k] = sw[k];
            if (listed++)
                sb_put(&sb, ", ");
            print_pm(&sb, head);
        }
    } else {
        pm_t **w = witness(x, seen, col_types);
        for (uint32_t c = 0; w && c < arity; c++) {
            if (c)
                sb_put(&sb, ", ");
            print_pm(&sb, w[c]);
        }
        if (!w)
            sb_put(&sb, "_");
    }
    ty_t *t = arity == 1 ? col_types[0] : ty_tuple(ck, col_types, arity);
    const char *ts = ty_str(ck, t);
    if (as_warning)
        ty_warning(ck, where, "E0012", "non-exhaustive match on `%s`", ts);
    else
        ty_error(ck, where, "E0012", "non-exhaustive match on `%s`", ts);
    ty_message(ck, "non-exhaustive match on `%s`: missing patterns [%s]", ts, buf);
    ty_label(ck, "missing: %s", buf);
    ty_help(ck, "add the missing patterns or a wildcard `_` arm");
}

void ty_exhaust_check(ty_checker_t *ck, ast_pat_t ***rows, const bool *guarded, const span_t *spans,
                      uint32_t nrows, uint32_t arity, ty_t **col_types, span_t where,
                      bool as_warning, bool *exhaustive)
{
    ex_t x = {ck, 200000, false, false};
    *exhaustive = true;
    if (arity == 0)
        return;
    /* Two models per row: cons as a non-empty test (redundancy) and cons
     * as a wildcard (coverage, 5.8). */
    uint32_t cap = nrows ? nrows : 1;
    mat_t red = {ARENA_ARRAY(ck->a, pm_t **, cap), 0, arity};
    mat_t seen = {ARENA_ARRAY(ck->a, pm_t **, cap), 0, arity};
    for (uint32_t i = 0; i < nrows; i++) {
        pm_t **rr = ARENA_ARRAY(ck->a, pm_t *, arity);
        pm_t **cr = ARENA_ARRAY(ck->a, pm_t *, arity);
        for (uint32_t c = 0; c < arity; c++) {
            x.cons_wild = false;
            rr[c] = model(&x, rows[i][c]);
            x.cons_wild = true;
            cr[c] = model(&x, rows[i][c]);
        }
        /* Guarded arms are considered for redundancy but cover nothing. An
         * answer cut short by the budget reports nothing. */
        if (!useful(&x, red, rr, col_types) && !x.gave_up) {
            ty_warning(ck, spans[i], "W0001", "redundant match arm (arm %u)", i + 1);
            ty_message(ck, "redundant match arm at index %u", i);
            ty_label(ck, "this arm is unreachable");
        }
        if (!guarded[i]) {
            red.rows[red.nrows++] = rr;
            seen.rows[seen.nrows++] = cr;
        }
    }
    pm_t **all = ARENA_ARRAY(ck->a, pm_t *, arity);
    for (uint32_t c = 0; c < arity; c++)
        all[c] = &wild_pm;
    x.gave_up = false;
    if (!useful(&x, seen, all, col_types) || x.gave_up)
        return;
    *exhaustive = false;
    report_missing(&x, seen, col_types, arity, where, as_warning);
}
