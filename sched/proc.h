/* proc.h: processes — spawn, yield, exit, send, receive, and the
 * preemption/stack check the compiler emits (DESIGN 3 and 5, language.md
 * 8.1-8.3 and 8.8, D27, D30; issue 7).
 *
 * A process is a stackful coroutine that lives on its home worker (the
 * spawner's) from spawn to exit: it runs a C function on a pooled stack
 * (stack.h) and owns a mailbox (mailbox.h). Its struct sits in the stack
 * slot's metadata record, whose address never changes, so a pid stays safe
 * to use after the process is gone: a pid names (worker, slot, generation)
 * and a send to a stale generation is refused (-ESRCH) instead of reaching
 * the slot's next tenant.
 *
 * States (field state, written with atomics because senders on other
 * threads move a waiting process to RUNNABLE):
 *   RUNNABLE -> RUNNING (its worker dispatches it)
 *   RUNNING  -> RUNNABLE (yield, preemption) | WAITING(_TIMED) | EXITED
 *   WAITING(_TIMED) -> RUNNABLE (a sender or its timer wins the CAS, and
 *                      then alone queues it on its worker)
 * Everything else in the struct belongs to the home worker's thread.
 *
 * Functions that say "current process" must be called on a process's own
 * stack; "any thread" ones may be called from anywhere while the runtime
 * runs (sched_worker_run). */
#ifndef SNOW_SCHED_PROC_H
#define SNOW_SCHED_PROC_H

#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/timer.h"
#include "sched/context.h"
#include "sched/mailbox.h"

/* A process identifier: bits 63..32 the slot's generation - 1 (0 for its
 * first tenant), 31..22 worker index, 21..0 stack slot + 1. 0 is the null
 * pid (D66): sends to it do nothing. The order makes first-generation pids
 * small numbers, which is what Display shows (<0.N>, D35). ORDER PID:
 * change proc.c's PID_* with it. */
typedef uint64_t sched_pid_t;
#define SCHED_PID_NULL ((sched_pid_t)0)

/* Reductions per time slice (language.md 8.8). */
#define SCHED_REDUCTIONS 4000
/* Stack kept below the limit the prologue check compares against, for
 * runtime C code called from Snow (which has no check) and for the overflow
 * path itself. The usable Snow stack is SCHED_STACK_SLOT_SIZE minus this:
 * 480 KiB, above D30's 256 KiB. */
#define SCHED_STACK_HEADROOM ((size_t)32 * 1024)

/* The two words every emitted function touches (DESIGN 3). This layout is
 * ABI: lang/std/snow.h is to expose it (the compiler reaches it from
 * snow_ctx_t) and pins it with the same asserts:
 *   +0  int64_t   reductions   left in this slice; decremented per call and
 *                              loop back-edge; <= 0 means "yield now";
 *   +8  uintptr_t stack_limit  lowest stack pointer the process may use.
 * The emitted check is sched_proc_check below. */
typedef struct sched_budget_t {
    int64_t reductions;
    uintptr_t stack_limit;
} sched_budget_t;
_Static_assert(offsetof(sched_budget_t, reductions) == 0, "ABI: reductions at +0");
_Static_assert(offsetof(sched_budget_t, stack_limit) == 8, "ABI: stack_limit at +8");
_Static_assert(sizeof(sched_budget_t) == 16, "ABI: budget is two words");

enum {
    SCHED_PROC_FREE = 0, /* slot not in use (or never used) */
    SCHED_PROC_RUNNABLE,
    SCHED_PROC_RUNNING,
    SCHED_PROC_WAITING,       /* receive without timeout */
    SCHED_PROC_WAITING_TIMED, /* receive with a timer armed */
    SCHED_PROC_EXITED,
    SCHED_PROC_PARKED, /* an external wait (I/O, the blocking pool): counted
                        * awake, not woken by messages (D27) */
};

typedef struct sched_worker_t sched_worker_t;
typedef struct sched_proc_t sched_proc_t;
typedef struct sched_proc_ext_t sched_proc_ext_t; /* link.h */

/* exit_kind of a process discarded at the end of a run (D27). */
#define SCHED_PROC_DISCARDED_ 0xffu

/* The body of a process; returning from it exits the process. */
typedef void (*sched_proc_fn)(void *arg);

/* Runs when process p ends: on its own stack at exit, or on the thread
 * that ends the runtime for a process discarded at the end (D27). */
typedef void (*sched_proc_exit_cb)(sched_proc_t *p);

/* Says whether msg is the one a selective receive waits for. */
typedef bool (*sched_msg_match_cb)(sched_msg_t *msg, void *data);

/* Called on stack overflow (the stack pointer below the limit), on the
 * overflowing process's stack with SCHED_STACK_HEADROOM bytes left. Must not
 * return: it ends the process (sched_proc_exit) or the program. */
typedef void (*sched_overflow_cb)(sched_proc_t *p);

struct sched_proc_t {
    sched_budget_t budget; /* first: ABI, see above */
    /* Home worker's thread only. */
    sched_context_t ctx;
    sched_worker_t *worker;
    sched_proc_t *_run_next; /* local run queue */
    sched_proc_fn fn;
    void *arg;
    void *data;                 /* the language runtime's (actor.c: the snow_ctx_t) */
    sched_proc_exit_cb on_exit; /* NULL, or releases what data holds */
    sched_proc_ext_t *ext;      /* links, monitors, jobs, timers (link.h); or NULL */
    uint32_t slot;
    bool timed_out;    /* the last wait ended by its timer */
    bool trap_exit;    /* exit signals become Exit messages (D64) */
    uint8_t exit_kind; /* SCHED_EXIT_* it is ending with (for on_exit), or
                        * SCHED_PROC_DISCARDED_ (D27: discarded at the end) */
    kern_timer_t timer;
    /* Shared stacks (share.h): the host the process runs on, or
     * SCHED_SHARE_NONE for its own slot; its saved frames while another
     * member of the host is resident. */
    uint32_t host;
    uint32_t image_len;
    void *image;
    /* Any thread: kept together at the end, so that senders touch the
     * last cache lines only. */
    _Atomic uint32_t state;
    _Atomic uint32_t gen;          /* bumped at exit; never reset */
    _Atomic uint32_t senders;      /* sends in progress on this slot */
    _Atomic uint32_t registered;   /* has had a registry name (registry.c) */
    sched_mpsc_node_t _ready_node; /* the home worker's remote-ready queue */
    sched_mailbox_t mailbox;
    sched_mpsc_t sig; /* signals from other processes (link.h) */
};
/* One slot's metadata record: keep it at four cache lines. */
_Static_assert(sizeof(sched_proc_t) <= 256, "sched_proc_t fits in 256 bytes");

/* Creates a process running fn(arg) on the calling worker and stores its
 * pid in *pid (may be NULL). The new process runs after the caller yields
 * or waits. arg is borrowed by fn. Returns 0, -ENOMEM when the worker's
 * stack pool is full, -EPERM when the calling thread is not a worker.
 * Worker thread (a process or a callback running on a worker). */
int sched_proc_spawn(sched_proc_fn fn, void *arg, sched_pid_t *pid);

/* Like sched_proc_spawn, but the process may run on a shared stack
 * (share.h) when the runtime has sharing on. The caller promises that fn
 * never parks (sched_proc_park, I/O waits) and that nothing outside the
 * process keeps a pointer into its stack while it is suspended. */
int sched_proc_spawn_shared(sched_proc_fn fn, void *arg, sched_pid_t *pid);

/* Creates a process running fn(arg) on worker index (modulo the worker
 * count). On the calling worker this is sched_proc_spawn; otherwise the
 * request travels to that worker, which spawns it soon after, and the
 * caller gets no pid (the new process can send its own). For placement and
 * tests. Returns 0 or -EPERM (no runtime). Any thread. */
int sched_proc_spawn_on(uint32_t index, sched_proc_fn fn, void *arg);

/* Spawns on w, which must be the calling worker or not started yet. Not to
 * be called directly. */
int sched_proc_spawn_local_(sched_worker_t *w, sched_proc_fn fn, void *arg, sched_pid_t *pid);
int sched_proc_spawn_on_(sched_worker_t *w, sched_proc_fn fn, void *arg, sched_pid_t *pid,
                         bool shared);

/* Builds p's first context on the stack [lo, lo + SCHED_STACK_SLOT_SIZE):
 * spawn does it at once, share.c when a shared process first runs. */
void sched_proc_make_ctx_(sched_proc_t *p, void *lo);

/* Returns the running process on this thread, or NULL outside processes. */
sched_proc_t *sched_proc_current(void);

/* Returns p's pid. */
sched_pid_t sched_proc_pid(const sched_proc_t *p);

/* Writes pid's Display text (D35: "<0.N>", the null pid "<0.0>") into buf,
 * NUL-terminated, at most cap bytes. Matches lang/std's std_pid_text_cb.
 * Any thread. */
void sched_proc_pid_text(uint64_t pid, char *buf, size_t cap);

/* Puts the current process at the back of its worker's run queue and runs
 * the others first. Current process. */
void sched_proc_yield(void);

/* Ends the current process: messages left in its mailbox are dropped (their
 * drop callbacks run), its stack slot is recycled. Current process. */
_Noreturn void sched_proc_exit(void);

/* Appends msg to the mailbox of the process to. Takes msg on success.
 * Returns 0, or -ESRCH if to has exited or never existed (msg stays the
 * caller's; language.md 8.2 says such a send silently does nothing). Wakes
 * the receiver, on its own core, if it waits. Any thread. */
int sched_proc_send(sched_pid_t to, sched_msg_t *msg);

/* Pushes sig (a sched_signal_t node, link.c) onto the signal queue of
 * the live process to and wakes it if it waits. Returns 0 or -ESRCH (sig
 * stays the caller's). Any thread. Not to be called directly. */
int sched_proc_signal_(sched_pid_t to, sched_mpsc_node_t *sig);

/* Returns the live process to if it lives on the calling worker, else
 * NULL. Worker thread. Not to be called directly. */
sched_proc_t *sched_proc_local_(sched_pid_t to);

/* Returns the process struct of pid if pid is alive right now, else NULL
 * (the struct stays valid memory; its tenant may change). Any thread. */
sched_proc_t *sched_proc_lookup_(sched_pid_t pid);

/* True if p is alive and still has pid. Any thread. */
bool sched_proc_alive_(sched_proc_t *p, sched_pid_t pid);

/* Returns the worker index in pid. */
uint32_t sched_proc_pid_worker_(sched_pid_t pid);

/* Parks the current process in an external wait (I/O, the blocking pool):
 * it stays counted as able to run (D27), messages do not wake it, and it
 * resumes once sched_proc_unpark(p) is called. Current process. */
void sched_proc_park(void);

/* Ends p's park: p runs again soon. p's home worker thread, while p is
 * parked (a completion callback of p's worker's ring, which cannot run
 * before p has switched out). */
void sched_proc_unpark(sched_proc_t *p);

/* Runs fn(arg) on pool (kernel/pool.h) and parks the current process until
 * it returns; returns fn's result, or -EAGAIN if the pool's queue is full.
 * The worker goes on running other processes meanwhile. Current process. */
struct kern_pool_t;
int sched_proc_run_blocking(struct kern_pool_t *pool, int (*fn)(void *arg), void *arg);

/* Takes the oldest message (returned owned; free it as it was allocated).
 * timeout_ms < 0 waits without limit, 0 only looks, > 0 waits up to that
 * long (kernel/timer.h on the worker's ring). Returns NULL on timeout.
 * Current process. */
sched_msg_t *sched_proc_receive(int64_t timeout_ms);

/* Like sched_proc_receive but takes the oldest message for which match
 * returns true; the others stay queued in order (for service calls and
 * Job.await, D71/D78). match runs on the current process. */
sched_msg_t *sched_proc_receive_match(int64_t timeout_ms, sched_msg_match_cb match, void *data);

/* Suspends the current process for ms milliseconds (Timer.sleep,
 * language.md 8.10); messages that arrive meanwhile stay queued. ms <= 0
 * only yields. Current process. */
void sched_proc_sleep(int64_t ms);

/* Sets the stack-overflow handler (NULL restores the default, which prints
 * "Snow panic: stack overflow" and aborts, D30). Before sched_worker_run. */
void sched_proc_set_overflow_cb(sched_overflow_cb cb);

/* The slow path of sched_proc_check. Not to be called directly. */
void sched_proc_check_slow_(sched_budget_t *b);

/* The check at the top of every emitted function and on loop back-edges:
 * spend one reduction and compare the stack pointer with the limit; the
 * slow path yields (budget spent) or reports overflow. Current process. */
static inline void sched_proc_check(sched_budget_t *b)
{
    if (__builtin_expect(
            --b->reductions <= 0 || (uintptr_t)__builtin_frame_address(0) < b->stack_limit, 0))
        sched_proc_check_slow_(b);
}

#endif
