/* misc.c: Queue, Range, Tuple, Math, Int and Float (stdlib 10-13).
 *
 * A Queue is a record holding one List<Int>: push appends (amortised O(1):
 * the list's storage is extended in place), pop takes an O(1) view without
 * the front element. When the storage fills up only the live elements are
 * copied, so a long-lived queue holds at most about twice its size. */
#include "lang/std/ctx.h"

#include <math.h>

/* {====== Queue */

static snow_list_t *queue_list(const snow_queue_t *q)
{
    return SNOW_WORD_TO_PTR(snow_list_t, ((const snow_record_t *)(const void *)q)->w[0]);
}

static snow_queue_t *queue_wrap(snow_ctx_t *cx, snow_list_t *xs)
{
    snow_record_t *r = snow_record_new(cx, 0, 1, 1);
    r->h.kind = SNOW_OBJ_QUEUE;
    r->w[0] = SNOW_WORD_PTR(xs);
    return (snow_queue_t *)r;
}

snow_queue_t *snow_queue_new(snow_ctx_t *cx)
{
    return queue_wrap(cx, snow_list_new(cx, &snow_type_int));
}

snow_queue_t *snow_queue_push(snow_ctx_t *cx, const snow_queue_t *q, int64_t x)
{
    return queue_wrap(cx, snow_list_append(cx, queue_list(q), (snow_word_t)x));
}

snow_record_t *snow_queue_pop(snow_ctx_t *cx, const snow_queue_t *q)
{
    snow_list_t *xs = queue_list(q);
    if (xs->len == 0)
        snow_panic(cx, "snow_queue_pop: empty queue");
    snow_queue_t *rest = queue_wrap(cx, snow_list_drop(cx, xs, 1));
    snow_record_t *pair = snow_record_new(cx, 0, 2, 2);
    pair->w[0] = snow_list_items(xs)[0];
    pair->w[1] = SNOW_WORD_PTR(rest);
    return pair;
}

int64_t snow_queue_peek(snow_ctx_t *cx, const snow_queue_t *q)
{
    snow_list_t *xs = queue_list(q);
    if (xs->len == 0)
        snow_panic(cx, "snow_queue_peek: empty queue");
    return (int64_t)snow_list_items(xs)[0];
}

int64_t snow_queue_size(snow_ctx_t *cx, const snow_queue_t *q)
{
    (void)cx;
    return queue_list(q)->len;
}

bool snow_queue_is_empty(snow_ctx_t *cx, const snow_queue_t *q)
{
    (void)cx;
    return queue_list(q)->len == 0;
}

/* }====== */

/* {====== Range */

snow_record_t *snow_range_new(snow_ctx_t *cx, int64_t start, int64_t end)
{
    snow_record_t *r = snow_record_new(cx, 0, 2, 0);
    r->w[0] = (snow_word_t)start;
    r->w[1] = (snow_word_t)end;
    return r;
}

int64_t snow_range_length(snow_ctx_t *cx, const snow_record_t *r)
{
    (void)cx;
    int64_t a = (int64_t)r->w[0], b = (int64_t)r->w[1];
    if (b <= a)
        return 0;
    uint64_t d = (uint64_t)b - (uint64_t)a;
    return d > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)d;
}

snow_list_t *snow_range_to_list(snow_ctx_t *cx, const snow_record_t *r)
{
    snow_list_t *xs = snow_list_new(cx, &snow_type_int);
    int64_t a = (int64_t)r->w[0], n = snow_range_length(cx, r);
    for (int64_t i = 0; i < n; i++)
        xs = snow_list_append(cx, xs, (snow_word_t)(a + i));
    return xs;
}

snow_list_t *snow_range_map(snow_ctx_t *cx, const snow_record_t *r, snow_record_t *f)
{
    snow_list_t *xs = snow_list_new(cx, &snow_type_int);
    int64_t a = (int64_t)r->w[0], n = snow_range_length(cx, r);
    for (int64_t i = 0; i < n; i++)
        xs = snow_list_append(cx, xs, snow_closure_call1(cx, f, (snow_word_t)(a + i)));
    return xs;
}

snow_list_t *snow_range_filter(snow_ctx_t *cx, const snow_record_t *r, snow_record_t *pred)
{
    snow_list_t *xs = snow_list_new(cx, &snow_type_int);
    int64_t a = (int64_t)r->w[0], n = snow_range_length(cx, r);
    for (int64_t i = 0; i < n; i++)
        if (snow_closure_call1(cx, pred, (snow_word_t)(a + i)) & 1)
            xs = snow_list_append(cx, xs, (snow_word_t)(a + i));
    return xs;
}

/* }====== */

/* {====== Tuple */

snow_word_t snow_tuple_nth(snow_ctx_t *cx, const snow_record_t *t, int64_t i)
{
    if (i < 0 || i >= (int64_t)t->h.count)
        snow_panic(cx, "snow_tuple_nth: index %lld out of bounds (len %lld)", (long long)i,
                   (long long)t->h.count);
    return t->w[i];
}

snow_word_t snow_tuple_first(snow_ctx_t *cx, const snow_record_t *t)
{
    return snow_tuple_nth(cx, t, 0);
}

snow_word_t snow_tuple_second(snow_ctx_t *cx, const snow_record_t *t)
{
    return snow_tuple_nth(cx, t, 1);
}

int64_t snow_tuple_size(snow_ctx_t *cx, const snow_record_t *t)
{
    (void)cx;
    return (int64_t)t->h.count;
}

/* }====== */

/* {====== Math, Int, Float */

int64_t snow_math_abs(snow_ctx_t *cx, int64_t x)
{
    (void)cx;
    return x < 0 ? (int64_t)(0 - (uint64_t)x) : x;
}

double snow_math_abs_float(snow_ctx_t *cx, double x)
{
    (void)cx;
    return fabs(x);
}

int64_t snow_math_min(snow_ctx_t *cx, int64_t a, int64_t b)
{
    (void)cx;
    return a < b ? a : b;
}

int64_t snow_math_max(snow_ctx_t *cx, int64_t a, int64_t b)
{
    (void)cx;
    return a > b ? a : b;
}

double snow_math_min_float(snow_ctx_t *cx, double a, double b)
{
    (void)cx;
    return fmin(a, b);
}

double snow_math_max_float(snow_ctx_t *cx, double a, double b)
{
    (void)cx;
    return fmax(a, b);
}

double snow_math_pow(snow_ctx_t *cx, double base, double exp)
{
    (void)cx;
    return pow(base, exp);
}

double snow_math_sqrt(snow_ctx_t *cx, double x)
{
    (void)cx;
    return sqrt(x);
}

int64_t snow_float_to_int(snow_ctx_t *cx, double x)
{
    (void)cx;
    if (isnan(x))
        return 0;
    if (x >= 9223372036854775808.0)
        return INT64_MAX;
    if (x < -9223372036854775808.0)
        return INT64_MIN;
    return (int64_t)x;
}

int64_t snow_math_floor(snow_ctx_t *cx, double x) { return snow_float_to_int(cx, floor(x)); }

int64_t snow_math_ceil(snow_ctx_t *cx, double x) { return snow_float_to_int(cx, ceil(x)); }

int64_t snow_math_round(snow_ctx_t *cx, double x) { return snow_float_to_int(cx, round(x)); }

double snow_int_to_float(snow_ctx_t *cx, int64_t n)
{
    (void)cx;
    return (double)n;
}

/* }====== */
