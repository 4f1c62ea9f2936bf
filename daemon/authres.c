/*
 * authres: RFC 8601 Authentication-Results, just enough of it: the
 * authserv-id, each resinfo's method and result, and the header.d /
 * header.from properties. CFWS comments are dropped first (nested,
 * escaped), quoted strings are unquoted, then the value splits on ';'
 * outside quotes.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "authres.h"
#include "util.h"

/* value without comments; quoted strings kept (with their quotes). */
static char *
strip_comments(const char *v)
{
	struct buf b;
	int depth = 0, quoted = 0;

	buf_init(&b);
	for (; *v != '\0'; v++) {
		if (*v == '\\' && v[1] != '\0' && (quoted || depth > 0)) {
			if (depth == 0) {
				buf_addc(&b, v[0]);
				buf_addc(&b, v[1]);
			}
			v++;
			continue;
		}
		if (depth == 0 && *v == '"')
			quoted = !quoted;
		else if (!quoted && *v == '(') {
			depth++;
			continue;
		} else if (!quoted && *v == ')' && depth > 0) {
			depth--;
			if (depth == 0)
				buf_addc(&b, ' ');
			continue;
		}
		if (depth == 0)
			buf_addc(&b, *v == '\t' || *v == '\r' || *v == '\n' ?
			    ' ' : *v);
	}
	buf_addc(&b, '\0');
	return buf_steal(&b);
}

/*
 * The next word of *s: a run up to white space or ';' outside quotes,
 * with quotes removed. NULL at the end of the piece.
 */
static char *
next_word(const char **s)
{
	const char *p = *s;
	struct buf b;
	int quoted = 0;

	while (*p == ' ')
		p++;
	if (*p == '\0') {
		*s = p;
		return NULL;
	}
	buf_init(&b);
	for (; *p != '\0' && (quoted || *p != ' '); p++) {
		if (*p == '\\' && quoted && p[1] != '\0') {
			buf_addc(&b, *++p);
			continue;
		}
		if (*p == '"') {
			quoted = !quoted;
			continue;
		}
		buf_addc(&b, *p);
	}
	*s = p;
	buf_addc(&b, '\0');
	return buf_steal(&b);
}

static void
lower(char *s)
{
	for (; *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

/* Splits text at ';' outside quotes: NULL-terminated pieces. */
static char **
split_semi(const char *text, size_t *n)
{
	char **v = NULL;
	const char *p, *start = text;
	int quoted = 0;
	size_t k = 0;

	for (p = text;; p++) {
		if (*p == '\\' && quoted && p[1] != '\0') {
			p++;
			continue;
		}
		if (*p == '"')
			quoted = !quoted;
		if (*p == '\0' || (*p == ';' && !quoted)) {
			v = xreallocarray(v, k + 2, sizeof(*v));
			v[k++] = xstrndup(start, (size_t)(p - start));
			v[k] = NULL;
			if (*p == '\0')
				break;
			start = p + 1;
		}
	}
	*n = k;
	return v;
}

void
authres_free(struct authres *a)
{
	size_t i;

	if (a == NULL)
		return;
	for (i = 0; i < a->n; i++) {
		free(a->r[i].method);
		free(a->r[i].result);
		free(a->r[i].header_d);
		free(a->r[i].header_from);
	}
	free(a->r);
	free(a->authserv_id);
	memset(a, 0, sizeof(*a));
}

/* One resinfo into r; 0 or -1 (nothing set then). */
static int
parse_resinfo(const char *piece, struct authres_result *r)
{
	const char *s = piece;
	char *w, *eq, *slash;
	int first = 1, rc = 0;

	memset(r, 0, sizeof(*r));
	while (rc == 0 && (w = next_word(&s)) != NULL) {
		eq = strchr(w, '=');
		if (first) {
			first = 0;
			/* method[/version] "=" result */
			if (eq == NULL || eq == w || eq[1] == '\0') {
				rc = -1;
			} else {
				*eq = '\0';
				if ((slash = strchr(w, '/')) != NULL)
					*slash = '\0';
				r->method = xstrdup(w);
				r->result = xstrdup(eq + 1);
				lower(r->method);
				lower(r->result);
			}
		} else if (eq != NULL) {
			*eq = '\0';
			lower(w);
			if (strcmp(w, "header.d") == 0 && r->header_d == NULL) {
				r->header_d = xstrdup(eq + 1);
				lower(r->header_d);
			} else if (strcmp(w, "header.from") == 0 &&
			    r->header_from == NULL) {
				r->header_from = xstrdup(eq + 1);
				lower(r->header_from);
			}
		}
		free(w);
	}
	if (rc == 0 && r->method == NULL)
		rc = -1;
	if (rc == -1) {
		free(r->method);
		free(r->result);
		free(r->header_d);
		free(r->header_from);
		memset(r, 0, sizeof(*r));
	}
	return rc;
}

int
authres_parse(const char *value, struct authres *out)
{
	char *text, **pieces, *id;
	const char *s;
	size_t n, i;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (value == NULL)
		return -1;
	text = strip_comments(value);
	pieces = split_semi(text, &n);
	free(text);
	s = pieces[0];
	if ((id = next_word(&s)) == NULL || strchr(id, '=') != NULL) {
		free(id);
		for (i = 0; i < n; i++)
			free(pieces[i]);
		free(pieces);
		return -1;
	}
	lower(id);
	out->authserv_id = id;
	out->r = xcalloc(n, sizeof(*out->r));
	for (i = 1; i < n && rc == 0; i++) {
		s = pieces[i];
		while (*s == ' ')
			s++;
		if (*s == '\0')
			continue;	/* a trailing ';' */
		if (strcasecmp(s, "none") == 0 || strncasecmp(s, "none ",
		    5) == 0)
			continue;	/* "no-result" */
		if (parse_resinfo(s, &out->r[out->n]) == -1)
			rc = -1;
		else
			out->n++;
	}
	for (i = 0; i < n; i++)
		free(pieces[i]);
	free(pieces);
	if (rc == -1)
		authres_free(out);
	return rc;
}

int
authres_vouches(char *const *values, const char *authserv_id,
    const char *from_domain, const char **why)
{
	struct authres a;
	size_t i, k;
	int ok = 0, ours = 0;
	const char *reason = "no Authentication-Results header";

	if (authserv_id == NULL || *authserv_id == '\0') {
		if (why != NULL)
			*why = "no authserv_id is configured";
		return 0;
	}
	if (from_domain == NULL || *from_domain == '\0') {
		if (why != NULL)
			*why = "the mail has no From domain";
		return 0;
	}
	for (i = 0; values != NULL && values[i] != NULL && !ok; i++) {
		if (authres_parse(values[i], &a) == -1) {
			if (i == 0)
				reason = "the topmost Authentication-Results "
				    "header does not parse";
			break;
		}
		if (strcasecmp(a.authserv_id, authserv_id) != 0) {
			authres_free(&a);
			if (i == 0)
				reason = "the topmost Authentication-Results "
				    "header is not the receiving server's "
				    "(another authserv-id)";
			break;
		}
		ours++;
		for (k = 0; k < a.n && !ok; k++) {
			struct authres_result *r = &a.r[k];

			if (strcmp(r->result, "pass") != 0)
				continue;
			if (strcmp(r->method, "dmarc") == 0 &&
			    (r->header_from == NULL ||
			    strcasecmp(r->header_from, from_domain) == 0))
				ok = 1;
			else if (strcmp(r->method, "dkim") == 0 &&
			    r->header_d != NULL &&
			    strcasecmp(r->header_d, from_domain) == 0)
				ok = 1;
		}
		authres_free(&a);
	}
	if (!ok && ours > 0)
		reason = "the receiving server shows neither dmarc=pass nor "
		    "a dkim=pass for the From domain (SPF alone is not "
		    "enough)";
	if (!ok && why != NULL)
		*why = reason;
	return ok;
}
