/* Helpers shared by the scheduler tests: a heap message carrying one
 * integer and the sender's pid, and a runner with a fixed worker count. */
#ifndef SNOW_TESTS_SCHED_TEST_H
#define SNOW_TESTS_SCHED_TEST_H

#include <criterion/criterion.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/alloc.h"
#include "sched/link.h"
#include "sched/proc.h"
#include "sched/reason.h"
#include "sched/worker.h"

typedef struct {
    sched_msg_t hdr; /* first */
    sched_pid_t from;
    int64_t value;
} tmsg_t;

static atomic_long tmsg_dropped;

static inline void tmsg_drop(sched_msg_t *m)
{
    atomic_fetch_add_explicit(&tmsg_dropped, 1, memory_order_relaxed);
    free(m);
}

static inline tmsg_t *tmsg_new(sched_pid_t from, int64_t value)
{
    tmsg_t *m = calloc(1, sizeof *m);
    cr_assert_not_null(m);
    m->hdr.drop = tmsg_drop;
    m->from = from;
    m->value = value;
    return m;
}

/* Sends value from the current process (or the null pid) to to; asserts
 * delivery. */
static inline void tsend(sched_pid_t to, int64_t value)
{
    sched_proc_t *self = sched_proc_current();
    tmsg_t *m = tmsg_new(self ? sched_proc_pid(self) : SCHED_PID_NULL, value);
    int rc = sched_proc_send(to, &m->hdr);
    cr_assert_eq(rc, 0);
}

/* Receives one message and returns its value (and sender in *from). */
static inline int64_t trecv(int64_t timeout_ms, sched_pid_t *from, bool *timed_out)
{
    tmsg_t *m = (tmsg_t *)sched_proc_receive(timeout_ms);
    if (timed_out)
        *timed_out = m == NULL;
    if (!m)
        return -1;
    if (from)
        *from = m->from;
    int64_t v = m->value;
    free(m);
    return v;
}

/* Runs a runtime and checks that nothing it allocated is left: signals,
 * system messages, reasons, extensions, timers (kern_alloc's count). */
static inline void trun(int cores, sched_proc_fn main_fn, void *arg)
{
    int64_t allocs = kern_alloc_live_count();
    int64_t links = sched_link_live_count();
    int64_t reasons = sched_reason_live_count();
    sched_config_t cfg = {.cores = cores};
    cr_assert_eq(sched_worker_run(&cfg, main_fn, arg), 0);
    cr_assert_eq(sched_link_live_count(), links, "signals/system messages leaked");
    cr_assert_eq(sched_reason_live_count(), reasons, "exit reasons leaked");
    cr_assert_eq(kern_alloc_live_count(), allocs, "kern_alloc blocks leaked");
    sched_worker_stats_t st;
    sched_worker_last_stats(&st);
    cr_assert_eq(st.spawned, st.exited + st.discarded, "stack slots not given back");
}

static inline bool tis_sys(sched_msg_t *m, void *data)
{
    (void)data;
    return sched_sysmsg_of(m) != NULL;
}

/* Takes the oldest system message (NULL on timeout); user messages stay. */
static inline sched_sysmsg_t *tsys(int64_t timeout_ms)
{
    sched_msg_t *m = sched_proc_receive_match(timeout_ms, tis_sys, NULL);
    return m ? sched_sysmsg_of(m) : NULL;
}

/* Writes r's Display into buf (cap bytes). */
static inline const char *trtext(const sched_reason_t *r, char *buf, size_t cap)
{
    sched_reason_text(r, buf, cap);
    return buf;
}

/* Ends the current process with Error(msg), like a panic. */
static inline _Noreturn void tcrash(const char *msg)
{
    sched_proc_exit_reason(sched_reason_error(msg, strlen(msg)));
}

#endif
