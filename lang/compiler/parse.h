/* parse.h: the Snow parser (language.md 3, decisions.md D4-D8).
 *
 * parse_file lexes and parses one file of the source table into an AST in
 * the compilation's arena. Every syntax error is recorded in diag as P0001
 * with headline `Parse error: <message>` and the message as its label.
 * Unlike v5.0, which stopped at the first error of a file (3.1), the parser
 * recovers at statement and item boundaries and reports every independent
 * error, suppressing errors inside a statement that already failed
 * (docs/diagnostics.md). After PARSE_ERRORS_MAX errors in one file it stops
 * with a note.
 *
 * Limits: expressions, patterns, types and blocks nest at most
 * PARSE_NEST_MAX levels (a diagnostic, never a stack overflow).
 */
#ifndef SNOW_LANG_COMPILER_PARSE_H
#define SNOW_LANG_COMPILER_PARSE_H

#include <stdint.h>

#include "lang/compiler/arena.h"
#include "lang/compiler/ast.h"
#include "lang/compiler/diag.h"
#include "lang/compiler/intern.h"
#include "lang/compiler/source.h"

#define PARSE_NEST_MAX 256
#define PARSE_ERRORS_MAX 50

/* Parses file (an index in sources). Nodes are allocated in arena, names
 * interned in in; arena, in, sources and diag are borrowed and must outlive
 * the AST. Never returns NULL; *errors (if not NULL) receives the number of
 * parse errors recorded for this file. */
ast_file_t *parse_file(arena_t *arena, interner_t *in, const source_table_t *sources,
                       uint32_t file, diag_t *diag, uint32_t *errors);

#endif
