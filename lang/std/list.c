/* list.c: the List module (stdlib 7).
 *
 * A list is a view (offset, length) on a storage array. Views make tail,
 * drop and take O(1). Appending to a list whose last element is the last
 * used slot of its array fills the next slot in place (no other list can see
 * that slot), so a loop of appends is amortised O(1) with doubling, while
 * older list values keep their length and contents. */
#include "lang/std/ctx.h"

#include <string.h>

#include "lang/std/value.h"

/* {====== Storage */

static snow_array_t *array_new(snow_ctx_t *cx, const snow_type_t *elem, int64_t cap)
{
    if (cap < 4)
        cap = 4;
    /* Words past `used` are never scanned or read: no need to zero them. */
    snow_array_t *a = std_obj_alloc_dirty(cx, SNOW_OBJ_ARRAY,
                                          sizeof(snow_array_t) + (size_t)cap * sizeof(snow_word_t));
    a->h.tag = snow_type_is_ptr(elem) ? 1 : 0;
    a->cap = cap;
    a->used = 0;
    return a;
}

static snow_list_t *view(snow_ctx_t *cx, const snow_type_t *elem, snow_array_t *arr, int64_t off,
                         int64_t len)
{
    snow_list_t *l = std_obj_alloc(cx, SNOW_OBJ_LIST, sizeof *l);
    l->elem = elem;
    if (len > 0) {
        l->len = len;
        l->_arr = arr;
        l->_off = off;
    }
    return l;
}

snow_list_t *snow_list_new(snow_ctx_t *cx, const snow_type_t *elem)
{
    return view(cx, elem, NULL, 0, 0);
}

snow_list_t *snow_list_from_array(snow_ctx_t *cx, const snow_type_t *elem, size_t n,
                                  const snow_word_t *items)
{
    if (n == 0)
        return snow_list_new(cx, elem);
    snow_array_t *a = array_new(cx, elem, (int64_t)n);
    memcpy(a->w, items, n * sizeof *items);
    a->used = (int64_t)n;
    return view(cx, elem, a, 0, (int64_t)n);
}

/* A new array holding xs's elements with room for extra more. */
static snow_array_t *array_copy(snow_ctx_t *cx, const snow_list_t *xs, int64_t extra)
{
    snow_array_t *a = array_new(cx, xs->elem, xs->len + extra);
    if (xs->len)
        memcpy(a->w, snow_list_items(xs), (size_t)xs->len * sizeof(snow_word_t));
    a->used = xs->len;
    return a;
}

/* True when xs ends at its array's last used slot and n more fit. */
static bool can_extend(const snow_list_t *xs, int64_t n)
{
    snow_array_t *a = xs->_arr;
    return a && xs->_off + xs->len == a->used && a->cap - a->used >= n;
}

/* }====== */

int64_t snow_list_length(snow_ctx_t *cx, const snow_list_t *xs)
{
    (void)cx;
    return xs->len;
}

snow_list_t *snow_list_append(snow_ctx_t *cx, snow_list_t *xs, snow_word_t x)
{
    snow_array_t *a = xs->_arr;
    int64_t off = xs->_off;
    if (!can_extend(xs, 1)) {
        a = array_copy(cx, xs, xs->len < 4 ? 4 : xs->len);
        off = 0;
    }
    a->w[a->used++] = x;
    return view(cx, xs->elem, a, off, xs->len + 1);
}

snow_word_t snow_list_head(snow_ctx_t *cx, const snow_list_t *xs)
{
    if (xs->len == 0)
        snow_panic(cx, "snow_list_head: empty list");
    return snow_list_items(xs)[0];
}

snow_list_t *snow_list_tail(snow_ctx_t *cx, const snow_list_t *xs)
{
    if (xs->len == 0)
        snow_panic(cx, "snow_list_tail: empty list");
    return view(cx, xs->elem, xs->_arr, xs->_off + 1, xs->len - 1);
}

snow_word_t snow_list_get(snow_ctx_t *cx, const snow_list_t *xs, int64_t i)
{
    if (i < 0 || i >= xs->len)
        snow_panic(cx, "snow_list_get: index %lld out of bounds (len %lld)", (long long)i,
                   (long long)xs->len);
    return snow_list_items(xs)[i];
}

snow_word_t snow_list_nth(snow_ctx_t *cx, const snow_list_t *xs, int64_t i)
{
    return snow_list_get(cx, xs, i);
}

snow_word_t snow_list_last(snow_ctx_t *cx, const snow_list_t *xs)
{
    if (xs->len == 0)
        snow_panic(cx, "snow_list_last: empty list");
    return snow_list_items(xs)[xs->len - 1];
}

snow_list_t *snow_list_concat(snow_ctx_t *cx, snow_list_t *xs, const snow_list_t *ys)
{
    if (ys->len == 0)
        return xs;
    if (xs->len == 0)
        return view(cx, xs->elem, ys->_arr, ys->_off, ys->len);
    snow_array_t *a = xs->_arr;
    int64_t off = xs->_off;
    if (!can_extend(xs, ys->len)) {
        a = array_copy(cx, xs, xs->len + ys->len);
        off = 0;
    }
    memcpy(a->w + a->used, snow_list_items(ys), (size_t)ys->len * sizeof(snow_word_t));
    a->used += ys->len;
    return view(cx, xs->elem, a, off, xs->len + ys->len);
}

snow_list_t *snow_list_reverse(snow_ctx_t *cx, const snow_list_t *xs)
{
    if (xs->len == 0)
        return snow_list_new(cx, xs->elem);
    snow_array_t *a = array_new(cx, xs->elem, xs->len);
    const snow_word_t *src = snow_list_items(xs);
    for (int64_t i = 0; i < xs->len; i++)
        a->w[i] = src[xs->len - 1 - i];
    a->used = xs->len;
    return view(cx, xs->elem, a, 0, xs->len);
}

/* {====== Higher-order functions */

snow_list_t *snow_list_map(snow_ctx_t *cx, const snow_list_t *xs, snow_record_t *f,
                           const snow_type_t *elem_u)
{
    if (xs->len == 0)
        return snow_list_new(cx, elem_u);
    snow_array_t *a = array_new(cx, elem_u, xs->len);
    for (int64_t i = 0; i < xs->len; i++) {
        snow_word_t y = snow_closure_call1(cx, f, snow_list_items(xs)[i]);
        a->w[a->used++] = y;
    }
    return view(cx, elem_u, a, 0, xs->len);
}

snow_list_t *snow_list_filter(snow_ctx_t *cx, const snow_list_t *xs, snow_record_t *pred)
{
    snow_array_t *a = array_new(cx, xs->elem, xs->len);
    for (int64_t i = 0; i < xs->len; i++) {
        snow_word_t x = snow_list_items(xs)[i];
        if (snow_closure_call1(cx, pred, x) & 1)
            a->w[a->used++] = x;
    }
    return view(cx, xs->elem, a, 0, a->used);
}

snow_word_t snow_list_reduce(snow_ctx_t *cx, const snow_list_t *xs, snow_word_t init,
                             snow_record_t *f)
{
    snow_word_t acc = init;
    for (int64_t i = 0; i < xs->len; i++)
        acc = snow_closure_call2(cx, f, acc, snow_list_items(xs)[i]);
    return acc;
}

snow_record_t *snow_list_find(snow_ctx_t *cx, const snow_list_t *xs, snow_record_t *pred)
{
    for (int64_t i = 0; i < xs->len; i++) {
        snow_word_t x = snow_list_items(xs)[i];
        if (snow_closure_call1(cx, pred, x) & 1)
            return std_some(cx, x, snow_type_is_ptr(xs->elem));
    }
    return std_none();
}

bool snow_list_any(snow_ctx_t *cx, const snow_list_t *xs, snow_record_t *pred)
{
    for (int64_t i = 0; i < xs->len; i++)
        if (snow_closure_call1(cx, pred, snow_list_items(xs)[i]) & 1)
            return true;
    return false;
}

bool snow_list_all(snow_ctx_t *cx, const snow_list_t *xs, snow_record_t *pred)
{
    for (int64_t i = 0; i < xs->len; i++)
        if (!(snow_closure_call1(cx, pred, snow_list_items(xs)[i]) & 1))
            return false;
    return true;
}

bool snow_list_contains(snow_ctx_t *cx, const snow_list_t *xs, snow_word_t x)
{
    for (int64_t i = 0; i < xs->len; i++)
        if (snow_eq(cx, xs->elem, snow_list_items(xs)[i], x))
            return true;
    return false;
}

snow_list_t *snow_list_flat_map(snow_ctx_t *cx, const snow_list_t *xs, snow_record_t *f,
                                const snow_type_t *elem_u)
{
    snow_list_t *out = snow_list_new(cx, elem_u);
    for (int64_t i = 0; i < xs->len; i++) {
        snow_list_t *part =
            SNOW_WORD_TO_PTR(snow_list_t, snow_closure_call1(cx, f, snow_list_items(xs)[i]));
        out = snow_list_concat(cx, out, part);
    }
    return out;
}

snow_list_t *snow_list_flatten(snow_ctx_t *cx, const snow_list_t *xss)
{
    const snow_type_t *inner = xss->elem->kind == SNOW_KIND_LIST ? xss->elem->params[0] : xss->elem;
    snow_list_t *out = snow_list_new(cx, inner);
    for (int64_t i = 0; i < xss->len; i++)
        out = snow_list_concat(cx, out, SNOW_WORD_TO_PTR(snow_list_t, snow_list_items(xss)[i]));
    return out;
}

/* }====== */

/* {====== Sort: stable bottom-up merge sort, O(n log n) comparator calls.
 * Both buffers are heap arrays so the collector sees the elements while the
 * comparator runs. Whatever the comparator returns, every step moves each
 * element exactly once, so no element is lost or duplicated (D46). */

static void merge_run(snow_ctx_t *cx, snow_record_t *cmp, const snow_word_t *src, snow_word_t *dst,
                      int64_t lo, int64_t mid, int64_t hi)
{
    int64_t i = lo, j = mid, k = lo;
    while (i < mid && j < hi) {
        int64_t c = (int64_t)snow_closure_call2(cx, cmp, src[i], src[j]);
        dst[k++] = c <= 0 ? src[i++] : src[j++];
    }
    while (i < mid)
        dst[k++] = src[i++];
    while (j < hi)
        dst[k++] = src[j++];
}

snow_list_t *snow_list_sort(snow_ctx_t *cx, const snow_list_t *xs, snow_record_t *cmp)
{
    int64_t n = xs->len;
    if (n < 2)
        return (snow_list_t *)xs;
    snow_array_t *a = array_copy(cx, xs, 0);
    snow_array_t *b = array_new(cx, xs->elem, n);
    memset(b->w, 0, (size_t)n * sizeof(snow_word_t)); /* scanned while merging */
    b->used = n;
    for (int64_t width = 1; width < n; width *= 2) {
        for (int64_t lo = 0; lo < n; lo += 2 * width) {
            int64_t mid = lo + width < n ? lo + width : n;
            int64_t hi = lo + 2 * width < n ? lo + 2 * width : n;
            merge_run(cx, cmp, a->w, b->w, lo, mid, hi);
        }
        snow_array_t *t = a;
        a = b;
        b = t;
    }
    return view(cx, xs->elem, a, 0, n);
}

/* }====== */

/* {====== Pairs and slices */

static snow_record_t *pair_new(snow_ctx_t *cx, const snow_type_t *pair, snow_word_t a,
                               snow_word_t b)
{
    snow_record_t *r = snow_record_new(cx, 0, 2, std_types_ptrmask(pair->params, 2));
    r->w[0] = a;
    r->w[1] = b;
    return r;
}

snow_list_t *snow_list_zip(snow_ctx_t *cx, const snow_list_t *xs, const snow_list_t *ys,
                           const snow_type_t *pair)
{
    int64_t n = xs->len < ys->len ? xs->len : ys->len;
    if (n == 0)
        return snow_list_new(cx, pair);
    snow_array_t *a = array_new(cx, pair, n);
    for (int64_t i = 0; i < n; i++) {
        snow_record_t *r = pair_new(cx, pair, snow_list_items(xs)[i], snow_list_items(ys)[i]);
        a->w[a->used++] = SNOW_WORD_PTR(r);
    }
    return view(cx, pair, a, 0, n);
}

snow_list_t *snow_list_enumerate(snow_ctx_t *cx, const snow_list_t *xs, const snow_type_t *pair)
{
    if (xs->len == 0)
        return snow_list_new(cx, pair);
    snow_array_t *a = array_new(cx, pair, xs->len);
    for (int64_t i = 0; i < xs->len; i++) {
        snow_record_t *r = pair_new(cx, pair, (snow_word_t)i, snow_list_items(xs)[i]);
        a->w[a->used++] = SNOW_WORD_PTR(r);
    }
    return view(cx, pair, a, 0, xs->len);
}

snow_list_t *snow_list_take(snow_ctx_t *cx, const snow_list_t *xs, int64_t n)
{
    if (n < 0)
        n = 0;
    if (n > xs->len)
        n = xs->len;
    return view(cx, xs->elem, xs->_arr, xs->_off, n);
}

snow_list_t *snow_list_drop(snow_ctx_t *cx, const snow_list_t *xs, int64_t n)
{
    if (n < 0)
        n = 0;
    if (n > xs->len)
        n = xs->len;
    return view(cx, xs->elem, xs->_arr, xs->_off + n, xs->len - n);
}

/* }====== */
