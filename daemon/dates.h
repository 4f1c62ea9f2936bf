/*
 * dates: the date, window and duration language that coordinators write in
 * mail commands and on the command line ("2026-12-05", "05.12", "5 грудня",
 * "fri", "in 3d", "01.12..12.12", "next week", "45m", "1 год"), English and
 * Ukrainian, read in a given zone at a given "now". Pure: it never reads the
 * clock itself, never touches a database, and never logs.
 */
#ifndef MISTOK_DATES_H
#define MISTOK_DATES_H

#include <time.h>

#include "tz.h"
#include "util.h"

/*
 * Why a phrase was refused; dates_strerror() words it in English or
 * Ukrainian. DATES_OK is 0.
 */
enum dates_error {
	DATES_OK = 0,
	DATES_EMPTY,		/* nothing given */
	DATES_SYNTAX,		/* not a date this module knows */
	DATES_AMBIGUOUS,	/* 05/12: day-first or month-first? */
	DATES_BAD_MONTH,	/* month outside 1-12 */
	DATES_BAD_DAY,		/* no such day in that month (31.02) */
	DATES_BAD_YEAR,		/* year outside 2000-2199 */
	DATES_TOO_FAR,		/* "in 9999d": more than ten years away */
	DATES_ORDER,		/* window A..B with B before A */
	DATES_TOO_LONG,		/* window longer than 366 days */
	DATES_DUR_SYNTAX,	/* not a duration */
	DATES_DUR_UNIT,		/* a bare number: 60 what? */
	DATES_DUR_RANGE,	/* outside 1 minute .. 24 hours, or a fraction
				   of a minute */
};

/*
 * Which occurrence a date without a year (05.12, 5 Dec) or a weekday name
 * means. DATES_NEXT (meetings, steps, snoozes): today or later for a day of
 * the month, strictly after today for a weekday. DATES_LAST (reports):
 * today or earlier, strictly before today for a weekday.
 */
enum dates_bias { DATES_NEXT, DATES_LAST };

/* Local days from .from to .to, both included. */
struct dates_window {
	struct tz_date	from;
	struct tz_date	to;
};

/*
 * One day. Reads s (UTF-8, any case, surrounding white space ignored) in
 * zone at now:
 *   2026-12-05; 05.12, 5.12., 05.12.2026, 05.12.26 (day first, always);
 *   5 Dec, Dec 5, December 5 2026, 5 грудня, 5 грудень 2026 (English
 *   names and 3-letter abbreviations, Ukrainian genitive, nominative and
 *   3-letter forms);
 *   mon … sun, monday … sunday, пн … нд, понеділок … неділя, п'ятниця or
 *   пʼятниця or п’ятниця, accusative п'ятницю, genitive п'ятниці, with
 *   an optional on/в/у;
 *   today, сьогодні, tomorrow, завтра, day after tomorrow, післязавтра;
 *   in 3d, in 3 days, +3d, +2w, in 2 weeks, через 3 дні, через тиждень.
 * A year-less date or a weekday follows bias. Returns DATES_OK and *out,
 * or the reason and leaves *out untouched.
 */
enum dates_error dates_parse_date(const char *s, const struct tz *zone,
    time_t now, enum dates_bias bias, struct tz_date *out);

/*
 * A range of days:
 *   A..B or A…B (both days included; each side as dates_parse_date, a
 *   year-less B is the first such day on or after A);
 *   next week / наступного тижня: Monday to Sunday of next week (whole
 *   calendar weeks: the working hours of each side decide which days
 *   count); this week / цього тижня: today to Sunday; last week /
 *   минулого тижня; next month, this month, last month (and Ukrainian);
 *   in 2w, +10d, через 2 тижні: the next N days from tomorrow, i.e.
 *   tomorrow .. today+N (as a single date "in 2w" is today+14; as a
 *   window it is everything until then, from tomorrow);
 *   any single date of dates_parse_date: that one day.
 * Returns DATES_OK and *out, or the reason (B before A: DATES_ORDER; more
 * than 366 days: DATES_TOO_LONG).
 */
enum dates_error dates_parse_window(const char *s, const struct tz *zone,
    time_t now, enum dates_bias bias, struct dates_window *out);

/*
 * A duration in whole minutes: 45m, 45 min, 90 minutes, 1h, 1 hr, 2 hours,
 * 1.5h, 1,5 год, 1h30, 1h 30m, 1 год 30 хв, 30 хв, 2 години. 1 minute to 24
 * hours. A bare number is DATES_DUR_UNIT.
 */
enum dates_error dates_parse_duration(const char *s, int *minutes);

/* The reason in "en" or "uk" (anything else: English); a static string. */
const char *dates_strerror(enum dates_error, const char *lang);

/*
 * The instants of a window in zone: *start is local midnight starting
 * .from, *end local midnight ending .to (exclusive), both UTC.
 */
void dates_window_utc(const struct dates_window *, const struct tz *zone,
    time_t *start, time_t *end);

/* The local date of now in zone. */
struct tz_date dates_today(const struct tz *zone, time_t now);

/*
 * "Fri 5 Dec 2026" / "пт 5 грудня 2026"; the year is left out when it is
 * today's (today non-NULL). Caller frees.
 */
char *dates_format(struct tz_date, const struct tz_date *today,
    const char *lang);

/*
 * Folds UTF-8 text for matching, appending to out: ASCII and Ukrainian
 * Cyrillic in lower case, apostrophe look-alikes (’ ʼ ‘ `) as ', Unicode
 * spaces, tabs, CR and control characters as one space, zero-width
 * characters dropped, runs of spaces collapsed, both ends trimmed.
 * Invalid UTF-8 bytes are copied as they are. Linear in len.
 */
void dates_fold(const char *s, size_t len, struct buf *out);

#endif
