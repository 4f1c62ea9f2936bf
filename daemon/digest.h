/*
 * digest: what a coordinator's digest says — per partnership its stage,
 * the last mail each way, open and overdue steps and the next meeting,
 * then the mail still to triage — as the data of the "digest" template
 * (HTML with inline styles and tables, plus text). It owns no table and
 * reads through the owning modules; it never queues or sends mail
 * (remind.c does) and never prints.
 */
#ifndef MISTOK_DIGEST_H
#define MISTOK_DIGEST_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct config;
struct db;
struct json;

/* At most this many unassigned messages and steps per partnership. */
#define DIGEST_MAX_UNASSIGNED	20
#define DIGEST_MAX_STEPS	10

/*
 * The partnerships a coordinator's digest covers: those whose coordinator
 * has the address email, and those without a coordinator when email is
 * one of the config's [team] coordinators. Closed ones are left out.
 * Returns 0 and *ids (caller frees; NULL when *n is 0) or -1.
 */
int digest_partnerships(struct db *, const struct config *,
    const char *email, int64_t **ids, size_t *n);

/*
 * The template data of the digest for coordinator email at now, dates in
 * zone (IANA; NULL: the team's) and lang ("uk" or "en"): team,
 * coordinator { name "", email } (the team signs), recipient { name,
 * email } and digest { date, zone, partnerships [ {
 * slug, tag, ua_org, us_org, stage, last_in, last_out, nopen, noverdue,
 * steps [ { text, due, overdue, owner } ], has_steps, more_steps,
 * meeting { title, when }, has_meeting } ], has_partnerships,
 * npartnerships, noverdue, unassigned [ { date, from, subject } ],
 * has_unassigned, nunassigned, more_unassigned }. Returns the object
 * (json_free() it), or NULL with *err (caller frees).
 */
struct json *digest_data(struct db *, const struct config *,
    const char *email, const char *name, const char *zone, const char *lang,
    time_t now, char **err);

#endif
