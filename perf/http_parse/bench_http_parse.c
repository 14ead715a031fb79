/* bench_http_parse.c: requests parsed per second by ws_http_parse_request
 * (issue 8; DESIGN 9: perf/ decides on the hot paths).
 *
 * Cases: a typical browser GET (about 500 bytes, 10 header lines), the
 * minimal GET that wrk sends, and a pipelined burst of 16 wrk GETs parsed
 * back to back. Also times the router (a 12-route table, three passes) and
 * the response serializer, the two other per-request steps in ws/.
 * Each case runs for about 0.5 s after a warm-up; the figure is the median of
 * 5 runs. Built twice: bench_http_parse (SSE2 scan) and
 * bench_http_parse_scalar (WS_HTTP_NO_SIMD), to show what the vector scan buys.
 *
 * Usage: bench_http_parse [seconds_per_run]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ws/http_parse.h"
#include "ws/http_response.h"
#include "ws/router.h"

static const char browser_get[] =
    "GET /wp-content/uploads/2010/03/hello-kitty-darth-vader-pink.jpg HTTP/1.1\r\n"
    "Host: www.kittyhell.com\r\n"
    "User-Agent: Mozilla/5.0 (Macintosh; U; Intel Mac OS X 10_6_3; ja-JP-mac; rv:1.9.2.3) "
    "Gecko/20100401 Firefox/3.6.3 Pathtraq/0.9\r\n"
    "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n"
    "Accept-Language: ja,en-us;q=0.7,en;q=0.3\r\n"
    "Accept-Encoding: gzip,deflate\r\n"
    "Accept-Charset: Shift_JIS,utf-8;q=0.7,*;q=0.7\r\n"
    "Keep-Alive: 115\r\n"
    "Connection: keep-alive\r\n"
    "Cookie: wp_ozh_wsa_visits=2; wp_ozh_wsa_visit_lasttime=xxxxxxxxxx; "
    "__utma=xxxxxxxxx.xxxxxxxxxx.xxxxxxxxxx.xxxxxxxxxx.xxxxxxxxxx.x\r\n"
    "Referer: http://www.kittyhell.com/\r\n"
    "\r\n";

static const char wrk_get[] = "GET / HTTP/1.1\r\nHost: localhost:8080\r\n\r\n";

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts); /* CPU time: the machine is shared */
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

typedef uint64_t (*bench_fn)(uint64_t iterations);

/* Runs fn for about secs seconds, 5 times; returns the median ops/s. */
static double measure(bench_fn fn, double secs)
{
    uint64_t n = 1000;
    double t0 = now_s();
    fn(n);
    double dt = now_s() - t0;
    while (dt < 0.05) { /* calibrate */
        n *= 4;
        t0 = now_s();
        fn(n);
        dt = now_s() - t0;
    }
    uint64_t iters = (uint64_t)((double)n * secs / dt) + 1;
    double rates[5];
    for (int r = 0; r < 5; r++) {
        t0 = now_s();
        uint64_t ops = fn(iters);
        rates[r] = (double)ops / (now_s() - t0);
    }
    qsort(rates, 5, sizeof rates[0], cmp_double);
    return rates[2];
}

static volatile uint64_t sink;
static char *pipelined;
static size_t pipelined_len;

static uint64_t parse_one(const char *buf, size_t len, uint64_t iterations)
{
    ws_http_limits_t lim = WS_HTTP_LIMITS_SPEC;
    ws_http_header_t hdrs[100];
    ws_http_request_t req;
    uint64_t sum = 0;
    for (uint64_t i = 0; i < iterations; i++) {
        int rc = ws_http_parse_request(buf, len, &lim, &req, hdrs, 100);
        if (rc <= 0)
            abort();
        sum += (uint64_t)rc + req.header_count;
    }
    sink = sum;
    return iterations;
}

static uint64_t bench_browser(uint64_t n)
{
    return parse_one(browser_get, sizeof browser_get - 1, n);
}

static uint64_t bench_wrk(uint64_t n) { return parse_one(wrk_get, sizeof wrk_get - 1, n); }

static uint64_t bench_pipelined(uint64_t n)
{
    ws_http_limits_t lim = WS_HTTP_LIMITS_SPEC;
    ws_http_header_t hdrs[100];
    ws_http_request_t req;
    uint64_t reqs = 0;
    for (uint64_t i = 0; i < n; i++) {
        size_t off = 0;
        while (off < pipelined_len) {
            int rc =
                ws_http_parse_request(pipelined + off, pipelined_len - off, &lim, &req, hdrs, 100);
            if (rc <= 0)
                abort();
            off += (size_t)rc;
            reqs++;
        }
    }
    sink = reqs;
    return reqs;
}

static ws_router_t router;

static void build_router(void)
{
    static const char *routes[][2] = {
        {"GET", "/"},
        {"GET", "/health"},
        {"GET", "/users"},
        {"POST", "/users"},
        {"GET", "/users/:id"},
        {"PUT", "/users/:id"},
        {"DELETE", "/users/:id"},
        {"GET", "/users/:id/posts/:post"},
        {"GET", "/api/v1/stats"},
        {NULL, "/static/*"},
        {"GET", "/orders/:order_id/lines/:n"},
        {NULL, "/*"},
    };
    ws_router_init(&router);
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        const char *m = routes[i][0];
        ws_router_add(&router, m, m ? strlen(m) : 0, routes[i][1], strlen(routes[i][1]),
                      (void *)(uintptr_t)(i + 1));
    }
}

static uint64_t bench_router(uint64_t n)
{
    static const char *paths[] = {"/health", "/users/42/posts/7", "/static/css/site.css",
                                  "/nope/at/all"};
    ws_router_match_t m;
    uint64_t hits = 0;
    for (uint64_t i = 0; i < n; i++) {
        const char *p = paths[i & 3];
        hits += ws_router_match(&router, (ws_slice_t){"GET", 3}, (ws_slice_t){p, strlen(p)}, &m);
    }
    sink = hits;
    return n;
}

static uint64_t bench_response(uint64_t n)
{
    char head[WS_HTTP_HEAD_BYTES_MAX];
    struct iovec iov[2];
    static const char body[] = "{\"sku\":\"B-17\"}";
    uint64_t bytes = 0;
    for (uint64_t i = 0; i < n; i++) {
        ws_http_response_t resp = {.status = 200, .body = body, .body_len = sizeof body - 1};
        if (ws_http_response_write(&resp, head, sizeof head, iov) != 2)
            abort();
        bytes += iov[0].iov_len;
    }
    sink = bytes;
    return n;
}

int main(int argc, char **argv)
{
    double secs = argc > 1 ? atof(argv[1]) : 0.5;
    pipelined_len = 16 * (sizeof wrk_get - 1);
    pipelined = malloc(pipelined_len);
    for (int i = 0; i < 16; i++)
        memcpy(pipelined + (size_t)i * (sizeof wrk_get - 1), wrk_get, sizeof wrk_get - 1);
    build_router();
#if defined(WS_HTTP_NO_SIMD)
    const char *scan = "scalar";
#else
    const char *scan = "sse2";
#endif
    double r;
    r = measure(bench_browser, secs);
    printf("%-28s %6s %12.0f req/s %8.1f ns/req %7.0f MB/s\n", "parse browser GET (512 B)", scan, r,
           1e9 / r, r * (double)(sizeof browser_get - 1) / 1e6);
    r = measure(bench_wrk, secs);
    printf("%-28s %6s %12.0f req/s %8.1f ns/req %7.0f MB/s\n", "parse wrk GET (40 B)", scan, r,
           1e9 / r, r * (double)(sizeof wrk_get - 1) / 1e6);
    r = measure(bench_pipelined, secs);
    printf("%-28s %6s %12.0f req/s %8.1f ns/req\n", "parse 16 pipelined wrk GETs", scan, r,
           1e9 / r);
    r = measure(bench_router, secs);
    printf("%-28s %6s %12.0f op/s  %8.1f ns/op\n", "router match (12 routes)", "-", r, 1e9 / r);
    r = measure(bench_response, secs);
    printf("%-28s %6s %12.0f op/s  %8.1f ns/op\n", "response head (200, JSON)", "-", r, 1e9 / r);
    ws_router_destroy(&router);
    free(pipelined);
    return 0;
}
