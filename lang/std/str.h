/* str.h: string internals shared by lang/std modules: allocation of a
 * string of known length, UTF-8 decoding/encoding/validation.
 *
 * Invariant: every snow_string_t holds valid UTF-8 followed by a NUL byte. */
#ifndef SNOW_LANG_STD_STR_H
#define SNOW_LANG_STD_STR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lang/std/snow.h"

/* snow_obj_t.tag of a heap string: what is known about its bytes. Static
 * literals have 0 (unknown). */
enum { STD_STR_UNKNOWN = 0, STD_STR_ASCII = 1, STD_STR_UTF8 = 2 };

/* Returns a new string of len bytes (contents undefined, to be filled; the
 * NUL after them is written; tag unknown). */
snow_string_t *std_str_alloc(snow_ctx_t *cx, size_t len);

/* New string from a NUL-terminated valid UTF-8 C string. */
snow_string_t *std_str_from_cstr(snow_ctx_t *cx, const char *s);

/* True when bytes[0..len) is valid UTF-8 (no surrogates, no overlongs). */
bool std_utf8_valid(const char *bytes, size_t len);

/* Decodes the code point at p (valid UTF-8, p < end); returns its byte
 * length and stores it in *cp. */
size_t std_utf8_decode(const char *p, const char *end, uint32_t *cp);

/* Encodes cp (a scalar value) into out; returns 1..4. */
size_t std_utf8_encode(uint32_t cp, char out[4]);

/* True for characters with the Unicode White_Space property. */
bool std_is_white_space(uint32_t cp);

/* Parses an optional sign and one or more ASCII digits (exactly the bytes
 * p[0..len)) into *out; false on bad syntax or overflow. */
bool std_parse_int(const char *p, size_t len, int64_t *out);

#endif
