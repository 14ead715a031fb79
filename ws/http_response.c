/* http_response.c: status line, fixed header set, and the iovec pair. The
 * head is appended piece by piece into the caller's buffer with a bounds
 * check per piece, so an oversized content type is -ENOSPC, never an
 * overflow. */
#include "ws/http_response.h"

#include <errno.h>
#include <string.h>

#include "ws/date.h"

static const char json_type[] = "application/json; charset=utf-8";

/* ORDER: IANA HTTP Status Code Registry (RFC 9110 15 and its companions);
 * unassigned, (Unused) 418 and obsoleted 510 are "". */
const char *ws_http_reason(int status)
{
    /* One code per line, as the registry reads. */
    /* clang-format off */
    switch (status) {
    case 100: return "Continue";
    case 101: return "Switching Protocols";
    case 102: return "Processing";
    case 103: return "Early Hints";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 203: return "Non-Authoritative Information";
    case 204: return "No Content";
    case 205: return "Reset Content";
    case 206: return "Partial Content";
    case 207: return "Multi-Status";
    case 208: return "Already Reported";
    case 226: return "IM Used";
    case 300: return "Multiple Choices";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 305: return "Use Proxy";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 402: return "Payment Required";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 407: return "Proxy Authentication Required";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 411: return "Length Required";
    case 412: return "Precondition Failed";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 416: return "Range Not Satisfiable";
    case 417: return "Expectation Failed";
    case 421: return "Misdirected Request";
    case 422: return "Unprocessable Content";
    case 423: return "Locked";
    case 424: return "Failed Dependency";
    case 425: return "Too Early";
    case 426: return "Upgrade Required";
    case 428: return "Precondition Required";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 451: return "Unavailable For Legal Reasons";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    case 506: return "Variant Also Negotiates";
    case 507: return "Insufficient Storage";
    case 508: return "Loop Detected";
    case 511: return "Network Authentication Required";
    default: return "";
    }
    /* clang-format on */
}

/* An append cursor over the caller's head buffer. */
typedef struct out_t {
    char *p;
    char *end;
    bool overflow;
} out_t;

static void put(out_t *o, const char *s, size_t n)
{
    if ((size_t)(o->end - o->p) < n) {
        o->overflow = true;
        return;
    }
    memcpy(o->p, s, n);
    o->p += n;
}

#define PUT_LIT(o, lit) put((o), (lit), sizeof(lit) - 1)

static void put_str(out_t *o, const char *s) { put(o, s, strlen(s)); }

static void put_size(out_t *o, size_t v)
{
    char digits[24];
    char *d = digits + sizeof digits;
    do {
        *--d = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    put(o, d, (size_t)(digits + sizeof digits - d));
}

/* RFC 9110 6.4.1 and D90: 1xx, 204 and 304 never carry content. */
static bool status_has_body(int status) { return status >= 200 && status != 204 && status != 304; }

int ws_http_response_write(const ws_http_response_t *resp, char *head, size_t head_cap,
                           struct iovec iov[2])
{
    int status = resp->status;
    if (status < 100 || status > 599)
        return -EINVAL;
    if (resp->content_type != NULL && strpbrk(resp->content_type, "\r\n") != NULL)
        return -EINVAL; /* would inject a header line */
    out_t o = {head, head + head_cap, false};
    char code[4] = {(char)('0' + status / 100), (char)('0' + status / 10 % 10),
                    (char)('0' + status % 10), ' '};
    PUT_LIT(&o, "HTTP/1.1 ");
    put(&o, code, 4);
    put_str(&o, ws_http_reason(status));
    PUT_LIT(&o, "\r\nContent-Type: ");
    if (resp->content_type != NULL)
        put_str(&o, resp->content_type);
    else
        PUT_LIT(&o, json_type);
    bool body_allowed = status_has_body(status);
    if (body_allowed) {
        PUT_LIT(&o, "\r\nContent-Length: ");
        put_size(&o, resp->body_len);
    }
    if (resp->keep_alive)
        PUT_LIT(&o, "\r\nConnection: keep-alive\r\n");
    else
        PUT_LIT(&o, "\r\nConnection: close\r\n");
    if (resp->date != NULL) {
        PUT_LIT(&o, "Date: ");
        put(&o, resp->date, WS_DATE_LEN);
        PUT_LIT(&o, "\r\n");
    }
    PUT_LIT(&o, "\r\n");
    if (o.overflow)
        return -ENOSPC;
    iov[0] = (struct iovec){head, (size_t)(o.p - head)};
    if (!body_allowed || resp->head_request || resp->body_len == 0)
        return 1;
    iov[1] = (struct iovec){(void *)resp->body, resp->body_len};
    return 2;
}

ws_slice_t ws_http_continue_response(void)
{
    static const char text[] = "HTTP/1.1 100 Continue\r\n\r\n";
    return (ws_slice_t){text, sizeof text - 1};
}

ws_http_response_t ws_http_error_response(int rc)
{
    int status = ws_http_error_status(rc);
    const char *reason = ws_http_reason(status);
    return (ws_http_response_t){.status = status, .body = reason, .body_len = strlen(reason)};
}
