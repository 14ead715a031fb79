/* Tests for kernel/sock.c over loopback (issue 6): accept, recv, send,
 * short reads, peer resets, cancellation, timeouts, IPv6, Unix sockets. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kernel/buf.h"
#include "kernel/sock.h"
#include "tests/kernel/test_kernel.h"

TestSuite(kernel_sock, .init = ring_setup, .fini = ring_teardown, .timeout = 10);

/* A connection under test: accepted side, connected side, and counters. */
typedef struct conn_t {
    int listen_fd, server_fd, client_fd;
    kern_op_t accept_op, connect_op, recv_op, send_op, close_op;
    int accepts, connects, recvs, sends, closes;
    int last_res;
    char got[1 << 16];
    size_t got_len;
    bool eof;
} conn_t;

static void on_accept(kern_ring_t *r, kern_op_t *op)
{
    (void)r;
    conn_t *c = op->data;
    if (op->res == -ECANCELED && c->accepts == 1)
        return; /* the end of the multishot accept we cancelled below */
    cr_assert_geq(op->res, 0, "accept: %s", strerror(-op->res));
    c->server_fd = op->res;
    c->accepts++;
    if (op->flags & KERN_OP_F_MORE)
        cr_assert_eq(kern_op_cancel(r, op), 0); /* one is enough here */
}

static void on_connect(kern_ring_t *r, kern_op_t *op)
{
    (void)r;
    conn_t *c = op->data;
    c->connects++;
    c->last_res = op->res;
    c->client_fd = op->res;
}

/* Listens on a, connects a client and accepts it; both ends are open after. */
static void open_pair(conn_t *c, const kern_sock_addr_t *a)
{
    memset(c, 0, sizeof *c);
    c->server_fd = c->client_fd = -1;
    c->listen_fd = kern_sock_listen(a, 16, KERN_SOCK_REUSEPORT);
    cr_assert_geq(c->listen_fd, 0, "listen: %s", strerror(-c->listen_fd));
    kern_sock_addr_t bound;
    cr_assert_eq(kern_sock_local_addr(c->listen_fd, &bound), 0);
    if (a->u.sa.sa_family == AF_UNIX)
        bound = *a;
    c->accept_op.data = c->connect_op.data = c->recv_op.data = c->send_op.data = c;
    cr_assert_eq(kern_sock_accept(&ring, c->listen_fd, &c->accept_op, on_accept), 0);
    cr_assert_eq(kern_sock_connect(&ring, &bound, 1000000000, &c->connect_op, on_connect), 0);
    RUN_UNTIL(&ring, c->accepts >= 1 && c->connects == 1 && !kern_op_pending(&c->accept_op));
    cr_assert_geq(c->client_fd, 0, "connect: %s", strerror(-c->last_res));
}

static void close_pair(conn_t *c)
{
    if (c->server_fd >= 0)
        close(c->server_fd);
    if (c->client_fd >= 0)
        close(c->client_fd);
    close(c->listen_fd);
}

static void on_recv(kern_ring_t *r, kern_op_t *op)
{
    conn_t *c = op->data;
    c->recvs++;
    c->last_res = op->res;
    if (op->res > 0) {
        cr_assert_not_null(op->buf);
        cr_assert_eq(op->buf->len, (uint32_t)op->res);
        memcpy(c->got + c->got_len, op->buf->base, op->buf->len);
        c->got_len += op->buf->len;
        kern_buf_unref(op->buf);
    } else {
        cr_assert_null(op->buf);
        c->eof = op->res == 0;
    }
    if (!(op->flags & KERN_OP_F_MORE) && op->res > 0)
        cr_assert_eq(kern_sock_recv(r, c->server_fd, op->_group, op, on_recv), 0);
}

static void on_send(kern_ring_t *r, kern_op_t *op)
{
    (void)r;
    conn_t *c = op->data;
    c->sends++;
    c->last_res = op->res;
}

/* Sends msg client -> server through the ring and receives it with a
 * provided-buffer group, then checks the bytes and the end of stream. */
static void echo_once(const kern_sock_addr_t *a)
{
    conn_t c;
    open_pair(&c, a);
    kern_buf_group_t g;
    cr_assert_eq(kern_buf_group_init(&g, &ring, 8, 64), 0);
    cr_assert_eq(kern_sock_recv(&ring, c.server_fd, &g, &c.recv_op, on_recv), 0);
    static const char msg[] = "hello over the ring";
    cr_assert_eq(kern_sock_send(&ring, c.client_fd, msg, sizeof msg, &c.send_op, on_send), 0);
    RUN_UNTIL(&ring, c.sends == 1 && c.got_len == sizeof msg);
    cr_assert_eq(c.last_res >= 0, true);
    cr_assert_str_eq(c.got, msg);
    shutdown(c.client_fd, SHUT_WR);
    RUN_UNTIL(&ring, c.eof);
    cr_assert_eq(g.outstanding, 0u);
    kern_buf_group_destroy(&g);
    close_pair(&c);
}

Test(kernel_sock, accept_recv_send_over_ipv4_loopback)
{
    kern_sock_addr_t a;
    cr_assert_eq(kern_sock_addr_ip(&a, "127.0.0.1", 0), 0);
    echo_once(&a);
}

Test(kernel_sock, accept_recv_send_over_ipv6_loopback)
{
    kern_sock_addr_t a;
    cr_assert_eq(kern_sock_addr_ip(&a, "::1", 0), 0);
    int probe = kern_sock_listen(&a, 1, 0);
    if (probe == -EADDRNOTAVAIL || probe == -EAFNOSUPPORT)
        cr_skip_test("no IPv6 loopback here: %s", strerror(-probe));
    close(probe);
    echo_once(&a);
}

Test(kernel_sock, accept_recv_send_over_a_unix_socket)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/snow-kern-test-%d.sock", (int)getpid());
    unlink(path);
    kern_sock_addr_t a;
    cr_assert_eq(kern_sock_addr_unix(&a, path), 0);
    echo_once(&a);
    unlink(path);
}

Test(kernel_sock, numeric_addresses_only)
{
    kern_sock_addr_t a;
    cr_assert_eq(kern_sock_addr_ip(&a, "localhost", 80), -EINVAL);
    cr_assert_eq(kern_sock_addr_ip(&a, "10.1.2.3", 8080), 0);
    cr_assert_eq(kern_sock_addr_port(&a), 8080);
    char longpath[200];
    memset(longpath, 'x', sizeof longpath - 1);
    longpath[sizeof longpath - 1] = '\0';
    cr_assert_eq(kern_sock_addr_unix(&a, longpath), -ENAMETOOLONG);
}

static void open_loopback(conn_t *c)
{
    kern_sock_addr_t a;
    kern_sock_addr_ip(&a, "127.0.0.1", 0);
    open_pair(c, &a);
}

static void on_recv_into(kern_ring_t *r, kern_op_t *op)
{
    (void)r;
    conn_t *c = op->data;
    c->recvs++;
    c->last_res = op->res;
    if (op->res > 0)
        c->got_len += (size_t)op->res;
}

Test(kernel_sock, short_reads_deliver_every_byte_in_pieces)
{
    conn_t c;
    open_loopback(&c);
    char data[1000];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (char)(i * 7);
    cr_assert_eq(write(c.client_fd, data, sizeof data), (ssize_t)sizeof data);
    /* 300-byte reads of 1000 bytes: 300, 300, 300, 100. */
    int expect[] = {300, 300, 300, 100};
    for (int i = 0; i < 4; i++) {
        int before = c.recvs;
        cr_assert_eq(kern_sock_recv_into(&ring, c.server_fd, c.got + c.got_len, 300, -1, &c.recv_op,
                                         on_recv_into),
                     0);
        RUN_UNTIL(&ring, c.recvs == before + 1);
        cr_assert_eq(c.last_res, expect[i]);
    }
    cr_assert_eq(memcmp(c.got, data, sizeof data), 0);
    close_pair(&c);
}

Test(kernel_sock, peer_reset_reaches_the_receiver_as_econnreset)
{
    conn_t c;
    open_loopback(&c);
    struct linger lg = {.l_onoff = 1, .l_linger = 0};
    cr_assert_eq(setsockopt(c.client_fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg), 0);
    cr_assert_eq(
        kern_sock_recv_into(&ring, c.server_fd, c.got, sizeof c.got, -1, &c.recv_op, on_recv_into),
        0);
    cr_assert_eq(kern_ring_run(&ring, 0), 0);
    close(c.client_fd); /* RST, not FIN */
    c.client_fd = -1;
    RUN_UNTIL(&ring, c.recvs == 1);
    cr_assert_eq(c.last_res, -ECONNRESET);
    /* A send after the reset fails too, without SIGPIPE. */
    cr_assert_eq(kern_sock_send(&ring, c.server_fd, "x", 1, &c.send_op, on_send), 0);
    RUN_UNTIL(&ring, c.sends == 1);
    cr_assert(c.last_res == -EPIPE || c.last_res == -ECONNRESET, "send: %d", c.last_res);
    close_pair(&c);
}

Test(kernel_sock, recv_timeout_completes_with_etimedout)
{
    conn_t c;
    open_loopback(&c);
    uint64_t t0 = kern_timer_now_ns();
    cr_assert_eq(
        kern_sock_recv_into(&ring, c.server_fd, c.got, 10, 30000000, &c.recv_op, on_recv_into), 0);
    RUN_UNTIL(&ring, c.recvs == 1);
    cr_assert_eq(c.last_res, -ETIMEDOUT);
    cr_assert_geq(kern_timer_now_ns() - t0, 30000000u);
    /* The socket still works after a timed-out receive. */
    cr_assert_eq(write(c.client_fd, "abc", 3), 3);
    cr_assert_eq(
        kern_sock_recv_into(&ring, c.server_fd, c.got, 10, 1000000000, &c.recv_op, on_recv_into),
        0);
    RUN_UNTIL(&ring, c.recvs == 2);
    cr_assert_eq(c.last_res, 3);
    close_pair(&c);
}

Test(kernel_sock, cancelled_recv_completes_with_ecanceled)
{
    conn_t c;
    open_loopback(&c);
    kern_buf_group_t g;
    cr_assert_eq(kern_buf_group_init(&g, &ring, 4, 64), 0);
    cr_assert_eq(kern_sock_recv(&ring, c.server_fd, &g, &c.recv_op, on_recv), 0);
    cr_assert_eq(kern_ring_run(&ring, 0), 0);
    cr_assert_eq(kern_op_cancel(&ring, &c.recv_op), 0);
    RUN_UNTIL(&ring, c.recvs == 1);
    cr_assert_eq(c.last_res, -ECANCELED);
    cr_assert_eq(g.outstanding, 0u);
    kern_buf_group_destroy(&g);
    close_pair(&c);
}

Test(kernel_sock, connect_to_a_closed_port_is_refused)
{
    kern_sock_addr_t a;
    kern_sock_addr_ip(&a, "127.0.0.1", 0);
    int fd = kern_sock_listen(&a, 1, 0);
    kern_sock_local_addr(fd, &a);
    close(fd); /* the port is now closed */
    conn_t c = {.client_fd = -1};
    c.connect_op.data = &c;
    cr_assert_eq(kern_sock_connect(&ring, &a, -1, &c.connect_op, on_connect), 0);
    RUN_UNTIL(&ring, c.connects == 1);
    cr_assert_eq(c.last_res, -ECONNREFUSED);
}

Test(kernel_sock, connect_times_out_when_nobody_answers)
{
    /* A listener whose accept queue is full drops further SYNs, so those
     * connects hang until their timeout. */
    kern_sock_addr_t a;
    kern_sock_addr_ip(&a, "127.0.0.1", 0);
    int lfd = kern_sock_listen(&a, 0, 0);
    kern_sock_local_addr(lfd, &a);
    enum { N = 8 };
    conn_t *c = calloc(N, sizeof *c);
    for (int i = 0; i < N; i++) {
        c[i].client_fd = -1;
        c[i].connect_op.data = &c[i];
        cr_assert_eq(kern_sock_connect(&ring, &a, 200000000, &c[i].connect_op, on_connect), 0);
    }
    int done = 0, timed_out = 0;
    while (done < N) {
        cr_assert_geq(kern_ring_run(&ring, 100000000), 0);
        done = timed_out = 0;
        for (int i = 0; i < N; i++) {
            done += c[i].connects;
            timed_out += c[i].connects && c[i].last_res == -ETIMEDOUT;
        }
    }
    for (int i = 0; i < N; i++)
        if (c[i].client_fd >= 0)
            close(c[i].client_fd);
    close(lfd);
    free(c);
    cr_assert_geq(timed_out, 1, "no connect timed out");
}

static int multi_accepts;
static int accepted_fds[8];
static void on_accept_many(kern_ring_t *r, kern_op_t *op)
{
    (void)r;
    if (op->res >= 0)
        accepted_fds[multi_accepts++] = op->res;
    if (!(op->flags & KERN_OP_F_MORE) && op->res >= 0 && multi_accepts < 3)
        cr_assert_eq(kern_sock_accept(r, *(int *)op->data, op, on_accept_many), 0);
}

Test(kernel_sock, one_accept_call_keeps_accepting)
{
    kern_sock_addr_t a;
    kern_sock_addr_ip(&a, "127.0.0.1", 0);
    int lfd = kern_sock_listen(&a, 16, 0);
    kern_sock_local_addr(lfd, &a);
    kern_op_t op = {.data = &lfd};
    cr_assert_eq(kern_sock_accept(&ring, lfd, &op, on_accept_many), 0);
    int cfd[3];
    for (int i = 0; i < 3; i++) {
        cfd[i] = socket(AF_INET, SOCK_STREAM, 0);
        cr_assert_eq(connect(cfd[i], &a.u.sa, a.len), 0);
    }
    RUN_UNTIL(&ring, multi_accepts == 3);
    /* With MULTISHOT_ACCEPT the op is still armed: stop it. */
    if (ring.features & KERN_FEAT_MULTISHOT_ACCEPT) {
        cr_assert(kern_op_pending(&op));
        cr_assert_eq(kern_op_cancel(&ring, &op), 0);
        RUN_UNTIL(&ring, !kern_op_pending(&op));
        cr_assert_eq(op.res, -ECANCELED);
    }
    cr_assert_eq(multi_accepts, 3);
    for (int i = 0; i < 3; i++) {
        close(cfd[i]);
        close(accepted_fds[i]);
    }
    close(lfd);
}

Test(kernel_sock, gather_send_delivers_pieces_in_order)
{
    conn_t c;
    open_loopback(&c);
    struct iovec iov[3] = {{"GET ", 4}, {"/index.html", 11}, {" HTTP/1.1\r\n", 11}};
    cr_assert_eq(kern_sock_sendv(&ring, c.client_fd, iov, 3, &c.send_op, on_send), 0);
    RUN_UNTIL(&ring, c.sends == 1);
    cr_assert_eq(c.last_res, 26);
    char got[32] = {0};
    cr_assert_eq(recv(c.server_fd, got, sizeof got, 0), 26);
    cr_assert_str_eq(got, "GET /index.html HTTP/1.1\r\n");
    cr_assert_eq(kern_sock_sendv(&ring, c.client_fd, iov, 0, &c.send_op, on_send), -EINVAL);
    close_pair(&c);
}

static void on_close(kern_ring_t *r, kern_op_t *op)
{
    (void)r;
    conn_t *c = op->data;
    c->closes++;
    c->last_res = op->res;
}

Test(kernel_sock, shutdown_and_close_go_through_the_ring)
{
    conn_t c;
    open_loopback(&c);
    c.close_op.data = &c;
    cr_assert_eq(kern_sock_shutdown(&ring, c.client_fd, SHUT_WR, &c.close_op, on_close), 0);
    RUN_UNTIL(&ring, c.closes == 1);
    cr_assert_eq(c.last_res, 0);
    char b;
    cr_assert_eq(recv(c.server_fd, &b, 1, 0), 0); /* FIN arrived */
    cr_assert_eq(kern_sock_close(&ring, c.client_fd, &c.close_op, on_close), 0);
    RUN_UNTIL(&ring, c.closes == 2);
    cr_assert_eq(c.last_res, 0);
    c.client_fd = -1;
    close_pair(&c);
}

/* ---- SEND_ZC ---- */

static void send_and_check_big(conn_t *c, bool force_zc)
{
    size_t n = 1 << 20;
    char *data = kern_alloc(n);
    for (size_t i = 0; i < n; i++)
        data[i] = (char)(i % 251);
    int rc = force_zc ? kern_sock_send_zc(&ring, c->client_fd, data, n, &c->send_op, on_send)
                      : kern_sock_send(&ring, c->client_fd, data, n, &c->send_op, on_send);
    cr_assert_eq(rc, 0);
    /* Drain on the server side while the ring runs the send. */
    char *got = kern_alloc(n);
    size_t have = 0;
    while (have < n || c->sends == 0) {
        cr_assert_geq(kern_ring_run(&ring, 0), 0);
        ssize_t r = recv(c->server_fd, got + have, n - have, MSG_DONTWAIT);
        if (r > 0)
            have += (size_t)r;
        if (c->sends == 1 && c->last_res > 0 && have == (size_t)c->last_res)
            break;
    }
    cr_assert_eq(c->sends, 1, "callback must run exactly once");
    cr_assert_gt(c->last_res, 0);
    cr_assert_eq(memcmp(got, data, (size_t)c->last_res), 0);
    cr_assert_eq(kern_ring_run(&ring, 20000000), 0);
    cr_assert_eq(c->sends, 1);
    kern_free(got);
    kern_free(data);
}

Test(kernel_sock, send_zc_runs_the_callback_once_after_the_notification)
{
    require_feature(&ring, KERN_FEAT_SEND_ZC);
    conn_t c;
    open_loopback(&c);
    send_and_check_big(&c, true);
    close_pair(&c);
}

Test(kernel_sock, large_send_falls_back_to_copy_without_send_zc)
{
    conn_t c;
    open_loopback(&c);
    if (!(ring.features & KERN_FEAT_SEND_ZC))
        cr_assert_eq(kern_sock_send_zc(&ring, c.client_fd, "x", 1, &c.send_op, on_send),
                     -EOPNOTSUPP);
    send_and_check_big(&c, false);
    close_pair(&c);
}

/* ---- registered files ---- */

static void on_recv_into_conn(kern_ring_t *r, kern_op_t *op) { on_recv_into(r, op); }

Test(kernel_sock, registered_sockets_carry_ops_and_close_for_real)
{
    require_feature(&ring, KERN_FEAT_REG_FILES);
    conn_t c;
    open_loopback(&c);
    cr_assert_eq(kern_ring_register_fd(&ring, c.server_fd), 0);
    cr_assert_eq(kern_ring_register_fd(&ring, c.client_fd), 0);
    cr_assert(kern_ring_fd_registered(&ring, c.server_fd));
    cr_assert_eq(kern_sock_send(&ring, c.client_fd, "fixed", 5, &c.send_op, on_send), 0);
    cr_assert_eq(kern_sock_recv_into(&ring, c.server_fd, c.got, sizeof c.got, -1, &c.recv_op,
                                     on_recv_into_conn),
                 0);
    RUN_UNTIL(&ring, c.sends == 1 && c.recvs == 1);
    cr_assert_eq(memcmp(c.got, "fixed", 5), 0);
    /* Closing through the ring unregisters first, so the peer sees EOF. */
    c.close_op.data = &c;
    cr_assert_eq(kern_sock_close(&ring, c.client_fd, &c.close_op, on_close), 0);
    RUN_UNTIL(&ring, c.closes == 1);
    cr_assert_eq(c.last_res, 0);
    cr_assert_not(kern_ring_fd_registered(&ring, c.client_fd));
    c.client_fd = -1;
    cr_assert_eq(kern_sock_recv_into(&ring, c.server_fd, c.got, sizeof c.got, 1000000000,
                                     &c.recv_op, on_recv_into_conn),
                 0);
    RUN_UNTIL(&ring, c.recvs == 2);
    cr_assert_eq(c.last_res, 0, "peer did not see EOF: %d", c.last_res);
    cr_assert_eq(kern_ring_unregister_fd(&ring, c.server_fd), 0);
    cr_assert_eq(kern_ring_unregister_fd(&ring, c.server_fd), -ENOENT);
    close_pair(&c);
}

Test(kernel_sock, file_table_limits_are_reported)
{
    int fd = dup(0);
    if (!(ring.features & KERN_FEAT_REG_FILES)) {
        cr_assert_eq(kern_ring_register_fd(&ring, fd), -EOPNOTSUPP);
        close(fd);
        return;
    }
    int high = fcntl(fd, F_DUPFD_CLOEXEC, 5000); /* past the 4096-slot table */
    cr_assert_geq(high, 5000);
    cr_assert_eq(kern_ring_register_fd(&ring, high), -ENOSPC);
    cr_assert_eq(kern_ring_register_fd(&ring, -1), -ENOSPC);
    cr_assert_eq(kern_ring_register_fd(&ring, fd), 0);
    cr_assert_eq(kern_ring_register_fd(&ring, fd), 0, "registering twice is harmless");
    cr_assert_eq(kern_ring_unregister_fd(&ring, fd), 0);
    close(high);
    close(fd);
}

static int arms;
static void on_recv_counting(kern_ring_t *r, kern_op_t *op)
{
    conn_t *c = op->data;
    c->recvs++;
    c->last_res = op->res;
    if (op->res > 0) {
        c->got_len += op->buf->len;
        kern_buf_unref(op->buf);
    }
    if (!(op->flags & KERN_OP_F_MORE) && op->res > 0) {
        arms++;
        cr_assert_eq(kern_sock_recv(r, c->server_fd, op->_group, op, on_recv_counting), 0);
    }
}

Test(kernel_sock, one_recv_call_keeps_receiving)
{
    conn_t c;
    open_loopback(&c);
    kern_buf_group_t g;
    cr_assert_eq(kern_buf_group_init(&g, &ring, 8, 256), 0);
    arms = 1;
    cr_assert_eq(kern_sock_recv(&ring, c.server_fd, &g, &c.recv_op, on_recv_counting), 0);
    for (int i = 0; i < 10; i++) {
        int before = c.recvs;
        cr_assert_eq(write(c.client_fd, "0123456789", 10), 10);
        RUN_UNTIL(&ring, c.recvs > before);
    }
    cr_assert_eq(c.got_len, 100u);
    cr_assert_eq(c.recvs, 10);
    /* Multishot: one SQE for ten receives; otherwise one per receive. */
    cr_assert_eq(arms, (ring.features & KERN_FEAT_MULTISHOT_RECV) ? 1 : 11);
    cr_assert_eq(kern_op_cancel(&ring, &c.recv_op), 0);
    RUN_UNTIL(&ring, !kern_op_pending(&c.recv_op));
    cr_assert_eq(c.last_res, -ECANCELED);
    cr_assert_eq(g.outstanding, 0u);
    kern_buf_group_destroy(&g);
    close_pair(&c);
}

/* ---- send_recv: request/response in one linked pair ---- */

static void on_pair(kern_ring_t *r, kern_op_t *op)
{
    (void)r;
    conn_t *c = op->data;
    c->recvs++;
    c->last_res = op->res;
    if (op->res > 0) {
        memcpy(c->got, op->buf->base, op->buf->len);
        c->got_len = op->buf->len;
        kern_buf_unref(op->buf);
    } else {
        cr_assert_null(op->buf);
    }
}

Test(kernel_sock, send_recv_answers_and_reads_the_next_request_with_one_callback)
{
    conn_t c;
    open_loopback(&c);
    kern_buf_group_t g;
    cr_assert_eq(kern_buf_group_init(&g, &ring, 4, 64), 0);
    /* len 0: only the first receive. */
    cr_assert_eq(kern_sock_send_recv(&ring, c.server_fd, NULL, 0, &g, &c.recv_op, on_pair), 0);
    cr_assert_eq(write(c.client_fd, "ping1", 5), 5);
    RUN_UNTIL(&ring, c.recvs == 1);
    cr_assert_eq(c.last_res, 5);
    for (int i = 2; i <= 4; i++) {
        uint64_t cqes = ring.stats.cqes;
        cr_assert_eq(kern_sock_send_recv(&ring, c.server_fd, "pong", 4, &g, &c.recv_op, on_pair),
                     0);
        char reply[8] = {0};
        /* The client sees the reply before it sends the next request. */
        while (recv(c.client_fd, reply, sizeof reply, MSG_DONTWAIT) != 4)
            cr_assert_geq(kern_ring_run(&ring, 1000000), 0);
        cr_assert_str_eq(reply, "pong");
        char req[8];
        snprintf(req, sizeof req, "ping%d", i);
        cr_assert_eq(write(c.client_fd, req, 5), 5);
        RUN_UNTIL(&ring, c.recvs == i);
        cr_assert_eq(c.last_res, 5);
        cr_assert_eq(memcmp(c.got, req, 5), 0);
        /* One CQE for the pair: the successful send stayed silent. */
        cr_assert_eq(ring.stats.cqes - cqes, 1u);
    }
    cr_assert_eq(g.outstanding, 0u);
    kern_buf_group_destroy(&g);
    close_pair(&c);
}

Test(kernel_sock, send_recv_reports_a_failed_send_once)
{
    conn_t c;
    open_loopback(&c);
    kern_buf_group_t g;
    cr_assert_eq(kern_buf_group_init(&g, &ring, 4, 64), 0);
    struct linger lg = {.l_onoff = 1, .l_linger = 0};
    cr_assert_eq(setsockopt(c.client_fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg), 0);
    close(c.client_fd); /* reset: the send must fail */
    c.client_fd = -1;
    usleep(10000);
    cr_assert_eq(kern_sock_send_recv(&ring, c.server_fd, "late", 4, &g, &c.recv_op, on_pair), 0);
    RUN_UNTIL(&ring, c.recvs == 1);
    cr_assert(c.last_res == -EPIPE || c.last_res == -ECONNRESET, "res %d", c.last_res);
    cr_assert_eq(kern_ring_run(&ring, 20000000), 0);
    cr_assert_eq(c.recvs, 1);
    cr_assert_eq(g.outstanding, 0u);
    kern_buf_group_destroy(&g);
    close_pair(&c);
}

Test(kernel_sock, send_recv_can_be_cancelled_while_it_waits_for_the_request)
{
    conn_t c;
    open_loopback(&c);
    kern_buf_group_t g;
    cr_assert_eq(kern_buf_group_init(&g, &ring, 4, 64), 0);
    cr_assert_eq(kern_sock_send_recv(&ring, c.server_fd, "hi", 2, &g, &c.recv_op, on_pair), 0);
    cr_assert_eq(kern_ring_run(&ring, 0), 0);
    cr_assert_eq(kern_op_cancel(&ring, &c.recv_op), 0);
    RUN_UNTIL(&ring, c.recvs == 1);
    cr_assert_eq(c.last_res, -ECANCELED);
    char reply[4];
    cr_assert_eq(recv(c.client_fd, reply, sizeof reply, 0), 2, "the send still went out");
    cr_assert_eq(g.outstanding, 0u);
    kern_buf_group_destroy(&g);
    close_pair(&c);
}

/* ---- direct sends (kern_sock_send on a quiet ring) ---- */

static int tail_sends, tail_res;
static void on_tail_send(kern_ring_t *r, kern_op_t *op)
{
    (void)r;
    tail_sends++;
    tail_res = op->res;
}

Test(kernel_sock, a_quiet_ring_sends_during_the_call_once_per_turn_and_calls_back_from_the_loop)
{
    require_feature(&ring, KERN_FEAT_DIRECT_SEND);
    conn_t c;
    open_loopback(&c);
    cr_assert_geq(kern_ring_run(&ring, 0), 0); /* reaps nothing: the ring is quiet */
    uint64_t direct = ring.stats.direct_sends;
    static const char msg[] = "sent before the call returns";
    cr_assert_eq(kern_sock_send(&ring, c.client_fd, msg, sizeof msg, &c.send_op, on_send), 0);
    cr_assert_eq(ring.stats.direct_sends, direct + 1);
    cr_assert_eq(c.sends, 0, "the callback runs from kern_ring_run, never inside the call");
    char got[64];
    cr_assert_eq(recv(c.server_fd, got, sizeof got, MSG_DONTWAIT), (ssize_t)sizeof msg);
    cr_assert_str_eq(got, msg);
    /* One direct send per quiet turn: the next one in the same turn batches. */
    kern_op_t second = {0};
    tail_sends = 0;
    uint64_t sqes = ring.stats.sqes;
    cr_assert_eq(kern_sock_send(&ring, c.client_fd, "x", 1, &second, on_tail_send), 0);
    cr_assert_eq(ring.stats.direct_sends, direct + 1);
    cr_assert_eq(ring.stats.sqes, sqes + 1);
    RUN_UNTIL(&ring, c.sends == 1 && tail_sends == 1);
    cr_assert_eq(c.last_res, (int)sizeof msg);
    cr_assert_eq(tail_res, 1);
    cr_assert_eq(recv(c.server_fd, got, sizeof got, MSG_DONTWAIT), 1);
    close_pair(&c);
}

Test(kernel_sock, a_send_never_overtakes_one_still_in_the_ring)
{
    conn_t c;
    open_loopback(&c);
    int small = 4096;
    setsockopt(c.client_fd, SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
    setsockopt(c.server_fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    cr_assert_geq(kern_ring_run(&ring, 0), 0);
    size_t n = 1 << 18;
    char *data = kern_alloc(n);
    for (size_t i = 0; i < n; i++)
        data[i] = (char)(i % 251);
    struct iovec iov = {.iov_base = data, .iov_len = n};
    uint64_t direct = ring.stats.direct_sends;
    cr_assert_eq(kern_sock_sendv(&ring, c.client_fd, &iov, 1, &c.send_op, on_send), 0);
    static const char tail[] = "TAIL";
    kern_op_t tail_op = {0};
    tail_sends = 0;
    cr_assert_eq(kern_sock_send(&ring, c.client_fd, tail, 4, &tail_op, on_tail_send), 0);
    cr_assert_eq(ring.stats.direct_sends, direct, "a ring send is pending: no direct send");
    char *got = kern_alloc(n + 4);
    size_t have = 0;
    uint64_t deadline = kern_timer_now_ns() + 5000000000ull;
    while (c.sends == 0 || tail_sends == 0 || have < (size_t)c.last_res + (size_t)tail_res) {
        cr_assert_lt(kern_timer_now_ns(), deadline);
        cr_assert_geq(kern_ring_run(&ring, 0), 0);
        ssize_t r = recv(c.server_fd, got + have, n + 4 - have, MSG_DONTWAIT);
        if (r > 0)
            have += (size_t)r;
    }
    cr_assert_gt(c.last_res, 0);
    cr_assert_eq(tail_res, 4);
    cr_assert_eq(have, (size_t)c.last_res + 4);
    cr_assert_eq(memcmp(got, data, (size_t)c.last_res), 0, "the first send's bytes come first");
    cr_assert_eq(memcmp(got + c.last_res, tail, 4), 0, "the second send's bytes come after");
    kern_free(got);
    kern_free(data);
    close_pair(&c);
}

Test(kernel_sock, direct_send_can_be_switched_off_per_ring)
{
    conn_t c;
    open_loopback(&c);
    kern_ring_t r2;
    kern_ring_opts_t o = {.feature_mask = KERN_FEAT_DIRECT_SEND};
    cr_assert_eq(kern_ring_init(&r2, &o), 0);
    cr_assert_eq(r2.features & KERN_FEAT_DIRECT_SEND, 0u);
    cr_assert_eq(kern_sock_send(&r2, c.client_fd, "abc", 3, &c.send_op, on_send), 0);
    RUN_UNTIL(&r2, c.sends == 1);
    cr_assert_eq(c.last_res, 3);
    cr_assert_eq(r2.stats.direct_sends, 0u);
    cr_assert_eq(r2.stats.sqes, 2u); /* the eventfd read armed at init, then the send */
    kern_ring_destroy(&r2);
    close_pair(&c);
}

Test(kernel_sock, send_at_once_writes_every_send_of_a_turn_during_the_call)
{
    require_feature(&ring, KERN_FEAT_DIRECT_SEND);
    conn_t c;
    open_loopback(&c);
    kern_ring_t r2;
    kern_ring_opts_t o = {.send_at_once = true};
    cr_assert_eq(kern_ring_init(&r2, &o), 0);
    kern_op_t ops[3] = {{0}};
    tail_sends = 0;
    uint64_t sqes = r2.stats.sqes;
    static const char bytes[] = "xyz";
    for (int i = 0; i < 3; i++) /* one turn: a quiet ring would write only the first */
        cr_assert_eq(kern_sock_send(&r2, c.client_fd, bytes + i, 1, &ops[i], on_tail_send), 0);
    cr_assert_eq(r2.stats.direct_sends, 3u);
    cr_assert_eq(r2.stats.sqes, sqes, "no SQE for any of them");
    cr_assert_eq(tail_sends, 0, "callbacks still run from the loop");
    char got[8];
    cr_assert_eq(recv(c.server_fd, got, sizeof got, MSG_DONTWAIT), 3);
    cr_assert_eq(memcmp(got, "xyz", 3), 0, "in the order of the calls");
    RUN_UNTIL(&r2, tail_sends == 3);
    kern_ring_destroy(&r2);
    close_pair(&c);
}
