/*
 * invite_write: the hand-written iCalendar writer behind invite_build()
 * and invite_build_feed(). libical is not used here (invite.c explains
 * why): the output is a small fixed set of properties, written with exact
 * control over RFC 5545 text escaping, parameter quoting and folding at 75
 * octets between UTF-8 characters. What it writes is checked by libical
 * (unit tests) and by python3-icalendar (tests/integration/ical_check.sh).
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "invite.h"
#include "invite_int.h"
#include "tz.h"
#include "util.h"

#define INVITE_PRODID	"-//mistok//mistok 1.0//EN"
#define FOLD_OCTETS	75

/* ---------------------------------------------------------------- text */

/* 1 when s[0..n) is valid UTF-8 (no overlongs, surrogates, > U+10FFFF). */
int
invite_utf8_ok(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *e = p + n;
	unsigned c, need;
	uint32_t cp, min;

	while (p < e) {
		c = *p++;
		if (c < 0x80)
			continue;
		if (c >= 0xc2 && c <= 0xdf) {
			need = 1;
			cp = c & 0x1f;
			min = 0x80;
		} else if (c >= 0xe0 && c <= 0xef) {
			need = 2;
			cp = c & 0x0f;
			min = 0x800;
		} else if (c >= 0xf0 && c <= 0xf4) {
			need = 3;
			cp = c & 0x07;
			min = 0x10000;
		} else
			return 0;
		if ((size_t)(e - p) < need)
			return 0;
		while (need-- > 0) {
			if ((*p & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (*p++ & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
	}
	return 1;
}

/* Appends s as an RFC 5545 TEXT value (section 3.3.11). */
static void
add_text(struct buf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '\\':
			buf_adds(b, "\\\\");
			break;
		case ';':
			buf_adds(b, "\\;");
			break;
		case ',':
			buf_adds(b, "\\,");
			break;
		case '\r':
			if (s[1] == '\n')
				s++;
			/* FALLTHROUGH */
		case '\n':
			buf_adds(b, "\\n");
			break;
		default:
			if ((unsigned char)*s < 0x20 || *s == 0x7f)
				buf_addc(b, ' ');
			else
				buf_addc(b, *s);
		}
	}
}

/*
 * Appends s as a quoted parameter value: DQUOTE cannot appear inside one
 * (RFC 5545 3.1) and RFC 6868's ^' is not read by every client, so it
 * becomes an apostrophe; control characters become spaces.
 */
static void
add_param_quoted(struct buf *b, const char *s)
{
	buf_addc(b, '"');
	for (; *s != '\0'; s++) {
		if (*s == '"')
			buf_addc(b, '\'');
		else if ((unsigned char)*s < 0x20 || *s == 0x7f)
			buf_addc(b, ' ');
		else
			buf_addc(b, *s);
	}
	buf_addc(b, '"');
}

/*
 * Writes one content line to out, CRLF-terminated, folded so that no line
 * exceeds 75 octets (the leading space of a continuation counts) and no
 * UTF-8 character is split.
 */
static void
fold_line(struct buf *out, const char *s, size_t n)
{
	size_t limit = FOLD_OCTETS, cut;

	while (n > limit) {
		cut = limit;
		while (cut > 0 && ((unsigned char)s[cut] & 0xc0) == 0x80)
			cut--;
		if (cut == 0)
			cut = limit;	/* not UTF-8: cannot happen here */
		buf_add(out, s, cut);
		buf_adds(out, "\r\n ");
		s += cut;
		n -= cut;
		limit = FOLD_OCTETS - 1;
	}
	buf_add(out, s, n);
	buf_adds(out, "\r\n");
}

static void
emit(struct buf *out, struct buf *line)
{
	fold_line(out, line->data, line->len);
	buf_reset(line);
}

static void
fmt_utc(time_t t, char out[32])
{
	int64_t days, secs;
	struct tz_date d;

	days = (int64_t)t / 86400;
	secs = (int64_t)t % 86400;
	if (secs < 0) {
		secs += 86400;
		days--;
	}
	d = tz_date_from_days(days);
	snprintf(out, 32, "%04d%02d%02dT%02d%02d%02dZ", d.year,
	    d.month, d.day, (int)(secs / 3600), (int)(secs / 60 % 60),
	    (int)(secs % 60));
}

/* An address fit for a mailto: URI: no controls, no space, one '@'. */
static int
email_ok(const char *e)
{
	const char *at;

	if (e == NULL || *e == '\0' || strlen(e) > 320 ||
	    !invite_utf8_ok(e, strlen(e)))
		return 0;
	for (const char *p = e; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f || *p == '"' ||
		    *p == '<' || *p == '>')
			return 0;
	at = strchr(e, '@');
	return at != NULL && at != e && at[1] != '\0' &&
	    strchr(at + 1, '@') == NULL;
}

static int
partstat_ok(const char *p)
{
	if (*p == '\0' || strlen(p) > 40)
		return 0;
	for (; *p != '\0'; p++)
		if (!(isupper((unsigned char)*p) || *p == '-'))
			return 0;
	return 1;
}

static int
text_ok(const char *what, const char *s, int required, char **err)
{
	if (s == NULL || *s == '\0') {
		if (required) {
			*err = xasprintf("%s is missing", what);
			return 0;
		}
		return 1;
	}
	if (!invite_utf8_ok(s, strlen(s))) {
		*err = xasprintf("%s is not valid UTF-8", what);
		return 0;
	}
	return 1;
}

/*
 * Refuses what cannot be written: a missing or non-UTF-8 text, a bad
 * address, start >= end, fewer than min_att attendees. Returns 0, or -1
 * with *err (caller frees).
 */
static int
invite_check(const struct invite *iv, size_t min_att, char **err)
{
	size_t i;

	if (!text_ok("UID", iv->uid, 1, err) ||
	    !text_ok("SUMMARY", iv->summary, 1, err) ||
	    !text_ok("DESCRIPTION", iv->description, 0, err) ||
	    !text_ok("organizer name", iv->organizer_name, 0, err))
		return -1;
	if (strlen(iv->uid) > 255) {
		*err = xstrdup("UID is longer than 255 octets");
		return -1;
	}
	if (iv->link != NULL && *iv->link != '\0') {
		for (const char *p = iv->link; *p != '\0'; p++)
			if ((unsigned char)*p <= 0x20 || *p == 0x7f) {
				*err = xstrdup("meeting link contains a space "
				    "or control character");
				return -1;
			}
		if (!text_ok("meeting link", iv->link, 0, err))
			return -1;
	}
	if (iv->sequence < 0) {
		*err = xasprintf("SEQUENCE %d is negative", iv->sequence);
		return -1;
	}
	if (iv->start < 0 || iv->end > (time_t)7258118400LL) {
		*err = xstrdup("the meeting is not between 1970 and 2200");
		return -1;
	}
	if (iv->start >= iv->end) {
		*err = xstrdup("the meeting ends before it starts");
		return -1;
	}
	if (!email_ok(iv->organizer_email)) {
		*err = xasprintf("organizer address \"%s\" is invalid",
		    iv->organizer_email ? iv->organizer_email : "");
		return -1;
	}
	if (iv->nattendees < min_att ||
	    iv->nattendees > INVITE_MAX_ATTENDEES) {
		*err = xasprintf("%zu attendees (%zu to %d allowed)",
		    iv->nattendees, min_att, INVITE_MAX_ATTENDEES);
		return -1;
	}
	for (i = 0; i < iv->nattendees; i++) {
		const struct invite_attendee *a = &iv->attendees[i];

		if (!email_ok(a->email)) {
			*err = xasprintf("attendee %zu: address \"%s\" is "
			    "invalid", i + 1, a->email ? a->email : "");
			return -1;
		}
		if (a->name != NULL &&
		    !invite_utf8_ok(a->name, strlen(a->name))) {
			*err = xasprintf("attendee %zu: name is not valid "
			    "UTF-8", i + 1);
			return -1;
		}
		if (a->partstat != NULL && *a->partstat != '\0' &&
		    !partstat_ok(a->partstat)) {
			*err = xasprintf("attendee %zu: PARTSTAT \"%s\" is "
			    "invalid", i + 1, a->partstat);
			return -1;
		}
	}
	return 0;
}

/* How one VEVENT is written: for an iTIP REQUEST or CANCEL, or a feed. */
enum vevent_kind {
	VEVENT_REQUEST,		/* RSVP=TRUE, STATUS:CONFIRMED, an alarm */
	VEVENT_CANCEL,		/* RSVP=TRUE, STATUS:CANCELLED */
	VEVENT_PUBLISH,		/* PARTSTAT as given, no RSVP, no alarm;
				   STATUS from iv->cancelled */
};

/* Appends the VEVENT of iv (checked by invite_check()) to out. */
static void
add_vevent(struct buf *out, const struct invite *iv, enum vevent_kind kind,
    time_t dtstamp)
{
	struct buf l;
	char ts[32];
	size_t i;
	int cancelled = kind == VEVENT_CANCEL ||
	    (kind == VEVENT_PUBLISH && iv->cancelled);

	buf_init(&l);
	buf_adds(out, "BEGIN:VEVENT\r\n");
	buf_adds(&l, "UID:");
	add_text(&l, iv->uid);
	emit(out, &l);
	fmt_utc(dtstamp, ts);
	buf_printf(out, "DTSTAMP:%s\r\n", ts);
	buf_printf(out, "SEQUENCE:%d\r\n", iv->sequence);
	fmt_utc(iv->start, ts);
	buf_printf(out, "DTSTART:%s\r\n", ts);
	fmt_utc(iv->end, ts);
	buf_printf(out, "DTEND:%s\r\n", ts);
	buf_adds(&l, "SUMMARY:");
	add_text(&l, iv->summary);
	emit(out, &l);
	if (iv->description != NULL && *iv->description != '\0') {
		buf_adds(&l, "DESCRIPTION:");
		add_text(&l, iv->description);
		emit(out, &l);
	}
	if (iv->link != NULL && *iv->link != '\0') {
		buf_adds(&l, "LOCATION:");
		add_text(&l, iv->link);
		emit(out, &l);
		buf_printf(&l, "URL:%s", iv->link);
		emit(out, &l);
	}
	buf_adds(&l, "ORGANIZER");
	if (iv->organizer_name != NULL && *iv->organizer_name != '\0') {
		buf_adds(&l, ";CN=");
		add_param_quoted(&l, iv->organizer_name);
	}
	buf_printf(&l, ":mailto:%s", iv->organizer_email);
	emit(out, &l);
	for (i = 0; i < iv->nattendees; i++) {
		const struct invite_attendee *a = &iv->attendees[i];

		buf_printf(&l, "ATTENDEE;CUTYPE=INDIVIDUAL;"
		    "ROLE=REQ-PARTICIPANT;PARTSTAT=%s%s",
		    a->partstat && *a->partstat ? a->partstat : "NEEDS-ACTION",
		    kind == VEVENT_PUBLISH ? "" : ";RSVP=TRUE");
		if (a->name != NULL && *a->name != '\0') {
			buf_adds(&l, ";CN=");
			add_param_quoted(&l, a->name);
		}
		buf_printf(&l, ":mailto:%s", a->email);
		emit(out, &l);
	}
	if (cancelled) {
		buf_adds(out, "STATUS:CANCELLED\r\n");
		if (kind == VEVENT_PUBLISH)
			buf_adds(out, "TRANSP:TRANSPARENT\r\n");
	} else {
		buf_adds(out, "STATUS:CONFIRMED\r\n");
		buf_adds(out, "TRANSP:OPAQUE\r\n");
	}
	if (kind == VEVENT_REQUEST) {
		buf_adds(out, "BEGIN:VALARM\r\n");
		buf_adds(out, "ACTION:DISPLAY\r\n");
		buf_adds(&l, "DESCRIPTION:");
		add_text(&l, iv->summary);
		emit(out, &l);
		buf_adds(out, "TRIGGER;RELATED=START:-PT15M\r\n");
		buf_adds(out, "END:VALARM\r\n");
	}
	buf_adds(out, "END:VEVENT\r\n");
	buf_free(&l);
}

static void
add_vcalendar_head(struct buf *out, enum invite_method method)
{
	buf_adds(out, "BEGIN:VCALENDAR\r\n");
	buf_adds(out, "VERSION:2.0\r\n");
	buf_adds(out, "PRODID:" INVITE_PRODID "\r\n");
	buf_adds(out, "CALSCALE:GREGORIAN\r\n");
	buf_printf(out, "METHOD:%s\r\n", invite_method_name(method));
}

char *
invite_build(const struct invite *iv, enum invite_method method, char **err)
{
	struct buf out;

	*err = NULL;
	if (method != INVITE_REQUEST && method != INVITE_CANCEL) {
		*err = xasprintf("cannot build METHOD:%s (only REQUEST and "
		    "CANCEL)", invite_method_name(method));
		return NULL;
	}
	if (invite_check(iv, 1, err) == -1)
		return NULL;
	buf_init(&out);
	add_vcalendar_head(&out, method);
	add_vevent(&out, iv, method == INVITE_REQUEST ? VEVENT_REQUEST :
	    VEVENT_CANCEL, clock_now());
	buf_adds(&out, "END:VCALENDAR\r\n");
	return buf_steal(&out);
}

int
invite_build_feed(const struct invite *iv, size_t n, struct buf *out,
    char **err)
{
	struct buf cal;
	time_t now = clock_now();
	size_t i;
	char *e;

	*err = NULL;
	for (i = 0; i < n; i++)
		if (invite_check(&iv[i], 0, &e) == -1) {
			*err = xasprintf("event %zu: %s", i + 1, e);
			free(e);
			return -1;
		}
	buf_init(&cal);
	add_vcalendar_head(&cal, INVITE_PUBLISH);
	for (i = 0; i < n; i++)
		add_vevent(&cal, &iv[i], VEVENT_PUBLISH, now);
	buf_adds(&cal, "END:VCALENDAR\r\n");
	buf_add(out, cal.data, cal.len);
	buf_free(&cal);
	return 0;
}
