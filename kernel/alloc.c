/* Runtime allocation over jemalloc (see alloc.h).
 *
 * Invariant: a failed allocation never returns; the failure message is written
 * with write(2) because stdio may itself allocate (ponyc mem/alloc.c). */
#include "kernel/alloc.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jemalloc/jemalloc.h>

#include "kernel/assert.h"

/* The live-block count is kept per thread and summed when read: one
 * shared counter was a contended cache line on every allocation and free
 * (perf/actors: ~15 % of a ring's CPU). Each slot has one writer at a time
 * (its owning thread), so updates are plain load/store pairs, not locked
 * read-modify-writes; a block freed on another thread than the one that
 * allocated it makes one slot go up and another down, and the sum stays
 * right. A thread's slot outlives it with its count and is reused by a
 * later thread. Counts blocks, not bytes; read by tests after the threads
 * that allocate have been joined (or are idle). */
typedef struct live_slot_t {
    atomic_int_least64_t n;
    atomic_bool owned;
    struct live_slot_t *next; /* immutable once published */
} live_slot_t;

static _Atomic(live_slot_t *) live_slots;
static _Thread_local live_slot_t *my_slot;
static pthread_key_t slot_key;
static pthread_once_t slot_once = PTHREAD_ONCE_INIT;

static void slot_release(void *slot) { atomic_store(&((live_slot_t *)slot)->owned, false); }

static void slot_key_make(void)
{
    if (pthread_key_create(&slot_key, slot_release) != 0)
        abort();
}

static _Noreturn void die(const char *what, size_t size);

/* The calling thread's slot: a free one from an ended thread, or a new one
 * (allocated with plain malloc: it is bookkeeping, not a counted block). */
static live_slot_t *slot_get(void)
{
    pthread_once(&slot_once, slot_key_make);
    live_slot_t *s = atomic_load(&live_slots);
    for (; s; s = s->next) {
        bool expected = false;
        if (atomic_compare_exchange_strong(&s->owned, &expected, true))
            break;
    }
    if (!s) {
        s = malloc(sizeof *s);
        if (!s)
            die("kern_alloc (counter)", sizeof *s);
        atomic_init(&s->n, 0);
        atomic_init(&s->owned, true);
        s->next = atomic_load(&live_slots);
        while (!atomic_compare_exchange_weak(&live_slots, &s->next, s))
            ;
    }
    pthread_setspecific(slot_key, s);
    my_slot = s;
    return s;
}

static inline void live_add(int64_t d)
{
    live_slot_t *s = my_slot ? my_slot : slot_get();
    atomic_store_explicit(&s->n, atomic_load_explicit(&s->n, memory_order_relaxed) + d,
                          memory_order_relaxed);
}

static _Noreturn void die(const char *what, size_t size)
{
    char num[24];
    int i = (int)sizeof num;
    num[--i] = '\0';
    do {
        num[--i] = (char)('0' + size % 10);
        size /= 10;
    } while (size != 0 && i > 0);
    static const char pre[] = "snow: out of memory in ";
    ssize_t r = write(2, pre, sizeof pre - 1);
    r = write(2, what, strlen(what));
    r = write(2, " (", 2);
    r = write(2, num + i, strlen(num + i));
    r = write(2, " bytes)\n", 8);
    (void)r;
    abort();
}

_Noreturn void kern_assert_fail_(const char *expr, const char *file, int line, const char *func)
{
    char num[16];
    int i = (int)sizeof num;
    num[--i] = '\0';
    unsigned u = line < 0 ? 0u : (unsigned)line;
    do {
        num[--i] = (char)('0' + u % 10);
        u /= 10;
    } while (u != 0 && i > 0);
    const char *parts[] = {
        "snow: assertion failed: ", expr, " (", file, ":", num + i, ", ", func, ")\n"};
    for (size_t k = 0; k < sizeof parts / sizeof parts[0]; k++) {
        ssize_t r = write(2, parts[k], strlen(parts[k]));
        (void)r;
    }
    abort();
}

#if defined(SNOW_USE_SANITIZE)
#define RAW_ALLOC(n) malloc(n)
#define RAW_ALIGNED(a, n) aligned_alloc((a), ((n) + (a)-1) / (a) * (a))
#define RAW_REALLOC(p, n) realloc((p), (n))
#define RAW_FREE(p) free(p)
#define BACKEND "libc"
#else
#define RAW_ALLOC(n) mallocx((n), 0)
#define RAW_ALIGNED(a, n) mallocx((n), MALLOCX_ALIGN(a))
#define RAW_REALLOC(p, n) rallocx((p), (n), 0)
#define RAW_FREE(p) dallocx((p), 0)
#define BACKEND "jemalloc"
#endif

void *kern_alloc(size_t size)
{
    snow_assert(size > 0);
    void *p = RAW_ALLOC(size);
    if (p == NULL)
        die("kern_alloc", size);
    live_add(1);
    return p;
}

void *kern_calloc(size_t count, size_t size)
{
    size_t total;
    if (__builtin_mul_overflow(count, size, &total))
        die("kern_calloc (overflow)", SIZE_MAX);
    void *p = kern_alloc(total == 0 ? 1 : total);
    memset(p, 0, total);
    return p;
}

void *kern_realloc(void *p, size_t size)
{
    if (p == NULL)
        return kern_alloc(size);
    snow_assert(size > 0);
    void *q = RAW_REALLOC(p, size);
    if (q == NULL)
        die("kern_realloc", size);
    return q;
}

void *kern_alloc_aligned(size_t align, size_t size)
{
    snow_assert(align > 0 && (align & (align - 1)) == 0);
    snow_assert(size > 0);
    void *p = RAW_ALIGNED(align, size);
    if (p == NULL)
        die("kern_alloc_aligned", size);
    live_add(1);
    return p;
}

void kern_free(void *p)
{
    if (p == NULL)
        return;
    live_add(-1);
    RAW_FREE(p);
}

int64_t kern_alloc_live_count(void)
{
    int64_t sum = 0;
    for (live_slot_t *s = atomic_load(&live_slots); s; s = s->next)
        sum += atomic_load_explicit(&s->n, memory_order_relaxed);
    return sum;
}

const char *kern_alloc_backend(void) { return BACKEND; }
