/* router.h: the route table behind HTTP.router / HTTP.route / HTTP.on_*
 * (services.md 1.3, 1.4).
 *
 * A table is built once (ws_router_add per registration, in registration
 * order) and then only read: matching allocates nothing, writes only the
 * caller's ws_router_match_t, and may run on any thread at once. The Snow
 * Router value is persistent (every HTTP.route returns a new router); the
 * server builds one ws_router_t from it when it starts serving.
 *
 * Matching (services.md 1.4) makes three passes, each in registration order,
 * skipping entries whose method filter differs from the request's method
 * (exact, case-sensitive):
 *   1. static patterns: the pattern equals the path byte for byte;
 *   2. patterns with a ":name" segment: both split on '/' with empty segments
 *      dropped, same segment count, literal segments equal, each ":name"
 *      captures its path segment;
 *   3. wildcard patterns, ending in '/' then '*' (like /static/ followed by
 *      a star): the path starts with the pattern minus the star, or equals
 *      it minus both.
 * So a static route beats a parameterised one, which beats a wildcard,
 * whatever the registration order. No match is 404; a method mismatch never
 * gives 405 (services.md 1.4). A pattern with both ":name" and a final star
 * takes part in passes 2 and 3 with the other syntax read literally, as the
 * spec's edge-case note says. The path is never decoded or case-folded.
 */
#ifndef SNOW_WS_ROUTER_H
#define SNOW_WS_ROUTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ws/http_parse.h"

/* At most this many ":name" segments in one pattern; ws_router_add refuses
 * more, so a match never needs more room than ws_router_match_t has. */
enum { WS_ROUTER_PARAMS_MAX = 32 };

typedef struct ws_route_t {
    ws_slice_t method;       /* base NULL: any method (HTTP.route) */
    ws_slice_t pattern;      /* the router's own copy */
    void *handler;           /* opaque to the router; handed back on a match */
    bool is_param;           /* some segment starts with ':' (pass 2) */
    bool is_wildcard;        /* ends with '/' '*' (pass 3) */
    bool is_static;          /* neither (pass 1) */
    uint32_t _segment_count; /* non-empty segments of pattern */
    ws_slice_t *_segments;   /* slices of pattern, in the same allocation */
} ws_route_t;

typedef struct ws_router_t {
    ws_route_t *routes; /* in registration order */
    size_t route_count;
    size_t _capacity;
} ws_router_t;

typedef struct ws_router_param_t {
    ws_slice_t name;  /* the text after ':' in the pattern */
    ws_slice_t value; /* the path segment: a slice of the matched path */
} ws_router_param_t;

typedef struct ws_router_match_t {
    const ws_route_t *route;
    size_t param_count; /* captures in pattern order, duplicates included */
    ws_router_param_t params[WS_ROUTER_PARAMS_MAX];
} ws_router_match_t;

/* Makes r an empty table. The caller owns r's storage. */
void ws_router_init(ws_router_t *r);

/* Frees everything ws_router_add allocated. Borrowed handlers are not touched. */
void ws_router_destroy(ws_router_t *r);

/* Appends a route. method (method_len bytes) is copied, or NULL for any
 * method; pattern is copied. handler is kept as an opaque pointer. Returns the
 * route's index (>= 0) or -E2BIG when the pattern has more than
 * WS_ROUTER_PARAMS_MAX ":name" segments. Allocates with kern_alloc (aborts
 * when memory runs out). Not thread-safe: build before serving. */
int ws_router_add(ws_router_t *r, const char *method, size_t method_len, const char *pattern,
                  size_t pattern_len, void *handler);

/* Finds the route for method and path (services.md 1.4). Borrows path: the
 * captured values in *m point into it. Returns true and fills *m on a match;
 * false means 404. Allocation-free; any thread, concurrently with other
 * matches. */
bool ws_router_match(const ws_router_t *r, ws_slice_t method, ws_slice_t path,
                     ws_router_match_t *m);

/* Request.param: the value captured as name (name_len bytes, exact). With a
 * repeated name the later capture wins (services.md 1.4). */
bool ws_router_param(const ws_router_match_t *m, const char *name, size_t name_len,
                     ws_slice_t *value);

#endif
