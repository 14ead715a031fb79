/* buf.h: growable byte buffer in runtime memory, used to build text before
 * it becomes one heap string (formatting, JSON, joins).
 *
 * A buffer is owned by its creator and freed with std_buf_free; converting
 * it with std_buf_to_string copies the bytes into the heap and frees it. If
 * the process panics while a buffer is live, the buffer leaks (panics end the
 * process; the scheduler will reclaim process memory wholesale). */
#ifndef SNOW_LANG_STD_BUF_H
#define SNOW_LANG_STD_BUF_H

#include <stddef.h>
#include <stdint.h>

#include "lang/std/snow.h"

typedef struct std_buf_t {
    char *p;
    size_t len;
    size_t cap;
} std_buf_t;

#define STD_BUF_INIT                                                                               \
    {                                                                                              \
        NULL, 0, 0                                                                                 \
    }

void std_buf_reserve(std_buf_t *b, size_t extra);
void std_buf_put(std_buf_t *b, const void *bytes, size_t n);
void std_buf_puts(std_buf_t *b, const char *s);
void std_buf_putc(std_buf_t *b, char c);
void std_buf_put_str(std_buf_t *b, const snow_string_t *s);
void std_buf_free(std_buf_t *b);

/* Copies the bytes into a new heap string of cx and frees b. The bytes must
 * be valid UTF-8. */
snow_string_t *std_buf_to_string(snow_ctx_t *cx, std_buf_t *b);

#endif
