/* heap.c: per-process mark-sweep heap (see heap.h for the design).
 *
 * Small objects (<= 32 KiB) live in 64 KiB blocks of one size class; a slot
 * is allocated when its bit in alloc_bits is set. Allocation scans the
 * current block's bitmap for a clear bit, so there is no free list to
 * corrupt and sweeping is `alloc &= mark` per bitmap word. Large objects get
 * their own page-aligned mapping. The page map lets the collector turn any
 * address (including interior ones) into its object. Large strings sent in
 * messages become shared mappings with a refcount (see heap.h). */
#define _GNU_SOURCE /* pthread_getattr_np, memmem, memrchr, GNU strerror_r */
#include "lang/std/heap.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#if defined(SNOW_USE_SANITIZE)
#include <sanitizer/asan_interface.h>
#endif

#include "lang/std/alloc.h"
#include "lang/std/pool.h"
#include "lang/std/snow.h"

#define UNIT_SHIFT 16 /* page map granularity: one 64 KiB block */
#define UNIT_SIZE ((size_t)1 << UNIT_SHIFT)
#define SPARE_MAX 64     /* empty blocks kept by a heap without a pool */
#define SPARE_MAX_POOL 4 /* with a pool, others can reuse them */
#define LARGE_SPARE_MAX 256                     /* swept large mappings kept */
#define LARGE_SPARE_BYTES ((uint64_t)64 << 20) /* ... and their total size */
#define THRESHOLD_MIN ((uint64_t)4 << 20)

/* The owner record of a large mapping shared by several heaps: one
 * reference per heap (or message fragment) whose descriptor names it. The
 * last reference unmaps base. */
typedef struct std_shared_t {
    _Atomic uint64_t refs;
    char *base;
    size_t size;
} std_shared_t;

/* Program-wide counts of live shared mappings (std_heap_shared_stats). */
static _Atomic uint64_t shared_count;
static _Atomic uint64_t shared_bytes;

struct std_block_t {
    char *base;
    size_t size;     /* bytes mapped */
    size_t obj_size; /* slot size; for large objects the requested size */
    uint32_t nslots; /* 1 for large objects */
    uint32_t cls;    /* size class, or UINT32_MAX for large */
    uint32_t live;   /* slots allocated after the last sweep */
    bool large_mark;
    std_pool_t *pool; /* where the memory came from; NULL: own mapping */
    std_shared_t *shared; /* large only: the mapping is shared; NULL: this heap's alone */
    std_block_t *next;
    uint32_t bitwords;   /* words per bitmap: enough for nslots */
    uint64_t *alloc_bits; /* both point into bits[] */
    uint64_t *mark_bits;
    uint64_t bits[];      /* alloc bitmap, then mark bitmap */
};

static const uint32_t class_size[STD_HEAP_NCLASSES] = {
    16,   32,   48,   64,   80,   96,   112,   128,   160,   192,   224,   256,  320,
    384,  448,  512,  640,  768,  896,  1024,  1280,  1536,  1792,  2048,  2560, 3072,
    3584, 4096, 5120, 6144, 7168, 8192, 10240, 13104, 16384, 21840, 32768,
};

/* Class of sizes up to 1 KiB by 16-byte step (generated from class_size). */
static const uint8_t small_class[65] = {
    0,  0,  1,  2,  3,  4,  5,  6,  7,  8,  8,  9,  9,  10, 10, 11, 11, 12, 12, 12, 12, 13,
    13, 13, 13, 14, 14, 14, 14, 15, 15, 15, 15, 16, 16, 16, 16, 16, 16, 16, 16, 17, 17, 17,
    17, 17, 17, 17, 17, 18, 18, 18, 18, 18, 18, 18, 18, 19, 19, 19, 19, 19, 19, 19, 19,
};

static uint32_t size_to_class(size_t size)
{
    if (size <= 1024)
        return small_class[(size + 15) / 16];
    uint32_t c = 20;
    while (class_size[c] < size)
        c++;
    return c;
}

/* {====== Page map */

#define MAP_EMPTY ((uintptr_t)0)
#define MAP_TOMB ((uintptr_t)1)

static size_t map_slot(uintptr_t key, size_t cap)
{
    uint64_t x = (uint64_t)key * 0x9e3779b97f4a7c15ull;
    return (size_t)(x >> 20) & (cap - 1);
}

static void map_put_raw(std_heap_t *h, uintptr_t key, std_block_t *b)
{
    size_t i = map_slot(key, h->map_cap);
    while (h->map_keys[i] != MAP_EMPTY && h->map_keys[i] != MAP_TOMB)
        i = (i + 1) & (h->map_cap - 1);
    if (h->map_keys[i] == MAP_EMPTY)
        h->map_used++;
    h->map_keys[i] = key;
    h->map_vals[i] = b;
}

static void map_grow(std_heap_t *h, size_t need)
{
    size_t live = 0;
    for (size_t i = 0; i < h->map_cap; i++)
        live += h->map_keys[i] > MAP_TOMB;
    size_t cap = 16;
    while (cap < 2 * (live + need) + 16)
        cap *= 2;
    uintptr_t *keys = h->map_keys;
    std_block_t **vals = h->map_vals;
    size_t old = h->map_cap;
    h->map_keys = std_rt_calloc(cap, sizeof *h->map_keys);
    h->map_vals = std_rt_calloc(cap, sizeof *h->map_vals);
    h->map_cap = cap;
    h->map_used = 0;
    for (size_t i = 0; i < old; i++)
        if (keys[i] > MAP_TOMB)
            map_put_raw(h, keys[i], vals[i]);
    std_rt_free(keys);
    std_rt_free(vals);
}

/* Registers every 64 KiB unit of b (blocks and large objects are aligned
 * to 64 KiB, so a unit belongs to one block). Unit numbers are >= 2. */
static void map_add_block(std_heap_t *h, std_block_t *b)
{
    size_t pages = b->size >> UNIT_SHIFT;
    if ((h->map_used + pages) * 2 >= h->map_cap)
        map_grow(h, pages);
    uintptr_t first = (uintptr_t)b->base >> UNIT_SHIFT;
    for (size_t i = 0; i < pages; i++)
        map_put_raw(h, first + i, b);
}

static std_block_t *map_get(const std_heap_t *h, uintptr_t key)
{
    if (h->map_cap == 0)
        return NULL;
    size_t i = map_slot(key, h->map_cap);
    for (;;) {
        uintptr_t k = h->map_keys[i];
        if (k == key)
            return h->map_vals[i];
        if (k == MAP_EMPTY)
            return NULL;
        i = (i + 1) & (h->map_cap - 1);
    }
}

static void map_remove_block(std_heap_t *h, std_block_t *b)
{
    size_t pages = b->size >> UNIT_SHIFT;
    uintptr_t first = (uintptr_t)b->base >> UNIT_SHIFT;
    for (size_t p = 0; p < pages; p++) {
        size_t i = map_slot(first + p, h->map_cap);
        while (h->map_keys[i] != first + p)
            i = (i + 1) & (h->map_cap - 1);
        h->map_keys[i] = MAP_TOMB;
        h->map_vals[i] = NULL;
    }
}

/* }====== */

/* {====== Blocks */

static void *os_map(size_t size, size_t align)
{
    size_t len = size + (align > 4096 ? align : 0);
    char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        std_rt_die("out of memory (process heap)");
    if (align <= 4096)
        return p;
    uintptr_t start = ((uintptr_t)p + align - 1) & ~(uintptr_t)(align - 1);
    size_t head = start - (uintptr_t)p;
    if (head)
        munmap(p, head);
    size_t tail = len - head - size;
    if (tail)
        munmap((char *)start + size, tail);
    return (void *)start;
}

/* Drops one reference to s; the last one unmaps the memory. acq_rel: every
 * read of the string by other holders happens before the unmap. */
static void shared_unref(std_shared_t *s)
{
    if (atomic_fetch_sub_explicit(&s->refs, 1, memory_order_acq_rel) != 1)
        return;
    munmap(s->base, s->size);
    atomic_fetch_sub_explicit(&shared_count, 1, memory_order_relaxed);
    atomic_fetch_sub_explicit(&shared_bytes, s->size, memory_order_relaxed);
    std_rt_free(s);
}

/* Makes shared block b private again when b holds the only reference (the
 * other heaps dropped theirs), so the sweep can keep the mapping as a spare
 * like any large block of its own. No heap can take a new reference: that
 * needs one it already holds. Acquire: the other holders' reads (before
 * their release decrements) happen before this heap reuses the memory. */
static bool shared_reclaim(std_block_t *b)
{
    std_shared_t *s = b->shared;
    if (atomic_load_explicit(&s->refs, memory_order_acquire) != 1)
        return false;
    b->shared = NULL;
    atomic_fetch_sub_explicit(&shared_count, 1, memory_order_relaxed);
    atomic_fetch_sub_explicit(&shared_bytes, s->size, memory_order_relaxed);
    std_rt_free(s);
    return true;
}

static void block_unmap(std_heap_t *h, std_block_t *b)
{
    (void)h;
    if (b->shared)
        shared_unref(b->shared);
    else if (b->pool)
        std_pool_put(b->pool, b->base, b->size);
    else
        munmap(b->base, b->size);
}

static void block_release(std_heap_t *h, std_block_t *b)
{
    map_remove_block(h, b);
    block_unmap(h, b);
    h->bytes_mapped -= b->size;
    std_rt_free(b);
}

/* A descriptor with bitmaps of words words each (sized to the class, so a
 * block of 1 KiB objects costs 16 bytes of bitmaps, not 1 KiB). */
static std_block_t *desc_new(uint32_t words)
{
    std_block_t *b = std_rt_calloc(1, sizeof *b + 2 * (size_t)words * sizeof(uint64_t));
    b->bitwords = words;
    b->alloc_bits = b->bits;
    b->mark_bits = b->bits + words;
    return b;
}

/* Gives spare block b (dirty memory, still in the page map) bitmaps of at
 * least words words, replacing its descriptor when they are too small. */
static std_block_t *spare_resize(std_heap_t *h, std_block_t *b, uint32_t words)
{
    if (b->bitwords >= words)
        return b;
    std_block_t *n = desc_new(words);
    n->base = b->base;
    n->size = b->size;
    n->pool = b->pool;
    map_remove_block(h, b);
    map_add_block(h, n);
    std_rt_free(b);
    return n;
}

static std_block_t *block_new_small(std_heap_t *h, uint32_t cls)
{
    uint32_t nslots = (uint32_t)(STD_HEAP_BLOCK_SIZE / class_size[cls]);
    uint32_t words = (nslots + 63) / 64;
    std_block_t *b = h->spare;
    if (b) {
        h->spare = b->next;
        h->spare_count--;
        /* A spare block's memory is dirty; slots are zeroed on allocation. */
        b = spare_resize(h, b, words);
    } else {
        b = desc_new(words);
        b->size = STD_HEAP_BLOCK_SIZE;
        if (h->pool) {
            bool zeroed;
            b->base = std_pool_get(h->pool, b->size, &zeroed);
            b->pool = h->pool;
        } else {
            b->base = os_map(b->size, STD_HEAP_BLOCK_SIZE);
        }
        h->bytes_mapped += b->size;
        map_add_block(h, b);
    }
    b->obj_size = class_size[cls];
    b->nslots = nslots;
    b->cls = cls;
    b->live = 0;
    memset(b->bits, 0, 2 * (size_t)b->bitwords * sizeof(uint64_t));
    b->next = h->classes[cls].blocks;
    h->classes[cls].blocks = b;
    return b;
}

/* Bits of word w of b that name real slots. */
static uint64_t word_valid(const std_block_t *b, uint32_t w)
{
    uint32_t words = (b->nslots + 63) / 64;
    if (w == words - 1 && b->nslots % 64)
        return ((uint64_t)1 << (b->nslots % 64)) - 1;
    return UINT64_MAX;
}

/* Finds a clear bit in b at or after word *wi; returns the slot or -1. */
static int64_t block_find_free(std_block_t *b, uint32_t *wi)
{
    uint32_t words = (b->nslots + 63) / 64;
    for (uint32_t w = *wi; w < words; w++) {
        uint64_t freebits = ~b->alloc_bits[w] & word_valid(b, w);
        if (freebits) {
            *wi = w;
            return (int64_t)w * 64 + __builtin_ctzll(freebits);
        }
    }
    *wi = words;
    return -1;
}

/* Takes the lowest slot of c's cached free mask (non-zero); zeroes it
 * when zero is set. */
static void *take_slot(std_heap_class_t *c, bool zero)
{
    std_block_t *b = c->cur;
    uint32_t bit = (uint32_t)__builtin_ctzll(c->free_mask);
    c->free_mask &= c->free_mask - 1;
    b->alloc_bits[c->cur_word] |= (uint64_t)1 << bit;
    b->live++;
    char *p = b->base + ((size_t)c->cur_word * 64 + bit) * b->obj_size;
    if (zero)
        memset(p, 0, b->obj_size);
    return p;
}

/* Searches cur (from cur_word) and the blocks after it for a free slot,
 * making a new block when every swept block is full. */
static void *alloc_small_slow(std_heap_t *h, std_heap_class_t *c, uint32_t cls, bool zero)
{
    for (;;) {
        if (c->cur) {
            int64_t slot = block_find_free(c->cur, &c->cur_word);
            if (slot >= 0) {
                c->free_mask = ~c->cur->alloc_bits[c->cur_word] & word_valid(c->cur, c->cur_word);
                return take_slot(c, zero);
            }
            /* Blocks after cur were swept and may have room; blocks made
             * since the sweep sit before it and are full. */
            c->cur = c->exhausted ? NULL : c->cur->next;
            c->cur_word = 0;
            if (c->cur)
                continue;
            c->exhausted = true;
        }
        c->cur = block_new_small(h, cls);
        c->cur_word = 0;
    }
}

/* Every entry zero (no blocks, no free slot); never written: a heap that
 * points here owns no class table yet. */
static std_heap_class_t no_classes[STD_HEAP_NCLASSES];

/* Gives h a class table of its own (the first time it needs to write one). */
static void own_classes(std_heap_t *h)
{
    if (h->classes == no_classes)
        h->classes = std_rt_calloc(STD_HEAP_NCLASSES, sizeof(std_heap_class_t));
}

static void *alloc_small(std_heap_t *h, size_t size, bool zero)
{
    uint32_t cls = size_to_class(size);
    std_heap_class_t *c = &h->classes[cls];
    if (c->free_mask)
        return take_slot(c, zero);
    own_classes(h);
    return alloc_small_slow(h, &h->classes[cls], cls, zero);
}

/* Takes a spare large mapping of at least size bytes and at most twice
 * that (so a small object does not pin a big mapping), or NULL. */
static std_block_t *large_spare_take(std_heap_t *h, size_t size)
{
    for (std_block_t **pp = &h->large_spare; *pp; pp = &(*pp)->next) {
        std_block_t *b = *pp;
        if (b->size >= size && b->size / 2 <= size) {
            *pp = b->next;
            h->large_spare_count--;
            h->large_spare_bytes -= b->size;
            return b;
        }
    }
    return NULL;
}

/* Keeps swept large block b (already out of the page map) for reuse, or
 * unmaps it when the spare list is full; the oldest spare goes first. The
 * spares stay within half the allocation budget of the cycle that ends
 * (the heap may grow by twice that before the next collection anyway), so
 * a small process heap keeps no big mapping. */
static void large_spare_put(std_heap_t *h, std_block_t *b)
{
    uint64_t limit = h->threshold / 2 < LARGE_SPARE_BYTES ? h->threshold / 2 : LARGE_SPARE_BYTES;
    if (b->size > limit) {
        block_unmap(h, b);
        h->bytes_mapped -= b->size;
        std_rt_free(b);
        return;
    }
    b->next = h->large_spare;
    h->large_spare = b;
    h->large_spare_count++;
    h->large_spare_bytes += b->size;
    while (h->large_spare_count > LARGE_SPARE_MAX || h->large_spare_bytes > limit) {
        std_block_t **pp = &h->large_spare;
        while ((*pp)->next)
            pp = &(*pp)->next;
        std_block_t *old = *pp;
        *pp = NULL;
        h->large_spare_count--;
        h->large_spare_bytes -= old->size;
        block_unmap(h, old);
        h->bytes_mapped -= old->size;
        std_rt_free(old);
    }
}

static void *alloc_large(std_heap_t *h, size_t size, bool zero)
{
    size_t mapped = (size + UNIT_SIZE - 1) & ~(UNIT_SIZE - 1);
    std_block_t *b = large_spare_take(h, mapped);
    if (b) { /* dirty memory: its pages are already faulted in */
        if (zero)
            memset(b->base, 0, size);
        b->large_mark = false;
        b->next = h->large;
        h->large = b;
        b->obj_size = size;
        map_add_block(h, b);
        return b->base;
    }
    b = desc_new(1);
    b->size = mapped;
    b->base = os_map(b->size, UNIT_SIZE); /* fresh mapping: already zero */
    b->obj_size = size;
    b->nslots = 1;
    b->cls = UINT32_MAX;
    b->live = 1;
    b->alloc_bits[0] = 1;
    b->next = h->large;
    h->large = b;
    h->bytes_mapped += b->size;
    map_add_block(h, b);
    return b->base;
}

/* }====== */

void std_heap_init(std_heap_t *h, const void *stack_hi)
{
    memset(h, 0, sizeof *h);
    h->classes = no_classes;
    h->stack_hi = stack_hi;
    h->threshold = THRESHOLD_MIN;
    h->threshold_min = THRESHOLD_MIN;
}

void std_heap_destroy(std_heap_t *h)
{
    for (uint32_t c = 0; c < STD_HEAP_NCLASSES; c++) {
        std_block_t *b = h->classes[c].blocks;
        while (b) {
            std_block_t *n = b->next;
            block_unmap(h, b);
            std_rt_free(b);
            b = n;
        }
    }
    for (std_block_t *lists[3] = {h->large, h->spare, h->large_spare}, **l = lists; l < lists + 3;
         l++) {
        std_block_t *b = *l;
        while (b) {
            std_block_t *n = b->next;
            block_unmap(h, b);
            std_rt_free(b);
            b = n;
        }
    }
    std_rt_free(h->map_keys);
    std_rt_free(h->map_vals);
    std_rt_free(h->mstack);
    if (h->classes != no_classes)
        std_rt_free(h->classes);
    memset(h, 0, sizeof *h);
}

static void *heap_alloc(std_heap_t *h, size_t size, bool zero)
{
    if (size == 0)
        size = 1;
    size = (size + 15) & ~(size_t)15;
    if (h->bytes_since_gc >= h->threshold && !h->collecting && !h->gc_off)
        std_heap_collect(h);
    h->bytes_since_gc += size;
    h->bytes_allocated += size;
    if (size <= STD_HEAP_SMALL_MAX)
        return alloc_small(h, size, zero);
    return alloc_large(h, size, zero);
}

void *std_heap_alloc(std_heap_t *h, size_t size)
{
    return heap_alloc(h, size, true);
}

void *std_heap_alloc_dirty(std_heap_t *h, size_t size)
{
    return heap_alloc(h, size, false);
}

void *std_heap_find(const std_heap_t *h, const void *p)
{
    std_block_t *b = map_get(h, (uintptr_t)p >> UNIT_SHIFT);
    if (!b)
        return NULL;
    size_t off = (size_t)((const char *)p - b->base);
    if (b->cls == UINT32_MAX)
        return (b->alloc_bits[0] & 1) ? b->base : NULL;
    size_t slot = off / b->obj_size;
    if (slot >= b->nslots || !(b->alloc_bits[slot / 64] & ((uint64_t)1 << (slot % 64))))
        return NULL;
    return b->base + slot * b->obj_size;
}

/* {====== Mark */

static void mstack_push(std_heap_t *h, void *obj)
{
    if (h->mstack_len == h->mstack_cap) {
        h->mstack_cap = h->mstack_cap ? 2 * h->mstack_cap : 64;
        h->mstack = std_rt_realloc(h->mstack, h->mstack_cap * sizeof *h->mstack);
    }
    h->mstack[h->mstack_len++] = obj;
}

/* Marks the object containing p (if any) and queues it for tracing. The
 * last block found is cached: pointers in one object tend to point into
 * the same block. */
static void mark_addr(std_heap_t *h, uintptr_t p)
{
    std_block_t *b = h->mark_cache;
    if (!b || p - (uintptr_t)b->base >= b->size) {
        b = map_get(h, p >> UNIT_SHIFT);
        if (!b)
            return;
        h->mark_cache = b;
    }
    if (b->cls == UINT32_MAX) {
        if (b->large_mark)
            return;
        b->large_mark = true;
        mstack_push(h, b->base);
        return;
    }
    size_t slot = (p - (uintptr_t)b->base) / b->obj_size;
    if (slot >= b->nslots)
        return;
    uint64_t bit = (uint64_t)1 << (slot % 64);
    if (!(b->alloc_bits[slot / 64] & bit) || (b->mark_bits[slot / 64] & bit))
        return;
    b->mark_bits[slot / 64] |= bit;
    char *obj = b->base + slot * b->obj_size;
    __builtin_prefetch(obj); /* traced soon: start the header's cache miss now */
    mstack_push(h, obj);
}

static void trace_words(std_heap_t *h, const snow_word_t *w, uint64_t n, uint64_t mask)
{
    if (n <= 63) { /* visit only the pointer words (a map leaf of Ints has none) */
        for (uint64_t m = mask & (((uint64_t)1 << n) - 1); m; m &= m - 1) {
            snow_word_t x = w[__builtin_ctzll(m)];
            if (x)
                mark_addr(h, (uintptr_t)x);
        }
        return;
    }
    for (uint64_t i = 0; i < n; i++) {
        bool ptr = i < 63 ? (mask >> i) & 1 : (mask >> 63) & 1;
        if (ptr && w[i])
            mark_addr(h, (uintptr_t)w[i]);
    }
}

static void trace(std_heap_t *h, void *obj)
{
    snow_obj_t *o = obj;
    switch (o->kind) {
    case SNOW_OBJ_STRING:
        break;
    case SNOW_OBJ_LIST: {
        snow_list_t *l = obj;
        if (l->_arr)
            mark_addr(h, (uintptr_t)l->_arr);
        break;
    }
    case SNOW_OBJ_ARRAY: {
        snow_array_t *a = obj;
        if (o->tag & 1)
            trace_words(h, a->w, (uint64_t)a->used, UINT64_MAX);
        break;
    }
    case 0:
        break; /* allocated but not yet initialised */
    default: {
        snow_record_t *r = obj;
        trace_words(h, r->w, o->count, r->ptrmask);
        break;
    }
    }
}

#if defined(SNOW_USE_SANITIZE)
/* With ASan's use-after-return detection, locals live in "fake" frames off
 * the stack; a stack word pointing into one makes the whole frame a root. */
__attribute__((no_sanitize_address)) static void scan_fake_frame(std_heap_t *h, uintptr_t w)
{
    void *fs = __asan_get_current_fake_stack();
    void *beg = NULL, *end = NULL;
    if (!fs || !__asan_addr_is_in_fake_stack(fs, (void *)w, &beg, &end))
        return;
    for (uintptr_t a = ((uintptr_t)beg + 7) & ~(uintptr_t)7; a + 8 <= (uintptr_t)end; a += 8)
        mark_addr(h, *(const uintptr_t *)a);
}
#endif

__attribute__((no_sanitize_address, noinline)) static void scan_range(std_heap_t *h, const void *lo,
                                                                      const void *hi)
{
    uintptr_t a = ((uintptr_t)lo + 7) & ~(uintptr_t)7;
    for (; a + 8 <= (uintptr_t)hi; a += 8) {
        mark_addr(h, *(const uintptr_t *)a);
#if defined(SNOW_USE_SANITIZE)
        scan_fake_frame(h, *(const uintptr_t *)a);
#endif
    }
}

/* Scans from this frame up. The frame address, not a local's address: under
 * ASan's use-after-return mode locals live in fake frames off the stack. */
__attribute__((noinline)) static void scan_stack(std_heap_t *h)
{
    scan_range(h, __builtin_frame_address(0), h->stack_hi);
}

static void mark_roots(std_heap_t *h)
{
    jmp_buf regs; /* spills callee-saved registers */
    __builtin_unwind_init();
    setjmp(regs);
    scan_range(h, &regs, &regs + 1); /* may sit in a fake frame (ASan) */
    if (h->stack_hi)
        scan_stack(h);
    for (uint32_t i = 0; i < h->root_count; i++)
        scan_range(h, h->roots[i].lo, h->roots[i].hi);
    __asm__ volatile("" : : "r"(&regs) : "memory");
}

/* }====== */

/* {====== Sweep */

static void sweep_class(std_heap_t *h, std_heap_class_t *c)
{
    std_block_t **pp = &c->blocks;
    while (*pp) {
        std_block_t *b = *pp;
        uint32_t live = 0;
        for (size_t w = 0; w < b->bitwords; w++) {
            b->alloc_bits[w] &= b->mark_bits[w];
            b->mark_bits[w] = 0;
            live += (uint32_t)__builtin_popcountll(b->alloc_bits[w]);
        }
        b->live = live;
        h->bytes_live += (uint64_t)live * b->obj_size;
        if (live == 0) {
            *pp = b->next;
            if (h->spare_count < (h->pool ? SPARE_MAX_POOL : SPARE_MAX)) {
                b->next = h->spare;
                h->spare = b;
                h->spare_count++;
            } else {
                block_release(h, b);
            }
            continue;
        }
        pp = &b->next;
    }
    c->cur = c->blocks;
    c->cur_word = 0;
    c->free_mask = 0;
    c->exhausted = false;
}

static void sweep(std_heap_t *h)
{
    h->bytes_live = 0;
    for (uint32_t c = 0; h->classes != no_classes && c < STD_HEAP_NCLASSES; c++)
        sweep_class(h, &h->classes[c]);
    std_block_t **pp = &h->large;
    while (*pp) {
        std_block_t *b = *pp;
        if (!b->large_mark) {
            *pp = b->next;
            if (b->shared && !shared_reclaim(b)) { /* others still read it */
                block_release(h, b);
                continue;
            }
            map_remove_block(h, b);
            large_spare_put(h, b);
            continue;
        }
        b->large_mark = false;
        h->bytes_live += b->obj_size;
        pp = &b->next;
    }
}

/* }====== */

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void std_heap_collect(std_heap_t *h)
{
    uint64_t start = now_ns();
    h->collecting = true;
    h->mark_cache = NULL;
    mark_roots(h);
    while (h->mstack_len)
        trace(h, h->mstack[--h->mstack_len]);
    sweep(h);
    h->collections++;
    h->bytes_since_gc = 0;
    /* The next collection comes after allocating twice the live data: the
     * heap peaks near 3x live and marking costs at most half a byte per
     * byte allocated. */
    h->threshold = 2 * h->bytes_live > h->threshold_min ? 2 * h->bytes_live : h->threshold_min;
    h->mark_cache = NULL;
    h->collecting = false;
    uint64_t pause = now_ns() - start;
    h->pause_ns_total += pause;
    if (pause > h->pause_ns_max)
        h->pause_ns_max = pause;
}

void std_heap_root_add(std_heap_t *h, const void *lo, const void *hi)
{
    if (h->root_count == STD_HEAP_ROOTS_MAX)
        std_rt_die("too many heap root ranges");
    h->roots[h->root_count].lo = lo;
    h->roots[h->root_count].hi = hi;
    h->root_count++;
}

void std_heap_root_remove(std_heap_t *h, const void *lo)
{
    for (uint32_t i = 0; i < h->root_count; i++) {
        if (h->roots[i].lo == lo) {
            h->roots[i] = h->roots[--h->root_count];
            return;
        }
    }
}

static std_block_t *list_tail_of(std_block_t *b)
{
    while (b && b->next)
        b = b->next;
    return b;
}

/* Moves src's large objects into dst. A shared mapping dst already refers
 * to (the same string sent twice, or sent back to a heap that has it) keeps
 * dst's descriptor: two would clash in the page map. */
static void adopt_large(std_heap_t *dst, std_block_t *b)
{
    while (b) {
        std_block_t *next = b->next;
        if (b->shared && map_get(dst, (uintptr_t)b->base >> UNIT_SHIFT)) {
            shared_unref(b->shared);
            std_rt_free(b);
        } else {
            map_add_block(dst, b);
            dst->bytes_mapped += b->size;
            dst->bytes_live += b->obj_size;
            b->next = dst->large;
            dst->large = b;
        }
        b = next;
    }
}

static void adopt_list(std_heap_t *dst, std_block_t **dst_head, std_block_t *src_head)
{
    for (std_block_t *b = src_head; b; b = b->next) {
        map_add_block(dst, b);
        dst->bytes_mapped += b->size;
        dst->bytes_live += b->cls == UINT32_MAX ? b->obj_size : (uint64_t)b->live * b->obj_size;
    }
    std_block_t *last = list_tail_of(src_head);
    if (last) {
        last->next = *dst_head;
        *dst_head = src_head;
    }
}

void std_heap_adopt(std_heap_t *dst, std_heap_t *src)
{
    /* A process that receives without allocating would never reach its
     * threshold and would keep every message (and every shared string) it
     * ever got. Collect first when due: src's objects are not in dst yet,
     * so they survive; dst's roots are its owner's, as in an allocation. */
    if (dst->bytes_since_gc >= dst->threshold && !dst->collecting && !dst->gc_off)
        std_heap_collect(dst);
    if (src->classes != no_classes)
        own_classes(dst);
    for (uint32_t c = 0; src->classes != no_classes && c < STD_HEAP_NCLASSES; c++) {
        adopt_list(dst, &dst->classes[c].blocks, src->classes[c].blocks);
        /* Adopted blocks sit before cur and are treated as full until the
         * next sweep. */
        if (!dst->classes[c].cur)
            dst->classes[c].exhausted = true;
        src->classes[c].blocks = src->classes[c].cur = NULL;
    }
    adopt_large(dst, src->large);
    src->large = NULL;
    /* The adopted blocks count in full: a small message still brings a
     * whole block, and the next collection must come soon enough to give
     * back the blocks of messages that are done. */
    dst->bytes_since_gc +=
        src->bytes_mapped > src->bytes_since_gc ? src->bytes_mapped : src->bytes_since_gc;
    const void *stack_hi = src->stack_hi;
    std_heap_destroy(src); /* unmaps only the spare blocks left in src */
    std_heap_init(src, stack_hi);
}

/* {====== Shared large strings */

/* Makes src's large block b shared: its descriptor becomes src's reference. */
static void share_start(std_block_t *b)
{
    std_shared_t *s = std_rt_alloc(sizeof *s);
    atomic_init(&s->refs, 1);
    s->base = b->base;
    s->size = b->size;
    b->shared = s;
    atomic_fetch_add_explicit(&shared_count, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&shared_bytes, b->size, memory_order_relaxed);
}

void *std_heap_share(std_heap_t *dst, std_heap_t *src, const void *obj)
{
    uintptr_t unit = (uintptr_t)obj >> UNIT_SHIFT;
    std_block_t *b = map_get(src, unit);
    if (!b || b->cls != UINT32_MAX || b->base != obj ||
        ((const snow_obj_t *)obj)->kind != SNOW_OBJ_STRING)
        return NULL;
    if (map_get(dst, unit)) /* dst is src, or already refers to it */
        return b->base;
    if (!b->shared)
        share_start(b);
    atomic_fetch_add_explicit(&b->shared->refs, 1, memory_order_relaxed);
    std_block_t *r = desc_new(1);
    r->base = b->base;
    r->size = b->size;
    r->obj_size = b->obj_size;
    r->nslots = 1;
    r->cls = UINT32_MAX;
    r->live = 1;
    r->alloc_bits[0] = 1;
    r->shared = b->shared;
    r->next = dst->large;
    dst->large = r;
    dst->bytes_mapped += r->size;
    /* Pace dst's collections as if it had copied the string (heap.h). */
    dst->bytes_since_gc += r->obj_size;
    map_add_block(dst, r);
    return b->base;
}

uint64_t std_heap_shared_refs(const std_heap_t *h, const void *p)
{
    std_block_t *b = map_get(h, (uintptr_t)p >> UNIT_SHIFT);
    if (!b || !b->shared)
        return 0;
    return atomic_load_explicit(&b->shared->refs, memory_order_relaxed);
}

void std_heap_shared_stats(uint64_t *count, uint64_t *bytes)
{
    *count = atomic_load_explicit(&shared_count, memory_order_relaxed);
    *bytes = atomic_load_explicit(&shared_bytes, memory_order_relaxed);
}

/* }====== */

void std_heap_thread_stack(const void **lo, const void **hi)
{
    pthread_attr_t attr;
    void *addr = NULL;
    size_t size = 0;
    if (pthread_getattr_np(pthread_self(), &attr) != 0)
        std_rt_die("pthread_getattr_np failed");
    pthread_attr_getstack(&attr, &addr, &size);
    pthread_attr_destroy(&attr);
    *lo = addr;
    *hi = (const char *)addr + size;
}

const void *std_heap_thread_stack_hi(void)
{
    const void *lo, *hi;
    std_heap_thread_stack(&lo, &hi);
    return hi;
}
