/* test_parse.c: the parser (lang/compiler/parse*.c; language.md 3, D1-D8).
 *
 * Each construct is parsed from text and compared with its exact AST dump
 * (ast_dump.c: spans print as @line:col-line:col, end exclusive). Error
 * tests check the message, code and line:col of every diagnostic, and that
 * recovery reports each independent error exactly once.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lang/compiler/compile.h"
#include "lang/compiler/diag.h"
#include "lang/compiler/front.h"
#include "lang/compiler/source.h"

/* Parses src as module Main of file "t.snow"; returns the compilation. */
static compile_t *parse_text(const char *src, size_t len)
{
    compile_t *c = compile_new();
    front_load_text(c, "t.snow", "Main", src, len);
    return c;
}

static char *dump_of(compile_t *c)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ast_dump_file(f, c->modules[0].ast);
    fclose(f);
    return buf;
}

/* "line:col: message" of every diagnostic, one per line. */
static char *diags_of(compile_t *c)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    for (uint32_t i = 0; i < c->diag->count; i++) {
        const diag_entry_t *e = &c->diag->items[i];
        uint32_t line, col;
        source_line_col(c->sources, e->span.file, e->span.start, &line, &col);
        fprintf(f, "%u:%u: %s[%s]: %s\n", line, col,
                e->severity == DIAG_ERROR ? "error" : "warning", e->code, e->headline);
    }
    fclose(f);
    return buf;
}

static void check_dump(const char *src, const char *expected)
{
    compile_t *c = parse_text(src, strlen(src));
    char *diags = diags_of(c);
    cr_assert_str_eq(diags, "", "unexpected diagnostics for:\n%s", src);
    char *dump = dump_of(c);
    cr_assert_str_eq(dump, expected, "dump of:\n%s\ngot:\n%s", src, dump);
    free(dump);
    free(diags);
    compile_free(c);
}

static void check_errors(const char *src, const char *expected)
{
    compile_t *c = parse_text(src, strlen(src));
    char *diags = diags_of(c);
    cr_assert_str_eq(diags, expected, "diagnostics for:\n%s", src);
    cr_assert_eq(c->diag->errors, c->diag->count);
    free(diags);
    compile_free(c);
}

/* ============================================================ constructs */

Test(lang_parse, fn_block_form_with_call)
{
    check_dump(
        "fn main() do println(\"hi\") end\n",
        "file t.snow\n"
        "  fn main @1:1-1:31\n"
        "    body @1:14-1:27\n"
        "      call @1:14-1:27\n"
        "        ident println @1:14-1:21\n"
        "        string \"hi\" @1:22-1:26\n");
}

Test(lang_parse, fn_expression_form)
{
    check_dump(
        "fn square(n) = n * n\n",
        "file t.snow\n"
        "  fn square = @1:1-1:21\n"
        "    param n @1:11-1:12\n"
        "    body @1:16-1:21\n"
        "      binary * @1:16-1:21\n"
        "        ident n @1:16-1:17\n"
        "        ident n @1:20-1:21\n");
}

Test(lang_parse, fn_without_parameter_list)
{
    check_dump(
        "fn answer = 42\n",
        "file t.snow\n"
        "  fn answer no-params = @1:1-1:15\n"
        "    body @1:13-1:15\n"
        "      int 42 @1:13-1:15\n");
}

Test(lang_parse, fn_multi_clause_with_patterns_and_guard)
{
    check_dump(
        "fn describe(0) = \"none\"\n"
        "fn describe(n) when n < 0 = \"negative\"\n"
        "fn describe(_) = \"many\"\n",
        "file t.snow\n"
        "  fn describe = @1:1-1:24\n"
        "    param 0 @1:13-1:14\n"
        "    body @1:18-1:24\n"
        "      string \"none\" @1:18-1:24\n"
        "  fn describe = @2:1-2:39\n"
        "    param n @2:13-2:14\n"
        "    when\n"
        "      binary < @2:21-2:26\n"
        "        ident n @2:21-2:22\n"
        "        int 0 @2:25-2:26\n"
        "    body @2:29-2:39\n"
        "      string \"negative\" @2:29-2:39\n"
        "  fn describe = @3:1-3:24\n"
        "    param _ @3:13-3:14\n"
        "    body @3:18-3:24\n"
        "      string \"many\" @3:18-3:24\n");
}

Test(lang_parse, fn_pub_def_generics_annotations_where)
{
    check_dump(
        "pub def first_of<T, U>(items :: List<T>, d :: U) -> T where T: Ord, U: Show.Text do\n"
        "  List.head(items)\n"
        "end\n",
        "file t.snow\n"
        "  fn first_of pub @1:1-3:4\n"
        "    generics T, U\n"
        "    param items :: List<T> @1:24-1:40\n"
        "    param d :: U @1:42-1:48\n"
        "    returns T @1:53-1:54\n"
        "    where T: Ord, U: Show.Text\n"
        "    body @2:3-2:19\n"
        "      call @2:3-2:19\n"
        "        field head @2:3-2:12\n"
        "          ident List @2:3-2:7\n"
        "        ident items @2:13-2:18\n");
}

Test(lang_parse, fn_constructor_and_tuple_parameters)
{
    check_dump(
        "fn area(Shape.Circle(r)) = r\n"
        "fn swap((a, b)) = (b, a)\n"
        "fn neg(-1, \"x\", self) = 0\n",
        "file t.snow\n"
        "  fn area = @1:1-1:29\n"
        "    param Shape.Circle(r) @1:9-1:24\n"
        "    body @1:28-1:29\n"
        "      ident r @1:28-1:29\n"
        "  fn swap = @2:1-2:25\n"
        "    param (a, b) @2:9-2:15\n"
        "    body @2:19-2:25\n"
        "      tuple @2:19-2:25\n"
        "        ident b @2:20-2:21\n"
        "        ident a @2:23-2:24\n"
        "  fn neg = @3:1-3:26\n"
        "    param -1 @3:8-3:10\n"
        "    param \"x\" @3:12-3:15\n"
        "    param self self @3:17-3:21\n"
        "    body @3:25-3:26\n"
        "      int 0 @3:25-3:26\n");
}

Test(lang_parse, fn_nested_helper_in_block)
{
    check_dump(
        "fn outer() do\n"
        "  fn helper(x) = x + 1\n"
        "  helper(2)\n"
        "end\n",
        "file t.snow\n"
        "  fn outer @1:1-4:4\n"
        "    body @2:3-3:12\n"
        "      fn helper = @2:3-2:23\n"
        "        param x @2:13-2:14\n"
        "        body @2:18-2:23\n"
        "          binary + @2:18-2:23\n"
        "            ident x @2:18-2:19\n"
        "            int 1 @2:22-2:23\n"
        "      call @3:3-3:12\n"
        "        ident helper @3:3-3:9\n"
        "        int 2 @3:10-3:11\n");
}

Test(lang_parse, struct_with_deriving)
{
    check_dump(
        "pub struct Reading do\n"
        "  sensor :: String\n"
        "  value :: Float\n"
        "  tags :: List<String>\n"
        "end deriving(Eq, Display, Debug)\n",
        "file t.snow\n"
        "  struct Reading pub @1:1-5:33\n"
        "    field sensor :: String @2:3-2:9\n"
        "    field value :: Float @3:3-3:8\n"
        "    field tags :: List<String> @4:3-4:7\n"
        "    deriving(Eq, Display, Debug)\n");
}

Test(lang_parse, struct_generic_without_deriving)
{
    check_dump(
        "struct Pair<A, B> do\n"
        "  first :: A\n"
        "  second :: B\n"
        "end\n",
        "file t.snow\n"
        "  struct Pair @1:1-4:4\n"
        "    generics A, B\n"
        "    field first :: A @2:3-2:8\n"
        "    field second :: B @3:3-3:9\n");
}

Test(lang_parse, struct_empty_deriving_list)
{
    check_dump(
        "struct Unit do\n"
        "end deriving()\n",
        "file t.snow\n"
        "  struct Unit @1:1-2:15\n"
        "    deriving()\n");
}

Test(lang_parse, sum_type_with_payloads)
{
    check_dump(
        "type Shape do\n"
        "  Dot\n"
        "  Disc(Float)\n"
        "  Box(width :: Float, height :: Float)\n"
        "end deriving(Eq, Ord)\n",
        "file t.snow\n"
        "  type Shape @1:1-5:22\n"
        "    variant Dot @2:3-2:6\n"
        "    variant Disc() @3:3-3:7\n"
        "      field _ :: Float @3:8-3:13\n"
        "    variant Box() @4:3-4:6\n"
        "      field width :: Float @4:7-4:12\n"
        "      field height :: Float @4:23-4:29\n"
        "    deriving(Eq, Ord)\n");
}

Test(lang_parse, sum_type_generic_recursive)
{
    check_dump(
        "pub type Tree<T> do\n"
        "  Leaf\n"
        "  Node(Tree<T>, T, Tree<T>)\n"
        "end\n",
        "file t.snow\n"
        "  type Tree pub @1:1-4:4\n"
        "    generics T\n"
        "    variant Leaf @2:3-2:7\n"
        "    variant Node() @3:3-3:7\n"
        "      field _ :: Tree<T> @3:8-3:15\n"
        "      field _ :: T @3:17-3:18\n"
        "      field _ :: Tree<T> @3:20-3:27\n");
}

Test(lang_parse, type_aliases_with_sugar)
{
    check_dump(
        "type Score = Int\n"
        "type Handler = Fun(String) -> Bool\n"
        "type Table<V> = Map<String, V>\n"
        "type Parsed = Int!String?\n"
        "type Maybe = (Int, Float)?\n"
        "type Unit0 = ()\n",
        "file t.snow\n"
        "  alias Score @1:1-1:17\n"
        "    = Int @1:14-1:17\n"
        "  alias Handler @2:1-2:35\n"
        "    = Fun(String) -> Bool @2:16-2:35\n"
        "  alias Table @3:1-3:31\n"
        "    generics V\n"
        "    = Map<String, V> @3:17-3:31\n"
        "  alias Parsed @4:1-4:26\n"
        "    = Int!String? @4:15-4:26\n"
        "  alias Maybe @5:1-5:27\n"
        "    = (Int, Float)? @5:14-5:27\n"
        "  alias Unit0 @6:1-6:16\n"
        "    = () @6:14-6:16\n");
}

Test(lang_parse, interface_with_default_method)
{
    check_dump(
        "interface Describe do\n"
        "  fn label(self) -> String\n"
        "  def kind(self, n :: Int) -> String do\n"
        "    \"thing\"\n"
        "  end\n"
        "end\n",
        "file t.snow\n"
        "  interface Describe @1:1-6:4\n"
        "    method label @2:6-2:11\n"
        "      param self self @2:12-2:16\n"
        "      returns String @2:21-2:27\n"
        "    method kind @3:7-3:11\n"
        "      param self self @3:12-3:16\n"
        "      param n :: Int @3:18-3:26\n"
        "      returns String @3:31-3:37\n"
        "      default @4:5-4:12\n"
        "        string \"thing\" @4:5-4:12\n");
}

Test(lang_parse, impl_for_type_with_args_and_where)
{
    check_dump(
        "impl Describe for Lamp do\n"
        "  fn label(self) -> String do\n"
        "    \"lamp\"\n"
        "  end\n"
        "end\n"
        "impl Convert<Int, Float> for Box<T> where T: Eq do\n"
        "  fn convert(self) = 1\n"
        "end\n",
        "file t.snow\n"
        "  impl Describe for Lamp @1:1-5:4\n"
        "    fn label @2:3-4:6\n"
        "      param self self @2:12-2:16\n"
        "      returns String @2:21-2:27\n"
        "      body @3:5-3:11\n"
        "        string \"lamp\" @3:5-3:11\n"
        "  impl Convert<Int, Float> for Box<T> @6:1-8:4\n"
        "    where T: Eq\n"
        "    fn convert = @7:3-7:23\n"
        "      param self self @7:14-7:18\n"
        "      body @7:22-7:23\n"
        "        int 1 @7:22-7:23\n");
}

Test(lang_parse, actor_with_receive_and_terminate)
{
    check_dump(
        "actor tally(count :: Int) do\n"
        "  receive do\n"
        "    n -> tally(count + n)\n"
        "  end\n"
        "  terminate do\n"
        "    println(\"bye\")\n"
        "  end\n"
        "end\n",
        "file t.snow\n"
        "  actor tally @1:1-8:4\n"
        "    param count :: Int @1:13-1:25\n"
        "    body @2:3-4:6\n"
        "      receive @2:3-4:6\n"
        "        arm n @3:5-3:26\n"
        "          call @3:10-3:26\n"
        "            ident tally @3:10-3:15\n"
        "            binary + @3:16-3:25\n"
        "              ident count @3:16-3:21\n"
        "              ident n @3:24-3:25\n"
        "    terminate @6:5-6:19\n"
        "      call @6:5-6:19\n"
        "        ident println @6:5-6:12\n"
        "        string \"bye\" @6:13-6:18\n");
}

Test(lang_parse, supervisor_with_all_keys)
{
    check_dump(
        "pub supervisor Watch do\n"
        "  strategy: one_for_all\n"
        "  max_restarts: 5\n"
        "  max_seconds: 10\n"
        "  child p1 do\n"
        "    start: fn -> spawn(pinger, 1) end\n"
        "    restart: transient\n"
        "    shutdown: 2000\n"
        "  end\n"
        "  child p2 do\n"
        "    start: fn -> spawn(pinger, 2) end\n"
        "    shutdown: brutal_kill\n"
        "  end\n"
        "end\n",
        "file t.snow\n"
        "  supervisor Watch pub @1:1-14:4\n"
        "    strategy: one_for_all @2:13-2:24\n"
        "    max_restarts: 5 @3:17-3:18\n"
        "    max_seconds: 10 @4:16-4:18\n"
        "    child p1 @5:3-9:6\n"
        "      start\n"
        "        closure @6:12-6:38\n"
        "          clause -> @6:15-6:38\n"
        "            body @6:18-6:34\n"
        "              spawn @6:18-6:34\n"
        "                ident pinger @6:24-6:30\n"
        "                int 1 @6:32-6:33\n"
        "      restart: transient @7:14-7:23\n"
        "      shutdown: 2000 @8:15-8:19\n"
        "    child p2 @10:3-13:6\n"
        "      start\n"
        "        closure @11:12-11:38\n"
        "          clause -> @11:15-11:38\n"
        "            body @11:18-11:34\n"
        "              spawn @11:18-11:34\n"
        "                ident pinger @11:24-11:30\n"
        "                int 2 @11:32-11:33\n"
        "      shutdown: brutal_kill @12:15-12:26\n");
}

Test(lang_parse, service_with_fn_call_and_cast)
{
    check_dump(
        "service Stock do\n"
        "  fn init(start :: Int) -> Int do\n"
        "    start\n"
        "  end\n"
        "  call Level() :: Int do |units|\n"
        "    (units, units)\n"
        "  end\n"
        "  cast Refill(n :: Int) do |units|\n"
        "    units + n\n"
        "  end\n"
        "end\n",
        "file t.snow\n"
        "  service Stock @1:1-11:4\n"
        "    fn init @2:3-4:6\n"
        "      param start :: Int @2:11-2:23\n"
        "      returns Int @2:28-2:31\n"
        "      body @3:5-3:10\n"
        "        ident start @3:5-3:10\n"
        "    call Level |units| @5:8-5:13\n"
        "      returns Int @5:19-5:22\n"
        "      body @6:5-6:19\n"
        "        tuple @6:5-6:19\n"
        "          ident units @6:6-6:11\n"
        "          ident units @6:13-6:18\n"
        "    cast Refill |units| @8:8-8:14\n"
        "      param n :: Int @8:15-8:23\n"
        "      body @9:5-9:14\n"
        "        binary + @9:5-9:14\n"
        "          ident units @9:5-9:10\n"
        "          ident n @9:13-9:14\n");
}

Test(lang_parse, imports_and_from_imports)
{
    check_dump(
        "import Geo.Shapes\n"
        "from Geo.Shapes import area, Circle\n"
        "import String\n",
        "file t.snow\n"
        "  import Geo.Shapes @1:1-1:18\n"
        "  from Geo.Shapes import area, Circle @2:1-2:36\n"
        "  import String @3:1-3:14\n");
}

Test(lang_parse, inline_module_is_parsed)
{
    check_dump(
        "pub module Util do\n"
        "  fn id(x) = x\n"
        "end\n",
        "file t.snow\n"
        "  module Util pub @1:1-3:4\n"
        "    body @2:3-2:15\n"
        "      fn id = @2:3-2:15\n"
        "        param x @2:9-2:10\n"
        "        body @2:14-2:15\n"
        "          ident x @2:14-2:15\n");
}

Test(lang_parse, let_with_patterns_and_annotation)
{
    check_dump(
        "let x = 1\n"
        "let (a, b) :: (Int, String) = (1, \"s\")\n"
        "let _ = x\n",
        "file t.snow\n"
        "  let x @1:1-1:10\n"
        "    int 1 @1:9-1:10\n"
        "  let (a, b) :: (Int, String) @2:1-2:39\n"
        "    tuple @2:31-2:39\n"
        "      int 1 @2:32-2:33\n"
        "      string \"s\" @2:35-2:38\n"
        "  let _ @3:1-3:10\n"
        "    ident x @3:9-3:10\n");
}

Test(lang_parse, if_else_if_chain_needs_one_end)
{
    check_dump(
        "fn f(a, b) do\n"
        "  if a do 1 else if b do 2 else 3 end\n"
        "end\n",
        "file t.snow\n"
        "  fn f @1:1-3:4\n"
        "    param a @1:6-1:7\n"
        "    param b @1:9-1:10\n"
        "    body @2:3-2:38\n"
        "      if @2:3-2:38\n"
        "        ident a @2:6-2:7\n"
        "        then @2:11-2:12\n"
        "          int 1 @2:11-2:12\n"
        "        else @2:18-2:38\n"
        "          if @2:18-2:38\n"
        "            ident b @2:21-2:22\n"
        "            then @2:26-2:27\n"
        "              int 2 @2:26-2:27\n"
        "            else @2:33-2:34\n"
        "              int 3 @2:33-2:34\n");
}

Test(lang_parse, if_without_else)
{
    check_dump(
        "fn f(a) do\n"
        "  if a do\n"
        "    println(\"yes\")\n"
        "  end\n"
        "end\n",
        "file t.snow\n"
        "  fn f @1:1-5:4\n"
        "    param a @1:6-1:7\n"
        "    body @2:3-4:6\n"
        "      if @2:3-4:6\n"
        "        ident a @2:6-2:7\n"
        "        then @3:5-3:19\n"
        "          call @3:5-3:19\n"
        "            ident println @3:5-3:12\n"
        "            string \"yes\" @3:13-3:18\n");
}

Test(lang_parse, case_with_every_pattern)
{
    check_dump(
        "fn f(v) do\n"
        "  case v do\n"
        "    0 -> \"zero\"\n"
        "    -1 -> \"minus one\"\n"
        "    2.5 -> \"float\"\n"
        "    \"a\\tb\" -> \"string\"\n"
        "    true -> \"bool\"\n"
        "    nil -> \"nil\"\n"
        "    (a, _) -> \"tuple\"\n"
        "    Some(x) when x > 1 -> \"some\"\n"
        "    Shape.Box(w, h) -> \"qualified\"\n"
        "    Geo.Shape.Dot -> \"module qualified\"\n"
        "    Less | Greater -> \"or\"\n"
        "    h :: t -> \"cons\"\n"
        "    Some(y) as whole -> \"as\"\n"
        "    None -> \"nullary\"\n"
        "  end\n"
        "end\n",
        "file t.snow\n"
        "  fn f @1:1-18:4\n"
        "    param v @1:6-1:7\n"
        "    body @2:3-17:6\n"
        "      case @2:3-17:6\n"
        "        ident v @2:8-2:9\n"
        "        arm 0 @3:5-3:16\n"
        "          string \"zero\" @3:10-3:16\n"
        "        arm -1 @4:5-4:22\n"
        "          string \"minus one\" @4:11-4:22\n"
        "        arm 2.5 @5:5-5:19\n"
        "          string \"float\" @5:12-5:19\n"
        "        arm \"a\\tb\" @6:5-6:23\n"
        "          string \"string\" @6:15-6:23\n"
        "        arm true @7:5-7:19\n"
        "          string \"bool\" @7:13-7:19\n"
        "        arm nil @8:5-8:17\n"
        "          string \"nil\" @8:12-8:17\n"
        "        arm (a, _) @9:5-9:22\n"
        "          string \"tuple\" @9:15-9:22\n"
        "        arm Some(x) @10:5-10:33\n"
        "          when\n"
        "            binary > @10:18-10:23\n"
        "              ident x @10:18-10:19\n"
        "              int 1 @10:22-10:23\n"
        "          string \"some\" @10:27-10:33\n"
        "        arm Shape.Box(w, h) @11:5-11:35\n"
        "          string \"qualified\" @11:24-11:35\n"
        "        arm Geo.Shape.Dot @12:5-12:40\n"
        "          string \"module qualified\" @12:22-12:40\n"
        "        arm Less | Greater @13:5-13:27\n"
        "          string \"or\" @13:23-13:27\n"
        "        arm (h :: t) @14:5-14:21\n"
        "          string \"cons\" @14:15-14:21\n"
        "        arm Some(y) as whole @15:5-15:29\n"
        "          string \"as\" @15:25-15:29\n"
        "        arm None @16:5-16:22\n"
        "          string \"nullary\" @16:13-16:22\n");
}

Test(lang_parse, match_is_a_synonym_of_case)
{
    check_dump(
        "fn f(v) = match v do\n"
        "  _ -> 1\n"
        "end\n",
        "file t.snow\n"
        "  fn f = @1:1-3:4\n"
        "    param v @1:6-1:7\n"
        "    body @1:11-3:4\n"
        "      case @1:11-3:4\n"
        "        ident v @1:17-1:18\n"
        "        arm _ @2:3-2:9\n"
        "          int 1 @2:8-2:9\n");
}

Test(lang_parse, receive_with_after)
{
    check_dump(
        "actor a() do\n"
        "  receive do\n"
        "    Ping(from) when from > 0 -> send(from, Pong)\n"
        "    _ -> a()\n"
        "    after 5000 -> println(\"idle\")\n"
        "  end\n"
        "end\n",
        "file t.snow\n"
        "  actor a @1:1-7:4\n"
        "    body @2:3-6:6\n"
        "      receive @2:3-6:6\n"
        "        arm Ping(from) @3:5-3:49\n"
        "          when\n"
        "            binary > @3:21-3:29\n"
        "              ident from @3:21-3:25\n"
        "              int 0 @3:28-3:29\n"
        "          send @3:33-3:49\n"
        "            ident from @3:38-3:42\n"
        "            ident Pong @3:44-3:48\n"
        "        arm _ @4:5-4:13\n"
        "          call @4:10-4:13\n"
        "            ident a @4:10-4:11\n"
        "        after\n"
        "          int 5000 @5:11-5:15\n"
        "          call @5:19-5:34\n"
        "            ident println @5:19-5:26\n"
        "            string \"idle\" @5:27-5:33\n");
}

Test(lang_parse, for_in_with_when_and_destructuring)
{
    check_dump(
        "fn f(m, xs) do\n"
        "  for {k, v} in m when v > 1 do\n"
        "    println(k)\n"
        "  end\n"
        "  for x in xs do x * 2 end\n"
        "  for {k} in m do k end\n"
        "end\n",
        "file t.snow\n"
        "  fn f @1:1-7:4\n"
        "    param m @1:6-1:7\n"
        "    param xs @1:9-1:11\n"
        "    body @2:3-6:24\n"
        "      for @2:3-4:6\n"
        "        var (k, v) @2:7-2:13\n"
        "        in\n"
        "          ident m @2:17-2:18\n"
        "        when\n"
        "          binary > @2:24-2:29\n"
        "            ident v @2:24-2:25\n"
        "            int 1 @2:28-2:29\n"
        "        body @3:5-3:15\n"
        "          call @3:5-3:15\n"
        "            ident println @3:5-3:12\n"
        "            ident k @3:13-3:14\n"
        "      for @5:3-5:27\n"
        "        var x @5:7-5:8\n"
        "        in\n"
        "          ident xs @5:12-5:14\n"
        "        body @5:18-5:23\n"
        "          binary * @5:18-5:23\n"
        "            ident x @5:18-5:19\n"
        "            int 2 @5:22-5:23\n"
        "      for @6:3-6:24\n"
        "        var (k) @6:7-6:10\n"
        "        in\n"
        "          ident m @6:14-6:15\n"
        "        body @6:19-6:20\n"
        "          ident k @6:19-6:20\n");
}

Test(lang_parse, while_break_continue)
{
    check_dump(
        "fn f() do\n"
        "  while true do\n"
        "    if done() do break else continue end\n"
        "  end\n"
        "end\n",
        "file t.snow\n"
        "  fn f @1:1-5:4\n"
        "    body @2:3-4:6\n"
        "      while @2:3-4:6\n"
        "        bool true @2:9-2:13\n"
        "        body @3:5-3:41\n"
        "          if @3:5-3:41\n"
        "            call @3:8-3:14\n"
        "              ident done @3:8-3:12\n"
        "            then @3:18-3:23\n"
        "              break @3:18-3:23\n"
        "            else @3:29-3:37\n"
        "              continue @3:29-3:37\n");
}

Test(lang_parse, return_with_and_without_value)
{
    check_dump(
        "fn f(x) do\n"
        "  if x do return end\n"
        "  return x + 1\n"
        "end\n",
        "file t.snow\n"
        "  fn f @1:1-4:4\n"
        "    param x @1:6-1:7\n"
        "    body @2:3-3:15\n"
        "      if @2:3-2:21\n"
        "        ident x @2:6-2:7\n"
        "        then @2:11-2:17\n"
        "          return @2:11-2:17\n"
        "      return @3:3-3:15\n"
        "        binary + @3:10-3:15\n"
        "          ident x @3:10-3:11\n"
        "          int 1 @3:14-3:15\n");
}

Test(lang_parse, try_operator)
{
    check_dump(
        "fn f(s) do\n"
        "  let n = String.to_int(s)?\n"
        "  Ok(n)\n"
        "end\n",
        "file t.snow\n"
        "  fn f @1:1-4:4\n"
        "    param s @1:6-1:7\n"
        "    body @2:3-3:8\n"
        "      let n @2:3-2:28\n"
        "        try @2:11-2:28\n"
        "          call @2:11-2:27\n"
        "            field to_int @2:11-2:24\n"
        "              ident String @2:11-2:17\n"
        "            ident s @2:25-2:26\n"
        "      call @3:3-3:8\n"
        "        ident Ok @3:3-3:5\n"
        "        ident n @3:6-3:7\n");
}

Test(lang_parse, closure_forms)
{
    check_dump(
        "fn f() do\n"
        "  let a = fn -> 1 end\n"
        "  let b = fn do 2 end\n"
        "  let c = fn x, y -> x + y end\n"
        "  let d = fn(x) when x > 0 do x end\n"
        "  let e = fn 0 -> \"none\" | n when n > 9 -> \"many\" | _ -> \"some\" end\n"
        "  let g = fn (a, b) -> a end\n"
        "end\n",
        "file t.snow\n"
        "  fn f @1:1-8:4\n"
        "    body @2:3-7:29\n"
        "      let a @2:3-2:22\n"
        "        closure @2:11-2:22\n"
        "          clause -> @2:14-2:22\n"
        "            body @2:17-2:18\n"
        "              int 1 @2:17-2:18\n"
        "      let b @3:3-3:22\n"
        "        closure @3:11-3:22\n"
        "          clause do @3:14-3:22\n"
        "            body @3:17-3:18\n"
        "              int 2 @3:17-3:18\n"
        "      let c @4:3-4:31\n"
        "        closure @4:11-4:31\n"
        "          clause -> @4:14-4:27\n"
        "            param x @4:14-4:15\n"
        "            param y @4:17-4:18\n"
        "            body @4:22-4:27\n"
        "              binary + @4:22-4:27\n"
        "                ident x @4:22-4:23\n"
        "                ident y @4:26-4:27\n"
        "      let d @5:3-5:36\n"
        "        closure @5:11-5:36\n"
        "          clause do @5:13-5:36\n"
        "            param x @5:14-5:15\n"
        "            when\n"
        "              binary > @5:22-5:27\n"
        "                ident x @5:22-5:23\n"
        "                int 0 @5:26-5:27\n"
        "            body @5:31-5:32\n"
        "              ident x @5:31-5:32\n"
        "      let e @6:3-6:68\n"
        "        closure @6:11-6:68\n"
        "          clause -> @6:14-6:25\n"
        "            param 0 @6:14-6:15\n"
        "            body @6:19-6:25\n"
        "              string \"none\" @6:19-6:25\n"
        "          clause -> @6:28-6:50\n"
        "            param n @6:28-6:29\n"
        "            when\n"
        "              binary > @6:35-6:40\n"
        "                ident n @6:35-6:36\n"
        "                int 9 @6:39-6:40\n"
        "            body @6:44-6:50\n"
        "              string \"many\" @6:44-6:50\n"
        "          clause -> @6:53-6:64\n"
        "            param _ @6:53-6:54\n"
        "            body @6:58-6:64\n"
        "              string \"some\" @6:58-6:64\n"
        "      let g @7:3-7:29\n"
        "        closure @7:11-7:29\n"
        "          clause -> @7:14-7:25\n"
        "            param a @7:15-7:16\n"
        "            param b @7:18-7:19\n"
        "            body @7:24-7:25\n"
        "              ident a @7:24-7:25\n");
}

Test(lang_parse, pipes_into_calls_with_arguments)
{
    check_dump(
        "fn f(text) = text |> String.split(\" \") |> List.map(fn w -> String.upper(w) end) |> length\n",
        "file t.snow\n"
        "  fn f = @1:1-1:90\n"
        "    param text @1:6-1:10\n"
        "    body @1:14-1:90\n"
        "      binary |> @1:14-1:90\n"
        "        binary |> @1:14-1:80\n"
        "          binary |> @1:14-1:39\n"
        "            ident text @1:14-1:18\n"
        "            call @1:22-1:39\n"
        "              field split @1:22-1:34\n"
        "                ident String @1:22-1:28\n"
        "              string \" \" @1:35-1:38\n"
        "          call @1:43-1:80\n"
        "            field map @1:43-1:51\n"
        "              ident List @1:43-1:47\n"
        "            closure @1:52-1:79\n"
        "              clause -> @1:55-1:75\n"
        "                param w @1:55-1:56\n"
        "                body @1:60-1:75\n"
        "                  call @1:60-1:75\n"
        "                    field upper @1:60-1:72\n"
        "                      ident String @1:60-1:66\n"
        "                    ident w @1:73-1:74\n"
        "        ident length @1:84-1:90\n");
}

Test(lang_parse, method_calls_and_field_access)
{
    check_dump(
        "fn f(p) = p.pos.x + p.label().size + Node.self() + Process.monitor(p)\n",
        "file t.snow\n"
        "  fn f = @1:1-1:70\n"
        "    param p @1:6-1:7\n"
        "    body @1:11-1:70\n"
        "      binary + @1:11-1:70\n"
        "        binary + @1:11-1:49\n"
        "          binary + @1:11-1:35\n"
        "            field x @1:11-1:18\n"
        "              field pos @1:11-1:16\n"
        "                ident p @1:11-1:12\n"
        "            field size @1:21-1:35\n"
        "              call @1:21-1:30\n"
        "                field label @1:21-1:28\n"
        "                  ident p @1:21-1:22\n"
        "          call @1:38-1:49\n"
        "            field self @1:38-1:47\n"
        "              ident Node @1:38-1:42\n"
        "        call @1:52-1:70\n"
        "          field monitor @1:52-1:67\n"
        "            ident Process @1:52-1:59\n"
        "          ident p @1:68-1:69\n");
}

Test(lang_parse, struct_literals_tuples_lists_maps)
{
    check_dump(
        "fn f() do\n"
        "  let p = Point { x: 1, y: 2 }\n"
        "  let q = Geo.Point {\n"
        "    x: 1\n"
        "    y: 2\n"
        "  }\n"
        "  let t = (1, \"a\", (2, 3))\n"
        "  let u = ()\n"
        "  let g = (1,)\n"
        "  let l = [1, 2, 3,]\n"
        "  let m = %{\"a\" => 1, \"b\" => [2]}\n"
        "  let e = %{}\n"
        "end\n",
        "file t.snow\n"
        "  fn f @1:1-13:4\n"
        "    body @2:3-12:14\n"
        "      let p @2:3-2:31\n"
        "        struct @2:11-2:31\n"
        "          ident Point @2:11-2:16\n"
        "          field x @2:19-2:20\n"
        "            int 1 @2:22-2:23\n"
        "          field y @2:25-2:26\n"
        "            int 2 @2:28-2:29\n"
        "      let q @3:3-6:4\n"
        "        struct @3:11-6:4\n"
        "          field Point @3:11-3:20\n"
        "            ident Geo @3:11-3:14\n"
        "          field x @4:5-4:6\n"
        "            int 1 @4:8-4:9\n"
        "          field y @5:5-5:6\n"
        "            int 2 @5:8-5:9\n"
        "      let t @7:3-7:27\n"
        "        tuple @7:11-7:27\n"
        "          int 1 @7:12-7:13\n"
        "          string \"a\" @7:15-7:18\n"
        "          tuple @7:20-7:26\n"
        "            int 2 @7:21-7:22\n"
        "            int 3 @7:24-7:25\n"
        "      let u @8:3-8:13\n"
        "        tuple @8:11-8:13\n"
        "      let g @9:3-9:15\n"
        "        int 1 @9:12-9:13\n"
        "      let l @10:3-10:21\n"
        "        list @10:11-10:21\n"
        "          int 1 @10:12-10:13\n"
        "          int 2 @10:15-10:16\n"
        "          int 3 @10:18-10:19\n"
        "      let m @11:3-11:34\n"
        "        map @11:11-11:34\n"
        "          entry\n"
        "            string \"a\" @11:13-11:16\n"
        "            int 1 @11:20-11:21\n"
        "          entry\n"
        "            string \"b\" @11:23-11:26\n"
        "            list @11:30-11:33\n"
        "              int 2 @11:31-11:32\n"
        "      let e @12:3-12:14\n"
        "        map @12:11-12:14\n");
}

Test(lang_parse, ranges)
{
    check_dump(
        "fn f(n) = 1..n + 1\n",
        "file t.snow\n"
        "  fn f = @1:1-1:19\n"
        "    param n @1:6-1:7\n"
        "    body @1:11-1:19\n"
        "      binary .. @1:11-1:19\n"
        "        int 1 @1:11-1:12\n"
        "        binary + @1:14-1:19\n"
        "          ident n @1:14-1:15\n"
        "          int 1 @1:18-1:19\n");
}

Test(lang_parse, operator_precedence_of_3_7)
{
    check_dump(
        "fn f() do\n"
        "  -x.y\n"
        "  -f(1)?\n"
        "  not a == b\n"
        "  a |> f or g\n"
        "  x |> f() + 1\n"
        "  1 + 2 * 3 - 4 % 5 / 6\n"
        "  a < b < c\n"
        "  a && b || c and d or e\n"
        "  s <> t ++ u\n"
        "  !done\n"
        "end\n",
        "file t.snow\n"
        "  fn f @1:1-12:4\n"
        "    body @2:3-11:8\n"
        "      unary - @2:3-2:7\n"
        "        field y @2:4-2:7\n"
        "          ident x @2:4-2:5\n"
        "      unary - @3:3-3:9\n"
        "        try @3:4-3:9\n"
        "          call @3:4-3:8\n"
        "            ident f @3:4-3:5\n"
        "            int 1 @3:6-3:7\n"
        "      binary == @4:3-4:13\n"
        "        unary not @4:3-4:8\n"
        "          ident a @4:7-4:8\n"
        "        ident b @4:12-4:13\n"
        "      binary |> @5:3-5:14\n"
        "        ident a @5:3-5:4\n"
        "        binary or @5:8-5:14\n"
        "          ident f @5:8-5:9\n"
        "          ident g @5:13-5:14\n"
        "      binary |> @6:3-6:15\n"
        "        ident x @6:3-6:4\n"
        "        binary + @6:8-6:15\n"
        "          call @6:8-6:11\n"
        "            ident f @6:8-6:9\n"
        "          int 1 @6:14-6:15\n"
        "      binary - @7:3-7:24\n"
        "        binary + @7:3-7:12\n"
        "          int 1 @7:3-7:4\n"
        "          binary * @7:7-7:12\n"
        "            int 2 @7:7-7:8\n"
        "            int 3 @7:11-7:12\n"
        "        binary / @7:15-7:24\n"
        "          binary % @7:15-7:20\n"
        "            int 4 @7:15-7:16\n"
        "            int 5 @7:19-7:20\n"
        "          int 6 @7:23-7:24\n"
        "      binary < @8:3-8:12\n"
        "        binary < @8:3-8:8\n"
        "          ident a @8:3-8:4\n"
        "          ident b @8:7-8:8\n"
        "        ident c @8:11-8:12\n"
        "      binary or @9:3-9:25\n"
        "        binary or @9:3-9:20\n"
        "          binary and @9:3-9:9\n"
        "            ident a @9:3-9:4\n"
        "            ident b @9:8-9:9\n"
        "          binary and @9:13-9:20\n"
        "            ident c @9:13-9:14\n"
        "            ident d @9:19-9:20\n"
        "        ident e @9:24-9:25\n"
        "      binary ++ @10:3-10:14\n"
        "        binary <> @10:3-10:9\n"
        "          ident s @10:3-10:4\n"
        "          ident t @10:8-10:9\n"
        "        ident u @10:13-10:14\n"
        "      unary not @11:3-11:8\n"
        "        ident done @11:4-11:8\n");
}

Test(lang_parse, integer_literals_in_every_base)
{
    check_dump(
        "fn f() = [0xFF, 0b101, 0o17, 1_000, 0xFFFFFFFFFFFFFFFF, 9223372036854775807, -9223372036854775808, 0x_ff]\n",
        "file t.snow\n"
        "  fn f = @1:1-1:106\n"
        "    body @1:10-1:106\n"
        "      list @1:10-1:106\n"
        "        int 255 @1:11-1:15\n"
        "        int 5 @1:17-1:22\n"
        "        int 15 @1:24-1:28\n"
        "        int 1000 @1:30-1:35\n"
        "        int -1 @1:37-1:55\n"
        "        int 9223372036854775807 @1:57-1:76\n"
        "        int -9223372036854775808 @1:78-1:98\n"
        "        int 255 @1:100-1:105\n");
}

Test(lang_parse, float_literals)
{
    check_dump(
        "fn f() = [1.5, 2e3, 1_000.5, 3.25e-2, 1E+2]\n",
        "file t.snow\n"
        "  fn f = @1:1-1:44\n"
        "    body @1:10-1:44\n"
        "      list @1:10-1:44\n"
        "        float 1.5 @1:11-1:14\n"
        "        float 2000 @1:16-1:19\n"
        "        float 1000.5 @1:21-1:28\n"
        "        float 0.0325 @1:30-1:37\n"
        "        float 100 @1:39-1:43\n");
}

Test(lang_parse, string_escapes_and_interpolation)
{
    check_dump(
        "fn f(who) = [\"a\\tb\\n\\r\\0\\\\\\\"\\$\", \"\\${x} \\d\", \"hi ${who}!\", \"note: ${\"for ${who}\"} done\", \"\"\"tri \"q\" \"\"\n"
        "\"\"\", \"${%{1 => 2}}\"]\n",
        "file t.snow\n"
        "  fn f = @1:1-2:21\n"
        "    param who @1:6-1:9\n"
        "    body @1:13-2:21\n"
        "      list @1:13-2:21\n"
        "        string \"a\\tb\\n\\r\\0\\\\\\\"$\" @1:14-1:32\n"
        "        string \"${x} \\\\d\" @1:34-1:44\n"
        "        string @1:46-1:58\n"
        "          text \"hi \"\n"
        "          interp\n"
        "            ident who @1:52-1:55\n"
        "          text \"!\"\n"
        "        string @1:60-1:88\n"
        "          text \"note: \"\n"
        "          interp\n"
        "            string @1:69-1:81\n"
        "              text \"for \"\n"
        "              interp\n"
        "                ident who @1:76-1:79\n"
        "          text \" done\"\n"
        "        string \"tri \\\"q\\\" \\\"\\\"\\n\" @1:90-2:4\n"
        "        string @2:6-2:20\n"
        "          interp\n"
        "            map @2:9-2:18\n"
        "              entry\n"
        "                int 1 @2:11-2:12\n"
        "                int 2 @2:16-2:17\n");
}

Test(lang_parse, newlines_inside_delimiters_continue)
{
    check_dump(
        "fn f() do\n"
        "  let words = (text\n"
        "    |> String.split(\" \")\n"
        "    |> List.map(fn w -> w end))\n"
        "  let xs = [\n"
        "    1,\n"
        "    2\n"
        "  ]\n"
        "  foo(a,\n"
        "      b)\n"
        "end\n",
        "file t.snow\n"
        "  fn f @1:1-11:4\n"
        "    body @2:3-10:9\n"
        "      let words @2:3-4:32\n"
        "        binary |> @2:16-4:31\n"
        "          binary |> @2:16-3:25\n"
        "            ident text @2:16-2:20\n"
        "            call @3:8-3:25\n"
        "              field split @3:8-3:20\n"
        "                ident String @3:8-3:14\n"
        "              string \" \" @3:21-3:24\n"
        "          call @4:8-4:31\n"
        "            field map @4:8-4:16\n"
        "              ident List @4:8-4:12\n"
        "            closure @4:17-4:30\n"
        "              clause -> @4:20-4:26\n"
        "                param w @4:20-4:21\n"
        "                body @4:25-4:26\n"
        "                  ident w @4:25-4:26\n"
        "      let xs @5:3-8:4\n"
        "        list @5:12-8:4\n"
        "          int 1 @6:5-6:6\n"
        "          int 2 @7:5-7:6\n"
        "      call @9:3-10:9\n"
        "        ident foo @9:3-9:6\n"
        "        ident a @9:7-9:8\n"
        "        ident b @10:7-10:8\n");
}

Test(lang_parse, semicolons_and_comments)
{
    check_dump(
        "let a = 1; let b = 2 # trailing\n"
        "#= block #= nested =# still =#\n"
        "let c = 3 ;; let d = 4\n"
        "## doc\n"
        "##! module doc\n",
        "file t.snow\n"
        "  let a @1:1-1:10\n"
        "    int 1 @1:9-1:10\n"
        "  let b @1:12-1:21\n"
        "    int 2 @1:20-1:21\n"
        "  let c @3:1-3:10\n"
        "    int 3 @3:9-3:10\n"
        "  let d @3:14-3:23\n"
        "    int 4 @3:22-3:23\n");
}

Test(lang_parse, actor_primitives)
{
    check_dump(
        "fn f(p) do\n"
        "  let me = self()\n"
        "  let pid = spawn(worker, 1, 2)\n"
        "  send(pid, (1, me))\n"
        "  link(pid)\n"
        "  monitor(pid)\n"
        "end\n",
        "file t.snow\n"
        "  fn f @1:1-7:4\n"
        "    param p @1:6-1:7\n"
        "    body @2:3-6:15\n"
        "      let me @2:3-2:18\n"
        "        self() @2:12-2:18\n"
        "      let pid @3:3-3:32\n"
        "        spawn @3:13-3:32\n"
        "          ident worker @3:19-3:25\n"
        "          int 1 @3:27-3:28\n"
        "          int 2 @3:30-3:31\n"
        "      send @4:3-4:21\n"
        "        ident pid @4:8-4:11\n"
        "        tuple @4:13-4:20\n"
        "          int 1 @4:14-4:15\n"
        "          ident me @4:17-4:19\n"
        "      link @5:3-5:12\n"
        "        ident pid @5:8-5:11\n"
        "      monitor @6:3-6:15\n"
        "        ident pid @6:11-6:14\n");
}

Test(lang_parse, top_level_bare_expression)
{
    check_dump(
        "println(\"x\")\n"
        "1 + 2\n",
        "file t.snow\n"
        "  call @1:1-1:13\n"
        "    ident println @1:1-1:8\n"
        "    string \"x\" @1:9-1:12\n"
        "  binary + @2:1-2:6\n"
        "    int 1 @2:1-2:2\n"
        "    int 2 @2:5-2:6\n");
}


/* ================================================================ errors */


Test(lang_parse, trailing_binary_operator_is_expected_expression)
{
    check_errors(
        "fn f() do\n"
        "  let total = base +\n"
        "    extra\n"
        "end\n",
        "2:21: error[P0001]: Parse error: expected expression\n");
}

Test(lang_parse, leading_pipe_on_next_line_is_an_error)
{
    check_errors(
        "fn f() do\n"
        "  let words = text\n"
        "    |> String.split(\" \")\n"
        "end\n",
        "3:5: error[P0001]: Parse error: expected expression\n");
}

Test(lang_parse, missing_end_reports_the_do_opener)
{
    check_errors(
        "fn main() do\n"
        "  println(\"hi\")\n",
        "3:1: error[P0001]: Parse error: expected `end` to close `do` block\n");
}

Test(lang_parse, index_expression_is_rejected_d6)
{
    check_errors(
        "fn f(xs) = xs[0]\n",
        "1:14: error[P0001]: Parse error: index expressions are not supported; use List.get\n");
}

Test(lang_parse, trailing_closure_is_rejected_d7)
{
    check_errors(
        "fn f(xs) do\n"
        "  List.each(xs) do |x| x end\n"
        "end\n",
        "2:17: error[P0001]: Parse error: trailing closures are not supported\n");
}

Test(lang_parse, decimal_literal_out_of_range_d1)
{
    check_errors(
        "let a = 9223372036854775808\n"
        "let b = 99999999999999999999\n"
        "let c = 0x1_0000_0000_0000_0000\n",
        "1:9: error[P0001]: Parse error: integer literal out of range\n"
        "2:9: error[P0001]: Parse error: integer literal out of range\n"
        "3:9: error[P0001]: Parse error: integer literal out of range\n");
}

Test(lang_parse, prefix_without_digits_is_invalid_d1)
{
    check_errors(
        "let a = 0x\n"
        "let b = 0b_\n"
        "let c = 0b102\n",
        "1:9: error[P0001]: Parse error: invalid integer literal\n"
        "2:9: error[P0001]: Parse error: invalid integer literal\n"
        "3:9: error[P0001]: Parse error: invalid integer literal\n");
}

Test(lang_parse, glob_import_is_rejected)
{
    check_errors(
        "from Geo import *\n",
        "1:17: error[P0001]: Parse error: glob imports are not allowed; import names explicitly\n");
}

Test(lang_parse, pub_before_actor_is_rejected)
{
    check_errors(
        "pub actor a() do\n"
        "end\n",
        "1:5: error[P0001]: Parse error: expected `fn`, `module`, `struct`, `interface`, `type`, or `supervisor` after `pub`\n");
}

Test(lang_parse, reserved_keywords_are_errors)
{
    check_errors(
        "let a = trait\n"
        "let b = with\n",
        "1:9: error[P0001]: Parse error: `trait` is a reserved keyword\n"
        "2:9: error[P0001]: Parse error: `with` is a reserved keyword\n");
}

Test(lang_parse, lexical_errors_are_parse_errors)
{
    check_errors(
        "let a = 1 @ 2\n"
        "let b = x & y\n"
        "let c = \"open\n",
        "1:11: error[P0001]: Parse error: unexpected character `@`\n"
        "2:11: error[P0001]: Parse error: unexpected character `&`\n"
        "3:9: error[P0001]: Parse error: unterminated string literal\n");
}

Test(lang_parse, unterminated_block_comment)
{
    check_errors(
        "let a = 1\n"
        "#= never closed\n"
        "let b = 2\n",
        "2:1: error[P0001]: Parse error: unterminated block comment\n");
}

Test(lang_parse, double_option_suffix_is_rejected)
{
    check_errors(
        "let a :: Int?? = 1\n",
        "1:14: error[P0001]: Parse error: only one `?` or `!` suffix is allowed on a type\n");
}

Test(lang_parse, interpolation_in_string_pattern_is_rejected)
{
    check_errors(
        "fn f(x) = case x do\n"
        "  \"a${x}\" -> 1\n"
        "end\n",
        "2:3: error[P0001]: Parse error: string patterns cannot contain interpolation\n");
}

Test(lang_parse, list_patterns_are_rejected)
{
    check_errors(
        "fn f(x) = case x do\n"
        "  [] -> 1\n"
        "end\n",
        "2:3: error[P0001]: Parse error: list patterns are not supported; use `head :: tail`\n");
}

Test(lang_parse, stray_end_at_top_level)
{
    check_errors(
        "end\n"
        "fn ok() = 1\n",
        "1:1: error[P0001]: Parse error: unexpected `end`\n");
}

Test(lang_parse, two_independent_errors_give_two_diagnostics)
{
    check_errors(
        "fn a() do\n"
        "  let x = (1 +)\n"
        "  let y = 2\n"
        "end\n"
        "fn b() do\n"
        "  let z = [1, 2\n"
        "end\n",
        "2:15: error[P0001]: Parse error: expected expression\n"
        "7:1: error[P0001]: Parse error: expected `]`\n");
}

Test(lang_parse, missing_do_does_not_cascade)
{
    check_errors(
        "fn main() do\n"
        "  if x\n"
        "    foo()\n"
        "  end\n"
        "  bar()\n"
        "end\n"
        "fn next() = 1 +\n",
        "2:7: error[P0001]: Parse error: expected `do` after `if` condition\n"
        "7:16: error[P0001]: Parse error: expected expression\n");
}

Test(lang_parse, error_in_case_arm_recovers_at_next_arm)
{
    check_errors(
        "fn f(x) = case x do\n"
        "  1 -> @\n"
        "  2 -> 3 +\n"
        "  _ -> 0\n"
        "end\n",
        "2:8: error[P0001]: Parse error: unexpected character `@`\n"
        "3:11: error[P0001]: Parse error: expected expression\n");
}

Test(lang_parse, errors_in_struct_fields_and_variants)
{
    check_errors(
        "struct S do\n"
        "  a :: Int\n"
        "  5\n"
        "  b :: Int\n"
        "end\n"
        "type T do\n"
        "  A\n"
        "  (B)\n"
        "end\n",
        "3:3: error[P0001]: Parse error: expected field name\n"
        "8:3: error[P0001]: Parse error: expected variant name\n");
}

Test(lang_parse, unknown_supervisor_key)
{
    check_errors(
        "supervisor S do\n"
        "  strategy: one_for_one\n"
        "  restarts_max: 3\n"
        "  child c do\n"
        "    start: fn -> spawn(w) end\n"
        "    stop: now\n"
        "  end\n"
        "end\n",
        "3:3: error[P0001]: Parse error: expected `strategy`, `max_restarts`, `max_seconds` or `child` in `supervisor`\n"
        "6:5: error[P0001]: Parse error: unknown child key `stop`; expected `start`, `restart` or `shutdown`\n");
}

Test(lang_parse, bad_item_members)
{
    check_errors(
        "interface I do\n"
        "  let x = 1\n"
        "end\n"
        "impl I for T do\n"
        "  1 + 1\n"
        "end\n"
        "service S do\n"
        "  x\n"
        "end\n",
        "2:3: error[P0001]: Parse error: expected `fn` method signature in `interface`\n"
        "5:3: error[P0001]: Parse error: expected `fn` definition in `impl` block\n"
        "8:3: error[P0001]: Parse error: expected `fn`, `call` or `cast` in `service`\n");
}

Test(lang_parse, unclosed_paren_reports_the_opener)
{
    check_errors(
        "fn f() do\n"
        "  foo(1, 2\n"
        "end\n",
        "3:1: error[P0001]: Parse error: expected `)`\n");
}

Test(lang_parse, missing_fn_body)
{
    check_errors(
        "fn f(x)\n"
        "fn g() = 1\n",
        "1:8: error[P0001]: Parse error: expected `=` or `do` to start the body of `f`\n");
}

Test(lang_parse, terminate_twice_in_actor)
{
    check_errors(
        "actor a() do\n"
        "  terminate do 1 end\n"
        "  terminate do 2 end\n"
        "end\n",
        "3:3: error[P0001]: Parse error: an actor can have at most one `terminate` clause\n");
}


/* ============================================================ robustness */

/* Counts diagnostics of a parse of src[0..len) and returns the first headline. */
static uint32_t error_count(const char *src, size_t len, char *first, size_t first_len)
{
    compile_t *c = parse_text(src, len);
    uint32_t n = c->diag->count;
    /* The parser's message, without the `Parse error: ` headline prefix. */
    if (first && n)
        snprintf(first, first_len, "%s", c->diag->items[0].headline + strlen("Parse error: "));
    cr_assert_eq(c->diag->errors, n);
    compile_free(c);
    return n;
}

Test(lang_parse, invalid_utf8_is_a_diagnostic)
{
    char first[128];
    const char src[] = "let a = 1\nlet b = \x80\xC3 1\nlet s = \"\xFF\"\nlet c = 3\n";
    cr_assert_eq(error_count(src, sizeof(src) - 1, first, sizeof(first)), 2);
    cr_assert_str_eq(first, "invalid UTF-8 in source");
}

Test(lang_parse, byte_order_mark_is_a_diagnostic)
{
    char first[128];
    const char src[] = "\xEF\xBB\xBF" "fn main() do\n  println(\"hi\")\nend\n";
    cr_assert_eq(error_count(src, sizeof(src) - 1, first, sizeof(first)), 1);
    cr_assert(strstr(first, "byte order mark"), "%s", first);
}

Test(lang_parse, nul_bytes_are_diagnostics)
{
    char first[128];
    const char src[] = "let a = 1\0\nlet b = \"x\0y\"\n";
    cr_assert_eq(error_count(src, sizeof(src) - 1, first, sizeof(first)), 2);
    cr_assert_str_eq(first, "unexpected NUL byte in source");
}

Test(lang_parse, deeply_nested_parentheses_stop_with_one_diagnostic)
{
    size_t n = 100000;
    char *src = malloc(2 * n + 16);
    strcpy(src, "let x = ");
    size_t k = strlen(src);
    memset(src + k, '(', n);
    src[k + n] = '1';
    memset(src + k + n + 1, ')', n);
    src[k + 2 * n + 1] = '\0';
    char first[128];
    cr_assert_eq(error_count(src, strlen(src), first, sizeof(first)), 1);
    cr_assert_str_eq(first, "nesting too deep (more than 256 levels)");
    free(src);
}

Test(lang_parse, deep_nesting_of_every_kind_is_bounded)
{
    const char *units[] = {"[", "if x do ", "fn -> ", "-", "not ", "%{1 => ", "f(", "Some("};
    for (size_t u = 0; u < sizeof(units) / sizeof(*units); u++) {
        size_t ul = strlen(units[u]), n = 20000;
        char *src = malloc(ul * n + 16);
        strcpy(src, "let x = ");
        for (size_t i = 0; i < n; i++)
            memcpy(src + 8 + i * ul, units[u], ul);
        strcpy(src + 8 + n * ul, "1\n");
        char first[128] = "";
        cr_assert_geq(error_count(src, strlen(src), first, sizeof(first)), 1, "%s", units[u]);
        cr_assert_str_eq(first, "nesting too deep (more than 256 levels)", "%s", units[u]);
        free(src);
    }
}

Test(lang_parse, long_operator_chain_is_bounded)
{
    size_t n = 100000;
    char *src = malloc(4 * n + 16);
    strcpy(src, "let x = 1");
    for (size_t i = 0; i < n; i++)
        strcat(src + 8 + i * 4, " + 1");
    char first[128] = "";
    cr_assert_eq(error_count(src, strlen(src), first, sizeof(first)), 1);
    cr_assert_str_eq(first, "nesting too deep (more than 256 levels)");
    free(src);
}

Test(lang_parse, ten_megabyte_file_parses_cleanly, .timeout = 60)
{
    const char *unit = "fn f(x :: Int) -> Int do\n  let y = x * 2 + 1\n  if y > 10 do y else "
                       "List.length([1, 2, 3]) end\nend\n";
    size_t ul = strlen(unit), size = 10u << 20;
    char *src = malloc(size + ul);
    size_t len = 0;
    while (len + ul <= size) {
        memcpy(src + len, unit, ul);
        len += ul;
    }
    compile_t *c = parse_text(src, len);
    cr_assert_eq(c->diag->count, 0);
    cr_assert_eq(c->modules[0].ast->len, len / ul);
    compile_free(c);
    free(src);
}

Test(lang_parse, ten_megabytes_of_garbage_end_in_capped_diagnostics, .timeout = 60)
{
    size_t size = 10u << 20;
    char *src = malloc(size);
    uint32_t x = 12345;
    for (size_t i = 0; i < size; i++) {
        x = x * 1103515245u + 12345u;
        src[i] = (char)(x >> 16);
    }
    compile_t *c = parse_text(src, size);
    cr_assert_eq(c->diag->count, 50); /* PARSE_ERRORS_MAX */
    compile_free(c);
    free(src);
}

Test(lang_parse, errors_stop_after_the_per_file_limit)
{
    char src[4096] = "";
    for (int i = 0; i < 80; i++)
        strcat(src, "let = 1\n");
    compile_t *c = parse_text(src, strlen(src));
    cr_assert_eq(c->diag->count, 50);
    const diag_entry_t *last = &c->diag->items[49];
    cr_assert_eq(last->extra_count, 1);
    cr_assert_str_eq(last->extras[0].text, "too many syntax errors in this file; stopping here");
    compile_free(c);
}

Test(lang_parse, every_prefix_of_a_valid_program_ends_in_diagnostics)
{
    const char *src = "service Stock do\n  fn init(n :: Int) -> Int do n end\n"
                      "  call Take(n :: Int) :: Bool do |u|\n    (u - n, \"${n} ok\")\n  end\nend\n"
                      "fn main() = case Stock.start(1) do\n  Some(x) :: _ when x > 0 -> "
                      "%{1 => [fn a, b -> a end]}\n  _ -> 0\nend\n";
    size_t len = strlen(src);
    for (size_t i = 0; i < len; i++) {
        compile_t *c = parse_text(src, i);
        cr_assert(c->modules[0].ast != NULL);
        compile_free(c);
    }
}

/* =========================================================== front_load */

Test(lang_front, module_names_follow_paths)
{
    interner_t *in = interner_new();
    cr_assert_str_eq(front_module_name(in, "main.snow"), "Main");
    cr_assert_str_eq(front_module_name(in, "util.snow"), "Util");
    cr_assert_str_eq(front_module_name(in, "text_tools.snow"), "TextTools");
    cr_assert_str_eq(front_module_name(in, "geo/shapes.snow"), "Geo.Shapes");
    cr_assert_str_eq(front_module_name(in, "net/http_client/retry_policy.snow"),
                     "Net.HttpClient.RetryPolicy");
    interner_free(in);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    cr_assert(f);
    fputs(text, f);
    fclose(f);
}

Test(lang_front, loads_a_project_directory_recursively)
{
    char dir[] = "/tmp/snow_front_XXXXXX";
    cr_assert(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof(path), "%s/main.snow", dir);
    write_file(path, "fn main() do\n  Shapes.area(1)\nend\n");
    snprintf(path, sizeof(path), "%s/geo", dir);
    mkdir(path, 0700);
    snprintf(path, sizeof(path), "%s/geo/shapes.snow", dir);
    write_file(path, "pub fn area(r) = r * r\n");
    snprintf(path, sizeof(path), "%s/.hidden.snow", dir);
    write_file(path, "this is not parsed\n");
    snprintf(path, sizeof(path), "%s/notes.txt", dir);
    write_file(path, "nor this\n");
    compile_t *c = compile_new();
    cr_assert_eq(front_load(c, dir), 0);
    cr_assert_eq(c->diag->count, 0);
    cr_assert_eq(c->module_count, 2);
    cr_assert_str_eq(c->modules[0].name, "Geo.Shapes");
    cr_assert(!c->modules[0].is_main);
    cr_assert_str_eq(c->modules[1].name, "Main");
    cr_assert(c->modules[1].is_main);
    snprintf(path, sizeof(path), "%s/main.snow", dir);
    cr_assert_str_eq(c->modules[1].path, path);
    cr_assert_eq(c->modules[1].ast->len, 1);
    compile_free(c);
}

Test(lang_front, missing_path_is_f0001)
{
    compile_t *c = compile_new();
    cr_assert_eq(front_load(c, "/nonexistent/snow/dir"), 0);
    cr_assert_eq(diag_error_count(c->diag), 1);
    cr_assert_str_eq(c->diag->items[0].code, "F0001");
    cr_assert_str_eq(c->diag->items[0].headline,
                     "cannot read `/nonexistent/snow/dir`: No such file or directory");
    compile_free(c);
}

Test(lang_front, parse_errors_are_counted_per_file)
{
    compile_t *c = compile_new();
    cr_assert_eq(front_load_text(c, "a.snow", "A", "let = 1\nlet = 2\n", 16), 2);
    cr_assert_eq(front_load_text(c, "b.snow", "B", "let x = 1\n", 10), 0);
    cr_assert_eq(c->module_count, 2);
    cr_assert_eq(diag_error_count(c->diag), 2);
    compile_free(c);
}

/* ========================================================== separators */

Test(lang_parse, statements_may_share_a_line_as_in_v5)
{
    /* A statement ends where its expression cannot continue (1.2), on any
     * line, so programs v5.0 accepted keep parsing (decisions.md rule 1). */
    check_dump("fn main() do println(\"a\") println(\"b\") end\n"
               "fn f(a) = case a do 1 -> 2 3 -> 4 end\n",
               "file t.snow\n"
               "  fn main @1:1-1:43\n"
               "    body @1:14-1:39\n"
               "      call @1:14-1:26\n"
               "        ident println @1:14-1:21\n"
               "        string \"a\" @1:22-1:25\n"
               "      call @1:27-1:39\n"
               "        ident println @1:27-1:34\n"
               "        string \"b\" @1:35-1:38\n"
               "  fn f = @2:1-2:38\n"
               "    param a @2:6-2:7\n"
               "    body @2:11-2:38\n"
               "      case @2:11-2:38\n"
               "        ident a @2:16-2:17\n"
               "        arm 1 @2:21-2:27\n"
               "          int 2 @2:26-2:27\n"
               "        arm 3 @2:28-2:34\n"
               "          int 4 @2:33-2:34\n");
}

Test(lang_parse, statements_inside_delimiters_need_no_separator)
{
    /* 1.2: a do-block inside call parentheses still works; its statement
     * boundaries come from the tokens themselves. */
    check_errors("fn f() = List.map(xs, fn x do let y = x * 2 y + 1 end)\n"
                 "fn g() = run(fn do\n  a()\n  b()\nend)\n",
                 "");
}

/* ============================================================ slow paths */

Test(lang_parse, many_unclosed_blocks_in_a_large_file_stay_linear, .timeout = 60)
{
    /* 300 nested `if` blocks (past the nesting limit) and then a million
     * statements, never closed: recovery must not rescan the file once per
     * open block. */
    size_t n = 1000000;
    const char *head = "fn main() do\n";
    char *src = malloc(strlen(head) + 300 * 8 + n * 10 + 1);
    strcpy(src, head);
    size_t len = strlen(head);
    for (int i = 0; i < 300; i++, len += 8)
        memcpy(src + len, "if x do\n", 8);
    for (size_t i = 0; i < n; i++, len += 10)
        memcpy(src + len, "let a = 1\n", 10);
    compile_t *c = parse_text(src, len);
    cr_assert_eq(c->diag->count, 2);
    cr_assert_str_eq(c->diag->items[0].label, "nesting too deep (more than 256 levels)");
    cr_assert_str_eq(c->diag->items[1].label, "expected `end` to close `do` block");
    compile_free(c);
    free(src);
}

Test(lang_parse, unclosed_parentheses_restart_at_the_next_item, .timeout = 60)
{
    check_errors("fn f() do\n  let x = (1 +\nend\nfn g() = 1\nfn h() = (2\n",
                 "3:1: error[P0001]: Parse error: expected expression\n"
                 "6:1: error[P0001]: Parse error: expected `)`\n");
}

Test(lang_parse, missing_value_before_a_new_statement_keeps_that_statement)
{
    /* The recovery that reads the next line as the missing expression must
     * not swallow a `let` or an item. */
    compile_t *c = parse_text("let x =\nlet y = 2\nfn f() = 1 +\nfn g() = 2\n", 42);
    char *diags = diags_of(c);
    cr_assert_str_eq(diags, "1:8: error[P0001]: Parse error: expected expression\n"
                            "3:13: error[P0001]: Parse error: expected expression\n");
    cr_assert_eq(c->modules[0].ast->len, 4);
    cr_assert_eq(c->modules[0].ast->items[1]->kind, AST_STMT_LET);
    cr_assert_eq(c->modules[0].ast->items[3]->kind, AST_STMT_ITEM);
    free(diags);
    compile_free(c);
}

Test(lang_parse, brace_blocks_get_a_do_end_hint)
{
    const char *src = "fn main() do\n  if x > 1 {\n    println(1)\n  }\n  while go() { 1 }\nend\n"
                      "fn ok(p) = if p == Point { x: 1 } do 1 else 2 end\n";
    compile_t *c = parse_text(src, strlen(src));
    char *diags = diags_of(c);
    cr_assert_str_eq(diags, "2:12: error[P0001]: Parse error: expected `do` after `if` condition\n"
                            "5:14: error[P0001]: Parse error: expected `do` after `while` condition\n");
    cr_assert_eq(c->diag->items[0].extra_count, 1);
    cr_assert_str_eq(c->diag->items[0].extras[0].text,
                     "blocks are written `do ... end`, not with braces");
    free(diags);
    compile_free(c);
}
