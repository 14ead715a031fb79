/* fuzz_http.c: libFuzzer target for ws/http_parse.c and ws/http_chunked.c
 * (STYLE 9: wire formats get fuzz targets).
 *
 * Built only with -DSNOW_FUZZ=ON and CC=clang, in its own build dir; the
 * parser sources are compiled into this binary with the fuzzer's coverage
 * and ASan/UBSan. The input is copied into a buffer of exactly its size, so
 * ASan catches a read one byte past the end. Besides "no crash", it checks
 * properties the tests state for chosen inputs:
 *   - a result is > 0, -2, or one of the named rejections;
 *   - every slice lies inside the input, headers fit the capacity;
 *   - an accepted head of n bytes returns -2 for its (n-1)-byte prefix and
 *     the same n when more bytes follow (pipelining);
 *   - the chunked decoder gives the same verdict and body whether the body
 *     arrives whole, in pieces of a size taken from the input, or bytewise;
 *   - the SSE2 scan and the scalar scan (scalar_parse.c) agree exactly.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ws/http_chunked.h"
#include "ws/http_parse.h"

/* snow_assert's failure path lives in kernel/alloc.c, which this standalone
 * binary does not link. */
_Noreturn void kern_assert_fail_(const char *expr, const char *file, int line, const char *func);
_Noreturn void kern_assert_fail_(const char *expr, const char *file, int line, const char *func)
{
    fprintf(stderr, "assertion failed: %s (%s:%d, %s)\n", expr, file, line, func);
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* scalar_parse.c: the same parser without the SSE2 scan. */
int ws_http_parse_request_scalar(const char *buf, size_t len, const ws_http_limits_t *limits,
                                 ws_http_request_t *req, ws_http_header_t *headers,
                                 size_t header_capacity);

#define CHECK(e)                                                                                   \
    do {                                                                                           \
        if (!(e))                                                                                  \
            kern_assert_fail_(#e, __FILE__, __LINE__, __func__);                                   \
    } while (0)

static bool known_rc(int rc)
{
    return rc > 0 || rc == WS_HTTP_INCOMPLETE || rc == WS_HTTP_BAD_REQUEST ||
           rc == WS_HTTP_BODY_TOO_LARGE || rc == WS_HTTP_URI_TOO_LONG ||
           rc == WS_HTTP_HEADERS_TOO_LARGE || rc == WS_HTTP_NOT_IMPLEMENTED ||
           rc == WS_HTTP_VERSION;
}

static void check_slice(ws_slice_t s, const char *buf, size_t len)
{
    if (s.base == NULL) {
        CHECK(s.len == 0);
        return;
    }
    CHECK(s.base >= buf && s.base + s.len <= buf + len);
}

typedef struct decoded_t {
    ssize_t rc; /* 0 done, -2 ran out, or a rejection */
    size_t consumed;
    uint64_t sum; /* cheap fingerprint of the decoded body */
    uint64_t len;
} decoded_t;

static decoded_t decode_steps(const char *buf, size_t len, size_t step, const ws_http_limits_t *lim)
{
    ws_http_chunked_t d;
    ws_http_chunked_init(&d, lim);
    decoded_t out = {.rc = WS_HTTP_INCOMPLETE};
    size_t off = 0;
    while (off < len && !ws_http_chunked_done(&d)) {
        size_t n = len - off < step ? len - off : step;
        char *piece = malloc(n); /* exact size: ASan sees over-reads */
        memcpy(piece, buf + off, n);
        size_t used = 0;
        while (used < n && !ws_http_chunked_done(&d)) {
            ws_slice_t data;
            ssize_t rc = ws_http_chunked_decode(&d, piece + used, n - used, &data);
            if (rc < 0) {
                out.rc = rc;
                free(piece);
                return out;
            }
            CHECK(rc > 0 && (size_t)rc <= n - used);
            check_slice(data, piece + used, (size_t)rc);
            for (size_t i = 0; i < data.len; i++)
                out.sum = out.sum * 131 + (unsigned char)data.base[i];
            out.len += data.len;
            used += (size_t)rc;
        }
        free(piece);
        off += used;
    }
    out.consumed = off;
    if (ws_http_chunked_done(&d))
        out.rc = 0;
    CHECK(d.body_bytes == out.len);
    CHECK(out.len <= lim->body_bytes_max);
    return out;
}

static void fuzz_chunked(const char *buf, size_t len, size_t step, const ws_http_limits_t *lim)
{
    decoded_t whole = decode_steps(buf, len, len, lim);
    decoded_t cut = decode_steps(buf, len, step, lim);
    decoded_t bytes = decode_steps(buf, len, 1, lim);
    CHECK(whole.rc == cut.rc && whole.rc == bytes.rc);
    CHECK(whole.len == cut.len && whole.len == bytes.len);
    CHECK(whole.sum == cut.sum && whole.sum == bytes.sum);
    if (whole.rc == 0)
        CHECK(whole.consumed == cut.consumed && whole.consumed == bytes.consumed);
}

static int parse_copy(const char *src, size_t len, const ws_http_limits_t *lim,
                      ws_http_request_t *req, ws_http_header_t *hdrs, size_t cap, char **copy)
{
    *copy = malloc(len ? len : 1);
    memcpy(*copy, src, len);
    return ws_http_parse_request(*copy, len, lim, req, hdrs, cap);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    /* The first byte picks tight limits (to reach every limit branch) or the
     * spec's, and the piece size for the chunked decoder. */
    ws_http_limits_t lim = WS_HTTP_LIMITS_SPEC;
    unsigned knob = data[0];
    if (knob & 1) {
        lim.request_line_bytes_max = 64;
        lim.header_section_bytes_max = 256;
        lim.header_count_max = 4;
        lim.body_bytes_max = 64;
        lim.chunk_line_bytes_max = 16;
    }
    size_t step = (knob >> 1) + 1;
    const char *in = (const char *)data + 1;
    size_t len = size - 1;

    ws_http_header_t hdrs[128];
    ws_http_request_t req;
    char *buf;
    int rc = parse_copy(in, len, &lim, &req, hdrs, 128, &buf);
    CHECK(known_rc(rc));
    ws_http_header_t hdrs2[128];
    ws_http_request_t req2;
    CHECK(ws_http_parse_request_scalar(buf, len, &lim, &req2, hdrs2, 128) == rc);
    CHECK((req2.error == NULL) == (req.error == NULL));
    CHECK(req.error == NULL || strcmp(req2.error, req.error) == 0);
    if (rc > 0) {
        CHECK(req2.header_count == req.header_count);
        for (size_t i = 0; i < req.header_count; i++)
            CHECK(hdrs2[i].value.base == hdrs[i].value.base &&
                  hdrs2[i].value.len == hdrs[i].value.len);
    }
    if (rc > 0) {
        CHECK((size_t)rc <= len && (size_t)rc <= lim.header_section_bytes_max);
        CHECK(req.header_count <= lim.header_count_max);
        check_slice(req.method, buf, len);
        check_slice(req.target, buf, len);
        check_slice(req.path, buf, len);
        check_slice(req.query, buf, len);
        check_slice(req.host, buf, len);
        for (size_t i = 0; i < req.header_count; i++) {
            check_slice(hdrs[i].name, buf, len);
            check_slice(hdrs[i].value, buf, len);
            CHECK(hdrs[i].name.len > 0);
        }
        CHECK(req.method.len > 0 && req.path.len <= req.target.len);
        if (req.body == WS_HTTP_BODY_LENGTH)
            CHECK(req.content_length <= lim.body_bytes_max);
        ws_http_request_t again;
        char *prefix;
        CHECK(parse_copy(in, (size_t)rc - 1, &lim, &again, hdrs, 128, &prefix) ==
              WS_HTTP_INCOMPLETE);
        free(prefix);
        /* The tail is the body, then the next request. */
        if (req.body == WS_HTTP_BODY_CHUNKED && (size_t)rc < len)
            fuzz_chunked(in + rc, len - (size_t)rc, step, &lim);
    } else {
        CHECK(rc == WS_HTTP_INCOMPLETE || req.error != NULL);
        /* A prefix of a rejected input needs more or gives the same verdict. */
        if (rc != WS_HTTP_INCOMPLETE && len > 0) {
            size_t cuts[2] = {len - 1, len / 2};
            for (int i = 0; i < 2; i++) {
                ws_http_request_t again;
                char *prefix;
                int prc = parse_copy(in, cuts[i], &lim, &again, hdrs, 128, &prefix);
                CHECK(prc == WS_HTTP_INCOMPLETE || prc == rc);
                free(prefix);
            }
        }
    }
    free(buf);
    /* The chunked decoder on its own, from the first byte. */
    fuzz_chunked(in, len, step, &lim);
    return 0;
}
