/* Tests for sched/msg_flat: small message values as bytes (issue 7). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "sched/msg_flat.h"

static snow_word_t str(snow_ctx_t *cx, const char *s)
{
    return SNOW_WORD_PTR(snow_string_new(cx, s, strlen(s)));
}

static size_t flat_size(snow_word_t v)
{
    sched_flat_plan_t plan;
    return sched_flat_plan(v, &plan);
}

static snow_word_t round_trip(snow_ctx_t *from, snow_ctx_t *to, snow_word_t v)
{
    sched_flat_plan_t plan;
    size_t n = sched_flat_plan(v, &plan);
    cr_assert_gt(n, 0);
    void *buf = aligned_alloc(16, (n + 15) & ~(size_t)15);
    sched_flat_write(&plan, buf);
    (void)from;
    snow_word_t out = sched_flat_read(to, buf);
    memset(buf, 0xa5, n); /* the copy must not point into the buffer */
    free(buf);
    return out;
}

Test(sched_msg_flat, a_tree_of_records_and_strings_is_rebuilt_equal)
{
    snow_ctx_t *a = snow_ctx_new(), *b = snow_ctx_new();
    /* Pair((7, "seven"), Item("x")) with a float and a shared string. */
    snow_word_t s = str(a, "seven");
    snow_record_t *inner = snow_record_new(a, 0, 3, 0x2 | 0x4);
    inner->w[0] = 7;
    inner->w[1] = s;
    inner->w[2] = s; /* shared: written twice */
    snow_record_t *item = snow_record_new(a, 1, 1, 0x1);
    item->w[0] = str(a, "x");
    snow_record_t *root = snow_record_new(a, 2, 3, 0x1 | 0x4);
    root->w[0] = SNOW_WORD_PTR(inner);
    root->w[1] = snow_word_from_float(2.5);
    root->w[2] = SNOW_WORD_PTR(item);
    snow_record_t *c = (snow_record_t *)(uintptr_t)round_trip(a, b, SNOW_WORD_PTR(root));
    cr_assert_neq(c, root);
    cr_assert_eq(c->h.tag, 2);
    cr_assert_eq(c->ptrmask, root->ptrmask);
    cr_assert_eq(snow_word_to_float(c->w[1]), 2.5);
    snow_record_t *ci = (snow_record_t *)(uintptr_t)c->w[0];
    cr_assert_eq(ci->w[0], 7);
    cr_assert_str_eq(((snow_string_t *)(uintptr_t)ci->w[1])->bytes, "seven");
    cr_assert_str_eq(((snow_string_t *)(uintptr_t)ci->w[2])->bytes, "seven");
    snow_record_t *cit = (snow_record_t *)(uintptr_t)c->w[2];
    cr_assert_eq(cit->h.tag, 1);
    cr_assert_str_eq(((snow_string_t *)(uintptr_t)cit->w[0])->bytes, "x");
    snow_gc_collect(b); /* the rebuilt objects belong to b's heap */
    snow_ctx_free(a);
    cr_assert_str_eq(((snow_string_t *)(uintptr_t)cit->w[0])->bytes, "x");
    snow_ctx_free(b);
}

Test(sched_msg_flat, too_big_or_not_a_tree_of_strings_and_records_stays_a_fragment)
{
    snow_ctx_t *a = snow_ctx_new();
    char big[SCHED_FLAT_BYTES_MAX + 1];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = 0;
    cr_assert_eq(flat_size(str(a, big)), 0);
    cr_assert_gt(flat_size(str(a, "small")), 0);
    /* A chain deeper than SCHED_FLAT_OBJS_MAX objects. */
    snow_word_t v = str(a, "end");
    for (int i = 0; i < SCHED_FLAT_OBJS_MAX; i++) {
        snow_record_t *r = snow_record_new(a, 0, 1, 1);
        r->w[0] = v;
        v = SNOW_WORD_PTR(r);
    }
    cr_assert_eq(flat_size(v), 0);
    snow_list_t *xs = snow_list_new(a, &snow_type_int);
    cr_assert_eq(flat_size(SNOW_WORD_PTR(xs)), 0);
    snow_ctx_free(a);
}
