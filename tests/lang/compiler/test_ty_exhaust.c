/* test_ty_exhaust.c: exhaustiveness and redundancy (ty_exhaust.c;
 * language.md 5.8, 6.4; D21). Checks the missing-pattern witnesses and
 * arm numbers the diagnostics carry, which the corpus (codes and
 * positions only) does not see.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "lang/compiler/compile.h"
#include "lang/compiler/diag.h"
#include "lang/compiler/front.h"
#include "lang/compiler/types.h"

static compile_t *check(const char *src)
{
    compile_t *c = compile_new();
    cr_assert_eq(front_load_text(c, "t.snow", "Main", src, strlen(src)), 0, "parse error");
    ty_check_program(c);
    return c;
}

/* The label of the only diagnostic with code. */
static const char *label_of(compile_t *c, const char *code)
{
    const char *found = NULL;
    for (uint32_t i = 0; i < c->diag->count; i++) {
        if (!strcmp(c->diag->items[i].code, code)) {
            cr_assert_null(found, "two %s diagnostics", code);
            found = c->diag->items[i].label ? c->diag->items[i].label : "";
        }
    }
    cr_assert_not_null(found, "no %s diagnostic", code);
    return found;
}

#define SHAPE "type Shape do\n  Dot\n  Disc(Float)\n  Box(Float, Float)\nend\n"

Test(lang_ty_exhaust, lists_every_missing_variant_with_wildcard_fields)
{
    compile_t *c = check(SHAPE "fn f(s :: Shape) = case s do\n  Dot -> 1\nend\n");
    cr_expect_str_eq(label_of(c, "E0012"), "missing: Disc(_), Box(_, _)");
    compile_free(c);
}

Test(lang_ty_exhaust, nested_witness_names_the_inner_constructor)
{
    compile_t *c = check("fn f(o :: Option<Bool>) = case o do\n  Some(true) -> 1\n  None -> 0\nend\n");
    cr_expect_str_eq(label_of(c, "E0012"), "missing: Some(false)");
    compile_free(c);
}

Test(lang_ty_exhaust, tuple_witness_covers_both_columns)
{
    compile_t *c = check("fn f(a :: Bool, b :: Bool) = case (a, b) do\n  (true, _) -> 1\n"
                         "  (false, true) -> 2\nend\n");
    cr_expect_str_eq(label_of(c, "E0012"), "missing: (false, false)");
    compile_free(c);
}

Test(lang_ty_exhaust, infinite_types_need_a_wildcard)
{
    compile_t *c = check("fn f(s :: String) = case s do\n  \"a\" -> 1\n  \"b\" -> 2\nend\n");
    cr_expect_str_eq(label_of(c, "E0012"), "missing: _");
    compile_free(c);
}

Test(lang_ty_exhaust, guarded_arms_do_not_cover)
{
    compile_t *c = check("fn f(b :: Bool) = case b do\n  true -> 1\n  false when 1 > 0 -> 2\nend\n");
    cr_expect_str_eq(label_of(c, "E0012"), "missing: false");
    compile_free(c);
}

Test(lang_ty_exhaust, cons_counts_as_wildcard_for_coverage_but_not_redundancy)
{
    compile_t *c = check("fn f(xs :: List<Int>) = case xs do\n  h :: t -> h\nend\n"
                         "fn g(xs :: List<Int>) = case xs do\n  h :: t -> h\n  _ -> 0\nend\n");
    cr_expect_eq(c->diag->count, 0, "6.4: neither form is reported");
    compile_free(c);
}

Test(lang_ty_exhaust, redundant_arm_is_numbered_from_one)
{
    compile_t *c = check("fn f(o :: Option<Int>) = case o do\n  Some(_) -> 1\n  None -> 0\n"
                         "  Some(3) -> 2\nend\n");
    cr_assert_eq(c->diag->count, 1);
    cr_expect_str_eq(c->diag->items[0].code, "W0001");
    cr_expect_eq(c->diag->items[0].severity, DIAG_WARNING);
    cr_expect_str_eq(c->diag->items[0].headline, "redundant match arm (arm 3)");
    cr_expect_str_eq(c->diag->items[0].message, "redundant match arm at index 2");
    compile_free(c);
}

Test(lang_ty_exhaust, non_exhaustive_function_is_a_warning_d21)
{
    compile_t *c = check("fn f(true) = 1\n");
    cr_assert_eq(c->diag->count, 1);
    cr_expect_str_eq(c->diag->items[0].code, "E0012");
    cr_expect_eq(c->diag->items[0].severity, DIAG_WARNING);
    cr_expect_eq(diag_error_count(c->diag), 0);
    ty_fn_t *f = c->typed->modules[0].fns[0];
    cr_expect(!f->exhaustive, "the lowering needs to know a call can panic");
    compile_free(c);
}
