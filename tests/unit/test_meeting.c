/*
 * meeting: proposals inside everyone's hours (demo directory: Kyiv with
 * Madison/Chicago and Tempe/Phoenix), booking writes the meeting and one
 * iMIP mail per attendee (read back with mime_parse and invite_parse),
 * REPLY updates the right attendee (mixed-case mailto), COUNTER only
 * notifies, a plain "так" counts, reschedule and cancel, withdrawing a
 * proposal.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "db.h"
#include "directory.h"
#include "invite.h"
#include "meeting.h"
#include "mime.h"
#include "store.h"
#include "tz.h"
#include "util.h"

static char tmpdir[] = "/tmp/mistok-test-meeting.XXXXXX";
static int dbno;
static char *coordinators[] = { "olena@c4c.test", NULL };
static struct config conf;
static struct meeting_env env;

static char *
slurp(const char *path, size_t *len)
{
	struct buf b;
	char chunk[4096];
	size_t n;
	FILE *f;

	if ((f = fopen(path, "r")) == NULL)
		return NULL;
	buf_init(&b);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	*len = b.len;
	return buf_steal(&b);
}

static int
group_setup(void **state)
{
	const char *top = getenv("TOP") ? getenv("TOP") : ".";

	(void)state;
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	mime_init();
	conf.team_domain = "c4c.test";
	conf.team_address = "team@c4c.test";
	conf.team_name = "Cities4Cities";
	conf.team_language = "uk";
	conf.team_timezone = "Europe/Kyiv";
	conf.coordinators = coordinators;
	config_parse_hours("Mon-Fri 09:00-18:00", &conf.ua_hours);
	config_parse_hours("Mon-Fri 09:00-17:00", &conf.us_hours);
	conf.relaxed_start = 8 * 60;
	conf.relaxed_end = 20 * 60;
	conf.us_holidays = 1;
	conf.holidays_dir = xasprintf("%s/contrib/holidays", top);
	conf.templates_dir = xasprintf("%s/templates", top);
	return 0;
}

static int
group_teardown(void **state)
{
	char *cmd = xasprintf("rm -rf '%s'", tmpdir);
	int rc = system(cmd);

	(void)state;
	free(cmd);
	mime_shutdown();
	return rc == 0 ? 0 : -1;
}

static int
setup(void **state)
{
	const char *top = getenv("TOP") ? getenv("TOP") : ".";
	static const char *const files[] = { "orgs", "contacts",
	    "partnerships" };
	char *path = xasprintf("%s/m%d.db", tmpdir, ++dbno), *err = NULL;
	struct dir_import_stats st;
	enum dir_kind k;
	struct db *db;
	size_t i, len;
	char *data;

	clock_set_fake(1772150400);	/* 2026-02-27T00:00:00Z */
	if (db_open(path, DB_CREATE | DB_MIGRATE, &db, &err) == -1) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	free(path);
	for (i = 0; i < 3; i++) {
		path = xasprintf("%s/contrib/demo/%s.csv", top, files[i]);
		data = slurp(path, &len);
		assert_non_null(data);
		directory_kind_parse(files[i], &k);
		if (directory_import(db, &conf, k, path, data, len, &st,
		    &err) != 0) {
			fprintf(stderr, "%s\n", err);
			return -1;
		}
		free(data);
		free(path);
	}
	env.db = db;
	env.conf = &conf;
	*state = db;
	return 0;
}

static int
teardown(void **state)
{
	db_close(*state);
	clock_set_fake(0);
	return 0;
}

/* The raw outbox mail with dedupe key key (caller frees). */
static char *
outbox_raw(struct db *db, const char *key, size_t *len)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT raw FROM outbox WHERE "
	    "dedupe_key = ?");
	char *r;

	assert_non_null(st);
	db_bind(st, "t", key);
	if (db_step(st) != 1)
		return NULL;
	*len = (size_t)sqlite3_column_bytes(st, 0);
	r = xmalloc(*len + 1);
	memcpy(r, sqlite3_column_blob(st, 0), *len);
	r[*len] = '\0';
	sqlite3_reset(st);
	return r;
}

static int64_t
count(struct db *db, const char *sql)
{
	int64_t n = -1;

	db_int(db, &n, sql, "");
	return n;
}

/* Minutes from local midnight of t in zone. */
static int
local_min(const char *zone, time_t t, int *wday)
{
	struct tz_local l;
	char *err = NULL;
	const struct tz *z = tz_get(zone, &err);

	assert_non_null(z);
	tz_local(z, t, &l);
	*wday = l.wday;
	return l.hour * 60 + l.min;
}

static void
propose_inside_hours(void **state)
{
	struct db *db = *state;
	struct meeting_proposal pr;
	struct tz_date from = { 2026, 3, 9 }, to = { 2026, 3, 13 };
	char *err = NULL;
	int i, a, b, wd;

	assert_int_equal(meeting_propose(&env, "lviv-madison", 60, from, to,
	    NULL, NULL, &pr, &err), 0);
	assert_int_equal(pr.res.n, 3);
	assert_int_equal(pr.npeople, 4);	/* two Lviv, two Madison */
	for (i = 0; i < pr.res.n; i++) {
		assert_false(pr.res.slot[i].relaxed);
		a = local_min("Europe/Kyiv", pr.res.slot[i].start, &wd);
		assert_true(wd < 5 && a >= 9 * 60 && a + 60 <= 18 * 60);
		b = local_min("America/Chicago", pr.res.slot[i].start, &wd);
		assert_true(wd < 5 && b >= 9 * 60 && b + 60 <= 17 * 60);
	}
	assert_true(pr.id > 0);
	assert_int_equal(count(db, "SELECT count(*) FROM outbox WHERE "
	    "dedupe_key LIKE 'proposal:%' AND recipients = 'mark@c4c.test'"),
	    1);
	assert_int_equal(count(db, "SELECT count(*) FROM own_ids WHERE "
	    "kind = 'proposal'"), 1);
	/* The slots are rows of meeting_slots, numbered best first. */
	for (i = 0; i < pr.res.n; i++) {
		int64_t v = -1;

		assert_int_equal(db_int(db, &v, "SELECT start_utc FROM "
		    "meeting_slots WHERE meeting = ? AND n = ? AND end_utc = "
		    "start_utc + 3600 AND relaxed = 0", "Ii", pr.id, i + 1), 1);
		assert_int_equal(v, pr.res.slot[i].start);
	}
	assert_int_equal(count(db, "SELECT count(*) FROM meeting_slots"),
	    pr.res.n);
	assert_int_equal(count(db, "SELECT count(*) FROM kv WHERE key LIKE "
	    "'meeting:%'"), 0);
	/* No slot 4, no slot 0. */
	assert_int_equal(meeting_book_slot(&env, pr.id, 4, NULL, NULL, &err),
	    -1);
	assert_non_null(strstr(err, "no slot 4"));
	free(err);
	assert_int_equal(meeting_book_slot(&env, pr.id, 0, NULL, NULL, &err),
	    -1);
	free(err);
	/* Slot 2 of the proposal becomes the meeting. */
	assert_int_equal(meeting_book_slot(&env, pr.id, 2, NULL, NULL, &err),
	    0);
	{
		struct meeting m;

		assert_int_equal(meeting_get(db, pr.id, &m), 1);
		assert_string_equal(m.status, "scheduled");
		assert_int_equal(m.start, pr.res.slot[1].start);
		meeting_free(&m);
	}
	assert_int_equal(count(db, "SELECT count(*) FROM outbox WHERE "
	    "dedupe_key LIKE 'invite:%'"), 4);
	assert_int_equal(meeting_book_slot(&env, pr.id, 2, NULL, NULL, &err),
	    -1);
	free(err);
	meeting_proposal_free(&pr);
}

static void
propose_relaxed_kharkiv_tempe(void **state)
{
	struct meeting_proposal pr;
	struct tz_date from = { 2026, 3, 9 }, to = { 2026, 3, 13 };
	char *err = NULL;
	int a, b, wd;

	/* Kyiv 09-18 EET and Phoenix 09-17 MST never meet in March. */
	assert_int_equal(meeting_propose(&env, "kharkiv-tempe", 60, from, to,
	    NULL, NULL, &pr, &err), 0);
	assert_true(pr.res.n > 0);
	assert_true(pr.res.slot[0].relaxed);
	a = local_min("Europe/Kyiv", pr.res.slot[0].start, &wd);
	b = local_min("America/Phoenix", pr.res.slot[0].start, &wd);
	assert_true(a >= 8 * 60 && a + 60 <= 20 * 60);
	assert_true(b >= 8 * 60 && b + 60 <= 20 * 60);
	assert_int_equal(count(*state, "SELECT min(relaxed) FROM "
	    "meeting_slots WHERE n = 1"), 1);
	meeting_proposal_free(&pr);
}

static int64_t
book(struct db *db)
{
	const char *with[] = { "city@kharkiv.test", "sister@tempe.test", NULL };
	int64_t id = 0;
	char *err = NULL;

	(void)db;
	if (meeting_book(&env, "kharkiv-tempe", 1773154800 /* 03-10 15Z */,
	    60, with, "Kharkiv \xe2\x80\x93 Tempe", "https://meet.example/k",
	    &id, &err) == -1) {
		fprintf(stderr, "%s\n", err);
		fail();
	}
	return id;
}

static void
check_mail(struct db *db, const struct meeting *m, const char *email,
    const char *prefix, const char *method)
{
	struct invite_msg *im = NULL;
	struct msg *msg = NULL;
	char *key, *raw, *err = NULL;
	size_t len = 0;

	key = xasprintf("%s:%s:%d:%s", prefix, m->uid, m->sequence, email);
	raw = outbox_raw(db, key, &len);
	assert_non_null(raw);
	assert_int_equal(mime_parse(raw, len, NULL, &msg), 0);
	assert_null(msg->error);
	assert_int_equal(msg->ncal, 1);
	assert_string_equal(msg->cal[0].method, method);
	assert_non_null(strstr(raw, "Content-Type: multipart/mixed"));
	assert_non_null(strstr(raw, "multipart/alternative"));
	assert_non_null(strstr(raw, "application/ics"));
	assert_int_equal(invite_parse(msg->cal[0].text,
	    strlen(msg->cal[0].text), NULL, &im, &err), 0);
	assert_string_equal(im->uid, m->uid);
	assert_int_equal(im->sequence, m->sequence);
	assert_int_equal(im->start, m->start);
	assert_int_equal(im->nattendees, 2);
	assert_non_null(invite_msg_attendee(im, "city@kharkiv.test"));
	assert_non_null(invite_msg_attendee(im, "sister@tempe.test"));
	assert_string_equal(im->organizer, "team@c4c.test");
	invite_msg_free(im);
	msg_free(msg);
	free(raw);
	free(key);
}

static void
book_writes_mail(void **state)
{
	struct db *db = *state;
	struct meeting m;
	int64_t id = book(db);

	assert_int_equal(meeting_get(db, id, &m), 1);
	assert_int_equal(m.sequence, 0);
	assert_string_equal(m.status, "scheduled");
	assert_int_equal(m.natt, 2);
	assert_true(strncmp(m.uid, "mistok-", 7) == 0);
	assert_non_null(strstr(m.uid, "@c4c.test"));
	check_mail(db, &m, "city@kharkiv.test", "invite", "REQUEST");
	check_mail(db, &m, "sister@tempe.test", "invite", "REQUEST");
	assert_int_equal(count(db, "SELECT count(*) FROM outbox"), 2);
	assert_int_equal(count(db, "SELECT count(*) FROM own_ids WHERE "
	    "kind = 'invite'"), 2);
	meeting_free(&m);
}

/* Stores an incoming mail as ingest would. */
static void
deliver(struct db *db, const char *raw, uint32_t uid)
{
	struct store_loc loc = { "INBOX", 1, uid };
	struct store_extra ex = { 0, strlen(raw), "in" };
	struct mime_opts o = { "c4c.test", 0, 0 };
	struct msg *m = NULL;
	char *err = NULL;

	assert_int_equal(mime_parse(raw, strlen(raw), &o, &m), 0);
	assert_int_equal(db_begin(db), 0);
	assert_true(store_message(db, m, &ex, &loc, NULL, &err) >= 0);
	assert_int_equal(db_commit(db), 0);
	msg_free(m);
}

static char *
reply_mail(const char *uid, const char *from, const char *mailto,
    const char *method, const char *partstat, int seq, const char *extra)
{
	return xasprintf("From: <%s>\r\nTo: team@c4c.test\r\n"
	    "Subject: reply\r\nMessage-ID: <%s.%s.%d@example.test>\r\n"
	    "Date: Sat, 28 Feb 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n"
	    "Content-Type: text/calendar; charset=UTF-8; method=%s\r\n\r\n"
	    "BEGIN:VCALENDAR\r\nPRODID:-//Google Inc//Google Calendar 70.9054"
	    "//EN\r\nVERSION:2.0\r\nCALSCALE:GREGORIAN\r\nMETHOD:%s\r\n"
	    "BEGIN:VEVENT\r\nDTSTART:20260310T150000Z\r\n"
	    "DTEND:20260310T160000Z\r\nDTSTAMP:20260228T100000Z\r\n"
	    "ORGANIZER;CN=Cities4Cities:mailto:team@c4c.test\r\n"
	    "UID:%s\r\nATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;"
	    "PARTSTAT=%s;CN=x:mailto:%s\r\nSEQUENCE:%d\r\n%s"
	    "SUMMARY:x\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n", from, method,
	    partstat, seq, method, method, uid, partstat, mailto, seq,
	    extra ? extra : "");
}

static const char *
partstat_of(const struct meeting *m, const char *email)
{
	size_t i;

	for (i = 0; i < m->natt; i++)
		if (strcmp(m->att[i].email, email) == 0)
			return m->att[i].partstat;
	return "?";
}

static void
replies_update_attendees(void **state)
{
	struct db *db = *state;
	struct meeting m;
	int64_t id = book(db);
	char *raw, *err = NULL;

	assert_int_equal(meeting_get(db, id, &m), 1);
	/* From another address than the attendee's: matched by ATTENDEE. */
	raw = reply_mail(m.uid, "calendar-noreply@google.test",
	    "Sister@Tempe.TEST", "REPLY", "ACCEPTED", 0, NULL);
	deliver(db, raw, 1);
	free(raw);
	raw = reply_mail(m.uid, "city@kharkiv.test", "city@kharkiv.test",
	    "REPLY", "DECLINED", 0, NULL);
	deliver(db, raw, 2);
	free(raw);
	assert_int_equal(meeting_scan(&env, &err), 2);
	meeting_free(&m);
	assert_int_equal(meeting_get(db, id, &m), 1);
	assert_string_equal(partstat_of(&m, "sister@tempe.test"), "ACCEPTED");
	assert_string_equal(partstat_of(&m, "city@kharkiv.test"), "DECLINED");
	/* A decline notice and an everyone-answered notice. */
	assert_int_equal(count(db, "SELECT count(*) FROM outbox WHERE "
	    "dedupe_key LIKE 'meeting-declined:%' AND "
	    "recipients = 'olena@c4c.test'"), 1);
	assert_int_equal(count(db, "SELECT count(*) FROM outbox WHERE "
	    "dedupe_key LIKE 'meeting-answered:%'"), 1);
	/* Scanning again changes nothing. */
	assert_int_equal(meeting_scan(&env, &err), 0);

	/* COUNTER: a notice, nothing applied. */
	raw = reply_mail(m.uid, "sister@tempe.test", "sister@tempe.test",
	    "COUNTER", "TENTATIVE", 0, NULL);
	deliver(db, raw, 3);
	free(raw);
	assert_int_equal(meeting_scan(&env, &err), 0);
	meeting_free(&m);
	assert_int_equal(meeting_get(db, id, &m), 1);
	assert_string_equal(partstat_of(&m, "sister@tempe.test"), "ACCEPTED");
	assert_int_equal(m.start, 1773154800);
	assert_int_equal(count(db, "SELECT count(*) FROM outbox WHERE "
	    "dedupe_key LIKE 'meeting-counter:%'"), 1);

	/* Reschedule: same UID, SEQUENCE+1, answers reset, REQUEST to all. */
	assert_int_equal(meeting_reschedule(&env, id, 1773241200, 0, &err),
	    0);
	{
		struct meeting r;

		assert_int_equal(meeting_get(db, id, &r), 1);
		assert_string_equal(r.uid, m.uid);
		assert_int_equal(r.sequence, 1);
		assert_int_equal(r.start, 1773241200);
		assert_string_equal(partstat_of(&r, "sister@tempe.test"),
		    "NEEDS-ACTION");
		check_mail(db, &r, "city@kharkiv.test", "invite", "REQUEST");
		check_mail(db, &r, "sister@tempe.test", "invite", "REQUEST");
		meeting_free(&r);
	}
	/* A stale REPLY (SEQUENCE 0) is ignored now. */
	raw = reply_mail(m.uid, "sister@tempe.test", "sister@tempe.test",
	    "REPLY", "ACCEPTED", 0, "X-STALE:1\r\n");
	deliver(db, raw, 4);
	free(raw);
	assert_int_equal(meeting_scan(&env, &err), 0);
	/* Cancel: SEQUENCE+1, CANCEL to all. */
	assert_int_equal(meeting_cancel(&env, id, &err), 0);
	{
		struct meeting r;

		assert_int_equal(meeting_get(db, id, &r), 1);
		assert_int_equal(r.sequence, 2);
		assert_string_equal(r.status, "cancelled");
		assert_string_equal(meeting_status(&r, 1773241200 + 7200),
		    "cancelled");
		check_mail(db, &r, "city@kharkiv.test", "cancel", "CANCEL");
		check_mail(db, &r, "sister@tempe.test", "cancel", "CANCEL");
		meeting_free(&r);
	}
	assert_int_equal(meeting_cancel(&env, id, &err), -1);
	free(err);
	meeting_free(&m);
}

static void
plain_reply_counts(void **state)
{
	struct db *db = *state;
	struct meeting m;
	int64_t id = book(db);
	char *raw, *err = NULL, *msgid = NULL;
	sqlite3_stmt *st;

	assert_int_equal(meeting_get(db, id, &m), 1);
	st = db_stmt(db, "SELECT message_id FROM outbox WHERE dedupe_key "
	    "LIKE 'invite:%:city@kharkiv.test'");
	assert_int_equal(db_step(st), 1);
	msgid = db_col_strdup(st, 0);
	sqlite3_reset(st);
	raw = xasprintf("From: <city@kharkiv.test>\r\nTo: team@c4c.test\r\n"
	    "Subject: Re: invite\r\nMessage-ID: <plain1@kharkiv.test>\r\n"
	    "In-Reply-To: <%s>\r\nDate: Sat, 28 Feb 2026 10:00:00 +0000\r\n"
	    "Content-Type: text/plain; charset=UTF-8\r\n\r\n"
	    "\xd0\xa2\xd0\xb0\xd0\xba!\r\n\r\n> You are invited\r\n", msgid);
	deliver(db, raw, 5);
	free(raw);
	assert_int_equal(meeting_scan(&env, &err), 1);
	meeting_free(&m);
	assert_int_equal(meeting_get(db, id, &m), 1);
	assert_string_equal(partstat_of(&m, "city@kharkiv.test"), "ACCEPTED");
	assert_string_equal(partstat_of(&m, "sister@tempe.test"),
	    "NEEDS-ACTION");
	meeting_free(&m);

	/*
	 * A "yes" that answers someone else's mail is no answer, and the
	 * scan does not read it again: the cursor moves past every message
	 * it had, candidate or not.
	 */
	raw = xasprintf("From: <sister@tempe.test>\r\nTo: team@c4c.test\r\n"
	    "Subject: Re: lunch\r\nMessage-ID: <plain2@tempe.test>\r\n"
	    "In-Reply-To: <lunch@tempe.test>\r\n"
	    "Date: Sat, 28 Feb 2026 11:00:00 +0000\r\n\r\nYes!\r\n");
	deliver(db, raw, 6);
	free(raw);
	assert_int_equal(meeting_scan(&env, &err), 0);
	assert_int_equal(meeting_get(db, id, &m), 1);
	assert_string_equal(partstat_of(&m, "sister@tempe.test"),
	    "NEEDS-ACTION");
	meeting_free(&m);
	assert_int_equal(count(db, "SELECT count(*) FROM kv WHERE key = "
	    "'meeting:scan' AND CAST(value AS INTEGER) = (SELECT max(id) FROM "
	    "messages)"), 1);
	free(msgid);
}

static int
count_cb(void *arg, const struct meeting *m, const struct meeting_att *a)
{
	(void)m;
	(void)a;
	(*(int *)arg)++;
	return 0;
}

static void
reminders_and_feed(void **state)
{
	struct db *db = *state;
	struct buf b;
	char *err = NULL;
	int n = 0;

	book(db);
	assert_int_equal(meeting_due_reminders(db, 1773154800 - 3600, count_cb,
	    &n), 2);
	assert_int_equal(n, 2);
	n = 0;
	assert_int_equal(meeting_due_reminders(db, 1773154800 - 90000,
	    count_cb, &n), 0);
	buf_init(&b);
	assert_int_equal(meeting_feed(&env, &b, &err), 0);
	assert_non_null(strstr(b.data, "METHOD:PUBLISH\r\n"));
	assert_null(strstr(b.data, "METHOD:REQUEST"));
	assert_non_null(strstr(b.data, "BEGIN:VEVENT"));
	buf_free(&b);
}

static int
occurrences(const char *hay, const char *needle)
{
	int n = 0;

	for (; (hay = strstr(hay, needle)) != NULL; hay += strlen(needle))
		n++;
	return n;
}

/*
 * The feed file: one VEVENT per meeting but proposals, the cancelled one
 * STATUS:CANCELLED with its SEQUENCE, attendees with their PARTSTAT and
 * no RSVP; written through FILE.tmp, which is gone afterwards.
 */
static void
feed_file_written(void **state)
{
	struct db *db = *state;
	struct meeting_proposal pr;
	struct tz_date from = { 2026, 3, 9 }, to = { 2026, 3, 13 };
	struct invite_msg *msg = NULL;
	struct meeting m1, m2;
	char *err = NULL, *path, *tmp, *data;
	int64_t a, b;
	size_t len;

	a = book(db);
	clock_set_fake(1772150400 + 60);
	b = book(db);
	assert_true(a > 0 && b > 0 && a != b);
	assert_int_equal(meeting_cancel(&env, b, &err), 0);
	assert_int_equal(meeting_propose(&env, "lviv-madison", 60, from, to,
	    NULL, NULL, &pr, &err), 0);
	assert_true(pr.id > 0);
	assert_int_equal(db_exec(db, "UPDATE attendees SET partstat = "
	    "'ACCEPTED' WHERE meeting = ? AND email = 'city@kharkiv.test'",
	    "I", a), 0);
	assert_int_equal(meeting_get(db, a, &m1), 1);
	assert_int_equal(meeting_get(db, b, &m2), 1);

	path = xasprintf("%s/feed%d.ics", tmpdir, dbno);
	tmp = xasprintf("%s.tmp", path);
	assert_int_equal(meeting_feed_write(&env, path, &err), 0);
	data = slurp(path, &len);
	assert_non_null(data);
	assert_int_equal(access(tmp, F_OK), -1);
	assert_int_equal(occurrences(data, "BEGIN:VEVENT\r\n"), 2);
	assert_int_equal(occurrences(data, "METHOD:PUBLISH\r\n"), 1);
	assert_int_equal(occurrences(data, "STATUS:CANCELLED\r\n"), 1);
	assert_int_equal(occurrences(data, "STATUS:CONFIRMED\r\n"), 1);
	assert_int_equal(occurrences(data, "RSVP"), 0);
	assert_int_equal(occurrences(data, "BEGIN:VALARM"), 0);
	assert_int_equal(occurrences(data, m1.uid), 1);
	assert_int_equal(occurrences(data, m2.uid), 1);
	assert_int_equal(occurrences(data, "PARTSTAT=ACCEPTED"), 1);
	{
		/* The proposal's UID is not in the feed. */
		struct meeting p;

		assert_int_equal(meeting_get(db, pr.id, &p), 1);
		assert_int_equal(occurrences(data, p.uid), 0);
		meeting_free(&p);
	}
	/* The cancelled one's block carries its SEQUENCE. */
	{
		const char *v = strstr(data, m2.uid), *e;
		char *seq = xasprintf("SEQUENCE:%d\r\n", m2.sequence);

		assert_non_null(v);
		e = strstr(v, "END:VEVENT");
		assert_non_null(e);
		assert_true(strstr(v, seq) != NULL && strstr(v, seq) < e);
		assert_true(strstr(v, "STATUS:CANCELLED") < e);
		assert_int_equal(m2.sequence, 1);
		free(seq);
	}
	/* libical reads it (the first VEVENT). */
	assert_int_equal(invite_parse(data, len, NULL, &msg, &err), 0);
	assert_int_equal(msg->method, INVITE_PUBLISH);
	invite_msg_free(msg);
	free(data);
	/* An unwritable place: an error, the old file kept. */
	assert_int_equal(meeting_feed_write(&env, "/nonexistent/dir/f.ics",
	    &err), -1);
	assert_non_null(err);
	free(err);
	free(tmp);
	free(path);
	meeting_free(&m1);
	meeting_free(&m2);
	meeting_proposal_free(&pr);
}

/*
 * meeting_withdraw(): a proposal becomes cancelled inside the caller's
 * transaction (a rollback undoes it) and sends nothing; a scheduled
 * meeting, a withdrawn proposal and a missing id are refused unchanged.
 */
static void
withdraw_proposal(void **state)
{
	struct db *db = *state;
	struct meeting_proposal pr;
	struct tz_date from = { 2026, 3, 9 }, to = { 2026, 3, 13 };
	struct meeting m;
	char *err = NULL;
	int64_t outbox, sched;

	assert_int_equal(meeting_propose(&env, "lviv-madison", 60, from, to,
	    NULL, NULL, &pr, &err), 0);
	assert_true(pr.id > 0);
	outbox = count(db, "SELECT count(*) FROM outbox");

	/* In a transaction the caller rolls back: nothing changes. */
	assert_int_equal(db_begin(db), 0);
	assert_int_equal(meeting_withdraw(db, pr.id, &err), 1);
	assert_null(err);
	assert_int_equal(db_rollback(db), 0);
	assert_int_equal(meeting_get(db, pr.id, &m), 1);
	assert_string_equal(m.status, "proposed");
	meeting_free(&m);

	/* Committed: cancelled, SEQUENCE kept, no mail. */
	assert_int_equal(db_begin(db), 0);
	assert_int_equal(meeting_withdraw(db, pr.id, &err), 1);
	assert_int_equal(db_commit(db), 0);
	assert_int_equal(meeting_get(db, pr.id, &m), 1);
	assert_string_equal(m.status, "cancelled");
	assert_int_equal(m.sequence, 0);
	meeting_free(&m);
	assert_int_equal(count(db, "SELECT count(*) FROM outbox"), outbox);

	/* Twice: refused. */
	assert_int_equal(meeting_withdraw(db, pr.id, &err), 0);
	assert_non_null(err);
	assert_non_null(strstr(err, "not a proposal"));
	free(err);
	err = NULL;

	/* A scheduled meeting: refused and left scheduled. */
	sched = book(db);
	assert_int_equal(meeting_withdraw(db, sched, &err), 0);
	assert_non_null(err);
	assert_non_null(strstr(err, "scheduled"));
	free(err);
	err = NULL;
	assert_int_equal(meeting_get(db, sched, &m), 1);
	assert_string_equal(m.status, "scheduled");
	meeting_free(&m);

	/* No such meeting. */
	assert_int_equal(meeting_withdraw(db, 999999, &err), 0);
	assert_non_null(strstr(err, "no meeting"));
	free(err);
	meeting_proposal_free(&pr);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(propose_inside_hours, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(propose_relaxed_kharkiv_tempe,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(book_writes_mail, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(replies_update_attendees,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(plain_reply_counts, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(reminders_and_feed, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(feed_file_written, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(withdraw_proposal, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
