/*
 * slotbench: times slots_find() for 6 attendees in 4 zones over 14 days
 * (issue 6: goal < 1 ms per search) and prints the time per search; it
 * asserts nothing. Usage: slotbench [us-federal.txt]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "holidays.h"
#include "slots.h"
#include "tz.h"
#include "util.h"

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* Runs r for about 0.3 s; prints one line. Returns 0, or 1 on error. */
static int
bench(const char *what, const struct slot_request *r)
{
	struct slot_result res;
	double t0, first, total;
	long n = 0;
	char *err;

	t0 = now_us();
	if (slots_find(r, &res, &err) == -1) {
		fprintf(stderr, "slotbench: %s\n", err);
		free(err);
		return 1;
	}
	first = now_us() - t0;
	t0 = now_us();
	do {
		slots_find(r, &res, &err);
		n++;
	} while (n < 200000 && (n < 100 || now_us() - t0 < 300000));
	total = now_us() - t0;
	printf("slots: %s: %d slot(s)%s; %.1f us per search (%ld searches; "
	    "the first, loading zones, %.0f us); goal < 1000 us\n", what,
	    res.n, res.relaxed ? " relaxed" : "", total / n, n, first);
	if (res.n == 0)
		printf("slots:   reason: %s\n", res.reason);
	return 0;
}

int
main(int argc, char *argv[])
{
	static const struct hours ua = { 1, { { 0x1f, 9 * 60, 18 * 60 } } };
	static const struct hours us = { 1, { { 0x1f, 9 * 60, 17 * 60 } } };
	const char *zones[6] = { "Europe/Kyiv", "Europe/Kyiv",
	    "America/New_York", "America/New_York", "America/Chicago",
	    "America/Denver" };
	const char *labels[6] = { "Lviv", "Kharkiv", "Madison", "Boston",
	    "Chicago", "Denver" };
	struct slot_busy busy[6][10];
	struct slot_attendee att[6];
	struct slot_request r;
	struct holidays *hs = holidays_new();
	struct buf errs;
	struct tz_date from = { 2026, 3, 9 }, to = { 2026, 3, 22 };
	time_t base;
	int i, k, rc = 0;

	buf_init(&errs);
	if (argc > 1 && holidays_load(hs, argv[1], &errs) != 0) {
		fprintf(stderr, "slotbench: %s", errs.data);
		return 1;
	}
	/* Ten one-hour meetings per attendee spread over the window. */
	base = 1773014400;	/* 2026-03-09T00:00:00Z */
	memset(att, 0, sizeof(att));
	for (i = 0; i < 6; i++) {
		for (k = 0; k < 10; k++) {
			busy[i][k].start = base + k * 129600 + i * 5400 +
			    13 * 3600;
			busy[i][k].end = busy[i][k].start + 3600;
		}
		att[i].label = labels[i];
		att[i].zone = zones[i];
		att[i].hours = i < 2 ? &ua : &us;
		att[i].required = 1;
		att[i].holidays = i < 2 ? NULL : hs;
		att[i].busy = busy[i];
		att[i].nbusy = 10;
	}
	memset(&r, 0, sizeof(r));
	r.att = att;
	r.natt = 6;
	r.duration = 60;
	r.zone = "Europe/Kyiv";
	r.from = from;
	r.to = to;
	rc |= bench("6 attendees in 4 zones, 14 days, 60 min", &r);
	/* Worst case: nothing fits, relaxed fails too, then the reason. */
	att[5].zone = "Pacific/Honolulu";
	att[5].label = "Honolulu";
	rc |= bench("same with Honolulu (relaxed, then the reason)", &r);
	holidays_free(hs);
	buf_free(&errs);
	tz_cache_clear();
	return rc;
}
