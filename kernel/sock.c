/* Sockets over the ring (see sock.h).
 *
 * Each start function chooses the best form the ring allows (multishot or
 * single, provided buffers or a borrowed one, zero-copy or copy) so that
 * callers see one contract whatever the kernel offers. */
#include "kernel/sock.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/tcp.h>
#include <string.h>
#include <unistd.h>

#include "kernel/assert.h"
#include "kernel/probe.h"

int kern_sock_addr_ip(kern_sock_addr_t *a, const char *ip, uint16_t port)
{
    memset(a, 0, sizeof *a);
    if (inet_pton(AF_INET, ip, &a->u.in4.sin_addr) == 1) {
        a->u.in4.sin_family = AF_INET;
        a->u.in4.sin_port = htons(port);
        a->len = sizeof a->u.in4;
        return 0;
    }
    if (inet_pton(AF_INET6, ip, &a->u.in6.sin6_addr) == 1) {
        a->u.in6.sin6_family = AF_INET6;
        a->u.in6.sin6_port = htons(port);
        a->len = sizeof a->u.in6;
        return 0;
    }
    return -EINVAL;
}

int kern_sock_addr_unix(kern_sock_addr_t *a, const char *path)
{
    memset(a, 0, sizeof *a);
    size_t n = strlen(path);
    if (n >= sizeof a->u.un.sun_path)
        return -ENAMETOOLONG;
    a->u.un.sun_family = AF_UNIX;
    memcpy(a->u.un.sun_path, path, n + 1);
    a->len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
    return 0;
}

uint16_t kern_sock_addr_port(const kern_sock_addr_t *a)
{
    if (a->u.sa.sa_family == AF_INET)
        return ntohs(a->u.in4.sin_port);
    if (a->u.sa.sa_family == AF_INET6)
        return ntohs(a->u.in6.sin6_port);
    return 0;
}

static bool is_tcp(const kern_sock_addr_t *a)
{
    return a->u.sa.sa_family == AF_INET || a->u.sa.sa_family == AF_INET6;
}

int kern_sock_set_nodelay(int fd)
{
    int one = 1;
    return setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) < 0 ? -errno : 0;
}

static int set_flag(int fd, int level, int name)
{
    int one = 1;
    return setsockopt(fd, level, name, &one, sizeof one) < 0 ? -errno : 0;
}

int kern_sock_listen(const kern_sock_addr_t *a, int backlog, unsigned flags)
{
    int fd = socket(a->u.sa.sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    int rc = 0;
    if (is_tcp(a)) {
        rc = set_flag(fd, SOL_SOCKET, SO_REUSEADDR);
        if (rc == 0 && (flags & KERN_SOCK_REUSEPORT))
            rc = set_flag(fd, SOL_SOCKET, SO_REUSEPORT);
        if (rc == 0 && (flags & KERN_SOCK_V6ONLY) && a->u.sa.sa_family == AF_INET6)
            rc = set_flag(fd, IPPROTO_IPV6, IPV6_V6ONLY);
        if (rc == 0)
            rc = kern_sock_set_nodelay(fd);
    }
    if (rc == 0 && bind(fd, &a->u.sa, a->len) < 0)
        rc = -errno;
    if (rc == 0 && listen(fd, backlog) < 0)
        rc = -errno;
    if (rc < 0) {
        close(fd);
        return rc;
    }
    return fd;
}

int kern_sock_local_addr(int fd, kern_sock_addr_t *out)
{
    memset(out, 0, sizeof *out);
    out->len = sizeof out->u;
    return getsockname(fd, &out->u.sa, &out->len) < 0 ? -errno : 0;
}

int kern_sock_accept(kern_ring_t *ring, int listen_fd, kern_op_t *op, kern_op_cb cb)
{
    struct io_uring_sqe *sqe = kern_ring_sqe_(ring, op, KERN_OP_PLAIN_, cb);
    if (ring->features & KERN_FEAT_MULTISHOT_ACCEPT)
        io_uring_prep_multishot_accept(sqe, listen_fd, NULL, NULL, SOCK_CLOEXEC);
    else
        io_uring_prep_accept(sqe, listen_fd, NULL, NULL, SOCK_CLOEXEC);
    kern_ring_use_fd_(ring, sqe, listen_fd);
    return 0;
}

int kern_sock_connect(kern_ring_t *ring, const kern_sock_addr_t *a, int64_t timeout_ns,
                      kern_op_t *op, kern_op_cb cb)
{
    int fd = socket(a->u.sa.sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    if (is_tcp(a)) {
        int rc = kern_sock_set_nodelay(fd);
        if (rc < 0) {
            close(fd);
            return rc;
        }
    }
    kern_ring_reserve_(ring, 2);
    struct io_uring_sqe *sqe = kern_ring_sqe_(ring, op, KERN_OP_CONNECT_, cb);
    op->_fd = fd;
    io_uring_prep_connect(sqe, fd, &a->u.sa, a->len);
    if (timeout_ns >= 0)
        kern_ring_link_timeout_(ring, op, sqe, timeout_ns);
    /* The kernel reads the address when the SQE is issued: submit now so the
     * caller's address is only borrowed for this call. */
    int rc = kern_ring_submit(ring);
    return rc < 0 ? rc : 0;
}

int kern_sock_recv(kern_ring_t *ring, int fd, kern_buf_group_t *g, kern_op_t *op, kern_op_cb cb)
{
    snow_assert(g->ring == ring);
    if (!g->mapped) {
        kern_buf_t *b = kern_buf_take_(g);
        if (b == NULL) {
            kern_ring_complete_(ring, op, -ENOBUFS, cb);
            return 0;
        }
        struct io_uring_sqe *sqe = kern_ring_sqe_(ring, op, KERN_OP_RECV_POOL_, cb);
        op->_group = g;
        op->_pbuf = b;
        io_uring_prep_recv(sqe, fd, b->base, g->size, 0);
        kern_ring_use_fd_(ring, sqe, fd);
        return 0;
    }
    struct io_uring_sqe *sqe = kern_ring_sqe_(ring, op, KERN_OP_RECV_RING_, cb);
    op->_group = g;
    op->_pbuf = NULL;
    op->_fd = fd;
    if (ring->features & KERN_FEAT_MULTISHOT_RECV)
        io_uring_prep_recv_multishot(sqe, fd, NULL, 0, 0);
    else
        io_uring_prep_recv(sqe, fd, NULL, g->size, 0);
    sqe->flags |= IOSQE_BUFFER_SELECT;
    sqe->buf_group = g->bgid;
    kern_ring_use_fd_(ring, sqe, fd);
    return 0;
}

/* Fills sqe as a receive into group g (a borrowed buffer without BUF_RING). */
static void prep_group_recv(kern_ring_t *ring, struct io_uring_sqe *sqe, int fd,
                            kern_buf_group_t *g, kern_buf_t *b)
{
    if (b != NULL) {
        io_uring_prep_recv(sqe, fd, b->base, g->size, 0);
    } else {
        io_uring_prep_recv(sqe, fd, NULL, g->size, 0);
        sqe->flags |= IOSQE_BUFFER_SELECT;
        sqe->buf_group = g->bgid;
    }
    kern_ring_use_fd_(ring, sqe, fd);
}

int kern_sock_send_recv(kern_ring_t *ring, int fd, const void *p, size_t len, kern_buf_group_t *g,
                        kern_op_t *op, kern_op_cb cb)
{
    snow_assert(g->ring == ring);
    kern_buf_t *b = NULL;
    if (!g->mapped && (b = kern_buf_take_(g)) == NULL)
        return -ENOBUFS;
    kern_ring_reserve_(ring, 2);
    struct io_uring_sqe *sqe = kern_ring_sqe_(ring, op, KERN_OP_SEND_RECV_, cb);
    op->_group = g;
    op->_pbuf = b;
    op->_fd = fd;
    if (len > 0) {
        kern_ring_mark_send_(ring, op);
        /* MSG_WAITALL: success means every byte went out, so the send can
         * stay silent (CQE_SKIP_SUCCESS) and the recv's CQE implies it. */
        io_uring_prep_send(sqe, fd, p, len, MSG_NOSIGNAL | MSG_WAITALL);
        kern_ring_use_fd_(ring, sqe, fd);
        sqe->flags |= IOSQE_IO_LINK | IOSQE_CQE_SKIP_SUCCESS;
        io_uring_sqe_set_data64(sqe, (uint64_t)(uintptr_t)op | 1);
        sqe = kern_ring_sqe_bare_(ring);
    }
    prep_group_recv(ring, sqe, fd, g, b);
    io_uring_sqe_set_data(sqe, op);
    return 0;
}

void kern_sock_recv_again_(kern_ring_t *ring, kern_op_t *op)
{
    snow_assert(op->_state == KERN_OP_PENDING_ && op->_pbuf == NULL);
    uint8_t kind = op->_kind;
    kern_op_cb cb = op->cb;
    kern_buf_group_t *g = op->_group;
    /* The old receive is over: settle it as deliver would, minus the call. */
    op->_state = KERN_OP_IDLE_;
    ring->_in_flight--;
    if (op->_send) { /* the send half of a pair went out (no failure CQE) */
        op->_send = false;
        ring->_sends_pending--;
    }
    if (kind == KERN_OP_RECV_RING_) {
        kern_sock_recv(ring, op->_fd, g, op, cb);
        return;
    }
    struct io_uring_sqe *sqe = kern_ring_sqe_(ring, op, KERN_OP_SEND_RECV_, cb);
    op->_group = g;
    op->_pbuf = NULL;
    prep_group_recv(ring, sqe, op->_fd, g, NULL);
}

int kern_sock_recv_into(kern_ring_t *ring, int fd, void *p, size_t cap, int64_t timeout_ns,
                        kern_op_t *op, kern_op_cb cb)
{
    if (timeout_ns >= 0)
        kern_ring_reserve_(ring, 2);
    struct io_uring_sqe *sqe = kern_ring_sqe_(ring, op, KERN_OP_PLAIN_, cb);
    io_uring_prep_recv(sqe, fd, p, cap, 0);
    kern_ring_use_fd_(ring, sqe, fd);
    if (timeout_ns >= 0)
        kern_ring_link_timeout_(ring, op, sqe, timeout_ns);
    return 0;
}

int kern_sock_send_zc(kern_ring_t *ring, int fd, const void *p, size_t len, kern_op_t *op,
                      kern_op_cb cb)
{
    if (!(ring->features & KERN_FEAT_SEND_ZC))
        return -EOPNOTSUPP;
    struct io_uring_sqe *sqe = kern_ring_sqe_(ring, op, KERN_OP_SEND_ZC_, cb);
    kern_ring_mark_send_(ring, op);
    op->_zc_res = 0;
    io_uring_prep_send_zc(sqe, fd, p, len, MSG_NOSIGNAL, 0);
    kern_ring_use_fd_(ring, sqe, fd);
    return 0;
}

/* The ring's send: zero-copy for large buffers, else IORING_OP_SEND. */
static __attribute__((noinline)) int send_ring(kern_ring_t *ring, int fd, const void *p, size_t len,
                                               kern_op_t *op, kern_op_cb cb)
{
    if (len >= KERN_SOCK_ZC_MIN_BYTES && (ring->features & KERN_FEAT_SEND_ZC))
        return kern_sock_send_zc(ring, fd, p, len, op, cb);
    struct io_uring_sqe *sqe = kern_ring_sqe_(ring, op, KERN_OP_PLAIN_, cb);
    kern_ring_mark_send_(ring, op);
    io_uring_prep_send(sqe, fd, p, len, MSG_NOSIGNAL);
    kern_ring_use_fd_(ring, sqe, fd);
    return 0;
}

/* Writes with send(2) at once when the ring is quiet (its last run reaped at
 * most one CQE and no direct send happened since, so this send has nothing to
 * share an io_uring_enter with) or set up with send_at_once, and no ring send
 * is pending (so bytes cannot overtake an earlier send). In one-connection
 * ping-pong this turns "enter to submit the send, enter again to sleep" into
 * one send(2) and one enter (docs/kernel.md, echo benchmark). Otherwise, or
 * when the socket is full (EAGAIN), the send goes through the ring. */
int kern_sock_send(kern_ring_t *ring, int fd, const void *p, size_t len, kern_op_t *op,
                   kern_op_cb cb)
{
    if (__builtin_expect(len >= KERN_SOCK_ZC_MIN_BYTES, 0) || ring->_sends_pending != 0 ||
        !(ring->_quiet || ring->_send_at_once) || !(ring->features & KERN_FEAT_DIRECT_SEND))
        return send_ring(ring, fd, p, len, op, cb);
    ssize_t n = send(fd, p, len, MSG_DONTWAIT | MSG_NOSIGNAL);
    int32_t res = (int32_t)n;
    if (__builtin_expect(n < 0, 0)) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
            return send_ring(ring, fd, p, len, op, cb);
        /* ENOTSOCK: a pipe or file given to send: the ring's send fails the
         * same way, so keep the error. */
        res = -errno;
    }
    /* A short count is a normal short send. */
    ring->stats.direct_sends++;
    /* One direct send per quiet turn: when many processes send between two
     * runs, the rest batch into one io_uring_enter as before. */
    ring->_quiet = false;
    kern_ring_complete_(ring, op, res, cb);
    return 0;
}

ssize_t kern_sock_send_now(kern_ring_t *ring, int fd, const void *p, size_t len)
{
    if (ring->_sends_pending != 0 || !(ring->features & KERN_FEAT_DIRECT_SEND))
        return -EAGAIN;
    if (len == 0)
        return 0;
    ssize_t n = send(fd, p, len, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (__builtin_expect(n < 0, 0))
        return errno == EWOULDBLOCK || errno == EINTR ? -EAGAIN : -errno;
    ring->stats.direct_sends++;
    return n;
}

int kern_sock_sendv(kern_ring_t *ring, int fd, const struct iovec *iov, unsigned iovcnt,
                    kern_op_t *op, kern_op_cb cb)
{
    if (iovcnt == 0 || iovcnt > 1024) /* IOV_MAX on Linux */
        return -EINVAL;
    struct io_uring_sqe *sqe = kern_ring_sqe_(ring, op, KERN_OP_PLAIN_, cb);
    kern_ring_mark_send_(ring, op);
    memset(&op->_msg, 0, sizeof op->_msg);
    op->_msg.msg_iov = (struct iovec *)iov;
    op->_msg.msg_iovlen = iovcnt;
    io_uring_prep_sendmsg(sqe, fd, &op->_msg, MSG_NOSIGNAL);
    kern_ring_use_fd_(ring, sqe, fd);
    return 0;
}

int kern_sock_shutdown(kern_ring_t *ring, int fd, int how, kern_op_t *op, kern_op_cb cb)
{
    struct io_uring_sqe *sqe = kern_ring_sqe_(ring, op, KERN_OP_PLAIN_, cb);
    io_uring_prep_shutdown(sqe, fd, how);
    kern_ring_use_fd_(ring, sqe, fd);
    return 0;
}

int kern_sock_close(kern_ring_t *ring, int fd, kern_op_t *op, kern_op_cb cb)
{
    kern_ring_unregister_fd(ring, fd); /* -ENOENT when it was not registered */
    io_uring_prep_close(kern_ring_sqe_(ring, op, KERN_OP_PLAIN_, cb), fd);
    return 0;
}

/* Runs on a pool thread: getaddrinfo may block for seconds on DNS. */
static int resolve_run(void *arg)
{
    kern_sock_resolve_t *r = arg;
    struct addrinfo hints = {.ai_family = r->_family, .ai_socktype = SOCK_STREAM};
    struct addrinfo *res = NULL;
    int rc = getaddrinfo(r->_host, NULL, &hints, &res);
    if (rc != 0)
        return rc == EAI_NONAME   ? -ENOENT
               : rc == EAI_AGAIN  ? -EAGAIN
               : rc == EAI_SYSTEM ? -errno
                                  : -EINVAL;
    rc = -ENOENT;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        if (ai->ai_addrlen > sizeof r->addr.u)
            continue;
        memset(&r->addr, 0, sizeof r->addr);
        memcpy(&r->addr.u, ai->ai_addr, ai->ai_addrlen);
        r->addr.len = ai->ai_addrlen;
        if (ai->ai_family == AF_INET)
            r->addr.u.in4.sin_port = htons(r->_port);
        else if (ai->ai_family == AF_INET6)
            r->addr.u.in6.sin6_port = htons(r->_port);
        rc = 0;
        break;
    }
    freeaddrinfo(res);
    return rc;
}

int kern_sock_resolve(kern_pool_t *pool, kern_ring_t *ring, kern_sock_resolve_t *r,
                      const char *host, uint16_t port, int family, kern_op_cb cb)
{
    r->_host = host;
    r->_port = port;
    r->_family = family;
    return kern_pool_submit(pool, ring, &r->job, resolve_run, r, cb);
}
