/* Tests for sched/registry.c, the local registry (D70, stdlib 19; issue
 * 7): results 0/1 exactly as the stdlib gives them, names freed when their
 * process exits, lookups from another worker. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "sched/registry.h"
#include "tests/sched/sched_test.h"

#define REG(name, pid) sched_register(name, strlen(name), pid)
#define WHERE(name) sched_whereis(name, strlen(name))

static void waiter(void *arg)
{
    (void)arg;
    trecv(-1, NULL, NULL);
}

static int rc[8];
static sched_pid_t seen[8], a, b;
static uint32_t counts[3];

static void basic_main(void *arg)
{
    (void)arg;
    cr_assert_eq(sched_proc_spawn(waiter, NULL, &a), 0);
    cr_assert_eq(sched_proc_spawn(waiter, NULL, &b), 0);
    rc[0] = REG("logger", a);
    rc[1] = REG("logger", b); /* taken */
    rc[2] = REG("", b);       /* empty */
    rc[3] = REG("store", b);
    rc[4] = REG("store2", b); /* a process may have several names */
    seen[0] = WHERE("logger");
    seen[1] = WHERE("store");
    seen[2] = WHERE("nobody");
    counts[0] = sched_registry_count();
    rc[5] = sched_unregister("logger", 6);
    rc[6] = sched_unregister("logger", 6);
    seen[3] = WHERE("logger");
    /* b exits: both its names go before its Down is sent. */
    uint64_t ref = sched_monitor(b);
    tsend(b, 1);
    sched_sysmsg_t *s = tsys(5000);
    cr_assert_eq(s->ref, ref);
    sched_sysmsg_free(s);
    seen[4] = WHERE("store");
    seen[5] = WHERE("store2");
    counts[1] = sched_registry_count();
    rc[7] = REG("store", b);          /* b is dead */
    cr_assert_eq(REG("store", a), 0); /* the freed name can be reused */
    seen[6] = WHERE("store");
    tsend(a, 1);
}

Test(sched_registry, register_whereis_unregister_and_names_die_with_their_process, .timeout = 10)
{
    trun(1, basic_main, NULL);
    cr_assert_eq(rc[0], 0);
    cr_assert_eq(rc[1], 1);
    cr_assert_eq(rc[2], 1);
    cr_assert_eq(rc[3], 0);
    cr_assert_eq(rc[4], 0);
    cr_assert_eq(seen[0], a);
    cr_assert_eq(seen[1], b);
    cr_assert_eq(seen[2], SCHED_PID_NULL);
    cr_assert_eq(counts[0], 3);
    cr_assert_eq(rc[5], 0);
    cr_assert_eq(rc[6], 1);
    cr_assert_eq(seen[3], SCHED_PID_NULL);
    cr_assert_eq(seen[4], SCHED_PID_NULL);
    cr_assert_eq(seen[5], SCHED_PID_NULL);
    cr_assert_eq(counts[1], 0);
    cr_assert_eq(rc[7], 1);
    cr_assert_eq(seen[6], a);
}

/* Registered on worker 1, found and used from worker 0. */
static atomic_int served;

static void named_server(void *arg)
{
    (void)arg;
    cr_assert_eq(REG("far", sched_proc_pid(sched_proc_current())), 0);
    sched_pid_t from = SCHED_PID_NULL;
    int64_t v = trecv(-1, &from, NULL);
    tsend(from, v * 2);
    atomic_fetch_add(&served, 1);
}

static int64_t reply;

static void far_main(void *arg)
{
    (void)arg;
    cr_assert_eq(sched_proc_spawn_on(1, named_server, NULL), 0);
    sched_pid_t p;
    while ((p = WHERE("far")) == SCHED_PID_NULL)
        sched_proc_sleep(1);
    tsend(p, 21);
    reply = trecv(5000, NULL, NULL);
}

Test(sched_registry, a_name_registered_on_one_worker_is_found_on_another, .timeout = 10)
{
    trun(2, far_main, NULL);
    cr_assert_eq(reply, 42);
    cr_assert_eq(atomic_load(&served), 1);
}

/* Many processes register and exit at once: every name goes away. */
#define MANY 500
static uint32_t left_after;

static void short_named(void *arg)
{
    char name[32];
    int n = snprintf(name, sizeof name, "p%ld", (long)(intptr_t)arg);
    cr_assert_eq(sched_register(name, (size_t)n, sched_proc_pid(sched_proc_current())), 0);
    sched_proc_yield();
}

static void many_main(void *arg)
{
    (void)arg;
    uint64_t refs[MANY];
    for (intptr_t i = 0; i < MANY; i++) {
        sched_pid_t p;
        cr_assert_eq(sched_proc_spawn(short_named, (void *)i, &p), 0);
        refs[i] = sched_monitor(p);
    }
    for (int i = 0; i < MANY; i++)
        sched_sysmsg_free(tsys(5000));
    (void)refs;
    left_after = sched_registry_count();
}

Test(sched_registry, every_name_is_freed_when_its_process_exits, .timeout = 10)
{
    trun(2, many_main, NULL);
    cr_assert_eq(left_after, 0);
}
