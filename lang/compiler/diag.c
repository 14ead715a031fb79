/* diag.c: recording and rendering diagnostics (diag.h).
 *
 * Records own their strings (malloc'd with vasprintf-like formatting), so a
 * phase can format messages from temporary buffers. Rendering reads source
 * lines through the source table and never allocates per line.
 */
#include "lang/compiler/diag.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "lang/compiler/source.h"

static void *xrealloc(void *p, size_t size)
{
    void *q = realloc(p, size);
    if (!q) {
        perror("snowc: out of memory");
        abort();
    }
    return q;
}

static char *vformat(const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        n = 0;
    char *s = xrealloc(NULL, (size_t)n + 1);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    return s;
}

diag_t *diag_new(void)
{
    diag_t *d = xrealloc(NULL, sizeof(*d));
    memset(d, 0, sizeof(*d));
    return d;
}

void diag_free(diag_t *d)
{
    if (!d)
        return;
    for (uint32_t i = 0; i < d->count; i++) {
        diag_entry_t *e = &d->items[i];
        free(e->headline);
        free(e->message);
        free(e->label);
        free(e->fix);
        for (uint32_t j = 0; j < e->extra_count; j++)
            free(e->extras[j].text);
        free(e->extras);
    }
    free(d->items);
    free(d);
}

static void record(diag_t *d, diag_severity_t sev, span_t span, const char *code,
                   const char *fmt, va_list ap)
{
    if (d->count == d->capacity) {
        d->capacity = d->capacity ? d->capacity * 2 : 16;
        d->items = xrealloc(d->items, d->capacity * sizeof(*d->items));
    }
    diag_entry_t *e = &d->items[d->count++];
    memset(e, 0, sizeof(*e));
    e->severity = sev;
    e->span = span;
    snprintf(e->code, sizeof(e->code), "%s", code);
    e->headline = vformat(fmt, ap);
    if (sev == DIAG_ERROR)
        d->errors++;
    else
        d->warnings++;
}

void diag_error(diag_t *d, span_t span, const char *code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    record(d, DIAG_ERROR, span, code, fmt, ap);
    va_end(ap);
}

void diag_warning(diag_t *d, span_t span, const char *code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    record(d, DIAG_WARNING, span, code, fmt, ap);
    va_end(ap);
}

static void add_extra(diag_t *d, diag_extra_kind_t kind, span_t span, const char *fmt,
                      va_list ap)
{
    if (d->count == 0)
        return;
    diag_entry_t *e = &d->items[d->count - 1];
    e->extras = xrealloc(e->extras, (e->extra_count + 1) * sizeof(*e->extras));
    e->extras[e->extra_count++] = (diag_extra_t){.kind = kind, .span = span,
                                                 .text = vformat(fmt, ap)};
}

/* Replaces one owned string slot of the last diagnostic. */
static void set_slot(diag_t *d, size_t offset, const char *fmt, va_list ap)
{
    if (d->count == 0)
        return;
    char **slot = (char **)((char *)&d->items[d->count - 1] + offset);
    free(*slot);
    *slot = vformat(fmt, ap);
}

#define DIAG_SETTER(fn, field)                                                               \
    void fn(diag_t *d, const char *fmt, ...)                                                 \
    {                                                                                        \
        va_list ap;                                                                          \
        va_start(ap, fmt);                                                                   \
        set_slot(d, offsetof(diag_entry_t, field), fmt, ap);                                 \
        va_end(ap);                                                                          \
    }

DIAG_SETTER(diag_label, label)
DIAG_SETTER(diag_message, message)
DIAG_SETTER(diag_fix, fix)

void diag_help(diag_t *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add_extra(d, DIAG_EXTRA_HELP, (span_t){0}, fmt, ap);
    va_end(ap);
}

void diag_note(diag_t *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add_extra(d, DIAG_EXTRA_NOTE, (span_t){0}, fmt, ap);
    va_end(ap);
}

void diag_secondary(diag_t *d, span_t span, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add_extra(d, DIAG_EXTRA_SECONDARY, span, fmt, ap);
    va_end(ap);
}

/* ================================================================ human form */

static int digits(uint32_t n)
{
    int k = 1;
    while (n >= 10) {
        n /= 10;
        k++;
    }
    return k;
}

static bool has_file(const source_table_t *s, span_t span)
{
    return span.file != DIAG_NO_FILE && span.file < s->count;
}

/* Prints ` 3 |   println(totl)` and the marker line under the span's first
 * line. Control bytes other than tab print as spaces so the carets line up
 * and the terminal is not disturbed. */
static void render_snippet(FILE *out, const source_table_t *s, span_t span, int gutter,
                           char mark, const char *label)
{
    uint32_t line, col;
    source_line_col(s, span.file, span.start, &line, &col);
    uint32_t len;
    const char *text = source_line_text(s, span.file, line, &len);
    fprintf(out, "%*s |\n", gutter, "");
    fprintf(out, "%*u | ", gutter, line);
    for (uint32_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)text[i];
        fputc(ch < 0x20 && ch != '\t' ? ' ' : ch, out);
    }
    fputc('\n', out);
    fprintf(out, "%*s | ", gutter, "");
    uint32_t start = col - 1;
    uint32_t end = span.end > span.start ? start + (span.end - span.start) : start + 1;
    if (end > len)
        end = len > start ? len : start + 1;
    /* One column per character: UTF-8 continuation bytes take no space. */
    for (uint32_t i = 0; i < start; i++)
        if (i >= len || ((unsigned char)text[i] & 0xC0) != 0x80)
            fputc(i < len && text[i] == '\t' ? '\t' : ' ', out);
    for (uint32_t i = start; i < end; i++)
        if (i >= len || ((unsigned char)text[i] & 0xC0) != 0x80 || i == start)
            fputc(mark, out);
    if (label && *label)
        fprintf(out, " %s", label);
    fputc('\n', out);
}

static void render_human(const diag_entry_t *e, const source_table_t *s, FILE *out)
{
    const char *sev = e->severity == DIAG_ERROR ? "error" : "warning";
    int gutter = 2;
    if (has_file(s, e->span)) {
        uint32_t line, col;
        source_line_col(s, e->span.file, e->span.start, &line, &col);
        gutter = digits(line) + 1;
        for (uint32_t j = 0; j < e->extra_count; j++) {
            if (e->extras[j].kind != DIAG_EXTRA_SECONDARY || !has_file(s, e->extras[j].span))
                continue;
            uint32_t l2, c2;
            source_line_col(s, e->extras[j].span.file, e->extras[j].span.start, &l2, &c2);
            if (digits(l2) + 1 > gutter)
                gutter = digits(l2) + 1;
        }
        fprintf(out, "%s:%u:%u: ", source_get(s, e->span.file)->path, line, col);
    }
    fprintf(out, "%s[%s]: %s\n", sev, e->code, e->headline);
    if (has_file(s, e->span))
        render_snippet(out, s, e->span, gutter, '^', e->label);
    for (uint32_t j = 0; j < e->extra_count; j++) {
        const diag_extra_t *x = &e->extras[j];
        if (x->kind == DIAG_EXTRA_SECONDARY) {
            if (!has_file(s, x->span))
                continue;
            uint32_t l2, c2;
            source_line_col(s, x->span.file, x->span.start, &l2, &c2);
            fprintf(out, "%*s = note: %s:%u:%u: %s\n", gutter, "",
                    source_get(s, x->span.file)->path, l2, c2, x->text);
            render_snippet(out, s, x->span, gutter, '-', x->text);
        } else {
            fprintf(out, "%*s = %s: %s\n", gutter, "",
                    x->kind == DIAG_EXTRA_HELP ? "help" : "note", x->text);
        }
    }
}

/* ================================================================= JSON form */

static void json_string(FILE *out, const char *text)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        switch (*p) {
        case '"': fputs("\\\"", out); break;
        case '\\': fputs("\\\\", out); break;
        case '\n': fputs("\\n", out); break;
        case '\r': fputs("\\r", out); break;
        case '\t': fputs("\\t", out); break;
        default:
            if (*p < 0x20)
                fprintf(out, "\\u%04x", *p);
            else
                fputc(*p, out);
        }
    }
    fputc('"', out);
}

static void json_span(FILE *out, span_t span, const char *label)
{
    fprintf(out, "{\"start\":%u,\"end\":%u,\"label\":", span.start, span.end);
    json_string(out, label ? label : "");
    fputc('}', out);
}

static void render_json(const diag_entry_t *e, const source_table_t *s, FILE *out)
{
    fputs("{\"code\":", out);
    json_string(out, e->code);
    fputs(",\"severity\":", out);
    json_string(out, e->severity == DIAG_ERROR ? "error" : "warning");
    fputs(",\"message\":", out);
    json_string(out, e->message ? e->message : e->headline);
    fputs(",\"file\":", out);
    json_string(out, has_file(s, e->span) ? source_get(s, e->span.file)->path : "");
    fputs(",\"spans\":[", out);
    bool any = false;
    if (has_file(s, e->span)) {
        json_span(out, e->span, e->label);
        any = true;
    }
    for (uint32_t j = 0; j < e->extra_count; j++) {
        if (e->extras[j].kind != DIAG_EXTRA_SECONDARY)
            continue;
        if (any)
            fputc(',', out);
        json_span(out, e->extras[j].span, e->extras[j].text);
        any = true;
    }
    fputs("],\"fix\":", out);
    if (e->fix)
        json_string(out, e->fix);
    else
        fputs("null", out);
    fputs("}\n", out);
}

void diag_render(const diag_t *d, const source_table_t *s, uint32_t index, FILE *out, bool json)
{
    if (index >= d->count)
        return;
    if (json)
        render_json(&d->items[index], s, out);
    else
        render_human(&d->items[index], s, out);
}

int diag_render_all(diag_t *d, source_table_t *s, FILE *out, bool json)
{
    for (uint32_t i = 0; i < d->count; i++)
        diag_render(d, s, i, out, json);
    return (int)d->errors;
}
