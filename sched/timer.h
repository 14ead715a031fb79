/* timer.h: Timer.send_after and Timer.sleep (language.md 8.10, stdlib 20,
 * D27, D28; issue 7).
 *
 * No thread per timer (v5.0 used one): a delayed send is a kernel/timer.h
 * timer on the ring of the *target's* home worker, kept in the target's
 * extension (link.h). Living next to its target is what makes D28 exact:
 * a pending send_after counts as awake (it keeps the program alive) while
 * its target lives, and the target's exit cancels it on the same thread,
 * dropping the message and the count at once. A request for another
 * worker's process travels on that worker's call queue (worker.h), counted
 * awake on the way. */
#ifndef SNOW_SCHED_TIMER_H
#define SNOW_SCHED_TIMER_H

#include <stdint.h>

#include "sched/proc.h"

/* Sends msg to pid after at least ms milliseconds (ms <= 0: as soon as
 * possible, never before this returns). Takes msg: it is dropped (its drop
 * callback runs) if pid is not alive when the timer fires or exits before.
 * Returns 0, or -ESRCH if pid is already known not to be alive (msg
 * dropped; Snow ignores this). There is no cancel (stdlib 20). Worker
 * thread. */
int sched_timer_send_after(sched_pid_t pid, int64_t ms, sched_msg_t *msg);

/* Timer.sleep: suspends the current process for at least ms milliseconds
 * (sched_proc_sleep; messages stay queued). Current process. */
void sched_timer_sleep(int64_t ms);

/* send_after timers pending (armed or on their way). Any thread. */
int64_t sched_timer_pending_count(void);

/* ---- For sched/ only ---- */

/* Stops every pending timer aimed at p (p is exiting or discarded): drops
 * their messages and their awake counts. p's thread. */
void sched_timer_cancel_all_(sched_proc_t *p);

#endif
