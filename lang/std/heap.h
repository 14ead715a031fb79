/* heap.h: the per-process garbage-collected heap.
 *
 * One std_heap_t per Snow process (embedded in snow_ctx_t). Memory comes
 * from the OS in 64 KiB blocks (small objects, one size class per block,
 * allocation and mark bitmaps in the block descriptor) or one mapping per
 * large object (> 32 KiB), both aligned to 64 KiB. A page map (hash of
 * 64 KiB unit -> block) finds the object
 * containing any address, which is what makes interior pointers work.
 *
 * Collection is a non-moving mark-sweep that stops only this heap's owner:
 * roots are the owner's stack, scanned conservatively between the current
 * stack pointer and stack_hi after spilling registers, plus registered root
 * ranges; heap objects are scanned precisely from their headers
 * (snow_record_t.ptrmask, list/array flags), so an Int word inside an object
 * is never taken for a pointer. Invariant: the heap never touches memory it
 * did not map, and holds no global state (one heap per process, any number
 * of heaps per program) apart from two atomic counters of shared mappings.
 * Not thread-safe: only the owner uses it.
 *
 * Shared large strings (issue 7, DESIGN 4): a string in its own large
 * mapping is not copied into a message; std_heap_share gives the
 * destination heap a reference instead. The mapping then has a refcounted
 * owner record (atomic; heap.c std_shared_t) and every heap that refers to
 * it has its own block descriptor for it, in its own page map and `large`
 * list, with its own mark flag: each heap finds, marks and sweeps its
 * reference alone and never writes memory another heap reads. A heap drops
 * its reference when it sweeps the descriptor unmarked or is destroyed; the
 * last reference unmaps the mapping (on whichever thread drops it), except
 * that a sweep finding its heap the only holder left makes the mapping
 * private again and keeps it as a large spare for reuse. Each
 * referring heap counts the whole mapping in its bytes_mapped and, while it
 * is reachable, bytes_live (it keeps the memory alive), and taking a
 * reference adds the string's size to bytes_since_gc, so a process that
 * receives many large strings collects as if it had copied them. */
#ifndef SNOW_LANG_STD_HEAP_H
#define SNOW_LANG_STD_HEAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define STD_HEAP_BLOCK_SIZE ((size_t)64 * 1024)
#define STD_HEAP_SMALL_MAX 32768
#define STD_HEAP_NCLASSES 37
#define STD_HEAP_ROOTS_MAX 8

typedef struct std_block_t std_block_t;
typedef struct std_pool_t std_pool_t;

typedef struct std_heap_class_t {
    std_block_t *blocks; /* every block of this class, list through next */
    std_block_t *cur;    /* block the allocator is filling */
    uint64_t free_mask;  /* free slots of cur's word cur_word not yet taken */
    uint32_t cur_word;   /* first bitmap word of cur that may have a free slot */
    bool exhausted;      /* every swept block was visited since the last sweep */
} std_heap_class_t;

typedef struct std_heap_root_t {
    const void *lo;
    const void *hi;
} std_heap_root_t;

typedef struct std_heap_t {
    std_pool_t *pool; /* borrowed block source; NULL: one mapping per block */
    /* STD_HEAP_NCLASSES entries: a shared empty table until the first
     * small allocation, so a heap that never allocates (a process that
     * only waits) stays small; heap.c's own_classes. */
    std_heap_class_t *classes;
    std_block_t *large; /* large objects, list through next */
    std_block_t *spare; /* empty small blocks kept for reuse */
    uint32_t spare_count;
    /* Swept large mappings kept for reuse (out of the page map), so a
     * program making big temporaries does not mmap, fault in and munmap
     * each one; at most LARGE_SPARE_MAX blocks, LARGE_SPARE_BYTES and the
     * collection threshold (heap.c). */
    std_block_t *large_spare;
    uint64_t large_spare_bytes;
    uint32_t large_spare_count;
    /* Page map: open addressing, key = page number, value = block. */
    uintptr_t *map_keys;
    std_block_t **map_vals;
    size_t map_cap;
    size_t map_used;         /* live + tombstones */
    std_block_t *mark_cache; /* last block found while marking */
    /* Mark stack. */
    void **mstack;
    size_t mstack_len;
    size_t mstack_cap;
    /* Roots. */
    const void *stack_hi; /* highest address of the owner's stack (exclusive) */
    std_heap_root_t roots[STD_HEAP_ROOTS_MAX];
    uint32_t root_count;
    bool collecting;
    uint32_t gc_off; /* > 0: allocation never collects (copying, fragments) */
    /* Accounting. */
    uint64_t bytes_since_gc;
    uint64_t threshold;     /* collect after allocating this much */
    uint64_t threshold_min; /* floor of threshold (default 4 MiB); small for actors */
    uint64_t limit_bytes;   /* 0: no limit; checked by std_obj_alloc (ctx.h) */
    uint64_t bytes_live;
    uint64_t bytes_allocated;
    uint64_t bytes_mapped;
    uint64_t collections;
    uint64_t pause_ns_total;
    uint64_t pause_ns_max;
} std_heap_t;

/* Initialises h with no memory mapped. stack_hi is the top (highest address)
 * of the owner's stack; everything between the stack pointer of a collection
 * and stack_hi is a root. Set h->pool afterwards to take blocks from a
 * shared pool (lang/std/pool.h); it must outlive h. */
void std_heap_init(std_heap_t *h, const void *stack_hi);

/* Unmaps every block; all objects of h become invalid. */
void std_heap_destroy(std_heap_t *h);

/* Returns zero-filled memory of size bytes (size > 0), 16-byte aligned, in h.
 * May run a collection first. Aborts with a message if the OS refuses
 * memory. */
void *std_heap_alloc(std_heap_t *h, size_t size);

/* Like std_heap_alloc but the memory is not zeroed: only for objects the
 * collector never scans beyond what the caller writes at once (strings;
 * list storage, scanned up to `used`). The caller must write a valid
 * object header (snow_obj_t: kind, and the length or count the collector
 * sizes the object by) before the heap can next collect: raw bytes without
 * one are read as a broken object (ws/ saw 97 % of a run's CPU in the
 * collector from this). */
void *std_heap_alloc_dirty(std_heap_t *h, size_t size);

/* Runs a full collection. */
void std_heap_collect(std_heap_t *h);

/* Returns the start of the live object containing p, or NULL when p is not
 * inside an allocated object of h (any address inside counts). */
void *std_heap_find(const std_heap_t *h, const void *p);

/* Adds [lo, hi) as a conservative root range (at most STD_HEAP_ROOTS_MAX);
 * removed with std_heap_root_remove(h, lo). Both borrow the range. */
void std_heap_root_add(std_heap_t *h, const void *lo, const void *hi);
void std_heap_root_remove(std_heap_t *h, const void *lo);

/* Moves every object of src into dst without copying (a message heap
 * fragment built by a sender becomes part of the receiver's heap). src is
 * left empty and may be destroyed or reused. A shared large string that
 * dst already refers to keeps dst's one reference; src's is released.
 * Like std_heap_alloc, first runs a collection of dst when one is due
 * (so a process that receives without allocating still frees what it
 * received): call it from dst's owner, with dst's live objects reachable
 * from its roots; src's objects are not part of that collection. */
void std_heap_adopt(std_heap_t *dst, std_heap_t *src);

/* Shares a large string between heaps instead of copying it. obj is the
 * start of a live object of src. When it is a string in its own large
 * mapping, dst gets a reference to that mapping (none if it already has
 * one; the mapping becomes shared on its first share) and the function
 * returns obj itself, now valid in dst too until dst drops it. Otherwise it
 * returns NULL and changes nothing (the caller copies). Borrows both heaps;
 * the calling thread must own both (the sender copies from its own heap
 * into a message fragment), because the first share changes src's
 * descriptor of the mapping. */
void *std_heap_share(std_heap_t *dst, std_heap_t *src, const void *obj);

/* Returns the number of heaps (and message fragments) referring to the
 * shared mapping that holds p, found through h's page map: 0 when p is not
 * in a shared mapping of h. For tests and diagnostics; any thread may read
 * a count, but h must not change meanwhile. */
uint64_t std_heap_shared_refs(const std_heap_t *h, const void *p);

/* Reports the shared large-string mappings alive in the program: how many
 * and their total bytes mapped. Any thread. */
void std_heap_shared_stats(uint64_t *count, uint64_t *bytes);

/* Returns the highest address of the calling thread's stack. */
const void *std_heap_thread_stack_hi(void);

/* Stores the lowest and highest addresses of the calling thread's stack. */
void std_heap_thread_stack(const void **lo, const void **hi);

#endif
