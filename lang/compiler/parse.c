/* parse.c: parser core: token access, errors and recovery, blocks and
 * statements, and the file entry point (parse.h).
 *
 * The parser is recursive descent with a Pratt loop for operators
 * (parse_expr.c). It reads a token array produced up front by the lexer.
 *
 * Recovery (docs/diagnostics.md): a syntax error sets `failed`; parsing
 * functions then return placeholders without consuming, up to the nearest
 * statement loop (a block, a file, or a member list such as case arms or
 * struct fields), which calls parse_sync. parse_sync rescans the failed
 * statement from its first token, tracking `do`/`end` pairs and delimiters,
 * and stops at the first NEWLINE or `;` outside them past the error, at an
 * `end`/`else` that closes the enclosing block, or at an item keyword that
 * begins a line. So one mistake gives one diagnostic, and the next
 * statement is parsed normally.
 */
#include "lang/compiler/parse.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "lang/compiler/parse_int.h"

/* ================================================================ tokens */

static bool skippable(const parser_t *p, const token_t *t)
{
    return t->kind == TOK_NEWLINE && p->depth > 0;
}

const token_t *pk(parser_t *p)
{
    while (skippable(p, &p->toks[p->pos]))
        p->pos++;
    return &p->toks[p->pos];
}

const token_t *pk_at(parser_t *p, uint32_t n)
{
    uint32_t i = p->pos;
    for (;;) {
        while (p->toks[i].kind != TOK_EOF && skippable(p, &p->toks[i]))
            i++;
        if (n == 0 || p->toks[i].kind == TOK_EOF)
            return &p->toks[i];
        i++;
        n--;
    }
}

const token_t *adv(parser_t *p)
{
    const token_t *t = pk(p);
    if (t->kind != TOK_EOF)
        p->pos++;
    p->prev_end = t->end;
    return t;
}

bool accept(parser_t *p, tok_kind_t k)
{
    if (!at(p, k))
        return false;
    adv(p);
    return true;
}

bool expect(parser_t *p, tok_kind_t k, const char *what)
{
    if (accept(p, k))
        return true;
    perr_here(p, "expected %s", what ? what : token_describe(k));
    return false;
}

sym_t tok_sym(parser_t *p, const token_t *t)
{
    return intern(p->in, p->src + t->start, t->end - t->start);
}

bool at_word(parser_t *p, sym_t word)
{
    const token_t *t = pk(p);
    return t->kind == TOK_IDENT && tok_sym(p, t) == word;
}

bool skip_seps(parser_t *p)
{
    bool any = false;
    while (at(p, TOK_NEWLINE) || at(p, TOK_SEMI)) {
        adv(p);
        any = true;
    }
    return any;
}

bool tok_line_start(const parser_t *p, const token_t *t)
{
    if (t->start == 0)
        return true;
    char c = p->src[t->start - 1];
    return c == '\n' || c == '\r';
}

void *grow_array(parser_t *p, void *items, uint32_t len, uint32_t *cap, size_t elem)
{
    uint32_t ncap = *cap ? *cap * 2 : 4;
    void *n = arena_alloc(p->arena, elem * ncap);
    if (len)
        memcpy(n, items, elem * len);
    *cap = ncap;
    return n;
}

/* ================================================================ errors */

static void vperr(parser_t *p, span_t span, const char *fmt, va_list ap)
{
    if (p->failed || p->stopped)
        return;
    p->failed = true;
    if (p->muted)
        return;
    bool at_eof = span.start >= p->src_len;
    if (at_eof && p->eof_reported)
        return;
    p->eof_reported |= at_eof;
    char msg[256];
    vsnprintf(msg, sizeof(msg), fmt, ap);
    /* language.md 10.2-10.3: the headline is `Parse error` (followed here
     * by the message, so the first line says what is wrong), the label is
     * the parser's message, the JSON message `Parse error: <message>`. */
    diag_error(p->diag, span, "P0001", "Parse error: %s", msg);
    diag_label(p->diag, "%s", msg);
    if (++p->errors == PARSE_ERRORS_MAX) {
        diag_note(p->diag, "too many syntax errors in this file; stopping here");
        p->stopped = true;
    }
}

void perr(parser_t *p, span_t span, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vperr(p, span, fmt, ap);
    va_end(ap);
}

/* A lexical error token explains itself; anything else gets the message. */
void perr_here(parser_t *p, const char *fmt, ...)
{
    const token_t *t = pk(p);
    if (t->kind == TOK_ERROR && t->aux == LEX_ERR_CHAR) {
        perr(p, tok_span(p, t), "unexpected character `%.*s`", (int)(t->end - t->start),
             p->src + t->start);
        return;
    }
    if (t->kind == TOK_ERROR) {
        perr(p, tok_span(p, t), "%s", token_error_message((lex_error_t)t->aux));
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    vperr(p, tok_span(p, t), fmt, ap);
    va_end(ap);
}

bool expect_end(parser_t *p, const token_t *opener, const char *what)
{
    if (accept(p, TOK_KW_END))
        return true;
    if (p->failed || p->stopped)
        return false;
    uint32_t before = p->diag->count;
    perr_here(p, "expected `end` to close `%s` block", what);
    if (p->diag->count > before)
        diag_secondary(p->diag, tok_span(p, opener), "`%s` block started here", what);
    return false;
}

bool nest_enter(parser_t *p, span_t at)
{
    if (p->nest >= PARSE_NEST_MAX) {
        perr(p, at, "nesting too deep (more than %d levels)", PARSE_NEST_MAX);
        return false;
    }
    p->nest++;
    return true;
}

/* ============================================================== recovery */

enum { OPEN_DO, OPEN_PENDING, OPEN_FN_PENDING, OPEN_FN_ARROW };
enum { SYNC_STACK_MAX = 256 };

/* Does token i start a named function definition (`fn name(`)? */
static bool named_fn_at(const parser_t *p, uint32_t i)
{
    if (p->toks[i + 1].kind != TOK_IDENT)
        return false;
    tok_kind_t k = (tok_kind_t)p->toks[i + 2].kind;
    return k == TOK_LPAREN || k == TOK_LT || k == TOK_EQ || k == TOK_KW_DO;
}

static bool is_item_keyword(const parser_t *p, uint32_t i)
{
    switch ((tok_kind_t)p->toks[i].kind) {
    case TOK_KW_FN: return named_fn_at(p, i);
    case TOK_KW_DEF: case TOK_KW_STRUCT: case TOK_KW_TYPE: case TOK_KW_INTERFACE:
    case TOK_KW_IMPL: case TOK_KW_ACTOR: case TOK_KW_SERVICE: case TOK_KW_SUPERVISOR:
    case TOK_KW_IMPORT: case TOK_KW_PUB: case TOK_KW_MODULE:
        return true;
    default:
        return false;
    }
}

static void push_open(uint8_t *stack, uint32_t *n, uint8_t kind)
{
    if (*n < SYNC_STACK_MAX)
        stack[*n] = kind;
    (*n)++;
}

/* Updates the opener stack for a token that may open a block: keywords
 * whose block ends with `end` push PENDING until their `do`; a closure `fn`
 * pushes FN_PENDING, which its `do` or `->` turns into the block. */
static void track_openers(const parser_t *p, uint32_t i, uint8_t *stack, uint32_t *n)
{
    uint8_t *top = *n ? &stack[(*n < SYNC_STACK_MAX ? *n : SYNC_STACK_MAX) - 1] : NULL;
    switch ((tok_kind_t)p->toks[i].kind) {
    case TOK_KW_IF: case TOK_KW_WHILE: case TOK_KW_FOR: case TOK_KW_CASE: case TOK_KW_MATCH:
    case TOK_KW_RECEIVE: case TOK_KW_STRUCT: case TOK_KW_INTERFACE: case TOK_KW_IMPL:
    case TOK_KW_ACTOR: case TOK_KW_SERVICE: case TOK_KW_SUPERVISOR: case TOK_KW_MODULE:
    case TOK_KW_CALL: case TOK_KW_CAST:
        push_open(stack, n, OPEN_PENDING);
        break;
    case TOK_KW_FN:
        if (!named_fn_at(p, i))
            push_open(stack, n, OPEN_FN_PENDING);
        break;
    case TOK_KW_DO:
        if (top && (*top == OPEN_PENDING || *top == OPEN_FN_PENDING))
            *top = OPEN_DO;
        else
            push_open(stack, n, OPEN_DO);
        break;
    case TOK_ARROW:
        if (top && *top == OPEN_FN_PENDING)
            *top = OPEN_FN_ARROW;
        break;
    default:
        break;
    }
}

static bool is_open_delim(tok_kind_t k)
{
    return k == TOK_LPAREN || k == TOK_LBRACKET || k == TOK_LBRACE || k == TOK_MAP_OPEN ||
           k == TOK_INTERP_START;
}

static bool is_close_delim(tok_kind_t k)
{
    return k == TOK_RPAREN || k == TOK_RBRACKET || k == TOK_RBRACE || k == TOK_INTERP_END;
}

/* Is token i an item keyword in column 1 (a safe restart point at top level)? */
static bool at_column1_item(const parser_t *p, uint32_t i)
{
    const token_t *t = &p->toks[i];
    return tok_line_start(p, t) && is_item_keyword(p, i);
}

void parse_sync(parser_t *p, uint32_t from, uint32_t depth)
{
    uint32_t err = p->pos;
    if (p->toks[err].kind == TOK_EOF) {
        /* Nothing left to skip; rescanning the statement would only cost
         * time (once per enclosing block when many blocks are unclosed). */
        p->depth = depth;
        p->failed = false;
        return;
    }
    uint8_t stack[SYNC_STACK_MAX];
    uint32_t n = 0;
    int32_t parens = 0;
    uint32_t i = from;
    for (; p->toks[i].kind != TOK_EOF; i++) {
        tok_kind_t k = (tok_kind_t)p->toks[i].kind;
        bool past = i >= err;
        bool quiet = n == 0 && parens <= 0;
        if (past && i > from && n == 0 && at_column1_item(p, i))
            break; /* also when a delimiter was left open: restart at the item */
        if (past && i > from && n > 0 && p->nest == 0 && at_column1_item(p, i))
            break;
        if (past && quiet && (k == TOK_NEWLINE || k == TOK_SEMI)) {
            i++;
            break;
        }
        if (is_open_delim(k)) {
            /* `if x {`: a brace block instead of `do`; its `}` ends it, so
             * the pending opener will never see an `end`. */
            if (k == TOK_LBRACE && n > 0 && n <= SYNC_STACK_MAX &&
                stack[n - 1] == OPEN_PENDING)
                n--;
            parens++;
        } else if (is_close_delim(k)) {
            if (parens <= 0 && n == 0)
                break; /* closes something around the statement */
            if (parens > 0)
                parens--;
        } else if (k == TOK_KW_END) {
            if (n == 0)
                break; /* closes the enclosing block */
            n--;
        } else if (k == TOK_KW_ELSE) {
            if (n == 0)
                break;
            if (p->toks[i + 1].kind == TOK_KW_IF)
                n--; /* `else if`: the inner if reopens the block */
        } else {
            track_openers(p, i, stack, &n);
        }
    }
    p->pos = i;
    if (i > from)
        p->prev_end = p->toks[i - 1].end;
    p->depth = depth;
    p->failed = false;
}

/* ============================================================ statements */

ast_block_t *block_of_expr(parser_t *p, ast_expr_t *e)
{
    ast_block_t *b = ARENA_NEW(p->arena, ast_block_t);
    ast_stmt_t *s = ARENA_NEW(p->arena, ast_stmt_t);
    s->kind = AST_STMT_EXPR;
    s->span = e->span;
    s->expr = e;
    b->items = ARENA_ARRAY(p->arena, ast_stmt_t *, 1);
    b->items[0] = s;
    b->len = 1;
    b->span = e->span;
    return b;
}

/* LetStmt = "let" (IDENT | TuplePattern) ["::" Type] "=" Expr */
static ast_stmt_t *parse_let(parser_t *p)
{
    const token_t *kw = adv(p);
    ast_stmt_t *s = ARENA_NEW(p->arena, ast_stmt_t);
    s->kind = AST_STMT_LET;
    s->pat = parse_pat_primary(p);
    if (accept(p, TOK_COLONCOLON))
        s->type = parse_type(p);
    if (expect(p, TOK_EQ, "`=`"))
        s->expr = parse_expr(p);
    else
        s->expr = expr_new(p, AST_EXPR_NIL, span_from(p, p->prev_end));
    s->span = span_from(p, kw->start);
    return s;
}

/* ItemOrStmt = Item | LetStmt | ReturnExpr | Expr */
ast_stmt_t *parse_stmt(parser_t *p)
{
    const token_t *t = pk(p);
    if (t->kind == TOK_KW_LET)
        return parse_let(p);
    ast_stmt_t *s = ARENA_NEW(p->arena, ast_stmt_t);
    if (at_item_start(p)) {
        s->kind = AST_STMT_ITEM;
        s->item = parse_item(p);
        s->span = s->item->span;
        return s;
    }
    s->kind = AST_STMT_EXPR;
    s->expr = parse_expr(p);
    s->span = s->expr->span;
    return s;
}


/* `terminate do Block end` inside an actor body (3.3). */
static void parse_terminate(parser_t *p, ast_block_t **terminate)
{
    const token_t *kw = adv(p);
    if (*terminate)
        perr(p, tok_span(p, kw), "an actor can have at most one `terminate` clause");
    if (!at(p, TOK_KW_DO)) {
        perr_here(p, "expected `do` after `terminate`");
        return;
    }
    ast_block_t *b = parse_do_block(p, "do");
    if (!*terminate)
        *terminate = b;
}

/* Separators are optional between statements: as in v5.0 a statement ends
 * where its expression cannot continue (1.2), so `f() g()` is two
 * statements on any line, and programs v5.0 accepted still parse
 * (decisions.md rule 1). */
ast_block_t *parse_block(parser_t *p, ast_block_t **terminate)
{
    ast_block_t *b = ARENA_NEW(p->arena, ast_block_t);
    uint32_t cap = 0, depth = p->depth;
    bool no_do = p->no_do;
    p->no_do = false;
    uint32_t start = pk(p)->start;
    for (;;) {
        skip_seps(p);
        tok_kind_t k = pkind(p);
        if (k == TOK_EOF || k == TOK_KW_END || k == TOK_KW_ELSE || is_close_delim(k) || p->stopped)
            break;
        uint32_t from = p->pos;
        if (k == TOK_KW_TERMINATE && terminate) {
            parse_terminate(p, terminate);
        } else {
            ast_stmt_t *s = parse_stmt(p);
            PUSH(p, b->items, b->len, cap, s);
        }
        if (p->failed)
            parse_sync(p, from, depth);
        if (p->pos == from)
            adv(p); /* sync stopped on the statement's first token: make progress */
    }
    p->no_do = no_do;
    /* The block covers its statements (not the separators around them). */
    if (b->len)
        b->span = span_join(b->items[0]->span, b->items[b->len - 1]->span);
    else
        b->span = (span_t){p->file, start, start};
    return b;
}

ast_block_t *parse_do_block(parser_t *p, const char *what)
{
    const token_t *kw = pk(p);
    if (!expect(p, TOK_KW_DO, "`do`"))
        return ARENA_NEW(p->arena, ast_block_t);
    if (!nest_enter(p, tok_span(p, kw)))
        return ARENA_NEW(p->arena, ast_block_t);
    ast_block_t *b = parse_block(p, NULL);
    expect_end(p, kw, what);
    nest_leave(p);
    return b;
}

/* ================================================================== file */

/* SourceFile = [SEP] { ItemOrStmt SEP } [ItemOrStmt] EOF. Tokens that can
 * only close something are reported and skipped. */
static void parse_top(parser_t *p, ast_file_t *f)
{
    uint32_t cap = 0;
    for (;;) {
        skip_seps(p);
        const token_t *t = pk(p);
        if (t->kind == TOK_EOF || p->stopped)
            break;
        uint32_t from = p->pos;
        if (t->kind == TOK_KW_END || t->kind == TOK_KW_ELSE || is_close_delim((tok_kind_t)t->kind)) {
            perr(p, tok_span(p, t), "unexpected %s", token_describe((tok_kind_t)t->kind));
            adv(p);
            p->failed = false;
            continue;
        }
        ast_stmt_t *s = parse_stmt(p);
        PUSH(p, f->items, f->len, cap, s);
        if (p->failed)
            parse_sync(p, from, 0);
        if (p->pos == from)
            adv(p);
    }
}

ast_file_t *parse_file(arena_t *arena, interner_t *in, const source_table_t *sources,
                       uint32_t file, diag_t *diag, uint32_t *errors)
{
    const source_file_t *sf = source_get(sources, file);
    parser_t p = {
        .arena = arena, .in = in, .diag = diag, .sources = sources, .file = file,
        .src = sf->bytes, .src_len = sf->len,
    };
    lex_tokens_t toks = lex_tokens(sf->bytes, sf->len);
    p.toks = toks.items;
    p.ntoks = toks.len;
    p.sym_self = intern_cstr(in, "self");
    p.sym_wild = intern_cstr(in, "_");
    p.sym_from = intern_cstr(in, "from");
    p.sym_deriving = intern_cstr(in, "deriving");
    p.sym_fun = intern_cstr(in, "Fun");
    ast_file_t *f = ARENA_NEW(arena, ast_file_t);
    f->file = file;
    f->sources = sources;
    parse_top(&p, f);
    lex_tokens_free(&toks);
    if (errors)
        *errors = p.errors;
    return f;
}
