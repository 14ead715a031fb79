/* ty_diag.c: the checker's door to the diagnostics module.
 *
 * Every type error and warning goes through ty_error/ty_warning so the codes
 * and spans are also kept in a small record list that the checker's tests
 * read (ty_diag_records), independently of how diag.c renders them.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lang/compiler/diag.h"
#include "lang/compiler/ty_check.h"

static void record(ty_checker_t *ck, const char *code, span_t span, bool warning)
{
    ty_program_t *p = ck->prog;
    if (p->ndiags == ck->cap_diags) {
        uint32_t cap = ck->cap_diags ? ck->cap_diags * 2 : 16;
        ty_diag_record_t *n = ARENA_ARRAY(ck->a, ty_diag_record_t, cap);
        if (p->ndiags)
            memcpy(n, p->diags, p->ndiags * sizeof *n);
        p->diags = n;
        ck->cap_diags = cap;
    }
    p->diags[p->ndiags].code = code;
    p->diags[p->ndiags].span = span;
    p->diags[p->ndiags].warning = warning;
    p->ndiags++;
}

const char *ty_fmt(ty_checker_t *ck, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    if ((size_t)n >= sizeof buf)
        n = sizeof buf - 1;
    return arena_strndup(ck->a, buf, (size_t)n);
}

static void vreport(ty_checker_t *ck, span_t span, const char *code, bool warning, const char *fmt,
                    va_list ap)
{
    char buf[1024];
    vsnprintf(buf, sizeof buf, fmt, ap);
    record(ck, code, span, warning);
    if (warning) {
        ck->warnings++;
        diag_warning(ck->c->diag, span, code, "%s", buf);
    } else {
        ck->errors++;
        diag_error(ck->c->diag, span, code, "%s", buf);
    }
}

void ty_error(ty_checker_t *ck, span_t span, const char *code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(ck, span, code, false, fmt, ap);
    va_end(ap);
}

void ty_warning(ty_checker_t *ck, span_t span, const char *code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(ck, span, code, true, fmt, ap);
    va_end(ap);
}

void ty_help(ty_checker_t *ck, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    diag_help(ck->c->diag, "%s", buf);
}

void ty_note(ty_checker_t *ck, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    diag_note(ck->c->diag, "%s", buf);
}

void ty_label(ty_checker_t *ck, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    diag_label(ck->c->diag, "%s", buf);
}

void ty_message(ty_checker_t *ck, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    diag_message(ck->c->diag, "%s", buf);
}

void ty_fix(ty_checker_t *ck, const char *text)
{
    diag_fix(ck->c->diag, "%s", text);
}
