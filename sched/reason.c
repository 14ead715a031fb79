/* reason.c: exit reasons (see reason.h). */
#include "sched/reason.h"

#include <stdio.h>
#include <string.h>

#include "kernel/alloc.h"
#include "kernel/assert.h"
#include "sched/proc.h"

/* ORDER REASON. Refcount 0 marks them static. */
static sched_reason_t plain[SCHED_EXIT_NOCONNECTION + 1] = {
    {.kind = SCHED_EXIT_NORMAL}, {.kind = SCHED_EXIT_SHUTDOWN},     {.kind = SCHED_EXIT_KILLED},
    {.kind = SCHED_EXIT_NOPROC}, {.kind = SCHED_EXIT_NOCONNECTION},
};
static const char *const plain_names[] = {"Normal", "Shutdown", "Killed", "Noproc", "Noconnection"};
static const char *const job_names[] = {"normal", "shutdown", "killed", "noproc", "noconnection"};

/* A diagnostic counter, not state: tests compare it before and after. */
static atomic_int_fast64_t live;

sched_reason_t *sched_reason_plain(uint32_t kind)
{
    snow_assert(kind <= SCHED_EXIT_NOCONNECTION);
    return &plain[kind];
}

static sched_reason_t *reason_new(uint32_t kind, size_t text_len)
{
    sched_reason_t *r = kern_alloc(sizeof *r + text_len + 1);
    atomic_init(&r->_refs, 1);
    r->kind = kind;
    r->pid = 0;
    r->inner = NULL;
    r->len = text_len;
    r->text[text_len] = '\0';
    atomic_fetch_add_explicit(&live, 1, memory_order_relaxed);
    return r;
}

sched_reason_t *sched_reason_error(const char *text, size_t len)
{
    sched_reason_t *r = reason_new(SCHED_EXIT_ERROR, len);
    memcpy(r->text, text, len);
    return r;
}

sched_reason_t *sched_reason_linked(uint64_t pid, sched_reason_t *inner)
{
    sched_reason_t *r = reason_new(SCHED_EXIT_LINKED, 0);
    r->pid = pid;
    r->inner = inner;
    return r;
}

sched_reason_t *sched_reason_ref(sched_reason_t *r)
{
    if (r->kind > SCHED_EXIT_NOCONNECTION)
        atomic_fetch_add_explicit(&r->_refs, 1, memory_order_relaxed);
    return r;
}

void sched_reason_unref(sched_reason_t *r)
{
    while (r && r->kind > SCHED_EXIT_NOCONNECTION) {
        /* acq_rel: the last owner must see every other owner's reads done
         * before it frees (the usual refcount pairing). */
        if (atomic_fetch_sub_explicit(&r->_refs, 1, memory_order_acq_rel) != 1)
            return;
        sched_reason_t *inner = r->inner;
        kern_free(r);
        atomic_fetch_sub_explicit(&live, 1, memory_order_relaxed);
        r = inner; /* a Linked chain is released iteratively */
    }
}

bool sched_reason_is_normal(const sched_reason_t *r)
{
    return r->kind == SCHED_EXIT_NORMAL || r->kind == SCHED_EXIT_SHUTDOWN;
}

size_t sched_reason_text(const sched_reason_t *r, char *buf, size_t cap)
{
    int n;
    if (r->kind <= SCHED_EXIT_NOCONNECTION) {
        n = snprintf(buf, cap, "%s", plain_names[r->kind]);
    } else if (r->kind == SCHED_EXIT_ERROR) {
        n = snprintf(buf, cap, "Error(%s)", r->text);
    } else {
        char pid[32];
        sched_proc_pid_text(r->pid, pid, sizeof pid);
        n = snprintf(buf, cap, "Linked(%s, ", pid);
        size_t used = (size_t)n < cap ? (size_t)n : (cap ? cap - 1 : 0);
        size_t inner = sched_reason_text(r->inner, buf + used, cap - used);
        n += (int)inner;
        used = (size_t)n < cap ? (size_t)n : (cap ? cap - 1 : 0);
        n += snprintf(buf + used, cap - used, ")");
    }
    return (size_t)n;
}

const char *sched_reason_job_text(const sched_reason_t *r)
{
    while (r->kind == SCHED_EXIT_LINKED)
        r = r->inner;
    if (r->kind == SCHED_EXIT_ERROR)
        return r->text;
    return job_names[r->kind];
}

int64_t sched_reason_live_count(void) { return atomic_load_explicit(&live, memory_order_relaxed); }
