/* lower.h: lowering of the typed AST into the IR (DESIGN 3 step 5; issue 5).
 *
 * Reads the ASTs annotated by the checker (types.h: expr->ty, expr->sem) and
 * c->typed, and builds c->ir (ir.h): starting from Main.main, every function
 * instance that is reachable is lowered once per distinct instantiation of
 * its type variables (monomorphization), trait method calls are bound to the
 * concrete impl, closures become (code, env) records, pattern matches become
 * tests and branches, and self tail calls become jumps.
 *
 * Constructs the back end does not support yet are reported as errors with
 * code E0999 ("not supported by the code generator yet: ...") at the
 * construct's span, so a build fails cleanly instead of producing wrong C.
 */
#ifndef SNOW_LANG_COMPILER_LOWER_H
#define SNOW_LANG_COMPILER_LOWER_H

#include "lang/compiler/compile.h"

/* Lowers c->typed (which must be set and error-free) into c->ir, allocating
 * in c->arena. Returns the number of errors reported to c->diag (0 on
 * success). Single-threaded. */
int lower_program(compile_t *c);

#endif
