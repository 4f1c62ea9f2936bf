/*
 * meeting_int: what the meeting files (meeting.c, meeting_mail.c,
 * meeting_propose.c, meeting_reply.c, meeting_feed.c) share and nobody
 * else calls — row writers, people's busy time, and the mail helpers.
 * Internal to the meeting module: callers outside it use meeting.h only;
 * it never declares a new entry point for them.
 */
#ifndef MISTOK_MEETING_INT_H
#define MISTOK_MEETING_INT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "meeting.h"

struct json;
struct slot_busy;

/* ---- meeting.c: rows ---- */

/* Busy time of email: mistok's scheduled meetings in [from, to). */
int meeting_busy_of(struct db *, const char *email, time_t from, time_t to,
    struct slot_busy **out, size_t *n);
/* The partnership id of slug (0 for NULL), or -1 with *err. */
int64_t meeting_partnership_of(struct db *, const char *slug, char **err);
/* "mistok-RANDOM@team_domain" into out. */
void meeting_random_uid(const struct config *, char *out, size_t len);
/* "TEAM: UA-ORG – US-ORG" of partnership pid; caller frees. */
char *meeting_default_title(struct db *, int64_t pid, const char *team);
/* A meetings row (sequence 0); 0 and *id, or -1. */
int meeting_insert(struct db *, const char *uid, int64_t partnership,
    const char *title, time_t start, int seconds, const char *status,
    const char *link, int64_t *id);
/* An attendees row (NEEDS-ACTION) for each of p[0..n). 0 or -1. */
int meeting_insert_people(struct db *, int64_t meeting,
    const struct meeting_person *p, size_t n);

/* ---- meeting_mail.c: mail helpers ---- */

/* The person to tell: the partnership's coordinator, else the config's. */
struct meeting_coord {
	char	*name;
	char	*email;
	char	*lang;
};
/* Fills *c (release with meeting_coord_free()). */
void meeting_coordinator(const struct meeting_env *, int64_t partnership,
    struct meeting_coord *c);
void meeting_coord_free(struct meeting_coord *);

/* ISO 8601 UTC of t; caller frees. */
char *meeting_utc_str(time_t t);
/* [{name, email, zone, local}] of the attendees for [start, end). */
struct json *meeting_times_json(const struct meeting_att *, size_t natt,
    time_t start, time_t end, const char *lang);
/* {team: {name, address}, coordinator: {name, email}}; caller frees. */
struct json *meeting_common_json(const struct config *,
    const char *coord_name, const char *coord_email);
/* The DESCRIPTION text of m in lang; caller frees. */
char *meeting_description(const struct meeting *, const char *lang);
/*
 * Renders tmpl for lang with data and queues it to (name, email), with
 * an iCalendar part (method) when ics is not NULL, under dedupe key key.
 * Records the own id (own_kind NULL: none). 0, or -1 with *err.
 */
int meeting_send_mail(const struct meeting_env *, const char *tmpl,
    const char *lang, const struct json *data, const char *name,
    const char *email, const char *ics, const char *method, const char *key,
    int64_t partnership, const char *own_kind, int64_t own_object,
    char **err);

#endif
