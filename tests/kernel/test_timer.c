/* Tests for kernel/timer.c (issue 6): the per-ring timer heap. */
#include <stdlib.h>

#include "kernel/timer.h"
#include "tests/kernel/test_kernel.h"

TestSuite(kernel_timer, .init = ring_setup, .fini = ring_teardown, .timeout = 10);

static int order[8], fired;
static uint64_t fired_at[8];

static void record(kern_ring_t *r, kern_timer_t *t)
{
    (void)r;
    cr_assert_not(kern_timer_armed(t));
    fired_at[fired] = kern_timer_now_ns();
    order[fired++] = (int)(intptr_t)t->data;
}

Test(kernel_timer, timers_fire_in_deadline_order_not_start_order)
{
    kern_timer_t t[3] = {{.data = (void *)30}, {.data = (void *)10}, {.data = (void *)20}};
    uint64_t t0 = kern_timer_now_ns();
    for (int i = 0; i < 3; i++)
        kern_timer_start(&ring, &t[i], (int64_t)(intptr_t)t[i].data * 1000000, record);
    cr_assert_eq(kern_timer_count(&ring), 3u);
    RUN_UNTIL(&ring, fired == 3);
    cr_assert_eq(order[0], 10);
    cr_assert_eq(order[1], 20);
    cr_assert_eq(order[2], 30);
    cr_assert_geq(fired_at[0] - t0, 10000000u);
    cr_assert_geq(fired_at[2] - t0, 30000000u);
    cr_assert_eq(kern_timer_count(&ring), 0u);
}

Test(kernel_timer, stopped_timer_never_fires)
{
    kern_timer_t a = {.data = (void *)1}, b = {.data = (void *)2};
    kern_timer_start(&ring, &a, 5000000, record);
    kern_timer_start(&ring, &b, 10000000, record);
    cr_assert(kern_timer_stop(&ring, &a));
    cr_assert_not(kern_timer_stop(&ring, &a));
    RUN_UNTIL(&ring, fired == 1);
    cr_assert_eq(order[0], 2);
    cr_assert_eq(kern_ring_run(&ring, 20000000), 0);
    cr_assert_eq(fired, 1);
}

static void rearm(kern_ring_t *r, kern_timer_t *t)
{
    if (++fired < 3)
        kern_timer_start(r, t, 0, rearm);
}

Test(kernel_timer, callback_may_rearm_its_timer)
{
    kern_timer_t t = {0};
    kern_timer_start(&ring, &t, 1000000, rearm);
    RUN_UNTIL(&ring, fired == 3);
    cr_assert_not(kern_timer_armed(&t));
}

static uint64_t last_deadline;
static int heap_fired;
static void check_order(kern_ring_t *r, kern_timer_t *t)
{
    (void)r;
    cr_assert_geq(t->deadline_ns, last_deadline, "heap fired out of order");
    last_deadline = t->deadline_ns;
    heap_fired++;
}

Test(kernel_timer, many_timers_with_stops_fire_in_order)
{
    enum { N = 2000 };
    kern_timer_t *t = calloc(N, sizeof *t);
    srand(7);
    for (int i = 0; i < N; i++)
        kern_timer_start(&ring, &t[i], (rand() % 20) * 1000000, check_order);
    int stopped = 0;
    for (int i = 0; i < N; i += 3)
        stopped += kern_timer_stop(&ring, &t[i]);
    for (int i = 1; i < N; i += 7) /* re-arming moves a timer inside the heap */
        if (i % 3 != 0)
            kern_timer_start(&ring, &t[i], (rand() % 20) * 1000000, check_order);
    cr_assert_eq(kern_timer_count(&ring), (uint32_t)(N - stopped));
    RUN_UNTIL(&ring, kern_timer_count(&ring) == 0);
    cr_assert_eq(heap_fired, N - stopped);
    free(t);
}

Test(kernel_timer, an_endless_wait_ends_at_the_earliest_deadline)
{
    kern_timer_t t = {.data = (void *)7};
    uint64_t t0 = kern_timer_now_ns();
    kern_timer_start(&ring, &t, 20000000, record);
    /* The scheduler's idle loop waits like this: no timeout of its own. */
    while (fired == 0)
        cr_assert_geq(kern_ring_run(&ring, -1), 0);
    uint64_t waited = kern_timer_now_ns() - t0;
    cr_assert_geq(waited, 20000000u);
    cr_assert_lt(waited, 2000000000u, "slept %llu ns past a 20 ms timer",
                 (unsigned long long)waited);
    cr_assert_eq(order[0], 7);
}
