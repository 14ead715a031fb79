/* test_lex.c: the lexer (lang/compiler/lex.c; language.md 1, D1-D3). */
#include <criterion/criterion.h>
#include <string.h>

#include "lang/compiler/lex.h"

/* Lexes src and returns the kinds (without the final EOF) as a string of
 * token spellings separated by spaces, for exact comparison. */
static char *kinds(const char *src)
{
    static char buf[4096];
    lex_tokens_t t = lex_tokens(src, (uint32_t)strlen(src));
    buf[0] = '\0';
    for (uint32_t i = 0; i < t.len; i++) {
        if (t.items[i].kind == TOK_EOF)
            break;
        if (i)
            strcat(buf, " ");
        strcat(buf, token_describe((tok_kind_t)t.items[i].kind));
    }
    lex_tokens_free(&t);
    return buf;
}

Test(lang_lex, keywords_and_identifiers)
{
    cr_assert_str_eq(kinds("fn main do end"), "`fn` identifier `do` `end`");
    cr_assert_str_eq(kinds("from deriving Fun"), "identifier identifier identifier");
    cr_assert_str_eq(kinds("alias trait trap with cond"),
                     "`alias` `trait` `trap` `with` `cond`");
    cr_assert_str_eq(kinds("größe 数 _x"), "identifier identifier identifier");
}

Test(lang_lex, keyword_table_is_complete)
{
    /* language.md 1.5: 48 reserved words, each its own kind. */
    const char *words[] = {"actor", "after", "alias", "and", "break", "call", "case", "cast",
                           "cond", "continue", "def", "do", "else", "end", "false", "fn",
                           "for", "if", "impl", "import", "in", "interface", "let", "link",
                           "match", "module", "monitor", "nil", "not", "or", "pub", "receive",
                           "return", "self", "send", "service", "spawn", "struct",
                           "supervisor", "terminate", "trait", "trap", "true", "type", "when",
                           "where", "while", "with"};
    for (size_t i = 0; i < sizeof(words) / sizeof(*words); i++)
        cr_assert_eq(token_keyword(words[i], strlen(words[i])), TOK_KW_FIRST + (int)i, "%s",
                     words[i]);
    cr_assert_eq(token_keyword("ends", 4), TOK_IDENT);
    cr_assert_eq(token_keyword("d", 1), TOK_IDENT);
}

Test(lang_lex, operators_longest_match)
{
    cr_assert_str_eq(kinds("<= < |> | :: : .. . => == = -> - ++ + <> != ! && || %{ %"),
                     "`<=` `<` `|>` `|` `::` `:` `..` `.` `=>` `==` `=` `->` `-` `++` `+` `<>` "
                     "`!=` `!` `&&` `||` `%{` `%`");
    cr_assert_str_eq(kinds("List<List<Int>>"),
                     "identifier `<` identifier `<` identifier `>` `>`");
}

Test(lang_lex, numbers_in_every_base)
{
    cr_assert_str_eq(kinds("0xFF 0b101 0o17 1_000 1.5 2e3 1e-3"),
                     "integer integer integer integer float float float");
    /* 1.6.2: `.` makes a float only before a digit. */
    cr_assert_str_eq(kinds("1..5"), "integer `..` integer");
    cr_assert_str_eq(kinds("3.x"), "integer `.` identifier");
}

Test(lang_lex, newlines_collapse_and_comments_vanish)
{
    cr_assert_str_eq(kinds("a\n\n\r\nb"), "identifier newline identifier");
    cr_assert_str_eq(kinds("a # comment\nb"), "identifier newline identifier");
    cr_assert_str_eq(kinds("a #= x #= nested =# y =# b"), "identifier identifier");
    cr_assert_str_eq(kinds("a #= line1\nline2 =# b"), "identifier identifier");
    cr_assert_str_eq(kinds("## doc\n##! mod\nx"), "newline identifier");
}

Test(lang_lex, strings_and_interpolation)
{
    cr_assert_str_eq(kinds("\"hi\""), "string string content end of string");
    cr_assert_str_eq(kinds("\"\""), "string end of string");
    cr_assert_str_eq(kinds("\"a${x}b\""),
                     "string string content `${` identifier `}` string content end of string");
    /* Nested strings inside interpolations (1.6.4). */
    cr_assert_str_eq(kinds("\"${\"in${y}\"}\""),
                     "string `${` string string content `${` identifier `}` end of string "
                     "`}` end of string");
    /* Braces inside an interpolation are balanced. */
    cr_assert_str_eq(kinds("\"${%{1 => 2}}\""),
                     "string `${` `%{` integer `=>` integer `}` `}` end of string");
    cr_assert_str_eq(kinds("\"\"\"a \"quoted\" b\"\"\""),
                     "string string content end of string");
    cr_assert_str_eq(kinds("\"\\\"x\\${y}\""), "string string content end of string");
}

Test(lang_lex, errors_are_tokens)
{
    cr_assert_str_eq(kinds("a @ b"), "identifier invalid token identifier");
    cr_assert_str_eq(kinds("a & b"), "identifier invalid token identifier");
    cr_assert_str_eq(kinds("\"open"), "string string content invalid token");
    cr_assert_str_eq(kinds("#= never closed"), "invalid token");
    cr_assert_str_eq(kinds("\xEF\xBB\xBF" "x"), "invalid token identifier");
    cr_assert_str_eq(kinds("\xff x"), "invalid token identifier");
}

Test(lang_lex, error_kinds_and_spans)
{
    const char *src = "x = \"abc";
    lex_tokens_t t = lex_tokens(src, (uint32_t)strlen(src));
    cr_assert_eq(t.items[t.len - 2].kind, TOK_ERROR);
    cr_assert_eq(t.items[t.len - 2].aux, LEX_ERR_UNTERMINATED_STRING);
    cr_assert_eq(t.items[t.len - 2].start, 4); /* points at the opening quote */
    lex_tokens_free(&t);
    const char bom[] = "\xEF\xBB\xBF" "fn";
    t = lex_tokens(bom, 5);
    cr_assert_eq(t.items[0].aux, LEX_ERR_BOM);
    cr_assert_eq(t.items[0].end, 3);
    lex_tokens_free(&t);
    const char nul[] = {'a', 0, 'b'};
    t = lex_tokens(nul, 3);
    cr_assert_eq(t.items[1].kind, TOK_ERROR);
    cr_assert_eq(t.items[1].aux, LEX_ERR_NUL);
    lex_tokens_free(&t);
}

Test(lang_lex, token_spans_are_byte_offsets)
{
    const char *src = "let x = 10";
    lex_tokens_t t = lex_tokens(src, (uint32_t)strlen(src));
    cr_assert_eq(t.len, 5);
    cr_assert_eq(t.items[3].kind, TOK_INT);
    cr_assert_eq(t.items[3].start, 8);
    cr_assert_eq(t.items[3].end, 10);
    cr_assert_eq(t.items[4].kind, TOK_EOF);
    cr_assert_eq(t.items[4].start, 10);
    lex_tokens_free(&t);
}

Test(lang_lex, utf8_decoder_rejects_bad_sequences)
{
    uint32_t cp;
    cr_assert_eq(lex_utf8_decode((const unsigned char *)"\xC3\xA9", 2, &cp), 2);
    cr_assert_eq(cp, 0xE9);
    cr_assert_eq(lex_utf8_decode((const unsigned char *)"\xC0\x80", 2, &cp), 0); /* overlong */
    cr_assert_eq(lex_utf8_decode((const unsigned char *)"\xED\xA0\x80", 3, &cp), 0); /* surrogate */
    cr_assert_eq(lex_utf8_decode((const unsigned char *)"\xE2\x82", 2, &cp), 0); /* truncated */
    cr_assert_eq(lex_utf8_decode((const unsigned char *)"\xF4\x90\x80\x80", 4, &cp), 0);
}

Test(lang_lex, trivia_mode_keeps_comments_and_blank_lines)
{
    const char *src = "##! module\n# line\nx = 1 #= block #= nested =# =#\n\n## doc\nfn";
    lex_tokens_t t = lex_tokens_trivia(src, (uint32_t)strlen(src));
    const tok_kind_t want[] = {TOK_COMMENT, TOK_NEWLINE, TOK_COMMENT, TOK_NEWLINE, TOK_IDENT,
                               TOK_EQ, TOK_INT, TOK_COMMENT, TOK_NEWLINE, TOK_NEWLINE,
                               TOK_COMMENT, TOK_NEWLINE, TOK_KW_FN, TOK_EOF};
    cr_assert_eq(t.len, sizeof(want) / sizeof(*want));
    for (uint32_t i = 0; i < t.len; i++)
        cr_assert_eq(t.items[i].kind, want[i], "token %u", i);
    cr_assert_eq(t.items[0].aux, LEX_COMMENT_MODULE);
    cr_assert_eq(t.items[2].aux, LEX_COMMENT_LINE);
    cr_assert_eq(t.items[7].aux, LEX_COMMENT_BLOCK);
    cr_assert_eq(t.items[10].aux, LEX_COMMENT_DOC);
    /* The block comment spans exactly its text; a line comment stops before
     * the line break. */
    cr_assert_eq(t.items[7].end - t.items[7].start, strlen("#= block #= nested =# =#"));
    cr_assert_eq(t.items[2].end - t.items[2].start, strlen("# line"));
    cr_assert(t.items[2].nl_before);
    cr_assert(!t.items[7].nl_before);
    lex_tokens_free(&t);
    /* The parser's mode drops all of it. */
    cr_assert_str_eq(kinds(src), "newline identifier `=` integer newline `fn`");
}
