/* http_url.h: http:// and https:// URLs for the HTTP client (services.md
 * 1.11; issue 8): parsing the URL a program gives HTTP.get / HTTP.post, and
 * resolving a redirect's Location against the URL it answered.
 *
 * Pure text work: no I/O, no shared state, so every function may run on any
 * thread. docs/http-client.md lists what is accepted and the reasons given
 * for what is not. */
#ifndef SNOW_WS_HTTP_URL_H
#define SNOW_WS_HTTP_URL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The longest host the client accepts; it keeps its WS_HTTP_CLIENT_ name
 * because it is one of the client's limits (ws/http_client.h). */
#define WS_HTTP_CLIENT_HOST_BYTES_MAX 255 /* RFC 1035 name length */

/* A parsed http:// or https:// URL. */
typedef struct ws_http_url_t {
    bool tls;        /* https */
    bool host_v6;    /* host is an IPv6 literal (written in brackets) */
    uint16_t port;   /* explicit, or 80 / 443 */
    bool port_given; /* the URL named the port */
    char host[WS_HTTP_CLIENT_HOST_BYTES_MAX + 1]; /* NUL-terminated, no brackets */
    char *target; /* owned: path and query, never empty, bytes outside
                   * 0x21..0x7e percent-encoded, no fragment */
} ws_http_url_t;

/* Parses text[0, len) (borrowed) into url:
 *   URL       = scheme "://" authority [ path-abempty ] [ "?" query ] [ "#" fragment ]
 *   scheme    = "http" / "https"                  (any case)
 *   authority = host [ ":" [ port ] ]             (no user info)
 *   host      = "[" IPv6address "]" / reg-name    (reg-name: letters, digits, "-._~")
 * Returns 0 with url->target owned (free with ws_http_url_destroy), or
 * -EINVAL with *why (may be NULL) set to a static reason such as
 * "unsupported scheme" and nothing to free. */
int ws_http_url_parse(const char *text, size_t len, ws_http_url_t *url, const char **why);

/* Resolves a redirect's Location value (borrowed) against base (borrowed)
 * into next (RFC 3986 5.2: absolute URL, "//authority...", "/path" or a
 * relative path; the fragment is dropped). Returns 0 with next owned, or
 * -EINVAL (*why set as for ws_http_url_parse). */
int ws_http_url_resolve(const ws_http_url_t *base, const char *location, size_t len,
                        ws_http_url_t *next, const char **why);

/* Frees what url owns. Idempotent. */
void ws_http_url_destroy(ws_http_url_t *url);

#endif
