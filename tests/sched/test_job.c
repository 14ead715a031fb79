/* Tests for sched/job.c (stdlib 21, language.md 8.10, D71-D73; issue 7):
 * await takes that job's outcome only, Ok or Err with D71's texts, a second
 * await is noproc, await_timeout leaves the job running and its outcome
 * collectable, a job's crash never kills its caller, the caller's crash
 * kills its jobs, and map-style awaits come back in input order. */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "sched/job.h"
#include "sched/link.h"
#include "tests/sched/sched_test.h"

static sched_msg_t *job_value(void *arg) { return &tmsg_new(0, (int64_t)(intptr_t)arg)->hdr; }

static sched_msg_t *job_crash(void *arg)
{
    (void)arg;
    tcrash("job went wrong");
}

static sched_msg_t *job_slow(void *arg)
{
    sched_proc_sleep((int64_t)(intptr_t)arg);
    return &tmsg_new(0, (int64_t)(intptr_t)arg)->hdr;
}

static bool is_tmsg(sched_msg_t *m, void *data)
{
    (void)data;
    return m->drop == tmsg_drop;
}

static int64_t vals[8];
static int rcs[8];
static char texts[4][64];

static int64_t take_value(sched_msg_t *m)
{
    int64_t v = ((tmsg_t *)m)->value;
    free(m);
    return v;
}

static void basic_main(void *arg)
{
    (void)arg;
    sched_pid_t me = sched_proc_pid(sched_proc_current());
    tsend(me, 100); /* queued before: must stay */
    sched_pid_t ok, bad;
    cr_assert_eq(sched_job_async(job_value, (void *)42, &ok), 0);
    cr_assert_eq(sched_job_async(job_crash, NULL, &bad), 0);
    tsend(me, 101);
    sched_msg_t *v;
    sched_reason_t *r;
    /* The crash comes first in time; await(ok) still takes ok's only. */
    rcs[0] = sched_job_await(bad, -1, &v, &r);
    strcpy(texts[0], sched_reason_job_text(r));
    sched_reason_unref(r);
    rcs[1] = sched_job_await(ok, -1, &v, &r);
    vals[0] = take_value(v);
    rcs[2] = sched_job_await(ok, -1, &v, &r); /* twice: noproc */
    rcs[3] = sched_job_await(me, 0, &v, &r);  /* not a job */
    vals[1] = trecv(0, NULL, NULL);
    vals[2] = trecv(0, NULL, NULL);
    rcs[4] = sched_proc_receive(20) != NULL; /* no stray outcome */
}

Test(sched_job, await_takes_that_jobs_outcome_and_leaves_other_messages, .timeout = 10)
{
    trun(1, basic_main, NULL);
    cr_assert_eq(rcs[0], 1);
    cr_assert_str_eq(texts[0], "job went wrong"); /* D71: the panic message */
    cr_assert_eq(rcs[1], 0);
    cr_assert_eq(vals[0], 42);
    cr_assert_eq(rcs[2], -ESRCH);
    cr_assert_eq(rcs[3], -ESRCH);
    cr_assert_eq(vals[1], 100);
    cr_assert_eq(vals[2], 101);
    cr_assert_eq(rcs[4], 0);
}

static void timeout_main(void *arg)
{
    (void)arg;
    sched_pid_t j, k;
    cr_assert_eq(sched_job_async(job_slow, (void *)60, &j), 0);
    cr_assert_eq(sched_job_async(job_slow, (void *)30, &k), 0);
    sched_msg_t *v = NULL;
    sched_reason_t *r;
    uint64_t t0 = kern_timer_now_ns();
    rcs[0] = sched_job_await(j, 0, &v, &r); /* ms <= 0: one look (D72) */
    vals[3] = (int64_t)(kern_timer_now_ns() - t0);
    rcs[1] = sched_job_await(j, 10, &v, &r);
    rcs[2] = sched_job_await(j, -1, &v, &r); /* still collectable */
    vals[0] = take_value(v);
    /* k finished long ago and was never awaited: its outcome is no user
     * message (D72). */
    vals[1] = sched_proc_receive_match(0, is_tmsg, NULL) != NULL;
}

Test(sched_job, await_timeout_leaves_the_job_running_and_collectable, .timeout = 10)
{
    trun(1, timeout_main, NULL);
    cr_assert_eq(rcs[0], -ETIMEDOUT);
    cr_assert_lt(vals[3], 50 * 1000000); /* no wait; slack for a loaded machine */
    cr_assert_eq(rcs[1], -ETIMEDOUT);
    cr_assert_eq(rcs[2], 0);
    cr_assert_eq(vals[0], 60);
    cr_assert_eq(vals[1], 0);
}

/* The caller's crash kills its job; a job's kill is Err("killed"). */
static _Atomic sched_pid_t forever_job;

static sched_msg_t *job_forever(void *arg)
{
    (void)arg;
    forever_job = sched_proc_pid(sched_proc_current());
    trecv(-1, NULL, NULL);
    return &tmsg_new(0, 0)->hdr;
}

static void doomed_caller(void *arg)
{
    (void)arg;
    sched_pid_t j;
    cr_assert_eq(sched_job_async(job_forever, NULL, &j), 0);
    sched_proc_yield(); /* the job starts */
    tcrash("caller died");
}

static void kill_main(void *arg)
{
    (void)arg;
    sched_pid_t c;
    cr_assert_eq(sched_proc_spawn(doomed_caller, NULL, &c), 0);
    while (!forever_job)
        sched_proc_yield();
    uint64_t ref = sched_monitor(forever_job);
    sched_sysmsg_t *s = tsys(5000);
    cr_assert_eq(s->ref, ref);
    cr_assert_eq(s->reason->kind, SCHED_EXIT_LINKED);
    cr_assert_eq(s->reason->pid, c);
    strcpy(texts[0], sched_reason_job_text(s->reason));
    sched_sysmsg_free(s);
    /* A killed job: Err("killed"), and the caller lives on. */
    forever_job = SCHED_PID_NULL;
    sched_pid_t j;
    cr_assert_eq(sched_job_async(job_forever, NULL, &j), 0);
    while (!forever_job)
        sched_proc_yield();
    cr_assert_eq(sched_exit_signal(j, sched_reason_plain(SCHED_EXIT_KILLED)), 0);
    sched_msg_t *v;
    sched_reason_t *r;
    rcs[0] = sched_job_await(j, 5000, &v, &r);
    strcpy(texts[1], sched_reason_job_text(r));
    sched_reason_unref(r);
    /* A crash of a job never kills the caller, trapping or not. */
    cr_assert_eq(sched_job_async(job_crash, NULL, &j), 0);
    sched_proc_sleep(20);
    rcs[1] = sched_job_await(j, 0, &v, &r);
    sched_reason_unref(r);
}

Test(sched_job, the_callers_crash_kills_the_job_and_not_the_other_way, .timeout = 10)
{
    trun(1, kill_main, NULL);
    cr_assert_str_eq(texts[0], "caller died"); /* Linked(_, r) has r's text */
    cr_assert_eq(rcs[0], 1);
    cr_assert_str_eq(texts[1], "killed");
    cr_assert_eq(rcs[1], 1);
}

/* Job.map: one job per element, outcomes in input order (D73). */
#define MAPN 64
static int64_t mapped[MAPN];

static void map_main(void *arg)
{
    (void)arg;
    sched_pid_t jobs[MAPN];
    for (intptr_t i = 0; i < MAPN; i++)
        cr_assert_eq(sched_job_async(job_slow, (void *)((MAPN - i) % 7), &jobs[i]), 0);
    for (int i = 0; i < MAPN; i++) {
        sched_msg_t *v;
        sched_reason_t *r;
        cr_assert_eq(sched_job_await(jobs[i], -1, &v, &r), 0);
        mapped[i] = take_value(v);
    }
}

Test(sched_job, map_style_awaits_come_back_in_input_order, .timeout = 10)
{
    trun(1, map_main, NULL);
    for (int i = 0; i < MAPN; i++)
        cr_assert_eq(mapped[i], (MAPN - i) % 7);
}
