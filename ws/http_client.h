/* http_client.h: the HTTP/1.1 client behind HTTP.get and HTTP.post
 * (services.md 1.11, D91; issue 8).
 *
 * One request per connection (`Connection: close`), over http:// or https://.
 * Redirects are followed; the body is returned as UTF-8 text or the request
 * fails with a human-readable message that starts with the URL the caller
 * gave (docs/http-client.md lists them all).
 *
 * Where it waits. On a process of the scheduler (sched_worker_self() and
 * sched_proc_current() both set) every wait parks only that process: the
 * socket operations run on the worker's ring and the name lookup on a small
 * blocking pool (kernel/pool.h), so the worker goes on running other
 * processes (services.md 0.3). Anywhere else (a sequential program's main
 * thread, a test thread) the request runs on a private ring made for it on
 * the calling thread, which blocks that thread only, and getaddrinfo is
 * called directly.
 *
 * HTTPS verifies the server's certificate chain against the CA bundle named
 * by the environment variable SNOW_HTTP_CA_FILE, or else the system bundle
 * (KERN_TLS_SYSTEM_CA_FILE), and the host name (kernel/tls.h).
 *
 * Limits: a response body over WS_HTTP_CLIENT_BODY_BYTES_MAX fails (D91), a
 * response head over WS_HTTP_CLIENT_HEAD_BYTES_MAX fails, connecting (and
 * the TLS handshake) gives up after WS_HTTP_CLIENT_CONNECT_TIMEOUT_MS, at
 * most WS_HTTP_CLIENT_REDIRECTS_MAX redirects are followed. Reading the
 * response has no time limit (services.md 1.11: no overall timeout).
 *
 * Where the code lives: URLs in ws/http_url.h, connecting and waiting in
 * ws/http_client_io.h (internal to the client), heads, requests, bodies and
 * redirects in ws/http_client.c. */
#ifndef SNOW_WS_HTTP_CLIENT_H
#define SNOW_WS_HTTP_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ws/http_parse.h"
#include "ws/http_url.h"

#define WS_HTTP_CLIENT_BODY_BYTES_MAX ((uint64_t)10 * 1024 * 1024) /* D91: 10 MiB */
#define WS_HTTP_CLIENT_HEAD_BYTES_MAX ((size_t)64 * 1024)
#define WS_HTTP_CLIENT_REDIRECTS_MAX 5
#define WS_HTTP_CLIENT_CONNECT_TIMEOUT_MS 30000
/* WS_HTTP_CLIENT_HOST_BYTES_MAX, the longest host: ws/http_url.h */

/* {====== Response heads */

/* What the client needs from a response head; slices point into the buffer
 * given to ws_http_client_parse_head. */
typedef struct ws_http_response_head_t {
    int status;      /* 100..999 */
    bool chunked;    /* Transfer-Encoding ends with chunked */
    bool has_length; /* a Content-Length field (ignored when chunked) */
    uint64_t content_length;
    ws_slice_t location; /* Location value, empty when absent */
    ws_slice_t charset;  /* Content-Type's charset parameter, unquoted, or empty */
} ws_http_response_head_t;

/* Parses a response head at buf[0, len) (borrowed):
 *   head        = status-line *( field-line CRLF ) CRLF
 *   status-line = "HTTP/1." DIGIT SP 3DIGIT [ SP reason-phrase ] CRLF
 * Bare LF line ends are accepted (RFC 9112 2.2 allows it of a recipient).
 * Returns the head's length in bytes (> 0) with *head filled,
 * WS_HTTP_INCOMPLETE when buf is a proper prefix of a head, -E2BIG when the
 * head would exceed WS_HTTP_CLIENT_HEAD_BYTES_MAX, or -EBADMSG (not HTTP/1.x,
 * a bad status code, a malformed field line, conflicting or invalid
 * Content-Length). */
int ws_http_client_parse_head(const char *buf, size_t len, ws_http_response_head_t *head);

/* }====== */

/* {====== Requests */

typedef struct ws_http_client_request_t {
    const char *method; /* "GET" or "POST" (static) */
    const char *url;    /* borrowed; need not be NUL-terminated */
    size_t url_len;
    const char *body; /* POST: sent with Content-Type: application/json */
    size_t body_len;
    const char *ca_file;        /* trust anchors; NULL: SNOW_HTTP_CA_FILE, else the system bundle */
    int64_t connect_timeout_ms; /* <= 0: WS_HTTP_CLIENT_CONNECT_TIMEOUT_MS */
} ws_http_client_request_t;

typedef struct ws_http_client_result_t {
    int status;      /* the last response's status, 0 when none arrived */
    int redirects;   /* redirects followed */
    char *body;      /* owned, NUL-terminated valid UTF-8 on success, else NULL */
    size_t body_len; /* bytes, without the NUL */
    char *error;     /* owned message on failure ("<url>: ..."), else NULL */
} ws_http_client_result_t;

/* Performs req (borrowed for the call) and fills *out (caller storage,
 * release with ws_http_client_result_destroy). Blocks the calling process
 * or thread as the file comment says. Returns 0 when the final status is
 * below 400 and the body is valid text (out->body set), else a negative
 * value with out->error set:
 *   -EINVAL       invalid URL (also a redirect to one)
 *   -ENOENT       the host name does not resolve; -EAGAIN temporary DNS failure
 *   -ECONNREFUSED, -ETIMEDOUT, -ENETUNREACH, ... the connection failed
 *   -EKEYREJECTED the server's certificate was not accepted; other kernel/tls.h
 *                 codes for other TLS failures; -ENOENT for a missing CA file too
 *   -EPROTO       the response is not HTTP/1.x or its framing is broken
 *   -ECONNRESET   the connection ended before the response was complete
 *   -EREMOTEIO    status >= 400 ("<url>: status code <n>")
 *   -ELOOP        more than WS_HTTP_CLIENT_REDIRECTS_MAX redirects
 *   -EFBIG        body over WS_HTTP_CLIENT_BODY_BYTES_MAX (D91)
 *   -EILSEQ       body not valid in its charset (D91)
 * Any thread; see the file comment for how it waits. */
int ws_http_client_fetch(const ws_http_client_request_t *req, ws_http_client_result_t *out);

/* Frees what out owns. Idempotent. */
void ws_http_client_result_destroy(ws_http_client_result_t *out);

/* }====== */

#endif
