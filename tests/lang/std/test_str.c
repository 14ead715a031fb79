/* Tests of lang/std/str.c: the String module (stdlib 6). */
#include "tests/lang/std/helpers.h"

#include <math.h>

TestSuite(std_str, .init = std_setup, .fini = std_teardown);

static const char *list_text(snow_list_t *xs)
{
    snow_string_t *s = snow_inspect(cx, &snow_type_list_string, W(xs));
    /* Elements unquoted; join with | to see empty pieces. */
    snow_string_t *j = snow_string_join(cx, xs, S("|"));
    (void)s;
    return j->bytes;
}

Test(std_str, length_counts_code_points)
{
    cr_assert_eq(snow_string_length(cx, S("")), 0);
    cr_assert_eq(snow_string_length(cx, S("na\xC3\xAFve")), 5);
    cr_assert_eq(snow_string_length(cx, S("\xF0\x9F\x98\x80x")), 2);
}

Test(std_str, slice_clamps_indices)
{
    ASSERT_TEXT(snow_string_slice(cx, S("snowfall"), 4, 8), "fall");
    ASSERT_TEXT(snow_string_slice(cx, S("abc"), -5, 100), "abc");
    ASSERT_TEXT(snow_string_slice(cx, S("abc"), 2, 1), "");
    ASSERT_TEXT(snow_string_slice(cx, S("na\xC3\xAFve"), 2, 4), "\xC3\xAFv");
    ASSERT_TEXT(snow_string_slice(cx, S("abc"), 5, 9), "");
}

Test(std_str, search_predicates)
{
    cr_assert(snow_string_contains(cx, S("snowfall"), S("wfa")));
    cr_assert(snow_string_contains(cx, S("x"), S("")));
    cr_assert_not(snow_string_contains(cx, S("abc"), S("abd")));
    cr_assert(snow_string_starts_with(cx, S("abc"), S("ab")));
    cr_assert(snow_string_starts_with(cx, S("abc"), S("")));
    cr_assert_not(snow_string_starts_with(cx, S("abc"), S("abcd")));
    cr_assert(snow_string_ends_with(cx, S("abc"), S("bc")));
    cr_assert_not(snow_string_ends_with(cx, S("abc"), S("Bc")));
}

Test(std_str, trim_removes_unicode_white_space)
{
    ASSERT_TEXT(snow_string_trim(cx, S(" \t\n a b \r\x0B\x0C")), "a b");
    ASSERT_TEXT(snow_string_trim(cx, S("\xC2\xA0\xE3\x80\x80x\xE2\x80\xA8")), "x");
    ASSERT_TEXT(snow_string_trim(cx, S("   ")), "");
    ASSERT_TEXT(snow_string_trim(cx, S("\xC3\xA9")), "\xC3\xA9");
}

Test(std_str, case_mapping_full_and_final_sigma)
{
    ASSERT_TEXT(snow_string_to_upper(cx, S("stra\xC3\x9F"
                                           "e")),
                "STRASSE");
    ASSERT_TEXT(snow_string_to_upper(cx, S("\xEF\xAC\x81")), "FI");
    ASSERT_TEXT(snow_string_to_upper(cx, S("h\xC3\xA9llo")), "H\xC3\x89LLO");
    ASSERT_TEXT(snow_string_to_lower(cx, S("\xCE\xA3\xCE\x91\xCE\xA3")),
                "\xCF\x83\xCE\xB1\xCF\x82");
    ASSERT_TEXT(snow_string_to_lower(cx, S("HeLLo 123")), "hello 123");
    ASSERT_TEXT(snow_string_to_upper(cx, S("\xE6\x97\xA5")), "\xE6\x97\xA5");
}

Test(std_str, replace_examples)
{
    ASSERT_TEXT(snow_string_replace(cx, S("abc"), S(""), S("-")), "-a-b-c-");
    ASSERT_TEXT(snow_string_replace(cx, S("aaa"), S("aa"), S("b")), "ba");
    ASSERT_TEXT(snow_string_replace(cx, S("a.b.c"), S("."), S("::")), "a::b::c");
    ASSERT_TEXT(snow_string_replace(cx, S(""), S(""), S("x")), "x");
}

Test(std_str, split_keeps_empty_pieces)
{
    cr_assert_str_eq(list_text(snow_string_split(cx, S("x;y;z"), S(";"))), "x|y|z");
    cr_assert_str_eq(list_text(snow_string_split(cx, S("x;;y;"), S(";"))), "x||y|");
    snow_list_t *one = snow_string_split(cx, S(""), S(";"));
    cr_assert_eq(one->len, 1);
    snow_list_t *chars = snow_string_split(cx, S("abc"), S(""));
    cr_assert_eq(chars->len, 5);
    cr_assert_str_eq(list_text(chars), "|a|b|c|");
    ASSERT_SHOW(&snow_type_list_string, W(snow_string_split(cx, S("a, b"), S(", "))), "[a, b]");
}

Test(std_str, join)
{
    snow_word_t parts[] = {W(S("a")), W(S("b")), W(S("c"))};
    ASSERT_TEXT(
        snow_string_join(cx, snow_list_from_array(cx, &snow_type_string, 3, parts), S(", ")),
        "a, b, c");
    ASSERT_TEXT(snow_string_join(cx, snow_list_new(cx, &snow_type_string), S(",")), "");
    ASSERT_TEXT(snow_string_join(cx, snow_list_from_array(cx, &snow_type_string, 1, parts), S(",")),
                "a");
}

static void assert_int(const char *text, bool ok, int64_t v)
{
    snow_record_t *r = snow_string_to_int(cx, S(text));
    cr_assert_eq(r->h.tag, ok ? SNOW_TAG_SOME : SNOW_TAG_NONE, "to_int(%s)", text);
    if (ok)
        cr_assert_eq((int64_t)r->w[0], v, "to_int(%s)", text);
}

Test(std_str, to_int_rules)
{
    assert_int(" -42\n", true, -42);
    assert_int("007", true, 7);
    assert_int("+5", true, 5);
    assert_int("9223372036854775807", true, INT64_MAX);
    assert_int("-9223372036854775808", true, INT64_MIN);
    assert_int("9223372036854775808", false, 0);
    assert_int("", false, 0);
    assert_int("-", false, 0);
    assert_int("1_000", false, 0);
    assert_int("0x10", false, 0);
    assert_int("1.0", false, 0);
    assert_int("1e3", false, 0);
    assert_int("\xD9\xA3", false, 0);
}

static void assert_float_parse(const char *text, bool ok, double v)
{
    snow_record_t *r = snow_string_to_float(cx, S(text));
    cr_assert_eq(r->h.tag, ok ? SNOW_TAG_SOME : SNOW_TAG_NONE, "to_float(%s)", text);
    if (ok && !isnan(v))
        cr_assert_eq(snow_word_to_float(r->w[0]), v, "to_float(%s)", text);
    if (ok && isnan(v))
        cr_assert(isnan(snow_word_to_float(r->w[0])));
}

Test(std_str, to_float_rules)
{
    assert_float_parse("3", true, 3.0);
    assert_float_parse("3.", true, 3.0);
    assert_float_parse(".5", true, 0.5);
    assert_float_parse(" 3.25 ", true, 3.25);
    assert_float_parse("-1.5E2", true, -150.0);
    assert_float_parse("1e400", true, INFINITY);
    assert_float_parse("-inf", true, -INFINITY);
    assert_float_parse("Infinity", true, INFINITY);
    assert_float_parse("NaN", true, NAN);
    assert_float_parse("42", true, 42.0);
    assert_float_parse(".", false, 0);
    assert_float_parse("e5", false, 0);
    assert_float_parse("1e", false, 0);
    assert_float_parse("1_0", false, 0);
    assert_float_parse("0x1p3", false, 0);
    assert_float_parse("1 2", false, 0);
}

Test(std_str, concat_and_compare)
{
    snow_string_t *parts[] = {S("a"), S(""), S("bc")};
    ASSERT_TEXT(snow_string_concatn(cx, 3, parts), "abc");
    ASSERT_TEXT(snow_string_concat(cx, S("x"), S("y")), "xy");
    cr_assert_lt(snow_string_cmp(S("B"), S("a")), 0);
    cr_assert_lt(snow_string_cmp(S("ab"), S("abc")), 0);
    cr_assert_eq(snow_string_cmp(S("ab"), S("ab")), 0);
    cr_assert(snow_string_eq(S("ab"), S("ab")));
}

Test(std_str, lossy_conversion_replaces_invalid_utf8)
{
    snow_string_t *s = snow_string_from_bytes_lossy(cx,
                                                    "a\xFF"
                                                    "b\xC3",
                                                    4);
    ASSERT_TEXT(s, "a\xEF\xBF\xBD"
                   "b\xEF\xBF\xBD");
}

Test(std_str, full_upper_case_mappings)
{
    /* U+1F80 (alpha with psili and ypogegrammeni) -> U+1F08 U+0399. */
    ASSERT_TEXT(snow_string_to_upper(cx, S("\xE1\xBE\x80")), "\xE1\xBC\x88\xCE\x99");
    ASSERT_TEXT(snow_string_to_upper(cx, S("\xC5\x89")), "\xCA\xBCN");
    ASSERT_TEXT(snow_string_to_lower(cx, S("\xC4\xB0")), "i\xCC\x87");
    ASSERT_TEXT(snow_string_to_upper(cx, S("\xEF\xAC\x83x")), "FFIX");
}

SNOW_STRING_LITERAL(lit_ascii, "snowfall");
SNOW_STRING_LITERAL(lit_utf8, "na\xC3\xAFve");

/* Literals carry no ASCII tag (static memory is never written): the same
 * answers come from walking the bytes. */
Test(std_str, literals_and_heap_strings_agree)
{
    cr_assert_eq(snow_string_length(cx, lit_ascii), 8);
    cr_assert_eq(snow_string_length(cx, lit_utf8), 5);
    ASSERT_TEXT(snow_string_slice(cx, lit_ascii, 4, 100), "fall");
    ASSERT_TEXT(snow_string_slice(cx, lit_utf8, 2, 3), "\xC3\xAF");
    snow_string_t *joined = snow_string_concat(cx, S("ab"), S("cd"));
    cr_assert_eq(snow_string_length(cx, joined), 4);
    ASSERT_TEXT(snow_string_slice(cx, joined, 1, 3), "bc");
    snow_string_t *mixed = snow_string_concat(cx, S("a"), lit_utf8);
    cr_assert_eq(snow_string_length(cx, mixed), 6);
    ASSERT_TEXT(snow_string_slice(cx, mixed, 3, 4), "\xC3\xAF");
}
