/*
 * dates: every date, window and duration form in Europe/Kyiv and
 * America/Chicago, around month and year ends and clock changes, and the
 * refusals with their reasons. "now" is always built from a local wall
 * clock through tz_utc(), so each case says which local day it stands on.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dates.h"
#include "tz.h"
#include "util.h"

static const struct tz *kyiv, *chicago;

static int
setup(void **state)
{
	char *err = NULL;

	kyiv = tz_get("Europe/Kyiv", &err);
	chicago = tz_get("America/Chicago", &err);
	free(err);
	return kyiv != NULL && chicago != NULL ? 0 : -1;
}

static int
teardown(void **state)
{
	tz_cache_clear();
	return 0;
}

/* The instant of local y-m-d h:mi in zone. */
static time_t
at(const struct tz *z, int y, int m, int d, int h, int mi)
{
	struct tz_date dt = { y, m, d };

	return tz_utc(z, dt, h, mi, 0, 0, NULL);
}

#define DAY(y, m, d) ((struct tz_date){ (y), (m), (d) })

static void
assert_date(const char *s, const struct tz *z, time_t now,
    enum dates_bias bias, struct tz_date want)
{
	struct tz_date got = { 0, 0, 0 };
	enum dates_error e;

	e = dates_parse_date(s, z, now, bias, &got);
	if (e != DATES_OK || got.year != want.year ||
	    got.month != want.month || got.day != want.day)
		fail_msg("'%s': got %d (%s) %04d-%02d-%02d, want %04d-%02d-%02d",
		    s, e, dates_strerror(e, "en"), got.year, got.month,
		    got.day, want.year, want.month, want.day);
}

static void
assert_bad(const char *s, const struct tz *z, time_t now,
    enum dates_error want)
{
	struct tz_date got = { 1, 2, 3 };
	enum dates_error e;

	e = dates_parse_date(s, z, now, DATES_NEXT, &got);
	if (e != want)
		fail_msg("'%s': got error %d, want %d", s, e, want);
	/* A refusal leaves the output alone. */
	assert_int_equal(got.year, 1);
	assert_int_equal(got.day, 3);
}

static void
assert_window(const char *s, const struct tz *z, time_t now,
    struct tz_date from, struct tz_date to)
{
	struct dates_window w;
	enum dates_error e;

	memset(&w, 0, sizeof(w));
	e = dates_parse_window(s, z, now, DATES_NEXT, &w);
	if (e != DATES_OK || memcmp(&w.from, &from, sizeof(from)) != 0 ||
	    memcmp(&w.to, &to, sizeof(to)) != 0)
		fail_msg("'%s': got %d %04d-%02d-%02d..%04d-%02d-%02d", s, e,
		    w.from.year, w.from.month, w.from.day, w.to.year,
		    w.to.month, w.to.day);
}

static void
assert_dur(const char *s, int want)
{
	int got = -1;
	enum dates_error e = dates_parse_duration(s, &got);

	if (e != DATES_OK || got != want)
		fail_msg("'%s': got %d minutes (error %d), want %d", s, got,
		    e, want);
}

static void
assert_dur_bad(const char *s, enum dates_error want)
{
	int got = -7;
	enum dates_error e = dates_parse_duration(s, &got);

	if (e != want)
		fail_msg("'%s': got error %d, want %d", s, e, want);
	assert_int_equal(got, -7);
}

static void
iso_and_day_first_forms(void **state)
{
	time_t now = at(kyiv, 2026, 11, 20, 12, 0);	/* a Friday */

	assert_date("2026-12-05", kyiv, now, DATES_NEXT, DAY(2026, 12, 5));
	assert_date(" 2026-1-5 ", kyiv, now, DATES_NEXT, DAY(2026, 1, 5));
	assert_date("05.12", kyiv, now, DATES_NEXT, DAY(2026, 12, 5));
	assert_date("5.12.", kyiv, now, DATES_NEXT, DAY(2026, 12, 5));
	assert_date("05.12.2026", kyiv, now, DATES_NEXT, DAY(2026, 12, 5));
	assert_date("05.12.27", kyiv, now, DATES_NEXT, DAY(2027, 12, 5));
	/* Day first, always: 01.02 is the first of February. */
	assert_date("01.02", kyiv, now, DATES_NEXT, DAY(2027, 2, 1));
	/* A year-less day that has passed is next year's. */
	assert_date("19.11", kyiv, now, DATES_NEXT, DAY(2027, 11, 19));
	/* Today still counts. */
	assert_date("20.11", kyiv, now, DATES_NEXT, DAY(2026, 11, 20));
}

static void
month_names_in_both_languages(void **state)
{
	static const char *const gen[] = { "січня", "лютого", "березня",
		"квітня", "травня", "червня", "липня", "серпня", "вересня",
		"жовтня", "листопада", "грудня" };
	static const char *const nom[] = { "січень", "лютий", "березень",
		"квітень", "травень", "червень", "липень", "серпень",
		"вересень", "жовтень", "листопад", "грудень" };
	static const char *const en[] = { "January", "February", "March",
		"April", "May", "June", "July", "August", "September",
		"October", "November", "December" };
	time_t now = at(kyiv, 2026, 1, 1, 9, 0);
	char s[64];
	int i;

	for (i = 0; i < 12; i++) {
		snprintf(s, sizeof(s), "3 %s", gen[i]);
		assert_date(s, kyiv, now, DATES_NEXT, DAY(2026, i + 1, 3));
		snprintf(s, sizeof(s), "3 %s 2027", nom[i]);
		assert_date(s, kyiv, now, DATES_NEXT, DAY(2027, i + 1, 3));
		snprintf(s, sizeof(s), "%s 3", en[i]);
		assert_date(s, kyiv, now, DATES_NEXT, DAY(2026, i + 1, 3));
		snprintf(s, sizeof(s), "3 %.3s", en[i]);
		assert_date(s, kyiv, now, DATES_NEXT, DAY(2026, i + 1, 3));
	}
	assert_date("5 Dec", kyiv, now, DATES_NEXT, DAY(2026, 12, 5));
	assert_date("Dec 5", kyiv, now, DATES_NEXT, DAY(2026, 12, 5));
	assert_date("dec. 5th", kyiv, now, DATES_NEXT, DAY(2026, 12, 5));
	assert_date("December 5, 2027", kyiv, now, DATES_NEXT,
	    DAY(2027, 12, 5));
	assert_date("5 ГРУДНЯ", kyiv, now, DATES_NEXT, DAY(2026, 12, 5));
	assert_date("5 грудня 2026 р.", kyiv, now, DATES_NEXT,
	    DAY(2026, 12, 5));
	assert_date("5 Sept", kyiv, now, DATES_NEXT, DAY(2026, 9, 5));
}

static void
weekdays_mean_the_next_such_day_after_today(void **state)
{
	/* Friday 2026-12-04, noon in Kyiv. */
	time_t fri = at(kyiv, 2026, 12, 4, 12, 0);
	time_t sun = at(kyiv, 2026, 12, 6, 12, 0);
	static const char *const fridays[] = { "fri", "Friday", "FRI.",
		"пт", "п'ятниця", "пʼятниця", "п’ятниця", "П'ЯТНИЦЯ",
		"в п'ятницю", "on Friday", "у пʼятницю" };
	size_t i;

	for (i = 0; i < nitems(fridays); i++)
		assert_date(fridays[i], kyiv, fri, DATES_NEXT,
		    DAY(2026, 12, 11));
	assert_date("sat", kyiv, fri, DATES_NEXT, DAY(2026, 12, 5));
	assert_date("субота", kyiv, fri, DATES_NEXT, DAY(2026, 12, 5));
	assert_date("thu", kyiv, fri, DATES_NEXT, DAY(2026, 12, 10));
	assert_date("mon", kyiv, sun, DATES_NEXT, DAY(2026, 12, 7));
	assert_date("пн", kyiv, sun, DATES_NEXT, DAY(2026, 12, 7));
	assert_date("неділя", kyiv, sun, DATES_NEXT, DAY(2026, 12, 13));
	assert_date("середа", kyiv, sun, DATES_NEXT, DAY(2026, 12, 9));
	assert_date("вт", kyiv, sun, DATES_NEXT, DAY(2026, 12, 8));
	assert_date("четвер", kyiv, sun, DATES_NEXT, DAY(2026, 12, 10));
	assert_date("пʼятниці", kyiv, sun, DATES_NEXT, DAY(2026, 12, 11));
	/* Past bias (reports): strictly before today. */
	assert_date("fri", kyiv, fri, DATES_LAST, DAY(2026, 11, 27));
	assert_date("05.12", kyiv, fri, DATES_LAST, DAY(2025, 12, 5));
	assert_date("04.12", kyiv, fri, DATES_LAST, DAY(2026, 12, 4));
}

static void
relative_words(void **state)
{
	time_t now = at(kyiv, 2026, 12, 4, 12, 0);

	assert_date("today", kyiv, now, DATES_NEXT, DAY(2026, 12, 4));
	assert_date("Сьогодні", kyiv, now, DATES_NEXT, DAY(2026, 12, 4));
	assert_date("tomorrow", kyiv, now, DATES_NEXT, DAY(2026, 12, 5));
	assert_date("завтра", kyiv, now, DATES_NEXT, DAY(2026, 12, 5));
	assert_date("післязавтра", kyiv, now, DATES_NEXT, DAY(2026, 12, 6));
	assert_date("in 3d", kyiv, now, DATES_NEXT, DAY(2026, 12, 7));
	assert_date("in 3 days", kyiv, now, DATES_NEXT, DAY(2026, 12, 7));
	assert_date("3d", kyiv, now, DATES_NEXT, DAY(2026, 12, 7));
	assert_date("+2w", kyiv, now, DATES_NEXT, DAY(2026, 12, 18));
	assert_date("+ 2w", kyiv, now, DATES_NEXT, DAY(2026, 12, 18));
	assert_date("через 3 дні", kyiv, now, DATES_NEXT, DAY(2026, 12, 7));
	assert_date("через 5 днів", kyiv, now, DATES_NEXT, DAY(2026, 12, 9));
	assert_date("через тиждень", kyiv, now, DATES_NEXT,
	    DAY(2026, 12, 11));
	assert_date("через 2 тижні", kyiv, now, DATES_NEXT,
	    DAY(2026, 12, 18));
	assert_date("in a week", kyiv, now, DATES_NEXT, DAY(2026, 12, 11));
}

static void
the_zone_decides_what_today_is(void **state)
{
	/* 2026-12-04T23:30Z: Saturday 01:30 in Kyiv, Friday 17:30 in
	 * Chicago. */
	time_t now = at(kyiv, 2026, 12, 5, 1, 30);

	assert_date("today", kyiv, now, DATES_NEXT, DAY(2026, 12, 5));
	assert_date("today", chicago, now, DATES_NEXT, DAY(2026, 12, 4));
	assert_date("tomorrow", chicago, now, DATES_NEXT, DAY(2026, 12, 5));
	assert_date("sat", kyiv, now, DATES_NEXT, DAY(2026, 12, 12));
	assert_date("sat", chicago, now, DATES_NEXT, DAY(2026, 12, 5));
	assert_date("04.12", chicago, now, DATES_NEXT, DAY(2026, 12, 4));
	assert_date("04.12", kyiv, now, DATES_NEXT, DAY(2027, 12, 4));
}

static void
month_and_year_ends(void **state)
{
	time_t eve = at(kyiv, 2026, 12, 31, 23, 59);
	time_t chi = at(chicago, 2026, 12, 31, 23, 59);
	time_t feb = at(chicago, 2028, 2, 28, 10, 0);

	assert_date("tomorrow", kyiv, eve, DATES_NEXT, DAY(2027, 1, 1));
	assert_date("in 3d", kyiv, eve, DATES_NEXT, DAY(2027, 1, 3));
	assert_date("05.01", kyiv, eve, DATES_NEXT, DAY(2027, 1, 5));
	assert_date("31.12", kyiv, eve, DATES_NEXT, DAY(2026, 12, 31));
	assert_date("fri", kyiv, eve, DATES_NEXT, DAY(2027, 1, 1));
	assert_date("tomorrow", chicago, chi, DATES_NEXT, DAY(2027, 1, 1));
	/* A leap year: 29 February exists. */
	assert_date("tomorrow", chicago, feb, DATES_NEXT, DAY(2028, 2, 29));
	assert_date("29.02", chicago, feb, DATES_NEXT, DAY(2028, 2, 29));
	assert_date("in 2d", chicago, feb, DATES_NEXT, DAY(2028, 3, 1));
	/* 29.02 said in March 2027 is the next one that exists. */
	assert_date("29.02", kyiv, at(kyiv, 2027, 3, 1, 9, 0), DATES_NEXT,
	    DAY(2028, 2, 29));
}

static void
dst_changes(void **state)
{
	/* The night Kyiv falls back (Sun 2026-10-25 04:00 → 03:00). */
	time_t late = at(kyiv, 2026, 10, 24, 23, 30);
	/* Chicago springs forward on Sun 2026-03-08 02:00 → 03:00. */
	time_t spring = at(chicago, 2026, 3, 7, 23, 30);
	struct dates_window w;
	time_t a, b;

	assert_date("tomorrow", kyiv, late, DATES_NEXT, DAY(2026, 10, 25));
	assert_date("sun", kyiv, late, DATES_NEXT, DAY(2026, 10, 25));
	assert_date("tomorrow", chicago, spring, DATES_NEXT, DAY(2026, 3, 8));
	assert_date("in 1d", chicago, at(chicago, 2026, 3, 8, 3, 30),
	    DATES_NEXT, DAY(2026, 3, 9));

	/* The window of one changeover day has 25 and 23 hours. */
	assert_int_equal(dates_parse_window("25.10.2026", kyiv, late,
	    DATES_NEXT, &w), DATES_OK);
	dates_window_utc(&w, kyiv, &a, &b);
	assert_int_equal(b - a, 25 * 3600);
	assert_int_equal(a, at(kyiv, 2026, 10, 25, 0, 0));
	assert_int_equal(dates_parse_window("2026-03-08", chicago, spring,
	    DATES_NEXT, &w), DATES_OK);
	dates_window_utc(&w, chicago, &a, &b);
	assert_int_equal(b - a, 23 * 3600);
	/* A whole week across the change. */
	assert_int_equal(dates_parse_window("2026-03-02..2026-03-08",
	    chicago, spring, DATES_NEXT, &w), DATES_OK);
	dates_window_utc(&w, chicago, &a, &b);
	assert_int_equal(b - a, 7 * 86400 - 3600);
}

static void
bad_dates_are_refused_with_a_reason(void **state)
{
	time_t now = at(kyiv, 2026, 1, 10, 12, 0);
	const char *en, *uk;

	assert_bad("31.02", kyiv, now, DATES_BAD_DAY);
	assert_bad("31.02.2026", kyiv, now, DATES_BAD_DAY);
	assert_bad("2026-02-29", kyiv, now, DATES_BAD_DAY);
	assert_bad("31.04", kyiv, now, DATES_BAD_DAY);
	assert_bad("32.01", kyiv, now, DATES_BAD_DAY);
	assert_bad("0.01", kyiv, now, DATES_BAD_DAY);
	assert_bad("2026-13-01", kyiv, now, DATES_BAD_MONTH);
	assert_bad("05.13", kyiv, now, DATES_BAD_MONTH);
	assert_bad("2026-00-10", kyiv, now, DATES_BAD_MONTH);
	assert_bad("1999-12-31", kyiv, now, DATES_BAD_YEAR);
	assert_bad("29.02", kyiv, now, DATES_BAD_DAY);	/* 2026, 2027 */
	assert_bad("05/12", kyiv, now, DATES_AMBIGUOUS);
	assert_bad("12/05/2026", kyiv, now, DATES_AMBIGUOUS);
	assert_bad("", kyiv, now, DATES_EMPTY);
	assert_bad("   ", kyiv, now, DATES_EMPTY);
	assert_bad("soon", kyiv, now, DATES_SYNTAX);
	assert_bad("5 Decembr", kyiv, now, DATES_SYNTAX);
	assert_bad("fri sat", kyiv, now, DATES_SYNTAX);
	assert_bad("2026-12-05x", kyiv, now, DATES_SYNTAX);
	assert_bad("in 99999d", kyiv, now, DATES_TOO_FAR);
	assert_bad("in 9999999999999999d", kyiv, now, DATES_TOO_FAR);
	assert_bad("+600w", kyiv, now, DATES_TOO_FAR);
	assert_bad("a b c d e f g h i j k", kyiv, now, DATES_SYNTAX);

	en = dates_strerror(DATES_BAD_DAY, "en");
	uk = dates_strerror(DATES_BAD_DAY, "uk");
	assert_non_null(strstr(en, "no such day"));
	assert_non_null(strstr(uk, "такого дня"));
	assert_string_not_equal(dates_strerror(DATES_AMBIGUOUS, "en"),
	    dates_strerror(DATES_AMBIGUOUS, "uk"));
	assert_non_null(strstr(dates_strerror(DATES_AMBIGUOUS, "en"),
	    "05.12"));
}

static void
windows(void **state)
{
	time_t wed = at(kyiv, 2026, 12, 2, 12, 0);
	time_t sun = at(chicago, 2026, 12, 6, 20, 0);
	time_t mid = at(kyiv, 2026, 12, 15, 12, 0);
	time_t jan = at(kyiv, 2027, 1, 10, 12, 0);
	struct dates_window w;

	assert_window("2026-12-01..2026-12-12", kyiv, wed, DAY(2026, 12, 1),
	    DAY(2026, 12, 12));
	assert_window("01.12 .. 12.12", kyiv, at(kyiv, 2026, 11, 1, 9, 0),
	    DAY(2026, 12, 1), DAY(2026, 12, 12));
	assert_window("28.12..03.01", kyiv, wed, DAY(2026, 12, 28),
	    DAY(2027, 1, 3));
	assert_window("5 Dec…9 Dec", kyiv, wed, DAY(2026, 12, 5),
	    DAY(2026, 12, 9));
	assert_window("mon..fri", kyiv, wed, DAY(2026, 12, 7),
	    DAY(2026, 12, 11));
	assert_window("next week", kyiv, wed, DAY(2026, 12, 7),
	    DAY(2026, 12, 13));
	assert_window("Наступного тижня", kyiv, wed, DAY(2026, 12, 7),
	    DAY(2026, 12, 13));
	/* On a Sunday, next week starts tomorrow. */
	assert_window("next week", chicago, sun, DAY(2026, 12, 7),
	    DAY(2026, 12, 13));
	assert_window("this week", kyiv, wed, DAY(2026, 12, 2),
	    DAY(2026, 12, 6));
	assert_window("in 2w", kyiv, wed, DAY(2026, 12, 3),
	    DAY(2026, 12, 16));
	assert_window("через 2 тижні", kyiv, wed, DAY(2026, 12, 3),
	    DAY(2026, 12, 16));
	assert_window("+10d", kyiv, wed, DAY(2026, 12, 3), DAY(2026, 12, 12));
	assert_window("fri", kyiv, wed, DAY(2026, 12, 4), DAY(2026, 12, 4));
	assert_window("next month", kyiv, mid, DAY(2027, 1, 1),
	    DAY(2027, 1, 31));
	assert_window("last month", kyiv, jan, DAY(2026, 12, 1),
	    DAY(2026, 12, 31));
	assert_window("last week", kyiv, jan, DAY(2026, 12, 28),
	    DAY(2027, 1, 3));
	assert_window("наступного місяця", kyiv, at(kyiv, 2027, 1, 30, 9, 0),
	    DAY(2027, 2, 1), DAY(2027, 2, 28));

	assert_int_equal(dates_parse_window("12.12..01.12.2026", kyiv,
	    at(kyiv, 2026, 11, 1, 9, 0), DATES_NEXT, &w), DATES_ORDER);
	assert_int_equal(dates_parse_window("2026-01-01..2027-06-01", kyiv,
	    wed, DATES_NEXT, &w), DATES_TOO_LONG);
	assert_int_equal(dates_parse_window("01.12..31.02", kyiv, wed,
	    DATES_NEXT, &w), DATES_BAD_DAY);
	assert_int_equal(dates_parse_window("..", kyiv, wed, DATES_NEXT, &w),
	    DATES_EMPTY);
	assert_int_equal(dates_parse_window("01.12..", kyiv, wed, DATES_NEXT,
	    &w), DATES_SYNTAX);
	assert_int_equal(dates_parse_window("whenever", kyiv, wed,
	    DATES_NEXT, &w), DATES_SYNTAX);
	/* Reports look back: a year-less FROM is the last one. */
	assert_int_equal(dates_parse_window("01.11..30.11", kyiv, wed,
	    DATES_LAST, &w), DATES_OK);
	assert_int_equal(w.from.year, 2026);
	assert_int_equal(w.to.month, 11);
	assert_int_equal(dates_parse_window("01.12..05.01", kyiv, jan,
	    DATES_LAST, &w), DATES_OK);
	assert_int_equal(w.from.year, 2026);
	assert_int_equal(w.to.year, 2027);
}

static void
durations(void **state)
{
	assert_dur("45m", 45);
	assert_dur("45 min", 45);
	assert_dur("90 minutes", 90);
	assert_dur("1h", 60);
	assert_dur("1 hr", 60);
	assert_dur("2 hours", 120);
	assert_dur("1.5h", 90);
	assert_dur("1,5 год", 90);
	assert_dur("1 год", 60);
	assert_dur("30 хв", 30);
	assert_dur("30 ХВ.", 30);
	assert_dur("2 години", 120);
	assert_dur("1h30", 90);
	assert_dur("1h 30m", 90);
	assert_dur("1 год 30 хв", 90);
	assert_dur("0.25h", 15);
	assert_dur("24h", 1440);

	assert_dur_bad("60", DATES_DUR_UNIT);
	assert_dur_bad("0m", DATES_DUR_RANGE);
	assert_dur_bad("25h", DATES_DUR_RANGE);
	assert_dur_bad("1.01h", DATES_DUR_RANGE);
	assert_dur_bad("999999999m", DATES_DUR_RANGE);
	assert_dur_bad("abc", DATES_DUR_SYNTAX);
	assert_dur_bad("30m 1h", DATES_DUR_SYNTAX);
	assert_dur_bad("1h 2h", DATES_DUR_SYNTAX);
	assert_dur_bad("5 parsecs", DATES_DUR_SYNTAX);
	assert_dur_bad("1h30m5", DATES_DUR_SYNTAX);
	assert_dur_bad("", DATES_EMPTY);
	assert_non_null(strstr(dates_strerror(DATES_DUR_UNIT, "en"), "unit"));
}

static void
formatting_and_folding(void **state)
{
	struct tz_date today = { 2026, 11, 30 }, d = { 2026, 12, 4 };
	struct tz_date next = { 2027, 1, 1 };
	struct buf b;
	char *s;

	s = dates_format(d, &today, "en");
	assert_string_equal(s, "Fri 4 Dec");
	free(s);
	s = dates_format(d, &today, "uk");
	assert_string_equal(s, "пт 4 грудня");
	free(s);
	s = dates_format(next, &today, "en");
	assert_string_equal(s, "Fri 1 Jan 2027");
	free(s);

	buf_init(&b);
	{
		const char *in = "\xc2\xa0 П’ЯТНИЦЯ\t\xe2\x80\x8b Є\r\n";

		dates_fold(in, strlen(in), &b);
	}
	assert_string_equal(b.data, "п'ятниця є");
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(iso_and_day_first_forms),
		cmocka_unit_test(month_names_in_both_languages),
		cmocka_unit_test(weekdays_mean_the_next_such_day_after_today),
		cmocka_unit_test(relative_words),
		cmocka_unit_test(the_zone_decides_what_today_is),
		cmocka_unit_test(month_and_year_ends),
		cmocka_unit_test(dst_changes),
		cmocka_unit_test(bad_dates_are_refused_with_a_reason),
		cmocka_unit_test(windows),
		cmocka_unit_test(durations),
		cmocka_unit_test(formatting_and_folding),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
