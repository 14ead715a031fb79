/* test_ty_check.c: the type checker against the corpus in tests/lang/types
 * (issue 4; language.md 5 and the 10.4 catalogue).
 *
 * Every tests/lang/types/NAME.snow starts with a comment naming what the
 * checker must report:
 *
 *   # expect: ok                      no errors and no warnings
 *   # expect: E0004 3:11              exactly these diagnostics (code line:col),
 *   # expect: E0012 2:3, W0001 5:5    in any order
 *
 * A directory tests/lang/types/NAME/ is a multi-module project; its
 * main.snow carries the expectation (positions are in whichever file the
 * diagnostic names). Each file is loaded with the real front end and checked
 * with ty_check_program; the diagnostics compared are the checker's own
 * records (ty_program_t.diags) plus any the front end reported.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lang/compiler/compile.h"
#include "lang/compiler/diag.h"
#include "lang/compiler/front.h"
#include "lang/compiler/source.h"
#include "lang/compiler/types.h"

#define MAX_EXPECT 16

typedef struct {
    char code[8];
    unsigned line, col;
    bool matched;
} expect_t;

static const char *corpus_dir(void)
{
    static char dir[4096];
    if (!dir[0]) {
        char tmp[4096];
        snprintf(tmp, sizeof tmp, "%s", __FILE__);
        snprintf(dir, sizeof dir, "%s/../types", dirname(tmp));
    }
    return dir;
}

/* Parses the `# expect:` line; returns the count or -1 if malformed. */
static int parse_expect(const char *path, expect_t *out)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char line[512] = "";
    char *ok = fgets(line, sizeof line, f);
    fclose(f);
    const char *p = ok ? strstr(line, "# expect:") : NULL;
    if (!p)
        return -1;
    p += strlen("# expect:");
    while (*p == ' ')
        p++;
    if (!strncmp(p, "ok", 2))
        return 0;
    int n = 0;
    while (*p && *p != '\n' && n < MAX_EXPECT) {
        int used = 0;
        if (sscanf(p, "%7s %u:%u%n", out[n].code, &out[n].line, &out[n].col, &used) != 3)
            return -1;
        out[n].matched = false;
        n++;
        p += used;
        while (*p == ' ' || *p == ',')
            p++;
    }
    return n;
}

/* Checks one corpus entry; returns 0 on success and prints why not. */
static int run_case(const char *name, const char *path, bool is_dir)
{
    char main_path[4096 + 16];
    if (snprintf(main_path, sizeof main_path, "%s%s", path, is_dir ? "/main.snow" : "") < 0)
        return 1;
    expect_t want[MAX_EXPECT];
    int nwant = parse_expect(main_path, want);
    if (nwant < 0) {
        fprintf(stderr, "%s: missing or malformed `# expect:` line\n", name);
        return 1;
    }
    compile_t *c = compile_new();
    int perr = front_load(c, path);
    if (perr == 0 && diag_error_count(c->diag) == 0)
        ty_check_program(c);
    int bad = 0;
    diag_t *d = c->diag;
    for (uint32_t i = 0; i < d->count; i++) {
        diag_entry_t *e = &d->items[i];
        unsigned line = 0, col = 0;
        if (e->span.file != DIAG_NO_FILE)
            source_line_col(c->sources, e->span.file, e->span.start, &line, &col);
        bool found = false;
        for (int k = 0; k < nwant && !found; k++) {
            if (!want[k].matched && !strcmp(want[k].code, e->code) && want[k].line == line &&
                want[k].col == col) {
                want[k].matched = found = true;
            }
        }
        if (!found) {
            fprintf(stderr, "%s: unexpected %s %u:%u: %s\n", name, e->code, line, col, e->headline);
            bad++;
        }
    }
    for (int k = 0; k < nwant; k++) {
        if (!want[k].matched) {
            fprintf(stderr, "%s: expected %s %u:%u was not reported\n", name, want[k].code,
                    want[k].line, want[k].col);
            bad++;
        }
    }
    compile_free(c);
    return bad;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

Test(lang_ty_check, corpus_reports_exactly_the_expected_diagnostics, .timeout = 60)
{
    DIR *dir = opendir(corpus_dir());
    cr_assert_not_null(dir, "cannot open %s", corpus_dir());
    char *names[1024];
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(dir)) && n < 1024) {
        if (de->d_name[0] == '.')
            continue;
        names[n++] = strdup(de->d_name);
    }
    closedir(dir);
    qsort(names, n, sizeof names[0], cmp_str);
    int failures = 0, cases = 0;
    for (size_t i = 0; i < n; i++) {
        char path[4096];
        if (snprintf(path, sizeof path, "%s/%s", corpus_dir(), names[i]) >= (int)sizeof path)
            continue;
        struct stat st;
        if (stat(path, &st) != 0)
            continue;
        bool is_dir = S_ISDIR(st.st_mode);
        size_t len = strlen(names[i]);
        if (!is_dir && (len < 6 || strcmp(names[i] + len - 5, ".snow")))
            continue;
        cases++;
        failures += run_case(names[i], path, is_dir) != 0;
        free(names[i]);
    }
    cr_expect_gt(cases, 40, "corpus too small: %d cases", cases);
    cr_expect_eq(failures, 0, "%d of %d corpus programs failed (details on stderr)", failures,
                 cases);
}
