/* ir.c: construction helpers for the IR (ir.h).
 *
 * Growable arrays live in the arena: growing copies into a fresh block and
 * abandons the old one, which the arena frees at exit (STYLE 5).
 */
#include "lang/compiler/ir.h"

#include <string.h>

static void *grow(arena_t *a, void *old, uint32_t len, uint32_t *cap, size_t elem)
{
    if (len < *cap)
        return old;
    uint32_t ncap = *cap ? *cap * 2 : 8;
    void *n = arena_alloc(a, elem * ncap);
    if (old)
        memcpy(n, old, elem * len);
    *cap = ncap;
    return n;
}

ir_program_t *ir_program_new(arena_t *a)
{
    ir_program_t *p = ARENA_NEW(a, ir_program_t);
    p->main_func = -1;
    p->init_func = -1;
    return p;
}

uint32_t ir_add_func(arena_t *a, ir_program_t *p, ir_func_t *f)
{
    p->funcs = grow(a, p->funcs, p->nfuncs, &p->cap_funcs, sizeof(ir_func_t *));
    p->funcs[p->nfuncs] = f;
    return p->nfuncs++;
}

uint32_t ir_add_string(arena_t *a, ir_program_t *p, const char *bytes, uint32_t len)
{
    for (uint32_t i = 0; i < p->nstrings; i++)
        if (p->strings[i].len == len && memcmp(p->strings[i].bytes, bytes, len) == 0)
            return i;
    p->strings = grow(a, p->strings, p->nstrings, &p->cap_strings, sizeof(ir_string_t));
    p->strings[p->nstrings].bytes = arena_strndup(a, bytes, len);
    p->strings[p->nstrings].len = len;
    return p->nstrings++;
}

uint32_t ir_add_global(arena_t *a, ir_program_t *p, const char *name, ir_rep_t rep)
{
    p->globals = grow(a, p->globals, p->nglobals, &p->cap_globals, sizeof(ir_global_t));
    p->globals[p->nglobals].name = name;
    p->globals[p->nglobals].rep = rep;
    return p->nglobals++;
}

ir_func_t *ir_func_new(arena_t *a, const char *c_name, ir_rep_t ret)
{
    ir_func_t *f = ARENA_NEW(a, ir_func_t);
    f->c_name = c_name;
    f->ret = ret;
    return f;
}

uint32_t ir_local(arena_t *a, ir_func_t *f, const char *name, ir_rep_t rep)
{
    f->locals = grow(a, f->locals, f->nlocals, &f->cap_locals, sizeof(ir_local_t));
    f->locals[f->nlocals].name = name;
    f->locals[f->nlocals].rep = rep;
    return f->nlocals++;
}

void ir_push(arena_t *a, ir_block_t *b, ir_stmt_t *s)
{
    b->items = grow(a, b->items, b->len, &b->cap, sizeof(ir_stmt_t *));
    b->items[b->len++] = s;
}

ir_stmt_t *ir_stmt(arena_t *a, ir_stmt_kind_t kind, uint32_t line)
{
    ir_stmt_t *s = ARENA_NEW(a, ir_stmt_t);
    s->kind = kind;
    s->line = line;
    return s;
}

static ir_expr_t *expr(arena_t *a, ir_expr_kind_t kind, ir_rep_t rep)
{
    ir_expr_t *e = ARENA_NEW(a, ir_expr_t);
    e->kind = kind;
    e->rep = rep;
    return e;
}

ir_expr_t *ir_int(arena_t *a, int64_t v)
{
    ir_expr_t *e = expr(a, IR_E_INT, IR_REP_INT);
    e->i = v;
    return e;
}

ir_expr_t *ir_float(arena_t *a, double v)
{
    ir_expr_t *e = expr(a, IR_E_FLOAT, IR_REP_FLOAT);
    e->f = v;
    return e;
}

ir_expr_t *ir_bool(arena_t *a, bool v)
{
    ir_expr_t *e = expr(a, IR_E_BOOL, IR_REP_BOOL);
    e->i = v;
    return e;
}

ir_expr_t *ir_unit(arena_t *a) { return expr(a, IR_E_UNIT, IR_REP_UNIT); }

ir_expr_t *ir_str(arena_t *a, uint32_t index)
{
    ir_expr_t *e = expr(a, IR_E_STR, IR_REP_PTR);
    e->index = index;
    return e;
}

ir_expr_t *ir_local_ref(arena_t *a, const ir_func_t *f, uint32_t local)
{
    ir_expr_t *e = expr(a, IR_E_LOCAL, f->locals[local].rep);
    e->index = local;
    return e;
}

static bool is_compare(ir_op_t op) { return op >= IR_OP_EQ && op <= IR_OP_OR; }

ir_expr_t *ir_bin(arena_t *a, ir_op_t op, ir_rep_t operands, ir_expr_t *l, ir_expr_t *r)
{
    ir_expr_t *e = expr(a, IR_E_BIN, is_compare(op) ? IR_REP_BOOL : operands);
    e->op = op;
    e->a = l;
    e->b = r;
    e->c = NULL;
    e->i = operands; /* operand representation */
    return e;
}

ir_expr_t *ir_un(arena_t *a, ir_op_t op, ir_rep_t rep, ir_expr_t *x)
{
    ir_expr_t *e = expr(a, IR_E_UN, rep);
    e->op = op;
    e->a = x;
    return e;
}

ir_expr_t *ir_rt(arena_t *a, const char *name, ir_rep_t ret, ir_expr_t **args, uint32_t nargs)
{
    ir_expr_t *e = expr(a, IR_E_RT, ret);
    e->name = name;
    e->args = ARENA_ARRAY(a, ir_expr_t *, nargs ? nargs : 1);
    if (nargs)
        memcpy(e->args, args, sizeof(ir_expr_t *) * nargs);
    e->nargs = nargs;
    return e;
}

ir_expr_t *ir_rt1(arena_t *a, const char *name, ir_rep_t ret, ir_expr_t *x)
{
    return ir_rt(a, name, ret, &x, 1);
}

ir_expr_t *ir_rt2(arena_t *a, const char *name, ir_rep_t ret, ir_expr_t *x, ir_expr_t *y)
{
    ir_expr_t *args[2] = {x, y};
    return ir_rt(a, name, ret, args, 2);
}

ir_expr_t *ir_raw(arena_t *a, const char *text, ir_rep_t rep)
{
    ir_expr_t *e = expr(a, IR_E_RAW, rep);
    e->name = text;
    return e;
}

ir_expr_t *ir_to_word(arena_t *a, ir_expr_t *x)
{
    if (x->kind == IR_E_FROM_WORD)
        return x->a;
    if (x->rep == IR_REP_WORD)
        return x;
    ir_expr_t *e = expr(a, IR_E_TO_WORD, IR_REP_WORD);
    e->a = x;
    return e;
}

ir_expr_t *ir_from_word(arena_t *a, ir_expr_t *w, ir_rep_t rep)
{
    if (rep == IR_REP_WORD)
        return w;
    if (w->kind == IR_E_TO_WORD && w->a->rep == rep)
        return w->a;
    ir_expr_t *e = expr(a, IR_E_FROM_WORD, rep);
    e->a = w;
    return e;
}

ir_expr_t *ir_field(arena_t *a, ir_expr_t *rec, uint32_t index, ir_rep_t rep)
{
    ir_expr_t *e = expr(a, IR_E_FIELD, rep);
    e->a = rec;
    e->index = index;
    return e;
}

ir_expr_t *ir_type_ref(arena_t *a, uint32_t type_index)
{
    ir_expr_t *e = expr(a, IR_E_TYPE, IR_REP_PTR);
    e->index = type_index;
    return e;
}
