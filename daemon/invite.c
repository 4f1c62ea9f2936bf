/*
 * invite: iCalendar parse (libical 3.0), METHOD names and Windows zone
 * names. Building is done by hand, without libical, in invite_write.c;
 * the text cleaning and line scanner of the first step in invite_scan.c.
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
#include "invite_int.h"
#include "log.h"
#include "tz.h"
#include "util.h"

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
			*tzid_out = invite_clean_text(tzid);
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
			char *c = invite_clean_line(tzid);

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
	s = invite_clean_text(v);
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
	c = invite_clean_text(v);
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
	char *s = invite_clean_text(c), *t;

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
	int line = prop ? invite_prop_line(text, len, from, prop) : 0;
	char *c;

	/* libical's messages may quote the input: one clean line. */
	c = invite_clean_line(why);
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
	struct invite_scanres sr;
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
	if (invite_scan_structure(text, len, &sr, err) != 0)
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
			m->method_name = invite_clean_text(s);
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
				m->uid = invite_clean_text(v);
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
				m->summary = invite_clean_text(v);
			break;
		case ICAL_RECURRENCEID_PROPERTY:
			if (m->recurrence_id == NULL &&
			    (s = icalproperty_get_value_as_string_r(p)) !=
			    NULL) {
				m->recurrence_id = invite_clean_text(s);
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
