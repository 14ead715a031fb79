/* Tests for ws/http_response.c: exact response bytes (services.md 1.7;
 * D86, D88, D89, D90). */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "ws/date.h"
#include "ws/http_response.h"

/* Concatenates what the iovecs would send. */
static const char *wire(const ws_http_response_t *resp, int *iovcnt)
{
    static char head[WS_HTTP_HEAD_BYTES_MAX];
    static char out[4096];
    struct iovec iov[2];
    int n = ws_http_response_write(resp, head, sizeof head, iov);
    *iovcnt = n;
    cr_assert_gt(n, 0, "write: %d", n);
    size_t len = 0;
    for (int i = 0; i < n; i++) {
        memcpy(out + len, iov[i].iov_base, iov[i].iov_len);
        len += iov[i].iov_len;
    }
    out[len] = '\0';
    return out;
}

Test(ws_http_response, spec_form_is_exact)
{
    ws_http_response_t resp = {.status = 200, .body = "{\"sku\":\"B-17\"}", .body_len = 14};
    int n;
    cr_assert_str_eq(wire(&resp, &n), "HTTP/1.1 200 OK\r\n"
                                      "Content-Type: application/json; charset=utf-8\r\n"
                                      "Content-Length: 14\r\n"
                                      "Connection: close\r\n"
                                      "\r\n"
                                      "{\"sku\":\"B-17\"}");
    cr_assert_eq(n, 2);
}

Test(ws_http_response, not_found_and_empty_body)
{
    ws_http_response_t resp = {.status = 404, .body = "Not Found", .body_len = 9};
    int n;
    cr_assert_str_eq(wire(&resp, &n), "HTTP/1.1 404 Not Found\r\n"
                                      "Content-Type: application/json; charset=utf-8\r\n"
                                      "Content-Length: 9\r\n"
                                      "Connection: close\r\n"
                                      "\r\nNot Found");
    resp = (ws_http_response_t){.status = 201};
    cr_assert_str_eq(wire(&resp, &n), "HTTP/1.1 201 Created\r\n"
                                      "Content-Type: application/json; charset=utf-8\r\n"
                                      "Content-Length: 0\r\n"
                                      "Connection: close\r\n\r\n");
    cr_assert_eq(n, 1);
}

Test(ws_http_response, head_request_keeps_length_and_drops_body)
{
    ws_http_response_t resp = {.status = 200, .body = "hello", .body_len = 5, .head_request = true};
    int n;
    cr_assert_str_eq(wire(&resp, &n), "HTTP/1.1 200 OK\r\n"
                                      "Content-Type: application/json; charset=utf-8\r\n"
                                      "Content-Length: 5\r\n"
                                      "Connection: close\r\n\r\n");
    cr_assert_eq(n, 1);
}

Test(ws_http_response, bodiless_statuses_send_no_length_and_no_body)
{
    int codes[] = {100, 101, 204, 304};
    for (size_t i = 0; i < 4; i++) {
        ws_http_response_t resp = {.status = codes[i], .body = "x", .body_len = 1};
        int n;
        const char *w = wire(&resp, &n);
        cr_assert_eq(n, 1);
        cr_assert_null(strstr(w, "Content-Length"), "%d", codes[i]);
        cr_assert_eq(strcmp(w + strlen(w) - 4, "\r\n\r\n"), 0);
    }
    ws_http_response_t resp = {.status = 204};
    int n;
    cr_assert_str_eq(wire(&resp, &n), "HTTP/1.1 204 No Content\r\n"
                                      "Content-Type: application/json; charset=utf-8\r\n"
                                      "Connection: close\r\n\r\n");
}

Test(ws_http_response, reason_phrases_follow_d86)
{
    cr_assert_str_eq(ws_http_reason(200), "OK");
    cr_assert_str_eq(ws_http_reason(204), "No Content");
    cr_assert_str_eq(ws_http_reason(301), "Moved Permanently");
    cr_assert_str_eq(ws_http_reason(302), "Found");
    cr_assert_str_eq(ws_http_reason(401), "Unauthorized");
    cr_assert_str_eq(ws_http_reason(403), "Forbidden");
    cr_assert_str_eq(ws_http_reason(405), "Method Not Allowed");
    cr_assert_str_eq(ws_http_reason(413), "Content Too Large");
    cr_assert_str_eq(ws_http_reason(422), "Unprocessable Content");
    cr_assert_str_eq(ws_http_reason(431), "Request Header Fields Too Large");
    cr_assert_str_eq(ws_http_reason(500), "Internal Server Error");
    cr_assert_str_eq(ws_http_reason(418), "");
    cr_assert_str_eq(ws_http_reason(299), "");
    ws_http_response_t resp = {.status = 299};
    int n;
    cr_assert_str_eq(wire(&resp, &n), "HTTP/1.1 299 \r\n" /* empty reason keeps its space */
                                      "Content-Type: application/json; charset=utf-8\r\n"
                                      "Content-Length: 0\r\n"
                                      "Connection: close\r\n\r\n");
}

Test(ws_http_response, status_outside_100_599_is_einval)
{
    char head[WS_HTTP_HEAD_BYTES_MAX];
    struct iovec iov[2];
    int bad[] = {99, 600, 0, -1, 65736};
    for (size_t i = 0; i < 5; i++) {
        ws_http_response_t resp = {.status = bad[i]};
        cr_assert_eq(ws_http_response_write(&resp, head, sizeof head, iov), -EINVAL);
    }
}

Test(ws_http_response, options_add_date_keep_alive_and_content_type)
{
    char date[WS_DATE_LEN + 1];
    ws_date_format(784111777, date);
    ws_http_response_t resp = {.status = 200,
                               .body = "hi",
                               .body_len = 2,
                               .date = date,
                               .keep_alive = true,
                               .content_type = "text/plain"};
    int n;
    cr_assert_str_eq(wire(&resp, &n), "HTTP/1.1 200 OK\r\n"
                                      "Content-Type: text/plain\r\n"
                                      "Content-Length: 2\r\n"
                                      "Connection: keep-alive\r\n"
                                      "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
                                      "\r\nhi");
}

Test(ws_http_response, content_type_with_a_line_break_is_einval)
{
    char head[WS_HTTP_HEAD_BYTES_MAX];
    struct iovec iov[2];
    ws_http_response_t resp = {.status = 200, .content_type = "text/plain\r\nSet-Cookie: x"};
    cr_assert_eq(ws_http_response_write(&resp, head, sizeof head, iov), -EINVAL);
}

Test(ws_http_response, head_that_does_not_fit_is_enospc)
{
    char head[64];
    struct iovec iov[2];
    ws_http_response_t resp = {.status = 200};
    cr_assert_eq(ws_http_response_write(&resp, head, sizeof head, iov), -ENOSPC);
    char big[300];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    resp.content_type = big;
    char head2[WS_HTTP_HEAD_BYTES_MAX];
    cr_assert_eq(ws_http_response_write(&resp, head2, sizeof head2, iov), -ENOSPC);
}

Test(ws_http_response, length_is_written_in_decimal_for_large_bodies)
{
    static char body[1];
    ws_http_response_t resp = {
        .status = 200, .body = body, .body_len = 16777216, .head_request = true};
    int n;
    cr_assert_not_null(strstr(wire(&resp, &n), "\r\nContent-Length: 16777216\r\n"));
}

Test(ws_http_response, error_responses_for_parser_rejections)
{
    int n;
    ws_http_response_t resp = ws_http_error_response(WS_HTTP_HEADERS_TOO_LARGE);
    cr_assert_str_eq(wire(&resp, &n), "HTTP/1.1 431 Request Header Fields Too Large\r\n"
                                      "Content-Type: application/json; charset=utf-8\r\n"
                                      "Content-Length: 31\r\n"
                                      "Connection: close\r\n"
                                      "\r\nRequest Header Fields Too Large");
    resp = ws_http_error_response(WS_HTTP_BAD_REQUEST);
    cr_assert_eq(resp.status, 400);
    cr_assert_str_eq(resp.body, "Bad Request");
    resp = ws_http_error_response(WS_HTTP_BODY_TOO_LARGE);
    cr_assert_str_eq(resp.body, "Content Too Large");
    cr_assert_eq(ws_http_error_response(WS_HTTP_URI_TOO_LONG).status, 414);
    cr_assert_eq(ws_http_error_response(WS_HTTP_NOT_IMPLEMENTED).status, 501);
    cr_assert_eq(ws_http_error_response(WS_HTTP_VERSION).status, 505);
}

Test(ws_http_response, continue_interim_response)
{
    ws_slice_t c = ws_http_continue_response();
    cr_assert_eq(c.len, strlen("HTTP/1.1 100 Continue\r\n\r\n"));
    cr_assert_eq(memcmp(c.base, "HTTP/1.1 100 Continue\r\n\r\n", c.len), 0);
}
