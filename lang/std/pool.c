/* pool.c: shared heap block source (see pool.h). */
#include "lang/std/pool.h"

#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "lang/std/alloc.h"

void std_pool_init(std_pool_t *p)
{
    memset(p, 0, sizeof *p);
    pthread_mutex_init(&p->lock, NULL);
}

void std_pool_destroy(std_pool_t *p)
{
    for (size_t i = 0; i < p->nchunks; i++)
        munmap(p->chunks[i], STD_POOL_CHUNK_SIZE);
    std_rt_free(p->chunks);
    std_rt_free(p->free);
    pthread_mutex_destroy(&p->lock);
    memset(p, 0, sizeof *p);
}

/* Maps a chunk aligned to its own size (so blocks are aligned too). */
static char *chunk_new(std_pool_t *p)
{
    size_t len = 2 * STD_POOL_CHUNK_SIZE;
    char *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
        std_rt_die("out of memory (heap block pool)");
    uintptr_t start =
        ((uintptr_t)m + STD_POOL_CHUNK_SIZE - 1) & ~(uintptr_t)(STD_POOL_CHUNK_SIZE - 1);
    if (start > (uintptr_t)m)
        munmap(m, start - (uintptr_t)m);
    size_t tail = (uintptr_t)m + len - start - STD_POOL_CHUNK_SIZE;
    if (tail)
        munmap((char *)start + STD_POOL_CHUNK_SIZE, tail);
    if (p->nchunks == p->chunks_cap) {
        p->chunks_cap = p->chunks_cap ? 2 * p->chunks_cap : 16;
        p->chunks = std_rt_realloc(p->chunks, p->chunks_cap * sizeof *p->chunks);
    }
    p->chunks[p->nchunks++] = (void *)start;
    if (p->huge && p->nchunks > 1)
        (void)madvise((void *)start, STD_POOL_CHUNK_SIZE, MADV_HUGEPAGE); /* a hint */
    return (char *)start;
}

void *std_pool_get(std_pool_t *p, size_t block_size, bool *zeroed)
{
    pthread_mutex_lock(&p->lock);
    void *b;
    if (p->free_len) {
        b = p->free[--p->free_len];
        *zeroed = p->dirty == 0; /* clean blocks were madvised: zero */
        if (p->dirty)
            p->dirty--;
    } else {
        if (p->cur == p->end) {
            p->cur = chunk_new(p);
            p->end = p->cur + STD_POOL_CHUNK_SIZE;
        }
        b = p->cur;
        p->cur += block_size;
        *zeroed = true;
    }
    pthread_mutex_unlock(&p->lock);
    return b;
}

void std_pool_put(std_pool_t *p, void *block, size_t block_size)
{
    pthread_mutex_lock(&p->lock);
    if (p->free_len == p->free_cap) {
        p->free_cap = p->free_cap ? 2 * p->free_cap : 64;
        p->free = std_rt_realloc(p->free, p->free_cap * sizeof *p->free);
    }
    /* Keep the dirty blocks on top of the stack: they are reused first. */
    if (p->dirty < STD_POOL_KEEP_DIRTY) {
        p->free[p->free_len++] = block;
        p->dirty++;
    } else {
        madvise(block, block_size, MADV_DONTNEED);
        /* Insert below the dirty ones. */
        size_t at = p->free_len - p->dirty;
        memmove(p->free + at + 1, p->free + at, p->dirty * sizeof *p->free);
        p->free[at] = block;
        p->free_len++;
    }
    pthread_mutex_unlock(&p->lock);
}
