/* snow_http_client.c: the Snow binding of the HTTP client — HTTP.get and
 * HTTP.post (services.md 1.11, D91; issue 8).
 *
 * Both return Result<String, String>: Ok(body) for a final status below 400
 * whose body is valid text, Err(message) otherwise (ws/http_client.h lists
 * the failures; docs/http-client.md their texts). The call parks only the
 * calling process when the program runs on the scheduler, and blocks the
 * calling thread otherwise (ws_http_client_fetch). The URL and body
 * strings are read before anything is allocated in the caller's heap, and
 * that heap does not collect while its process is parked. */
#include <string.h>

#include "lang/std/snow.h"
#include "ws/http_client.h"

static snow_record_t *fetch(snow_ctx_t *cx, const char *method, const snow_string_t *url,
                            const snow_string_t *body)
{
    ws_http_client_request_t req = {
        .method = method,
        .url = url->bytes,
        .url_len = (size_t)url->len,
        .body = body ? body->bytes : NULL,
        .body_len = body ? (size_t)body->len : 0,
    };
    ws_http_client_result_t res;
    snow_record_t *out;
    if (ws_http_client_fetch(&req, &res) == 0) {
        snow_string_t *text = snow_string_new(cx, res.body, res.body_len);
        out = snow_result_ok(cx, SNOW_WORD_PTR(text), true);
    } else {
        out = snow_result_err(cx, snow_string_new(cx, res.error, strlen(res.error)));
    }
    ws_http_client_result_destroy(&res);
    return out;
}

snow_record_t *snow_http_get(snow_ctx_t *cx, snow_string_t *url)
{
    return fetch(cx, "GET", url, NULL);
}

snow_record_t *snow_http_post(snow_ctx_t *cx, snow_string_t *url, snow_string_t *body)
{
    return fetch(cx, "POST", url, body);
}
