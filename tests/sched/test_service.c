/* Tests for sched/service.c (language.md 8.6, stdlib 22, D74-D78; issue
 * 7): calls return their own reply with other messages queued around them,
 * casts thread state in order, many clients across workers are serialized,
 * a dead or dying service fails the call (D77), timeouts drop late replies,
 * and the state is released however the service ends. */
#include <criterion/criterion.h>
#include <errno.h>

#include "sched/link.h"
#include "sched/service.h"
#include "tests/sched/sched_test.h"

/* The Tally service of stdlib 22 with the state in the pointer itself. */
enum { OP_CURRENT, OP_ADD_MANY, OP_CLEAR, OP_SLOW, OP_CRASH };

static atomic_int stops;

static sched_msg_t *tally_call(void **state, uint32_t op, sched_msg_t *req)
{
    intptr_t n = (intptr_t)*state;
    int64_t arg = 0;
    if (req) {
        arg = ((tmsg_t *)req)->value;
        free(req);
    }
    switch (op) {
    case OP_ADD_MANY:
        n += arg;
        break;
    case OP_SLOW:
        sched_proc_sleep(arg);
        break;
    case OP_CRASH:
        tcrash("handler crashed");
    default:
        break;
    }
    *state = (void *)n;
    return &tmsg_new(0, n)->hdr;
}

static void tally_cast(void **state, uint32_t op, sched_msg_t *req)
{
    if (req)
        free(req);
    if (op == OP_CLEAR)
        *state = (void *)0;
}

static void tally_stop(void *state)
{
    (void)state;
    atomic_fetch_add(&stops, 1);
}

static const sched_service_t tally = {.call = tally_call, .cast = tally_cast, .stop = tally_stop};

static int64_t call(sched_pid_t svc, uint32_t op, int64_t arg, int64_t timeout_ms, int *rc)
{
    sched_msg_t *reply = NULL;
    *rc = sched_service_call(svc, op, &tmsg_new(0, arg)->hdr, timeout_ms, &reply);
    if (*rc < 0)
        return -1;
    int64_t v = ((tmsg_t *)reply)->value;
    free(reply);
    return v;
}

static int64_t got[8];
static int rcs[8];

static void tally_main(void *arg)
{
    (void)arg;
    sched_pid_t t;
    cr_assert_eq(sched_service_start(&tally, (void *)5, &t), 0);
    got[0] = call(t, OP_ADD_MANY, 3, -1, &rcs[0]);
    sched_service_cast(t, OP_CLEAR, NULL);
    got[1] = call(t, OP_CURRENT, 0, -1, &rcs[1]); /* the cast came first */
    cr_assert_eq(sched_exit_signal(t, sched_reason_plain(SCHED_EXIT_KILLED)), 0);
}

Test(sched_service, calls_and_casts_thread_the_state_in_order, .timeout = 10)
{
    trun(1, tally_main, NULL);
    cr_assert_eq(rcs[0], 0);
    cr_assert_eq(got[0], 8);
    cr_assert_eq(got[1], 0);
    cr_assert_eq(atomic_load(&stops), 1); /* the state was released */
}

/* Reply matching (D78): user messages before, during and after a call stay
 * queued in order; the call takes only its reply. */
static void chatter(void *arg)
{
    sched_pid_t to = *(sched_pid_t *)arg;
    for (int i = 0; i < 5; i++)
        tsend(to, 200 + i);
}

static int64_t order[16];

static void matching_main(void *arg)
{
    (void)arg;
    static sched_pid_t me;
    me = sched_proc_pid(sched_proc_current());
    sched_pid_t t;
    cr_assert_eq(sched_service_start(&tally, (void *)1, &t), 0);
    tsend(me, 100);
    cr_assert_eq(sched_proc_spawn(chatter, &me, NULL), 0);
    got[0] = call(t, OP_SLOW, 20, -1, &rcs[0]); /* chatter runs meanwhile */
    for (int i = 0; i < 6; i++)
        order[i] = trecv(0, NULL, NULL);
    rcs[1] = sched_proc_receive(0) != NULL;
    sched_exit_signal(t, sched_reason_plain(SCHED_EXIT_SHUTDOWN));
}

Test(sched_service, a_call_takes_its_own_reply_with_other_messages_interleaved, .timeout = 10)
{
    trun(1, matching_main, NULL);
    cr_assert_eq(rcs[0], 0);
    cr_assert_eq(got[0], 1);
    cr_assert_eq(order[0], 100);
    for (int i = 0; i < 5; i++)
        cr_assert_eq(order[1 + i], 200 + i);
    cr_assert_eq(rcs[1], 0);
}

/* Many clients on two workers: every call is serialized. */
#define CLIENTS 8
#define CALLS 500
static _Atomic sched_pid_t shared_svc;
static atomic_int clients_done, bad_replies;

static void client(void *arg)
{
    (void)arg;
    int64_t last = 0;
    for (int i = 0; i < CALLS; i++) {
        int rc;
        int64_t v = call(shared_svc, OP_ADD_MANY, 1, -1, &rc);
        if (rc != 0 || v <= last)
            atomic_fetch_add(&bad_replies, 1);
        last = v;
    }
    atomic_fetch_add(&clients_done, 1);
}

static void clients_main(void *arg)
{
    (void)arg;
    sched_pid_t t;
    cr_assert_eq(sched_service_start(&tally, (void *)0, &t), 0);
    shared_svc = t;
    for (uint32_t i = 0; i < CLIENTS; i++)
        cr_assert_eq(sched_proc_spawn_on(i, client, NULL), 0);
    while (atomic_load(&clients_done) < CLIENTS)
        sched_proc_sleep(1);
    got[0] = call(t, OP_CURRENT, 0, -1, &rcs[0]);
    sched_exit_signal(t, sched_reason_plain(SCHED_EXIT_SHUTDOWN));
}

Test(sched_service, calls_from_many_clients_across_workers_are_serialized, .timeout = 30)
{
    trun(2, clients_main, NULL);
    cr_assert_eq(atomic_load(&bad_replies), 0);
    cr_assert_eq(got[0], CLIENTS * CALLS);
}

/* D77: a crash during the call, and a call to a dead service, both give
 * -ESRCH; a cast to it is dropped silently. Timeouts drop late replies. */
static void dying_main(void *arg)
{
    (void)arg;
    sched_pid_t t;
    cr_assert_eq(sched_service_start(&tally, (void *)0, &t), 0);
    got[0] = call(t, OP_CRASH, 0, -1, &rcs[0]);
    got[1] = call(t, OP_CURRENT, 0, -1, &rcs[1]);
    long dropped = atomic_load(&tmsg_dropped);
    sched_service_cast(t, OP_CLEAR, &tmsg_new(0, 0)->hdr);
    got[2] = atomic_load(&tmsg_dropped) - dropped;
    /* Timeout: the reply comes 50 ms later and is dropped, never seen. */
    cr_assert_eq(sched_service_start(&tally, (void *)7, &t), 0);
    got[3] = call(t, OP_SLOW, 50, 10, &rcs[2]);
    sched_proc_sleep(80);
    got[4] = call(t, OP_CURRENT, 0, -1, &rcs[3]);
    rcs[4] = sched_proc_receive(0) != NULL;
    sched_exit_signal(t, sched_reason_plain(SCHED_EXIT_SHUTDOWN));
}

Test(sched_service, a_dead_or_dying_service_fails_the_call, .timeout = 10)
{
    trun(1, dying_main, NULL);
    cr_assert_eq(rcs[0], -ESRCH);
    cr_assert_eq(rcs[1], -ESRCH);
    cr_assert_eq(got[2], 1);
    cr_assert_eq(rcs[2], -ETIMEDOUT);
    cr_assert_eq(rcs[3], 0);
    cr_assert_eq(got[4], 7);
    cr_assert_eq(rcs[4], 0);
    cr_assert_eq(atomic_load(&stops), 2); /* crash and shutdown both release */
}
