/* Tests for sched/proc.c on one worker: spawn, exit, yield, send, receive
 * with and without timeout, selective receive, preemption, stack overflow
 * and discarding blocked processes (language.md 8.2-8.3, 8.8-8.9; D27, D30;
 * issue 7). Results are recorded in globals and checked after
 * sched_worker_run returns. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kernel/timer.h"
#include "tests/sched/sched_test.h"

static int counter;
static sched_pid_t main_pid;

/* ---- spawn / exit ---- */

static void child_add(void *arg)
{
    counter += (int)(intptr_t)arg;
    tsend(main_pid, (intptr_t)arg);
}

static void spawn_main(void *arg)
{
    (void)arg;
    main_pid = sched_proc_pid(sched_proc_current());
    for (int i = 1; i <= 10; i++)
        cr_assert_eq(sched_proc_spawn(child_add, (void *)(intptr_t)i, NULL), 0);
    int64_t sum = 0;
    for (int i = 0; i < 10; i++)
        sum += trecv(-1, NULL, NULL);
    counter += (int)sum * 1000;
}

Test(sched_proc, spawned_processes_run_and_report_back, .timeout = 10)
{
    trun(1, spawn_main, NULL);
    cr_assert_eq(counter, 55 + 55 * 1000);
    sched_worker_stats_t st;
    sched_worker_last_stats(&st);
    cr_assert_eq(st.spawned, 11);
    cr_assert_eq(st.exited, 11);
}

/* ---- ping-pong on one core ---- */

enum { ROUNDS = 10000 };

static void ponger(void *arg)
{
    (void)arg;
    for (;;) {
        sched_pid_t from;
        int64_t v = trecv(-1, &from, NULL);
        if (v < 0)
            return;
        tsend(from, v + 1);
    }
}

static int64_t pong_last;

static void pinger(void *arg)
{
    (void)arg;
    sched_pid_t pong;
    cr_assert_eq(sched_proc_spawn(ponger, NULL, &pong), 0);
    int64_t v = 0;
    for (int i = 0; i < ROUNDS; i++) {
        tsend(pong, v);
        v = trecv(-1, NULL, NULL);
    }
    pong_last = v;
    tsend(pong, -5); /* stop */
}

Test(sched_proc, ping_pong_counts_every_round_trip, .timeout = 10)
{
    trun(1, pinger, NULL);
    cr_assert_eq(pong_last, ROUNDS);
}

/* ---- timeouts ---- */

static int64_t waited_ns[3];
static bool timed_out[3];

static void late_sender(void *arg)
{
    sched_pid_t to = *(sched_pid_t *)arg;
    uint64_t until = kern_timer_now_ns() + 30 * 1000000ull;
    while (kern_timer_now_ns() < until)
        sched_proc_receive(10); /* sleeps without a message */
    tsend(to, 7);
}

static void timeout_main(void *arg)
{
    (void)arg;
    /* Nothing arrives: NULL after about 50 ms. */
    uint64_t t0 = kern_timer_now_ns();
    trecv(50, NULL, &timed_out[0]);
    waited_ns[0] = (int64_t)(kern_timer_now_ns() - t0);
    /* after 0 only looks. */
    t0 = kern_timer_now_ns();
    trecv(0, NULL, &timed_out[1]);
    waited_ns[1] = (int64_t)(kern_timer_now_ns() - t0);
    /* A message at ~30 ms beats a 2 s timeout. */
    static sched_pid_t self;
    self = sched_proc_pid(sched_proc_current());
    cr_assert_eq(sched_proc_spawn(late_sender, &self, NULL), 0);
    t0 = kern_timer_now_ns();
    counter = (int)trecv(2000, NULL, &timed_out[2]);
    waited_ns[2] = (int64_t)(kern_timer_now_ns() - t0);
}

Test(sched_proc, receive_after_times_out_or_takes_an_early_message, .timeout = 10)
{
    trun(1, timeout_main, NULL);
    cr_assert(timed_out[0]);
    cr_assert_geq(waited_ns[0], 50 * 1000000ll);
    cr_assert_lt(waited_ns[0], 500 * 1000000ll);
    cr_assert(timed_out[1]);
    cr_assert_lt(waited_ns[1], 5 * 1000000ll);
    cr_assert_not(timed_out[2]);
    cr_assert_eq(counter, 7);
    cr_assert_geq(waited_ns[2], 30 * 1000000ll);
    cr_assert_lt(waited_ns[2], 1000 * 1000000ll);
}

/* ---- exited pids ---- */

static int send_rc[5];
static sched_pid_t pids[2];

static void quick(void *arg) { (void)arg; }

static void exited_main(void *arg)
{
    (void)arg;
    cr_assert_eq(sched_proc_spawn(quick, NULL, &pids[0]), 0);
    sched_proc_yield(); /* quick runs and exits */
    tmsg_t *m = tmsg_new(SCHED_PID_NULL, 1);
    send_rc[0] = sched_proc_send(pids[0], &m->hdr);
    /* The next spawn reuses the slot under a new generation. */
    cr_assert_eq(sched_proc_spawn(ponger, NULL, &pids[1]), 0);
    send_rc[1] = sched_proc_send(pids[0], &m->hdr);
    send_rc[2] = sched_proc_send(SCHED_PID_NULL, &m->hdr);
    /* Out-of-range and future pids are refused, not misrouted. */
    send_rc[3] = sched_proc_send((uint64_t)1023 << 22 | 1, &m->hdr); /* no worker 1023 */
    send_rc[4] = sched_proc_send(pids[1] + ((uint64_t)7 << 32), &m->hdr);
    m->value = -1;
    cr_assert_eq(sched_proc_send(pids[1], &m->hdr), 0); /* stops ponger */
}

Test(sched_proc, pids_print_as_local_ids_and_the_first_ones_are_small)
{
    char buf[32];
    sched_proc_pid_text(SCHED_PID_NULL, buf, sizeof buf);
    cr_assert_str_eq(buf, "<0.0>");
    sched_proc_pid_text(1, buf, sizeof buf); /* worker 0, slot 0, first tenant */
    cr_assert_str_eq(buf, "<0.1>");
    sched_proc_pid_text((uint64_t)1 << 22 | 5, buf, sizeof buf); /* worker 1, slot 4 */
    cr_assert_str_eq(buf, "<0.4194309>");
}

Test(sched_proc, send_to_an_exited_process_fails_even_after_slot_reuse, .timeout = 10)
{
    trun(1, exited_main, NULL);
    cr_assert_eq(send_rc[0], -ESRCH);
    cr_assert_eq(send_rc[1], -ESRCH);
    cr_assert_eq(send_rc[2], -ESRCH);
    cr_assert_neq(pids[0], pids[1]);
    /* Same worker and slot, next generation. */
    cr_assert_eq((uint32_t)pids[0], (uint32_t)pids[1]);
    cr_assert_eq(pids[1] >> 32, (pids[0] >> 32) + 1);
    cr_assert_eq(send_rc[3], -ESRCH);
    cr_assert_eq(send_rc[4], -ESRCH);
}

/* ---- selective receive ---- */

static int64_t order[5];

static bool is_odd(sched_msg_t *m, void *data)
{
    (void)data;
    return ((tmsg_t *)m)->value % 2 != 0;
}

static void match_main(void *arg)
{
    (void)arg;
    sched_pid_t self = sched_proc_pid(sched_proc_current());
    int64_t vals[] = {2, 4, 5, 6, 7};
    for (int i = 0; i < 5; i++)
        tsend(self, vals[i]);
    for (int i = 0; i < 2; i++) {
        tmsg_t *m = (tmsg_t *)sched_proc_receive_match(-1, is_odd, NULL);
        order[i] = m->value;
        free(m);
    }
    cr_assert_null(sched_proc_receive_match(0, is_odd, NULL));
    cr_assert_null(sched_proc_receive_match(20, is_odd, NULL)); /* waits, times out */
    for (int i = 2; i < 5; i++)
        order[i] = trecv(0, NULL, NULL);
}

Test(sched_proc, receive_match_takes_the_oldest_match_and_keeps_the_rest, .timeout = 10)
{
    trun(1, match_main, NULL);
    int64_t want[] = {5, 7, 2, 4, 6};
    for (int i = 0; i < 5; i++)
        cr_assert_eq(order[i], want[i], "position %d", i);
}

/* ---- yield and preemption ---- */

static char trace[16];
static int trace_len;

static void tracer(void *arg)
{
    for (int i = 0; i < 3; i++) {
        trace[trace_len++] = *(char *)arg;
        sched_proc_yield();
    }
}

static void yield_main(void *arg)
{
    (void)arg;
    static char a = 'a', b = 'b';
    sched_proc_spawn(tracer, &a, NULL);
    sched_proc_spawn(tracer, &b, NULL);
}

Test(sched_proc, yield_runs_processes_round_robin, .timeout = 10)
{
    trun(1, yield_main, NULL);
    cr_assert_str_eq(trace, "ababab");
}

static volatile bool stop_spinning;
static long spins;

static void spinner(void *arg)
{
    (void)arg;
    sched_budget_t *b = &sched_proc_current()->budget;
    /* A loop that never yields by itself: only the emitted check can
     * preempt it (language.md 8.8). */
    while (!stop_spinning) {
        sched_proc_check(b);
        spins++;
    }
}

static void stopper(void *arg)
{
    (void)arg;
    stop_spinning = true;
}

static void preempt_main(void *arg)
{
    (void)arg;
    sched_proc_spawn(spinner, NULL, NULL);
    sched_proc_spawn(stopper, NULL, NULL);
}

Test(sched_proc, a_spinning_process_is_preempted_after_its_reductions, .timeout = 10)
{
    trun(1, preempt_main, NULL);
    cr_assert(stop_spinning);
    /* It ran exactly one full slice before the stopper got its turn. */
    cr_assert_eq(spins, SCHED_REDUCTIONS);
}

/* ---- stack overflow ---- */

static uintptr_t stack_top_seen, stack_overflow_at;

static void on_overflow(sched_proc_t *p)
{
    stack_overflow_at = (uintptr_t)__builtin_frame_address(0);
    cr_assert_lt(stack_overflow_at, p->budget.stack_limit + 4096);
    sched_proc_exit();
}

static volatile int depth_max = 1 << 30; /* never reached: overflow ends it */

static int recurse(sched_budget_t *b, int depth)
{
    volatile char pad[512];
    pad[0] = (char)depth;
    sched_proc_check(b);
    if (depth >= depth_max)
        return 0;
    return recurse(b, depth + 1) + pad[0];
}

static void deep_main(void *arg)
{
    (void)arg;
    stack_top_seen = (uintptr_t)__builtin_frame_address(0);
    recurse(&sched_proc_current()->budget, 0);
}

Test(sched_proc, stack_overflow_is_caught_by_the_check_with_at_least_256k_usable, .timeout = 10)
{
    sched_proc_set_overflow_cb(on_overflow);
    trun(1, deep_main, NULL);
    cr_assert_neq(stack_overflow_at, 0);
    cr_assert_geq(stack_top_seen - stack_overflow_at, (uintptr_t)256 * 1024, "used %zu",
                  (size_t)(stack_top_seen - stack_overflow_at));
}

static void deep_default(void *arg)
{
    (void)arg;
    recurse(&sched_proc_current()->budget, 0);
}

Test(sched_proc, stack_overflow_by_default_panics_the_program, .signal = SIGABRT, .timeout = 10)
{
    trun(1, deep_default, NULL);
}

/* ---- D27: blocked processes are discarded ---- */

static bool never(sched_msg_t *m, void *data)
{
    (void)m;
    (void)data;
    return false;
}

static void blocked_forever(void *arg)
{
    (void)arg;
    free(sched_proc_receive(-1));
    sched_proc_receive_match(-1, never, NULL); /* waits forever */
    counter = -1000;
}

static void discard_main(void *arg)
{
    (void)arg;
    for (int i = 0; i < 3; i++) {
        sched_pid_t p;
        sched_proc_spawn(blocked_forever, NULL, &p);
        tsend(p, 1);
        tsend(p, 2); /* 2 and 3 stay queued and are dropped at the end */
        tsend(p, 3);
    }
    counter = 1;
}

Test(sched_proc, processes_blocked_forever_are_discarded_at_the_end, .timeout = 10)
{
    trun(1, discard_main, NULL);
    cr_assert_eq(counter, 1);
    cr_assert_eq(atomic_load(&tmsg_dropped), 6);
}

/* ---- sleep ---- */

static int64_t slept_ns;
static int64_t after_sleep[3];

static void sleepy_main(void *arg)
{
    (void)arg;
    sched_pid_t self = sched_proc_pid(sched_proc_current());
    tsend(self, 1);
    uint64_t t0 = kern_timer_now_ns();
    sched_proc_sleep(40);
    slept_ns = (int64_t)(kern_timer_now_ns() - t0);
    tsend(self, 2);
    for (int i = 0; i < 3; i++)
        after_sleep[i] = trecv(0, NULL, NULL);
}

static void poke(void *arg)
{
    /* Messages during the sleep wake the process but do not end the sleep. */
    sched_pid_t to = *(sched_pid_t *)arg;
    for (int i = 0; i < 3; i++) {
        sched_proc_sleep(5);
        tmsg_t *m = tmsg_new(SCHED_PID_NULL, 100 + i);
        sched_proc_send(to, &m->hdr);
    }
}

static void sleepy_outer(void *arg)
{
    (void)arg;
    static sched_pid_t sleeper;
    sched_proc_spawn(sleepy_main, NULL, &sleeper);
    sched_proc_spawn(poke, &sleeper, NULL);
}

Test(sched_proc, sleep_waits_its_time_and_keeps_messages_queued, .timeout = 10)
{
    trun(1, sleepy_outer, NULL);
    cr_assert_geq(slept_ns, 40 * 1000000ll);
    cr_assert_lt(slept_ns, 1000 * 1000000ll);
    /* 1 was sent before the sleep; 100..102 during it; 2 after. */
    int64_t want[] = {1, 100, 101};
    for (int i = 0; i < 3; i++)
        cr_assert_eq(after_sleep[i], want[i], "position %d", i);
}

/* ---- resident memory after many processes ---- */

enum { BURST = 5000, TOUCH = 64 * 1024 };
static size_t rss_before, rss_peak, rss_after;
static atomic_int burst_left;

static size_t rss_now(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    unsigned long size = 0, resident = 0;
    if (f) {
        if (fscanf(f, "%lu %lu", &size, &resident) != 2)
            resident = 0;
        fclose(f);
    }
    return resident * (size_t)sysconf(_SC_PAGESIZE);
}

static void touch_stack(void *arg)
{
    sched_pid_t parent = *(sched_pid_t *)arg;
    volatile char buf[TOUCH];
    memset((char *)buf, 0x5a, sizeof buf); /* 64 KiB of this stack resident */
    tsend(parent, buf[7]);
    trecv(-1, NULL, NULL);
    if (atomic_fetch_sub(&burst_left, 1) == 1)
        tsend(parent, 0);
}

static void rss_main(void *arg)
{
    (void)arg;
    static sched_pid_t self;
    self = sched_proc_pid(sched_proc_current());
    sched_pid_t *pids = calloc(BURST, sizeof *pids);
    rss_before = rss_now();
    atomic_store(&burst_left, BURST);
    for (int i = 0; i < BURST; i++)
        cr_assert_eq(sched_proc_spawn(touch_stack, &self, &pids[i]), 0);
    for (int i = 0; i < BURST; i++)
        cr_assert_eq(trecv(-1, NULL, NULL), 0x5a);
    rss_peak = rss_now(); /* all 5,000 alive with 64 KiB of stack each */
    for (int i = 0; i < BURST; i++)
        tsend(pids[i], 1);
    cr_assert_eq(trecv(-1, NULL, NULL), 0);
    sched_proc_yield(); /* let the last one finish exiting */
    rss_after = rss_now();
    free(pids);
}

Test(sched_proc, resident_memory_drops_after_a_burst_of_processes_exits, .timeout = 60)
{
#if defined(__SANITIZE_ADDRESS__)
    /* ASan's shadow of every stack written at spawn stays resident. */
    cr_skip_test("RSS is not bounded under AddressSanitizer (stack shadow memory)");
#endif
    trun(1, rss_main, NULL);
    /* At the peak the stacks held ~5,000 x 64 KiB = 312 MiB; after the exits
     * only the pool's dirty and batch slots (2 x 256 x 64 KiB = 32 MiB) may
     * stay, plus the process structs (5,000 x 384 B). */
    cr_assert_gt(rss_peak - rss_before, (size_t)BURST * TOUCH * 9 / 10);
    size_t kept = rss_after > rss_before ? rss_after - rss_before : 0;
    cr_assert_lt(kept, (size_t)2 * SCHED_STACK_DIRTY_MAX_DEFAULT * TOUCH + (8u << 20),
                 "RSS still %zu KiB above the start", kept / 1024);
    cr_log_info("peak +%zu KiB, after exits +%zu KiB", (rss_peak - rss_before) / 1024, kept / 1024);
    sched_worker_stats_t st;
    sched_worker_last_stats(&st);
    cr_assert_eq(st.exited, BURST + 1);
}
