/* share.h: shared stacks — many small processes taking turns on a few
 * stacks (issue 7: spawn cost and memory per waiting process).
 *
 * A process normally runs on its own stack slot, and even one that only
 * waits keeps a committed 4 KiB page there: a million waiting processes
 * fault in (and the kernel zeroes) 4 GiB. A shared process instead runs on
 * one of a worker's few host stacks. While it is suspended its live frames
 * ([sp, top), typically 2-3 KiB) may be copied out to a private image so
 * that another member of the same host can run there; before it runs
 * again its image is copied back to the same addresses, so pointers into
 * its frames stay valid.
 *
 * That is only sound for a process nobody else points into while it is
 * suspended. Receive, yield, sleep and timers keep their state in the
 * process struct (proc.h), but an I/O wait (sched_proc_park) leaves op
 * records on the stack that the ring writes to. So only processes that
 * never park may share: the compiler proves it for a spawned function
 * (lang/compiler/park.c) and spawns it with snow_proc_spawn_shared;
 * sched_proc_park asserts it.
 *
 * Hosts are made on demand up to SCHED_SHARE_HOSTS_MAX per worker, and a
 * host whose members all exited is reused first, so a program with few
 * live shared processes gives each its own host (no copies, as before);
 * beyond that, new members join the hosts in turn. Copies happen only
 * when a member runs while another member of its host is resident.
 *
 * Thread: the worker's own thread, or the thread ending the run once the
 * workers have stopped (discard). */
#ifndef SNOW_SCHED_SHARE_H
#define SNOW_SCHED_SHARE_H

#include <stdbool.h>
#include <stdint.h>

#include "sched/stack.h"

#define SCHED_SHARE_HOSTS_MAX 256
#define SCHED_SHARE_NONE UINT32_MAX /* sched_proc_t.host of a process with its own stack */

typedef struct sched_proc_t sched_proc_t;

typedef struct sched_share_host_t {
    uint32_t slot;          /* pool slot whose stack the members run on */
    uint32_t members;       /* live processes bound to this host */
    sched_proc_t *resident; /* member whose frames are in the stack, or NULL */
} sched_share_host_t;

typedef struct sched_share_stats_t {
    uint64_t saves;       /* images copied out */
    uint64_t restores;    /* images copied back */
    uint64_t save_bytes;  /* bytes copied out */
} sched_share_stats_t;

typedef struct sched_share_t {
    bool enabled;
    uint32_t count; /* hosts made */
    uint32_t next;  /* round-robin cursor once every host has members */
    uint32_t free_count;
    uint32_t free[SCHED_SHARE_HOSTS_MAX]; /* hosts without members (LIFO) */
    sched_share_host_t hosts[SCHED_SHARE_HOSTS_MAX];
    sched_share_stats_t stats;
} sched_share_t;

/* Initialises s (caller-owned); enabled false makes sched_share_bind
 * always answer SCHED_SHARE_NONE. Forced off under AddressSanitizer, whose
 * shadow of a stack cannot follow frames that are copied away and back. */
void sched_share_init(sched_share_t *s, bool enabled);

/* Picks a host for a new process and counts it as a member. Returns the
 * host index, or SCHED_SHARE_NONE when sharing is off or no host slot can
 * be taken from pool (the process then gets its own stack). */
uint32_t sched_share_bind(sched_share_t *s, sched_stack_pool_t *pool);

/* Returns the lowest address of host's stack (SCHED_STACK_SLOT_SIZE bytes). */
void *sched_share_stack_lo(const sched_share_t *s, const sched_stack_pool_t *pool, uint32_t host);

/* Makes p (a member, suspended or never run) resident on its host before it
 * is switched to: copies the current resident out and p's image in. A
 * process that never ran (p->ctx.sp NULL) gets a fresh context from
 * sched_proc_make_ctx_ instead. Must not run on any member's stack. */
void sched_share_enter(sched_share_t *s, const sched_stack_pool_t *pool, sched_proc_t *p);

/* Takes back a membership bind gave (the spawn failed). */
void sched_share_unbind(sched_share_t *s, uint32_t host);

/* p has exited or is being discarded: forgets its image and membership. */
void sched_share_leave(sched_share_t *s, sched_proc_t *p);

#endif
