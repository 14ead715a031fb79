/* bench_types.c: type-checking time per 1,000 lines (issue 4).
 *
 * Generates a program of about N lines (default 50,000) made of repeated
 * units: a generic struct, a generic recursive sum type, generic functions
 * (explicit type parameters and unannotated ones whose arithmetic stays
 * polymorphic until instantiation), closures, stdlib calls, case with
 * exhaustiveness checks, interpolation, and a call into the previous unit
 * so the reference graph is connected. Reports the front end and the
 * checker separately; the figure of interest is the checker's ms per
 * 1,000 lines. The program must type-check without errors.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lang/compiler/compile.h"
#include "lang/compiler/diag.h"
#include "lang/compiler/front.h"
#include "lang/compiler/types.h"

static const char *const unit_fmt =
    "struct Box%1$d<T> do\n"
    "  value :: T\n"
    "  count :: Int\n"
    "end\n"
    "\n"
    "type Tree%1$d<T> do\n"
    "  Leaf%1$d\n"
    "  Node%1$d(Tree%1$d<T>, T, Tree%1$d<T>)\n"
    "end\n"
    "\n"
    "fn wrap%1$d<T>(x :: T) -> Box%1$d<T> do\n"
    "  Box%1$d { value: x, count: %1$d }\n"
    "end\n"
    "\n"
    "fn size%1$d(t) do\n"
    "  case t do\n"
    "    Leaf%1$d -> 0\n"
    "    Node%1$d(l, _, r) -> size%1$d(l) + 1 + size%1$d(r)\n"
    "  end\n"
    "end\n"
    "\n"
    "fn twice%1$d(x) = x + x\n"
    "\n"
    "fn mapv%1$d(xs, f) = List.map(xs, fn x -> f(x) end)\n"
    "\n"
    "fn pipeline%1$d(n :: Int) -> String do\n"
    "  let xs = [n, n + 1, twice%1$d(n)]\n"
    "  let ys = mapv%1$d(xs, fn v -> v * 2 end)\n"
    "  let b = wrap%1$d(\"s${n}\")\n"
    "  let t = Node%1$d(Leaf%1$d, twice%1$d(1.5), Leaf%1$d)\n"
    "  let total = reduce(ys, 0, fn acc, v -> acc + v end)\n"
    "  if total > 10 do\n"
    "    \"${b.value} ${size%1$d(t)} ${total}\"\n"
    "  else\n"
    "    pipeline%2$d(n + 1)\n"
    "  end\n"
    "end\n"
    "\n";

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static char *generate(int lines_wanted, int *lines_out)
{
    size_t cap = (size_t)lines_wanted * 64 + 4096, len = 0;
    char *buf = malloc(cap);
    if (!buf)
        abort();
    int lines = 0;
    for (int i = 0; lines < lines_wanted - 4; i++) {
        if (len + 4096 > cap) {
            cap *= 2;
            buf = realloc(buf, cap);
            if (!buf)
                abort();
        }
        len += (size_t)snprintf(buf + len, cap - len, unit_fmt, i, i > 0 ? i - 1 : 0);
        lines += 37;
    }
    len += (size_t)snprintf(buf + len, cap - len, "fn main() do\n  println(pipeline0(1))\nend\n");
    *lines_out = lines + 3;
    return buf;
}

int main(int argc, char **argv)
{
    int want = argc > 1 ? atoi(argv[1]) : 50000;
    int lines = 0;
    char *src = generate(want, &lines);
    compile_t *c = compile_new();
    double t0 = now_ms();
    int perr = front_load_text(c, "bench.snow", "Main", src, strlen(src));
    double t1 = now_ms();
    int terr = perr ? -1 : ty_check_program(c);
    double t2 = now_ms();
    if (perr || terr) {
        fprintf(stderr, "bench program has errors (parse %d, type %d)\n", perr, terr);
        diag_render_all(c->diag, c->sources, stderr, false);
        return 1;
    }
    double front = t1 - t0, check = t2 - t1;
    printf("lines: %d\n", lines);
    printf("front end: %.1f ms (%.2f ms / 1000 lines)\n", front, front * 1000.0 / lines);
    printf("type check: %.1f ms (%.2f ms / 1000 lines)\n", check, check * 1000.0 / lines);
    compile_free(c);
    free(src);
    return 0;
}
