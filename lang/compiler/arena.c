/* arena.c: the per-compilation bump allocator (arena.h).
 *
 * Memory comes in chunks of at least ARENA_CHUNK_BYTES; a request larger than
 * a chunk gets a chunk of its own. Chunks form a singly linked list freed in
 * one pass by arena_free. Nothing is ever freed individually.
 */
#include "lang/compiler/arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { ARENA_CHUNK_BYTES = 256 * 1024, ARENA_ALIGN = 16 };

typedef struct arena_chunk_t {
    struct arena_chunk_t *next;
    size_t size; /* usable bytes after the header */
    size_t used;
    alignas(16) unsigned char data[];
} arena_chunk_t;

struct arena_t {
    arena_chunk_t *head; /* the chunk being filled */
};

static void arena_oom_(void)
{
    /* fprintf might allocate; perror does not need the heap. */
    perror("snowc: out of memory");
    abort();
}

static arena_chunk_t *chunk_new(size_t size)
{
    arena_chunk_t *c = malloc(sizeof(*c) + size);
    if (!c)
        arena_oom_();
    c->next = NULL;
    c->size = size;
    c->used = 0;
    return c;
}

arena_t *arena_new(void)
{
    arena_t *a = malloc(sizeof(*a));
    if (!a)
        arena_oom_();
    a->head = chunk_new(ARENA_CHUNK_BYTES);
    return a;
}

void arena_free(arena_t *a)
{
    if (!a)
        return;
    arena_chunk_t *c = a->head;
    while (c) {
        arena_chunk_t *next = c->next;
        free(c);
        c = next;
    }
    free(a);
}

void *arena_alloc(arena_t *a, size_t size)
{
    size_t rounded = (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    if (rounded == 0)
        rounded = ARENA_ALIGN;
    arena_chunk_t *c = a->head;
    if (c->size - c->used < rounded) {
        if (rounded > ARENA_CHUNK_BYTES / 4) {
            /* A big block gets its own chunk behind the head, so the head's
             * free space is not wasted. */
            arena_chunk_t *big = chunk_new(rounded);
            big->used = rounded;
            big->next = c->next;
            c->next = big;
            memset(big->data, 0, rounded);
            return big->data;
        }
        c = chunk_new(ARENA_CHUNK_BYTES);
        c->next = a->head;
        a->head = c;
    }
    void *p = c->data + c->used;
    c->used += rounded;
    memset(p, 0, rounded);
    return p;
}

char *arena_strndup(arena_t *a, const char *bytes, size_t len)
{
    char *s = arena_alloc(a, len + 1);
    if (len)
        memcpy(s, bytes, len);
    s[len] = '\0';
    return s;
}

void *arena_reserve(arena_t *a, void *items, uint32_t len, uint32_t *cap, size_t elem_size,
                    uint32_t first_cap)
{
    if (len < *cap)
        return items;
    uint32_t ncap = *cap ? *cap * 2 : first_cap;
    void *n = arena_alloc(a, elem_size * ncap);
    if (len)
        memcpy(n, items, elem_size * len);
    *cap = ncap;
    return n;
}
