/* Tests of lang/std/json.c and json_enc.c (stdlib 16, D56-D60): the parse
 * error table, the encoding format, and deriving(Json) round trips. */
#include "tests/lang/std/helpers.h"

#include <math.h>

TestSuite(std_json, .init = std_setup, .fini = std_teardown);

static const char *parse_err(const char *text)
{
    snow_record_t *r = snow_json_parse(cx, S(text));
    cr_assert_eq(r->h.tag, SNOW_TAG_ERR, "expected an error for %s", text);
    return SNOW_WORD_TO_PTR(snow_string_t, r->w[0])->bytes;
}

static const char *canon(const char *text)
{
    snow_record_t *r = snow_json_parse(cx, S(text));
    cr_assert_eq(r->h.tag, SNOW_TAG_OK, "parse failed for %s: %s", text,
                 SNOW_WORD_TO_PTR(snow_string_t, r->w[0])->bytes);
    return snow_json_encode(cx, SNOW_WORD_TO_PTR(snow_json_t, r->w[0]))->bytes;
}

Test(std_json, reference_error_positions)
{
    cr_assert_str_eq(parse_err(""), "EOF while parsing a value at line 1 column 0");
    cr_assert_str_eq(parse_err("{"), "EOF while parsing an object at line 1 column 1");
    cr_assert_str_eq(parse_err("[7,]"), "trailing comma at line 1 column 4");
    cr_assert_str_eq(parse_err("[7 8]"), "expected `,` or `]` at line 1 column 4");
    cr_assert_str_eq(parse_err("{3:4}"), "key must be a string at line 1 column 2");
    cr_assert_str_eq(parse_err("5 6"), "trailing characters at line 1 column 3");
    cr_assert_str_eq(parse_err("'x'"), "expected value at line 1 column 1");
    cr_assert_str_eq(parse_err("01"), "invalid number at line 1 column 2");
    cr_assert_str_eq(parse_err("tru"), "EOF while parsing a value at line 1 column 3");
    cr_assert_str_eq(parse_err("nan"), "expected ident at line 1 column 2");
    cr_assert_str_eq(parse_err("\"ab"), "EOF while parsing a string at line 1 column 3");
    cr_assert_str_eq(parse_err("1e400"), "number out of range at line 1 column 5");
    cr_assert_str_eq(parse_err("\n\n  [}"), "expected value at line 3 column 4");
}

Test(std_json, other_errors)
{
    cr_assert_str_eq(parse_err("{\"a\" 1}"), "expected `:` at line 1 column 6");
    cr_assert_str_eq(parse_err("{\"a\":1 \"b\":2}"), "expected `,` or `}` at line 1 column 8");
    cr_assert_str_eq(parse_err("{\"a\":1,}"), "trailing comma at line 1 column 8");
    cr_assert_str_eq(parse_err("\"\\x\""), "invalid escape at line 1 column 3");
    cr_assert_str_eq(
        parse_err("\"a\tb\""),
        "control character (\\u0000-\\u001F) found while parsing a string at line 1 column 3");
    cr_assert_str_eq(parse_err("\"\\udc00\""),
                     "lone leading surrogate in hex escape at line 1 column 7");
    cr_assert_str_eq(parse_err("\"\\ud800x\""), "unexpected end of hex escape at line 1 column 8");
    cr_assert_str_eq(parse_err("["), "EOF while parsing a list at line 1 column 1");
    cr_assert_str_eq(parse_err("-"), "EOF while parsing a value at line 1 column 1");
    cr_assert_str_eq(parse_err("1."), "EOF while parsing a value at line 1 column 2");
    cr_assert_str_eq(parse_err("1.x"), "invalid number at line 1 column 3");
}

Test(std_json, recursion_limit_is_127_levels)
{
    char deep[300];
    memset(deep, '[', 127);
    memset(deep + 127, ']', 127);
    deep[254] = 0;
    cr_assert_eq(snow_json_parse(cx, S(deep))->h.tag, SNOW_TAG_OK);
    memset(deep, '[', 128);
    memset(deep + 128, ']', 128);
    deep[256] = 0;
    cr_assert_str_eq(parse_err(deep), "recursion limit exceeded at line 1 column 128");
}

Test(std_json, canonical_round_trip)
{
    cr_assert_str_eq(canon(" {\"b\": [1, 2.0, -0, 1e2], \"a\": null, \"B\": true} "),
                     "{\"B\":true,\"a\":null,\"b\":[1,2.0,-0.0,100.0]}");
    cr_assert_str_eq(canon("{\"k\":1,\"k\":2}"), "{\"k\":2}");
    cr_assert_str_eq(canon("-9223372036854775808"), "-9223372036854775808");
    cr_assert_str_eq(canon("9223372036854775808"), "9.223372036854776e+18");
    cr_assert_str_eq(canon("123456789012345678901234567890"), "1.2345678901234568e+29");
    cr_assert_str_eq(canon("\"\\u00e9\\ud83d\\ude00\\/\""), "\"\xC3\xA9\xF0\x9F\x98\x80/\"");
    cr_assert_str_eq(canon("1e-400"), "0.0");
}

static const char *enc_float(double x)
{
    return snow_json_encode_value(cx, &snow_type_float, snow_word_from_float(x))->bytes;
}

Test(std_json, float_encoding_of_16_3)
{
    cr_assert_str_eq(enc_float(3.0), "3.0");
    cr_assert_str_eq(enc_float(100.0), "100.0");
    cr_assert_str_eq(enc_float(1e15), "1000000000000000.0");
    cr_assert_str_eq(enc_float(95.5), "95.5");
    cr_assert_str_eq(enc_float(0.001), "0.001");
    cr_assert_str_eq(enc_float(0.00001), "0.00001");
    cr_assert_str_eq(enc_float(0.1 + 0.2), "0.30000000000000004");
    cr_assert_str_eq(enc_float(1e16), "1e+16");
    cr_assert_str_eq(enc_float(1.5e16), "1.5e+16");
    cr_assert_str_eq(enc_float(1e-6), "1e-6");
    cr_assert_str_eq(enc_float(1.5e-7), "1.5e-7");
    cr_assert_str_eq(enc_float(1.7976931348623157e308), "1.7976931348623157e+308");
    cr_assert_str_eq(enc_float(5e-324), "5e-324");
    cr_assert_str_eq(enc_float(0.0), "0.0");
    cr_assert_str_eq(enc_float(-0.0), "-0.0");
    cr_assert_str_eq(enc_float(NAN), "null");
    cr_assert_str_eq(enc_float(-INFINITY), "null");
}

Test(std_json, string_and_convenience_encoders)
{
    ASSERT_TEXT(snow_json_encode_string(cx, S("a\tb")), "\"a\\tb\"");
    ASSERT_TEXT(snow_json_encode_string(cx, S("q\"\\\x08\x0c\n\r\x1f\x7f/\xE2\x80\xA8")),
                "\"q\\\"\\\\\\b\\f\\n\\r\\u001f\x7f/\xE2\x80\xA8\"");
    ASSERT_TEXT(snow_json_encode_int(cx, -17), "-17");
    ASSERT_TEXT(snow_json_encode_bool(cx, true), "true");
    snow_map_t *m = snow_map_new(cx, &snow_type_string, &snow_type_string);
    m = snow_map_put(cx, m, W(S("zip")), W(S("0150")));
    m = snow_map_put(cx, m, W(S("city")), W(S("Oslo")));
    ASSERT_TEXT(snow_json_encode_map(cx, m), "{\"city\":\"Oslo\",\"zip\":\"0150\"}");
    snow_word_t xs[] = {W(S("a")), W(S("b"))};
    ASSERT_TEXT(snow_json_encode_list(cx, snow_list_from_array(cx, &snow_type_string, 2, xs)),
                "[\"a\",\"b\"]");
}

/* struct Reading { station :: String, celsius :: Float, ok :: Bool,
 * note :: Option<String> } deriving(Json); type Signal = Idle | Level(Int, Int). */
static const snow_type_t *const reading_types[] = {&snow_type_string, &snow_type_float,
                                                   &snow_type_bool, &snow_type_option_string};
static const char *const reading_names[] = {"station", "celsius", "ok", "note"};
static const snow_type_t t_reading = {.kind = SNOW_KIND_STRUCT,
                                      .flags = SNOW_TF_DEBUG | SNOW_TF_JSON,
                                      .count = 4,
                                      .name = "Reading",
                                      .params = reading_types,
                                      .field_names = reading_names};
static const snow_type_t *const p_ii[] = {&snow_type_int, &snow_type_int};
static const snow_variant_t signal_variants[] = {{"Idle", 0, NULL, NULL}, {"Level", 2, p_ii, NULL}};
static const snow_type_t t_signal = {.kind = SNOW_KIND_SUM,
                                     .flags = SNOW_TF_DISPLAY | SNOW_TF_DEBUG | SNOW_TF_JSON,
                                     .count = 2,
                                     .name = "Signal",
                                     .variants = signal_variants};

Test(std_json, derived_struct_encoding_sorts_members)
{
    snow_record_t *r = snow_record_new(cx, 0, 4, 0x9);
    r->w[0] = W(S("Troms\xC3\xB8"));
    r->w[1] = snow_word_from_float(-3.0);
    r->w[2] = 1;
    r->w[3] = W(SNOW_NONE);
    ASSERT_TEXT(snow_json_encode_value(cx, &t_reading, W(r)),
                "{\"celsius\":-3.0,\"note\":null,\"ok\":true,\"station\":\"Troms\xC3\xB8\"}");
}

Test(std_json, derived_sum_encoding)
{
    snow_record_t *lvl = snow_record_new(cx, 1, 2, 0);
    lvl->w[0] = 4, lvl->w[1] = 9;
    ASSERT_TEXT(snow_json_encode_value(cx, &t_signal, W(lvl)),
                "{\"fields\":[4,9],\"tag\":\"Level\"}");
    snow_record_t *idle = snow_record_new(cx, 0, 0, 0);
    ASSERT_TEXT(snow_json_encode_value(cx, &t_signal, W(idle)), "{\"fields\":[],\"tag\":\"Idle\"}");
}

static const char *decode_err(const snow_type_t *t, const char *text)
{
    snow_record_t *r = snow_json_decode(cx, t, S(text));
    cr_assert_eq(r->h.tag, SNOW_TAG_ERR, "expected error for %s", text);
    return SNOW_WORD_TO_PTR(snow_string_t, r->w[0])->bytes;
}

Test(std_json, decode_struct_with_option_fields)
{
    snow_record_t *r = snow_json_decode(
        cx, &t_reading, S("{\"station\":\"Bod\xC3\xB8\",\"ok\":false,\"celsius\":2}"));
    cr_assert_eq(r->h.tag, SNOW_TAG_OK);
    snow_record_t *v = SNOW_WORD_TO_PTR(snow_record_t, r->w[0]);
    ASSERT_TEXT(SNOW_WORD_TO_PTR(snow_string_t, v->w[0]), "Bod\xC3\xB8");
    cr_assert_eq(snow_word_to_float(v->w[1]), 2.0);
    cr_assert_eq(v->w[2], 0);
    cr_assert_eq(SNOW_WORD_TO_PTR(snow_record_t, v->w[3])->h.tag, SNOW_TAG_NONE);
    r = snow_json_decode(cx, &t_reading,
                         S("{\"station\":\"x\",\"ok\":true,\"celsius\":1.5,\"note\":\"hi\"}"));
    v = SNOW_WORD_TO_PTR(snow_record_t, r->w[0]);
    ASSERT_SHOW(&snow_type_option_string, v->w[3], "Some(hi)");
    cr_assert_str_eq(decode_err(&t_reading, "{\"station\":\"Bod\xC3\xB8\",\"ok\":false}"),
                     "missing field: celsius");
    cr_assert_str_eq(decode_err(&t_reading, "[1]"), "expected Object");
    cr_assert_str_eq(decode_err(&t_reading, "{\"station\":1}"), "expected String");
    cr_assert_str_eq(decode_err(&t_reading, "{"), "EOF while parsing an object at line 1 column 1");
}

Test(std_json, decode_sum_errors)
{
    snow_record_t *r =
        snow_json_decode(cx, &t_signal, S("{\"tag\":\"Level\",\"fields\":[1,2.0,9]}"));
    cr_assert_eq(r->h.tag, SNOW_TAG_OK);
    ASSERT_SHOW(&t_signal, r->w[0], "Level(1, 2)");
    r = snow_json_decode(cx, &t_signal, S("{\"tag\":\"Idle\",\"fields\":7}"));
    ASSERT_SHOW(&t_signal, r->w[0], "Idle");
    cr_assert_str_eq(decode_err(&t_signal, "{}"), "missing field: tag");
    cr_assert_str_eq(decode_err(&t_signal, "{\"tag\":1}"), "expected String");
    cr_assert_str_eq(decode_err(&t_signal, "{\"tag\":\"Nope\"}"), "unknown variant for Signal");
    cr_assert_str_eq(decode_err(&t_signal, "{\"tag\":\"Level\"}"), "missing field: fields");
    cr_assert_str_eq(decode_err(&t_signal, "{\"tag\":\"Level\",\"fields\":{}}"), "expected Array");
    cr_assert_str_eq(decode_err(&t_signal, "{\"tag\":\"Level\",\"fields\":[1]}"),
                     "array index 1 out of bounds (length 1)");
    cr_assert_str_eq(decode_err(&t_signal, "{\"tag\":\"Level\",\"fields\":[1,2.5]}"),
                     "expected Int");
}

static const snow_type_t *const p_f[] = {&snow_type_float};
static const snow_type_t t_list_float = {.kind = SNOW_KIND_LIST, .count = 1, .params = p_f};
static const snow_type_t *const p_sf[] = {&snow_type_string, &t_list_float};
static const snow_type_t t_map_sf = {.kind = SNOW_KIND_MAP, .count = 2, .params = p_sf};

Test(std_json, nested_collections_round_trip)
{
    snow_record_t *r = snow_json_decode(cx, &t_map_sf, S("{\"b\":[1,2.5],\"a\":[]}"));
    cr_assert_eq(r->h.tag, SNOW_TAG_OK);
    ASSERT_SHOW(&t_map_sf, r->w[0], "%{a => [], b => [1, 2.5]}");
    ASSERT_TEXT(snow_json_encode_value(cx, &t_map_sf, r->w[0]), "{\"a\":[],\"b\":[1.0,2.5]}");
    snow_map_t *m = SNOW_WORD_TO_PTR(snow_map_t, r->w[0]);
    cr_assert(snow_map_has_key(cx, m, W(S("b"))));
    cr_assert_str_eq(decode_err(&t_map_sf, "{\"a\":[true]}"), "expected Float");
    cr_assert_str_eq(decode_err(&t_map_sf, "{\"a\":1}"), "expected Array");
}

static const snow_type_t *const p_i[] = {&snow_type_int};
static const char *const n_names[] = {"n"};
static const snow_type_t t_boxed_int = {.kind = SNOW_KIND_STRUCT,
                                        .flags = SNOW_TF_JSON,
                                        .count = 1,
                                        .name = "Boxed",
                                        .params = p_i,
                                        .field_names = n_names};
static const snow_type_t t_empty = {.kind = SNOW_KIND_STRUCT, .flags = SNOW_TF_JSON, .name = "E"};

Test(std_json, int_fields_accept_integral_floats_only)
{
    snow_record_t *r = snow_json_decode(cx, &t_boxed_int, S("{\"n\":1e2}"));
    cr_assert_eq(r->h.tag, SNOW_TAG_OK);
    cr_assert_eq(SNOW_WORD_TO_PTR(snow_record_t, r->w[0])->w[0], 100);
    r = snow_json_decode(cx, &t_boxed_int, S("{\"n\":-2.0,\"extra\":[1,2]}"));
    cr_assert_eq((int64_t)SNOW_WORD_TO_PTR(snow_record_t, r->w[0])->w[0], -2);
    cr_assert_str_eq(decode_err(&t_boxed_int, "{\"n\":2.9}"), "expected Int");
    cr_assert_str_eq(decode_err(&t_boxed_int, "{\"n\":\"2\"}"), "expected Int");
    cr_assert_str_eq(decode_err(&t_boxed_int, "{\"n\":1e300}"), "expected Int");
    cr_assert_eq(snow_json_decode(cx, &t_empty, S("42"))->h.tag, SNOW_TAG_OK);
}

Test(std_json, numbers_keep_int_or_float)
{
    cr_assert_str_eq(canon("[1.5e3,-1.5,0,-0.0,1E2,12345678901234567890]"),
                     "[1500.0,-1.5,0,-0.0,100.0,1.2345678901234567e+19]");
    cr_assert_str_eq(parse_err("[1,2"), "EOF while parsing a list at line 1 column 4");
    cr_assert_str_eq(parse_err("1e+"), "EOF while parsing a value at line 1 column 3");
    cr_assert_str_eq(parse_err("1e+x"), "invalid number at line 1 column 4");
    cr_assert_str_eq(parse_err(".5"), "expected value at line 1 column 1");
    cr_assert_str_eq(parse_err("-1e400"), "number out of range at line 1 column 6");
}
