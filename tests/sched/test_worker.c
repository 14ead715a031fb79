/* Tests for sched/worker.c with two workers: cross-core sends wake a
 * sleeping worker, an idle runtime sleeps in the kernel, 100,000 processes
 * each receive one message, cross-core ping-pong, and the end of the run
 * with processes blocked on both workers (DESIGN 5, D27, issue 7). */
#include <stdint.h>
#include <sys/resource.h>
#include <unistd.h>

#include "kernel/timer.h"
#include "tests/sched/sched_test.h"

static sched_pid_t main_pid;
static atomic_long count, sum;
static atomic_int worker_of_child = -1;

static void echo(void *arg)
{
    (void)arg;
    atomic_store(&worker_of_child, (int)sched_worker_self()->index);
    tsend(main_pid, 0); /* announces its pid */
    for (;;) {
        sched_pid_t from;
        int64_t v = trecv(-1, &from, NULL);
        if (v < 0)
            return;
        tsend(from, v + 1);
    }
}

/* Spawns echo on worker 1 and returns its pid. */
static sched_pid_t echo_on_worker_1(void)
{
    main_pid = sched_proc_pid(sched_proc_current());
    cr_assert_eq(sched_proc_spawn_on(1, echo, NULL), 0);
    sched_pid_t pid;
    cr_assert_eq(trecv(5000, &pid, NULL), 0);
    return pid;
}

static int64_t reply;

static void wake_main(void *arg)
{
    (void)arg;
    sched_pid_t echo_pid = echo_on_worker_1();
    trecv(50, NULL, NULL); /* both workers go to sleep */
    tsend(echo_pid, 41);
    reply = trecv(5000, NULL, NULL);
    tsend(echo_pid, -1);
}

Test(sched_worker, cross_core_send_wakes_a_sleeping_worker, .timeout = 10)
{
    trun(2, wake_main, NULL);
    cr_assert_eq(reply, 42);
    cr_assert_eq(atomic_load(&worker_of_child), 1);
    sched_worker_stats_t st;
    sched_worker_last_stats(&st);
    cr_assert_geq(st.sleeps, 2);
    cr_assert_geq(st.wakes_sent, 1); /* worker 1 slept through the 50 ms */
}

static long idle_cpu_us;

static long cpu_us(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru); /* every thread of the test process */
    return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000L + ru.ru_utime.tv_usec +
           ru.ru_stime.tv_usec;
}

static void idle_main(void *arg)
{
    (void)arg;
    sched_pid_t echo_pid = echo_on_worker_1();
    long before = cpu_us();
    trecv(200, NULL, NULL);
    idle_cpu_us = cpu_us() - before;
    tsend(echo_pid, -1);
}

Test(sched_worker, idle_workers_sleep_in_the_kernel, .timeout = 10)
{
    trun(2, idle_main, NULL);
    /* 200 ms of idleness on two workers costs (almost) no CPU time. */
    cr_assert_lt(idle_cpu_us, 10000, "idle CPU %ld us", idle_cpu_us);
}

enum { MANY = 100000 };

static void receive_one(void *arg)
{
    (void)arg;
    if (sched_proc_current()->worker->index != 0)
        tsend(main_pid, 0); /* announce: spawned by request, no pid known */
    int64_t v = trecv(-1, NULL, NULL);
    atomic_fetch_add(&sum, v);
    atomic_fetch_add(&count, 1);
}

static void many_main(void *arg)
{
    (void)arg;
    main_pid = sched_proc_pid(sched_proc_current());
    sched_pid_t *pids = calloc(MANY, sizeof *pids);
    cr_assert_not_null(pids);
    /* Half here, half on worker 1 (those send us their pids). */
    for (int i = 0; i < MANY / 2; i++)
        cr_assert_eq(sched_proc_spawn(receive_one, NULL, &pids[i]), 0);
    for (int i = MANY / 2; i < MANY; i++)
        cr_assert_eq(sched_proc_spawn_on(1, receive_one, NULL), 0);
    for (int i = MANY / 2; i < MANY; i++) {
        int64_t v = trecv(20000, &pids[i], NULL);
        cr_assert_eq(v, 0, "announcement %d of %d", i - MANY / 2, MANY / 2);
    }
    for (int i = 0; i < MANY; i++)
        tsend(pids[i], i + 1);
    free(pids);
}

Test(sched_worker, hundred_thousand_processes_each_receive_one_message, .timeout = 120)
{
    trun(2, many_main, NULL);
    cr_assert_eq(atomic_load(&count), MANY);
    cr_assert_eq(atomic_load(&sum), (long)MANY * (MANY + 1) / 2);
    sched_worker_stats_t st;
    sched_worker_last_stats(&st);
    cr_assert_eq(st.spawned, MANY + 1);
    cr_assert_eq(st.exited, MANY + 1);
}

enum { ROUND_TRIPS = 20000 };
static int64_t last;

static void pingpong_main(void *arg)
{
    (void)arg;
    sched_pid_t echo_pid = echo_on_worker_1();
    int64_t v = 0;
    for (int i = 0; i < ROUND_TRIPS; i++) {
        tsend(echo_pid, v);
        v = trecv(5000, NULL, NULL);
        cr_assert_eq(v, i + 1);
    }
    last = v;
    tsend(echo_pid, -1);
}

Test(sched_worker, cross_core_ping_pong_loses_no_wake_up, .timeout = 30)
{
    trun(2, pingpong_main, NULL);
    cr_assert_eq(last, ROUND_TRIPS);
    cr_assert_eq(atomic_load(&worker_of_child), 1);
}

static void block(void *arg)
{
    (void)arg;
    if (sched_worker_self()->index != 0)
        tsend(main_pid, 0);
    sched_proc_receive(-1);
    atomic_fetch_add(&count, 1000); /* never: nobody sends */
}

static void blocked_main(void *arg)
{
    (void)arg;
    main_pid = sched_proc_pid(sched_proc_current());
    for (int i = 0; i < 10; i++) {
        sched_proc_spawn(block, NULL, NULL);
        sched_proc_spawn_on(1, block, NULL);
    }
    for (int i = 0; i < 10; i++)
        trecv(5000, NULL, NULL);
    atomic_fetch_add(&count, 1);
}

Test(sched_worker, run_ends_when_every_process_on_every_worker_is_blocked, .timeout = 10)
{
    trun(2, blocked_main, NULL);
    cr_assert_eq(atomic_load(&count), 1);
    sched_worker_stats_t st;
    sched_worker_last_stats(&st);
    cr_assert_eq(st.spawned, 21);
    cr_assert_eq(st.exited, 1);
}

/* ---- races between timers, senders on another core and foreign threads ---- */

enum { SENDERS = 4, PER_SENDER = 5000 };
static long stress_got, stress_timeouts;
static bool stress_in_order = true;

static void stress_sender(void *arg)
{
    sched_pid_t to = *(sched_pid_t *)arg;
    int64_t me = (int64_t)sched_proc_current()->slot;
    for (int i = 0; i < PER_SENDER; i++) {
        tsend(to, me << 32 | i);
        if (i % 64 == 0)
            sched_proc_yield();
        if (i % 1000 == 999)
            sched_proc_receive(3); /* pause: the receiver's timer fires */
    }
}

static void stress_receiver(void *arg)
{
    (void)arg;
    static sched_pid_t self;
    self = sched_proc_pid(sched_proc_current());
    for (int i = 0; i < SENDERS; i++)
        sched_proc_spawn_on(0, stress_sender, &self);
    /* Per-sender next sequence number, keyed by the sender's slot. */
    int64_t keys[SENDERS] = {-1, -1, -1, -1}, next[SENDERS] = {0};
    while (stress_got < SENDERS * PER_SENDER) {
        bool to;
        int64_t v = trecv(1, NULL, &to); /* 1 ms: timers race the senders */
        if (to) {
            stress_timeouts++;
            continue;
        }
        int k = 0;
        while (keys[k] != (v >> 32) && keys[k] != -1)
            k++;
        keys[k] = v >> 32;
        if ((v & 0xffffffff) != next[k]++)
            stress_in_order = false;
        stress_got++;
    }
}

static void stress_main(void *arg)
{
    (void)arg;
    sched_proc_spawn_on(1, stress_receiver, NULL);
}

Test(sched_worker, timed_receives_race_cross_core_senders_without_loss, .timeout = 60)
{
    trun(2, stress_main, NULL);
    cr_assert_eq(stress_got, SENDERS * PER_SENDER);
    cr_assert(stress_in_order);
    /* Usually > 0 (the senders pause together), but not guaranteed. */
    cr_log_info("receive timeouts during the run: %ld", stress_timeouts);
}

static sched_pid_t foreign_target;
static long foreign_got;

static void *foreign_thread(void *arg)
{
    (void)arg;
    for (int i = 0; i < 1000; i++) {
        tmsg_t *m = tmsg_new(SCHED_PID_NULL, i);
        cr_assert_eq(sched_proc_send(foreign_target, &m->hdr), 0);
        if (i % 100 == 0)
            usleep(1000); /* let the worker fall asleep now and then */
    }
    return NULL;
}

static void foreign_main(void *arg)
{
    (void)arg;
    foreign_target = sched_proc_pid(sched_proc_current());
    pthread_t t;
    cr_assert_eq(pthread_create(&t, NULL, foreign_thread, NULL), 0);
    /* Timed waits keep the runtime awake: a foreign thread does not. */
    for (int i = 0; i < 1000; i++) {
        bool to = true;
        int64_t v = -1;
        while (to)
            v = trecv(100, NULL, &to);
        if (v == i)
            foreign_got++;
    }
    pthread_join(t, NULL); /* blocks this worker briefly; fine in a test */
}

Test(sched_worker, a_thread_outside_the_runtime_can_send_and_wake, .timeout = 30)
{
    trun(1, foreign_main, NULL);
    cr_assert_eq(foreign_got, 1000);
}

/* ---- sends racing the target's exit ---- */

enum { TARGETS = 200, TAKE = 20, ROUNDS_MAX = 5000 };
static sched_pid_t targets[TARGETS];
static atomic_long sent, delivered, refused, consumed;

static void short_lived(void *arg)
{
    (void)arg;
    tsend(main_pid, 0); /* announce */
    for (int i = 0; i < TAKE; i++) {
        free(sched_proc_receive(-1));
        atomic_fetch_add(&consumed, 1);
    }
    /* Exits with messages still arriving from the other core. */
}

/* Sends to every other target, round after round, until each of them has
 * refused a message (it exited). */
static void racing_sender(void *arg)
{
    int first = *(int *)arg;
    bool gone[TARGETS] = {false};
    int gone_count = 0;
    for (int r = 0; r < ROUNDS_MAX && gone_count < TARGETS / 2; r++) {
        for (int t = first; t < TARGETS; t += 2) {
            if (gone[t])
                continue;
            tmsg_t *m = tmsg_new(SCHED_PID_NULL, r);
            atomic_fetch_add(&sent, 1);
            if (sched_proc_send(targets[t], &m->hdr) == 0) {
                atomic_fetch_add(&delivered, 1);
            } else {
                atomic_fetch_add(&refused, 1);
                free(m);
                gone[t] = true;
                gone_count++;
            }
        }
        if (r % 8 == 7)
            sched_proc_sleep(1); /* let the other core catch up */
        else
            sched_proc_yield();
    }
}

static void exit_race_main(void *arg)
{
    (void)arg;
    main_pid = sched_proc_pid(sched_proc_current());
    for (int i = 0; i < TARGETS; i++)
        sched_proc_spawn_on(1, short_lived, NULL);
    for (int i = 0; i < TARGETS; i++)
        trecv(10000, &targets[i], NULL);
    static int halves[2] = {0, 1};
    sched_proc_spawn(racing_sender, &halves[0], NULL);
    sched_proc_spawn(racing_sender, &halves[1], NULL);
}

Test(sched_worker, sends_racing_an_exit_are_delivered_or_refused_never_lost, .timeout = 60)
{
    trun(2, exit_race_main, NULL);
    cr_assert_eq(atomic_load(&delivered) + atomic_load(&refused), atomic_load(&sent));
    cr_assert_eq(atomic_load(&consumed), (long)TARGETS * TAKE);
    /* Every delivered message was either taken or dropped at exit. */
    cr_assert_eq(atomic_load(&delivered), atomic_load(&consumed) + atomic_load(&tmsg_dropped));
    cr_assert_eq(atomic_load(&refused), TARGETS); /* each target exited */
}

/* Criterion's runner (criterion_run_all_tests) leaks a 48-byte record when
 * two of these longer tests finish close together under --jobs 2; that is
 * not our memory, so LeakSanitizer is told to ignore the library. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void) { return "leak:libcriterion.so\n"; }
