/*
 * tz: the TZif reader against glibc as an independent oracle. glibc reads
 * the same tzdata with its own code (setenv("TZ") + tzset + localtime_r),
 * so every expected offset, abbreviation and wall-clock time below comes
 * from the tz database through libc, never from this file.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tz.h"
#include "util.h"

#define T2025	1735689600	/* 2025-01-01T00:00:00Z */
#define T2031	1924992000	/* 2031-01-01T00:00:00Z */
#define MAXTRANS 64

static const struct {
	const char	*name;
	int		 dst;		/* changes clocks in 2025-2030 */
} zones[] = {
	{ "Europe/Kyiv", 1 },
	{ "America/New_York", 1 },
	{ "America/Chicago", 1 },
	{ "America/Denver", 1 },
	{ "America/Phoenix", 0 },
	{ "America/Los_Angeles", 1 },
	{ "America/Anchorage", 1 },
	{ "Pacific/Honolulu", 0 },
	{ "Europe/London", 1 },
	{ "Europe/Dublin", 1 },		/* negative DST in the data */
	{ "Europe/Berlin", 1 },
	{ "Australia/Sydney", 1 },	/* southern hemisphere */
	{ "Australia/Lord_Howe", 1 },	/* 30-minute DST */
	{ "Asia/Kolkata", 0 },
	{ "Asia/Kathmandu", 0 },	/* +05:45 */
	{ "America/St_Johns", 1 },	/* -03:30 */
	{ "Pacific/Chatham", 1 },	/* +12:45 */
	{ "Africa/Casablanca", 1 },	/* Ramadan changes, table to 2087 */
	{ "America/Santiago", 1 },
	{ "Asia/Tehran", 0 },		/* <+0330>-3:30 footer */
	{ "America/Nuuk", 1 },		/* negative rule times in the footer */
	{ "America/Sao_Paulo", 0 },
	{ "Pacific/Apia", 0 },
	{ "Asia/Gaza", 1 },
	{ "UTC", 0 },
};

struct trans {
	time_t	t;		/* first second of the new offset */
	long	before;		/* gmtoff at t - 1 */
	long	after;
};

static void
oracle_zone(const char *name)
{
	setenv("TZ", name, 1);
	tzset();
}

/* libc's view of t in the current oracle zone. */
static void
oracle(time_t t, struct tm *tm)
{
	localtime_r(&t, tm);
}

/* Compares tz_local() with libc; returns 0 when equal, else prints. */
static int
same_local(const char *zone, const struct tz *z, time_t t)
{
	struct tm tm;
	struct tz_local l;

	oracle(t, &tm);
	tz_local(z, t, &l);
	if (l.year == tm.tm_year + 1900 && l.month == tm.tm_mon + 1 &&
	    l.day == tm.tm_mday && l.hour == tm.tm_hour &&
	    l.min == tm.tm_min && l.sec == tm.tm_sec &&
	    l.wday == (tm.tm_wday + 6) % 7 && l.yday == tm.tm_yday &&
	    l.utoff == tm.tm_gmtoff && l.isdst == (tm.tm_isdst > 0) &&
	    strcmp(l.abbr, tm.tm_zone) == 0 && tz_offset(z, t) == l.utoff)
		return 0;
	print_message("%s at %lld: libc %04d-%02d-%02d %02d:%02d:%02d %s "
	    "%ld dst %d, tz %04d-%02d-%02d %02d:%02d:%02d %s %d dst %d\n",
	    zone, (long long)t, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
	    tm.tm_hour, tm.tm_min, tm.tm_sec, tm.tm_zone, tm.tm_gmtoff,
	    tm.tm_isdst, l.year, l.month, l.day, l.hour, l.min, l.sec, l.abbr,
	    l.utoff, l.isdst);
	return 1;
}

static int
differs(const struct tm *a, const struct tm *b)
{
	return a->tm_gmtoff != b->tm_gmtoff || a->tm_isdst != b->tm_isdst ||
	    strcmp(a->tm_zone, b->tm_zone) != 0;
}

/*
 * Every 30 minutes (at varying seconds) of 2025-2030, and each transition
 * to the second, found by bisection with libc. Fills tr[] for later tests.
 */
static size_t
scan_zone(const char *zone, const struct tz *z, struct trans *tr,
    int *bad)
{
	struct tm prev, cur, m;
	time_t t, lo, hi, mid;
	size_t n = 0;

	oracle_zone(zone);
	oracle(T2025, &prev);
	for (t = T2025; t < T2031; t += 1800) {
		time_t s = t + (t / 1800 * 7919) % 1800;

		*bad += same_local(zone, z, s);
		oracle(t, &cur);
		if (t > T2025 && differs(&prev, &cur)) {
			lo = t - 1800;
			hi = t;		/* prev at lo, cur at hi */
			while (hi - lo > 1) {
				mid = lo + (hi - lo) / 2;
				oracle(mid, &m);
				if (differs(&prev, &m))
					hi = mid;
				else
					lo = mid;
			}
			*bad += same_local(zone, z, hi - 1);
			*bad += same_local(zone, z, hi);
			if (n < MAXTRANS && prev.tm_gmtoff != cur.tm_gmtoff) {
				tr[n].t = hi;
				tr[n].before = prev.tm_gmtoff;
				tr[n].after = cur.tm_gmtoff;
				n++;
			}
		}
		prev = cur;
	}
	return n;
}

static void
local_time_matches_libc_2025_2030(void **state)
{
	struct trans tr[MAXTRANS];
	const struct tz *z;
	char *err;
	size_t i, n;
	int bad = 0;

	for (i = 0; i < nitems(zones); i++) {
		z = tz_get(zones[i].name, &err);
		assert_non_null(z);
		assert_null(err);
		n = scan_zone(zones[i].name, z, tr, &bad);
		if (zones[i].dst && n < 10) {
			print_message("%s: only %zu transitions\n",
			    zones[i].name, n);
			bad++;
		}
	}
	assert_int_equal(bad, 0);
}

static uint64_t
lcg(uint64_t *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return *s >> 17;
}

/* Random instants from 1900 to 2200: the table, before it, past it. */
static void
random_instants_match_libc_1900_2200(void **state)
{
	const int64_t lo = -2208988800LL, hi = 7258118400LL;
	const struct tz *z;
	uint64_t seed = 42;
	char *err;
	size_t i;
	int k, bad = 0;

	for (i = 0; i < nitems(zones); i++) {
		assert_non_null(z = tz_get(zones[i].name, &err));
		oracle_zone(zones[i].name);
		for (k = 0; k < 3000; k++)
			bad += same_local(zones[i].name, z,
			    (time_t)(lo + (int64_t)(lcg(&seed) %
			    (uint64_t)(hi - lo))));
	}
	assert_int_equal(bad, 0);
}

/*
 * The oracle for local → UTC: the readings L - offset with the offsets in
 * force two days either side, kept when libc shows L for them.
 */
struct expect {
	enum tz_kind	kind;
	time_t		fold0;
	time_t		fold1;
};

static int
shows(time_t c, time_t l)
{
	struct tm tm;

	oracle(c, &tm);
	return timegm(&tm) == l;
}

static int
expected_utc(time_t l, struct expect *e)
{
	struct tm a, b;
	time_t ca, cb;
	int va, vb;

	oracle(l - 2 * 86400, &a);
	oracle(l + 2 * 86400, &b);
	ca = l - a.tm_gmtoff;
	cb = l - b.tm_gmtoff;
	va = shows(ca, l);
	vb = shows(cb, l);
	if (va && vb && ca != cb) {
		e->kind = TZ_OVERLAP;
		e->fold0 = ca < cb ? ca : cb;
		e->fold1 = ca < cb ? cb : ca;
	} else if (va || vb) {
		e->kind = TZ_UNIQUE;
		e->fold0 = e->fold1 = va ? ca : cb;
	} else {
		e->kind = TZ_GAP;
		e->fold0 = ca;		/* offset before the change */
		e->fold1 = cb;
	}
	return 0;
}

static int
check_utc(const char *zone, const struct tz *z, time_t l, int *ngap,
    int *nover)
{
	struct expect e;
	struct tm g;
	struct tz_date dt;
	enum tz_kind k0, k1;
	time_t r0, r1;

	expected_utc(l, &e);
	gmtime_r(&l, &g);
	dt.year = g.tm_year + 1900;
	dt.month = g.tm_mon + 1;
	dt.day = g.tm_mday;
	r0 = tz_utc(z, dt, g.tm_hour, g.tm_min, g.tm_sec, 0, &k0);
	r1 = tz_utc(z, dt, g.tm_hour, g.tm_min, g.tm_sec, 1, &k1);
	*ngap += e.kind == TZ_GAP;
	*nover += e.kind == TZ_OVERLAP;
	if (r0 == e.fold0 && r1 == e.fold1 && k0 == e.kind && k1 == e.kind)
		return 0;
	print_message("%s local %04d-%02d-%02d %02d:%02d:%02d: expected "
	    "kind %d %lld/%lld, got %d/%d %lld/%lld\n", zone, dt.year,
	    dt.month, dt.day, g.tm_hour, g.tm_min, g.tm_sec, e.kind,
	    (long long)e.fold0, (long long)e.fold1, k0, k1, (long long)r0,
	    (long long)r1);
	return 1;
}

static void
local_to_utc_gaps_and_overlaps_match_libc(void **state)
{
	struct trans tr[MAXTRANS];
	const struct tz *z;
	uint64_t seed = 7;
	char *err;
	size_t i, j, n;
	int bad = 0, ngap = 0, nover = 0, k, scan_bad = 0;
	time_t l, lo, hi;

	for (i = 0; i < nitems(zones); i++) {
		assert_non_null(z = tz_get(zones[i].name, &err));
		n = scan_zone(zones[i].name, z, tr, &scan_bad);
		for (j = 0; j < n; j++) {
			long mn = tr[j].before < tr[j].after ? tr[j].before :
			    tr[j].after;
			long mx = tr[j].before < tr[j].after ? tr[j].after :
			    tr[j].before;

			lo = tr[j].t + mn - 5400;
			hi = tr[j].t + mx + 5400;
			for (l = lo; l <= hi; l += 900)
				bad += check_utc(zones[i].name, z, l, &ngap,
				    &nover);
			/* The edges, to the second. */
			bad += check_utc(zones[i].name, z, tr[j].t + mn - 1,
			    &ngap, &nover);
			bad += check_utc(zones[i].name, z, tr[j].t + mn,
			    &ngap, &nover);
			bad += check_utc(zones[i].name, z, tr[j].t + mx - 1,
			    &ngap, &nover);
			bad += check_utc(zones[i].name, z, tr[j].t + mx,
			    &ngap, &nover);
		}
		for (k = 0; k < 2000; k++)
			bad += check_utc(zones[i].name, z, T2025 +
			    (time_t)(lcg(&seed) % (T2031 - T2025)), &ngap,
			    &nover);
	}
	print_message("local->utc: %d gap and %d overlap readings checked\n",
	    ngap, nover);
	assert_int_equal(scan_bad, 0);
	assert_true(ngap > 100);
	assert_true(nover > 100);
	assert_int_equal(bad, 0);
}

static void
kiev_is_kyiv_and_cached(void **state)
{
	const struct tz *a, *b, *c;
	char *err;

	assert_non_null(a = tz_get("Europe/Kiev", &err));
	assert_string_equal(tz_name(a), "Europe/Kyiv");
	assert_non_null(b = tz_get("Europe/Kyiv", &err));
	assert_ptr_equal(a, b);
	assert_non_null(c = tz_get("Europe/Kiev", &err));
	assert_ptr_equal(a, c);
	assert_string_equal(tz_name(tz_get("America/New_York", &err)),
	    "America/New_York");
}

static void
bad_names_are_refused(void **state)
{
	const char *bad[] = { "", "/etc/passwd", "../etc/passwd",
	    "America/../../etc/passwd", "Europe/", "No/Such_Zone",
	    "America//New_York", "Europe/Kyiv;rm", "./UTC" };
	char *err;
	size_t i;

	for (i = 0; i < nitems(bad); i++) {
		assert_null(tz_get(bad[i], &err));
		assert_non_null(err);
		free(err);
	}
	assert_null(tz_get("No/Such_Zone", &err));
	assert_non_null(strstr(err, "No/Such_Zone"));
	free(err);
}

/*
 * A "slim" TZif file (transitions only until the rules settle, then the
 * footer) built with zic: the footer path must agree with libc too.
 */
static void
slim_files_use_the_footer(void **state)
{
	char dir[] = "/tmp/mistok-tz-XXXXXX", *src, *cmd, *err;
	const char *names[] = { "Test/Slim", "Test/South", "Test/Nuuk" };
	const struct tz *z;
	FILE *fp;
	uint64_t seed = 99;
	size_t i;
	int k, bad = 0, rc;

	if (system("command -v zic >/dev/null 2>&1 || "
	    "test -x /usr/sbin/zic") != 0)
		skip();
	assert_non_null(mkdtemp(dir));
	src = xasprintf("%s/src", dir);
	assert_non_null(fp = fopen(src, "w"));
	fputs("Rule Tst 2007 max - Mar Sun>=8 2:00 1:00 D\n"
	    "Rule Tst 2007 max - Nov Sun>=1 2:00 0 S\n"
	    "Zone Test/Slim -5:00 Tst E%sT\n"
	    "Rule Ts2 2008 max - Oct Sun>=1 2:00s 1:00 D\n"
	    "Rule Ts2 2008 max - Apr Sun>=1 2:00s 0 S\n"
	    "Zone Test/South 10:00 Ts2 AE%sT\n"
	    "Rule Tnk 2024 max - Mar lastSun 1:00u 1:00 -\n"
	    "Rule Tnk 2024 max - Oct lastSun 1:00u 0 -\n"
	    "Zone Test/Nuuk -2:00 Tnk %z\n", fp);
	fclose(fp);
	cmd = xasprintf("PATH=$PATH:/usr/sbin zic -b slim -d %s %s", dir,
	    src);
	rc = system(cmd);
	free(cmd);
	assert_int_equal(rc, 0);
	setenv("TZDIR", dir, 1);
	for (i = 0; i < nitems(names); i++) {
		assert_non_null(z = tz_get(names[i], &err));
		oracle_zone(names[i]);
		for (k = 0; k < 20000; k++)
			bad += same_local(names[i], z, (time_t)(T2025 +
			    (int64_t)(lcg(&seed) % (7258118400ULL - T2025))));
		for (k = 0; k < 300; k++) {
			int dummy0 = 0, dummy1 = 0;

			bad += check_utc(names[i], z, (time_t)(T2025 +
			    (int64_t)(lcg(&seed) % (4102444800ULL - T2025))),
			    &dummy0, &dummy1);
		}
	}
	unsetenv("TZDIR");
	tz_cache_clear();
	cmd = xasprintf("rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(src);
	assert_int_equal(bad, 0);
}

static void
calendar_matches_libc(void **state)
{
	uint64_t seed = 3;
	struct tz_date dt, back;
	struct tm tm;
	time_t t;
	int64_t days;
	int k;

	for (k = 0; k < 100000; k++) {
		days = (int64_t)(lcg(&seed) % 2000000) - 1000000;
		t = (time_t)(days * 86400);
		gmtime_r(&t, &tm);
		dt = tz_date_from_days(days);
		assert_int_equal(dt.year, tm.tm_year + 1900);
		assert_int_equal(dt.month, tm.tm_mon + 1);
		assert_int_equal(dt.day, tm.tm_mday);
		assert_int_equal(tz_weekday(days), (tm.tm_wday + 6) % 7);
		assert_true(tz_date_valid(dt));
		back = dt;
		assert_int_equal(tz_days_from_date(back), days);
	}
	assert_int_equal(tz_date_parse("2026-03-29", &dt), 0);
	assert_int_equal(dt.year, 2026);
	assert_int_equal(dt.month, 3);
	assert_int_equal(dt.day, 29);
	assert_int_equal(tz_date_parse("2026-02-29", &dt), -1);
	assert_int_equal(tz_date_parse("2028-02-29", &dt), 0);
	assert_int_equal(tz_date_parse("2026-3-29", &dt), -1);
	assert_int_equal(tz_date_parse("2026-03-290", &dt), -1);
	assert_int_equal(tz_date_parse("2026-13-01", &dt), -1);
	assert_int_equal(tz_date_parse("", &dt), -1);
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
		cmocka_unit_test(local_time_matches_libc_2025_2030),
		cmocka_unit_test(random_instants_match_libc_1900_2200),
		cmocka_unit_test(local_to_utc_gaps_and_overlaps_match_libc),
		cmocka_unit_test(kiev_is_kyiv_and_cached),
		cmocka_unit_test(bad_names_are_refused),
		cmocka_unit_test(slim_files_use_the_footer),
		cmocka_unit_test(calendar_matches_libc),
	};

	return cmocka_run_group_tests(tests, NULL, teardown);
}
