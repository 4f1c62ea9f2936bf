/*
 * invite: iCalendar build (own writer) and parse (libical 3.0).
 *
 * Building is done by hand rather than through libical: the output is a
 * fixed, small set of properties, and writing it ourselves gives exact
 * control over RFC 5545 text escaping, parameter quoting and folding at 75
 * octets between UTF-8 characters (libical 3.0 has neither a switch for
 * the quoting nor for the fold). The result is checked by libical (unit
 * tests) and by python3-icalendar (tests/integration/ical_check.sh).
 *
 * Parsing runs in three steps: a line scanner of our own checks the
 * component structure and names the line of any error (libical only
 * inserts X-LIC-ERROR properties and never says where); libical then
 * parses the VCALENDAR; one pass over the VEVENT's properties, using only
 * icalproperty_* calls, reads every scalar (INTEROP.md: calling
 * icalcomponent_get_*() inside a property loop resets its cursor).
 * Times: UTC as they are; TZID through the embedded VTIMEZONE (libical
 * expands its rules); a TZID without one through the tz module, by IANA
 * name or by a Windows name mapped to IANA; floating times and dates in the
 * caller's default zone, flagged. libical's own builtin zones are never
 * used for conversion; its lazy set-up runs once in invite_init_lib().
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libical/ical.h>

#include "invite.h"
#include "log.h"
#include "tz.h"
#include "util.h"

#define INVITE_PRODID	"-//mistok//mistok 1.0//EN"
#define FOLD_OCTETS	75
#define MAX_DEPTH	10
#define MIN_YEAR	1800
#define MAX_YEAR	2200

static const char *const method_names[] = {
	[INVITE_UNKNOWN] = "UNKNOWN",
	[INVITE_PUBLISH] = "PUBLISH",
	[INVITE_REQUEST] = "REQUEST",
	[INVITE_REPLY] = "REPLY",
	[INVITE_ADD] = "ADD",
	[INVITE_CANCEL] = "CANCEL",
	[INVITE_REFRESH] = "REFRESH",
	[INVITE_COUNTER] = "COUNTER",
	[INVITE_DECLINECOUNTER] = "DECLINECOUNTER",
};

const char *
invite_method_name(enum invite_method m)
{
	if ((size_t)m >= nitems(method_names) || method_names[m] == NULL)
		return "UNKNOWN";
	return method_names[m];
}

static enum invite_method
method_from_name(const char *s)
{
	size_t i;

	for (i = 1; i < nitems(method_names); i++)
		if (strcasecmp(s, method_names[i]) == 0)
			return (enum invite_method)i;
	return INVITE_UNKNOWN;
}

/*
 * Windows zone names (CLDR windowsZones.xml, territory 001) and the
 * Outlook display names seen in TZIDs, for the zones mistok's users live
 * in and their neighbours. Offsets always come from the tzdata.
 */
static const struct {
	const char	*win;
	const char	*iana;
} winzones[] = {
	{ "FLE Standard Time", "Europe/Kyiv" },
	{ "Eastern Standard Time", "America/New_York" },
	{ "US Eastern Standard Time", "America/Indiana/Indianapolis" },
	{ "Central Standard Time", "America/Chicago" },
	{ "Mountain Standard Time", "America/Denver" },
	{ "US Mountain Standard Time", "America/Phoenix" },
	{ "Pacific Standard Time", "America/Los_Angeles" },
	{ "Alaskan Standard Time", "America/Anchorage" },
	{ "Aleutian Standard Time", "America/Adak" },
	{ "Hawaiian Standard Time", "Pacific/Honolulu" },
	{ "Atlantic Standard Time", "America/Halifax" },
	{ "Newfoundland Standard Time", "America/St_Johns" },
	{ "Canada Central Standard Time", "America/Regina" },
	{ "UTC", "Etc/UTC" },
	{ "Coordinated Universal Time", "Etc/UTC" },
	{ "GMT Standard Time", "Europe/London" },
	{ "Greenwich Standard Time", "Atlantic/Reykjavik" },
	{ "W. Europe Standard Time", "Europe/Berlin" },
	{ "Central Europe Standard Time", "Europe/Budapest" },
	{ "Central European Standard Time", "Europe/Warsaw" },
	{ "Romance Standard Time", "Europe/Paris" },
	{ "E. Europe Standard Time", "Europe/Chisinau" },
	{ "GTB Standard Time", "Europe/Bucharest" },
	{ "Russian Standard Time", "Europe/Moscow" },
	{ "Turkey Standard Time", "Europe/Istanbul" },
	{ "Israel Standard Time", "Asia/Jerusalem" },
	/* Display names, after "(UTC+02:00) " is removed. */
	{ "Helsinki, Kyiv, Riga, Sofia, Tallinn, Vilnius", "Europe/Kyiv" },
	{ "Eastern Time (US & Canada)", "America/New_York" },
	{ "Central Time (US & Canada)", "America/Chicago" },
	{ "Mountain Time (US & Canada)", "America/Denver" },
	{ "Arizona", "America/Phoenix" },
	{ "Pacific Time (US & Canada)", "America/Los_Angeles" },
	{ "Alaska", "America/Anchorage" },
	{ "Hawaii", "Pacific/Honolulu" },
	{ "Coordinated Universal Time", "Etc/UTC" },
};

const char *
invite_windows_zone(const char *name)
{
	size_t i;

	if (name == NULL)
		return NULL;
	/* "(UTC+02:00) Helsinki, Kyiv, ..." */
	if (strncmp(name, "(UTC", 4) == 0 && strstr(name, ") ") != NULL)
		name = strstr(name, ") ") + 2;
	for (i = 0; i < nitems(winzones); i++)
		if (strcasecmp(name, winzones[i].win) == 0)
			return winzones[i].iana;
	return NULL;
}

/* libical set-up, once: errors must not abort, zones load up front. */
static void
invite_init_lib(void)
{
	static int done;

	if (done)
		return;
	done = 1;
	icalerror_set_errors_are_fatal(0);
	(void)icaltimezone_get_utc_timezone();
	icalerror_clear_errno();
}

/* ---------------------------------------------------------------- text */

/* 1 when s[0..n) is valid UTF-8 (no overlongs, surrogates, > U+10FFFF). */
static int
utf8_ok(const char *s, size_t n)
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

/*
 * A copy fit for the rest of mistok: invalid UTF-8 bytes become '?',
 * control characters other than LF and TAB become spaces, CRLF and CR
 * become LF. The caller frees it.
 */
static char *
clean_text(const char *s)
{
	struct buf b;
	size_t i, n = strlen(s), k;

	buf_init(&b);
	for (i = 0; i < n;) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\r') {
			buf_addc(&b, '\n');
			i += (s[i + 1] == '\n') ? 2 : 1;
			continue;
		}
		if (c < 0x80) {
			buf_addc(&b, (c < 0x20 && c != '\n' && c != '\t') ||
			    c == 0x7f ? ' ' : c);
			i++;
			continue;
		}
		for (k = 2; k <= 4 && i + k <= n; k++)
			if (utf8_ok(s + i, k))
				break;
		if (k <= 4 && i + k <= n) {
			buf_add(&b, s + i, k);
			i += k;
		} else {
			buf_addc(&b, '?');
			i++;
		}
	}
	buf_addc(&b, '\0');
	return buf_steal(&b);
}

/* clean_text() on one line, for error messages. The caller frees it. */
static char *
clean_line(const char *s)
{
	char *c = clean_text(s), *p;

	size_t n;

	for (p = c; *p != '\0'; p++)
		if (*p == '\n' || *p == '\t')
			*p = ' ';
	/* At most 200 octets, cut between characters. */
	if ((n = strlen(c)) > 200) {
		n = 200;
		while (n > 0 && ((unsigned char)c[n] & 0xc0) == 0x80)
			n--;
		c[n] = '\0';
	}
	return c;
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
	    !utf8_ok(e, strlen(e)))
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
	if (!utf8_ok(s, strlen(s))) {
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
		if (a->name != NULL && !utf8_ok(a->name, strlen(a->name))) {
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

/* ------------------------------------------------------- line scanner */

/* One logical (unfolded) line: its name before ':' or ';' and number. */
struct scan {
	const char	*p, *end;
	int		 lineno;	/* of the next physical line */
};

/*
 * Reads the next logical line into *lb (unfolded, without its line end);
 * *lineno is its first physical line. Returns 0 at the end.
 */
static int
scan_next(struct scan *s, struct buf *lb, int *lineno)
{
	const char *nl;
	size_t n;

	if (s->p >= s->end)
		return 0;
	buf_reset(lb);
	*lineno = s->lineno;
	for (;;) {
		nl = memchr(s->p, '\n', s->end - s->p);
		n = (nl ? nl : s->end) - s->p;
		if (n > 0 && s->p[n - 1] == '\r')
			buf_add(lb, s->p, n - 1);
		else
			buf_add(lb, s->p, n);
		s->p = nl ? nl + 1 : s->end;
		s->lineno++;
		if (s->p < s->end && (*s->p == ' ' || *s->p == '\t'))
			s->p++;		/* a continuation: drop the blank */
		else
			break;
	}
	return 1;
}

/* 1 when line is "NAME:VALUE" for the given name (case-insensitive). */
static int
line_is(const char *line, const char *name, const char **value)
{
	size_t n = strlen(name);

	if (strncasecmp(line, name, n) != 0 || line[n] != ':')
		return 0;
	*value = line + n + 1;
	return 1;
}

struct scanres {
	size_t	begin;		/* offset of BEGIN:VCALENDAR */
	size_t	end;		/* offset just past END:VCALENDAR's line */
	int	vevent_line;	/* first BEGIN:VEVENT, 0 when none */
};

/*
 * Checks the component structure of the first VCALENDAR in text: every
 * BEGIN has its END, in order, nesting at most MAX_DEPTH; every content
 * line has a name and a colon. Returns 0, or -1 with *err.
 */
static int
scan_structure(const char *text, size_t len, struct scanres *r, char **err)
{
	struct scan s = { text, text + len, 1 };
	struct buf lb;
	char *stack[MAX_DEPTH];
	int stackline[MAX_DEPTH], depth = 0, lineno = 0, i, rc = -1;
	const char *v, *start;
	size_t k;

	memset(r, 0, sizeof(*r));
	buf_init(&lb);
	for (;;) {
		start = s.p;
		if (!scan_next(&s, &lb, &lineno)) {
			if (depth == 0)
				*err = xstrdup("no BEGIN:VCALENDAR");
			else
				*err = xasprintf("line %d: missing END:%s "
				    "(BEGIN at line %d)", lineno,
				    stack[depth - 1], stackline[depth - 1]);
			goto out;
		}
		v = lb.data;
		if (depth == 0) {
			/* Blank lines and a BOM may come first. */
			if (strncmp(v, "\xef\xbb\xbf", 3) == 0)
				v += 3;
			if (*v == '\0')
				continue;
			if (!line_is(v, "BEGIN", &v) ||
			    strcasecmp(v, "VCALENDAR") != 0) {
				*err = xasprintf("line %d: expected "
				    "BEGIN:VCALENDAR", lineno);
				goto out;
			}
			r->begin = start - text;
			if (strncmp(start, "\xef\xbb\xbf", 3) == 0)
				r->begin += 3;
			stack[depth] = xstrdup("VCALENDAR");
			stackline[depth++] = lineno;
			continue;
		}
		if (*v == '\0')
			continue;	/* tolerated, as libical does */
		k = strcspn(v, ":;");
		if (v[k] == '\0' || k == 0) {
			*err = xasprintf("line %d: not a content line "
			    "(\"NAME:value\" expected)", lineno);
			goto out;
		}
		for (i = 0; i < (int)k; i++)
			if (!isalnum((unsigned char)v[i]) && v[i] != '-') {
				*err = xasprintf("line %d: bad property name",
				    lineno);
				goto out;
			}
		if (line_is(v, "BEGIN", &v)) {
			if (depth == MAX_DEPTH) {
				*err = xasprintf("line %d: components nested "
				    "deeper than %d", lineno, MAX_DEPTH);
				goto out;
			}
			if (*v == '\0' || strlen(v) > 64 ||
			    v[strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "abcdefghijklmnopqrstuvwxyz0123456789-")] != '\0') {
				*err = xasprintf("line %d: bad component "
				    "name", lineno);
				goto out;
			}
			if (strcasecmp(v, "VEVENT") == 0 && r->vevent_line == 0)
				r->vevent_line = lineno;
			stack[depth] = xstrdup(v);
			stackline[depth++] = lineno;
		} else if (line_is(v, "END", &v)) {
			if (strcasecmp(v, stack[depth - 1]) != 0) {
				char *c = clean_line(v), *b;

				b = clean_line(stack[depth - 1]);
				*err = xasprintf("line %d: END:%s closes "
				    "BEGIN:%s (line %d)", lineno, c, b,
				    stackline[depth - 1]);
				free(c);
				free(b);
				goto out;
			}
			free(stack[--depth]);
			if (depth == 0) {
				r->end = s.p - text;
				rc = 0;
				goto out;
			}
		}
	}
out:
	while (depth > 0)
		free(stack[--depth]);
	buf_free(&lb);
	return rc;
}

/* The line of the first property called name (after BEGIN:VEVENT). */
static int
prop_line(const char *text, size_t len, int from, const char *name)
{
	struct scan s = { text, text + len, 1 };
	struct buf lb;
	int lineno, found = 0;
	size_t n = strlen(name);

	buf_init(&lb);
	while (scan_next(&s, &lb, &lineno))
		if (lineno >= from && strncasecmp(lb.data, name, n) == 0 &&
		    (lb.data[n] == ':' || lb.data[n] == ';')) {
			found = lineno;
			break;
		}
	buf_free(&lb);
	return found;
}

/* ------------------------------------------------------------- times */

static int
year_ok(int y)
{
	return y >= MIN_YEAR && y <= MAX_YEAR;
}

/* The wall-clock fields of tt read as UTC. */
static time_t
fields_as_utc(const struct icaltimetype *tt)
{
	struct tz_date d = { tt->year, tt->month, tt->day };

	return (time_t)(tz_days_from_date(d) * 86400 + tt->hour * 3600 +
	    tt->minute * 60 + tt->second);
}

/* A usable VTIMEZONE: at least one observance, each with TZOFFSETTO. */
static int
vtimezone_usable(icaltimezone *z)
{
	icalcomponent *vtz, *c;
	int n = 0;

	if ((vtz = icaltimezone_get_component(z)) == NULL)
		return 0;
	for (c = icalcomponent_get_first_component(vtz, ICAL_ANY_COMPONENT);
	    c != NULL;
	    c = icalcomponent_get_next_component(vtz, ICAL_ANY_COMPONENT)) {
		icalcomponent_kind k = icalcomponent_isa(c);

		if (k != ICAL_XSTANDARD_COMPONENT &&
		    k != ICAL_XDAYLIGHT_COMPONENT)
			continue;
		if (icalcomponent_get_first_property(c,
		    ICAL_TZOFFSETTO_PROPERTY) == NULL ||
		    icalcomponent_get_first_property(c,
		    ICAL_DTSTART_PROPERTY) == NULL)
			return 0;
		n++;
	}
	return n > 0;
}

/*
 * An IANA zone for a TZID without a usable VTIMEZONE: a Windows name, an
 * IANA name, or an IANA name after a libical-style prefix
 * ("/freeassociation.sourceforge.net/Europe/Kyiv").
 */
static const struct tz *
zone_by_name(const char *tzid)
{
	const struct tz *z;
	const char *w, *p;
	char *e = NULL;

	if ((w = invite_windows_zone(tzid)) != NULL)
		tzid = w;
	if (*tzid != '/' && (z = tz_get(tzid, &e)) != NULL)
		return z;
	free(e);
	e = NULL;
	/* Try each suffix after a '/', longest first. */
	for (p = tzid; (p = strchr(p, '/')) != NULL; p++) {
		if (p[1] == '\0')
			break;
		if ((z = tz_get(p + 1, &e)) != NULL)
			return z;
		free(e);
		e = NULL;
	}
	return NULL;
}

/*
 * Converts the time property prop (DTSTART, DTEND, DTSTAMP) to UTC.
 * Returns 0, or -1 with *err naming what failed.
 */
static int
prop_time(icalcomponent *vcal, icalproperty *prop, const struct tz *defzone,
    time_t *out, unsigned *flags, char **tzid_out, char **err)
{
	struct icaltimetype tt;
	icalparameter *param;
	const char *tzid = NULL;
	icaltimezone *vz;
	const struct tz *z;
	struct tz_date d;
	int isdst = 0, off;

	tt = icalvalue_get_datetime(icalproperty_get_value(prop));
	if (icaltime_is_null_time(tt) || !icaltime_is_valid_time(tt) ||
	    !year_ok(tt.year) || tt.month < 1 || tt.month > 12 ||
	    tt.day < 1 || tt.day > 31 || tt.hour > 23 || tt.minute > 59 ||
	    tt.second > 60) {
		*err = xstrdup("invalid date or time");
		return -1;
	}
	d.year = tt.year;
	d.month = tt.month;
	d.day = tt.day;
	if (!tz_date_valid(d)) {
		*err = xstrdup("no such date");
		return -1;
	}
	if (tt.second == 60)
		tt.second = 59;
	if (icaltime_is_utc(tt)) {
		*out = fields_as_utc(&tt);
		return 0;
	}
	param = icalproperty_get_first_parameter(prop, ICAL_TZID_PARAMETER);
	if (param != NULL)
		tzid = icalparameter_get_tzid(param);
	if (tzid != NULL && *tzid != '\0') {
		if (tzid_out != NULL && *tzid_out == NULL)
			*tzid_out = clean_text(tzid);
		if (tt.is_date) {
			/* A DATE with a TZID: midnight there. */
			tt.hour = tt.minute = tt.second = 0;
		}
		vz = icalcomponent_get_timezone(vcal, tzid);
		if (vz != NULL && vtimezone_usable(vz)) {
			struct icaltimetype local = tt;

			local.zone = NULL;
			local.is_date = 0;
			off = icaltimezone_get_utc_offset(vz, &local, &isdst);
			if (off < -18 * 3600 || off > 18 * 3600) {
				*err = xasprintf("VTIMEZONE gives offset %d s",
				    off);
				return -1;
			}
			*out = fields_as_utc(&tt) - off;
			*flags |= INVITE_TIME_VTIMEZONE;
			if (tt.is_date)
				*flags |= INVITE_TIME_ALLDAY;
			return 0;
		}
		if ((z = zone_by_name(tzid)) == NULL) {
			char *c = clean_line(tzid);

			*err = xasprintf("unknown time zone \"%s\" and no "
			    "VTIMEZONE for it", c);
			free(c);
			return -1;
		}
		*out = tz_utc(z, d, tt.hour, tt.minute, tt.second, 0, NULL);
		*flags |= INVITE_TIME_TZNAME;
		if (tt.is_date)
			*flags |= INVITE_TIME_ALLDAY;
		return 0;
	}
	if (tt.is_date) {
		*out = tz_utc(defzone, d, 0, 0, 0, 0, NULL);
		*flags |= INVITE_TIME_ALLDAY;
		return 0;
	}
	*out = tz_utc(defzone, d, tt.hour, tt.minute, tt.second, 0, NULL);
	*flags |= INVITE_TIME_FLOATING;
	return 0;
}

/* ------------------------------------------------------------- parse */

void
invite_msg_free(struct invite_msg *m)
{
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < m->nattendees; i++) {
		free(m->attendees[i].email);
		free(m->attendees[i].name);
		free(m->attendees[i].partstat);
	}
	free(m->attendees);
	free(m->method_name);
	free(m->uid);
	free(m->organizer);
	free(m->summary);
	free(m->comment);
	free(m->recurrence_id);
	free(m->tzid);
	free(m);
}

const struct invite_msg_attendee *
invite_msg_attendee(const struct invite_msg *m, const char *email)
{
	size_t i;

	for (i = 0; i < m->nattendees; i++)
		if (strcasecmp(m->attendees[i].email, email) == 0)
			return &m->attendees[i];
	return NULL;
}

/* "mailto:X@Y" (any case, any blanks) → "x@y"; the caller frees. */
static char *
cal_address(const char *v)
{
	char *s, *t;

	while (*v == ' ' || *v == '\t')
		v++;
	if (strncasecmp(v, "mailto:", 7) == 0)
		v += 7;
	while (*v == ' ' || *v == '\t')
		v++;
	s = clean_text(v);
	str_trim(s);
	/* Some clients write "mailto:<a@b>". */
	if (s[0] == '<' && (t = strchr(s, '>')) != NULL && t[1] == '\0') {
		*t = '\0';
		memmove(s, s + 1, strlen(s + 1) + 1);
	}
	str_lower(s);
	return s;
}

/* The parameter's value (quotes removed) cleaned, or NULL. */
static char *
param_string(icalproperty *prop, const char *name)
{
	char *v, *c;

	v = icalproperty_get_parameter_as_string_r(prop, name);
	if (v == NULL)
		return NULL;
	c = clean_text(v);
	free(v);
	str_trim(c);
	if (c[0] == '"' && strlen(c) >= 2 && c[strlen(c) - 1] == '"') {
		c[strlen(c) - 1] = '\0';
		memmove(c, c + 1, strlen(c + 1) + 1);
	}
	if (*c == '\0') {
		free(c);
		return NULL;
	}
	return c;
}

static void
add_attendee(struct invite_msg *m, icalproperty *prop)
{
	struct invite_msg_attendee *a;
	const char *v;
	char *ps;

	v = icalproperty_get_attendee(prop);
	if (v == NULL || m->nattendees >= INVITE_MAX_ATTENDEES)
		return;
	m->attendees = xreallocarray(m->attendees, m->nattendees + 1,
	    sizeof(*m->attendees));
	a = &m->attendees[m->nattendees++];
	a->email = cal_address(v);
	a->name = param_string(prop, "CN");
	ps = param_string(prop, "PARTSTAT");
	if (ps == NULL)
		ps = xstrdup("NEEDS-ACTION");
	for (char *p = ps; *p != '\0'; p++)
		*p = (char)toupper((unsigned char)*p);
	a->partstat = ps;
}

static void
append_comment(struct invite_msg *m, const char *c)
{
	char *s = clean_text(c), *t;

	str_trim(s);
	if (*s == '\0') {
		free(s);
		return;
	}
	if (m->comment == NULL) {
		m->comment = s;
		return;
	}
	t = xasprintf("%s\n%s", m->comment, s);
	free(m->comment);
	free(s);
	m->comment = t;
}

/* The VEVENT to read: the first without RECURRENCE-ID, else the first. */
static icalcomponent *
pick_vevent(icalcomponent *vcal)
{
	icalcomponent *c, *first = NULL;

	for (c = icalcomponent_get_first_component(vcal,
	    ICAL_VEVENT_COMPONENT); c != NULL;
	    c = icalcomponent_get_next_component(vcal,
	    ICAL_VEVENT_COMPONENT)) {
		if (first == NULL)
			first = c;
		if (icalcomponent_get_first_property(c,
		    ICAL_RECURRENCEID_PROPERTY) == NULL)
			return c;
	}
	return first;
}

static int
fail_at(char **err, const char *text, size_t len, int from,
    const char *prop, char *why)
{
	int line = prop ? prop_line(text, len, from, prop) : 0;
	char *c;

	/* libical's messages may quote the input: one clean line. */
	c = clean_line(why);
	free(why);
	why = c;
	if (line > 0)
		*err = xasprintf("line %d: %s: %s", line, prop, why);
	else if (prop != NULL)
		*err = xasprintf("%s: %s", prop, why);
	else
		*err = xstrdup(why);
	free(why);
	return -1;
}

int
invite_parse(const char *text, size_t len, const char *default_zone,
    struct invite_msg **out, char **err)
{
	struct scanres sr;
	icalcomponent *root = NULL, *vcal, *ev;
	icalproperty *p, *dtstart = NULL, *dtend = NULL, *dtstamp = NULL;
	icalproperty *duration = NULL;
	struct invite_msg *m = NULL;
	const struct tz *defzone;
	const char *v, *licerr = NULL;
	char *copy = NULL, *e = NULL, *s;
	unsigned flags = 0, endflags = 0;
	int rc = -1, times_matter;

	*out = NULL;
	*err = NULL;
	invite_init_lib();
	if (len > INVITE_MAX_LEN) {
		*err = xasprintf("iCalendar object of %zu bytes is larger "
		    "than the %d-byte limit", len, INVITE_MAX_LEN);
		return -1;
	}
	if (memchr(text, '\0', len) != NULL) {
		const char *z = memchr(text, '\0', len);
		int line = 1;

		for (const char *q = text; q < z; q++)
			line += (*q == '\n');
		*err = xasprintf("line %d: NUL byte", line);
		return -1;
	}
	if (default_zone == NULL)
		default_zone = "Etc/UTC";
	if ((defzone = tz_get(default_zone, &e)) == NULL) {
		*err = xasprintf("default zone: %s", e);
		free(e);
		return -1;
	}
	if (scan_structure(text, len, &sr, err) != 0)
		return -1;

	copy = xstrndup(text + sr.begin, sr.end - sr.begin);
	root = icalparser_parse_string(copy);
	icalerror_clear_errno();
	if (root == NULL) {
		*err = xstrdup("libical could not parse the VCALENDAR");
		goto out;
	}
	if (icalcomponent_isa(root) == ICAL_VCALENDAR_COMPONENT)
		vcal = root;
	else
		vcal = icalcomponent_get_first_component(root,
		    ICAL_VCALENDAR_COMPONENT);
	if (vcal == NULL) {
		*err = xstrdup("no VCALENDAR component");
		goto out;
	}

	m = xcalloc(1, sizeof(*m));
	/* VCALENDAR scalars first: METHOD. */
	for (p = icalcomponent_get_first_property(vcal, ICAL_ANY_PROPERTY);
	    p != NULL;
	    p = icalcomponent_get_next_property(vcal, ICAL_ANY_PROPERTY)) {
		if (icalproperty_isa(p) == ICAL_METHOD_PROPERTY &&
		    m->method_name == NULL &&
		    (s = icalproperty_get_value_as_string_r(p)) != NULL) {
			m->method_name = clean_text(s);
			free(s);
			str_trim(m->method_name);
			for (s = m->method_name; *s != '\0'; s++)
				*s = (char)toupper((unsigned char)*s);
		}
	}
	if (m->method_name == NULL || *m->method_name == '\0') {
		rc = fail_at(err, text, len, 1, "METHOD",
		    xstrdup("missing (not an iTIP message)"));
		goto out;
	}
	m->method = method_from_name(m->method_name);

	if ((ev = pick_vevent(vcal)) == NULL) {
		*err = xstrdup("no VEVENT");
		goto out;
	}
	/*
	 * One pass over the VEVENT's properties with icalproperty_* calls
	 * only: no icalcomponent_get_*() inside, which would reset the
	 * cursor this loop runs on.
	 */
	for (p = icalcomponent_get_first_property(ev, ICAL_ANY_PROPERTY);
	    p != NULL;
	    p = icalcomponent_get_next_property(ev, ICAL_ANY_PROPERTY)) {
		switch (icalproperty_isa(p)) {
		case ICAL_UID_PROPERTY:
			if (m->uid == NULL &&
			    (v = icalproperty_get_uid(p)) != NULL) {
				m->uid = clean_text(v);
				str_trim(m->uid);
			}
			break;
		case ICAL_SEQUENCE_PROPERTY:
			m->sequence = icalproperty_get_sequence(p);
			if (m->sequence < 0)
				m->sequence = 0;
			break;
		case ICAL_DTSTAMP_PROPERTY:
			dtstamp = p;
			break;
		case ICAL_DTSTART_PROPERTY:
			if (dtstart == NULL)
				dtstart = p;
			break;
		case ICAL_DTEND_PROPERTY:
			if (dtend == NULL)
				dtend = p;
			break;
		case ICAL_DURATION_PROPERTY:
			duration = p;
			break;
		case ICAL_ORGANIZER_PROPERTY:
			if (m->organizer == NULL &&
			    (v = icalproperty_get_organizer(p)) != NULL)
				m->organizer = cal_address(v);
			break;
		case ICAL_ATTENDEE_PROPERTY:
			add_attendee(m, p);
			break;
		case ICAL_COMMENT_PROPERTY:
			if ((v = icalproperty_get_comment(p)) != NULL &&
			    *v != '\0')
				append_comment(m, v);
			break;
		case ICAL_SUMMARY_PROPERTY:
			if (m->summary == NULL &&
			    (v = icalproperty_get_summary(p)) != NULL)
				m->summary = clean_text(v);
			break;
		case ICAL_RECURRENCEID_PROPERTY:
			if (m->recurrence_id == NULL &&
			    (s = icalproperty_get_value_as_string_r(p)) !=
			    NULL) {
				m->recurrence_id = clean_text(s);
				free(s);
			}
			break;
		case ICAL_XLICERROR_PROPERTY:
			if (licerr == NULL)
				licerr = icalproperty_get_xlicerror(p);
			break;
		default:
			break;
		}
	}
	if (m->uid == NULL || *m->uid == '\0') {
		rc = fail_at(err, text, len, sr.vevent_line, "UID",
		    licerr ? xasprintf("missing or unreadable (%s)", licerr)
		    : xstrdup("missing in the VEVENT"));
		goto out;
	}
	if (dtstamp != NULL) {
		unsigned f = 0;

		if (prop_time(vcal, dtstamp, defzone, &m->dtstamp, &f, NULL,
		    &e) != 0) {
			/* A broken DTSTAMP only costs ordering. */
			log_debug("invite %s: DTSTAMP ignored: %s", m->uid, e);
			free(e);
			e = NULL;
			m->dtstamp = 0;
		}
	}
	/*
	 * The times are the point of a REQUEST, ADD or COUNTER: a bad one
	 * refuses the message. In a REPLY or CANCEL what counts is the
	 * PARTSTAT or the UID, so a bad time is only dropped.
	 */
	times_matter = m->method == INVITE_COUNTER ||
	    m->method == INVITE_REQUEST || m->method == INVITE_ADD;
	if (dtstart != NULL) {
		if (prop_time(vcal, dtstart, defzone, &m->start, &flags,
		    &m->tzid, &e) == 0)
			m->has_start = 1;
		else if (times_matter) {
			rc = fail_at(err, text, len, sr.vevent_line, "DTSTART",
			    e);
			e = NULL;
			goto out;
		} else {
			log_debug("invite %s: DTSTART ignored: %s", m->uid, e);
			free(e);
			e = NULL;
			flags = 0;
		}
	}
	if (dtend != NULL) {
		if (prop_time(vcal, dtend, defzone, &m->end, &endflags, NULL,
		    &e) == 0)
			m->has_end = 1;
		else if (times_matter) {
			rc = fail_at(err, text, len, sr.vevent_line, "DTEND", e);
			e = NULL;
			goto out;
		} else {
			log_debug("invite %s: DTEND ignored: %s", m->uid, e);
			free(e);
			e = NULL;
			endflags = 0;
		}
	} else if (duration != NULL && m->has_start) {
		struct icaldurationtype du = icalproperty_get_duration(duration);
		int secs = icaldurationtype_as_int(du);

		if (!icaldurationtype_is_bad_duration(du) && secs >= 0 &&
		    secs <= 366 * 86400) {
			m->end = m->start + secs;
			m->has_end = 1;
		}
	}
	m->time_flags = flags | endflags;
	if ((m->method == INVITE_COUNTER || m->method == INVITE_REQUEST) &&
	    !m->has_start) {
		rc = fail_at(err, text, len, sr.vevent_line, "DTSTART",
		    licerr ? xasprintf("missing or unreadable (%s)", licerr)
		    : xasprintf("missing in a %s", m->method_name));
		goto out;
	}
	if (m->has_start && m->has_end && m->end < m->start) {
		if (times_matter) {
			rc = fail_at(err, text, len, sr.vevent_line, "DTEND",
			    xstrdup("before DTSTART"));
			goto out;
		}
		log_debug("invite %s: DTEND before DTSTART ignored", m->uid);
		m->has_end = 0;
	}
	if ((m->method == INVITE_REPLY || m->method == INVITE_COUNTER) &&
	    m->nattendees == 0) {
		rc = fail_at(err, text, len, sr.vevent_line, "ATTENDEE",
		    xasprintf("missing in a %s", m->method_name));
		goto out;
	}
	log_trace(TRACE_INVITE, "invite %s: METHOD:%s SEQUENCE:%d, %zu "
	    "attendee(s)", m->uid, m->method_name, m->sequence,
	    m->nattendees);
	*out = m;
	m = NULL;
	rc = 0;
out:
	invite_msg_free(m);
	if (root != NULL)
		icalcomponent_free(root);
	icalerror_clear_errno();
	free(copy);
	return rc;
}
