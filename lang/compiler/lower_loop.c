/* lower_loop.c: `while` and `for` (language.md 6.8, D22) as counted loops.
 *
 * Every `for` becomes one IR_S_LOOP over an index i in [start, end): over
 * a..b directly, over a Range value by its two words, over a List by
 * position, and over a Map or Set by position in a list snapshot of its
 * entries (insertion order). The index is advanced before the body runs, so
 * `continue` is a plain C continue. The comprehension result (6.8) is built
 * with snow_list_append only when the loop's value is used.
 */
#include "lang/compiler/lower_int.h"

/* What one `for` iterates. */
typedef struct {
    uint32_t i, end; /* Int locals: next index, bound */
    uint32_t xs;     /* PTR local: the list iterated, when over_list */
    bool over_list;
    bool key_only; /* a single name over a map: bind the pair's key */
    ty_t *elem;    /* type of one element (Int for ranges) */
    ast_pat_t *pat;
} for_iter_t;

static ir_expr_t *list_len(lower_t *lw, uint32_t xs)
{
    ir_expr_t *len = ARENA_NEW(lw->a, ir_expr_t);
    len->kind = IR_E_LIST_LEN;
    len->rep = IR_REP_INT;
    len->a = lw_local(lw, xs);
    return len;
}

static ty_t *int_type(lower_t *lw)
{
    ty_t *t = ARENA_NEW(lw->a, ty_t);
    t->kind = TY_INT;
    return t;
}

static void iterate_list(lower_t *lw, for_iter_t *it, ir_expr_t *list, ty_t *elem, uint32_t line)
{
    it->over_list = true;
    it->elem = elem;
    it->xs = lw_temp(lw, IR_REP_PTR);
    lw_assign(lw, it->xs, list, line);
    lw_assign(lw, it->i, ir_int(lw->a, 0), line);
    lw_assign(lw, it->end, list_len(lw, it->xs), line);
}

/* Maps and sets: a list snapshot of their entries; {k, v} binds the pair, a
 * single name (or {k}) binds the key (6.8). */
static void iterate_collection(lower_t *lw, for_iter_t *it, ast_expr_t *src, ty_t *src_ty,
                               uint32_t line)
{
    ir_expr_t *m = lower_expr(lw, src);
    if (!lw_is_builtin(src_ty, TY_B_MAP)) {
        iterate_list(lw, it, ir_rt1(lw->a, "snow_set_to_list", IR_REP_PTR, m), int_type(lw), line);
        return;
    }
    ty_t *pair = ARENA_NEW(lw->a, ty_t);
    pair->kind = TY_TUPLE;
    pair->nargs = 2;
    pair->args = src_ty->args;
    iterate_list(lw, it, ir_rt2(lw->a, "snow_map_to_list", IR_REP_PTR, m, lw_type_expr(lw, pair)),
                 pair, line);
    if (it->pat->kind == AST_PAT_TUPLE && it->pat->elems.len == 1) {
        it->pat = it->pat->elems.items[0];
        it->key_only = true;
    } else if (it->pat->kind != AST_PAT_TUPLE) {
        it->key_only = true;
    }
}

/* Evaluates the iterable once and fills it; false (after reporting) when
 * the type cannot be iterated. */
static bool iter_setup(lower_t *lw, for_iter_t *it, ast_expr_t *e, uint32_t line)
{
    ast_expr_t *src = e->lhs;
    ty_t *src_ty = ty_resolve(lw_ty(lw, src->ty));
    it->i = lw_temp(lw, IR_REP_INT);
    it->end = lw_temp(lw, IR_REP_INT);
    it->pat = e->for_pat;
    it->elem = int_type(lw);
    if (lw_is_builtin(src_ty, TY_B_MAP) || lw_is_builtin(src_ty, TY_B_SET)) {
        iterate_collection(lw, it, src, src_ty, line);
    } else if (src->kind == AST_EXPR_BINARY && src->binop == AST_BIN_RANGE) {
        lw_assign(lw, it->i, lower_expr(lw, src->lhs), line);
        lw_assign(lw, it->end, lower_expr(lw, src->rhs), line);
    } else if (lw_is_builtin(src_ty, TY_B_LIST)) {
        iterate_list(lw, it, lower_expr(lw, src), src_ty->args[0], line);
    } else if (lw_is_builtin(src_ty, TY_B_RANGE)) {
        uint32_t r = lw_temp(lw, IR_REP_PTR);
        lw_assign(lw, r, lower_expr(lw, src), line);
        lw_assign(lw, it->i, ir_field(lw->a, lw_local(lw, r), 0, IR_REP_INT), line);
        lw_assign(lw, it->end, ir_field(lw->a, lw_local(lw, r), 1, IR_REP_INT), line);
    } else {
        lw_unsupported(lw, src->span, "iterating over this type");
        return false;
    }
    return true;
}

/* Inside the loop: stop at the bound, load the element, advance, bind. */
static void iter_next(lower_t *lw, for_iter_t *it, uint32_t line)
{
    ir_stmt_t *test = ir_stmt(lw->a, IR_S_IF, line);
    test->e = ir_bin(lw->a, IR_OP_GE, IR_REP_INT, lw_local(lw, it->i), lw_local(lw, it->end));
    ir_push(lw->a, &test->then, ir_stmt(lw->a, IR_S_BREAK, line));
    lw_push(lw, test);
    ir_expr_t *x;
    if (it->over_list) {
        ir_expr_t *item = ARENA_NEW(lw->a, ir_expr_t);
        item->kind = IR_E_LIST_ITEM;
        item->rep = lw_rep(it->elem);
        item->a = lw_local(lw, it->xs);
        item->b = lw_local(lw, it->i);
        x = lw_hoist(lw, item, line);
    } else {
        x = lw_hoist(lw, lw_local(lw, it->i), line);
    }
    lw_assign(lw, it->i,
              ir_bin(lw->a, IR_OP_ADD, IR_REP_INT, lw_local(lw, it->i), ir_int(lw->a, 1)), line);
    ty_t *x_ty = it->elem;
    if (it->key_only) {
        x_ty = ty_resolve(x_ty)->args[0];
        x = lw_hoist(lw, ir_field(lw->a, x, 0, lw_rep(x_ty)), line);
    }
    lower_bind_pat(lw, it->pat, x, x_ty, line);
}

ir_expr_t *lower_for(lower_t *lw, ast_expr_t *e, bool collect)
{
    uint32_t line = lw_line(lw, e->span);
    for_iter_t it = {0};
    if (!iter_setup(lw, &it, e, line))
        return ir_unit(lw->a);
    ty_t *res_ty = ty_resolve(lw_ty(lw, e->ty));
    ty_t *out_elem = res_ty->nargs ? res_ty->args[0] : res_ty;
    uint32_t acc = 0;
    if (collect) {
        acc = lw_temp(lw, IR_REP_PTR);
        lw_assign(lw, acc, ir_rt1(lw->a, "snow_list_new", IR_REP_PTR, lw_type_expr(lw, out_elem)),
                  line);
    }
    ir_stmt_t *loop = ir_stmt(lw->a, IR_S_LOOP, line);
    LW_IN_BLOCK(lw, &loop->then, {
        iter_next(lw, &it, line);
        if (e->guard) {
            ir_expr_t *g = lower_expr(lw, e->guard);
            ir_stmt_t *skip = ir_stmt(lw->a, IR_S_IF, line);
            skip->e = ir_un(lw->a, IR_OP_NOT, IR_REP_BOOL, g);
            ir_push(lw->a, &skip->then, ir_stmt(lw->a, IR_S_CONTINUE, line));
            lw_push(lw, skip);
        }
        ir_expr_t *v = lower_block(lw, e->then_block);
        if (collect) {
            ir_expr_t *w = ir_to_word(lw->a, lw_coerce(lw, v, lw_rep(out_elem)));
            lw_assign(lw, acc, ir_rt2(lw->a, "snow_list_append", IR_REP_PTR, lw_local(lw, acc), w),
                      line);
        }
    });
    lw_push(lw, loop);
    return collect ? lw_local(lw, acc) : ir_unit(lw->a);
}

ir_expr_t *lower_while(lower_t *lw, ast_expr_t *e)
{
    uint32_t line = lw_line(lw, e->span);
    ir_stmt_t *loop = ir_stmt(lw->a, IR_S_LOOP, line);
    LW_IN_BLOCK(lw, &loop->then, {
        ir_expr_t *c = lower_expr(lw, e->lhs);
        ir_stmt_t *test = ir_stmt(lw->a, IR_S_IF, line);
        test->e = ir_un(lw->a, IR_OP_NOT, IR_REP_BOOL, c);
        ir_push(lw->a, &test->then, ir_stmt(lw->a, IR_S_BREAK, line));
        lw_push(lw, test);
        (void)lower_block(lw, e->then_block);
    });
    lw_push(lw, loop);
    return ir_unit(lw->a);
}
