/* kernel/tls_stream: the TLS engine over a socket, through the ring.
 *
 * Everything funnels into pump(): it runs the pending operations against the
 * engine, ends the receive loan, starts a send when the engine has output and
 * none is in flight, starts a recv when an operation waits for input, and
 * queues finished operations for delivery. Deliveries go through
 * kern_ring_complete_, so user callbacks always run from kern_ring_run and
 * never inside pump: a callback may start the next operation or destroy the
 * stream without pulling it out from under us. */
#include "kernel/tls_stream.h"

#include <errno.h>
#include <string.h>

#include "kernel/alloc.h"
#include "kernel/assert.h"
#include "kernel/buf.h"
#include "kernel/sock.h"

enum { SLOT_IDLE = 0, SLOT_HANDSHAKE, SLOT_READ, SLOT_WRITE, SLOT_SHUTDOWN };

static void pump(kern_tls_stream_t *s);
static bool wants_input(const kern_tls_stream_t *s, const kern_tls_stream_slot_t *slot);

static void init_common(kern_tls_stream_t *s, kern_ring_t *ring, int fd, kern_tls_conn_t *conn)
{
    memset(s, 0, sizeof *s);
    s->ring = ring;
    s->fd = fd;
    s->conn = conn;
    s->_recv_op.data = s;
    s->_send_op.data = s;
    s->_rd_op.data = s;
    s->_wr_op.data = s;
    s->_timer.data = s;
    s->_retry.data = s;
}

void kern_tls_stream_init(kern_tls_stream_t *s, kern_ring_t *ring, int fd, kern_tls_conn_t *conn)
{
    init_common(s, ring, fd, conn);
    s->_rbuf = kern_alloc(KERN_TLS_STREAM_RECV_SIZE);
}

void kern_tls_stream_init_shared(kern_tls_stream_t *s, kern_ring_t *ring, int fd,
                                 kern_tls_conn_t *conn, kern_buf_group_t *group)
{
    snow_assert(group->ring == ring);
    init_common(s, ring, fd, conn);
    s->_group = group;
}

bool kern_tls_stream_busy(const kern_tls_stream_t *s)
{
    return s->_rd.kind != SLOT_IDLE || s->_wr.kind != SLOT_IDLE || kern_op_pending(&s->_recv_op) ||
           kern_op_pending(&s->_send_op);
}

void kern_tls_stream_destroy(kern_tls_stream_t *s)
{
    snow_assert(!kern_tls_stream_busy(s));
    if (kern_timer_armed(&s->_timer))
        kern_timer_stop(s->ring, &s->_timer);
    if (kern_timer_armed(&s->_retry))
        kern_timer_stop(s->ring, &s->_retry);
    for (uint32_t i = 0; i < s->_held_count; i++)
        kern_buf_unref(s->_held[(s->_held_head + i) % KERN_TLS_STREAM_HELD_MAX]);
    s->_held_count = 0;
    if (s->_sending)
        kern_buf_unref(s->_sending);
    kern_free(s->_rbuf);
    s->_rbuf = NULL;
    s->_sending = NULL;
}

/* {====== Ring ops: recv, send, timer */

static void on_recv(kern_ring_t *ring, kern_op_t *op)
{
    (void)ring;
    kern_tls_stream_t *s = op->data;
    int res = op->res;
    if (res > 0) {
        /* Lent, not copied: pump ends the loan before the next recv. */
        int rc = kern_tls_feed_borrow(s->conn, s->_rbuf, (size_t)res);
        snow_assert(rc == 0); /* recv_wanted left room for a full buffer */
    } else if (res == 0) {
        s->_eof = true;
        kern_tls_feed_eof(s->conn);
    } else if (res == -ECANCELED && s->_recv_paused) {
        s->_recv_paused = false; /* disarmed by kern_tls_stream_cancel */
    } else if (!s->_fail) {
        s->_fail = res;
    }
    pump(s);
}

/* Shared-buffer mode: received buffers wait here (in arrival order) until
 * the engine's inbound queue has room for them. */
static void hold(kern_tls_stream_t *s, kern_buf_t *b)
{
    snow_assert(s->_held_count < KERN_TLS_STREAM_HELD_MAX);
    s->_held[(s->_held_head + s->_held_count) % KERN_TLS_STREAM_HELD_MAX] = b;
    s->_held_count++;
}

static void on_retry(kern_ring_t *ring, kern_timer_t *t)
{
    (void)ring;
    pump(t->data);
}

static void on_recv_shared(kern_ring_t *ring, kern_op_t *op)
{
    (void)ring;
    kern_tls_stream_t *s = op->data;
    int res = op->res;
    if (res > 0) {
        hold(s, op->buf); /* takes the callback's reference */
        op->buf = NULL;
    } else if (res == 0) {
        s->_eof = true; /* fed to the engine once the held data is */
    } else if (res == -ENOBUFS) {
        /* Every buffer of the group is out (held by streams whose readers
         * are slow): try again shortly rather than spin. */
        if (!kern_timer_armed(&s->_retry))
            kern_timer_start(s->ring, &s->_retry, 2000000, on_retry);
    } else if (res == -ECANCELED && (s->_fail || s->_recv_paused)) {
        /* our own cancel: a failure, or the engine's queue is full */
    } else if (!s->_fail) {
        s->_fail = res;
    }
    pump(s);
}

/* Moves held buffers into the engine while it has room: the newest one is
 * lent (no copy), older ones copied so they can go back to the group. */
static void feed_held(kern_tls_stream_t *s)
{
    while (s->_held_count > 0) {
        kern_buf_t *b = s->_held[s->_held_head];
        if (kern_tls_pending_in(s->conn) + b->len > KERN_TLS_IN_MAX)
            return;
        int rc;
        if (s->_held_count == 1 && !s->_lent) {
            rc = kern_tls_feed_borrow(s->conn, b->base, b->len);
            s->_lent = b;
        } else {
            rc = kern_tls_feed(s->conn, b->base, b->len);
            kern_buf_unref(b);
        }
        snow_assert(rc == 0);
        s->_held_head = (s->_held_head + 1) % KERN_TLS_STREAM_HELD_MAX;
        s->_held_count--;
    }
    if (s->_eof && !s->_eof_fed) {
        kern_tls_feed_eof(s->conn);
        s->_eof_fed = true;
    }
}

/* Shared-buffer mode receive control: one (multishot where the ring has it)
 * recv runs while input is wanted and the engine has room; when its queue is
 * full the recv is cancelled so this stream stops taking group buffers. */
static void recv_shared(kern_tls_stream_t *s)
{
    bool pending = kern_op_pending(&s->_recv_op);
    bool room = kern_tls_pending_in(s->conn) + s->_group->size <= KERN_TLS_IN_MAX &&
                s->_held_count < KERN_TLS_STREAM_HELD_MAX / 2;
    if (pending) {
        if (!room && !s->_recv_paused) {
            s->_recv_paused = true;
            kern_op_cancel(s->ring, &s->_recv_op);
        }
        return;
    }
    if (s->_fail || s->_eof || !room || s->_held_count > 0 || kern_timer_armed(&s->_retry))
        return;
    if (!wants_input(s, &s->_rd) && !wants_input(s, &s->_wr))
        return;
    s->_recv_paused = false;
    int rc = kern_sock_recv(s->ring, s->fd, s->_group, &s->_recv_op, on_recv_shared);
    if (rc < 0)
        s->_fail = rc;
}

static void start_send(kern_tls_stream_t *s);

static void on_send(kern_ring_t *ring, kern_op_t *op)
{
    (void)ring;
    kern_tls_stream_t *s = op->data;
    if (op->res <= 0) {
        /* 0 bytes for a non-empty send would repeat forever: a dead peer. */
        if (!s->_fail)
            s->_fail = op->res < 0 ? op->res : -EPIPE;
    } else {
        s->_sent += (size_t)op->res;
    }
    if (s->_fail || s->_sent == s->_sending->len) {
        kern_buf_unref(s->_sending);
        s->_sending = NULL;
        s->_sent = 0;
    } else {
        start_send(s); /* a short send: the rest of the same buffer */
    }
    pump(s);
}

static void start_send(kern_tls_stream_t *s)
{
    const char *p = s->_sending->base + s->_sent;
    size_t len = s->_sending->len - s->_sent;
    int rc = kern_sock_send(s->ring, s->fd, p, len, &s->_send_op, on_send);
    if (rc < 0) {
        s->_fail = rc;
        kern_buf_unref(s->_sending);
        s->_sending = NULL;
        s->_sent = 0;
    }
}

static void on_timeout(kern_ring_t *ring, kern_timer_t *t)
{
    (void)ring;
    kern_tls_stream_t *s = t->data;
    /* Only a handshake or shutdown still in progress can time out; one that
     * finished and waits for delivery keeps its result. */
    bool timed = s->_wr.kind == SLOT_HANDSHAKE || s->_wr.kind == SLOT_SHUTDOWN;
    if (!timed || s->_wr.done)
        return;
    if (!s->_fail)
        s->_fail = -ETIMEDOUT;
    pump(s);
}

/* }====== */

/* {====== Operations against the engine */

/* Runs one pending operation as far as the engine lets it. */
static void advance(kern_tls_stream_t *s, kern_tls_stream_slot_t *slot)
{
    if (slot->done)
        return;
    int rc;
    switch (slot->kind) {
    case SLOT_HANDSHAKE:
        rc = kern_tls_handshake(s->conn);
        break;
    case SLOT_READ:
        rc = kern_tls_read(s->conn, slot->buf, slot->len);
        break;
    case SLOT_WRITE:
        do {
            rc = kern_tls_write(s->conn, (const char *)slot->buf + slot->done_len,
                                slot->len - slot->done_len);
            if (rc > 0)
                slot->done_len += (size_t)rc;
        } while (rc > 0 && slot->done_len < slot->len);
        if (rc > 0)
            rc = (int)slot->len;
        break;
    case SLOT_SHUTDOWN:
        rc = kern_tls_shutdown(s->conn);
        break;
    default:
        return;
    }
    if (rc == -EAGAIN)
        return;
    slot->done = true;
    slot->result = rc;
}

/* True when slot is stuck on input (rather than on output space). */
static bool wants_input(const kern_tls_stream_t *s, const kern_tls_stream_slot_t *slot)
{
    if (slot->kind == SLOT_IDLE || slot->done)
        return false;
    if (slot->kind == SLOT_WRITE)
        return !kern_tls_handshake_done(s->conn);
    return true;
}

static bool recv_wanted(const kern_tls_stream_t *s)
{
    if (s->_group || s->_fail || s->_eof || kern_op_pending(&s->_recv_op))
        return false;
    if (kern_tls_pending_in(s->conn) + KERN_TLS_STREAM_RECV_SIZE > KERN_TLS_IN_MAX)
        return false;
    return wants_input(s, &s->_rd) || wants_input(s, &s->_wr);
}

/* A failure is reported once the stream's ring ops are over; a success once
 * its output is on the wire (reads need not wait). */
static bool deliverable(const kern_tls_stream_t *s, const kern_tls_stream_slot_t *slot)
{
    if (!slot->done || kern_op_pending(slot == &s->_rd ? &s->_rd_op : &s->_wr_op))
        return false;
    bool ops_idle = !kern_op_pending(&s->_recv_op) && !kern_op_pending(&s->_send_op);
    if (slot->result < 0)
        return ops_idle;
    if (slot->kind == SLOT_READ)
        return true;
    return !s->_sending && kern_tls_pending_out(s->conn, NULL) == 0;
}

static void on_delivered(kern_ring_t *ring, kern_op_t *op)
{
    (void)ring;
    kern_tls_stream_t *s = op->data;
    kern_tls_stream_slot_t *slot = op == &s->_rd_op ? &s->_rd : &s->_wr;
    kern_tls_stream_cb cb = slot->cb;
    int res = op->res;
    if (slot->kind == SLOT_HANDSHAKE || slot->kind == SLOT_SHUTDOWN)
        kern_timer_stop(s->ring, &s->_timer);
    memset(slot, 0, sizeof *slot);
    cb(s, res); /* may start operations or destroy s: touch nothing after */
}

static void deliver(kern_tls_stream_t *s, kern_tls_stream_slot_t *slot)
{
    if (!deliverable(s, slot))
        return;
    kern_op_t *op = slot == &s->_rd ? &s->_rd_op : &s->_wr_op;
    kern_ring_complete_(s->ring, op, slot->result, on_delivered);
}

/* The transport failed (or timed out, or was cancelled): every operation
 * not yet delivered ends with that failure, including a finished write
 * whose output can no longer reach the wire. A read that already has its
 * bytes keeps them. */
static void fail_pending(kern_tls_stream_t *s)
{
    kern_tls_stream_slot_t *slots[2] = {&s->_rd, &s->_wr};
    kern_op_t *ops[2] = {&s->_rd_op, &s->_wr_op};
    for (int i = 0; i < 2; i++) {
        kern_tls_stream_slot_t *slot = slots[i];
        if (slot->kind == SLOT_IDLE || kern_op_pending(ops[i]))
            continue;
        if (!slot->done || (slot->result >= 0 && slot->kind != SLOT_READ)) {
            slot->done = true;
            slot->result = s->_fail;
        }
    }
    if (kern_op_pending(&s->_recv_op))
        kern_op_cancel(s->ring, &s->_recv_op);
    if (kern_op_pending(&s->_send_op))
        kern_op_cancel(s->ring, &s->_send_op);
}

static void pump(kern_tls_stream_t *s)
{
    snow_assert(!s->_pumping);
    s->_pumping = true;
    if (s->_group)
        feed_held(s);
    if (!s->_fail) {
        advance(s, &s->_wr);
        if (!s->_rd.done)
            advance(s, &s->_rd);
    }
    /* Any lent bytes the engine did not take are copied before rbuf is
     * reused by the next recv (or the lent group buffer goes back). */
    kern_tls_end_loan(s->conn);
    if (s->_lent) {
        kern_buf_unref(s->_lent);
        s->_lent = NULL;
    }
    if (!s->_fail && !s->_sending) {
        s->_sending = kern_tls_take_out(s->conn);
        if (s->_sending)
            start_send(s);
    }
    if (s->_group)
        recv_shared(s);
    else if (recv_wanted(s)) {
        int rc = kern_sock_recv_into(s->ring, s->fd, s->_rbuf, KERN_TLS_STREAM_RECV_SIZE, -1,
                                     &s->_recv_op, on_recv);
        if (rc < 0)
            s->_fail = rc;
    }
    if (s->_fail)
        fail_pending(s);
    bool failed = (s->_rd.done && s->_rd.result < 0) || (s->_wr.done && s->_wr.result < 0);
    if (failed && kern_op_pending(&s->_recv_op))
        kern_op_cancel(s->ring, &s->_recv_op); /* the engine failed: no more input */
    deliver(s, &s->_rd);
    deliver(s, &s->_wr);
    s->_pumping = false;
}

/* }====== */

/* {====== Starting operations */

static int start(kern_tls_stream_t *s, kern_tls_stream_slot_t *slot, uint8_t kind, void *buf,
                 size_t len, kern_tls_stream_cb cb)
{
    if (slot->kind != SLOT_IDLE)
        return -EBUSY;
    *slot = (kern_tls_stream_slot_t){.kind = kind, .buf = buf, .len = len, .cb = cb};
    if (s->_fail) {
        slot->done = true;
        slot->result = s->_fail;
    }
    pump(s);
    return 0;
}

static void arm_timer(kern_tls_stream_t *s, int64_t timeout_ns)
{
    if (timeout_ns >= 0)
        kern_timer_start(s->ring, &s->_timer, timeout_ns, on_timeout);
}

int kern_tls_stream_handshake(kern_tls_stream_t *s, int64_t timeout_ns, kern_tls_stream_cb cb)
{
    if (s->_rd.kind != SLOT_IDLE || s->_wr.kind != SLOT_IDLE)
        return -EBUSY;
    arm_timer(s, timeout_ns);
    return start(s, &s->_wr, SLOT_HANDSHAKE, NULL, 0, cb);
}

int kern_tls_stream_read(kern_tls_stream_t *s, void *buf, size_t len, kern_tls_stream_cb cb)
{
    snow_assert(len > 0);
    if (s->_wr.kind == SLOT_HANDSHAKE)
        return -EBUSY;
    return start(s, &s->_rd, SLOT_READ, buf, len, cb);
}

int kern_tls_stream_write(kern_tls_stream_t *s, const void *buf, size_t len, kern_tls_stream_cb cb)
{
    snow_assert(len > 0 && len <= INT32_MAX);
    return start(s, &s->_wr, SLOT_WRITE, (void *)buf, len, cb);
}

int kern_tls_stream_shutdown(kern_tls_stream_t *s, int64_t timeout_ns, kern_tls_stream_cb cb)
{
    if (s->_wr.kind != SLOT_IDLE)
        return -EBUSY;
    arm_timer(s, timeout_ns);
    return start(s, &s->_wr, SLOT_SHUTDOWN, NULL, 0, cb);
}

void kern_tls_stream_cancel(kern_tls_stream_t *s)
{
    bool ops = s->_rd.kind != SLOT_IDLE || s->_wr.kind != SLOT_IDLE;
    if (ops && !s->_fail)
        s->_fail = -ECANCELED;
    if (!ops && kern_op_pending(&s->_recv_op)) {
        /* Shared mode between operations: just disarm the recv. */
        s->_recv_paused = true;
        kern_op_cancel(s->ring, &s->_recv_op);
        return;
    }
    if (ops)
        pump(s);
}

/* }====== */
