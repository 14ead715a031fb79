/* Tests for db/snow_sqlite.c: the Snow values Sqlite.* returns (services.md
 * 4; D55, D111, D120, D124), and the blocking pool on a scheduled process
 * (D123: the wait blocks only the SQLite thread, not the scheduler). */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db/snow_sqlite.h"
#include "sched/proc.h"
#include "sched/worker.h"

static snow_ctx_t *cx;

static void ctx_setup(void) { cx = snow_ctx_new(); }

static void ctx_teardown(void) { snow_ctx_free(cx); }

static snow_string_t *S(const char *s) { return snow_string_new(cx, s, strlen(s)); }

static snow_list_t *L(int n, const char *const *xs)
{
    snow_list_t *l = snow_list_new(cx, &snow_type_string);
    for (int i = 0; i < n; i++)
        l = snow_list_append(cx, l, SNOW_WORD_PTR(S(xs[i])));
    return l;
}

static snow_list_t *none(void) { return snow_list_new(cx, &snow_type_string); }

/* The payload of Ok(...), asserting Ok. */
static snow_word_t ok(snow_record_t *r)
{
    cr_assert_eq(r->h.tag, SNOW_TAG_OK, "Err(%s)",
                 SNOW_WORD_TO_PTR(snow_string_t, r->w[0])->bytes);
    return r->w[0];
}

static const char *err(snow_record_t *r)
{
    cr_assert_eq(r->h.tag, SNOW_TAG_ERR);
    return SNOW_WORD_TO_PTR(snow_string_t, r->w[0])->bytes;
}

static void *open_mem(void) { return SNOW_WORD_TO_PTR(void, ok(snow_sqlite_open(cx, S(":memory:")))); }

TestSuite(db_snow_sqlite, .init = ctx_setup, .fini = ctx_teardown);

Test(db_snow_sqlite, a_handle_is_a_record_without_pointer_words)
{
    snow_record_t *h = open_mem();
    cr_assert_eq(h->h.kind, SNOW_OBJ_RECORD);
    cr_assert_eq(h->h.count, 1);
    cr_assert_eq(h->ptrmask, 0); /* copies between processes keep the address */
    cr_assert_neq(h->w[0], 0);
    snow_sqlite_close(cx, h);
}

Test(db_snow_sqlite, query_builds_a_list_of_string_maps)
{
    void *db = open_mem();
    cr_assert_eq((int64_t)ok(snow_sqlite_execute(
                     cx, db, S("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, price REAL)"),
                     none())),
                 0);
    const char *p1[] = {"bolt", "3.5"}, *p2[] = {"nut", "2"};
    const char *ins = "INSERT INTO t (name, price) VALUES (?, ?)";
    cr_assert_eq((int64_t)ok(snow_sqlite_execute(cx, db, S(ins), L(2, p1))), 1);
    cr_assert_eq((int64_t)ok(snow_sqlite_execute(cx, db, S(ins), L(2, p2))), 1);
    snow_gc_collect(cx);
    snow_word_t rows = ok(snow_sqlite_query(cx, db, S("SELECT * FROM t ORDER BY id"), none()));
    snow_gc_collect(cx); /* the result is reachable only from this stack */
    snow_string_t *text = snow_to_string(cx, &snow_type_list_map_string_string, rows);
    cr_assert_str_eq(text->bytes,
                     "[%{id => 1, name => bolt, price => 3.5}, %{id => 2, name => nut, price => 2.0}]");
    snow_list_t *list = SNOW_WORD_TO_PTR(snow_list_t, rows);
    cr_assert_eq(list->elem, &snow_type_map_string_string);
    snow_map_t *row = SNOW_WORD_TO_PTR(snow_map_t, snow_list_items(list)[1]);
    snow_string_t *name = SNOW_WORD_TO_PTR(snow_string_t,
                                           snow_map_get(cx, row, SNOW_WORD_PTR(S("name"))));
    cr_assert_str_eq(name->bytes, "nut");
    snow_sqlite_close(cx, db);
}

Test(db_snow_sqlite, null_is_empty_blobs_are_whole_and_invalid_utf8_is_replaced)
{
    void *db = open_mem();
    snow_word_t rows = ok(snow_sqlite_query(
        cx, db, S("SELECT NULL AS a, x'41004280' AS b, x'C3A9' AS c, 1 AS a2, 2 AS a2"), none()));
    snow_list_t *list = SNOW_WORD_TO_PTR(snow_list_t, rows);
    cr_assert_eq(list->len, 1);
    snow_map_t *row = SNOW_WORD_TO_PTR(snow_map_t, snow_list_items(list)[0]);
    snow_string_t *a = SNOW_WORD_TO_PTR(snow_string_t, snow_map_get(cx, row, SNOW_WORD_PTR(S("a"))));
    cr_assert_eq(a->len, 0);
    snow_string_t *b = SNOW_WORD_TO_PTR(snow_string_t, snow_map_get(cx, row, SNOW_WORD_PTR(S("b"))));
    cr_assert_eq(b->len, 6); /* A NUL B U+FFFD */
    cr_assert_eq(memcmp(b->bytes, "A\0B\xEF\xBF\xBD", 6), 0);
    snow_string_t *c = SNOW_WORD_TO_PTR(snow_string_t, snow_map_get(cx, row, SNOW_WORD_PTR(S("c"))));
    cr_assert_str_eq(c->bytes, "\xC3\xA9");
    snow_string_t *a2 = SNOW_WORD_TO_PTR(snow_string_t, snow_map_get(cx, row, SNOW_WORD_PTR(S("a2"))));
    cr_assert_str_eq(a2->bytes, "2"); /* the later duplicate column wins */
    snow_sqlite_close(cx, db);
}

Test(db_snow_sqlite, errors_and_closed_handles_are_err_strings)
{
    snow_string_t *bad = snow_string_new(cx, "x\0y", 3);
    cr_assert_str_eq(err(snow_sqlite_open(cx, bad)), "path contains null byte");
    void *db = open_mem();
    cr_assert_str_eq(err(snow_sqlite_query(cx, db, S("SELECT 1; SELECT 2"), none())),
                     "multiple statements are not supported");
    cr_assert_str_eq(err(snow_sqlite_query(cx, db, S("SELECT * FROM bins"), none())),
                     "no such table: bins");
    cr_assert_eq(ok(snow_sqlite_begin(cx, db)), 0);
    cr_assert_str_eq(err(snow_sqlite_begin(cx, db)), "cannot start a transaction within a transaction");
    cr_assert_eq(ok(snow_sqlite_commit(cx, db)), 0);
    cr_assert_str_eq(err(snow_sqlite_rollback(cx, db)), "cannot rollback - no transaction is active");
    snow_sqlite_close(cx, db);
    snow_sqlite_close(cx, db);
    cr_assert_str_eq(err(snow_sqlite_execute(cx, db, S("SELECT 1"), none())), "connection is closed");
    cr_assert_str_eq(err(snow_sqlite_query(cx, db, S("SELECT 1"), none())), "connection is closed");
    cr_assert_str_eq(err(snow_sqlite_commit(cx, db)), "connection is closed");
}

/* On a scheduled process the call runs on the pool: a ticker process on the
 * same (only) worker keeps running while the caller waits for a lock that
 * a plain thread releases after 300 ms. */
static char busy_path[64];
static atomic_int ticks;
static atomic_bool caller_done;
static int caller_rc;
static int64_t caller_changes;
static int ticks_during;

static void ticker(void *arg)
{
    (void)arg;
    while (!atomic_load(&caller_done)) {
        atomic_fetch_add(&ticks, 1);
        sched_proc_sleep(5);
    }
}

static void caller_main(void *arg)
{
    cr_assert_eq(sched_proc_spawn(ticker, NULL, NULL), 0);
    db_sqlite_call_t c = {.kind = DB_SQLITE_EXECUTE, .conn = arg,
                          .sql = {"INSERT INTO t VALUES (2)", 24}};
    int before = atomic_load(&ticks);
    caller_rc = db_snow_sqlite_run_(&c);
    ticks_during = atomic_load(&ticks) - before;
    caller_changes = c.changes;
    atomic_store(&caller_done, true);
}

static void *release_later(void *arg)
{
    usleep(300 * 1000);
    db_sqlite_call_t c = {.kind = DB_SQLITE_COMMIT, .conn = arg};
    cr_assert_eq(db_sqlite_call_run(&c), 0);
    return NULL;
}

static db_sqlite_t *raw_open(const char *path)
{
    db_sqlite_call_t c = {.kind = DB_SQLITE_OPEN, .path = {path, strlen(path)}};
    cr_assert_eq(db_sqlite_call_run(&c), 0);
    return c.opened;
}

static int64_t raw_exec(db_sqlite_t *conn, const char *sql)
{
    db_sqlite_call_t c = {.kind = DB_SQLITE_EXECUTE, .conn = conn, .sql = {sql, strlen(sql)}};
    cr_assert_eq(db_sqlite_call_run(&c), 0, "%s", c.error);
    return c.changes;
}

Test(db_snow_sqlite, a_waiting_call_parks_only_its_process, .timeout = 20)
{
    snprintf(busy_path, sizeof busy_path, "/tmp/snow-sqlite-park-%d.db", (int)getpid());
    unlink(busy_path);
    db_sqlite_t *a = raw_open(busy_path), *b = raw_open(busy_path);
    raw_exec(a, "CREATE TABLE t (x INTEGER)");
    raw_exec(a, "BEGIN IMMEDIATE");
    pthread_t th;
    pthread_create(&th, NULL, release_later, a);
    sched_config_t cfg = {.cores = 1};
    cr_assert_eq(sched_worker_run(&cfg, caller_main, b), 0);
    pthread_join(th, NULL);
    cr_assert_eq(caller_rc, 0);
    cr_assert_eq(caller_changes, 1);
    cr_assert_geq(ticks_during, 20, "the worker ran the ticker %d times", ticks_during);
    db_sqlite_call_t c = {.kind = DB_SQLITE_CLOSE, .conn = a};
    db_sqlite_call_run(&c);
    c.conn = b;
    db_sqlite_call_run(&c);
    unlink(busy_path);
}
