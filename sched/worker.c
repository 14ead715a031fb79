/* worker.c: worker threads, run queues, sleeping and waking, and the
 * runtime's start and stop (see worker.h). */
#define _GNU_SOURCE 1 /* CPU_SET, sched_setaffinity */
#include "sched/worker.h"

#include <errno.h>
#include <sched.h>
#include <string.h>

#include "kernel/alloc.h"
#include "kernel/assert.h"
#include "kernel/tls.h"
#include "sched/link.h"
#include "sched/registry.h"

/* The only mutable global: the worker's pointer to itself (STYLE 6). */
static _Thread_local sched_worker_t *sched_self;
/* Set before workers start and cleared after they are joined. */
static sched_runtime_t *sched_rt;
static sched_worker_stats_t last_stats;

/* Processes dispatched between two non-blocking polls of the ring while
 * the run queue stays busy (timers and completions must not starve). */
#define POLL_EVERY 64
/* How long an idle worker looks for work from other threads before it
 * sleeps in the kernel: a sleep and wake-up cost tens of microseconds, and
 * a cross-core reply usually comes sooner (Erlang's schedulers busy-wait
 * for the same reason). Short enough that an idle runtime's CPU use stays
 * ~0 (one spin per sleep). */
#define SPIN_NS 50000

static inline void cpu_relax(void)
{
#if defined(__x86_64__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ volatile("yield");
#endif
}

sched_worker_t *sched_worker_self(void) { return sched_self; }

sched_runtime_t *sched_worker_runtime(void) { return sched_rt; }

/* ==== Queues ==== */

void sched_worker_enqueue_(sched_worker_t *w, sched_proc_t *p)
{
    snow_assert(sched_self == w || !sched_self);
    /* The saved frames at the top of p's stack are what the switch into p
     * reads first, usually cold (many processes, one page each); start
     * loading them now, while the current process finishes its slice. */
    for (int i = 0; i < 8; i++)
        __builtin_prefetch((char *)p->ctx.sp + 64 * i, 0, 3);
    p->_run_next = NULL;
    if (w->run_tail)
        w->run_tail->_run_next = p;
    else
        w->run_head = p;
    w->run_tail = p;
    w->run_count++;
}

static sched_proc_t *dequeue(sched_worker_t *w)
{
    sched_proc_t *p = w->run_head;
    if (p) {
        w->run_head = p->_run_next;
        if (!w->run_head)
            w->run_tail = NULL;
        w->run_count--;
    }
    return p;
}

/* Wakes w if it sleeps (or is about to). Any thread. */
static void wake_worker(sched_worker_t *w)
{
    /* seq_cst load then exchange: the producer half of the Dekker pattern
     * with the worker's seq_cst store of sleeping before its last look at
     * its queue (sleep_in_ring()). The exchange lets one waker of many pay for the
     * wake-up. */
    if (!atomic_load_explicit(&w->sleeping, memory_order_seq_cst))
        return;
    if (!atomic_exchange_explicit(&w->sleeping, false, memory_order_seq_cst))
        return;
    sched_worker_t *self = sched_self;
    int rc = kern_ring_wake(&w->ring, self ? &self->ring : NULL);
    snow_assert(rc == 0);
    (void)rc;
    if (self)
        self->stats.wakes_sent++;
}

void sched_worker_make_ready_(sched_proc_t *p)
{
    sched_worker_t *w = p->worker;
    if (sched_self == w) {
        sched_worker_enqueue_(w, p);
        return;
    }
    /* seq_cst exchange inside the push: pairs with sleep_in_ring()'s check. */
    sched_mpsc_push(&w->remote, &p->_ready_node);
    wake_worker(w);
}

static void drain_remote(sched_worker_t *w)
{
    sched_mpsc_node_t *n;
    while ((n = sched_mpsc_pop(&w->remote)))
        sched_worker_enqueue_(w, (sched_proc_t *)((char *)n - offsetof(sched_proc_t, _ready_node)));
    while ((n = sched_mpsc_pop(&w->spawns))) {
        sched_spawn_req_t *req = (sched_spawn_req_t *)n;
        int rc = sched_proc_spawn_local_(w, req->fn, req->arg, NULL);
        /* Only -ENOMEM (4M live processes on w) can fail; the requester has no
         * pid to report it on, so it is treated as fatal for now. */
        snow_assert(rc == 0);
        (void)rc;
        /* The requester counted the process as awake; spawn counted it again. */
        sched_worker_awake_add_(w->rt, -1);
        kern_free(req);
    }
    while ((n = sched_mpsc_pop(&w->calls))) {
        sched_worker_call_t *call = (sched_worker_call_t *)n;
        call->run(w, call);
    }
}

void sched_worker_call_(sched_worker_t *w, sched_worker_call_t *call)
{
    sched_mpsc_push(&w->calls, &call->node);
    wake_worker(w);
}

void sched_worker_spawn_remote_(sched_worker_t *w, sched_proc_fn fn, void *arg)
{
    sched_spawn_req_t *req = kern_alloc(sizeof *req);
    req->fn = fn;
    req->arg = arg;
    /* Counted now, so the runtime cannot stop while the request travels. */
    sched_worker_awake_add_(w->rt, 1);
    sched_mpsc_push(&w->spawns, &req->node);
    wake_worker(w);
}

/* ==== Awake count and stop ==== */

static void stop_all(sched_runtime_t *rt)
{
    /* Release: pairs with the acquire loads in the loop; stop is final. */
    atomic_store_explicit(&rt->stop, true, memory_order_release);
    for (uint32_t i = 0; i < rt->count; i++) {
        sched_worker_t *w = &rt->workers[i];
        if (w == sched_self)
            continue; /* checks stop before it sleeps */
        /* Force the wake-up: the worker may not have set sleeping yet, but
         * it reads stop before sleeping (seq_cst both sides below). */
        atomic_store_explicit(&w->sleeping, true, memory_order_seq_cst);
        wake_worker(w);
    }
}

void sched_worker_awake_add_(sched_runtime_t *rt, int64_t delta)
{
    /* acq_rel: the last decrement must see every earlier change. */
    int64_t now = atomic_fetch_add_explicit(&rt->awake, delta, memory_order_acq_rel) + delta;
    snow_assert(now >= 0);
    if (now == 0)
        stop_all(rt);
}

void sched_external_wait_begin(void)
{
    sched_runtime_t *rt = sched_rt;
    snow_assert(rt != NULL);
    atomic_fetch_add_explicit(&rt->external, 1, memory_order_relaxed);
    sched_worker_awake_add_(rt, 1);
}

void sched_external_wait_end(void)
{
    sched_runtime_t *rt = sched_rt;
    snow_assert(rt != NULL);
    atomic_fetch_sub_explicit(&rt->external, 1, memory_order_relaxed);
    sched_worker_awake_add_(rt, -1); /* the last one may stop the runtime */
}

int64_t sched_external_wait_count(void)
{
    sched_runtime_t *rt = sched_rt;
    return rt ? atomic_load_explicit(&rt->external, memory_order_relaxed) : 0;
}

/* ==== The loop ==== */

void sched_worker_switch_out_(sched_worker_t *w, uint32_t after)
{
    sched_proc_t *p = w->current;
    w->after = after;
    sched_context_switch(&p->ctx, &w->loop_ctx);
    /* Back on p's stack: act on the signals that came meanwhile (link.h);
     * this may end p here. Relaxed-enough: the seq_cst exchange inside the
     * sender's push is what the empty check reads. */
    if (!sched_mpsc_empty(&p->sig))
        sched_link_handle_(p);
}

static void dispatch(sched_worker_t *w, sched_proc_t *p)
{
    /* Relaxed: RUNNABLE -> RUNNING is seen only by this thread. */
    atomic_store_explicit(&p->state, SCHED_PROC_RUNNING, memory_order_relaxed);
    p->budget.reductions = SCHED_REDUCTIONS;
    w->current = p;
    w->after = SCHED_AFTER_NONE_;
    w->stats.switches++;
    if (p->host != SCHED_SHARE_NONE)
        sched_share_enter(&w->share, &w->pool, p);
    sched_context_switch(&w->loop_ctx, &p->ctx);
    w->current = NULL;
    switch (w->after) {
    case SCHED_AFTER_YIELD_:
        sched_worker_enqueue_(w, p);
        break;
    case SCHED_AFTER_EXIT_:
        atomic_store_explicit(&p->state, SCHED_PROC_FREE, memory_order_relaxed);
        if (p->host != SCHED_SHARE_NONE) {
            sched_share_leave(&w->share, p);
            sched_stack_give_clean(&w->pool, p->slot);
        } else {
            sched_stack_give(&w->pool, p->slot);
        }
        w->stats.exited++;
        break;
    default:
        snow_assert(w->after == SCHED_AFTER_WAIT_);
        break;
    }
}

/* Returns true if work from other threads arrives (or the runtime stops)
 * within SPIN_NS. Spins only while the worker has no ring op in flight:
 * the spin exists for cross-core message replies (perf/sched pingpong2),
 * and a worker whose processes wait on I/O gains nothing from it. Such a
 * worker goes straight to sleep_in_ring, which submits the SQEs its
 * processes queued before parking (the spin used to hold them back for up
 * to SPIN_NS) and wakes at the first completion; spinning instead burnt
 * 64 % of the HTTP server's CPU on a machine where the load generator needs
 * it (docs/performance.md "HTTP server"). With DEFER_TASKRUN the kernel
 * posts CQEs only inside io_uring_enter, so the CQ cannot be watched
 * without a system call; the check of the CQ below covers rings without
 * it (and wake-up CQEs). An op in flight stands for "every process is
 * parked on I/O": a worker mixing I/O waits with cross-core messages
 * sleeps too and pays a ring wake-up per message (tens of us). */
static bool spin_for_work(sched_worker_t *w)
{
    if (kern_ring_in_flight(&w->ring) > 0)
        return false;
    uint64_t until = kern_timer_now_ns() + SPIN_NS;
    do {
        for (int i = 0; i < 32; i++)
            cpu_relax();
        if (!sched_mpsc_empty(&w->remote) || !sched_mpsc_empty(&w->spawns) ||
            !sched_mpsc_empty(&w->calls) ||
            atomic_load_explicit(&w->rt->stop, memory_order_relaxed))
            return true; /* relaxed: the loop re-reads stop with acquire */
        if (io_uring_cq_ready(&w->ring.uring) > 0) {
            kern_ring_run(&w->ring, 0); /* reap now: the loop does not */
            return true;
        }
    } while (kern_timer_now_ns() < until);
    return false;
}

/* Sleeps in the ring until a wake-up, a completion or a timer. */
static void sleep_in_ring(sched_worker_t *w)
{
    /* seq_cst: publish "sleeping", then look at the remote queue and stop
     * flag; pairs with the push + seq_cst load in wake_worker. */
    atomic_store_explicit(&w->sleeping, true, memory_order_seq_cst);
    if (!sched_mpsc_empty(&w->remote) || !sched_mpsc_empty(&w->spawns) ||
        !sched_mpsc_empty(&w->calls) || atomic_load_explicit(&w->rt->stop, memory_order_seq_cst)) {
        atomic_store_explicit(&w->sleeping, false, memory_order_relaxed);
        return;
    }
    w->stats.sleeps++;
    int rc = kern_ring_run(&w->ring, -1);
    snow_assert(rc >= 0);
    (void)rc;
    /* Relaxed: only filters redundant wakes; a stale true costs one. */
    atomic_store_explicit(&w->sleeping, false, memory_order_relaxed);
}

static void loop(sched_worker_t *w)
{
    uint32_t since_poll = 0;
    for (;;) {
        drain_remote(w);
        sched_proc_t *p = dequeue(w);
        if (p) {
            dispatch(w, p);
            if (++since_poll >= POLL_EVERY) {
                since_poll = 0;
                kern_ring_run(&w->ring, 0);
            }
            continue;
        }
        if (atomic_load_explicit(&w->rt->stop, memory_order_acquire))
            return; /* pairs with stop_all's release */
        if (!sched_mpsc_empty(&w->remote) || !sched_mpsc_empty(&w->spawns) ||
            !sched_mpsc_empty(&w->calls)) {
            sched_yield(); /* a push is half done; its producer is close */
            continue;
        }
        since_poll = 0;
        /* A timer may fire up to SPIN_NS late; well within its slack. */
        if (spin_for_work(w))
            continue;
        sleep_in_ring(w);
    }
}

static void pin(sched_worker_t *w)
{
    cpu_set_t allowed;
    w->cpu = -1;
    if (sched_getaffinity(0, sizeof allowed, &allowed) != 0)
        return;
    int n = CPU_COUNT(&allowed);
    if (n <= 0)
        return;
    /* The (index mod n)-th CPU this process may use. */
    int want = (int)(w->index % (uint32_t)n);
    for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
        if (CPU_ISSET(cpu, &allowed) && want-- == 0) {
            cpu_set_t one;
            CPU_ZERO(&one);
            CPU_SET(cpu, &one);
            if (sched_setaffinity(0, sizeof one, &one) == 0)
                w->cpu = cpu;
            return;
        }
    }
}

static void on_wake(kern_ring_t *ring, void *data)
{
    /* The loop drains the remote queue after kern_ring_run returns. */
    (void)ring;
    (void)data;
}

static void *worker_main(void *arg)
{
    sched_worker_t *w = arg;
    sched_self = w;
    if (w->rt->pin)
        pin(w);
    else
        w->cpu = -1;
    int rc = kern_ring_init(&w->ring, NULL);
    if (rc < 0) {
        int expected = 0;
        atomic_compare_exchange_strong_explicit(&w->rt->init_error, &expected, rc,
                                                memory_order_relaxed, memory_order_relaxed);
    } else {
        w->ring_ready = true;
        kern_ring_set_wake_cb(&w->ring, on_wake, w);
    }
    /* Every ring exists before anyone can wake one; the barrier orders the
     * init_error store before the loads below. */
    pthread_barrier_wait(&w->rt->started);
    if (atomic_load_explicit(&w->rt->init_error, memory_order_relaxed) == 0) {
        sched_context_init_thread(&w->loop_ctx);
        loop(w);
    }
    kern_tls_thread_end(); /* HTTPS and node links ran on this thread */
    return NULL;
}

/* ==== Start and stop ==== */

/* Drops the mailboxes of processes discarded at the end (D27). */
static void discard_procs(sched_worker_t *w)
{
    for (uint32_t slot = 0; slot < w->pool.fresh; slot++) {
        sched_proc_t *p = sched_stack_meta_lookup(&w->pool, slot);
        uint32_t s = atomic_load_explicit(&p->state, memory_order_relaxed);
        if (s != SCHED_PROC_FREE && s != SCHED_PROC_EXITED) {
            p->exit_kind = SCHED_PROC_DISCARDED_;
            /* on_exit may read the process's frames: put them back first. */
            if (p->host != SCHED_SHARE_NONE && p->on_exit)
                sched_share_enter(&w->share, &w->pool, p);
            if (p->on_exit)
                p->on_exit(p);
            p->on_exit = NULL;
            if (p->host != SCHED_SHARE_NONE)
                sched_share_leave(&w->share, p);
            else
                sched_context_abandon(&p->ctx);
            sched_mailbox_drop_all(&p->mailbox);
            sched_link_discard_(p);
            atomic_store_explicit(&p->state, SCHED_PROC_FREE, memory_order_relaxed);
            w->stats.discarded++;
        }
    }
}

static void collect_stats(sched_runtime_t *rt)
{
    memset(&last_stats, 0, sizeof last_stats);
    for (uint32_t i = 0; i < rt->count; i++) {
        sched_worker_stats_t *s = &rt->workers[i].stats;
        last_stats.switches += s->switches;
        last_stats.spawned += s->spawned;
        last_stats.exited += s->exited;
        last_stats.discarded += s->discarded;
        last_stats.sleeps += s->sleeps;
        last_stats.wakes_sent += s->wakes_sent;
        last_stats.share_saves += rt->workers[i].share.stats.saves;
        last_stats.share_restores += rt->workers[i].share.stats.restores;
    }
}

void sched_worker_last_stats(sched_worker_stats_t *out) { *out = last_stats; }

/* Runs on each worker thread after its loop: rings go away only once no
 * worker can wake another any more. */
static pthread_barrier_t *stopped_barrier;

static void *worker_thread(void *arg)
{
    sched_worker_t *w = arg;
    worker_main(w);
    pthread_barrier_wait(stopped_barrier);
    if (w->ring_ready)
        kern_ring_destroy(&w->ring);
    w->ring_ready = false;
    sched_self = NULL;
    return NULL;
}

int sched_worker_run(const sched_config_t *cfg, sched_proc_fn main_fn, void *arg)
{
    snow_assert(sched_rt == NULL);
    snow_assert(cfg->cores >= 1 && cfg->cores <= SCHED_CORES_MAX);
    sched_runtime_t *rt = kern_alloc_aligned(64, sizeof *rt);
    memset(rt, 0, sizeof *rt);
    rt->count = (uint32_t)cfg->cores;
    rt->pin = cfg->pin;
    rt->workers = kern_alloc_aligned(64, sizeof(sched_worker_t) * rt->count);
    memset(rt->workers, 0, sizeof(sched_worker_t) * rt->count);
    atomic_init(&rt->awake, 0);
    atomic_init(&rt->stop, false);
    atomic_init(&rt->init_error, 0);
    atomic_init(&rt->next_ref, 1);
    atomic_init(&rt->external, 0);
    rt->registry = sched_registry_new_();
    pthread_barrier_init(&rt->started, NULL, rt->count);
    pthread_barrier_t stopped;
    pthread_barrier_init(&stopped, NULL, rt->count);
    stopped_barrier = &stopped;
    for (uint32_t i = 0; i < rt->count; i++) {
        sched_worker_t *w = &rt->workers[i];
        w->rt = rt;
        w->index = i;
        sched_stack_pool_init(&w->pool, sizeof(sched_proc_t), 0, 0);
        sched_share_init(&w->share, cfg->share);
        sched_mpsc_init(&w->remote);
        sched_mpsc_init(&w->spawns);
        sched_mpsc_init(&w->calls);
        atomic_init(&w->sleeping, false);
    }
    sched_rt = rt;
    /* main goes on worker 0 before its thread exists (thread creation
     * orders these writes before everything the thread does). */
    int rc = sched_proc_spawn_local_(&rt->workers[0], main_fn, arg, NULL);
    uint32_t started = 0;
    for (; rc == 0 && started < rt->count; started++) {
        sched_worker_t *w = &rt->workers[started];
        /* The barriers count every worker: a thread that cannot be created
         * would leave the others waiting forever, so that is fatal. */
        if (pthread_create(&w->thread, NULL, worker_thread, w) != 0)
            kern_assert_fail_("pthread_create for a worker", __FILE__, __LINE__, __func__);
    }
    for (uint32_t i = 0; i < started; i++)
        pthread_join(rt->workers[i].thread, NULL);
    if (rc == 0)
        rc = atomic_load_explicit(&rt->init_error, memory_order_relaxed);
    for (uint32_t i = 0; i < rt->count; i++) {
        discard_procs(&rt->workers[i]);
        sched_stack_pool_destroy(&rt->workers[i].pool);
    }
    collect_stats(rt);
    sched_registry_free_(rt->registry);
    sched_rt = NULL;
    stopped_barrier = NULL;
    pthread_barrier_destroy(&stopped);
    pthread_barrier_destroy(&rt->started);
    kern_free(rt->workers);
    kern_free(rt);
    return rc;
}
