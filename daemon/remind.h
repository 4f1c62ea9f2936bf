/*
 * remind: the scheduler — which reminder is due for whom and when (next
 * steps due soon, today and overdue; quiet partnerships; partners who
 * have not answered; a meeting's outcome; the meeting reminder; the
 * weekly digest), the reminders ledger (each key queued at most once, in
 * the same transaction as its outbox row), catch-up after downtime, and
 * the daemon module that ticks every minute. It reads the database and
 * writes the outbox; it never sends over the network and never prints.
 */
#ifndef MISTOK_REMIND_H
#define MISTOK_REMIND_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "daemon.h"

struct config;
struct db;
struct tmpl_set;

/*
 * Ledger keys (rule:object:occurrence[:role]); each is also the outbox
 * dedupe key of the one mail it stands for:
 *   step-soon:STEP:DUE-DATE:coord|owner   due in due_soon (or less)
 *   step-today:STEP:DUE-DATE:coord|owner  on the due day
 *   overdue:STEP:K                        K-th overdue reminder (coord)
 *   quiet:PARTNERSHIP:LAST-MAIL-ID        no mail either way (0: never)
 *   no-answer:PARTNERSHIP:LAST-OUT-ID     the partner has not answered
 *   outcome:MEETING                       ask for outcome and next steps
 *   reminder:UID:SEQ:EMAIL                meeting.h's 24-hour reminder
 *   digest:EMAIL:YYYY-MM-DD               weekly digest (local date)
 * and, queued by remind_send_followup(), followup:no-answer:P:ID.
 */
#define REMIND_KEY_MAX	320

/*
 * Own-id kinds of the mail it queues (compose_record_own_id(), object in
 * brackets), for cmdexec to tell a reply's meaning:
 *   "nudge"     (the unanswered message's id): "send" / "надіслати"
 *               → remind_send_followup(); "stop" → nudges stop
 *   "outcome"   (the meeting id): Next-Step: lines record steps with
 *               origin meeting
 *   "reminder"  (the step id) step reminders; "done" / "snooze"
 *   "quiet"     (the partnership id)
 *   "digest"    (0)
 */
#define REMIND_OWN_NUDGE	"nudge"
#define REMIND_OWN_OUTCOME	"outcome"
#define REMIND_OWN_STEP		"reminder"
#define REMIND_OWN_QUIET	"quiet"
#define REMIND_OWN_DIGEST	"digest"

/* What one tick found and queued (also what `mistok remind` prints). */
struct remind_item {
	char	*key;
	char	*rcpt;		/* the recipient's address */
	time_t	 due;		/* the instant it became due */
};

struct remind_stats {
	size_t			 queued;	/* new outbox rows */
	size_t			 skipped_old;	/* older than max_catch_up_age */
	size_t			 errors;	/* items that failed (logged) */
	struct remind_item	*items;		/* the queued ones, if asked */
	size_t			 nitems;
};
void remind_stats_free(struct remind_stats *);

/*
 * What a tick needs. tmpl NULL: the loaded set (mailtmpl_current()), else
 * loaded once from conf's [templates] dir. holidays_dir NULL: conf's (the
 * source tree's contrib/holidays when running uninstalled).
 */
struct remind_env {
	struct db		*db;
	const struct config	*conf;
	const struct tmpl_set	*tmpl;
	const char		*holidays_dir;
	int			 collect;	/* fill stats->items */
};

/*
 * One scheduler tick at now (UTC). For every rule the latest occurrence
 * whose due instant lies in (since, now] is queued unless its key is in
 * the ledger, where since is the previous complete tick (kv
 * "remind.last_tick") but never before now - max_catch_up_age: so after
 * downtime each missed reminder goes out once and older ones are skipped.
 * A due instant is the rule's base instant moved to the recipient's
 * sensible local hour: itself when it falls on their working day between
 * send_hour and the end of their working hours, else send_hour of their
 * next working day (their hours; holidays as [schedule] says).
 * Must run outside a transaction (each reminder commits its ledger row
 * and outbox row together). Returns 0 (stats filled; items that failed
 * are counted and logged, and the tick is then not recorded as complete
 * so they are tried again), or -1 with *err (caller frees).
 */
int remind_tick(const struct remind_env *, time_t now,
    struct remind_stats *stats, char **err);

/*
 * The sensible instant for a reminder based at t to reach a person of
 * zone (IANA), hours (config_parse_hours() text; NULL: by country) and
 * country ("UA", "US" or NULL), under conf's [remind] send_hour and
 * [schedule]. Exposed for tests and the CLI. -1 on a bad zone.
 */
time_t remind_send_slot(const struct remind_env *, const char *zone,
    const char *hours, const char *country, time_t t);

/*
 * For cmdexec's Digest command and `mistok digest`: renders the digest of
 * coordinator (an address) at now and queues it (dedupe key
 * "digest-now:EMAIL:NOW"; own id kind "digest"). Returns 1 queued, 0
 * already queued, -1 with *err (caller frees). Outside a transaction.
 */
int remind_digest_for(const struct remind_env *, const char *coordinator,
    time_t now, char **err);

/*
 * The digest of coordinator at now as it would be mailed (for `mistok
 * digest`): rendered in their language with dates in their zone into
 * *out (mailtmpl_mail_free() it). Returns 0, or -1 with *err.
 */
struct mailtmpl_mail;
int remind_digest_render(const struct remind_env *, const char *coordinator,
    time_t now, struct mailtmpl_mail *out, char **err);

/*
 * For cmdexec's "send" / "надіслати" reply to a no-answer nudge: own_id is
 * the nudge's Message-ID (without <>) the reply answers. Queues the ready
 * follow-up to the partner(s) the unanswered mail went to, in their
 * language, threaded under that mail (dedupe key
 * "followup:no-answer:P:ID", own id kind "followup"). Returns 1 queued,
 * 0 already queued before, or -1 with *err (caller frees): not a nudge,
 * the message is gone. Outside a transaction.
 */
int remind_send_followup(const struct remind_env *, const char *own_id,
    char **err);

/* The daemon module: a tick every minute (and at start). */
extern const struct daemon_module remind_module;

#endif
