/* Receive buffers: provided-buffer groups and refcounted buffers.
 *
 * A group is count buffers of size bytes each, owned by one ring. With
 * BUF_RING the group is a ring-mapped provided-buffer ring: the kernel picks
 * a buffer per receive (multishot recv keeps going without new SQEs). Without
 * it (SNOW_URING_NO_BUF_RING) the group is a free list and each plain recv
 * borrows one buffer for its duration. Either way a receive hands the
 * callback a kern_buf_t holding one reference; the buffer goes back to its
 * group when the last reference drops, so a slice of it can travel up (to the
 * HTTP parser, into a Snow string) without a copy.
 *
 * Exhaustion: when every buffer is out, receives complete with -ENOBUFS (a
 * multishot recv stops); give buffers back and start the receive again.
 *
 * Hot reuse: a mapped group keeps only a window of its free buffers in the
 * kernel's ring (at least 32; doubled when one turn takes more than half of
 * it, halved at most once per 4096 turns while every turn takes less than a
 * quarter) and the rest on a stack, the most recently returned on top,
 * which refills the ring. So a quiet connection cycles through a few
 * cache-warm buffers instead of all count of them (measured: 1024 x 512-byte
 * buffers cost the echo server 6% more CPU per message than 16 under a busy
 * machine's cache pressure). A receive that finds the ring empty while
 * buffers are held back is not told: the window widens and the receive
 * starts again (ring.c); -ENOBUFS still means every buffer is out.
 *
 * Heap buffers (kern_buf_new) have the same refcounting and are freed on the
 * last unref. References may be dropped on any thread; a group buffer dropped
 * off its ring's thread is queued and given back by the ring's next run. */
#ifndef SNOW_KERNEL_BUF_H
#define SNOW_KERNEL_BUF_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/ring.h"

struct kern_buf_t {
    char *base;   /* first byte */
    uint32_t len; /* bytes of data at base */
    uint32_t cap; /* bytes available at base */
    atomic_uint _refs;
    uint16_t _bid;
    kern_buf_group_t *_group; /* NULL for heap buffers */
    kern_buf_t *_next;        /* free list or remote-return stack */
};

struct kern_buf_group_t {
    kern_ring_t *ring;
    uint16_t bgid;
    bool mapped;          /* ring-mapped provided buffers (BUF_RING) */
    uint32_t count;       /* buffers, a power of two */
    uint32_t size;        /* bytes per buffer */
    uint32_t outstanding; /* buffers not available to receives */
    struct io_uring_buf_ring *_br;
    char *_mem;
    kern_buf_t *_bufs;
    kern_buf_t *_free;   /* free buffers not lent to the kernel, last returned on top */
    uint32_t _published; /* mapped: buffers in the kernel's ring */
    uint32_t _window;    /* mapped: how many _published aims at; else 0 */
    uint32_t _taken;     /* mapped: buffers the kernel used since the last settle */
    uint32_t _peak;      /* mapped: most taken in one turn this epoch */
    uint64_t _epoch;     /* mapped: ring->stats.enters when this epoch began */
    void *_owner;        /* the ring thread's thread pointer (kern_buf_thread_) */
    kern_buf_group_t *_next_group;
    _Atomic(kern_buf_t *) _remote; /* dropped on other threads */
};

/* Loop turns (io_uring_enter calls) after which a group's window may shrink
 * (by half at most) towards twice the epoch's peak. */
#define KERN_BUF_EPOCH_TURNS_ 4096u

/* A counted view into a buffer: base/len are a slice of _buf's data. */
typedef struct kern_slice_t {
    const char *base;
    size_t len;
    kern_buf_t *_buf;
} kern_slice_t;

/* Sets up g (caller-owned, must not move) on ring's thread: count buffers
 * (power of two, <= 32768) of size bytes. Returns 0 or -errno. */
int kern_buf_group_init(kern_buf_group_t *g, kern_ring_t *ring, uint32_t count, uint32_t size);

/* Tears g down. Every buffer must be back (outstanding == 0, asserted) and no
 * receive may be pending on it. Ring's thread. */
void kern_buf_group_destroy(kern_buf_group_t *g);

/* Returns owned heap buffer with room for cap bytes, len 0, one reference. */
kern_buf_t *kern_buf_new(size_t cap);

/* Returns owned heap buffer holding a copy of len bytes at p (borrowed). */
kern_buf_t *kern_buf_copy(const void *p, size_t len);

/* Adds a reference. Any thread. */
static inline void kern_buf_ref(kern_buf_t *b)
{
    /* Relaxed: the caller already holds a reference, so b is alive. */
    atomic_fetch_add_explicit(&b->_refs, 1, memory_order_relaxed);
}

/* Identifies the calling thread: its thread pointer, one register read
 * (pthread_self, a call, where the compiler lacks the builtin: a mismatch
 * only sends kern_buf_unref down its slow path, which buf.c decides). */
static inline void *kern_buf_thread_(void)
{
#if defined(__has_builtin)
#if __has_builtin(__builtin_thread_pointer)
#define KERN_BUF_THREAD_POINTER_ 1
    return __builtin_thread_pointer();
#endif
#endif
#ifndef KERN_BUF_THREAD_POINTER_
    return (void *)(uintptr_t)pthread_self();
#endif
}

/* For kernel/ only: b (no references left) goes back to g: straight into
 * the kernel's ring while g's ring is below its window, else onto the free
 * stack. g's ring's thread. */
void kern_buf_give_back_(kern_buf_group_t *g, kern_buf_t *b);

/* For kern_buf_unref only: every case but the common one. */
void kern_buf_unref_slow_(kern_buf_t *b);

/* Drops a reference (takes it); the last one returns the buffer to its group
 * or frees it. Any thread. Inline for the common case: the sole holder of a
 * group buffer on the group's own thread (a receive's callback done with
 * it) gives it back with no locked instruction and no call but the give-back;
 * nobody else can change the count. The acquire load pairs with the release
 * half of other threads' earlier decrements, so their writes are seen before
 * reuse. */
static inline void kern_buf_unref(kern_buf_t *b)
{
    kern_buf_group_t *g = b->_group;
    if (__builtin_expect(g != NULL, 1) &&
        atomic_load_explicit(&b->_refs, memory_order_acquire) == 1 &&
        g->_owner == kern_buf_thread_()) {
        atomic_store_explicit(&b->_refs, 0, memory_order_relaxed);
        kern_buf_give_back_(g, b);
        return;
    }
    kern_buf_unref_slow_(b);
}

/* Returns a slice of len bytes at offset off in b, holding a new reference. */
kern_slice_t kern_slice_make(kern_buf_t *b, size_t off, size_t len);

/* Drops the slice's reference and clears it. */
void kern_slice_release(kern_slice_t *s);

/* ---- For kernel/ modules only ---- */

/* Takes a free buffer for a plain recv (fallback groups), or NULL. */
kern_buf_t *kern_buf_take_(kern_buf_group_t *g);

/* Turns a recv CQE into op->buf; returns the result to deliver. */
int32_t kern_buf_on_recv_(kern_ring_t *ring, kern_op_t *op, int32_t res, uint32_t cqe_flags);

/* After a -ENOBUFS receive on g: if g held free buffers back from the
 * kernel's ring, widens the window, lends them and returns true (start the
 * receive again); false when every buffer is really out. */
bool kern_buf_widen_(kern_buf_group_t *g);

/* Gives back buffers dropped on other threads (every group of ring). */
void kern_buf_drain_remote_(kern_ring_t *ring);

/* For kern_buf_settle_ only: the rare cases (see buf.c). */
void kern_buf_settle_slow_(kern_buf_group_t *g, uint32_t taken);

/* Called by kern_ring_run for each group before it submits: gives back
 * buffers dropped on other threads, adapts the window to the last turn's
 * receives (BUF_WINDOW, see the file comment) and tops the kernel's ring up
 * to it. Inline: in the common turn (a few receives whose buffers came back
 * during the turn) this is a few loads and no call. */
static inline void kern_buf_settle_(kern_buf_group_t *g)
{
    uint32_t taken = g->_taken;
    g->_taken = 0;
    if (taken > g->_peak)
        g->_peak = taken;
    if (__builtin_expect(taken * 2 > g->_window ||
                             (g->_published < g->_window && g->_free != NULL) ||
                             g->ring->stats.enters - g->_epoch >= KERN_BUF_EPOCH_TURNS_ ||
                             atomic_load_explicit(&g->_remote, memory_order_relaxed) != NULL,
                         0))
        kern_buf_settle_slow_(g, taken);
}

/* For ring.c's dispatch: a receive CQE of a mapped group named buffer bid
 * (IORING_CQE_F_BUFFER). Returns it holding one reference with res bytes,
 * or gives it back and returns NULL when res <= 0. */
/* Hands b (just filled with res bytes) out with one reference, or gives it
 * back and returns NULL when res <= 0. */
static inline kern_buf_t *kern_buf_hand_out_(kern_buf_group_t *g, kern_buf_t *b, int32_t res)
{
    if (__builtin_expect(res <= 0, 0)) {
        kern_buf_give_back_(g, b);
        return NULL;
    }
    snow_assert((uint32_t)res <= g->size);
    b->len = (uint32_t)res;
    atomic_store_explicit(&b->_refs, 1, memory_order_relaxed);
    return b;
}

static inline kern_buf_t *kern_buf_from_ring_(kern_buf_group_t *g, uint16_t bid, int32_t res)
{
    snow_assert(bid < g->count);
    kern_buf_t *b = &g->_bufs[bid];
    g->outstanding++;
    g->_published--;
    g->_taken++; /* kern_buf_settle_ adapts the window to it */
    return kern_buf_hand_out_(g, b, res);
}

#endif
