/*
 * remind_digest: the weekly digest rule of a tick, and the digest on
 * demand for cmdexec and the CLI (remind_digest_for(), _render()).
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
	r = remind_queue_mail(env, key, "digest", p, d, 0, REMIND_OWN_DIGEST, 0,
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

	if (remind_workweek(t->env, p->zone, p->hours, p->country, &w) == -1)
		return;
	tz_local(w.zone, t->now, &l);
	d = l.days - ((l.wday - conf->remind_digest_day + 7) % 7);
	for (wk = 0; wk < 2; wk++, d -= 7) {
		due = remind_next_slot(&w, remind_day_start(w.zone, d),
		    conf->remind_digest_hour);
		if (due <= t->now)
			break;
	}
	if (wk == 2)
		return;
	dd = tz_date_from_days(d);
	snprintf(key, sizeof(key), "digest:%s:%04d-%02d-%02d", p->email,
	    dd.year, dd.month, dd.day);
	if (!remind_in_window(t, due) ||
	    remind_ledger_has(t->env->db, key) != 0) {
		remind_offer(t, key, due, NULL, p, NULL, 0, NULL, 0, NULL);
		return;
	}
	r = queue_digest(t->env, p, key, t->now, &err);
	if (r == 1) {
		t->stats->queued++;
		remind_collect(t, key, p->email, due);
	} else if (r == -1) {
		log_warnx("remind %s: %s", key, err ? err : "failed");
		t->stats->errors++;
	}
	free(err);
}

int
remind_rule_digests(struct tick *t)
{
	const struct config *conf = t->env->conf;
	struct dir_partnership_brief *v;
	size_t n, i, j, first;
	int64_t *seen = NULL;
	size_t nseen = 0;

	first = t->people.n;
	for (i = 0; conf->coordinators != NULL && conf->coordinators[i]; i++)
		remind_people_get(t->env, &t->people, 0, conf->coordinators[i]);
	if (directory_partnership_briefs(t->env->db, &v, &n) == -1)
		return -1;
	for (i = 0; i < n; i++)
		if (v[i].coordinator != 0)
			remind_people_get(t->env, &t->people,
			    v[i].coordinator, NULL);
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
	remind_person_load(env, 0, coordinator, &p);
	key = xasprintf("digest-now:%s:%lld", p.email, (long long)now);
	r = queue_digest(env, &p, key, now, err);
	free(key);
	remind_person_free(&p);
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
	if ((set = remind_templates(env, err)) == NULL)
		return -1;
	remind_person_load(env, 0, coordinator, &p);
	if ((d = digest_data(env->db, env->conf, p.email, p.name, p.zone,
	    p.lang, now, err)) != NULL) {
		r = mailtmpl_render(set, "digest", p.lang,
		    env->conf->team_language, d, out, err);
		json_free(d);
	}
	remind_person_free(&p);
	return r;
}
