/* Timers: a per-ring min-heap of deadlines driven by the ring's wait timeout.
 *
 * kern_ring_run never waits past the earliest deadline (the wait is an
 * io_uring timeout, IORING_ENTER_EXT_ARG), then fires every timer whose
 * deadline has passed. No SQE is spent per timer, so starting and stopping
 * are O(log n) in memory only. A kern_timer_t is caller-owned storage that
 * must not move while armed. Ring's thread only. */
#ifndef SNOW_KERNEL_TIMER_H
#define SNOW_KERNEL_TIMER_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/ring.h"

/* Runs on the ring's thread once the timer's deadline has passed; the timer
 * is disarmed first, so cb may start it again. */
typedef void (*kern_timer_cb)(kern_ring_t *ring, kern_timer_t *t);

struct kern_timer_t {
    uint64_t deadline_ns; /* CLOCK_MONOTONIC */
    kern_timer_cb cb;
    void *data;      /* the caller's */
    uint32_t _index; /* heap position + 1; 0 when not armed */
};

/* Returns CLOCK_MONOTONIC in nanoseconds. Any thread. */
uint64_t kern_timer_now_ns(void);

/* Arms t (borrowed until it fires or is stopped) to fire after timeout_ns
 * (>= 0). Re-arms it if it was armed. Max timers per ring: 2^31. */
void kern_timer_start(kern_ring_t *ring, kern_timer_t *t, int64_t timeout_ns, kern_timer_cb cb);

/* Disarms t. Returns true if it was armed (so its callback will not run). */
bool kern_timer_stop(kern_ring_t *ring, kern_timer_t *t);

static inline bool kern_timer_armed(const kern_timer_t *t) { return t->_index != 0; }

/* Returns the number of armed timers on ring. */
static inline uint32_t kern_timer_count(const kern_ring_t *ring) { return ring->_heap_count; }

/* For ring.c: ns until the earliest deadline (0 if passed), -1 if none. */
int64_t kern_timer_next_ns_(kern_ring_t *ring);

/* For ring.c: fires expired timers; returns how many. */
unsigned kern_timer_fire_(kern_ring_t *ring);

#endif
