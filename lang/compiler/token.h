/* token.h: Snow token kinds (language.md 1.5-1.8).
 *
 * Keywords are listed in one block between TOK_KW_FIRST and TOK_KW_LAST in
 * alphabetical order; token.c keeps their spellings in the same order
 * (grep "ORDER TOK").
 */
#ifndef SNOW_LANG_COMPILER_TOKEN_H
#define SNOW_LANG_COMPILER_TOKEN_H

#include <stddef.h>
#include <stdint.h>

/* ORDER TOK */
typedef enum {
    TOK_EOF,
    TOK_ERROR,   /* lexical error; aux holds a lex_error_t */
    TOK_NEWLINE,
    TOK_IDENT,
    TOK_INT,
    TOK_FLOAT,
    TOK_STRING_START,   /* `"` or `"""`; aux = 1 for triple */
    TOK_STRING_CONTENT, /* raw bytes between delimiters/interpolations (escapes not decoded) */
    TOK_INTERP_START,   /* `${` */
    TOK_INTERP_END,     /* the `}` closing an interpolation */
    TOK_STRING_END,
    /* operators and punctuation */
    TOK_PLUS,       /* + */
    TOK_MINUS,      /* - */
    TOK_STAR,       /* * */
    TOK_SLASH,      /* / */
    TOK_PERCENT,    /* % */
    TOK_EQEQ,       /* == */
    TOK_NE,         /* != */
    TOK_LT,         /* < */
    TOK_GT,         /* > */
    TOK_LE,         /* <= */
    TOK_GE,         /* >= */
    TOK_ANDAND,     /* && */
    TOK_OROR,       /* || */
    TOK_BANG,       /* ! */
    TOK_PIPE,       /* |> */
    TOK_DOTDOT,     /* .. */
    TOK_CONCAT,     /* <> */
    TOK_PLUSPLUS,   /* ++ */
    TOK_EQ,         /* = */
    TOK_ARROW,      /* -> */
    TOK_FATARROW,   /* => */
    TOK_COLONCOLON, /* :: */
    TOK_QUESTION,   /* ? */
    TOK_BAR,        /* | */
    TOK_LPAREN,
    TOK_RPAREN,
    TOK_LBRACKET,
    TOK_RBRACKET,
    TOK_LBRACE,
    TOK_RBRACE,
    TOK_MAP_OPEN,   /* %{ */
    TOK_COMMA,
    TOK_DOT,
    TOK_COLON,
    TOK_SEMI,
    /* keywords, alphabetical (language.md 1.5) */
    TOK_KW_ACTOR,
    TOK_KW_AFTER,
    TOK_KW_ALIAS,
    TOK_KW_AND,
    TOK_KW_BREAK,
    TOK_KW_CALL,
    TOK_KW_CASE,
    TOK_KW_CAST,
    TOK_KW_COND,
    TOK_KW_CONTINUE,
    TOK_KW_DEF,
    TOK_KW_DO,
    TOK_KW_ELSE,
    TOK_KW_END,
    TOK_KW_FALSE,
    TOK_KW_FN,
    TOK_KW_FOR,
    TOK_KW_IF,
    TOK_KW_IMPL,
    TOK_KW_IMPORT,
    TOK_KW_IN,
    TOK_KW_INTERFACE,
    TOK_KW_LET,
    TOK_KW_LINK,
    TOK_KW_MATCH,
    TOK_KW_MODULE,
    TOK_KW_MONITOR,
    TOK_KW_NIL,
    TOK_KW_NOT,
    TOK_KW_OR,
    TOK_KW_PUB,
    TOK_KW_RECEIVE,
    TOK_KW_RETURN,
    TOK_KW_SELF,
    TOK_KW_SEND,
    TOK_KW_SERVICE,
    TOK_KW_SPAWN,
    TOK_KW_STRUCT,
    TOK_KW_SUPERVISOR,
    TOK_KW_TERMINATE,
    TOK_KW_TRAIT,
    TOK_KW_TRAP,
    TOK_KW_TRUE,
    TOK_KW_TYPE,
    TOK_KW_WHEN,
    TOK_KW_WHERE,
    TOK_KW_WHILE,
    TOK_KW_WITH,
    /* Only from lex_tokens_trivia (for tools such as a formatter); aux is a
     * lex_comment_t. The parser never sees comments. */
    TOK_COMMENT,
    TOK_COUNT
} tok_kind_t;

typedef enum {
    LEX_COMMENT_LINE,    /* # text */
    LEX_COMMENT_DOC,     /* ## text */
    LEX_COMMENT_MODULE,  /* ##! text */
    LEX_COMMENT_BLOCK,   /* #= text =# (nestable) */
} lex_comment_t;

#define TOK_KW_FIRST TOK_KW_ACTOR
#define TOK_KW_LAST TOK_KW_WITH

/* Lexical errors (language.md 1.9), carried in token.aux of TOK_ERROR. */
typedef enum {
    LEX_ERR_CHAR,            /* a character that cannot start a token */
    LEX_ERR_UTF8,            /* invalid UTF-8 byte sequence */
    LEX_ERR_BOM,             /* U+FEFF byte order mark (1.1: an invalid character) */
    LEX_ERR_NUL,             /* a NUL byte in the source */
    LEX_ERR_UNTERMINATED_STRING,
    LEX_ERR_UNTERMINATED_COMMENT,
    LEX_ERR_UNTERMINATED_INTERP, /* EOF inside ${ ... } */
} lex_error_t;

/* A token: a byte range of its file plus a kind. Values (numbers, decoded
 * strings, names) are computed by the parser from the bytes. 12 bytes, so a
 * 200,000-line file's tokens fit comfortably in memory. */
typedef struct {
    uint8_t kind;    /* tok_kind_t */
    uint8_t nl_before; /* a NEWLINE token or the start of file precedes this token */
    uint16_t aux;    /* STRING_START: 1 if triple-quoted; ERROR: lex_error_t */
    uint32_t start;
    uint32_t end;
} token_t;

/* Human spelling for messages: "`end`", "identifier", "end of file". */
const char *token_describe(tok_kind_t kind);

/* Keyword kind for text[0..len), or TOK_IDENT if it is not a keyword. */
tok_kind_t token_keyword(const char *text, size_t len);

/* Message for a lexical error. */
const char *token_error_message(lex_error_t err);

#endif
