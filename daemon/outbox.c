/*
 * outbox: queue, delivery, failure notices, daemon module. The listing
 * and the operator's retry/cancel are in outbox_list.c, the Sent copies
 * (IMAP APPEND) in outbox_copy.c.
 *
 * A mail's life (the status column):
 *   queued   --claim, attempts+1, committed-->  sending
 *   sending  --server took it-->                sent (copy: pending)
 *   sending  --4xx, timeout, unreachable-->     queued (next_attempt later)
 *   sending  --5xx, or give_up_after passed-->  failed (+ one notice)
 *   sending  --found at start-up-->             queued (recovered+1)
 *   queued/failed --mistok outbox cancel-->     cancelled
 * Each arrow is its own committed statement or transaction, so whatever
 * moment a crash picks, the row says what may have happened.
 *
 * Failures of the session rather than of the mail (connect, TLS, EHLO,
 * AUTH: the same for every mail) defer the mail with backoff and end the
 * batch: a wrong password is fixed by the operator, and the mail then goes
 * out instead of having failed for good.
 *
 * The Sent copy (the copy column): pending → done after a successful
 * APPEND. A crash between the APPEND and its record appends again at the
 * next batch; the ingest stores the two copies as one message (the same
 * Message-ID), so only the folder shows it twice.
 *
 * Failure notices are written by notice.c (the `notice` template in the
 * team's language, composed by compose.c); outbox_plain_mail() remains
 * for send-test and as notice.c's fallback when no template set loads.
 *
 * A bounce (a DSN that comes back later, bounce.c) leaves the status
 * "sent" — the server did take the mail — and adds an "ADDRESS: bounced:
 * REASON" line to rejected (the refused recipients), which is what the
 * bounced count of struct outbox_mail reads.
 */
#include <sys/random.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "db.h"
#include "event.h"
#include "log.h"
#include "notice.h"
#include "outbox.h"
#include "rfc2047.h"
#include "smtp.h"
#include "util.h"

/* The daemon looks at the queue this often (ms), and sends per batch. */
#define OUTBOX_POLL_MS		2000
#define OUTBOX_BATCH		100
#define OUTBOX_SMTP_TIMEOUT	60

static uint32_t
rnd32(void)
{
	uint32_t r;

	if (getrandom(&r, sizeof(r), 0) != sizeof(r))
		r = (uint32_t)random();
	return r;
}

/* ---- queue --------------------------------------------------------- */

static int
valid_addr(const char *a)
{
	const char *at;

	if (a == NULL || *a == '\0' || strlen(a) > 320)
		return 0;
	if (strpbrk(a, " \t\r\n<>,;\"") != NULL)
		return 0;
	at = strrchr(a, '@');
	return at != NULL && at != a && at[1] != '\0';
}

/* The Subject header of raw, decoded; NULL when none. */
static char *
raw_subject(const char *raw, size_t len)
{
	const char *p = raw, *end = raw + len, *nl;

	while (p < end) {
		if (*p == '\r' || *p == '\n')
			break;			/* the end of the header */
		if (end - p > 8 && strncasecmp(p, "Subject:", 8) == 0)
			return rfc2047_decode(p + 8, end - p - 8);
		if ((nl = memchr(p, '\n', end - p)) == NULL)
			break;
		p = nl + 1;
	}
	return NULL;
}

int
outbox_enqueue(struct db *db, const char *key, const char *raw, size_t len,
    const char *env_from, const char *const *rcpts, const char *message_id,
    const char *subject, int64_t partnership, int64_t *id, char **err)
{
	struct buf r;
	char *subj = NULL;
	int64_t got;
	size_t i;
	int rc;

	*err = NULL;
	if (key == NULL || *key == '\0')
		return *err = xstrdup("outbox: no dedupe key"), -1;
	if (raw == NULL || len == 0)
		return *err = xasprintf("outbox %s: empty message", key), -1;
	for (i = 0; i < len; i++)
		if (raw[i] == '\n' && (i == 0 || raw[i - 1] != '\r'))
			return *err = xasprintf("outbox %s: a bare LF at "
			    "byte %zu; the producer must write CRLF", key, i),
			    -1;
	if (!valid_addr(env_from))
		return *err = xasprintf("outbox %s: bad envelope sender", key),
		    -1;
	buf_init(&r);
	for (i = 0; rcpts != NULL && rcpts[i] != NULL; i++) {
		if (!valid_addr(rcpts[i])) {
			buf_free(&r);
			return *err = xasprintf("outbox %s: bad recipient "
			    "address", key), -1;
		}
		buf_printf(&r, "%s%s", i ? " " : "", rcpts[i]);
	}
	if (r.len == 0) {
		buf_free(&r);
		return *err = xasprintf("outbox %s: no recipient", key), -1;
	}
	if (subject == NULL)
		subject = subj = raw_subject(raw, len);

	rc = db_exec(db, "INSERT INTO outbox (dedupe_key, raw, env_from, "
	    "recipients, status, attempts, next_attempt, message_id, "
	    "partnership, subject, created) VALUES (?, ?, ?, ?, 'queued', 0, "
	    "?, ?, nullif(?, 0), ?, ?) ON CONFLICT (dedupe_key) DO NOTHING",
	    "tbttTtItT", key, raw, len, env_from, r.data, clock_now(),
	    message_id, partnership > 0 ? partnership : (int64_t)0, subj ?
	    subj : subject, clock_now());
	free(subj);
	buf_free(&r);
	if (rc == -1)
		goto dberr;
	if (db_changes(db) == 1) {
		*id = db_last_id(db);
		log_trace(TRACE_OUTBOX, "outbox %lld: queued %s",
		    (long long)*id, key);
		return 1;
	}
	if (db_int(db, &got, "SELECT id FROM outbox WHERE dedupe_key = ?",
	    "t", key) != 1)
		goto dberr;
	*id = got;
	log_trace(TRACE_OUTBOX, "outbox %lld: %s already queued",
	    (long long)got, key);
	return 0;
dberr:
	*err = xasprintf("outbox %s: %s", key, db_errmsg(db));
	return -1;
}

int
outbox_recover(struct db *db)
{
	sqlite3_stmt *st;
	int n, rc;

	st = db_stmt(db, "SELECT id, message_id FROM outbox WHERE status = "
	    "'sending'");
	if (st == NULL)
		return -1;
	while ((rc = db_step(st)) == 1)
		log_warnx("outbox %lld: was being handed to the server when "
		    "mistok stopped; sending it again with the same "
		    "Message-ID <%s> (the recipient may get it twice)",
		    (long long)sqlite3_column_int64(st, 0),
		    sqlite3_column_text(st, 1) ?
		    (const char *)sqlite3_column_text(st, 1) : "");
	if (rc == -1)
		return -1;
	if (db_exec(db, "UPDATE outbox SET status = 'queued', next_attempt = "
	    "?, recovered = recovered + 1 WHERE status = 'sending'", "T",
	    clock_now()) == -1)
		return -1;
	n = db_changes(db);
	return n;
}

int
outbox_backoff(int first, int max, int attempts, uint32_t rnd)
{
	int64_t d = first > 0 ? first : 1;
	int i, jit;

	if (max < d)
		max = (int)d;
	for (i = 1; i < attempts && d < max; i++)
		d *= 2;
	if (d > max)
		d = max;
	jit = (int)(rnd % (uint32_t)(d / 4 + 1));
	d -= jit;
	return d < 1 ? 1 : (int)d;
}

long
outbox_next_due(struct db *db)
{
	int64_t t;
	int rc;

	rc = db_int(db, &t, "SELECT min(coalesce(next_attempt, 0)) FROM "
	    "outbox WHERE status = 'queued' HAVING count(*) > 0", "");
	if (rc != 1)
		return -1;
	return t <= clock_now() ? 0 : (long)(t - clock_now());
}

/* ---- notices ------------------------------------------------------- */

/* Keys of notices: failure and bounce notices are never noticed again. */
static int
is_notice_key(const char *key)
{
	return key != NULL && (strncmp(key, OUTBOX_NOTICE_PREFIX,
	    strlen(OUTBOX_NOTICE_PREFIX)) == 0 || strncmp(key,
	    OUTBOX_BOUNCE_PREFIX, strlen(OUTBOX_BOUNCE_PREFIX)) == 0);
}

static void
base64_lines(struct buf *b, const unsigned char *p, size_t n)
{
	static const char tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i, col = 0;
	uint32_t v;

	for (i = 0; i < n; i += 3) {
		v = (uint32_t)p[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		buf_addc(b, tab[(v >> 18) & 63]);
		buf_addc(b, tab[(v >> 12) & 63]);
		buf_addc(b, i + 1 < n ? tab[(v >> 6) & 63] : '=');
		buf_addc(b, i + 2 < n ? tab[v & 63] : '=');
		if ((col += 4) >= 76) {
			buf_adds(b, "\r\n");
			col = 0;
		}
	}
	if (col > 0)
		buf_adds(b, "\r\n");
}

/* RFC 2047 B words of at most 45 input bytes, never splitting UTF-8. */
static void
encoded_words(struct buf *b, const char *s)
{
	size_t n = strlen(s), i = 0, k;
	int ascii = 1;

	for (k = 0; k < n; k++)
		if ((unsigned char)s[k] >= 0x80 || (unsigned char)s[k] < 0x20)
			ascii = 0;
	if (ascii && n < 900) {
		buf_adds(b, s);
		return;
	}
	while (i < n) {
		struct buf w;

		k = n - i > 45 ? 45 : n - i;
		while (i + k < n && ((unsigned char)s[i + k] & 0xc0) == 0x80)
			k--;
		buf_init(&w);
		base64_lines(&w, (const unsigned char *)s + i, k);
		while (w.len > 0 && (w.data[w.len - 1] == '\n' ||
		    w.data[w.len - 1] == '\r'))
			w.data[--w.len] = '\0';
		buf_printf(b, "%s=?UTF-8?B?%s?=", i ? "\r\n " : "", w.data);
		buf_free(&w);
		i += k;
	}
}

/* A copy with control characters as spaces (no header injection). */
static char *
clean(const char *s)
{
	char *c = xstrdup(s ? s : ""), *p;

	for (p = c; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	return c;
}

char *
outbox_plain_mail(const struct config *conf, const char *const *addrs,
    const char *subject, const char *text, const char *parent,
    const char *const *refs, char **msgid, size_t *len)
{
	struct buf b, body;
	char date[64], *name, *subj, *id;
	const char *p;
	struct tm tm;
	time_t now = clock_now();
	uint32_t r[4];
	size_t i;

	for (i = 0; i < nitems(r); i++)
		r[i] = rnd32();
	*msgid = xasprintf("mistok.%08x%08x%08x%08x@%s", r[0], r[1], r[2],
	    r[3], conf->team_domain);
	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);

	buf_init(&b);
	name = clean(conf->team_name);
	buf_adds(&b, "From: ");
	encoded_words(&b, name);
	buf_printf(&b, " <%s>\r\nTo: ", conf->team_address);
	for (i = 0; addrs[i] != NULL; i++)
		buf_printf(&b, "%s%s", i ? ",\r\n " : "", addrs[i]);
	subj = clean(subject);
	buf_adds(&b, "\r\nSubject: ");
	encoded_words(&b, subj);
	buf_printf(&b, "\r\nDate: %s\r\nMessage-ID: <%s>\r\n", date, *msgid);
	if (parent != NULL && *parent != '\0') {
		/* One id per folded line: no line grows past the limit. */
		id = clean(parent);
		buf_printf(&b, "In-Reply-To: <%s>\r\nReferences:", id);
		for (i = 0; refs != NULL && refs[i] != NULL; i++) {
			char *ref = clean(refs[i]);

			if (strcmp(ref, id) != 0)
				buf_printf(&b, " <%s>\r\n", ref);
			free(ref);
		}
		buf_printf(&b, " <%s>\r\n", id);
		free(id);
	}
	buf_adds(&b, "Auto-Submitted: auto-generated\r\n"
	    "X-Auto-Response-Suppress: OOF, AutoReply\r\n"
	    "MIME-Version: 1.0\r\n"
	    "Content-Type: text/plain; charset=UTF-8\r\n"
	    "Content-Transfer-Encoding: base64\r\n\r\n");
	free(name);
	free(subj);
	/* The body with CRLF line ends, then base64. */
	buf_init(&body);
	for (p = text; *p; p++) {
		if (*p == '\n' && (p == text || p[-1] != '\r'))
			buf_addc(&body, '\r');
		buf_addc(&body, *p);
	}
	base64_lines(&b, (const unsigned char *)body.data, body.len);
	buf_free(&body);
	*len = b.len;
	return buf_steal(&b);
}

/*
 * Queues the one notice about failed mail m to the coordinators (the
 * `notice` template, notice.c), unless m is itself a notice or a test
 * mail (no notice about a notice: that could loop).
 */
static void
queue_notice(struct db *db, const struct config *conf,
    const struct outbox_mail *m)
{
	struct notice n;
	char *key, *rcpt, *err = NULL;
	int64_t id;

	if (is_notice_key(m->dedupe_key) ||
	    strncmp(m->dedupe_key, "send-test:", 10) == 0 ||
	    conf->coordinators == NULL ||
	    conf->coordinators[0] == NULL)
		return;
	key = xasprintf(OUTBOX_NOTICE_PREFIX "%lld", (long long)m->id);
	/* "a b" → "a, b" for the reader. */
	rcpt = xstrdup(m->recipients ? m->recipients : "");
	memset(&n, 0, sizeof(n));
	n.failed = 1;
	n.recipient = rcpt;
	n.subject = m->subject;
	n.reason = m->last_error;
	n.outbox_id = m->id;
	if (notice_queue(db, conf, key, &n, &id, &err) == -1) {
		log_warnx("%s", err);
		free(err);
	} else
		log_info("outbox %lld: failed; notice to the coordinators is "
		    "mail %lld", (long long)m->id, (long long)id);
	free(key);
	free(rcpt);
}

int
outbox_is_notice(const char *key)
{
	return is_notice_key(key);
}

/* ---- delivery ------------------------------------------------------ */

struct due {
	int64_t	*ids;
	size_t	 n;
};

static int
due_ids(struct db *db, size_t max, int64_t only_id, struct due *d)
{
	sqlite3_stmt *st;
	int rc;

	d->ids = NULL;
	d->n = 0;
	if (only_id != 0) {
		d->ids = xmalloc(sizeof(*d->ids));
		d->ids[d->n++] = only_id;
		return 0;
	}
	st = db_stmt(db, "SELECT id FROM outbox WHERE status = 'queued' AND "
	    "coalesce(next_attempt, 0) <= ? ORDER BY next_attempt, id "
	    "LIMIT ?");
	if (st == NULL || db_bind(st, "TI", clock_now(), max ? (int64_t)max :
	    (int64_t)-1) == -1)
		return -1;
	while ((rc = db_step(st)) == 1) {
		d->ids = xreallocarray(d->ids, d->n + 1, sizeof(*d->ids));
		d->ids[d->n++] = sqlite3_column_int64(st, 0);
	}
	return rc;
}

/* The envelope and bytes of a claimed mail. */
struct claimed {
	char	*raw;
	size_t	 len;
	char	*from;
	char	*rcptbuf;
	char	**rcpts;
	size_t	 nrcpt;
	time_t	 created;
};

static void
claimed_free(struct claimed *c)
{
	free(c->raw);
	free(c->from);
	free(c->rcptbuf);
	free(c->rcpts);
	memset(c, 0, sizeof(*c));
}

/* queued → sending (committed), and its data. 1 claimed, 0 not, -1. */
static int
claim(struct db *db, int64_t id, struct claimed *c)
{
	sqlite3_stmt *st;
	char *p, *save = NULL;
	int rc;

	memset(c, 0, sizeof(*c));
	if (db_exec(db, "UPDATE outbox SET status = 'sending', attempts = "
	    "attempts + 1, attempted_at = ? WHERE id = ? AND status = "
	    "'queued'", "TI", clock_now(), id) == -1)
		return -1;
	if (db_changes(db) != 1)
		return 0;
	st = db_stmt(db, "SELECT raw, env_from, recipients, created FROM "
	    "outbox WHERE id = ?");
	if (st == NULL || db_bind(st, "I", id) == -1 ||
	    (rc = db_step(st)) != 1)
		return -1;
	c->len = (size_t)sqlite3_column_bytes(st, 0);
	c->raw = xmalloc(c->len + 1);
	if (c->len > 0)
		memcpy(c->raw, sqlite3_column_blob(st, 0), c->len);
	c->raw[c->len] = '\0';
	c->from = db_col_strdup(st, 1);
	c->rcptbuf = db_col_strdup(st, 2);
	c->created = db_col_time(st, 3);
	sqlite3_reset(st);
	for (p = strtok_r(c->rcptbuf, " ", &save); p != NULL;
	    p = strtok_r(NULL, " ", &save)) {
		c->rcpts = xreallocarray(c->rcpts, c->nrcpt + 2,
		    sizeof(*c->rcpts));
		c->rcpts[c->nrcpt++] = p;
		c->rcpts[c->nrcpt] = NULL;
	}
	return 1;
}

static char *
join_rejected(const struct smtp_result *r)
{
	struct buf b;
	size_t i;

	if (r->nrejected == 0)
		return NULL;
	buf_init(&b);
	for (i = 0; i < r->nrejected; i++)
		buf_printf(&b, "%s%s", i ? "\n" : "", r->rejected[i]);
	return buf_steal(&b);
}

/* Marks a claimed mail failed and queues its notice, in one transaction. */
static int
mark_failed(struct db *db, const struct config *conf, int64_t id,
    const char *error, long code, const char *rejected)
{
	struct outbox_mail m;
	char *err = NULL;

	if (db_begin(db) == -1)
		return -1;
	if (db_exec(db, "UPDATE outbox SET status = 'failed', next_attempt = "
	    "NULL, last_error = ?, last_code = ?, rejected = ?, notified = 1 "
	    "WHERE id = ?", "tItI", error, (int64_t)code, rejected, id) == -1)
		goto fail;
	if (outbox_get(db, id, &m, &err) != 1) {
		free(err);
		goto fail;
	}
	queue_notice(db, conf, &m);
	outbox_mail_free(&m);
	if (db_commit(db) == -1)
		goto fail;
	return 0;
fail:
	db_rollback(db);
	return -1;
}

/*
 * Records the outcome of one attempt. Returns 1 when the batch should
 * stop (the session failed), 0 to go on, -1 on a database error.
 */
static int
record(struct db *db, const struct config *conf, int64_t id,
    const struct claimed *c, const struct smtp_result *r,
    struct outbox_stats *stats)
{
	char *rej = join_rejected(r), *e;
	time_t now = clock_now(), next;
	int64_t attempts = 0;
	int delay, rc = 0;

	if (r->status == SMTP_OK) {
		if (db_exec(db, "UPDATE outbox SET status = 'sent', sent_at = ?, "
		    "next_attempt = NULL, last_error = ?, last_code = ?, "
		    "rejected = ?, copy = ? WHERE id = ?", "TtItnI", now,
		    rej ? "some recipients were refused" : NULL,
		    (int64_t)r->code, rej, id) == -1)
			rc = -1;
		else if (outbox_save_sent(conf) && db_exec(db, "UPDATE outbox "
		    "SET copy = 'pending' WHERE id = ?", "I", id) == -1)
			rc = -1;
		if (rc == 0) {
			stats->sent++;
			log_info("outbox %lld: sent to %zu recipient(s)%s",
			    (long long)id, c->nrcpt - r->nrejected,
			    rej ? ", some refused" : "");
		}
		free(rej);
		return rc;
	}

	if (r->status == SMTP_FAIL && !r->session) {
		log_warnx("outbox %lld: refused for good: %s", (long long)id,
		    r->error);
		rc = mark_failed(db, conf, id, r->error, r->code, rej);
		if (rc == 0)
			stats->failed++;
		free(rej);
		return rc;
	}

	/* Retry later, or a session failure: back off, or give up. */
	db_int(db, &attempts, "SELECT attempts FROM outbox WHERE id = ?", "I",
	    id);
	if (now - c->created >= conf->give_up_after) {
		e = xasprintf("gave up after %lld attempt(s): %s",
		    (long long)attempts, r->error);
		log_warnx("outbox %lld: %s", (long long)id, e);
		rc = mark_failed(db, conf, id, e, r->code, rej);
		if (rc == 0)
			stats->failed++;
		free(e);
	} else {
		delay = outbox_backoff(conf->retry_first, conf->retry_max,
		    (int)attempts, rnd32());
		next = now + delay;
		if (next > c->created + conf->give_up_after)
			next = c->created + conf->give_up_after;
		log_info("outbox %lld: %s; attempt %lld, next in %lds",
		    (long long)id, r->error, (long long)attempts,
		    (long)(next - now));
		if (db_exec(db, "UPDATE outbox SET status = 'queued', "
		    "next_attempt = ?, last_error = ?, last_code = ?, "
		    "rejected = ? WHERE id = ?", "TtItI", next, r->error,
		    (int64_t)r->code, rej, id) == -1)
			rc = -1;
		else
			stats->deferred++;
	}
	free(rej);
	if (rc == 0 && r->session)
		rc = 1;
	return rc;
}

int
outbox_run(struct db *db, const struct config *conf, size_t max,
    int64_t only_id, struct outbox_stats *stats, char **err)
{
	struct smtp_params p;
	struct smtp *s = NULL;
	struct due d;
	struct claimed c;
	struct smtp_result r;
	char *secret = NULL, *e = NULL;
	size_t i;
	int rc = 0, stop;

	memset(stats, 0, sizeof(*stats));
	*err = NULL;
	if (due_ids(db, max, only_id, &d) == -1) {
		*err = xasprintf("outbox: %s", db_errmsg(db));
		return -1;
	}
	for (i = 0; i < d.n && rc == 0; i++) {
		if ((stop = claim(db, d.ids[i], &c)) == 0)
			continue;
		if (stop == -1) {
			*err = xasprintf("outbox %lld: %s",
			    (long long)d.ids[i], db_errmsg(db));
			rc = -1;
			claimed_free(&c);
			break;
		}
		if (s == NULL) {
			if (conf->smtp.password_file != NULL ||
			    conf->smtp.password_command != NULL) {
				if (config_secret(&conf->smtp, &secret,
				    &e) == -1) {
					/* Not the mail's fault: put it back. */
					db_exec(db, "UPDATE outbox SET status "
					    "= 'queued', attempts = attempts "
					    "- 1, last_error = ? WHERE id = ?",
					    "tI", e, d.ids[i]);
					*err = xasprintf("outbox: [smtp] %s",
					    e);
					free(e);
					claimed_free(&c);
					rc = -1;
					break;
				}
			}
			memset(&p, 0, sizeof(p));
			p.host = conf->smtp.host;
			p.port = conf->smtp.port;
			p.tls = conf->smtp.tls;
			p.ca_file = conf->smtp.ca_file;
			p.user = conf->smtp.user;
			p.auth = conf->smtp.auth;
			p.secret = secret;
			p.timeout = OUTBOX_SMTP_TIMEOUT;
			s = smtp_new(&p);
			if (secret != NULL) {
				explicit_bzero(secret, strlen(secret));
				free(secret);
				secret = NULL;
			}
		}
		smtp_send(s, c.from, (const char *const *)c.rcpts, c.nrcpt,
		    c.raw, c.len, &r);
		if (r.status == SMTP_RETRY_NOW) {
			log_debug("outbox %lld: %s; again on a new connection",
			    (long long)d.ids[i], r.error);
			smtp_result_free(&r);
			smtp_send(s, c.from, (const char *const *)c.rcpts,
			    c.nrcpt, c.raw, c.len, &r);
			if (r.status == SMTP_RETRY_NOW)
				r.status = SMTP_RETRY_LATER;
		}
		stop = record(db, conf, d.ids[i], &c, &r, stats);
		smtp_result_free(&r);
		claimed_free(&c);
		if (stop == -1) {
			*err = xasprintf("outbox %lld: %s",
			    (long long)d.ids[i], db_errmsg(db));
			rc = -1;
		} else if (stop == 1)
			break;
	}
	free(d.ids);
	if (s != NULL) {
		stats->connections = smtp_connections(s);
		smtp_free(s);
	}
	if (rc == 0 && stats->sent > 0 && outbox_save_sent(conf)) {
		int n = outbox_append_copies(db, conf, &e);

		if (n == -1) {
			log_warnx("outbox: copies to Sent: %s", e);
			free(e);
		} else
			stats->copies = (size_t)n;
	}
	return rc;
}

/* ---- the daemon module --------------------------------------------- */

static struct {
	struct daemon_ctx	*ctx;
	struct ev_timer		 timer;
	int			 running;
	int			 failing;	/* the last batch could not run */
} mod;

static void
arm(int64_t ms)
{
	ev_timer_start(&mod.timer, ms, 0);
}

static void
tick(struct ev_timer *t, void *arg)
{
	struct outbox_stats stats;
	char *err = NULL;
	long due;

	due = outbox_next_due(mod.ctx->db);
	if (due == 0) {
		if (outbox_run(mod.ctx->db, mod.ctx->conf, OUTBOX_BATCH, 0,
		    &stats, &err) == -1) {
			if (!mod.failing)
				log_warnx("%s", err);
			mod.failing = 1;
			free(err);
		} else {
			mod.failing = 0;
			if (stats.sent + stats.deferred + stats.failed > 0)
				log_debug("outbox: batch: %zu sent, %zu "
				    "deferred, %zu failed, %zu copies, %ld "
				    "connection(s)", stats.sent,
				    stats.deferred, stats.failed,
				    stats.copies, stats.connections);
			/* A full batch: more may be due at once. */
			if (stats.sent + stats.deferred + stats.failed >=
			    OUTBOX_BATCH) {
				arm(0);
				return;
			}
		}
	}
	arm(OUTBOX_POLL_MS);
}

static int
outbox_init(struct daemon_ctx *ctx)
{
	int n;

	mod.ctx = ctx;
	if ((n = outbox_recover(ctx->db)) == -1) {
		log_warnx("outbox: recovery: %s", db_errmsg(ctx->db));
		return -1;
	}
	if (n > 0)
		log_warnx("outbox: %d mail(s) found in \"sending\" are sent "
		    "again", n);
	ev_timer_init(&mod.timer, ctx->loop, tick, NULL);
	mod.running = 1;
	arm(0);
	return 0;
}

static void
outbox_shutdown(struct daemon_ctx *ctx)
{
	if (!mod.running)
		return;
	ev_timer_stop(&mod.timer);
	mod.running = 0;
}

void
outbox_wake(void)
{
	if (mod.running)
		arm(0);
}

const struct daemon_module outbox_module = {
	"outbox", outbox_init, NULL, outbox_shutdown,
};
