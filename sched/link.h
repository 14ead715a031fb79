/* link.h: links, monitors, exit signals and system messages between
 * processes (language.md 8.3-8.5, D63-D68; issue 7).
 *
 * Everything one process asks of another travels as a *signal* on the
 * target's signal queue (sched_proc_t.sig, MPSC, any thread) and is
 * handled by the target itself, on its own thread, whenever it is switched
 * back in (after a yield, a preemption, a wait, or before it first runs) or
 * looks for messages. So each process alone reads and writes its own link
 * and monitor sets (sched_proc_ext_t), with no lock. A process that must die
 * from a signal dies at that point, on its own stack, like a panic.
 *
 * Signals: LINK, UNLINK, LINK_EXIT (a linked process ended), EXIT (a direct
 * exit signal, Shutdown from a supervisor), KILL (untrappable, D64),
 * MONITOR, DEMONITOR, DOWN. When a process ends (sched_proc_exit_reason) it
 * handles the signals still queued (a LINK that raced with its end is
 * answered with LINK_EXIT, a MONITOR with DOWN), then sends LINK_EXIT to
 * every linked process and DOWN to every monitoring one.
 *
 * What a process sees as messages are *system messages* (sched_sysmsg_t,
 * D63: Exit(pid, reason) while trapping, Down(ref, pid, reason) for
 * monitors). It deposits them in its own mailbox when it handles the
 * signal, so a withdrawn monitor (D68) or a removed link can still suppress
 * them. They are told apart from user messages by their drop callback, a
 * tag space users cannot reach (D69). */
#ifndef SNOW_SCHED_LINK_H
#define SNOW_SCHED_LINK_H

#include <stdbool.h>
#include <stdint.h>

#include "sched/proc.h"
#include "sched/reason.h"

/* ---- System messages (D63) ---- */

enum {
    SCHED_SYS_DOWN = 1, /* Down(ref, pid, reason) */
    SCHED_SYS_EXIT,     /* Exit(pid, reason) */
    SCHED_SYS_JOB_,     /* a job's outcome (job.c; never shown to users) */
};

typedef struct sched_sysmsg_t {
    sched_msg_t hdr;        /* first */
    uint32_t kind;          /* SCHED_SYS_* */
    bool linked;            /* EXIT: from a link (true) or a direct exit signal */
    sched_pid_t pid;        /* the process the notification is about */
    uint64_t ref;           /* DOWN: the monitor reference; JOB_: unused */
    sched_reason_t *reason; /* owned by the message */
} sched_sysmsg_t;

/* Returns msg as a system message, or NULL if it is a user message. */
sched_sysmsg_t *sched_sysmsg_of(sched_msg_t *msg);

/* Frees a system message taken from a mailbox (and its reason reference). */
void sched_sysmsg_free(sched_sysmsg_t *m);

/* ---- Links and exit signals (language.md 8.5) ---- */

/* Links the current process with pid, both ways (idempotent; a link to
 * itself does nothing). If pid is not alive (or null, D66), a trapping
 * caller gets Exit(pid, Noproc) and a non-trapping one nothing (D64).
 * Returns 0, or -ESRCH in that second case. Current process. */
int sched_link(sched_pid_t pid);

/* Removes the link with pid both ways (idempotent). Current process. */
void sched_unlink(sched_pid_t pid);

/* Sets exit trapping for the current process (D64) and returns the old
 * setting. While trapping, exit signals arrive as Exit(pid, reason)
 * messages instead of ending the process (KILL excepted). */
bool sched_trap_exit(bool on);

/* Sends a direct exit signal with reason to pid (takes reason): KILLED is
 * untrappable and ends pid with Killed; otherwise a trapping target gets
 * Exit(sender, reason), a non-trapping one ends with reason unless it is
 * Normal (then nothing happens). The stdlib does not expose this to Snow
 * (stdlib 19); supervisors and tests use it. Returns 0 or -ESRCH (reason
 * released). From a process, or any thread (the sender is then the null
 * pid). */
int sched_exit_signal(sched_pid_t pid, sched_reason_t *reason);

/* Ends the current process with reason (takes it): on_exit runs, then
 * links and monitors are told (D24). Current process. */
_Noreturn void sched_proc_exit_reason(sched_reason_t *reason);

/* ---- Monitors (stdlib 19, D66-D68) ---- */

/* Starts monitoring pid and returns the new reference (>= 1, unique for the
 * run). If pid is not alive (or null), Down(ref, pid, Noproc) is queued at
 * once. Current process. */
uint64_t sched_monitor(sched_pid_t pid);

/* Removes monitor ref of the current process; a queued Down for it is
 * removed too, and none arrives later (D68). Returns 0 if it was active,
 * 1 otherwise (stdlib 19). Current process. */
int sched_demonitor(uint64_t ref);

/* ---- Counters (tests) ---- */

/* Signals and system messages allocated and not yet freed. Any thread. */
int64_t sched_link_live_count(void);

/* ---- For sched/ only ---- */

/* Per-process state that only its own thread touches, made on first use. */
typedef struct sched_ent_t {
    uint64_t key;    /* links: the pid; monitors: the reference */
    sched_pid_t pid; /* monitors: the other end */
    uint32_t flags;  /* SCHED_LINK_*_ */
} sched_ent_t;

typedef struct sched_ents_t {
    sched_ent_t *v;
    uint32_t count, cap;
} sched_ents_t;

typedef struct sched_timer_req_t sched_timer_req_t;

struct sched_proc_ext_t {
    sched_ents_t links;        /* processes linked with this one */
    sched_ents_t watchers;     /* monitors on this process: ref -> watcher */
    sched_ents_t monitors;     /* monitors this process holds: ref -> target */
    sched_ents_t jobs;         /* jobs started by this process, not yet awaited */
    sched_timer_req_t *timers; /* send_after timers aimed at this process */
};

/* Link flags. JOB_CALLER_: on the caller's side of a job's link, where the
 * job's end becomes an outcome message instead of an exit signal (D71). */
#define SCHED_LINK_JOB_CALLER_ 1u

/* Returns p's extension, making it on first use. p's thread. */
sched_proc_ext_t *sched_link_ext_(sched_proc_t *p);

sched_ent_t *sched_ents_find_(sched_ents_t *s, uint64_t key);
void sched_ents_add_(sched_ents_t *s, uint64_t key, sched_pid_t pid, uint32_t flags);
bool sched_ents_remove_(sched_ents_t *s, uint64_t key);

/* Adds a link entry on p's side only (a job and its caller, set up before
 * the job first runs). p's thread. */
void sched_link_add_local_(sched_proc_t *p, sched_pid_t other, uint32_t flags);

/* Handles p's queued signals (p is current, RUNNING); may end p. */
void sched_link_handle_(sched_proc_t *p);

/* Handles the current process's queued signals, if any: for process
 * bodies once they own their start record (a kill sent before the first
 * run takes effect there). May end the process. Current process. */
void sched_link_poll_(void);

/* Called by the exit path once p is EXITED and no sender is left: answers
 * queued signals, notifies links and monitors, frees the extension; takes
 * reason. p's thread. */
void sched_link_exit_(sched_proc_t *p, sched_reason_t *reason);

/* Frees p's queued signals and extension without notifying anyone (a
 * process discarded at the end of a run, D27). */
void sched_link_discard_(sched_proc_t *p);

/* Queues a system message in p's own mailbox (takes m). p's thread. */
void sched_sysmsg_deposit_(sched_proc_t *p, uint32_t kind, sched_pid_t pid, uint64_t ref,
                           sched_reason_t *reason, bool linked);

#endif
