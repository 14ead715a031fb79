/* bench_server: the ws/ server with a C handler answering "Hello, World!"
 * to every request, for perf/http/run.sh (issue 8). Keep-alive mode with a
 * Date field, like the nginx and Go servers it is compared with.
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

static void hello(const ws_request_t *req, ws_reply_t *reply, void *data)
{
    (void)req;
    (void)data;
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
