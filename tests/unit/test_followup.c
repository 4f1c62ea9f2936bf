/*
 * test_followup: the no-loop rule every producer asks (which kinds may be
 * answered), and how a bounce marks an outbox mail (found by recipient
 * and time, marked once per address, the status left "sent").
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "followup.h"
#include "log.h"
#include "outbox.h"
#include "util.h"

static char dir[] = "/tmp/mistok-test-followup.XXXXXX";

static void
never_answers_autoreplies_bounces_or_lists(void **state)
{
	static const char *const no[] = { "autoreply", "bounce", "list",
	    "own", "quarantined", "", "Correspondence" };
	size_t i;

	assert_true(followup_may_answer("correspondence"));
	assert_true(followup_may_answer("command"));
	assert_true(followup_may_answer("imip"));
	for (i = 0; i < nitems(no); i++)
		assert_false(followup_may_answer(no[i]));
	assert_false(followup_may_answer(NULL));
}

static void
bounce_marks_the_mail_sent_to_the_address(void **state)
{
	const char *rcpts[] = { "mayor@lviv.test", "intl@madison.test",
	    NULL };
	const char raw[] = "Subject: x\r\n\r\nx\r\n";
	struct outbox_mail m;
	struct db *db;
	char *path, *err = NULL;
	int64_t id, got;

	assert_non_null(mkdtemp(dir));
	path = xasprintf("%s/f.db", dir);
	assert_int_equal(db_open(path, DB_CREATE | DB_MIGRATE, &db, &err), 0);
	assert_int_equal(outbox_enqueue(db, "k1", raw, strlen(raw),
	    "team@c4c.test", rcpts, "a@c4c.test", "x", 0, &id, &err), 1);
	/* Not sent yet: a DSN cannot be about it. */
	assert_int_equal(outbox_find_sent_to(db, "mayor@lviv.test", 0,
	    4000000000, &got), 0);
	assert_int_equal(db_exec(db, "UPDATE outbox SET status = 'sent', "
	    "sent_at = 1000 WHERE id = ?", "I", id), 0);
	assert_int_equal(outbox_find_sent_to(db, "MAYOR@lviv.test", 500,
	    2000, &got), 1);
	assert_int_equal(got, id);
	/* Outside the window, or another address: nothing. */
	assert_int_equal(outbox_find_sent_to(db, "mayor@lviv.test", 1001,
	    2000, &got), 0);
	assert_int_equal(outbox_find_sent_to(db, "ayor@lviv.test", 0, 2000,
	    &got), 0);
	assert_int_equal(outbox_mark_bounced(db, id, "mayor@lviv.test",
	    "550 5.1.1\r\nBcc: x", &err), 1);
	assert_int_equal(outbox_mark_bounced(db, id, "mayor@lviv.test",
	    "again", &err), 0);
	assert_int_equal(outbox_get(db, id, &m, &err), 1);
	assert_string_equal(m.status, "sent");
	assert_int_equal(m.bounced, 1);
	assert_string_equal(m.rejected,
	    "mayor@lviv.test: bounced: 550 5.1.1 Bcc: x");
	outbox_mail_free(&m);
	assert_int_equal(outbox_mark_bounced(db, id, "intl@madison.test",
	    NULL, &err), 1);
	assert_int_equal(outbox_get(db, id, &m, &err), 1);
	assert_int_equal(m.bounced, 2);
	outbox_mail_free(&m);
	assert_true(outbox_is_notice("bounce-notice:1:a@b"));
	assert_true(outbox_is_notice("failed-notice:1"));
	assert_false(outbox_is_notice("followup:1:a@b:new:2026-01-01"));
	db_close(db);
	free(path);
	path = xasprintf("rm -rf '%s'", dir);
	assert_int_equal(system(path), 0);
	free(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(never_answers_autoreplies_bounces_or_lists),
		cmocka_unit_test(bounce_marks_the_mail_sent_to_the_address),
	};

	log_init(1, "test_followup");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
