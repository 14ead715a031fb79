/* reason.h: exit reasons — why a process ended (language.md 8.5, D63).
 *
 * The C shape of Snow's built-in ExitReason:
 *   Normal | Shutdown | Killed | Noproc | Noconnection
 *   | Error(String)              the panic message (D24, D63)
 *   | Linked(Pid, ExitReason)    killed by a linked process
 * A reason is immutable once made and shared by every link, monitor and
 * queued notification that carries it, so it is reference-counted (atomic:
 * notifications travel between workers). The five plain reasons are
 * static singletons whose ref/unref do nothing. Never NULL. */
#ifndef SNOW_SCHED_REASON_H
#define SNOW_SCHED_REASON_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ORDER REASON: the variant order of ExitReason in language.md 8.5. */
enum {
    SCHED_EXIT_NORMAL = 0,
    SCHED_EXIT_SHUTDOWN,
    SCHED_EXIT_KILLED,
    SCHED_EXIT_NOPROC,
    SCHED_EXIT_NOCONNECTION,
    SCHED_EXIT_ERROR,
    SCHED_EXIT_LINKED,
};

typedef struct sched_reason_t sched_reason_t;
struct sched_reason_t {
    _Atomic uint32_t _refs; /* 0: a static singleton */
    uint32_t kind;          /* SCHED_EXIT_* */
    uint64_t pid;           /* LINKED: the linked process that died */
    sched_reason_t *inner;  /* LINKED: its reason (one reference owned) */
    size_t len;             /* ERROR: text bytes, without the NUL */
    char text[];            /* ERROR: the message, NUL-terminated */
};

/* Returns the singleton for a plain kind (NORMAL .. NOCONNECTION). */
sched_reason_t *sched_reason_plain(uint32_t kind);

/* Returns a new Error(text) reason (owned: release with sched_reason_unref);
 * text (len bytes, borrowed) is copied. */
sched_reason_t *sched_reason_error(const char *text, size_t len);

/* Returns a new Linked(pid, inner) reason (owned); takes inner. */
sched_reason_t *sched_reason_linked(uint64_t pid, sched_reason_t *inner);

/* Takes one more reference to r and returns r. Any thread. */
sched_reason_t *sched_reason_ref(sched_reason_t *r);

/* Drops one reference; the last one frees r. Any thread. */
void sched_reason_unref(sched_reason_t *r);

/* True for the reasons that do not kill a non-trapping linked process and
 * do not restart a transient child: Normal and Shutdown (D65, stdlib 23.3). */
bool sched_reason_is_normal(const sched_reason_t *r);

/* Writes r's derived-style Display (D63: "Normal", "Error(boom)",
 * "Linked(<0.3>, Killed)") into buf (NUL-terminated, at most cap bytes) and
 * returns the full length it needs, like snprintf. */
size_t sched_reason_text(const sched_reason_t *r, char *buf, size_t cap);

/* Returns the text Job.await reports for r (D71): the panic message for
 * Error, "killed", "shutdown", "noproc", "noconnection", the inner reason's
 * text for Linked, "normal" for Normal. Borrowed from r (or static). */
const char *sched_reason_job_text(const sched_reason_t *r);

/* Reasons made and not yet freed (for leak checks in tests). Any thread. */
int64_t sched_reason_live_count(void);

#endif
