/*
 * meeting: the meetings and attendees tables — rows, readers, the status
 * shown, each person's busy time — and who a meeting is with (people,
 * their zones, hours and languages). The mail side is meeting_mail.c and
 * meeting_propose.c, replies meeting_reply.c, the feed meeting_feed.c.
 *
 * A proposal is a meetings row with status 'proposed' (its UID is kept
 * when it is booked) plus its rows in meeting_slots (n from 1, best
 * first). The last DTSTAMP applied to an attendee is attendees.dtstamp.
 * Every mail goes through the outbox with a dedupe key, so a second run
 * sends nothing twice.
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
#include "meeting_int.h"

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
int
meeting_busy_of(struct db *db, const char *email, time_t from, time_t to,
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

int64_t
meeting_partnership_of(struct db *db, const char *slug, char **err)
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

void
meeting_random_uid(const struct config *conf, char *out, size_t len)
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

char *
meeting_default_title(struct db *db, int64_t pid, const char *team)
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

/* ---- writing rows -------------------------------------------------------- */

int
meeting_insert(struct db *db, const char *uid, int64_t partnership,
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

int
meeting_insert_people(struct db *db, int64_t meeting,
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
meeting_withdraw(struct db *db, int64_t proposal, char **err)
{
	struct meeting m;
	int rc;

	*err = NULL;
	if (db_exec(db, "UPDATE meetings SET status = 'cancelled' WHERE "
	    "id = ? AND status = 'proposed'", "I", proposal) == -1) {
		*err = xstrdup("database error");
		return -1;
	}
	if (db_changes(db) == 1)
		return 1;
	if ((rc = meeting_get(db, proposal, &m)) == -1) {
		*err = xstrdup("database error");
		return -1;
	}
	if (rc == 0) {
		*err = xasprintf("no meeting %lld", (long long)proposal);
		return 0;
	}
	*err = xasprintf("meeting %lld is %s, not a proposal",
	    (long long)proposal, meeting_status(&m, clock_now()));
	meeting_free(&m);
	return 0;
}

/* ---- reminders ----------------------------------------------------------- */

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
