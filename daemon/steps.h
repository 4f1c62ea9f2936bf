/*
 * steps: a partnership's next steps — the queries of the steps and
 * step_history tables and their events rows. It resolves who owns a step
 * (a contact, an organisation or a coordinator), keeps due dates as local
 * days, records every done and snooze with who and when, and lists steps
 * for the CLI, the digest and the reminder scheduler. It never sends
 * mail, never decides when to remind and never prints.
 */
#ifndef MISTOK_STEPS_H
#define MISTOK_STEPS_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "tz.h"

struct config;
struct db;

/* Return codes of the writers and resolvers. */
#define STEPS_ERR_DATA	-1	/* unknown step, owner, bad text…; *err */
#define STEPS_ERR_DB	-2	/* the database failed; *err */
#define STEPS_ALREADY	1	/* steps_done(): it was done already */

#define STEPS_TEXT_MAX	2000	/* bytes of a step's text */

/*
 * Who owns a step. A coordinator is a contact (id is the contact's) whose
 * address is a coordinator's (directory_is_coordinator()); reminders go
 * to a contact owner and to the partnership's coordinator, and an
 * organisation owner is reminded through the coordinator only.
 */
enum step_owner_kind {
	STEP_OWNER_NONE = 0,
	STEP_OWNER_CONTACT,
	STEP_OWNER_ORG,
	STEP_OWNER_COORDINATOR,
};

struct step_owner {
	enum step_owner_kind	 kind;
	int64_t			 id;	/* contacts.id or orgs.id */
};

enum step_status { STEP_OPEN = 0, STEP_DONE };
enum step_origin { STEP_ORIGIN_CLI = 0, STEP_ORIGIN_COMMAND,
	STEP_ORIGIN_MEETING };

/*
 * A due date is a local day, not an instant: "due Friday" means Friday on
 * the owner's calendar. It is kept as the day ("2026-12-05") and the IANA
 * zone it belongs to (the owner's effective zone when the step was added;
 * see steps_due_zone()), plus due_at, the UTC instant at which that day
 * ends in that zone (local midnight starting the next day). So
 *   overdue at now    ⇔ status open and now >= due_at (an SQL range);
 *   due today         ⇔ dates_today(due_zone, now) equals due;
 *   due in N days     ⇔ days(due) - days(dates_today(due_zone, now)) = N.
 * A step may have no due date (a Next-Step line without one).
 */
struct step_due {
	struct tz_date	 date;
	const char	*zone;		/* IANA; Europe/Kiev reads as Kyiv */
};

/*
 * A step as read back, with what a reminder needs joined in. Strings are
 * owned by the struct (NULL when unknown); step_free() releases them.
 */
struct step {
	int64_t			 id;
	int64_t			 partnership;
	char			*slug;
	char			*text;
	struct step_owner	 owner;
	char			*owner_name;	/* contact's or org's name */
	char			*owner_email;	/* a contact's primary address */
	char			*owner_zone;	/* effective (contact, else org) */
	char			*owner_language;
	int64_t			 coordinator;	/* the partnership's, 0: none */
	char			*coordinator_name;
	char			*coordinator_email;
	char			*coordinator_zone;
	char			*coordinator_language;
	int			 has_due;
	struct tz_date		 due;
	char			*due_zone;
	time_t			 due_at;	/* end of the due day, UTC */
	enum step_status	 status;
	enum step_origin	 origin;
	char			*actor;		/* who added it: address, "cli" */
	time_t			 created;
	time_t			 done_at;	/* 0: open */
	char			*done_by;
	time_t			 snoozed_until;	/* 0: never snoozed */
	int			 snoozes;	/* how often snoozed */
};

void step_free(struct step *);

/* "contact" "org" "coordinator" (NULL for NONE); "open" "done";
 * "cli" "command" "meeting". Static strings. */
const char *steps_owner_kind_name(enum step_owner_kind);
const char *steps_status_name(enum step_status);
const char *steps_origin_name(enum step_origin);
/* The reverse; 0 or -1 when unknown. */
int steps_origin_parse(const char *, enum step_origin *);

/*
 * Resolves an owner as a person writes it, for partnership (0: none):
 *   "me" / "я" / "мене": the acting coordinator's address me (the
 *     command's sender), or when me is NULL (the CLI) the partnership's
 *     coordinator;
 *   "coordinator" / "координатор": the partnership's coordinator;
 *   an address: the contact that has it — a coordinator when
 *     directory_is_coordinator(conf) says so, else a contact;
 *   otherwise an organisation's name, or a contact's name when no
 *     organisation has it (one that names both, or two contacts, is
 *     refused as ambiguous).
 * Returns 0 and *out, STEPS_ERR_DATA with *err ("no contact or
 * organisation 'X'"), or STEPS_ERR_DB. The caller frees *err.
 */
int steps_owner_parse(struct db *, const struct config *conf,
    int64_t partnership, const char *text, const char *me,
    struct step_owner *out, char **err);

/*
 * The zone a due date for owner belongs to: the owner's effective zone
 * (an organisation's; a contact's own, else its organisation's), else the
 * partnership's coordinator's, else fallback (the team's zone; "UTC" when
 * NULL). Returns a new string (caller frees); NULL only on a database
 * error (logged).
 */
char *steps_due_zone(struct db *, int64_t partnership,
    const struct step_owner *owner, const char *fallback);

/*
 * Adds an open step to partnership with text (trimmed, 1..STEPS_TEXT_MAX
 * bytes, no control characters other than tabs), owner (NULL or
 * STEP_OWNER_NONE: nobody), due (NULL: none), origin and actor (an
 * address, or "cli"). Records step_history "add" and an events row
 * (action "step_add", object "step:ID"). Atomic (a SAVEPOINT), inside the
 * caller's transaction or not. Returns 0 and *id (may be NULL),
 * STEPS_ERR_DATA (no such partnership or owner, bad text or zone) or
 * STEPS_ERR_DB, with *err (caller frees).
 */
int steps_add(struct db *, int64_t partnership, const char *text,
    const struct step_owner *owner, const struct step_due *due,
    enum step_origin origin, const char *actor, int64_t *id, char **err);

/*
 * Marks step id done at clock_now() by actor. Returns 0 (history "done",
 * events "step_done"), STEPS_ALREADY when it was done before (nothing is
 * written; *err is not set), or STEPS_ERR_DATA ("no step 12") /
 * STEPS_ERR_DB with *err. Atomic, in a transaction or not.
 */
int steps_done(struct db *, int64_t id, const char *actor, char **err);

/*
 * Holds the reminders of open step id until the instant until (UTC, must
 * be after clock_now()): sets snoozed_until, counts the snooze, records
 * history "snooze" (with until) and events "step_snooze". The due date
 * does not move, so an overdue step still lists as overdue. Returns 0, or
 * STEPS_ERR_DATA (no such step, a done step, until not in the future) /
 * STEPS_ERR_DB with *err.
 */
int steps_snooze(struct db *, int64_t id, time_t until, const char *actor,
    char **err);

/*
 * Reads how long to snooze, as a person writes it, in zone at now:
 *   a duration of days or weeks (3d, 2w; DESIGN.md's units): until local
 *   midnight starting the day that many days after today, so reminders
 *   resume that morning at the scheduler's hour;
 *   a duration of seconds, minutes or hours (30m, 4h): now plus that;
 *   a date in dates_parse_date()'s language (fri, 2026-12-05, 5 грудня,
 *   tomorrow, in 3d): local midnight starting that day, which must be
 *   after today.
 * Returns 0 and *until, or -1 with *err (English; caller frees).
 */
int steps_snooze_parse(const char *text, const struct tz *zone, time_t now,
    time_t *until, char **err);

/*
 * Reads step id: 1 and *out (step_free() it), 0 when there is none, -1 on
 * a database error with *err.
 */
int steps_get(struct db *, int64_t id, struct step *out, char **err);

/* steps_list() filters; a zeroed struct lists every open step. */
#define STEPS_ANY_STATUS	-1
struct steps_filter {
	int64_t			 partnership;	/* 0: every one */
	/*
	 * kind NONE: anyone. A contact or coordinator matches steps owned
	 * by that contact under either kind; an organisation only its own.
	 */
	struct step_owner	 owner;
	int			 status;	/* STEP_OPEN (0), STEP_DONE or
						   STEPS_ANY_STATUS */
	time_t			 overdue_at;	/* non-0: only open steps whose
						   due day ended by then */
	time_t			 due_before;	/* non-0: only steps with
						   due_at <= due_before */
	time_t			 awake_at;	/* non-0: leave out steps still
						   snoozed at that instant */
};

/*
 * Calls cb once per matching step, ordered by due date (steps without
 * one last), then id. The struct is valid during the call only (it is
 * freed after); cb returns 0 to go on, non-0 to stop (steps_list then
 * returns that value). Runs one indexed query, fit for a scheduler tick
 * over many thousands of steps. Returns 0 (or cb's value), or
 * STEPS_ERR_DB with *err.
 */
int steps_list(struct db *, const struct steps_filter *,
    int (*cb)(const struct step *, void *arg), void *arg, char **err);

/*
 * For the reminder scheduler's tick: calls cb once per open step with a
 * due day whose due_at is at or before due_by and that is not snoozed at
 * awake_at (snoozed_until NULL or <= awake_at), in no particular order.
 * One query over index steps_due that reads only the columns a reminder
 * is decided on, without steps_list()'s joins (which would cost most of a
 * tick over 20,000 steps). The struct passed to cb has only id,
 * partnership, owner, has_due (always 1), due, due_zone (NULL when none
 * was recorded), due_at, created and snoozed_until set; every other field
 * is 0 or NULL (coordinator included: ask the directory). It and its
 * strings are valid during the call only. A row whose due day does not
 * parse is skipped. cb returns 0 to go on, non-0 to stop (returned).
 * Returns 0 (or cb's value), or STEPS_ERR_DB with *err (caller frees).
 */
int steps_due_scan(struct db *, time_t due_by, time_t awake_at,
    int (*cb)(const struct step *, void *arg), void *arg, char **err);

/* One row of a step's history: "add", "done" or "snooze". */
struct step_event {
	time_t	 at;
	char	*actor;
	char	*action;
	time_t	 until;		/* snooze: held until; else 0 */
};

/*
 * The history of step id, oldest first. Returns 0 and *out (free with
 * step_events_free(); NULL when *n is 0), or STEPS_ERR_DB with *err.
 */
int steps_history(struct db *, int64_t id, struct step_event **out,
    size_t *n, char **err);
void step_events_free(struct step_event *, size_t);

#endif
