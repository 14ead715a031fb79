/* snow_http.c: the Snow binding of the HTTP server — HTTP.router, route,
 * on_get/on_post/on_put/on_delete, use, serve, serve_tls, response and the
 * Request accessors (services.md 1.2-1.10; D84-D90, D92; issue 8).
 *
 * Values. A Router is a persistent chain of records in the Snow heap: each
 * HTTP.route, HTTP.on_get (and the other on_ functions) or HTTP.use
 * returns a new record pointing at the old router, so the argument keeps
 * its contents (services.md 1.3) and the collector traces the patterns and
 * closures. A Response is a record {status, body}.
 * A Request is a record holding the address of the connection's parsed
 * request (http_req_t, on the connection process's stack): it is valid
 * while its handler runs, which is the only time a program can see it.
 *
 * Serving. HTTP.serve walks the chain once into a ws_router_t (routes in
 * registration order) and a middleware array, then runs the server in the
 * spec's wire mode (one request per connection, Connection: close, no 100
 * Continue; services.md 1.9, D93). Each connection process calls the
 * program's closures with its own context, so what a handler allocates
 * lives in that connection's heap; the closures themselves and what they
 * captured stay in the serving process's heap, which does not run (and so
 * does not collect) while it serves.
 *
 * Where serve runs: on a worker (the program runs on the scheduler) it
 * parks only the calling process (D92). Otherwise — today's emitted main
 * calls snow_rt_main, without workers — serve starts SNOW_CORES workers
 * itself and blocks the calling thread until the server shuts down
 * (SIGTERM/SIGINT); then serve returns () and the program goes on. */
#include "ws/snow_http.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kernel/alloc.h"
#include "kernel/tls.h"
#include "lang/std/ctx.h"
#include "sched/proc.h"
#include "sched/worker.h"
#include "ws/router.h"
#include "ws/server.h"

/* Router record words. ORDER ROUTER. */
enum { R_PREV, R_KIND, R_METHOD, R_PATTERN, R_FN, R_WORDS };
enum { KIND_EMPTY, KIND_ROUTE, KIND_USE };
#define ROUTER_PTRS ((1u << R_PREV) | (1u << R_METHOD) | (1u << R_PATTERN) | (1u << R_FN))

/* The serving state the dispatcher reads, shared by every connection. */
typedef struct http_app_t {
    ws_router_t router;  /* handler = the route's closure */
    snow_record_t **mws; /* middleware, first added first */
    size_t mw_count;
} http_app_t;

/* What a Request record points at. */
typedef struct http_req_t {
    const ws_request_t *req;
    bool matched;
    ws_router_match_t match;
} http_req_t;

static snow_record_t *router_add(snow_ctx_t *cx, void *r, int64_t kind, const char *method,
                                 snow_string_t *pattern, snow_record_t *fn)
{
    snow_record_t *e = snow_record_new(cx, 0, R_WORDS, ROUTER_PTRS);
    e->w[R_PREV] = SNOW_WORD_PTR(r);
    e->w[R_KIND] = (snow_word_t)kind;
    if (method)
        e->w[R_METHOD] = SNOW_WORD_PTR(snow_string_new(cx, method, strlen(method)));
    e->w[R_PATTERN] = SNOW_WORD_PTR(pattern);
    e->w[R_FN] = SNOW_WORD_PTR(fn);
    return e;
}

void *snow_http_router(snow_ctx_t *cx)
{
    return snow_record_new(cx, 0, R_WORDS, ROUTER_PTRS); /* KIND_EMPTY, no prev */
}

void *snow_http_route(snow_ctx_t *cx, void *r, snow_string_t *pattern, snow_record_t *handler)
{
    return router_add(cx, r, KIND_ROUTE, NULL, pattern, handler);
}

void *snow_http_on_get(snow_ctx_t *cx, void *r, snow_string_t *pattern, snow_record_t *handler)
{
    return router_add(cx, r, KIND_ROUTE, "GET", pattern, handler);
}

void *snow_http_on_post(snow_ctx_t *cx, void *r, snow_string_t *pattern, snow_record_t *handler)
{
    return router_add(cx, r, KIND_ROUTE, "POST", pattern, handler);
}

void *snow_http_on_put(snow_ctx_t *cx, void *r, snow_string_t *pattern, snow_record_t *handler)
{
    return router_add(cx, r, KIND_ROUTE, "PUT", pattern, handler);
}

void *snow_http_on_delete(snow_ctx_t *cx, void *r, snow_string_t *pattern, snow_record_t *handler)
{
    return router_add(cx, r, KIND_ROUTE, "DELETE", pattern, handler);
}

void *snow_http_use(snow_ctx_t *cx, void *r, snow_record_t *middleware)
{
    return router_add(cx, r, KIND_USE, NULL, NULL, middleware);
}

void *snow_http_response(snow_ctx_t *cx, int64_t status, snow_string_t *body)
{
    snow_record_t *resp = snow_record_new(cx, 0, 2, 1u << 1);
    resp->w[0] = (snow_word_t)status;
    resp->w[1] = SNOW_WORD_PTR(body);
    return resp;
}

/* {====== Dispatch: middleware chain, handler, 404 */

SNOW_STRING_LITERAL(not_found_text, "Not Found");

static snow_record_t *not_found(snow_ctx_t *cx)
{
    return snow_http_response(cx, 404, not_found_text);
}

static snow_record_t *make_next(snow_ctx_t *cx, const http_app_t *app, size_t index,
                                snow_record_t *handler);

/* `next` (services.md 1.5): the rest of the chain from middleware w[2] on,
 * then the handler w[3] (or the 404 terminal when no route matched). */
static snow_word_t next_code(snow_ctx_t *cx, snow_record_t *self, snow_word_t req)
{
    SNOW_FN_ENTER(cx);
    const http_app_t *app = SNOW_WORD_TO_PTR(const http_app_t, self->w[1]);
    size_t index = (size_t)self->w[2];
    snow_record_t *handler = SNOW_WORD_TO_PTR(snow_record_t, self->w[3]);
    if (index < app->mw_count) {
        snow_record_t *next = make_next(cx, app, index + 1, handler);
        return snow_closure_call2(cx, app->mws[index], req, SNOW_WORD_PTR(next));
    }
    if (handler)
        return snow_closure_call1(cx, handler, req);
    return SNOW_WORD_PTR(not_found(cx));
}

static snow_record_t *make_next(snow_ctx_t *cx, const http_app_t *app, size_t index,
                                snow_record_t *handler)
{
    /* w[1] app (not traced), w[2] index, w[3] the handler closure. */
    snow_record_t *next = snow_closure_new(cx, (const void *)next_code, 3, 1u << 3);
    next->w[1] = SNOW_WORD_PTR(app);
    next->w[2] = (snow_word_t)index;
    next->w[3] = SNOW_WORD_PTR(handler);
    return next;
}

static void dispatch(const ws_request_t *req, ws_reply_t *reply, void *data)
{
    const http_app_t *app = data;
    snow_ctx_t *cx = req->cx;
    http_req_t hr = {.req = req};
    hr.matched = ws_router_match(&app->router, req->head.method, req->head.path, &hr.match);
    snow_record_t *handler = hr.matched ? hr.match.route->handler : NULL;
    snow_record_t *rq = snow_record_new(cx, 0, 1, 0);
    rq->w[0] = SNOW_WORD_PTR(&hr);
    snow_record_t *resp;
    if (app->mw_count > 0) {
        snow_record_t *next = make_next(cx, app, 0, handler);
        resp = SNOW_WORD_TO_PTR(snow_record_t, snow_closure_call1(cx, next, SNOW_WORD_PTR(rq)));
    } else if (handler) {
        resp = SNOW_WORD_TO_PTR(snow_record_t, snow_closure_call1(cx, handler, SNOW_WORD_PTR(rq)));
    } else {
        resp = not_found(cx);
    }
    int64_t status = (int64_t)resp->w[0];
    const snow_string_t *body = SNOW_WORD_TO_PTR(const snow_string_t, resp->w[1]);
    reply->status = status < INT_MIN ? INT_MIN : status > INT_MAX ? INT_MAX : (int)status;
    reply->body = body ? body->bytes : "";
    reply->body_len = body ? (size_t)body->len : 0;
}

/* }====== */

/* {====== Request accessors (services.md 1.6) */

static const http_req_t *req_of(void *req)
{
    return SNOW_WORD_TO_PTR(const http_req_t, ((snow_record_t *)req)->w[0]);
}

static snow_string_t *slice_string(snow_ctx_t *cx, ws_slice_t s)
{
    return snow_string_from_bytes_lossy(cx, s.base ? s.base : "", s.len);
}

static snow_record_t *some_slice(snow_ctx_t *cx, ws_slice_t s)
{
    return snow_option_some(cx, SNOW_WORD_PTR(slice_string(cx, s)), true);
}

snow_string_t *snow_request_method(snow_ctx_t *cx, void *req)
{
    return slice_string(cx, req_of(req)->req->head.method);
}

snow_string_t *snow_request_path(snow_ctx_t *cx, void *req)
{
    return slice_string(cx, req_of(req)->req->head.path);
}

snow_string_t *snow_request_body(snow_ctx_t *cx, void *req)
{
    return slice_string(cx, req_of(req)->req->body); /* U+FFFD for bad bytes (D55) */
}

snow_record_t *snow_request_header(snow_ctx_t *cx, void *req, snow_string_t *name)
{
    ws_slice_t v;
    if (!ws_http_header_get(&req_of(req)->req->head, name->bytes, (size_t)name->len, &v))
        return SNOW_NONE;
    return some_slice(cx, v);
}

snow_record_t *snow_request_query(snow_ctx_t *cx, void *req, snow_string_t *name)
{
    ws_slice_t v;
    if (!ws_http_query_get(req_of(req)->req->head.query, name->bytes, (size_t)name->len, &v))
        return SNOW_NONE;
    return some_slice(cx, v);
}

snow_record_t *snow_request_param(snow_ctx_t *cx, void *req, snow_string_t *name)
{
    const http_req_t *hr = req_of(req);
    ws_slice_t v;
    if (!hr->matched || !ws_router_param(&hr->match, name->bytes, (size_t)name->len, &v))
        return SNOW_NONE;
    return some_slice(cx, v);
}

/* }====== */

/* {====== Serving */

static size_t chain_length(snow_record_t *r)
{
    size_t n = 0;
    for (; r && (int64_t)r->w[R_KIND] != KIND_EMPTY; r = (snow_record_t *)r->w[R_PREV])
        n++;
    return n;
}

/* Registration order is the reverse of the chain's. */
static void app_build(http_app_t *app, snow_record_t *r)
{
    size_t n = chain_length(r);
    snow_record_t **entries = kern_calloc(n ? n : 1, sizeof *entries);
    for (size_t i = n; i-- > 0; r = (snow_record_t *)r->w[R_PREV])
        entries[i] = r;
    ws_router_init(&app->router);
    app->mws = kern_calloc(n ? n : 1, sizeof *app->mws);
    app->mw_count = 0;
    for (size_t i = 0; i < n; i++) {
        snow_record_t *e = entries[i];
        snow_record_t *fn = SNOW_WORD_TO_PTR(snow_record_t, e->w[R_FN]);
        if ((int64_t)e->w[R_KIND] == KIND_USE) {
            app->mws[app->mw_count++] = fn;
            continue;
        }
        const snow_string_t *m = SNOW_WORD_TO_PTR(const snow_string_t, e->w[R_METHOD]);
        const snow_string_t *p = SNOW_WORD_TO_PTR(const snow_string_t, e->w[R_PATTERN]);
        if (ws_router_add(&app->router, m ? m->bytes : NULL, m ? (size_t)m->len : 0, p->bytes,
                          (size_t)p->len, fn) < 0) {
            char line[512];
            int k = snprintf(line, sizeof line,
                             "[snow-rt] HTTP route ignored (more than %d parameters): %.400s\n",
                             WS_ROUTER_PARAMS_MAX, p->bytes);
            ssize_t rc = write(2, line, (size_t)(k < (int)sizeof line ? k : (int)sizeof line - 1));
            (void)rc;
        }
    }
    kern_free(entries);
}

static void app_destroy(http_app_t *app)
{
    ws_router_destroy(&app->router);
    kern_free(app->mws);
}

int ws_snow_http_serve_(snow_ctx_t *cx, void *router, int64_t port, struct kern_tls_ctx_t *tls)
{
    if (port < 0 || port > 65535) {
        char line[128];
        snprintf(line, sizeof line, "[snow-rt] Failed to start HTTP server on 0.0.0.0:%lld: %s\n",
                 (long long)port, strerror(EINVAL));
        ssize_t rc = write(2, line, strlen(line));
        (void)rc;
        return -EINVAL;
    }
    http_app_t app;
    app_build(&app, router);
    ws_server_config_t cfg = ws_server_config_spec((uint16_t)port, dispatch, &app);
    cfg.tls_banner = tls != NULL;
    cfg.tls = tls;
    cfg.rt = cx->rt;
    ws_server_t *srv = ws_server_new(&cfg);
    int rc;
    if (sched_worker_self() && sched_proc_current())
        rc = ws_server_run(srv); /* parks only this process (D92) */
    else
        rc = ws_server_serve(srv, cx->rt);
    ws_server_free(srv);
    app_destroy(&app);
    return rc;
}

snow_unit_t snow_http_serve(snow_ctx_t *cx, void *router, int64_t port)
{
    ws_snow_http_serve_(cx, router, port, NULL);
    return 0;
}

static void tls_failed(const char *prefix, const char *detail)
{
    char line[512];
    snprintf(line, sizeof line, "[snow-rt] Failed to load TLS certificates: %s%s\n", prefix,
             detail);
    ssize_t rc = write(2, line, strlen(line));
    (void)rc;
}

/* services.md 1.8: certificates are loaded before binding; a failure prints
 * the line with v5.0's detail prefixes and returns (). */
snow_unit_t snow_http_serve_tls(snow_ctx_t *cx, void *router, int64_t port,
                                snow_string_t *cert_path, snow_string_t *key_path)
{
    if (access(cert_path->bytes, R_OK) != 0) {
        tls_failed("open cert file: ", strerror(errno));
        return 0;
    }
    if (access(key_path->bytes, R_OK) != 0) {
        tls_failed("load key: ", strerror(errno));
        return 0;
    }
    kern_tls_config_t cfg = {.role = KERN_TLS_SERVER,
                             .cert_file = cert_path->bytes,
                             .key_file = key_path->bytes,
                             .version_min = KERN_TLS_1_2};
    kern_tls_ctx_t *ctx = NULL;
    int rc = kern_tls_ctx_new(&cfg, &ctx);
    if (rc < 0) {
        tls_failed(rc == -ENOENT ? "parse certs: " : "TLS config: ", kern_tls_strerror(rc));
        return 0;
    }
    ws_snow_http_serve_(cx, router, port, ctx);
    kern_tls_ctx_free(ctx);
    return 0;
}

/* }====== */
