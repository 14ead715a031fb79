/* value.c: built-in descriptors and descriptor-driven equality, ordering
 * and hashing (stdlib 0.3, 3 compare, 4.6 hash, D15, D38, D45).
 *
 * Equality here is the library's value equality: Float by bit pattern, so
 * a NaN key finds itself and 0.0 differs from -0.0 (unlike the == operator,
 * which the emitter compiles inline). */
#include "lang/std/value.h"

#include <string.h>

#include "lang/std/ctx.h"
#include "lang/std/map.h"

/* {====== Built-in descriptors and constants */

#define SCALAR(name_, kind_) const snow_type_t name_ = {.kind = (kind_)}

SCALAR(snow_type_unit, SNOW_KIND_UNIT);
SCALAR(snow_type_int, SNOW_KIND_INT);
SCALAR(snow_type_float, SNOW_KIND_FLOAT);
SCALAR(snow_type_bool, SNOW_KIND_BOOL);
SCALAR(snow_type_string, SNOW_KIND_STRING);
SCALAR(snow_type_pid, SNOW_KIND_PID);
SCALAR(snow_type_json, SNOW_KIND_JSON);
SCALAR(snow_type_set, SNOW_KIND_SET);
SCALAR(snow_type_queue, SNOW_KIND_QUEUE);
SCALAR(snow_type_range, SNOW_KIND_RANGE);

static const snow_type_t *const params_int[] = {&snow_type_int};
static const snow_type_t *const params_float[] = {&snow_type_float};
static const snow_type_t *const params_string[] = {&snow_type_string};

const snow_type_t snow_type_list_int = {.kind = SNOW_KIND_LIST, .count = 1, .params = params_int};
const snow_type_t snow_type_list_string = {
    .kind = SNOW_KIND_LIST, .count = 1, .params = params_string};

static const snow_type_t *const params_ss[] = {&snow_type_string, &snow_type_string};
const snow_type_t snow_type_map_string_string = {
    .kind = SNOW_KIND_MAP, .count = 2, .params = params_ss};
static const snow_type_t *const params_mss[] = {&snow_type_map_string_string};
const snow_type_t snow_type_list_map_string_string = {
    .kind = SNOW_KIND_LIST, .count = 1, .params = params_mss};

#define OPTION_TYPE(name_, params_)                                                                \
    static const snow_variant_t name_##_variants[2] = {{"Some", 1, params_, NULL},                 \
                                                       {"None", 0, NULL, NULL}};                   \
    const snow_type_t name_ = {.kind = SNOW_KIND_SUM,                                              \
                               .flags = SNOW_TF_DISPLAY | SNOW_TF_DEBUG_AS_DISPLAY |               \
                                        SNOW_TF_OPTION | SNOW_TF_JSON,                             \
                               .count = 2,                                                         \
                               .name = "Option",                                                   \
                               .variants = name_##_variants}

OPTION_TYPE(snow_type_option_int, params_int);
OPTION_TYPE(snow_type_option_float, params_float);
OPTION_TYPE(snow_type_option_string, params_string);

static const snow_variant_t ordering_variants[3] = {
    {"Less", 0, NULL, NULL}, {"Equal", 0, NULL, NULL}, {"Greater", 0, NULL, NULL}};
const snow_type_t snow_type_ordering = {.kind = SNOW_KIND_SUM,
                                        .flags = SNOW_TF_DISPLAY | SNOW_TF_DEBUG_AS_DISPLAY,
                                        .count = 3,
                                        .name = "Ordering",
                                        .variants = ordering_variants};

const snow_record_t snow_none_obj = {{SNOW_OBJ_RECORD, 0, SNOW_TAG_NONE, 0}, 0};
const snow_record_t snow_ordering_objs[3] = {
    {{SNOW_OBJ_RECORD, 0, SNOW_TAG_LESS, 0}, 0},
    {{SNOW_OBJ_RECORD, 0, SNOW_TAG_EQUAL, 0}, 0},
    {{SNOW_OBJ_RECORD, 0, SNOW_TAG_GREATER, 0}, 0},
};

uint64_t std_types_ptrmask(const snow_type_t *const *ts, uint32_t n)
{
    uint64_t mask = 0;
    for (uint32_t i = 0; i < n; i++)
        if (snow_type_is_ptr(ts[i]))
            mask |= (uint64_t)1 << (i < 63 ? i : 63);
    return mask;
}

/* }====== */

static snow_record_t *rec(snow_word_t w) { return SNOW_WORD_TO_PTR(snow_record_t, w); }

/* Field types of the record v of struct/sum type t; *n gets their count. */
static const snow_type_t *const *fields_of(const snow_type_t *t, snow_word_t v, uint32_t *n)
{
    if (t->kind == SNOW_KIND_SUM) {
        const snow_variant_t *var = &t->variants[rec(v)->h.tag];
        *n = var->count;
        return var->fields;
    }
    *n = t->count;
    return t->params;
}

/* {====== Equality */

static bool eq_mode(snow_ctx_t *cx, const snow_type_t *t, snow_word_t a, snow_word_t b, bool ieee);

static bool eq_words(snow_ctx_t *cx, const snow_type_t *const *ts, uint32_t n, const snow_word_t *a,
                     const snow_word_t *b, bool ieee)
{
    for (uint32_t i = 0; i < n; i++)
        if (!eq_mode(cx, ts[i], a[i], b[i], ieee))
            return false;
    return true;
}

static bool eq_list(snow_ctx_t *cx, const snow_type_t *et, const snow_list_t *a,
                    const snow_list_t *b, bool ieee)
{
    if (a->len != b->len)
        return false;
    for (int64_t i = 0; i < a->len; i++)
        if (!eq_mode(cx, et, snow_list_items(a)[i], snow_list_items(b)[i], ieee))
            return false;
    return true;
}

/* Maps are equal when they hold the same entries, whatever their order. */
static bool eq_map(snow_ctx_t *cx, const snow_type_t *vt, const snow_map_t *a, const snow_map_t *b,
                   bool ieee)
{
    if (snow_map_size(cx, a) != snow_map_size(cx, b))
        return false;
    snow_word_t k, v, bv;
    int64_t pos = 0;
    while ((pos = std_map_next(a, pos, &k, &v)) >= 0) {
        if (!std_map_lookup(cx, b, k, &bv))
            return false;
        if (vt && !eq_mode(cx, vt, v, bv, ieee))
            return false;
    }
    return true;
}

/* ieee: Float compares with IEEE == (the == operator, language 6.5);
 * otherwise by bit pattern (library value equality, stdlib 0.3). */
static bool eq_mode(snow_ctx_t *cx, const snow_type_t *t, snow_word_t a, snow_word_t b, bool ieee)
{
    std_stack_check(cx);
    switch ((snow_kind_t)t->kind) {
    case SNOW_KIND_UNIT:
        return true;
    case SNOW_KIND_FLOAT:
        return ieee ? snow_word_to_float(a) == snow_word_to_float(b) : a == b;
    case SNOW_KIND_INT:
    case SNOW_KIND_PID:
        return a == b;
    case SNOW_KIND_BOOL:
        return (a & 1) == (b & 1);
    case SNOW_KIND_STRING:
        return snow_string_eq(SNOW_WORD_TO_PTR(snow_string_t, a),
                              SNOW_WORD_TO_PTR(snow_string_t, b));
    case SNOW_KIND_LIST:
        return eq_list(cx, t->params[0], SNOW_WORD_TO_PTR(snow_list_t, a),
                       SNOW_WORD_TO_PTR(snow_list_t, b), ieee);
    case SNOW_KIND_MAP:
        return eq_map(cx, t->params[1], SNOW_WORD_TO_PTR(snow_map_t, a),
                      SNOW_WORD_TO_PTR(snow_map_t, b), ieee);
    case SNOW_KIND_SET:
        return eq_map(cx, NULL, SNOW_WORD_TO_PTR(snow_map_t, a), SNOW_WORD_TO_PTR(snow_map_t, b),
                      ieee);
    case SNOW_KIND_TUPLE:
        return eq_words(cx, t->params, t->count, rec(a)->w, rec(b)->w, ieee);
    case SNOW_KIND_RANGE:
        return rec(a)->w[0] == rec(b)->w[0] && rec(a)->w[1] == rec(b)->w[1];
    case SNOW_KIND_STRUCT:
    case SNOW_KIND_SUM: {
        if (t->eq)
            return t->eq(cx, a, b);
        if (a == b && !ieee)
            return true;
        if (rec(a)->h.tag != rec(b)->h.tag)
            return false;
        uint32_t n;
        const snow_type_t *const *ts = fields_of(t, a, &n);
        return eq_words(cx, ts, n, rec(a)->w, rec(b)->w, ieee);
    }
    case SNOW_KIND_JSON:
        return snow_string_eq(snow_json_encode(cx, rec(a)), snow_json_encode(cx, rec(b)));
    case SNOW_KIND_QUEUE:
    case SNOW_KIND_FUNCTION:
        return a == b;
    }
    return a == b;
}

bool snow_eq(snow_ctx_t *cx, const snow_type_t *t, snow_word_t a, snow_word_t b)
{
    return eq_mode(cx, t, a, b, false);
}

bool snow_eq_op(snow_ctx_t *cx, const snow_type_t *t, snow_word_t a, snow_word_t b)
{
    return eq_mode(cx, t, a, b, true);
}

/* }====== */

/* {====== Ordering */

static int cmp_i64(int64_t a, int64_t b) { return a < b ? -1 : a > b ? 1 : 0; }

static int cmp_words(snow_ctx_t *cx, const snow_type_t *const *ts, uint32_t n, const snow_word_t *a,
                     const snow_word_t *b)
{
    for (uint32_t i = 0; i < n; i++) {
        int c = snow_cmp(cx, ts[i], a[i], b[i]);
        if (c)
            return c;
    }
    return 0;
}

static int cmp_list(snow_ctx_t *cx, const snow_type_t *et, const snow_list_t *a,
                    const snow_list_t *b)
{
    int64_t n = a->len < b->len ? a->len : b->len;
    for (int64_t i = 0; i < n; i++) {
        int c = snow_cmp(cx, et, snow_list_items(a)[i], snow_list_items(b)[i]);
        if (c)
            return c;
    }
    return cmp_i64(a->len, b->len);
}

int snow_cmp(snow_ctx_t *cx, const snow_type_t *t, snow_word_t a, snow_word_t b)
{
    std_stack_check(cx);
    switch ((snow_kind_t)t->kind) {
    case SNOW_KIND_INT:
    case SNOW_KIND_PID:
        return cmp_i64((int64_t)a, (int64_t)b);
    case SNOW_KIND_FLOAT: {
        double x = snow_word_to_float(a), y = snow_word_to_float(b);
        return x < y ? -1 : x == y ? 0 : 1;
    }
    case SNOW_KIND_BOOL:
        return cmp_i64((int64_t)(a & 1), (int64_t)(b & 1));
    case SNOW_KIND_STRING:
        return snow_string_cmp(SNOW_WORD_TO_PTR(snow_string_t, a),
                               SNOW_WORD_TO_PTR(snow_string_t, b));
    case SNOW_KIND_LIST:
        return cmp_list(cx, t->params[0], SNOW_WORD_TO_PTR(snow_list_t, a),
                        SNOW_WORD_TO_PTR(snow_list_t, b));
    case SNOW_KIND_TUPLE:
        return cmp_words(cx, t->params, t->count, rec(a)->w, rec(b)->w);
    case SNOW_KIND_RANGE:
        return cmp_words(cx, (const snow_type_t *const[]){&snow_type_int, &snow_type_int}, 2,
                         rec(a)->w, rec(b)->w);
    case SNOW_KIND_STRUCT:
    case SNOW_KIND_SUM: {
        if (t->cmp)
            return t->cmp(cx, a, b);
        int c = cmp_i64(rec(a)->h.tag, rec(b)->h.tag);
        if (c)
            return c;
        uint32_t n;
        const snow_type_t *const *ts = fields_of(t, a, &n);
        return cmp_words(cx, ts, n, rec(a)->w, rec(b)->w);
    }
    case SNOW_KIND_UNIT:
    case SNOW_KIND_MAP:
    case SNOW_KIND_SET:
    case SNOW_KIND_QUEUE:
    case SNOW_KIND_FUNCTION:
    case SNOW_KIND_JSON:
        return 0; /* no Ord; the type checker never asks */
    }
    return 0;
}

snow_record_t *snow_compare(snow_ctx_t *cx, const snow_type_t *t, snow_word_t a, snow_word_t b)
{
    int c = snow_cmp(cx, t, a, b);
    return (snow_record_t *)&snow_ordering_objs[c < 0 ? 0 : c == 0 ? 1 : 2];
}

/* }====== */

/* {====== Hashing (stdlib 4.6, D38) */

static uint64_t fnv_bytes(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= STD_FNV_PRIME;
    }
    return h;
}

uint64_t std_hash_combine(uint64_t h, uint64_t v)
{
    for (int i = 0; i < 8; i++) {
        h ^= (v >> (8 * i)) & 0xFF;
        h *= STD_FNV_PRIME;
    }
    return h;
}

static uint64_t hash_u(snow_ctx_t *cx, const snow_type_t *t, snow_word_t v);

static uint64_t hash_record(snow_ctx_t *cx, const snow_type_t *t, snow_word_t v)
{
    if (t->hash)
        return (uint64_t)t->hash(cx, v);
    uint32_t n;
    const snow_type_t *const *ts = fields_of(t, v, &n);
    uint64_t h;
    uint32_t i = 0;
    if (t->kind == SNOW_KIND_SUM) {
        h = std_hash_combine(STD_FNV_BASIS, rec(v)->h.tag);
    } else if (n == 0) {
        return STD_FNV_BASIS;
    } else {
        h = hash_u(cx, ts[0], rec(v)->w[0]);
        i = 1;
    }
    for (; i < n; i++)
        h = std_hash_combine(h, hash_u(cx, ts[i], rec(v)->w[i]));
    return h;
}

static uint64_t hash_map(snow_ctx_t *cx, const snow_type_t *t, const snow_map_t *m)
{
    bool set = t->kind == SNOW_KIND_SET;
    uint64_t h = STD_FNV_BASIS;
    snow_word_t k, v;
    int64_t pos = 0;
    while ((pos = std_map_next(m, pos, &k, &v)) >= 0) {
        h = std_hash_combine(h, hash_u(cx, set ? &snow_type_int : t->params[0], k));
        if (!set)
            h = std_hash_combine(h, hash_u(cx, t->params[1], v));
    }
    return h;
}

static uint64_t hash_u(snow_ctx_t *cx, const snow_type_t *t, snow_word_t v)
{
    std_stack_check(cx);
    switch ((snow_kind_t)t->kind) {
    case SNOW_KIND_INT:
    case SNOW_KIND_FLOAT:
    case SNOW_KIND_PID:
        return std_hash_combine(STD_FNV_BASIS, v);
    case SNOW_KIND_BOOL:
        return fnv_bytes(STD_FNV_BASIS, &(unsigned char){(unsigned char)(v & 1)}, 1);
    case SNOW_KIND_STRING: {
        snow_string_t *s = SNOW_WORD_TO_PTR(snow_string_t, v);
        return fnv_bytes(STD_FNV_BASIS, s->bytes, s->len);
    }
    case SNOW_KIND_LIST: {
        snow_list_t *xs = SNOW_WORD_TO_PTR(snow_list_t, v);
        uint64_t h = STD_FNV_BASIS;
        for (int64_t i = 0; i < xs->len; i++)
            h = std_hash_combine(h, hash_u(cx, t->params[0], snow_list_items(xs)[i]));
        return h;
    }
    case SNOW_KIND_TUPLE: {
        uint64_t h = STD_FNV_BASIS;
        for (uint32_t i = 0; i < t->count; i++)
            h = std_hash_combine(h, hash_u(cx, t->params[i], rec(v)->w[i]));
        return h;
    }
    case SNOW_KIND_MAP:
    case SNOW_KIND_SET:
        return hash_map(cx, t, SNOW_WORD_TO_PTR(snow_map_t, v));
    case SNOW_KIND_STRUCT:
    case SNOW_KIND_SUM:
        return hash_record(cx, t, v);
    case SNOW_KIND_RANGE:
        return std_hash_combine(std_hash_combine(STD_FNV_BASIS, rec(v)->w[0]), rec(v)->w[1]);
    case SNOW_KIND_UNIT:
    case SNOW_KIND_QUEUE:
    case SNOW_KIND_FUNCTION:
    case SNOW_KIND_JSON:
        return STD_FNV_BASIS;
    }
    return STD_FNV_BASIS;
}

int64_t snow_hash(snow_ctx_t *cx, const snow_type_t *t, snow_word_t v)
{
    return (int64_t)hash_u(cx, t, v);
}

/* }====== */
