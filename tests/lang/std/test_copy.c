/* Tests of lang/std/copy.c and std_heap_adopt: moving values between
 * process heaps (DESIGN 4, message passing). */
#include "tests/lang/std/helpers.h"

#include "lang/std/copy.h"
#include "lang/std/ctx.h"

TestSuite(std_copy, .init = std_setup, .fini = std_teardown);

static const snow_type_t *const p_ls[] = {&snow_type_list_string, &snow_type_int};
static const snow_type_t t_tuple = {.kind = SNOW_KIND_TUPLE, .count = 2, .params = p_ls};
static const snow_type_t *const p_st[] = {&snow_type_string, &t_tuple};
static const snow_type_t t_map = {.kind = SNOW_KIND_MAP, .count = 2, .params = p_st};

static snow_map_t *build(snow_ctx_t *c)
{
    snow_map_t *m = snow_map_new(c, &snow_type_string, &t_tuple);
    for (int i = 0; i < 50; i++) {
        char k[16];
        snprintf(k, sizeof k, "k%d", i);
        snow_list_t *xs = snow_list_new(c, &snow_type_string);
        for (int j = 0; j <= i % 4; j++)
            xs = snow_list_append(c, xs, W(snow_string_new(c, k, strlen(k))));
        snow_record_t *t = snow_record_new(c, 0, 2, 1);
        t->w[0] = W(snow_list_drop(c, xs, 0));
        t->w[1] = (snow_word_t)i;
        m = snow_map_put(c, m, W(snow_string_new(c, k, strlen(k))), W(t));
    }
    return m;
}

Test(std_copy, copied_value_survives_the_source_heap)
{
    snow_ctx_t *other = snow_ctx_new();
    snow_map_t *m = build(other);
    snow_string_t *before = snow_to_string(other, &t_map, W(m));
    snow_map_t *copy =
        SNOW_WORD_TO_PTR(snow_map_t, std_copy_value(&cx->heap, &other->heap, W(m), true));
    snow_string_t *expect = snow_string_new(cx, before->bytes, before->len);
    snow_ctx_free(other);
    snow_gc_collect(cx);
    cr_assert_str_eq(snow_to_string(cx, &t_map, W(copy))->bytes, expect->bytes);
    snow_record_t *t = SNOW_WORD_TO_PTR(snow_record_t, snow_map_get(cx, copy, W(S("k7"))));
    cr_assert_eq(t->w[1], 7);
}

Test(std_copy, shared_subvalues_are_copied_once_and_statics_are_shared)
{
    snow_ctx_t *other = snow_ctx_new();
    snow_list_t *x = snow_list_new(other, &snow_type_string);
    x = snow_list_append(other, x, W(snow_string_new(other, "leaf", 4)));
    /* 40 levels of [x, x]: 2^40 paths, 40 distinct lists. */
    static const snow_type_t *const p[] = {&snow_type_list_string};
    static const snow_type_t t_ll = {.kind = SNOW_KIND_LIST, .count = 1, .params = p};
    for (int i = 0; i < 40; i++) {
        snow_word_t two[] = {W(x), W(x)};
        x = snow_list_from_array(other, &t_ll, 2, two);
    }
    snow_gc_stats_t before, after;
    snow_gc_stats(cx, &before);
    snow_list_t *c =
        SNOW_WORD_TO_PTR(snow_list_t, std_copy_value(&cx->heap, &other->heap, W(x), true));
    snow_gc_stats(cx, &after);
    cr_assert_lt(after.bytes_allocated - before.bytes_allocated, 10000);
    snow_list_t *a = SNOW_WORD_TO_PTR(snow_list_t, snow_list_items(c)[0]);
    snow_list_t *b = SNOW_WORD_TO_PTR(snow_list_t, snow_list_items(c)[1]);
    cr_assert_eq(a, b);
    snow_ctx_free(other);
    snow_record_t *none =
        SNOW_WORD_TO_PTR(snow_record_t, std_copy_value(&cx->heap, &cx->heap, W(SNOW_NONE), true));
    cr_assert_eq(none, SNOW_NONE);
}

Test(std_copy, adopted_fragment_objects_live_in_the_receiver)
{
    std_heap_t frag;
    std_heap_init(&frag, NULL);
    snow_ctx_t *other = snow_ctx_new();
    snow_map_t *m = build(other);
    snow_map_t *moved =
        SNOW_WORD_TO_PTR(snow_map_t, std_copy_value(&frag, &other->heap, W(m), true));
    snow_ctx_free(other);
    std_heap_adopt(&cx->heap, &frag);
    std_heap_destroy(&frag);
    cr_assert_not_null(std_heap_find(&cx->heap, moved));
    for (int i = 0; i < 3; i++) {
        snow_gc_collect(cx);
        for (int j = 0; j < 20000; j++)
            S("churn");
    }
    snow_record_t *t = SNOW_WORD_TO_PTR(snow_record_t, snow_map_get(cx, moved, W(S("k49"))));
    cr_assert_eq(t->w[1], 49);
    ASSERT_SHOW(&snow_type_list_string, t->w[0], "[k49, k49]");
}
