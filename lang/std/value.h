/* value.h: descriptor-driven helpers shared by lang/std modules.
 *
 * The ABI functions snow_eq, snow_cmp, snow_hash, snow_to_string and
 * snow_inspect (snow.h) are the public face; these are the pieces the
 * collections need directly. */
#ifndef SNOW_LANG_STD_VALUE_H
#define SNOW_LANG_STD_VALUE_H

#include <stdint.h>

#include "lang/std/buf.h"
#include "lang/std/snow.h"

#define STD_FNV_BASIS 0xcbf29ce484222325ull
#define STD_FNV_PRIME 0x100000001b3ull

/* Pointer mask of a record holding values of types ts[0..n). */
uint64_t std_types_ptrmask(const snow_type_t *const *ts, uint32_t n);

/* FNV-1a continued from state h over the 8 little-endian bytes of v
 * (stdlib 4.6 combine). */
uint64_t std_hash_combine(uint64_t h, uint64_t v);

/* Appends the Display-else-Debug text of v (stdlib 4, nested rules: strings
 * unquoted) to b. */
void std_fmt_value(snow_ctx_t *cx, std_buf_t *b, const snow_type_t *t, snow_word_t v);

/* Appends the Display text of x (stdlib 4.2) to b. */
void std_fmt_float(std_buf_t *b, double x);

/* Shortest round-trip digits of finite x != 0: writes the digits (no dot,
 * no sign) to digits (>= 18 bytes) and returns their count; *exp10 is the
 * decimal exponent of the first digit (x = 0.d1d2... * 10^(exp10 + 1)). */
int std_float_shortest(double x, char *digits, int *exp10);

#endif
