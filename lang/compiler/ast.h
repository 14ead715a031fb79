/* ast.h: the abstract syntax tree of one Snow source file.
 *
 * The parser (parse.c) builds it; the type checker annotates it in place
 * (every expression and pattern has a `ty` slot, identifiers a `sem` slot)
 * and the lowering reads the annotated tree, so this header is the contract
 * between the three phases. Grammar references are to language.md section 3.
 *
 * Invariants:
 * - Every node lives in the compilation's arena (arena.h) and is never freed
 *   on its own; pointers between nodes stay valid for the whole compilation.
 * - Every node has a span: byte offsets into its file (span.h). Spans of
 *   parents cover their children.
 * - Names are interned (intern.h): compare sym_t by pointer.
 * - Syntactic sugar that matters for messages is kept (T? and T!E types,
 *   pipes, else-if chains); the checker and lowering desugar it.
 *
 * If you add a kind, grep "ORDER AST_EXPR" / "ORDER AST_ITEM" and update the
 * dump (ast_dump.c) in the same change.
 */
#ifndef SNOW_LANG_COMPILER_AST_H
#define SNOW_LANG_COMPILER_AST_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "lang/compiler/intern.h"
#include "lang/compiler/span.h"

/* Filled by the type checker; opaque to the parser. */
struct ty_t;
struct source_table_t;

typedef struct ast_type_t ast_type_t;
typedef struct ast_pat_t ast_pat_t;
typedef struct ast_expr_t ast_expr_t;
typedef struct ast_stmt_t ast_stmt_t;
typedef struct ast_item_t ast_item_t;
typedef struct ast_block_t ast_block_t;

/* Arena-allocated arrays: items[0..len). */
typedef struct {
    ast_type_t **items;
    uint32_t len;
} ast_types_t;
typedef struct {
    ast_pat_t **items;
    uint32_t len;
} ast_pats_t;
typedef struct {
    ast_expr_t **items;
    uint32_t len;
} ast_exprs_t;
typedef struct {
    ast_item_t **items;
    uint32_t len;
} ast_items_t;
typedef struct {
    sym_t *items;
    span_t *spans; /* span of each name, same length */
    uint32_t len;
} ast_names_t;

/* A dotted name: `Geometry.Point`, `List`, `Http.Request`. */
typedef struct {
    ast_names_t parts;
    span_t span;
} ast_path_t;

/* ---------------------------------------------------------------- types */

/* Type = BaseType [ "?" | "!" Type ]
 * BaseType = "(" [Type {"," Type}] ")" | "Fun" "(" [Types] ")" "->" Type
 *          | IDENT {"." IDENT} [ "<" [Types] ">" ]                       */
typedef enum {
    AST_TYPE_NAME,   /* path + optional generic args: List<Int>, Geo.Pt */
    AST_TYPE_TUPLE,  /* (A, B); zero elements is Unit `()` */
    AST_TYPE_FUN,    /* Fun(A, B) -> R */
    AST_TYPE_OPTION, /* T?   (sugar for Option<T>) */
    AST_TYPE_RESULT, /* T!E  (sugar for Result<T, E>) */
} ast_type_kind_t;

struct ast_type_t {
    ast_type_kind_t kind;
    span_t span;
    ast_path_t path;   /* NAME */
    ast_types_t args;  /* NAME: generic args; TUPLE: elements; FUN: params */
    ast_type_t *inner; /* OPTION: T; RESULT: T; FUN: return type */
    ast_type_t *err;   /* RESULT: E */
};

/* -------------------------------------------------------------- patterns */

/* Pattern = ConsPattern ["as" IDENT]; ConsPattern = OrPattern ["::" ConsPattern];
 * OrPattern = PrimaryPat {"|" PrimaryPat}  (language.md 3.6)            */
typedef enum {
    AST_PAT_WILD,   /* _ */
    AST_PAT_INT,    /* 1, -1, 0xff (negative literals folded into the value) */
    AST_PAT_FLOAT,  /* 1.5, -2.0 */
    AST_PAT_BOOL,   /* true / false */
    AST_PAT_NIL,    /* nil */
    AST_PAT_STRING, /* "text" (escapes decoded, no interpolation) */
    AST_PAT_IDENT,  /* x: a binding, or a nullary variant (None, Red): the checker decides */
    AST_PAT_CTOR,   /* Some(x), Shape.Circle(r), Geo.Shape.Circle; see qualifier */
    AST_PAT_TUPLE,  /* (a, b); () */
    AST_PAT_OR,     /* a | b */
    AST_PAT_CONS,   /* head :: tail */
    AST_PAT_AS,     /* p as name */
} ast_pat_kind_t;

struct ast_pat_t {
    ast_pat_kind_t kind;
    span_t span;
    int64_t int_value;   /* INT (two's complement, D1) */
    double float_value;  /* FLOAT */
    bool bool_value;     /* BOOL */
    const char *str;     /* STRING: decoded bytes (may contain NUL); see str_len */
    uint32_t str_len;
    sym_t name;          /* IDENT, CTOR (the variant), AS (the bound name) */
    span_t name_span;
    ast_path_t qualifier; /* CTOR: the part before the variant (`Shape` in Shape.Circle); may be empty */
    bool has_parens;      /* CTOR: written with (...) */
    ast_pats_t elems;     /* CTOR args, TUPLE elems, OR alternatives */
    ast_pat_t *head;      /* CONS head; AS inner pattern */
    ast_pat_t *tail;      /* CONS tail */
    struct ty_t *ty;      /* filled by the checker */
    void *sem;            /* filled by the checker: binding or variant */
};

/* A parameter of a function clause or closure: a pattern (most often a plain
 * AST_PAT_IDENT) with an optional `:: Type` annotation. `self` parameters are
 * AST_PAT_IDENT named "self" with is_self set. */
typedef struct {
    ast_pat_t *pat;
    ast_type_t *type; /* NULL when unannotated */
    bool is_self;
    span_t span;
} ast_param_t;

typedef struct {
    ast_param_t *items;
    uint32_t len;
} ast_params_t;

/* ----------------------------------------------------------- expressions */

typedef enum {
    AST_UN_NEG, /* -e */
    AST_UN_NOT, /* !e / not e */
} ast_unop_t;

/* ORDER AST_BINOP: precedence lives in parse.c. */
typedef enum {
    AST_BIN_ADD,
    AST_BIN_SUB,
    AST_BIN_MUL,
    AST_BIN_DIV,
    AST_BIN_REM,
    AST_BIN_EQ,
    AST_BIN_NE,
    AST_BIN_LT,
    AST_BIN_GT,
    AST_BIN_LE,
    AST_BIN_GE,
    AST_BIN_AND,    /* and / && */
    AST_BIN_OR,     /* or / || */
    AST_BIN_CONCAT, /* <> */
    AST_BIN_PLUSPLUS, /* ++ */
    AST_BIN_RANGE,  /* .. */
    AST_BIN_PIPE,   /* |> */
} ast_binop_t;

/* One piece of an interpolated string: literal text or ${expr}. */
typedef struct {
    const char *text; /* decoded bytes when expr == NULL */
    uint32_t text_len;
    ast_expr_t *expr; /* the interpolated expression, or NULL */
} ast_strpart_t;

typedef struct {
    sym_t name;
    span_t name_span;
    ast_expr_t *value;
} ast_field_init_t;

/* Arm = Pattern ["when" Expr] "->" Expr   (case and receive) */
typedef struct {
    ast_pat_t *pat;
    ast_expr_t *guard; /* NULL if none */
    ast_expr_t *body;
    span_t span;
} ast_arm_t;

/* One clause of a closure: params, optional guard, and either an expression
 * body (`-> e`) or a block body (`do ... end` / no-param `-> ... end`). */
typedef struct {
    ast_params_t params;
    ast_expr_t *guard;
    ast_block_t *body; /* a block; an expression body is a one-statement block */
    bool arrow_form;   /* written with `->` */
    span_t span;
} ast_closure_clause_t;

/* ORDER AST_EXPR */
typedef enum {
    AST_EXPR_INT,
    AST_EXPR_FLOAT,
    AST_EXPR_BOOL,
    AST_EXPR_NIL,
    AST_EXPR_STRING,   /* parts; a plain literal has one text part */
    AST_EXPR_IDENT,    /* name */
    AST_EXPR_UNARY,    /* unop, lhs */
    AST_EXPR_BINARY,   /* binop, lhs, rhs (includes |>) */
    AST_EXPR_CALL,     /* lhs(args) */
    AST_EXPR_FIELD,    /* lhs.name  (also Module.fn and Type.Variant before resolution) */
    AST_EXPR_TRY,      /* lhs? */
    AST_EXPR_STRUCT,   /* lhs { fields }  (lhs is the struct name expression) */
    AST_EXPR_TUPLE,    /* (a, b); () is AST_EXPR_TUPLE with no elements */
    AST_EXPR_LIST,     /* [a, b] */
    AST_EXPR_MAP,      /* %{k => v}: keys in elems, values in values */
    AST_EXPR_IF,       /* cond, then_block, else_block (NULL if no else; else-if: a block holding an IF) */
    AST_EXPR_CASE,     /* lhs (scrutinee), arms */
    AST_EXPR_RECEIVE,  /* arms, after_timeout/after_body (NULL if no after) */
    AST_EXPR_WHILE,    /* cond, body */
    AST_EXPR_FOR,      /* for_pat in lhs [when guard] do body end */
    AST_EXPR_BREAK,
    AST_EXPR_CONTINUE,
    AST_EXPR_RETURN,   /* lhs: value or NULL */
    AST_EXPR_CLOSURE,  /* clauses */
    AST_EXPR_SPAWN,    /* spawn(args) */
    AST_EXPR_SEND,     /* send(args) */
    AST_EXPR_LINK,     /* link(args) */
    AST_EXPR_MONITOR,  /* monitor(args) (D67) */
    AST_EXPR_SELF,     /* self() */
    AST_EXPR_BLOCK,    /* a parenthesised or synthesized block: block */
} ast_expr_kind_t;

struct ast_expr_t {
    ast_expr_kind_t kind;
    span_t span;
    int64_t int_value;  /* INT (D1: two's complement; Int.min after unary minus folded by the parser) */
    double float_value; /* FLOAT */
    bool bool_value;    /* BOOL */
    sym_t name;         /* IDENT, FIELD */
    span_t name_span;   /* FIELD: span of the field name */
    ast_unop_t unop;
    ast_binop_t binop;
    ast_expr_t *lhs;    /* UNARY operand, BINARY left, CALL callee, FIELD/TRY/STRUCT base,
                           CASE scrutinee, FOR iterable, RETURN value, IF/WHILE condition */
    ast_expr_t *rhs;    /* BINARY right */
    ast_exprs_t elems;  /* CALL/SPAWN/SEND/LINK/MONITOR args, TUPLE/LIST elems, MAP keys */
    ast_exprs_t values; /* MAP values */
    struct {
        ast_strpart_t *items;
        uint32_t len;
    } parts; /* STRING */
    struct {
        ast_field_init_t *items;
        uint32_t len;
    } fields; /* STRUCT */
    struct {
        ast_arm_t *items;
        uint32_t len;
    } arms; /* CASE, RECEIVE */
    struct {
        ast_closure_clause_t *items;
        uint32_t len;
    } clauses; /* CLOSURE */
    ast_block_t *then_block;  /* IF then; WHILE/FOR body; BLOCK */
    ast_block_t *else_block;  /* IF else (NULL when absent) */
    ast_expr_t *guard;        /* FOR `when` filter */
    ast_pat_t *for_pat;       /* FOR binder: IDENT, or TUPLE of 1-2 IDENTs for `{k, v}` */
    ast_expr_t *after_timeout; /* RECEIVE after */
    ast_expr_t *after_body;
    struct ty_t *ty;          /* filled by the checker */
    void *sem;                /* filled by the checker: resolved binding / function / variant */
};

/* ------------------------------------------------------------ statements */

typedef enum {
    AST_STMT_EXPR, /* an expression (including return/break/continue) */
    AST_STMT_LET,  /* let pat [:: type] = value */
    AST_STMT_ITEM, /* a nested item (fn; other items are parsed and ignored, 3.2) */
} ast_stmt_kind_t;

struct ast_stmt_t {
    ast_stmt_kind_t kind;
    span_t span;
    ast_expr_t *expr;  /* EXPR; LET value */
    ast_pat_t *pat;    /* LET binder (IDENT or TUPLE pattern) */
    ast_type_t *type;  /* LET annotation or NULL */
    ast_item_t *item;  /* ITEM */
};

struct ast_block_t {
    ast_stmt_t **items;
    uint32_t len;
    span_t span;
    struct ty_t *ty; /* filled by the checker: type of the block's value */
};

/* ----------------------------------------------------------------- items */

/* Bound = IDENT ":" IDENT {"." IDENT} */
typedef struct {
    sym_t param;
    span_t param_span;
    ast_path_t trait;
} ast_bound_t;

typedef struct {
    ast_bound_t *items;
    uint32_t len;
} ast_bounds_t;

/* FnDef: one clause. Consecutive clauses of the same name/arity are grouped
 * by the checker (4.1.2), not by the parser. */
typedef struct {
    sym_t name;
    span_t name_span;
    bool is_pub;
    bool has_params;       /* false for `fn answer = 42` */
    ast_names_t generics;  /* <T, U> */
    ast_params_t params;
    ast_type_t *ret;       /* NULL when unannotated */
    ast_bounds_t where;
    ast_expr_t *guard;     /* `when` guard or NULL */
    ast_block_t *body;     /* `= e` becomes a one-statement block with expr_body set */
    bool expr_body;
} ast_fn_t;

typedef struct {
    sym_t name;
    span_t name_span;
    ast_type_t *type; /* NULL when the field has no annotation */
} ast_field_t;

typedef struct {
    ast_field_t *items;
    uint32_t len;
} ast_fields_t;

/* Variant = IDENT [ "(" VariantField {"," VariantField} ")" ]; a positional
 * field has name == NULL. */
typedef struct {
    sym_t name;
    span_t name_span;
    ast_fields_t fields;
    bool has_parens;
} ast_variant_t;

typedef struct {
    sym_t name;
    span_t name_span;
    bool is_pub;
    ast_names_t generics;
    ast_fields_t fields;     /* STRUCT */
    struct {
        ast_variant_t *items;
        uint32_t len;
    } variants;              /* SUM */
    ast_type_t *aliased;     /* ALIAS */
    ast_names_t derives;     /* deriving(Eq, Ord, ...) */
    bool has_deriving;
} ast_typedef_t;

/* IfaceMethod = ("fn"|"def") IDENT [Params] ["->" Type] ["do" Block "end"] */
typedef struct {
    sym_t name;
    span_t name_span;
    ast_params_t params;
    ast_type_t *ret;
    ast_block_t *default_body; /* NULL when abstract */
} ast_method_sig_t;

typedef struct {
    sym_t name;
    span_t name_span;
    bool is_pub;
    ast_names_t generics;
    struct {
        ast_method_sig_t *items;
        uint32_t len;
    } methods;
} ast_interface_t;

typedef struct {
    ast_path_t trait;
    ast_types_t trait_args; /* impl Trait<A> for T */
    ast_type_t *target;     /* the type after `for` */
    ast_bounds_t where;
    ast_items_t methods;    /* FnDef items (others reported by the checker) */
} ast_impl_t;

typedef struct {
    sym_t name;
    span_t name_span;
    ast_params_t params;
    ast_block_t *body;      /* statements of the actor body */
    ast_block_t *terminate; /* terminate do ... end, or NULL */
} ast_actor_t;

/* CallHandler / CastHandler */
typedef struct {
    bool is_call;
    sym_t name;
    span_t name_span;
    ast_params_t params;
    ast_type_t *ret;   /* call handlers: `:: Type` reply type, or NULL */
    sym_t state_name;  /* |state| binder, or NULL */
    span_t state_span;
    ast_block_t *body;
} ast_handler_t;

typedef struct {
    sym_t name;
    span_t name_span;
    ast_items_t fns; /* plain fn items, including init */
    struct {
        ast_handler_t *items;
        uint32_t len;
    } handlers;
} ast_service_t;

/* A supervisor key value kept as written, so the checker can report
 * E0019-E0021 with the user's spelling. */
typedef struct {
    bool present;
    bool is_int;
    int64_t int_value;
    sym_t ident;
    span_t span;
} ast_sup_value_t;

typedef struct {
    sym_t name;
    span_t name_span;
    ast_expr_t *start;
    ast_sup_value_t restart;
    ast_sup_value_t shutdown;
    span_t span;
} ast_child_t;

typedef struct {
    sym_t name;
    span_t name_span;
    bool is_pub;
    ast_sup_value_t strategy;
    ast_sup_value_t max_restarts;
    ast_sup_value_t max_seconds;
    struct {
        ast_child_t *items;
        uint32_t len;
    } children;
} ast_supervisor_t;

/* import Path / from Path import a, b */
typedef struct {
    ast_path_t path;
    ast_names_t names; /* from-import names; empty for `import` */
} ast_import_t;

/* ORDER AST_ITEM */
typedef enum {
    AST_ITEM_FN,
    AST_ITEM_STRUCT,
    AST_ITEM_SUM,
    AST_ITEM_ALIAS,
    AST_ITEM_INTERFACE,
    AST_ITEM_IMPL,
    AST_ITEM_ACTOR,
    AST_ITEM_SERVICE,
    AST_ITEM_SUPERVISOR,
    AST_ITEM_IMPORT,
    AST_ITEM_FROM_IMPORT,
    AST_ITEM_MODULE, /* inline module: parsed, then ignored (D8) */
} ast_item_kind_t;

struct ast_item_t {
    ast_item_kind_t kind;
    span_t span;
    union {
        ast_fn_t fn;
        ast_typedef_t type; /* STRUCT, SUM, ALIAS */
        ast_interface_t iface;
        ast_impl_t impl;
        ast_actor_t actor;
        ast_service_t service;
        ast_supervisor_t sup;
        ast_import_t import; /* IMPORT, FROM_IMPORT */
        struct {
            sym_t name;
            bool is_pub;
            ast_block_t *body;
        } module;
    } u;
    void *sem; /* filled by the checker */
};

/* A parsed file: its top-level statements in source order (items, lets, and
 * bare expressions, 2.6). */
typedef struct {
    uint32_t file; /* index in the source table (span.h) */
    ast_stmt_t **items;
    uint32_t len;
    /* Added by the front end: the table that holds this file, so that the
     * dump can print spans as line:col. Borrowed; set by parse_file. */
    const struct source_table_t *sources;
} ast_file_t;

/* Writes a stable, indented, human-readable dump of file to out (for
 * `snowc parse --dump` and the parser's tests). Spans print as line:col. */
void ast_dump_file(FILE *out, const ast_file_t *file);

#endif
