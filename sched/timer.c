/* timer.c: delayed sends on the target's worker ring (see timer.h). */
#include "sched/timer.h"

#include <errno.h>

#include "kernel/alloc.h"
#include "kernel/assert.h"
#include "sched/link.h"
#include "sched/worker.h"

struct sched_timer_req_t {
    sched_worker_call_t call; /* first: travels to the target's worker */
    kern_timer_t timer;
    sched_pid_t to;
    uint64_t deadline_ns;
    sched_msg_t *msg;
    sched_timer_req_t *prev, *next; /* the target's list */
    sched_proc_t *target;
};

/* Diagnostic counter, not state. */
static atomic_int_fast64_t pending;

int64_t sched_timer_pending_count(void)
{
    return atomic_load_explicit(&pending, memory_order_relaxed);
}

static void req_free(sched_runtime_t *rt, sched_timer_req_t *t, bool drop_msg)
{
    if (drop_msg && t->msg->drop)
        t->msg->drop(t->msg);
    kern_free(t);
    atomic_fetch_sub_explicit(&pending, 1, memory_order_relaxed);
    sched_worker_awake_add_(rt, -1); /* the count send_after took */
}

static void unlink_req(sched_timer_req_t *t)
{
    if (t->prev)
        t->prev->next = t->next;
    else
        t->target->ext->timers = t->next;
    if (t->next)
        t->next->prev = t->prev;
}

static void on_fire(kern_ring_t *ring, kern_timer_t *kt)
{
    (void)ring;
    sched_timer_req_t *t = kt->data;
    sched_runtime_t *rt = t->target->worker->rt;
    unlink_req(t);
    /* The target is alive: its exit would have stopped this timer. */
    int rc = sched_proc_send(t->to, t->msg);
    snow_assert(rc == 0);
    (void)rc;
    req_free(rt, t, false);
}

/* Arms t on the calling worker, the target's home. */
static void arm(sched_worker_t *w, sched_worker_call_t *call)
{
    sched_timer_req_t *t = (sched_timer_req_t *)call;
    sched_proc_t *p = sched_proc_local_(t->to);
    if (!p) {
        req_free(w->rt, t, true); /* D28: dropped, no longer keeps us alive */
        return;
    }
    sched_proc_ext_t *x = sched_link_ext_(p);
    t->target = p;
    t->prev = NULL;
    t->next = x->timers;
    if (x->timers)
        x->timers->prev = t;
    x->timers = t;
    uint64_t now = kern_timer_now_ns();
    t->timer.data = t;
    kern_timer_start(&w->ring, &t->timer,
                     t->deadline_ns > now ? (int64_t)(t->deadline_ns - now) : 0, on_fire);
}

int sched_timer_send_after(sched_pid_t pid, int64_t ms, sched_msg_t *msg)
{
    sched_worker_t *w = sched_worker_self();
    snow_assert(w != NULL);
    sched_runtime_t *rt = w->rt;
    uint32_t index = sched_proc_pid_worker_(pid);
    if (pid == SCHED_PID_NULL || index >= rt->count) {
        if (msg->drop)
            msg->drop(msg);
        return -ESRCH;
    }
    sched_timer_req_t *t = kern_calloc(1, sizeof *t);
    t->to = pid;
    t->msg = msg;
    t->deadline_ns = kern_timer_now_ns() + (ms > 0 ? (uint64_t)ms * 1000000u : 0);
    t->call.run = arm;
    atomic_fetch_add_explicit(&pending, 1, memory_order_relaxed);
    /* Counted before it can be dropped or fire (D28). */
    sched_worker_awake_add_(rt, 1);
    sched_worker_t *home = &rt->workers[index];
    if (home == w)
        arm(w, &t->call);
    else
        sched_worker_call_(home, &t->call);
    return 0;
}

void sched_timer_sleep(int64_t ms) { sched_proc_sleep(ms); }

void sched_timer_cancel_all_(sched_proc_t *p)
{
    sched_proc_ext_t *x = p->ext;
    while (x->timers) {
        sched_timer_req_t *t = x->timers;
        x->timers = t->next;
        kern_timer_stop(&p->worker->ring, &t->timer);
        req_free(p->worker->rt, t, true);
    }
}
