/* deps_manifest.c: loading and checking snow.toml (deps_manifest.h). */
#include "lang/compiler/deps_manifest.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/compiler/toml.h"

/* Largest manifest accepted; a manifest is a few lines. */
#define MANIFEST_BYTES_MAX (1u << 20)

static char *dup_str(const char *s)
{
    char *d = strdup(s);
    if (!d) {
        perror("snowc: out of memory");
        abort();
    }
    return d;
}

static char *read_text(const char *path, size_t *len, int *rc)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        *rc = -errno;
        return NULL;
    }
    char *buf = malloc(MANIFEST_BYTES_MAX + 1);
    size_t n = buf ? fread(buf, 1, MANIFEST_BYTES_MAX + 1, f) : 0;
    bool bad = !buf || ferror(f) || n > MANIFEST_BYTES_MAX;
    fclose(f);
    if (bad) {
        free(buf);
        *rc = -EFBIG;
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

static const char *string_field(const toml_value_t *t, const char *key, bool *bad)
{
    const toml_value_t *v = toml_get(t, key);
    if (v && v->kind != TOML_STRING)
        *bad = true;
    return v && v->kind == TOML_STRING ? v->str : NULL;
}

/* Checks one [dependencies] entry and fills spec. Returns 0 or -EINVAL
 * after writing the reason. */
static int load_spec(const char *path, const toml_entry_t *e, deps_spec_t *spec, char *err,
                     size_t err_size)
{
    const char *name = e->key;
    const toml_value_t *v = e->value;
    if (v->kind != TOML_TABLE) {
        snprintf(err, err_size,
                 "%s: dependency '%s': expected { git = \"url\" } or { path = \"dir\" }, found "
                 "a %s (registry versions are not supported)",
                 path, name, toml_kind_name(v->kind));
        return -EINVAL;
    }
    if (strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") !=
            strlen(name) || !*name) {
        snprintf(err, err_size, "%s: dependency '%s': a name uses only letters, digits, '_' "
                 "and '-'", path, name);
        return -EINVAL;
    }
    bool bad = false;
    const char *git = string_field(v, "git", &bad), *dir = string_field(v, "path", &bad);
    const char *refs[3] = {string_field(v, "rev", &bad), string_field(v, "branch", &bad),
                           string_field(v, "tag", &bad)};
    int ref_count = (refs[0] != NULL) + (refs[1] != NULL) + (refs[2] != NULL);
    for (size_t i = 0; i < v->entry_count && !bad; i++) {
        const char *k = v->entries[i].key;
        if (strcmp(k, "git") && strcmp(k, "path") && strcmp(k, "rev") && strcmp(k, "branch") &&
            strcmp(k, "tag")) {
            snprintf(err, err_size, "%s: dependency '%s': unknown key '%s'", path, name, k);
            return -EINVAL;
        }
    }
    const char *why = bad                  ? "git, path, rev, branch and tag must be strings"
                      : !git == !dir       ? "needs exactly one of 'git' or 'path'"
                      : dir && ref_count   ? "rev, branch and tag apply only to git dependencies"
                      : ref_count > 1      ? "give at most one of rev, branch and tag"
                      : (git && !*git) || (dir && !*dir) ? "empty location"
                                                         : NULL;
    if (why) {
        snprintf(err, err_size, "%s: dependency '%s': %s", path, name, why);
        return -EINVAL;
    }
    spec->name = dup_str(name);
    spec->src = git ? DEPS_SRC_GIT : DEPS_SRC_PATH;
    spec->location = dup_str(git ? git : dir);
    spec->ref_kind = DEPS_REF_NONE;
    for (int i = 0; i < 3; i++)
        if (refs[i]) {
            spec->ref_kind = (deps_ref_t)(DEPS_REF_REV + i);
            spec->ref = dup_str(refs[i]);
        }
    return 0;
}

static int load_package(const char *path, const toml_value_t *doc, deps_manifest_t *m, char *err,
                        size_t err_size)
{
    const toml_value_t *pkg = toml_get(doc, "package");
    if (!pkg || pkg->kind != TOML_TABLE) {
        snprintf(err, err_size, "%s: missing [package] table", path);
        return -EINVAL;
    }
    bool bad = false;
    const char *name = string_field(pkg, "name", &bad);
    const char *version = string_field(pkg, "version", &bad);
    const char *description = string_field(pkg, "description", &bad);
    const toml_value_t *authors = toml_get(pkg, "authors");
    bool authors_ok = !authors || authors->kind == TOML_ARRAY;
    for (size_t i = 0; authors_ok && authors && i < authors->item_count; i++)
        authors_ok = authors->items[i]->kind == TOML_STRING;
    if (bad || !name || !version || !*name || !authors_ok) {
        snprintf(err, err_size,
                 "%s: [package] needs string 'name' and 'version' (optional string "
                 "'description', array of strings 'authors')",
                 path);
        return -EINVAL;
    }
    m->name = dup_str(name);
    m->version = dup_str(version);
    m->description = description ? dup_str(description) : NULL;
    return 0;
}

int deps_manifest_load(const char *path, deps_manifest_t *m, char *err, size_t err_size)
{
    memset(m, 0, sizeof *m);
    size_t len = 0;
    int rc = 0;
    char *text = read_text(path, &len, &rc);
    if (!text) {
        if (rc != -ENOENT)
            snprintf(err, err_size, "%s: cannot read: %s", path, strerror(-rc));
        return rc;
    }
    char why[256];
    toml_value_t *doc = toml_parse(text, len, why, sizeof why);
    free(text);
    if (!doc) {
        snprintf(err, err_size, "%s: %s", path, why);
        return -EINVAL;
    }
    rc = load_package(path, doc, m, err, err_size);
    const toml_value_t *deps = toml_get(doc, "dependencies");
    if (rc == 0 && deps && deps->kind != TOML_TABLE) {
        snprintf(err, err_size, "%s: 'dependencies' must be a table", path);
        rc = -EINVAL;
    }
    if (rc == 0 && deps && deps->entry_count) {
        m->deps = calloc(deps->entry_count, sizeof(deps_spec_t));
        if (!m->deps) {
            perror("snowc: out of memory");
            abort();
        }
        for (size_t i = 0; i < deps->entry_count && rc == 0; i++) {
            rc = load_spec(path, &deps->entries[i], &m->deps[i], err, err_size);
            if (rc == 0)
                m->dep_count++;
        }
    }
    toml_free(doc);
    if (rc < 0)
        deps_manifest_destroy(m);
    return rc;
}

void deps_manifest_destroy(deps_manifest_t *m)
{
    for (size_t i = 0; i < m->dep_count; i++) {
        free(m->deps[i].name);
        free(m->deps[i].location);
        free(m->deps[i].ref);
    }
    free(m->deps);
    free(m->name);
    free(m->version);
    free(m->description);
    memset(m, 0, sizeof *m);
}

const char *deps_ref_key(deps_ref_t kind)
{
    switch (kind) {
    case DEPS_REF_REV: return "rev";
    case DEPS_REF_BRANCH: return "branch";
    case DEPS_REF_TAG: return "tag";
    default: return "";
    }
}
