/* Runtime allocation: the one entry point for non-GC runtime memory.
 *
 * Every runtime allocation goes through kern_alloc and friends, which use
 * jemalloc (mallocx/dallocx; plain malloc under SNOW_SANITIZE so ASan sees
 * every block). On failure they print a message with write(2), never
 * allocating, and abort: callers never check for NULL. A live-block counter
 * (per thread, summed on reading) lets tests assert that nothing leaked.
 * Any thread. */
#ifndef SNOW_KERNEL_ALLOC_H
#define SNOW_KERNEL_ALLOC_H

#include <stddef.h>
#include <stdint.h>

/* Returns owned memory of size bytes (size > 0), freed with kern_free.
 * Aborts with a message if the allocator fails. Any thread. */
void *kern_alloc(size_t size);

/* Like kern_alloc but zero-filled; count * size must not overflow (aborts if
 * it does). Any thread. */
void *kern_calloc(size_t count, size_t size);

/* Resizes p (owned, or NULL) to size bytes and returns the owned result; p is
 * taken. Aborts on failure. Any thread. */
void *kern_realloc(void *p, size_t size);

/* Returns owned memory aligned to align (a power of two), freed with
 * kern_free. Aborts on failure. Any thread. */
void *kern_alloc_aligned(size_t align, size_t size);

/* Takes p (from any kern_alloc* call, or NULL) and frees it. Any thread. */
void kern_free(void *p);

/* Number of blocks allocated and not yet freed, for leak checks in tests. */
int64_t kern_alloc_live_count(void);

/* Name of the allocator actually in use ("jemalloc" or "libc"). */
const char *kern_alloc_backend(void);

#endif
