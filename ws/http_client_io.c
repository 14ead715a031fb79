/* http_client_io.c: the HTTP client's connection (issue 8): name lookup,
 * TCP, TLS, sends and receives (services.md 1.11, 0.3).
 *
 * Waiting is one small abstraction (io_t): an operation is started on a
 * ring with io_t as its data, and io_wait either parks the current process
 * (its worker's ring completes the op and unparks it) or runs the private
 * ring on this thread until the op completed. Nothing else differs between
 * the two modes, except that the name lookup goes to the blocking pool on
 * a process.
 *
 * Never: free a TLS stream or ring while an op on it is in flight (a ring
 * that cannot finish is leaked instead). */
#include "ws/http_client_io.h"

#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kernel/alloc.h"
#include "kernel/assert.h"
#include "kernel/pool.h"
#include "kernel/sock.h"
#include "sched/worker.h"

/* The module's own type, by a short name inside it. */
typedef ws_http_client_io_t io_t;

/* {====== Waiting: a parked process or a private ring */

static void io_op_done(kern_ring_t *ring, kern_op_t *op)
{
    (void)ring;
    io_t *io = op->data;
    io->done = true;
    if (io->proc)
        sched_proc_unpark(io->proc);
}

static void io_tls_done(kern_tls_stream_t *s, int res)
{
    io_t *io = s->data;
    io->tls_res = res;
    io->done = true;
    if (io->proc)
        sched_proc_unpark(io->proc);
}

/* Waits for the op just started (io->done was cleared before it). The
 * completion cannot run before the park: callbacks run from the worker's
 * loop, which this process enters only by switching out. */
static int io_wait(io_t *io)
{
    if (io->proc) {
        sched_proc_park();
        return 0;
    }
    while (!io->done) {
        int rc = kern_ring_run(io->ring, -1);
        if (rc < 0) {
            io->broken = true;
            return rc;
        }
    }
    return 0;
}

int ws_http_client_io_begin(io_t *io)
{
    io->fd = -1;
    sched_worker_t *w = sched_worker_self();
    if (w && sched_proc_current()) {
        io->ring = &w->ring;
        io->proc = sched_proc_current();
        return 0;
    }
    kern_ring_opts_t opts = {.entries = 64, .files = 16};
    int rc = kern_ring_init(&io->own, &opts);
    if (rc < 0)
        return rc;
    io->own_ready = true;
    io->ring = &io->own;
    return 0;
}

/* Ends the connection: lets the TLS stream's ring ops finish, then closes. */
void ws_http_client_io_close(io_t *io)
{
    if (io->tconn) {
        if (kern_tls_stream_busy(&io->tls))
            kern_tls_stream_cancel(&io->tls);
        for (int i = 0; i < 1000 && kern_tls_stream_busy(&io->tls); i++) {
            if (io->proc)
                sched_proc_sleep(1);
            else if (kern_ring_run(io->ring, 1000000) < 0)
                break;
        }
        if (kern_tls_stream_busy(&io->tls)) {
            io->broken = true; /* the ring still uses the stream: keep it */
            return;
        }
        kern_tls_stream_destroy(&io->tls);
        kern_tls_conn_free(io->tconn);
        io->tconn = NULL;
    }
    kern_tls_ctx_free(io->ctx);
    io->ctx = NULL;
    if (io->fd >= 0)
        close(io->fd);
    io->fd = -1;
}

void ws_http_client_io_end(io_t *io)
{
    if (io->own_ready && !io->broken && kern_ring_in_flight(io->ring) == 0)
        kern_ring_destroy(&io->own);
    else if (io->own_ready)
        io->broken = true;
    if (!io->broken)
        kern_free(io);
}

/* Sends all n bytes of p. Returns 0 or -errno. */
int ws_http_client_io_send(io_t *io, const char *p, size_t n)
{
    if (io->tconn) {
        io->done = false;
        int rc = kern_tls_stream_write(&io->tls, p, n, io_tls_done);
        if (rc < 0 || (rc = io_wait(io)) < 0)
            return rc;
        return io->tls_res < 0 ? io->tls_res : 0;
    }
    size_t off = 0;
    while (off < n) {
        io->done = false;
        io->op.data = io;
        int rc = kern_sock_send(io->ring, io->fd, p + off, n - off, &io->op, io_op_done);
        if (rc < 0 || (rc = io_wait(io)) < 0)
            return rc;
        if (io->op.res < 0)
            return io->op.res;
        off += (size_t)io->op.res;
    }
    return 0;
}

/* Receives up to cap bytes. Returns the count, 0 at the end of the stream
 * (for TLS: close_notify), or -errno. */
int ws_http_client_io_recv(io_t *io, char *p, size_t cap)
{
    if (cap > 1u << 20)
        cap = 1u << 20;
    io->done = false;
    int rc;
    if (io->tconn) {
        rc = kern_tls_stream_read(&io->tls, p, cap, io_tls_done);
        if (rc < 0 || (rc = io_wait(io)) < 0)
            return rc;
        return io->tls_res;
    }
    io->op.data = io;
    rc = kern_sock_recv_into(io->ring, io->fd, p, cap, -1, &io->op, io_op_done);
    if (rc < 0 || (rc = io_wait(io)) < 0)
        return rc;
    return io->op.res;
}

/* }====== */

/* {====== Connecting: name lookup, TCP, TLS */

#define ADDRS_MAX 8

typedef struct lookup_t {
    const char *host;
    uint16_t port;
    int gai; /* getaddrinfo's code on failure */
    int count;
    kern_sock_addr_t addrs[ADDRS_MAX];
} lookup_t;

/* Runs getaddrinfo for l->host; a pool thread on a process (kern_pool_fn). */
static int lookup_run(void *arg)
{
    lookup_t *l = arg;
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    struct addrinfo *res = NULL;
    l->gai = getaddrinfo(l->host, NULL, &hints, &res);
    if (l->gai != 0)
        return l->gai == EAI_AGAIN ? -EAGAIN : -ENOENT;
    for (struct addrinfo *ai = res; ai && l->count < ADDRS_MAX; ai = ai->ai_next) {
        kern_sock_addr_t *a = &l->addrs[l->count];
        if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6)
            continue;
        if (ai->ai_addrlen > sizeof a->u)
            continue;
        memset(a, 0, sizeof *a);
        memcpy(&a->u, ai->ai_addr, ai->ai_addrlen);
        a->len = ai->ai_addrlen;
        if (ai->ai_family == AF_INET)
            a->u.in4.sin_port = htons(l->port);
        else
            a->u.in6.sin6_port = htons(l->port);
        l->count++;
    }
    freeaddrinfo(res);
    return l->count > 0 ? 0 : -ENOENT;
}

/* The lookups' blocking pool: started on first use, lives as long as the
 * program (read-only after the once; the pool has its own lock). */
static pthread_once_t dns_once = PTHREAD_ONCE_INIT;
static kern_pool_t dns_pool;
static int dns_pool_rc;

static void dns_pool_start(void) { dns_pool_rc = kern_pool_init(&dns_pool, 2); }

/* Fills l with the addresses of url's host. Numeric hosts need no lookup;
 * on a process the lookup runs on the pool, else on this thread. */
static int resolve(io_t *io, const ws_http_url_t *url, lookup_t *l)
{
    memset(l, 0, sizeof *l);
    l->host = url->host;
    l->port = url->port;
    if (kern_sock_addr_ip(&l->addrs[0], url->host, url->port) == 0) {
        l->count = 1;
        return 0;
    }
    if (io->proc) {
        pthread_once(&dns_once, dns_pool_start);
        if (dns_pool_rc == 0)
            return sched_proc_run_blocking(&dns_pool, lookup_run, l);
    }
    return lookup_run(l);
}

/* Connects to the first address that accepts. Returns 0 or the last
 * address's -errno. */
static int connect_any(io_t *io, const lookup_t *l, int64_t timeout_ms)
{
    int last = -ECONNREFUSED;
    for (int i = 0; i < l->count; i++) {
        io->done = false;
        io->op.data = io;
        int rc =
            kern_sock_connect(io->ring, &l->addrs[i], timeout_ms * 1000000, &io->op, io_op_done);
        if (rc == 0)
            rc = io_wait(io);
        if (rc < 0)
            return rc;
        if (io->op.res >= 0) {
            io->fd = io->op.res;
            return 0;
        }
        last = io->op.res;
    }
    return last;
}

/* The client context for one CA file, built on first use and kept: reading
 * the system bundle costs milliseconds. A request naming another file gets
 * a context of its own (*owned). */
static pthread_mutex_t tls_lock = PTHREAD_MUTEX_INITIALIZER;
static kern_tls_ctx_t *tls_cached;
static char *tls_cached_path;

static int tls_ctx_get(const char *ca_file, kern_tls_ctx_t **ctx, bool *owned)
{
    kern_tls_config_t cfg = {.role = KERN_TLS_CLIENT, .ca_file = ca_file};
    const char *key = ca_file ? ca_file : "";
    pthread_mutex_lock(&tls_lock);
    int rc = 0;
    *owned = false;
    if (tls_cached && strcmp(tls_cached_path, key) == 0) {
        *ctx = tls_cached;
    } else if (!tls_cached) {
        rc = kern_tls_ctx_new(&cfg, &tls_cached);
        if (rc == 0) {
            tls_cached_path = kern_alloc(strlen(key) + 1);
            memcpy(tls_cached_path, key, strlen(key) + 1);
            *ctx = tls_cached;
        }
    } else {
        rc = kern_tls_ctx_new(&cfg, ctx);
        *owned = rc == 0;
    }
    pthread_mutex_unlock(&tls_lock);
    return rc;
}

static const char *ca_file_of(const ws_http_client_request_t *req)
{
    if (req->ca_file)
        return req->ca_file;
    const char *env = getenv("SNOW_HTTP_CA_FILE");
    return env && env[0] ? env : NULL;
}

static int tls_start(io_t *io, const ws_http_client_request_t *req, const ws_http_url_t *url,
                     int64_t timeout_ms, char *msg, size_t cap)
{
    const char *ca = ca_file_of(req);
    kern_tls_ctx_t *ctx = NULL;
    bool owned = false;
    int rc = tls_ctx_get(ca, &ctx, &owned);
    if (rc < 0) {
        snprintf(msg, cap, "cannot load CA certificates from %s: %s",
                 ca ? ca : KERN_TLS_SYSTEM_CA_FILE,
                 rc == -ENOENT ? "file not found or no PEM" : kern_tls_strerror(rc));
        return rc;
    }
    if (owned)
        io->ctx = ctx; /* the conn keeps ctx: ws_http_client_io_close frees it after the conn */
    rc = kern_tls_conn_new(ctx, url->host, &io->tconn);
    if (rc < 0) {
        snprintf(msg, cap, "TLS set-up failed: %s", kern_tls_strerror(rc));
        return rc;
    }
    kern_tls_stream_init(&io->tls, io->ring, io->fd, io->tconn);
    io->tls.data = io;
    io->done = false;
    rc = kern_tls_stream_handshake(&io->tls, timeout_ms * 1000000, io_tls_done);
    if (rc == 0 && (rc = io_wait(io)) == 0)
        rc = io->tls_res;
    if (rc < 0) {
        const char *detail = kern_tls_conn_error(io->tconn);
        const char *what = rc == -ETIMEDOUT ? "timed out" : kern_tls_strerror(rc);
        snprintf(msg, cap, "TLS handshake with %s failed: %s%s%s%s", url->host, what,
                 detail[0] ? " (" : "", detail, detail[0] ? ")" : "");
    }
    return rc;
}

const char *ws_http_client_io_strerror(int rc)
{
    return rc == -ECONNRESET ? "connection reset by peer" : strerror(-rc);
}

/* Resolves, connects and (https) runs the handshake. On failure msg says
 * what failed. Returns 0 or -errno. */
int ws_http_client_io_open(io_t *io, const ws_http_client_request_t *req, const ws_http_url_t *url,
                           char *msg, size_t cap)
{
    int64_t timeout_ms =
        req->connect_timeout_ms > 0 ? req->connect_timeout_ms : WS_HTTP_CLIENT_CONNECT_TIMEOUT_MS;
    lookup_t l;
    int rc = resolve(io, url, &l);
    if (rc < 0) {
        const char *why = l.gai == 0            ? ws_http_client_io_strerror(rc)
                          : l.gai == EAI_SYSTEM ? "system error"
                                                : gai_strerror(l.gai);
        snprintf(msg, cap, "cannot resolve host %s: %s", url->host, why);
        return rc == -EAGAIN ? -EAGAIN : -ENOENT;
    }
    rc = connect_any(io, &l, timeout_ms);
    if (rc < 0) {
        snprintf(msg, cap, "cannot connect to %s%s%s:%u: %s", url->host_v6 ? "[" : "", url->host,
                 url->host_v6 ? "]" : "", (unsigned)url->port,
                 rc == -ETIMEDOUT ? "connection timed out" : ws_http_client_io_strerror(rc));
        return rc;
    }
    return url->tls ? tls_start(io, req, url, timeout_ms, msg, cap) : 0;
}

/* }====== */
