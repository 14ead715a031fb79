/* worker.h: worker threads — one per core, pinned — and the runtime that
 * owns them (DESIGN 5, issue 7).
 *
 * Each worker owns an io_uring (kernel/ring.h), a stack pool with the
 * process structs of the processes living on it, a local run queue (FIFO,
 * owner thread only) and a remote-ready queue (MPSC) where other threads put
 * processes of this worker that they woke. An idle worker sleeps in
 * kern_ring_run with no timeout beyond its earliest timer, so an idle
 * runtime uses no CPU; another thread wakes it with kern_ring_wake
 * (MSG_RING from a worker's ring, else the ring's eventfd), at most once per
 * sleep thanks to the worker's `sleeping` flag.
 *
 * Termination (language.md 8.9, D27): the runtime counts "awake" processes
 * — runnable, running, or waiting with a timer — and stops when the count
 * reaches zero: nothing can run again, so processes still blocked in an
 * untimed receive are discarded without running (their queued messages are
 * dropped). I/O waits will count as awake once processes wait on I/O.
 *
 * Invariant: a process is in at most one run queue, and only while
 * RUNNABLE; only the thread that moved it to RUNNABLE queues it. */
#ifndef SNOW_SCHED_WORKER_H
#define SNOW_SCHED_WORKER_H

#include <pthread.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "kernel/ring.h"
#include "sched/config.h"
#include "sched/context.h"
#include "sched/mailbox.h"
#include "sched/proc.h"
#include "sched/share.h"
#include "sched/stack.h"

typedef struct sched_runtime_t sched_runtime_t;
typedef struct sched_registry_t sched_registry_t;

/* What a process asked its worker to do when it switched back. */
enum {
    SCHED_AFTER_NONE_ = 0,
    SCHED_AFTER_YIELD_, /* queue it again */
    SCHED_AFTER_WAIT_,  /* nothing: its waker queues it */
    SCHED_AFTER_EXIT_,  /* give its stack slot back */
};

typedef struct sched_worker_stats_t {
    uint64_t switches; /* processes dispatched */
    uint64_t spawned;
    uint64_t exited;
    uint64_t discarded;  /* still blocked when the run ended (D27) */
    uint64_t sleeps;     /* times the worker slept in the kernel */
    uint64_t wakes_sent; /* kern_ring_wake calls this worker made for others */
    uint64_t share_saves;    /* shared-stack images copied out (share.h) */
    uint64_t share_restores; /* and copied back */
} sched_worker_stats_t;

struct sched_worker_t {
    /* Set before the thread starts; read-only afterwards. */
    sched_runtime_t *rt;
    uint32_t index;
    int cpu; /* pinned CPU, or -1 if pinning failed */
    pthread_t thread;
    /* Owner thread only. */
    sched_context_t loop_ctx;
    sched_proc_t *current;
    uint32_t after; /* SCHED_AFTER_* of current */
    sched_proc_t *run_head, *run_tail;
    uint32_t run_count;
    sched_stack_pool_t pool;
    sched_share_t share; /* shared stacks of this worker's processes */
    kern_ring_t ring;
    bool ring_ready;
    sched_worker_stats_t stats; /* owner writes; others read after join */
    /* Written by other threads. */
    alignas(64) sched_mpsc_t remote;
    alignas(64) sched_mpsc_t spawns; /* sched_spawn_req_t from other threads */
    alignas(64) sched_mpsc_t calls;  /* sched_worker_call_t from other threads */
    alignas(64) atomic_bool sleeping;
};

struct sched_runtime_t {
    /* Set before the workers start; read-only afterwards. */
    uint32_t count;
    bool pin; /* sched_config_t.pin */
    sched_worker_t *workers;
    pthread_barrier_t started;
    /* Any thread. */
    alignas(64) atomic_int_fast64_t awake; /* see the file comment */
    atomic_bool stop;
    atomic_int init_error;         /* first worker start-up failure, -errno */
    atomic_uint_fast64_t next_ref; /* monitor references, from 1 (stdlib 19) */
    atomic_int_fast64_t external;  /* external waits in progress (D27) */
    sched_registry_t *registry;    /* registry.h; its own lock */
};

/* Runs a runtime of cfg->cores workers, starting with one process
 * main_fn(arg) on worker 0, and returns when no process can run any more
 * (D27). Returns 0, or -errno if a worker could not start (its ring:
 * -ENOMEM, -EPERM, see kern_ring_init) or main could not be spawned. One
 * runtime at a time per program. Blocks the calling thread, which is not a
 * worker. */
int sched_worker_run(const sched_config_t *cfg, sched_proc_fn main_fn, void *arg);

/* Returns the calling thread's worker, or NULL. */
sched_worker_t *sched_worker_self(void);

/* Returns the running runtime (NULL outside sched_worker_run). Any thread. */
sched_runtime_t *sched_worker_runtime(void);

/* An external wait — a pending accept, a query on the database pool, a
 * read of stdin — that can make a process runnable later counts as awake,
 * so the runtime does not stop under it (D27). Call begin when the wait
 * starts and end exactly once when it completes or is cancelled. A process
 * parked with sched_proc_park is already counted and needs neither. Any
 * thread of a running runtime. */
void sched_external_wait_begin(void);
void sched_external_wait_end(void);

/* Returns the number of external waits in progress. Any thread. */
int64_t sched_external_wait_count(void);

/* Sums every worker's stats into out. After sched_worker_run returns, the
 * stats of the last run; otherwise approximate. */
void sched_worker_last_stats(sched_worker_stats_t *out);

/* ---- For sched/ only (proc.c) ---- */

/* A request to spawn a process on another worker. */
typedef struct sched_spawn_req_t {
    sched_mpsc_node_t node; /* first */
    sched_proc_fn fn;
    void *arg;
} sched_spawn_req_t;

/* A function to run on a given worker's thread (timer.c's send_after
 * requests). The caller counts one awake for it; run must settle it. */
typedef struct sched_worker_call_t sched_worker_call_t;
struct sched_worker_call_t {
    sched_mpsc_node_t node; /* first */
    void (*run)(sched_worker_t *w, sched_worker_call_t *call);
};

/* Queues call for w's thread and wakes w. Any thread. */
void sched_worker_call_(sched_worker_t *w, sched_worker_call_t *call);

/* Asks worker w to spawn fn(arg) (see sched_proc_spawn_on). Any thread. */
void sched_worker_spawn_remote_(sched_worker_t *w, sched_proc_fn fn, void *arg);

/* Queues p (RUNNABLE, owned by w) on w's local run queue. w's thread. */
void sched_worker_enqueue_(sched_worker_t *w, sched_proc_t *p);

/* Queues p, which the caller just moved to RUNNABLE, on its home worker:
 * locally if the caller is that worker, else through its remote-ready queue
 * and a wake-up. Any thread. */
void sched_worker_make_ready_(sched_proc_t *p);

/* Switches from the current process back to its worker's loop, telling it
 * what to do (SCHED_AFTER_*). Returns when the process is next dispatched. */
void sched_worker_switch_out_(sched_worker_t *w, uint32_t after);

/* Counts a process that became awake / stopped being awake (see the file
 * comment); the last one to go to sleep stops the runtime. Any thread. */
void sched_worker_awake_add_(sched_runtime_t *rt, int64_t delta);

#endif
