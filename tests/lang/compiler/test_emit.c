/* test_emit.c: the C emitter (lang/compiler/emit.c) on hand-built IR.
 *
 * Each test builds a small IR program, emits it, compiles the C with the
 * same flags as the e2e runner (-Wall -Wextra -Werror) against the ABI
 * header and libsnowrt.a of this build tree, runs it and checks its exact
 * stdout, stderr and exit status. The build tree is found from the test
 * executable's own path (<build>/bin/test_compiler).
 */
#include <criterion/criterion.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lang/compiler/arena.h"
#include "lang/compiler/emit.h"
#include "lang/compiler/ir.h"

/* A sanitizer build's libsnowrt.a needs the sanitizer runtimes at link time. */
#if defined(__SANITIZE_ADDRESS__)
#define SANITIZE_FLAGS "-fsanitize=address,undefined"
#else
#define SANITIZE_FLAGS ""
#endif

typedef struct {
    char out[4096];
    char err[4096];
    int status;
} run_t;

static arena_t *A;
static char build_dir[PATH_MAX];
static char work[PATH_MAX];

static void setup(void)
{
    A = arena_new();
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    cr_assert(n > 0);
    exe[n] = 0;
    *strrchr(exe, '/') = 0; /* <build>/bin */
    *strrchr(exe, '/') = 0; /* <build> */
    snprintf(build_dir, sizeof build_dir, "%s", exe);
    snprintf(work, sizeof work, "/tmp/snow_test_emit_%d", (int)getpid());
    mkdir(work, 0755);
}

static void teardown(void)
{
    arena_free(A);
    char cmd[PATH_MAX + 16];
    snprintf(cmd, sizeof cmd, "rm -rf %s", work);
    cr_assert_eq(system(cmd), 0);
}

static void slurp(const char *path, char *buf, size_t cap)
{
    FILE *f = fopen(path, "rb");
    size_t n = f ? fread(buf, 1, cap - 1, f) : 0;
    buf[n] = 0;
    if (f)
        fclose(f);
}

/* Emits p, compiles and runs it; fills r. Skips when the runtime is not built. */
static void build_and_run(const ir_program_t *p, run_t *r)
{
    char lib[PATH_MAX + 32], path[PATH_MAX + 32], cmd[6 * PATH_MAX + 512];
    snprintf(lib, sizeof lib, "%s/lib/libsnowrt.a", build_dir);
    if (access(lib, R_OK) != 0)
        cr_skip_test("libsnowrt.a not built in %s", build_dir);
    snprintf(path, sizeof path, "%s/prog.c", work);
    FILE *out = fopen(path, "w");
    cr_assert_not_null(out);
    cr_assert_eq(emit_ir_program(p, out), 0);
    fclose(out);
    snprintf(cmd, sizeof cmd,
             "cc -std=gnu11 -O2 -Wall -Wextra -Werror %s -I%s/include %s/prog.c -o %s/prog %s "
             "-luring -lwolfssl -ljemalloc -lsqlite3 -lpthread -lm -ldl 2>%s/cc.err",
             SANITIZE_FLAGS, build_dir, work, work, lib, work);
    int rc = system(cmd);
    if (rc != 0) {
        char err[4096];
        snprintf(path, sizeof path, "%s/cc.err", work);
        slurp(path, err, sizeof err);
        cr_assert_fail("C compile failed:\n%s", err);
    }
    snprintf(cmd, sizeof cmd, "cd %s && exec ./prog >out.txt 2>err.txt", work);
    int st = system(cmd);
    r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    snprintf(path, sizeof path, "%s/out.txt", work);
    slurp(path, r->out, sizeof r->out);
    snprintf(path, sizeof path, "%s/err.txt", work);
    slurp(path, r->err, sizeof r->err);
}

/* A program whose main is f (already holding its body). */
static ir_program_t *program_with_main(ir_func_t *f)
{
    ir_program_t *p = ir_program_new(A);
    p->files = ARENA_ARRAY(A, const char *, 1);
    p->files[0] = "app/main.snow";
    p->nfiles = 1;
    f->snow_name = "Main.main";
    p->main_func = (int32_t)ir_add_func(A, p, f);
    return p;
}

static void println_expr(ir_func_t *f, ir_expr_t *s, uint32_t line)
{
    ir_stmt_t *st = ir_stmt(A, IR_S_EXPR, line);
    st->e = ir_rt1(A, "snow_println", IR_REP_UNIT, s);
    ir_push(A, &f->body, st);
}

static void println_int(ir_program_t *p, ir_func_t *f, ir_expr_t *v, uint32_t line)
{
    (void)p;
    uint32_t t = ir_local(A, f, "s", IR_REP_PTR);
    ir_stmt_t *st = ir_stmt(A, IR_S_ASSIGN, line);
    st->local = t;
    st->e = ir_rt1(A, "snow_int_to_string", IR_REP_PTR, v);
    ir_push(A, &f->body, st);
    println_expr(f, ir_local_ref(A, f, t), line);
}

TestSuite(compiler_emit, .init = setup, .fini = teardown, .timeout = 60);

Test(compiler_emit, hello_prints_the_literal)
{
    ir_func_t *f = ir_func_new(A, "snow_fn_Main_main", IR_REP_UNIT);
    ir_program_t *p = program_with_main(f);
    println_expr(f, ir_str(A, ir_add_string(A, p, "Hello", 5)), 1);
    run_t r;
    build_and_run(p, &r);
    cr_assert_str_eq(r.out, "Hello\n");
    cr_assert_str_eq(r.err, "");
    cr_assert_eq(r.status, 0);
}

Test(compiler_emit, string_literals_keep_every_byte)
{
    const char text[] = "say \"hi\" \\ ?\?= caf\xc3\xa9\ttab";
    ir_func_t *f = ir_func_new(A, "snow_fn_Main_main", IR_REP_UNIT);
    ir_program_t *p = program_with_main(f);
    println_expr(f, ir_str(A, ir_add_string(A, p, text, sizeof text - 1)), 1);
    run_t r;
    build_and_run(p, &r);
    cr_assert_str_eq(r.out, "say \"hi\" \\ ?\?= caf\xc3\xa9\ttab\n");
}

/* language.md 6.3, D26: Int arithmetic wraps; Int.min / -1 is Int.min, Int.min % -1 is 0. */
Test(compiler_emit, int_arithmetic_wraps)
{
    ir_func_t *f = ir_func_new(A, "snow_fn_Main_main", IR_REP_UNIT);
    ir_program_t *p = program_with_main(f);
    uint32_t big = ir_local(A, f, "big", IR_REP_INT);
    ir_stmt_t *st = ir_stmt(A, IR_S_ASSIGN, 1);
    st->local = big;
    st->e = ir_int(A, INT64_MAX);
    ir_push(A, &f->body, st);
    println_int(p, f, ir_bin(A, IR_OP_ADD, IR_REP_INT, ir_local_ref(A, f, big), ir_int(A, 1)), 2);
    println_int(p, f, ir_bin(A, IR_OP_MUL, IR_REP_INT, ir_local_ref(A, f, big), ir_int(A, 2)), 3);
    println_int(p, f, ir_bin(A, IR_OP_DIV, IR_REP_INT, ir_int(A, INT64_MIN), ir_int(A, -1)), 4);
    println_int(p, f, ir_bin(A, IR_OP_REM, IR_REP_INT, ir_int(A, INT64_MIN), ir_int(A, -1)), 5);
    println_int(p, f, ir_bin(A, IR_OP_DIV, IR_REP_INT, ir_int(A, -7), ir_int(A, 2)), 6);
    println_int(p, f, ir_bin(A, IR_OP_REM, IR_REP_INT, ir_int(A, -7), ir_int(A, 2)), 7);
    println_int(p, f, ir_un(A, IR_OP_NEG, IR_REP_INT, ir_int(A, INT64_MIN)), 8);
    run_t r;
    build_and_run(p, &r);
    cr_assert_str_eq(r.out, "-9223372036854775808\n-2\n-9223372036854775808\n0\n-3\n-1\n"
                            "-9223372036854775808\n");
}

/* D25, D26: division by zero panics with the Snow source location; status 134. */
Test(compiler_emit, division_by_zero_panics_at_the_snow_line)
{
    ir_func_t *f = ir_func_new(A, "snow_fn_Main_main", IR_REP_UNIT);
    ir_program_t *p = program_with_main(f);
    uint32_t z = ir_local(A, f, "z", IR_REP_INT);
    ir_stmt_t *st = ir_stmt(A, IR_S_ASSIGN, 2);
    st->local = z;
    st->e = ir_int(A, 0);
    ir_push(A, &f->body, st);
    println_expr(f, ir_str(A, ir_add_string(A, p, "before", 6)), 3);
    ir_expr_t *div = ir_bin(A, IR_OP_DIV, IR_REP_INT, ir_int(A, 1), ir_local_ref(A, f, z));
    div->line = 4;
    println_int(p, f, div, 4);
    run_t r;
    build_and_run(p, &r);
    cr_assert_str_eq(r.out, "before\n");
    cr_assert_str_eq(r.err, "Snow panic at app/main.snow:4: division by zero\n");
    cr_assert_eq(r.status, 134);
}

/* A closure capturing an Int: (code, env) record called through the ABI. */
Test(compiler_emit, closure_reads_its_capture)
{
    ir_func_t *f = ir_func_new(A, "snow_fn_Main_main", IR_REP_UNIT);
    ir_program_t *p = program_with_main(f);
    ir_func_t *c = ir_func_new(A, "snow_clo_Main_main_0", IR_REP_INT);
    c->is_closure = true;
    ir_local(A, c, "x", IR_REP_INT);
    c->nparams = 1;
    uint32_t k = ir_local(A, c, "k", IR_REP_INT);
    c->capture_locals = ARENA_ARRAY(A, uint32_t, 1);
    c->capture_locals[0] = k;
    c->ncaptures = 1;
    ir_stmt_t *ret = ir_stmt(A, IR_S_RETURN, 2);
    ret->e = ir_bin(A, IR_OP_MUL, IR_REP_INT, ir_local_ref(A, c, 0), ir_local_ref(A, c, k));
    ir_push(A, &c->body, ret);
    uint32_t ci = ir_add_func(A, p, c);
    uint32_t clo = ir_local(A, f, "f", IR_REP_PTR);
    ir_stmt_t *mk = ir_stmt(A, IR_S_CLOSURE, 1);
    mk->local = clo;
    mk->index = ci;
    mk->args = ARENA_ARRAY(A, ir_expr_t *, 1);
    mk->args[0] = ir_int(A, 6);
    mk->nargs = 1;
    ir_push(A, &f->body, mk);
    ir_expr_t *call = ARENA_NEW(A, ir_expr_t);
    call->kind = IR_E_CALL_CLO;
    call->rep = IR_REP_INT;
    call->a = ir_local_ref(A, f, clo);
    call->args = ARENA_ARRAY(A, ir_expr_t *, 1);
    call->args[0] = ir_to_word(A, ir_int(A, 7));
    call->nargs = 1;
    uint32_t v = ir_local(A, f, "v", IR_REP_INT);
    ir_stmt_t *as = ir_stmt(A, IR_S_ASSIGN, 3);
    as->local = v;
    as->e = call;
    ir_push(A, &f->body, as);
    println_int(p, f, ir_local_ref(A, f, v), 4);
    run_t r;
    build_and_run(p, &r);
    cr_assert_str_eq(r.out, "42\n");
}

/* language.md 6.11: a self tail call is a jump, so a million iterations run in
 * constant stack. count(n, acc) = if n == 0 then acc else count(n - 1, acc + 2). */
Test(compiler_emit, self_tail_call_runs_a_million_times)
{
    ir_func_t *f = ir_func_new(A, "snow_fn_Main_main", IR_REP_UNIT);
    ir_program_t *p = program_with_main(f);
    ir_func_t *g = ir_func_new(A, "snow_fn_Main_count", IR_REP_INT);
    ir_local(A, g, "n", IR_REP_INT);
    ir_local(A, g, "acc", IR_REP_INT);
    g->nparams = 2;
    uint32_t gi = ir_add_func(A, p, g);
    ir_stmt_t *test = ir_stmt(A, IR_S_IF, 2);
    test->e = ir_bin(A, IR_OP_EQ, IR_REP_INT, ir_local_ref(A, g, 0), ir_int(A, 0));
    ir_stmt_t *ret = ir_stmt(A, IR_S_RETURN, 2);
    ret->e = ir_local_ref(A, g, 1);
    ir_push(A, &test->then, ret);
    uint32_t t0 = ir_local(A, g, NULL, IR_REP_INT), t1 = ir_local(A, g, NULL, IR_REP_INT);
    ir_expr_t *vals[2] = {ir_bin(A, IR_OP_SUB, IR_REP_INT, ir_local_ref(A, g, 0), ir_int(A, 1)),
                          ir_bin(A, IR_OP_ADD, IR_REP_INT, ir_local_ref(A, g, 1), ir_int(A, 2))};
    uint32_t tmps[2] = {t0, t1};
    for (int i = 0; i < 2; i++) {
        ir_stmt_t *s = ir_stmt(A, IR_S_ASSIGN, 3);
        s->local = tmps[i];
        s->e = vals[i];
        ir_push(A, &test->els, s);
    }
    for (uint32_t i = 0; i < 2; i++) {
        ir_stmt_t *s = ir_stmt(A, IR_S_ASSIGN, 3);
        s->local = i;
        s->e = ir_local_ref(A, g, tmps[i]);
        ir_push(A, &test->els, s);
    }
    ir_push(A, &test->els, ir_stmt(A, IR_S_TAILCALL, 3));
    g->uses_tailcall = true;
    ir_push(A, &g->body, test);
    ir_expr_t *call = ARENA_NEW(A, ir_expr_t);
    call->kind = IR_E_CALL;
    call->rep = IR_REP_INT;
    call->index = gi;
    call->args = ARENA_ARRAY(A, ir_expr_t *, 2);
    call->args[0] = ir_int(A, 1000000);
    call->args[1] = ir_int(A, 0);
    call->nargs = 2;
    uint32_t v = ir_local(A, f, "v", IR_REP_INT);
    ir_stmt_t *as = ir_stmt(A, IR_S_ASSIGN, 5);
    as->local = v;
    as->e = call;
    ir_push(A, &f->body, as);
    println_int(p, f, ir_local_ref(A, f, v), 5);
    run_t r;
    build_and_run(p, &r);
    cr_assert_str_eq(r.out, "2000000\n");
}

/* The output is readable: Snow names, #line directives into the Snow file. */
Test(compiler_emit, output_names_snow_functions_and_lines)
{
    ir_func_t *f = ir_func_new(A, "snow_fn_Main_main", IR_REP_UNIT);
    ir_program_t *p = program_with_main(f);
    println_expr(f, ir_str(A, ir_add_string(A, p, "x", 1)), 7);
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    cr_assert_eq(emit_ir_program(p, out), 0);
    fclose(out);
    cr_assert_not_null(strstr(buf, "#include \"snow/snow.h\"\n"));
    cr_assert_not_null(
        strstr(buf, "/* Main.main */\nstatic snow_unit_t snow_fn_Main_main(snow_ctx_t *cx)"));
    cr_assert_not_null(strstr(buf, "#line 7 \"app/main.snow\"\n"));
    cr_assert_not_null(strstr(buf, "return snow_rt_main(argc, argv, snow_main_);"));
    free(buf);
}
