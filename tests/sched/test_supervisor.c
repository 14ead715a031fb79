/* Tests for sched/sup.c (language.md 8.7, stdlib 23, D79-D83; issue 7):
 * strategies restart exactly the children they name, restart types decide
 * whether to restart, restart intensity gives up with the spec's reason and
 * forgets restarts older than its window, shutdown waits then kills, start
 * failures and a parent's Shutdown stop the children in reverse order. */
#include <criterion/criterion.h>
#include <string.h>

#include "sched/link.h"
#include "sched/sup.h"
#include "tests/sched/sched_test.h"

#define N 3
#define MS 1000000ll

/* Per child index: how often it started, and the order children ended. */
static atomic_int starts[N];
static atomic_int end_seq, ended_at[N];
static atomic_int fail_start; /* child index + 1 whose start fails */

/* A child: on message 1 it crashes, on 2 it returns normally. Records when
 * it ends by Shutdown (trap = false) through its own exit order. */
static void child_body(void *arg)
{
    intptr_t i = (intptr_t)arg;
    int64_t v = trecv(-1, NULL, NULL);
    if (v == 1)
        tcrash("child failed");
    (void)i;
}

/* A child that traps exits and ignores Shutdown (only Killed ends it). */
static void stubborn_body(void *arg)
{
    (void)arg;
    sched_trap_exit(true);
    for (;;) {
        sched_msg_t *m = sched_proc_receive(-1);
        m->drop(m);
    }
}

static sched_pid_t start_child(void *arg)
{
    intptr_t i = (intptr_t)arg;
    if (atomic_load(&fail_start) == i + 1)
        return SCHED_PID_NULL;
    sched_pid_t pid;
    cr_assert_eq(sched_proc_spawn(child_body, arg, &pid), 0);
    atomic_fetch_add(&starts[i], 1);
    return pid;
}

static sched_pid_t start_stubborn(void *arg)
{
    intptr_t i = (intptr_t)arg;
    sched_pid_t pid;
    cr_assert_eq(sched_proc_spawn(stubborn_body, arg, &pid), 0);
    atomic_fetch_add(&starts[i], 1);
    return pid;
}

#define CHILD(i, r, sd)                                                                            \
    {                                                                                              \
        "c" #i, start_child, (void *)(intptr_t)(i), (r), (sd)                                      \
    }

static sched_sup_child_t kids[N] = {
    CHILD(0, SCHED_SUP_PERMANENT, 1000),
    CHILD(1, SCHED_SUP_PERMANENT, 1000),
    CHILD(2, SCHED_SUP_PERMANENT, 1000),
};
static sched_sup_spec_t spec = {"Sup", SCHED_SUP_ONE_FOR_ONE, 3, 5, N, kids};

static sched_pid_t before[N], after[N];
static int64_t restarts;
static char sup_end[128], child_end[N][128];

/* Polls the supervisor until its restart count reaches want. */
static void wait_restarts(sched_pid_t sup, int64_t want)
{
    uint64_t until = kern_timer_now_ns() + 3000 * MS;
    do {
        restarts = sched_sup_which_children(sup, after, N);
        if (restarts >= want)
            return;
        sched_proc_sleep(1);
    } while (kern_timer_now_ns() < until);
    cr_assert_fail("supervisor did not reach %ld restarts", (long)want);
}

/* Monitors every child, sends msg to child `which`, waits for `downs` Downs
 * and records each child's reason. */
static void hit(sched_pid_t sup, int which, int64_t msg, int downs)
{
    cr_assert_geq(sched_sup_which_children(sup, before, N), 0);
    uint64_t refs[N];
    for (int i = 0; i < N; i++)
        refs[i] = sched_monitor(before[i]);
    tsend(before[which], msg);
    for (int d = 0; d < downs; d++) {
        sched_sysmsg_t *s = tsys(5000);
        cr_assert_not_null(s);
        for (int i = 0; i < N; i++)
            if (refs[i] == s->ref) {
                trtext(s->reason, child_end[i], sizeof child_end[i]);
                ended_at[i] = atomic_fetch_add(&end_seq, 1);
            }
        sched_sysmsg_free(s);
    }
    for (int i = 0; i < N; i++)
        sched_demonitor(refs[i]);
}

static bool is_down_ref(sched_msg_t *m, void *data)
{
    sched_sysmsg_t *s = sched_sysmsg_of(m);
    return s && s->ref == *(uint64_t *)data;
}

/* Stops the supervisor with a parent's Shutdown and records its reason. */
static void stop_sup(sched_pid_t sup)
{
    uint64_t r = sched_monitor(sup);
    cr_assert_eq(sched_exit_signal(sup, sched_reason_plain(SCHED_EXIT_SHUTDOWN)), 0);
    sched_sysmsg_t *s = sched_sysmsg_of(sched_proc_receive_match(5000, is_down_ref, &r));
    cr_assert_not_null(s);
    trtext(s->reason, sup_end, sizeof sup_end);
    sched_sysmsg_free(s);
}

static void strategy_main(void *arg)
{
    (void)arg;
    sched_pid_t sup;
    cr_assert_eq(sched_sup_start(&spec, &sup), 0);
    wait_restarts(sup, 0);
    int expect_downs = spec.strategy == SCHED_SUP_ONE_FOR_ALL    ? 3
                       : spec.strategy == SCHED_SUP_REST_FOR_ONE ? 2
                                                                 : 1;
    hit(sup, 1, 1, expect_downs);
    wait_restarts(sup, 1);
    stop_sup(sup);
}

static void run_strategy(uint8_t strategy)
{
    spec.strategy = strategy;
    trun(1, strategy_main, NULL);
    cr_assert_eq(restarts, 1);
    cr_assert_str_eq(sup_end, "Shutdown");
    cr_assert_str_eq(child_end[1], "Error(child failed)");
}

Test(sched_supervisor, one_for_one_restarts_only_the_failed_child, .timeout = 10)
{
    run_strategy(SCHED_SUP_ONE_FOR_ONE);
    cr_assert_eq(atomic_load(&starts[0]), 1);
    cr_assert_eq(atomic_load(&starts[1]), 2);
    cr_assert_eq(atomic_load(&starts[2]), 1);
    cr_assert_eq(after[0], before[0]);
    cr_assert_neq(after[1], before[1]);
    cr_assert_eq(after[2], before[2]);
}

Test(sched_supervisor, simple_one_for_one_behaves_as_one_for_one, .timeout = 10)
{
    run_strategy(SCHED_SUP_SIMPLE_ONE_FOR_ONE); /* D83 */
    cr_assert_eq(atomic_load(&starts[0]), 1);
    cr_assert_eq(atomic_load(&starts[1]), 2);
    cr_assert_eq(atomic_load(&starts[2]), 1);
}

Test(sched_supervisor, one_for_all_stops_the_others_in_reverse_and_restarts_all, .timeout = 10)
{
    run_strategy(SCHED_SUP_ONE_FOR_ALL);
    for (int i = 0; i < N; i++)
        cr_assert_eq(atomic_load(&starts[i]), 2);
    cr_assert_str_eq(child_end[0], "Shutdown");
    cr_assert_str_eq(child_end[2], "Shutdown");
    /* the failed child first, then the others in reverse order: 2, 0 */
    cr_assert_lt(ended_at[1], ended_at[2]);
    cr_assert_lt(ended_at[2], ended_at[0]);
    for (int i = 0; i < N; i++)
        cr_assert_neq(after[i], before[i]);
}

Test(sched_supervisor, rest_for_one_restarts_the_child_and_those_after_it, .timeout = 10)
{
    run_strategy(SCHED_SUP_REST_FOR_ONE);
    cr_assert_eq(atomic_load(&starts[0]), 1);
    cr_assert_eq(atomic_load(&starts[1]), 2);
    cr_assert_eq(atomic_load(&starts[2]), 2);
    cr_assert_str_eq(child_end[2], "Shutdown");
    cr_assert_eq(after[0], before[0]);
    cr_assert_neq(after[2], before[2]);
}

/* ---- restart types ---- */

static sched_sup_child_t typed[N] = {
    CHILD(0, SCHED_SUP_TRANSIENT, 1000),
    CHILD(1, SCHED_SUP_TRANSIENT, 1000),
    CHILD(2, SCHED_SUP_TEMPORARY, 1000),
};
static sched_sup_spec_t typed_spec = {"Typed", SCHED_SUP_ONE_FOR_ONE, 3, 5, N, typed};

static void types_main(void *arg)
{
    (void)arg;
    sched_pid_t sup;
    cr_assert_eq(sched_sup_start(&typed_spec, &sup), 0);
    wait_restarts(sup, 0);
    hit(sup, 0, 2, 1); /* transient, normal exit: not restarted */
    hit(sup, 1, 1, 1); /* transient, crash: restarted */
    wait_restarts(sup, 1);
    hit(sup, 2, 1, 1); /* temporary, crash: removed */
    sched_proc_sleep(10);
    wait_restarts(sup, 1);
    stop_sup(sup);
}

Test(sched_supervisor, restart_types_decide_whether_to_restart, .timeout = 10)
{
    trun(1, types_main, NULL);
    cr_assert_eq(restarts, 1);
    cr_assert_eq(atomic_load(&starts[0]), 1);
    cr_assert_eq(atomic_load(&starts[1]), 2);
    cr_assert_eq(atomic_load(&starts[2]), 1);
    cr_assert_eq(after[0], SCHED_PID_NULL);
    cr_assert_neq(after[1], SCHED_PID_NULL);
    cr_assert_eq(after[2], SCHED_PID_NULL);
}

/* ---- intensity ---- */

static sched_sup_spec_t tight = {"Tight", SCHED_SUP_ONE_FOR_ONE, 2, 5, N, kids};

static void intensity_main(void *arg)
{
    (void)arg;
    sched_pid_t sup;
    cr_assert_eq(sched_sup_start(&tight, &sup), 0);
    uint64_t r = sched_monitor(sup);
    for (int k = 1; k <= 2; k++) {
        wait_restarts(sup, k - 1);
        hit(sup, 0, 1, 1);
    }
    wait_restarts(sup, 2);
    /* The third failure within 5 s is one too many. */
    cr_assert_geq(sched_sup_which_children(sup, before, N), 0);
    uint64_t refs[N];
    for (int i = 0; i < N; i++)
        refs[i] = sched_monitor(before[i]);
    tsend(before[2], 1);
    for (int d = 0; d < N + 1; d++) {
        sched_sysmsg_t *s = tsys(5000);
        cr_assert_not_null(s);
        if (s->ref == r)
            trtext(s->reason, sup_end, sizeof sup_end);
        for (int i = 0; i < N; i++)
            if (refs[i] == s->ref)
                trtext(s->reason, child_end[i], sizeof child_end[i]);
        sched_sysmsg_free(s);
    }
}

Test(sched_supervisor, too_many_restarts_stop_every_child_and_the_supervisor, .timeout = 10)
{
    trun(1, intensity_main, NULL);
    cr_assert_str_eq(sup_end, "Error(restart limit exceeded: 2 restarts in 5 seconds)");
    cr_assert_str_eq(child_end[0], "Shutdown");
    cr_assert_str_eq(child_end[1], "Shutdown");
    cr_assert_str_eq(child_end[2], "Error(child failed)");
    cr_assert_eq(atomic_load(&starts[0]), 3);
    cr_assert_eq(atomic_load(&starts[2]), 1);
}

static sched_sup_spec_t windowed = {"Window", SCHED_SUP_ONE_FOR_ONE, 1, 1, N, kids};
static sched_sup_spec_t zero = {"Zero", SCHED_SUP_ONE_FOR_ONE, 0, 5, N, kids};

static int64_t window_restarts;

static void window_main(void *arg)
{
    (void)arg;
    sched_pid_t sup;
    cr_assert_eq(sched_sup_start(&windowed, &sup), 0);
    wait_restarts(sup, 0);
    hit(sup, 0, 1, 1);
    wait_restarts(sup, 1);
    sched_proc_sleep(1100); /* the first restart leaves the 1 s window */
    hit(sup, 0, 1, 1);
    wait_restarts(sup, 2);
    window_restarts = restarts;
    stop_sup(sup);
    /* max_restarts 0: the first failure that needs a restart ends it. */
    cr_assert_eq(sched_sup_start(&zero, &sup), 0);
    uint64_t r = sched_monitor(sup);
    wait_restarts(sup, 0);
    tsend(after[1], 1);
    sched_sysmsg_t *s = tsys(5000);
    cr_assert_eq(s->ref, r);
    trtext(s->reason, child_end[0], sizeof child_end[0]);
    sched_sysmsg_free(s);
}

Test(sched_supervisor, restarts_older_than_the_window_do_not_count, .timeout = 10)
{
    trun(1, window_main, NULL);
    cr_assert_eq(window_restarts, 2);
    cr_assert_str_eq(sup_end, "Shutdown");
    cr_assert_str_eq(child_end[0], "Error(restart limit exceeded: 0 restarts in 5 seconds)");
}

/* ---- shutdown ---- */

static sched_sup_child_t mixed[N] = {
    {"stubborn", start_stubborn, (void *)0, SCHED_SUP_PERMANENT, 50},
    {"brutal", start_stubborn, (void *)1, SCHED_SUP_PERMANENT, SCHED_SUP_BRUTAL_KILL},
    CHILD(2, SCHED_SUP_PERMANENT, 1000),
};
static sched_sup_spec_t mixed_spec = {"Mixed", SCHED_SUP_ONE_FOR_ONE, 3, 5, N, mixed};
static int64_t stop_ns;

static void shutdown_main(void *arg)
{
    (void)arg;
    sched_pid_t sup;
    cr_assert_eq(sched_sup_start(&mixed_spec, &sup), 0);
    wait_restarts(sup, 0);
    uint64_t refs[N];
    for (int i = 0; i < N; i++)
        refs[i] = sched_monitor(after[i]);
    uint64_t t0 = kern_timer_now_ns();
    stop_sup(sup);
    stop_ns = (int64_t)(kern_timer_now_ns() - t0);
    for (int d = 0; d < N; d++) {
        sched_sysmsg_t *s = tsys(5000);
        for (int i = 0; i < N; i++)
            if (refs[i] == s->ref) {
                trtext(s->reason, child_end[i], sizeof child_end[i]);
                ended_at[i] = atomic_fetch_add(&end_seq, 1);
            }
        sched_sysmsg_free(s);
    }
}

Test(sched_supervisor, shutdown_waits_then_kills_and_brutal_kill_kills_at_once, .timeout = 10)
{
    trun(1, shutdown_main, NULL);
    cr_assert_str_eq(sup_end, "Shutdown");
    cr_assert_str_eq(child_end[2], "Shutdown");
    cr_assert_str_eq(child_end[1], "Killed");
    cr_assert_str_eq(child_end[0], "Killed"); /* ignored Shutdown for 50 ms */
    cr_assert_geq(stop_ns, 50 * MS);
    cr_assert_lt(ended_at[2], ended_at[1]); /* reverse order */
    cr_assert_lt(ended_at[1], ended_at[0]);
}

/* ---- start failure ---- */

static void start_fail_main(void *arg)
{
    (void)arg;
    atomic_store(&fail_start, 3); /* child 2 cannot start */
    sched_pid_t sup;
    cr_assert_eq(sched_sup_start(&spec, &sup), 0);
    uint64_t r = sched_monitor(sup);
    sched_sysmsg_t *s = tsys(5000);
    cr_assert_eq(s->ref, r);
    trtext(s->reason, sup_end, sizeof sup_end);
    sched_sysmsg_free(s);
}

Test(sched_supervisor, a_child_that_fails_to_start_fails_the_supervisor, .timeout = 10)
{
    spec.strategy = SCHED_SUP_ONE_FOR_ONE;
    trun(1, start_fail_main, NULL);
    cr_assert_str_eq(sup_end, "Error(child c2 failed to start)");
    cr_assert_eq(atomic_load(&starts[0]), 1);
    cr_assert_eq(atomic_load(&starts[1]), 1);
    /* The two started children were stopped: nothing is left running, or
     * the run would not have ended (D27) with every count back to zero. */
}

/* ---- nested: a supervisor under a supervisor ---- */

static sched_pid_t start_inner(void *arg)
{
    sched_pid_t pid;
    cr_assert_eq(sched_sup_start((const sched_sup_spec_t *)arg, &pid), 0);
    return pid;
}

static sched_sup_spec_t inner = {"Inner", SCHED_SUP_ONE_FOR_ONE, 0, 5, N, kids};
static sched_sup_child_t outer_kids[1] = {
    {"inner", start_inner, &inner, SCHED_SUP_PERMANENT, 1000},
};
static sched_sup_spec_t outer = {"Outer", SCHED_SUP_ONE_FOR_ONE, 3, 5, 1, outer_kids};
static sched_pid_t inner_pids[2];

static void nested_main(void *arg)
{
    (void)arg;
    sched_pid_t sup;
    cr_assert_eq(sched_sup_start(&outer, &sup), 0);
    wait_restarts(sup, 0);
    inner_pids[0] = after[0];
    cr_assert_geq(sched_sup_which_children(inner_pids[0], before, N), 0);
    tsend(before[0], 1);   /* the inner one gives up at once (max 0) */
    wait_restarts(sup, 1); /* the outer one restarts it */
    inner_pids[1] = after[0];
    stop_sup(sup);
}

Test(sched_supervisor, an_inner_supervisor_that_gives_up_is_restarted_by_its_parent, .timeout = 10)
{
    trun(1, nested_main, NULL);
    cr_assert_neq(inner_pids[1], inner_pids[0]);
    cr_assert_eq(atomic_load(&starts[0]), 2);
    cr_assert_eq(atomic_load(&starts[1]), 2);
    cr_assert_str_eq(sup_end, "Shutdown");
}

/* one_for_all stops a temporary sibling and does not start it again. */
static sched_sup_child_t with_temp[N] = {
    CHILD(0, SCHED_SUP_PERMANENT, 1000),
    CHILD(1, SCHED_SUP_TEMPORARY, 1000),
    CHILD(2, SCHED_SUP_PERMANENT, 1000),
};
static sched_sup_spec_t temp_spec = {"Temp", SCHED_SUP_ONE_FOR_ALL, 3, 5, N, with_temp};

static void temp_main(void *arg)
{
    (void)arg;
    sched_pid_t sup;
    cr_assert_eq(sched_sup_start(&temp_spec, &sup), 0);
    wait_restarts(sup, 0);
    hit(sup, 0, 1, 3);
    wait_restarts(sup, 1);
    stop_sup(sup);
}

Test(sched_supervisor, a_temporary_child_stopped_by_one_for_all_is_not_restarted, .timeout = 10)
{
    trun(1, temp_main, NULL);
    cr_assert_eq(atomic_load(&starts[0]), 2);
    cr_assert_eq(atomic_load(&starts[1]), 1);
    cr_assert_eq(atomic_load(&starts[2]), 2);
    cr_assert_str_eq(child_end[1], "Shutdown");
    cr_assert_eq(after[1], SCHED_PID_NULL);
}
