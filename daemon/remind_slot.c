/*
 * remind_slot: when a reminder may reach a person — their working week
 * (hours by contact or country), the holidays of [schedule] (loaded once
 * per directory) and the next sensible instant at [remind] send_hour.
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
/* ---- working days and the sending hour ------------------------------------ */

static struct holidays *ua_set, *us_set;
static char *holidays_loaded_from;

static char *
holidays_dir(const struct remind_env *env)
{
	if (env->holidays_dir != NULL)
		return xstrdup(env->holidays_dir);
	return data_dir(env->conf->holidays_dir, DATADIR "/mistok/holidays",
	    "contrib/holidays");
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

int
remind_workweek(const struct remind_env *env, const char *zone,
    const char *hours, const char *country, struct workweek *w)
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
time_t
remind_next_slot(const struct workweek *w, time_t t, int hour)
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

	if (remind_workweek(env, zone, hours, country, &w) == -1)
		return -1;
	return remind_next_slot(&w, t, env->conf->remind_send_hour);
}

time_t
remind_slot_of(const struct remind_env *env, const struct person *p,
    time_t t)
{
	time_t s = remind_send_slot(env, p->zone, p->hours, p->country, t);

	return s == -1 ? t : s;
}

/* The start of local day days in zone (midnight, or after a gap). */
time_t
remind_day_start(const struct tz *z, int64_t days)
{
	return tz_utc(z, tz_date_from_days(days), 0, 0, 0, 0, NULL);
}
