/* mailbox.h: the lock-free multi-producer single-consumer queue behind
 * process mailboxes and workers' remote-ready queues (DESIGN 5, issue 7).
 *
 * sched_mpsc_t is Dmitry Vyukov's intrusive MPSC queue with a stub node:
 * a push is one atomic exchange plus one store, with no loop, so producers
 * never wait for each other or for the consumer. The consumer can see a
 * push "in progress" (the exchange done, the link not yet stored); pop then
 * returns NULL although sched_mpsc_empty says false, and the consumer must
 * come back later (the producer is one store away from finishing).
 *
 * sched_mailbox_t adds a private list that only the consumer touches. The
 * consumer drains the MPSC queue into it in arrival order, which lets a
 * receive scan messages and remove one from the middle (selective receive,
 * needed by service calls and Job.await, D71/D78) without any atomics.
 *
 * Ordering guarantee: messages pushed by one thread are taken in push order
 * (per-sender FIFO, language.md 8.2). Nothing is allocated here: nodes are
 * embedded in the caller's structs. */
#ifndef SNOW_SCHED_MAILBOX_H
#define SNOW_SCHED_MAILBOX_H

#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct sched_mpsc_node_t sched_mpsc_node_t;
struct sched_mpsc_node_t {
    _Atomic(sched_mpsc_node_t *) next;
};

/* No padding between the producers' head and the consumer's tail: a
 * mailbox is embedded in every process (a million of them must fit), and
 * the consumer reads head on its slow path anyway (ponyc's messageq_t makes
 * the same choice). Embedders that want them apart pad around the queue. */
typedef struct sched_mpsc_t {
    _Atomic(sched_mpsc_node_t *) head; /* newest node; producers (any thread) */
    sched_mpsc_node_t *tail;           /* oldest node, or the stub; consumer */
    sched_mpsc_node_t stub;
} sched_mpsc_t;

/* Initialises q (caller-owned) empty. */
void sched_mpsc_init(sched_mpsc_t *q);

/* Appends node (kept until popped; must not be in any queue). Any thread. */
void sched_mpsc_push(sched_mpsc_t *q, sched_mpsc_node_t *node);

/* Removes and returns the oldest node, or NULL if the queue is empty or its
 * oldest push is still in progress. Consumer thread. */
sched_mpsc_node_t *sched_mpsc_pop(sched_mpsc_t *q);

/* Returns true if no push has started since the queue was last emptied.
 * Sequentially consistent: a consumer that publishes "I am going to sleep"
 * with a seq_cst store and then finds the queue empty is guaranteed that
 * every later producer sees its flag (the sleep/wake protocol of worker.c
 * and proc.c). Consumer thread. */
bool sched_mpsc_empty(sched_mpsc_t *q);

/* ---- Mailboxes ---- */

typedef struct sched_msg_t sched_msg_t;

/* Frees a message that no one will receive (its process exited). Runs on
 * the exiting process's worker thread. */
typedef void (*sched_msg_drop_cb)(sched_msg_t *msg);

/* The header a message embeds (anywhere; recover the outer struct with
 * container_of-style arithmetic, or put it first). */
struct sched_msg_t {
    sched_mpsc_node_t _node;
    sched_msg_t *_next;     /* private list, consumer only */
    sched_msg_drop_cb drop; /* may be NULL: then the message is not freed */
};

typedef struct sched_mailbox_t {
    sched_mpsc_t queue;
    sched_msg_t *_first; /* private list: drained messages, oldest first */
    sched_msg_t *_last;
    uint32_t _count; /* messages in the private list */
} sched_mailbox_t;

/* Initialises mb (caller-owned) empty. */
void sched_mailbox_init(sched_mailbox_t *mb);

/* Appends msg; mb keeps it until it is taken or dropped. Any thread. */
static inline void sched_mailbox_push(sched_mailbox_t *mb, sched_msg_t *msg)
{
    sched_mpsc_push(&mb->queue, &msg->_node);
}

/* Removes and returns the oldest message (owned by the caller), or NULL if
 * none has fully arrived. Consumer thread. */
sched_msg_t *sched_mailbox_take(sched_mailbox_t *mb);

/* Returns the oldest message without removing it (borrowed), or NULL.
 * Consumer thread. */
sched_msg_t *sched_mailbox_first(sched_mailbox_t *mb);

/* Returns the message after msg (borrowed) in arrival order, draining newly
 * arrived messages when msg is the last one; NULL at the end. Consumer. */
sched_msg_t *sched_mailbox_next(sched_mailbox_t *mb, sched_msg_t *msg);

/* Removes msg, whose predecessor is prev (NULL when msg is the first), as
 * returned by first/next; the caller owns msg afterwards. Consumer. */
void sched_mailbox_remove(sched_mailbox_t *mb, sched_msg_t *prev, sched_msg_t *msg);

/* Moves every fully arrived message to the private list (so that the MPSC
 * queue only shows what arrives later). Consumer thread. */
void sched_mailbox_drain(sched_mailbox_t *mb);

/* Returns true if a message has arrived or is arriving (see
 * sched_mpsc_empty for the ordering this gives). Consumer thread. */
bool sched_mailbox_pending(sched_mailbox_t *mb);

/* Removes every message that has fully arrived, calling its drop callback;
 * returns how many. Consumer thread, once no producer can push any more. */
uint32_t sched_mailbox_drop_all(sched_mailbox_t *mb);

#endif
