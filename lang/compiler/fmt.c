/* fmt.c: the canonical layout of Snow source (fmt.h, language.md 11).
 *
 * One pass over the trivia token stream with a stack of contexts:
 *
 *   BLOCK      `do`/`else` bodies, `fn ->` bodies and the file itself. A line
 *              break here ends a statement, so it is kept (one per statement,
 *              `;` becomes one too); every statement gets its own line one
 *              level deeper than the line that opened the block. Blocks of
 *              module/interface/impl/sum type/actor/service/supervisor/child
 *              definitions, and the file, are "spaced": one blank line
 *              between members (a run of comments is one member).
 *   DELIM      `( [ { %{`: line breaks are invisible to the parser here
 *              (1.2), so they are dropped and fmt_line re-breaks long lists.
 *   INTERP     `${ ... }` inside a string: kept on one line.
 *   FN         a closure's parameters, until `do` (a BLOCK) or `->`.
 *   CLOSURE    an arrow closure `fn x -> e end`: kept inline; `end` closes it.
 *
 * Spacing between two tokens of a line is decided from the two tokens and a
 * few per-token facts computed first (is `<` a generic bracket, is `{` a
 * struct literal, is `|` a handler's `|state|` bar). Nothing depends on the
 * input's whitespace, so fmt_source(fmt_source(x)) == fmt_source(x).
 */
#include "lang/compiler/fmt.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/compiler/fmt_line.h"
#include "lang/compiler/lex.h"

enum {
    F_GENERIC = 1 << 0,    /* `<` or `>` of a generic argument list */
    F_STRUCT_LIT = 1 << 1, /* `{` / `}` of a struct literal */
    F_BAR_OPEN = 1 << 2,   /* first `|` of a handler's `do |state|` */
    F_BAR_CLOSE = 1 << 3,  /* second `|` */
    F_UNARY = 1 << 4,      /* prefix `-` or `!` (set during layout) */
    F_TYPE_BANG = 1 << 5,  /* `!` of a `T!E` type */
};

typedef enum { CTX_BLOCK, CTX_DELIM, CTX_INTERP, CTX_FN, CTX_CLOSURE } ctx_kind_t;

typedef enum { MEMBER_NONE, MEMBER_CODE, MEMBER_COMMENT } member_t;

typedef struct {
    uint8_t kind;       /* ctx_kind_t */
    bool spaced;        /* BLOCK: blank line between members */
    bool supervisor;    /* BLOCK: a supervisor body (`child` opens a spaced block) */
    bool else_if;       /* BLOCK: after `else if`, the next `do` continues this block */
    bool semis;         /* CLOSURE of `fn -> ...`: statements joined with `; ` */
    bool braces;        /* DELIM opened by a struct literal `{` or `%{` */
    bool inline_;       /* BLOCK inside `${ }`: kept on the line, statements joined with `; ` */
    uint8_t last;       /* BLOCK: member_t of the last member line */
    uint32_t body;      /* BLOCK: indent of its statements */
} ctx_t;

typedef struct {
    const char *src;
    const token_t *tok;
    uint32_t count;
    uint8_t *flags;
    int indent;
    fmt_line_t line;
    ctx_t ctx[FMT_NEST_MAX];
    int depth;           /* entries in ctx */
    uint32_t delims;     /* DELIM and INTERP entries in ctx */
    uint32_t interps;    /* INTERP entries in ctx */
    int generics;        /* open generic `<` brackets on this statement */
    int prev;            /* last token on the open line, -1 at its start */
    int prev_sig;        /* last token of the current statement, -1 at its start */
    bool need_break;     /* the next token starts a new statement line */
    bool cont_break;     /* the next token starts a continuation line */
    bool pending_semi;   /* a `; ` is due before the next token (CLOSURE semis) */
    int comma_after;     /* prev_sig after which field_comma inserted a `,` */
    bool in_bars;        /* between a handler's `|` bars */
    int stmt_head;       /* first token of the current statement (`pub` skipped) */
    bool stmt_do_seen;   /* the current statement has opened a block */
    bool overflow;
} fmt_t;

/* ================================================================ tokens */

static bool is_trivia(const token_t *t)
{
    return t->kind == TOK_NEWLINE || t->kind == TOK_COMMENT;
}

static int next_sig(const fmt_t *f, int i)
{
    for (i++; i < (int)f->count; i++)
        if (!is_trivia(&f->tok[i]))
            return i;
    return (int)f->count - 1;
}

static int prev_sig_tok(const fmt_t *f, int i)
{
    for (i--; i >= 0; i--)
        if (!is_trivia(&f->tok[i]))
            return i;
    return -1;
}

static bool tok_is(const fmt_t *f, int i, tok_kind_t k)
{
    return i >= 0 && i < (int)f->count && f->tok[i].kind == k;
}

static bool ident_is(const fmt_t *f, int i, const char *word)
{
    if (!tok_is(f, i, TOK_IDENT))
        return false;
    size_t n = strlen(word);
    return f->tok[i].end - f->tok[i].start == n && memcmp(f->src + f->tok[i].start, word, n) == 0;
}

static bool is_upper_ident(const fmt_t *f, int i)
{
    return tok_is(f, i, TOK_IDENT) && f->src[f->tok[i].start] >= 'A' &&
           f->src[f->tok[i].start] <= 'Z';
}

/* A token after which an expression is complete: a following `-` is binary,
 * `!` is a type's error part, `{` is a struct literal. */
static bool ends_operand(const fmt_t *f, int i)
{
    if (i < 0)
        return false;
    switch (f->tok[i].kind) {
    case TOK_IDENT: case TOK_INT: case TOK_FLOAT: case TOK_STRING_END: case TOK_RPAREN:
    case TOK_RBRACKET: case TOK_RBRACE: case TOK_QUESTION: case TOK_KW_TRUE: case TOK_KW_FALSE:
    case TOK_KW_NIL: case TOK_KW_SELF: case TOK_KW_END: case TOK_KW_BREAK: case TOK_KW_CONTINUE:
        return true;
    case TOK_GT:
        return (f->flags[i] & F_GENERIC) != 0;
    default:
        return false;
    }
}

/* Marks `<` at lt and its matching `>` as generic brackets when the tokens
 * between can only be a type list (`List<Map<String, Int>>`). */
static void mark_generic(fmt_t *f, int lt)
{
    int prev = prev_sig_tok(f, lt);
    int before = prev_sig_tok(f, prev);
    bool decl = tok_is(f, before, TOK_KW_FN) || tok_is(f, before, TOK_KW_DEF) ||
                tok_is(f, before, TOK_KW_STRUCT) || tok_is(f, before, TOK_KW_TYPE) ||
                tok_is(f, before, TOK_KW_INTERFACE);
    if (!tok_is(f, prev, TOK_IDENT) || (!decl && !is_upper_ident(f, prev)))
        return;
    int level = 0;
    for (int i = lt; i < (int)f->count && i < lt + 256; i++) {
        switch (f->tok[i].kind) {
        case TOK_LT: level++; break;
        case TOK_GT:
            if (--level == 0) {
                for (int j = lt; j <= i; j++)
                    if (tok_is(f, j, TOK_LT) || tok_is(f, j, TOK_GT))
                        f->flags[j] |= F_GENERIC;
                return;
            }
            break;
        case TOK_IDENT: case TOK_COMMA: case TOK_DOT: case TOK_LPAREN: case TOK_RPAREN:
        case TOK_QUESTION: case TOK_BANG: case TOK_ARROW: case TOK_NEWLINE: case TOK_COMMENT:
            break;
        default:
            return;
        }
    }
}

/* Computes the per-token facts that need look-ahead. */
static void mark_tokens(fmt_t *f)
{
    uint8_t braces[FMT_NEST_MAX];
    int nbraces = 0;
    bool bar_open = false;
    for (int i = 0; i < (int)f->count; i++) {
        switch (f->tok[i].kind) {
        case TOK_LT:
            if (!(f->flags[i] & F_GENERIC))
                mark_generic(f, i);
            break;
        case TOK_LBRACE: case TOK_MAP_OPEN: {
            bool lit = f->tok[i].kind == TOK_LBRACE && ends_operand(f, prev_sig_tok(f, i));
            if (lit)
                f->flags[i] |= F_STRUCT_LIT;
            if (nbraces < FMT_NEST_MAX)
                braces[nbraces++] = lit;
            break;
        }
        case TOK_RBRACE:
            if (nbraces > 0 && braces[--nbraces])
                f->flags[i] |= F_STRUCT_LIT;
            break;
        case TOK_BAR:
            if (bar_open) {
                f->flags[i] |= F_BAR_CLOSE;
                bar_open = false;
            } else if (tok_is(f, prev_sig_tok(f, i), TOK_KW_DO)) {
                f->flags[i] |= F_BAR_OPEN;
                bar_open = true;
            }
            break;
        default:
            break;
        }
    }
}

/* ================================================================ spacing */

/* Whether one space separates token p (the previous one on the line) from
 * token c (language.md 11: operators spaced except `..`, unary operators
 * attached, `, ` separators, no space inside parentheses or before `(`). */
static bool space_between(const fmt_t *f, int p, int c)
{
    tok_kind_t pk = f->tok[p].kind, ck = f->tok[c].kind;
    uint8_t pf = f->flags[p], cf = f->flags[c];
    switch (ck) {
    case TOK_COMMA: case TOK_RPAREN: case TOK_RBRACKET: case TOK_DOT: case TOK_QUESTION:
    case TOK_COLON: case TOK_SEMI: case TOK_INTERP_END: case TOK_STRING_CONTENT:
    case TOK_STRING_END: case TOK_INTERP_START: case TOK_DOTDOT:
        return false;
    case TOK_RBRACE:
        return (cf & F_STRUCT_LIT) && pk != TOK_LBRACE;
    default:
        break;
    }
    switch (pk) {
    case TOK_LPAREN: case TOK_LBRACKET: case TOK_DOT: case TOK_MAP_OPEN: case TOK_INTERP_START:
    case TOK_STRING_START: case TOK_STRING_CONTENT: case TOK_DOTDOT:
        return false;
    case TOK_LBRACE:
        return (pf & F_STRUCT_LIT) != 0;
    default:
        break;
    }
    if ((pf & (F_UNARY | F_TYPE_BANG | F_BAR_OPEN)) || (cf & (F_TYPE_BANG | F_BAR_CLOSE)))
        return false;
    if ((cf & F_GENERIC) || (pk == TOK_LT && (pf & F_GENERIC)))
        return false;
    if (ck == TOK_LPAREN || ck == TOK_LBRACKET) {
        switch (pk) {
        case TOK_IDENT: case TOK_RPAREN: case TOK_RBRACKET: case TOK_STRING_END:
        case TOK_QUESTION: case TOK_KW_SELF: case TOK_KW_SPAWN: case TOK_KW_SEND:
        case TOK_KW_LINK: case TOK_KW_MONITOR: case TOK_KW_FN: case TOK_KW_DEF:
            return false;
        case TOK_GT:
            return !(pf & F_GENERIC);
        default:
            return true;
        }
    }
    return true;
}

/* ================================================================ layout */

static ctx_t *top(fmt_t *f)
{
    return &f->ctx[f->depth - 1];
}

/* The innermost BLOCK (the file's root block is always there). */
static ctx_t *block(fmt_t *f)
{
    for (int i = f->depth - 1; i > 0; i--)
        if (f->ctx[i].kind == CTX_BLOCK)
            return &f->ctx[i];
    return &f->ctx[0];
}

static ctx_t *push(fmt_t *f, ctx_kind_t kind)
{
    if (f->depth == FMT_NEST_MAX) {
        f->overflow = true;
        return top(f);
    }
    ctx_t *c = &f->ctx[f->depth++];
    memset(c, 0, sizeof *c);
    c->kind = (uint8_t)kind;
    if (kind == CTX_DELIM || kind == CTX_INTERP)
        f->delims++;
    if (kind == CTX_INTERP)
        f->interps++;
    return c;
}

static void pop(fmt_t *f)
{
    if (f->depth <= 1)
        return;
    ctx_t *c = top(f);
    if (c->kind == CTX_DELIM || c->kind == CTX_INTERP)
        f->delims--;
    if (c->kind == CTX_INTERP)
        f->interps--;
    f->depth--;
}

static void put(fmt_t *f, int i)
{
    const token_t *t = &f->tok[i];
    bool space = f->prev >= 0 && space_between(f, f->prev, i);
    fmt_line_put(&f->line, f->src + t->start, t->end - t->start, space);
    f->prev = i;
}

/* Starts the line of a new member of block b (a statement or a comment
 * run), after a blank line when b is spaced. */
static void start_member(fmt_t *f, ctx_t *b, member_t kind)
{
    if (b->spaced && b->last != MEMBER_NONE && !(kind == MEMBER_COMMENT && b->last == kind))
        fmt_line_blank(&f->line);
    b->last = (uint8_t)kind;
    fmt_line_start(&f->line, b->body);
    f->prev = -1;
}

static uint32_t cont_indent(fmt_t *f)
{
    uint32_t body = block(f)->body + 2 * (uint32_t)f->indent;
    return f->line.indent > body ? f->line.indent : body;
}

/* Begins the line a code token goes on, when a break is due. */
static void begin_token_line(fmt_t *f, int i)
{
    if (f->need_break) {
        f->need_break = false;
        f->cont_break = false;
        start_member(f, block(f), MEMBER_CODE);
        f->prev_sig = -1;
        f->generics = 0;
        f->stmt_head = tok_is(f, i, TOK_KW_PUB) ? next_sig(f, i) : i;
        f->stmt_do_seen = false;
    } else if (f->cont_break) {
        /* A closing delimiter after a comment's forced break lines up with
         * the statement, like `end`. */
        tok_kind_t k = f->tok[i].kind;
        bool closer = k == TOK_RPAREN || k == TOK_RBRACKET || k == TOK_RBRACE;
        f->cont_break = false;
        fmt_line_start(&f->line, closer ? block(f)->body : cont_indent(f));
        f->prev = -1;
    }
}

/* Whether the statement being opened by `do` is a definition whose members
 * are separated by blank lines (language.md 11). */
static bool head_spaced(fmt_t *f, bool *supervisor)
{
    int h = f->stmt_head;
    switch (h >= 0 ? f->tok[h].kind : TOK_EOF) {
    case TOK_KW_MODULE: case TOK_KW_INTERFACE: case TOK_KW_IMPL: case TOK_KW_ACTOR:
    case TOK_KW_SERVICE: case TOK_KW_TYPE:
        return true;
    case TOK_KW_SUPERVISOR:
        *supervisor = true;
        return true;
    default:
        return ident_is(f, h, "child") && block(f)->supervisor;
    }
}

/* `do`: opens a block one level deeper than the current line, or continues
 * the block of an `if` after `else if`. */
static void on_do(fmt_t *f, int i)
{
    ctx_t *t = top(f);
    if (t->kind == CTX_BLOCK && t->else_if) {
        t->else_if = false;
        put(f, i);
        f->need_break = !t->inline_;
        return;
    }
    if (t->kind == CTX_FN)
        pop(f);
    if (f->interps > 0) {
        /* language.md 1.2: keep interpolated expressions on one line. */
        put(f, i);
        push(f, CTX_BLOCK)->inline_ = true;
        return;
    }
    bool supervisor = false;
    bool spaced = !f->stmt_do_seen && top(f)->kind == CTX_BLOCK && head_spaced(f, &supervisor);
    f->stmt_do_seen = true;
    uint32_t base = f->line.indent;
    put(f, i);
    ctx_t *b = push(f, CTX_BLOCK);
    b->spaced = spaced;
    b->supervisor = supervisor;
    b->body = base + (uint32_t)f->indent;
    f->need_break = true;
}

/* `else`: on its own line, aligned with the line that opened the `if`;
 * `else if` stays on that line and its `do` continues the same block. */
static void on_else(fmt_t *f, int i)
{
    ctx_t *b = block(f);
    f->pending_semi = false;
    if (b->inline_) {
        put(f, i);
        b->else_if = tok_is(f, next_sig(f, i), TOK_KW_IF);
        f->prev_sig = i;
        return;
    }
    uint32_t base = b->body >= (uint32_t)f->indent ? b->body - (uint32_t)f->indent : 0;
    fmt_line_start(&f->line, base);
    f->prev = -1;
    f->need_break = f->cont_break = false;
    put(f, i);
    b->last = MEMBER_NONE;
    if (tok_is(f, next_sig(f, i), TOK_KW_IF))
        b->else_if = true;
    else
        f->need_break = true;
    f->prev_sig = i;
}

/* `end`: closes an inline arrow closure in place, or a block on its own
 * line aligned with the line that opened it. */
static void on_end(fmt_t *f, int i)
{
    f->pending_semi = false;
    while (f->depth > 1 && top(f)->kind != CTX_BLOCK && top(f)->kind != CTX_CLOSURE)
        pop(f);
    if (top(f)->kind == CTX_CLOSURE || top(f)->inline_ || f->depth == 1) {
        pop(f);
        begin_token_line(f, i);
        put(f, i);
        f->prev_sig = i;
        return;
    }
    ctx_t *b = top(f);
    uint32_t base = b->body >= (uint32_t)f->indent ? b->body - (uint32_t)f->indent : 0;
    pop(f);
    fmt_line_start(&f->line, base);
    f->prev = -1;
    f->need_break = f->cont_break = false;
    put(f, i);
    f->prev_sig = i;
}

/* Pops contexts up to and including the innermost one of kind. */
static void close_ctx(fmt_t *f, ctx_kind_t kind)
{
    while (f->depth > 1 && top(f)->kind != kind && top(f)->kind != CTX_BLOCK)
        pop(f);
    if (top(f)->kind == kind)
        pop(f);
}

/* Struct literal and map fields may be separated by a line break alone
 * (language.md 3.5); since line breaks inside braces are dropped, a `,`
 * takes its place so `P { x: 1 y: 2 }` never appears. */
static bool field_break(const fmt_t *f, int i)
{
    const ctx_t *t = &f->ctx[f->depth - 1];
    if (t->kind != CTX_DELIM || !t->braces || f->prev_sig < 0)
        return false;
    /* Only where the parser itself must start a new field: after a
     * complete operand and before a token that cannot continue it. */
    if (!ends_operand(f, f->prev_sig))
        return false;
    switch (f->tok[next_sig(f, i)].kind) {
    case TOK_IDENT: case TOK_INT: case TOK_FLOAT: case TOK_STRING_START: case TOK_KW_TRUE:
    case TOK_KW_FALSE: case TOK_KW_NIL:
        return true;
    default:
        return false;
    }
}

/* Writes the `,` of a field break once, before the break or the comment
 * that precedes it. */
static void field_comma(fmt_t *f, int i)
{
    if (f->comma_after == f->prev_sig || !field_break(f, i))
        return;
    f->comma_after = f->prev_sig;
    fmt_line_put(&f->line, ",", 1, false);
    if (f->interps == 0 && f->generics <= 0)
        fmt_line_mark_break(&f->line, f->delims, false);
}

static void on_newline(fmt_t *f, int i)
{
    ctx_t *t = top(f);
    if (t->kind == CTX_BLOCK && !f->in_bars && !t->inline_)
        f->need_break = true;
    else if ((t->kind == CTX_CLOSURE && t->semis) || t->inline_)
        f->pending_semi = true;
    else
        field_comma(f, i);
}

static bool comment_own_line(const fmt_t *f, int i)
{
    if (i > 0 && f->tok[i - 1].kind != TOK_NEWLINE)
        return false;
    if (f->tok[i].aux != LEX_COMMENT_BLOCK)
        return true;
    tok_kind_t next = f->tok[i + 1].kind; /* TOK_EOF always follows */
    return next == TOK_NEWLINE || next == TOK_EOF;
}

/* A comment keeps its text; it gets its own line when it stood on its own
 * line, else it follows the code before it (and a line comment ends the
 * line). In a block an own-line comment is a member (blank-line rules). */
static void on_comment(fmt_t *f, int i)
{
    const token_t *t = &f->tok[i];
    uint32_t end = t->end;
    while (end > t->start && (f->src[end - 1] == ' ' || f->src[end - 1] == '\t' ||
                              f->src[end - 1] == '\r'))
        end--;
    bool in_block = top(f)->kind == CTX_BLOCK && !top(f)->inline_;
    bool own = comment_own_line(f, i);
    if (!in_block && !own && t->aux != LEX_COMMENT_BLOCK)
        field_comma(f, i);
    if (own) {
        if (in_block) {
            start_member(f, top(f), MEMBER_COMMENT);
            f->need_break = true;
        } else {
            fmt_line_start(&f->line, cont_indent(f));
            f->cont_break = true;
        }
        fmt_line_put(&f->line, f->src + t->start, end - t->start, false);
        fmt_line_flush(&f->line);
        f->prev = -1;
        return;
    }
    fmt_line_put(&f->line, f->src + t->start, end - t->start, f->prev >= 0 || f->line.text_len);
    f->prev = i;
    if (t->aux != LEX_COMMENT_BLOCK) {
        if (in_block)
            f->need_break = true;
        else
            f->cont_break = true;
    }
}

/* `fn`/`def` at the head of a statement followed by a name defines a
 * function (its `do` opens the body); anywhere else it starts a closure. */
static void on_fn(fmt_t *f, int i)
{
    put(f, i);
    if (!(i == f->stmt_head && tok_is(f, next_sig(f, i), TOK_IDENT)))
        push(f, CTX_FN);
}

/* `->` right after a closure's parameters starts its body: `fn -> ...` has
 * a block body (statements joined with `; `), `fn x -> e` one expression. */
static void on_arrow(fmt_t *f, int i)
{
    ctx_t *t = top(f);
    if (t->kind == CTX_FN) {
        t->kind = CTX_CLOSURE;
        t->semis = tok_is(f, f->prev_sig, TOK_KW_FN);
    }
    put(f, i);
}

/* Unary or binary: decided from the previous token of the statement. */
static void classify(fmt_t *f, int i)
{
    tok_kind_t k = f->tok[i].kind;
    if (k != TOK_MINUS && k != TOK_BANG)
        return;
    if (!ends_operand(f, f->prev_sig))
        f->flags[i] |= F_UNARY;
    else if (k == TOK_BANG)
        f->flags[i] |= F_TYPE_BANG;
}

static void on_token(fmt_t *f, int i)
{
    uint8_t fl = f->flags[i];
    if (!f->in_bars && !(fl & F_BAR_OPEN))
        begin_token_line(f, i);
    if (f->pending_semi) {
        f->pending_semi = false;
        tok_kind_t pk = f->prev >= 0 ? (tok_kind_t)f->tok[f->prev].kind : TOK_SEMI;
        if (pk != TOK_ARROW && pk != TOK_SEMI && pk != TOK_KW_DO && pk != TOK_KW_ELSE)
            fmt_line_put(&f->line, ";", 1, false);
    }
    classify(f, i);
    switch (f->tok[i].kind) {
    case TOK_KW_DO: on_do(f, i); break;
    case TOK_ARROW: on_arrow(f, i); break;
    case TOK_KW_FN: case TOK_KW_DEF: on_fn(f, i); break;
    case TOK_LPAREN: case TOK_LBRACKET: case TOK_LBRACE: case TOK_MAP_OPEN:
        put(f, i);
        push(f, CTX_DELIM)->braces =
            f->tok[i].kind == TOK_MAP_OPEN || (fl & F_STRUCT_LIT) != 0;
        break;
    case TOK_RPAREN: case TOK_RBRACKET: case TOK_RBRACE:
        close_ctx(f, CTX_DELIM);
        put(f, i);
        break;
    case TOK_INTERP_START:
        put(f, i);
        push(f, CTX_INTERP);
        break;
    case TOK_INTERP_END:
        close_ctx(f, CTX_INTERP);
        put(f, i);
        break;
    case TOK_COMMA:
        put(f, i);
        if (top(f)->kind == CTX_DELIM && f->interps == 0 && f->generics <= 0)
            fmt_line_mark_break(&f->line, f->delims, false);
        break;
    case TOK_SEMI:
        if (top(f)->kind == CTX_BLOCK && !top(f)->inline_)
            f->need_break = true;
        else
            put(f, i);
        break;
    case TOK_LT: case TOK_GT:
        if (fl & F_GENERIC)
            f->generics += f->tok[i].kind == TOK_LT ? 1 : -1;
        put(f, i);
        break;
    case TOK_PIPE:
        /* Inside parentheses a line may break before `|>` (language.md 1.2). */
        if (top(f)->kind == CTX_DELIM && f->interps == 0 && f->generics <= 0)
            fmt_line_mark_break(&f->line, f->delims, true);
        put(f, i);
        break;
    case TOK_BAR:
        put(f, i);
        if (fl & F_BAR_OPEN)
            f->in_bars = true;
        if (fl & F_BAR_CLOSE)
            f->in_bars = false;
        break;
    default:
        put(f, i);
        break;
    }
    f->prev_sig = i;
}

char *fmt_source(const char *src, uint32_t len, const fmt_options_t *opt, size_t *out_len)
{
    lex_tokens_t toks = lex_tokens_trivia(src, len);
    fmt_t *f = calloc(1, sizeof *f);
    uint8_t *flags = calloc(toks.len + 1, 1);
    if (!f || !flags) {
        perror("snowc: out of memory");
        abort();
    }
    f->src = src;
    f->tok = toks.items;
    f->count = toks.len;
    f->flags = flags;
    f->indent = opt->indent_size;
    fmt_line_init(&f->line, opt->indent_size, opt->line_width);
    f->depth = 1;
    f->ctx[0] = (ctx_t){.kind = CTX_BLOCK, .spaced = true};
    f->prev = f->prev_sig = f->comma_after = -1;
    f->need_break = true;
    mark_tokens(f);
    for (int i = 0; i < (int)f->count && f->tok[i].kind != TOK_EOF; i++) {
        switch (f->tok[i].kind) {
        case TOK_NEWLINE: on_newline(f, i); break;
        case TOK_COMMENT: on_comment(f, i); break;
        case TOK_KW_END: on_end(f, i); break;
        case TOK_KW_ELSE: on_else(f, i); break;
        default: on_token(f, i); break;
        }
    }
    char *out = f->overflow ? NULL : fmt_line_take(&f->line, out_len);
    fmt_line_destroy(&f->line);
    free(flags);
    free(f);
    lex_tokens_free(&toks);
    return out;
}

/* ========================================================== safety check */

static uint32_t skip_separators(const lex_tokens_t *t, uint32_t i)
{
    while (i < t->len && (t->items[i].kind == TOK_NEWLINE || t->items[i].kind == TOK_SEMI))
        i++;
    return i;
}

/* A comment's text without trailing blanks (the formatter trims them). */
static uint32_t trimmed_end(const char *src, const token_t *t)
{
    uint32_t end = t->end;
    if (t->kind != TOK_COMMENT)
        return end;
    while (end > t->start && (src[end - 1] == ' ' || src[end - 1] == '\t' || src[end - 1] == '\r'))
        end--;
    return end;
}

/* Whether a line break comes before the next token of t from i on. */
static bool newline_ahead(const lex_tokens_t *t, uint32_t i)
{
    for (; i < t->len; i++) {
        if (t->items[i].kind == TOK_NEWLINE)
            return true;
        if (t->items[i].kind != TOK_COMMENT && t->items[i].kind != TOK_SEMI)
            return false;
    }
    return false;
}

bool fmt_same_tokens(const char *a, uint32_t alen, const char *b, uint32_t blen)
{
    lex_tokens_t ta = lex_tokens_trivia(a, alen);
    lex_tokens_t tb = lex_tokens_trivia(b, blen);
    uint32_t i = 0, j = 0;
    bool same = true;
    for (;;) {
        uint32_t before = i;
        i = skip_separators(&ta, i);
        j = skip_separators(&tb, j);
        if (j < tb.len && tb.items[j].kind == TOK_COMMA && i < ta.len &&
            ta.items[i].kind != TOK_COMMA && newline_ahead(&ta, before))
            j = skip_separators(&tb, j + 1); /* a `,` written for a field break */
        if (i >= ta.len || j >= tb.len) {
            same = i >= ta.len && j >= tb.len;
            break;
        }
        const token_t *x = &ta.items[i++], *y = &tb.items[j++];
        uint32_t xe = trimmed_end(a, x), ye = trimmed_end(b, y);
        if (x->kind != y->kind || xe - x->start != ye - y->start ||
            memcmp(a + x->start, b + y->start, xe - x->start) != 0) {
            same = false;
            break;
        }
    }
    lex_tokens_free(&ta);
    lex_tokens_free(&tb);
    return same;
}
