/* echo_bench: the kernel/ echo server against a plain epoll echo server, in
 * the same run (issue 6). Each round forks both servers (children) and the
 * load client (this process) alternates ping-pong load between them in short
 * slices, A B B A B A A B ..., draining every reply before it switches, so
 * that neighbours on a shared machine land on both servers alike; the slot
 * order swaps between rounds. --slice-ms 0 runs the older sequential phases
 * instead (one server at a time, order alternating between rounds). --pin
 * sets the placement (see pin() below; default: both servers start on CPU 0,
 * the client on CPU 1). Loopback only, bounded in time (about rounds x counts x 2 x (seconds + 0.2)
 * s).
 *
 *   echo_bench [--seconds S] [--rounds R] [--msg BYTES] [--conns 1,256] [--pin 0|1|2]
 *              [--slice-ms 50|0] [--kern multishot|pair]
 *              [--kern-bufs N] [--kern-entries N] [--kern-send-at-once 0|1]
 *              [--kern-send-now 0|1]
 *   echo_bench --serve kern|epoll --port P [--kern multishot|pair]
 *   echo_bench --load N --port P [--conns C] [--msg BYTES]
 *
 * --serve runs one server in the foreground on 127.0.0.1:P until every
 * connection it accepted has closed; --load runs exactly N round trips in all
 * against it and prints msgs/s. Together they give callgrind and strace a
 * fixed amount of work: instructions and syscalls per round trip.
 *
 * Prints one line per server and round and, per connection count, the
 * medians over the rounds and the kern/epoll ratios (msgs/s: higher is better; p99 and server
 * CPU per message: lower is better). Exit status 1 if any phase failed. */
#define _GNU_SOURCE /* sched_setaffinity, CPU_SET */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kernel/probe.h"
#include "kernel/sock.h"
#include "perf/echo/echo.h"

#define ROUNDS_MAX 9
#define COUNTS_MAX 8

/* Placement. The servers and the client barely migrate once running (the
 * counters show 0-5 moves per round), so where each starts decides the
 * round: a server that shares the client's CPU runs a different race from
 * one that does not. 0: the scheduler decides (the two servers may land on
 * different CPUs); 1: servers held on CPU 0, client on CPU 1; 2 (default):
 * both servers start on CPU 0 and the client on CPU 1, then the affinity is
 * widened again, so both servers get the same placement but can still
 * escape a busy CPU. */
static int pinning = 2;

static void pin(int cpu)
{
    if (pinning == 0)
        return;
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1)
        n = 1;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu % n, &set);
    sched_setaffinity(0, sizeof set, &set); /* moves us there now */
    if (pinning == 1)
        return;
    for (long i = 0; i < n && i < CPU_SETSIZE; i++)
        CPU_SET(i, &set);
    sched_setaffinity(0, sizeof set, &set); /* free again, staying put for now */
}

static const char *placement(void)
{
    static const char *const names[] = {"not pinned", "servers pinned to CPU 0, client to CPU 1",
                                        "servers start on CPU 0, client on CPU 1, then free"};
    return names[pinning];
}

/* Forks one server on a fresh loopback listener; *port gets its port. The
 * child never returns. Returns the pid or -errno. */
static pid_t spawn(bool kern, kern_ring_stats_t *stats, uint16_t *port)
{
    kern_sock_addr_t a;
    kern_sock_addr_ip(&a, "127.0.0.1", 0);
    int lfd = kern_sock_listen(&a, 1024, 0);
    if (lfd < 0)
        return lfd;
    kern_sock_local_addr(lfd, &a);
    *port = kern_sock_addr_port(&a);
    pid_t pid = fork();
    if (pid == 0) {
        pin(0);
        if (kern)
            echo_kern_serve(lfd, stats);
        echo_epoll_serve(lfd);
    }
    close(lfd);
    return pid < 0 ? -errno : pid;
}

/* Kills the server and fills r's per-message server figures. Server CPU per
 * message comes from rusage, which neighbours stealing the CPU move less
 * than the wall-clock figures; it includes warm-up and connection set-up. */
/* Reads the scheduler's per-task counters of a live server (fields of
 * /proc/PID/sched; zeros when the kernel does not show them). */
static void read_sched(pid_t pid, echo_result_t *r)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/sched", (int)pid);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return;
    while (fgets(line, sizeof line, f)) {
        char *colon = strchr(line, ':');
        if (colon == NULL)
            continue;
        unsigned long long v = strtoull(colon + 1, NULL, 10);
        if (strncmp(line, "se.nr_migrations ", 17) == 0)
            r->migrations = v;
        else if (strncmp(line, "nr_involuntary_switches ", 24) == 0)
            r->preemptions = v;
    }
    fclose(f);
    /* Field 39 of /proc/PID/stat: the CPU the task last ran on. */
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    f = fopen(path, "r");
    if (f == NULL)
        return;
    char stat[1024];
    size_t n = fread(stat, 1, sizeof stat - 1, f);
    fclose(f);
    stat[n] = 0;
    char *p = strrchr(stat, ')');
    for (int field = 2; p != NULL && field < 39; field++)
        p = strchr(p + 1, ' ');
    r->last_cpu = p ? atoi(p + 1) : -1;
}

static void finish(pid_t pid, const kern_ring_stats_t *stats, echo_result_t *r)
{
    read_sched(pid, r);
    kill(pid, SIGKILL);
    struct rusage ru;
    wait4(pid, NULL, 0, &ru);
    double cpu_s = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec +
                   ru.ru_stime.tv_usec / 1e6;
    double all = (double)r->msgs_all;
    r->server_cpu_us = r->msgs_all ? cpu_s * 1e6 / all : 0;
    r->enters_per_msg = r->msgs_all ? (double)stats->enters / all : 0;
    r->syscalls_per_msg = r->msgs_all ? (double)(stats->enters + stats->direct_sends) / all : 0;
    r->recv_restarts = stats->recv_restarts;
}

static kern_ring_stats_t *shared_stats(void)
{
    kern_ring_stats_t *stats =
        mmap(NULL, sizeof *stats, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    memset(stats, 0, sizeof *stats);
    return stats;
}

/* Sequential phase (--slice-ms 0): fork one server, load it, kill it. */
static int phase(bool kern, int conns, size_t msg, double seconds, echo_result_t *r)
{
    kern_ring_stats_t *stats = shared_stats();
    uint16_t port;
    pid_t pid = spawn(kern, stats, &port);
    int rc = pid < 0 ? (int)pid : echo_load_run(port, conns, msg, seconds, r);
    if (pid > 0)
        finish(pid, stats, r);
    munmap(stats, sizeof *stats);
    return rc;
}

/* Interleaved phase: both servers up at once, the load alternating between
 * them in slices (echo_load_ab). kern_first puts the kern server in slot A.
 * res[0] is kern's result, res[1] epoll's. */
static int phase_ab(bool kern_first, int conns, size_t msg, double seconds, double slice_s,
                    echo_result_t res[2])
{
    kern_ring_stats_t *stats[2] = {shared_stats(), shared_stats()};
    uint16_t ports[2];
    pid_t pids[2];
    int rc = 0;
    for (int slot = 0; slot < 2; slot++) {
        bool kern = (slot == 0) == kern_first;
        pids[slot] = spawn(kern, stats[slot], &ports[slot]);
        if (pids[slot] < 0)
            rc = (int)pids[slot];
    }
    echo_result_t out[2];
    memset(out, 0, sizeof out);
    if (rc == 0)
        rc = echo_load_ab(ports, conns, msg, seconds, slice_s, out);
    for (int slot = 0; slot < 2; slot++) {
        if (pids[slot] > 0)
            finish(pids[slot], stats[slot], &out[slot]);
        munmap(stats[slot], sizeof *stats[slot]);
    }
    res[0] = out[kern_first ? 0 : 1];
    res[1] = out[kern_first ? 1 : 0];
    return rc;
}

/* --serve: one server in the foreground until its connections are gone. */
static int serve(const char *which, int port)
{
    kern_sock_addr_t a;
    kern_sock_addr_ip(&a, "127.0.0.1", (uint16_t)port);
    int lfd = kern_sock_listen(&a, 1024, 0);
    if (lfd < 0) {
        fprintf(stderr, "echo_bench: listen on %d: %s\n", port, strerror(-lfd));
        return 1;
    }
    echo_exit_when_idle = true;
    if (strcmp(which, "kern") == 0) {
        static kern_ring_stats_t stats;
        echo_kern_serve(lfd, &stats);
    }
    echo_epoll_serve(lfd);
}

/* --load: exactly msgs round trips, then a one-line report. */
static int load_count(int port, int conns, size_t msg, uint64_t msgs)
{
    echo_result_t r;
    int rc = echo_load_count((uint16_t)port, conns, msg, msgs, &r);
    printf("load: %llu round trips on %d connections in %.3f s: %.0f msgs/s p50 %.1f us p99 %.1f "
           "us, %llu errors\n",
           (unsigned long long)r.msgs_all, conns, r.seconds, (double)r.msgs_all / r.seconds,
           r.p50_us, r.p99_us, (unsigned long long)r.errors);
    return rc < 0 || r.errors ? 1 : 0;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_d);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void print_row(int conns, bool kern, int round, const echo_result_t *res, int rc)
{
    char enters[16] = "-", sys[16] = "-";
    if (kern) {
        snprintf(enters, sizeof enters, "%.2f", res->enters_per_msg);
        snprintf(sys, sizeof sys, "%.2f", res->syscalls_per_msg);
    }
    char restarts[48] = "";
    if (kern && res->recv_restarts)
        snprintf(restarts, sizeof restarts, " (%llu recv restarts)",
                 (unsigned long long)res->recv_restarts);
    printf(
        "%-6d %-6s %-5d %12.0f %9.1f %9.1f %9.1f %9.1f %11.2f %11s %9s %6llu %7llu %7llu %3d%s%s\n",
        conns, kern ? "kern" : "epoll", round + 1, res->seconds > 0 ? res->msgs / res->seconds : 0,
        res->p50_us, res->p99_us, res->p999_us, res->max_us, res->server_cpu_us, enters, sys,
        (unsigned long long)res->errors, (unsigned long long)res->migrations,
        (unsigned long long)res->preemptions, res->last_cpu, restarts, rc < 0 ? " (failed)" : "");
    fflush(stdout);
}

/* All rounds at one connection count, then the medians. Returns 1 if any
 * phase failed or lost a byte. */
static int run_count(int conns, size_t msg, double seconds, int rounds, double slice_s)
{
    double rate[2][ROUNDS_MAX], p50[2][ROUNDS_MAX], p99[2][ROUNDS_MAX], cpu[2][ROUNDS_MAX];
    int failed = 0;
    for (int r = 0; r < rounds; r++) {
        echo_result_t res[2]; /* [0] kern, [1] epoll */
        int rc[2];
        if (slice_s > 0) {
            rc[0] = rc[1] = phase_ab(r % 2 == 0, conns, msg, seconds, slice_s, res);
        } else { /* alternate who goes first */
            for (int k = 0; k < 2; k++) {
                int who = (k + r) % 2; /* 0: kern */
                rc[who] = phase(who == 0, conns, msg, seconds, &res[who]);
            }
        }
        for (int k = 0; k < 2; k++) {
            int who = slice_s > 0 || r % 2 == 0 ? k : 1 - k; /* print in run order */
            if (rc[who] < 0 || res[who].errors)
                failed = 1;
            rate[who][r] = res[who].seconds > 0 ? res[who].msgs / res[who].seconds : 0;
            p50[who][r] = res[who].p50_us;
            p99[who][r] = res[who].p99_us;
            cpu[who][r] = res[who].server_cpu_us;
            print_row(conns, who == 0, r, &res[who], rc[who]);
        }
    }
    /* Paired ratios first: the two servers of one round ran in the same
     * seconds, so their ratio cancels most of what the neighbours did. */
    double r_rate[ROUNDS_MAX], r_p50[ROUNDS_MAX], r_p99[ROUNDS_MAX], r_cpu[ROUNDS_MAX];
    for (int r = 0; r < rounds; r++) {
        r_rate[r] = rate[0][r] / rate[1][r];
        r_p50[r] = p50[0][r] / p50[1][r];
        r_p99[r] = p99[0][r] / p99[1][r];
        r_cpu[r] = cpu[0][r] / cpu[1][r];
    }
    double mk = median(rate[0], rounds), me = median(rate[1], rounds);
    double fk = median(p50[0], rounds), fe = median(p50[1], rounds);
    double pk = median(p99[0], rounds), pe = median(p99[1], rounds);
    double ck = median(cpu[0], rounds), ce = median(cpu[1], rounds);
    printf("SUMMARY conns=%d kern %.0f msgs/s p50 %.1f p99 %.1f us cpu %.2f us/msg | epoll %.0f "
           "msgs/s p50 %.1f p99 %.1f us cpu %.2f us/msg | kern/epoll of medians: msgs/s %.3f "
           "p50 %.3f p99 %.3f cpu %.3f\n",
           conns, mk, fk, pk, ck, me, fe, pe, ce, mk / me, fk / fe, pk / pe, ck / ce);
    printf("PAIRED conns=%d median of per-round kern/epoll: msgs/s %.3f p50 %.3f p99 %.3f cpu "
           "%.3f\n",
           conns, median(r_rate, rounds), median(r_p50, rounds), median(r_p99, rounds),
           median(r_cpu, rounds));
    return failed;
}

int main(int argc, char **argv)
{
    double seconds = 2.0;
    int rounds = 3;
    size_t msg = 64;
    int counts[COUNTS_MAX] = {1, 256}, ncounts = 2;
    const char *serve_which = NULL;
    int port = 0;
    uint64_t load_msgs = 0;
    double slice_ms = 50;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--seconds") == 0)
            seconds = atof(argv[i + 1]);
        else if (strcmp(argv[i], "--rounds") == 0)
            rounds = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--kern") == 0)
            echo_kern_mode =
                strcmp(argv[i + 1], "pair") == 0 ? ECHO_KERN_PAIR : ECHO_KERN_MULTISHOT;
        else if (strcmp(argv[i], "--serve") == 0)
            serve_which = argv[i + 1];
        else if (strcmp(argv[i], "--port") == 0)
            port = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--load") == 0)
            load_msgs = (uint64_t)atoll(argv[i + 1]);
        else if (strcmp(argv[i], "--kern-bufs") == 0)
            echo_kern_bufs = (uint32_t)atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--kern-send-at-once") == 0)
            echo_kern_send_at_once = atoi(argv[i + 1]) != 0;
        else if (strcmp(argv[i], "--kern-send-now") == 0)
            echo_kern_send_now = atoi(argv[i + 1]) != 0;
        else if (strcmp(argv[i], "--kern-entries") == 0)
            echo_kern_entries = (uint32_t)atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--slice-ms") == 0)
            slice_ms = atof(argv[i + 1]);
        else if (strcmp(argv[i], "--pin") == 0)
            pinning = atoi(argv[i + 1]) == 1 ? 1 : atoi(argv[i + 1]) == 2 ? 2 : 0;
        else if (strcmp(argv[i], "--msg") == 0)
            msg = (size_t)atol(argv[i + 1]);
        else if (strcmp(argv[i], "--conns") == 0) {
            ncounts = 0;
            for (char *s = strtok(argv[i + 1], ","); s && ncounts < COUNTS_MAX;
                 s = strtok(NULL, ","))
                counts[ncounts++] = atoi(s);
        }
    }
    if (rounds < 1 || rounds > ROUNDS_MAX || seconds <= 0 || msg == 0 || msg > 4096 ||
        slice_ms < 0) {
        fprintf(stderr,
                "usage: echo_bench [--seconds S] [--rounds 1..9] [--msg 1..4096] "
                "[--conns 1,256] [--slice-ms MS|0] [--pin 0|1|2] [--kern multishot|pair]\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    if (serve_which != NULL)
        return serve(serve_which, port);
    if (load_msgs > 0)
        return load_count(port, counts[0], msg, load_msgs);
    kern_probe_print(kern_probe_get(), stdout);
    pin(1);
    printf("echo: %zu-byte ping-pong, %.1f s per server per round, %d rounds, %s, %s, kern "
           "server: %s\n",
           msg, seconds, rounds, placement(),
           slice_ms > 0 ? "interleaved slices" : "sequential phases",
           echo_kern_mode == ECHO_KERN_PAIR ? "send_recv pairs" : "multishot recv + send");
    printf("%-6s %-6s %-5s %12s %9s %9s %9s %9s %11s %11s %9s %6s %7s %7s %3s\n", "conns", "server",
           "round", "msgs/s", "p50_us", "p99_us", "p999_us", "max_us", "cpu_us/msg", "enters/msg",
           "sys/msg", "errors", "migr", "preempt", "cpu");
    int failed = 0;
    for (int c = 0; c < ncounts; c++)
        failed |= run_count(counts[c], msg, seconds, rounds, slice_ms / 1e3);
    return failed;
}
