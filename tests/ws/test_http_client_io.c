/* Tests for ws/http_client_io (issue 8): the HTTP client's connection on a
 * private ring (no scheduler), against a real loopback listener in the
 * test's own thread. The kernel completes a TCP handshake into the listen
 * queue before accept, so open, send and the test's accept, read and write
 * can run in sequence on one thread. Fetches on the scheduler's parking
 * path are covered by test_http_client.c (fetches_on_one_worker_...). */
#include "ws/http_client_io.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kernel/alloc.h"

/* A loopback socket bound to an ephemeral port; listening when listen_too. */
static int loopback_socket(bool listen_too, uint16_t *port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    cr_assert_geq(fd, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    cr_assert_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    socklen_t al = sizeof a;
    cr_assert_eq(getsockname(fd, (struct sockaddr *)&a, &al), 0);
    *port = ntohs(a.sin_port);
    if (listen_too)
        cr_assert_eq(listen(fd, 4), 0);
    return fd;
}

static ws_http_url_t url_ok(const char *text)
{
    ws_http_url_t u;
    const char *why = "";
    cr_assert_eq(ws_http_url_parse(text, strlen(text), &u, &why), 0, "%s: %s", text, why);
    return u;
}

static ws_http_client_io_t *io_new(void)
{
    ws_http_client_io_t *io = kern_calloc(1, sizeof *io);
    cr_assert_eq(ws_http_client_io_begin(io), 0);
    cr_assert_null(io->proc, "no scheduler here: the private ring must be used");
    cr_assert_eq(io->ring, &io->own);
    return io;
}

Test(ws_http_client_io, strerror_names_a_reset_and_otherwise_says_what_strerror_says)
{
    cr_assert_str_eq(ws_http_client_io_strerror(-ECONNRESET), "connection reset by peer");
    cr_assert_str_eq(ws_http_client_io_strerror(-ECONNREFUSED), "Connection refused");
    cr_assert_str_eq(ws_http_client_io_strerror(-EPIPE), "Broken pipe");
}

Test(ws_http_client_io, open_send_recv_and_close_on_a_private_ring, .timeout = 10)
{
    uint16_t port;
    int lfd = loopback_socket(true, &port);
    char text[64];
    snprintf(text, sizeof text, "http://127.0.0.1:%u/", (unsigned)port);
    ws_http_url_t url = url_ok(text);
    ws_http_client_request_t req = {.method = "GET", .url = text, .url_len = strlen(text)};
    ws_http_client_io_t *io = io_new();
    char msg[256] = "";

    cr_assert_eq(ws_http_client_io_open(io, &req, &url, msg, sizeof msg), 0, "%s", msg);
    cr_assert_str_eq(msg, "");
    cr_assert_null(io->tconn, "http:// must not start TLS");
    cr_assert_geq(io->fd, 0);
    int peer = accept(lfd, NULL, NULL);
    cr_assert_geq(peer, 0);

    cr_assert_eq(ws_http_client_io_send(io, "ping\n", 5), 0);
    char got[16] = "";
    cr_assert_eq(recv(peer, got, sizeof got, 0), 5);
    cr_assert_eq(memcmp(got, "ping\n", 5), 0);

    cr_assert_eq(send(peer, "pong", 4, 0), 4);
    cr_assert_eq(shutdown(peer, SHUT_WR), 0);
    char in[16];
    cr_assert_eq(ws_http_client_io_recv(io, in, sizeof in), 4);
    cr_assert_eq(memcmp(in, "pong", 4), 0);
    cr_assert_eq(ws_http_client_io_recv(io, in, sizeof in), 0, "the peer's FIN is the end");

    ws_http_client_io_close(io);
    cr_assert_eq(io->fd, -1);
    cr_assert_not(io->broken);
    /* The peer sees our close as the end of its stream too. */
    cr_assert_eq(recv(peer, got, sizeof got, 0), 0);
    ws_http_client_io_end(io);
    ws_http_url_destroy(&url);
    close(peer);
    close(lfd);
}

Test(ws_http_client_io, a_refused_connect_names_the_host_and_port, .timeout = 10)
{
    /* Bound but not listening: the kernel refuses connections to it. */
    uint16_t port;
    int fd = loopback_socket(false, &port);
    char text[64];
    snprintf(text, sizeof text, "http://127.0.0.1:%u/", (unsigned)port);
    ws_http_url_t url = url_ok(text);
    ws_http_client_request_t req = {.method = "GET", .url = text, .url_len = strlen(text)};
    ws_http_client_io_t *io = io_new();
    char msg[256] = "";

    cr_assert_eq(ws_http_client_io_open(io, &req, &url, msg, sizeof msg), -ECONNREFUSED, "%s", msg);
    char want[96];
    snprintf(want, sizeof want, "cannot connect to 127.0.0.1:%u: Connection refused",
             (unsigned)port);
    cr_assert_str_eq(msg, want);
    ws_http_client_io_close(io);
    ws_http_client_io_end(io);
    ws_http_url_destroy(&url);
    close(fd);
}

Test(ws_http_client_io, an_invalid_host_name_does_not_resolve, .timeout = 30)
{
    /* .invalid never resolves (RFC 6761 6.4), with or without a network. */
    const char *text = "https://no-such-host.invalid/";
    ws_http_url_t url = url_ok(text);
    ws_http_client_request_t req = {.method = "GET", .url = text, .url_len = strlen(text)};
    ws_http_client_io_t *io = io_new();
    char msg[256] = "";

    int rc = ws_http_client_io_open(io, &req, &url, msg, sizeof msg);
    cr_assert(rc == -ENOENT || rc == -EAGAIN, "%d", rc);
    const char *want = "cannot resolve host no-such-host.invalid: ";
    cr_assert(strncmp(msg, want, strlen(want)) == 0, "%s", msg);
    cr_assert_null(io->tconn, "no TLS before a connection");
    ws_http_client_io_close(io);
    ws_http_client_io_end(io);
    ws_http_url_destroy(&url);
}
