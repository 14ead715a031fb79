/* bench_server: the ws/ server with a C handler answering "Hello, World!"
 * to every request, for perf/http/run.sh (issue 8). Keep-alive mode with a
 * Date field, like the nginx and Go servers it is compared with. GET /json
 * answers {"message":"Hello, World!"}, encoded per request (escaping
 * checked byte by byte) into a Snow string in the connection process's heap
 * (what a Snow handler's Json.encode does), like Go's encoding/json peer.
 *
 *   bench_server PORT [--spec]
 *
 * --spec serves the spec's wire form instead (Connection: close after each
 * response, services.md 1.9). Runs until SIGTERM/SIGINT; SNOW_CORES sets
 * the worker count. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/std/ctx.h"
#include "ws/server.h"

/* Writes s as a JSON string (quotes included) at out, which has room for
 * 2 + 6 * n bytes; returns the bytes written. */
static size_t json_string(char *out, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    char *o = out;
    *o++ = '"';
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '"' || ch == '\\') {
            *o++ = '\\';
            *o++ = (char)ch;
        } else if (ch < 0x20) {
            memcpy(o, "\\u00", 4);
            o[4] = hex[ch >> 4];
            o[5] = hex[ch & 15];
            o += 6;
        } else {
            *o++ = (char)ch;
        }
    }
    *o++ = '"';
    return (size_t)(o - out);
}

/* {"message":"Hello, World!"}, encoded afresh for every request into a
 * Snow string in the connection's heap (what Json.encode returns). The
 * body must be a real heap object: raw bytes there would be read as an
 * object header by the connection heap's collector. */
static void json(const ws_request_t *req, ws_reply_t *reply)
{
    static const char key[] = "message", val[] = "Hello, World!";
    char out[3 + 2 * 2 + 6 * (sizeof key - 1 + sizeof val - 1)];
    size_t n = 0;
    out[n++] = '{';
    n += json_string(out + n, key, sizeof key - 1);
    out[n++] = ':';
    n += json_string(out + n, val, sizeof val - 1);
    out[n++] = '}';
    snow_string_t *s = snow_string_new(req->cx, out, n);
    *reply = (ws_reply_t){200, s->bytes, s->len};
}

static void hello(const ws_request_t *req, ws_reply_t *reply, void *data)
{
    (void)data;
    const ws_slice_t *path = &req->head.path;
    if (path->len == 5 && memcmp(path->base, "/json", 5) == 0) {
        json(req, reply);
        return;
    }
    *reply = (ws_reply_t){200, "Hello, World!", 13};
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_server PORT [--spec]\n");
        return 2;
    }
    bool spec = argc > 2 && strcmp(argv[2], "--spec") == 0;
    ws_server_config_t cfg = ws_server_config_spec((uint16_t)atoi(argv[1]), hello, NULL);
    cfg.host = "127.0.0.1";
    if (!spec) {
        cfg.keep_alive = true;
        cfg.expect_continue = true;
        cfg.date = true;
    }
    snow_rt_t rt;
    std_rt_init(&rt, argc, argv);
    ws_server_t *srv = ws_server_new(&cfg);
    int rc = ws_server_serve(srv, &rt);
    ws_server_stats_t st;
    ws_server_stats(srv, &st);
    fprintf(stderr, "bench_server: %llu connections, %llu requests\n",
            (unsigned long long)st.accepted, (unsigned long long)st.requests);
    ws_server_free(srv);
    std_rt_destroy(&rt);
    return rc < 0 ? 1 : 0;
}
