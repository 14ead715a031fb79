/* The per-worker io_uring: set-up, submission, completion dispatch.
 *
 * One kern_ring_t per worker thread, used only by that thread (SINGLE_ISSUER)
 * except for kern_ring_wake. Set-up uses the best flags the probe found
 * (SINGLE_ISSUER, DEFER_TASKRUN or else COOP_TASKRUN, registered ring fd).
 * Submissions are batched: starting an op only fills an SQE, and
 * kern_ring_run submits them all with the wait, in the same io_uring_enter
 * (the one exception: kern_sock_send on a quiet ring writes at once, see
 * sock.h, because a ping-pong send has nothing to batch with). A full SQ is flushed and
 * retried, never dropped; -EBUSY (CQ overflow) is handled by reaping.
 *
 * kern_ring_run copies each CQE out and advances the CQ past it before running
 * its callback, so callbacks may start new ops freely (no recursion). It also
 * fires expired timers (timer.h), delivers blocking-pool results (pool.h) and
 * wake-ups (kern_ring_wake). */
#ifndef SNOW_KERNEL_RING_H
#define SNOW_KERNEL_RING_H

#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <liburing.h>

#include "kernel/assert.h"
#include "kernel/op.h"

typedef struct kern_timer_t kern_timer_t;

/* Called on the ring's thread after kern_ring_wake from any thread. */
typedef void (*kern_ring_wake_cb)(kern_ring_t *ring, void *data);

typedef struct kern_ring_opts_t {
    uint32_t entries;      /* SQ size, power of two; 0 means 256; max 32768 */
    uint32_t feature_mask; /* features NOT to use, on top of the env mask */
    uint32_t files;        /* registered file table slots (REG_FILES); 0 means 4096 */
    /* Latency over batching: kern_sock_send writes at once (DIRECT_SEND)
     * whenever no ring send is pending, not only on a quiet turn, so a reply
     * never waits in the SQ for the rest of the turn's callbacks (one send(2)
     * per message instead of one io_uring_enter per turn). See sock.h. */
    bool send_at_once;
} kern_ring_opts_t;

/* Counters for --profile and benchmarks; read them on the ring's thread. */
typedef struct kern_ring_stats_t {
    uint64_t sqes;          /* SQEs taken */
    uint64_t cqes;          /* CQEs reaped */
    uint64_t callbacks;     /* op callbacks run (multishot: one per CQE) */
    uint64_t enters;        /* io_uring_enter calls (counted when liburing must enter) */
    uint64_t waits;         /* of those, calls that could sleep for a completion */
    uint64_t sq_full;       /* times an SQE was needed and the SQ was full */
    uint64_t wakes;         /* wake-ups received (MSG_RING or eventfd) */
    uint64_t direct_sends;  /* kern_sock_send calls done with send(2) at once (sock.h) */
    uint64_t recv_restarts; /* receives restarted after a -ENOBUFS cured by buf.c */
} kern_ring_stats_t;

struct kern_ring_t {
    /* Owned by the ring's thread. */
    kern_ring_stats_t stats;
    struct io_uring uring;
    uint32_t features; /* kern_probe features this ring uses */
    uint32_t entries;
    int64_t _in_flight;         /* caller ops with a final completion to come */
    uint32_t _sends_pending;    /* sends started through the ring, final CQE not delivered */
    bool _quiet;                /* last run reaped <= 1 CQE, no direct send since */
    bool _send_at_once;         /* kern_ring_opts_t.send_at_once */
    struct io_uring_cqe *_cqes; /* reaped, not yet dispatched */
    uint32_t _cqes_count, _cqes_cap, _cqes_index;
    kern_op_t *_deferred_head, *_deferred_tail; /* completions made by us */
    kern_timer_t **_heap;                       /* timer min-heap on deadline (timer.c) */
    uint32_t _heap_count, _heap_cap;
    uint32_t _timers_fired;    /* guards against re-firing in one run */
    kern_buf_group_t *_groups; /* registered groups, for remote returns */
    uint16_t _next_bgid;
    uint32_t _files_count;   /* registered file table size; slot index == fd */
    uint8_t *_fixed;         /* _fixed[fd] != 0: fd is in the table */
    kern_op_t _wake_op;      /* receives MSG_RING / eventfd wake-ups */
    kern_op_t _wake_fail_op; /* user_data of MSG_RINGs sent TO this ring */
    int _wake_fd;            /* eventfd fallback, or -1 */
    uint64_t _wake_value;    /* eventfd read target */
    kern_ring_wake_cb _wake_cb;
    void *_wake_data;

    /* Written by other threads (kern_ring_wake, pool threads). */
    alignas(64) atomic_bool _wake_pending; /* a wake is on its way */
    _Atomic(kern_op_t *) _inbox;           /* pool completions, LIFO */
    atomic_int _wakers;                    /* pool threads between inbox push and wake */
};

/* Sets up ring (caller-owned storage) on the calling thread, which becomes its
 * only user. opts may be NULL. Returns 0 or -errno (-ENOMEM: raise
 * RLIMIT_MEMLOCK; -EPERM: io_uring disabled by sysctl). */
int kern_ring_init(kern_ring_t *ring, const kern_ring_opts_t *opts);

/* Tears ring down; no op may be pending (asserted) and every buffer group must
 * be destroyed first. Ring's thread. */
void kern_ring_destroy(kern_ring_t *ring);

/* Submits queued SQEs without waiting. Returns the count submitted or -errno. */
int kern_ring_submit(kern_ring_t *ring);

/* Submits, waits up to timeout_ns for a completion (0: do not wait, < 0: wait
 * without limit; an armed timer shortens the wait), then runs every ready
 * callback, pool result, wake-up and expired timer. Returns how many callbacks
 * ran, or -errno on a ring failure. Ring's thread. */
int kern_ring_run(kern_ring_t *ring, int64_t timeout_ns);

/* Returns the number of caller ops whose final completion is still to come. */
static inline int64_t kern_ring_in_flight(const kern_ring_t *ring) { return ring->_in_flight; }

/* Sets the callback run on the ring's thread after each kern_ring_wake (the
 * scheduler drains its remote queue there). cb may be NULL. */
void kern_ring_set_wake_cb(kern_ring_t *ring, kern_ring_wake_cb cb, void *data);

/* Wakes target (borrowed) out of kern_ring_run and runs its wake callback.
 * Several wakes before target runs coalesce into one. from is the calling
 * thread's own ring or NULL; with MSG_RING the wake travels through from's
 * ring, else through target's eventfd. Returns 0 or -errno. Any thread. */
int kern_ring_wake(kern_ring_t *target, kern_ring_t *from);

/* Installs fd (still the caller's) in the ring's file table, so that ops on
 * fd skip the kernel's per-op descriptor lookup: that lookup is an atomic
 * reference-count pair in a multi-threaded process, which is what every Snow
 * program is, so it pays for long-lived sockets. Unregister before closing fd
 * yourself (kern_sock_close and kern_file_close do it for you): the table
 * keeps the file open. Returns 0, -EOPNOTSUPP without REG_FILES, -ENOSPC when
 * fd >= the table size, or -errno. One syscall. Ring's thread. */
int kern_ring_register_fd(kern_ring_t *ring, int fd);

/* Removes fd from the file table. Returns 0, -ENOENT if it was not there. */
int kern_ring_unregister_fd(kern_ring_t *ring, int fd);

/* Returns true if fd is in ring's file table. */
static inline bool kern_ring_fd_registered(const kern_ring_t *ring, int fd)
{
    return fd >= 0 && (uint32_t)fd < ring->_files_count && ring->_fixed[fd] != 0;
}

/* Starts a no-op; cb runs with res 0. For tests and for yielding. */
int kern_ring_nop(kern_ring_t *ring, kern_op_t *op, kern_op_cb cb);

/* Completes op after timeout_ns with res -ETIME (a one-off ring timeout;
 * timer.h is the cheaper way to keep many timers). */
int kern_ring_timeout(kern_ring_t *ring, kern_op_t *op, int64_t timeout_ns, kern_op_cb cb);

/* ---- For kernel/ modules only (sock, file, buf, pool, tls) ---- */

/* Returns an SQE for op, flushing the SQ when full; marks op pending with
 * kind and cb and points user_data at it. Never fails. */
struct io_uring_sqe *kern_ring_sqe_(kern_ring_t *ring, kern_op_t *op, uint8_t kind, kern_op_cb cb);

/* Returns a bare SQE whose CQE is ignored (user_data 0). Never fails. */
struct io_uring_sqe *kern_ring_sqe_bare_(kern_ring_t *ring);

/* Points sqe (prepared on fd) at fd's file-table slot if fd is registered. */
static inline void kern_ring_use_fd_(const kern_ring_t *ring, struct io_uring_sqe *sqe, int fd)
{
    if (kern_ring_fd_registered(ring, fd))
        sqe->flags |= IOSQE_FIXED_FILE; /* sqe->fd already holds fd == the slot */
}

/* Marks op (just taken by kern_ring_sqe_) as a send: while any such op is
 * pending, kern_sock_send never writes directly, so bytes on one socket keep
 * the order in which their sends were started. */
static inline void kern_ring_mark_send_(kern_ring_t *ring, kern_op_t *op)
{
    op->_send = true;
    ring->_sends_pending++;
}

/* Makes sure n SQEs can be taken back to back (for linked pairs). */
void kern_ring_reserve_(kern_ring_t *ring, unsigned n);

/* Links a timeout of timeout_ns to sqe (just taken for op). Call
 * kern_ring_reserve_(ring, 2) before taking sqe. */
void kern_ring_link_timeout_(kern_ring_t *ring, kern_op_t *op, struct io_uring_sqe *sqe,
                             int64_t timeout_ns);

/* Queues op's final completion with res; it is delivered by kern_ring_run like
 * a CQE. Marks op pending with cb (callers use this for synchronous results so
 * that the callback still runs from the loop). Inline: every direct send
 * (sock.h) ends here. */
static inline void kern_ring_complete_(kern_ring_t *ring, kern_op_t *op, int32_t res, kern_op_cb cb)
{
    snow_assert(op->_state == KERN_OP_IDLE_);
    op->cb = cb;
    op->res = res;
    op->buf = NULL;
    op->_kind = KERN_OP_PLAIN_; /* not timed, not a ring send: see ring.c dispatch_deferred */
    op->_state = KERN_OP_PENDING_;
    op->_next = NULL;
    ring->_in_flight++;
    if (ring->_deferred_tail)
        ring->_deferred_tail->_next = op;
    else
        ring->_deferred_head = op;
    ring->_deferred_tail = op;
}

#endif
