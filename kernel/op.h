/* Operation records: what a completion resumes.
 *
 * A kern_op_t is owned by the caller and embedded in whatever waits on the
 * I/O (a process, a connection, a test); the SQE's user_data points at it and
 * nothing is allocated per I/O (TigerBeetle's Completion, STYLE 5). Every
 * function that starts an op takes (ring, ..., op, cb) and follows one rule:
 * if it returns 0 the callback runs exactly once per final completion, on the
 * ring's thread, from kern_ring_run; if it returns -errno the callback never
 * runs. Multishot ops (accept, recv) call cb once per CQE; every call but the
 * last has KERN_OP_F_MORE in op->flags. The op must not move or be reused
 * until its final callback has started; it may be restarted from inside it.
 *
 * Results: op->res is >= 0 on success (bytes, a descriptor) or -errno. An op
 * started with a timeout that expires completes with -ETIMEDOUT; one stopped
 * by kern_op_cancel completes with -ECANCELED (or its real result if it
 * finished first). */
#ifndef SNOW_KERNEL_OP_H
#define SNOW_KERNEL_OP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <linux/time_types.h>

typedef struct kern_ring_t kern_ring_t;
typedef struct kern_buf_t kern_buf_t;
typedef struct kern_buf_group_t kern_buf_group_t;
typedef struct kern_op_t kern_op_t;

/* Runs on the ring's thread when op completes; see the file comment. */
typedef void (*kern_op_cb)(kern_ring_t *ring, kern_op_t *op);

enum {
    KERN_OP_F_MORE = 1u << 0, /* multishot: more callbacks will follow */
};

/* What the dispatcher must do with a CQE before running the callback.
 * Internal: set by the module that starts the op. */
enum {
    KERN_OP_PLAIN_ = 0,
    KERN_OP_RECV_RING_, /* buffer chosen by the kernel from a buffer ring */
    KERN_OP_RECV_POOL_, /* buffer taken from the group's free list by us */
    KERN_OP_SEND_ZC_,   /* two CQEs: result, then the notification */
    KERN_OP_CONNECT_,   /* res becomes the new socket, closed on failure */
    KERN_OP_WAKE_,      /* the ring's own wake-up; never "in flight" */
    KERN_OP_WAKE_FAIL_, /* a MSG_RING wake we sent failed: use the eventfd */
    KERN_OP_SEND_RECV_, /* linked send (silent on success) + recv (sock.h) */
    KERN_OP_POOL_,      /* a blocking-pool job completing into the ring */
};

enum { KERN_OP_IDLE_ = 0, KERN_OP_PENDING_ = 1 };

struct kern_op_t {
    kern_op_cb cb;   /* set by the starting call */
    void *data;      /* the caller's; never touched by kernel/ */
    int32_t res;     /* result of the completion being delivered */
    uint32_t flags;  /* KERN_OP_F_* of the completion being delivered */
    kern_buf_t *buf; /* recv: holds res bytes when res > 0, and the callback
                        takes that reference (kern_buf_unref); else NULL */

    /* Private to kernel/. */
    kern_op_t *_next; /* deferred-completion and pool-inbox lists */
    uint8_t _kind;
    uint8_t _state;
    bool _cancelled;   /* kern_op_cancel was called: keep -ECANCELED */
    bool _timed;       /* a linked timeout guards this op */
    bool _send;        /* a send through the ring: counted in ring->_sends_pending */
    int32_t _fd;       /* connect: the socket being connected; receives: their socket */
    int32_t _zc_res;   /* send_zc: result held until the notification */
    kern_buf_group_t *_group;
    kern_buf_t *_pbuf;            /* recv pool fallback: buffer lent to the kernel */
    struct __kernel_timespec _ts; /* linked timeout; read at submission */
    struct msghdr _msg;           /* sendmsg header; read at submission */
};

/* Returns the struct of type that holds member at p (an op inside a job). */
#define kern_container_of(p, type, member) ((type *)(void *)((char *)(p)-offsetof(type, member)))

/* Returns true while op has a final completion still to deliver. */
static inline bool kern_op_pending(const kern_op_t *op) { return op->_state == KERN_OP_PENDING_; }

/* Asks the kernel to stop op (borrowed, pending on ring). op's callback still
 * runs, with -ECANCELED unless the op completed first (for kern_sock_send_recv
 * both halves are cancelled; a send that already went out stays sent).
 * Returns 0, -ENOENT if op is not pending. Ring's thread. */
int kern_op_cancel(kern_ring_t *ring, kern_op_t *op);

/* Cancels every pending op on descriptor fd. Returns 0 (the callbacks report
 * what happened). A group receive that the same turn restarts after the
 * group's held-back buffers were lent (buf.h, hot reuse) is not caught: to
 * stop a receive for certain, use kern_op_cancel. Ring's thread. */
int kern_op_cancel_fd(kern_ring_t *ring, int fd);

#endif
