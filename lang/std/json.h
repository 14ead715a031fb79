/* json.h: the Json value representation shared by the JSON modules.
 *
 * A Json value is a record of kind SNOW_OBJ_JSON whose tag says what it is:
 *   NULL: no words; BOOL: w[0] = 0/1; INT: w[0] = int64; FLOAT: w[0] = bits;
 *   STRING: w[0] = snow_string_t *; ARRAY: w[0] = List<Json>;
 *   OBJECT: w[0] = List<String> keys, w[1] = List<Json> values, keys unique
 *   and sorted by bytes (stdlib 16.2: parsed objects are key-sorted, 16.3:
 *   output is key-sorted). */
#ifndef SNOW_LANG_STD_JSON_H
#define SNOW_LANG_STD_JSON_H

#include "lang/std/buf.h"
#include "lang/std/snow.h"

enum {
    STD_JSON_NULL = 0,
    STD_JSON_BOOL,
    STD_JSON_INT,
    STD_JSON_FLOAT,
    STD_JSON_STRING,
    STD_JSON_ARRAY,
    STD_JSON_OBJECT,
};

/* Constructors: a Json node with tag and count words (ptrmask as records);
 * a one-word scalar (STRING payloads are traced); an array of a List<Json>;
 * an object from parallel key (String) and value (Json) lists, which sorts
 * by key and keeps the last value of a repeated key (reorders both lists'
 * storage in place: pass fresh lists). */
snow_json_t *std_json_new(snow_ctx_t *cx, uint16_t tag, uint32_t count, uint64_t mask);
snow_json_t *std_json_scalar(snow_ctx_t *cx, uint16_t tag, snow_word_t w);
snow_json_t *std_json_array(snow_ctx_t *cx, snow_list_t *items);
snow_json_t *std_json_object(snow_ctx_t *cx, snow_list_t *keys, snow_list_t *vals);

/* Appends the 16.3 encoding of a float / a string literal to b. */
void std_json_put_float(std_buf_t *b, double x);
void std_json_put_string(std_buf_t *b, const char *p, size_t len);

#endif
