/* compile.h: one compilation, passed to every phase.
 *
 * The driver (main.c, build.c) creates a compile_t, then runs the phases in
 * order, each reading what the previous one left here:
 *
 *   front_load        (front.c)  sources -> modules[] with their ASTs
 *   ty_check_program  (types*)   annotates the ASTs, fills `typed`
 *   lower_program     (lower*)   typed ASTs -> IR in `ir`
 *   emit_c_program    (emit*)    IR -> one C11 translation unit
 *
 * A phase that reports errors returns their count; the driver stops before
 * the next phase when it is non-zero (language.md 10.1).
 */
#ifndef SNOW_LANG_COMPILER_COMPILE_H
#define SNOW_LANG_COMPILER_COMPILE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "lang/compiler/arena.h"
#include "lang/compiler/ast.h"
#include "lang/compiler/intern.h"

struct diag_t;
struct source_table_t;
struct ty_program_t;
struct ir_program_t;

/* One module: a .snow file of the project (language.md 2.1-2.2). */
typedef struct {
    sym_t name;          /* `Main` for main.snow, `Geometry.Shapes` for geometry/shapes.snow */
    const char *path;    /* path as shown in diagnostics: project dir joined with the relative path */
    uint32_t file;       /* index in the source table */
    ast_file_t *ast;     /* NULL if the file could not be read */
    bool is_main;
} compile_module_t;

typedef struct compile_t {
    arena_t *arena;
    interner_t *interner;
    struct source_table_t *sources;
    struct diag_t *diag;

    compile_module_t *modules; /* arena array */
    uint32_t module_count;

    struct ty_program_t *typed; /* set by ty_check_program */
    struct ir_program_t *ir;    /* set by lower_program */

    /* Options that phases read. */
    const char *project_dir; /* as given on the command line */
    bool json_diagnostics;   /* --json */
    bool color;              /* colour in human diagnostics */
} compile_t;

/* Creates the arena, interner, source table and diagnostics. Returns owned;
 * free with compile_free. */
compile_t *compile_new(void);
void compile_free(compile_t *c);

#endif
