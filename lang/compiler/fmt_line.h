/* fmt_line.h: the formatter's output side: one physical line at a time.
 *
 * fmt.c decides where lines start and what goes on them; this module keeps
 * the line being built, remembers after which commas (and before which
 * parenthesised `|>`) it may be broken, and on flush writes it to the
 * output, broken after the commas of its shallowest list when it is wider
 * than the line width (language.md 11); a parenthesised pipeline at that
 * depth is broken before its `|>` first.
 * Breaking depends only on the line's text, so a broken line joined again
 * by the next run breaks the same way (idempotence).
 */
#ifndef SNOW_LANG_COMPILER_FMT_LINE_H
#define SNOW_LANG_COMPILER_FMT_LINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint32_t off;   /* byte offset in text where a new line may start */
    uint32_t level; /* 2 * delimiter depth, + 1 for a comma (a `|>` breaks first) */
} fmt_break_t;

typedef struct {
    /* output so far (owned) */
    char *out;
    size_t out_len;
    size_t out_cap;
    /* the open line, without its indentation (owned) */
    char *text;
    size_t text_len;
    size_t text_cap;
    fmt_break_t *breaks; /* owned */
    size_t break_count;
    size_t break_cap;
    uint32_t indent; /* columns of the open line */
    bool open;
    int indent_size;
    int line_width;
} fmt_line_t;

void fmt_line_init(fmt_line_t *l, int indent_size, int line_width);
/* Frees everything, including the output unless it was taken. */
void fmt_line_destroy(fmt_line_t *l);

/* Starts a line at indent columns, flushing the open one first. */
void fmt_line_start(fmt_line_t *l, uint32_t indent);

/* Appends s[0..len) to the open line, after one space when space is true
 * and the line is not empty. */
void fmt_line_put(fmt_line_t *l, const char *s, size_t len, bool space);

/* Records that the open line may be broken after its last byte when it is
 * too wide: after a comma (pipe false) or before a `|>` about to be put
 * (pipe true); depth is the delimiter depth of the list or the pipeline.
 * At the same depth, a line breaks before its pipes first. */
void fmt_line_mark_break(fmt_line_t *l, uint32_t depth, bool pipe);

/* Writes the open line (if any) to the output and closes it. */
void fmt_line_flush(fmt_line_t *l);

/* Flushes, then writes one empty line unless the output is empty or
 * already ends with an empty line. */
void fmt_line_blank(fmt_line_t *l);

/* Flushes and returns the output, owned (free with free()), NUL-terminated,
 * ending with exactly one newline unless empty. */
char *fmt_line_take(fmt_line_t *l, size_t *len);

#endif
