/* parse_expr.c: expressions (language.md 3.5, 3.7; D1-D3, D6, D7).
 *
 * parse_bp is a Pratt loop over the binding powers of 3.7: prefix operators
 * parse their operand at 23, postfix forms (call, field, `?`, struct
 * literal) bind at 25, binary operators are left-associative. Each loop
 * iteration counts as a nesting level, so the depth of the tree the parser
 * builds is bounded by PARSE_NEST_MAX as well as its recursion.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "lang/compiler/parse_int.h"

ast_expr_t *expr_new(parser_t *p, ast_expr_kind_t kind, span_t span)
{
    ast_expr_t *e = ARENA_NEW(p->arena, ast_expr_t);
    e->kind = kind;
    e->span = span;
    return e;
}

/* A placeholder after an error: never seen by later phases, because they do
 * not run when the parser reported errors. */
static ast_expr_t *expr_error(parser_t *p)
{
    const token_t *t = pk(p);
    return expr_new(p, AST_EXPR_NIL, tok_span(p, t));
}

/* ============================================================== literals */

static int digit_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return 99;
}

/* D1: every base, `_` ignored after the first digit or prefix; hex/oct/bin
 * up to 64 bits as two's complement; decimal up to 2^63-1, or 2^63 right
 * after a unary minus. */
bool int_value(parser_t *p, const token_t *t, bool negated, int64_t *out)
{
    const char *s = p->src + t->start, *end = p->src + t->end;
    unsigned base = 10;
    char b = end - s >= 2 && s[0] == '0' ? (char)(s[1] | 0x20) : 0;
    if (b == 'x' || b == 'b' || b == 'o') {
        base = b == 'x' ? 16 : b == 'b' ? 2 : 8;
        s += 2;
    }
    uint64_t v = 0;
    bool any = false, overflow = false;
    for (; s < end; s++) {
        if (*s == '_')
            continue;
        unsigned d = (unsigned)digit_value(*s);
        if (d >= base) {
            perr(p, tok_span(p, t), "invalid integer literal");
            return false;
        }
        if (v > (UINT64_MAX - d) / base)
            overflow = true;
        v = v * base + d;
        any = true;
    }
    if (!any) {
        perr(p, tok_span(p, t), "invalid integer literal");
        return false;
    }
    uint64_t limit = base != 10 ? UINT64_MAX : negated ? (uint64_t)INT64_MAX + 1 : INT64_MAX;
    if (overflow || v > limit) {
        perr(p, tok_span(p, t), "integer literal out of range");
        return false;
    }
    *out = (int64_t)v; /* two's complement: 2^63 becomes INT64_MIN */
    return true;
}

/* D2: underscores ignored; strtod gives the correctly rounded value. */
double float_value(parser_t *p, const token_t *t)
{
    char buf[128];
    uint32_t n = 0;
    for (uint32_t i = t->start; i < t->end && n + 1 < sizeof(buf); i++)
        if (p->src[i] != '_')
            buf[n++] = p->src[i];
    buf[n] = '\0';
    if (t->end - t->start >= sizeof(buf)) {
        /* Very long literals: copy to the arena rather than truncate. */
        char *big = arena_alloc(p->arena, t->end - t->start + 1);
        n = 0;
        for (uint32_t i = t->start; i < t->end; i++)
            if (p->src[i] != '_')
                big[n++] = p->src[i];
        big[n] = '\0';
        return strtod(big, NULL);
    }
    return strtod(buf, NULL);
}

/* D3: \n \t \r \0 \\ \" \$ decoded; any other pair kept as written. */
const char *decode_escapes(parser_t *p, const char *raw, uint32_t len, uint32_t *out_len)
{
    char *out = arena_alloc(p->arena, len + 1);
    uint32_t n = 0;
    for (uint32_t i = 0; i < len; i++) {
        char c = raw[i];
        if (c != '\\' || i + 1 == len) {
            out[n++] = c;
            continue;
        }
        char e = raw[i + 1];
        char d = e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e == '0' ? '\0'
               : e == '\\' ? '\\' : e == '"' ? '"' : e == '$' ? '$' : 0;
        if (d || e == '0') {
            out[n++] = d;
            i++;
        } else {
            out[n++] = c; /* unknown pair: keep the backslash, then the char */
        }
    }
    out[n] = '\0';
    *out_len = n;
    return out;
}

/* STRING = STRING_START { CONTENT | "${" Expr "}" } STRING_END */
ast_expr_t *parse_string(parser_t *p)
{
    const token_t *open = adv(p);
    ast_expr_t *e = expr_new(p, AST_EXPR_STRING, tok_span(p, open));
    uint32_t cap = 0;
    bool closed = false;
    while (!p->failed) {
        /* Tokens of a literal are contiguous: no NEWLINE skipping applies. */
        const token_t *t = &p->toks[p->pos];
        if (t->kind == TOK_STRING_END) {
            adv(p);
            closed = true;
            break;
        }
        ast_strpart_t part = {0};
        if (t->kind == TOK_STRING_CONTENT) {
            adv(p);
            part.text = decode_escapes(p, p->src + t->start, t->end - t->start, &part.text_len);
        } else if (t->kind == TOK_INTERP_START) {
            adv(p);
            p->interp++;
            uint32_t depth = p->depth;
            p->depth = 0; /* 1.2: newlines inside ${ } are tokens */
            bool no_do = p->no_do;
            p->no_do = false;
            part.expr = parse_expr(p);
            if (!p->failed && p->toks[p->pos].kind != TOK_INTERP_END)
                perr(p, tok_span(p, &p->toks[p->pos]), "expected `}` to close `${`");
            else if (!p->failed)
                adv(p);
            p->no_do = no_do;
            p->depth = depth;
            p->interp--;
        } else {
            perr(p, tok_span(p, t), "%s",
                 t->kind == TOK_ERROR ? token_error_message((lex_error_t)t->aux)
                                      : "unterminated string literal");
            break;
        }
        PUSH(p, e->parts.items, e->parts.len, cap, part);
    }
    if (closed && e->parts.len == 0) {
        ast_strpart_t empty = {.text = "", .text_len = 0};
        PUSH(p, e->parts.items, e->parts.len, cap, empty);
    }
    e->span = span_from(p, open->start);
    return e;
}

/* ========================================================= delimited lists */

/* Parses Expr {"," Expr} [","] up to closer; the opener was consumed and
 * depth incremented by the caller. */
static ast_exprs_t parse_expr_list(parser_t *p, tok_kind_t closer)
{
    ast_exprs_t xs = {0};
    uint32_t cap = 0;
    while (!at(p, closer) && !p->failed) {
        ast_expr_t *e = parse_expr(p);
        PUSH(p, xs.items, xs.len, cap, e);
        if (!accept(p, TOK_COMMA))
            break;
    }
    return xs;
}

/* Closes a delimiter opened at `open`: decrements depth, then expects closer. */
static void close_delim(parser_t *p, const token_t *open, tok_kind_t closer)
{
    if (at(p, closer)) {
        p->depth--;
        adv(p);
        return;
    }
    if (!p->failed) {
        uint32_t before = p->diag->count;
        perr_here(p, "expected %s", token_describe(closer));
        if (p->diag->count > before)
            diag_secondary(p->diag, tok_span(p, open), "%s opened here",
                           token_describe((tok_kind_t)open->kind));
    }
    p->depth--;
}

/* Runs `body` between an opener (next token) and closer with depth raised
 * and the head-expression flag cleared. */
static const token_t *open_delim(parser_t *p, bool *saved_no_do)
{
    const token_t *open = adv(p);
    p->depth++;
    *saved_no_do = p->no_do;
    p->no_do = false;
    return open;
}

/* CallArgs = "(" [Expr {"," Expr} [","]] ")" */
static ast_exprs_t parse_call_args(parser_t *p)
{
    bool no_do;
    const token_t *open = open_delim(p, &no_do);
    ast_exprs_t args = parse_expr_list(p, TOK_RPAREN);
    close_delim(p, open, TOK_RPAREN);
    p->no_do = no_do;
    return args;
}

/* "(" ")" | "(" Expr ")" | "(" Expr "," [Expr {"," Expr}] [","] ")" */
static ast_expr_t *parse_paren(parser_t *p)
{
    bool no_do;
    const token_t *open = open_delim(p, &no_do);
    ast_expr_t *e;
    if (at(p, TOK_RPAREN)) {
        e = expr_new(p, AST_EXPR_TUPLE, tok_span(p, open));
    } else {
        ast_expr_t *first = parse_expr(p);
        if (accept(p, TOK_COMMA) && !at(p, TOK_RPAREN)) {
            e = expr_new(p, AST_EXPR_TUPLE, tok_span(p, open));
            ast_exprs_t rest = parse_expr_list(p, TOK_RPAREN);
            e->elems.items = ARENA_ARRAY(p->arena, ast_expr_t *, rest.len + 1);
            e->elems.items[0] = first;
            if (rest.len)
                memcpy(e->elems.items + 1, rest.items, rest.len * sizeof(*rest.items));
            e->elems.len = rest.len + 1;
        } else {
            e = first; /* grouping; `(e,)` is just e */
        }
    }
    close_delim(p, open, TOK_RPAREN);
    p->no_do = no_do;
    if (e->kind == AST_EXPR_TUPLE)
        e->span = span_from(p, open->start);
    return e;
}

static ast_expr_t *parse_list(parser_t *p)
{
    bool no_do;
    const token_t *open = open_delim(p, &no_do);
    ast_expr_t *e = expr_new(p, AST_EXPR_LIST, tok_span(p, open));
    e->elems = parse_expr_list(p, TOK_RBRACKET);
    close_delim(p, open, TOK_RBRACKET);
    p->no_do = no_do;
    e->span = span_from(p, open->start);
    return e;
}

/* "%{" [MapEntry {("," | nothing) MapEntry} [","]] "}"; MapEntry = Expr "=>" Expr */
static ast_expr_t *parse_map(parser_t *p)
{
    bool no_do;
    const token_t *open = open_delim(p, &no_do);
    ast_expr_t *e = expr_new(p, AST_EXPR_MAP, tok_span(p, open));
    uint32_t kcap = 0, vcap = 0;
    while (!at(p, TOK_RBRACE) && !p->failed) {
        ast_expr_t *k = parse_expr(p);
        ast_expr_t *v = expect(p, TOK_FATARROW, "`=>`") ? parse_expr(p) : expr_error(p);
        PUSH(p, e->elems.items, e->elems.len, kcap, k);
        PUSH(p, e->values.items, e->values.len, vcap, v);
        accept(p, TOK_COMMA);
    }
    close_delim(p, open, TOK_RBRACE);
    p->no_do = no_do;
    e->span = span_from(p, open->start);
    return e;
}

/* StructLitBody = "{" [FieldInit {("," | nothing) FieldInit} [","]] "}" */
static ast_expr_t *parse_struct_lit(parser_t *p, ast_expr_t *name)
{
    bool no_do;
    const token_t *open = open_delim(p, &no_do);
    ast_expr_t *e = expr_new(p, AST_EXPR_STRUCT, name->span);
    e->lhs = name;
    uint32_t cap = 0;
    while (!at(p, TOK_RBRACE) && !p->failed) {
        const token_t *t = pk(p);
        if (t->kind != TOK_IDENT) {
            perr_here(p, "expected field name");
            break;
        }
        adv(p);
        ast_field_init_t f = {.name = tok_sym(p, t), .name_span = tok_span(p, t)};
        f.value = expect(p, TOK_COLON, "`:` after field name") ? parse_expr(p) : expr_error(p);
        PUSH(p, e->fields.items, e->fields.len, cap, f);
        accept(p, TOK_COMMA);
    }
    close_delim(p, open, TOK_RBRACE);
    p->no_do = no_do;
    e->span = span_from(p, name->span.start);
    return e;
}

/* ========================================================= control flow */

/* Expects the `do` that follows an if/while/for/case head; a `{` there is
 * most likely a block written with braces, so say how blocks are written. */
static bool expect_head_do(parser_t *p, const char *what)
{
    if (accept(p, TOK_KW_DO))
        return true;
    bool brace = at(p, TOK_LBRACE);
    uint32_t before = p->diag->count;
    perr_here(p, "expected `do` after %s", what);
    if (brace && p->diag->count > before)
        diag_help(p->diag, "blocks are written `do ... end`, not with braces");
    return false;
}

ast_expr_t *parse_head_expr(parser_t *p)
{
    bool no_do = p->no_do;
    p->no_do = true;
    ast_expr_t *e = parse_expr(p);
    p->no_do = no_do;
    return e;
}

/* IfExpr = "if" Expr "do" Block ("end" | "else" (IfExpr | Block "end")) */
static ast_expr_t *parse_if(parser_t *p)
{
    const token_t *kw = adv(p);
    ast_expr_t *e = expr_new(p, AST_EXPR_IF, tok_span(p, kw));
    e->lhs = parse_head_expr(p);
    const token_t *do_tok = pk(p);
    if (!expect_head_do(p, "`if` condition"))
        return e;
    e->then_block = parse_block(p, NULL);
    if (accept(p, TOK_KW_ELSE)) {
        if (at(p, TOK_KW_IF)) {
            if (!nest_enter(p, tok_span(p, pk(p))))
                return e;
            ast_expr_t *inner = parse_if(p);
            nest_leave(p);
            e->else_block = block_of_expr(p, inner);
        } else {
            e->else_block = parse_block(p, NULL);
            expect_end(p, do_tok, "do");
        }
    } else {
        expect_end(p, do_tok, "do");
    }
    e->span = span_from(p, kw->start);
    return e;
}

/* Arm = Pattern ["when" Expr] "->" Expr */
static ast_arm_t parse_arm(parser_t *p)
{
    ast_arm_t arm = {0};
    uint32_t start = pk(p)->start;
    arm.pat = parse_pattern(p);
    if (accept(p, TOK_KW_WHEN))
        arm.guard = parse_expr(p);
    if (expect(p, TOK_ARROW, "`->` after pattern"))
        arm.body = parse_expr(p);
    else
        arm.body = expr_error(p);
    arm.span = span_from(p, start);
    return arm;
}

/* { Arm {SEP} } up to `end` (or `after` when allowed); a failed arm is
 * skipped to the next line. */
static void parse_arms(parser_t *p, ast_expr_t *e, bool allow_after)
{
    uint32_t cap = 0, depth = p->depth;
    for (;;) {
        skip_seps(p);
        tok_kind_t k = pkind(p);
        if (k == TOK_KW_END || k == TOK_EOF || p->stopped || (allow_after && k == TOK_KW_AFTER))
            break;
        if (k == TOK_RPAREN || k == TOK_RBRACKET || k == TOK_RBRACE || k == TOK_INTERP_END)
            break;
        uint32_t from = p->pos;
        ast_arm_t arm = parse_arm(p);
        PUSH(p, e->arms.items, e->arms.len, cap, arm);
        if (p->failed)
            parse_sync(p, from, depth);
        if (p->pos == from)
            adv(p);
    }
}

/* CaseExpr = ("case" | "match") Expr "do" {SEP} {Arm {SEP}} "end" */
static ast_expr_t *parse_case(parser_t *p)
{
    const token_t *kw = adv(p);
    ast_expr_t *e = expr_new(p, AST_EXPR_CASE, tok_span(p, kw));
    e->lhs = parse_head_expr(p);
    const token_t *do_tok = pk(p);
    if (!expect_head_do(p, "`case` subject"))
        return e;
    bool no_do = p->no_do;
    p->no_do = false;
    parse_arms(p, e, false);
    p->no_do = no_do;
    expect_end(p, do_tok, "do");
    e->span = span_from(p, kw->start);
    return e;
}

/* ReceiveExpr = "receive" "do" {SEP} {Arm {SEP}} ["after" Expr "->" Expr {SEP}] "end" */
static ast_expr_t *parse_receive(parser_t *p)
{
    const token_t *kw = adv(p);
    ast_expr_t *e = expr_new(p, AST_EXPR_RECEIVE, tok_span(p, kw));
    const token_t *do_tok = pk(p);
    if (!expect(p, TOK_KW_DO, "`do` after `receive`"))
        return e;
    bool no_do = p->no_do;
    p->no_do = false;
    parse_arms(p, e, true);
    if (accept(p, TOK_KW_AFTER)) {
        e->after_timeout = parse_expr(p);
        if (expect(p, TOK_ARROW, "`->` after `after` timeout"))
            e->after_body = parse_expr(p);
        skip_seps(p);
    }
    p->no_do = no_do;
    expect_end(p, do_tok, "do");
    e->span = span_from(p, kw->start);
    return e;
}

/* WhileExpr = "while" Expr "do" Block "end" */
static ast_expr_t *parse_while(parser_t *p)
{
    const token_t *kw = adv(p);
    ast_expr_t *e = expr_new(p, AST_EXPR_WHILE, tok_span(p, kw));
    e->lhs = parse_head_expr(p);
    if (!at(p, TOK_KW_DO)) {
        expect_head_do(p, "`while` condition");
        return e;
    }
    e->then_block = parse_do_block(p, "do");
    e->span = span_from(p, kw->start);
    return e;
}

static ast_pat_t *ident_pat(parser_t *p)
{
    const token_t *t = pk(p);
    if (t->kind != TOK_IDENT) {
        perr_here(p, "expected loop variable");
        return pat_new(p, AST_PAT_WILD, tok_span(p, t));
    }
    adv(p);
    sym_t name = tok_sym(p, t);
    ast_pat_t *pt = pat_new(p, name == p->sym_wild ? AST_PAT_WILD : AST_PAT_IDENT, tok_span(p, t));
    pt->name = name;
    pt->name_span = pt->span;
    return pt;
}

/* ForExpr = "for" (IDENT | "{" IDENT ["," IDENT] "}") "in" Expr ["when" Expr] "do" Block "end" */
static ast_expr_t *parse_for(parser_t *p)
{
    const token_t *kw = adv(p);
    ast_expr_t *e = expr_new(p, AST_EXPR_FOR, tok_span(p, kw));
    if (at(p, TOK_LBRACE)) {
        bool no_do;
        const token_t *open = open_delim(p, &no_do);
        ast_pat_t *tp = pat_new(p, AST_PAT_TUPLE, tok_span(p, open));
        uint32_t cap = 0;
        ast_pat_t *a = ident_pat(p);
        PUSH(p, tp->elems.items, tp->elems.len, cap, a);
        if (accept(p, TOK_COMMA)) {
            ast_pat_t *b = ident_pat(p);
            PUSH(p, tp->elems.items, tp->elems.len, cap, b);
        }
        close_delim(p, open, TOK_RBRACE);
        p->no_do = no_do;
        tp->span = span_from(p, open->start);
        e->for_pat = tp;
    } else {
        e->for_pat = ident_pat(p);
    }
    if (expect(p, TOK_KW_IN, "`in` after loop variable"))
        e->lhs = parse_head_expr(p);
    if (accept(p, TOK_KW_WHEN))
        e->guard = parse_head_expr(p);
    if (!at(p, TOK_KW_DO)) {
        expect_head_do(p, "`for` header");
        return e;
    }
    e->then_block = parse_do_block(p, "do");
    e->span = span_from(p, kw->start);
    return e;
}

/* ============================================================== closures */

/* Clause params: parenthesised ClauseParams, or bare ClauseParam {"," ..}. */
static ast_params_t parse_closure_params(parser_t *p)
{
    if (at(p, TOK_LPAREN))
        return parse_clause_params(p);
    ast_params_t ps = {0};
    uint32_t cap = 0;
    do {
        ast_param_t prm = parse_clause_param(p);
        PUSH(p, ps.items, ps.len, cap, prm);
    } while (!p->failed && accept(p, TOK_COMMA));
    return ps;
}

/* One clause after the params: ["when" Expr] ("->" Expr | "do" Block "end").
 * Returns true if the clause had a `do` body. */
static bool parse_clause_body(parser_t *p, ast_closure_clause_t *c)
{
    if (accept(p, TOK_KW_WHEN))
        c->guard = parse_head_expr(p);
    if (at(p, TOK_KW_DO)) {
        c->body = parse_do_block(p, "do");
        return true;
    }
    if (expect(p, TOK_ARROW, "`->` or `do` in closure")) {
        c->arrow_form = true;
        c->body = block_of_expr(p, parse_expr(p));
    } else {
        c->body = ARENA_NEW(p->arena, ast_block_t);
    }
    return false;
}

/* Closure (3.5):
 *   "fn" "->" Block "end" | "fn" "do" Block "end"
 * | "fn" CParams ["when" Expr] "do" Block "end"
 * | "fn" CParams ["when" Expr] "->" Expr { "|" Clause } "end"        */
static ast_expr_t *parse_closure(parser_t *p)
{
    const token_t *kw = adv(p);
    ast_expr_t *e = expr_new(p, AST_EXPR_CLOSURE, tok_span(p, kw));
    uint32_t cap = 0;
    bool no_do = p->no_do;
    p->no_do = false;
    ast_closure_clause_t c = {0};
    uint32_t start = pk(p)->start;
    if (at(p, TOK_ARROW) || at(p, TOK_KW_DO)) {
        bool arrow = accept(p, TOK_ARROW);
        if (!arrow)
            adv(p);
        c.arrow_form = arrow;
        c.body = parse_block(p, NULL);
        expect_end(p, kw, "fn");
        c.span = span_from(p, start);
        PUSH(p, e->clauses.items, e->clauses.len, cap, c);
    } else {
        c.params = parse_closure_params(p);
        bool do_body = parse_clause_body(p, &c);
        c.span = span_from(p, start);
        PUSH(p, e->clauses.items, e->clauses.len, cap, c);
        if (!do_body) {
            skip_seps(p);
            while (!p->failed && accept(p, TOK_BAR)) {
                ast_closure_clause_t more = {0};
                uint32_t s2 = pk(p)->start;
                more.params = parse_closure_params(p);
                parse_clause_body(p, &more);
                more.span = span_from(p, s2);
                PUSH(p, e->clauses.items, e->clauses.len, cap, more);
                skip_seps(p);
            }
            expect_end(p, kw, "fn");
        }
    }
    p->no_do = no_do;
    e->span = span_from(p, kw->start);
    return e;
}

/* ============================================================== primary */

/* "spawn" | "send" | "link" | "monitor" CallArgs */
static ast_expr_t *parse_special_call(parser_t *p, ast_expr_kind_t kind)
{
    const token_t *kw = adv(p);
    ast_expr_t *e = expr_new(p, kind, tok_span(p, kw));
    if (!at(p, TOK_LPAREN)) {
        perr_here(p, "expected `(` after %s", token_describe((tok_kind_t)kw->kind));
        return e;
    }
    e->elems = parse_call_args(p);
    e->span = span_from(p, kw->start);
    return e;
}

/* Can the token start an expression? (`return` takes no value otherwise.) */
static bool starts_expr(tok_kind_t k)
{
    switch (k) {
    case TOK_NEWLINE: case TOK_SEMI: case TOK_EOF: case TOK_KW_END: case TOK_KW_ELSE:
    case TOK_RPAREN: case TOK_RBRACKET: case TOK_RBRACE: case TOK_INTERP_END: case TOK_COMMA:
    case TOK_BAR: case TOK_KW_AFTER:
        return false;
    default:
        return true;
    }
}

static ast_expr_t *parse_simple(parser_t *p, ast_expr_kind_t kind)
{
    const token_t *t = adv(p);
    ast_expr_t *e = expr_new(p, kind, tok_span(p, t));
    if (kind == AST_EXPR_BOOL)
        e->bool_value = t->kind == TOK_KW_TRUE;
    else if (kind == AST_EXPR_IDENT)
        e->name = tok_sym(p, t);
    else if (kind == AST_EXPR_FLOAT)
        e->float_value = float_value(p, t);
    else if (kind == AST_EXPR_INT)
        int_value(p, t, false, &e->int_value);
    return e;
}

static ast_expr_t *parse_self(parser_t *p)
{
    const token_t *t = adv(p);
    if (!at(p, TOK_LPAREN)) {
        ast_expr_t *e = expr_new(p, AST_EXPR_IDENT, tok_span(p, t));
        e->name = p->sym_self;
        return e;
    }
    adv(p);
    p->depth++;
    close_delim(p, t, TOK_RPAREN);
    return expr_new(p, AST_EXPR_SELF, span_from(p, t->start));
}

static ast_expr_t *parse_return(parser_t *p)
{
    const token_t *kw = adv(p);
    ast_expr_t *e = expr_new(p, AST_EXPR_RETURN, tok_span(p, kw));
    if (starts_expr(pkind(p)))
        e->lhs = parse_expr(p);
    e->span = span_from(p, kw->start);
    return e;
}

static ast_expr_t *parse_bp(parser_t *p, int min_bp);

/* An expression was expected but the line ended (`let x = a +` NEWLINE, or
 * `->` NEWLINE in an arm): 1.2 makes that an error. To recover without a
 * cascade, the next line is parsed as the missing expression with further
 * errors muted, and the statement is then skipped as failed. */
static ast_expr_t *parse_after_line_break(parser_t *p)
{
    perr_here(p, "expected expression");
    ast_expr_t *e = expr_error(p);
    tok_kind_t next = (tok_kind_t)p->toks[p->pos + 1].kind;
    if (p->muted || !starts_expr(next) || next == TOK_KW_LET)
        return e;
    adv(p);
    if (at_item_start(p)) {
        p->pos--; /* the next line is a statement of its own */
        return e;
    }
    p->failed = false;
    p->muted++;
    e = parse_bp(p, 0);
    p->muted--;
    p->failed = true;
    return e;
}

static ast_expr_t *parse_primary(parser_t *p)
{
    const token_t *t = pk(p);
    switch ((tok_kind_t)t->kind) {
    case TOK_INT: return parse_simple(p, AST_EXPR_INT);
    case TOK_FLOAT: return parse_simple(p, AST_EXPR_FLOAT);
    case TOK_KW_TRUE: case TOK_KW_FALSE: return parse_simple(p, AST_EXPR_BOOL);
    case TOK_KW_NIL: return parse_simple(p, AST_EXPR_NIL);
    case TOK_IDENT: return parse_simple(p, AST_EXPR_IDENT);
    case TOK_STRING_START: return parse_string(p);
    case TOK_KW_SELF: return parse_self(p);
    case TOK_LPAREN: return parse_paren(p);
    case TOK_LBRACKET: return parse_list(p);
    case TOK_MAP_OPEN: return parse_map(p);
    case TOK_KW_IF: return parse_if(p);
    case TOK_KW_CASE: case TOK_KW_MATCH: return parse_case(p);
    case TOK_KW_RECEIVE: return parse_receive(p);
    case TOK_KW_WHILE: return parse_while(p);
    case TOK_KW_FOR: return parse_for(p);
    case TOK_KW_FN: return parse_closure(p);
    case TOK_KW_BREAK: return parse_simple(p, AST_EXPR_BREAK);
    case TOK_KW_CONTINUE: return parse_simple(p, AST_EXPR_CONTINUE);
    case TOK_KW_RETURN: return parse_return(p);
    case TOK_KW_SPAWN: return parse_special_call(p, AST_EXPR_SPAWN);
    case TOK_KW_SEND: return parse_special_call(p, AST_EXPR_SEND);
    case TOK_KW_LINK: return parse_special_call(p, AST_EXPR_LINK);
    case TOK_KW_MONITOR: return parse_special_call(p, AST_EXPR_MONITOR);
    case TOK_KW_ALIAS: case TOK_KW_COND: case TOK_KW_TRAIT: case TOK_KW_TRAP: case TOK_KW_WITH:
        perr_here(p, "%s is a reserved keyword", token_describe((tok_kind_t)t->kind));
        return expr_error(p);
    case TOK_NEWLINE:
        return parse_after_line_break(p);
    default:
        perr_here(p, "expected expression");
        return expr_error(p);
    }
}

/* ============================================================ operators */

typedef struct {
    uint8_t lbp, rbp;
    ast_binop_t op;
} binop_info_t;

/* 3.7 binding powers. ORDER AST_BINOP is irrelevant here: keyed by token. */
static bool binop_of(tok_kind_t k, binop_info_t *b)
{
    switch (k) {
    case TOK_PIPE: *b = (binop_info_t){3, 4, AST_BIN_PIPE}; return true;
    case TOK_KW_OR: case TOK_OROR: *b = (binop_info_t){5, 6, AST_BIN_OR}; return true;
    case TOK_KW_AND: case TOK_ANDAND: *b = (binop_info_t){7, 8, AST_BIN_AND}; return true;
    case TOK_EQEQ: *b = (binop_info_t){9, 10, AST_BIN_EQ}; return true;
    case TOK_NE: *b = (binop_info_t){9, 10, AST_BIN_NE}; return true;
    case TOK_LT: *b = (binop_info_t){11, 12, AST_BIN_LT}; return true;
    case TOK_GT: *b = (binop_info_t){11, 12, AST_BIN_GT}; return true;
    case TOK_LE: *b = (binop_info_t){11, 12, AST_BIN_LE}; return true;
    case TOK_GE: *b = (binop_info_t){11, 12, AST_BIN_GE}; return true;
    case TOK_DOTDOT: *b = (binop_info_t){13, 14, AST_BIN_RANGE}; return true;
    case TOK_CONCAT: *b = (binop_info_t){15, 16, AST_BIN_CONCAT}; return true;
    case TOK_PLUSPLUS: *b = (binop_info_t){15, 16, AST_BIN_PLUSPLUS}; return true;
    case TOK_PLUS: *b = (binop_info_t){17, 18, AST_BIN_ADD}; return true;
    case TOK_MINUS: *b = (binop_info_t){17, 18, AST_BIN_SUB}; return true;
    case TOK_STAR: *b = (binop_info_t){19, 20, AST_BIN_MUL}; return true;
    case TOK_SLASH: *b = (binop_info_t){19, 20, AST_BIN_DIV}; return true;
    case TOK_PERCENT: *b = (binop_info_t){19, 20, AST_BIN_REM}; return true;
    default: return false;
    }
}

/* Prefix = ("-" | "!" | "not") Expr(bp 23); `-9223372036854775808` folds to
 * Int.min (D1). */
static ast_expr_t *parse_prefix(parser_t *p)
{
    const token_t *t = pk(p);
    if (t->kind != TOK_MINUS && t->kind != TOK_BANG && t->kind != TOK_KW_NOT)
        return parse_primary(p);
    adv(p);
    const token_t *n = pk(p);
    if (t->kind == TOK_MINUS && n->kind == TOK_INT) {
        int64_t v;
        if (int_value(p, n, true, &v) && v == INT64_MIN) {
            adv(p);
            ast_expr_t *e = expr_new(p, AST_EXPR_INT, span_from(p, t->start));
            e->int_value = v;
            return e;
        }
        if (p->failed)
            return expr_error(p);
    }
    ast_expr_t *e = expr_new(p, AST_EXPR_UNARY, tok_span(p, t));
    e->unop = t->kind == TOK_MINUS ? AST_UN_NEG : AST_UN_NOT;
    e->lhs = parse_bp(p, 23);
    e->span = span_from(p, t->start);
    return e;
}

/* Postfix forms at bp 25. Returns NULL if the next token is not one. */
static ast_expr_t *parse_postfix(parser_t *p, ast_expr_t *lhs)
{
    const token_t *t = pk(p);
    ast_expr_t *e;
    switch ((tok_kind_t)t->kind) {
    case TOK_LPAREN:
        e = expr_new(p, AST_EXPR_CALL, lhs->span);
        e->lhs = lhs;
        e->elems = parse_call_args(p);
        e->span = span_from(p, lhs->span.start);
        if (at(p, TOK_KW_DO) && !p->no_do)
            perr_here(p, "trailing closures are not supported");
        return e;
    case TOK_DOT: {
        adv(p);
        const token_t *f = pk(p);
        tok_kind_t k = (tok_kind_t)f->kind;
        /* 3.5 lists self/monitor/spawn/link; the stdlib also has `Ws.send`, so
         * any keyword is a field name here (a keyword after `.` means nothing
         * else). */
        if (k != TOK_IDENT && (k < TOK_KW_FIRST || k > TOK_KW_LAST)) {
            perr_here(p, "expected field name after `.`");
            return lhs;
        }
        adv(p);
        e = expr_new(p, AST_EXPR_FIELD, span_from(p, lhs->span.start));
        e->lhs = lhs;
        e->name = tok_sym(p, f);
        e->name_span = tok_span(p, f);
        return e;
    }
    case TOK_QUESTION:
        adv(p);
        e = expr_new(p, AST_EXPR_TRY, span_from(p, lhs->span.start));
        e->lhs = lhs;
        return e;
    case TOK_LBRACE:
        /* In an if/while/for/case head, `{` starts a struct literal only
         * when it looks like one (`{}` or `{ name:`); otherwise it is a
         * brace block, reported by the head as a missing `do`. */
        if (p->no_do && pk_at(p, 1)->kind != TOK_RBRACE &&
            !(pk_at(p, 1)->kind == TOK_IDENT && pk_at(p, 2)->kind == TOK_COLON))
            return NULL;
        return parse_struct_lit(p, lhs);
    case TOK_LBRACKET:
        perr_here(p, "index expressions are not supported; use List.get");
        return lhs;
    default:
        return NULL;
    }
}

static ast_expr_t *parse_bp(parser_t *p, int min_bp)
{
    uint32_t nest = p->nest;
    if (!nest_enter(p, tok_span(p, pk(p))))
        return expr_error(p);
    ast_expr_t *lhs = parse_prefix(p);
    while (!p->failed) {
        ast_expr_t *post = parse_postfix(p, lhs);
        if (post) {
            lhs = post;
        } else {
            binop_info_t b;
            if (!binop_of(pkind(p), &b) || b.lbp < min_bp)
                break;
            adv(p);
            ast_expr_t *rhs = parse_bp(p, b.rbp);
            ast_expr_t *e = expr_new(p, AST_EXPR_BINARY, span_join(lhs->span, rhs->span));
            e->binop = b.op;
            e->lhs = lhs;
            e->rhs = rhs;
            lhs = e;
        }
        if (!nest_enter(p, lhs->span))
            break;
    }
    p->nest = nest;
    return lhs;
}

ast_expr_t *parse_expr(parser_t *p)
{
    return parse_bp(p, 0);
}
