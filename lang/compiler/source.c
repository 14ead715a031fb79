/* source.c: the source table (source.h). */
#include "lang/compiler/source.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *xrealloc(void *p, size_t size)
{
    void *q = realloc(p, size);
    if (!q) {
        perror("snowc: out of memory");
        abort();
    }
    return q;
}

source_table_t *source_table_new(void)
{
    source_table_t *s = xrealloc(NULL, sizeof(*s));
    memset(s, 0, sizeof(*s));
    return s;
}

void source_table_free(source_table_t *s)
{
    if (!s)
        return;
    for (uint32_t i = 0; i < s->count; i++) {
        free((char *)s->files[i].path);
        free((char *)s->files[i].bytes);
        free(s->files[i].line_starts);
    }
    free(s->files);
    free(s);
}

/* One pass over the bytes: a line starts after "\n", after a "\r" not
 * followed by "\n", and at offset 0. */
static void build_lines(source_file_t *f)
{
    uint32_t cap = 64, n = 0;
    uint32_t *starts = xrealloc(NULL, cap * sizeof(*starts));
    starts[n++] = 0;
    const char *b = f->bytes;
    for (uint32_t i = 0; i < f->len; i++) {
        char ch = b[i];
        if (ch != '\n' && ch != '\r')
            continue;
        if (ch == '\r' && i + 1 < f->len && b[i + 1] == '\n')
            i++;
        if (n == cap) {
            cap *= 2;
            starts = xrealloc(starts, cap * sizeof(*starts));
        }
        starts[n++] = i + 1;
    }
    f->line_starts = starts;
    f->line_count = n;
}

int source_add(source_table_t *s, const char *path, const char *bytes, size_t len)
{
    if (len > SOURCE_BYTES_MAX)
        return -EFBIG;
    if (s->count == s->capacity) {
        s->capacity = s->capacity ? s->capacity * 2 : 8;
        s->files = xrealloc(s->files, s->capacity * sizeof(*s->files));
    }
    source_file_t *f = &s->files[s->count];
    size_t plen = strlen(path);
    char *p = xrealloc(NULL, plen + 1);
    memcpy(p, path, plen + 1);
    char *b = xrealloc(NULL, len + 1);
    if (len)
        memcpy(b, bytes, len);
    b[len] = '\0';
    f->path = p;
    f->bytes = b;
    f->len = (uint32_t)len;
    build_lines(f);
    return (int)s->count++;
}

int source_add_file(source_table_t *s, const char *path, const char *display_path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return -errno;
    char *buf = NULL;
    size_t len = 0, cap = 0;
    int rc = 0;
    for (;;) {
        if (len == cap) {
            cap = cap ? cap * 2 : 65536;
            if (cap > SOURCE_BYTES_MAX + 1) {
                rc = -EFBIG;
                break;
            }
            buf = xrealloc(buf, cap);
        }
        size_t got = fread(buf + len, 1, cap - len, fp);
        len += got;
        if (got == 0) {
            if (ferror(fp))
                rc = -EIO;
            break;
        }
    }
    fclose(fp);
    if (rc == 0)
        rc = source_add(s, display_path ? display_path : path, buf, len);
    free(buf);
    return rc;
}

const source_file_t *source_get(const source_table_t *s, uint32_t file)
{
    if (file >= s->count) {
        fprintf(stderr, "snowc: bad source index %u\n", file);
        abort();
    }
    return &s->files[file];
}

void source_line_col(const source_table_t *s, uint32_t file, uint32_t offset, uint32_t *line,
                     uint32_t *col)
{
    const source_file_t *f = source_get(s, file);
    if (offset > f->len)
        offset = f->len;
    /* The last line start <= offset. */
    uint32_t lo = 0, hi = f->line_count;
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (f->line_starts[mid] <= offset)
            lo = mid;
        else
            hi = mid;
    }
    *line = lo + 1;
    *col = offset - f->line_starts[lo] + 1;
}

const char *source_line_text(const source_table_t *s, uint32_t file, uint32_t line,
                             uint32_t *len)
{
    const source_file_t *f = source_get(s, file);
    if (line == 0 || line > f->line_count) {
        *len = 0;
        return f->bytes + f->len;
    }
    uint32_t start = f->line_starts[line - 1];
    uint32_t end = start;
    while (end < f->len && f->bytes[end] != '\n' && f->bytes[end] != '\r')
        end++;
    *len = end - start;
    return f->bytes + start;
}
