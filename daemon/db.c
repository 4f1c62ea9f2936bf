/*
 * db: open and migrate, transactions, statement cache, kv, online
 * backup, the status figures. The migrations' text is in db_schema.c
 * (with the rules for adding one); this file runs it, each step in its
 * own transaction together with its PRAGMA user_version.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "db.h"
#include "db_int.h"
#include "log.h"
#include "util.h"

#define DB_BUSY_TIMEOUT_MS	5000

struct stmt_slot {
	const char	*sql;
	sqlite3_stmt	*st;
};

struct sp_slot {
	char		*name;
	sqlite3_stmt	*begin, *release, *undo;
};

struct db {
	sqlite3			*sq;
	char			*path;
	int			 version;
	int			 in_tx;
	struct stmt_slot	*cache;
	size_t			 ncache;
	size_t			 capcache;
	struct sp_slot		*sps;
	size_t			 nsps;
	uint64_t		 epoch;
};

/* The directory's tables: a change to one of their rows moves the epoch. */
static const char *const epoch_tables[] = {
	"contacts", "contact_addresses", "orgs", "org_domains",
	"partnerships", "partnership_orgs",
};

/* Epochs are unique in the process: a cache of a closed connection can
 * never look valid for the next one opened at the same address. */
static uint64_t epoch_seq;

static void
epoch_move(struct db *db)
{
	db->epoch = ++epoch_seq;
}

static void
epoch_on_update(void *arg, int op, const char *dbname, const char *table,
    sqlite3_int64 rowid)
{
	struct db *db = arg;
	size_t i;

	(void)op;
	(void)dbname;
	(void)rowid;
	for (i = 0; i < nitems(epoch_tables); i++)
		if (strcmp(table, epoch_tables[i]) == 0) {
			epoch_move(db);
			return;
		}
}

static void
epoch_on_rollback(void *arg)
{
	epoch_move(arg);
}

/* mistok_key(text): str_key() for SQL (migrations fill keyed tables). */
static void
sql_key(sqlite3_context *c, int argc, sqlite3_value **argv)
{
	const unsigned char *s = sqlite3_value_text(argv[0]);

	(void)argc;
	if (s == NULL)
		sqlite3_result_null(c);
	else
		sqlite3_result_int64(c, str_key((const char *)s));
}

uint64_t
db_epoch(struct db *db)
{
	return db->in_tx && !sqlite3_get_autocommit(db->sq) ? db->epoch : 0;
}

int
db_latest_version(void)
{
	return db_nmigrations;
}

static int
read_version(sqlite3 *sq, int *v)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(sq, "PRAGMA user_version", -1, &st, NULL) !=
	    SQLITE_OK)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

/* One PRAGMA whose single result must read want (or anything if NULL). */
static int
pragma(sqlite3 *sq, const char *sql, const char *want, char **err)
{
	sqlite3_stmt *st;
	const char *got;
	int rc, ok = 0;

	if (sqlite3_prepare_v2(sq, sql, -1, &st, NULL) != SQLITE_OK) {
		*err = xasprintf("%s: %s", sql, sqlite3_errmsg(sq));
		return -1;
	}
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		*err = xasprintf("%s: %s", sql, sqlite3_errmsg(sq));
		ok = -1;
	} else if (want != NULL) {
		got = rc == SQLITE_ROW ?
		    (const char *)sqlite3_column_text(st, 0) : NULL;
		if (got == NULL || strcasecmp(got, want) != 0) {
			*err = xasprintf("%s: got %s", sql, got ? got : "nothing");
			ok = -1;
		}
	}
	sqlite3_finalize(st);
	return ok;
}

static int
migrate(struct db *db, const char *const *migs, int n, char **err)
{
	char setv[64], *msg = NULL;
	int v, cur;

	for (v = db->version; v < n; v++) {
		if (sqlite3_exec(db->sq, "BEGIN IMMEDIATE", NULL, NULL, &msg) !=
		    SQLITE_OK)
			goto fail;
		/* Another process may have migrated while we waited. */
		if (read_version(db->sq, &cur) == -1) {
			msg = sqlite3_mprintf("%s", sqlite3_errmsg(db->sq));
			goto fail_rollback;
		}
		if (cur > v) {
			sqlite3_exec(db->sq, "COMMIT", NULL, NULL, NULL);
			v = cur - 1;
			continue;
		}
		snprintf(setv, sizeof(setv), "PRAGMA user_version = %d", v + 1);
		if (sqlite3_exec(db->sq, migs[v], NULL, NULL, &msg) != SQLITE_OK)
			goto fail_rollback;
		if (sqlite3_exec(db->sq, setv, NULL, NULL, &msg) != SQLITE_OK)
			goto fail_rollback;
		if (sqlite3_exec(db->sq, "COMMIT", NULL, NULL, &msg) !=
		    SQLITE_OK)
			goto fail_rollback;
		log_info("db %s: migrated to schema version %d", db->path,
		    v + 1);
	}
	if (read_version(db->sq, &db->version) == -1) {
		*err = xasprintf("%s: %s", db->path, sqlite3_errmsg(db->sq));
		return -1;
	}
	return 0;

fail_rollback:
	sqlite3_exec(db->sq, "ROLLBACK", NULL, NULL, NULL);
fail:
	*err = xasprintf("%s: migration to schema version %d failed: %s",
	    db->path, v + 1, msg ? msg : sqlite3_errmsg(db->sq));
	sqlite3_free(msg);
	return -1;
}

/*
 * Before SQLite's first use: no memory statistics (they take a global
 * mutex on every allocation, ~3% of an import). Too late when something
 * used SQLite first; that only costs the speed.
 */
static void
configure_once(void)
{
	static int done;

	if (done)
		return;
	done = 1;
	(void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

static int
open_with(const char *path, int flags, const char *const *migs, int nmigs,
    struct db **out, char **err)
{
	struct db *db;
	struct stat sb;
	int fd, oflags;

	*out = NULL;
	*err = NULL;
	configure_once();
	if (stat(path, &sb) == -1) {
		if (errno != ENOENT || !(flags & DB_CREATE)) {
			*err = xasprintf("%s: %s", path, strerror(errno));
			return -1;
		}
		/* Personal data: nobody else reads it (WAL files follow). */
		if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
		    0600)) == -1 && errno != EEXIST) {
			*err = xasprintf("%s: %s", path, strerror(errno));
			return -1;
		}
		if (fd != -1)
			close(fd);
	} else if (!S_ISREG(sb.st_mode)) {
		*err = xasprintf("%s: not a regular file", path);
		return -1;
	}

	db = xcalloc(1, sizeof(*db));
	db->path = xstrdup(path);
	oflags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
	if (sqlite3_open_v2(path, &db->sq, oflags, NULL) != SQLITE_OK) {
		*err = xasprintf("%s: %s", path,
		    db->sq ? sqlite3_errmsg(db->sq) : "out of memory");
		goto fail;
	}
	sqlite3_extended_result_codes(db->sq, 1);
	sqlite3_busy_timeout(db->sq, DB_BUSY_TIMEOUT_MS);
	epoch_move(db);
	sqlite3_update_hook(db->sq, epoch_on_update, db);
	sqlite3_create_function(db->sq, "mistok_key", 1,
	    SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, sql_key, NULL, NULL);
	sqlite3_rollback_hook(db->sq, epoch_on_rollback, db);
	if (read_version(db->sq, &db->version) == -1) {
		*err = xasprintf("%s: %s", path, sqlite3_errmsg(db->sq));
		goto fail;
	}
	if (db->version > nmigs && !(flags & DB_ANYVERSION)) {
		*err = xasprintf("%s: schema version %d is newer than this "
		    "mistok knows (%d); refusing to open it (run a newer "
		    "mistok, or restore a backup)", path, db->version, nmigs);
		goto fail;
	}
	if (pragma(db->sq, "PRAGMA journal_mode = WAL", "wal", err) == -1 ||
	    pragma(db->sq, "PRAGMA synchronous = FULL", NULL, err) == -1 ||
	    pragma(db->sq, "PRAGMA foreign_keys = ON", NULL, err) == -1 ||
	    /* Savepoint journals (one per stored message) stay in memory:
	     * they only matter until the statement ends. */
	    pragma(db->sq, "PRAGMA temp_store = MEMORY", NULL, err) == -1) {
		char *e = *err;

		*err = xasprintf("%s: %s", path, e);
		free(e);
		goto fail;
	}
	if ((flags & DB_MIGRATE) && db->version < nmigs &&
	    migrate(db, migs, nmigs, err) == -1)
		goto fail;
	log_trace(TRACE_DB, "db %s: open, schema version %d", path,
	    db->version);
	*out = db;
	return 0;

fail:
	db_close(db);
	return -1;
}

int
db_open(const char *path, int flags, struct db **out, char **err)
{
	return open_with(path, flags, db_migrations, db_nmigrations, out,
	    err);
}

int
db_open_at(const char *path, int max, struct db **out, char **err)
{
	if (max < 0 || max > db_nmigrations) {
		*out = NULL;
		*err = xasprintf("no schema version %d", max);
		return -1;
	}
	return open_with(path, DB_CREATE | DB_MIGRATE | DB_ANYVERSION,
	    db_migrations, max, out, err);
}

int
db_open_list(const char *path, const char *const *migs, int n,
    struct db **out, char **err)
{
	return open_with(path, DB_CREATE | DB_MIGRATE, migs, n, out, err);
}

void
db_close(struct db *db)
{
	size_t i;

	if (db == NULL)
		return;
	for (i = 0; i < db->ncache; i++)
		sqlite3_finalize(db->cache[i].st);
	free(db->cache);
	for (i = 0; i < db->nsps; i++) {
		sqlite3_finalize(db->sps[i].begin);
		sqlite3_finalize(db->sps[i].release);
		sqlite3_finalize(db->sps[i].undo);
		free(db->sps[i].name);
	}
	free(db->sps);
	if (db->sq != NULL && sqlite3_close(db->sq) != SQLITE_OK)
		log_warnx("db %s: close: %s", db->path, sqlite3_errmsg(db->sq));
	free(db->path);
	free(db);
}

int
db_schema_version(struct db *db)
{
	return db->version;
}

const char *
db_path(struct db *db)
{
	return db->path;
}

sqlite3 *
db_handle(struct db *db)
{
	return db->sq;
}

const char *
db_errmsg(struct db *db)
{
	return sqlite3_errmsg(db->sq);
}

static int
tx(struct db *db, const char *sql)
{
	if (sqlite3_exec(db->sq, sql, NULL, NULL, NULL) != SQLITE_OK) {
		log_warnx("db %s: %s: %s", db->path, sql,
		    sqlite3_errmsg(db->sq));
		return -1;
	}
	return 0;
}

int
db_begin(struct db *db)
{
	if (db->in_tx) {
		log_warnx("db %s: BEGIN inside a transaction", db->path);
		return -1;
	}
	if (tx(db, "BEGIN IMMEDIATE") == -1)
		return -1;
	db->in_tx = 1;
	epoch_move(db);
	return 0;
}

int
db_commit(struct db *db)
{
	epoch_move(db);
	if (tx(db, "COMMIT") == -1) {
		/* A failed COMMIT may leave the transaction open. */
		if (sqlite3_get_autocommit(db->sq))
			db->in_tx = 0;
		return -1;
	}
	db->in_tx = 0;
	return 0;
}

int
db_rollback(struct db *db)
{
	int rc = 0;

	if (!sqlite3_get_autocommit(db->sq))
		rc = tx(db, "ROLLBACK");
	db->in_tx = 0;
	epoch_move(db);
	return rc;
}

static struct sp_slot *
sp_slot(struct db *db, const char *name)
{
	struct sp_slot *sp;
	char *q[3];
	size_t i;
	int ok = 1;

	for (i = 0; i < db->nsps; i++)
		if (strcmp(db->sps[i].name, name) == 0)
			return &db->sps[i];
	for (i = 0; name[i] != '\0'; i++)
		if (!(name[i] == '_' || (name[i] >= 'a' && name[i] <= 'z'))) {
			log_warnx("db %s: bad savepoint name \"%s\"", db->path,
			    name);
			return NULL;
		}
	db->sps = xreallocarray(db->sps, db->nsps + 1, sizeof(*db->sps));
	sp = &db->sps[db->nsps];
	memset(sp, 0, sizeof(*sp));
	q[0] = xasprintf("SAVEPOINT %s", name);
	q[1] = xasprintf("RELEASE %s", name);
	q[2] = xasprintf("ROLLBACK TO %s", name);
	ok = sqlite3_prepare_v3(db->sq, q[0], -1, SQLITE_PREPARE_PERSISTENT,
	    &sp->begin, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v3(db->sq, q[1], -1, SQLITE_PREPARE_PERSISTENT,
	    &sp->release, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v3(db->sq, q[2], -1, SQLITE_PREPARE_PERSISTENT,
	    &sp->undo, NULL) == SQLITE_OK;
	for (i = 0; i < 3; i++)
		free(q[i]);
	if (!ok) {
		log_warnx("db %s: savepoint %s: %s", db->path, name,
		    sqlite3_errmsg(db->sq));
		sqlite3_finalize(sp->begin);
		sqlite3_finalize(sp->release);
		sqlite3_finalize(sp->undo);
		return NULL;
	}
	sp->name = xstrdup(name);
	db->nsps++;
	return sp;
}

static int
sp_run(struct db *db, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		log_warnx("db %s: %s: %s", db->path, sqlite3_sql(st),
		    sqlite3_errmsg(db->sq));
		return -1;
	}
	return 0;
}

int
db_savepoint(struct db *db, const char *name)
{
	struct sp_slot *sp = sp_slot(db, name);

	return sp == NULL ? -1 : sp_run(db, sp->begin);
}

int
db_release(struct db *db, const char *name, int ok)
{
	struct sp_slot *sp = sp_slot(db, name);

	if (sp == NULL)
		return -1;
	if (ok && sp_run(db, sp->release) == 0)
		return 0;
	/* Undone: whatever was read inside may be gone. */
	epoch_move(db);
	(void)sp_run(db, sp->undo);
	(void)sp_run(db, sp->release);
	return -1;
}

int
db_in_transaction(struct db *db)
{
	return !sqlite3_get_autocommit(db->sq);
}

sqlite3_stmt *
db_stmt(struct db *db, const char *sql)
{
	sqlite3_stmt *st;
	size_t i;

	for (i = 0; i < db->ncache; i++)
		if (db->cache[i].sql == sql ||
		    strcmp(db->cache[i].sql, sql) == 0) {
			st = db->cache[i].st;
			sqlite3_reset(st);
			sqlite3_clear_bindings(st);
			return st;
		}
	if (sqlite3_prepare_v3(db->sq, sql, -1, SQLITE_PREPARE_PERSISTENT,
	    &st, NULL) != SQLITE_OK) {
		log_warnx("db %s: prepare \"%.60s\": %s", db->path, sql,
		    sqlite3_errmsg(db->sq));
		return NULL;
	}
	if (db->ncache == db->capcache) {
		db->capcache = db->capcache ? db->capcache * 2 : 16;
		db->cache = xreallocarray(db->cache, db->capcache,
		    sizeof(*db->cache));
	}
	db->cache[db->ncache].sql = sql;
	db->cache[db->ncache].st = st;
	db->ncache++;
	return st;
}

static int
vbind(sqlite3_stmt *st, const char *types, va_list ap)
{
	const char *s;
	const void *p;
	size_t len;
	time_t t;
	int i, rc;

	for (i = 1; *types; types++, i++) {
		switch (*types) {
		case 'i':
			rc = sqlite3_bind_int(st, i, va_arg(ap, int));
			break;
		case 'I':
			rc = sqlite3_bind_int64(st, i, va_arg(ap, int64_t));
			break;
		case 'T':
			t = va_arg(ap, time_t);
			rc = t ? sqlite3_bind_int64(st, i, (sqlite3_int64)t) :
			    sqlite3_bind_null(st, i);
			break;
		case 't':
			s = va_arg(ap, const char *);
			rc = s ? sqlite3_bind_text(st, i, s, -1,
			    SQLITE_TRANSIENT) : sqlite3_bind_null(st, i);
			break;
		case 'b':
			p = va_arg(ap, const void *);
			len = va_arg(ap, size_t);
			rc = sqlite3_bind_blob64(st, i, p, len,
			    SQLITE_TRANSIENT);
			break;
		case 'n':
			rc = sqlite3_bind_null(st, i);
			break;
		default:
			log_warnx("db: bad bind type '%c'", *types);
			return -1;
		}
		if (rc != SQLITE_OK) {
			log_warnx("db: bind %d: %s", i,
			    sqlite3_errmsg(sqlite3_db_handle(st)));
			return -1;
		}
	}
	return 0;
}

int
db_bind(sqlite3_stmt *st, const char *types, ...)
{
	va_list ap;
	int rc;

	va_start(ap, types);
	rc = vbind(st, types, ap);
	va_end(ap);
	return rc;
}

int
db_step(sqlite3_stmt *st)
{
	int rc;

	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE) {
		sqlite3_reset(st);
		return 0;
	}
	log_warnx("db: \"%.60s\": %s", sqlite3_sql(st),
	    sqlite3_errmsg(sqlite3_db_handle(st)));
	sqlite3_reset(st);
	return -1;
}

int
db_exec(struct db *db, const char *sql, const char *types, ...)
{
	sqlite3_stmt *st;
	va_list ap;
	int rc;

	if ((st = db_stmt(db, sql)) == NULL)
		return -1;
	va_start(ap, types);
	rc = vbind(st, types, ap);
	va_end(ap);
	if (rc == -1)
		return -1;
	while ((rc = db_step(st)) == 1)
		;
	return rc;
}

int
db_int(struct db *db, int64_t *out, const char *sql, const char *types, ...)
{
	sqlite3_stmt *st;
	va_list ap;
	int rc;

	if ((st = db_stmt(db, sql)) == NULL)
		return -1;
	va_start(ap, types);
	rc = vbind(st, types, ap);
	va_end(ap);
	if (rc == -1)
		return -1;
	if ((rc = db_step(st)) == 1) {
		*out = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
	}
	return rc;
}

int64_t
db_last_id(struct db *db)
{
	return sqlite3_last_insert_rowid(db->sq);
}

int
db_changes(struct db *db)
{
	return sqlite3_changes(db->sq);
}

char *
db_col_strdup(sqlite3_stmt *st, int col)
{
	const unsigned char *s;

	if ((s = sqlite3_column_text(st, col)) == NULL)
		return NULL;
	return xstrdup((const char *)s);
}

time_t
db_col_time(sqlite3_stmt *st, int col)
{
	return (time_t)sqlite3_column_int64(st, col);
}

int
db_kv_get(struct db *db, const char *key, char **value)
{
	sqlite3_stmt *st;
	int rc;

	*value = NULL;
	if ((st = db_stmt(db, "SELECT value FROM kv WHERE key = ?")) == NULL ||
	    db_bind(st, "t", key) == -1)
		return -1;
	if ((rc = db_step(st)) == 1) {
		*value = db_col_strdup(st, 0);
		sqlite3_reset(st);
		if (*value == NULL)
			*value = xstrdup("");
	}
	return rc;
}

int
db_kv_set(struct db *db, const char *key, const char *value)
{
	return db_exec(db, "INSERT INTO kv (key, value, updated) "
	    "VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET "
	    "value = excluded.value, updated = excluded.updated",
	    "ttT", key, value, clock_now());
}

int
db_kv_del(struct db *db, const char *key)
{
	return db_exec(db, "DELETE FROM kv WHERE key = ?", "t", key);
}

static int
fsync_path(const char *path, int dir)
{
	int fd, rc;

	if ((fd = open(path, (dir ? O_RDONLY | O_DIRECTORY : O_RDWR) |
	    O_CLOEXEC)) == -1)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

int
db_backup(struct db *db, const char *dest, int force, char **err)
{
	sqlite3 *out = NULL;
	sqlite3_backup *bk;
	struct stat sb;
	char *tmp, *dir, *slash;
	int fd, rc, tries;

	*err = NULL;
	if (!force && lstat(dest, &sb) == 0) {
		*err = xasprintf("%s: already exists (use --force to replace)",
		    dest);
		return -1;
	}
	tmp = xasprintf("%s.tmp", dest);
	/* A stale FILE.tmp is a backup that died; ours to replace. */
	if (unlink(tmp) == -1 && errno != ENOENT) {
		*err = xasprintf("%s: %s", tmp, strerror(errno));
		goto fail;
	}
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) ==
	    -1) {
		*err = xasprintf("%s: %s", tmp, strerror(errno));
		goto fail;
	}
	close(fd);
	if (sqlite3_open_v2(tmp, &out, SQLITE_OPEN_READWRITE, NULL) !=
	    SQLITE_OK) {
		*err = xasprintf("%s: %s", tmp,
		    out ? sqlite3_errmsg(out) : "out of memory");
		goto fail_unlink;
	}
	sqlite3_busy_timeout(out, DB_BUSY_TIMEOUT_MS);
	if ((bk = sqlite3_backup_init(out, "main", db->sq, "main")) == NULL) {
		*err = xasprintf("%s: %s", dest, sqlite3_errmsg(out));
		goto fail_unlink;
	}
	/*
	 * One step copies every page inside one read transaction: in WAL
	 * mode writers go on, and the copy is the snapshot at its start.
	 */
	for (tries = 0; tries < 100; tries++) {
		rc = sqlite3_backup_step(bk, -1);
		if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED)
			break;
		sqlite3_sleep(100);
	}
	sqlite3_backup_finish(bk);
	if (rc != SQLITE_DONE) {
		*err = xasprintf("%s: backup: %s", dest, sqlite3_errstr(rc));
		goto fail_unlink;
	}
	if (sqlite3_close(out) != SQLITE_OK) {
		out = NULL;
		*err = xasprintf("%s: close failed", tmp);
		goto fail_unlink;
	}
	out = NULL;
	if (fsync_path(tmp, 0) == -1) {
		*err = xasprintf("%s: fsync: %s", tmp, strerror(errno));
		goto fail_unlink;
	}
	rc = force ? rename(tmp, dest) :
	    renameat2(AT_FDCWD, tmp, AT_FDCWD, dest, RENAME_NOREPLACE);
	if (rc == -1) {
		*err = xasprintf("%s: %s", dest, strerror(errno));
		goto fail_unlink;
	}
	dir = xstrdup(dest);
	if ((slash = strrchr(dir, '/')) != NULL) {
		slash[slash == dir ? 1 : 0] = '\0';
		(void)fsync_path(dir, 1);
	} else
		(void)fsync_path(".", 1);
	free(dir);
	free(tmp);
	log_debug("db %s: backed up to %s", db->path, dest);
	return 0;

fail_unlink:
	if (out != NULL)
		sqlite3_close(out);
	unlink(tmp);
fail:
	free(tmp);
	return -1;
}

int
db_status(struct db *db, struct db_status *s, char **err)
{
	sqlite3_stmt *st;
	char *v = NULL;
	size_t cap = 0;
	int rc;

	memset(s, 0, sizeof(*s));
	*err = NULL;
	s->schema_version = db->version;
	if (db->version < 1)
		return 0;

	if ((st = db_stmt(db, "SELECT folder, uidvalidity, last_uid, "
	    "last_sync, exists_count FROM sync_state ORDER BY folder")) == NULL)
		goto fail;
	while ((rc = db_step(st)) == 1) {
		if (s->nfolders == cap) {
			cap = cap ? cap * 2 : 4;
			s->folders = xreallocarray(s->folders, cap,
			    sizeof(*s->folders));
		}
		s->folders[s->nfolders].name = db_col_strdup(st, 0);
		if (s->folders[s->nfolders].name == NULL)
			s->folders[s->nfolders].name = xstrdup("");
		s->folders[s->nfolders].uidvalidity =
		    sqlite3_column_int64(st, 1);
		s->folders[s->nfolders].last_uid = sqlite3_column_int64(st, 2);
		s->folders[s->nfolders].last_sync = db_col_time(st, 3);
		s->folders[s->nfolders].exists = sqlite3_column_int64(st, 4);
		s->nfolders++;
	}
	if (rc == -1)
		goto fail;
	if ((rc = db_kv_get(db, "unreachable_since", &v)) == -1)
		goto fail;
	if (rc == 1)
		s->unreachable_since = (time_t)strtoll(v, NULL, 10);
	free(v);
	if (db_int(db, &s->quarantined, "SELECT count(*) FROM messages "
	    "WHERE kind = 'quarantined'", "") == -1 ||
	    db_int(db, &s->outbox_queued, "SELECT count(*) FROM outbox "
	    "WHERE status IN ('queued','sending')", "") == -1 ||
	    db_int(db, &s->outbox_failed, "SELECT count(*) FROM outbox "
	    "WHERE status = 'failed'", "") == -1)
		goto fail;
	return 0;

fail:
	*err = xasprintf("%s: %s", db->path, sqlite3_errmsg(db->sq));
	db_status_free(s);
	return -1;
}

void
db_status_free(struct db_status *s)
{
	size_t i;

	for (i = 0; i < s->nfolders; i++)
		free(s->folders[i].name);
	free(s->folders);
	s->folders = NULL;
	s->nfolders = 0;
}
