/* ty_check.h: the type checker's internal state, shared by the ty_*.c files.
 *
 * Not a public contract: the lowering reads types.h only. One ty_checker_t
 * lives for one ty_check_program call. The checker is single-threaded and
 * allocates everything from the compilation arena.
 *
 * Name resolution has three layers, searched innermost first:
 *   1. local scopes (ty_scope_t chain: let, params, pattern variables),
 *   2. the current module's namespace (ty_modenv_t: fns, constants, variants,
 *      actors, ...), including names brought in by `from M import`,
 *   3. the prelude and stdlib modules (ty_builtins.c).
 */
#ifndef SNOW_LANG_COMPILER_TY_CHECK_H
#define SNOW_LANG_COMPILER_TY_CHECK_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "lang/compiler/compile.h"
#include "lang/compiler/types.h"

/* Internal trait code: "Display, else Debug" (interpolation, to_string). */
#define TY_TR_PRINTABLE ((ty_trait_kind_t)(TY_TR_COUNT + 1))

/* ------------------------------------------------------------ maps */

/* Pointer-keyed open-addressing map (keys are sym_t or other pointers). */
typedef struct {
    const void **keys;
    void **vals;
    uint32_t cap; /* power of two or 0 */
    uint32_t len;
} ty_map_t;

void *ty_map_get(const ty_map_t *m, const void *key);
void ty_map_put(arena_t *a, ty_map_t *m, const void *key, void *val);

/* ------------------------------------------------------ namespaces */

typedef enum {
    TY_ENT_FN,         /* fn group: fn */
    TY_ENT_TOP_LET,    /* module constant: binding */
    TY_ENT_CTOR,       /* variant */
    TY_ENT_ACTOR,
    TY_ENT_SERVICE,
    TY_ENT_SUPERVISOR,
    TY_ENT_BUILTIN,    /* imported stdlib function (from String import length) */
} ty_ent_kind_t;

/* A module-level value name. Several entries may share a name (fn groups of
 * different arities); they are chained through next. */
typedef struct ty_ent_t {
    ty_ent_kind_t kind;
    ty_fn_t *fn;
    ty_binding_t *binding;
    ty_variant_t *variant;
    ty_actor_t *actor;
    ty_service_t *service;
    ty_supervisor_t *supervisor;
    const ty_builtin_fn_t *builtin;
    uint32_t order;      /* position of the defining item in the file (D11) */
    struct ty_ent_t *next;
} ty_ent_t;

typedef struct {
    ast_typedef_t *def;
    sym_t module;
    bool resolving; /* cycle guard */
} ty_alias_t;

typedef enum { TY_TNS_DECL, TY_TNS_ALIAS, TY_TNS_TRAIT } ty_tns_kind_t;
typedef struct {
    ty_tns_kind_t kind;
    ty_decl_t *decl;
    ty_alias_t *alias;
    ty_trait_t *trait;
} ty_tent_t;

typedef struct ty_modenv_t {
    sym_t name;
    uint32_t index;           /* in compile_t.modules */
    compile_module_t *cm;
    ty_map_t values;          /* sym -> ty_ent_t chain (own items and from-imports) */
    ty_map_t types;           /* sym -> ty_tent_t (own and imported) */
    ty_map_t qualifiers;      /* sym -> ty_modenv_t (import A.B.C binds C) */
    ty_map_t services;        /* sym -> ty_service_t */
    ty_map_t methods;         /* method name -> trait (user traits visible here; chain not needed) */
    ty_module_t *out;
    bool checked;
    int visit;                /* 0 new, 1 in progress, 2 done (cycle detection) */
    uint32_t *deps;           /* imported module indexes */
    uint32_t ndeps;
    span_t *dep_spans;
} ty_modenv_t;

/* ----------------------------------------------------- local scopes */

typedef struct ty_scope_t {
    struct ty_scope_t *parent;
    ty_binding_t **items;
    uint32_t len, cap;
} ty_scope_t;

/* Deferred trait obligation (5.2: checked once the type is known). */
typedef struct {
    ty_t *type;
    ty_trait_kind_t builtin; /* builtin trait or TY_TR_PRINTABLE; TY_TR_USER: trait */
    ty_trait_t *trait;
    span_t span;
    sym_t module;
} ty_oblig_t;

/* A `return e` or `e?` inside a function, checked when its result type is
 * known (D17). */
typedef struct {
    bool is_try;
    bool try_option;  /* `?` on Option */
    ty_t *type;       /* return: value type; try on Result: the error type */
    span_t span;
} ty_exit_t;

/* The function (or closure) being checked. */
typedef struct ty_fnctx_t {
    struct ty_fnctx_t *parent;
    ty_t *ret;           /* result type variable */
    bool ret_annotated;
    bool is_actor;       /* actor body: return/? accept anything */
    ty_t *msg;           /* actor message type M, inherited by closures; NULL outside actors */
    ty_actor_t *actor;
    ty_exit_t *exits;
    uint32_t nexits, cap_exits;
    uint32_t loop_depth; /* reset in closures (5.7) */
    uint32_t closure_depth;
} ty_fnctx_t;

/* Common interned names. */
typedef struct {
    sym_t Int, Float, Bool, String, Unit, List, Map, Set, Queue, Range, Tuple, Json, JSON,
        Option, Result, Ordering, Pid, Fun, SystemMsg, ExitReason, Self, self, main, Main,
        Some, None, Ok, Err, underscore, from_json, from_row, to_json, to_string, inspect, hash,
        compare, default_, init, brutal_kill, String_, Never;
} ty_syms_t;

typedef struct ty_checker_t {
    compile_t *c;
    arena_t *a;
    interner_t *in;
    ty_program_t *prog;
    ty_syms_t s;
    uint32_t next_var;
    uint32_t next_binding;
    uint32_t next_fn;
    int32_t level;

    ty_modenv_t *mods;       /* one per compile module */
    uint32_t nmods;
    ty_map_t mod_by_name;    /* full module name -> ty_modenv_t */
    ty_modenv_t *mod;        /* module being checked */

    ty_map_t stdlib;         /* module sym -> ty_map_t* (name -> ty_builtin_fn_t) */
    ty_map_t prelude;        /* name -> ty_builtin_fn_t (incl. D42 aliases) */
    ty_map_t builtin_types;  /* sym -> ty_tent_t for built-in type names */
    ty_map_t builtin_values; /* sym -> ty_variant_t: Some, None, Ok, ..., Down, Normal */
    ty_trait_t *btraits[TY_TR_COUNT];
    ty_map_t trait_by_name;  /* built-in trait names */
    ty_map_t trait_methods;  /* method name -> user trait declaring it (last wins) */

    ty_scope_t *scope;
    ty_fnctx_t *fn;

    ty_oblig_t *obligs;
    uint32_t nobligs, cap_obligs;

    /* `for` loops over a collection whose type was unknown when checked. */
    struct ty_iter_t *iters;
    uint32_t niters, cap_iters;

    /* generic type-parameter names in scope while resolving annotations */
    ty_map_t *tparams;
    ty_t *self_type; /* `Self` inside impls and interfaces */
    ty_trait_t *self_trait; /* the interface whose default body is being checked */
    int expect_arity;       /* arity asked of the next bare function name (D11), or -1 */
    bool discard;           /* the next expression's value is discarded (ty_infer.c join_arm) */
    ty_binding_t **or_bind; /* bindings of an or-pattern's first alternative */
    uint32_t nor_bind;

    /* Diagnostics recorded by this checker (also sent to c->diag). */
    uint32_t errors;
    uint32_t warnings;
    uint32_t cap_diags;
} ty_checker_t;

/* ---------------------------------------------------- ty_repr.c */

ty_t *ty_new(ty_checker_t *ck, ty_kind_t kind);
ty_t *ty_prim(ty_checker_t *ck, ty_kind_t kind); /* shared Int/Float/Bool/String/Unit/Never */
ty_t *ty_fresh(ty_checker_t *ck);
ty_t *ty_fun(ty_checker_t *ck, ty_t **params, uint32_t n, ty_t *ret);
ty_t *ty_tuple(ty_checker_t *ck, ty_t **elems, uint32_t n);
ty_t *ty_con0(ty_checker_t *ck, ty_builtin_t b);
ty_t *ty_con1(ty_checker_t *ck, ty_builtin_t b, ty_t *arg);
ty_t *ty_con2(ty_checker_t *ck, ty_builtin_t b, ty_t *a0, ty_t *a1);
bool ty_is_con(const ty_t *t, ty_builtin_t b); /* t resolved */
const char *ty_builtin_name(ty_builtin_t b);
/* Prints t for a message in the current module into a fresh arena string. */
const char *ty_str(ty_checker_t *ck, ty_t *t);

/* ---------------------------------------------------- ty_unify.c */

/* Unifies a and b; false (and nothing reported) on mismatch or infinite type.
 * *occurs is set when the failure is an occurs check. */
bool ty_unify_(ty_checker_t *ck, ty_t *a, ty_t *b, bool *occurs);
/* Unifies `found` with `expected`, reporting E0001 (or E0002) at span. */
bool ty_expect(ty_checker_t *ck, ty_t *expected, ty_t *found, span_t span);
/* Generalises t over variables above the current level. */
ty_scheme_t *ty_generalize(ty_checker_t *ck, ty_t *t);
/* Instantiates a scheme with fresh variables; *inst gets the fresh types. */
ty_t *ty_instantiate(ty_checker_t *ck, ty_scheme_t *s, ty_t ***inst, uint32_t *ninst, span_t span);
ty_scheme_t *ty_mono(ty_checker_t *ck, ty_t *t);

/* ---------------------------------------------------- ty_env.c */

void ty_scope_push(ty_checker_t *ck);
void ty_scope_pop(ty_checker_t *ck);
ty_binding_t *ty_bind(ty_checker_t *ck, sym_t name, span_t span, ty_t *t);
ty_binding_t *ty_lookup_local(ty_checker_t *ck, sym_t name);
void ty_ent_add(ty_checker_t *ck, ty_modenv_t *m, sym_t name, ty_ent_t *e);
ty_ent_t *ty_ent_lookup(ty_modenv_t *m, sym_t name);
ty_tent_t *ty_type_lookup(ty_checker_t *ck, ty_modenv_t *m, sym_t name);
ty_variant_t *ty_variant_lookup(ty_checker_t *ck, sym_t name);
ty_ref_t *ty_ref_new(ty_checker_t *ck, ty_ref_kind_t kind);
/* Closest name for "did you mean" among locals and module values, or NULL. */
sym_t ty_suggest(ty_checker_t *ck, sym_t name);

/* ---------------------------------------------------- ty_diag.c */

void ty_error(ty_checker_t *ck, span_t span, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void ty_warning(ty_checker_t *ck, span_t span, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Attach a help / note line to the last diagnostic. */
void ty_help(ty_checker_t *ck, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ty_note(ty_checker_t *ck, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ty_label(ty_checker_t *ck, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The JSON `fix` suggestion of the last diagnostic (10.3). */
void ty_fix(ty_checker_t *ck, const char *text);
/* The JSON long message of the last diagnostic (10.3). */
void ty_message(ty_checker_t *ck, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *ty_fmt(ty_checker_t *ck, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---------------------------------------------------- ty_builtins.c */

void ty_builtins_init(ty_checker_t *ck);
const ty_builtin_fn_t *ty_stdlib_lookup(ty_checker_t *ck, sym_t module, sym_t name);
bool ty_is_stdlib_module(ty_checker_t *ck, sym_t module);
const ty_builtin_fn_t *ty_prelude_lookup(ty_checker_t *ck, sym_t name);

/* ---------------------------------------------------- ty_annot.c */

/* Resolves a written type in module m with the type parameters in
 * ck->tparams (NULL if none). Reports E0004-style unknown types as E0004. */
ty_t *ty_from_ast(ty_checker_t *ck, ast_type_t *t);
/* Adds to tp a fresh variable for every single upper-case name in t that
 * names no type (`impl Show for Box<T>`, interface signatures). */
void ty_auto_tparams(ty_checker_t *ck, ast_type_t *t, ty_map_t *tp);

/* ---------------------------------------------------- ty_traits.c */

void ty_traits_init(ty_checker_t *ck);
/* Requires t to implement k now or, if t is still a variable, later. */
void ty_require(ty_checker_t *ck, ty_t *t, ty_trait_kind_t k, ty_trait_t *user, span_t span);
/* Checks the obligations whose type got known; with final, also reports
 * those that remain on concrete types. Obligations on generalised vars are
 * moved into bounds by ty_generalize. */
void ty_obligs_flush(ty_checker_t *ck);
/* At the end of checking: reports default() calls whose type nothing fixed. */
void ty_obligs_final(ty_checker_t *ck);
bool ty_has_builtin_trait(ty_checker_t *ck, ty_trait_kind_t k, ty_t *t, ty_t **blocker);
void ty_collect_impls(ty_checker_t *ck, ty_modenv_t *m);
void ty_check_impl_bodies(ty_checker_t *ck, ty_modenv_t *m);
void ty_derive_decl(ty_checker_t *ck, ty_decl_t *d);
void ty_derive_check_fields(ty_checker_t *ck, ty_decl_t *d);
void ty_builtin_impls(ty_checker_t *ck);
ty_impl_t *ty_add_impl_(ty_checker_t *ck, ty_trait_t *tr, ty_kind_t kind, ty_decl_t *d);
/* User trait providing method `name` for type t (E0027 when ambiguous
 * reported by caller via *ambiguous). */
ty_impl_t *ty_method_impl(ty_checker_t *ck, ty_t *t, sym_t name, ty_trait_t **trait, int *count,
                          ty_trait_t **second);
ty_trait_t *ty_trait_by_method(ty_checker_t *ck, sym_t name);
/* The interface or built-in trait a bare name denotes in the current
 * module: its own or imported interfaces, the built-in traits, then any
 * pub interface of the program (2.3). NULL if none. */
ty_trait_t *ty_trait_named(ty_checker_t *ck, sym_t name);
ty_t *ty_trait_method_type(ty_checker_t *ck, ty_trait_t *tr, sym_t method, ty_t *self_ty);

/* ---------------------------------------------------- ty_infer.c */

ty_t *ty_infer_expr(ty_checker_t *ck, ast_expr_t *e);
/* A member constraint on a type not known yet: either a `for` over coll
 * binding elem, or (field != NULL) a field access coll.field of type elem
 * on a receiver that several structs could be. */
typedef struct ty_iter_t {
    ty_t *coll, *elem;
    bool map_pair;     /* the binder is `{k, v}` */
    sym_t field;       /* field constraint: the field name */
    ast_expr_t *expr;  /* field constraint: the FIELD expression, NULL for instances */
    span_t span;
} ty_iter_t;
void ty_iter_push(ty_checker_t *ck, ty_t *coll, ty_t *elem, bool map_pair, span_t span);
void ty_field_push(ty_checker_t *ck, ty_t *recv, ty_t *field_ty, sym_t field, ast_expr_t *e,
                   span_t span);
/* Settles pending `for` element types whose collection type is now known;
 * with final, an unknown collection becomes a List (6.8). */
void ty_iters_flush(ty_checker_t *ck, bool final);
ty_t *ty_infer_block(ty_checker_t *ck, ast_block_t *b);
void ty_check_fn_group(ty_checker_t *ck, ty_fn_t *f);
/* Checks a body as a function with result `ret` (closures, fns, handlers). */
void ty_fnctx_enter(ty_checker_t *ck, ty_fnctx_t *fc, ty_t *ret, bool annotated);
void ty_fnctx_leave(ty_checker_t *ck, ty_t *body_ty);

/* ---------------------------------------------------- ty_call.c */

ty_t *ty_infer_call(ty_checker_t *ck, ast_expr_t *e);
/* Applies fty to args (args[0]'s type may be given as pre0, for receivers
 * and piped values): E0003 on a wrong count, E0001 per argument. */
ty_t *ty_apply(ty_checker_t *ck, ty_t *fty, ast_expr_t **args, uint32_t n, ty_t *pre0,
               span_t span);
/* The user module a qualifier expression names (`Shapes`, `Geo.Shapes`), or NULL. */
ty_modenv_t *ty_module_of_path(ty_checker_t *ck, ast_expr_t *q);

/* ---------------------------------------------------- ty_forms.c */

ty_t *ty_node_spawn(ty_checker_t *ck, ast_expr_t *site, ast_expr_t **args, uint32_t n);
ty_t *ty_infer_struct_lit(ty_checker_t *ck, ast_expr_t *e);
ty_t *ty_infer_actor_form(ty_checker_t *ck, ast_expr_t *e);
ty_t *ty_infer_field(ty_checker_t *ck, ast_expr_t *e);
ty_t *ty_infer_ident(ty_checker_t *ck, ast_expr_t *e);
ty_t *ty_infer_pipe(ty_checker_t *ck, ast_expr_t *e);


/* ---------------------------------------------------- ty_pat.c */

/* Checks p against t, binding its variables in the current scope. */
void ty_check_pat(ty_checker_t *ck, ast_pat_t *p, ty_t *t);
void ty_check_guard(ty_checker_t *ck, ast_expr_t *g, bool restricted);

/* ---------------------------------------------------- ty_exhaust.c */

/* Reports E0012 (as error or warning) and W0001 for rows of patterns
 * (arity columns each). rows[i] has `arity` patterns; guarded[i] marks guards. */
void ty_exhaust_check(ty_checker_t *ck, ast_pat_t ***rows, const bool *guarded, const span_t *spans,
                      uint32_t nrows, uint32_t arity, ty_t **col_types, span_t where,
                      bool as_warning, bool *exhaustive);

/* ---------------------------------------------------- ty_items.c */

void ty_collect_module(ty_checker_t *ck, ty_modenv_t *m);
void ty_collect_types(ty_checker_t *ck, ty_modenv_t *m);
ty_fn_t *ty_fn_new(ty_checker_t *ck, ty_fn_kind_t kind, ast_item_t *it);
void ty_fn_add_clause(ty_checker_t *ck, ty_fn_t *f, ast_item_t *it);
/* An interface method's default body as a function item (ty_impls.c). */
ast_item_t *ty_default_item(ty_checker_t *ck, ast_method_sig_t *sig, span_t span);

/* ---------------------------------------------------- ty_fn.c */

void ty_check_fns(ty_checker_t *ck, ty_fn_t **fns, uint32_t n);
void ty_check_module(ty_checker_t *ck, ty_modenv_t *m);

/* ---------------------------------------------------- ty_actors.c */

void ty_collect_concurrency(ty_checker_t *ck, ty_modenv_t *m, ast_item_t *it, uint32_t order);
void ty_concurrency_sigs(ty_checker_t *ck, ty_modenv_t *m);
void ty_check_concurrency(ty_checker_t *ck, ty_modenv_t *m);

/* ---------------------------------------------------- ty_modules.c */

/* Orders modules by imports (reports cycles), resolves imports. Returns
 * false when a fatal module error stops checking. */
bool ty_modules_order(ty_checker_t *ck, uint32_t **order);
void ty_resolve_imports(ty_checker_t *ck, ty_modenv_t *m);

#endif
