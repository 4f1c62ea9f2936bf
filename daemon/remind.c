/*
 * remind: the scheduler's rules, the ledger and the daemon module.
 *
 * A tick does not keep a queue of future reminders: each rule computes
 * from the current data the latest occurrence that is due (its base
 * instant moved to the recipient's sensible hour) and queues it when that
 * instant lies in the tick's window (since, now] and its key is not in
 * the ledger. The window starts at the previous complete tick, so after
 * downtime one tick covers the whole outage and each item goes out once;
 * it never starts before now - max_catch_up_age, so reminders older than
 * that are skipped.
 *
 * It owns one table, reminders (the ledger), and reads every other one
 * through the module that owns it: the due steps' decision columns
 * (steps_due_scan(), no joins), the active partnerships' id, coordinator
 * and start (directory_partnership_briefs(), once per rule), people
 * (directory.h), the last mail of a partnership and an unanswered mail's
 * parent and partner (store.h), meetings (meeting.h) and the digest's
 * data (digest.h). A steady tick over 1,000 partnerships and 20,000 steps
 * stays under 50 ms (contrib/bench/scheduler.sh).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cmdexec.h"
#include "compose.h"
#include "config.h"
#include "dates.h"
#include "db.h"
#include "digest.h"
#include "directory.h"
#include "event.h"
#include "holidays.h"
#include "json.h"
#include "log.h"
#include "mailtmpl.h"
#include "meeting.h"
#include "mime.h"
#include "outbox.h"
#include "remind.h"
#include "steps.h"
#include "store.h"
#include "tmplset.h"
#include "tz.h"
#include "util.h"

#define KV_LAST_TICK	"remind.last_tick"
#define DAY		86400

/* tz_get() without the error text: NULL on a bad zone. */
static const struct tz *
zone_get(const char *name)
{
	const struct tz *z;
	char *err = NULL;

	z = tz_get(name, &err);
	free(err);
	return z;
}

/* ---- people -------------------------------------------------------------- */

/* A recipient as the rules see one. Strings owned. */
struct person {
	int64_t		 contact;	/* 0: an address without a contact */
	char		*email;
	char		*name;
	char		*zone;
	char		*lang;
	char		*country;	/* "UA" | "US" | NULL */
	char		*hours;		/* NULL: by country */
};

static void
person_free(struct person *p)
{
	free(p->email);
	free(p->name);
	free(p->zone);
	free(p->lang);
	free(p->country);
	free(p->hours);
	memset(p, 0, sizeof(*p));
}

static char *
dupnull(const char *s)
{
	return s == NULL ? NULL : xstrdup(s);
}

/* Fills p for contact id, or for email (id 0). Team defaults fill gaps. */
static void
person_load(const struct remind_env *env, int64_t id, const char *email,
    struct person *p)
{
	struct dir_contact c;
	struct dir_org o;

	memset(p, 0, sizeof(*p));
	if (id == 0 && email != NULL)
		directory_contact_by_email(env->db, email, &id, NULL);
	if (id != 0 && directory_contact_get(env->db, id, &c) == 1) {
		p->contact = id;
		p->email = xstrdup(c.nemails > 0 ? c.emails[0] :
		    email ? email : "");
		p->name = dupnull(c.name);
		p->zone = dupnull(c.eff_zone);
		p->lang = dupnull(c.eff_language);
		p->hours = dupnull(c.eff_hours);
		if (c.org != 0 && directory_org_get(env->db, c.org, &o) == 1) {
			p->country = dupnull(o.country);
			dir_org_free(&o);
		}
		dir_contact_free(&c);
	} else
		p->email = xstrdup(email ? email : env->conf->team_address);
	if (p->zone == NULL)
		p->zone = xstrdup(env->conf->team_timezone);
	if (p->lang == NULL)
		p->lang = xstrdup(env->conf->team_language);
}

/* A small cache of people by contact id (coordinators, owners). */
struct people {
	struct person	*v;
	size_t		 n;
};

static const struct person *
people_get(const struct remind_env *env, struct people *c, int64_t id,
    const char *email)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (id != 0 ? c->v[i].contact == id :
		    c->v[i].contact == 0 && strcmp(c->v[i].email, email) == 0)
			return &c->v[i];
	c->v = xreallocarray(c->v, c->n + 1, sizeof(*c->v));
	person_load(env, id, email, &c->v[c->n]);
	return &c->v[c->n++];
}

static void
people_free(struct people *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		person_free(&c->v[i]);
	free(c->v);
	memset(c, 0, sizeof(*c));
}

/* ---- working days and the sending hour ------------------------------------ */

static struct holidays *ua_set, *us_set;
static char *holidays_loaded_from;

static char *
holidays_dir(const struct remind_env *env)
{
	char exe[PATH_MAX], *slash, *dir;
	const char *conf = env->conf->holidays_dir;
	ssize_t n;

	if (env->holidays_dir != NULL)
		return xstrdup(env->holidays_dir);
	if (strcmp(conf, DATADIR "/mistok/holidays") != 0 ||
	    access(conf, F_OK) == 0)
		return xstrdup(conf);
	/* Running uninstalled (build/x, build/tests/x): the tree's data. */
	if ((n = readlink("/proc/self/exe", exe, sizeof(exe) - 1)) <= 0)
		return xstrdup(conf);
	exe[n] = '\0';
	if ((slash = strrchr(exe, '/')) == NULL)
		return xstrdup(conf);
	*slash = '\0';
	dir = xasprintf("%s/../contrib/holidays", exe);
	if (access(dir, F_OK) != 0) {
		free(dir);
		dir = xasprintf("%s/../../contrib/holidays", exe);
	}
	if (access(dir, F_OK) != 0) {
		free(dir);
		return xstrdup(conf);
	}
	return dir;
}

static struct holidays *
load_set(const char *dir, const char *file)
{
	struct holidays *h = holidays_new();
	struct buf errors;
	char *path = xasprintf("%s/%s", dir, file);

	buf_init(&errors);
	if (holidays_load(h, path, &errors) != 0)
		log_warnx("remind: holidays %s: %s", path,
		    errors.data ? errors.data : "unreadable");
	buf_free(&errors);
	free(path);
	return h;
}

static void
holidays_ensure(const struct remind_env *env)
{
	static const struct config *for_conf;
	static const char *for_dir;
	char *dir;

	/* Once per config (a reload brings a new one). */
	if (holidays_loaded_from != NULL && for_conf == env->conf &&
	    for_dir == env->holidays_dir)
		return;
	for_conf = env->conf;
	for_dir = env->holidays_dir;
	dir = holidays_dir(env);

	if (holidays_loaded_from != NULL &&
	    strcmp(holidays_loaded_from, dir) == 0) {
		free(dir);
		return;
	}
	holidays_free(ua_set);
	holidays_free(us_set);
	ua_set = load_set(dir, "ua.txt");
	us_set = load_set(dir, "us-federal.txt");
	free(holidays_loaded_from);
	holidays_loaded_from = dir;
}

struct workweek {
	struct hours		 hours;
	const struct holidays	*holidays;
	const struct tz		*zone;
};

static int
workweek(const struct remind_env *env, const char *zone, const char *hours,
    const char *country, struct workweek *w)
{
	char *err = NULL;
	int us = country != NULL && strcmp(country, "US") == 0;

	if ((w->zone = tz_get(zone, &err)) == NULL) {
		log_warnx("remind: zone %s: %s", zone, err);
		free(err);
		return -1;
	}
	if (hours == NULL || config_parse_hours(hours, &w->hours) == -1)
		w->hours = us ? env->conf->us_hours : env->conf->ua_hours;
	holidays_ensure(env);
	w->holidays = NULL;
	if (us && env->conf->us_holidays)
		w->holidays = us_set;
	else if (!us && country != NULL && env->conf->ua_holidays)
		w->holidays = ua_set;
	return 0;
}

/* End of the working day (minutes), 0 when days is not a working day. */
static int
day_end(const struct workweek *w, int64_t days)
{
	int wd = tz_weekday(days), i, end = 0;

	if (holidays_lookup_days(w->holidays, days) != NULL)
		return 0;
	for (i = 0; i < w->hours.n; i++)
		if ((w->hours.r[i].days & (1u << wd)) &&
		    w->hours.r[i].end > end)
			end = w->hours.r[i].end;
	return end;
}

/*
 * The first instant at or after t at which hour (minutes) has passed on a
 * working day and that day's working hours have not ended.
 */
static time_t
next_slot(const struct workweek *w, time_t t, int hour)
{
	struct tz_local l;
	int64_t d;
	int end, i, minute;

	tz_local(w->zone, t, &l);
	minute = l.hour * 60 + l.min;
	for (i = 0; i < 60; i++) {
		d = l.days + i;
		if ((end = day_end(w, d)) == 0)
			continue;
		if (end <= hour)
			end = hour + 60;
		if (i > 0 || minute < hour)
			return tz_utc(w->zone, tz_date_from_days(d), hour / 60,
			    hour % 60, 0, 0, NULL);
		if (minute < end)
			return t;
	}
	return t;	/* nobody works for 60 days: do not hold it forever */
}

time_t
remind_send_slot(const struct remind_env *env, const char *zone,
    const char *hours, const char *country, time_t t)
{
	struct workweek w;

	if (workweek(env, zone, hours, country, &w) == -1)
		return -1;
	return next_slot(&w, t, env->conf->remind_send_hour);
}

static time_t
slot_of(const struct remind_env *env, const struct person *p, time_t t)
{
	time_t s = remind_send_slot(env, p->zone, p->hours, p->country, t);

	return s == -1 ? t : s;
}

/* ---- templates ------------------------------------------------------------ */

static struct tmpl_set *own_tmpl;

static const struct tmpl_set *
templates(const struct remind_env *env, char **err)
{
	struct buf errors;
	char *dir;

	if (env->tmpl != NULL)
		return env->tmpl;
	if (mailtmpl_current() != NULL)
		return mailtmpl_current();
	if (own_tmpl != NULL)
		return own_tmpl;
	dir = mailtmpl_dir(env->conf->templates_dir);
	buf_init(&errors);
	if ((own_tmpl = mailtmpl_load(dir, &errors)) == NULL)
		*err = xasprintf("templates %s: %s", dir,
		    errors.data ? errors.data : "broken");
	buf_free(&errors);
	free(dir);
	return own_tmpl;
}

/* ---- the ledger and the queue --------------------------------------------- */

struct tick {
	const struct remind_env	*env;
	time_t			 now;
	time_t			 since;		/* window (since, now] */
	time_t			 oldest;	/* now - max_catch_up_age */
	time_t			 last;		/* the previous complete tick */
	struct remind_stats	*stats;
	struct people		 people;
};

static int
ledger_has(struct db *db, const char *key)
{
	int64_t one;

	return db_int(db, &one, "SELECT 1 FROM reminders WHERE key = ?", "t",
	    key);
}

static void
collect(struct tick *t, const char *key, const char *rcpt, time_t due)
{
	struct remind_stats *s = t->stats;
	struct remind_item *it;

	if (!t->env->collect)
		return;
	s->items = xreallocarray(s->items, s->nitems + 1, sizeof(*s->items));
	it = &s->items[s->nitems++];
	it->key = xstrdup(key);
	it->rcpt = xstrdup(rcpt);
	it->due = due;
}

static struct json *
base_data(const struct config *conf, const struct person *to)
{
	struct json *d = json_object(), *o;

	o = json_set(d, "team", json_object());
	json_set_string(o, "name", conf->team_name);
	json_set_string(o, "address", conf->team_address);
	/* mistok's own reminders are signed by the team. */
	o = json_set(d, "coordinator", json_object());
	json_set_string(o, "name", "");
	json_set_string(o, "email", conf->team_address);
	o = json_set(d, "recipient", json_object());
	json_set_string(o, "name", to->name ? to->name : "");
	json_set_string(o, "email", to->email);
	return d;
}

/* The parent of a threaded mail: Message-ID, References, Thread-Index. */
struct parent {
	char	*msgid;
	char	**refs;
	char	*thread_index;
};

static void
parent_free(struct parent *p)
{
	size_t i;

	free(p->msgid);
	for (i = 0; p->refs != NULL && p->refs[i] != NULL; i++)
		free(p->refs[i]);
	free(p->refs);
	free(p->thread_index);
	memset(p, 0, sizeof(*p));
}

/*
 * Renders tmpl for to with data and queues it under key with its ledger
 * row, in one transaction. Returns 1 queued, 0 known already, -1 (err).
 */
static int
queue_mail(const struct remind_env *env, const char *key, const char *tmpl,
    const struct person *to, const struct json *data, int64_t partnership,
    const char *own_kind, int64_t own_object, const struct parent *parent,
    time_t now, char **err)
{
	const struct tmpl_set *set;
	struct mailtmpl_mail mm;
	struct compose *c;
	struct buf raw;
	int64_t oid;
	int rc = -1;

	if ((set = templates(env, err)) == NULL)
		return -1;
	if (mailtmpl_render(set, tmpl, to->lang, env->conf->team_language,
	    data, &mm, err) == -1)
		return -1;
	c = compose_new_team(env->conf);
	compose_add_to(c, to->name, to->email);
	mailtmpl_to_compose(&mm, c);
	compose_set_date(c, now);
	if (parent != NULL && parent->msgid != NULL)
		compose_set_parent(c, parent->msgid,
		    (const char *const *)parent->refs, parent->thread_index,
		    NULL);
	buf_init(&raw);
	if (compose_write(c, &raw, err) == -1)
		goto out;
	if (db_begin(env->db) == -1) {
		*err = xasprintf("%s: %s", key, db_errmsg(env->db));
		goto out;
	}
	if (db_exec(env->db, "INSERT INTO reminders (key, sent_at) "
	    "VALUES (?, ?) ON CONFLICT (key) DO NOTHING", "tT", key,
	    now) == -1)
		goto dberr;
	if (db_changes(env->db) == 0) {
		db_rollback(env->db);
		rc = 0;
		goto out;
	}
	if (outbox_enqueue(env->db, key, raw.data, raw.len,
	    env->conf->team_address, compose_rcpts(c), compose_message_id(c),
	    mm.subject, partnership, &oid, err) == -1)
		goto rollback;
	if (own_kind != NULL && compose_record_own_id(env->db,
	    compose_message_id(c), own_kind, own_object, partnership,
	    err) == -1)
		goto rollback;
	if (db_commit(env->db) == -1)
		goto dberr;
	log_trace(TRACE_REMIND, "remind %s: queued to %s", key, to->email);
	rc = 1;
	goto out;
dberr:
	*err = xasprintf("%s: %s", key, db_errmsg(env->db));
rollback:
	db_rollback(env->db);
out:
	buf_free(&raw);
	compose_free(c);
	mailtmpl_mail_free(&mm);
	return rc;
}

/*
 * One candidate occurrence, due at due: queued when due is in the
 * window and key is not in the ledger. data is consumed.
 */
static void
offer(struct tick *t, const char *key, time_t due, const char *tmpl,
    const struct person *to, struct json *data, int64_t partnership,
    const char *own_kind, int64_t own_object, const struct parent *parent)
{
	char *err = NULL;
	int r;

	if (due > t->now || due <= t->since) {
		if (due <= t->oldest && due > t->last &&
		    ledger_has(t->env->db, key) == 0)
			t->stats->skipped_old++;
		json_free(data);
		return;
	}
	r = ledger_has(t->env->db, key);
	if (r == 0)
		r = queue_mail(t->env, key, tmpl, to, data, partnership,
		    own_kind, own_object, parent, t->now, &err);
	else if (r == 1)
		r = 0;
	json_free(data);
	if (r == 1) {
		t->stats->queued++;
		collect(t, key, to->email, due);
	} else if (r == -1) {
		log_warnx("remind %s: %s", key, err ? err : "database error");
		t->stats->errors++;
	}
	free(err);
}

/* Whether due lies in the window (or was skipped as too old). */
static int
in_window(const struct tick *t, time_t due)
{
	return due <= t->now && due > t->since;
}

/* ---- partnership details for the templates --------------------------------- */

static struct json *
partnership_json(const struct remind_env *env, int64_t id)
{
	struct dir_partnership p;
	struct json *o = json_object();
	char *s;

	s = xasprintf("[%s #%lld]", env->conf->team_tag, (long long)id);
	json_set_string(o, "tag", s);
	free(s);
	if (directory_partnership_by_id(env->db, id, &p) == 1) {
		json_set_string(o, "slug", p.slug);
		json_set_string(o, "ua_org", p.ua_org_name ? p.ua_org_name :
		    "");
		json_set_string(o, "us_org", p.us_org_name ? p.us_org_name :
		    "");
		json_set_string(o, "stage", p.stage);
		dir_partnership_free(&p);
	} else {
		json_set_string(o, "slug", "");
		json_set_string(o, "ua_org", "");
		json_set_string(o, "us_org", "");
		json_set_string(o, "stage", "");
	}
	return o;
}

static char *
fmt_day(const struct person *p, time_t t)
{
	const struct tz *z = zone_get(p->zone);
	struct tz_date d;

	if (z == NULL)
		z = zone_get("UTC");
	d = dates_today(z, t);
	return dates_format(d, NULL, p->lang);
}

static char *
fmt_when(const struct person *p, time_t t)
{
	const struct tz *z = zone_get(p->zone);
	struct tz_local l;
	char *day, *s;

	if (z == NULL)
		z = zone_get("UTC");
	day = fmt_day(p, t);
	tz_local(z, t, &l);
	s = xasprintf("%s, %02d:%02d %s", day, l.hour, l.min, l.abbr);
	free(day);
	return s;
}

/* ---- rule: next steps ---------------------------------------------------- */

/* The coordinator of a partnership (coordinator contact id, 0: none). */
static const struct person *
coordinator_of(struct tick *t, int64_t contact)
{
	const char *first = t->env->conf->coordinators != NULL ?
	    t->env->conf->coordinators[0] : NULL;

	if (contact != 0)
		return people_get(t->env, &t->people, contact, NULL);
	return people_get(t->env, &t->people, 0, first ? first :
	    t->env->conf->team_address);
}

enum stage { ST_NONE, ST_SOON, ST_TODAY, ST_OVERDUE };

struct pick {
	enum stage	 stage;
	time_t		 due;
	int64_t		 k;		/* overdue repetition */
};

/* The start of local day days in zone (midnight, or after a gap). */
static time_t
day_start(const struct tz *z, int64_t days)
{
	return tz_utc(z, tz_date_from_days(days), 0, 0, 0, 0, NULL);
}

static time_t
later(time_t a, time_t b)
{
	return a > b ? a : b;
}

/*
 * The latest stage of step s due for person p at now (overdue only when
 * with_overdue), its instant and repetition; ST_NONE when none is. A
 * stage that began before the step was written is due at the first
 * sensible hour after that: a step added two days before its day still
 * gets its "due soon", one added late its first "overdue".
 */
static struct pick
pick_stage(struct tick *t, const struct step *s, const struct person *p,
    int with_overdue)
{
	const struct config *conf = t->env->conf;
	const struct tz *dz;
	struct pick pk = { ST_NONE, 0, 0 };
	int64_t k, kk, dd;
	time_t base, sl;
	int soon_days = conf->remind_due_soon / DAY;

	if ((dz = zone_get(s->due_zone ? s->due_zone : p->zone)) == NULL)
		return pk;
	dd = tz_days_from_date(s->due);
	if (with_overdue && t->now >= s->due_at) {
		k = (t->now - s->due_at) / conf->remind_overdue_repeat + 1;
		for (kk = k; kk >= 1 && kk >= k - 1; kk--) {
			base = s->due_at + (kk - 1) * conf->remind_overdue_repeat;
			sl = slot_of(t->env, p, later(later(base,
			    s->snoozed_until), s->created));
			if (sl <= t->now) {
				pk.stage = ST_OVERDUE;
				pk.due = sl;
				pk.k = kk;
				return pk;
			}
		}
	}
	base = day_start(dz, dd);
	if (base <= t->now) {
		sl = slot_of(t->env, p, later(later(base, s->snoozed_until),
		    s->created));
		if (sl <= t->now && sl < s->due_at) {
			pk.stage = ST_TODAY;
			pk.due = sl;
			return pk;
		}
	}
	if (soon_days <= 0)
		return pk;
	base = day_start(dz, dd - soon_days);
	if (base <= t->now) {
		sl = slot_of(t->env, p, later(later(base, s->snoozed_until),
		    s->created));
		if (sl <= t->now && sl < day_start(dz, dd)) {
			pk.stage = ST_SOON;
			pk.due = sl;
		}
	}
	return pk;
}

static void
step_offer(struct tick *t, const struct step *s, const struct person *p,
    const char *role, struct pick pk)
{
	struct json *d, *o;
	struct step full;
	char key[REMIND_KEY_MAX], due[16], *x, *err = NULL;
	const char *tmpl;
	int64_t left, dd;
	const struct tz *z;

	snprintf(due, sizeof(due), "%04d-%02d-%02d", s->due.year,
	    s->due.month, s->due.day);
	if (pk.stage == ST_OVERDUE) {
		snprintf(key, sizeof(key), "overdue:%lld:%lld",
		    (long long)s->id, (long long)pk.k);
		tmpl = "step_overdue";
	} else {
		snprintf(key, sizeof(key), "step-%s:%lld:%s:%s",
		    pk.stage == ST_SOON ? "soon" : "today", (long long)s->id,
		    due, role);
		tmpl = "step_due";
	}
	if (!in_window(t, pk.due)) {
		offer(t, key, pk.due, tmpl, p, NULL, 0, NULL, 0, NULL);
		return;
	}
	if (ledger_has(t->env->db, key) != 0)
		return;
	/* The tick reads a few columns; the whole step only to write. */
	if (steps_get(t->env->db, s->id, &full, &err) != 1) {
		log_warnx("remind %s: %s", key, err ? err : "step vanished");
		free(err);
		t->stats->errors++;
		return;
	}
	d = base_data(t->env->conf, p);
	json_set(d, "partnership", partnership_json(t->env, s->partnership));
	o = json_set(d, "step", json_object());
	json_set_int(o, "id", s->id);
	json_set_string(o, "text", full.text);
	x = dates_format(s->due, NULL, p->lang);
	json_set_string(o, "due", x);
	free(x);
	json_set_string(o, "owner", full.owner_name ? full.owner_name :
	    full.owner_email ? full.owner_email : "");
	step_free(&full);
	json_set(o, "owner_is_recipient", json_bool(strcmp(role, "owner") ==
	    0));
	z = zone_get(s->due_zone ? s->due_zone : p->zone);
	dd = tz_days_from_date(s->due);
	left = z != NULL ? dd - tz_days_from_date(dates_today(z, t->now)) : 0;
	json_set(o, "today", json_bool(left <= 0));
	json_set_int(o, "days_left", left > 0 ? left : 0);
	json_set_int(o, "days_over", left < 0 ? -left : 0);
	json_set_int(o, "repeat", pk.k);
	offer(t, key, pk.due, tmpl, p, d, s->partnership, REMIND_OWN_STEP,
	    s->id, NULL);
}

static int
step_cb(const struct step *s, void *arg)
{
	struct tick *t = arg;
	const struct person *coord, *owner;
	struct pick pk;

	if (!s->has_due)
		return 0;
	coord = coordinator_of(t, s->coordinator);
	pk = pick_stage(t, s, coord, 1);
	if (pk.stage != ST_NONE)
		step_offer(t, s, coord, "coord", pk);
	if (s->owner.kind != STEP_OWNER_CONTACT || s->owner.id == 0 ||
	    s->owner.id == coord->contact)
		return 0;
	/* The owner's stages are near the due day only: skip the look-up
	 * of far overdue steps. */
	if (t->now > s->due_at + DAY)
		return 0;
	owner = people_get(t->env, &t->people, s->owner.id, NULL);
	pk = pick_stage(t, s, owner, 0);
	if (pk.stage != ST_NONE)
		step_offer(t, s, owner, "owner", pk);
	return 0;
}

static const struct dir_partnership_brief *
pship_find(const struct dir_partnership_brief *v, size_t n, int64_t id)
{
	size_t lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (v[mid].id == id)
			return &v[mid];
		if (v[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* What rule_steps() hands steps_due_scan()'s callback. */
struct due_scan {
	struct tick				*t;
	const struct dir_partnership_brief	*pv;
	size_t					 np;
};

static int
due_cb(const struct step *row, void *arg)
{
	struct due_scan *ds = arg;
	const struct dir_partnership_brief *ps;
	struct step s;

	if ((ps = pship_find(ds->pv, ds->np, row->partnership)) == NULL)
		return 0;	/* closed or dormant */
	s = *row;
	if (s.due_zone == NULL)
		s.due_zone = ds->t->env->conf->team_timezone;
	s.coordinator = ps->coordinator;
	return step_cb(&s, ds->t);
}

/*
 * The steps a tick looks at: open, with a due day no later than
 * due_soon (plus a week of weekends and holidays) ahead, not snoozed.
 * steps_list() joins owners and coordinators for every row, which costs
 * most of a tick over 20,000 steps; steps_due_scan() reads only the
 * columns the scheduler decides on (index steps_due), the coordinator
 * comes from the partnership list already in memory, and the whole step
 * is read through steps_get() for the few it writes about.
 */
static int
rule_steps(struct tick *t, char **err)
{
	struct due_scan ds;
	struct dir_partnership_brief *pv;
	size_t np;
	int r;

	if (directory_partnership_briefs(t->env->db, &pv, &np) == -1)
		return -1;
	ds.t = t;
	ds.pv = pv;
	ds.np = np;
	r = steps_due_scan(t->env->db, t->now + t->env->conf->remind_due_soon +
	    8 * DAY, t->now, due_cb, &ds, err);
	free(pv);
	return r < 0 ? -1 : 0;
}

/* ---- rules: quiet partnerships and unanswered mail ------------------------ */

/* The ready follow-up of partnership for the partner of message msg. */
struct followup {
	struct person		 to;
	struct mailtmpl_mail	 mail;
	struct parent		 parent;
};

static void
followup_free(struct followup *f)
{
	person_free(&f->to);
	mailtmpl_mail_free(&f->mail);
	parent_free(&f->parent);
}

struct fsteps {
	struct json	*a;
	const char	*lang;
	int		 n;
};

static int
fstep_cb(const struct step *s, void *arg)
{
	struct fsteps *fs = arg;
	struct json *o;
	char *x;

	if (fs->n++ >= 5)
		return 1;
	o = json_append(fs->a, json_object());
	json_set_string(o, "text", s->text);
	x = s->has_due ? dates_format(s->due, NULL, fs->lang) : xstrdup("");
	json_set_string(o, "due", x);
	free(x);
	return 0;
}

static int
is_team(const struct config *conf, const char *email)
{
	size_t i;

	if (strcasecmp(email, conf->team_address) == 0)
		return 1;
	for (i = 0; conf->coordinators != NULL && conf->coordinators[i]; i++)
		if (strcasecmp(conf->coordinators[i], email) == 0)
			return 1;
	return 0;
}

/* The partner a mail went to: its first To or Cc that is not the team. */
struct partner {
	const struct config	*conf;
	char			*email;		/* found; owned */
};

static int
partner_cb(void *arg, const char *email)
{
	struct partner *pa = arg;

	if (is_team(pa->conf, email))
		return 0;
	pa->email = xstrdup(email);
	return 1;
}

/*
 * Reads message msg (an outgoing one): its partner (the first To or Cc
 * that is not the team), threading and renders the followup template
 * for them. Returns 0, or -1 with *err.
 */
static int
followup_build(const struct remind_env *env, int64_t partnership,
    int64_t msg, struct followup *f, char **err)
{
	const struct tmpl_set *set;
	struct steps_filter sf;
	struct fsteps fs;
	struct json *d, *o;
	struct partner pa;
	char *email = NULL, *refs = NULL, *s, *e;
	size_t n = 0;
	int r;

	memset(f, 0, sizeof(*f));
	r = store_message_parent(env->db, msg, &f->parent.msgid, &refs,
	    &f->parent.thread_index);
	if (r == -1) {
		*err = xstrdup("database error");
		return -1;
	}
	if (r == 0) {
		*err = xasprintf("message %lld is gone", (long long)msg);
		return -1;
	}
	/* References: white-space separated <id>s. */
	for (s = refs; s != NULL && (s = strchr(s, '<')) != NULL; s = e + 1) {
		if ((e = strchr(s, '>')) == NULL)
			break;
		f->parent.refs = xreallocarray(f->parent.refs, n + 2,
		    sizeof(char *));
		f->parent.refs[n++] = xstrndup(s + 1, (size_t)(e - s - 1));
		f->parent.refs[n] = NULL;
	}
	free(refs);
	pa.conf = env->conf;
	pa.email = NULL;
	if (store_message_recipients(env->db, msg, partner_cb, &pa) == -1) {
		*err = xstrdup("database error");
		return -1;
	}
	if (pa.email == NULL) {
		*err = xasprintf("message %lld went to no partner",
		    (long long)msg);
		return -1;
	}
	email = pa.email;
	person_load(env, 0, email, &f->to);
	free(email);

	d = base_data(env->conf, &f->to);
	json_set(d, "partnership", partnership_json(env, partnership));
	json_set_string(d, "message", "");
	memset(&fs, 0, sizeof(fs));
	fs.a = json_array();
	fs.lang = f->to.lang;
	memset(&sf, 0, sizeof(sf));
	sf.partnership = partnership;
	sf.status = STEP_OPEN;
	if (steps_list(env->db, &sf, fstep_cb, &fs, err) < 0) {
		json_free(fs.a);
		json_free(d);
		return -1;
	}
	json_set(d, "steps", fs.a);
	json_set(d, "has_steps", json_bool(fs.a->len > 0));
	/* The partner signs nothing: the coordinator's name is not known
	 * here, so the mail is signed by the team. */
	if ((set = templates(env, err)) == NULL) {
		json_free(d);
		return -1;
	}
	o = NULL;
	r = mailtmpl_render(set, "followup", f->to.lang,
	    env->conf->team_language, d, &f->mail, err);
	json_free(d);
	(void)o;
	return r;
}

static void
quiet_offer(struct tick *t, const struct dir_partnership_brief *p,
    int64_t last, time_t last_date)
{
	const struct person *coord = coordinator_of(t, p->coordinator);
	time_t base = (last ? last_date : p->since) +
	    t->env->conf->remind_quiet_after;
	time_t due = slot_of(t->env, coord, base);
	char key[REMIND_KEY_MAX], *x;
	struct json *d, *o;

	snprintf(key, sizeof(key), "quiet:%lld:%lld", (long long)p->id,
	    (long long)last);
	if (!in_window(t, due) || ledger_has(t->env->db, key) != 0) {
		offer(t, key, due, NULL, coord, NULL, 0, NULL, 0, NULL);
		return;
	}
	d = base_data(t->env->conf, coord);
	json_set(d, "partnership", partnership_json(t->env, p->id));
	o = json_set(d, "quiet", json_object());
	json_set_int(o, "days", (t->now - (last ? last_date : p->since)) /
	    DAY);
	json_set(o, "has_last", json_bool(last != 0));
	x = last ? fmt_day(coord, last_date) : xstrdup("");
	json_set_string(o, "last", x);
	free(x);
	offer(t, key, due, "quiet_partnership", coord, d, p->id,
	    REMIND_OWN_QUIET, p->id, NULL);
}

static void
no_answer_offer(struct tick *t, const struct dir_partnership_brief *p,
    int64_t last, time_t last_date)
{
	const struct person *coord = coordinator_of(t, p->coordinator);
	time_t due = slot_of(t->env, coord, last_date +
	    t->env->conf->remind_no_answer_after);
	char key[REMIND_KEY_MAX], *x, *err = NULL;
	struct followup f;
	struct json *d, *o;

	snprintf(key, sizeof(key), "no-answer:%lld:%lld", (long long)p->id,
	    (long long)last);
	if (!in_window(t, due) || ledger_has(t->env->db, key) != 0) {
		offer(t, key, due, NULL, coord, NULL, 0, NULL, 0, NULL);
		return;
	}
	if (followup_build(t->env, p->id, last, &f, &err) == -1) {
		log_warnx("remind %s: the follow-up: %s", key, err);
		free(err);
		followup_free(&f);
		t->stats->errors++;
		return;
	}
	d = base_data(t->env->conf, coord);
	json_set(d, "partnership", partnership_json(t->env, p->id));
	o = json_set(d, "unanswered", json_object());
	json_set_int(o, "days", (t->now - last_date) / DAY);
	x = fmt_day(coord, last_date);
	json_set_string(o, "date", x);
	free(x);
	json_set_string(o, "to", f.to.email);
	json_set_string(o, "to_name", f.to.name ? f.to.name : f.to.email);
	o = json_set(d, "followup", json_object());
	json_set_string(o, "subject", f.mail.subject);
	json_set_string(o, "text", f.mail.text);
	json_set_string(o, "lang", f.mail.lang);
	offer(t, key, due, "no_answer", coord, d, p->id, REMIND_OWN_NUDGE,
	    last, NULL);
	followup_free(&f);
}

static int
rule_partnerships(struct tick *t)
{
	struct dir_partnership_brief *v;
	const char *dir;
	time_t date;
	int64_t id;
	size_t n, i;
	int r;

	if (directory_partnership_briefs(t->env->db, &v, &n) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		if (cmdexec_nudges_stopped(t->env->db, v[i].id) == 1)
			continue;
		if ((r = store_last_mail(t->env->db, v[i].id, NULL, &id,
		    &date, &dir)) == -1)
			break;
		if (r == 0)
			id = 0, date = 0, dir = NULL;
		quiet_offer(t, &v[i], id, date);
		if (dir != NULL && strcmp(dir, "out") == 0)
			no_answer_offer(t, &v[i], id, date);
	}
	free(v);
	return i == n ? 0 : -1;
}

/* ---- rules: meetings ------------------------------------------------------ */

static int
rule_outcomes(struct tick *t)
{
	struct meeting *m;
	const struct person *coord;
	struct dir_partnership p;
	struct json *d, *o;
	char key[REMIND_KEY_MAX], *x;
	size_t n, i;
	time_t end, due;
	int64_t cid;

	if (meeting_list(t->env->db, 0, &m, &n) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		end = m[i].start + m[i].duration;
		if (strcmp(m[i].status, "scheduled") != 0 || m[i].start == 0 ||
		    end > t->now || end <= t->oldest - 8 * DAY)
			continue;
		cid = 0;
		if (m[i].partnership != 0 && directory_partnership_by_id(
		    t->env->db, m[i].partnership, &p) == 1) {
			cid = p.coordinator;
			dir_partnership_free(&p);
		}
		coord = coordinator_of(t, cid);
		due = slot_of(t->env, coord, end);
		snprintf(key, sizeof(key), "outcome:%lld", (long long)m[i].id);
		if (!in_window(t, due) || ledger_has(t->env->db, key) != 0) {
			offer(t, key, due, NULL, coord, NULL, 0, NULL, 0, NULL);
			continue;
		}
		d = base_data(t->env->conf, coord);
		json_set(d, "partnership", partnership_json(t->env,
		    m[i].partnership));
		o = json_set(d, "meeting", json_object());
		json_set_int(o, "id", m[i].id);
		json_set_string(o, "title", m[i].title ? m[i].title : "");
		x = fmt_when(coord, m[i].start);
		json_set_string(o, "when", x);
		free(x);
		offer(t, key, due, "meeting_outcome", coord, d,
		    m[i].partnership, REMIND_OWN_OUTCOME, m[i].id, NULL);
	}
	meeting_list_free(m, n);
	return 0;
}

static int
reminder_cb(void *arg, const struct meeting *m, const struct meeting_att *a)
{
	struct tick *t = arg;
	const struct person *to;
	struct json *d, *o, *times, *x;
	char key[REMIND_KEY_MAX], iso[ISO8601_LEN], *s;
	struct person tp;
	size_t i;

	snprintf(key, sizeof(key), "reminder:%s:%d:%s", m->uid, m->sequence,
	    a->email);
	if (ledger_has(t->env->db, key) != 0)
		return 0;
	to = people_get(t->env, &t->people, 0, a->email);
	d = base_data(t->env->conf, to);
	o = json_get(d, "recipient");
	json_set_string(o, "name", a->name ? a->name : to->name ? to->name :
	    "");
	o = json_set(d, "meeting", json_object());
	json_set_string(o, "title", m->title ? m->title : "");
	json_set_string(o, "uid", m->uid);
	json_set_string(o, "link", m->link ? m->link : "");
	json_set(o, "update", json_bool(0));
	fmt_iso8601(m->start, iso);
	json_set_string(o, "utc", iso);
	memset(&tp, 0, sizeof(tp));
	tp.zone = a->zone ? a->zone : to->zone;
	tp.lang = to->lang;
	s = fmt_when(&tp, m->start);
	json_set_string(o, "local", s);
	free(s);
	times = json_set(o, "times", json_array());
	for (i = 0; i < m->natt; i++) {
		x = json_append(times, json_object());
		json_set_string(x, "name", m->att[i].name ? m->att[i].name :
		    m->att[i].email);
		json_set_string(x, "email", m->att[i].email);
		tp.zone = m->att[i].zone ? m->att[i].zone : "UTC";
		json_set_string(x, "zone", tp.zone);
		s = fmt_when(&tp, m->start);
		json_set_string(x, "local", s);
		free(s);
	}
	/* Time-bound: it goes out on the first tick of the last 24 hours. */
	offer(t, key, t->now, "meeting_reminder", to, d, m->partnership,
	    "meeting-reminder", m->id, NULL);
	return 0;
}

/* ---- rule: the weekly digest --------------------------------------------- */

static int
queue_digest(const struct remind_env *env, const struct person *p,
    const char *key, time_t now, char **err)
{
	struct json *d;
	int r;

	if ((d = digest_data(env->db, env->conf, p->email, p->name, p->zone,
	    p->lang, now, err)) == NULL)
		return -1;
	r = queue_mail(env, key, "digest", p, d, 0, REMIND_OWN_DIGEST, 0,
	    NULL, now, err);
	json_free(d);
	return r;
}

static void
digest_offer(struct tick *t, const struct person *p)
{
	const struct config *conf = t->env->conf;
	struct workweek w;
	struct tz_local l;
	struct tz_date dd;
	char key[REMIND_KEY_MAX], *err = NULL;
	int64_t d;
	time_t due;
	int wk, r;

	if (workweek(t->env, p->zone, p->hours, p->country, &w) == -1)
		return;
	tz_local(w.zone, t->now, &l);
	d = l.days - ((l.wday - conf->remind_digest_day + 7) % 7);
	for (wk = 0; wk < 2; wk++, d -= 7) {
		due = next_slot(&w, day_start(w.zone, d),
		    conf->remind_digest_hour);
		if (due <= t->now)
			break;
	}
	if (wk == 2)
		return;
	dd = tz_date_from_days(d);
	snprintf(key, sizeof(key), "digest:%s:%04d-%02d-%02d", p->email,
	    dd.year, dd.month, dd.day);
	if (!in_window(t, due) || ledger_has(t->env->db, key) != 0) {
		offer(t, key, due, NULL, p, NULL, 0, NULL, 0, NULL);
		return;
	}
	r = queue_digest(t->env, p, key, t->now, &err);
	if (r == 1) {
		t->stats->queued++;
		collect(t, key, p->email, due);
	} else if (r == -1) {
		log_warnx("remind %s: %s", key, err ? err : "failed");
		t->stats->errors++;
	}
	free(err);
}

static int
rule_digests(struct tick *t)
{
	const struct config *conf = t->env->conf;
	struct dir_partnership_brief *v;
	size_t n, i, j, first;
	int64_t *seen = NULL;
	size_t nseen = 0;

	first = t->people.n;
	for (i = 0; conf->coordinators != NULL && conf->coordinators[i]; i++)
		people_get(t->env, &t->people, 0, conf->coordinators[i]);
	if (directory_partnership_briefs(t->env->db, &v, &n) == -1)
		return -1;
	for (i = 0; i < n; i++)
		if (v[i].coordinator != 0)
			people_get(t->env, &t->people, v[i].coordinator, NULL);
	free(v);
	/* Every coordinator once (a contact may be cached by id and by
	 * address): by address. */
	(void)first;
	for (i = 0; i < t->people.n; i++) {
		const struct person *p = &t->people.v[i];
		int dup = 0, coord = 0;

		for (j = 0; conf->coordinators != NULL &&
		    conf->coordinators[j]; j++)
			if (strcasecmp(conf->coordinators[j], p->email) == 0)
				coord = 1;
		if (!coord && p->contact != 0)
			coord = directory_coordinates_open(t->env->db,
			    p->contact) == 1;
		for (j = 0; j < i; j++)
			if (strcasecmp(t->people.v[j].email, p->email) == 0)
				dup = 1;
		if (!coord || dup)
			continue;
		seen = xreallocarray(seen, nseen + 1, sizeof(*seen));
		seen[nseen++] = (int64_t)i;
	}
	for (i = 0; i < nseen; i++)
		digest_offer(t, &t->people.v[seen[i]]);
	free(seen);
	return 0;
}

/* ---- the tick ------------------------------------------------------------- */

void
remind_stats_free(struct remind_stats *s)
{
	size_t i;

	for (i = 0; i < s->nitems; i++) {
		free(s->items[i].key);
		free(s->items[i].rcpt);
	}
	free(s->items);
	memset(s, 0, sizeof(*s));
}

/* The last complete tick, when not yet written (see remind_tick). */
static struct db *mem_db;
static time_t mem_last;

int
remind_tick(const struct remind_env *env, time_t now,
    struct remind_stats *stats, char **err)
{
	struct tick t;
	char *v = NULL, buf[32];
	long long last = 0, persisted;
	int rc = 0;

	*err = NULL;
	mime_init();	/* before templates: GMime must start first */
	memset(stats, 0, sizeof(*stats));
	memset(&t, 0, sizeof(t));
	t.env = env;
	t.now = now;
	t.stats = stats;
	t.oldest = now - env->conf->remind_max_catch_up_age;
	if (db_kv_get(env->db, KV_LAST_TICK, &v) == 1)
		last = strtoll(v, NULL, 10);
	free(v);
	persisted = last;
	if (mem_db == env->db && mem_last > last && mem_last <= now)
		last = mem_last;
	t.last = last < now ? (time_t)last : 0;
	t.since = last > t.oldest && last < now ? (time_t)last : t.oldest;

	if (rule_steps(&t, err) == -1)
		rc = -1;
	if (rc == 0 && rule_partnerships(&t) == -1)
		rc = -1;
	if (rc == 0 && rule_outcomes(&t) == -1)
		rc = -1;
	if (rc == 0 && meeting_due_reminders(env->db, now, reminder_cb,
	    &t) == -1)
		rc = -1;
	if (rc == 0 && rule_digests(&t) == -1)
		rc = -1;
	people_free(&t.people);
	if (rc == -1) {
		if (*err == NULL)
			*err = xasprintf("remind: %s", db_errmsg(env->db));
		return -1;
	}
	/*
	 * A complete tick moves the window. Writing it costs a synchronous
	 * commit, so a tick that queued nothing keeps it in memory and
	 * writes it at most hourly: after a crash the window is merely
	 * wider, and the ledger still queues each key once.
	 */
	if (stats->errors == 0) {
		mem_db = env->db;
		mem_last = now;
	}
	if (stats->errors == 0 && (stats->queued > 0 || now - persisted >= 3600 ||
	    env->collect)) {
		snprintf(buf, sizeof(buf), "%lld", (long long)now);
		if (db_kv_set(env->db, KV_LAST_TICK, buf) == -1) {
			*err = xasprintf("remind: %s", db_errmsg(env->db));
			return -1;
		}
	}
	return 0;
}

/* ---- for cmdexec and the CLI ---------------------------------------------- */

int
remind_digest_for(const struct remind_env *env, const char *coordinator,
    time_t now, char **err)
{
	struct person p;
	char *key;
	int r;

	*err = NULL;
	mime_init();
	person_load(env, 0, coordinator, &p);
	key = xasprintf("digest-now:%s:%lld", p.email, (long long)now);
	r = queue_digest(env, &p, key, now, err);
	free(key);
	person_free(&p);
	return r;
}

int
remind_digest_render(const struct remind_env *env, const char *coordinator,
    time_t now, struct mailtmpl_mail *out, char **err)
{
	const struct tmpl_set *set;
	struct person p;
	struct json *d;
	int r = -1;

	*err = NULL;
	mime_init();
	memset(out, 0, sizeof(*out));
	if ((set = templates(env, err)) == NULL)
		return -1;
	person_load(env, 0, coordinator, &p);
	if ((d = digest_data(env->db, env->conf, p.email, p.name, p.zone,
	    p.lang, now, err)) != NULL) {
		r = mailtmpl_render(set, "digest", p.lang,
		    env->conf->team_language, d, out, err);
		json_free(d);
	}
	person_free(&p);
	return r;
}

int
remind_send_followup(const struct remind_env *env, const char *own_id,
    char **err)
{
	struct followup f;
	struct compose *c;
	struct buf raw;
	char *kind = NULL, *key = NULL;
	int64_t msg = 0, partnership = 0, oid;
	int r, rc = -1;

	*err = NULL;
	mime_init();
	r = compose_own_id(env->db, own_id, &kind, &msg, &partnership);
	if (r == -1) {
		*err = xstrdup("database error");
		return -1;
	}
	if (r == 0 || strcmp(kind, REMIND_OWN_NUDGE) != 0 || msg == 0) {
		free(kind);
		*err = xstrdup("that mail offers no follow-up to send");
		return -1;
	}
	free(kind);
	key = xasprintf("followup:no-answer:%lld:%lld",
	    (long long)partnership, (long long)msg);
	if (ledger_has(env->db, key) == 1) {
		free(key);
		return 0;
	}
	if (followup_build(env, partnership, msg, &f, err) == -1) {
		followup_free(&f);
		free(key);
		return -1;
	}
	c = compose_new_team(env->conf);
	compose_add_to(c, f.to.name, f.to.email);
	mailtmpl_to_compose(&f.mail, c);
	compose_set_parent(c, f.parent.msgid,
	    (const char *const *)f.parent.refs, f.parent.thread_index, NULL);
	buf_init(&raw);
	if (compose_write(c, &raw, err) == -1)
		goto out;
	if (db_begin(env->db) == -1)
		goto dberr;
	if (db_exec(env->db, "INSERT INTO reminders (key, sent_at) VALUES "
	    "(?, ?) ON CONFLICT (key) DO NOTHING", "tT", key,
	    clock_now()) == -1)
		goto dberr_rb;
	if (db_changes(env->db) == 0) {
		db_rollback(env->db);
		rc = 0;
		goto out;
	}
	if (outbox_enqueue(env->db, key, raw.data, raw.len,
	    env->conf->team_address, compose_rcpts(c), compose_message_id(c),
	    f.mail.subject, partnership, &oid, err) == -1 ||
	    compose_record_own_id(env->db, compose_message_id(c), "followup",
	    msg, partnership, err) == -1) {
		db_rollback(env->db);
		goto out;
	}
	if (db_commit(env->db) == -1)
		goto dberr_rb;
	rc = 1;
	goto out;
dberr_rb:
	db_rollback(env->db);
dberr:
	*err = xasprintf("%s: %s", key, db_errmsg(env->db));
out:
	buf_free(&raw);
	compose_free(c);
	followup_free(&f);
	free(key);
	return rc;
}

/* ---- the daemon module ---------------------------------------------------- */

static struct daemon_ctx *mod_ctx;
static struct ev_timer tick_timer;

static void
tick_cb(struct ev_timer *tm, void *arg)
{
	struct remind_env env;
	struct remind_stats st;
	char *err = NULL;

	memset(&env, 0, sizeof(env));
	env.db = mod_ctx->db;
	env.conf = mod_ctx->conf;
	if (remind_tick(&env, clock_now(), &st, &err) == -1) {
		log_warnx("%s", err);
		free(err);
		return;
	}
	if (st.queued > 0) {
		log_info("remind: %zu reminders queued", st.queued);
		outbox_wake();
	}
	if (st.skipped_old > 0)
		log_info("remind: %zu reminders older than max_catch_up_age "
		    "skipped", st.skipped_old);
	remind_stats_free(&st);
}

static int
mod_init(struct daemon_ctx *ctx)
{
	mod_ctx = ctx;
	ev_timer_init(&tick_timer, ctx->loop, tick_cb, NULL);
	/* The first tick soon after start (catch-up), then every minute. */
	ev_timer_start(&tick_timer, 5000, 60000);
	return 0;
}

static void
mod_shutdown(struct daemon_ctx *ctx)
{
	ev_timer_stop(&tick_timer);
	mod_ctx = NULL;
}

const struct daemon_module remind_module = {
	"remind", mod_init, NULL, mod_shutdown
};
