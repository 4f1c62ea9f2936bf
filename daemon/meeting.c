/*
 * meeting: proposals, bookings, reschedules, cancellations and replies.
 *
 * A proposal is a meetings row with status 'proposed' (its UID is kept
 * when it is booked) plus its rows in meeting_slots (n from 1, best
 * first). The last DTSTAMP applied to an attendee is attendees.dtstamp;
 * the reply scan's cursor is kv "meeting:scan" (the highest message id
 * read: one value for the whole database, so a table of one row would
 * add nothing). Every mail goes through the outbox with a dedupe key, so
 * a second run sends nothing twice.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <unistd.h>

#include "compose.h"
#include "config.h"
#include "daemon.h"
#include "dates.h"
#include "db.h"
#include "directory.h"
#include "event.h"
#include "holidays.h"
#include "invite.h"
#include "json.h"
#include "log.h"
#include "mailtmpl.h"
#include "meeting.h"
#include "outbox.h"
#include "slots.h"
#include "tmplset.h"
#include "tz.h"
#include "util.h"

#define MEETING_COLS \
	"m.id, m.uid, m.partnership, p.slug, m.title, m.sequence, " \
	"m.start_utc, m.duration, m.status, m.link, m.created"

/* ---- rows ---------------------------------------------------------------- */

void
meeting_free(struct meeting *m)
{
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < m->natt; i++) {
		free(m->att[i].email);
		free(m->att[i].name);
		free(m->att[i].partstat);
		free(m->att[i].zone);
	}
	free(m->att);
	free(m->uid);
	free(m->slug);
	free(m->title);
	free(m->status);
	free(m->link);
	memset(m, 0, sizeof(*m));
}

void
meeting_list_free(struct meeting *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		meeting_free(&v[i]);
	free(v);
}

const char *
meeting_status(const struct meeting *m, time_t now)
{
	if (strcmp(m->status, "scheduled") == 0 &&
	    m->start + m->duration <= now)
		return "held";
	if (strcmp(m->status, "proposed") == 0)
		return "proposed";
	if (strcmp(m->status, "cancelled") == 0)
		return "cancelled";
	if (strcmp(m->status, "held") == 0)
		return "held";
	return "scheduled";
}

static void
read_row(sqlite3_stmt *st, struct meeting *m)
{
	memset(m, 0, sizeof(*m));
	m->id = sqlite3_column_int64(st, 0);
	m->uid = db_col_strdup(st, 1);
	m->partnership = sqlite3_column_int64(st, 2);
	m->slug = db_col_strdup(st, 3);
	m->title = db_col_strdup(st, 4);
	m->sequence = sqlite3_column_int(st, 5);
	m->start = db_col_time(st, 6);
	m->duration = sqlite3_column_int(st, 7);
	m->status = db_col_strdup(st, 8);
	m->link = db_col_strdup(st, 9);
	m->created = db_col_time(st, 10);
	if (m->title == NULL)
		m->title = xstrdup("");
}

static int
read_attendees(struct db *db, struct meeting *m)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc;

	if ((st = db_stmt(db, "SELECT id, email, name, partstat, zone "
	    "FROM attendees WHERE meeting = ? ORDER BY id")) == NULL ||
	    db_bind(st, "I", m->id) == -1)
		return -1;
	while ((rc = db_step(st)) == 1) {
		if (m->natt == cap) {
			cap = cap ? cap * 2 : 4;
			m->att = xreallocarray(m->att, cap, sizeof(*m->att));
		}
		m->att[m->natt].id = sqlite3_column_int64(st, 0);
		m->att[m->natt].email = db_col_strdup(st, 1);
		m->att[m->natt].name = db_col_strdup(st, 2);
		m->att[m->natt].partstat = db_col_strdup(st, 3);
		m->att[m->natt].zone = db_col_strdup(st, 4);
		m->natt++;
	}
	return rc;
}

static int
get_by(struct db *db, const char *sql, const char *types, int64_t id,
    const char *uid, struct meeting *out)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = db_stmt(db, sql)) == NULL)
		return -1;
	if ((types[0] == 'I' ? db_bind(st, "I", id) :
	    db_bind(st, "t", uid)) == -1)
		return -1;
	if ((rc = db_step(st)) != 1)
		return rc;
	read_row(st, out);
	sqlite3_reset(st);
	if (read_attendees(db, out) == -1) {
		meeting_free(out);
		return -1;
	}
	return 1;
}

int
meeting_get(struct db *db, int64_t id, struct meeting *out)
{
	return get_by(db, "SELECT " MEETING_COLS " FROM meetings m "
	    "LEFT JOIN partnerships p ON p.id = m.partnership WHERE m.id = ?",
	    "I", id, NULL, out);
}

int
meeting_get_uid(struct db *db, const char *uid, struct meeting *out)
{
	return get_by(db, "SELECT " MEETING_COLS " FROM meetings m "
	    "LEFT JOIN partnerships p ON p.id = m.partnership "
	    "WHERE m.uid = ?", "t", 0, uid, out);
}

int
meeting_list(struct db *db, int64_t partnership, struct meeting **out,
    size_t *n)
{
	sqlite3_stmt *st;
	struct meeting *v = NULL;
	size_t cap = 0, i;
	int rc;

	*out = NULL;
	*n = 0;
	if ((st = db_stmt(db, "SELECT " MEETING_COLS " FROM meetings m "
	    "LEFT JOIN partnerships p ON p.id = m.partnership "
	    "WHERE ?1 = 0 OR m.partnership = ?1 "
	    "ORDER BY m.start_utc, m.id")) == NULL ||
	    db_bind(st, "I", partnership) == -1)
		return -1;
	while ((rc = db_step(st)) == 1) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 8;
			v = xreallocarray(v, cap, sizeof(*v));
		}
		read_row(st, &v[(*n)++]);
	}
	if (rc == -1) {
		meeting_list_free(v, *n);
		*n = 0;
		return -1;
	}
	for (i = 0; i < *n; i++)
		if (read_attendees(db, &v[i]) == -1) {
			meeting_list_free(v, *n);
			*n = 0;
			return -1;
		}
	*out = v;
	return 0;
}

/* ---- helpers ------------------------------------------------------------- */

static const struct tmpl_set *loaded_tmpl;

static const struct tmpl_set *
templates(const struct meeting_env *env, char **err)
{
	struct buf errors;
	char *dir;

	if (env->tmpl != NULL)
		return env->tmpl;
	if (mailtmpl_current() != NULL)
		return mailtmpl_current();
	if (loaded_tmpl != NULL)
		return loaded_tmpl;
	dir = mailtmpl_dir(env->conf->templates_dir);
	buf_init(&errors);
	loaded_tmpl = mailtmpl_load(dir, &errors);
	if (loaded_tmpl == NULL)
		*err = xasprintf("templates %s: %s", dir,
		    errors.data ? errors.data : "broken");
	buf_free(&errors);
	free(dir);
	return loaded_tmpl;
}

static char *
holidays_dir(const struct meeting_env *env)
{
	char exe[PATH_MAX], *slash, *dir;
	const char *conf = env->conf->holidays_dir;
	ssize_t n;

	if (env->holidays_dir != NULL)
		return xstrdup(env->holidays_dir);
	if (conf == NULL)
		conf = DATADIR "/mistok/holidays";
	if (strcmp(conf, DATADIR "/mistok/holidays") != 0 ||
	    access(conf, F_OK) == 0)
		return xstrdup(conf);
	/* Running uninstalled: build/x or build/tests/x. */
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

void
meeting_local_iso(const struct tz *z, time_t t, char *out, size_t len)
{
	struct tz_local l;

	tz_local(z, t, &l);
	snprintf(out, len, "%04d-%02d-%02dT%02d:%02d:%02d", l.year, l.month,
	    l.day, l.hour, l.min, l.sec);
}

/* "Tue 10 Mar 2026, 17:00–18:00 EET" in lang; caller frees. */
static char *
local_span(const char *zone, time_t start, time_t end, const char *lang)
{
	const struct tz *z;
	struct tz_local a, b;
	struct tz_date d;
	char *err = NULL, *day, *s;

	if ((z = tz_get(zone, &err)) == NULL) {
		free(err);
		z = tz_get("UTC", &err);
		if (z == NULL) {
			free(err);
			return xstrdup("?");
		}
	}
	tz_local(z, start, &a);
	tz_local(z, end, &b);
	d.year = a.year;
	d.month = a.month;
	d.day = a.day;
	day = dates_format(d, NULL, lang);
	s = xasprintf("%s, %02d:%02d\xe2\x80\x93%02d:%02d %s", day, a.hour,
	    a.min, b.hour, b.min, a.abbr);
	free(day);
	return s;
}

static char *
utc_str(time_t t)
{
	char iso[ISO8601_LEN];

	fmt_iso8601(t, iso);
	return xstrdup(iso);
}

/* [{name, email, zone, local}] of m's attendees for [start, end). */
static struct json *
times_json(const struct meeting_att *att, size_t natt, time_t start,
    time_t end, const char *lang)
{
	struct json *a = json_array(), *o;
	char *s;
	size_t i;

	for (i = 0; i < natt; i++) {
		o = json_append(a, json_object());
		json_set_string(o, "name", att[i].name ? att[i].name :
		    att[i].email);
		json_set_string(o, "email", att[i].email);
		json_set_string(o, "zone", att[i].zone ? att[i].zone : "UTC");
		s = local_span(att[i].zone ? att[i].zone : "UTC", start, end,
		    lang);
		json_set_string(o, "local", s);
		free(s);
	}
	return a;
}

static struct json *
common_json(const struct config *conf, const char *coord_name,
    const char *coord_email)
{
	struct json *d = json_object(), *o;

	o = json_set(d, "team", json_object());
	json_set_string(o, "name", conf->team_name);
	json_set_string(o, "address", conf->team_address);
	o = json_set(d, "coordinator", json_object());
	json_set_string(o, "name", coord_name ? coord_name : "");
	json_set_string(o, "email", coord_email ? coord_email :
	    conf->team_address);
	return d;
}

/* The person to tell: the partnership's coordinator, else the config's. */
struct coord {
	char	*name;
	char	*email;
	char	*lang;
};

static void
coord_free(struct coord *c)
{
	free(c->name);
	free(c->email);
	free(c->lang);
	memset(c, 0, sizeof(*c));
}

static void
coordinator(const struct meeting_env *env, int64_t partnership,
    struct coord *c)
{
	struct dir_partnership p;
	struct dir_contact ct;
	int64_t cid = 0;

	memset(c, 0, sizeof(*c));
	if (partnership != 0 &&
	    directory_partnership_by_id(env->db, partnership, &p) == 1) {
		cid = p.coordinator;
		dir_partnership_free(&p);
	}
	if (cid == 0 && env->conf->coordinators != NULL &&
	    env->conf->coordinators[0] != NULL)
		directory_contact_by_email(env->db, env->conf->coordinators[0],
		    &cid, NULL);
	if (cid != 0 && directory_contact_get(env->db, cid, &ct) == 1) {
		c->name = ct.name ? xstrdup(ct.name) : NULL;
		c->email = xstrdup(ct.emails[0]);
		c->lang = ct.eff_language ? xstrdup(ct.eff_language) : NULL;
		dir_contact_free(&ct);
	} else if (env->conf->coordinators != NULL &&
	    env->conf->coordinators[0] != NULL)
		c->email = xstrdup(env->conf->coordinators[0]);
	else
		c->email = xstrdup(env->conf->team_address);
	if (c->lang == NULL)
		c->lang = xstrdup(env->conf->team_language);
}

/*
 * Renders tmpl for lang with data and queues it to (name, email), with
 * an iCalendar part (method) when ics is not NULL. Records the own id.
 */
static int
send_mail(const struct meeting_env *env, const char *tmpl, const char *lang,
    const struct json *data, const char *name, const char *email,
    const char *ics, const char *method, const char *key, int64_t partnership,
    const char *own_kind, int64_t own_object, char **err)
{
	const struct tmpl_set *set;
	struct mailtmpl_mail mm;
	struct compose *c;
	struct buf raw;
	char *ct;
	int64_t oid;
	int rc = -1;

	if ((set = templates(env, err)) == NULL)
		return -1;
	memset(&mm, 0, sizeof(mm));
	if (mailtmpl_render(set, tmpl, lang, env->conf->team_language, data,
	    &mm, err) == -1)
		return -1;
	c = compose_new_team(env->conf);
	compose_add_to(c, name, email);
	mailtmpl_to_compose(&mm, c);
	if (ics != NULL) {
		ct = xasprintf("text/calendar; charset=UTF-8; method=%s",
		    method);
		compose_add_alternative(c, ct, ics, strlen(ics));
		free(ct);
		ct = xasprintf("application/ics; method=%s", method);
		compose_add_attachment(c, "invite.ics", ct, ics, strlen(ics));
		free(ct);
	}
	buf_init(&raw);
	if (compose_write(c, &raw, err) == -1)
		goto out;
	if (outbox_enqueue(env->db, key, raw.data, raw.len,
	    env->conf->team_address, compose_rcpts(c), compose_message_id(c),
	    mm.subject, partnership, &oid, err) == -1)
		goto out;
	if (own_kind != NULL && compose_record_own_id(env->db,
	    compose_message_id(c), own_kind, own_object, partnership,
	    err) == -1)
		goto out;
	rc = 0;
out:
	buf_free(&raw);
	compose_free(c);
	mailtmpl_mail_free(&mm);
	return rc;
}

/* ---- people -------------------------------------------------------------- */

void
meeting_person_free(struct meeting_person *p)
{
	free(p->email);
	free(p->name);
	free(p->zone);
	free(p->lang);
	free(p->country);
	memset(p, 0, sizeof(*p));
}

void
meeting_proposal_free(struct meeting_proposal *pr)
{
	size_t i;

	for (i = 0; i < pr->npeople; i++)
		meeting_person_free(&pr->people[i]);
	free(pr->people);
	memset(pr, 0, sizeof(*pr));
}

static void
person_from(const struct meeting_env *env, const struct dir_contact *c,
    const char *email, struct meeting_person *p)
{
	struct dir_org o;
	int have_org = 0;

	memset(p, 0, sizeof(*p));
	p->email = xstrdup(email);
	str_lower(p->email);
	p->name = c->name ? xstrdup(c->name) : NULL;
	if (c->org != 0 && directory_org_get(env->db, c->org, &o) == 1)
		have_org = 1;
	p->country = have_org && o.country ? xstrdup(o.country) : NULL;
	p->zone = xstrdup(c->eff_zone ? c->eff_zone :
	    env->conf->team_timezone);
	p->lang = xstrdup(c->eff_language ? c->eff_language :
	    env->conf->team_language);
	if (c->eff_hours == NULL ||
	    config_parse_hours(c->eff_hours, &p->hours) == -1)
		p->hours = p->country && strcmp(p->country, "UA") == 0 ?
		    env->conf->ua_hours : env->conf->us_hours;
	if (have_org)
		dir_org_free(&o);
}

int
meeting_people(const struct meeting_env *env, int64_t partnership,
    const char *const *with, struct meeting_person **out, size_t *n,
    char **err)
{
	struct dir_partnership p;
	struct dir_contact *cs = NULL, c;
	struct meeting_person *v = NULL;
	int64_t cid;
	size_t nc = 0, i, j;
	int rc;

	*out = NULL;
	*n = 0;
	if (with != NULL && with[0] != NULL) {
		for (i = 0; with[i] != NULL; i++) {
			if ((rc = directory_contact_by_email(env->db, with[i],
			    &cid, NULL)) != 1 ||
			    directory_contact_get(env->db, cid, &c) != 1) {
				*err = rc == -1 ? xstrdup("database error") :
				    xasprintf("%s is not a contact; add it "
				    "with mistok contact add", with[i]);
				goto fail;
			}
			for (j = 0; j < *n; j++)
				if (strcasecmp(v[j].email, with[i]) == 0)
					break;
			if (j == *n) {
				v = xreallocarray(v, *n + 1, sizeof(*v));
				person_from(env, &c, with[i], &v[(*n)++]);
			}
			dir_contact_free(&c);
		}
		*out = v;
		return 0;
	}
	if ((rc = directory_partnership_by_id(env->db, partnership, &p)) != 1) {
		*err = xstrdup(rc == 0 ? "no such partnership" :
		    "database error");
		return -1;
	}
	if (directory_contact_list(env->db, &cs, &nc) == -1) {
		dir_partnership_free(&p);
		*err = xstrdup("database error");
		return -1;
	}
	for (i = 0; i < nc; i++) {
		if (cs[i].learned || cs[i].nemails == 0 || cs[i].org == 0 ||
		    (cs[i].org != p.ua_org && cs[i].org != p.us_org))
			continue;
		v = xreallocarray(v, *n + 1, sizeof(*v));
		person_from(env, &cs[i], cs[i].emails[0], &v[(*n)++]);
	}
	dir_contact_list_free(cs, nc);
	dir_partnership_free(&p);
	if (*n == 0) {
		*err = xstrdup("the partnership's organisations have no "
		    "contacts; name the attendees with --with");
		free(v);
		return -1;
	}
	*out = v;
	return 0;
fail:
	for (j = 0; j < *n; j++)
		meeting_person_free(&v[j]);
	free(v);
	*n = 0;
	return -1;
}

/* Busy time of email: mistok's scheduled meetings in [from, to). */
static int
busy_of(struct db *db, const char *email, time_t from, time_t to,
    struct slot_busy **out, size_t *n)
{
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	*n = 0;
	if ((st = db_stmt(db, "SELECT m.start_utc, m.duration FROM meetings m "
	    "JOIN attendees a ON a.meeting = m.id "
	    "WHERE a.email = lower(?) AND m.status = 'scheduled' "
	    "AND m.start_utc < ? AND m.start_utc + m.duration > ?")) == NULL ||
	    db_bind(st, "tII", email, (int64_t)to, (int64_t)from) == -1)
		return -1;
	while ((rc = db_step(st)) == 1) {
		*out = xreallocarray(*out, *n + 1, sizeof(**out));
		(*out)[*n].start = db_col_time(st, 0);
		(*out)[*n].end = (*out)[*n].start + sqlite3_column_int(st, 1);
		(*n)++;
	}
	return rc;
}

static int64_t
partnership_of(struct db *db, const char *slug, char **err)
{
	int64_t id;
	int rc;

	if (slug == NULL)
		return 0;
	if ((rc = directory_partnership_by_slug(db, slug, &id)) != 1) {
		*err = rc == 0 ? xasprintf("no partnership '%s'", slug) :
		    xstrdup("database error");
		return -1;
	}
	return id;
}

static void
random_uid(const struct config *conf, char *out, size_t len)
{
	static const char b32[] = "abcdefghijklmnopqrstuvwxyz234567";
	unsigned char r[10];
	char s[17];
	size_t i, got = 0;
	ssize_t k;

	while (got < sizeof(r)) {
		k = getrandom(r + got, sizeof(r) - got, 0);
		if (k == -1 && errno != EINTR)
			fatal("meeting: getrandom");
		if (k > 0)
			got += (size_t)k;
	}
	for (i = 0; i < 16; i++) {
		unsigned v = r[i * 5 / 8];

		if (i * 5 / 8 + 1 < sizeof(r))
			v |= (unsigned)r[i * 5 / 8 + 1] << 8;
		s[i] = b32[(v >> (i * 5 % 8)) & 31];
	}
	s[16] = '\0';
	snprintf(out, len, "mistok-%s@%s", s, conf->team_domain);
}

static char *
default_title(struct db *db, int64_t pid, const char *team)
{
	struct dir_partnership p;
	char *t;

	if (pid == 0 || directory_partnership_by_id(db, pid, &p) != 1)
		return xasprintf("%s", team);
	t = xasprintf("%s: %s \xe2\x80\x93 %s", team,
	    p.ua_org_name ? p.ua_org_name : "?",
	    p.us_org_name ? p.us_org_name : "?");
	dir_partnership_free(&p);
	return t;
}

/* ---- proposals ----------------------------------------------------------- */

static const struct holidays *
holidays_for(const struct meeting_person *p, const struct holidays *us,
    const struct holidays *ua)
{
	if (p->country != NULL && strcmp(p->country, "UA") == 0)
		return ua;
	if (p->country != NULL && strcmp(p->country, "US") == 0)
		return us;
	return NULL;
}

static struct holidays *
load_set(const char *dir, const char *file)
{
	struct holidays *h = holidays_new();
	struct buf errors;
	char *path = xasprintf("%s/%s", dir, file);

	buf_init(&errors);
	if (holidays_load(h, path, &errors) != 0)
		log_warnx("meeting: holidays %s: %s", path,
		    errors.data ? errors.data : "unreadable");
	buf_free(&errors);
	free(path);
	return h;
}

static int
insert_meeting(struct db *db, const char *uid, int64_t partnership,
    const char *title, time_t start, int seconds, const char *status,
    const char *link, int64_t *id)
{
	if (db_exec(db, "INSERT INTO meetings (uid, partnership, title, "
	    "sequence, start_utc, duration, status, link, created) "
	    "VALUES (?, ?, ?, 0, ?, ?, ?, ?, ?)", "tTtIittT", uid,
	    (time_t)partnership /* 0 binds NULL */, title, (int64_t)start,
	    seconds, status, link, clock_now()) == -1)
		return -1;
	if (db_changes(db) != 1)
		return -1;
	*id = db_last_id(db);
	return 0;
}

static int
insert_people(struct db *db, int64_t meeting,
    const struct meeting_person *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (db_exec(db, "INSERT INTO attendees (meeting, email, name, "
		    "partstat, zone) VALUES (?, ?, ?, 'NEEDS-ACTION', ?)",
		    "Ittt", meeting, p[i].email, p[i].name, p[i].zone) == -1)
			return -1;
	return 0;
}

int
meeting_propose(const struct meeting_env *env, const char *slug,
    int duration, struct tz_date from, struct tz_date to, const char *zone,
    const char *const *with, struct meeting_proposal *out, char **err)
{
	struct slot_attendee *sa = NULL;
	struct slot_busy **busy = NULL;
	size_t *nbusy = NULL, i, j;
	struct slot_request rq;
	struct holidays *us = NULL, *ua = NULL;
	struct meeting_att *att = NULL;
	struct json *d = NULL, *slots, *o;
	struct coord co;
	const struct tz *wz;
	char *dir, uid[128], *key, *s, *title;
	time_t wfrom, wto;
	int64_t pid;
	int rc = -1, r2;

	memset(out, 0, sizeof(*out));
	memset(&co, 0, sizeof(co));
	*err = NULL;
	out->duration = duration;
	if (zone == NULL)
		zone = env->conf->team_timezone;
	if ((wz = tz_get(zone, err)) == NULL)
		return -1;
	if ((pid = partnership_of(env->db, slug, err)) == -1)
		return -1;
	if (meeting_people(env, pid, with, &out->people, &out->npeople,
	    err) == -1)
		return -1;
	dir = holidays_dir(env);
	if (env->conf->us_holidays)
		us = load_set(dir, "us-federal.txt");
	if (env->conf->ua_holidays)
		ua = load_set(dir, "ua.txt");
	free(dir);
	wfrom = tz_utc(wz, from, 0, 0, 0, 0, NULL) - 86400;
	wto = tz_utc(wz, to, 24, 0, 0, 0, NULL) + 86400;
	sa = xcalloc(out->npeople, sizeof(*sa));
	busy = xcalloc(out->npeople, sizeof(*busy));
	nbusy = xcalloc(out->npeople, sizeof(*nbusy));
	for (i = 0; i < out->npeople; i++) {
		if (busy_of(env->db, out->people[i].email, wfrom, wto,
		    &busy[i], &nbusy[i]) == -1) {
			*err = xstrdup("database error");
			goto done;
		}
		sa[i].label = out->people[i].name ? out->people[i].name :
		    out->people[i].email;
		sa[i].zone = out->people[i].zone;
		sa[i].hours = &out->people[i].hours;
		sa[i].required = 1;
		sa[i].holidays = holidays_for(&out->people[i], us, ua);
		sa[i].busy = busy[i];
		sa[i].nbusy = nbusy[i];
	}
	memset(&rq, 0, sizeof(rq));
	rq.att = sa;
	rq.natt = out->npeople;
	rq.duration = duration;
	rq.zone = zone;
	rq.from = from;
	rq.to = to;
	rq.relaxed_start = env->conf->relaxed_start;
	rq.relaxed_end = env->conf->relaxed_end;
	if (slots_find(&rq, &out->res, err) == -1)
		goto done;
	if (out->res.n == 0) {
		rc = 0;
		goto done;
	}

	/* Store the proposal and mail the coordinator, all or nothing. */
	if (db_begin(env->db) == -1) {
		*err = xstrdup("database busy");
		goto done;
	}
	random_uid(env->conf, uid, sizeof(uid));
	title = default_title(env->db, pid, env->conf->team_name);
	r2 = insert_meeting(env->db, uid, pid, title, out->res.slot[0].start,
	    duration * 60, "proposed", NULL, &out->id);
	free(title);
	if (r2 == -1 ||
	    insert_people(env->db, out->id, out->people, out->npeople) == -1)
		goto dberr;
	for (i = 0; i < (size_t)out->res.n; i++)
		if (db_exec(env->db, "INSERT INTO meeting_slots (meeting, n, "
		    "start_utc, end_utc, relaxed, dst_mismatch) VALUES (?, ?, "
		    "?, ?, ?, ?)", "IiIIii", out->id, (int)i + 1,
		    (int64_t)out->res.slot[i].start,
		    (int64_t)out->res.slot[i].end, out->res.slot[i].relaxed != 0,
		    out->res.slot[i].dst_mismatch != 0) == -1)
			goto dberr;

	coordinator(env, pid, &co);
	att = xcalloc(out->npeople, sizeof(*att));
	for (i = 0; i < out->npeople; i++) {
		att[i].email = out->people[i].email;
		att[i].name = out->people[i].name;
		att[i].zone = out->people[i].zone;
	}
	d = common_json(env->conf, co.name, co.email);
	o = json_set(d, "proposal", json_object());
	json_set_int(o, "id", out->id);
	json_set_string(o, "partnership", slug ? slug : "");
	json_set_int(o, "duration", duration);
	json_set(o, "relaxed", json_bool(out->res.relaxed));
	slots = json_set(o, "slots", json_array());
	for (i = 0; i < (size_t)out->res.n; i++) {
		const struct slot *sl1 = &out->res.slot[i];

		o = json_append(slots, json_object());
		json_set_int(o, "n", (int64_t)i + 1);
		s = utc_str(sl1->start);
		json_set_string(o, "utc", s);
		free(s);
		json_set(o, "relaxed", json_bool(sl1->relaxed));
		json_set(o, "dst_mismatch", json_bool(sl1->dst_mismatch));
		json_set(o, "times", times_json(att, out->npeople, sl1->start,
		    sl1->end, co.lang));
	}
	key = xasprintf("proposal:%lld", (long long)out->id);
	j = send_mail(env, "proposal", co.lang, d, co.name, co.email, NULL,
	    NULL, key, pid, "proposal", out->id, err);
	free(key);
	if (j != 0) {
		db_rollback(env->db);
		goto done;
	}
	if (db_commit(env->db) == -1)
		goto dberr;
	outbox_wake();
	rc = 0;
	goto done;
dberr:
	db_rollback(env->db);
	if (*err == NULL)
		*err = xasprintf("database: %s", db_errmsg(env->db));
done:
	if (rc == -1)
		out->id = 0;
	json_free(d);
	free(att);
	coord_free(&co);
	for (i = 0; i < out->npeople && busy != NULL; i++)
		free(busy[i]);
	free(busy);
	free(nbusy);
	free(sa);
	holidays_free(us);
	holidays_free(ua);
	return rc;
}

/* ---- invitations --------------------------------------------------------- */

static const char *
lang_of(struct db *db, const char *email, const char *team_lang)
{
	struct dir_contact c;
	int64_t id;
	const char *l = team_lang;

	if (directory_contact_by_email(db, email, &id, NULL) == 1 &&
	    directory_contact_get(db, id, &c) == 1) {
		if (c.eff_language != NULL && strcmp(c.eff_language, "en") == 0)
			l = "en";
		else if (c.eff_language != NULL &&
		    strcmp(c.eff_language, "uk") == 0)
			l = "uk";
		dir_contact_free(&c);
	}
	return l;
}

static char *
description(const struct meeting *m, const char *lang)
{
	struct buf b;
	char *s;
	size_t i;
	int uk = strcmp(lang, "uk") == 0;

	buf_init(&b);
	if (m->link != NULL)
		buf_printf(&b, "%s: %s\n\n", uk ? "Посилання на зустріч" :
		    "Meeting link", m->link);
	buf_printf(&b, "%s:\n", uk ? "Місцевий час учасників" :
	    "Each attendee's local time");
	for (i = 0; i < m->natt; i++) {
		s = local_span(m->att[i].zone ? m->att[i].zone : "UTC",
		    m->start, m->start + m->duration, lang);
		buf_printf(&b, "- %s: %s (%s)\n", m->att[i].name ?
		    m->att[i].name : m->att[i].email, s,
		    m->att[i].zone ? m->att[i].zone : "UTC");
		free(s);
	}
	return buf_steal(&b);
}

/* The iCalendar text of m for lang; caller frees. */
static char *
build_ics(const struct meeting_env *env, const struct meeting *m,
    enum invite_method method, const char *lang, char **err)
{
	struct invite_attendee *ia;
	struct invite inv;
	char *desc, *ics;
	size_t i;

	ia = xcalloc(m->natt ? m->natt : 1, sizeof(*ia));
	for (i = 0; i < m->natt; i++) {
		ia[i].name = m->att[i].name;
		ia[i].email = m->att[i].email;
		ia[i].partstat = NULL;
	}
	desc = description(m, lang);
	memset(&inv, 0, sizeof(inv));
	inv.uid = m->uid;
	inv.sequence = m->sequence;
	inv.start = m->start;
	inv.end = m->start + m->duration;
	inv.summary = m->title;
	inv.description = desc;
	inv.link = m->link;
	inv.organizer_name = env->conf->team_name;
	inv.organizer_email = env->conf->team_address;
	inv.attendees = ia;
	inv.nattendees = m->natt;
	ics = invite_build(&inv, method, err);
	free(desc);
	free(ia);
	return ics;
}

/* Queues REQUEST (or CANCEL) mail to every attendee of meeting id. */
static int
send_all(const struct meeting_env *env, int64_t id, enum invite_method method,
    int update, char **err)
{
	struct meeting m;
	struct coord co;
	struct json *d, *o;
	const char *lang, *tmpl;
	char *ics, *key, *s;
	size_t i;
	int rc = -1;

	if (meeting_get(env->db, id, &m) != 1) {
		*err = xstrdup("meeting vanished");
		return -1;
	}
	coordinator(env, m.partnership, &co);
	tmpl = method == INVITE_CANCEL ? "meeting_cancel" : "invite";
	for (i = 0; i < m.natt; i++) {
		lang = lang_of(env->db, m.att[i].email,
		    env->conf->team_language);
		if ((ics = build_ics(env, &m, method, lang, err)) == NULL)
			goto out;
		d = common_json(env->conf, co.name, co.email);
		o = json_set(d, "recipient", json_object());
		json_set_string(o, "name", m.att[i].name ? m.att[i].name : "");
		json_set_string(o, "email", m.att[i].email);
		o = json_set(d, "meeting", json_object());
		json_set_string(o, "title", m.title);
		json_set_string(o, "uid", m.uid);
		json_set_string(o, "link", m.link ? m.link : "");
		json_set(o, "update", json_bool(update));
		s = utc_str(m.start);
		json_set_string(o, "utc", s);
		free(s);
		s = local_span(m.att[i].zone ? m.att[i].zone : "UTC", m.start,
		    m.start + m.duration, lang);
		json_set_string(o, "local", s);
		free(s);
		json_set(o, "times", times_json(m.att, m.natt, m.start,
		    m.start + m.duration, lang));
		key = xasprintf("%s:%s:%d:%s", method == INVITE_CANCEL ?
		    "cancel" : "invite", m.uid, m.sequence, m.att[i].email);
		rc = send_mail(env, tmpl, lang, d, m.att[i].name,
		    m.att[i].email, ics, invite_method_name(method), key,
		    m.partnership, "invite", m.att[i].id, err);
		free(key);
		free(ics);
		json_free(d);
		if (rc == -1)
			goto out;
	}
	rc = 0;
out:
	coord_free(&co);
	meeting_free(&m);
	return rc;
}

static int
tx_end(const struct meeting_env *env, int rc, char **err)
{
	if (rc == -1) {
		if (*err == NULL)
			*err = xasprintf("database: %s", db_errmsg(env->db));
		db_rollback(env->db);
		return -1;
	}
	if (db_commit(env->db) == -1) {
		*err = xasprintf("database: %s", db_errmsg(env->db));
		return -1;
	}
	outbox_wake();
	return 0;
}

int
meeting_book(const struct meeting_env *env, const char *slug, time_t start,
    int duration, const char *const *with, const char *title,
    const char *link, int64_t *id, char **err)
{
	struct meeting_person *pp = NULL;
	size_t np = 0, i;
	char uid[128], *t;
	int64_t pid;
	int rc;

	*err = NULL;
	if (duration < 1 || duration > 1440) {
		*err = xstrdup("the duration must be 1 minute to 24 hours");
		return -1;
	}
	if ((pid = partnership_of(env->db, slug, err)) == -1)
		return -1;
	if (meeting_people(env, pid, with, &pp, &np, err) == -1)
		return -1;
	t = title != NULL && *title != '\0' ? xstrdup(title) :
	    default_title(env->db, pid, env->conf->team_name);
	random_uid(env->conf, uid, sizeof(uid));
	if (db_begin(env->db) == -1) {
		*err = xstrdup("database busy");
		rc = -1;
		goto out;
	}
	rc = insert_meeting(env->db, uid, pid, t, start, duration * 60,
	    "scheduled", link != NULL && *link ? link : NULL, id) == -1 ||
	    insert_people(env->db, *id, pp, np) == -1 ? -1 : 0;
	if (rc == 0)
		rc = send_all(env, *id, INVITE_REQUEST, 0, err);
	rc = tx_end(env, rc, err);
out:
	free(t);
	for (i = 0; i < np; i++)
		meeting_person_free(&pp[i]);
	free(pp);
	return rc;
}

int
meeting_book_slot(const struct meeting_env *env, int64_t proposal, int n,
    const char *title, const char *link, char **err)
{
	struct meeting m;
	char *key;
	int64_t t = 0;
	int rc;

	*err = NULL;
	if ((rc = meeting_get(env->db, proposal, &m)) != 1) {
		*err = rc == 0 ? xasprintf("no meeting %lld",
		    (long long)proposal) : xstrdup("database error");
		return -1;
	}
	if (strcmp(m.status, "proposed") != 0) {
		*err = xasprintf("meeting %lld is %s, not a proposal",
		    (long long)proposal, m.status);
		meeting_free(&m);
		return -1;
	}
	rc = n < 1 ? 0 : db_int(env->db, &t, "SELECT start_utc FROM "
	    "meeting_slots WHERE meeting = ? AND n = ?", "Ii", proposal, n);
	if (rc != 1 || t <= 0) {
		*err = xasprintf("proposal %lld has no slot %d",
		    (long long)proposal, n);
		meeting_free(&m);
		return -1;
	}
	if (title == NULL || *title == '\0')
		key = default_title(env->db, m.partnership,
		    env->conf->team_name);
	else
		key = xstrdup(title);
	if (db_begin(env->db) == -1) {
		*err = xstrdup("database busy");
		free(key);
		meeting_free(&m);
		return -1;
	}
	rc = db_exec(env->db, "UPDATE meetings SET status = 'scheduled', "
	    "start_utc = ?, title = ?, link = ? WHERE id = ? AND "
	    "status = 'proposed'", "IttI", (int64_t)t, key,
	    link != NULL && *link ? link : NULL, proposal) == -1 ||
	    db_changes(env->db) != 1 ? -1 : 0;
	if (rc == 0)
		rc = send_all(env, proposal, INVITE_REQUEST, 0, err);
	free(key);
	meeting_free(&m);
	return tx_end(env, rc, err);
}

static int
change(const struct meeting_env *env, int64_t id, int cancel, time_t start,
    int duration, char **err)
{
	struct meeting m;
	int rc;

	*err = NULL;
	if ((rc = meeting_get(env->db, id, &m)) != 1) {
		*err = rc == 0 ? xasprintf("no meeting %lld", (long long)id) :
		    xstrdup("database error");
		return -1;
	}
	if (strcmp(m.status, "scheduled") != 0 ||
	    (!cancel && m.start + m.duration <= clock_now())) {
		*err = xasprintf("meeting %lld is %s", (long long)id,
		    meeting_status(&m, clock_now()));
		meeting_free(&m);
		return -1;
	}
	if (duration == 0)
		duration = m.duration / 60;
	meeting_free(&m);
	if (duration < 1 || duration > 1440) {
		*err = xstrdup("the duration must be 1 minute to 24 hours");
		return -1;
	}
	if (db_begin(env->db) == -1) {
		*err = xstrdup("database busy");
		return -1;
	}
	if (cancel)
		rc = db_exec(env->db, "UPDATE meetings SET sequence = "
		    "sequence + 1, status = 'cancelled' WHERE id = ?", "I",
		    id);
	else
		rc = db_exec(env->db, "UPDATE meetings SET sequence = "
		    "sequence + 1, start_utc = ?, duration = ? WHERE id = ?",
		    "IiI", (int64_t)start, duration * 60, id) == -1 ||
		    db_exec(env->db, "UPDATE attendees SET partstat = "
		    "'NEEDS-ACTION', dtstamp = NULL WHERE meeting = ?", "I",
		    id) == -1 ? -1 : 0;
	if (rc == 0)
		rc = send_all(env, id, cancel ? INVITE_CANCEL : INVITE_REQUEST,
		    1, err);
	return tx_end(env, rc, err);
}

int
meeting_reschedule(const struct meeting_env *env, int64_t id, time_t start,
    int duration, char **err)
{
	return change(env, id, 0, start, duration, err);
}

int
meeting_cancel(const struct meeting_env *env, int64_t id, char **err)
{
	return change(env, id, 1, 0, 0, err);
}

/* ---- replies ------------------------------------------------------------- */

static int
notify(const struct meeting_env *env, const struct meeting *m,
    const char *event, const char *email, const char *partstat,
    const char *comment, const struct invite_msg *counter, const char *key,
    char **err)
{
	struct coord co;
	struct json *d, *o, *a;
	char *s;
	size_t i;
	int rc;

	coordinator(env, m->partnership, &co);
	d = common_json(env->conf, co.name, co.email);
	o = json_set(d, "meeting", json_object());
	json_set_string(o, "title", m->title);
	json_set_string(o, "uid", m->uid);
	json_set_int(o, "id", m->id);
	s = utc_str(m->start);
	json_set_string(o, "utc", s);
	free(s);
	json_set(o, "times", times_json(m->att, m->natt, m->start,
	    m->start + m->duration, co.lang));
	o = json_set(d, "reply", json_object());
	json_set_string(o, "email", email ? email : "");
	json_set_string(o, "partstat", partstat ? partstat : "");
	json_set_string(o, "comment", comment ? comment : "");
	json_set(o, "declined", json_bool(strcmp(event, "declined") == 0));
	json_set(o, "all_answered", json_bool(strcmp(event, "all") == 0));
	json_set(o, "counter", json_bool(counter != NULL));
	json_set(o, "reply", json_bool(strcmp(event, "reply") == 0));
	if (counter != NULL && counter->has_start)
		json_set(o, "proposed", times_json(m->att, m->natt,
		    counter->start, counter->has_end ? counter->end :
		    counter->start + m->duration, co.lang));
	else
		json_set(o, "proposed", json_array());
	a = json_set(d, "answers", json_array());
	for (i = 0; i < m->natt; i++) {
		o = json_append(a, json_object());
		json_set_string(o, "email", m->att[i].email);
		json_set_string(o, "name", m->att[i].name ? m->att[i].name :
		    m->att[i].email);
		json_set_string(o, "partstat", m->att[i].partstat);
	}
	rc = send_mail(env, "meeting_reply", co.lang, d, co.name, co.email,
	    NULL, NULL, key, m->partnership, "meeting_reply", m->id, err);
	json_free(d);
	coord_free(&co);
	return rc;
}

/*
 * Applies partstat of email to meeting uid. Returns 1 applied, 0 ignored
 * (unknown, stale, unchanged), -1 error. Runs in the caller's transaction.
 */
static int
apply(const struct meeting_env *env, const char *uid, const char *email,
    const char *partstat, int sequence, time_t dtstamp, int check_seq,
    const char *comment, char **err)
{
	struct meeting m;
	struct meeting_att *a = NULL;
	char *k2;
	int64_t last;
	size_t i, open = 0;
	int rc;

	if ((rc = meeting_get_uid(env->db, uid, &m)) != 1)
		return rc;
	for (i = 0; i < m.natt; i++)
		if (strcasecmp(m.att[i].email, email) == 0)
			a = &m.att[i];
	if (a == NULL || strcmp(m.status, "cancelled") == 0 ||
	    (check_seq && sequence < m.sequence)) {
		log_info("meeting %s: reply from %s ignored (%s)", uid, email,
		    a == NULL ? "not an attendee" : check_seq &&
		    sequence < m.sequence ? "older SEQUENCE" : "cancelled");
		meeting_free(&m);
		return 0;
	}
	if (dtstamp != 0 && (rc = db_int(env->db, &last, "SELECT dtstamp "
	    "FROM attendees WHERE id = ? AND dtstamp IS NOT NULL", "I",
	    a->id)) != 0) {
		if (rc == -1)
			goto dberr;
		if (last > (int64_t)dtstamp) {
			log_info("meeting %s: older reply from %s ignored",
			    uid, email);
			meeting_free(&m);
			return 0;
		}
	}
	if (strcmp(a->partstat, partstat) == 0 && comment == NULL) {
		meeting_free(&m);
		return 0;
	}
	if (db_exec(env->db, "UPDATE attendees SET partstat = ?, dtstamp = "
	    "coalesce(?, dtstamp) WHERE id = ?", "tTI", partstat, dtstamp,
	    a->id) == -1)
		goto dberr;
	free(a->partstat);
	a->partstat = xstrdup(partstat);
	log_info("meeting %s: %s is %s", uid, a->email, partstat);
	rc = 1;
	k2 = NULL;
	if (strcmp(partstat, "DECLINED") == 0) {
		k2 = xasprintf("meeting-declined:%s:%d:%s", uid, m.sequence,
		    a->email);
		if (notify(env, &m, "declined", a->email, partstat, comment,
		    NULL, k2, err) == -1)
			rc = -1;
	} else if (comment != NULL) {
		k2 = xasprintf("meeting-comment:%s:%d:%s:%lld", uid,
		    m.sequence, a->email, (long long)dtstamp);
		if (notify(env, &m, "reply", a->email, partstat, comment,
		    NULL, k2, err) == -1)
			rc = -1;
	}
	free(k2);
	for (i = 0; i < m.natt; i++)
		if (strcmp(m.att[i].partstat, "NEEDS-ACTION") == 0)
			open++;
	if (rc == 1 && open == 0) {
		k2 = xasprintf("meeting-answered:%s:%d", uid, m.sequence);
		if (notify(env, &m, "all", a->email, partstat, NULL, NULL, k2,
		    err) == -1)
			rc = -1;
		free(k2);
	}
	meeting_free(&m);
	return rc;
dberr:
	*err = xasprintf("database: %s", db_errmsg(env->db));
	meeting_free(&m);
	return -1;
}

static int
counter(const struct meeting_env *env, const struct invite_msg *im,
    int64_t message, char **err)
{
	struct meeting m;
	const char *who;
	char *key;
	int rc;

	if ((rc = meeting_get_uid(env->db, im->uid, &m)) != 1)
		return rc;
	who = im->nattendees > 0 ? im->attendees[0].email : "";
	key = xasprintf("meeting-counter:%s:%lld", m.uid, (long long)message);
	rc = notify(env, &m, "counter", who, im->nattendees > 0 ?
	    im->attendees[0].partstat : NULL, im->comment, im, key, err);
	free(key);
	meeting_free(&m);
	return rc == -1 ? -1 : 0;
}

static int
one_calendar(const struct meeting_env *env, int64_t message,
    const char *text, char **err)
{
	struct invite_msg *im = NULL;
	char *perr = NULL;
	size_t i;
	int rc = 0, r;

	if (invite_parse(text, strlen(text), env->conf->team_timezone, &im,
	    &perr) == -1) {
		log_warnx("meeting: message %lld: %s", (long long)message,
		    perr);
		free(perr);
		return 0;
	}
	if (im->uid == NULL)
		;
	else if (im->method == INVITE_COUNTER)
		rc = counter(env, im, message, err);
	else if (im->method == INVITE_REPLY) {
		/* The attendees the REPLY speaks for (normally one). */
		for (i = 0; i < im->nattendees && rc != -1; i++) {
			r = apply(env, im->uid, im->attendees[i].email,
			    im->attendees[i].partstat, im->sequence,
			    im->dtstamp, 1, im->comment, err);
			if (r == -1)
				rc = -1;
			else
				rc += r;
		}
	}
	invite_msg_free(im);
	return rc;
}

/* "yes"/"no"/"так"/"ні" on the first line that is not quoted. */
static const char *
plain_answer(const char *body, size_t len)
{
	static const char *const yes[] = { "yes", "так", "accept", NULL };
	static const char *const no[] = { "no", "ні", "decline", NULL };
	struct buf f;
	const char *p = body, *e, *end = body + len, *r = NULL;
	size_t i;

	while (p < end) {
		e = memchr(p, '\n', (size_t)(end - p));
		if (e == NULL)
			e = end;
		buf_init(&f);
		dates_fold(p, (size_t)(e - p), &f);
		if (f.len > 0 && f.data[0] != '>') {
			while (f.len > 0 && strchr(".!", f.data[f.len - 1]))
				f.data[--f.len] = '\0';
			for (i = 0; yes[i] != NULL && r == NULL; i++)
				if (strcmp(f.data, yes[i]) == 0)
					r = "ACCEPTED";
			for (i = 0; no[i] != NULL && r == NULL; i++)
				if (strcmp(f.data, no[i]) == 0)
					r = "DECLINED";
			buf_free(&f);
			return r;
		}
		buf_free(&f);
		p = e + 1;
	}
	return NULL;
}

static int
one_plain(const struct meeting_env *env, int64_t message,
    const char *in_reply_to, const char *body, size_t len, char **err)
{
	sqlite3_stmt *st;
	const char *ans;
	char *kind = NULL, *email = NULL, *uid = NULL;
	int64_t att = 0;
	int rc;

	if (compose_own_id(env->db, in_reply_to, &kind, &att, NULL) != 1 ||
	    strcmp(kind, "invite") != 0 || att == 0) {
		free(kind);
		return 0;
	}
	free(kind);
	if ((ans = plain_answer(body, len)) == NULL)
		return 0;
	if ((st = db_stmt(env->db, "SELECT a.email, m.uid FROM attendees a "
	    "JOIN meetings m ON m.id = a.meeting WHERE a.id = ?")) == NULL ||
	    db_bind(st, "I", att) == -1)
		return -1;
	if ((rc = db_step(st)) != 1)
		return rc;
	email = db_col_strdup(st, 0);
	uid = db_col_strdup(st, 1);
	sqlite3_reset(st);
	log_info("meeting %s: plain reply %lld counts as %s", uid,
	    (long long)message, ans);
	rc = apply(env, uid, email, ans, 0, 0, 0, NULL, err);
	free(email);
	free(uid);
	return rc;
}

#define SCAN_BATCH	200

int
meeting_scan(const struct meeting_env *env, char **err)
{
	sqlite3_stmt *st;
	struct {
		int64_t	 id;
		char	*kind;
		char	*irt;
		char	*body;
		size_t	 qoff;
	} *rows = NULL;
	char **cal = NULL, *val = NULL, num[32];
	size_t n, i, ncal, round;
	int64_t last = 0;
	int rc, total = 0, r;

	*err = NULL;
	if (db_kv_get(env->db, "meeting:scan", &val) == 1)
		last = strtoll(val, NULL, 10);
	free(val);
	for (round = 0; round < 10000; round++) {
		if ((st = db_stmt(env->db, "SELECT id, kind, in_reply_to, body, "
		    "quote_off FROM messages WHERE id > ? AND (kind = 'imip' "
		    "OR (kind = 'correspondence' AND in_reply_to IS NOT NULL)) "
		    "ORDER BY id LIMIT 200")) == NULL ||
		    db_bind(st, "I", last) == -1)
			return -1;
		rows = xcalloc(SCAN_BATCH, sizeof(*rows));
		n = 0;
		while (n < SCAN_BATCH && (rc = db_step(st)) == 1) {
			rows[n].id = sqlite3_column_int64(st, 0);
			rows[n].kind = db_col_strdup(st, 1);
			rows[n].irt = db_col_strdup(st, 2);
			rows[n].body = db_col_strdup(st, 3);
			rows[n].qoff = (size_t)sqlite3_column_int64(st, 4);
			n++;
		}
		sqlite3_reset(st);
		if (n == 0) {
			free(rows);
			break;
		}
		r = 0;
		for (i = 0; i < n && r != -1; i++) {
			if (db_begin(env->db) == -1) {
				r = -1;
				break;
			}
			if (strcmp(rows[i].kind, "imip") == 0) {
				/* The REPLY and COUNTER parts. */
				cal = NULL;
				ncal = 0;
				if ((st = db_stmt(env->db, "SELECT text FROM "
				    "calendar_parts WHERE message = ? AND "
				    "upper(coalesce(method, '')) IN ('REPLY', "
				    "'COUNTER', '') ORDER BY id")) == NULL ||
				    db_bind(st, "I", rows[i].id) == -1)
					r = -1;
				while (r != -1 && (rc = db_step(st)) == 1) {
					cal = xreallocarray(cal, ncal + 1,
					    sizeof(*cal));
					cal[ncal++] = db_col_strdup(st, 0);
				}
				for (size_t k = 0; k < ncal; k++) {
					if (r != -1 && cal[k] != NULL) {
						rc = one_calendar(env,
						    rows[i].id, cal[k], err);
						r = rc == -1 ? -1 : r + rc;
					}
					free(cal[k]);
				}
				free(cal);
			} else if (rows[i].body != NULL) {
				size_t blen = strlen(rows[i].body);

				rc = one_plain(env, rows[i].id, rows[i].irt,
				    rows[i].body, rows[i].qoff < blen ?
				    rows[i].qoff : blen, err);
				r = rc == -1 ? -1 : r + rc;
			}
			snprintf(num, sizeof(num), "%lld",
			    (long long)rows[i].id);
			if (r != -1 && db_kv_set(env->db, "meeting:scan",
			    num) == -1)
				r = -1;
			if (r == -1) {
				db_rollback(env->db);
				break;
			}
			if (db_commit(env->db) == -1) {
				r = -1;
				break;
			}
			total += r;
			r = 0;
			last = rows[i].id;
		}
		for (i = 0; i < n; i++) {
			free(rows[i].kind);
			free(rows[i].irt);
			free(rows[i].body);
		}
		free(rows);
		if (r == -1) {
			if (*err == NULL)
				*err = xasprintf("database: %s",
				    db_errmsg(env->db));
			return -1;
		}
		if (n < SCAN_BATCH)
			break;
	}
	if (total > 0)
		outbox_wake();
	return total;
}

/* ---- reminders and the feed ---------------------------------------------- */

int
meeting_due_reminders(struct db *db, time_t now,
    int (*cb)(void *, const struct meeting *, const struct meeting_att *),
    void *arg)
{
	struct meeting *v;
	size_t n, i, j;
	int calls = 0;

	if (meeting_list(db, 0, &v, &n) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		if (strcmp(v[i].status, "scheduled") != 0 ||
		    v[i].start <= now || v[i].start > now + 86400)
			continue;
		for (j = 0; j < v[i].natt; j++) {
			if (strcmp(v[i].att[j].partstat, "DECLINED") == 0)
				continue;
			calls++;
			if (cb(arg, &v[i], &v[i].att[j]) != 0)
				goto out;
		}
	}
out:
	meeting_list_free(v, n);
	return calls;
}

int
meeting_feed(const struct meeting_env *env, struct buf *out, char **err)
{
	struct meeting *v;
	struct invite *iv;
	struct invite_attendee **ia;
	char **desc;
	size_t n, i, j, k = 0;
	int rc;

	*err = NULL;
	if (meeting_list(env->db, 0, &v, &n) == -1) {
		*err = xstrdup("database error");
		return -1;
	}
	iv = xcalloc(n ? n : 1, sizeof(*iv));
	ia = xcalloc(n ? n : 1, sizeof(*ia));
	desc = xcalloc(n ? n : 1, sizeof(*desc));
	for (i = 0; i < n; i++) {
		if (strcmp(v[i].status, "proposed") == 0)
			continue;
		ia[k] = xcalloc(v[i].natt ? v[i].natt : 1, sizeof(**ia));
		for (j = 0; j < v[i].natt; j++) {
			ia[k][j].name = v[i].att[j].name;
			ia[k][j].email = v[i].att[j].email;
			ia[k][j].partstat = v[i].att[j].partstat;
		}
		desc[k] = description(&v[i], env->conf->team_language);
		iv[k].uid = v[i].uid;
		iv[k].sequence = v[i].sequence;
		iv[k].start = v[i].start;
		iv[k].end = v[i].start + v[i].duration;
		iv[k].summary = v[i].title;
		iv[k].description = desc[k];
		iv[k].link = v[i].link;
		iv[k].organizer_name = env->conf->team_name;
		iv[k].organizer_email = env->conf->team_address;
		iv[k].attendees = ia[k];
		iv[k].nattendees = v[i].natt;
		iv[k].cancelled = strcmp(v[i].status, "cancelled") == 0;
		k++;
	}
	rc = invite_build_feed(iv, k, out, err);
	for (i = 0; i < k; i++) {
		free(ia[i]);
		free(desc[i]);
	}
	free(ia);
	free(desc);
	free(iv);
	meeting_list_free(v, n);
	return rc;
}

int
meeting_feed_write(const struct meeting_env *env, const char *path,
    char **err)
{
	struct buf b;
	char *tmp;
	size_t off;
	ssize_t w;
	int fd, rc = -1;

	*err = NULL;
	buf_init(&b);
	if (meeting_feed(env, &b, err) == -1) {
		buf_free(&b);
		return -1;
	}
	tmp = xasprintf("%s.tmp", path);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644)) == -1) {
		*err = xasprintf("%s: %s", tmp, strerror(errno));
		goto out;
	}
	for (off = 0; off < b.len; off += (size_t)w)
		if ((w = write(fd, b.data + off, b.len - off)) <= 0) {
			if (w == -1 && errno == EINTR) {
				w = 0;
				continue;
			}
			*err = xasprintf("%s: %s", tmp, w == -1 ?
			    strerror(errno) : "short write");
			close(fd);
			unlink(tmp);
			goto out;
		}
	if (fsync(fd) == -1 || close(fd) == -1) {
		*err = xasprintf("%s: %s", tmp, strerror(errno));
		unlink(tmp);
		goto out;
	}
	if (rename(tmp, path) == -1) {
		*err = xasprintf("%s: %s", path, strerror(errno));
		unlink(tmp);
		goto out;
	}
	rc = 0;
out:
	free(tmp);
	buf_free(&b);
	return rc;
}

/* ---- the daemon module: the [calendar] feed file ------------------------- */

/*
 * Changes come from this process (replies read by ingest) and from the
 * CLI (book, reschedule, cancel): every FEED_POLL_MS a fingerprint of
 * what the feed shows is computed and the file rewritten when it moved
 * (or after a reload, or when the last write failed).
 */
#define FEED_POLL_MS	2000

static struct {
	struct daemon_ctx	*ctx;
	struct ev_timer		 timer;
	int			 running;
	int			 valid;		/* last holds a written state */
	int			 failing;	/* the last write failed */
	uint64_t		 last;
} feedmod;

/* FNV-1a over every field the feed shows; 0 and -1 on a database error. */
static int
feed_fingerprint(struct db *db, uint64_t *out)
{
	sqlite3_stmt *st;
	uint64_t h = 1469598103934665603ULL;
	const unsigned char *t;
	int rc, c, nc;

	if ((st = db_stmt(db, "SELECT m.id, m.uid, m.sequence, m.status, "
	    "m.start_utc, m.duration, m.title, m.link, (SELECT "
	    "group_concat(a.email || '=' || a.partstat || '=' || "
	    "coalesce(a.name, ''), ',') FROM attendees a WHERE a.meeting = "
	    "m.id) FROM meetings m ORDER BY m.id")) == NULL)
		return -1;
	while ((rc = db_step(st)) == 1) {
		nc = sqlite3_column_count(st);
		for (c = 0; c < nc; c++) {
			t = sqlite3_column_text(st, c);
			for (; t != NULL && *t != '\0'; t++) {
				h ^= *t;
				h *= 1099511628211ULL;
			}
			h ^= 0x1f;	/* field separator */
			h *= 1099511628211ULL;
		}
	}
	if (rc == -1)
		return -1;
	*out = h;
	return 0;
}

static void
feed_tick(struct ev_timer *t, void *arg)
{
	struct daemon_ctx *ctx = feedmod.ctx;
	struct meeting_env env = { ctx->db, ctx->conf, NULL, NULL };
	const char *path = ctx->conf->calendar_feed;
	uint64_t h;
	char *err = NULL;

	(void)t;
	(void)arg;
	if (path == NULL || *path == '\0')
		return;
	if (feed_fingerprint(ctx->db, &h) == -1) {
		log_warnx("calendar feed: database: %s", db_errmsg(ctx->db));
		return;
	}
	if (feedmod.valid && h == feedmod.last)
		return;
	if (meeting_feed_write(&env, path, &err) == -1) {
		/* Said once until it works again; retried each tick. */
		if (!feedmod.failing)
			log_warnx("calendar feed %s: %s", path, err);
		free(err);
		feedmod.failing = 1;
		feedmod.valid = 0;
		return;
	}
	log_debug("calendar feed %s written", path);
	feedmod.failing = 0;
	feedmod.valid = 1;
	feedmod.last = h;
}

static int
feed_init(struct daemon_ctx *ctx)
{
	feedmod.ctx = ctx;
	feedmod.valid = 0;
	feedmod.failing = 0;
	ev_timer_init(&feedmod.timer, ctx->loop, feed_tick, NULL);
	ev_timer_start(&feedmod.timer, 0, FEED_POLL_MS);
	feedmod.running = 1;
	return 0;
}

static void
feed_reload(struct daemon_ctx *ctx, const struct config *old)
{
	(void)ctx;
	(void)old;
	feedmod.valid = 0;	/* the path, team name or language may differ */
	if (feedmod.running)
		ev_timer_start(&feedmod.timer, 0, FEED_POLL_MS);
}

static void
feed_shutdown(struct daemon_ctx *ctx)
{
	(void)ctx;
	if (!feedmod.running)
		return;
	ev_timer_stop(&feedmod.timer);
	feedmod.running = 0;
}

const struct daemon_module meeting_feed_module = {
	"calendar-feed", feed_init, feed_reload, feed_shutdown,
};
