/*
 * digest: a coordinator's digest as template data. Reading only, and
 * only through the owning modules' queries (the last mail each way from
 * store.h, partnerships from directory.h, steps, meetings, timeline).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "dates.h"
#include "digest.h"
#include "directory.h"
#include "json.h"
#include "log.h"
#include "meeting.h"
#include "steps.h"
#include "store.h"
#include "timeline.h"
#include "tz.h"
#include "util.h"

static int
is_conf_coordinator(const struct config *conf, const char *email)
{
	size_t i;

	for (i = 0; conf->coordinators != NULL && conf->coordinators[i]; i++)
		if (strcasecmp(conf->coordinators[i], email) == 0)
			return 1;
	return 0;
}

int
digest_partnerships(struct db *db, const struct config *conf,
    const char *email, int64_t **ids, size_t *n)
{
	struct dir_partnership *p;
	size_t np, i;
	int mine;

	*ids = NULL;
	*n = 0;
	if (directory_partnership_list(db, &p, &np) == -1)
		return -1;
	for (i = 0; i < np; i++) {
		if (strcmp(p[i].stage, "closed") == 0)
			continue;
		if (p[i].coordinator_email != NULL)
			mine = strcasecmp(p[i].coordinator_email, email) == 0;
		else
			mine = is_conf_coordinator(conf, email);
		if (!mine)
			continue;
		*ids = xreallocarray(*ids, *n + 1, sizeof(**ids));
		(*ids)[(*n)++] = p[i].id;
	}
	dir_partnership_list_free(p, np);
	return 0;
}

/* "Fri 5 Dec 2026, 14:05" in zone and lang; caller frees. */
static char *
local_when(const struct tz *z, time_t t, const struct tz_date *today,
    const char *lang, int with_time)
{
	struct tz_local l;
	struct tz_date d;
	char *day, *s;

	tz_local(z, t, &l);
	d.year = l.year;
	d.month = l.month;
	d.day = l.day;
	day = dates_format(d, today, lang);
	if (!with_time)
		return day;
	s = xasprintf("%s, %02d:%02d", day, l.hour, l.min);
	free(day);
	return s;
}

struct step_acc {
	struct json	*steps;
	const char	*lang;
	const struct tz	*zone;
	struct tz_date	 today;
	time_t		 now;
	int		 nopen, noverdue;
};

static int
step_cb(const struct step *s, void *arg)
{
	struct step_acc *a = arg;
	struct json *o;
	char *due;
	int overdue = s->has_due && a->now >= s->due_at;

	a->nopen++;
	if (overdue)
		a->noverdue++;
	if (a->nopen > DIGEST_MAX_STEPS)
		return 0;
	o = json_append(a->steps, json_object());
	json_set_int(o, "id", s->id);
	json_set_string(o, "text", s->text);
	due = s->has_due ? dates_format(s->due, &a->today, a->lang) : NULL;
	json_set_string(o, "due", due ? due : "");
	free(due);
	json_set(o, "overdue", json_bool(overdue));
	json_set_string(o, "owner", s->owner_name ? s->owner_name :
	    s->owner_email ? s->owner_email : "");
	return 0;
}

/* One partnership's entry; NULL when it vanished. */
static struct json *
partnership_json(struct db *db, const struct config *conf, int64_t id,
    const struct tz *z, const struct tz_date *today, const char *lang,
    time_t now, int *noverdue, char **err)
{
	struct dir_partnership p;
	struct steps_filter f;
	struct step_acc acc;
	struct meeting *m;
	struct json *o, *mo;
	size_t nm, i;
	time_t date;
	char *s;
	int r;

	if ((r = directory_partnership_by_id(db, id, &p)) != 1) {
		if (r == -1)
			*err = xstrdup("partnership: database error");
		return NULL;
	}
	o = json_object();
	json_set_string(o, "slug", p.slug);
	s = xasprintf("[%s #%lld]", conf->team_tag, (long long)p.id);
	json_set_string(o, "tag", s);
	free(s);
	json_set_string(o, "ua_org", p.ua_org_name ? p.ua_org_name : "");
	json_set_string(o, "us_org", p.us_org_name ? p.us_org_name : "");
	json_set_string(o, "stage", p.stage);
	if (store_last_mail(db, id, "in", NULL, &date, NULL) == 1) {
		s = local_when(z, date, today, lang, 0);
		json_set_string(o, "last_in", s);
		free(s);
	} else
		json_set_string(o, "last_in", "");
	if (store_last_mail(db, id, "out", NULL, &date, NULL) == 1) {
		s = local_when(z, date, today, lang, 0);
		json_set_string(o, "last_out", s);
		free(s);
	} else
		json_set_string(o, "last_out", "");

	memset(&acc, 0, sizeof(acc));
	acc.steps = json_array();
	acc.lang = lang;
	acc.zone = z;
	acc.today = *today;
	acc.now = now;
	memset(&f, 0, sizeof(f));
	f.partnership = id;
	f.status = STEP_OPEN;
	if (steps_list(db, &f, step_cb, &acc, err) != 0) {
		json_free(acc.steps);
		json_free(o);
		dir_partnership_free(&p);
		return NULL;
	}
	json_set(o, "steps", acc.steps);
	json_set(o, "has_steps", json_bool(acc.nopen > 0));
	json_set_int(o, "nopen", acc.nopen);
	json_set_int(o, "noverdue", acc.noverdue);
	json_set_int(o, "more_steps", acc.nopen > DIGEST_MAX_STEPS ?
	    acc.nopen - DIGEST_MAX_STEPS : 0);
	json_set(o, "has_more_steps", json_bool(acc.nopen > DIGEST_MAX_STEPS));
	*noverdue += acc.noverdue;

	json_set(o, "has_meeting", json_bool(0));
	mo = json_set(o, "meeting", json_object());
	json_set_string(mo, "title", "");
	json_set_string(mo, "when", "");
	if (meeting_list(db, id, &m, &nm) == 0) {
		for (i = 0; i < nm; i++) {
			if (strcmp(m[i].status, "scheduled") != 0 ||
			    m[i].start <= now)
				continue;
			json_set_string(mo, "title", m[i].title ? m[i].title :
			    "");
			s = local_when(z, m[i].start, today, lang, 1);
			json_set_string(mo, "when", s);
			free(s);
			json_set(o, "has_meeting", json_bool(1));
			break;
		}
		meeting_list_free(m, nm);
	}
	dir_partnership_free(&p);
	return o;
}

struct json *
digest_data(struct db *db, const struct config *conf, const char *email,
    const char *name, const char *zone, const char *lang, time_t now,
    char **err)
{
	struct json *d, *o, *dg, *list, *un;
	struct tl_message *msgs = NULL;
	const struct tz *z;
	struct tz_date today;
	int64_t *ids = NULL;
	size_t n, i, nmsgs = 0;
	char *s;
	int noverdue = 0;

	*err = NULL;
	if (lang == NULL || (strcmp(lang, "uk") != 0 && strcmp(lang, "en")))
		lang = conf->team_language;
	if ((z = tz_get(zone ? zone : conf->team_timezone, err)) == NULL)
		return NULL;
	today = dates_today(z, now);
	if (digest_partnerships(db, conf, email, &ids, &n) == -1) {
		*err = xstrdup("digest: database error");
		return NULL;
	}
	d = json_object();
	o = json_set(d, "team", json_object());
	json_set_string(o, "name", conf->team_name);
	json_set_string(o, "address", conf->team_address);
	/* Signed by the team; the coordinator is the recipient. */
	o = json_set(d, "coordinator", json_object());
	json_set_string(o, "name", "");
	json_set_string(o, "email", conf->team_address);
	o = json_set(d, "recipient", json_object());
	json_set_string(o, "name", name ? name : "");
	json_set_string(o, "email", email);
	dg = json_set(d, "digest", json_object());
	s = dates_format(today, NULL, lang);
	json_set_string(dg, "date", s);
	free(s);
	json_set_string(dg, "zone", tz_name(z));
	list = json_set(dg, "partnerships", json_array());
	for (i = 0; i < n; i++) {
		o = partnership_json(db, conf, ids[i], z, &today, lang, now,
		    &noverdue, err);
		if (o == NULL && *err != NULL)
			goto fail;
		if (o != NULL)
			json_append(list, o);
	}
	json_set(dg, "has_partnerships", json_bool(list->len > 0));
	json_set_int(dg, "npartnerships", (int64_t)list->len);
	json_set_int(dg, "noverdue", noverdue);

	if (timeline_unassigned(db, &msgs, &nmsgs, err) == -1)
		goto fail;
	un = json_set(dg, "unassigned", json_array());
	for (i = 0; i < nmsgs && i < DIGEST_MAX_UNASSIGNED; i++) {
		o = json_append(un, json_object());
		json_set_int(o, "id", msgs[i].id);
		s = msgs[i].date ? local_when(z, msgs[i].date, &today, lang, 1)
		    : xstrdup("");
		json_set_string(o, "date", s);
		free(s);
		json_set_string(o, "from", msgs[i].from.email ?
		    msgs[i].from.email : "");
		json_set_string(o, "subject", msgs[i].subject ?
		    msgs[i].subject : "");
	}
	json_set(dg, "has_unassigned", json_bool(nmsgs > 0));
	json_set_int(dg, "nunassigned", (int64_t)nmsgs);
	json_set_int(dg, "more_unassigned", nmsgs > DIGEST_MAX_UNASSIGNED ?
	    (int64_t)(nmsgs - DIGEST_MAX_UNASSIGNED) : 0);
	json_set(dg, "has_more_unassigned",
	    json_bool(nmsgs > DIGEST_MAX_UNASSIGNED));
	tl_messages_free(msgs, nmsgs);
	free(ids);
	return d;
fail:
	if (*err == NULL)
		*err = xstrdup("digest: database error");
	tl_messages_free(msgs, nmsgs);
	free(ids);
	json_free(d);
	return NULL;
}
