/* Tests for kernel/buf.c (issue 6): provided-buffer groups, exhaustion and
 * recovery, refcounted slices, returns from other threads. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kernel/buf.h"
#include "kernel/sock.h"
#include "tests/kernel/test_kernel.h"

TestSuite(kernel_buf, .init = ring_setup, .fini = ring_teardown, .timeout = 10);

typedef struct rx_t {
    int fd;
    kern_buf_group_t *g;
    kern_op_t op;
    kern_buf_t *held[64];
    int held_count;
    int calls, last_res;
    char got[256];
    size_t got_len;
} rx_t;

/* Keeps every buffer (no unref) so that the group runs dry. */
static void on_recv_hold(kern_ring_t *r, kern_op_t *op)
{
    rx_t *x = op->data;
    x->calls++;
    x->last_res = op->res;
    if (op->res <= 0)
        return;
    cr_assert_lt(x->held_count, 64);
    memcpy(x->got + x->got_len, op->buf->base, op->buf->len);
    x->got_len += op->buf->len;
    x->held[x->held_count++] = op->buf;
    if (!(op->flags & KERN_OP_F_MORE))
        cr_assert_eq(kern_sock_recv(r, x->fd, x->g, op, on_recv_hold), 0);
}

static void release_all(rx_t *x)
{
    for (int i = 0; i < x->held_count; i++)
        kern_buf_unref(x->held[i]);
    x->held_count = 0;
}

Test(kernel_buf, exhaustion_reports_enobufs_and_recovery_resumes)
{
    int sv[2];
    cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    kern_buf_group_t g;
    cr_assert_eq(kern_buf_group_init(&g, &ring, 4, 8), 0);
    rx_t x = {.fd = sv[0], .g = &g};
    x.op.data = &x;
    char data[100];
    for (int i = 0; i < 100; i++)
        data[i] = (char)('A' + i % 26);
    cr_assert_eq(write(sv[1], data, sizeof data), 100);
    cr_assert_eq(kern_sock_recv(&ring, sv[0], &g, &x.op, on_recv_hold), 0);
    /* Four 8-byte buffers fill, then the receive stops with -ENOBUFS. */
    RUN_UNTIL(&ring, x.last_res == -ENOBUFS);
    cr_assert_eq(x.got_len, 32u);
    cr_assert_eq(x.held_count, 4);
    cr_assert_eq(g.outstanding, 4u);
    cr_assert_not(kern_op_pending(&x.op));
    /* Give the buffers back and start again: the rest arrives intact. */
    while (x.got_len < 100) {
        release_all(&x);
        cr_assert_eq(g.outstanding, 0u);
        int before = x.calls;
        cr_assert_eq(kern_sock_recv(&ring, sv[0], &g, &x.op, on_recv_hold), 0);
        RUN_UNTIL(&ring, x.calls > before && (!kern_op_pending(&x.op) || x.got_len == 100));
    }
    cr_assert_eq(x.got_len, 100u);
    /* The receive is still armed for more data: stop it. */
    if (kern_op_pending(&x.op)) {
        cr_assert_eq(kern_op_cancel(&ring, &x.op), 0);
        RUN_UNTIL(&ring, !kern_op_pending(&x.op));
        cr_assert_eq(x.last_res, -ECANCELED);
    }
    cr_assert_eq(memcmp(x.got, data, 100), 0);
    release_all(&x);
    cr_assert_eq(g.outstanding, 0u);
    kern_buf_group_destroy(&g);
    close(sv[0]);
    close(sv[1]);
}

static void on_recv_one(kern_ring_t *r, kern_op_t *op)
{
    (void)r;
    rx_t *x = op->data;
    x->calls++;
    x->last_res = op->res;
    if (op->res > 0)
        x->held[x->held_count++] = op->buf;
    if (op->flags & KERN_OP_F_MORE)
        cr_assert_eq(kern_op_cancel(r, op), 0);
}

/* Receives one message into a held buffer. */
static void recv_one(rx_t *x, int sv[2], kern_buf_group_t *g, const char *msg)
{
    cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    cr_assert_eq(kern_buf_group_init(g, &ring, 2, 64), 0);
    memset(x, 0, sizeof *x);
    x->fd = sv[0];
    x->g = g;
    x->op.data = x;
    cr_assert_eq(write(sv[1], msg, strlen(msg)), (ssize_t)strlen(msg));
    cr_assert_eq(kern_sock_recv(&ring, sv[0], g, &x->op, on_recv_one), 0);
    RUN_UNTIL(&ring, x->held_count == 1 && !kern_op_pending(&x->op));
    cr_assert_eq(g->outstanding, 1u);
}

Test(kernel_buf, slice_keeps_the_buffer_out_until_released)
{
    int sv[2];
    kern_buf_group_t g;
    rx_t x;
    recv_one(&x, sv, &g, "GET /a HTTP/1.1");
    kern_buf_t *b = x.held[0];
    kern_slice_t path = kern_slice_make(b, 4, 2);
    cr_assert_eq(path.len, 2u);
    cr_assert_eq(memcmp(path.base, "/a", 2), 0);
    cr_assert_eq(path.base, b->base + 4, "a slice is a view, not a copy");
    kern_buf_unref(b); /* the receiver is done; the slice still holds it */
    cr_assert_eq(g.outstanding, 1u);
    kern_slice_release(&path);
    cr_assert_null(path._buf);
    cr_assert_eq(g.outstanding, 0u);
    kern_buf_group_destroy(&g);
    close(sv[0]);
    close(sv[1]);
}

static void *unref_elsewhere(void *b)
{
    kern_buf_unref(b);
    return NULL;
}

Test(kernel_buf, buffer_dropped_on_another_thread_returns_on_the_next_run)
{
    int sv[2];
    kern_buf_group_t g;
    rx_t x;
    recv_one(&x, sv, &g, "payload");
    pthread_t t;
    pthread_create(&t, NULL, unref_elsewhere, x.held[0]);
    pthread_join(t, NULL);
    cr_assert_eq(g.outstanding, 1u, "only the owning ring gives buffers back");
    cr_assert_geq(kern_ring_run(&ring, 0), 0);
    cr_assert_eq(g.outstanding, 0u);
    kern_buf_group_destroy(&g);
    close(sv[0]);
    close(sv[1]);
}

Test(kernel_buf, heap_buffers_are_freed_on_the_last_unref)
{
    int64_t live = kern_alloc_live_count();
    kern_buf_t *b = kern_buf_copy("frame", 5);
    cr_assert_eq(b->len, 5u);
    cr_assert_eq(memcmp(b->base, "frame", 5), 0);
    kern_buf_ref(b);
    kern_buf_ref(b);
    kern_buf_unref(b);
    kern_buf_unref(b);
    cr_assert_eq(kern_alloc_live_count(), live + 1);
    kern_buf_unref(b);
    cr_assert_eq(kern_alloc_live_count(), live);
}

Test(kernel_buf, group_sizes_are_checked)
{
    kern_buf_group_t g;
    cr_assert_eq(kern_buf_group_init(&g, &ring, 3, 64), -EINVAL);
    cr_assert_eq(kern_buf_group_init(&g, &ring, 0, 64), -EINVAL);
    cr_assert_eq(kern_buf_group_init(&g, &ring, 65536, 64), -EINVAL);
    cr_assert_eq(kern_buf_group_init(&g, &ring, 4, 0), -EINVAL);
    cr_assert_eq(kern_buf_group_init(&g, &ring, 4, 64), 0);
    cr_assert_eq(g.mapped, (ring.features & KERN_FEAT_BUF_RING) != 0);
    kern_buf_group_destroy(&g);
}

/* ====== Hot reuse: the buffer-ring window (buf.h) ====== */

typedef struct fan_t {
    int sv[2];
    kern_op_t op;
    kern_buf_t *held; /* the one message each pair receives */
    int res;          /* last result delivered */
} fan_t;

static kern_buf_group_t *fan_group;
static int fan_enobufs, fan_data;

/* Holds the buffer; ends a multishot receive after its one message. */
static void on_fan(kern_ring_t *r, kern_op_t *op)
{
    fan_t *f = op->data;
    f->res = op->res;
    if (op->res == -ENOBUFS)
        fan_enobufs++;
    if (op->res > 0) {
        cr_assert_null(f->held, "one message per pair");
        f->held = op->buf;
        fan_data++;
    }
    if (op->flags & KERN_OP_F_MORE)
        cr_assert_eq(kern_op_cancel(r, op), 0);
}

/* n socket pairs, 8 bytes written to each, a receive armed on each; runs
 * until every receive has ended. Returns the pairs (free with fan_close). */
static fan_t *fan_run(int n, kern_buf_group_t *g)
{
    fan_t *fs = calloc((size_t)n, sizeof *fs);
    fan_group = g;
    fan_enobufs = fan_data = 0;
    for (int i = 0; i < n; i++) {
        cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fs[i].sv), 0);
        cr_assert_eq(write(fs[i].sv[1], "8 bytes!", 8), 8);
        fs[i].op.data = &fs[i];
    }
    for (int i = 0; i < n; i++) /* all armed before the first run: one burst */
        cr_assert_eq(kern_sock_recv(&ring, fs[i].sv[0], g, &fs[i].op, on_fan), 0);
    RUN_UNTIL(&ring, kern_ring_in_flight(&ring) == 0);
    return fs;
}

static void fan_close(fan_t *fs, int n)
{
    for (int i = 0; i < n; i++) {
        if (fs[i].held)
            kern_buf_unref(fs[i].held);
        close(fs[i].sv[0]);
        close(fs[i].sv[1]);
    }
    free(fs);
}

static void on_recv_cycle(kern_ring_t *r, kern_op_t *op)
{
    rx_t *x = op->data;
    x->calls++;
    x->last_res = op->res;
    if (op->res > 0) {
        uint16_t bid = op->buf->_bid;
        memcpy(x->got + (size_t)(x->calls - 1) * 2, &bid, 2);
        kern_buf_unref(op->buf); /* back at once, as an echo's send would */
    }
    if (!(op->flags & KERN_OP_F_MORE) && op->res > 0)
        cr_assert_eq(kern_sock_recv(r, x->fd, x->g, op, on_recv_cycle), 0);
}

Test(kernel_buf, a_quiet_connection_cycles_through_a_few_hot_buffers)
{
    require_feature(&ring, KERN_FEAT_BUF_RING);
    require_feature(&ring, KERN_FEAT_BUF_WINDOW);
    int sv[2];
    cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    kern_buf_group_t g;
    cr_assert_eq(kern_buf_group_init(&g, &ring, 1024, 64), 0);
    rx_t x = {.fd = sv[0], .g = &g};
    x.op.data = &x;
    cr_assert_eq(kern_sock_recv(&ring, sv[0], &g, &x.op, on_recv_cycle), 0);
    enum { MSGS = 100 }; /* x.got holds 128 buffer ids */
    for (int i = 0; i < MSGS; i++) {
        cr_assert_eq(write(sv[1], "ping", 4), 4);
        RUN_UNTIL(&ring, x.calls == i + 1);
        cr_assert_eq(x.last_res, 4);
    }
    bool seen[1024] = {false};
    int distinct = 0;
    for (int i = 0; i < MSGS; i++) {
        uint16_t bid;
        memcpy(&bid, x.got + (size_t)i * 2, 2);
        distinct += !seen[bid];
        seen[bid] = true;
    }
    /* Without the window every message would land in a fresh buffer (100
     * distinct); with it the ring holds 32 and the last one returned. */
    cr_assert_leq(distinct, 33, "%d distinct buffers for %d messages", distinct, MSGS);
    cr_assert_eq(kern_op_cancel(&ring, &x.op), 0);
    RUN_UNTIL(&ring, !kern_op_pending(&x.op));
    cr_assert_eq(g.outstanding, 0u);
    kern_buf_group_destroy(&g);
    close(sv[0]);
    close(sv[1]);
}

Test(kernel_buf, a_burst_wider_than_the_window_gets_a_buffer_for_every_receive)
{
    kern_buf_group_t g;
    cr_assert_eq(kern_buf_group_init(&g, &ring, 128, 64), 0);
    enum { N = 100 }; /* three times the starting window of 32 */
    fan_t *fs = fan_run(N, &g);
    cr_assert_eq(fan_enobufs, 0, "a held-back buffer is lent, not reported missing");
    /* Armed with data waiting, all 100 receive during one submit: past the
     * window they found the ring dry and were restarted, unseen. */
    if ((ring.features & KERN_FEAT_BUF_RING) && (ring.features & KERN_FEAT_BUF_WINDOW))
        cr_assert_gt(ring.stats.recv_restarts, 0u);
    else
        cr_assert_eq(ring.stats.recv_restarts, 0u);
    cr_assert_eq(fan_data, N);
    for (int i = 0; i < N; i++)
        cr_assert_eq(memcmp(fs[i].held->base, "8 bytes!", 8), 0);
    cr_assert_eq(g.outstanding, (uint32_t)N);
    fan_close(fs, N);
    cr_assert_eq(g.outstanding, 0u);
    kern_buf_group_destroy(&g);
}

Test(kernel_buf, enobufs_still_means_every_buffer_is_out)
{
    kern_buf_group_t g;
    cr_assert_eq(kern_buf_group_init(&g, &ring, 64, 64), 0);
    enum { N = 70 };
    fan_t *fs = fan_run(N, &g);
    cr_assert_eq(fan_data, 64, "every buffer of the group is used");
    cr_assert_eq(fan_enobufs, N - 64);
    cr_assert_eq(g.outstanding, 64u);
    /* Once a buffer comes back, a new receive gets it. */
    int dry = -1, full = -1;
    for (int i = 0; i < N; i++) {
        if (fs[i].res == -ENOBUFS)
            dry = i;
        else if (fs[i].held != NULL)
            full = i;
    }
    cr_assert(dry >= 0 && full >= 0);
    kern_buf_unref(fs[full].held);
    fs[full].held = NULL;
    cr_assert_eq(kern_sock_recv(&ring, fs[dry].sv[0], &g, &fs[dry].op, on_fan), 0);
    RUN_UNTIL(&ring, kern_ring_in_flight(&ring) == 0);
    cr_assert_not_null(fs[dry].held, "res %d", fs[dry].res);
    cr_assert_eq(memcmp(fs[dry].held->base, "8 bytes!", 8), 0);
    fan_close(fs, N);
    cr_assert_eq(g.outstanding, 0u);
    kern_buf_group_destroy(&g);
}

Test(kernel_buf, the_window_grows_for_a_burst_and_shrinks_at_most_by_half_per_epoch)
{
    require_feature(&ring, KERN_FEAT_BUF_RING);
    require_feature(&ring, KERN_FEAT_BUF_WINDOW);
    kern_buf_group_t g;
    cr_assert_eq(kern_buf_group_init(&g, &ring, 1024, 64), 0);
    cr_assert_eq(g._window, 32u);
    enum { N = 100 };
    fan_t *fs = fan_run(N, &g);
    fan_close(fs, N);
    uint32_t wide = g._window;
    cr_assert_geq(wide, 128u, "100 receives in one turn: window %u", wide);
    /* One quiet connection: one receive per turn, its buffer back at once,
     * for a little over three epochs of turns (io_uring_enter calls; the
     * first epoch also holds the burst). */
    int sv[2];
    cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    rx_t x = {.fd = sv[0], .g = &g};
    x.op.data = &x;
    cr_assert_eq(kern_sock_recv(&ring, sv[0], &g, &x.op, on_recv_cycle), 0);
    uint64_t start = ring.stats.enters;
    cr_assert_lt(start, (uint64_t)KERN_BUF_EPOCH_TURNS_, "the burst is in the first epoch");
    while (ring.stats.enters - start < 3 * KERN_BUF_EPOCH_TURNS_ + 8) {
        cr_assert_eq(write(sv[1], "ping", 4), 4);
        x.calls = 0; /* on_recv_cycle records buffer ids from the start */
        RUN_UNTIL(&ring, x.calls == 1);
        cr_assert_eq(x.last_res, 4);
    }
    kern_ring_run(&ring, 0); /* settles the last turn */
    /* Each epoch: towards twice its peak (a power of two, >= 32), by half
     * at most. Peaks: 100 (the burst), then 1, then 1. */
    uint32_t expect = wide;
    uint32_t peaks[3] = {100, 1, 1};
    for (int e = 0; e < 3; e++) {
        uint32_t w = 32;
        while (w < 2 * peaks[e] && w < 1024)
            w *= 2;
        if (w < expect / 2)
            w = expect / 2;
        if (w < expect)
            expect = w;
    }
    cr_assert_lt(expect, wide);
    cr_assert_eq(g._window, expect, "window %u after the burst, %u after three epochs", wide,
                 g._window);
    /* (Buffers lent before a shrink drain as the kernel takes them.) */
    cr_assert_eq(kern_op_cancel(&ring, &x.op), 0);
    RUN_UNTIL(&ring, !kern_op_pending(&x.op));
    cr_assert_eq(g.outstanding, 0u);
    kern_buf_group_destroy(&g);
    close(sv[0]);
    close(sv[1]);
}
