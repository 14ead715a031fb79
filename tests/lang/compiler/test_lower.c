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
    compile_t *c = lower_src("interface Area do\n  fn area(self) -> Int\nend\n"
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
    int errors = 0;
    compile_t *c = lower_src("actor ping() do\n  receive do\n    n -> ping()\n  end\nend\n"
                             "fn main() do\n  let p = spawn(ping)\nend\n",
                             &errors);
    cr_assert_gt(errors, 0);
    cr_assert_gt(c->diag->count, 0);
    cr_assert_str_eq(c->diag->items[c->diag->count - 1].code, "E0999");
    compile_free(c);
}
