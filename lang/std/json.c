/* json.c: JSON parsing and encoding (stdlib 16.2-16.4).
 *
 * The parser is a recursive descent over the UTF-8 text with a depth limit
 * of 127 nested arrays/objects. Error texts and positions follow the v5.0
 * reference table: an error found while looking at a character reports that
 * character's 1-based column ("peek" position); an error found after
 * consuming input reports the column of the last consumed character. */
#include "lang/std/json.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/std/alloc.h"
#include "lang/std/ctx.h"
#include "lang/std/map.h"
#include "lang/std/str.h"
#include "lang/std/value.h"

#define DEPTH_MAX 128

/* {====== Constructors */

snow_json_t *std_json_new(snow_ctx_t *cx, uint16_t tag, uint32_t count, uint64_t mask)
{
    snow_json_t *j = snow_record_new(cx, tag, count, mask);
    j->h.kind = SNOW_OBJ_JSON;
    return j;
}

snow_json_t *std_json_scalar(snow_ctx_t *cx, uint16_t tag, snow_word_t w)
{
    snow_json_t *j = std_json_new(cx, tag, 1, tag == STD_JSON_STRING ? 1 : 0);
    j->w[0] = w;
    return j;
}

snow_json_t *std_json_array(snow_ctx_t *cx, snow_list_t *items)
{
    snow_json_t *j = std_json_new(cx, STD_JSON_ARRAY, 1, 1);
    j->w[0] = SNOW_WORD_PTR(items);
    return j;
}

typedef struct kv_t {
    snow_word_t k, v;
    int64_t i;
} kv_t;

static int kv_cmp(const void *a, const void *b)
{
    const kv_t *x = a, *y = b;
    int c = snow_string_cmp(SNOW_WORD_TO_PTR(snow_string_t, x->k),
                            SNOW_WORD_TO_PTR(snow_string_t, y->k));
    return c ? c : (x->i < y->i ? -1 : 1);
}

/* Sorting runs on a runtime copy: comparing strings never allocates, so no
 * collection happens while the words sit outside the heap. */
snow_json_t *std_json_object(snow_ctx_t *cx, snow_list_t *keys, snow_list_t *vals)
{
    int64_t n = keys->len;
    kv_t *kv = std_rt_alloc(sizeof(kv_t) * (size_t)(n ? n : 1));
    for (int64_t i = 0; i < n; i++)
        kv[i] = (kv_t){snow_list_items(keys)[i], snow_list_items(vals)[i], i};
    qsort(kv, (size_t)n, sizeof *kv, kv_cmp);
    snow_word_t *k = snow_list_items(keys), *v = snow_list_items(vals);
    int64_t m = 0;
    for (int64_t i = 0; i < n; i++) {
        if (i + 1 < n && snow_string_eq(SNOW_WORD_TO_PTR(snow_string_t, kv[i].k),
                                        SNOW_WORD_TO_PTR(snow_string_t, kv[i + 1].k)))
            continue; /* a later duplicate wins */
        k[m] = kv[i].k;
        v[m] = kv[i].v;
        m++;
    }
    std_rt_free(kv);
    snow_json_t *j = std_json_new(cx, STD_JSON_OBJECT, 2, 3);
    j->w[0] = SNOW_WORD_PTR(snow_list_take(cx, keys, m));
    j->w[1] = SNOW_WORD_PTR(snow_list_take(cx, vals, m));
    return j;
}

/* }====== */

/* {====== Parser */

typedef struct parser_t {
    snow_ctx_t *cx;
    const char *s;
    size_t len;
    size_t pos;
    int depth;
    const char *err; /* description; NULL while fine */
    size_t err_line;
    size_t err_col;
} parser_t;

static void set_error(parser_t *p, const char *what, size_t index)
{
    if (p->err)
        return;
    size_t line = 1, ls = 0;
    for (size_t i = 0; i < index && i < p->len; i++)
        if (p->s[i] == '\n')
            line++, ls = i + 1;
    p->err = what;
    p->err_line = line;
    p->err_col = index - ls;
}

/* Error at the last consumed character. */
static void err_here(parser_t *p, const char *what) { set_error(p, what, p->pos); }

/* Error at the character being looked at (or the last one at the end). */
static void err_peek(parser_t *p, const char *what)
{
    set_error(p, what, p->pos + 1 < p->len ? p->pos + 1 : p->len);
}

static int peek_ws(parser_t *p)
{
    while (p->pos < p->len) {
        char c = p->s[p->pos];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            return (unsigned char)c;
        p->pos++;
    }
    return -1;
}

static snow_json_t *parse_value(parser_t *p);

static snow_json_t *parse_ident(parser_t *p, const char *rest, snow_json_t *val)
{
    p->pos++;
    for (const char *r = rest; *r; r++) {
        if (p->pos >= p->len) {
            err_here(p, "EOF while parsing a value");
            return NULL;
        }
        if (p->s[p->pos++] != *r) {
            err_here(p, "expected ident");
            return NULL;
        }
    }
    return val;
}

static bool is_digit(parser_t *p)
{
    return p->pos < p->len && p->s[p->pos] >= '0' && p->s[p->pos] <= '9';
}

static bool scan_digits(parser_t *p)
{
    bool any = false;
    while (is_digit(p))
        p->pos++, any = true;
    return any;
}

/* number = "-"? int frac? exp? (RFC 8259). */
static snow_json_t *parse_number(parser_t *p)
{
    size_t start = p->pos;
    bool is_float = false;
    if (p->s[p->pos] == '-')
        p->pos++;
    if (p->pos >= p->len) {
        err_here(p, "EOF while parsing a value");
        return NULL;
    }
    char c = p->s[p->pos++];
    if (c == '0') {
        if (is_digit(p)) {
            err_peek(p, "invalid number");
            return NULL;
        }
    } else if (c >= '1' && c <= '9') {
        scan_digits(p);
    } else {
        err_here(p, "invalid number");
        return NULL;
    }
    if (p->pos < p->len && p->s[p->pos] == '.') {
        p->pos++;
        is_float = true;
        if (!scan_digits(p)) {
            err_peek(p, p->pos < p->len ? "invalid number" : "EOF while parsing a value");
            return NULL;
        }
    }
    if (p->pos < p->len && (p->s[p->pos] == 'e' || p->s[p->pos] == 'E')) {
        p->pos++;
        is_float = true;
        if (p->pos < p->len && (p->s[p->pos] == '+' || p->s[p->pos] == '-'))
            p->pos++;
        if (p->pos >= p->len) {
            err_here(p, "EOF while parsing a value");
            return NULL;
        }
        if (!is_digit(p)) {
            p->pos++;
            err_here(p, "invalid number");
            return NULL;
        }
        scan_digits(p);
    }
    char tmp[512];
    std_buf_t big = STD_BUF_INIT;
    size_t n = p->pos - start;
    char *text = tmp;
    if (n >= sizeof tmp) {
        std_buf_put(&big, p->s + start, n);
        text = big.p;
    } else {
        memcpy(tmp, p->s + start, n);
    }
    text[n] = 0;
    snow_json_t *out = NULL;
    int64_t iv;
    if (!is_float && strcmp(text, "-0") != 0 && std_parse_int(text, n, &iv)) {
        out = std_json_scalar(p->cx, STD_JSON_INT, (snow_word_t)iv);
    } else {
        double d = strtod(text, NULL);
        if (isinf(d))
            err_here(p, "number out of range");
        else
            out = std_json_scalar(p->cx, STD_JSON_FLOAT, snow_word_from_float(d));
    }
    std_buf_free(&big);
    return out;
}

static int hex_val(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Reads 4 hex digits; -1 on error (already reported). */
static int32_t read_hex4(parser_t *p)
{
    if (p->len - p->pos < 4) {
        p->pos = p->len;
        err_here(p, "EOF while parsing a string");
        return -1;
    }
    int32_t v = 0;
    for (int i = 0; i < 4; i++) {
        int h = hex_val(p->s[p->pos + (size_t)i]);
        if (h < 0) {
            p->pos += 4;
            err_here(p, "invalid escape");
            return -1;
        }
        v = v * 16 + h;
    }
    p->pos += 4;
    return v;
}

/* After "\u": decodes one escape (or a surrogate pair) into b. */
static bool parse_unicode(parser_t *p, std_buf_t *b)
{
    int32_t n = read_hex4(p);
    if (n < 0)
        return false;
    if (n >= 0xDC00 && n <= 0xDFFF) {
        err_here(p, "lone leading surrogate in hex escape");
        return false;
    }
    uint32_t cp = (uint32_t)n;
    if (n >= 0xD800 && n <= 0xDBFF) {
        for (const char *want = "\\u"; *want; want++) {
            if (p->pos >= p->len) {
                err_here(p, "EOF while parsing a string");
                return false;
            }
            if (p->s[p->pos++] != *want) {
                err_here(p, "unexpected end of hex escape");
                return false;
            }
        }
        int32_t n2 = read_hex4(p);
        if (n2 < 0)
            return false;
        if (n2 < 0xDC00 || n2 > 0xDFFF) {
            err_here(p, "lone leading surrogate in hex escape");
            return false;
        }
        cp = 0x10000 + (((uint32_t)n - 0xD800) << 10) + ((uint32_t)n2 - 0xDC00);
    }
    char enc[4];
    std_buf_put(b, enc, std_utf8_encode(cp, enc));
    return true;
}

static bool parse_escape(parser_t *p, std_buf_t *b)
{
    if (p->pos >= p->len) {
        err_here(p, "EOF while parsing a string");
        return false;
    }
    char c = p->s[p->pos++];
    switch (c) {
    case '"':
        std_buf_putc(b, '"');
        return true;
    case '\\':
        std_buf_putc(b, '\\');
        return true;
    case '/':
        std_buf_putc(b, '/');
        return true;
    case 'b':
        std_buf_putc(b, '\b');
        return true;
    case 'f':
        std_buf_putc(b, '\f');
        return true;
    case 'n':
        std_buf_putc(b, '\n');
        return true;
    case 'r':
        std_buf_putc(b, '\r');
        return true;
    case 't':
        std_buf_putc(b, '\t');
        return true;
    case 'u':
        return parse_unicode(p, b);
    default:
        err_here(p, "invalid escape");
        return false;
    }
}

/* After the opening quote. */
static snow_string_t *parse_string(parser_t *p)
{
    std_buf_t b = STD_BUF_INIT;
    for (;;) {
        if (p->pos >= p->len) {
            err_here(p, "EOF while parsing a string");
            break;
        }
        unsigned char c = (unsigned char)p->s[p->pos++];
        if (c == '"')
            return std_buf_to_string(p->cx, &b);
        if (c == '\\') {
            if (!parse_escape(p, &b))
                break;
        } else if (c < 0x20) {
            err_here(p, "control character (\\u0000-\\u001F) found while parsing a string");
            break;
        } else {
            std_buf_putc(&b, (char)c);
        }
    }
    std_buf_free(&b);
    return NULL;
}

static snow_json_t *parse_array(parser_t *p)
{
    p->pos++;
    snow_list_t *items = snow_list_new(p->cx, &snow_type_json);
    for (bool first = true;; first = false) {
        int c = peek_ws(p);
        if (c == ']') {
            p->pos++;
            return std_json_array(p->cx, items);
        }
        if (c < 0) {
            err_peek(p, "EOF while parsing a list");
            return NULL;
        }
        if (!first) {
            if (c != ',') {
                err_peek(p, "expected `,` or `]`");
                return NULL;
            }
            p->pos++;
            c = peek_ws(p);
            if (c == ']') {
                err_peek(p, "trailing comma");
                return NULL;
            }
        }
        snow_json_t *v = parse_value(p);
        if (!v)
            return NULL;
        items = snow_list_append(p->cx, items, SNOW_WORD_PTR(v));
    }
}

static snow_json_t *parse_object(parser_t *p)
{
    p->pos++;
    snow_list_t *keys = snow_list_new(p->cx, &snow_type_string);
    snow_list_t *vals = snow_list_new(p->cx, &snow_type_json);
    for (bool first = true;; first = false) {
        int c = peek_ws(p);
        if (c == '}') {
            p->pos++;
            return std_json_object(p->cx, keys, vals);
        }
        if (c < 0) {
            err_peek(p, "EOF while parsing an object");
            return NULL;
        }
        if (!first) {
            if (c != ',') {
                err_peek(p, "expected `,` or `}`");
                return NULL;
            }
            p->pos++;
            c = peek_ws(p);
        }
        if (c != '"') {
            err_peek(p, c == '}' ? "trailing comma"
                        : c < 0  ? "EOF while parsing a value"
                                 : "key must be a string");
            return NULL;
        }
        p->pos++;
        snow_string_t *key = parse_string(p);
        if (!key)
            return NULL;
        c = peek_ws(p);
        if (c != ':') {
            err_peek(p, c < 0 ? "EOF while parsing an object" : "expected `:`");
            return NULL;
        }
        p->pos++;
        snow_json_t *v = parse_value(p);
        if (!v)
            return NULL;
        keys = snow_list_append(p->cx, keys, SNOW_WORD_PTR(key));
        vals = snow_list_append(p->cx, vals, SNOW_WORD_PTR(v));
    }
}

static snow_json_t *parse_nested(parser_t *p, bool array)
{
    if (++p->depth >= DEPTH_MAX) {
        err_peek(p, "recursion limit exceeded");
        return NULL;
    }
    snow_json_t *v = array ? parse_array(p) : parse_object(p);
    p->depth--;
    return v;
}

static snow_json_t *parse_value(parser_t *p)
{
    int c = peek_ws(p);
    switch (c) {
    case -1:
        err_peek(p, "EOF while parsing a value");
        return NULL;
    case 'n':
        return parse_ident(p, "ull", std_json_new(p->cx, STD_JSON_NULL, 0, 0));
    case 't':
        return parse_ident(p, "rue", std_json_scalar(p->cx, STD_JSON_BOOL, 1));
    case 'f':
        return parse_ident(p, "alse", std_json_scalar(p->cx, STD_JSON_BOOL, 0));
    case '"': {
        p->pos++;
        snow_string_t *s = parse_string(p);
        return s ? std_json_scalar(p->cx, STD_JSON_STRING, SNOW_WORD_PTR(s)) : NULL;
    }
    case '[':
        return parse_nested(p, true);
    case '{':
        return parse_nested(p, false);
    default:
        if (c == '-' || (c >= '0' && c <= '9'))
            return parse_number(p);
        err_peek(p, "expected value");
        return NULL;
    }
}

/* Parses text; on failure returns NULL and stores the error text in *err. */
static snow_json_t *json_parse(snow_ctx_t *cx, const snow_string_t *text, snow_string_t **err)
{
    parser_t p = {.cx = cx, .s = text->bytes, .len = text->len};
    snow_json_t *v = parse_value(&p);
    if (v && peek_ws(&p) >= 0) {
        err_peek(&p, "trailing characters");
        v = NULL;
    }
    if (!v) {
        char msg[200];
        int n =
            snprintf(msg, sizeof msg, "%s at line %zu column %zu", p.err, p.err_line, p.err_col);
        *err = snow_string_new(cx, msg, (size_t)n);
    }
    return v;
}

snow_record_t *snow_json_parse(snow_ctx_t *cx, const snow_string_t *text)
{
    snow_string_t *err = NULL;
    snow_json_t *v = json_parse(cx, text, &err);
    return v ? std_ok(cx, SNOW_WORD_PTR(v), true) : std_err(cx, err);
}

/* }====== */
