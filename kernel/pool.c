/* The blocking-call pool (see pool.h).
 *
 * Invariant: a job is on the pool queue, running on one pool thread, or on
 * its ring's inbox; the ring counts it in flight from submit to callback. */
#include "kernel/pool.h"

#include <errno.h>
#include <string.h>

#include "kernel/assert.h"

static void complete(kern_pool_job_t *job, int res)
{
    kern_ring_t *ring = job->_ring;
    atomic_fetch_add_explicit(&ring->_wakers, 1, memory_order_relaxed);
    job->op.res = res;
    /* Release pairs with the acquire exchange in the ring's inbox drain, so
     * the ring sees res and whatever fn wrote. */
    kern_op_t *head = atomic_load_explicit(&ring->_inbox, memory_order_relaxed);
    do {
        job->op._next = head;
    } while (!atomic_compare_exchange_weak_explicit(&ring->_inbox, &head, &job->op,
                                                    memory_order_release, memory_order_relaxed));
    kern_ring_wake(ring, NULL);
    atomic_fetch_sub_explicit(&ring->_wakers, 1, memory_order_release);
}

static void *pool_main(void *arg)
{
    kern_pool_t *pool = arg;
    pthread_mutex_lock(&pool->_mu);
    for (;;) {
        while (pool->_head == NULL && !pool->_stopping)
            pthread_cond_wait(&pool->_cv, &pool->_mu);
        kern_pool_job_t *job = pool->_head;
        if (job == NULL)
            break; /* stopping and drained */
        pool->_head = job->_next;
        if (pool->_head == NULL)
            pool->_tail = NULL;
        pool->_queued--;
        pthread_mutex_unlock(&pool->_mu);
        complete(job, job->fn(job->arg));
        pthread_mutex_lock(&pool->_mu);
    }
    pthread_mutex_unlock(&pool->_mu);
    return NULL;
}

int kern_pool_init(kern_pool_t *pool, uint32_t threads)
{
    if (threads == 0 || threads > KERN_POOL_THREADS_MAX)
        return -EINVAL;
    memset(pool, 0, sizeof *pool);
    pthread_mutex_init(&pool->_mu, NULL);
    pthread_cond_init(&pool->_cv, NULL);
    for (uint32_t i = 0; i < threads; i++) {
        int rc = pthread_create(&pool->_tids[i], NULL, pool_main, pool);
        if (rc != 0) {
            pool->threads = i;
            kern_pool_destroy(pool);
            return -rc;
        }
    }
    pool->threads = threads;
    return 0;
}

void kern_pool_destroy(kern_pool_t *pool)
{
    pthread_mutex_lock(&pool->_mu);
    pool->_stopping = true;
    pthread_cond_broadcast(&pool->_cv);
    pthread_mutex_unlock(&pool->_mu);
    for (uint32_t i = 0; i < pool->threads; i++)
        pthread_join(pool->_tids[i], NULL);
    pthread_cond_destroy(&pool->_cv);
    pthread_mutex_destroy(&pool->_mu);
    pool->threads = 0;
}

int kern_pool_submit(kern_pool_t *pool, kern_ring_t *ring, kern_pool_job_t *job, kern_pool_fn fn,
                     void *arg, kern_op_cb cb)
{
    snow_assert(job->op._state == KERN_OP_IDLE_);
    pthread_mutex_lock(&pool->_mu);
    if (pool->_queued >= KERN_POOL_QUEUE_MAX || pool->_stopping) {
        pthread_mutex_unlock(&pool->_mu);
        return -EAGAIN;
    }
    job->op.cb = cb;
    job->op.res = 0;
    job->op.flags = 0;
    job->op.buf = NULL;
    job->op._kind = KERN_OP_POOL_;
    job->op._state = KERN_OP_PENDING_;
    job->op._cancelled = job->op._timed = false;
    job->fn = fn;
    job->arg = arg;
    job->_ring = ring;
    job->_next = NULL;
    ring->_in_flight++;
    if (pool->_tail)
        pool->_tail->_next = job;
    else
        pool->_head = job;
    pool->_tail = job;
    pool->_queued++;
    pthread_cond_signal(&pool->_cv);
    pthread_mutex_unlock(&pool->_mu);
    return 0;
}
