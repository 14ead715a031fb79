/* json_enc.c: JSON encoding and deriving(Json) conversion (stdlib 16.3-16.6,
 * D56-D60).
 *
 * Encoding is compact with object keys in byte order. Snow values become
 * Json through their descriptors (16.5 mapping), and decode back the same
 * way, returning the first error in field declaration order (16.6). */
#include "lang/std/json.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "lang/std/ctx.h"
#include "lang/std/map.h"
#include "lang/std/str.h"
#include "lang/std/value.h"

/* {====== Encoding */

void std_json_put_float(std_buf_t *b, double x)
{
    if (isnan(x) || isinf(x)) {
        std_buf_puts(b, "null");
        return;
    }
    if (signbit(x))
        std_buf_putc(b, '-');
    x = fabs(x);
    if (x == 0) {
        std_buf_puts(b, "0.0");
        return;
    }
    char d[24];
    int e;
    int n = std_float_shortest(x, d, &e);
    if (e < -5 || e > 15) {
        std_buf_putc(b, d[0]);
        if (n > 1) {
            std_buf_putc(b, '.');
            std_buf_put(b, d + 1, (size_t)n - 1);
        }
        char tmp[16];
        int len = snprintf(tmp, sizeof tmp, "e%c%d", e < 0 ? '-' : '+', e < 0 ? -e : e);
        std_buf_put(b, tmp, (size_t)len);
    } else if (e >= n - 1) {
        std_buf_put(b, d, (size_t)n);
        for (int i = 0; i < e - (n - 1); i++)
            std_buf_putc(b, '0');
        std_buf_puts(b, ".0");
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

void std_json_put_string(std_buf_t *b, const char *p, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    std_buf_putc(b, '"');
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)p[i];
        switch (c) {
        case '"':
            std_buf_puts(b, "\\\"");
            break;
        case '\\':
            std_buf_puts(b, "\\\\");
            break;
        case '\b':
            std_buf_puts(b, "\\b");
            break;
        case '\f':
            std_buf_puts(b, "\\f");
            break;
        case '\n':
            std_buf_puts(b, "\\n");
            break;
        case '\r':
            std_buf_puts(b, "\\r");
            break;
        case '\t':
            std_buf_puts(b, "\\t");
            break;
        default:
            if (c < 0x20) {
                char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
                std_buf_put(b, esc, 6);
            } else {
                std_buf_putc(b, (char)c);
            }
        }
    }
    std_buf_putc(b, '"');
}

static void put_json(std_buf_t *b, const snow_json_t *j)
{
    switch (j->h.tag) {
    case STD_JSON_NULL:
        std_buf_puts(b, "null");
        break;
    case STD_JSON_BOOL:
        std_buf_puts(b, j->w[0] ? "true" : "false");
        break;
    case STD_JSON_INT: {
        char tmp[24];
        int n = snprintf(tmp, sizeof tmp, "%" PRId64, (int64_t)j->w[0]);
        std_buf_put(b, tmp, (size_t)n);
        break;
    }
    case STD_JSON_FLOAT:
        std_json_put_float(b, snow_word_to_float(j->w[0]));
        break;
    case STD_JSON_STRING: {
        const snow_string_t *s = SNOW_WORD_TO_PTR(snow_string_t, j->w[0]);
        std_json_put_string(b, s->bytes, s->len);
        break;
    }
    case STD_JSON_ARRAY: {
        const snow_list_t *xs = SNOW_WORD_TO_PTR(snow_list_t, j->w[0]);
        std_buf_putc(b, '[');
        for (int64_t i = 0; i < xs->len; i++) {
            if (i)
                std_buf_putc(b, ',');
            put_json(b, SNOW_WORD_TO_PTR(snow_json_t, snow_list_items(xs)[i]));
        }
        std_buf_putc(b, ']');
        break;
    }
    case STD_JSON_OBJECT: {
        const snow_list_t *ks = SNOW_WORD_TO_PTR(snow_list_t, j->w[0]);
        const snow_list_t *vs = SNOW_WORD_TO_PTR(snow_list_t, j->w[1]);
        std_buf_putc(b, '{');
        for (int64_t i = 0; i < ks->len; i++) {
            if (i)
                std_buf_putc(b, ',');
            const snow_string_t *k = SNOW_WORD_TO_PTR(snow_string_t, snow_list_items(ks)[i]);
            std_json_put_string(b, k->bytes, k->len);
            std_buf_putc(b, ':');
            put_json(b, SNOW_WORD_TO_PTR(snow_json_t, snow_list_items(vs)[i]));
        }
        std_buf_putc(b, '}');
        break;
    }
    }
}

snow_string_t *snow_json_encode(snow_ctx_t *cx, const snow_json_t *j)
{
    std_buf_t b = STD_BUF_INIT;
    put_json(&b, j);
    return std_buf_to_string(cx, &b);
}

snow_string_t *snow_json_encode_string(snow_ctx_t *cx, const snow_string_t *s)
{
    std_buf_t b = STD_BUF_INIT;
    std_json_put_string(&b, s->bytes, s->len);
    return std_buf_to_string(cx, &b);
}

snow_string_t *snow_json_encode_int(snow_ctx_t *cx, int64_t n) { return snow_int_to_string(cx, n); }

snow_string_t *snow_json_encode_bool(snow_ctx_t *cx, bool v) { return snow_bool_to_string(cx, v); }

snow_string_t *snow_json_encode_map(snow_ctx_t *cx, const snow_map_t *m)
{
    return snow_json_encode(
        cx, snow_json_from_value(cx, &snow_type_map_string_string, SNOW_WORD_PTR(m)));
}

snow_string_t *snow_json_encode_list(snow_ctx_t *cx, const snow_list_t *xs)
{
    return snow_json_encode(cx,
                            snow_json_from_value(cx, &snow_type_list_string, SNOW_WORD_PTR(xs)));
}

/* }====== */

/* {====== Snow values to Json (16.5) */

static snow_string_t *cstr(snow_ctx_t *cx, const char *s) { return std_str_from_cstr(cx, s); }

static snow_json_t *from_list(snow_ctx_t *cx, const snow_type_t *et, const snow_list_t *xs)
{
    snow_list_t *items = snow_list_new(cx, &snow_type_json);
    for (int64_t i = 0; i < xs->len; i++) {
        snow_json_t *j = snow_json_from_value(cx, et, snow_list_items(xs)[i]);
        items = snow_list_append(cx, items, SNOW_WORD_PTR(j));
    }
    return std_json_array(cx, items);
}

static snow_json_t *from_map(snow_ctx_t *cx, const snow_type_t *vt, const snow_map_t *m)
{
    snow_list_t *ks = snow_list_new(cx, &snow_type_string);
    snow_list_t *vs = snow_list_new(cx, &snow_type_json);
    snow_word_t k, v;
    int64_t pos = 0;
    while ((pos = std_map_next(m, pos, &k, &v)) >= 0) {
        ks = snow_list_append(cx, ks, k);
        snow_json_t *j = snow_json_from_value(cx, vt, v);
        vs = snow_list_append(cx, vs, SNOW_WORD_PTR(j));
    }
    return std_json_object(cx, ks, vs);
}

static snow_json_t *from_struct(snow_ctx_t *cx, const snow_type_t *t, const snow_record_t *r)
{
    snow_list_t *ks = snow_list_new(cx, &snow_type_string);
    snow_list_t *vs = snow_list_new(cx, &snow_type_json);
    for (uint32_t i = 0; i < t->count; i++) {
        ks = snow_list_append(cx, ks, SNOW_WORD_PTR(cstr(cx, t->field_names[i])));
        snow_json_t *j = snow_json_from_value(cx, t->params[i], r->w[i]);
        vs = snow_list_append(cx, vs, SNOW_WORD_PTR(j));
    }
    return std_json_object(cx, ks, vs);
}

/* A sum value: {"fields":[...],"tag":"Variant"}. */
static snow_json_t *from_sum(snow_ctx_t *cx, const snow_type_t *t, const snow_record_t *r)
{
    const snow_variant_t *var = &t->variants[r->h.tag];
    snow_list_t *fields = snow_list_new(cx, &snow_type_json);
    for (uint32_t i = 0; i < var->count; i++) {
        snow_json_t *j = snow_json_from_value(cx, var->fields[i], r->w[i]);
        fields = snow_list_append(cx, fields, SNOW_WORD_PTR(j));
    }
    snow_list_t *ks = snow_list_new(cx, &snow_type_string);
    snow_list_t *vs = snow_list_new(cx, &snow_type_json);
    ks = snow_list_append(cx, ks, SNOW_WORD_PTR(cstr(cx, "fields")));
    vs = snow_list_append(cx, vs, SNOW_WORD_PTR(std_json_array(cx, fields)));
    ks = snow_list_append(cx, ks, SNOW_WORD_PTR(cstr(cx, "tag")));
    snow_json_t *tag = std_json_scalar(cx, STD_JSON_STRING, SNOW_WORD_PTR(cstr(cx, var->name)));
    vs = snow_list_append(cx, vs, SNOW_WORD_PTR(tag));
    return std_json_object(cx, ks, vs);
}

snow_json_t *snow_json_from_value(snow_ctx_t *cx, const snow_type_t *t, snow_word_t v)
{
    std_stack_check(cx);
    snow_record_t *r = SNOW_WORD_TO_PTR(snow_record_t, v);
    switch ((snow_kind_t)t->kind) {
    case SNOW_KIND_INT:
        return std_json_scalar(cx, STD_JSON_INT, v);
    case SNOW_KIND_FLOAT:
        return std_json_scalar(cx, STD_JSON_FLOAT, v);
    case SNOW_KIND_BOOL:
        return std_json_scalar(cx, STD_JSON_BOOL, v & 1);
    case SNOW_KIND_STRING:
        return std_json_scalar(cx, STD_JSON_STRING, v);
    case SNOW_KIND_LIST:
        return from_list(cx, t->params[0], SNOW_WORD_TO_PTR(snow_list_t, v));
    case SNOW_KIND_MAP:
        return from_map(cx, t->params[1], SNOW_WORD_TO_PTR(snow_map_t, v));
    case SNOW_KIND_STRUCT:
        return from_struct(cx, t, r);
    case SNOW_KIND_SUM:
        if (t->flags & SNOW_TF_OPTION)
            return r->h.tag == SNOW_TAG_SOME
                       ? snow_json_from_value(cx, t->variants[0].fields[0], r->w[0])
                       : std_json_new(cx, STD_JSON_NULL, 0, 0);
        return from_sum(cx, t, r);
    case SNOW_KIND_JSON:
        return r;
    case SNOW_KIND_UNIT:
    case SNOW_KIND_SET:
    case SNOW_KIND_QUEUE:
    case SNOW_KIND_RANGE:
    case SNOW_KIND_TUPLE:
    case SNOW_KIND_FUNCTION:
    case SNOW_KIND_PID:
        break; /* not serialisable (E0038/E0006); the compiler rejects these */
    }
    return std_json_new(cx, STD_JSON_NULL, 0, 0);
}

snow_string_t *snow_json_encode_value(snow_ctx_t *cx, const snow_type_t *t, snow_word_t v)
{
    return snow_json_encode(cx, snow_json_from_value(cx, t, v));
}

/* }====== */

/* {====== Json to Snow values (16.6) */

typedef struct dec_t {
    snow_ctx_t *cx;
    snow_string_t *err;
} dec_t;

static bool fail(dec_t *d, const char *msg)
{
    d->err = cstr(d->cx, msg);
    return false;
}

static bool failf(dec_t *d, const char *fmt, const char *a, long long x, long long y)
{
    char msg[300];
    int n = a ? snprintf(msg, sizeof msg, fmt, a) : snprintf(msg, sizeof msg, fmt, x, y);
    d->err = snow_string_new(d->cx, msg, (size_t)n);
    return false;
}

/* Member name of object j, or NULL. Keys are sorted: binary search. */
static const snow_json_t *member(const snow_json_t *j, const char *name)
{
    const snow_list_t *ks = SNOW_WORD_TO_PTR(snow_list_t, j->w[0]);
    const snow_list_t *vs = SNOW_WORD_TO_PTR(snow_list_t, j->w[1]);
    snow_string_t key = {.len = strlen(name)};
    int64_t lo = 0, hi = ks->len;
    while (lo < hi) {
        int64_t mid = (lo + hi) / 2;
        const snow_string_t *k = SNOW_WORD_TO_PTR(snow_string_t, snow_list_items(ks)[mid]);
        size_t n = k->len < key.len ? k->len : key.len;
        int c = memcmp(k->bytes, name, n);
        if (c == 0)
            c = k->len < key.len ? -1 : k->len > key.len ? 1 : 0;
        if (c == 0)
            return SNOW_WORD_TO_PTR(snow_json_t, snow_list_items(vs)[mid]);
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static bool decode(dec_t *d, const snow_type_t *t, const snow_json_t *j, snow_word_t *out);

static bool decode_option(dec_t *d, const snow_type_t *t, const snow_json_t *j, snow_word_t *out)
{
    if (!j || j->h.tag == STD_JSON_NULL) {
        *out = SNOW_WORD_PTR(SNOW_NONE);
        return true;
    }
    const snow_type_t *inner = t->variants[0].fields[0];
    snow_word_t v;
    if (!decode(d, inner, j, &v))
        return false;
    *out = SNOW_WORD_PTR(std_some(d->cx, v, snow_type_is_ptr(inner)));
    return true;
}

static bool decode_struct(dec_t *d, const snow_type_t *t, const snow_json_t *j, snow_word_t *out)
{
    if (t->count > 0 && j->h.tag != STD_JSON_OBJECT)
        return fail(d, "expected Object");
    snow_record_t *r = snow_record_new(d->cx, 0, t->count, std_types_ptrmask(t->params, t->count));
    for (uint32_t i = 0; i < t->count; i++) {
        const snow_type_t *ft = t->params[i];
        const snow_json_t *m = member(j, t->field_names[i]);
        bool opt = ft->kind == SNOW_KIND_SUM && (ft->flags & SNOW_TF_OPTION);
        if (!m && !opt)
            return failf(d, "missing field: %s", t->field_names[i], 0, 0);
        if (!decode(d, ft, m, &r->w[i]))
            return false;
    }
    *out = SNOW_WORD_PTR(r);
    return true;
}

static bool decode_sum(dec_t *d, const snow_type_t *t, const snow_json_t *j, snow_word_t *out)
{
    if (j->h.tag != STD_JSON_OBJECT)
        return fail(d, "expected Object");
    const snow_json_t *tag = member(j, "tag");
    if (!tag)
        return fail(d, "missing field: tag");
    if (tag->h.tag != STD_JSON_STRING)
        return fail(d, "expected String");
    const snow_string_t *name = SNOW_WORD_TO_PTR(snow_string_t, tag->w[0]);
    uint32_t vi = 0;
    while (vi < t->count && (strlen(t->variants[vi].name) != name->len ||
                             memcmp(t->variants[vi].name, name->bytes, name->len) != 0))
        vi++;
    if (vi == t->count)
        return failf(d, "unknown variant for %s", t->name, 0, 0);
    const snow_variant_t *var = &t->variants[vi];
    snow_record_t *r = snow_record_new(d->cx, (uint16_t)vi, var->count,
                                       std_types_ptrmask(var->fields, var->count));
    if (var->count > 0) {
        const snow_json_t *fields = member(j, "fields");
        if (!fields)
            return fail(d, "missing field: fields");
        if (fields->h.tag != STD_JSON_ARRAY)
            return fail(d, "expected Array");
        const snow_list_t *xs = SNOW_WORD_TO_PTR(snow_list_t, fields->w[0]);
        for (uint32_t i = 0; i < var->count; i++) {
            if ((int64_t)i >= xs->len)
                return failf(d, "array index %lld out of bounds (length %lld)", NULL, i, xs->len);
            const snow_json_t *x = SNOW_WORD_TO_PTR(snow_json_t, snow_list_items(xs)[i]);
            if (!decode(d, var->fields[i], x, &r->w[i]))
                return false;
        }
    }
    *out = SNOW_WORD_PTR(r);
    return true;
}

static bool decode_list(dec_t *d, const snow_type_t *t, const snow_json_t *j, snow_word_t *out)
{
    if (j->h.tag != STD_JSON_ARRAY)
        return fail(d, "expected Array");
    const snow_list_t *xs = SNOW_WORD_TO_PTR(snow_list_t, j->w[0]);
    snow_list_t *res = snow_list_new(d->cx, t->params[0]);
    for (int64_t i = 0; i < xs->len; i++) {
        snow_word_t v;
        if (!decode(d, t->params[0], SNOW_WORD_TO_PTR(snow_json_t, snow_list_items(xs)[i]), &v))
            return false;
        res = snow_list_append(d->cx, res, v);
    }
    *out = SNOW_WORD_PTR(res);
    return true;
}

static bool decode_map(dec_t *d, const snow_type_t *t, const snow_json_t *j, snow_word_t *out)
{
    if (j->h.tag != STD_JSON_OBJECT)
        return fail(d, "expected Object");
    const snow_list_t *ks = SNOW_WORD_TO_PTR(snow_list_t, j->w[0]);
    const snow_list_t *vs = SNOW_WORD_TO_PTR(snow_list_t, j->w[1]);
    snow_map_t *m = snow_map_new(d->cx, t->params[0], t->params[1]);
    for (int64_t i = 0; i < ks->len; i++) {
        snow_word_t v;
        if (!decode(d, t->params[1], SNOW_WORD_TO_PTR(snow_json_t, snow_list_items(vs)[i]), &v))
            return false;
        m = snow_map_put(d->cx, m, snow_list_items(ks)[i], v);
    }
    *out = SNOW_WORD_PTR(m);
    return true;
}

static bool decode_scalar(dec_t *d, const snow_type_t *t, const snow_json_t *j, snow_word_t *out)
{
    switch ((snow_kind_t)t->kind) {
    case SNOW_KIND_INT:
        if (j->h.tag == STD_JSON_INT) {
            *out = j->w[0];
            return true;
        }
        if (j->h.tag == STD_JSON_FLOAT) { /* integral floats only (D59) */
            double x = snow_word_to_float(j->w[0]);
            if (x == trunc(x) && x >= -9223372036854775808.0 && x < 9223372036854775808.0) {
                *out = (snow_word_t)(int64_t)x;
                return true;
            }
        }
        return fail(d, "expected Int");
    case SNOW_KIND_FLOAT:
        if (j->h.tag == STD_JSON_FLOAT || j->h.tag == STD_JSON_INT) {
            double x =
                j->h.tag == STD_JSON_FLOAT ? snow_word_to_float(j->w[0]) : (double)(int64_t)j->w[0];
            *out = snow_word_from_float(x);
            return true;
        }
        return fail(d, "expected Float");
    case SNOW_KIND_BOOL:
        if (j->h.tag != STD_JSON_BOOL)
            return fail(d, "expected Bool");
        *out = j->w[0];
        return true;
    case SNOW_KIND_STRING:
        if (j->h.tag != STD_JSON_STRING)
            return fail(d, "expected String");
        *out = j->w[0];
        return true;
    default:
        *out = SNOW_WORD_PTR(j);
        return true;
    }
}

static bool decode(dec_t *d, const snow_type_t *t, const snow_json_t *j, snow_word_t *out)
{
    std_stack_check(d->cx);
    if (t->kind == SNOW_KIND_SUM && (t->flags & SNOW_TF_OPTION))
        return decode_option(d, t, j, out);
    switch ((snow_kind_t)t->kind) {
    case SNOW_KIND_STRUCT:
        return decode_struct(d, t, j, out);
    case SNOW_KIND_SUM:
        return decode_sum(d, t, j, out);
    case SNOW_KIND_LIST:
        return decode_list(d, t, j, out);
    case SNOW_KIND_MAP:
        return decode_map(d, t, j, out);
    default:
        return decode_scalar(d, t, j, out);
    }
}

snow_record_t *snow_json_decode(snow_ctx_t *cx, const snow_type_t *t, const snow_string_t *text)
{
    snow_record_t *parsed = snow_json_parse(cx, text);
    if (parsed->h.tag == SNOW_TAG_ERR)
        return parsed;
    dec_t d = {cx, NULL};
    snow_word_t v;
    if (!decode(&d, t, SNOW_WORD_TO_PTR(snow_json_t, parsed->w[0]), &v))
        return std_err(cx, d.err);
    return std_ok(cx, v, snow_type_is_ptr(t));
}

/* }====== */
