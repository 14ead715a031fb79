/* fmt_cmd.c: `snowc fmt <path> [--check] [--line-width N] [--indent-size N]`
 * (language.md 11; docs/tooling.md).
 *
 * Collects one .snow file or every .snow file below a directory (sorted, so
 * reports are stable), and formats each with fmt_source. A file is written
 * only when it parses, its canonical form differs, and the canonical form
 * has the same tokens and comments and parses too; a file is replaced by
 * writing a temporary file next to it and renaming it over the original, so
 * an interrupted run never leaves half a file. All messages go to stderr.
 */
#include "lang/compiler/driver.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lang/compiler/compile.h"
#include "lang/compiler/diag.h"
#include "lang/compiler/fmt.h"
#include "lang/compiler/front.h"
#include "lang/compiler/source.h"

typedef struct {
    char **paths; /* owned, each owned */
    size_t count;
    size_t cap;
} file_list_t;

typedef enum { FILE_CLEAN, FILE_CHANGED, FILE_FAILED } file_result_t;

static void list_add(file_list_t *l, const char *path)
{
    if (l->count == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 16;
        l->paths = realloc(l->paths, l->cap * sizeof(char *));
    }
    char *copy = strdup(path);
    if (!l->paths || !copy) {
        perror("snowc: out of memory");
        abort();
    }
    l->paths[l->count++] = copy;
}

static void list_free(file_list_t *l)
{
    for (size_t i = 0; i < l->count; i++)
        free(l->paths[i]);
    free(l->paths);
}

static bool has_snow_ext(const char *name)
{
    size_t n = strlen(name);
    return n >= 5 && strcmp(name + n - 5, ".snow") == 0;
}

static int cmp_path(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Adds every regular *.snow file below dir (recursively), skipping names
 * that start with `.`. Symbolic links are not followed, so a link cycle
 * cannot loop. Returns 0 or -errno. */
static int collect(file_list_t *l, const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return -errno;
    struct dirent *e;
    while ((e = readdir(d))) {
        /* Like the compiler's project loader (front.h), names starting
         * with `.` are skipped: .git, and .snow where `snowc deps` keeps
         * checkouts of other projects. */
        if (e->d_name[0] == '.')
            continue;
        char path[4096];
        if (snprintf(path, sizeof path, "%s/%s", dir, e->d_name) >= (int)sizeof path)
            continue;
        struct stat st;
        if (lstat(path, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode))
            collect(l, path);
        else if (S_ISREG(st.st_mode) && has_snow_ext(e->d_name))
            list_add(l, path);
    }
    closedir(d);
    return 0;
}

/* Fills l from the command's path, or prints `error: ...` and returns -1. */
static int gather(file_list_t *l, const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "error: Path '%s' does not exist\n", path);
        return -1;
    }
    if (S_ISDIR(st.st_mode)) {
        char dir[4096];
        snprintf(dir, sizeof dir, "%s", path);
        size_t n = strlen(dir);
        while (n > 1 && dir[n - 1] == '/')
            dir[--n] = '\0';
        int rc = collect(l, dir);
        if (rc < 0) {
            fprintf(stderr, "error: cannot read directory '%s': %s\n", path, strerror(-rc));
            return -1;
        }
        if (l->count == 0) {
            fprintf(stderr, "error: No .snow files found in '%s'\n", path);
            return -1;
        }
        qsort(l->paths, l->count, sizeof(char *), cmp_path);
        return 0;
    }
    if (!has_snow_ext(path)) {
        fprintf(stderr, "error: '%s' is not a .snow file\n", path);
        return -1;
    }
    list_add(l, path);
    return 0;
}

/* Parses text as a module; on errors prints them and returns their count. */
static int parse_errors(const char *path, const char *text, size_t len, bool print)
{
    compile_t *c = compile_new();
    int errors = front_load_text(c, path, "Main", text, len);
    if (diag_error_count(c->diag) > 0 && errors == 0)
        errors = (int)diag_error_count(c->diag);
    if (errors && print)
        diag_render_all(c->diag, c->sources, stderr, false);
    compile_free(c);
    return errors;
}

/* Writes text over path through a temporary file and rename(2). */
static int replace_file(const char *path, const char *text, size_t len)
{
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.fmt-XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0)
        return -errno;
    struct stat st;
    if (stat(path, &st) == 0)
        fchmod(fd, st.st_mode & 07777);
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(fd, text + done, len - done);
        if (n < 0) {
            int err = errno;
            close(fd);
            unlink(tmp);
            return -err;
        }
        done += (size_t)n;
    }
    if (close(fd) != 0 || rename(tmp, path) != 0) {
        int err = errno;
        unlink(tmp);
        return -err;
    }
    return 0;
}

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap)
            buf = realloc(buf, cap *= 2);
        if (n > SOURCE_BYTES_MAX)
            break;
    }
    bool failed = ferror(f) || n > SOURCE_BYTES_MAX;
    fclose(f);
    if (!buf || failed) {
        free(buf);
        return NULL;
    }
    *len = n;
    return buf;
}

/* Formats one file: FILE_CLEAN when it is already canonical, FILE_CHANGED
 * when it was (or, with check, would be) rewritten, FILE_FAILED after
 * printing why it was left alone. */
static file_result_t format_file(const char *path, const fmt_options_t *opt, bool check)
{
    size_t len = 0;
    char *text = read_all(path, &len);
    if (!text) {
        fprintf(stderr, "error: cannot read '%s'\n", path);
        return FILE_FAILED;
    }
    file_result_t result = FILE_FAILED;
    char *out = NULL;
    size_t out_len = 0;
    if (parse_errors(path, text, len, true) > 0) {
        fprintf(stderr, "error: '%s' does not parse; it was not formatted\n", path);
        goto done;
    }
    out = fmt_source(text, (uint32_t)len, opt, &out_len);
    if (!out) {
        fprintf(stderr, "error: '%s' nests too deeply to format\n", path);
        goto done;
    }
    if (out_len == len && memcmp(out, text, len) == 0) {
        result = FILE_CLEAN;
        goto done;
    }
    /* Never lose code: the layout must keep every token and comment and
     * must still parse, or the file is left as it was. */
    if (!fmt_same_tokens(text, (uint32_t)len, out, (uint32_t)out_len) ||
        parse_errors(path, out, out_len, false) > 0) {
        fprintf(stderr, "error: internal formatter error on '%s'; the file was left unchanged\n",
                path);
        goto done;
    }
    result = FILE_CHANGED;
    if (check)
        goto done;
    int rc = replace_file(path, out, out_len);
    if (rc < 0) {
        fprintf(stderr, "error: cannot write '%s': %s\n", path, strerror(-rc));
        result = FILE_FAILED;
    }
done:
    free(out);
    free(text);
    return result;
}

int driver_cmd_fmt(const driver_args_t *args)
{
    if (!args->path) {
        fprintf(stderr, "error: missing path (usage: snowc fmt <path> [--check] "
                        "[--line-width N] [--indent-size N])\n");
        return 1;
    }
    fmt_options_t opt = {
        .indent_size = args->indent_size > 0 ? args->indent_size : FMT_INDENT_SIZE_DEFAULT,
        .line_width = args->line_width > 0 ? args->line_width : FMT_LINE_WIDTH_DEFAULT,
    };
    file_list_t files = {0};
    if (gather(&files, args->path) < 0) {
        list_free(&files);
        return 1;
    }
    size_t changed = 0, failed = 0;
    for (size_t i = 0; i < files.count; i++) {
        file_result_t r = format_file(files.paths[i], &opt, args->check);
        if (r == FILE_FAILED)
            failed++;
        else if (r == FILE_CHANGED && args->check)
            fprintf(stderr, "  would reformat: %s\n", files.paths[i]);
        changed += r == FILE_CHANGED;
    }
    int status = failed ? 1 : 0;
    if (!args->check) {
        fprintf(stderr, "Formatted %zu file(s)\n", files.count - failed);
    } else if (changed) {
        fprintf(stderr, "%zu file(s) would be reformatted\n", changed);
        status = 1;
    } else if (!failed) {
        fprintf(stderr, "%zu file(s) already formatted\n", files.count);
    }
    if (failed)
        fprintf(stderr, "error: %zu file(s) could not be formatted\n", failed);
    list_free(&files);
    return status;
}
