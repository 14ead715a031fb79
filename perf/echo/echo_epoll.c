/* A plain epoll echo server for comparison (see echo.h): level-triggered,
 * non-blocking sockets, one read buffer, pending output kept per connection
 * when the socket is full. Written the ordinary way, not tuned to lose. */
#define _GNU_SOURCE /* accept4 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "perf/echo/echo.h"

#define BUF_BYTES 65536

typedef struct econn_t {
    int fd;
    char *pending; /* unsent echo bytes */
    size_t pending_len;
} econn_t;

static uint32_t live; /* connections accepted and not yet dropped */

static void drop(int ep, econn_t *c)
{
    epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    free(c->pending);
    free(c);
    if (--live == 0 && echo_exit_when_idle)
        exit(0);
}

/* Writes what it can; keeps the rest and asks for EPOLLOUT. */
static int push(int ep, econn_t *c, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(c->fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && errno != EAGAIN)
            return -1;
        if (w < 0) {
            char *q = realloc(c->pending, c->pending_len + n);
            memcpy(q + c->pending_len, p, n);
            c->pending = q;
            c->pending_len += n;
            struct epoll_event ev = {.events = EPOLLOUT, .data.ptr = c};
            epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
            return 0;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static void on_event(int ep, econn_t *c, uint32_t events, char *buf)
{
    if (events & EPOLLOUT) {
        char *p = c->pending;
        size_t n = c->pending_len;
        c->pending = NULL;
        c->pending_len = 0;
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
        epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
        int rc = push(ep, c, p, n);
        free(p);
        if (rc < 0)
            drop(ep, c);
        return;
    }
    ssize_t r = recv(c->fd, buf, BUF_BYTES, 0);
    if (r < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    if (r <= 0 || push(ep, c, buf, (size_t)r) < 0)
        drop(ep, c);
}

_Noreturn void echo_epoll_serve(int listen_fd)
{
    int ep = epoll_create1(EPOLL_CLOEXEC);
    static econn_t listener;
    listener.fd = listen_fd;
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &listener};
    epoll_ctl(ep, EPOLL_CTL_ADD, listen_fd, &ev);
    char *buf = malloc(BUF_BYTES);
    struct epoll_event evs[256];
    for (;;) {
        int n = epoll_wait(ep, evs, 256, -1);
        for (int i = 0; i < n; i++) {
            econn_t *c = evs[i].data.ptr;
            if (c != &listener) {
                on_event(ep, c, evs[i].events, buf);
                continue;
            }
            int fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
            if (fd < 0)
                continue;
            econn_t *nc = calloc(1, sizeof *nc);
            live++;
            nc->fd = fd;
            struct epoll_event cev = {.events = EPOLLIN, .data.ptr = nc};
            epoll_ctl(ep, EPOLL_CTL_ADD, fd, &cev);
        }
    }
}
