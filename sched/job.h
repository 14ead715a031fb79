/* job.h: jobs — a computation in its own process whose outcome the
 * starter collects (stdlib 21, language.md 8.10, D71-D73; issue 7).
 *
 * A job is linked to its caller in a lopsided way: the caller's abnormal
 * end kills the job (an ordinary link on the job's side), but the job's end
 * never kills the caller (the caller's side of the link is marked
 * SCHED_LINK_JOB_CALLER_, so the job's abnormal end turns into an outcome
 * message instead, link.c). A job that finishes sends its result before it
 * exits; both kinds of outcome are messages outside the user's tag space
 * (D69) that only sched_job_await takes, so a late outcome never shows up
 * as a stray message (D72). The caller keeps the set of its jobs not yet
 * awaited; awaiting anything else gives -ESRCH ("noproc", D71).
 *
 * Job.map is async over the list then await in list order (D73); the
 * compiler emits that loop. */
#ifndef SNOW_SCHED_JOB_H
#define SNOW_SCHED_JOB_H

#include <stdint.h>

#include "sched/proc.h"
#include "sched/reason.h"

/* The body of a C job: returns its result message (owned, not NULL). */
typedef sched_msg_t *(*sched_job_fn)(void *arg);

/* Starts fn(arg) as a job of the current process on its worker and stores
 * the job's pid in *job. arg is borrowed by fn. Returns 0, -ENOMEM.
 * Current process. */
int sched_job_async(sched_job_fn fn, void *arg, sched_pid_t *job);

/* Waits up to timeout_ms (< 0: no limit; 0: only looks, like D72's
 * ms <= 0) for job's outcome. Returns:
 *   0 (Ok): *value is the result message, returned owned;
 *   1 (Err): *reason is the exit reason, returned owned
 *     (sched_reason_job_text gives D71's Err text; release with
 *     sched_reason_unref);
 *   -ETIMEDOUT: no outcome yet; the job runs on and may still be awaited;
 *   -ESRCH: job is not an unawaited job of this process ("noproc").
 * Other messages stay queued. Current process. */
int sched_job_await(sched_pid_t job, int64_t timeout_ms, sched_msg_t **value,
                    sched_reason_t **reason);

/* ---- For sched/ only (actor.c's Snow jobs) ---- */

/* Makes job (just spawned on this worker, not run yet) a job of the
 * current process: links both sides and records it. */
void sched_job_adopt_(sched_pid_t job);

/* Sends a job's result (takes value) to caller. Job process. */
void sched_job_reply_(sched_pid_t caller, sched_msg_t *value);

#endif
