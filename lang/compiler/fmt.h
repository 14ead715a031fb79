/* fmt.h: `snowc fmt`, the canonical layout of Snow source (language.md 11).
 *
 * fmt_source re-lays a file out from its token stream (lex_tokens_trivia:
 * tokens, comments and line breaks). The output depends only on the tokens
 * and on where comments stood, never on the input's spaces, indentation or
 * blank lines, which is what makes formatting idempotent. Line breaks of the
 * input are kept only where they separate statements (outside delimiters);
 * inside `( ) [ ] { }` they are dropped and a line longer than line_width is
 * broken again after the commas of its outermost list. docs/tooling.md lists
 * every convention.
 *
 * The formatter never drops a token or a comment. It does not parse: the
 * caller (fmt_cmd.c) refuses to format a file that does not parse, because
 * the layout of a broken file could change its meaning.
 */
#ifndef SNOW_LANG_COMPILER_FMT_H
#define SNOW_LANG_COMPILER_FMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FMT_INDENT_SIZE_DEFAULT 2
#define FMT_LINE_WIDTH_DEFAULT 100
/* Blocks, delimiters and closures nest at most this deep (the parser's
 * PARSE_NEST_MAX is lower, so a file that parses always fits). */
#define FMT_NEST_MAX 1024

typedef struct {
    int indent_size; /* spaces per level, >= 1 */
    int line_width;  /* columns before a parenthesised list is broken, >= 1 */
} fmt_options_t;

/* Returns the canonical form of src[0..len) (borrowed) as an owned,
 * NUL-terminated string (free with free()) and its length in *out_len.
 * Returns NULL only when the nesting exceeds FMT_NEST_MAX; aborts when out
 * of memory. */
char *fmt_source(const char *src, uint32_t len, const fmt_options_t *opt, size_t *out_len);

/* Whether b[0..blen) has the same tokens and comments as a[0..alen) (both
 * borrowed), ignoring line breaks and `;` separators: the check fmt_cmd.c
 * runs before it writes a file, so a formatter bug never loses code. */
bool fmt_same_tokens(const char *a, uint32_t alen, const char *b, uint32_t blen);

#endif
