/*
 * remind: a simulated quarter (2027-01-04 .. 2027-04-04) on the demo
 * network, ticking every hour with the test clock and a 3-day outage in
 * the middle. What each rule should queue — keys, recipients and the
 * tick that queues them — is computed here from the raw events with the
 * C library's own time zones (TZ + mktime, not tz.c) and a hand-written
 * list of holidays, then compared with the outbox. Also: a partner's
 * reply stops the no-answer nudge while an auto-reply does not, "stop"
 * silences, the follow-up a nudge offers is queued once, and the
 * digest's HTML is well formed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "db.h"
#include "directory.h"
#include "mailtmpl.h"
#include "remind.h"
#include "steps.h"
#include "util.h"

static char tmpdir[] = "/tmp/mistok-test-remind.XXXXXX";
static struct config *conf;
static struct db *db;

#define T0	1799020800	/* 2027-01-04T00:00:00Z, a Monday */
#define TEND	(T0 + 90 * 86400)
#define OUT_A	1802217600	/* 2027-02-10T00:00:00Z: last tick before */
#define OUT_B	1802476800	/* 2027-02-13T00:00:00Z: first tick after */

static time_t
utc(const char *iso)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (strptime(iso, "%Y-%m-%dT%H:%M:%SZ", &tm) == NULL)
		fail_msg("bad instant %s", iso);
	return timegm(&tm);
}

/* ---- the independent model: libc zones, the spec's rules ---------------- */

static void
use_zone(const char *zone)
{
	setenv("TZ", zone, 1);
	tzset();
}

/* Local y-m-d h:m in zone → UTC, by libc. */
static time_t
local_utc(const char *zone, int y, int mo, int d, int h, int mi)
{
	struct tm tm;

	use_zone(zone);
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_isdst = -1;
	return mktime(&tm);
}

static const char *us_holidays[] = { "2027-01-01", "2027-01-18",
	"2027-02-15", NULL };

struct who {
	const char	*email;
	const char	*zone;
	int		 us;		/* US hours (until 17:00), holidays */
};

static const struct who OLENA = { "olena@c4c.test", "Europe/Kyiv", 0 };
static const struct who MARK = { "mark@c4c.test", "America/New_York", 0 };
static const struct who EMILY = { "intl@madison.test", "America/Chicago",
	1 };

static int
working(const struct who *w, const struct tm *tm)
{
	char day[11];
	int i;

	if (tm->tm_wday == 0 || tm->tm_wday == 6)
		return 0;
	if (!w->us)
		return 1;	/* ua_holidays = no (the default) */
	strftime(day, sizeof(day), "%Y-%m-%d", tm);
	for (i = 0; us_holidays[i] != NULL; i++)
		if (strcmp(us_holidays[i], day) == 0)
			return 0;
	return 1;
}

/* The spec: at or after t, 09:00 .. end of hours on a working day. */
static time_t
expect_slot(const struct who *w, time_t t)
{
	struct tm tm;
	int i, minute, end = w->us ? 17 * 60 : 18 * 60;

	use_zone(w->zone);
	localtime_r(&t, &tm);
	minute = tm.tm_hour * 60 + tm.tm_min;
	for (i = 0; i < 30; i++) {
		struct tm d = tm;

		d.tm_mday += i;
		d.tm_hour = 12;
		d.tm_isdst = -1;
		mktime(&d);
		if (!working(w, &d))
			continue;
		if (i == 0 && minute >= 9 * 60 && minute < end)
			return t;
		if (i == 0 && minute >= end)
			continue;
		return local_utc(w->zone, d.tm_year + 1900, d.tm_mon + 1,
		    d.tm_mday, 9, 0);
	}
	fail_msg("no working day");
	return 0;
}

/* The first tick at or after s (hourly from T0, none in the outage). */
static time_t
cover(time_t s)
{
	time_t t = s <= T0 ? T0 : T0 + ((s - T0 + 3599) / 3600) * 3600;

	if (t > OUT_A && t < OUT_B)
		t = OUT_B;
	return t;
}

struct occ {
	char	 key[128];
	char	 rcpt[64];
	time_t	 at;		/* due instant */
};

struct expect {
	char	 key[128];
	char	 rcpt[64];
	time_t	 created;
};

static struct expect exp_[256];
static size_t nexp;

/*
 * An item's occurrences, in order: the one at i goes out (at cover(at))
 * unless the next one is covered by the same tick or earlier.
 */
static void
expect_item(struct occ *o, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (o[i].at > TEND)
			break;
		if (i + 1 < n && o[i + 1].at <= TEND &&
		    cover(o[i + 1].at) <= cover(o[i].at))
			continue;
		assert_true(nexp < nitems(exp_));
		snprintf(exp_[nexp].key, sizeof(exp_[0].key), "%s", o[i].key);
		snprintf(exp_[nexp].rcpt, sizeof(exp_[0].rcpt), "%s",
		    o[i].rcpt);
		exp_[nexp].created = cover(o[i].at);
		nexp++;
	}
}

/*
 * A step's reminders for w: due in 3 days (the first working day from
 * due-3, if before the due day), on the due day (if a working day) and,
 * with overdue, every 3 days from the end of the due day until done.
 */
static void
expect_step(int64_t id, const char *due_zone, int y, int m, int d,
    const struct who *w, const char *role, int overdue, time_t done)
{
	struct occ o[64];
	size_t n = 0;
	time_t day0 = local_utc(due_zone, y, m, d, 0, 0), s, due_at;
	int k;

	s = expect_slot(w, local_utc(due_zone, y, m, d - 3, 0, 0));
	if (s < day0) {
		snprintf(o[n].key, sizeof(o[0].key),
		    "step-soon:%lld:%04d-%02d-%02d:%s", (long long)id, y, m, d,
		    role);
		o[n].at = s;
		snprintf(o[n++].rcpt, sizeof(o[0].rcpt), "%s", w->email);
	}
	due_at = local_utc(due_zone, y, m, d + 1, 0, 0);
	s = expect_slot(w, day0);
	if (s < due_at) {
		snprintf(o[n].key, sizeof(o[0].key),
		    "step-today:%lld:%04d-%02d-%02d:%s", (long long)id, y, m, d,
		    role);
		o[n].at = s;
		snprintf(o[n++].rcpt, sizeof(o[0].rcpt), "%s", w->email);
	}
	for (k = 1; overdue && k < 40; k++) {
		s = expect_slot(w, due_at + (time_t)(k - 1) * 3 * 86400);
		if (done != 0 && s >= done)
			break;
		snprintf(o[n].key, sizeof(o[0].key), "overdue:%lld:%d",
		    (long long)id, k);
		o[n].at = s;
		snprintf(o[n++].rcpt, sizeof(o[0].rcpt), "%s", w->email);
	}
	expect_item(o, n);
}

static void
expect_one(const char *key, const struct who *w, time_t at)
{
	struct occ o;

	snprintf(o.key, sizeof(o.key), "%s", key);
	snprintf(o.rcpt, sizeof(o.rcpt), "%s", w->email);
	o.at = at;
	expect_item(&o, 1);
}

/* ---- the world ------------------------------------------------------------ */

static char *
slurp(const char *path, size_t *len)
{
	struct buf b;
	char chunk[4096];
	FILE *f;
	size_t n;

	if ((f = fopen(path, "rb")) == NULL)
		fail_msg("%s: cannot open (set TOP)", path);
	buf_init(&b);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	*len = b.len;
	return buf_steal(&b);
}

static const char *
top(void)
{
	return getenv("TOP") ? getenv("TOP") : ".";
}

static void
world(void)
{
	static const char *const kinds[] = { "orgs", "contacts",
	    "partnerships" };
	static const enum dir_kind dk[] = { DIR_ORGS, DIR_CONTACTS,
	    DIR_PARTNERSHIPS };
	struct dir_import_stats ist;
	struct buf errors;
	char *path, *data, *err = NULL;
	FILE *f;
	size_t len, i;

	assert_non_null(mkdtemp(tmpdir));
	path = xasprintf("%s/mistok.conf", tmpdir);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "[mailbox]\nhost = 127.0.0.1\nport = 9\n"
	    "user = team@c4c.test\npassword_file = %s/pw\n"
	    "[team]\naddress = team@c4c.test\nname = Cities4Cities\n"
	    "tag = C4C\ncoordinators = olena@c4c.test, mark@c4c.test\n"
	    "[schedule]\nholidays_dir = %s/contrib/holidays\n"
	    "[store]\npath = %s/m.db\n[templates]\ndir = %s/templates\n",
	    tmpdir, top(), tmpdir, top());
	fclose(f);
	buf_init(&errors);
	if (config_load(path, &conf, &errors) != 0)
		fail_msg("config: %s", errors.data);
	buf_free(&errors);
	free(path);
	assert_int_equal(db_open(conf->store_path, DB_CREATE | DB_MIGRATE,
	    &db, &err), 0);
	for (i = 0; i < nitems(kinds); i++) {
		path = xasprintf("%s/contrib/demo/%s.csv", top(), kinds[i]);
		data = slurp(path, &len);
		if (directory_import(db, conf, dk[i], path, data, len, &ist,
		    &err) != 0)
			fail_msg("import: %s", err);
		free(data);
		free(path);
	}
}

static int64_t
pid(const char *slug)
{
	int64_t id;

	assert_int_equal(directory_partnership_by_slug(db, slug, &id), 1);
	return id;
}

static int64_t
add_step(const char *slug, const char *text, const char *owner, int y,
    int m, int d, const char *zone)
{
	struct step_owner o;
	struct step_due due;
	int64_t id;
	char *err = NULL;

	if (steps_owner_parse(db, conf, pid(slug), owner, NULL, &o, &err) != 0)
		fail_msg("owner: %s", err);
	due.date.year = y;
	due.date.month = m;
	due.date.day = d;
	due.zone = zone;
	if (steps_add(db, pid(slug), text, &o, &due, STEP_ORIGIN_CLI, "cli",
	    &id, &err) != 0)
		fail_msg("step: %s", err);
	return id;
}

static int64_t
add_mail(const char *slug, const char *dir, const char *kind, time_t date,
    const char *from, const char *to)
{
	static int n;
	int64_t id;
	char mid[64], hash[32];

	snprintf(mid, sizeof(mid), "m%d@test", ++n);
	snprintf(hash, sizeof(hash), "h%d", n);
	assert_int_equal(db_exec(db, "INSERT INTO messages (message_id, "
	    "content_hash, date, from_email, subject, partnership, direction, "
	    "kind) VALUES (?, ?, ?, ?, 'Hello', ?, ?, ?)", "ttTtItt", mid,
	    hash, date, from, pid(slug), dir, kind), 0);
	id = db_last_id(db);
	assert_int_equal(db_exec(db, "INSERT INTO message_addresses (message, "
	    "role, position, email) VALUES (?, 'to', 0, ?)", "It", id, to), 0);
	return id;
}

/* ---- the quarter ----------------------------------------------------------- */

static int
has_prefix(const char *s, const char *const *prefixes)
{
	size_t i;

	for (i = 0; prefixes[i] != NULL; i++)
		if (strncmp(s, prefixes[i], strlen(prefixes[i])) == 0)
			return 1;
	return 0;
}

static void
test_quarter(void **state)
{
	static const char *const checked[] = { "step-", "overdue:", "quiet:",
	    "no-answer:", "outcome:", NULL };
	struct remind_env env;
	struct remind_stats st;
	struct outbox_row { char *key, *rcpt; time_t created; } *rows = NULL;
	sqlite3_stmt *sq;
	char *err = NULL, buf[32], *nudge_id = NULL;
	int64_t s1, s2, s3, m1 = 0, m3 = 0, m5 = 0, p2;
	size_t nrows = 0, i, j, ticks = 0, digests = 0, reminders = 0;
	time_t t, done1 = utc("2027-02-01T12:00:00Z");

	world();
	clock_set_fake(T0 - 3600);
	/* Steps, added before the quarter. */
	s1 = add_step("lviv-madison", "Send the draft agreement",
	    "intl@madison.test", 2027, 1, 19, "America/Chicago");
	s2 = add_step("kharkiv-tempe", "Call the council", "coordinator",
	    2027, 2, 11, "Europe/Kyiv");
	s3 = add_step("irpin-madison", "Agree the agenda", "coordinator",
	    2027, 3, 30, "Europe/Kyiv");
	/* It was running before: no catch-up of December. */
	snprintf(buf, sizeof(buf), "%lld", (long long)(T0 - 3600));
	assert_int_equal(db_kv_set(db, "remind.last_tick", buf), 0);

	memset(&env, 0, sizeof(env));
	env.db = db;
	env.conf = conf;
	for (t = T0; t <= TEND; t += 3600) {
		if (t > OUT_A && t < OUT_B)
			continue;	/* the outage */
		clock_set_fake(t);
		/* The raw events, as they happen. */
		if (t == utc("2027-01-05T10:00:00Z"))
			m1 = add_mail("irpin-madison", "out", "correspondence",
			    t, "olena@c4c.test", "clerk@madison.test");
		if (t == utc("2027-01-06T10:00:00Z"))	/* out of office */
			add_mail("irpin-madison", "in", "autoreply", t,
			    "clerk@madison.test", "olena@c4c.test");
		if (t == utc("2027-01-07T10:00:00Z"))
			add_mail("krylia-honolulu", "out", "correspondence",
			    t, "mark@c4c.test", "mayor@honolulu.test");
		if (t == utc("2027-01-08T10:00:00Z"))	/* a "stop" reply */
			assert_int_equal(db_exec(db, "INSERT INTO nudge_stops "
			    "(partnership, at, actor) VALUES (?, ?, ?)", "ITt",
			    pid("krylia-honolulu"), t, "mark@c4c.test"), 0);
		if (t == utc("2027-01-20T15:00:00Z"))
			add_mail("lviv-madison", "out", "correspondence", t,
			    "mark@c4c.test", "intl@madison.test");
		if (t == utc("2027-01-22T15:00:00Z"))	/* the partner */
			m5 = add_mail("lviv-madison", "in", "correspondence",
			    t, "intl@madison.test", "mark@c4c.test");
		if (t == utc("2027-02-20T10:00:00Z"))
			m3 = add_mail("irpin-madison", "in", "correspondence",
			    t, "clerk@madison.test", "olena@c4c.test");
		if (t == utc("2027-02-25T10:00:00Z")) {
			assert_int_equal(db_exec(db, "INSERT INTO meetings (uid, "
			    "partnership, title, sequence, start_utc, duration, "
			    "status) VALUES ('m-1@c4c.test', ?, 'Kharkiv - Tempe',"
			    " 0, ?, 3600, 'scheduled')", "IT",
			    pid("kharkiv-tempe"), utc("2027-03-02T15:00:00Z")),
			    0);
			assert_int_equal(db_exec(db, "INSERT INTO attendees "
			    "(meeting, email, zone) VALUES (1, 'olena@c4c.test', "
			    "'Europe/Kyiv'), (1, 'sister@tempe.test', "
			    "'America/Phoenix')", ""), 0);
		}
		if (t == done1)
			assert_int_equal(steps_done(db, s1, "mark@c4c.test",
			    &err), 0);
		if (remind_tick(&env, t, &st, &err) != 0)
			fail_msg("tick: %s", err);
		assert_int_equal(st.errors, 0);
		remind_stats_free(&st);
		ticks++;
	}
	assert_true(ticks > 2000);

	/* Expected, from the raw events alone. */
	nexp = 0;
	expect_step(s1, "America/Chicago", 2027, 1, 19, &MARK, "coord", 1,
	    done1);
	expect_step(s1, "America/Chicago", 2027, 1, 19, &EMILY, "owner", 0,
	    0);
	expect_step(s2, "Europe/Kyiv", 2027, 2, 11, &OLENA, "coord", 1, 0);
	expect_step(s3, "Europe/Kyiv", 2027, 3, 30, &OLENA, "coord", 1, 0);
	p2 = pid("irpin-madison");
	snprintf(buf, sizeof(buf), "no-answer:%lld:%lld", (long long)p2,
	    (long long)m1);
	expect_one(buf, &OLENA, expect_slot(&OLENA,
	    utc("2027-01-05T10:00:00Z") + 7 * 86400));
	snprintf(buf, sizeof(buf), "quiet:%lld:%lld", (long long)p2,
	    (long long)m1);
	expect_one(buf, &OLENA, expect_slot(&OLENA,
	    utc("2027-01-05T10:00:00Z") + 21 * 86400));
	snprintf(buf, sizeof(buf), "quiet:%lld:%lld", (long long)p2,
	    (long long)m3);
	expect_one(buf, &OLENA, expect_slot(&OLENA,
	    utc("2027-02-20T10:00:00Z") + 21 * 86400));
	snprintf(buf, sizeof(buf), "quiet:%lld:%lld",
	    (long long)pid("lviv-madison"), (long long)m5);
	expect_one(buf, &MARK, expect_slot(&MARK,
	    utc("2027-01-22T15:00:00Z") + 21 * 86400));
	expect_one("outcome:1", &OLENA, expect_slot(&OLENA,
	    utc("2027-03-02T16:00:00Z")));

	/* What was queued. */
	sq = db_stmt(db, "SELECT dedupe_key, recipients, created FROM outbox "
	    "ORDER BY id");
	assert_non_null(sq);
	while (db_step(sq) == 1) {
		char *k = db_col_strdup(sq, 0);

		if (strncmp(k, "digest:", 7) == 0)
			digests++;
		if (strncmp(k, "reminder:m-1@c4c.test:0:", 24) == 0) {
			reminders++;
			assert_int_equal(db_col_time(sq, 2),
			    utc("2027-03-01T15:00:00Z"));
		}
		if (!has_prefix(k, checked)) {
			free(k);
			continue;
		}
		rows = xreallocarray(rows, nrows + 1, sizeof(*rows));
		rows[nrows].key = k;
		rows[nrows].rcpt = db_col_strdup(sq, 1);
		rows[nrows].created = db_col_time(sq, 2);
		nrows++;
	}
	for (i = 0; i < nexp; i++) {
		for (j = 0; j < nrows; j++)
			if (strcmp(rows[j].key, exp_[i].key) == 0)
				break;
		if (j == nrows)
			fail_msg("missing %s (due to %s at %lld)", exp_[i].key,
			    exp_[i].rcpt, (long long)exp_[i].created);
		assert_string_equal(rows[j].rcpt, exp_[i].rcpt);
		if (rows[j].created != exp_[i].created)
			fail_msg("%s queued at %lld, expected %lld", exp_[i].key,
			    (long long)rows[j].created,
			    (long long)exp_[i].created);
	}
	for (j = 0; j < nrows; j++) {
		for (i = 0; i < nexp; i++)
			if (strcmp(rows[j].key, exp_[i].key) == 0)
				break;
		if (i == nexp)
			fail_msg("unexpected %s to %s", rows[j].key,
			    rows[j].rcpt);
	}
	assert_int_equal(nrows, nexp);
	print_message("%zu reminders as expected\n", nexp);
	for (i = 0; i < nexp; i++)
		print_message("  %s to %s\n", exp_[i].key, exp_[i].rcpt);
	assert_true(nexp >= 20);
	/* The outage: s2's "today" and first overdue fell in it; one goes. */
	for (i = 0, j = 0; i < nrows; i++)
		if (rows[i].created == OUT_B && strncmp(rows[i].key,
		    "overdue:", 8) == 0)
			j++;
	assert_int_equal(j, 1);
	/* Mondays 08:00 in each coordinator's zone: 13 weeks, two people. */
	assert_int_equal(digests, 26);
	assert_int_equal(reminders, 2);

	/* "send" on the nudge: the ready follow-up, once. */
	snprintf(buf, sizeof(buf), "no-answer:%lld:%lld", (long long)p2,
	    (long long)m1);
	sq = db_stmt(db, "SELECT message_id FROM outbox WHERE dedupe_key = ?");
	assert_int_equal(db_bind(sq, "t", buf), 0);
	assert_int_equal(db_step(sq), 1);
	nudge_id = db_col_strdup(sq, 0);
	sqlite3_reset(sq);
	assert_int_equal(remind_send_followup(&env, nudge_id, &err), 1);
	assert_int_equal(remind_send_followup(&env, nudge_id, &err), 0);
	sq = db_stmt(db, "SELECT recipients FROM outbox WHERE dedupe_key "
	    "LIKE 'followup:no-answer:%'");
	assert_int_equal(db_step(sq), 1);
	assert_string_equal((const char *)sqlite3_column_text(sq, 0),
	    "clerk@madison.test");
	sqlite3_reset(sq);
	free(nudge_id);
	for (i = 0; i < nrows; i++) {
		free(rows[i].key);
		free(rows[i].rcpt);
	}
	free(rows);
}

/* A tiny well-formedness check: every tag closed in order. */
static int
well_formed(const char *h, char *why, size_t len)
{
	static const char *const voids[] = { "meta", "br", "hr", "img",
	    "link", "!DOCTYPE", NULL };
	char stack[64][16], name[16];
	int depth = 0, i, closing, isvoid;
	const char *p = h, *e;
	size_t n;

	while ((p = strchr(p, '<')) != NULL) {
		closing = p[1] == '/';
		e = p + 1 + closing;
		for (n = 0; *e && *e != '>' && *e != ' ' && n < 15; e++)
			name[n++] = *e;
		name[n] = '\0';
		if ((e = strchr(p, '>')) == NULL)
			return snprintf(why, len, "unclosed <%s", name), 0;
		for (isvoid = 0, i = 0; voids[i] != NULL; i++)
			if (strcasecmp(voids[i], name) == 0)
				isvoid = 1;
		if (strstr(name, "script") != NULL)
			return snprintf(why, len, "a script"), 0;
		if (closing) {
			if (depth == 0 || strcmp(stack[depth - 1], name) != 0)
				return snprintf(why, len, "</%s> closes <%s>",
				    name, depth ? stack[depth - 1] : "-"), 0;
			depth--;
		} else if (!isvoid && e[-1] != '/') {
			if (depth == 64)
				return snprintf(why, len, "too deep"), 0;
			snprintf(stack[depth++], sizeof(stack[0]), "%s", name);
		}
		p = e + 1;
	}
	if (depth != 0)
		return snprintf(why, len, "<%s> never closed",
		    stack[depth - 1]), 0;
	return 1;
}

static void
test_digest_html(void **state)
{
	struct remind_env env;
	struct mailtmpl_mail mm;
	char *err = NULL, why[128];

	memset(&env, 0, sizeof(env));
	env.db = db;
	env.conf = conf;
	assert_int_equal(remind_digest_render(&env, "olena@c4c.test",
	    utc("2027-03-01T06:00:00Z"), &mm, &err), 0);
	assert_non_null(mm.html);
	assert_string_equal(mm.lang, "uk");
	if (!well_formed(mm.html, why, sizeof(why)))
		fail_msg("digest HTML: %s", why);
	assert_non_null(strstr(mm.html, "kharkiv-tempe"));
	assert_null(strstr(mm.html, "<script"));
	assert_null(strstr(mm.html, "src=\"http"));
	/* The checker itself catches a broken page. */
	assert_false(well_formed("<table><tr><td></tr></table>", why,
	    sizeof(why)));
	mailtmpl_mail_free(&mm);
	assert_int_equal(remind_digest_render(&env, "mark@c4c.test",
	    utc("2027-03-01T06:00:00Z"), &mm, &err), 0);
	assert_string_equal(mm.lang, "en");
	assert_non_null(strstr(mm.text, "lviv-madison"));
	mailtmpl_mail_free(&mm);
}

static void
test_send_slot(void **state)
{
	struct remind_env env;
	time_t t;

	memset(&env, 0, sizeof(env));
	env.db = db;
	env.conf = conf;
	/* Saturday night in Chicago → Monday 09:00, unless MLK day. */
	t = remind_send_slot(&env, "America/Chicago", NULL, "US",
	    utc("2027-01-17T03:00:00Z"));
	assert_int_equal(t, expect_slot(&EMILY, utc("2027-01-17T03:00:00Z")));
	assert_int_equal(t, utc("2027-01-19T15:00:00Z"));
	/* Within working hours: at once. */
	t = utc("2027-03-03T10:30:00Z");
	assert_int_equal(remind_send_slot(&env, "Europe/Kyiv", NULL, "UA", t),
	    t);
}

/*
 * A step written inside its "due soon" window, or already overdue, is
 * reminded at the next sensible hour after it was written, once.
 */
static void
test_late_steps(void **state)
{
	struct remind_env env;
	struct remind_stats st;
	char *err = NULL, buf[32], key[64];
	int64_t soon, late, n;
	time_t t = utc("2027-05-04T09:00:00Z");	/* Tue, 12:00 in Kyiv */

	clock_set_fake(t);
	snprintf(buf, sizeof(buf), "%lld", (long long)(t - 60));
	assert_int_equal(db_kv_set(db, "remind.last_tick", buf), 0);
	soon = add_step("kharkiv-tempe", "Send the photos", "coordinator",
	    2027, 5, 6, "Europe/Kyiv");
	late = add_step("kharkiv-tempe", "Sign the letter", "coordinator",
	    2027, 4, 30, "Europe/Kyiv");
	memset(&env, 0, sizeof(env));
	env.db = db;
	env.conf = conf;
	clock_set_fake(t + 60);
	if (remind_tick(&env, t + 60, &st, &err) != 0)
		fail_msg("tick: %s", err);
	remind_stats_free(&st);
	snprintf(key, sizeof(key), "step-soon:%lld:2027-05-06:coord",
	    (long long)soon);
	assert_int_equal(db_int(db, &n, "SELECT count(*) FROM outbox WHERE "
	    "dedupe_key = ?", "t", key), 1);
	assert_int_equal(n, 1);
	snprintf(key, sizeof(key), "overdue:%lld:%%", (long long)late);
	assert_int_equal(db_int(db, &n, "SELECT count(*) FROM outbox WHERE "
	    "dedupe_key LIKE ?", "t", key), 1);
	assert_int_equal(n, 1);
	/* The next tick finds both in the ledger. */
	clock_set_fake(t + 120);
	if (remind_tick(&env, t + 120, &st, &err) != 0)
		fail_msg("tick: %s", err);
	assert_int_equal(st.queued, 0);
	remind_stats_free(&st);
	clock_set_fake(0);
}

static int
teardown(void **state)
{
	char *cmd;

	clock_set_fake(0);
	if (db != NULL)
		db_close(db);
	config_free(conf);
	if (tmpdir[strlen(tmpdir) - 1] != 'X') {
		cmd = xasprintf("rm -rf '%s'", tmpdir);
		if (system(cmd) != 0)
			print_error("cannot remove %s\n", tmpdir);
		free(cmd);
	}
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quarter),
		cmocka_unit_test(test_digest_html),
		cmocka_unit_test(test_send_slot),
		cmocka_unit_test(test_late_steps),
	};

	return cmocka_run_group_tests(tests, NULL, teardown);
}
