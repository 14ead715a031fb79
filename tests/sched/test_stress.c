/* Integration stress test (issue 7): 100,000 processes on two workers pass
 * 10,000 tokens to random peers (about half the hops cross cores) for
 * STRESS_SECONDS seconds (default 10; CI's long run uses 60), then park
 * them. Every token must end parked exactly once with an unbroken hop
 * sequence, and receives must equal sends: no message lost or duplicated.
 * The run then ends by itself (D27: everyone waits in an untimed receive)
 * and trun checks that nothing allocated is left. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

#include "tests/sched/sched_test.h"

#define PROCS 100000
#define TOKENS 10000

typedef struct {
    sched_msg_t hdr; /* first */
    uint32_t token;
    uint64_t hop;
} token_t;

static _Atomic sched_pid_t *pids;
static uint64_t *last_hop;  /* per token: written only by its holder */
static uint64_t *received;  /* per process: written only by it */
static uint64_t *forwarded; /* per process */
static atomic_int started, parked, broken;
static uint64_t deadline_ns;

static void token_drop(sched_msg_t *m) { free(m); }

static void peer(void *arg)
{
    uint32_t i = (uint32_t)(uintptr_t)arg;
    pids[i] = sched_proc_pid(sched_proc_current());
    atomic_fetch_add(&started, 1);
    uint64_t seed = i * 0x9E3779B97F4A7C15ull + 1;
    for (;;) {
        token_t *t = (token_t *)sched_proc_receive(-1);
        received[i]++;
        if (t->hop != last_hop[t->token] + 1)
            atomic_fetch_add(&broken, 1);
        last_hop[t->token] = t->hop;
        if (kern_timer_now_ns() >= deadline_ns) {
            atomic_fetch_add(&parked, 1);
            free(t);
            continue;
        }
        seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
        t->hop++;
        forwarded[i]++;
        int rc = sched_proc_send(pids[seed % PROCS], &t->hdr);
        if (rc != 0)
            atomic_fetch_add(&broken, 1);
    }
}

static void stress_main(void *arg)
{
    (void)arg;
    for (uint32_t i = 0; i < PROCS; i++)
        cr_assert_eq(sched_proc_spawn_on(i % 2, peer, (void *)(uintptr_t)i), 0);
    while (atomic_load(&started) < PROCS)
        sched_proc_sleep(1);
    for (uint32_t k = 0; k < TOKENS; k++) {
        token_t *t = calloc(1, sizeof *t);
        t->hdr.drop = token_drop;
        t->token = k;
        t->hop = 1;
        last_hop[k] = 0;
        cr_assert_eq(sched_proc_send(pids[(k * 7919u) % PROCS], &t->hdr), 0);
    }
}

Test(sched_stress, tokens_among_100k_processes_are_never_lost_or_duplicated, .timeout = 600)
{
    const char *env = getenv("STRESS_SECONDS");
    long seconds = env ? atol(env) : 10;
    cr_assert_gt(seconds, 0);
    pids = calloc(PROCS, sizeof *pids);
    last_hop = calloc(TOKENS, sizeof *last_hop);
    received = calloc(PROCS, sizeof *received);
    forwarded = calloc(PROCS, sizeof *forwarded);
    deadline_ns = kern_timer_now_ns() + (uint64_t)seconds * 1000000000ull;
    trun(2, stress_main, NULL);
    uint64_t recv_total = 0, fwd_total = 0, hops_total = 0;
    for (uint32_t i = 0; i < PROCS; i++) {
        recv_total += received[i];
        fwd_total += forwarded[i];
    }
    for (uint32_t k = 0; k < TOKENS; k++)
        hops_total += last_hop[k];
    sched_worker_stats_t st;
    sched_worker_last_stats(&st);
    printf("stress: %ld s, %llu messages received, %llu switches\n", seconds,
           (unsigned long long)recv_total, (unsigned long long)st.switches);
    cr_assert_eq(atomic_load(&broken), 0);
    cr_assert_eq(atomic_load(&parked), TOKENS);
    cr_assert_eq(recv_total, TOKENS + fwd_total); /* every send received once */
    cr_assert_eq(hops_total, recv_total);         /* each hop seen exactly once */
    cr_assert_eq(st.spawned, PROCS + 1);
    free(pids);
    free(last_hop);
    free(received);
    free(forwarded);
}
