/* lower_int.h: state shared by the lowering's files (not a public contract).
 *
 *   lower.c        program, function instances (monomorphization), types
 *   lower_expr.c   expressions: literals, strings, operators, fields, `?`, if
 *   lower_call.c   calls, method dispatch, names used as values
 *   lower_block.c  blocks, let, closures, nested fns, tail position
 *   lower_loop.c   for and while loops
 *   lower_match.c  patterns: tests and bindings, case, multi-clause bodies
 *   lower_std.c    calls of stdlib/prelude functions and runtime helpers
 *
 * Lowering one function instance runs with an lw_fn_t: the IR function
 * being built, the block statements are appended to, the map from checker
 * bindings to IR locals, and the substitution of the instance's type
 * variables. Closures get a child lw_fn_t whose parent is the enclosing
 * function: a binding found only in an ancestor becomes a capture.
 */
#ifndef SNOW_LANG_COMPILER_LOWER_INT_H
#define SNOW_LANG_COMPILER_LOWER_INT_H

#include "lang/compiler/compile.h"
#include "lang/compiler/ir.h"
#include "lang/compiler/lower.h"
#include "lang/compiler/types.h"

typedef struct {
    ty_binding_t *b;
    sym_t name; /* or-pattern alternatives bind by name */
    uint32_t local;
} lw_bind_t;

typedef struct lw_loop_t {
    struct lw_loop_t *parent;
} lw_loop_t;

/* A nested fn lowered as a closure held in local (nested_closure). */
typedef struct {
    ty_fn_t *fn;
    uint32_t local; /* UINT32_MAX: polymorphic, a closure is lowered per use */
    bool busy;      /* its closure is being lowered (a recursive use calls directly) */
} lw_nested_t;

typedef struct lw_fn_t {
    struct lw_fn_t *parent; /* enclosing function of a closure */
    ir_func_t *f;
    ir_block_t *cur; /* statements go here */
    lw_bind_t *binds;
    uint32_t nbinds, cap_binds;
    ty_t **vars, **args; /* monomorphization substitution */
    uint32_t nsubst;
    ty_fn_t *self_fn; /* the function instance (self tail calls), NULL in closures */
    ty_actor_t *self_actor; /* the actor whose body this is (its self tail calls) */
    ty_fn_t *self_nested;   /* the nested fn whose closure code this is (calls itself via self) */
    const char *self_key;
    ty_binding_t **caps; /* closures: captured bindings in capture order */
    uint32_t ncaps, cap_caps;
    lw_loop_t *loop;
    bool in_or;      /* binding an or-pattern alternative: reuse locals by name */
    int64_t tag_src; /* case scrutinee local whose tag is cached in tag_local, or -1 */
    uint32_t tag_local;
    lw_nested_t *nested; /* nested fns defined so far as closures */
    uint32_t nnested, cap_nested;
} lw_fn_t;

typedef struct {
    const char *key;
    uint32_t func;
} lw_inst_t;

typedef struct {
    ty_fn_t *fn;
    ty_t **args;
    uint32_t nargs;
    uint32_t func;
    const char *key;
    ast_stmt_t *const_stmt; /* a module constant's getter instead of a function */
    ty_binding_t *const_b;
    uint32_t depth; /* instantiation nesting: 1 for main, +1 per instance it causes */
    ty_actor_t *actor;     /* an actor's body instead of a function (lower_actor.c) */
    ty_service_t *service; /* a service's dispatch closure code (lower_actor.c) */
} lw_work_t;

/* Deeper instantiation chains (polymorphic recursion) panic instead (5.5). */
#define LW_MONO_DEPTH_MAX 64

typedef struct {
    ty_binding_t *b;
    ast_stmt_t *stmt;
    uint32_t func;
} lw_const_t;

typedef struct lower_t {
    compile_t *c;
    arena_t *a;
    ty_program_t *tp;
    ir_program_t *p;
    lw_inst_t *insts;
    uint32_t ninsts, cap_insts;
    lw_work_t *work;
    uint32_t nwork, cap_work, done;
    lw_fn_t *fx;
    uint32_t nclosures;
    uint32_t depth;     /* depth of the work item being lowered */
    lw_const_t *consts; /* module constants with a getter */
    uint32_t nconsts, cap_consts;
    ty_binding_t **polys; /* let-bound polymorphic closures, lowered at each use */
    ast_expr_t **poly_exprs;
    uint32_t npolys, cap_polys;
    int errors;
    ty_fn_t *next_self_nested; /* handed from nested_value to the closure it makes */
    sym_t s_to_string, s_inspect, s_eq, s_lt, s_compare, s_hash, s_underscore;
} lower_t;

/* ---------------------------------------------------------- lower.c */

/* Reports E0999 "not supported by the code generator yet: what". */
void lw_unsupported(lower_t *lw, span_t span, const char *what);
uint32_t lw_line(lower_t *lw, span_t span);
char *lw_fmt(lower_t *lw, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The concrete type of t in the current instance (zonked, substituted). */
ty_t *lw_ty(lower_t *lw, ty_t *t);
ir_rep_t lw_rep(ty_t *t); /* t concrete */
/* Mangled name of a concrete type: Int, List_String, Tuple2_Int_Float. */
const char *lw_mangle(lower_t *lw, ty_t *t);
/* Index of the type descriptor of concrete type t (created on first use). */
uint32_t lw_type(lower_t *lw, ty_t *t);
ir_expr_t *lw_type_expr(lower_t *lw, ty_t *t);
bool lw_is_builtin(ty_t *t, ty_builtin_t b);

/* C-safe copy of a Snow identifier (`?`, `!` become `_`). */
const char *lw_c_ident(lower_t *lw, const char *s);
/* A fresh type of kind k (a primitive: Int, String, Unit ...). */
ty_t *lw_prim(lower_t *lw, ty_kind_t k);
/* The function registered under key, or -1. */
int64_t lw_find_func(lower_t *lw, const char *key);
/* Adds f (complete, or lowered by the caller) under key; returns its index. */
uint32_t lw_add_func(lower_t *lw, ir_func_t *f, const char *key);
/* Adds f under key and queues w (its func, key and depth filled in) for
 * lowering; returns f's index. */
uint32_t lw_queue_func(lower_t *lw, ir_func_t *f, const char *key, lw_work_t w);
/* Function index of fn instantiated with args (scheme vars order), queued
 * for lowering on first use. */
uint32_t lw_instance(lower_t *lw, ty_fn_t *fn, ty_t **args, uint32_t nargs);
/* Finds the instantiation of fn whose type matches the concrete function
 * type want (parameters and result), then returns lw_instance. */
uint32_t lw_instance_for(lower_t *lw, ty_fn_t *fn, ty_t *want);
/* Finds the user impl method `method` of trait for concrete self type t:
 * returns the fn (or NULL when the impl is derived/built-in). */
ty_fn_t *lw_impl_method(lower_t *lw, ty_trait_t *trait, ty_t *t, sym_t method);

/* The getter function of module constant b (created and queued on first use). */
uint32_t lw_const_getter(lower_t *lw, ty_binding_t *b);

/* Statement helpers on the current function. */
void lw_push(lower_t *lw, ir_stmt_t *s);
uint32_t lw_temp(lower_t *lw, ir_rep_t rep);
/* Stores e (a call) in a fresh temporary and returns it (Unit: a statement). */
ir_expr_t *lw_hoist(lower_t *lw, ir_expr_t *e, uint32_t line);
void lw_assign(lower_t *lw, uint32_t local, ir_expr_t *e, uint32_t line);
ir_expr_t *lw_local(lower_t *lw, uint32_t local);
ir_expr_t *lw_string(lower_t *lw, const char *bytes, uint32_t len);
void lw_bind(lower_t *lw, ty_binding_t *b, uint32_t local);
/* Local of binding b in the current function, capturing it from enclosing
 * functions when needed; -1 when unknown. */
int64_t lw_lookup(lower_t *lw, ty_binding_t *b);
/* Emits a labelled block: the caller fills it through the returned stmt. */
ir_stmt_t *lw_block_begin(lower_t *lw, ir_block_t **saved);
void lw_block_end(lower_t *lw, ir_stmt_t *blk, ir_block_t *saved);
void lw_exit(lower_t *lw, uint32_t label, uint32_t line);
void lw_panic(lower_t *lw, const char *msg, uint32_t line);

/* Runs the statement(s) `body` with the current block switched to b. */
#define LW_IN_BLOCK(lw, b, body)                                                                   \
    do {                                                                                           \
        ir_block_t *saved_ = (lw)->fx->cur;                                                        \
        (lw)->fx->cur = (b);                                                                       \
        body;                                                                                      \
        (lw)->fx->cur = saved_;                                                                    \
    } while (0)

/* ---------------------------------------------------------- lower_expr.c */

ir_expr_t *lower_expr(lower_t *lw, ast_expr_t *e);
/* e converted to representation want (generic words <-> concrete values). */
ir_expr_t *lw_coerce(lower_t *lw, ir_expr_t *e, ir_rep_t want);
/* The zero value of representation rep (NULL, 0, false; () for Unit). */
ir_expr_t *lw_default_of(lower_t *lw, ir_rep_t rep);
/* Assigns e, coerced to the local's representation, to local (not for Unit). */
void lw_store(lower_t *lw, uint32_t local, ir_expr_t *e, uint32_t line);
/* A record (tuple, struct, variant) with tag holding vals; returns its local. */
ir_expr_t *lw_new_record(lower_t *lw, uint16_t tag, ir_expr_t **vals, uint32_t n, uint32_t line);
/* Text of v (concrete type t) for interpolation and to_string. */
ir_expr_t *lw_to_string(lower_t *lw, ir_expr_t *v, ty_t *t, uint32_t line);
ir_expr_t *lw_equal(lower_t *lw, ir_expr_t *x, ir_expr_t *y, ty_t *t, uint32_t line);

/* ---------------------------------------------------------- lower_call.c */

/* f(args): its value; NULL when, in tail position, it emitted a self tail
 * call instead (the caller then emits no return). Same for lower_pipe. */
ir_expr_t *lower_call_expr(lower_t *lw, ast_expr_t *e, bool tail);
/* x |> f(a) is f(x, a); x |> f is f(x) (6.6). */
ir_expr_t *lower_pipe(lower_t *lw, ast_expr_t *e, bool tail);
/* The value of name e resolved to ref: a local, a module constant, or a
 * function, constructor or stdlib function as a closure value. */
ir_expr_t *lower_ref_value(lower_t *lw, ast_expr_t *e, ty_ref_t *ref);
/* The checker's resolution of a name, call or field expression (or NULL). */
ty_ref_t *lw_ref_of(ast_expr_t *e);
/* A direct call of funcs[func], arguments coerced to its parameters. */
ir_expr_t *lw_call_fn(lower_t *lw, uint32_t func, ir_expr_t **args, uint32_t nargs, uint32_t line);
/* A function type params -> ret (params kept, not copied). */
ty_t *lw_fun_type(lower_t *lw, ty_t **params, uint32_t n, ty_t *ret);
/* Creates the closure code function for a function-valued reference. */
ir_expr_t *lw_fn_value(lower_t *lw, uint32_t func, ty_t *fun_ty, uint32_t line);

/* ---------------------------------------------------------- lower_block.c */

/* The value of block b (NULL or empty: ()): its last statement's, a `let` its initializer's. */
ir_expr_t *lower_block(lower_t *lw, ast_block_t *b);
/* Lowers block b in tail position: its last expression returns (lower_tail). */
void lower_tail_block(lower_t *lw, ast_block_t *b, span_t span);
/* Lowers e in tail position: emits the return (or a self tail call). */
void lower_tail(lower_t *lw, ast_expr_t *e);
/* Emits `return v` (coerced to the function's result unless in a closure). */
void lw_emit_return(lower_t *lw, ir_expr_t *v, uint32_t line);
/* fn ... end: its closure record (code, captured locals). */
ir_expr_t *lower_closure(lower_t *lw, ast_expr_t *e);
/* A use of a polymorphic let-bound closure, lowered at ref's types; NULL
 * when ref's binding is not one. */
ir_expr_t *lw_poly_use(lower_t *lw, ty_ref_t *ref);
/* A use of a polymorphic nested fn, its closure lowered at ref's types;
 * NULL when ref's binding is not one (or it is being lowered). */
ir_expr_t *lw_nested_poly_use(lower_t *lw, ty_ref_t *ref, span_t span);
/* The closure of a parameterless block returning ret (for lower_actor.c). */
ir_expr_t *lw_block_closure(lower_t *lw, ast_block_t *body, ty_t *ret, span_t span);

/* ---------------------------------------------------------- lower_actor.c */

/* spawn, send, link, monitor, self() (language.md 5.10, 8.2, 8.5). */
ir_expr_t *lower_actor_form(lower_t *lw, ast_expr_t *e);
/* receive (8.3, D61-D63); in tail position its arms return. */
ir_expr_t *lower_receive(lower_t *lw, ast_expr_t *e, bool tail);
/* A call of an actor (not its own tail call), a service's generated
 * function, or a supervisor (4.7-4.9); args lowered. */
ir_expr_t *lower_actor_call(lower_t *lw, ast_expr_t *call, ty_ref_t *ref, ir_expr_t **vals,
                            ty_t **tys, uint32_t n);
/* Process, Timer and Job functions that need more than the generic stdlib
 * call (is_ptr flags, descriptors); NULL for every other function. Marks
 * the program as running on the scheduler for all of them. */
ir_expr_t *lower_proc_std(lower_t *lw, const ty_builtin_fn_t *fn, ir_expr_t **args, ty_t **tys,
                          uint32_t n, ty_t *ret, uint32_t line);
/* Lowers the work item of an actor body or a service dispatcher. */
void lower_actor_work(lower_t *lw, lw_work_t *w);

/* ---------------------------------------------------------- lower_loop.c */

/* for (6.8, D22): the list of body values when collect, else (). */
ir_expr_t *lower_for(lower_t *lw, ast_expr_t *e, bool collect);
ir_expr_t *lower_while(lower_t *lw, ast_expr_t *e);

/* ---------------------------------------------------------- lower_match.c */

/* Emits tests of p against v (concrete type t): on mismatch, jumps out of
 * labelled block fail_label; on match binds p's variables. */
void lower_pat(lower_t *lw, ast_pat_t *p, ir_expr_t *v, ty_t *t, uint32_t fail_label);
/* let / for binders: binds p to v, panicking when a refutable p fails. */
void lower_bind_pat(lower_t *lw, ast_pat_t *p, ir_expr_t *v, ty_t *t, uint32_t line);
/* Emits arms tried in order against scrut (concrete type t) inside a
 * labelled block: the first that matches (pattern and guard) stores its
 * body's value in local res (when rep is not Unit) or, in tail position,
 * returns it; when none matches, panics `non-exhaustive match`. */
void lw_match_arms(lower_t *lw, ast_arm_t *const *arms, uint32_t n, ir_expr_t *scrut, ty_t *t,
                   uint32_t res, ir_rep_t rep, bool tail, uint32_t line);
/* case: emits the arms; result in *result_local unless tail. */
ir_expr_t *lower_case(lower_t *lw, ast_expr_t *e, bool tail);
/* A function or closure body with clauses over the parameter locals. */
void lower_clauses(lower_t *lw, ast_params_t *params, ast_expr_t **guards, ast_block_t **bodies,
                   uint32_t nclauses, const uint32_t *param_locals, ty_t **param_tys, span_t span);

/* ---------------------------------------------------------- lower_std.c */

/* A call of a stdlib/prelude function; args already lowered. NULL (after
 * reporting) when unsupported. */
ir_expr_t *lower_stdlib_call(lower_t *lw, ast_expr_t *call, const ty_builtin_fn_t *fn,
                             ir_expr_t **args, ty_t **arg_tys, uint32_t nargs, ty_t *ret_ty);

#endif
