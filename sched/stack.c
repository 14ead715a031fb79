/* stack.c: pooled, lazily committed process stacks (see stack.h). */
#include "sched/stack.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "kernel/alloc.h"
#include "kernel/assert.h"

static void *reserve(size_t size)
{
    /* NORESERVE: no commit charge; pages appear when first touched. */
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                   -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

void sched_stack_pool_init(sched_stack_pool_t *pool, size_t meta_size, uint32_t slots_max,
                           uint32_t dirty_max)
{
    memset(pool, 0, sizeof *pool);
    pool->meta_size = (meta_size + 63) & ~(size_t)63;
    pool->slots_max =
        slots_max == 0 || slots_max > SCHED_STACK_SLOTS_MAX ? SCHED_STACK_SLOTS_MAX : slots_max;
    pool->dirty_max = dirty_max ? dirty_max : SCHED_STACK_DIRTY_MAX_DEFAULT;
    pool->dirty = kern_calloc(pool->dirty_max, sizeof(uint32_t));
    pool->batch = kern_calloc(pool->dirty_max, sizeof(uint32_t));
    for (int i = 0; i < SCHED_STACK_CHUNKS_MAX; i++)
        atomic_init(&pool->chunks[i], NULL);
}

void sched_stack_pool_destroy(sched_stack_pool_t *pool)
{
    for (uint32_t i = 0; i < pool->chunk_count; i++) {
        /* Relaxed: only the owner thread publishes chunks. */
        sched_stack_chunk_t *c = atomic_load_explicit(&pool->chunks[i], memory_order_relaxed);
        munmap(c->stacks, (size_t)SCHED_STACK_CHUNK_SLOTS * SCHED_STACK_SLOT_SIZE);
        if (pool->meta_size)
            munmap(c->meta, (size_t)SCHED_STACK_CHUNK_SLOTS * pool->meta_size);
        kern_free(c);
    }
    kern_free(pool->dirty);
    kern_free(pool->batch);
    kern_free(pool->clean);
    memset(pool, 0, sizeof *pool);
}

/* Reserves one more chunk. Returns 0 or -ENOMEM. */
static int grow(sched_stack_pool_t *pool)
{
    if (pool->chunk_count == SCHED_STACK_CHUNKS_MAX)
        return -ENOMEM;
    sched_stack_chunk_t *c = kern_calloc(1, sizeof *c);
    c->stacks = reserve((size_t)SCHED_STACK_CHUNK_SLOTS * SCHED_STACK_SLOT_SIZE);
    if (!c->stacks)
        goto fail;
    if (pool->meta_size) {
        c->meta = reserve((size_t)SCHED_STACK_CHUNK_SLOTS * pool->meta_size);
        if (!c->meta)
            goto fail_stacks;
    }
    /* Release: pairs with the acquire in sched_stack_meta_lookup, so a
     * thread that finds the chunk also sees its mapping addresses. */
    atomic_store_explicit(&pool->chunks[pool->chunk_count], c, memory_order_release);
    pool->chunk_count++;
    return 0;

fail_stacks:
    munmap(c->stacks, (size_t)SCHED_STACK_CHUNK_SLOTS * SCHED_STACK_SLOT_SIZE);
fail:
    kern_free(c);
    return -ENOMEM;
}

int64_t sched_stack_take_clean(sched_stack_pool_t *pool)
{
    if (pool->live >= pool->slots_max)
        return -ENOMEM;
    uint32_t slot;
    if (pool->clean_count > 0) {
        slot = pool->clean[--pool->clean_count];
    } else {
        if (pool->fresh == pool->chunk_count * SCHED_STACK_CHUNK_SLOTS && grow(pool) < 0)
            return -ENOMEM;
        slot = pool->fresh++;
    }
    pool->live++;
    return slot;
}

int64_t sched_stack_take(sched_stack_pool_t *pool)
{
    /* Committed slots first: the next spawn runs on warm pages. */
    if (pool->live >= pool->slots_max || (pool->dirty_count == 0 && pool->batch_count == 0))
        return sched_stack_take_clean(pool);
    uint32_t slot = pool->dirty_count > 0 ? pool->dirty[--pool->dirty_count]
                                          : pool->batch[--pool->batch_count]; /* still committed */
    pool->live++;
    return slot;
}

/* Makes room for n more slots in the clean list. */
static void clean_reserve(sched_stack_pool_t *pool, uint32_t n)
{
    uint32_t need = pool->clean_count + n;
    if (need <= pool->clean_cap)
        return;
    while (pool->clean_cap < need)
        pool->clean_cap = pool->clean_cap ? pool->clean_cap * 2 : 1024;
    pool->clean = kern_realloc(pool->clean, (size_t)pool->clean_cap * sizeof(uint32_t));
}

void sched_stack_give_clean(sched_stack_pool_t *pool, uint32_t slot)
{
    snow_assert(slot < pool->fresh);
    snow_assert(pool->live > 0);
    pool->live--;
    clean_reserve(pool, 1);
    pool->clean[pool->clean_count++] = slot;
}

static int cmp_slot(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* Empties every slot of the batch, one madvise per run of adjacent slots
 * in one chunk, and moves them to the clean list. */
static void flush_batch(sched_stack_pool_t *pool)
{
    qsort(pool->batch, pool->batch_count, sizeof(uint32_t), cmp_slot);
    for (uint32_t i = 0; i < pool->batch_count;) {
        uint32_t j = i + 1;
        while (j < pool->batch_count && pool->batch[j] == pool->batch[j - 1] + 1 &&
               pool->batch[j] % SCHED_STACK_CHUNK_SLOTS != 0)
            j++;
        /* DONTNEED, not FREE: MADV_FREE leaves the pages counted in RSS
         * until memory pressure. */
        madvise(sched_stack_lo(pool, pool->batch[i]), (size_t)(j - i) * SCHED_STACK_SLOT_SIZE,
                MADV_DONTNEED);
        pool->madvise_calls++;
        i = j;
    }
    clean_reserve(pool, pool->batch_count);
    /* Highest first, so that takes (LIFO) come back in ascending order. */
    for (uint32_t i = pool->batch_count; i-- > 0;)
        pool->clean[pool->clean_count++] = pool->batch[i];
    pool->madvise_count += pool->batch_count;
    pool->batch_count = 0;
}

void sched_stack_give(sched_stack_pool_t *pool, uint32_t slot)
{
    snow_assert(slot < pool->fresh);
    snow_assert(pool->live > 0);
    pool->live--;
    if (pool->dirty_count < pool->dirty_max) {
        pool->dirty[pool->dirty_count++] = slot;
        return;
    }
    pool->batch[pool->batch_count++] = slot;
    if (pool->batch_count == pool->dirty_max)
        flush_batch(pool);
}

void *sched_stack_lo(const sched_stack_pool_t *pool, uint32_t slot)
{
    snow_assert(slot < pool->fresh);
    /* Relaxed: the owner thread reads what it published itself. */
    sched_stack_chunk_t *c = atomic_load_explicit(
        (_Atomic(sched_stack_chunk_t *) *)&pool->chunks[slot / SCHED_STACK_CHUNK_SLOTS],
        memory_order_relaxed);
    return c->stacks + (size_t)(slot % SCHED_STACK_CHUNK_SLOTS) * SCHED_STACK_SLOT_SIZE;
}

void *sched_stack_meta_lookup(sched_stack_pool_t *pool, uint32_t slot)
{
    if (slot >= SCHED_STACK_SLOTS_MAX || pool->meta_size == 0)
        return NULL;
    /* Acquire: pairs with the release in grow(). */
    sched_stack_chunk_t *c =
        atomic_load_explicit(&pool->chunks[slot / SCHED_STACK_CHUNK_SLOTS], memory_order_acquire);
    if (!c)
        return NULL;
    return c->meta + (size_t)(slot % SCHED_STACK_CHUNK_SLOTS) * pool->meta_size;
}
