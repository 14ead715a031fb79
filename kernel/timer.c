/* Timers as a binary min-heap on deadline_ns (see timer.h).
 *
 * Invariant: ring->_heap[i]->_index == i + 1 for every armed timer, and a
 * parent's deadline is <= its children's. */
#include "kernel/timer.h"

#include <time.h>

#include "kernel/alloc.h"
#include "kernel/assert.h"

uint64_t kern_timer_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void place(kern_ring_t *ring, uint32_t i, kern_timer_t *t)
{
    ring->_heap[i] = t;
    t->_index = i + 1;
}

static void sift_up(kern_ring_t *ring, uint32_t i)
{
    kern_timer_t *t = ring->_heap[i];
    while (i > 0) {
        uint32_t parent = (i - 1) / 2;
        if (ring->_heap[parent]->deadline_ns <= t->deadline_ns)
            break;
        place(ring, i, ring->_heap[parent]);
        i = parent;
    }
    place(ring, i, t);
}

static void sift_down(kern_ring_t *ring, uint32_t i)
{
    kern_timer_t *t = ring->_heap[i];
    uint32_t n = ring->_heap_count;
    for (;;) {
        uint32_t child = 2 * i + 1;
        if (child >= n)
            break;
        if (child + 1 < n && ring->_heap[child + 1]->deadline_ns < ring->_heap[child]->deadline_ns)
            child++;
        if (t->deadline_ns <= ring->_heap[child]->deadline_ns)
            break;
        place(ring, i, ring->_heap[child]);
        i = child;
    }
    place(ring, i, t);
}

bool kern_timer_stop(kern_ring_t *ring, kern_timer_t *t)
{
    if (t->_index == 0)
        return false;
    uint32_t i = t->_index - 1;
    snow_assert(i < ring->_heap_count && ring->_heap[i] == t);
    t->_index = 0;
    kern_timer_t *last = ring->_heap[--ring->_heap_count];
    if (i < ring->_heap_count) {
        place(ring, i, last);
        sift_down(ring, i);
        sift_up(ring, last->_index - 1);
    }
    return true;
}

void kern_timer_start(kern_ring_t *ring, kern_timer_t *t, int64_t timeout_ns, kern_timer_cb cb)
{
    snow_assert(timeout_ns >= 0);
    snow_assert(cb != NULL);
    kern_timer_stop(ring, t);
    t->cb = cb;
    t->deadline_ns = kern_timer_now_ns() + (uint64_t)timeout_ns;
    if (ring->_heap_count == ring->_heap_cap) {
        ring->_heap_cap = ring->_heap_cap ? ring->_heap_cap * 2 : 64;
        snow_assert(ring->_heap_cap <= (1u << 31));
        ring->_heap = kern_realloc(ring->_heap, ring->_heap_cap * sizeof ring->_heap[0]);
    }
    place(ring, ring->_heap_count++, t);
    sift_up(ring, ring->_heap_count - 1);
}

int64_t kern_timer_next_ns_(kern_ring_t *ring)
{
    if (ring->_heap_count == 0)
        return -1;
    uint64_t now = kern_timer_now_ns();
    uint64_t d = ring->_heap[0]->deadline_ns;
    return d <= now ? 0 : (int64_t)(d - now);
}

unsigned kern_timer_fire_(kern_ring_t *ring)
{
    if (ring->_heap_count == 0)
        return 0;
    uint64_t now = kern_timer_now_ns();
    /* Bounded by the count at entry: a callback that re-arms with timeout 0
     * fires on the next run, not in a loop here. */
    unsigned budget = ring->_heap_count, fired = 0;
    while (fired < budget && ring->_heap_count > 0 && ring->_heap[0]->deadline_ns <= now) {
        kern_timer_t *t = ring->_heap[0];
        kern_timer_stop(ring, t);
        fired++;
        t->cb(ring, t);
    }
    return fired;
}
