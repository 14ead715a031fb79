/* nopin.c: an LD_PRELOAD shim for perf/http/run.sh's "free" server
 * (issue 8). It makes sched_setaffinity a no-op, so bench_server's workers
 * stay on every CPU the process may use instead of one each, which is what
 * the sched/ option requested in docs/performance.md ("HTTP server", p99 at
 * 256 connections) would give. nginx and h2o do not pin by default; Go's
 * threads are not pinned. Only for the benchmark: a worker still believes
 * it is pinned (sched_worker_t.cpu), which nothing reads. */
#define _GNU_SOURCE 1
#include <sched.h>

int sched_setaffinity(pid_t pid, size_t size, const cpu_set_t *set);

int sched_setaffinity(pid_t pid, size_t size, const cpu_set_t *set)
{
    (void)pid;
    (void)size;
    (void)set;
    return 0;
}
