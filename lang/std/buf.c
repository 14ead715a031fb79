/* buf.c: growable byte buffer (see buf.h). */
#include "lang/std/buf.h"

#include <string.h>

#include "lang/std/alloc.h"

void std_buf_reserve(std_buf_t *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + extra + 1)
        cap *= 2;
    b->p = std_rt_realloc(b->p, cap);
    b->cap = cap;
}

void std_buf_put(std_buf_t *b, const void *bytes, size_t n)
{
    std_buf_reserve(b, n);
    if (n)
        memcpy(b->p + b->len, bytes, n);
    b->len += n;
}

void std_buf_puts(std_buf_t *b, const char *s) { std_buf_put(b, s, strlen(s)); }

void std_buf_putc(std_buf_t *b, char c)
{
    std_buf_reserve(b, 1);
    b->p[b->len++] = c;
}

void std_buf_put_str(std_buf_t *b, const snow_string_t *s) { std_buf_put(b, s->bytes, s->len); }

void std_buf_free(std_buf_t *b)
{
    std_rt_free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

snow_string_t *std_buf_to_string(snow_ctx_t *cx, std_buf_t *b)
{
    snow_string_t *s = snow_string_new(cx, b->p ? b->p : "", b->len);
    std_buf_free(b);
    return s;
}
