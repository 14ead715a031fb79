/* lower_std.c: calls of stdlib and prelude functions (stdlib.md 1.3).
 *
 * The convention shared with the runtime (snow.h): the function
 * `Module.name` is the C function `snow_<module>_<name>` (the checker's
 * c_name with a `snow_` prefix), taking the context first, then the Snow
 * arguments: a parameter whose declared type is a type variable travels as
 * a snow_word_t, every other one in its natural representation, closures as
 * snow_record_t *. A result of type-variable type comes back as a word.
 * Functions that build collections of a type the runtime cannot know take
 * descriptors after the Snow arguments (the `extras` table below).
 * Functions typed by a rule (TY_SPECIAL_*) are expanded here.
 */
#include "lang/compiler/lower_int.h"

#include <string.h>

typedef enum {
    EXTRA_NONE,
    EXTRA_RET_ELEM, /* descriptor of the result list's element */
    EXTRA_RET_KV,   /* descriptors of the result map's key and value */
} extra_t;

static const struct {
    const char *c_name;
    extra_t extra;
} extras[] = {
    {"list_map", EXTRA_RET_ELEM},    {"list_flat_map", EXTRA_RET_ELEM},
    {"list_zip", EXTRA_RET_ELEM},    {"list_enumerate", EXTRA_RET_ELEM},
    {"map_to_list", EXTRA_RET_ELEM}, {"list_new", EXTRA_RET_ELEM},
    {"map_new", EXTRA_RET_KV},
};

static extra_t extra_of(const char *c_name)
{
    for (size_t i = 0; i < sizeof extras / sizeof extras[0]; i++)
        if (strcmp(extras[i].c_name, c_name) == 0)
            return extras[i].extra;
    return EXTRA_NONE;
}

static bool is_var(ty_t *t) { return t && ty_resolve(t)->kind == TY_VAR; }

static ir_expr_t *as_rep(lower_t *lw, ir_expr_t *e, ir_rep_t want)
{
    if (e->rep == want)
        return e;
    if (want == IR_REP_WORD)
        return ir_to_word(lw->a, e);
    if (e->rep == IR_REP_WORD)
        return ir_from_word(lw->a, e, want);
    return e;
}

/* default() at type t (5.4): the built-in defaults, else the user impl. */
static ir_expr_t *default_value(lower_t *lw, ty_t *ret, uint32_t line)
{
    arena_t *a = lw->a;
    ty_t *t = ty_resolve(ret);
    switch (t->kind) {
    case TY_INT:
        return ir_int(a, 0);
    case TY_FLOAT:
        return ir_float(a, 0.0);
    case TY_BOOL:
        return ir_bool(a, false);
    case TY_STRING:
        return lw_string(lw, "", 0);
    case TY_UNIT:
        return ir_unit(a);
    default:
        break;
    }
    sym_t name = intern_cstr(lw->c->interner, "default");
    ty_fn_t *m = lw_impl_method(lw, lw->tp->traits[TY_TR_DEFAULT], t, name);
    if (!m)
        return NULL;
    ty_t *fty = ARENA_NEW(a, ty_t);
    fty->kind = TY_FUN;
    fty->ret = t;
    ir_expr_t *call = ARENA_NEW(a, ir_expr_t);
    call->kind = IR_E_CALL;
    call->index = lw_instance_for(lw, m, fty);
    call->rep = lw_rep(t);
    return lw_hoist(lw, call, line);
}

/* Tuple.first/second/nth/size (D50): a field load when the index is known. */
static ir_expr_t *tuple_fn(lower_t *lw, uint32_t which, ir_expr_t **args, ty_t **tys, uint32_t n,
                           ty_t *ret, uint32_t line)
{
    ty_t *t = n >= 1 ? ty_resolve(tys[0]) : NULL;
    if (!t || t->kind != TY_TUPLE)
        return NULL;
    if (which == TY_SPECIAL_TUPLE_SIZE)
        return ir_int(lw->a, t->nargs);
    uint32_t idx = which == TY_SPECIAL_TUPLE_SECOND ? 1 : 0;
    if (which == TY_SPECIAL_TUPLE_NTH) {
        if (n < 2 || args[1]->kind != IR_E_INT || args[1]->i < 0 || args[1]->i >= t->nargs) {
            ir_expr_t *xs[2] = {args[0], args[1]};
            ir_expr_t *w = lw_hoist(lw, ir_rt(lw->a, "snow_tuple_nth", IR_REP_WORD, xs, 2), line);
            return as_rep(lw, w, lw_rep(ret));
        }
        idx = (uint32_t)args[1]->i;
    }
    /* The component's own type, which is concrete even where the checker
     * left the call's result type open (D50). */
    return ir_field(lw->a, args[0], idx, idx < t->nargs ? lw_rep(t->args[idx]) : lw_rep(ret));
}

static ir_expr_t *special(lower_t *lw, ast_expr_t *call, const ty_builtin_fn_t *fn,
                          ir_expr_t **args, ty_t **tys, uint32_t n, ty_t *ret, uint32_t line)
{
    arena_t *a = lw->a;
    switch (fn->special) {
    case TY_SPECIAL_TO_STRING:
        if (n >= 1)
            return lw_to_string(lw, args[0], tys[0], line);
        break;
    case TY_SPECIAL_INSPECT:
    case TY_SPECIAL_HASH:
        if (n >= 1) {
            ir_expr_t *xs[2] = {lw_type_expr(lw, tys[0]), ir_to_word(a, args[0])};
            bool h = fn->special == TY_SPECIAL_HASH;
            return lw_hoist(
                lw, ir_rt(a, h ? "snow_hash" : "snow_inspect", h ? IR_REP_INT : IR_REP_PTR, xs, 2),
                line);
        }
        break;
    case TY_SPECIAL_COMPARE:
        if (n >= 2) {
            ir_expr_t *xs[3] = {lw_type_expr(lw, tys[0]), ir_to_word(a, args[0]),
                                ir_to_word(a, args[1])};
            return lw_hoist(lw, ir_rt(a, "snow_compare", IR_REP_PTR, xs, 3), line);
        }
        break;
    case TY_SPECIAL_DEFAULT: {
        ir_expr_t *d = default_value(lw, ret, line);
        if (d)
            return d;
        break;
    }
    case TY_SPECIAL_JSON_ENCODE:
        if (n >= 1) {
            if (lw_is_builtin(tys[0], TY_B_JSON))
                return lw_hoist(lw, ir_rt1(a, "snow_json_encode", IR_REP_PTR, args[0]), line);
            ir_expr_t *xs[2] = {lw_type_expr(lw, tys[0]), ir_to_word(a, args[0])};
            return lw_hoist(lw, ir_rt(a, "snow_json_encode_value", IR_REP_PTR, xs, 2), line);
        }
        break;
    case TY_SPECIAL_NUMERIC: {
        bool flt = n >= 1 && ty_resolve(tys[0])->kind == TY_FLOAT;
        const char *name = lw_fmt(lw, "snow_%s%s", fn->c_name, flt ? "_float" : "");
        return lw_hoist(lw, ir_rt(a, name, lw_rep(ret), args, n), line);
    }
    case TY_SPECIAL_TUPLE_NTH:
    case TY_SPECIAL_TUPLE_FIRST:
    case TY_SPECIAL_TUPLE_SECOND:
    case TY_SPECIAL_TUPLE_SIZE: {
        ir_expr_t *v = tuple_fn(lw, fn->special, args, tys, n, ret, line);
        if (v)
            return v;
        break;
    }
    default:
        break;
    }
    lw_unsupported(lw, call->span, lw_fmt(lw, "the stdlib function `%s`", fn->name));
    return ir_unit(a);
}

/* The prelude's list functions (stdlib.md 3) are the List module's. */
static const char *runtime_name(lower_t *lw, const ty_builtin_fn_t *fn)
{
    static const char *const list_fns[] = {"map", "filter", "reduce", "head", "tail"};
    if (!fn->module)
        for (size_t i = 0; i < sizeof list_fns / sizeof list_fns[0]; i++)
            if (strcmp(fn->name, list_fns[i]) == 0)
                return lw_fmt(lw, "list_%s", fn->name);
    return fn->c_name;
}

ir_expr_t *lower_stdlib_call(lower_t *lw, ast_expr_t *call, const ty_builtin_fn_t *fn,
                             ir_expr_t **args, ty_t **arg_tys, uint32_t nargs, ty_t *ret_ty)
{
    uint32_t line = lw_line(lw, call->span);
    const char *c_name = runtime_name(lw, fn);
    if (fn->special != TY_SPECIAL_NONE)
        return special(lw, call, fn, args, arg_tys, nargs, ret_ty, line);
    ir_expr_t *proc = lower_proc_std(lw, fn, args, arg_tys, nargs, ret_ty, line);
    if (proc)
        return proc;
    ty_t *sig = fn->scheme ? ty_resolve(fn->scheme->type) : NULL;
    bool fun = sig && sig->kind == TY_FUN;
    ir_expr_t **xs = ARENA_ARRAY(lw->a, ir_expr_t *, nargs + 2);
    for (uint32_t i = 0; i < nargs; i++) {
        bool word = fun && i < sig->nargs && is_var(sig->args[i]);
        xs[i] = as_rep(lw, args[i], word ? IR_REP_WORD : lw_rep(arg_tys[i]));
    }
    uint32_t n = nargs;
    ty_t *ret = ty_resolve(ret_ty);
    switch (extra_of(c_name)) {
    case EXTRA_RET_ELEM:
        xs[n++] = lw_type_expr(lw, ret->nargs ? ret->args[0] : ret);
        break;
    case EXTRA_RET_KV:
        xs[n++] = lw_type_expr(lw, ret->nargs > 0 ? ret->args[0] : ret);
        xs[n++] = lw_type_expr(lw, ret->nargs > 1 ? ret->args[1] : ret);
        break;
    case EXTRA_NONE:
        break;
    }
    bool word_ret = fun && is_var(sig->ret);
    ir_rep_t rep = word_ret ? IR_REP_WORD : lw_rep(ret);
    ir_expr_t *r = lw_hoist(lw, ir_rt(lw->a, lw_fmt(lw, "snow_%s", c_name), rep, xs, n), line);
    return as_rep(lw, r, lw_rep(ret));
}
