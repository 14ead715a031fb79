/* http_chunked.h: the incremental decoder for chunked request bodies
 * (RFC 9112 section 7.1).
 *
 * chunked-body = *chunk last-chunk trailer-section CRLF
 * chunk        = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
 * last-chunk   = 1*("0") [ chunk-ext ] CRLF
 *
 * Unlike the head parser, the decoder keeps its state between calls, so the
 * body may arrive split at any byte and nothing is ever scanned twice. It
 * never copies: each call hands back the chunk data it found as a slice of
 * the caller's buffer. Extensions are checked for legal bytes and skipped;
 * trailer fields are checked like header fields and discarded (the Snow
 * Request has no trailer accessor). Bare LF, bare CR, control bytes, an
 * over-long size line and a missing CRLF after chunk data are 400, so a
 * smuggled request cannot hide inside the framing.
 *
 * services.md 1.9 says v5.0 ignored Transfer-Encoding; this decoder is what
 * lets the server frame such requests correctly instead (see docs/http.md).
 */
#ifndef SNOW_WS_HTTP_CHUNKED_H
#define SNOW_WS_HTTP_CHUNKED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ws/http_parse.h"

typedef struct ws_http_chunked_t {
    uint64_t body_bytes; /* chunk data decoded so far */
    const char *error;   /* on a rejection: static text for the log line */
    const ws_http_limits_t *_lim;
    uint64_t _chunk_left;  /* data bytes still to come in this chunk, or the size being read */
    size_t _line_bytes;    /* bytes of the current size line */
    size_t _trailer_bytes; /* bytes of the trailer section so far */
    size_t _trailer_count; /* trailer field lines so far */
    int _state;
} ws_http_chunked_t;

/* Prepares d for one body. Keeps limits (body_bytes_max, chunk_line_bytes_max,
 * and header_count_max / header_section_bytes_max for the trailers): it must
 * outlive d. */
void ws_http_chunked_init(ws_http_chunked_t *d, const ws_http_limits_t *limits);

/* Decodes from buf[0, len), len > 0, while the body is not done. Borrows buf.
 * Stops after the first run of chunk data, which *data then points at (a
 * slice of buf, empty when the consumed bytes were all framing), or when the
 * body ends. Returns the bytes consumed (> 0), or WS_HTTP_BAD_REQUEST,
 * WS_HTTP_BODY_TOO_LARGE (the decoded total would pass body_bytes_max; found
 * before the chunk's data is read) or WS_HTTP_HEADERS_TOO_LARGE (trailers),
 * with d->error set. "Need more" is: every byte consumed and not done.
 * One decoder per body, used by one thread at a time. */
ssize_t ws_http_chunked_decode(ws_http_chunked_t *d, const char *buf, size_t len, ws_slice_t *data);

/* True once the final CRLF after the trailers was consumed: the next request
 * (pipelining) starts right after the bytes consumed so far. */
bool ws_http_chunked_done(const ws_http_chunked_t *d);

#endif
