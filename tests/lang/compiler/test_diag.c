/* test_diag.c: recording and rendering diagnostics (lang/compiler/diag.c;
 * language.md 10.2-10.3, docs/diagnostics.md). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <errno.h>

#include "lang/compiler/arena.h"
#include "lang/compiler/diag.h"
#include "lang/compiler/intern.h"
#include "lang/compiler/source.h"

static char *render(diag_t *d, source_table_t *s, bool json)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    diag_render_all(d, s, f, json);
    fclose(f);
    return buf;
}

static const char main_src[] = "fn main() do\n  let total = 1\n  println(totl)\nend\n";

Test(lang_diag, human_form_has_location_code_snippet_label_and_help)
{
    source_table_t *s = source_table_new();
    int file = source_add(s, "app/main.snow", main_src, strlen(main_src));
    diag_t *d = diag_new();
    diag_error(d, (span_t){(uint32_t)file, 39, 43}, "E0004", "undefined variable: %s", "totl");
    diag_label(d, "not found in this scope");
    diag_help(d, "did you mean `%s`?", "total");
    char *out = render(d, s, false);
    cr_assert_str_eq(out, "app/main.snow:3:11: error[E0004]: undefined variable: totl\n"
                          "   |\n"
                          " 3 |   println(totl)\n"
                          "   |           ^^^^ not found in this scope\n"
                          "   = help: did you mean `total`?\n");
    cr_assert_eq(diag_error_count(d), 1);
    cr_assert_eq(diag_warning_count(d), 0);
    free(out);
    diag_free(d);
    source_table_free(s);
}

Test(lang_diag, warnings_render_as_warning_and_do_not_count_as_errors)
{
    source_table_t *s = source_table_new();
    int file = source_add(s, "m.snow", main_src, strlen(main_src));
    diag_t *d = diag_new();
    diag_warning(d, (span_t){(uint32_t)file, 15, 28}, "W0001", "redundant match arm (arm %d)", 3);
    diag_label(d, "this arm is unreachable");
    diag_note(d, "arms are tried in order");
    char *out = render(d, s, false);
    cr_assert_str_eq(out, "m.snow:2:3: warning[W0001]: redundant match arm (arm 3)\n"
                          "   |\n"
                          " 2 |   let total = 1\n"
                          "   |   ^^^^^^^^^^^^^ this arm is unreachable\n"
                          "   = note: arms are tried in order\n");
    cr_assert_eq(diag_error_count(d), 0);
    cr_assert_eq(diag_warning_count(d), 1);
    free(out);
    diag_free(d);
    source_table_free(s);
}

Test(lang_diag, secondary_label_gets_its_own_location_and_carets)
{
    const char src[] = "fn main() do\n  println(1)\n";
    source_table_t *s = source_table_new();
    int file = source_add(s, "a.snow", src, strlen(src));
    diag_t *d = diag_new();
    diag_error(d, (span_t){(uint32_t)file, 27, 27}, "P0001",
               "expected `end` to close `do` block");
    diag_secondary(d, (span_t){(uint32_t)file, 10, 12}, "`do` block started here");
    char *out = render(d, s, false);
    cr_assert_str_eq(out, "a.snow:3:1: error[P0001]: expected `end` to close `do` block\n"
                          "   |\n"
                          " 3 | \n"
                          "   | ^\n"
                          "   = note: a.snow:1:11: `do` block started here\n"
                          "   |\n"
                          " 1 | fn main() do\n"
                          "   |           -- `do` block started here\n");
    free(out);
    diag_free(d);
    source_table_free(s);
}

Test(lang_diag, json_form_is_one_object_per_line)
{
    source_table_t *s = source_table_new();
    int file = source_add(s, "app/main.snow", main_src, strlen(main_src));
    diag_t *d = diag_new();
    diag_error(d, (span_t){(uint32_t)file, 39, 43}, "E0004", "undefined variable: totl");
    diag_message(d, "unbound variable `totl`");
    diag_label(d, "not found in this scope");
    diag_error(d, (span_t){(uint32_t)file, 0, 2}, "P0001", "expected \"x\"");
    diag_message(d, "Parse error: expected \"x\"");
    diag_secondary(d, (span_t){(uint32_t)file, 3, 7}, "here");
    diag_fix(d, "wrap in Some(...)");
    char *out = render(d, s, true);
    cr_assert_str_eq(out,
                     "{\"code\":\"E0004\",\"severity\":\"error\",\"message\":\"unbound variable "
                     "`totl`\",\"file\":\"app/main.snow\",\"spans\":[{\"start\":39,\"end\":43,"
                     "\"label\":\"not found in this scope\"}],\"fix\":null}\n"
                     "{\"code\":\"P0001\",\"severity\":\"error\",\"message\":\"Parse error: "
                     "expected \\\"x\\\"\",\"file\":\"app/main.snow\",\"spans\":[{\"start\":0,"
                     "\"end\":2,\"label\":\"\"},{\"start\":3,\"end\":7,\"label\":\"here\"}],"
                     "\"fix\":\"wrap in Some(...)\"}\n");
    free(out);
    diag_free(d);
    source_table_free(s);
}

Test(lang_diag, diagnostic_without_file_has_no_location)
{
    source_table_t *s = source_table_new();
    diag_t *d = diag_new();
    diag_error(d, (span_t){DIAG_NO_FILE, 0, 0}, "F0001", "cannot read `x`: %s", "gone");
    char *out = render(d, s, false);
    cr_assert_str_eq(out, "error[F0001]: cannot read `x`: gone\n");
    free(out);
    out = render(d, s, true);
    cr_assert_str_eq(out, "{\"code\":\"F0001\",\"severity\":\"error\",\"message\":\"cannot read "
                          "`x`: gone\",\"file\":\"\",\"spans\":[],\"fix\":null}\n");
    free(out);
    diag_free(d);
    source_table_free(s);
}

Test(lang_diag, attach_without_a_diagnostic_is_a_no_op)
{
    diag_t *d = diag_new();
    diag_help(d, "nothing");
    diag_label(d, "nothing");
    cr_assert_eq(d->count, 0);
    diag_free(d);
}

Test(lang_diag, render_all_keeps_recording_order_and_counts_errors)
{
    const char src[] = "a\nb\nc\n";
    source_table_t *s = source_table_new();
    int file = source_add(s, "o.snow", src, 6);
    diag_t *d = diag_new();
    diag_error(d, (span_t){(uint32_t)file, 4, 5}, "E0001", "third line");
    diag_warning(d, (span_t){(uint32_t)file, 0, 1}, "W0002", "first line");
    diag_error(d, (span_t){(uint32_t)file, 2, 3}, "E0002", "second line");
    FILE *f = fopen("/dev/null", "w");
    cr_assert_eq(diag_render_all(d, s, f, false), 2);
    fclose(f);
    cr_assert_str_eq(d->items[0].code, "E0001");
    cr_assert_str_eq(d->items[1].code, "W0002");
    cr_assert_str_eq(d->items[2].code, "E0002");
    diag_free(d);
    source_table_free(s);
}

Test(lang_source, line_col_handles_every_line_ending)
{
    const char src[] = "ab\ncd\r\nef\rgh";
    source_table_t *s = source_table_new();
    int file = source_add(s, "x.snow", src, strlen(src));
    uint32_t line, col;
    source_line_col(s, (uint32_t)file, 0, &line, &col);
    cr_assert(line == 1 && col == 1);
    source_line_col(s, (uint32_t)file, 4, &line, &col);
    cr_assert(line == 2 && col == 2, "%u:%u", line, col);
    source_line_col(s, (uint32_t)file, 7, &line, &col);
    cr_assert(line == 3 && col == 1, "%u:%u", line, col);
    source_line_col(s, (uint32_t)file, 10, &line, &col);
    cr_assert(line == 4 && col == 1, "%u:%u", line, col);
    source_line_col(s, (uint32_t)file, 999, &line, &col);
    cr_assert(line == 4 && col == 3, "%u:%u", line, col);
    uint32_t len;
    const char *t = source_line_text(s, (uint32_t)file, 2, &len);
    cr_assert_eq(len, 2);
    cr_assert(memcmp(t, "cd", 2) == 0);
    source_table_free(s);
}

Test(lang_source, reads_files_and_reports_errno)
{
    source_table_t *s = source_table_new();
    cr_assert_eq(source_add_file(s, "/nonexistent/x.snow", NULL), -ENOENT);
    FILE *f = fopen("/tmp/snow_source_test.snow", "w");
    fputs("let x = 1\n", f);
    fclose(f);
    int file = source_add_file(s, "/tmp/snow_source_test.snow", "shown.snow");
    cr_assert_geq(file, 0);
    cr_assert_str_eq(source_get(s, (uint32_t)file)->path, "shown.snow");
    cr_assert_eq(source_get(s, (uint32_t)file)->len, 10);
    cr_assert_eq(source_get(s, (uint32_t)file)->line_count, 2);
    source_table_free(s);
}

Test(lang_intern, equal_names_share_one_pointer)
{
    interner_t *in = interner_new();
    sym_t a = intern(in, "hello world", 5);
    sym_t b = intern_cstr(in, "hello");
    cr_assert_eq(a, b);
    cr_assert_neq(intern_cstr(in, "hellO"), a);
    char name[32];
    sym_t first = NULL;
    for (int i = 0; i < 100000; i++) { /* forces several table growths */
        snprintf(name, sizeof(name), "n%d", i);
        sym_t s = intern_cstr(in, name);
        if (i == 0)
            first = s;
    }
    cr_assert_eq(intern_cstr(in, "n0"), first);
    cr_assert_str_eq(intern_cstr(in, "n99999"), "n99999");
    interner_free(in);
}

Test(lang_arena, allocations_are_zeroed_aligned_and_survive_growth)
{
    arena_t *a = arena_new();
    char *first = arena_strndup(a, "abc", 3);
    for (int i = 0; i < 10000; i++) {
        unsigned char *p = arena_alloc(a, (size_t)(i % 700) + 1);
        cr_assert_eq((uintptr_t)p % 16, 0);
        cr_assert_eq(p[0], 0);
        p[0] = 0xAB;
    }
    unsigned char *big = arena_alloc(a, 1 << 20);
    cr_assert_eq(big[(1 << 20) - 1], 0);
    cr_assert_str_eq(first, "abc");
    arena_free(a);
}

Test(lang_diag, carets_line_up_under_multibyte_text)
{
    const char src[] = "let größe = @\n";
    source_table_t *s = source_table_new();
    int file = source_add(s, "u.snow", src, strlen(src));
    diag_t *d = diag_new();
    /* `größe` is 7 bytes but 5 characters; `@` is at byte 14, column 15. */
    diag_error(d, (span_t){(uint32_t)file, 4, 11}, "P0001", "name");
    diag_error(d, (span_t){(uint32_t)file, 14, 15}, "P0001", "char");
    char *out = render(d, s, false);
    cr_assert_str_eq(out, "u.snow:1:5: error[P0001]: name\n"
                          "   |\n"
                          " 1 | let größe = @\n"
                          "   |     ^^^^^\n"
                          "u.snow:1:15: error[P0001]: char\n"
                          "   |\n"
                          " 1 | let größe = @\n"
                          "   |             ^\n");
    free(out);
    diag_free(d);
    source_table_free(s);
}
