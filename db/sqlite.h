/* sqlite.h: the SQLite driver under Sqlite.* (services.md 4; D111, D119,
 * D121-D124), in plain C with no Snow values: db/snow_sqlite.c turns its
 * results into Snow values.
 *
 * A connection (db_sqlite_t) is a C object shared by every process that
 * holds a copy of its Snow handle. It is never freed: closing releases the
 * SQLite database and marks it closed (D111), and the small struct stays on
 * a global list so a stale handle always finds a valid, closed object.
 * Every operation takes the connection's mutex for its whole run, so calls
 * on one connection are serialised (D119) whichever threads make them.
 *
 * Every function here blocks (file I/O, the 5000 ms busy timeout of D123):
 * call them on a blocking-pool thread when the caller is a scheduled
 * process (db_sqlite_call_run is a kern_pool_fn), directly otherwise. */
#ifndef SNOW_DB_SQLITE_H
#define SNOW_DB_SQLITE_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

struct sqlite3;

#define DB_SQLITE_BUSY_TIMEOUT_MS 5000 /* D123 */
#define DB_SQLITE_ERROR_MAX 512        /* error texts are cut to this (bytes, with NUL) */

typedef struct db_sqlite_t {
    pthread_mutex_t _mu;
    struct sqlite3 *_db; /* NULL once closed; guarded by _mu */
    struct db_sqlite_t *_next; /* the global list of every connection */
} db_sqlite_t;

/* A borrowed byte range (a Snow string's bytes). */
typedef struct db_sqlite_text_t {
    const char *bytes;
    size_t len;
} db_sqlite_text_t;

typedef enum db_sqlite_kind_t {
    DB_SQLITE_OPEN,     /* path -> conn */
    DB_SQLITE_CLOSE,    /* conn */
    DB_SQLITE_EXECUTE,  /* conn, sql, params -> changes */
    DB_SQLITE_QUERY,    /* conn, sql, params -> rows */
    DB_SQLITE_BEGIN,    /* conn */
    DB_SQLITE_COMMIT,   /* conn */
    DB_SQLITE_ROLLBACK, /* conn */
} db_sqlite_kind_t;

/* Query results: col_count names, then row_count * col_count cells, row by
 * row, as (offset, length) items into one byte buffer. Names and values are
 * SQLite's bytes, not yet checked as UTF-8 (D55 is the caller's). NULL is
 * an empty cell (D120). */
typedef struct db_sqlite_rows_t {
    uint32_t col_count;
    size_t row_count;
    char *_buf;
    size_t _buf_len, _buf_cap;
    size_t *_items; /* 2 words per item: offset, length */
    size_t _item_count, _item_cap;
} db_sqlite_rows_t;

/* One operation: the caller fills the inputs, db_sqlite_call_run fills the
 * outputs. Inputs are borrowed for the run. */
typedef struct db_sqlite_call_t {
    db_sqlite_kind_t kind;
    db_sqlite_t *conn;              /* every kind but OPEN */
    db_sqlite_text_t path;          /* OPEN */
    db_sqlite_text_t sql;           /* EXECUTE, QUERY */
    const db_sqlite_text_t *params; /* EXECUTE, QUERY: element k binds ?k+1 */
    size_t param_count;
    /* outputs */
    db_sqlite_t *opened; /* OPEN */
    int64_t changes;     /* EXECUTE (D122) */
    db_sqlite_rows_t rows; /* QUERY; release with db_sqlite_call_destroy */
    char error[DB_SQLITE_ERROR_MAX]; /* the Err text when run returned -1 */
} db_sqlite_call_t;

/* Runs call (a kern_pool_fn): returns 0 on success, -1 with call->error
 * set to the spec's text (`connection is closed`, `SQL contains null byte`,
 * `multiple statements are not supported`, SQLite's message, ...). CLOSE
 * always returns 0 (closing a closed connection does nothing, D111). Any
 * thread; serialised per connection. */
int db_sqlite_call_run(void *call);

/* Frees what a QUERY call's rows own; call itself stays the caller's. */
void db_sqlite_call_destroy(db_sqlite_call_t *call);

/* Item i of rows (i < col_count: column name i; then the cells). */
static inline db_sqlite_text_t db_sqlite_rows_item(const db_sqlite_rows_t *rows, size_t i)
{
    db_sqlite_text_t t = {rows->_buf + rows->_items[2 * i], rows->_items[2 * i + 1]};
    return t;
}

#endif
