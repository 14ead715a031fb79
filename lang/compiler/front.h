/* front.h: the front end's entry point: load a project or a file, lex and
 * parse every module (language.md 2.1-2.2, 3).
 */
#ifndef SNOW_LANG_COMPILER_FRONT_H
#define SNOW_LANG_COMPILER_FRONT_H

#include "lang/compiler/compile.h"

/* Loads path into c: a project directory (every *.snow file below it,
 * recursively, skipping names that start with `.`) or a single .snow file.
 * Each file is added to c->sources and parsed into c->modules (in sorted
 * path order) with its module name per 2.2 (`main.snow` at the root is
 * `Main` and is_main; `geo/shapes.snow` is `Geo.Shapes`). Diagnostics go to
 * c->diag: parse errors as P0001; a path or file that cannot be read as
 * F0001 (no location). Returns the number of parse errors (0 when clean);
 * check diag_error_count(c->diag) for read failures. path is borrowed. */
int front_load(compile_t *c, const char *path);

/* Parses source text as one module named name (for tests and tools): adds
 * it to c->sources under display_path and appends it to c->modules. Returns
 * the number of parse errors. All arguments are borrowed. */
int front_load_text(compile_t *c, const char *display_path, const char *name, const char *text,
                    size_t len);

/* The module name for a path relative to the project root (2.2): splits on
 * `/`, drops `.snow`, PascalCases each part on `_`, joins with `.`. Returns
 * an interned symbol. */
sym_t front_module_name(interner_t *in, const char *rel_path);

#endif
