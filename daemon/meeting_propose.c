/*
 * meeting_propose: the slot search for a partnership's people (their
 * hours, holidays and mistok's scheduled meetings as busy time) and the
 * proposal it keeps (status 'proposed' plus meeting_slots) and mails to
 * the coordinator.
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
static char *
holidays_dir(const struct meeting_env *env)
{
	if (env->holidays_dir != NULL)
		return xstrdup(env->holidays_dir);
	return data_dir(env->conf->holidays_dir, DATADIR "/mistok/holidays",
	    "contrib/holidays");
}

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
	struct meeting_coord co;
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
	if ((pid = meeting_partnership_of(env->db, slug, err)) == -1)
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
		if (meeting_busy_of(env->db, out->people[i].email, wfrom, wto,
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
	meeting_random_uid(env->conf, uid, sizeof(uid));
	title = meeting_default_title(env->db, pid, env->conf->team_name);
	r2 = meeting_insert(env->db, uid, pid, title, out->res.slot[0].start,
	    duration * 60, "proposed", NULL, &out->id);
	free(title);
	if (r2 == -1 ||
	    meeting_insert_people(env->db, out->id, out->people,
	    out->npeople) == -1)
		goto dberr;
	for (i = 0; i < (size_t)out->res.n; i++)
		if (db_exec(env->db, "INSERT INTO meeting_slots (meeting, n, "
		    "start_utc, end_utc, relaxed, dst_mismatch) VALUES (?, ?, "
		    "?, ?, ?, ?)", "IiIIii", out->id, (int)i + 1,
		    (int64_t)out->res.slot[i].start,
		    (int64_t)out->res.slot[i].end, out->res.slot[i].relaxed != 0,
		    out->res.slot[i].dst_mismatch != 0) == -1)
			goto dberr;

	meeting_coordinator(env, pid, &co);
	att = xcalloc(out->npeople, sizeof(*att));
	for (i = 0; i < out->npeople; i++) {
		att[i].email = out->people[i].email;
		att[i].name = out->people[i].name;
		att[i].zone = out->people[i].zone;
	}
	d = meeting_common_json(env->conf, co.name, co.email);
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
		s = meeting_utc_str(sl1->start);
		json_set_string(o, "utc", s);
		free(s);
		json_set(o, "relaxed", json_bool(sl1->relaxed));
		json_set(o, "dst_mismatch", json_bool(sl1->dst_mismatch));
		json_set(o, "times", meeting_times_json(att, out->npeople,
		    sl1->start, sl1->end, co.lang));
	}
	key = xasprintf("proposal:%lld", (long long)out->id);
	j = meeting_send_mail(env, "proposal", co.lang, d, co.name, co.email,
	    NULL, NULL, key, pid, "proposal", out->id, err);
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
	meeting_coord_free(&co);
	for (i = 0; i < out->npeople && busy != NULL; i++)
		free(busy[i]);
	free(busy);
	free(nbusy);
	free(sa);
	holidays_free(us);
	holidays_free(ua);
	return rc;
}
