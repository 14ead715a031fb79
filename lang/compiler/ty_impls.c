/* ty_impls.c: `impl Trait for Type` blocks (language.md 4.6; D13, D14).
 *
 * Each impl becomes a ty_impl_t in the program's table; its methods become
 * ty_fn_t (kind METHOD) checked with the other functions of the module. A
 * default method the impl does not override gets its own ty_fn_t (kind
 * DEFAULT) built from the interface's body, checked with Self = the impl's
 * type, so the lowering finds a body for every method of every impl (D13).
 * Single upper-case names in the target (`impl Show for Box<T>`) are the
 * impl's type parameters.
 */
#include <ctype.h>
#include <string.h>

#include "lang/compiler/ty_check.h"


void ty_auto_tparams(ty_checker_t *ck, ast_type_t *t, ty_map_t *tp)
{
    if (!t)
        return;
    if (t->kind == AST_TYPE_NAME && t->path.parts.len == 1) {
        sym_t n = t->path.parts.items[0];
        if (strlen(n) == 1 && isupper((unsigned char)n[0]) && !ty_type_lookup(ck, ck->mod, n) &&
            !ty_map_get(tp, n)) {
            ty_t *v = ty_fresh(ck);
            v->name = n;
            /* Generalised with each method of the impl (ty_generalize). */
            v->level = TY_LEVEL_GENERIC - 1;
            ty_map_put(ck->a, tp, n, v);
        }
    }
    for (uint32_t i = 0; i < t->args.len; i++)
        ty_auto_tparams(ck, t->args.items[i], tp);
    ty_auto_tparams(ck, t->inner, tp);
    ty_auto_tparams(ck, t->err, tp);
}

static ty_trait_t *lookup_trait(ty_checker_t *ck, ast_path_t *path)
{
    sym_t last = path->parts.items[path->parts.len - 1];
    ty_tent_t *te = NULL;
    if (path->parts.len == 1) {
        return ty_trait_named(ck, last);
    } else {
        ty_modenv_t *m = ty_map_get(&ck->mod->qualifiers, path->parts.items[path->parts.len - 2]);
        te = m ? ty_map_get(&m->types, last) : NULL;
    }
    if (te && te->kind == TY_TNS_TRAIT)
        return te->trait;
    return ty_map_get(&ck->trait_by_name, last);
}

static ast_method_sig_t *trait_sig(ty_trait_t *tr, sym_t name)
{
    for (uint32_t i = 0; i < tr->nmethods; i++)
        if (tr->methods[i].name == name)
            return tr->methods[i].sig;
    return NULL;
}

static bool trait_has(ty_trait_t *tr, sym_t name)
{
    for (uint32_t i = 0; i < tr->nmethods; i++)
        if (tr->methods[i].name == name)
            return true;
    return false;
}

/* E0008: both sides annotate the return type and they differ. */
static void check_signature(ty_checker_t *ck, ty_impl_t *im, ast_fn_t *fn)
{
    ty_trait_t *tr = im->trait;
    if (!fn->ret)
        return;
    ty_t *want = NULL;
    if (tr->builtin == TY_TR_USER) {
        ast_method_sig_t *sig = trait_sig(tr, fn->name);
        if (!sig || !sig->ret)
            return;
        ty_map_t *saved = ck->tparams;
        ty_map_t tp = {0};
        if (saved)
            for (uint32_t i = 0; i < saved->cap; i++)
                if (saved->keys[i])
                    ty_map_put(ck->a, &tp, saved->keys[i], saved->vals[i]);
        ty_auto_tparams(ck, sig->ret, &tp);
        ck->tparams = &tp;
        want = ty_from_ast(ck, sig->ret);
        ck->tparams = saved;
        if (ty_resolve(want)->kind == TY_VAR)
            return; /* a type parameter of the interface: anything fits */
    } else if (trait_has(tr, fn->name)) {
        want = ty_resolve(ty_trait_method_type(ck, tr, fn->name, im->target))->ret;
    }
    if (!want)
        return;
    ty_t *got = ty_from_ast(ck, fn->ret);
    if (ty_equal(want, got))
        return;
    const char *ws = ty_str(ck, want), *gs = ty_str(ck, got);
    ty_error(ck, fn->ret->span, "E0008",
             "method %s in impl %s has wrong signature: expected %s, found %s", fn->name, tr->name,
             ws, gs);
    ty_message(ck, "method `%s` in impl `%s` has wrong signature: expected `%s`, found `%s`",
               fn->name, tr->name, ws, gs);
}

/* A default method's body as a function item. */
ast_item_t *ty_default_item(ty_checker_t *ck, ast_method_sig_t *sig, span_t span)
{
    ast_item_t *it = ARENA_NEW(ck->a, ast_item_t);
    it->kind = AST_ITEM_FN;
    it->span = span;
    it->u.fn.name = sig->name;
    it->u.fn.name_span = sig->name_span;
    it->u.fn.has_params = true;
    it->u.fn.params = sig->params;
    it->u.fn.ret = sig->ret;
    it->u.fn.body = sig->default_body;
    return it;
}

static void add_method(ty_checker_t *ck, ty_impl_t *im, ty_fn_t *f)
{
    uint32_t n = im->nmethods;
    if ((n & (n - 1)) == 0) {
        ty_fn_t **nm = ARENA_ARRAY(ck->a, ty_fn_t *, n ? n * 2 : 4);
        if (n)
            memcpy(nm, im->methods, n * sizeof *nm);
        im->methods = nm;
    }
    im->methods[im->nmethods++] = f;
    f->impl = im;
    ty_module_t *out = ck->mod->out;
    if ((out->nfns & (out->nfns - 1)) == 0) {
        uint32_t cap = out->nfns ? out->nfns * 2 : 16;
        ty_fn_t **nf = ARENA_ARRAY(ck->a, ty_fn_t *, cap);
        if (out->nfns)
            memcpy(nf, out->fns, out->nfns * sizeof *nf);
        out->fns = nf;
    }
    out->fns[out->nfns++] = f;
}

static void collect_methods(ty_checker_t *ck, ty_impl_t *im, ast_impl_t *ai)
{
    ty_fn_t *last = NULL;
    for (uint32_t i = 0; i < ai->methods.len; i++) {
        ast_item_t *it = ai->methods.items[i];
        if (it->kind != AST_ITEM_FN)
            continue;
        if (last && last->name == it->u.fn.name && last->arity == it->u.fn.params.len) {
            ty_fn_add_clause(ck, last, it);
            continue;
        }
        last = ty_fn_new(ck, TY_FN_METHOD, it);
        last->is_pub = true;
        last->trait = im->trait;
        add_method(ck, im, last);
        check_signature(ck, im, &it->u.fn);
    }
}

static void complete_methods(ty_checker_t *ck, ty_impl_t *im, ast_item_t *item)
{
    ty_trait_t *tr = im->trait;
    for (uint32_t m = 0; m < tr->nmethods; m++) {
        ty_method_t *tm = &tr->methods[m];
        bool has = false;
        for (uint32_t i = 0; i < im->nmethods && !has; i++)
            has = im->methods[i]->name == tm->name;
        if (has)
            continue;
        if (tm->has_default)
            continue; /* the interface's generic default_fn serves this impl */
        const char *ts = ty_str(ck, im->target);
        ty_error(ck, item->span, "E0007", "impl %s for %s is missing method %s", tr->name, ts,
                 tm->name);
        ty_message(ck, "impl `%s` for `%s` is missing method `%s`", tr->name, ts, tm->name);
    }
}

/* `impl I for Wrapper` names a generic type without its arguments: the
 * arguments ty_from_ast filled in are fresh variables, which must become
 * type parameters of the impl like `impl I for Wrapper<T>`, or the first
 * use fixes them and a second instantiation is E0001 (4.6). */
static void generic_bare_args(ty_t *target)
{
    if (target->kind != TY_CON)
        return;
    for (uint32_t i = 0; i < target->nargs; i++) {
        ty_t *v = ty_resolve(target->args[i]);
        if (v->kind != TY_VAR || v->level >= TY_LEVEL_GENERIC - 1)
            continue;
        v->level = TY_LEVEL_GENERIC - 1;
        if (!v->name && i < target->decl->nparams)
            v->name = target->decl->params[i]->name;
    }
}

static void collect_impl(ty_checker_t *ck, ast_item_t *item)
{
    ast_impl_t *ai = &item->u.impl;
    ty_trait_t *tr = lookup_trait(ck, &ai->trait);
    if (!tr) {
        ty_error(ck, ai->trait.span, "E0004", "undefined variable: %s",
                 ai->trait.parts.items[ai->trait.parts.len - 1]);
        ty_label(ck, "no interface with this name");
        return;
    }
    ty_map_t *tp = ARENA_NEW(ck->a, ty_map_t);
    ty_auto_tparams(ck, ai->target, tp);
    ck->tparams = tp;
    ty_t *target = ty_resolve(ty_from_ast(ck, ai->target));
    generic_bare_args(target);
    ty_impl_t *dup = target->kind == TY_VAR ? NULL : ty_find_impl(ck->prog, tr, target);
    if (dup) {
        const char *ts = ty_str(ck, target);
        ty_error(ck, item->span, "E0026", "duplicate impl: `%s` is already implemented for `%s`",
                 tr->name, ts);
        ty_message(ck, "duplicate impl: `%s` is already implemented for `%s` (previously defined for `%s`)",
                   tr->name, ts, ts);
        ty_help(ck, "remove one of the conflicting impl blocks");
        ck->tparams = NULL;
        return;
    }
    ty_impl_t *im = ty_add_impl_(ck, tr, target->kind, target->kind == TY_CON ? target->decl : NULL);
    im->target = target;
    im->module = ck->mod->name;
    im->item = item;
    im->_tparams = tp;
    item->sem = im;
    ck->self_type = target;
    collect_methods(ck, im, ai);
    complete_methods(ck, im, item);
    ck->self_type = NULL;
    ck->tparams = NULL;
}

void ty_collect_impls(ty_checker_t *ck, ty_modenv_t *m)
{
    ast_file_t *f = m->cm->ast;
    for (uint32_t i = 0; i < f->len; i++) {
        ast_stmt_t *s = f->items[i];
        if (s->kind == AST_STMT_ITEM && s->item->kind == AST_ITEM_IMPL)
            collect_impl(ck, s->item);
    }
}
