/*
 * invite: the iCalendar (RFC 5545) / iTIP (RFC 5546) layer. It writes the
 * REQUEST and CANCEL that mistok sends and the PUBLISH feed (UTC times,
 * CRLF, folded at 75 octets) and reads what comes back (REPLY, COUNTER, ...) into plain C
 * structs with UTC instants. It is the only module that uses libical. It
 * never touches the database, never sends mail and never reads MIME.
 */
#ifndef MISTOK_INVITE_H
#define MISTOK_INVITE_H

#include <stddef.h>
#include <time.h>

struct buf;

/* Inputs larger than this are refused by invite_parse(). */
#define INVITE_MAX_LEN		(1024 * 1024)
/* At most this many attendees are built or read. */
#define INVITE_MAX_ATTENDEES	500

enum invite_method {
	INVITE_UNKNOWN,		/* a METHOD mistok does not know (X-...) */
	INVITE_PUBLISH,
	INVITE_REQUEST,
	INVITE_REPLY,
	INVITE_ADD,
	INVITE_CANCEL,
	INVITE_REFRESH,
	INVITE_COUNTER,
	INVITE_DECLINECOUNTER,
};

/* "REQUEST", ...; "UNKNOWN" for INVITE_UNKNOWN. Static storage. */
const char *invite_method_name(enum invite_method);

/* What the caller passes to invite_build(); every string is borrowed. */
struct invite_attendee {
	const char	*name;		/* CN; NULL or "" for none */
	const char	*email;		/* bare address, no mailto: */
	const char	*partstat;	/* NULL = NEEDS-ACTION */
};

struct invite {
	const char	*uid;		/* stable across updates */
	int		 sequence;	/* 0 first, +1 per reschedule/cancel */
	time_t		 start;		/* UTC instants, start < end */
	time_t		 end;
	const char	*summary;	/* in the recipient's language */
	const char	*description;	/* may be NULL */
	const char	*link;		/* LOCATION and URL; may be NULL */
	const char	*organizer_name;	/* may be NULL */
	const char	*organizer_email;	/* the team mailbox */
	const struct invite_attendee *attendees;
	size_t		 nattendees;
	int		 cancelled;	/* invite_build_feed() only */
};

/*
 * Returns the VCALENDAR text of one VEVENT with method REQUEST or CANCEL
 * (NUL-terminated, CRLF line ends, lines of at most 75 octets, folded
 * only between UTF-8 characters); the caller frees it. DTSTAMP is
 * clock_now(). REQUEST carries STATUS:CONFIRMED and a display alarm 15
 * minutes before; CANCEL carries STATUS:CANCELLED. Returns NULL with *err
 * (caller frees) when a field is missing or invalid (not UTF-8, a control
 * character in an address, start >= end, another method).
 */
char *invite_build(const struct invite *, enum invite_method, char **err);

/*
 * Appends to out a METHOD:PUBLISH VCALENDAR (an .ics feed to subscribe
 * to) with one VEVENT per element of iv[0..n-1]: STATUS:CANCELLED when
 * cancelled is set, else STATUS:CONFIRMED; every ATTENDEE with its
 * PARTSTAT and no RSVP; no alarm; one DTSTAMP (clock_now()) for all.
 * Attendees may be none; the other fields are checked as invite_build()
 * does. Returns 0, or -1 with *err (caller frees) naming the first bad
 * event, and then nothing is appended.
 */
int invite_build_feed(const struct invite *iv, size_t n, struct buf *out,
    char **err);

/* One ATTENDEE read back. */
struct invite_msg_attendee {
	char	*email;		/* lower case, mailto: removed */
	char	*name;		/* CN, or NULL */
	char	*partstat;	/* upper case; NEEDS-ACTION when absent */
};

/* How the start/end were read (flags in invite_msg.time_flags). */
#define INVITE_TIME_FLOATING	0x01	/* no zone: read in default_zone */
#define INVITE_TIME_ALLDAY	0x02	/* a DATE: midnight in default_zone */
#define INVITE_TIME_VTIMEZONE	0x04	/* TZID resolved by its VTIMEZONE */
#define INVITE_TIME_TZNAME	0x08	/* TZID resolved by name (IANA or
					   a Windows name mapped to IANA) */

/* A parsed iTIP message; every pointer is owned by the struct. */
struct invite_msg {
	enum invite_method	 method;
	char			*method_name;	/* as sent, upper case */
	char			*uid;
	int			 sequence;	/* 0 when absent */
	time_t			 dtstamp;	/* 0 when absent */
	char			*organizer;	/* lower-case address or NULL */
	char			*summary;	/* NULL when absent */
	char			*comment;	/* COMMENTs joined by "\n", or NULL */
	char			*recurrence_id;	/* as sent, or NULL */
	int			 has_start;
	time_t			 start;		/* UTC */
	int			 has_end;
	time_t			 end;		/* UTC; from DURATION when needed */
	unsigned		 time_flags;	/* INVITE_TIME_* */
	char			*tzid;		/* DTSTART's TZID as sent, or NULL */
	struct invite_msg_attendee *attendees;
	size_t			 nattendees;
};

/*
 * Reads one iTIP object (the text of a text/calendar part, len bytes, not
 * necessarily NUL-terminated). default_zone (an IANA name; NULL = UTC)
 * reads floating times and all-day dates. The first VEVENT without a
 * RECURRENCE-ID is read (else the first VEVENT). Returns 0 and *out (free
 * with invite_msg_free), or -1 and *err (caller frees), which names the
 * line where it can: "line 7: END:VEVENT closes BEGIN:VALARM (line 5)".
 * Never crashes on any input; refuses more than INVITE_MAX_LEN bytes.
 */
int invite_parse(const char *text, size_t len, const char *default_zone,
    struct invite_msg **out, char **err);
void invite_msg_free(struct invite_msg *);

/* The attendee with address email (case-insensitive), or NULL. */
const struct invite_msg_attendee *invite_msg_attendee(
    const struct invite_msg *, const char *email);

/*
 * Maps a Windows time zone name ("FLE Standard Time") to its IANA zone
 * ("Europe/Kyiv") from a small CLDR windowsZones table; NULL when unknown.
 * Static storage.
 */
const char *invite_windows_zone(const char *name);

#endif
