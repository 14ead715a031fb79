/* test_lower.c: lowering of typed programs into IR (lang/compiler/lower*.c).
 *
 * Each test parses and checks a small program, lowers it and inspects the
 * IR: which function instances exist (monomorphization, closure code),
 * whether self tail calls became jumps, and what unsupported code reports.
 */
#include <criterion/criterion.h>

#include <string.h>

#include "lang/compiler/compile.h"
#include "lang/compiler/diag.h"
#include "lang/compiler/front.h"
#include "lang/compiler/ir.h"
#include "lang/compiler/lower.h"
#include "lang/compiler/types.h"

static compile_t *lower_src(const char *src, int *errors)
{
    compile_t *c = compile_new();
    cr_assert_eq(front_load_text(c, "t.snow", "Main", src, strlen(src)), 0, "parse error");
    cr_assert_eq(ty_check_program(c), 0, "type error");
    *errors = lower_program(c);
    return c;
}

static const ir_func_t *find(const ir_program_t *p, const char *c_name)
{
    for (uint32_t i = 0; i < p->nfuncs; i++)
        if (strcmp(p->funcs[i]->c_name, c_name) == 0)
            return p->funcs[i];
    return NULL;
}

static uint32_t count_prefix(const ir_program_t *p, const char *prefix)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < p->nfuncs; i++)
        n += strncmp(p->funcs[i]->c_name, prefix, strlen(prefix)) == 0;
    return n;
}

/* language.md 5.5: one copy per distinct instantiation, named after the types. */
Test(compiler_lower, generic_function_gets_one_instance_per_type)
{
    int errors = 0;
    compile_t *c = lower_src("fn id(x) = x\n"
                             "fn main() do\n"
                             "  println(id(\"a\"))\n"
                             "  println(\"${id(1)} ${id(2)} ${id(2.5)}\")\n"
                             "end\n",
                             &errors);
    cr_assert_eq(errors, 0);
    const ir_program_t *p = c->ir;
    cr_assert_not_null(find(p, "snow_fn_Main_id__String"));
    cr_assert_not_null(find(p, "snow_fn_Main_id__Int"));
    cr_assert_not_null(find(p, "snow_fn_Main_id__Float"));
    cr_assert_eq(count_prefix(p, "snow_fn_Main_id"), 3);
    cr_assert_eq(find(p, "snow_fn_Main_id__Int")->ret, IR_REP_INT);
    compile_free(c);
}

/* Only functions reachable from main are lowered. */
Test(compiler_lower, unreachable_functions_are_not_emitted)
{
    int errors = 0;
    compile_t *c = lower_src("fn unused(n :: Int) -> Int = n + 1\n"
                             "fn main() do\n  println(\"x\")\nend\n",
                             &errors);
    cr_assert_eq(errors, 0);
    cr_assert_null(find(c->ir, "snow_fn_Main_unused"));
    cr_assert_not_null(find(c->ir, "snow_fn_Main_main"));
    cr_assert_eq(c->ir->main_func, 0);
    compile_free(c);
}

/* language.md 6.11: a self call in tail position is a jump. */
Test(compiler_lower, self_tail_call_becomes_a_jump)
{
    int errors = 0;
    compile_t *c = lower_src("fn loop(n :: Int) -> Int do\n"
                             "  if n == 0 do 0 else loop(n - 1) end\n"
                             "end\n"
                             "fn not_tail(n :: Int) -> Int do\n"
                             "  if n == 0 do 0 else 1 + not_tail(n - 1) end\n"
                             "end\n"
                             "fn main() do\n  println(\"${loop(3)} ${not_tail(3)}\")\nend\n",
                             &errors);
    cr_assert_eq(errors, 0);
    cr_assert(find(c->ir, "snow_fn_Main_loop")->uses_tailcall);
    cr_assert_not(find(c->ir, "snow_fn_Main_not_tail")->uses_tailcall);
    compile_free(c);
}

/* language.md 6.7: a closure is code plus the values it captures. */
Test(compiler_lower, closure_code_captures_free_variables)
{
    int errors = 0;
    compile_t *c = lower_src("fn main() do\n"
                             "  let k = 3\n"
                             "  let s = \"x\"\n"
                             "  let f = fn n -> n * k end\n"
                             "  println(\"${f(2)} ${s}\")\n"
                             "end\n",
                             &errors);
    cr_assert_eq(errors, 0);
    const ir_func_t *clo = NULL;
    for (uint32_t i = 0; i < c->ir->nfuncs; i++)
        if (c->ir->funcs[i]->is_closure)
            clo = c->ir->funcs[i];
    cr_assert_not_null(clo);
    cr_assert_eq(clo->nparams, 1);
    cr_assert_eq(clo->ncaptures, 1, "only k is free in the closure");
    cr_assert_str_eq(clo->locals[clo->capture_locals[0]].name, "k");
    compile_free(c);
}

/* Trait methods are bound statically to the receiver's impl (4.6). */
Test(compiler_lower, method_calls_bind_to_the_impl)
{
    int errors = 0;
    compile_t *c =
        lower_src("interface Area do\n  fn area(self) -> Int\nend\n"
                  "struct Sq do\n  side :: Int\nend\n"
                  "impl Area for Sq do\n  fn area(self) -> Int = self.side * self.side\nend\n"
                  "fn main() do\n  println(\"${Sq { side: 2 }.area()}\")\nend\n",
                  &errors);
    cr_assert_eq(errors, 0);
    cr_assert_not_null(find(c->ir, "snow_fn_Main_Sq_area"));
    compile_free(c);
}

/* Constructs the back end does not handle fail the build with E0999. */
Test(compiler_lower, unsupported_constructs_report_E0999)
{
    /* Sending to a name on another node needs distribution (services.md 7). */
    int errors = 0;
    compile_t *c = lower_src("fn main() do\n  send((\"svc\", \"n1@host\"), 1)\nend\n", &errors);
    cr_assert_gt(errors, 0);
    cr_assert_gt(c->diag->count, 0);
    cr_assert_str_eq(c->diag->items[c->diag->count - 1].code, "E0999");
    compile_free(c);
}

/* language.md 4.7, 8.2: an actor is a function whose self tail call is a
 * loop; a program that spawns runs main on the scheduler. */
Test(compiler_lower, actor_loop_and_spawn)
{
    int errors = 0;
    compile_t *c = lower_src("actor ping(n :: Int) do\n  receive do\n    k -> ping(n + k)\n  end\nend\n"
                             "fn main() do\n  let p = spawn(ping, 0)\n  send(p, 1)\nend\n",
                             &errors);
    cr_assert_eq(errors, 0);
    cr_assert(c->ir->uses_procs);
    const ir_func_t *actor = NULL;
    for (uint32_t i = 0; i < c->ir->nfuncs; i++)
        if (strcmp(c->ir->funcs[i]->c_name, "snow_actor_Main_ping") == 0)
            actor = c->ir->funcs[i];
    cr_assert_not_null(actor);
    cr_assert(actor->uses_tailcall);
    cr_assert_eq(actor->nparams, 1);
    compile_free(c);
}

/* Counts runtime calls named `name` in a block, recursively. */
static uint32_t count_rt_in_expr(const ir_expr_t *e, const char *name)
{
    if (!e)
        return 0;
    uint32_t n = (e->kind == IR_E_RT && strcmp(e->name, name) == 0) ? 1 : 0;
    n += count_rt_in_expr(e->a, name) + count_rt_in_expr(e->b, name) + count_rt_in_expr(e->c, name);
    for (uint32_t i = 0; i < e->nargs; i++)
        n += count_rt_in_expr(e->args[i], name);
    return n;
}

static uint32_t count_rt(const ir_block_t *b, const char *name)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < b->len; i++) {
        const ir_stmt_t *s = b->items[i];
        n += count_rt_in_expr(s->e, name);
        n += count_rt(&s->then, name) + count_rt(&s->els, name);
    }
    return n;
}

/* language.md 6.8: a for whose value is discarded builds no list. */
Test(compiler_lower, discarded_for_builds_no_list)
{
    int errors = 0;
    compile_t *c = lower_src("fn main() do\n"
                             "  for i in 0..3 do\n    println(\"${i}\")\n  end\n"
                             "  let xs = for i in 0..3 do i end\n"
                             "  println(\"${xs}\")\n"
                             "end\n",
                             &errors);
    cr_assert_eq(errors, 0);
    const ir_func_t *m = find(c->ir, "snow_fn_Main_main");
    cr_assert_eq(count_rt(&m->body, "snow_list_new"), 1, "only the used comprehension");
    cr_assert_eq(count_rt(&m->body, "snow_list_append"), 1);
    compile_free(c);
}

/* 1.6.4: an interpolation with several pieces is one concatn call. */
Test(compiler_lower, interpolation_joins_once)
{
    int errors = 0;
    compile_t *c = lower_src("fn main() do\n"
                             "  let a = 1\n  let b = \"x\"\n"
                             "  println(\"a=${a} b=${b} c=${2.5}\")\n"
                             "end\n",
                             &errors);
    cr_assert_eq(errors, 0);
    const ir_func_t *m = find(c->ir, "snow_fn_Main_main");
    cr_assert_eq(count_rt(&m->body, "snow_string_concatn"), 1);
    cr_assert_eq(count_rt(&m->body, "snow_string_concat"), 0);
    cr_assert_eq(count_rt(&m->body, "snow_int_to_string"), 1);
    cr_assert_eq(count_rt(&m->body, "snow_float_to_string"), 1);
    compile_free(c);
}

/* 4.1.2: a multi-clause function ends in the non-exhaustive panic; a
 * one-clause function with plain parameters has no test and no panic. */
Test(compiler_lower, clauses_end_in_a_located_panic)
{
    int errors = 0;
    compile_t *c = lower_src("fn f(0) = \"zero\"\nfn f(n) when n > 0 = \"pos\"\n"
                             "fn g(x :: Int) -> Int = x + 1\n"
                             "fn main() do\n  println(f(g(0)))\nend\n",
                             &errors);
    cr_assert_eq(errors, 0);
    const ir_func_t *f = find(c->ir, "snow_fn_Main_f");
    const ir_stmt_t *last = f->body.items[f->body.len - 1];
    cr_assert_eq(last->kind, IR_S_PANIC);
    cr_assert_str_eq(last->msg, "non-exhaustive match");
    cr_assert_eq(last->line, 1);
    const ir_func_t *g = find(c->ir, "snow_fn_Main_g");
    cr_assert_eq(g->body.len, 1);
    cr_assert_eq(g->body.items[0]->kind, IR_S_RETURN);
    compile_free(c);
}

/* {====== Shared-stack spawns (lang/compiler/park.c, sched/share.h, issue 7) */

static uint32_t count_rt_prog(const ir_program_t *p, const char *name)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < p->nfuncs; i++)
        n += count_rt(&p->funcs[i]->body, name);
    return n;
}

/* Lowers src and checks how many spawns became shared and how many not. */
static void expect_spawns(const char *src, uint32_t shared, uint32_t plain)
{
    int errors = 0;
    compile_t *c = lower_src(src, &errors);
    cr_assert_eq(errors, 0);
    cr_expect_eq(count_rt_prog(c->ir, "snow_proc_spawn_shared"), shared, "shared spawns");
    cr_expect_eq(count_rt_prog(c->ir, "snow_proc_spawn"), plain, "plain spawns");
    compile_free(c);
}

#define PURE_ACTOR "actor pure(n :: Int) do\n  receive do\n    k -> println(\"${n + k}\")\n  end\nend\n"

/* A program that never waits on I/O shares every direct spawn. */
Test(compiler_park, spawns_of_a_program_without_io_are_shared)
{
    expect_spawns(PURE_ACTOR "fn main() do\n  let a = spawn(pure, 1)\n  send(a, 2)\n"
                             "  let b = spawn(pure, 3)\n  send(b, 4)\nend\n",
                  2, 0);
}

/* An actor that reaches File (here through a helper) keeps its own stack;
 * a pure one in the same program is still shared. */
Test(compiler_park, an_actor_that_may_wait_on_io_is_not_shared)
{
    expect_spawns("fn probe(path :: String) -> Bool = File.exists(path)\n"
                  "actor reader(path :: String) do\n  receive do\n"
                  "    k -> println(\"${k} ${probe(path)}\")\n  end\nend\n" PURE_ACTOR
                  "fn main() do\n  let a = spawn(reader, \"x\")\n  send(a, 1)\n"
                  "  let b = spawn(pure, 1)\n  send(b, 2)\nend\n",
                  1, 1);
}

/* Waiting on I/O reaches the spawned actor through a chain of calls and a
 * mutual recursion; an actor whose recursion never reaches it stays shared. */
Test(compiler_park, parking_spreads_through_calls_and_recursion)
{
    expect_spawns("fn leaf(n :: Int) -> Bool = File.exists(\"f${n}\")\n"
                  "fn even(n :: Int) -> Bool = if n == 0 do leaf(n) else odd(n - 1) end\n"
                  "fn odd(n :: Int) -> Bool = if n == 0 do false else even(n - 1) end\n"
                  "fn count(n :: Int) -> Int = if n == 0 do 0 else 1 + count(n - 1) end\n"
                  "actor io(n :: Int) do\n  receive do\n    k -> println(\"${odd(n + k)}\")\n  end\nend\n"
                  "actor calc(n :: Int) do\n  receive do\n    k -> println(\"${count(n + k)}\")\n  end\nend\n"
                  "fn main() do\n  let a = spawn(io, 3)\n  send(a, 1)\n"
                  "  let b = spawn(calc, 3)\n  send(b, 1)\nend\n",
                  1, 1);
}

/* Calling a closure, or handing one to the runtime, may run anything. */
Test(compiler_park, closures_count_as_waiting_when_the_program_has_io)
{
    expect_spawns("actor caller(f :: Fun(Int) -> Int) do\n  receive do\n"
                  "    k -> println(\"${f(k)}\")\n  end\nend\n"
                  "actor mapper(n :: Int) do\n  receive do\n"
                  "    k -> println(\"${List.length(List.map([n, k], fn(x) -> x + 1 end))}\")\n"
                  "  end\nend\n"
                  "fn main() do\n  let a = spawn(caller, fn(x) -> x * 2 end)\n  send(a, 1)\n"
                  "  let b = spawn(mapper, 1)\n  send(b, 2)\n  println(\"${File.exists(\"x\")}\")\nend\n",
                  0, 2);
}

/* }====== */
