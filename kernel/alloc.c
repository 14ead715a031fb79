/* Runtime allocation over jemalloc (see alloc.h).
 *
 * Invariant: a failed allocation never returns; the failure message is written
 * with write(2) because stdio may itself allocate (ponyc mem/alloc.c). */
#include "kernel/alloc.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jemalloc/jemalloc.h>

#include "kernel/assert.h"

/* Counts blocks, not bytes; relaxed because it is only read by tests after
 * the threads that allocate have been joined. */
static atomic_int_least64_t live_count;

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
    atomic_fetch_add_explicit(&live_count, 1, memory_order_relaxed);
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
    atomic_fetch_add_explicit(&live_count, 1, memory_order_relaxed);
    return p;
}

void kern_free(void *p)
{
    if (p == NULL)
        return;
    atomic_fetch_sub_explicit(&live_count, 1, memory_order_relaxed);
    RAW_FREE(p);
}

int64_t kern_alloc_live_count(void)
{
    return atomic_load_explicit(&live_count, memory_order_relaxed);
}

const char *kern_alloc_backend(void) { return BACKEND; }
