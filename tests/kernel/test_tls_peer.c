/* Real-peer tests for kernel/tls + kernel/tls_stream (issue 6): our client
 * against Debian's `openssl s_server`, and `openssl s_client` against our
 * server, over loopback TCP driven by a real io_uring. Children are killed
 * and reaped in every test; teardown checks descriptors and allocations. */
#include <criterion/criterion.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kernel/ring.h"
#include "kernel/sock.h"
#include "kernel/tls.h"
#include "kernel/tls_stream.h"
#include "test_tls_util.h"

static kern_ring_t ring;
static tls_test_child_t child = {.pid = 0, .in_fd = -1, .out_fd = -1};
static char out[16384];
static size_t out_len;

static void setup(void)
{
    tls_test_require_openssl();
    tls_test_ring_setup(&ring);
    out_len = 0;
    out[0] = '\0';
}

static void teardown(void)
{
    tls_test_child_stop(&child);
    tls_test_ring_teardown(&ring);
}

TestSuite(kernel_tls_peer, .init = setup, .fini = teardown, .timeout = 60);

typedef struct side_t {
    kern_tls_ctx_t *ctx;
    kern_tls_conn_t *conn;
    kern_tls_stream_t stream;
    int fd;
    int calls;
    int res;
    bool done;
    char buf[8192];
} side_t;

static void on_op(kern_tls_stream_t *s, int res)
{
    side_t *side = s->data;
    side->calls++;
    side->res = res;
    side->done = true;
}

/* Runs the ring and collects the child's output until side's callback. */
static int wait_op(side_t *side, int timeout_ms)
{
    int64_t deadline = tls_test_now_ms() + timeout_ms;
    while (!side->done) {
        cr_assert_lt(tls_test_now_ms(), deadline, "timed out; openssl said:\n%s", out);
        cr_assert_geq(kern_ring_run(&ring, 20000000), 0);
        tls_test_child_wait_for(&child, out, sizeof out, &out_len, "\x01", 0);
    }
    side->done = false;
    return side->res;
}

static void on_connected(kern_ring_t *r, kern_op_t *op)
{
    (void)r;
    side_t *side = op->data;
    side->res = op->res;
    side->done = true;
}

/* Connects to 127.0.0.1:port through the ring and sets up side's stream. */
static void connect_to(side_t *side, const kern_tls_config_t *cfg, const char *name, uint16_t port)
{
    memset(side, 0, sizeof *side);
    cr_assert_eq(kern_tls_ctx_new(cfg, &side->ctx), 0);
    cr_assert_eq(kern_tls_conn_new(side->ctx, name, &side->conn), 0);
    kern_sock_addr_t a;
    cr_assert_eq(kern_sock_addr_ip(&a, "127.0.0.1", port), 0);
    kern_op_t op = {.data = side};
    cr_assert_eq(kern_sock_connect(&ring, &a, 2000000000, &op, on_connected), 0);
    int fd = wait_op(side, 3000);
    cr_assert_geq(fd, 0, "connect: %d", fd);
    side->fd = fd;
    kern_tls_stream_init(&side->stream, &ring, fd, side->conn);
    side->stream.data = side;
}

static void on_accepted(kern_ring_t *r, kern_op_t *op)
{
    (void)r;
    side_t *side = op->data;
    if (op->res == -ECANCELED)
        return;
    side->res = op->res;
    side->done = true;
}

/* Accepts one connection on listen_fd through the ring (closing listen_fd)
 * and sets up side's stream as a server. */
static void accept_on(side_t *side, const kern_tls_config_t *cfg, int listen_fd)
{
    memset(side, 0, sizeof *side);
    cr_assert_eq(kern_tls_ctx_new(cfg, &side->ctx), 0);
    cr_assert_eq(kern_tls_conn_new(side->ctx, NULL, &side->conn), 0);
    kern_op_t op = {.data = side};
    cr_assert_eq(kern_sock_accept(&ring, listen_fd, &op, on_accepted), 0);
    int fd = wait_op(side, 10000);
    cr_assert_geq(fd, 0, "accept: %d", fd);
    if (kern_op_pending(&op)) { /* multishot accept: stop it */
        kern_op_cancel(&ring, &op);
        while (kern_op_pending(&op))
            kern_ring_run(&ring, 10000000);
    }
    close(listen_fd);
    side->fd = fd;
    kern_tls_stream_init(&side->stream, &ring, fd, side->conn);
    side->stream.data = side;
}

static void side_close(side_t *side)
{
    kern_tls_stream_destroy(&side->stream);
    tls_test_ring_close(&ring, side->fd);
    kern_tls_conn_free(side->conn);
    kern_tls_ctx_free(side->ctx);
}

/* Reads until the peer ends the stream; returns the end result (0 for
 * close_notify) and leaves the text in side->buf. */
static int read_to_end(side_t *side, size_t *got)
{
    *got = 0;
    for (;;) {
        cr_assert_lt(*got, sizeof side->buf - 1, "response too long");
        cr_assert_eq(kern_tls_stream_read(&side->stream, side->buf + *got,
                                          sizeof side->buf - 1 - *got, on_op),
                     0);
        int rc = wait_op(side, 5000);
        if (rc <= 0) {
            side->buf[*got] = '\0';
            return rc;
        }
        *got += (size_t)rc;
    }
}

/* ---- Our client, openssl s_server ---- */

/* Starts s_server on an ephemeral port (-accept 127.0.0.1:0) and reads the
 * port it bound from its "ACCEPT 127.0.0.1:PORT" line, so no port is guessed. */
static uint16_t start_s_server_with(const char *cert, const char *key, const char *version,
                                    bool require_client_cert)
{
    char *argv[] = {"openssl", "s_server", "-accept", "127.0.0.1:0", "-cert",
                    (char *)tls_test_data(cert), "-key", (char *)tls_test_data(key), "-www",
                    (char *)version, "-naccept", "1",
                    /* -Verify 1: a client certificate signed by ca.pem is required;
                     * without it the NULL below ends argv here. */
                    require_client_cert ? "-Verify" : NULL, "1", "-CAfile",
                    (char *)tls_test_data("ca.pem"), NULL};
    tls_test_spawn(&child, argv);
    cr_assert(tls_test_child_wait_for(&child, out, sizeof out, &out_len, "ACCEPT 127.0.0.1:", 5000),
              "s_server did not start: %s", out);
    /* The port is complete once its line is. */
    for (int i = 0; i < 20 && !strchr(strstr(out, "ACCEPT 127.0.0.1:"), '\n'); i++)
        tls_test_child_wait_for(&child, out, sizeof out, &out_len, "\x01", 50);
    unsigned port = 0;
    cr_assert_eq(sscanf(strstr(out, "ACCEPT 127.0.0.1:"), "ACCEPT 127.0.0.1:%u\n", &port), 1);
    cr_assert(port > 0 && port < 65536, "port %u", port);
    return (uint16_t)port;
}

static uint16_t start_s_server(const char *cert, const char *key, const char *version)
{
    return start_s_server_with(cert, key, version, false);
}

static void fetch_from_s_server(const char *version_flag, const char *version_text)
{
    uint16_t port = start_s_server("server.pem", "server.key", version_flag);
    kern_tls_config_t cfg = tls_test_client_cfg();
    side_t c;
    connect_to(&c, &cfg, "localhost", port);
    cr_assert_eq(kern_tls_stream_handshake(&c.stream, 5000000000, on_op), 0);
    cr_assert_eq(wait_op(&c, 6000), 0, "handshake: %s; openssl: %s", kern_tls_conn_error(c.conn),
                 out);
    const char *req = "GET / HTTP/1.0\r\n\r\n";
    cr_assert_eq(kern_tls_stream_write(&c.stream, req, strlen(req), on_op), 0);
    cr_assert_eq(wait_op(&c, 3000), (int)strlen(req));
    size_t got;
    int end = read_to_end(&c, &got);
    /* s_server -www closes with close_notify (0); accept a bare close only
     * if it did not. */
    cr_assert(end == 0 || end == -ECONNRESET, "end: %d %s", end, kern_tls_conn_error(c.conn));
    cr_assert(strncmp(c.buf, "HTTP/1.0 200 ok", 15) == 0, "response: %s", c.buf);
    cr_assert(strstr(c.buf, version_text), "want %s in %s", version_text, c.buf);
    side_close(&c);
}

Test(kernel_tls_peer, our_client_fetches_from_openssl_s_server_tls13)
{
    fetch_from_s_server("-tls1_3", "Protocol  : TLSv1.3");
}

Test(kernel_tls_peer, our_client_fetches_from_openssl_s_server_tls12)
{
    fetch_from_s_server("-tls1_2", "Protocol  : TLSv1.2");
}

static void expect_s_server_rejected(const char *cert, const char *key, const char *name)
{
    uint16_t port = start_s_server(cert, key, "-tls1_3");
    kern_tls_config_t cfg = tls_test_client_cfg();
    side_t c;
    connect_to(&c, &cfg, name, port);
    cr_assert_eq(kern_tls_stream_handshake(&c.stream, 5000000000, on_op), 0);
    cr_assert_eq(wait_op(&c, 6000), -EKEYREJECTED, "%s", kern_tls_conn_error(c.conn));
    side_close(&c);
    /* openssl saw our alert. */
    cr_assert(tls_test_child_wait_for(&child, out, sizeof out, &out_len, "alert", 3000),
              "openssl: %s", out);
}

Test(kernel_tls_peer, our_client_rejects_an_unknown_ca_from_s_server)
{
    expect_s_server_rejected("foreign.pem", "foreign.key", "localhost");
}

Test(kernel_tls_peer, our_client_rejects_a_wrong_host_from_s_server)
{
    expect_s_server_rejected("server.pem", "server.key", "b.test");
}

static void fetch_with_client_cert(bool present, const char *version)
{
    uint16_t port = start_s_server_with("server.pem", "server.key", version, true);
    kern_tls_config_t cfg = tls_test_client_cfg();
    if (present) { /* server.pem carries extendedKeyUsage clientAuth too */
        cfg.cert_file = tls_test_data("server.pem");
        cfg.key_file = tls_test_data("server.key");
    }
    side_t c;
    connect_to(&c, &cfg, "localhost", port);
    cr_assert_eq(kern_tls_stream_handshake(&c.stream, 5000000000, on_op), 0);
    int rc = wait_op(&c, 6000);
    const char *req = "GET / HTTP/1.0\r\n\r\n";
    if (rc == 0) {
        cr_assert_eq(kern_tls_stream_write(&c.stream, req, strlen(req), on_op), 0);
        rc = wait_op(&c, 3000);
    }
    if (rc > 0) {
        size_t got;
        rc = read_to_end(&c, &got);
        if (got > 0)
            rc = (int)got;
    }
    if (present) {
        cr_assert_gt(rc, 0, "%d %s; openssl: %s", rc, kern_tls_conn_error(c.conn), out);
        cr_assert(strncmp(c.buf, "HTTP/1.0 200 ok", 15) == 0, "response: %s", c.buf);
    } else {
        /* TLS 1.2 fails in the handshake; TLS 1.3 clients finish first and
         * learn of the server's alert on the next read. */
        cr_assert_eq(rc, -ECONNABORTED, "%d %s", rc, kern_tls_conn_error(c.conn));
    }
    side_close(&c);
}

Test(kernel_tls_peer, our_client_certificate_satisfies_s_server_verify_tls13)
{
    fetch_with_client_cert(true, "-tls1_3");
}

Test(kernel_tls_peer, our_client_certificate_satisfies_s_server_verify_tls12)
{
    fetch_with_client_cert(true, "-tls1_2");
}

Test(kernel_tls_peer, no_client_certificate_is_refused_by_s_server_verify)
{
    fetch_with_client_cert(false, "-tls1_3");
}

/* ---- openssl s_client, our server ---- */

static void serve_s_client(const char *version_flag, const char *version_text, const char *host,
                           bool mtls)
{
    uint16_t port;
    int lfd = tls_test_ring_listen(&port);
    char connect[32];
    snprintf(connect, sizeof connect, "127.0.0.1:%u", port);
    char *argv[] = {"openssl", "s_client", "-connect", connect, "-CAfile",
                    (char *)tls_test_data("ca.pem"), "-verify_return_error", "-verify_hostname",
                    (char *)host, "-servername", (char *)host, "-alpn", "snow/1,http/1.1",
                    (char *)version_flag,
                    /* mutual TLS: s_client presents server.pem (clientAuth);
                     * without it the NULL here ends argv. */
                    mtls ? "-cert" : NULL, (char *)tls_test_data("server.pem"), "-key",
                    (char *)tls_test_data("server.key"), NULL};
    tls_test_spawn(&child, argv);
    kern_tls_config_t cfg = tls_test_server_cfg("server.pem", "server.key");
    cfg.alpn = "h2,http/1.1";
    if (mtls) {
        cfg.require_client_cert = true;
        cfg.ca_file = tls_test_data("ca.pem");
    }
    side_t s;
    accept_on(&s, &cfg, lfd);
    kern_tls_config_t b = tls_test_server_cfg("sni-b.pem", "sni-b.key");
    cr_assert_eq(kern_tls_ctx_add_sni(s.ctx, "b.test", &b), 0);
    cr_assert_eq(kern_tls_stream_handshake(&s.stream, 5000000000, on_op), 0);
    cr_assert_eq(wait_op(&s, 6000), 0, "handshake: %s; openssl: %s", kern_tls_conn_error(s.conn),
                 out);
    cr_assert_str_eq(kern_tls_sni(s.conn), host);
    uint8_t fp[32];
    cr_assert_eq(kern_tls_peer_fingerprint(s.conn, fp), mtls ? 0 : -ENOENT);
    const char *alpn;
    size_t alpn_len;
    cr_assert_eq(kern_tls_alpn(s.conn, &alpn, &alpn_len), 0);
    cr_assert_eq(alpn_len, 8);
    cr_assert_eq(memcmp(alpn, "http/1.1", 8), 0);

    /* A line typed into s_client arrives here; our answer shows up there. */
    cr_assert_eq(write(child.in_fd, "ping from s_client\n", 19), 19);
    cr_assert_eq(kern_tls_stream_read(&s.stream, s.buf, sizeof s.buf, on_op), 0);
    cr_assert_eq(wait_op(&s, 5000), 19, "read: %s", kern_tls_conn_error(s.conn));
    cr_assert_eq(memcmp(s.buf, "ping from s_client\n", 19), 0);
    cr_assert_eq(kern_tls_stream_write(&s.stream, "pong from snow\n", 15, on_op), 0);
    cr_assert_eq(wait_op(&s, 3000), 15);
    cr_assert(tls_test_child_wait_for(&child, out, sizeof out, &out_len, "pong from snow", 5000),
              "s_client: %s", out);

    /* Our close_notify makes s_client answer with its own and exit. */
    cr_assert_eq(kern_tls_stream_shutdown(&s.stream, 5000000000, on_op), 0);
    cr_assert_eq(wait_op(&s, 6000), 0, "shutdown: %s", kern_tls_conn_error(s.conn));
    side_close(&s);
    tls_test_child_wait_for(&child, out, sizeof out, &out_len, "\x01", 500);
    cr_assert(strstr(out, "Verify return code: 0 (ok)"), "s_client: %s", out);
    cr_assert(strstr(out, "ALPN protocol: http/1.1"), "s_client: %s", out);
    cr_assert(strstr(out, version_text), "want %s in %s", version_text, out);
}

Test(kernel_tls_peer, openssl_s_client_talks_to_our_server_tls13)
{
    serve_s_client("-tls1_3", "TLSv1.3", "localhost", false);
}

Test(kernel_tls_peer, openssl_s_client_talks_to_our_server_tls12)
{
    serve_s_client("-tls1_2", "TLSv1.2", "localhost", false);
}

Test(kernel_tls_peer, openssl_s_client_gets_the_sni_identity_it_asks_for)
{
    /* s_client verifies b.test, which only sni-b.pem is valid for. */
    serve_s_client("-tls1_3", "TLSv1.3", "b.test", false);
    cr_assert(strstr(out, "subject=CN = b.test"), "s_client: %s", out);
}

Test(kernel_tls_peer, openssl_s_client_with_a_certificate_passes_our_mutual_tls)
{
    serve_s_client("-tls1_3", "TLSv1.3", "localhost", true);
}

Test(kernel_tls_peer, openssl_s_client_with_a_certificate_passes_our_mutual_tls12)
{
    serve_s_client("-tls1_2", "TLSv1.2", "b.test", true);
}
