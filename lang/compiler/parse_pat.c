/* parse_pat.c: patterns (language.md 3.6), types (3.4), parameters,
 * generic parameter lists, paths and where clauses (3.3). */
#include "lang/compiler/parse_int.h"

ast_pat_t *pat_new(parser_t *p, ast_pat_kind_t kind, span_t span)
{
    ast_pat_t *pt = ARENA_NEW(p->arena, ast_pat_t);
    pt->kind = kind;
    pt->span = span;
    return pt;
}

/* ============================================================== patterns */

/* INT | FLOAT | "-" INT | "-" FLOAT (negative literals folded, D1). */
static ast_pat_t *parse_pat_number(parser_t *p)
{
    const token_t *first = pk(p);
    bool neg = accept(p, TOK_MINUS);
    const token_t *t = pk(p);
    if (t->kind != TOK_INT && t->kind != TOK_FLOAT) {
        perr_here(p, "expected number after `-` in pattern");
        return pat_new(p, AST_PAT_WILD, tok_span(p, t));
    }
    adv(p);
    ast_pat_t *pt = pat_new(p, t->kind == TOK_INT ? AST_PAT_INT : AST_PAT_FLOAT,
                            span_from(p, first->start));
    if (t->kind == TOK_FLOAT) {
        double v = float_value(p, t);
        pt->float_value = neg ? -v : v;
    } else {
        int64_t v = 0;
        int_value(p, t, neg, &v);
        /* Negating INT64_MIN (from 2^63) wraps to itself, which is Int.min. */
        pt->int_value = neg ? (int64_t)(0 - (uint64_t)v) : v;
    }
    return pt;
}

/* STRING without interpolation; escapes decoded (D3). */
static ast_pat_t *parse_pat_string(parser_t *p)
{
    ast_expr_t *s = parse_string(p);
    ast_pat_t *pt = pat_new(p, AST_PAT_STRING, s->span);
    pt->str = "";
    for (uint32_t i = 0; i < s->parts.len; i++) {
        if (s->parts.items[i].expr) {
            perr(p, s->span, "string patterns cannot contain interpolation");
            return pt;
        }
    }
    if (s->parts.len == 1) {
        pt->str = s->parts.items[0].text;
        pt->str_len = s->parts.items[0].text_len;
    }
    return pt;
}

/* "(" [Pattern {"," Pattern} [","]] ")"; one element without comma is grouping. */
static ast_pat_t *parse_pat_tuple(parser_t *p)
{
    const token_t *open = adv(p);
    p->depth++;
    ast_pat_t *pt = pat_new(p, AST_PAT_TUPLE, tok_span(p, open));
    uint32_t cap = 0;
    bool comma = false;
    while (!at(p, TOK_RPAREN) && !p->failed) {
        ast_pat_t *e = parse_pattern(p);
        PUSH(p, pt->elems.items, pt->elems.len, cap, e);
        if (!accept(p, TOK_COMMA))
            break;
        comma = true;
    }
    p->depth--;
    if (!accept(p, TOK_RPAREN))
        perr_here(p, "expected `)` to close tuple pattern");
    if (pt->elems.len == 1 && !comma)
        return pt->elems.items[0];
    pt->span = span_from(p, open->start);
    return pt;
}

/* Constructor arguments "(" [Pattern {"," Pattern}] ")". */
static void parse_ctor_args(parser_t *p, ast_pat_t *pt)
{
    adv(p);
    p->depth++;
    uint32_t cap = 0;
    pt->has_parens = true;
    while (!at(p, TOK_RPAREN) && !p->failed) {
        ast_pat_t *e = parse_pattern(p);
        PUSH(p, pt->elems.items, pt->elems.len, cap, e);
        if (!accept(p, TOK_COMMA))
            break;
    }
    p->depth--;
    if (!accept(p, TOK_RPAREN))
        perr_here(p, "expected `)` to close constructor pattern");
}

/* IDENT | IDENT "(" .. ")" | IDENT {"." IDENT} ["(" .. ")"] */
static ast_pat_t *parse_pat_name(parser_t *p)
{
    const token_t *t = adv(p);
    sym_t name = tok_sym(p, t);
    if (name == p->sym_wild)
        return pat_new(p, AST_PAT_WILD, tok_span(p, t));
    if (!at(p, TOK_DOT) && !at(p, TOK_LPAREN)) {
        ast_pat_t *pt = pat_new(p, AST_PAT_IDENT, tok_span(p, t));
        pt->name = name;
        pt->name_span = pt->span;
        return pt;
    }
    ast_pat_t *pt = pat_new(p, AST_PAT_CTOR, tok_span(p, t));
    pt->name = name;
    pt->name_span = tok_span(p, t);
    uint32_t cap = 0, scap = 0;
    ast_names_t *q = &pt->qualifier.parts;
    while (accept(p, TOK_DOT)) {
        const token_t *n = pk(p);
        if (n->kind != TOK_IDENT) {
            perr_here(p, "expected variant name after `.` in pattern");
            return pt;
        }
        adv(p);
        /* The name so far becomes the last part of the qualifier. */
        PUSH(p, q->items, q->len, cap, pt->name);
        q->len--;
        PUSH(p, q->spans, q->len, scap, pt->name_span);
        pt->name = tok_sym(p, n);
        pt->name_span = tok_span(p, n);
    }
    if (q->len)
        pt->qualifier.span = span_join(q->spans[0], q->spans[q->len - 1]);
    if (at(p, TOK_LPAREN))
        parse_ctor_args(p, pt);
    pt->span = span_from(p, t->start);
    return pt;
}

ast_pat_t *parse_pat_primary(parser_t *p)
{
    const token_t *t = pk(p);
    switch ((tok_kind_t)t->kind) {
    case TOK_IDENT: return parse_pat_name(p);
    case TOK_INT: case TOK_FLOAT: case TOK_MINUS: return parse_pat_number(p);
    case TOK_STRING_START: return parse_pat_string(p);
    case TOK_LPAREN: return parse_pat_tuple(p);
    case TOK_KW_TRUE: case TOK_KW_FALSE: {
        adv(p);
        ast_pat_t *pt = pat_new(p, AST_PAT_BOOL, tok_span(p, t));
        pt->bool_value = t->kind == TOK_KW_TRUE;
        return pt;
    }
    case TOK_KW_NIL:
        adv(p);
        return pat_new(p, AST_PAT_NIL, tok_span(p, t));
    case TOK_LBRACKET:
        perr_here(p, "list patterns are not supported; use `head :: tail`");
        return pat_new(p, AST_PAT_WILD, tok_span(p, t));
    default:
        perr_here(p, "expected pattern");
        return pat_new(p, AST_PAT_WILD, tok_span(p, t));
    }
}

/* OrPattern = PrimaryPat {"|" PrimaryPat} */
static ast_pat_t *parse_pat_or(parser_t *p)
{
    ast_pat_t *first = parse_pat_primary(p);
    if (!at(p, TOK_BAR) || p->failed)
        return first;
    ast_pat_t *pt = pat_new(p, AST_PAT_OR, first->span);
    uint32_t cap = 0;
    PUSH(p, pt->elems.items, pt->elems.len, cap, first);
    while (!p->failed && accept(p, TOK_BAR)) {
        ast_pat_t *alt = parse_pat_primary(p);
        PUSH(p, pt->elems.items, pt->elems.len, cap, alt);
    }
    pt->span = span_from(p, first->span.start);
    return pt;
}

/* ConsPattern = OrPattern ["::" ConsPattern] (right-associative) */
static ast_pat_t *parse_pat_cons(parser_t *p)
{
    if (!nest_enter(p, tok_span(p, pk(p))))
        return pat_new(p, AST_PAT_WILD, tok_span(p, pk(p)));
    ast_pat_t *head = parse_pat_or(p);
    if (!p->failed && accept(p, TOK_COLONCOLON)) {
        ast_pat_t *pt = pat_new(p, AST_PAT_CONS, head->span);
        pt->head = head;
        pt->tail = parse_pat_cons(p);
        pt->span = span_from(p, head->span.start);
        head = pt;
    }
    nest_leave(p);
    return head;
}

/* Pattern = ConsPattern ["as" IDENT] */
ast_pat_t *parse_pattern(parser_t *p)
{
    if (!nest_enter(p, tok_span(p, pk(p))))
        return pat_new(p, AST_PAT_WILD, tok_span(p, pk(p)));
    ast_pat_t *pt = parse_pat_cons(p);
    static const char as_word[] = "as";
    const token_t *t = pk(p);
    if (!p->failed && t->kind == TOK_IDENT && t->end - t->start == 2 &&
        memcmp(p->src + t->start, as_word, 2) == 0) {
        adv(p);
        const token_t *n = pk(p);
        ast_pat_t *as = pat_new(p, AST_PAT_AS, pt->span);
        as->head = pt;
        if (n->kind == TOK_IDENT) {
            adv(p);
            as->name = tok_sym(p, n);
            as->name_span = tok_span(p, n);
        } else {
            perr_here(p, "expected name after `as`");
        }
        as->span = span_from(p, pt->span.start);
        pt = as;
    }
    nest_leave(p);
    return pt;
}

/* ================================================================= types */

ast_path_t parse_path(parser_t *p)
{
    ast_path_t path = {0};
    uint32_t cap = 0, scap = 0;
    const token_t *first = pk(p);
    do {
        const token_t *t = pk(p);
        if (t->kind != TOK_IDENT) {
            perr_here(p, "expected name");
            break;
        }
        adv(p);
        sym_t s = tok_sym(p, t);
        PUSH(p, path.parts.items, path.parts.len, cap, s);
        path.parts.len--;
        PUSH(p, path.parts.spans, path.parts.len, scap, tok_span(p, t));
    } while (accept(p, TOK_DOT));
    path.span = span_from(p, first->start);
    return path;
}

static ast_types_t parse_type_list(parser_t *p, tok_kind_t closer)
{
    ast_types_t ts = {0};
    uint32_t cap = 0;
    while (!at(p, closer) && !p->failed) {
        ast_type_t *t = parse_type(p);
        PUSH(p, ts.items, ts.len, cap, t);
        if (!accept(p, TOK_COMMA))
            break;
    }
    return ts;
}

/* BaseType = "(" [Types] ")" | "Fun" "(" [Types] ")" "->" Type
 *          | IDENT {"." IDENT} ["<" [Types] ">"] */
static ast_type_t *parse_base_type(parser_t *p)
{
    const token_t *t = pk(p);
    ast_type_t *ty = ARENA_NEW(p->arena, ast_type_t);
    ty->span = tok_span(p, t);
    bool fun = t->kind == TOK_IDENT && tok_sym(p, t) == p->sym_fun &&
               pk_at(p, 1)->kind == TOK_LPAREN;
    if (t->kind == TOK_LPAREN || fun) {
        if (fun)
            adv(p);
        adv(p);
        p->depth++;
        ty->kind = fun ? AST_TYPE_FUN : AST_TYPE_TUPLE;
        ty->args = parse_type_list(p, TOK_RPAREN);
        p->depth--;
        if (!accept(p, TOK_RPAREN))
            perr_here(p, "expected `)` in type");
        if (fun && expect(p, TOK_ARROW, "`->` after `Fun(...)`"))
            ty->inner = parse_type(p);
        else if (!fun && ty->args.len == 1)
            return ty->args.items[0]; /* (T) is T */
    } else if (t->kind == TOK_IDENT) {
        ty->kind = AST_TYPE_NAME;
        ty->path = parse_path(p);
        if (accept(p, TOK_LT)) {
            ty->args = parse_type_list(p, TOK_GT);
            if (!accept(p, TOK_GT))
                perr_here(p, "expected `>` to close generic arguments");
        }
    } else {
        perr_here(p, "expected type");
        ty->kind = AST_TYPE_TUPLE;
        return ty;
    }
    ty->span = span_from(p, t->start);
    return ty;
}

/* Type = BaseType ["?" | "!" Type] */
ast_type_t *parse_type(parser_t *p)
{
    if (!nest_enter(p, tok_span(p, pk(p)))) {
        ast_type_t *ty = ARENA_NEW(p->arena, ast_type_t);
        ty->kind = AST_TYPE_TUPLE;
        return ty;
    }
    ast_type_t *base = parse_base_type(p);
    ast_type_t *ty = base;
    if (!p->failed && (at(p, TOK_QUESTION) || at(p, TOK_BANG))) {
        bool opt = adv(p)->kind == TOK_QUESTION;
        ty = ARENA_NEW(p->arena, ast_type_t);
        ty->kind = opt ? AST_TYPE_OPTION : AST_TYPE_RESULT;
        ty->inner = base;
        if (!opt)
            ty->err = parse_type(p);
        else if (at(p, TOK_QUESTION) || at(p, TOK_BANG))
            perr_here(p, "only one `?` or `!` suffix is allowed on a type");
        ty->span = span_from(p, base->span.start);
    }
    nest_leave(p);
    return ty;
}

/* ============================================================ parameters */

static ast_param_t param_name(parser_t *p, const token_t *t, bool is_self)
{
    ast_param_t prm = {0};
    sym_t name = is_self ? p->sym_self : tok_sym(p, t);
    prm.pat = pat_new(p, name == p->sym_wild ? AST_PAT_WILD : AST_PAT_IDENT, tok_span(p, t));
    prm.pat->name = name;
    prm.pat->name_span = prm.pat->span;
    prm.is_self = is_self;
    if (accept(p, TOK_COLONCOLON))
        prm.type = parse_type(p);
    prm.span = span_from(p, t->start);
    return prm;
}

ast_param_t parse_clause_param(parser_t *p)
{
    const token_t *t = pk(p);
    if (t->kind == TOK_KW_SELF) {
        adv(p);
        return param_name(p, t, true);
    }
    tok_kind_t next = (tok_kind_t)pk_at(p, 1)->kind;
    if (t->kind == TOK_IDENT && next != TOK_LPAREN && next != TOK_DOT) {
        adv(p);
        return param_name(p, t, false);
    }
    ast_param_t prm = {0};
    prm.pat = parse_pattern(p);
    prm.span = prm.pat->span;
    return prm;
}

ast_params_t parse_clause_params(parser_t *p)
{
    ast_params_t ps = {0};
    uint32_t cap = 0;
    adv(p); /* ( */
    p->depth++;
    while (!at(p, TOK_RPAREN) && !p->failed) {
        ast_param_t prm = parse_clause_param(p);
        PUSH(p, ps.items, ps.len, cap, prm);
        if (!accept(p, TOK_COMMA))
            break;
    }
    p->depth--;
    if (!accept(p, TOK_RPAREN))
        perr_here(p, "expected `)` to close parameter list");
    return ps;
}

ast_params_t parse_simple_params(parser_t *p)
{
    ast_params_t ps = {0};
    uint32_t cap = 0;
    adv(p); /* ( */
    p->depth++;
    while (!at(p, TOK_RPAREN) && !p->failed) {
        const token_t *t = pk(p);
        if (t->kind != TOK_IDENT && t->kind != TOK_KW_SELF) {
            perr_here(p, "expected parameter name");
            break;
        }
        adv(p);
        ast_param_t prm = param_name(p, t, t->kind == TOK_KW_SELF);
        PUSH(p, ps.items, ps.len, cap, prm);
        if (!accept(p, TOK_COMMA))
            break;
    }
    p->depth--;
    if (!accept(p, TOK_RPAREN))
        perr_here(p, "expected `)` to close parameter list");
    return ps;
}

ast_names_t parse_generics(parser_t *p)
{
    ast_names_t ns = {0};
    uint32_t cap = 0, scap = 0;
    adv(p); /* < */
    while (!at(p, TOK_GT) && !p->failed) {
        const token_t *t = pk(p);
        if (t->kind != TOK_IDENT) {
            perr_here(p, "expected type parameter name");
            break;
        }
        adv(p);
        sym_t s = tok_sym(p, t);
        PUSH(p, ns.items, ns.len, cap, s);
        ns.len--;
        PUSH(p, ns.spans, ns.len, scap, tok_span(p, t));
        if (!accept(p, TOK_COMMA))
            break;
    }
    if (!accept(p, TOK_GT))
        perr_here(p, "expected `>` to close type parameters");
    return ns;
}

/* WhereClause = "where" Bound {"," Bound}; Bound = IDENT ":" IDENT {"." IDENT} */
ast_bounds_t parse_where(parser_t *p)
{
    ast_bounds_t bs = {0};
    uint32_t cap = 0;
    adv(p); /* where */
    do {
        const token_t *t = pk(p);
        if (t->kind != TOK_IDENT) {
            perr_here(p, "expected type parameter in `where` clause");
            break;
        }
        adv(p);
        ast_bound_t b = {.param = tok_sym(p, t), .param_span = tok_span(p, t)};
        if (expect(p, TOK_COLON, "`:` in `where` bound"))
            b.trait = parse_path(p);
        PUSH(p, bs.items, bs.len, cap, b);
    } while (!p->failed && accept(p, TOK_COMMA));
    return bs;
}
