/* toml.c: the snow.toml reader (toml.h).
 *
 * A recursive-descent reader over the whole text. Every function that can
 * fail returns NULL/false after recording the first error; nothing is
 * printed here. Nesting of arrays and inline tables is limited to
 * TOML_NEST_MAX so hostile input cannot exhaust the stack.
 */
#include "lang/compiler/toml.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOML_NEST_MAX 32

typedef struct {
    const char *s;
    size_t len;
    size_t pos;
    uint32_t line;
    int nest;
    char *err;
    size_t err_size;
    bool failed;
} reader_t;

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    if (!p) {
        perror("snowc: out of memory");
        abort();
    }
    return p;
}

static void *xrealloc(void *p, size_t size)
{
    p = realloc(p, size);
    if (!p) {
        perror("snowc: out of memory");
        abort();
    }
    return p;
}

static void fail(reader_t *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(reader_t *r, const char *fmt, ...)
{
    if (r->failed)
        return;
    r->failed = true;
    int n = snprintf(r->err, r->err_size, "line %u: ", r->line);
    if (n < 0 || (size_t)n >= r->err_size)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->err + n, r->err_size - (size_t)n, fmt, ap);
    va_end(ap);
}

static int peek(const reader_t *r)
{
    return r->pos < r->len ? (unsigned char)r->s[r->pos] : -1;
}

/* Skips spaces, tabs and a comment, but not the end of the line. */
static void skip_blank(reader_t *r)
{
    while (peek(r) == ' ' || peek(r) == '\t')
        r->pos++;
    if (peek(r) == '#')
        while (r->pos < r->len && r->s[r->pos] != '\n')
            r->pos++;
}

/* Skips blanks, comments and line breaks (inside arrays). */
static void skip_space_lines(reader_t *r)
{
    for (;;) {
        skip_blank(r);
        if (peek(r) == '\n') {
            r->pos++;
            r->line++;
        } else if (peek(r) == '\r') {
            r->pos++;
        } else {
            return;
        }
    }
}

static bool at_line_end(reader_t *r)
{
    skip_blank(r);
    if (peek(r) == '\r')
        r->pos++;
    return peek(r) == '\n' || peek(r) == -1;
}

static bool is_bare(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '-';
}

/* Appends the UTF-8 encoding of cp to buf. */
static size_t put_utf8(char *buf, uint32_t cp)
{
    if (cp < 0x80) {
        buf[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        buf[0] = (char)(0xC0 | (cp >> 6));
        buf[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        buf[0] = (char)(0xE0 | (cp >> 12));
        buf[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        buf[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    buf[0] = (char)(0xF0 | (cp >> 18));
    buf[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    buf[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    buf[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

static bool read_escape(reader_t *r, char *out, size_t *n)
{
    int c = peek(r);
    r->pos++;
    switch (c) {
    case '"': out[(*n)++] = '"'; return true;
    case '\\': out[(*n)++] = '\\'; return true;
    case 'n': out[(*n)++] = '\n'; return true;
    case 't': out[(*n)++] = '\t'; return true;
    case 'r': out[(*n)++] = '\r'; return true;
    case 'u': case 'U': {
        int digits = c == 'u' ? 4 : 8;
        uint32_t cp = 0;
        for (int i = 0; i < digits; i++) {
            int h = peek(r);
            int v = h >= '0' && h <= '9' ? h - '0'
                    : h >= 'a' && h <= 'f' ? h - 'a' + 10
                    : h >= 'A' && h <= 'F' ? h - 'A' + 10 : -1;
            if (v < 0) {
                fail(r, "invalid \\%c escape", c);
                return false;
            }
            cp = cp * 16 + (uint32_t)v;
            r->pos++;
        }
        if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
            fail(r, "invalid unicode escape");
            return false;
        }
        *n += put_utf8(out + *n, cp);
        return true;
    }
    default:
        fail(r, "invalid escape sequence in string");
        return false;
    }
}

/* A "basic" or 'literal' string on one line; the opening quote is at pos. */
static char *read_string(reader_t *r)
{
    int quote = peek(r);
    r->pos++;
    if (peek(r) == quote && r->pos + 1 < r->len && r->s[r->pos + 1] == quote) {
        fail(r, "multi-line strings are not supported");
        return NULL;
    }
    char *out = xcalloc(r->len - r->pos + 1, 1);
    size_t n = 0;
    for (;;) {
        int c = peek(r);
        if (c == -1 || c == '\n') {
            fail(r, "unterminated string");
            free(out);
            return NULL;
        }
        r->pos++;
        if (c == quote)
            break;
        if (c == '\\' && quote == '"') {
            if (!read_escape(r, out, &n)) {
                free(out);
                return NULL;
            }
        } else {
            out[n++] = (char)c;
        }
    }
    out[n] = '\0';
    return out;
}

static char *read_key(reader_t *r)
{
    skip_blank(r);
    if (peek(r) == '"' || peek(r) == '\'')
        return read_string(r);
    size_t start = r->pos;
    while (is_bare(peek(r)))
        r->pos++;
    if (r->pos == start) {
        fail(r, "expected a key");
        return NULL;
    }
    char *key = xcalloc(r->pos - start + 1, 1);
    memcpy(key, r->s + start, r->pos - start);
    return key;
}

static toml_value_t *new_value(toml_kind_t kind)
{
    toml_value_t *v = xcalloc(1, sizeof *v);
    v->kind = kind;
    return v;
}

/* Adds key = value to table; a duplicate key is an error (value freed). */
static bool table_add(reader_t *r, toml_value_t *table, char *key, toml_value_t *value)
{
    if (toml_get(table, key)) {
        fail(r, "duplicate key '%s'", key);
        free(key);
        toml_free(value);
        return false;
    }
    table->entries = xrealloc(table->entries, (table->entry_count + 1) * sizeof(toml_entry_t));
    table->entries[table->entry_count++] =
        (toml_entry_t){.key = key, .value = value, .line = r->line};
    return true;
}

static toml_value_t *read_value(reader_t *r);

static toml_value_t *read_array(reader_t *r)
{
    r->pos++; /* [ */
    toml_value_t *a = new_value(TOML_ARRAY);
    for (;;) {
        skip_space_lines(r);
        if (peek(r) == ']') {
            r->pos++;
            return a;
        }
        toml_value_t *item = read_value(r);
        if (!item)
            break;
        a->items = xrealloc(a->items, (a->item_count + 1) * sizeof(toml_value_t *));
        a->items[a->item_count++] = item;
        skip_space_lines(r);
        if (peek(r) == ',') {
            r->pos++;
        } else if (peek(r) != ']') {
            fail(r, "expected ',' or ']' in array");
            break;
        }
    }
    toml_free(a);
    return NULL;
}

static toml_value_t *read_inline_table(reader_t *r)
{
    r->pos++; /* { */
    toml_value_t *t = new_value(TOML_TABLE);
    skip_blank(r);
    if (peek(r) == '}') {
        r->pos++;
        return t;
    }
    for (;;) {
        char *key = read_key(r);
        if (!key)
            break;
        skip_blank(r);
        if (peek(r) != '=') {
            fail(r, "expected '=' after key '%s'", key);
            free(key);
            break;
        }
        r->pos++;
        skip_blank(r);
        toml_value_t *v = read_value(r);
        if (!v) {
            free(key);
            break;
        }
        if (!table_add(r, t, key, v))
            break;
        skip_blank(r);
        if (peek(r) == '}') {
            r->pos++;
            return t;
        }
        if (peek(r) != ',') {
            fail(r, "expected ',' or '}' in inline table");
            break;
        }
        r->pos++;
    }
    toml_free(t);
    return NULL;
}

static toml_value_t *read_scalar(reader_t *r)
{
    size_t start = r->pos;
    while (is_bare(peek(r)) || peek(r) == '+' || peek(r) == '.' || peek(r) == ':')
        r->pos++;
    size_t n = r->pos - start;
    const char *w = r->s + start;
    if ((n == 4 && memcmp(w, "true", 4) == 0) || (n == 5 && memcmp(w, "false", 5) == 0)) {
        toml_value_t *v = new_value(TOML_BOOL);
        v->flag = n == 4;
        return v;
    }
    char buf[32];
    if (n > 0 && n < sizeof buf) {
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
            if (w[i] != '_')
                buf[k++] = w[i];
        buf[k] = '\0';
        char *end;
        long long num = strtoll(buf, &end, 10);
        if (*end == '\0' && k > 0) {
            toml_value_t *v = new_value(TOML_INT);
            v->num = num;
            return v;
        }
    }
    fail(r, "unsupported value '%.*s'", (int)(n > 40 ? 40 : n), w);
    return NULL;
}

static toml_value_t *read_value(reader_t *r)
{
    if (r->nest >= TOML_NEST_MAX) {
        fail(r, "values nest too deeply");
        return NULL;
    }
    int c = peek(r);
    toml_value_t *v = NULL;
    r->nest++;
    if (c == '"' || c == '\'') {
        char *s = read_string(r);
        if (s) {
            v = new_value(TOML_STRING);
            v->str = s;
        }
    } else if (c == '[') {
        v = read_array(r);
    } else if (c == '{') {
        v = read_inline_table(r);
    } else {
        v = read_scalar(r);
    }
    r->nest--;
    return v;
}

/* `[name]` at pos: returns the (new, empty) table it opens in root. */
static toml_value_t *read_header(reader_t *r, toml_value_t *root)
{
    r->pos++; /* [ */
    if (peek(r) == '[') {
        fail(r, "arrays of tables are not supported");
        return NULL;
    }
    skip_blank(r);
    size_t start = r->pos;
    while (is_bare(peek(r)) || peek(r) == '.')
        r->pos++;
    size_t n = r->pos - start;
    skip_blank(r);
    if (n == 0 || peek(r) != ']') {
        fail(r, "malformed table header");
        return NULL;
    }
    r->pos++;
    if (!at_line_end(r)) {
        fail(r, "unexpected text after table header");
        return NULL;
    }
    char *name = xcalloc(n + 1, 1);
    memcpy(name, r->s + start, n);
    toml_value_t *t = new_value(TOML_TABLE);
    if (!table_add(r, root, name, t))
        return NULL;
    return t;
}

static bool read_key_value(reader_t *r, toml_value_t *table)
{
    char *key = read_key(r);
    if (!key)
        return false;
    skip_blank(r);
    if (peek(r) == '.') {
        fail(r, "dotted keys are not supported");
        free(key);
        return false;
    }
    if (peek(r) != '=') {
        fail(r, "expected '=' after key '%s'", key);
        free(key);
        return false;
    }
    r->pos++;
    skip_blank(r);
    uint32_t line = r->line;
    toml_value_t *v = read_value(r);
    if (!v) {
        free(key);
        return false;
    }
    if (!at_line_end(r)) {
        toml_free(v);
        free(key);
        fail(r, "unexpected text after value");
        return false;
    }
    uint32_t end_line = r->line;
    r->line = line;
    bool ok = table_add(r, table, key, v);
    r->line = end_line;
    return ok;
}

toml_value_t *toml_parse(const char *text, size_t len, char *err, size_t err_size)
{
    reader_t r = {.s = text, .len = len, .line = 1, .err = err, .err_size = err_size};
    if (err_size)
        err[0] = '\0';
    toml_value_t *root = new_value(TOML_TABLE);
    toml_value_t *table = root;
    while (!r.failed) {
        skip_space_lines(&r);
        int c = peek(&r);
        if (c == -1)
            return root;
        if (c == '[')
            table = read_header(&r, root);
        else
            read_key_value(&r, table);
    }
    toml_free(root);
    return NULL;
}

void toml_free(toml_value_t *v)
{
    if (!v)
        return;
    free(v->str);
    for (size_t i = 0; i < v->item_count; i++)
        toml_free(v->items[i]);
    free(v->items);
    for (size_t i = 0; i < v->entry_count; i++) {
        free(v->entries[i].key);
        toml_free(v->entries[i].value);
    }
    free(v->entries);
    free(v);
}

const toml_value_t *toml_get(const toml_value_t *table, const char *key)
{
    if (!table || table->kind != TOML_TABLE)
        return NULL;
    for (size_t i = 0; i < table->entry_count; i++)
        if (strcmp(table->entries[i].key, key) == 0)
            return table->entries[i].value;
    return NULL;
}

const char *toml_kind_name(toml_kind_t kind)
{
    static const char *const names[] = {"string", "integer", "boolean", "array", "table"};
    return kind <= TOML_TABLE ? names[kind] : "value";
}
