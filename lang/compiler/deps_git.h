/* deps_git.h: resolving git dependencies with the local `git` (language.md
 * 11, docs/tooling.md).
 *
 * Only local repositories are resolved: a path (absolute, or relative to the
 * manifest that names it) or a file:// URL. Anything else (https://, ssh://,
 * git://, user@host:path) is refused before git runs, so `snowc deps` never
 * opens a network connection. git itself runs with every transport but
 * `file` disabled (-c protocol.allow=never -c protocol.file.allow=always)
 * and without terminal prompts, as a second guard.
 *
 * A repository is cloned once into <cache>/<name> (no working files until
 * the chosen commit is checked out detached), and fetched again on later
 * runs.
 */
#ifndef SNOW_LANG_COMPILER_DEPS_GIT_H
#define SNOW_LANG_COMPILER_DEPS_GIT_H

#include <stdbool.h>
#include <stddef.h>

#include "lang/compiler/deps_manifest.h"

#define DEPS_COMMIT_LEN 40

/* Whether url names a local repository (a path or file:// URL). */
bool deps_git_is_local(const char *url);

/* Clones or fetches spec's repository (its location resolved against
 * base_dir when relative) into cache_dir/<name>, finds the commit its
 * rev/branch/tag (or the remote HEAD) names, checks it out, and writes the
 * 40-hex commit id to commit[0..DEPS_COMMIT_LEN] and the checkout directory
 * to checkout[0..checkout_size). All strings borrowed. Returns 0, or -1
 * after writing the reason to err[0..err_size). */
int deps_git_fetch(const deps_spec_t *spec, const char *base_dir, const char *cache_dir,
                   char commit[DEPS_COMMIT_LEN + 1], char *checkout, size_t checkout_size,
                   char *err, size_t err_size);

#endif
