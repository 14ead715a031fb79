/* ty_call.c: names, calls, field access, methods, pipes, struct literals and
 * the actor special forms (language.md 5.6, 5.10, 6.6; stdlib.md 0.2).
 *
 * A bare name resolves innermost first: locals, then the module's own and
 * imported names (functions by name and arity, D11; constructors; actors;
 * supervisors; constants), then built-in constructors, then the prelude, then
 * trait methods written as plain calls (`label(l)`). A dotted name first
 * tries the qualified forms of 5.6 rule 1 and only then field access and
 * method calls. Every resolution is recorded as a ty_ref_t in `sem`.
 * Struct literals and the actor forms are in ty_forms.c.
 */
#include <string.h>

#include "lang/compiler/ty_check.h"

/* ============================================================ helpers */

static ty_t *inst_ref(ty_checker_t *ck, ty_ref_t *r, ty_scheme_t *s, span_t span)
{
    return ty_instantiate(ck, s, &r->inst, &r->ninst, span);
}

/* The type of a variant used as a value: the constructed type, or a
 * constructor function when it has fields. */
static ty_t *ctor_type(ty_checker_t *ck, ty_variant_t *v, ty_ref_t *r)
{
    ty_decl_t *d = v->decl;
    ty_t **fresh = ARENA_ARRAY(ck->a, ty_t *, d->nparams ? d->nparams : 1);
    for (uint32_t i = 0; i < d->nparams; i++)
        fresh[i] = ty_fresh(ck);
    r->inst = fresh;
    r->ninst = d->nparams;
    ty_t *con = ty_con(ck->a, d, fresh, d->nparams);
    if (!v->nfields)
        return con;
    ty_t **ps = ARENA_ARRAY(ck->a, ty_t *, v->nfields);
    for (uint32_t i = 0; i < v->nfields; i++)
        ps[i] = ty_subst(ck->a, v->fields[i].type, d->params, fresh, d->nparams);
    return ty_fun(ck, ps, v->nfields, con);
}

static ty_ref_t *ctor_ref(ty_checker_t *ck, ty_variant_t *v)
{
    ty_ref_t *r = ty_ref_new(ck, TY_REF_CTOR);
    r->variant = v;
    r->decl = v->decl;
    return r;
}

/* A bare (uncalled) reference to a name defined with several arities:
 * the definition nearest above the reference, else the first below (D11).
 * Returns a one-entry view of the chosen function, or e unchanged. */
static ty_ent_t *pick_bare(ty_ent_t *e, span_t ref)
{
    ty_ent_t *above = NULL, *below = NULL;
    int fns = 0;
    for (ty_ent_t *x = e; x; x = x->next) {
        if (x->kind != TY_ENT_FN)
            continue;
        fns++;
        if (x->order <= ref.start) {
            if (!above || x->order > above->order)
                above = x;
        } else if (!below || x->order < below->order) {
            below = x;
        }
    }
    if (fns < 2)
        return e;
    ty_ent_t *pick = above ? above : below;
    static _Thread_local ty_ent_t view;
    view = *pick;
    view.next = NULL;
    return &view;
}

/* Picks the entry for `name` with `arity` (or any when arity < 0). */
static ty_t *entry_type(ty_checker_t *ck, ty_ent_t *e, int arity, ty_ref_t **out, span_t span,
                        bool *arity_miss, uint32_t *miss_arity)
{
    ty_ent_t *fallback = NULL;
    if (arity < 0)
        e = pick_bare(e, span);
    for (ty_ent_t *x = e; x; x = x->next) {
        if (x->kind == TY_ENT_FN) {
            if (arity < 0 || x->fn->arity == (uint32_t)arity) {
                if (!x->fn->scheme) /* not checked yet: a placeholder */
                    x->fn->scheme = ty_mono(ck, ty_fresh(ck));
                ty_ref_t *r = ty_ref_new(ck, TY_REF_FN);
                r->fn = x->fn;
                *out = r;
                return inst_ref(ck, r, x->fn->scheme, span);
            }
            *arity_miss = true;
            *miss_arity = x->fn->arity;
            continue;
        }
        if (!fallback)
            fallback = x;
    }
    if (!fallback)
        return NULL;
    ty_ref_t *r;
    switch (fallback->kind) {
    case TY_ENT_TOP_LET:
        r = ty_ref_new(ck, TY_REF_TOP_LET);
        r->binding = fallback->binding;
        *out = r;
        if (fallback->binding->scheme)
            return inst_ref(ck, r, fallback->binding->scheme, span);
        return fallback->binding->type;
    case TY_ENT_CTOR:
        r = ctor_ref(ck, fallback->variant);
        *out = r;
        return ctor_type(ck, fallback->variant, r);
    case TY_ENT_ACTOR:
        r = ty_ref_new(ck, TY_REF_ACTOR);
        r->actor = fallback->actor;
        *out = r;
        /* A self call inside the actor's own body is its tail-call loop. */
        if (ck->fn && ck->fn->actor == fallback->actor && ck->fn->closure_depth == 0) {
            ty_t *fty = ty_resolve(fallback->actor->type);
            ty_t *ps[16];
            for (uint32_t i = 0; i < fty->nargs && i < 16; i++)
                ps[i] = fty->args[i];
            return ty_fun(ck, ps, fty->nargs < 16 ? fty->nargs : 16, ty_prim(ck, TY_NEVER));
        }
        return fallback->actor->type;
    case TY_ENT_SUPERVISOR:
        r = ty_ref_new(ck, TY_REF_SUPERVISOR);
        r->supervisor = fallback->supervisor;
        *out = r;
        return ty_fun(ck, NULL, 0, ty_con0(ck, TY_B_PID));
    case TY_ENT_BUILTIN:
        r = ty_ref_new(ck, TY_REF_STDLIB);
        r->builtin = fallback->builtin;
        *out = r;
        return inst_ref(ck, r, fallback->builtin->scheme, span);
    case TY_ENT_SERVICE:
    case TY_ENT_FN:
        break;
    }
    return NULL;
}

static void report_unbound(ty_checker_t *ck, sym_t name, span_t span)
{
    ty_error(ck, span, "E0004", "undefined variable: %s", name);
    ty_message(ck, "unbound variable `%s`", name);
    ty_label(ck, "not found in this scope");
    sym_t s = ty_suggest(ck, name);
    if (s)
        ty_help(ck, "did you mean `%s`?", s);
}

/* Resolves a bare name; arity < 0 when not called. NULL ref: unbound. */
static ty_t *resolve_name(ty_checker_t *ck, sym_t name, int arity, span_t span, ty_ref_t **out)
{
    ty_binding_t *b = ty_lookup_local(ck, name);
    if (b) {
        ty_ref_t *r = ty_ref_new(ck, TY_REF_LOCAL);
        r->binding = b;
        *out = r;
        if (b->nested_fn)
            r->fn = b->nested_fn;
        return b->scheme ? inst_ref(ck, r, b->scheme, span) : b->type;
    }
    bool miss = false;
    uint32_t miss_arity = 0;
    ty_ent_t *e = ck->mod ? ty_ent_lookup(ck->mod, name) : NULL;
    ty_t *t = e ? entry_type(ck, e, arity, out, span, &miss, &miss_arity) : NULL;
    if (t)
        return t;
    ty_variant_t *v = ty_map_get(&ck->builtin_values, name);
    if (v) {
        *out = ctor_ref(ck, v);
        return ctor_type(ck, v, *out);
    }
    const ty_builtin_fn_t *bf = ty_prelude_lookup(ck, name);
    if (bf) {
        ty_ref_t *r = ty_ref_new(ck, TY_REF_STDLIB);
        r->builtin = bf;
        *out = r;
        return inst_ref(ck, r, bf->scheme, span);
    }
    if (miss) {
        ty_error(ck, span, "E0003", "expected %u argument(s), found %d", miss_arity, arity);
        ty_message(ck, "arity mismatch: expected %u arguments, found %d", miss_arity, arity);
        ty_help(ck, (uint32_t)arity < miss_arity ? "missing argument(s)" : "extra argument(s)");
        *out = NULL;
        return ty_fresh(ck);
    }
    *out = NULL;
    return NULL;
}

/* The arity an expected function type asks for, if `name` has a function
 * of that arity (D11); else -1 (a plain bare reference). */
static int expected_arity(ty_checker_t *ck, sym_t name)
{
    int want = ck->expect_arity;
    ck->expect_arity = -1;
    if (want < 0 || !ck->mod || ty_lookup_local(ck, name))
        return -1;
    for (ty_ent_t *x = ty_ent_lookup(ck->mod, name); x; x = x->next)
        if (x->kind == TY_ENT_FN && x->fn->arity == (uint32_t)want)
            return want;
    return -1;
}

ty_t *ty_infer_ident(ty_checker_t *ck, ast_expr_t *e)
{
    ty_ref_t *r = NULL;
    ty_t *t = resolve_name(ck, e->name, expected_arity(ck, e->name), e->span, &r);
    if (!t) {
        report_unbound(ck, e->name, e->span);
        return ty_fresh(ck);
    }
    e->sem = r;
    return t;
}

/* ========================================================= application */

ty_t *ty_apply(ty_checker_t *ck, ty_t *fty, ast_expr_t **args, uint32_t n, ty_t *pre0,
               span_t span)
{
    ty_t **ats = ARENA_ARRAY(ck->a, ty_t *, n ? n : 1);
    ty_t *f = ty_resolve(fty);
    for (uint32_t i = 0; i < n; i++) {
        if (i == 0 && pre0) {
            ats[i] = pre0;
            continue;
        }
        /* A bare function name passed where a function type is expected
         * takes that arity (D11). */
        ty_t *p = f->kind == TY_FUN && i < f->nargs ? ty_resolve(f->args[i]) : NULL;
        if (p && p->kind == TY_FUN && args[i]->kind == AST_EXPR_IDENT)
            ck->expect_arity = (int)p->nargs;
        ats[i] = ty_infer_expr(ck, args[i]);
        ck->expect_arity = -1;
    }
    if (f->kind == TY_FUN) {
        if (f->nargs != n) {
            ty_error(ck, span, "E0003", "expected %u argument(s), found %u", f->nargs, n);
            ty_message(ck, "arity mismatch: expected %u arguments, found %u", f->nargs, n);
            ty_help(ck, n < f->nargs ? "missing argument(s)" : "extra argument(s)");
            return f->ret;
        }
        for (uint32_t i = 0; i < n; i++)
            ty_expect(ck, f->args[i], ats[i], args[i]->span);
        return f->ret;
    }
    ty_t *ret = ty_fresh(ck);
    if (f->kind == TY_VAR) {
        ty_expect(ck, fty, ty_fun(ck, ats, n, ret), span);
        return ret;
    }
    /* The wanted type's result is a fresh variable: printing it would show
     * an inference variable (`() -> ?97`), so name only the kind wanted. */
    ty_error(ck, span, "E0001", "expected a function, found %s", ty_str(ck, f));
    ty_label(ck, "`%s` is not a function", ty_str(ck, f));
    if (n == 0)
        ty_help(ck, "a constant such as `Math.pi` is used without parentheses");
    return ret;
}

/* Rules for stdlib functions typed beyond their signature. */
static ty_t *apply_special(ty_checker_t *ck, const ty_builtin_fn_t *bf, ast_expr_t **args,
                           uint32_t n, ty_t *ret, span_t span)
{
    if (!bf->special || n == 0) {
        if (bf->special == TY_SPECIAL_DEFAULT)
            ty_require(ck, ret, TY_TR_DEFAULT, NULL, span);
        return ret;
    }
    ty_t *a0 = ty_resolve(args[0]->ty ? args[0]->ty : ty_fresh(ck));
    switch (bf->special) {
    case TY_SPECIAL_TO_STRING:
        ty_require(ck, a0, TY_TR_PRINTABLE, NULL, span);
        break;
    case TY_SPECIAL_INSPECT:
        ty_require(ck, a0, TY_TR_DEBUG, NULL, span);
        break;
    case TY_SPECIAL_HASH:
        ty_require(ck, a0, TY_TR_HASH, NULL, span);
        break;
    case TY_SPECIAL_COMPARE:
        ty_require(ck, a0, TY_TR_ORD, NULL, span);
        break;
    case TY_SPECIAL_NUMERIC:
        if (a0->kind != TY_INT && a0->kind != TY_FLOAT && a0->kind != TY_VAR) {
            ty_error(ck, args[0]->span, "E0006", "%s does not implement Num", ty_str(ck, a0));
            ty_message(ck, "type `%s` does not satisfy trait `Num`", ty_str(ck, a0));
        }
        break;
    case TY_SPECIAL_JSON_ENCODE:
        ty_require(ck, a0, TY_TR_JSON, NULL, span);
        break;
    case TY_SPECIAL_TUPLE_FIRST:
    case TY_SPECIAL_TUPLE_SECOND:
    case TY_SPECIAL_TUPLE_NTH: {
        uint32_t idx = bf->special == TY_SPECIAL_TUPLE_FIRST    ? 0
                       : bf->special == TY_SPECIAL_TUPLE_SECOND ? 1
                       : (n > 1 && args[1]->kind == AST_EXPR_INT) ? (uint32_t)args[1]->int_value
                                                                 : UINT32_MAX;
        if (a0->kind == TY_VAR && idx <= 1 && bf->special != TY_SPECIAL_TUPLE_NTH) {
            /* A closure parameter typed later: settle once it is known. */
            ty_field_push(ck, a0, ret, intern_cstr(ck->in, idx == 0 ? "#0" : "#1"), NULL, span);
            break;
        }
        if (a0->kind != TY_TUPLE)
            break;
        if (idx != UINT32_MAX && idx < a0->nargs) {
            ty_expect(ck, ret, a0->args[idx], span);
        } else if (idx != UINT32_MAX) {
            ty_error(ck, span, "E0001", "expected a tuple with %u components, found %s", idx + 1,
                     ty_str(ck, a0));
        } else {
            for (uint32_t i = 0; i < a0->nargs; i++)
                ty_expect(ck, ret, a0->args[i], args[0]->span);
        }
        break;
    }
    default:
        break;
    }
    return ret;
}

/* ======================================================= qualified names */

static ty_t *module_member(ty_checker_t *ck, ty_modenv_t *m, sym_t name, int arity, span_t span,
                           ty_ref_t **out)
{
    ty_ent_t *e = ty_ent_lookup(m, name);
    bool miss = false;
    uint32_t miss_arity = 0;
    ty_t *t = NULL;
    for (ty_ent_t *x = e; x; x = x->next) {
        bool pub = x->kind == TY_ENT_FN ? x->fn->is_pub
                   : x->kind == TY_ENT_CTOR ? x->variant->decl->is_pub
                   : x->kind == TY_ENT_SUPERVISOR;
        if (!pub && x->kind == TY_ENT_FN) {
            ty_error(ck, span, "E0035", "private item cannot be imported");
            ty_message(ck, "`%s` is private in module `%s`; add `pub` to make it accessible", name,
                       m->name);
            ty_help(ck, "add `pub` to `%s` in module `%s` to make it accessible", name, m->name);
            *out = NULL;
            return ty_fresh(ck);
        }
    }
    if (e)
        t = entry_type(ck, e, arity, out, span, &miss, &miss_arity);
    if (t)
        return t;
    if (miss) {
        ty_error(ck, span, "E0003", "expected %u argument(s), found %d", miss_arity, arity);
        *out = NULL;
        return ty_fresh(ck);
    }
    ty_error(ck, span, "E0004", "undefined variable: %s.%s", m->name, name);
    ty_label(ck, "not found in module `%s`", m->name);
    *out = NULL;
    return ty_fresh(ck);
}

static ty_t *variant_member(ty_checker_t *ck, ty_decl_t *d, sym_t name, span_t span,
                            ty_ref_t **out)
{
    for (uint32_t i = 0; i < d->nvariants; i++) {
        if (d->variants[i].name == name) {
            *out = ctor_ref(ck, &d->variants[i]);
            return ctor_type(ck, &d->variants[i], *out);
        }
    }
    ty_error(ck, span, "E0010", "unknown variant: %s", name);
    ty_message(ck, "unknown variant `%s`", name);
    *out = NULL;
    return ty_fresh(ck);
}

/* T.from_json(text) / T.from_row(row) on a struct or sum type (4.5). */
static ty_t *static_member(ty_checker_t *ck, ty_decl_t *d, sym_t name, span_t span, ty_ref_t **out)
{
    bool json = name == ck->s.from_json;
    if (!json && name != ck->s.from_row)
        return NULL;
    ty_trait_kind_t k = json ? TY_TR_JSON : TY_TR_ROW;
    if (!(d->derived & (1u << k))) {
        ty_error(ck, span, "E0006", "%s does not implement %s", d->name, json ? "Json" : "Row");
        ty_help(ck, "add `%s` to the deriving list of `%s`", json ? "Json" : "Row", d->name);
    }
    ty_ref_t *r = ty_ref_new(ck, TY_REF_FROM_JSON);
    r->decl = d;
    r->method = name;
    ty_t **fresh = ARENA_ARRAY(ck->a, ty_t *, d->nparams ? d->nparams : 1);
    for (uint32_t i = 0; i < d->nparams; i++)
        fresh[i] = ty_fresh(ck);
    r->inst = fresh;
    r->ninst = d->nparams;
    *out = r;
    ty_t *arg = json ? ty_prim(ck, TY_STRING)
                     : ty_con2(ck, TY_B_MAP, ty_prim(ck, TY_STRING), ty_prim(ck, TY_STRING));
    ty_t *res = ty_con2(ck, TY_B_RESULT, ty_con(ck->a, d, fresh, d->nparams),
                        ty_prim(ck, TY_STRING));
    return ty_fun(ck, &arg, 1, res);
}

ty_modenv_t *ty_module_of_path(ty_checker_t *ck, ast_expr_t *q)
{
    if (q->kind == AST_EXPR_IDENT) {
        if (ty_lookup_local(ck, q->name) || !ck->mod)
            return NULL;
        ty_modenv_t *m = ty_map_get(&ck->mod->qualifiers, q->name);
        /* A user module named like a stdlib module shadows it (stdlib.md 0.2). */
        if (!m && ty_is_stdlib_module(ck, q->name))
            m = ty_map_get(&ck->mod_by_name, q->name);
        return m;
    }
    if (q->kind != AST_EXPR_FIELD || q->lhs->kind != AST_EXPR_IDENT)
        return NULL;
    char buf[256];
    int n = snprintf(buf, sizeof buf, "%s.%s", q->lhs->name, q->name);
    if (n <= 0 || (size_t)n >= sizeof buf)
        return NULL;
    return ty_map_get(&ck->mod_by_name, intern(ck->in, buf, (size_t)n));
}

static ty_t *service_member(ty_checker_t *ck, ty_service_t *s, sym_t name, span_t span,
                            ty_ref_t **out)
{
    ty_ref_t *r = ty_ref_new(ck, TY_REF_SERVICE);
    r->service = s;
    r->method = name;
    *out = r;
    if (name == intern_cstr(ck->in, "start"))
        return s->start_type;
    for (uint32_t i = 0; i < s->nhandlers; i++)
        if (s->handlers[i].fn_name == name)
            return s->handlers[i].type;
    ty_error(ck, span, "E0004", "undefined variable: %s.%s", s->name, name);
    *out = NULL;
    return ty_fresh(ck);
}

/* 5.6 rule 1: `Q.name` where Q is a module, a stdlib module, a service, a
 * sum type or a struct (from_json/from_row). NULL when Q is a value. */
static ty_t *resolve_qualified(ty_checker_t *ck, ast_expr_t *fe, int arity, ty_ref_t **out)
{
    ast_expr_t *q = fe->lhs;
    sym_t name = fe->name;
    span_t span = fe->span;
    ty_modenv_t *m = ty_module_of_path(ck, q);
    if (m)
        return module_member(ck, m, name, arity, span, out);
    if (q->kind == AST_EXPR_FIELD) {
        /* Module.Type.Variant */
        ty_modenv_t *qm = ty_module_of_path(ck, q->lhs);
        ty_tent_t *te = qm ? ty_map_get(&qm->types, q->name) : NULL;
        if (te && te->kind == TY_TNS_DECL && te->decl->kind == TY_DECL_SUM)
            return variant_member(ck, te->decl, name, fe->name_span, out);
        return NULL;
    }
    if (q->kind != AST_EXPR_IDENT || ty_lookup_local(ck, q->name))
        return NULL;
    sym_t qn = q->name;
    ty_service_t *svc = ck->mod ? ty_map_get(&ck->mod->services, qn) : NULL;
    if (svc)
        return service_member(ck, svc, name, span, out);
    ty_tent_t *te = ty_type_lookup(ck, ck->mod, qn);
    if (te && te->kind == TY_TNS_DECL) {
        ty_decl_t *d = te->decl;
        ty_t *t = static_member(ck, d, name, span, out);
        if (t)
            return t;
        if (d->kind == TY_DECL_SUM)
            return variant_member(ck, d, name, fe->name_span, out);
    }
    if (ty_is_stdlib_module(ck, qn)) {
        const ty_builtin_fn_t *bf = ty_stdlib_lookup(ck, qn, name);
        if (!bf) {
            ty_error(ck, span, "E0004", "undefined variable: %s.%s", qn, name);
            ty_message(ck, "unbound variable `%s.%s`", qn, name);
            ty_label(ck, "not found in module `%s`", qn);
            *out = NULL;
            return ty_fresh(ck);
        }
        ty_ref_t *r = ty_ref_new(ck, TY_REF_STDLIB);
        r->builtin = bf;
        *out = r;
        return inst_ref(ck, r, bf->scheme, span);
    }
    return NULL;
}

/* ================================================================ fields */

static ty_t *field_access(ty_checker_t *ck, ast_expr_t *e, ty_t *base, bool report)
{
    ty_t *r = ty_resolve(base);
    if (r->kind == TY_VAR) {
        /* An unannotated parameter: if exactly one struct of this module has
         * the field, the receiver is that struct. */
        ty_decl_t *only = NULL;
        int count = 0;
        for (uint32_t i = 0; i < ck->prog->ndecls; i++) {
            ty_decl_t *d = ck->prog->decls[i];
            if (d->kind == TY_DECL_STRUCT && ty_field_index(d, e->name) >= 0) {
                only = d;
                count++;
            }
        }
        if (count == 1) {
            ty_t **fresh = ARENA_ARRAY(ck->a, ty_t *, only->nparams ? only->nparams : 1);
            for (uint32_t i = 0; i < only->nparams; i++)
                fresh[i] = ty_fresh(ck);
            ty_expect(ck, ty_con(ck->a, only, fresh, only->nparams), r, e->lhs->span);
            r = ty_resolve(base);
        } else if (count > 1) {
            /* Several structs have the field: decided when the receiver's
             * type is known, or per instantiation (a scheme bound). */
            ty_t *ft = ty_fresh(ck);
            ty_ref_t *ref = ty_ref_new(ck, TY_REF_FIELD);
            ref->method = e->name;
            e->sem = ref;
            ty_field_push(ck, r, ft, e->name, e, e->name_span);
            return ft;
        }
    }
    if (r->kind == TY_CON && r->decl->kind == TY_DECL_STRUCT) {
        int idx = ty_field_index(r->decl, e->name);
        if (idx >= 0) {
            ty_ref_t *ref = ty_ref_new(ck, TY_REF_FIELD);
            ref->decl = r->decl;
            ref->field_index = (uint32_t)idx;
            e->sem = ref;
            return ty_field_type(ck->a, r, &r->decl->fields[idx]);
        }
    }
    if (!report)
        return NULL;
    ty_error(ck, e->name_span, "E0009", "type %s has no field %s", ty_str(ck, r), e->name);
    ty_message(ck, "type `%s` has no field `%s`", ty_str(ck, r), e->name);
    return ty_fresh(ck);
}

ty_t *ty_infer_field(ty_checker_t *ck, ast_expr_t *e)
{
    ty_ref_t *r = NULL;
    ty_t *t = resolve_qualified(ck, e, -1, &r);
    if (t) {
        e->sem = r;
        if (r && r->kind == TY_REF_STDLIB && ty_resolve(t)->kind != TY_FUN)
            return t; /* Math.pi */
        return t;
    }
    ty_t *base = ty_infer_expr(ck, e->lhs);
    return field_access(ck, e, base, true);
}

/* ================================================================ methods */

/* One method call `recv.name(args)` being resolved (5.6 rule 3). */
typedef struct {
    ast_expr_t *call, *fe;
    ast_expr_t **args; /* [recv, written args...] */
    uint32_t n;
    ty_t *rt0, *rt;    /* receiver type, and resolved */
    ty_ref_t *r;       /* call->sem */
} mcall_t;

static ty_t *skip_args(ty_checker_t *ck, mcall_t *m)
{
    for (uint32_t i = 1; i < m->n; i++)
        ty_infer_expr(ck, m->args[i]);
    return ty_fresh(ck);
}

static ty_t *via_stdlib(ty_checker_t *ck, mcall_t *m, const ty_builtin_fn_t *bf)
{
    m->r->kind = TY_REF_STDLIB;
    m->r->builtin = bf;
    ty_t *ft = inst_ref(ck, m->r, bf->scheme, m->call->span);
    ty_t *ret = ty_apply(ck, ft, m->args, m->n, m->rt0, m->call->span);
    return apply_special(ck, bf, m->args, m->n, ret, m->call->span);
}

/* The type of trait method `name` called on recv: the instantiated scheme
 * of the function that implements it (an impl's method, or the generic
 * default body, whose Self unifies with the receiver), recording the
 * instantiation in r; the interface's signature when not checked yet. */
static ty_t *method_type(ty_checker_t *ck, ty_ref_t *r, ty_trait_t *tr, sym_t name, ty_t *recv,
                         span_t span)
{
    if (r->fn && r->fn->scheme)
        return ty_instantiate(ck, r->fn->scheme, &r->inst, &r->ninst, span);
    return ty_trait_method_type(ck, tr, name, recv);
}

/* The impls registered for the receiver's type: exactly one trait must
 * provide the method (E0027 otherwise). NULL when none does. */
static ty_t *via_impl(ty_checker_t *ck, mcall_t *m)
{
    sym_t name = m->fe->name;
    int count = 0;
    ty_trait_t *tr = NULL, *second = NULL;
    ty_impl_t *impl = ty_method_impl(ck, m->rt, name, &tr, &count, &second);
    if (count == 0)
        return NULL;
    if (count > 1) {
        ty_error(ck, m->fe->name_span, "E0027",
                 "ambiguous method `%s` for type `%s`: candidates from traits [%s, %s]", name,
                 ty_str(ck, m->rt), tr->name, second->name);
        ty_help(ck, "use qualified syntax");
        return skip_args(ck, m);
    }
    ty_ref_t *r = m->r;
    r->trait = tr;
    r->impl = impl;
    bool dflt = false;
    r->fn = ty_impl_method(ck->prog, impl, name, &dflt);
    ty_t *mt = method_type(ck, r, tr, name, m->rt0, m->call->span);
    return ty_apply(ck, mt, m->args, m->n, m->rt0, m->call->span);
}

/* Built-in trait methods (D33), the receiver's stdlib module (stdlib.md
 * 0.2, D39) and to_json. NULL when none applies. */
static ty_t *via_builtin(ty_checker_t *ck, mcall_t *m)
{
    sym_t name = m->fe->name;
    ty_t *rt = m->rt;
    const ty_builtin_fn_t *bf = NULL;
    if (name == ck->s.to_string || name == ck->s.inspect || name == ck->s.hash ||
        name == ck->s.compare)
        bf = ty_prelude_lookup(ck, name);
    else if (rt->kind == TY_STRING)
        bf = ty_stdlib_lookup(ck, ck->s.String, name);
    else if (ty_is_con(rt, TY_B_LIST))
        bf = ty_stdlib_lookup(ck, ck->s.List, name);
    else if (ty_is_con(rt, TY_B_MAP))
        bf = ty_stdlib_lookup(ck, ck->s.Map, name);
    else if (ty_is_con(rt, TY_B_SET))
        bf = ty_stdlib_lookup(ck, ck->s.Set, name);
    else if (ty_is_con(rt, TY_B_RANGE))
        bf = ty_stdlib_lookup(ck, ck->s.Range, name);
    if (bf && (bf->method || !bf->module))
        return via_stdlib(ck, m, bf);
    if (name == ck->s.to_json && rt->kind == TY_CON) {
        ty_require(ck, rt, TY_TR_JSON, NULL, m->call->span);
        m->r->kind = TY_REF_FROM_JSON;
        m->r->decl = rt->decl;
        ty_t *ft = ty_fun(ck, &m->rt0, 1, ty_con0(ck, TY_B_JSON));
        return ty_apply(ck, ft, m->args, m->n, m->rt0, m->call->span);
    }
    return NULL;
}

/* A receiver whose type is still a variable (an unannotated parameter): a
 * trait of the program providing the method becomes a bound resolved at
 * monomorphization (5.5); else a List/String/Map function of that name
 * and arity. NULL when neither exists. */
static ty_t *via_generic(ty_checker_t *ck, mcall_t *m)
{
    sym_t name = m->fe->name;
    ast_expr_t *recv = m->args[0];
    if (recv->kind == AST_EXPR_IDENT && !recv->sem) {
        /* The receiver was already reported (E0004): no cascade. */
        m->call->sem = NULL;
        return skip_args(ck, m);
    }
    ty_trait_t *tr = ty_trait_by_method(ck, name);
    /* In a default body, self's own interface comes first. */
    for (uint32_t i = 0; ck->self_trait && i < ck->self_trait->nmethods; i++)
        if (ck->self_trait->methods[i].name == name && ty_equal(m->rt, ck->self_type))
            tr = ck->self_trait;
    if (tr) {
        m->r->trait = tr;
        ty_require(ck, m->rt, TY_TR_USER, tr, m->call->span);
        ty_t *mt = ty_trait_method_type(ck, tr, name, m->rt0);
        return ty_apply(ck, mt, m->args, m->n, m->rt0, m->call->span);
    }
    sym_t mods[] = {ck->s.List, ck->s.String, ck->s.Map};
    for (int i = 0; i < 3; i++) {
        const ty_builtin_fn_t *bf = ty_stdlib_lookup(ck, mods[i], name);
        if (bf && ty_resolve(bf->scheme->type)->nargs == m->n)
            return via_stdlib(ck, m, bf);
    }
    return NULL;
}

static ty_t *method_call(ty_checker_t *ck, ast_expr_t *call, ast_expr_t *fe)
{
    mcall_t m = {.call = call, .fe = fe, .n = call->elems.len + 1};
    m.args = ARENA_ARRAY(ck->a, ast_expr_t *, m.n);
    m.args[0] = fe->lhs;
    for (uint32_t i = 1; i < m.n; i++)
        m.args[i] = call->elems.items[i - 1];
    m.rt0 = ty_infer_expr(ck, fe->lhs);
    m.rt = ty_resolve(m.rt0);

    /* A struct field holding a function: (r.f)(args) (5.6 rule 2). */
    if (m.rt->kind == TY_CON && m.rt->decl->kind == TY_DECL_STRUCT &&
        ty_field_index(m.rt->decl, fe->name) >= 0) {
        ty_t *ft = field_access(ck, fe, m.rt0, true);
        fe->ty = ft;
        return ty_apply(ck, ft, call->elems.items, call->elems.len, NULL, call->span);
    }
    m.r = ty_ref_new(ck, TY_REF_METHOD);
    m.r->recv_first = true;
    m.r->method = fe->name;
    call->sem = m.r;
    ty_t *t = m.rt->kind == TY_VAR ? NULL : via_impl(ck, &m);
    if (!t)
        t = via_builtin(ck, &m);
    if (!t && m.rt->kind == TY_VAR)
        t = via_generic(ck, &m);
    if (t)
        return t;
    const char *ts = ty_str(ck, m.rt);
    ty_error(ck, fe->name_span, "E0030", "no method `%s` on type `%s`", fe->name, ts);
    ty_help(ck, "type `%s` has no trait impl providing `%s`", ts, fe->name);
    call->sem = NULL;
    return skip_args(ck, &m);
}

/* ================================================================= calls */

/* A bare name called: trait methods written as functions (`label(l)`). */
static ty_t *call_trait_fn(ty_checker_t *ck, ast_expr_t *call, ty_trait_t *tr, ast_expr_t **args,
                           uint32_t n)
{
    ty_t *a0 = ty_infer_expr(ck, args[0]);
    ty_ref_t *r = ty_ref_new(ck, TY_REF_METHOD);
    r->trait = tr;
    r->method = call->lhs->name;
    call->sem = r;
    ty_t *rt = ty_resolve(a0);
    if (rt->kind == TY_VAR) {
        ty_require(ck, rt, TY_TR_USER, tr, call->span);
    } else {
        r->impl = ty_find_impl(ck->prog, tr, rt);
        if (!r->impl) {
            ty_error(ck, args[0]->span, "E0006", "%s does not implement %s", ty_str(ck, rt),
                     tr->name);
            ty_help(ck, "add `impl %s for %s do ... end`", tr->name, ty_str(ck, rt));
        } else {
            bool dflt = false;
            r->fn = ty_impl_method(ck->prog, r->impl, r->method, &dflt);
        }
    }
    return ty_apply(ck, method_type(ck, r, tr, r->method, a0, call->span), args, n, a0,
                    call->span);
}

/* Calls `callee(args)`; args[0]'s type may already be known (pipes). */
static ty_t *call_parts(ty_checker_t *ck, ast_expr_t *site, ast_expr_t *callee, ast_expr_t **args,
                        uint32_t n, ty_t *pre0, bool piped)
{
    ty_ref_t *r = NULL;
    ty_t *ft = NULL;
    if (callee->kind == AST_EXPR_IDENT) {
        ft = resolve_name(ck, callee->name, (int)n, callee->span, &r);
        if (!ft) {
            ty_trait_t *tr = n ? ty_trait_by_method(ck, callee->name) : NULL;
            if (tr && !pre0)
                return call_trait_fn(ck, site, tr, args, n);
            report_unbound(ck, callee->name, callee->span);
            for (uint32_t i = 0; i < n; i++)
                if (!(i == 0 && pre0))
                    ty_infer_expr(ck, args[i]);
            return ty_fresh(ck);
        }
    } else if (callee->kind == AST_EXPR_FIELD) {
        ft = resolve_qualified(ck, callee, (int)n, &r);
        if (!ft && !piped)
            return method_call(ck, site, callee);
    }
    if (!ft) {
        ft = ty_infer_expr(ck, callee);
        r = callee->sem;
    }
    if (r && r->kind == TY_REF_STDLIB && r->builtin->special == TY_SPECIAL_NODE_SPAWN) {
        callee->sem = r;
        site->sem = r;
        return ty_node_spawn(ck, site, args, n);
    }
    callee->ty = ft;
    if (r) {
        callee->sem = r;
        ty_ref_t *site_ref = ARENA_NEW(ck->a, ty_ref_t);
        *site_ref = *r;
        site_ref->recv_first = piped;
        site->sem = site_ref;
    }
    ty_t *ret = ty_apply(ck, ft, args, n, pre0, site->span);
    if (r && r->kind == TY_REF_STDLIB)
        ret = apply_special(ck, r->builtin, args, n, ret, site->span);
    return ret;
}

ty_t *ty_infer_call(ty_checker_t *ck, ast_expr_t *e)
{
    return call_parts(ck, e, e->lhs, e->elems.items, e->elems.len, NULL, false);
}

/* x |> f(a) is f(x, a); x |> f is f(x) (6.6, D41). */
ty_t *ty_infer_pipe(ty_checker_t *ck, ast_expr_t *e)
{
    ty_t *x = ty_infer_expr(ck, e->lhs);
    ast_expr_t *rhs = e->rhs;
    ast_expr_t *callee = rhs;
    uint32_t extra = 0;
    ast_expr_t **rest = NULL;
    if (rhs->kind == AST_EXPR_CALL) {
        callee = rhs->lhs;
        extra = rhs->elems.len;
        rest = rhs->elems.items;
    }
    ast_expr_t **args = ARENA_ARRAY(ck->a, ast_expr_t *, extra + 1);
    args[0] = e->lhs;
    for (uint32_t i = 0; i < extra; i++)
        args[i + 1] = rest[i];
    ty_t *t = call_parts(ck, e, callee, args, extra + 1, x, true);
    rhs->ty = t;
    return t;
}

