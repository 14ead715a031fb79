/* test_fmt.c: fmt_source, fmt_same_tokens and fmt_line (language.md 11).
 *
 * Table-driven: each input's canonical form is given exactly, and every
 * canonical form must be a fixed point (idempotence) with the same tokens
 * as its input. The golden files in cases/ and the corpus test cover whole
 * programs; these pin single conventions.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "lang/compiler/fmt.h"
#include "lang/compiler/fmt_line.h"

static char *format(const char *src, int indent, int width)
{
    fmt_options_t opt = {.indent_size = indent, .line_width = width};
    size_t len = 0;
    char *out = fmt_source(src, (uint32_t)strlen(src), &opt, &len);
    cr_assert_not_null(out);
    cr_assert_eq(strlen(out), len);
    return out;
}

/* Checks src -> want, want -> want, and that tokens were kept. */
static void expect(const char *src, const char *want, int indent, int width)
{
    char *out = format(src, indent, width);
    cr_expect_str_eq(out, want, "input:\n%s", src);
    char *again = format(out, indent, width);
    cr_expect_str_eq(again, out, "not idempotent for:\n%s", src);
    cr_expect(fmt_same_tokens(src, (uint32_t)strlen(src), out, (uint32_t)strlen(out)));
    free(again);
    free(out);
}

typedef struct {
    const char *src;
    const char *want;
} pair_t;

static void expect_all(const pair_t *pairs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        expect(pairs[i].src, pairs[i].want, 2, 100);
}

Test(lang_fmt, spec_example_while_loop)
{
    expect("while i<limit do\nstep(i,limit)\nend", "while i < limit do\n  step(i, limit)\nend\n",
           2, 100);
    expect("while i<limit do\nstep(i,limit)\nend", "while i < limit do\n    step(i, limit)\nend\n",
           4, 100);
}

Test(lang_fmt, file_ends_with_one_newline_or_none)
{
    static const pair_t pairs[] = {
        {"", ""},
        {"\n\n \t\n", ""},
        {"x\n\n\n", "x\n"},
        {"x", "x\n"},
        {"# only a comment", "# only a comment\n"},
    };
    expect_all(pairs, sizeof pairs / sizeof pairs[0]);
}

Test(lang_fmt, binary_operators_spaced_except_range)
{
    static const pair_t pairs[] = {
        {"a+b*c-d/e%f", "a + b * c - d / e % f\n"},
        {"a==b!=c<d>e<=f>=g", "a == b != c < d > e <= f >= g\n"},
        {"a&&b||c and d or e", "a && b || c and d or e\n"},
        {"s<>t++u", "s <> t ++ u\n"},
        {"1 .. n", "1..n\n"},
        {"x|>f()", "x |> f()\n"},
    };
    expect_all(pairs, sizeof pairs / sizeof pairs[0]);
}

Test(lang_fmt, unary_operators_attached_not_spaced)
{
    static const pair_t pairs[] = {
        {"let a = - x", "let a = -x\n"},
        {"let b = a - - 1", "let b = a - -1\n"},
        {"let c = ! done", "let c = !done\n"},
        {"let d = not    done", "let d = not done\n"},
        {"let e = not(x)", "let e = not (x)\n"},
        {"f(- 1, -(a))", "f(-1, -(a))\n"},
        {"return - 1", "return -1\n"},
    };
    expect_all(pairs, sizeof pairs / sizeof pairs[0]);
}

Test(lang_fmt, separators_and_calls)
{
    static const pair_t pairs[] = {
        {"f( a ,b )", "f(a, b)\n"},
        {"let t=( 1,2 )", "let t = (1, 2)\n"},
        {"let l=[ 1 ,2 ]", "let l = [1, 2]\n"},
        {"let m=%{ \"a\"=>1 }", "let m = %{\"a\" => 1}\n"},
        {"let p=P{x:1,y:2}", "let p = P { x: 1, y: 2 }\n"},
        {"let x::Int=1", "let x :: Int = 1\n"},
        {"fn f(x::Int)->Int=x", "fn f(x :: Int) -> Int = x\n"},
        {"from M import a,b", "from M import a, b\n"},
        {"self ( )", "self()\n"},
    };
    expect_all(pairs, sizeof pairs / sizeof pairs[0]);
}

Test(lang_fmt, types_and_generics_tight)
{
    static const pair_t pairs[] = {
        {"fn f<T>(x :: List < T >) -> Map<String,List<Int>> = x",
         "fn f<T>(x :: List<T>) -> Map<String, List<Int>> = x\n"},
        {"fn g(x :: Int ?) -> Int ! String = x", "fn g(x :: Int?) -> Int!String = x\n"},
        {"let c = a < b and c > d", "let c = a < b and c > d\n"},
    };
    expect_all(pairs, sizeof pairs / sizeof pairs[0]);
}

Test(lang_fmt, blocks_indent_and_else_if)
{
    expect("fn f(x) do\n\n if x do a\n\n else if y do b else c end\nend",
           "fn f(x) do\n  if x do\n    a\n  else if y do\n    b\n  else\n    c\n  end\nend\n", 2,
           100);
}

Test(lang_fmt, member_bodies_get_blank_lines_struct_bodies_do_not)
{
    expect("type T do\nA\nB\nend\nstruct S do\nx :: Int\n\n\ny :: Int\nend",
           "type T do\n  A\n\n  B\nend\n\nstruct S do\n  x :: Int\n  y :: Int\nend\n", 2, 100);
    expect("supervisor S do\nstrategy: one_for_one\nchild w do\nstart: fn -> w() end\n"
           "restart: permanent\nend\nend",
           "supervisor S do\n  strategy: one_for_one\n\n  child w do\n    start: fn -> w() end\n\n"
           "    restart: permanent\n  end\nend\n",
           2, 100);
}

Test(lang_fmt, service_handler_bars_stay_on_do_line)
{
    expect("service S do\ncall Get() :: Int do | st |\n(st, st)\nend\nend",
           "service S do\n  call Get() :: Int do |st|\n    (st, st)\n  end\nend\n", 2, 100);
}

Test(lang_fmt, comments_kept_own_line_or_trailing)
{
    expect("# a\n# b\nfn f() do # t\n  # own\n  x #= in =# + 1 # end\nend\n# z",
           "# a\n# b\n\nfn f() do # t\n  # own\n  x #= in =# + 1 # end\nend\n\n# z\n", 2, 100);
}

Test(lang_fmt, semicolons_become_lines)
{
    expect("fn f() do a; b;; c end", "fn f() do\n  a\n  b\n  c\nend\n", 2, 100);
}

Test(lang_fmt, closures_inline_or_block)
{
    static const pair_t pairs[] = {
        {"let f = fn x->x+1 end", "let f = fn x -> x + 1 end\n"},
        {"let g = fn (a,b) -> a end", "let g = fn(a, b) -> a end\n"},
        {"let h = fn 0 -> a | n -> b end", "let h = fn 0 -> a | n -> b end\n"},
        {"let k = fn -> a\nb end", "let k = fn -> a; b end\n"},
        {"let d = fn x do x end", "let d = fn x do\n  x\nend\n"},
    };
    expect_all(pairs, sizeof pairs / sizeof pairs[0]);
}

Test(lang_fmt, long_lists_break_after_commas)
{
    expect("f(aaaa, bbbb, g(cccc, dddd))", "f(aaaa,\n    bbbb,\n    g(cccc, dddd))\n", 2, 20);
    expect("f(aaaa, bbbb, g(cccc, dddd))", "f(aaaa,\n    bbbb,\n    g(cccc,\n        dddd))\n",
           2, 10);
    expect("let x = (a |> g(1) |> h(2))", "let x = (a\n    |> g(1)\n    |> h(2))\n", 2, 20);
    /* Outside delimiters nothing may break: a line break would end the statement. */
    expect("from Mod import aaaa, bbbb, cccc", "from Mod import aaaa, bbbb, cccc\n", 2, 10);
}

Test(lang_fmt, braced_field_breaks_become_commas)
{
    expect("let p = P {\n  x: 1\n  y: 2\n}", "let p = P { x: 1, y: 2 }\n", 2, 100);
    expect("let m = %{\"a\" =>\n 1\n \"b\" => 2\n + 3}", "let m = %{\"a\" => 1, \"b\" => 2 + 3}\n", 2,
           100);
}

Test(lang_fmt, strings_copied_verbatim)
{
    static const pair_t pairs[] = {
        {"let s = \"a  ${x+1}  b\"", "let s = \"a  ${x + 1}  b\"\n"},
        {"let t = \"\"\"x\n   y  \"\"\"", "let t = \"\"\"x\n   y  \"\"\"\n"},
        {"let u = \"q\\\"  \\${n}\"", "let u = \"q\\\"  \\${n}\"\n"},
        /* language.md 1.2: interpolated code stays on its line, blocks too. */
        {"f(\"${if a do 1 else if b do 2 else 3 end}\")",
         "f(\"${if a do 1 else if b do 2 else 3 end}\")\n"},
        {"f(\"${case x do\n1 -> a\n_ -> b\nend}\")", "f(\"${case x do 1 -> a; _ -> b end}\")\n"},
    };
    expect_all(pairs, sizeof pairs / sizeof pairs[0]);
}

Test(lang_fmt, same_tokens_detects_lost_or_changed_code)
{
    const char *a = "let x = 1 # c\n";
    cr_expect(fmt_same_tokens(a, (uint32_t)strlen(a), "let x = 1 # c  \n", 16));
    cr_expect_not(fmt_same_tokens(a, (uint32_t)strlen(a), "let x = 1\n", 10));
    cr_expect_not(fmt_same_tokens(a, (uint32_t)strlen(a), "let x = 2 # c\n", 14));
    cr_expect_not(fmt_same_tokens(a, (uint32_t)strlen(a), "let x = 1 # d\n", 14));
    /* A comma may only stand where the input had a line break. */
    const char *b = "P { x: 1\ny: 2 }";
    cr_expect(fmt_same_tokens(b, (uint32_t)strlen(b), "P { x: 1, y: 2 }", 16));
    cr_expect_not(fmt_same_tokens("f(a b)", 6, "f(a, b)", 7));
}

Test(lang_fmt_line, breaks_shallowest_level_first)
{
    fmt_line_t l;
    fmt_line_init(&l, 2, 12);
    fmt_line_start(&l, 0);
    fmt_line_put(&l, "f(aaa,", 6, false);
    fmt_line_mark_break(&l, 1, false);
    fmt_line_put(&l, "bbb)", 4, true);
    fmt_line_start(&l, 2);
    fmt_line_put(&l, "short", 5, false);
    fmt_line_blank(&l);
    fmt_line_blank(&l);
    size_t len;
    char *out = fmt_line_take(&l, &len);
    cr_expect_str_eq(out, "f(aaa, bbb)\n  short\n");
    free(out);
    fmt_line_destroy(&l);

    fmt_line_init(&l, 2, 8);
    fmt_line_start(&l, 0);
    fmt_line_put(&l, "f(aaa,", 6, false);
    fmt_line_mark_break(&l, 1, false);
    fmt_line_put(&l, "bbb)", 4, true);
    out = fmt_line_take(&l, &len);
    cr_expect_str_eq(out, "f(aaa,\n    bbb)\n");
    free(out);
    fmt_line_destroy(&l);
}
