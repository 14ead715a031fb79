/* http_client.c: the HTTP/1.1 client (services.md 1.11, D91; issue 8).
 *
 * A fetch is a loop of exchanges: parse the URL, resolve, connect (TLS on
 * top for https), send one request with `Connection: close`, read the head
 * and then the body framed by Transfer-Encoding: chunked, Content-Length or
 * the end of the connection, close; a redirect status with a Location
 * starts the next exchange. Every failure becomes one message that starts
 * with the caller's URL, so a Snow program can print it as is.
 *
 * Waiting is one small abstraction (io_t): an operation is started on a
 * ring with io_t as its data, and io_wait either parks the current process
 * (its worker's ring completes the op and unparks it) or runs the private
 * ring on this thread until the op completed. Nothing else differs between
 * the two modes, except that the name lookup goes to the blocking pool on
 * a process.
 *
 * Never: read past a declared body, hold more than the body limit, or
 * free a TLS stream or ring while an op on it is in flight (a ring that
 * cannot finish is leaked instead). */
#define _GNU_SOURCE 1 /* memmem, memrchr */
#include "ws/http_client.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kernel/alloc.h"
#include "kernel/assert.h"
#include "kernel/pool.h"
#include "kernel/sock.h"
#include "kernel/tls.h"
#include "kernel/tls_stream.h"
#include "lang/std/str.h"
#include "sched/proc.h"
#include "sched/worker.h"
#include "ws/http_chunked.h"

/* {====== Small helpers */

static bool ieq(const char *a, size_t n, const char *lit)
{
    if (strlen(lit) != n)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = a[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != lit[i])
            return false;
    }
    return true;
}

static bool iprefix(const char *a, size_t n, const char *lit)
{
    size_t k = strlen(lit);
    return n >= k && ieq(a, k, lit);
}

/* Returns an owned NUL-terminated printf text (kern_free). */
static char *fmt_owned(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *fmt_owned(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    snow_assert(n >= 0);
    char *s = kern_alloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

/* }====== */

/* {====== URLs */

static bool host_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

/* "[" IPv6address "]" at a[0, n): stores the address. Returns the bytes
 * taken or -EINVAL. */
static int parse_host_v6(const char *a, size_t n, ws_http_url_t *url, const char **why)
{
    const char *close = memchr(a, ']', n);
    size_t hl = close ? (size_t)(close - a) - 1 : 0;
    struct in6_addr tmp;
    if (!close || hl == 0 || hl > WS_HTTP_CLIENT_HOST_BYTES_MAX) {
        *why = "invalid IPv6 address";
        return -EINVAL;
    }
    memcpy(url->host, a + 1, hl);
    url->host[hl] = '\0';
    if (inet_pton(AF_INET6, url->host, &tmp) != 1) {
        *why = "invalid IPv6 address";
        return -EINVAL;
    }
    url->host_v6 = true;
    return (int)hl + 2;
}

/* reg-name = *( ALPHA / DIGIT / "-" / "." / "_" / "~" ), non-empty, up to
 * a ":" or the end of a[0, n). Returns the bytes taken or -EINVAL. */
static int parse_host_name(const char *a, size_t n, ws_http_url_t *url, const char **why)
{
    size_t i = 0;
    for (; i < n && a[i] != ':'; i++) {
        if ((unsigned char)a[i] >= 0x80) {
            *why = "internationalized host names are not supported";
            return -EINVAL;
        }
        if (!host_char(a[i])) {
            *why = "invalid character in host";
            return -EINVAL;
        }
    }
    if (i == 0) {
        *why = "missing host";
        return -EINVAL;
    }
    if (i > WS_HTTP_CLIENT_HOST_BYTES_MAX) {
        *why = "host name too long";
        return -EINVAL;
    }
    memcpy(url->host, a, i);
    url->host[i] = '\0';
    return (int)i;
}

/* authority = host [ ":" [ port ] ], host a bracketed IPv6 literal or a
 * reg-name; no user info. */
static int parse_authority(const char *a, size_t n, ws_http_url_t *url, const char **why)
{
    if (memchr(a, '@', n)) {
        *why = "user information in URLs is not supported";
        return -EINVAL;
    }
    int taken =
        n > 0 && a[0] == '[' ? parse_host_v6(a, n, url, why) : parse_host_name(a, n, url, why);
    if (taken < 0)
        return taken;
    size_t i = (size_t)taken;
    url->port = url->tls ? 443 : 80;
    if (i == n)
        return 0;
    if (a[i] != ':') {
        *why = "invalid character after host";
        return -EINVAL;
    }
    i++;
    if (i == n)
        return 0; /* "host:" means the default port (RFC 3986 3.2.3) */
    uint32_t port = 0;
    for (; i < n; i++) {
        if (a[i] < '0' || a[i] > '9' || port > 65535) {
            *why = "invalid port";
            return -EINVAL;
        }
        port = port * 10 + (uint32_t)(a[i] - '0');
    }
    if (port == 0 || port > 65535) {
        *why = "invalid port";
        return -EINVAL;
    }
    url->port = (uint16_t)port;
    url->port_given = true;
    return 0;
}

/* Copies path and query (fragment already cut) into an owned target:
 * "/" when empty, a "/" before a bare query, bytes outside 0x21..0x7e
 * percent-encoded (as the WHATWG URL rules do for paths). */
static char *make_target(const char *p, size_t n)
{
    char *t = kern_alloc(n * 3 + 2);
    size_t k = 0;
    if (n == 0 || p[0] != '/')
        t[k++] = '/';
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c <= 0x20 || c >= 0x7f) {
            static const char hex[] = "0123456789ABCDEF";
            t[k++] = '%';
            t[k++] = hex[c >> 4];
            t[k++] = hex[c & 15];
        } else {
            t[k++] = (char)c;
        }
    }
    t[k] = '\0';
    return t;
}

/* True when text starts with another scheme: "ftp://..." or "mailto:x",
 * but not "localhost:8080/" (a host and port without a scheme). */
static bool has_scheme(const char *text, size_t len)
{
    if (len >= 3 && memmem(text, len, "://", 3))
        return true;
    size_t i = 0;
    while (i < len && (((text[i] | 0x20) >= 'a' && (text[i] | 0x20) <= 'z') ||
                       (i > 0 && ((text[i] >= '0' && text[i] <= '9') || text[i] == '+' ||
                                  text[i] == '-' || text[i] == '.'))))
        i++;
    return i > 0 && i < len && text[i] == ':' &&
           !(i + 1 < len && text[i + 1] >= '0' && text[i + 1] <= '9');
}

int ws_http_url_parse(const char *text, size_t len, ws_http_url_t *url, const char **why)
{
    const char *ignored;
    if (!why)
        why = &ignored;
    memset(url, 0, sizeof *url);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c < 0x20 || c == 0x7f) {
            *why = "control character in URL";
            return -EINVAL;
        }
    }
    size_t i;
    if (iprefix(text, len, "http://")) {
        i = 7;
    } else if (iprefix(text, len, "https://")) {
        url->tls = true;
        i = 8;
    } else {
        *why = has_scheme(text, len) ? "unsupported scheme (only http and https)"
                                     : "missing http:// or https://";
        return -EINVAL;
    }
    size_t a = i;
    while (i < len && text[i] != '/' && text[i] != '?' && text[i] != '#')
        i++;
    int rc = parse_authority(text + a, i - a, url, why);
    if (rc < 0)
        return rc;
    const char *hash = memchr(text + i, '#', len - i);
    size_t end = hash ? (size_t)(hash - text) : len;
    url->target = make_target(text + i, end - i);
    return 0;
}

void ws_http_url_destroy(ws_http_url_t *url)
{
    kern_free(url->target);
    url->target = NULL;
}

/* Appends the origin of u ("https://[::1]:8443") to out (room for
 * WS_HTTP_CLIENT_HOST_BYTES_MAX + 24 bytes); returns its length. */
static size_t origin(const ws_http_url_t *u, char *out, size_t cap)
{
    int n = snprintf(out, cap, "%s://%s%s%s:%u", u->tls ? "https" : "http", u->host_v6 ? "[" : "",
                     u->host, u->host_v6 ? "]" : "", (unsigned)u->port);
    snow_assert(n > 0 && (size_t)n < cap);
    return (size_t)n;
}

/* RFC 3986 5.2.4, on a path that starts with "/" (the query is not
 * touched): drops "." segments and a ".." with the segment before it. */
static void remove_dots(char *path)
{
    char *q = strchr(path, '?');
    size_t n = q ? (size_t)(q - path) : strlen(path);
    char *out = kern_alloc(n + 1);
    size_t k = 0;
    size_t i = 0;
    while (i < n) {
        /* path[i] == '/': take one segment */
        size_t j = i + 1;
        while (j < n && path[j] != '/')
            j++;
        const char *seg = path + i + 1;
        size_t sl = j - i - 1;
        bool last = j == n;
        if (sl == 1 && seg[0] == '.') {
            if (last)
                out[k++] = '/';
        } else if (sl == 2 && seg[0] == '.' && seg[1] == '.') {
            while (k > 0 && out[--k] != '/') {
            }
            if (last)
                out[k++] = '/';
        } else {
            memcpy(out + k, path + i, j - i);
            k += j - i;
        }
        i = j;
    }
    if (k == 0)
        out[k++] = '/';
    memmove(path + k, path + n, strlen(path + n) + 1);
    memcpy(path, out, k);
    kern_free(out);
}

int ws_http_url_resolve(const ws_http_url_t *base, const char *loc, size_t len, ws_http_url_t *next,
                        const char **why)
{
    const char *ignored;
    if (!why)
        why = &ignored;
    while (len > 0 && (loc[0] == ' ' || loc[0] == '\t'))
        loc++, len--;
    while (len > 0 && (loc[len - 1] == ' ' || loc[len - 1] == '\t'))
        len--;
    size_t scheme = 0;
    while (scheme < len && ((loc[scheme] | 0x20) >= 'a' && (loc[scheme] | 0x20) <= 'z'))
        scheme++;
    if (scheme > 0 && scheme < len && loc[scheme] == ':')
        return ws_http_url_parse(loc, len, next, why); /* absolute */
    if (len == 0) {
        memset(next, 0, sizeof *next);
        *why = "empty redirect location";
        return -EINVAL;
    }
    const char *bt = base->target;
    size_t cap = WS_HTTP_CLIENT_HOST_BYTES_MAX + 32 + strlen(bt) + len;
    char *s = kern_alloc(cap);
    size_t k;
    if (len >= 2 && loc[0] == '/' && loc[1] == '/') {
        k = (size_t)snprintf(s, cap, "%s:", base->tls ? "https" : "http");
    } else {
        k = origin(base, s, cap);
        if (loc[0] == '?') {
            size_t pl = strcspn(bt, "?");
            memcpy(s + k, bt, pl);
            k += pl;
        } else if (loc[0] != '/') {
            size_t pl = strcspn(bt, "?");
            while (pl > 0 && bt[pl - 1] != '/')
                pl--; /* the base's directory, with its trailing "/" */
            memcpy(s + k, bt, pl);
            k += pl;
        }
    }
    memcpy(s + k, loc, len);
    k += len;
    s[k] = '\0';
    int rc = ws_http_url_parse(s, k, next, why);
    kern_free(s);
    if (rc == 0)
        remove_dots(next->target);
    return rc;
}

/* }====== */

/* {====== Response heads */

/* Takes the next line of buf[*pos, end) without its LF and an optional CR
 * before it. Returns false at end. */
static bool next_line(const char *buf, size_t end, size_t *pos, ws_slice_t *line)
{
    if (*pos >= end)
        return false;
    const char *lf = memchr(buf + *pos, '\n', end - *pos);
    size_t stop = lf ? (size_t)(lf - buf) : end;
    size_t n = stop - *pos;
    if (n > 0 && buf[stop - 1] == '\r')
        n--;
    *line = (ws_slice_t){buf + *pos, n};
    *pos = stop + 1;
    return true;
}

static ws_slice_t trim(ws_slice_t s)
{
    while (s.len > 0 && (s.base[0] == ' ' || s.base[0] == '\t'))
        s.base++, s.len--;
    while (s.len > 0 && (s.base[s.len - 1] == ' ' || s.base[s.len - 1] == '\t'))
        s.len--;
    return s;
}

/* status-line = "HTTP/1." DIGIT SP 3DIGIT [ SP reason-phrase ] */
static int parse_status_line(ws_slice_t l, int *status)
{
    const char *s = l.base;
    if (l.len < 12 || memcmp(s, "HTTP/1.", 7) != 0 || s[7] < '0' || s[7] > '9' || s[8] != ' ')
        return -EBADMSG;
    int v = 0;
    for (int i = 9; i < 12; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -EBADMSG;
        v = v * 10 + (s[i] - '0');
    }
    if (v < 100 || (l.len > 12 && s[12] != ' '))
        return -EBADMSG;
    *status = v;
    return 0;
}

static int parse_length(ws_slice_t v, ws_http_response_head_t *head)
{
    uint64_t n = 0;
    if (v.len == 0 || v.len > 19)
        return -EBADMSG;
    for (size_t i = 0; i < v.len; i++) {
        if (v.base[i] < '0' || v.base[i] > '9')
            return -EBADMSG;
        n = n * 10 + (uint64_t)(v.base[i] - '0');
    }
    if (head->has_length && head->content_length != n)
        return -EBADMSG; /* RFC 9112 6.3: conflicting lengths are an error */
    head->has_length = true;
    head->content_length = n;
    return 0;
}

/* media-type = type "/" subtype *( OWS ";" OWS parameter ); takes charset. */
static void parse_charset(ws_slice_t v, ws_http_response_head_t *head)
{
    const char *p = v.base, *end = v.base + v.len;
    while ((p = memchr(p, ';', (size_t)(end - p))) != NULL) {
        p++;
        ws_slice_t rest = trim((ws_slice_t){p, (size_t)(end - p)});
        if (!iprefix(rest.base, rest.len, "charset="))
            continue;
        const char *s = rest.base + 8;
        size_t n = strcspn(s, ";");
        if (s + n > end)
            n = (size_t)(end - s);
        ws_slice_t cs = trim((ws_slice_t){s, n});
        if (cs.len >= 2 && cs.base[0] == '"' && cs.base[cs.len - 1] == '"')
            cs = (ws_slice_t){cs.base + 1, cs.len - 2};
        head->charset = cs;
        return;
    }
}

static int parse_field(ws_slice_t l, ws_http_response_head_t *head)
{
    if (l.base[0] == ' ' || l.base[0] == '\t')
        return 0; /* obs-fold continuation: ignored (RFC 9112 5.2 allows it) */
    const char *colon = memchr(l.base, ':', l.len);
    if (!colon || colon == l.base)
        return -EBADMSG;
    size_t nl = (size_t)(colon - l.base);
    for (size_t i = 0; i < nl; i++) {
        if (l.base[i] == ' ' || l.base[i] == '\t')
            return -EBADMSG;
    }
    ws_slice_t v = trim((ws_slice_t){colon + 1, l.len - nl - 1});
    if (ieq(l.base, nl, "content-length"))
        return parse_length(v, head);
    if (ieq(l.base, nl, "transfer-encoding")) {
        const char *comma = v.len ? memrchr(v.base, ',', v.len) : NULL;
        ws_slice_t last =
            comma ? trim((ws_slice_t){comma + 1, v.len - (size_t)(comma + 1 - v.base)}) : v;
        head->chunked = ieq(last.base, last.len, "chunked");
    } else if (ieq(l.base, nl, "location")) {
        head->location = v;
    } else if (ieq(l.base, nl, "content-type")) {
        head->charset = (ws_slice_t){NULL, 0};
        parse_charset(v, head);
    }
    return 0;
}

int ws_http_client_parse_head(const char *buf, size_t len, ws_http_response_head_t *head)
{
    memset(head, 0, sizeof *head);
    size_t end = 0;
    size_t scan = len < WS_HTTP_CLIENT_HEAD_BYTES_MAX ? len : WS_HTTP_CLIENT_HEAD_BYTES_MAX;
    for (size_t i = 0; i < scan && !end; i++) {
        if (buf[i] != '\n')
            continue;
        if (i + 1 < scan && buf[i + 1] == '\n')
            end = i + 2;
        else if (i + 2 < scan && buf[i + 1] == '\r' && buf[i + 2] == '\n')
            end = i + 3;
    }
    if (!end) {
        /* Reject early what can never become a status line. */
        size_t n = len < 7 ? len : 7;
        if (memcmp(buf, "HTTP/1.", n) != 0)
            return -EBADMSG;
        return len >= WS_HTTP_CLIENT_HEAD_BYTES_MAX ? -E2BIG : WS_HTTP_INCOMPLETE;
    }
    size_t pos = 0;
    ws_slice_t line;
    next_line(buf, end, &pos, &line);
    if (parse_status_line(line, &head->status) < 0)
        return -EBADMSG;
    while (next_line(buf, end, &pos, &line) && line.len > 0) {
        if (parse_field(line, head) < 0)
            return -EBADMSG;
    }
    return (int)end;
}

/* }====== */

/* {====== Waiting: a parked process or a private ring */

typedef struct io_t {
    kern_ring_t *ring;  /* the worker's, or &own */
    sched_proc_t *proc; /* the process to park and unpark, or NULL: run own */
    bool own_ready;
    bool broken; /* an op could not be finished: leak rather than free */
    bool done;   /* the op just started has completed */
    kern_op_t op;
    int fd;
    kern_tls_conn_t *tconn; /* https only */
    kern_tls_ctx_t *ctx;    /* owned context of this connection, or NULL (the cached one) */
    kern_tls_stream_t tls;
    int tls_res;
    kern_ring_t own;
} io_t;

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

static int io_begin(io_t *io)
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
static void io_close(io_t *io)
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

static void io_end(io_t *io)
{
    if (io->own_ready && !io->broken && kern_ring_in_flight(io->ring) == 0)
        kern_ring_destroy(&io->own);
    else if (io->own_ready)
        io->broken = true;
    if (!io->broken)
        kern_free(io);
}

/* Sends all n bytes of p. Returns 0 or -errno. */
static int io_send(io_t *io, const char *p, size_t n)
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
static int io_recv(io_t *io, char *p, size_t cap)
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
            tls_cached_path = fmt_owned("%s", key);
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
        io->ctx = ctx; /* the conn keeps ctx: io_close frees it after the conn */
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

static const char *err_text(int rc)
{
    return rc == -ECONNRESET ? "connection reset by peer" : strerror(-rc);
}

/* Resolves, connects and (https) runs the handshake. On failure msg says
 * what failed. Returns 0 or -errno. */
static int open_conn(io_t *io, const ws_http_client_request_t *req, const ws_http_url_t *url,
                     char *msg, size_t cap)
{
    int64_t timeout_ms =
        req->connect_timeout_ms > 0 ? req->connect_timeout_ms : WS_HTTP_CLIENT_CONNECT_TIMEOUT_MS;
    lookup_t l;
    int rc = resolve(io, url, &l);
    if (rc < 0) {
        const char *why = l.gai == 0            ? err_text(rc)
                          : l.gai == EAI_SYSTEM ? "system error"
                                                : gai_strerror(l.gai);
        snprintf(msg, cap, "cannot resolve host %s: %s", url->host, why);
        return rc == -EAGAIN ? -EAGAIN : -ENOENT;
    }
    rc = connect_any(io, &l, timeout_ms);
    if (rc < 0) {
        snprintf(msg, cap, "cannot connect to %s%s%s:%u: %s", url->host_v6 ? "[" : "", url->host,
                 url->host_v6 ? "]" : "", (unsigned)url->port,
                 rc == -ETIMEDOUT ? "connection timed out" : err_text(rc));
        return rc;
    }
    return url->tls ? tls_start(io, req, url, timeout_ms, msg, cap) : 0;
}

/* }====== */

/* {====== One exchange: request, head, body */

typedef struct resp_t {
    ws_http_response_head_t head; /* slices into raw: valid until the body is read */
    char charset[32];             /* head.charset, copied (raw is reused for the body) */
    char *location;               /* owned copy of head.location, or NULL */
    char *raw; /* WS_HTTP_CLIENT_HEAD_BYTES_MAX bytes: the head, then receive room */
    size_t raw_len;
    size_t head_len;
    char *body; /* owned, body_len bytes + room for a NUL */
    size_t body_len, body_cap;
} resp_t;

static void resp_destroy(resp_t *r)
{
    kern_free(r->location);
    kern_free(r->raw);
    kern_free(r->body);
    memset(r, 0, sizeof *r);
}

static bool is_redirect(int status)
{
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

/* Builds the request: method target HTTP/1.1, Host (with the port when it
 * is not the scheme's default), User-Agent, Accept, Connection: close and,
 * with a body, Content-Type: application/json and Content-Length. */
static char *build_request(const ws_http_url_t *u, const char *method, const char *body,
                           size_t body_len, bool with_body, size_t *len)
{
    char port[8] = "";
    if (u->port != (u->tls ? 443 : 80))
        snprintf(port, sizeof port, ":%u", (unsigned)u->port);
    char length[96] = "";
    if (with_body)
        snprintf(length, sizeof length, "Content-Type: application/json\r\nContent-Length: %zu\r\n",
                 body_len);
    char *head = fmt_owned("%s %s HTTP/1.1\r\nHost: %s%s%s%s\r\nUser-Agent: snow-http/1.0\r\n"
                           "Accept: */*\r\nConnection: close\r\n%s\r\n",
                           method, u->target, u->host_v6 ? "[" : "", u->host, u->host_v6 ? "]" : "",
                           port, length);
    size_t hl = strlen(head);
    if (!with_body || body_len == 0) {
        *len = hl;
        return head;
    }
    char *all = kern_realloc(head, hl + body_len);
    memcpy(all + hl, body, body_len);
    *len = hl + body_len;
    return all;
}

/* Reads until a final (non-1xx) head has arrived. */
static int read_head(io_t *io, resp_t *r, char *msg, size_t cap)
{
    r->raw = kern_alloc(WS_HTTP_CLIENT_HEAD_BYTES_MAX);
    for (;;) {
        int rc = r->raw_len ? ws_http_client_parse_head(r->raw, r->raw_len, &r->head)
                            : WS_HTTP_INCOMPLETE;
        if (rc > 0 && r->head.status < 200) { /* 100 Continue, 103 Early Hints */
            memmove(r->raw, r->raw + rc, r->raw_len - (size_t)rc);
            r->raw_len -= (size_t)rc;
            continue;
        }
        if (rc > 0) {
            r->head_len = (size_t)rc;
            break;
        }
        if (rc != WS_HTTP_INCOMPLETE) {
            snprintf(msg, cap, rc == -E2BIG ? "response head too large" : "invalid HTTP response");
            return -EPROTO;
        }
        int n = io_recv(io, r->raw + r->raw_len, WS_HTTP_CLIENT_HEAD_BYTES_MAX - r->raw_len);
        if (n <= 0) {
            if (n == 0 || n == -ECONNRESET)
                snprintf(msg, cap, "connection closed before the response was complete");
            else
                snprintf(msg, cap, "receiving the response failed: %s", err_text(n));
            return n == 0 ? -ECONNRESET : n;
        }
        r->raw_len += (size_t)n;
    }
    ws_slice_t cs = r->head.charset;
    if (cs.len < sizeof r->charset) {
        if (cs.len > 0)
            memcpy(r->charset, cs.base, cs.len);
        r->charset[cs.len] = '\0';
    } else {
        snprintf(r->charset, sizeof r->charset, "unknown");
    }
    if (r->head.location.len > 0)
        r->location = fmt_owned("%.*s", (int)r->head.location.len, r->head.location.base);
    return 0;
}

/* Appends n bytes to the body; -EFBIG past the limit. */
static int body_append(resp_t *r, const char *p, size_t n)
{
    if (n == 0)
        return 0;
    if (r->body_len + n > WS_HTTP_CLIENT_BODY_BYTES_MAX)
        return -EFBIG;
    if (r->body_len + n + 1 > r->body_cap) {
        size_t c = r->body_cap ? r->body_cap : 16384;
        while (c < r->body_len + n + 1)
            c *= 2;
        if (c > WS_HTTP_CLIENT_BODY_BYTES_MAX + 1)
            c = WS_HTTP_CLIENT_BODY_BYTES_MAX + 1;
        r->body = kern_realloc(r->body, c);
        r->body_cap = c;
    }
    memcpy(r->body + r->body_len, p, n);
    r->body_len += n;
    return 0;
}

/* Feeds raw[0, n) to the chunked decoder, appending the data it yields.
 * Returns 0, -EFBIG or -EPROTO. */
static int chunked_feed(ws_http_chunked_t *d, resp_t *r, const char *p, size_t n)
{
    while (n > 0 && !ws_http_chunked_done(d)) {
        ws_slice_t data = {NULL, 0};
        ssize_t used = ws_http_chunked_decode(d, p, n, &data);
        if (used == WS_HTTP_BODY_TOO_LARGE)
            return -EFBIG;
        if (used <= 0)
            return -EPROTO;
        if (data.len > 0 && body_append(r, data.base, data.len) < 0)
            return -EFBIG;
        p += used;
        n -= (size_t)used;
    }
    return 0;
}

/* Reads the body as the head frames it: chunked, Content-Length or up to
 * the end of the connection (RFC 9112 6.3). Returns 0 or -errno. */
static int read_body(io_t *io, resp_t *r)
{
    const ws_http_response_head_t *h = &r->head;
    const char *rest = r->raw + r->head_len;
    size_t rest_len = r->raw_len - r->head_len;
    if (h->status == 204 || h->status == 304)
        return 0;
    ws_http_limits_t lim = WS_HTTP_LIMITS_SPEC;
    lim.body_bytes_max = WS_HTTP_CLIENT_BODY_BYTES_MAX;
    ws_http_chunked_t d;
    ws_http_chunked_init(&d, &lim);
    uint64_t want = UINT64_MAX;
    int rc;
    if (h->chunked) {
        rc = chunked_feed(&d, r, rest, rest_len);
    } else if (h->has_length) {
        if (h->content_length > WS_HTTP_CLIENT_BODY_BYTES_MAX)
            return -EFBIG;
        want = h->content_length;
        r->body_cap = (size_t)want + 1; /* the body lands in place below */
        r->body = kern_alloc(r->body_cap);
        rc = body_append(r, rest, rest_len < want ? rest_len : (size_t)want);
    } else {
        rc = body_append(r, rest, rest_len);
    }
    while (rc == 0) {
        if (h->chunked ? ws_http_chunked_done(&d) : r->body_len >= want)
            break;
        /* Content-Length bodies land in place; the others go through raw. */
        int n = h->chunked || !h->has_length
                    ? io_recv(io, r->raw, WS_HTTP_CLIENT_HEAD_BYTES_MAX)
                    : io_recv(io, r->body + r->body_len, (size_t)(want - r->body_len));
        if (n == 0 || (n == -ECONNRESET && io->tconn && !h->chunked && !h->has_length))
            return h->chunked || h->has_length ? -ECONNRESET : 0; /* EOF frames the body */
        if (n < 0)
            return n;
        if (h->chunked)
            rc = chunked_feed(&d, r, r->raw, (size_t)n);
        else if (h->has_length)
            r->body_len += (size_t)n;
        else
            rc = body_append(r, r->raw, (size_t)n);
    }
    return rc;
}

/* Makes the body text (D91): UTF-8 (the default; a leading byte order mark
 * is dropped), US-ASCII, or ISO-8859-1 transcoded to UTF-8. A charset we do
 * not know is accepted only when the bytes are valid UTF-8. Returns 0 or
 * -EILSEQ. */
static int body_to_text(resp_t *r)
{
    const char *cs = r->charset;
    size_t n = strlen(cs);
    if (ieq(cs, n, "iso-8859-1") || ieq(cs, n, "latin1") || ieq(cs, n, "latin-1") ||
        ieq(cs, n, "iso8859-1")) {
        char *t = kern_alloc(r->body_len * 2 + 1);
        size_t k = 0;
        for (size_t i = 0; i < r->body_len; i++) {
            unsigned char c = (unsigned char)r->body[i];
            if (c < 0x80) {
                t[k++] = (char)c;
            } else {
                t[k++] = (char)(0xc0 | (c >> 6));
                t[k++] = (char)(0x80 | (c & 0x3f));
            }
        }
        kern_free(r->body);
        r->body = t;
        r->body_len = k;
        r->body_cap = r->body_len * 2 + 1;
        return 0;
    }
    if (ieq(cs, n, "us-ascii") || ieq(cs, n, "ascii")) {
        for (size_t i = 0; i < r->body_len; i++) {
            if ((unsigned char)r->body[i] >= 0x80)
                return -EILSEQ;
        }
        return 0;
    }
    if (r->body_len >= 3 && memcmp(r->body, "\xef\xbb\xbf", 3) == 0) {
        memmove(r->body, r->body + 3, r->body_len - 3);
        r->body_len -= 3;
    }
    return std_utf8_valid(r->body ? r->body : "", r->body_len) ? 0 : -EILSEQ;
}

/* One connection: request out, response head in, and the body when the
 * caller will use it (not for redirects and error statuses). */
static int exchange(io_t *io, const ws_http_client_request_t *req, const ws_http_url_t *url,
                    const char *method, bool with_body, resp_t *r, char *msg, size_t cap)
{
    int rc = open_conn(io, req, url, msg, cap);
    if (rc < 0) {
        io_close(io);
        return rc;
    }
    size_t len;
    char *text = build_request(url, method, req->body, req->body_len, with_body, &len);
    rc = io_send(io, text, len);
    kern_free(text);
    /* A server may answer (413, 401, a redirect) and close before it has
     * read the whole body: the send then fails, but its response may
     * already be here. The TLS stream stays failed, so plain TCP only. */
    if (rc < 0 && !io->tconn && (rc == -EPIPE || rc == -ECONNRESET)) {
        int send_rc = rc;
        if (read_head(io, r, msg, cap) == 0)
            rc = 0;
        else
            rc = send_rc;
    }
    if (rc < 0) {
        snprintf(msg, cap, "sending the request failed: %s", err_text(rc));
    } else if (r->raw_len > 0 || (rc = read_head(io, r, msg, cap)) == 0) {
        int st = r->head.status;
        if (st < 400 && !(is_redirect(st) && r->location)) {
            rc = read_body(io, r);
            if (rc == -ECONNRESET)
                snprintf(msg, cap, "connection closed before the response was complete");
            else if (rc == -EPROTO)
                snprintf(msg, cap, "invalid chunked response body");
            else if (rc == -EFBIG)
                snprintf(msg, cap, "response body too large");
            else if (rc < 0)
                snprintf(msg, cap, "receiving the response failed: %s", err_text(rc));
        }
    }
    io_close(io);
    return rc;
}

/* }====== */

/* {====== Fetch: exchanges and redirects */

static int fail(ws_http_client_result_t *out, const ws_http_client_request_t *req, int rc,
                const char *detail)
{
    if (req->url_len == 0) /* "": reads better than a message that starts with ':' */
        out->error = fmt_owned("\"\": %s", detail);
    else
        out->error = fmt_owned("%.*s: %s", (int)req->url_len, req->url, detail);
    return rc;
}

/* Follows one redirect: the next URL, and 303 (or 301/302 after a POST, as
 * browsers and v5.0's library do) turns the request into a GET without
 * body. Returns 0 or -EINVAL / -ELOOP with msg set. */
static int redirect(ws_http_url_t *url, const resp_t *r, int *redirects, const char **method,
                    bool *with_body, char *msg, size_t cap)
{
    if (*redirects >= WS_HTTP_CLIENT_REDIRECTS_MAX) {
        snprintf(msg, cap, "too many redirects (more than %d)", WS_HTTP_CLIENT_REDIRECTS_MAX);
        return -ELOOP;
    }
    ws_http_url_t next;
    const char *why = "";
    if (ws_http_url_resolve(url, r->location, strlen(r->location), &next, &why) < 0) {
        snprintf(msg, cap, "invalid redirect location: %s", why);
        return -EINVAL;
    }
    ws_http_url_destroy(url);
    *url = next;
    (*redirects)++;
    int st = r->head.status;
    if (st == 303 || ((st == 301 || st == 302) && *with_body)) {
        *method = "GET";
        *with_body = false;
    }
    return 0;
}

/* Hands the finished body over to out, or says why it is not text. */
static int finish(ws_http_client_result_t *out, resp_t *r, char *msg, size_t cap)
{
    if (r->head.status >= 400) {
        snprintf(msg, cap, "status code %d", r->head.status);
        return -EREMOTEIO;
    }
    if (body_to_text(r) < 0) {
        snprintf(msg, cap, "response body is not valid text");
        return -EILSEQ;
    }
    if (!r->body)
        r->body = kern_alloc(1);
    r->body[r->body_len] = '\0';
    out->body = r->body;
    out->body_len = r->body_len;
    r->body = NULL;
    return 0;
}

int ws_http_client_fetch(const ws_http_client_request_t *req, ws_http_client_result_t *out)
{
    memset(out, 0, sizeof *out);
    ws_http_url_t url;
    const char *why = "";
    if (ws_http_url_parse(req->url, req->url_len, &url, &why) < 0) {
        char msg[256];
        snprintf(msg, sizeof msg, "invalid URL: %s", why);
        return fail(out, req, -EINVAL, msg);
    }
    io_t *io = kern_calloc(1, sizeof *io);
    char msg[1024] = "";
    int rc = io_begin(io);
    if (rc < 0) {
        snprintf(msg, sizeof msg, "cannot set up I/O: %s", strerror(-rc));
        kern_free(io);
        ws_http_url_destroy(&url);
        return fail(out, req, rc, msg);
    }
    const char *method = req->method;
    bool with_body = strcmp(method, "GET") != 0;
    for (;;) {
        resp_t r;
        memset(&r, 0, sizeof r);
        rc = exchange(io, req, &url, method, with_body, &r, msg, sizeof msg);
        if (rc == 0) {
            out->status = r.head.status;
            if (is_redirect(r.head.status) && r.location) {
                rc = redirect(&url, &r, &out->redirects, &method, &with_body, msg, sizeof msg);
                resp_destroy(&r);
                if (rc == 0)
                    continue;
                break;
            }
            rc = finish(out, &r, msg, sizeof msg);
        }
        resp_destroy(&r);
        break;
    }
    io_end(io);
    ws_http_url_destroy(&url);
    return rc < 0 ? fail(out, req, rc, msg) : 0;
}

void ws_http_client_result_destroy(ws_http_client_result_t *out)
{
    kern_free(out->body);
    kern_free(out->error);
    out->body = NULL;
    out->error = NULL;
}

/* }====== */
