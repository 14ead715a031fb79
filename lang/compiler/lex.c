/* lex.c: the Snow lexer (lex.h, language.md 1).
 *
 * The lexer is a loop over a mode stack: in CODE mode it produces ordinary
 * tokens, in STRING mode it produces content pieces until a closing quote or
 * `${`. Each `${` pushes a CODE mode that counts braces so that the `}` at
 * brace depth 0 ends the interpolation; that is what lets strings nest inside
 * interpolations inside strings to any depth.
 *
 * Identifier characters beyond ASCII follow an approximation of the Unicode
 * Alphabetic/Alphanumeric properties (see is_ident_cp): letters of every
 * script are accepted, the punctuation, symbol, emoji and space blocks are
 * not. Invalid UTF-8 is an ERROR token, except inside comments.
 */
#include "lang/compiler/lex.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    bool string;      /* STRING mode, else CODE */
    bool triple;      /* STRING: `"""` */
    uint32_t braces;  /* CODE inside ${ }: open `{` count */
    bool interp;      /* CODE pushed by `${` */
    uint32_t start;   /* offset of the opening quote or `${` */
} lex_mode_t;

enum { LEX_MODES_MAX = 1024 };

typedef struct {
    const unsigned char *src;
    uint32_t len;
    uint32_t pos;
    lex_tokens_t out;
    uint32_t cap;
    bool nl_pending; /* a line break was seen since the last token */
    bool trivia;     /* lex_tokens_trivia: keep comments and every newline */
    lex_mode_t modes[LEX_MODES_MAX];
    uint32_t depth; /* modes in use; modes[0] is the file's CODE mode */
} lexer_t;

int lex_utf8_decode(const unsigned char *s, uint32_t avail, uint32_t *cp)
{
    if (avail == 0)
        return 0;
    unsigned char c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    int n;
    uint32_t v, min;
    if ((c & 0xE0) == 0xC0) {
        n = 2, v = c & 0x1F, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
        n = 3, v = c & 0x0F, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
        n = 4, v = c & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if ((uint32_t)n > avail)
        return 0;
    for (int i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (s[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return n;
}

/* Non-ASCII code points that may appear in identifiers: everything except
 * the Latin-1 symbols, the general punctuation/symbol/arrow/box/emoji blocks,
 * CJK punctuation, private use, specials and the BOM. */
static bool is_ident_cp(uint32_t cp)
{
    if (cp < 0x80)
        return false;
    if (cp < 0xC0)
        return cp == 0xAA || cp == 0xB5 || cp == 0xBA;
    if (cp == 0xD7 || cp == 0xF7)
        return false;
    if (cp >= 0x2000 && cp <= 0x2BFF)
        return false;
    if (cp >= 0x3000 && cp <= 0x303F)
        return false;
    if (cp >= 0xE000 && cp <= 0xF8FF)
        return false;
    if (cp >= 0xFE00 && cp <= 0xFE0F)
        return false;
    if (cp == 0xFEFF || (cp >= 0xFFF0 && cp <= 0xFFFF))
        return false;
    if (cp >= 0xFF00 && cp <= 0xFF0F)
        return false;
    if (cp >= 0x1F000 && cp <= 0x1FAFF)
        return false;
    return true;
}

static void emit(lexer_t *lx, tok_kind_t kind, uint32_t start, uint32_t end, uint16_t aux)
{
    if (kind == TOK_NEWLINE) {
        lx->nl_pending = true;
        /* Runs of line breaks are one NEWLINE: the grammar never counts them. */
        if (!lx->trivia && lx->out.len && lx->out.items[lx->out.len - 1].kind == TOK_NEWLINE)
            return;
    }
    if (lx->out.len == lx->cap) {
        lx->cap = lx->cap ? lx->cap * 2 : 1024;
        lx->out.items = realloc(lx->out.items, lx->cap * sizeof(token_t));
        if (!lx->out.items) {
            perror("snowc: out of memory");
            abort();
        }
    }
    token_t *t = &lx->out.items[lx->out.len++];
    t->kind = (uint8_t)kind;
    t->nl_before = lx->nl_pending || lx->out.len == 1;
    t->aux = aux;
    t->start = start;
    t->end = end;
    if (kind != TOK_NEWLINE)
        lx->nl_pending = false;
}

static int peek(const lexer_t *lx, uint32_t ahead)
{
    return lx->pos + ahead < lx->len ? lx->src[lx->pos + ahead] : -1;
}

static bool push_mode(lexer_t *lx, lex_mode_t m)
{
    if (lx->depth == LEX_MODES_MAX)
        return false;
    lx->modes[lx->depth++] = m;
    return true;
}

/* =============================================================== comments */

/* Skips a `#=` block comment starting at pos (nestable, 1.3). Returns false
 * when the file ends first. */
static bool skip_block_comment(lexer_t *lx)
{
    uint32_t nest = 0;
    while (lx->pos < lx->len) {
        if (peek(lx, 0) == '#' && peek(lx, 1) == '=') {
            nest++;
            lx->pos += 2;
        } else if (peek(lx, 0) == '=' && peek(lx, 1) == '#') {
            lx->pos += 2;
            if (--nest == 0)
                return true;
        } else {
            lx->pos++;
        }
    }
    return false;
}

static uint16_t line_comment_kind(const lexer_t *lx, uint32_t start)
{
    if (start + 1 < lx->len && lx->src[start + 1] == '#')
        return start + 2 < lx->len && lx->src[start + 2] == '!' ? LEX_COMMENT_MODULE
                                                                 : LEX_COMMENT_DOC;
    return LEX_COMMENT_LINE;
}

/* Skips blanks, comments and line breaks (emitting NEWLINE for breaks).
 * Returns false if an unterminated block comment ended the file. */
static bool skip_trivia(lexer_t *lx)
{
    for (;;) {
        int c = peek(lx, 0);
        if (c == ' ' || c == '\t') {
            lx->pos++;
        } else if (c == '\n' || c == '\r') {
            uint32_t start = lx->pos++;
            if (c == '\r' && peek(lx, 0) == '\n')
                lx->pos++;
            emit(lx, TOK_NEWLINE, start, lx->pos, 0);
        } else if (c == '#' && peek(lx, 1) == '=') {
            uint32_t start = lx->pos;
            if (!skip_block_comment(lx)) {
                emit(lx, TOK_ERROR, start, start + 2, LEX_ERR_UNTERMINATED_COMMENT);
                return false;
            }
            if (lx->trivia)
                emit(lx, TOK_COMMENT, start, lx->pos, LEX_COMMENT_BLOCK);
        } else if (c == '#') {
            uint32_t start = lx->pos;
            while (lx->pos < lx->len && lx->src[lx->pos] != '\n' && lx->src[lx->pos] != '\r')
                lx->pos++;
            if (lx->trivia)
                emit(lx, TOK_COMMENT, start, lx->pos, line_comment_kind(lx, start));
        } else {
            return true;
        }
    }
}

/* ================================================================ numbers */

static bool is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static bool is_hex(int c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* INT / FLOAT (1.6.1-1.6.2). The value is computed by the parser. */
static void lex_number(lexer_t *lx)
{
    uint32_t start = lx->pos;
    int c1 = peek(lx, 1);
    if (peek(lx, 0) == '0' && (c1 == 'x' || c1 == 'X' || c1 == 'b' || c1 == 'B' ||
                               c1 == 'o' || c1 == 'O')) {
        lx->pos += 2;
        while (is_hex(peek(lx, 0)) || peek(lx, 0) == '_')
            lx->pos++;
        emit(lx, TOK_INT, start, lx->pos, 0);
        return;
    }
    while (is_digit(peek(lx, 0)) || peek(lx, 0) == '_')
        lx->pos++;
    bool is_float = false;
    if (peek(lx, 0) == '.' && is_digit(peek(lx, 1))) {
        is_float = true;
        lx->pos++;
        while (is_digit(peek(lx, 0)) || peek(lx, 0) == '_')
            lx->pos++;
    }
    int e = peek(lx, 0);
    if (e == 'e' || e == 'E') {
        uint32_t k = 1;
        if (peek(lx, 1) == '+' || peek(lx, 1) == '-')
            k = 2;
        /* An exponent needs a digit; otherwise `e` starts the next token. */
        if (is_digit(peek(lx, k))) {
            is_float = true;
            lx->pos += k;
            while (is_digit(peek(lx, 0)) || peek(lx, 0) == '_')
                lx->pos++;
        }
    }
    emit(lx, is_float ? TOK_FLOAT : TOK_INT, start, lx->pos, 0);
}

/* ============================================================ identifiers */

static bool ident_char_at(lexer_t *lx, uint32_t at, bool first, uint32_t *n)
{
    if (at >= lx->len)
        return false;
    unsigned char c = lx->src[at];
    if (c < 0x80) {
        *n = 1;
        bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
        return alpha || (!first && is_digit(c));
    }
    uint32_t cp;
    int len = lex_utf8_decode(lx->src + at, lx->len - at, &cp);
    if (len == 0 || !is_ident_cp(cp))
        return false;
    *n = (uint32_t)len;
    return true;
}

static void lex_ident(lexer_t *lx)
{
    uint32_t start = lx->pos, n;
    while (ident_char_at(lx, lx->pos, lx->pos == start, &n))
        lx->pos += n;
    tok_kind_t kw = token_keyword((const char *)lx->src + start, lx->pos - start);
    emit(lx, kw, start, lx->pos, 0);
}

/* A byte >= 0x80 in code: an identifier, a BOM, another character, or
 * invalid UTF-8. */
static void lex_non_ascii(lexer_t *lx)
{
    uint32_t start = lx->pos, n, cp;
    if (ident_char_at(lx, start, true, &n)) {
        lex_ident(lx);
        return;
    }
    int len = lex_utf8_decode(lx->src + start, lx->len - start, &cp);
    if (len == 0) {
        lx->pos++;
        emit(lx, TOK_ERROR, start, lx->pos, LEX_ERR_UTF8);
        return;
    }
    lx->pos += (uint32_t)len;
    emit(lx, TOK_ERROR, start, lx->pos, cp == 0xFEFF ? LEX_ERR_BOM : LEX_ERR_CHAR);
}

/* ============================================================== operators */

/* Longest match (1.7). Returns the token length or 0 if c starts nothing. */
static uint32_t match_op(int c, int d, tok_kind_t *kind)
{
    switch (c) {
    case '+': *kind = d == '+' ? TOK_PLUSPLUS : TOK_PLUS; return d == '+' ? 2 : 1;
    case '-': *kind = d == '>' ? TOK_ARROW : TOK_MINUS; return d == '>' ? 2 : 1;
    case '*': *kind = TOK_STAR; return 1;
    case '/': *kind = TOK_SLASH; return 1;
    case '%': *kind = d == '{' ? TOK_MAP_OPEN : TOK_PERCENT; return d == '{' ? 2 : 1;
    case '=':
        if (d == '=' || d == '>') {
            *kind = d == '=' ? TOK_EQEQ : TOK_FATARROW;
            return 2;
        }
        *kind = TOK_EQ;
        return 1;
    case '!': *kind = d == '=' ? TOK_NE : TOK_BANG; return d == '=' ? 2 : 1;
    case '<':
        if (d == '=' || d == '>') {
            *kind = d == '=' ? TOK_LE : TOK_CONCAT;
            return 2;
        }
        *kind = TOK_LT;
        return 1;
    case '>': *kind = d == '=' ? TOK_GE : TOK_GT; return d == '=' ? 2 : 1;
    case '&': *kind = TOK_ANDAND; return d == '&' ? 2 : 0;
    case '|':
        if (d == '|' || d == '>') {
            *kind = d == '|' ? TOK_OROR : TOK_PIPE;
            return 2;
        }
        *kind = TOK_BAR;
        return 1;
    case '.': *kind = d == '.' ? TOK_DOTDOT : TOK_DOT; return d == '.' ? 2 : 1;
    case ':': *kind = d == ':' ? TOK_COLONCOLON : TOK_COLON; return d == ':' ? 2 : 1;
    case '?': *kind = TOK_QUESTION; return 1;
    case '(': *kind = TOK_LPAREN; return 1;
    case ')': *kind = TOK_RPAREN; return 1;
    case '[': *kind = TOK_LBRACKET; return 1;
    case ']': *kind = TOK_RBRACKET; return 1;
    case '{': *kind = TOK_LBRACE; return 1;
    case '}': *kind = TOK_RBRACE; return 1;
    case ',': *kind = TOK_COMMA; return 1;
    case ';': *kind = TOK_SEMI; return 1;
    default: return 0;
    }
}

/* Braces inside an interpolation are counted so the `}` at depth 0 closes it. */
static void lex_brace(lexer_t *lx, tok_kind_t kind, uint32_t start, uint32_t n)
{
    lex_mode_t *m = &lx->modes[lx->depth - 1];
    if (kind == TOK_LBRACE || kind == TOK_MAP_OPEN) {
        m->braces++;
    } else if (kind == TOK_RBRACE && m->interp && m->braces == 0) {
        lx->pos += n;
        emit(lx, TOK_INTERP_END, start, lx->pos, 0);
        lx->depth--;
        return;
    } else if (kind == TOK_RBRACE && m->braces > 0) {
        m->braces--;
    }
    lx->pos += n;
    emit(lx, kind, start, lx->pos, 0);
}

static void lex_string_open(lexer_t *lx)
{
    uint32_t start = lx->pos;
    bool triple = peek(lx, 1) == '"' && peek(lx, 2) == '"';
    lx->pos += triple ? 3 : 1;
    if (!push_mode(lx, (lex_mode_t){.string = true, .triple = triple, .start = start})) {
        /* Interpolation nesting beyond LEX_MODES_MAX: give up on the rest. */
        emit(lx, TOK_ERROR, start, lx->len, LEX_ERR_UNTERMINATED_STRING);
        lx->pos = lx->len;
        return;
    }
    emit(lx, TOK_STRING_START, start, lx->pos, triple);
}

/* One token in CODE mode. Returns false at end of input. */
static bool lex_code(lexer_t *lx)
{
    if (!skip_trivia(lx)) {
        lx->pos = lx->len;
        return false;
    }
    if (lx->pos >= lx->len)
        return false;
    uint32_t start = lx->pos;
    int c = lx->src[start];
    if (is_digit(c)) {
        lex_number(lx);
    } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_') {
        lex_ident(lx);
    } else if (c >= 0x80) {
        lex_non_ascii(lx);
    } else if (c == '"') {
        lex_string_open(lx);
    } else {
        tok_kind_t kind;
        uint32_t n = match_op(c, peek(lx, 1), &kind);
        if (n == 0) {
            lx->pos++;
            emit(lx, TOK_ERROR, start, lx->pos, c == 0 ? LEX_ERR_NUL : LEX_ERR_CHAR);
        } else if (kind == TOK_LBRACE || kind == TOK_RBRACE || kind == TOK_MAP_OPEN) {
            lex_brace(lx, kind, start, n);
        } else {
            lx->pos += n;
            emit(lx, kind, start, lx->pos, 0);
        }
    }
    return true;
}

/* ================================================================ strings */

static void flush_content(lexer_t *lx, uint32_t start)
{
    if (lx->pos > start)
        emit(lx, TOK_STRING_CONTENT, start, lx->pos, 0);
}

/* One step in STRING mode: content up to a closing quote, `${` or EOF.
 * Returns false at end of input. */
static bool lex_string(lexer_t *lx)
{
    bool triple = lx->modes[lx->depth - 1].triple;
    uint32_t start = lx->pos;
    while (lx->pos < lx->len) {
        int c = lx->src[lx->pos];
        if (c == '\\' && lx->pos + 1 < lx->len) {
            lx->pos += 2;
        } else if (c == '"' && (!triple || (peek(lx, 1) == '"' && peek(lx, 2) == '"'))) {
            flush_content(lx, start);
            uint32_t q = lx->pos;
            lx->pos += triple ? 3 : 1;
            emit(lx, TOK_STRING_END, q, lx->pos, 0);
            lx->depth--;
            return true;
        } else if (c == '$' && peek(lx, 1) == '{') {
            flush_content(lx, start);
            uint32_t q = lx->pos;
            lx->pos += 2;
            emit(lx, TOK_INTERP_START, q, lx->pos, 0);
            if (!push_mode(lx, (lex_mode_t){.interp = true, .start = q})) {
                emit(lx, TOK_ERROR, q, lx->len, LEX_ERR_UNTERMINATED_INTERP);
                lx->pos = lx->len;
                return false;
            }
            return true;
        } else if (c >= 0x80 || c == 0) {
            uint32_t cp;
            int n = c == 0 ? 0 : lex_utf8_decode(lx->src + lx->pos, lx->len - lx->pos, &cp);
            if (n > 0) {
                lx->pos += (uint32_t)n;
                continue;
            }
            flush_content(lx, start);
            emit(lx, TOK_ERROR, lx->pos, lx->pos + 1, c == 0 ? LEX_ERR_NUL : LEX_ERR_UTF8);
            start = ++lx->pos;
        } else {
            lx->pos++;
        }
    }
    flush_content(lx, start);
    return false;
}

static lex_tokens_t lex_run(const char *src, uint32_t len, bool trivia)
{
    lexer_t *lx = calloc(1, sizeof(*lx));
    if (!lx) {
        perror("snowc: out of memory");
        abort();
    }
    lx->trivia = trivia;
    lx->src = (const unsigned char *)src;
    lx->len = len;
    lx->modes[0] = (lex_mode_t){0};
    lx->depth = 1;
    for (;;) {
        bool more = lx->modes[lx->depth - 1].string ? lex_string(lx) : lex_code(lx);
        if (!more)
            break;
    }
    /* Open strings or interpolations at EOF: report the innermost one. */
    if (lx->depth > 1) {
        lex_mode_t *m = &lx->modes[lx->depth - 1];
        bool in_string = m->string;
        emit(lx, TOK_ERROR, m->start, in_string ? m->start + (m->triple ? 3 : 1) : m->start + 2,
             in_string ? LEX_ERR_UNTERMINATED_STRING : LEX_ERR_UNTERMINATED_INTERP);
    }
    emit(lx, TOK_EOF, len, len, 0);
    lex_tokens_t out = lx->out;
    free(lx);
    return out;
}

lex_tokens_t lex_tokens(const char *src, uint32_t len)
{
    return lex_run(src, len, false);
}

lex_tokens_t lex_tokens_trivia(const char *src, uint32_t len)
{
    return lex_run(src, len, true);
}

void lex_tokens_free(lex_tokens_t *t)
{
    free(t->items);
    t->items = NULL;
    t->len = 0;
}
