/* Tests for kernel/ring.c, kernel/probe.c and kernel/alloc.c (issue 6). */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/ring.h"
#include "kernel/wake.h"
#include "tests/kernel/test_kernel.h"

/* Huge requests must reach our abort path under ASan too. */
const char *__asan_default_options(void);
const char *__asan_default_options(void) { return "allocator_may_return_null=1"; }

TestSuite(kernel_ring, .init = ring_setup, .fini = ring_teardown, .timeout = 10);
TestSuite(kernel_probe, .timeout = 10);
TestSuite(kernel_alloc, .timeout = 10);

Test(kernel_probe, finds_the_baseline_features_of_this_kernel)
{
    kern_probe_t p;
    cr_assert_eq(kern_probe_run(&p), 0);
    cr_assert_neq(p.release[0], '\0');
    /* Linux 6.18 runs these tests; every feature is there (see probe.h). */
    cr_assert_eq(p.found & KERN_FEAT_BUF_RING, KERN_FEAT_BUF_RING);
    cr_assert_eq(p.features & ~p.found, 0u, "uses a feature it did not find");
    cr_assert_eq(p.features & p.masked, 0u, "uses a masked feature");
}

static void clear_uring_env(void)
{
    static const char *const names[] = {"SNOW_URING_BASELINE",
                                        "SNOW_URING_NO_MULTISHOT",
                                        "SNOW_URING_NO_SINGLE_ISSUER",
                                        "SNOW_URING_NO_DEFER_TASKRUN",
                                        "SNOW_URING_NO_COOP_TASKRUN",
                                        "SNOW_URING_NO_REG_RING_FD",
                                        "SNOW_URING_NO_MULTISHOT_ACCEPT",
                                        "SNOW_URING_NO_MULTISHOT_RECV",
                                        "SNOW_URING_NO_BUF_RING",
                                        "SNOW_URING_NO_MSG_RING",
                                        "SNOW_URING_NO_REG_FILES",
                                        "SNOW_URING_NO_SEND_ZC",
                                        "SNOW_URING_NO_DIRECT_SEND",
                                        "SNOW_URING_NO_BUF_WINDOW"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        unsetenv(names[i]);
}

Test(kernel_probe, env_variables_mask_features)
{
    clear_uring_env(); /* the masked CTest runs set some of these */
    setenv("SNOW_URING_NO_MULTISHOT", "1", 1);
    setenv("SNOW_URING_NO_SEND_ZC", "0", 1);
    uint32_t m = kern_probe_env_mask();
    cr_assert_eq(m, KERN_FEAT_MULTISHOT_ACCEPT | KERN_FEAT_MULTISHOT_RECV);
    setenv("SNOW_URING_BASELINE", "1", 1);
    cr_assert_eq(kern_probe_env_mask(), (uint32_t)KERN_FEAT_ALL);
    kern_probe_t p;
    cr_assert_eq(kern_probe_run(&p), 0);
    cr_assert_eq(p.features, 0u);
    cr_assert_eq(p.masked, p.found);
}

Test(kernel_probe, dependencies_drop_features_that_cannot_work)
{
    uint32_t f = KERN_FEAT_DEFER_TASKRUN | KERN_FEAT_MULTISHOT_RECV | KERN_FEAT_SEND_ZC;
    cr_assert_eq(kern_probe_closure(f), (uint32_t)KERN_FEAT_SEND_ZC);
    cr_assert_str_eq(kern_probe_feature_name(KERN_FEAT_MSG_RING), "MSG_RING");
    cr_assert_str_eq(kern_probe_feature_name(3), "?");
}

Test(kernel_alloc, counts_live_blocks)
{
    int64_t before = kern_alloc_live_count();
    void *a = kern_alloc(10);
    void *b = kern_calloc(4, 8);
    void *c = kern_alloc_aligned(4096, 100);
    cr_assert_eq(((uintptr_t)c) % 4096, 0u);
    cr_assert_eq(((uint64_t *)b)[3], 0u);
    a = kern_realloc(a, 1 << 20);
    cr_assert_eq(kern_alloc_live_count(), before + 3);
    kern_free(a);
    kern_free(b);
    kern_free(c);
    kern_free(NULL);
    cr_assert_eq(kern_alloc_live_count(), before);
}

Test(kernel_alloc, failure_aborts_with_a_message, .signal = SIGABRT)
{
    kern_alloc((size_t)1 << 62);
}

Test(kernel_alloc, uses_jemalloc_outside_sanitizer_builds)
{
#if defined(SNOW_USE_SANITIZE)
    cr_assert_str_eq(kern_alloc_backend(), "libc");
#else
    cr_assert_str_eq(kern_alloc_backend(), "jemalloc");
#endif
}

static int calls;
static void count_cb(kern_ring_t *r, kern_op_t *op)
{
    cr_assert_eq(r, &ring);
    cr_assert_eq(op->flags, 0u);
    calls++;
}

Test(kernel_ring, nop_runs_its_callback_exactly_once)
{
    kern_op_t op = {0};
    cr_assert_eq(kern_ring_nop(&ring, &op, count_cb), 0);
    cr_assert(kern_op_pending(&op));
    cr_assert_eq(kern_ring_in_flight(&ring), 1);
    RUN_UNTIL(&ring, calls == 1);
    cr_assert_eq(op.res, 0);
    cr_assert_eq(kern_ring_run(&ring, 20000000), 0);
    cr_assert_eq(calls, 1);
}

Test(kernel_ring, full_submission_queue_is_flushed_not_dropped)
{
    kern_ring_destroy(&ring);
    kern_ring_opts_t o = {.entries = 8};
    cr_assert_eq(kern_ring_init(&ring, &o), 0);
    /* 300 ops on an 8-entry SQ and a 32-entry CQ: the SQ fills and the CQ
     * overflows before the first run; every callback must still come. */
    static kern_op_t ops[300];
    for (int i = 0; i < 300; i++)
        cr_assert_eq(kern_ring_nop(&ring, &ops[i], count_cb), 0);
    RUN_UNTIL(&ring, calls == 300);
    cr_assert_eq(kern_ring_in_flight(&ring), 0);
    /* The counters saw it: 300 nops plus the wake eventfd's read. */
    cr_assert_eq(ring.stats.sqes, 301u);
    cr_assert_eq(ring.stats.callbacks, 300u);
    cr_assert_eq(ring.stats.cqes, 300u);
    cr_assert_gt(ring.stats.sq_full, 0u);
    cr_assert_geq(ring.stats.enters, 300u / 8);
}

static void etime_cb(kern_ring_t *r, kern_op_t *op)
{
    (void)r;
    cr_assert_eq(op->res, -ETIME);
    calls++;
}

Test(kernel_ring, timeout_op_completes_with_etime)
{
    kern_op_t op = {0};
    uint64_t t0 = kern_timer_now_ns();
    cr_assert_eq(kern_ring_timeout(&ring, &op, 20000000, etime_cb), 0);
    RUN_UNTIL(&ring, calls == 1);
    cr_assert_geq(kern_timer_now_ns() - t0, 20000000u);
}

static void cancelled_cb(kern_ring_t *r, kern_op_t *op)
{
    (void)r;
    cr_assert_eq(op->res, -ECANCELED);
    calls++;
}

Test(kernel_ring, cancel_stops_a_pending_op)
{
    kern_op_t op = {0};
    cr_assert_eq(kern_ring_timeout(&ring, &op, 10000000000, cancelled_cb), 0);
    cr_assert_eq(kern_ring_run(&ring, 0), 0);
    cr_assert_eq(kern_op_cancel(&ring, &op), 0);
    RUN_UNTIL(&ring, calls == 1);
    kern_op_t idle = {0};
    cr_assert_eq(kern_op_cancel(&ring, &idle), -ENOENT);
}

static void count_cb_any(kern_ring_t *r, kern_op_t *op)
{
    (void)r;
    (void)op;
    calls++;
}

static void restart_cb(kern_ring_t *r, kern_op_t *op)
{
    if (++calls < 5)
        cr_assert_eq(kern_ring_nop(r, op, restart_cb), 0);
}

Test(kernel_ring, callback_may_restart_its_own_op)
{
    kern_op_t op = {0};
    cr_assert_eq(kern_ring_nop(&ring, &op, restart_cb), 0);
    RUN_UNTIL(&ring, calls == 5);
}

/* ---- cross-thread wake ---- */

static atomic_int wakes;
static void wake_cb(kern_ring_t *r, void *data)
{
    cr_assert_eq(r, &ring);
    cr_assert_eq(data, &wakes);
    atomic_fetch_add(&wakes, 1);
}

static void wake_cb_any(kern_ring_t *r, void *data)
{
    (void)r;
    (void)data;
    atomic_fetch_add(&wakes, 1);
}

struct waker {
    bool use_ring;
    int rc;
};

static void *waker_main(void *arg)
{
    struct waker *w = arg;
    kern_ring_t own;
    kern_ring_t *from = NULL;
    if (w->use_ring) {
        cr_assert_eq(kern_ring_init(&own, NULL), 0);
        from = &own;
    }
    w->rc = kern_ring_wake(&ring, from);
    if (from)
        kern_ring_destroy(from);
    return NULL;
}

static void wake_once_from(bool use_ring)
{
    kern_ring_set_wake_cb(&ring, wake_cb, &wakes);
    struct waker w = {.use_ring = use_ring};
    pthread_t t;
    pthread_create(&t, NULL, waker_main, &w);
    /* Waits without a timeout: only the wake can end this run. */
    while (atomic_load(&wakes) == 0)
        cr_assert_geq(kern_ring_run(&ring, -1), 0);
    pthread_join(t, NULL);
    cr_assert_eq(w.rc, 0);
    cr_assert_eq(atomic_load(&wakes), 1);
}

Test(kernel_ring, wake_from_a_thread_without_a_ring_uses_the_eventfd) { wake_once_from(false); }

Test(kernel_ring, wake_from_another_ring_uses_msg_ring)
{
    require_feature(&ring, KERN_FEAT_MSG_RING);
    wake_once_from(true);
}

Test(kernel_ring, wakes_coalesce_until_the_ring_runs)
{
    kern_ring_set_wake_cb(&ring, wake_cb, &wakes);
    for (int i = 0; i < 10; i++)
        cr_assert_eq(kern_ring_wake(&ring, NULL), 0);
    RUN_UNTIL(&ring, atomic_load(&wakes) == 1);
    cr_assert_eq(kern_ring_run(&ring, 20000000), 0);
    cr_assert_eq(atomic_load(&wakes), 1);
    cr_assert_eq(kern_ring_wake(&ring, NULL), 0);
    RUN_UNTIL(&ring, atomic_load(&wakes) == 2);
}

Test(kernel_ring, failed_msg_ring_wake_falls_back_to_the_eventfd)
{
    kern_ring_set_wake_cb(&ring, wake_cb, &wakes);
    /* What the sender's dispatcher does with a failure CQE (-EOVERFLOW when
     * the target's CQ is full): the wake must still arrive. */
    atomic_store(&ring._wake_pending, true);
    kern_wake_on_send_failed_(&ring._wake_fail_op, -EOVERFLOW);
    RUN_UNTIL(&ring, atomic_load(&wakes) == 1);
}

Test(kernel_probe, print_names_every_feature_and_its_state)
{
    clear_uring_env();
    setenv("SNOW_URING_NO_SEND_ZC", "1", 1);
    kern_probe_t p;
    cr_assert_eq(kern_probe_run(&p), 0);
    char text[2048] = {0};
    FILE *f = fmemopen(text, sizeof text - 1, "w");
    kern_probe_print(&p, f);
    fclose(f);
    cr_assert_not_null(strstr(text, "snow kernel probe: Linux "));
    for (int i = 0; i < KERN_FEAT_COUNT_; i++)
        cr_assert_not_null(strstr(text, kern_probe_feature_name(1u << i)), "missing %s",
                           kern_probe_feature_name(1u << i));
    if (p.found & KERN_FEAT_SEND_ZC)
        cr_assert_not_null(strstr(text, "SEND_ZC           masked by env"), "%s", text);
}

Test(kernel_ring, feature_mask_in_code_selects_the_fallbacks)
{
    kern_ring_t r2;
    kern_ring_opts_t o = {.feature_mask = KERN_FEAT_ALL};
    cr_assert_eq(kern_ring_init(&r2, &o), 0);
    cr_assert_eq(r2.features, 0u);
    /* A ring with nothing optional still runs ops and wakes. */
    kern_op_t op = {0};
    cr_assert_eq(kern_ring_nop(&r2, &op, count_cb_any), 0);
    while (calls == 0)
        cr_assert_geq(kern_ring_run(&r2, 1000000000), 0);
    cr_assert_eq(kern_ring_wake(&r2, &ring), 0); /* MSG_RING if ring has it, else eventfd */
    kern_ring_set_wake_cb(&r2, wake_cb_any, NULL);
    while (atomic_load(&wakes) == 0)
        cr_assert_geq(kern_ring_run(&r2, 1000000000), 0);
    kern_ring_destroy(&r2);
}

/* ---- wake-ups under contention: none may be lost ---- */

enum { STRESS_THREADS = 4, STRESS_WAKES = 3000 };
static atomic_int produced, consumed;

static void drain_cb(kern_ring_t *r, void *data)
{
    (void)r;
    (void)data;
    atomic_store(&consumed, atomic_load(&produced));
}

static void *stress_main(void *arg)
{
    bool use_ring = arg != NULL;
    kern_ring_t own;
    if (use_ring)
        cr_assert_eq(kern_ring_init(&own, NULL), 0);
    for (int i = 0; i < STRESS_WAKES; i++) {
        /* Publish, then wake: the order the scheduler uses for its queue. */
        atomic_fetch_add(&produced, 1);
        cr_assert_eq(kern_ring_wake(&ring, use_ring ? &own : NULL), 0);
        if (use_ring && i % 64 == 0)
            kern_ring_run(&own, 0); /* reap MSG_RING failures, if any */
    }
    if (use_ring) {
        kern_ring_run(&own, 0);
        kern_ring_destroy(&own);
    }
    return NULL;
}

Test(kernel_ring, no_wake_is_lost_under_contention)
{
    kern_ring_set_wake_cb(&ring, drain_cb, NULL);
    pthread_t t[STRESS_THREADS];
    for (int i = 0; i < STRESS_THREADS; i++)
        pthread_create(&t[i], NULL, stress_main, i % 2 ? (void *)1 : NULL);
    /* Sleeps without a timeout: a lost wake would hang here (and fail by
     * the test timeout) once the producers are done. */
    while (atomic_load(&consumed) < STRESS_THREADS * STRESS_WAKES)
        cr_assert_geq(kern_ring_run(&ring, -1), 0);
    for (int i = 0; i < STRESS_THREADS; i++)
        pthread_join(t[i], NULL);
    cr_assert_eq(atomic_load(&consumed), STRESS_THREADS * STRESS_WAKES);
}

/* Callbacks that start more ops than the SQ and CQ hold: taking SQEs
 * flushes the SQ mid-dispatch (nops complete during the submit) while the
 * turn's CQEs are still being dispatched from the CQ, and the CQ overflows
 * onto the kernel's overflow list. Every callback must still run once, in
 * the order the ops were started (nops complete in order). (This kernel
 * never answers such a submit with -EBUSY, so ring.c's backlog path is not
 * reached here.) */
enum { CHAIN_TOTAL = 2000 };
static kern_op_t chain_ops[CHAIN_TOTAL];
static int chain_started, chain_next;

static void chain_cb(kern_ring_t *r, kern_op_t *op)
{
    int idx = (int)(op - chain_ops);
    cr_assert_eq(idx, chain_next, "callback %d ran when %d was due", idx, chain_next);
    chain_next++;
    for (int k = 0; k < 3 && chain_started < CHAIN_TOTAL; k++)
        cr_assert_eq(kern_ring_nop(r, &chain_ops[chain_started++], chain_cb), 0);
}

Test(kernel_ring, callbacks_that_overflow_the_rings_still_run_once_in_order)
{
    kern_ring_destroy(&ring);
    kern_ring_opts_t o = {.entries = 8};
    cr_assert_eq(kern_ring_init(&ring, &o), 0);
    memset(chain_ops, 0, sizeof chain_ops);
    chain_started = chain_next = 0;
    for (; chain_started < 40; chain_started++)
        cr_assert_eq(kern_ring_nop(&ring, &chain_ops[chain_started], chain_cb), 0);
    RUN_UNTIL(&ring, chain_next == CHAIN_TOTAL);
    cr_assert_eq(chain_started, CHAIN_TOTAL);
    cr_assert_eq(kern_ring_in_flight(&ring), 0);
    cr_assert_eq(ring.stats.callbacks, (uint64_t)CHAIN_TOTAL);
    cr_assert_eq(ring.stats.cqes, (uint64_t)CHAIN_TOTAL);
}
