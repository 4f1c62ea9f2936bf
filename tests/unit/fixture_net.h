/*
 * fixture_net: the shared fixture of test_match.c and test_timeline.c —
 * a temp directory of databases, each with a small partnership network
 * inserted with SQL, a thread context, and helpers to store a message and
 * ask where it went. Only static helpers for one test binary; it owns no
 * test and never removes anything outside its temp directory.
 */
#ifndef FIXTURE_NET_H
#define FIXTURE_NET_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "mime.h"
#include "store.h"
#include "thread.h"
#include "util.h"

#include "fixture_store.h"

/* The including file names its temp directory (a mkdtemp template). */
#ifndef FIXTURE_NET_TMPDIR
#error "define FIXTURE_NET_TMPDIR before including fixture_net.h"
#endif

static char tmpdir[] = FIXTURE_NET_TMPDIR;
static int dbn;
static const char *const coords[] = { "coord@c4c.test", NULL };
static const struct thread_ctx ctx = { "team@c4c.test", "C4C", coords, 0 };

/*
 * Lviv (UA) and Kharkiv (UA) both partner with the City of Madison (US):
 * lviv-madison is 12, kharkiv-madison 13. Madison Rotary supports 12;
 * the US Embassy is in no partnership; Odesa–Austin is 14.
 */
static const char directory[] =
    "INSERT INTO orgs (id, name, country, kind) VALUES"
    " (1, 'Lviv City Council', 'UA', 'municipality'),"
    " (2, 'City of Madison', 'US', 'municipality'),"
    " (3, 'Kharkiv City Council', 'UA', 'municipality'),"
    " (4, 'Madison Rotary', 'US', 'volunteer'),"
    " (5, 'Cities4Cities', NULL, 'team'),"
    " (6, 'US Embassy Kyiv', 'US', 'diplomatic'),"
    " (7, 'Odesa City Council', 'UA', 'municipality'),"
    " (8, 'City of Austin', 'US', 'municipality');"
    "INSERT INTO org_domains (org, domain) VALUES"
    " (1, 'lviv-rada.gov.ua'), (2, 'cityofmadison.com'),"
    " (3, 'kharkiv.gov.ua'), (4, 'madisonrotary.org'), (5, 'c4c.test'),"
    " (6, 'state.gov'), (7, 'omr.gov.ua'), (8, 'austintexas.gov');"
    "INSERT INTO contacts (id, name, org) VALUES"
    " (1, 'Alice', 1), (2, 'Bob', 2), (3, 'Carol', 3), (4, 'Dave', 4),"
    " (5, 'Coordinator', 5), (6, 'Erin', 6);"
    "INSERT INTO contact_addresses (contact, email) VALUES"
    " (1, 'alice@lviv-rada.gov.ua'), (2, 'bob@cityofmadison.com'),"
    " (3, 'carol@kharkiv.gov.ua'), (4, 'dave.rotary@gmail.com'),"
    " (5, 'coord@c4c.test'), (6, 'erin@state.gov');"
    "INSERT INTO partnerships (id, slug, ua_org, us_org, coordinator) VALUES"
    " (12, 'lviv-madison', 1, 2, 5), (13, 'kharkiv-madison', 3, 2, 5),"
    " (14, 'odesa-austin', 7, 8, 5);"
    "INSERT INTO partnership_orgs (partnership, org) VALUES (12, 4);"
    "INSERT INTO own_ids (msgid, kind, partnership) VALUES"
    " ('mistok.1@c4c.test', 'reminder', 13);"
    "INSERT INTO meetings (uid, partnership) VALUES ('mtg-1@c4c.test', 14);";

static struct db *
fresh_db(void)
{
	struct db *db;
	char *path, *err = NULL;

	path = xasprintf("%s/m%d.db", tmpdir, dbn++);
	assert_int_equal(db_open(path, DB_CREATE | DB_MIGRATE, &db, &err), 0);
	free(path);
	if (sqlite3_exec(db_handle(db), directory, NULL, NULL, NULL) !=
	    SQLITE_OK)
		fail_msg("directory: %s", db_errmsg(db));
	return db;
}

static int
setup(void **state)
{
	return fixture_start(tmpdir, &ctx);
}

static int
teardown(void **state)
{
	return fixture_stop(tmpdir);
}

static int64_t
add(struct db *db, const char *headers, const char *body)
{
	return store_tx(db, headers, body);
}

/* "12 participants", "0 none": partnership and rule of a message. */
static char *
why(struct db *db, int64_t id)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT coalesce(partnership, 0), rule "
	    "FROM messages WHERE id = ?");
	char *s;

	assert_non_null(st);
	assert_int_equal(db_bind(st, "I", id), 0);
	assert_int_equal(db_step(st), 1);
	s = xasprintf("%lld %s", (long long)sqlite3_column_int64(st, 0),
	    sqlite3_column_text(st, 1));
	sqlite3_reset(st);
	return s;
}

#define assert_why(db, id, expect) do {					\
	char *w_ = why((db), (id));					\
	if (strcmp(w_, (expect)) != 0)					\
		fail_msg("message %lld: '%s', expected '%s'",		\
		    (long long)(id), w_, (expect));			\
	free(w_);							\
} while (0)

static int64_t
thread_id(struct db *db, int64_t id)
{
	int64_t t = 0;

	assert_int_equal(db_int(db, &t, "SELECT coalesce(thread, 0) FROM "
	    "messages WHERE id = ?", "I", id), 1);
	return t;
}

#endif /* FIXTURE_NET_H */
