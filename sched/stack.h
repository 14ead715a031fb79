/* stack.h: the per-worker pool of process stacks (DESIGN 5, D30).
 *
 * Stacks are slots of SCHED_STACK_SLOT_SIZE bytes carved out of large
 * regions reserved once with mmap(MAP_NORESERVE): no mmap per stack, no
 * guard page per stack (a million guard pages would exceed
 * vm.max_map_count; the compiler's prologue check guards instead, see
 * proc.h). Pages are committed by the kernel only when touched. Regions are
 * reserved SCHED_STACK_CHUNK_SLOTS slots at a time as the pool grows and
 * are never unmapped before the pool is destroyed.
 *
 * Returned slots are kept "dirty" (their pages stay committed, so the next
 * spawn is cheap) up to dirty_max; beyond that returned slots collect in a
 * batch of up to dirty_max more, which is emptied with madvise
 * (MADV_DONTNEED), one call per run of adjacent slots (processes spawned
 * together tend to exit together, so runs are long). Resident memory stays
 * bounded by live processes + 2 * dirty_max stacks however many processes
 * come and go.
 *
 * Each slot also has a small metadata record (meta_size bytes, in a
 * parallel region that is never madvised), which the scheduler uses for the
 * process struct: its address is stable for the life of the pool, so other
 * threads may read it (through sched_stack_meta_lookup) after the process
 * has exited.
 *
 * Thread: one owner thread takes and gives slots; any thread may call
 * sched_stack_meta_lookup. */
#ifndef SNOW_SCHED_STACK_H
#define SNOW_SCHED_STACK_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#define SCHED_STACK_SLOT_SIZE ((size_t)512 * 1024)
#define SCHED_STACK_CHUNK_SLOTS ((uint32_t)16384) /* 8 GiB of address space */
#define SCHED_STACK_CHUNKS_MAX 255                /* 4,177,920 slots per pool */
#define SCHED_STACK_SLOTS_MAX (SCHED_STACK_CHUNK_SLOTS * SCHED_STACK_CHUNKS_MAX)
#define SCHED_STACK_DIRTY_MAX_DEFAULT 256

typedef struct sched_stack_chunk_t {
    char *stacks; /* SCHED_STACK_CHUNK_SLOTS * SCHED_STACK_SLOT_SIZE bytes */
    char *meta;   /* SCHED_STACK_CHUNK_SLOTS * meta_size bytes */
} sched_stack_chunk_t;

typedef struct sched_stack_pool_t {
    size_t meta_size;   /* bytes of metadata per slot, multiple of 64 */
    uint32_t slots_max; /* take fails with -ENOMEM beyond this many live */
    uint32_t dirty_max; /* returned slots kept committed */
    uint32_t fresh;     /* slots below this index have been handed out */
    uint32_t live;      /* slots currently taken */
    uint32_t *dirty;    /* returned slots still committed (LIFO) */
    uint32_t dirty_count;
    uint32_t *batch; /* returned beyond dirty_max, to be madvised */
    uint32_t batch_count;
    uint32_t *clean; /* returned slots already madvised (LIFO) */
    uint32_t clean_count;
    uint32_t clean_cap;
    uint32_t chunk_count;   /* chunks reserved; only the owner writes it */
    uint64_t madvise_count; /* slots emptied, for tests and stats */
    uint64_t madvise_calls; /* madvise system calls made */
    /* Published with release once reserved, read with acquire by lookups. */
    _Atomic(sched_stack_chunk_t *) chunks[SCHED_STACK_CHUNKS_MAX];
} sched_stack_pool_t;

/* Initialises pool (caller-owned). meta_size is rounded up to 64 bytes;
 * slots_max is capped at SCHED_STACK_SLOTS_MAX (0: the cap); dirty_max 0
 * means SCHED_STACK_DIRTY_MAX_DEFAULT. Reserves no address space yet. */
void sched_stack_pool_init(sched_stack_pool_t *pool, size_t meta_size, uint32_t slots_max,
                           uint32_t dirty_max);

/* Unmaps every region: all stacks and metadata become invalid. No other
 * thread may still look slots up. Owner thread. */
void sched_stack_pool_destroy(sched_stack_pool_t *pool);

/* Takes a free slot and returns its index (>= 0), or -ENOMEM when slots_max
 * slots are live or the address space cannot be reserved. The stack's
 * contents are unspecified (a dirty slot keeps old bytes); its metadata is
 * whatever the previous owner left (zero the first time). Owner thread. */
int64_t sched_stack_take(sched_stack_pool_t *pool);

/* Like sched_stack_take, but never returns a slot with committed stack
 * pages (only clean or fresh ones): for a process that runs on another
 * stack (share.h) and needs the slot for its metadata and pid only. */
int64_t sched_stack_take_clean(sched_stack_pool_t *pool);

/* Gives back a slot taken with sched_stack_take_clean whose stack was never
 * touched: it goes straight to the clean list, no madvise. Owner thread. */
void sched_stack_give_clean(sched_stack_pool_t *pool, uint32_t slot);

/* Gives slot back; its stack may be madvised at once (see the file
 * comment), its metadata is kept. Owner thread. */
void sched_stack_give(sched_stack_pool_t *pool, uint32_t slot);

/* Returns the lowest address of slot's stack (taken slots only). The
 * usable stack is [lo, lo + SCHED_STACK_SLOT_SIZE). Owner thread. */
void *sched_stack_lo(const sched_stack_pool_t *pool, uint32_t slot);

/* Returns slot's metadata record, or NULL if slot was never reserved.
 * Any thread; the record outlives every process that used the slot. */
void *sched_stack_meta_lookup(sched_stack_pool_t *pool, uint32_t slot);

#endif
