/* lex.h: the Snow lexer (language.md 1).
 *
 * One pass over a file's bytes produces the whole token array. NEWLINE tokens
 * are always produced (runs of line breaks collapse into one); whether they
 * matter is decided by the parser from its delimiter depth (1.2). Comments,
 * including nested #= =# blocks, are dropped. String literals become
 * STRING_START, STRING_CONTENT / INTERP_START .. INTERP_END pieces and
 * STRING_END; a small mode stack tracks `${ ... }` nesting (1.6.4).
 *
 * Lexing never fails: every problem becomes a TOK_ERROR token whose aux is a
 * lex_error_t, and the parser reports it. The array always ends with TOK_EOF.
 */
#ifndef SNOW_LANG_COMPILER_LEX_H
#define SNOW_LANG_COMPILER_LEX_H

#include <stdint.h>

#include "lang/compiler/token.h"

typedef struct {
    token_t *items; /* owned: free with lex_tokens_free */
    uint32_t len;   /* including the final TOK_EOF */
} lex_tokens_t;

/* Lexes src[0..len) (borrowed; src[len] need not be readable). Returns the
 * owned token array; aborts only when out of memory. */
lex_tokens_t lex_tokens(const char *src, uint32_t len);

/* Like lex_tokens, but comments become TOK_COMMENT tokens (aux: their
 * lex_comment_t; a line comment's span excludes the line break) and runs
 * of line breaks are not collapsed, so tools can see every comment and
 * blank line. Not for the parser. */
lex_tokens_t lex_tokens_trivia(const char *src, uint32_t len);

void lex_tokens_free(lex_tokens_t *t);

/* Decodes one UTF-8 code point at s[0..avail). Returns its length (1-4) and
 * sets *cp, or 0 if the bytes are not valid UTF-8 (overlong, surrogate,
 * beyond U+10FFFF or truncated). */
int lex_utf8_decode(const unsigned char *s, uint32_t avail, uint32_t *cp);

#endif
