/* The echo benchmark (issue 6): two servers on one listening socket kind,
 * measured by one load client in the same run.
 *
 *   echo_kern.c   the server on kernel/ (multishot accept, multishot recv
 *                 into a provided-buffer ring, send from the same buffer)
 *   echo_epoll.c  a plain epoll server written for the comparison
 *   echo_load.c   the load client: N connections, ping-pong, latencies
 *   echo_bench.c  main: forks each server, runs the phases, prints ratios */
#ifndef SNOW_PERF_ECHO_ECHO_H
#define SNOW_PERF_ECHO_ECHO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/ring.h"

typedef enum { ECHO_KERN_PAIR, ECHO_KERN_MULTISHOT } echo_kern_mode_t;
extern echo_kern_mode_t echo_kern_mode; /* set before echo_kern_serve */
extern uint32_t echo_kern_bufs;         /* receive buffers (512 bytes each), power of 2 */
extern uint32_t echo_kern_entries;      /* ring SQ entries, power of 2 */
extern bool echo_kern_send_at_once;     /* kern_ring_opts_t.send_at_once (default on) */
extern bool echo_kern_send_now;         /* kern_sock_send_now when nothing is queued (on) */

/* Serves echo on listen_fd until killed. Never returns. echo_kern_serve
 * copies the enters and direct_sends counters to *stats (shared memory)
 * after every loop turn. */
_Noreturn void echo_kern_serve(int listen_fd, kern_ring_stats_t *stats);
_Noreturn void echo_epoll_serve(int listen_fd);

/* Set before serving: exit(0) once every accepted connection has closed
 * (echo_bench --serve, so callgrind and strace see a clean exit). */
extern bool echo_exit_when_idle;

typedef struct echo_result_t {
    uint64_t msgs;  /* round trips completed */
    double seconds; /* measured time */
    double p50_us, p99_us, p999_us, max_us;
    uint64_t errors;         /* short or failed connections */
    uint64_t msgs_all;       /* round trips including the warm-up */
    double server_cpu_us;    /* server CPU time per round trip (set by echo_bench) */
    double enters_per_msg;   /* kern server io_uring_enter calls per round trip */
    double syscalls_per_msg; /* kern server io_uring_enter + direct send(2) per round trip */
    uint64_t recv_restarts;  /* kern server receives restarted after a cured -ENOBUFS */
    uint64_t migrations;     /* server moves between CPUs (/proc/PID/sched) */
    uint64_t preemptions;    /* server involuntary context switches */
    int last_cpu;            /* CPU the server last ran on */
} echo_result_t;

/* Connects conns clients to 127.0.0.1:port and runs ping-pong of msg_bytes
 * messages for seconds. Returns 0 or -errno. */
int echo_load_run(uint16_t port, int conns, size_t msg_bytes, double seconds, echo_result_t *out);

/* Like echo_load_run but stops after msgs_max round trips in all (no warm-up
 * and no time limit), for instruction and syscall counts per round trip. */
int echo_load_count(uint16_t port, int conns, size_t msg_bytes, uint64_t msgs_max,
                    echo_result_t *out);

/* Connects conns clients to each of 127.0.0.1:ports[0] and ports[1] and
 * alternates ping-pong load between the two sets in slices of slice_s
 * seconds (order A B B A B A A B ...; the client drains every reply before
 * switching), after a warm-up, until each server has had `seconds` of
 * measured slices. out[k] is server k's result; its seconds field is the
 * measured time that server was loaded. Returns 0 or -errno. */
int echo_load_ab(const uint16_t ports[2], int conns, size_t msg_bytes, double seconds,
                 double slice_s, echo_result_t out[2]);

#endif
