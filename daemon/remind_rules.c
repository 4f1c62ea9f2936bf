/*
 * remind_rules: the per-rule functions of a tick — next steps (due soon,
 * today, overdue), quiet partnerships and unanswered mail (with the
 * follow-up remind_send_followup() queues), a meeting's outcome and the
 * 24-hour meeting reminder. Each offers its occurrences to the ledger.
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

#include "remind_int.h"
/* ---- rule: next steps ---------------------------------------------------- */

/* The coordinator of a partnership (coordinator contact id, 0: none). */
static const struct person *
coordinator_of(struct tick *t, int64_t contact)
{
	const char *first = t->env->conf->coordinators != NULL ?
	    t->env->conf->coordinators[0] : NULL;

	if (contact != 0)
		return remind_people_get(t->env, &t->people, contact, NULL);
	return remind_people_get(t->env, &t->people, 0, first ? first :
	    t->env->conf->team_address);
}

enum stage { ST_NONE, ST_SOON, ST_TODAY, ST_OVERDUE };

struct pick {
	enum stage	 stage;
	time_t		 due;
	int64_t		 k;		/* overdue repetition */
};

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

	if ((dz = remind_zone_get(s->due_zone ? s->due_zone : p->zone)) == NULL)
		return pk;
	dd = tz_days_from_date(s->due);
	if (with_overdue && t->now >= s->due_at) {
		k = (t->now - s->due_at) / conf->remind_overdue_repeat + 1;
		for (kk = k; kk >= 1 && kk >= k - 1; kk--) {
			base = s->due_at + (kk - 1) * conf->remind_overdue_repeat;
			sl = remind_slot_of(t->env, p, later(later(base,
			    s->snoozed_until), s->created));
			if (sl <= t->now) {
				pk.stage = ST_OVERDUE;
				pk.due = sl;
				pk.k = kk;
				return pk;
			}
		}
	}
	base = remind_day_start(dz, dd);
	if (base <= t->now) {
		sl = remind_slot_of(t->env, p,
		    later(later(base, s->snoozed_until), s->created));
		if (sl <= t->now && sl < s->due_at) {
			pk.stage = ST_TODAY;
			pk.due = sl;
			return pk;
		}
	}
	if (soon_days <= 0)
		return pk;
	base = remind_day_start(dz, dd - soon_days);
	if (base <= t->now) {
		sl = remind_slot_of(t->env, p,
		    later(later(base, s->snoozed_until), s->created));
		if (sl <= t->now && sl < remind_day_start(dz, dd)) {
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
	if (!remind_in_window(t, pk.due)) {
		remind_offer(t, key, pk.due, tmpl, p, NULL, 0, NULL, 0, NULL);
		return;
	}
	if (remind_ledger_has(t->env->db, key) != 0)
		return;
	/* The tick reads a few columns; the whole step only to write. */
	if (steps_get(t->env->db, s->id, &full, &err) != 1) {
		log_warnx("remind %s: %s", key, err ? err : "step vanished");
		free(err);
		t->stats->errors++;
		return;
	}
	d = remind_base_data(t->env->conf, p);
	json_set(d, "partnership", remind_partnership_json(t->env,
	    s->partnership));
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
	z = remind_zone_get(s->due_zone ? s->due_zone : p->zone);
	dd = tz_days_from_date(s->due);
	left = z != NULL ? dd - tz_days_from_date(dates_today(z, t->now)) : 0;
	json_set(o, "today", json_bool(left <= 0));
	json_set_int(o, "days_left", left > 0 ? left : 0);
	json_set_int(o, "days_over", left < 0 ? -left : 0);
	json_set_int(o, "repeat", pk.k);
	remind_offer(t, key, pk.due, tmpl, p, d, s->partnership,
	    REMIND_OWN_STEP, s->id, NULL);
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
	owner = remind_people_get(t->env, &t->people, s->owner.id, NULL);
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

/* What remind_rule_steps() hands steps_due_scan()'s callback. */
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
int
remind_rule_steps(struct tick *t, char **err)
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
	remind_person_free(&f->to);
	mailtmpl_mail_free(&f->mail);
	remind_parent_free(&f->parent);
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
	remind_person_load(env, 0, email, &f->to);
	free(email);

	d = remind_base_data(env->conf, &f->to);
	json_set(d, "partnership", remind_partnership_json(env, partnership));
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
	if ((set = remind_templates(env, err)) == NULL) {
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
	time_t due = remind_slot_of(t->env, coord, base);
	char key[REMIND_KEY_MAX], *x;
	struct json *d, *o;

	snprintf(key, sizeof(key), "quiet:%lld:%lld", (long long)p->id,
	    (long long)last);
	if (!remind_in_window(t, due) ||
	    remind_ledger_has(t->env->db, key) != 0) {
		remind_offer(t, key, due, NULL, coord, NULL, 0, NULL, 0, NULL);
		return;
	}
	d = remind_base_data(t->env->conf, coord);
	json_set(d, "partnership", remind_partnership_json(t->env, p->id));
	o = json_set(d, "quiet", json_object());
	json_set_int(o, "days", (t->now - (last ? last_date : p->since)) /
	    DAY);
	json_set(o, "has_last", json_bool(last != 0));
	x = last ? remind_fmt_day(coord, last_date) : xstrdup("");
	json_set_string(o, "last", x);
	free(x);
	remind_offer(t, key, due, "quiet_partnership", coord, d, p->id,
	    REMIND_OWN_QUIET, p->id, NULL);
}

static void
no_answer_offer(struct tick *t, const struct dir_partnership_brief *p,
    int64_t last, time_t last_date)
{
	const struct person *coord = coordinator_of(t, p->coordinator);
	time_t due = remind_slot_of(t->env, coord, last_date +
	    t->env->conf->remind_no_answer_after);
	char key[REMIND_KEY_MAX], *x, *err = NULL;
	struct followup f;
	struct json *d, *o;

	snprintf(key, sizeof(key), "no-answer:%lld:%lld", (long long)p->id,
	    (long long)last);
	if (!remind_in_window(t, due) ||
	    remind_ledger_has(t->env->db, key) != 0) {
		remind_offer(t, key, due, NULL, coord, NULL, 0, NULL, 0, NULL);
		return;
	}
	if (followup_build(t->env, p->id, last, &f, &err) == -1) {
		log_warnx("remind %s: the follow-up: %s", key, err);
		free(err);
		followup_free(&f);
		t->stats->errors++;
		return;
	}
	d = remind_base_data(t->env->conf, coord);
	json_set(d, "partnership", remind_partnership_json(t->env, p->id));
	o = json_set(d, "unanswered", json_object());
	json_set_int(o, "days", (t->now - last_date) / DAY);
	x = remind_fmt_day(coord, last_date);
	json_set_string(o, "date", x);
	free(x);
	json_set_string(o, "to", f.to.email);
	json_set_string(o, "to_name", f.to.name ? f.to.name : f.to.email);
	o = json_set(d, "followup", json_object());
	json_set_string(o, "subject", f.mail.subject);
	json_set_string(o, "text", f.mail.text);
	json_set_string(o, "lang", f.mail.lang);
	remind_offer(t, key, due, "no_answer", coord, d, p->id,
	    REMIND_OWN_NUDGE, last, NULL);
	followup_free(&f);
}

int
remind_rule_partnerships(struct tick *t)
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

int
remind_rule_outcomes(struct tick *t)
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
		due = remind_slot_of(t->env, coord, end);
		snprintf(key, sizeof(key), "outcome:%lld", (long long)m[i].id);
		if (!remind_in_window(t, due) ||
		    remind_ledger_has(t->env->db, key) != 0) {
			remind_offer(t, key, due, NULL, coord, NULL, 0, NULL,
			    0, NULL);
			continue;
		}
		d = remind_base_data(t->env->conf, coord);
		json_set(d, "partnership", remind_partnership_json(t->env,
		    m[i].partnership));
		o = json_set(d, "meeting", json_object());
		json_set_int(o, "id", m[i].id);
		json_set_string(o, "title", m[i].title ? m[i].title : "");
		x = remind_fmt_when(coord, m[i].start);
		json_set_string(o, "when", x);
		free(x);
		remind_offer(t, key, due, "meeting_outcome", coord, d,
		    m[i].partnership, REMIND_OWN_OUTCOME, m[i].id, NULL);
	}
	meeting_list_free(m, n);
	return 0;
}

int
remind_meeting_reminder_cb(void *arg, const struct meeting *m,
    const struct meeting_att *a)
{
	struct tick *t = arg;
	const struct person *to;
	struct json *d, *o, *times, *x;
	char key[REMIND_KEY_MAX], iso[ISO8601_LEN], *s;
	struct person tp;
	size_t i;

	snprintf(key, sizeof(key), "reminder:%s:%d:%s", m->uid, m->sequence,
	    a->email);
	if (remind_ledger_has(t->env->db, key) != 0)
		return 0;
	to = remind_people_get(t->env, &t->people, 0, a->email);
	d = remind_base_data(t->env->conf, to);
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
	s = remind_fmt_when(&tp, m->start);
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
		s = remind_fmt_when(&tp, m->start);
		json_set_string(x, "local", s);
		free(s);
	}
	/* Time-bound: it goes out on the first tick of the last 24 hours. */
	remind_offer(t, key, t->now, "meeting_reminder", to, d, m->partnership,
	    "meeting-reminder", m->id, NULL);
	return 0;
}

/* ---- for cmdexec and the CLI ---------------------------------------------- */

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
	if (remind_ledger_has(env->db, key) == 1) {
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

