/*
 * invite_int: what invite.c (the parser, the only user of libical),
 * invite_scan.c (its first pass: text cleaning, line structure) and
 * invite_write.c (the hand-written iCalendar writer) share. No other
 * module includes it, and it never pulls in libical.
 */
#ifndef MISTOK_INVITE_INT_H
#define MISTOK_INVITE_INT_H

#include <stddef.h>

/* 1 when s[0..n) is valid UTF-8 (no overlongs, surrogates, > U+10FFFF). */
int invite_utf8_ok(const char *s, size_t n);

/*
 * A copy fit for the rest of mistok: invalid UTF-8 bytes become '?',
 * control characters other than LF and TAB become spaces, CRLF and CR
 * become LF. The caller frees it.
 */
char *invite_clean_text(const char *s);

/* invite_clean_text() on one line, at most 200 octets, for error
 * messages. The caller frees it. */
char *invite_clean_line(const char *s);

struct invite_scanres {
	size_t	begin;		/* offset of BEGIN:VCALENDAR */
	size_t	end;		/* offset just past END:VCALENDAR's line */
	int	vevent_line;	/* first BEGIN:VEVENT, 0 when none */
};

/*
 * Checks the component structure of the first VCALENDAR in text[0..len):
 * every BEGIN has its END, in order, nesting bounded; every content line
 * has a name and a colon. Returns 0 with *r filled, or -1 with *err (the
 * caller frees it) naming the line.
 */
int invite_scan_structure(const char *text, size_t len,
    struct invite_scanres *r, char **err);

/* The line of the first property called name at or after line from
 * (e.g. the BEGIN:VEVENT's), or 0 when there is none. */
int invite_prop_line(const char *text, size_t len, int from,
    const char *name);

#endif
