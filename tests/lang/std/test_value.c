/* Tests of lang/std/value.c: hash (stdlib 4.6, D38), equality (0.3) and
 * compare (stdlib 3, D15). Expected hashes computed independently with
 * FNV-1a 64 over the bytes the spec lists. */
#include "tests/lang/std/helpers.h"

#include <math.h>

TestSuite(std_value, .init = std_setup, .fini = std_teardown);

static const snow_type_t *const p_is[] = {&snow_type_int, &snow_type_string};
static const char *const names[] = {"n", "s"};
static const snow_type_t t_struct = {.kind = SNOW_KIND_STRUCT,
                                     .flags = SNOW_TF_DEBUG,
                                     .count = 2,
                                     .name = "P",
                                     .params = p_is,
                                     .field_names = names};
static const snow_type_t t_empty = {.kind = SNOW_KIND_STRUCT, .flags = SNOW_TF_DEBUG, .name = "E"};

Test(std_value, hash_of_primitives)
{
    cr_assert_eq(snow_hash(cx, &snow_type_int, 42), -55488592825689361LL);
    cr_assert_eq(snow_hash(cx, &snow_type_string, W(S("abc"))), -1792535898324117685LL);
    cr_assert_eq(snow_hash(cx, &snow_type_bool, 1), -5808592057526012372LL);
    cr_assert_eq(snow_hash(cx, &snow_type_float, snow_word_from_float(1.5)),
                 -6154756914075763584LL);
    cr_assert_neq(snow_hash(cx, &snow_type_float, snow_word_from_float(0.0)),
                  snow_hash(cx, &snow_type_float, snow_word_from_float(-0.0)));
    cr_assert_eq(snow_hash(cx, &snow_type_unit, 0), -3750763034362895579LL);
}

Test(std_value, hash_of_derived_and_structural_values)
{
    snow_record_t *p = snow_record_new(cx, 0, 2, 2);
    p->w[0] = 1;
    p->w[1] = W(S("abc"));
    cr_assert_eq(snow_hash(cx, &t_struct, W(p)), -8221078935505889463LL);
    cr_assert_eq(snow_hash(cx, &t_empty, W(snow_record_new(cx, 0, 0, 0))), -3750763034362895579LL);
    snow_record_t *some = snow_record_new(cx, SNOW_TAG_SOME, 1, 0);
    some->w[0] = 3;
    cr_assert_eq(snow_hash(cx, &snow_type_option_int, W(some)), 8000351753458357399LL);
    cr_assert_eq(snow_hash(cx, &snow_type_option_int, W(SNOW_NONE)), -8517097267634966620LL);
    snow_word_t xs[] = {1, 2};
    cr_assert_eq(
        snow_hash(cx, &snow_type_list_int, W(snow_list_from_array(cx, &snow_type_int, 2, xs))),
        -3097694060234251142LL);
}

Test(std_value, equality_is_value_equality)
{
    cr_assert(snow_eq(cx, &snow_type_string, W(S("ab")), W(S("ab"))));
    cr_assert_not(
        snow_eq(cx, &snow_type_float, snow_word_from_float(0.0), snow_word_from_float(-0.0)));
    cr_assert(snow_eq(cx, &snow_type_float, snow_word_from_float(NAN), snow_word_from_float(NAN)));
    snow_record_t *a = snow_record_new(cx, 0, 2, 2), *b = snow_record_new(cx, 0, 2, 2);
    a->w[0] = b->w[0] = 7;
    a->w[1] = W(S("x"));
    b->w[1] = W(S("x"));
    cr_assert(snow_eq(cx, &t_struct, W(a), W(b)));
    b->w[0] = 8;
    cr_assert_not(snow_eq(cx, &t_struct, W(a), W(b)));
}

Test(std_value, compare_orders)
{
    cr_assert_lt(snow_cmp(cx, &snow_type_string, W(S("B")), W(S("a"))), 0);
    cr_assert_lt(snow_cmp(cx, &snow_type_string, W(S("ab")), W(S("abc"))), 0);
    cr_assert_gt(snow_cmp(cx, &snow_type_float, snow_word_from_float(NAN), snow_word_from_float(1)),
                 0);
    cr_assert_gt(snow_cmp(cx, &snow_type_float, snow_word_from_float(1), snow_word_from_float(NAN)),
                 0);
    cr_assert_lt(snow_cmp(cx, &snow_type_int, (snow_word_t)-5, 3), 0);
    snow_word_t x[] = {1, 2}, y[] = {1, 2, 0};
    cr_assert_lt(snow_cmp(cx, &snow_type_list_int,
                          W(snow_list_from_array(cx, &snow_type_int, 2, x)),
                          W(snow_list_from_array(cx, &snow_type_int, 3, y))),
                 0);
    cr_assert_eq(snow_compare(cx, &snow_type_int, 5, 1)->h.tag, SNOW_TAG_GREATER);
    cr_assert_eq(snow_compare(cx, &snow_type_option_int, W(SNOW_NONE), W(SNOW_NONE))->h.tag,
                 SNOW_TAG_EQUAL);
}

static const snow_type_t *const p_f[] = {&snow_type_float};
static const snow_type_t t_list_float = {.kind = SNOW_KIND_LIST, .count = 1, .params = p_f};

Test(std_value, operator_equality_uses_ieee_floats)
{
    snow_word_t nan[] = {snow_word_from_float(NAN)};
    snow_word_t pz[] = {snow_word_from_float(0.0)}, nz[] = {snow_word_from_float(-0.0)};
    snow_list_t *a = snow_list_from_array(cx, &snow_type_float, 1, nan);
    cr_assert_not(snow_eq_op(cx, &t_list_float, W(a), W(a)));
    cr_assert(snow_eq(cx, &t_list_float, W(a), W(a)));
    snow_list_t *p = snow_list_from_array(cx, &snow_type_float, 1, pz);
    snow_list_t *n = snow_list_from_array(cx, &snow_type_float, 1, nz);
    cr_assert(snow_eq_op(cx, &t_list_float, W(p), W(n)));
    cr_assert_not(snow_eq(cx, &t_list_float, W(p), W(n)));
}

Test(std_value, option_and_result_constructors)
{
    ASSERT_SHOW(&snow_type_option_string, W(snow_option_some(cx, W(S("v")), true)), "Some(v)");
    snow_record_t *ok = snow_result_ok(cx, 5, false);
    cr_assert_eq(ok->h.tag, SNOW_TAG_OK);
    cr_assert_eq(ok->w[0], 5);
    cr_assert_eq(ok->ptrmask, 0);
    snow_record_t *err = snow_result_err(cx, S("bad"));
    cr_assert_eq(err->h.tag, SNOW_TAG_ERR);
    cr_assert_eq(err->ptrmask, 1);
}
