/* test_corpus.c: every program under tests/lang/parse/ (realistic,
 * multi-construct Snow files) must parse with zero diagnostics, through
 * front_load exactly as `snowc check` loads a project (issue 3). */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/compiler/compile.h"
#include "lang/compiler/diag.h"
#include "lang/compiler/front.h"

static bool is_snow(const char *name)
{
    size_t n = strlen(name);
    return n > 5 && strcmp(name + n - 5, ".snow") == 0;
}

Test(lang_corpus, every_file_parses_without_diagnostics, .timeout = 60)
{
    DIR *d = opendir(SNOW_PARSE_CORPUS_DIR);
    cr_assert(d, "cannot open %s", SNOW_PARSE_CORPUS_DIR);
    struct dirent *de;
    int files = 0;
    while ((de = readdir(d))) {
        if (!is_snow(de->d_name))
            continue;
        char path[1024];
        snprintf(path, sizeof(path), "%s/%s", SNOW_PARSE_CORPUS_DIR, de->d_name);
        compile_t *c = compile_new();
        int errors = front_load(c, path);
        if (c->diag->count) {
            diag_render_all(c->diag, c->sources, stderr, false);
        }
        cr_expect_eq(errors, 0, "%s", de->d_name);
        cr_expect_eq(c->diag->count, 0, "%s", de->d_name);
        cr_expect_eq(c->module_count, 1, "%s", de->d_name);
        cr_expect_gt(c->modules[0].ast->len, 0, "%s", de->d_name);
        compile_free(c);
        files++;
    }
    closedir(d);
    cr_assert_geq(files, 60, "the corpus must hold at least 60 programs, found %d", files);
}

Test(lang_corpus, whole_folder_loads_as_one_project, .timeout = 60)
{
    compile_t *c = compile_new();
    cr_assert_eq(front_load(c, SNOW_PARSE_CORPUS_DIR), 0);
    cr_assert_eq(c->diag->count, 0);
    cr_assert_geq(c->module_count, 60);
    /* Modules are named from their paths (2.2) and come in sorted order. */
    for (uint32_t i = 1; i < c->module_count; i++)
        cr_assert_lt(strcmp(c->modules[i - 1].path, c->modules[i].path), 0);
    bool found = false;
    for (uint32_t i = 0; i < c->module_count; i++)
        found |= strcmp(c->modules[i].name, "KvStoreService") == 0;
    cr_assert(found, "kv_store_service.snow should be module KvStoreService");
    compile_free(c);
}

/* Every input of the committed fuzz corpus (tests/lang/fuzz/corpus) runs
 * through lexer, parser, dump and both renderers in every test build, so
 * the sanitizer build replays what the fuzzer found. */
Test(lang_corpus, fuzz_inputs_end_in_diagnostics_not_crashes, .timeout = 60)
{
    DIR *d = opendir(SNOW_FUZZ_CORPUS_DIR);
    cr_assert(d, "cannot open %s", SNOW_FUZZ_CORPUS_DIR);
    FILE *sink = fopen("/dev/null", "w");
    struct dirent *de;
    int files = 0;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        char path[1024];
        snprintf(path, sizeof(path), "%s/%s", SNOW_FUZZ_CORPUS_DIR, de->d_name);
        FILE *f = fopen(path, "rb");
        cr_assert(f);
        char buf[8192];
        size_t len = fread(buf, 1, sizeof(buf), f);
        fclose(f);
        compile_t *c = compile_new();
        int errors = front_load_text(c, "fuzz.snow", "Main", buf, len);
        cr_assert_geq(errors, 0);
        cr_assert_eq(c->module_count, 1);
        ast_dump_file(sink, c->modules[0].ast);
        diag_render_all(c->diag, c->sources, sink, false);
        diag_render_all(c->diag, c->sources, sink, true);
        compile_free(c);
        files++;
    }
    closedir(d);
    fclose(sink);
    cr_assert_geq(files, 100);
}
