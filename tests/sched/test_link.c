/* Tests for sched/link.c, links and exit signals (language.md 8.5, D63-D65;
 * issue 7): a crash kills exactly the processes linked to it, with reason
 * Linked(pid, reason), cascading; normal exits kill nobody; trapping turns
 * signals into Exit messages; kill cannot be trapped; links work across
 * workers; nothing leaks (trun checks the counters). */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sched/job.h"
#include "sched/link.h"
#include "tests/sched/sched_test.h"

/* What main learned: the Down reason text of each watched process. */
static char down[4][128];
static atomic_int survived;

/* Waits for a Down and stores its reason's text in down[i]. */
static void await_down(int i, uint64_t ref)
{
    sched_sysmsg_t *s = tsys(5000);
    cr_assert_not_null(s, "no Down within 5 s");
    cr_assert_eq(s->kind, SCHED_SYS_DOWN);
    cr_assert_eq(s->ref, ref);
    trtext(s->reason, down[i], sizeof down[i]);
    sched_sysmsg_free(s);
}

/* A process that waits for one message; reports if it survives it. */
static void waiter(void *arg)
{
    (void)arg;
    if (trecv(-1, NULL, NULL) >= 0)
        atomic_fetch_add(&survived, 1);
}

/* Links to the pid it is sent, then crashes or exits on the next message. */
static void linker(void *arg)
{
    (void)arg;
    sched_pid_t to = (sched_pid_t)trecv(-1, NULL, NULL);
    cr_assert_eq(sched_link(to), 0);
    int64_t how = trecv(-1, NULL, NULL);
    if (how == 1)
        tcrash("boom");
    /* how == 0: normal exit */
}

static sched_pid_t spawn(sched_proc_fn fn)
{
    sched_pid_t pid;
    cr_assert_eq(sched_proc_spawn(fn, NULL, &pid), 0);
    return pid;
}

static char expect[128];

static void crash_main(void *arg)
{
    int crash = *(int *)arg;
    sched_pid_t w = spawn(waiter), l = spawn(linker);
    uint64_t rw = sched_monitor(w), rl = sched_monitor(l);
    tsend(l, (int64_t)w);
    tsend(l, crash);
    await_down(0, rl);
    if (crash) {
        await_down(1, rw);
        snprintf(expect, sizeof expect, "Linked(<0.%llu>, Error(boom))", (unsigned long long)l);
    } else {
        tsend(w, 5); /* it is still alive and takes this */
        await_down(1, rw);
    }
}

Test(sched_link, a_crash_kills_the_linked_process_with_a_linked_reason, .timeout = 10)
{
    int crash = 1;
    trun(1, crash_main, &crash);
    cr_assert_str_eq(down[0], "Error(boom)");
    cr_assert_str_eq(down[1], expect);
    cr_assert_eq(atomic_load(&survived), 0);
}

Test(sched_link, a_normal_exit_kills_nobody, .timeout = 10)
{
    int crash = 0;
    trun(1, crash_main, &crash);
    cr_assert_str_eq(down[0], "Normal");
    cr_assert_str_eq(down[1], "Normal");
    cr_assert_eq(atomic_load(&survived), 1); /* D65 */
}

/* ---- trapping ---- */

static char exits[3][128];
static bool exit_linked[3];
static sched_pid_t exit_from[3], crasher_pid, normal_pid;

static void crash_soon(void *arg)
{
    (void)arg;
    trecv(-1, NULL, NULL);
    tcrash("kaput");
}

static void trap_main(void *arg)
{
    (void)arg;
    cr_assert_eq(sched_trap_exit(true), false);
    crasher_pid = spawn(crash_soon);
    normal_pid = spawn(waiter);
    cr_assert_eq(sched_link(crasher_pid), 0);
    cr_assert_eq(sched_link(normal_pid), 0);
    cr_assert_eq(sched_link(normal_pid), 0); /* idempotent: one Exit only */
    tsend(crasher_pid, 1);
    tsend(normal_pid, 1);
    tsend(sched_proc_pid(sched_proc_current()), 77); /* a user message stays queued */
    for (int i = 0; i < 2; i++) {
        sched_sysmsg_t *s = tsys(5000);
        cr_assert_not_null(s);
        cr_assert_eq(s->kind, SCHED_SYS_EXIT);
        exit_from[i] = s->pid;
        exit_linked[i] = s->linked;
        trtext(s->reason, exits[i], sizeof exits[i]);
        sched_sysmsg_free(s);
    }
    cr_assert_null(tsys(50)); /* exactly two */
    cr_assert_eq(trecv(0, NULL, NULL), 77);
    /* Linking to a dead process while trapping: Exit(pid, Noproc) (D64). */
    cr_assert_eq(sched_link(crasher_pid), -ESRCH);
    sched_sysmsg_t *s = tsys(0);
    cr_assert_not_null(s);
    exit_from[2] = s->pid;
    trtext(s->reason, exits[2], sizeof exits[2]);
    sched_sysmsg_free(s);
    /* ... and the null pid (D66). */
    cr_assert_eq(sched_link(SCHED_PID_NULL), -ESRCH);
    s = tsys(0);
    cr_assert_not_null(s);
    cr_assert_eq(s->pid, SCHED_PID_NULL);
    sched_sysmsg_free(s);
}

Test(sched_link, trapping_turns_exit_signals_into_exit_messages, .timeout = 10)
{
    trun(1, trap_main, NULL);
    /* Either order: the two exits race. */
    int c = exit_from[0] == crasher_pid ? 0 : 1;
    cr_assert_eq(exit_from[c], crasher_pid);
    cr_assert_str_eq(exits[c], "Error(kaput)");
    cr_assert_eq(exit_from[1 - c], normal_pid);
    cr_assert_str_eq(exits[1 - c], "Normal"); /* D65: trapping sees normal exits */
    cr_assert(exit_linked[0] && exit_linked[1]);
    cr_assert_eq(exit_from[2], crasher_pid);
    cr_assert_str_eq(exits[2], "Noproc");
}

static int quiet_rc;
static bool quiet_got;

static void quick(void *arg) { (void)arg; }

static void dead_link_main(void *arg)
{
    (void)arg;
    sched_pid_t q = spawn(quick);
    sched_proc_yield(); /* q runs and exits */
    quiet_rc = sched_link(q);
    quiet_got = sched_proc_receive(20) != NULL;
}

Test(sched_link, linking_to_a_dead_process_gives_a_non_trapping_caller_nothing, .timeout = 10)
{
    trun(1, dead_link_main, NULL);
    cr_assert_eq(quiet_rc, -ESRCH);
    cr_assert_not(quiet_got);
}

/* ---- cascades, unlink, bidirectionality ---- */

/* chain: main monitors a, b, c; a-b and b-c linked; c crashes. */
static void chain_link(void *arg)
{
    (void)arg;
    sched_pid_t to = (sched_pid_t)trecv(-1, NULL, NULL);
    if (to)
        cr_assert_eq(sched_link(to), 0);
    tsend((sched_pid_t)trecv(-1, NULL, NULL), 1); /* ack to main */
    if (trecv(-1, NULL, NULL) == 1)
        tcrash("deep");
}

static sched_pid_t chain[3];

static void cascade_main(void *arg)
{
    (void)arg;
    sched_pid_t me = sched_proc_pid(sched_proc_current());
    for (int i = 0; i < 3; i++)
        chain[i] = spawn(chain_link);
    uint64_t refs[3];
    for (int i = 0; i < 3; i++)
        refs[i] = sched_monitor(chain[i]);
    tsend(chain[0], (int64_t)chain[1]); /* a links b (a asks) */
    tsend(chain[1], (int64_t)chain[2]); /* b links c */
    tsend(chain[2], 0);
    for (int i = 0; i < 3; i++)
        tsend(chain[i], (int64_t)me);
    for (int i = 0; i < 3; i++)
        cr_assert_eq(trecv(5000, NULL, NULL), 1);
    tsend(chain[2], 1); /* c crashes */
    await_down(2, refs[2]);
    await_down(1, refs[1]);
    await_down(0, refs[0]);
}

Test(sched_link, an_abnormal_exit_cascades_along_links_in_both_directions, .timeout = 10)
{
    trun(1, cascade_main, NULL);
    char b[128], a[128];
    snprintf(b, sizeof b, "Linked(<0.%llu>, Error(deep))", (unsigned long long)chain[2]);
    snprintf(a, sizeof a, "Linked(<0.%llu>, Linked(<0.%llu>, Error(deep)))",
             (unsigned long long)chain[1], (unsigned long long)chain[2]);
    cr_assert_str_eq(down[2], "Error(deep)");
    cr_assert_str_eq(down[1], b); /* b was linked by c's side: bidirectional */
    cr_assert_str_eq(down[0], a);
}

static void unlink_main(void *arg)
{
    (void)arg;
    sched_pid_t c = spawn(crash_soon);
    cr_assert_eq(sched_link(c), 0);
    sched_unlink(c);
    sched_unlink(c); /* idempotent */
    uint64_t r = sched_monitor(c);
    tsend(c, 1);
    await_down(0, r);
    sched_proc_sleep(20); /* a stray exit signal would kill us meanwhile */
    atomic_fetch_add(&survived, 1);
}

Test(sched_link, an_unlinked_crash_does_not_kill, .timeout = 10)
{
    trun(1, unlink_main, NULL);
    cr_assert_str_eq(down[0], "Error(kaput)");
    cr_assert_eq(atomic_load(&survived), 1);
}

/* ---- direct exit signals ---- */

static void spinner(void *arg)
{
    (void)arg;
    for (;;)
        sched_proc_yield(); /* busy: only a signal at a switch can end it */
}

static void trapper(void *arg)
{
    (void)arg;
    sched_trap_exit(true);
    sched_sysmsg_t *s = tsys(-1); /* the Shutdown arrives as a message */
    cr_assert_eq(s->kind, SCHED_SYS_EXIT);
    cr_assert_not(s->linked);
    sched_sysmsg_free(s);
    trecv(-1, NULL, NULL); /* then waits until killed */
}

static void exit_main(void *arg)
{
    (void)arg;
    sched_pid_t sp = spawn(spinner), tr = spawn(trapper), w = spawn(waiter), w2 = spawn(waiter);
    uint64_t rs = sched_monitor(sp), rt = sched_monitor(tr), rw = sched_monitor(w);
    uint64_t rw2 = sched_monitor(w2);
    sched_proc_yield();
    cr_assert_eq(sched_exit_signal(sp, sched_reason_plain(SCHED_EXIT_SHUTDOWN)), 0);
    await_down(0, rs);
    cr_assert_eq(sched_exit_signal(tr, sched_reason_plain(SCHED_EXIT_SHUTDOWN)), 0);
    cr_assert_eq(sched_exit_signal(tr, sched_reason_plain(SCHED_EXIT_KILLED)), 0);
    await_down(1, rt);
    cr_assert_eq(sched_exit_signal(w, sched_reason_plain(SCHED_EXIT_NORMAL)), 0);
    sched_proc_sleep(10);
    tsend(w, 1); /* still alive after a direct Normal */
    await_down(2, rw);
    cr_assert_eq(sched_exit_signal(w2, sched_reason_error("custom", 6)), 0);
    await_down(3, rw2);
    cr_assert_eq(sched_exit_signal(w, sched_reason_plain(SCHED_EXIT_KILLED)), -ESRCH);
}

Test(sched_link, exit_signals_end_busy_processes_and_kill_cannot_be_trapped, .timeout = 10)
{
    trun(1, exit_main, NULL);
    cr_assert_str_eq(down[0], "Shutdown");
    cr_assert_str_eq(down[1], "Killed");
    cr_assert_str_eq(down[2], "Normal");
    cr_assert_str_eq(down[3], "Error(custom)");
    cr_assert_eq(atomic_load(&survived), 1);
}

/* ---- across workers ---- */

#define PAIRS 200
static _Atomic sched_pid_t remote_pids[PAIRS];
static atomic_int remote_started;

static void remote_waiter(void *arg)
{
    remote_pids[(intptr_t)arg] = sched_proc_pid(sched_proc_current());
    atomic_fetch_add(&remote_started, 1);
    trecv(-1, NULL, NULL);
    atomic_fetch_add(&survived, 1); /* must not happen */
}

static atomic_int killed_remote;

static void local_crasher(void *arg)
{
    cr_assert_eq(sched_link(remote_pids[(intptr_t)arg]), 0);
    sched_proc_yield();
    tcrash("far");
}

static void remote_main(void *arg)
{
    (void)arg;
    for (intptr_t i = 0; i < PAIRS; i++)
        cr_assert_eq(sched_proc_spawn_on(1, remote_waiter, (void *)i), 0);
    while (atomic_load(&remote_started) < PAIRS)
        sched_proc_sleep(1);
    uint64_t refs[PAIRS];
    for (intptr_t i = 0; i < PAIRS; i++) {
        refs[i] = sched_monitor(remote_pids[i]);
        cr_assert_eq(sched_proc_spawn(local_crasher, (void *)i, NULL), 0);
    }
    for (int i = 0; i < PAIRS; i++) {
        sched_sysmsg_t *s = tsys(5000);
        cr_assert_not_null(s);
        cr_assert_eq(s->kind, SCHED_SYS_DOWN);
        cr_assert_eq(s->reason->kind, SCHED_EXIT_LINKED);
        cr_assert_str_eq(s->reason->inner->text, "far");
        bool known = false;
        for (int j = 0; j < PAIRS; j++)
            known |= refs[j] == s->ref;
        cr_assert(known);
        atomic_fetch_add(&killed_remote, 1);
        sched_sysmsg_free(s);
    }
}

Test(sched_link, links_work_across_workers, .timeout = 20)
{
    trun(2, remote_main, NULL);
    cr_assert_eq(atomic_load(&killed_remote), PAIRS);
    cr_assert_eq(atomic_load(&survived), 0);
}

/* A kill sent before the process first runs ends it at its start. */
static atomic_int body_ran;

static sched_msg_t *job_never(void *arg)
{
    (void)arg;
    atomic_fetch_add(&body_ran, 1);
    return &tmsg_new(0, 0)->hdr;
}

static void early_main(void *arg)
{
    (void)arg;
    sched_pid_t j;
    cr_assert_eq(sched_job_async(job_never, NULL, &j), 0);
    cr_assert_eq(sched_exit_signal(j, sched_reason_plain(SCHED_EXIT_KILLED)), 0);
    sched_msg_t *v;
    sched_reason_t *r;
    cr_assert_eq(sched_job_await(j, 5000, &v, &r), 1);
    cr_assert_eq(r->kind, SCHED_EXIT_KILLED);
    sched_reason_unref(r);
}

Test(sched_link, a_kill_before_the_first_run_ends_the_process_at_its_start, .timeout = 10)
{
    trun(1, early_main, NULL);
    cr_assert_eq(atomic_load(&body_ran), 0);
}

/* Chains that alternate between the two workers: every crash at a tail
 * takes its whole chain down, each link adding one Linked level. */
#define CHAINS 100
#define CHAIN_LEN 10
static _Atomic sched_pid_t chain_pids[CHAINS * CHAIN_LEN];
static atomic_int chain_started, downs_seen, depth_ok;

static void chain_member(void *arg)
{
    chain_pids[(intptr_t)arg] = sched_proc_pid(sched_proc_current());
    atomic_fetch_add(&chain_started, 1);
    sched_pid_t from = SCHED_PID_NULL;
    sched_pid_t next = (sched_pid_t)trecv(-1, &from, NULL);
    if (next)
        cr_assert_eq(sched_link(next), 0);
    tsend(from, 1);
    if (trecv(-1, NULL, NULL) == 1)
        tcrash("tail");
}

static int reason_depth(const sched_reason_t *r)
{
    int d = 0;
    for (; r->kind == SCHED_EXIT_LINKED; r = r->inner)
        d++;
    return d;
}

static void chains_main(void *arg)
{
    (void)arg;
    int total = CHAINS * CHAIN_LEN;
    for (intptr_t i = 0; i < total; i++)
        cr_assert_eq(sched_proc_spawn_on((uint32_t)i % 2, chain_member, (void *)i), 0);
    while (atomic_load(&chain_started) < total)
        sched_proc_sleep(1);
    static uint64_t refs[CHAINS * CHAIN_LEN];
    for (int i = 0; i < total; i++) {
        refs[i] = sched_monitor(chain_pids[i]);
        bool last = i % CHAIN_LEN == CHAIN_LEN - 1;
        tsend(chain_pids[i], last ? 0 : (int64_t)chain_pids[i + 1]);
    }
    for (int i = 0; i < total; i++)
        cr_assert_eq(trecv(5000, NULL, NULL), 1);
    for (int c = 0; c < CHAINS; c++)
        tsend(chain_pids[c * CHAIN_LEN + CHAIN_LEN - 1], 1);
    for (int k = 0; k < total; k++) {
        sched_sysmsg_t *s = tsys(10000);
        cr_assert_not_null(s);
        int i = (int)(s->ref - refs[0]); /* refs are consecutive */
        cr_assert(i >= 0 && i < total && refs[i] == s->ref);
        if (reason_depth(s->reason) == CHAIN_LEN - 1 - i % CHAIN_LEN)
            atomic_fetch_add(&depth_ok, 1);
        atomic_fetch_add(&downs_seen, 1);
        sched_sysmsg_free(s);
    }
}

Test(sched_link, crashes_cascade_along_chains_that_cross_workers, .timeout = 30)
{
    trun(2, chains_main, NULL);
    cr_assert_eq(atomic_load(&downs_seen), CHAINS * CHAIN_LEN);
    cr_assert_eq(atomic_load(&depth_ok), CHAINS * CHAIN_LEN);
}

/* A link racing with the target's end: a trapping linker gets exactly one
 * Exit for it, Noproc (too late) or the real reason. */
#define RACERS 500
static _Atomic sched_pid_t racer_targets[RACERS];
static atomic_int race_noproc, race_real, race_extra, race_done;

static void racer_target(void *arg)
{
    racer_targets[(intptr_t)arg] = sched_proc_pid(sched_proc_current());
    if ((intptr_t)arg % 3 == 0)
        sched_proc_yield();
    tcrash("raced");
}

static void racer_linker(void *arg)
{
    intptr_t i = (intptr_t)arg;
    sched_trap_exit(true);
    sched_pid_t t;
    while ((t = racer_targets[i]) == SCHED_PID_NULL)
        sched_proc_yield();
    sched_link(t);
    sched_sysmsg_t *s = tsys(5000);
    cr_assert_not_null(s);
    cr_assert_eq(s->pid, t);
    if (s->reason->kind == SCHED_EXIT_NOPROC)
        atomic_fetch_add(&race_noproc, 1);
    else if (s->reason->kind == SCHED_EXIT_ERROR)
        atomic_fetch_add(&race_real, 1);
    sched_sysmsg_free(s);
    if (tsys(20))
        atomic_fetch_add(&race_extra, 1);
    atomic_fetch_add(&race_done, 1);
}

static void race_main(void *arg)
{
    (void)arg;
    for (intptr_t i = 0; i < RACERS; i++) {
        cr_assert_eq(sched_proc_spawn_on(0, racer_linker, (void *)i), 0);
        cr_assert_eq(sched_proc_spawn_on(1, racer_target, (void *)i), 0);
    }
}

Test(sched_link, a_link_racing_with_the_targets_end_gives_exactly_one_exit, .timeout = 30)
{
    trun(2, race_main, NULL);
    cr_assert_eq(atomic_load(&race_done), RACERS);
    cr_assert_eq(atomic_load(&race_noproc) + atomic_load(&race_real), RACERS);
    cr_assert_eq(atomic_load(&race_extra), 0);
}
