/* server.c: listeners, shutdown and the serve entry points (see server.h).
 *
 * ws_server_run binds every listener on the calling process (so a bind
 * failure is reported before anything starts), spawns one listener process
 * per worker, then parks on its control socket. A byte there (from
 * ws_server_stop or the signal handler) starts the shutdown: one short
 * process per worker cancels that worker's accept and closes its idle
 * connections, because both belong to that worker's ring. The last listener
 * or connection process to end sends the owner a message, and run returns.
 */
#include "ws/server.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kernel/alloc.h"
#include "kernel/assert.h"
#include "kernel/sock.h"
#include "lang/std/ctx.h"
#include "sched/actor.h"
#include "sched/config.h"
#include "sched/worker.h"
#include "ws/conn.h"

enum {
    BACKLOG = 4096,
    SIG_SERVERS_MAX = 16, /* servers a signal can stop at once */
    ACCEPT_RETRY_MS = 10, /* after EMFILE/ENFILE: let connections close */
};

/* The control sockets a SIGTERM/SIGINT writes to. A signal handler can only
 * reach globals; each slot is a descriptor or -1, claimed with a CAS. */
static atomic_int sig_fds[SIG_SERVERS_MAX] = {[0 ... SIG_SERVERS_MAX - 1] = -1};

ws_server_config_t ws_server_config_spec(uint16_t port, ws_server_handler_cb handler, void *data)
{
    return (ws_server_config_t){.host = NULL,
                                .port = port,
                                .limits = WS_HTTP_LIMITS_SPEC,
                                .read_timeout_ms = 30000,
                                .idle_timeout_ms = 30000,
                                .keep_alive = false,
                                .expect_continue = false,
                                .date = false,
                                .log = true,
                                .handler = handler,
                                .handler_data = data};
}

ws_server_t *ws_server_new(const ws_server_config_t *cfg)
{
    snow_assert(cfg->handler != NULL);
    ws_server_t *srv = kern_calloc(1, sizeof *srv);
    srv->cfg = *cfg;
    srv->rt = cfg->rt;
    if (!srv->cfg.host)
        srv->cfg.host = "0.0.0.0";
    int rc = socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, srv->ctl);
    snow_assert(rc == 0); /* only descriptor exhaustion fails here */
    (void)rc;
    return srv;
}

void ws_server_free(ws_server_t *srv)
{
    if (!srv)
        return;
    close(srv->ctl[0]);
    close(srv->ctl[1]);
    kern_free(srv->listeners);
    kern_free(srv);
}

uint16_t ws_server_port(const ws_server_t *srv)
{
    return atomic_load_explicit(&srv->port, memory_order_acquire);
}

void ws_server_stop(ws_server_t *srv)
{
    char b = 's';
    ssize_t rc = send(srv->ctl[1], &b, 1, MSG_DONTWAIT | MSG_NOSIGNAL);
    (void)rc; /* a full socket already holds a stop request */
}

void ws_server_stats(const ws_server_t *srv, ws_server_stats_t *out)
{
    out->accepted = atomic_load(&srv->accepted);
    out->requests = atomic_load(&srv->requests);
    out->crashes = atomic_load(&srv->crashes);
    out->rejected = atomic_load(&srv->rejected);
    out->timeouts = atomic_load(&srv->timeouts);
    out->live = atomic_load(&srv->live);
}

/* {====== Signals */

/* Asks every running server to stop. With none running (a program that
 * goes on after its server ended) the signal gets its default action back,
 * so Ctrl-C still ends the program. */
static void on_signal(int sig)
{
    int saved = errno;
    bool told = false;
    for (int i = 0; i < SIG_SERVERS_MAX; i++) {
        int fd = atomic_load_explicit(&sig_fds[i], memory_order_relaxed);
        if (fd >= 0) {
            char b = 's';
            told |= send(fd, &b, 1, MSG_DONTWAIT | MSG_NOSIGNAL) >= 0 || errno == EAGAIN;
        }
    }
    if (!told) {
        signal(sig, SIG_DFL);
        raise(sig);
    }
    errno = saved;
}

static int sig_register(int fd)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    for (int i = 0; i < SIG_SERVERS_MAX; i++) {
        int none = -1;
        if (atomic_compare_exchange_strong(&sig_fds[i], &none, fd))
            return i;
    }
    return -1; /* more servers than slots: this one stops by ws_server_stop */
}

static void sig_unregister(int slot)
{
    if (slot >= 0)
        atomic_store(&sig_fds[slot], -1);
}

/* }====== */

/* {====== Processes: listeners, stoppers */

/* The "every process has ended" notice to the owner. */
static void done_drop(sched_msg_t *m) { kern_free(m); }

static bool is_done(sched_msg_t *m, void *data)
{
    (void)data;
    return m->drop == done_drop;
}

void ws_server_proc_done_(ws_server_t *srv)
{
    /* acq_rel: the owner's free of the listeners must come after every
     * use by the last process. */
    if (atomic_fetch_sub_explicit(&srv->procs, 1, memory_order_acq_rel) == 1) {
        sched_msg_t *m = kern_calloc(1, sizeof *m);
        m->drop = done_drop;
        if (sched_proc_send(srv->owner, m) < 0)
            kern_free(m);
    }
}

static void accept_again(kern_ring_t *ring, kern_timer_t *t);

static void on_accept(kern_ring_t *ring, kern_op_t *op)
{
    ws_listener_t *l = op->data;
    bool stopping = atomic_load_explicit(&l->srv->stopping, memory_order_relaxed);
    if (op->res >= 0) {
        if (stopping)
            close(op->res);
        else
            ws_conn_spawn(l, op->res);
    }
    if (op->flags & KERN_OP_F_MORE)
        return;
    if (stopping || op->res == -ECANCELED || op->res == -EBADF || op->res == -EINVAL) {
        sched_proc_unpark(l->proc);
        return;
    }
    /* Out of descriptors (EMFILE, ENFILE) or a transient error: try again
     * soon, without spinning. */
    l->retry.data = l;
    kern_timer_start(ring, &l->retry, op->res < 0 ? (int64_t)ACCEPT_RETRY_MS * 1000000 : 0,
                     accept_again);
}

static void accept_again(kern_ring_t *ring, kern_timer_t *t)
{
    ws_listener_t *l = t->data;
    l->accept_op.data = l;
    if (kern_sock_accept(ring, l->fd, &l->accept_op, on_accept) < 0)
        sched_proc_unpark(l->proc);
}

static void listener_main(void *arg)
{
    ws_listener_t *l = arg;
    sched_worker_t *w = sched_worker_self();
    l->proc = sched_proc_current();
    ws_date_cache_init(&l->date);
    if (!atomic_load(&l->srv->stopping)) {
        l->accept_op.data = l;
        if (kern_sock_accept(&w->ring, l->fd, &l->accept_op, on_accept) == 0)
            sched_proc_park();
    }
    kern_timer_stop(&w->ring, &l->retry);
    close(l->fd);
    l->fd = -1;
    ws_server_proc_done_(l->srv);
}

/* Runs on the listener's worker once shutdown has begun. */
static void stopper_main(void *arg)
{
    ws_listener_t *l = arg;
    sched_worker_t *w = sched_worker_self();
    if (kern_op_pending(&l->accept_op))
        kern_op_cancel(&w->ring, &l->accept_op);
    else if (kern_timer_stop(&w->ring, &l->retry))
        sched_proc_unpark(l->proc);
    ws_conn_stop_idle(l);
    ws_server_proc_done_(l->srv);
}

/* }====== */

/* {====== Run */

/* Opens every listener: the first fixes the port (which may be 0), the
 * others share it through SO_REUSEPORT. Returns 0 or -errno. */
static int bind_all(ws_server_t *srv, uint32_t count)
{
    kern_sock_addr_t a;
    int rc = kern_sock_addr_ip(&a, srv->cfg.host, srv->cfg.port);
    if (rc < 0)
        return rc;
    srv->listeners = kern_calloc(count, sizeof *srv->listeners);
    srv->listener_count = count;
    for (uint32_t i = 0; i < count; i++) {
        ws_listener_t *l = &srv->listeners[i];
        l->srv = srv;
        l->index = i;
        l->fd = kern_sock_listen(&a, BACKLOG, KERN_SOCK_REUSEPORT);
        if (l->fd < 0) {
            rc = l->fd;
            while (i-- > 0)
                close(srv->listeners[i].fd);
            return rc;
        }
        if (i == 0 && srv->cfg.port == 0) {
            kern_sock_addr_t bound;
            kern_sock_local_addr(l->fd, &bound);
            kern_sock_addr_ip(&a, srv->cfg.host, kern_sock_addr_port(&bound));
        }
    }
    atomic_store_explicit(&srv->port, kern_sock_addr_port(&a), memory_order_release);
    return 0;
}

static void say_listening(const ws_server_t *srv, int err)
{
    if (!srv->cfg.log)
        return;
    char line[256];
    const char *kind = srv->cfg.tls_banner ? "HTTPS" : "HTTP";
    if (err == 0)
        snprintf(line, sizeof line, "[snow-rt] %s server listening on %s:%u\n", kind, srv->cfg.host,
                 (unsigned)ws_server_port(srv));
    else if (srv->cfg.tls_banner)
        snprintf(line, sizeof line, "[snow-rt] Failed to bind %s:%u: %s\n", srv->cfg.host,
                 (unsigned)srv->cfg.port, strerror(-err));
    else
        snprintf(line, sizeof line, "[snow-rt] Failed to start HTTP server on %s:%u: %s\n",
                 srv->cfg.host, (unsigned)srv->cfg.port, strerror(-err));
    ssize_t rc = write(2, line, strlen(line));
    (void)rc;
}

static void ctl_done(kern_ring_t *ring, kern_op_t *op)
{
    (void)ring;
    sched_proc_unpark(op->data);
}

/* Parks until a byte arrives on the control socket. */
static void wait_stop(ws_server_t *srv)
{
    sched_worker_t *w = sched_worker_self();
    kern_op_t op;
    memset(&op, 0, sizeof op);
    char b;
    for (;;) {
        op.data = sched_proc_current();
        if (kern_sock_recv_into(&w->ring, srv->ctl[0], &b, 1, -1, &op, ctl_done) < 0)
            return;
        sched_proc_park();
        if (op.res != -EINTR)
            return;
    }
}

int ws_server_run(ws_server_t *srv)
{
    sched_runtime_t *rt = sched_worker_runtime();
    sched_proc_t *self = sched_proc_current();
    snow_assert(rt != NULL && self != NULL);
    if (!srv->rt && sched_actor_ctx(self))
        srv->rt = sched_actor_ctx(self)->rt;
    snow_assert(srv->rt != NULL);
    int rc = bind_all(srv, rt->count);
    say_listening(srv, rc);
    if (rc < 0)
        return rc;
    srv->owner = sched_proc_pid(self);
    int slot = sig_register(srv->ctl[1]);
    atomic_store(&srv->procs, (int_fast64_t)srv->listener_count);
    for (uint32_t i = 0; i < srv->listener_count; i++)
        sched_proc_spawn_on(i, listener_main, &srv->listeners[i]);
    wait_stop(srv);
    atomic_store(&srv->stopping, true);
    atomic_fetch_add(&srv->procs, (int_fast64_t)srv->listener_count);
    for (uint32_t i = 0; i < srv->listener_count; i++)
        sched_proc_spawn_on(i, stopper_main, &srv->listeners[i]);
    sched_msg_t *m = sched_proc_receive_match(-1, is_done, NULL); /* the last one's notice */
    if (m)
        m->drop(m);
    sig_unregister(slot);
    return 0;
}

typedef struct serve_box_t {
    ws_server_t *srv;
    int rc;
} serve_box_t;

static void serve_main(void *arg)
{
    serve_box_t *box = arg;
    box->rc = ws_server_run(box->srv);
}

int ws_server_serve(ws_server_t *srv, snow_rt_t *rt)
{
    sched_config_t cfg;
    if (sched_config_from_env(&cfg) < 0)
        return -EINVAL;
    srv->rt = rt;
    sched_actor_set_rt(rt);
    serve_box_t box = {srv, 0};
    int rc = sched_worker_run(&cfg, serve_main, &box);
    return rc < 0 ? rc : box.rc;
}

/* }====== */
