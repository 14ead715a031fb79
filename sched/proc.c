/* proc.c: process lifecycle, messaging and the preemption check (see
 * proc.h). The worker loop and the queues live in worker.c. */
#include "sched/proc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kernel/assert.h"
#include "kernel/pool.h"
#include "sched/link.h"
#include "sched/share.h"
#include "sched/worker.h"

/* ORDER PID: the layout in proc.h's sched_pid_t comment. */
#define PID_GEN_SHIFT 32
#define PID_WORKER_SHIFT 22
#define PID_SLOT_MASK ((UINT64_C(1) << PID_WORKER_SHIFT) - 1)
#define PID_WORKER_MASK UINT64_C(0x3ff)
_Static_assert(SCHED_STACK_SLOTS_MAX <= PID_SLOT_MASK, "slot index + 1 fits in a pid");
_Static_assert(SCHED_CORES_MAX <= PID_WORKER_MASK + 1, "worker index fits in a pid");

/* Read-only while workers run (set before sched_worker_run). */
static sched_overflow_cb overflow_cb;

sched_pid_t sched_proc_pid(const sched_proc_t *p)
{
    /* Relaxed: only the owner changes gen, and p is ours or alive. */
    uint32_t gen = atomic_load_explicit(&((sched_proc_t *)p)->gen, memory_order_relaxed);
    return (uint64_t)(gen - 1) << PID_GEN_SHIFT | (uint64_t)p->worker->index << PID_WORKER_SHIFT |
           (uint64_t)(p->slot + 1);
}

void sched_proc_pid_text(uint64_t pid, char *buf, size_t cap)
{
    /* D35: local pids print as <0.N>; N is the pid itself, which is small
     * for a slot's first tenant (see proc.h). The null pid is <0.0>. */
    snprintf(buf, cap, "<0.%llu>", (unsigned long long)pid);
}

sched_proc_t *sched_proc_current(void)
{
    sched_worker_t *w = sched_worker_self();
    return w ? w->current : NULL;
}

/* ==== Spawn and exit ==== */

static _Noreturn void proc_entry(void *arg)
{
    sched_proc_t *p = arg;
    /* Signals sent before the first run are not handled here: the body
     * must first take ownership of its start record (actor.c, job.c free
     * theirs at once), then polls (sched_link_poll_), or a kill before the
     * first run would leak it. Plain bodies see them at their first switch. */
    p->fn(p->arg);
    sched_proc_exit();
}

int sched_proc_spawn(sched_proc_fn fn, void *arg, sched_pid_t *pid)
{
    sched_worker_t *w = sched_worker_self();
    if (!w)
        return -EPERM;
    return sched_proc_spawn_local_(w, fn, arg, pid);
}

int sched_proc_spawn_on(uint32_t index, sched_proc_fn fn, void *arg)
{
    sched_runtime_t *rt = sched_worker_runtime();
    if (!rt)
        return -EPERM;
    sched_worker_t *w = &rt->workers[index % rt->count];
    if (w == sched_worker_self())
        return sched_proc_spawn_local_(w, fn, arg, NULL);
    sched_worker_spawn_remote_(w, fn, arg);
    return 0;
}

int sched_proc_spawn_shared(sched_proc_fn fn, void *arg, sched_pid_t *pid)
{
    sched_worker_t *w = sched_worker_self();
    if (!w)
        return -EPERM;
    return sched_proc_spawn_on_(w, fn, arg, pid, true);
}

int sched_proc_spawn_local_(sched_worker_t *w, sched_proc_fn fn, void *arg, sched_pid_t *pid)
{
    return sched_proc_spawn_on_(w, fn, arg, pid, false);
}

void sched_proc_make_ctx_(sched_proc_t *p, void *lo)
{
    sched_context_make(&p->ctx, lo, SCHED_STACK_SLOT_SIZE, proc_entry, p);
}

int sched_proc_spawn_on_(sched_worker_t *w, sched_proc_fn fn, void *arg, sched_pid_t *pid,
                         bool shared)
{
    uint32_t host = shared ? sched_share_bind(&w->share, &w->pool) : SCHED_SHARE_NONE;
    /* A shared process uses its slot for the struct and the pid only: take
     * one whose stack has no committed pages, and give it back as such. */
    int64_t slot = host == SCHED_SHARE_NONE ? sched_stack_take(&w->pool)
                                            : sched_stack_take_clean(&w->pool);
    if (slot < 0) {
        if (host != SCHED_SHARE_NONE)
            sched_share_unbind(&w->share, host);
        return (int)slot;
    }
    sched_proc_t *p = sched_stack_meta_lookup(&w->pool, (uint32_t)slot);
    /* gen and senders persist across tenants (see proc.h); the rest is
     * reset field by field. gen 0 means the slot was never used. */
    if (atomic_load_explicit(&p->gen, memory_order_relaxed) == 0)
        atomic_store_explicit(&p->gen, 1, memory_order_relaxed);
    p->host = host;
    p->image = NULL;
    p->image_len = 0;
    char *lo;
    if (host == SCHED_SHARE_NONE) {
        lo = sched_stack_lo(&w->pool, (uint32_t)slot);
        sched_proc_make_ctx_(p, lo);
    } else {
        /* The host may have a resident: the first context is built when p
         * first runs (sched_share_enter). */
        lo = sched_share_stack_lo(&w->share, &w->pool, host);
        p->ctx.sp = NULL;
        p->ctx.stack_lo = lo;
        p->ctx.stack_size = SCHED_STACK_SLOT_SIZE;
    }
    p->budget.reductions = SCHED_REDUCTIONS;
    p->budget.stack_limit = (uintptr_t)lo + SCHED_STACK_HEADROOM;
    p->worker = w;
    p->_run_next = NULL;
    p->fn = fn;
    p->arg = arg;
    p->data = NULL;
    p->on_exit = NULL;
    p->ext = NULL;
    p->slot = (uint32_t)slot;
    p->timed_out = false;
    p->trap_exit = false;
    atomic_store_explicit(&p->registered, 0, memory_order_relaxed);
    sched_mpsc_init(&p->sig);
    memset(&p->timer, 0, sizeof p->timer);
    sched_mailbox_init(&p->mailbox);
    sched_worker_awake_add_(w->rt, 1);
    /* Release: a sender that reads RUNNABLE (seq_cst load, which includes
     * acquire) sees the initialised mailbox. Pairs with the state load in
     * sched_proc_send. */
    atomic_store_explicit(&p->state, SCHED_PROC_RUNNABLE, memory_order_release);
    w->stats.spawned++;
    sched_worker_enqueue_(w, p);
    if (pid)
        *pid = sched_proc_pid(p);
    return 0;
}

_Noreturn void sched_proc_exit(void)
{
    sched_proc_exit_reason(sched_reason_plain(SCHED_EXIT_NORMAL));
}

_Noreturn void sched_proc_exit_reason(sched_reason_t *reason)
{
    sched_worker_t *w = sched_worker_self();
    sched_proc_t *p = w->current;
    snow_assert(p != NULL);
    p->exit_kind = (uint8_t)reason->kind;
    if (p->on_exit) {
        sched_proc_exit_cb cb = p->on_exit;
        p->on_exit = NULL; /* once, even if cb itself ends up here again */
        cb(p);
    }
    /* seq_cst: the Dekker pair with sched_proc_send (its seq_cst increment
     * of senders, then its load of state): either the sender sees EXITED,
     * or we see its increment below and wait for it to finish. The same
     * store pairs with sched_register's flag store then state load. */
    atomic_store_explicit(&p->state, SCHED_PROC_EXITED, memory_order_seq_cst);
    while (atomic_load_explicit(&p->senders, memory_order_seq_cst) != 0)
        sched_yield(); /* a sender is at most a few stores from done */
    /* No signal or message can arrive any more: tell links, monitors. */
    sched_link_exit_(p, reason);
    sched_mailbox_drop_all(&p->mailbox);
    if (kern_timer_armed(&p->timer))
        kern_timer_stop(&w->ring, &p->timer);
    /* Relaxed: senders compare gen only after seeing a non-EXITED state,
     * which the next tenant publishes with release after this. */
    atomic_store_explicit(&p->gen, atomic_load_explicit(&p->gen, memory_order_relaxed) + 1 ?: 1,
                          memory_order_relaxed);
    sched_worker_awake_add_(w->rt, -1);
    w->after = SCHED_AFTER_EXIT_;
    sched_context_exit(&p->ctx, &w->loop_ctx);
}

void sched_proc_yield(void)
{
    sched_worker_t *w = sched_worker_self();
    snow_assert(w && w->current);
    /* Relaxed: no other thread acts on RUNNABLE/RUNNING (only on WAITING). */
    atomic_store_explicit(&w->current->state, SCHED_PROC_RUNNABLE, memory_order_relaxed);
    sched_worker_switch_out_(w, SCHED_AFTER_YIELD_);
}

/* ==== Send ==== */

/* Returns the live process named by pid with its senders count raised, or
 * NULL. The caller must call send_done on a non-NULL result. */
static sched_proc_t *send_begin(sched_runtime_t *rt, sched_pid_t pid)
{
    uint32_t wi = (uint32_t)((pid >> PID_WORKER_SHIFT) & PID_WORKER_MASK);
    uint32_t slot1 = (uint32_t)(pid & PID_SLOT_MASK);
    uint32_t gen = (uint32_t)(pid >> PID_GEN_SHIFT) + 1;
    if (!rt || slot1 == 0 || wi >= rt->count || gen == 0)
        return NULL;
    uint32_t slot = slot1 - 1;
    sched_proc_t *p = sched_stack_meta_lookup(&rt->workers[wi].pool, slot);
    if (!p)
        return NULL;
    /* seq_cst, and in this order (count, state, gen): pairs with the
     * EXITED store and senders load in sched_proc_exit; reading state
     * before gen means a slot recycled under us shows the new gen. */
    atomic_fetch_add_explicit(&p->senders, 1, memory_order_seq_cst);
    uint32_t state = atomic_load_explicit(&p->state, memory_order_seq_cst);
    if (state == SCHED_PROC_FREE || state == SCHED_PROC_EXITED ||
        atomic_load_explicit(&p->gen, memory_order_seq_cst) != gen) {
        atomic_fetch_sub_explicit(&p->senders, 1, memory_order_release);
        return NULL;
    }
    return p;
}

static void send_done(sched_proc_t *p)
{
    /* Release: pairs with the seq_cst load in sched_proc_exit, so our push
     * is visible before the exiting process drains its mailbox. */
    atomic_fetch_sub_explicit(&p->senders, 1, memory_order_release);
}

/* Moves p from a wait to RUNNABLE if it waits; the winner queues it. */
static void wake(sched_proc_t *p)
{
    uint32_t s = atomic_load_explicit(&p->state, memory_order_seq_cst);
    if (s != SCHED_PROC_WAITING && s != SCHED_PROC_WAITING_TIMED)
        return;
    /* seq_cst CAS: the receiver stored WAITING(seq_cst) before checking
     * its queue; our push (seq_cst exchange) came before this. One of us
     * sees the other (see wait()). */
    if (!atomic_compare_exchange_strong_explicit(&p->state, &s, SCHED_PROC_RUNNABLE,
                                                 memory_order_seq_cst, memory_order_relaxed))
        return; /* the receiver cancelled its wait or its timer won */
    if (s == SCHED_PROC_WAITING)
        sched_worker_awake_add_(p->worker->rt, 1); /* before it can run */
    sched_worker_make_ready_(p);
}

int sched_proc_send(sched_pid_t to, sched_msg_t *msg)
{
    sched_proc_t *p = send_begin(sched_worker_runtime(), to);
    if (!p)
        return -ESRCH;
    sched_mailbox_push(&p->mailbox, msg);
    wake(p);
    send_done(p);
    return 0;
}

int sched_proc_signal_(sched_pid_t to, sched_mpsc_node_t *sig)
{
    sched_proc_t *p = send_begin(sched_worker_runtime(), to);
    if (!p)
        return -ESRCH;
    sched_mpsc_push(&p->sig, sig);
    wake(p);
    send_done(p);
    return 0;
}

uint32_t sched_proc_pid_worker_(sched_pid_t pid)
{
    return (uint32_t)((pid >> PID_WORKER_SHIFT) & PID_WORKER_MASK);
}

sched_proc_t *sched_proc_lookup_(sched_pid_t pid)
{
    sched_runtime_t *rt = sched_worker_runtime();
    uint32_t wi = sched_proc_pid_worker_(pid);
    uint32_t slot1 = (uint32_t)(pid & PID_SLOT_MASK);
    if (!rt || slot1 == 0 || wi >= rt->count)
        return NULL;
    sched_proc_t *p = sched_stack_meta_lookup(&rt->workers[wi].pool, slot1 - 1);
    return p && sched_proc_alive_(p, pid) ? p : NULL;
}

bool sched_proc_alive_(sched_proc_t *p, sched_pid_t pid)
{
    /* seq_cst, state before gen (see send_begin). */
    uint32_t state = atomic_load_explicit(&p->state, memory_order_seq_cst);
    uint32_t gen = (uint32_t)(pid >> PID_GEN_SHIFT) + 1;
    return state != SCHED_PROC_FREE && state != SCHED_PROC_EXITED &&
           atomic_load_explicit(&p->gen, memory_order_seq_cst) == gen;
}

sched_proc_t *sched_proc_local_(sched_pid_t pid)
{
    sched_worker_t *w = sched_worker_self();
    if (!w || sched_proc_pid_worker_(pid) != w->index)
        return NULL;
    return sched_proc_lookup_(pid);
}

/* ==== Receive ==== */

static void on_timer(kern_ring_t *ring, kern_timer_t *t)
{
    (void)ring;
    sched_proc_t *p = t->data;
    uint32_t s = SCHED_PROC_WAITING_TIMED;
    /* seq_cst: races with wake()'s CAS; exactly one wins and queues p. */
    if (atomic_compare_exchange_strong_explicit(&p->state, &s, SCHED_PROC_RUNNABLE,
                                                memory_order_seq_cst, memory_order_relaxed)) {
        p->timed_out = true;
        sched_worker_enqueue_(p->worker, p);
    }
}

/* Waits until a new message may have arrived or deadline_ns (0: none)
 * passes; sets p->timed_out in the second case. */
static void wait(sched_worker_t *w, sched_proc_t *p, uint64_t deadline_ns)
{
    uint32_t waiting = deadline_ns ? SCHED_PROC_WAITING_TIMED : SCHED_PROC_WAITING;
    if (deadline_ns) {
        uint64_t now = kern_timer_now_ns();
        if (now >= deadline_ns) {
            p->timed_out = true;
            return;
        }
        p->timer.data = p;
        kern_timer_start(&w->ring, &p->timer, (int64_t)(deadline_ns - now), on_timer);
    }
    /* seq_cst: the consumer half of the Dekker pattern with wake(): publish
     * WAITING, then look at the queue (seq_cst load in sched_mpsc_empty). */
    atomic_store_explicit(&p->state, waiting, memory_order_seq_cst);
    bool pending = !sched_mpsc_empty(&p->mailbox.queue) || !sched_mpsc_empty(&p->sig);
    if (pending) {
        uint32_t s = waiting;
        if (atomic_compare_exchange_strong_explicit(&p->state, &s, SCHED_PROC_RUNNING,
                                                    memory_order_seq_cst, memory_order_relaxed)) {
            if (deadline_ns)
                kern_timer_stop(&w->ring, &p->timer);
            if (!sched_mpsc_empty(&p->sig)) {
                sched_link_handle_(p); /* may end p */
                if (!sched_mpsc_empty(&p->sig))
                    sched_proc_yield(); /* a signal push is half done */
            }
            return;
        }
        /* A sender won: it is queueing us; we must switch out. */
    }
    if (!deadline_ns)
        sched_worker_awake_add_(w->rt, -1); /* balanced by wake()'s +1 */
    sched_worker_switch_out_(w, SCHED_AFTER_WAIT_);
    if (deadline_ns && kern_timer_armed(&p->timer))
        kern_timer_stop(&w->ring, &p->timer);
}

static uint64_t deadline_of(int64_t timeout_ms)
{
    if (timeout_ms <= 0)
        return 0;
    return kern_timer_now_ns() + (uint64_t)timeout_ms * 1000000u;
}

sched_msg_t *sched_proc_receive(int64_t timeout_ms)
{
    sched_worker_t *w = sched_worker_self();
    sched_proc_t *p = w->current;
    snow_assert(p != NULL);
    uint64_t deadline_ns = deadline_of(timeout_ms);
    p->timed_out = false;
    for (;;) {
        sched_msg_t *m = sched_mailbox_take(&p->mailbox);
        if (m)
            return m;
        if (timeout_ms == 0 || p->timed_out)
            return NULL;
        if (!sched_mpsc_empty(&p->mailbox.queue)) {
            /* A push is half done; let its sender finish. */
            sched_proc_yield();
            continue;
        }
        wait(w, p, deadline_ns);
    }
}

sched_msg_t *sched_proc_receive_match(int64_t timeout_ms, sched_msg_match_cb match, void *data)
{
    sched_worker_t *w = sched_worker_self();
    sched_proc_t *p = w->current;
    snow_assert(p != NULL);
    uint64_t deadline_ns = deadline_of(timeout_ms);
    p->timed_out = false;
    sched_msg_t *prev = NULL; /* last message scanned and kept */
    for (;;) {
        sched_msg_t *m =
            prev ? sched_mailbox_next(&p->mailbox, prev) : sched_mailbox_first(&p->mailbox);
        for (; m; prev = m, m = sched_mailbox_next(&p->mailbox, m)) {
            if (match(m, data)) {
                sched_mailbox_remove(&p->mailbox, prev, m);
                return m;
            }
        }
        if (timeout_ms == 0 || p->timed_out)
            return NULL;
        if (!sched_mpsc_empty(&p->mailbox.queue)) {
            sched_proc_yield();
            continue;
        }
        wait(w, p, deadline_ns);
    }
}

void sched_proc_sleep(int64_t ms)
{
    if (ms <= 0) {
        sched_proc_yield();
        return;
    }
    sched_worker_t *w = sched_worker_self();
    sched_proc_t *p = w->current;
    snow_assert(p != NULL);
    uint64_t deadline_ns = deadline_of(ms);
    p->timed_out = false;
    while (!p->timed_out) {
        /* Park arrivals in the private list, so that wait() sleeps until
         * the next arrival or the deadline instead of returning at once. */
        sched_mailbox_drain(&p->mailbox);
        if (!sched_mpsc_empty(&p->mailbox.queue)) {
            sched_proc_yield(); /* a push is half done */
            continue;
        }
        wait(w, p, deadline_ns);
    }
}

/* ==== External waits (D27) ==== */

void sched_proc_park(void)
{
    sched_worker_t *w = sched_worker_self();
    sched_proc_t *p = w->current;
    snow_assert(p != NULL);
    /* The ring writes to op records on this stack while we are parked, so
     * it must stay ours (share.h). */
    snow_assert(p->host == SCHED_SHARE_NONE);
    /* Relaxed: only p's own thread acts on PARKED (sched_proc_unpark). The
     * awake count is left as is: an external wait can end. */
    atomic_store_explicit(&p->state, SCHED_PROC_PARKED, memory_order_relaxed);
    sched_worker_switch_out_(w, SCHED_AFTER_WAIT_);
}

void sched_proc_unpark(sched_proc_t *p)
{
    snow_assert(sched_worker_self() == p->worker);
    snow_assert(atomic_load_explicit(&p->state, memory_order_relaxed) == SCHED_PROC_PARKED);
    atomic_store_explicit(&p->state, SCHED_PROC_RUNNABLE, memory_order_relaxed);
    sched_worker_enqueue_(p->worker, p);
}

typedef struct blocking_t {
    kern_pool_job_t job;
    sched_proc_t *p;
} blocking_t;

static void blocking_done(kern_ring_t *ring, kern_op_t *op)
{
    (void)ring;
    sched_proc_unpark(op->data);
}

int sched_proc_run_blocking(struct kern_pool_t *pool, int (*fn)(void *arg), void *arg)
{
    sched_worker_t *w = sched_worker_self();
    sched_proc_t *p = w->current;
    snow_assert(p != NULL);
    blocking_t b; /* on this stack, which stays put while we are parked */
    memset(&b, 0, sizeof b);
    b.job.op.data = p;
    int rc = kern_pool_submit(pool, &w->ring, &b.job, fn, arg, blocking_done);
    if (rc < 0)
        return rc;
    sched_proc_park();
    return b.job.op.res;
}

/* ==== Preemption and stack checks ==== */

void sched_proc_set_overflow_cb(sched_overflow_cb cb) { overflow_cb = cb; }

static _Noreturn void overflow_default(void)
{
    static const char msg[] = "Snow panic: stack overflow\n";
    /* write(2): the stack is nearly gone and stdio may allocate. */
    ssize_t rc = write(2, msg, sizeof msg - 1);
    (void)rc;
    abort();
}

void sched_proc_check_slow_(sched_budget_t *b)
{
    sched_proc_t *p = (sched_proc_t *)b; /* budget is the first member */
    if ((uintptr_t)__builtin_frame_address(0) < b->stack_limit) {
        if (overflow_cb)
            overflow_cb(p);
        overflow_default();
    }
    if (b->reductions <= 0)
        sched_proc_yield(); /* the worker refills the budget on dispatch */
}
