/* Tests for kern_sock_send_now (kernel/sock.h, issue 6): the write that
 * goes at once with no op, its order against sends still in the ring, a
 * full socket, a failed send, and the switch that turns it off. Unix
 * stream socket pairs: the contract does not depend on the family. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kernel/sock.h"
#include "tests/kernel/test_kernel.h"

TestSuite(kernel_sock_now, .init = ring_setup, .fini = ring_teardown, .timeout = 10);

static int sends, send_res;
static void on_send(kern_ring_t *r, kern_op_t *op)
{
    (void)r;
    sends++;
    send_res = op->res;
}

static void pair(int sv[2])
{
    cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    sends = send_res = 0;
}

Test(kernel_sock_now, writes_during_the_call_with_no_op_and_counts_it)
{
    require_feature(&ring, KERN_FEAT_DIRECT_SEND);
    int sv[2];
    pair(sv);
    uint64_t direct = ring.stats.direct_sends, sqes = ring.stats.sqes;
    static const char msg[] = "at once";
    cr_assert_eq(kern_sock_send_now(&ring, sv[0], msg, sizeof msg), (ssize_t)sizeof msg);
    cr_assert_eq(ring.stats.direct_sends, direct + 1);
    cr_assert_eq(ring.stats.sqes, sqes, "no SQE");
    cr_assert_eq(kern_ring_in_flight(&ring), 0, "no op");
    char got[16];
    cr_assert_eq(recv(sv[1], got, sizeof got, MSG_DONTWAIT), (ssize_t)sizeof msg);
    cr_assert_str_eq(got, msg);
    cr_assert_eq(kern_sock_send_now(&ring, sv[0], msg, 0), 0);
    close(sv[0]);
    close(sv[1]);
}

Test(kernel_sock_now, says_eagain_while_a_ring_send_is_pending_and_never_overtakes_it)
{
    int sv[2];
    pair(sv);
    int small = 4096;
    setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
    size_t n = 1 << 18; /* far more than the socket holds: the sendv stays pending */
    char *data = kern_alloc(n);
    for (size_t i = 0; i < n; i++)
        data[i] = (char)(i % 251);
    struct iovec iov = {.iov_base = data, .iov_len = n};
    kern_op_t op = {0};
    cr_assert_eq(kern_sock_sendv(&ring, sv[0], &iov, 1, &op, on_send), 0);
    cr_assert_eq(kern_sock_send_now(&ring, sv[0], "TAIL", 4), -EAGAIN);
    /* Drain until the ring's send is delivered, then the tail may go. */
    char *got = kern_alloc(n + 4);
    size_t have = 0;
    uint64_t deadline = kern_timer_now_ns() + 5000000000ull;
    while (sends == 0) {
        cr_assert_lt(kern_timer_now_ns(), deadline);
        cr_assert_geq(kern_ring_run(&ring, 0), 0);
        ssize_t r = recv(sv[1], got + have, n + 4 - have, MSG_DONTWAIT);
        if (r > 0)
            have += (size_t)r;
    }
    cr_assert_gt(send_res, 0); /* may be short: the tail must follow what went */
    size_t first = (size_t)send_res;
    if (ring.features & KERN_FEAT_DIRECT_SEND) {
        cr_assert_eq(kern_sock_send_now(&ring, sv[0], "TAIL", 4), 4);
    } else {
        cr_assert_eq(kern_sock_send_now(&ring, sv[0], "TAIL", 4), -EAGAIN);
        cr_assert_eq(send(sv[0], "TAIL", 4, 0), 4);
    }
    while (have < first + 4) {
        cr_assert_lt(kern_timer_now_ns(), deadline);
        ssize_t r = recv(sv[1], got + have, n + 4 - have, 0);
        cr_assert_gt(r, 0);
        have += (size_t)r;
    }
    cr_assert_eq(have, first + 4);
    cr_assert_eq(memcmp(got, data, first), 0, "the ring's bytes come first");
    cr_assert_eq(memcmp(got + first, "TAIL", 4), 0, "then the direct write's");
    kern_free(got);
    kern_free(data);
    close(sv[0]);
    close(sv[1]);
}

Test(kernel_sock_now, a_full_socket_says_eagain_and_keeps_every_byte_written)
{
    require_feature(&ring, KERN_FEAT_DIRECT_SEND);
    int sv[2];
    pair(sv);
    char chunk[1024];
    memset(chunk, 'z', sizeof chunk);
    size_t written = 0;
    ssize_t r;
    while ((r = kern_sock_send_now(&ring, sv[0], chunk, sizeof chunk)) > 0)
        written += (size_t)r;
    cr_assert_eq(r, -EAGAIN);
    cr_assert_gt(written, 0u);
    size_t read_back = 0;
    while ((r = recv(sv[1], chunk, sizeof chunk, MSG_DONTWAIT)) > 0)
        read_back += (size_t)r;
    cr_assert_eq(read_back, written);
    close(sv[0]);
    close(sv[1]);
}

Test(kernel_sock_now, a_closed_peer_gives_epipe_without_a_signal)
{
    require_feature(&ring, KERN_FEAT_DIRECT_SEND);
    int sv[2];
    pair(sv);
    close(sv[1]);
    cr_assert_eq(kern_sock_send_now(&ring, sv[0], "x", 1), -EPIPE);
    close(sv[0]);
}

Test(kernel_sock_now, is_off_with_direct_sends)
{
    int sv[2];
    pair(sv);
    kern_ring_t r2;
    kern_ring_opts_t o = {.feature_mask = KERN_FEAT_DIRECT_SEND};
    cr_assert_eq(kern_ring_init(&r2, &o), 0);
    cr_assert_eq(kern_sock_send_now(&r2, sv[0], "abc", 3), -EAGAIN);
    cr_assert_eq(r2.stats.direct_sends, 0u);
    char got[4];
    cr_assert_eq(recv(sv[1], got, sizeof got, MSG_DONTWAIT), -1, "nothing was written");
    kern_ring_destroy(&r2);
    close(sv[0]);
    close(sv[1]);
}
