/* actor.h: Snow processes — a scheduler process that owns a snow_ctx_t
 * (its own heap, the ABI's budget, panic isolation). D24, D30, language.md
 * 8.1 and 8.8; issue 7.
 *
 * The bridge between sched/ and lang/std: the context lives in the frame
 * of the process's entry function on its own stack (no allocation), its
 * budget pointer is the process's sched_budget_t (the same ABI layout as
 * snow_budget_t), its check hook yields or reports overflow, and its panic
 * hook destroys the heap and ends only this process (D24). A stack
 * overflow panics "stack overflow" and ends only the process too (D30
 * allows this when it is safe: the stack is abandoned whole, nothing else
 * refers into it). A panic ends the process with reason Error(msg), which
 * links, monitors, jobs and supervisors see (link.h).
 *
 * Invariant: a context never outlives its process; all its values die with
 * the process's heap. */
#ifndef SNOW_SCHED_ACTOR_H
#define SNOW_SCHED_ACTOR_H

#include "lang/std/snow.h"
#include "sched/link.h"
#include "sched/proc.h"
#include "sched/sup.h"

/* The body of a Snow process; returning from it exits the process. */
typedef void (*sched_actor_fn)(snow_ctx_t *cx, void *arg);

/* A `terminate do ... end` clause (language.md 8.4). */
typedef void (*sched_actor_terminate_fn)(snow_ctx_t *cx, void *arg);

/* Registers fn(cx, arg) to run when the current actor ends: after a normal
 * end or a crash, before links and monitors are told (D24); not when it is
 * killed outright (Killed) or discarded at the end of the run (D27). A
 * panic inside fn is reported and otherwise ignored. arg is borrowed until
 * then. A later call replaces the clause. Current actor. */
void sched_actor_set_terminate(snow_ctx_t *cx, sched_actor_terminate_fn fn, void *arg);

/* Sets the program-wide state (stdout buffer, argv, heap block pool) that
 * every actor's context shares, and installs sched_proc_pid_text as its
 * pid printer; rt is borrowed and must outlive the run. Call before
 * sched_worker_run; read-only while workers run. */
void sched_actor_set_rt(snow_rt_t *rt);

/* Spawns fn(cx, arg) as a Snow process on the calling worker (see
 * sched_proc_spawn; arg is borrowed by fn). Requires sched_actor_set_rt.
 * Returns 0, -ENOMEM, -EPERM (not a worker, or no rt set). */
int sched_actor_spawn(sched_actor_fn fn, void *arg, sched_pid_t *pid);

/* Same on a shared stack (sched_proc_spawn_shared: fn must never park). */
int sched_actor_spawn_shared(sched_actor_fn fn, void *arg, sched_pid_t *pid);

/* Runs a Snow program on the scheduler: sets up the program-wide state
 * from argc/argv, starts SNOW_CORES workers (sched/config.h), runs
 * main_fn as the first Snow process on worker 0, waits until no process
 * can run any more (language.md 8.9, D27) and flushes stdout. A panic in
 * main_fn ends the whole program with SIGABRT (D25); a panic in any other
 * process ends only that process (D24). Returns the exit status: 0, or 2
 * (with a message on stderr) if SNOW_CORES is invalid or a worker cannot
 * start. The scheduled counterpart of lang/std's snow_rt_main. Blocks the
 * calling thread. */
int sched_actor_main(int argc, char **argv, snow_main_cb main_fn);

/* Sends a deep copy of value (a heap pointer of cx's heap when is_ptr,
 * else an immediate word) to the actor to (language.md 8.2, DESIGN 4): the
 * graph is copied once, on the sender's thread, into a heap fragment that
 * the receiver adopts without copying again (lang/std/copy.h, heap.h).
 * Returns 0, or -ESRCH if to is not alive (the copy is freed; the language
 * says such a send does nothing). Current actor. */
int sched_actor_send(snow_ctx_t *cx, sched_pid_t to, snow_word_t value, bool is_ptr);

/* Takes the oldest user message (see sched_proc_receive for timeout_ms),
 * adopts its fragment into cx's heap and stores its value in *value.
 * Returns false on timeout. System notifications (D63) and internal
 * replies are skipped and stay queued. Current actor. */
bool sched_actor_receive(snow_ctx_t *cx, int64_t timeout_ms, snow_word_t *value);

/* The receive of a `receive` with a SystemMsg arm (D63): takes the oldest
 * user message or Down/Exit notification. Returns 1 with *value set (user),
 * 2 with *sys set (returned owned: free with sched_sysmsg_free), or 0 on
 * timeout. Current actor. */
int sched_actor_receive_any(snow_ctx_t *cx, int64_t timeout_ms, snow_word_t *value,
                            sched_sysmsg_t **sys);

/* Variant indexes (h.tag) of the built-in SystemMsg (language.md 8.5):
 * Down = 0, Exit = 1, NodeUp = 2, NodeDown = 3. ExitReason's are
 * SCHED_EXIT_* (reason.h, ORDER REASON). */
enum {
    SCHED_ACTOR_SYS_DOWN = 0,
    SCHED_ACTOR_SYS_EXIT = 1,
    SCHED_ACTOR_SYS_NODE_UP = 2,
    SCHED_ACTOR_SYS_NODE_DOWN = 3,
};

/* Builds the Snow ExitReason value for r in cx's heap: a record whose tag
 * is the variant index; Error holds its String, Linked its Pid and inner
 * reason; the nullary ones are empty records. Current actor. */
snow_word_t sched_actor_reason_value(snow_ctx_t *cx, const sched_reason_t *r);

/* Builds the Snow SystemMsg value for a Down or Exit notification (m is
 * borrowed): Down(ref :: Int, pid :: Pid, reason) or Exit(pid, reason).
 * Current actor. */
snow_word_t sched_actor_sysmsg_value(snow_ctx_t *cx, const sched_sysmsg_t *m);

/* Returns a message holding a deep copy of value from cx's heap (see
 * sched_actor_send), returned owned; its drop callback frees it. For
 * payloads of jobs, services and timers. Current actor. */
sched_msg_t *sched_actor_msg_new(snow_ctx_t *cx, snow_word_t value, bool is_ptr);

/* Adopts msg (made by sched_actor_msg_new; taken) into cx's heap and
 * returns its value. Current actor. */
snow_word_t sched_actor_msg_take(snow_ctx_t *cx, sched_msg_t *msg);

/* ---- Jobs, services and supervisors for Snow (job.h, service.h, sup.h) ---- */

/* Job.async(f): runs closure (copied; a Fun() -> T of cx's heap) in a new
 * actor that is a job of the current one; result_is_ptr says whether T's
 * values are heap pointers. Returns 0, -ENOMEM. Current actor. */
int sched_actor_job_async(snow_ctx_t *cx, snow_record_t *closure, bool result_is_ptr,
                          sched_pid_t *job);

/* Job.await / await_timeout (timeout_ms < 0: no limit). Returns 0 with the
 * result in *value (Ok), 1 with the D71 text as a String in *value (Err),
 * -ETIMEDOUT (Err("timeout")), -ESRCH (Err("noproc")). Current actor. */
int sched_actor_job_await(snow_ctx_t *cx, sched_pid_t job, int64_t timeout_ms, snow_word_t *value);

/* Job.map(xs, f): one job per element (f and the element copied into
 * it), awaited in input order (D73); returns a new List of
 * Result<B, String> (result_type: its element descriptor) in cx's heap.
 * elem_is_ptr / result_is_ptr say whether A's / B's values are heap
 * pointers. Current actor. */
snow_list_t *sched_actor_job_map(snow_ctx_t *cx, const snow_list_t *xs, snow_record_t *f,
                                 bool elem_is_ptr, bool result_is_ptr,
                                 const snow_type_t *result_type);

/* A Snow service's handlers, emitted once per `service` declaration as a
 * static const struct. op numbers the handlers; args is the request's
 * argument value (a tuple when there are several, 0 when none) already in
 * cx's heap; *state is the state, replaced by the handler's new state. */
typedef struct sched_actor_service_t {
    /* Returns the reply and sets *reply_is_ptr. */
    snow_word_t (*call)(snow_ctx_t *cx, uint32_t op, snow_word_t *state, snow_word_t args,
                        bool *reply_is_ptr);
    void (*cast)(snow_ctx_t *cx, uint32_t op, snow_word_t *state, snow_word_t args);
} sched_actor_service_t;

/* Name.start(...) after init ran in the caller (D74): spawns the service
 * actor with a copy of state. Returns 0, -ENOMEM, -EPERM. Current actor. */
int sched_actor_service_start(snow_ctx_t *cx, const sched_actor_service_t *desc, snow_word_t state,
                              bool state_is_ptr, sched_pid_t *pid);

/* A call: copies args, waits for the reply (no timeout, stdlib 22.3) and
 * adopts it into *reply. Returns 0 or -ESRCH (the emitted code panics
 * "service call: process is not alive", D77). Current actor. */
int sched_actor_service_call(snow_ctx_t *cx, sched_pid_t svc, uint32_t op, snow_word_t args,
                             bool args_is_ptr, snow_word_t *reply);

/* A cast: copies args and returns (dropped if svc is dead). */
void sched_actor_service_cast(snow_ctx_t *cx, sched_pid_t svc, uint32_t op, snow_word_t args,
                              bool args_is_ptr);

/* spawn(Sup): a supervisor for spec run in an actor, so that the emitted
 * start functions find a context with sched_actor_ctx(sched_proc_current()).
 * Returns 0, -ENOMEM, -EPERM. Worker thread. */
int sched_actor_sup_start(const sched_sup_spec_t *spec, sched_pid_t *pid);

/* Returns the context of actor p, or NULL if p is a plain C process. */
snow_ctx_t *sched_actor_ctx(const sched_proc_t *p);

#endif
