/* str.c: the String module (stdlib 6) and UTF-8 helpers.
 *
 * Strings are immutable UTF-8; positions and lengths count code points
 * (stdlib 0.3), so slice/length walk the bytes (O(n)). Searching works on
 * bytes, which is exact for valid UTF-8: a match of valid needle bytes
 * always starts and ends on code-point boundaries. */
#define _GNU_SOURCE /* pthread_getattr_np, memmem, memrchr, GNU strerror_r */
#include "lang/std/str.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <wctype.h>

#include "lang/std/buf.h"
#include "lang/std/ctx.h"

/* {====== Allocation and UTF-8 */

snow_string_t *std_str_alloc(snow_ctx_t *cx, size_t len)
{
    snow_string_t *s = std_obj_alloc_dirty(cx, SNOW_OBJ_STRING, sizeof(snow_string_t) + len + 1);
    s->len = len;
    s->bytes[len] = 0;
    return s;
}

/* True when every byte is below 0x80 (8 bytes at a time). */
static bool all_ascii(const char *p, size_t len)
{
    uint64_t acc = 0;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        acc |= w;
    }
    for (; i < len; i++)
        acc |= (unsigned char)p[i];
    return (acc & 0x8080808080808080ull) == 0;
}

snow_string_t *snow_string_new(snow_ctx_t *cx, const char *bytes, size_t len)
{
    snow_string_t *s = std_str_alloc(cx, len);
    if (len)
        memcpy(s->bytes, bytes, len);
    s->h.tag = all_ascii(bytes, len) ? STD_STR_ASCII : STD_STR_UTF8;
    return s;
}

/* True when s is known or found to be ASCII (code point i = byte i). */
static bool is_ascii(const snow_string_t *s)
{
    if (s->h.tag == STD_STR_ASCII)
        return true;
    if (s->h.tag == STD_STR_UTF8)
        return false;
    return all_ascii(s->bytes, s->len); /* literal or unknown: not cached */
}

snow_string_t *std_str_from_cstr(snow_ctx_t *cx, const char *s)
{
    return snow_string_new(cx, s, strlen(s));
}

/* Returns the length of the valid sequence at p, or 0 if invalid. */
static size_t utf8_valid_at(const unsigned char *p, const unsigned char *end)
{
    unsigned c = p[0];
    if (c < 0x80)
        return 1;
    size_t n;
    uint32_t min, cp;
    if ((c & 0xE0) == 0xC0) {
        n = 2, min = 0x80, cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
        n = 3, min = 0x800, cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
        n = 4, min = 0x10000, cp = c & 0x07;
    } else {
        return 0;
    }
    if ((size_t)(end - p) < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

bool std_utf8_valid(const char *bytes, size_t len)
{
    const unsigned char *p = (const unsigned char *)bytes, *end = p + len;
    while (p < end) {
        size_t n = utf8_valid_at(p, end);
        if (!n)
            return false;
        p += n;
    }
    return true;
}

snow_string_t *snow_string_from_bytes_lossy(snow_ctx_t *cx, const char *bytes, size_t len)
{
    if (std_utf8_valid(bytes, len))
        return snow_string_new(cx, bytes, len);
    std_buf_t b = STD_BUF_INIT;
    const unsigned char *p = (const unsigned char *)bytes, *end = p + len;
    while (p < end) {
        size_t n = utf8_valid_at(p, end);
        if (n) {
            std_buf_put(&b, p, n);
            p += n;
        } else {
            std_buf_puts(&b, "\xEF\xBF\xBD");
            p++;
        }
    }
    return std_buf_to_string(cx, &b);
}

size_t std_utf8_decode(const char *p, const char *end, uint32_t *cp)
{
    const unsigned char *u = (const unsigned char *)p;
    (void)end;
    if (u[0] < 0x80) {
        *cp = u[0];
        return 1;
    }
    if ((u[0] & 0xE0) == 0xC0) {
        *cp = ((uint32_t)(u[0] & 0x1F) << 6) | (u[1] & 0x3F);
        return 2;
    }
    if ((u[0] & 0xF0) == 0xE0) {
        *cp = ((uint32_t)(u[0] & 0x0F) << 12) | ((uint32_t)(u[1] & 0x3F) << 6) | (u[2] & 0x3F);
        return 3;
    }
    *cp = ((uint32_t)(u[0] & 0x07) << 18) | ((uint32_t)(u[1] & 0x3F) << 12) |
          ((uint32_t)(u[2] & 0x3F) << 6) | (u[3] & 0x3F);
    return 4;
}

size_t std_utf8_encode(uint32_t cp, char out[4])
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

bool std_is_white_space(uint32_t cp)
{
    return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680 ||
           (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F ||
           cp == 0x205F || cp == 0x3000;
}

/* Byte offset of code point index i (clamped to the end). */
static size_t cp_offset(const snow_string_t *s, int64_t i)
{
    size_t off = 0;
    while (i > 0 && off < s->len) {
        off++;
        while (off < s->len && ((unsigned char)s->bytes[off] & 0xC0) == 0x80)
            off++;
        i--;
    }
    return off;
}

/* }====== */

/* {====== Concatenation and comparison */

snow_string_t *snow_string_concat(snow_ctx_t *cx, const snow_string_t *a, const snow_string_t *b)
{
    if (a->len == 0)
        return (snow_string_t *)b;
    if (b->len == 0)
        return (snow_string_t *)a;
    snow_string_t *s = std_str_alloc(cx, a->len + b->len);
    memcpy(s->bytes, a->bytes, a->len);
    memcpy(s->bytes + a->len, b->bytes, b->len);
    s->h.tag = is_ascii(a) && is_ascii(b) ? STD_STR_ASCII : STD_STR_UTF8;
    return s;
}

snow_string_t *snow_string_concatn(snow_ctx_t *cx, size_t n, snow_string_t *const parts[])
{
    size_t len = 0;
    for (size_t i = 0; i < n; i++)
        len += parts[i]->len;
    snow_string_t *s = std_str_alloc(cx, len);
    size_t off = 0;
    bool ascii = true;
    for (size_t i = 0; i < n; i++) {
        memcpy(s->bytes + off, parts[i]->bytes, parts[i]->len);
        off += parts[i]->len;
        ascii = ascii && is_ascii(parts[i]);
    }
    s->h.tag = ascii ? STD_STR_ASCII : STD_STR_UTF8;
    return s;
}

bool snow_string_eq(const snow_string_t *a, const snow_string_t *b)
{
    return a == b || (a->len == b->len && memcmp(a->bytes, b->bytes, a->len) == 0);
}

int snow_string_cmp(const snow_string_t *a, const snow_string_t *b)
{
    size_t n = a->len < b->len ? a->len : b->len;
    int c = memcmp(a->bytes, b->bytes, n);
    if (c)
        return c < 0 ? -1 : 1;
    return a->len < b->len ? -1 : a->len > b->len ? 1 : 0;
}

/* }====== */

/* {====== Queries */

int64_t snow_string_length(snow_ctx_t *cx, const snow_string_t *s)
{
    (void)cx;
    if (is_ascii(s))
        return (int64_t)s->len;
    int64_t n = 0;
    for (size_t i = 0; i < s->len; i++)
        n += ((unsigned char)s->bytes[i] & 0xC0) != 0x80;
    return n;
}

snow_string_t *snow_string_slice(snow_ctx_t *cx, const snow_string_t *s, int64_t start, int64_t end)
{
    if (start < 0)
        start = 0;
    if (end < start)
        end = start;
    if (s->h.tag == STD_STR_ASCII) { /* O(1) offsets; literals take the walk */
        size_t a = (uint64_t)start < s->len ? (size_t)start : s->len;
        size_t b = (uint64_t)end < s->len ? (size_t)end : s->len;
        snow_string_t *r = snow_string_new(cx, s->bytes + a, b - a);
        return r;
    }
    size_t a = cp_offset(s, start);
    size_t off = a;
    for (int64_t i = start; i < end && off < s->len; i++) {
        off++;
        while (off < s->len && ((unsigned char)s->bytes[off] & 0xC0) == 0x80)
            off++;
    }
    return snow_string_new(cx, s->bytes + a, off - a);
}

bool snow_string_contains(snow_ctx_t *cx, const snow_string_t *s, const snow_string_t *needle)
{
    (void)cx;
    return needle->len == 0 || memmem(s->bytes, s->len, needle->bytes, needle->len) != NULL;
}

bool snow_string_starts_with(snow_ctx_t *cx, const snow_string_t *s, const snow_string_t *prefix)
{
    (void)cx;
    return prefix->len <= s->len && memcmp(s->bytes, prefix->bytes, prefix->len) == 0;
}

bool snow_string_ends_with(snow_ctx_t *cx, const snow_string_t *s, const snow_string_t *suffix)
{
    (void)cx;
    return suffix->len <= s->len &&
           memcmp(s->bytes + s->len - suffix->len, suffix->bytes, suffix->len) == 0;
}

/* Byte range of s without leading/trailing White_Space. */
static void trim_range(const char *p, size_t len, size_t *lo, size_t *hi)
{
    size_t a = 0, b = len;
    while (a < b) {
        uint32_t cp;
        size_t n = std_utf8_decode(p + a, p + b, &cp);
        if (!std_is_white_space(cp))
            break;
        a += n;
    }
    while (b > a) {
        size_t start = b - 1;
        while (start > a && ((unsigned char)p[start] & 0xC0) == 0x80)
            start--;
        uint32_t cp;
        std_utf8_decode(p + start, p + b, &cp);
        if (!std_is_white_space(cp))
            break;
        b = start;
    }
    *lo = a;
    *hi = b;
}

snow_string_t *snow_string_trim(snow_ctx_t *cx, const snow_string_t *s)
{
    size_t lo, hi;
    trim_range(s->bytes, s->len, &lo, &hi);
    if (lo == 0 && hi == s->len)
        return (snow_string_t *)s;
    return snow_string_new(cx, s->bytes + lo, hi - lo);
}

/* }====== */

/* {====== Case mapping
 *
 * Simple mappings come from the C.UTF-8 locale (towupper_l/towlower_l);
 * the unconditional full mappings of SpecialCasing.txt that change length
 * are handled here, as is the final-sigma rule of to_lower. */

typedef struct special_case_t {
    uint32_t cp;
    const char *mapped;
} special_case_t;

/* Unconditional length-changing upper-case mappings (SpecialCasing.txt):
 * every code point whose full upper case (Unicode 14) differs from the
 * C.UTF-8 simple mapping. Generated; sorted by code point. */
static const special_case_t upper_special[] = {
    {0x00DF, "\x53\x53"},
    {0x0149, "\xCA\xBC\x4E"},
    {0x01F0, "\x4A\xCC\x8C"},
    {0x0390, "\xCE\x99\xCC\x88\xCC\x81"},
    {0x03B0, "\xCE\xA5\xCC\x88\xCC\x81"},
    {0x0587, "\xD4\xB5\xD5\x92"},
    {0x1E96, "\x48\xCC\xB1"},
    {0x1E97, "\x54\xCC\x88"},
    {0x1E98, "\x57\xCC\x8A"},
    {0x1E99, "\x59\xCC\x8A"},
    {0x1E9A, "\x41\xCA\xBE"},
    {0x1F50, "\xCE\xA5\xCC\x93"},
    {0x1F52, "\xCE\xA5\xCC\x93\xCC\x80"},
    {0x1F54, "\xCE\xA5\xCC\x93\xCC\x81"},
    {0x1F56, "\xCE\xA5\xCC\x93\xCD\x82"},
    {0x1F80, "\xE1\xBC\x88\xCE\x99"},
    {0x1F81, "\xE1\xBC\x89\xCE\x99"},
    {0x1F82, "\xE1\xBC\x8A\xCE\x99"},
    {0x1F83, "\xE1\xBC\x8B\xCE\x99"},
    {0x1F84, "\xE1\xBC\x8C\xCE\x99"},
    {0x1F85, "\xE1\xBC\x8D\xCE\x99"},
    {0x1F86, "\xE1\xBC\x8E\xCE\x99"},
    {0x1F87, "\xE1\xBC\x8F\xCE\x99"},
    {0x1F88, "\xE1\xBC\x88\xCE\x99"},
    {0x1F89, "\xE1\xBC\x89\xCE\x99"},
    {0x1F8A, "\xE1\xBC\x8A\xCE\x99"},
    {0x1F8B, "\xE1\xBC\x8B\xCE\x99"},
    {0x1F8C, "\xE1\xBC\x8C\xCE\x99"},
    {0x1F8D, "\xE1\xBC\x8D\xCE\x99"},
    {0x1F8E, "\xE1\xBC\x8E\xCE\x99"},
    {0x1F8F, "\xE1\xBC\x8F\xCE\x99"},
    {0x1F90, "\xE1\xBC\xA8\xCE\x99"},
    {0x1F91, "\xE1\xBC\xA9\xCE\x99"},
    {0x1F92, "\xE1\xBC\xAA\xCE\x99"},
    {0x1F93, "\xE1\xBC\xAB\xCE\x99"},
    {0x1F94, "\xE1\xBC\xAC\xCE\x99"},
    {0x1F95, "\xE1\xBC\xAD\xCE\x99"},
    {0x1F96, "\xE1\xBC\xAE\xCE\x99"},
    {0x1F97, "\xE1\xBC\xAF\xCE\x99"},
    {0x1F98, "\xE1\xBC\xA8\xCE\x99"},
    {0x1F99, "\xE1\xBC\xA9\xCE\x99"},
    {0x1F9A, "\xE1\xBC\xAA\xCE\x99"},
    {0x1F9B, "\xE1\xBC\xAB\xCE\x99"},
    {0x1F9C, "\xE1\xBC\xAC\xCE\x99"},
    {0x1F9D, "\xE1\xBC\xAD\xCE\x99"},
    {0x1F9E, "\xE1\xBC\xAE\xCE\x99"},
    {0x1F9F, "\xE1\xBC\xAF\xCE\x99"},
    {0x1FA0, "\xE1\xBD\xA8\xCE\x99"},
    {0x1FA1, "\xE1\xBD\xA9\xCE\x99"},
    {0x1FA2, "\xE1\xBD\xAA\xCE\x99"},
    {0x1FA3, "\xE1\xBD\xAB\xCE\x99"},
    {0x1FA4, "\xE1\xBD\xAC\xCE\x99"},
    {0x1FA5, "\xE1\xBD\xAD\xCE\x99"},
    {0x1FA6, "\xE1\xBD\xAE\xCE\x99"},
    {0x1FA7, "\xE1\xBD\xAF\xCE\x99"},
    {0x1FA8, "\xE1\xBD\xA8\xCE\x99"},
    {0x1FA9, "\xE1\xBD\xA9\xCE\x99"},
    {0x1FAA, "\xE1\xBD\xAA\xCE\x99"},
    {0x1FAB, "\xE1\xBD\xAB\xCE\x99"},
    {0x1FAC, "\xE1\xBD\xAC\xCE\x99"},
    {0x1FAD, "\xE1\xBD\xAD\xCE\x99"},
    {0x1FAE, "\xE1\xBD\xAE\xCE\x99"},
    {0x1FAF, "\xE1\xBD\xAF\xCE\x99"},
    {0x1FB2, "\xE1\xBE\xBA\xCE\x99"},
    {0x1FB3, "\xCE\x91\xCE\x99"},
    {0x1FB4, "\xCE\x86\xCE\x99"},
    {0x1FB6, "\xCE\x91\xCD\x82"},
    {0x1FB7, "\xCE\x91\xCD\x82\xCE\x99"},
    {0x1FBC, "\xCE\x91\xCE\x99"},
    {0x1FC2, "\xE1\xBF\x8A\xCE\x99"},
    {0x1FC3, "\xCE\x97\xCE\x99"},
    {0x1FC4, "\xCE\x89\xCE\x99"},
    {0x1FC6, "\xCE\x97\xCD\x82"},
    {0x1FC7, "\xCE\x97\xCD\x82\xCE\x99"},
    {0x1FCC, "\xCE\x97\xCE\x99"},
    {0x1FD2, "\xCE\x99\xCC\x88\xCC\x80"},
    {0x1FD3, "\xCE\x99\xCC\x88\xCC\x81"},
    {0x1FD6, "\xCE\x99\xCD\x82"},
    {0x1FD7, "\xCE\x99\xCC\x88\xCD\x82"},
    {0x1FE2, "\xCE\xA5\xCC\x88\xCC\x80"},
    {0x1FE3, "\xCE\xA5\xCC\x88\xCC\x81"},
    {0x1FE4, "\xCE\xA1\xCC\x93"},
    {0x1FE6, "\xCE\xA5\xCD\x82"},
    {0x1FE7, "\xCE\xA5\xCC\x88\xCD\x82"},
    {0x1FF2, "\xE1\xBF\xBA\xCE\x99"},
    {0x1FF3, "\xCE\xA9\xCE\x99"},
    {0x1FF4, "\xCE\x8F\xCE\x99"},
    {0x1FF6, "\xCE\xA9\xCD\x82"},
    {0x1FF7, "\xCE\xA9\xCD\x82\xCE\x99"},
    {0x1FFC, "\xCE\xA9\xCE\x99"},
    {0xFB00, "\x46\x46"},
    {0xFB01, "\x46\x49"},
    {0xFB02, "\x46\x4C"},
    {0xFB03, "\x46\x46\x49"},
    {0xFB04, "\x46\x46\x4C"},
    {0xFB05, "\x53\x54"},
    {0xFB06, "\x53\x54"},
    {0xFB13, "\xD5\x84\xD5\x86"},
    {0xFB14, "\xD5\x84\xD4\xB5"},
    {0xFB15, "\xD5\x84\xD4\xBB"},
    {0xFB16, "\xD5\x8E\xD5\x86"},
    {0xFB17, "\xD5\x84\xD4\xBD"},
};

static const char *special_upper(uint32_t cp)
{
    size_t lo = 0, hi = sizeof upper_special / sizeof upper_special[0];
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (upper_special[mid].cp == cp)
            return upper_special[mid].mapped;
        if (upper_special[mid].cp < cp)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static void put_cp(std_buf_t *b, uint32_t cp)
{
    char enc[4];
    std_buf_put(b, enc, std_utf8_encode(cp, enc));
}

snow_string_t *snow_string_to_upper(snow_ctx_t *cx, const snow_string_t *s)
{
    std_buf_t b = STD_BUF_INIT;
    std_buf_reserve(&b, s->len);
    const char *p = s->bytes, *end = p + s->len;
    while (p < end) {
        uint32_t cp;
        p += std_utf8_decode(p, end, &cp);
        const char *sp = cp >= 0xDF ? special_upper(cp) : NULL;
        if (sp)
            std_buf_puts(&b, sp);
        else
            put_cp(&b, cp < 0x80 ? (uint32_t)(cp >= 'a' && cp <= 'z' ? cp - 32 : cp)
                                 : (uint32_t)towupper_l((wint_t)cp, cx->rt->ctype));
    }
    return std_buf_to_string(cx, &b);
}

static bool is_cased_letter(snow_ctx_t *cx, uint32_t cp)
{
    return iswalpha_l((wint_t)cp, cx->rt->ctype) &&
           (towupper_l((wint_t)cp, cx->rt->ctype) != (wint_t)cp ||
            towlower_l((wint_t)cp, cx->rt->ctype) != (wint_t)cp);
}

/* Final sigma: preceded by a cased letter and not followed by one. */
static bool sigma_is_final(snow_ctx_t *cx, const char *start, const char *at, const char *end)
{
    const char *q = at;
    bool before = false;
    if (q > start) {
        const char *prev = q - 1;
        while (prev > start && ((unsigned char)*prev & 0xC0) == 0x80)
            prev--;
        uint32_t cp;
        std_utf8_decode(prev, end, &cp);
        before = is_cased_letter(cx, cp);
    }
    if (!before)
        return false;
    q += 2; /* U+03A3 is two bytes */
    if (q >= end)
        return true;
    uint32_t next;
    std_utf8_decode(q, end, &next);
    return !is_cased_letter(cx, next);
}

snow_string_t *snow_string_to_lower(snow_ctx_t *cx, const snow_string_t *s)
{
    std_buf_t b = STD_BUF_INIT;
    std_buf_reserve(&b, s->len);
    const char *p = s->bytes, *end = p + s->len;
    while (p < end) {
        uint32_t cp;
        const char *at = p;
        p += std_utf8_decode(p, end, &cp);
        if (cp < 0x80)
            std_buf_putc(&b, (char)(cp >= 'A' && cp <= 'Z' ? cp + 32 : cp));
        else if (cp == 0x130)
            std_buf_puts(&b, "i\xCC\x87");
        else if (cp == 0x3A3)
            put_cp(&b, sigma_is_final(cx, s->bytes, at, end) ? 0x3C2 : 0x3C3);
        else
            put_cp(&b, (uint32_t)towlower_l((wint_t)cp, cx->rt->ctype));
    }
    return std_buf_to_string(cx, &b);
}

/* }====== */

/* {====== Replace, split, join */

/* Byte length of the code point starting at p. */
static size_t cp_len(const char *p)
{
    unsigned c = (unsigned char)*p;
    return c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : 4;
}

snow_string_t *snow_string_replace(snow_ctx_t *cx, const snow_string_t *s,
                                   const snow_string_t *from, const snow_string_t *to)
{
    std_buf_t b = STD_BUF_INIT;
    if (from->len == 0) {
        for (size_t i = 0; i < s->len;) {
            size_t n = cp_len(s->bytes + i);
            std_buf_put_str(&b, to);
            std_buf_put(&b, s->bytes + i, n);
            i += n;
        }
        std_buf_put_str(&b, to);
        return std_buf_to_string(cx, &b);
    }
    const char *p = s->bytes, *end = p + s->len;
    for (;;) {
        const char *hit = memmem(p, (size_t)(end - p), from->bytes, from->len);
        if (!hit)
            break;
        std_buf_put(&b, p, (size_t)(hit - p));
        std_buf_put_str(&b, to);
        p = hit + from->len;
    }
    std_buf_put(&b, p, (size_t)(end - p));
    return std_buf_to_string(cx, &b);
}

static snow_list_t *push_piece(snow_ctx_t *cx, snow_list_t *xs, const char *p, size_t n)
{
    snow_string_t *piece = snow_string_new(cx, p, n);
    return snow_list_append(cx, xs, SNOW_WORD_PTR(piece));
}

snow_list_t *snow_string_split(snow_ctx_t *cx, const snow_string_t *s, const snow_string_t *sep)
{
    snow_list_t *xs = snow_list_new(cx, &snow_type_string);
    if (sep->len == 0) {
        xs = push_piece(cx, xs, "", 0);
        for (size_t i = 0; i < s->len;) {
            size_t n = cp_len(s->bytes + i);
            xs = push_piece(cx, xs, s->bytes + i, n);
            i += n;
        }
        return push_piece(cx, xs, "", 0);
    }
    const char *p = s->bytes, *end = p + s->len;
    for (;;) {
        const char *hit = memmem(p, (size_t)(end - p), sep->bytes, sep->len);
        if (!hit)
            break;
        xs = push_piece(cx, xs, p, (size_t)(hit - p));
        p = hit + sep->len;
    }
    return push_piece(cx, xs, p, (size_t)(end - p));
}

snow_string_t *snow_string_join(snow_ctx_t *cx, const snow_list_t *parts, const snow_string_t *sep)
{
    std_buf_t b = STD_BUF_INIT;
    const snow_word_t *items = snow_list_items(parts);
    for (int64_t i = 0; i < parts->len; i++) {
        if (i)
            std_buf_put_str(&b, sep);
        std_buf_put_str(&b, SNOW_WORD_TO_PTR(snow_string_t, items[i]));
    }
    return std_buf_to_string(cx, &b);
}

/* }====== */

/* {====== Number parsing (stdlib 6 to_int, to_float) */

bool std_parse_int(const char *p, size_t len, int64_t *out)
{
    size_t i = 0;
    bool neg = false;
    if (i < len && (p[i] == '+' || p[i] == '-'))
        neg = p[i++] == '-';
    if (i == len)
        return false;
    uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    uint64_t v = 0;
    for (; i < len; i++) {
        if (p[i] < '0' || p[i] > '9')
            return false;
        uint64_t d = (uint64_t)(p[i] - '0');
        if (v > (limit - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return true;
}

snow_record_t *snow_string_to_int(snow_ctx_t *cx, const snow_string_t *s)
{
    size_t lo, hi;
    trim_range(s->bytes, s->len, &lo, &hi);
    int64_t v;
    if (!std_parse_int(s->bytes + lo, hi - lo, &v))
        return std_none();
    return std_some(cx, (snow_word_t)v, false);
}

static bool word_ieq(const char *p, size_t len, const char *w)
{
    return strlen(w) == len && strncasecmp(p, w, len) == 0;
}

/* Checks the to_float grammar of stdlib 6 on p[0..len). */
static bool float_syntax_ok(const char *p, size_t len)
{
    size_t i = 0;
    if (i < len && (p[i] == '+' || p[i] == '-'))
        i++;
    const char *w = p + i;
    size_t wl = len - i;
    if (word_ieq(w, wl, "inf") || word_ieq(w, wl, "infinity") || word_ieq(w, wl, "nan"))
        return true;
    size_t digits = 0;
    while (i < len && p[i] >= '0' && p[i] <= '9')
        i++, digits++;
    if (i < len && p[i] == '.') {
        i++;
        while (i < len && p[i] >= '0' && p[i] <= '9')
            i++, digits++;
    }
    if (digits == 0)
        return false;
    if (i < len && (p[i] == 'e' || p[i] == 'E')) {
        i++;
        if (i < len && (p[i] == '+' || p[i] == '-'))
            i++;
        size_t ed = 0;
        while (i < len && p[i] >= '0' && p[i] <= '9')
            i++, ed++;
        if (ed == 0)
            return false;
    }
    return i == len;
}

snow_record_t *snow_string_to_float(snow_ctx_t *cx, const snow_string_t *s)
{
    size_t lo, hi;
    trim_range(s->bytes, s->len, &lo, &hi);
    if (!float_syntax_ok(s->bytes + lo, hi - lo))
        return std_none();
    char tmp[64];
    char *copy = hi - lo < sizeof tmp ? tmp : NULL;
    std_buf_t big = STD_BUF_INIT;
    if (!copy) {
        std_buf_put(&big, s->bytes + lo, hi - lo);
        std_buf_putc(&big, 0);
        copy = big.p;
    } else {
        memcpy(tmp, s->bytes + lo, hi - lo);
        tmp[hi - lo] = 0;
    }
    double d = strtod(copy, NULL);
    std_buf_free(&big);
    return std_some(cx, snow_word_from_float(d), false);
}

/* }====== */
