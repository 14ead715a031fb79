/* snow_http.h: the Snow binding of the HTTP server (services.md 1; issue 8).
 *
 * The ABI functions themselves (snow_http_*, snow_request_*) are declared
 * in lang/std/snow.h, section "HTTP", which is what emitted code includes;
 * ws/snow_http.c defines them. This header adds what the rest of ws/ shares
 * with the binding. */
#ifndef SNOW_WS_SNOW_HTTP_H
#define SNOW_WS_SNOW_HTTP_H

#include <stdbool.h>
#include <stdint.h>

#include "lang/std/snow.h"

struct kern_tls_ctx_t;

/* HTTP.serve / HTTP.serve_tls after the TLS set-up: builds the route table
 * from router (a Router value of cx's heap, borrowed) and serves it on port
 * until shutdown (see snow_http.c on where it runs), over TLS with the
 * server context tls (borrowed) unless it is NULL. Returns 0, or -errno when
 * the port is invalid or the listener could not be bound (the failure line
 * is printed). Not to be called directly. */
int ws_snow_http_serve_(snow_ctx_t *cx, void *router, int64_t port, struct kern_tls_ctx_t *tls);

#endif
