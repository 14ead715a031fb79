/* Tests for kernel/tls_stream (issue 6): our TLS client and server over real
 * loopback TCP sockets driven by a real io_uring (kernel/ring, kernel/sock).
 * Callbacks are counted; teardown checks no ring op, kern_alloc block or
 * descriptor is left. */
#include <criterion/criterion.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "kernel/alloc.h"
#include "kernel/buf.h"
#include "kernel/ring.h"
#include "kernel/sock.h"
#include "kernel/timer.h"
#include "kernel/tls.h"
#include "kernel/tls_stream.h"
#include "test_tls_util.h"

static kern_ring_t ring;

static void setup(void) { tls_test_ring_setup(&ring); }

static void teardown(void) { tls_test_ring_teardown(&ring); }

TestSuite(kernel_tls_stream, .init = setup, .fini = teardown, .timeout = 60);

/* One side of a connection: engine objects, stream and what its callbacks saw. */
typedef struct side_t {
    kern_tls_ctx_t *ctx;
    kern_tls_conn_t *conn;
    kern_tls_stream_t stream;
    int fd;
    int calls; /* callbacks run */
    int res;   /* the last callback's result */
    bool done; /* set by every callback */
    char buf[256];
} side_t;

static void on_op(kern_tls_stream_t *s, int res)
{
    side_t *side = s->data;
    side->calls++;
    side->res = res;
    side->done = true;
}

static void side_open(side_t *side, const kern_tls_config_t *cfg, const char *name, int fd)
{
    memset(side, 0, sizeof *side);
    cr_assert_eq(kern_tls_ctx_new(cfg, &side->ctx), 0);
    cr_assert_eq(kern_tls_conn_new(side->ctx, name, &side->conn), 0);
    side->fd = fd;
    kern_tls_stream_init(&side->stream, &ring, fd, side->conn);
    side->stream.data = side;
}

/* Disarms whatever the stream still has armed and waits until it is idle. */
static void side_quiesce(side_t *side)
{
    kern_tls_stream_cancel(&side->stream);
    uint64_t deadline = kern_timer_now_ns() + 3000000000ull;
    while (kern_tls_stream_busy(&side->stream)) {
        cr_assert_lt(kern_timer_now_ns(), deadline, "stream stays busy");
        kern_ring_run(&ring, 10000000);
    }
}

static void side_close(side_t *side)
{
    side_quiesce(side);
    kern_tls_stream_destroy(&side->stream);
    tls_test_ring_close(&ring, side->fd);
    kern_tls_conn_free(side->conn);
    kern_tls_ctx_free(side->ctx);
}

/* Waits for side's next callback and returns its result. */
static int wait_op(side_t *side, int timeout_ms)
{
    tls_test_ring_until(&ring, &side->done, timeout_ms);
    side->done = false;
    return side->res;
}

static void open_pair(side_t *client, side_t *server, const char *cert, const char *key)
{
    uint16_t port;
    int lfd = tls_test_ring_listen(&port);
    int cfd, sfd;
    tls_test_ring_connect_pair(&ring, lfd, port, &cfd, &sfd);
    close(lfd);
    kern_tls_config_t scfg = tls_test_server_cfg(cert, key);
    kern_tls_config_t ccfg = tls_test_client_cfg();
    side_open(server, &scfg, NULL, sfd);
    side_open(client, &ccfg, "localhost", cfd);
}

/* Shared-buffer mode: both streams receive into one buffer group. */
static kern_buf_group_t group;

static void open_shared_pair(side_t *client, side_t *server, uint32_t count, uint32_t size)
{
    cr_assert_eq(kern_buf_group_init(&group, &ring, count, size), 0);
    open_pair(client, server, "server.pem", "server.key");
    side_t *sides[2] = {client, server};
    for (int i = 0; i < 2; i++) {
        kern_tls_stream_destroy(&sides[i]->stream);
        kern_tls_stream_init_shared(&sides[i]->stream, &ring, sides[i]->fd, sides[i]->conn, &group);
        sides[i]->stream.data = sides[i];
    }
}

static void close_shared_pair(side_t *client, side_t *server)
{
    side_close(client);
    side_close(server);
    cr_assert_eq(group.outstanding, 0, "every group buffer came back");
    kern_buf_group_destroy(&group);
}

static void handshake_both(side_t *client, side_t *server, int expect_client)
{
    cr_assert_eq(kern_tls_stream_handshake(&client->stream, 3000000000, on_op), 0);
    cr_assert_eq(kern_tls_stream_handshake(&server->stream, 3000000000, on_op), 0);
    cr_assert_eq(wait_op(client, 5000), expect_client, "client: %s",
                 kern_tls_conn_error(client->conn));
    if (expect_client == 0)
        cr_assert_eq(wait_op(server, 5000), 0, "server: %s", kern_tls_conn_error(server->conn));
}

Test(kernel_tls_stream, client_and_server_talk_through_the_ring)
{
    side_t client, server;
    open_pair(&client, &server, "server.pem", "server.key");
    handshake_both(&client, &server, 0);

    /* A read posted before the data exists completes when it arrives. */
    cr_assert_eq(kern_tls_stream_read(&server.stream, server.buf, sizeof server.buf, on_op), 0);
    cr_assert_eq(kern_tls_stream_read(&server.stream, server.buf, 1, on_op), -EBUSY);
    cr_assert_eq(kern_tls_stream_write(&client.stream, "hello, ring", 11, on_op), 0);
    cr_assert_eq(wait_op(&client, 3000), 11);
    cr_assert_eq(wait_op(&server, 3000), 11);
    cr_assert_eq(memcmp(server.buf, "hello, ring", 11), 0);

    cr_assert_eq(kern_tls_stream_write(&server.stream, "and back", 8, on_op), 0);
    cr_assert_eq(wait_op(&server, 3000), 8);
    cr_assert_eq(kern_tls_stream_read(&client.stream, client.buf, sizeof client.buf, on_op), 0);
    cr_assert_eq(wait_op(&client, 3000), 8);
    cr_assert_eq(memcmp(client.buf, "and back", 8), 0);

    /* Clean close: the server's read sees close_notify, then answers it. */
    cr_assert_eq(kern_tls_stream_read(&server.stream, server.buf, sizeof server.buf, on_op), 0);
    cr_assert_eq(kern_tls_stream_shutdown(&client.stream, 3000000000, on_op), 0);
    cr_assert_eq(wait_op(&server, 3000), 0, "end of stream");
    cr_assert_eq(kern_tls_stream_shutdown(&server.stream, 3000000000, on_op), 0);
    cr_assert_eq(wait_op(&server, 3000), 0);
    cr_assert_eq(wait_op(&client, 3000), 0, "client: %s", kern_tls_conn_error(client.conn));
    cr_assert_eq(client.calls, 4); /* handshake, write, read, shutdown */
    cr_assert_eq(server.calls, 5); /* handshake, read, write, read, shutdown */
    side_close(&client);
    side_close(&server);
}

Test(kernel_tls_stream, read_runs_the_handshake_and_write_waits_for_it)
{
    side_t client, server;
    open_pair(&client, &server, "server.pem", "server.key");
    /* No explicit handshake: the write and the read drive it. */
    cr_assert_eq(kern_tls_stream_write(&client.stream, "implicit", 8, on_op), 0);
    cr_assert_eq(kern_tls_stream_read(&server.stream, server.buf, sizeof server.buf, on_op), 0);
    cr_assert_eq(wait_op(&server, 3000), 8);
    cr_assert_eq(wait_op(&client, 3000), 8);
    cr_assert(kern_tls_handshake_done(client.conn));
    side_close(&client);
    side_close(&server);
}

Test(kernel_tls_stream, unknown_certificate_fails_the_handshake_on_both_ends)
{
    side_t client, server;
    open_pair(&client, &server, "foreign.pem", "foreign.key");
    handshake_both(&client, &server, -EKEYREJECTED);
    cr_assert_eq(wait_op(&server, 3000), -ECONNABORTED, "server: %s",
                 kern_tls_conn_error(server.conn));
    cr_assert_eq(client.calls, 1);
    cr_assert_eq(server.calls, 1);
    side_close(&client);
    side_close(&server);
}

Test(kernel_tls_stream, handshake_times_out_when_the_peer_is_silent)
{
    side_t client, server;
    open_pair(&client, &server, "server.pem", "server.key");
    uint64_t start = kern_timer_now_ns();
    cr_assert_eq(kern_tls_stream_handshake(&client.stream, 200000000, on_op), 0);
    cr_assert_eq(wait_op(&client, 3000), -ETIMEDOUT);
    uint64_t elapsed_ms = (kern_timer_now_ns() - start) / 1000000;
    cr_assert_geq(elapsed_ms, 190);
    cr_assert_lt(elapsed_ms, 1500);
    cr_assert_eq(client.calls, 1);
    cr_assert_not(kern_tls_stream_busy(&client.stream));
    /* The stream stays failed. */
    cr_assert_eq(kern_tls_stream_read(&client.stream, client.buf, 4, on_op), 0);
    cr_assert_eq(wait_op(&client, 1000), -ETIMEDOUT);
    side_close(&client);
    side_close(&server);
}

Test(kernel_tls_stream, cancel_ends_a_pending_read)
{
    side_t client, server;
    open_pair(&client, &server, "server.pem", "server.key");
    handshake_both(&client, &server, 0);
    cr_assert_eq(kern_tls_stream_read(&client.stream, client.buf, sizeof client.buf, on_op), 0);
    kern_ring_run(&ring, 10000000);
    cr_assert_not(client.done);
    kern_tls_stream_cancel(&client.stream);
    cr_assert_eq(wait_op(&client, 2000), -ECANCELED);
    cr_assert_eq(client.calls, 2);
    side_close(&client);
    side_close(&server);
}

Test(kernel_tls_stream, peer_closing_the_socket_is_a_truncation)
{
    side_t client, server;
    open_pair(&client, &server, "server.pem", "server.key");
    handshake_both(&client, &server, 0);
    cr_assert_eq(kern_tls_stream_read(&client.stream, client.buf, sizeof client.buf, on_op), 0);
    /* The server's socket goes away without a close_notify. */
    kern_tls_stream_destroy(&server.stream);
    tls_test_ring_close(&ring, server.fd);
    cr_assert_eq(wait_op(&client, 3000), -ECONNRESET, "%s", kern_tls_conn_error(client.conn));
    kern_tls_stream_destroy(&client.stream);
    tls_test_ring_close(&ring, client.fd);
    kern_tls_conn_free(client.conn);
    kern_tls_ctx_free(client.ctx);
    kern_tls_conn_free(server.conn);
    kern_tls_ctx_free(server.ctx);
}

/* Both ends write 8 MiB to each other at once while reading: more than the
 * socket buffers hold, so this deadlocks unless reads progress while a write
 * waits for the wire. */
typedef struct duplex_t {
    side_t *side;
    uint8_t *out;
    uint8_t *in;
    size_t read_len;
    bool wrote;
    bool read_all;
} duplex_t;

#define DUPLEX_LEN (8u << 20)

static void duplex_on_written(kern_tls_stream_t *s, int res)
{
    side_t *side = s->data;
    cr_assert_eq(res, (int)DUPLEX_LEN, "write: %d %s", res, kern_tls_conn_error(side->conn));
    side->calls++;
}

static duplex_t duplex[2];

static void duplex_on_read(kern_tls_stream_t *s, int res)
{
    side_t *side = s->data;
    duplex_t *d = &duplex[side == duplex[0].side ? 0 : 1];
    cr_assert_gt(res, 0, "read: %d %s", res, kern_tls_conn_error(side->conn));
    d->read_len += (size_t)res;
    if (d->read_len == DUPLEX_LEN) {
        d->read_all = true;
        return;
    }
    cr_assert_eq(
        kern_tls_stream_read(s, d->in + d->read_len, DUPLEX_LEN - d->read_len, duplex_on_read), 0);
}

Test(kernel_tls_stream, full_duplex_transfer_does_not_deadlock)
{
    side_t client, server;
    open_pair(&client, &server, "server.pem", "server.key");
    handshake_both(&client, &server, 0);
    side_t *sides[2] = {&client, &server};
    for (int i = 0; i < 2; i++) {
        duplex[i] = (duplex_t){.side = sides[i]};
        duplex[i].out = kern_alloc(DUPLEX_LEN);
        duplex[i].in = kern_alloc(DUPLEX_LEN);
        for (size_t j = 0; j < DUPLEX_LEN; j++)
            duplex[i].out[j] = (uint8_t)(j * 31 + i * 7 + (j >> 12));
        sides[i]->calls = 0;
    }
    for (int i = 0; i < 2; i++) {
        cr_assert_eq(
            kern_tls_stream_read(&sides[i]->stream, duplex[i].in, DUPLEX_LEN, duplex_on_read), 0);
        cr_assert_eq(
            kern_tls_stream_write(&sides[i]->stream, duplex[i].out, DUPLEX_LEN, duplex_on_written),
            0);
    }
    uint64_t deadline = kern_timer_now_ns() + 30000000000ull;
    while (!(duplex[0].read_all && duplex[1].read_all && client.calls == 1 && server.calls == 1)) {
        cr_assert_lt(kern_timer_now_ns(), deadline, "stalled: read %zu and %zu", duplex[0].read_len,
                     duplex[1].read_len);
        cr_assert_geq(kern_ring_run(&ring, 100000000), 0);
    }
    cr_assert_eq(memcmp(duplex[0].in, duplex[1].out, DUPLEX_LEN), 0);
    cr_assert_eq(memcmp(duplex[1].in, duplex[0].out, DUPLEX_LEN), 0);
    for (int i = 0; i < 2; i++) {
        kern_free(duplex[i].out);
        kern_free(duplex[i].in);
    }
    side_close(&client);
    side_close(&server);
}

Test(kernel_tls_stream, plaintext_http_to_a_tls_server_fails_the_handshake)
{
    side_t client, server;
    open_pair(&client, &server, "server.pem", "server.key");
    /* The client end speaks plain HTTP instead of TLS. */
    const char *req = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n";
    cr_assert_eq(write(client.fd, req, strlen(req)), (ssize_t)strlen(req));
    cr_assert_eq(kern_tls_stream_handshake(&server.stream, 3000000000, on_op), 0);
    int rc = wait_op(&server, 5000);
    cr_assert_eq(rc, -EPROTO, "got %d: %s", rc, kern_tls_conn_error(server.conn));
    cr_assert_not(kern_tls_stream_busy(&server.stream));
    cr_assert_eq(server.calls, 1);
    side_close(&client);
    side_close(&server);
}

Test(kernel_tls_stream, shutdown_times_out_when_the_peer_never_answers)
{
    side_t client, server;
    open_pair(&client, &server, "server.pem", "server.key");
    handshake_both(&client, &server, 0);
    /* The server never reads, so our close_notify is never answered. */
    cr_assert_eq(kern_tls_stream_shutdown(&client.stream, 200000000, on_op), 0);
    cr_assert_eq(kern_tls_stream_shutdown(&client.stream, 200000000, on_op), -EBUSY);
    uint64_t start = kern_timer_now_ns();
    cr_assert_eq(wait_op(&client, 3000), -ETIMEDOUT);
    uint64_t elapsed_ms = (kern_timer_now_ns() - start) / 1000000;
    cr_assert_geq(elapsed_ms, 150);
    cr_assert_lt(elapsed_ms, 1500);
    cr_assert_eq(client.calls, 2); /* handshake, shutdown */
    side_close(&client);
    side_close(&server);
}

Test(kernel_tls_stream, a_finished_handshake_is_not_undone_by_its_timer)
{
    side_t client, server;
    open_pair(&client, &server, "server.pem", "server.key");
    handshake_both(&client, &server, 0);
    /* Run the ring past the old deadline: the disarmed timer must not fire. */
    uint64_t until = kern_timer_now_ns() + 100000000;
    cr_assert_eq(kern_tls_stream_handshake(&client.stream, 50000000, on_op), 0);
    cr_assert_eq(wait_op(&client, 1000), 0, "already done");
    while (kern_timer_now_ns() < until)
        kern_ring_run(&ring, 20000000);
    cr_assert_eq(kern_tls_stream_write(&client.stream, "still fine", 10, on_op), 0);
    cr_assert_eq(wait_op(&client, 1000), 10);
    side_close(&client);
    side_close(&server);
}

/* ---- Shared receive buffers (kern_tls_stream_init_shared) ---- */

Test(kernel_tls_stream, shared_buffers_carry_a_conversation_and_a_clean_close)
{
    side_t client, server;
    open_shared_pair(&client, &server, 16, 16384);
    handshake_both(&client, &server, 0);
    cr_assert_eq(kern_tls_stream_read(&server.stream, server.buf, sizeof server.buf, on_op), 0);
    cr_assert_eq(kern_tls_stream_write(&client.stream, "shared hello", 12, on_op), 0);
    cr_assert_eq(wait_op(&client, 3000), 12);
    cr_assert_eq(wait_op(&server, 3000), 12);
    cr_assert_eq(memcmp(server.buf, "shared hello", 12), 0);
    cr_assert_eq(kern_tls_stream_read(&server.stream, server.buf, sizeof server.buf, on_op), 0);
    cr_assert_eq(kern_tls_stream_shutdown(&client.stream, 3000000000, on_op), 0);
    cr_assert_eq(wait_op(&server, 3000), 0, "end of stream");
    cr_assert_eq(kern_tls_stream_shutdown(&server.stream, 3000000000, on_op), 0);
    cr_assert_eq(wait_op(&server, 3000), 0);
    cr_assert_eq(wait_op(&client, 3000), 0, "client: %s", kern_tls_conn_error(client.conn));
    close_shared_pair(&client, &server);
}

Test(kernel_tls_stream, full_duplex_through_a_tiny_shared_group)
{
    /* 4 buffers of 4 KiB for two streams moving 8 MiB each way: the group
     * runs dry over and over (-ENOBUFS, retry) and streams pause. */
    side_t client, server;
    open_shared_pair(&client, &server, 4, 4096);
    handshake_both(&client, &server, 0);
    side_t *sides[2] = {&client, &server};
    for (int i = 0; i < 2; i++) {
        duplex[i] = (duplex_t){.side = sides[i]};
        duplex[i].out = kern_alloc(DUPLEX_LEN);
        duplex[i].in = kern_alloc(DUPLEX_LEN);
        for (size_t j = 0; j < DUPLEX_LEN; j++)
            duplex[i].out[j] = (uint8_t)(j * 13 + i * 5 + (j >> 10));
        sides[i]->calls = 0;
    }
    for (int i = 0; i < 2; i++) {
        cr_assert_eq(
            kern_tls_stream_read(&sides[i]->stream, duplex[i].in, DUPLEX_LEN, duplex_on_read), 0);
        cr_assert_eq(
            kern_tls_stream_write(&sides[i]->stream, duplex[i].out, DUPLEX_LEN, duplex_on_written),
            0);
    }
    uint64_t deadline = kern_timer_now_ns() + 40000000000ull;
    while (!(duplex[0].read_all && duplex[1].read_all && client.calls == 1 && server.calls == 1)) {
        cr_assert_lt(kern_timer_now_ns(), deadline, "stalled: read %zu and %zu", duplex[0].read_len,
                     duplex[1].read_len);
        cr_assert_geq(kern_ring_run(&ring, 100000000), 0);
    }
    cr_assert_eq(memcmp(duplex[0].in, duplex[1].out, DUPLEX_LEN), 0);
    cr_assert_eq(memcmp(duplex[1].in, duplex[0].out, DUPLEX_LEN), 0);
    for (int i = 0; i < 2; i++) {
        kern_free(duplex[i].out);
        kern_free(duplex[i].in);
    }
    close_shared_pair(&client, &server);
}

static void on_bulk_written(kern_tls_stream_t *s, int res)
{
    side_t *side = s->data;
    side->calls++;
    side->res = res;
}

Test(kernel_tls_stream, a_slow_shared_reader_pauses_instead_of_draining_the_group)
{
    side_t client, server;
    open_shared_pair(&client, &server, 64, 16384);
    handshake_both(&client, &server, 0);
    size_t len = 2u << 20;
    uint8_t *out = kern_alloc(len), *in = kern_alloc(len);
    for (size_t j = 0; j < len; j++)
        out[j] = (uint8_t)(j ^ (j >> 9));
    server.calls = 0;
    cr_assert_eq(kern_tls_stream_write(&server.stream, out, len, on_bulk_written), 0);
    /* One small read arms the (multishot) recv, then the reader dawdles. */
    cr_assert_eq(kern_tls_stream_read(&client.stream, in, 10, on_op), 0);
    cr_assert_eq(wait_op(&client, 3000), 10);
    uint64_t until = kern_timer_now_ns() + 300000000;
    while (kern_timer_now_ns() < until)
        kern_ring_run(&ring, 20000000);
    /* Without pausing, the kernel would have filled all 64 buffers. */
    cr_assert_leq(group.outstanding, 40, "outstanding %u", group.outstanding);
    size_t got = 10;
    while (got < len) {
        cr_assert_eq(kern_tls_stream_read(&client.stream, in + got, len - got, on_op), 0);
        int rc = wait_op(&client, 5000);
        cr_assert_gt(rc, 0, "read: %d %s", rc, kern_tls_conn_error(client.conn));
        got += (size_t)rc;
    }
    while (server.calls == 0)
        kern_ring_run(&ring, 20000000);
    cr_assert_eq(server.res, (int)len);
    cr_assert_eq(memcmp(in, out, len), 0);
    kern_free(out);
    kern_free(in);
    close_shared_pair(&client, &server);
}
