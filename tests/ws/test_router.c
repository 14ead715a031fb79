/* Tests for ws/router.c: route patterns and matching (services.md 1.3, 1.4). */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "kernel/alloc.h"
#include "ws/router.h"

static ws_router_t r;

/* Registers (method or NULL, pattern); the handler is the route's number. */
static void add(const char *method, const char *pattern)
{
    int rc = ws_router_add(&r, method, method ? strlen(method) : 0, pattern, strlen(pattern),
                           (void *)(uintptr_t)(r.route_count + 1));
    cr_assert_geq(rc, 0, "add %s", pattern);
}

/* The handler number that method+path reaches, or 0 for 404. */
static int route_of(const char *method, const char *path, ws_router_match_t *m)
{
    ws_slice_t ms = {method, strlen(method)}, ps = {path, strlen(path)};
    if (!ws_router_match(&r, ms, ps, m))
        return 0;
    return (int)(uintptr_t)m->route->handler;
}

static bool param_is(const ws_router_match_t *m, const char *name, const char *want)
{
    ws_slice_t v;
    if (!ws_router_param(m, name, strlen(name), &v))
        return want == NULL;
    return want != NULL && v.len == strlen(want) && memcmp(v.base, want, v.len) == 0;
}

static void setup(void) { ws_router_init(&r); }

static void teardown(void)
{
    ws_router_destroy(&r);
    cr_assert_eq(kern_alloc_live_count(), 0, "router leaked");
}

TestSuite(ws_router, .init = setup, .fini = teardown);

typedef struct route_case_t {
    const char *method;
    const char *path;
    int route; /* handler number, 0 for 404 */
} route_case_t;

Test(ws_router, priority_table_static_beats_param_beats_wildcard)
{
    add(NULL, "/*");                          /* 1 */
    add(NULL, "/accounts/:id");               /* 2 */
    add(NULL, "/static/*");                   /* 3 */
    add(NULL, "/accounts/current");           /* 4: after the param route, still wins */
    add("GET", "/orders/:order_id/lines/:n"); /* 5 */
    add("POST", "/orders/:o/lines/:n");       /* 6 */
    add(NULL, "/health");                     /* 7 */
    add("GET", "/only-get");                  /* 8 */
    static const route_case_t cases[] = {
        {"GET", "/accounts/current", 4},
        {"GET", "/accounts/7", 2},
        {"GET", "/accounts/7/", 2}, /* empty segments are dropped */
        {"GET", "//accounts/7", 2},
        {"GET", "/accounts", 1}, /* segment count differs: wildcard */
        {"GET", "/accounts/7/x", 1},
        {"GET", "/static/css/a.css", 1}, /* same pass: the earlier catch-all wins */
        {"GET", "/orders/9/lines/2", 5},
        {"POST", "/orders/9/lines/2", 6},
        {"PUT", "/orders/9/lines/2", 1},
        {"GET", "/health", 7},
        {"GET", "/health/", 1}, /* a trailing slash matters for static routes */
        {"GET", "/only-get", 8},
        {"get", "/only-get", 1}, /* method comparison is case-sensitive */
        {"POST", "/only-get", 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ws_router_match_t m;
        int got = route_of(cases[i].method, cases[i].path, &m);
        cr_expect_eq(got, cases[i].route, "%s %s: got %d want %d", cases[i].method, cases[i].path,
                     got, cases[i].route);
    }
}

Test(ws_router, no_match_is_404_and_method_mismatch_never_405)
{
    add("GET", "/a");
    add("DELETE", "/b/:id");
    ws_router_match_t m;
    cr_assert_eq(route_of("POST", "/a", &m), 0);
    cr_assert_null(m.route);
    cr_assert_eq(route_of("GET", "/b/1", &m), 0);
    cr_assert_eq(route_of("DELETE", "/b/1", &m), 2);
    cr_assert_eq(route_of("GET", "/nothing", &m), 0);
}

Test(ws_router, wildcard_matches_prefix_and_bare_prefix_but_not_a_longer_name)
{
    add(NULL, "/static/*");
    ws_router_match_t m;
    cr_assert_eq(route_of("GET", "/static", &m), 1);
    cr_assert_eq(route_of("GET", "/static/", &m), 1);
    cr_assert_eq(route_of("GET", "/static/css/site.css", &m), 1);
    cr_assert_eq(route_of("GET", "/statics", &m), 0);
    cr_assert_eq(route_of("GET", "/stat", &m), 0);
    cr_assert_eq(m.param_count, 0);
}

Test(ws_router, first_registered_wins_within_a_pass)
{
    add(NULL, "/x/:a");
    add(NULL, "/x/:b");
    add(NULL, "/y/*");
    add(NULL, "/*");
    ws_router_match_t m;
    cr_assert_eq(route_of("GET", "/x/1", &m), 1);
    cr_assert(param_is(&m, "a", "1"));
    cr_assert(param_is(&m, "b", NULL));
    cr_assert_eq(route_of("GET", "/y/1", &m), 3);
}

Test(ws_router, params_capture_raw_segments_and_later_duplicates_win)
{
    add(NULL, "/u/:id/:id");
    add(NULL, "/p/:sku");
    add(NULL, "/e/:");
    ws_router_match_t m;
    cr_assert_eq(route_of("GET", "/u/1/2", &m), 1);
    cr_assert_eq(m.param_count, 2);
    cr_assert(param_is(&m, "id", "2"));
    cr_assert_eq(route_of("GET", "/p/B-17%20x", &m), 2);
    cr_assert(param_is(&m, "sku", "B-17%20x")); /* not decoded */
    cr_assert(param_is(&m, "SKU", NULL));       /* names are exact */
    cr_assert_eq(route_of("GET", "/e/v", &m), 3);
    cr_assert(param_is(&m, "", "v"));
}

Test(ws_router, edge_patterns_follow_the_spec_notes)
{
    add(NULL, "/a/*/b");  /* '*' not last: a literal, static */
    add(NULL, "/m/:x/*"); /* param pass with '*' literal; wildcard pass with ":x" literal */
    ws_router_match_t m;
    cr_assert_eq(route_of("GET", "/a/*/b", &m), 1);
    cr_assert_eq(route_of("GET", "/a/z/b", &m), 0);
    cr_assert_eq(route_of("GET", "/m/1/*", &m), 2);
    cr_assert(param_is(&m, "x", "1"));
    cr_assert_eq(route_of("GET", "/m/1/z", &m), 0);
    cr_assert_eq(route_of("GET", "/m/:x/z", &m), 2); /* wildcard pass, literal prefix */
    cr_assert_eq(m.param_count, 0);
}

Test(ws_router, too_many_params_are_refused)
{
    char pat[512] = "";
    for (int i = 0; i < WS_ROUTER_PARAMS_MAX; i++)
        strcat(pat, "/:p");
    cr_assert_eq(ws_router_add(&r, NULL, 0, pat, strlen(pat), NULL), 0);
    strcat(pat, "/:p");
    cr_assert_eq(ws_router_add(&r, NULL, 0, pat, strlen(pat), NULL), -E2BIG);
    cr_assert_eq(r.route_count, 1);
}

Test(ws_router, many_routes_grow_the_table)
{
    char pat[32];
    for (int i = 0; i < 100; i++) {
        snprintf(pat, sizeof pat, "/r%d/:id", i);
        add("GET", pat);
    }
    ws_router_match_t m;
    cr_assert_eq(route_of("GET", "/r73/5", &m), 74);
    cr_assert(param_is(&m, "id", "5"));
}
