/* The per-worker io_uring (see ring.h).
 *
 * Invariant: callbacks run only from dispatch_all, never from inside a
 * function that takes an SQE, so a callback that starts new ops can never
 * recurse into another callback. CQEs reaped while taking an SQE (when the
 * kernel says -EBUSY) wait in _cqes and are dispatched before the CQ's. */
#include "kernel/ring.h"

#include <errno.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>

#include "kernel/alloc.h"
#include "kernel/assert.h"
#include "kernel/buf.h"
#include "kernel/probe.h"
#include "kernel/sock.h"
#include "kernel/timer.h"
#include "kernel/wake.h"

#define RING_ENTRIES_DEFAULT 256u
#define RING_ENTRIES_MAX 32768u
#define RING_FILES_DEFAULT 4096u

static unsigned setup_flags(uint32_t f)
{
    unsigned flags = IORING_SETUP_SUBMIT_ALL;
    if (f & KERN_FEAT_SINGLE_ISSUER)
        flags |= IORING_SETUP_SINGLE_ISSUER;
    if (f & KERN_FEAT_DEFER_TASKRUN)
        flags |= IORING_SETUP_DEFER_TASKRUN;
    else if (f & KERN_FEAT_COOP_TASKRUN)
        flags |= IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG;
    return flags;
}

int kern_ring_init(kern_ring_t *ring, const kern_ring_opts_t *opts)
{
    memset(ring, 0, sizeof *ring);
    uint32_t entries = opts && opts->entries ? opts->entries : RING_ENTRIES_DEFAULT;
    snow_assert((entries & (entries - 1)) == 0);
    snow_assert(entries <= RING_ENTRIES_MAX);
    uint32_t features = kern_probe_get()->features & ~(opts ? opts->feature_mask : 0);
    features = kern_probe_closure(features);
    /* The CQ is 4x the SQ: multishot ops post many CQEs per SQE. */
    struct io_uring_params p = {.flags = setup_flags(features) | IORING_SETUP_CQSIZE,
                                .cq_entries = entries * 4};
    int rc = io_uring_queue_init_params(entries, &ring->uring, &p);
    if (rc < 0)
        return rc;
    if ((features & KERN_FEAT_REG_RING_FD) && io_uring_register_ring_fd(&ring->uring) != 1)
        features &= ~KERN_FEAT_REG_RING_FD;
    if (features & KERN_FEAT_REG_FILES) {
        uint32_t files = opts && opts->files ? opts->files : RING_FILES_DEFAULT;
        if (io_uring_register_files_sparse(&ring->uring, files) == 0) {
            ring->_files_count = files;
            ring->_fixed = kern_calloc(files, 1);
        } else {
            features &= ~KERN_FEAT_REG_FILES;
        }
    }
    ring->features = features;
    ring->entries = entries;
    ring->_wake_fd = -1;
    ring->_quiet = true;
    ring->_send_at_once = opts != NULL && opts->send_at_once;
    ring->_cqes_cap = entries * 4;
    ring->_cqes = kern_alloc(ring->_cqes_cap * sizeof ring->_cqes[0]);
    rc = kern_wake_init_(ring);
    if (rc < 0) {
        kern_free(ring->_cqes);
        kern_free(ring->_fixed);
        io_uring_queue_exit(&ring->uring);
        return rc;
    }
    return 0;
}

void kern_ring_destroy(kern_ring_t *ring)
{
    /* A pool thread may have pushed our last completion and not yet returned
     * from waking us; pairs with the release decrement in pool.c. */
    while (atomic_load_explicit(&ring->_wakers, memory_order_acquire) != 0)
        sched_yield();
    snow_assert(ring->_in_flight == 0);
    snow_assert(ring->_sends_pending == 0);
    snow_assert(ring->_groups == NULL);
    snow_assert(atomic_load_explicit(&ring->_inbox, memory_order_acquire) == NULL);
    kern_wake_destroy_(ring);
    io_uring_queue_exit(&ring->uring);
    kern_free(ring->_cqes);
    kern_free(ring->_heap);
    kern_free(ring->_fixed);
    memset(ring, 0, sizeof *ring);
}

/* ====== Reaping ====== */

/* Copies every ready CQE into _cqes and advances the CQ. Never runs
 * callbacks. Returns the number reaped. One acquire load of the tail and one
 * release store of the head per call, whatever the count (CQEs the kernel
 * posts meanwhile wait for the next run). */
static unsigned reap(kern_ring_t *ring)
{
    struct io_uring_cq *cq = &ring->uring.cq;
    unsigned head = *cq->khead;
    unsigned ready = io_uring_smp_load_acquire(cq->ktail) - head;
    if (ready == 0)
        return 0;
    if (ring->_cqes_count + ready > ring->_cqes_cap) {
        while (ring->_cqes_count + ready > ring->_cqes_cap)
            ring->_cqes_cap *= 2;
        ring->_cqes = kern_realloc(ring->_cqes, ring->_cqes_cap * sizeof ring->_cqes[0]);
    }
    struct io_uring_cqe *out = ring->_cqes + ring->_cqes_count;
    unsigned mask = cq->ring_mask;
    for (unsigned i = 0; i < ready; i++)
        out[i] = cq->cqes[(head + i) & mask]; /* no CQE32: one slot per CQE */
    /* Pairs with the kernel's acquire of the head: the slots are ours until
     * this store. */
    io_uring_smp_store_release(cq->khead, head + ready);
    ring->_cqes_count += ready;
    ring->stats.cqes += ready;
    return ready;
}

/* Submits the SQ. On -EBUSY/-EAGAIN the kernel wants its CQ drained first;
 * reap (without dispatching) and try again. */
static int flush(kern_ring_t *ring)
{
    for (int tries = 0;; tries++) {
        if (io_uring_sq_ready(&ring->uring) > 0)
            ring->stats.enters++; /* otherwise liburing returns without a syscall */
        int rc = io_uring_submit(&ring->uring);
        if (rc >= 0 || (rc != -EBUSY && rc != -EAGAIN && rc != -EINTR) || tries > 64)
            return rc;
        if (rc == -EBUSY || rc == -EAGAIN) {
            /* Move overflowed CQEs into the CQ, then copy them out. */
            io_uring_get_events(&ring->uring);
            reap(ring);
        }
    }
}

int kern_ring_submit(kern_ring_t *ring) { return flush(ring); }

/* ====== Taking SQEs ====== */

static struct io_uring_sqe *take_sqe(kern_ring_t *ring)
{
    for (;;) {
        struct io_uring_sqe *sqe = io_uring_get_sqe(&ring->uring);
        if (sqe != NULL) {
            ring->stats.sqes++;
            return sqe;
        }
        ring->stats.sq_full++;
        flush(ring);
    }
}

void kern_ring_reserve_(kern_ring_t *ring, unsigned n)
{
    snow_assert(n <= ring->entries);
    while (io_uring_sq_space_left(&ring->uring) < n)
        flush(ring);
}

struct io_uring_sqe *kern_ring_sqe_(kern_ring_t *ring, kern_op_t *op, uint8_t kind, kern_op_cb cb)
{
    snow_assert(op->_state == KERN_OP_IDLE_);
    snow_assert(cb != NULL);
    struct io_uring_sqe *sqe = take_sqe(ring);
    op->cb = cb;
    op->res = 0;
    op->flags = 0;
    op->buf = NULL;
    op->_kind = kind;
    op->_state = KERN_OP_PENDING_;
    op->_cancelled = false;
    op->_timed = false;
    op->_send = false;
    ring->_in_flight++;
    io_uring_sqe_set_data(sqe, op);
    return sqe;
}

struct io_uring_sqe *kern_ring_sqe_bare_(kern_ring_t *ring)
{
    struct io_uring_sqe *sqe = take_sqe(ring);
    io_uring_prep_nop(sqe);
    io_uring_sqe_set_data64(sqe, 0);
    return sqe;
}

static void ns_to_ts(struct __kernel_timespec *ts, int64_t ns)
{
    ts->tv_sec = ns / 1000000000;
    ts->tv_nsec = ns % 1000000000;
}

void kern_ring_link_timeout_(kern_ring_t *ring, kern_op_t *op, struct io_uring_sqe *sqe,
                             int64_t timeout_ns)
{
    snow_assert(timeout_ns >= 0);
    ns_to_ts(&op->_ts, timeout_ns);
    op->_timed = true;
    sqe->flags |= IOSQE_IO_LINK;
    struct io_uring_sqe *t = take_sqe(ring);
    io_uring_prep_link_timeout(t, &op->_ts, 0);
    io_uring_sqe_set_data64(t, 0);
}

/* ====== Dispatch ====== */

/* Delivers one final or multishot completion to op's callback. */
static void deliver(kern_ring_t *ring, kern_op_t *op, int32_t res, bool more)
{
    if (res == -ECANCELED && op->_timed && !op->_cancelled)
        res = -ETIMEDOUT;
    op->res = res;
    op->flags = more ? KERN_OP_F_MORE : 0;
    if (!more) {
        op->_state = KERN_OP_IDLE_;
        ring->_in_flight--;
        if (op->_send) {
            op->_send = false;
            ring->_sends_pending--;
        }
    }
    ring->stats.callbacks++;
    op->cb(ring, op);
}

/* The send half of kern_sock_send_recv (user_data: op with bit 0 set) posts
 * a CQE only when it fails. The kernel then skips the CQE of the linked recv
 * too (a chain whose head skips success CQEs skips the cancelled links'), so
 * this CQE is the op's final one: return the recv's borrowed buffer and
 * deliver the send's error. */
static bool send_half_failed(kern_ring_t *ring, kern_op_t *op, int32_t res)
{
    snow_assert(op->_state == KERN_OP_PENDING_ && op->_kind == KERN_OP_SEND_RECV_);
    kern_buf_on_recv_(ring, op, -ECANCELED, 0);
    /* A short MSG_WAITALL send (res >= 0 here) means the peer went away. */
    deliver(ring, op, res < 0 ? res : -EPIPE, false);
    return true;
}

/* Returns true if a callback ran. Inlined into dispatch_cq: this is the
 * per-CQE path. */
static inline __attribute__((always_inline)) bool dispatch_cqe(kern_ring_t *ring,
                                                               const struct io_uring_cqe *cqe)
{
    if (cqe->user_data & 1)
        return send_half_failed(ring, (kern_op_t *)(uintptr_t)(cqe->user_data & ~(uint64_t)1),
                                cqe->res);
    kern_op_t *op = io_uring_cqe_get_data(cqe);
    /* 0: linked timeouts and cancel requests. LIBURING_UDATA_TIMEOUT: the
     * timeout SQE liburing adds for waits on kernels without EXT_ARG. */
    if (op == NULL || cqe->user_data == LIBURING_UDATA_TIMEOUT)
        return false;
    int32_t res = cqe->res;
    bool more = (cqe->flags & IORING_CQE_F_MORE) != 0;
    switch (op->_kind) {
    case KERN_OP_RECV_POOL_:
        res = kern_buf_on_recv_(ring, op, res, cqe->flags);
        break;
    case KERN_OP_RECV_RING_: /* the hot case: inline, no call into buf.c */
        op->buf = (cqe->flags & IORING_CQE_F_BUFFER)
                      ? kern_buf_from_ring_(op->_group,
                                            (uint16_t)(cqe->flags >> IORING_CQE_BUFFER_SHIFT), res)
                      : NULL;
        if (__builtin_expect(res == -ENOBUFS, 0) && !more && !op->_cancelled &&
            kern_buf_widen_(op->_group)) {
            ring->stats.recv_restarts++;
            kern_sock_recv_again_(ring, op);
            return false;
        }
        break;
    case KERN_OP_SEND_RECV_:
        res = kern_buf_on_recv_(ring, op, res, cqe->flags);
        /* The kernel's ring ran dry while the group held buffers back
         * (buf.h, hot reuse): lend them and receive again, unseen. */
        if (res == -ENOBUFS && !more && !op->_cancelled && kern_buf_widen_(op->_group)) {
            ring->stats.recv_restarts++;
            kern_sock_recv_again_(ring, op);
            return false;
        }
        break;
    case KERN_OP_SEND_ZC_:
        if (cqe->flags & IORING_CQE_F_NOTIF) {
            res = op->_zc_res;
            more = false;
        } else if (more) {
            op->_zc_res = res; /* wait for the notification */
            return false;
        }
        break;
    case KERN_OP_CONNECT_:
        if (res == 0) {
            res = op->_fd;
        } else {
            close(op->_fd);
        }
        op->_fd = -1;
        break;
    case KERN_OP_WAKE_:
        kern_wake_on_cqe_(ring, res);
        return ring->_wake_cb != NULL;
    case KERN_OP_WAKE_FAIL_:
        kern_wake_on_send_failed_(op, res);
        return false;
    default:
        break;
    }
    deliver(ring, op, res, more);
    return true;
}

/* Runs pool results pushed by other threads, oldest first. */
static unsigned dispatch_inbox(kern_ring_t *ring)
{
    /* A plain load first: the locked exchange costs on every loop turn. */
    if (atomic_load_explicit(&ring->_inbox, memory_order_relaxed) == NULL)
        return 0;
    kern_op_t *list = atomic_exchange_explicit(&ring->_inbox, NULL, memory_order_acquire);
    kern_op_t *rev = NULL;
    while (list) {
        kern_op_t *next = list->_next;
        list->_next = rev;
        rev = list;
        list = next;
    }
    unsigned n = 0;
    while (rev) {
        kern_op_t *next = rev->_next;
        deliver(ring, rev, rev->res, false);
        rev = next;
        n++;
    }
    return n;
}

/* Dispatches the CQEs in _cqes: those reaped while an SQE was being taken
 * (the kernel said -EBUSY). Rare. */
static __attribute__((noinline)) unsigned dispatch_backlog(kern_ring_t *ring)
{
    unsigned n = 0;
    /* Index loop: callbacks may reap more CQEs into the array (and move it). */
    while (ring->_cqes_index < ring->_cqes_count) {
        struct io_uring_cqe cqe = ring->_cqes[ring->_cqes_index++];
        n += dispatch_cqe(ring, &cqe);
    }
    ring->_cqes_index = ring->_cqes_count = 0;
    return n;
}

/* Dispatches the CQEs ready in the CQ when called, each straight from its
 * slot (copied out and the head moved past it before its callback runs, so
 * callbacks can never see a slot the kernel is reusing). One acquire load of
 * the tail per call; CQEs the kernel posts meanwhile wait for the next run.
 * If a callback's SQE flush reaps the rest into _cqes (the kernel said
 * -EBUSY), they follow from there, in order. */
static unsigned dispatch_cq(kern_ring_t *ring)
{
    struct io_uring_cq *cq = &ring->uring.cq;
    unsigned head = *cq->khead; /* only this thread moves the head */
    unsigned tail = io_uring_smp_load_acquire(cq->ktail);
    unsigned ready = tail - head;
    /* One CQE (or none) this turn: nothing to batch a send with, so
     * kern_sock_send may write at once (see _quiet in ring.h). */
    ring->_quiet = ready <= 1;
    ring->stats.cqes += ready;
    unsigned n = 0;
    unsigned mask = cq->ring_mask;
    while ((int)(tail - head) > 0) {
        struct io_uring_cqe cqe = cq->cqes[head & mask]; /* no CQE32: one slot per CQE */
        /* Pairs with the kernel's acquire of the head: the slot is its again. */
        io_uring_smp_store_release(cq->khead, ++head);
        n += dispatch_cqe(ring, &cqe);
        if (__builtin_expect(ring->_cqes_count != 0, 0)) {
            n += dispatch_backlog(ring);
            head = *cq->khead;
        }
    }
    return n;
}

/* Delivers the completions kern_ring_complete_ queued before this call,
 * oldest first (those the callbacks queue wait for the next run, which then
 * does not sleep). Such an op was never in the kernel: no linked timeout,
 * not counted in _sends_pending, so its delivery is the plain final one. */
static unsigned dispatch_deferred(kern_ring_t *ring)
{
    unsigned n = 0;
    kern_op_t *list = ring->_deferred_head;
    ring->_deferred_head = ring->_deferred_tail = NULL;
    while (list) {
        kern_op_t *next = list->_next;
        list->flags = 0;
        list->_state = KERN_OP_IDLE_;
        ring->_in_flight--;
        ring->stats.callbacks++;
        list->cb(ring, list);
        list = next;
        n++;
    }
    return n;
}

static unsigned dispatch_all(kern_ring_t *ring)
{
    unsigned n = 0;
    if (__builtin_expect(ring->_cqes_count != 0, 0))
        n += dispatch_backlog(ring); /* reaped before this run: older */
    n += dispatch_cq(ring);
    if (ring->_deferred_head != NULL)
        n += dispatch_deferred(ring);
    n += dispatch_inbox(ring);
    return n;
}

/* Submits and waits for at least one CQE, at most timeout_ns (< 0: forever).
 * Without a time limit this is liburing's plain submit-and-wait: one
 * io_uring_enter that both submits and sleeps, and no CQE peeking loop. */
static int submit_wait(kern_ring_t *ring, int64_t timeout_ns)
{
    ring->stats.enters++;
    ring->stats.waits++;
    int rc;
    if (timeout_ns < 0) {
        rc = io_uring_submit_and_wait(&ring->uring, 1);
    } else {
        struct io_uring_cqe *cqe;
        struct __kernel_timespec ts;
        ns_to_ts(&ts, timeout_ns);
        rc = io_uring_submit_and_wait_timeout(&ring->uring, &cqe, 1, &ts, NULL);
    }
    if (__builtin_expect(rc < 0, 0)) {
        if (rc == -EBUSY || rc == -EAGAIN) {
            io_uring_get_events(&ring->uring);
            rc = flush(ring);
        }
        if (rc == -ETIME || rc == -EINTR)
            rc = 0;
    }
    return rc;
}

int kern_ring_run(kern_ring_t *ring, int64_t timeout_ns)
{
    /* Before the kernel can take buffers again: adapt each group's window
     * to the last turn and top its ring up, and give back buffers other
     * threads dropped. */
    for (kern_buf_group_t *g = ring->_groups; g; g = g->_next_group)
        kern_buf_settle_(g);
    bool ready = ring->_deferred_head != NULL || ring->_cqes_count > ring->_cqes_index ||
                 atomic_load_explicit(&ring->_inbox, memory_order_relaxed) != NULL;
    if (ring->_heap_count > 0) { /* the clock is read only when a timer is armed */
        int64_t timer_ns = kern_timer_next_ns_(ring);
        if (timeout_ns < 0 || timer_ns < timeout_ns)
            timeout_ns = timer_ns;
    }
    int rc;
    if (ready || timeout_ns == 0) {
        bool defer = (ring->features & KERN_FEAT_DEFER_TASKRUN) != 0;
        ring->stats.enters += defer;
        rc = defer ? io_uring_submit_and_get_events(&ring->uring) : flush(ring);
        if (rc == -EBUSY || rc == -EAGAIN || rc == -EINTR)
            rc = 0;
    } else {
        rc = submit_wait(ring, timeout_ns);
    }
    if (rc < 0)
        return rc;
    unsigned n = dispatch_all(ring);
    if (ring->_heap_count > 0)
        n += kern_timer_fire_(ring);
    return (int)n;
}

/* ====== Registered files ====== */

int kern_ring_register_fd(kern_ring_t *ring, int fd)
{
    if (!(ring->features & KERN_FEAT_REG_FILES))
        return -EOPNOTSUPP;
    if (fd < 0 || (uint32_t)fd >= ring->_files_count)
        return -ENOSPC;
    if (ring->_fixed[fd])
        return 0;
    int rc = io_uring_register_files_update(&ring->uring, (unsigned)fd, &fd, 1);
    if (rc < 0)
        return rc;
    ring->_fixed[fd] = 1;
    return 0;
}

int kern_ring_unregister_fd(kern_ring_t *ring, int fd)
{
    if (!kern_ring_fd_registered(ring, fd))
        return -ENOENT;
    int empty = -1;
    int rc = io_uring_register_files_update(&ring->uring, (unsigned)fd, &empty, 1);
    if (rc < 0)
        return rc;
    ring->_fixed[fd] = 0;
    return 0;
}

/* ====== Simple ops ====== */

int kern_ring_nop(kern_ring_t *ring, kern_op_t *op, kern_op_cb cb)
{
    io_uring_prep_nop(kern_ring_sqe_(ring, op, KERN_OP_PLAIN_, cb));
    return 0;
}

int kern_ring_timeout(kern_ring_t *ring, kern_op_t *op, int64_t timeout_ns, kern_op_cb cb)
{
    if (timeout_ns < 0)
        return -EINVAL;
    struct io_uring_sqe *sqe = kern_ring_sqe_(ring, op, KERN_OP_PLAIN_, cb);
    ns_to_ts(&op->_ts, timeout_ns);
    io_uring_prep_timeout(sqe, &op->_ts, 0, 0);
    return 0;
}

int kern_op_cancel(kern_ring_t *ring, kern_op_t *op)
{
    if (op->_state != KERN_OP_PENDING_)
        return -ENOENT;
    op->_cancelled = true;
    struct io_uring_sqe *sqe = kern_ring_sqe_bare_(ring);
    io_uring_prep_cancel(sqe, op, 0);
    io_uring_sqe_set_data64(sqe, 0);
    if (op->_kind == KERN_OP_SEND_RECV_) {
        /* The send half, if still running; its failure cancels the recv. */
        sqe = kern_ring_sqe_bare_(ring);
        io_uring_prep_cancel64(sqe, (uint64_t)(uintptr_t)op | 1, 0);
        io_uring_sqe_set_data64(sqe, 0);
    }
    return 0;
}

int kern_op_cancel_fd(kern_ring_t *ring, int fd)
{
    struct io_uring_sqe *sqe = kern_ring_sqe_bare_(ring);
    io_uring_prep_cancel_fd(sqe, fd, IORING_ASYNC_CANCEL_ALL);
    io_uring_sqe_set_data64(sqe, 0);
    return 0;
}
