/* fmt_line.c: line buffer and list breaking for `snowc fmt` (fmt_line.h).
 *
 * A line wider than line_width is split after every comma of its shallowest
 * breakable list (before every `|>` of a parenthesised pipeline at that
 * depth first); each piece after the first is indented two levels deeper,
 * and a piece that is still too wide is split again at the next level. The
 * space at a break is dropped so no line ends or starts with a blank.
 */
#include "lang/compiler/fmt_line.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *grow(void *p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return p;
    size_t n = *cap ? *cap : 256;
    while (n < need)
        n *= 2;
    p = realloc(p, n * elem);
    if (!p) {
        perror("snowc: out of memory");
        abort();
    }
    *cap = n;
    return p;
}

static void out_write(fmt_line_t *l, const char *s, size_t len)
{
    l->out = grow(l->out, &l->out_cap, l->out_len + len + 1, 1);
    memcpy(l->out + l->out_len, s, len);
    l->out_len += len;
    l->out[l->out_len] = '\0';
}

static void out_spaces(fmt_line_t *l, uint32_t n)
{
    l->out = grow(l->out, &l->out_cap, l->out_len + n + 1, 1);
    memset(l->out + l->out_len, ' ', n);
    l->out_len += n;
    l->out[l->out_len] = '\0';
}

void fmt_line_init(fmt_line_t *l, int indent_size, int line_width)
{
    memset(l, 0, sizeof *l);
    l->indent_size = indent_size;
    l->line_width = line_width;
}

void fmt_line_destroy(fmt_line_t *l)
{
    free(l->out);
    free(l->text);
    free(l->breaks);
    memset(l, 0, sizeof *l);
}

void fmt_line_start(fmt_line_t *l, uint32_t indent)
{
    fmt_line_flush(l);
    l->open = true;
    l->indent = indent;
    l->text_len = 0;
    l->break_count = 0;
}

void fmt_line_put(fmt_line_t *l, const char *s, size_t len, bool space)
{
    if (!l->open)
        fmt_line_start(l, l->indent);
    l->text = grow(l->text, &l->text_cap, l->text_len + len + 2, 1);
    if (space && l->text_len)
        l->text[l->text_len++] = ' ';
    memcpy(l->text + l->text_len, s, len);
    l->text_len += len;
}

void fmt_line_mark_break(fmt_line_t *l, uint32_t depth, bool pipe)
{
    l->breaks = grow(l->breaks, &l->break_cap, l->break_count + 1, sizeof(fmt_break_t));
    l->breaks[l->break_count++] =
        (fmt_break_t){.off = (uint32_t)l->text_len, .level = 2 * depth + (pipe ? 0 : 1)};
}

/* Display width of s[0..len): UTF-8 continuation bytes do not count; a
 * multi-line string literal counts up to its first line break. */
static size_t width_of(const char *s, size_t len)
{
    size_t w = 0;
    for (size_t i = 0; i < len && s[i] != '\n'; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            w++;
    return w;
}

static void write_piece(fmt_line_t *l, size_t start, size_t end, uint32_t indent)
{
    while (end > start && (l->text[end - 1] == ' ' || l->text[end - 1] == '\t'))
        end--;
    if (end > start)
        out_spaces(l, indent);
    out_write(l, l->text + start, end - start);
    out_write(l, "\n", 1);
}

/* Writes text[start..end) at indent, split at the breaks of the lowest
 * level above min_level when it is too wide. */
static void emit_piece(fmt_line_t *l, size_t start, size_t end, uint32_t indent, uint32_t min_level)
{
    if (indent + width_of(l->text + start, end - start) <= (size_t)l->line_width) {
        write_piece(l, start, end, indent);
        return;
    }
    uint32_t level = UINT32_MAX;
    for (size_t i = 0; i < l->break_count; i++) {
        const fmt_break_t *b = &l->breaks[i];
        if (b->off > start && b->off < end && b->level > min_level && b->level < level)
            level = b->level;
    }
    if (level == UINT32_MAX) {
        write_piece(l, start, end, indent);
        return;
    }
    size_t piece = start;
    uint32_t piece_indent = indent;
    for (size_t i = 0; i < l->break_count; i++) {
        const fmt_break_t *b = &l->breaks[i];
        if (b->off <= start || b->off >= end || b->level != level)
            continue;
        emit_piece(l, piece, b->off, piece_indent, level);
        piece = b->off;
        if (piece < end && l->text[piece] == ' ')
            piece++;
        piece_indent = indent + 2 * (uint32_t)l->indent_size;
    }
    emit_piece(l, piece, end, piece_indent, level);
}

void fmt_line_flush(fmt_line_t *l)
{
    if (!l->open)
        return;
    l->open = false;
    if (l->text_len == 0)
        return;
    emit_piece(l, 0, l->text_len, l->indent, 1);
    l->text_len = 0;
    l->break_count = 0;
}

void fmt_line_blank(fmt_line_t *l)
{
    fmt_line_flush(l);
    if (l->out_len == 0)
        return;
    if (l->out_len >= 2 && l->out[l->out_len - 1] == '\n' && l->out[l->out_len - 2] == '\n')
        return;
    out_write(l, "\n", 1);
}

char *fmt_line_take(fmt_line_t *l, size_t *len)
{
    fmt_line_flush(l);
    while (l->out_len && l->out[l->out_len - 1] == '\n')
        l->out_len--;
    if (l->out_len)
        out_write(l, "\n", 1);
    else
        out_write(l, "", 0);
    char *s = l->out;
    *len = l->out_len;
    l->out = NULL;
    l->out_len = l->out_cap = 0;
    return s;
}
