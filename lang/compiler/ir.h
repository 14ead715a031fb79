/* ir.h: the first-order IR between lowering (lower*.c) and the C emitter
 * (emit*.c); DESIGN 3 step 5.
 *
 * The IR is structured and close to C: a program is a list of functions,
 * each with typed locals and a body of statements (assign, if, loop, break,
 * continue, return, labelled blocks with early exit, panic). Everything the
 * source language adds on top is gone by the time code is here:
 *
 * - generic functions are monomorphized (one ir_func_t per instantiation),
 * - trait methods are resolved to the concrete impl (static dispatch),
 * - closures are (code, env) records: a closure's code is an ir_func_t with
 *   is_closure set that receives its record and word arguments,
 * - pattern matches, `?`, pipes, for/while and self tail calls are plain
 *   control flow.
 *
 * Invariants the lowering keeps and the emitter relies on:
 * - An expression has no side effects except ir calls (IR_E_CALL*), which
 *   appear only as the whole right-hand side of IR_S_ASSIGN or IR_S_EXPR,
 *   so C's unspecified argument order never changes program behaviour.
 *   Int division (which may panic) is an IR_E_BIN like the others; its
 *   operands are side-effect free.
 * - Every local is assigned before it is read on every path.
 * - Values are represented by ir_rep_t: Int int64_t, Float double, Bool
 *   bool, Unit nothing (uint8_t 0), every heap value `void *` (snow.h
 *   objects). Collections and closures hold values as snow_word_t.
 *
 * Everything lives in the compilation arena.
 */
#ifndef SNOW_LANG_COMPILER_IR_H
#define SNOW_LANG_COMPILER_IR_H

#include <stdbool.h>
#include <stdint.h>

#include "lang/compiler/arena.h"

/* C representation of a value. */
typedef enum {
    IR_REP_UNIT,  /* snow_unit_t, always 0 */
    IR_REP_INT,   /* int64_t, arithmetic wraps (done in uint64_t) */
    IR_REP_FLOAT, /* double */
    IR_REP_BOOL,  /* bool */
    IR_REP_PTR,   /* void *: string, list, map, record, closure */
    IR_REP_WORD,  /* snow_word_t: a value of unknown representation (generic runtime results) */
} ir_rep_t;

typedef struct ir_expr_t ir_expr_t;
typedef struct ir_stmt_t ir_stmt_t;

typedef struct {
    ir_stmt_t **items;
    uint32_t len, cap;
} ir_block_t;

/* ORDER IR_E: emit_expr in emit.c. */
typedef enum {
    IR_E_INT,   /* i */
    IR_E_FLOAT, /* f */
    IR_E_BOOL,  /* i != 0 */
    IR_E_UNIT,
    IR_E_STR,       /* static string literal: index into prog->strings */
    IR_E_LOCAL,     /* index: local of the current function */
    IR_E_GLOBAL,    /* index: module constant (prog->globals) */
    IR_E_UN,        /* op, a */
    IR_E_BIN,       /* op, a, b; rep = operand representation */
    IR_E_CALL,      /* direct call of prog->funcs[index] with args */
    IR_E_RT,        /* call of the runtime function `name` (snow.h) with args; cx is passed first
                       unless no_cx */
    IR_E_CALL_CLO,  /* call closure a with args (as words); result converted to rep */
    IR_E_FIELD,     /* word index of record a, converted to rep */
    IR_E_TAG,       /* variant tag of record a (Int) */
    IR_E_TO_WORD,   /* a (of rep a->rep) as snow_word_t */
    IR_E_FROM_WORD, /* word a as rep */
    IR_E_TYPE,      /* pointer to type descriptor prog->types[index] */
    IR_E_RAW,       /* a C expression text copied verbatim (constants from snow.h) */
    IR_E_COND,      /* a ? b : c (b, c side-effect free) */
    IR_E_LIST_ITEM, /* snow_list_items(a)[b] converted to rep */
    IR_E_LIST_LEN,  /* ((snow_list_t *)a)->len */
} ir_expr_kind_t;

/* Operators. Int ADD/SUB/MUL/NEG wrap; DIV/REM follow D26 (panic with the
 * expression's source line). */
typedef enum {
    IR_OP_ADD,
    IR_OP_SUB,
    IR_OP_MUL,
    IR_OP_DIV,
    IR_OP_REM,
    IR_OP_EQ,
    IR_OP_NE,
    IR_OP_LT,
    IR_OP_GT,
    IR_OP_LE,
    IR_OP_GE,
    IR_OP_AND, /* both operands side-effect free: && is fine */
    IR_OP_OR,
    IR_OP_NEG,
    IR_OP_NOT,
} ir_op_t;

struct ir_expr_t {
    ir_expr_kind_t kind;
    ir_rep_t rep; /* representation of the result */
    int64_t i;
    double f;
    uint32_t index;
    ir_op_t op;
    const char *name; /* RT: function name; RAW: text */
    bool no_cx;       /* RT: the function takes no snow_ctx_t */
    ir_expr_t *a, *b, *c;
    ir_expr_t **args;
    uint32_t nargs;
    uint32_t line; /* DIV/REM and calls that report locations: Snow source line */
    /* RT only: when arr_type is set, args[arr_from..nargs) are passed as a
     * count and a compound-literal array of arr_type (snow_string_concatn). */
    const char *arr_type;
    uint32_t arr_from;
};

/* ORDER IR_S: emit_stmt in emit.c. */
typedef enum {
    IR_S_ASSIGN,     /* locals[local] = e */
    IR_S_SET_GLOBAL, /* globals[local] = e */
    IR_S_EXPR,       /* e; (a call for its effect) */
    IR_S_IF,         /* if (e) then else els */
    IR_S_LOOP,       /* for (;;) body; the loop back-edge is a preemption point */
    IR_S_BREAK,      /* leaves the innermost IR_S_LOOP */
    IR_S_CONTINUE,   /* next iteration of the innermost IR_S_LOOP */
    IR_S_RETURN,     /* return e (e NULL for Unit functions) */
    IR_S_BLOCK,      /* labelled block `label`: body; IR_S_EXIT(label) jumps past its end */
    IR_S_EXIT,
    IR_S_TAILCALL,  /* jump to the start of the function (params already reassigned) */
    IR_S_PANIC,     /* snow_panic_at(file, line, msg) */
    IR_S_RECORD,    /* locals[local] = new record tag/count/ptrmask with words args */
    IR_S_CLOSURE,   /* locals[local] = closure of funcs[index] capturing args */
} ir_stmt_kind_t;

struct ir_stmt_t {
    ir_stmt_kind_t kind;
    uint32_t line; /* Snow source line (0 = unknown): #line directive */
    uint32_t local;
    uint32_t index;
    uint32_t label;
    ir_expr_t *e;
    ir_block_t then, els;
    /* RECORD / CLOSURE */
    uint16_t tag;
    uint64_t ptrmask;
    ir_expr_t **args;
    uint32_t nargs;
    const char *msg; /* PANIC */
};

typedef struct {
    const char *name; /* Snow name or NULL for temporaries; the C name adds the index */
    ir_rep_t rep;
} ir_local_t;

typedef struct {
    const char *c_name;    /* e.g. snow_fn_Main_greet, snow_fn_Geometry_area__Int */
    const char *snow_name; /* for comments: Main.greet */
    uint32_t file;         /* source file index for #line */
    uint32_t line;
    ir_local_t *locals; /* params first */
    uint32_t nlocals, cap_locals;
    uint32_t nparams;
    ir_rep_t ret;
    ir_block_t body;
    bool is_closure;          /* code of a closure: (cx, self, words...) -> word */
    uint32_t ncaptures;       /* closure: captured words, loaded into locals[nparams..) at entry */
    uint32_t *capture_locals; /* ncaptures local indexes */
    bool uses_tailcall;       /* a self tail call jumps to the top label */
    uint32_t next_label;
    const char *c_ret; /* C return type overriding `ret` (runtime callbacks: "int"), or NULL */
    bool exported;     /* not static (none today; kept for the runtime entry) */
} ir_func_t;

/* A static string literal. */
typedef struct {
    const char *bytes;
    uint32_t len;
} ir_string_t;

/* Kinds and flags of type descriptors: ORDER snow_kind_t / SNOW_TF_* in
 * snow.h (the emitter prints the snow.h names, so a renamed constant fails
 * to compile instead of silently changing meaning). */
enum {
    IR_KIND_UNIT,
    IR_KIND_INT,
    IR_KIND_FLOAT,
    IR_KIND_BOOL,
    IR_KIND_STRING,
    IR_KIND_LIST,
    IR_KIND_MAP,
    IR_KIND_SET,
    IR_KIND_QUEUE,
    IR_KIND_RANGE,
    IR_KIND_TUPLE,
    IR_KIND_STRUCT,
    IR_KIND_SUM,
    IR_KIND_FUNCTION,
    IR_KIND_PID,
    IR_KIND_JSON,
};
enum {
    IR_TF_DISPLAY = 1 << 0,
    IR_TF_DEBUG = 1 << 1,
    IR_TF_DEBUG_AS_DISPLAY = 1 << 2,
    IR_TF_JSON = 1 << 3,
    IR_TF_OPTION = 1 << 4,
};

/* A type descriptor (snow.h snow_type_t) emitted as static data. */
typedef struct {
    const char *name;
    uint32_t count;           /* fields of this variant */
    uint32_t *fields;         /* type indexes */
    const char **field_names; /* or NULL */
} ir_tvariant_t;

typedef struct {
    uint32_t kind;  /* snow_kind_t */
    uint32_t flags; /* SNOW_TF_* */
    const char *name;
    const char *builtin; /* when set, the descriptor is the runtime's `builtin` (snow_type_int) */
    uint32_t *params;    /* type indexes */
    uint32_t nparams;
    const char **field_names;
    ir_tvariant_t *variants;
    uint32_t nvariants;
    int32_t display, debug, eq, cmp, hash; /* funcs index of user impl wrappers, or -1 */
    const char *key;                       /* interning key (the mangled type) */
} ir_type_t;

typedef struct {
    const char *name;
    ir_rep_t rep;
} ir_global_t;

typedef struct ir_program_t {
    ir_func_t **funcs;
    uint32_t nfuncs, cap_funcs;
    ir_string_t *strings;
    uint32_t nstrings, cap_strings;
    ir_type_t *types;
    uint32_t ntypes, cap_types;
    ir_global_t *globals;
    uint32_t nglobals, cap_globals;
    int32_t main_func;  /* funcs index of the program's main */
    int32_t init_func;  /* funcs index of the module-constant initialiser, or -1 */
    bool uses_procs;    /* uses processes: main runs on the scheduler (snow_rt_main_procs) */
    const char **files; /* source file paths by file index (for #line and panics) */
    uint32_t nfiles;
} ir_program_t;

/* {====== Construction helpers (ir.c). All allocate in a. */

ir_program_t *ir_program_new(arena_t *a);
/* Adds f; returns its index. */
uint32_t ir_add_func(arena_t *a, ir_program_t *p, ir_func_t *f);
/* Returns the index of the literal bytes[0..len), sharing equal literals. */
uint32_t ir_add_string(arena_t *a, ir_program_t *p, const char *bytes, uint32_t len);
uint32_t ir_add_global(arena_t *a, ir_program_t *p, const char *name, ir_rep_t rep);

ir_func_t *ir_func_new(arena_t *a, const char *c_name, ir_rep_t ret);
/* Adds a local (parameters first); returns its index. */
uint32_t ir_local(arena_t *a, ir_func_t *f, const char *name, ir_rep_t rep);

void ir_push(arena_t *a, ir_block_t *b, ir_stmt_t *s);
ir_stmt_t *ir_stmt(arena_t *a, ir_stmt_kind_t kind, uint32_t line);

ir_expr_t *ir_int(arena_t *a, int64_t v);
ir_expr_t *ir_float(arena_t *a, double v);
ir_expr_t *ir_bool(arena_t *a, bool v);
ir_expr_t *ir_unit(arena_t *a);
ir_expr_t *ir_str(arena_t *a, uint32_t index);
ir_expr_t *ir_local_ref(arena_t *a, const ir_func_t *f, uint32_t local);
ir_expr_t *ir_bin(arena_t *a, ir_op_t op, ir_rep_t operands, ir_expr_t *l, ir_expr_t *r);
ir_expr_t *ir_un(arena_t *a, ir_op_t op, ir_rep_t rep, ir_expr_t *x);
/* Runtime call; args is copied. */
ir_expr_t *ir_rt(arena_t *a, const char *name, ir_rep_t ret, ir_expr_t **args, uint32_t nargs);
ir_expr_t *ir_rt1(arena_t *a, const char *name, ir_rep_t ret, ir_expr_t *x);
ir_expr_t *ir_rt2(arena_t *a, const char *name, ir_rep_t ret, ir_expr_t *x, ir_expr_t *y);
ir_expr_t *ir_raw(arena_t *a, const char *text, ir_rep_t rep);
ir_expr_t *ir_to_word(arena_t *a, ir_expr_t *x);
ir_expr_t *ir_from_word(arena_t *a, ir_expr_t *w, ir_rep_t rep);
ir_expr_t *ir_field(arena_t *a, ir_expr_t *rec, uint32_t index, ir_rep_t rep);
ir_expr_t *ir_type_ref(arena_t *a, uint32_t type_index);

/* }====== */

#endif
