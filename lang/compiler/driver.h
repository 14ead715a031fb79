/* driver.h: the snowc commands (language.md section 11) and the helpers
 * they share: argument record, locating the runtime, invoking the C
 * compiler. main.c parses the command line; each driver_cmd_* runs one
 * command and returns the process exit status.
 */
#ifndef SNOW_LANG_COMPILER_DRIVER_H
#define SNOW_LANG_COMPILER_DRIVER_H

#include <stdbool.h>

typedef struct {
    const char *command; /* "build", "run", ... */
    const char *argv0;
    const char *path;    /* the positional argument, or NULL */
    const char *output;  /* -o / --output */
    const char *target;  /* --target */
    int opt_level;       /* --opt-level */
    bool json;           /* --json */
    bool no_color;       /* --no-color */
    bool emit_llvm;      /* --emit-llvm */
    bool emit_c;         /* --emit-c */
    bool debug;          /* --debug: C at -O0 -g */
    bool dump;           /* parse --dump */
    bool check;          /* fmt --check */
    int line_width;      /* fmt --line-width (0 = default 100) */
    int indent_size;     /* fmt --indent-size (0 = default 2) */
    int program_argc;    /* arguments after `--` (run) */
    char **program_argv;
} driver_args_t;

int driver_cmd_build(const driver_args_t *args);
int driver_cmd_run(const driver_args_t *args);
int driver_cmd_check(const driver_args_t *args);
int driver_cmd_parse(const driver_args_t *args);
int driver_cmd_init(const driver_args_t *args);
int driver_cmd_fmt(const driver_args_t *args);
int driver_cmd_deps(const driver_args_t *args);

/* Compiles src (a project directory or one .snow file) into the executable
 * out_path, printing diagnostics to stderr. keep_c keeps out_path.c (the
 * generated C). Returns 0 or -1. */
int driver_build_to(const driver_args_t *args, const char *src, const char *out_path,
                    bool keep_c);

/* Where the runtime lives: the directory holding snow/snow.h and the one
 * holding libsnowrt.a. Found from $SNOW_HOME (its include/ and lib/), else
 * relative to the snowc executable (bin/../include, bin/../lib), which holds
 * both in the build tree and after `cmake --install`. */
typedef struct {
    char include_dir[4096];
    char lib_dir[4096];
} driver_runtime_t;

/* Returns 0, or -1 after printing `error: ...` naming what is missing. */
int driver_runtime_locate(driver_runtime_t *rt);

/* Compiles the C file c_path and links it with the runtime into out_path
 * using $CC (default cc). debug selects -O0 -g instead of -O2. Returns 0, or
 * -1 after printing `error: ...` (the C compiler's own output is shown). */
int driver_cc(const driver_runtime_t *rt, const char *c_path, const char *out_path, bool debug);

/* Runs argv (argv[0] looked up in PATH) and waits. Returns its exit status,
 * 128+signal if it was killed, or -1 if it could not be started. */
int driver_spawn_wait(char *const argv[]);

#endif
