/* parse_item.c: items (language.md 3.3): functions, structs, sum types,
 * aliases, interfaces, impls, actors, services, supervisors, imports and
 * inline modules.
 *
 * Item bodies that are lists (fields, variants, methods, handlers,
 * supervisor clauses) are parsed by parse_members, which recovers per
 * member exactly like a block recovers per statement.
 */
#include "lang/compiler/parse_int.h"

typedef void (*member_cb)(parser_t *p, ast_item_t *item);

static ast_item_t *item_new(parser_t *p, ast_item_kind_t kind, uint32_t start)
{
    ast_item_t *it = ARENA_NEW(p->arena, ast_item_t);
    it->kind = kind;
    it->span = (span_t){p->file, start, start};
    return it;
}

/* Reads an IDENT into *name / *span, or reports `expected <what>`. */
static bool take_name(parser_t *p, sym_t *name, span_t *span, const char *what)
{
    const token_t *t = pk(p);
    if (t->kind != TOK_IDENT) {
        perr_here(p, "expected %s", what);
        *name = intern_cstr(p->in, "<error>");
        *span = tok_span(p, t);
        return false;
    }
    adv(p);
    *name = tok_sym(p, t);
    *span = tok_span(p, t);
    return true;
}

/* "do" {SEP} { Member {SEP} } "end" */
static void parse_members(parser_t *p, ast_item_t *item, member_cb cb)
{
    const token_t *do_tok = pk(p);
    if (!expect(p, TOK_KW_DO, "`do`"))
        return;
    if (!nest_enter(p, tok_span(p, do_tok)))
        return;
    uint32_t depth = p->depth;
    bool no_do = p->no_do;
    p->no_do = false;
    for (;;) {
        skip_seps(p);
        tok_kind_t k = pkind(p);
        if (k == TOK_KW_END || k == TOK_EOF || k == TOK_RPAREN || k == TOK_RBRACKET ||
            k == TOK_RBRACE || k == TOK_INTERP_END || p->stopped)
            break;
        uint32_t from = p->pos;
        cb(p, item);
        if (p->failed)
            parse_sync(p, from, depth);
        if (p->pos == from)
            adv(p);
    }
    p->no_do = no_do;
    expect_end(p, do_tok, "do");
    nest_leave(p);
}

/* =============================================================== fn */

/* FnDef = ["pub"] ("fn"|"def") IDENT [GenericParams] [ClauseParams]
 *         ["->" Type] [WhereClause] ["when" Expr] ("=" Expr | "do" Block "end") */
static ast_item_t *parse_fn(parser_t *p, bool is_pub, uint32_t start)
{
    adv(p); /* fn / def */
    ast_item_t *it = item_new(p, AST_ITEM_FN, start);
    ast_fn_t *fn = &it->u.fn;
    fn->is_pub = is_pub;
    take_name(p, &fn->name, &fn->name_span, "function name");
    if (at(p, TOK_LT))
        fn->generics = parse_generics(p);
    if (at(p, TOK_LPAREN)) {
        fn->has_params = true;
        fn->params = parse_clause_params(p);
    }
    if (accept(p, TOK_ARROW))
        fn->ret = parse_type(p);
    if (at(p, TOK_KW_WHERE))
        fn->where = parse_where(p);
    if (accept(p, TOK_KW_WHEN))
        fn->guard = parse_head_expr(p);
    if (accept(p, TOK_EQ)) {
        fn->expr_body = true;
        fn->body = block_of_expr(p, parse_expr(p));
    } else if (at(p, TOK_KW_DO)) {
        fn->body = parse_do_block(p, "do");
    } else {
        perr_here(p, "expected `=` or `do` to start the body of `%s`", fn->name);
        fn->body = ARENA_NEW(p->arena, ast_block_t);
    }
    it->span = span_from(p, start);
    return it;
}

/* ========================================================= struct / type */

/* Deriving = "deriving" "(" [IDENT {"," IDENT}] ")" right after `end`. */
static void parse_deriving(parser_t *p, ast_typedef_t *td)
{
    if (!at_word(p, p->sym_deriving))
        return;
    adv(p);
    td->has_deriving = true;
    if (!expect(p, TOK_LPAREN, "`(` after `deriving`"))
        return;
    p->depth++;
    uint32_t cap = 0, scap = 0;
    while (!at(p, TOK_RPAREN) && !p->failed) {
        sym_t name;
        span_t span;
        if (!take_name(p, &name, &span, "trait name"))
            break;
        PUSH(p, td->derives.items, td->derives.len, cap, name);
        td->derives.len--;
        PUSH(p, td->derives.spans, td->derives.len, scap, span);
        if (!accept(p, TOK_COMMA))
            break;
    }
    p->depth--;
    expect(p, TOK_RPAREN, "`)` to close `deriving`");
}

/* Field = IDENT ["::" Type] */
static void struct_member(parser_t *p, ast_item_t *it)
{
    ast_field_t f = {0};
    if (!take_name(p, &f.name, &f.name_span, "field name"))
        return;
    if (accept(p, TOK_COLONCOLON))
        f.type = parse_type(p);
    ast_fields_t *fs = &it->u.type.fields;
    uint32_t cap = arr_cap(fs->len);
    PUSH(p, fs->items, fs->len, cap, f);
}

/* StructDef = ["pub"] "struct" IDENT [GenericParams] "do" {Field} "end" [Deriving] */
static ast_item_t *parse_struct(parser_t *p, bool is_pub, uint32_t start)
{
    adv(p);
    ast_item_t *it = item_new(p, AST_ITEM_STRUCT, start);
    ast_typedef_t *td = &it->u.type;
    td->is_pub = is_pub;
    take_name(p, &td->name, &td->name_span, "struct name");
    if (at(p, TOK_LT))
        td->generics = parse_generics(p);
    parse_members(p, it, struct_member);
    if (!p->failed)
        parse_deriving(p, td);
    it->span = span_from(p, start);
    return it;
}

/* Variant = IDENT ["(" [VariantField {"," VariantField} [","]] ")"];
 * VariantField = IDENT "::" Type | Type */
static void variant_member(parser_t *p, ast_item_t *it)
{
    ast_variant_t v = {0};
    if (!take_name(p, &v.name, &v.name_span, "variant name"))
        return;
    if (at(p, TOK_LPAREN)) {
        adv(p);
        p->depth++;
        v.has_parens = true;
        uint32_t cap = 0;
        while (!at(p, TOK_RPAREN) && !p->failed) {
            ast_field_t f = {0};
            const token_t *t = pk(p);
            if (t->kind == TOK_IDENT && pk_at(p, 1)->kind == TOK_COLONCOLON) {
                adv(p);
                adv(p);
                f.name = tok_sym(p, t);
                f.name_span = tok_span(p, t);
            }
            f.type = parse_type(p);
            PUSH(p, v.fields.items, v.fields.len, cap, f);
            if (!accept(p, TOK_COMMA))
                break;
        }
        p->depth--;
        expect(p, TOK_RPAREN, "`)` to close variant fields");
    }
    typeof(it->u.type.variants) *vs = &it->u.type.variants;
    uint32_t cap = arr_cap(vs->len);
    PUSH(p, vs->items, vs->len, cap, v);
}

/* SumTypeDef = ["pub"] "type" IDENT [GenericParams] "do" {Variant} "end" [Deriving]
 * TypeAlias  = ["pub"] "type" IDENT [GenericParams] "=" Type */
static ast_item_t *parse_type_def(parser_t *p, bool is_pub, uint32_t start)
{
    adv(p);
    ast_item_t *it = item_new(p, AST_ITEM_SUM, start);
    ast_typedef_t *td = &it->u.type;
    td->is_pub = is_pub;
    take_name(p, &td->name, &td->name_span, "type name");
    if (at(p, TOK_LT))
        td->generics = parse_generics(p);
    if (accept(p, TOK_EQ)) {
        it->kind = AST_ITEM_ALIAS;
        td->aliased = parse_type(p);
    } else if (at(p, TOK_KW_DO)) {
        parse_members(p, it, variant_member);
        if (!p->failed)
            parse_deriving(p, td);
    } else {
        perr_here(p, "expected `do` or `=` after type name");
    }
    it->span = span_from(p, start);
    return it;
}

/* ==================================================== interface / impl */

/* IfaceMethod = ("fn"|"def") IDENT [Params] ["->" Type] ["do" Block "end"] */
static void iface_member(parser_t *p, ast_item_t *it)
{
    if (!at(p, TOK_KW_FN) && !at(p, TOK_KW_DEF)) {
        perr_here(p, "expected `fn` method signature in `interface`");
        return;
    }
    adv(p);
    ast_method_sig_t m = {0};
    if (!take_name(p, &m.name, &m.name_span, "method name"))
        return;
    if (at(p, TOK_LPAREN))
        m.params = parse_simple_params(p);
    if (accept(p, TOK_ARROW))
        m.ret = parse_type(p);
    if (at(p, TOK_KW_DO))
        m.default_body = parse_do_block(p, "do");
    typeof(it->u.iface.methods) *ms = &it->u.iface.methods;
    uint32_t cap = arr_cap(ms->len);
    PUSH(p, ms->items, ms->len, cap, m);
}

static ast_item_t *parse_interface(parser_t *p, bool is_pub, uint32_t start)
{
    adv(p);
    ast_item_t *it = item_new(p, AST_ITEM_INTERFACE, start);
    it->u.iface.is_pub = is_pub;
    take_name(p, &it->u.iface.name, &it->u.iface.name_span, "interface name");
    if (at(p, TOK_LT))
        it->u.iface.generics = parse_generics(p);
    parse_members(p, it, iface_member);
    it->span = span_from(p, start);
    return it;
}

static void push_item(parser_t *p, ast_items_t *items, ast_item_t *x)
{
    uint32_t cap = arr_cap(items->len);
    PUSH(p, items->items, items->len, cap, x);
}

static void impl_member(parser_t *p, ast_item_t *it)
{
    if (!(at(p, TOK_KW_FN) || at(p, TOK_KW_DEF) || at(p, TOK_KW_PUB))) {
        perr_here(p, "expected `fn` definition in `impl` block");
        return;
    }
    push_item(p, &it->u.impl.methods, parse_item(p));
}

/* ImplDef = "impl" Path ["<" Type {"," Type} ">"] "for" Type [WhereClause] "do" .. "end" */
static ast_item_t *parse_impl(parser_t *p, uint32_t start)
{
    adv(p);
    ast_item_t *it = item_new(p, AST_ITEM_IMPL, start);
    ast_impl_t *im = &it->u.impl;
    im->trait = parse_path(p);
    if (accept(p, TOK_LT)) {
        uint32_t cap = 0;
        while (!at(p, TOK_GT) && !p->failed) {
            ast_type_t *t = parse_type(p);
            PUSH(p, im->trait_args.items, im->trait_args.len, cap, t);
            if (!accept(p, TOK_COMMA))
                break;
        }
        expect(p, TOK_GT, "`>` to close interface arguments");
    }
    if (expect(p, TOK_KW_FOR, "`for` after interface name in `impl`"))
        im->target = parse_type(p);
    if (at(p, TOK_KW_WHERE))
        im->where = parse_where(p);
    if (!p->failed)
        parse_members(p, it, impl_member);
    it->span = span_from(p, start);
    return it;
}

/* ============================================================== actors */

/* ActorDef = "actor" IDENT [Params] "do" ActorBody "end" */
static ast_item_t *parse_actor(parser_t *p, uint32_t start)
{
    adv(p);
    ast_item_t *it = item_new(p, AST_ITEM_ACTOR, start);
    ast_actor_t *a = &it->u.actor;
    take_name(p, &a->name, &a->name_span, "actor name");
    if (at(p, TOK_LPAREN))
        a->params = parse_simple_params(p);
    const token_t *do_tok = pk(p);
    if (!expect(p, TOK_KW_DO, "`do` after actor parameters"))
        return it;
    if (nest_enter(p, tok_span(p, do_tok))) {
        a->body = parse_block(p, &a->terminate);
        expect_end(p, do_tok, "do");
        nest_leave(p);
    }
    it->span = span_from(p, start);
    return it;
}

/* CallHandler = "call" IDENT [Params] ["::" Type] "do" ["|" IDENT "|"] Block "end"
 * CastHandler = "cast" IDENT [Params] "do" ["|" IDENT "|"] Block "end" */
static void parse_handler(parser_t *p, ast_item_t *it)
{
    const token_t *kw = adv(p);
    ast_handler_t h = {.is_call = kw->kind == TOK_KW_CALL};
    if (!take_name(p, &h.name, &h.name_span, "handler name"))
        return;
    if (at(p, TOK_LPAREN))
        h.params = parse_simple_params(p);
    if (h.is_call && accept(p, TOK_COLONCOLON))
        h.ret = parse_type(p);
    const token_t *do_tok = pk(p);
    if (!expect(p, TOK_KW_DO, "`do` to start the handler body"))
        return;
    if (accept(p, TOK_BAR)) {
        take_name(p, &h.state_name, &h.state_span, "state name");
        expect(p, TOK_BAR, "`|` after state name");
    }
    if (!nest_enter(p, tok_span(p, do_tok)))
        return;
    h.body = parse_block(p, NULL);
    expect_end(p, do_tok, "do");
    nest_leave(p);
    typeof(it->u.service.handlers) *hs = &it->u.service.handlers;
    uint32_t cap = arr_cap(hs->len);
    PUSH(p, hs->items, hs->len, cap, h);
}

static void service_member(parser_t *p, ast_item_t *it)
{
    if (at(p, TOK_KW_CALL) || at(p, TOK_KW_CAST)) {
        parse_handler(p, it);
    } else if (at(p, TOK_KW_FN) || at(p, TOK_KW_DEF)) {
        push_item(p, &it->u.service.fns, parse_item(p));
    } else {
        perr_here(p, "expected `fn`, `call` or `cast` in `service`");
    }
}

/* ServiceDef = "service" IDENT "do" { FnDef | CallHandler | CastHandler } "end" */
static ast_item_t *parse_service(parser_t *p, uint32_t start)
{
    adv(p);
    ast_item_t *it = item_new(p, AST_ITEM_SERVICE, start);
    take_name(p, &it->u.service.name, &it->u.service.name_span, "service name");
    parse_members(p, it, service_member);
    it->span = span_from(p, start);
    return it;
}

/* ========================================================== supervisors */

/* A supervisor value as written: INT, `-` INT or IDENT (checked by the
 * checker, E0019-E0021). */
static ast_sup_value_t parse_sup_value(parser_t *p)
{
    ast_sup_value_t v = {.present = true};
    const token_t *t = pk(p);
    bool neg = t->kind == TOK_MINUS;
    if (neg)
        adv(p);
    const token_t *n = pk(p);
    if (n->kind == TOK_INT) {
        adv(p);
        v.is_int = true;
        int_value(p, n, neg, &v.int_value);
        if (neg)
            v.int_value = (int64_t)(0 - (uint64_t)v.int_value);
    } else if (n->kind == TOK_IDENT && !neg) {
        adv(p);
        v.ident = tok_sym(p, n);
    } else {
        perr_here(p, "expected an integer or a name");
    }
    v.span = span_from(p, t->start);
    return v;
}

static bool word_is(parser_t *p, const token_t *t, const char *w)
{
    size_t n = strlen(w);
    return t->end - t->start == n && memcmp(p->src + t->start, w, n) == 0;
}

/* ChildClause = "start" ":" Expr | "restart" ":" IDENT | "shutdown" ":" (INT | IDENT) */
static void child_clause(parser_t *p, ast_child_t *c)
{
    const token_t *t = pk(p);
    if (t->kind != TOK_IDENT) {
        perr_here(p, "expected `start`, `restart` or `shutdown` in `child`");
        return;
    }
    bool start = word_is(p, t, "start"), restart = word_is(p, t, "restart"),
         shutdown = word_is(p, t, "shutdown");
    if (!start && !restart && !shutdown) {
        perr_here(p, "unknown child key `%.*s`; expected `start`, `restart` or `shutdown`",
                  (int)(t->end - t->start), p->src + t->start);
        return;
    }
    adv(p);
    if (!expect(p, TOK_COLON, "`:` after child key"))
        return;
    if (start)
        c->start = parse_expr(p);
    else if (restart)
        c->restart = parse_sup_value(p);
    else
        c->shutdown = parse_sup_value(p);
}

/* "child" IDENT "do" {SEP} { ChildClause {SEP} } "end" */
static void parse_child(parser_t *p, ast_supervisor_t *s)
{
    const token_t *kw = adv(p);
    ast_child_t c = {0};
    if (!take_name(p, &c.name, &c.name_span, "child name"))
        return;
    const token_t *do_tok = pk(p);
    if (!expect(p, TOK_KW_DO, "`do` after child name"))
        return;
    uint32_t depth = p->depth;
    for (;;) {
        skip_seps(p);
        tok_kind_t k = pkind(p);
        if (k == TOK_KW_END || k == TOK_EOF || p->stopped)
            break;
        uint32_t from = p->pos;
        child_clause(p, &c);
        if (p->failed)
            parse_sync(p, from, depth);
        if (p->pos == from)
            adv(p);
    }
    expect_end(p, do_tok, "do");
    c.span = span_from(p, kw->start);
    uint32_t cap = arr_cap(s->children.len);
    PUSH(p, s->children.items, s->children.len, cap, c);
}

/* SupClause = "strategy" ":" IDENT | "max_restarts" ":" INT | "max_seconds" ":" INT
 *           | "child" IDENT "do" .. "end" */
static void sup_member(parser_t *p, ast_item_t *it)
{
    ast_supervisor_t *s = &it->u.sup;
    const token_t *t = pk(p);
    if (t->kind == TOK_IDENT && word_is(p, t, "child")) {
        parse_child(p, s);
        return;
    }
    ast_sup_value_t *slot = NULL;
    if (t->kind == TOK_IDENT && word_is(p, t, "strategy"))
        slot = &s->strategy;
    else if (t->kind == TOK_IDENT && word_is(p, t, "max_restarts"))
        slot = &s->max_restarts;
    else if (t->kind == TOK_IDENT && word_is(p, t, "max_seconds"))
        slot = &s->max_seconds;
    if (!slot) {
        perr_here(p, "expected `strategy`, `max_restarts`, `max_seconds` or `child` in "
                     "`supervisor`");
        return;
    }
    adv(p);
    if (expect(p, TOK_COLON, "`:` after supervisor key"))
        *slot = parse_sup_value(p);
}

/* SupervisorDef = ["pub"] "supervisor" IDENT "do" { SupClause } "end" */
static ast_item_t *parse_supervisor(parser_t *p, bool is_pub, uint32_t start)
{
    adv(p);
    ast_item_t *it = item_new(p, AST_ITEM_SUPERVISOR, start);
    it->u.sup.is_pub = is_pub;
    take_name(p, &it->u.sup.name, &it->u.sup.name_span, "supervisor name");
    parse_members(p, it, sup_member);
    it->span = span_from(p, start);
    return it;
}

/* ============================================================= imports */

/* ImportDecl = "import" Path */
static ast_item_t *parse_import(parser_t *p, uint32_t start)
{
    adv(p);
    ast_item_t *it = item_new(p, AST_ITEM_IMPORT, start);
    it->u.import.path = parse_path(p);
    it->span = span_from(p, start);
    return it;
}

/* FromImportDecl = "from" Path "import" IDENT {"," IDENT} */
static ast_item_t *parse_from_import(parser_t *p, uint32_t start)
{
    adv(p); /* from */
    ast_item_t *it = item_new(p, AST_ITEM_FROM_IMPORT, start);
    ast_import_t *im = &it->u.import;
    im->path = parse_path(p);
    if (!expect(p, TOK_KW_IMPORT, "`import` after module path"))
        return it;
    uint32_t cap = 0, scap = 0;
    do {
        if (at(p, TOK_STAR)) {
            perr_here(p, "glob imports are not allowed; import names explicitly");
            break;
        }
        sym_t name;
        span_t span;
        if (!take_name(p, &name, &span, "name to import"))
            break;
        PUSH(p, im->names.items, im->names.len, cap, name);
        im->names.len--;
        PUSH(p, im->names.spans, im->names.len, scap, span);
    } while (accept(p, TOK_COMMA));
    it->span = span_from(p, start);
    return it;
}

/* ModuleDef = ["pub"] "module" IDENT "do" Block "end" (parsed, ignored: D8) */
static ast_item_t *parse_module(parser_t *p, bool is_pub, uint32_t start)
{
    adv(p);
    ast_item_t *it = item_new(p, AST_ITEM_MODULE, start);
    it->u.module.is_pub = is_pub;
    span_t span;
    take_name(p, &it->u.module.name, &span, "module name");
    if (at(p, TOK_KW_DO))
        it->u.module.body = parse_do_block(p, "do");
    else
        perr_here(p, "expected `do` after module name");
    it->span = span_from(p, start);
    return it;
}

/* ============================================================ dispatch */

bool at_item_start(parser_t *p)
{
    const token_t *t = pk(p);
    switch ((tok_kind_t)t->kind) {
    case TOK_KW_FN: return pk_at(p, 1)->kind == TOK_IDENT;
    case TOK_KW_DEF: case TOK_KW_PUB: case TOK_KW_STRUCT: case TOK_KW_TYPE:
    case TOK_KW_INTERFACE: case TOK_KW_IMPL: case TOK_KW_ACTOR: case TOK_KW_SERVICE:
    case TOK_KW_SUPERVISOR: case TOK_KW_IMPORT: case TOK_KW_MODULE:
        return true;
    case TOK_IDENT: return tok_sym(p, t) == p->sym_from && pk_at(p, 1)->kind == TOK_IDENT;
    default: return false;
    }
}

ast_item_t *parse_item(parser_t *p)
{
    uint32_t start = pk(p)->start;
    bool is_pub = accept(p, TOK_KW_PUB);
    tok_kind_t k = pkind(p);
    if (is_pub && k != TOK_KW_FN && k != TOK_KW_DEF && k != TOK_KW_MODULE &&
        k != TOK_KW_STRUCT && k != TOK_KW_INTERFACE && k != TOK_KW_TYPE &&
        k != TOK_KW_SUPERVISOR) {
        perr_here(p, "expected `fn`, `module`, `struct`, `interface`, `type`, or `supervisor` "
                     "after `pub`");
        return item_new(p, AST_ITEM_MODULE, start);
    }
    switch (k) {
    case TOK_KW_FN: case TOK_KW_DEF: return parse_fn(p, is_pub, start);
    case TOK_KW_STRUCT: return parse_struct(p, is_pub, start);
    case TOK_KW_TYPE: return parse_type_def(p, is_pub, start);
    case TOK_KW_INTERFACE: return parse_interface(p, is_pub, start);
    case TOK_KW_IMPL: return parse_impl(p, start);
    case TOK_KW_ACTOR: return parse_actor(p, start);
    case TOK_KW_SERVICE: return parse_service(p, start);
    case TOK_KW_SUPERVISOR: return parse_supervisor(p, is_pub, start);
    case TOK_KW_IMPORT: return parse_import(p, start);
    case TOK_KW_MODULE: return parse_module(p, is_pub, start);
    default: return parse_from_import(p, start);
    }
}
