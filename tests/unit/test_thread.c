/*
 * thread: the same threads and parents whatever the arrival order (seeded
 * permutations), a missing middle message, a provider-rewritten
 * Message-ID, an Outlook reply without References, subject grouping only
 * among the same participants and within the window, localised prefixes,
 * reference loops, thread merges carrying the partnership.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "db.h"
#include "log.h"
#include "match.h"
#include "mime.h"
#include "store.h"
#include "thread.h"
#include "util.h"

#include "fixture_store.h"

static char tmpdir[] = "/tmp/mistok-test-thread.XXXXXX";
static int dbn;
static const char *const coords[] = { "coord@c4c.test", NULL };
static const struct thread_ctx ctx = { "team@c4c.test", "C4C", coords, 0 };

static struct db *
fresh_db(void)
{
	struct db *db;
	char *path, *err = NULL;

	path = xasprintf("%s/t%d.db", tmpdir, dbn++);
	assert_int_equal(db_open(path, DB_CREATE | DB_MIGRATE, &db, &err), 0);
	free(path);
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

/* Stores a message made of header lines (and a short body). */
static int64_t
add(struct db *db, const char *headers)
{
	return store_tx(db, headers, NULL);
}

static int64_t
thread_of(struct db *db, const char *msgid)
{
	int64_t t = -1;

	assert_int_equal(db_int(db, &t, "SELECT coalesce(thread, 0) FROM "
	    "messages WHERE message_id = ?", "t", msgid), 1);
	return t;
}

static char *
parent_of(struct db *db, const char *msgid)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT parent FROM messages WHERE "
	    "message_id = ?");
	char *p;

	assert_non_null(st);
	assert_int_equal(db_bind(st, "t", msgid), 0);
	assert_int_equal(db_step(st), 1);
	p = db_col_strdup(st, 0);
	sqlite3_reset(st);
	return p;
}

/* The Message-ID of msgid's parent in the shown tree, or "" for a root. */
static char *
tree_parent(struct db *db, const char *msgid)
{
	struct thread_node *v;
	size_t n, i;
	char *err = NULL, *out = NULL;

	assert_int_equal(thread_tree(db, thread_of(db, msgid), &v, &n, &err),
	    0);
	for (i = 0; i < n; i++)
		if (v[i].message_id && strcmp(v[i].message_id, msgid) == 0)
			out = xstrdup(v[i].parent == SIZE_MAX ? "" :
			    v[v[i].parent].message_id);
	thread_tree_free(v, n);
	assert_non_null(out);
	return out;
}

static char *
ti(int conv, int reply)
{
	guchar b[27];
	gchar *s;
	char *out;
	int i;

	for (i = 0; i < 27; i++)
		b[i] = (guchar)(conv * 31 + i * 7);
	s = g_base64_encode(b, reply ? 27 : 22);
	out = xstrdup(s);
	g_free(s);
	return out;
}

/* ---- the permutation set ---------------------------------------------- */

#define NSET 10
static const char *const set_ids[NSET] = {
	"a@x", "b@x", "c@x", "d@x", "e@x", "f@x", "g@x", "h@x", "i@x",
	"j@x",
};

static char *
set_message(int i)
{
	char *t1 = ti(1, 0), *t2 = ti(1, 1), *s = NULL;

	switch (i) {
	case 0:	/* the root */
		s = xasprintf("Message-ID: <a@x>\nFrom: alice@lviv.ua\n"
		    "To: team@c4c.test\nSubject: Meeting in March\n"
		    "Date: Mon, 2 Mar 2026 10:00:00 +0200\n");
		break;
	case 1:	/* a plain reply */
		s = xasprintf("Message-ID: <b@x>\nFrom: coord@c4c.test\n"
		    "To: alice@lviv.ua\nSubject: Re: Meeting in March\n"
		    "In-Reply-To: <a@x>\nReferences: <a@x>\n"
		    "Date: Mon, 2 Mar 2026 11:00:00 +0200\n");
		break;
	case 2:	/* replies to m@x, which never arrives */
		s = xasprintf("Message-ID: <c@x>\nFrom: bob@madison.gov\n"
		    "To: team@c4c.test\nSubject: Re: Meeting in March\n"
		    "In-Reply-To: <m@x>\nReferences: <a@x> <m@x>\n"
		    "Date: Tue, 3 Mar 2026 10:00:00 -0600\n");
		break;
	case 3:
		s = xasprintf("Message-ID: <d@x>\nFrom: alice@lviv.ua\n"
		    "To: bob@madison.gov\nSubject: Re: Meeting in March\n"
		    "In-Reply-To: <c@x>\nReferences: <a@x> <m@x> <c@x>\n"
		    "Date: Wed, 4 Mar 2026 10:00:00 +0200\n");
		break;
	case 4:	/* Outlook starts a conversation */
		s = xasprintf("Message-ID: <e@x>\nFrom: alice@lviv.ua\n"
		    "To: team@c4c.test\nSubject: Budget\nThread-Index: %s\n"
		    "Date: Thu, 5 Mar 2026 10:00:00 +0200\n", t1);
		break;
	case 5:	/* Outlook replies without References */
		s = xasprintf("Message-ID: <f@x>\nFrom: bob@madison.gov\n"
		    "To: alice@lviv.ua\nSubject: RE: Budget\nThread-Index: %s\n"
		    "Date: Fri, 6 Mar 2026 10:00:00 -0600\n", t2);
		break;
	case 6:	/* no references, the same people and subject */
		s = xasprintf("Message-ID: <g@x>\nFrom: alice@lviv.ua\n"
		    "To: team@c4c.test\nSubject: AW: Meeting in March\n"
		    "Date: Sat, 7 Mar 2026 10:00:00 +0200\n");
		break;
	case 7:	/* the same subject from a stranger */
		s = xasprintf("Message-ID: <h@x>\nFrom: stranger@else.org\n"
		    "To: team@c4c.test\nSubject: Meeting in March\n"
		    "Date: Sat, 7 Mar 2026 12:00:00 +0200\n");
		break;
	case 8:	/* references only a ghost; other people */
		s = xasprintf("Message-ID: <i@x>\nFrom: carol@kharkiv.ua\n"
		    "To: team@c4c.test\nSubject: Re: Budget\n"
		    "References: <zz@provider>\n"
		    "Date: Sun, 8 Mar 2026 10:00:00 +0200\n");
		break;
	case 9:	/* the same ghost: i's thread */
		s = xasprintf("Message-ID: <j@x>\nFrom: carol@kharkiv.ua\n"
		    "To: team@c4c.test\nSubject: Re: Re: Budget\n"
		    "In-Reply-To: <zz@provider>\n"
		    "Date: Mon, 9 Mar 2026 10:00:00 +0200\n");
		break;
	}
	free(t1);
	free(t2);
	return s;
}

/* Canonical result: per message, the smallest id of its thread and its
 * stored and shown parent. */
static char *
set_result(struct db *db)
{
	struct buf b;
	int i, j;

	buf_init(&b);
	for (i = 0; i < NSET; i++) {
		int64_t t = thread_of(db, set_ids[i]);
		char *p = parent_of(db, set_ids[i]);
		char *tp = tree_parent(db, set_ids[i]);

		for (j = 0; j < NSET; j++)
			if (thread_of(db, set_ids[j]) == t)
				break;
		buf_printf(&b, "%s:%s:%s:%s\n", set_ids[i], set_ids[j],
		    p ? p : "", tp);
		free(p);
		free(tp);
	}
	return buf_steal(&b);
}

static char *
run_order(const int *order)
{
	struct db *db = fresh_db();
	char *s, *r;
	int i;

	for (i = 0; i < NSET; i++) {
		s = set_message(order[i]);
		add(db, s);
		free(s);
	}
	r = set_result(db);
	db_close(db);
	return r;
}

static void
same_threads_whatever_the_arrival_order(void **state)
{
	static const char *const expect =
	    "a@x:a@x::\n"
	    "b@x:a@x:a@x:a@x\n"
	    "c@x:a@x:m@x:a@x\n"		/* ghost m: shown under a */
	    "d@x:a@x:c@x:c@x\n"
	    "e@x:e@x::\n"
	    "f@x:e@x::\n"		/* Thread-Index only */
	    "g@x:a@x::\n"		/* subject, same participants */
	    "h@x:h@x::\n"		/* same subject, a stranger */
	    "i@x:i@x:zz@provider:\n"
	    "j@x:i@x:zz@provider:\n";
	int order[NSET], i, k, round;
	unsigned seed = 20260302;
	char *first, *r;

	for (i = 0; i < NSET; i++)
		order[i] = i;
	first = run_order(order);
	assert_string_equal(first, expect);
	for (round = 0; round < 8; round++) {
		if (round == 0)		/* reversed: every reply first */
			for (i = 0; i < NSET; i++)
				order[i] = NSET - 1 - i;
		else			/* Fisher-Yates, fixed seed */
			for (i = NSET - 1; i > 0; i--) {
				int t;

				k = rand_r(&seed) % (i + 1);
				t = order[i];
				order[i] = order[k];
				order[k] = t;
			}
		r = run_order(order);
		if (strcmp(r, first) != 0) {
			print_error("order:");
			for (i = 0; i < NSET; i++)
				print_error(" %d", order[i]);
			print_error("\n%s", r);
		}
		assert_string_equal(r, first);
		free(r);
	}
	free(first);
}

/*
 * Set alone (no before-insert hook), thread_store_hook() threads the
 * stored row with thread_add() and one UPDATE: the same threads and
 * parents as with both hooks.
 */
static void
after_insert_hook_alone_gives_the_same_threads(void **state)
{
	int order[NSET], i;
	char *both, *alone;

	for (i = 0; i < NSET; i++)
		order[i] = NSET - 1 - i;
	both = run_order(order);
	store_set_before_insert(NULL, NULL);
	alone = run_order(order);
	store_set_before_insert(thread_store_before, (void *)&ctx);
	assert_string_equal(alone, both);
	free(both);
	free(alone);
}

static void
missing_middle_message_arrives_late(void **state)
{
	struct db *db = fresh_db();
	int64_t n;
	char *p;

	add(db, "Message-ID: <r@x>\nFrom: a@u.ua\nTo: b@u.us\nSubject: s\n"
	    "Date: Mon, 2 Mar 2026 10:00:00 +0000\n");
	add(db, "Message-ID: <k@x>\nFrom: a@u.ua\nTo: b@u.us\n"
	    "Subject: Re: s, the details\n"
	    "In-Reply-To: <mid@x>\nReferences: <mid@x>\n"
	    "Date: Mon, 2 Mar 2026 12:00:00 +0000\n");
	/* k names only the missing middle: two threads for now. */
	assert_int_not_equal(thread_of(db, "r@x"), thread_of(db, "k@x"));
	assert_int_equal(db_int(db, &n, "SELECT count(*) FROM ghosts", ""), 1);
	assert_int_equal(n, 1);
	add(db, "Message-ID: <mid@x>\nFrom: b@u.us\nTo: a@u.ua\n"
	    "Subject: Re: s\nIn-Reply-To: <r@x>\nReferences: <r@x>\n"
	    "Date: Mon, 2 Mar 2026 11:00:00 +0000\n");
	assert_int_equal(thread_of(db, "r@x"), thread_of(db, "k@x"));
	assert_int_equal(thread_of(db, "mid@x"), thread_of(db, "k@x"));
	assert_int_equal(db_int(db, &n, "SELECT count(*) FROM ghosts", ""), 1);
	assert_int_equal(n, 0);
	assert_int_equal(db_int(db, &n, "SELECT count(*) FROM threads", ""), 1);
	assert_int_equal(n, 1);
	p = tree_parent(db, "k@x");
	assert_string_equal(p, "mid@x");
	free(p);
	db_close(db);
}

static void
rewritten_message_id_is_linked_through_references(void **state)
{
	struct db *db = fresh_db();
	char *p;

	/* Our Sent copy keeps the id we chose; the provider sent it out as
	 * <ses-1@provider>; the reply names both. */
	add(db, "Message-ID: <mistok.1@c4c.test>\nFrom: team@c4c.test\n"
	    "To: x@u.ua\nSubject: Agenda\n"
	    "References: <mistok.1@c4c.test>\n"
	    "Date: Mon, 2 Mar 2026 10:00:00 +0000\n");
	add(db, "Message-ID: <re@u.ua>\nFrom: x@u.ua\nTo: team@c4c.test\n"
	    "Subject: Re: Agenda\nIn-Reply-To: <ses-1@provider>\n"
	    "References: <mistok.1@c4c.test> <ses-1@provider>\n"
	    "Date: Mon, 2 Mar 2026 12:00:00 +0000\n");
	assert_int_equal(thread_of(db, "mistok.1@c4c.test"),
	    thread_of(db, "re@u.ua"));
	p = parent_of(db, "re@u.ua");
	assert_string_equal(p, "ses-1@provider");	/* stored: notmuch */
	free(p);
	p = tree_parent(db, "re@u.ua");			/* shown: our copy */
	assert_string_equal(p, "mistok.1@c4c.test");
	free(p);
	p = parent_of(db, "mistok.1@c4c.test");	/* no self-parent */
	assert_null(p);
	db_close(db);
}

static void
outlook_reply_without_references_joins_by_thread_index(void **state)
{
	struct db *db = fresh_db();
	char *t1 = ti(7, 0), *t2 = ti(7, 1), *t3 = ti(8, 1), *h;
	int reply;
	char *k1 = thread_conversation(t1, &reply);

	assert_non_null(k1);
	assert_int_equal(reply, 0);
	assert_int_equal(strlen(k1), 44);
	h = thread_conversation(t2, &reply);
	assert_string_equal(h, k1);
	assert_int_equal(reply, 1);
	free(h);
	assert_null(thread_conversation("not base64!", NULL));
	assert_null(thread_conversation("AQID", NULL));	/* 3 bytes */
	free(k1);

	h = xasprintf("Message-ID: <o1@x>\nFrom: a@u.ua\nTo: b@u.us\n"
	    "Subject: Plan\nThread-Index: %s\n"
	    "Date: Mon, 2 Mar 2026 10:00:00 +0000\n", t1);
	add(db, h);
	free(h);
	/* Another subject, other people: only the index links it. */
	h = xasprintf("Message-ID: <o2@x>\nFrom: c@u.us\nTo: d@u.us\n"
	    "Subject: RE: the plan, updated\nThread-Index: %s\n"
	    "Date: Tue, 3 Mar 2026 10:00:00 +0000\n", t2);
	add(db, h);
	free(h);
	h = xasprintf("Message-ID: <o3@x>\nFrom: e@u.us\nTo: f@u.us\n"
	    "Subject: RE: Plan\nThread-Index: %s\n"
	    "Date: Tue, 3 Mar 2026 11:00:00 +0000\n", t3);
	add(db, h);
	free(h);
	assert_int_equal(thread_of(db, "o1@x"), thread_of(db, "o2@x"));
	/* o3 replies in another conversation, among other people. */
	assert_int_not_equal(thread_of(db, "o1@x"), thread_of(db, "o3@x"));
	free(t1);
	free(t2);
	free(t3);
	db_close(db);
}

/* A REPLY rarely references the invitation: the calendar UID links it. */
static char *
imip(const char *id, const char *from, const char *subject,
    const char *method, const char *cal_uid, const char *date)
{
	return xasprintf("Message-ID: <%s>\nFrom: %s\nTo: team@c4c.test\n"
	    "Subject: %s\nDate: %s\nMIME-Version: 1.0\n"
	    "Content-Type: text/calendar; charset=UTF-8; method=%s\n\n"
	    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n"
	    "METHOD:%s\r\nBEGIN:VEVENT\r\nUID:%s\r\nSEQUENCE:0\r\n"
	    "DTSTAMP:20260302T100000Z\r\nDTSTART:20260310T150000Z\r\n"
	    "DTEND:20260310T160000Z\r\nORGANIZER:mailto:team@c4c.test\r\n"
	    "ATTENDEE;PARTSTAT=ACCEPTED:mailto:%s\r\nEND:VEVENT\r\n"
	    "END:VCALENDAR\r\n", id, from, subject, date, method, method,
	    cal_uid, from);
}

static void
imip_replies_join_their_meeting_by_uid(void **state)
{
	struct db *db = fresh_db();
	char *h;

	h = imip("inv@x", "team@c4c.test", "Invitation: Lviv - Madison",
	    "REQUEST", "m1@c4c.test", "Mon, 2 Mar 2026 10:00:00 +0000");
	add(db, h);
	free(h);
	h = imip("acc@x", "mayor@lviv.test", "Прийнято: Lviv - Madison",
	    "REPLY", "m1@c4c.test", "Mon, 2 Mar 2026 11:00:00 +0000");
	add(db, h);
	free(h);
	h = imip("dec@x", "intl@madison.test", "Declined: another call",
	    "REPLY", "m2@c4c.test", "Mon, 2 Mar 2026 12:00:00 +0000");
	add(db, h);
	free(h);
	assert_int_equal(thread_of(db, "inv@x"), thread_of(db, "acc@x"));
	assert_int_not_equal(thread_of(db, "inv@x"), thread_of(db, "dec@x"));
	db_close(db);
}

static void
subject_grouping_needs_same_people_and_the_window(void **state)
{
	struct db *db = fresh_db();

	add(db, "Message-ID: <s1@x>\nFrom: a@u.ua\nTo: b@u.us, team@c4c.test\n"
	    "Subject: Visit\nDate: Mon, 2 Mar 2026 10:00:00 +0000\n");
	/* contained set (b only; team ignored) → same thread */
	add(db, "Message-ID: <s2@x>\nFrom: b@u.us\nTo: coord@c4c.test\n"
	    "Subject: Відп: Visit\nDate: Tue, 3 Mar 2026 10:00:00 +0000\n");
	/* overlapping but neither contains the other → separate */
	add(db, "Message-ID: <s3@x>\nFrom: a@u.ua\nTo: z@u.us\n"
	    "Subject: Re: Visit\nDate: Tue, 3 Mar 2026 11:00:00 +0000\n");
	/* same people, 90 days later → separate */
	add(db, "Message-ID: <s4@x>\nFrom: a@u.ua\nTo: b@u.us\n"
	    "Subject: RE[2]: VISIT\nDate: Sun, 31 May 2026 10:00:00 +0000\n");
	/* only the team → no participants → never grouped */
	add(db, "Message-ID: <s5@x>\nFrom: coord@c4c.test\n"
	    "To: team@c4c.test\nSubject: Visit\n"
	    "Date: Mon, 2 Mar 2026 12:00:00 +0000\n");
	add(db, "Message-ID: <s6@x>\nFrom: coord@c4c.test\n"
	    "To: team+p1@c4c.test\nSubject: Visit\n"
	    "Date: Mon, 2 Mar 2026 13:00:00 +0000\n");
	assert_int_equal(thread_of(db, "s1@x"), thread_of(db, "s2@x"));
	assert_int_not_equal(thread_of(db, "s1@x"), thread_of(db, "s3@x"));
	assert_int_not_equal(thread_of(db, "s1@x"), thread_of(db, "s4@x"));
	assert_int_not_equal(thread_of(db, "s5@x"), thread_of(db, "s6@x"));
	assert_int_not_equal(thread_of(db, "s1@x"), thread_of(db, "s5@x"));
	db_close(db);
}

/*
 * Subject grouping finds a contained or containing participant set in
 * either arrival order, also when the smaller set's first address is not
 * the larger one's, and past 600 other threads of the same subject in
 * the window (more than THREAD_SUBJECT_CANDIDATES rows of one subject:
 * the look-up goes by participant, not by scanning the subject).
 */
static void
subject_grouping_by_participant_among_many(void **state)
{
	static const char *const msgs[2][2] = {
		{ "Message-ID: <big@x>\nFrom: m@u.ua\nTo: n@u.us, o@u.us\n"
		  "Subject: Agenda\nDate: Mon, 2 Mar 2026 10:00:00 +0000\n",
		  "Message-ID: <small@x>\nFrom: o@u.us\nTo: n@u.us\n"
		  "Subject: Re: Agenda\nDate: Tue, 3 Mar 2026 10:00:00 +0000\n" },
		{ "Message-ID: <big@x>\nFrom: a2@u.ua\nTo: q@u.us, r@u.us\n"
		  "Subject: Agenda\nDate: Mon, 2 Mar 2026 10:00:00 +0000\n",
		  "Message-ID: <small@x>\nFrom: r@u.us\nTo: q@u.us\n"
		  "Subject: Re: Agenda\nDate: Tue, 3 Mar 2026 10:00:00 +0000\n" },
	};
	struct db *db;
	char *h;
	int set, order, i;

	for (set = 0; set < 2; set++)
		for (order = 0; order < 2; order++) {
			db = fresh_db();
			assert_int_equal(db_begin(db), 0);
			for (i = 0; i < 600; i++) {
				h = xasprintf("Message-ID: <d%d@x>\n"
				    "From: d%d@u.ua\nTo: e%d@u.us\n"
				    "Subject: Agenda\nDate: Sun, 1 Mar 2026 "
				    "%02d:%02d:00 +0000\n", i, i, i, i / 60,
				    i % 60);
				store_in_tx(db, h, NULL);
				free(h);
			}
			assert_int_equal(db_commit(db), 0);
			add(db, msgs[set][order]);
			add(db, msgs[set][1 - order]);
			assert_int_equal(thread_of(db, "big@x"),
			    thread_of(db, "small@x"));
			assert_int_not_equal(thread_of(db, "big@x"),
			    thread_of(db, "d0@x"));
			assert_int_not_equal(thread_of(db, "d1@x"),
			    thread_of(db, "d0@x"));
			db_close(db);
		}
}

static void
localised_prefixes_normalise_to_one_base(void **state)
{
	static const char *const same[] = {
		"Hello world", "Re: Hello world", "RE: hello  WORLD",
		"Re[2]: Hello world", "Re(3): Hello world", "AW: WG: Hello world",
		"SV: VS: Antw: Odp: RV: ENC: TR: Fw: Fwd: Hello world",
		"Re : Hello world", "Re：Hello world", "ＲＥ： Hello world",
		"[C4C #12] Re: Hello world", "Re: [C4C #12] Hello world",
		"Re: [Fwd: Hello world]", "Hello world (fwd)",
		"Re:\tRe:   Hello\t world ", "[list] AW: [list] Hello world",
	};
	static const char *const cyr[] = {
		"Привіт", "Відп: Привіт", "ВІДП: ПРИВІТ", "Пересл: привіт",
		"Отв: Re: Вдп: Привіт", "Відп[2]: Привіт", "вДП：ПрИвІт",
	};
	char *b;
	size_t i;

	for (i = 0; i < nitems(same); i++) {
		b = thread_subject_base(same[i]);
		if (b == NULL || strcmp(b, "hello world") != 0)
			fail_msg("'%s' -> '%s'", same[i], b ? b : "(null)");
		free(b);
	}
	for (i = 0; i < nitems(cyr); i++) {
		b = thread_subject_base(cyr[i]);
		if (b == NULL || strcmp(b, "привіт") != 0)
			fail_msg("'%s' -> '%s'", cyr[i], b ? b : "(null)");
		free(b);
	}
	/* Words that only begin like a prefix stay. */
	b = thread_subject_base("Relief: winter aid");
	assert_string_equal(b, "relief: winter aid");
	free(b);
	b = thread_subject_base("Trip report");
	assert_string_equal(b, "trip report");
	free(b);
	b = thread_subject_base("Straße");
	assert_string_equal(b, "strasse");
	free(b);
	/*
	 * Cyrillic, dashes and guillemets take the fast path (lowering, no
	 * NFKC); what NFKC changes ("…", "№") takes GLib's.
	 */
	b = thread_subject_base("Re: «Звіт» — ПРОЄКТ – етап");
	assert_string_equal(b, "«звіт» — проєкт – етап");
	free(b);
	b = thread_subject_base("ЙОГУРТ Ґудзик ЁЖИК Її ЎЉЊЏ");
	assert_string_equal(b, "йогурт ґудзик ёжик її ўљњџ");
	free(b);
	b = thread_subject_base("Звіт… № 5");
	assert_string_equal(b, "звіт... no 5");
	free(b);
	/* A subject that is only a tag keeps it; nothing → NULL. */
	b = thread_subject_base("[xyz]");
	assert_string_equal(b, "[xyz]");
	free(b);
	assert_null(thread_subject_base("Re:"));
	assert_null(thread_subject_base(""));
	assert_null(thread_subject_base("  \t "));
	assert_null(thread_subject_base(NULL));
}

static void
reference_loops_terminate(void **state)
{
	struct db *db = fresh_db();
	struct thread_node *v;
	size_t n, i, roots = 0;
	char *err = NULL;

	add(db, "Message-ID: <l1@x>\nFrom: a@u.ua\nTo: b@u.us\nSubject: l\n"
	    "References: <l2@x>\nDate: Mon, 2 Mar 2026 10:00:00 +0000\n");
	add(db, "Message-ID: <l2@x>\nFrom: b@u.us\nTo: a@u.ua\nSubject: l\n"
	    "References: <l1@x>\nDate: Mon, 2 Mar 2026 11:00:00 +0000\n");
	assert_int_equal(thread_of(db, "l1@x"), thread_of(db, "l2@x"));
	assert_int_equal(thread_tree(db, thread_of(db, "l1@x"), &v, &n, &err),
	    0);
	assert_int_equal(n, 2);
	for (i = 0; i < n; i++)
		roots += v[i].parent == SIZE_MAX;
	assert_int_equal(roots, 1);	/* one link broken, not both */
	thread_tree_free(v, n);
	db_close(db);
}

static void
merging_threads_carries_the_partnership(void **state)
{
	struct db *db = fresh_db();
	int64_t p, t;

	assert_int_equal(db_exec(db, "INSERT INTO partnerships (id, slug) "
	    "VALUES (5, 'p5')", ""), 0);
	/* A tagged thread and an untagged one, joined by a third message. */
	add(db, "Message-ID: <t1@x>\nFrom: a@u.ua\nTo: team@c4c.test\n"
	    "Subject: [C4C #5] plan\nDate: Mon, 2 Mar 2026 10:00:00 +0000\n");
	add(db, "Message-ID: <t2@x>\nFrom: q@u.us\nTo: team@c4c.test\n"
	    "Subject: other\nIn-Reply-To: <gone@x>\n"
	    "Date: Mon, 2 Mar 2026 11:00:00 +0000\n");
	assert_int_equal(db_int(db, &p, "SELECT coalesce(partnership, 0) FROM "
	    "messages WHERE message_id = 't2@x'", ""), 1);
	assert_int_equal(p, 0);
	add(db, "Message-ID: <t3@x>\nFrom: a@u.ua\nTo: q@u.us\n"
	    "Subject: both\nReferences: <t1@x> <gone@x>\n"
	    "Date: Mon, 2 Mar 2026 12:00:00 +0000\n");
	t = thread_of(db, "t1@x");
	assert_int_equal(t, thread_of(db, "t2@x"));
	assert_int_equal(t, thread_of(db, "t3@x"));
	assert_int_equal(db_int(db, &p, "SELECT count(*) FROM messages WHERE "
	    "partnership = 5 AND rule = 'thread'", ""), 1);
	assert_int_equal(p, 2);		/* t2 followed, t3 by ancestry */
	assert_int_equal(db_int(db, &p, "SELECT partnership FROM threads "
	    "WHERE id = ?", "I", t), 1);
	assert_int_equal(p, 5);
	assert_int_equal(db_int(db, &p, "SELECT count(*) FROM threads", ""), 1);
	assert_int_equal(p, 1);
	db_close(db);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(same_threads_whatever_the_arrival_order),
		cmocka_unit_test(after_insert_hook_alone_gives_the_same_threads),
		cmocka_unit_test(missing_middle_message_arrives_late),
		cmocka_unit_test(
		    rewritten_message_id_is_linked_through_references),
		cmocka_unit_test(
		    outlook_reply_without_references_joins_by_thread_index),
		cmocka_unit_test(imip_replies_join_their_meeting_by_uid),
		cmocka_unit_test(
		    subject_grouping_needs_same_people_and_the_window),
		cmocka_unit_test(subject_grouping_by_participant_among_many),
		cmocka_unit_test(localised_prefixes_normalise_to_one_base),
		cmocka_unit_test(reference_loops_terminate),
		cmocka_unit_test(merging_threads_carries_the_partnership),
	};

	log_init(1, "test_thread");
	return cmocka_run_group_tests(tests, setup, teardown);
}
