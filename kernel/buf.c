/* Provided-buffer groups and refcounted buffers (see buf.h).
 *
 * Invariant: a group buffer is in exactly one place: in the kernel's buffer
 * ring (mapped, counted in _published), on the free stack (both kinds),
 * lent to a pending recv (fallback), or out with references (counted in
 * outstanding). A mapped group's _published is min(_window, free buffers)
 * when kern_ring_run submits (kern_buf_settle_ tops it up); in between,
 * receives lower it and give_back lends a returned buffer straight back
 * while it is below the window. */
#include "kernel/buf.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "kernel/alloc.h"
#include "kernel/assert.h"
#include "kernel/probe.h"

#define GROUP_COUNT_MAX 32768u

/* Smallest window of a mapped group: what a few connections need per turn. */
#define WINDOW_MIN 32u
/* Turns with receives after which the window may shrink (by half at most)
 * towards twice their peak. */
#define EPOCH_TURNS 4096u

/* Lends b to the kernel's ring. */
static void publish(kern_buf_group_t *g, kern_buf_t *b)
{
    io_uring_buf_ring_add(g->_br, b->base, g->size, b->_bid, (int)(g->count - 1), 0);
    io_uring_buf_ring_advance(g->_br, 1);
    g->_published++;
}

/* Tops the kernel's ring up to the window from the top of the free stack
 * (the buffers most recently used, so most likely still in cache). */
static void fill(kern_buf_group_t *g)
{
    while (g->_published < g->_window && g->_free != NULL) {
        kern_buf_t *b = g->_free;
        g->_free = b->_next;
        publish(g, b);
    }
}

void kern_buf_give_back_(kern_buf_group_t *g, kern_buf_t *b)
{
    snow_assert(g->outstanding > 0);
    g->outstanding--;
    if (g->mapped && g->_published < g->_window) {
        publish(g, b);
    } else {
        b->_next = g->_free;
        g->_free = b;
    }
}

/* Smallest power of two >= 2 x peak, within [WINDOW_MIN, count]. */
static uint32_t window_for(const kern_buf_group_t *g, uint32_t peak)
{
    uint32_t w = WINDOW_MIN;
    while (w < 2 * peak && w < g->count)
        w *= 2;
    return w < g->count ? w : g->count;
}

/* Gives back g's buffers dropped on other threads. */
static void drain_remote(kern_buf_group_t *g)
{
    if (atomic_load_explicit(&g->_remote, memory_order_relaxed) == NULL)
        return;
    kern_buf_t *b = atomic_exchange_explicit(&g->_remote, NULL, memory_order_acquire);
    while (b) {
        kern_buf_t *next = b->_next;
        kern_buf_give_back_(g, b);
        b = next;
    }
}

/* Doubles the window while taken (one turn's receives) is more than half of
 * it. */
static void grow(kern_buf_group_t *g, uint32_t taken)
{
    while (taken * 2 > g->_window && g->_window < g->count)
        g->_window *= 2;
}

void kern_buf_settle_slow_(kern_buf_group_t *g, uint32_t taken)
{
    drain_remote(g);
    if (!g->mapped)
        return;
    grow(g, taken);
    uint64_t now = g->ring->stats.enters;
    if (now - g->_epoch >= KERN_BUF_EPOCH_TURNS_) {
        /* At most halve per epoch: a burst that came once is likely to
         * come again, and a too-narrow window costs restarts. */
        uint32_t w = window_for(g, g->_peak);
        if (w < g->_window / 2)
            w = g->_window / 2;
        if (w < g->_window)
            g->_window = w; /* the extra buffers drain as the kernel takes them */
        g->_peak = 0;
        g->_epoch = now;
    }
    fill(g);
}

bool kern_buf_widen_(kern_buf_group_t *g)
{
    if (!g->mapped)
        return false;
    grow(g, g->_taken);
    if (g->_free != NULL) {
        g->_window = g->_window * 2 < g->count ? g->_window * 2 : g->count;
        fill(g);
    }
    /* Buffers lent earlier in this batch (or just now) cure it too. */
    return g->_published > 0;
}

static int map_ring(kern_buf_group_t *g)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t bytes = (g->count * sizeof(struct io_uring_buf) + page - 1) / page * page;
    g->_br = kern_alloc_aligned(page, bytes);
    memset(g->_br, 0, bytes);
    struct io_uring_buf_reg reg = {
        .ring_addr = (uintptr_t)g->_br, .ring_entries = g->count, .bgid = g->bgid};
    int rc = io_uring_register_buf_ring(&g->ring->uring, &reg, 0);
    if (rc < 0) {
        kern_free(g->_br);
        g->_br = NULL;
        return rc;
    }
    io_uring_buf_ring_init(g->_br);
    return 0;
}

int kern_buf_group_init(kern_buf_group_t *g, kern_ring_t *ring, uint32_t count, uint32_t size)
{
    if (count == 0 || (count & (count - 1)) != 0 || count > GROUP_COUNT_MAX || size == 0)
        return -EINVAL;
    memset(g, 0, sizeof *g);
    g->ring = ring;
    g->bgid = ring->_next_bgid++;
    g->count = count;
    g->size = size;
    g->mapped = (ring->features & KERN_FEAT_BUF_RING) != 0;
    g->_owner = kern_buf_thread_();
    g->_window = g->mapped ? count : 0; /* 0: settle never tops a free list up */
    if (g->mapped && (ring->features & KERN_FEAT_BUF_WINDOW) && count > WINDOW_MIN)
        g->_window = WINDOW_MIN;
    atomic_init(&g->_remote, NULL);
    if (g->mapped) {
        int rc = map_ring(g);
        if (rc < 0)
            return rc;
    }
    g->_mem = kern_alloc_aligned(64, (size_t)count * size);
    g->_bufs = kern_calloc(count, sizeof g->_bufs[0]);
    /* Every buffer starts "out", and give_back puts it in place. */
    g->outstanding = count;
    for (uint32_t i = count; i-- > 0;) {
        kern_buf_t *b = &g->_bufs[i];
        b->base = g->_mem + (size_t)i * size;
        b->cap = size;
        b->_bid = (uint16_t)i;
        b->_group = g;
        kern_buf_give_back_(g, b);
    }
    g->_next_group = ring->_groups;
    ring->_groups = g;
    return 0;
}

void kern_buf_group_destroy(kern_buf_group_t *g)
{
    kern_buf_drain_remote_(g->ring);
    snow_assert(g->outstanding == 0);
    for (kern_buf_group_t **p = &g->ring->_groups; *p; p = &(*p)->_next_group) {
        if (*p == g) {
            *p = g->_next_group;
            break;
        }
    }
    if (g->mapped) {
        io_uring_unregister_buf_ring(&g->ring->uring, g->bgid);
        kern_free(g->_br);
    }
    kern_free(g->_mem);
    kern_free(g->_bufs);
    memset(g, 0, sizeof *g);
}

kern_buf_t *kern_buf_new(size_t cap)
{
    snow_assert(cap <= UINT32_MAX);
    kern_buf_t *b = kern_alloc(sizeof *b + (cap ? cap : 1));
    memset(b, 0, sizeof *b);
    b->base = (char *)(b + 1);
    b->cap = (uint32_t)cap;
    atomic_init(&b->_refs, 1);
    return b;
}

kern_buf_t *kern_buf_copy(const void *p, size_t len)
{
    kern_buf_t *b = kern_buf_new(len);
    memcpy(b->base, p, len);
    b->len = (uint32_t)len;
    return b;
}

/* kern_buf_unref's other cases: a shared reference, a heap buffer, or a
 * group buffer dropped off its ring's thread. */
void kern_buf_unref_slow_(kern_buf_t *b)
{
    /* The sole holder needs no locked instruction (see kern_buf_unref). */
    unsigned before = atomic_load_explicit(&b->_refs, memory_order_acquire);
    if (before == 1)
        atomic_store_explicit(&b->_refs, 0, memory_order_relaxed);
    else /* acq_rel: the last dropper must see every write made under the
          * other references before the buffer is reused. */
        before = atomic_fetch_sub_explicit(&b->_refs, 1, memory_order_acq_rel);
    snow_assert(before > 0);
    if (before != 1)
        return;
    kern_buf_group_t *g = b->_group;
    if (g == NULL) {
        kern_free(b);
    } else if (g->_owner == kern_buf_thread_()) {
        kern_buf_give_back_(g, b);
    } else {
        /* Pairs with the acquire exchange in kern_buf_drain_remote_. */
        kern_buf_t *head = atomic_load_explicit(&g->_remote, memory_order_relaxed);
        do {
            b->_next = head;
        } while (!atomic_compare_exchange_weak_explicit(&g->_remote, &head, b, memory_order_release,
                                                        memory_order_relaxed));
    }
}

kern_slice_t kern_slice_make(kern_buf_t *b, size_t off, size_t len)
{
    snow_assert(off <= b->len && len <= b->len - off);
    kern_buf_ref(b);
    return (kern_slice_t){.base = b->base + off, .len = len, ._buf = b};
}

void kern_slice_release(kern_slice_t *s)
{
    if (s->_buf)
        kern_buf_unref(s->_buf);
    *s = (kern_slice_t){0};
}

kern_buf_t *kern_buf_take_(kern_buf_group_t *g)
{
    snow_assert(!g->mapped);
    kern_buf_t *b = g->_free;
    if (b == NULL)
        return NULL;
    g->_free = b->_next;
    g->outstanding++;
    return b;
}

int32_t kern_buf_on_recv_(kern_ring_t *ring, kern_op_t *op, int32_t res, uint32_t cqe_flags)
{
    (void)ring;
    kern_buf_group_t *g = op->_group;
    kern_buf_t *b = NULL;
    if (op->_pbuf != NULL) {
        b = kern_buf_hand_out_(g, op->_pbuf, res);
        op->_pbuf = NULL;
    } else if (cqe_flags & IORING_CQE_F_BUFFER) {
        b = kern_buf_from_ring_(g, (uint16_t)(cqe_flags >> IORING_CQE_BUFFER_SHIFT), res);
    }
    op->buf = b;
    return res;
}

void kern_buf_drain_remote_(kern_ring_t *ring)
{
    for (kern_buf_group_t *g = ring->_groups; g; g = g->_next_group)
        drain_remote(g);
}
