/*
 * tz: local time in any IANA zone, read from the system tzdata (TZif files,
 * RFC 8536, with the POSIX TZ footer for instants past a file's table) and
 * the civil-date arithmetic that the schedulers share. It owns a cache of
 * loaded zones. It never hard-codes an offset, never touches the process's
 * TZ (no setenv/tzset/localtime) and is not thread-safe (one daemon thread).
 */
#ifndef MISTOK_TZ_H
#define MISTOK_TZ_H

#include <stdint.h>
#include <time.h>

struct tz;

/* A local calendar date. */
struct tz_date {
	int	year;
	int	month;		/* 1-12 */
	int	day;		/* 1-31 */
};

/* What an instant looks like on the wall clock of a zone. */
struct tz_local {
	int		 year;
	int		 month;		/* 1-12 */
	int		 day;
	int		 hour;
	int		 min;
	int		 sec;
	int		 wday;		/* 0 = Monday … 6 = Sunday */
	int		 yday;		/* 0-365 */
	int		 utoff;		/* seconds east of UTC */
	int		 isdst;
	const char	*abbr;		/* "EEST", "+03": owned by the cache */
	int64_t		 days;		/* local date as days since 1970-01-01 */
};

/* How a local time maps to UTC. */
enum tz_kind {
	TZ_UNIQUE,	/* exactly one instant */
	TZ_GAP,		/* skipped by a clock change ("spring forward") */
	TZ_OVERLAP,	/* happens twice ("fall back") */
};

/*
 * Returns the zone called name (an IANA name such as "America/New_York";
 * the old "Europe/Kiev" is accepted as "Europe/Kyiv"), loading it from
 * $TZDIR or /usr/share/zoneinfo on first use. The zone stays in the cache
 * until tz_cache_clear(). NULL with *err (caller frees) when the name is
 * malformed or the file is missing or broken.
 */
const struct tz *tz_get(const char *name, char **err);
/* The canonical name ("Europe/Kyiv"); valid as long as the zone. */
const char *tz_name(const struct tz *);
/* Frees every cached zone; pointers from tz_get() become invalid. */
void tz_cache_clear(void);

/* The wall clock of zone at instant t. */
void tz_local(const struct tz *, time_t t, struct tz_local *out);
/* Seconds east of UTC in force at t. */
int tz_offset(const struct tz *, time_t t);

/*
 * Local → UTC. The local time may be denormal (hour 24, minute 90 …); it is
 * counted from midnight of the date. fold picks the reading of a local time
 * next to a clock change, as PEP 495 does: fold 0 reads it with the offset
 * in force before the change, fold 1 with the offset after it. So in an
 * overlap fold 0 is the first occurrence and fold 1 the second; in a gap
 * fold 0 gives the later instant (02:30 in a spring-forward gap becomes
 * 03:30 new time, RFC 5545's rule) and fold 1 the earlier one. *kind (may
 * be NULL) says which case applied.
 */
time_t tz_utc(const struct tz *, struct tz_date, int hour, int min, int sec,
    int fold, enum tz_kind *kind);

/* Proleptic Gregorian calendar; days since 1970-01-01. */
int64_t tz_days_from_date(struct tz_date);
struct tz_date tz_date_from_days(int64_t days);
/* 0 = Monday … 6 = Sunday. */
int tz_weekday(int64_t days);
/* 1 when the date exists (2026-02-29 does not). */
int tz_date_valid(struct tz_date);
/* Parses "YYYY-MM-DD"; returns 0, or -1 when malformed or invalid. */
int tz_date_parse(const char *, struct tz_date *);

#endif
