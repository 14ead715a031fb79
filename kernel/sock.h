/* Sockets over the ring: TCP (IPv4, IPv6) and Unix stream sockets.
 *
 * Set-up calls that never block (socket, bind, listen, setsockopt) are plain
 * syscalls and return the descriptor or -errno. Everything that can wait
 * (accept, connect, recv, send, shutdown, close) is an op on the ring and
 * follows op.h: 0 means cb runs exactly once per final completion.
 *
 * Errors a callback sees: -ECONNRESET / -EPIPE (peer reset; sends use
 * MSG_NOSIGNAL so there is no SIGPIPE), -ECONNREFUSED, -ETIMEDOUT (the op's
 * own timeout), -ECANCELED (kern_op_cancel), -ENOBUFS (receive buffers
 * exhausted, buf.h), -EBADF / -ENOTSOCK (programmer error). recv reports 0 at
 * end of stream. */
#ifndef SNOW_KERNEL_SOCK_H
#define SNOW_KERNEL_SOCK_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>

#include "kernel/buf.h"
#include "kernel/pool.h"
#include "kernel/ring.h"

typedef struct kern_sock_addr_t {
    union {
        struct sockaddr sa;
        struct sockaddr_in in4;
        struct sockaddr_in6 in6;
        struct sockaddr_un un;
    } u;
    socklen_t len;
} kern_sock_addr_t;

enum {
    KERN_SOCK_REUSEPORT = 1u << 0, /* SO_REUSEPORT: one listener per worker */
    KERN_SOCK_V6ONLY = 1u << 1,    /* IPV6_V6ONLY on an IPv6 listener */
};

/* Sends of at least this many bytes use SEND_ZC when the ring has it. */
#define KERN_SOCK_ZC_MIN_BYTES (16u * 1024u)

/* Fills a from a numeric IPv4 or IPv6 address (no name lookup; see
 * kern_sock_resolve) and a port. Returns 0 or -EINVAL. */
int kern_sock_addr_ip(kern_sock_addr_t *a, const char *ip, uint16_t port);

/* Fills a with a Unix socket path (borrowed). Returns 0 or -ENAMETOOLONG. */
int kern_sock_addr_unix(kern_sock_addr_t *a, const char *path);

/* Returns the port of an IP address, 0 for other families. */
uint16_t kern_sock_addr_port(const kern_sock_addr_t *a);

/* A name lookup running on the blocking pool. */
typedef struct kern_sock_resolve_t {
    kern_pool_job_t job;   /* job.op is what the callback receives */
    kern_sock_addr_t addr; /* the first address found, with the port */
    const char *_host;
    uint16_t _port;
    int _family;
} kern_sock_resolve_t;

/* Looks up host (borrowed until cb) with getaddrinfo on pool, for family
 * AF_INET, AF_INET6 or AF_UNSPEC, and stores the first address with port in
 * r->addr (r borrowed until cb). Numeric hosts skip the pool thread's DNS but
 * still complete through it. cb gets &r->job.op with res 0, -ENOENT (no such
 * name), -EAGAIN (temporary failure) or -EINVAL. Ring's thread. */
int kern_sock_resolve(kern_pool_t *pool, kern_ring_t *ring, kern_sock_resolve_t *r,
                      const char *host, uint16_t port, int family, kern_op_cb cb);

/* Opens a listening stream socket bound to a (borrowed), with SO_REUSEADDR,
 * KERN_SOCK_* flags and, for TCP, TCP_NODELAY (inherited by accepted
 * sockets). Returns the descriptor (owned, close-on-exec) or -errno. */
int kern_sock_listen(const kern_sock_addr_t *a, int backlog, unsigned flags);

/* Stores fd's local address in out. Returns 0 or -errno. */
int kern_sock_local_addr(int fd, kern_sock_addr_t *out);

/* Sets TCP_NODELAY on fd. Returns 0 or -errno. */
int kern_sock_set_nodelay(int fd);

/* Accepts connections on listen_fd. With MULTISHOT_ACCEPT one call keeps
 * accepting (KERN_OP_F_MORE set on each callback); otherwise each call accepts
 * one. Either way, when a callback comes without KERN_OP_F_MORE, call again
 * to keep accepting. op->res is the new socket (owned by the callback,
 * close-on-exec) or -errno. */
int kern_sock_accept(kern_ring_t *ring, int listen_fd, kern_op_t *op, kern_op_cb cb);

/* Creates a socket and connects it to a (borrowed until this call returns;
 * the SQE is submitted at once). timeout_ns < 0 means no timeout. op->res is
 * the connected socket (owned by the callback) or -errno; on failure the
 * socket is already closed. */
int kern_sock_connect(kern_ring_t *ring, const kern_sock_addr_t *a, int64_t timeout_ns,
                      kern_op_t *op, kern_op_cb cb);

/* Receives into buffers of group g (kept until the receive ends). With
 * MULTISHOT_RECV one call keeps receiving; when a callback comes without
 * KERN_OP_F_MORE, call again to keep receiving (unless res <= 0 means you are
 * done). op->res is bytes (op->buf holds them; the callback owns that
 * reference), 0 at end of stream, or -errno. */
int kern_sock_recv(kern_ring_t *ring, int fd, kern_buf_group_t *g, kern_op_t *op, kern_op_cb cb);

/* Request/response in one step: sends len bytes at p (borrowed until cb)
 * and, once every byte is out, receives once into a buffer of group g, as a
 * linked pair whose send posts no completion when it succeeds. Compared with
 * kern_sock_send followed by kern_sock_recv this saves the send's CQE and,
 * in ping-pong traffic, one io_uring_enter per round trip. len 0 means only
 * the receive. cb runs once: op->res is the receive's result (bytes in
 * op->buf, 0 at end of stream) with the whole send done, or the send's
 * -errno (-EPIPE, -ECONNRESET) when it failed, in which case nothing was
 * received. The receive is single-shot. Returns 0, or -ENOBUFS at once when
 * a fallback group (no BUF_RING) has no free buffer. */
int kern_sock_send_recv(kern_ring_t *ring, int fd, const void *p, size_t len, kern_buf_group_t *g,
                        kern_op_t *op, kern_op_cb cb);

/* Receives at most cap bytes into p (borrowed until cb). timeout_ns < 0 means
 * none. op->res is bytes, 0 at end of stream, or -errno. */
int kern_sock_recv_into(kern_ring_t *ring, int fd, void *p, size_t cap, int64_t timeout_ns,
                        kern_op_t *op, kern_op_cb cb);

/* Sends len bytes at p (borrowed until cb runs). Payloads of at least
 * KERN_SOCK_ZC_MIN_BYTES go zero-copy when the ring has SEND_ZC; cb then runs
 * after the kernel's notification, so p may be reused in cb either way.
 * op->res is bytes sent (may be short) or -errno. When the ring is quiet (its
 * last run reaped at most one CQE and no send since went this way), or was
 * set up with kern_ring_opts_t.send_at_once, and no ring send is pending,
 * the bytes go out with a non-blocking send(2) during this call, and cb
 * still runs from the next kern_ring_run; sends keep their order on a socket
 * either way (SNOW_URING_NO_DIRECT_SEND turns this off;
 * ring->stats.direct_sends counts it). So fd must be open in the process,
 * not only in the ring's file table. */
int kern_sock_send(kern_ring_t *ring, int fd, const void *p, size_t len, kern_op_t *op,
                   kern_op_cb cb);

/* Writes up to len bytes at p (borrowed for this call only) to fd now, with
 * one non-blocking send(2) and no op or callback: the runtime's fast path
 * for a reply that fits in the socket's buffer (try the write, wait only
 * when it would block; a caller that would park until kern_sock_send's
 * callback need not park). Returns the bytes written (> 0; may be short:
 * send the rest with kern_sock_send), 0 when len is 0, -EAGAIN when nothing
 * can go now in order (the socket is full, a send started through the ring
 * is still pending on ring so these bytes could overtake it, or direct sends
 * are off: SNOW_URING_NO_DIRECT_SEND), or another -errno when the send
 * failed (-EPIPE, -ECONNRESET; MSG_NOSIGNAL). Counted in
 * ring->stats.direct_sends. fd must be open in the process. Ring's thread. */
ssize_t kern_sock_send_now(kern_ring_t *ring, int fd, const void *p, size_t len);

/* Like kern_sock_send but always zero-copy; -EOPNOTSUPP without SEND_ZC. */
int kern_sock_send_zc(kern_ring_t *ring, int fd, const void *p, size_t len, kern_op_t *op,
                      kern_op_cb cb);

/* Gather send of iovcnt (<= 1024, IOV_MAX) pieces with one sendmsg. iov and the
 * memory it points at are borrowed until cb. op->res is bytes or -errno. */
int kern_sock_sendv(kern_ring_t *ring, int fd, const struct iovec *iov, unsigned iovcnt,
                    kern_op_t *op, kern_op_cb cb);

/* shutdown(2) through the ring; how is SHUT_RD, SHUT_WR or SHUT_RDWR. */
int kern_sock_shutdown(kern_ring_t *ring, int fd, int how, kern_op_t *op, kern_op_cb cb);

/* Closes fd (taken) through the ring. Cancel its pending ops first. */
int kern_sock_close(kern_ring_t *ring, int fd, kern_op_t *op, kern_op_cb cb);

/* ---- For kernel/ modules only ---- */

/* Starts op (a kern_sock_recv or the receive half of kern_sock_send_recv
 * whose completion was a -ENOBUFS that buf.c could cure) again on the same
 * socket and group, in the same form, without a callback in between. */
void kern_sock_recv_again_(kern_ring_t *ring, kern_op_t *op);

#endif
