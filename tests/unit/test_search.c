/*
 * search: the lazily kept FTS5 index (db migration 7, search.c) — mail
 * stored before and after a catch-up is found; slices move the cursor;
 * a body rewritten by directory_forget(), an update and a delete leave no
 * stale hit, whether the row was indexed yet or not (FTS5's
 * integrity-check against the content table after each); an id reused
 * below the cursor is indexed at once; the cursor survives reopening.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "db.h"
#include "directory.h"
#include "imap.h"
#include "ingest.h"
#include "mime.h"
#include "search.h"
#include "store.h"
#include "util.h"

static char tmpdir[] = "/tmp/mistok-test-search.XXXXXX";
static struct config *conf;
static uint32_t uid;

static struct config *
load_conf(void)
{
	char *path = xasprintf("%s/t.conf", tmpdir);
	FILE *f = fopen(path, "w");
	struct config *c = NULL;
	struct buf errs;

	assert_non_null(f);
	fprintf(f, "[mailbox]\nhost = localhost\nuser = team@c4c.test\n"
	    "password_command = echo x\n"
	    "[team]\naddress = team@c4c.test\ndomain = c4c.test\n"
	    "coordinators = olena@c4c.test\n[store]\npath = %s/x.db\n",
	    tmpdir);
	fclose(f);
	buf_init(&errs);
	if (config_load(path, &c, &errs) != 0)
		fail_msg("config: %s", errs.data);
	buf_free(&errs);
	free(path);
	return c;
}

static struct db *
open_db(const char *name)
{
	char *path = xasprintf("%s/%s", tmpdir, name), *err = NULL;
	struct db *db;

	if (db_open(path, DB_CREATE | DB_MIGRATE, &db, &err) != 0)
		fail_msg("open: %s", err);
	free(path);
	return db;
}

/* Stores a mail as ingest does; returns its id. */
static int64_t
put(struct db *db, const char *subject, const char *body)
{
	struct store_loc loc = { "INBOX", 1, ++uid };
	struct imap_msg im;
	char *raw, *err = NULL;
	int64_t id = 0;

	raw = xasprintf("From: Anna <anna@kyiv.test>\nTo: team@c4c.test\n"
	    "Subject: %s\nMessage-ID: <s%u@test>\n"
	    "Date: Tue, 01 Dec 2026 10:00:00 +0000\n\n%s\n", subject, uid,
	    body);
	memset(&im, 0, sizeof(im));
	im.uid = uid;
	im.raw = raw;
	im.len = strlen(raw);
	assert_int_equal(db_begin(db), 0);
	if (ingest_store_raw(db, conf, &loc, &im, NULL, &err) < 0)
		fail_msg("store: %s", err);
	assert_int_equal(db_commit(db), 0);
	free(raw);
	assert_int_equal(db_int(db, &id, "SELECT max(id) FROM messages", ""),
	    1);
	return id;
}

/* The ids matching words, as "1 3" (newest first; caller frees). */
static char *
find(struct db *db, const char *words)
{
	struct search_hit *h;
	struct buf b;
	char *err = NULL;
	size_t n, i;

	if (search_query(db, words, 0, 50, &h, &n, NULL, &err) != 0)
		fail_msg("query: %s", err);
	buf_init(&b);
	for (i = 0; i < n; i++)
		buf_printf(&b, "%s%lld", i ? " " : "", (long long)h[i].id);
	buf_addc(&b, '\0');
	search_hits_free(h, n);
	return buf_steal(&b);
}

static void
assert_find(struct db *db, const char *words, const char *want)
{
	char *got = find(db, words);

	if (strcmp(got, want) != 0)
		fail_msg("search '%s': got '%s', want '%s'", words, got, want);
	free(got);
}

static int64_t
backlog(struct db *db)
{
	int64_t n = -1;

	assert_int_equal(search_backlog(db, &n), 0);
	return n;
}

static int64_t
indexed(struct db *db)
{
	int64_t n = -1;

	assert_int_equal(db_int(db, &n, "SELECT count(*) FROM "
	    "messages_fts_docsize", ""), 1);
	return n;
}

/*
 * FTS5's own check of the index, then (the lazy index lags the content
 * table by design) after a catch-up its comparison with the content
 * table: an entry for a row that was never indexed, or stale text, shows
 * here and a catch-up cannot hide it.
 */
static void
assert_index_sound(struct db *db)
{
	if (db_exec(db, "INSERT INTO messages_fts (messages_fts) "
	    "VALUES ('integrity-check')", "") != 0)
		fail_msg("index corrupt: %s", db_errmsg(db));
	assert_true(search_catch_up(db, 100000) >= 0);
	if (db_exec(db, "INSERT INTO messages_fts (messages_fts, rank) "
	    "VALUES ('integrity-check', 1)", "") != 0)
		fail_msg("index differs from the messages: %s",
		    db_errmsg(db));
}

static void
stored_mail_is_found_before_and_after_catch_up(void **state)
{
	struct db *db = open_db("a.db");
	int64_t a, b, c, d;
	char *v = NULL;

	(void)state;
	a = put(db, "Orchard", "apple banana");
	b = put(db, "Fruit", "cherry");
	/* Storing no longer indexes. */
	assert_int_equal(indexed(db), 0);
	assert_int_equal(backlog(db), 2);
	/* A query catches up first. */
	assert_find(db, "banana", "1");
	assert_int_equal(backlog(db), 0);
	assert_int_equal(indexed(db), 2);
	c = put(db, "Dessert", "banana split");
	assert_int_equal(backlog(db), 1);
	assert_find(db, "banana", "3 1");
	(void)a;
	(void)b;
	(void)c;
	/* Slices: one row per call, in id order. */
	d = put(db, "One", "kiwi");
	put(db, "Two", "kiwi mango");
	assert_int_equal(search_catch_up(db, 1), 1);
	assert_int_equal(db_kv_get(db, "fts:upto", &v), 1);
	assert_int_equal(strtoll(v, NULL, 10), d);
	free(v);
	assert_int_equal(backlog(db), 1);
	assert_int_equal(search_catch_up(db, 100), 1);
	assert_int_equal(search_catch_up(db, 100), 0);
	assert_find(db, "kiwi", "5 4");
	/* Query syntax in the words is taken literally. */
	assert_find(db, "kiwi OR cherry", "");
	assert_find(db, "\"mango", "5");
	assert_index_sound(db);
	db_close(db);
}

static void
rewritten_and_deleted_mail_leaves_no_stale_hit(void **state)
{
	struct db *db = open_db("b.db");
	struct dir_forget_stats st;
	int64_t a, b, c;
	char *err = NULL;

	(void)state;
	a = put(db, "Contacts", "write to boris@lviv.test about grants");
	assert_int_equal(search_catch_up(db, 100), 1);
	/* Stored after the catch-up: not indexed yet. */
	b = put(db, "More", "boris@lviv.test knows about grants too");
	assert_int_equal(backlog(db), 1);
	/* Forgetting rewrites both bodies: only the indexed one is
	 * re-indexed by the trigger; the other later, rewritten. */
	memset(&st, 0, sizeof(st));
	if (directory_forget(db, "boris@lviv.test", "test", &st, &err) < 0)
		fail_msg("forget: %s", err);
	assert_true(st.texts >= 2);
	assert_index_sound(db);
	assert_find(db, "boris", "");
	assert_find(db, "lviv", "");
	assert_find(db, "grants", "2 1");
	assert_index_sound(db);

	/* Update and delete of rows indexed and not. */
	c = put(db, "Late", "zebra crossing");
	assert_int_equal(db_exec(db, "UPDATE messages SET body = 'giraffe' "
	    "WHERE id = ?", "I", c), 0);
	assert_int_equal(db_exec(db, "UPDATE messages SET body = 'okapi' "
	    "WHERE id = ?", "I", a), 0);
	assert_index_sound(db);
	assert_find(db, "zebra", "");
	assert_find(db, "giraffe", "3");
	assert_find(db, "okapi", "1");
	assert_find(db, "grants", "2");
	c = put(db, "Gone", "walrus");
	assert_int_equal(db_exec(db, "DELETE FROM messages WHERE id IN (?, ?)",
	    "II", b, c), 0);
	assert_index_sound(db);
	assert_find(db, "walrus", "");
	assert_find(db, "grants", "");

	/* The highest row deleted after indexing: its id comes back below
	 * the cursor and is indexed at once. */
	assert_int_equal(search_catch_up(db, 100), 0);
	c = put(db, "Again", "narwhal");
	assert_int_equal(search_catch_up(db, 100), 1);
	assert_int_equal(db_exec(db, "DELETE FROM messages WHERE id = ?", "I",
	    c), 0);
	assert_int_equal(put(db, "Reused", "beluga"), c);
	assert_int_equal(backlog(db), 0);
	assert_find(db, "beluga", "4");
	assert_find(db, "narwhal", "");
	assert_int_equal(db_exec(db, "DELETE FROM messages WHERE id = ?", "I",
	    c), 0);
	assert_index_sound(db);
	db_close(db);
}

static void
cursor_survives_reopening(void **state)
{
	struct db *db = open_db("c.db");

	(void)state;
	put(db, "A", "tulip");
	put(db, "B", "tulip rose");
	assert_int_equal(search_catch_up(db, 1), 1);
	db_close(db);
	db = open_db("c.db");
	assert_int_equal(backlog(db), 1);
	assert_int_equal(indexed(db), 1);
	assert_int_equal(search_catch_up(db, 10), 1);
	assert_find(db, "tulip", "2 1");
	db_close(db);
	db = open_db("c.db");
	assert_int_equal(backlog(db), 0);
	assert_int_equal(search_catch_up(db, 10), 0);
	assert_find(db, "rose", "2");
	assert_index_sound(db);
	db_close(db);
}

static void
an_index_of_schema_6_carries_on(void **state)
{
	char *path = xasprintf("%s/d.db", tmpdir), *err = NULL, *v = NULL;
	struct db *db;
	int64_t last;

	(void)state;
	/* Version 6 indexed each message in its insert trigger. */
	if (db_open_at(path, 6, &db, &err) != 0)
		fail_msg("open: %s", err);
	put(db, "Old", "lilac");
	last = put(db, "Older", "lilac iris");
	assert_int_equal(indexed(db), 2);
	db_close(db);
	db = open_db("d.db");
	assert_int_equal(db_kv_get(db, "fts:upto", &v), 1);
	assert_int_equal(strtoll(v, NULL, 10), last);
	free(v);
	assert_int_equal(backlog(db), 0);
	assert_int_equal(search_catch_up(db, 10), 0);
	put(db, "New", "iris");
	assert_find(db, "iris", "3 2");
	assert_index_sound(db);
	db_close(db);
	free(path);
}

static int
setup(void **state)
{
	(void)state;
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	mime_init();
	conf = load_conf();
	return 0;
}

static int
teardown(void **state)
{
	char *cmd = xasprintf("rm -rf '%s'", tmpdir);
	int rc;

	(void)state;
	config_free(conf);
	mime_shutdown();
	rc = system(cmd);
	free(cmd);
	return rc == 0 ? 0 : -1;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(stored_mail_is_found_before_and_after_catch_up),
		cmocka_unit_test(rewritten_and_deleted_mail_leaves_no_stale_hit),
		cmocka_unit_test(cursor_survives_reopening),
		cmocka_unit_test(an_index_of_schema_6_carries_on),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
