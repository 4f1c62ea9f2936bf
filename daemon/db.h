/*
 * db: the one SQLite file. It opens the database (WAL, synchronous=FULL,
 * foreign keys, a busy timeout), owns the schema and its migrations
 * (PRAGMA user_version), transactions, a cache of prepared statements,
 * the small key/value table and the online backup. Every statement is
 * prepared and bound; nothing here builds SQL from data. Each other module
 * owns the queries of its own tables and runs them through these helpers.
 */
#ifndef MISTOK_DB_H
#define MISTOK_DB_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <sqlite3.h>

struct db;

/* db_open() flags. */
#define DB_CREATE	0x01	/* create the file (mode 0600) when missing */
#define DB_MIGRATE	0x02	/* apply pending migrations */
#define DB_ANYVERSION	0x04	/* open even a newer schema (backup only) */

/*
 * Opens path. Without DB_MIGRATE an older schema is opened as it is (see
 * db_schema_version()); a schema newer than this build knows is refused
 * unless DB_ANYVERSION. Returns 0 and *out (close with db_close()), or -1
 * and *err (caller frees).
 */
int db_open(const char *path, int flags, struct db **out, char **err);

/*
 * Test hook: like db_open(DB_CREATE|DB_MIGRATE) but applies only the
 * migrations up to version max (so a test can make an old file).
 */
int db_open_at(const char *path, int max, struct db **out, char **err);
/* Test hook: opens with a caller's own migration list (n steps). */
int db_open_list(const char *path, const char *const *migrations, int n,
    struct db **out, char **err);
void db_close(struct db *);

/* The schema version of the open file, and the newest this build knows. */
int db_schema_version(struct db *);
int db_latest_version(void);
/* The path given to db_open(); valid until db_close(). */
const char *db_path(struct db *);

/* The raw handle, for modules that need an sqlite3 call not wrapped here. */
sqlite3 *db_handle(struct db *);
/* The last error text of this connection; valid until the next call. */
const char *db_errmsg(struct db *);

/*
 * Transactions. db_begin() is BEGIN IMMEDIATE (the write lock is taken at
 * once, so a busy database shows up here and not halfway through). They do
 * not nest: db_begin() inside a transaction is an error. Return 0 or -1
 * (the error is logged and in db_errmsg()).
 */
int db_begin(struct db *);
int db_commit(struct db *);
int db_rollback(struct db *);
int db_in_transaction(struct db *);

/*
 * Savepoints, for a unit of work inside a caller's transaction (or on its
 * own). name: lower-case letters and '_'. db_release() with ok RELEASEs
 * it (0, or -1 when that fails: then it is undone as below); without ok
 * it rolls back to the savepoint, releases it and returns -1.
 */
int db_savepoint(struct db *, const char *name);
int db_release(struct db *, const char *name, int ok);

/*
 * For caches of what the directory holds (contacts, addresses,
 * organisations, their domains, partnerships): inside a transaction, a
 * nonzero number that changes whenever a row of those tables changes,
 * something is rolled back or the transaction ends; outside one, 0
 * (another connection may change anything at any moment: do not cache).
 */
uint64_t db_epoch(struct db *);

/*
 * A cached prepared statement for sql (a string constant: the cache keys on
 * its text). It comes back reset with its bindings cleared; it stays owned
 * by the cache (never finalize it) and valid until db_close(). NULL on a
 * prepare error (logged; db_errmsg()).
 */
sqlite3_stmt *db_stmt(struct db *, const char *sql);

/*
 * Binds parameters 1..n from a type string, one letter per parameter:
 *   i  int            I  int64_t        t  const char * (NULL binds NULL)
 *   n  (no argument) NULL              b  const void *, size_t (a blob)
 *   T  time_t (0 binds NULL)
 * Text and blobs are copied (SQLITE_TRANSIENT). Returns 0 or -1.
 */
int db_bind(sqlite3_stmt *, const char *types, ...);

/* Steps once: 1 a row, 0 done (the statement is reset), -1 error (logged). */
int db_step(sqlite3_stmt *);

/*
 * Runs one cached statement that returns no rows (or whose rows are
 * ignored) with db_bind() parameters. Returns 0 or -1.
 */
int db_exec(struct db *, const char *sql, const char *types, ...);

/*
 * Runs a statement that yields one integer (e.g. SELECT count(*)). Returns
 * 1 and *out when a row came, 0 when none, -1 on error.
 */
int db_int(struct db *, int64_t *out, const char *sql, const char *types,
    ...);

int64_t db_last_id(struct db *);
int db_changes(struct db *);

/* Column helpers: text as a new string (NULL for NULL; caller frees). */
char *db_col_strdup(sqlite3_stmt *, int col);
/* A column of UTC seconds; NULL reads as 0. */
time_t db_col_time(sqlite3_stmt *, int col);

/*
 * kv: small daemon state ("unreachable_since" = decimal UTC seconds, …).
 * db_kv_get returns 1 and *value (caller frees), 0 when absent, -1 error.
 */
int db_kv_get(struct db *, const char *key, char **value);
int db_kv_set(struct db *, const char *key, const char *value);
int db_kv_del(struct db *, const char *key);

/*
 * A consistent copy of the live database into dest with SQLite's online
 * backup: written to dest.tmp (mode 0600, a stale one is replaced), synced,
 * then renamed. An existing dest is refused unless force. Safe while other
 * connections write. Returns 0 or -1 and *err (caller frees).
 */
int db_backup(struct db *, const char *dest, int force, char **err);

/* What `mistok status` shows; db_status_free() releases it. */
struct db_folder_state {
	char	*name;
	int64_t	 uidvalidity;
	int64_t	 last_uid;
	time_t	 last_sync;		/* 0: never */
	int64_t	 exists;
};

struct db_status {
	int			 schema_version;
	struct db_folder_state	*folders;
	size_t			 nfolders;
	time_t			 unreachable_since;	/* 0: reachable */
	int64_t			 quarantined;
	int64_t			 outbox_queued;
	int64_t			 outbox_failed;
};

/*
 * Fills st from the open database; an old schema (before version 1) gives
 * empty figures. Returns 0 or -1 and *err (caller frees).
 */
int db_status(struct db *, struct db_status *st, char **err);
void db_status_free(struct db_status *);

#endif
