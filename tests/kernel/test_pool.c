/* Tests for kernel/pool.c (issue 6): blocking calls completing into a ring. */
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "kernel/pool.h"
#include "kernel/sock.h"
#include "tests/kernel/test_kernel.h"

TestSuite(kernel_pool, .init = ring_setup, .fini = ring_teardown, .timeout = 10);

static pthread_t ring_thread;
static int done;

typedef struct job_t {
    kern_pool_job_t job;
    int input;
    pthread_t ran_on;
} job_t;

static int square_slowly(void *arg)
{
    job_t *j = arg;
    j->ran_on = pthread_self();
    usleep(1000 * (unsigned)(j->input % 5));
    return j->input * j->input;
}

static void on_job(kern_ring_t *r, kern_op_t *op)
{
    cr_assert_eq(r, &ring);
    cr_assert(pthread_equal(pthread_self(), ring_thread), "callback off the ring thread");
    job_t *j = kern_container_of(op, job_t, job.op);
    cr_assert_eq(op->res, j->input * j->input);
    cr_assert_not(pthread_equal(j->ran_on, ring_thread), "job ran on the ring thread");
    done++;
}

Test(kernel_pool, jobs_run_off_the_ring_and_complete_into_it)
{
    ring_thread = pthread_self();
    kern_pool_t pool;
    cr_assert_eq(kern_pool_init(&pool, 3), 0);
    enum { N = 40 };
    job_t jobs[N];
    memset(jobs, 0, sizeof jobs);
    for (int i = 0; i < N; i++) {
        jobs[i].input = i;
        cr_assert_eq(kern_pool_submit(&pool, &ring, &jobs[i].job, square_slowly, &jobs[i], on_job),
                     0);
    }
    cr_assert_eq(kern_ring_in_flight(&ring), N);
    RUN_UNTIL(&ring, done == N);
    kern_pool_destroy(&pool);
}

Test(kernel_pool, thread_count_is_checked)
{
    kern_pool_t pool;
    cr_assert_eq(kern_pool_init(&pool, 0), -EINVAL);
    cr_assert_eq(kern_pool_init(&pool, KERN_POOL_THREADS_MAX + 1), -EINVAL);
}

static int resolved, resolve_res;
static void on_resolved(kern_ring_t *r, kern_op_t *op)
{
    (void)r;
    resolved++;
    resolve_res = op->res;
}

Test(kernel_pool, resolve_finds_localhost_and_reports_missing_names)
{
    kern_pool_t pool;
    cr_assert_eq(kern_pool_init(&pool, 1), 0);
    kern_sock_resolve_t r = {0};
    cr_assert_eq(kern_sock_resolve(&pool, &ring, &r, "localhost", 8080, AF_INET, on_resolved), 0);
    RUN_UNTIL(&ring, resolved == 1);
    cr_assert_eq(resolve_res, 0);
    cr_assert_eq(r.addr.u.sa.sa_family, AF_INET);
    cr_assert_eq(kern_sock_addr_port(&r.addr), 8080);
    cr_assert_eq(ntohl(r.addr.u.in4.sin_addr.s_addr), INADDR_LOOPBACK);
    cr_assert_eq(
        kern_sock_resolve(&pool, &ring, &r, "no-such-host.invalid", 1, AF_UNSPEC, on_resolved), 0);
    RUN_UNTIL(&ring, resolved == 2);
    cr_assert(resolve_res == -ENOENT || resolve_res == -EAGAIN, "res %d", resolve_res);
    kern_pool_destroy(&pool);
}
