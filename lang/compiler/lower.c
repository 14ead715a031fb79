/* lower.c: the lowering's driver: program entry, function instances
 * (monomorphization), type representation and descriptors, and the small
 * statement helpers the other lower_*.c files build on.
 *
 * Monomorphization is demand driven: lw_instance() names an instance of a
 * checker function (ty_fn_t) at concrete type arguments, creates its IR
 * function on first use and queues it; lower_program() drains the queue, so
 * only functions reachable from main (and module constants) are emitted.
 */
#include "lang/compiler/lower_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lang/compiler/diag.h"
#include "lang/compiler/park.h"
#include "lang/compiler/source.h"

/* {====== Diagnostics and small helpers */

void lw_unsupported(lower_t *lw, span_t span, const char *what)
{
    diag_error(lw->c->diag, span, "E0999", "not supported by the code generator yet: %s", what);
    lw->errors++;
}

uint32_t lw_line(lower_t *lw, span_t span)
{
    if (!lw->c->sources || span.file >= lw->c->sources->count)
        return 0;
    uint32_t line = 0, col = 0;
    source_line_col(lw->c->sources, span.file, span.start, &line, &col);
    return line;
}

char *lw_fmt(lower_t *lw, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    if ((size_t)n >= sizeof buf)
        n = sizeof buf - 1;
    return arena_strndup(lw->a, buf, (size_t)n);
}

/* Snow identifiers may contain characters C does not allow (`?`, `!`). */
const char *lw_c_ident(lower_t *lw, const char *s)
{
    size_t n = strlen(s);
    char *out = arena_strndup(lw->a, s, n);
    for (size_t i = 0; i < n; i++) {
        char ch = out[i];
        bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
        if (!ok)
            out[i] = '_';
    }
    return out;
}

void lw_push(lower_t *lw, ir_stmt_t *s) { ir_push(lw->a, lw->fx->cur, s); }

uint32_t lw_temp(lower_t *lw, ir_rep_t rep) { return ir_local(lw->a, lw->fx->f, NULL, rep); }

ir_expr_t *lw_local(lower_t *lw, uint32_t local) { return ir_local_ref(lw->a, lw->fx->f, local); }

void lw_assign(lower_t *lw, uint32_t local, ir_expr_t *e, uint32_t line)
{
    ir_stmt_t *s = ir_stmt(lw->a, IR_S_ASSIGN, line);
    s->local = local;
    s->e = e;
    lw_push(lw, s);
}

ir_expr_t *lw_hoist(lower_t *lw, ir_expr_t *e, uint32_t line)
{
    if (e->rep == IR_REP_UNIT) {
        ir_stmt_t *s = ir_stmt(lw->a, IR_S_EXPR, line);
        s->e = e;
        lw_push(lw, s);
        return ir_unit(lw->a);
    }
    uint32_t t = lw_temp(lw, e->rep);
    lw_assign(lw, t, e, line);
    return lw_local(lw, t);
}

ir_expr_t *lw_string(lower_t *lw, const char *bytes, uint32_t len)
{
    return ir_str(lw->a, ir_add_string(lw->a, lw->p, bytes, len));
}

void lw_bind(lower_t *lw, ty_binding_t *b, uint32_t local)
{
    lw_fn_t *fx = lw->fx;
    ARENA_RESERVE(lw->a, fx->binds, fx->nbinds, fx->cap_binds, 16);
    fx->binds[fx->nbinds].b = b;
    fx->binds[fx->nbinds].name = b ? b->name : NULL;
    fx->binds[fx->nbinds].local = local;
    fx->nbinds++;
}

static bool visible(lw_fn_t *fx, ty_binding_t *b)
{
    for (; fx; fx = fx->parent)
        for (uint32_t i = 0; i < fx->nbinds; i++)
            if (fx->binds[i].b == b)
                return true;
    return false;
}

static int64_t lookup_in(lower_t *lw, lw_fn_t *fx, ty_binding_t *b)
{
    for (uint32_t i = fx->nbinds; i-- > 0;)
        if (fx->binds[i].b == b)
            return fx->binds[i].local;
    if (!fx->parent || !visible(fx->parent, b))
        return -1;
    /* A closure's free variable: a local loaded from the closure record. */
    lw_fn_t *saved = lw->fx;
    lw->fx = fx;
    uint32_t local = ir_local(lw->a, fx->f, lw_c_ident(lw, b->name), lw_rep(lw_ty(lw, b->type)));
    lw->fx = saved;
    if (fx->ncaps == fx->cap_caps) {
        uint32_t ncap = fx->cap_caps ? fx->cap_caps * 2 : 8;
        ty_binding_t **n = ARENA_ARRAY(lw->a, ty_binding_t *, ncap);
        uint32_t *nl = ARENA_ARRAY(lw->a, uint32_t, ncap);
        if (fx->ncaps) {
            memcpy(n, fx->caps, sizeof(*n) * fx->ncaps);
            memcpy(nl, fx->f->capture_locals, sizeof(*nl) * fx->ncaps);
        }
        fx->caps = n;
        fx->f->capture_locals = nl;
        fx->cap_caps = ncap;
    }
    fx->caps[fx->ncaps] = b;
    fx->f->capture_locals[fx->ncaps] = local;
    fx->ncaps++;
    fx->f->ncaptures = fx->ncaps;
    saved = lw->fx;
    lw->fx = fx;
    lw_bind(lw, b, local);
    lw->fx = saved;
    return local;
}

int64_t lw_lookup(lower_t *lw, ty_binding_t *b)
{
    int64_t local = lookup_in(lw, lw->fx, b);
    if (local >= 0 || !b)
        return local;
    /* The checker may re-infer an expression (a closure on the right of
     * |>) and leave the pattern and the uses with different binding
     * objects; the innermost binding of the same name is the one meant. */
    lw_fn_t *fx = lw->fx;
    for (uint32_t i = fx->nbinds; i-- > 0;)
        if (fx->binds[i].name == b->name) {
            lw_bind(lw, b, fx->binds[i].local);
            return fx->binds[i].local;
        }
    return -1;
}

ir_stmt_t *lw_block_begin(lower_t *lw, ir_block_t **saved)
{
    ir_stmt_t *blk = ir_stmt(lw->a, IR_S_BLOCK, 0);
    blk->label = lw->fx->f->next_label++;
    *saved = lw->fx->cur;
    lw->fx->cur = &blk->then;
    return blk;
}

void lw_block_end(lower_t *lw, ir_stmt_t *blk, ir_block_t *saved)
{
    lw->fx->cur = saved;
    lw_push(lw, blk);
}

void lw_exit(lower_t *lw, uint32_t label, uint32_t line)
{
    ir_stmt_t *s = ir_stmt(lw->a, IR_S_EXIT, line);
    s->label = label;
    lw_push(lw, s);
}

void lw_panic(lower_t *lw, const char *msg, uint32_t line)
{
    ir_stmt_t *s = ir_stmt(lw->a, IR_S_PANIC, line);
    s->msg = msg;
    lw_push(lw, s);
}

/* }====== */

/* {====== Types */

ty_t *lw_ty(lower_t *lw, ty_t *t)
{
    if (!t) {
        ty_t *u = ARENA_NEW(lw->a, ty_t);
        u->kind = TY_UNIT;
        return u;
    }
    t = ty_zonk(lw->a, t, true);
    if (lw->fx && lw->fx->nsubst)
        t = ty_subst(lw->a, t, lw->fx->vars, lw->fx->args, lw->fx->nsubst);
    return t;
}

bool lw_is_builtin(ty_t *t, ty_builtin_t b)
{
    t = ty_resolve(t);
    return t->kind == TY_CON && t->decl && t->decl->builtin == b;
}

ir_rep_t lw_rep(ty_t *t)
{
    t = ty_resolve(t);
    switch (t->kind) {
    case TY_INT:
        return IR_REP_INT;
    case TY_FLOAT:
        return IR_REP_FLOAT;
    case TY_BOOL:
        return IR_REP_BOOL;
    case TY_UNIT:
    case TY_NEVER:
        return IR_REP_UNIT;
    case TY_VAR:
        return t->level == TY_LEVEL_GENERIC ? IR_REP_WORD : IR_REP_UNIT;
    case TY_CON:
        if (t->decl && t->decl->builtin == TY_B_PID)
            return IR_REP_INT;
        return IR_REP_PTR;
    default:
        return IR_REP_PTR;
    }
}

/* A growable string in the arena (old buffers are abandoned to it). */
typedef struct {
    char *buf;
    size_t len, cap;
} sb_t;

static void sb_add(lower_t *lw, sb_t *sb, const char *s)
{
    size_t n = strlen(s);
    if (sb->len + n + 1 > sb->cap) {
        size_t ncap = (sb->cap ? sb->cap * 2 : 64) + n;
        char *nb = arena_alloc(lw->a, ncap);
        if (sb->len)
            memcpy(nb, sb->buf, sb->len);
        sb->buf = nb;
        sb->cap = ncap;
    }
    memcpy(sb->buf + sb->len, s, n + 1);
    sb->len += n;
}

/* Prefix notation with fixed arities, so equal strings mean equal types. */
static void mangle_into(lower_t *lw, sb_t *sb, ty_t *t)
{
    t = ty_resolve(t);
    const char *s = "Unit";
    switch (t->kind) {
    case TY_INT:
        s = "Int";
        break;
    case TY_FLOAT:
        s = "Float";
        break;
    case TY_BOOL:
        s = "Bool";
        break;
    case TY_STRING:
        s = "String";
        break;
    case TY_UNIT:
    case TY_NEVER:
        s = "Unit";
        break;
    case TY_VAR:
        s = "W";
        break;
    case TY_TUPLE:
        s = lw_fmt(lw, "Tup%u", t->nargs);
        break;
    case TY_FUN:
        s = lw_fmt(lw, "Fn%u", t->nargs);
        break;
    case TY_CON:
        if (t->decl->module && strcmp(t->decl->module, "Main") != 0)
            s = lw_fmt(lw, "%s_%s", t->decl->module, t->decl->name);
        else
            s = t->decl->name;
        break;
    }
    if (sb->len)
        sb_add(lw, sb, "_");
    sb_add(lw, sb, lw_c_ident(lw, s));
    for (uint32_t i = 0; i < t->nargs; i++)
        mangle_into(lw, sb, t->args[i]);
    if (t->kind == TY_FUN && t->ret)
        mangle_into(lw, sb, t->ret);
}

const char *lw_mangle(lower_t *lw, ty_t *t)
{
    sb_t sb = {0};
    mangle_into(lw, &sb, t);
    return sb.len ? sb.buf : "";
}

ty_t *lw_prim(lower_t *lw, ty_kind_t k)
{
    ty_t *t = ARENA_NEW(lw->a, ty_t);
    t->kind = k;
    return t;
}

static ty_t *fun1(lower_t *lw, ty_t *a, ty_t *b, uint32_t n, ty_t *ret)
{
    ty_t *t = lw_prim(lw, TY_FUN);
    t->args = ARENA_ARRAY(lw->a, ty_t *, 2);
    t->args[0] = a;
    t->args[1] = b;
    t->nargs = n;
    t->ret = ret;
    return t;
}

static uint32_t new_type(lower_t *lw, const char *key)
{
    ir_program_t *p = lw->p;
    ARENA_RESERVE(lw->a, p->types, p->ntypes, p->cap_types, 16);
    ir_type_t *t = &p->types[p->ntypes];
    memset(t, 0, sizeof *t);
    t->key = key;
    t->display = t->debug = t->eq = t->cmp = t->hash = -1;
    return p->ntypes++;
}

static uint32_t builtin_type(lower_t *lw, const char *key, const char *name)
{
    uint32_t i = new_type(lw, key);
    lw->p->types[i].builtin = name;
    return i;
}

static uint32_t *type_list(lower_t *lw, ty_t **ts, uint32_t n)
{
    uint32_t *out = ARENA_ARRAY(lw->a, uint32_t, n ? n : 1);
    for (uint32_t i = 0; i < n; i++)
        out[i] = lw_type(lw, ts[i]);
    return out;
}

static int32_t user_callback(lower_t *lw, ty_trait_kind_t k, ty_t *t);

static void user_decl_type(lower_t *lw, uint32_t idx, ty_t *t)
{
    ty_decl_t *d = t->decl;
    uint32_t flags = 0;
    if (d->derived & (1u << TY_TR_DISPLAY))
        flags |= IR_TF_DISPLAY;
    if (d->derived & (1u << TY_TR_DEBUG))
        flags |= IR_TF_DEBUG;
    if (d->derived & (1u << TY_TR_JSON))
        flags |= IR_TF_JSON;
    lw->p->types[idx].name = d->name;
    lw->p->types[idx].flags = flags;
    if (d->kind == TY_DECL_STRUCT) {
        lw->p->types[idx].kind = IR_KIND_STRUCT;
        ty_t **fts = ARENA_ARRAY(lw->a, ty_t *, d->nfields ? d->nfields : 1);
        const char **names = ARENA_ARRAY(lw->a, const char *, d->nfields ? d->nfields : 1);
        for (uint32_t i = 0; i < d->nfields; i++) {
            fts[i] = ty_field_type(lw->a, t, &d->fields[i]);
            names[i] = d->fields[i].name;
        }
        uint32_t *params = type_list(lw, fts, d->nfields);
        lw->p->types[idx].params = params;
        lw->p->types[idx].nparams = d->nfields;
        lw->p->types[idx].field_names = d->nfields ? names : NULL;
    } else {
        lw->p->types[idx].kind = IR_KIND_SUM;
        ir_tvariant_t *vs = ARENA_ARRAY(lw->a, ir_tvariant_t, d->nvariants ? d->nvariants : 1);
        for (uint32_t v = 0; v < d->nvariants; v++) {
            ty_variant_t *var = &d->variants[v];
            ty_t **fts = ARENA_ARRAY(lw->a, ty_t *, var->nfields ? var->nfields : 1);
            for (uint32_t i = 0; i < var->nfields; i++)
                fts[i] = ty_field_type(lw->a, t, &var->fields[i]);
            vs[v].name = var->name;
            vs[v].count = var->nfields;
            vs[v].fields = type_list(lw, fts, var->nfields);
        }
        lw->p->types[idx].variants = vs;
        lw->p->types[idx].nvariants = d->nvariants;
    }
    if (d->builtin == TY_B_NONE) {
        int32_t cb[5];
        const ty_trait_kind_t ks[5] = {TY_TR_DISPLAY, TY_TR_DEBUG, TY_TR_EQ, TY_TR_ORD, TY_TR_HASH};
        for (int k = 0; k < 5; k++)
            cb[k] = user_callback(lw, ks[k], t);
        ir_type_t *it = &lw->p->types[idx];
        it->display = cb[0];
        it->debug = cb[1];
        it->eq = cb[2];
        it->cmp = cb[3];
        it->hash = cb[4];
    } else {
        lw->p->types[idx].flags |= IR_TF_DEBUG_AS_DISPLAY | IR_TF_DISPLAY;
        if (d->builtin == TY_B_OPTION)
            lw->p->types[idx].flags |= IR_TF_OPTION;
    }
}

static const char *scalar_builtin(ty_t *t)
{
    switch (t->kind) {
    case TY_INT:
        return "snow_type_int";
    case TY_FLOAT:
        return "snow_type_float";
    case TY_BOOL:
        return "snow_type_bool";
    case TY_STRING:
        return "snow_type_string";
    case TY_UNIT:
    case TY_NEVER:
    case TY_VAR:
        return "snow_type_unit";
    default:
        return NULL;
    }
}

static const char *con_builtin(ty_t *t)
{
    ty_t *a0 = t->nargs ? ty_resolve(t->args[0]) : NULL;
    switch (t->decl->builtin) {
    case TY_B_LIST:
        if (a0 && a0->kind == TY_INT)
            return "snow_type_list_int";
        if (a0 && a0->kind == TY_STRING)
            return "snow_type_list_string";
        return NULL;
    case TY_B_OPTION:
        if (a0 && a0->kind == TY_INT)
            return "snow_type_option_int";
        if (a0 && a0->kind == TY_FLOAT)
            return "snow_type_option_float";
        if (a0 && a0->kind == TY_STRING)
            return "snow_type_option_string";
        return NULL;
    case TY_B_SET:
        return "snow_type_set";
    case TY_B_QUEUE:
        return "snow_type_queue";
    case TY_B_RANGE:
        return "snow_type_range";
    case TY_B_JSON:
        return "snow_type_json";
    case TY_B_PID:
        return "snow_type_pid";
    case TY_B_ORDERING:
        return "snow_type_ordering";
    default:
        return NULL;
    }
}

uint32_t lw_type(lower_t *lw, ty_t *t)
{
    t = ty_resolve(t);
    const char *key = lw_mangle(lw, t);
    for (uint32_t i = 0; i < lw->p->ntypes; i++)
        if (strcmp(lw->p->types[i].key, key) == 0)
            return i;
    const char *b = scalar_builtin(t);
    if (!b && t->kind == TY_CON)
        b = con_builtin(t);
    if (b)
        return builtin_type(lw, key, b);
    uint32_t idx = new_type(lw, key);
    switch (t->kind) {
    case TY_TUPLE: {
        uint32_t *params = type_list(lw, t->args, t->nargs);
        lw->p->types[idx].kind = IR_KIND_TUPLE;
        lw->p->types[idx].params = params;
        lw->p->types[idx].nparams = t->nargs;
        break;
    }
    case TY_FUN:
        lw->p->types[idx].kind = IR_KIND_FUNCTION;
        break;
    case TY_CON:
        if (t->decl->builtin == TY_B_LIST || t->decl->builtin == TY_B_MAP) {
            uint32_t *params = type_list(lw, t->args, t->nargs);
            lw->p->types[idx].kind = t->decl->builtin == TY_B_LIST ? IR_KIND_LIST : IR_KIND_MAP;
            lw->p->types[idx].params = params;
            lw->p->types[idx].nparams = t->nargs;
        } else if (t->decl->kind == TY_DECL_STRUCT || t->decl->kind == TY_DECL_SUM) {
            user_decl_type(lw, idx, t);
        } else {
            lw->p->types[idx].kind = IR_KIND_UNIT;
        }
        break;
    default:
        lw->p->types[idx].kind = IR_KIND_UNIT;
        break;
    }
    return idx;
}

ir_expr_t *lw_type_expr(lower_t *lw, ty_t *t) { return ir_type_ref(lw->a, lw_type(lw, t)); }

/* }====== */

/* {====== Instances */

/* Binds the quantified variables of pat to the parts of the concrete type
 * conc they stand for. */
static void match_ty(ty_t *pat, ty_t *conc, ty_t *const *vars, ty_t **out, uint32_t n)
{
    pat = ty_resolve(pat);
    conc = ty_resolve(conc);
    if (pat->kind == TY_VAR) {
        for (uint32_t i = 0; i < n; i++)
            if (ty_resolve(vars[i]) == pat && !out[i])
                out[i] = conc;
        return;
    }
    if (pat->kind != conc->kind)
        return;
    uint32_t m = pat->nargs < conc->nargs ? pat->nargs : conc->nargs;
    for (uint32_t i = 0; i < m; i++)
        match_ty(pat->args[i], conc->args[i], vars, out, n);
    if (pat->kind == TY_FUN && pat->ret && conc->ret)
        match_ty(pat->ret, conc->ret, vars, out, n);
}

static const char *module_prefix(lower_t *lw, sym_t module)
{
    return lw_c_ident(lw, module ? module : "Main");
}

static const char *fn_c_name(lower_t *lw, ty_fn_t *fn, ty_t **args, uint32_t nargs)
{
    const char *base;
    if (fn->kind == TY_FN_METHOD || fn->kind == TY_FN_DEFAULT) {
        const char *target = "";
        if (fn->impl && fn->impl->decl)
            target = fn->impl->decl->name;
        else if (fn->impl && fn->impl->target)
            target = lw_mangle(lw, fn->impl->target);
        base = lw_fmt(lw, "snow_fn_%s_%s_%s", module_prefix(lw, fn->module), lw_c_ident(lw, target),
                      lw_c_ident(lw, fn->name));
    } else {
        base = lw_fmt(lw, "snow_fn_%s_%s", module_prefix(lw, fn->module), lw_c_ident(lw, fn->name));
    }
    for (uint32_t i = 0; i < nargs; i++)
        base = lw_fmt(lw, "%s%s%s", base, i ? "_" : "__", lw_mangle(lw, args[i]));
    /* Arity overloads and same-named nested functions get a numeric suffix. */
    const char *name = base;
    for (uint32_t k = 2;; k++) {
        bool clash = false;
        for (uint32_t i = 0; i < lw->p->nfuncs && !clash; i++)
            clash = strcmp(lw->p->funcs[i]->c_name, name) == 0;
        if (!clash)
            return name;
        name = lw_fmt(lw, "%s_%u", base, k);
    }
}

uint32_t lw_instance(lower_t *lw, ty_fn_t *fn, ty_t **args, uint32_t nargs)
{
    sb_t sb = {0};
    sb_add(lw, &sb, lw_fmt(lw, "%u", fn->id));
    ty_t **cargs = ARENA_ARRAY(lw->a, ty_t *, nargs ? nargs : 1);
    for (uint32_t i = 0; i < nargs; i++) {
        cargs[i] = args[i] ? ty_zonk(lw->a, args[i], true) : lw_prim(lw, TY_UNIT);
        sb_add(lw, &sb, "|");
        sb_add(lw, &sb, lw_mangle(lw, cargs[i]));
    }
    const char *key = sb.buf;
    int64_t found = lw_find_func(lw, key);
    if (found >= 0)
        return (uint32_t)found;
    ty_t *fty = fn->scheme ? ty_subst(lw->a, ty_zonk(lw->a, fn->scheme->type, true),
                                      fn->scheme->vars, cargs, nargs)
                           : lw_prim(lw, TY_UNIT);
    fty = ty_resolve(fty);
    ir_func_t *f = ir_func_new(lw->a, fn_c_name(lw, fn, cargs, nargs),
                               fty->kind == TY_FUN ? lw_rep(fty->ret) : IR_REP_UNIT);
    f->snow_name = lw_fmt(lw, "%s.%s/%u", fn->module ? fn->module : "Main", fn->name, fn->arity);
    return lw_queue_func(lw, f, key, (lw_work_t){.fn = fn, .args = cargs, .nargs = nargs});
}

int64_t lw_find_func(lower_t *lw, const char *key)
{
    for (uint32_t i = 0; i < lw->ninsts; i++)
        if (strcmp(lw->insts[i].key, key) == 0)
            return lw->insts[i].func;
    return -1;
}

uint32_t lw_add_func(lower_t *lw, ir_func_t *f, const char *key)
{
    uint32_t idx = ir_add_func(lw->a, lw->p, f);
    ARENA_RESERVE(lw->a, lw->insts, lw->ninsts, lw->cap_insts, 32);
    lw->insts[lw->ninsts++] = (lw_inst_t){key, idx};
    return idx;
}

uint32_t lw_queue_func(lower_t *lw, ir_func_t *f, const char *key, lw_work_t w)
{
    uint32_t idx = lw_add_func(lw, f, key);
    w.func = idx;
    w.key = key;
    w.depth = lw->depth + 1;
    ARENA_RESERVE(lw->a, lw->work, lw->nwork, lw->cap_work, 32);
    lw->work[lw->nwork++] = w;
    return idx;
}

uint32_t lw_instance_for(lower_t *lw, ty_fn_t *fn, ty_t *want)
{
    uint32_t n = fn->scheme ? fn->scheme->nvars : 0;
    ty_t **out = ARENA_ARRAY(lw->a, ty_t *, n ? n : 1);
    if (n)
        match_ty(fn->scheme->type, want, fn->scheme->vars, out, n);
    return lw_instance(lw, fn, out, n);
}

ty_fn_t *lw_impl_method(lower_t *lw, ty_trait_t *trait, ty_t *t, sym_t method)
{
    if (!trait)
        return NULL;
    ty_impl_t *impl = ty_find_impl(lw->tp, trait, t);
    if (!impl || impl->derived || impl->builtin)
        return NULL;
    bool is_default = false;
    return ty_impl_method(lw->tp, impl, method, &is_default);
}

/* A runtime callback (snow_text_cb etc.) calling the user impl of trait k
 * for t, or -1 when t has no user impl of it. */
static int32_t user_callback(lower_t *lw, ty_trait_kind_t k, ty_t *t)
{
    ty_trait_t *trait = k < lw->tp->ntraits ? lw->tp->traits[k] : NULL;
    sym_t names[TY_TR_COUNT] = {0};
    names[TY_TR_DISPLAY] = lw->s_to_string;
    names[TY_TR_DEBUG] = lw->s_inspect;
    names[TY_TR_EQ] = lw->s_eq;
    names[TY_TR_ORD] = lw->s_lt;
    names[TY_TR_HASH] = lw->s_hash;
    ty_fn_t *m = lw_impl_method(lw, trait, t, names[k]);
    if (!m)
        return -1;
    ty_t *ret = lw_prim(lw, k == TY_TR_DISPLAY || k == TY_TR_DEBUG ? TY_STRING
                         : k == TY_TR_HASH                      ? TY_INT
                                                                : TY_BOOL);
    bool binary = k == TY_TR_EQ || k == TY_TR_ORD;
    uint32_t inst = lw_instance_for(lw, m, fun1(lw, t, t, binary ? 2 : 1, ret));
    const char *what[] = {[TY_TR_DISPLAY] = "display",
                          [TY_TR_DEBUG] = "debug",
                          [TY_TR_EQ] = "eq",
                          [TY_TR_ORD] = "cmp",
                          [TY_TR_HASH] = "hash"};
    ir_func_t *f = ir_func_new(
        lw->a, lw_fmt(lw, "snow_cb_%s_%s_%u", what[k], lw_mangle(lw, t), lw->nclosures++),
        k == TY_TR_HASH ? IR_REP_INT
        : k == TY_TR_EQ ? IR_REP_BOOL
                        : IR_REP_PTR);
    f->c_ret = k == TY_TR_ORD                             ? "int"
               : (k == TY_TR_DISPLAY || k == TY_TR_DEBUG) ? "snow_string_t *"
                                                          : NULL;
    uint32_t fi = ir_add_func(lw->a, lw->p, f);
    ir_rep_t rep = lw_rep(t);
    ir_local(lw->a, f, "a", IR_REP_WORD);
    if (binary)
        ir_local(lw->a, f, "b", IR_REP_WORD);
    f->nparams = binary ? 2 : 1;
    ir_expr_t *x = ir_from_word(lw->a, ir_local_ref(lw->a, f, 0), rep);
    ir_expr_t *y = binary ? ir_from_word(lw->a, ir_local_ref(lw->a, f, 1), rep) : NULL;
    ir_expr_t *call = ARENA_NEW(lw->a, ir_expr_t);
    call->kind = IR_E_CALL;
    call->rep = lw_rep(ret);
    call->index = inst;
    call->args = ARENA_ARRAY(lw->a, ir_expr_t *, 2);
    call->args[0] = x;
    call->args[1] = y;
    call->nargs = binary ? 2 : 1;
    ir_stmt_t *r = ir_stmt(lw->a, IR_S_RETURN, 0);
    if (k == TY_TR_ORD) {
        /* cmp(a, b) from lt: lt(a, b) ? -1 : lt(b, a) ? 1 : 0 */
        ir_expr_t *swapped = ARENA_NEW(lw->a, ir_expr_t);
        *swapped = *call;
        swapped->args = ARENA_ARRAY(lw->a, ir_expr_t *, 2);
        swapped->args[0] = y;
        swapped->args[1] = x;
        ir_expr_t *inner = ARENA_NEW(lw->a, ir_expr_t);
        inner->kind = IR_E_COND;
        inner->rep = IR_REP_INT;
        inner->a = swapped;
        inner->b = ir_int(lw->a, 1);
        inner->c = ir_int(lw->a, 0);
        ir_expr_t *outer = ARENA_NEW(lw->a, ir_expr_t);
        *outer = *inner;
        outer->a = call;
        outer->b = ir_int(lw->a, -1);
        outer->c = inner;
        r->e = outer;
    } else {
        r->e = call;
    }
    ir_push(lw->a, &f->body, r);
    return (int32_t)fi;
}

/* }====== */

/* {====== Function bodies */

static bool simple_params(ty_fn_t *fn)
{
    if (fn->nclauses != 1 || fn->clauses[0]->guard)
        return false;
    ast_params_t *ps = &fn->clauses[0]->params;
    for (uint32_t i = 0; i < ps->len; i++) {
        ast_pat_t *p = ps->items[i].pat;
        if (p->kind == AST_PAT_WILD)
            continue;
        if (p->kind != AST_PAT_IDENT || !p->sem)
            return false;
        if (ty_pat_variant(p))
            return false; /* a nullary variant pattern */
    }
    return true;
}

static void lower_work(lower_t *lw, lw_work_t *w)
{
    ty_fn_t *fn = w->fn;
    ir_func_t *f = lw->p->funcs[w->func];
    if (w->depth > LW_MONO_DEPTH_MAX) {
        /* 5.5: an instantiation nested this deep (polymorphic recursion)
         * becomes a function that panics when it is reached. */
        ty_t *ft = fn->scheme ? ty_resolve(ty_subst(lw->a, ty_zonk(lw->a, fn->scheme->type, true),
                                                    fn->scheme->vars, w->args, w->nargs))
                              : lw_prim(lw, TY_UNIT);
        uint32_t n = ft->kind == TY_FUN ? ft->nargs : 0;
        for (uint32_t i = 0; i < n; i++)
            ir_local(lw->a, f, "p", lw_rep(ft->args[i]));
        f->nparams = n;
        ir_stmt_t *pn = ir_stmt(lw->a, IR_S_PANIC, 0);
        pn->msg = lw_fmt(lw, "monomorphization depth limit (%d) exceeded", LW_MONO_DEPTH_MAX);
        ir_push(lw->a, &f->body, pn);
        return;
    }
    if (!fn->scheme || fn->nclauses == 0) {
        /* The checker gave it no type (it reported why); never emit it. */
        span_t at = fn->items && fn->items[0] ? fn->items[0]->span : (span_t){0, 0, 0};
        lw_unsupported(lw, at, lw_fmt(lw, "function `%s` without a checked type", fn->name));
        return;
    }
    lw_fn_t fx = {0};
    fx.tag_src = -1;
    fx.f = f;
    fx.cur = &f->body;
    fx.vars = fn->scheme->vars;
    fx.args = w->args;
    fx.nsubst = w->nargs;
    fx.self_fn = fn;
    fx.self_key = w->key;
    lw->fx = &fx;
    ast_fn_t *c0 = fn->clauses[0];
    span_t span = fn->items && fn->items[0] ? fn->items[0]->span : c0->name_span;
    f->file = span.file;
    f->line = lw_line(lw, span);
    ty_t *fty = ty_resolve(lw_ty(lw, fn->scheme->type));
    uint32_t n = fty->kind == TY_FUN ? fty->nargs : 0;
    uint32_t *locals = ARENA_ARRAY(lw->a, uint32_t, n ? n : 1);
    for (uint32_t i = 0; i < n; i++) {
        ast_pat_t *p = i < c0->params.len ? c0->params.items[i].pat : NULL;
        const char *name = "p";
        if (p && p->kind == AST_PAT_IDENT)
            name = lw_c_ident(lw, p->name);
        locals[i] = ir_local(lw->a, f, name, lw_rep(fty->args[i]));
    }
    f->nparams = n;
    if (simple_params(fn)) {
        for (uint32_t i = 0; i < n && i < c0->params.len; i++)
            if (c0->params.items[i].pat->kind == AST_PAT_IDENT)
                lw_bind(lw, c0->params.items[i].pat->sem, locals[i]);
        lower_tail_block(lw, c0->body, span);
    } else {
        ast_params_t *params = ARENA_ARRAY(lw->a, ast_params_t, fn->nclauses);
        ast_expr_t **guards = ARENA_ARRAY(lw->a, ast_expr_t *, fn->nclauses);
        ast_block_t **bodies = ARENA_ARRAY(lw->a, ast_block_t *, fn->nclauses);
        for (uint32_t k = 0; k < fn->nclauses; k++) {
            params[k] = fn->clauses[k]->params;
            guards[k] = fn->clauses[k]->guard;
            bodies[k] = fn->clauses[k]->body;
        }
        lower_clauses(lw, params, guards, bodies, fn->nclauses, locals, fty->args, span);
    }
    lw->fx = NULL;
}

/* Module constants (2.6, D9): each is a global with a state word and a
 * getter that evaluates the initializer on first use (0 unset, 1 being
 * evaluated, 2 set); a use during its own initialisation panics with
 * `cyclic top-level let`. Getters exist only for constants that are used. */
static uint32_t const_getter(lower_t *lw, ty_binding_t *b, ast_stmt_t *st);

uint32_t lw_const_getter(lower_t *lw, ty_binding_t *b)
{
    for (uint32_t i = 0; i < lw->nconsts; i++)
        if (lw->consts[i].b == b)
            return lw->consts[i].func;
    ast_stmt_t *st = NULL;
    for (uint32_t m = 0; m < lw->tp->nmodules && !st; m++) {
        ty_module_t *mod = &lw->tp->modules[m];
        for (uint32_t i = 0; i < mod->ntop_lets; i++)
            if (mod->top_lets[i] == b)
                st = mod->top_let_stmts[i];
    }
    return const_getter(lw, b, st);
}

/* The getter of the whole value of a destructuring top-level let
 * (`let (lo, hi) = e`): every name's getter takes it apart, so e is
 * evaluated once (D9). */
static uint32_t whole_getter(lower_t *lw, ast_stmt_t *st)
{
    for (uint32_t i = 0; i < lw->nconsts; i++)
        if (!lw->consts[i].b && lw->consts[i].stmt == st)
            return lw->consts[i].func;
    return const_getter(lw, NULL, st);
}

/* b is NULL for the whole value of a destructuring let st. */
static uint32_t const_getter(lower_t *lw, ty_binding_t *b, ast_stmt_t *st)
{
    ir_rep_t rep = lw_rep(ty_zonk(lw->a, b ? b->type : st->expr->ty, true));
    const char *name = b ? lw_c_ident(lw, b->name) : "let";
    ir_func_t *f = ir_func_new(lw->a, lw_fmt(lw, "snow_const_%s_%u", name, lw->nconsts), rep);
    f->snow_name = b ? lw_fmt(lw, "constant %s", b->name) : "top-level let";
    uint32_t fi = ir_add_func(lw->a, lw->p, f);
    ARENA_RESERVE(lw->a, lw->consts, lw->nconsts, lw->cap_consts, 8);
    lw->consts[lw->nconsts++] = (lw_const_t){b, st, fi};
    lw_work_t w = {0};
    w.func = fi;
    w.const_stmt = st;
    w.const_b = b;
    ARENA_RESERVE(lw->a, lw->work, lw->nwork, lw->cap_work, 32);
    lw->work[lw->nwork++] = w;
    return fi;
}

static ir_expr_t *global_ref(lower_t *lw, uint32_t g)
{
    ir_expr_t *x = ARENA_NEW(lw->a, ir_expr_t);
    x->kind = IR_E_GLOBAL;
    x->rep = lw->p->globals[g].rep;
    x->index = g;
    return x;
}

static void set_global(lower_t *lw, uint32_t g, ir_expr_t *v, uint32_t line)
{
    ir_stmt_t *s = ir_stmt(lw->a, IR_S_SET_GLOBAL, line);
    s->local = g;
    s->e = v;
    lw_push(lw, s);
}

static void lower_const(lower_t *lw, lw_work_t *w)
{
    ir_func_t *f = lw->p->funcs[w->func];
    ast_stmt_t *st = w->const_stmt;
    lw_fn_t fx = {0};
    fx.tag_src = -1;
    fx.f = f;
    fx.cur = &f->body;
    lw->fx = &fx;
    const char *name = w->const_b ? lw_c_ident(lw, w->const_b->name) : "let";
    uint32_t line = st ? lw_line(lw, st->span) : 0;
    f->file = st ? st->span.file : 0;
    f->line = line;
    uint32_t g = ir_add_global(lw->a, lw->p, name, f->ret);
    uint32_t state = ir_add_global(lw->a, lw->p, lw_fmt(lw, "%s_state", name), IR_REP_INT);
    ir_stmt_t *done = ir_stmt(lw->a, IR_S_IF, line);
    done->e = ir_bin(lw->a, IR_OP_EQ, IR_REP_INT, global_ref(lw, state), ir_int(lw->a, 2));
    ir_stmt_t *r = ir_stmt(lw->a, IR_S_RETURN, line);
    r->e = global_ref(lw, g);
    ir_push(lw->a, &done->then, r);
    lw_push(lw, done);
    ir_stmt_t *cyc = ir_stmt(lw->a, IR_S_IF, line);
    cyc->e = ir_bin(lw->a, IR_OP_EQ, IR_REP_INT, global_ref(lw, state), ir_int(lw->a, 1));
    ir_stmt_t *pn = ir_stmt(lw->a, IR_S_PANIC, line);
    pn->msg = "cyclic top-level let";
    ir_push(lw->a, &cyc->then, pn);
    lw_push(lw, cyc);
    set_global(lw, state, ir_int(lw->a, 1), line);
    ir_expr_t *v;
    if (st && w->const_b && st->pat && st->pat->kind != AST_PAT_IDENT) {
        /* let (lo, hi) = ...: each name is its own constant, taken apart
         * here from the whole value (evaluated once, by its own getter). */
        ir_func_t *wf = lw->p->funcs[whole_getter(lw, st)];
        ir_expr_t *call = ARENA_NEW(lw->a, ir_expr_t);
        call->kind = IR_E_CALL;
        call->rep = wf->ret;
        call->index = whole_getter(lw, st);
        call->args = ARENA_ARRAY(lw->a, ir_expr_t *, 1);
        v = lw_hoist(lw, call, line);
        lower_bind_pat(lw, st->pat, v, lw_ty(lw, st->expr->ty), line);
        int64_t local = lw_lookup(lw, w->const_b);
        v = local >= 0 ? lw_local(lw, (uint32_t)local) : ir_unit(lw->a);
    } else {
        v = st ? lower_expr(lw, st->expr) : ir_unit(lw->a);
    }
    if (f->ret != IR_REP_UNIT) {
        if (v->rep == IR_REP_WORD && f->ret != IR_REP_WORD)
            v = ir_from_word(lw->a, v, f->ret);
        set_global(lw, g, v, line);
    }
    set_global(lw, state, ir_int(lw->a, 2), line);
    ir_stmt_t *r2 = ir_stmt(lw->a, IR_S_RETURN, line);
    r2->e = global_ref(lw, g);
    lw_push(lw, r2);
    lw->fx = NULL;
}

int lower_program(compile_t *c)
{
    if (!c->typed)
        return 1;
    lower_t lw_ = {0};
    lower_t *lw = &lw_;
    lw->c = c;
    lw->a = c->arena;
    lw->tp = c->typed;
    lw->p = ir_program_new(c->arena);
    lw->s_to_string = intern_cstr(c->interner, "to_string");
    lw->s_inspect = intern_cstr(c->interner, "inspect");
    lw->s_eq = intern_cstr(c->interner, "eq");
    lw->s_lt = intern_cstr(c->interner, "lt");
    lw->s_compare = intern_cstr(c->interner, "compare");
    lw->s_hash = intern_cstr(c->interner, "hash");
    lw->s_underscore = intern_cstr(c->interner, "_");
    uint32_t nfiles = c->sources ? c->sources->count : 0;
    lw->p->files = ARENA_ARRAY(lw->a, const char *, nfiles ? nfiles : 1);
    lw->p->nfiles = nfiles;
    for (uint32_t i = 0; i < nfiles; i++)
        lw->p->files[i] = source_get(c->sources, i)->path;
    c->ir = lw->p;
    if (lw->tp->main_fn)
        lw->p->main_func = (int32_t)lw_instance(lw, lw->tp->main_fn, NULL, 0);
    while (lw->done < lw->nwork) {
        lw_work_t w = lw->work[lw->done++];
        lw->depth = w.depth;
        if (w.actor || w.service)
            lower_actor_work(lw, &w);
        else if (w.const_stmt || w.const_b)
            lower_const(lw, &w);
        else
            lower_work(lw, &w);
    }
    if (lw->errors == 0 && lw->p->uses_procs)
        park_share_spawns(lw->p);
    return lw->errors;
}

/* }====== */
