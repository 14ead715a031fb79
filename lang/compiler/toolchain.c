/* toolchain.c: finding the runtime and running the C compiler.
 *
 * snowc never hard-codes where it was built: the runtime is found relative
 * to the executable (or $SNOW_HOME), so the build tree and an installed
 * prefix work the same way.
 */
#include "lang/compiler/driver.h"

#include <errno.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "snow/config.h"

extern char **environ;

static bool is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Fills rt from base/include and base/lib if both hold the runtime. */
static bool try_prefix(driver_runtime_t *rt, const char *inc, const char *lib)
{
    char probe[8192];
    snprintf(probe, sizeof probe, "%s/snow/snow.h", inc);
    if (!is_file(probe))
        return false;
    snprintf(probe, sizeof probe, "%s/libsnowrt.a", lib);
    if (!is_file(probe))
        return false;
    char *ri = realpath(inc, NULL), *rl = realpath(lib, NULL);
    bool ok = ri && rl;
    if (ok) {
        snprintf(rt->include_dir, sizeof rt->include_dir, "%s", ri);
        snprintf(rt->lib_dir, sizeof rt->lib_dir, "%s", rl);
    }
    free(ri);
    free(rl);
    return ok;
}

int driver_runtime_locate(driver_runtime_t *rt)
{
    char inc[4200], lib[4200];
    const char *home = getenv("SNOW_HOME");
    if (home && *home) {
        snprintf(inc, sizeof inc, "%s/include", home);
        snprintf(lib, sizeof lib, "%s/lib", home);
        if (try_prefix(rt, inc, lib))
            return 0;
        fprintf(stderr, "error: SNOW_HOME='%s' does not contain include/snow/snow.h and "
                        "lib/libsnowrt.a\n", home);
        return -1;
    }
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) {
        fprintf(stderr, "error: cannot find the snowc executable: %s\n", strerror(errno));
        return -1;
    }
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash)
        *slash = '\0';
    snprintf(inc, sizeof inc, "%s/%s", exe, SNOWC_REL_INCLUDE);
    snprintf(lib, sizeof lib, "%s/%s", exe, SNOWC_REL_LIB);
    if (try_prefix(rt, inc, lib))
        return 0;
    fprintf(stderr, "error: cannot find the Snow runtime (looked for %s/snow/snow.h and "
                    "%s/libsnowrt.a); set SNOW_HOME to the installation prefix\n", inc, lib);
    return -1;
}

int driver_spawn_wait(char *const argv[])
{
    pid_t pid;
    int rc = posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ);
    if (rc != 0) {
        fprintf(stderr, "error: cannot run '%s': %s\n", argv[0], strerror(rc));
        return -1;
    }
    int status;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR)
            return -1;
    }
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return -1;
}

/* Splits space-separated words of s into argv (s is modified). */
static int split_words(char *s, char **argv, int max)
{
    int n = 0;
    for (char *tok = strtok(s, " "); tok && n < max; tok = strtok(NULL, " "))
        argv[n++] = tok;
    return n;
}

int driver_cc(const driver_runtime_t *rt, const char *c_path, const char *out_path, bool debug)
{
    const char *cc_env = getenv("CC");
    char cc[256];
    snprintf(cc, sizeof cc, "%s", cc_env && *cc_env ? cc_env : "cc");
    char extra[512], libs[512];
    snprintf(extra, sizeof extra, "%s", SNOWC_EXTRA_CFLAGS);
    snprintf(libs, sizeof libs, "%s", SNOWC_RUNTIME_LINK_LIBS);
    char inc_flag[4200], lib_flag[4200];
    snprintf(inc_flag, sizeof inc_flag, "-I%s", rt->include_dir);
    snprintf(lib_flag, sizeof lib_flag, "-L%s", rt->lib_dir);

    char *argv[128];
    int n = split_words(cc, argv, 8);
    argv[n++] = "-std=gnu11";
    argv[n++] = debug ? "-O0" : "-O2";
    if (debug)
        argv[n++] = "-g";
    argv[n++] = "-fno-omit-frame-pointer";
    n += split_words(extra, argv + n, 16);
    /* $SNOWC_CFLAGS adds flags; the e2e suite sets -Wall -Wextra -Werror to
     * hold the emitter to warning-free C (issue 5). */
    char user[1024] = "";
    const char *user_env = getenv("SNOWC_CFLAGS");
    if (user_env)
        snprintf(user, sizeof user, "%s", user_env);
    n += split_words(user, argv + n, 24);
    argv[n++] = inc_flag;
    argv[n++] = (char *)c_path;
    argv[n++] = "-o";
    argv[n++] = (char *)out_path;
    argv[n++] = lib_flag;
    argv[n++] = "-lsnowrt";
    n += split_words(libs, argv + n, 24);
    argv[n] = NULL;
    int rc = driver_spawn_wait(argv);
    if (rc != 0) {
        fprintf(stderr, "error: the C compiler (%s) failed with status %d\n", argv[0], rc);
        return -1;
    }
    return 0;
}
