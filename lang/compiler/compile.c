/* compile.c: creation and teardown of one compilation (compile.h). */
#include "lang/compiler/compile.h"

#include <stdlib.h>

#include "lang/compiler/diag.h"
#include "lang/compiler/source.h"

compile_t *compile_new(void)
{
    compile_t *c = calloc(1, sizeof(*c));
    if (!c) {
        perror("snowc: out of memory");
        abort();
    }
    c->arena = arena_new();
    c->interner = interner_new();
    c->sources = source_table_new();
    c->diag = diag_new();
    return c;
}

void compile_free(compile_t *c)
{
    if (!c)
        return;
    diag_free(c->diag);
    source_table_free(c->sources);
    interner_free(c->interner);
    arena_free(c->arena);
    free(c);
}
