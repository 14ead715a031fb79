/* Cross-thread wake-up of a ring (the public call is kern_ring_wake in
 * ring.h; this header holds the ring's hooks).
 *
 * With MSG_RING the waker posts a CQE straight into the target's CQ through
 * its own ring (no syscall on the target side, no descriptor). Without it
 * (SNOW_URING_NO_MSG_RING, or a waker with no ring) the target keeps an
 * eventfd with a read always pending on its ring. Wakes coalesce on
 * _wake_pending: set by the waker with an exchange, cleared by the target
 * before it runs the wake callback, so a wake after the clear is never lost. */
#ifndef SNOW_KERNEL_WAKE_H
#define SNOW_KERNEL_WAKE_H

#include "kernel/ring.h"

/* Sets up the receiving side. Returns 0 or -errno. */
int kern_wake_init_(kern_ring_t *ring);

/* Releases the receiving side (before the ring is torn down). */
void kern_wake_destroy_(kern_ring_t *ring);

/* Handles the wake CQE with result res: re-arms, clears, calls back. */
void kern_wake_on_cqe_(kern_ring_t *ring, int32_t res);

/* Handles the failure CQE (res < 0) of a MSG_RING this thread sent; op is
 * the target ring's _wake_fail_op. Falls back to the target's eventfd so the
 * wake is not lost (MSG_RING fails with -EOVERFLOW when the target's CQ is
 * full). */
void kern_wake_on_send_failed_(kern_op_t *op, int32_t res);

#endif
