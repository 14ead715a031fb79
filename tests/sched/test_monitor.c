/* Tests for monitors (stdlib 19, D63, D66-D68; issue 7): one Down per
 * monitor with its reference, pid and reason; Noproc at once for a dead or
 * null pid; demonitor's result and its removal of a queued Down; a Snow
 * panic is seen as Error(<message>) (D24). */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <string.h>

#include "lang/std/ctx.h"
#include "sched/actor.h"
#include "sched/link.h"
#include "tests/sched/sched_test.h"

static void waiter(void *arg)
{
    (void)arg;
    trecv(-1, NULL, NULL);
}

static uint64_t refs[4], got_ref[4];
static sched_pid_t got_pid[4], target;
static char got_reason[4][64];
static int demon_rc[4];
static bool stray;

static void take(int i)
{
    sched_sysmsg_t *s = tsys(5000);
    cr_assert_not_null(s);
    cr_assert_eq(s->kind, SCHED_SYS_DOWN);
    got_ref[i] = s->ref;
    got_pid[i] = s->pid;
    trtext(s->reason, got_reason[i], sizeof got_reason[i]);
    sched_sysmsg_free(s);
}

static void two_main(void *arg)
{
    (void)arg;
    cr_assert_eq(sched_proc_spawn(waiter, NULL, &target), 0);
    refs[0] = sched_monitor(target);
    refs[1] = sched_monitor(target);
    tsend(target, 1);
    take(0);
    take(1);
    stray = tsys(30) != NULL;
    /* Both fired: demonitor now reports "not active". */
    demon_rc[0] = sched_demonitor(refs[0]);
    /* Dead and null targets: Noproc at once (D66). */
    refs[2] = sched_monitor(target);
    take(2);
    refs[3] = sched_monitor(SCHED_PID_NULL);
    take(3);
}

Test(sched_monitor, each_monitor_gets_one_down_with_its_reference, .timeout = 10)
{
    trun(1, two_main, NULL);
    cr_assert_eq(refs[0], 1); /* counting up from 1 for the run */
    cr_assert_eq(refs[1], 2);
    cr_assert_eq(got_ref[0], 1);
    cr_assert_eq(got_ref[1], 2);
    cr_assert_eq(got_pid[0], target);
    cr_assert_str_eq(got_reason[0], "Normal");
    cr_assert_str_eq(got_reason[1], "Normal");
    cr_assert_not(stray);
    cr_assert_eq(demon_rc[0], 1);
    cr_assert_eq(got_ref[2], 3);
    cr_assert_eq(got_pid[2], target);
    cr_assert_str_eq(got_reason[2], "Noproc");
    cr_assert_eq(got_ref[3], 4);
    cr_assert_eq(got_pid[3], SCHED_PID_NULL);
    cr_assert_str_eq(got_reason[3], "Noproc");
}

static void demonitor_main(void *arg)
{
    (void)arg;
    sched_pid_t a, b;
    cr_assert_eq(sched_proc_spawn(waiter, NULL, &a), 0);
    cr_assert_eq(sched_proc_spawn(waiter, NULL, &b), 0);
    uint64_t ra = sched_monitor(a), rb = sched_monitor(b);
    /* Active monitor withdrawn before the end: 0, and no Down ever. */
    demon_rc[0] = sched_demonitor(ra);
    demon_rc[1] = sched_demonitor(ra); /* already removed */
    tsend(a, 1);
    /* b ends and its Down is queued; demonitor removes it (D68). */
    tsend(b, 1);
    sched_proc_sleep(20);
    demon_rc[2] = sched_demonitor(rb);
    stray = tsys(30) != NULL;
    demon_rc[3] = sched_demonitor(12345); /* never existed */
}

Test(sched_monitor, demonitor_withdraws_even_a_queued_down, .timeout = 10)
{
    trun(1, demonitor_main, NULL);
    cr_assert_eq(demon_rc[0], 0);
    cr_assert_eq(demon_rc[1], 1);
    cr_assert_eq(demon_rc[2], 1); /* it had fired, so not active... */
    cr_assert_not(stray);         /* ...but the queued Down is gone */
    cr_assert_eq(demon_rc[3], 1);
}

/* A monitor never affects the monitored process, and the watcher's own
 * crash just withdraws its monitors. */
static atomic_int target_done;

static void patient(void *arg)
{
    (void)arg;
    sched_proc_sleep(30);
    atomic_fetch_add(&target_done, 1);
}

static void doomed_watcher(void *arg)
{
    sched_monitor(*(sched_pid_t *)arg);
    tcrash("watcher");
}

static void oneway_main(void *arg)
{
    (void)arg;
    static sched_pid_t t;
    cr_assert_eq(sched_proc_spawn(patient, NULL, &t), 0);
    for (int i = 0; i < 10; i++)
        cr_assert_eq(sched_proc_spawn(doomed_watcher, &t, NULL), 0);
    refs[0] = sched_monitor(t);
    take(0);
}

Test(sched_monitor, monitoring_is_one_way, .timeout = 10)
{
    trun(2, oneway_main, NULL);
    cr_assert_eq(atomic_load(&target_done), 1);
    cr_assert_str_eq(got_reason[0], "Normal");
}

/* ---- a Snow panic's message reaches the monitor (D24, D63) ---- */

static snow_rt_t rt;

static void panicker(snow_ctx_t *cx, void *arg)
{
    (void)arg;
    snow_panic(cx, "snow_list_head: empty list");
}

static void panic_main(void *arg)
{
    (void)arg;
    sched_pid_t p;
    cr_assert_eq(sched_actor_spawn(panicker, NULL, &p), 0);
    refs[0] = sched_monitor(p);
    take(0);
}

Test(sched_monitor, a_snow_panic_is_seen_as_its_error_message, .timeout = 10,
     .init = cr_redirect_stderr)
{
    std_rt_init(&rt, 0, NULL);
    sched_actor_set_rt(&rt);
    trun(1, panic_main, NULL);
    sched_actor_set_rt(NULL);
    std_rt_destroy(&rt);
    cr_assert_str_eq(got_reason[0], "Error(snow_list_head: empty list)");
}
