/* Cross-thread ring wake-up (see wake.h and kern_ring_wake in ring.h). */
#include "kernel/wake.h"

#include <errno.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "kernel/assert.h"
#include "kernel/probe.h"

/* The eventfd read is internal: it never counts as in flight. */
static void arm_read(kern_ring_t *ring)
{
    struct io_uring_sqe *sqe = kern_ring_sqe_bare_(ring);
    io_uring_prep_read(sqe, ring->_wake_fd, &ring->_wake_value, sizeof ring->_wake_value, 0);
    io_uring_sqe_set_data(sqe, &ring->_wake_op);
}

int kern_wake_init_(kern_ring_t *ring)
{
    ring->_wake_op._kind = KERN_OP_WAKE_;
    ring->_wake_fail_op._kind = KERN_OP_WAKE_FAIL_;
    atomic_init(&ring->_wake_pending, false);
    atomic_init(&ring->_inbox, NULL);
    /* Blocking on purpose: io_uring honours O_NONBLOCK and would complete the
     * read with -EAGAIN at once instead of waiting. An eventfd is kept even with MSG_RING, for
     * wakers that have no ring of their own (foreign threads); it costs one descriptor per worker.
     */
    int fd = eventfd(0, EFD_CLOEXEC);
    if (fd < 0)
        return -errno;
    ring->_wake_fd = fd;
    arm_read(ring);
    return 0;
}

void kern_wake_destroy_(kern_ring_t *ring)
{
    if (ring->_wake_fd >= 0)
        close(ring->_wake_fd);
    ring->_wake_fd = -1;
}

void kern_wake_on_cqe_(kern_ring_t *ring, int32_t res)
{
    /* res is 8 for the eventfd read, 0 for a MSG_RING post, < 0 when the
     * read failed (-EAGAIN: raced with another read; -ECANCELED at exit). */
    if (res == (int32_t)sizeof ring->_wake_value || res == -EAGAIN) {
        arm_read(ring);
    } else if (res < 0 && res != -ECANCELED && ring->_wake_fd >= 0) {
        arm_read(ring);
    }
    ring->stats.wakes++;
    /* Pairs with the exchange in kern_ring_wake: clear before running so a
     * wake that lands during the callback posts again. */
    atomic_store_explicit(&ring->_wake_pending, false, memory_order_seq_cst);
    if (ring->_wake_cb)
        ring->_wake_cb(ring, ring->_wake_data);
}

static int write_eventfd(kern_ring_t *target)
{
    uint64_t one = 1;
    if (write(target->_wake_fd, &one, sizeof one) == (ssize_t)sizeof one)
        return 0;
    int err = errno;
    /* EAGAIN means the counter is saturated: a wake is certainly pending. */
    return err == EAGAIN ? 0 : -err;
}

void kern_wake_on_send_failed_(kern_op_t *op, int32_t res)
{
    snow_assert(res < 0);
    (void)res;
    write_eventfd(kern_container_of(op, kern_ring_t, _wake_fail_op));
}

void kern_ring_set_wake_cb(kern_ring_t *ring, kern_ring_wake_cb cb, void *data)
{
    ring->_wake_cb = cb;
    ring->_wake_data = data;
}

int kern_ring_wake(kern_ring_t *target, kern_ring_t *from)
{
    if (atomic_exchange_explicit(&target->_wake_pending, true, memory_order_seq_cst))
        return 0;
    if (from != NULL && (from->features & KERN_FEAT_MSG_RING)) {
        struct io_uring_sqe *sqe = kern_ring_sqe_bare_(from);
        io_uring_prep_msg_ring(sqe, target->uring.ring_fd, 0,
                               (uint64_t)(uintptr_t)&target->_wake_op, 0);
        /* Only a failure posts a CQE on from, pointing at target's fail op. */
        sqe->flags |= IOSQE_CQE_SKIP_SUCCESS;
        io_uring_sqe_set_data(sqe, &target->_wake_fail_op);
        int rc = kern_ring_submit(from);
        return rc < 0 ? rc : 0;
    }
    return write_eventfd(target);
}
