/* emit.c: prints the IR (ir.h) as one C11 translation unit.
 *
 * Layout of the output, top to bottom: the ABI include and fallback macros,
 * string literals, type descriptors (forward declared first, since
 * recursive types point at themselves), module constants, function
 * prototypes, function bodies, the program's snow_main_ and C main.
 *
 * Warnings: the output must be clean under -Wall -Wextra, so every local
 * and parameter is marked unused-ok and every local starts zeroed (the
 * lowering assigns before use on all paths; zeroing only keeps -O2's
 * maybe-uninitialized analysis quiet and costs nothing after optimisation).
 */
#include "lang/compiler/emit.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

typedef struct {
    FILE *out;
    const ir_program_t *p;
    const ir_func_t *f;
    int indent;
    uint32_t line; /* last #line written */
    uint32_t file;
} emitter_t;

#define UNUSED "__attribute__((unused)) "

static const char *ctype(ir_rep_t r)
{
    switch (r) {
    case IR_REP_UNIT:
        return "snow_unit_t";
    case IR_REP_INT:
        return "int64_t";
    case IR_REP_FLOAT:
        return "double";
    case IR_REP_BOOL:
        return "bool";
    case IR_REP_PTR:
        return "void *";
    case IR_REP_WORD:
        return "snow_word_t";
    }
    return "void *";
}

static void indent(emitter_t *em)
{
    for (int i = 0; i < em->indent; i++)
        fputs("    ", em->out);
}

/* Writes bytes as the body of a C string literal. Every byte outside
 * printable ASCII becomes a three-digit octal escape (never ambiguous with a
 * following digit); `?` is escaped against trigraphs. */
static void c_string(FILE *out, const char *bytes, uint32_t len)
{
    fputc('"', out);
    for (uint32_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)bytes[i];
        if (ch == '"' || ch == '\\' || ch == '?')
            fprintf(out, "\\%c", ch);
        else if (ch >= 0x20 && ch < 0x7f)
            fputc(ch, out);
        else
            fprintf(out, "\\%03o", ch);
    }
    fputc('"', out);
}

static const char *file_path(const emitter_t *em, uint32_t file)
{
    if (file < em->p->nfiles && em->p->files[file])
        return em->p->files[file];
    return "main.snow";
}

/* A local's C name: its Snow name with every byte outside [A-Za-z0-9]
 * (non-ASCII letters of Unicode identifiers) as `_`, plus its index, which
 * also keeps it clear of C keywords. */
static void print_local(FILE *out, const ir_local_t *l, uint32_t i)
{
    for (const char *n = l->name ? l->name : "t"; *n; n++) {
        char ch = *n;
        bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
        fputc(ok ? ch : '_', out);
    }
    fprintf(out, "_%u", i);
}

static void local_name(emitter_t *em, uint32_t i) { print_local(em->out, &em->f->locals[i], i); }

static void type_name(emitter_t *em, uint32_t ti)
{
    const ir_type_t *t = &em->p->types[ti];
    if (t->builtin)
        fputs(t->builtin, em->out);
    else
        fprintf(em->out, "snow_ty_%u", ti);
}

/* {====== Expressions */

static void emit_expr(emitter_t *em, const ir_expr_t *e);

static void emit_word(emitter_t *em, const ir_expr_t *e)
{
    FILE *out = em->out;
    switch (e->rep) {
    case IR_REP_UNIT:
        fputs("(snow_word_t)0", out);
        return;
    case IR_REP_INT:
    case IR_REP_BOOL:
        fputs("(snow_word_t)(", out);
        break;
    case IR_REP_FLOAT:
        fputs("snow_word_from_float(", out);
        break;
    case IR_REP_PTR:
        fputs("SNOW_WORD_PTR(", out);
        break;
    case IR_REP_WORD:
        emit_expr(em, e);
        return;
    }
    emit_expr(em, e);
    fputc(')', out);
}

/* w is C text producing a snow_word_t; prints it converted to rep. */
static void from_word_open(FILE *out, ir_rep_t rep)
{
    switch (rep) {
    case IR_REP_UNIT:
        fputs("((snow_unit_t)0 & (snow_unit_t)(", out);
        break;
    case IR_REP_INT:
        fputs("((int64_t)(", out);
        break;
    case IR_REP_FLOAT:
        fputs("(snow_word_to_float(", out);
        break;
    case IR_REP_BOOL:
        fputs("((", out);
        break;
    case IR_REP_PTR:
        fputs("(SNOW_WORD_TO_PTR(void, ", out);
        break;
    case IR_REP_WORD:
        fputs("((", out);
        break;
    }
}

static void from_word_close(FILE *out, ir_rep_t rep)
{
    fputs(rep == IR_REP_BOOL ? ") != 0)" : "))", out);
}

static const char *int_op(ir_op_t op)
{
    static const char *ops[] = {
        "+", "-", "*", "/", "%", "==", "!=", "<", ">", "<=", ">=", "&&", "||"};
    return op <= IR_OP_OR ? ops[op] : "?";
}

static void emit_bin(emitter_t *em, const ir_expr_t *e)
{
    FILE *out = em->out;
    ir_rep_t r = (ir_rep_t)e->i;
    if (r == IR_REP_INT && (e->op == IR_OP_DIV || e->op == IR_OP_REM)) {
        fprintf(out, "%s(cx, ", e->op == IR_OP_DIV ? "snow_int_div" : "snow_int_rem");
        emit_expr(em, e->a);
        fputs(", ", out);
        emit_expr(em, e->b);
        fputs(", ", out);
        const char *path = file_path(em, em->f->file);
        c_string(out, path, (uint32_t)strlen(path));
        fprintf(out, ", %u)", e->line);
        return;
    }
    if (r == IR_REP_INT && e->op <= IR_OP_MUL) {
        fputs("(int64_t)((uint64_t)", out);
        emit_expr(em, e->a);
        fprintf(out, " %s (uint64_t)", int_op(e->op));
        emit_expr(em, e->b);
        fputc(')', out);
        return;
    }
    if (r != IR_REP_FLOAT && e->op >= IR_OP_EQ && e->op <= IR_OP_GE && e->a->kind == IR_E_LOCAL &&
        e->b->kind == IR_E_LOCAL && e->a->index == e->b->index) {
        /* `x == x` on a non-float is known; C compilers warn about the
         * comparison itself (-Wtautological-compare), so write the result. */
        bool holds = e->op == IR_OP_EQ || e->op == IR_OP_LE || e->op == IR_OP_GE;
        fputs("((void)", out);
        emit_expr(em, e->a);
        fprintf(out, ", %s)", holds ? "true" : "false");
        return;
    }
    if (r == IR_REP_FLOAT && e->op == IR_OP_REM) {
        fputs("fmod(", out);
        emit_expr(em, e->a);
        fputs(", ", out);
        emit_expr(em, e->b);
        fputc(')', out);
        return;
    }
    fputc('(', out);
    emit_expr(em, e->a);
    fprintf(out, " %s ", int_op(e->op));
    emit_expr(em, e->b);
    fputc(')', out);
}

static void emit_args(emitter_t *em, ir_expr_t *const *args, uint32_t n, bool first_comma)
{
    for (uint32_t i = 0; i < n; i++) {
        if (i > 0 || first_comma)
            fputs(", ", em->out);
        emit_expr(em, args[i]);
    }
}

static void emit_call_clo(emitter_t *em, const ir_expr_t *e)
{
    FILE *out = em->out;
    from_word_open(out, e->rep);
    fputs("((snow_word_t (*)(snow_ctx_t *, snow_record_t *", out);
    for (uint32_t i = 0; i < e->nargs; i++)
        fputs(", snow_word_t", out);
    fputs("))(uintptr_t)((snow_record_t *)", out);
    emit_expr(em, e->a);
    fputs(")->w[0])(cx, (snow_record_t *)", out);
    emit_expr(em, e->a);
    for (uint32_t i = 0; i < e->nargs; i++) {
        fputs(", ", out);
        emit_word(em, e->args[i]);
    }
    fputc(')', out);
    from_word_close(out, e->rep);
}

/* Shortest-safe decimal text of a finite double, always a floating constant. */
static void float_literal(FILE *out, double d)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%.17g", d);
    fputs(buf, out);
    if (!strpbrk(buf, ".e"))
        fputs(".0", out);
}

static void emit_expr(emitter_t *em, const ir_expr_t *e)
{
    FILE *out = em->out;
    switch (e->kind) {
    case IR_E_INT:
        if (e->i == INT64_MIN)
            fputs("INT64_MIN", out);
        else
            fprintf(out, "INT64_C(%" PRId64 ")", e->i);
        break;
    case IR_E_FLOAT:
        if (isnan(e->f))
            fputs("__builtin_nan(\"\")", out);
        else if (isinf(e->f))
            fputs(e->f > 0 ? "__builtin_inf()" : "(-__builtin_inf())", out);
        else
            float_literal(out, e->f);
        break;
    case IR_E_BOOL:
        fputs(e->i ? "true" : "false", out);
        break;
    case IR_E_UNIT:
        fputs("(snow_unit_t)0", out);
        break;
    case IR_E_STR:
        fprintf(out, "snow_str_%u", e->index);
        break;
    case IR_E_LOCAL:
        local_name(em, e->index);
        break;
    case IR_E_GLOBAL:
        fprintf(out, "snow_g_%s_%u", em->p->globals[e->index].name, e->index);
        break;
    case IR_E_UN:
        if (e->op == IR_OP_NOT) {
            fputs("(!", out);
        } else if (e->rep == IR_REP_INT) {
            fputs("(int64_t)(0 - (uint64_t)", out);
        } else {
            fputs("(-", out);
        }
        emit_expr(em, e->a);
        fputc(')', out);
        break;
    case IR_E_BIN:
        emit_bin(em, e);
        break;
    case IR_E_CALL:
        fprintf(out, "%s(cx", em->p->funcs[e->index]->c_name);
        emit_args(em, e->args, e->nargs, true);
        fputc(')', out);
        break;
    case IR_E_RT:
        fprintf(out, "%s(%s", e->name, e->no_cx ? "" : "cx");
        if (e->arr_type) {
            emit_args(em, e->args, e->arr_from, !e->no_cx);
            fprintf(out, "%s(size_t)%u, (%s[]){", (e->arr_from || !e->no_cx) ? ", " : "",
                    e->nargs - e->arr_from, e->arr_type);
            emit_args(em, e->args + e->arr_from, e->nargs - e->arr_from, false);
            fputs("})", out);
            break;
        }
        emit_args(em, e->args, e->nargs, !e->no_cx);
        fputc(')', out);
        break;
    case IR_E_CALL_CLO:
        emit_call_clo(em, e);
        break;
    case IR_E_FIELD:
        from_word_open(out, e->rep);
        fputs("((snow_record_t *)", out);
        emit_expr(em, e->a);
        fprintf(out, ")->w[%u]", e->index);
        from_word_close(out, e->rep);
        break;
    case IR_E_TAG:
        fputs("(int64_t)((snow_record_t *)", out);
        emit_expr(em, e->a);
        fputs(")->h.tag", out);
        break;
    case IR_E_TO_WORD:
        emit_word(em, e->a);
        break;
    case IR_E_FROM_WORD:
        from_word_open(out, e->rep);
        emit_expr(em, e->a);
        from_word_close(out, e->rep);
        break;
    case IR_E_TYPE:
        fputc('&', out);
        type_name(em, e->index);
        break;
    case IR_E_RAW:
        fputs(e->name, out);
        break;
    case IR_E_COND:
        fputc('(', out);
        emit_expr(em, e->a);
        fputs(" ? ", out);
        emit_expr(em, e->b);
        fputs(" : ", out);
        emit_expr(em, e->c);
        fputc(')', out);
        break;
    case IR_E_LIST_ITEM:
        from_word_open(out, e->rep);
        fputs("snow_list_items((snow_list_t *)", out);
        emit_expr(em, e->a);
        fputs(")[", out);
        emit_expr(em, e->b);
        fputc(']', out);
        from_word_close(out, e->rep);
        break;
    case IR_E_LIST_LEN:
        fputs("((snow_list_t *)", out);
        emit_expr(em, e->a);
        fputs(")->len", out);
        break;
    }
}

/* }====== */

/* {====== Statements */

static void emit_block(emitter_t *em, const ir_block_t *b);

static void line_directive(emitter_t *em, uint32_t line)
{
    /* Every statement gets its directive: the C lines that follow one count
     * on from it, so skipping repeats would shift later statements. */
    if (line == 0)
        return;
    em->line = line;
    fprintf(em->out, "#line %u ", line);
    const char *path = file_path(em, em->file);
    c_string(em->out, path, (uint32_t)strlen(path));
    fputc('\n', em->out);
}

/* RECORD and CLOSURE: allocate, fill the words, store in the local. */
static void emit_alloc(emitter_t *em, const ir_stmt_t *s)
{
    FILE *out = em->out;
    uint32_t base = 0;
    fputs("{\n", out);
    em->indent++;
    indent(em);
    if (s->kind == IR_S_RECORD) {
        fprintf(out, "snow_record_t *r_ = snow_record_new(cx, %u, %u, UINT64_C(0x%" PRIx64 "));\n",
                s->tag, s->nargs, s->ptrmask);
    } else {
        fprintf(out,
                "snow_record_t *r_ = snow_closure_new(cx, (const void *)%s, %u, "
                "UINT64_C(0x%" PRIx64 "));\n",
                em->p->funcs[s->index]->c_name, s->nargs, s->ptrmask);
        base = 1;
    }
    for (uint32_t i = 0; i < s->nargs; i++) {
        indent(em);
        fprintf(out, "r_->w[%u] = ", base + i);
        emit_word(em, s->args[i]);
        fputs(";\n", out);
    }
    indent(em);
    local_name(em, s->local);
    fputs(" = r_;\n", out);
    em->indent--;
    indent(em);
    fputs("}\n", out);
}

static void emit_return(emitter_t *em, const ir_stmt_t *s)
{
    FILE *out = em->out;
    if (em->f->is_closure) {
        fputs("return ", out);
        if (s->e)
            emit_word(em, s->e);
        else
            fputs("(snow_word_t)0", out);
        fputs(";\n", out);
        return;
    }
    fputs("return ", out);
    if (s->e && em->f->ret != IR_REP_UNIT)
        emit_expr(em, s->e);
    else
        fputs("(snow_unit_t)0", out);
    fputs(";\n", out);
}

static void emit_stmt(emitter_t *em, const ir_stmt_t *s)
{
    FILE *out = em->out;
    line_directive(em, s->line);
    indent(em);
    switch (s->kind) {
    case IR_S_ASSIGN:
        local_name(em, s->local);
        fputs(" = ", out);
        emit_expr(em, s->e);
        fputs(";\n", out);
        break;
    case IR_S_SET_GLOBAL:
        fprintf(out, "snow_g_%s_%u = ", em->p->globals[s->local].name, s->local);
        emit_expr(em, s->e);
        fputs(";\n", out);
        break;
    case IR_S_EXPR:
        fputs("(void)", out);
        emit_expr(em, s->e);
        fputs(";\n", out);
        break;
    case IR_S_IF:
        /* A comparison already prints its own parentheses; doubling them
         * trips clang's -Wparentheses-equality. */
        if (s->e->kind == IR_E_BIN && s->e->op >= IR_OP_EQ && s->e->op <= IR_OP_OR) {
            fputs("if ", out);
            emit_expr(em, s->e);
            fputs(" {\n", out);
        } else {
            fputs("if (", out);
            emit_expr(em, s->e);
            fputs(") {\n", out);
        }
        emit_block(em, &s->then);
        indent(em);
        if (s->els.len) {
            fputs("} else {\n", out);
            emit_block(em, &s->els);
            indent(em);
        }
        fputs("}\n", out);
        break;
    case IR_S_LOOP:
        fputs("for (;;) {\n", out);
        em->indent++;
        indent(em);
        fputs("SNOW_LOOP_TICK(cx);\n", out);
        em->indent--;
        emit_block(em, &s->then);
        indent(em);
        fputs("}\n", out);
        break;
    case IR_S_BREAK:
        fputs("break;\n", out);
        break;
    case IR_S_CONTINUE:
        fputs("continue;\n", out);
        break;
    case IR_S_RETURN:
        emit_return(em, s);
        break;
    case IR_S_BLOCK:
        fputs("{\n", out);
        emit_block(em, &s->then);
        indent(em);
        fprintf(out, "}\n");
        indent(em);
        fprintf(out, "snow_L%u: __attribute__((unused));\n", s->label);
        break;
    case IR_S_EXIT:
        fprintf(out, "goto snow_L%u;\n", s->label);
        break;
    case IR_S_TAILCALL:
        fputs("SNOW_LOOP_TICK(cx);\n", out);
        indent(em);
        fputs("goto snow_top;\n", out);
        break;
    case IR_S_PANIC: {
        const char *path = file_path(em, em->f->file);
        fputs("snow_panic_at(cx, ", out);
        c_string(out, path, (uint32_t)strlen(path));
        fprintf(out, ", %u, \"%%s\", ", s->line);
        c_string(out, s->msg, (uint32_t)strlen(s->msg));
        fputs(");\n", out);
        break;
    }
    case IR_S_RECORD:
    case IR_S_CLOSURE:
        emit_alloc(em, s);
        break;
    }
}

static void emit_block(emitter_t *em, const ir_block_t *b)
{
    em->indent++;
    for (uint32_t i = 0; i < b->len; i++)
        emit_stmt(em, b->items[i]);
    em->indent--;
}

/* }====== */

/* {====== Functions */

static void emit_signature(emitter_t *em, const ir_func_t *f)
{
    FILE *out = em->out;
    if (f->is_closure) {
        fprintf(out, "static snow_word_t %s(snow_ctx_t *cx, " UNUSED "snow_record_t *self",
                f->c_name);
        for (uint32_t i = 0; i < f->nparams; i++)
            fprintf(out, ", snow_word_t a%u", i);
        fputc(')', out);
        return;
    }
    fprintf(out, "static %s%s%s(snow_ctx_t *cx", f->c_ret ? f->c_ret : ctype(f->ret),
            (f->c_ret || f->ret != IR_REP_PTR) ? " " : "", f->c_name);
    for (uint32_t i = 0; i < f->nparams; i++) {
        const ir_local_t *l = &f->locals[i];
        fprintf(out, ", " UNUSED "%s%s", ctype(l->rep), l->rep == IR_REP_PTR ? "" : " ");
        print_local(out, l, i);
    }
    fputc(')', out);
}

static void emit_locals(emitter_t *em, const ir_func_t *f)
{
    FILE *out = em->out;
    uint32_t first = f->is_closure ? 0 : f->nparams;
    for (uint32_t i = first; i < f->nlocals; i++) {
        const ir_local_t *l = &f->locals[i];
        fprintf(out, "    " UNUSED "%s%s", ctype(l->rep), l->rep == IR_REP_PTR ? "" : " ");
        local_name(em, i);
        if (f->is_closure && i < f->nparams) {
            fputs(" = ", out);
            from_word_open(out, l->rep);
            fprintf(out, "a%u", i);
            from_word_close(out, l->rep);
            fputs(";\n", out);
        } else {
            fputs(l->rep == IR_REP_PTR ? " = NULL;\n" : " = 0;\n", out);
        }
    }
    for (uint32_t i = 0; i < f->ncaptures; i++) {
        fputs("    ", out);
        local_name(em, f->capture_locals[i]);
        fputs(" = ", out);
        from_word_open(out, f->locals[f->capture_locals[i]].rep);
        fprintf(out, "self->w[%u]", i + 1);
        from_word_close(out, f->locals[f->capture_locals[i]].rep);
        fputs(";\n", out);
    }
}

static void emit_func(emitter_t *em, const ir_func_t *f)
{
    FILE *out = em->out;
    em->f = f;
    em->file = f->file;
    em->line = 0;
    if (f->snow_name)
        fprintf(out, "/* %s */\n", f->snow_name);
    line_directive(em, f->line);
    emit_signature(em, f);
    fputs("\n{\n", out);
    emit_locals(em, f);
    fputs("    SNOW_FN_ENTER(cx);\n", out);
    if (f->uses_tailcall)
        fputs("snow_top: __attribute__((unused));\n", out);
    emit_block(em, &f->body);
    /* Functions end with an explicit return or panic; this keeps -Wreturn-type quiet when the
     * last statement is a loop that only exits by returning. */
    if (f->is_closure)
        fputs("    return (snow_word_t)0;\n", out);
    else if (f->c_ret)
        fputs("    return 0;\n", out);
    else if (f->ret == IR_REP_PTR)
        fputs("    return NULL;\n", out);
    else
        fprintf(out, "    return (%s)0;\n", ctype(f->ret));
    fputs("}\n\n", out);
    em->f = NULL;
}

/* }====== */

/* {====== Program */

static const char *kind_name(uint32_t k)
{
    static const char *names[] = {
        "SNOW_KIND_UNIT",   "SNOW_KIND_INT",      "SNOW_KIND_FLOAT", "SNOW_KIND_BOOL",
        "SNOW_KIND_STRING", "SNOW_KIND_LIST",     "SNOW_KIND_MAP",   "SNOW_KIND_SET",
        "SNOW_KIND_QUEUE",  "SNOW_KIND_RANGE",    "SNOW_KIND_TUPLE", "SNOW_KIND_STRUCT",
        "SNOW_KIND_SUM",    "SNOW_KIND_FUNCTION", "SNOW_KIND_PID",   "SNOW_KIND_JSON"};
    return k < sizeof names / sizeof names[0] ? names[k] : "SNOW_KIND_UNIT";
}

static void flags_text(FILE *out, uint32_t flags)
{
    static const char *names[] = {"SNOW_TF_DISPLAY", "SNOW_TF_DEBUG", "SNOW_TF_DEBUG_AS_DISPLAY",
                                  "SNOW_TF_JSON", "SNOW_TF_OPTION"};
    bool any = false;
    for (int b = 0; b < 5; b++) {
        if (flags & (1u << b)) {
            fprintf(out, "%s%s", any ? " | " : "", names[b]);
            any = true;
        }
    }
    if (!any)
        fputc('0', out);
}

/* The arrays a descriptor points at: components, field names, variants. */
static void emit_type_tables(emitter_t *em, uint32_t i, const ir_type_t *t)
{
    FILE *out = em->out;
    if (t->nparams) {
        fprintf(out, "static const snow_type_t *const snow_ty_%u_params[] = {", i);
        for (uint32_t k = 0; k < t->nparams; k++) {
            fputs(k ? ", &" : "&", out);
            type_name(em, t->params[k]);
        }
        fputs("};\n", out);
    }
    if (t->field_names) {
        fprintf(out, "static const char *const snow_ty_%u_names[] = {", i);
        for (uint32_t k = 0; k < t->nparams; k++) {
            fputs(k ? ", " : "", out);
            c_string(out, t->field_names[k], (uint32_t)strlen(t->field_names[k]));
        }
        fputs("};\n", out);
    }
    for (uint32_t v = 0; v < t->nvariants; v++) {
        const ir_tvariant_t *tv = &t->variants[v];
        if (!tv->count)
            continue;
        fprintf(out, "static const snow_type_t *const snow_ty_%u_v%u[] = {", i, v);
        for (uint32_t k = 0; k < tv->count; k++) {
            fputs(k ? ", &" : "&", out);
            type_name(em, tv->fields[k]);
        }
        fputs("};\n", out);
    }
    if (!t->nvariants)
        return;
    fprintf(out, "static const snow_variant_t snow_ty_%u_variants[] = {\n", i);
    for (uint32_t v = 0; v < t->nvariants; v++) {
        const ir_tvariant_t *tv = &t->variants[v];
        fputs("    {", out);
        c_string(out, tv->name, (uint32_t)strlen(tv->name));
        if (tv->count)
            fprintf(out, ", %u, snow_ty_%u_v%u, NULL},\n", tv->count, i, v);
        else
            fputs(", 0, NULL, NULL},\n", out);
    }
    fputs("};\n", out);
}

/* The snow_type_t itself (field order of snow.h's struct snow_type_t). */
static void emit_type_def(emitter_t *em, uint32_t i, const ir_type_t *t)
{
    FILE *out = em->out;
    fprintf(out, "static const snow_type_t snow_ty_%u = {%s, ", i, kind_name(t->kind));
    flags_text(out, t->flags);
    fprintf(out, ", %u, 0, ", t->nvariants ? t->nvariants : t->nparams);
    if (t->name)
        c_string(out, t->name, (uint32_t)strlen(t->name));
    else
        fputs("NULL", out);
    if (t->nparams)
        fprintf(out, ", snow_ty_%u_params, ", i);
    else
        fputs(", NULL, ", out);
    if (t->field_names)
        fprintf(out, "snow_ty_%u_names, ", i);
    else
        fputs("NULL, ", out);
    if (t->nvariants)
        fprintf(out, "snow_ty_%u_variants", i);
    else
        fputs("NULL", out);
    const int32_t cbs[5] = {t->display, t->debug, t->eq, t->cmp, t->hash};
    for (int k = 0; k < 5; k++) {
        if (cbs[k] >= 0)
            fprintf(out, ", %s", em->p->funcs[cbs[k]]->c_name);
        else
            fputs(", NULL", out);
    }
    fputs("};\n", out);
}

static void emit_types(emitter_t *em)
{
    const ir_program_t *p = em->p;
    for (uint32_t i = 0; i < p->ntypes; i++)
        if (!p->types[i].builtin)
            fprintf(em->out, "static const snow_type_t snow_ty_%u;\n", i);
    for (uint32_t i = 0; i < p->ntypes; i++) {
        if (p->types[i].builtin)
            continue;
        emit_type_tables(em, i, &p->types[i]);
        emit_type_def(em, i, &p->types[i]);
    }
    if (p->ntypes)
        fputc('\n', em->out);
}

static void emit_prologue(emitter_t *em)
{
    FILE *out = em->out;
    fputs("/* Generated by snowc: one C translation unit for the whole program. */\n"
          "#include \"snow/snow.h\"\n"
          "#include <math.h>\n\n"
          "/* A Snow program may recurse without end on purpose (it then panics with\n"
          " * `stack overflow`, D30); that is not a defect of the generated C. */\n"
          "#pragma GCC diagnostic ignored \"-Wpragmas\"\n"
          "#pragma GCC diagnostic ignored \"-Wunknown-warning-option\"\n"
          "#pragma GCC diagnostic ignored \"-Winfinite-recursion\"\n\n"
          "/* Prologue and loop checks (DESIGN 3); no-ops until the ABI provides them. */\n"
          "#ifndef SNOW_FN_ENTER\n#define SNOW_FN_ENTER(cx) ((void)(cx))\n#endif\n"
          "#ifndef SNOW_LOOP_TICK\n#define SNOW_LOOP_TICK(cx) ((void)(cx))\n#endif\n\n",
          out);
    for (uint32_t i = 0; i < em->p->nstrings; i++) {
        fprintf(out, "SNOW_STRING_LITERAL(snow_str_%u, ", i);
        c_string(out, em->p->strings[i].bytes, em->p->strings[i].len);
        fputs(");\n", out);
    }
    if (em->p->nstrings)
        fputc('\n', out);
}

/* The C entry points. Written before the first #line directive so that
 * debuggers place them in the generated C file, not in Snow source. */
static void emit_entry(emitter_t *em)
{
    FILE *out = em->out;
    const ir_program_t *p = em->p;
    fputs("static void snow_main_(snow_ctx_t *cx)\n{\n", out);
    if (p->init_func >= 0)
        fprintf(out, "    (void)%s(cx);\n", p->funcs[p->init_func]->c_name);
    if (p->main_func >= 0)
        fprintf(out, "    (void)%s(cx);\n", p->funcs[p->main_func]->c_name);
    else
        fputs("    (void)cx;\n", out);
    /* Only programs that use processes pay for the scheduler (and run main
     * on a process stack); the others keep the main thread's (8.1). */
    fprintf(out,
            "}\n\nint main(int argc, char **argv)\n{\n"
            "    return %s(argc, argv, snow_main_);\n}\n\n",
            p->uses_procs ? "snow_rt_main_procs" : "snow_rt_main");
}

int emit_ir_program(const ir_program_t *p, FILE *out)
{
    emitter_t em = {.out = out, .p = p};
    emit_prologue(&em);
    /* Prototypes first: type descriptors point at user-impl callbacks. */
    for (uint32_t i = 0; i < p->nfuncs; i++) {
        emit_signature(&em, p->funcs[i]);
        fputs(";\n", out);
    }
    fputc('\n', out);
    emit_types(&em);
    for (uint32_t i = 0; i < p->nglobals; i++)
        fprintf(out, "static %s snow_g_%s_%u;\n", ctype(p->globals[i].rep), p->globals[i].name, i);
    if (p->nglobals)
        fputc('\n', out);
    emit_entry(&em);
    for (uint32_t i = 0; i < p->nfuncs; i++)
        emit_func(&em, p->funcs[i]);
    fflush(out);
    return ferror(out) ? -1 : 0;
}

int emit_c_program(compile_t *c, FILE *out)
{
    if (!c->ir)
        return -1;
    return emit_ir_program(c->ir, out);
}

/* }====== */
