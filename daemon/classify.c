/*
 * classify: the kind of a parsed message (precedence own > bounce >
 * auto-reply > iMIP > list > correspondence) and a bounce's failed
 * recipients. Rules and their sources:
 *  - own: Message-ID <mistok.…@own_domain> (what outgoing mail carries);
 *  - bounce: RFC 3464 multipart/report; report-type=delivery-status, or a
 *    classic non-DSN bounce (from MAILER-DAEMON/postmaster with a bounce
 *    subject, or Exim's X-Failed-Recipients);
 *  - auto-reply: RFC 3834 Auto-Submitted other than "no", X-Autoreply,
 *    X-Autorespond, Precedence auto_reply, Precedence bulk/junk with an
 *    auto-reply subject, or an auto-reply subject (Outlook, Exchange,
 *    Gmail, Ukrainian and Russian Outlook);
 *  - iMIP: a calendar part with a METHOD;
 *  - list: List-Id, Precedence list, or Precedence bulk/junk.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "classify.h"
#include "mime_text.h"
#include "util.h"

int
classify_is_own_id(const char *id, const char *domain)
{
	const char *at;

	if (id == NULL || domain == NULL || *domain == '\0')
		return 0;
	if (strncasecmp(id, "mistok.", 7) != 0)
		return 0;
	if ((at = strrchr(id, '@')) == NULL || at == id + 7)
		return 0;
	return strcasecmp(at + 1, domain) == 0;
}

static void
strv_push(char ***v, size_t *n, const char *s, size_t len)
{
	char *e;
	size_t i;

	while (len > 0 && (*s == ' ' || *s == '\t' || *s == '<')) {
		s++;
		len--;
	}
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' ||
	    s[len - 1] == '>' || s[len - 1] == '\r' || s[len - 1] == ';' ||
	    s[len - 1] == ','))
		len--;
	if (len == 0 || memchr(s, '@', len) == NULL)
		return;
	e = xstrndup(s, len);
	str_lower(e);
	for (i = 0; i < *n; i++)
		if (strcmp((*v)[i], e) == 0) {
			free(e);
			return;
		}
	*v = xreallocarray(*v, *n + 2, sizeof(**v));
	(*v)[(*n)++] = e;
	(*v)[*n] = NULL;
}

/* "rfc822; addr" → addr (the address type is optional in practice). */
static void
push_typed(char ***v, size_t *n, const char *val, size_t len)
{
	const char *semi = memchr(val, ';', len);

	if (semi != NULL) {
		len -= semi + 1 - val;
		val = semi + 1;
	}
	strv_push(v, n, val, len);
}

struct dsn_block {
	const char	*final, *orig;
	size_t		 flen, olen;
	int		 failed;
};

static void
dsn_block_end(struct dsn_block *blk, char ***v, size_t *n)
{
	if (blk->failed && (blk->final || blk->orig))
		push_typed(v, n, blk->final ? blk->final : blk->orig,
		    blk->final ? blk->flen : blk->olen);
	memset(blk, 0, sizeof(*blk));
}

char **
dsn_failed_recipients(const char *text, size_t len)
{
	struct dsn_block blk;
	char **v = xcalloc(1, sizeof(*v));
	const char *line, *nl, *a;
	size_t n = 0, pos = 0, ll, al;

	/* Blocks separated by blank lines; folded fields are rare here. */
	memset(&blk, 0, sizeof(blk));
	while (pos < len) {
		line = text + pos;
		nl = memchr(line, '\n', len - pos);
		ll = nl ? (size_t)(nl - line) : len - pos;
		pos += ll + 1;
		while (ll > 0 && (line[ll - 1] == '\r' || line[ll - 1] == ' ' ||
		    line[ll - 1] == '\t'))
			ll--;
		if (ll == 0) {
			dsn_block_end(&blk, &v, &n);
			continue;
		}
		if (ll > 16 && strncasecmp(line, "Final-Recipient:", 16) == 0) {
			blk.final = line + 16;
			blk.flen = ll - 16;
		} else if (ll > 19 &&
		    strncasecmp(line, "Original-Recipient:", 19) == 0) {
			blk.orig = line + 19;
			blk.olen = ll - 19;
		} else if (ll >= 7 && strncasecmp(line, "Action:", 7) == 0) {
			a = line + 7;
			al = ll - 7;
			while (al > 0 && (*a == ' ' || *a == '\t')) {
				a++;
				al--;
			}
			blk.failed = al >= 6 && strncasecmp(a, "failed", 6) == 0;
		}
	}
	dsn_block_end(&blk, &v, &n);
	return v;
}

static const char *bounce_subjects[] = {
	"undelivered mail returned", "undeliverable", "delivery status "
	"notification (failure)", "mail delivery failed", "returned mail",
	"delivery failure", "failure notice", "delivery has failed",
	"mail delivery failure", "non remis", "unzustellbar",
	"недоставлен", "не доставлено", "недоставлене", "не вдалося доставити",
	"не удалось доставить",
};

static const char *autoreply_subjects[] = {
	"out of office", "out of the office", "automatic reply",
	"autoreply", "auto-reply", "auto reply", "auto response",
	"autoresponse", "автоматична відповідь", "автоматический ответ",
	"автовідповідь", "автоответ", "abwesenheitsnotiz", "on vacation",
	"vacation reply", "réponse automatique",
};

static int
subject_has(const char *subject, const char **set, size_t n)
{
	char *low;
	size_t i;

	if (subject == NULL)
		return 0;
	low = utf8_lower(subject);
	for (i = 0; i < n && strstr(low, set[i]) == NULL; i++)
		;
	free(low);
	return i < n;
}

static int
from_daemon(const struct msg *m)
{
	const char *e = m->from.email;

	return strncmp(e, "mailer-daemon", 13) == 0 ||
	    strncmp(e, "postmaster", 10) == 0 ||
	    (m->from.name != NULL &&
	    strcasecmp(m->from.name, "Mail Delivery System") == 0) ||
	    (m->from.name != NULL &&
	    strcasecmp(m->from.name, "Mail Delivery Subsystem") == 0);
}

/* Postfix's "<addr>: reason" lines in a plain-text bounce. */
static void
scan_postfix(char ***v, size_t *n, const char *body)
{
	const char *p = body, *gt;
	size_t guard = 0;

	while (*p != '\0' && guard++ < 1000) {
		if (*p == '<' && (gt = strchr(p, '>')) != NULL &&
		    gt[1] == ':' && gt - p < 256)
			strv_push(v, n, p + 1, gt - p - 1);
		if ((p = strchr(p, '\n')) == NULL)
			break;
		p++;
	}
}

static int
is_bounce(struct msg *m, const struct classify_in *in)
{
	const char *xfr;
	char **v;
	size_t n = 0;

	xfr = msg_header(m, "X-Failed-Recipients");
	if (!in->dsn_report && xfr == NULL && !(from_daemon(m) &&
	    subject_has(m->subject, bounce_subjects, nitems(bounce_subjects))))
		return 0;
	if (in->dsn != NULL)
		v = dsn_failed_recipients(in->dsn, in->dsn_len);
	else
		v = xcalloc(1, sizeof(*v));
	for (n = 0; v[n] != NULL; n++)
		;
	if (n == 0 && xfr != NULL) {
		const char *p = xfr, *c;

		while (*p != '\0') {
			c = strchr(p, ',');
			strv_push(&v, &n, p, c ? (size_t)(c - p) : strlen(p));
			if (c == NULL)
				break;
			p = c + 1;
		}
	}
	if (n == 0 && m->body != NULL)
		scan_postfix(&v, &n, m->body);
	strv_free(m->bounced);
	m->bounced = v;
	return 1;
}

static int
header_is(const struct msg *m, const char *name)
{
	const char *v = msg_header(m, name);

	return v != NULL && strcasecmp(v, "no") != 0 && strcasecmp(v, "false")
	    != 0;
}

static int
is_autoreply(const struct msg *m)
{
	int subj = subject_has(m->subject, autoreply_subjects,
	    nitems(autoreply_subjects)) || str_casestarts(m->subject, "Auto:");

	if (m->auto_submitted != NULL && strcmp(m->auto_submitted, "no") != 0)
		return 1;
	if (header_is(m, "X-Autoreply") || header_is(m, "X-Autorespond") ||
	    header_is(m, "X-Autoresponder"))
		return 1;
	if (m->precedence != NULL) {
		if (strcmp(m->precedence, "auto_reply") == 0)
			return 1;
		/* vacation(1) sends Precedence: junk/bulk, so do lists. */
		if ((strcmp(m->precedence, "bulk") == 0 ||
		    strcmp(m->precedence, "junk") == 0) && subj)
			return 1;
	}
	/* A list post about "Out of office hours" is still list mail. */
	return subj && m->list_id == NULL;
}

void
classify(struct msg *m, const struct classify_in *in)
{
	size_t i;

	if (classify_is_own_id(m->message_id, in->own_domain)) {
		m->kind = MSG_OWN;
		return;
	}
	if (is_bounce(m, in)) {
		m->kind = MSG_BOUNCE;
		return;
	}
	if (is_autoreply(m)) {
		m->kind = MSG_AUTOREPLY;
		return;
	}
	for (i = 0; i < m->ncal; i++)
		if (m->cal[i].method != NULL) {
			m->kind = MSG_IMIP;
			return;
		}
	if (m->list_id != NULL || (m->precedence != NULL &&
	    (strcmp(m->precedence, "list") == 0 ||
	    strcmp(m->precedence, "bulk") == 0 ||
	    strcmp(m->precedence, "junk") == 0))) {
		m->kind = MSG_LIST;
		return;
	}
	m->kind = MSG_CORRESPONDENCE;
}
