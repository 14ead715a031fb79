/* build.c: `snowc build`, `run`, `check` and `parse` (language.md 10-11).
 *
 * Runs the phases of compile.h in order and stops at the first phase that
 * reported errors, after printing every diagnostic recorded so far. All
 * messages go to stderr; only `parse --dump` and the program run by `snowc
 * run` write to stdout.
 */
#include "lang/compiler/driver.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lang/compiler/compile.h"
#include "lang/compiler/diag.h"
#include "lang/compiler/emit.h"
#include "lang/compiler/front.h"
#include "lang/compiler/lower.h"
#include "lang/compiler/source.h"
#include "lang/compiler/types.h"

typedef enum {
    STOP_AFTER_PARSE,
    STOP_AFTER_CHECK,
    BUILD_ALL,
} build_goal_t;

static compile_t *compile_for(const driver_args_t *args, const char *path)
{
    compile_t *c = compile_new();
    c->project_dir = path;
    c->json_diagnostics = args->json;
    c->color = !args->no_color && !args->json && isatty(STDERR_FILENO);
    return c;
}

/* Prints every diagnostic; on errors also the closing line of 10.1/10.3.
 * Returns the error count. */
static uint32_t report(compile_t *c)
{
    diag_render_all(c->diag, c->sources, stderr, c->json_diagnostics);
    uint32_t errors = diag_error_count(c->diag);
    if (errors) {
        if (c->json_diagnostics)
            fputs("{\"code\":\"C0001\",\"severity\":\"error\",\"message\":\"Compilation failed "
                  "due to errors above.\",\"file\":\"\",\"spans\":[],\"fix\":null}\n",
                  stderr);
        else
            fputs("error: Compilation failed due to errors above.\n", stderr);
    }
    return errors;
}

/* Front end and type checker; parse errors skip type checking (10.1). */
static uint32_t analyse(compile_t *c, const char *path, build_goal_t goal)
{
    if (front_load(c, path) > 0 || diag_error_count(c->diag) > 0 || goal == STOP_AFTER_PARSE)
        return diag_error_count(c->diag);
    ty_check_program(c);
    return diag_error_count(c->diag);
}

/* language.md 2.5: a program that otherwise compiles fails if the entry
 * module has no `fn main()`, with one `error:` line. */
static bool has_entry_point(const compile_t *c)
{
    for (uint32_t m = 0; m < c->module_count; m++) {
        const compile_module_t *mod = &c->modules[m];
        if (!mod->is_main || !mod->ast)
            continue;
        for (uint32_t i = 0; i < mod->ast->len; i++) {
            const ast_stmt_t *st = mod->ast->items[i];
            if (st->kind == AST_STMT_ITEM && st->item->kind == AST_ITEM_FN &&
                strcmp(st->item->u.fn.name, "main") == 0 && st->item->u.fn.params.len == 0)
                return true;
        }
    }
    return false;
}

/* Lowers, emits c_path and runs the C compiler into out_path. */
static int generate(compile_t *c, const driver_args_t *args, const char *c_path,
                    const char *out_path)
{
    if (lower_program(c) > 0 || diag_error_count(c->diag) > 0) {
        report(c);
        return -1;
    }
    FILE *out = fopen(c_path, "w");
    if (!out) {
        fprintf(stderr, "error: cannot write '%s': %s\n", c_path, strerror(errno));
        return -1;
    }
    int rc = emit_c_program(c, out);
    if (fclose(out) != 0 || rc < 0) {
        fprintf(stderr, "error: cannot write the generated C to '%s'\n", c_path);
        return -1;
    }
    driver_runtime_t rt;
    if (driver_runtime_locate(&rt) < 0)
        return -1;
    return driver_cc(&rt, c_path, out_path, args->debug);
}

/* Writes the LLVM listing of --emit-llvm from the generated C (11). */
static int emit_llvm(const driver_args_t *args, const char *c_path, const char *out_path)
{
    char ll_path[PATH_MAX];
    snprintf(ll_path, sizeof ll_path, "%s", out_path);
    char *slash = strrchr(ll_path, '/');
    char *dot = strrchr(ll_path, '.');
    if (dot && (!slash || dot > slash))
        *dot = '\0';
    strncat(ll_path, ".ll", sizeof ll_path - strlen(ll_path) - 1);
    driver_runtime_t rt;
    if (driver_runtime_locate(&rt) < 0)
        return -1;
    char inc[PATH_MAX + 2];
    snprintf(inc, sizeof inc, "-I%s", rt.include_dir);
    char *argv[] = {"clang", "-S", "-emit-llvm", "-O1", "-std=gnu11", inc,
                    (char *)c_path, "-o", ll_path, NULL};
    (void)args;
    if (driver_spawn_wait(argv) != 0) {
        fprintf(stderr, "error: --emit-llvm needs clang to produce '%s'\n", ll_path);
        return -1;
    }
    fprintf(stderr, "  LLVM IR: %s\n", ll_path);
    return 0;
}

/* Compiles the project or file at src into out_path. */
int driver_build_to(const driver_args_t *args, const char *src, const char *out_path,
                    bool keep_c)
{
    compile_t *c = compile_for(args, src);
    int rc = -1;
    if (analyse(c, src, BUILD_ALL) > 0) {
        report(c);
        goto done;
    }
    diag_render_all(c->diag, c->sources, stderr, c->json_diagnostics); /* warnings */
    if (!has_entry_point(c)) {
        fprintf(stderr, "error: the entry module has no `fn main()`: define `fn main() do ... end` "
                        "in main.snow\n");
        goto done;
    }
    char c_path[PATH_MAX];
    snprintf(c_path, sizeof c_path, "%s.c", out_path);
    rc = generate(c, args, c_path, out_path);
    if (rc == 0 && args->emit_llvm)
        rc = emit_llvm(args, c_path, out_path);
    if (!keep_c)
        unlink(c_path);
done:
    compile_free(c);
    return rc;
}

static bool host_triple_ok(const char *triple)
{
#if defined(__x86_64__)
    static const char *const host[] = {"x86_64-unknown-linux-gnu", "x86_64-linux-gnu",
                                       "x86_64-pc-linux-gnu"};
#elif defined(__aarch64__)
    static const char *const host[] = {"aarch64-unknown-linux-gnu", "aarch64-linux-gnu"};
#else
    static const char *const host[] = {""};
#endif
    for (size_t i = 0; i < sizeof host / sizeof host[0]; i++)
        if (strcmp(triple, host[i]) == 0)
            return true;
    return false;
}

/* The checks and messages of language.md 11 `build`. */
static int check_project_dir(const char *dir)
{
    struct stat st;
    if (stat(dir, &st) != 0) {
        fprintf(stderr, "error: Project directory '%s' does not exist\n", dir);
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        fprintf(stderr, "error: '%s' is not a directory\n", dir);
        return -1;
    }
    char main_path[PATH_MAX];
    snprintf(main_path, sizeof main_path, "%s/main.snow", dir);
    if (stat(main_path, &st) != 0 || !S_ISREG(st.st_mode)) {
        fprintf(stderr, "error: No 'main.snow' found in '%s'. Snow projects must have a "
                        "main.snow entry point.\n", dir);
        return -1;
    }
    return 0;
}

/* `demo` -> `demo/demo`; `apps/demo/` -> `apps/demo/demo`. */
static void default_output(const char *dir, char *out, size_t size)
{
    char trimmed[PATH_MAX];
    snprintf(trimmed, sizeof trimmed, "%s", dir);
    size_t n = strlen(trimmed);
    while (n > 1 && trimmed[n - 1] == '/')
        trimmed[--n] = '\0';
    const char *base = strrchr(trimmed, '/');
    base = base ? base + 1 : trimmed;
    if (strcmp(base, ".") == 0 || strcmp(base, "..") == 0 || !*base) {
        char cwd[PATH_MAX];
        char *abs = realpath(trimmed, cwd);
        const char *b = abs ? strrchr(abs, '/') : NULL;
        base = b && b[1] ? b + 1 : "main";
    }
    snprintf(out, size, "%s/%s", trimmed, base);
}

int driver_cmd_build(const driver_args_t *args)
{
    if (!args->path) {
        fprintf(stderr, "error: missing project directory (usage: snowc build <dir>)\n");
        return 1;
    }
    if (args->target && !host_triple_ok(args->target)) {
        fprintf(stderr, "error: unsupported target '%s': snowc builds for the machine it runs "
                        "on only\n", args->target);
        return 1;
    }
    if (check_project_dir(args->path) < 0)
        return 1;
    char out_path[PATH_MAX];
    if (args->output)
        snprintf(out_path, sizeof out_path, "%s", args->output);
    else
        default_output(args->path, out_path, sizeof out_path);
    if (driver_build_to(args, args->path, out_path, args->emit_c) < 0)
        return 1;
    fprintf(stderr, "  Compiled: %s\n", out_path);
    return 0;
}

int driver_cmd_check(const driver_args_t *args)
{
    if (!args->path) {
        fprintf(stderr, "error: missing path (usage: snowc check <file.snow|dir>)\n");
        return 1;
    }
    compile_t *c = compile_for(args, args->path);
    analyse(c, args->path, STOP_AFTER_CHECK);
    uint32_t errors = report(c);
    compile_free(c);
    return errors ? 1 : 0;
}

int driver_cmd_parse(const driver_args_t *args)
{
    if (!args->path) {
        fprintf(stderr, "error: missing path (usage: snowc parse <file.snow|dir> [--dump])\n");
        return 1;
    }
    compile_t *c = compile_for(args, args->path);
    analyse(c, args->path, STOP_AFTER_PARSE);
    if (args->dump) {
        for (uint32_t i = 0; i < c->module_count; i++)
            if (c->modules[i].ast)
                ast_dump_file(stdout, c->modules[i].ast);
    }
    uint32_t errors = report(c);
    compile_free(c);
    return errors ? 1 : 0;
}
