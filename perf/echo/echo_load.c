/* The echo load client (see echo.h): conns connections on loopback, each
 * sending one msg_bytes message and waiting for all of it to come back
 * before sending the next (ping-pong), for a bounded time. One thread, epoll,
 * the same for both servers. Latency is send-to-last-byte per message.
 *
 * echo_load_ab drives two servers from one client: it alternates short
 * slices between them (A B B A, B A A B, ...), so that whatever the rest of
 * the machine does during the run lands on both servers alike. Between
 * slices the client stops sending and waits for every reply, so one server's
 * backlog never shows up in the other's figures. */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "perf/echo/echo.h"

#define SAMPLES_MAX (16u << 20)
#define WARMUP_S 0.2

typedef struct client_t {
    int fd;
    size_t got;
    uint64_t sent_ns;
    bool waiting; /* a message is out and its echo not complete */
} client_t;

/* The connections to one server and what they measured. */
typedef struct load_set_t {
    int ep;
    int conns;
    client_t *cs;
    uint32_t *samples; /* latency in units of 10 ns */
    uint64_t count;    /* samples taken (may exceed SAMPLES_MAX) */
    uint64_t busy_ns;  /* time this set was being loaded (after warm-up) */
    uint64_t outstanding;
    echo_result_t *out;
} load_set_t;

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static int dial(uint16_t port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {
        .sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
        int err = errno;
        close(fd);
        return -err;
    }
    return fd;
}

static int set_open(load_set_t *s, uint16_t port, int conns, echo_result_t *out)
{
    memset(out, 0, sizeof *out);
    memset(s, 0, sizeof *s);
    s->out = out;
    s->cs = calloc((size_t)conns, sizeof *s->cs);
    s->samples = malloc(SAMPLES_MAX * sizeof *s->samples);
    s->ep = epoll_create1(EPOLL_CLOEXEC);
    for (int i = 0; i < conns; i++) {
        s->cs[i].fd = dial(port);
        if (s->cs[i].fd < 0)
            return s->cs[i].fd;
        s->conns++;
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &s->cs[i]};
        epoll_ctl(s->ep, EPOLL_CTL_ADD, s->cs[i].fd, &ev);
    }
    return 0;
}

/* Fills the percentiles, closes the connections, frees the set. */
static void set_close(load_set_t *s)
{
    echo_result_t *out = s->out;
    out->msgs = s->count;
    uint64_t kept = s->count < SAMPLES_MAX ? s->count : SAMPLES_MAX;
    if (kept > 0) {
        qsort(s->samples, kept, sizeof *s->samples, cmp_u32);
        out->p50_us = s->samples[kept / 2] / 100.0;
        out->p99_us = s->samples[(kept * 99) / 100] / 100.0;
        out->p999_us = s->samples[(kept * 999) / 1000] / 100.0;
        out->max_us = s->samples[kept - 1] / 100.0;
    }
    for (int i = 0; i < s->conns; i++)
        close(s->cs[i].fd);
    close(s->ep);
    free(s->samples);
    free(s->cs);
}

static void send_msg(load_set_t *s, client_t *c, const char *msg, size_t n)
{
    c->got = 0;
    c->sent_ns = now_ns();
    c->waiting = true;
    s->outstanding++;
    if (send(c->fd, msg, n, MSG_NOSIGNAL) != (ssize_t)n) {
        s->out->errors++;
        c->waiting = false;
        s->outstanding--;
    }
}

/* Reads what is ready on s. A completed echo is a round trip: counted, its
 * latency kept when it was sent at or after measure_from and finished before
 * record_until, and the next message sent if resend. */
static void pump(load_set_t *s, const char *msg, size_t n, int wait_ms, uint64_t measure_from,
                 uint64_t record_until, bool resend, uint64_t msgs_max)
{
    char buf[65536];
    struct epoll_event evs[512];
    int k = epoll_wait(s->ep, evs, 512, wait_ms);
    for (int i = 0; i < k; i++) {
        client_t *c = evs[i].data.ptr;
        ssize_t r = recv(c->fd, buf, n - c->got, 0);
        if (r <= 0) {
            if (r < 0 && errno == EAGAIN)
                continue;
            s->out->errors++;
            if (c->waiting)
                s->outstanding--;
            c->waiting = false;
            epoll_ctl(s->ep, EPOLL_CTL_DEL, c->fd, NULL);
            continue;
        }
        c->got += (size_t)r;
        if (c->got < n)
            continue;
        uint64_t done = now_ns();
        c->waiting = false;
        s->outstanding--;
        s->out->msgs_all++;
        if (c->sent_ns >= measure_from && done < record_until) {
            if (s->count < SAMPLES_MAX)
                s->samples[s->count] = (uint32_t)((done - c->sent_ns) / 10);
            s->count++;
        }
        if (msgs_max != 0 && s->out->msgs_all >= msgs_max)
            resend = false;
        if (resend)
            send_msg(s, c, msg, n);
    }
}

/* One server alone, as before: ping-pong until end (or msgs_max). */
static int load(uint16_t port, int conns, size_t msg_bytes, double seconds, uint64_t msgs_max,
                echo_result_t *out)
{
    load_set_t s;
    int rc = set_open(&s, port, conns, out);
    char *msg = malloc(msg_bytes);
    memset(msg, 'e', msg_bytes);
    if (rc == 0) {
        uint64_t start = now_ns();
        uint64_t measure_from = msgs_max ? start : start + (uint64_t)(WARMUP_S * 1e9);
        uint64_t end = measure_from + (uint64_t)(seconds * 1e9);
        for (int i = 0; i < s.conns; i++)
            send_msg(&s, &s.cs[i], msg, msg_bytes);
        while (now_ns() < end && (msgs_max == 0 || out->msgs_all < msgs_max) && s.outstanding)
            pump(&s, msg, msg_bytes, 10, measure_from, end, true, msgs_max);
        out->seconds = msgs_max ? (double)(now_ns() - start) / 1e9 : seconds;
    }
    set_close(&s);
    free(msg);
    return rc;
}

int echo_load_run(uint16_t port, int conns, size_t msg_bytes, double seconds, echo_result_t *out)
{
    return load(port, conns, msg_bytes, seconds, 0, out);
}

int echo_load_count(uint16_t port, int conns, size_t msg_bytes, uint64_t msgs_max,
                    echo_result_t *out)
{
    return load(port, conns, msg_bytes, 3600.0, msgs_max, out);
}

/* One slice on s: start every connection, ping-pong until end, then wait for
 * the replies still out (at most 1 s). A slice that starts before
 * measure_from is warm-up: neither its time nor its latencies count. */
static void slice(load_set_t *s, const char *msg, size_t n, uint64_t end, uint64_t measure_from)
{
    uint64_t start = now_ns();
    bool measured = start >= measure_from;
    measure_from = measured ? 0 : UINT64_MAX;
    for (int i = 0; i < s->conns; i++)
        send_msg(s, &s->cs[i], msg, n);
    while (now_ns() < end && s->outstanding > 0)
        pump(s, msg, n, 1, measure_from, UINT64_MAX, true, 0);
    uint64_t give_up = now_ns() + 1000000000u;
    while (s->outstanding > 0 && now_ns() < give_up)
        pump(s, msg, n, 10, measure_from, UINT64_MAX, false, 0);
    if (s->outstanding > 0) { /* a lost echo: count it, do not wait forever */
        s->out->errors += s->outstanding;
        s->outstanding = 0;
    }
    if (measured)
        s->busy_ns += now_ns() - start;
}

int echo_load_ab(const uint16_t ports[2], int conns, size_t msg_bytes, double seconds,
                 double slice_s, echo_result_t out[2])
{
    load_set_t s[2];
    int rc = set_open(&s[0], ports[0], conns, &out[0]);
    int rc1 = set_open(&s[1], ports[1], conns, &out[1]);
    rc = rc < 0 ? rc : rc1;
    char *msg = malloc(msg_bytes);
    memset(msg, 'e', msg_bytes);
    uint64_t slice_ns = (uint64_t)(slice_s * 1e9);
    uint64_t measure_from = now_ns() + (uint64_t)(WARMUP_S * 1e9);
    /* Each server gets `seconds` of measured slices after the warm-up. */
    uint64_t want_ns = (uint64_t)(seconds * 1e9);
    for (unsigned i = 0; rc == 0 && (s[0].busy_ns < want_ns || s[1].busy_ns < want_ns); i++) {
        unsigned k = (i ^ (i >> 1) ^ (i >> 2)) & 1; /* A B B A B A A B ... */
        if (s[k].busy_ns >= want_ns)
            k ^= 1;
        slice(&s[k], msg, msg_bytes, now_ns() + slice_ns, measure_from);
    }
    for (int k = 0; k < 2; k++) {
        out[k].seconds = (double)s[k].busy_ns / 1e9;
        set_close(&s[k]);
    }
    free(msg);
    return rc;
}
