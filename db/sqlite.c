/* sqlite.c: the SQLite driver (services.md 4; D111, D119, D121-D124).
 *
 * Each operation runs whole under the connection's mutex: prepare one
 * statement, refuse anything after it but whitespace, comments and `;`
 * (D121), bind every parameter as TEXT by index, step, copy what the
 * caller needs into C memory, finalize. Nothing here touches a Snow heap,
 * so it can run on a blocking-pool thread while the calling process is
 * parked (db/snow_sqlite.c). */
#include "db/sqlite.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "kernel/alloc.h"

/* Every connection ever opened, so none is ever unreachable (a Snow handle
 * is a plain word the collector and LeakSanitizer cannot follow). */
static pthread_mutex_t conns_mu = PTHREAD_MUTEX_INITIALIZER;
static db_sqlite_t *conns_head;

static int fail(db_sqlite_call_t *call, const char *msg)
{
    if (!msg || !*msg)
        msg = "unknown SQLite error";
    snprintf(call->error, sizeof call->error, "%s", msg);
    return -1;
}

static int fail_db(db_sqlite_call_t *call, sqlite3 *db)
{
    return fail(call, db ? sqlite3_errmsg(db) : NULL);
}

/* {====== Open and close */

static int run_open(db_sqlite_call_t *call)
{
    if (memchr(call->path.bytes, 0, call->path.len))
        return fail(call, "path contains null byte");
    char *path = kern_alloc(call->path.len + 1);
    memcpy(path, call->path.bytes, call->path.len);
    path[call->path.len] = 0;
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    kern_free(path);
    if (rc != SQLITE_OK) {
        fail_db(call, db);
        sqlite3_close_v2(db);
        return -1;
    }
    sqlite3_busy_timeout(db, DB_SQLITE_BUSY_TIMEOUT_MS);
    db_sqlite_t *conn = kern_calloc(1, sizeof *conn);
    pthread_mutex_init(&conn->_mu, NULL);
    conn->_db = db;
    pthread_mutex_lock(&conns_mu);
    conn->_next = conns_head;
    conns_head = conn;
    pthread_mutex_unlock(&conns_mu);
    call->opened = conn;
    return 0;
}

static int run_close(db_sqlite_call_t *call)
{
    db_sqlite_t *conn = call->conn;
    pthread_mutex_lock(&conn->_mu);
    if (conn->_db) {
        sqlite3_close_v2(conn->_db);
        conn->_db = NULL;
    }
    pthread_mutex_unlock(&conn->_mu);
    return 0;
}

/* }====== */

/* {====== Preparing one statement (D121) */

/* The end of the whitespace, comments and semicolons starting at p. An
 * unterminated block comment runs to the end, as in SQLite. */
static const char *skip_filler(const char *p, const char *end)
{
    while (p < end) {
        if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\f' || *p == '\v' ||
            *p == ';') {
            p++;
        } else if (end - p >= 2 && p[0] == '-' && p[1] == '-') {
            while (p < end && *p != '\n')
                p++;
        } else if (end - p >= 2 && p[0] == '/' && p[1] == '*') {
            p += 2;
            while (p < end && !(end - p >= 2 && p[0] == '*' && p[1] == '/'))
                p++;
            p = p < end ? p + 2 : end;
        } else {
            break;
        }
    }
    return p;
}

/* Prepares the one statement of call->sql into *out (NULL when the SQL
 * holds none). Returns 0 or -1 with the error set. */
static int prepare_one(db_sqlite_call_t *call, sqlite3 *db, sqlite3_stmt **out)
{
    const char *sql = call->sql.bytes, *end = sql + call->sql.len;
    *out = NULL;
    if (memchr(sql, 0, call->sql.len))
        return fail(call, "SQL contains null byte");
    sqlite3_stmt *stmt = NULL;
    const char *p = skip_filler(sql, end);
    while (!stmt && p < end) {
        const char *tail = NULL;
        if (sqlite3_prepare_v2(db, p, (int)(end - p), &stmt, &tail) != SQLITE_OK)
            return fail_db(call, db);
        p = skip_filler(tail ? tail : end, end);
    }
    if (p < end) {
        sqlite3_finalize(stmt);
        return fail(call, "multiple statements are not supported");
    }
    for (size_t k = 0; stmt && k < call->param_count; k++) {
        if (memchr(call->params[k].bytes, 0, call->params[k].len)) {
            sqlite3_finalize(stmt);
            return fail(call, "parameter contains null byte");
        }
    }
    for (size_t k = 0; stmt && k < call->param_count; k++) {
        const db_sqlite_text_t *t = &call->params[k];
        if (sqlite3_bind_text(stmt, (int)k + 1, t->bytes, (int)t->len, SQLITE_STATIC) !=
            SQLITE_OK) {
            fail_db(call, db);
            sqlite3_finalize(stmt);
            return -1;
        }
    }
    *out = stmt;
    return 0;
}

/* }====== */

/* {====== Execute and query */

static int run_execute(db_sqlite_call_t *call, sqlite3 *db)
{
    sqlite3_stmt *stmt;
    call->changes = 0;
    if (prepare_one(call, db, &stmt) != 0)
        return -1;
    if (!stmt)
        return 0;
    sqlite3_int64 before = sqlite3_total_changes64(db);
    int rc = sqlite3_step(stmt);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        fail_db(call, db);
        sqlite3_finalize(stmt);
        return -1;
    }
    sqlite3_finalize(stmt);
    if (sqlite3_total_changes64(db) != before) /* D122 */
        call->changes = sqlite3_changes64(db);
    return 0;
}

static void rows_push(db_sqlite_rows_t *rows, const void *bytes, size_t len)
{
    if (rows->_buf_len + len > rows->_buf_cap) {
        size_t cap = rows->_buf_cap ? rows->_buf_cap * 2 : 256;
        while (cap < rows->_buf_len + len)
            cap *= 2;
        rows->_buf = kern_realloc(rows->_buf, cap);
        rows->_buf_cap = cap;
    }
    if (rows->_item_count == rows->_item_cap) {
        rows->_item_cap = rows->_item_cap ? rows->_item_cap * 2 : 32;
        rows->_items = kern_realloc(rows->_items, rows->_item_cap * 2 * sizeof(size_t));
    }
    if (len)
        memcpy(rows->_buf + rows->_buf_len, bytes, len);
    rows->_items[2 * rows->_item_count] = rows->_buf_len;
    rows->_items[2 * rows->_item_count + 1] = len;
    rows->_item_count++;
    rows->_buf_len += len;
}

static void push_names(db_sqlite_rows_t *rows, sqlite3_stmt *stmt)
{
    rows->col_count = (uint32_t)sqlite3_column_count(stmt);
    for (uint32_t i = 0; i < rows->col_count; i++) {
        const char *name = sqlite3_column_name(stmt, (int)i);
        char alt[32];
        if (!name) {
            snprintf(alt, sizeof alt, "column%u", i);
            name = alt;
        }
        rows_push(rows, name, strlen(name));
    }
}

/* Copies the current row: NULL as "" (D120), blobs whole (D124). */
static void push_row(db_sqlite_rows_t *rows, sqlite3_stmt *stmt)
{
    for (uint32_t i = 0; i < rows->col_count; i++) {
        int type = sqlite3_column_type(stmt, (int)i);
        const void *bytes = NULL;
        if (type == SQLITE_BLOB)
            bytes = sqlite3_column_blob(stmt, (int)i);
        else if (type != SQLITE_NULL)
            bytes = sqlite3_column_text(stmt, (int)i);
        size_t len = bytes ? (size_t)sqlite3_column_bytes(stmt, (int)i) : 0;
        rows_push(rows, bytes, len);
    }
    rows->row_count++;
}

static int run_query(db_sqlite_call_t *call, sqlite3 *db)
{
    sqlite3_stmt *stmt;
    memset(&call->rows, 0, sizeof call->rows);
    if (prepare_one(call, db, &stmt) != 0)
        return -1;
    if (!stmt)
        return 0;
    push_names(&call->rows, stmt);
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
        push_row(&call->rows, stmt);
    if (rc != SQLITE_DONE) {
        fail_db(call, db);
        sqlite3_finalize(stmt);
        db_sqlite_call_destroy(call);
        return -1;
    }
    sqlite3_finalize(stmt);
    return 0;
}

/* BEGIN / COMMIT / ROLLBACK, one fixed statement each. */
static int run_fixed(db_sqlite_call_t *call, sqlite3 *db, const char *sql)
{
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return fail_db(call, db);
    return 0;
}

/* }====== */

int db_sqlite_call_run(void *arg)
{
    db_sqlite_call_t *call = arg;
    call->error[0] = 0;
    if (call->kind == DB_SQLITE_OPEN)
        return run_open(call);
    if (call->kind == DB_SQLITE_CLOSE)
        return run_close(call);
    db_sqlite_t *conn = call->conn;
    pthread_mutex_lock(&conn->_mu);
    sqlite3 *db = conn->_db;
    int rc;
    if (!db)
        rc = fail(call, "connection is closed");
    else if (call->kind == DB_SQLITE_EXECUTE)
        rc = run_execute(call, db);
    else if (call->kind == DB_SQLITE_QUERY)
        rc = run_query(call, db);
    else if (call->kind == DB_SQLITE_BEGIN)
        rc = run_fixed(call, db, "BEGIN");
    else if (call->kind == DB_SQLITE_COMMIT)
        rc = run_fixed(call, db, "COMMIT");
    else
        rc = run_fixed(call, db, "ROLLBACK");
    pthread_mutex_unlock(&conn->_mu);
    return rc;
}

void db_sqlite_call_destroy(db_sqlite_call_t *call)
{
    kern_free(call->rows._buf);
    kern_free(call->rows._items);
    memset(&call->rows, 0, sizeof call->rows);
}
