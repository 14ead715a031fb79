/* Tests for sched/stack.c: pooled, lazily committed stacks (DESIGN 5, D30,
 * issue 7). RSS is read from /proc/self/statm. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sched/context.h"
#include "sched/stack.h"

static size_t rss_bytes(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    cr_assert_not_null(f);
    unsigned long size, resident;
    cr_assert_eq(fscanf(f, "%lu %lu", &size, &resident), 2);
    fclose(f);
    return resident * (size_t)sysconf(_SC_PAGESIZE);
}

Test(sched_stack, reserves_a_million_slots_without_committing_them, .timeout = 60)
{
    sched_stack_pool_t pool;
    sched_stack_pool_init(&pool, 64, 0, 16);
    size_t rss0 = rss_bytes();
    enum { N = 1000000 };
    char *prev = NULL;
    for (uint32_t i = 0; i < N; i++) {
        int64_t slot = sched_stack_take(&pool);
        cr_assert_eq(slot, (int64_t)i);
        char *lo = sched_stack_lo(&pool, (uint32_t)slot);
        if (prev && i % SCHED_STACK_CHUNK_SLOTS != 0)
            cr_assert_eq(lo, prev + SCHED_STACK_SLOT_SIZE);
        prev = lo;
    }
    cr_assert_eq(pool.live, N);
    cr_assert_eq(pool.chunk_count, (N + SCHED_STACK_CHUNK_SLOTS - 1) / SCHED_STACK_CHUNK_SLOTS);
    /* 1M x 512 KiB of address space, but (apart from the slot-number arrays)
     * nothing is resident. */
    cr_assert_lt(rss_bytes() - rss0, (size_t)16 << 20);
    sched_stack_pool_destroy(&pool);
}

Test(sched_stack, returned_slots_are_reused_newest_first)
{
    sched_stack_pool_t pool;
    sched_stack_pool_init(&pool, 0, 0, 4);
    int64_t a = sched_stack_take(&pool), b = sched_stack_take(&pool);
    cr_assert_eq(a, 0);
    cr_assert_eq(b, 1);
    sched_stack_give(&pool, (uint32_t)a);
    sched_stack_give(&pool, (uint32_t)b);
    cr_assert_eq(sched_stack_take(&pool), b);
    cr_assert_eq(sched_stack_take(&pool), a);
    cr_assert_eq(sched_stack_take(&pool), 2);
    cr_assert_eq(pool.live, 3);
    cr_assert_eq(pool.madvise_count, 0);
    sched_stack_pool_destroy(&pool);
}

Test(sched_stack, slots_max_is_enforced)
{
    sched_stack_pool_t pool;
    sched_stack_pool_init(&pool, 0, 3, 0);
    for (int i = 0; i < 3; i++)
        cr_assert_eq(sched_stack_take(&pool), i);
    cr_assert_eq(sched_stack_take(&pool), -ENOMEM);
    sched_stack_give(&pool, 1);
    cr_assert_eq(sched_stack_take(&pool), 1);
    cr_assert_eq(sched_stack_take(&pool), -ENOMEM);
    sched_stack_pool_destroy(&pool);
}

Test(sched_stack, metadata_survives_reuse_and_unreserved_slots_have_none)
{
    sched_stack_pool_t pool;
    sched_stack_pool_init(&pool, 40, 0, 1);
    cr_assert_eq(pool.meta_size, 64);
    cr_assert_null(sched_stack_meta_lookup(&pool, 0));
    int64_t a = sched_stack_take(&pool), b = sched_stack_take(&pool);
    uint64_t *ma = sched_stack_meta_lookup(&pool, (uint32_t)a);
    uint64_t *mb = sched_stack_meta_lookup(&pool, (uint32_t)b);
    cr_assert_eq((char *)mb - (char *)ma, 64);
    cr_assert_eq(*ma, 0);
    *ma = 77;
    *mb = 88;
    /* dirty_max is 1, so the second give madvises b's stack, not its meta. */
    sched_stack_give(&pool, (uint32_t)a);
    sched_stack_give(&pool, (uint32_t)b);
    cr_assert_eq(pool.madvise_count, 1);
    cr_assert_eq(*ma, 77);
    cr_assert_eq(*mb, 88);
    cr_assert_null(sched_stack_meta_lookup(&pool, SCHED_STACK_CHUNK_SLOTS));
    cr_assert_null(sched_stack_meta_lookup(&pool, SCHED_STACK_SLOTS_MAX));
    sched_stack_pool_destroy(&pool);
}

Test(sched_stack, rss_stays_bounded_after_many_deep_stacks, .timeout = 60)
{
    enum { DIRTY = 8, LIVE = 200, ROUNDS = 50, DEPTH = 128 * 1024 };
    sched_stack_pool_t pool;
    sched_stack_pool_init(&pool, 0, 0, DIRTY);
    size_t rss0 = rss_bytes();
    uint32_t live[LIVE];
    for (int r = 0; r < ROUNDS; r++) {
        /* LIVE stacks each touched 128 KiB deep, then all returned. */
        for (int i = 0; i < LIVE; i++) {
            int64_t s = sched_stack_take(&pool);
            cr_assert_geq(s, 0);
            live[i] = (uint32_t)s;
            char *lo = sched_stack_lo(&pool, live[i]);
            memset(lo + SCHED_STACK_SLOT_SIZE - DEPTH, 0xab, DEPTH);
        }
        for (int i = 0; i < LIVE; i++)
            sched_stack_give(&pool, live[i]);
    }
    /* 10,000 stacks of 128 KiB went through the pool (1.25 GiB touched);
     * what stays resident is the dirty watermark's worth (dirty + batch). */
    size_t grown = rss_bytes() - rss0;
    cr_assert_lt(grown, (size_t)2 * DIRTY * DEPTH + ((size_t)4 << 20), "RSS grew by %zu", grown);
    cr_assert_eq(pool.madvise_count, (uint64_t)ROUNDS * (LIVE - DIRTY));
    /* Slots taken together and returned together are adjacent: one call per
     * batch of DIRTY slots. */
    cr_assert_eq(pool.madvise_calls, pool.madvise_count / DIRTY);
    cr_assert_eq(pool.fresh, LIVE); /* slots were recycled, not new ones taken */
    sched_stack_pool_destroy(&pool);
}

static sched_context_t main_ctx, co_ctx;

static void deep(void *arg)
{
    /* Uses 200 KiB of the pooled stack. */
    volatile char buf[200 * 1024];
    memset((char *)buf, 1, sizeof buf);
    *(int *)arg = buf[0] + buf[sizeof buf - 1];
    sched_context_exit(&co_ctx, &main_ctx);
}

Test(sched_stack, a_coroutine_runs_on_a_pooled_stack)
{
    sched_stack_pool_t pool;
    sched_stack_pool_init(&pool, 0, 0, 0);
    int64_t s = sched_stack_take(&pool);
    int result = 0;
    sched_context_init_thread(&main_ctx);
    sched_context_make(&co_ctx, sched_stack_lo(&pool, (uint32_t)s), SCHED_STACK_SLOT_SIZE, deep,
                       &result);
    sched_context_switch(&main_ctx, &co_ctx);
    cr_assert_eq(result, 2);
    sched_stack_give(&pool, (uint32_t)s);
    sched_stack_pool_destroy(&pool);
}
