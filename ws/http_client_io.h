/* http_client_io.h: the HTTP client's connection (issue 8): name lookup,
 * TCP connect, TLS handshake, sends and receives for one fetch of
 * ws/http_client.h, one connection at a time.
 *
 * Where it waits (services.md 0.3). ws_http_client_io_begin picks one of two
 * modes for the whole fetch. On a process of the scheduler
 * (sched_worker_self() and sched_proc_current() both set) every socket and
 * TLS operation runs on the worker's ring and the process parks until it
 * completes, and getaddrinfo runs on a 2-thread blocking pool (kernel/pool.h,
 * started on first use) through sched_proc_run_blocking. Anywhere else the
 * operations run on a private 64-entry ring that this thread runs until each
 * completes, and getaddrinfo is called directly. Numeric hosts need no
 * lookup in either mode.
 *
 * Thread: every call on one io comes from the process (or thread) that
 * called ws_http_client_io_begin. The TLS context cache behind
 * ws_http_client_io_open is shared by all threads under its own lock.
 *
 * Sequence: begin, then any number of open / send / recv / close rounds
 * (a redirect opens the next connection), then end. */
#ifndef SNOW_WS_HTTP_CLIENT_IO_H
#define SNOW_WS_HTTP_CLIENT_IO_H

#include <stdbool.h>
#include <stddef.h>

#include "kernel/op.h"
#include "kernel/ring.h"
#include "kernel/tls.h"
#include "kernel/tls_stream.h"
#include "sched/proc.h"
#include "ws/http_client.h"
#include "ws/http_url.h"

/* One fetch's I/O state. Written out because the caller allocates it
 * (zeroed, kern_calloc) and reads one field: tconn is non-NULL while the
 * connection is https. Everything else belongs to http_client_io.c. */
typedef struct ws_http_client_io_t {
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
} ws_http_client_io_t;

/* Chooses how io waits (see the file comment) and, off the scheduler, makes
 * the private ring. io is zeroed caller storage from kern_calloc; on 0 it
 * belongs to this module until ws_http_client_io_end. Returns 0, or the
 * -errno of kern_ring_init, in which case io is still the caller's to
 * kern_free and needs no end. */
int ws_http_client_io_begin(ws_http_client_io_t *io);

/* Resolves url's host, connects to its first address that accepts and, for
 * https, runs the TLS handshake: the chain must verify against req->ca_file,
 * else SNOW_HTTP_CA_FILE, else KERN_TLS_SYSTEM_CA_FILE, and match url->host.
 * Each connect attempt and the handshake get req->connect_timeout_ms (<= 0:
 * WS_HTTP_CLIENT_CONNECT_TIMEOUT_MS). req and url are borrowed for the call.
 * Returns 0, or -errno with msg[0, cap) set to the reason without the URL
 * ("cannot resolve host ...", "cannot connect to ...", "cannot load CA
 * certificates from ...", "TLS handshake with ... failed: ..."):
 *   -ENOENT / -EAGAIN  the name does not resolve / temporary DNS failure
 *   -ECONNREFUSED, -ETIMEDOUT, ... the last address's connect error
 *   kernel/tls.h codes (-EKEYREJECTED, ...) TLS failures, -ENOENT a CA file
 * Success or not, ws_http_client_io_close ends what it set up. */
int ws_http_client_io_open(ws_http_client_io_t *io, const ws_http_client_request_t *req,
                           const ws_http_url_t *url, char *msg, size_t cap);

/* Sends all n bytes of p (borrowed for the call). Returns 0 or -errno
 * (-EPIPE / -ECONNRESET when the peer closed or reset). */
int ws_http_client_io_send(ws_http_client_io_t *io, const char *p, size_t n);

/* Receives up to cap bytes (at most 1 MiB a call) into p (borrowed for the
 * call). Returns the count, 0 at the end of the stream (for TLS:
 * close_notify), or -errno; over TLS, -ECONNRESET also when TCP ended
 * without close_notify (kernel/tls_stream.h). */
int ws_http_client_io_recv(ws_http_client_io_t *io, char *p, size_t cap);

/* Ends the connection opened (or half opened) by ws_http_client_io_open:
 * cancels the TLS stream's ring ops and waits up to about a second for them,
 * frees the TLS connection and closes the socket. io can then open again.
 * If the ops do not finish, the stream is kept and io is marked broken, so
 * ws_http_client_io_end leaks it rather than free memory the ring uses. */
void ws_http_client_io_close(ws_http_client_io_t *io);

/* Ends the fetch after the last close: destroys the private ring and frees
 * io (takes io). When an operation could not be finished, io and its ring
 * are leaked instead, because the kernel may still write into them. */
void ws_http_client_io_end(ws_http_client_io_t *io);

/* The text for a -errno rc in the client's messages: strerror's, except
 * "connection reset by peer" for -ECONNRESET. Returns a static string.
 * Any thread. */
const char *ws_http_client_io_strerror(int rc);

#endif
