/*
 * meeting: the meetings and attendees tables and what mistok does with
 * them — availability from the directory and the config, proposals (slot
 * search, the coordinator's proposal mail), booking, rescheduling and
 * cancelling (iMIP mail per attendee through the outbox), replies read
 * back from stored mail (REPLY, COUNTER, a plain "yes"/"ні"), the .ics
 * feed and the reminders that are due. It never talks to a server, never
 * prints, and leaves iCalendar text to invite.c and MIME to compose.c.
 */
#ifndef MISTOK_MEETING_H
#define MISTOK_MEETING_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "config.h"
#include "slots.h"
#include "tz.h"

struct buf;
struct daemon_module;
struct db;
struct tmpl_set;

/* One attendee row (strings owned by the meeting). */
struct meeting_att {
	int64_t	 id;
	char	*email;		/* lower case */
	char	*name;		/* NULL: none */
	char	*partstat;	/* RFC 5545 upper case */
	char	*zone;		/* IANA, as booked */
};

/* One meeting; meeting_free() releases the strings and attendees. */
struct meeting {
	int64_t	 id;
	char	*uid;
	int64_t	 partnership;	/* 0: none */
	char	*slug;		/* NULL: none */
	char	*title;
	int	 sequence;
	time_t	 start;		/* UTC */
	int	 duration;	/* seconds */
	char	*status;	/* as stored: proposed scheduled cancelled */
	char	*link;		/* NULL: none */
	time_t	 created;
	struct meeting_att *att;
	size_t	 natt;
};
void meeting_free(struct meeting *);
void meeting_list_free(struct meeting *, size_t);

/*
 * The status to show: the stored one, except that a scheduled meeting
 * whose end is at or before now is "held" (computed on read, never
 * written: a cancel stays cancelled). Static storage.
 */
const char *meeting_status(const struct meeting *, time_t now);

/* Readers: 1 found (*out filled), 0 none, -1 database error. */
int meeting_get(struct db *, int64_t id, struct meeting *out);
int meeting_get_uid(struct db *, const char *uid, struct meeting *out);
/*
 * Every meeting (of partnership when not 0), by start then id. Returns 0
 * and *out (free with meeting_list_free()) or -1.
 */
int meeting_list(struct db *, int64_t partnership, struct meeting **out,
    size_t *n);

/*
 * What the module needs besides the database: the config, the templates
 * (NULL: loaded from the config's [templates] dir on first use and kept
 * for the process) and the holidays directory (NULL: the config's, or
 * the source tree's contrib/holidays when the configured one is the
 * built-in default and missing, as mailtmpl_dir() does for templates).
 */
struct meeting_env {
	struct db		*db;
	const struct config	*conf;
	const struct tmpl_set	*tmpl;
	const char		*holidays_dir;
};

/* One person as the slot search sees them (owned by the proposal). */
struct meeting_person {
	char		*email;
	char		*name;
	char		*zone;
	char		*lang;		/* "uk" | "en" */
	char		*country;	/* "UA" | "US" | NULL */
	struct hours	 hours;
};

/* A proposal's outcome; meeting_proposal_free() releases it. */
struct meeting_proposal {
	int64_t			 id;	/* the proposed meeting; 0: none kept */
	int			 duration;	/* minutes */
	struct slot_result	 res;
	struct meeting_person	*people;
	size_t			 npeople;
};
void meeting_proposal_free(struct meeting_proposal *);

/*
 * Who a meeting of partnership is with: the addresses of with
 * (NULL-terminated; each must be a contact's) or, when with is NULL or
 * empty, every contact of the partnership's UA and US organisations
 * (supporting organisations and the team are left out). Working hours:
 * the contact's, else the organisation's, else [schedule] ua_hours or
 * us_hours by the organisation's country (us_hours when unknown); zone:
 * the contact's or the organisation's, else the team's. Returns 0 and
 * *out (n people; free each with meeting_person_free() and the array),
 * or -1 with *err (caller frees).
 */
int meeting_people(const struct meeting_env *, int64_t partnership,
    const char *const *with, struct meeting_person **out, size_t *n,
    char **err);
void meeting_person_free(struct meeting_person *);

/*
 * Searches slots of duration minutes in the local days from..to of zone
 * (NULL: the team's) for the people of meeting_people(), with holidays
 * ([schedule] us_holidays / ua_holidays by the organisation's country)
 * and mistok's scheduled meetings of each person as busy time. When a
 * slot exists the proposal is stored (a meeting with status proposed, its
 * attendees and its slots, numbered 1..n for meeting_book_slot()) and the
 * proposal mail is queued to the coordinator (the partnership's, else the
 * first [team] coordinators address) in the coordinator's language, with
 * every attendee's local time and the DST-mismatch flags; its Message-ID
 * is recorded as own id kind "proposal" for the proposal. With no slot
 * nothing is stored or sent and out->res.reason says why. Returns 0 (out
 * filled) or -1 with *err (caller frees).
 */
int meeting_propose(const struct meeting_env *, const char *slug,
    int duration, struct tz_date from, struct tz_date to, const char *zone,
    const char *const *with, struct meeting_proposal *out, char **err);

/*
 * Books a meeting of partnership slug at start (UTC) for duration minutes
 * with the people of meeting_people() (with as there), title (NULL: the
 * two organisations' names) and link (may be NULL): a new meeting (UID
 * mistok-RANDOM@team_domain, SEQUENCE 0, status scheduled) and one
 * invitation per attendee queued in the outbox (dedupe key
 * invite:UID:SEQ:EMAIL; own id kind "invite", object the attendee row).
 * All or nothing. Returns 0 and *id, or -1 with *err (caller frees).
 */
int meeting_book(const struct meeting_env *, const char *slug, time_t start,
    int duration, const char *const *with, const char *title,
    const char *link, int64_t *id, char **err);
/*
 * Books slot n (1-based) of proposal: the proposed meeting becomes the
 * scheduled one (its UID, attendees and duration) and the invitations go
 * out as meeting_book() sends them. Returns 0, or -1 with *err.
 */
int meeting_book_slot(const struct meeting_env *, int64_t proposal, int n,
    const char *title, const char *link, char **err);
/*
 * Moves a scheduled meeting to start (duration minutes; 0 keeps it):
 * SEQUENCE+1, every attendee back to NEEDS-ACTION, a REQUEST to all.
 */
int meeting_reschedule(const struct meeting_env *, int64_t id, time_t start,
    int duration, char **err);
/* Cancels a meeting: SEQUENCE+1, status cancelled, METHOD:CANCEL to all. */
int meeting_cancel(const struct meeting_env *, int64_t id, char **err);
/*
 * Withdraws a proposal nobody was invited to yet: its status becomes
 * cancelled (SEQUENCE, attendees and slots kept; no mail). Runs in the
 * caller's transaction and begins none. Returns 1 withdrawn, 0 refused
 * (no such meeting, or not proposed) or -1 database error, both with
 * *err (caller frees).
 */
int meeting_withdraw(struct db *, int64_t proposal, char **err);

/*
 * Reads the messages stored since the last scan (a kv cursor): iMIP
 * REPLY and COUNTER parts, and plain replies to an invitation whose first
 * line that is not quoted is yes/no/так/ні. A REPLY is matched by UID and
 * the ATTENDEE address (never by From) and applied when its SEQUENCE is
 * at least the meeting's and its DTSTAMP not older than the last one
 * applied to that attendee; the coordinator is told of each decline and
 * once everyone has answered. A COUNTER only tells the coordinator.
 * Must run outside a transaction. Returns the number of attendee
 * updates, or -1 with *err (caller frees).
 */
int meeting_scan(const struct meeting_env *, char **err);

/*
 * For the scheduler (another module): calls cb for each attendee (not
 * DECLINED) of each scheduled meeting starting in (now, now + 24 h]. The
 * pointers are valid during the call. Sending the reminder (template
 * meeting_reminder, dedupe key reminder:UID:SEQ:EMAIL) is the caller's.
 * Returns the number of calls, or -1.
 */
int meeting_due_reminders(struct db *, time_t now,
    int (*cb)(void *arg, const struct meeting *, const struct meeting_att *),
    void *arg);

/*
 * The .ics feed of every meeting but proposals (invite_build_feed():
 * METHOD:PUBLISH, cancelled ones with STATUS:CANCELLED, attendees with
 * their PARTSTAT), appended to out. Returns 0 or -1 with *err.
 */
int meeting_feed(const struct meeting_env *, struct buf *out, char **err);
/*
 * Writes meeting_feed() to path through path.tmp (mode 0644, fsync'd,
 * then renamed), so a web server never serves half a file. Returns 0, or
 * -1 with *err (caller frees) and the old file left as it was.
 */
int meeting_feed_write(const struct meeting_env *, const char *path,
    char **err);

/*
 * mistokd's module keeping [calendar] feed current: written at start-up,
 * after a reload, and whenever what it shows changed (polled every 2 s,
 * so changes made by the CLI show too). No feed configured: does nothing.
 */
extern const struct daemon_module meeting_feed_module;

/* "2026-03-10T17:00:00" in zone; out holds at least 20 bytes. */
void meeting_local_iso(const struct tz *, time_t, char *out, size_t len);

#endif
