/* deps_manifest.h: snow.toml, the project manifest (language.md 11).
 *
 *   [package]
 *   name = "app"            required string
 *   version = "0.1.0"       required string
 *   description = "..."     optional string
 *   authors = ["Ada"]       optional array of strings
 *
 *   [dependencies]
 *   json = { git = "../json", tag = "v1" }   git: a url or path; at most one
 *   util = { path = "../util" }                of rev, branch, tag
 *
 * Other tables are ignored. Loading checks the shapes above and names the
 * offending key or dependency in its message.
 */
#ifndef SNOW_LANG_COMPILER_DEPS_MANIFEST_H
#define SNOW_LANG_COMPILER_DEPS_MANIFEST_H

#include <stddef.h>

typedef enum { DEPS_SRC_PATH, DEPS_SRC_GIT } deps_src_t;

typedef enum { DEPS_REF_NONE, DEPS_REF_REV, DEPS_REF_BRANCH, DEPS_REF_TAG } deps_ref_t;

typedef struct {
    char *name;     /* owned */
    deps_src_t src;
    char *location; /* owned: the `path` or `git` value as written */
    deps_ref_t ref_kind;
    char *ref;      /* owned; NULL when ref_kind is DEPS_REF_NONE */
} deps_spec_t;

typedef struct {
    char *name;        /* owned */
    char *version;     /* owned */
    char *description; /* owned or NULL */
    deps_spec_t *deps; /* owned, in file order */
    size_t dep_count;
} deps_manifest_t;

/* Reads and checks the manifest at path (borrowed) into *m. Returns 0;
 * -ENOENT when the file does not exist; or another negative value after
 * writing the reason (`<path>: line 3: ...`, `<path>: dependency 'x': ...`)
 * to err[0..err_size). On failure *m holds nothing to free. */
int deps_manifest_load(const char *path, deps_manifest_t *m, char *err, size_t err_size);

void deps_manifest_destroy(deps_manifest_t *m);

/* "rev", "branch", "tag" or "" for a ref kind (the manifest's key). */
const char *deps_ref_key(deps_ref_t kind);

#endif
