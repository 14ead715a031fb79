/* ast_dump.c: a stable, human-readable dump of the AST (ast.h).
 *
 * One node per line, children indented by two spaces, each line ending in
 * its span as `@line:col-line:col` (end exclusive, 1-based). Types and
 * patterns are printed inline in source-like form (patterns keep their
 * span), so a dump reads like the program. The format is used by the
 * parser's tests: changing it means updating them.
 *
 * ORDER AST_EXPR / ORDER AST_ITEM: every kind has a case here.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "lang/compiler/ast.h"
#include "lang/compiler/source.h"

typedef struct {
    FILE *out;
    const source_table_t *src;
    uint32_t file;
} dumper_t;

static void dump_expr(dumper_t *d, const ast_expr_t *e, int ind);
static void dump_block(dumper_t *d, const char *label, const ast_block_t *b, int ind);
static void dump_item(dumper_t *d, const ast_item_t *it, int ind);

static void pspan(dumper_t *d, span_t s)
{
    if (!d->src) {
        fprintf(d->out, " @%u-%u\n", s.start, s.end);
        return;
    }
    uint32_t l1, c1, l2, c2;
    source_line_col(d->src, s.file, s.start, &l1, &c1);
    source_line_col(d->src, s.file, s.end, &l2, &c2);
    fprintf(d->out, " @%u:%u-%u:%u\n", l1, c1, l2, c2);
}

static void pind(dumper_t *d, int ind)
{
    fprintf(d->out, "%*s", ind * 2, "");
}

/* Bytes as a double-quoted literal with D3 escapes re-applied. */
static void pquoted(dumper_t *d, const char *s, uint32_t len)
{
    fputc('"', d->out);
    for (uint32_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '\n': fputs("\\n", d->out); break;
        case '\t': fputs("\\t", d->out); break;
        case '\r': fputs("\\r", d->out); break;
        case '\0': fputs("\\0", d->out); break;
        case '"': fputs("\\\"", d->out); break;
        case '\\': fputs("\\\\", d->out); break;
        default:
            if (c < 0x20)
                fprintf(d->out, "\\x%02x", c);
            else
                fputc(c, d->out);
        }
    }
    fputc('"', d->out);
}

/* The shortest %g form that reads back as the same double. */
static void pfloat(dumper_t *d, double v)
{
    char buf[40];
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, sizeof(buf), "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    fputs(buf, d->out);
}

static void ppath(dumper_t *d, const ast_path_t *p)
{
    for (uint32_t i = 0; i < p->parts.len; i++)
        fprintf(d->out, "%s%s", i ? "." : "", p->parts.items[i]);
}

/* ================================================================ types */

static void ptype(dumper_t *d, const ast_type_t *t)
{
    if (!t) {
        fputs("?", d->out);
        return;
    }
    switch (t->kind) {
    case AST_TYPE_NAME:
        ppath(d, &t->path);
        if (t->args.len) {
            fputc('<', d->out);
            for (uint32_t i = 0; i < t->args.len; i++) {
                fputs(i ? ", " : "", d->out);
                ptype(d, t->args.items[i]);
            }
            fputc('>', d->out);
        }
        break;
    case AST_TYPE_TUPLE:
    case AST_TYPE_FUN:
        fputs(t->kind == AST_TYPE_FUN ? "Fun(" : "(", d->out);
        for (uint32_t i = 0; i < t->args.len; i++) {
            fputs(i ? ", " : "", d->out);
            ptype(d, t->args.items[i]);
        }
        fputc(')', d->out);
        if (t->kind == AST_TYPE_FUN) {
            fputs(" -> ", d->out);
            ptype(d, t->inner);
        }
        break;
    case AST_TYPE_OPTION:
        ptype(d, t->inner);
        fputc('?', d->out);
        break;
    case AST_TYPE_RESULT:
        ptype(d, t->inner);
        fputc('!', d->out);
        ptype(d, t->err);
        break;
    }
}

/* ============================================================= patterns */

static void ppat(dumper_t *d, const ast_pat_t *p)
{
    switch (p->kind) {
    case AST_PAT_WILD: fputc('_', d->out); break;
    case AST_PAT_INT: fprintf(d->out, "%" PRId64, p->int_value); break;
    case AST_PAT_FLOAT: pfloat(d, p->float_value); break;
    case AST_PAT_BOOL: fputs(p->bool_value ? "true" : "false", d->out); break;
    case AST_PAT_NIL: fputs("nil", d->out); break;
    case AST_PAT_STRING: pquoted(d, p->str, p->str_len); break;
    case AST_PAT_IDENT: fputs(p->name, d->out); break;
    case AST_PAT_CTOR:
        if (p->qualifier.parts.len) {
            ppath(d, &p->qualifier);
            fputc('.', d->out);
        }
        fputs(p->name, d->out);
        if (!p->has_parens)
            break;
        /* fall through */
    case AST_PAT_TUPLE:
        fputc('(', d->out);
        for (uint32_t i = 0; i < p->elems.len; i++) {
            fputs(i ? ", " : "", d->out);
            ppat(d, p->elems.items[i]);
        }
        fputc(')', d->out);
        break;
    case AST_PAT_OR:
        for (uint32_t i = 0; i < p->elems.len; i++) {
            fputs(i ? " | " : "", d->out);
            ppat(d, p->elems.items[i]);
        }
        break;
    case AST_PAT_CONS:
        fputc('(', d->out);
        ppat(d, p->head);
        fputs(" :: ", d->out);
        ppat(d, p->tail);
        fputc(')', d->out);
        break;
    case AST_PAT_AS:
        ppat(d, p->head);
        fprintf(d->out, " as %s", p->name);
        break;
    }
}

static void dump_pat(dumper_t *d, const char *label, const ast_pat_t *p, int ind)
{
    pind(d, ind);
    fprintf(d->out, "%s ", label);
    ppat(d, p);
    pspan(d, p->span);
}

static void dump_params(dumper_t *d, const ast_params_t *ps, int ind)
{
    for (uint32_t i = 0; i < ps->len; i++) {
        const ast_param_t *prm = &ps->items[i];
        pind(d, ind);
        fputs(prm->is_self ? "param self " : "param ", d->out);
        ppat(d, prm->pat);
        if (prm->type) {
            fputs(" :: ", d->out);
            ptype(d, prm->type);
        }
        pspan(d, prm->span);
    }
}

static void dump_type_line(dumper_t *d, const char *label, const ast_type_t *t, int ind)
{
    if (!t)
        return;
    pind(d, ind);
    fprintf(d->out, "%s ", label);
    ptype(d, t);
    pspan(d, t->span);
}

static void dump_names(dumper_t *d, const char *label, const ast_names_t *ns, int ind)
{
    if (!ns->len)
        return;
    pind(d, ind);
    fprintf(d->out, "%s", label);
    for (uint32_t i = 0; i < ns->len; i++)
        fprintf(d->out, "%s%s", i ? ", " : " ", ns->items[i]);
    fputc('\n', d->out);
}

static void dump_where(dumper_t *d, const ast_bounds_t *w, int ind)
{
    if (!w->len)
        return;
    pind(d, ind);
    fputs("where", d->out);
    for (uint32_t i = 0; i < w->len; i++) {
        fprintf(d->out, "%s%s: ", i ? ", " : " ", w->items[i].param);
        ppath(d, &w->items[i].trait);
    }
    fputc('\n', d->out);
}

/* ========================================================== expressions */

static const char *const binop_names[] = {
    "+", "-", "*", "/", "%", "==", "!=", "<", ">", "<=", ">=", "and", "or", "<>", "++",
    "..", "|>",
};

static void dump_exprs(dumper_t *d, const ast_exprs_t *xs, int ind)
{
    for (uint32_t i = 0; i < xs->len; i++)
        dump_expr(d, xs->items[i], ind);
}

static void dump_labeled(dumper_t *d, const char *label, const ast_expr_t *e, int ind)
{
    if (!e)
        return;
    pind(d, ind);
    fprintf(d->out, "%s\n", label);
    dump_expr(d, e, ind + 1);
}

static void dump_arms(dumper_t *d, const ast_expr_t *e, int ind)
{
    for (uint32_t i = 0; i < e->arms.len; i++) {
        const ast_arm_t *a = &e->arms.items[i];
        pind(d, ind);
        fputs("arm ", d->out);
        ppat(d, a->pat);
        pspan(d, a->span);
        dump_labeled(d, "when", a->guard, ind + 1);
        dump_expr(d, a->body, ind + 1);
    }
}

static void dump_closure(dumper_t *d, const ast_expr_t *e, int ind)
{
    for (uint32_t i = 0; i < e->clauses.len; i++) {
        const ast_closure_clause_t *c = &e->clauses.items[i];
        pind(d, ind);
        fputs(c->arrow_form ? "clause ->" : "clause do", d->out);
        pspan(d, c->span);
        dump_params(d, &c->params, ind + 1);
        dump_labeled(d, "when", c->guard, ind + 1);
        dump_block(d, "body", c->body, ind + 1);
    }
}

/* The head line of an expression: its kind and inline attributes. */
static void expr_head(dumper_t *d, const ast_expr_t *e)
{
    static const char *const names[] = {
        "int", "float", "bool", "nil", "string", "ident", "unary", "binary", "call", "field",
        "try", "struct", "tuple", "list", "map", "if", "case", "receive", "while", "for",
        "break", "continue", "return", "closure", "spawn", "send", "link", "monitor", "self()",
        "block",
    };
    fputs(names[e->kind], d->out);
    switch (e->kind) {
    case AST_EXPR_INT: fprintf(d->out, " %" PRId64, e->int_value); break;
    case AST_EXPR_FLOAT:
        fputc(' ', d->out);
        pfloat(d, e->float_value);
        break;
    case AST_EXPR_BOOL: fputs(e->bool_value ? " true" : " false", d->out); break;
    case AST_EXPR_IDENT: case AST_EXPR_FIELD: fprintf(d->out, " %s", e->name); break;
    case AST_EXPR_UNARY: fputs(e->unop == AST_UN_NEG ? " -" : " not", d->out); break;
    case AST_EXPR_BINARY: fprintf(d->out, " %s", binop_names[e->binop]); break;
    case AST_EXPR_STRING:
        if (e->parts.len == 1 && !e->parts.items[0].expr) {
            fputc(' ', d->out);
            pquoted(d, e->parts.items[0].text, e->parts.items[0].text_len);
        }
        break;
    default: break;
    }
}

static void dump_expr_children(dumper_t *d, const ast_expr_t *e, int ind)
{
    switch (e->kind) {
    case AST_EXPR_STRING:
        if (e->parts.len == 1 && !e->parts.items[0].expr)
            break;
        for (uint32_t i = 0; i < e->parts.len; i++) {
            const ast_strpart_t *sp = &e->parts.items[i];
            if (sp->expr) {
                dump_labeled(d, "interp", sp->expr, ind);
            } else {
                pind(d, ind);
                fputs("text ", d->out);
                pquoted(d, sp->text, sp->text_len);
                fputc('\n', d->out);
            }
        }
        break;
    case AST_EXPR_STRUCT:
        dump_expr(d, e->lhs, ind);
        for (uint32_t i = 0; i < e->fields.len; i++) {
            pind(d, ind);
            fprintf(d->out, "field %s", e->fields.items[i].name);
            pspan(d, e->fields.items[i].name_span);
            dump_expr(d, e->fields.items[i].value, ind + 1);
        }
        break;
    case AST_EXPR_MAP:
        for (uint32_t i = 0; i < e->elems.len; i++) {
            pind(d, ind);
            fputs("entry\n", d->out);
            dump_expr(d, e->elems.items[i], ind + 1);
            dump_expr(d, e->values.items[i], ind + 1);
        }
        break;
    case AST_EXPR_IF:
        dump_expr(d, e->lhs, ind);
        dump_block(d, "then", e->then_block, ind);
        dump_block(d, "else", e->else_block, ind);
        break;
    case AST_EXPR_CASE:
    case AST_EXPR_RECEIVE:
        if (e->lhs)
            dump_expr(d, e->lhs, ind);
        dump_arms(d, e, ind);
        dump_labeled(d, "after", e->after_timeout, ind);
        if (e->after_body)
            dump_expr(d, e->after_body, ind + 1);
        break;
    case AST_EXPR_WHILE:
        dump_expr(d, e->lhs, ind);
        dump_block(d, "body", e->then_block, ind);
        break;
    case AST_EXPR_FOR:
        if (e->for_pat)
            dump_pat(d, "var", e->for_pat, ind);
        dump_labeled(d, "in", e->lhs, ind);
        dump_labeled(d, "when", e->guard, ind);
        dump_block(d, "body", e->then_block, ind);
        break;
    case AST_EXPR_CLOSURE:
        dump_closure(d, e, ind);
        break;
    case AST_EXPR_BLOCK:
        dump_block(d, "body", e->then_block, ind);
        break;
    default:
        if (e->lhs)
            dump_expr(d, e->lhs, ind);
        if (e->rhs)
            dump_expr(d, e->rhs, ind);
        dump_exprs(d, &e->elems, ind);
        break;
    }
}

static void dump_expr(dumper_t *d, const ast_expr_t *e, int ind)
{
    if (!e)
        return;
    pind(d, ind);
    expr_head(d, e);
    pspan(d, e->span);
    dump_expr_children(d, e, ind + 1);
}

/* =========================================================== statements */

static void dump_stmt(dumper_t *d, const ast_stmt_t *s, int ind)
{
    switch (s->kind) {
    case AST_STMT_EXPR:
        dump_expr(d, s->expr, ind);
        break;
    case AST_STMT_LET:
        pind(d, ind);
        fputs("let ", d->out);
        ppat(d, s->pat);
        if (s->type) {
            fputs(" :: ", d->out);
            ptype(d, s->type);
        }
        pspan(d, s->span);
        dump_expr(d, s->expr, ind + 1);
        break;
    case AST_STMT_ITEM:
        dump_item(d, s->item, ind);
        break;
    }
}

static void dump_block(dumper_t *d, const char *label, const ast_block_t *b, int ind)
{
    if (!b)
        return;
    pind(d, ind);
    fputs(label, d->out);
    pspan(d, b->span);
    for (uint32_t i = 0; i < b->len; i++)
        dump_stmt(d, b->items[i], ind + 1);
}

/* ================================================================ items */

static void dump_fn(dumper_t *d, const ast_item_t *it, int ind)
{
    const ast_fn_t *fn = &it->u.fn;
    pind(d, ind);
    fprintf(d->out, "fn %s%s%s%s", fn->name, fn->is_pub ? " pub" : "",
            fn->has_params ? "" : " no-params", fn->expr_body ? " =" : "");
    pspan(d, it->span);
    dump_names(d, "generics", &fn->generics, ind + 1);
    dump_params(d, &fn->params, ind + 1);
    dump_type_line(d, "returns", fn->ret, ind + 1);
    dump_where(d, &fn->where, ind + 1);
    dump_labeled(d, "when", fn->guard, ind + 1);
    dump_block(d, "body", fn->body, ind + 1);
}

static void dump_fields(dumper_t *d, const ast_fields_t *fs, int ind)
{
    for (uint32_t i = 0; i < fs->len; i++) {
        const ast_field_t *f = &fs->items[i];
        pind(d, ind);
        if (f->name)
            fprintf(d->out, "field %s", f->name);
        else
            fputs("field _", d->out);
        if (f->type) {
            fputs(" :: ", d->out);
            ptype(d, f->type);
        }
        pspan(d, f->name ? f->name_span : f->type->span);
    }
}

static void dump_typedef(dumper_t *d, const ast_item_t *it, int ind)
{
    const ast_typedef_t *td = &it->u.type;
    static const char *const kinds[] = {"struct", "type", "alias"};
    pind(d, ind);
    fprintf(d->out, "%s %s%s", kinds[it->kind - AST_ITEM_STRUCT], td->name,
            td->is_pub ? " pub" : "");
    pspan(d, it->span);
    dump_names(d, "generics", &td->generics, ind + 1);
    dump_fields(d, &td->fields, ind + 1);
    for (uint32_t i = 0; i < td->variants.len; i++) {
        const ast_variant_t *v = &td->variants.items[i];
        pind(d, ind + 1);
        fprintf(d->out, "variant %s%s", v->name, v->has_parens ? "()" : "");
        pspan(d, v->name_span);
        dump_fields(d, &v->fields, ind + 2);
    }
    dump_type_line(d, "=", td->aliased, ind + 1);
    if (td->has_deriving) {
        pind(d, ind + 1);
        fputs("deriving(", d->out);
        for (uint32_t i = 0; i < td->derives.len; i++)
            fprintf(d->out, "%s%s", i ? ", " : "", td->derives.items[i]);
        fputs(")\n", d->out);
    }
}

static void dump_interface(dumper_t *d, const ast_item_t *it, int ind)
{
    const ast_interface_t *in = &it->u.iface;
    pind(d, ind);
    fprintf(d->out, "interface %s%s", in->name, in->is_pub ? " pub" : "");
    pspan(d, it->span);
    dump_names(d, "generics", &in->generics, ind + 1);
    for (uint32_t i = 0; i < in->methods.len; i++) {
        const ast_method_sig_t *m = &in->methods.items[i];
        pind(d, ind + 1);
        fprintf(d->out, "method %s", m->name);
        pspan(d, m->name_span);
        dump_params(d, &m->params, ind + 2);
        dump_type_line(d, "returns", m->ret, ind + 2);
        dump_block(d, "default", m->default_body, ind + 2);
    }
}

static void dump_impl(dumper_t *d, const ast_item_t *it, int ind)
{
    const ast_impl_t *im = &it->u.impl;
    pind(d, ind);
    fputs("impl ", d->out);
    ppath(d, &im->trait);
    if (im->trait_args.len) {
        fputc('<', d->out);
        for (uint32_t i = 0; i < im->trait_args.len; i++) {
            fputs(i ? ", " : "", d->out);
            ptype(d, im->trait_args.items[i]);
        }
        fputc('>', d->out);
    }
    fputs(" for ", d->out);
    ptype(d, im->target);
    pspan(d, it->span);
    dump_where(d, &im->where, ind + 1);
    for (uint32_t i = 0; i < im->methods.len; i++)
        dump_item(d, im->methods.items[i], ind + 1);
}

static void dump_service(dumper_t *d, const ast_item_t *it, int ind)
{
    const ast_service_t *s = &it->u.service;
    pind(d, ind);
    fprintf(d->out, "service %s", s->name);
    pspan(d, it->span);
    for (uint32_t i = 0; i < s->fns.len; i++)
        dump_item(d, s->fns.items[i], ind + 1);
    for (uint32_t i = 0; i < s->handlers.len; i++) {
        const ast_handler_t *h = &s->handlers.items[i];
        pind(d, ind + 1);
        fprintf(d->out, "%s %s", h->is_call ? "call" : "cast", h->name);
        if (h->state_name)
            fprintf(d->out, " |%s|", h->state_name);
        pspan(d, h->name_span);
        dump_params(d, &h->params, ind + 2);
        dump_type_line(d, "returns", h->ret, ind + 2);
        dump_block(d, "body", h->body, ind + 2);
    }
}

static void dump_sup_value(dumper_t *d, const char *key, const ast_sup_value_t *v, int ind)
{
    if (!v->present)
        return;
    pind(d, ind);
    if (v->is_int)
        fprintf(d->out, "%s: %" PRId64, key, v->int_value);
    else
        fprintf(d->out, "%s: %s", key, v->ident ? v->ident : "?");
    pspan(d, v->span);
}

static void dump_supervisor(dumper_t *d, const ast_item_t *it, int ind)
{
    const ast_supervisor_t *s = &it->u.sup;
    pind(d, ind);
    fprintf(d->out, "supervisor %s%s", s->name, s->is_pub ? " pub" : "");
    pspan(d, it->span);
    dump_sup_value(d, "strategy", &s->strategy, ind + 1);
    dump_sup_value(d, "max_restarts", &s->max_restarts, ind + 1);
    dump_sup_value(d, "max_seconds", &s->max_seconds, ind + 1);
    for (uint32_t i = 0; i < s->children.len; i++) {
        const ast_child_t *c = &s->children.items[i];
        pind(d, ind + 1);
        fprintf(d->out, "child %s", c->name);
        pspan(d, c->span);
        dump_labeled(d, "start", c->start, ind + 2);
        dump_sup_value(d, "restart", &c->restart, ind + 2);
        dump_sup_value(d, "shutdown", &c->shutdown, ind + 2);
    }
}

static void dump_item(dumper_t *d, const ast_item_t *it, int ind)
{
    switch (it->kind) {
    case AST_ITEM_FN: dump_fn(d, it, ind); break;
    case AST_ITEM_STRUCT: case AST_ITEM_SUM: case AST_ITEM_ALIAS: dump_typedef(d, it, ind); break;
    case AST_ITEM_INTERFACE: dump_interface(d, it, ind); break;
    case AST_ITEM_IMPL: dump_impl(d, it, ind); break;
    case AST_ITEM_ACTOR:
        pind(d, ind);
        fprintf(d->out, "actor %s", it->u.actor.name);
        pspan(d, it->span);
        dump_params(d, &it->u.actor.params, ind + 1);
        dump_block(d, "body", it->u.actor.body, ind + 1);
        dump_block(d, "terminate", it->u.actor.terminate, ind + 1);
        break;
    case AST_ITEM_SERVICE: dump_service(d, it, ind); break;
    case AST_ITEM_SUPERVISOR: dump_supervisor(d, it, ind); break;
    case AST_ITEM_IMPORT:
    case AST_ITEM_FROM_IMPORT:
        pind(d, ind);
        fputs(it->kind == AST_ITEM_IMPORT ? "import " : "from ", d->out);
        ppath(d, &it->u.import.path);
        if (it->kind == AST_ITEM_FROM_IMPORT) {
            fputs(" import", d->out);
            for (uint32_t i = 0; i < it->u.import.names.len; i++)
                fprintf(d->out, "%s%s", i ? ", " : " ", it->u.import.names.items[i]);
        }
        pspan(d, it->span);
        break;
    case AST_ITEM_MODULE:
        pind(d, ind);
        fprintf(d->out, "module %s%s", it->u.module.name ? it->u.module.name : "?",
                it->u.module.is_pub ? " pub" : "");
        pspan(d, it->span);
        dump_block(d, "body", it->u.module.body, ind + 1);
        break;
    }
}

void ast_dump_file(FILE *out, const ast_file_t *file)
{
    dumper_t d = {.out = out, .src = file->sources, .file = file->file};
    if (file->sources && file->file < file->sources->count)
        fprintf(out, "file %s\n", source_get(file->sources, file->file)->path);
    else
        fputs("file\n", out);
    for (uint32_t i = 0; i < file->len; i++)
        dump_stmt(&d, file->items[i], 1);
}
