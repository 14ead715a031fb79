/* Tests for sched/timer.c (stdlib 20, language.md 8.10, D27, D28; issue
 * 7): send_after delivers after at least its delay, asynchronously even at
 * 0, across workers, keeps the program alive while its target lives and is
 * dropped (without keeping the program alive) when the target is gone;
 * Timer.sleep keeps messages queued. */
#include <criterion/criterion.h>

#include "sched/timer.h"
#include "tests/sched/sched_test.h"

#define MS 1000000ll

static int64_t got[4], at_ns[4];
static bool early;

static void delays_main(void *arg)
{
    (void)arg;
    sched_pid_t me = sched_proc_pid(sched_proc_current());
    uint64_t t0 = kern_timer_now_ns();
    cr_assert_eq(sched_timer_send_after(me, 60, &tmsg_new(me, 3)->hdr), 0);
    cr_assert_eq(sched_timer_send_after(me, 20, &tmsg_new(me, 2)->hdr), 0);
    cr_assert_eq(sched_timer_send_after(me, 0, &tmsg_new(me, 1)->hdr), 0);
    early = sched_proc_receive(0) != NULL; /* not before send_after returns */
    for (int i = 0; i < 3; i++) {
        got[i] = trecv(2000, NULL, NULL);
        at_ns[i] = (int64_t)(kern_timer_now_ns() - t0);
    }
}

Test(sched_timer, send_after_delivers_in_deadline_order_after_its_delay, .timeout = 10)
{
    trun(1, delays_main, NULL);
    cr_assert_not(early);
    cr_assert_eq(got[0], 1);
    cr_assert_eq(got[1], 2);
    cr_assert_eq(got[2], 3);
    cr_assert_geq(at_ns[1], 20 * MS);
    cr_assert_geq(at_ns[2], 60 * MS);
    cr_assert_lt(at_ns[2], 1000 * MS);
    cr_assert_eq(sched_timer_pending_count(), 0);
}

/* D28: main returns at once; the pending timer keeps the run going until
 * the waiting target gets its message. */
static atomic_long woke_at_ns;
static uint64_t start_ns;

static void target_waiter(void *arg)
{
    (void)arg;
    if (trecv(-1, NULL, NULL) == 9)
        atomic_store(&woke_at_ns, (long)(kern_timer_now_ns() - start_ns));
}

static void alive_main(void *arg)
{
    (void)arg;
    sched_pid_t t;
    cr_assert_eq(sched_proc_spawn(target_waiter, NULL, &t), 0);
    start_ns = kern_timer_now_ns();
    cr_assert_eq(sched_timer_send_after(t, 80, &tmsg_new(0, 9)->hdr), 0);
}

Test(sched_timer, a_pending_send_after_to_a_live_target_keeps_the_program_alive, .timeout = 10)
{
    trun(1, alive_main, NULL);
    cr_assert_geq(atomic_load(&woke_at_ns), 80 * MS);
}

/* D28: the target exits first: the message is dropped and the run ends
 * without waiting for the 5 s timer. */
static void short_lived(void *arg)
{
    (void)arg;
    sched_proc_sleep(10);
}

static void dead_main(void *arg)
{
    (void)arg;
    sched_pid_t t;
    cr_assert_eq(sched_proc_spawn(short_lived, NULL, &t), 0);
    cr_assert_eq(sched_timer_send_after(t, 5000, &tmsg_new(0, 1)->hdr), 0);
}

Test(sched_timer, a_send_after_to_a_dead_target_is_dropped_and_keeps_nothing_alive, .timeout = 10)
{
    long dropped0 = atomic_load(&tmsg_dropped);
    uint64_t t0 = kern_timer_now_ns();
    trun(1, dead_main, NULL);
    cr_assert_lt(kern_timer_now_ns() - t0, 2000 * MS);
    cr_assert_eq(atomic_load(&tmsg_dropped) - dropped0, 1);
    cr_assert_eq(sched_timer_pending_count(), 0);
}

/* Many timers to a process on the other worker: every one arrives once. */
#define TIMERS 5000
static _Atomic sched_pid_t collector;
static atomic_int collected, dup;
static unsigned char seen_timer[TIMERS];

static void collect(void *arg)
{
    (void)arg;
    collector = sched_proc_pid(sched_proc_current());
    for (int i = 0; i < TIMERS; i++) {
        int64_t v = trecv(5000, NULL, NULL);
        cr_assert(v >= 0 && v < TIMERS);
        if (seen_timer[v]++)
            atomic_fetch_add(&dup, 1);
        atomic_fetch_add(&collected, 1);
    }
}

static void many_main(void *arg)
{
    (void)arg;
    cr_assert_eq(sched_proc_spawn_on(1, collect, NULL), 0);
    while (!collector)
        sched_proc_sleep(1);
    uint32_t seed = 12345;
    for (int i = 0; i < TIMERS; i++) {
        seed = seed * 1103515245u + 12345u;
        cr_assert_eq(sched_timer_send_after(collector, (seed >> 16) % 50, &tmsg_new(0, i)->hdr), 0);
    }
}

Test(sched_timer, thousands_of_timers_across_workers_arrive_exactly_once, .timeout = 20)
{
    trun(2, many_main, NULL);
    cr_assert_eq(atomic_load(&collected), TIMERS);
    cr_assert_eq(atomic_load(&dup), 0);
    cr_assert_eq(sched_timer_pending_count(), 0);
}

static int64_t slept_ns, queued;

static void sleep_main(void *arg)
{
    (void)arg;
    tsend(sched_proc_pid(sched_proc_current()), 5);
    uint64_t t0 = kern_timer_now_ns();
    sched_timer_sleep(50);
    slept_ns = (int64_t)(kern_timer_now_ns() - t0);
    queued = trecv(0, NULL, NULL);
}

Test(sched_timer, sleep_waits_its_time_and_keeps_messages_queued, .timeout = 10)
{
    trun(1, sleep_main, NULL);
    cr_assert_geq(slept_ns, 50 * MS);
    cr_assert_eq(queued, 5);
}
