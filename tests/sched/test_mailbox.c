/* Tests for sched/mailbox.c: the MPSC queue and the consumer-side list
 * (DESIGN 5, language.md 8.2 per-sender FIFO, issue 7). */
#include <criterion/criterion.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>

#include "sched/mailbox.h"

typedef struct {
    sched_msg_t hdr; /* first, so a sched_msg_t * is a test_msg_t * */
    int producer;
    int seq;
} test_msg_t;

static int dropped;

static void drop_msg(sched_msg_t *m)
{
    dropped++;
    free(m);
}

static test_msg_t *msg_new(int producer, int seq)
{
    test_msg_t *m = calloc(1, sizeof *m);
    cr_assert_not_null(m);
    m->producer = producer;
    m->seq = seq;
    m->hdr.drop = drop_msg;
    return m;
}

Test(sched_mailbox, take_returns_messages_in_push_order)
{
    sched_mailbox_t mb;
    sched_mailbox_init(&mb);
    cr_assert_null(sched_mailbox_take(&mb));
    cr_assert_not(sched_mailbox_pending(&mb));
    for (int i = 0; i < 5; i++)
        sched_mailbox_push(&mb, &msg_new(0, i)->hdr);
    cr_assert(sched_mailbox_pending(&mb));
    for (int i = 0; i < 5; i++) {
        test_msg_t *m = (test_msg_t *)sched_mailbox_take(&mb);
        cr_assert_not_null(m);
        cr_assert_eq(m->seq, i);
        free(m);
    }
    cr_assert_null(sched_mailbox_take(&mb));
    cr_assert_not(sched_mailbox_pending(&mb));
    /* The queue keeps working after being emptied (the stub went round). */
    sched_mailbox_push(&mb, &msg_new(0, 9)->hdr);
    test_msg_t *m = (test_msg_t *)sched_mailbox_take(&mb);
    cr_assert_eq(m->seq, 9);
    free(m);
}

Test(sched_mailbox, remove_from_the_middle_keeps_the_rest_in_order)
{
    sched_mailbox_t mb;
    sched_mailbox_init(&mb);
    for (int i = 0; i < 3; i++)
        sched_mailbox_push(&mb, &msg_new(0, i)->hdr);
    /* Scan to seq 1, then more arrive while we hold our place. */
    sched_msg_t *prev = sched_mailbox_first(&mb);
    sched_msg_t *m = sched_mailbox_next(&mb, prev);
    cr_assert_eq(((test_msg_t *)m)->seq, 1);
    sched_mailbox_push(&mb, &msg_new(0, 3)->hdr);
    sched_mailbox_remove(&mb, prev, m);
    free(m);
    /* The last one, then the one that arrived during the scan. */
    sched_msg_t *last = sched_mailbox_next(&mb, sched_mailbox_next(&mb, prev));
    cr_assert_eq(((test_msg_t *)last)->seq, 3);
    cr_assert_null(sched_mailbox_next(&mb, last));
    sched_mailbox_remove(&mb, sched_mailbox_next(&mb, prev), last);
    free(last);
    int want[] = {0, 2};
    for (int i = 0; i < 2; i++) {
        test_msg_t *t = (test_msg_t *)sched_mailbox_take(&mb);
        cr_assert_eq(t->seq, want[i]);
        free(t);
    }
    cr_assert_null(sched_mailbox_take(&mb));
    /* Removing the tail reset _last: new pushes append correctly. */
    sched_mailbox_push(&mb, &msg_new(0, 4)->hdr);
    test_msg_t *t = (test_msg_t *)sched_mailbox_take(&mb);
    cr_assert_eq(t->seq, 4);
    free(t);
}

Test(sched_mailbox, drop_all_frees_every_message)
{
    sched_mailbox_t mb;
    sched_mailbox_init(&mb);
    for (int i = 0; i < 7; i++)
        sched_mailbox_push(&mb, &msg_new(0, i)->hdr);
    sched_mailbox_first(&mb); /* some in the private list, some not */
    sched_mailbox_push(&mb, &msg_new(0, 7)->hdr);
    cr_assert_eq(sched_mailbox_drop_all(&mb), 8);
    cr_assert_eq(dropped, 8);
    cr_assert_not(sched_mailbox_pending(&mb));
}

enum { PRODUCERS = 4, PER_PRODUCER = 200000 };

typedef struct {
    sched_mailbox_t *mb;
    int producer;
    test_msg_t *msgs; /* preallocated: the test measures the queue */
} producer_arg_t;

static void *produce(void *p)
{
    producer_arg_t *a = p;
    for (int i = 0; i < PER_PRODUCER; i++) {
        a->msgs[i].producer = a->producer;
        a->msgs[i].seq = i;
        sched_mailbox_push(a->mb, &a->msgs[i].hdr);
        if (i % 4096 == 0)
            sched_yield(); /* vary the interleaving */
    }
    return NULL;
}

Test(sched_mailbox, concurrent_producers_each_message_once_in_sender_order, .timeout = 60)
{
    sched_mailbox_t mb;
    sched_mailbox_init(&mb);
    pthread_t threads[PRODUCERS];
    producer_arg_t args[PRODUCERS];
    for (int p = 0; p < PRODUCERS; p++) {
        args[p] = (producer_arg_t){&mb, p, calloc(PER_PRODUCER, sizeof(test_msg_t))};
        cr_assert_not_null(args[p].msgs);
        cr_assert_eq(pthread_create(&threads[p], NULL, produce, &args[p]), 0);
    }
    int next_seq[PRODUCERS] = {0};
    long received = 0, empty_polls = 0;
    while (received < (long)PRODUCERS * PER_PRODUCER) {
        test_msg_t *m = (test_msg_t *)sched_mailbox_take(&mb);
        if (!m) {
            empty_polls++;
            continue;
        }
        cr_assert(m->producer >= 0 && m->producer < PRODUCERS);
        /* Exactly the next one from that producer: no loss, no duplicate,
         * no reordering within a sender. */
        cr_assert_eq(m->seq, next_seq[m->producer], "producer %d", m->producer);
        cr_assert_eq(m, &args[m->producer].msgs[m->seq]);
        next_seq[m->producer]++;
        received++;
    }
    for (int p = 0; p < PRODUCERS; p++) {
        cr_assert_eq(pthread_join(threads[p], NULL), 0);
        cr_assert_eq(next_seq[p], PER_PRODUCER);
        free(args[p].msgs);
    }
    cr_assert_null(sched_mailbox_take(&mb));
    cr_assert_not(sched_mailbox_pending(&mb));
    cr_log_info("empty polls: %ld", empty_polls);
}

typedef struct {
    sched_mpsc_node_t node;
    int producer, seq;
} bare_node_t;

static sched_mpsc_t bare_q;

static void *produce_bare(void *p)
{
    bare_node_t *nodes = p;
    for (int i = 0; i < PER_PRODUCER; i++)
        sched_mpsc_push(&bare_q, &nodes[i].node);
    return NULL;
}

Test(sched_mailbox, bare_mpsc_queue_delivers_every_node, .timeout = 60)
{
    sched_mpsc_init(&bare_q);
    pthread_t threads[PRODUCERS];
    bare_node_t *nodes[PRODUCERS];
    for (int p = 0; p < PRODUCERS; p++) {
        nodes[p] = calloc(PER_PRODUCER, sizeof(bare_node_t));
        for (int i = 0; i < PER_PRODUCER; i++)
            nodes[p][i] = (bare_node_t){.producer = p, .seq = i};
        cr_assert_eq(pthread_create(&threads[p], NULL, produce_bare, nodes[p]), 0);
    }
    int next_seq[PRODUCERS] = {0};
    for (long got = 0; got < (long)PRODUCERS * PER_PRODUCER;) {
        bare_node_t *n = (bare_node_t *)sched_mpsc_pop(&bare_q);
        if (!n)
            continue;
        cr_assert_eq(n->seq, next_seq[n->producer]);
        next_seq[n->producer]++;
        got++;
    }
    for (int p = 0; p < PRODUCERS; p++) {
        pthread_join(threads[p], NULL);
        cr_assert_eq(next_seq[p], PER_PRODUCER);
        free(nodes[p]);
    }
    cr_assert(sched_mpsc_empty(&bare_q));
}
