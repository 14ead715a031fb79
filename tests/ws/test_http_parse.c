/* Tests for ws/http_parse.c: the request-head parser (RFC 9112; services.md
 * 1.6 and 1.9; D84, D88, D89). Every input ends at a PROT_NONE page. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/ws/guard.h"
#include "ws/http_parse.h"

enum { FULL = 1 }; /* expected result: the whole input is the head */

static guard_t last_guard;
static ws_http_header_t hdrs[128];

/* Parses s[0, len) placed flush against a guard page; the slices stay valid
 * until the next call. */
static int parse_n(const char *s, size_t len, const ws_http_limits_t *lim, ws_http_request_t *req,
                   size_t cap)
{
    if (last_guard.map != NULL)
        guard_free(&last_guard);
    last_guard = guard_copy(s, len);
    return ws_http_parse_request(last_guard.data, len, lim, req, hdrs, cap);
}

static int parse(const char *s, ws_http_request_t *req)
{
    ws_http_limits_t lim = WS_HTTP_LIMITS_SPEC;
    return parse_n(s, strlen(s), &lim, req, 128);
}

static bool slice_is(ws_slice_t s, const char *lit)
{
    return s.len == strlen(lit) && memcmp(s.base, lit, s.len) == 0;
}

#define H11 "Host: example.com\r\n"

typedef struct parse_case_t {
    const char *input;
    int expect; /* FULL or a WS_HTTP_* rejection */
} parse_case_t;

/* The table (STYLE 9): valid heads, then each kind of rejection. */
static const parse_case_t cases[] = {
    {"GET / HTTP/1.1\r\n" H11 "\r\n", FULL},
    {"GET /x?a=1&b HTTP/1.0\r\n\r\n", FULL},
    {"\r\n\r\nGET / HTTP/1.1\r\n" H11 "\r\n", FULL}, /* RFC 9112 2.2 */
    {"get /lower HTTP/1.1\r\n" H11 "\r\n", FULL},    /* any token is a method */
    {"OPTIONS * HTTP/1.1\r\n" H11 "\r\n", FULL},
    {"GET http://h/x?y HTTP/1.1\r\n" H11 "\r\n", FULL},
    {"GET / HTTP/1.2\r\n" H11 "\r\n", FULL},
    {"GET /caf\xc3\xa9 HTTP/1.1\r\n" H11 "X: \xe2\x82\xac\t1 \r\n\r\n", FULL},
    {"GET / HTTP/1.1\r\n" H11 "X-Empty:\r\nX-Sp:   \r\n\r\n", FULL},
    {"GET / HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n", FULL},
    {"GET / HTTP/1.1\r\nHost: 127.0.0.1:80\r\n\r\n", FULL},
    {"GET / HTTP/1.1\r\nHost:\r\n\r\n", FULL}, /* empty: no authority (RFC 9112 3.2) */
    {"POST / HTTP/1.1\r\n" H11 "Content-Length: 5, 5\r\ncontent-length: 5\r\n\r\n", FULL},
    {"POST / HTTP/1.1\r\n" H11 "Transfer-Encoding: Chunked\r\n\r\n", FULL},
    {"POST / HTTP/1.1\r\n" H11 "Content-Length: 16777216\r\n\r\n", FULL},
    /* request line */
    {"GET  / HTTP/1.1\r\n" H11 "\r\n", WS_HTTP_BAD_REQUEST},
    {"GET / HTTP/1.1 \r\n" H11 "\r\n", WS_HTTP_BAD_REQUEST},
    {" GET / HTTP/1.1\r\n" H11 "\r\n", WS_HTTP_BAD_REQUEST},
    {"G(T / HTTP/1.1\r\n" H11 "\r\n", WS_HTTP_BAD_REQUEST},
    {"GET /\r\n\r\n", WS_HTTP_BAD_REQUEST}, /* HTTP/0.9 */
    {"GET / http/1.1\r\n" H11 "\r\n", WS_HTTP_BAD_REQUEST},
    {"GET / HTTP/1.10\r\n" H11 "\r\n", WS_HTTP_BAD_REQUEST},
    {"GET / HTTP/1.1\n" H11 "\r\n", WS_HTTP_BAD_REQUEST},
    {"GET /a\tb HTTP/1.1\r\n" H11 "\r\n", WS_HTTP_BAD_REQUEST},
    {"GET /\x7f HTTP/1.1\r\n" H11 "\r\n", WS_HTTP_BAD_REQUEST},
    {"GET /\xff HTTP/1.1\r\n" H11 "\r\n", WS_HTTP_BAD_REQUEST},
    {"GET /\xc0\xaf HTTP/1.1\r\n" H11 "\r\n", WS_HTTP_BAD_REQUEST}, /* overlong '/' */
    {"GET / HTTP/2.0\r\n" H11 "\r\n", WS_HTTP_VERSION},
    {"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", WS_HTTP_VERSION},
    {"GET / HTTP/0.9\r\n\r\n", WS_HTTP_VERSION},
    /* fields */
    {"GET / HTTP/1.1\r\n" H11 "X: a\r\n\n", WS_HTTP_BAD_REQUEST},
    {"GET / HTTP/1.1\r\n" H11 "X: a\rb\r\n\r\n", WS_HTTP_BAD_REQUEST},
    {"GET / HTTP/1.1\r\n" H11 "X: a\nb\r\n\r\n", WS_HTTP_BAD_REQUEST},
    {"GET / HTTP/1.1\r\n" H11 "X: a\x01\r\n\r\n", WS_HTTP_BAD_REQUEST},
    {"GET / HTTP/1.1\r\n" H11 "X: a\x7f\r\n\r\n", WS_HTTP_BAD_REQUEST},
    {"GET / HTTP/1.1\r\n" H11 "X: \xed\xa0\x80\r\n\r\n", WS_HTTP_BAD_REQUEST}, /* surrogate */
    {"GET / HTTP/1.1\r\n" H11 "X: \xf4\x90\x80\x80\r\n\r\n", WS_HTTP_BAD_REQUEST},
    {"GET / HTTP/1.1\r\n" H11 "X : a\r\n\r\n", WS_HTTP_BAD_REQUEST},
    {"GET / HTTP/1.1\r\n" H11 "X-A: a\r\n  folded\r\n\r\n", WS_HTTP_BAD_REQUEST},
    {"GET / HTTP/1.1\r\n" H11 "NoColon\r\n\r\n", WS_HTTP_BAD_REQUEST},
    {"GET / HTTP/1.1\r\n" H11 ": empty-name\r\n\r\n", WS_HTTP_BAD_REQUEST},
    {"GET / HTTP/1.1\r\n\r\n", WS_HTTP_BAD_REQUEST}, /* no Host in 1.1 */
    {"GET / HTTP/1.1\r\n" H11 H11 "\r\n", WS_HTTP_BAD_REQUEST},
    {"GET / HTTP/1.1\r\nHost: a b\r\n\r\n", WS_HTTP_BAD_REQUEST},
    {"GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", WS_HTTP_BAD_REQUEST},
    {"GET / HTTP/1.1\r\nHost: u@a\r\n\r\n", WS_HTTP_BAD_REQUEST},
    {"GET / HTTP/1.1\r\nHost: caf\xc3\xa9\r\n\r\n", WS_HTTP_BAD_REQUEST},
    /* Content-Length (RFC 9112 6.3) */
    {"POST / HTTP/1.1\r\n" H11 "Content-Length: 5\r\nContent-Length: 6\r\n\r\n",
     WS_HTTP_BAD_REQUEST},
    {"POST / HTTP/1.1\r\n" H11 "Content-Length: 5, 6\r\n\r\n", WS_HTTP_BAD_REQUEST},
    {"POST / HTTP/1.1\r\n" H11 "Content-Length: -1\r\n\r\n", WS_HTTP_BAD_REQUEST},
    {"POST / HTTP/1.1\r\n" H11 "Content-Length: +5\r\n\r\n", WS_HTTP_BAD_REQUEST},
    {"POST / HTTP/1.1\r\n" H11 "Content-Length: 5a\r\n\r\n", WS_HTTP_BAD_REQUEST},
    {"POST / HTTP/1.1\r\n" H11 "Content-Length: 0x5\r\n\r\n", WS_HTTP_BAD_REQUEST},
    {"POST / HTTP/1.1\r\n" H11 "Content-Length:\r\n\r\n", WS_HTTP_BAD_REQUEST},
    {"POST / HTTP/1.1\r\n" H11 "Content-Length: ,\r\n\r\n", WS_HTTP_BAD_REQUEST},
    {"POST / HTTP/1.1\r\n" H11 "Content-Length: 16777217\r\n\r\n", WS_HTTP_BODY_TOO_LARGE},
    {"POST / HTTP/1.1\r\n" H11 "Content-Length: 99999999999999999999999\r\n\r\n",
     WS_HTTP_BODY_TOO_LARGE},
    /* Transfer-Encoding and smuggling (RFC 9112 6.1, 6.3) */
    {"POST / HTTP/1.1\r\n" H11 "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
     WS_HTTP_BAD_REQUEST},
    {"POST / HTTP/1.1\r\n" H11 "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n",
     WS_HTTP_BAD_REQUEST},
    {"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", WS_HTTP_BAD_REQUEST},
    {"POST / HTTP/1.1\r\n" H11 "Transfer-Encoding: chunked, gzip\r\n\r\n", WS_HTTP_BAD_REQUEST},
    {"POST / HTTP/1.1\r\n" H11 "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
     WS_HTTP_BAD_REQUEST},
    {"POST / HTTP/1.1\r\n" H11 "Transfer-Encoding: gzip\r\n\r\n", WS_HTTP_BAD_REQUEST},
    {"POST / HTTP/1.1\r\n" H11 "Transfer-Encoding: xchunked\r\n\r\n", WS_HTTP_BAD_REQUEST},
    {"POST / HTTP/1.1\r\n" H11 "Transfer-Encoding:\r\n\r\n", WS_HTTP_BAD_REQUEST},
    {"POST / HTTP/1.1\r\n" H11 "Transfer-Encoding : chunked\r\n\r\n", WS_HTTP_BAD_REQUEST},
    {"POST / HTTP/1.1\r\n" H11 "Transfer-Encoding: chunked\r\n \r\n\r\n", WS_HTTP_BAD_REQUEST},
    {"POST / HTTP/1.1\r\n" H11 "Transfer-Encoding: gzip, chunked\r\n\r\n", WS_HTTP_NOT_IMPLEMENTED},
};

#if !defined(SNOW_USE_SANITIZE) /* ASan turns the SIGSEGV into its own exit */
Test(ws_http_parse, guard_page_catches_a_read_one_past_the_input, .signal = SIGSEGV)
{
    guard_t g = guard_copy("GET", 3);
    volatile const char *p = g.data;
    (void)p[3];
}
#endif

Test(ws_http_parse, table_of_inputs_gives_the_expected_results)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ws_http_request_t req;
        const char *in = cases[i].input;
        int rc = parse(in, &req);
        int want = cases[i].expect == FULL ? (int)strlen(in) : cases[i].expect;
        cr_expect_eq(rc, want, "case %zu \"%s\": got %d want %d (%s)", i, in, rc, want,
                     req.error ? req.error : "-");
    }
}

Test(ws_http_parse, every_proper_prefix_of_a_valid_head_needs_more)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (cases[i].expect != FULL)
            continue;
        const char *in = cases[i].input;
        for (size_t n = 0; n < strlen(in); n++) {
            ws_http_request_t req;
            ws_http_limits_t lim = WS_HTTP_LIMITS_SPEC;
            int rc = parse_n(in, n, &lim, &req, 128);
            cr_assert_eq(rc, WS_HTTP_INCOMPLETE, "case %zu prefix %zu: %d", i, n, rc);
        }
    }
}

Test(ws_http_parse, prefixes_of_a_rejected_head_need_more_or_give_the_same_rejection)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (cases[i].expect == FULL)
            continue;
        const char *in = cases[i].input;
        for (size_t n = 0; n < strlen(in); n++) {
            ws_http_request_t req;
            ws_http_limits_t lim = WS_HTTP_LIMITS_SPEC;
            int rc = parse_n(in, n, &lim, &req, 128);
            cr_assert(rc == WS_HTTP_INCOMPLETE || rc == cases[i].expect, "case %zu prefix %zu: %d",
                      i, n, rc);
        }
    }
}

Test(ws_http_parse, bytes_after_a_complete_head_do_not_change_the_result)
{
    static const char *tails[] = {"G", "\r\n", "\x01\xff", "GET / HTTP/1.1\r\n"};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *in = cases[i].input;
        ws_http_request_t req;
        int want = parse(in, &req);
        if (want == WS_HTTP_INCOMPLETE)
            continue;
        for (size_t t = 0; t < 4; t++) {
            char buf[1024];
            int n = snprintf(buf, sizeof buf, "%s%s", in, tails[t]);
            ws_http_limits_t lim = WS_HTTP_LIMITS_SPEC;
            cr_assert_eq(parse_n(buf, (size_t)n, &lim, &req, 128), want, "case %zu tail %zu", i, t);
        }
    }
}

Test(ws_http_parse, slices_point_at_method_target_path_query_and_headers)
{
    ws_http_request_t req;
    const char *in = "PATCH /users/7?x=1&y HTTP/1.1\r\nHost:  h:80 \r\nX-Tab:\tv\t\r\n\r\n";
    cr_assert_eq(parse(in, &req), (int)strlen(in));
    cr_assert(slice_is(req.method, "PATCH"));
    cr_assert(slice_is(req.target, "/users/7?x=1&y"));
    cr_assert(slice_is(req.path, "/users/7"));
    cr_assert(slice_is(req.query, "x=1&y"));
    cr_assert_eq(req.minor_version, 1);
    cr_assert_eq(req.header_count, 2);
    cr_assert(slice_is(req.headers[0].name, "Host"));
    cr_assert(slice_is(req.headers[0].value, "h:80"));
    cr_assert(slice_is(req.host, "h:80"));
    cr_assert(slice_is(req.headers[1].value, "v"));
    cr_assert_eq(req.body, WS_HTTP_BODY_NONE);
    cr_assert(req.keep_alive);
    cr_assert_not(req.expect_continue);
    cr_assert_null(req.error);
}

Test(ws_http_parse, path_without_query_has_null_query_and_empty_query_is_not_null)
{
    ws_http_request_t req;
    cr_assert_gt(parse("GET /a HTTP/1.0\r\n\r\n", &req), 0);
    cr_assert_null(req.query.base);
    cr_assert(slice_is(req.path, "/a"));
    cr_assert_eq(req.minor_version, 0);
    cr_assert_gt(parse("GET /a? HTTP/1.0\r\n\r\n", &req), 0);
    cr_assert_not_null(req.query.base);
    cr_assert_eq(req.query.len, 0);
}

Test(ws_http_parse, framing_fields_set_body_kind_and_length)
{
    ws_http_request_t req;
    cr_assert_gt(parse("POST / HTTP/1.1\r\n" H11 "Content-Length: 0042\r\n\r\n", &req), 0);
    cr_assert_eq(req.body, WS_HTTP_BODY_LENGTH);
    cr_assert_eq(req.content_length, 42);
    cr_assert_gt(parse("POST / HTTP/1.1\r\n" H11 "Transfer-Encoding: chunked\r\n\r\n", &req), 0);
    cr_assert_eq(req.body, WS_HTTP_BODY_CHUNKED);
}

Test(ws_http_parse, connection_semantics_differ_between_1_0_and_1_1)
{
    ws_http_request_t req;
    cr_assert_gt(parse("GET / HTTP/1.1\r\n" H11 "\r\n", &req), 0);
    cr_assert(req.keep_alive);
    cr_assert_gt(parse("GET / HTTP/1.1\r\n" H11 "Connection: Close\r\n\r\n", &req), 0);
    cr_assert_not(req.keep_alive);
    cr_assert_gt(parse("GET / HTTP/1.0\r\n\r\n", &req), 0);
    cr_assert_not(req.keep_alive);
    cr_assert_gt(parse("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", &req), 0);
    cr_assert(req.keep_alive);
    cr_assert_gt(parse("GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n", &req), 0);
    cr_assert_not(req.keep_alive);
    cr_assert_gt(parse("GET / HTTP/1.1\r\n" H11 "Connection: keep-alive , Upgrade\r\n\r\n", &req),
                 0);
    cr_assert(req.keep_alive);
    cr_assert(req.upgrade);
}

Test(ws_http_parse, expect_100_continue_is_detected_for_1_1_only)
{
    ws_http_request_t req;
    cr_assert_gt(parse("PUT / HTTP/1.1\r\n" H11 "Expect: 100-Continue\r\n\r\n", &req), 0);
    cr_assert(req.expect_continue);
    cr_assert_gt(parse("PUT / HTTP/1.0\r\nExpect: 100-continue\r\n\r\n", &req), 0);
    cr_assert_not(req.expect_continue);
    cr_assert_gt(parse("PUT / HTTP/1.1\r\n" H11 "Expect: 200-ok\r\n\r\n", &req), 0);
    cr_assert_not(req.expect_continue);
}

Test(ws_http_parse, pipelined_requests_parse_one_after_another)
{
    const char *in = "POST /a HTTP/1.1\r\n" H11 "Content-Length: 3\r\n\r\nabc"
                     "GET /b HTTP/1.1\r\n" H11 "\r\n"
                     "GET /c HTTP/1.1\r\n" H11 "\r\n";
    size_t len = strlen(in), off = 0;
    guard_t g = guard_copy(in, len);
    const char *paths[] = {"/a", "/b", "/c"};
    ws_http_limits_t lim = WS_HTTP_LIMITS_SPEC;
    for (int i = 0; i < 3; i++) {
        ws_http_request_t req;
        int rc = ws_http_parse_request(g.data + off, len - off, &lim, &req, hdrs, 128);
        cr_assert_gt(rc, 0, "request %d: %d", i, rc);
        cr_assert(slice_is(req.path, paths[i]));
        off += (size_t)rc + (req.body == WS_HTTP_BODY_LENGTH ? req.content_length : 0);
    }
    cr_assert_eq(off, len);
    guard_free(&g);
}

/* {====== Limits (services.md 1.9, D88, D89) */

/* A GET whose head is exactly total bytes, padded with one X-Pad field. */
static char *head_of_size(size_t total)
{
    const char *pre = "GET / HTTP/1.1\r\n" H11 "X-Pad: ";
    size_t fixed = strlen(pre) + 4; /* value's CRLF + the final CRLF */
    cr_assert_geq(total, fixed);
    char *s = malloc(total + 1);
    strcpy(s, pre);
    memset(s + strlen(pre), 'p', total - fixed);
    strcpy(s + total - 4, "\r\n\r\n");
    return s;
}

Test(ws_http_parse, head_of_exactly_8192_bytes_is_accepted_and_8193_is_431)
{
    ws_http_limits_t lim = WS_HTTP_LIMITS_SPEC;
    ws_http_request_t req;
    char *ok = head_of_size(8192);
    cr_assert_eq(parse_n(ok, 8192, &lim, &req, 128), 8192);
    char *big = head_of_size(8193);
    cr_assert_eq(parse_n(big, 8193, &lim, &req, 128), WS_HTTP_HEADERS_TOO_LARGE);
    cr_assert_str_eq(req.error, "header section exceeds 8KB limit");
    /* The verdict comes at byte 8193, not at the end of the head. */
    char *huge = head_of_size(20000);
    cr_assert_eq(parse_n(huge, 8193, &lim, &req, 128), WS_HTTP_HEADERS_TOO_LARGE);
    cr_assert_eq(parse_n(huge, 8192, &lim, &req, 128), WS_HTTP_INCOMPLETE);
    free(ok);
    free(big);
    free(huge);
}

Test(ws_http_parse, head_within_limit_followed_by_more_bytes_is_accepted)
{
    ws_http_limits_t lim = WS_HTTP_LIMITS_SPEC;
    ws_http_request_t req;
    char *s = malloc(20000);
    const char *head = "GET / HTTP/1.1\r\n" H11 "\r\n";
    strcpy(s, head);
    memset(s + strlen(head), 'z', 20000 - strlen(head));
    cr_assert_eq(parse_n(s, 20000, &lim, &req, 128), (int)strlen(head));
    free(s);
}

static char *head_with_fields(int n)
{
    char *s = malloc(64 + (size_t)n * 16);
    char *p = s + sprintf(s, "GET / HTTP/1.1\r\n");
    for (int i = 0; i < n; i++)
        p += sprintf(p, "X-%d: v\r\n", i);
    p += sprintf(p, "Host: h\r\n\r\n");
    return s;
}

Test(ws_http_parse, one_hundred_field_lines_pass_and_one_hundred_one_are_431)
{
    ws_http_limits_t lim = WS_HTTP_LIMITS_SPEC;
    ws_http_request_t req;
    char *ok = head_with_fields(99); /* + Host = 100 */
    cr_assert_eq(parse_n(ok, strlen(ok), &lim, &req, 128), (int)strlen(ok));
    cr_assert_eq(req.header_count, 100);
    char *bad = head_with_fields(100);
    cr_assert_eq(parse_n(bad, strlen(bad), &lim, &req, 128), WS_HTTP_HEADERS_TOO_LARGE);
    cr_assert_str_eq(req.error, "too many headers (max 100)");
    /* A smaller caller array is a limit too. */
    cr_assert_eq(parse_n(ok, strlen(ok), &lim, &req, 10), WS_HTTP_HEADERS_TOO_LARGE);
    free(ok);
    free(bad);
}

Test(ws_http_parse, request_line_over_its_own_limit_is_414_even_before_it_ends)
{
    ws_http_limits_t lim = WS_HTTP_LIMITS_SPEC;
    lim.request_line_bytes_max = 100;
    ws_http_request_t req;
    char line[256];
    memset(line, 'a', sizeof line);
    memcpy(line, "GET /", 5);
    /* 101 bytes of line and no end yet. */
    cr_assert_eq(parse_n(line, 101, &lim, &req, 128), WS_HTTP_URI_TOO_LONG);
    cr_assert_eq(parse_n(line, 100, &lim, &req, 128), WS_HTTP_INCOMPLETE);
    /* Exactly 100 bytes of line is fine. */
    char ok[256];
    int n = snprintf(ok, sizeof ok, "GET /%.*s HTTP/1.1\r\nHost: h\r\n\r\n", 100 - 14, line + 5);
    cr_assert_eq(parse_n(ok, (size_t)n, &lim, &req, 128), n);
    n = snprintf(ok, sizeof ok, "GET /%.*s HTTP/1.1\r\nHost: h\r\n\r\n", 101 - 14, line + 5);
    cr_assert_eq(parse_n(ok, (size_t)n, &lim, &req, 128), WS_HTTP_URI_TOO_LONG);
    /* With the spec's limits a line past the 8192-byte head is 431 (D88). */
    lim = WS_HTTP_LIMITS_SPEC;
    char *huge = malloc(9000);
    memset(huge, 'a', 9000);
    memcpy(huge, "GET /", 5);
    cr_assert_eq(parse_n(huge, 9000, &lim, &req, 128), WS_HTTP_HEADERS_TOO_LARGE);
    cr_assert_str_eq(req.error, "header section exceeds 8KB limit");
    cr_assert_eq(parse_n(huge, 8192, &lim, &req, 128), WS_HTTP_INCOMPLETE);
    free(huge);
}

/* Found by tests/ws/fuzz (issue 8): a 128-byte method ending in a NUL was 400
 * as a whole but 414 as a 65-byte prefix, because the line limit was only
 * checked when the input ran out. Bytes past the limit are now never looked
 * at. */
Test(ws_http_parse, issue8_fuzz_line_limit_gives_one_verdict_for_input_and_prefix)
{
    ws_http_limits_t lim = WS_HTTP_LIMITS_SPEC;
    lim.request_line_bytes_max = 64;
    char in[132];
    memset(in, 'E', sizeof in);
    in[129] = '\0';
    ws_http_request_t req;
    cr_assert_eq(parse_n(in, sizeof in, &lim, &req, 128), WS_HTTP_URI_TOO_LONG);
    cr_assert_eq(parse_n(in, 65, &lim, &req, 128), WS_HTTP_URI_TOO_LONG);
    cr_assert_eq(parse_n(in, 64, &lim, &req, 128), WS_HTTP_INCOMPLETE);
    /* The version must fit too: its bytes do not matter. */
    const char *v = "GET /aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa X";
    cr_assert_eq(parse_n(v, strlen(v), &lim, &req, 128), WS_HTTP_URI_TOO_LONG);
}

Test(ws_http_parse, configured_body_limit_gives_413)
{
    ws_http_limits_t lim = WS_HTTP_LIMITS_SPEC;
    lim.body_bytes_max = 10;
    ws_http_request_t req;
    const char *ok = "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n";
    const char *bad = "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\n";
    cr_assert_eq(parse_n(ok, strlen(ok), &lim, &req, 128), (int)strlen(ok));
    cr_assert_eq(parse_n(bad, strlen(bad), &lim, &req, 128), WS_HTTP_BODY_TOO_LARGE);
    cr_assert_eq(ws_http_error_status(WS_HTTP_BODY_TOO_LARGE), 413);
}

/* }====== */

/* {====== The vector scan against the scalar rules */

Test(ws_http_parse, a_bad_byte_at_any_offset_of_a_long_value_or_target_is_found)
{
    char val[200];
    for (size_t pos = 0; pos < sizeof val; pos++) {
        memset(val, 'v', sizeof val);
        val[pos] = '\x01';
        char in[512];
        int n =
            snprintf(in, sizeof in, "GET /%.*s HTTP/1.1\r\nHost: h\r\n\r\n", (int)sizeof val, val);
        ws_http_request_t req;
        cr_assert_eq(parse(in, &req), WS_HTTP_BAD_REQUEST, "target pos %zu", pos);
        n = snprintf(in, sizeof in, "GET / HTTP/1.1\r\nHost: h\r\nX: %.*s\r\n\r\n", (int)sizeof val,
                     val);
        cr_assert_eq(parse(in, &req), WS_HTTP_BAD_REQUEST, "value pos %zu", pos);
        val[pos] = '\t'; /* legal inside a value, not in a target */
        n = snprintf(in, sizeof in, "GET / HTTP/1.1\r\nHost: h\r\nX: %.*s\r\n\r\n", (int)sizeof val,
                     val);
        cr_assert_eq(parse(in, &req), n, "tab pos %zu", pos);
        cr_assert_eq(req.headers[1].value.len, pos == 0 || pos == sizeof val - 1 ? 199 : 200);
    }
}

Test(ws_http_parse, utf8_at_any_offset_is_accepted_and_a_cut_sequence_is_400)
{
    for (size_t pos = 0; pos + 3 <= 40; pos++) {
        char val[41];
        memset(val, 'u', 40);
        memcpy(val + pos, "\xe2\x82\xac", 3); /* U+20AC, across every 16-byte lane */
        val[40] = '\0';
        char in[256];
        int n = snprintf(in, sizeof in, "GET /%s HTTP/1.1\r\nHost: h\r\nX: %s\r\n\r\n", val, val);
        ws_http_request_t req;
        cr_assert_eq(parse(in, &req), n, "pos %zu", pos);
        cr_assert_eq(req.headers[1].value.len, 40);
        val[pos + 2] = 'u'; /* now a truncated sequence followed by ASCII */
        snprintf(in, sizeof in, "GET / HTTP/1.1\r\nHost: h\r\nX: %s\r\n\r\n", val);
        cr_assert_eq(parse(in, &req), WS_HTTP_BAD_REQUEST, "cut at pos %zu", pos);
    }
}

/* }====== */

/* {====== Accessors */

Test(ws_http_parse, header_lookup_is_case_insensitive_and_the_last_value_wins)
{
    ws_http_request_t req;
    cr_assert_gt(parse("GET / HTTP/1.1\r\nX-Trace-Id: 1\r\nHost: h\r\nx-trace-id: 2\r\n\r\n", &req),
                 0);
    ws_slice_t v;
    cr_assert(ws_http_header_get(&req, "X-TRACE-ID", 10, &v));
    cr_assert(slice_is(v, "2"));
    cr_assert(ws_http_header_get(&req, "host", 4, &v));
    cr_assert(slice_is(v, "h"));
    cr_assert_not(ws_http_header_get(&req, "X-Trace", 7, &v));
}

Test(ws_http_parse, query_lookup_follows_services_1_6)
{
    const char *q = "a=1&b&c=&a=2&d=x=y&=z&e=%41+b";
    ws_slice_t qs = {q, strlen(q)}, v;
    cr_assert(ws_http_query_get(qs, "a", 1, &v));
    cr_assert(slice_is(v, "2"));                      /* last wins */
    cr_assert_not(ws_http_query_get(qs, "b", 1, &v)); /* no '=' is ignored */
    cr_assert(ws_http_query_get(qs, "c", 1, &v));
    cr_assert(slice_is(v, ""));
    cr_assert(ws_http_query_get(qs, "d", 1, &v));
    cr_assert(slice_is(v, "x=y")); /* split at the first '=' */
    cr_assert(ws_http_query_get(qs, "", 0, &v));
    cr_assert(slice_is(v, "z"));
    cr_assert(ws_http_query_get(qs, "e", 1, &v));
    cr_assert(slice_is(v, "%41+b")); /* not decoded */
    cr_assert_not(ws_http_query_get((ws_slice_t){NULL, 0}, "a", 1, &v));
}

Test(ws_http_parse, rejections_name_their_reason)
{
    ws_http_request_t req;
    cr_assert_eq(parse("GET / HTTP/1.1\r\n\r\n", &req), WS_HTTP_BAD_REQUEST);
    cr_assert_str_eq(req.error, "missing Host header");
    cr_assert_eq(parse("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\n"
                       "Transfer-Encoding: chunked\r\n\r\n",
                       &req),
                 WS_HTTP_BAD_REQUEST);
    cr_assert_str_eq(req.error, "both Content-Length and Transfer-Encoding");
}

/* }====== */
