/*
 * mime_hdr: structured header fields without GMime — message-ids (with
 * notmuch's strict In-Reply-To rule) and tolerant address lists whose
 * display names go through mistok's own RFC 2047 decoder.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "mime.h"
#include "mime_text.h"
#include "rfc2047.h"
#include "util.h"

#define MAX_ADDRS	10000	/* bound on one header's list */
#define MAX_REFS	1000

void
strv_free(char **v)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

void
msg_addr_free_array(struct msg_addr *a, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(a[i].name);
		free(a[i].email);
	}
	free(a);
}

/* Skips blanks and (nested) comments. */
static const char *
skip_cfws(const char *s)
{
	int depth;

	for (;;) {
		while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
			s++;
		if (*s != '(')
			return s;
		depth = 0;
		for (; *s != '\0'; s++) {
			if (*s == '\\' && s[1] != '\0')
				s++;
			else if (*s == '(')
				depth++;
			else if (*s == ')' && --depth == 0) {
				s++;
				break;
			}
		}
	}
}

/* Copies [s, e) without white space; NULL when empty. */
static char *
id_copy(const char *s, const char *e)
{
	char *id = xmalloc(e - s + 1), *p = id;

	for (; s < e; s++)
		if (!isspace((unsigned char)*s))
			*p++ = *s;
	*p = '\0';
	if (*id == '\0') {
		free(id);
		return NULL;
	}
	return id;
}

char *
mime_parse_msgid(const char *v)
{
	const char *s, *e;

	if (v == NULL)
		return NULL;
	s = skip_cfws(v);
	if (*s == '<') {
		if ((e = strchr(s + 1, '>')) == NULL)
			e = s + strlen(s);
		return id_copy(s + 1, e);
	}
	/* No brackets: the first word is the best guess. */
	for (e = s; *e != '\0' && !isspace((unsigned char)*e) && *e != '(';
	    e++)
		;
	return id_copy(s, e);
}

char *
mime_parse_msgid_strict(const char *v)
{
	const char *s, *e;

	if (v == NULL)
		return NULL;
	s = v;
	while (isspace((unsigned char)*s))
		s++;
	if (*s++ != '<')
		return NULL;
	for (e = s; *e != '\0' && *e != '>'; e++)
		if (isspace((unsigned char)*e))
			return NULL;
	if (*e != '>' || e == s)
		return NULL;
	for (v = e + 1; isspace((unsigned char)*v); v++)
		;
	if (*v != '\0')
		return NULL;
	return xstrndup(s, e - s);
}

char **
mime_parse_references(const char *v)
{
	char **out = xcalloc(1, sizeof(*out)), *id;
	const char *s, *e;
	size_t n = 0;

	if (v == NULL)
		return out;
	s = v;
	while (*s != '\0' && n < MAX_REFS) {
		s = skip_cfws(s);
		if (*s == '\0')
			break;
		if (*s != '<') {
			/* Garbage between ids: skip a word (at least a byte). */
			s++;
			while (*s != '\0' && *s != '<' && *s != '(' &&
			    !isspace((unsigned char)*s))
				s++;
			continue;
		}
		if ((e = strchr(s + 1, '>')) == NULL)
			break;
		/* "<a <b>": the inner '<' starts over. */
		if (memchr(s + 1, '<', e - s - 1) != NULL) {
			s = memchr(s + 1, '<', e - s - 1);
			continue;
		}
		if ((id = id_copy(s + 1, e)) != NULL) {
			out = xreallocarray(out, n + 2, sizeof(*out));
			out[n++] = id;
			out[n] = NULL;
		}
		s = e + 1;
	}
	return out;
}

/* The pieces of one address while it is read. */
struct addr_acc {
	struct buf	phrase;		/* raw text outside <> and () */
	struct buf	comment;	/* comment text */
	struct buf	angle;		/* inside <> */
	int		have_angle;
};

static void
acc_reset(struct addr_acc *a)
{
	buf_reset(&a->phrase);
	buf_reset(&a->comment);
	buf_reset(&a->angle);
	a->have_angle = 0;
}

/* Decodes a display name; NULL when empty. */
static char *
decode_name(struct buf *b)
{
	char *s;
	size_t n;

	if (b->len == 0)
		return NULL;
	s = rfc2047_decode(b->data, b->len);
	n = strlen(s);
	/* 'John Smith' (Outlook) → John Smith. */
	if (n >= 2 && s[0] == '\'' && s[n - 1] == '\'') {
		memmove(s, s + 1, n - 2);
		s[n - 2] = '\0';
	}
	if (*str_trim(s) == '\0') {
		free(s);
		return NULL;
	}
	return s;
}

static void
acc_emit(struct addr_acc *a, struct msg_addr **out, size_t *n)
{
	struct msg_addr ad;
	char *email, *colon, *t;

	if (a->have_angle) {
		email = id_copy(a->angle.data ? a->angle.data : "",
		    (a->angle.data ? a->angle.data : "") + a->angle.len);
		/* Source route <@a,@b:user@host> → user@host. */
		if (email != NULL && email[0] == '@' &&
		    (colon = strchr(email, ':')) != NULL)
			memmove(email, colon + 1, strlen(colon + 1) + 1);
		if (email != NULL && strncasecmp(email, "mailto:", 7) == 0)
			memmove(email, email + 7, strlen(email + 7) + 1);
		ad.name = decode_name(&a->phrase);
		if (ad.name == NULL)
			ad.name = decode_name(&a->comment);
	} else {
		t = a->phrase.data ? a->phrase.data : "";
		if (strchr(t, '@') == NULL) {
			acc_reset(a);
			return;	/* a bare word is not an address */
		}
		email = id_copy(t, t + a->phrase.len);
		ad.name = decode_name(&a->comment);
	}
	if (email == NULL || *email == '\0') {
		free(email);
		free(ad.name);
		acc_reset(a);
		return;
	}
	str_lower(email);
	ad.email = email;
	if (*n < MAX_ADDRS) {
		*out = xreallocarray(*out, *n + 1, sizeof(**out));
		(*out)[(*n)++] = ad;
	} else {
		free(ad.email);
		free(ad.name);
	}
	acc_reset(a);
}

size_t
mime_parse_addresses(const char *value, struct msg_addr **out)
{
	struct addr_acc a;
	char *v;
	const char *s;
	size_t n = 0;
	int depth, in_group = 0;

	*out = NULL;
	if (value == NULL)
		return 0;
	v = hdr_unfold(value);
	memset(&a, 0, sizeof(a));
	buf_init(&a.phrase);
	buf_init(&a.comment);
	buf_init(&a.angle);
	for (s = v; *s != '\0'; s++) {
		switch (*s) {
		case '"':
			for (s++; *s != '\0' && *s != '"'; s++) {
				if (*s == '\\' && s[1] != '\0')
					s++;
				buf_addc(&a.phrase, *s);
			}
			if (*s == '\0')
				s--;
			break;
		case '(':
			depth = 0;
			if (a.comment.len > 0)
				buf_addc(&a.comment, ' ');
			for (; *s != '\0'; s++) {
				if (*s == '\\' && s[1] != '\0') {
					buf_addc(&a.comment, *++s);
					continue;
				}
				if (*s == '(' && depth++ == 0)
					continue;
				if (*s == ')' && --depth == 0)
					break;
				buf_addc(&a.comment, *s);
			}
			if (*s == '\0')
				s--;
			break;
		case '<':
			if (a.have_angle) {
				/* "<a> <b>": two addresses run together. */
				acc_emit(&a, out, &n);
			}
			a.have_angle = 1;
			for (s++; *s != '\0' && *s != '>'; s++) {
				if (*s == '(') {
					s = skip_cfws(s) - 1;
					continue;
				}
				buf_addc(&a.angle, *s);
			}
			if (*s == '\0')
				s--;
			break;
		case ',':
			acc_emit(&a, out, &n);
			break;
		case ';':
			acc_emit(&a, out, &n);
			in_group = 0;
			break;
		case ':':
			if (!in_group && !a.have_angle) {
				/* A group's name: dropped, members kept. */
				in_group = 1;
				acc_reset(&a);
				break;
			}
			buf_addc(&a.phrase, *s);
			break;
		default:
			if (a.have_angle && (*s == ' ' || *s == '\t') &&
			    a.phrase.len == 0)
				break;
			buf_addc(&a.phrase, *s);
		}
	}
	acc_emit(&a, out, &n);
	buf_free(&a.phrase);
	buf_free(&a.comment);
	buf_free(&a.angle);
	free(v);
	return n;
}
