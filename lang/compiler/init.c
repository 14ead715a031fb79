/* init.c: `snowc init <name>` (language.md 11, D160). */
#include "lang/compiler/driver.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static int write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "error: cannot create '%s': %s\n", path, strerror(errno));
        return -1;
    }
    int ok = fputs(text, f) >= 0;
    ok &= fclose(f) == 0;
    if (!ok) {
        fprintf(stderr, "error: cannot write '%s'\n", path);
        return -1;
    }
    return 0;
}

int driver_cmd_init(const driver_args_t *args)
{
    const char *name = args->path;
    if (!name || !*name) {
        fprintf(stderr, "error: missing project name (usage: snowc init <name>)\n");
        return 1;
    }
    if (mkdir(name, 0777) != 0) {
        if (errno == EEXIST)
            fprintf(stderr, "error: Directory '%s' already exists\n", name);
        else
            fprintf(stderr, "error: cannot create directory '%s': %s\n", name, strerror(errno));
        return 1;
    }
    char path[4096];
    char manifest[1024];
    snprintf(manifest, sizeof manifest,
             "[package]\nname = \"%s\"\nversion = \"0.1.0\"\n\n[dependencies]\n", name);
    snprintf(path, sizeof path, "%s/snow.toml", name);
    if (write_file(path, manifest) < 0)
        return 1;
    /* D160: the scaffold must compile (v5.0 called the missing IO.puts). */
    snprintf(path, sizeof path, "%s/main.snow", name);
    if (write_file(path, "fn main() do\n  println(\"Hello from Snow!\")\nend\n") < 0)
        return 1;
    printf("Created project '%s'\n", name);
    return 0;
}
