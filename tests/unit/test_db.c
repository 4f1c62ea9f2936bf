/* db: pragmas, schema, migrations, refusal of newer files, backup, status. */
#include <sys/stat.h>
#include <sys/wait.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "log.h"
#include "util.h"

static char tmpdir[] = "/tmp/mistok-test-db.XXXXXX";

static char *
tpath(const char *name)
{
	return xasprintf("%s/%s", tmpdir, name);
}

static int
setup(void **state)
{
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	return 0;
}

static int
teardown(void **state)
{
	char *cmd = xasprintf("rm -rf '%s'", tmpdir);
	int rc = system(cmd);

	free(cmd);
	return rc == 0 ? 0 : -1;
}

/* One text result of a query on a raw handle; caller frees. */
static char *
query1(sqlite3 *sq, const char *sql)
{
	sqlite3_stmt *st;
	char *s = NULL;

	assert_int_equal(sqlite3_prepare_v2(sq, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		s = xstrdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return s ? s : xstrdup("(null)");
}

/* The schema as text: every table, index and its SQL, sorted. */
static char *
schema_text(sqlite3 *sq)
{
	sqlite3_stmt *st;
	struct buf b;

	buf_init(&b);
	assert_int_equal(sqlite3_prepare_v2(sq, "SELECT type, name, "
	    "coalesce(sql, '') FROM sqlite_schema WHERE name NOT LIKE "
	    "'sqlite_%' ORDER BY name", -1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW)
		buf_printf(&b, "%s %s %s\n", sqlite3_column_text(st, 0),
		    sqlite3_column_text(st, 1), sqlite3_column_text(st, 2));
	sqlite3_finalize(st);
	return buf_steal(&b);
}

static struct db *
open_ok(const char *path, int flags)
{
	struct db *db = NULL;
	char *err = NULL;

	if (db_open(path, flags, &db, &err) != 0)
		fail_msg("db_open %s: %s", path, err);
	return db;
}

static void
fresh_file_is_wal_full_fk_private(void **state)
{
	char *path = tpath("fresh.db"), *s;
	struct db *db;
	struct stat sb;
	int64_t n;
	static const char *tables[] = {
		"orgs", "org_domains", "contacts", "contact_addresses",
		"partnerships", "partnership_orgs", "stage_history", "threads",
		"messages", "message_addresses", "message_locations",
		"attachments", "calendar_parts", "msgid_refs", "ghosts",
		"own_ids", "sync_state", "meetings", "attendees", "steps",
		"outbox", "reminders", "events", "kv",
	};
	size_t i;

	db = open_ok(path, DB_CREATE | DB_MIGRATE);
	assert_int_equal(db_schema_version(db), db_latest_version());
	assert_true(db_latest_version() >= 1);
	s = query1(db_handle(db), "PRAGMA journal_mode");
	assert_string_equal(s, "wal");
	free(s);
	s = query1(db_handle(db), "PRAGMA synchronous");
	assert_string_equal(s, "2");	/* FULL */
	free(s);
	s = query1(db_handle(db), "PRAGMA foreign_keys");
	assert_string_equal(s, "1");
	free(s);
	for (i = 0; i < nitems(tables); i++) {
		assert_int_equal(db_int(db, &n, "SELECT count(*) FROM "
		    "sqlite_schema WHERE type = 'table' AND name = ?", "t",
		    tables[i]), 1);
		if (n != 1)
			fail_msg("table %s missing", tables[i]);
	}
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 077, 0);
	db_close(db);
	free(path);
}

static void
missing_file_without_create_is_an_error(void **state)
{
	char *path = tpath("absent.db"), *err = NULL;
	struct db *db = NULL;

	assert_int_equal(db_open(path, DB_MIGRATE, &db, &err), -1);
	assert_null(db);
	assert_non_null(strstr(err, "No such file"));
	assert_int_equal(access(path, F_OK), -1);
	free(err);
	free(path);
}

static void
foreign_keys_and_checks_hold(void **state)
{
	char *path = tpath("fk.db");
	struct db *db = open_ok(path, DB_CREATE | DB_MIGRATE);

	log_init(1, "test_db");
	assert_int_equal(db_exec(db, "INSERT INTO org_domains (org, domain) "
	    "VALUES (?, ?)", "It", (int64_t)999, "lviv.test"), -1);
	assert_int_equal(db_exec(db, "INSERT INTO orgs (name, country) "
	    "VALUES (?, ?)", "tt", "Lviv", "PL"), -1);
	assert_int_equal(db_exec(db, "INSERT INTO orgs (name, country) "
	    "VALUES (?, ?)", "tt", "Lviv", "UA"), 0);
	assert_int_equal(db_exec(db, "INSERT INTO org_domains (org, domain) "
	    "VALUES (?, ?)", "It", db_last_id(db), "Lviv.TEST"), -1);
	assert_int_equal(db_exec(db, "INSERT INTO partnerships (slug, stage) "
	    "VALUES (?, ?)", "tt", "lviv-madison", "friends"), -1);
	db_close(db);
	free(path);
}

static void
statements_are_cached_and_bound(void **state)
{
	char *path = tpath("bind.db"), *v;
	struct db *db = open_ok(path, DB_CREATE | DB_MIGRATE);
	static const char sel[] = "SELECT value FROM kv WHERE key = ?";
	sqlite3_stmt *a, *b;
	const char evil[] = "x'); DROP TABLE kv; --";
	int64_t n;

	a = db_stmt(db, sel);
	b = db_stmt(db, sel);
	assert_non_null(a);
	assert_ptr_equal(a, b);
	assert_null(db_stmt(db, "SELEC nonsense"));

	/* Data never becomes SQL. */
	assert_int_equal(db_kv_set(db, evil, evil), 0);
	assert_int_equal(db_kv_get(db, evil, &v), 1);
	assert_string_equal(v, evil);
	free(v);
	assert_int_equal(db_kv_set(db, evil, "second"), 0);
	assert_int_equal(db_kv_get(db, evil, &v), 1);
	assert_string_equal(v, "second");
	free(v);
	assert_int_equal(db_kv_del(db, evil), 0);
	assert_int_equal(db_kv_get(db, evil, &v), 0);
	assert_null(v);

	assert_int_equal(db_exec(db, "INSERT INTO outbox (dedupe_key, raw, "
	    "env_from, recipients, next_attempt) VALUES (?, ?, ?, ?, ?)",
	    "tbttT", "k1", "a\0b", (size_t)3, "team@c4c.test",
	    "x@lviv.test", (time_t)0), 0);
	assert_int_equal(db_int(db, &n, "SELECT length(raw) FROM outbox "
	    "WHERE dedupe_key = ? AND next_attempt IS NULL", "t", "k1"), 1);
	assert_int_equal(n, 3);
	assert_int_equal(db_int(db, &n, "SELECT 1 FROM outbox WHERE "
	    "dedupe_key = ?", "t", "nope"), 0);
	/* The dedupe key is unique. */
	assert_int_equal(db_exec(db, "INSERT INTO outbox (dedupe_key, raw, "
	    "env_from, recipients) VALUES (?, ?, ?, ?)", "tbtt", "k1", "",
	    (size_t)0, "a", "b"), -1);
	db_close(db);
	free(path);
}

static void
transactions_commit_and_roll_back(void **state)
{
	char *path = tpath("tx.db");
	struct db *db = open_ok(path, DB_CREATE | DB_MIGRATE);
	int64_t n;

	assert_int_equal(db_begin(db), 0);
	assert_true(db_in_transaction(db));
	assert_int_equal(db_begin(db), -1);	/* no nesting */
	assert_int_equal(db_kv_set(db, "a", "1"), 0);
	assert_int_equal(db_rollback(db), 0);
	assert_false(db_in_transaction(db));
	assert_int_equal(db_int(db, &n, "SELECT count(*) FROM kv", ""), 1);
	assert_int_equal(n, 0);

	assert_int_equal(db_begin(db), 0);
	assert_int_equal(db_kv_set(db, "a", "1"), 0);
	assert_int_equal(db_commit(db), 0);
	db_close(db);
	db = open_ok(path, DB_MIGRATE);
	assert_int_equal(db_int(db, &n, "SELECT count(*) FROM kv", ""), 1);
	assert_int_equal(n, 1);
	db_close(db);
	free(path);
}

/*
 * Savepoints nest inside a transaction; a failed unit of work is undone
 * alone. db_epoch() is 0 outside a transaction, stays put while other
 * tables change, and moves when a directory row changes, on an undone
 * savepoint and when the transaction ends.
 */
static void
savepoints_and_the_directory_epoch(void **state)
{
	char *path = tpath("sp.db");
	struct db *db = open_ok(path, DB_CREATE | DB_MIGRATE);
	uint64_t e0, e1, e2;
	int64_t n;

	assert_true(db_epoch(db) == 0);
	assert_int_equal(db_begin(db), 0);
	e0 = db_epoch(db);
	assert_true(e0 != 0);
	assert_int_equal(db_kv_set(db, "a", "1"), 0);
	assert_true(db_epoch(db) == e0);

	assert_int_equal(db_savepoint(db, "unit"), 0);
	assert_int_equal(db_kv_set(db, "b", "2"), 0);
	assert_int_equal(db_release(db, "unit", 1), 0);
	assert_true(db_epoch(db) == e0);

	assert_int_equal(db_savepoint(db, "unit"), 0);
	assert_int_equal(db_exec(db, "INSERT INTO orgs (name) VALUES (?)",
	    "t", "Poltava"), 0);
	e1 = db_epoch(db);
	assert_true(e1 != e0 && e1 != 0);
	assert_int_equal(db_release(db, "unit", 0), -1);
	e2 = db_epoch(db);
	assert_true(e2 != e1 && e2 != 0);
	assert_int_equal(db_int(db, &n, "SELECT count(*) FROM orgs", ""), 1);
	assert_int_equal(n, 0);
	assert_int_equal(db_savepoint(db, "Bad name"), -1);
	assert_int_equal(db_commit(db), 0);
	assert_true(db_epoch(db) == 0);
	assert_int_equal(db_int(db, &n, "SELECT count(*) FROM kv", ""), 1);
	assert_int_equal(n, 2);
	assert_int_equal(db_begin(db), 0);
	assert_true(db_epoch(db) != e2 && db_epoch(db) != 0);
	assert_int_equal(db_rollback(db), 0);
	db_close(db);
	free(path);
}

/*
 * Migration 8 fills subject_people from what was threaded before it: one
 * row per participant, first = 1 for the first of the sorted set.
 */
static void
subject_index_is_filled_from_earlier_messages(void **state)
{
	char *path = tpath("subj.db"), *err = NULL, *got;
	struct db *db;

	if (db_open_at(path, 7, &db, &err) != 0)
		fail_msg("db_open_at 7: %s", err);
	assert_int_equal(db_exec(db, "INSERT INTO messages (message_id, "
	    "content_hash, date, from_email, body, kind, subject_base, people, "
	    "subject_root) VALUES ('m1', '', 100, 'a@x', '', 'correspondence', "
	    "'visit', 'a@x' || char(10) || 'b@y' || char(10) || 'c@z', 1), "
	    "('m2', '', NULL, 'b@y', '', 'correspondence', 'visit', 'b@y', 0),"
	    "('m3', '', 300, 'b@y', '', 'correspondence', 'visit', NULL, 1),"
	    "('m4', '', 400, 'd@y', '', 'correspondence', NULL, 'd@y', 1)",
	    ""), 0);
	assert_int_equal(db_exec(db, "UPDATE messages SET internal_date = 200 "
	    "WHERE message_id = 'm2'", ""), 0);
	db_close(db);
	db = open_ok(path, DB_MIGRATE);
	/* Keys are mistok_key() hashes; name them back for the check. */
	got = query1(db_handle(db), "SELECT group_concat(b || ' ' || p || ' ' "
	    "|| date || ' ' || first || ' ' || root, ';') FROM (SELECT CASE "
	    "base WHEN mistok_key('visit') THEN 'visit' ELSE '?' END AS b, "
	    "CASE person WHEN mistok_key('a@x') THEN 'a@x' WHEN "
	    "mistok_key('b@y') THEN 'b@y' WHEN mistok_key('c@z') THEN 'c@z' "
	    "ELSE '?' END AS p, date, first, root FROM subject_people "
	    "ORDER BY date, p)");
	assert_string_equal(got, "visit a@x 100 1 1;visit b@y 100 0 1;"
	    "visit c@z 100 0 1;visit b@y 200 1 0");
	free(got);
	db_close(db);
	free(path);
}

/*
 * A file left at every older version migrates to the same schema as a
 * fresh one, and keeps its rows.
 */
static void
old_versions_migrate_to_the_fresh_schema(void **state)
{
	char *fresh_path = tpath("mig-fresh.db"), *fresh_schema;
	struct db *db;
	char *err = NULL, *path, *schema;
	int64_t n;
	int v;

	db = open_ok(fresh_path, DB_CREATE | DB_MIGRATE);
	fresh_schema = schema_text(db_handle(db));
	db_close(db);

	for (v = 0; v < db_latest_version(); v++) {
		path = xasprintf("%s/mig-v%d.db", tmpdir, v);
		if (db_open_at(path, v, &db, &err) != 0)
			fail_msg("db_open_at %d: %s", v, err);
		assert_int_equal(db_schema_version(db), v);
		if (v >= 1)
			assert_int_equal(db_exec(db, "INSERT INTO orgs (name, "
			    "country) VALUES (?, ?)", "tt", "Kharkiv", "UA"),
			    0);
		db_close(db);

		/* Without DB_MIGRATE the file is left as it is. */
		db = open_ok(path, 0);
		assert_int_equal(db_schema_version(db), v);
		db_close(db);

		db = open_ok(path, DB_MIGRATE);
		assert_int_equal(db_schema_version(db), db_latest_version());
		schema = schema_text(db_handle(db));
		assert_string_equal(schema, fresh_schema);
		free(schema);
		if (v >= 1) {
			assert_int_equal(db_int(db, &n, "SELECT count(*) FROM "
			    "orgs WHERE name = ?", "t", "Kharkiv"), 1);
			assert_int_equal(n, 1);
		}
		db_close(db);
		free(path);
	}
	free(fresh_schema);
	free(fresh_path);
}

/*
 * tests/data/db/v1.sql is a database written by schema version 1 (frozen):
 * editing migration 1 in place instead of adding a migration breaks this.
 */
static void
frozen_v1_file_migrates_and_keeps_its_rows(void **state)
{
	const char *top = getenv("TOP") ? getenv("TOP") : ".";
	char *fixture = xasprintf("%s/tests/data/db/v1.sql", top);
	char *path = tpath("v1.db"), *fresh_path = tpath("v1-fresh.db");
	char *sql, *msg = NULL, *a, *b;
	struct db *db;
	sqlite3 *sq;
	FILE *f;
	long len;
	int64_t n;

	f = fopen(fixture, "r");
	if (f == NULL)
		fail_msg("%s: %s", fixture, strerror(errno));
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	sql = xmalloc(len + 1);
	assert_int_equal(fread(sql, 1, len, f), (size_t)len);
	sql[len] = '\0';
	fclose(f);
	assert_int_equal(sqlite3_open(path, &sq), SQLITE_OK);
	if (sqlite3_exec(sq, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", fixture, msg);
	sqlite3_close(sq);
	free(sql);

	db = open_ok(path, DB_MIGRATE);
	assert_int_equal(db_schema_version(db), db_latest_version());
	assert_int_equal(db_int(db, &n, "SELECT count(*) FROM partnerships "
	    "p JOIN orgs u ON u.id = p.ua_org JOIN orgs a ON a.id = p.us_org "
	    "WHERE p.slug = ?", "t", "lviv-madison"), 1);
	assert_int_equal(n, 1);
	assert_int_equal(db_int(db, &n, "SELECT count(*) FROM messages", ""),
	    1);
	assert_true(n >= 1);
	a = schema_text(db_handle(db));
	db_close(db);
	db = open_ok(fresh_path, DB_CREATE | DB_MIGRATE);
	b = schema_text(db_handle(db));
	db_close(db);
	assert_string_equal(a, b);
	free(a);
	free(b);
	free(path);
	free(fresh_path);
	free(fixture);
}

static void
failed_migration_rolls_back_whole_step(void **state)
{
	static const char *const migs[] = {
		"CREATE TABLE a (x INTEGER);",
		"CREATE TABLE b (y INTEGER); INSERT INTO a VALUES (1); "
		    "CREATE TABLE broken (",
	};
	char *path = tpath("rollback.db"), *err = NULL;
	struct db *db = NULL;
	int64_t n;

	assert_int_equal(db_open_list(path, migs, 1, &db, &err), 0);
	db_close(db);
	assert_int_equal(db_open_list(path, migs, 2, &db, &err), -1);
	assert_non_null(strstr(err, "schema version 2"));
	free(err);
	assert_int_equal(db_open_list(path, migs, 1, &db, &err), 0);
	assert_int_equal(db_schema_version(db), 1);
	assert_int_equal(db_int(db, &n, "SELECT count(*) FROM sqlite_schema "
	    "WHERE name = 'b'", ""), 1);
	assert_int_equal(n, 0);
	assert_int_equal(db_int(db, &n, "SELECT count(*) FROM a", ""), 1);
	assert_int_equal(n, 0);
	db_close(db);
	free(path);
}

static void
newer_schema_is_refused(void **state)
{
	char *path = tpath("newer.db"), *err = NULL, *set;
	struct db *db = open_ok(path, DB_CREATE | DB_MIGRATE);

	set = xasprintf("PRAGMA user_version = %d", db_latest_version() + 1);
	assert_int_equal(sqlite3_exec(db_handle(db), set, NULL, NULL, NULL),
	    SQLITE_OK);
	free(set);
	db_close(db);
	db = NULL;
	assert_int_equal(db_open(path, DB_MIGRATE, &db, &err), -1);
	assert_null(db);
	assert_non_null(strstr(err, "newer than this mistok knows"));
	free(err);
	/* A backup may still copy it. */
	db = open_ok(path, DB_ANYVERSION);
	assert_int_equal(db_schema_version(db), db_latest_version() + 1);
	db_close(db);
	free(path);
}

/* The writer: one org and its domain per transaction, until killed. */
static void
writer(const char *path)
{
	struct db *db;
	char *err, name[32];
	int i;

	if (db_open(path, DB_MIGRATE, &db, &err) != 0)
		_exit(1);
	for (i = 0; i < 200000; i++) {
		snprintf(name, sizeof(name), "w%d.test", i);
		if (db_begin(db) == -1 ||
		    db_exec(db, "INSERT INTO orgs (name) VALUES (?)", "t",
		    name) == -1 ||
		    db_exec(db, "INSERT INTO org_domains (org, domain) VALUES "
		    "(?, ?)", "It", db_last_id(db), name) == -1 ||
		    db_commit(db) == -1)
			_exit(2);
	}
	db_close(db);
	_exit(0);
}

static void
backup_is_consistent_while_another_process_writes(void **state)
{
	char *path = tpath("live.db"), *copy = tpath("copy.db");
	char *tmp = tpath("copy.db.tmp"), *err = NULL, *s;
	struct db *db = open_ok(path, DB_CREATE | DB_MIGRATE), *bdb;
	int64_t orgs = 0, domains = -1, before;
	pid_t pid;
	int status, i;

	pid = fork();
	assert_true(pid != -1);
	if (pid == 0)
		writer(path);
	/* Wait until the writer is well under way. */
	for (i = 0; i < 1000 && orgs < 50; i++) {
		usleep(10000);
		assert_int_equal(db_int(db, &orgs, "SELECT count(*) FROM orgs",
		    ""), 1);
	}
	assert_true(orgs >= 50);
	if (db_backup(db, copy, 0, &err) != 0)
		fail_msg("backup: %s", err);
	assert_int_equal(db_int(db, &before, "SELECT count(*) FROM orgs", ""),
	    1);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	/* The writer was still running: it did not finish or fail. */
	assert_true(WIFSIGNALED(status));

	assert_int_equal(access(tmp, F_OK), -1);
	bdb = open_ok(copy, 0);
	s = query1(db_handle(bdb), "PRAGMA integrity_check");
	assert_string_equal(s, "ok");
	free(s);
	assert_int_equal(db_int(bdb, &orgs, "SELECT count(*) FROM orgs", ""),
	    1);
	assert_int_equal(db_int(bdb, &domains, "SELECT count(*) FROM "
	    "org_domains", ""), 1);
	/* A snapshot: whole transactions only, and some of them. */
	assert_int_equal(orgs, domains);
	assert_true(orgs >= 50);
	assert_true(orgs <= before);
	assert_int_equal(db_schema_version(bdb), db_latest_version());
	db_close(bdb);

	/* An existing file is kept unless forced. */
	assert_int_equal(db_backup(db, copy, 0, &err), -1);
	assert_non_null(strstr(err, "already exists"));
	free(err);
	assert_int_equal(db_backup(db, copy, 1, &err), 0);
	bdb = open_ok(copy, 0);
	assert_int_equal(db_int(bdb, &orgs, "SELECT count(*) FROM orgs", ""),
	    1);
	assert_true(orgs >= before);
	db_close(bdb);
	db_close(db);
	free(path);
	free(copy);
	free(tmp);
}

static void
status_reports_folders_and_counts(void **state)
{
	char *path = tpath("status.db"), *err = NULL;
	struct db *db = open_ok(path, DB_CREATE | DB_MIGRATE);
	struct db_status st;

	assert_int_equal(db_status(db, &st, &err), 0);
	assert_int_equal(st.schema_version, db_latest_version());
	assert_int_equal(st.nfolders, 0);
	assert_int_equal(st.unreachable_since, 0);
	db_status_free(&st);

	assert_int_equal(db_exec(db, "INSERT INTO sync_state (folder, "
	    "uidvalidity, last_uid, last_sync) VALUES (?, ?, ?, ?), "
	    "(?, ?, ?, ?)", "tIIItIIn", "INBOX", (int64_t)42, (int64_t)7,
	    (int64_t)1796133600, "Sent", (int64_t)43, (int64_t)0), 0);
	assert_int_equal(db_kv_set(db, "unreachable_since", "1796130000"), 0);
	assert_int_equal(db_exec(db, "INSERT INTO messages (content_hash, "
	    "kind) VALUES ('h1', 'quarantined'), ('h2', 'correspondence')",
	    ""), 0);
	assert_int_equal(db_exec(db, "INSERT INTO outbox (dedupe_key, raw, "
	    "env_from, recipients, status) VALUES ('a', '', 'f', 'r', "
	    "'queued'), ('b', '', 'f', 'r', 'failed'), ('c', '', 'f', 'r', "
	    "'sent'), ('d', '', 'f', 'r', 'queued')", ""), 0);

	assert_int_equal(db_status(db, &st, &err), 0);
	assert_int_equal(st.nfolders, 2);
	assert_string_equal(st.folders[0].name, "INBOX");
	assert_int_equal(st.folders[0].uidvalidity, 42);
	assert_int_equal(st.folders[0].last_uid, 7);
	assert_int_equal(st.folders[0].last_sync, 1796133600);
	assert_string_equal(st.folders[1].name, "Sent");
	assert_int_equal(st.folders[1].last_sync, 0);
	assert_int_equal(st.unreachable_since, 1796130000);
	assert_int_equal(st.quarantined, 1);
	assert_int_equal(st.outbox_queued, 2);
	assert_int_equal(st.outbox_failed, 1);
	db_status_free(&st);
	db_close(db);
	free(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fresh_file_is_wal_full_fk_private),
		cmocka_unit_test(missing_file_without_create_is_an_error),
		cmocka_unit_test(foreign_keys_and_checks_hold),
		cmocka_unit_test(statements_are_cached_and_bound),
		cmocka_unit_test(transactions_commit_and_roll_back),
		cmocka_unit_test(savepoints_and_the_directory_epoch),
		cmocka_unit_test(subject_index_is_filled_from_earlier_messages),
		cmocka_unit_test(old_versions_migrate_to_the_fresh_schema),
		cmocka_unit_test(frozen_v1_file_migrates_and_keeps_its_rows),
		cmocka_unit_test(failed_migration_rolls_back_whole_step),
		cmocka_unit_test(newer_schema_is_refused),
		cmocka_unit_test(backup_is_consistent_while_another_process_writes),
		cmocka_unit_test(status_reports_folders_and_counts),
	};

	log_init(1, "test_db");
	return cmocka_run_group_tests(tests, setup, teardown);
}
