/*
 * invite_scan: the parser's first pass, without libical. It cleans text
 * read from a calendar for the rest of mistok and checks the component
 * structure line by line, so that an error names its line (libical never
 * says where). The parse itself, with libical, is in invite.c.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "invite_int.h"
#include "util.h"

#define MAX_DEPTH	10

/* ---------------------------------------------------------------- text */

/*
 * A copy fit for the rest of mistok: invalid UTF-8 bytes become '?',
 * control characters other than LF and TAB become spaces, CRLF and CR
 * become LF. The caller frees it.
 */
char *
invite_clean_text(const char *s)
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
			if (invite_utf8_ok(s + i, k))
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

/* invite_clean_text() on one line, for error messages. The caller frees it. */
char *
invite_clean_line(const char *s)
{
	char *c = invite_clean_text(s), *p;

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

/*
 * Checks the component structure of the first VCALENDAR in text: every
 * BEGIN has its END, in order, nesting at most MAX_DEPTH; every content
 * line has a name and a colon. Returns 0, or -1 with *err.
 */
int
invite_scan_structure(const char *text, size_t len, struct invite_scanres *r,
    char **err)
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
				char *c = invite_clean_line(v), *b;

				b = invite_clean_line(stack[depth - 1]);
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
int
invite_prop_line(const char *text, size_t len, int from, const char *name)
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

