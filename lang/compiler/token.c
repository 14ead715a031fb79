/* token.c: token spellings and keyword lookup (token.h). */
#include "lang/compiler/token.h"

#include <string.h>

/* ORDER TOK: one entry per tok_kind_t, same order. */
static const char *const tok_names[TOK_COUNT] = {
    "end of file", "invalid token", "newline", "identifier", "integer", "float",
    "string", "string content", "`${`", "`}`", "end of string",
    "`+`", "`-`", "`*`", "`/`", "`%`", "`==`", "`!=`", "`<`", "`>`", "`<=`", "`>=`",
    "`&&`", "`||`", "`!`", "`|>`", "`..`", "`<>`", "`++`", "`=`", "`->`", "`=>`", "`::`",
    "`?`", "`|`", "`(`", "`)`", "`[`", "`]`", "`{`", "`}`", "`%{`", "`,`", "`.`", "`:`",
    "`;`",
    "`actor`", "`after`", "`alias`", "`and`", "`break`", "`call`", "`case`", "`cast`",
    "`cond`", "`continue`", "`def`", "`do`", "`else`", "`end`", "`false`", "`fn`", "`for`",
    "`if`", "`impl`", "`import`", "`in`", "`interface`", "`let`", "`link`", "`match`",
    "`module`", "`monitor`", "`nil`", "`not`", "`or`", "`pub`", "`receive`", "`return`",
    "`self`", "`send`", "`service`", "`spawn`", "`struct`", "`supervisor`", "`terminate`",
    "`trait`", "`trap`", "`true`", "`type`", "`when`", "`where`", "`while`", "`with`",
    "comment",
};

/* ORDER TOK: length of each keyword, same order as the keyword block. */
static const uint8_t kw_lens[] = {5, 5, 5, 3, 5, 4, 4, 4, 4, 8, 3, 2, 4, 3, 5, 2, 3, 2, 4, 6, 2, 9, 3, 4, 5, 6, 7, 3, 3, 2, 3, 7, 6, 4, 4, 7, 5, 6, 10, 9, 5, 4, 4, 4, 4, 5, 5, 4};

_Static_assert(sizeof(kw_lens) == TOK_KW_LAST - TOK_KW_FIRST + 1, "one length per keyword");
_Static_assert(TOK_KW_LAST - TOK_KW_FIRST + 1 == 48, "language.md 1.5 lists 48 keywords");

const char *token_describe(tok_kind_t kind)
{
    return kind < TOK_COUNT ? tok_names[kind] : "token";
}

tok_kind_t token_keyword(const char *text, size_t len)
{
    if (len < 2 || len > 10 || text[0] < 'a' || text[0] > 'w')
        return TOK_IDENT;
    /* Binary search over the alphabetical keyword block; names are stored
     * with backticks, so compare against name + 1. */
    int lo = TOK_KW_FIRST, hi = TOK_KW_LAST;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        const char *kw = tok_names[mid] + 1;
        size_t kwlen = kw_lens[mid - TOK_KW_FIRST];
        size_t n = len < kwlen ? len : kwlen;
        int c = memcmp(text, kw, n);
        if (c == 0)
            c = len < kwlen ? -1 : len > kwlen ? 1 : 0;
        if (c == 0)
            return (tok_kind_t)mid;
        if (c < 0)
            hi = mid - 1;
        else
            lo = mid + 1;
    }
    return TOK_IDENT;
}

const char *token_error_message(lex_error_t err)
{
    switch (err) {
    case LEX_ERR_CHAR: return "unexpected character";
    case LEX_ERR_UTF8: return "invalid UTF-8 in source";
    case LEX_ERR_BOM: return "unexpected byte order mark (U+FEFF); save the file as UTF-8 without BOM";
    case LEX_ERR_NUL: return "unexpected NUL byte in source";
    case LEX_ERR_UNTERMINATED_STRING: return "unterminated string literal";
    case LEX_ERR_UNTERMINATED_COMMENT: return "unterminated block comment";
    case LEX_ERR_UNTERMINATED_INTERP: return "unterminated string interpolation";
    }
    return "invalid token";
}
