/* Shared helpers for the kernel/ tests: a ring fixture that checks for
 * descriptor, op and allocation leaks, and a bounded run loop. */
#ifndef SNOW_TESTS_KERNEL_TEST_KERNEL_H
#define SNOW_TESTS_KERNEL_TEST_KERNEL_H

#include <criterion/criterion.h>
#include <dirent.h>
#include <stdint.h>

#include "kernel/alloc.h"
#include "kernel/probe.h"
#include "kernel/ring.h"
#include "kernel/timer.h"

/* Counts this process's open descriptors (/proc/self/fd minus the dir's own). */
static inline int count_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    int n = 0;
    while (readdir(d) != NULL)
        n++;
    closedir(d);
    return n - 3; /* ".", ".." and the directory's own descriptor */
}

static kern_ring_t ring;
static int fds_before;
static int64_t live_before;

static inline void ring_setup(void)
{
    kern_probe_get(); /* the probe's scratch rings are closed before we count */
    fds_before = count_fds();
    live_before = kern_alloc_live_count();
    cr_assert_eq(kern_ring_init(&ring, NULL), 0);
}

static inline void ring_teardown(void)
{
    cr_assert_eq(kern_ring_in_flight(&ring), 0, "ops still in flight");
    kern_ring_destroy(&ring);
    cr_assert_eq(count_fds(), fds_before, "descriptor leak: %d before, %d after", fds_before,
                 count_fds());
    cr_assert_eq(kern_alloc_live_count(), live_before, "allocation leak");
}

/* Skips the test when the ring does not use feature (absent or env-masked). */
static inline void require_feature(const kern_ring_t *r, uint32_t feature)
{
    if (!(r->features & feature))
        cr_skip_test("no %s on this ring (absent from the kernel or masked by SNOW_URING_*)",
                     kern_probe_feature_name(feature));
}

/* Runs ring until cond holds; fails after 5 s. */
#define RUN_UNTIL(r, cond)                                                                         \
    do {                                                                                           \
        uint64_t deadline_ = kern_timer_now_ns() + 5000000000ull;                                  \
        while (!(cond)) {                                                                          \
            cr_assert_lt(kern_timer_now_ns(), deadline_, "timed out waiting for " #cond);          \
            int rc_ = kern_ring_run((r), 100000000);                                               \
            cr_assert_geq(rc_, 0, "kern_ring_run: %d", rc_);                                       \
        }                                                                                          \
    } while (0)

#endif
