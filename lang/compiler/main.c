/* main.c: the snowc command line (language.md section 11).
 *
 * Parses the command and its options, then hands over to one command
 * function. Options of a subcommand may come before or after its positional
 * argument; every subcommand answers -h/--help on stdout with a first line
 * that describes it, and exits 0 without doing anything else.
 */
#include "lang/compiler/driver.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "snow/config.h"

typedef struct {
    const char *name;
    const char *summary; /* first line of `snowc NAME --help` */
    const char *usage;
    int (*run)(const driver_args_t *args);
} command_t;

static int run_unsupported(const driver_args_t *args);

static const command_t commands[] = {
    {"build", "Compile a Snow project into a native executable.",
     "usage: snowc build <dir> [--opt-level N] [-o|--output PATH] [--emit-llvm] [--emit-c]\n"
     "                   [--target TRIPLE] [--debug] [--json] [--no-color]\n"
     "\n"
     "Compiles <dir>/main.snow and every module under <dir> into <dir>/<name of dir>.\n"
     "  --opt-level N   0 (default) or 2; the C compiler always optimizes with -O2\n"
     "                  unless --debug is given\n"
     "  --debug         build the C with -O0 -g\n"
     "  --emit-c        keep the generated C next to the binary (<output>.c)\n"
     "  --emit-llvm     also write an LLVM IR listing (<output>.ll), needs clang\n"
     "  --json          diagnostics as JSON lines on stderr\n",
     driver_cmd_build},
    {"run", "Build a Snow file or project into a cache and run it.",
     "usage: snowc run <file.snow|dir> [--debug] [-- args...]\n"
     "\n"
     "Builds into $XDG_CACHE_HOME/snow (or ~/.cache/snow) and runs the program with\n"
     "the arguments after `--`. Exits with the program's status.\n",
     driver_cmd_run},
    {"check", "Parse and type-check Snow source without building.",
     "usage: snowc check <file.snow|dir> [--json] [--no-color]\n"
     "\n"
     "Prints nothing and exits 0 when the source is valid; otherwise prints\n"
     "diagnostics to stderr and exits 1.\n",
     driver_cmd_check},
    {"parse", "Parse Snow source and optionally print its syntax tree.",
     "usage: snowc parse <file.snow|dir> [--dump] [--json] [--no-color]\n"
     "\n"
     "  --dump   print the AST of every module to stdout\n",
     driver_cmd_parse},
    {"init", "Create a new Snow project.",
     "usage: snowc init <name>\n"
     "\n"
     "Creates <name>/snow.toml and <name>/main.snow in the current directory.\n",
     driver_cmd_init},
    {"deps", "Resolve the dependencies listed in snow.toml.",
     "usage: snowc deps [dir]\n", driver_cmd_deps},
    {"fmt", "Format Snow source files in place.",
     "usage: snowc fmt <path> [--check] [--line-width N] [--indent-size N]\n", driver_cmd_fmt},
    {"repl", "Start an interactive REPL (read-eval-print loop).", "usage: snowc repl\n",
     run_unsupported},
    {"lsp", "Start a Language Server Protocol server on stdin/stdout.", "usage: snowc lsp\n",
     run_unsupported},
};
enum { COMMAND_COUNT = sizeof(commands) / sizeof(commands[0]) };

static void print_help(FILE *out)
{
    fprintf(out, "snowc %s: the Snow compiler\n\nusage: snowc <command> [options]\n\ncommands:\n",
            SNOWC_VERSION);
    for (int i = 0; i < COMMAND_COUNT; i++)
        fprintf(out, "  %-7s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\n  snowc <command> --help   details of one command\n"
                 "  snowc --version          print the version\n");
}

/* The commands that are part of the v5.0 command line but that this
 * compiler does not provide yet fail as language.md 11 allows for repl and
 * lsp: `error: <message>`, exit 1. */
static int run_unsupported(const driver_args_t *args)
{
    fprintf(stderr, "error: `snowc %s` is not available in this version of snowc\n",
            args->command);
    return 1;
}

/* Options that take a value as the next argument. */
static bool takes_value(const char *opt)
{
    static const char *const with_value[] = {"--opt-level", "-o",         "--output",
                                             "--target",    "--line-width", "--indent-size"};
    for (size_t i = 0; i < sizeof(with_value) / sizeof(with_value[0]); i++)
        if (strcmp(opt, with_value[i]) == 0)
            return true;
    return false;
}

static int set_option(driver_args_t *a, const char *opt, const char *value)
{
    if (strcmp(opt, "--opt-level") == 0) {
        char *end;
        long n = strtol(value, &end, 10);
        if (*end || (n != 0 && n != 1 && n != 2 && n != 3)) {
            fprintf(stderr, "error: invalid --opt-level '%s' (expected 0 or 2)\n", value);
            return -1;
        }
        a->opt_level = (int)n;
    } else if (strcmp(opt, "-o") == 0 || strcmp(opt, "--output") == 0) {
        a->output = value;
    } else if (strcmp(opt, "--target") == 0) {
        a->target = value;
    } else if (strcmp(opt, "--json") == 0) {
        a->json = true;
    } else if (strcmp(opt, "--no-color") == 0) {
        a->no_color = true;
    } else if (strcmp(opt, "--emit-llvm") == 0) {
        a->emit_llvm = true;
    } else if (strcmp(opt, "--emit-c") == 0) {
        a->emit_c = true;
    } else if (strcmp(opt, "--debug") == 0) {
        a->debug = true;
    } else if (strcmp(opt, "--dump") == 0) {
        a->dump = true;
    } else if (strcmp(opt, "--check") == 0) {
        a->check = true;
    } else if (strcmp(opt, "--line-width") == 0 || strcmp(opt, "--indent-size") == 0) {
        char *end;
        long n = strtol(value, &end, 10);
        if (*end || n < 1 || n > 1000) {
            fprintf(stderr, "error: invalid %s '%s' (expected a positive number)\n", opt, value);
            return -1;
        }
        if (opt[2] == 'l')
            a->line_width = (int)n;
        else
            a->indent_size = (int)n;
    } else {
        fprintf(stderr, "error: unknown option '%s' for `snowc %s`\n", opt, a->command);
        return -1;
    }
    return 0;
}

/* Fills a from argv[2..]: options anywhere, one positional, and everything
 * after `--` as program arguments. */
static int parse_args(driver_args_t *a, int argc, char **argv)
{
    for (int i = 2; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--") == 0) {
            a->program_argc = argc - i - 1;
            a->program_argv = argv + i + 1;
            break;
        }
        if (arg[0] == '-' && arg[1] != '\0') {
            const char *value = NULL;
            if (takes_value(arg)) {
                if (i + 1 >= argc) {
                    fprintf(stderr, "error: option '%s' needs a value\n", arg);
                    return -1;
                }
                value = argv[++i];
            }
            if (set_option(a, arg, value) < 0)
                return -1;
        } else if (!a->path) {
            a->path = arg;
        } else {
            fprintf(stderr, "error: unexpected argument '%s' for `snowc %s`\n", arg, a->command);
            return -1;
        }
    }
    return 0;
}

static bool wants_help(int argc, char **argv)
{
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            return false;
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
            return true;
    }
    return false;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        print_help(stderr);
        return 1;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
        printf("snowc %s\n", SNOWC_VERSION);
        return 0;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        print_help(stdout);
        return 0;
    }
    for (int i = 0; i < COMMAND_COUNT; i++) {
        const command_t *cmd = &commands[i];
        if (strcmp(argv[1], cmd->name) != 0)
            continue;
        if (wants_help(argc, argv)) {
            printf("%s\n\n%s", cmd->summary, cmd->usage);
            return 0;
        }
        driver_args_t args = {.command = cmd->name, .argv0 = argv[0]};
        if (parse_args(&args, argc, argv) < 0)
            return 1;
        return cmd->run(&args);
    }
    fprintf(stderr, "error: unknown command '%s' (see `snowc --help`)\n", argv[1]);
    return 1;
}
