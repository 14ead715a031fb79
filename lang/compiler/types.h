/* types.h: Snow types and the typed program (issue 4; language.md section 5).
 *
 * The checker (ty_check_program) annotates the ASTs in place and builds one
 * ty_program_t. The lowering reads both without re-inferring:
 *
 *   - every ast_expr_t / ast_pat_t / ast_block_t has `ty` set; call
 *     ty_zonk() (deep) or ty_resolve() (shallow) before inspecting it,
 *   - ast_expr_t.sem is a ty_ref_t * for IDENT, FIELD, CALL, BINARY (operators
 *     dispatched to a trait and |>), STRUCT, SPAWN and SELF: what the name or
 *     call resolved to, with the instantiation of the callee's scheme.
 *     A pipe `x |> f(a)` is a BINARY whose sem describes the call of f with
 *     arguments [x, a] (recv_first set); `x |> f` likewise with [x]. A
 *     method call `x.m(a)` is a CALL whose sem has recv_first set: its
 *     arguments are [x (the FIELD's lhs), a]. Operators on user types
 *     (+, ==, <, ...) carry a TY_REF_OPERATOR naming the trait; the lowering
 *     picks the impl with ty_find_impl on the operand type,
 *   - ast_pat_t.sem is a ty_binding_t * for binding IDENT/AS patterns and a
 *     ty_variant_t * for constructor patterns (IDENT naming a nullary variant
 *     or CTOR); ty_pat_variant() tells them apart,
 *   - ast_item_t.sem is the ty_fn_t * of a fn clause, the ty_decl_t * of a
 *     struct/sum type, the ty_impl_t * of an impl, the ty_trait_t * of an
 *     interface, the ty_actor_t * / ty_service_t * / ty_supervisor_t *.
 *
 * Representation (algorithm J with union-find, language.md 5.2): a type
 * variable is a TY_VAR whose `link` is NULL while unbound and points at its
 * binding afterwards. Generalised variables of a scheme keep their identity:
 * a scheme lists the TY_VAR nodes it quantifies over, and every use records
 * the types it instantiated them with (ty_ref_t.inst), so the lowering
 * monomorphizes with ty_subst(). Variables still unbound when checking ends
 * (and not quantified) mean `()` (5.2: unconstrained variables are not an
 * error); ty_zonk() turns them into TY_UNIT when asked to.
 *
 * Everything lives in the compilation arena and stays valid until it is freed.
 */
#ifndef SNOW_LANG_COMPILER_TYPES_H
#define SNOW_LANG_COMPILER_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lang/compiler/arena.h"
#include "lang/compiler/ast.h"
#include "lang/compiler/intern.h"
#include "lang/compiler/span.h"

struct compile_t;

typedef struct ty_t ty_t;
typedef struct ty_decl_t ty_decl_t;
typedef struct ty_variant_t ty_variant_t;
typedef struct ty_scheme_t ty_scheme_t;
typedef struct ty_fn_t ty_fn_t;
typedef struct ty_binding_t ty_binding_t;
typedef struct ty_trait_t ty_trait_t;
typedef struct ty_impl_t ty_impl_t;
typedef struct ty_ref_t ty_ref_t;
typedef struct ty_builtin_fn_t ty_builtin_fn_t;
typedef struct ty_actor_t ty_actor_t;
typedef struct ty_service_t ty_service_t;
typedef struct ty_supervisor_t ty_supervisor_t;
typedef struct ty_program_t ty_program_t;

/* ------------------------------------------------------------------ types */

typedef enum {
    TY_VAR,    /* unification variable; see link */
    TY_INT,
    TY_FLOAT,
    TY_BOOL,
    TY_STRING,
    TY_UNIT,   /* () and nil */
    TY_NEVER,  /* break/continue/return: unifies with anything */
    TY_TUPLE,  /* args[0..nargs), nargs >= 2 */
    TY_FUN,    /* args = parameters, ret = result */
    TY_CON,    /* a named constructor (built-in collection, Option, user struct...) with args */
} ty_kind_t;

struct ty_t {
    ty_kind_t kind;
    uint32_t nargs;
    ty_t **args;      /* TUPLE elements, FUN parameters, CON type arguments */
    ty_t *ret;        /* FUN result */
    ty_decl_t *decl;  /* CON */
    /* TY_VAR only: */
    ty_t *link;       /* the binding, or NULL while unbound (union-find) */
    uint32_t id;      /* printed as ?<id> when nothing better is known */
    int32_t level;    /* let-level for generalisation; TY_LEVEL_GENERIC when quantified */
    sym_t name;       /* the user's type-parameter name (T) when it came from one, else NULL */
    bool rigid;       /* a declared type parameter (fn f<T>): unifies only with itself and
                         with flexible variables (5.5) */
};

#define TY_LEVEL_GENERIC INT32_MAX

/* Built-in named types (language.md 5.1). ORDER TY_BUILTIN: ty_repr.c names. */
typedef enum {
    TY_B_NONE = 0,   /* a user struct or sum type */
    TY_B_LIST,       /* List<T> */
    TY_B_MAP,        /* Map<K, V> */
    TY_B_SET,        /* Set (Int elements; Set<T> is accepted and means Set) */
    TY_B_QUEUE,      /* Queue */
    TY_B_RANGE,      /* Range */
    TY_B_TUPLE_ANY,  /* Tuple: the Tuple module's "any tuple" parameter type */
    TY_B_JSON,       /* Json */
    TY_B_OPTION,     /* Option<T> (sum: Some, None) */
    TY_B_RESULT,     /* Result<T, E> (sum: Ok, Err) */
    TY_B_ORDERING,   /* Ordering (sum: Less, Equal, Greater) */
    TY_B_PID,        /* Pid<M>; nargs == 0 is the untyped Pid */
    TY_B_SYSTEMMSG,  /* SystemMsg (sum, D63) */
    TY_B_EXITREASON, /* ExitReason (sum, D63) */
    TY_B_REQUEST,    /* opaque runtime handles */
    TY_B_RESPONSE,
    TY_B_ROUTER,
    TY_B_SQLITECONN,
    TY_B_PGCONN,
    TY_B_POOLHANDLE,
    TY_B_WSCONN,
    TY_B_COUNT
} ty_builtin_t;

typedef enum {
    TY_DECL_BUILTIN, /* a built-in opaque or collection type */
    TY_DECL_STRUCT,
    TY_DECL_SUM,     /* user sum types and the built-in Option/Result/Ordering/SystemMsg/ExitReason */
} ty_decl_kind_t;

/* Built-in traits (language.md 5.4). User interfaces are ty_trait_t with
 * builtin == TY_TR_USER. ORDER TY_TRAIT: ty_traits.c names. */
typedef enum {
    TY_TR_USER = 0,
    TY_TR_ADD,
    TY_TR_SUB,
    TY_TR_MUL,
    TY_TR_DIV,
    TY_TR_MOD,
    TY_TR_EQ,
    TY_TR_ORD,
    TY_TR_NOT,
    TY_TR_DISPLAY,
    TY_TR_DEBUG,
    TY_TR_HASH,
    TY_TR_DEFAULT,
    TY_TR_JSON, /* deriving(Json): ToJson + FromJson */
    TY_TR_ROW,  /* deriving(Row): FromRow */
    TY_TR_COUNT
} ty_trait_kind_t;

/* Pseudo trait of an obligation waiting on the key of a Map given to
 * Json.encode: only String satisfies it (stdlib.md 16.1, 16.5, D56). It
 * has no ty_trait_t, so it never becomes a scheme bound. */
#define TY_TR_JSON_KEY ((ty_trait_kind_t)(TY_TR_COUNT + 2))

typedef struct {
    sym_t name;    /* NULL for a positional variant field */
    ty_t *type;    /* in terms of the decl's params */
    span_t span;
} ty_field_t;

/* ast_pat_t.sem points at a ty_binding_t or a ty_variant_t; both start
 * with this tag so ty_pat_variant can tell them apart. */
enum { TY_SEM_BINDING = 0x5b1d, TY_SEM_VARIANT = 0x5a71 };

struct ty_variant_t {
    uint32_t sem_tag;    /* TY_SEM_VARIANT */
    sym_t name;
    uint32_t index;      /* tag: declaration order, 0-based */
    ty_decl_t *decl;     /* the sum type */
    ty_field_t *fields;  /* positional in declaration order */
    uint32_t nfields;
    span_t span;
};

struct ty_decl_t {
    ty_decl_kind_t kind;
    ty_builtin_t builtin;    /* TY_B_NONE for user types */
    sym_t name;              /* `Point`, `List` */
    sym_t module;            /* defining module (`Geo`), NULL for built-ins */
    ty_t **params;           /* TY_VAR nodes standing for the type parameters */
    uint32_t nparams;
    ty_field_t *fields;      /* STRUCT */
    uint32_t nfields;
    ty_variant_t *variants;  /* SUM */
    uint32_t nvariants;
    uint32_t derived;        /* bit (1u << ty_trait_kind_t) per derived trait */
    bool is_pub;
    ast_item_t *item;        /* the definition, NULL for built-ins */
};

/* A polymorphic type: forall vars. type, with trait bounds on the vars
 * (where-clauses and deferred operator constraints, 5.2/5.5). */
typedef struct {
    ty_t *var;           /* one of vars[] */
    ty_trait_t *trait;   /* NULL with elem == NULL: "Display, else Debug" (interpolation) */
    /* A `for` over var whose collection type is decided per instantiation:
     * var is List<elem>, Map<K, V> (elem = (K, V) when map_pair, else K),
     * Set or Range (elem = Int). trait is NULL then. */
    ty_t *elem;
    bool map_pair;
    /* A field access on var (a struct decided per instantiation): var has
     * a field named `field` of type elem. trait is NULL then. */
    sym_t field;
} ty_bound_t;

struct ty_scheme_t {
    ty_t **vars;         /* quantified TY_VARs (level TY_LEVEL_GENERIC) */
    uint32_t nvars;
    ty_t *type;
    ty_bound_t *bounds;
    uint32_t nbounds;
};

/* A local variable: let binder, parameter, pattern variable, receive binder. */
struct ty_binding_t {
    uint32_t sem_tag;    /* TY_SEM_BINDING */
    sym_t name;
    span_t span;         /* where it is bound */
    ty_t *type;          /* monomorphic type, or the scheme's type when scheme != NULL */
    ty_scheme_t *scheme; /* let-polymorphic bindings (let f = fn ...), else NULL */
    uint32_t id;         /* unique in the program: name C locals after it */
    uint32_t depth;      /* closure nesting depth where bound (0 = function body) */
    bool is_top_let;     /* a module constant (2.6, D9) */
    ty_fn_t *nested_fn;  /* set when the name is a nested `fn` item of a block */
};

typedef enum {
    TY_FN_PLAIN,     /* a top-level fn/def group */
    TY_FN_NESTED,    /* a fn item inside a block */
    TY_FN_METHOD,    /* a method of an impl (impl != NULL) */
    TY_FN_DEFAULT,   /* a default method body of an interface, generic over Self */
    TY_FN_SERVICE,   /* a service's init */
} ty_fn_kind_t;

/* One function: all consecutive clauses of one name and arity (4.1.2). */
struct ty_fn_t {
    ty_fn_kind_t kind;
    sym_t name;
    uint32_t arity;
    sym_t module;
    bool is_pub;
    ast_fn_t **clauses;  /* in source order; clause 0 carries the signature */
    ast_item_t **items;  /* the items of the clauses, same length */
    uint32_t nclauses;
    ty_scheme_t *scheme; /* its type: a TY_FUN (a zero-param fn `fn x = e` is Fun() -> T) */
    ty_impl_t *impl;     /* METHOD: the impl it belongs to; NULL for DEFAULT */
    ty_trait_t *trait;   /* METHOD and DEFAULT: the trait whose method it implements */
    bool exhaustive;     /* clauses cover every argument (else a call can panic) */
    uint32_t id;         /* unique in the program */
};

/* A trait: a built-in one or a user `interface`. */
typedef struct {
    sym_t name;
    ast_method_sig_t *sig; /* NULL for built-in traits */
    bool has_default;
    bool is_static;        /* no self parameter (Default.default) */
    /* User interfaces: the default body as one function, generic over Self
     * (its first scheme variable when it takes self) with the bound
     * Self: this trait; every impl that does not override the method uses
     * it, instantiated with the impl's type (D13). */
    ty_fn_t *default_fn;
} ty_method_t;

struct ty_trait_t {
    ty_trait_kind_t builtin;
    sym_t name;
    sym_t module;          /* NULL for built-in traits */
    ty_method_t *methods;
    uint32_t nmethods;
    ast_item_t *item;      /* the interface, NULL for built-ins */
};

/* One impl of a trait for a type constructor (or a primitive kind). */
struct ty_impl_t {
    ty_trait_t *trait;
    ty_kind_t kind;        /* TY_CON: for decl; else the primitive (TY_INT...) */
    ty_decl_t *decl;       /* TY_CON target */
    ty_t *target;          /* the impl's target type as written (for user impls) */
    bool derived;          /* generated by deriving / default derivation */
    bool builtin;          /* provided by the runtime for a built-in type */
    ty_fn_t **methods;     /* user impls: one per method written in the impl */
    uint32_t nmethods;
    sym_t module;          /* module that defines the impl */
    ast_item_t *item;      /* user impls */
    void *_tparams;        /* checker-private: the impl's type-parameter names */
};

/* ------------------------------------------------------- resolved names */

typedef enum {
    TY_REF_LOCAL,      /* local variable: binding */
    TY_REF_TOP_LET,    /* module constant: binding (is_top_let), module */
    TY_REF_FN,         /* user function: fn (+ inst) */
    TY_REF_STDLIB,     /* stdlib/prelude function: builtin (+ inst) */
    TY_REF_CTOR,       /* variant constructor / nullary variant value: variant (+ inst of decl params) */
    TY_REF_METHOD,     /* trait method: trait, method, impl (NULL until monomorphization when the
                          receiver is a type parameter), fn (the impl's or default's ty_fn_t) */
    TY_REF_FIELD,      /* struct field: decl, field_index; decl is NULL when the receiver is
                          generic (a scheme bound): find the field by `method` (its name) with
                          ty_field_index on the instance's struct */
    TY_REF_OPERATOR,   /* BINARY/UNARY dispatched to trait (user type operand): trait, impl */
    TY_REF_STRUCT_LIT, /* STRUCT expr: decl (+ inst) */
    TY_REF_ACTOR,      /* an actor used as a function/spawn target: actor */
    TY_REF_SERVICE,    /* generated service function Stock.start / Stock.take: service, method */
    TY_REF_SUPERVISOR, /* supervisor name: supervisor */
    TY_REF_FROM_JSON,  /* T.from_json / T.from_row: decl, method */
    TY_REF_MODULE,     /* FIELD base naming a module (no value) */
} ty_ref_kind_t;

struct ty_ref_t {
    ty_ref_kind_t kind;
    ty_binding_t *binding;
    ty_fn_t *fn;
    const ty_builtin_fn_t *builtin;
    ty_variant_t *variant;
    ty_decl_t *decl;
    uint32_t field_index;
    ty_trait_t *trait;
    sym_t method;
    ty_impl_t *impl;
    ty_actor_t *actor;
    ty_service_t *service;
    ty_supervisor_t *supervisor;
    sym_t module;
    /* The types the callee's scheme variables were instantiated with at this
     * use: inst[i] replaces scheme->vars[i] (FN, LOCAL with scheme, STDLIB:
     * builtin->scheme, CTOR/STRUCT_LIT: decl->params). */
    ty_t **inst;
    uint32_t ninst;
    /* CALL/|> forms: the receiver or piped value is the first argument
     * (x.len(), x |> f(a)). */
    bool recv_first;
};

/* A stdlib or prelude function (stdlib.md 1.3). */
struct ty_builtin_fn_t {
    sym_t module;        /* `List`; NULL for prelude names */
    sym_t name;          /* `map` */
    const char *c_name;  /* runtime entry point suffix, e.g. "list_map" */
    ty_scheme_t *scheme;
    bool method;         /* callable with method syntax (stdlib.md 0.2) */
    uint32_t special;    /* TY_SPECIAL_* for functions typed by a rule, 0 otherwise */
};

enum {
    TY_SPECIAL_NONE = 0,
    TY_SPECIAL_TUPLE_NTH,   /* D50 */
    TY_SPECIAL_TUPLE_FIRST,
    TY_SPECIAL_TUPLE_SECOND,
    TY_SPECIAL_TUPLE_SIZE,
    TY_SPECIAL_NUMERIC,     /* Math.abs/min/max: T in {Int, Float} (D52) */
    TY_SPECIAL_TO_STRING,   /* Display else Debug */
    TY_SPECIAL_INSPECT,     /* Debug */
    TY_SPECIAL_HASH,        /* Hash */
    TY_SPECIAL_COMPARE,     /* Ord */
    TY_SPECIAL_DEFAULT,     /* Default */
    TY_SPECIAL_JSON_ENCODE, /* Json.encode (D56) */
    TY_SPECIAL_NODE_SPAWN,  /* Node.spawn/spawn_link: typed like spawn */
};

/* ------------------------------------------------- concurrency items */

struct ty_actor_t {
    sym_t name;
    sym_t module;
    ast_actor_t *ast;
    ty_t *msg;          /* M */
    ty_t *type;         /* Fun(params) -> Pid<M> */
    ty_binding_t **params;
    uint32_t nparams;
};

typedef struct {
    sym_t name;         /* `Take` */
    sym_t fn_name;      /* `take` (snake_case, 4.8) */
    bool is_call;
    ast_handler_t *ast;
    ty_t *type;         /* Fun(Pid, params...) -> R (cast: -> ()) */
    ty_binding_t **params;
    ty_binding_t *state;
} ty_handler_t;

struct ty_service_t {
    sym_t name;
    sym_t module;
    ast_service_t *ast;
    ty_t *state;        /* S */
    ty_fn_t *init;
    ty_t *start_type;   /* Fun(init params) -> Pid<()> */
    ty_handler_t *handlers;
    uint32_t nhandlers;
};

typedef enum {
    TY_STRAT_ONE_FOR_ONE,
    TY_STRAT_ONE_FOR_ALL,
    TY_STRAT_REST_FOR_ONE,
    TY_STRAT_SIMPLE_ONE_FOR_ONE
} ty_strategy_t;

typedef enum { TY_RESTART_PERMANENT, TY_RESTART_TRANSIENT, TY_RESTART_TEMPORARY } ty_restart_t;

typedef struct {
    sym_t name;
    ast_expr_t *start;  /* typed Fun() -> Pid<M> */
    ty_restart_t restart;
    int64_t shutdown_ms; /* -1 = brutal_kill */
} ty_child_t;

struct ty_supervisor_t {
    sym_t name;
    sym_t module;
    ast_supervisor_t *ast;
    ty_strategy_t strategy;
    int64_t max_restarts;
    int64_t max_seconds;
    ty_child_t *children;
    uint32_t nchildren;
};

/* ------------------------------------------------------------ program */

/* One checked module. */
typedef struct {
    sym_t name;
    uint32_t module_index;  /* index in compile_t.modules */
    ty_fn_t **fns;          /* every function group defined in it: top level, service helpers,
                               impl methods and interface default bodies (TY_FN_DEFAULT) */
    uint32_t nfns;
    ty_binding_t **top_lets;
    ast_stmt_t **top_let_stmts; /* same length: the let statements; a destructuring
                                   `let (a, b) = e` appears once per name, consecutively */
    uint32_t ntop_lets;
} ty_module_t;

/* One diagnostic the checker reported (code and primary span), kept for
 * tests and tools; the rendering goes through diag.h. */
typedef struct {
    const char *code; /* "E0001", "W0001" */
    span_t span;
    bool warning;
} ty_diag_record_t;

struct ty_program_t {
    ty_module_t *modules;   /* in dependency order (imported modules first) */
    uint32_t nmodules;
    ty_decl_t **decls;      /* user structs and sum types */
    uint32_t ndecls;
    ty_decl_t *builtins[TY_B_COUNT]; /* built-in declarations by ty_builtin_t */
    ty_trait_t **traits;    /* built-in (index = ty_trait_kind_t for builtins; [0] is NULL) then user */
    uint32_t ntraits;
    ty_impl_t **impls;      /* every user, derived and built-in impl */
    uint32_t nimpls;
    ty_actor_t **actors;
    uint32_t nactors;
    ty_service_t **services;
    uint32_t nservices;
    ty_supervisor_t **supervisors;
    uint32_t nsupervisors;
    ty_fn_t *main_fn;       /* Main.main, or NULL (2.5: reported by the driver at the end) */
    uint32_t error_count;
    uint32_t warning_count;
    ty_diag_record_t *diags; /* every error and warning, in report order */
    uint32_t ndiags;
};

/* ---------------------------------------------------------------- API */

/* Type-checks every module of c (which front_load filled) in dependency
 * order, reporting errors and warnings to c->diag, annotates the ASTs and
 * sets c->typed (also when there were errors, for tooling). Returns the
 * number of errors; the driver stops before lowering when it is non-zero. */
int ty_check_program(struct compile_t *c);

/* Follows the union-find links of t until a non-variable or an unbound
 * variable. Never allocates. */
ty_t *ty_resolve(ty_t *t);

/* Returns t with every bound variable replaced by its binding, deeply
 * (allocates in a only when something changes). If unit_for_unbound, unbound
 * non-generic variables become TY_UNIT (5.2); generic (quantified) variables
 * are always kept. */
ty_t *ty_zonk(arena_t *a, ty_t *t, bool unit_for_unbound);

/* Replaces vars[i] by args[i] in t (after zonking); used to monomorphize a
 * scheme or a generic decl's field types. */
ty_t *ty_subst(arena_t *a, ty_t *t, ty_t *const *vars, ty_t *const *args, uint32_t n);

/* Writes t as users write it (List<String>, Int?, Geo.Pt, ?<n>) into buf
 * (NUL-terminated, truncated to cap). cur_module names the module being
 * reported on: its own types print unqualified unless qualify_all.
 * Returns the length that would have been written. */
size_t ty_print(char *buf, size_t cap, const ty_t *t, sym_t cur_module);

/* Structural equality after resolution (variables equal only to themselves). */
bool ty_equal(const ty_t *a, const ty_t *b);

/* The impl of trait for the concrete type t (resolved), or NULL when t does
 * not implement it. Covers built-in, derived and user impls. t must not be
 * an unbound variable (returns NULL then). */
ty_impl_t *ty_find_impl(const ty_program_t *p, const ty_trait_t *trait, const ty_t *t);

/* Whether t implements the built-in trait k (Display, Eq, ...). */
bool ty_has_trait(const ty_program_t *p, ty_trait_kind_t k, const ty_t *t);

/* The method body implementing `method` for impl: the impl's own method,
 * or the interface's default (*is_default set): a function generic over
 * Self, to instantiate with the impl's type (ty_method_t.default_fn). NULL
 * for built-in and derived impls, whose code the lowering generates. */
ty_fn_t *ty_impl_method(const ty_program_t *p, const ty_impl_t *impl, sym_t method, bool *is_default);

/* For an IDENT, CTOR or AS pattern: the variant it tests, or NULL when it
 * binds a variable (then p->sem is a ty_binding_t, or NULL for `_`). */
static inline ty_variant_t *ty_pat_variant(const ast_pat_t *p)
{
    const uint32_t *tag = (const uint32_t *)p->sem;
    return tag && *tag == TY_SEM_VARIANT ? (ty_variant_t *)p->sem : NULL;
}

/* The struct field index of name in decl, or -1. */
int ty_field_index(const ty_decl_t *decl, sym_t name);

/* The constructor type of a decl applied to args (nargs == decl->nparams). */
ty_t *ty_con(arena_t *a, ty_decl_t *decl, ty_t **args, uint32_t nargs);

/* Field or variant-field type of decl instantiated at the CON type t. */
ty_t *ty_field_type(arena_t *a, const ty_t *con, const ty_field_t *field);

#endif
