/* Tests of lang/std/map.c: Map and Set (stdlib 8, 9; D43, D44, D47). */
#include "tests/lang/std/helpers.h"

#include <stdlib.h>

TestSuite(std_map, .init = std_setup, .fini = std_teardown, .timeout = 60);

static const snow_type_t *const p_si[] = {&snow_type_string, &snow_type_int};
static const snow_type_t t_map_si = {.kind = SNOW_KIND_MAP, .count = 2, .params = p_si};
static const snow_type_t t_pair_si = {.kind = SNOW_KIND_TUPLE, .count = 2, .params = p_si};
static const snow_type_t *const p_pair[] = {&t_pair_si};
static const snow_type_t t_list_pair = {.kind = SNOW_KIND_LIST, .count = 1, .params = p_pair};
static const snow_type_t *const p_ss[] = {&snow_type_string, &snow_type_string};
static const snow_type_t t_map_ss = {.kind = SNOW_KIND_MAP, .count = 2, .params = p_ss};

#define SHOWM(m) snow_to_string(cx, &t_map_si, W(m))->bytes

static snow_map_t *put(snow_map_t *m, const char *k, int64_t v)
{
    return snow_map_put(cx, m, W(S(k)), (snow_word_t)v);
}

Test(std_map, insertion_order_replace_delete_readd)
{
    snow_map_t *m = snow_map_new(cx, &snow_type_string, &snow_type_int);
    m = put(put(put(m, "a", 1), "b", 2), "c", 3);
    cr_assert_str_eq(SHOWM(m), "%{a => 1, b => 2, c => 3}");
    snow_map_t *r = put(m, "a", 10);
    cr_assert_str_eq(SHOWM(r), "%{a => 10, b => 2, c => 3}");
    snow_map_t *d = snow_map_delete(cx, r, W(S("a")));
    cr_assert_str_eq(SHOWM(d), "%{b => 2, c => 3}");
    cr_assert_str_eq(SHOWM(put(d, "a", 5)), "%{b => 2, c => 3, a => 5}");
    cr_assert_str_eq(SHOWM(snow_map_delete(cx, d, W(S("zz")))), "%{b => 2, c => 3}");
    cr_assert_str_eq(SHOWM(m), "%{a => 1, b => 2, c => 3}");
    cr_assert_eq(snow_map_size(cx, d), 2);
}

Test(std_map, get_has_key_and_missing_defaults)
{
    snow_map_t *m = put(snow_map_new(cx, &snow_type_string, &snow_type_int), "pear", 4);
    cr_assert_eq(snow_map_get(cx, m, W(S("pear"))), 4);
    cr_assert(snow_map_has_key(cx, m, W(S("pear"))));
    cr_assert_not(snow_map_has_key(cx, m, W(S("fig"))));
    cr_assert_eq(snow_map_get(cx, m, W(S("fig"))), 0); /* D44 */
}

static void get_missing_string(void)
{
    snow_map_t *m = snow_map_new(cx, &snow_type_string, &snow_type_string);
    snow_map_get(cx, m, W(S("x")));
}

Test(std_map, get_missing_non_scalar_panics)
{
    ASSERT_PANICS(get_missing_string, "Snow panic: Map.get: key not found\n");
}

Test(std_map, from_list_keys_values_to_list_merge)
{
    snow_record_t *p[3];
    const char *ks[] = {"pear", "fig", "pear"};
    int64_t vs[] = {4, 0, 9};
    snow_word_t items[3];
    for (int i = 0; i < 3; i++) {
        p[i] = snow_record_new(cx, 0, 2, 1);
        p[i]->w[0] = W(S(ks[i]));
        p[i]->w[1] = (snow_word_t)vs[i];
        items[i] = W(p[i]);
    }
    snow_list_t *pairs = snow_list_from_array(cx, &t_pair_si, 3, items);
    snow_map_t *m = snow_map_from_list(cx, pairs);
    cr_assert_str_eq(SHOWM(m), "%{pear => 9, fig => 0}");
    ASSERT_SHOW(&snow_type_list_string, W(snow_map_keys(cx, m)), "[pear, fig]");
    ASSERT_SHOW(&snow_type_list_int, W(snow_map_values(cx, m)), "[9, 0]");
    ASSERT_SHOW(&t_list_pair, W(snow_map_to_list(cx, m, &t_pair_si)), "[(pear, 9), (fig, 0)]");
    snow_map_t *b =
        put(put(snow_map_new(cx, &snow_type_string, &snow_type_int), "kiwi", 1), "pear", 2);
    cr_assert_str_eq(SHOWM(snow_map_merge(cx, m, b)), "%{pear => 2, fig => 0, kiwi => 1}");
}

Test(std_map, float_keys_compare_by_bits)
{
    snow_map_t *m = snow_map_new(cx, &snow_type_float, &snow_type_int);
    m = snow_map_put(cx, m, snow_word_from_float(0.0), 1);
    m = snow_map_put(cx, m, snow_word_from_float(-0.0), 2);
    m = snow_map_put(cx, m, snow_word_from_float(__builtin_nan("")), 3);
    cr_assert_eq(snow_map_size(cx, m), 3);
    cr_assert_eq(snow_map_get(cx, m, snow_word_from_float(__builtin_nan(""))), 3);
}

Test(std_map, equality_and_hash)
{
    snow_map_t *a = put(put(snow_map_new(cx, &snow_type_string, &snow_type_int), "x", 1), "y", 2);
    snow_map_t *b = put(put(snow_map_new(cx, &snow_type_string, &snow_type_int), "y", 2), "x", 1);
    cr_assert(snow_eq(cx, &t_map_si, W(a), W(b)));
    cr_assert_not(snow_eq(cx, &t_map_si, W(a), W(put(b, "x", 3))));
    cr_assert_eq(snow_hash(cx, &t_map_si, W(a)), snow_hash(cx, &t_map_si, W(put(a, "x", 1))));
}

/* Random operations checked against a plain array model. */
Test(std_map, matches_model_under_random_puts_and_deletes)
{
    enum { KEYS = 3000, OPS = 60000 };
    static int64_t model_val[KEYS];
    static int64_t model_order[KEYS]; /* insertion stamp, -1 = absent */
    for (int i = 0; i < KEYS; i++)
        model_order[i] = -1;
    int64_t stamp = 0;
    snow_map_t *m = snow_map_new(cx, &snow_type_int, &snow_type_int);
    srand(42);
    for (int op = 0; op < OPS; op++) {
        int k = rand() % KEYS;
        if (rand() % 3 == 0) {
            m = snow_map_delete(cx, m, (snow_word_t)k);
            model_order[k] = -1;
        } else {
            int64_t v = rand();
            m = snow_map_put(cx, m, (snow_word_t)k, (snow_word_t)v);
            if (model_order[k] < 0)
                model_order[k] = stamp++;
            model_val[k] = v;
        }
    }
    int64_t live = 0;
    for (int i = 0; i < KEYS; i++) {
        live += model_order[i] >= 0;
        cr_assert_eq(snow_map_has_key(cx, m, (snow_word_t)i), model_order[i] >= 0);
        if (model_order[i] >= 0)
            cr_assert_eq((int64_t)snow_map_get(cx, m, (snow_word_t)i), model_val[i]);
    }
    cr_assert_eq(snow_map_size(cx, m), live);
    snow_word_t k, v;
    int64_t pos = 0, prev = -1, seen = 0;
    while ((pos = snow_map_next(cx, m, pos, &k, &v)) >= 0) {
        cr_assert_gt(model_order[k], prev, "order");
        prev = model_order[k];
        seen++;
    }
    cr_assert_eq(seen, live);
}

Test(std_map, sets_keep_insertion_order)
{
    snow_word_t xs[] = {5, 1, 5, 3};
    snow_map_t *s = snow_set_from_list(cx, snow_list_from_array(cx, &snow_type_int, 4, xs));
    ASSERT_SHOW(&snow_type_set, W(s), "#{5, 1, 3}");
    cr_assert(snow_set_contains(cx, s, 1));
    cr_assert_not(snow_set_contains(cx, s, 2));
    cr_assert_eq(snow_set_size(cx, s), 3);
    snow_word_t ys[] = {3, 4, 5};
    snow_map_t *t = snow_set_from_list(cx, snow_list_from_array(cx, &snow_type_int, 3, ys));
    ASSERT_SHOW(&snow_type_set, W(snow_set_union(cx, s, t)), "#{5, 1, 3, 4}");
    ASSERT_SHOW(&snow_type_set, W(snow_set_intersection(cx, s, t)), "#{5, 3}");
    ASSERT_SHOW(&snow_type_set, W(snow_set_difference(cx, s, t)), "#{1}");
    ASSERT_SHOW(&snow_type_set, W(snow_set_remove(cx, s, 1)), "#{5, 3}");
    ASSERT_SHOW(&snow_type_list_int, W(snow_set_to_list(cx, s)), "[5, 1, 3]");
    ASSERT_SHOW(&snow_type_set, W(snow_set_add(cx, snow_set_remove(cx, s, 5), 5)), "#{1, 3, 5}");
}

Test(std_map, string_keyed_map_of_strings_displays_unquoted)
{
    snow_map_t *m = snow_map_new(cx, &snow_type_string, &snow_type_string);
    m = snow_map_put(cx, m, W(S("city")), W(S("Oslo")));
    ASSERT_SHOW(&t_map_ss, W(m), "%{city => Oslo}");
}
