/* park.c: the "never parks" analysis (see park.h). */
#include "lang/compiler/park.h"

#include <stdlib.h>
#include <string.h>

/* IR_E_RT of a spawn site: `i` says "marked", `index` names the function.
 * Neither field means anything else for a runtime call. */
#define SPAWN_MARK 0x5350574eu /* "SPWN" */

void park_mark_spawn(ir_expr_t *call, uint32_t func)
{
    call->i = SPAWN_MARK;
    call->index = func;
}

/* Runtime families that never wait on I/O (lang/std, sched/snow_proc.c:
 * receive, timers and sleep wait in the process struct, not on its stack). */
static bool rt_never_parks(const char *name)
{
    static const char *const families[] = {
        "snow_list_",   "snow_string_", "snow_map_",   "snow_set_",    "snow_math_",
        "snow_json_",   "snow_proc_",   "snow_queue_", "snow_range_",  "snow_process_",
        "snow_tuple_",  "snow_service_", "snow_job_",  "snow_timer_",  "snow_result_",
        "snow_record_", "snow_int_",    "snow_float_", "snow_gc_",     "snow_to_",
        "snow_sup_",    "snow_panic",   "snow_option_", "snow_eq",     "snow_closure_",
        "snow_bool_",   "snow_println", "snow_print",  "snow_hash",    "snow_cmp",
        "snow_compare", "snow_env_",
    };
    for (size_t i = 0; i < sizeof families / sizeof families[0]; i++)
        if (strncmp(name, families[i], strlen(families[i])) == 0)
            return true;
    return false;
}

/* Runtime functions that run a closure they are given (in this process,
 * or keep it to run later here: on_terminate), or start one whose
 * processes are not covered by this pass. */
static bool rt_takes_closure(const char *name)
{
    static const char *const names[] = {
        "snow_list_map",   "snow_list_filter",  "snow_list_reduce",  "snow_list_sort",
        "snow_list_find",  "snow_list_any",     "snow_list_all",     "snow_list_flat_map",
        "snow_range_map",  "snow_range_filter", "snow_proc_on_terminate", "snow_job_async",
        "snow_job_map",    "snow_service_start",
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(name, names[i]) == 0)
            return true;
    return false;
}

/* What one function does itself: the facts the analysis needs, gathered
 * in one walk of its body. */
typedef struct {
    bool io;       /* calls a runtime function outside rt_never_parks */
    bool may_park; /* io, or a closure call, a closure or type handed to the runtime */
    uint32_t *callees; /* direct calls (IR_E_CALL), with repeats */
    uint32_t ncallees, cap;
} facts_t;

static void add_callee(facts_t *f, uint32_t func)
{
    if (f->ncallees == f->cap) {
        uint32_t cap = f->cap ? f->cap * 2 : 8;
        uint32_t *grown = realloc(f->callees, cap * sizeof *grown);
        if (!grown) {
            f->may_park = true; /* out of memory: stay on the safe side */
            return;
        }
        f->callees = grown;
        f->cap = cap;
    }
    f->callees[f->ncallees++] = func;
}

static void note_rt(facts_t *f, const ir_expr_t *e)
{
    if (!rt_never_parks(e->name)) {
        f->io = f->may_park = true;
        return;
    }
    if (rt_takes_closure(e->name))
        f->may_park = true;
    for (uint32_t i = 0; i < e->nargs; i++)
        if (e->args[i] && e->args[i]->kind == IR_E_TYPE)
            f->may_park = true; /* may dispatch to a trait impl of the program */
}

static void walk_expr(facts_t *f, const ir_expr_t *e)
{
    if (e->kind == IR_E_CALL)
        add_callee(f, e->index);
    else if (e->kind == IR_E_RT)
        note_rt(f, e);
    else if (e->kind == IR_E_CALL_CLO)
        f->may_park = true;
    const ir_expr_t *kids[3] = {e->a, e->b, e->c};
    for (int i = 0; i < 3; i++)
        if (kids[i])
            walk_expr(f, kids[i]);
    for (uint32_t i = 0; i < e->nargs; i++)
        if (e->args[i])
            walk_expr(f, e->args[i]);
}

static void walk_block(facts_t *f, const ir_block_t *b)
{
    for (uint32_t i = 0; i < b->len; i++) {
        const ir_stmt_t *st = b->items[i];
        if (st->e)
            walk_expr(f, st->e);
        walk_block(f, &st->then);
        walk_block(f, &st->els);
        for (uint32_t j = 0; j < st->nargs; j++)
            if (st->args[j])
                walk_expr(f, st->args[j]);
    }
}

/* Fills parks[] (nfuncs entries, all false on entry): true for every
 * function that may park. When no function does I/O at all, nothing parks.
 * Linear in the program: one walk per function, then a worklist from the
 * functions that may park to their callers. */
static void find_parking(const ir_program_t *p, bool *parks)
{
    uint32_t n = p->nfuncs;
    facts_t *facts = calloc(n ? n : 1, sizeof *facts);
    uint32_t *work = calloc(n ? n : 1, sizeof *work);
    uint32_t *ncallers = calloc(n + 1, sizeof *ncallers);
    bool any_io = false, ok = facts && work && ncallers;
    for (uint32_t i = 0; ok && i < n; i++) {
        walk_block(&facts[i], &p->funcs[i]->body);
        any_io = any_io || facts[i].io;
    }
    uint32_t *callers = NULL;
    if (ok && any_io) {
        /* Reverse edges, grouped by callee (counting sort). */
        for (uint32_t i = 0; i < n; i++)
            for (uint32_t k = 0; k < facts[i].ncallees; k++)
                ncallers[facts[i].callees[k] + 1]++;
        for (uint32_t i = 0; i < n; i++)
            ncallers[i + 1] += ncallers[i];
        callers = calloc(ncallers[n] ? ncallers[n] : 1, sizeof *callers);
        uint32_t *fill = calloc(n ? n : 1, sizeof *fill);
        ok = callers && fill;
        for (uint32_t i = 0; ok && i < n; i++)
            for (uint32_t k = 0; k < facts[i].ncallees; k++) {
                uint32_t g = facts[i].callees[k];
                callers[ncallers[g] + fill[g]++] = i;
            }
        free(fill);
        uint32_t top = 0;
        for (uint32_t i = 0; ok && i < n; i++)
            if (facts[i].may_park) {
                parks[i] = true;
                work[top++] = i;
            }
        while (ok && top > 0) {
            uint32_t g = work[--top];
            for (uint32_t k = ncallers[g]; k < ncallers[g + 1]; k++) {
                uint32_t c = callers[k];
                if (!parks[c]) {
                    parks[c] = true;
                    work[top++] = c;
                }
            }
        }
    }
    if (!ok) /* out of memory: nothing is proven, so everything may park */
        for (uint32_t i = 0; i < n; i++)
            parks[i] = true;
    for (uint32_t i = 0; facts && i < n; i++)
        free(facts[i].callees);
    free(facts);
    free(work);
    free(ncallers);
    free(callers);
}

/* Renames the marked spawns in e (and below) whose function never parks. */
static uint32_t rename_expr(ir_expr_t *e, const bool *parks)
{
    uint32_t n = 0;
    if (e->kind == IR_E_RT && e->i == SPAWN_MARK && strcmp(e->name, "snow_proc_spawn") == 0 &&
        !parks[e->index]) {
        e->name = "snow_proc_spawn_shared";
        n++;
    }
    ir_expr_t *kids[3] = {e->a, e->b, e->c};
    for (int i = 0; i < 3; i++)
        if (kids[i])
            n += rename_expr(kids[i], parks);
    for (uint32_t i = 0; i < e->nargs; i++)
        if (e->args[i])
            n += rename_expr(e->args[i], parks);
    return n;
}

static uint32_t rename_block(ir_block_t *b, const bool *parks)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < b->len; i++) {
        ir_stmt_t *st = b->items[i];
        if (st->e)
            n += rename_expr(st->e, parks);
        n += rename_block(&st->then, parks) + rename_block(&st->els, parks);
        for (uint32_t j = 0; j < st->nargs; j++)
            if (st->args[j])
                n += rename_expr(st->args[j], parks);
    }
    return n;
}

uint32_t park_share_spawns(ir_program_t *p)
{
    bool *parks = calloc(p->nfuncs ? p->nfuncs : 1, sizeof *parks);
    if (!parks)
        return 0;
    find_parking(p, parks);
    uint32_t n = 0;
    for (uint32_t f = 0; f < p->nfuncs; f++)
        n += rename_block(&p->funcs[f]->body, parks);
    free(parks);
    return n;
}
