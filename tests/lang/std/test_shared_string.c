/* Tests of shared large strings (lang/std/heap.h "Shared large strings",
 * copy.h; issue 7: "large strings are shared, not copied").
 *
 * The heaps here have no stack roots (stack_hi NULL) and one root slot
 * each, so what survives a collection is exactly what a slot names. Test
 * bodies hold string addresses XOR-masked in volatile locals (unmasked only
 * in argument registers for one call) and do the work in noinline helpers,
 * so a stale callee-saved register spilled by the collector cannot keep a
 * string alive. */
#include <criterion/criterion.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lang/std/copy.h"
#include "lang/std/heap.h"
#include "lang/std/snow.h"

TestSuite(std_shared_string, .timeout = 120);

#define MIB ((size_t)1 << 20)
#define MASK ((uintptr_t)0x5a5a5a5a5a5a5a5aull)
#define UNMASK(m) ((snow_string_t *)((m) ^ MASK))

/* A heap with one root slot. */
typedef struct rooted_t {
    std_heap_t heap;
    snow_word_t root[1];
} rooted_t;

static void rooted_init(rooted_t *r)
{
    std_heap_init(&r->heap, NULL);
    r->root[0] = 0;
    std_heap_root_add(&r->heap, r->root, r->root + 1);
}

static void rooted_destroy(rooted_t *r)
{
    std_heap_destroy(&r->heap);
}

static uint64_t shared_count(void)
{
    uint64_t count, bytes;
    std_heap_shared_stats(&count, &bytes);
    return count;
}

static char pattern_at(size_t i, unsigned seed)
{
    return (char)('a' + (i * 7 + seed) % 26);
}

/* Deep call frames scrub stale pointers below the current frame. */
__attribute__((noinline)) static void scrub_stack(void)
{
    volatile char pad[16384];
    memset((char *)pad, 0, sizeof pad);
}

__attribute__((noinline)) static void collect(std_heap_t *h)
{
    scrub_stack();
    std_heap_collect(h);
}

/* Makes a len-byte string in r, roots it, returns its masked address. With
 * full, every byte follows the pattern; otherwise one byte per 64 KiB and
 * the last (the rest of a fresh mapping is zero, never faulted in). */
__attribute__((noinline)) static uintptr_t make_string(rooted_t *r, size_t len, unsigned seed,
                                                       bool full)
{
    snow_string_t *s = std_heap_alloc(&r->heap, sizeof *s + len + 1);
    s->h.kind = SNOW_OBJ_STRING;
    s->len = len;
    for (size_t i = 0; i < len; i += full ? 1 : 65536)
        s->bytes[i] = pattern_at(i, seed);
    s->bytes[len - 1] = pattern_at(len - 1, seed);
    r->root[0] = SNOW_WORD_PTR(s);
    return (uintptr_t)s ^ MASK;
}

/* True when the string at masked has length len and the pattern of seed. */
__attribute__((noinline)) static bool string_ok(uintptr_t masked, size_t len, unsigned seed,
                                               bool full)
{
    const snow_string_t *s = UNMASK(masked);
    if (s->h.kind != SNOW_OBJ_STRING || s->len != len || s->bytes[len] != 0)
        return false;
    if (s->bytes[len - 1] != pattern_at(len - 1, seed))
        return false;
    for (size_t i = 0; i < len; i += full ? 1 : 65536)
        if (s->bytes[i] != pattern_at(i, seed))
            return false;
    return true;
}

/* Copies the value at masked from src into dst (a heap or a fragment);
 * returns the copy's masked address. */
__attribute__((noinline)) static uintptr_t copy_masked(std_heap_t *dst, std_heap_t *src,
                                                       uintptr_t masked)
{
    snow_word_t w = std_copy_value(dst, src, SNOW_WORD_PTR(UNMASK(masked)), true);
    return (uintptr_t)w ^ MASK;
}

/* A message fragment as sched/actor.c makes one. */
static void frag_init(std_heap_t *frag)
{
    std_heap_init(frag, NULL);
    frag->gc_off = 1;
}

static bool mapped(uintptr_t masked)
{
    /* msync fails with ENOMEM on an address no mapping covers. */
    uintptr_t page = ((uintptr_t)UNMASK(masked)) & ~(uintptr_t)4095;
    return msync((void *)page, 4096, MS_ASYNC) == 0 || errno != ENOMEM;
}

Test(std_shared_string, a_copied_large_string_is_shared_and_the_last_heap_unmaps_it)
{
    static rooted_t a, b;
    rooted_init(&a);
    rooted_init(&b);
    uint64_t count0 = shared_count();
    volatile uintptr_t s = make_string(&a, MIB, 3, true);
    uint64_t b_mapped0 = b.heap.bytes_mapped;
    volatile uintptr_t c = copy_masked(&b.heap, &a.heap, s);
    cr_assert_eq(c, s, "the copy's bytes pointer is the source's");
    cr_assert_eq(shared_count(), count0 + 1);
    cr_assert_eq(std_heap_shared_refs(&a.heap, UNMASK(s)), 2);
    cr_assert_eq(std_heap_shared_refs(&b.heap, UNMASK(c)), 2);
    /* b counts the whole mapping (1 MiB + header, in 64 KiB units). */
    cr_assert_eq(b.heap.bytes_mapped - b_mapped0, MIB + 65536);
    cr_assert_geq(b.heap.bytes_since_gc, MIB);
    b.root[0] = SNOW_WORD_PTR(UNMASK(c));
    a.root[0] = 0;
    collect(&a.heap);
    cr_assert_null(std_heap_find(&a.heap, UNMASK(s)), "a dropped its reference");
    cr_assert_eq(a.heap.large_spare_count, 0, "b still reads it: a must not reuse it");
    cr_assert_eq(std_heap_shared_refs(&b.heap, UNMASK(c)), 1);
    cr_assert(string_ok(c, MIB, 3, true), "b's string outlives a's reference");
    collect(&b.heap);
    /* b counts the string (header + bytes + NUL, 16-byte rounded) as live. */
    cr_assert_eq(b.heap.bytes_live, (uint64_t)MIB + 32);
    cr_assert(string_ok(c, MIB, 3, true));
    b.root[0] = 0;
    collect(&b.heap);
    /* b held the last reference: the mapping is b's alone again, kept as a
     * spare for b's next large object (out of the page map). */
    cr_assert_eq(shared_count(), count0, "the last reference ended the sharing");
    cr_assert_null(std_heap_find(&b.heap, UNMASK(c)));
    cr_assert_eq(b.heap.large_spare_count, 1);
    cr_assert_eq(b.heap.bytes_mapped - b_mapped0, MIB + 65536);
    rooted_destroy(&a);
    rooted_destroy(&b);
    cr_assert_not(mapped(c), "destroying b unmapped it");
}

/* Roots in a a record whose words point at the string at s and into the
 * middle of its bytes, copies the record into b and roots the copy there. */
__attribute__((noinline)) static void send_record(rooted_t *a, rooted_t *b, uintptr_t s)
{
    snow_record_t *r = std_heap_alloc(&a->heap, sizeof *r + 2 * sizeof(snow_word_t));
    r->h = (snow_obj_t){.kind = SNOW_OBJ_RECORD, .count = 2};
    r->ptrmask = 3;
    r->w[0] = SNOW_WORD_PTR(UNMASK(s));
    r->w[1] = SNOW_WORD_PTR(UNMASK(s)->bytes + 2 * MIB);
    a->root[0] = SNOW_WORD_PTR(r);
    snow_record_t *rb =
        SNOW_WORD_TO_PTR(snow_record_t, std_copy_value(&b->heap, &a->heap, SNOW_WORD_PTR(r), true));
    cr_assert_neq(rb, r, "the record is copied");
    cr_assert_eq(rb->w[0], SNOW_WORD_PTR(UNMASK(s)));
    cr_assert_eq(rb->w[1], SNOW_WORD_PTR(UNMASK(s)->bytes + 2 * MIB));
    b->root[0] = SNOW_WORD_PTR(rb);
}

/* Copies the interior pointer of b's record on to c and roots it there:
 * only that interior address keeps the string alive in c. */
__attribute__((noinline)) static void send_interior(rooted_t *b, rooted_t *c)
{
    snow_record_t *rb = SNOW_WORD_TO_PTR(snow_record_t, b->root[0]);
    snow_word_t wc = std_copy_value(&c->heap, &b->heap, rb->w[1], true);
    cr_assert_eq(wc, rb->w[1]);
    cr_assert_eq(std_heap_find(&c->heap, (void *)wc), SNOW_WORD_TO_PTR(void, rb->w[0]));
    c->root[0] = wc;
}

Test(std_shared_string, interior_pointers_resolve_and_the_string_travels_on_to_a_third_heap)
{
    static rooted_t a, b, c;
    rooted_init(&a);
    rooted_init(&b);
    rooted_init(&c);
    volatile uintptr_t s = make_string(&a, 3 * MIB, 5, false);
    send_record(&a, &b, s);
    cr_assert_eq(std_heap_shared_refs(&b.heap, UNMASK(s)), 2, "one reference per heap");
    cr_assert_eq(std_heap_find(&b.heap, UNMASK(s)->bytes + 2 * MIB), UNMASK(s));
    cr_assert_eq(std_heap_find(&b.heap, UNMASK(s)->bytes + 3 * MIB), UNMASK(s));
    send_interior(&b, &c);
    cr_assert_eq(std_heap_shared_refs(&c.heap, UNMASK(s)), 3);
    b.root[0] = 0;
    a.root[0] = 0;
    collect(&a.heap);
    collect(&b.heap);
    collect(&c.heap);
    cr_assert_eq(std_heap_find(&c.heap, UNMASK(s)->bytes + 2 * MIB), UNMASK(s),
                 "c's interior root keeps it");
    cr_assert(string_ok(s, 3 * MIB, 5, false));
    /* (Whether a and b dropped theirs on collection depends on stale
     * registers under -O3 with ASan; destroying them must.) */
    rooted_destroy(&a);
    rooted_destroy(&b);
    cr_assert_eq(std_heap_shared_refs(&c.heap, UNMASK(s)), 1);
    cr_assert(string_ok(s, 3 * MIB, 5, false));
    rooted_destroy(&c); /* destroy releases the last reference */
    cr_assert_not(mapped(s));
}

Test(std_shared_string, adopting_a_string_the_heap_already_has_keeps_one_reference)
{
    static rooted_t a, b;
    rooted_init(&a);
    rooted_init(&b);
    uint64_t count0 = shared_count();
    volatile uintptr_t s = make_string(&a, MIB, 7, false);
    std_heap_t f1, f2, f3;
    frag_init(&f1);
    frag_init(&f2);
    cr_assert_eq(copy_masked(&f1, &a.heap, s), s);
    cr_assert_eq(copy_masked(&f2, &a.heap, s), s);
    cr_assert_eq(std_heap_shared_refs(&a.heap, UNMASK(s)), 3);
    uint64_t b_mapped0 = b.heap.bytes_mapped;
    std_heap_adopt(&b.heap, &f1);
    std_heap_adopt(&b.heap, &f2);
    std_heap_destroy(&f1);
    std_heap_destroy(&f2);
    cr_assert_eq(std_heap_shared_refs(&b.heap, UNMASK(s)), 2, "a and b, once each");
    cr_assert_eq(b.heap.bytes_mapped - b_mapped0, MIB + 65536, "counted once in b");
    cr_assert_geq(b.heap.bytes_since_gc, 2 * MIB, "each message paces b's collector");
    /* b sends it back to a, which still has it. */
    frag_init(&f3);
    cr_assert_eq(copy_masked(&f3, &b.heap, s), s);
    cr_assert_eq(std_heap_shared_refs(&a.heap, UNMASK(s)), 3);
    std_heap_adopt(&a.heap, &f3);
    std_heap_destroy(&f3);
    cr_assert_eq(std_heap_shared_refs(&a.heap, UNMASK(s)), 2);
    /* A copy within one heap is the string itself, with no new reference. */
    cr_assert_eq(copy_masked(&a.heap, &a.heap, s), s);
    cr_assert_eq(std_heap_shared_refs(&a.heap, UNMASK(s)), 2);
    b.root[0] = SNOW_WORD_PTR(UNMASK(s));
    a.root[0] = 0;
    collect(&a.heap);
    cr_assert(string_ok(s, MIB, 7, false));
    b.root[0] = 0;
    collect(&b.heap);
    cr_assert_eq(shared_count(), count0);
    rooted_destroy(&a);
    rooted_destroy(&b);
}

Test(std_shared_string, a_fragment_dropped_unread_releases_its_reference)
{
    static rooted_t a;
    rooted_init(&a);
    uint64_t count0 = shared_count();
    volatile uintptr_t s = make_string(&a, MIB, 9, false);
    std_heap_t frag;
    frag_init(&frag);
    cr_assert_eq(copy_masked(&frag, &a.heap, s), s);
    cr_assert_eq(std_heap_shared_refs(&a.heap, UNMASK(s)), 2);
    std_heap_destroy(&frag); /* the receiver had exited: actor_msg_drop */
    cr_assert_eq(std_heap_shared_refs(&a.heap, UNMASK(s)), 1);
    cr_assert(string_ok(s, MIB, 9, false));
    a.root[0] = 0;
    collect(&a.heap);
    cr_assert_eq(shared_count(), count0);
    /* a held the last reference: its next large object of that size
     * reuses the mapping instead of mapping fresh memory. */
    cr_assert_eq(a.heap.large_spare_count, 1);
    uintptr_t again = make_string(&a, MIB, 10, false);
    cr_assert_eq(again, s);
    cr_assert(string_ok(again, MIB, 10, false));
    rooted_destroy(&a);
    cr_assert_not(mapped(s));
}

Test(std_shared_string, small_strings_and_large_non_strings_are_still_copied)
{
    static rooted_t a, b;
    rooted_init(&a);
    rooted_init(&b);
    uint64_t count0 = shared_count();
    /* The largest string that fits a small block is copied. */
    size_t small_len = STD_HEAP_SMALL_MAX - sizeof(snow_string_t) - 1;
    volatile uintptr_t s = make_string(&a, small_len, 1, true);
    volatile uintptr_t c = copy_masked(&b.heap, &a.heap, s);
    cr_assert_neq(c, s);
    cr_assert(string_ok(c, small_len, 1, true));
    /* One byte more and it has its own mapping: shared. */
    s = make_string(&a, small_len + 1, 1, true);
    cr_assert_eq(copy_masked(&b.heap, &a.heap, s), s);
    /* A large record is copied (only strings are immutable bytes). */
    uint32_t n = 10000;
    snow_record_t *r = std_heap_alloc(&a.heap, sizeof *r + n * sizeof(snow_word_t));
    r->h = (snow_obj_t){.kind = SNOW_OBJ_RECORD, .count = n};
    for (uint32_t i = 0; i < n; i++)
        r->w[i] = i;
    snow_record_t *rc =
        SNOW_WORD_TO_PTR(snow_record_t, std_copy_value(&b.heap, &a.heap, SNOW_WORD_PTR(r), true));
    cr_assert_neq(rc, r);
    cr_assert_eq(rc->w[n - 1], n - 1);
    cr_assert_eq(shared_count(), count0 + 1);
    rooted_destroy(&a);
    rooted_destroy(&b);
    cr_assert_eq(shared_count(), count0, "destroying both heaps released it");
}

/* A receiver that never allocates still collects on adoption: what it
 * received and dropped is released within about one threshold. */
Test(std_shared_string, a_receiver_that_never_allocates_still_releases_what_it_received)
{
    static rooted_t a, b;
    rooted_init(&a);
    rooted_init(&b);
    uint64_t count0 = shared_count(), most = 0;
    for (unsigned i = 0; i < 100; i++) {
        volatile uintptr_t s = make_string(&a, MIB, i, false);
        std_heap_t frag;
        frag_init(&frag);
        cr_assert_eq(copy_masked(&frag, &a.heap, s), s);
        std_heap_adopt(&b.heap, &frag);
        std_heap_destroy(&frag);
        a.root[0] = 0;
        collect(&a.heap);
        uint64_t n = shared_count() - count0;
        most = n > most ? n : most;
    }
    /* b's threshold is 4 MiB: it collects every few messages. */
    cr_assert_leq(most, 6, "%lu shared strings alive at once", (unsigned long)most);
    cr_assert_geq(b.heap.collections, 15);
    rooted_destroy(&a);
    rooted_destroy(&b);
    cr_assert_eq(shared_count(), count0);
}

/* {====== Two threads: A makes and sends, B adopts, checks and drops. */

enum { ROUNDS = 10000 };

typedef struct channel_t {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool full;
    std_heap_t frag; /* the message fragment */
    uintptr_t masked;
    uint64_t max_shared; /* most shared mappings seen alive at once */
    int failures;
} channel_t;

static channel_t chan = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};

static void note_shared(void)
{
    uint64_t n = shared_count();
    pthread_mutex_lock(&chan.lock);
    if (n > chan.max_shared)
        chan.max_shared = n;
    pthread_mutex_unlock(&chan.lock);
}

__attribute__((noinline)) static void send_one(rooted_t *a, unsigned i)
{
    volatile uintptr_t s = make_string(a, MIB, i, false);
    std_heap_t frag;
    frag_init(&frag);
    volatile uintptr_t c = copy_masked(&frag, &a->heap, s);
    pthread_mutex_lock(&chan.lock);
    chan.failures += c != s;
    while (chan.full)
        pthread_cond_wait(&chan.cond, &chan.lock);
    chan.frag = frag;
    chan.masked = c;
    chan.full = true;
    pthread_cond_broadcast(&chan.cond);
    pthread_mutex_unlock(&chan.lock);
    a->root[0] = 0;
}

static void *producer(void *arg)
{
    (void)arg;
    static rooted_t a;
    rooted_init(&a);
    for (unsigned i = 0; i < ROUNDS; i++) {
        send_one(&a, i);
        collect(&a.heap);
        note_shared();
    }
    collect(&a.heap);
    rooted_destroy(&a);
    return NULL;
}

__attribute__((noinline)) static void receive_one(rooted_t *b, unsigned i)
{
    pthread_mutex_lock(&chan.lock);
    while (!chan.full)
        pthread_cond_wait(&chan.cond, &chan.lock);
    std_heap_adopt(&b->heap, &chan.frag);
    std_heap_destroy(&chan.frag);
    uintptr_t m = chan.masked;
    chan.full = false;
    pthread_cond_broadcast(&chan.cond);
    pthread_mutex_unlock(&chan.lock);
    b->root[0] = SNOW_WORD_PTR(UNMASK(m));
    bool ok = string_ok(m, MIB, i, false) &&
              std_heap_find(&b->heap, UNMASK(m)->bytes + MIB / 2) == UNMASK(m);
    if (!ok) {
        pthread_mutex_lock(&chan.lock);
        chan.failures++;
        pthread_mutex_unlock(&chan.lock);
    }
    b->root[0] = 0;
}

static void *consumer(void *arg)
{
    (void)arg;
    static rooted_t b;
    rooted_init(&b);
    for (unsigned i = 0; i < ROUNDS; i++) {
        receive_one(&b, i);
        collect(&b.heap);
        note_shared();
    }
    collect(&b.heap);
    rooted_destroy(&b);
    return NULL;
}

static long rss_kib(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long pages = 0, resident = 0;
    if (f) {
        if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
            resident = 0;
        fclose(f);
    }
    return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

Test(std_shared_string, two_threads_pass_ten_thousand_strings_in_bounded_memory)
{
    uint64_t count0 = shared_count();
    long rss0 = rss_kib();
    pthread_t ta, tb;
    cr_assert_eq(pthread_create(&tb, NULL, consumer, NULL), 0);
    cr_assert_eq(pthread_create(&ta, NULL, producer, NULL), 0);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    cr_assert_eq(chan.failures, 0, "every copy was shared and every string arrived intact");
    /* At most: one in a's heap, one in the channel, one in b's heap, plus
     * one kept by a stale register in each collector. */
    cr_assert_leq(chan.max_shared, count0 + 6, "max %lu", (unsigned long)chan.max_shared);
    cr_assert_eq(shared_count(), count0, "every mapping was released");
    long grown = rss_kib() - rss0;
#ifdef SNOW_USE_SANITIZE
    long limit = (64 + 256) * 1024; /* ASan's quarantine keeps up to 256 MiB of freed descriptors */
#else
    long limit = 64 * 1024;
#endif
    cr_assert_lt(grown, limit, "RSS grew by %ld KiB over %d MiB sent", grown, ROUNDS);
}

/* }====== */
