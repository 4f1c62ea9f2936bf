/*
 * steps: next steps — owners, local due days, done and snooze with their
 * history, listings.
 *
 * A due date is stored three ways in one row (migration 4 in db.c): the
 * local day as written (due_date), the zone it is a day of (due_zone: the
 * owner's effective zone when the step was added) and the UTC instant at
 * which that day ends there (due). The listing and the scheduler filter on
 * the instant with the (status, due) index; "due today" and "due in N
 * days" compare days in due_zone, which is why the zone is kept with the
 * day rather than recomputed from an owner who may move or be forgotten.
 *
 * Writers run under a SAVEPOINT, so a command mail's executor can run
 * several lines in one transaction (and roll a dry run back).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "dates.h"
#include "db.h"
#include "directory.h"
#include "log.h"
#include "steps.h"
#include "tz.h"
#include "util.h"

static void
set_err(char **err, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return;
	free(*err);
	va_start(ap, fmt);
	*err = xvasprintf(fmt, ap);
	va_end(ap);
}

static int
db_fail(struct db *db, char **err, const char *what)
{
	set_err(err, "database: %s: %s", what, db_errmsg(db));
	return STEPS_ERR_DB;
}

/* ---- names -------------------------------------------------------------- */

static const char *const owner_kinds[] = { NULL, "contact", "org",
	"coordinator" };
static const char *const statuses[] = { "open", "done" };
static const char *const origins[] = { "cli", "command", "meeting" };

const char *
steps_owner_kind_name(enum step_owner_kind k)
{
	return (unsigned)k < nitems(owner_kinds) ? owner_kinds[k] : NULL;
}

const char *
steps_status_name(enum step_status s)
{
	return (unsigned)s < nitems(statuses) ? statuses[s] : "open";
}

const char *
steps_origin_name(enum step_origin o)
{
	return (unsigned)o < nitems(origins) ? origins[o] : "cli";
}

int
steps_origin_parse(const char *s, enum step_origin *out)
{
	size_t i;

	for (i = 0; i < nitems(origins); i++)
		if (s != NULL && strcmp(s, origins[i]) == 0) {
			*out = (enum step_origin)i;
			return 0;
		}
	return -1;
}

static enum step_owner_kind
owner_kind_parse(const char *s)
{
	size_t i;

	for (i = 1; s != NULL && i < nitems(owner_kinds); i++)
		if (strcmp(s, owner_kinds[i]) == 0)
			return (enum step_owner_kind)i;
	return STEP_OWNER_NONE;
}

void
step_free(struct step *s)
{
	if (s == NULL)
		return;
	free(s->slug);
	free(s->text);
	free(s->owner_name);
	free(s->owner_email);
	free(s->owner_zone);
	free(s->owner_language);
	free(s->coordinator_name);
	free(s->coordinator_email);
	free(s->coordinator_zone);
	free(s->coordinator_language);
	free(s->due_zone);
	free(s->actor);
	free(s->done_by);
	memset(s, 0, sizeof(*s));
}

void
step_events_free(struct step_event *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].actor);
		free(v[i].action);
	}
	free(v);
}

/* ---- owners ------------------------------------------------------------- */

/* The coordinator (contact id, 0: none) of partnership: 1, 0 none, -1. */
static int
partnership_coordinator(struct db *db, int64_t partnership, int64_t *coord)
{
	sqlite3_stmt *st;
	int r;

	*coord = 0;
	if ((st = db_stmt(db, "SELECT coalesce(coordinator, 0) FROM "
	    "partnerships WHERE id = ?")) == NULL ||
	    db_bind(st, "I", partnership) == -1)
		return -1;
	if ((r = db_step(st)) == 1) {
		*coord = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
	}
	return r;
}

static int
all_digits(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

/* A contact by address, typed as coordinator or contact. */
static int
owner_by_email(struct db *db, const struct config *conf, const char *email,
    struct step_owner *out, char **err)
{
	int64_t id;
	int r;

	if ((r = directory_contact_by_email(db, email, &id, NULL)) == -1)
		return db_fail(db, err, "contacts");
	if (r == 0) {
		set_err(err, "no contact with the address '%s'", email);
		return STEPS_ERR_DATA;
	}
	if ((r = directory_is_coordinator(db, conf, email)) == -1)
		return db_fail(db, err, "contacts");
	out->kind = r == 1 ? STEP_OWNER_COORDINATOR : STEP_OWNER_CONTACT;
	out->id = id;
	return 0;
}

static int
owner_coordinator(struct db *db, int64_t partnership, const char *text,
    struct step_owner *out, char **err)
{
	int64_t coord;
	int r;

	if (partnership == 0) {
		set_err(err, "owner '%s' needs a partnership (its coordinator)",
		    text);
		return STEPS_ERR_DATA;
	}
	if ((r = partnership_coordinator(db, partnership, &coord)) == -1)
		return db_fail(db, err, "partnerships");
	if (r == 0) {
		set_err(err, "no partnership %lld", (long long)partnership);
		return STEPS_ERR_DATA;
	}
	if (coord == 0) {
		set_err(err, "owner '%s': the partnership has no coordinator",
		    text);
		return STEPS_ERR_DATA;
	}
	out->kind = STEP_OWNER_COORDINATOR;
	out->id = coord;
	return 0;
}

int
steps_owner_parse(struct db *db, const struct config *conf,
    int64_t partnership, const char *text, const char *me,
    struct step_owner *out, char **err)
{
	char *key, *e1 = NULL, *e2 = NULL;
	int64_t org = 0, contact = 0;
	int r1, r2, rc;

	memset(out, 0, sizeof(*out));
	key = str_trim(xstrdup(text != NULL ? text : ""));
	if (*key == '\0') {
		set_err(err, "no owner given");
		free(key);
		return STEPS_ERR_DATA;
	}
	if (strcasecmp(key, "me") == 0 || strcmp(key, "я") == 0 ||
	    strcmp(key, "мене") == 0) {
		rc = me != NULL ? owner_by_email(db, conf, me, out, err) :
		    owner_coordinator(db, partnership, key, out, err);
		if (rc == 0 && me != NULL)
			out->kind = STEP_OWNER_COORDINATOR;
		free(key);
		return rc;
	}
	if (strcasecmp(key, "coordinator") == 0 ||
	    strcmp(key, "координатор") == 0) {
		rc = owner_coordinator(db, partnership, key, out, err);
		free(key);
		return rc;
	}
	if (strchr(key, '@') != NULL) {
		rc = owner_by_email(db, conf, key, out, err);
		free(key);
		return rc;
	}
	if (all_digits(key)) {
		set_err(err, "owner '%s': give an address or an organisation's "
		    "name, not a number", key);
		free(key);
		return STEPS_ERR_DATA;
	}
	r1 = directory_find(db, DIR_ORGS, key, &org, &e1);
	r2 = directory_find(db, DIR_CONTACTS, key, &contact, &e2);
	if (r1 == -1 || r2 == -1) {
		set_err(err, "%s", r1 == -1 ? e1 : e2);
		rc = STEPS_ERR_DB;
	} else if (r1 == 1 && r2 == 1) {
		set_err(err, "owner '%s' names both an organisation and a "
		    "contact; use the contact's address", key);
		rc = STEPS_ERR_DATA;
	} else if (r1 == 1) {
		out->kind = STEP_OWNER_ORG;
		out->id = org;
		rc = 0;
	} else if (r2 == 1) {
		struct dir_contact c;

		memset(&c, 0, sizeof(c));
		/* Typed by its primary address, as an address would be. */
		if (directory_contact_get(db, contact, &c) != 1) {
			rc = db_fail(db, err, "contacts");
		} else
			rc = owner_by_email(db, conf, c.emails[0], out, err);
		dir_contact_free(&c);
	} else {
		/* Two contacts of one name say so; else nobody has it. */
		if (e2 != NULL && strstr(e2, "contacts are named") != NULL)
			set_err(err, "owner %s", e2);
		else
			set_err(err, "no contact or organisation '%s'", key);
		rc = STEPS_ERR_DATA;
	}
	free(e1);
	free(e2);
	free(key);
	return rc;
}

/* The effective zone of an owner, or NULL (none, or a database error). */
static char *
owner_zone(struct db *db, const struct step_owner *o)
{
	struct dir_contact c;
	struct dir_org g;
	char *z = NULL;

	memset(&c, 0, sizeof(c));
	memset(&g, 0, sizeof(g));
	if (o == NULL || o->kind == STEP_OWNER_NONE)
		return NULL;
	if (o->kind == STEP_OWNER_ORG) {
		if (directory_org_get(db, o->id, &g) == 1 && g.zone != NULL)
			z = xstrdup(g.zone);
		dir_org_free(&g);
	} else {
		if (directory_contact_get(db, o->id, &c) == 1 &&
		    c.eff_zone != NULL)
			z = xstrdup(c.eff_zone);
		dir_contact_free(&c);
	}
	return z;
}

char *
steps_due_zone(struct db *db, int64_t partnership,
    const struct step_owner *owner, const char *fallback)
{
	struct step_owner co;
	char *z;

	if ((z = owner_zone(db, owner)) != NULL)
		return z;
	co.kind = STEP_OWNER_COORDINATOR;
	if (partnership != 0 &&
	    partnership_coordinator(db, partnership, &co.id) == 1 &&
	    co.id != 0 && (z = owner_zone(db, &co)) != NULL)
		return z;
	return xstrdup(fallback != NULL ? fallback : "UTC");
}

/* ---- writers ------------------------------------------------------------ */

static int
check_text(const char *text, char **out, char **err)
{
	const unsigned char *p;
	char *t;

	t = str_trim(xstrdup(text != NULL ? text : ""));
	if (*t == '\0') {
		set_err(err, "a step needs a text");
		free(t);
		return -1;
	}
	if (strlen(t) > STEPS_TEXT_MAX) {
		set_err(err, "the step's text is longer than %d bytes",
		    STEPS_TEXT_MAX);
		free(t);
		return -1;
	}
	for (p = (const unsigned char *)t; *p != '\0'; p++)
		if ((*p < 0x20 && *p != '\t') || *p == 0x7f) {
			set_err(err, "the step's text holds a control "
			    "character");
			free(t);
			return -1;
		}
	*out = t;
	return 0;
}

/* Whether the owner exists: 1, 0, -1. */
static int
owner_exists(struct db *db, const struct step_owner *o)
{
	int64_t n;

	if (o->kind == STEP_OWNER_ORG)
		return db_int(db, &n, "SELECT 1 FROM orgs WHERE id = ?", "I",
		    o->id);
	return db_int(db, &n, "SELECT 1 FROM contacts WHERE id = ?", "I",
	    o->id);
}

static int
history(struct db *db, int64_t id, const char *action, time_t at,
    time_t until, const char *actor, const char *detail)
{
	char *object = xasprintf("step:%lld", (long long)id);
	char *event = xasprintf("step_%s", action);
	int rc;

	rc = db_exec(db, "INSERT INTO step_history (step, at, actor, action, "
	    "until) VALUES (?, ?, ?, ?, ?)", "ITttT", id, at, actor, action,
	    until);
	if (rc == 0)
		rc = db_exec(db, "INSERT INTO events (at, actor, action, "
		    "object, detail) VALUES (?, ?, ?, ?, ?)", "Ttttt", at,
		    actor, event, object, detail);
	free(object);
	free(event);
	return rc;
}

int
steps_add(struct db *db, int64_t partnership, const char *text,
    const struct step_owner *owner, const struct step_due *due,
    enum step_origin origin, const char *actor, int64_t *id, char **err)
{
	struct step_owner none = { STEP_OWNER_NONE, 0 };
	const struct tz *zone = NULL;
	char *t = NULL, *zerr = NULL, *detail, day[16];
	time_t now = clock_now(), due_at = 0;
	int64_t coord, sid;
	int r, ok;

	if (owner == NULL)
		owner = &none;
	if (check_text(text, &t, err) == -1)
		return STEPS_ERR_DATA;
	if ((unsigned)origin >= nitems(origins)) {
		set_err(err, "unknown origin %d", (int)origin);
		free(t);
		return STEPS_ERR_DATA;
	}
	if (due != NULL) {
		struct tz_date next;

		if (!tz_date_valid(due->date)) {
			set_err(err, "due date %04d-%02d-%02d does not exist",
			    due->date.year, due->date.month, due->date.day);
			free(t);
			return STEPS_ERR_DATA;
		}
		if ((zone = tz_get(due->zone != NULL ? due->zone : "UTC",
		    &zerr)) == NULL) {
			set_err(err, "due date zone: %s", zerr);
			free(zerr);
			free(t);
			return STEPS_ERR_DATA;
		}
		next = tz_date_from_days(tz_days_from_date(due->date) + 1);
		due_at = tz_utc(zone, next, 0, 0, 0, 0, NULL);
		snprintf(day, sizeof(day), "%04d-%02d-%02d", due->date.year,
		    due->date.month, due->date.day);
	}
	if ((r = partnership_coordinator(db, partnership, &coord)) != 1) {
		free(t);
		if (r == -1)
			return db_fail(db, err, "partnerships");
		set_err(err, "no partnership %lld", (long long)partnership);
		return STEPS_ERR_DATA;
	}
	if (owner->kind != STEP_OWNER_NONE) {
		if (steps_owner_kind_name(owner->kind) == NULL ||
		    (r = owner_exists(db, owner)) == 0) {
			set_err(err, "no %s %lld", owner->kind ==
			    STEP_OWNER_ORG ? "organisation" : "contact",
			    (long long)owner->id);
			free(t);
			return STEPS_ERR_DATA;
		}
		if (r == -1) {
			free(t);
			return db_fail(db, err, "owner");
		}
	}
	if (db_savepoint(db, "steps") == -1) {
		free(t);
		return db_fail(db, err, "steps");
	}
	/* NULL, not 0, for "no owner" and "no due date". */
	ok = db_exec(db, "INSERT INTO steps (partnership, text, owner_kind, "
	    "owner_id, due, due_date, due_zone, status, origin, created, actor) "
	    "VALUES (?, ?, ?, nullif(?, 0), nullif(?, 0), ?, ?, 'open', ?, ?, "
	    "?)", "IttIItttTt", partnership, t,
	    steps_owner_kind_name(owner->kind),
	    (int64_t)(owner->kind == STEP_OWNER_NONE ? 0 : owner->id),
	    (int64_t)due_at, due != NULL ? day : NULL,
	    zone != NULL ? tz_name(zone) : NULL, steps_origin_name(origin),
	    now, actor) == 0;
	sid = db_last_id(db);
	if (ok) {
		detail = xasprintf("partnership:%lld due %s owner %s:%lld: %s",
		    (long long)partnership, due != NULL ? day : "none",
		    owner->kind != STEP_OWNER_NONE ?
		    steps_owner_kind_name(owner->kind) : "none",
		    (long long)owner->id, t);
		ok = history(db, sid, "add", now, 0, actor, detail) == 0;
		free(detail);
	}
	if (!ok)
		db_fail(db, err, "steps");
	if (db_release(db, "steps", ok) == -1) {
		if (ok)
			db_fail(db, err, "steps");
		free(t);
		return STEPS_ERR_DB;
	}
	log_info("steps: step %lld added to partnership %lld by %s",
	    (long long)sid, (long long)partnership, actor ? actor : "?");
	free(t);
	if (id != NULL)
		*id = sid;
	return 0;
}

/* The status of step id: 1 and *status, 0 none, -1 error. */
static int
step_status(struct db *db, int64_t id, char **status)
{
	sqlite3_stmt *st;
	int r;

	*status = NULL;
	if ((st = db_stmt(db, "SELECT status FROM steps WHERE id = ?")) ==
	    NULL || db_bind(st, "I", id) == -1)
		return -1;
	if ((r = db_step(st)) == 1) {
		*status = db_col_strdup(st, 0);
		sqlite3_reset(st);
	}
	return r;
}

int
steps_done(struct db *db, int64_t id, const char *actor, char **err)
{
	time_t now = clock_now();
	char *status;
	int r, ok;

	if ((r = step_status(db, id, &status)) == -1)
		return db_fail(db, err, "steps");
	if (r == 0) {
		set_err(err, "no step %lld", (long long)id);
		return STEPS_ERR_DATA;
	}
	r = strcmp(status, "done") == 0;
	free(status);
	if (r)
		return STEPS_ALREADY;
	if (db_savepoint(db, "steps") == -1)
		return db_fail(db, err, "steps");
	ok = db_exec(db, "UPDATE steps SET status = 'done', done_at = ?, "
	    "done_by = ? WHERE id = ? AND status <> 'done'", "TtI", now, actor,
	    id) == 0 && history(db, id, "done", now, 0, actor, NULL) == 0;
	if (!ok)
		db_fail(db, err, "steps");
	if (db_release(db, "steps", ok) == -1) {
		if (ok)
			db_fail(db, err, "steps");
		return STEPS_ERR_DB;
	}
	log_info("steps: step %lld done by %s", (long long)id,
	    actor ? actor : "?");
	return 0;
}

int
steps_snooze(struct db *db, int64_t id, time_t until, const char *actor,
    char **err)
{
	time_t now = clock_now();
	char *status, when[ISO8601_LEN];
	int r, ok;

	if ((r = step_status(db, id, &status)) == -1)
		return db_fail(db, err, "steps");
	if (r == 0) {
		set_err(err, "no step %lld", (long long)id);
		return STEPS_ERR_DATA;
	}
	r = strcmp(status, "done") == 0;
	free(status);
	if (r) {
		set_err(err, "step %lld is done; there is nothing to snooze",
		    (long long)id);
		return STEPS_ERR_DATA;
	}
	if (until <= now) {
		set_err(err, "step %lld: a snooze must end in the future",
		    (long long)id);
		return STEPS_ERR_DATA;
	}
	fmt_iso8601(until, when);
	if (db_savepoint(db, "steps") == -1)
		return db_fail(db, err, "steps");
	ok = db_exec(db, "UPDATE steps SET snoozed_until = ?, snoozes = "
	    "snoozes + 1 WHERE id = ?", "TI", until, id) == 0 &&
	    history(db, id, "snooze", now, until, actor, when) == 0;
	if (!ok)
		db_fail(db, err, "steps");
	if (db_release(db, "steps", ok) == -1) {
		if (ok)
			db_fail(db, err, "steps");
		return STEPS_ERR_DB;
	}
	log_info("steps: step %lld snoozed until %s by %s", (long long)id,
	    when, actor ? actor : "?");
	return 0;
}

/* ---- readers ------------------------------------------------------------ */

#define STEP_SELECT \
	"SELECT s.id, s.partnership, p.slug, s.text, s.owner_kind, " \
	"  coalesce(s.owner_id, 0), " \
	"  CASE WHEN s.owner_kind = 'org' THEN oo.name ELSE oc.name END, " \
	"  (SELECT email FROM contact_addresses WHERE contact = oc.id " \
	"    ORDER BY id LIMIT 1), " \
	"  CASE WHEN s.owner_kind = 'org' THEN oo.zone " \
	"    ELSE coalesce(oc.zone, oco.zone) END, " \
	"  CASE WHEN s.owner_kind = 'org' THEN oo.language " \
	"    ELSE coalesce(oc.language, oco.language) END, " \
	"  coalesce(p.coordinator, 0), cc.name, " \
	"  (SELECT email FROM contact_addresses WHERE contact = cc.id " \
	"    ORDER BY id LIMIT 1), " \
	"  coalesce(cc.zone, cco.zone), coalesce(cc.language, cco.language), " \
	"  s.due_date, s.due_zone, s.due, s.status, s.origin, s.actor, " \
	"  s.created, s.done_at, s.done_by, s.snoozed_until, s.snoozes " \
	"FROM steps s JOIN partnerships p ON p.id = s.partnership " \
	"LEFT JOIN contacts oc ON s.owner_kind IN ('contact','coordinator') " \
	"  AND oc.id = s.owner_id " \
	"LEFT JOIN orgs oco ON oco.id = oc.org " \
	"LEFT JOIN orgs oo ON s.owner_kind = 'org' AND oo.id = s.owner_id " \
	"LEFT JOIN contacts cc ON cc.id = p.coordinator " \
	"LEFT JOIN orgs cco ON cco.id = cc.org "

static void
read_row(sqlite3_stmt *st, struct step *s)
{
	char *x;

	memset(s, 0, sizeof(*s));
	s->id = sqlite3_column_int64(st, 0);
	s->partnership = sqlite3_column_int64(st, 1);
	s->slug = db_col_strdup(st, 2);
	s->text = db_col_strdup(st, 3);
	x = db_col_strdup(st, 4);
	s->owner.kind = owner_kind_parse(x);
	free(x);
	s->owner.id = s->owner.kind == STEP_OWNER_NONE ? 0 :
	    sqlite3_column_int64(st, 5);
	if (s->owner.kind != STEP_OWNER_NONE) {
		s->owner_name = db_col_strdup(st, 6);
		if (s->owner.kind != STEP_OWNER_ORG)
			s->owner_email = db_col_strdup(st, 7);
		s->owner_zone = db_col_strdup(st, 8);
		s->owner_language = db_col_strdup(st, 9);
	}
	s->coordinator = sqlite3_column_int64(st, 10);
	s->coordinator_name = db_col_strdup(st, 11);
	s->coordinator_email = db_col_strdup(st, 12);
	s->coordinator_zone = db_col_strdup(st, 13);
	s->coordinator_language = db_col_strdup(st, 14);
	x = db_col_strdup(st, 15);
	s->has_due = x != NULL && tz_date_parse(x, &s->due) == 0;
	free(x);
	s->due_zone = db_col_strdup(st, 16);
	s->due_at = db_col_time(st, 17);
	x = db_col_strdup(st, 18);
	s->status = x != NULL && strcmp(x, "done") == 0 ? STEP_DONE :
	    STEP_OPEN;
	free(x);
	x = db_col_strdup(st, 19);
	if (steps_origin_parse(x, &s->origin) == -1)
		s->origin = STEP_ORIGIN_CLI;
	free(x);
	s->actor = db_col_strdup(st, 20);
	s->created = db_col_time(st, 21);
	s->done_at = db_col_time(st, 22);
	s->done_by = db_col_strdup(st, 23);
	s->snoozed_until = db_col_time(st, 24);
	s->snoozes = sqlite3_column_int(st, 25);
}

int
steps_get(struct db *db, int64_t id, struct step *out, char **err)
{
	sqlite3_stmt *st;
	int r;

	memset(out, 0, sizeof(*out));
	if ((st = db_stmt(db, STEP_SELECT "WHERE s.id = ?")) == NULL ||
	    db_bind(st, "I", id) == -1)
		r = -1;
	else
		r = db_step(st);
	if (r == -1) {
		db_fail(db, err, "steps");
		return -1;
	}
	if (r == 1) {
		read_row(st, out);
		sqlite3_reset(st);
	}
	return r;
}

int
steps_list(struct db *db, const struct steps_filter *f,
    int (*cb)(const struct step *, void *), void *arg, char **err)
{
	static const struct steps_filter all;
	const char *owner_class = NULL, *status = NULL;
	sqlite3_stmt *st;
	struct step s;
	int r, stop = 0;

	if (f == NULL)
		f = &all;
	if (f->owner.kind == STEP_OWNER_ORG)
		owner_class = "org";
	else if (f->owner.kind != STEP_OWNER_NONE)
		owner_class = "person";
	if (f->status == STEP_OPEN || f->status == STEP_DONE)
		status = steps_status_name((enum step_status)f->status);
	st = db_stmt(db, STEP_SELECT
	    "WHERE (?1 = 0 OR s.partnership = ?1) "
	    "AND (?2 IS NULL "
	    "  OR (?2 = 'org' AND s.owner_kind = 'org' AND s.owner_id = ?3) "
	    "  OR (?2 = 'person' AND s.owner_kind IN ('contact', "
	    "    'coordinator') AND s.owner_id = ?3)) "
	    "AND (?4 IS NULL OR s.status = ?4) "
	    "AND (?5 = 0 OR (s.status = 'open' AND s.due <= ?5)) "
	    "AND (?6 = 0 OR s.due <= ?6) "
	    "AND (?7 = 0 OR s.snoozed_until IS NULL OR s.snoozed_until <= ?7) "
	    "ORDER BY s.due IS NULL, s.due, s.id");
	if (st == NULL)
		return db_fail(db, err, "steps");
	/* Numbered parameters, used more than once: bound by index. */
	if (sqlite3_bind_int64(st, 1, f->partnership) != SQLITE_OK ||
	    sqlite3_bind_text(st, 2, owner_class, -1, SQLITE_STATIC) !=
	    SQLITE_OK ||
	    sqlite3_bind_int64(st, 3, f->owner.id) != SQLITE_OK ||
	    sqlite3_bind_text(st, 4, status, -1, SQLITE_STATIC) !=
	    SQLITE_OK ||
	    sqlite3_bind_int64(st, 5, (int64_t)f->overdue_at) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 6, (int64_t)f->due_before) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 7, (int64_t)f->awake_at) != SQLITE_OK) {
		sqlite3_reset(st);
		return db_fail(db, err, "steps");
	}
	while ((r = db_step(st)) == 1) {
		read_row(st, &s);
		stop = cb(&s, arg);
		step_free(&s);
		if (stop != 0) {
			sqlite3_reset(st);
			return stop;
		}
	}
	if (r == -1)
		return db_fail(db, err, "steps");
	return 0;
}

int
steps_due_scan(struct db *db, time_t due_by, time_t awake_at,
    int (*cb)(const struct step *, void *), void *arg, char **err)
{
	sqlite3_stmt *st;
	struct step s;
	const char *x;
	int r, stop;

	st = db_stmt(db, "SELECT id, partnership, owner_kind, "
	    "coalesce(owner_id, 0), due, due_date, due_zone, created, "
	    "coalesce(snoozed_until, 0) FROM steps "
	    "WHERE status = 'open' AND due IS NOT NULL AND due <= ? "
	    "AND (snoozed_until IS NULL OR snoozed_until <= ?)");
	if (st == NULL || db_bind(st, "TT", due_by, awake_at) == -1)
		return db_fail(db, err, "steps");
	while ((r = db_step(st)) == 1) {
		memset(&s, 0, sizeof(s));
		x = (const char *)sqlite3_column_text(st, 5);
		if (x == NULL || tz_date_parse(x, &s.due) == -1)
			continue;
		s.has_due = 1;
		s.id = sqlite3_column_int64(st, 0);
		s.partnership = sqlite3_column_int64(st, 1);
		s.owner.kind = owner_kind_parse((const char *)
		    sqlite3_column_text(st, 2));
		s.owner.id = sqlite3_column_int64(st, 3);
		s.due_at = db_col_time(st, 4);
		/* Column text stays valid until the next step: no copy. */
		s.due_zone = (char *)sqlite3_column_text(st, 6);
		s.created = db_col_time(st, 7);
		s.snoozed_until = db_col_time(st, 8);
		s.status = STEP_OPEN;
		if ((stop = cb(&s, arg)) != 0) {
			sqlite3_reset(st);
			return stop;
		}
	}
	if (r == -1)
		return db_fail(db, err, "steps");
	return 0;
}

int
steps_history(struct db *db, int64_t id, struct step_event **out, size_t *n,
    char **err)
{
	struct step_event *v = NULL;
	sqlite3_stmt *st;
	size_t len = 0, cap = 0;
	int r;

	*out = NULL;
	*n = 0;
	if ((st = db_stmt(db, "SELECT at, actor, action, until FROM "
	    "step_history WHERE step = ? ORDER BY at, id")) == NULL ||
	    db_bind(st, "I", id) == -1)
		return db_fail(db, err, "step_history");
	while ((r = db_step(st)) == 1) {
		if (len == cap) {
			cap = cap ? cap * 2 : 4;
			v = xreallocarray(v, cap, sizeof(*v));
		}
		v[len].at = db_col_time(st, 0);
		v[len].actor = db_col_strdup(st, 1);
		v[len].action = db_col_strdup(st, 2);
		v[len].until = db_col_time(st, 3);
		len++;
	}
	if (r == -1) {
		step_events_free(v, len);
		return db_fail(db, err, "step_history");
	}
	*out = v;
	*n = len;
	return 0;
}

/* ---- snooze durations --------------------------------------------------- */

int
steps_snooze_parse(const char *text, const struct tz *zone, time_t now,
    time_t *until, char **err)
{
	struct tz_date today, day;
	enum dates_error de;
	char *t;
	size_t len;
	int secs;

	t = str_trim(xstrdup(text != NULL ? text : ""));
	len = strlen(t);
	today = dates_today(zone, now);
	if (len > 0 && config_parse_duration(t, &secs) == 0) {
		if (secs <= 0) {
			set_err(err, "snooze '%s': must be longer than nothing",
			    t);
			free(t);
			return -1;
		}
		if (t[len - 1] == 'd' || t[len - 1] == 'w') {
			day = tz_date_from_days(tz_days_from_date(today) +
			    secs / 86400);
			*until = tz_utc(zone, day, 0, 0, 0, 0, NULL);
		} else
			*until = now + secs;
		free(t);
		return 0;
	}
	de = dates_parse_date(t, zone, now, DATES_NEXT, &day);
	if (de != DATES_OK) {
		set_err(err, "snooze '%s': %s (a duration such as 3d, 2w or "
		    "4h, or a date)", t, dates_strerror(de, "en"));
		free(t);
		return -1;
	}
	if (tz_days_from_date(day) <= tz_days_from_date(today)) {
		set_err(err, "snooze '%s': that day is not after today", t);
		free(t);
		return -1;
	}
	*until = tz_utc(zone, day, 0, 0, 0, 0, NULL);
	free(t);
	return 0;
}
