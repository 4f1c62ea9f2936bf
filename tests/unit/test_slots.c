/*
 * slots and holidays. Every expectation about local time is computed here
 * from the tz database through glibc (setenv("TZ") + mktime/localtime_r),
 * independently of tz.c: an oracle walks the same 15-minute grid, decides
 * with libc's wall clock which starts lie inside every attendee's hours,
 * and ranks them by the documented fairness rule; slots_find() must return
 * exactly the oracle's slots. Windows: 2026-03-08..03-29 and
 * 2026-10-25..11-01, when the US and Ukraine change clocks on different
 * Sundays.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "holidays.h"
#include "slots.h"
#include "tz.h"
#include "util.h"

#define GRID		900
#define MAXG		(SLOTS_MAX_DAYS * 96 + 200)

static const struct hours ua_hours = { 1, { { 0x1f, 9 * 60, 18 * 60 } } };
static const struct hours us_hours = { 1, { { 0x1f, 9 * 60, 17 * 60 } } };

static const struct {
	const char	*label;
	const char	*zone;
} us_cities[] = {
	{ "New York", "America/New_York" },
	{ "Chicago", "America/Chicago" },
	{ "Denver", "America/Denver" },
	{ "Phoenix", "America/Phoenix" },
	{ "Los Angeles", "America/Los_Angeles" },
	{ "Anchorage", "America/Anchorage" },
	{ "Honolulu", "Pacific/Honolulu" },
};

static const struct tz_date spring_from = { 2026, 3, 8 };
static const struct tz_date spring_to = { 2026, 3, 29 };
static const struct tz_date autumn_from = { 2026, 10, 25 };
static const struct tz_date autumn_to = { 2026, 11, 1 };

/* Totals over the whole file, to show each branch was exercised. */
static int seen_normal, seen_relaxed, seen_none, seen_mismatch,
    seen_plain;

/* The oracle. */

struct o_att {
	const char		*zone;
	const struct hours	*h;
	int			 required;
	const struct tz_date	*hol;	/* local dates off */
	size_t			 nhol;
	const struct slot_busy	*busy;
	size_t			 nbusy;
};

struct o_loc {
	int	y, m, d;
	int	wday;			/* 0 = Monday */
	int	min;			/* minute of the day */
};

struct o_slot {
	time_t	start;
	int	score;
	int	opt;
	int	day;
};

static void
oracle_zone(const char *zone)
{
	setenv("TZ", zone, 1);
	tzset();
}

static void
o_local(time_t t, struct o_loc *l)
{
	struct tm tm;

	localtime_r(&t, &tm);
	l->y = tm.tm_year + 1900;
	l->m = tm.tm_mon + 1;
	l->d = tm.tm_mday;
	l->wday = (tm.tm_wday + 6) % 7;
	l->min = tm.tm_hour * 60 + tm.tm_min;
}

/* Local midnights of the window's days in zone, by mktime. */
static int
o_bounds(const char *zone, struct tz_date from, struct tz_date to,
    time_t *b)
{
	struct tm tm;
	int k, n;

	oracle_zone(zone);
	for (k = 0;; k++) {
		memset(&tm, 0, sizeof(tm));
		tm.tm_year = from.year - 1900;
		tm.tm_mon = from.month - 1;
		tm.tm_mday = from.day + k;
		tm.tm_isdst = -1;
		b[k] = mktime(&tm);
		if (tm.tm_year + 1900 == to.year && tm.tm_mon + 1 == to.month &&
		    tm.tm_mday == to.day)
			n = k + 1;
		else
			continue;
		memset(&tm, 0, sizeof(tm));
		tm.tm_year = from.year - 1900;
		tm.tm_mon = from.month - 1;
		tm.tm_mday = from.day + n;
		tm.tm_isdst = -1;
		b[n] = mktime(&tm);
		return n;
	}
}

/*
 * Whether [start, start + dur) suits attendee a whose libc wall clock at
 * the two ends is s and e; *score as documented in slots.h.
 */
static int
o_fits(const struct o_att *a, const struct o_loc *s, const struct o_loc *e,
    time_t start, int dur, int relaxed, int *score)
{
	int k, lo = INT_MAX, hi = INT_MIN, ok = 0, sc = INT_MIN, x;
	size_t i;

	if (s->y != e->y || s->m != e->m || s->d != e->d)
		return 0;
	for (i = 0; i < a->nhol; i++)
		if (a->hol[i].year == s->y && a->hol[i].month == s->m &&
		    a->hol[i].day == s->d)
			return 0;
	for (i = 0; i < a->nbusy; i++)
		if (a->busy[i].start < start + dur * 60 &&
		    a->busy[i].end > start)
			return 0;
	for (k = 0; k < a->h->n; k++) {
		if (!(a->h->r[k].days & (1 << s->wday)))
			continue;
		if (a->h->r[k].start < lo)
			lo = a->h->r[k].start;
		if (a->h->r[k].end > hi)
			hi = a->h->r[k].end;
		if (!relaxed && a->h->r[k].start <= s->min &&
		    e->min <= a->h->r[k].end) {
			x = s->min - a->h->r[k].start;
			if (a->h->r[k].end - e->min < x)
				x = a->h->r[k].end - e->min;
			if (x > sc)
				sc = x;
			ok = 1;
		}
	}
	if (relaxed && lo < hi && (lo < 480 ? lo : 480) <= s->min &&
	    e->min <= (hi > 1200 ? hi : 1200)) {
		ok = 1;
		sc = s->min - lo < hi - e->min ? s->min - lo : hi - e->min;
	}
	*score = sc;
	return ok;
}

static int
o_better(const struct o_slot *x, const struct o_slot *y)
{
	if (x->score != y->score)
		return x->score > y->score;
	if (x->opt != y->opt)
		return x->opt > y->opt;
	return x->start < y->start;
}

/*
 * Runs the oracle; fills want[] (best first, at most SLOTS_MAX) and
 * returns how many grid starts were feasible.
 */
static int
o_run(const struct o_att *a, size_t na, const char *wzone,
    struct tz_date from, struct tz_date to, int dur, int relaxed,
    struct o_slot *want, int *nwant)
{
	static struct o_loc loc[8][MAXG];
	time_t b[SLOTS_MAX_DAYS + 2], t;
	struct o_slot best[SLOTS_MAX_DAYS], c, tmp;
	int nd, g, ng, day = 0, feasible = 0, i, j, sc, ok;
	size_t k;

	assert_true(na <= 8);
	nd = o_bounds(wzone, from, to, b);
	ng = (int)((b[nd] - b[0]) / GRID) + 1;
	assert_true(ng < MAXG);
	for (k = 0; k < na; k++) {
		oracle_zone(a[k].zone);
		for (g = 0; g < ng; g++)
			o_local(b[0] + (time_t)g * GRID, &loc[k][g]);
	}
	memset(best, 0, sizeof(best));
	for (i = 0; i < nd; i++)
		best[i].start = 0;
	for (g = 0; b[0] + (time_t)g * GRID + dur * 60 <= b[nd]; g++) {
		t = b[0] + (time_t)g * GRID;
		while (t >= b[day + 1])
			day++;
		c.start = t;
		c.score = INT_MAX;
		c.opt = 0;
		c.day = day;
		ok = 1;
		for (k = 0; k < na && ok; k++) {
			if (!a[k].required)
				continue;
			if (!o_fits(&a[k], &loc[k][g], &loc[k][g + dur / 15],
			    t, dur, relaxed, &sc))
				ok = 0;
			else if (sc < c.score)
				c.score = sc;
		}
		if (!ok)
			continue;
		for (k = 0; k < na; k++)
			if (!a[k].required && o_fits(&a[k], &loc[k][g],
			    &loc[k][g + dur / 15], t, dur, relaxed, &sc))
				c.opt++;
		feasible++;
		if (best[day].start == 0 || o_better(&c, &best[day]))
			best[day] = c;
	}
	/* Sort the days' bests, best first (selection sort: tiny). */
	for (i = 0; i < nd; i++)
		for (j = i + 1; j < nd; j++)
			if (best[j].start != 0 && (best[i].start == 0 ||
			    o_better(&best[j], &best[i]))) {
				tmp = best[i];
				best[i] = best[j];
				best[j] = tmp;
			}
	*nwant = 0;
	for (i = 0; i < nd && i < SLOTS_MAX && best[i].start != 0; i++)
		want[(*nwant)++] = best[i];
	return feasible;
}

/* libc: offset difference between two zones at t. */
static long
o_diff(const char *za, const char *zb, time_t t)
{
	struct tm tm;
	long a;

	oracle_zone(za);
	localtime_r(&t, &tm);
	a = tm.tm_gmtoff;
	oracle_zone(zb);
	localtime_r(&t, &tm);
	return a - tm.tm_gmtoff;
}

static int
o_mismatch(const struct o_att *a, size_t na, time_t t)
{
	size_t i, j;
	long now, before, after;

	for (i = 0; i < na; i++)
		for (j = i + 1; j < na; j++) {
			now = o_diff(a[i].zone, a[j].zone, t);
			before = o_diff(a[i].zone, a[j].zone, t - 35 * 86400);
			after = o_diff(a[i].zone, a[j].zone, t + 35 * 86400);
			if (before == after && now != before)
				return 1;
		}
	return 0;
}

static void
describe(const char *what, const struct o_att *a, size_t na,
    const struct slot *s)
{
	struct tm tm;
	char buf[64];
	size_t k;

	print_message("  %s: score %d%s%s:", what, s->score,
	    s->relaxed ? " relaxed" : "",
	    s->dst_mismatch ? " dst-mismatch" : "");
	for (k = 0; k < na; k++) {
		oracle_zone(a[k].zone);
		localtime_r(&s->start, &tm);
		strftime(buf, sizeof(buf), "%a %Y-%m-%d %H:%M %Z", &tm);
		print_message(" %s %s;", a[k].zone, buf);
	}
	print_message("\n");
}

/*
 * Runs slots_find() and the oracle on the same input and compares: the
 * same slots in the same order, the relaxed flag, the DST-mismatch flag;
 * each returned slot inside every required attendee's hours by libc's
 * clock, one per window day. Returns the result for further checks.
 */
static void
check_search(const char *what, const struct slot_attendee *sa,
    const struct o_att *oa, size_t na, const char *wzone,
    struct tz_date from, struct tz_date to, int dur,
    struct slot_result *res)
{
	struct slot_request r;
	struct o_slot want[SLOTS_MAX];
	struct o_loc s, e, ds, dt;
	int nwant, relaxed = 0, i, j, sc;
	size_t k;
	char *err;

	memset(&r, 0, sizeof(r));
	r.att = sa;
	r.natt = na;
	r.duration = dur;
	r.zone = wzone;
	r.from = from;
	r.to = to;
	assert_int_equal(slots_find(&r, res, &err), 0);
	assert_null(err);

	if (o_run(oa, na, wzone, from, to, dur, 0, want, &nwant) == 0) {
		relaxed = 1;
		o_run(oa, na, wzone, from, to, dur, 1, want, &nwant);
	}
	print_message("%s: %d slot(s)%s%s%s\n", what, res->n,
	    res->relaxed ? ", relaxed" : "", res->n ? "" : ": ",
	    res->reason);
	for (i = 0; i < res->n; i++)
		describe("got", oa, na, &res->slot[i]);
	assert_int_equal(res->n, nwant);
	if (nwant == 0) {
		seen_none++;
		assert_true(strlen(res->reason) > 0);
		return;
	}
	assert_int_equal(res->relaxed, relaxed);
	relaxed ? seen_relaxed++ : seen_normal++;
	assert_string_equal(res->reason, "");
	for (i = 0; i < res->n; i++) {
		const struct slot *sl = &res->slot[i];

		assert_int_equal(sl->start, want[i].start);
		assert_int_equal(sl->end, want[i].start + dur * 60);
		assert_int_equal(sl->score, want[i].score);
		assert_int_equal(sl->optional_ok, want[i].opt);
		assert_int_equal(sl->relaxed, relaxed);
		assert_int_equal(sl->dst_mismatch, o_mismatch(oa, na,
		    sl->start));
		sl->dst_mismatch ? seen_mismatch++ : seen_plain++;
		/* Inside every required attendee's (maybe relaxed) hours. */
		for (k = 0; k < na; k++) {
			if (!oa[k].required)
				continue;
			oracle_zone(oa[k].zone);
			o_local(sl->start, &s);
			o_local(sl->end, &e);
			assert_true(o_fits(&oa[k], &s, &e, sl->start, dur,
			    relaxed, &sc));
			if (!relaxed)
				assert_true(sc >= 0);
		}
		/* Ranked best first; one per day of the window. */
		if (i > 0)
			assert_true(sl->score <= res->slot[i - 1].score);
		oracle_zone(wzone);
		o_local(sl->start, &ds);
		for (j = 0; j < i; j++) {
			o_local(res->slot[j].start, &dt);
			assert_false(ds.y == dt.y && ds.m == dt.m &&
			    ds.d == dt.d);
		}
	}
}

static void
kyiv_with(const char *city, const char *zone, struct tz_date from,
    struct tz_date to, int dur, struct slot_result *res)
{
	struct slot_attendee sa[2];
	struct o_att oa[2];
	char what[128];

	memset(sa, 0, sizeof(sa));
	memset(oa, 0, sizeof(oa));
	sa[0].label = "Kyiv";
	sa[0].zone = oa[0].zone = "Europe/Kyiv";
	sa[0].hours = oa[0].h = &ua_hours;
	sa[1].label = city;
	sa[1].zone = oa[1].zone = zone;
	sa[1].hours = oa[1].h = &us_hours;
	sa[0].required = sa[1].required = oa[0].required = oa[1].required = 1;
	snprintf(what, sizeof(what), "Kyiv + %s %04d-%02d-%02d..%02d-%02d "
	    "%d min", zone, from.year, from.month, from.day, to.month, to.day,
	    dur);
	check_search(what, sa, oa, 2, "Europe/Kyiv", from, to, dur, res);
}

static void
kyiv_with_us_cities(struct tz_date from, struct tz_date to)
{
	static const int durs[] = { 30, 45, 60, 75, 90, 120 };
	struct slot_result res;
	size_t i, d;

	for (i = 0; i < nitems(us_cities); i++)
		for (d = 0; d < nitems(durs); d++) {
			kyiv_with(us_cities[i].label, us_cities[i].zone, from,
			    to, durs[d], &res);
			if (strcmp(us_cities[i].zone, "Pacific/Honolulu") == 0)
				assert_string_equal(res.reason,
				    "Honolulu (Pacific/Honolulu) and Kyiv "
				    "(Europe/Kyiv) share no working hour");
		}
}

static void
kyiv_with_us_cities_spring_2026(void **state)
{
	kyiv_with_us_cities(spring_from, spring_to);
}

static void
kyiv_with_us_cities_autumn_2026(void **state)
{
	kyiv_with_us_cities(autumn_from, autumn_to);
}

/* A plain February week: nobody's clocks move, no slot is flagged. */
static void
no_mismatch_in_february(void **state)
{
	struct tz_date f = { 2026, 2, 2 }, t = { 2026, 2, 13 };
	struct slot_result res;
	int i;

	kyiv_with("New York", "America/New_York", f, t, 60, &res);
	assert_int_equal(res.n, 3);
	for (i = 0; i < res.n; i++)
		assert_false(res.slot[i].dst_mismatch);
	/* Mid-March the same pair is flagged (the oracle agreed above). */
	kyiv_with("New York", "America/New_York", spring_from, spring_to, 60,
	    &res);
	assert_int_equal(res.n, 3);
	for (i = 0; i < res.n; i++)
		assert_true(res.slot[i].dst_mismatch);
}

/* Six attendees in four zones, one optional, some busy time. */
static void
mixed_group_with_busy_and_optional(void **state)
{
	struct slot_busy kb[2], nb[1];
	struct slot_attendee sa[6];
	struct o_att oa[6];
	struct slot_result res, again;
	const char *zones[6] = { "Europe/Kyiv", "Europe/Kyiv",
	    "America/New_York", "America/New_York", "America/Chicago",
	    "America/Los_Angeles" };
	const char *labels[6] = { "Olena", "Mark", "Madison", "Tempe",
	    "Lviv", "LA" };
	struct tm tm;
	size_t i;

	memset(sa, 0, sizeof(sa));
	memset(oa, 0, sizeof(oa));
	for (i = 0; i < 6; i++) {
		sa[i].label = labels[i];
		sa[i].zone = oa[i].zone = zones[i];
		sa[i].hours = oa[i].h = i < 2 ? &ua_hours : &us_hours;
		sa[i].required = oa[i].required = i != 5;
	}
	check_search("group", sa, oa, 6, "Europe/Kyiv", spring_from,
	    spring_to, 60, &res);
	assert_true(res.n == 3 && !res.relaxed);

	/* Make Olena busy over the best slot and Madison over the second. */
	kb[0].start = res.slot[0].start - 600;
	kb[0].end = res.slot[0].start + 600;
	kb[1].start = res.slot[0].start - 3 * 86400;	/* irrelevant */
	kb[1].end = kb[1].start + 3600;
	nb[0].start = res.slot[1].start;
	nb[0].end = res.slot[1].end;
	sa[0].busy = oa[0].busy = kb;
	sa[0].nbusy = oa[0].nbusy = 2;
	sa[2].busy = oa[2].busy = nb;
	sa[2].nbusy = oa[2].nbusy = 1;
	check_search("group, busy", sa, oa, 6, "Europe/Kyiv", spring_from,
	    spring_to, 60, &again);
	for (i = 0; i < (size_t)again.n; i++) {
		assert_true(again.slot[i].start != res.slot[0].start);
		assert_true(again.slot[i].start != res.slot[1].start);
	}
	/* Busy all day long: a day in Kyiv, by libc. */
	oracle_zone("Europe/Kyiv");
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = 126;
	tm.tm_mon = 2;
	tm.tm_mday = 10;
	tm.tm_isdst = -1;
	kb[0].start = mktime(&tm);
	kb[0].end = kb[0].start + 86400;
	sa[0].nbusy = oa[0].nbusy = 1;
	check_search("group, Olena busy on 03-10", sa, oa, 6, "Europe/Kyiv",
	    spring_from, spring_to, 60, &again);
}

/* Veterans Day (11 November) is a US federal holiday. */
static void
us_holidays_are_not_working_days(void **state)
{
	struct tz_date f = { 2026, 11, 9 }, t = { 2026, 11, 13 };
	struct tz_date vet = { 2026, 11, 11 };
	struct slot_attendee sa[2];
	struct o_att oa[2];
	struct slot_result res, plain;
	struct holidays *hs = holidays_new();
	struct buf errs;
	struct o_loc l;
	char *path;
	const char *top = getenv("TOP");
	int i, found = 0;

	buf_init(&errs);
	path = xasprintf("%s/contrib/holidays/us-federal.txt",
	    top ? top : ".");
	assert_int_equal(holidays_load(hs, path, &errs), 0);
	memset(sa, 0, sizeof(sa));
	memset(oa, 0, sizeof(oa));
	sa[0].label = "Kyiv";
	sa[0].zone = oa[0].zone = "Europe/Kyiv";
	sa[0].hours = oa[0].h = &ua_hours;
	sa[1].label = "New York";
	sa[1].zone = oa[1].zone = "America/New_York";
	sa[1].hours = oa[1].h = &us_hours;
	sa[0].required = sa[1].required = oa[0].required = oa[1].required = 1;
	check_search("no holidays", sa, oa, 2, "America/New_York", f, t, 60,
	    &plain);
	sa[1].holidays = hs;
	oa[1].hol = &vet;
	oa[1].nhol = 1;
	check_search("US holidays", sa, oa, 2, "America/New_York", f, t, 60,
	    &res);
	oracle_zone("America/New_York");
	for (i = 0; i < plain.n; i++) {
		o_local(plain.slot[i].start, &l);
		found += l.d == 11;
	}
	assert_int_equal(found, 1);	/* without holidays 11-11 was used */
	for (i = 0; i < res.n; i++) {
		o_local(res.slot[i].start, &l);
		assert_false(l.m == 11 && l.d == 11);
	}
	holidays_free(hs);
	buf_free(&errs);
	free(path);
}

static void
set_pair(struct slot_attendee *sa, const char *l0, const char *z0,
    const char *l1, const char *z1)
{
	memset(sa, 0, 2 * sizeof(*sa));
	sa[0].label = l0;
	sa[0].zone = z0;
	sa[0].hours = strstr(z0, "Europe") ? &ua_hours : &us_hours;
	sa[1].label = l1;
	sa[1].zone = z1;
	sa[1].hours = strstr(z1, "Europe") ? &ua_hours : &us_hours;
	sa[0].required = sa[1].required = 1;
}

static const char *
find_reason(const struct slot_attendee *sa, size_t n, struct tz_date f,
    struct tz_date t, int dur, struct slot_result *res)
{
	struct slot_request r;
	char *err;

	memset(&r, 0, sizeof(r));
	r.att = sa;
	r.natt = n;
	r.duration = dur;
	r.zone = "Europe/Kyiv";
	r.from = f;
	r.to = t;
	assert_int_equal(slots_find(&r, res, &err), 0);
	assert_int_equal(res->n, 0);
	return res->reason;
}

/*
 * Kyiv and Honolulu: libc confirms their relaxed days (08:00-20:00) never
 * meet in the windows; the reason names them the same way whatever the
 * order, and also in a group where only that pair fails.
 */
static void
explanation_names_the_pair(void **state)
{
	const char *want = "Honolulu (Pacific/Honolulu) and Kyiv "
	    "(Europe/Kyiv) share no working hour";
	struct slot_attendee sa[3], tmp;
	struct slot_result res;
	struct o_loc a, b;
	time_t bnd[SLOTS_MAX_DAYS + 2], t;
	int nd, meet = 0, p;

	nd = o_bounds("Europe/Kyiv", spring_from, spring_to, bnd);
	for (t = bnd[0]; t < bnd[nd]; t += GRID) {
		oracle_zone("Europe/Kyiv");
		o_local(t, &a);
		oracle_zone("Pacific/Honolulu");
		o_local(t, &b);
		meet += a.wday < 5 && b.wday < 5 && a.min >= 480 &&
		    a.min < 1200 && b.min >= 480 && b.min < 1200;
	}
	assert_int_equal(meet, 0);

	set_pair(sa, "Kyiv", "Europe/Kyiv", "Honolulu", "Pacific/Honolulu");
	assert_string_equal(find_reason(sa, 2, spring_from, spring_to, 60,
	    &res), want);
	set_pair(sa, "Honolulu", "Pacific/Honolulu", "Kyiv", "Europe/Kiev");
	assert_string_equal(find_reason(sa, 2, autumn_from, autumn_to, 30,
	    &res), want);
	/* Three attendees in every order: New York meets both others. */
	for (p = 0; p < 6; p++) {
		set_pair(sa, "Kyiv", "Europe/Kyiv", "Honolulu",
		    "Pacific/Honolulu");
		sa[2] = sa[1];
		sa[2].label = "New York";
		sa[2].zone = "America/New_York";
		tmp = sa[p % 3];
		sa[p % 3] = sa[(p + 1) % 3];
		sa[(p + 1) % 3] = tmp;
		if (p >= 3) {
			tmp = sa[0];
			sa[0] = sa[2];
			sa[2] = tmp;
		}
		assert_string_equal(find_reason(sa, 3, spring_from,
		    spring_to, 60, &res), want);
	}
	/* An optional Honolulu restricts nothing. */
	set_pair(sa, "Kyiv", "Europe/Kyiv", "New York", "America/New_York");
	sa[2] = sa[1];
	sa[2].label = "Honolulu";
	sa[2].zone = "Pacific/Honolulu";
	sa[2].required = 0;
	{
		struct o_att oa[3];
		int i;

		memset(oa, 0, sizeof(oa));
		for (i = 0; i < 3; i++) {
			oa[i].zone = sa[i].zone;
			oa[i].h = sa[i].hours;
			oa[i].required = sa[i].required;
		}
		check_search("optional Honolulu", sa, oa, 3, "Europe/Kyiv",
		    spring_from, spring_to, 60, &res);
		assert_true(res.n > 0);
	}
}

static void
other_reasons(void **state)
{
	struct tz_date sat = { 2026, 3, 14 }, sun = { 2026, 3, 15 };
	struct tz_date f = { 2026, 3, 16 }, t = { 2026, 3, 20 };
	struct slot_attendee sa[2];
	struct slot_result res;
	struct slot_busy all = { 0, (time_t)4102444800LL };
	struct holidays *hs = holidays_new();
	struct tz_date d;

	set_pair(sa, "Kyiv", "Europe/Kyiv", "New York", "America/New_York");
	assert_string_equal(find_reason(sa, 2, sat, sun, 60, &res),
	    "Kyiv (Europe/Kyiv) has no working hours in the window");
	/* Hours on paper that leave less than the meeting. */
	assert_string_equal(find_reason(sa, 2, f, t, 24 * 60 - 60, &res),
	    "Kyiv (Europe/Kyiv) has no 1380-minute stretch of working time "
	    "in the window");
	sa[1].busy = &all;
	sa[1].nbusy = 1;
	assert_string_equal(find_reason(sa, 2, f, t, 60, &res),
	    "every common working time in the window is already busy");
	sa[1].nbusy = 0;
	for (d = f; d.day <= t.day; d.day++)
		assert_int_equal(holidays_add(hs, d, "test"), 0);
	sa[0].holidays = hs;
	assert_string_equal(find_reason(sa, 2, f, t, 60, &res),
	    "public holidays leave no common working time in the window");
	holidays_free(hs);
}

static void
bad_requests_are_refused(void **state)
{
	struct slot_attendee sa[2];
	struct slot_request r;
	struct slot_result res;
	char *err;

	set_pair(sa, "Kyiv", "Europe/Kyiv", "New York", "America/New_York");
	memset(&r, 0, sizeof(r));
	r.att = sa;
	r.natt = 2;
	r.duration = 60;
	r.zone = "Europe/Kyiv";
	r.from = spring_from;
	r.to = spring_to;
	assert_int_equal(slots_find(&r, &res, &err), 0);
	r.duration = 0;
	assert_int_equal(slots_find(&r, &res, &err), -1);
	assert_non_null(strstr(err, "duration"));
	free(err);
	r.duration = 60;
	r.to = spring_from;
	r.from = spring_to;
	assert_int_equal(slots_find(&r, &res, &err), -1);
	free(err);
	r.from = spring_from;
	r.to.year = 2027;
	assert_int_equal(slots_find(&r, &res, &err), -1);
	free(err);
	r.to = spring_to;
	sa[1].zone = "America/Nowhere";
	assert_int_equal(slots_find(&r, &res, &err), -1);
	assert_non_null(strstr(err, "America/Nowhere"));
	free(err);
	sa[1].zone = "America/New_York";
	r.zone = "Mars/Olympus";
	assert_int_equal(slots_find(&r, &res, &err), -1);
	free(err);
	r.zone = "Europe/Kyiv";
	sa[0].required = sa[1].required = 0;
	assert_int_equal(slots_find(&r, &res, &err), -1);
	assert_non_null(strstr(err, "required"));
	free(err);
}

/* The data files. Dates by the rules of 5 U.S.C. 6103, weekdays by libc. */
static int
libc_wday(int y, int m, int d)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	tm.tm_hour = 12;
	timegm(&tm);
	return tm.tm_wday;		/* 0 = Sunday */
}

/* The n-th (n > 0) or last (n = -1) weekday wd (0 = Sunday) of a month. */
static int
nth_day(int y, int m, int wd, int n)
{
	int d, last = 0, k = 0;

	for (d = 1; d <= 31; d++) {
		struct tz_date dt = { y, m, d };

		if (!tz_date_valid(dt))
			break;
		if (libc_wday(y, m, d) == wd) {
			last = d;
			if (++k == n)
				return d;
		}
	}
	return last;
}

static char *
data_path(const char *name)
{
	const char *top = getenv("TOP");

	return xasprintf("%s/contrib/holidays/%s", top ? top : ".", name);
}

static void
us_federal_file_follows_the_law(void **state)
{
	static const int fixed[][2] = { { 1, 1 }, { 6, 19 }, { 7, 4 },
	    { 11, 11 }, { 12, 25 } };
	static const int floating[][3] = {	/* month, weekday, n */
		{ 1, 1, 3 }, { 2, 1, 3 }, { 5, 1, -1 }, { 9, 1, 1 },
		{ 10, 1, 2 }, { 11, 4, 4 } };
	struct holidays *hs = holidays_new();
	struct buf errs;
	char *path = data_path("us-federal.txt");
	int y, i, wd, n = 0;

	buf_init(&errs);
	assert_int_equal(holidays_load(hs, path, &errs), 0);
	for (y = 2025; y <= 2030; y++) {
		for (i = 0; i < (int)nitems(fixed); i++) {
			struct tz_date d = { y, fixed[i][0], fixed[i][1] };
			int64_t days = tz_days_from_date(d);

			wd = libc_wday(y, d.month, d.day);
			days += wd == 6 ? -1 : wd == 0 ? 1 : 0;
			assert_non_null(holidays_lookup_days(hs, days));
			n++;
		}
		for (i = 0; i < (int)nitems(floating); i++) {
			struct tz_date d = { y, floating[i][0],
			    nth_day(y, floating[i][0], floating[i][1],
			    floating[i][2]) };

			assert_non_null(holidays_lookup(hs, d));
			n++;
		}
	}
	/* Nothing else, and every listed day is a weekday. */
	assert_int_equal(holidays_count(hs), n);
	assert_int_equal(n, 66);
	assert_non_null(holidays_lookup(hs, (struct tz_date){ 2027, 12, 31 }));
	assert_null(holidays_lookup(hs, (struct tz_date){ 2028, 1, 1 }));
	assert_null(holidays_lookup(hs, (struct tz_date){ 2026, 3, 8 }));
	holidays_free(hs);
	buf_free(&errs);
	free(path);
}

static void
ua_file_has_the_labour_code_days(void **state)
{
	static const int fixed[][2] = { { 1, 1 }, { 3, 8 }, { 5, 1 },
	    { 5, 8 }, { 6, 28 }, { 7, 15 }, { 8, 24 }, { 10, 1 },
	    { 12, 25 } };
	struct holidays *hs = holidays_new();
	struct buf errs;
	char *path = data_path("ua.txt");
	int y, i, a, b, c, d, e, n = 0;
	int64_t pascha;

	buf_init(&errs);
	assert_int_equal(holidays_load(hs, path, &errs), 0);
	for (y = 2025; y <= 2030; y++) {
		for (i = 0; i < (int)nitems(fixed); i++) {
			assert_non_null(holidays_lookup(hs,
			    (struct tz_date){ y, fixed[i][0], fixed[i][1] }));
			n++;
		}
		/* Julian Easter (Meeus), then 13 days to the Gregorian. */
		a = y % 4;
		b = y % 7;
		c = y % 19;
		d = (19 * c + 15) % 30;
		e = (2 * a + 4 * b - d + 34) % 7;
		pascha = tz_days_from_date((struct tz_date){ y,
		    (d + e + 114) / 31, (d + e + 114) % 31 + 1 }) + 13;
		assert_int_equal(tz_weekday(pascha), 6);
		assert_non_null(holidays_lookup_days(hs, pascha));
		assert_non_null(holidays_lookup_days(hs, pascha + 49));
		n += 2;
	}
	assert_int_equal(holidays_count(hs), n);
	assert_null(holidays_lookup(hs, (struct tz_date){ 2026, 1, 7 }));
	holidays_free(hs);
	buf_free(&errs);
	free(path);
}

static void
holiday_files_report_every_error(void **state)
{
	char path[] = "/tmp/mistok-hol-XXXXXX";
	struct holidays *hs = holidays_new();
	struct buf errs;
	FILE *fp;
	int fd;

	buf_init(&errs);
	assert_true((fd = mkstemp(path)) >= 0);
	assert_non_null(fp = fdopen(fd, "w"));
	fputs("# comment\n\n2026-12-24 Christmas Eve\n"
	    "2026-02-30 Nonsense\n"
	    "2026-12-31\n"
	    "tomorrow Party\n"
	    "2026-12-3 Short\n", fp);
	fclose(fp);
	assert_int_equal(holidays_load(hs, path, &errs), 4);
	assert_int_equal(holidays_count(hs), 0);	/* all or nothing */
	assert_non_null(strstr(errs.data, ":4: \"2026-02-30\" is not a date"));
	assert_non_null(strstr(errs.data, ":5: 2026-12-31: missing"));
	assert_non_null(strstr(errs.data, ":6: "));
	assert_non_null(strstr(errs.data, ":7: "));
	assert_null(strstr(errs.data, ":3:"));
	assert_non_null(fp = fopen(path, "w"));
	fputs("  2026-12-24\tChristmas Eve  \n2026-12-24 Again\n", fp);
	fclose(fp);
	buf_reset(&errs);
	assert_int_equal(holidays_load(hs, path, &errs), 0);
	assert_int_equal(holidays_count(hs), 1);
	assert_string_equal(holidays_lookup(hs,
	    (struct tz_date){ 2026, 12, 24 }), "Christmas Eve");
	unlink(path);
	assert_int_equal(holidays_load(hs, path, &errs), 1);
	holidays_free(hs);
	buf_free(&errs);
}

/* Runs last: each kind of outcome was seen above. */
static void
every_branch_was_exercised(void **state)
{
	print_message("normal %d, relaxed %d, none %d; slots flagged %d, "
	    "plain %d\n", seen_normal, seen_relaxed, seen_none,
	    seen_mismatch, seen_plain);
	assert_true(seen_normal > 0);
	assert_true(seen_relaxed > 0);
	assert_true(seen_none > 0);
	assert_true(seen_mismatch > 0);
	assert_true(seen_plain > 0);
}

static int
teardown(void **state)
{
	tz_cache_clear();
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(kyiv_with_us_cities_spring_2026),
		cmocka_unit_test(kyiv_with_us_cities_autumn_2026),
		cmocka_unit_test(no_mismatch_in_february),
		cmocka_unit_test(mixed_group_with_busy_and_optional),
		cmocka_unit_test(us_holidays_are_not_working_days),
		cmocka_unit_test(explanation_names_the_pair),
		cmocka_unit_test(other_reasons),
		cmocka_unit_test(bad_requests_are_refused),
		cmocka_unit_test(us_federal_file_follows_the_law),
		cmocka_unit_test(ua_file_has_the_labour_code_days),
		cmocka_unit_test(holiday_files_report_every_error),
		cmocka_unit_test(every_branch_was_exercised),
	};

	return cmocka_run_group_tests(tests, NULL, teardown);
}
