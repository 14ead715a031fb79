/* The blocking-call pool: a few threads for calls that cannot be made
 * asynchronous (getaddrinfo, SQLite).
 *
 * A job is submitted from a ring's thread; a pool thread runs fn(arg), stores
 * its int result in the job's op, pushes the op onto that ring's inbox and
 * wakes the ring (kern_ring_wake). The callback then runs on the ring's
 * thread from kern_ring_run, like any completion, so a worker never blocks.
 * The queue has a limit (KERN_POOL_QUEUE_MAX jobs); past it submit fails with
 * -EAGAIN. fn runs on a pool thread and must not touch the ring. */
#ifndef SNOW_KERNEL_POOL_H
#define SNOW_KERNEL_POOL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "kernel/ring.h"

#define KERN_POOL_THREADS_MAX 64u
#define KERN_POOL_QUEUE_MAX 4096u

/* Runs on a pool thread; returns >= 0 or -errno, delivered as op->res. */
typedef int (*kern_pool_fn)(void *arg);

typedef struct kern_pool_job_t {
    kern_op_t op; /* op.cb runs on the ring's thread; op.data is the caller's */
    kern_pool_fn fn;
    void *arg;
    kern_ring_t *_ring;
    struct kern_pool_job_t *_next;
} kern_pool_job_t;

typedef struct kern_pool_t {
    pthread_mutex_t _mu;
    pthread_cond_t _cv;
    kern_pool_job_t *_head, *_tail; /* queued, guarded by _mu */
    uint32_t _queued;
    bool _stopping;
    uint32_t threads;
    pthread_t _tids[KERN_POOL_THREADS_MAX];
} kern_pool_t;

/* Starts threads (1..KERN_POOL_THREADS_MAX) on pool (caller-owned, must not
 * move). Returns 0 or -errno. */
int kern_pool_init(kern_pool_t *pool, uint32_t threads);

/* Runs every queued job, then stops and joins the threads. The rings the jobs
 * complete into must still run afterwards to deliver them. */
void kern_pool_destroy(kern_pool_t *pool);

/* Queues fn(arg) for a pool thread; job (borrowed until cb) completes into
 * ring with cb. Returns 0, or -EAGAIN when the queue is full. Ring's thread. */
int kern_pool_submit(kern_pool_t *pool, kern_ring_t *ring, kern_pool_job_t *job, kern_pool_fn fn,
                     void *arg, kern_op_cb cb);

#endif
