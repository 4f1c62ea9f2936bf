/*
 * meeting_mail: what meetings send — the helpers every meeting mail goes
 * through (templates, local times, the coordinator, meeting_send_mail()
 * into the outbox with a dedupe key) and the invitations: booking, booking a
 * proposal's slot, rescheduling and cancelling (iMIP per attendee).
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

char *
meeting_utc_str(time_t t)
{
	char iso[ISO8601_LEN];

	fmt_iso8601(t, iso);
	return xstrdup(iso);
}

/* [{name, email, zone, local}] of m's attendees for [start, end). */
struct json *
meeting_times_json(const struct meeting_att *att, size_t natt,
    time_t start, time_t end, const char *lang)
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

struct json *
meeting_common_json(const struct config *conf, const char *coord_name,
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

void
meeting_coord_free(struct meeting_coord *c)
{
	free(c->name);
	free(c->email);
	free(c->lang);
	memset(c, 0, sizeof(*c));
}

void
meeting_coordinator(const struct meeting_env *env, int64_t partnership,
    struct meeting_coord *c)
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
int
meeting_send_mail(const struct meeting_env *env, const char *tmpl,
    const char *lang, const struct json *data, const char *name,
    const char *email, const char *ics, const char *method, const char *key,
    int64_t partnership, const char *own_kind, int64_t own_object,
    char **err)
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

char *
meeting_description(const struct meeting *m, const char *lang)
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
	desc = meeting_description(m, lang);
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
	struct meeting_coord co;
	struct json *d, *o;
	const char *lang, *tmpl;
	char *ics, *key, *s;
	size_t i;
	int rc = -1;

	if (meeting_get(env->db, id, &m) != 1) {
		*err = xstrdup("meeting vanished");
		return -1;
	}
	meeting_coordinator(env, m.partnership, &co);
	tmpl = method == INVITE_CANCEL ? "meeting_cancel" : "invite";
	for (i = 0; i < m.natt; i++) {
		lang = lang_of(env->db, m.att[i].email,
		    env->conf->team_language);
		if ((ics = build_ics(env, &m, method, lang, err)) == NULL)
			goto out;
		d = meeting_common_json(env->conf, co.name, co.email);
		o = json_set(d, "recipient", json_object());
		json_set_string(o, "name", m.att[i].name ? m.att[i].name : "");
		json_set_string(o, "email", m.att[i].email);
		o = json_set(d, "meeting", json_object());
		json_set_string(o, "title", m.title);
		json_set_string(o, "uid", m.uid);
		json_set_string(o, "link", m.link ? m.link : "");
		json_set(o, "update", json_bool(update));
		s = meeting_utc_str(m.start);
		json_set_string(o, "utc", s);
		free(s);
		s = local_span(m.att[i].zone ? m.att[i].zone : "UTC", m.start,
		    m.start + m.duration, lang);
		json_set_string(o, "local", s);
		free(s);
		json_set(o, "times", meeting_times_json(m.att, m.natt, m.start,
		    m.start + m.duration, lang));
		key = xasprintf("%s:%s:%d:%s", method == INVITE_CANCEL ?
		    "cancel" : "invite", m.uid, m.sequence, m.att[i].email);
		rc = meeting_send_mail(env, tmpl, lang, d, m.att[i].name,
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
	meeting_coord_free(&co);
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
	if ((pid = meeting_partnership_of(env->db, slug, err)) == -1)
		return -1;
	if (meeting_people(env, pid, with, &pp, &np, err) == -1)
		return -1;
	t = title != NULL && *title != '\0' ? xstrdup(title) :
	    meeting_default_title(env->db, pid, env->conf->team_name);
	meeting_random_uid(env->conf, uid, sizeof(uid));
	if (db_begin(env->db) == -1) {
		*err = xstrdup("database busy");
		rc = -1;
		goto out;
	}
	rc = meeting_insert(env->db, uid, pid, t, start, duration * 60,
	    "scheduled", link != NULL && *link ? link : NULL, id) == -1 ||
	    meeting_insert_people(env->db, *id, pp, np) == -1 ? -1 : 0;
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
		key = meeting_default_title(env->db, m.partnership,
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
