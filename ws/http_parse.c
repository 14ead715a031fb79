/* http_parse.c: the request-head parser (RFC 9112 sections 2-7).
 *
 * One pass, left to right, no backtracking and no allocation. The view is
 * capped at header_section_bytes_max, so the parser never looks further than
 * the limit and a head that does not end inside it is rejected as soon as the
 * cap is reached. Every loop stops at the end of the view: a byte-at-a-time
 * scan checks `p < end`, and the SSE2 scan loads 16 bytes only while 16
 * remain, so the tests can put the input flush against a PROT_NONE page.
 *
 * The hot loops are the request-target and field-value scans. They look for
 * the first byte that is not plain printable ASCII (a control byte, DEL, or a
 * byte >= 0x80), 16 bytes per step; the rare stops (a tab in a value, UTF-8)
 * are handled one at a time and the scan resumes.
 */
#include "ws/http_parse.h"

#include <limits.h>
#include <string.h>
#if defined(__SSE2__) && !defined(WS_HTTP_NO_SIMD) /* the benchmark builds both */
#include <emmintrin.h>
#endif

#include "kernel/assert.h"

/* {====== Character classes */

/* tchar (RFC 9110 5.6.2): the bytes of a token (method, field name). */
static const unsigned char tchar[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x00 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x10 */
    0, 1, 0, 1, 1, 1, 1, 1, 0, 0, 1, 1, 0, 1, 1, 0, /* 0x20 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, /* 0x30 */
    0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x40 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1, /* 0x50 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x60 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 0, 1, 0, /* 0x70 */
    /* 0x80-0xff: never part of a token */
};

const unsigned char *ws_http_tchar_table_(void) { return tchar; }

static inline bool is_ows(char c) { return c == ' ' || c == '\t'; }

static inline bool is_digit(char c) { return c >= '0' && c <= '9'; }

static inline unsigned char lower(unsigned char c)
{
    return (unsigned char)((unsigned)c - 'A' < 26u ? c + 32 : c);
}

static bool ascii_ieq(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (lower((unsigned char)a[i]) != lower((unsigned char)b[i]))
            return false;
    }
    return true;
}

bool ws_http_slice_ieq(ws_slice_t s, const char *lit, size_t n)
{
    return s.len == n && ascii_ieq(s.base, lit, n);
}

bool ws_http_ieq(const char *a, size_t n, const char *lit)
{
    return strlen(lit) == n && ascii_ieq(a, lit, n);
}

bool ws_http_iprefix(const char *a, size_t n, const char *lit)
{
    size_t k = strlen(lit);
    return n >= k && ascii_ieq(a, lit, k);
}

/* Returns the first p in [p, end) that is not a tchar, end when there is
 * none. Unrolled by four: field names are the hottest byte loop left once
 * values are scanned 16 bytes at a time (perf/http_parse). */
static inline const char *scan_token(const char *p, const char *end)
{
    while (end - p >= 4) {
        if (!tchar[(unsigned char)p[0]])
            return p;
        if (!tchar[(unsigned char)p[1]])
            return p + 1;
        if (!tchar[(unsigned char)p[2]])
            return p + 2;
        if (!tchar[(unsigned char)p[3]])
            return p + 3;
        p += 4;
    }
    while (p < end && tchar[(unsigned char)*p])
        p++;
    return p;
}

/* Returns the first p in [p, end) that is below lo (unsigned), DEL, or
 * >= 0x80; end when there is none. lo is 0x20 for field values (SP is text)
 * and 0x21 for the request-target (SP ends it). */
static inline const char *scan_text(const char *p, const char *end, unsigned char lo)
{
#if defined(__SSE2__) && !defined(WS_HTTP_NO_SIMD) /* the benchmark builds both */
    /* A signed compare below lo also catches 0x80-0xff, which are negative. */
    const __m128i vlo = _mm_set1_epi8((char)lo);
    const __m128i vdel = _mm_set1_epi8(0x7f);
    while (end - p >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)p);
        __m128i stop = _mm_or_si128(_mm_cmplt_epi8(v, vlo), _mm_cmpeq_epi8(v, vdel));
        int mask = _mm_movemask_epi8(stop);
        if (mask != 0)
            return p + __builtin_ctz((unsigned)mask);
        p += 16;
    }
#endif
    for (; p < end; p++) {
        unsigned char c = (unsigned char)*p;
        if (c < lo || c >= 0x7f)
            return p;
    }
    return end;
}

/* The length (2-4) of the well-formed UTF-8 sequence at p (RFC 3629 table:
 * no overlongs, no surrogates, nothing above U+10FFFF), 0 when the bytes
 * before end are a valid but truncated prefix, -1 when it is invalid. */
static int utf8_len(const unsigned char *p, const unsigned char *end)
{
    unsigned char c = p[0];
    int n;
    unsigned char lo = 0x80, hi = 0xbf; /* range of the second byte */
    if (c >= 0xc2 && c <= 0xdf) {
        n = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
        if (c == 0xe0)
            lo = 0xa0;
        else if (c == 0xed)
            hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
        if (c == 0xf0)
            lo = 0x90;
        else if (c == 0xf4)
            hi = 0x8f;
    } else {
        return -1;
    }
    for (int i = 1; i < n; i++) {
        if (p + i == end)
            return 0;
        unsigned char lim_lo = i == 1 ? lo : 0x80, lim_hi = i == 1 ? hi : 0xbf;
        if (p[i] < lim_lo || p[i] > lim_hi)
            return -1;
    }
    return n;
}

/* Advances *pp over text up to the byte stop (SP for a target, CR for a
 * value). Values may contain HTAB; both may contain valid UTF-8. Returns 0
 * with *pp at stop, WS_HTTP_INCOMPLETE with *pp at the end reached, or
 * WS_HTTP_BAD_REQUEST with *pp at the offending byte. */
static int scan_until(const char **pp, const char *end, unsigned char lo, char stop)
{
    const char *p = *pp;
    int rc;
    for (;;) {
        p = scan_text(p, end, lo);
        if (p == end) {
            rc = WS_HTTP_INCOMPLETE;
            break;
        }
        unsigned char c = (unsigned char)*p;
        if (c == (unsigned char)stop) {
            rc = 0;
            break;
        }
        if (c == '\t' && stop == '\r') {
            p++;
            continue;
        }
        if (c >= 0x80) {
            int n = utf8_len((const unsigned char *)p, (const unsigned char *)end);
            if (n > 0) {
                p += n;
                continue;
            }
            rc = n == 0 ? WS_HTTP_INCOMPLETE : WS_HTTP_BAD_REQUEST;
            break;
        }
        rc = WS_HTTP_BAD_REQUEST;
        break;
    }
    *pp = p;
    return rc;
}

/* }====== */

/* {====== Parser state */

typedef struct parser_t {
    const char *p;   /* next unread byte */
    const char *end; /* end of the view, at most header_section_bytes_max in */
    bool capped;     /* the buffer holds more than the view */
    const ws_http_limits_t *lim;
    ws_http_request_t *req;
    size_t header_max; /* min(capacity, header_count_max) */
    /* framing seen so far, judged in finish() once the head is complete */
    int host_count;
    bool cl_seen;
    size_t cl_elements; /* Content-Length list elements read so far */
    bool te_seen;
    bool te_chunked; /* chunked seen; any coding after it is an error */
    bool te_other;   /* a coding other than chunked */
    bool conn_close;
    bool conn_keep_alive;
    bool expect_continue;
    uint64_t cl;
} parser_t;

static int fail(parser_t *ps, int rc, const char *why)
{
    ps->req->error = why;
    return rc;
}

/* The head did not end within header_section_bytes_max (services.md 1.9). */
static int head_too_large(parser_t *ps)
{
    bool spec = ps->lim->header_section_bytes_max == 8192;
    return fail(ps, WS_HTTP_HEADERS_TOO_LARGE,
                spec ? "header section exceeds 8KB limit" : "header section too large");
}

/* }====== */

/* {====== Request line */

/* HTTP-version = "HTTP/" DIGIT "." DIGIT, then CRLF. Checks the bytes before
 * end that are there, so a valid prefix is WS_HTTP_INCOMPLETE. */
static int parse_version(parser_t *ps, const char **pp, const char *end)
{
    static const char shape[] = "HTTP/0.0\r\n"; /* '0' stands for any digit */
    const char *p = *pp;
    size_t avail = (size_t)(end - p);
    for (size_t i = 0; i < sizeof shape - 1; i++) {
        if (i == avail)
            return WS_HTTP_INCOMPLETE;
        bool ok = shape[i] == '0' ? is_digit(p[i]) : p[i] == shape[i];
        if (!ok)
            return fail(ps, WS_HTTP_BAD_REQUEST, "malformed request line: bad HTTP version");
    }
    if (p[5] != '1')
        return fail(ps, WS_HTTP_VERSION, "HTTP version not supported");
    ps->req->minor_version = p[7] == '0' ? 0 : 1;
    *pp = p + sizeof shape - 1;
    return 0;
}

/* The request line ran out of input at lend. If lend is the line's own limit
 * (request_line_bytes_max bytes before the CRLF) the line is too long: 414.
 * Past the head cap it is 431 like any oversized head (D88 counts the request
 * line in the 8192 bytes; with the spec limits the line limit is never the
 * nearer one). Otherwise it may still grow. Bytes past lend are never
 * examined, so a prefix of the input gets the same verdict as the whole. */
static int line_incomplete(parser_t *ps, const char *lend)
{
    if (lend != ps->end)
        return fail(ps, WS_HTTP_URI_TOO_LONG, "request line too long");
    if (ps->capped)
        return head_too_large(ps);
    return WS_HTTP_INCOMPLETE;
}

/* request-line = method SP request-target SP HTTP-version CRLF */
static int parse_request_line(parser_t *ps)
{
    ws_http_request_t *req = ps->req;
    const char *start = ps->p;
    size_t line_max = ps->lim->request_line_bytes_max; /* before the CRLF */
    const char *lend = (size_t)(ps->end - start) > line_max ? start + line_max : ps->end;
    const char *p = scan_token(start, lend);
    if (p == lend)
        return line_incomplete(ps, lend);
    if (p == start || *p != ' ')
        return fail(ps, WS_HTTP_BAD_REQUEST, "malformed request line: bad method");
    req->method = (ws_slice_t){start, (size_t)(p - start)};

    const char *target = ++p;
    int rc = scan_until(&p, lend, 0x21, ' ');
    if (rc == WS_HTTP_INCOMPLETE)
        return line_incomplete(ps, lend);
    if (rc < 0 || p == target)
        return fail(ps, WS_HTTP_BAD_REQUEST, "malformed request line: bad request-target");
    req->target = (ws_slice_t){target, (size_t)(p - target)};
    const char *q = memchr(target, '?', req->target.len);
    if (q != NULL) {
        req->path = (ws_slice_t){target, (size_t)(q - target)};
        req->query = (ws_slice_t){q + 1, (size_t)(p - q - 1)};
    } else {
        req->path = req->target;
    }

    p++;
    /* The 8-byte version must end by the limit, whatever its bytes are. */
    if ((size_t)(p - start) + 8 > line_max)
        return fail(ps, WS_HTTP_URI_TOO_LONG, "request line too long");
    rc = parse_version(ps, &p, ps->end);
    if (rc == WS_HTTP_INCOMPLETE)
        return ps->capped ? head_too_large(ps) : rc;
    if (rc < 0)
        return rc;
    ps->p = p;
    return 0;
}

/* }====== */

/* {====== Fields with framing meaning */

/* Calls fn on each non-empty element of a comma-separated list (RFC 9110
 * 5.6.1), with surrounding whitespace removed. Stops at fn's first error. */
static int for_each_element(parser_t *ps, ws_slice_t v, int (*fn)(parser_t *, ws_slice_t))
{
    const char *p = v.base, *end = v.base + v.len;
    while (p < end) {
        const char *comma = memchr(p, ',', (size_t)(end - p));
        const char *e = comma != NULL ? comma : end;
        const char *b = p;
        while (b < e && is_ows(*b))
            b++;
        const char *t = e;
        while (t > b && is_ows(t[-1]))
            t--;
        if (t > b) {
            int rc = fn(ps, (ws_slice_t){b, (size_t)(t - b)});
            if (rc < 0)
                return rc;
        }
        p = comma != NULL ? comma + 1 : end;
    }
    return 0;
}

/* Content-Length = 1*DIGIT; "5, 5" and repeated lines with one value are
 * accepted (RFC 9110 8.6), different values are not (RFC 9112 6.3 item 5).
 * Values saturate at UINT64_MAX, which the body limit then rejects. */
static int on_length_element(parser_t *ps, ws_slice_t e)
{
    uint64_t n = 0;
    for (size_t i = 0; i < e.len; i++) {
        if (!is_digit(e.base[i]))
            return fail(ps, WS_HTTP_BAD_REQUEST, "invalid Content-Length");
        unsigned d = (unsigned)(e.base[i] - '0');
        n = n > (UINT64_MAX - d) / 10 ? UINT64_MAX : n * 10 + d;
    }
    if (ps->cl_seen && n != ps->cl)
        return fail(ps, WS_HTTP_BAD_REQUEST, "conflicting Content-Length values");
    ps->cl_seen = true;
    ps->cl_elements++;
    ps->cl = n;
    return 0;
}

static int on_content_length(parser_t *ps, ws_slice_t v)
{
    size_t before = ps->cl_elements;
    int rc = for_each_element(ps, v, on_length_element);
    if (rc == 0 && ps->cl_elements == before) /* empty, or only commas */
        return fail(ps, WS_HTTP_BAD_REQUEST, "invalid Content-Length");
    return rc;
}

/* Transfer-Encoding = #transfer-coding; chunked must come last, once. */
static int on_coding_element(parser_t *ps, ws_slice_t e)
{
    if (ps->te_chunked)
        return fail(ps, WS_HTTP_BAD_REQUEST, "chunked is not the final transfer-coding");
    if (ws_http_slice_ieq(e, "chunked", 7))
        ps->te_chunked = true;
    else
        ps->te_other = true;
    return 0;
}

static int on_connection_element(parser_t *ps, ws_slice_t e)
{
    if (ws_http_slice_ieq(e, "close", 5))
        ps->conn_close = true;
    else if (ws_http_slice_ieq(e, "keep-alive", 10))
        ps->conn_keep_alive = true;
    else if (ws_http_slice_ieq(e, "upgrade", 7))
        ps->req->upgrade = true;
    return 0;
}

/* Host = uri-host [ ":" port ] (RFC 9112 3.2, RFC 3986 3.2.2): the bytes of
 * reg-name, IP-literal, IPv4 and port. A Host with spaces, '/', '@' or
 * non-ASCII is 400: caches and routers key on it. */
static int on_host(parser_t *ps, ws_slice_t v)
{
    static const char extra[] = "-._~%!$&'()*+,;=:[]";
    for (size_t i = 0; i < v.len; i++) {
        char c = v.base[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) ||
                  memchr(extra, c, sizeof extra - 1) != NULL;
        if (!ok)
            return fail(ps, WS_HTTP_BAD_REQUEST, "invalid Host header");
    }
    ps->host_count++;
    ps->req->host = v;
    return 0;
}

/* Dispatches on the name length first: most fields have no framing meaning
 * and cost one switch. */
static int on_field(parser_t *ps, ws_slice_t name, ws_slice_t value)
{
    switch (name.len) {
    case 4:
        if (ws_http_slice_ieq(name, "host", 4))
            return on_host(ps, value);
        return 0;
    case 6:
        if (ws_http_slice_ieq(name, "expect", 6) && ws_http_slice_ieq(value, "100-continue", 12))
            ps->expect_continue = true;
        return 0;
    case 10:
        if (ws_http_slice_ieq(name, "connection", 10))
            return for_each_element(ps, value, on_connection_element);
        return 0;
    case 14:
        if (ws_http_slice_ieq(name, "content-length", 14))
            return on_content_length(ps, value);
        return 0;
    case 17:
        if (ws_http_slice_ieq(name, "transfer-encoding", 17)) {
            ps->te_seen = true;
            return for_each_element(ps, value, on_coding_element);
        }
        return 0;
    default:
        return 0;
    }
}

/* }====== */

/* {====== Field section */

static int add_field(parser_t *ps, ws_slice_t name, ws_slice_t value)
{
    ws_http_request_t *req = ps->req;
    if (req->header_count == ps->header_max) {
        bool spec = ps->lim->header_count_max == 100 && ps->header_max == 100;
        return fail(ps, WS_HTTP_HEADERS_TOO_LARGE,
                    spec ? "too many headers (max 100)" : "too many headers");
    }
    req->headers[req->header_count++] = (ws_http_header_t){name, value};
    return on_field(ps, name, value);
}

/* field-section = *( field-line CRLF ) CRLF
 * field-line    = field-name ":" OWS field-value OWS */
static int parse_fields(parser_t *ps)
{
    const char *p = ps->p, *end = ps->end;
    for (;;) {
        if (p == end)
            return WS_HTTP_INCOMPLETE;
        if (*p == '\r') {
            if (p + 1 == end)
                return WS_HTTP_INCOMPLETE;
            if (p[1] != '\n')
                return fail(ps, WS_HTTP_BAD_REQUEST, "CR without LF");
            ps->p = p + 2;
            return 0;
        }
        const char *name = p;
        p = scan_token(p, end);
        if (p == end)
            return WS_HTTP_INCOMPLETE;
        if (p == name && is_ows(*p))
            return fail(ps, WS_HTTP_BAD_REQUEST, "obsolete line folding");
        if (p == name || *p != ':')
            return fail(ps, WS_HTTP_BAD_REQUEST, "malformed header line");
        ws_slice_t name_s = {name, (size_t)(p - name)};
        p++;
        while (p < end && is_ows(*p))
            p++;
        const char *value = p;
        int rc = scan_until(&p, end, 0x20, '\r');
        if (rc == WS_HTTP_INCOMPLETE)
            return rc;
        if (rc < 0)
            return fail(ps, rc, "invalid byte in header value");
        if (p + 1 == end)
            return WS_HTTP_INCOMPLETE;
        if (p[1] != '\n')
            return fail(ps, WS_HTTP_BAD_REQUEST, "CR without LF");
        const char *vend = p;
        while (vend > value && is_ows(vend[-1]))
            vend--;
        p += 2;
        rc = add_field(ps, name_s, (ws_slice_t){value, (size_t)(vend - value)});
        if (rc < 0)
            return rc;
    }
}

/* Judges the framing once the whole head is known (RFC 9112 3.2, 6.1, 6.3,
 * 9.3). Order matters: ambiguous framing is 400 before anything else. */
static int finish(parser_t *ps)
{
    ws_http_request_t *req = ps->req;
    if (ps->host_count > 1)
        return fail(ps, WS_HTTP_BAD_REQUEST, "more than one Host header");
    if (ps->host_count == 0 && req->minor_version >= 1)
        return fail(ps, WS_HTTP_BAD_REQUEST, "missing Host header");
    if (ps->te_seen) {
        if (req->minor_version == 0)
            return fail(ps, WS_HTTP_BAD_REQUEST, "Transfer-Encoding in an HTTP/1.0 request");
        if (ps->cl_seen)
            return fail(ps, WS_HTTP_BAD_REQUEST, "both Content-Length and Transfer-Encoding");
        if (!ps->te_chunked)
            return fail(ps, WS_HTTP_BAD_REQUEST, "chunked is not the final transfer-coding");
        if (ps->te_other)
            return fail(ps, WS_HTTP_NOT_IMPLEMENTED, "unsupported transfer-coding");
        req->body = WS_HTTP_BODY_CHUNKED;
    } else if (ps->cl_seen) {
        if (ps->cl > ps->lim->body_bytes_max)
            return fail(ps, WS_HTTP_BODY_TOO_LARGE, "Content-Length exceeds the body limit");
        req->body = WS_HTTP_BODY_LENGTH;
        req->content_length = ps->cl;
    }
    if (req->minor_version >= 1)
        req->keep_alive = !ps->conn_close;
    else
        req->keep_alive = ps->conn_keep_alive && !ps->conn_close;
    req->expect_continue = ps->expect_continue && req->minor_version >= 1;
    return 0;
}

/* }====== */

int ws_http_parse_request(const char *buf, size_t len, const ws_http_limits_t *limits,
                          ws_http_request_t *req, ws_http_header_t *headers, size_t header_capacity)
{
    snow_assert(limits->header_section_bytes_max <= INT_MAX);
    *req = (ws_http_request_t){.headers = headers};
    size_t cap = limits->header_section_bytes_max;
    parser_t ps = {
        .p = buf,
        .end = buf + (len < cap ? len : cap),
        .capped = len > cap,
        .lim = limits,
        .req = req,
        .header_max =
            header_capacity < limits->header_count_max ? header_capacity : limits->header_count_max,
    };
    /* RFC 9112 2.2: ignore empty lines before the request line. */
    while (ps.end - ps.p >= 2 && ps.p[0] == '\r' && ps.p[1] == '\n')
        ps.p += 2;
    if (ps.end - ps.p == 1 && ps.p[0] == '\r')
        return ps.capped ? head_too_large(&ps) : WS_HTTP_INCOMPLETE;
    int rc = parse_request_line(&ps);
    if (rc < 0)
        return rc;
    rc = parse_fields(&ps);
    if (rc == WS_HTTP_INCOMPLETE && ps.capped)
        return head_too_large(&ps);
    if (rc < 0)
        return rc;
    rc = finish(&ps);
    return rc < 0 ? rc : (int)(ps.p - buf);
}

/* {====== Accessors */

bool ws_http_header_get(const ws_http_request_t *req, const char *name, size_t name_len,
                        ws_slice_t *value)
{
    for (size_t i = req->header_count; i-- > 0;) {
        const ws_http_header_t *h = &req->headers[i];
        if (h->name.len == name_len && ascii_ieq(h->name.base, name, name_len)) {
            *value = h->value;
            return true;
        }
    }
    return false;
}

bool ws_http_query_get(ws_slice_t query, const char *key, size_t key_len, ws_slice_t *value)
{
    bool found = false;
    const char *p = query.base, *end = query.base + query.len;
    while (p != NULL && p < end) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *e = amp != NULL ? amp : end;
        const char *eq = memchr(p, '=', (size_t)(e - p));
        if (eq != NULL && (size_t)(eq - p) == key_len && memcmp(p, key, key_len) == 0) {
            *value = (ws_slice_t){eq + 1, (size_t)(e - eq - 1)};
            found = true; /* keep going: the last occurrence wins */
        }
        p = amp != NULL ? amp + 1 : end;
    }
    return found;
}

/* }====== */
