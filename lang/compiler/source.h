/* source.h: the source table of one compilation.
 *
 * Every file the compiler reads is added here once and named by its index
 * (span_t.file). The table keeps the bytes for the whole compilation, so
 * tokens and diagnostics can point into them, and builds each file's
 * line-start table on add so line:column lookups are a binary search.
 */
#ifndef SNOW_LANG_COMPILER_SOURCE_H
#define SNOW_LANG_COMPILER_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "lang/compiler/span.h"

/* Largest source file the front end accepts; offsets are uint32_t. */
#define SOURCE_BYTES_MAX ((size_t)1 << 30)

typedef struct {
    const char *path;    /* as shown in diagnostics (owned by the table) */
    const char *bytes;   /* file contents plus a NUL terminator (owned) */
    uint32_t len;        /* bytes, without the terminator */
    uint32_t *line_starts; /* byte offset of each line's first byte (owned) */
    uint32_t line_count;   /* >= 1 */
} source_file_t;

typedef struct source_table_t {
    source_file_t *files;
    uint32_t count;
    uint32_t capacity;
} source_table_t;

/* Returns owned; free with source_table_free. */
source_table_t *source_table_new(void);
void source_table_free(source_table_t *s);

/* Adds a file: copies path and bytes[0..len) (both borrowed). A line ends at
 * "\n", "\r" or "\r\n" (language.md 1.2). Returns the file index, or -EFBIG
 * when len exceeds SOURCE_BYTES_MAX. */
int source_add(source_table_t *s, const char *path, const char *bytes, size_t len);

/* Reads the file at path and adds it under the name display_path (path when
 * NULL). Returns the file index or -errno (-EFBIG if too large). */
int source_add_file(source_table_t *s, const char *path, const char *display_path);

/* The file at index (must exist). */
const source_file_t *source_get(const source_table_t *s, uint32_t file);

/* 1-based line and column of byte offset in file. Columns count bytes, so a
 * tab or a multi-byte character counts as its byte length. An offset past
 * the end maps to the end of the last line. */
void source_line_col(const source_table_t *s, uint32_t file, uint32_t offset, uint32_t *line,
                     uint32_t *col);

/* Text of 1-based line (without its terminator): sets *len and returns a
 * pointer into the file's bytes. */
const char *source_line_text(const source_table_t *s, uint32_t file, uint32_t line,
                             uint32_t *len);

#endif
