/*
 * remind: the tick, the ledger and the daemon module. The rules are in
 * remind_rules.c and remind_digest.c, the sending hour in remind_slot.c.
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

#include "remind_int.h"
#define KV_LAST_TICK	"remind.last_tick"

/* tz_get() without the error text: NULL on a bad zone. */
const struct tz *
remind_zone_get(const char *name)
{
	const struct tz *z;
	char *err = NULL;

	z = tz_get(name, &err);
	free(err);
	return z;
}

/* ---- people -------------------------------------------------------------- */

void
remind_person_free(struct person *p)
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
void
remind_person_load(const struct remind_env *env, int64_t id,
    const char *email, struct person *p)
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

const struct person *
remind_people_get(const struct remind_env *env, struct people *c,
    int64_t id, const char *email)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (id != 0 ? c->v[i].contact == id :
		    c->v[i].contact == 0 && strcmp(c->v[i].email, email) == 0)
			return &c->v[i];
	c->v = xreallocarray(c->v, c->n + 1, sizeof(*c->v));
	remind_person_load(env, id, email, &c->v[c->n]);
	return &c->v[c->n++];
}

static void
people_free(struct people *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		remind_person_free(&c->v[i]);
	free(c->v);
	memset(c, 0, sizeof(*c));
}

/* ---- templates ------------------------------------------------------------ */

static struct tmpl_set *own_tmpl;

const struct tmpl_set *
remind_templates(const struct remind_env *env, char **err)
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

int
remind_ledger_has(struct db *db, const char *key)
{
	int64_t one;

	return db_int(db, &one, "SELECT 1 FROM reminders WHERE key = ?", "t",
	    key);
}

void
remind_collect(struct tick *t, const char *key, const char *rcpt,
    time_t due)
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

struct json *
remind_base_data(const struct config *conf, const struct person *to)
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

void
remind_parent_free(struct parent *p)
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
int
remind_queue_mail(const struct remind_env *env, const char *key,
    const char *tmpl, const struct person *to, const struct json *data,
    int64_t partnership, const char *own_kind, int64_t own_object,
    const struct parent *parent, time_t now, char **err)
{
	const struct tmpl_set *set;
	struct mailtmpl_mail mm;
	struct compose *c;
	struct buf raw;
	int64_t oid;
	int rc = -1;

	if ((set = remind_templates(env, err)) == NULL)
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
void
remind_offer(struct tick *t, const char *key, time_t due, const char *tmpl,
    const struct person *to, struct json *data, int64_t partnership,
    const char *own_kind, int64_t own_object, const struct parent *parent)
{
	char *err = NULL;
	int r;

	if (due > t->now || due <= t->since) {
		if (due <= t->oldest && due > t->last &&
		    remind_ledger_has(t->env->db, key) == 0)
			t->stats->skipped_old++;
		json_free(data);
		return;
	}
	r = remind_ledger_has(t->env->db, key);
	if (r == 0)
		r = remind_queue_mail(t->env, key, tmpl, to, data, partnership,
		    own_kind, own_object, parent, t->now, &err);
	else if (r == 1)
		r = 0;
	json_free(data);
	if (r == 1) {
		t->stats->queued++;
		remind_collect(t, key, to->email, due);
	} else if (r == -1) {
		log_warnx("remind %s: %s", key, err ? err : "database error");
		t->stats->errors++;
	}
	free(err);
}

/* Whether due lies in the window (or was skipped as too old). */
int
remind_in_window(const struct tick *t, time_t due)
{
	return due <= t->now && due > t->since;
}

/* ---- partnership details for the templates --------------------------------- */

struct json *
remind_partnership_json(const struct remind_env *env, int64_t id)
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

char *
remind_fmt_day(const struct person *p, time_t t)
{
	const struct tz *z = remind_zone_get(p->zone);
	struct tz_date d;

	if (z == NULL)
		z = remind_zone_get("UTC");
	d = dates_today(z, t);
	return dates_format(d, NULL, p->lang);
}

char *
remind_fmt_when(const struct person *p, time_t t)
{
	const struct tz *z = remind_zone_get(p->zone);
	struct tz_local l;
	char *day, *s;

	if (z == NULL)
		z = remind_zone_get("UTC");
	day = remind_fmt_day(p, t);
	tz_local(z, t, &l);
	s = xasprintf("%s, %02d:%02d %s", day, l.hour, l.min, l.abbr);
	free(day);
	return s;
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

	if (remind_rule_steps(&t, err) == -1)
		rc = -1;
	if (rc == 0 && remind_rule_partnerships(&t) == -1)
		rc = -1;
	if (rc == 0 && remind_rule_outcomes(&t) == -1)
		rc = -1;
	if (rc == 0 && meeting_due_reminders(env->db, now,
	    remind_meeting_reminder_cb, &t) == -1)
		rc = -1;
	if (rc == 0 && remind_rule_digests(&t) == -1)
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
