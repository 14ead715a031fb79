/* Tests for ws/http_client (services.md 1.11, D91; issue 8): URL and head
 * parsing tables, then whole fetches against real local servers — a raw
 * socket server thread that answers each path with fixed bytes (chunked,
 * redirects, error statuses, oversized and non-text bodies), our own HTTPS
 * server with a certificate made at test time, and fetches from processes
 * on the scheduler, which must park only the calling process. */
#define _GNU_SOURCE 1 /* strcasestr */
#include <arpa/inet.h>
#define _GNU_SOURCE 1 /* strcasestr */
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "kernel/alloc.h"
#include "kernel/certgen.h"
#include "kernel/tls.h"
#include "lang/std/ctx.h"
#include "sched/proc.h"
#include "sched/worker.h"
#include "tests/ws/guard.h"
#include "ws/http_client.h"
#include "ws/server.h"

#define MIB (1024u * 1024u)

/* {====== URLs */

static ws_http_url_t url_ok(const char *text)
{
    ws_http_url_t u;
    const char *why = "";
    guard_t g = guard_copy(text, strlen(text)); /* an over-read crashes */
    int rc = ws_http_url_parse(g.data, strlen(text), &u, &why);
    guard_free(&g);
    cr_assert_eq(rc, 0, "%s: %s", text, why);
    return u;
}

static void url_bad(const char *text, const char *reason)
{
    ws_http_url_t u;
    const char *why = "";
    guard_t g = guard_copy(text, strlen(text));
    int rc = ws_http_url_parse(g.data, strlen(text), &u, &why);
    guard_free(&g);
    cr_assert_eq(rc, -EINVAL, "%s", text);
    cr_assert_str_eq(why, reason, "%s", text);
}

Test(ws_http_client, url_parse_takes_scheme_host_port_and_target)
{
    static const struct {
        const char *text, *host, *target;
        bool tls, v6;
        unsigned port;
    } cases[] = {
        {"http://example.com", "example.com", "/", false, false, 80},
        {"https://example.com", "example.com", "/", true, false, 443},
        {"HTTP://a.b:8080/x/y?q=1#frag", "a.b", "/x/y?q=1", false, false, 8080},
        {"https://h:/p", "h", "/p", true, false, 443},
        {"http://h?q", "h", "/?q", false, false, 80},
        {"http://[::1]:9000/v6", "::1", "/v6", false, true, 9000},
        {"https://[2001:db8::7]", "2001:db8::7", "/", true, true, 443},
        {"http://127.0.0.1:65535/a b", "127.0.0.1", "/a%20b", false, false, 65535},
        {"http://h/caf\xc3\xa9", "h", "/caf%C3%A9", false, false, 80},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ws_http_url_t u = url_ok(cases[i].text);
        cr_assert_str_eq(u.host, cases[i].host);
        cr_assert_str_eq(u.target, cases[i].target);
        cr_assert_eq(u.tls, cases[i].tls);
        cr_assert_eq(u.host_v6, cases[i].v6);
        cr_assert_eq(u.port, cases[i].port, "%s", cases[i].text);
        ws_http_url_destroy(&u);
    }
}

Test(ws_http_client, url_parse_rejects_what_it_cannot_fetch)
{
    url_bad("ftp://example.com/", "unsupported scheme (only http and https)");
    url_bad("example.com/x", "missing http:// or https://");
    url_bad("localhost:8080/x", "missing http:// or https://");
    url_bad("mailto:someone@example.com", "unsupported scheme (only http and https)");
    url_bad("", "missing http:// or https://");
    url_bad("http://", "missing host");
    url_bad("http:///x", "missing host");
    url_bad("http://:80/", "missing host");
    url_bad("http://h:0/", "invalid port");
    url_bad("http://h:65536/", "invalid port");
    url_bad("http://h:8x/", "invalid port");
    url_bad("http://user:pw@h/", "user information in URLs is not supported");
    url_bad("http://[::1/", "invalid IPv6 address");
    url_bad("http://[zz::1]/", "invalid IPv6 address");
    url_bad("http://[::1]x/", "invalid character after host");
    url_bad("http://h\x01/", "control character in URL");
    url_bad("http://ex ample.com/", "invalid character in host");
    url_bad("http://b\xc3\xbc"
            "cher.de/",
            "internationalized host names are not supported");
}

static void resolves(const char *base, const char *loc, const char *want)
{
    ws_http_url_t b = url_ok(base), n;
    const char *why = "";
    cr_assert_eq(ws_http_url_resolve(&b, loc, strlen(loc), &n, &why), 0, "%s: %s", loc, why);
    char got[512];
    snprintf(got, sizeof got, "%s://%s%s%s:%u%s", n.tls ? "https" : "http", n.host_v6 ? "[" : "",
             n.host, n.host_v6 ? "]" : "", n.port, n.target);
    cr_assert_str_eq(got, want, "%s + %s", base, loc);
    ws_http_url_destroy(&b);
    ws_http_url_destroy(&n);
}

Test(ws_http_client, url_resolve_follows_rfc3986_references)
{
    resolves("http://a/b/c?q", "https://x:1/y", "https://x:1/y");
    resolves("https://a:8443/b/c", "//other/p", "https://other:443/p");
    resolves("http://a/b/c?q", "/d", "http://a:80/d");
    resolves("http://a/b/c?q", "d/e", "http://a:80/b/d/e");
    resolves("http://a/b/c", "../d?x=1#f", "http://a:80/d?x=1");
    resolves("http://a/b/c/d", "./../../e/.", "http://a:80/e/");
    resolves("http://a/b/c", "?z", "http://a:80/b/c?z");
    resolves("http://[::1]:81/b/c", " /e ", "http://[::1]:81/e");
}

/* }====== */

/* {====== Response heads */

Test(ws_http_client, parse_head_reads_status_framing_location_and_charset)
{
    const char *h = "HTTP/1.1 302 Found\r\n"
                    "content-length: 12\r\n"
                    "Content-Length: 12\r\n"
                    "Location:  /next \r\n"
                    "Content-Type: text/plain; charset=\"ISO-8859-1\"; x=y\r\n"
                    "\r\nbody";
    ws_http_response_head_t head;
    int rc = ws_http_client_parse_head(h, strlen(h), &head);
    cr_assert_eq(rc, (int)strlen(h) - 4);
    cr_assert_eq(head.status, 302);
    cr_assert(head.has_length);
    cr_assert_eq(head.content_length, 12);
    cr_assert_not(head.chunked);
    cr_assert_eq(head.location.len, 5);
    cr_assert_eq(memcmp(head.location.base, "/next", 5), 0);
    cr_assert_eq(head.charset.len, 10);
    cr_assert_eq(memcmp(head.charset.base, "ISO-8859-1", 10), 0);

    const char *c = "HTTP/1.0 200\nTransfer-Encoding: gzip, Chunked\n\n";
    guard_t g = guard_copy(c, strlen(c));
    cr_assert_eq(ws_http_client_parse_head(g.data, strlen(c), &head), (int)strlen(c));
    guard_free(&g);
    cr_assert_eq(head.status, 200);
    cr_assert(head.chunked);
}

Test(ws_http_client, parse_head_prefixes_need_more_and_bad_heads_fail)
{
    const char *h = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n";
    ws_http_response_head_t head;
    for (size_t n = 0; n < strlen(h); n++) {
        guard_t g = guard_copy(h, n);
        cr_assert_eq(ws_http_client_parse_head(g.data, n, &head), WS_HTTP_INCOMPLETE, "prefix %zu",
                     n);
        guard_free(&g);
    }
    static const char *bad[] = {
        "SSH-2.0-OpenSSH_9.2\r\n\r\n",
        "HTTP/2 200 OK\r\n\r\n",
        "HTTP/1.1 20 OK\r\n\r\n",
        "HTTP/1.1 099 OK\r\n\r\n",
        "HTTP/1.1 200OK\r\n\r\n",
        "HTTP/1.1 200 OK\r\nNo colon\r\n\r\n",
        "HTTP/1.1 200 OK\r\nBad name: x\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        guard_t g = guard_copy(bad[i], strlen(bad[i]));
        cr_assert_eq(ws_http_client_parse_head(g.data, strlen(bad[i]), &head), -EBADMSG, "%s",
                     bad[i]);
        guard_free(&g);
    }
    size_t big = WS_HTTP_CLIENT_HEAD_BYTES_MAX;
    char *huge = kern_alloc(big);
    memset(huge, 'a', big);
    memcpy(huge, "HTTP/1.1 200 OK\r\nX: ", 20);
    cr_assert_eq(ws_http_client_parse_head(huge, big, &head), -E2BIG);
    kern_free(huge);
}

/* }====== */

/* {====== A raw server: fixed bytes per path */

typedef struct raw_srv_t {
    int fd;
    uint16_t port;
    atomic_bool stop;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int pair_open;   /* /pair requests seen */
    bool pair_met;   /* two were open at once */
    char last[8192]; /* the last request's head and body */
    int requests;
} raw_srv_t;

static raw_srv_t srv;

static void send_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n > 0) {
        ssize_t k = send(fd, c, n, MSG_NOSIGNAL);
        if (k <= 0)
            return;
        c += k;
        n -= (size_t)k;
    }
}

static void send_str(int fd, const char *s) { send_all(fd, s, strlen(s)); }

/* Sends s in 3-byte pieces with pauses, so the client sees split reads. */
static void send_dribble(int fd, const char *s)
{
    for (size_t n = strlen(s), i = 0; i < n; i += 3) {
        send_all(fd, s + i, n - i < 3 ? n - i : 3);
        usleep(2000);
    }
}

static void send_filler(int fd, const char *head, size_t n)
{
    send_str(fd, head);
    char *b = malloc(n);
    memset(b, 'a', n);
    send_all(fd, b, n);
    free(b);
}

static void respond(int fd, const char *method, const char *path, const char *req, size_t req_len)
{
    char buf[9000];
#define IS(s) (strcmp(path, s) == 0)
    if (IS("/hello")) {
        send_str(fd, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
    } else if (IS("/chunked")) {
        send_dribble(fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                         "5\r\nHello\r\n7;ext=1\r\n, World\r\n0\r\nX-Trailer: t\r\n\r\n");
    } else if (IS("/eof")) {
        send_dribble(fd, "HTTP/1.0 200 OK\r\n\r\nuntil the end");
    } else if (IS("/missing")) {
        send_str(fd, "HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nNot Found");
    } else if (IS("/fail")) {
        send_str(fd, "HTTP/1.1 500 Internal Server Error\r\n\r\n");
    } else if (IS("/r1")) {
        send_str(fd, "HTTP/1.1 302 Found\r\nLocation: /r2\r\nContent-Length: 0\r\n\r\n");
    } else if (IS("/r2")) {
        snprintf(buf, sizeof buf,
                 "HTTP/1.1 301 Moved\r\nLocation: http://127.0.0.1:%u/hello\r\n\r\n", srv.port);
        send_str(fd, buf);
    } else if (IS("/loop")) {
        send_str(fd, "HTTP/1.1 307 Again\r\nLocation: /loop\r\n\r\n");
    } else if (IS("/see-other")) {
        send_str(fd, "HTTP/1.1 303 See Other\r\nLocation: /echo\r\n\r\n");
    } else if (IS("/temporary")) {
        send_str(fd, "HTTP/1.1 307 Temporary\r\nLocation: /echo\r\n\r\n");
    } else if (IS("/relative/a/b")) {
        send_str(fd, "HTTP/1.1 308 Permanent\r\nLocation: ../c?x=1\r\n\r\n");
    } else if (IS("/bad-location")) {
        send_str(fd, "HTTP/1.1 302 Found\r\nLocation: gopher://h/\r\n\r\n");
    } else if (IS("/no-location")) {
        send_str(fd, "HTTP/1.1 302 Found\r\nContent-Length: 4\r\n\r\nstay");
    } else if (IS("/big-declared")) {
        send_str(fd, "HTTP/1.1 200 OK\r\nContent-Length: 10485761\r\n\r\n");
    } else if (IS("/big-eof")) {
        send_filler(fd, "HTTP/1.1 200 OK\r\n\r\n", 10 * MIB + 1);
    } else if (IS("/big-chunked")) {
        send_str(fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
        send_filler(fd, "A00000\r\n", 10 * MIB);
        send_filler(fd, "\r\n1\r\n", 1);
        send_str(fd, "\r\n0\r\n\r\n");
    } else if (IS("/exact")) {
        send_filler(fd, "HTTP/1.1 200 OK\r\nContent-Length: 10485760\r\n\r\n", 10 * MIB);
    } else if (IS("/not-text")) {
        send_str(fd, "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nab\xff\xfe");
    } else if (IS("/ascii-not-text")) {
        send_str(fd, "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=us-ascii\r\n"
                     "Content-Length: 2\r\n\r\n\xc3\xa9");
    } else if (IS("/latin1")) {
        send_str(fd, "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=ISO-8859-1\r\n"
                     "Content-Length: 4\r\n\r\ncaf\xe9");
    } else if (IS("/bom")) {
        send_str(fd, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n\xef\xbb\xbfok");
    } else if (IS("/continue")) {
        send_str(fd, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    } else if (IS("/no-content")) {
        send_str(fd, "HTTP/1.1 204 No Content\r\nContent-Length: 99\r\n\r\n");
    } else if (IS("/short")) {
        send_str(fd, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
    } else if (IS("/short-chunked")) {
        send_str(fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab");
    } else if (IS("/bad-chunked")) {
        send_str(fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n");
    } else if (IS("/garbage")) {
        send_str(fd, "SSH-2.0-OpenSSH_9.2\r\n");
    } else if (IS("/nothing")) {
        /* close without a byte */
    } else if (IS("/pair")) {
        /* Answers once two /pair requests are open at the same time
         * ("both"), or after 3 s with only this one ("alone"). */
        pthread_mutex_lock(&srv.mu);
        srv.pair_open++;
        pthread_cond_broadcast(&srv.cv);
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += 3;
        while (srv.pair_open < 2 && !srv.pair_met &&
               pthread_cond_timedwait(&srv.cv, &srv.mu, &until) == 0) {
        }
        srv.pair_met = srv.pair_met || srv.pair_open >= 2;
        bool both = srv.pair_met;
        pthread_mutex_unlock(&srv.mu);
        send_str(fd, both ? "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nboth"
                          : "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nalone");
    } else if (strncmp(path, "/request", 8) == 0) {
        snprintf(buf, sizeof buf, "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n", req_len);
        send_str(fd, buf);
        send_all(fd, req, req_len);
    } else { /* /echo and the rest: method and path, then the body */
        const char *body = strstr(req, "\r\n\r\n") + 4;
        int n = snprintf(buf, sizeof buf, "%s %s %.*s", method, path,
                         (int)(req_len - (size_t)(body - req)), body);
        char head[128];
        snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n", n);
        send_str(fd, head);
        send_all(fd, buf, (size_t)n);
    }
#undef IS
}

/* Reads one request (head and Content-Length body) and answers it. */
static void *serve_conn(void *arg)
{
    int fd = (int)(intptr_t)arg;
    char req[8192];
    size_t n = 0;
    char *end = NULL;
    while (n < sizeof req - 1 && !end) {
        ssize_t k = recv(fd, req + n, sizeof req - 1 - n, 0);
        if (k <= 0)
            break;
        n += (size_t)k;
        req[n] = '\0';
        end = strstr(req, "\r\n\r\n");
    }
    if (end && strncmp(req, "POST /early ", 12) == 0) {
        /* Answer before reading the body, then close with it unread: the
         * kernel resets the connection while the client is still sending. */
        send_str(fd, "HTTP/1.1 413 Content Too Large\r\nContent-Length: 0\r\n\r\n");
        close(fd);
        return NULL;
    }
    if (end) {
        const char *cl = strcasestr(req, "\r\nContent-Length: ");
        size_t want = (size_t)(end + 4 - req) + (cl && cl < end ? strtoul(cl + 18, NULL, 10) : 0);
        while (n < want && n < sizeof req - 1) {
            ssize_t k = recv(fd, req + n, sizeof req - 1 - n, 0);
            if (k <= 0)
                break;
            n += (size_t)k;
        }
        req[n] = '\0';
        char method[16] = "", path[1024] = "";
        sscanf(req, "%15s %1023s", method, path);
        pthread_mutex_lock(&srv.mu);
        memcpy(srv.last, req, n + 1);
        srv.requests++;
        pthread_mutex_unlock(&srv.mu);
        respond(fd, method, path, req, n);
    }
    shutdown(fd, SHUT_WR);
    char sink[256];
    while (recv(fd, sink, sizeof sink, 0) > 0) {
    }
    close(fd);
    return NULL;
}

static void *accept_loop(void *arg)
{
    (void)arg;
    while (!atomic_load(&srv.stop)) {
        int fd = accept(srv.fd, NULL, NULL);
        if (fd < 0)
            continue;
        if (atomic_load(&srv.stop)) {
            close(fd);
            break;
        }
        pthread_t t;
        pthread_create(&t, NULL, serve_conn, (void *)(intptr_t)fd);
        pthread_detach(t);
    }
    return NULL;
}

static void raw_start(void)
{
    signal(SIGPIPE, SIG_IGN);
    pthread_mutex_init(&srv.mu, NULL);
    pthread_cond_init(&srv.cv, NULL);
    srv.fd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(srv.fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    cr_assert_eq(bind(srv.fd, (struct sockaddr *)&a, sizeof a), 0);
    cr_assert_eq(listen(srv.fd, 64), 0);
    socklen_t len = sizeof a;
    getsockname(srv.fd, (struct sockaddr *)&a, &len);
    srv.port = ntohs(a.sin_port);
    cr_assert_eq(pthread_create(&srv.thread, NULL, accept_loop, NULL), 0);
}

static void raw_stop(void)
{
    atomic_store(&srv.stop, true);
    int fd = socket(AF_INET, SOCK_STREAM, 0); /* wakes accept */
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons(srv.port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    connect(fd, (struct sockaddr *)&a, sizeof a);
    close(fd);
    pthread_join(srv.thread, NULL);
    close(srv.fd);
}

TestSuite(ws_http_client_fetch, .init = raw_start, .fini = raw_stop, .timeout = 30);

static char url_buf[512];

static const char *url_of(const char *path)
{
    snprintf(url_buf, sizeof url_buf, "http://127.0.0.1:%u%s", srv.port, path);
    return url_buf;
}

/* Fetches path from the raw server on this thread (the private ring). */
static int fetch(const char *method, const char *path, const char *body,
                 ws_http_client_result_t *res)
{
    const char *u = url_of(path);
    ws_http_client_request_t req = {.method = method,
                                    .url = u,
                                    .url_len = strlen(u),
                                    .body = body,
                                    .body_len = body ? strlen(body) : 0};
    return ws_http_client_fetch(&req, res);
}

static void fetch_ok(const char *method, const char *path, const char *body, const char *want)
{
    ws_http_client_result_t res;
    int64_t live = kern_alloc_live_count();
    int rc = fetch(method, path, body, &res);
    cr_assert_eq(rc, 0, "%s: %s", path, res.error ? res.error : "");
    cr_assert_null(res.error);
    cr_assert_eq(res.body_len, strlen(want), "%s: %zu bytes", path, res.body_len);
    cr_assert_str_eq(res.body, want);
    ws_http_client_result_destroy(&res);
    cr_assert_eq(kern_alloc_live_count(), live, "%s leaked", path);
}

static void fetch_err(const char *path, int want_rc, const char *detail)
{
    ws_http_client_result_t res;
    int rc = fetch("GET", path, NULL, &res);
    char want[600];
    snprintf(want, sizeof want, "%s: %s", url_of(path), detail);
    cr_assert_eq(rc, want_rc, "%s: %d (%s)", path, rc, res.error ? res.error : "");
    cr_assert_null(res.body);
    cr_assert_str_eq(res.error, want);
    ws_http_client_result_destroy(&res);
}

Test(ws_http_client_fetch, get_reads_content_length_chunked_and_eof_bodies)
{
    fetch_ok("GET", "/hello", NULL, "hello");
    fetch_ok("GET", "/chunked", NULL, "Hello, World");
    fetch_ok("GET", "/eof", NULL, "until the end");
    fetch_ok("GET", "/continue", NULL, "ok");
    fetch_ok("GET", "/no-content", NULL, "");
}

Test(ws_http_client, get_sends_host_user_agent_and_connection_close, .init = raw_start,
     .fini = raw_stop, .timeout = 30)
{
    char want[512];
    snprintf(want, sizeof want,
             "GET /request?a=1 HTTP/1.1\r\nHost: 127.0.0.1:%u\r\nUser-Agent: snow-http/1.0\r\n"
             "Accept: */*\r\nConnection: close\r\n\r\n",
             srv.port);
    fetch_ok("GET", "/request?a=1#frag", NULL, want);
}

Test(ws_http_client_fetch, post_sends_a_json_body_with_its_length)
{
    fetch_ok("POST", "/echo", "{\"a\":1}", "POST /echo {\"a\":1}");
    pthread_mutex_lock(&srv.mu);
    cr_assert(strstr(srv.last, "\r\nContent-Type: application/json\r\nContent-Length: 7\r\n"), "%s",
              srv.last);
    pthread_mutex_unlock(&srv.mu);
    fetch_ok("POST", "/echo", "", "POST /echo ");
    pthread_mutex_lock(&srv.mu);
    cr_assert(strstr(srv.last, "\r\nContent-Length: 0\r\n"), "%s", srv.last);
    pthread_mutex_unlock(&srv.mu);
}

Test(ws_http_client_fetch, redirects_are_followed_up_to_five_hops)
{
    ws_http_client_result_t res;
    cr_assert_eq(fetch("GET", "/r1", NULL, &res), 0);
    cr_assert_str_eq(res.body, "hello");
    cr_assert_eq(res.redirects, 2);
    cr_assert_eq(res.status, 200);
    ws_http_client_result_destroy(&res);
    fetch_ok("GET", "/relative/a/b", NULL, "GET /relative/c?x=1 ");
    fetch_ok("GET", "/no-location", NULL, "stay"); /* a 3xx without Location is final */

    pthread_mutex_lock(&srv.mu);
    int before = srv.requests;
    pthread_mutex_unlock(&srv.mu);
    fetch_err("/loop", -ELOOP, "too many redirects (more than 5)");
    pthread_mutex_lock(&srv.mu);
    cr_assert_eq(srv.requests - before, 6); /* the first request and five redirects */
    pthread_mutex_unlock(&srv.mu);
    fetch_err("/bad-location", -EINVAL,
              "invalid redirect location: unsupported scheme (only http and https)");
}

Test(ws_http_client_fetch, see_other_turns_post_into_get_and_307_keeps_post)
{
    fetch_ok("POST", "/see-other", "{\"a\":1}", "GET /echo ");
    pthread_mutex_lock(&srv.mu);
    cr_assert_null(strstr(srv.last, "Content-Length"), "%s", srv.last);
    pthread_mutex_unlock(&srv.mu);
    fetch_ok("POST", "/temporary", "{\"b\":2}", "POST /echo {\"b\":2}");
}

Test(ws_http_client_fetch, status_400_and_above_is_an_error_with_the_code)
{
    fetch_err("/missing", -EREMOTEIO, "status code 404");
    fetch_err("/fail", -EREMOTEIO, "status code 500");
}

Test(ws_http_client_fetch, a_response_sent_before_the_body_was_read_counts)
{
    size_t n = 8 * MIB; /* more than the socket buffers hold */
    char *body = kern_alloc(n + 1);
    memset(body, 'x', n);
    body[n] = '\0';
    ws_http_client_result_t res;
    int rc = fetch("POST", "/early", body, &res);
    kern_free(body);
    char want[128];
    snprintf(want, sizeof want, "%s: status code 413", url_of("/early"));
    cr_assert_eq(rc, -EREMOTEIO, "%d %s", rc, res.error);
    cr_assert_str_eq(res.error, want);
    ws_http_client_result_destroy(&res);
}

Test(ws_http_client_fetch, bodies_over_10_mib_are_too_large_d91)
{
    fetch_err("/big-declared", -EFBIG, "response body too large");
    fetch_err("/big-eof", -EFBIG, "response body too large");
    fetch_err("/big-chunked", -EFBIG, "response body too large");
    ws_http_client_result_t res;
    cr_assert_eq(fetch("GET", "/exact", NULL, &res), 0, "%s", res.error ? res.error : "");
    cr_assert_eq(res.body_len, 10 * MIB);
    cr_assert_eq(res.body[0], 'a');
    cr_assert_eq(res.body[10 * MIB - 1], 'a');
    ws_http_client_result_destroy(&res);
}

Test(ws_http_client_fetch, bodies_that_are_not_text_fail_and_latin1_is_decoded_d91)
{
    fetch_err("/not-text", -EILSEQ, "response body is not valid text");
    fetch_err("/ascii-not-text", -EILSEQ, "response body is not valid text");
    fetch_ok("GET", "/latin1", NULL, "caf\xc3\xa9");
    fetch_ok("GET", "/bom", NULL, "ok");
}

Test(ws_http_client_fetch, broken_responses_are_errors)
{
    fetch_err("/short", -ECONNRESET, "connection closed before the response was complete");
    fetch_err("/short-chunked", -ECONNRESET, "connection closed before the response was complete");
    fetch_err("/nothing", -ECONNRESET, "connection closed before the response was complete");
    fetch_err("/bad-chunked", -EPROTO, "invalid chunked response body");
    fetch_err("/garbage", -EPROTO, "invalid HTTP response");
}

static void fetch_url_err(const char *u, int want_rc, const char *want)
{
    ws_http_client_request_t req = {.method = "GET", .url = u, .url_len = strlen(u)};
    ws_http_client_result_t res;
    int rc = ws_http_client_fetch(&req, &res);
    cr_assert_eq(rc, want_rc, "%s: %d %s", u, rc, res.error);
    cr_assert_str_eq(res.error, want);
    ws_http_client_result_destroy(&res);
}

Test(ws_http_client, invalid_urls_and_refused_connections_are_errors)
{
    fetch_url_err("ftp://x/", -EINVAL,
                  "ftp://x/: invalid URL: unsupported scheme (only http and https)");
    /* Port 1 on the loopback: nothing listens there. */
    fetch_url_err("http://127.0.0.1:1/", -ECONNREFUSED,
                  "http://127.0.0.1:1/: cannot connect to 127.0.0.1:1: Connection refused");
    fetch_url_err("http://[::1]:1/", -ECONNREFUSED,
                  "http://[::1]:1/: cannot connect to [::1]:1: Connection refused");
}

Test(ws_http_client, unknown_host_names_fail_to_resolve)
{
    /* .invalid never resolves (RFC 6761 6.4), with or without a network. */
    const char *u = "http://no-such-host.invalid/";
    ws_http_client_request_t req = {.method = "GET", .url = u, .url_len = strlen(u)};
    ws_http_client_result_t res;
    int rc = ws_http_client_fetch(&req, &res);
    cr_assert(rc == -ENOENT || rc == -EAGAIN, "%d", rc);
    const char *want = "http://no-such-host.invalid/: cannot resolve host no-such-host.invalid: ";
    cr_assert(strncmp(res.error, want, strlen(want)) == 0, "%s", res.error);
    ws_http_client_result_destroy(&res);
}

/* }====== */

/* {====== On the scheduler: parks only the calling process */

typedef struct proc_job_t {
    const char *path;
    const char *host;
    int rc;
    char body[64];
    uint64_t done_ns;
} proc_job_t;

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void proc_fetch(void *arg)
{
    proc_job_t *j = arg;
    char u[256];
    snprintf(u, sizeof u, "http://%s:%u%s", j->host, srv.port, j->path);
    ws_http_client_request_t req = {.method = "GET", .url = u, .url_len = strlen(u)};
    ws_http_client_result_t res;
    j->rc = ws_http_client_fetch(&req, &res);
    snprintf(j->body, sizeof j->body, "%s", j->rc == 0 ? res.body : res.error);
    ws_http_client_result_destroy(&res);
    j->done_ns = now_ns();
}

static proc_job_t jobs[3];

static void proc_main(void *arg)
{
    (void)arg;
    for (int i = 0; i < 3; i++)
        cr_assert_eq(sched_proc_spawn(proc_fetch, &jobs[i], NULL), 0);
}

Test(ws_http_client_fetch, fetches_on_one_worker_run_concurrently)
{
    jobs[0] = (proc_job_t){.path = "/pair", .host = "127.0.0.1"};
    jobs[1] = (proc_job_t){.path = "/pair", .host = "127.0.0.1"};
    jobs[2] = (proc_job_t){.path = "/chunked", .host = "localhost"}; /* DNS on the pool */
    sched_config_t cfg = {.cores = 1};
    cr_assert_eq(sched_worker_run(&cfg, proc_main, NULL), 0);
    for (int i = 0; i < 3; i++)
        cr_assert_eq(jobs[i].rc, 0, "job %d: %s", i, jobs[i].body);
    /* Both requests were open at once on one worker: the first fetch did
     * not block the worker while it waited for its answer. */
    cr_assert_str_eq(jobs[0].body, "both");
    cr_assert_str_eq(jobs[1].body, "both");
    cr_assert_str_eq(jobs[2].body, "Hello, World");
}

/* }====== */

/* {====== HTTPS against our own server */

static snow_rt_t tls_rt;
static ws_server_t *tls_srv;
static pthread_t tls_thread;
static kern_tls_ctx_t *tls_ctx;
static char cert_path[64];

/* GET: a greeting; POST: the body's length and a checksum. */
static void tls_handler(const ws_request_t *req, ws_reply_t *reply, void *data)
{
    (void)data;
    if (req->body.len == 0) {
        *reply = (ws_reply_t){200, "secure hello", 12};
        return;
    }
    unsigned sum = 0;
    for (size_t i = 0; i < req->body.len; i++)
        sum = sum * 31 + (unsigned char)req->body.base[i];
    char text[64];
    int n = snprintf(text, sizeof text, "%zu %u", req->body.len, sum);
    snow_string_t *s = snow_string_new(req->cx, text, (size_t)n);
    *reply = (ws_reply_t){200, s->bytes, s->len};
}

static void *tls_serve(void *arg)
{
    (void)arg;
    ws_server_serve(tls_srv, &tls_rt);
    return NULL;
}

/* A server with a fresh self-signed certificate for "localhost", written to
 * a file that the client may trust through SNOW_HTTP_CA_FILE. */
static void tls_start(void)
{
    signal(SIGPIPE, SIG_IGN);
    setenv("SNOW_CORES", "1", 1);
    unsetenv("SNOW_HTTP_CA_FILE");
    char *cert = NULL, *key = NULL;
    cr_assert_eq(kern_certgen_self_signed("localhost", 2, &cert, &key), 0);
    snprintf(cert_path, sizeof cert_path, "/tmp/snow-http-client-%d.pem", (int)getpid());
    FILE *f = fopen(cert_path, "w");
    cr_assert_not_null(f);
    fputs(cert, f);
    fclose(f);
    kern_tls_config_t cfg = {.role = KERN_TLS_SERVER,
                             .cert_pem = cert,
                             .cert_pem_len = strlen(cert),
                             .key_pem = key,
                             .key_pem_len = strlen(key)};
    cr_assert_eq(kern_tls_ctx_new(&cfg, &tls_ctx), 0);
    kern_free(cert);
    kern_free(key);
    std_rt_init(&tls_rt, 0, NULL);
    ws_server_config_t sc = ws_server_config_spec(0, tls_handler, NULL);
    sc.host = "127.0.0.1";
    sc.log = false;
    sc.tls = tls_ctx;
    tls_srv = ws_server_new(&sc);
    cr_assert_eq(pthread_create(&tls_thread, NULL, tls_serve, NULL), 0);
    for (int i = 0; i < 5000 && ws_server_port(tls_srv) == 0; i++)
        usleep(1000);
    cr_assert_neq(ws_server_port(tls_srv), 0);
}

static void tls_stop(void)
{
    ws_server_stop(tls_srv);
    pthread_join(tls_thread, NULL);
    ws_server_free(tls_srv);
    std_rt_destroy(&tls_rt);
    kern_tls_ctx_free(tls_ctx);
    unlink(cert_path);
}

TestSuite(ws_http_client_tls, .init = tls_start, .fini = tls_stop, .timeout = 30);

static int tls_fetch(const char *host, ws_http_client_result_t *res)
{
    char u[128];
    snprintf(u, sizeof u, "https://%s:%u/x", host, ws_server_port(tls_srv));
    ws_http_client_request_t req = {.method = "GET", .url = u, .url_len = strlen(u)};
    return ws_http_client_fetch(&req, res);
}

Test(ws_http_client_tls, https_verifies_against_snow_http_ca_file)
{
    setenv("SNOW_HTTP_CA_FILE", cert_path, 1);
    ws_http_client_result_t res;
    int64_t live = 0;
    for (int i = 0; i < 3; i++) {
        int rc = tls_fetch("localhost", &res);
        cr_assert_eq(rc, 0, "%s", res.error ? res.error : "");
        cr_assert_str_eq(res.body, "secure hello");
        ws_http_client_result_destroy(&res);
        /* The server shares this process's allocation count: let its
         * connection end first. */
        ws_server_stats_t st;
        for (int k = 0; k < 2000; k++) {
            ws_server_stats(tls_srv, &st);
            if (st.live == 0)
                break;
            usleep(1000);
        }
        cr_assert_eq(st.live, 0);
        usleep(20 * 1000); /* and its process give its memory back */
        if (i == 0)
            live = kern_alloc_live_count(); /* after the cached context was built */
        else
            cr_assert_eq(kern_alloc_live_count(), live, "fetch %d leaked", i);
    }
}

Test(ws_http_client_tls, https_rejects_a_wrong_host_name)
{
    setenv("SNOW_HTTP_CA_FILE", cert_path, 1);
    ws_http_client_result_t res;
    int rc = tls_fetch("127.0.0.1", &res); /* the certificate names localhost */
    cr_assert_eq(rc, -EKEYREJECTED, "%d %s", rc, res.error);
    cr_assert(strstr(res.error, ": TLS handshake with 127.0.0.1 failed: TLS peer certificate "
                                "rejected"),
              "%s", res.error);
    ws_http_client_result_destroy(&res);
}

Test(ws_http_client_tls, https_rejects_a_certificate_of_another_ca)
{
    /* Trust only another self-signed "localhost" certificate. */
    char *cert = NULL, *key = NULL;
    cr_assert_eq(kern_certgen_self_signed("localhost", 2, &cert, &key), 0);
    char other[80];
    snprintf(other, sizeof other, "/tmp/snow-http-client-other-%d.pem", (int)getpid());
    FILE *f = fopen(other, "w");
    cr_assert_not_null(f);
    fputs(cert, f);
    fclose(f);
    kern_free(cert);
    kern_free(key);
    setenv("SNOW_HTTP_CA_FILE", other, 1);
    ws_http_client_result_t res;
    int rc = tls_fetch("localhost", &res);
    unlink(other);
    cr_assert_eq(rc, -EKEYREJECTED, "%d %s", rc, res.error);
    cr_assert(strstr(res.error, ": TLS handshake with localhost failed: TLS peer certificate "
                                "rejected"),
              "%s", res.error);
    ws_http_client_result_destroy(&res);
}

Test(ws_http_client_tls, https_rejects_an_untrusted_certificate_with_the_system_bundle)
{
    if (access(KERN_TLS_SYSTEM_CA_FILE, R_OK) != 0)
        cr_skip_test("no system CA bundle at " KERN_TLS_SYSTEM_CA_FILE);
    /* The system bundle does not know our self-signed certificate. */
    ws_http_client_result_t res;
    int rc = tls_fetch("localhost", &res);
    cr_assert_eq(rc, -EKEYREJECTED, "%d %s", rc, res.error);
    cr_assert(strstr(res.error, "TLS peer certificate rejected"), "%s", res.error);
    ws_http_client_result_destroy(&res);
}

Test(ws_http_client_tls, a_missing_ca_file_is_an_error)
{
    setenv("SNOW_HTTP_CA_FILE", "/nonexistent/ca.pem", 1);
    ws_http_client_result_t res;
    int rc = tls_fetch("localhost", &res);
    cr_assert_eq(rc, -ENOENT, "%d %s", rc, res.error);
    cr_assert(strstr(res.error, ": cannot load CA certificates from /nonexistent/ca.pem: file not "
                                "found or no PEM"),
              "%s", res.error);
    ws_http_client_result_destroy(&res);
}

Test(ws_http_client_tls, a_large_https_post_arrives_whole)
{
    setenv("SNOW_HTTP_CA_FILE", cert_path, 1);
    size_t n = 3 * MIB + 5; /* many TLS records and KERN_TLS_WRITE_CHUNKs */
    char *body = kern_alloc(n);
    unsigned sum = 0;
    for (size_t i = 0; i < n; i++) {
        body[i] = (char)('a' + i % 26);
        sum = sum * 31 + (unsigned char)body[i];
    }
    char u[128], want[64];
    snprintf(u, sizeof u, "https://localhost:%u/len", ws_server_port(tls_srv));
    snprintf(want, sizeof want, "%zu %u", n, sum);
    ws_http_client_request_t req = {
        .method = "POST", .url = u, .url_len = strlen(u), .body = body, .body_len = n};
    ws_http_client_result_t res;
    int rc = ws_http_client_fetch(&req, &res);
    cr_assert_eq(rc, 0, "%s", res.error ? res.error : "");
    cr_assert_str_eq(res.body, want);
    ws_http_client_result_destroy(&res);
    kern_free(body);
}

/* }====== */

/* {====== Connect timeout */

Test(ws_http_client, connecting_gives_up_after_the_connect_timeout, .timeout = 30)
{
    /* A listener whose accept queue is full drops further SYNs, so a
     * connect to it neither succeeds nor is refused. */
    int l = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    cr_assert_eq(bind(l, (struct sockaddr *)&a, sizeof a), 0);
    cr_assert_eq(listen(l, 0), 0);
    socklen_t len = sizeof a;
    getsockname(l, (struct sockaddr *)&a, &len);
    int fill[4];
    for (int i = 0; i < 4; i++) {
        fill[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        connect(fill[i], (struct sockaddr *)&a, sizeof a);
    }
    usleep(50 * 1000);
    char u[64], want[128];
    snprintf(u, sizeof u, "http://127.0.0.1:%u/", ntohs(a.sin_port));
    snprintf(want, sizeof want, "%s: cannot connect to 127.0.0.1:%u: connection timed out", u,
             ntohs(a.sin_port));
    ws_http_client_request_t req = {
        .method = "GET", .url = u, .url_len = strlen(u), .connect_timeout_ms = 300};
    ws_http_client_result_t res;
    uint64_t t0 = now_ns();
    int rc = ws_http_client_fetch(&req, &res);
    uint64_t took_ms = (now_ns() - t0) / 1000000;
    cr_assert_eq(rc, -ETIMEDOUT, "%d %s", rc, res.error ? res.error : "");
    cr_assert_str_eq(res.error, want);
    cr_assert_geq(took_ms, 290);
    cr_assert_lt(took_ms, 5000);
    ws_http_client_result_destroy(&res);
    for (int i = 0; i < 4; i++)
        close(fill[i]);
    close(l);
}

/* }====== */
