/*
 * slots: the time-zone aware meeting slot search. Pure: given attendees
 * (zone, working hours, holidays, busy time in UTC) and a window of days,
 * it returns the fairest slots on a grid, relaxes the hours when nothing
 * fits, or explains why nothing can. It never reads the database, the
 * config or the clock, never logs and never sends mail; zones come from tz.
 */
#ifndef MISTOK_SLOTS_H
#define MISTOK_SLOTS_H

#include <stddef.h>
#include <time.h>

#include "config.h"
#include "holidays.h"
#include "tz.h"

#define SLOTS_MAX		3	/* slots returned at most */
#define SLOTS_MAX_DAYS		62	/* longest window */
#define SLOTS_MAX_ATTENDEES	64
#define SLOTS_REASON_LEN	512

/* Busy time, UTC, [start, end). */
struct slot_busy {
	time_t	start;
	time_t	end;
};

/* Everything points into the caller's memory for the call's duration. */
struct slot_attendee {
	const char		*label;		/* "Kyiv", a name: for reasons */
	const char		*zone;		/* IANA; Europe/Kiev accepted */
	const struct hours	*hours;		/* local working hours */
	int			 required;	/* 0: never restricts a slot */
	const struct holidays	*holidays;	/* local dates off; NULL: none */
	const struct slot_busy	*busy;		/* any order, may overlap */
	size_t			 nbusy;
};

struct slot_request {
	const struct slot_attendee *att;
	size_t		 natt;
	int		 duration;	/* minutes, 1-1440 */
	const char	*zone;		/* the zone the window's days are in */
	struct tz_date	 from;		/* first day, inclusive */
	struct tz_date	 to;		/* last day, inclusive */
	int		 grid;		/* minutes; 0 = 15 */
	int		 relaxed_start;	/* minutes; both 0 = 08:00-20:00 */
	int		 relaxed_end;
	int		 max_slots;	/* 0 = SLOTS_MAX */
};

struct slot {
	time_t	start;			/* UTC */
	time_t	end;
	/*
	 * Fairness: for each required attendee the minutes from the start
	 * of their working day to the slot and from the slot to the end of
	 * their day, the smaller of the two; score is the smallest over the
	 * attendees (negative outside normal hours, in relaxed slots) and
	 * worst the index (into att) of that attendee.
	 */
	int	score;
	int	worst;
	int	optional_ok;		/* optional attendees free and in hours */
	int	relaxed;		/* found only with relaxed hours */
	/*
	 * Two attendees' zones are an unusual distance apart: their offset
	 * difference differs from the one five weeks before and after
	 * (which agree), as when the US and Ukraine have changed clocks on
	 * different Sundays.
	 */
	int	dst_mismatch;
};

struct slot_result {
	int		n;
	struct slot	slot[SLOTS_MAX];	/* best first */
	int		relaxed;
	char		reason[SLOTS_REASON_LEN];	/* when n == 0 */
};

/*
 * Searches the window. The slot lies wholly inside the window, starts on
 * the grid counted from the window's first local midnight, lies inside
 * every required attendee's working hours on one of their working days
 * that is not one of their holidays, and overlaps none of their busy
 * times. At most one slot per local day of the window, the best
 * max_slots overall by score, then optional attendees served, then
 * earliest. When none fits, every attendee's day is widened to the
 * relaxed hours on their working days (slots marked relaxed); when still
 * none, out->reason says why, naming the first pair (in order of label,
 * then zone) whose hours never meet, e.g. "Honolulu (Pacific/Honolulu)
 * and Kyiv (Europe/Kyiv) share no working hour".
 * Returns 0 (out filled; n may be 0) or -1 with *err (caller frees) for an
 * invalid request or an unknown zone.
 */
int slots_find(const struct slot_request *, struct slot_result *out,
    char **err);

/* The dst_mismatch test for two zones at t. */
int slots_dst_mismatch(const struct tz *, const struct tz *, time_t t);

#endif
