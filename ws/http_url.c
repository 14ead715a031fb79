/* http_url.c: http:// and https:// URLs for the HTTP client (services.md
 * 1.11; issue 8).
 *
 * Parsing checks the whole text for control characters, takes the scheme,
 * then the authority (a host name, an IPv4 address or a bracketed IPv6
 * literal, and a port) and copies path and query into an owned,
 * percent-encoded request target. A redirect's Location is resolved by
 * writing out the absolute URL it stands for and parsing that, then
 * removing dot segments (RFC 3986 5.2).
 *
 * Never: accept user information, a non-ASCII host name or a control
 * character, or keep the fragment (it is not sent). */
#define _GNU_SOURCE 1 /* memmem */
#include "ws/http_url.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "kernel/alloc.h"
#include "kernel/assert.h"
#include "ws/http_parse.h"

/* {====== URLs */

static bool host_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

/* "[" IPv6address "]" at a[0, n): stores the address. Returns the bytes
 * taken or -EINVAL. */
static int parse_host_v6(const char *a, size_t n, ws_http_url_t *url, const char **why)
{
    const char *close = memchr(a, ']', n);
    size_t hl = close ? (size_t)(close - a) - 1 : 0;
    struct in6_addr tmp;
    if (!close || hl == 0 || hl > WS_HTTP_CLIENT_HOST_BYTES_MAX) {
        *why = "invalid IPv6 address";
        return -EINVAL;
    }
    memcpy(url->host, a + 1, hl);
    url->host[hl] = '\0';
    if (inet_pton(AF_INET6, url->host, &tmp) != 1) {
        *why = "invalid IPv6 address";
        return -EINVAL;
    }
    url->host_v6 = true;
    return (int)hl + 2;
}

/* reg-name = *( ALPHA / DIGIT / "-" / "." / "_" / "~" ), non-empty, up to
 * a ":" or the end of a[0, n). Returns the bytes taken or -EINVAL. */
static int parse_host_name(const char *a, size_t n, ws_http_url_t *url, const char **why)
{
    size_t i = 0;
    for (; i < n && a[i] != ':'; i++) {
        if ((unsigned char)a[i] >= 0x80) {
            *why = "internationalized host names are not supported";
            return -EINVAL;
        }
        if (!host_char(a[i])) {
            *why = "invalid character in host";
            return -EINVAL;
        }
    }
    if (i == 0) {
        *why = "missing host";
        return -EINVAL;
    }
    if (i > WS_HTTP_CLIENT_HOST_BYTES_MAX) {
        *why = "host name too long";
        return -EINVAL;
    }
    memcpy(url->host, a, i);
    url->host[i] = '\0';
    return (int)i;
}

/* authority = host [ ":" [ port ] ], host a bracketed IPv6 literal or a
 * reg-name; no user info. */
static int parse_authority(const char *a, size_t n, ws_http_url_t *url, const char **why)
{
    if (memchr(a, '@', n)) {
        *why = "user information in URLs is not supported";
        return -EINVAL;
    }
    int taken =
        n > 0 && a[0] == '[' ? parse_host_v6(a, n, url, why) : parse_host_name(a, n, url, why);
    if (taken < 0)
        return taken;
    size_t i = (size_t)taken;
    url->port = url->tls ? 443 : 80;
    if (i == n)
        return 0;
    if (a[i] != ':') {
        *why = "invalid character after host";
        return -EINVAL;
    }
    i++;
    if (i == n)
        return 0; /* "host:" means the default port (RFC 3986 3.2.3) */
    uint32_t port = 0;
    for (; i < n; i++) {
        if (a[i] < '0' || a[i] > '9' || port > 65535) {
            *why = "invalid port";
            return -EINVAL;
        }
        port = port * 10 + (uint32_t)(a[i] - '0');
    }
    if (port == 0 || port > 65535) {
        *why = "invalid port";
        return -EINVAL;
    }
    url->port = (uint16_t)port;
    url->port_given = true;
    return 0;
}

/* Copies path and query (fragment already cut) into an owned target:
 * "/" when empty, a "/" before a bare query, bytes outside 0x21..0x7e
 * percent-encoded (as the WHATWG URL rules do for paths). */
static char *make_target(const char *p, size_t n)
{
    char *t = kern_alloc(n * 3 + 2);
    size_t k = 0;
    if (n == 0 || p[0] != '/')
        t[k++] = '/';
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c <= 0x20 || c >= 0x7f) {
            static const char hex[] = "0123456789ABCDEF";
            t[k++] = '%';
            t[k++] = hex[c >> 4];
            t[k++] = hex[c & 15];
        } else {
            t[k++] = (char)c;
        }
    }
    t[k] = '\0';
    return t;
}

/* True when text starts with another scheme: "ftp://..." or "mailto:x",
 * but not "localhost:8080/" (a host and port without a scheme). */
static bool has_scheme(const char *text, size_t len)
{
    if (len >= 3 && memmem(text, len, "://", 3))
        return true;
    size_t i = 0;
    while (i < len && (((text[i] | 0x20) >= 'a' && (text[i] | 0x20) <= 'z') ||
                       (i > 0 && ((text[i] >= '0' && text[i] <= '9') || text[i] == '+' ||
                                  text[i] == '-' || text[i] == '.'))))
        i++;
    return i > 0 && i < len && text[i] == ':' &&
           !(i + 1 < len && text[i + 1] >= '0' && text[i + 1] <= '9');
}

int ws_http_url_parse(const char *text, size_t len, ws_http_url_t *url, const char **why)
{
    const char *ignored;
    if (!why)
        why = &ignored;
    memset(url, 0, sizeof *url);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c < 0x20 || c == 0x7f) {
            *why = "control character in URL";
            return -EINVAL;
        }
    }
    size_t i;
    if (ws_http_iprefix(text, len, "http://")) {
        i = 7;
    } else if (ws_http_iprefix(text, len, "https://")) {
        url->tls = true;
        i = 8;
    } else {
        *why = has_scheme(text, len) ? "unsupported scheme (only http and https)"
                                     : "missing http:// or https://";
        return -EINVAL;
    }
    size_t a = i;
    while (i < len && text[i] != '/' && text[i] != '?' && text[i] != '#')
        i++;
    int rc = parse_authority(text + a, i - a, url, why);
    if (rc < 0)
        return rc;
    const char *hash = memchr(text + i, '#', len - i);
    size_t end = hash ? (size_t)(hash - text) : len;
    url->target = make_target(text + i, end - i);
    return 0;
}

void ws_http_url_destroy(ws_http_url_t *url)
{
    kern_free(url->target);
    url->target = NULL;
}

/* Appends the origin of u ("https://[::1]:8443") to out (room for
 * WS_HTTP_CLIENT_HOST_BYTES_MAX + 24 bytes); returns its length. */
static size_t origin(const ws_http_url_t *u, char *out, size_t cap)
{
    int n = snprintf(out, cap, "%s://%s%s%s:%u", u->tls ? "https" : "http", u->host_v6 ? "[" : "",
                     u->host, u->host_v6 ? "]" : "", (unsigned)u->port);
    snow_assert(n > 0 && (size_t)n < cap);
    return (size_t)n;
}

/* RFC 3986 5.2.4, on a path that starts with "/" (the query is not
 * touched): drops "." segments and a ".." with the segment before it. */
static void remove_dots(char *path)
{
    char *q = strchr(path, '?');
    size_t n = q ? (size_t)(q - path) : strlen(path);
    char *out = kern_alloc(n + 1);
    size_t k = 0;
    size_t i = 0;
    while (i < n) {
        /* path[i] == '/': take one segment */
        size_t j = i + 1;
        while (j < n && path[j] != '/')
            j++;
        const char *seg = path + i + 1;
        size_t sl = j - i - 1;
        bool last = j == n;
        if (sl == 1 && seg[0] == '.') {
            if (last)
                out[k++] = '/';
        } else if (sl == 2 && seg[0] == '.' && seg[1] == '.') {
            while (k > 0 && out[--k] != '/') {
            }
            if (last)
                out[k++] = '/';
        } else {
            memcpy(out + k, path + i, j - i);
            k += j - i;
        }
        i = j;
    }
    if (k == 0)
        out[k++] = '/';
    memmove(path + k, path + n, strlen(path + n) + 1);
    memcpy(path, out, k);
    kern_free(out);
}

int ws_http_url_resolve(const ws_http_url_t *base, const char *loc, size_t len, ws_http_url_t *next,
                        const char **why)
{
    const char *ignored;
    if (!why)
        why = &ignored;
    while (len > 0 && (loc[0] == ' ' || loc[0] == '\t'))
        loc++, len--;
    while (len > 0 && (loc[len - 1] == ' ' || loc[len - 1] == '\t'))
        len--;
    size_t scheme = 0;
    while (scheme < len && ((loc[scheme] | 0x20) >= 'a' && (loc[scheme] | 0x20) <= 'z'))
        scheme++;
    if (scheme > 0 && scheme < len && loc[scheme] == ':')
        return ws_http_url_parse(loc, len, next, why); /* absolute */
    if (len == 0) {
        memset(next, 0, sizeof *next);
        *why = "empty redirect location";
        return -EINVAL;
    }
    const char *bt = base->target;
    size_t cap = WS_HTTP_CLIENT_HOST_BYTES_MAX + 32 + strlen(bt) + len;
    char *s = kern_alloc(cap);
    size_t k;
    if (len >= 2 && loc[0] == '/' && loc[1] == '/') {
        k = (size_t)snprintf(s, cap, "%s:", base->tls ? "https" : "http");
    } else {
        k = origin(base, s, cap);
        if (loc[0] == '?') {
            size_t pl = strcspn(bt, "?");
            memcpy(s + k, bt, pl);
            k += pl;
        } else if (loc[0] != '/') {
            size_t pl = strcspn(bt, "?");
            while (pl > 0 && bt[pl - 1] != '/')
                pl--; /* the base's directory, with its trailing "/" */
            memcpy(s + k, bt, pl);
            k += pl;
        }
    }
    memcpy(s + k, loc, len);
    k += len;
    s[k] = '\0';
    int rc = ws_http_url_parse(s, k, next, why);
    kern_free(s);
    if (rc == 0)
        remove_dots(next->target);
    return rc;
}

/* }====== */
