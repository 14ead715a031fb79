/* snow_sqlite.h: the Snow binding of SQLite (services.md 4). The ABI itself
 * (snow_sqlite_open, close, execute, query, begin, commit, rollback) is
 * declared in lang/std/snow.h; docs/sqlite.md describes the behaviour.
 *
 * Handles: Ok(SqliteConn) is a one-word record in the caller's heap with
 * ptrmask 0 whose word is the shared db_sqlite_t (db/sqlite.h), so copies
 * sent to other processes name the same connection (D119 serialises them).
 * Thread: the calling process's. */
#ifndef SNOW_DB_SNOW_SQLITE_H
#define SNOW_DB_SNOW_SQLITE_H

#include "db/sqlite.h"
#include "lang/std/snow.h"

/* Runs call where it belongs: on the SQLite blocking pool (4 threads,
 * started on first use) while parking only the current process when the
 * caller is a scheduled process; on the calling thread otherwise, or when
 * the pool's queue is full. Returns db_sqlite_call_run's result. Not to be
 * called directly outside db/ and its tests. */
int db_snow_sqlite_run_(db_sqlite_call_t *call);

#endif
