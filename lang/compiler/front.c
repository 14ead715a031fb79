/* front.c: loading a project and parsing its modules (front.h). */
#include "lang/compiler/front.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lang/compiler/diag.h"
#include "lang/compiler/parse.h"
#include "lang/compiler/source.h"

enum { FRONT_DIR_DEPTH_MAX = 64 };

typedef struct {
    char **items; /* owned, relative paths */
    uint32_t len, cap;
} path_list_t;

static void path_push(path_list_t *l, const char *rel)
{
    if (l->len == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 16;
        l->items = realloc(l->items, l->cap * sizeof(*l->items));
        if (!l->items) {
            perror("snowc: out of memory");
            abort();
        }
    }
    l->items[l->len++] = strdup(rel);
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

static char *join(const char *a, const char *b)
{
    size_t n = strlen(a);
    bool slash = n > 0 && a[n - 1] != '/';
    char *s = malloc(n + strlen(b) + 2);
    if (!s) {
        perror("snowc: out of memory");
        abort();
    }
    sprintf(s, "%s%s%s", a, slash ? "/" : "", b);
    return s;
}

/* Collects *.snow below root/rel (rel "" is the root). */
static void walk(const char *root, const char *rel, path_list_t *out, int depth)
{
    char *dir = rel[0] ? join(root, rel) : strdup(root);
    DIR *dp = opendir(dir);
    free(dir);
    if (!dp || depth > FRONT_DIR_DEPTH_MAX) {
        if (dp)
            closedir(dp);
        return;
    }
    struct dirent *de;
    while ((de = readdir(dp))) {
        if (de->d_name[0] == '.')
            continue;
        char *child = rel[0] ? join(rel, de->d_name) : strdup(de->d_name);
        char *full = join(root, child);
        struct stat st;
        if (stat(full, &st) == 0) {
            if (S_ISDIR(st.st_mode))
                walk(root, child, out, depth + 1);
            else if (S_ISREG(st.st_mode) && ends_with(de->d_name, ".snow"))
                path_push(out, child);
        }
        free(full);
        free(child);
    }
    closedir(dp);
}

sym_t front_module_name(interner_t *in, const char *rel_path)
{
    size_t n = strlen(rel_path);
    char *buf = malloc(n + 1);
    if (!buf) {
        perror("snowc: out of memory");
        abort();
    }
    size_t k = 0;
    bool upper = true;
    size_t end = ends_with(rel_path, ".snow") ? n - 5 : n;
    for (size_t i = 0; i < end; i++) {
        char ch = rel_path[i];
        if (ch == '/') {
            buf[k++] = '.';
            upper = true;
        } else if (ch == '_') {
            upper = true;
        } else {
            buf[k++] = upper && ch >= 'a' && ch <= 'z' ? (char)(ch - 'a' + 'A') : ch;
            upper = false;
        }
    }
    sym_t s = intern(in, buf, k);
    free(buf);
    return s;
}

static void module_push(compile_t *c, compile_module_t m)
{
    compile_module_t *n = ARENA_ARRAY(c->arena, compile_module_t, c->module_count + 1);
    if (c->module_count)
        memcpy(n, c->modules, c->module_count * sizeof(*n));
    n[c->module_count++] = m;
    c->modules = n;
}

static int parse_module(compile_t *c, int file, sym_t name, bool is_main)
{
    uint32_t errors = 0;
    compile_module_t m = {
        .name = name,
        .path = source_get(c->sources, (uint32_t)file)->path,
        .file = (uint32_t)file,
        .is_main = is_main,
    };
    m.ast = parse_file(c->arena, c->interner, c->sources, (uint32_t)file, c->diag, &errors);
    module_push(c, m);
    return (int)errors;
}

static void read_error(compile_t *c, const char *path, int err)
{
    span_t none = {DIAG_NO_FILE, 0, 0};
    diag_error(c->diag, none, "F0001", "cannot read `%s`: %s", path,
               err == -EFBIG ? "file too large" : strerror(-err));
}

static int cmp_paths(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int load_dir(compile_t *c, const char *dir)
{
    path_list_t files = {0};
    walk(dir, "", &files, 0);
    if (files.len)
        qsort(files.items, files.len, sizeof(*files.items), cmp_paths);
    int errors = 0;
    for (uint32_t i = 0; i < files.len; i++) {
        char *full = join(dir, files.items[i]);
        int file = source_add_file(c->sources, full, full);
        if (file < 0) {
            read_error(c, full, file);
        } else {
            bool is_main = strcmp(files.items[i], "main.snow") == 0;
            errors += parse_module(c, file, front_module_name(c->interner, files.items[i]),
                                   is_main);
        }
        free(full);
        free(files.items[i]);
    }
    free(files.items);
    return errors;
}

int front_load(compile_t *c, const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        read_error(c, path, -errno);
        return 0;
    }
    if (S_ISDIR(st.st_mode))
        return load_dir(c, path);
    int file = source_add_file(c->sources, path, path);
    if (file < 0) {
        read_error(c, path, file);
        return 0;
    }
    /* A file given on its own is a whole program (`snowc run prog.snow`):
     * it is the Main module whatever its name (docs/syntax.md). */
    return parse_module(c, file, intern_cstr(c->interner, "Main"), true);
}

int front_load_text(compile_t *c, const char *display_path, const char *name, const char *text,
                    size_t len)
{
    int file = source_add(c->sources, display_path, text, len);
    if (file < 0) {
        read_error(c, display_path, file);
        return 0;
    }
    return parse_module(c, file, intern_cstr(c->interner, name), strcmp(name, "Main") == 0);
}
