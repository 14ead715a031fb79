/* Tests for ws/http_chunked.c: the chunked body decoder (RFC 9112 7.1).
 * Inputs end at a PROT_NONE page; bodies are fed whole, split at every byte
 * boundary, and one byte at a time. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/ws/guard.h"
#include "ws/http_chunked.h"

typedef struct result_t {
    int rc;          /* 0 when done, WS_HTTP_INCOMPLETE when input ran out, or a rejection */
    size_t consumed; /* bytes consumed in total */
    char body[4096]; /* decoded bytes */
    size_t body_len;
} result_t;

/* Feeds s[0, len) in pieces of at most step bytes (0: one piece), each piece
 * in its own guarded mapping, and collects the decoded body. */
static void decode_steps(const char *s, size_t len, size_t step, const ws_http_limits_t *lim,
                         result_t *out)
{
    ws_http_chunked_t d;
    ws_http_chunked_init(&d, lim);
    *out = (result_t){.rc = WS_HTTP_INCOMPLETE};
    size_t off = 0;
    while (off < len && !ws_http_chunked_done(&d)) {
        size_t n = step == 0 || len - off < step ? len - off : step;
        guard_t g = guard_copy(s + off, n);
        size_t used = 0;
        while (used < n && !ws_http_chunked_done(&d)) {
            ws_slice_t data;
            ssize_t rc = ws_http_chunked_decode(&d, g.data + used, n - used, &data);
            if (rc < 0) {
                out->rc = (int)rc;
                guard_free(&g);
                return;
            }
            cr_assert_gt(rc, 0);
            cr_assert_leq(out->body_len + data.len, sizeof out->body);
            memcpy(out->body + out->body_len, data.base, data.len);
            out->body_len += data.len;
            used += (size_t)rc;
        }
        guard_free(&g);
        off += used;
    }
    out->consumed = off;
    if (ws_http_chunked_done(&d)) {
        out->rc = 0;
        cr_assert_eq(d.body_bytes, out->body_len);
    }
}

static void decode(const char *s, const ws_http_limits_t *lim, result_t *out)
{
    decode_steps(s, strlen(s), 0, lim, out);
}

static const ws_http_limits_t spec_limits = WS_HTTP_LIMITS_SPEC;

typedef struct chunk_case_t {
    const char *input;
    const char *body; /* decoded body when valid, else NULL */
    int expect;       /* 0 (done) or a rejection */
} chunk_case_t;

static const chunk_case_t cases[] = {
    {"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", "hello world", 0},
    {"0\r\n\r\n", "", 0},
    {"000\r\n\r\n", "", 0},
    {"A\r\n0123456789\r\n0\r\n\r\n", "0123456789", 0},
    {"a\r\n0123456789\r\n00\r\n\r\n", "0123456789", 0},
    {"3;name=val;q=\"a b\"\r\nabc\r\n0;last\r\n\r\n", "abc", 0},
    {"3 ;x\r\nabc\r\n0\r\n\r\n", "abc", 0},
    {"3\r\nabc\r\n0\r\nX-Sum: 1\r\nX-Other:\t2\r\n\r\n", "abc", 0},
    {"1\r\n\r\r\n0\r\n\r\n", "\r", 0}, /* data may hold any byte */
    /* rejections */
    {"5\nhello\r\n0\r\n\r\n", NULL, WS_HTTP_BAD_REQUEST},
    {"5\r\nhelloX\r\n0\r\n\r\n", NULL, WS_HTTP_BAD_REQUEST},
    {"5\r\nhello\n0\r\n\r\n", NULL, WS_HTTP_BAD_REQUEST},
    {"x\r\n", NULL, WS_HTTP_BAD_REQUEST},
    {"\r\n", NULL, WS_HTTP_BAD_REQUEST},
    {"-5\r\n", NULL, WS_HTTP_BAD_REQUEST},
    {"0x5\r\n", NULL, WS_HTTP_BAD_REQUEST},
    {"5 5\r\n", NULL, WS_HTTP_BAD_REQUEST},
    {"5;a\x01\r\n", NULL, WS_HTTP_BAD_REQUEST},
    {"5;a\nb\r\n", NULL, WS_HTTP_BAD_REQUEST},
    {"0\r\n X: folded\r\n\r\n", NULL, WS_HTTP_BAD_REQUEST},
    {"0\r\nX : 1\r\n\r\n", NULL, WS_HTTP_BAD_REQUEST},
    {"0\r\nX: 1\n\r\n", NULL, WS_HTTP_BAD_REQUEST},
    {"0\r\nX: \x01\r\n\r\n", NULL, WS_HTTP_BAD_REQUEST},
    {"0\r\n\rX", NULL, WS_HTTP_BAD_REQUEST},
    {"1000001\r\n", NULL, WS_HTTP_BODY_TOO_LARGE}, /* 16 MiB + 1 */
    {"ffffffffffffffffffff\r\n", NULL, WS_HTTP_BODY_TOO_LARGE},
};

Test(ws_http_chunked, table_of_bodies_decodes_or_rejects)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        result_t r;
        decode(cases[i].input, &spec_limits, &r);
        cr_expect_eq(r.rc, cases[i].expect, "case %zu: rc %d", i, r.rc);
        if (cases[i].body != NULL) {
            cr_expect_eq(r.consumed, strlen(cases[i].input), "case %zu", i);
            cr_expect_eq(r.body_len, strlen(cases[i].body), "case %zu", i);
            cr_expect_eq(memcmp(r.body, cases[i].body, r.body_len), 0, "case %zu", i);
        }
    }
}

Test(ws_http_chunked, bodies_split_at_every_byte_boundary_decode_the_same)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *in = cases[i].input;
        size_t len = strlen(in);
        result_t whole;
        decode(in, &spec_limits, &whole);
        for (size_t cut = 1; cut < len; cut++) {
            /* Two pieces: in[0, cut) and the rest. */
            result_t r;
            decode_steps(in, len, cut, &spec_limits, &r);
            cr_assert_eq(r.rc, whole.rc, "case %zu cut %zu", i, cut);
            cr_assert_eq(r.body_len, whole.body_len, "case %zu cut %zu", i, cut);
            cr_assert_eq(memcmp(r.body, whole.body, r.body_len), 0);
        }
        result_t bytes;
        decode_steps(in, len, 1, &spec_limits, &bytes);
        cr_assert_eq(bytes.rc, whole.rc, "case %zu bytewise", i);
        cr_assert_eq(bytes.body_len, whole.body_len);
        cr_assert_eq(memcmp(bytes.body, whole.body, bytes.body_len), 0);
    }
}

Test(ws_http_chunked, every_proper_prefix_of_a_valid_body_is_not_done)
{
    const char *in = "5\r\nhello\r\n0\r\nT: 1\r\n\r\n";
    for (size_t n = 1; n < strlen(in); n++) {
        result_t r;
        decode_steps(in, n, 0, &spec_limits, &r);
        cr_assert_eq(r.rc, WS_HTTP_INCOMPLETE, "prefix %zu", n);
        cr_assert_eq(r.consumed, n);
    }
}

Test(ws_http_chunked, bytes_after_the_body_are_left_for_the_next_request)
{
    const char *in = "3\r\nabc\r\n0\r\n\r\nGET / HTTP/1.1\r\n";
    result_t r;
    decode(in, &spec_limits, &r);
    cr_assert_eq(r.rc, 0);
    cr_assert_eq(r.consumed, strlen("3\r\nabc\r\n0\r\n\r\n"));
}

Test(ws_http_chunked, body_limit_counts_the_sum_of_chunks_before_reading_data)
{
    ws_http_limits_t lim = WS_HTTP_LIMITS_SPEC;
    lim.body_bytes_max = 10;
    result_t r;
    decode("5\r\nhello\r\n5\r\nworld\r\n0\r\n\r\n", &lim, &r);
    cr_assert_eq(r.rc, 0);
    cr_assert_eq(r.body_len, 10);
    decode("5\r\nhello\r\n6\r\n", &lim, &r); /* no data of the second chunk yet */
    cr_assert_eq(r.rc, WS_HTTP_BODY_TOO_LARGE);
}

Test(ws_http_chunked, size_line_and_trailer_limits_hold)
{
    ws_http_limits_t lim = WS_HTTP_LIMITS_SPEC;
    lim.chunk_line_bytes_max = 16;
    result_t r;
    decode("1;abcdefghijkl\r\nx\r\n0\r\n\r\n", &lim, &r); /* 16 bytes with CRLF */
    cr_assert_eq(r.rc, 0);
    decode("1;abcdefghijklm\r\nx\r\n0\r\n\r\n", &lim, &r);
    cr_assert_eq(r.rc, WS_HTTP_BAD_REQUEST);

    lim = (ws_http_limits_t)WS_HTTP_LIMITS_SPEC;
    lim.header_count_max = 2;
    decode("0\r\nA: 1\r\nB: 2\r\n\r\n", &lim, &r);
    cr_assert_eq(r.rc, 0);
    decode("0\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", &lim, &r);
    cr_assert_eq(r.rc, WS_HTTP_HEADERS_TOO_LARGE);

    lim = (ws_http_limits_t)WS_HTTP_LIMITS_SPEC;
    lim.header_section_bytes_max = 10;
    decode("0\r\nA: 123\r\n\r\n", &lim, &r); /* 10 trailer bytes with the final CRLF */
    cr_assert_eq(r.rc, 0);
    decode("0\r\nA: 1234\r\n\r\n", &lim, &r);
    cr_assert_eq(r.rc, WS_HTTP_HEADERS_TOO_LARGE);
}

Test(ws_http_chunked, large_chunk_arrives_as_slices_of_the_input)
{
    static char in[3000];
    int n = snprintf(in, sizeof in, "800\r\n");
    memset(in + n, 'q', 0x800);
    n += 0x800;
    n += snprintf(in + n, sizeof in - (size_t)n, "\r\n0\r\n\r\n");
    guard_t g = guard_copy(in, (size_t)n);
    ws_http_chunked_t d;
    ws_http_chunked_init(&d, &spec_limits);
    ws_slice_t data;
    ssize_t rc = ws_http_chunked_decode(&d, g.data, (size_t)n, &data);
    cr_assert_eq(rc, 5 + 0x800); /* stops after the data run */
    cr_assert_eq(data.base, g.data + 5);
    cr_assert_eq(data.len, 0x800);
    rc = ws_http_chunked_decode(&d, g.data + 5 + 0x800, (size_t)n - 5 - 0x800, &data);
    cr_assert_eq(rc, 7);
    cr_assert_eq(data.len, 0);
    cr_assert(ws_http_chunked_done(&d));
    guard_free(&g);
}

/* A server loop in miniature: a stream of pipelined requests (no body,
 * Content-Length body, chunked body) arrives in reads of pseudo-random sizes;
 * the head is re-parsed from the current request's start as the buffer grows,
 * and the body is consumed by length or by the decoder. Every request must be
 * found at its exact boundary with its exact body. */
typedef struct stream_req_t {
    const char *text;
    const char *path;
    const char *body;
} stream_req_t;

static const stream_req_t stream_reqs[] = {
    {"GET /a HTTP/1.1\r\nHost: h\r\n\r\n", "/a", ""},
    {"POST /b HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello", "/b", "hello"},
    {"POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
     "3;x=y\r\nabc\r\n1\r\nd\r\n0\r\nT: 1\r\n\r\n",
     "/c", "abcd"},
    {"\r\nGET /d?q=1 HTTP/1.0\r\n\r\n", "/d", ""},
};

Test(ws_http_chunked, pipelined_stream_in_random_reads_finds_every_request_and_body)
{
    static char stream[8192];
    int order[64];
    size_t len = 0;
    uint32_t seed = 12345;
    for (int i = 0; i < 64; i++) {
        seed = seed * 1103515245u + 12345u;
        order[i] = (int)((seed >> 16) % 4);
        size_t n = strlen(stream_reqs[order[i]].text);
        memcpy(stream + len, stream_reqs[order[i]].text, n);
        len += n;
    }
    ws_http_limits_t lim = WS_HTTP_LIMITS_SPEC;
    size_t have = 0, start = 0; /* bytes "received"; start of the current request */
    int next = 0;
    while (next < 64) {
        seed = seed * 1103515245u + 12345u;
        size_t read = 1 + (seed >> 16) % 40;
        have = have + read > len ? len : have + read;
        for (;;) { /* handle every complete request in what has arrived */
            ws_http_header_t hdrs[16];
            ws_http_request_t req;
            int rc = ws_http_parse_request(stream + start, have - start, &lim, &req, hdrs, 16);
            if (rc == WS_HTTP_INCOMPLETE)
                break;
            cr_assert_gt(rc, 0, "request %d: %d (%s)", next, rc, req.error);
            const stream_req_t *want = &stream_reqs[order[next]];
            cr_assert_eq(req.path.len, strlen(want->path));
            cr_assert_eq(memcmp(req.path.base, want->path, req.path.len), 0);
            size_t body_at = start + (size_t)rc, end;
            char body[64];
            size_t body_len = 0;
            if (req.body == WS_HTTP_BODY_CHUNKED) {
                ws_http_chunked_t d;
                ws_http_chunked_init(&d, &lim);
                end = body_at;
                while (!ws_http_chunked_done(&d) && end < have) {
                    ws_slice_t data;
                    ssize_t n = ws_http_chunked_decode(&d, stream + end, have - end, &data);
                    cr_assert_gt(n, 0);
                    memcpy(body + body_len, data.base, data.len);
                    body_len += data.len;
                    end += (size_t)n;
                }
                if (!ws_http_chunked_done(&d))
                    break; /* a real server keeps d; re-decoding is fine here */
            } else {
                size_t cl = req.body == WS_HTTP_BODY_LENGTH ? (size_t)req.content_length : 0;
                if (have - body_at < cl)
                    break;
                memcpy(body, stream + body_at, cl);
                body_len = cl;
                end = body_at + cl;
            }
            cr_assert_eq(body_len, strlen(want->body), "request %d", next);
            cr_assert_eq(memcmp(body, want->body, body_len), 0);
            start = end;
            next++;
        }
        if (have == len)
            break;
    }
    cr_assert_eq(next, 64);
    cr_assert_eq(start, len);
}
