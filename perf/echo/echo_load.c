/* The echo load client (see echo.h): conns connections on loopback, each
 * sending one msg_bytes message and waiting for all of it to come back
 * before sending the next (ping-pong), for a bounded time. One thread, epoll,
 * the same for both servers. Latency is send-to-last-byte per message. */
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
} client_t;

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

static int send_msg(client_t *c, const char *msg, size_t n)
{
    c->got = 0;
    c->sent_ns = now_ns();
    return send(c->fd, msg, n, MSG_NOSIGNAL) == (ssize_t)n ? 0 : -1;
}

/* Runs the timed loop; fills samples (microseconds x 100) and counts. */
static void drive(int ep, client_t *cs, int conns, const char *msg, size_t n, double seconds,
                  uint64_t msgs_max, uint32_t *samples, uint64_t *count, echo_result_t *out)
{
    char buf[65536];
    struct epoll_event evs[512];
    uint64_t start = now_ns();
    uint64_t measure_from = msgs_max ? start : start + (uint64_t)(WARMUP_S * 1e9);
    uint64_t end = measure_from + (uint64_t)(seconds * 1e9);
    for (int i = 0; i < conns; i++)
        if (send_msg(&cs[i], msg, n) < 0)
            out->errors++;
    uint64_t t;
    while ((t = now_ns()) < end && (msgs_max == 0 || out->msgs_all < msgs_max)) {
        int k = epoll_wait(ep, evs, 512, 10);
        for (int i = 0; i < k; i++) {
            client_t *c = evs[i].data.ptr;
            ssize_t r = recv(c->fd, buf, n - c->got, 0);
            if (r <= 0) {
                if (r < 0 && errno == EAGAIN)
                    continue;
                out->errors++;
                epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
                continue;
            }
            c->got += (size_t)r;
            if (c->got < n)
                continue;
            uint64_t done = now_ns();
            out->msgs_all++;
            if (c->sent_ns >= measure_from && done < end) {
                if (*count < SAMPLES_MAX)
                    samples[*count] = (uint32_t)((done - c->sent_ns) / 10);
                (*count)++;
            }
            if (msgs_max != 0 && out->msgs_all >= msgs_max)
                break;
            if (send_msg(c, msg, n) < 0)
                out->errors++;
        }
    }
    out->seconds = msgs_max ? (double)(now_ns() - start) / 1e9 : seconds;
}

static int load(uint16_t port, int conns, size_t msg_bytes, double seconds, uint64_t msgs_max,
                echo_result_t *out)
{
    memset(out, 0, sizeof *out);
    client_t *cs = calloc((size_t)conns, sizeof *cs);
    uint32_t *samples = malloc(SAMPLES_MAX * sizeof *samples);
    char *msg = malloc(msg_bytes);
    memset(msg, 'e', msg_bytes);
    int ep = epoll_create1(EPOLL_CLOEXEC);
    int rc = 0;
    for (int i = 0; i < conns; i++) {
        cs[i].fd = dial(port);
        if (cs[i].fd < 0) {
            rc = cs[i].fd;
            conns = i;
            break;
        }
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &cs[i]};
        epoll_ctl(ep, EPOLL_CTL_ADD, cs[i].fd, &ev);
    }
    uint64_t count = 0;
    if (rc == 0)
        drive(ep, cs, conns, msg, msg_bytes, seconds, msgs_max, samples, &count, out);
    out->msgs = count;
    uint64_t kept = count < SAMPLES_MAX ? count : SAMPLES_MAX;
    if (kept > 0) {
        qsort(samples, kept, sizeof *samples, cmp_u32);
        out->p50_us = samples[kept / 2] / 100.0;
        out->p99_us = samples[(kept * 99) / 100] / 100.0;
    }
    for (int i = 0; i < conns; i++)
        close(cs[i].fd);
    close(ep);
    free(msg);
    free(samples);
    free(cs);
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
