/* Tests of lang/std/fmt.c: Display/Debug text (stdlib 4, language 7.2-7.4,
 * D31-D36). Every expected string is exact: the e2e suite depends on it. */
#include "tests/lang/std/helpers.h"

#include <float.h>
#include <math.h>

#include "lang/std/value.h"

TestSuite(std_fmt, .init = std_setup, .fini = std_teardown);

static void assert_float(double x, const char *expect)
{
    snow_string_t *s = snow_float_to_string(cx, x);
    cr_assert_str_eq(s->bytes, expect, "float %.17g", x);
    ASSERT_TEXT(snow_inspect(cx, &snow_type_float, snow_word_from_float(x)), expect);
}

Test(std_fmt, float_examples_of_stdlib_4_2)
{
    assert_float(3.0, "3");
    assert_float(100.0, "100");
    assert_float(1e21, "1000000000000000000000");
    assert_float(0.1 + 0.2, "0.30000000000000004");
    assert_float(2.5e-5, "0.000025");
    assert_float(1e-7, "0.0000001");
    assert_float(95.5, "95.5");
    assert_float(-2.25, "-2.25");
    assert_float(123456789.125, "123456789.125");
    assert_float(1e15, "1000000000000000");
    assert_float(1e16, "10000000000000000");
    assert_float(-0.0, "-0");
    assert_float(0.0, "0");
    assert_float(NAN, "NaN");
    assert_float(INFINITY, "inf");
    assert_float(-INFINITY, "-inf");
    assert_float(2.0 * 3.0, "6");
    assert_float(10.0 / 4.0, "2.5");
}

Test(std_fmt, float_shortest_round_trip_digits)
{
    assert_float(0.1, "0.1");
    assert_float(1.0 / 3.0, "0.3333333333333333");
    assert_float(2.0 / 3.0, "0.6666666666666666");
    assert_float(100.0 / 3.0, "33.333333333333336");
    assert_float(1e23, "100000000000000000000000");
    assert_float(9007199254740993.0, "9007199254740992");
    assert_float(1.7976931348623157e308, "17976931348623157"
                                         "00000000000000000000000000000000000000000000000000"
                                         "00000000000000000000000000000000000000000000000000"
                                         "00000000000000000000000000000000000000000000000000"
                                         "00000000000000000000000000000000000000000000000000"
                                         "00000000000000000000000000000000000000000000000000"
                                         "000000000000000000000000000000000000000000");
    assert_float(-1.5, "-1.5");
    assert_float(3.14159, "3.14159");
    assert_float(0.001, "0.001");
    assert_float(123.456, "123.456");
    assert_float(1e-5, "0.00001");
    assert_float(4.35, "4.35");
    assert_float(2.2250738585072014e-308, "0.00000000000000000000000000000000000000000000000000"
                                          "00000000000000000000000000000000000000000000000000"
                                          "00000000000000000000000000000000000000000000000000"
                                          "00000000000000000000000000000000000000000000000000"
                                          "00000000000000000000000000000000000000000000000000"
                                          "00000000000000000000000000000000000000000000000000"
                                          "000000022250738585072014");
}

/* Powers of two have a lopsided rounding interval: the shortest digits can
 * lie above the correctly rounded candidate (2^-44 needs ...802, not 801). */
Test(std_fmt, float_powers_of_two_use_shortest_digits)
{
    assert_float(ldexp(1.0, -44), "0.00000000000005684341886080802");
    assert_float(ldexp(1.0, 132), "5444517870735016000000000000000000000000");
    assert_float(ldexp(1.0, 10), "1024");
    assert_float(0.5, "0.5");
}

Test(std_fmt, smallest_subnormal_is_positional)
{
    snow_string_t *s = snow_float_to_string(cx, 5e-324);
    cr_assert_eq(s->len, 2 + 323 + 1);
    cr_assert(strncmp(s->bytes, "0.", 2) == 0);
    for (size_t i = 2; i < 2 + 323; i++)
        cr_assert_eq(s->bytes[i], '0');
    cr_assert_eq(s->bytes[325], '5');
}

Test(std_fmt, ints_and_bools)
{
    ASSERT_TEXT(snow_int_to_string(cx, INT64_MIN), "-9223372036854775808");
    ASSERT_TEXT(snow_int_to_string(cx, 42), "42");
    ASSERT_TEXT(snow_int_to_string(cx, 0), "0");
    ASSERT_TEXT(snow_bool_to_string(cx, true), "true");
    ASSERT_SHOW(&snow_type_bool, 0, "false");
    ASSERT_SHOW(&snow_type_unit, 0, "()");
    ASSERT_SHOW(&snow_type_int, (snow_word_t)-7, "-7");
}

Test(std_fmt, strings_quoted_only_by_inspect_at_top_level)
{
    snow_string_t *s = S("say \"hi\"");
    ASSERT_SHOW(&snow_type_string, W(s), "say \"hi\"");
    ASSERT_TEXT(snow_inspect(cx, &snow_type_string, W(s)), "\"say \"hi\"\"");
    snow_word_t items[] = {W(S("ab")), W(S("c"))};
    snow_list_t *xs = snow_list_from_array(cx, &snow_type_string, 2, items);
    ASSERT_SHOW(&snow_type_list_string, W(xs), "[ab, c]");
    ASSERT_TEXT(snow_inspect(cx, &snow_type_list_string, W(xs)), "[ab, c]");
}

static const snow_type_t *const p_list_int[] = {&snow_type_list_int};
static const snow_type_t t_list_list_int = {
    .kind = SNOW_KIND_LIST, .count = 1, .params = p_list_int};
static const snow_type_t *const p_float[] = {&snow_type_float};
static const snow_type_t t_list_float = {.kind = SNOW_KIND_LIST, .count = 1, .params = p_float};

Test(std_fmt, lists_nest_and_format_floats)
{
    snow_word_t a[] = {1, 2};
    snow_list_t *l1 = snow_list_from_array(cx, &snow_type_int, 2, a);
    snow_list_t *l0 = snow_list_new(cx, &snow_type_int);
    snow_word_t outer[] = {W(l1), W(l0)};
    snow_list_t *ll = snow_list_from_array(cx, &snow_type_list_int, 2, outer);
    ASSERT_SHOW(&t_list_list_int, W(ll), "[[1, 2], []]");
    ASSERT_SHOW(&snow_type_list_int, W(l0), "[]");
    snow_word_t f[] = {snow_word_from_float(1.5), snow_word_from_float(2.0)};
    ASSERT_SHOW(&t_list_float, W(snow_list_from_array(cx, &snow_type_float, 2, f)), "[1.5, 2]");
}

static const snow_type_t *const p_str_list[] = {&snow_type_string, &snow_type_list_int};
static const snow_type_t t_map_str_list = {.kind = SNOW_KIND_MAP, .count = 2, .params = p_str_list};
static const snow_type_t *const p_float_float[] = {&snow_type_float, &snow_type_float};
static const snow_type_t t_map_ff = {.kind = SNOW_KIND_MAP, .count = 2, .params = p_float_float};

Test(std_fmt, maps_and_sets_in_insertion_order)
{
    snow_word_t a[] = {1, 2};
    snow_map_t *m = snow_map_new(cx, &snow_type_string, &snow_type_list_int);
    ASSERT_SHOW(&t_map_str_list, W(m), "%{}");
    m = snow_map_put(cx, m, W(S("k")), W(snow_list_from_array(cx, &snow_type_int, 2, a)));
    m = snow_map_put(cx, m, W(S("b")), W(snow_list_new(cx, &snow_type_int)));
    ASSERT_SHOW(&t_map_str_list, W(m), "%{k => [1, 2], b => []}");
    snow_map_t *fm = snow_map_new(cx, &snow_type_float, &snow_type_float);
    fm = snow_map_put(cx, fm, snow_word_from_float(0.5), snow_word_from_float(3.0));
    ASSERT_SHOW(&t_map_ff, W(fm), "%{0.5 => 3}");
    snow_map_t *s = snow_set_new(cx);
    ASSERT_SHOW(&snow_type_set, W(s), "#{}");
    s = snow_set_add(cx, snow_set_add(cx, snow_set_add(cx, s, 3), 1), 3);
    ASSERT_SHOW(&snow_type_set, W(s), "#{3, 1}");
}

static const snow_type_t *const p_int_str[] = {&snow_type_int, &snow_type_string};
static const snow_type_t t_tuple_is = {.kind = SNOW_KIND_TUPLE, .count = 2, .params = p_int_str};
static const snow_variant_t result_variants[] = {{"Ok", 1, p_int_str, NULL},
                                                 {"Err", 1, p_int_str + 1, NULL}};
static const snow_type_t t_result = {.kind = SNOW_KIND_SUM,
                                     .flags = SNOW_TF_DISPLAY | SNOW_TF_DEBUG_AS_DISPLAY,
                                     .count = 2,
                                     .name = "Result",
                                     .variants = result_variants};

Test(std_fmt, option_result_ordering_tuple_unit_pid)
{
    snow_record_t *some = snow_record_new(cx, SNOW_TAG_SOME, 1, 0);
    some->w[0] = 3;
    ASSERT_SHOW(&snow_type_option_int, W(some), "Some(3)");
    ASSERT_TEXT(snow_inspect(cx, &snow_type_option_int, W(some)), "Some(3)");
    ASSERT_SHOW(&snow_type_option_int, W(SNOW_NONE), "None");
    snow_record_t *some_s = snow_record_new(cx, SNOW_TAG_SOME, 1, 1);
    some_s->w[0] = W(S("x"));
    ASSERT_TEXT(snow_inspect(cx, &snow_type_option_string, W(some_s)), "Some(x)");
    snow_record_t *err = snow_record_new(cx, SNOW_TAG_ERR, 1, 1);
    err->w[0] = W(S("no file"));
    ASSERT_SHOW(&t_result, W(err), "Err(no file)");
    ASSERT_SHOW(&snow_type_ordering, W(snow_compare(cx, &snow_type_int, 1, 2)), "Less");
    ASSERT_SHOW(&snow_type_ordering, W(snow_compare(cx, &snow_type_int, 2, 2)), "Equal");
    snow_record_t *t = snow_record_new(cx, 0, 2, 2);
    t->w[0] = 1;
    t->w[1] = W(S("two"));
    ASSERT_SHOW(&t_tuple_is, W(t), "(1, two)");
    ASSERT_SHOW(&snow_type_pid, 12, "<0.12>");
    ASSERT_SHOW(&snow_type_pid, 0, "<0.0>");
}

/* struct Lamp { watts :: Int, room :: String } and type Shape = Box(Float,
 * Float) | Dot, as in language 7.3. */
static const char *const lamp_fields[] = {"watts", "room"};
static const snow_type_t t_lamp_display = {.kind = SNOW_KIND_STRUCT,
                                           .flags = SNOW_TF_DISPLAY | SNOW_TF_DEBUG,
                                           .count = 2,
                                           .name = "Lamp",
                                           .params = p_int_str,
                                           .field_names = lamp_fields};
static const snow_type_t t_lamp_debug = {.kind = SNOW_KIND_STRUCT,
                                         .flags = SNOW_TF_DEBUG,
                                         .count = 2,
                                         .name = "Lamp",
                                         .params = p_int_str,
                                         .field_names = lamp_fields};
static const snow_type_t t_nil = {
    .kind = SNOW_KIND_STRUCT, .flags = SNOW_TF_DISPLAY | SNOW_TF_DEBUG, .name = "Nil"};
static const snow_type_t *const p_ff[] = {&snow_type_float, &snow_type_float};
static const snow_variant_t shape_variants[] = {{"Box", 2, p_ff, NULL}, {"Dot", 0, NULL, NULL}};
static const snow_type_t t_shape = {.kind = SNOW_KIND_SUM,
                                    .flags = SNOW_TF_DISPLAY | SNOW_TF_DEBUG,
                                    .count = 2,
                                    .name = "Shape",
                                    .variants = shape_variants};

Test(std_fmt, derived_display_and_debug_of_language_7_3)
{
    snow_record_t *lamp = snow_record_new(cx, 0, 2, 2);
    lamp->w[0] = 40;
    lamp->w[1] = W(S("den"));
    ASSERT_SHOW(&t_lamp_display, W(lamp), "Lamp(40, den)");
    ASSERT_TEXT(snow_inspect(cx, &t_lamp_display, W(lamp)), "Lamp { watts: 40, room: den }");
    ASSERT_SHOW(&t_lamp_debug, W(lamp), "Lamp { watts: 40, room: den }");
    snow_record_t *nil = snow_record_new(cx, 0, 0, 0);
    ASSERT_SHOW(&t_nil, W(nil), "Nil()");
    ASSERT_TEXT(snow_inspect(cx, &t_nil, W(nil)), "Nil {}");
    snow_record_t *box = snow_record_new(cx, 0, 2, 0);
    box->w[0] = snow_word_from_float(2.0);
    box->w[1] = snow_word_from_float(3.5);
    ASSERT_SHOW(&t_shape, W(box), "Box(2, 3.5)");
    ASSERT_TEXT(snow_inspect(cx, &t_shape, W(box)), "Box(...)");
    snow_record_t *dot = snow_record_new(cx, 1, 0, 0);
    ASSERT_SHOW(&t_shape, W(dot), "Dot");
    ASSERT_TEXT(snow_inspect(cx, &t_shape, W(dot)), "Dot");
}

static snow_string_t *lamp_user_display(snow_ctx_t *c, snow_word_t self)
{
    snow_record_t *r = SNOW_WORD_TO_PTR(snow_record_t, self);
    return snow_string_concat(c, snow_string_new(c, "lamp:", 5),
                              snow_int_to_string(c, (int64_t)r->w[0]));
}

static const snow_type_t t_lamp_user = {.kind = SNOW_KIND_STRUCT,
                                        .flags = SNOW_TF_DEBUG,
                                        .count = 2,
                                        .name = "Lamp",
                                        .params = p_int_str,
                                        .field_names = lamp_fields,
                                        .display = lamp_user_display};
static const snow_type_t *const p_lamp_user[] = {&t_lamp_user};
static const snow_type_t t_list_lamp = {.kind = SNOW_KIND_LIST, .count = 1, .params = p_lamp_user};

Test(std_fmt, user_display_impl_is_used_for_elements)
{
    snow_record_t *lamp = snow_record_new(cx, 0, 2, 2);
    lamp->w[0] = 7;
    lamp->w[1] = W(S("x"));
    snow_word_t items[] = {W(lamp), W(lamp)};
    snow_list_t *xs = snow_list_from_array(cx, &t_lamp_user, 2, items);
    ASSERT_SHOW(&t_list_lamp, W(xs), "[lamp:7, lamp:7]");
    ASSERT_TEXT(snow_inspect(cx, &t_lamp_user, W(lamp)), "Lamp { watts: 7, room: x }");
}

/* Criterion's runner leaks a 48-byte record when tests finish close
 * together under --jobs 2 (not our memory): LeakSanitizer ignores it. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void) { return "leak:libcriterion.so\n"; }

/* type L = Cons(Int, L) | Nil deriving(Display): a long chain formats by
 * recursion; too deep a chain panics instead of crashing (D30). */
static const snow_type_t t_chain;
static const snow_type_t *const p_cons[] = {&snow_type_int, &t_chain};
static const snow_variant_t chain_variants[] = {{"Cons", 2, p_cons, NULL}, {"Nil", 0, NULL, NULL}};
static const snow_type_t t_chain = {.kind = SNOW_KIND_SUM,
                                    .flags = SNOW_TF_DISPLAY | SNOW_TF_DEBUG,
                                    .count = 2,
                                    .name = "L",
                                    .variants = chain_variants};

static snow_record_t *chain(int n)
{
    snow_record_t *l = snow_record_new(cx, 1, 0, 0);
    for (int i = n; i > 0; i--) {
        snow_record_t *c = snow_record_new(cx, 0, 2, 2);
        c->w[0] = (snow_word_t)i;
        c->w[1] = W(l);
        l = c;
    }
    return l;
}

Test(std_fmt, nested_sum_values_format_recursively)
{
    ASSERT_SHOW(&t_chain, W(chain(2)), "Cons(1, Cons(2, Nil))");
    cr_assert(snow_eq(cx, &t_chain, W(chain(3)), W(chain(3))));
}

static void show_huge_chain(void) { snow_to_string(cx, &t_chain, W(chain(5000000))); }

Test(std_fmt, too_deep_value_panics_with_stack_overflow, .timeout = 60)
{
    ASSERT_PANICS(show_huge_chain, "Snow panic: stack overflow\n");
}
