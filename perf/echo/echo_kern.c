/* Echo server on kernel/ (see echo.h). One ring, one thread. Two ways to
 * drive a connection, chosen by echo_kern_mode:
 *
 *   ECHO_KERN_MULTISHOT  one multishot receive armed for good; each received
 *                        buffer is written at once (kern_sock_send_now) when
 *                        nothing is queued, else queued and echoed in order,
 *                        one kern_sock_send at a time (the default: measured
 *                        cheaper at 256 connections)
 *   ECHO_KERN_PAIR       one kern_sock_send_recv per round trip: echo the
 *                        buffer just received and receive the next request
 *                        (one io_uring_enter per round trip instead of two,
 *                        but every request re-arms the receive)
 *
 * Either way a received buffer is echoed from the same memory. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/alloc.h"
#include "kernel/buf.h"
#include "kernel/ring.h"
#include "kernel/sock.h"
#include "perf/echo/echo.h"

#define QUEUE_MAX 64

typedef struct conn_t {
    int fd;
    kern_op_t recv_op, send_op, close_op;
    kern_buf_t *queue[QUEUE_MAX]; /* received, not yet fully echoed */
    uint32_t head, count, sent;   /* sent: bytes of queue[head] already out */
    bool sending, reading, closing, starved;
} conn_t;

static kern_buf_group_t group;
static uint32_t live; /* connections accepted and not yet closed */
bool echo_exit_when_idle = false;
echo_kern_mode_t echo_kern_mode = ECHO_KERN_MULTISHOT;
uint32_t echo_kern_bufs = 1024;
uint32_t echo_kern_entries = 1024;
bool echo_kern_send_at_once = true;
bool echo_kern_send_now = true;

/* ====== Request/response pairs ====== */

static void on_closed(kern_ring_t *ring, kern_op_t *op);

static void on_pair(kern_ring_t *ring, kern_op_t *op)
{
    conn_t *c = op->data;
    if (c->queue[0] != NULL) { /* the echo of this buffer is out */
        kern_buf_unref(c->queue[0]);
        c->queue[0] = NULL;
    }
    int rc = op->res;
    if (rc > 0) {
        c->queue[0] = op->buf;
        rc = kern_sock_send_recv(ring, c->fd, op->buf->base, op->buf->len, &group, op, on_pair);
        if (rc == 0)
            return;
        kern_buf_unref(c->queue[0]);
        c->queue[0] = NULL;
    }
    kern_sock_close(ring, c->fd, &c->close_op, on_closed); /* end, reset or no buffer */
}

/* ====== Multishot receive and a send queue ====== */

static void on_recv(kern_ring_t *ring, kern_op_t *op);

static void on_closed(kern_ring_t *ring, kern_op_t *op)
{
    (void)ring;
    kern_free(op->data);
    if (--live == 0 && echo_exit_when_idle)
        exit(0);
}

static void maybe_close(kern_ring_t *ring, conn_t *c)
{
    if (!c->closing || c->sending || c->reading)
        return;
    while (c->count > 0) {
        kern_buf_unref(c->queue[c->head]);
        c->head = (c->head + 1) % QUEUE_MAX;
        c->count--;
    }
    kern_sock_close(ring, c->fd, &c->close_op, on_closed);
}

static void on_send(kern_ring_t *ring, kern_op_t *op);

static void send_head(kern_ring_t *ring, conn_t *c)
{
    kern_buf_t *b = c->queue[c->head];
    c->sending = true;
    kern_sock_send(ring, c->fd, b->base + c->sent, b->len - c->sent, &c->send_op, on_send);
}

static void start_recv(kern_ring_t *ring, conn_t *c)
{
    c->reading = true;
    c->starved = false;
    kern_sock_recv(ring, c->fd, &group, &c->recv_op, on_recv);
}

static void on_send(kern_ring_t *ring, kern_op_t *op)
{
    conn_t *c = op->data;
    c->sending = false;
    if (op->res < 0 || c->closing) {
        c->closing = true;
        if (c->reading)
            kern_op_cancel(ring, &c->recv_op);
        maybe_close(ring, c);
        return;
    }
    c->sent += (uint32_t)op->res;
    kern_buf_t *b = c->queue[c->head];
    if (c->sent == b->len) {
        kern_buf_unref(b);
        c->head = (c->head + 1) % QUEUE_MAX;
        c->count--;
        c->sent = 0;
    }
    if (c->count > 0)
        send_head(ring, c);
    if (c->starved && !c->reading && c->count < QUEUE_MAX)
        start_recv(ring, c);
}

/* Nothing queued: echoes b at once with kern_sock_send_now. Returns true if
 * b is settled (all of it went out, or the connection failed); false with
 * c->sent set to what went out, so b is queued for kern_sock_send. */
static bool echo_now(kern_ring_t *ring, conn_t *c, kern_buf_t *b)
{
    ssize_t n = kern_sock_send_now(ring, c->fd, b->base, b->len);
    if (n == (ssize_t)b->len || (n < 0 && n != -EAGAIN)) {
        kern_buf_unref(b);
        if (n < 0)
            c->closing = true;
        return true;
    }
    c->sent = n > 0 ? (uint32_t)n : 0;
    return false;
}

static void on_recv(kern_ring_t *ring, kern_op_t *op)
{
    conn_t *c = op->data;
    bool more = (op->flags & KERN_OP_F_MORE) != 0;
    if (!more)
        c->reading = false;
    if (op->res > 0) {
        if (c->count == QUEUE_MAX) { /* cannot happen with one client message in flight */
            kern_buf_unref(op->buf);
            c->closing = true;
        } else if (!echo_kern_send_now || c->count > 0 || !echo_now(ring, c, op->buf)) {
            c->queue[(c->head + c->count) % QUEUE_MAX] = op->buf;
            c->count++;
            if (!c->sending)
                send_head(ring, c);
        }
        if (!more && !c->closing)
            start_recv(ring, c);
    } else if (op->res == -ENOBUFS) {
        c->starved = true; /* restarted when one of our sends returns a buffer */
        if (c->count == 0)
            start_recv(ring, c);
    } else {
        c->closing = true;
    }
    maybe_close(ring, c);
}

static void on_accept(kern_ring_t *ring, kern_op_t *op)
{
    if (op->res >= 0) {
        conn_t *c = kern_calloc(1, sizeof *c);
        live++;
        c->fd = op->res;
        kern_ring_register_fd(ring, c->fd); /* best effort: -EOPNOTSUPP when masked */
        c->recv_op.data = c->send_op.data = c->close_op.data = c;
        if (echo_kern_mode == ECHO_KERN_PAIR) {
            if (kern_sock_send_recv(ring, c->fd, NULL, 0, &group, &c->recv_op, on_pair) < 0)
                kern_sock_close(ring, c->fd, &c->close_op, on_closed);
        } else {
            start_recv(ring, c);
        }
    }
    if (!(op->flags & KERN_OP_F_MORE))
        kern_sock_accept(ring, *(int *)op->data, op, on_accept);
}

_Noreturn void echo_kern_serve(int listen_fd, kern_ring_stats_t *stats)
{
    kern_ring_t ring;
    /* send_at_once: an echo leaves as soon as its callback runs instead of
     * waiting in the SQ for the rest of the turn (measured at 256
     * connections: p99 0.74-1.05 of epoll's against 0.95-1.11 batched,
     * CPU per message level). */
    kern_ring_opts_t opts = {.entries = echo_kern_entries, .send_at_once = echo_kern_send_at_once};
    int rc = kern_ring_init(&ring, &opts);
    if (rc == 0)
        rc = kern_buf_group_init(&group, &ring, echo_kern_bufs, 512);
    if (rc < 0) {
        fprintf(stderr, "echo_kern: set-up failed: %s\n", strerror(-rc));
        exit(1);
    }
    kern_op_t accept_op = {.data = &listen_fd};
    kern_sock_accept(&ring, listen_fd, &accept_op, on_accept);
    for (;;) {
        rc = kern_ring_run(&ring, -1);
        /* Only what echo_bench reads: this copy is part of the measured CPU. */
        stats->enters = ring.stats.enters;
        stats->direct_sends = ring.stats.direct_sends;
        stats->recv_restarts = ring.stats.recv_restarts;
        if (rc < 0) {
            fprintf(stderr, "echo_kern: run: %s\n", strerror(-rc));
            exit(1);
        }
    }
}
