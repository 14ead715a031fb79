/* Tests for sched/actor.c: Snow processes with their own snow_ctx_t — a
 * panic ends only its process (D24), a stack overflow too (D30), the ABI
 * check preempts (language.md 8.8) and heaps live and die with their
 * process. Issue 7. */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/std/ctx.h"
#include "lang/std/heap.h"
#include "sched/actor.h"
#include "tests/sched/sched_test.h"

static snow_rt_t rt;
static atomic_int finished, after_panic;

static void setup(void)
{
    std_rt_init(&rt, 0, NULL);
    sched_actor_set_rt(&rt);
}

static void teardown(void)
{
    sched_actor_set_rt(NULL);
    std_rt_destroy(&rt);
}

static void panicker(snow_ctx_t *cx, void *arg)
{
    (void)arg;
    /* Something on its heap, which the panic must free (ASan checks). */
    snow_string_t *s = snow_string_new(cx, "doomed", 6);
    cr_assert_not_null(s);
    snow_panic(cx, "boom %d", 42);
}

static void survivor(snow_ctx_t *cx, void *arg)
{
    (void)arg;
    snow_string_t *s = snow_string_new(cx, "fine", 4);
    sched_proc_yield(); /* the panicker runs meanwhile */
    if (s && sched_actor_ctx(sched_proc_current()) == cx)
        atomic_fetch_add(&after_panic, 1);
}

static void panic_main(void *arg)
{
    (void)arg;
    cr_assert_eq(sched_actor_spawn(survivor, NULL, NULL), 0);
    cr_assert_eq(sched_actor_spawn(panicker, NULL, NULL), 0);
    cr_assert_eq(sched_actor_spawn(survivor, NULL, NULL), 0);
    sched_proc_yield();
    sched_proc_yield();
    atomic_fetch_add(&finished, 1);
}

Test(sched_actor, a_panic_ends_only_its_process, .init = setup, .fini = teardown, .timeout = 10)
{
    cr_redirect_stderr();
    trun(1, panic_main, NULL);
    cr_assert_eq(atomic_load(&finished), 1);
    cr_assert_eq(atomic_load(&after_panic), 2);
    fflush(stderr);
    cr_assert_stderr_eq_str("Snow panic: boom 42\n");
    sched_worker_stats_t st;
    sched_worker_last_stats(&st);
    cr_assert_eq(st.exited, 4);
}

static int depth_reached;

static int recurse(snow_ctx_t *cx, int depth)
{
    volatile char pad[256];
    pad[0] = (char)depth;
    snow_proc_check(cx);
    depth_reached = depth;
    return depth > (1 << 30) ? 0 : recurse(cx, depth + 1) + pad[0];
}

static void deep(snow_ctx_t *cx, void *arg)
{
    (void)arg;
    recurse(cx, 0);
}

static void overflow_main(void *arg)
{
    (void)arg;
    cr_assert_eq(sched_actor_spawn(deep, NULL, NULL), 0);
    sched_proc_yield();
    atomic_fetch_add(&finished, 1); /* still here after the overflow */
}

Test(sched_actor, stack_overflow_panics_and_ends_only_that_process, .init = setup, .fini = teardown,
     .timeout = 10)
{
    cr_redirect_stderr();
    trun(1, overflow_main, NULL);
    cr_assert_eq(atomic_load(&finished), 1);
    /* Frames of >= 256 bytes: more than 1,000 deep means > 256 KiB used. */
    cr_assert_gt(depth_reached, 1000);
    fflush(stderr);
    cr_assert_stderr_eq_str("Snow panic: stack overflow\n");
}

static long spins;
static volatile bool stop_spinning;

static void spinner(snow_ctx_t *cx, void *arg)
{
    (void)arg;
    while (!stop_spinning) {
        snow_proc_check(cx); /* what every loop back-edge emits */
        spins++;
    }
}

static void stopper(snow_ctx_t *cx, void *arg)
{
    (void)cx;
    (void)arg;
    stop_spinning = true;
}

static void preempt_main(void *arg)
{
    (void)arg;
    sched_actor_spawn(spinner, NULL, NULL);
    sched_actor_spawn(stopper, NULL, NULL);
}

Test(sched_actor, the_abi_check_preempts_after_4000_reductions, .init = setup, .fini = teardown,
     .timeout = 10)
{
    trun(1, preempt_main, NULL);
    cr_assert_eq(spins, SCHED_REDUCTIONS);
}

static void blocked_actor(snow_ctx_t *cx, void *arg)
{
    (void)arg;
    snow_string_new(cx, "held until the end", 18);
    sched_proc_receive(-1); /* never answered: discarded at the end (D27) */
}

static void discard_main(void *arg)
{
    (void)arg;
    for (int i = 0; i < 3; i++)
        sched_actor_spawn(blocked_actor, NULL, NULL);
}

Test(sched_actor, discarded_actors_release_their_heaps, .init = setup, .fini = teardown,
     .timeout = 10)
{
    trun(1, discard_main, NULL);
    /* Nothing to observe but ASan's leak check in the sanitizer build and
     * that the run ends. */
    cr_assert_eq(sched_actor_spawn(blocked_actor, NULL, NULL), -EPERM);
}

/* ---- sched_actor_main: a whole program ---- */

static void say_line(snow_ctx_t *cx, const char *text)
{
    snow_println(cx, snow_string_new(cx, text, strlen(text)));
}

static void child(snow_ctx_t *cx, void *arg) { say_line(cx, (const char *)arg); }

static void program_main(snow_ctx_t *cx)
{
    say_line(cx, "main starts");
    static const char *names[] = {"child 0", "child 1", "child 2"};
    for (int i = 0; i < 3; i++)
        cr_assert_eq(sched_actor_spawn(child, (void *)names[i], NULL), 0);
    say_line(cx, "main returns");
    /* The children run after main has returned (language.md 8.9). */
}

Test(sched_actor, a_program_runs_until_no_process_can_run, .timeout = 10)
{
    cr_redirect_stdout();
    setenv("SNOW_CORES", "1", 1);
    char *argv[] = {"prog", NULL};
    cr_assert_eq(sched_actor_main(1, argv, program_main), 0);
    fflush(stdout);
    cr_assert_stdout_eq_str("main starts\nmain returns\nchild 0\nchild 1\nchild 2\n");
}

static void panicking_main(snow_ctx_t *cx) { snow_panic(cx, "main gives up"); }

Test(sched_actor, a_panic_in_main_ends_the_program, .signal = SIGABRT, .timeout = 10)
{
    setenv("SNOW_CORES", "2", 1);
    char *argv[] = {"prog", NULL};
    sched_actor_main(1, argv, panicking_main);
}

Test(sched_actor, a_bad_snow_cores_is_reported_not_run)
{
    cr_redirect_stderr();
    setenv("SNOW_CORES", "zero", 1);
    char *argv[] = {"prog", NULL};
    cr_assert_eq(sched_actor_main(1, argv, program_main), 2);
    fflush(stderr);
    cr_assert_stderr_eq_str("snow: SNOW_CORES must be a whole number from 1 to 1024, or auto\n");
}

/* ---- messages between actors: copied once, adopted by the receiver ---- */

static sched_pid_t receiver_pid;
static atomic_int copy_checks, receiver_ready;
static int64_t immediate_got;

static void receiver(snow_ctx_t *cx, void *arg)
{
    (void)arg;
    receiver_pid = sched_proc_pid(sched_proc_current());
    atomic_store(&receiver_ready, 1);
    snow_word_t v;
    cr_assert(sched_actor_receive(cx, 5000, &v));
    snow_record_t *r = (snow_record_t *)(uintptr_t)v;
    /* The copy lives in this process's heap, strings and all. */
    snow_string_t *s = (snow_string_t *)(uintptr_t)r->w[0];
    if (std_heap_find(&cx->heap, r) == r && std_heap_find(&cx->heap, s) == s)
        atomic_fetch_add(&copy_checks, 1);
    snow_gc_collect(cx); /* r is on our stack: it and s survive */
    if (s->len == 11 && memcmp(s->bytes, "hello actor", 11) == 0 && r->w[1] == 42)
        atomic_fetch_add(&copy_checks, 1);
    cr_assert(sched_actor_receive(cx, 5000, &v));
    immediate_got = (int64_t)v;
}

static void sender(snow_ctx_t *cx, void *arg)
{
    (void)arg;
    while (!atomic_load(&receiver_ready))
        sched_proc_sleep(1); /* the receiver starts on the other worker */
    snow_record_t *r = snow_record_new(cx, 3, 2, 0x1);
    r->w[0] = (snow_word_t)(uintptr_t)snow_string_new(cx, "hello actor", 11);
    r->w[1] = 42;
    cr_assert_eq(sched_actor_send(cx, receiver_pid, (snow_word_t)(uintptr_t)r, true), 0);
    /* The sender's own value is untouched and still its own. */
    if (std_heap_find(&cx->heap, r) == r)
        atomic_fetch_add(&copy_checks, 1);
    cr_assert_eq(sched_actor_send(cx, receiver_pid, 7, false), 0);
}

static void receiver_host(void *arg)
{
    (void)arg;
    cr_assert_eq(sched_actor_spawn(receiver, NULL, NULL), 0);
}

static void messages_main(void *arg)
{
    (void)arg;
    sched_proc_spawn_on(1, receiver_host, NULL);
    cr_assert_eq(sched_actor_spawn(sender, NULL, NULL), 0);
}

Test(sched_actor, messages_are_deep_copies_adopted_by_the_receiver_across_cores, .init = setup,
     .fini = teardown, .timeout = 10)
{
    sched_config_t cfg = {.cores = 2};
    cr_assert_eq(sched_worker_run(&cfg, messages_main, NULL), 0);
    cr_assert_eq(atomic_load(&copy_checks), 3);
    cr_assert_eq(immediate_got, 7);
}

static void send_to_dead(snow_ctx_t *cx, void *arg)
{
    sched_pid_t dead = *(sched_pid_t *)arg;
    snow_string_t *s = snow_string_new(cx, "lost", 4);
    atomic_store(&copy_checks, sched_actor_send(cx, dead, (snow_word_t)(uintptr_t)s, true));
}

static void quick_actor(snow_ctx_t *cx, void *arg)
{
    (void)cx;
    (void)arg;
}

static void dead_main(void *arg)
{
    (void)arg;
    static sched_pid_t dead;
    sched_actor_spawn(quick_actor, NULL, &dead);
    sched_proc_yield(); /* it runs and exits */
    sched_actor_spawn(send_to_dead, &dead, NULL);
}

Test(sched_actor, a_message_to_a_dead_actor_is_freed_and_refused, .init = setup, .fini = teardown,
     .timeout = 10)
{
    trun(1, dead_main, NULL);
    cr_assert_eq(atomic_load(&copy_checks), -ESRCH);
}

/* ---- Jobs and services for Snow (actor.h; stdlib 21-22, D71, D74, D77) ---- */

static snow_word_t make_greeting(snow_ctx_t *cx, snow_record_t *self)
{
    (void)self;
    return (snow_word_t)(uintptr_t)snow_string_new(cx, "hello from a job", 16);
}

static snow_word_t job_panics(snow_ctx_t *cx, snow_record_t *self)
{
    (void)self;
    snow_panic(cx, "no luck");
}

static char job_ok[64], job_err[64];
static int job_rc[2];

static void job_main(snow_ctx_t *cx, void *arg)
{
    (void)arg;
    sched_pid_t a, b;
    snow_record_t *f = snow_closure_new(cx, (const void *)make_greeting, 0, 0);
    snow_record_t *g = snow_closure_new(cx, (const void *)job_panics, 0, 0);
    cr_assert_eq(sched_actor_job_async(cx, f, true, &a), 0);
    cr_assert_eq(sched_actor_job_async(cx, g, false, &b), 0);
    snow_word_t v;
    job_rc[0] = sched_actor_job_await(cx, a, -1, &v);
    snow_string_t *s = (snow_string_t *)(uintptr_t)v;
    memcpy(job_ok, s->bytes, s->len);
    job_rc[1] = sched_actor_job_await(cx, b, -1, &v);
    s = (snow_string_t *)(uintptr_t)v;
    memcpy(job_err, s->bytes, s->len);
}

static void job_runner(void *arg) { cr_assert_eq(sched_actor_spawn(job_main, arg, NULL), 0); }

Test(sched_actor, snow_jobs_return_a_copied_value_or_the_panic_text, .timeout = 10,
     .init = cr_redirect_stderr)
{
    setup();
    trun(1, job_runner, NULL);
    teardown();
    cr_assert_eq(job_rc[0], 0);
    cr_assert_str_eq(job_ok, "hello from a job");
    cr_assert_eq(job_rc[1], 1);
    cr_assert_str_eq(job_err, "no luck");
}

/* A counter service whose state is an Int and whose reply is a String. */
static snow_word_t counter_call(snow_ctx_t *cx, uint32_t op, snow_word_t *state, snow_word_t args,
                                bool *reply_is_ptr)
{
    if (op == 1)
        snow_panic(cx, "service handler failed");
    *state += args;
    char text[32];
    int n = snprintf(text, sizeof text, "total %llu", (unsigned long long)*state);
    *reply_is_ptr = true;
    return (snow_word_t)(uintptr_t)snow_string_new(cx, text, (size_t)n);
}

static void counter_cast(snow_ctx_t *cx, uint32_t op, snow_word_t *state, snow_word_t args)
{
    (void)cx;
    (void)op;
    (void)args;
    *state = 0;
}

static const sched_actor_service_t counter = {.call = counter_call, .cast = counter_cast};
static char svc_reply[2][64];
static int svc_rc[2];

static void svc_main(snow_ctx_t *cx, void *arg)
{
    (void)arg;
    sched_pid_t s;
    cr_assert_eq(sched_actor_service_start(cx, &counter, 5, false, &s), 0);
    snow_word_t r;
    cr_assert_eq(sched_actor_service_call(cx, s, 0, 3, false, &r), 0);
    memcpy(svc_reply[0], ((snow_string_t *)(uintptr_t)r)->bytes, 7);
    sched_actor_service_cast(cx, s, 0, 0, false);
    cr_assert_eq(sched_actor_service_call(cx, s, 0, 2, false, &r), 0);
    memcpy(svc_reply[1], ((snow_string_t *)(uintptr_t)r)->bytes, 7);
    svc_rc[0] = sched_actor_service_call(cx, s, 1, 0, false, &r); /* crashes it */
    svc_rc[1] = sched_actor_service_call(cx, s, 0, 0, false, &r); /* dead */
}

static void svc_runner(void *arg) { cr_assert_eq(sched_actor_spawn(svc_main, arg, NULL), 0); }

Test(sched_actor, snow_services_thread_state_and_fail_calls_when_dead, .timeout = 10,
     .init = cr_redirect_stderr)
{
    setup();
    trun(1, svc_runner, NULL);
    teardown();
    cr_assert_str_eq(svc_reply[0], "total 8");
    cr_assert_str_eq(svc_reply[1], "total 2");
    cr_assert_eq(svc_rc[0], -ESRCH);
    cr_assert_eq(svc_rc[1], -ESRCH);
}

/* ---- terminate clauses (language.md 8.4, D24, D27) ---- */

static atomic_int terminated[4];

static void on_terminate(snow_ctx_t *cx, void *arg)
{
    intptr_t i = (intptr_t)arg;
    atomic_fetch_add(&terminated[i], 1);
    if (i == 3)
        snow_panic(cx, "terminate failed too"); /* ignored */
    (void)cx;
}

/* arg: 0 ends normally, 1 crashes, 2 waits (killed or discarded), 3 its
 * terminate panics. */
static void terminating(snow_ctx_t *cx, void *arg)
{
    sched_actor_set_terminate(cx, on_terminate, arg);
    intptr_t how = (intptr_t)arg;
    if (how == 1 || how == 3)
        snow_panic(cx, "ending");
    if (how == 2)
        sched_proc_receive(-1);
}

static char term_reason[2][64];

static void terminate_main(void *arg)
{
    (void)arg;
    sched_pid_t p[4];
    for (intptr_t i = 0; i < 4; i++)
        cr_assert_eq(sched_actor_spawn(terminating, (void *)i, &p[i]), 0);
    uint64_t r3 = sched_monitor(p[3]), r2 = sched_monitor(p[2]);
    sched_sysmsg_t *s = tsys(5000);
    cr_assert_eq(s->ref, r3);
    trtext(s->reason, term_reason[0], sizeof term_reason[0]);
    sched_sysmsg_free(s);
    cr_assert_eq(sched_exit_signal(p[2], sched_reason_plain(SCHED_EXIT_KILLED)), 0);
    s = tsys(5000);
    cr_assert_eq(s->ref, r2);
    sched_sysmsg_free(s);
    /* One more, left waiting: discarded at the end without terminate. */
    cr_assert_eq(sched_actor_spawn(terminating, (void *)2, NULL), 0);
}

Test(sched_actor, terminate_runs_after_an_end_or_a_crash_but_not_a_kill, .timeout = 10,
     .init = cr_redirect_stderr)
{
    setup();
    trun(1, terminate_main, NULL);
    teardown();
    cr_assert_eq(atomic_load(&terminated[0]), 1);
    cr_assert_eq(atomic_load(&terminated[1]), 1);
    cr_assert_eq(atomic_load(&terminated[2]), 0); /* killed, then discarded */
    cr_assert_eq(atomic_load(&terminated[3]), 1);
    cr_assert_str_eq(term_reason[0], "Error(ending)"); /* the first panic's */
}

/* ---- SystemMsg values (D63) ---- */

static uint16_t sys_tag[2], reason_tag[2];
static uint64_t sys_ref, down_ref, down_pid, crash_pid;
static char reason_text[32];
static int kinds[2];

static void crasher(snow_ctx_t *cx, void *arg)
{
    (void)arg;
    snow_word_t v;
    sched_actor_receive(cx, -1, &v);
    snow_panic(cx, "boom");
}

static void sysmsg_main(snow_ctx_t *cx, void *arg)
{
    (void)arg;
    sched_pid_t a, b;
    cr_assert_eq(sched_actor_spawn(crasher, NULL, &a), 0);
    cr_assert_eq(sched_actor_spawn(crasher, NULL, &b), 0);
    crash_pid = a;
    down_ref = sched_monitor(a);
    sched_trap_exit(true);
    cr_assert_eq(sched_link(b), 0);
    cr_assert_eq(sched_actor_send(cx, a, 1, false), 0);
    cr_assert_eq(sched_actor_send(cx, b, 1, false), 0);
    for (int i = 0; i < 2; i++) {
        snow_word_t v;
        sched_sysmsg_t *sys = NULL;
        kinds[i] = sched_actor_receive_any(cx, 5000, &v, &sys);
        cr_assert_eq(kinds[i], 2);
        snow_record_t *rec = (snow_record_t *)(uintptr_t)sched_actor_sysmsg_value(cx, sys);
        bool down = sys->kind == SCHED_SYS_DOWN;
        sched_sysmsg_free(sys);
        int k = down ? 0 : 1;
        sys_tag[k] = rec->h.tag;
        snow_record_t *reason = (snow_record_t *)(uintptr_t)rec->w[down ? 2 : 1];
        reason_tag[k] = reason->h.tag;
        if (down) {
            sys_ref = rec->w[0];
            down_pid = rec->w[1];
            snow_string_t *t = (snow_string_t *)(uintptr_t)reason->w[0];
            memcpy(reason_text, t->bytes, t->len);
        }
    }
}

static void sysmsg_runner(void *arg) { cr_assert_eq(sched_actor_spawn(sysmsg_main, arg, NULL), 0); }

Test(sched_actor, down_and_exit_become_systemmsg_values, .timeout = 10, .init = cr_redirect_stderr)
{
    setup();
    trun(1, sysmsg_runner, NULL);
    teardown();
    cr_assert_eq(sys_tag[0], SCHED_ACTOR_SYS_DOWN);
    cr_assert_eq(sys_ref, down_ref);
    cr_assert_eq(down_pid, crash_pid);
    cr_assert_eq(reason_tag[0], SCHED_EXIT_ERROR);
    cr_assert_str_eq(reason_text, "boom");
    cr_assert_eq(sys_tag[1], SCHED_ACTOR_SYS_EXIT);
    cr_assert_eq(reason_tag[1], SCHED_EXIT_ERROR);
}

/* ---- Job.map (D73) ---- */

static const snow_type_t *const ok_fields[] = {&snow_type_int};
static const snow_type_t *const err_fields[] = {&snow_type_string};
static const snow_variant_t result_variants[] = {{"Ok", 1, ok_fields, NULL},
                                                 {"Err", 1, err_fields, NULL}};
static const snow_type_t result_int = {.kind = SNOW_KIND_SUM,
                                       .flags = SNOW_TF_DISPLAY | SNOW_TF_DEBUG_AS_DISPLAY,
                                       .count = 2,
                                       .name = "Result",
                                       .variants = result_variants};

static snow_word_t hundred_over(snow_ctx_t *cx, snow_record_t *self, snow_word_t x)
{
    (void)self;
    if (x == 0)
        snow_panic(cx, "division by zero");
    sched_proc_sleep((int64_t)(x % 3)); /* finish out of order */
    return 100 / x;
}

static int64_t map_len;
static uint16_t map_tags[5];
static int64_t map_vals[5];
static char map_err[32];

static void map_main(snow_ctx_t *cx, void *arg)
{
    (void)arg;
    snow_word_t items[5] = {1, 2, 0, 4, 5};
    snow_list_t *xs = snow_list_from_array(cx, &snow_type_int, 5, items);
    snow_record_t *f = snow_closure_new(cx, (const void *)hundred_over, 0, 0);
    snow_list_t *out = sched_actor_job_map(cx, xs, f, false, false, &result_int);
    map_len = out->len;
    for (int i = 0; i < 5; i++) {
        snow_record_t *r = (snow_record_t *)(uintptr_t)snow_list_items(out)[i];
        map_tags[i] = r->h.tag;
        if (r->h.tag == 0) {
            map_vals[i] = (int64_t)r->w[0];
        } else {
            snow_string_t *s = (snow_string_t *)(uintptr_t)r->w[0];
            memcpy(map_err, s->bytes, s->len);
        }
    }
}

static void map_runner(void *arg) { cr_assert_eq(sched_actor_spawn(map_main, arg, NULL), 0); }

Test(sched_actor, job_map_returns_one_outcome_per_element_in_input_order, .timeout = 10,
     .init = cr_redirect_stderr)
{
    setup();
    trun(2, map_runner, NULL);
    teardown();
    cr_assert_eq(map_len, 5);
    int64_t want[5] = {100, 50, 0, 25, 20};
    for (int i = 0; i < 5; i++) {
        cr_assert_eq(map_tags[i], i == 2 ? 1 : 0);
        if (i != 2)
            cr_assert_eq(map_vals[i], want[i]);
    }
    cr_assert_str_eq(map_err, "division by zero");
}
