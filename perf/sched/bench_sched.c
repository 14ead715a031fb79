/* bench_sched: C-level scheduler benchmarks (issue 7, DESIGN 9).
 *
 *   spawn     1,000,000 processes each wait for one message; main sends to
 *             all and waits until all have exited (time, peak RSS)
 *   ring      10,000 processes pass a token 1,000,000 hops
 *   pingpong  1,000,000 round trips between two processes on one worker
 *   pingpong2 the same with the two processes on different workers
 *
 * Usage: bench_sched [spawn|ring|pingpong|pingpong2 ...] (default: all),
 * SNOW_CORES as usual (perf/sched/run.sh uses 2). Each benchmark runs in a
 * fresh child process so that its peak RSS is its own. Output, one line per
 * benchmark: name, ops, wall ms, wall ns per op, CPU ms of all threads,
 * peak RSS. On a shared machine the CPU time is the steadier figure. */
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kernel/alloc.h"
#include "sched/config.h"
#include "sched/proc.h"
#include "sched/worker.h"

typedef struct {
    sched_msg_t hdr;
    sched_pid_t from;
    int64_t value;
} msg_t;

static void msg_drop(sched_msg_t *m) { kern_free(m); }

static void send_value(sched_pid_t to, sched_pid_t from, int64_t value)
{
    msg_t *m = kern_alloc(sizeof *m);
    m->hdr.drop = msg_drop;
    m->from = from;
    m->value = value;
    if (sched_proc_send(to, &m->hdr) != 0) {
        fprintf(stderr, "bench_sched: send failed\n");
        abort();
    }
}

static int64_t recv_value(sched_pid_t *from)
{
    msg_t *m = (msg_t *)sched_proc_receive(-1);
    if (from)
        *from = m->from;
    int64_t v = m->value;
    kern_free(m);
    return v;
}

static sched_pid_t self_pid(void) { return sched_proc_pid(sched_proc_current()); }

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int64_t cpu_ns(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru); /* every thread: all workers */
    return ((int64_t)ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000 +
           ((int64_t)ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000;
}

static sched_pid_t main_pid;
static uint64_t t_start, t_mid, t_end;
static int64_t cpu_start, cpu_end;
static int64_t ops;

/* Marks the start / end of the timed region (wall and CPU time). */
static void mark_start(void)
{
    cpu_start = cpu_ns();
    t_start = now_ns();
}

static void mark_end(void)
{
    t_end = now_ns();
    cpu_end = cpu_ns();
}

/* ---- spawn ---- */

enum { SPAWN_N = 1000000 };
static atomic_long spawn_left;

static void spawn_child(void *arg)
{
    (void)arg;
    recv_value(NULL);
    /* acq_rel: the last child's message to main follows every exit count. */
    if (atomic_fetch_sub_explicit(&spawn_left, 1, memory_order_acq_rel) == 1)
        send_value(main_pid, SCHED_PID_NULL, 0);
}

static void spawn_main(void *arg)
{
    (void)arg;
    main_pid = self_pid();
    atomic_store_explicit(&spawn_left, SPAWN_N, memory_order_relaxed);
    sched_pid_t *pids = kern_alloc(sizeof *pids * SPAWN_N);
    mark_start();
    for (int i = 0; i < SPAWN_N; i++)
        if (sched_proc_spawn(spawn_child, NULL, &pids[i]) != 0)
            abort();
    t_mid = now_ns();
    for (int i = 0; i < SPAWN_N; i++)
        send_value(pids[i], main_pid, i);
    recv_value(NULL);
    mark_end();
    ops = SPAWN_N;
    kern_free(pids);
}

/* ---- ring ---- */

enum { RING_N = 10000, RING_HOPS = 1000000 };

static void ring_node(void *arg)
{
    (void)arg;
    sched_pid_t next = (sched_pid_t)recv_value(NULL); /* first message: the next pid */
    for (;;) {
        int64_t hops = recv_value(NULL);
        if (hops == 0) {
            send_value(main_pid, SCHED_PID_NULL, 0);
            continue;
        }
        send_value(next, SCHED_PID_NULL, hops - 1);
    }
}

static void ring_main(void *arg)
{
    (void)arg;
    main_pid = self_pid();
    sched_pid_t *pids = kern_alloc(sizeof *pids * RING_N);
    for (int i = 0; i < RING_N; i++)
        if (sched_proc_spawn(ring_node, NULL, &pids[i]) != 0)
            abort();
    for (int i = 0; i < RING_N; i++)
        send_value(pids[i], main_pid, (int64_t)pids[(i + 1) % RING_N]);
    mark_start();
    send_value(pids[0], main_pid, RING_HOPS);
    recv_value(NULL);
    mark_end();
    t_mid = t_end;
    ops = RING_HOPS;
    kern_free(pids);
    /* The ring stays blocked in receive; the run ends without it (D27). */
}

/* ---- ping-pong ---- */

enum { PINGPONG_N = 1000000 };

static void ponger(void *arg)
{
    (void)arg;
    send_value(main_pid, self_pid(), 0); /* hello, with our pid */
    for (;;) {
        sched_pid_t from;
        int64_t v = recv_value(&from);
        if (v < 0)
            return;
        send_value(from, SCHED_PID_NULL, v + 1);
    }
}

static void pingpong_run(uint32_t worker)
{
    main_pid = self_pid();
    sched_proc_spawn_on(worker, ponger, NULL);
    sched_pid_t pong;
    recv_value(&pong);
    mark_start();
    int64_t v = 0;
    for (int i = 0; i < PINGPONG_N; i++) {
        send_value(pong, main_pid, v);
        v = recv_value(NULL);
    }
    mark_end();
    t_mid = t_end;
    if (v != PINGPONG_N)
        abort();
    ops = PINGPONG_N;
    send_value(pong, main_pid, -1);
}

static void pingpong_main(void *arg)
{
    (void)arg;
    pingpong_run(0);
}

static void pingpong2_main(void *arg)
{
    (void)arg;
    pingpong_run(1);
}

/* ---- driver ---- */

typedef struct {
    const char *name;
    sched_proc_fn fn;
} bench_t;

static const bench_t benches[] = {
    {"spawn", spawn_main},
    {"ring", ring_main},
    {"pingpong", pingpong_main},
    {"pingpong2", pingpong2_main},
};

static int run_one(const bench_t *b)
{
    sched_config_t cfg;
    if (sched_config_from_env(&cfg) < 0) {
        fprintf(stderr, "bench_sched: bad SNOW_CORES\n");
        return 2;
    }
    int rc = sched_worker_run(&cfg, b->fn, NULL);
    if (rc < 0) {
        fprintf(stderr, "bench_sched: runtime failed: %s\n", strerror(-rc));
        return 1;
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double ms = (double)(t_end - t_start) / 1e6;
    printf("%-10s %8lld ops %9.1f ms %8.1f ns/op  cpu %9.1f ms  peak RSS %7.1f MiB", b->name,
           (long long)ops, ms, (double)(t_end - t_start) / (double)ops,
           (double)(cpu_end - cpu_start) / 1e6, (double)ru.ru_maxrss / 1024.0);
    if (t_mid != t_end)
        printf("  (spawn %.1f ms, send+exit %.1f ms)", (double)(t_mid - t_start) / 1e6,
               (double)(t_end - t_mid) / 1e6);
    printf("  cores %d\n", cfg.cores);
    fflush(stdout); /* the child leaves with _exit */
    return 0;
}

int main(int argc, char **argv)
{
    int status = 0;
    for (size_t i = 0; i < sizeof benches / sizeof benches[0]; i++) {
        bool wanted = argc < 2;
        for (int a = 1; a < argc; a++)
            wanted |= strcmp(argv[a], benches[i].name) == 0;
        if (!wanted)
            continue;
        fflush(stdout);
        pid_t child = fork();
        if (child == 0)
            _exit(run_one(&benches[i]));
        int st = 0;
        waitpid(child, &st, 0);
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
            fprintf(stderr, "bench_sched: %s failed (status %d)\n", benches[i].name, st);
            status = 1;
        }
    }
    return status;
}
