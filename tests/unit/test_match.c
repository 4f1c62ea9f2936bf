/*
 * match: every rule on a small directory inserted with SQL — own ids
 * after a provider rewrote the Message-ID, plus addresses (To and
 * Delivered-To), subject tags, thread ancestry and unassigned messages
 * following, meeting UIDs, two partnerships sharing one US city,
 * BCC-only mail, a new staff member at the council (learned contact), a
 * partner forwarding the thread to a colleague, a person's assignment.
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
#include "util.h"

#define FIXTURE_NET_TMPDIR	"/tmp/mistok-test-match.XXXXXX"
#include "fixture_net.h"

static void
own_id_in_references_wins_after_a_rewrite(void **state)
{
	struct db *db = fresh_db();
	int64_t sent, reply;

	/* The reply (Bob: ambiguous by participants) names our own id only
	 * in References; its In-Reply-To is the provider's rewrite. It
	 * arrives before our Sent copy. */
	reply = add(db, "Message-ID: <r1@cityofmadison.com>\n"
	    "From: bob@cityofmadison.com\nTo: team@c4c.test\n"
	    "Subject: Re: Reminder\nIn-Reply-To: <0100abc@email.amazonses.com>\n"
	    "References: <mistok.1@c4c.test> <0100abc@email.amazonses.com>\n"
	    "Date: Tue, 3 Mar 2026 10:00:00 -0600\n", NULL);
	assert_why(db, reply, "13 own-id");
	sent = add(db, "Message-ID: <mistok.1@c4c.test>\nFrom: team@c4c.test\n"
	    "To: bob@cityofmadison.com\nSubject: Reminder\n"
	    "References: <mistok.1@c4c.test>\n"
	    "Date: Mon, 2 Mar 2026 10:00:00 +0000\n", NULL);
	assert_int_equal(thread_id(db, sent), thread_id(db, reply));
	assert_why(db, sent, "13 own-id");	/* our own mail */
	db_close(db);
}

static void
plus_address_and_delivered_to(void **state)
{
	struct db *db = fresh_db();

	assert_why(db, add(db, "Message-ID: <p1@x>\nFrom: someone@gmail.com\n"
	    "To: Team <team+p12@c4c.test>\nSubject: hi\n"
	    "Date: Mon, 2 Mar 2026 10:00:00 +0000\n", NULL), "12 plus-address");
	assert_why(db, add(db, "Message-ID: <p2@x>\nFrom: someone@gmail.com\n"
	    "To: team@c4c.test\nDelivered-To: team+p13@c4c.test\n"
	    "Subject: hello\nDate: Mon, 2 Mar 2026 11:00:00 +0000\n", NULL),
	    "13 plus-address");
	/* An unknown partnership number, or another mailbox's plus. */
	assert_why(db, add(db, "Message-ID: <p3@x>\nFrom: someone@gmail.com\n"
	    "To: team+p99@c4c.test, other+p12@c4c.test\nSubject: hey\n"
	    "Date: Mon, 2 Mar 2026 12:00:00 +0000\n", NULL), "0 none");
	db_close(db);
}

static void
subject_tag_needs_exactly_one(void **state)
{
	struct db *db = fresh_db();

	assert_why(db, add(db, "Message-ID: <g1@x>\nFrom: someone@gmail.com\n"
	    "To: team@c4c.test\nSubject: Re: [c4c #13] notes\n"
	    "Date: Mon, 2 Mar 2026 10:00:00 +0000\n", NULL), "13 subject-tag");
	assert_why(db, add(db, "Message-ID: <g2@x>\nFrom: someone@gmail.com\n"
	    "To: team@c4c.test\nSubject: [C4C #12] [C4C #13] both\n"
	    "Date: Mon, 2 Mar 2026 11:00:00 +0000\n", NULL), "0 none");
	assert_why(db, add(db, "Message-ID: <g3@x>\nFrom: someone@gmail.com\n"
	    "To: team@c4c.test\nSubject: [XYZ #12] not ours\n"
	    "Date: Mon, 2 Mar 2026 12:00:00 +0000\n", NULL), "0 none");
	db_close(db);
}

static void
meeting_uid_of_a_calendar_reply(void **state)
{
	struct db *db = fresh_db();
	int64_t id;

	id = add(db, "Message-ID: <cal@x>\nFrom: guest@gmail.com\n"
	    "To: team@c4c.test\nSubject: Accepted: call\n"
	    "MIME-Version: 1.0\n"
	    "Content-Type: text/calendar; charset=UTF-8; method=REPLY\n"
	    "Date: Mon, 2 Mar 2026 10:00:00 +0000\n",
	    "BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\n"
	    "UID:mtg-1@\r\n c4c.test\r\nATTENDEE;PARTSTAT=ACCEPTED:mailto:"
	    "guest@gmail.com\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n");
	assert_why(db, id, "14 meeting-uid");
	db_close(db);
}

static void
same_us_city_in_two_partnerships(void **state)
{
	struct db *db = fresh_db();

	/* Madison alone is in 12 and 13: ambiguous, never a guess. */
	assert_why(db, add(db, "Message-ID: <c1@x>\n"
	    "From: bob@cityofmadison.com\nTo: team@c4c.test\n"
	    "Subject: a\nDate: Mon, 2 Mar 2026 10:00:00 +0000\n", NULL),
	    "0 none");
	/* With Lviv (or the Rotary, a supporting org of 12): 12. */
	assert_why(db, add(db, "Message-ID: <c2@x>\n"
	    "From: bob@cityofmadison.com\nTo: team@c4c.test\n"
	    "Cc: alice@lviv-rada.gov.ua\n"
	    "Subject: b\nDate: Mon, 2 Mar 2026 11:00:00 +0000\n", NULL),
	    "12 participants");
	assert_why(db, add(db, "Message-ID: <c3@x>\n"
	    "From: dave.rotary@gmail.com\nTo: bob@cityofmadison.com\n"
	    "Subject: c\nDate: Mon, 2 Mar 2026 12:00:00 +0000\n", NULL),
	    "12 participants");
	/* With Kharkiv: 13. With both: nothing they all share. */
	assert_why(db, add(db, "Message-ID: <c4@x>\n"
	    "From: carol@kharkiv.gov.ua\nTo: BOB@cityofmadison.com\n"
	    "Subject: d\nDate: Mon, 2 Mar 2026 13:00:00 +0000\n", NULL),
	    "13 participants");
	assert_why(db, add(db, "Message-ID: <c5@x>\n"
	    "From: carol@kharkiv.gov.ua\nTo: bob@cityofmadison.com, "
	    "alice@lviv-rada.gov.ua\n"
	    "Subject: e\nDate: Mon, 2 Mar 2026 14:00:00 +0000\n", NULL),
	    "0 none");
	/* The coordinator does not count; an organisation in no
	 * partnership (the embassy) does not veto. */
	assert_why(db, add(db, "Message-ID: <c6@x>\n"
	    "From: coord@c4c.test\nTo: bob@cityofmadison.com\n"
	    "Subject: f\nDate: Mon, 2 Mar 2026 15:00:00 +0000\n", NULL),
	    "0 none");
	assert_why(db, add(db, "Message-ID: <c7@x>\n"
	    "From: coord@c4c.test\nTo: alice@lviv-rada.gov.ua\n"
	    "Cc: erin@state.gov\n"
	    "Subject: g\nDate: Mon, 2 Mar 2026 16:00:00 +0000\n", NULL),
	    "12 participants");
	db_close(db);
}

static void
bcc_only_mail_is_not_linked(void **state)
{
	struct db *db = fresh_db();

	assert_why(db, add(db, "Message-ID: <b1@x>\n"
	    "From: alice@lviv-rada.gov.ua\nTo: undisclosed-recipients:;\n"
	    "Subject: Newsletter\nDate: Mon, 2 Mar 2026 10:00:00 +0000\n",
	    NULL), "0 none");
	assert_why(db, add(db, "Message-ID: <b2@x>\n"
	    "From: alice@lviv-rada.gov.ua\n"
	    "Subject: Newsletter 2\nDate: Mon, 2 Mar 2026 11:00:00 +0000\n",
	    NULL), "0 none");
	/* The same sender to the team is matched: the BCC is the reason. */
	assert_why(db, add(db, "Message-ID: <b3@x>\n"
	    "From: alice@lviv-rada.gov.ua\nTo: team@c4c.test\n"
	    "Subject: Question\nDate: Mon, 2 Mar 2026 12:00:00 +0000\n",
	    NULL), "12 participants");
	db_close(db);
}

static void
new_staff_member_at_the_council_is_learned(void **state)
{
	struct db *db = fresh_db();
	int64_t n, org;

	assert_why(db, add(db, "Message-ID: <n1@x>\n"
	    "From: Olha Nova <olha.nova@lviv-rada.gov.ua>\nTo: team@c4c.test\n"
	    "Cc: stranger@gmail.com\n"
	    "Subject: I am new here\nDate: Mon, 2 Mar 2026 10:00:00 +0000\n",
	    NULL), "12 participants");
	assert_int_equal(db_int(db, &org, "SELECT c.org FROM contacts c JOIN "
	    "contact_addresses a ON a.contact = c.id WHERE a.email = "
	    "'olha.nova@lviv-rada.gov.ua' AND c.learned = 1 AND "
	    "c.name = 'Olha Nova'", ""), 1);
	assert_int_equal(org, 1);
	/* Unknown senders at unknown domains create nothing. */
	assert_int_equal(db_int(db, &n, "SELECT count(*) FROM "
	    "contact_addresses WHERE email = 'stranger@gmail.com'", ""), 1);
	assert_int_equal(n, 0);
	assert_int_equal(db_int(db, &n, "SELECT count(*) FROM contacts", ""),
	    1);
	assert_int_equal(n, 7);
	/* A subdomain of the council's domain counts too. */
	add(db, "Message-ID: <n2@x>\nFrom: it@mail.lviv-rada.gov.ua\n"
	    "To: team@c4c.test\nSubject: x\n"
	    "Date: Mon, 2 Mar 2026 11:00:00 +0000\n", NULL);
	assert_int_equal(db_int(db, &n, "SELECT count(*) FROM "
	    "contact_addresses WHERE email = 'it@mail.lviv-rada.gov.ua'", ""),
	    1);
	assert_int_equal(n, 1);
	db_close(db);
}

/*
 * Matching remembers directory look-ups within a transaction; a contact
 * learned in an undone savepoint, or a domain added in the middle of the
 * transaction, is not hidden by what it remembered.
 */
static void
directory_changes_inside_one_transaction_are_seen(void **state)
{
	struct db *db = fresh_db();
	int64_t n;

	assert_int_equal(db_begin(db), 0);
	assert_int_equal(db_savepoint(db, "outer"), 0);
	store_in_tx(db, "Message-ID: <u1@x>\nFrom: olha.nova@lviv-rada.gov.ua\n"
	    "To: team@c4c.test\nSubject: a\n"
	    "Date: Mon, 2 Mar 2026 10:00:00 +0000\n", NULL);
	store_in_tx(db, "Message-ID: <u1b@x>\nFrom: olha.nova@lviv-rada.gov.ua\n"
	    "To: team@c4c.test\nSubject: a\n"
	    "Date: Mon, 2 Mar 2026 10:30:00 +0000\n", NULL);
	assert_int_equal(db_release(db, "outer", 0), -1);
	store_in_tx(db, "Message-ID: <u2@x>\nFrom: olha.nova@lviv-rada.gov.ua\n"
	    "To: team@c4c.test\nSubject: b\n"
	    "Date: Mon, 2 Mar 2026 11:00:00 +0000\n", NULL);
	store_in_tx(db, "Message-ID: <u3@x>\nFrom: ivan@kyivcity.gov.ua\n"
	    "To: team@c4c.test\nSubject: c\n"
	    "Date: Mon, 2 Mar 2026 12:00:00 +0000\n", NULL);
	assert_int_equal(db_exec(db, "INSERT INTO org_domains (org, domain) "
	    "VALUES (1, 'kyivcity.gov.ua')", ""), 0);
	store_in_tx(db, "Message-ID: <u4@x>\nFrom: ivan@kyivcity.gov.ua\n"
	    "To: team@c4c.test\nSubject: d\n"
	    "Date: Mon, 2 Mar 2026 13:00:00 +0000\n", NULL);
	assert_int_equal(db_commit(db), 0);
	assert_int_equal(db_int(db, &n, "SELECT count(*) FROM "
	    "contact_addresses a JOIN contacts c ON c.id = a.contact WHERE "
	    "a.email IN ('olha.nova@lviv-rada.gov.ua', 'ivan@kyivcity.gov.ua') "
	    "AND c.learned = 1 AND c.org = 1", ""), 1);
	assert_int_equal(n, 2);
	db_close(db);
}

static void
thread_ancestry_and_unassigned_messages_follow(void **state)
{
	struct db *db = fresh_db();
	int64_t first, second, third;

	/* A stranger starts; nothing is known. */
	first = add(db, "Message-ID: <a1@x>\nFrom: someone@gmail.com\n"
	    "To: team@c4c.test\nSubject: Partnership idea\n"
	    "Date: Mon, 2 Mar 2026 10:00:00 +0000\n", NULL);
	assert_why(db, first, "0 none");
	/* Alice replies: participants decide, the thread takes 12 and the
	 * first message follows. */
	second = add(db, "Message-ID: <a2@x>\nFrom: alice@lviv-rada.gov.ua\n"
	    "To: team@c4c.test\nSubject: Re: Partnership idea\n"
	    "In-Reply-To: <a1@x>\nReferences: <a1@x>\n"
	    "Date: Mon, 2 Mar 2026 11:00:00 +0000\n", NULL);
	assert_why(db, second, "12 participants");
	assert_why(db, first, "12 thread");
	/* Carol (Kharkiv) in the same thread: ancestry comes first. */
	third = add(db, "Message-ID: <a3@x>\nFrom: carol@kharkiv.gov.ua\n"
	    "To: team@c4c.test\nSubject: Re: Partnership idea\n"
	    "In-Reply-To: <a2@x>\nReferences: <a1@x> <a2@x>\n"
	    "Date: Mon, 2 Mar 2026 12:00:00 +0000\n", NULL);
	assert_why(db, third, "12 thread");
	db_close(db);
}

static void
partner_forwards_the_thread_to_a_colleague(void **state)
{
	struct db *db = fresh_db();
	int64_t orig, fwd, reply, n;

	orig = add(db, "Message-ID: <f1@x>\nFrom: bob@cityofmadison.com\n"
	    "To: alice@lviv-rada.gov.ua\nCc: team@c4c.test\n"
	    "Subject: Budget for the visit\n"
	    "Date: Mon, 2 Mar 2026 10:00:00 +0000\n", NULL);
	assert_why(db, orig, "12 participants");
	/* Alice forwards it (no References) to a colleague we never saw. */
	fwd = add(db, "Message-ID: <f2@x>\nFrom: alice@lviv-rada.gov.ua\n"
	    "To: Petro <petro@lviv-rada.gov.ua>\nCc: team@c4c.test\n"
	    "Subject: Fwd: Budget for the visit\n"
	    "Date: Tue, 3 Mar 2026 10:00:00 +0000\n", NULL);
	assert_why(db, fwd, "12 participants");
	assert_int_equal(db_int(db, &n, "SELECT count(*) FROM contacts c JOIN "
	    "contact_addresses a ON a.contact = c.id WHERE a.email = "
	    "'petro@lviv-rada.gov.ua' AND c.learned = 1 AND c.org = 1", ""),
	    1);
	assert_int_equal(n, 1);
	/* New people: a conversation of its own, not glued by subject. */
	assert_int_not_equal(thread_id(db, orig), thread_id(db, fwd));
	/* The colleague answers the forward, to the team only. */
	reply = add(db, "Message-ID: <f3@x>\nFrom: petro@lviv-rada.gov.ua\n"
	    "To: team@c4c.test\nSubject: Re: Fwd: Budget for the visit\n"
	    "In-Reply-To: <f2@x>\nReferences: <f2@x>\n"
	    "Date: Wed, 4 Mar 2026 10:00:00 +0000\n", NULL);
	assert_int_equal(thread_id(db, reply), thread_id(db, fwd));
	assert_why(db, reply, "12 thread");
	db_close(db);
}

static void
a_persons_assignment_moves_the_thread(void **state)
{
	struct db *db = fresh_db();
	int64_t m1, m2, m3, p;
	char *err = NULL;

	m1 = add(db, "Message-ID: <s1@x>\nFrom: bob@cityofmadison.com\n"
	    "To: team@c4c.test\nSubject: Visit\n"
	    "Date: Mon, 2 Mar 2026 10:00:00 +0000\n", NULL);
	m2 = add(db, "Message-ID: <s2@x>\nFrom: alice@lviv-rada.gov.ua\n"
	    "To: bob@cityofmadison.com\nSubject: Re: Visit\n"
	    "In-Reply-To: <s1@x>\nReferences: <s1@x>\n"
	    "Date: Mon, 2 Mar 2026 11:00:00 +0000\n", NULL);
	assert_why(db, m1, "12 thread");
	assert_why(db, m2, "12 participants");
	assert_int_equal(match_assign(db, m1, 13, &err), 0);
	assert_why(db, m1, "13 assigned");
	assert_why(db, m2, "13 thread");
	assert_int_equal(db_int(db, &p, "SELECT partnership FROM threads WHERE "
	    "id = ?", "I", thread_id(db, m1)), 1);
	assert_int_equal(p, 13);
	/* Later mail of the thread stays with the person's choice. */
	m3 = add(db, "Message-ID: <s3@x>\nFrom: alice@lviv-rada.gov.ua\n"
	    "To: bob@cityofmadison.com\nSubject: Re: Visit\n"
	    "In-Reply-To: <s2@x>\nReferences: <s1@x> <s2@x>\n"
	    "Date: Mon, 2 Mar 2026 12:00:00 +0000\n", NULL);
	assert_why(db, m3, "13 thread");
	assert_int_equal(match_assign(db, m1, 99, &err), -1);
	assert_non_null(err);
	free(err);
	err = NULL;
	assert_int_equal(match_assign(db, 999999, 12, &err), -1);
	free(err);
	db_close(db);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(own_id_in_references_wins_after_a_rewrite),
		cmocka_unit_test(plus_address_and_delivered_to),
		cmocka_unit_test(subject_tag_needs_exactly_one),
		cmocka_unit_test(meeting_uid_of_a_calendar_reply),
		cmocka_unit_test(same_us_city_in_two_partnerships),
		cmocka_unit_test(bcc_only_mail_is_not_linked),
		cmocka_unit_test(new_staff_member_at_the_council_is_learned),
		cmocka_unit_test(
		    directory_changes_inside_one_transaction_are_seen),
		cmocka_unit_test(
		    thread_ancestry_and_unassigned_messages_follow),
		cmocka_unit_test(partner_forwards_the_thread_to_a_colleague),
		cmocka_unit_test(a_persons_assignment_moves_the_thread),
	};

	log_init(1, "test_match");
	return cmocka_run_group_tests(tests, setup, teardown);
}
