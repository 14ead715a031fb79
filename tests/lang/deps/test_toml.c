/* test_toml.c: the snow.toml reader (toml.h). */
#include <criterion/criterion.h>
#include <string.h>

#include "lang/compiler/toml.h"

static toml_value_t *parse(const char *text, char *err, size_t err_size)
{
    return toml_parse(text, strlen(text), err, err_size);
}

Test(lang_toml, tables_keys_and_values)
{
    char err[128];
    toml_value_t *doc = parse("top = 1\n[package]\nname = \"app\" # c\n'q k' = 'lit\\n'\n"
                              "n = -1_000\nok = true\nxs = [\"a\",\n \"b\", ]\n"
                              "[dependencies]\nd = { path = \"../d\", tag = \"v1\" }\n",
                              err, sizeof err);
    cr_assert_not_null(doc, "%s", err);
    cr_expect_eq(toml_get(doc, "top")->num, 1);
    const toml_value_t *pkg = toml_get(doc, "package");
    cr_assert_eq(pkg->kind, TOML_TABLE);
    cr_expect_str_eq(toml_get(pkg, "name")->str, "app");
    cr_expect_str_eq(toml_get(pkg, "q k")->str, "lit\\n");
    cr_expect_eq(toml_get(pkg, "n")->num, -1000);
    cr_expect(toml_get(pkg, "ok")->flag);
    const toml_value_t *xs = toml_get(pkg, "xs");
    cr_assert_eq(xs->item_count, 2);
    cr_expect_str_eq(xs->items[1]->str, "b");
    const toml_value_t *d = toml_get(toml_get(doc, "dependencies"), "d");
    cr_expect_str_eq(toml_get(d, "path")->str, "../d");
    cr_expect_str_eq(toml_get(d, "tag")->str, "v1");
    cr_expect_null(toml_get(d, "rev"));
    toml_free(doc);
}

Test(lang_toml, string_escapes)
{
    char err[128];
    toml_value_t *doc = parse("s = \"a\\\"b\\\\c\\td\\u00e9\\U0001F600\"\n", err, sizeof err);
    cr_assert_not_null(doc, "%s", err);
    cr_expect_str_eq(toml_get(doc, "s")->str, "a\"b\\c\td\xc3\xa9\xf0\x9f\x98\x80");
    toml_free(doc);
}

Test(lang_toml, errors_name_the_line)
{
    static const struct {
        const char *text;
        const char *err;
    } cases[] = {
        {"a = \"open\n", "line 1: unterminated string"},
        {"a = 1\na = 2\n", "line 2: duplicate key 'a'"},
        {"[t]\n[t]\n", "line 2: duplicate key 't'"},
        {"x = 1.5\n", "line 1: unsupported value '1.5'"},
        {"[[a]]\n", "line 1: arrays of tables are not supported"},
        {"a.b = 1\n", "line 1: dotted keys are not supported"},
        {"a = 1 2\n", "line 1: unexpected text after value"},
        {"a = \"\"\"x\"\"\"\n", "line 1: multi-line strings are not supported"},
        {"a = \"\\q\"\n", "line 1: invalid escape sequence in string"},
        {"a = [1,\n2\n", "line 3: expected ',' or ']' in array"},
        {"= 1\n", "line 1: expected a key"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char err[128] = "";
        toml_value_t *doc = parse(cases[i].text, err, sizeof err);
        cr_expect_null(doc, "accepted: %s", cases[i].text);
        cr_expect_str_eq(err, cases[i].err, "for: %s", cases[i].text);
        toml_free(doc);
    }
}

Test(lang_toml, nesting_is_limited)
{
    char text[256], err[128];
    memset(text, '[', 100);
    strcpy(text, "a = ");
    memset(text + 4, '[', 100);
    text[104] = '\0';
    cr_expect_null(parse(text, err, sizeof err));
    cr_expect_str_eq(err, "line 1: values nest too deeply");
}
