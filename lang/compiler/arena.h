/* arena.h: the per-compilation bump allocator.
 *
 * snowc allocates every AST node, type and IR node from one arena and frees
 * it once at exit (STYLE 5: chibicc never frees; we free the arena once).
 * Allocation never fails: out of memory prints a message and aborts.
 */
#ifndef SNOW_LANG_COMPILER_ARENA_H
#define SNOW_LANG_COMPILER_ARENA_H

#include <stddef.h>
#include <stdint.h>

typedef struct arena_t arena_t;

/* Returns owned; free with arena_free. */
arena_t *arena_new(void);
void arena_free(arena_t *a);

/* Returns size bytes, zeroed, aligned to 16, valid until arena_free. */
void *arena_alloc(arena_t *a, size_t size);

/* Copies bytes[0..len) and a NUL terminator into the arena. */
char *arena_strndup(arena_t *a, const char *bytes, size_t len);

/* Makes room for one more element in an arena array items[0..len) of
 * capacity *cap: returns items itself while len < *cap, else a copy with
 * twice the capacity (first_cap the first time) and updates *cap. The old
 * array stays valid (arena memory is never freed on its own). */
void *arena_reserve(arena_t *a, void *items, uint32_t len, uint32_t *cap, size_t elem_size,
                    uint32_t first_cap);

/* ARENA_RESERVE(a, xs, n, cap, first): `xs = arena_reserve(...)` for a typed
 * array xs, so call sites need no casts or sizeof. */
#define ARENA_RESERVE(a, items, len, cap, first)                                                  \
    ((items) = arena_reserve((a), (items), (len), &(cap), sizeof *(items), (first)))

#define ARENA_NEW(a, T) ((T *)arena_alloc((a), sizeof(T)))
#define ARENA_ARRAY(a, T, n) ((T *)arena_alloc((a), sizeof(T) * (size_t)(n)))

#endif
