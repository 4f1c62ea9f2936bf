/*
 * invite: REQUEST/CANCEL as written (every required property, escaping,
 * quoting, folding), the round trip through the reader, replies in the
 * shapes Gmail, Outlook, Apple Calendar and Thunderbird send
 * (tests/data/ical), time zones (VTIMEZONE, Windows names, IANA names,
 * floating, dates) and broken input. Expected instants come from the tz
 * module (the system tzdata), never typed as offsets.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "invite.h"
#include "tz.h"
#include "util.h"

/* 2026-03-05T12:00:00Z: the fake "now" for DTSTAMP. */
#define NOW	1772712000

static char *
slurp(const char *name, size_t *len)
{
	const char *top = getenv("TOP");
	char *path, chunk[8192];
	struct buf b;
	size_t n;
	FILE *f;

	path = xasprintf("%s/tests/data/ical/%s", top ? top : ".", name);
	if ((f = fopen(path, "rb")) == NULL)
		fail_msg("cannot open %s", path);
	free(path);
	buf_init(&b);
	buf_adds(&b, "");
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	*len = b.len;
	return buf_steal(&b);
}

/* The instant of a wall-clock time in an IANA zone, from the tzdata. */
static time_t
at(const char *zone, int y, int mo, int d, int h, int mi)
{
	struct tz_date dt = { y, mo, d };
	const struct tz *z;
	char *err = NULL;

	z = tz_get(zone, &err);
	if (z == NULL)
		fail_msg("tz_get %s: %s", zone, err);
	return tz_utc(z, dt, h, mi, 0, 0, NULL);
}

/* "20260310T150000Z" for t, from fmt_iso8601 with the punctuation gone. */
static void
compact_utc(time_t t, char out[17])
{
	char iso[ISO8601_LEN];
	size_t i, j = 0;

	fmt_iso8601(t, iso);
	for (i = 0; iso[i] != '\0'; i++)
		if (iso[i] != '-' && iso[i] != ':')
			out[j++] = iso[i];
	out[j] = '\0';
}

/* Undoes RFC 5545 folding (CRLF + one blank); the caller frees. */
static char *
unfold(const char *s)
{
	struct buf b;

	buf_init(&b);
	buf_adds(&b, "");
	for (; *s != '\0'; s++) {
		if (s[0] == '\r' && s[1] == '\n' && (s[2] == ' ' ||
		    s[2] == '\t')) {
			s += 2;
			continue;
		}
		buf_addc(&b, *s);
	}
	return buf_steal(&b);
}

/* 1 when text (unfolded) has a line that is exactly line. */
static int
has_line(const char *text, const char *line)
{
	char *u = unfold(text), *want = xasprintf("\r\n%s\r\n", line);
	int found = strstr(u, want) != NULL;

	free(u);
	free(want);
	return found;
}

static const struct invite_attendee two_attendees[] = {
	{ "Олена Петренко, КМДА; відділ", "olena@kyiv-city.example", NULL },
	{ "Bob \"Bobby\" Smith", "Bob.Smith@DenverGov.example", NULL },
};

static void
sample(struct invite *iv)
{
	memset(iv, 0, sizeof(*iv));
	iv->uid = "m-42@c4c.test";
	iv->sequence = 3;
	iv->start = at("Europe/Kyiv", 2026, 3, 10, 17, 0);
	iv->end = iv->start + 3600;
	iv->summary = "Київ – Денвер: партнерство";
	iv->description = "Посилання: https://meet.example/abc";
	iv->link = "https://meet.example/abc";
	iv->organizer_name = "Team C4C";
	iv->organizer_email = "team@c4c.test";
	iv->attendees = two_attendees;
	iv->nattendees = 2;
}

static char *
build_ok(const struct invite *iv, enum invite_method m)
{
	char *text, *err = NULL;

	clock_set_fake(NOW);
	text = invite_build(iv, m, &err);
	clock_set_fake(0);
	if (text == NULL)
		fail_msg("invite_build: %s", err);
	assert_null(err);
	return text;
}

static struct invite_msg *
parse_ok(const char *text, size_t len, const char *zone)
{
	struct invite_msg *m = NULL;
	char *err = NULL;

	if (invite_parse(text, len, zone, &m, &err) != 0)
		fail_msg("invite_parse: %s", err);
	assert_non_null(m);
	return m;
}

static struct invite_msg *
parse_file(const char *name)
{
	struct invite_msg *m;
	size_t len;
	char *t = slurp(name, &len);

	m = parse_ok(t, len, NULL);
	free(t);
	return m;
}

static void
request_has_every_required_property(void **state)
{
	struct invite iv;
	char *t, want[128], ts[17];

	sample(&iv);
	t = build_ok(&iv, INVITE_REQUEST);
	assert_true(strncmp(t, "BEGIN:VCALENDAR\r\n", 17) == 0);
	assert_true(has_line(t, "VERSION:2.0"));
	assert_true(has_line(t, "PRODID:-//mistok//mistok 1.0//EN"));
	assert_true(has_line(t, "METHOD:REQUEST"));
	assert_true(has_line(t, "BEGIN:VEVENT"));
	assert_true(has_line(t, "UID:m-42@c4c.test"));
	compact_utc(NOW, ts);
	snprintf(want, sizeof(want), "DTSTAMP:%s", ts);
	assert_true(has_line(t, want));
	assert_true(has_line(t, "SEQUENCE:3"));
	compact_utc(iv.start, ts);
	snprintf(want, sizeof(want), "DTSTART:%s", ts);
	assert_true(has_line(t, want));
	compact_utc(iv.end, ts);
	snprintf(want, sizeof(want), "DTEND:%s", ts);
	assert_true(has_line(t, want));
	assert_true(has_line(t, "SUMMARY:Київ – Денвер: партнерство"));
	assert_true(has_line(t,
	    "DESCRIPTION:Посилання: https://meet.example/abc"));
	assert_true(has_line(t, "LOCATION:https://meet.example/abc"));
	assert_true(has_line(t, "URL:https://meet.example/abc"));
	assert_true(has_line(t,
	    "ORGANIZER;CN=\"Team C4C\":mailto:team@c4c.test"));
	assert_true(has_line(t, "ATTENDEE;CUTYPE=INDIVIDUAL;"
	    "ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE;"
	    "CN=\"Олена Петренко, КМДА; відділ\":"
	    "mailto:olena@kyiv-city.example"));
	/* A DQUOTE cannot be inside a quoted parameter: it becomes '. */
	assert_true(has_line(t, "ATTENDEE;CUTYPE=INDIVIDUAL;"
	    "ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE;"
	    "CN=\"Bob 'Bobby' Smith\":mailto:Bob.Smith@DenverGov.example"));
	assert_true(has_line(t, "STATUS:CONFIRMED"));
	assert_true(has_line(t, "BEGIN:VALARM"));
	assert_true(has_line(t, "ACTION:DISPLAY"));
	assert_true(has_line(t, "TRIGGER;RELATED=START:-PT15M"));
	assert_true(has_line(t, "END:VALARM"));
	assert_true(has_line(t, "END:VEVENT"));
	assert_int_equal(strlen(t) >= 15, 1);
	assert_string_equal(t + strlen(t) - 15, "END:VCALENDAR\r\n");
	/* UTC only: no TZID, no floating time. */
	assert_null(strstr(t, "TZID"));
	free(t);
}

static void
cancel_has_status_cancelled_and_no_alarm(void **state)
{
	struct invite iv;
	char *t;

	sample(&iv);
	iv.sequence = 4;
	t = build_ok(&iv, INVITE_CANCEL);
	assert_true(has_line(t, "METHOD:CANCEL"));
	assert_true(has_line(t, "UID:m-42@c4c.test"));
	assert_true(has_line(t, "SEQUENCE:4"));
	assert_true(has_line(t, "STATUS:CANCELLED"));
	assert_false(has_line(t, "STATUS:CONFIRMED"));
	assert_null(strstr(t, "VALARM"));
	assert_non_null(strstr(t, "\r\nATTENDEE;"));
	assert_non_null(strstr(t, "\r\nORGANIZER;"));
	free(t);
}

static void
build_parse_round_trip(void **state)
{
	struct invite_msg *m;
	struct invite iv;
	char *t;
	int meth;

	for (meth = 0; meth < 2; meth++) {
		sample(&iv);
		t = build_ok(&iv, meth ? INVITE_CANCEL : INVITE_REQUEST);
		m = parse_ok(t, strlen(t), "America/Denver");
		assert_int_equal(m->method,
		    meth ? INVITE_CANCEL : INVITE_REQUEST);
		assert_string_equal(m->uid, iv.uid);
		assert_int_equal(m->sequence, 3);
		assert_int_equal(m->dtstamp, NOW);
		assert_true(m->has_start && m->has_end);
		assert_int_equal(m->start, iv.start);
		assert_int_equal(m->end, iv.end);
		assert_int_equal(m->time_flags, 0);
		assert_string_equal(m->summary, iv.summary);
		assert_string_equal(m->organizer, "team@c4c.test");
		assert_int_equal(m->nattendees, 2);
		assert_string_equal(m->attendees[0].name,
		    "Олена Петренко, КМДА; відділ");
		assert_string_equal(m->attendees[0].email,
		    "olena@kyiv-city.example");
		assert_string_equal(m->attendees[1].email,
		    "bob.smith@denvergov.example");
		assert_string_equal(m->attendees[1].partstat, "NEEDS-ACTION");
		invite_msg_free(m);
		free(t);
	}
}

static void
text_values_are_escaped(void **state)
{
	struct invite_msg *m;
	struct invite iv;
	char *t;

	sample(&iv);
	iv.summary = "a,b;c\\d";
	iv.description = "line 1\nline 2, with; all\r\nline 3\\n";
	t = build_ok(&iv, INVITE_REQUEST);
	assert_true(has_line(t, "SUMMARY:a\\,b\\;c\\\\d"));
	assert_true(has_line(t, "DESCRIPTION:line 1\\nline 2\\, with\\; all"
	    "\\nline 3\\\\n"));
	m = parse_ok(t, strlen(t), NULL);
	assert_string_equal(m->summary, "a,b;c\\d");
	invite_msg_free(m);
	free(t);
}

/* Every line ≤ 75 octets, CRLF only, and no UTF-8 character split. */
static void
folding_keeps_utf8_whole(void **state)
{
	static const char *const pieces[] = { "ї", "a", "€", "😀", "Б", ", " };
	struct invite_msg *m;
	struct invite iv;
	struct buf d;
	char *t, *u, *p, *eol, *want, *sum;
	int i, shift, lines;

	for (shift = 0; shift < 4; shift++) {
		buf_init(&d);
		buf_adds(&d, "");
		for (i = 0; i < shift; i++)
			buf_adds(&d, "x");
		for (i = 0; i < 300; i++)
			buf_adds(&d, pieces[(i * 7 + shift) % nitems(pieces)]);
		/* libical drops trailing blanks of a value: end on a dot. */
		buf_adds(&d, ".");
		sample(&iv);
		iv.description = d.data;
		/* The summary starts on a character boundary near 100. */
		for (sum = d.data + 100; ((unsigned char)*sum & 0xc0) == 0x80;
		    sum++)
			;
		iv.summary = sum;
		t = build_ok(&iv, INVITE_REQUEST);
		lines = 0;
		for (p = t; *p != '\0'; p = eol + 2) {
			eol = strstr(p, "\r\n");
			assert_non_null(eol);
			assert_true(eol - p <= 75);
			assert_null(memchr(p, '\n', eol - p));
			/* A piece never starts with a continuation byte. */
			assert_true(((unsigned char)*p & 0xc0) != 0x80);
			if (*p == ' ')
				assert_true(((unsigned char)p[1] & 0xc0) !=
				    0x80);
			lines++;
		}
		assert_true(lines > 30);
		/* Unfolded, the value is whole again. */
		u = unfold(t);
		want = xasprintf("\r\nDESCRIPTION:");
		assert_non_null(strstr(u, want));
		free(want);
		m = parse_ok(t, strlen(t), NULL);
		assert_string_equal(m->summary, sum);
		invite_msg_free(m);
		free(u);
		free(t);
		buf_free(&d);
	}
}

static void
build_refuses_bad_input(void **state)
{
	struct invite_attendee bad[1] = { { "X", "a@b.example\r\nBCC: x",
	    NULL } };
	struct invite iv;
	char *err;

	sample(&iv);
	assert_null(invite_build(&iv, INVITE_REPLY, &err));
	assert_string_equal(err, "cannot build METHOD:REPLY (only REQUEST "
	    "and CANCEL)");
	free(err);

	sample(&iv);
	iv.summary = "bad \xff byte";
	assert_null(invite_build(&iv, INVITE_REQUEST, &err));
	assert_string_equal(err, "SUMMARY is not valid UTF-8");
	free(err);

	sample(&iv);
	iv.end = iv.start;
	assert_null(invite_build(&iv, INVITE_REQUEST, &err));
	assert_string_equal(err, "the meeting ends before it starts");
	free(err);

	sample(&iv);
	iv.attendees = bad;
	iv.nattendees = 1;
	assert_null(invite_build(&iv, INVITE_REQUEST, &err));
	assert_non_null(strstr(err, "attendee 1: address"));
	free(err);

	sample(&iv);
	iv.nattendees = 0;
	assert_null(invite_build(&iv, INVITE_REQUEST, &err));
	free(err);

	sample(&iv);
	iv.uid = NULL;
	assert_null(invite_build(&iv, INVITE_REQUEST, &err));
	assert_string_equal(err, "UID is missing");
	free(err);

	sample(&iv);
	iv.link = "https://x.example/a b";
	assert_null(invite_build(&iv, INVITE_REQUEST, &err));
	free(err);
}

static void
gmail_reply_accepted(void **state)
{
	struct invite_msg *m = parse_file("gmail_reply_accepted.ics");
	const struct invite_msg_attendee *a;

	assert_int_equal(m->method, INVITE_REPLY);
	assert_string_equal(m->uid, "m-42@c4c.test");
	assert_int_equal(m->start, at("Etc/UTC", 2026, 3, 10, 15, 0));
	assert_int_equal(m->dtstamp, at("Etc/UTC", 2026, 3, 5, 10, 15) + 12);
	assert_int_equal(m->nattendees, 1);
	a = invite_msg_attendee(m, "John.Smith.Denver@gmail.com");
	assert_non_null(a);
	assert_string_equal(a->partstat, "ACCEPTED");
	assert_string_equal(a->name, "John Smith");
	assert_null(m->comment);
	invite_msg_free(m);
}

static void
outlook_reply_windows_zone_mixed_case_mailto(void **state)
{
	struct invite_msg *m = parse_file("outlook_reply_declined.ics");

	assert_int_equal(m->method, INVITE_REPLY);
	assert_string_equal(m->uid, "m-42@c4c.test");
	assert_int_equal(m->nattendees, 1);
	/* MAILTO:Partner@Example.ORG */
	assert_string_equal(m->attendees[0].email, "partner@example.org");
	assert_string_equal(m->attendees[0].partstat, "DECLINED");
	assert_string_equal(m->comment, "На жаль, цього дня я у відрядженні.");
	assert_string_equal(m->tzid, "FLE Standard Time");
	assert_true(m->time_flags & INVITE_TIME_VTIMEZONE);
	assert_int_equal(m->start, at("Europe/Kyiv", 2026, 3, 10, 17, 0));
	assert_int_equal(m->end, at("Europe/Kyiv", 2026, 3, 10, 18, 0));
	invite_msg_free(m);
}

static void
apple_reply_with_comment(void **state)
{
	struct invite_msg *m = parse_file("apple_reply_comment.ics");

	assert_int_equal(m->method, INVITE_REPLY);
	assert_int_equal(m->nattendees, 1);
	assert_string_equal(m->attendees[0].email, "olena@kyiv-city.example");
	assert_string_equal(m->attendees[0].name, "Олена Петренко");
	assert_string_equal(m->attendees[0].partstat, "TENTATIVE");
	assert_string_equal(m->comment, "Could we move it one hour later? "
	    "Мені зручніше о 18:00 за Києвом.");
	assert_int_equal(m->start, at("Europe/Kyiv", 2026, 3, 10, 17, 0));
	invite_msg_free(m);
}

static void
thunderbird_reply_accepted(void **state)
{
	struct invite_msg *m = parse_file("thunderbird_reply_accepted.ics");

	assert_int_equal(m->method, INVITE_REPLY);
	assert_string_equal(m->attendees[0].email,
	    "bob.smith@denvergov.example");
	assert_string_equal(m->attendees[0].partstat, "ACCEPTED");
	/* Denver is on MDT since 8 March, Kyiv still on EET. */
	assert_int_equal(m->start, at("America/Denver", 2026, 3, 10, 9, 0));
	assert_int_equal(m->start, at("Europe/Kyiv", 2026, 3, 10, 17, 0));
	invite_msg_free(m);
}

static void
outlook_counter_in_fle_standard_time(void **state)
{
	struct invite_msg *m = parse_file("outlook_counter_fle.ics");

	assert_int_equal(m->method, INVITE_COUNTER);
	assert_string_equal(m->method_name, "COUNTER");
	assert_true(m->has_start && m->has_end);
	/* 31 March: Kyiv is on summer time (EEST) by then. */
	assert_int_equal(m->start, at("Europe/Kyiv", 2026, 3, 31, 17, 0));
	assert_int_equal(m->end, at("Europe/Kyiv", 2026, 3, 31, 18, 0));
	assert_true(m->time_flags & INVITE_TIME_VTIMEZONE);
	assert_string_equal(m->attendees[0].partstat, "TENTATIVE");
	assert_non_null(m->comment);
	invite_msg_free(m);
}

static void
counter_windows_name_without_vtimezone(void **state)
{
	struct invite_msg *m = parse_file("outlook_counter_nozone.ics");

	assert_int_equal(m->method, INVITE_COUNTER);
	assert_int_equal(m->sequence, 1);
	assert_true(m->time_flags & INVITE_TIME_TZNAME);
	assert_false(m->time_flags & INVITE_TIME_VTIMEZONE);
	/* 30 October: Los Angeles still on PDT, Kyiv already on EET. */
	assert_int_equal(m->start,
	    at("America/Los_Angeles", 2026, 10, 30, 8, 0));
	assert_int_equal(m->end,
	    at("America/Los_Angeles", 2026, 10, 30, 9, 0));
	invite_msg_free(m);
}

static void
windows_names_map_to_zones_in_the_tzdata(void **state)
{
	static const char *const names[] = {
		"FLE Standard Time", "Eastern Standard Time",
		"Central Standard Time", "Mountain Standard Time",
		"US Mountain Standard Time", "Pacific Standard Time",
		"Alaskan Standard Time", "Hawaiian Standard Time", "UTC",
		"GMT Standard Time",
		"(UTC+02:00) Helsinki, Kyiv, Riga, Sofia, Tallinn, Vilnius",
	};
	size_t i;
	char *err;

	for (i = 0; i < nitems(names); i++) {
		const char *z = invite_windows_zone(names[i]);

		assert_non_null(z);
		err = NULL;
		if (tz_get(z, &err) == NULL)
			fail_msg("%s -> %s: %s", names[i], z, err);
	}
	assert_string_equal(invite_windows_zone("fle standard time"),
	    "Europe/Kyiv");
	assert_string_equal(invite_windows_zone("US Mountain Standard Time"),
	    "America/Phoenix");
	assert_null(invite_windows_zone("Mars Standard Time"));
}

#define HEAD "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n" \
	"METHOD:COUNTER\r\nBEGIN:VEVENT\r\nUID:u1\r\n" \
	"ATTENDEE;PARTSTAT=accepted:mailto:a@example.org\r\n"
#define TAIL "END:VEVENT\r\nEND:VCALENDAR\r\n"

static void
floating_dates_and_iana_names(void **state)
{
	struct invite_msg *m;
	const char *t;

	/* Floating: read in the default zone and flagged. */
	t = HEAD "DTSTART:20261101T090000\r\nDURATION:PT45M\r\n" TAIL;
	m = parse_ok(t, strlen(t), "America/Chicago");
	assert_int_equal(m->start, at("America/Chicago", 2026, 11, 1, 9, 0));
	assert_int_equal(m->end, m->start + 45 * 60);
	assert_int_equal(m->time_flags, INVITE_TIME_FLOATING);
	/* partstat=accepted is upper-cased. */
	assert_string_equal(m->attendees[0].partstat, "ACCEPTED");
	invite_msg_free(m);

	/* An all-day date. */
	t = HEAD "DTSTART;VALUE=DATE:20260310\r\n" TAIL;
	m = parse_ok(t, strlen(t), "Europe/Kyiv");
	assert_int_equal(m->start, at("Europe/Kyiv", 2026, 3, 10, 0, 0));
	assert_true(m->time_flags & INVITE_TIME_ALLDAY);
	assert_false(m->has_end);
	invite_msg_free(m);

	/* An IANA TZID without VTIMEZONE, the old Kiev name, a prefix. */
	t = HEAD "DTSTART;TZID=Europe/Kiev:20261026T100000\r\n"
	    "DTEND;TZID=/freeassociation.sourceforge.net/America/Phoenix:"
	    "20261026T020000\r\n" TAIL;
	m = parse_ok(t, strlen(t), NULL);
	assert_int_equal(m->start, at("Europe/Kyiv", 2026, 10, 26, 10, 0));
	assert_int_equal(m->end, at("America/Phoenix", 2026, 10, 26, 2, 0));
	assert_int_equal(m->time_flags, INVITE_TIME_TZNAME);
	invite_msg_free(m);
}

/* Many attendees: the single property pass reads each exactly once. */
static void
every_attendee_read_once(void **state)
{
	struct invite_msg *m;
	struct buf b;
	int i;

	buf_init(&b);
	buf_adds(&b, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REPLY\r\n"
	    "BEGIN:VEVENT\r\n");
	for (i = 0; i < 40; i++) {
		buf_printf(&b, "ATTENDEE;PARTSTAT=%s:MailTo:P%d@Example.org\r\n",
		    i % 2 ? "DECLINED" : "ACCEPTED", i);
		if (i == 20)
			buf_adds(&b, "UID:late-uid\r\nSEQUENCE:7\r\n");
	}
	buf_adds(&b, TAIL);
	m = parse_ok(b.data, b.len, NULL);
	assert_string_equal(m->uid, "late-uid");
	assert_int_equal(m->sequence, 7);
	assert_int_equal(m->nattendees, 40);
	assert_string_equal(m->attendees[39].email, "p39@example.org");
	assert_string_equal(m->attendees[39].partstat, "DECLINED");
	assert_string_equal(invite_msg_attendee(m, "P20@EXAMPLE.ORG")->partstat,
	    "ACCEPTED");
	invite_msg_free(m);
	buf_free(&b);
}

static void
expect_error(const char *text, size_t len, const char *want)
{
	struct invite_msg *m = NULL;
	char *err = NULL;

	assert_int_equal(invite_parse(text, len, NULL, &m, &err), -1);
	assert_null(m);
	assert_non_null(err);
	if (strstr(err, want) == NULL)
		fail_msg("error \"%s\" does not contain \"%s\"", err, want);
	free(err);
}

static void
expect_file_error(const char *name, const char *want)
{
	size_t len;
	char *t = slurp(name, &len);

	expect_error(t, len, want);
	free(t);
}

static void
broken_input_gets_a_clear_error(void **state)
{
	struct buf b;
	char *t;
	size_t len;

	expect_file_error("broken_truncated.ics",
	    "line 8: missing END:VEVENT (BEGIN at line 5)");
	expect_file_error("broken_mismatched_end.ics",
	    "line 9: END:VEVENT closes BEGIN:VALARM (line 7)");
	expect_file_error("broken_garbage.ics",
	    "line 1: expected BEGIN:VCALENDAR");
	expect_error("", 0, "no BEGIN:VCALENDAR");
	expect_error("BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\n"
	    "UID:x\r\nthis line has no colon\r\n" TAIL, 80,
	    "line 5: not a content line");
	expect_error("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\n"
	    "UID:x\r\n" TAIL, strlen("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
	    "BEGIN:VEVENT\r\nUID:x\r\n" TAIL), "METHOD: missing");
	t = HEAD "DTSTART;TZID=Mars Standard Time:20260310T170000\r\n" TAIL;
	expect_error(t, strlen(t), "line 8: DTSTART: unknown time zone "
	    "\"Mars Standard Time\"");
	t = "BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\n"
	    "ATTENDEE;PARTSTAT=ACCEPTED:mailto:a@b.example\r\n" TAIL;
	expect_error(t, strlen(t), "UID: missing");
	t = "BEGIN:VCALENDAR\r\nMETHOD:COUNTER\r\nBEGIN:VEVENT\r\nUID:a\r\n"
	    "DTSTART:20261399T250000Z\r\n"
	    "ATTENDEE;PARTSTAT=ACCEPTED:mailto:a@b.example\r\n" TAIL;
	expect_error(t, strlen(t), "DTSTART");
	t = "BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\n\0BEGIN:VEVENT\r\n";
	expect_error(t, 40, "line 3: NUL byte");
	/* Nested deeper than any real calendar. */
	buf_init(&b);
	buf_adds(&b, "BEGIN:VCALENDAR\r\n");
	for (len = 0; len < 20; len++)
		buf_adds(&b, "BEGIN:X\r\n");
	expect_error(b.data, b.len, "nested deeper");
	buf_free(&b);
	/* Huge. */
	t = xmalloc(INVITE_MAX_LEN + 2);
	memset(t, 'A', INVITE_MAX_LEN + 1);
	t[INVITE_MAX_LEN + 1] = '\0';
	expect_error(t, INVITE_MAX_LEN + 1, "larger than the");
	free(t);
}

/* Broken but bounded input of every kind: never a crash. */
static void
mangled_replies_never_crash(void **state)
{
	struct invite_msg *m;
	size_t len, cut;
	char *t, *err;

	t = slurp("outlook_counter_fle.ics", &len);
	for (cut = 0; cut < len; cut += 7) {
		m = NULL;
		err = NULL;
		if (invite_parse(t, cut, NULL, &m, &err) == 0) {
			assert_non_null(m);
			invite_msg_free(m);
		} else {
			assert_non_null(err);
			free(err);
		}
	}
	free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(request_has_every_required_property),
		cmocka_unit_test(cancel_has_status_cancelled_and_no_alarm),
		cmocka_unit_test(build_parse_round_trip),
		cmocka_unit_test(text_values_are_escaped),
		cmocka_unit_test(folding_keeps_utf8_whole),
		cmocka_unit_test(build_refuses_bad_input),
		cmocka_unit_test(gmail_reply_accepted),
		cmocka_unit_test(outlook_reply_windows_zone_mixed_case_mailto),
		cmocka_unit_test(apple_reply_with_comment),
		cmocka_unit_test(thunderbird_reply_accepted),
		cmocka_unit_test(outlook_counter_in_fle_standard_time),
		cmocka_unit_test(counter_windows_name_without_vtimezone),
		cmocka_unit_test(windows_names_map_to_zones_in_the_tzdata),
		cmocka_unit_test(floating_dates_and_iana_names),
		cmocka_unit_test(every_attendee_read_once),
		cmocka_unit_test(broken_input_gets_a_clear_error),
		cmocka_unit_test(mangled_replies_never_crash),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
