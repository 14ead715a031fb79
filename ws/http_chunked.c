/* http_chunked.c: a byte-driven state machine for the chunked framing, with a
 * bulk path for chunk data (the only part that is large). Each state is one
 * position in the grammar of http_chunked.h; a byte either moves the machine
 * on or is a 400. Limits are checked at the byte that would break them. */
#include "ws/http_chunked.h"

#include "kernel/assert.h"

enum {
    S_SIZE_FIRST, /* chunk-size = 1*HEXDIG: the first digit */
    S_SIZE,       /* more digits, BWS, ";" or CR */
    S_SIZE_WS,    /* BWS after the size: ";" or CR next */
    S_EXT,        /* chunk-ext bytes up to CR */
    S_SIZE_LF,    /* the LF ending the size line */
    S_DATA,       /* chunk-data */
    S_DATA_CR,    /* CRLF after chunk-data */
    S_DATA_LF,
    S_TRAILER_START, /* a trailer field-name, or CR ending the body */
    S_TRAILER_NAME,
    S_TRAILER_VALUE,
    S_TRAILER_LF,
    S_END_LF, /* the LF of the final CRLF */
    S_DONE,
};

void ws_http_chunked_init(ws_http_chunked_t *d, const ws_http_limits_t *limits)
{
    *d = (ws_http_chunked_t){._lim = limits, ._state = S_SIZE_FIRST};
}

bool ws_http_chunked_done(const ws_http_chunked_t *d) { return d->_state == S_DONE; }

static int fail(ws_http_chunked_t *d, int rc, const char *why)
{
    d->error = why;
    return rc;
}

static int hex_value(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c |= 0x20;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Field and extension text: HTAB, SP, VCHAR, obs-text. */
static bool is_text(unsigned char c) { return c == '\t' || (c >= 0x20 && c != 0x7f); }

/* One hex digit of the size; a size that needs more than 60 bits is past any
 * body limit, so it is 413 before it can overflow. */
static int size_digit(ws_http_chunked_t *d, int v)
{
    if (d->_chunk_left >> 60)
        return fail(d, WS_HTTP_BODY_TOO_LARGE, "chunk size exceeds the body limit");
    d->_chunk_left = d->_chunk_left << 4 | (uint64_t)v;
    d->_state = S_SIZE;
    return 0;
}

/* The size line is complete: start the data, or the trailers after 0. */
static int size_done(ws_http_chunked_t *d)
{
    if (d->_chunk_left == 0) {
        d->_state = S_TRAILER_START;
        return 0;
    }
    if (d->_chunk_left > d->_lim->body_bytes_max - d->body_bytes)
        return fail(d, WS_HTTP_BODY_TOO_LARGE, "chunked body exceeds the body limit");
    d->_state = S_DATA;
    return 0;
}

/* Trailer lines share the head's limits: count and total bytes. */
static int trailer_byte(ws_http_chunked_t *d)
{
    if (++d->_trailer_bytes > d->_lim->header_section_bytes_max)
        return fail(d, WS_HTTP_HEADERS_TOO_LARGE, "trailer section too large");
    return 0;
}

/* Feeds one framing byte (every state but S_DATA). */
static int step(ws_http_chunked_t *d, unsigned char c)
{
    const unsigned char *tchar = ws_http_tchar_table_();
    int v;
    if (d->_state <= S_SIZE_LF && ++d->_line_bytes > d->_lim->chunk_line_bytes_max)
        return fail(d, WS_HTTP_BAD_REQUEST, "chunk size line too long");
    if (d->_state >= S_TRAILER_START && d->_state <= S_END_LF && trailer_byte(d) < 0)
        return WS_HTTP_HEADERS_TOO_LARGE;
    switch (d->_state) {
    case S_SIZE_FIRST:
        if ((v = hex_value(c)) < 0)
            return fail(d, WS_HTTP_BAD_REQUEST, "invalid chunk size");
        return size_digit(d, v);
    case S_SIZE:
        if ((v = hex_value(c)) >= 0)
            return size_digit(d, v);
        __attribute__((fallthrough)); /* to what may follow the digits */
    case S_SIZE_WS:
        if (c == ' ' || c == '\t')
            d->_state = S_SIZE_WS;
        else if (c == ';')
            d->_state = S_EXT;
        else if (c == '\r')
            d->_state = S_SIZE_LF;
        else
            return fail(d, WS_HTTP_BAD_REQUEST, "invalid chunk size");
        return 0;
    case S_EXT:
        if (c == '\r')
            d->_state = S_SIZE_LF;
        else if (!is_text(c))
            return fail(d, WS_HTTP_BAD_REQUEST, "invalid byte in chunk extension");
        return 0;
    case S_SIZE_LF:
        if (c != '\n')
            return fail(d, WS_HTTP_BAD_REQUEST, "CR without LF in chunk size line");
        d->_line_bytes = 0;
        return size_done(d);
    case S_DATA_CR:
        if (c != '\r')
            return fail(d, WS_HTTP_BAD_REQUEST, "chunk data not followed by CRLF");
        d->_state = S_DATA_LF;
        return 0;
    case S_DATA_LF:
        if (c != '\n')
            return fail(d, WS_HTTP_BAD_REQUEST, "chunk data not followed by CRLF");
        d->_state = S_SIZE_FIRST;
        return 0;
    case S_TRAILER_START:
        if (c == '\r') {
            d->_state = S_END_LF;
            return 0;
        }
        if (d->_trailer_count == d->_lim->header_count_max)
            return fail(d, WS_HTTP_HEADERS_TOO_LARGE, "too many trailer fields");
        if (!tchar[c])
            return fail(d, WS_HTTP_BAD_REQUEST, "malformed trailer line");
        d->_state = S_TRAILER_NAME;
        return 0;
    case S_TRAILER_NAME:
        if (c == ':')
            d->_state = S_TRAILER_VALUE;
        else if (!tchar[c])
            return fail(d, WS_HTTP_BAD_REQUEST, "malformed trailer line");
        return 0;
    case S_TRAILER_VALUE:
        if (c == '\r')
            d->_state = S_TRAILER_LF;
        else if (!is_text(c))
            return fail(d, WS_HTTP_BAD_REQUEST, "invalid byte in trailer value");
        return 0;
    case S_TRAILER_LF:
        if (c != '\n')
            return fail(d, WS_HTTP_BAD_REQUEST, "CR without LF in trailer");
        d->_trailer_count++;
        d->_state = S_TRAILER_START;
        return 0;
    case S_END_LF:
        if (c != '\n')
            return fail(d, WS_HTTP_BAD_REQUEST, "CR without LF after trailers");
        d->_state = S_DONE;
        return 0;
    default:
        snow_assert(!"unreachable chunked state");
        return WS_HTTP_BAD_REQUEST;
    }
}

ssize_t ws_http_chunked_decode(ws_http_chunked_t *d, const char *buf, size_t len, ws_slice_t *data)
{
    snow_assert(len > 0);
    snow_assert(d->_state != S_DONE);
    const char *p = buf, *end = buf + len;
    *data = (ws_slice_t){buf, 0};
    while (p < end) {
        if (d->_state == S_DATA) {
            size_t n = (size_t)(end - p);
            if (n > d->_chunk_left)
                n = (size_t)d->_chunk_left;
            *data = (ws_slice_t){p, n};
            p += n;
            d->_chunk_left -= n;
            d->body_bytes += n;
            if (d->_chunk_left == 0)
                d->_state = S_DATA_CR;
            break;
        }
        int rc = step(d, (unsigned char)*p++);
        if (rc < 0)
            return rc;
        if (d->_state == S_DONE)
            break;
    }
    return p - buf;
}
