/* run.c: `snowc run FILE.snow|DIR [-- args]` builds into a per-user cache
 * and replaces itself with the program, so the program's exit status and
 * signals are snowc's. */
#include "lang/compiler/driver.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* mkdir -p for the cache path. */
static int make_dirs(char *path)
{
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        int rc = mkdir(path, 0755);
        *p = '/';
        if (rc != 0 && errno != EEXIST)
            return -1;
    }
    return mkdir(path, 0755) == 0 || errno == EEXIST ? 0 : -1;
}

/* FNV-1a of the source's absolute path names its cache slot, so two
 * programs with the same file name do not overwrite each other. */
static uint64_t path_hash(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 0x100000001b3ull;
    return h;
}

static int cache_dir(const char *abs_src, char *out, size_t size)
{
    const char *xdg = getenv("XDG_CACHE_HOME");
    const char *home = getenv("HOME");
    char base[PATH_MAX];
    if (xdg && *xdg)
        snprintf(base, sizeof base, "%s/snow", xdg);
    else if (home && *home)
        snprintf(base, sizeof base, "%s/.cache/snow", home);
    else
        snprintf(base, sizeof base, "/tmp/snow-cache-%d", (int)getuid());
    int n = snprintf(out, size, "%s/run-%016llx", base, (unsigned long long)path_hash(abs_src));
    if (n < 0 || (size_t)n >= size) {
        fprintf(stderr, "error: the build cache path under '%s' is too long\n", base);
        return -1;
    }
    if (make_dirs(out) < 0) {
        fprintf(stderr, "error: cannot create the build cache '%s': %s\n", out, strerror(errno));
        return -1;
    }
    return 0;
}

int driver_cmd_run(const driver_args_t *args)
{
    if (!args->path) {
        fprintf(stderr, "error: missing program (usage: snowc run <file.snow|dir> [-- args])\n");
        return 1;
    }
    char abs_src[PATH_MAX];
    if (!realpath(args->path, abs_src)) {
        fprintf(stderr, "error: cannot open '%s': %s\n", args->path, strerror(errno));
        return 1;
    }
    char dir[PATH_MAX], exe[PATH_MAX + 16];
    if (cache_dir(abs_src, dir, sizeof dir) < 0)
        return 1;
    const char *name = strrchr(abs_src, '/');
    name = name ? name + 1 : abs_src;
    size_t len = strlen(name);
    if (len > 5 && strcmp(name + len - 5, ".snow") == 0)
        len -= 5;
    snprintf(exe, sizeof exe, "%s/%.*s", dir, (int)len, name);
    if (driver_build_to(args, args->path, exe, args->emit_c) < 0)
        return 1;
    char **argv = calloc((size_t)args->program_argc + 2, sizeof *argv);
    if (!argv)
        return 1;
    argv[0] = exe;
    for (int i = 0; i < args->program_argc; i++)
        argv[i + 1] = args->program_argv[i];
    fflush(NULL);
    execv(exe, argv);
    fprintf(stderr, "error: cannot run '%s': %s\n", exe, strerror(errno));
    free(argv);
    return 1;
}
