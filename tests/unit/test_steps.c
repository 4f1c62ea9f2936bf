/*
 * steps: owners as people write them, due days kept in the owner's zone
 * (the instant the day ends, across DST), add/done/snooze with their
 * history and audit rows, refusals that write nothing, listing filters
 * and order, snooze durations, and writes inside a caller's transaction.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "db.h"
#include "directory.h"
#include "steps.h"
#include "tz.h"
#include "util.h"

static char tmpdir[] = "/tmp/mistok-test-steps.XXXXXX";
static int dbno;

static char *coordinators[] = { "olena@c4c.test", NULL };
static struct config conf;

/* "2026-12-01T14:00:00Z" as UTC seconds, read independently of tz.c. */
static time_t
utc(const char *iso)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (strptime(iso, "%Y-%m-%dT%H:%M:%SZ", &tm) == NULL)
		fail_msg("bad test instant %s", iso);
	return timegm(&tm);
}

static char *
slurp(const char *name, size_t *len)
{
	const char *top = getenv("TOP") ? getenv("TOP") : ".";
	char *path = xasprintf("%s/contrib/demo/%s", top, name);
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
	free(path);
	*len = b.len;
	return buf_steal(&b);
}

static void
import_demo(struct db *db)
{
	static const struct {
		enum dir_kind	 k;
		const char	*file;
	} files[] = {
		{ DIR_ORGS, "orgs.csv" },
		{ DIR_CONTACTS, "contacts.csv" },
		{ DIR_PARTNERSHIPS, "partnerships.csv" },
	};
	struct dir_import_stats st;
	char *text, *err = NULL;
	size_t i, len;

	for (i = 0; i < nitems(files); i++) {
		text = slurp(files[i].file, &len);
		if (directory_import(db, &conf, files[i].k, files[i].file,
		    text, len, &st, &err) != 0)
			fail_msg("%s: %s", files[i].file, err);
		free(text);
	}
}

static int
group_setup(void **state)
{
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	conf.team_domain = "c4c.test";
	conf.coordinators = coordinators;
	return 0;
}

static int
group_teardown(void **state)
{
	char *cmd = xasprintf("rm -rf '%s'", tmpdir);
	int rc = system(cmd);

	free(cmd);
	return rc == 0 ? 0 : -1;
}

static int
setup(void **state)
{
	char *path = xasprintf("%s/s%d.db", tmpdir, ++dbno), *err = NULL;
	struct db *db;

	clock_set_fake(utc("2026-12-01T14:00:00Z"));	/* Tue, 16:00 Kyiv */
	if (db_open(path, DB_CREATE | DB_MIGRATE, &db, &err) == -1) {
		fprintf(stderr, "%s\n", err);
		free(err);
		free(path);
		return -1;
	}
	free(path);
	import_demo(db);
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

static int64_t
count(struct db *db, const char *sql)
{
	int64_t n = -1;

	assert_int_equal(db_int(db, &n, sql, ""), 1);
	return n;
}

static int64_t
pid(struct db *db, const char *slug)
{
	int64_t id = 0;

	assert_int_equal(directory_partnership_by_slug(db, slug, &id), 1);
	return id;
}

static int64_t
cid(struct db *db, const char *email)
{
	int64_t id = 0;

	assert_int_equal(directory_contact_by_email(db, email, &id, NULL), 1);
	return id;
}

static struct step_owner
owner(struct db *db, int64_t p, const char *text, const char *me)
{
	struct step_owner o;
	char *err = NULL;

	if (steps_owner_parse(db, &conf, p, text, me, &o, &err) != 0)
		fail_msg("owner %s: %s", text, err);
	return o;
}

static int64_t
add(struct db *db, const char *slug, const char *text, const char *own,
    const char *day, const char *zone)
{
	struct step_owner o = { STEP_OWNER_NONE, 0 };
	struct step_due due;
	char *err = NULL;
	int64_t id = 0;

	if (own != NULL)
		o = owner(db, pid(db, slug), own, NULL);
	if (day != NULL) {
		assert_int_equal(tz_date_parse(day, &due.date), 0);
		due.zone = zone;
	}
	if (steps_add(db, pid(db, slug), text, &o, day ? &due : NULL,
	    STEP_ORIGIN_CLI, "cli", &id, &err) != 0)
		fail_msg("add %s: %s", text, err);
	assert_true(id > 0);
	return id;
}

/* An owner that must be refused with a message containing want. */
static void
owner_refused(struct db *db, int64_t p, const char *text, const char *want)
{
	struct step_owner o;
	char *err = NULL;

	assert_int_equal(steps_owner_parse(db, &conf, p, text, NULL, &o,
	    &err), STEPS_ERR_DATA);
	assert_non_null(err);
	if (strstr(err, want) == NULL)
		fail_msg("owner %s: \"%s\" lacks \"%s\"", text, err, want);
	free(err);
}

static void
owners_resolve_as_people_write_them(void **state)
{
	struct db *db = *state;
	int64_t lm = pid(db, "lviv-madison"), kt = pid(db, "kharkiv-tempe");
	struct step_owner o;
	int64_t org = 0;
	char *err = NULL;

	/* "me" is the sender; on the CLI the partnership's coordinator. */
	o = owner(db, lm, "me", "olena@c4c.test");
	assert_int_equal(o.kind, STEP_OWNER_COORDINATOR);
	assert_int_equal(o.id, cid(db, "olena@c4c.test"));
	o = owner(db, lm, "me", NULL);
	assert_int_equal(o.kind, STEP_OWNER_COORDINATOR);
	assert_int_equal(o.id, cid(db, "mark@c4c.test"));
	o = owner(db, kt, "я", NULL);
	assert_int_equal(o.id, cid(db, "olena@c4c.test"));
	o = owner(db, kt, "coordinator", NULL);
	assert_int_equal(o.id, cid(db, "olena@c4c.test"));
	/* Addresses: a coordinator (listed, or at the team's org), else a
	 * contact; any case. */
	o = owner(db, lm, "Mark@C4C.test", NULL);
	assert_int_equal(o.kind, STEP_OWNER_COORDINATOR);
	o = owner(db, lm, "intl@madison.test", NULL);
	assert_int_equal(o.kind, STEP_OWNER_CONTACT);
	assert_int_equal(o.id, cid(db, "intl@madison.test"));
	/* Names: an organisation, else a contact. */
	o = owner(db, lm, "City of Madison", NULL);
	assert_int_equal(o.kind, STEP_OWNER_ORG);
	assert_int_equal(directory_find(db, DIR_ORGS, "City of Madison", &org,
	    &err), 1);
	assert_int_equal(o.id, org);
	o = owner(db, lm, "  Emily Carter ", NULL);
	assert_int_equal(o.kind, STEP_OWNER_CONTACT);
	assert_int_equal(o.id, cid(db, "intl@madison.test"));
	o = owner(db, lm, "Olena Kovalenko", NULL);
	assert_int_equal(o.kind, STEP_OWNER_COORDINATOR);
	/* Refusals say what is wrong. */
	owner_refused(db, lm, "nobody@madison.test", "nobody@madison.test");
	owner_refused(db, lm, "Atlantis", "no contact or organisation "
	    "'Atlantis'");
	owner_refused(db, lm, "12", "not a number");
	owner_refused(db, lm, "", "no owner");
	owner_refused(db, 0, "me", "needs a partnership");
	owner_refused(db, 9999, "coordinator", "no partnership 9999");
}

static void
due_zone_is_the_owners(void **state)
{
	struct db *db = *state;
	int64_t lm = pid(db, "lviv-madison");
	struct step_owner o;
	char *z;

	o = owner(db, lm, "intl@madison.test", NULL);
	z = steps_due_zone(db, lm, &o, "Europe/Kyiv");
	assert_string_equal(z, "America/Chicago");
	free(z);
	o = owner(db, lm, "City of Tempe", NULL);
	z = steps_due_zone(db, lm, &o, NULL);
	assert_string_equal(z, "America/Phoenix");
	free(z);
	/* Olena has no zone of her own: her organisation's. */
	o = owner(db, lm, "olena@c4c.test", NULL);
	z = steps_due_zone(db, lm, &o, NULL);
	assert_string_equal(z, "Europe/Kyiv");
	free(z);
	/* Nobody: the coordinator's (Mark: New York), else the fallback. */
	z = steps_due_zone(db, lm, NULL, "Europe/Kyiv");
	assert_string_equal(z, "America/New_York");
	free(z);
	z = steps_due_zone(db, 0, NULL, "Europe/Kyiv");
	assert_string_equal(z, "Europe/Kyiv");
	free(z);
}

static void
add_keeps_the_day_its_zone_and_where_it_ends(void **state)
{
	struct db *db = *state;
	struct step_event *h;
	struct step s;
	char *err = NULL;
	size_t n;
	int64_t id;

	id = add(db, "lviv-madison", "  Send the draft agreement ",
	    "intl@madison.test", "2026-12-05", "America/Chicago");
	assert_int_equal(steps_get(db, id, &s, &err), 1);
	assert_string_equal(s.slug, "lviv-madison");
	assert_string_equal(s.text, "Send the draft agreement");
	assert_int_equal(s.owner.kind, STEP_OWNER_CONTACT);
	assert_string_equal(s.owner_name, "Emily Carter");
	assert_string_equal(s.owner_email, "intl@madison.test");
	assert_string_equal(s.owner_zone, "America/Chicago");
	assert_string_equal(s.owner_language, "en");
	assert_string_equal(s.coordinator_email, "mark@c4c.test");
	assert_string_equal(s.coordinator_zone, "America/New_York");
	assert_true(s.has_due);
	assert_int_equal(s.due.year, 2026);
	assert_int_equal(s.due.month, 12);
	assert_int_equal(s.due.day, 5);
	assert_string_equal(s.due_zone, "America/Chicago");
	/* The day ends at midnight CST (UTC-6). */
	assert_int_equal(s.due_at, utc("2026-12-06T06:00:00Z"));
	assert_int_equal(s.status, STEP_OPEN);
	assert_int_equal(s.origin, STEP_ORIGIN_CLI);
	assert_string_equal(s.actor, "cli");
	assert_int_equal(s.created, clock_now());
	assert_int_equal(s.done_at, 0);
	assert_int_equal(s.snoozed_until, 0);
	step_free(&s);

	/* Kyiv in winter is UTC+2; an org owner has no address. */
	id = add(db, "kharkiv-tempe", "Book the hall", "City of Tempe",
	    "2026-12-05", "Europe/Kiev");
	assert_int_equal(steps_get(db, id, &s, &err), 1);
	assert_string_equal(s.due_zone, "Europe/Kyiv");
	assert_int_equal(s.due_at, utc("2026-12-05T22:00:00Z"));
	assert_int_equal(s.owner.kind, STEP_OWNER_ORG);
	assert_string_equal(s.owner_name, "City of Tempe");
	assert_null(s.owner_email);
	step_free(&s);

	/* The day before the US falls back ends at 00:00 CDT (UTC-5). */
	id = add(db, "lviv-madison", "Call", NULL, "2026-10-31",
	    "America/Chicago");
	assert_int_equal(steps_get(db, id, &s, &err), 1);
	assert_int_equal(s.due_at, utc("2026-11-01T05:00:00Z"));
	assert_int_equal(s.owner.kind, STEP_OWNER_NONE);
	step_free(&s);

	/* No due date, no owner. */
	id = add(db, "lviv-madison", "Think", NULL, NULL, NULL);
	assert_int_equal(steps_get(db, id, &s, &err), 1);
	assert_false(s.has_due);
	assert_int_equal(s.due_at, 0);
	assert_null(s.due_zone);
	step_free(&s);
	assert_int_equal(count(db, "SELECT count(*) FROM steps WHERE due IS "
	    "NULL AND owner_id IS NULL"), 1);

	/* History and audit. */
	assert_int_equal(steps_history(db, id, &h, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(h[0].action, "add");
	assert_string_equal(h[0].actor, "cli");
	assert_int_equal(h[0].at, clock_now());
	step_events_free(h, n);
	assert_int_equal(count(db, "SELECT count(*) FROM events WHERE "
	    "action = 'step_add' AND object LIKE 'step:%'"), 4);
	assert_int_equal(steps_get(db, 9999, &s, &err), 0);
}

static void
add_refused(struct db *db, int64_t p, const char *text,
    const struct step_owner *o, const struct step_due *due, const char *want)
{
	char *err = NULL;
	int64_t id = -7;

	assert_int_equal(steps_add(db, p, text, o, due, STEP_ORIGIN_COMMAND,
	    "olena@c4c.test", &id, &err), STEPS_ERR_DATA);
	assert_int_equal(id, -7);
	assert_non_null(err);
	if (strstr(err, want) == NULL)
		fail_msg("\"%s\" lacks \"%s\"", err, want);
	free(err);
}

static void
bad_steps_are_refused_and_write_nothing(void **state)
{
	struct db *db = *state;
	int64_t lm = pid(db, "lviv-madison");
	struct step_owner ghost = { STEP_OWNER_CONTACT, 9999 };
	struct step_due feb30 = { { 2026, 2, 30 }, "Europe/Kyiv" };
	struct step_due mars = { { 2026, 12, 5 }, "Mars/Olympus" };
	char *long_text = xmalloc(STEPS_TEXT_MAX + 2);

	add_refused(db, 9999, "x", NULL, NULL, "no partnership 9999");
	add_refused(db, lm, "   ", NULL, NULL, "needs a text");
	add_refused(db, lm, "a\nb", NULL, NULL, "control character");
	add_refused(db, lm, "x", &ghost, NULL, "no contact 9999");
	ghost.kind = STEP_OWNER_ORG;
	add_refused(db, lm, "x", &ghost, NULL, "no organisation 9999");
	add_refused(db, lm, "x", NULL, &feb30, "2026-02-30 does not exist");
	add_refused(db, lm, "x", NULL, &mars, "zone");
	memset(long_text, 'a', STEPS_TEXT_MAX + 1);
	long_text[STEPS_TEXT_MAX + 1] = '\0';
	add_refused(db, lm, long_text, NULL, NULL, "longer than");
	free(long_text);
	assert_int_equal(count(db, "SELECT count(*) FROM steps"), 0);
	assert_int_equal(count(db, "SELECT count(*) FROM step_history"), 0);
	assert_int_equal(count(db, "SELECT count(*) FROM events WHERE action "
	    "LIKE 'step%'"), 0);
}

static void
done_is_recorded_once(void **state)
{
	struct db *db = *state;
	struct step_event *h;
	struct step s;
	char *err = NULL;
	size_t n;
	int64_t id;

	id = add(db, "kharkiv-tempe", "Send photos", "sister@tempe.test",
	    "2026-12-03", "America/Phoenix");
	clock_set_fake(utc("2026-12-02T09:00:00Z"));
	assert_int_equal(steps_done(db, id, "olena@c4c.test", &err), 0);
	assert_int_equal(steps_get(db, id, &s, &err), 1);
	assert_int_equal(s.status, STEP_DONE);
	assert_int_equal(s.done_at, utc("2026-12-02T09:00:00Z"));
	assert_string_equal(s.done_by, "olena@c4c.test");
	step_free(&s);
	/* Again: says so, writes nothing, leaves the first record. */
	clock_set_fake(utc("2026-12-03T09:00:00Z"));
	assert_int_equal(steps_done(db, id, "mark@c4c.test", &err),
	    STEPS_ALREADY);
	assert_null(err);
	assert_int_equal(steps_get(db, id, &s, &err), 1);
	assert_string_equal(s.done_by, "olena@c4c.test");
	assert_int_equal(s.done_at, utc("2026-12-02T09:00:00Z"));
	step_free(&s);
	assert_int_equal(steps_history(db, id, &h, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(h[1].action, "done");
	assert_string_equal(h[1].actor, "olena@c4c.test");
	assert_int_equal(h[1].at, utc("2026-12-02T09:00:00Z"));
	step_events_free(h, n);
	assert_int_equal(count(db, "SELECT count(*) FROM events WHERE "
	    "action = 'step_done'"), 1);
	/* Unknown step. */
	assert_int_equal(steps_done(db, 9999, "cli", &err), STEPS_ERR_DATA);
	assert_string_equal(err, "no step 9999");
	free(err);
}

static void
snooze_holds_reminders_and_keeps_the_due_day(void **state)
{
	struct db *db = *state;
	struct step_event *h;
	struct step s;
	char *err = NULL;
	size_t n;
	int64_t id, done;

	id = add(db, "lviv-madison", "Reply to the mayor", "me", "2026-11-30",
	    "America/New_York");
	assert_int_equal(steps_snooze(db, id, clock_now(), "cli", &err),
	    STEPS_ERR_DATA);
	assert_non_null(strstr(err, "future"));
	free(err);
	err = NULL;
	assert_int_equal(steps_snooze(db, id, utc("2026-12-04T05:00:00Z"),
	    "mark@c4c.test", &err), 0);
	assert_int_equal(steps_snooze(db, id, utc("2026-12-08T05:00:00Z"),
	    "mark@c4c.test", &err), 0);
	assert_int_equal(steps_get(db, id, &s, &err), 1);
	assert_int_equal(s.snoozed_until, utc("2026-12-08T05:00:00Z"));
	assert_int_equal(s.snoozes, 2);
	assert_int_equal(s.status, STEP_OPEN);
	assert_int_equal(s.due.day, 30);	/* unchanged */
	step_free(&s);
	assert_int_equal(steps_history(db, id, &h, &n, &err), 0);
	assert_int_equal(n, 3);
	assert_string_equal(h[1].action, "snooze");
	assert_int_equal(h[1].until, utc("2026-12-04T05:00:00Z"));
	assert_int_equal(h[2].until, utc("2026-12-08T05:00:00Z"));
	assert_int_equal(h[0].until, 0);
	step_events_free(h, n);
	assert_int_equal(count(db, "SELECT count(*) FROM events WHERE "
	    "action = 'step_snooze' AND detail = '2026-12-08T05:00:00Z'"), 1);
	/* A done step, an unknown one. */
	done = add(db, "lviv-madison", "x", NULL, NULL, NULL);
	assert_int_equal(steps_done(db, done, "cli", &err), 0);
	assert_int_equal(steps_snooze(db, done, utc("2026-12-08T05:00:00Z"),
	    "cli", &err), STEPS_ERR_DATA);
	assert_non_null(strstr(err, "is done"));
	free(err);
	err = NULL;
	assert_int_equal(steps_snooze(db, 9999, utc("2026-12-08T05:00:00Z"),
	    "cli", &err), STEPS_ERR_DATA);
	free(err);
}

/* Collects ids. */
struct ids {
	int64_t	v[32];
	size_t	n;
	size_t	stop_after;	/* 0: never */
};

static int
collect(const struct step *s, void *arg)
{
	struct ids *x = arg;

	assert_true(x->n < nitems(x->v));
	x->v[x->n++] = s->id;
	return x->stop_after != 0 && x->n == x->stop_after ? 7 : 0;
}

static struct ids
list(struct db *db, const struct steps_filter *f)
{
	struct ids x;
	char *err = NULL;

	memset(&x, 0, sizeof(x));
	if (steps_list(db, f, collect, &x, &err) != 0)
		fail_msg("list: %s", err);
	return x;
}

#define ASSERT_IDS(x, ...) do {						\
	const int64_t want_[] = { __VA_ARGS__ };			\
	size_t i_;							\
	assert_int_equal((x).n, nitems(want_));				\
	for (i_ = 0; i_ < nitems(want_); i_++)				\
		assert_int_equal((x).v[i_], want_[i_]);			\
} while (0)

static void
list_filters_and_order(void **state)
{
	struct db *db = *state;
	struct steps_filter f;
	struct ids x;
	char *err = NULL;
	int64_t a, b, c, d, e, g;

	/* Now: Tue 2026-12-01 14:00Z (08:00 in Chicago, 16:00 in Kyiv). */
	a = add(db, "lviv-madison", "a", "intl@madison.test", "2026-12-05",
	    "America/Chicago");
	b = add(db, "lviv-madison", "b", "City of Madison", "2026-11-30",
	    "America/Chicago");
	c = add(db, "kharkiv-tempe", "c", "olena@c4c.test", "2026-12-01",
	    "Europe/Kyiv");
	d = add(db, "kharkiv-tempe", "d", NULL, NULL, NULL);
	e = add(db, "irpin-madison", "e", "Emily Carter", "2026-12-01",
	    "America/Chicago");
	g = add(db, "lviv-madison", "g", "me", "2026-11-20",
	    "America/New_York");
	assert_int_equal(steps_done(db, g, "cli", &err), 0);

	/* Default: open steps, by due instant, undated last. */
	memset(&f, 0, sizeof(f));
	x = list(db, &f);
	ASSERT_IDS(x, b, c, e, a, d);
	x = list(db, NULL);
	ASSERT_IDS(x, b, c, e, a, d);
	f.status = STEPS_ANY_STATUS;
	x = list(db, &f);
	ASSERT_IDS(x, g, b, c, e, a, d);
	f.status = STEP_DONE;
	x = list(db, &f);
	ASSERT_IDS(x, g);

	/* Partnership. */
	memset(&f, 0, sizeof(f));
	f.partnership = pid(db, "lviv-madison");
	x = list(db, &f);
	ASSERT_IDS(x, b, a);

	/* Owner: a contact matches either kind; an org only its own. */
	memset(&f, 0, sizeof(f));
	f.owner.kind = STEP_OWNER_CONTACT;
	f.owner.id = cid(db, "intl@madison.test");
	x = list(db, &f);
	ASSERT_IDS(x, e, a);
	f.owner.kind = STEP_OWNER_CONTACT;
	f.owner.id = cid(db, "olena@c4c.test");
	x = list(db, &f);
	ASSERT_IDS(x, c);
	f.owner = owner(db, 0, "City of Madison", NULL);
	x = list(db, &f);
	ASSERT_IDS(x, b);

	/* Overdue: the due day has ended in its zone. At 14:00Z Kyiv's
	 * 1 December is not over, Chicago's 30 November is. */
	memset(&f, 0, sizeof(f));
	f.overdue_at = clock_now();
	x = list(db, &f);
	ASSERT_IDS(x, b);
	f.overdue_at = utc("2026-12-01T21:59:59Z");
	x = list(db, &f);
	ASSERT_IDS(x, b);
	f.overdue_at = utc("2026-12-01T22:00:00Z");
	x = list(db, &f);
	ASSERT_IDS(x, b, c);
	f.overdue_at = utc("2026-12-02T06:00:00Z");
	x = list(db, &f);
	ASSERT_IDS(x, b, c, e);
	/* A done step is never overdue, whatever the status filter. */
	f.status = STEPS_ANY_STATUS;
	x = list(db, &f);
	ASSERT_IDS(x, b, c, e);

	/* Due by an instant (the scheduler's "due within N days"). */
	memset(&f, 0, sizeof(f));
	f.due_before = utc("2026-12-02T06:00:00Z");
	x = list(db, &f);
	ASSERT_IDS(x, b, c, e);

	/* Snoozed steps are left out until they wake. */
	assert_int_equal(steps_snooze(db, b, utc("2026-12-03T06:00:00Z"),
	    "cli", &err), 0);
	memset(&f, 0, sizeof(f));
	f.overdue_at = clock_now();
	f.awake_at = clock_now();
	x = list(db, &f);
	assert_int_equal(x.n, 0);
	f.overdue_at = f.awake_at = utc("2026-12-03T06:00:00Z");
	x = list(db, &f);
	ASSERT_IDS(x, b, c, e);
	/* Without awake_at the listing still shows them. */
	f.awake_at = 0;
	f.overdue_at = clock_now();
	x = list(db, &f);
	ASSERT_IDS(x, b);

	/* The callback stops the walk with its value. */
	memset(&f, 0, sizeof(f));
	memset(&x, 0, sizeof(x));
	x.stop_after = 2;
	assert_int_equal(steps_list(db, &f, collect, &x, &err), 7);
	assert_int_equal(x.n, 2);
}

/* steps_due_scan(): ids sorted (the scan promises no order). */
static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

struct scan {
	struct ids	 x;
	struct db	*db;
};

/* Checks each row's decision columns against the whole step. */
static int
scan_cb(const struct step *s, void *arg)
{
	struct scan *sc = arg;
	struct step full;
	char *err = NULL;

	assert_int_equal(steps_get(sc->db, s->id, &full, &err), 1);
	assert_int_equal(s->partnership, full.partnership);
	assert_int_equal(s->owner.kind, full.owner.kind);
	if (s->owner.kind != STEP_OWNER_NONE)
		assert_int_equal(s->owner.id, full.owner.id);
	assert_true(s->has_due && full.has_due);
	assert_int_equal(tz_days_from_date(s->due),
	    tz_days_from_date(full.due));
	assert_string_equal(s->due_zone, full.due_zone);
	assert_int_equal(s->due_at, full.due_at);
	assert_int_equal(s->created, full.created);
	assert_int_equal(s->snoozed_until, full.snoozed_until);
	assert_int_equal(s->status, STEP_OPEN);
	/* Only the decision columns: nothing joined. */
	assert_null(s->text);
	assert_null(s->owner_email);
	assert_int_equal(s->coordinator, 0);
	step_free(&full);
	return collect(s, &sc->x);
}

static struct ids
scan(struct db *db, time_t due_by, time_t awake_at)
{
	struct scan sc;
	char *err = NULL;

	memset(&sc, 0, sizeof(sc));
	sc.db = db;
	if (steps_due_scan(db, due_by, awake_at, scan_cb, &sc, &err) != 0)
		fail_msg("scan: %s", err);
	qsort(sc.x.v, sc.x.n, sizeof(sc.x.v[0]), cmp_i64);
	return sc.x;
}

static void
due_scan_reads_the_schedulers_columns(void **state)
{
	struct db *db = *state;
	struct ids x;
	char *err = NULL;
	int64_t a, b, c, d, e, g;

	/* Now: Tue 2026-12-01 14:00Z; ids ascend with the adds. */
	a = add(db, "lviv-madison", "a", "intl@madison.test", "2026-12-05",
	    "America/Chicago");
	b = add(db, "lviv-madison", "b", "City of Madison", "2026-11-30",
	    "America/Chicago");
	c = add(db, "kharkiv-tempe", "c", "olena@c4c.test", "2026-12-01",
	    "Europe/Kyiv");
	d = add(db, "kharkiv-tempe", "d", NULL, NULL, NULL);
	e = add(db, "irpin-madison", "e", NULL, "2026-12-01",
	    "America/Chicago");
	g = add(db, "lviv-madison", "g", "me", "2026-11-20",
	    "America/New_York");
	assert_int_equal(steps_done(db, g, "cli", &err), 0);

	/* Open, dated, due_at <= due_by; undated d and done g never. */
	x = scan(db, utc("2026-12-31T00:00:00Z"), clock_now());
	ASSERT_IDS(x, a, b, c, e);
	(void)d;
	/* due_by cuts at the day's end in its zone: Kyiv's 1 December
	 * ends at 22:00Z, Chicago's at 06:00Z the next day. */
	x = scan(db, utc("2026-12-01T21:59:59Z"), clock_now());
	ASSERT_IDS(x, b);
	x = scan(db, utc("2026-12-01T22:00:00Z"), clock_now());
	ASSERT_IDS(x, b, c);
	x = scan(db, utc("2026-12-02T06:00:00Z"), clock_now());
	ASSERT_IDS(x, b, c, e);

	/* A snoozed step is left out until awake_at reaches its end. */
	assert_int_equal(steps_snooze(db, b, utc("2026-12-03T06:00:00Z"),
	    "cli", &err), 0);
	x = scan(db, utc("2026-12-31T00:00:00Z"), clock_now());
	ASSERT_IDS(x, a, c, e);
	x = scan(db, utc("2026-12-31T00:00:00Z"),
	    utc("2026-12-03T06:00:00Z"));
	ASSERT_IDS(x, a, b, c, e);

	/* The callback stops the walk with its value. */
	{
		struct scan sc;

		memset(&sc, 0, sizeof(sc));
		sc.db = db;
		sc.x.stop_after = 1;
		assert_int_equal(steps_due_scan(db, utc("2026-12-31T00:00:00Z"),
		    clock_now(), scan_cb, &sc, &err), 7);
		assert_int_equal(sc.x.n, 1);
	}
}

static void
snooze_durations(void **state)
{
	const struct tz *kyiv;
	time_t now = utc("2026-12-01T14:00:00Z"), until;
	char *err = NULL;

	assert_non_null(kyiv = tz_get("Europe/Kyiv", &err));
	assert_int_equal(steps_snooze_parse("3d", kyiv, now, &until, &err), 0);
	assert_int_equal(until, utc("2026-12-03T22:00:00Z"));
	assert_int_equal(steps_snooze_parse("2w", kyiv, now, &until, &err), 0);
	assert_int_equal(until, utc("2026-12-14T22:00:00Z"));
	assert_int_equal(steps_snooze_parse("4h", kyiv, now, &until, &err), 0);
	assert_int_equal(until, now + 4 * 3600);
	assert_int_equal(steps_snooze_parse(" fri ", kyiv, now, &until, &err),
	    0);
	assert_int_equal(until, utc("2026-12-03T22:00:00Z"));
	assert_int_equal(steps_snooze_parse("5 грудня", kyiv, now, &until,
	    &err), 0);
	assert_int_equal(until, utc("2026-12-04T22:00:00Z"));
	assert_int_equal(steps_snooze_parse("tomorrow", kyiv, now, &until,
	    &err), 0);
	assert_int_equal(until, utc("2026-12-01T22:00:00Z"));
	until = 42;
	assert_int_equal(steps_snooze_parse("today", kyiv, now, &until, &err),
	    -1);
	assert_non_null(strstr(err, "not after today"));
	free(err);
	err = NULL;
	assert_int_equal(steps_snooze_parse("0d", kyiv, now, &until, &err),
	    -1);
	free(err);
	err = NULL;
	assert_int_equal(steps_snooze_parse("whenever", kyiv, now, &until,
	    &err), -1);
	assert_non_null(strstr(err, "whenever"));
	free(err);
	assert_int_equal(until, 42);
}

static void
writes_join_the_callers_transaction(void **state)
{
	struct db *db = *state;
	char *err = NULL;
	int64_t id;

	assert_int_equal(db_begin(db), 0);
	id = add(db, "lviv-madison", "dry run", NULL, NULL, NULL);
	assert_int_equal(steps_done(db, id, "cli", &err), 0);
	assert_int_equal(db_rollback(db), 0);
	assert_int_equal(count(db, "SELECT count(*) FROM steps"), 0);
	assert_int_equal(count(db, "SELECT count(*) FROM events WHERE action "
	    "LIKE 'step%'"), 0);
	/* A refusal inside a transaction leaves it usable. */
	assert_int_equal(db_begin(db), 0);
	assert_int_equal(steps_done(db, 9999, "cli", &err), STEPS_ERR_DATA);
	free(err);
	id = add(db, "lviv-madison", "kept", NULL, NULL, NULL);
	assert_int_equal(db_commit(db), 0);
	assert_int_equal(count(db, "SELECT count(*) FROM steps"), 1);
}

static void
forgotten_owner_leaves_the_step(void **state)
{
	struct db *db = *state;
	struct dir_forget_stats st;
	struct step s;
	char *err = NULL;
	int64_t id;

	id = add(db, "lviv-madison", "Sign", "clerk@madison.test",
	    "2026-12-10", "America/Chicago");
	assert_int_equal(directory_forget(db, "clerk@madison.test", "cli",
	    &st, &err), 0);
	assert_int_equal(steps_get(db, id, &s, &err), 1);
	assert_int_equal(s.owner.kind, STEP_OWNER_NONE);
	assert_null(s.owner_email);
	assert_string_equal(s.due_zone, "America/Chicago");
	step_free(&s);
}

static void
names_round_trip(void **state)
{
	enum step_origin o;

	assert_string_equal(steps_owner_kind_name(STEP_OWNER_ORG), "org");
	assert_null(steps_owner_kind_name(STEP_OWNER_NONE));
	assert_string_equal(steps_status_name(STEP_DONE), "done");
	assert_int_equal(steps_origin_parse("meeting", &o), 0);
	assert_int_equal(o, STEP_ORIGIN_MEETING);
	assert_string_equal(steps_origin_name(o), "meeting");
	assert_int_equal(steps_origin_parse("mail", &o), -1);
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(owners_resolve_as_people_write_them),
		T(due_zone_is_the_owners),
		T(add_keeps_the_day_its_zone_and_where_it_ends),
		T(bad_steps_are_refused_and_write_nothing),
		T(done_is_recorded_once),
		T(snooze_holds_reminders_and_keeps_the_due_day),
		T(list_filters_and_order),
		T(due_scan_reads_the_schedulers_columns),
		T(snooze_durations),
		T(writes_join_the_callers_transaction),
		T(forgotten_owner_leaves_the_step),
		cmocka_unit_test(names_round_trip),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
