/* parse_int.h: the parser's shared state and helpers, used by parse.c
 * (blocks, statements, recovery), parse_expr.c (expressions), parse_pat.c
 * (patterns, types, parameters) and parse_item.c (items). Not for use
 * outside the parser.
 *
 * Newlines (language.md 1.2): the lexer emits every NEWLINE; the parser
 * skips them while `depth` (open ( [ { %{ ) is non-zero. Every function that
 * opens a delimiter increments depth after consuming the opener and
 * decrements it before consuming the closer, on every path.
 *
 * Errors: perr records P0001 unless the current statement already failed
 * (`failed`); the statement loops in parse.c then skip to a sync point
 * (parse_sync) and clear the flag. Parsing functions never return NULL:
 * after an error they return a placeholder node and stop consuming.
 */
#ifndef SNOW_LANG_COMPILER_PARSE_INT_H
#define SNOW_LANG_COMPILER_PARSE_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "lang/compiler/lex.h"
#include "lang/compiler/parse.h"

typedef struct {
    arena_t *arena;
    interner_t *in;
    diag_t *diag;
    const source_table_t *sources;
    uint32_t file;
    const char *src;
    uint32_t src_len;

    token_t *toks;
    uint32_t ntoks;
    uint32_t pos;      /* index of the next token */
    uint32_t prev_end; /* end offset of the last consumed token */

    uint32_t depth;  /* open delimiters: NEWLINE is invisible when > 0 */
    uint32_t interp; /* open ${ } interpolations */
    uint32_t nest;   /* recursion guard, <= PARSE_NEST_MAX */
    bool no_do;      /* parsing an if/while/for/case head: `do` ends the expression */

    bool failed;       /* the current statement reported an error */
    bool eof_reported; /* an error at end of file was reported */
    bool stopped;      /* PARSE_ERRORS_MAX reached */
    uint32_t muted;    /* > 0: errors only mark the statement failed (recovery parses) */
    uint32_t errors;

    sym_t sym_self, sym_wild, sym_from, sym_deriving, sym_fun;
} parser_t;

/* ------------------------------------------------------------- tokens */

/* The next token (skipping NEWLINE when inside delimiters). */
const token_t *pk(parser_t *p);
/* The token n places after the next one, with the same NEWLINE rule. */
const token_t *pk_at(parser_t *p, uint32_t n);
static inline tok_kind_t pkind(parser_t *p)
{
    return (tok_kind_t)pk(p)->kind;
}
static inline bool at(parser_t *p, tok_kind_t k)
{
    return pkind(p) == k;
}
/* Consumes and returns the next token. */
const token_t *adv(parser_t *p);
/* Consumes the next token if it is k. */
bool accept(parser_t *p, tok_kind_t k);
/* Consumes k or reports `expected <what>` (what defaults to k's spelling). */
bool expect(parser_t *p, tok_kind_t k, const char *what);
/* Is the next token IDENT with this interned text? */
bool at_word(parser_t *p, sym_t word);
/* Interns a token's text. */
sym_t tok_sym(parser_t *p, const token_t *t);
static inline span_t tok_span(const parser_t *p, const token_t *t)
{
    return (span_t){p->file, t->start, t->end};
}
/* Span from offset start to the end of the last consumed token. */
static inline span_t span_from(const parser_t *p, uint32_t start)
{
    return (span_t){p->file, start, p->prev_end > start ? p->prev_end : start};
}
/* Skips NEWLINE and `;` tokens; returns true if any were skipped. */
bool skip_seps(parser_t *p);
/* Is the token the first one on its line? */
bool tok_line_start(const parser_t *p, const token_t *t);

/* ------------------------------------------------------------- errors */

void perr(parser_t *p, span_t span, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Reports at the next token. */
void perr_here(parser_t *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* `expected `end` to close `<what>`` plus a secondary label at the opener. */
bool expect_end(parser_t *p, const token_t *opener, const char *what);
/* Enter/leave one nesting level; false (and an error) beyond PARSE_NEST_MAX. */
bool nest_enter(parser_t *p, span_t at);
static inline void nest_leave(parser_t *p)
{
    p->nest--;
}
/* Skips the rest of a failed statement that started at token index from,
 * then clears `failed` and restores the delimiter depth to depth. */
void parse_sync(parser_t *p, uint32_t from, uint32_t depth);

/* ------------------------------------------------------------- arrays */

/* Capacity of an arena array of len items grown by grow_array (4, 8, 16..). */
static inline uint32_t arr_cap(uint32_t len)
{
    uint32_t cap = 4;
    while (cap < len)
        cap *= 2;
    return len ? cap : 0;
}
/* Grows an arena array of elem-sized items to hold one more (doubling). */
void *grow_array(parser_t *p, void *items, uint32_t len, uint32_t *cap, size_t elem);
#define PUSH(p, items, len, cap, value)                                                     \
    do {                                                                                    \
        if ((len) == (cap))                                                                 \
            (items) = grow_array((p), (items), (len), &(cap), sizeof(*(items)));            \
        (items)[(len)++] = (value);                                                         \
    } while (0)

/* ------------------------------------------------------------- grammar */

/* Block = [SEP] { ItemOrStmt [SEP] } [ItemOrStmt]; ends before `end`, `else`,
 * EOF or a closing delimiter. With terminate != NULL, `terminate do .. end`
 * clauses are accepted (actor bodies) and stored there. */
ast_block_t *parse_block(parser_t *p, ast_block_t **terminate);
/* `do` Block `end`; the `do` must be next. */
ast_block_t *parse_do_block(parser_t *p, const char *what);
ast_stmt_t *parse_stmt(parser_t *p);
ast_block_t *block_of_expr(parser_t *p, ast_expr_t *e);

ast_expr_t *parse_expr(parser_t *p);
/* An expression in a head position (`if e do`): `do` is not a trailing closure. */
ast_expr_t *parse_head_expr(parser_t *p);
ast_expr_t *expr_new(parser_t *p, ast_expr_kind_t kind, span_t span);
/* Parses a STRING token group into `*parts`; the STRING_START must be next. */
ast_expr_t *parse_string(parser_t *p);
/* Decodes D3 escapes in raw[0..len) into the arena. */
const char *decode_escapes(parser_t *p, const char *raw, uint32_t len, uint32_t *out_len);
/* Value of an INT token; false (with an error) if invalid/out of range.
 * negated: the literal follows a unary minus (allows 9223372036854775808). */
bool int_value(parser_t *p, const token_t *t, bool negated, int64_t *out);
double float_value(parser_t *p, const token_t *t);

ast_pat_t *parse_pattern(parser_t *p);
ast_pat_t *parse_pat_primary(parser_t *p);
ast_pat_t *pat_new(parser_t *p, ast_pat_kind_t kind, span_t span);
ast_type_t *parse_type(parser_t *p);
/* ClauseParam (3.3): a name with optional `:: Type`, `self`, or a pattern. */
ast_param_t parse_clause_param(parser_t *p);
/* "(" [ClauseParam {"," ClauseParam} [","]] ")" */
ast_params_t parse_clause_params(parser_t *p);
/* Params = "(" [(IDENT|self) ["::" Type] {","..}] ")" */
ast_params_t parse_simple_params(parser_t *p);
/* GenericParams = "<" [IDENT {"," IDENT} [","]] ">" (the `<` must be next) */
ast_names_t parse_generics(parser_t *p);
ast_path_t parse_path(parser_t *p);
ast_bounds_t parse_where(parser_t *p);

/* Item dispatch: is the next token the start of an item (not a closure)? */
bool at_item_start(parser_t *p);
ast_item_t *parse_item(parser_t *p);

#endif
