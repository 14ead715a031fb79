/* conn.c: the connection process — read, parse, frame the body, run the
 * handler, send, and again for keep-alive (see conn.h). */
#define _GNU_SOURCE 1 /* memmem */
#include "ws/conn.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "kernel/alloc.h"
#include "kernel/assert.h"
#include "kernel/sock.h"
#include "kernel/tls.h"
#include "kernel/tls_stream.h"
#include "lang/std/ctx.h"
#include "sched/link.h"
#include "sched/reason.h"
#include "sched/worker.h"
#include "ws/http_chunked.h"
#include "ws/http_response.h"

enum {
    BUF_BYTES_MIN = 4096, /* first allocation: most requests fit */
    LINGER_MS = 200,      /* drain unread input before closing after an error */
    LINGER_BYTES_MAX = 256 * 1024,
    OUT_BYTES_MAX = 64 * 1024, /* held responses of pipelined requests */
};

struct ws_conn_t {
    snow_ctx_t cx; /* first is not needed: container_of finds the conn */
    ws_listener_t *l;
    ws_server_t *srv;
    sched_proc_t *proc;
    kern_ring_t *ring;
    int fd;
    bool idle;       /* waiting for the first byte of a request */
    bool in_handler; /* a panic now answers 500 */
    bool head_req;   /* the request being handled is HEAD */
    char *buf;       /* received bytes [0, len); the current request starts at start */
    size_t len, cap, start;
    /* Responses held back while pipelined requests are buffered: sent with
     * the next response that is not held, in one send (conn_respond). */
    char *out;
    size_t out_len, out_cap;
    kern_op_t op;
    uint64_t deadline_ns; /* a swept recv in flight times out then; 0: none */
    bool swept_out;       /* the sweep cancelled that recv */
    ws_conn_t *prev, *next; /* the listener's list */
    /* HTTPS (serve_tls): the engine connection and its stream over fd. */
    kern_tls_conn_t *tconn;
    kern_tls_stream_t tls;
    kern_timer_t tls_timer; /* a read's timeout: the stream has none */
    int tls_res;
    bool tls_timed_out;
};

/* {====== I/O: start an op, park, resume on its completion */

static void io_done(kern_ring_t *ring, kern_op_t *op)
{
    (void)ring;
    sched_proc_unpark(op->data);
}

/* {====== TLS: the same calls over kern_tls_stream */

static void tls_done(kern_tls_stream_t *s, int res)
{
    ws_conn_t *c = s->data;
    c->tls_res = res;
    sched_proc_unpark(c->proc);
}

static void tls_timeout(kern_ring_t *ring, kern_timer_t *t)
{
    (void)ring;
    ws_conn_t *c = t->data;
    c->tls_timed_out = true;
    kern_tls_stream_cancel(&c->tls); /* the read completes with -ECANCELED */
}

/* Parks until the stream operation just started completes; a timeout_ms
 * >= 0 cancels it after that long. Returns its result or -ETIMEDOUT. */
static int tls_wait(ws_conn_t *c, int64_t timeout_ms)
{
    c->tls_timed_out = false;
    if (timeout_ms >= 0) {
        c->tls_timer.data = c;
        kern_timer_start(c->ring, &c->tls_timer, timeout_ms * 1000000, tls_timeout);
    }
    sched_proc_park();
    kern_timer_stop(c->ring, &c->tls_timer);
    return c->tls_timed_out ? -ETIMEDOUT : c->tls_res;
}

static int tls_recv(ws_conn_t *c, int64_t timeout_ms)
{
    int rc = kern_tls_stream_read(&c->tls, c->buf + c->len, c->cap - c->len, tls_done);
    return rc < 0 ? rc : tls_wait(c, timeout_ms);
}

static int tls_send(ws_conn_t *c, const struct iovec *iov, int n)
{
    for (int i = 0; i < n; i++) {
        if (iov[i].iov_len == 0)
            continue;
        int rc = kern_tls_stream_write(&c->tls, iov[i].iov_base, iov[i].iov_len, tls_done);
        if (rc < 0 || (rc = tls_wait(c, -1)) < 0)
            return rc;
    }
    return 0;
}

/* Sets up the engine connection and runs the handshake (bounded by the
 * read timeout; services.md 1.8: inside the connection's process, never in
 * the accept loop). Returns 0 or -errno. */
static int tls_start(ws_conn_t *c)
{
    int rc = kern_tls_conn_new(c->srv->cfg.tls, NULL, &c->tconn);
    if (rc < 0)
        return rc;
    kern_tls_stream_init(&c->tls, c->ring, c->fd, c->tconn);
    c->tls.data = c;
    rc = kern_tls_stream_handshake(&c->tls, c->srv->cfg.read_timeout_ms * 1000000, tls_done);
    return rc < 0 ? rc : tls_wait(c, -1);
}

/* Ends a healthy session cleanly (RFC 8446 6.1): our close_notify, then
 * the peer's awaited for at most LINGER_MS (a peer that just closes its
 * socket ends the wait at once). Without it a client cannot tell our close
 * from a truncation. A failed stream refuses the write (-EPIPE) at once. */
static void tls_close_notify(ws_conn_t *c)
{
    if (kern_tls_stream_busy(&c->tls) || !kern_tls_handshake_done(c->tconn))
        return;
    if (kern_tls_stream_shutdown(&c->tls, (int64_t)LINGER_MS * 1000000, tls_done) == 0)
        (void)tls_wait(c, -1);
}

/* Releases the stream once its ring ops are over. On a process only. */
static void tls_end(ws_conn_t *c)
{
    if (!c->tconn)
        return;
    tls_close_notify(c);
    if (kern_tls_stream_busy(&c->tls))
        kern_tls_stream_cancel(&c->tls);
    for (int i = 0; i < 1000 && kern_tls_stream_busy(&c->tls); i++)
        sched_proc_sleep(1);
    if (!kern_tls_stream_busy(&c->tls)) {
        kern_tls_stream_destroy(&c->tls);
        kern_tls_conn_free(c->tconn);
    } /* else: the ring never finished; leak rather than free memory it uses */
    c->tconn = NULL;
}

/* }====== */

static int conn_flush(ws_conn_t *c);

/* {====== Read timeouts: one sweep per worker
 *
 * A recv with a linked timeout costs a second SQE, a second CQE and the
 * kernel's arming and disarming of a timer on every request (about 4 % of
 * the server's CPU at 256 connections, docs/performance.md). The reads of
 * requests and bodies instead note a deadline, and one timer per listener
 * walks that worker's connections every sweep period and cancels the recvs
 * past theirs. A timeout fires up to one period late: an eighth of the
 * shorter of the read and idle timeouts, between 1 ms and 1 s. */

static int64_t sweep_period_ns(const ws_server_config_t *cfg)
{
    int64_t ms = cfg->read_timeout_ms < cfg->idle_timeout_ms ? cfg->read_timeout_ms
                                                             : cfg->idle_timeout_ms;
    ms /= 8;
    ms = ms < 1 ? 1 : ms > 1000 ? 1000 : ms;
    return ms * 1000000;
}

static void conn_sweep(kern_ring_t *ring, kern_timer_t *t)
{
    ws_listener_t *l = t->data;
    uint64_t now = kern_timer_now_ns();
    for (ws_conn_t *c = l->conns; c; c = c->next) {
        if (c->deadline_ns != 0 && c->deadline_ns <= now && kern_op_pending(&c->op)) {
            c->deadline_ns = 0;
            c->swept_out = true;
            kern_op_cancel(ring, &c->op); /* the recv completes with -ECANCELED */
        }
    }
    if (l->conns)
        kern_timer_start(ring, t, sweep_period_ns(&l->srv->cfg), conn_sweep);
}

/* Keeps the sweep armed while l has connections. l's worker thread. */
static void sweep_start(ws_listener_t *l, kern_ring_t *ring)
{
    if (kern_timer_armed(&l->sweep))
        return;
    l->sweep.data = l;
    kern_timer_start(ring, &l->sweep, sweep_period_ns(&l->srv->cfg), conn_sweep);
}

/* }====== */

/* Receives into the buffer's free room. With swept, the timeout is the
 * sweep's (see above); without, the recv carries a linked timeout (exact,
 * for the short linger). Returns bytes, 0 at end of stream, or -errno
 * (-ETIMEDOUT after timeout_ms). */
static int conn_recv_as(ws_conn_t *c, int64_t timeout_ms, bool swept)
{
    snow_assert(c->cap > c->len);
    /* Never wait for input while responses are held: the peer may be
     * waiting for them before it sends more. */
    int frc = conn_flush(c);
    if (frc < 0)
        return frc;
    if (c->tconn)
        return tls_recv(c, timeout_ms);
    c->op.data = c->proc;
    int64_t ns = timeout_ms < 0 ? -1 : timeout_ms * 1000000;
    c->swept_out = false;
    if (swept && ns >= 0) {
        c->deadline_ns = kern_timer_now_ns() + (uint64_t)ns;
        ns = -1;
    }
    int rc =
        kern_sock_recv_into(c->ring, c->fd, c->buf + c->len, c->cap - c->len, ns, &c->op, io_done);
    if (rc < 0) {
        c->deadline_ns = 0;
        return rc;
    }
    sched_proc_park();
    c->deadline_ns = 0;
    if (c->swept_out && c->op.res == -ECANCELED)
        return -ETIMEDOUT;
    return c->op.res;
}

static int conn_recv(ws_conn_t *c, int64_t timeout_ms) { return conn_recv_as(c, timeout_ms, true); }

/* Sends every byte of iov[0, n). Returns 0 or -errno. */
static int conn_write(ws_conn_t *c, struct iovec *iov, int n)
{
    if (c->tconn)
        return tls_send(c, iov, n);
    while (n > 0) {
        c->op.data = c->proc;
        int rc = kern_sock_sendv(c->ring, c->fd, iov, (unsigned)n, &c->op, io_done);
        if (rc < 0)
            return rc;
        sched_proc_park();
        if (c->op.res < 0)
            return c->op.res;
        size_t sent = (size_t)c->op.res;
        while (n > 0 && sent >= iov->iov_len) {
            sent -= iov->iov_len;
            iov++;
            n--;
        }
        if (n > 0) {
            iov->iov_base = (char *)iov->iov_base + sent;
            iov->iov_len -= sent;
        }
    }
    return 0;
}

/* Appends iov[0, n) to the held output if the total stays within
 * OUT_BYTES_MAX. Returns false (and appends nothing) otherwise. */
static bool conn_hold(ws_conn_t *c, const struct iovec *iov, int n)
{
    size_t total = c->out_len;
    for (int i = 0; i < n; i++)
        total += iov[i].iov_len;
    if (total > OUT_BYTES_MAX)
        return false;
    if (total > c->out_cap) {
        size_t cap = c->out_cap ? c->out_cap : BUF_BYTES_MIN;
        while (cap < total)
            cap *= 2;
        c->out = kern_realloc(c->out, cap);
        c->out_cap = cap;
    }
    for (int i = 0; i < n; i++) {
        memcpy(c->out + c->out_len, iov[i].iov_base, iov[i].iov_len);
        c->out_len += iov[i].iov_len;
    }
    return true;
}

/* Sends the held responses. Returns 0 or -errno. */
static int conn_flush(ws_conn_t *c)
{
    if (c->out_len == 0)
        return 0;
    struct iovec iov = {.iov_base = c->out, .iov_len = c->out_len};
    c->out_len = 0;
    return conn_write(c, &iov, 1);
}

/* Sends the held responses and then iov[0, n): in one send when they fit
 * together in the held buffer. Returns 0 or -errno. */
static int conn_send(ws_conn_t *c, struct iovec *iov, int n)
{
    if (c->out_len > 0) {
        if (conn_hold(c, iov, n))
            return conn_flush(c);
        int rc = conn_flush(c);
        if (rc < 0)
            return rc;
    }
    return conn_write(c, iov, n);
}

static int conn_send_bytes(ws_conn_t *c, const char *p, size_t len)
{
    struct iovec iov = {.iov_base = (void *)p, .iov_len = len};
    return conn_send(c, &iov, 1);
}

/* }====== */

/* {====== Buffer */

/* Makes room for at least one more byte, keeping [start, len); the buffer
 * never grows past need bytes from start. Returns false when it is full. */
static bool conn_room(ws_conn_t *c, size_t need)
{
    if (c->len < c->cap)
        return true;
    if (c->start > 0) {
        memmove(c->buf, c->buf + c->start, c->len - c->start);
        c->len -= c->start;
        c->start = 0;
        return true;
    }
    if (c->cap >= need)
        return false;
    size_t cap = c->cap * 2 > need ? need : c->cap * 2;
    c->buf = kern_realloc(c->buf, cap);
    c->cap = cap;
    return true;
}

/* Ensures cap >= need bytes from start (a Content-Length body). */
static void conn_reserve(ws_conn_t *c, size_t need)
{
    if (c->start > 0) {
        memmove(c->buf, c->buf + c->start, c->len - c->start);
        c->len -= c->start;
        c->start = 0;
    }
    if (c->cap < need) {
        c->buf = kern_realloc(c->buf, need);
        c->cap = need;
    }
}

/* }====== */

static int64_t ms_left(uint64_t deadline_ns)
{
    uint64_t now = kern_timer_now_ns();
    return now >= deadline_ns ? 0 : (int64_t)((deadline_ns - now + 999999) / 1000000);
}

static void log_line(const ws_server_t *srv, const char *what, const char *detail)
{
    if (!srv->cfg.log)
        return;
    char line[512];
    int n = snprintf(line, sizeof line, "[snow-rt] %s: %s\n", what, detail);
    if (n > (int)sizeof line - 1)
        n = (int)sizeof line - 1;
    ssize_t rc = write(2, line, (size_t)n); /* one write: lines never interleave */
    (void)rc;
}

/* Sends resp with the server's options; keep says whether the connection
 * stays open. Returns 0 or -errno. */
/* Sends resp, or with hold appends it to the held output (copied: the
 * body is borrowed only until we return) to go out with a later one. */
static int conn_respond(ws_conn_t *c, ws_http_response_t resp, bool keep, bool hold)
{
    char head[WS_HTTP_HEAD_BYTES_MAX];
    struct iovec iov[2];
    resp.keep_alive = keep;
    if (c->srv->cfg.date)
        resp.date = ws_date_cache_get(&c->l->date, time(NULL));
    int n = ws_http_response_write(&resp, head, sizeof head, iov);
    snow_assert(n > 0); /* statuses are checked before */
    if (hold && conn_hold(c, iov, n))
        return 0;
    return conn_send(c, iov, n);
}

/* The peer may still be sending (a rejected body): stop writing, swallow
 * what comes for a moment, so that closing does not reset the connection
 * before the peer has read the response. */
static void conn_linger(ws_conn_t *c)
{
    if (c->tconn)
        return; /* the TLS stream is failed or done; closing is enough */
    shutdown(c->fd, SHUT_WR);
    uint64_t deadline = kern_timer_now_ns() + (uint64_t)LINGER_MS * 1000000;
    size_t total = 0;
    while (total < LINGER_BYTES_MAX) {
        c->len = c->start = 0;
        int n = conn_recv_as(c, ms_left(deadline), false);
        if (n <= 0)
            break;
        total += (size_t)n;
    }
}

/* {====== Reading a request */

/* Reads until a whole head is buffered at start. Returns the head length,
 * a parser rejection (< -2), or 0 when the connection should just close
 * (end of stream, timeout, read error, shutdown while idle). */
static int conn_read_head(ws_conn_t *c, ws_http_request_t *req, ws_http_header_t *hdrs,
                          size_t hdr_cap)
{
    const ws_server_config_t *cfg = &c->srv->cfg;
    uint64_t deadline = 0;
    size_t head_max = cfg->limits.header_section_bytes_max + 1;
    for (;;) {
        c->idle = c->len == c->start;
        if (!c->idle) {
            int rc = ws_http_parse_request(c->buf + c->start, c->len - c->start, &cfg->limits, req,
                                           hdrs, hdr_cap);
            if (rc != WS_HTTP_INCOMPLETE)
                return rc;
            if (deadline == 0)
                deadline = kern_timer_now_ns() + (uint64_t)cfg->read_timeout_ms * 1000000;
        }
        if (c->idle && atomic_load_explicit(&c->srv->stopping, memory_order_relaxed))
            return 0;
        int64_t timeout = c->idle ? cfg->idle_timeout_ms : ms_left(deadline);
        if (!c->idle && timeout == 0) {
            atomic_fetch_add(&c->srv->timeouts, 1);
            return 0;
        }
        if (!conn_room(c, head_max))
            return WS_HTTP_HEADERS_TOO_LARGE; /* the parser says so first; kept for safety */
        int n = conn_recv(c, timeout);
        c->idle = false;
        if (n == -ETIMEDOUT)
            atomic_fetch_add(&c->srv->timeouts, 1);
        if (n <= 0)
            return 0;
        c->len += (size_t)n;
    }
}

/* Reads a Content-Length body: on return [start + head, + length) holds it.
 * Returns 0, or -errno / 0-length read as -EPIPE when the peer went away. */
static int conn_read_length(ws_conn_t *c, size_t head, size_t length)
{
    size_t need = head + length;
    while (c->len - c->start < need) {
        if (c->len == c->cap) {
            /* Grow with what arrives, not with what is declared: a peer
             * that announces 16 MiB and sends nothing costs one small
             * buffer, not 16 MiB. */
            size_t held = c->len - c->start;
            conn_reserve(c, held * 2 < need ? held * 2 : need);
        }
        int n = conn_recv(c, c->srv->cfg.read_timeout_ms);
        if (n == -ETIMEDOUT)
            atomic_fetch_add(&c->srv->timeouts, 1);
        if (n <= 0)
            return n < 0 ? n : -EPIPE;
        c->len += (size_t)n;
    }
    return 0;
}

/* Decodes a chunked body in place: the data is moved down to right after
 * the head. On success *body_len is its length and *end the offset from
 * start where the next request begins. Returns 0, a decoder rejection
 * (< -2), or -errno when the peer went away. */
static int conn_read_chunked(ws_conn_t *c, size_t head, size_t *body_len, size_t *end)
{
    ws_http_chunked_t d;
    ws_http_chunked_init(&d, &c->srv->cfg.limits);
    size_t out = head, raw = head; /* offsets from start */
    while (!ws_http_chunked_done(&d)) {
        if (c->start + raw == c->len) {
            /* Reclaim the framing already decoded, then read. */
            c->len = c->start + out;
            raw = out;
            if (c->len == c->cap) {
                size_t cap = c->cap * 2;
                c->buf = kern_realloc(c->buf, cap);
                c->cap = cap;
            }
            int n = conn_recv(c, c->srv->cfg.read_timeout_ms);
            if (n == -ETIMEDOUT)
                atomic_fetch_add(&c->srv->timeouts, 1);
            if (n <= 0)
                return n < 0 ? n : -EPIPE;
            c->len += (size_t)n;
        }
        ws_slice_t data = {0};
        char *base = c->buf + c->start;
        ssize_t n = ws_http_chunked_decode(&d, base + raw, c->len - c->start - raw, &data);
        if (n < 0) {
            log_line(c->srv, "HTTP parse error", d.error);
            return (int)n;
        }
        if (data.len > 0)
            memmove(base + out, data.base, data.len);
        out += data.len;
        raw += (size_t)n;
    }
    *body_len = out - head;
    *end = raw;
    return 0;
}

/* }====== */

/* {====== One request */

static void conn_call(ws_conn_t *c, const ws_request_t *r, ws_reply_t *reply)
{
    reply->status = 500;
    reply->body = NULL;
    reply->body_len = 0;
    c->in_handler = true;
    c->srv->cfg.handler(r, reply, c->srv->cfg.handler_data);
    c->in_handler = false;
}

/* Handles the request whose head (length head) is at start. Returns true to
 * keep the connection for the next one. */
static bool conn_serve_one(ws_conn_t *c, ws_http_request_t *req, size_t head)
{
    ws_server_t *srv = c->srv;
    ws_request_t r = {.head = *req, .cx = &c->cx};
    size_t end = head;
    int rc = 0;
    const char *head_at = c->buf + c->start; /* reading the body may move it */
    if (req->body != WS_HTTP_BODY_NONE && srv->cfg.expect_continue && req->expect_continue &&
        c->len - c->start == head) {
        ws_slice_t cont = ws_http_continue_response();
        if (conn_send_bytes(c, cont.base, cont.len) < 0)
            return false;
    }
    if (req->body == WS_HTTP_BODY_LENGTH) {
        rc = conn_read_length(c, head, (size_t)req->content_length);
        end = head + (size_t)req->content_length;
    } else if (req->body == WS_HTTP_BODY_CHUNKED) {
        size_t body_len = 0;
        rc = conn_read_chunked(c, head, &body_len, &end);
        r.body.len = body_len;
    }
    if (rc < -2) {
        atomic_fetch_add(&srv->rejected, 1);
        if (conn_respond(c, ws_http_error_response(rc), false, false) == 0)
            conn_linger(c);
        return false;
    }
    if (rc < 0)
        return false;
    /* The buffer may have moved while the body was read: re-point the head. */
    if (c->buf + c->start != head_at) {
        rc = ws_http_parse_request(c->buf + c->start, head, &srv->cfg.limits, &r.head,
                                   r.head.headers, srv->cfg.limits.header_count_max);
        snow_assert(rc == (int)head);
    }
    r.body.base = c->buf + c->start + head;
    if (req->body == WS_HTTP_BODY_LENGTH)
        r.body.len = (size_t)req->content_length;
    c->head_req = r.head.method.len == 4 && memcmp(r.head.method.base, "HEAD", 4) == 0;
    ws_reply_t reply;
    conn_call(c, &r, &reply);
    atomic_fetch_add(&srv->requests, 1);
    bool keep = srv->cfg.keep_alive && r.head.keep_alive &&
                !atomic_load_explicit(&srv->stopping, memory_order_relaxed);
    if (reply.status < 100 || reply.status > 599) {
        char detail[48];
        snprintf(detail, sizeof detail, "invalid status %d", reply.status);
        log_line(srv, "HTTP handler panicked", detail); /* D86: a crash */
        atomic_fetch_add(&srv->crashes, 1);
        reply = (ws_reply_t){500, "Internal Server Error", 21};
        keep = false;
    }
    ws_http_response_t resp = {.status = reply.status,
                               .body = reply.body,
                               .body_len = reply.body_len,
                               .head_request = c->head_req};
    /* Another whole head already buffered (a pipelining client): hold this
     * response and send it with the next, one send for the batch. */
    size_t next = c->start + end;
    bool hold = keep && c->len > next && memmem(c->buf + next, c->len - next, "\r\n\r\n", 4);
    if (conn_respond(c, resp, keep, hold) < 0)
        return false;
    c->start += end;
    if (c->start == c->len)
        c->start = c->len = 0;
    return keep;
}

/* }====== */

/* {====== Process life */

static void conn_unlink(ws_conn_t *c)
{
    if (c->prev)
        c->prev->next = c->next;
    else
        c->l->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    c->prev = c->next = NULL;
    /* The last one stops the sweep; not when the runtime discards the
     * process after its rings are gone (no worker thread then). */
    if (!c->l->conns && sched_worker_self())
        kern_timer_stop(c->ring, &c->l->sweep);
}

/* Closes the socket and gives back the buffer: the connection is over. */
static void conn_close(ws_conn_t *c)
{
    if (c->fd < 0)
        return;
    if (sched_proc_current() == c->proc)
        tls_end(c);
    conn_unlink(c);
    close(c->fd);
    c->fd = -1;
    kern_free(c->buf);
    c->buf = NULL;
    kern_free(c->out);
    c->out = NULL;
    c->out_len = c->out_cap = 0;
    atomic_fetch_sub(&c->srv->live, 1);
}

/* The process ends, by returning or by a panic: its heap goes with it. */
static void conn_on_exit(sched_proc_t *p)
{
    snow_ctx_t *cx = p->data;
    p->data = NULL;
    ws_conn_t *c = kern_container_of(cx, ws_conn_t, cx);
    ws_server_t *srv = c->srv;
    conn_close(c); /* discarded at the end of the run without finishing */
    std_ctx_destroy(cx);
    ws_server_proc_done_(srv);
}

/* The handler (or anything on this process) panicked; the report line is
 * written. Answer 500 if a request is being handled (D87), close, and end
 * only this process (D24). */
static void conn_on_panic(snow_ctx_t *cx, const char *msg)
{
    ws_conn_t *c = kern_container_of(cx, ws_conn_t, cx);
    log_line(c->srv, "HTTP handler panicked", msg);
    if (c->in_handler && c->fd >= 0) {
        c->in_handler = false;
        atomic_fetch_add(&c->srv->crashes, 1);
        ws_http_response_t resp = {.status = 500,
                                   .body = "Internal Server Error",
                                   .body_len = 21,
                                   .head_request = c->head_req};
        if (conn_respond(c, resp, false, false) == 0)
            conn_linger(c);
    }
    conn_close(c);
    sched_proc_exit_reason(sched_reason_error(msg, strlen(msg)));
}

/* Yields when the slice is spent; a stack overflow panics (D30), like an
 * actor (sched/actor.c). */
static void conn_on_check(snow_ctx_t *cx)
{
    sched_proc_t *p = cx->sched;
    if ((uintptr_t)__builtin_frame_address(0) < p->budget.stack_limit) {
        p->budget.stack_limit = 0; /* the panic path runs in the headroom */
        snow_panic(cx, "stack overflow");
    }
    sched_proc_check_slow_(&p->budget);
}

typedef struct conn_start_t {
    ws_listener_t *l;
    int fd;
} conn_start_t;

static void conn_loop(ws_conn_t *c)
{
    size_t cap = c->srv->cfg.limits.header_count_max;
    ws_http_header_t hdrs[cap > 0 ? cap : 1];
    for (;;) {
        ws_http_request_t req;
        int rc = conn_read_head(c, &req, hdrs, cap);
        if (rc == 0)
            return;
        if (rc < 0) {
            atomic_fetch_add(&c->srv->rejected, 1);
            log_line(c->srv, "HTTP parse error", req.error ? req.error : "malformed request");
            if (conn_respond(c, ws_http_error_response(rc), false, false) == 0)
                conn_linger(c);
            return;
        }
        if (!conn_serve_one(c, &req, (size_t)rc))
            return;
    }
}

static _Noreturn void conn_main(void *arg)
{
    conn_start_t start = *(conn_start_t *)arg;
    kern_free(arg);
    sched_proc_t *p = sched_proc_current();
    ws_conn_t c = {.l = start.l, .srv = start.l->srv, .proc = p, .fd = start.fd};
    c.ring = &sched_worker_self()->ring;
    std_ctx_init(&c.cx, c.srv->rt, (char *)p->ctx.stack_lo + p->ctx.stack_size);
    c.cx.budget = (snow_budget_t *)(void *)&p->budget;
    c.cx.on_check = conn_on_check;
    c.cx.on_panic = conn_on_panic;
    c.cx.sched = p;
    p->data = &c.cx;
    p->on_exit = conn_on_exit;
    c.next = c.l->conns;
    if (c.next)
        c.next->prev = &c;
    c.l->conns = &c;
    sweep_start(c.l, c.ring);
    c.cap = BUF_BYTES_MIN;
    c.buf = kern_alloc(c.cap);
    if (!c.srv->cfg.tls || tls_start(&c) == 0)
        conn_loop(&c);
    (void)conn_flush(&c); /* held responses, if the loop ended early */
    conn_close(&c);
    sched_proc_exit(); /* not return: conn_on_exit needs this frame */
}

int ws_conn_spawn(ws_listener_t *l, int fd)
{
    conn_start_t *start = kern_alloc(sizeof *start);
    start->l = l;
    start->fd = fd;
    atomic_fetch_add(&l->srv->procs, 1);
    int rc = sched_proc_spawn(conn_main, start, NULL);
    if (rc < 0) {
        kern_free(start);
        close(fd);
        ws_server_proc_done_(l->srv);
        return rc;
    }
    atomic_fetch_add(&l->srv->accepted, 1);
    atomic_fetch_add(&l->srv->live, 1);
    return 0;
}

void ws_conn_stop_idle(ws_listener_t *l)
{
    /* A shut-down read side ends the idle connection's pending recv with
     * end of stream; busy ones see `stopping` after their response. */
    for (ws_conn_t *c = l->conns; c; c = c->next)
        if (c->idle)
            shutdown(c->fd, SHUT_RD);
}

/* }====== */
