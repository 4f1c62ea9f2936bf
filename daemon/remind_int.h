/*
 * remind_int: what the scheduler's files (remind.c, remind_rules.c,
 * remind_digest.c, remind_slot.c) share and nobody else calls — the
 * recipients, the tick and its ledger/queue, the sending-hour helpers.
 * Internal to remind: callers outside it use remind.h only; it never
 * declares a new entry point for them.
 */
#ifndef MISTOK_REMIND_INT_H
#define MISTOK_REMIND_INT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "config.h"
#include "remind.h"

struct holidays;
struct json;
struct meeting;
struct meeting_att;
struct tmpl_set;
struct tz;

#define DAY		86400

/* ---- remind.c: people ---- */

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
void remind_person_free(struct person *);
/* Fills p for contact id, or for email (id 0). Team defaults fill gaps. */
void remind_person_load(const struct remind_env *, int64_t id,
    const char *email, struct person *p);

/* A small cache of people by contact id (coordinators, owners). */
struct people {
	struct person	*v;
	size_t		 n;
};
/* The cached person of id (or email when id is 0); owned by c. */
const struct person *remind_people_get(const struct remind_env *,
    struct people *c, int64_t id, const char *email);

/* tz_get() without the error text: NULL on a bad zone. */
const struct tz *remind_zone_get(const char *name);
/* The template set (see struct remind_env); NULL with *err. */
const struct tmpl_set *remind_templates(const struct remind_env *,
    char **err);

/* ---- remind.c: the ledger and the queue ---- */

struct tick {
	const struct remind_env	*env;
	time_t			 now;
	time_t			 since;		/* window (since, now] */
	time_t			 oldest;	/* now - max_catch_up_age */
	time_t			 last;		/* the previous complete tick */
	struct remind_stats	*stats;
	struct people		 people;
};

/* The parent of a threaded mail: Message-ID, References, Thread-Index. */
struct parent {
	char	*msgid;
	char	**refs;
	char	*thread_index;
};
void remind_parent_free(struct parent *);

/* 1 key is in the ledger, 0 not, -1 database error. */
int remind_ledger_has(struct db *, const char *key);
/* Adds a queued item to t's stats when the env asks to collect. */
void remind_collect(struct tick *t, const char *key, const char *rcpt,
    time_t due);
/* {team, coordinator (the team), recipient}; caller frees. */
struct json *remind_base_data(const struct config *,
    const struct person *to);
/*
 * Renders tmpl for to with data and queues it under key with its ledger
 * row, in one transaction. Returns 1 queued, 0 known already, -1 (err).
 */
int remind_queue_mail(const struct remind_env *, const char *key,
    const char *tmpl, const struct person *to, const struct json *data,
    int64_t partnership, const char *own_kind, int64_t own_object,
    const struct parent *parent, time_t now, char **err);
/*
 * One candidate occurrence, due at due: queued when due is in the
 * window and key is not in the ledger. data is consumed.
 */
void remind_offer(struct tick *t, const char *key, time_t due,
    const char *tmpl, const struct person *to, struct json *data,
    int64_t partnership, const char *own_kind, int64_t own_object,
    const struct parent *parent);
/* Whether due lies in the window (or was skipped as too old). */
int remind_in_window(const struct tick *t, time_t due);

/* ---- remind.c: partnership details for the templates ---- */

/* The partnership's template data; caller frees. */
struct json *remind_partnership_json(const struct remind_env *, int64_t id);
/* A date / a date and time in p's zone and language; caller frees. */
char *remind_fmt_day(const struct person *p, time_t t);
char *remind_fmt_when(const struct person *p, time_t t);

/* ---- remind_slot.c: working days and the sending hour ---- */

struct workweek {
	struct hours		 hours;
	const struct holidays	*holidays;
	const struct tz		*zone;
};
/* Fills w for zone, hours and country; 0, or -1 on a bad zone. */
int remind_workweek(const struct remind_env *, const char *zone,
    const char *hours, const char *country, struct workweek *w);
/* The first sensible instant at or after t, hour as send_hour. */
time_t remind_next_slot(const struct workweek *w, time_t t, int hour);
/* remind_send_slot() for p. */
time_t remind_slot_of(const struct remind_env *, const struct person *p,
    time_t t);
/* The start of local day days in zone (midnight, or after a gap). */
time_t remind_day_start(const struct tz *z, int64_t days);

/* ---- the rules: remind_rules.c, remind_digest.c ---- */

/* Each offers the rule's due occurrences to t; 0, or -1 (with *err). */
int remind_rule_steps(struct tick *t, char **err);
int remind_rule_partnerships(struct tick *t);
int remind_rule_outcomes(struct tick *t);
int remind_rule_digests(struct tick *t);
/*
 * meeting_due_reminders()'s callback (arg: the struct tick): offers the
 * 24-hour reminder to one attendee. Always 0.
 */
int remind_meeting_reminder_cb(void *arg, const struct meeting *,
    const struct meeting_att *);

#endif
