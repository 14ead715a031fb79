/* fmt.c: converting values to text (stdlib 4, language 7, D31-D37).
 *
 * Display-else-Debug is the one conversion used for interpolation,
 * to_string and every nested element, field and payload; inspect differs
 * only at the top level (quoted strings, Debug form of structs and sums).
 * Floats print the shortest round-trip digits in positional notation: the
 * digits come from printf("%.*e") at increasing precision until strtod
 * gives the value back, which is exact because glibc's printf rounds
 * correctly. */
#include "lang/std/value.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/std/ctx.h"
#include "lang/std/map.h"
#include "lang/std/str.h"

/* {====== Numbers */

static void fmt_int(std_buf_t *b, int64_t n);

/* Parses "d.ddde[+-]X" (printf %e of a positive value) into a digit count,
 * an integer mantissa and the exponent of the first digit. */
static int parse_sci(const char *buf, uint64_t *mant, int *exp10)
{
    int n = 0;
    uint64_t m = 0;
    const char *p = buf;
    for (; *p && *p != 'e'; p++) {
        if (*p >= '0' && *p <= '9') {
            m = m * 10 + (uint64_t)(*p - '0');
            n++;
        }
    }
    *mant = m;
    *exp10 = atoi(p + 1);
    return n;
}

/* True when the n-digit mantissa m at exponent e reads back as x. */
static bool reads_back(uint64_t m, int n, int e, double x)
{
    char buf[48];
    snprintf(buf, sizeof buf, "%" PRIu64 "e%d", m, e - (n - 1));
    return strtod(buf, NULL) == x;
}

/* The p-digit decimal that reads back as x: printf's correctly rounded
 * candidate, or its upper neighbour, which can be the only one inside the
 * rounding interval when x is a power of two (the interval is lopsided).
 * Returns false when no p-digit decimal reads back. */
static bool candidate(double x, int p, uint64_t *mant, int *digits, int *exp10)
{
    char buf[48];
    snprintf(buf, sizeof buf, "%.*e", p - 1, x);
    int n = parse_sci(buf, mant, exp10);
    *digits = n;
    if (strtod(buf, NULL) == x)
        return true;
    uint64_t up = *mant + 1, limit = 1;
    for (int i = 0; i < n; i++)
        limit *= 10;
    int ue = *exp10;
    if (up == limit) {
        up /= 10;
        ue++;
    }
    if (!reads_back(up, n, ue, x))
        return false;
    *mant = up;
    *exp10 = ue;
    return true;
}

/* Shortest digits by binary search on the length: if some p-digit decimal
 * reads back as x, so does a (p+1)-digit one, and candidate() finds one
 * whenever one exists (the nearest, or the nearest above x). */
int std_float_shortest(double x, char *digits, int *exp10)
{
    uint64_t m = 0;
    int n = 0, e = 0, lo = 1, hi = 17;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        uint64_t mm;
        int nn, ee;
        if (candidate(x, mid, &mm, &nn, &ee))
            hi = mid;
        else
            lo = mid + 1;
    }
    candidate(x, lo, &m, &n, &e);
    char buf[32];
    snprintf(buf, sizeof buf, "%0*" PRIu64, n, m);
    memcpy(digits, buf, (size_t)n);
    while (n > 1 && digits[n - 1] == '0')
        n--;
    digits[n] = 0;
    *exp10 = e;
    return n;
}

void std_fmt_float(std_buf_t *b, double x)
{
    if (isnan(x)) {
        std_buf_puts(b, "NaN");
        return;
    }
    if (signbit(x))
        std_buf_putc(b, '-');
    x = fabs(x);
    if (isinf(x)) {
        std_buf_puts(b, "inf");
        return;
    }
    if (x == 0) {
        std_buf_putc(b, '0');
        return;
    }
    if (x < 9007199254740992.0 && x == (double)(int64_t)x) { /* exact integer */
        fmt_int(b, (int64_t)x);
        return;
    }
    char d[24];
    int e;
    int n = std_float_shortest(x, d, &e);
    if (e >= n - 1) { /* integral: digits then zeros */
        std_buf_put(b, d, (size_t)n);
        for (int i = 0; i < e - (n - 1); i++)
            std_buf_putc(b, '0');
    } else if (e >= 0) {
        std_buf_put(b, d, (size_t)e + 1);
        std_buf_putc(b, '.');
        std_buf_put(b, d + e + 1, (size_t)(n - e - 1));
    } else {
        std_buf_puts(b, "0.");
        for (int i = 0; i < -e - 1; i++)
            std_buf_putc(b, '0');
        std_buf_put(b, d, (size_t)n);
    }
}

/* Writes n in decimal ending at end; returns the first character. */
static char *int_text(int64_t n, char *end)
{
    uint64_t u = n < 0 ? 0 - (uint64_t)n : (uint64_t)n;
    char *p = end;
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (n < 0)
        *--p = '-';
    return p;
}

static void fmt_int(std_buf_t *b, int64_t n)
{
    char tmp[24];
    char *p = int_text(n, tmp + sizeof tmp);
    std_buf_put(b, p, (size_t)(tmp + sizeof tmp - p));
}

snow_string_t *snow_int_to_string(snow_ctx_t *cx, int64_t n)
{
    char tmp[24];
    char *p = int_text(n, tmp + sizeof tmp);
    return snow_string_new(cx, p, (size_t)(tmp + sizeof tmp - p));
}

snow_string_t *snow_float_to_string(snow_ctx_t *cx, double x)
{
    std_buf_t b = STD_BUF_INIT;
    std_fmt_float(&b, x);
    return std_buf_to_string(cx, &b);
}

snow_string_t *snow_bool_to_string(snow_ctx_t *cx, bool v)
{
    return v ? snow_string_new(cx, "true", 4) : snow_string_new(cx, "false", 5);
}

/* }====== */

/* {====== Structs and sum types */

static snow_record_t *as_record(snow_word_t v) { return SNOW_WORD_TO_PTR(snow_record_t, v); }

/* Derived Display: `Name(v1, v2)`; nullary variants print their name. */
static void fmt_derived_display(snow_ctx_t *cx, std_buf_t *b, const snow_type_t *t, snow_word_t v)
{
    snow_record_t *r = as_record(v);
    if (t->kind == SNOW_KIND_STRUCT) {
        std_buf_puts(b, t->name);
        std_buf_putc(b, '(');
        for (uint32_t i = 0; i < t->count; i++) {
            if (i)
                std_buf_puts(b, ", ");
            std_fmt_value(cx, b, t->params[i], r->w[i]);
        }
        std_buf_putc(b, ')');
        return;
    }
    if (t->count == 0) {
        std_buf_putc(b, '<');
        std_buf_puts(b, t->name);
        std_buf_putc(b, '>');
        return;
    }
    const snow_variant_t *var = &t->variants[r->h.tag];
    std_buf_puts(b, var->name);
    if (var->count == 0)
        return;
    std_buf_putc(b, '(');
    for (uint32_t i = 0; i < var->count; i++) {
        if (i)
            std_buf_puts(b, ", ");
        std_fmt_value(cx, b, var->fields[i], r->w[i]);
    }
    std_buf_putc(b, ')');
}

/* Derived Debug: `Name { f: v }` / `Name {}`; variants `Name` or `Name(...)`. */
static void fmt_derived_debug(snow_ctx_t *cx, std_buf_t *b, const snow_type_t *t, snow_word_t v)
{
    snow_record_t *r = as_record(v);
    if (t->kind == SNOW_KIND_STRUCT) {
        std_buf_puts(b, t->name);
        if (t->count == 0) {
            std_buf_puts(b, " {}");
            return;
        }
        std_buf_puts(b, " { ");
        for (uint32_t i = 0; i < t->count; i++) {
            if (i)
                std_buf_puts(b, ", ");
            std_buf_puts(b, t->field_names[i]);
            std_buf_puts(b, ": ");
            std_fmt_value(cx, b, t->params[i], r->w[i]);
        }
        std_buf_puts(b, " }");
        return;
    }
    if (t->count == 0) {
        std_buf_putc(b, '<');
        std_buf_puts(b, t->name);
        std_buf_putc(b, '>');
        return;
    }
    const snow_variant_t *var = &t->variants[r->h.tag];
    std_buf_puts(b, var->name);
    if (var->count)
        std_buf_puts(b, "(...)");
}

static void put_user_text(std_buf_t *b, snow_string_t *s) { std_buf_put_str(b, s); }

static void fmt_debug_user_type(snow_ctx_t *cx, std_buf_t *b, const snow_type_t *t, snow_word_t v)
{
    if (t->debug)
        put_user_text(b, t->debug(cx, v));
    else if (t->flags & SNOW_TF_DEBUG_AS_DISPLAY)
        std_fmt_value(cx, b, t, v);
    else
        fmt_derived_debug(cx, b, t, v);
}

static void fmt_user_type(snow_ctx_t *cx, std_buf_t *b, const snow_type_t *t, snow_word_t v)
{
    if (t->display)
        put_user_text(b, t->display(cx, v));
    else if (t->flags & (SNOW_TF_DISPLAY | SNOW_TF_DEBUG_AS_DISPLAY))
        fmt_derived_display(cx, b, t, v);
    else
        fmt_debug_user_type(cx, b, t, v);
}

/* }====== */

/* {====== Collections */

static void fmt_list(snow_ctx_t *cx, std_buf_t *b, const snow_list_t *xs)
{
    std_buf_putc(b, '[');
    for (int64_t i = 0; i < xs->len; i++) {
        if (i)
            std_buf_puts(b, ", ");
        std_fmt_value(cx, b, xs->elem, snow_list_items(xs)[i]);
    }
    std_buf_putc(b, ']');
}

static void fmt_map(snow_ctx_t *cx, std_buf_t *b, const snow_type_t *t, const snow_map_t *m)
{
    bool set = t->kind == SNOW_KIND_SET;
    const snow_type_t *kt = set ? &snow_type_int : t->params[0];
    std_buf_puts(b, set ? "#{" : "%{");
    snow_word_t k, v;
    int64_t pos = 0;
    bool first = true;
    while ((pos = std_map_next(m, pos, &k, &v)) >= 0) {
        if (!first)
            std_buf_puts(b, ", ");
        first = false;
        std_fmt_value(cx, b, kt, k);
        if (!set) {
            std_buf_puts(b, " => ");
            std_fmt_value(cx, b, t->params[1], v);
        }
    }
    std_buf_putc(b, '}');
}

static void fmt_tuple(snow_ctx_t *cx, std_buf_t *b, const snow_type_t *t, snow_word_t v)
{
    snow_record_t *r = as_record(v);
    std_buf_putc(b, '(');
    for (uint32_t i = 0; i < t->count; i++) {
        if (i)
            std_buf_puts(b, ", ");
        std_fmt_value(cx, b, t->params[i], r->w[i]);
    }
    std_buf_putc(b, ')');
}

/* }====== */

void std_fmt_value(snow_ctx_t *cx, std_buf_t *b, const snow_type_t *t, snow_word_t v)
{
    std_stack_check(cx);
    switch ((snow_kind_t)t->kind) {
    case SNOW_KIND_UNIT:
        std_buf_puts(b, "()");
        break;
    case SNOW_KIND_INT:
        fmt_int(b, (int64_t)v);
        break;
    case SNOW_KIND_FLOAT:
        std_fmt_float(b, snow_word_to_float(v));
        break;
    case SNOW_KIND_BOOL:
        std_buf_puts(b, (v & 1) ? "true" : "false");
        break;
    case SNOW_KIND_STRING:
        std_buf_put_str(b, SNOW_WORD_TO_PTR(snow_string_t, v));
        break;
    case SNOW_KIND_LIST:
        fmt_list(cx, b, SNOW_WORD_TO_PTR(snow_list_t, v));
        break;
    case SNOW_KIND_MAP:
    case SNOW_KIND_SET:
        fmt_map(cx, b, t, SNOW_WORD_TO_PTR(snow_map_t, v));
        break;
    case SNOW_KIND_TUPLE:
        fmt_tuple(cx, b, t, v);
        break;
    case SNOW_KIND_STRUCT:
    case SNOW_KIND_SUM:
        fmt_user_type(cx, b, t, v);
        break;
    case SNOW_KIND_PID: {
        char tmp[64];
        if (cx->rt->pid_text)
            cx->rt->pid_text((uint64_t)v, tmp, sizeof tmp);
        else
            snprintf(tmp, sizeof tmp, "<0.%" PRIu64 ">", (uint64_t)v);
        std_buf_puts(b, tmp);
        break;
    }
    case SNOW_KIND_JSON: {
        snow_string_t *s = snow_json_encode(cx, SNOW_WORD_TO_PTR(snow_json_t, v));
        std_buf_put_str(b, s);
        break;
    }
    case SNOW_KIND_QUEUE:
    case SNOW_KIND_RANGE:
    case SNOW_KIND_FUNCTION:
        /* No text conversion (E0006); the compiler never asks for one. */
        std_buf_puts(b, "<value>");
        break;
    }
}

snow_string_t *snow_to_string(snow_ctx_t *cx, const snow_type_t *t, snow_word_t v)
{
    switch ((snow_kind_t)t->kind) { /* the common interpolations, no buffer */
    case SNOW_KIND_STRING:
        return SNOW_WORD_TO_PTR(snow_string_t, v);
    case SNOW_KIND_INT:
        return snow_int_to_string(cx, (int64_t)v);
    case SNOW_KIND_BOOL:
        return snow_bool_to_string(cx, v & 1);
    default:
        break;
    }
    std_buf_t b = STD_BUF_INIT;
    std_fmt_value(cx, &b, t, v);
    return std_buf_to_string(cx, &b);
}

snow_string_t *snow_inspect(snow_ctx_t *cx, const snow_type_t *t, snow_word_t v)
{
    std_buf_t b = STD_BUF_INIT;
    if (t->kind == SNOW_KIND_STRING) {
        std_buf_putc(&b, '"');
        std_buf_put_str(&b, SNOW_WORD_TO_PTR(snow_string_t, v));
        std_buf_putc(&b, '"');
    } else if (t->kind == SNOW_KIND_STRUCT || t->kind == SNOW_KIND_SUM) {
        fmt_debug_user_type(cx, &b, t, v);
    } else {
        std_fmt_value(cx, &b, t, v);
    }
    return std_buf_to_string(cx, &b);
}
