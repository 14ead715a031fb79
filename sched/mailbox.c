/* mailbox.c: Vyukov's intrusive MPSC queue and the consumer-side list
 * (see mailbox.h). */
#include "sched/mailbox.h"

#include "kernel/assert.h"

void sched_mpsc_init(sched_mpsc_t *q)
{
    atomic_init(&q->stub.next, NULL);
    atomic_init(&q->head, &q->stub);
    q->tail = &q->stub;
}

void sched_mpsc_push(sched_mpsc_t *q, sched_mpsc_node_t *node)
{
    /* Relaxed: published by the release store of the link below. */
    atomic_store_explicit(&node->next, NULL, memory_order_relaxed);
    /* seq_cst (not just acq_rel): this exchange is the producer's half of
     * the sleep/wake Dekker pattern; it must be ordered before the
     * producer's later seq_cst load of the consumer's "waiting" flag, and
     * pairs with sched_mpsc_empty's seq_cst load of head. The acquire half
     * orders our store into prev->next after the previous producer's
     * initialisation of prev. */
    sched_mpsc_node_t *prev = atomic_exchange_explicit(&q->head, node, memory_order_seq_cst);
    /* Release: pairs with the acquire loads of next in sched_mpsc_pop, so
     * the consumer that reaches node sees everything written before the
     * push (the message body). */
    atomic_store_explicit(&prev->next, node, memory_order_release);
}

sched_mpsc_node_t *sched_mpsc_pop(sched_mpsc_t *q)
{
    sched_mpsc_node_t *tail = q->tail;
    /* Acquire: pairs with the release link store in push. */
    sched_mpsc_node_t *next = atomic_load_explicit(&tail->next, memory_order_acquire);
    if (tail == &q->stub) {
        if (!next)
            return NULL; /* empty (or the first push is still linking) */
        q->tail = next;
        tail = next;
        next = atomic_load_explicit(&tail->next, memory_order_acquire); /* same pairing */
    }
    if (next) {
        q->tail = next;
        return tail;
    }
    /* tail is the last linked node. If head moved past it, a producer is
     * between its exchange and its link: come back later. Acquire: pairs
     * with the exchange in push (we only compare the pointer). */
    if (tail != atomic_load_explicit(&q->head, memory_order_acquire))
        return NULL;
    /* Re-insert the stub behind tail so tail can be handed out while the
     * queue keeps a node to exchange against. */
    sched_mpsc_push(q, &q->stub);
    next = atomic_load_explicit(&tail->next, memory_order_acquire); /* same pairing */
    if (next) {
        q->tail = next;
        return tail;
    }
    return NULL; /* another producer got in before the stub; retry later */
}

bool sched_mpsc_empty(sched_mpsc_t *q)
{
    /* seq_cst: pairs with the seq_cst exchange in push; see mailbox.h. */
    return q->tail == &q->stub && atomic_load_explicit(&q->head, memory_order_seq_cst) == &q->stub;
}

/* ==== Mailboxes ==== */

void sched_mailbox_init(sched_mailbox_t *mb)
{
    sched_mpsc_init(&mb->queue);
    mb->_first = mb->_last = NULL;
    mb->_count = 0;
}

/* Moves every fully arrived message to the private list; returns true if
 * any moved. */
static bool drain(sched_mailbox_t *mb)
{
    bool moved = false;
    sched_mpsc_node_t *n;
    while ((n = sched_mpsc_pop(&mb->queue))) {
        sched_msg_t *m = (sched_msg_t *)((char *)n - offsetof(sched_msg_t, _node));
        m->_next = NULL;
        if (mb->_last)
            mb->_last->_next = m;
        else
            mb->_first = m;
        mb->_last = m;
        mb->_count++;
        moved = true;
    }
    return moved;
}

void sched_mailbox_drain(sched_mailbox_t *mb) { drain(mb); }

sched_msg_t *sched_mailbox_first(sched_mailbox_t *mb)
{
    if (!mb->_first)
        drain(mb);
    return mb->_first;
}

sched_msg_t *sched_mailbox_next(sched_mailbox_t *mb, sched_msg_t *msg)
{
    if (!msg->_next && msg == mb->_last)
        drain(mb);
    return msg->_next;
}

void sched_mailbox_remove(sched_mailbox_t *mb, sched_msg_t *prev, sched_msg_t *msg)
{
    snow_assert(prev ? prev->_next == msg : mb->_first == msg);
    if (prev)
        prev->_next = msg->_next;
    else
        mb->_first = msg->_next;
    if (mb->_last == msg)
        mb->_last = prev;
    msg->_next = NULL;
    mb->_count--;
}

sched_msg_t *sched_mailbox_take(sched_mailbox_t *mb)
{
    sched_msg_t *m = sched_mailbox_first(mb);
    if (m)
        sched_mailbox_remove(mb, NULL, m);
    return m;
}

bool sched_mailbox_pending(sched_mailbox_t *mb)
{
    return mb->_first != NULL || !sched_mpsc_empty(&mb->queue);
}

uint32_t sched_mailbox_drop_all(sched_mailbox_t *mb)
{
    uint32_t n = 0;
    sched_msg_t *m;
    while ((m = sched_mailbox_take(mb))) {
        if (m->drop)
            m->drop(m);
        n++;
    }
    return n;
}
