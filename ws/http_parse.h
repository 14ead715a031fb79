/* http_parse.h: the HTTP/1.1 request-head parser (RFC 9112; services.md 1.6,
 * 1.9; decisions D84, D88, D89).
 *
 * The parser reads a request line and header section from a byte buffer into
 * zero-copy slices of that buffer and never allocates. It is incremental the
 * picohttpparser way: call it again on the grown buffer after each read; it
 * returns the head's length once the head is complete, -2 ("need more") while
 * it is a proper prefix of a valid head, or a named negative reason the
 * moment the bytes can no longer become valid. The body is not consumed: it
 * is content_length bytes right after the head, or a chunked body for
 * ws_http_chunked_decode (ws/http_chunked.h). A pipelined next request starts
 * after the body.
 *
 * Strictness (RFC 9112, request-smuggling defences): CRLF line ends only,
 * single spaces in the request line, no whitespace before a header colon, no
 * obsolete line folding, no control bytes, conflicting Content-Length values,
 * Content-Length with Transfer-Encoding, Transfer-Encoding in HTTP/1.0 and
 * chunked-not-last are all 400; a missing, repeated or malformed Host in
 * HTTP/1.1 is 400. After any rejection the framing of the rest of the stream
 * is unknown: answer and close the connection.
 * Bytes >= 0x80 must be valid UTF-8 (services.md 1.9: "Non-UTF-8 request line
 * or header bytes: parse error").
 */
#ifndef SNOW_WS_HTTP_PARSE_H
#define SNOW_WS_HTTP_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A borrowed byte range (not NUL-terminated) inside the caller's buffer. */
typedef struct ws_slice_t {
    const char *base;
    size_t len;
} ws_slice_t;

typedef struct ws_http_header_t {
    ws_slice_t name;  /* as received; a token, never empty */
    ws_slice_t value; /* surrounding spaces and tabs removed; may be empty */
} ws_http_header_t;

/* Results below zero. Each rejection is the negated status the server answers
 * with, so ws_http_error_status(rc) == -rc; ws_http_error_response
 * (ws/http_response.h) builds the answer. A prefix of a rejected input gives
 * WS_HTTP_INCOMPLETE or the same rejection, never another one. */
enum {
    WS_HTTP_INCOMPLETE = -2,          /* a proper prefix: read more and call again */
    WS_HTTP_BAD_REQUEST = -400,       /* malformed or ambiguous framing */
    WS_HTTP_BODY_TOO_LARGE = -413,    /* Content-Length or chunked total > body_bytes_max */
    WS_HTTP_URI_TOO_LONG = -414,      /* request line > request_line_bytes_max (< head cap) */
    WS_HTTP_HEADERS_TOO_LARGE = -431, /* head > header_section_bytes_max or too many lines */
    WS_HTTP_NOT_IMPLEMENTED = -501,   /* a transfer-coding other than chunked */
    WS_HTTP_VERSION = -505,           /* HTTP/<major> with major != 1 */
};

/* Limits; every one is enforced on partial input too, so a peer cannot make
 * the caller buffer more than header_section_bytes_max before a verdict. */
typedef struct ws_http_limits_t {
    size_t request_line_bytes_max;   /* without its CRLF */
    size_t header_section_bytes_max; /* request line + fields + final CRLF */
    size_t header_count_max;         /* field lines */
    uint64_t body_bytes_max;         /* declared or decoded body */
    size_t chunk_line_bytes_max;     /* chunk-size line with its extensions */
} ws_http_limits_t;

/* services.md 1.9, D88 and D89: 8192-byte head (request line included: an
 * over-long line is 431, so 414 needs a request_line_bytes_max below the head
 * cap), 100 field lines, 16 MiB body. */
#define WS_HTTP_LIMITS_SPEC                                                                        \
    ((ws_http_limits_t){.request_line_bytes_max = 8192,                                            \
                        .header_section_bytes_max = 8192,                                          \
                        .header_count_max = 100,                                                   \
                        .body_bytes_max = 16777216,                                                \
                        .chunk_line_bytes_max = 4096})

typedef enum ws_http_body_t {
    WS_HTTP_BODY_NONE,    /* no Content-Length, no Transfer-Encoding: empty */
    WS_HTTP_BODY_LENGTH,  /* exactly content_length bytes follow the head */
    WS_HTTP_BODY_CHUNKED, /* Transfer-Encoding: chunked follows the head */
} ws_http_body_t;

typedef struct ws_http_request_t {
    ws_slice_t method;         /* token, exactly as received (services.md 1.6) */
    ws_slice_t target;         /* the whole request-target */
    ws_slice_t path;           /* target up to, not including, the first '?' */
    ws_slice_t query;          /* after the first '?'; base NULL when there is no '?' */
    int minor_version;         /* 0 or 1; HTTP/1.x with x > 1 is served as 1.1 */
    ws_http_header_t *headers; /* the caller's array */
    size_t header_count;
    ws_http_body_t body;
    uint64_t content_length; /* for WS_HTTP_BODY_LENGTH */
    bool keep_alive;         /* 1.1 unless "close"; 1.0 only with "keep-alive" */
    bool expect_continue;    /* HTTP/1.1 with Expect: 100-continue */
    bool upgrade;            /* Connection lists "upgrade" (WebSocket, RFC 6455 4.2) */
    ws_slice_t host;         /* the Host value; base NULL when absent */
    const char *error;       /* on a rejection: static text for the log line */
} ws_http_request_t;

/* Parses the head at the start of buf[0, len). Borrows buf: every slice in
 * *req and headers points into it and is valid while buf is. Fills at most
 * min(header_capacity, limits->header_count_max) entries of headers; more
 * lines is WS_HTTP_HEADERS_TOO_LARGE. Empty lines before the request line are
 * skipped (RFC 9112 2.2) and counted in the result.
 * Returns the head length in bytes (> 0, up to and including the blank line),
 * WS_HTTP_INCOMPLETE, or a rejection (WS_HTTP_*; req->error says why). Never
 * reads outside buf[0, len). Pure; any thread. */
int ws_http_parse_request(const char *buf, size_t len, const ws_http_limits_t *limits,
                          ws_http_request_t *req, ws_http_header_t *headers,
                          size_t header_capacity);

/* The status code for a rejection rc (< -2): 400, 413, 414, 431, 501 or 505. */
static inline int ws_http_error_status(int rc) { return -rc; }

/* Request.header (services.md 1.6, D84): the value of the LAST field named
 * name (ASCII case-insensitive). Returns false when there is none. */
bool ws_http_header_get(const ws_http_request_t *req, const char *name, size_t name_len,
                        ws_slice_t *value);

/* Request.query (services.md 1.6): splits query on '&', each piece at its
 * first '=', ignores pieces without '=', and returns the value of the LAST
 * piece whose key equals key byte for byte. No percent-decoding, no '+' to
 * space. query may be the request's (base NULL means no query). */
bool ws_http_query_get(ws_slice_t query, const char *key, size_t key_len, ws_slice_t *value);

/* True when s equals lit (n bytes), ASCII case-insensitively. */
bool ws_http_slice_ieq(ws_slice_t s, const char *lit, size_t n);

/* Whether the n bytes at a equal lit / start with lit (NUL-terminated),
 * ASCII letters compared case-insensitively (header names, charsets,
 * URL schemes). Any thread. */
bool ws_http_ieq(const char *a, size_t n, const char *lit);
bool ws_http_iprefix(const char *a, size_t n, const char *lit);

/* The tchar table (RFC 9110 5.6.2): nonzero for the bytes of a token. Shared
 * with http_chunked.c for trailer names; not to be called directly. */
const unsigned char *ws_http_tchar_table_(void);

#endif
