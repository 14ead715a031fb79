/* perf_parse.c: front-end speed (issue 3).
 *
 * Generates a realistic Snow program of --lines lines (default 200,000) by
 * cycling through templates that cover the common constructs (functions,
 * lets, if/case, closures, pipes, structs, sum types, actors, services),
 * then measures lexing alone and lexing + parsing, best of --runs runs, and
 * prints the CPU time per 1,000 lines. `--write PATH` saves the program instead
 * (the generator); a positional FILE benchmarks that file.
 *
 *   perf_parse [--lines N] [--runs R] [--write PATH] [FILE]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lang/compiler/compile.h"
#include "lang/compiler/diag.h"
#include "lang/compiler/front.h"
#include "lang/compiler/lex.h"

typedef struct {
    char *data;
    size_t len, cap;
    size_t lines;
} buf_t;

static void put(buf_t *b, const char *fmt, int k)
{
    char tmp[1024];
    int n = snprintf(tmp, sizeof(tmp), fmt, k, k, k, k, k, k, k, k);
    if (b->len + (size_t)n + 1 > b->cap) {
        b->cap = (b->cap + (size_t)n + 1) * 2;
        b->data = realloc(b->data, b->cap);
        if (!b->data) {
            perror("perf_parse");
            exit(1);
        }
    }
    memcpy(b->data + b->len, tmp, (size_t)n);
    b->len += (size_t)n;
    for (int i = 0; i < n; i++)
        b->lines += tmp[i] == '\n';
}

/* Each template uses %d (up to 8 times) for a unique suffix. */
static const char *const templates[] = {
    "fn compute_%d(x :: Int, y :: Int) -> Int do\n"
    "  let total = x * %d + y\n"
    "  let scaled = if total > 100 do total / 2 else total * 3 end\n"
    "  scaled + List.length([1, 2, 3])\n"
    "end\n\n",

    "struct Record%d do\n"
    "  id :: Int\n"
    "  name :: String\n"
    "  tags :: List<String>\n"
    "end deriving(Eq, Debug, Json)\n\n",

    "type Event%d do\n"
    "  Created(id :: Int, at :: Int)\n"
    "  Renamed(String)\n"
    "  Deleted\n"
    "end\n\n",

    "fn describe_%d(e) = case e do\n"
    "  Created(id, at) when at > %d -> \"created ${id} late\"\n"
    "  Created(id, _) -> \"created ${id}\"\n"
    "  Renamed(name) -> \"renamed to \" <> name\n"
    "  Deleted -> \"gone\"\n"
    "end\n\n",

    "fn pipeline_%d(items :: List<Int>) -> List<String> do\n"
    "  let kept = items |> List.filter(fn n -> n %% 2 == 0 end) |> List.map(fn n -> n * %d end)\n"
    "  List.map(kept, fn n -> \"item ${n}\" end)\n"
    "end\n\n",

    "actor worker_%d(count :: Int) do\n"
    "  receive do\n"
    "    (from, n) when n > 0 -> send(from, count + n)\n"
    "    _ -> worker_%d(count + 1)\n"
    "    after 1000 -> worker_%d(count)\n"
    "  end\n"
    "end\n\n",

    "service Store%d do\n"
    "  fn init(n :: Int) -> Map<String, Int> do\n"
    "    %%{\"start\" => n}\n"
    "  end\n"
    "  call Get(key :: String) :: Int do |m|\n"
    "    (m, Map.get(m, key))\n"
    "  end\n"
    "  cast Put(key :: String, v :: Int) do |m|\n"
    "    Map.put(m, key, v)\n"
    "  end\n"
    "end\n\n",

    "fn fib_%d(0) = 0\n"
    "fn fib_%d(1) = 1\n"
    "fn fib_%d(n) = fib_%d(n - 1) + fib_%d(n - 2)\n\n",

    "fn main_%d() do\n"
    "  let r = Record%d { id: %d, name: \"r\", tags: [\"a\", \"b\"] }\n"
    "  for {k, v} in %%{\"a\" => 1, \"b\" => 2} when v > 0 do\n"
    "    println(\"${k}=${v} ${r.name}\")\n"
    "  end\n"
    "  while false do break end\n"
    "end\n\n",
};

static buf_t generate(size_t lines)
{
    buf_t b = {0};
    size_t ntemplates = sizeof(templates) / sizeof(*templates);
    for (int k = 0; b.lines < lines; k++)
        put(&b, templates[(size_t)k % ntemplates], k);
    return b;
}

/* CPU time of this process: the machine is shared, so wall time would
 * measure the neighbours too. */
static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        exit(1);
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    if (!s || fread(s, 1, (size_t)n, f) != (size_t)n) {
        perror(path);
        exit(1);
    }
    fclose(f);
    *len = (size_t)n;
    return s;
}

int main(int argc, char **argv)
{
    size_t lines = 200000;
    int runs = 5;
    const char *write_path = NULL, *file = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--lines") == 0 && i + 1 < argc)
            lines = strtoul(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc)
            runs = atoi(argv[++i]);
        else if (strcmp(argv[i], "--write") == 0 && i + 1 < argc)
            write_path = argv[++i];
        else
            file = argv[i];
    }
    buf_t prog = {0};
    if (file) {
        prog.data = read_all(file, &prog.len);
        for (size_t i = 0; i < prog.len; i++)
            prog.lines += prog.data[i] == '\n';
    } else {
        prog = generate(lines);
    }
    if (write_path) {
        FILE *f = fopen(write_path, "wb");
        if (!f || fwrite(prog.data, 1, prog.len, f) != prog.len) {
            perror(write_path);
            return 1;
        }
        fclose(f);
        printf("wrote %zu lines (%zu bytes) to %s\n", prog.lines, prog.len, write_path);
        return 0;
    }
    double best_lex = 1e9, best_parse = 1e9;
    uint32_t tokens = 0, items = 0, errors = 0;
    for (int r = 0; r < runs; r++) {
        double t0 = now_s();
        lex_tokens_t t = lex_tokens(prog.data, (uint32_t)prog.len);
        double t1 = now_s();
        tokens = t.len;
        lex_tokens_free(&t);
        compile_t *c = compile_new();
        double t2 = now_s();
        errors = (uint32_t)front_load_text(c, "bench.snow", "Bench", prog.data, prog.len);
        double t3 = now_s();
        items = c->modules[0].ast->len;
        compile_free(c);
        if (t1 - t0 < best_lex)
            best_lex = t1 - t0;
        if (t3 - t2 < best_parse)
            best_parse = t3 - t2;
    }
    double k = (double)prog.lines / 1000.0;
    printf("front end: %zu lines, %zu bytes, %u tokens, %u top-level items, %u errors\n",
           prog.lines, prog.len, tokens, items, errors);
    printf("lex only:        %8.2f ms total  %8.1f us per 1,000 lines\n", best_lex * 1e3,
           best_lex * 1e6 / k);
    printf("lex + parse:     %8.2f ms total  %8.1f us per 1,000 lines  (%.1f MB/s)\n",
           best_parse * 1e3, best_parse * 1e6 / k, (double)prog.len / best_parse / 1e6);
    free(prog.data);
    return errors ? 1 : 0;
}
