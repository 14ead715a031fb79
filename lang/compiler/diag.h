/* diag.h: compiler diagnostics (language.md 10, docs/diagnostics.md).
 *
 * Phases record diagnostics here and continue to a sync point (STYLE 4);
 * nothing is printed until the driver calls diag_render_all. A diagnostic has
 * a severity, a code (`P0001` parse errors, `E0001`.. type errors, `W0001`..
 * warnings), a headline, a primary span with an optional label, and any
 * number of help/note lines and secondary labelled spans, in the order they
 * were attached. The attach functions (diag_label, diag_help, ...) always
 * act on the most recently recorded diagnostic.
 *
 * Human format (one block per diagnostic, caret lines under the span):
 *
 *   app/main.snow:3:11: error[E0004]: undefined variable: totl
 *      |
 *    3 |   println(totl)
 *      |           ^^^^ not found in this scope
 *      = help: ...
 *
 * JSON format (--json, language.md 10.3): one object per line with code,
 * severity, message (the long message if one was set, else the headline),
 * file, spans (byte offsets, primary first) and fix.
 *
 * Not thread-safe: one diag_t per compilation, used by one thread.
 */
#ifndef SNOW_LANG_COMPILER_DIAG_H
#define SNOW_LANG_COMPILER_DIAG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "lang/compiler/span.h"

struct source_table_t;

/* A span whose file is DIAG_NO_FILE renders without a location. */
#define DIAG_NO_FILE UINT32_MAX

typedef enum {
    DIAG_ERROR,
    DIAG_WARNING,
} diag_severity_t;

typedef enum {
    DIAG_EXTRA_HELP,      /* `= help: text` */
    DIAG_EXTRA_NOTE,      /* `= note: text` */
    DIAG_EXTRA_SECONDARY, /* a second caret block at span, labelled text */
} diag_extra_kind_t;

typedef struct {
    diag_extra_kind_t kind;
    span_t span; /* SECONDARY only */
    char *text;  /* owned */
} diag_extra_t;

typedef struct {
    diag_severity_t severity;
    char code[8];    /* "E0004", NUL-terminated */
    span_t span;     /* primary span */
    char *headline;  /* owned */
    char *message;   /* owned; JSON long message, NULL = headline */
    char *label;     /* owned; primary label, NULL = none */
    char *fix;       /* owned; JSON `fix`, NULL = null */
    diag_extra_t *extras;
    uint32_t extra_count;
} diag_entry_t;

typedef struct diag_t {
    diag_entry_t *items; /* in recording order */
    uint32_t count;
    uint32_t capacity;
    uint32_t errors;
    uint32_t warnings;
} diag_t;

/* Returns owned; free with diag_free. */
diag_t *diag_new(void);
void diag_free(diag_t *d);

/* Records an error with a printf-style headline. code is borrowed and
 * copied (at most 7 characters). */
void diag_error(diag_t *d, span_t span, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Records a warning (rendered `warning[W0001]`); warnings never fail a build. */
void diag_warning(diag_t *d, span_t span, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Attach to the last diagnostic (no-op when there is none). */
void diag_label(diag_t *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void diag_help(diag_t *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void diag_note(diag_t *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void diag_secondary(diag_t *d, span_t span, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The JSON `message` (catalogue "long" text) when it differs from the headline. */
void diag_message(diag_t *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The JSON `fix` suggestion. */
void diag_fix(diag_t *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static inline uint32_t diag_error_count(const diag_t *d)
{
    return d->errors;
}

static inline uint32_t diag_warning_count(const diag_t *d)
{
    return d->warnings;
}

/* Renders diagnostic index to out, human or JSON form. s is borrowed and
 * must hold every file a span names. */
void diag_render(const diag_t *d, const struct source_table_t *s, uint32_t index, FILE *out,
                 bool json);

/* Renders every recorded diagnostic in recording order. Returns the number
 * of errors among them. */
int diag_render_all(struct diag_t *d, struct source_table_t *s, FILE *out, bool json);

#endif
