/* http_response.h: the response head, gathered with the body into one send
 * (services.md 1.7; D86, D88, D89, D90).
 *
 * services.md 1.7 fixes the wire form of every response:
 *
 *   HTTP/1.1 <status> <reason>\r\n
 *   Content-Type: application/json; charset=utf-8\r\n
 *   Content-Length: <byte length of body>\r\n
 *   Connection: close\r\n
 *   \r\n
 *   <body bytes>
 *
 * The serializer writes exactly that by default. Three switches exist for
 * the server, each off in the spec's form: a Date field (DESIGN 6 keeps a
 * cached one in ws/date.h; RFC 9110 6.6.1 wants it, services.md 1.7 does not
 * list it), "Connection: keep-alive", and another Content-Type. The head is
 * built without printf: a few memcpys and one integer conversion.
 */
#ifndef SNOW_WS_HTTP_RESPONSE_H
#define SNOW_WS_HTTP_RESPONSE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/uio.h>

#include "ws/http_parse.h"

/* Room for any head this module writes with the default content type and a
 * Date field; a longer content_type needs a bigger buffer. */
enum { WS_HTTP_HEAD_BYTES_MAX = 256 };

typedef struct ws_http_response_t {
    int status;       /* 100-599 */
    const char *body; /* borrowed; may be NULL when body_len is 0 */
    size_t body_len;
    const char *content_type; /* NUL-terminated; NULL: application/json; charset=utf-8 */
    const char *date;         /* WS_DATE_LEN bytes (ws_date_cache_get), or NULL: no Date */
    bool head_request;        /* HEAD: Content-Length of the body, but no body (D90) */
    bool keep_alive;          /* Connection: keep-alive instead of close */
} ws_http_response_t;

/* The reason phrase for status (RFC 9110 15 and the IANA registry; the v5.0
 * phrases of services.md 1.7 are among them): "OK", "Not Found", ..., or ""
 * for an unregistered code (D86). Static storage. */
const char *ws_http_reason(int status);

/* Writes the head of resp into head[0, head_cap) and points iov at the head
 * and, unless the status or request forbids a body (1xx, 204, 304, HEAD;
 * D90), at the body: one writev/sendmsg sends both. Borrows resp->body: iov
 * points into it. Returns the number of iovecs used (1 or 2), -EINVAL for a
 * status outside 100-599 (the server treats it as a handler crash, D86) or a
 * content_type containing CR or LF, or
 * -ENOSPC when the head does not fit. Pure; any thread. */
int ws_http_response_write(const ws_http_response_t *resp, char *head, size_t head_cap,
                           struct iovec iov[2]);

/* The interim response for Expect: 100-continue (RFC 9110 10.1.1):
 * "HTTP/1.1 100 Continue\r\n\r\n". Static storage. */
ws_slice_t ws_http_continue_response(void);

/* The response for a parser or chunked-decoder rejection rc (< -2): status
 * -rc with its reason phrase as the body (D88: "Bad Request", "Request Header
 * Fields Too Large"; D89: "Content Too Large"), Connection: close. */
ws_http_response_t ws_http_error_response(int rc);

#endif
