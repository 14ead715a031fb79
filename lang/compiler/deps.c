/* deps.c: `snowc deps [dir]` (language.md 11; docs/tooling.md).
 *
 * Reads <dir>/snow.toml, and unless snow.lock is newer than it, resolves
 * every dependency transitively: a path dependency must be a directory with
 * its own snow.toml, whose dependencies are resolved relative to it; a git
 * dependency is cloned from a local repository into <dir>/.snow/git/<name>
 * and pinned to a commit (deps_git.h). Each name resolves once; the same
 * name from two different places is an error, and a package already being
 * resolved is not entered again, so cycles end. The result is written to
 * <dir>/snow.lock (format in docs/tooling.md) through a temporary file and
 * rename(2). Summaries go to stdout, errors to stderr as `error: ...`.
 */
#include "lang/compiler/driver.h"

#include <errno.h>
#include <stdarg.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lang/compiler/deps_git.h"
#include "lang/compiler/deps_manifest.h"

/* Dependency chains longer than this are refused (a guard, not a limit
 * any real project meets). */
#define DEPS_DEPTH_MAX 64

typedef struct {
    char *name;
    deps_src_t src;
    char *location;   /* path as seen from the root project, or git url as written */
    char *identity;   /* real directory (path) or commit (git): same name, same package */
    deps_ref_t ref_kind;
    char *ref;
    char commit[DEPS_COMMIT_LEN + 1];
    char **deps;      /* names of its own dependencies */
    size_t dep_count;
} lock_pkg_t;

typedef struct {
    lock_pkg_t *pkgs;
    size_t count;
    size_t cap;
    char cache_dir[PATH_MAX];
    char err[2048];
} resolver_t;

static void set_err(resolver_t *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_err(resolver_t *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->err, sizeof r->err, fmt, ap);
    va_end(ap);
}

static char *dup_str(const char *s)
{
    char *d = strdup(s ? s : "");
    if (!d) {
        perror("snowc: out of memory");
        abort();
    }
    return d;
}

static lock_pkg_t *find_pkg(resolver_t *r, const char *name)
{
    for (size_t i = 0; i < r->count; i++)
        if (strcmp(r->pkgs[i].name, name) == 0)
            return &r->pkgs[i];
    return NULL;
}

/* Adds a package for spec; its index stays valid (pkgs may move). */
static size_t add_pkg(resolver_t *r, const deps_spec_t *spec, const char *location,
                      const char *identity)
{
    if (r->count == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 8;
        r->pkgs = realloc(r->pkgs, r->cap * sizeof(lock_pkg_t));
        if (!r->pkgs) {
            perror("snowc: out of memory");
            abort();
        }
    }
    lock_pkg_t *p = &r->pkgs[r->count];
    memset(p, 0, sizeof *p);
    p->name = dup_str(spec->name);
    p->src = spec->src;
    p->location = dup_str(location);
    p->identity = dup_str(identity);
    p->ref_kind = spec->ref_kind;
    p->ref = spec->ref ? dup_str(spec->ref) : NULL;
    return r->count++;
}

static void set_pkg_deps(resolver_t *r, size_t index, const deps_manifest_t *m)
{
    lock_pkg_t *p = &r->pkgs[index];
    p->deps = calloc(m->dep_count + 1, sizeof(char *));
    if (!p->deps) {
        perror("snowc: out of memory");
        abort();
    }
    for (size_t i = 0; i < m->dep_count; i++)
        p->deps[i] = dup_str(m->deps[i].name);
    p->dep_count = m->dep_count;
}

static void resolver_destroy(resolver_t *r)
{
    for (size_t i = 0; i < r->count; i++) {
        lock_pkg_t *p = &r->pkgs[i];
        free(p->name);
        free(p->location);
        free(p->identity);
        free(p->ref);
        for (size_t j = 0; j < p->dep_count; j++)
            free(p->deps[j]);
        free(p->deps);
    }
    free(r->pkgs);
}

static int resolve_manifest(resolver_t *r, const deps_manifest_t *m, const char *base_dir,
                            const char *display_base, int depth);

/* Joins a manifest-relative location to the directory of that manifest. */
static bool join(char *out, size_t size, const char *base, const char *rel)
{
    int n = rel[0] == '/' || !*base ? snprintf(out, size, "%s", rel)
                                    : snprintf(out, size, "%s/%s", base, rel);
    return n >= 0 && (size_t)n < size;
}

/* A second requirement of an already resolved name. */
static int check_same(resolver_t *r, const lock_pkg_t *have, const deps_spec_t *spec,
                      const char *location, const char *identity)
{
    if (have->src == spec->src && strcmp(have->identity, identity) == 0)
        return 0;
    set_err(r, "dependency '%s' is required from two different sources: '%s' and '%s'", spec->name,
             have->location, location);
    return -1;
}

/* Loads the snow.toml in dir (borrowed) for spec; a missing file is an error
 * only when required. Returns 1 when loaded, 0 when absent, -1 on error. */
static int load_dep_manifest(resolver_t *r, const deps_spec_t *spec, const char *dir,
                             const char *display, bool required, deps_manifest_t *m)
{
    char path[PATH_MAX + 16];
    if (snprintf(path, sizeof path, "%s/snow.toml", dir) >= (int)sizeof path) {
        set_err(r, "dependency '%s': path too long", spec->name);
        return -1;
    }
    char why[1024];
    int rc = deps_manifest_load(path, m, why, sizeof why);
    if (rc == -ENOENT && !required)
        return 0;
    if (rc == -ENOENT) {
        set_err(r, "dependency '%s': no 'snow.toml' found in '%s'",
                 spec->name, display);
        return -1;
    }
    if (rc < 0) {
        set_err(r, "dependency '%s': %s", spec->name, why);
        return -1;
    }
    return 1;
}

static int resolve_path(resolver_t *r, const deps_spec_t *spec, const char *base_dir,
                        const char *display_base, int depth)
{
    char joined[PATH_MAX], display[PATH_MAX], real[PATH_MAX];
    struct stat st;
    if (!join(joined, sizeof joined, base_dir, spec->location) ||
        !join(display, sizeof display, display_base, spec->location) || !realpath(joined, real) || stat(real, &st) != 0 || !S_ISDIR(st.st_mode)) {
        set_err(r, "dependency '%s': path '%s' does not exist or is not a "
                 "directory", spec->name, display);
        return -1;
    }
    const lock_pkg_t *have = find_pkg(r, spec->name);
    if (have)
        return check_same(r, have, spec, display, real);
    deps_manifest_t m;
    if (load_dep_manifest(r, spec, real, display, true, &m) < 0)
        return -1;
    size_t index = add_pkg(r, spec, display, real);
    set_pkg_deps(r, index, &m);
    int rc = resolve_manifest(r, &m, real, display, depth + 1);
    deps_manifest_destroy(&m);
    return rc;
}

static int resolve_git(resolver_t *r, const deps_spec_t *spec, const char *base_dir, int depth)
{
    char commit[DEPS_COMMIT_LEN + 1] = "";
    char checkout[PATH_MAX + 256];
    const lock_pkg_t *have = find_pkg(r, spec->name);
    if (have && have->src == DEPS_SRC_GIT && strcmp(have->location, spec->location) == 0 &&
        have->ref_kind == spec->ref_kind &&
        strcmp(have->ref ? have->ref : "", spec->ref ? spec->ref : "") == 0)
        return 0; /* the same requirement again: already fetched */
    if (have && have->src != DEPS_SRC_GIT)
        return check_same(r, have, spec, spec->location, "");
    if (deps_git_fetch(spec, base_dir, r->cache_dir, commit, checkout, sizeof checkout, r->err,
                       sizeof r->err) < 0)
        return -1;
    if (have)
        return check_same(r, have, spec, spec->location, commit);
    deps_manifest_t m;
    int loaded = load_dep_manifest(r, spec, checkout, spec->location, false, &m);
    if (loaded < 0)
        return -1;
    size_t index = add_pkg(r, spec, spec->location, commit);
    memcpy(r->pkgs[index].commit, commit, sizeof commit);
    if (!loaded)
        return 0;
    set_pkg_deps(r, index, &m);
    int rc = resolve_manifest(r, &m, checkout, checkout, depth + 1);
    deps_manifest_destroy(&m);
    return rc;
}

static int resolve_manifest(resolver_t *r, const deps_manifest_t *m, const char *base_dir,
                            const char *display_base, int depth)
{
    if (depth > DEPS_DEPTH_MAX) {
        set_err(r, "dependencies nest more than %d levels deep",
                 DEPS_DEPTH_MAX);
        return -1;
    }
    for (size_t i = 0; i < m->dep_count; i++) {
        const deps_spec_t *spec = &m->deps[i];
        int rc = spec->src == DEPS_SRC_PATH
                     ? resolve_path(r, spec, base_dir, display_base, depth)
                     : resolve_git(r, spec, base_dir, depth);
        if (rc < 0)
            return -1;
    }
    return 0;
}

/* ============================================================ snow.lock */

/* Writes s as a TOML basic string. */
static void put_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20 || c == 0x7F)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

static int cmp_pkg(const void *a, const void *b)
{
    return strcmp(((const lock_pkg_t *)a)->name, ((const lock_pkg_t *)b)->name);
}

static void write_pkg(FILE *f, const lock_pkg_t *p)
{
    fprintf(f, "\n[[package]]\nname = ");
    put_string(f, p->name);
    if (p->src == DEPS_SRC_PATH) {
        fprintf(f, "\nsource = \"path\"\npath = ");
        put_string(f, p->location);
    } else {
        fprintf(f, "\nsource = \"git\"\ngit = ");
        put_string(f, p->location);
        if (p->ref_kind != DEPS_REF_NONE) {
            fprintf(f, "\n%s = ", deps_ref_key(p->ref_kind));
            put_string(f, p->ref);
        }
        fprintf(f, "\ncommit = \"%s\"", p->commit);
    }
    fprintf(f, "\ndependencies = [");
    for (size_t i = 0; i < p->dep_count; i++) {
        if (i)
            fprintf(f, ", ");
        put_string(f, p->deps[i]);
    }
    fprintf(f, "]\n");
}

static int write_lock(resolver_t *r, const char *dir)
{
    char path[PATH_MAX], tmp[PATH_MAX + 16];
    int fd = -1;
    if (snprintf(path, sizeof path, "%s/snow.lock", dir) < (int)sizeof path &&
        snprintf(tmp, sizeof tmp, "%s.tmp-XXXXXX", path) < (int)sizeof tmp)
        fd = mkstemp(tmp);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        if (fd >= 0)
            close(fd);
        set_err(r, "cannot write '%s': %s", path, strerror(errno));
        return -1;
    }
    fchmod(fd, 0644);
    qsort(r->pkgs, r->count, sizeof(lock_pkg_t), cmp_pkg);
    fprintf(f, "# snow.lock: written by `snowc deps`; do not edit.\nversion = 1\n");
    for (size_t i = 0; i < r->count; i++)
        write_pkg(f, &r->pkgs[i]);
    bool ok = !ferror(f);
    ok &= fclose(f) == 0;
    if (!ok || rename(tmp, path) != 0) {
        set_err(r, "cannot write '%s': %s", path, strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}

/* ============================================================== command */

static bool newer(const struct stat *a, const struct stat *b)
{
    if (a->st_mtim.tv_sec != b->st_mtim.tv_sec)
        return a->st_mtim.tv_sec > b->st_mtim.tv_sec;
    return a->st_mtim.tv_nsec > b->st_mtim.tv_nsec;
}

int driver_cmd_deps(const driver_args_t *args)
{
    const char *dir = args->path ? args->path : ".";
    char manifest_path[PATH_MAX], lock_path[PATH_MAX];
    bool fits = snprintf(manifest_path, sizeof manifest_path, "%s/snow.toml", dir) <
                    (int)sizeof manifest_path &&
                snprintf(lock_path, sizeof lock_path, "%s/snow.lock", dir) < (int)sizeof lock_path;
    struct stat manifest_st, lock_st;
    if (!fits || stat(manifest_path, &manifest_st) != 0 || !S_ISREG(manifest_st.st_mode)) {
        fprintf(stderr, "error: No 'snow.toml' found in '%s'. Run `snowc init` to create a "
                        "project.\n", dir);
        return 1;
    }
    deps_manifest_t m;
    char why[1024];
    if (deps_manifest_load(manifest_path, &m, why, sizeof why) < 0) {
        fprintf(stderr, "error: %s\n", why);
        return 1;
    }
    int status = 0;
    if (stat(lock_path, &lock_st) == 0 && newer(&lock_st, &manifest_st)) {
        printf("Dependencies up to date\n");
    } else if (m.dep_count == 0) {
        printf("No dependencies\n");
    } else {
        resolver_t r = {0};
        char real[PATH_MAX];
        bool ok = realpath(dir, real) &&
                  snprintf(r.cache_dir, sizeof r.cache_dir, "%s/.snow/git", real) <
                      (int)sizeof r.cache_dir;
        if (!ok)
            set_err(&r, "'%s': path too long", dir);
        if (!ok || resolve_manifest(&r, &m, real, "", 0) < 0 || write_lock(&r, dir) < 0) {
            fprintf(stderr, "error: %s\n", r.err);
            status = 1;
        } else {
            printf("Resolved %zu dependencies\n", r.count);
        }
        resolver_destroy(&r);
    }
    deps_manifest_destroy(&m);
    return status;
}
