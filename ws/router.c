/* router.c: the route table. Each route is one allocation holding the route's
 * method, pattern and pre-split segments, so matching follows no pointers
 * beyond the route array and the segment slices next to the pattern.
 * Matching walks the path's segments in step with a pattern's, without
 * splitting the path into an array first, so a path with any number of
 * segments costs no memory. */
#include "ws/router.h"

#include <errno.h>
#include <string.h>

#include "kernel/alloc.h"
#include "kernel/assert.h"

void ws_router_init(ws_router_t *r) { *r = (ws_router_t){0}; }

void ws_router_destroy(ws_router_t *r)
{
    for (size_t i = 0; i < r->route_count; i++)
        kern_free(r->routes[i]._segments);
    kern_free(r->routes);
    *r = (ws_router_t){0};
}

static bool slice_eq(ws_slice_t a, ws_slice_t b)
{
    return a.len == b.len && memcmp(a.base, b.base, a.len) == 0;
}

/* Returns the next non-empty '/'-separated segment at or after *pp (before
 * end), and moves *pp past it; {NULL, 0} when only slashes are left. */
static ws_slice_t next_segment(const char **pp, const char *end)
{
    const char *p = *pp;
    while (p < end && *p == '/')
        p++;
    if (p == end) {
        *pp = p;
        return (ws_slice_t){NULL, 0};
    }
    const char *slash = memchr(p, '/', (size_t)(end - p));
    const char *e = slash != NULL ? slash : end;
    *pp = e;
    return (ws_slice_t){p, (size_t)(e - p)};
}

/* Classifies the route and fills its segment array (services.md 1.4 table). */
static int classify(ws_route_t *rt)
{
    ws_slice_t pat = rt->pattern;
    const char *p = pat.base, *end = pat.base + pat.len;
    uint32_t count = 0, params = 0;
    for (ws_slice_t seg = next_segment(&p, end); seg.base != NULL; seg = next_segment(&p, end)) {
        rt->_segments[count++] = seg;
        if (seg.base[0] == ':')
            params++;
    }
    if (params > WS_ROUTER_PARAMS_MAX)
        return -E2BIG;
    rt->_segment_count = count;
    rt->is_param = params > 0;
    rt->is_wildcard = pat.len >= 2 && pat.base[pat.len - 2] == '/' && pat.base[pat.len - 1] == '*';
    rt->is_static = !rt->is_param && !rt->is_wildcard;
    return 0;
}

int ws_router_add(ws_router_t *r, const char *method, size_t method_len, const char *pattern,
                  size_t pattern_len, void *handler)
{
    /* A pattern of n bytes has at most n/2 + 1 non-empty segments. */
    size_t seg_max = pattern_len / 2 + 1;
    size_t size = seg_max * sizeof(ws_slice_t) + pattern_len + (method ? method_len : 0) + 1;
    char *block = kern_alloc(size);
    ws_route_t rt = {.handler = handler, ._segments = (ws_slice_t *)(void *)block};
    char *text = block + seg_max * sizeof(ws_slice_t);
    memcpy(text, pattern, pattern_len);
    rt.pattern = (ws_slice_t){text, pattern_len};
    if (method != NULL) {
        memcpy(text + pattern_len, method, method_len);
        rt.method = (ws_slice_t){text + pattern_len, method_len};
    }
    int rc = classify(&rt);
    if (rc < 0) {
        kern_free(block);
        return rc;
    }
    if (r->route_count == r->_capacity) {
        r->_capacity = r->_capacity ? r->_capacity * 2 : 8;
        r->routes = kern_realloc(r->routes, r->_capacity * sizeof(ws_route_t));
    }
    r->routes[r->route_count] = rt;
    return (int)r->route_count++;
}

/* Pass 2: segment by segment, capturing ":name" segments into m. */
static bool match_params(const ws_route_t *rt, ws_slice_t path, ws_router_match_t *m)
{
    const char *p = path.base, *end = path.base + path.len;
    size_t n = 0;
    for (uint32_t i = 0; i < rt->_segment_count; i++) {
        ws_slice_t seg = next_segment(&p, end);
        if (seg.base == NULL)
            return false;
        ws_slice_t pat = rt->_segments[i];
        if (pat.base[0] == ':') {
            m->params[n++] = (ws_router_param_t){{pat.base + 1, pat.len - 1}, seg};
        } else if (!slice_eq(pat, seg)) {
            return false;
        }
    }
    if (next_segment(&p, end).base != NULL)
        return false;
    m->param_count = n;
    return true;
}

/* Pass 3: "/static/" plus a star matches "/static", "/static/" and
 * "/static/anything". */
static bool match_wildcard(const ws_route_t *rt, ws_slice_t path)
{
    size_t prefix_len = rt->pattern.len - 1; /* keeps the '/' */
    if (path.len >= prefix_len)
        return memcmp(path.base, rt->pattern.base, prefix_len) == 0;
    return path.len == prefix_len - 1 && memcmp(path.base, rt->pattern.base, path.len) == 0;
}

static bool method_ok(const ws_route_t *rt, ws_slice_t method)
{
    return rt->method.base == NULL || slice_eq(rt->method, method);
}

bool ws_router_match(const ws_router_t *r, ws_slice_t method, ws_slice_t path, ws_router_match_t *m)
{
    m->route = NULL;
    m->param_count = 0;
    for (size_t i = 0; i < r->route_count; i++) {
        const ws_route_t *rt = &r->routes[i];
        if (rt->is_static && method_ok(rt, method) && slice_eq(rt->pattern, path)) {
            m->route = rt;
            return true;
        }
    }
    for (size_t i = 0; i < r->route_count; i++) {
        const ws_route_t *rt = &r->routes[i];
        if (rt->is_param && method_ok(rt, method) && match_params(rt, path, m)) {
            m->route = rt;
            return true;
        }
    }
    for (size_t i = 0; i < r->route_count; i++) {
        const ws_route_t *rt = &r->routes[i];
        if (rt->is_wildcard && method_ok(rt, method) && match_wildcard(rt, path)) {
            m->route = rt;
            m->param_count = 0;
            return true;
        }
    }
    m->param_count = 0;
    return false;
}

bool ws_router_param(const ws_router_match_t *m, const char *name, size_t name_len,
                     ws_slice_t *value)
{
    snow_assert(m->param_count <= WS_ROUTER_PARAMS_MAX);
    for (size_t i = m->param_count; i-- > 0;) {
        ws_slice_t n = m->params[i].name;
        if (n.len == name_len && memcmp(n.base, name, name_len) == 0) {
            *value = m->params[i].value;
            return true;
        }
    }
    return false;
}
