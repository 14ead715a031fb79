/* server.h: the HTTP/1.1 server — listeners, connection processes,
 * graceful shutdown (DESIGN 6; services.md 1.8-1.10; D87-D90, D92; issue 8).
 *
 * One listening socket per worker (SO_REUSEPORT), each with a multishot
 * accept on that worker's ring; every accepted connection becomes a process
 * on the accepting core (ws/conn.h) with its own Snow context, so a handler
 * that panics ends only its connection (D87: it still answers 500). The
 * handler interface is plain C (ws_server_handler_cb): the Snow binding
 * (ws/snow_http.c) is one handler among others, and tests and benchmarks use
 * C handlers without the compiler.
 *
 * Two wire modes. The spec mode (keep_alive false) is services.md 1.9 with
 * D93: one request per connection, `Connection: close` on every response,
 * no interim 100 Continue. The keep-alive mode adds persistent connections,
 * pipelining (responses in request order), `Connection: keep-alive`, an idle
 * timeout and 100 Continue; it is what the C benchmarks use. Both modes
 * decode chunked request bodies (docs/http.md) and answer the parser's
 * rejections (400, 413, 414, 431, 501, 505) before closing.
 *
 * Shutdown: ws_server_stop (any thread), or SIGTERM/SIGINT once
 * ws_server_run has installed its handlers, stops accepting, lets every
 * request in progress finish (its response goes out with Connection: close)
 * and closes idle keep-alive connections; ws_server_run then returns.
 *
 * Threads: the server lives on the scheduler (sched/worker.h).
 * ws_server_run must be called on a process (it parks that process only,
 * D92); ws_server_serve starts the workers itself for a caller that is not
 * on the scheduler. */
#ifndef SNOW_WS_SERVER_H
#define SNOW_WS_SERVER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lang/std/snow.h"
#include "ws/http_parse.h"

typedef struct ws_server_t ws_server_t;

/* What a handler sees: the parsed head, the whole body (Content-Length
 * bytes, or the decoded chunked body) and the connection's Snow context. All
 * slices point into the connection's buffer and are valid until the handler
 * returns. */
typedef struct ws_request_t {
    ws_http_request_t head;
    ws_slice_t body;
    snow_ctx_t *cx; /* the connection process's context (its heap) */
} ws_request_t;

/* What a handler fills in: a status (100-599; anything else is a crash with
 * detail `invalid status <n>`, D86) and a body, borrowed until the response
 * has been sent (memory of cx's heap is fine: nothing allocates in between). */
typedef struct ws_reply_t {
    int status;
    const char *body;
    size_t body_len;
} ws_reply_t;

/* Runs on the connection's process, once per request. It may block (park on
 * I/O, receive messages) and may panic through req->cx: the connection then
 * answers 500 and closes, and nothing else is affected. */
typedef void (*ws_server_handler_cb)(const ws_request_t *req, ws_reply_t *reply, void *data);

typedef struct ws_server_config_t {
    const char *host; /* numeric IPv4 or IPv6; NULL: "0.0.0.0" (services.md 1.8) */
    uint16_t port;    /* 0: an ephemeral port, see ws_server_port */
    ws_http_limits_t limits;
    int64_t read_timeout_ms; /* one read, and the whole head of a request (slowloris) */
    int64_t idle_timeout_ms; /* keep-alive: wait for the next request */
    bool keep_alive;         /* false: the spec's one request per connection */
    bool expect_continue;    /* answer Expect: 100-continue with 100 Continue */
    bool date;               /* a cached Date field (RFC 9110 6.6.1; not in services.md 1.7) */
    bool log;                /* the [snow-rt] stderr lines (services.md 1.8-1.10) */
    bool tls_banner;         /* print "HTTPS server listening" instead */
    ws_server_handler_cb handler;
    void *handler_data; /* borrowed; handed to handler */
    snow_rt_t *rt;      /* the connections' program-wide state; NULL: the caller's (an actor) */
    struct kern_tls_ctx_t *tls; /* kept: HTTPS with this server context (kernel/tls.h), or NULL */
} ws_server_config_t;

/* The spec's configuration (services.md 1.8-1.9): 30 s read timeout, no
 * keep-alive, no 100 Continue, no Date, log lines on. */
ws_server_config_t ws_server_config_spec(uint16_t port, ws_server_handler_cb handler, void *data);

/* Returns owned server for cfg (copied; handler_data stays borrowed); free
 * with ws_server_free after ws_server_run returned. Nothing is bound yet. */
ws_server_t *ws_server_new(const ws_server_config_t *cfg);

void ws_server_free(ws_server_t *srv);

/* Binds one listener per worker, prints the listening line, accepts until
 * ws_server_stop or SIGTERM/SIGINT, waits for every connection to end and
 * returns 0. On a bind failure prints the services.md 1.8 failure line and
 * returns -errno at once. Current process on a running scheduler; parks only
 * that process (D92). One run per server. */
int ws_server_run(ws_server_t *srv);

/* Like ws_server_run for a caller that is not a worker thread: sets rt
 * (borrowed) as the actors' runtime, starts SNOW_CORES workers, runs the
 * server on them and returns when it has stopped (or the bind failed). */
int ws_server_serve(ws_server_t *srv, snow_rt_t *rt);

/* The bound port (after the listening line), 0 before. Any thread. */
uint16_t ws_server_port(const ws_server_t *srv);

/* Starts a graceful shutdown. Any thread, also before the server listens
 * (it then stops as soon as it does); idempotent. */
void ws_server_stop(ws_server_t *srv);

/* Counters, any thread (approximate while running). */
typedef struct ws_server_stats_t {
    uint64_t accepted;
    uint64_t requests;
    uint64_t crashes;  /* handler panics answered 500 */
    uint64_t rejected; /* parser rejections answered 4xx/5xx */
    uint64_t timeouts; /* connections closed by a read or idle timeout */
    uint64_t live;     /* connections open now */
} ws_server_stats_t;

void ws_server_stats(const ws_server_t *srv, ws_server_stats_t *out);

#endif
