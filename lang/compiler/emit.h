/* emit.h: the C emitter (DESIGN 3 step 6).
 *
 * Writes the lowered program (compile_t.ir, see ir.h) as one C11 translation
 * unit that includes only "snow/snow.h". The output is meant to be read:
 * one C function per Snow function instance, named after it
 * (snow_fn_<Module>_<name>[__<type args>]), locals named after the Snow
 * bindings plus a number, and `#line` directives pointing at the Snow source
 * so that gdb, perf and C compiler messages show Snow locations.
 *
 * The generated code compiles without warnings under -Wall -Wextra.
 */
#ifndef SNOW_LANG_COMPILER_EMIT_H
#define SNOW_LANG_COMPILER_EMIT_H

#include <stdio.h>

#include "lang/compiler/compile.h"
#include "lang/compiler/ir.h"

/* Writes c->ir to out. Borrows both. Returns 0, or -1 when writing failed
 * (out's error flag) or c->ir is NULL. Single-threaded. */
int emit_c_program(compile_t *c, FILE *out);

/* Same for an IR program built without a compile_t (unit tests). */
int emit_ir_program(const ir_program_t *p, FILE *out);

#endif
