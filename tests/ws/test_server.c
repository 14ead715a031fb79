/* Tests for ws/server.c and ws/conn.c with real clients over loopback
 * (services.md 1.7-1.10, D86-D90; issue 8): keep-alive, pipelining, chunked
 * uploads, 100-continue, the parser's rejections, timeouts, crash
 * isolation, 10,000 concurrent connections, graceful shutdown, no leaked
 * descriptors. The server runs on its own scheduler (ws_server_serve) in a
 * thread; the test thread is the client, with blocking sockets that time
 * out after 5 s so that no test can hang. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kernel/alloc.h"
#include "kernel/certgen.h"
#include "kernel/timer.h"
#include "kernel/tls.h"
#include "lang/std/ctx.h"
#include "sched/proc.h"
#include "ws/server.h"


/* {====== The server under test */

static snow_rt_t rt;
static ws_server_t *srv;
static pthread_t srv_thread;
static int srv_rc;
static int fds_before;

static int count_fds(void)
{
    int n = 0;
    DIR *d = opendir("/proc/self/fd");
    for (struct dirent *e; (e = readdir(d));)
        n += e->d_name[0] != '.';
    closedir(d);
    return n - 1; /* the directory's own descriptor */
}

/* /hello, /echo (the body back), /crash (panics), /slow (sleeps 300 ms),
 * /bad-status (999), anything else 404. */
static void handler(const ws_request_t *req, ws_reply_t *reply, void *data)
{
    (void)data;
    ws_slice_t p = req->head.path;
#define IS(s) (p.len == sizeof(s) - 1 && memcmp(p.base, s, p.len) == 0)
    if (IS("/hello")) {
        *reply = (ws_reply_t){200, "Hello, World!", 13};
    } else if (IS("/echo")) {
        /* The body lives in the connection's buffer until the response is
         * out, so it can be sent back as is. */
        *reply = (ws_reply_t){200, req->body.base, req->body.len};
    } else if (IS("/len")) {
        /* The body's length and a checksum, in the connection's heap. */
        unsigned sum = 0;
        for (size_t i = 0; i < req->body.len; i++)
            sum = sum * 31 + (unsigned char)req->body.base[i];
        char text[64];
        int n = snprintf(text, sizeof text, "%zu %u", req->body.len, sum);
        snow_string_t *s = snow_string_new(req->cx, text, (size_t)n);
        *reply = (ws_reply_t){200, s->bytes, s->len};
    } else if (IS("/crash")) {
        snow_panic(req->cx, "boom");
    } else if (IS("/slow")) {
        sched_proc_sleep(300);
        *reply = (ws_reply_t){200, "slow", 4};
    } else if (IS("/bad-status")) {
        *reply = (ws_reply_t){999, "x", 1};
    } else {
        *reply = (ws_reply_t){404, "Not Found", 9};
    }
#undef IS
}

static void *serve_thread(void *arg)
{
    (void)arg;
    srv_rc = ws_server_serve(srv, &rt);
    return NULL;
}

static ws_server_config_t config(void)
{
    ws_server_config_t cfg = ws_server_config_spec(0, handler, NULL);
    cfg.host = "127.0.0.1";
    cfg.keep_alive = true;
    cfg.expect_continue = true;
    cfg.log = false;
    cfg.limits.request_line_bytes_max = 1024; /* so that 414 can be seen */
    return cfg;
}

static uint16_t start(ws_server_config_t cfg)
{
    signal(SIGPIPE, SIG_IGN);
    setenv("SNOW_CORES", "2", 1);
    fds_before = count_fds();
    std_rt_init(&rt, 0, NULL);
    srv = ws_server_new(&cfg);
    cr_assert_eq(pthread_create(&srv_thread, NULL, serve_thread, NULL), 0);
    for (int i = 0; i < 5000 && ws_server_port(srv) == 0; i++)
        usleep(1000);
    cr_assert_neq(ws_server_port(srv), 0, "the server never listened");
    return ws_server_port(srv);
}

static void stop(void)
{
    ws_server_stop(srv);
    pthread_join(srv_thread, NULL);
    cr_assert_eq(srv_rc, 0);
}

static void finish(void)
{
    ws_server_free(srv);
    std_rt_destroy(&rt);
    cr_assert_eq(count_fds(), fds_before, "descriptors leaked");
}

/* }====== */

/* {====== A blocking client */

typedef struct client_t {
    int fd;
    char buf[65536];
    size_t len;
} client_t;

static int dial(uint16_t port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct timeval tv = {5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    cr_assert_eq(connect(fd, (struct sockaddr *)&a, sizeof a), 0, "connect: %s", strerror(errno));
    return fd;
}

static void cli_open(client_t *c, uint16_t port)
{
    c->fd = dial(port);
    c->len = 0;
}

static void cli_send(client_t *c, const char *s, size_t len)
{
    while (len > 0) {
        ssize_t n = send(c->fd, s, len, MSG_NOSIGNAL);
        cr_assert_gt(n, 0, "send: %s", strerror(errno));
        s += n;
        len -= (size_t)n;
    }
}

static void cli_puts(client_t *c, const char *s) { cli_send(c, s, strlen(s)); }

/* Reads one response into out (NUL-terminated; head and body) and returns
 * its status, or -1 if the connection ended first. */
static int cli_response(client_t *c, char *out, size_t cap)
{
    for (;;) {
        c->buf[c->len] = 0;
        char *end = strstr(c->buf, "\r\n\r\n");
        if (end) {
            size_t head = (size_t)(end + 4 - c->buf);
            size_t body = 0;
            char *cl = strstr(c->buf, "Content-Length: ");
            if (cl && cl < end)
                body = strtoul(cl + 16, NULL, 10);
            int status = atoi(c->buf + 9);
            if (status < 200 || status == 204 || status == 304)
                body = 0;
            if (c->len >= head + body) {
                size_t n = head + body < cap - 1 ? head + body : cap - 1;
                memcpy(out, c->buf, n);
                out[n] = 0;
                memmove(c->buf, c->buf + head + body, c->len - head - body);
                c->len -= head + body;
                return status;
            }
        }
        ssize_t n = recv(c->fd, c->buf + c->len, sizeof c->buf - 1 - c->len, 0);
        if (n <= 0)
            return -1;
        c->len += (size_t)n;
    }
}

/* True when the server closed the connection (end of stream, or a reset). */
static bool cli_closed(client_t *c)
{
    char b;
    ssize_t n = recv(c->fd, &b, 1, 0);
    return n == 0 || (n < 0 && errno == ECONNRESET);
}

static void cli_close(client_t *c) { close(c->fd); }

/* }====== */

#define GET(path) "GET " path " HTTP/1.1\r\nHost: t\r\n\r\n"

Test(ws_server, keep_alive_serves_two_requests_on_one_connection, .timeout = 20)
{
    uint16_t port = start(config());
    client_t c;
    cli_open(&c, port);
    char out[4096];
    for (int i = 0; i < 2; i++) {
        cli_puts(&c, GET("/hello"));
        cr_assert_eq(cli_response(&c, out, sizeof out), 200);
        cr_assert_str_eq(out, "HTTP/1.1 200 OK\r\n"
                              "Content-Type: application/json; charset=utf-8\r\n"
                              "Content-Length: 13\r\n"
                              "Connection: keep-alive\r\n"
                              "\r\n"
                              "Hello, World!");
    }
    cli_close(&c);
    stop();
    ws_server_stats_t st;
    ws_server_stats(srv, &st);
    cr_assert_eq(st.requests, 2);
    cr_assert_eq(st.accepted, 1);
    cr_assert_eq(st.live, 0);
    finish();
}

Test(ws_server, spec_mode_closes_after_one_response, .timeout = 20)
{
    ws_server_config_t cfg = config();
    cfg.keep_alive = false;
    uint16_t port = start(cfg);
    client_t c;
    cli_open(&c, port);
    char out[4096];
    cli_puts(&c, GET("/hello") GET("/hello"));
    cr_assert_eq(cli_response(&c, out, sizeof out), 200);
    cr_assert(strstr(out, "Connection: close\r\n"));
    cr_assert(cli_closed(&c), "services.md 1.9: one request per connection");
    cli_close(&c);
    stop();
    finish();
}

Test(ws_server, pipelined_requests_are_answered_in_order, .timeout = 20)
{
    uint16_t port = start(config());
    client_t c;
    cli_open(&c, port);
    const char *reqs =
        "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\none"
        "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
        "3\r\ntwo\r\n0\r\n\r\n" GET(
            "/hello") "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nthree";
    cli_puts(&c, reqs);
    const char *want[] = {"one", "two", "Hello, World!", "three"};
    char out[4096];
    for (int i = 0; i < 4; i++) {
        cr_assert_eq(cli_response(&c, out, sizeof out), 200);
        const char *body = strstr(out, "\r\n\r\n") + 4;
        cr_assert_str_eq(body, want[i], "response %d", i);
    }
    cli_close(&c);
    stop();
    finish();
}

Test(ws_server, chunked_upload_in_small_pieces_is_decoded, .timeout = 20)
{
    uint16_t port = start(config());
    client_t c;
    cli_open(&c, port);
    cli_puts(&c, "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n");
    /* 300 chunks of 100 bytes, sent in pieces that split the framing. */
    static char body[30000], wire[40000];
    size_t w = 0;
    for (int i = 0; i < 300; i++) {
        w += (size_t)sprintf(wire + w, "64;ext=1\r\n");
        for (int j = 0; j < 100; j++)
            wire[w++] = body[i * 100 + j] = (char)('a' + (i + j) % 26);
        w += (size_t)sprintf(wire + w, "\r\n");
    }
    w += (size_t)sprintf(wire + w, "0\r\nX-Trailer: 1\r\n\r\n");
    for (size_t off = 0; off < w; off += 777) {
        cli_send(&c, wire + off, w - off < 777 ? w - off : 777);
        usleep(100);
    }
    static char out[40000];
    cr_assert_eq(cli_response(&c, out, sizeof out), 200);
    cr_assert(strstr(out, "Content-Length: 30000\r\n"));
    cr_assert_eq(memcmp(strstr(out, "\r\n\r\n") + 4, body, 30000), 0);
    cli_close(&c);
    stop();
    finish();
}

Test(ws_server, large_body_arriving_in_pieces_is_read_whole, .timeout = 30)
{
    uint16_t port = start(config());
    client_t c;
    cli_open(&c, port);
    enum { LEN = 3 * 1000 * 1000 + 7 };
    static char body[LEN];
    unsigned sum = 0;
    for (size_t i = 0; i < LEN; i++) {
        body[i] = (char)('a' + i % 23);
        sum = sum * 31 + (unsigned char)body[i];
    }
    char head[128];
    snprintf(head, sizeof head, "POST /len HTTP/1.1\r\nHost: t\r\nContent-Length: %d\r\n\r\n", LEN);
    cli_puts(&c, head);
    for (size_t off = 0; off < LEN; off += 65536)
        cli_send(&c, body + off, LEN - off < 65536 ? LEN - off : 65536);
    char out[4096], want[64];
    cr_assert_eq(cli_response(&c, out, sizeof out), 200);
    snprintf(want, sizeof want, "%d %u", LEN, sum);
    cr_assert_str_eq(strstr(out, "\r\n\r\n") + 4, want);
    cli_puts(&c, GET("/hello")); /* the connection goes on after the body */
    cr_assert_eq(cli_response(&c, out, sizeof out), 200);
    cli_close(&c);
    stop();
    finish();
}

Test(ws_server, expect_100_continue_gets_an_interim_response, .timeout = 20)
{
    uint16_t port = start(config());
    client_t c;
    cli_open(&c, port);
    cli_puts(&c, "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\n"
                 "Expect: 100-continue\r\n\r\n");
    char out[4096];
    ssize_t n = recv(c.fd, out, 25, MSG_WAITALL);
    cr_assert_eq(n, 25);
    cr_assert_eq(memcmp(out, "HTTP/1.1 100 Continue\r\n\r\n", 25), 0);
    cli_puts(&c, "data");
    cr_assert_eq(cli_response(&c, out, sizeof out), 200);
    cr_assert_str_eq(strstr(out, "\r\n\r\n") + 4, "data");
    cli_close(&c);
    stop();
    finish();
}

/* Sends req on a fresh connection; the answer must be status with body
 * reason, and then the connection must close. */
static void rejected(uint16_t port, const char *req, size_t len, int status, const char *reason)
{
    client_t c;
    cli_open(&c, port);
    cli_send(&c, req, len);
    char out[4096];
    cr_assert_eq(cli_response(&c, out, sizeof out), status, "%.40s", req);
    cr_assert(strstr(out, "Connection: close\r\n"));
    cr_assert_str_eq(strstr(out, "\r\n\r\n") + 4, reason);
    cr_assert(cli_closed(&c), "the connection closes after %d", status);
    cli_close(&c);
}

Test(ws_server, malformed_and_oversized_requests_get_their_status, .timeout = 30)
{
    uint16_t port = start(config());
    client_t ok;
    cli_open(&ok, port); /* another connection, unaffected throughout */
    const char *bad = "GET /x HTTP/1.1\r\nHost: t\r\nBad Header: 1\r\n\r\n";
    rejected(port, bad, strlen(bad), 400, "Bad Request");
    const char *big = "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 16777217\r\n\r\n";
    rejected(port, big, strlen(big), 413, "Content Too Large");
    static char req[20000];
    int n = sprintf(req, "GET /");
    memset(req + n, 'a', 2000);
    n += 2000;
    n += sprintf(req + n, " HTTP/1.1\r\nHost: t\r\n\r\n");
    rejected(port, req, (size_t)n, 414, "URI Too Long");
    n = sprintf(req, "GET / HTTP/1.1\r\nHost: t\r\nX-Big: ");
    memset(req + n, 'b', 9000);
    n += 9000;
    n += sprintf(req + n, "\r\n\r\n");
    rejected(port, req, (size_t)n, 431, "Request Header Fields Too Large");
    n = sprintf(req, "GET / HTTP/1.1\r\nHost: t\r\n");
    for (int i = 0; i < 101; i++)
        n += sprintf(req + n, "X-%d: 1\r\n", i);
    n += sprintf(req + n, "\r\n");
    rejected(port, req, (size_t)n, 431, "Request Header Fields Too Large");
    const char *chunk =
        "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n";
    rejected(port, chunk, strlen(chunk), 400, "Bad Request");
    char out[4096];
    cli_puts(&ok, GET("/hello"));
    cr_assert_eq(cli_response(&ok, out, sizeof out), 200);
    cli_close(&ok);
    stop();
    ws_server_stats_t st;
    ws_server_stats(srv, &st);
    cr_assert_eq(st.rejected, 6);
    finish();
}

Test(ws_server, slow_client_is_timed_out_while_others_are_served, .timeout = 20)
{
    ws_server_config_t cfg = config();
    cfg.read_timeout_ms = 300;
    cfg.idle_timeout_ms = 600;
    uint16_t port = start(cfg);
    client_t slow, idle, ok;
    cli_open(&slow, port);
    cli_open(&idle, port);
    uint64_t t0 = kern_timer_now_ns();
    /* Slowloris: a byte every 100 ms never finishes the head in time. */
    bool closed = false;
    for (int i = 0; i < 20 && !closed; i++) {
        if (send(slow.fd, "G", 1, MSG_NOSIGNAL) < 0)
            closed = true;
        cli_open(&ok, port);
        char out[4096];
        cli_puts(&ok, GET("/hello"));
        cr_assert_eq(cli_response(&ok, out, sizeof out), 200);
        cli_close(&ok);
        usleep(100000);
    }
    cr_assert(closed || cli_closed(&slow));
    uint64_t ms = (kern_timer_now_ns() - t0) / 1000000;
    cr_assert_lt(ms, 1500, "the head deadline is 300 ms, took %llu", (unsigned long long)ms);
    cr_assert(cli_closed(&idle), "idle keep-alive connection closed after 600 ms");
    cli_close(&slow);
    cli_close(&idle);
    stop();
    ws_server_stats_t st;
    ws_server_stats(srv, &st);
    cr_assert_eq(st.timeouts, 2);
    finish();
}

Test(ws_server, crashing_handler_answers_500_and_ends_only_its_connection, .timeout = 20)
{
    uint16_t port = start(config());
    client_t a, b;
    cli_open(&a, port);
    cli_open(&b, port);
    char out[4096];
    cli_puts(&a, GET("/hello"));
    cr_assert_eq(cli_response(&a, out, sizeof out), 200);
    cli_puts(&b, GET("/crash"));
    cr_assert_eq(cli_response(&b, out, sizeof out), 500);
    cr_assert_str_eq(strstr(out, "\r\n\r\n") + 4, "Internal Server Error");
    cr_assert(strstr(out, "Connection: close\r\n"));
    cr_assert(cli_closed(&b));
    cli_puts(&a, GET("/bad-status")); /* D86: a crash too, on a live connection */
    cr_assert_eq(cli_response(&a, out, sizeof out), 500);
    cr_assert(cli_closed(&a));
    client_t c;
    cli_open(&c, port);
    cli_puts(&c, GET("/hello"));
    cr_assert_eq(cli_response(&c, out, sizeof out), 200);
    cli_close(&a);
    cli_close(&b);
    cli_close(&c);
    stop();
    ws_server_stats_t st;
    ws_server_stats(srv, &st);
    cr_assert_eq(st.crashes, 2);
    cr_assert_eq(st.live, 0);
    finish();
}

Test(ws_server, head_request_gets_length_but_no_body, .timeout = 20)
{
    uint16_t port = start(config());
    client_t c;
    cli_open(&c, port);
    cli_puts(&c, "HEAD /hello HTTP/1.1\r\nHost: t\r\n\r\n" GET("/hello"));
    char out[4096];
    /* The client reader would take 13 body bytes: read raw bytes instead. */
    static const char want[] =
        "HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\n"
        "Content-Length: 13\r\nConnection: keep-alive\r\n\r\n"
        "HTTP/1.1 200 OK\r\n";
    size_t got = 0;
    while (got < sizeof want - 1) {
        ssize_t n = recv(c.fd, out + got, sizeof want - 1 - got, 0);
        cr_assert_gt(n, 0);
        got += (size_t)n;
    }
    out[got] = 0;
    cr_assert_str_eq(out, want, "HEAD: no body before the next response (D90)");
    cli_close(&c);
    stop();
    finish();
}

Test(ws_server, graceful_shutdown_finishes_requests_in_progress, .timeout = 20)
{
    uint16_t port = start(config());
    client_t busy, idle;
    cli_open(&busy, port);
    cli_open(&idle, port);
    char out[4096];
    cli_puts(&idle, GET("/hello"));
    cr_assert_eq(cli_response(&idle, out, sizeof out), 200);
    cli_puts(&busy, GET("/slow"));
    usleep(100000); /* the handler is sleeping now */
    raise(SIGTERM); /* the handler ws_server_run installed starts the shutdown */
    cr_assert(cli_closed(&idle), "idle connections close at once");
    cr_assert_eq(cli_response(&busy, out, sizeof out), 200);
    cr_assert(strstr(out, "Connection: close\r\n"), "%s", out);
    cr_assert_str_eq(strstr(out, "\r\n\r\n") + 4, "slow");
    cr_assert(cli_closed(&busy));
    pthread_join(srv_thread, NULL);
    cr_assert_eq(srv_rc, 0);
    /* Nothing listens any more. */
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    cr_assert_neq(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    close(fd);
    cli_close(&busy);
    cli_close(&idle);
    finish();
}

/* The clients run in a child process: server and clients together need
 * 20,000 descriptors, and one process's hard limit may be just that. */
static int ten_k_clients(uint16_t port, int n, int report, int go)
{
    static int fds[10000];
    static const char req[] = GET("/hello");
    for (int i = 0; i < n; i++)
        fds[i] = dial(port);
    for (int i = 0; i < n; i++)
        if (send(fds[i], req, sizeof req - 1, MSG_NOSIGNAL) != (ssize_t)sizeof req - 1)
            return 1;
    int ok = 0;
    for (int i = 0; i < n; i++) {
        char out[512];
        ssize_t got = recv(fds[i], out, sizeof out - 1, 0);
        if (got > 0) {
            out[got] = 0;
            ok += strncmp(out, "HTTP/1.1 200 OK", 15) == 0 && strstr(out, "Hello, World!");
        }
    }
    if (write(report, &ok, sizeof ok) != sizeof ok)
        return 1;
    char b;
    if (read(go, &b, 1) != 1) /* the parent has counted the live connections */
        return 1;
    for (int i = 0; i < n; i++)
        close(fds[i]);
    return 0;
}

Test(ws_server, ten_thousand_concurrent_keep_alive_connections, .timeout = 120)
{
    enum { N = 10000 };
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    if (rl.rlim_max < N + 100)
        cr_skip_test("RLIMIT_NOFILE hard limit %llu < %d", (unsigned long long)rl.rlim_max,
                     N + 100);
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    uint16_t port = start(config());
    int report[2], go[2];
    cr_assert_eq(pipe(report), 0);
    cr_assert_eq(pipe(go), 0);
    pid_t child = fork();
    if (child == 0)
        _exit(ten_k_clients(port, N, report[1], go[0]));
    int ok = -1;
    cr_assert_eq(read(report[0], &ok, sizeof ok), (ssize_t)sizeof ok);
    cr_assert_eq(ok, N);
    ws_server_stats_t st;
    ws_server_stats(srv, &st);
    cr_assert_eq(st.live, N, "every connection is still open (keep-alive)");
    cr_assert_eq(write(go[1], "g", 1), 1);
    int status = -1;
    waitpid(child, &status, 0);
    cr_assert_eq(status, 0);
    for (int i = 0; i < 2; i++) {
        close(report[i]);
        close(go[i]);
    }
    stop();
    ws_server_stats(srv, &st);
    cr_assert_eq(st.accepted, N);
    cr_assert_eq(st.live, 0);
    finish();
}

Test(ws_server, https_with_curl_over_tls, .timeout = 30)
{
    if (system("curl --version >/dev/null 2>&1") != 0)
        cr_skip_test("curl is not installed");
    char *cert = NULL, *key = NULL;
    cr_assert_eq(kern_certgen_self_signed("localhost", 1, &cert, &key), 0);
    kern_tls_config_t tc = {.role = KERN_TLS_SERVER,
                            .cert_pem = cert,
                            .cert_pem_len = strlen(cert),
                            .key_pem = key,
                            .key_pem_len = strlen(key)};
    kern_tls_ctx_t *ctx = NULL;
    cr_assert_eq(kern_tls_ctx_new(&tc, &ctx), 0);
    ws_server_config_t cfg = config();
    cfg.tls = ctx;
    uint16_t port = start(cfg);
    char cmd[256];
    /* Two requests on one TLS connection (keep-alive), then a POST. */
    snprintf(cmd, sizeof cmd,
             "curl -sk --max-time 5 https://127.0.0.1:%u/hello https://127.0.0.1:%u/hello "
             "-d abc https://127.0.0.1:%u/echo",
             port, port, port);
    FILE *f = popen(cmd, "r");
    char out[256] = {0};
    size_t n = fread(out, 1, sizeof out - 1, f);
    out[n] = 0;
    cr_assert_eq(pclose(f), 0);
    cr_assert_str_eq(out, "Hello, World!Hello, World!abc");
    stop();
    ws_server_stats_t st;
    ws_server_stats(srv, &st);
    cr_assert_eq(st.accepted, 1, "curl reused its TLS connection");
    cr_assert_eq(st.requests, 3);
    finish();
    kern_tls_ctx_free(ctx);
    kern_free(cert);
    kern_free(key);
}

/* {====== A blocking TLS client on kernel/tls, to see how the server closes */

/* Sends every pending ciphertext byte of t on fd. */
static void tls_cli_flush(int fd, kern_tls_conn_t *t)
{
    const uint8_t *p;
    size_t n;
    while ((n = kern_tls_pending_out(t, &p)) > 0) {
        ssize_t k = send(fd, p, n, MSG_NOSIGNAL);
        cr_assert_gt(k, 0, "send: %s", strerror(errno));
        kern_tls_consume_out(t, (size_t)k);
    }
}

/* Flushes, then feeds t what fd has next (end of stream as feed_eof). */
static void tls_cli_pump(int fd, kern_tls_conn_t *t)
{
    tls_cli_flush(fd, t);
    char b[16384];
    ssize_t k = recv(fd, b, sizeof b, 0);
    cr_assert_geq(k, 0, "recv: %s", strerror(errno));
    if (k == 0)
        kern_tls_feed_eof(t);
    else
        cr_assert_eq(kern_tls_feed(t, b, (size_t)k), 0);
}

/* }====== */

Test(ws_server, https_close_sends_close_notify, .timeout = 30)
{
    char *cert = NULL, *key = NULL;
    cr_assert_eq(kern_certgen_self_signed("localhost", 1, &cert, &key), 0);
    kern_tls_config_t sc = {.role = KERN_TLS_SERVER,
                            .cert_pem = cert,
                            .cert_pem_len = strlen(cert),
                            .key_pem = key,
                            .key_pem_len = strlen(key)};
    kern_tls_config_t cc = {.role = KERN_TLS_CLIENT, .verify_none = true};
    kern_tls_ctx_t *sctx = NULL, *cctx = NULL;
    cr_assert_eq(kern_tls_ctx_new(&sc, &sctx), 0);
    cr_assert_eq(kern_tls_ctx_new(&cc, &cctx), 0);
    ws_server_config_t cfg = config();
    cfg.keep_alive = false; /* the spec's mode: the server closes after the response */
    cfg.tls = sctx;
    uint16_t port = start(cfg);
    kern_tls_conn_t *t = NULL;
    cr_assert_eq(kern_tls_conn_new(cctx, "localhost", &t), 0);
    int fd = dial(port);
    int rc;
    while ((rc = kern_tls_handshake(t)) == -EAGAIN)
        tls_cli_pump(fd, t);
    cr_assert_eq(rc, 0);
    static const char req[] = "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n";
    cr_assert_eq(kern_tls_write(t, req, sizeof req - 1), (int)(sizeof req - 1));
    char out[1024];
    size_t got = 0;
    while ((rc = kern_tls_read(t, out + got, sizeof out - 1 - got)) > 0 || rc == -EAGAIN) {
        if (rc > 0)
            got += (size_t)rc;
        else
            tls_cli_pump(fd, t);
    }
    out[got] = 0;
    /* 0: the stream ended with the server's close_notify; without it the
     * read fails with -ECONNRESET (a possible truncation). */
    cr_assert_eq(rc, 0, "the server closed with %d (%s), not close_notify", rc,
                 kern_tls_strerror(rc));
    cr_assert(strstr(out, "Connection: close") != NULL);
    cr_assert(strstr(out, "\r\n\r\nHello, World!") != NULL, "got: %s", out);
    cr_assert_eq(kern_tls_shutdown(t), 0, "both close_notify exchanged");
    tls_cli_flush(fd, t);
    close(fd);
    kern_tls_conn_free(t);
    stop();
    finish();
    kern_tls_ctx_free(cctx);
    kern_tls_ctx_free(sctx);
    kern_free(cert);
    kern_free(key);
}

Test(ws_server, sigterm_after_the_server_ended_has_its_default_action, .timeout = 20,
     .signal = SIGTERM)
{
    start(config());
    stop();
    finish();
    raise(SIGTERM); /* no server runs: the program must end as usual */
}
