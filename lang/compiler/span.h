/* span.h: source locations shared by every compiler phase.
 *
 * A span is a half-open byte range [start, end) in one source file, named by
 * its index in the compilation's source table (source.h). Spans are small
 * values, copied freely; line and column are computed only when a
 * diagnostic is printed.
 */
#ifndef SNOW_LANG_COMPILER_SPAN_H
#define SNOW_LANG_COMPILER_SPAN_H

#include <stdint.h>

typedef struct {
    uint32_t file;  /* index in the source table */
    uint32_t start; /* byte offset of the first byte */
    uint32_t end;   /* byte offset one past the last byte */
} span_t;

/* The smallest span covering a and b (same file). */
static inline span_t span_join(span_t a, span_t b)
{
    span_t s = a;
    if (b.start < s.start)
        s.start = b.start;
    if (b.end > s.end)
        s.end = b.end;
    return s;
}

#endif
