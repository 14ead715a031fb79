/* conn.h: one HTTP connection as one process (DESIGN 6; services.md 1.9,
 * 1.10; D87-D90; issue 8). For ws/ only: server.c spawns these, and this
 * header also shows the server's and the listeners' structs, which both
 * files read.
 *
 * A connection process owns its socket, a receive buffer (grown up to the
 * head limit, or to head + body for a Content-Length body) and a Snow
 * context embedded in its ws_conn_t, which lives in the frame of the
 * process's entry function. That embedding is what lets the context's panic
 * hook find the connection (container_of), answer 500, close the socket and
 * end only this process (D24, D87).
 *
 * Reads go straight into the buffer (kern_sock_recv_into); the process
 * parks while the recv is in flight and its completion unparks it
 * (sched_proc_park, D27: the process counts as awake, so the runtime does
 * not stop under open connections). Read and idle timeouts cost no timer
 * or SQE per read: the recv notes its deadline and one sweep timer per
 * listener cancels the recvs past theirs, up to an eighth of the shorter
 * timeout late (conn.c, "Read timeouts").
 *
 * Invariant: a connection is on its listener's list exactly while its
 * socket is open; both belong to the listener's worker thread. */
#ifndef SNOW_WS_CONN_H
#define SNOW_WS_CONN_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "kernel/op.h"
#include "kernel/timer.h"
#include "sched/proc.h"
#include "ws/date.h"
#include "ws/server.h"

typedef struct ws_conn_t ws_conn_t;

/* Per worker: its listening socket, its accept and its connections. Every
 * field but srv/index/fd belongs to that worker's thread. */
typedef struct ws_listener_t {
    ws_server_t *srv;
    uint32_t index; /* the worker */
    int fd;
    kern_op_t accept_op;
    kern_timer_t retry; /* accept again after EMFILE/ENFILE */
    sched_proc_t *proc; /* the parked listener process */
    ws_conn_t *conns;   /* open connections on this worker, doubly linked */
    kern_timer_t sweep; /* conn.c: read timeouts, armed while conns is not empty */
    ws_date_cache_t date;
} ws_listener_t;

struct ws_server_t {
    /* Read-only once ws_server_run has started the listeners. */
    ws_server_config_t cfg;
    snow_rt_t *rt; /* the connections' program-wide state */
    uint32_t listener_count;
    ws_listener_t *listeners;
    int ctl[2];        /* socketpair: a byte on ctl[1] asks for shutdown */
    sched_pid_t owner; /* the process in ws_server_run */
    /* Any thread. */
    atomic_bool stopping;
    atomic_int_fast64_t procs; /* listeners and connections alive */
    _Atomic uint16_t port;
    atomic_uint_fast64_t accepted, requests, crashes, rejected, timeouts, live;
};

/* Spawns the process for accepted socket fd (taken) on the calling worker,
 * which must be l's. Closes fd when the spawn fails. Returns 0 or -errno. */
int ws_conn_spawn(ws_listener_t *l, int fd);

/* Starts shutting down the connections on l's worker: idle ones close now,
 * busy ones after their response. l's worker thread. */
void ws_conn_stop_idle(ws_listener_t *l);

/* Counts one process of srv gone; the last one tells ws_server_run.
 * Any thread. Not to be called directly (server.c, conn.c). */
void ws_server_proc_done_(ws_server_t *srv);

#endif
