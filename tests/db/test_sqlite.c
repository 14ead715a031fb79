/* Tests for db/sqlite.c: the C driver under Sqlite.* (services.md 4.2;
 * D111, D119, D121-D124), on real SQLite files in a temporary directory and
 * on :memory:. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "db/sqlite.h"

#define T(s) ((db_sqlite_text_t){(s), strlen(s)})

static char dir[64];

static void tmp_setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/snow-sqlite-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void tmp_teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

static db_sqlite_t *open_ok(const char *path)
{
    db_sqlite_call_t c = {.kind = DB_SQLITE_OPEN, .path = T(path)};
    cr_assert_eq(db_sqlite_call_run(&c), 0, "open %s: %s", path, c.error);
    cr_assert_not_null(c.opened);
    return c.opened;
}

static void close_conn(db_sqlite_t *conn)
{
    db_sqlite_call_t c = {.kind = DB_SQLITE_CLOSE, .conn = conn};
    cr_assert_eq(db_sqlite_call_run(&c), 0);
}

/* Runs EXECUTE; returns the change count, or -1 with the text in err. */
static int64_t exec_p(db_sqlite_t *conn, const char *sql, const db_sqlite_text_t *params,
                      size_t n, char *err)
{
    db_sqlite_call_t c = {.kind = DB_SQLITE_EXECUTE, .conn = conn, .sql = T(sql),
                          .params = params, .param_count = n};
    int rc = db_sqlite_call_run(&c);
    if (err)
        strcpy(err, c.error);
    return rc == 0 ? c.changes : -1;
}

static int64_t exec0(db_sqlite_t *conn, const char *sql) { return exec_p(conn, sql, NULL, 0, NULL); }

static int fixed(db_sqlite_t *conn, db_sqlite_kind_t kind, char *err)
{
    db_sqlite_call_t c = {.kind = kind, .conn = conn};
    int rc = db_sqlite_call_run(&c);
    strcpy(err, c.error);
    return rc;
}

TestSuite(db_sqlite, .init = tmp_setup, .fini = tmp_teardown);

Test(db_sqlite, opening_a_file_creates_it_and_the_data_persists_after_close)
{
    char path[128];
    snprintf(path, sizeof path, "%s/parts.db", dir);
    db_sqlite_t *a = open_ok(path);
    cr_assert_eq(access(path, F_OK), 0);
    cr_assert_eq(exec0(a, "CREATE TABLE t (x INTEGER)"), 0);
    cr_assert_eq(exec0(a, "INSERT INTO t VALUES (1), (2), (3)"), 3);
    close_conn(a);
    db_sqlite_t *b = open_ok(path);
    db_sqlite_call_t q = {.kind = DB_SQLITE_QUERY, .conn = b, .sql = T("SELECT sum(x) AS s FROM t")};
    cr_assert_eq(db_sqlite_call_run(&q), 0);
    cr_assert_eq(q.rows.row_count, 1);
    db_sqlite_text_t v = db_sqlite_rows_item(&q.rows, 1);
    cr_assert_eq(v.len, 1);
    cr_assert_eq(v.bytes[0], '6');
    db_sqlite_call_destroy(&q);
    close_conn(b);
}

Test(db_sqlite, open_failures_carry_the_spec_and_sqlite_texts)
{
    db_sqlite_call_t c = {.kind = DB_SQLITE_OPEN, .path = {"a\0b", 3}};
    cr_assert_eq(db_sqlite_call_run(&c), -1);
    cr_assert_str_eq(c.error, "path contains null byte");
    char path[128];
    snprintf(path, sizeof path, "%s/no/such/dir/x.db", dir);
    db_sqlite_call_t d = {.kind = DB_SQLITE_OPEN, .path = T(path)};
    cr_assert_eq(db_sqlite_call_run(&d), -1);
    cr_assert_str_eq(d.error, "unable to open database file");
}

Test(db_sqlite, execute_counts_only_its_own_changes_d122)
{
    db_sqlite_t *db = open_ok(":memory:");
    cr_assert_eq(exec0(db, "CREATE TABLE t (x INTEGER)"), 0);
    cr_assert_eq(exec0(db, "INSERT INTO t VALUES (1), (2)"), 2);
    cr_assert_eq(exec0(db, "SELECT * FROM t"), 0);           /* not the stale 2 */
    cr_assert_eq(exec0(db, "CREATE TABLE u (y INTEGER)"), 0); /* DDL */
    cr_assert_eq(exec0(db, "UPDATE t SET x = x + 1"), 2);
    cr_assert_eq(exec0(db, "DELETE FROM t WHERE x = 99"), 0);
    cr_assert_eq(exec0(db, "DELETE FROM t"), 2);
    close_conn(db);
}

Test(db_sqlite, several_statements_are_refused_without_running_anything_d121)
{
    db_sqlite_t *db = open_ok(":memory:");
    char err[DB_SQLITE_ERROR_MAX];
    cr_assert_eq(exec0(db, "CREATE TABLE t (x INTEGER)"), 0);
    cr_assert_eq(exec_p(db, "INSERT INTO t VALUES (1); INSERT INTO t VALUES (2)", NULL, 0, err), -1);
    cr_assert_str_eq(err, "multiple statements are not supported");
    /* Trailing whitespace, semicolons and comments are allowed. */
    cr_assert_eq(exec0(db, "  ;INSERT INTO t VALUES (5) ; ;-- done\n /* c */ ;/* open"), 1);
    db_sqlite_call_t q = {.kind = DB_SQLITE_QUERY, .conn = db, .sql = T("SELECT count(*) FROM t")};
    cr_assert_eq(db_sqlite_call_run(&q), 0);
    cr_assert_eq(db_sqlite_rows_item(&q.rows, 1).bytes[0], '1'); /* the refused insert never ran */
    db_sqlite_call_destroy(&q);
    cr_assert_eq(exec0(db, "  -- only a comment"), 0);
    close_conn(db);
}

Test(db_sqlite, nul_bytes_and_parameter_counts_give_the_spec_texts)
{
    db_sqlite_t *db = open_ok(":memory:");
    char err[DB_SQLITE_ERROR_MAX];
    db_sqlite_call_t c = {.kind = DB_SQLITE_EXECUTE, .conn = db, .sql = {"SELECT 1\0", 9}};
    cr_assert_eq(db_sqlite_call_run(&c), -1);
    cr_assert_str_eq(c.error, "SQL contains null byte");
    db_sqlite_text_t p[2] = {T("a"), {"b\0c", 3}};
    cr_assert_eq(exec_p(db, "SELECT ?, ?", p, 2, err), -1);
    cr_assert_str_eq(err, "parameter contains null byte");
    db_sqlite_text_t two[2] = {T("a"), T("b")};
    cr_assert_eq(exec_p(db, "SELECT ?", two, 2, err), -1);
    cr_assert_str_eq(err, "column index out of range");
    cr_assert_eq(exec_p(db, "SELEC 1", NULL, 0, err), -1);
    cr_assert_str_eq(err, "near \"SELEC\": syntax error");
    cr_assert_eq(exec_p(db, "SELECT * FROM bins", NULL, 0, err), -1);
    cr_assert_str_eq(err, "no such table: bins");
    close_conn(db);
}

Test(db_sqlite, query_returns_names_text_null_as_empty_and_whole_blobs)
{
    db_sqlite_t *db = open_ok(":memory:");
    db_sqlite_text_t p[1] = {T("7")};
    db_sqlite_call_t q = {.kind = DB_SQLITE_QUERY, .conn = db,
                          .sql = T("SELECT ? + 1 AS n, 95.5, 2.0, NULL AS z, x'41004280' AS b"),
                          .params = p, .param_count = 1};
    cr_assert_eq(db_sqlite_call_run(&q), 0, "%s", q.error);
    cr_assert_eq(q.rows.col_count, 5);
    cr_assert_eq(q.rows.row_count, 1);
    const char *names[] = {"n", "95.5", "2.0", "z", "b"};
    const char *cells[] = {"8", "95.5", "2.0", ""};
    for (int i = 0; i < 5; i++) {
        db_sqlite_text_t t = db_sqlite_rows_item(&q.rows, (size_t)i);
        cr_assert_eq(t.len, strlen(names[i]));
        cr_assert_eq(memcmp(t.bytes, names[i], t.len), 0);
    }
    for (int i = 0; i < 4; i++) {
        db_sqlite_text_t t = db_sqlite_rows_item(&q.rows, 5 + (size_t)i);
        cr_assert_eq(t.len, strlen(cells[i]), "cell %d", i);
        cr_assert_eq(memcmp(t.bytes, cells[i], t.len), 0);
    }
    db_sqlite_text_t blob = db_sqlite_rows_item(&q.rows, 9);
    cr_assert_eq(blob.len, 4); /* not cut at the NUL (D124) */
    cr_assert_eq(memcmp(blob.bytes, "A\0B\x80", 4), 0);
    db_sqlite_call_destroy(&q);
    close_conn(db);
}

Test(db_sqlite, transactions_commit_and_roll_back_with_sqlite_messages)
{
    db_sqlite_t *db = open_ok(":memory:");
    char err[DB_SQLITE_ERROR_MAX];
    cr_assert_eq(exec0(db, "CREATE TABLE t (x INTEGER)"), 0);
    cr_assert_eq(fixed(db, DB_SQLITE_BEGIN, err), 0);
    cr_assert_eq(fixed(db, DB_SQLITE_BEGIN, err), -1);
    cr_assert_str_eq(err, "cannot start a transaction within a transaction");
    cr_assert_eq(exec0(db, "INSERT INTO t VALUES (1)"), 1);
    cr_assert_eq(fixed(db, DB_SQLITE_ROLLBACK, err), 0);
    cr_assert_eq(fixed(db, DB_SQLITE_ROLLBACK, err), -1);
    cr_assert_str_eq(err, "cannot rollback - no transaction is active");
    cr_assert_eq(fixed(db, DB_SQLITE_COMMIT, err), -1);
    cr_assert_str_eq(err, "cannot commit - no transaction is active");
    cr_assert_eq(fixed(db, DB_SQLITE_BEGIN, err), 0);
    cr_assert_eq(exec0(db, "INSERT INTO t VALUES (2)"), 1);
    cr_assert_eq(fixed(db, DB_SQLITE_COMMIT, err), 0);
    cr_assert_eq(exec0(db, "DELETE FROM t"), 1); /* only the committed row was there */
    close_conn(db);
}

Test(db_sqlite, a_closed_connection_answers_connection_is_closed_d111)
{
    db_sqlite_t *db = open_ok(":memory:");
    char err[DB_SQLITE_ERROR_MAX];
    close_conn(db);
    close_conn(db); /* a second close does nothing */
    cr_assert_eq(exec_p(db, "SELECT 1", NULL, 0, err), -1);
    cr_assert_str_eq(err, "connection is closed");
    cr_assert_eq(fixed(db, DB_SQLITE_BEGIN, err), -1);
    cr_assert_str_eq(err, "connection is closed");
}

/* D123: another connection's write lock is waited for (busy timeout), and
 * after 5000 ms the error is `database is locked`. */
static void *commit_later(void *arg)
{
    usleep(300 * 1000);
    char err[DB_SQLITE_ERROR_MAX];
    cr_assert_eq(fixed(arg, DB_SQLITE_COMMIT, err), 0);
    return NULL;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

Test(db_sqlite, a_writer_waits_for_the_lock_then_gives_up_after_5000_ms_d123, .timeout = 30)
{
    char path[128], err[DB_SQLITE_ERROR_MAX];
    snprintf(path, sizeof path, "%s/busy.db", dir);
    db_sqlite_t *a = open_ok(path), *b = open_ok(path);
    cr_assert_eq(exec0(a, "CREATE TABLE t (x INTEGER)"), 0);
    cr_assert_eq(exec0(a, "BEGIN IMMEDIATE"), 0);
    cr_assert_eq(exec0(a, "INSERT INTO t VALUES (1)"), 1);
    pthread_t th;
    pthread_create(&th, NULL, commit_later, a);
    double t0 = now_s();
    cr_assert_eq(exec_p(b, "INSERT INTO t VALUES (2)", NULL, 0, err), 1, "%s", err);
    double waited = now_s() - t0;
    pthread_join(th, NULL);
    cr_assert_geq(waited, 0.25, "waited %.3f s", waited);
    cr_assert_lt(waited, 4.0);
    /* Now a holds the lock and never lets go. */
    cr_assert_eq(exec0(a, "BEGIN IMMEDIATE"), 0);
    t0 = now_s();
    cr_assert_eq(exec_p(b, "INSERT INTO t VALUES (3)", NULL, 0, err), -1);
    waited = now_s() - t0;
    cr_assert_str_eq(err, "database is locked");
    cr_assert_geq(waited, 4.9, "waited %.3f s", waited);
    close_conn(a);
    close_conn(b);
}

/* D119: threads sharing one connection never interleave inside a call:
 * every insert counts exactly 1 change and all rows arrive. */
#define SHARE_THREADS 4
#define SHARE_INSERTS 200

static void *insert_many(void *arg)
{
    for (int i = 0; i < SHARE_INSERTS; i++) {
        char err[DB_SQLITE_ERROR_MAX];
        int64_t n = exec_p(arg, "INSERT INTO t VALUES (1)", NULL, 0, err);
        cr_assert_eq(n, 1, "%s", err);
        cr_assert_eq(exec_p(arg, "SELECT count(*) FROM t", NULL, 0, err), 0);
    }
    return NULL;
}

Test(db_sqlite, calls_on_one_connection_from_many_threads_are_serialised_d119)
{
    db_sqlite_t *db = open_ok(":memory:");
    cr_assert_eq(exec0(db, "CREATE TABLE t (x INTEGER)"), 0);
    pthread_t th[SHARE_THREADS];
    for (int i = 0; i < SHARE_THREADS; i++)
        pthread_create(&th[i], NULL, insert_many, db);
    for (int i = 0; i < SHARE_THREADS; i++)
        pthread_join(th[i], NULL);
    cr_assert_eq(exec0(db, "DELETE FROM t"), SHARE_THREADS * SHARE_INSERTS);
    close_conn(db);
}
