/* sup.h: supervisors — a process that starts children, traps their exits
 * and restarts them by strategy and restart type, within a restart
 * intensity (language.md 4.9 and 8.7, stdlib 23, D79-D83; issue 7).
 *
 * A supervisor is described by a static const sched_sup_spec_t whose
 * children are started by C functions (the compiler emits one per child
 * `start` closure, D80), so `spawn(Sup)` is one call to sched_sup_start.
 * The supervisor process traps exits (stdlib 23.2), starts the children in
 * order and links each; on a child's exit it applies 23.3-23.5:
 *   restart:  PERMANENT always, TRANSIENT unless Normal/Shutdown, TEMPORARY
 *             never (and the child is removed);
 *   strategy: ONE_FOR_ONE (and SIMPLE_ONE_FOR_ONE, D83) the child alone;
 *             ONE_FOR_ALL stops the others in reverse order, starts all;
 *             REST_FOR_ONE stops the later ones in reverse order, restarts
 *             the child and those after it;
 *   intensity: more than max_restarts restart decisions within
 *             max_seconds stop every child (reverse order) and end the
 *             supervisor with Error("restart limit exceeded: N restarts in
 *             S seconds");
 *   shutdown: monitor, unlink, exit signal Shutdown, wait shutdown_ms,
 *             then Killed; SCHED_SUP_BRUTAL_KILL kills at once.
 * A child that fails to start stops the ones already started and ends the
 * supervisor with Error("child <name> failed to start"). A direct exit
 * signal other than Normal from outside (a parent supervisor's Shutdown)
 * stops the children and ends the supervisor with that reason. Exits of
 * processes that are not current children are ignored. The supervisor's
 * bookkeeping never reaches the children's mailboxes (D79). */
#ifndef SNOW_SCHED_SUP_H
#define SNOW_SCHED_SUP_H

#include <stdint.h>

#include "sched/proc.h"

/* ORDER STRATEGY / RESTART: the spellings of stdlib 23.1. */
enum {
    SCHED_SUP_ONE_FOR_ONE = 0,
    SCHED_SUP_ONE_FOR_ALL,
    SCHED_SUP_REST_FOR_ONE,
    SCHED_SUP_SIMPLE_ONE_FOR_ONE,
};
enum {
    SCHED_SUP_PERMANENT = 0,
    SCHED_SUP_TRANSIENT,
    SCHED_SUP_TEMPORARY,
};
/* shutdown_ms for brutal_kill (0 is not a valid Snow shutdown, D81). */
#define SCHED_SUP_BRUTAL_KILL 0u

/* Starts one child inside the supervisor process and returns its pid, or
 * SCHED_PID_NULL if it could not start. arg is the spec's. */
typedef sched_pid_t (*sched_sup_start_cb)(void *arg);

typedef struct sched_sup_child_t {
    const char *name;
    sched_sup_start_cb start;
    void *arg;
    uint8_t restart;      /* SCHED_SUP_PERMANENT .. TEMPORARY */
    uint32_t shutdown_ms; /* > 0, or SCHED_SUP_BRUTAL_KILL */
} sched_sup_child_t;

typedef struct sched_sup_spec_t {
    const char *name;
    uint8_t strategy; /* SCHED_SUP_ONE_FOR_ONE .. */
    uint32_t max_restarts;
    uint32_t max_seconds;
    uint32_t child_count; /* <= SCHED_SUP_CHILDREN_MAX */
    const sched_sup_child_t *children;
} sched_sup_spec_t;

#define SCHED_SUP_CHILDREN_MAX 1024u

/* Spawns a supervisor for spec (borrowed; must outlive it) on the calling
 * worker and stores its pid; it starts its children itself (D79). Returns
 * 0, -ENOMEM, -EPERM. Worker thread. */
int sched_sup_start(const sched_sup_spec_t *spec, sched_pid_t *pid);

/* The supervisor's body, for spawners that make their own process (a Snow
 * supervisor runs in an actor so that its start closures have a context):
 * never returns. Current process. */
_Noreturn void sched_sup_run(const sched_sup_spec_t *spec);

/* Asks supervisor sup for its children's current pids (in declaration
 * order, SCHED_PID_NULL for one not running or removed) and its restart
 * count: fills pids[0 .. min(cap, child_count)) and returns the number of
 * restart decisions so far (>= 0), or -ESRCH if sup is not alive. For
 * tests and tools. Current process. */
int64_t sched_sup_which_children(sched_pid_t sup, sched_pid_t *pids, uint32_t cap);

#endif
