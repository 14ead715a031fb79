/* fuzz_parse.c: libFuzzer target for the lexer and parser (issue 3).
 *
 * Any byte string must end in diagnostics, never a crash, a hang, a leak or
 * a sanitizer report. The input is lexed in both modes and parsed as one
 * module; the AST dump and both diagnostic renderers run too, so they see
 * every tree and every span the parser can produce. Inputs are capped by
 * -max_len (4096 in our runs), so the uint32_t length cannot truncate.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lang/compiler/ast.h"
#include "lang/compiler/compile.h"
#include "lang/compiler/diag.h"
#include "lang/compiler/front.h"
#include "lang/compiler/lex.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static FILE *sink;
    if (!sink)
        sink = fopen("/dev/null", "w");
    /* The tools' lexing mode shares the lexer's loops; run it too. */
    lex_tokens_t t = lex_tokens_trivia((const char *)data, (uint32_t)size);
    lex_tokens_free(&t);
    compile_t *c = compile_new();
    front_load_text(c, "fuzz.snow", "Main", (const char *)data, size);
    if (c->module_count && c->modules[0].ast)
        ast_dump_file(sink, c->modules[0].ast);
    diag_render_all(c->diag, c->sources, sink, false);
    diag_render_all(c->diag, c->sources, sink, true);
    compile_free(c);
    return 0;
}
