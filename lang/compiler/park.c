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

typedef struct {
    const ir_program_t *p;
    const bool *parks; /* per function, NULL while looking for I/O calls */
    bool io_only;      /* true: report only calls outside rt_never_parks */
} scan_t;

static bool expr_parks(const scan_t *s, const ir_expr_t *e);

static bool exprs_park(const scan_t *s, ir_expr_t *const *es, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        if (es[i] && expr_parks(s, es[i]))
            return true;
    return false;
}

static bool rt_parks(const scan_t *s, const ir_expr_t *e)
{
    if (!rt_never_parks(e->name))
        return true;
    if (s->io_only)
        return false;
    if (rt_takes_closure(e->name))
        return true;
    for (uint32_t i = 0; i < e->nargs; i++)
        if (e->args[i] && e->args[i]->kind == IR_E_TYPE)
            return true; /* may dispatch to a trait impl of the program */
    return false;
}

static bool expr_parks(const scan_t *s, const ir_expr_t *e)
{
    switch (e->kind) {
    case IR_E_CALL:
        if (!s->io_only && s->parks[e->index])
            return true;
        break;
    case IR_E_RT:
        if (rt_parks(s, e))
            return true;
        break;
    case IR_E_CALL_CLO:
        if (!s->io_only)
            return true;
        break;
    default:
        break;
    }
    if ((e->a && expr_parks(s, e->a)) || (e->b && expr_parks(s, e->b)) ||
        (e->c && expr_parks(s, e->c)))
        return true;
    return exprs_park(s, e->args, e->nargs);
}

static bool block_parks(const scan_t *s, const ir_block_t *b)
{
    for (uint32_t i = 0; i < b->len; i++) {
        const ir_stmt_t *st = b->items[i];
        if ((st->e && expr_parks(s, st->e)) || block_parks(s, &st->then) ||
            block_parks(s, &st->els) || exprs_park(s, st->args, st->nargs))
            return true;
    }
    return false;
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
    scan_t s = {.p = p, .parks = parks, .io_only = true};
    bool any_io = false;
    for (uint32_t f = 0; f < p->nfuncs && !any_io; f++)
        any_io = block_parks(&s, &p->funcs[f]->body);
    if (any_io) {
        /* Least fixpoint: start from "nothing parks" and add functions
         * until no more change; recursion alone never makes one park. */
        s.io_only = false;
        for (bool changed = true; changed;) {
            changed = false;
            for (uint32_t f = 0; f < p->nfuncs; f++) {
                if (!parks[f] && block_parks(&s, &p->funcs[f]->body)) {
                    parks[f] = true;
                    changed = true;
                }
            }
        }
    }
    uint32_t n = 0;
    for (uint32_t f = 0; f < p->nfuncs; f++)
        n += rename_block(&p->funcs[f]->body, parks);
    free(parks);
    return n;
}
