/* snow_sqlite.c: the Snow binding of SQLite — Sqlite.open, close, execute,
 * query, begin, commit, rollback (services.md 4; D111, D119-D124).
 *
 * A SqliteConn is a one-word heap record of the calling process whose word
 * is the address of the shared db_sqlite_t (ptrmask 0: the collector and
 * the deep copy between processes treat it as an Int, so every copy of the
 * handle names the same connection; db/sqlite.h keeps the connection alive).
 *
 * Where the work runs: on a scheduled process it goes to a small blocking
 * pool and only the calling process parks (D123: "the wait blocks only the
 * SQLite worker thread, not the scheduler"); a sequential program calls
 * SQLite on its own thread. The pool thread reads the argument strings in
 * the caller's heap, which does not collect while its process is parked,
 * and writes only C memory; the Snow result values are built afterwards on
 * the caller's thread. */
#include "db/snow_sqlite.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>

#include "db/sqlite.h"
#include "kernel/alloc.h"
#include "kernel/pool.h"
#include "sched/proc.h"
#include "sched/worker.h"

#define POOL_THREADS 4

static pthread_once_t pool_once = PTHREAD_ONCE_INIT;
static kern_pool_t pool;
static int pool_rc = -1;

static void pool_start(void) { pool_rc = kern_pool_init(&pool, POOL_THREADS); }

int db_snow_sqlite_run_(db_sqlite_call_t *call)
{
    if (sched_worker_self() && sched_proc_current()) {
        pthread_once(&pool_once, pool_start);
        if (pool_rc == 0) {
            int rc = sched_proc_run_blocking(&pool, db_sqlite_call_run, call);
            if (rc != -EAGAIN)
                return rc;
        }
    }
    return db_sqlite_call_run(call); /* no scheduler, or the pool is full */
}

static db_sqlite_t *conn_of(void *handle)
{
    return SNOW_WORD_TO_PTR(db_sqlite_t, ((snow_record_t *)handle)->w[0]);
}

static db_sqlite_text_t text_of(const snow_string_t *s)
{
    db_sqlite_text_t t = {s->bytes, (size_t)s->len};
    return t;
}

static snow_record_t *err_of(snow_ctx_t *cx, const db_sqlite_call_t *call)
{
    return snow_result_err(cx, snow_string_from_bytes_lossy(cx, call->error, strlen(call->error)));
}

snow_record_t *snow_sqlite_open(snow_ctx_t *cx, snow_string_t *path)
{
    db_sqlite_call_t call = {.kind = DB_SQLITE_OPEN, .path = text_of(path)};
    if (db_snow_sqlite_run_(&call) != 0)
        return err_of(cx, &call);
    snow_record_t *handle = snow_record_new(cx, 0, 1, 0);
    handle->w[0] = SNOW_WORD_PTR(call.opened);
    return snow_result_ok(cx, SNOW_WORD_PTR(handle), true);
}

void snow_sqlite_close(snow_ctx_t *cx, void *conn)
{
    (void)cx;
    db_sqlite_call_t call = {.kind = DB_SQLITE_CLOSE, .conn = conn_of(conn)};
    db_snow_sqlite_run_(&call);
}

/* Runs an EXECUTE or QUERY call with params' strings bound by index. */
static int run_with_params(db_sqlite_call_t *call, const snow_list_t *params)
{
    size_t n = params ? (size_t)params->len : 0;
    db_sqlite_text_t *texts = n ? kern_alloc(n * sizeof *texts) : NULL;
    const snow_word_t *items = n ? snow_list_items(params) : NULL;
    for (size_t k = 0; k < n; k++)
        texts[k] = text_of(SNOW_WORD_TO_PTR(snow_string_t, items[k]));
    call->params = texts;
    call->param_count = n;
    int rc = db_snow_sqlite_run_(call);
    kern_free(texts);
    return rc;
}

snow_record_t *snow_sqlite_execute(snow_ctx_t *cx, void *conn, snow_string_t *sql,
                                   snow_list_t *params)
{
    db_sqlite_call_t call = {.kind = DB_SQLITE_EXECUTE, .conn = conn_of(conn), .sql = text_of(sql)};
    if (run_with_params(&call, params) != 0)
        return err_of(cx, &call);
    return snow_result_ok(cx, (snow_word_t)call.changes, false);
}

static snow_string_t *item_string(snow_ctx_t *cx, const db_sqlite_rows_t *rows, size_t i)
{
    db_sqlite_text_t t = db_sqlite_rows_item(rows, i);
    return snow_string_from_bytes_lossy(cx, t.bytes, t.len); /* D55, D124 */
}

/* The rows as List<Map<String, String>>; a later duplicate column wins. */
static snow_list_t *rows_to_list(snow_ctx_t *cx, const db_sqlite_rows_t *rows)
{
    size_t ncols = rows->col_count;
    snow_list_t *list = snow_list_new(cx, &snow_type_map_string_string);
    if (rows->row_count == 0)
        return list;
    /* The names once, kept in a Snow list so the collector sees them. */
    snow_list_t *names = snow_list_new(cx, &snow_type_string);
    for (size_t c = 0; c < ncols; c++)
        names = snow_list_append(cx, names, SNOW_WORD_PTR(item_string(cx, rows, c)));
    for (size_t r = 0; r < rows->row_count; r++) {
        snow_map_t *m = snow_map_new(cx, &snow_type_string, &snow_type_string);
        for (size_t c = 0; c < ncols; c++) {
            snow_string_t *v = item_string(cx, rows, ncols + r * ncols + c);
            m = snow_map_put(cx, m, snow_list_items(names)[c], SNOW_WORD_PTR(v));
        }
        list = snow_list_append(cx, list, SNOW_WORD_PTR(m));
    }
    return list;
}

snow_record_t *snow_sqlite_query(snow_ctx_t *cx, void *conn, snow_string_t *sql,
                                 snow_list_t *params)
{
    db_sqlite_call_t call = {.kind = DB_SQLITE_QUERY, .conn = conn_of(conn), .sql = text_of(sql)};
    if (run_with_params(&call, params) != 0)
        return err_of(cx, &call);
    snow_list_t *list = rows_to_list(cx, &call.rows);
    db_sqlite_call_destroy(&call);
    return snow_result_ok(cx, SNOW_WORD_PTR(list), true);
}

static snow_record_t *run_fixed(snow_ctx_t *cx, void *conn, db_sqlite_kind_t kind)
{
    db_sqlite_call_t call = {.kind = kind, .conn = conn_of(conn)};
    if (db_snow_sqlite_run_(&call) != 0)
        return err_of(cx, &call);
    return snow_result_ok(cx, 0, false);
}

snow_record_t *snow_sqlite_begin(snow_ctx_t *cx, void *conn)
{
    return run_fixed(cx, conn, DB_SQLITE_BEGIN);
}

snow_record_t *snow_sqlite_commit(snow_ctx_t *cx, void *conn)
{
    return run_fixed(cx, conn, DB_SQLITE_COMMIT);
}

snow_record_t *snow_sqlite_rollback(snow_ctx_t *cx, void *conn)
{
    return run_fixed(cx, conn, DB_SQLITE_ROLLBACK);
}
