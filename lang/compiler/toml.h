/* toml.h: a small TOML reader for snow.toml (language.md 11).
 *
 * Reads the subset a Snow manifest uses: `[table]` headers (dotted names
 * such as `[a.b]` are kept as one name), `key = value` lines with bare or
 * quoted keys, and values that are basic "strings" (escapes \" \\ \n \t \r
 * \uXXXX), 'literal strings', integers, booleans, arrays and inline tables
 * `{ k = v, ... }`; `#` comments. Not supported (a parse error naming the
 * line): multi-line strings, dates, floats, `[[array tables]]`, dotted keys.
 * A duplicate table or key is an error, as in TOML.
 *
 * The document is a TOML_TABLE whose entries are the top-level keys and the
 * tables in file order. Everything is owned by the root; free it with
 * toml_free.
 */
#ifndef SNOW_LANG_COMPILER_TOML_H
#define SNOW_LANG_COMPILER_TOML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum { TOML_STRING, TOML_INT, TOML_BOOL, TOML_ARRAY, TOML_TABLE } toml_kind_t;

typedef struct toml_value_t toml_value_t;

typedef struct {
    char *key; /* owned */
    toml_value_t *value; /* owned */
    uint32_t line; /* 1-based line of the key or table header */
} toml_entry_t;

struct toml_value_t {
    toml_kind_t kind;
    char *str;            /* STRING: owned, NUL-terminated */
    int64_t num;          /* INT */
    bool flag;            /* BOOL */
    toml_value_t **items; /* ARRAY: owned */
    size_t item_count;
    toml_entry_t *entries; /* TABLE: owned, in file order */
    size_t entry_count;
};

/* Parses text[0..len) (borrowed). Returns the owned document, or NULL after
 * writing `line N: <reason>` to err[0..err_size). */
toml_value_t *toml_parse(const char *text, size_t len, char *err, size_t err_size);

void toml_free(toml_value_t *v);

/* The value of key in table (borrowed from it), or NULL if table is not a
 * table or has no such key. */
const toml_value_t *toml_get(const toml_value_t *table, const char *key);

/* Short name of a kind for messages: "string", "table", ... */
const char *toml_kind_name(toml_kind_t kind);

#endif
