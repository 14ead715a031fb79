/* test_ty_infer.c: inferred types and the typed-program API (issue 4;
 * language.md 5.2-5.10; types.h).
 *
 * Each test checks a small program with the real front end and checker and
 * compares the printed scheme of a function (generic variables renamed a,
 * b, c in order of appearance) or an annotation the lowering relies on
 * (sem references, impl tables, instantiations).
 */
#include <criterion/criterion.h>
#include <ctype.h>
#include <stdio.h>
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

static ty_fn_t *fn_named(compile_t *c, const char *name)
{
    ty_program_t *p = c->typed;
    for (uint32_t m = 0; m < p->nmodules; m++)
        for (uint32_t i = 0; i < p->modules[m].nfns; i++)
            if (!strcmp(p->modules[m].fns[i]->name, name))
                return p->modules[m].fns[i];
    return NULL;
}

/* The scheme of fn `name`, with ?<n> renamed to a, b, c... */
static void scheme_of(compile_t *c, const char *name, char *out, size_t cap)
{
    ty_fn_t *f = fn_named(c, name);
    cr_assert_not_null(f, "no fn %s", name);
    char raw[256];
    ty_print(raw, sizeof raw, f->scheme->type, NULL);
    char ids[8][16];
    int nids = 0;
    size_t o = 0;
    for (const char *p = raw; *p && o + 2 < cap;) {
        if (*p != '?') {
            out[o++] = *p++;
            continue;
        }
        char id[16];
        int n = 0;
        p++;
        while (isdigit((unsigned char)*p) && n < 15)
            id[n++] = *p++;
        id[n] = 0;
        int k = 0;
        while (k < nids && strcmp(ids[k], id))
            k++;
        if (k == nids && nids < 8)
            strcpy(ids[nids++], id);
        out[o++] = (char)('a' + k);
    }
    out[o] = 0;
}

#define EXPECT_SCHEME(src, name, want)                                                             \
    do {                                                                                           \
        compile_t *c_ = check(src);                                                                \
        cr_assert_eq(diag_error_count(c_->diag), 0, "unexpected type errors");                     \
        char got_[256];                                                                            \
        scheme_of(c_, name, got_, sizeof got_);                                                    \
        cr_expect_str_eq(got_, want);                                                              \
        compile_free(c_);                                                                          \
    } while (0)

Test(lang_ty_infer, identity_is_polymorphic)
{
    EXPECT_SCHEME("fn id(x) = x\nfn main() do\n  id(1)\n  id(\"s\")\nend\n", "id", "(a) -> a");
}

Test(lang_ty_infer, arithmetic_on_literals_fixes_int)
{
    EXPECT_SCHEME("fn inc(x) = x + 1\n", "inc", "(Int) -> Int");
}

Test(lang_ty_infer, unannotated_arithmetic_stays_generic_with_a_bound)
{
    compile_t *c = check("fn twice(x) = x + x\nfn main() do\n  twice(1)\n  twice(2.5)\nend\n");
    cr_assert_eq(diag_error_count(c->diag), 0);
    ty_fn_t *f = fn_named(c, "twice");
    cr_expect_eq(f->scheme->nvars, 1);
    cr_expect_eq(f->scheme->nbounds, 1);
    cr_expect_eq(f->scheme->bounds[0].trait->builtin, TY_TR_ADD);
    compile_free(c);
}

Test(lang_ty_infer, bound_is_checked_at_each_instantiation)
{
    compile_t *c = check("fn twice(x) = x + x\nfn main() do\n  twice(\"a\")\nend\n");
    cr_expect_eq(diag_error_count(c->diag), 1);
    cr_expect_str_eq(c->diag->items[0].code, "E0006");
    compile_free(c);
}

Test(lang_ty_infer, annotations_are_resolved_fully_d12)
{
    EXPECT_SCHEME("fn total(xs :: List<Int>) -> Int = List.length(xs)\n", "total",
                  "(List<Int>) -> Int");
}

Test(lang_ty_infer, sugar_prints_in_long_form)
{
    EXPECT_SCHEME("fn f(a :: Int?, b :: String!Int) -> Map<String, (Int, Bool)> = Map.new()\n",
                  "f", "(Option<Int>, Result<String, Int>) -> Map<String, (Int, Bool)>");
}

Test(lang_ty_infer, mutual_recursion_shares_one_component_d10)
{
    EXPECT_SCHEME("fn ping(0) = true\nfn ping(n) = pong(n - 1)\nfn pong(n) = ping(n)\n", "pong",
                  "(Int) -> Bool");
}

Test(lang_ty_infer, stdlib_generic_result_from_the_signature_table)
{
    EXPECT_SCHEME("fn f(xs) = List.zip(xs, List.map(xs, fn x -> x > 1 end))\n", "f",
                  "(List<Int>) -> List<(Int, Bool)>");
}

Test(lang_ty_infer, for_comprehension_yields_a_list)
{
    EXPECT_SCHEME("fn sq(xs :: List<Int>) = for x in xs do x > 2 end\n", "sq", "(List<Int>) -> List<Bool>");
}

Test(lang_ty_infer, else_less_if_is_unit_d16)
{
    EXPECT_SCHEME("fn f(b) = if b do 1 end\n", "f", "(Bool) -> ()");
}

Test(lang_ty_infer, question_mark_unifies_error_types)
{
    EXPECT_SCHEME("fn f(s) do\n  let n = File.read(s)?\n  Ok(n)\nend\n", "f",
                  "(String) -> Result<String, String>");
}

Test(lang_ty_infer, method_on_string_uses_the_stdlib_module)
{
    compile_t *c = check("fn main() do\n  let n = \"abc\".length()\nend\n");
    cr_assert_eq(diag_error_count(c->diag), 0);
    ast_expr_t *call = c->modules[0].ast->items[0]->item->u.fn.body->items[0]->expr;
    ty_ref_t *r = call->sem;
    cr_assert_not_null(r);
    cr_expect_eq(r->kind, TY_REF_STDLIB);
    cr_expect_str_eq(r->builtin->module, "String");
    cr_expect_str_eq(r->builtin->name, "length");
    cr_expect(r->recv_first);
    cr_expect_eq(ty_resolve(call->ty)->kind, TY_INT);
    compile_free(c);
}

Test(lang_ty_infer, generic_call_records_its_instantiation)
{
    compile_t *c = check("fn id(x) = x\nfn main() do\n  id(\"s\")\nend\n");
    cr_assert_eq(diag_error_count(c->diag), 0);
    ast_expr_t *call = c->modules[0].ast->items[1]->item->u.fn.body->items[0]->expr;
    ty_ref_t *r = call->sem;
    cr_assert_not_null(r);
    cr_expect_eq(r->kind, TY_REF_FN);
    cr_expect_str_eq(r->fn->name, "id");
    cr_assert_eq(r->ninst, 1);
    cr_expect_eq(ty_resolve(r->inst[0])->kind, TY_STRING);
    compile_free(c);
}

Test(lang_ty_infer, derived_and_user_impls_are_in_the_table)
{
    compile_t *c = check("struct P do\n  x :: Int\nend\n"
                         "struct Q do\n  x :: Int\nend deriving(Display)\n"
                         "impl Display for P do\n  fn to_string(self) -> String = \"p\"\nend\n");
    cr_assert_eq(diag_error_count(c->diag), 0);
    ty_program_t *p = c->typed;
    ty_decl_t *P = p->decls[0], *Q = p->decls[1];
    ty_t *tp = ty_con(c->arena, P, NULL, 0), *tq = ty_con(c->arena, Q, NULL, 0);
    ty_trait_t *display = p->traits[TY_TR_DISPLAY], *eq = p->traits[TY_TR_EQ];
    ty_impl_t *ip = ty_find_impl(p, display, tp), *iq = ty_find_impl(p, display, tq);
    cr_assert_not_null(ip);
    cr_assert_not_null(iq);
    cr_expect(!ip->derived);
    cr_expect(iq->derived);
    bool dflt = true;
    cr_expect_not_null(ty_impl_method(p, ip, ip->methods[0]->name, &dflt));
    cr_expect(!dflt);
    cr_expect_not_null(ty_find_impl(p, eq, tp)); /* no deriving clause: Eq by default */
    cr_expect_null(ty_find_impl(p, eq, tq));     /* deriving(Display) only */
    cr_expect(ty_has_trait(p, TY_TR_EQ, tp));
    compile_free(c);
}

Test(lang_ty_infer, pid_message_type_comes_from_receive)
{
    compile_t *c = check("actor a() do\n  receive do\n    (x, y) -> println(x <> y)\n  end\nend\n"
                         "fn main() do\n  let p = spawn(a)\n  send(p, (\"a\", \"b\"))\nend\n");
    cr_assert_eq(diag_error_count(c->diag), 0);
    char buf[128];
    ty_print(buf, sizeof buf, c->typed->actors[0]->type, NULL);
    cr_expect_str_eq(buf, "() -> Pid<(String, String)>");
    compile_free(c);
}

Test(lang_ty_infer, unresolved_variables_print_as_question_marks)
{
    compile_t *c = check("fn main() do\n  let xs = []\n  let n :: Int = xs\nend\n");
    cr_assert_eq(diag_error_count(c->diag), 1);
    cr_expect(strstr(c->diag->items[0].headline, "List<?") != NULL, "%s",
              c->diag->items[0].headline);
    compile_free(c);
}

Test(lang_ty_infer, zonk_replaces_unbound_with_unit)
{
    compile_t *c = check("fn main() do\n  let xs = []\n  println(\"\")\nend\n");
    cr_assert_eq(diag_error_count(c->diag), 0);
    ast_expr_t *lit = c->modules[0].ast->items[0]->item->u.fn.body->items[0]->expr;
    ty_t *z = ty_zonk(c->arena, lit->ty, true);
    char buf[64];
    ty_print(buf, sizeof buf, z, NULL);
    cr_expect_str_eq(buf, "List<()>");
    compile_free(c);
}

Test(lang_ty_infer, pattern_sem_tells_variants_from_bindings_d19)
{
    compile_t *c = check("fn f(o) do\n  case o do\n    None -> 0\n    x -> 1\n  end\nend\n");
    cr_assert_eq(diag_error_count(c->diag), 0);
    ast_expr_t *cs = c->modules[0].ast->items[0]->item->u.fn.body->items[0]->expr;
    ast_pat_t *none = cs->arms.items[0].pat, *x = cs->arms.items[1].pat;
    cr_assert_not_null(ty_pat_variant(none));
    cr_expect_str_eq(ty_pat_variant(none)->name, "None");
    cr_expect_null(ty_pat_variant(x));
    cr_expect_eq(((ty_binding_t *)x->sem)->sem_tag, TY_SEM_BINDING);
    compile_free(c);
}

Test(lang_ty_infer, other_modules_types_are_qualified_in_messages)
{
    compile_t *c = compile_new();
    const char *geo = "pub struct Pt do\n  x :: Int\nend\npub fn origin() -> Pt = Pt { x: 0 }\n";
    const char *main_src = "import Geo\nfn main() do\n  let n :: Int = Geo.origin()\nend\n";
    cr_assert_eq(front_load_text(c, "geo.snow", "Geo", geo, strlen(geo)), 0);
    cr_assert_eq(front_load_text(c, "main.snow", "Main", main_src, strlen(main_src)), 0);
    c->modules[1].is_main = true;
    ty_check_program(c);
    cr_assert_eq(diag_error_count(c->diag), 1);
    cr_expect_str_eq(c->diag->items[0].code, "E0001");
    cr_expect_str_eq(c->diag->items[0].headline, "expected Int, found Geo.Pt");
    /* dependency order: Geo is checked before Main */
    cr_expect_str_eq(c->typed->modules[0].name, "Geo");
    compile_free(c);
}

Test(lang_ty_infer, import_cycle_is_fatal)
{
    compile_t *c = compile_new();
    const char *a = "import B\npub fn f() = 1\n";
    const char *b = "import A\npub fn g() = 2\n";
    cr_assert_eq(front_load_text(c, "a.snow", "A", a, strlen(a)), 0);
    cr_assert_eq(front_load_text(c, "b.snow", "B", b, strlen(b)), 0);
    ty_check_program(c);
    cr_assert_eq(diag_error_count(c->diag), 1);
    cr_expect(strstr(c->diag->items[0].headline, "Circular dependency: A -> B -> A") != NULL, "%s",
              c->diag->items[0].headline);
    compile_free(c);
}

Test(lang_ty_infer, many_interfaces_impls_and_clauses_grow_their_tables)
{
    size_t cap = 1 << 16, len = 0;
    char *src = malloc(cap);
    cr_assert_not_null(src);
    for (int i = 0; i < 40; i++)
        len += (size_t)snprintf(src + len, cap - len,
                                "interface I%d do\n  fn m%d(self) -> Int\nend\n"
                                "struct S%d do\n  v :: Int\nend\n"
                                "impl I%d for S%d do\n  fn m%d(self) -> Int = self.v + %d\nend\n",
                                i, i, i, i, i, i, i);
    for (int k = 0; k < 20; k++)
        len += (size_t)snprintf(src + len, cap - len, "fn f(%d) = %d\n", k, k);
    len += (size_t)snprintf(src + len, cap - len,
                            "fn f(_) = 0\nfn main() do\n  println(\"${S39 { v: 1 }.m39()} ${f(3)}\")\nend\n");
    compile_t *c = check(src);
    cr_assert_eq(diag_error_count(c->diag), 0);
    ty_program_t *p = c->typed;
    cr_expect_eq(p->ntraits, TY_TR_COUNT + 40);
    for (int i = 0; i < 40; i++) {
        ty_trait_t *tr = p->traits[TY_TR_COUNT + i];
        ty_t *t = ty_con(c->arena, p->decls[i], NULL, 0);
        cr_expect_not_null(ty_find_impl(p, tr, t), "I%d for S%d", i, i);
    }
    ty_fn_t *f = fn_named(c, "f");
    cr_expect_eq(f->nclauses, 21);
    compile_free(c);
    free(src);
}

Test(lang_ty_infer, default_method_is_one_generic_function_d13)
{
    compile_t *c = check("interface D do\n  fn l(self) -> String\n  fn k(self) -> String do\n"
                         "    self.l()\n  end\nend\nstruct A do\n  x :: Int\nend\n"
                         "struct B do\n  y :: Int\nend\n"
                         "impl D for A do\n  fn l(self) -> String = \"a\"\nend\n"
                         "impl D for B do\n  fn l(self) -> String = \"b\"\nend\n");
    cr_assert_eq(diag_error_count(c->diag), 0);
    ty_program_t *p = c->typed;
    ty_trait_t *d = p->traits[TY_TR_COUNT];
    ty_fn_t *k = d->methods[1].default_fn;
    cr_assert_not_null(k);
    cr_expect_eq(k->kind, TY_FN_DEFAULT);
    cr_expect_eq(k->scheme->nvars, 1);
    cr_assert_eq(k->scheme->nbounds, 1);
    cr_expect_eq(k->scheme->bounds[0].trait, d);
    for (uint32_t i = 0; i < 2; i++) {
        ty_impl_t *im = ty_find_impl(p, d, ty_con(c->arena, p->decls[i], NULL, 0));
        bool dflt = false;
        cr_expect_eq(ty_impl_method(p, im, k->name, &dflt), k);
        cr_expect(dflt);
    }
    compile_free(c);
}

Test(lang_ty_infer, bare_pid_unifies_with_typed_pids_and_set_ignores_its_argument)
{
    compile_t *c = check("fn notify(p :: Pid, m) = send(p, m)\n"
                         "fn typed(p :: Pid<Int>) = notify(p, \"any\")\n"
                         "fn sets(s :: Set<String>) -> Set = Set.add(s, 1)\n");
    cr_assert_eq(diag_error_count(c->diag), 0);
    char buf[64];
    ty_print(buf, sizeof buf, fn_named(c, "sets")->scheme->type, NULL);
    cr_expect_str_eq(buf, "(Set) -> Set");
    compile_free(c);
}

Test(lang_ty_infer, subst_monomorphizes_a_scheme)
{
    compile_t *c = check("fn pair(a, b) = (b, [a])\n");
    cr_assert_eq(diag_error_count(c->diag), 0);
    ty_scheme_t *s = fn_named(c, "pair")->scheme;
    cr_assert_eq(s->nvars, 2);
    ty_t *args[2];
    /* vars are in order of appearance: a, then b */
    compile_t *d = check("fn i() = 1\nfn s() = \"x\"\n");
    args[0] = ty_resolve(fn_named(d, "i")->scheme->type)->ret;
    args[1] = ty_resolve(fn_named(d, "s")->scheme->type)->ret;
    ty_t *mono = ty_subst(c->arena, s->type, s->vars, args, 2);
    char buf[64];
    ty_print(buf, sizeof buf, mono, NULL);
    cr_expect_str_eq(buf, "(Int, String) -> (String, List<Int>)");
    cr_expect(ty_equal(mono, ty_subst(c->arena, s->type, s->vars, args, 2)));
    cr_expect(!ty_equal(mono, s->type));
    compile_free(d);
    compile_free(c);
}

/* The JSON long messages and help lines of the catalogue (10.3, 10.4). */
Test(lang_ty_infer, catalogue_messages_and_help_lines)
{
    compile_t *c = check("struct Pt do\n  x :: Int\nend\n"
                         "fn f() -> Int do\n  let v = String.to_int(\"4\")?\n  v\nend\n"
                         "fn main() do\n  println(totl)\n  let p = Pt { }\n  let q = 42.shout()\nend\n");
    cr_assert_eq(c->diag->count, 4);
    diag_entry_t *d = c->diag->items;
    cr_expect_str_eq(d[0].code, "E0036");
    cr_expect_str_eq(d[0].message,
                     "`?` operator requires function to return `Result` or `Option`, found `Int`");
    cr_expect_str_eq(d[1].code, "E0004");
    cr_expect_str_eq(d[1].headline, "undefined variable: totl");
    cr_expect_str_eq(d[1].message, "unbound variable `totl`");
    cr_expect_str_eq(d[1].label, "not found in this scope");
    cr_expect_str_eq(d[2].code, "E0009");
    cr_expect_str_eq(d[2].headline, "missing field x in struct Pt");
    cr_expect_str_eq(d[2].message, "missing field `x` in struct `Pt`");
    cr_expect_str_eq(d[3].code, "E0030");
    cr_expect_str_eq(d[3].headline, "no method `shout` on type `Int`");
    cr_assert_eq(d[3].extra_count, 1);
    cr_expect_str_eq(d[3].extras[0].text, "type `Int` has no trait impl providing `shout`");
    compile_free(c);
}
