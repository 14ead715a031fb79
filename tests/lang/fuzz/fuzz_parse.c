/* fuzz_parse.c: libFuzzer target for the lexer and parser (issue 3).
 *
 * Any byte string must end in diagnostics, never a crash, a hang, a leak or
 * a sanitizer report. The input is parsed as one module; the AST dump and
 * the diagnostic renderer run too, so they see every tree and every span the
 * parser can produce.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lang/compiler/ast.h"
#include "lang/compiler/compile.h"
#include "lang/compiler/diag.h"
#include "lang/compiler/front.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static FILE *sink;
    if (!sink)
        sink = fopen("/dev/null", "w");
    compile_t *c = compile_new();
    front_load_text(c, "fuzz.snow", "Main", (const char *)data, size);
    if (c->module_count && c->modules[0].ast)
        ast_dump_file(sink, c->modules[0].ast);
    diag_render_all(c->diag, c->sources, sink, false);
    diag_render_all(c->diag, c->sources, sink, true);
    compile_free(c);
    return 0;
}
