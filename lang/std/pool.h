/* pool.h: a shared source of 64 KiB heap blocks.
 *
 * Process heaps take their small-object blocks from a pool instead of
 * mapping each block on its own: blocks are carved from 4 MiB chunks, so a
 * program with many small heaps needs few memory mappings (the kernel caps
 * their number), and blocks freed by one heap are reused by any other.
 * Beyond a few free blocks, freed blocks are given back to the OS with
 * madvise(MADV_DONTNEED) while staying in the pool. Chunks are unmapped only
 * when the pool is destroyed, after every heap using it. Any thread (one
 * mutex; taken once per 64 KiB block). */
#ifndef SNOW_LANG_STD_POOL_H
#define SNOW_LANG_STD_POOL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#define STD_POOL_CHUNK_SIZE ((size_t)4 << 20)
#define STD_POOL_KEEP_DIRTY 256 /* free blocks kept without madvise */

typedef struct std_pool_t {
    pthread_mutex_t lock;
    void **free; /* free blocks, the last STD_POOL_KEEP_DIRTY may be dirty */
    size_t free_len;
    size_t free_cap;
    size_t dirty; /* free blocks not yet given back to the OS */
    char *cur;    /* unused part of the newest chunk */
    char *end;
    void **chunks;
    size_t nchunks;
    size_t chunks_cap;
    /* Ask for transparent huge pages on chunks after the first: set by the
     * sequential program entry, whose one heap is the pool's only user
     * (big heaps walk fewer TLB entries; processes' small heaps would be
     * rounded up to huge pages, so the scheduler leaves it off). */
    bool huge;
} std_pool_t;

void std_pool_init(std_pool_t *p);

/* Unmaps every chunk: no heap may still use blocks of p. */
void std_pool_destroy(std_pool_t *p);

/* Returns a block of block_size bytes aligned to block_size (the heap's
 * STD_HEAP_BLOCK_SIZE); its contents are undefined. Aborts when the OS
 * refuses memory. *zeroed says whether it is known to be all zero. */
void *std_pool_get(std_pool_t *p, size_t block_size, bool *zeroed);

/* Takes back a block obtained from p. */
void std_pool_put(std_pool_t *p, void *block, size_t block_size);

#endif
