/* alloc.h: runtime (non-GC) memory of lang/std.
 *
 * The one entry point for memory the runtime owns outside the GC heap (mark
 * stacks, page maps, block descriptors, I/O buffers): jemalloc through
 * mallocx/dallocx, or libc malloc under SNOW_USE_SANITIZE so ASan sees every
 * block. Failure never returns: a message is written with write(2), without
 * allocating, and the program aborts. Any thread. */
#ifndef SNOW_LANG_STD_ALLOC_H
#define SNOW_LANG_STD_ALLOC_H

#include <stddef.h>

/* Returns owned memory of size bytes (size > 0); free with std_rt_free. */
void *std_rt_alloc(size_t size);

/* Zero-filled variant; aborts if count * size overflows. */
void *std_rt_calloc(size_t count, size_t size);

/* Resizes p (owned or NULL); takes p, returns the owned result. */
void *std_rt_realloc(void *p, size_t size);

/* Takes p (or NULL) and frees it. */
void std_rt_free(void *p);

/* Writes "snow: fatal: <msg>\n" to stderr with write(2) and aborts. */
_Noreturn void std_rt_die(const char *msg);

#endif
