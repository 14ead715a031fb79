/* service.h: services — generic servers with call, cast and threaded state
 * (language.md 4.8 and 8.6, stdlib 22, D74-D78; issue 7).
 *
 * A service process loops: take the oldest message, and if it is a request
 * run the matching handler with the current state, reply to a call, go on
 * with the new state. Handlers run one at a time; requests from one client
 * are handled in the order it sent them (per-sender FIFO). Messages that
 * are not requests are dropped (v5.0 ignores an unknown request too).
 *
 * A call monitors the service for its duration and carries the monitor's
 * reference, which the reply echoes: the caller takes exactly the reply to
 * its request or the service's Down, leaving every other message queued
 * (D78), and gets -ESRCH if the service is dead or dies during the call
 * (D77: the caller then panics "service call: process is not alive").
 * Requests and replies are outside the user's tag space (D69).
 *
 * The descriptor is a static const struct of function pointers, so the
 * compiler can emit one per `service` declaration (docs/scheduler.md, "ABI
 * for the compiler"). */
#ifndef SNOW_SCHED_SERVICE_H
#define SNOW_SCHED_SERVICE_H

#include <stdbool.h>
#include <stdint.h>

#include "sched/proc.h"

typedef struct sched_service_t {
    /* Runs call handler op: state is the current state (borrowed; replace
     * *state to change it), req the request payload (taken; may be NULL).
     * Returns the reply payload (owned by the runtime afterwards; not NULL). */
    sched_msg_t *(*call)(void **state, uint32_t op, sched_msg_t *req);
    /* Runs cast handler op, same ownership, no reply. */
    void (*cast)(void **state, uint32_t op, sched_msg_t *req);
    /* Releases the current state when the process ends, however it ends
     * (a crash, a kill, discarded with the runtime); may be NULL. */
    void (*stop)(void *state);
} sched_service_t;

/* Spawns a service process on the calling worker running svc (borrowed;
 * must outlive the process) with initial state (D74: init already ran in
 * the caller). Returns 0, -ENOMEM, -EPERM. Worker thread. */
int sched_service_start(const sched_service_t *svc, void *state, sched_pid_t *pid);

/* The body of a service process, for spawners that make their own process
 * (a Snow service in an actor): loops forever over requests, keeping the
 * current state in *state (borrowed; readable by the spawner's exit hook). */
_Noreturn void sched_service_loop(const sched_service_t *svc, void **state);

/* Calls op on the service svc with payload req (taken; NULL allowed) and
 * waits up to timeout_ms (< 0: no limit, as Snow's calls). Returns 0 with
 * *reply (returned owned), -ESRCH if svc is not alive or ends before
 * replying (D77), -ETIMEDOUT (a late reply is dropped when it arrives,
 * never seen as a message). Current process. */
int sched_service_call(sched_pid_t svc, uint32_t op, sched_msg_t *req, int64_t timeout_ms,
                       sched_msg_t **reply);

/* Casts op to svc with payload req (taken; dropped if svc is dead, which
 * is not an error: stdlib 22.4). Any worker thread. */
void sched_service_cast(sched_pid_t svc, uint32_t op, sched_msg_t *req);

/* ---- For sched/ only (sup.c answers its own queries) ---- */

/* Returns true if msg is a call request; then *op is set. */
bool sched_service_is_call_(sched_msg_t *msg, uint32_t *op);

/* Answers call request msg (taken) with reply (taken). */
void sched_service_reply_(sched_msg_t *msg, sched_msg_t *reply);

#endif
