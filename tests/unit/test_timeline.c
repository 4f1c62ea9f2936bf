/*
 * timeline: the triage list (only correspondence and commands without a
 * partnership, newest first), a person's assignment (the thread moves,
 * messages already there or assigned elsewhere are not "moved", the
 * sender learned only at the partnership's organisations, an events row,
 * nothing changed on error) and a partnership's timeline (threads by
 * first date, meetings and stage changes interleaved). The directory and
 * helpers are fixture_net.h's, shared with test_match.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "log.h"
#include "match.h"
#include "mime.h"
#include "store.h"
#include "thread.h"
#include "timeline.h"
#include "util.h"

#define FIXTURE_NET_TMPDIR	"/tmp/mistok-test-timeline.XXXXXX"
#include "fixture_net.h"

static int64_t
count(struct db *db, const char *sql)
{
	int64_t n = -1;

	assert_int_equal(db_int(db, &n, sql, ""), 1);
	return n;
}

static void
unassigned_lists_only_mail_to_triage_newest_first(void **state)
{
	struct db *db = fresh_db();
	struct tl_message *v = NULL;
	size_t n = 0;
	int64_t a, b, c;
	char *err = NULL;

	/* Madison alone: in 12 and 13, so no partnership. */
	a = add(db, "Message-ID: <u1@x>\nFrom: Bob <bob@cityofmadison.com>\n"
	    "To: team@c4c.test\nCc: Erin <erin@state.gov>\nSubject: Conference\n"
	    "Date: Mon, 2 Mar 2026 10:00:00 +0000\n", NULL);
	b = add(db, "Message-ID: <u2@x>\nFrom: bob@cityofmadison.com\n"
	    "To: team@c4c.test\nSubject: Budget\n"
	    "Date: Wed, 4 Mar 2026 10:00:00 +0000\n", NULL);
	/* Not for triage: a list, an auto-reply; filed: Lviv. */
	(void)add(db, "Message-ID: <u3@x>\nFrom: news@news.test\n"
	    "To: team@c4c.test\nList-Id: <news.news.test>\nSubject: News\n"
	    "Date: Thu, 5 Mar 2026 10:00:00 +0000\n", NULL);
	(void)add(db, "Message-ID: <u4@x>\nFrom: bob@cityofmadison.com\n"
	    "To: team@c4c.test\nAuto-Submitted: auto-replied\n"
	    "Subject: Out of office\nDate: Thu, 5 Mar 2026 11:00:00 +0000\n",
	    NULL);
	c = add(db, "Message-ID: <u5@x>\nFrom: alice@lviv-rada.gov.ua\n"
	    "To: team@c4c.test\nSubject: Hello\n"
	    "Date: Fri, 6 Mar 2026 10:00:00 +0000\n", NULL);
	assert_why(db, c, "12 participants");
	assert_int_equal(timeline_unassigned(db, &v, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(v[0].id, b);
	assert_int_equal(v[1].id, a);
	assert_string_equal(v[1].from.name, "Bob");
	assert_string_equal(v[1].from.email, "bob@cityofmadison.com");
	assert_int_equal(v[1].nto, 1);
	assert_string_equal(v[1].to[0].email, "team@c4c.test");
	assert_int_equal(v[1].ncc, 1);
	assert_string_equal(v[1].cc[0].email, "erin@state.gov");
	assert_string_equal(v[1].kind, "correspondence");
	assert_string_equal(v[1].rule, "none");
	assert_null(v[1].slug);
	assert_true(v[1].thread > 0);
	tl_messages_free(v, n);
	db_close(db);
}

static void
assign_moves_the_thread_and_says_what_moved(void **state)
{
	struct db *db = fresh_db();
	struct tl_assign a;
	struct tl_message *v = NULL;
	size_t n = 0;
	int64_t m1, m2, m3, other;
	char *err = NULL;

	m1 = add(db, "Message-ID: <t1@x>\nFrom: bob@cityofmadison.com\n"
	    "To: team@c4c.test\nSubject: Visit\n"
	    "Date: Mon, 2 Mar 2026 10:00:00 +0000\n", NULL);
	m2 = add(db, "Message-ID: <t2@x>\nFrom: coord@c4c.test\n"
	    "To: bob@cityofmadison.com\nSubject: Re: Visit\n"
	    "In-Reply-To: <t1@x>\nReferences: <t1@x>\n"
	    "Date: Mon, 2 Mar 2026 11:00:00 +0000\n", NULL);
	m3 = add(db, "Message-ID: <t3@x>\nFrom: bob@cityofmadison.com\n"
	    "To: coord@c4c.test\nSubject: Re: Visit\n"
	    "In-Reply-To: <t2@x>\nReferences: <t1@x> <t2@x>\n"
	    "Date: Mon, 2 Mar 2026 12:00:00 +0000\n", NULL);
	other = add(db, "Message-ID: <t4@x>\nFrom: bob@cityofmadison.com\n"
	    "To: team@c4c.test\nSubject: Something else\n"
	    "Date: Tue, 3 Mar 2026 12:00:00 +0000\n", NULL);
	assert_why(db, m1, "0 none");
	/* A person put m3 under 14 before: it stays there. */
	assert_int_equal(match_assign(db, m3, 14, &err), 0);
	assert_why(db, m1, "14 thread");

	assert_int_equal(timeline_assign(db, m2, 13, &ctx, "cli", &a, &err),
	    0);
	assert_int_equal(a.thread, thread_id(db, m1));
	assert_int_equal(a.old, 14);
	assert_string_equal(a.old_slug, "odesa-austin");
	assert_string_equal(a.slug, "kharkiv-madison");
	assert_int_equal(a.nmoved, 2);
	assert_int_equal(a.moved[0].id, m1);
	assert_int_equal(a.moved[1].id, m2);
	assert_string_equal(a.moved[1].rule, "assigned");
	assert_int_equal(a.sender, TL_SENDER_TEAM);
	tl_assign_free(&a);
	assert_why(db, m1, "13 thread");
	assert_why(db, m2, "13 assigned");
	assert_why(db, m3, "14 assigned");
	assert_why(db, other, "0 none");
	assert_int_equal(count(db, "SELECT count(*) FROM events WHERE action "
	    "= 'assign' AND actor = 'cli' AND object = 'message:2'"), 1);

	/* Again: nothing moves any more. */
	assert_int_equal(timeline_assign(db, m1, 13, &ctx, "cli", &a, &err),
	    0);
	assert_int_equal(a.nmoved, 0);
	assert_int_equal(a.sender, TL_SENDER_KNOWN);
	assert_int_equal(a.contact, 2);
	tl_assign_free(&a);

	/* Errors change nothing. */
	assert_int_equal(timeline_assign(db, 999999, 13, &ctx, "cli", &a,
	    &err), -1);
	assert_string_equal(err, "no message 999999");
	free(err);
	err = NULL;
	assert_int_equal(timeline_assign(db, other, 99, &ctx, "cli", &a,
	    &err), -1);
	assert_non_null(err);
	free(err);
	err = NULL;
	assert_why(db, other, "0 none");
	assert_int_equal(count(db, "SELECT count(*) FROM events WHERE action "
	    "= 'assign'"), 2);
	assert_int_equal(db_in_transaction(db), 0);
	assert_int_equal(timeline_unassigned(db, &v, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].id, other);
	tl_messages_free(v, n);
	db_close(db);
}

static void
assign_learns_the_sender_only_at_the_partnerships_organisations(void **state)
{
	struct db *db = fresh_db();
	struct tl_assign a;
	int64_t parks, odesa, gmail, org = 0;
	char *err = NULL;

	/* Domains nobody knew when the mail came in. */
	parks = add(db, "Message-ID: <l1@x>\nFrom: Pat <pat@madison-parks.org>\n"
	    "To: team@c4c.test\nSubject: Parks\n"
	    "Date: Mon, 2 Mar 2026 10:00:00 +0000\n", NULL);
	odesa = add(db, "Message-ID: <l2@x>\nFrom: ivan@odesa-new.gov.ua\n"
	    "To: team@c4c.test\nSubject: Port\n"
	    "Date: Mon, 2 Mar 2026 11:00:00 +0000\n", NULL);
	gmail = add(db, "Message-ID: <l3@x>\nFrom: someone@gmail.com\n"
	    "To: team@c4c.test\nSubject: Help\n"
	    "Date: Mon, 2 Mar 2026 12:00:00 +0000\n", NULL);
	assert_int_equal(db_exec(db, "INSERT INTO org_domains (org, domain) "
	    "VALUES (2, 'madison-parks.org'), (7, 'odesa-new.gov.ua')", ""), 0);

	assert_int_equal(timeline_assign(db, parks, 12, &ctx, "cli", &a, &err),
	    0);
	assert_int_equal(a.sender, TL_SENDER_LEARNED);
	assert_string_equal(a.sender_email, "pat@madison-parks.org");
	assert_true(a.contact > 0);
	assert_int_equal(directory_contact_by_email(db,
	    "pat@madison-parks.org", NULL, &org), 1);
	assert_int_equal(org, 2);
	tl_assign_free(&a);

	assert_int_equal(timeline_assign(db, odesa, 12, &ctx, "cli", &a, &err),
	    0);
	assert_int_equal(a.sender, TL_SENDER_OTHER_ORG);
	assert_int_equal(a.contact, 0);
	tl_assign_free(&a);
	assert_int_equal(directory_contact_by_email(db,
	    "ivan@odesa-new.gov.ua", NULL, NULL), 0);

	assert_int_equal(timeline_assign(db, gmail, 12, &ctx, "cli", &a, &err),
	    0);
	assert_int_equal(a.sender, TL_SENDER_UNKNOWN);
	tl_assign_free(&a);
	assert_int_equal(directory_contact_by_email(db, "someone@gmail.com",
	    NULL, NULL), 0);
	assert_why(db, gmail, "12 assigned");
	db_close(db);
}

static void
timeline_interleaves_threads_meetings_and_stages(void **state)
{
	struct db *db = fresh_db();
	struct timeline t;
	int64_t a1, a2, b1;
	char *err = NULL;

	/* Lviv mail: two threads, the later one started first. */
	b1 = add(db, "Message-ID: <b1@x>\nFrom: alice@lviv-rada.gov.ua\n"
	    "To: team@c4c.test\nSubject: Schools\n"
	    "Date: Sun, 1 Mar 2026 09:00:00 +0000\n", NULL);
	a1 = add(db, "Message-ID: <a1@x>\nFrom: alice@lviv-rada.gov.ua\n"
	    "To: bob@cityofmadison.com\nSubject: Library\n"
	    "Date: Tue, 3 Mar 2026 09:00:00 +0000\n", NULL);
	a2 = add(db, "Message-ID: <a2@x>\nFrom: bob@cityofmadison.com\n"
	    "To: alice@lviv-rada.gov.ua\nSubject: Re: Library\n"
	    "In-Reply-To: <a1@x>\nReferences: <a1@x>\n"
	    "Date: Thu, 5 Mar 2026 09:00:00 +0000\n", NULL);
	(void)add(db, "Message-ID: <c1@x>\nFrom: carol@kharkiv.gov.ua\n"
	    "To: team@c4c.test\nSubject: Other\n"
	    "Date: Mon, 2 Mar 2026 09:00:00 +0000\n", NULL);
	/* 2026-03-02 12:00Z and 2026-03-04 12:00Z. */
	assert_int_equal(db_exec(db, "INSERT INTO stage_history (partnership, "
	    "stage, at, actor) VALUES (12, 'contacted', 1772452800, 'cli'), "
	    "(12, 'introduced', 1772625600, 'coord@c4c.test')", ""), 0);
	assert_int_equal(db_exec(db, "INSERT INTO meetings (uid, partnership, "
	    "title, start_utc, duration, status) VALUES ('m@x', 12, 'Call', "
	    "1772539200, 3600, 'scheduled')", ""), 0);
	assert_int_equal(db_exec(db, "INSERT INTO attendees (meeting, email, "
	    "partstat) VALUES (2, 'bob@cityofmadison.com', 'ACCEPTED')", ""),
	    0);

	assert_int_equal(timeline_load(db, 12, &t, &err), 1);
	assert_string_equal(t.p.slug, "lviv-madison");
	assert_int_equal(t.nthreads, 2);
	assert_int_equal(t.threads[0].nmsgs, 1);
	assert_int_equal(t.threads[0].msgs[0].id, b1);
	assert_int_equal(t.threads[1].nmsgs, 2);
	assert_int_equal(t.threads[1].msgs[0].id, a1);
	assert_int_equal(t.threads[1].msgs[1].id, a2);
	assert_int_equal(t.threads[1].last, t.threads[1].msgs[1].date);
	assert_int_equal(t.nmeetings, 1);
	assert_string_equal(t.meetings[0].title, "Call");
	assert_int_equal(t.meetings[0].natt, 1);
	assert_string_equal(t.meetings[0].att[0].partstat, "ACCEPTED");
	/* Sun thread, Mon stage, Tue thread, Tue meeting, Wed stage. */
	assert_int_equal(t.nentries, 5);
	assert_int_equal(t.entries[0].type, TL_THREAD);
	assert_int_equal(t.entries[1].type, TL_STAGE);
	assert_int_equal(t.entries[2].type, TL_THREAD);
	assert_int_equal(t.entries[3].type, TL_MEETING);
	assert_int_equal(t.entries[4].type, TL_STAGE);
	assert_string_equal(t.p.history[t.entries[4].index].stage,
	    "introduced");
	timeline_free(&t);
	assert_int_equal(timeline_load(db, 99, &t, &err), 0);
	db_close(db);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    unassigned_lists_only_mail_to_triage_newest_first),
		cmocka_unit_test(assign_moves_the_thread_and_says_what_moved),
		cmocka_unit_test(
		    assign_learns_the_sender_only_at_the_partnerships_organisations),
		cmocka_unit_test(
		    timeline_interleaves_threads_meetings_and_stages),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
