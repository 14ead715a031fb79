/* http_client.c: the HTTP/1.1 client (services.md 1.11, D91; issue 8).
 *
 * A fetch is a loop of exchanges: parse the URL, resolve, connect (TLS on
 * top for https), send one request with `Connection: close`, read the head
 * and then the body framed by Transfer-Encoding: chunked, Content-Length or
 * the end of the connection, close; a redirect status with a Location
 * starts the next exchange. Every failure becomes one message that starts
 * with the caller's URL, so a Snow program can print it as is.
 *
 * This file holds the HTTP: response heads, the request, the body, the
 * exchange and the redirect loop. URLs are ws/http_url.c; resolving,
 * connecting, TLS and how each operation is waited for (a parked process
 * or a private ring) are ws/http_client_io.c.
 *
 * Never: read past a declared body or hold more than the body limit. */
#define _GNU_SOURCE 1 /* memrchr */
#include "ws/http_client.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "kernel/alloc.h"
#include "kernel/assert.h"
#include "lang/std/str.h"
#include "ws/http_chunked.h"
#include "ws/http_client_io.h"
#include "ws/http_parse.h"

/* {====== Small helpers */

/* Returns an owned NUL-terminated printf text (kern_free). */
static char *fmt_owned(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *fmt_owned(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    snow_assert(n >= 0);
    char *s = kern_alloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

/* }====== */

/* {====== Response heads */

/* Takes the next line of buf[*pos, end) without its LF and an optional CR
 * before it. Returns false at end. */
static bool next_line(const char *buf, size_t end, size_t *pos, ws_slice_t *line)
{
    if (*pos >= end)
        return false;
    const char *lf = memchr(buf + *pos, '\n', end - *pos);
    size_t stop = lf ? (size_t)(lf - buf) : end;
    size_t n = stop - *pos;
    if (n > 0 && buf[stop - 1] == '\r')
        n--;
    *line = (ws_slice_t){buf + *pos, n};
    *pos = stop + 1;
    return true;
}

static ws_slice_t trim(ws_slice_t s)
{
    while (s.len > 0 && (s.base[0] == ' ' || s.base[0] == '\t'))
        s.base++, s.len--;
    while (s.len > 0 && (s.base[s.len - 1] == ' ' || s.base[s.len - 1] == '\t'))
        s.len--;
    return s;
}

/* status-line = "HTTP/1." DIGIT SP 3DIGIT [ SP reason-phrase ] */
static int parse_status_line(ws_slice_t l, int *status)
{
    const char *s = l.base;
    if (l.len < 12 || memcmp(s, "HTTP/1.", 7) != 0 || s[7] < '0' || s[7] > '9' || s[8] != ' ')
        return -EBADMSG;
    int v = 0;
    for (int i = 9; i < 12; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -EBADMSG;
        v = v * 10 + (s[i] - '0');
    }
    if (v < 100 || (l.len > 12 && s[12] != ' '))
        return -EBADMSG;
    *status = v;
    return 0;
}

static int parse_length(ws_slice_t v, ws_http_response_head_t *head)
{
    uint64_t n = 0;
    if (v.len == 0 || v.len > 19)
        return -EBADMSG;
    for (size_t i = 0; i < v.len; i++) {
        if (v.base[i] < '0' || v.base[i] > '9')
            return -EBADMSG;
        n = n * 10 + (uint64_t)(v.base[i] - '0');
    }
    if (head->has_length && head->content_length != n)
        return -EBADMSG; /* RFC 9112 6.3: conflicting lengths are an error */
    head->has_length = true;
    head->content_length = n;
    return 0;
}

/* media-type = type "/" subtype *( OWS ";" OWS parameter ); takes charset. */
static void parse_charset(ws_slice_t v, ws_http_response_head_t *head)
{
    const char *p = v.base, *end = v.base + v.len;
    while ((p = memchr(p, ';', (size_t)(end - p))) != NULL) {
        p++;
        ws_slice_t rest = trim((ws_slice_t){p, (size_t)(end - p)});
        if (!ws_http_iprefix(rest.base, rest.len, "charset="))
            continue;
        const char *s = rest.base + 8;
        size_t n = strcspn(s, ";");
        if (s + n > end)
            n = (size_t)(end - s);
        ws_slice_t cs = trim((ws_slice_t){s, n});
        if (cs.len >= 2 && cs.base[0] == '"' && cs.base[cs.len - 1] == '"')
            cs = (ws_slice_t){cs.base + 1, cs.len - 2};
        head->charset = cs;
        return;
    }
}

static int parse_field(ws_slice_t l, ws_http_response_head_t *head)
{
    if (l.base[0] == ' ' || l.base[0] == '\t')
        return 0; /* obs-fold continuation: ignored (RFC 9112 5.2 allows it) */
    const char *colon = memchr(l.base, ':', l.len);
    if (!colon || colon == l.base)
        return -EBADMSG;
    size_t nl = (size_t)(colon - l.base);
    for (size_t i = 0; i < nl; i++) {
        if (l.base[i] == ' ' || l.base[i] == '\t')
            return -EBADMSG;
    }
    ws_slice_t v = trim((ws_slice_t){colon + 1, l.len - nl - 1});
    if (ws_http_ieq(l.base, nl, "content-length"))
        return parse_length(v, head);
    if (ws_http_ieq(l.base, nl, "transfer-encoding")) {
        const char *comma = v.len ? memrchr(v.base, ',', v.len) : NULL;
        ws_slice_t last =
            comma ? trim((ws_slice_t){comma + 1, v.len - (size_t)(comma + 1 - v.base)}) : v;
        head->chunked = ws_http_ieq(last.base, last.len, "chunked");
    } else if (ws_http_ieq(l.base, nl, "location")) {
        head->location = v;
    } else if (ws_http_ieq(l.base, nl, "content-type")) {
        head->charset = (ws_slice_t){NULL, 0};
        parse_charset(v, head);
    }
    return 0;
}

int ws_http_client_parse_head(const char *buf, size_t len, ws_http_response_head_t *head)
{
    memset(head, 0, sizeof *head);
    size_t end = 0;
    size_t scan = len < WS_HTTP_CLIENT_HEAD_BYTES_MAX ? len : WS_HTTP_CLIENT_HEAD_BYTES_MAX;
    for (size_t i = 0; i < scan && !end; i++) {
        if (buf[i] != '\n')
            continue;
        if (i + 1 < scan && buf[i + 1] == '\n')
            end = i + 2;
        else if (i + 2 < scan && buf[i + 1] == '\r' && buf[i + 2] == '\n')
            end = i + 3;
    }
    if (!end) {
        /* Reject early what can never become a status line. */
        size_t n = len < 7 ? len : 7;
        if (memcmp(buf, "HTTP/1.", n) != 0)
            return -EBADMSG;
        return len >= WS_HTTP_CLIENT_HEAD_BYTES_MAX ? -E2BIG : WS_HTTP_INCOMPLETE;
    }
    size_t pos = 0;
    ws_slice_t line;
    next_line(buf, end, &pos, &line);
    if (parse_status_line(line, &head->status) < 0)
        return -EBADMSG;
    while (next_line(buf, end, &pos, &line) && line.len > 0) {
        if (parse_field(line, head) < 0)
            return -EBADMSG;
    }
    return (int)end;
}

/* }====== */

/* {====== One exchange: request, head, body */

typedef struct resp_t {
    ws_http_response_head_t head; /* slices into raw: valid until the body is read */
    char charset[32];             /* head.charset, copied (raw is reused for the body) */
    char *location;               /* owned copy of head.location, or NULL */
    char *raw; /* WS_HTTP_CLIENT_HEAD_BYTES_MAX bytes: the head, then receive room */
    size_t raw_len;
    size_t head_len;
    char *body; /* owned, body_len bytes + room for a NUL */
    size_t body_len, body_cap;
} resp_t;

static void resp_destroy(resp_t *r)
{
    kern_free(r->location);
    kern_free(r->raw);
    kern_free(r->body);
    memset(r, 0, sizeof *r);
}

static bool is_redirect(int status)
{
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

/* Builds the request: method target HTTP/1.1, Host (with the port when it
 * is not the scheme's default), User-Agent, Accept, Connection: close and,
 * with a body, Content-Type: application/json and Content-Length. */
static char *build_request(const ws_http_url_t *u, const char *method, const char *body,
                           size_t body_len, bool with_body, size_t *len)
{
    char port[8] = "";
    if (u->port != (u->tls ? 443 : 80))
        snprintf(port, sizeof port, ":%u", (unsigned)u->port);
    char length[96] = "";
    if (with_body)
        snprintf(length, sizeof length, "Content-Type: application/json\r\nContent-Length: %zu\r\n",
                 body_len);
    char *head = fmt_owned("%s %s HTTP/1.1\r\nHost: %s%s%s%s\r\nUser-Agent: snow-http/1.0\r\n"
                           "Accept: */*\r\nConnection: close\r\n%s\r\n",
                           method, u->target, u->host_v6 ? "[" : "", u->host, u->host_v6 ? "]" : "",
                           port, length);
    size_t hl = strlen(head);
    if (!with_body || body_len == 0) {
        *len = hl;
        return head;
    }
    char *all = kern_realloc(head, hl + body_len);
    memcpy(all + hl, body, body_len);
    *len = hl + body_len;
    return all;
}

/* Reads until a final (non-1xx) head has arrived. */
static int read_head(ws_http_client_io_t *io, resp_t *r, char *msg, size_t cap)
{
    r->raw = kern_alloc(WS_HTTP_CLIENT_HEAD_BYTES_MAX);
    for (;;) {
        int rc = r->raw_len ? ws_http_client_parse_head(r->raw, r->raw_len, &r->head)
                            : WS_HTTP_INCOMPLETE;
        if (rc > 0 && r->head.status < 200) { /* 100 Continue, 103 Early Hints */
            memmove(r->raw, r->raw + rc, r->raw_len - (size_t)rc);
            r->raw_len -= (size_t)rc;
            continue;
        }
        if (rc > 0) {
            r->head_len = (size_t)rc;
            break;
        }
        if (rc != WS_HTTP_INCOMPLETE) {
            snprintf(msg, cap, rc == -E2BIG ? "response head too large" : "invalid HTTP response");
            return -EPROTO;
        }
        int n = ws_http_client_io_recv(io, r->raw + r->raw_len,
                                       WS_HTTP_CLIENT_HEAD_BYTES_MAX - r->raw_len);
        if (n <= 0) {
            if (n == 0 || n == -ECONNRESET)
                snprintf(msg, cap, "connection closed before the response was complete");
            else
                snprintf(msg, cap, "receiving the response failed: %s",
                         ws_http_client_io_strerror(n));
            return n == 0 ? -ECONNRESET : n;
        }
        r->raw_len += (size_t)n;
    }
    ws_slice_t cs = r->head.charset;
    if (cs.len < sizeof r->charset) {
        if (cs.len > 0)
            memcpy(r->charset, cs.base, cs.len);
        r->charset[cs.len] = '\0';
    } else {
        snprintf(r->charset, sizeof r->charset, "unknown");
    }
    if (r->head.location.len > 0)
        r->location = fmt_owned("%.*s", (int)r->head.location.len, r->head.location.base);
    return 0;
}

/* Appends n bytes to the body; -EFBIG past the limit. */
static int body_append(resp_t *r, const char *p, size_t n)
{
    if (n == 0)
        return 0;
    if (r->body_len + n > WS_HTTP_CLIENT_BODY_BYTES_MAX)
        return -EFBIG;
    if (r->body_len + n + 1 > r->body_cap) {
        size_t c = r->body_cap ? r->body_cap : 16384;
        while (c < r->body_len + n + 1)
            c *= 2;
        if (c > WS_HTTP_CLIENT_BODY_BYTES_MAX + 1)
            c = WS_HTTP_CLIENT_BODY_BYTES_MAX + 1;
        r->body = kern_realloc(r->body, c);
        r->body_cap = c;
    }
    memcpy(r->body + r->body_len, p, n);
    r->body_len += n;
    return 0;
}

/* Feeds raw[0, n) to the chunked decoder, appending the data it yields.
 * Returns 0, -EFBIG or -EPROTO. */
static int chunked_feed(ws_http_chunked_t *d, resp_t *r, const char *p, size_t n)
{
    while (n > 0 && !ws_http_chunked_done(d)) {
        ws_slice_t data = {NULL, 0};
        ssize_t used = ws_http_chunked_decode(d, p, n, &data);
        if (used == WS_HTTP_BODY_TOO_LARGE)
            return -EFBIG;
        if (used <= 0)
            return -EPROTO;
        if (data.len > 0 && body_append(r, data.base, data.len) < 0)
            return -EFBIG;
        p += used;
        n -= (size_t)used;
    }
    return 0;
}

/* Reads the body as the head frames it: chunked, Content-Length or up to
 * the end of the connection (RFC 9112 6.3). Returns 0 or -errno. */
static int read_body(ws_http_client_io_t *io, resp_t *r)
{
    const ws_http_response_head_t *h = &r->head;
    const char *rest = r->raw + r->head_len;
    size_t rest_len = r->raw_len - r->head_len;
    if (h->status == 204 || h->status == 304)
        return 0;
    ws_http_limits_t lim = WS_HTTP_LIMITS_SPEC;
    lim.body_bytes_max = WS_HTTP_CLIENT_BODY_BYTES_MAX;
    ws_http_chunked_t d;
    ws_http_chunked_init(&d, &lim);
    uint64_t want = UINT64_MAX;
    int rc;
    if (h->chunked) {
        rc = chunked_feed(&d, r, rest, rest_len);
    } else if (h->has_length) {
        if (h->content_length > WS_HTTP_CLIENT_BODY_BYTES_MAX)
            return -EFBIG;
        want = h->content_length;
        r->body_cap = (size_t)want + 1; /* the body lands in place below */
        r->body = kern_alloc(r->body_cap);
        rc = body_append(r, rest, rest_len < want ? rest_len : (size_t)want);
    } else {
        rc = body_append(r, rest, rest_len);
    }
    while (rc == 0) {
        if (h->chunked ? ws_http_chunked_done(&d) : r->body_len >= want)
            break;
        /* Content-Length bodies land in place; the others go through raw. */
        int n =
            h->chunked || !h->has_length
                ? ws_http_client_io_recv(io, r->raw, WS_HTTP_CLIENT_HEAD_BYTES_MAX)
                : ws_http_client_io_recv(io, r->body + r->body_len, (size_t)(want - r->body_len));
        if (n == 0 || (n == -ECONNRESET && io->tconn && !h->chunked && !h->has_length))
            return h->chunked || h->has_length ? -ECONNRESET : 0; /* EOF frames the body */
        if (n < 0)
            return n;
        if (h->chunked)
            rc = chunked_feed(&d, r, r->raw, (size_t)n);
        else if (h->has_length)
            r->body_len += (size_t)n;
        else
            rc = body_append(r, r->raw, (size_t)n);
    }
    return rc;
}

/* Makes the body text (D91): UTF-8 (the default; a leading byte order mark
 * is dropped), US-ASCII, or ISO-8859-1 transcoded to UTF-8. A charset we do
 * not know is accepted only when the bytes are valid UTF-8. Returns 0 or
 * -EILSEQ. */
static int body_to_text(resp_t *r)
{
    const char *cs = r->charset;
    size_t n = strlen(cs);
    if (ws_http_ieq(cs, n, "iso-8859-1") || ws_http_ieq(cs, n, "latin1") ||
        ws_http_ieq(cs, n, "latin-1") || ws_http_ieq(cs, n, "iso8859-1")) {
        char *t = kern_alloc(r->body_len * 2 + 1);
        size_t k = 0;
        for (size_t i = 0; i < r->body_len; i++) {
            unsigned char c = (unsigned char)r->body[i];
            if (c < 0x80) {
                t[k++] = (char)c;
            } else {
                t[k++] = (char)(0xc0 | (c >> 6));
                t[k++] = (char)(0x80 | (c & 0x3f));
            }
        }
        kern_free(r->body);
        r->body = t;
        r->body_len = k;
        r->body_cap = r->body_len * 2 + 1;
        return 0;
    }
    if (ws_http_ieq(cs, n, "us-ascii") || ws_http_ieq(cs, n, "ascii")) {
        for (size_t i = 0; i < r->body_len; i++) {
            if ((unsigned char)r->body[i] >= 0x80)
                return -EILSEQ;
        }
        return 0;
    }
    if (r->body_len >= 3 && memcmp(r->body, "\xef\xbb\xbf", 3) == 0) {
        memmove(r->body, r->body + 3, r->body_len - 3);
        r->body_len -= 3;
    }
    return std_utf8_valid(r->body ? r->body : "", r->body_len) ? 0 : -EILSEQ;
}

/* One connection: request out, response head in, and the body when the
 * caller will use it (not for redirects and error statuses). */
static int exchange(ws_http_client_io_t *io, const ws_http_client_request_t *req,
                    const ws_http_url_t *url, const char *method, bool with_body, resp_t *r,
                    char *msg, size_t cap)
{
    int rc = ws_http_client_io_open(io, req, url, msg, cap);
    if (rc < 0) {
        ws_http_client_io_close(io);
        return rc;
    }
    size_t len;
    char *text = build_request(url, method, req->body, req->body_len, with_body, &len);
    rc = ws_http_client_io_send(io, text, len);
    kern_free(text);
    /* A server may answer (413, 401, a redirect) and close before it has
     * read the whole body: the send then fails, but its response may
     * already be here. The TLS stream stays failed, so plain TCP only. */
    if (rc < 0 && !io->tconn && (rc == -EPIPE || rc == -ECONNRESET)) {
        int send_rc = rc;
        if (read_head(io, r, msg, cap) == 0)
            rc = 0;
        else
            rc = send_rc;
    }
    if (rc < 0) {
        snprintf(msg, cap, "sending the request failed: %s", ws_http_client_io_strerror(rc));
    } else if (r->raw_len > 0 || (rc = read_head(io, r, msg, cap)) == 0) {
        int st = r->head.status;
        if (st < 400 && !(is_redirect(st) && r->location)) {
            rc = read_body(io, r);
            if (rc == -ECONNRESET)
                snprintf(msg, cap, "connection closed before the response was complete");
            else if (rc == -EPROTO)
                snprintf(msg, cap, "invalid chunked response body");
            else if (rc == -EFBIG)
                snprintf(msg, cap, "response body too large");
            else if (rc < 0)
                snprintf(msg, cap, "receiving the response failed: %s",
                         ws_http_client_io_strerror(rc));
        }
    }
    ws_http_client_io_close(io);
    return rc;
}

/* }====== */

/* {====== Fetch: exchanges and redirects */

static int fail(ws_http_client_result_t *out, const ws_http_client_request_t *req, int rc,
                const char *detail)
{
    if (req->url_len == 0) /* "": reads better than a message that starts with ':' */
        out->error = fmt_owned("\"\": %s", detail);
    else
        out->error = fmt_owned("%.*s: %s", (int)req->url_len, req->url, detail);
    return rc;
}

/* Follows one redirect: the next URL, and 303 (or 301/302 after a POST, as
 * browsers and v5.0's library do) turns the request into a GET without
 * body. Returns 0 or -EINVAL / -ELOOP with msg set. */
static int redirect(ws_http_url_t *url, const resp_t *r, int *redirects, const char **method,
                    bool *with_body, char *msg, size_t cap)
{
    if (*redirects >= WS_HTTP_CLIENT_REDIRECTS_MAX) {
        snprintf(msg, cap, "too many redirects (more than %d)", WS_HTTP_CLIENT_REDIRECTS_MAX);
        return -ELOOP;
    }
    ws_http_url_t next;
    const char *why = "";
    if (ws_http_url_resolve(url, r->location, strlen(r->location), &next, &why) < 0) {
        snprintf(msg, cap, "invalid redirect location: %s", why);
        return -EINVAL;
    }
    ws_http_url_destroy(url);
    *url = next;
    (*redirects)++;
    int st = r->head.status;
    if (st == 303 || ((st == 301 || st == 302) && *with_body)) {
        *method = "GET";
        *with_body = false;
    }
    return 0;
}

/* Hands the finished body over to out, or says why it is not text. */
static int finish(ws_http_client_result_t *out, resp_t *r, char *msg, size_t cap)
{
    if (r->head.status >= 400) {
        snprintf(msg, cap, "status code %d", r->head.status);
        return -EREMOTEIO;
    }
    if (body_to_text(r) < 0) {
        snprintf(msg, cap, "response body is not valid text");
        return -EILSEQ;
    }
    if (!r->body)
        r->body = kern_alloc(1);
    r->body[r->body_len] = '\0';
    out->body = r->body;
    out->body_len = r->body_len;
    r->body = NULL;
    return 0;
}

int ws_http_client_fetch(const ws_http_client_request_t *req, ws_http_client_result_t *out)
{
    memset(out, 0, sizeof *out);
    ws_http_url_t url;
    const char *why = "";
    if (ws_http_url_parse(req->url, req->url_len, &url, &why) < 0) {
        char msg[256];
        snprintf(msg, sizeof msg, "invalid URL: %s", why);
        return fail(out, req, -EINVAL, msg);
    }
    ws_http_client_io_t *io = kern_calloc(1, sizeof *io);
    char msg[1024] = "";
    int rc = ws_http_client_io_begin(io);
    if (rc < 0) {
        snprintf(msg, sizeof msg, "cannot set up I/O: %s", strerror(-rc));
        kern_free(io);
        ws_http_url_destroy(&url);
        return fail(out, req, rc, msg);
    }
    const char *method = req->method;
    bool with_body = strcmp(method, "GET") != 0;
    for (;;) {
        resp_t r;
        memset(&r, 0, sizeof r);
        rc = exchange(io, req, &url, method, with_body, &r, msg, sizeof msg);
        if (rc == 0) {
            out->status = r.head.status;
            if (is_redirect(r.head.status) && r.location) {
                rc = redirect(&url, &r, &out->redirects, &method, &with_body, msg, sizeof msg);
                resp_destroy(&r);
                if (rc == 0)
                    continue;
                break;
            }
            rc = finish(out, &r, msg, sizeof msg);
        }
        resp_destroy(&r);
        break;
    }
    ws_http_client_io_end(io);
    ws_http_url_destroy(&url);
    return rc < 0 ? fail(out, req, rc, msg) : 0;
}

void ws_http_client_result_destroy(ws_http_client_result_t *out)
{
    kern_free(out->body);
    kern_free(out->error);
    out->body = NULL;
    out->error = NULL;
}

/* }====== */
