/* Test-side helpers for the TLS tests; see test_tls_util.h. */
#define _GNU_SOURCE /* accept4, pipe2 */
#include "test_tls_util.h"

#include <criterion/criterion.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kernel/alloc.h"
#include "kernel/probe.h"
#include "kernel/ring.h"
#include "kernel/sock.h"
#include "kernel/timer.h"

const char *tls_test_data(const char *name)
{
    static char bufs[8][512];
    static int next;
    char *out = bufs[next++ % 8];
    const char *file = __FILE__;
    const char *slash = strrchr(file, '/');
    int dir_len = slash ? (int)(slash - file) : 1;
    snprintf(out, sizeof bufs[0], "%.*s/data/%s", dir_len, slash ? file : ".", name);
    return out;
}

char *tls_test_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)size + 1);
    cr_assert_eq(fread(buf, 1, (size_t)size, f), (size_t)size);
    buf[size] = '\0';
    fclose(f);
    *len = (size_t)size;
    return buf;
}

static int count_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    cr_assert_not_null(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d));)
        n += e->d_name[0] != '.';
    closedir(d);
    return n - 1; /* the directory stream's own descriptor */
}

static int64_t live_blocks_at_begin;
static int fds_at_begin;

void tls_test_leak_begin(void)
{
    live_blocks_at_begin = kern_alloc_live_count();
    fds_at_begin = count_fds();
}

void tls_test_leak_end(void)
{
    cr_assert_eq(kern_alloc_live_count(), live_blocks_at_begin, "kern_alloc blocks leaked");
    cr_assert_eq(count_fds(), fds_at_begin, "file descriptors leaked");
}

kern_tls_config_t tls_test_server_cfg(const char *cert, const char *key)
{
    return (kern_tls_config_t){
        .role = KERN_TLS_SERVER,
        .cert_file = tls_test_data(cert),
        .key_file = tls_test_data(key),
    };
}

kern_tls_config_t tls_test_client_cfg(void)
{
    return (kern_tls_config_t){.role = KERN_TLS_CLIENT, .ca_file = tls_test_data("ca.pem")};
}

void tls_test_pump(kern_tls_conn_t *from, kern_tls_conn_t *to)
{
    const uint8_t *bytes;
    size_t n = kern_tls_pending_out(from, &bytes);
    if (n == 0)
        return;
    cr_assert_eq(kern_tls_feed(to, bytes, n), 0);
    kern_tls_consume_out(from, n);
}

int tls_test_handshake_pair(kern_tls_conn_t *client, kern_tls_conn_t *server, int *client_rc,
                            int *server_rc)
{
    *client_rc = *server_rc = -EAGAIN;
    int rounds = 0;
    while (rounds < 20 && (*client_rc == -EAGAIN || *server_rc == -EAGAIN)) {
        rounds++;
        if (*client_rc == -EAGAIN)
            *client_rc = kern_tls_handshake(client);
        tls_test_pump(client, server);
        if (*server_rc == -EAGAIN)
            *server_rc = kern_tls_handshake(server);
        tls_test_pump(server, client);
        if ((*client_rc < 0 && *client_rc != -EAGAIN) ||
            (*server_rc < 0 && *server_rc != -EAGAIN)) {
            /* Let the other side see the alert, then stop. */
            if (*client_rc == -EAGAIN)
                *client_rc = kern_tls_handshake(client);
            if (*server_rc == -EAGAIN)
                *server_rc = kern_tls_handshake(server);
            break;
        }
    }
    return rounds;
}

/* {====== Sockets */

static void set_nonblocking(int fd)
{
    int flags = fcntl(fd, F_GETFL);
    cr_assert_geq(flags, 0);
    cr_assert_eq(fcntl(fd, F_SETFL, flags | O_NONBLOCK), 0);
}

int tls_test_listen(uint16_t *port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    cr_assert_geq(fd, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    cr_assert_eq(bind(fd, (struct sockaddr *)&addr, sizeof addr), 0);
    cr_assert_eq(listen(fd, 16), 0);
    socklen_t len = sizeof addr;
    cr_assert_eq(getsockname(fd, (struct sockaddr *)&addr, &len), 0);
    *port = ntohs(addr.sin_port);
    return fd;
}

int tls_test_connect(uint16_t port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    cr_assert_geq(fd, 0);
    struct sockaddr_in addr = {
        .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK), .sin_port = htons(port)};
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        close(fd);
        return -errno;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    set_nonblocking(fd);
    return fd;
}

int tls_test_accept(int listen_fd, int timeout_ms)
{
    struct pollfd p = {.fd = listen_fd, .events = POLLIN};
    if (poll(&p, 1, timeout_ms) != 1)
        return -1;
    int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
    cr_assert_geq(fd, 0);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

int64_t tls_test_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static ssize_t flush_out(kern_tls_conn_t *conn, int fd)
{
    ssize_t moved = 0;
    const uint8_t *bytes;
    size_t n;
    while ((n = kern_tls_pending_out(conn, &bytes)) > 0) {
        ssize_t w = send(fd, bytes, n, MSG_NOSIGNAL);
        if (w < 0)
            return errno == EAGAIN ? moved : -errno;
        kern_tls_consume_out(conn, (size_t)w);
        moved += w;
    }
    return moved;
}

static ssize_t fill_in(kern_tls_conn_t *conn, int fd)
{
    uint8_t buf[65536];
    size_t room = KERN_TLS_IN_MAX - kern_tls_pending_in(conn);
    if (room == 0)
        return 0;
    ssize_t r = recv(fd, buf, room < sizeof buf ? room : sizeof buf, 0);
    if (r < 0)
        return errno == EAGAIN ? 0 : -errno;
    if (r == 0) {
        kern_tls_feed_eof(conn);
        return 0;
    }
    /* Copying feed: buf is reused before the next engine call (the loaning
     * kern_tls_feed_borrow is covered by test_tls.c). */
    int rc = kern_tls_feed(conn, buf, (size_t)r);
    cr_assert_eq(rc, 0, "feed: %s", kern_tls_strerror(rc));
    return r;
}

ssize_t tls_test_io(kern_tls_conn_t *conn, int fd, int wait_ms)
{
    ssize_t out = flush_out(conn, fd);
    if (out < 0)
        return out;
    ssize_t in = fill_in(conn, fd);
    if (in < 0)
        return in;
    if (out + in == 0 && wait_ms > 0) {
        short events = POLLIN | (kern_tls_pending_out(conn, NULL) ? POLLOUT : 0);
        struct pollfd p = {.fd = fd, .events = events};
        poll(&p, 1, wait_ms);
        out = flush_out(conn, fd);
        in = fill_in(conn, fd);
        if (out < 0 || in < 0)
            return out < 0 ? out : in;
    }
    return out + in;
}

int tls_test_handshake_fd(kern_tls_conn_t *conn, int fd, int timeout_ms)
{
    int64_t deadline = tls_test_now_ms() + timeout_ms;
    int rc;
    while ((rc = kern_tls_handshake(conn)) == -EAGAIN) {
        if (tls_test_now_ms() > deadline)
            return -ETIMEDOUT;
        ssize_t io = tls_test_io(conn, fd, 50);
        if (io < 0)
            return (int)io;
    }
    flush_out(conn, fd); /* the last flight, or an alert */
    return rc;
}

int tls_test_write_all(kern_tls_conn_t *conn, int fd, const void *buf, size_t len, int timeout_ms)
{
    int64_t deadline = tls_test_now_ms() + timeout_ms;
    const uint8_t *p = buf;
    while (len > 0) {
        int rc = kern_tls_write(conn, p, len);
        if (rc > 0) {
            p += rc;
            len -= (size_t)rc;
            continue;
        }
        if (rc != -EAGAIN)
            return rc;
        if (tls_test_now_ms() > deadline)
            return -ETIMEDOUT;
        ssize_t io = tls_test_io(conn, fd, 50);
        if (io < 0)
            return (int)io;
    }
    int64_t left = deadline - tls_test_now_ms();
    while (kern_tls_pending_out(conn, NULL) > 0 && tls_test_now_ms() < deadline) {
        struct pollfd pfd = {.fd = fd, .events = POLLOUT};
        poll(&pfd, 1, left > 50 ? 50 : (int)(left > 0 ? left : 1));
        if (flush_out(conn, fd) < 0)
            return -EPIPE;
    }
    return kern_tls_pending_out(conn, NULL) == 0 ? 0 : -ETIMEDOUT;
}

ssize_t tls_test_read_n(kern_tls_conn_t *conn, int fd, void *buf, size_t len, int timeout_ms)
{
    int64_t deadline = tls_test_now_ms() + timeout_ms;
    size_t got = 0;
    while (got < len) {
        int rc = kern_tls_read(conn, (uint8_t *)buf + got, len - got);
        if (rc > 0) {
            got += (size_t)rc;
            continue;
        }
        if (rc == 0)
            break;
        if (rc != -EAGAIN)
            return rc;
        if (tls_test_now_ms() > deadline)
            break;
        ssize_t io = tls_test_io(conn, fd, 50);
        if (io < 0)
            return io;
    }
    return (ssize_t)got;
}

int tls_test_shutdown_fd(kern_tls_conn_t *conn, int fd, int timeout_ms)
{
    int64_t deadline = tls_test_now_ms() + timeout_ms;
    int rc;
    while ((rc = kern_tls_shutdown(conn)) == -EAGAIN) {
        if (tls_test_now_ms() > deadline)
            return -ETIMEDOUT;
        ssize_t io = tls_test_io(conn, fd, 50);
        if (io < 0)
            return (int)io;
    }
    flush_out(conn, fd);
    return rc;
}

/* }====== */

/* {====== The ring */

void tls_test_ring_setup(kern_ring_t *ring)
{
    kern_probe_get(); /* the probe's scratch rings are closed before we count */
    tls_test_leak_begin();
    int rc = kern_ring_init(ring, NULL);
    cr_assert_eq(rc, 0, "kern_ring_init: %d", rc);
}

void tls_test_ring_teardown(kern_ring_t *ring)
{
    cr_assert_eq(kern_ring_in_flight(ring), 0, "ring ops still in flight");
    kern_ring_destroy(ring);
    tls_test_leak_end();
}

void tls_test_ring_until(kern_ring_t *ring, const bool *flag, int timeout_ms)
{
    uint64_t deadline = kern_timer_now_ns() + (uint64_t)timeout_ms * 1000000u;
    while (!*flag) {
        cr_assert_lt(kern_timer_now_ns(), deadline, "timed out after %d ms", timeout_ms);
        int rc = kern_ring_run(ring, 50000000);
        cr_assert_geq(rc, 0, "kern_ring_run: %d", rc);
    }
}

int tls_test_ring_listen(uint16_t *port)
{
    kern_sock_addr_t a;
    cr_assert_eq(kern_sock_addr_ip(&a, "127.0.0.1", 0), 0);
    int fd = kern_sock_listen(&a, 16, 0);
    cr_assert_geq(fd, 0);
    kern_sock_addr_t bound;
    cr_assert_eq(kern_sock_local_addr(fd, &bound), 0);
    *port = kern_sock_addr_port(&bound);
    return fd;
}

typedef struct pair_wait_t {
    int fd;
    bool done;
} pair_wait_t;

static void on_pair_op(kern_ring_t *ring, kern_op_t *op)
{
    (void)ring;
    pair_wait_t *w = op->data;
    if (op->res == -ECANCELED)
        return; /* the multishot accept being stopped */
    cr_assert_geq(op->res, 0, "accept/connect: %d", op->res);
    w->fd = op->res;
    w->done = true;
}

void tls_test_ring_connect_pair(kern_ring_t *ring, int listen_fd, uint16_t port, int *client_fd,
                                int *server_fd)
{
    pair_wait_t acc = {-1, false}, con = {-1, false};
    kern_op_t acc_op = {.data = &acc}, con_op = {.data = &con};
    kern_sock_addr_t a;
    cr_assert_eq(kern_sock_addr_ip(&a, "127.0.0.1", port), 0);
    cr_assert_eq(kern_sock_accept(ring, listen_fd, &acc_op, on_pair_op), 0);
    cr_assert_eq(kern_sock_connect(ring, &a, 2000000000, &con_op, on_pair_op), 0);
    tls_test_ring_until(ring, &con.done, 3000);
    tls_test_ring_until(ring, &acc.done, 3000);
    if (kern_op_pending(&acc_op)) { /* multishot accept keeps going: stop it */
        kern_op_cancel(ring, &acc_op);
        while (kern_op_pending(&acc_op))
            kern_ring_run(ring, 10000000);
    }
    *client_fd = con.fd;
    *server_fd = acc.fd;
}

static void on_closed(kern_ring_t *ring, kern_op_t *op)
{
    (void)ring;
    *(bool *)op->data = true;
}

void tls_test_ring_close(kern_ring_t *ring, int fd)
{
    bool closed = false;
    kern_op_t op = {.data = &closed};
    cr_assert_eq(kern_sock_close(ring, fd, &op, on_closed), 0);
    tls_test_ring_until(ring, &closed, 2000);
}

uint16_t tls_test_free_port(void)
{
    uint16_t port;
    int fd = tls_test_listen(&port);
    close(fd);
    return port;
}

/* }====== */

/* {====== Child processes */

void tls_test_spawn(tls_test_child_t *child, char *const argv[])
{
    int in[2], out[2];
    cr_assert_eq(pipe2(in, O_CLOEXEC), 0);
    cr_assert_eq(pipe2(out, O_CLOEXEC), 0);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        dup2(out[1], 2);
        execvp(argv[0], argv);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    set_nonblocking(out[0]);
    child->pid = pid;
    child->in_fd = in[1];
    child->out_fd = out[0];
}

bool tls_test_child_wait_for(tls_test_child_t *child, char *buf, size_t cap, size_t *len,
                             const char *needle, int timeout_ms)
{
    int64_t deadline = tls_test_now_ms() + timeout_ms;
    for (;;) {
        buf[*len] = '\0';
        if (strstr(buf, needle))
            return true;
        int64_t left = deadline - tls_test_now_ms();
        if (left <= 0 || *len + 1 >= cap)
            return false;
        struct pollfd p = {.fd = child->out_fd, .events = POLLIN};
        if (poll(&p, 1, (int)left) <= 0)
            continue;
        ssize_t r = read(child->out_fd, buf + *len, cap - 1 - *len);
        if (r == 0)
            return strstr(buf, needle) != NULL; /* child closed its output */
        if (r > 0)
            *len += (size_t)r;
    }
}

void tls_test_child_stop(tls_test_child_t *child)
{
    if (child->pid > 0) {
        kill(child->pid, SIGTERM);
        int status;
        int64_t deadline = tls_test_now_ms() + 2000;
        while (waitpid(child->pid, &status, WNOHANG) == 0) {
            if (tls_test_now_ms() > deadline) {
                kill(child->pid, SIGKILL);
                waitpid(child->pid, &status, 0);
                break;
            }
            usleep(10000);
        }
        child->pid = 0;
    }
    if (child->in_fd >= 0)
        close(child->in_fd);
    if (child->out_fd >= 0)
        close(child->out_fd);
    child->in_fd = child->out_fd = -1;
}

/* }====== */
