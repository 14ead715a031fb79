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

/* {====== Time */

static void set_nonblocking(int fd)
{
    int flags = fcntl(fd, F_GETFL);
    cr_assert_geq(flags, 0);
    cr_assert_eq(fcntl(fd, F_SETFL, flags | O_NONBLOCK), 0);
}

int64_t tls_test_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
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

/* }====== */

/* {====== Child processes */

void tls_test_require_openssl(void)
{
    if (system("command -v openssl >/dev/null 2>&1") != 0)
        cr_skip_test("the openssl CLI is not installed (apt-get install openssl)");
}

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
