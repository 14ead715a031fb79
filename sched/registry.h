/* registry.h: the local process registry — names for pids (D70, stdlib 19).
 *
 * One table per runtime, guarded by a mutex: registration is rare next to
 * sends, and a lookup is one hash probe under the lock. A name is removed
 * when its process exits (sched_proc_exit_reason calls
 * sched_registry_forget_ before links and monitors are told, so a process
 * that learns of the end finds the name free). A register racing with the
 * target's exit is settled by a Dekker pair on the process's `registered`
 * flag and its state: either the register sees EXITED and undoes itself,
 * or the exiting process sees the flag and removes the name. */
#ifndef SNOW_SCHED_REGISTRY_H
#define SNOW_SCHED_REGISTRY_H

#include <stddef.h>
#include <stdint.h>

#include "sched/proc.h"

typedef struct sched_runtime_t sched_runtime_t;
typedef struct sched_registry_t sched_registry_t;

/* Registers pid under name (len bytes, copied). Returns 0, or 1 if the name
 * is empty or taken, or pid is not alive (stdlib 19 / D70: the Snow-level
 * result as is). Any thread of a running runtime. */
int sched_register(const char *name, size_t len, sched_pid_t pid);

/* Returns the pid registered under name, or SCHED_PID_NULL. Any thread. */
sched_pid_t sched_whereis(const char *name, size_t len);

/* Removes name. Returns 0 if it was registered, 1 otherwise. Any thread. */
int sched_unregister(const char *name, size_t len);

/* Returns the number of registered names. Any thread. */
uint32_t sched_registry_count(void);

/* ---- For sched/ only ---- */

/* Makes / frees the registry of rt (worker.c, before and after the run). */
sched_registry_t *sched_registry_new_(void);
void sched_registry_free_(sched_registry_t *reg);

/* Removes every name of pid (its process is exiting). Any thread. */
void sched_registry_forget_(sched_runtime_t *rt, sched_pid_t pid);

#endif
