/*
 * fixture_store: the threading hooks on store_message() for a test
 * binary's life (its setup and teardown), and store_message() of a
 * message written as header lines and a body, the way ingest stores it,
 * inside the caller's transaction or in one of its own. Only
 * static helpers for one test binary (test_thread.c, and through
 * fixture_net.h test_match.c and test_timeline.c).
 */
#ifndef FIXTURE_STORE_H
#define FIXTURE_STORE_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "mime.h"
#include "store.h"
#include "thread.h"
#include "util.h"

/* A group setup: the temp directory (a mkdtemp template), GMime, and
 * threading with ctx (which must outlive the tests) on every store. */
static int
fixture_start(char *tmpdir, const struct thread_ctx *ctx)
{
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	mime_init();
	store_set_before_insert(thread_store_before, (void *)ctx);
	store_set_after_insert(thread_store_hook, (void *)ctx);
	return 0;
}

/* The group teardown: all of it undone, the directory removed. */
static int
fixture_stop(const char *tmpdir)
{
	char *cmd = xasprintf("rm -rf '%s'", tmpdir);
	int rc = system(cmd);

	free(cmd);
	store_set_before_insert(NULL, NULL);
	store_set_after_insert(NULL, NULL);
	mime_shutdown();
	return rc == 0 ? 0 : -1;
}

/* Each message gets the next UID of INBOX. */
static uint32_t fixture_uid;

/* In the caller's transaction; body NULL: "Hello.". Returns the id. */
static int64_t
store_in_tx(struct db *db, const char *headers, const char *body)
{
	struct store_loc loc = { "INBOX", 1, ++fixture_uid };
	struct msg *m = NULL;
	char *raw, *err = NULL;
	int64_t id = 0;

	raw = xasprintf("%s\n%s", headers, body ? body : "Hello.\n");
	assert_int_equal(mime_parse(raw, strlen(raw), NULL, &m), 0);
	if (store_message(db, m, NULL, &loc, &id, &err) < 0)
		fail_msg("store: %s", err ? err : "?");
	msg_free(m);
	free(raw);
	return id;
}

/* The same in a transaction of its own. */
static int64_t
store_tx(struct db *db, const char *headers, const char *body)
{
	int64_t id;

	assert_int_equal(db_begin(db), 0);
	id = store_in_tx(db, headers, body);
	assert_int_equal(db_commit(db), 0);
	return id;
}

#endif /* FIXTURE_STORE_H */
