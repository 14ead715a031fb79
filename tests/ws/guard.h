/* guard.h: test inputs that end at a PROT_NONE page (STYLE 9), so a parser
 * that reads one byte past its input crashes the test instead of passing by
 * luck (picohttpparser test.c maps its guard page the same way). */
#ifndef SNOW_TESTS_WS_GUARD_H
#define SNOW_TESTS_WS_GUARD_H

#include <criterion/criterion.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

typedef struct guard_t {
    char *map;
    size_t map_len;
    const char *data; /* the copy, ending flush against the guard page */
} guard_t;

/* Copies len bytes of s so that s[len] would be the first byte of a
 * PROT_NONE page. Free with guard_free. */
static inline guard_t guard_copy(const char *s, size_t len)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t data_pages = (len + page - 1) / page;
    if (data_pages == 0)
        data_pages = 1;
    guard_t g;
    g.map_len = (data_pages + 1) * page;
    g.map = mmap(NULL, g.map_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    cr_assert_neq(g.map, MAP_FAILED);
    cr_assert_eq(mprotect(g.map + data_pages * page, page, PROT_NONE), 0);
    char *d = g.map + data_pages * page - len;
    memcpy(d, s, len);
    g.data = d;
    return g;
}

static inline void guard_free(guard_t *g) { munmap(g->map, g->map_len); }

#endif
