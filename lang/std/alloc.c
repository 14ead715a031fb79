/* alloc.c: jemalloc-backed runtime memory (see alloc.h). */
#include "lang/std/alloc.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if !defined(SNOW_USE_SANITIZE)
#include <jemalloc/jemalloc.h>
#endif

_Noreturn void std_rt_die(const char *msg)
{
    static const char pre[] = "snow: fatal: ";
    ssize_t r = write(2, pre, sizeof pre - 1);
    r = write(2, msg, strlen(msg));
    r = write(2, "\n", 1);
    (void)r;
    abort();
}

void *std_rt_alloc(size_t size)
{
#if defined(SNOW_USE_SANITIZE)
    void *p = malloc(size ? size : 1);
#else
    void *p = mallocx(size ? size : 1, 0);
#endif
    if (!p)
        std_rt_die("out of memory (runtime allocation)");
    return p;
}

void *std_rt_calloc(size_t count, size_t size)
{
    if (size && count > (size_t)-1 / size)
        std_rt_die("allocation size overflow");
#if defined(SNOW_USE_SANITIZE)
    void *p = calloc(count ? count : 1, size ? size : 1);
#else
    size_t total = count * size;
    void *p = mallocx(total ? total : 1, MALLOCX_ZERO);
#endif
    if (!p)
        std_rt_die("out of memory (runtime allocation)");
    return p;
}

void *std_rt_realloc(void *p, size_t size)
{
    if (!p)
        return std_rt_alloc(size);
#if defined(SNOW_USE_SANITIZE)
    void *q = realloc(p, size ? size : 1);
#else
    void *q = rallocx(p, size ? size : 1, 0);
#endif
    if (!q)
        std_rt_die("out of memory (runtime allocation)");
    return q;
}

void std_rt_free(void *p)
{
    if (!p)
        return;
#if defined(SNOW_USE_SANITIZE)
    free(p);
#else
    dallocx(p, 0);
#endif
}
