/* Tests for sched/share.c: processes on shared stacks keep their frames
 * when other members of their host run in between, hosts are reused, and
 * nothing is copied while every shared process has a host to itself
 * (issue 7, docs/scheduler.md "Shared stacks"). Results are recorded in
 * globals and checked after the run. */
#include <signal.h>
#include <stdint.h>

#include "tests/sched/sched_test.h"

#if defined(__SANITIZE_ADDRESS__)
#define SHARE_OFF_UNDER_ASAN 1 /* share.c never shares under ASan */
#else
#define SHARE_OFF_UNDER_ASAN 0
#endif

enum { WORDS = 96 };

static sched_pid_t owner;
static atomic_int frames_ok, frames_bad;

static uint64_t pattern(intptr_t id, int i) { return (uint64_t)id * 1000003u + (uint64_t)i * 7919u; }

/* Fills a frame with its own values, waits, then checks them: a copy back
 * to the wrong place, or of too few bytes, shows up here. */
static void member(void *arg)
{
    intptr_t id = (intptr_t)arg;
    volatile uint64_t frame[WORDS];
    for (int i = 0; i < WORDS; i++)
        frame[i] = pattern(id, i);
    int64_t got = trecv(-1, NULL, NULL);
    bool ok = got == id;
    for (int i = 0; i < WORDS; i++)
        ok = ok && frame[i] == pattern(id, i);
    atomic_fetch_add(ok ? &frames_ok : &frames_bad, 1);
    tsend(owner, id);
}

static int members;

/* Spawns the members, lets them all reach their receive, then wakes them
 * in the reverse order (never the host's resident first). */
static void owner_main(void *arg)
{
    (void)arg;
    owner = sched_proc_pid(sched_proc_current());
    sched_pid_t *pids = calloc((size_t)members, sizeof *pids);
    for (int i = 0; i < members; i++)
        cr_assert_eq(sched_proc_spawn_shared(member, (void *)(intptr_t)i, &pids[i]), 0);
    sched_proc_yield(); /* every member runs to its receive */
    for (int i = members; i-- > 0;)
        tsend(pids[i], i);
    int64_t sum = 0;
    for (int i = 0; i < members; i++)
        sum += trecv(-1, NULL, NULL);
    cr_assert_eq(sum, (int64_t)members * (members - 1) / 2);
    free(pids);
}

/* trun with sharing on or off. */
static void run_shared(bool share, int n)
{
    members = n;
    atomic_store(&frames_ok, 0);
    atomic_store(&frames_bad, 0);
    int64_t allocs = kern_alloc_live_count();
    sched_config_t cfg = {.cores = 1, .share = share};
    cr_assert_eq(sched_worker_run(&cfg, owner_main, NULL), 0);
    cr_assert_eq(kern_alloc_live_count(), allocs, "images or records leaked");
    cr_assert_eq(atomic_load(&frames_ok), n);
    cr_assert_eq(atomic_load(&frames_bad), 0);
}

Test(sched_share, members_keep_their_frames_across_copies, .timeout = 30)
{
    run_shared(true, 3000); /* > SCHED_SHARE_HOSTS_MAX: hosts are shared */
    sched_worker_stats_t st;
    sched_worker_last_stats(&st);
    cr_assert_eq(st.exited, 3001);
    if (!SHARE_OFF_UNDER_ASAN) {
        /* Each member beyond the 256 hosts' first tenants is saved at least
         * once (another member ran on its host) and restored to run. */
        cr_assert_geq(st.share_saves, 3000 - SCHED_SHARE_HOSTS_MAX);
        cr_assert_geq(st.share_restores, 3000 - SCHED_SHARE_HOSTS_MAX);
    }
}

Test(sched_share, few_members_copy_nothing, .timeout = 10)
{
    run_shared(true, SCHED_SHARE_HOSTS_MAX); /* a host each */
    sched_worker_stats_t st;
    sched_worker_last_stats(&st);
    cr_assert_eq(st.share_saves, 0);
    cr_assert_eq(st.share_restores, 0);
}

Test(sched_share, sharing_off_gives_own_stacks, .timeout = 30)
{
    run_shared(false, 1000);
    sched_worker_stats_t st;
    sched_worker_last_stats(&st);
    cr_assert_eq(st.share_saves, 0);
}

/* ---- members still waiting when the run ends are discarded (D27) ---- */

static void waits_forever(void *arg)
{
    (void)arg;
    volatile uint64_t frame[WORDS] = {1};
    (void)trecv(-1, NULL, NULL);
    frame[0]++;
}

static void leave_waiters(void *arg)
{
    (void)arg;
    for (int i = 0; i < 600; i++)
        cr_assert_eq(sched_proc_spawn_shared(waits_forever, NULL, NULL), 0);
}

Test(sched_share, discarded_members_free_their_images, .timeout = 10)
{
    int64_t allocs = kern_alloc_live_count();
    sched_config_t cfg = {.cores = 1, .share = true};
    cr_assert_eq(sched_worker_run(&cfg, leave_waiters, NULL), 0);
    cr_assert_eq(kern_alloc_live_count(), allocs, "images leaked");
    sched_worker_stats_t st;
    sched_worker_last_stats(&st);
    cr_assert_eq(st.discarded, 600);
    if (!SHARE_OFF_UNDER_ASAN)
        cr_assert_geq(st.share_saves, 600 - SCHED_SHARE_HOSTS_MAX);
}

/* ---- a shared process never parks ---- */

static void parks(void *arg)
{
    (void)arg;
    sched_proc_park(); /* asserts: the ring would write into a moved frame */
}

static void spawn_parker(void *arg)
{
    (void)arg;
    cr_assert_eq(sched_proc_spawn_shared(parks, NULL, NULL), 0);
}

Test(sched_share, parking_a_shared_process_aborts, .signal = SIGABRT, .timeout = 10)
{
    if (SHARE_OFF_UNDER_ASAN)
        abort(); /* no shared process exists to check under ASan */
    sched_config_t cfg = {.cores = 1, .share = true};
    sched_worker_run(&cfg, spawn_parker, NULL);
}
