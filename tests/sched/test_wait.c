/* Tests for external waits (D27, DESIGN 5; issue 7): a parked process and a
 * registered external wait keep the runtime alive until they end, and
 * sched_proc_run_blocking parks only the calling process while the worker
 * runs the others. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <unistd.h>

#include "kernel/pool.h"
#include "kernel/timer.h"
#include "tests/sched/sched_test.h"

#define MS 1000000ll

static int64_t waited_ns;
static sched_proc_t *parked;

static void on_unpark_timer(kern_ring_t *ring, kern_timer_t *t)
{
    (void)ring;
    (void)t;
    sched_proc_unpark(parked);
}

static void park_main(void *arg)
{
    (void)arg;
    static kern_timer_t timer;
    parked = sched_proc_current();
    uint64_t t0 = kern_timer_now_ns();
    /* Stands in for an I/O completion on this worker's ring. */
    kern_timer_start(&sched_worker_self()->ring, &timer, 30 * MS, on_unpark_timer);
    sched_proc_park(); /* nothing else runs: only the park keeps us alive */
    waited_ns = (int64_t)(kern_timer_now_ns() - t0);
}

Test(sched_wait, a_parked_process_keeps_the_runtime_alive_until_unparked, .timeout = 10)
{
    trun(1, park_main, NULL);
    cr_assert_geq(waited_ns, 30 * MS);
}

static kern_pool_t pool;
static int blocking_rc;
static atomic_int ticks;
static atomic_bool blocking_done;

/* A blocking call (getaddrinfo, SQLite) that returns once the ticker has
 * run 3 times: only possible if the worker runs it while the caller is
 * parked. Gives up (-1) after 5 s. */
static int slow_call(void *arg)
{
    (void)arg;
    for (int i = 0; i < 5000; i++) {
        if (atomic_load(&ticks) >= 3)
            return 7;
        usleep(1000);
    }
    return -1;
}

static void ticker(void *arg)
{
    (void)arg;
    while (!atomic_load(&blocking_done)) {
        atomic_fetch_add(&ticks, 1);
        sched_proc_sleep(1);
    }
}

static void blocking_main(void *arg)
{
    (void)arg;
    cr_assert_eq(sched_proc_spawn(ticker, NULL, NULL), 0);
    blocking_rc = sched_proc_run_blocking(&pool, slow_call, NULL);
    atomic_store(&blocking_done, true);
}

Test(sched_wait, run_blocking_parks_only_the_caller, .timeout = 10)
{
    cr_assert_eq(kern_pool_init(&pool, 2), 0);
    trun(1, blocking_main, NULL);
    kern_pool_destroy(&pool);
    cr_assert_eq(blocking_rc, 7); /* the worker ran the ticker meanwhile */
    cr_assert_geq(atomic_load(&ticks), 3);
}

/* A wait outside any process (a plain thread stands in for a database
 * pool) ends with a send; the receiver blocks in an untimed receive. */
static sched_pid_t receiver;
static int64_t got;
static int64_t during_count;

static void *outside(void *arg)
{
    (void)arg;
    usleep(50 * 1000);
    tmsg_t *m = tmsg_new(0, 99);
    cr_assert_eq(sched_proc_send(receiver, &m->hdr), 0);
    sched_external_wait_end();
    return NULL;
}

static void external_main(void *arg)
{
    (void)arg;
    receiver = sched_proc_pid(sched_proc_current());
    sched_external_wait_begin();
    during_count = sched_external_wait_count();
    pthread_t t;
    cr_assert_eq(pthread_create(&t, NULL, outside, NULL), 0);
    pthread_detach(t);
    got = trecv(-1, NULL, NULL); /* without the wait the run would end here */
}

Test(sched_wait, an_external_wait_keeps_an_untimed_receiver_alive, .timeout = 10)
{
    trun(1, external_main, NULL);
    cr_assert_eq(during_count, 1);
    cr_assert_eq(got, 99);
}
