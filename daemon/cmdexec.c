/*
 * cmdexec: command mail from recognition to answer.
 *
 * At ingest (inside the message's savepoint) cmdexec_store_hook() only
 * decides and records: a commands row with status pending, foreign or
 * note. cmdexec_run() then takes each row in its own transaction:
 *   - every line is executed in one transaction; the first error (of the
 *     parser, or of a module refusing a line) rolls everything back and
 *     the answer lists the errors; Dry-Run rolls back too and answers
 *     what was done;
 *   - meeting lines (Meeting, Reschedule, Cancel, a slot number) are
 *     checked in that transaction but run after its commit, because the
 *     meeting module keeps its own transactions; the row is "executed"
 *     in between, so a crash never runs a line twice;
 *   - the answer is queued in the transaction that marks the row done.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "authres.h"
#include "classify.h"
#include "cmd.h"
#include "cmdexec.h"
#include "compose.h"
#include "config.h"
#include "dates.h"
#include "db.h"
#include "directory.h"
#include "json.h"
#include "log.h"
#include "mailtmpl.h"
#include "match.h"
#include "meeting.h"
#include "mime.h"
#include "notice.h"
#include "outbox.h"
#include "remind.h"
#include "report.h"
#include "search.h"
#include "slots.h"
#include "steps.h"
#include "store.h"
#include "timeline.h"
#include "tz.h"
#include "util.h"

#define SEARCH_MAX	20	/* messages listed by Search */
#define FOREIGN_LINES	8	/* lines quoted in a foreign notice */

/* ---- recognition -------------------------------------------------------- */

static const char *
domain_of(const char *email)
{
	const char *at = strrchr(email, '@');

	return at != NULL ? at + 1 : "";
}

/* team@d or team+x@d. */
static int
is_team_address(const struct config *conf, const char *email)
{
	const char *t = conf->team_address, *at, *tat, *plus;

	if (t == NULL || *email == '\0')
		return 0;
	if (strcasecmp(t, email) == 0)
		return 1;
	at = strrchr(email, '@');
	tat = strrchr(t, '@');
	if (at == NULL || tat == NULL || strcasecmp(at, tat) != 0)
		return 0;
	plus = memchr(email, '+', (size_t)(at - email));
	return plus != NULL && (size_t)(plus - email) == (size_t)(tat - t) &&
	    strncasecmp(email, t, (size_t)(tat - t)) == 0;
}

static int
in_config_coordinators(const struct config *conf, const char *email)
{
	size_t i;

	for (i = 0; conf->coordinators != NULL &&
	    conf->coordinators[i] != NULL; i++)
		if (strcasecmp(conf->coordinators[i], email) == 0)
			return 1;
	return 0;
}

/* 1, 0, -1. */
static int
is_coordinator(struct db *db, const struct config *conf, const char *email)
{
	if (*email == '\0')
		return 0;
	if (in_config_coordinators(conf, email))
		return 1;
	return directory_is_coordinator(db, conf, email);
}

/* Whether id is mistok's: recorded in own_ids, or of its id shape. */
static int
own_id(struct db *db, const struct config *conf, const char *id)
{
	int rc;

	if (id == NULL)
		return 0;
	if ((rc = compose_own_id(db, id, NULL, NULL, NULL)) != 0)
		return rc;
	return classify_is_own_id(id, conf->team_domain);
}

/*
 * The Authentication-Results values the receiving server wrote: the
 * topmost one and those right below it with no other header between.
 * Whatever the sender wrote lies below the receiving server's Received
 * line, so it is never in this run. NULL-terminated, the strings
 * borrowed from m; caller frees the array.
 */
static char **
top_authres(const struct msg *m)
{
	char **v = xcalloc(m->nhdr + 1, sizeof(*v));
	size_t i, n = 0;

	for (i = 0; i < m->nhdr; i++)
		if (strcasecmp(m->hdr[i].name, "Authentication-Results") == 0)
			break;
	for (; i < m->nhdr && strcasecmp(m->hdr[i].name,
	    "Authentication-Results") == 0; i++)
		v[n++] = m->hdr[i].value;
	return v;
}

void
cx_recognition_free(struct cx_recognition *r)
{
	free(r->own_id);
	memset(r, 0, sizeof(*r));
}

int
cmdexec_recognise(struct db *db, const struct config *conf,
    const struct msg *m, struct cx_recognition *out)
{
	const struct tz *zone;
	struct cmd_opts o;
	struct cmd_mail *cm;
	const char *from = m->from.email, *why = NULL;
	char *e = NULL;
	size_t i, k;
	int rc, looks, coord;

	memset(out, 0, sizeof(*out));
	if (m->kind != MSG_CORRESPONDENCE || m->truncated) {
		out->reason = "not correspondence";
		return 0;
	}
	if (*from == '\0' || is_team_address(conf, from)) {
		out->reason = "no sender, or the team itself";
		return 0;
	}
	/* Any partner among the recipients: correspondence. */
	for (k = 0; k < 2; k++) {
		const struct msg_addr *a = k == 0 ? m->to : m->cc;
		size_t n = k == 0 ? m->nto : m->ncc;

		for (i = 0; i < n; i++) {
			if (is_team_address(conf, a[i].email))
				continue;
			if ((rc = is_coordinator(db, conf, a[i].email)) == -1)
				return -1;
			if (rc == 0) {
				out->reason = "a partner is among the "
				    "recipients";
				return 0;
			}
		}
	}
	/* A reply to mistok's own mail. */
	if ((rc = own_id(db, conf, m->in_reply_to)) == -1)
		return -1;
	if (rc == 1)
		out->own_id = xstrdup(m->in_reply_to);
	for (i = 0; out->own_id == NULL && m->references != NULL &&
	    m->references[i] != NULL; i++)
		;
	while (out->own_id == NULL && i-- > 0) {
		if ((rc = own_id(db, conf, m->references[i])) == -1)
			return -1;
		if (rc == 1)
			out->own_id = xstrdup(m->references[i]);
	}
	out->reply_to_own = out->own_id != NULL;

	/* Does it read like commands? */
	zone = tz_get(conf->team_timezone, &e);
	free(e);
	o.zone = zone != NULL ? zone : tz_get("UTC", NULL);
	o.now = clock_now();
	cm = cmd_parse(m->body, m->body_len, m->quote_off, m->sig_off, &o);
	looks = cm->n > 0 || cm->nerrors > 0 ||
	    (out->reply_to_own && cm->first_word != REPLY_NONE &&
	    cm->first_word != REPLY_YES && cm->first_word != REPLY_NO);
	cmd_mail_free(cm);

	if ((coord = is_coordinator(db, conf, from)) == -1)
		return -1;
	if (coord && conf->require_authenticated_sender) {
		char **run = top_authres(m);

		if (!authres_vouches(run, conf->authserv_id, domain_of(from),
		    &why))
			coord = 0;
		free(run);
	}
	else if (!coord)
		why = "the sender is not a coordinator";
	if (coord)
		out->verdict = looks ? CX_COMMAND : CX_NOTE;
	else if (looks) {
		out->verdict = CX_FOREIGN;
		out->reason = why;
	} else
		out->reason = why;
	return 0;
}

/*
 * Whether message id is too old to run: its INTERNALDATE (when the
 * server received it), else its Date, is more than [team]
 * command_max_age before now. A fresh import of an old mailbox must not
 * replay the commands in its history. Mail with neither date arrived
 * now as far as mistok can tell. 1 stale, 0 recent, -1 database error.
 */
static int
too_old(struct db *db, const struct config *conf, int64_t id, time_t now)
{
	int64_t when = 0;
	int rc;

	if (conf->command_max_age <= 0)
		return 0;
	rc = db_int(db, &when, "SELECT coalesce(nullif(internal_date, 0), "
	    "nullif(date, 0), 0) FROM messages WHERE id = ?", "I", id);
	if (rc == -1)
		return -1;
	return rc == 1 && when > 0 && when < (int64_t)now -
	    conf->command_max_age;
}

static void
log_stale(int64_t id, const char *sender, const struct config *conf)
{
	log_info("command: message %lld from %s is older than "
	    "command_max_age (%d s): recorded as stale, not run or answered",
	    (long long)id, sender, conf->command_max_age);
}

int
cmdexec_store_hook(struct db *db, int64_t id, const struct msg *m,
    void *arg)
{
	const struct config *conf = arg;
	struct cx_recognition r;
	const char *status = NULL;
	int stale;

	if (conf == NULL)
		return 0;
	if (cmdexec_recognise(db, conf, m, &r) == -1) {
		log_warnx("command: message %lld: %s", (long long)id,
		    db_errmsg(db));
		return 0;
	}
	switch (r.verdict) {
	case CX_COMMAND:
		status = "pending";
		break;
	case CX_FOREIGN:
		status = "foreign";
		break;
	case CX_NOTE:
		status = "note";
		break;
	case CX_NONE:
		break;
	}
	stale = 0;
	if ((r.verdict == CX_COMMAND || r.verdict == CX_FOREIGN) &&
	    (stale = too_old(db, conf, id, clock_now())) == 1) {
		status = "stale";
		r.reason = "older than command_max_age";
	} else if (stale == -1)
		log_warnx("command: message %lld: %s", (long long)id,
		    db_errmsg(db));
	if (status != NULL && (db_exec(db, "INSERT OR IGNORE INTO commands "
	    "(message, status, sender, own_id, reason, created) VALUES "
	    "(?, ?, ?, ?, ?, ?)", "IttttT", id, status, m->from.email, r.own_id, r.reason,
	    clock_now()) == -1 || (r.verdict == CX_COMMAND &&
	    store_set_kind(db, id, "command") == -1)))
		log_warnx("command: message %lld: %s", (long long)id,
		    db_errmsg(db));
	else if (stale == 1)
		log_stale(id, m->from.email, conf);
	else if (status != NULL)
		log_debug("command: message %lld from %s: %s", (long long)id,
		    m->from.email, status);
	cx_recognition_free(&r);
	return 0;
}

/* ---- execution ---------------------------------------------------------- */

/* A meeting line checked in the transaction, run after its commit. */
enum later_kind { LATER_PROPOSE, LATER_RESCHEDULE, LATER_CANCEL,
	LATER_SLOT, LATER_DIGEST, LATER_SEND };
struct later {
	enum later_kind		 kind;
	size_t			 lineno;
	int64_t			 partnership;
	char			*slug;
	int64_t			 id;		/* meeting or proposal */
	int			 slot;
	const struct cmd_line	*l;		/* LATER_PROPOSE, _RESCHEDULE */
	char			**with;		/* NULL-terminated or NULL */
};

struct attachment {
	char	*name;
	char	*type;
	char	*data;
	size_t	 len;
};

/* One command mail being run. */
struct xc {
	struct db		*db;
	const struct config	*conf;
	int64_t			 msg;
	char			*sender;
	char			*sender_name;
	char			*lang;		/* "uk" or "en" */
	const struct tz		*zone;		/* the sender's */
	time_t			 now;
	char			*subject;
	char			*message_id;
	char			*in_reply_to;
	char			*refs;
	char			*body;
	size_t			 body_len, quote_off, sig_off;
	int64_t			 partnership;	/* the mail's own */
	char			*own_id;
	char			*own_kind;
	int64_t			 own_object, own_partnership;
	struct cmd_mail		*cm;
	int64_t			*ctx;		/* per line: its resolved
						   Partnership / New-Partnership */
	struct buf		 out;		/* what was done */
	struct buf		 errs;		/* what failed */
	size_t			 nerrs;
	struct later		*later;
	size_t			 nlater;
	struct attachment	*att;
	size_t			 natt;
	int			 changes;
};

static int
uk(const struct xc *x)
{
	return strcmp(x->lang, "uk") == 0;
}

/* English or Ukrainian. */
#define L(x, en, ua)	(uk(x) ? (ua) : (en))

static void
say(struct xc *x, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void
say(struct xc *x, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	buf_adds(&x->out, s);
	buf_addc(&x->out, '\n');
	free(s);
}

/* An error about line l (NULL: the mail), as cmd_errors_text() lays out. */
static void
fail(struct xc *x, const struct cmd_line *l, size_t lineno,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void
fail(struct xc *x, const struct cmd_line *l, size_t lineno,
    const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	if (l != NULL)
		lineno = l->lineno;
	if (lineno > 0)
		buf_printf(&x->errs, "%s %zu: %s\n", L(x, "line", "рядок"),
		    lineno, s);
	else
		buf_printf(&x->errs, "%s\n", s);
	if (l != NULL)
		buf_printf(&x->errs, "    %s\n", l->text);
	x->nerrs++;
	free(s);
}

static void
audit(struct xc *x, const char *action, const char *object,
    const char *detail)
{
	if (db_exec(x->db, "INSERT INTO events (at, actor, action, object, "
	    "detail) VALUES (?, ?, ?, ?, ?)", "Ttttt", x->now, x->sender,
	    action, object, detail) == -1)
		log_warnx("command: events: %s", db_errmsg(x->db));
}

/* The audit row of an executed line. */
static void
audit_line(struct xc *x, const struct cmd_line *l, int64_t pid)
{
	char *obj = pid > 0 ? xasprintf("partnership:%lld", (long long)pid)
	    : xasprintf("message:%lld", (long long)x->msg);
	char *det = xasprintf("message %lld line %zu: %s", (long long)x->msg,
	    l->lineno, l->text);

	audit(x, "command", obj, det);
	free(obj);
	free(det);
	x->changes++;
}

static char *
fmt_day(const struct xc *x, struct tz_date d)
{
	struct tz_date today = dates_today(x->zone, x->now);

	return dates_format(d, &today, x->lang);
}

/* "Tue 10 Mar 2026, 17:00 EET" in the sender's zone. */
static char *
fmt_time(const struct xc *x, time_t t)
{
	struct tz_local lt;
	struct tz_date d;
	char *day, *s;

	tz_local(x->zone, t, &lt);
	d.year = lt.year;
	d.month = lt.month;
	d.day = lt.day;
	day = fmt_day(x, d);
	s = xasprintf("%s, %02d:%02d %s", day, lt.hour, lt.min,
	    lt.abbr ? lt.abbr : "");
	free(day);
	return s;
}

static const char *
slug_of(struct xc *x, int64_t pid, char **keep)
{
	struct dir_partnership p;

	*keep = NULL;
	if (directory_partnership_by_id(x->db, pid, &p) == 1) {
		*keep = p.slug;
		p.slug = NULL;
		dir_partnership_free(&p);
	}
	return *keep != NULL ? *keep : "?";
}

/* ---- partnerships ------------------------------------------------------- */

/* Folded for comparison; caller frees. */
static char *
fold(const char *s)
{
	struct buf b;

	buf_init(&b);
	dates_fold(s, strlen(s), &b);
	buf_addc(&b, '\0');
	return buf_steal(&b);
}

/* Whether org id is called name (its name, or its city). */
static int
org_named(struct db *db, int64_t id, const char *name)
{
	struct dir_org o;
	char *a, *b, *c;
	int yes = 0;

	if (directory_org_get(db, id, &o) != 1)
		return 0;
	a = fold(name);
	b = fold(o.name ? o.name : "");
	c = fold(o.city ? o.city : "");
	yes = strcmp(a, b) == 0 || (*c != '\0' && strcmp(a, c) == 0);
	free(a);
	free(b);
	free(c);
	dir_org_free(&o);
	return yes;
}

static size_t
edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, *d, r;

	if (la > 64 || lb > 64)
		return 99;
	d = xcalloc((la + 1) * (lb + 1), sizeof(*d));
	for (i = 0; i <= la; i++)
		d[i * (lb + 1)] = i;
	for (j = 0; j <= lb; j++)
		d[j] = j;
	for (i = 1; i <= la; i++)
		for (j = 1; j <= lb; j++) {
			size_t c = d[(i - 1) * (lb + 1) + j - 1] +
			    (a[i - 1] != b[j - 1]);
			if (d[(i - 1) * (lb + 1) + j] + 1 < c)
				c = d[(i - 1) * (lb + 1) + j] + 1;
			if (d[i * (lb + 1) + j - 1] + 1 < c)
				c = d[i * (lb + 1) + j - 1] + 1;
			d[i * (lb + 1) + j] = c;
		}
	r = d[la * (lb + 1) + lb];
	free(d);
	return r;
}

/* Resolves a Partnership reference: 1 and *pid, 0 (error said), -1. */
static int
resolve_ref(struct xc *x, const struct cmd_line *l, const struct cmd_ref *r,
    int64_t *pid)
{
	struct dir_partnership *v = NULL, p;
	const char *best = NULL;
	size_t n = 0, i, bd = 3, dd;
	int rc = 0, found = 0;

	switch (r->kind) {
	case CMD_REF_ID:
		if ((rc = directory_partnership_by_id(x->db, r->id, &p)) == 1)
			dir_partnership_free(&p);
		if (rc == 1)
			*pid = r->id;
		else if (rc == 0)
			fail(x, l, 0, L(x, "there is no partnership #%lld",
			    "партнерства №%lld немає"), (long long)r->id);
		return rc;
	case CMD_REF_SLUG:
		if ((rc = directory_partnership_by_slug(x->db, r->slug,
		    pid)) != 0)
			return rc;
		break;
	case CMD_REF_PAIR:
		break;
	}
	if (directory_partnership_list(x->db, &v, &n) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		if (r->kind == CMD_REF_PAIR) {
			if (org_named(x->db, v[i].ua_org, r->ua_org) &&
			    org_named(x->db, v[i].us_org, r->us_org)) {
				*pid = v[i].id;
				found++;
			}
		} else if ((dd = edit_distance(r->slug, v[i].slug)) < bd) {
			bd = dd;
			best = v[i].slug;
		}
	}
	if (r->kind == CMD_REF_PAIR && found == 1)
		rc = 1;
	else if (r->kind == CMD_REF_PAIR)
		fail(x, l, 0, found ? L(x, "'%s – %s' names %d partnerships; "
		    "use the slug", "«%s – %s» відповідає %d партнерствам; "
		    "вкажіть ідентифікатор") : L(x, "there is no partnership "
		    "'%s – %s'%.0d", "партнерства «%s – %s» немає%.0d"),
		    r->ua_org, r->us_org, found);
	else if (best != NULL)
		fail(x, l, 0, L(x, "there is no partnership '%s' — did you "
		    "mean '%s'?", "партнерства «%s» немає — можливо, «%s»?"),
		    r->slug, best);
	else
		fail(x, l, 0, L(x, "there is no partnership '%s'",
		    "партнерства «%s» немає"), r->slug);
	dir_partnership_list_free(v, n);
	return rc;
}

/* The context of line l: 1 and *pid, 0 (error said), -1. */
/* A reply to the "how did the meeting go" mail (object: the meeting). */
static int
own_outcome(const struct xc *x)
{
	return x->own_kind != NULL && strcmp(x->own_kind,
	    REMIND_OWN_OUTCOME) == 0 && x->own_object > 0;
}

/* The line's partnership: 1 and *pid, 0 (said why), -1. */
static int
context(struct xc *x, const struct cmd_line *l, int64_t *pid)
{
	if (l->ctx >= 0) {
		*pid = x->ctx[l->ctx];
		return *pid > 0;	/* its own line failed and said so */
	}
	*pid = 0;
	if (own_outcome(x) && db_int(x->db, pid, "SELECT partnership FROM "
	    "meetings WHERE id = ?", "I", x->own_object) == -1)
		return -1;
	if (*pid > 0)
		return 1;
	if (x->own_partnership > 0)
		*pid = x->own_partnership;
	else
		*pid = x->partnership;
	if (*pid > 0)
		return 1;
	fail(x, l, 0, L(x, "which partnership? Put a 'Partnership:' line "
	    "above it, or reply in the partnership's thread",
	    "якого партнерства? Додайте вище рядок «Партнерство:» або "
	    "відповідайте в гілці партнерства"));
	return 0;
}

static int
stop_word(const char *w, size_t n)
{
	static const char *const stop[] = { "city", "of", "council", "the",
	    "and", "county", "town", "village", "municipality", "miska",
	    "rada", "mista", "oblasna", "silska", "selyshchna" };
	size_t i;

	for (i = 0; i < nitems(stop); i++)
		if (strlen(stop[i]) == n && memcmp(stop[i], w, n) == 0)
			return 1;
	return 0;
}

/* ASCII slug of a name: Ukrainian transliterated, the rest dropped. */
static void
slug_part(const char *s, struct buf *b)
{
	static const struct {
		const char *c, *l;
	} tr[] = {
		{ "а", "a" }, { "б", "b" }, { "в", "v" }, { "г", "h" },
		{ "ґ", "g" }, { "д", "d" }, { "е", "e" }, { "є", "ie" },
		{ "ж", "zh" }, { "з", "z" }, { "и", "y" }, { "і", "i" },
		{ "ї", "i" }, { "й", "i" }, { "к", "k" }, { "л", "l" },
		{ "м", "m" }, { "н", "n" }, { "о", "o" }, { "п", "p" },
		{ "р", "r" }, { "с", "s" }, { "т", "t" }, { "у", "u" },
		{ "ф", "f" }, { "х", "kh" }, { "ц", "ts" }, { "ч", "ch" },
		{ "ш", "sh" }, { "щ", "shch" }, { "ь", "" }, { "ю", "iu" },
		{ "я", "ia" },
	};
	char *f = fold(s), *p;
	size_t i, start = b->len;

	for (p = f; *p != '\0' && b->len - start < 24;) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')) {
			buf_addc(b, *p++);
			continue;
		}
		for (i = 0; i < nitems(tr); i++)
			if (strncmp(p, tr[i].c, strlen(tr[i].c)) == 0)
				break;
		if (i < nitems(tr)) {
			buf_adds(b, tr[i].l);
			p += strlen(tr[i].c);
		} else {
			/* One word only, not "city", "of", "council" … */
			if (b->len > start && !stop_word(b->data + start,
			    b->len - start))
				break;
			b->len = start;
			p++;
		}
	}
	if (b->len > start && stop_word(b->data + start, b->len - start))
		b->len = start;
	free(f);
}

/* An organisation's city (the slug's word), else the name as given. */
static const char *
city_of(struct xc *x, const char *name)
{
	static char city[128];
	struct dir_org o;
	int64_t id;
	char *e = NULL;
	const char *r = name;

	if (directory_find(x->db, DIR_ORGS, name, &id, &e) == 1 &&
	    directory_org_get(x->db, id, &o) == 1) {
		if (o.city != NULL && *o.city != '\0') {
			snprintf(city, sizeof(city), "%s", o.city);
			r = city;
		}
		dir_org_free(&o);
	}
	free(e);
	return r;
}

static int
exec_new_partnership(struct xc *x, const struct cmd_line *l, int64_t *pid)
{
	const struct cmd_new_partnership *np = &l->u.newp;
	struct dir_field f[6];
	struct dir_put p;
	struct buf slug;
	int64_t id, other;
	char *err = NULL, *base;
	int rc, i;

	buf_init(&slug);
	slug_part(city_of(x, np->ua_org), &slug);
	buf_addc(&slug, '-');
	slug_part(city_of(x, np->us_org), &slug);
	buf_addc(&slug, '\0');
	base = buf_steal(&slug);
	if (*base == '-' || base[strlen(base) - 1] == '-') {
		free(base);
		base = xstrdup("partnership");
	}
	/* A free slug: lviv-madison, lviv-madison-2, … */
	for (i = 1; i < 100; i++) {
		char *s = i == 1 ? xstrdup(base) : xasprintf("%s-%d", base, i);

		rc = directory_partnership_by_slug(x->db, s, &other);
		if (rc != 1) {
			free(base);
			base = s;
			break;
		}
		free(s);
	}
	memset(&p, 0, sizeof(p));
	f[0].name = "slug";
	f[0].value = base;
	f[1].name = "ua_org";
	f[1].value = np->ua_org;
	f[2].name = "us_org";
	f[2].value = np->us_org;
	f[3].name = "stage";
	f[3].value = "prospect";
	f[4].name = "coordinator";
	f[4].value = np->coordinator ? np->coordinator : x->sender;
	p.kind = DIR_PARTNERSHIPS;
	p.mode = DIR_PUT_ADD;
	p.fields = f;
	p.nfields = 5;
	p.conf = x->conf;
	p.actor = x->sender;
	rc = directory_put(x->db, &p, &err);
	if (rc == DIR_ERR_DB) {
		free(err);
		free(base);
		return -1;
	}
	if (rc != 0) {
		fail(x, l, 0, "%s", err ? err : "refused");
		free(err);
		free(base);
		return 0;
	}
	id = p.out_id;
	*pid = id;
	say(x, L(x, "partnership #%lld '%s' created (%s – %s), stage "
	    "prospect", "партнерство №%lld «%s» створено (%s – %s), етап "
	    "prospect"), (long long)id, base, np->ua_org, np->us_org);
	audit_line(x, l, id);
	free(base);
	return 1;
}

/* directory_put() of one line; 1 done, 0 refused (said), -1. */
static int
put(struct xc *x, const struct cmd_line *l, struct dir_put *p)
{
	char *err = NULL;
	int rc;

	p->conf = x->conf;
	p->actor = x->sender;
	rc = directory_put(x->db, p, &err);
	if (rc == DIR_ERR_DB) {
		log_warnx("command: %s", err ? err : "database");
		free(err);
		return -1;
	}
	if (rc != 0) {
		fail(x, l, 0, "%s", err ? err : "refused");
		free(err);
		return 0;
	}
	return 1;
}

static int
exec_org(struct xc *x, const struct cmd_line *l)
{
	const struct cmd_org *o = &l->u.org;
	struct dir_field f[9];
	struct dir_put p;
	struct buf d;
	size_t n = 0, i;
	int rc;

	buf_init(&d);
	f[n].name = "name";
	f[n++].value = o->name;
	if (o->country) {
		f[n].name = "country";
		f[n++].value = o->country;
	}
	if (o->kind) {
		f[n].name = "kind";
		f[n++].value = o->kind;
	}
	/* A new organisation writes its country's language. */
	if (o->country != NULL) {
		int64_t id;
		char *e = NULL;

		if (directory_find(x->db, DIR_ORGS, o->name, &id, &e) == 0) {
			f[n].name = "language";
			f[n++].value = strcmp(o->country, "UA") == 0 ? "uk" :
			    "en";
		}
		free(e);
	}
	if (o->tz) {
		f[n].name = "timezone";
		f[n++].value = o->tz;
	}
	if (o->ndomains > 0) {
		for (i = 0; i < o->ndomains; i++)
			buf_printf(&d, "%s%s", i ? " " : "", o->domains[i]);
		f[n].name = "domains";
		f[n++].value = d.data;
	}
	if (o->has_hours) {
		f[n].name = "hours";
		f[n++].value = o->hours_text;
	}
	memset(&p, 0, sizeof(p));
	p.kind = DIR_ORGS;
	p.mode = DIR_PUT_UPSERT;
	p.fields = f;
	p.nfields = n;
	rc = put(x, l, &p);
	if (rc == 1) {
		say(x, p.created ? L(x, "organisation #%lld '%s' added",
		    "організацію №%lld «%s» додано") : p.changed ?
		    L(x, "organisation #%lld '%s' updated",
		    "організацію №%lld «%s» оновлено") :
		    L(x, "organisation #%lld '%s' unchanged",
		    "організація №%lld «%s» без змін"),
		    (long long)p.out_id, o->name);
		audit_line(x, l, 0);
	}
	buf_free(&d);
	return rc;
}

static int
exec_contact(struct xc *x, const struct cmd_line *l)
{
	const struct cmd_contact *c = &l->u.contact;
	struct dir_field f[8];
	struct dir_put p;
	size_t n = 0;
	int rc;

	f[n].name = "email";
	f[n++].value = c->email;
	if (c->name) {
		f[n].name = "name";
		f[n++].value = c->name;
	}
	if (c->org) {
		f[n].name = "organisation";
		f[n++].value = c->org;
	}
	if (c->role) {
		f[n].name = "role";
		f[n++].value = c->role;
	}
	if (c->tz) {
		f[n].name = "timezone";
		f[n++].value = c->tz;
	}
	if (c->lang) {
		f[n].name = "language";
		f[n++].value = c->lang;
	}
	if (c->has_hours) {
		f[n].name = "hours";
		f[n++].value = c->hours_text;
	}
	memset(&p, 0, sizeof(p));
	p.kind = DIR_CONTACTS;
	p.mode = DIR_PUT_UPSERT;
	p.fields = f;
	p.nfields = n;
	rc = put(x, l, &p);
	if (rc == 1) {
		say(x, p.created ? L(x, "contact #%lld <%s> added",
		    "контакт №%lld <%s> додано") : p.changed ?
		    L(x, "contact #%lld <%s> updated",
		    "контакт №%lld <%s> оновлено") :
		    L(x, "contact #%lld <%s> unchanged",
		    "контакт №%lld <%s> без змін"),
		    (long long)p.out_id, c->email);
		audit_line(x, l, 0);
	}
	return rc;
}

static int
exec_stage(struct xc *x, const struct cmd_line *l, int64_t pid)
{
	struct dir_partnership old;
	struct dir_field f[1];
	struct dir_put p;
	const char *stage = cmd_stage_name(l->u.stage);
	char *was = NULL, *slug = NULL;
	int rc;

	if (directory_partnership_by_id(x->db, pid, &old) == 1) {
		was = old.stage;
		old.stage = NULL;
		dir_partnership_free(&old);
	}
	f[0].name = "stage";
	f[0].value = stage;
	memset(&p, 0, sizeof(p));
	p.kind = DIR_PARTNERSHIPS;
	p.mode = DIR_PUT_EDIT;
	p.id = pid;
	p.fields = f;
	p.nfields = 1;
	rc = put(x, l, &p);
	if (rc == 1) {
		if (was != NULL && strcmp(was, stage) == 0)
			say(x, L(x, "%s: the stage is %s already",
			    "%s: етап уже %s"), slug_of(x, pid, &slug), stage);
		else
			say(x, L(x, "%s: stage %s → %s", "%s: етап %s → %s"),
			    slug_of(x, pid, &slug), was ? was : "-", stage);
		audit_line(x, l, pid);
	}
	free(was);
	free(slug);
	return rc;
}

static int
exec_step(struct xc *x, const struct cmd_line *l, int64_t pid)
{
	const struct cmd_step *s = &l->u.step;
	struct step_owner owner;
	struct step_due due;
	char *err = NULL, *zone = NULL, *day = NULL, *slug = NULL;
	const char *who = NULL;
	int64_t id;
	int rc;

	memset(&owner, 0, sizeof(owner));
	if (s->owner_kind != CMD_OWNER_NONE) {
		who = s->owner_kind == CMD_OWNER_ME ? "me" : s->owner;
		rc = steps_owner_parse(x->db, x->conf, pid, who, x->sender,
		    &owner, &err);
		if (rc == STEPS_ERR_DB)
			goto dberr;
		if (rc != 0) {
			fail(x, l, 0, "%s", err);
			free(err);
			return 0;
		}
	}
	if (s->has_due) {
		if ((zone = steps_due_zone(x->db, pid, &owner,
		    x->conf->team_timezone)) == NULL)
			return -1;
		due.date = s->due;
		due.zone = zone;
	}
	/* Next steps answering the outcome mail come from its meeting. */
	rc = steps_add(x->db, pid, s->text, &owner, s->has_due ? &due : NULL,
	    own_outcome(x) && l->ctx < 0 ? STEP_ORIGIN_MEETING :
	    STEP_ORIGIN_COMMAND, x->sender, &id, &err);
	free(zone);
	if (rc == STEPS_ERR_DB)
		goto dberr;
	if (rc != 0) {
		fail(x, l, 0, "%s", err);
		free(err);
		return 0;
	}
	if (s->has_due)
		day = fmt_day(x, s->due);
	say(x, L(x, "%s: step #%lld created%s%s", "%s: крок №%lld "
	    "створено%s%s"), slug_of(x, pid, &slug), (long long)id,
	    day ? L(x, ", due ", ", термін ") : "", day ? day : "");
	audit_line(x, l, pid);
	free(day);
	free(slug);
	return 1;
dberr:
	log_warnx("command: %s", err ? err : "database");
	free(err);
	return -1;
}

static int
do_done(struct xc *x, const struct cmd_line *l, size_t lineno, int64_t id)
{
	char *err = NULL;
	int rc;

	rc = steps_done(x->db, id, x->sender, &err);
	if (rc == STEPS_ERR_DB) {
		log_warnx("command: %s", err ? err : "database");
		free(err);
		return -1;
	}
	if (rc == STEPS_ALREADY)
		say(x, L(x, "step #%lld was done already",
		    "крок №%lld уже виконано"), (long long)id);
	else if (rc != 0) {
		fail(x, l, lineno, "%s", err ? err : "refused");
		free(err);
		return 0;
	} else
		say(x, L(x, "step #%lld done", "крок №%lld виконано"),
		    (long long)id);
	return 1;
}

static int
add_note(struct xc *x, int64_t pid, const char *text)
{
	char *obj;

	if (db_exec(x->db, "INSERT INTO notes (partnership, message, at, "
	    "actor, text) VALUES (?, ?, ?, ?, ?)", "IITtt", pid, x->msg,
	    x->now, x->sender, text) == -1)
		return -1;
	obj = xasprintf("partnership:%lld", (long long)pid);
	audit(x, "note", obj, text);
	free(obj);
	return 0;
}

/* ---- Show --------------------------------------------------------------- */

static int
show_step(const struct step *s, void *arg)
{
	struct xc *x = arg;
	char *day = s->has_due ? fmt_day(x, s->due) : NULL;

	say(x, "  #%lld %s%s%s%s%s", (long long)s->id, s->text,
	    day ? " — " : "", day ? day : "", s->owner_name ? " — " : "",
	    s->owner_name ? s->owner_name : "");
	free(day);
	return 0;
}

static int
exec_show(struct xc *x, int64_t pid)
{
	struct timeline t;
	struct steps_filter f;
	const struct tl_message *last[2] = { NULL, NULL };
	char *err = NULL, *when;
	size_t i, k;
	int rc;

	if ((rc = timeline_load(x->db, pid, &t, &err)) != 1) {
		free(err);
		return rc;
	}
	say(x, "%s (#%lld): %s – %s", t.p.slug, (long long)t.p.id,
	    t.p.ua_org_name ? t.p.ua_org_name : "?",
	    t.p.us_org_name ? t.p.us_org_name : "?");
	say(x, L(x, "stage: %s", "етап: %s"), t.p.stage ? t.p.stage : "-");
	for (i = 0; i < t.p.nhistory; i++) {
		when = fmt_time(x, t.p.history[i].at);
		say(x, "  %s  %s  %s", when, t.p.history[i].stage,
		    t.p.history[i].actor ? t.p.history[i].actor : "");
		free(when);
	}
	for (i = 0; i < t.nthreads; i++)
		for (k = 0; k < t.threads[i].nmsgs; k++) {
			const struct tl_message *m = &t.threads[i].msgs[k];
			int out;

			if (m->direction == NULL || strcmp(m->kind,
			    "correspondence") != 0)
				continue;
			out = strcmp(m->direction, "out") == 0;
			if (last[out] == NULL || m->date > last[out]->date)
				last[out] = m;
		}
	for (k = 0; k < 2; k++) {
		const struct tl_message *m = last[k];

		if (m == NULL) {
			say(x, "%s -", k ? L(x, "last mail out:",
			    "останній лист від нас:") : L(x, "last mail in:",
			    "останній лист до нас:"));
			continue;
		}
		when = fmt_time(x, m->date);
		say(x, "%s %s, %s, \"%s\" (#%lld)", k ? L(x, "last mail out:",
		    "останній лист від нас:") : L(x, "last mail in:",
		    "останній лист до нас:"), when, m->from.email,
		    m->subject ? m->subject : "", (long long)m->id);
		free(when);
	}
	say(x, "%s", L(x, "open steps:", "відкриті кроки:"));
	memset(&f, 0, sizeof(f));
	f.partnership = pid;
	f.status = STEP_OPEN;
	if (steps_list(x->db, &f, show_step, x, &err) < 0) {
		free(err);
		timeline_free(&t);
		return -1;
	}
	say(x, "%s", L(x, "meetings:", "зустрічі:"));
	for (i = 0; i < t.nmeetings; i++) {
		when = t.meetings[i].start ? fmt_time(x, t.meetings[i].start) :
		    xstrdup("-");
		say(x, "  #%lld %s, %s, %s", (long long)t.meetings[i].id,
		    when, t.meetings[i].status ? t.meetings[i].status : "",
		    t.meetings[i].title ? t.meetings[i].title : "");
		free(when);
	}
	timeline_free(&t);
	return 1;
}

/* ---- Search ------------------------------------------------------------- */

static int
exec_search(struct xc *x, const char *words)
{
	struct search_hit *h = NULL;
	char *when, *err = NULL;
	size_t n = 0, i;
	int partial = 0;

	if (search_query(x->db, words, x->msg, SEARCH_MAX + 1, &h, &n,
	    &partial, &err) == -1) {
		log_warnx("command: message %lld: %s", (long long)x->msg, err);
		free(err);
		return -1;
	}
	for (i = 0; i < n && i < SEARCH_MAX; i++) {
		when = fmt_time(x, h[i].date);
		say(x, "#%lld  %s  %s  %s  \"%s\"\n    %s",
		    (long long)h[i].id, when, h[i].from ? h[i].from : "",
		    h[i].slug ? h[i].slug : "-",
		    h[i].subject ? h[i].subject : "",
		    h[i].context ? h[i].context : "");
		free(when);
	}
	if (n > SEARCH_MAX)
		say(x, "%s", L(x, "(more: add words to narrow it down)",
		    "(є ще: додайте слова, щоб звузити пошук)"));
	if (n == 0)
		say(x, L(x, "no stored mail matches '%s'",
		    "жоден збережений лист не містить «%s»"), words);
	if (partial)
		say(x, "%s", L(x, "(the search index is still catching up: "
		    "the newest mail may be missing)", "(пошуковий індекс ще "
		    "оновлюється: найновіших листів може бракувати)"));
	search_hits_free(h, n);
	return 1;
}

/* ---- Assign, filing by forwarding --------------------------------------- */

static int
assign(struct xc *x, const struct cmd_line *l, int64_t message, int64_t pid)
{
	char *err = NULL, *obj, *det, *slug = NULL;
	int64_t v;
	int rc;

	if ((rc = db_int(x->db, &v, "SELECT 1 FROM messages WHERE id = ?",
	    "I", message)) == -1)
		return -1;
	if (rc == 0) {
		fail(x, l, 0, L(x, "there is no message #%lld",
		    "листа №%lld немає"), (long long)message);
		return 0;
	}
	if (match_assign(x->db, message, pid, &err) == -1) {
		fail(x, l, 0, "%s", err ? err : "refused");
		free(err);
		return 0;
	}
	obj = xasprintf("message:%lld", (long long)message);
	det = xasprintf("partnership:%lld", (long long)pid);
	audit(x, "assign", obj, det);
	free(obj);
	free(det);
	say(x, L(x, "message #%lld and its thread filed under %s",
	    "лист №%lld і його гілку віднесено до %s"), (long long)message,
	    slug_of(x, pid, &slug));
	free(slug);
	audit_line(x, l, pid);
	return 1;
}

/* The value of a "Name: value" line of text (first one), or NULL. */
static char *
header_line(const char *text, const char *name)
{
	const char *p = text, *e;
	size_t nl = strlen(name);

	while (p != NULL && *p != '\0') {
		while (*p == ' ' || *p == '>' || *p == '*')
			p++;
		if (strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
			p += nl + 1;
			while (*p == ' ' || *p == '\t')
				p++;
			e = strchr(p, '\n');
			if (e == NULL)
				e = p + strlen(p);
			while (e > p && (e[-1] == '\r' || e[-1] == ' ' ||
			    e[-1] == '*'))
				e--;
			return xstrndup(p, (size_t)(e - p));
		}
		if ((p = strchr(p, '\n')) != NULL)
			p++;
	}
	return NULL;
}

/*
 * The stored message a forward carries: by the Message-ID in the
 * forwarded headers, else by its From address and subject. 1 and *id,
 * 0 none, -1.
 */
static int
forwarded_message(struct xc *x, int64_t *id)
{
	char *mid, *from, *subj, *clean = NULL;
	struct msg_addr *a = NULL;
	size_t n = 0;
	int rc = 0;

	if ((mid = header_line(x->body, "Message-ID")) != NULL) {
		clean = mime_parse_msgid(mid);
		free(mid);
		if (clean != NULL)
			rc = db_int(x->db, id, "SELECT id FROM messages "
			    "WHERE message_id = ? AND id != ?", "tI", clean,
			    x->msg);
		free(clean);
		if (rc != 0)
			return rc;
	}
	from = header_line(x->body, "From");
	if (from == NULL)
		from = header_line(x->body, "Від");
	subj = header_line(x->body, "Subject");
	if (subj == NULL)
		subj = header_line(x->body, "Тема");
	if (from != NULL && subj != NULL &&
	    (n = mime_parse_addresses(from, &a)) > 0)
		rc = db_int(x->db, id, "SELECT id FROM messages WHERE "
		    "from_email = ? AND subject = ? AND id != ? ORDER BY "
		    "date DESC LIMIT 1", "ttI", a[0].email, subj, x->msg);
	if (a != NULL)
		msg_addr_free_array(a, n);
	free(from);
	free(subj);
	return rc;
}

static int
is_forward(const struct xc *x)
{
	static const char *const pre[] = { "fwd:", "fw:", "пересл:",
	    "переслати:", "tr:", "wg:" };
	const char *s = x->subject;
	size_t i;

	while (s != NULL && (*s == ' ' || *s == '['))
		s++;
	for (i = 0; s != NULL && i < nitems(pre); i++)
		if (str_casestarts(s, pre[i]))
			return 1;
	return strstr(x->body, "Forwarded message") != NULL ||
	    strstr(x->body, "Original Message") != NULL ||
	    strstr(x->body, "Пересланий лист") != NULL ||
	    strstr(x->body, "Пересланное сообщение") != NULL;
}

/* ---- meetings ----------------------------------------------------------- */

static struct later *
add_later(struct xc *x, enum later_kind k, size_t lineno)
{
	struct later *v;

	x->later = xreallocarray(x->later, x->nlater + 1, sizeof(*x->later));
	v = &x->later[x->nlater++];
	memset(v, 0, sizeof(*v));
	v->kind = k;
	v->lineno = lineno;
	return v;
}

static void
later_free(struct xc *x)
{
	size_t i;

	for (i = 0; i < x->nlater; i++) {
		free(x->later[i].slug);
		strv_free(x->later[i].with);
	}
	free(x->later);
	x->later = NULL;
	x->nlater = 0;
}

/* "with": addresses, and organisations as their contacts' addresses. */
static int
expand_with(struct xc *x, const struct cmd_line *l, char ***out)
{
	const struct cmd_meeting *mt = &l->u.meeting;
	struct dir_contact *c = NULL;
	char **v, *err = NULL;
	size_t i, k, n = 0, nc = 0;
	int64_t org;
	int rc;

	*out = NULL;
	if (mt->nwith == 0)
		return 1;
	v = xcalloc(1, sizeof(*v));
	for (i = 0; i < mt->nwith; i++) {
		if (strchr(mt->with[i], '@') != NULL) {
			v = xreallocarray(v, n + 2, sizeof(*v));
			v[n++] = xstrdup(mt->with[i]);
			v[n] = NULL;
			continue;
		}
		rc = directory_find(x->db, DIR_ORGS, mt->with[i], &org, &err);
		if (rc != 1) {
			if (rc == 0)
				fail(x, l, 0, "%s", err);
			free(err);
			strv_free(v);
			return rc;
		}
		if (c == NULL && directory_contact_list(x->db, &c, &nc) == -1) {
			strv_free(v);
			return -1;
		}
		for (k = 0; k < nc; k++)
			if (c[k].org == org && c[k].nemails > 0 &&
			    !c[k].learned) {
				v = xreallocarray(v, n + 2, sizeof(*v));
				v[n++] = xstrdup(c[k].emails[0]);
				v[n] = NULL;
			}
	}
	if (c != NULL)
		dir_contact_list_free(c, nc);
	*out = v;
	return 1;
}

static void
meeting_env(struct xc *x, struct meeting_env *env)
{
	memset(env, 0, sizeof(*env));
	env->db = x->db;
	env->conf = x->conf;
	env->tmpl = notice_templates(x->conf);
}

/* Checks a Meeting line now; proposes it after the commit. */
static int
check_meeting(struct xc *x, const struct cmd_line *l, int64_t pid)
{
	struct meeting_env env;
	struct meeting_person *pp = NULL;
	struct later *v;
	char **with = NULL, *err = NULL, *slug = NULL;
	size_t np = 0, i;
	int rc;

	if ((rc = expand_with(x, l, &with)) != 1)
		return rc;
	meeting_env(x, &env);
	if (meeting_people(&env, pid, (const char *const *)with, &pp, &np,
	    &err) == -1 || np == 0) {
		fail(x, l, 0, "%s", err ? err : L(x, "nobody to meet: the "
		    "partnership's organisations have no contacts",
		    "немає з ким зустрічатися: в організацій партнерства "
		    "немає контактів"));
		free(err);
		strv_free(with);
		for (i = 0; i < np; i++)
			meeting_person_free(&pp[i]);
		free(pp);
		return 0;
	}
	for (i = 0; i < np; i++)
		meeting_person_free(&pp[i]);
	free(pp);
	v = add_later(x, LATER_PROPOSE, l->lineno);
	v->l = l;
	v->partnership = pid;
	v->slug = xstrdup(slug_of(x, pid, &slug));
	v->with = with;
	free(slug);
	return 1;
}

/* The meeting id as a line names it: 1 (it exists, status ok), 0, -1. */
static int
check_meeting_id(struct xc *x, const struct cmd_line *l, size_t lineno,
    int64_t id, int want_scheduled)
{
	struct meeting m;
	int rc;

	if ((rc = meeting_get(x->db, id, &m)) != 1) {
		if (rc == 0)
			fail(x, l, lineno, L(x, "there is no meeting #%lld",
			    "зустрічі №%lld немає"), (long long)id);
		return rc;
	}
	rc = 1;
	if (strcmp(m.status, "cancelled") == 0) {
		fail(x, l, lineno, L(x, "meeting #%lld is cancelled already",
		    "зустріч №%lld уже скасовано"), (long long)id);
		rc = 0;
	} else if (want_scheduled && strcmp(m.status, "scheduled") != 0) {
		fail(x, l, lineno, L(x, "meeting #%lld is %s, not scheduled",
		    "зустріч №%lld має статус %s, а не scheduled"),
		    (long long)id, m.status);
		rc = 0;
	}
	meeting_free(&m);
	return rc;
}

/*
 * Cancel (a line or the reply word): a scheduled meeting is cancelled
 * after the commit (METHOD:CANCEL to everyone); a proposal nobody was
 * invited to yet is withdrawn here, in the command's transaction.
 * 1, 0 (said why), -1.
 */
static int
cancel_meeting(struct xc *x, const struct cmd_line *l, size_t lineno,
    int64_t id)
{
	struct meeting m;
	struct later *v;
	char *obj;
	int rc, proposed;

	if ((rc = check_meeting_id(x, l, lineno, id, 0)) != 1)
		return rc;
	if ((rc = meeting_get(x->db, id, &m)) != 1)
		return rc;
	proposed = strcmp(m.status, "proposed") == 0;
	meeting_free(&m);
	if (!proposed) {
		v = add_later(x, LATER_CANCEL, l ? l->lineno : lineno);
		v->id = id;
		return 1;
	}
	/*
	 * meeting.h has no withdraw: meeting_cancel() refuses a proposal
	 * (there is nobody to send a CANCEL to), so the status is set here.
	 */
	if (db_exec(x->db, "UPDATE meetings SET status = 'cancelled' WHERE "
	    "id = ? AND status = 'proposed'", "I", id) == -1)
		return -1;
	obj = xasprintf("meeting:%lld", (long long)id);
	audit(x, "proposal_withdrawn", obj, NULL);
	free(obj);
	say(x, L(x, "proposal #%lld withdrawn; nobody had been invited",
	    "пропозицію №%lld відкликано; запрошень не було"), (long long)id);
	x->changes++;
	return 1;
}

/* The best start for meeting id in the line's window, or 0 (said). */
static time_t
reschedule_start(struct xc *x, const struct later *v, char **err)
{
	const struct cmd_meeting *mt = &v->l->u.meeting;
	struct meeting_env env;
	struct meeting m;
	struct meeting_person *pp = NULL;
	struct slot_attendee *sa;
	struct slot_request rq;
	struct slot_result res;
	char **with;
	size_t np = 0, i;
	time_t start = 0;

	meeting_env(x, &env);
	if (meeting_get(x->db, v->id, &m) != 1) {
		*err = xstrdup("meeting gone");
		return 0;
	}
	with = xcalloc(m.natt + 1, sizeof(*with));
	for (i = 0; i < m.natt; i++)
		with[i] = xstrdup(m.att[i].email);
	if (meeting_people(&env, m.partnership, (const char *const *)with,
	    &pp, &np, err) == -1)
		goto out;
	sa = xcalloc(np ? np : 1, sizeof(*sa));
	for (i = 0; i < np; i++) {
		sa[i].label = pp[i].name ? pp[i].name : pp[i].email;
		sa[i].zone = pp[i].zone;
		sa[i].hours = &pp[i].hours;
		sa[i].required = 1;
	}
	memset(&rq, 0, sizeof(rq));
	rq.att = sa;
	rq.natt = np;
	rq.duration = mt->minutes > 0 ? mt->minutes : m.duration / 60;
	rq.zone = tz_name(x->zone);
	rq.from = mt->window.from;
	rq.to = mt->window.to;
	rq.relaxed_start = x->conf->relaxed_start;
	rq.relaxed_end = x->conf->relaxed_end;
	if (slots_find(&rq, &res, err) == 0) {
		if (res.n > 0)
			start = res.slot[0].start;
		else
			*err = xstrdup(res.reason);
	}
	free(sa);
out:
	for (i = 0; i < np; i++)
		meeting_person_free(&pp[i]);
	free(pp);
	strv_free(with);
	meeting_free(&m);
	return start;
}

/* After the commit: one meeting line. Says what happened. */
static void
run_later(struct xc *x, struct later *v)
{
	struct meeting_env env;
	struct remind_env renv;
	struct meeting_proposal prop;
	const struct cmd_meeting *mt = v->l ? &v->l->u.meeting : NULL;
	struct tz_date from, to;
	char *err = NULL, *when;
	time_t start;
	int i, rc = 0;

	meeting_env(x, &env);
	switch (v->kind) {
	case LATER_PROPOSE:
		if (mt->has_window) {
			from = mt->window.from;
			to = mt->window.to;
		} else {
			from = tz_date_from_days(tz_days_from_date(
			    dates_today(x->zone, x->now)) + 1);
			to = tz_date_from_days(tz_days_from_date(from) + 13);
		}
		memset(&prop, 0, sizeof(prop));
		rc = meeting_propose(&env, v->slug, mt->minutes > 0 ?
		    mt->minutes : 60, from, to, tz_name(x->zone),
		    (const char *const *)v->with, &prop, &err);
		if (rc == -1)
			break;
		if (prop.res.n == 0) {
			say(x, L(x, "line %zu: no slot for the meeting: %s",
			    "рядок %zu: для зустрічі немає часу: %s"),
			    v->lineno, prop.res.reason);
			meeting_proposal_free(&prop);
			return;
		}
		if (mt->auto_book) {
			rc = meeting_book_slot(&env, prop.id, 1, mt->title,
			    mt->link, &err);
			if (rc == 0) {
				when = fmt_time(x, prop.res.slot[0].start);
				say(x, L(x, "%s: meeting #%lld booked for %s; "
				    "the invitations are on their way",
				    "%s: зустріч №%lld призначено на %s; "
				    "запрошення надсилаються"), v->slug,
				    (long long)prop.id, when);
				free(when);
			}
		} else {
			say(x, L(x, "%s: meeting proposal #%lld (%d min); "
			    "reply to the proposal mail with the slot's "
			    "number:", "%s: пропозиція зустрічі №%lld (%d хв); "
			    "відповідайте на лист із пропозицією номером "
			    "часу:"), v->slug, (long long)prop.id,
			    prop.duration);
			for (i = 0; i < prop.res.n; i++) {
				when = fmt_time(x, prop.res.slot[i].start);
				say(x, "  %d) %s", i + 1, when);
				free(when);
			}
		}
		meeting_proposal_free(&prop);
		break;
	case LATER_RESCHEDULE:
		if ((start = reschedule_start(x, v, &err)) == 0) {
			rc = -1;
			break;
		}
		rc = meeting_reschedule(&env, v->id, start, mt->minutes, &err);
		if (rc == 0) {
			when = fmt_time(x, start);
			say(x, L(x, "meeting #%lld moved to %s; the updates "
			    "are on their way", "зустріч №%lld перенесено на "
			    "%s; оновлення надсилаються"), (long long)v->id,
			    when);
			free(when);
		}
		break;
	case LATER_CANCEL:
		rc = meeting_cancel(&env, v->id, &err);
		if (rc == 0)
			say(x, L(x, "meeting #%lld cancelled; the attendees "
			    "are told", "зустріч №%lld скасовано; учасників "
			    "повідомлено"), (long long)v->id);
		break;
	case LATER_SLOT:
		rc = meeting_book_slot(&env, v->id, v->slot, NULL, NULL, &err);
		if (rc == 0)
			say(x, L(x, "slot %d of proposal #%lld booked; the "
			    "invitations are on their way", "час %d пропозиції "
			    "№%lld призначено; запрошення надсилаються"),
			    v->slot, (long long)v->id);
		break;
	case LATER_DIGEST:
	case LATER_SEND:
		memset(&renv, 0, sizeof(renv));
		renv.db = x->db;
		renv.conf = x->conf;
		renv.tmpl = env.tmpl;
		if (v->kind == LATER_DIGEST)
			rc = remind_digest_for(&renv, x->sender, x->now, &err);
		else
			rc = remind_send_followup(&renv, x->own_id, &err);
		if (rc == 1 && v->kind == LATER_DIGEST)
			say(x, "%s", L(x, "Digest: your digest is on its way "
			    "in a separate mail", "Дайджест: ваш дайджест "
			    "надійде окремим листом"));
		else if (rc == 1)
			say(x, "%s", L(x, "the follow-up the reminder proposed "
			    "is on its way to the partner", "запропонований "
			    "лист партнерові надсилається"));
		else if (rc == 0)
			say(x, "%s", v->kind == LATER_DIGEST ? L(x, "Digest: "
			    "this digest was queued already", "Дайджест: цей "
			    "дайджест уже в черзі") : L(x, "that follow-up was "
			    "sent already", "цей лист уже надіслано"));
		if (rc >= 0)
			rc = 0;
		break;
	}
	if (rc == -1) {
		say(x, L(x, "line %zu: not done: %s", "рядок %zu: не "
		    "виконано: %s"), v->lineno, err ? err : "?");
		log_warnx("command: message %lld line %zu: %s",
		    (long long)x->msg, v->lineno, err ? err : "?");
	} else {
		char *obj = xasprintf("message:%lld", (long long)x->msg);
		char *det = xasprintf("line %zu: %s", v->lineno,
		    v->kind == LATER_PROPOSE ? "meeting proposed" :
		    v->kind == LATER_RESCHEDULE ? "meeting rescheduled" :
		    v->kind == LATER_CANCEL ? "meeting cancelled" :
		    v->kind == LATER_SLOT ? "slot booked" :
		    v->kind == LATER_DIGEST ? "digest queued" :
		    "follow-up queued");

		if (db_begin(x->db) == 0) {
			audit(x, "command", obj, det);
			db_commit(x->db);
		}
		free(obj);
		free(det);
	}
	free(err);
}

/* What a meeting line would do (Dry-Run). */
static void
describe_later(struct xc *x, const struct later *v)
{
	switch (v->kind) {
	case LATER_PROPOSE:
		say(x, L(x, "%s: a meeting of %d min would be %s",
		    "%s: зустріч на %d хв було б %s"), v->slug,
		    v->l->u.meeting.minutes > 0 ? v->l->u.meeting.minutes : 60,
		    v->l->u.meeting.auto_book ? L(x, "booked at the best "
		    "slot", "призначено на найкращий час") : L(x,
		    "proposed", "запропоновано"));
		break;
	case LATER_RESCHEDULE:
		say(x, L(x, "meeting #%lld would be moved",
		    "зустріч №%lld було б перенесено"), (long long)v->id);
		break;
	case LATER_CANCEL:
		say(x, L(x, "meeting #%lld would be cancelled",
		    "зустріч №%lld було б скасовано"), (long long)v->id);
		break;
	case LATER_SLOT:
		say(x, L(x, "slot %d of proposal #%lld would be booked",
		    "час %d пропозиції №%lld було б призначено"), v->slot,
		    (long long)v->id);
		break;
	case LATER_DIGEST:
		say(x, "%s", L(x, "your digest would be sent",
		    "вам було б надіслано дайджест"));
		break;
	case LATER_SEND:
		say(x, "%s", L(x, "the proposed follow-up would be sent",
		    "запропонований лист було б надіслано"));
		break;
	}
}

/* ---- Report ------------------------------------------------------------- */

static int
exec_report(struct xc *x, const struct cmd_line *l)
{
	const struct cmd_report *rp = &l->u.report;
	struct report r;
	struct tz_date from, to;
	struct buf b;
	char *err = NULL;
	struct attachment *a;

	if (rp->has_range) {
		from = rp->range.from;
		to = rp->range.to;
	} else {
		to = dates_today(x->zone, x->now);
		from = to;
		from.day = 1;
	}
	if (report_compute(x->db, from, to, x->conf, &r, &err) == -1) {
		fail(x, l, 0, "%s", err ? err : "report");
		free(err);
		return 0;
	}
	memcpy(r.lang, x->lang, 2);
	r.lang[2] = '\0';
	buf_init(&b);
	if (rp->format == CMD_FMT_TEXT) {
		report_write_text(&b, &r);
		buf_addc(&b, '\0');
		say(x, "%s", b.data);
		buf_free(&b);
	} else {
		if (rp->format == CMD_FMT_CSV)
			report_write_csv(&b, &r);
		else
			report_write_html(&b, &r);
		x->att = xreallocarray(x->att, x->natt + 1, sizeof(*x->att));
		a = &x->att[x->natt++];
		a->name = xasprintf("report-%04d-%02d-%02d-%04d-%02d-%02d.%s",
		    from.year, from.month, from.day, to.year, to.month, to.day,
		    rp->format == CMD_FMT_CSV ? "csv" : "html");
		a->type = xstrdup(rp->format == CMD_FMT_CSV ?
		    "text/csv" : "text/html");
		a->len = b.len;
		a->data = buf_steal(&b);
		say(x, L(x, "the report is attached: %s",
		    "звіт у вкладенні: %s"), a->name);
	}
	report_free(&r);
	return 1;
}

/* ---- replies to mistok's own mail --------------------------------------- */

static int
own_step(struct xc *x)
{
	/* remind.c's step reminders (object: the step). */
	return x->own_kind != NULL && strcmp(x->own_kind, REMIND_OWN_STEP) ==
	    0 && x->own_object > 0;
}

/* The meeting an own mail is about: 1 and *id, 0. */
static int
own_meeting(struct xc *x, int64_t *id)
{
	if (x->own_kind == NULL || x->own_object <= 0)
		return 0;
	if (strcmp(x->own_kind, "invite") == 0)
		return db_int(x->db, id, "SELECT meeting FROM attendees "
		    "WHERE id = ?", "I", x->own_object) == 1;
	/* meeting.c's proposal, remind.c's 24-hour meeting reminder. */
	if (strcmp(x->own_kind, "proposal") == 0 ||
	    strcmp(x->own_kind, "meeting-reminder") == 0) {
		*id = x->own_object;
		return 1;
	}
	return 0;
}

static int
exec_reply_word(struct xc *x)
{
	const struct cmd_mail *cm = x->cm;
	size_t ln = cm->first_word_line;
	struct later *v;
	char *err = NULL, *obj, *when;
	time_t until;
	int64_t mid, pid;
	int rc;

	switch (cm->first_word) {
	case REPLY_NONE:
	case REPLY_YES:
	case REPLY_NO:
		return 1;
	case REPLY_DONE:
		if (!own_step(x)) {
			fail(x, NULL, ln, L(x, "'done' answers a step "
			    "reminder; this mail answers none",
			    "«готово» — відповідь на нагадування про крок; "
			    "цей лист не відповідає на нього"));
			return 0;
		}
		return do_done(x, NULL, ln, x->own_object);
	case REPLY_SNOOZE:
		if (!own_step(x)) {
			fail(x, NULL, ln, L(x, "'snooze' answers a step "
			    "reminder; this mail answers none",
			    "«відкласти» — відповідь на нагадування про "
			    "крок; цей лист не відповідає на нього"));
			return 0;
		}
		if (cm->has_snooze)
			until = tz_utc(x->zone, cm->snooze_until, 0, 0, 0, 0,
			    NULL);
		else
			until = tz_utc(x->zone, tz_date_from_days(
			    tz_days_from_date(dates_today(x->zone, x->now)) +
			    1), 0, 0, 0, 0, NULL);
		rc = steps_snooze(x->db, x->own_object, until, x->sender, &err);
		if (rc == STEPS_ERR_DB) {
			free(err);
			return -1;
		}
		if (rc != 0) {
			fail(x, NULL, ln, "%s", err ? err : "refused");
			free(err);
			return 0;
		}
		when = fmt_time(x, until);
		say(x, L(x, "step #%lld snoozed until %s",
		    "крок №%lld відкладено до %s"), (long long)x->own_object,
		    when);
		free(when);
		x->changes++;
		return 1;
	case REPLY_SLOT:
		if (x->own_kind == NULL || strcmp(x->own_kind, "proposal") !=
		    0 || x->own_object <= 0) {
			fail(x, NULL, ln, L(x, "a slot number answers a "
			    "meeting proposal; this mail answers none",
			    "номер часу — відповідь на пропозицію зустрічі; "
			    "цей лист не відповідає на неї"));
			return 0;
		}
		{
			struct meeting m;
			int64_t ns = 0;

			if ((rc = meeting_get(x->db, x->own_object, &m)) != 1) {
				if (rc == 0)
					fail(x, NULL, ln, L(x, "proposal #%lld "
					    "is gone", "пропозиції №%lld уже "
					    "немає"), (long long)x->own_object);
				return rc;
			}
			rc = strcmp(m.status, "proposed") == 0;
			meeting_free(&m);
			if (!rc) {
				fail(x, NULL, ln, L(x, "proposal #%lld was "
				    "booked or cancelled already",
				    "пропозицію №%lld уже призначено або "
				    "скасовано"), (long long)x->own_object);
				return 0;
			}
			if (db_int(x->db, &ns, "SELECT count(*) FROM "
			    "meeting_slots WHERE meeting = ?", "I",
			    x->own_object) == -1)
				return -1;
			if (cm->slot > ns) {
				fail(x, NULL, ln, L(x, "proposal #%lld has "
				    "%d slots; there is no slot %d",
				    "пропозиція №%lld має %d варіантів; "
				    "варіанта %d немає"),
				    (long long)x->own_object, (int)ns, cm->slot);
				return 0;
			}
		}
		v = add_later(x, LATER_SLOT, ln);
		v->id = x->own_object;
		v->slot = cm->slot;
		return 1;
	case REPLY_CANCEL:
		if (!own_meeting(x, &mid)) {
			fail(x, NULL, ln, L(x, "'cancel' answers a meeting's "
			    "mail; this mail answers none (for a step, "
			    "answer 'done')", "«скасувати» — відповідь на "
			    "лист про зустріч; цей лист не такий (для кроку "
			    "відповідайте «готово»)"));
			return 0;
		}
		return cancel_meeting(x, NULL, ln, mid);
	case REPLY_STOP:
		pid = x->own_partnership > 0 ? x->own_partnership :
		    x->partnership;
		if (pid <= 0) {
			fail(x, NULL, ln, L(x, "'stop' needs a partnership: "
			    "this mail is about none", "«стоп» стосується "
			    "партнерства, а цей лист — жодного"));
			return 0;
		}
		if (db_exec(x->db, "INSERT OR REPLACE INTO nudge_stops "
		    "(partnership, at, actor) VALUES (?, ?, ?)", "ITt", pid,
		    x->now, x->sender) == -1)
			return -1;
		obj = xasprintf("partnership:%lld", (long long)pid);
		audit(x, "nudges_stop", obj, NULL);
		free(obj);
		say(x, L(x, "%s: no more nudges for this partnership",
		    "%s: більше жодних нагадувань щодо цього партнерства"),
		    slug_of(x, pid, &obj));
		free(obj);
		x->changes++;
		return 1;
	case REPLY_SEND:
		if (x->own_kind == NULL || strcmp(x->own_kind,
		    REMIND_OWN_NUDGE) != 0 || x->own_object <= 0) {
			fail(x, NULL, ln, "%s", L(x, "'send' answers a reminder "
			    "that a partner has not answered; this mail "
			    "answers none", "«надіслати» — відповідь на "
			    "нагадування про лист без відповіді; цей лист не "
			    "відповідає на нього"));
			return 0;
		}
		/* remind.c queues it in its own transaction. */
		add_later(x, LATER_SEND, ln);
		return 1;
	}
	return 1;
}

/* ---- one line ----------------------------------------------------------- */

static int
exec_line(struct xc *x, size_t i)
{
	const struct cmd_line *l = &x->cm->lines[i];
	struct later *v;
	int64_t pid = 0;
	char *t;
	int rc;

	switch (l->kw) {
	case CMD_NONE:
	case CMD_DRY_RUN:
		return 1;
	case CMD_PARTNERSHIP:
		if ((rc = resolve_ref(x, l, &l->u.ref, &pid)) == 1)
			x->ctx[i] = pid;
		return rc;
	case CMD_NEW_PARTNERSHIP:
		if ((rc = exec_new_partnership(x, l, &pid)) == 1)
			x->ctx[i] = pid;
		return rc;
	case CMD_ORG:
		return exec_org(x, l);
	case CMD_CONTACT:
		return exec_contact(x, l);
	case CMD_HELP:
		t = cmd_help_text(x->lang);
		say(x, "%s", t);
		free(t);
		return 1;
	case CMD_DIGEST:
		/* remind.c queues it in its own transaction. */
		add_later(x, LATER_DIGEST, l->lineno);
		return 1;
	case CMD_SEARCH:
		return exec_search(x, l->u.text);
	case CMD_REPORT:
		return exec_report(x, l);
	case CMD_DONE:
		if ((rc = do_done(x, l, 0, l->u.id)) == 1)
			audit_line(x, l, 0);
		return rc;
	case CMD_CANCEL:
		return cancel_meeting(x, l, 0, l->u.id);
	case CMD_RESCHEDULE:
		if ((rc = check_meeting_id(x, l, 0, l->u.meeting.id, 1)) != 1)
			return rc;
		if (!l->u.meeting.has_window) {
			fail(x, l, 0, "%s", L(x, "Reschedule needs a window: "
			    "#meeting ; window", "Перенести: потрібне вікно: "
			    "№зустрічі ; вікно"));
			return 0;
		}
		v = add_later(x, LATER_RESCHEDULE, l->lineno);
		v->id = l->u.meeting.id;
		v->l = l;
		return 1;
	case CMD_SHOW:
		if (l->has_ref) {
			if ((rc = resolve_ref(x, l, &l->u.ref, &pid)) != 1)
				return rc;
		} else if ((rc = context(x, l, &pid)) != 1)
			return rc;
		return exec_show(x, pid);
	default:
		break;
	}
	/* The rest act on the context partnership. */
	if ((rc = context(x, l, &pid)) != 1)
		return rc;
	switch (l->kw) {
	case CMD_STAGE:
		return exec_stage(x, l, pid);
	case CMD_NEXT_STEP:
		return exec_step(x, l, pid);
	case CMD_NOTE:
		if (add_note(x, pid, l->u.text) == -1)
			return -1;
		say(x, L(x, "%s: note added", "%s: нотатку додано"),
		    slug_of(x, pid, &t));
		free(t);
		audit_line(x, l, pid);
		return 1;
	case CMD_MEETING:
		return check_meeting(x, l, pid);
	case CMD_ASSIGN:
		return assign(x, l, l->u.id, pid);
	default:
		break;
	}
	return 1;
}

/* ---- the answer --------------------------------------------------------- */

static struct json *
base_data(const struct config *conf)
{
	struct json *d = json_object(), *o;

	o = json_set(d, "team", json_object());
	json_set_string(o, "name", conf->team_name);
	json_set_string(o, "address", conf->team_address);
	o = json_set(d, "coordinator", json_object());
	json_set_string(o, "name", "");
	json_set_string(o, "email", "");
	return d;
}

/* Queues the answer to x's mail. 0 or -1. */
static int
send_reply(struct xc *x, const char *text, int failed, int dry)
{
	const struct tmpl_set *set = notice_templates(x->conf);
	struct mailtmpl_mail mm;
	struct compose *c;
	struct json *d, *o;
	struct buf raw;
	char *err = NULL, *key, *subject = NULL, *msgid = NULL, **refs = NULL;
	const char *rcpt[2];
	size_t i, len;
	int rc = -1;
	int64_t row, pid = x->own_partnership > 0 ? x->own_partnership :
	    x->partnership;

	buf_init(&raw);
	key = xasprintf("cmd-reply:%lld", (long long)x->msg);
	rcpt[0] = x->sender;
	rcpt[1] = NULL;
	d = base_data(x->conf);
	o = json_set(d, "command", json_object());
	json_set_string(o, "subject", x->subject ? x->subject : "");
	json_set(o, "failed", json_bool(failed));
	json_set(o, "dry_run", json_bool(dry));
	json_set_string(o, "text", text);
	if (set != NULL && mailtmpl_render(set, "command_reply", x->lang,
	    x->conf->team_language, d, &mm, &err) == 0) {
		c = compose_new_team(x->conf);
		compose_add_to(c, x->sender_name, x->sender);
		mailtmpl_to_compose(&mm, c);
		if (x->message_id != NULL) {
			refs = x->refs ? mime_parse_references(x->refs) : NULL;
			compose_set_parent(c, x->message_id,
			    (const char *const *)refs, NULL, x->own_id);
			strv_free(refs);
		}
		for (i = 0; i < x->natt; i++)
			compose_add_attachment(c, x->att[i].name,
			    x->att[i].type, x->att[i].data, x->att[i].len);
		if (compose_write(c, &raw, &err) == 0) {
			msgid = xstrdup(compose_message_id(c));
			subject = xstrdup(mm.subject);
		}
		compose_free(c);
		mailtmpl_mail_free(&mm);
	}
	if (msgid == NULL) {
		/* Never lose an answer to a template problem. */
		log_warnx("command: message %lld: %s; answered in plain text",
		    (long long)x->msg, err ? err : "no templates");
		free(err);
		err = NULL;
		buf_free(&raw);
		subject = xasprintf("Re: %s", x->subject ? x->subject : "");
		raw.data = outbox_plain_mail(x->conf, rcpt, subject, text,
		    &msgid, &len);
		raw.len = len;
	}
	json_free(d);
	rc = outbox_enqueue(x->db, key, raw.data, raw.len,
	    x->conf->team_address, rcpt, msgid, subject, pid > 0 ? pid : 0,
	    &row, &err);
	if (rc == 1 && compose_record_own_id(x->db, msgid, "command_reply",
	    x->msg, pid > 0 ? pid : 0, &err) == -1)
		rc = -1;
	if (rc == -1)
		log_warnx("command: message %lld: answer: %s",
		    (long long)x->msg, err ? err : "?");
	free(err);
	free(key);
	free(subject);
	free(msgid);
	buf_free(&raw);
	return rc == -1 ? -1 : 0;
}

static int
mark(struct xc *x, const char *status, const char *reply)
{
	return db_exec(x->db, "UPDATE commands SET status = ?, reply = "
	    "coalesce(?, reply), handled = ? WHERE message = ?", "ttTI",
	    status, reply, x->now, x->msg);
}

static void
xc_free(struct xc *x)
{
	size_t i;

	free(x->sender);
	free(x->sender_name);
	free(x->lang);
	free(x->subject);
	free(x->message_id);
	free(x->in_reply_to);
	free(x->refs);
	free(x->body);
	free(x->own_id);
	free(x->own_kind);
	if (x->cm != NULL)
		cmd_mail_free(x->cm);
	free(x->ctx);
	buf_free(&x->out);
	buf_free(&x->errs);
	later_free(x);
	for (i = 0; i < x->natt; i++) {
		free(x->att[i].name);
		free(x->att[i].type);
		free(x->att[i].data);
	}
	free(x->att);
}

/* Loads message id and its sender's language and zone. 1, 0, -1. */
static int
xc_load(struct xc *x, struct db *db, const struct config *conf, int64_t id,
    const char *own)
{
	struct dir_contact c;
	sqlite3_stmt *st;
	int64_t contact;
	const char *zone = NULL;
	char *err = NULL;
	int rc;

	memset(x, 0, sizeof(*x));
	buf_init(&x->out);
	buf_init(&x->errs);
	x->db = db;
	x->conf = conf;
	x->msg = id;
	x->now = clock_now();
	if ((st = db_stmt(db, "SELECT from_email, from_name, subject, body, "
	    "quote_off, sig_off, message_id, in_reply_to, refs, partnership "
	    "FROM messages WHERE id = ?")) == NULL ||
	    db_bind(st, "I", id) == -1 || (rc = db_step(st)) == -1)
		return -1;
	if (rc == 0)
		return 0;
	x->sender = db_col_strdup(st, 0);
	x->sender_name = db_col_strdup(st, 1);
	x->subject = db_col_strdup(st, 2);
	x->body = db_col_strdup(st, 3);
	if (x->body == NULL)
		x->body = xstrdup("");
	x->body_len = strlen(x->body);
	x->quote_off = sqlite3_column_type(st, 4) == SQLITE_NULL ?
	    x->body_len : (size_t)sqlite3_column_int64(st, 4);
	x->sig_off = sqlite3_column_type(st, 5) == SQLITE_NULL ?
	    x->body_len : (size_t)sqlite3_column_int64(st, 5);
	x->message_id = db_col_strdup(st, 6);
	x->in_reply_to = db_col_strdup(st, 7);
	x->refs = db_col_strdup(st, 8);
	x->partnership = sqlite3_column_int64(st, 9);
	sqlite3_reset(st);
	if (x->sender == NULL)
		x->sender = xstrdup("");
	x->lang = xstrdup(conf->team_language ? conf->team_language : "en");
	if (directory_contact_by_email(db, x->sender, &contact, NULL) == 1 &&
	    directory_contact_get(db, contact, &c) == 1) {
		if (c.eff_language != NULL && (strcmp(c.eff_language, "uk") ==
		    0 || strcmp(c.eff_language, "en") == 0)) {
			free(x->lang);
			x->lang = xstrdup(c.eff_language);
		}
		if (c.eff_zone != NULL)
			x->zone = tz_get(c.eff_zone, &err);
		free(err);
		err = NULL;
		if (x->sender_name == NULL && c.name != NULL)
			x->sender_name = xstrdup(c.name);
		dir_contact_free(&c);
	}
	if (x->zone == NULL)
		x->zone = tz_get(conf->team_timezone, &err);
	free(err);
	err = NULL;
	if (x->zone == NULL)
		x->zone = tz_get("UTC", &err);
	free(err);
	(void)zone;
	if (x->zone == NULL)
		return -1;
	if (own != NULL) {
		x->own_id = xstrdup(own);
		if (compose_own_id(db, own, &x->own_kind, &x->own_object,
		    &x->own_partnership) == -1)
			return -1;
	}
	return 1;
}

/* ---- one mail ----------------------------------------------------------- */

static int
finish(struct xc *x, const char *status, const char *text, int failed,
    int dry)
{
	char *obj;

	if (db_begin(x->db) == -1)
		return -1;
	if (strcmp(status, "failed") == 0) {
		obj = xasprintf("message:%lld", (long long)x->msg);
		audit(x, "command_failed", obj, text);
		free(obj);
	}
	if (send_reply(x, text, failed, dry) == -1 ||
	    mark(x, status, text) == -1) {
		db_rollback(x->db);
		return -1;
	}
	if (db_commit(x->db) == -1)
		return -1;
	outbox_wake();
	return 0;
}

/* Runs x (loaded) all or nothing. 0 handled, -1 database error. */
static int
run_command(struct xc *x)
{
	struct cmd_opts o;
	struct cmd_mail *cm;
	char *t;
	size_t i;
	int rc = 1, assign_line = 0, ctx_line = -1;
	int64_t pid, fwd;

	o.zone = x->zone;
	o.now = x->now;
	cm = x->cm = cmd_parse(x->body, x->body_len, x->quote_off,
	    x->sig_off, &o);
	if (cm->nerrors > 0) {
		t = cmd_errors_text(cm, x->lang);
		rc = finish(x, "failed", t, 1, 0);
		free(t);
		return rc;
	}
	if (cm->n == 0 && (cm->first_word == REPLY_NONE ||
	    cm->first_word == REPLY_YES || cm->first_word == REPLY_NO ||
	    x->own_id == NULL))
		return mark(x, "note", NULL);
	if (cm->n > 0 && cm->first_word != REPLY_NONE && x->own_id == NULL &&
	    cm->first_word != REPLY_YES && cm->first_word != REPLY_NO) {
		fail(x, NULL, cm->first_word_line, "%s", L(x, "a reply word "
		    "('done', 'snooze', a slot number, 'cancel', 'stop') only "
		    "works in a reply to mistok's mail", "слова відповіді "
		    "(«готово», «відкласти», номер часу, «скасувати», «стоп») "
		    "діють лише у відповіді на лист mistok"));
		goto failed;
	}
	x->ctx = xcalloc(cm->n ? cm->n : 1, sizeof(*x->ctx));

	if (db_begin(x->db) == -1)
		return -1;
	if ((rc = exec_reply_word(x)) == -1)
		goto dberr;
	for (i = 0; i < cm->n; i++) {
		if (cm->lines[i].kw == CMD_ASSIGN)
			assign_line = 1;
		if (cm->lines[i].kw == CMD_PARTNERSHIP ||
		    cm->lines[i].kw == CMD_NEW_PARTNERSHIP)
			ctx_line = (int)i;
		if ((rc = exec_line(x, i)) == -1)
			goto dberr;
	}
	/* Filing by forwarding: a forward with a Partnership line. */
	if (x->nerrs == 0 && ctx_line >= 0 && !assign_line && x->ctx[ctx_line]
	    > 0 && is_forward(x)) {
		if ((rc = forwarded_message(x, &fwd)) == -1)
			goto dberr;
		if (rc == 1 && (rc = assign(x, &cm->lines[ctx_line], fwd,
		    x->ctx[ctx_line])) == -1)
			goto dberr;
		if (rc == 0)
			say(x, "%s", L(x, "the forwarded mail is not among the "
			    "stored mail: nothing filed", "пересланого листа "
			    "немає серед збережених: нічого не віднесено"));
	} else if (x->nerrs == 0 && cm->note != NULL && cm->n > 0) {
		/* The text after the command lines: a note. */
		pid = ctx_line >= 0 ? x->ctx[ctx_line] :
		    x->own_partnership > 0 ? x->own_partnership :
		    x->partnership;
		if (pid > 0) {
			if (add_note(x, pid, cm->note) == -1)
				goto dberr;
			say(x, L(x, "%s: the text below the commands is kept "
			    "as a note", "%s: текст під командами збережено "
			    "як нотатку"), slug_of(x, pid, &t));
			free(t);
		}
	}
	if (x->nerrs > 0) {
		db_rollback(x->db);
		goto failed;
	}
	if (cm->dry_run) {
		for (i = 0; i < x->nlater; i++)
			describe_later(x, &x->later[i]);
		db_rollback(x->db);
		buf_addc(&x->out, '\0');
		return finish(x, "done", x->out.data, 0, 1);
	}
	if (x->nlater == 0) {
		buf_addc(&x->out, '\0');
		if (send_reply(x, x->out.data, 0, 0) == -1 ||
		    mark(x, "done", x->out.data) == -1)
			goto dberr;
		if (db_commit(x->db) == -1)
			return -1;
		outbox_wake();
		return 0;
	}
	/* Meeting lines run in their own transactions, after this one. */
	buf_addc(&x->out, '\0');
	if (mark(x, "executed", x->out.data) == -1)
		goto dberr;
	if (db_commit(x->db) == -1)
		return -1;
	x->out.len--;
	for (i = 0; i < x->nlater; i++)
		run_later(x, &x->later[i]);
	buf_addc(&x->out, '\0');
	return finish(x, "done", x->out.data, 0, 0);

dberr:
	log_warnx("command: message %lld: %s", (long long)x->msg,
	    db_errmsg(x->db));
	db_rollback(x->db);
	return -1;
failed:
	buf_printf(&x->errs, "\n");
	buf_addc(&x->errs, '\0');
	return finish(x, "failed", x->errs.data, 1, 0);
}

/* A mail left "executed" by a crash: answer what was done. */
static int
run_executed(struct xc *x)
{
	char *text = NULL, *all;
	int rc;

	if (db_exec(x->db, "SELECT 1", "") == -1)
		return -1;
	{
		sqlite3_stmt *st = db_stmt(x->db, "SELECT reply FROM commands "
		    "WHERE message = ?");

		if (st == NULL || db_bind(st, "I", x->msg) == -1)
			return -1;
		if (db_step(st) == 1) {
			text = db_col_strdup(st, 0);
			sqlite3_reset(st);
		}
	}
	all = xasprintf("%s%s", text ? text : "", L(x, "(mistok stopped "
	    "while running the meeting lines; check them with Show)\n",
	    "(mistok зупинився під час рядків про зустрічі; перевірте їх "
	    "командою «Показати»)\n"));
	rc = finish(x, "done", all, 0, 0);
	free(all);
	free(text);
	return rc;
}

static int
run_foreign(struct xc *x, const char *reason)
{
	const struct tmpl_set *set = notice_templates(x->conf);
	struct mailtmpl_mail mm;
	struct compose *c;
	struct json *d, *o;
	struct buf raw, lines;
	char *err = NULL, *key, *msgid = NULL, *subject = NULL, *obj;
	char when[64];
	const char *p;
	struct tz_local lt;
	size_t i, n = 0, len;
	int64_t row;
	int rc = 0;

	if (db_begin(x->db) == -1)
		return -1;
	obj = xasprintf("message:%lld", (long long)x->msg);
	audit(x, "command_refused", obj, reason);
	free(obj);
	if (x->conf->coordinators == NULL || x->conf->coordinators[0] ==
	    NULL)
		goto done;
	buf_init(&lines);
	for (p = x->body; *p != '\0' && n < FOREIGN_LINES &&
	    (size_t)(p - x->body) < x->quote_off; n++) {
		const char *e = strchr(p, '\n');
		size_t l = e ? (size_t)(e - p) : strlen(p);

		if (l > 200)
			l = 200;
		buf_adds(&lines, "    ");
		buf_add(&lines, p, l);
		buf_addc(&lines, '\n');
		p = e ? e + 1 : p + strlen(p);
	}
	buf_addc(&lines, '\0');
	tz_local(x->zone, x->now, &lt);
	snprintf(when, sizeof(when), "%04d-%02d-%02d %02d:%02d (%s)",
	    lt.year, lt.month, lt.day, lt.hour, lt.min, tz_name(x->zone));
	d = base_data(x->conf);
	o = json_set(d, "foreign", json_object());
	json_set_string(o, "sender", x->sender);
	json_set_string(o, "subject", x->subject ? x->subject : "");
	json_set_string(o, "date", when);
	json_set_string(o, "reason", reason ? reason : "");
	json_set_int(o, "id", x->msg);
	json_set_string(o, "lines", lines.data);
	buf_init(&raw);
	if (set != NULL && mailtmpl_render(set, "command_foreign",
	    x->conf->team_language, x->conf->team_language, d, &mm,
	    &err) == 0) {
		c = compose_new_team(x->conf);
		for (i = 0; x->conf->coordinators[i] != NULL; i++)
			compose_add_to(c, NULL, x->conf->coordinators[i]);
		mailtmpl_to_compose(&mm, c);
		if (compose_write(c, &raw, &err) == 0) {
			msgid = xstrdup(compose_message_id(c));
			subject = xstrdup(mm.subject);
		}
		compose_free(c);
		mailtmpl_mail_free(&mm);
	}
	json_free(d);
	if (msgid == NULL) {
		char *text = xasprintf("A mail that reads like commands was "
		    "not run.\n\nFrom: %s\nSubject: %s\nWhy: %s\nMessage: "
		    "%lld\n\n%s", x->sender, x->subject ? x->subject : "",
		    reason ? reason : "", (long long)x->msg, lines.data);

		free(err);
		err = NULL;
		buf_free(&raw);
		subject = xasprintf("Command mail not run: from %s",
		    x->sender);
		raw.data = outbox_plain_mail(x->conf,
		    (const char *const *)x->conf->coordinators, subject, text,
		    &msgid, &len);
		raw.len = len;
		free(text);
	}
	buf_free(&lines);
	key = xasprintf("cmd-foreign:%lld", (long long)x->msg);
	rc = outbox_enqueue(x->db, key, raw.data, raw.len,
	    x->conf->team_address, (const char *const *)x->conf->coordinators,
	    msgid, subject, 0, &row, &err);
	if (rc == 1 && compose_record_own_id(x->db, msgid, "notice", x->msg,
	    0, &err) == -1)
		rc = -1;
	free(key);
	free(msgid);
	free(subject);
	buf_free(&raw);
	if (rc == -1) {
		log_warnx("command: message %lld: notice: %s",
		    (long long)x->msg, err ? err : "?");
		free(err);
		db_rollback(x->db);
		return -1;
	}
	free(err);
done:
	if (mark(x, "refused", NULL) == -1 || db_commit(x->db) == -1) {
		db_rollback(x->db);
		return -1;
	}
	outbox_wake();
	log_info("command: message %lld from %s not run: %s",
	    (long long)x->msg, x->sender, reason ? reason : "");
	return 0;
}

int
cmdexec_run(struct db *db, const struct config *conf, size_t max,
    char **err)
{
	sqlite3_stmt *st;
	struct row {
		int64_t	 id;
		char	*status;
		char	*own;
		char	*reason;
		char	*sender;
	} *v = NULL;
	struct xc x;
	size_t n = 0, i, done = 0;
	int rc;

	*err = NULL;
	if (db_in_transaction(db)) {
		*err = xstrdup("commands: called inside a transaction");
		return -1;
	}
	if ((st = db_stmt(db, "SELECT message, status, own_id, reason, "
	    "sender FROM commands WHERE status IN ('pending', 'foreign', "
	    "'executed') ORDER BY message LIMIT ?")) == NULL ||
	    db_bind(st, "I", max > 0 ? (int64_t)max : INT64_MAX) == -1) {
		*err = xasprintf("commands: %s", db_errmsg(db));
		return -1;
	}
	while ((rc = db_step(st)) == 1) {
		v = xreallocarray(v, n + 1, sizeof(*v));
		v[n].id = sqlite3_column_int64(st, 0);
		v[n].status = db_col_strdup(st, 1);
		v[n].own = db_col_strdup(st, 2);
		v[n].reason = db_col_strdup(st, 3);
		v[n].sender = db_col_strdup(st, 4);
		n++;
	}
	for (i = 0; i < n && rc != -1; i++) {
		/* Mail that waited too long (mistok was down): not run. */
		if (strcmp(v[i].status, "executed") != 0 &&
		    (rc = too_old(db, conf, v[i].id, clock_now())) != 0) {
			if (rc == 1 && (rc = db_exec(db, "UPDATE commands SET "
			    "status = 'stale', reason = 'older than "
			    "command_max_age', handled = ? WHERE message = ?",
			    "TI", clock_now(), v[i].id)) == 0)
				log_stale(v[i].id, v[i].sender ?
				    v[i].sender : "?", conf);
			continue;
		}
		rc = xc_load(&x, db, conf, v[i].id, v[i].own);
		if (rc == 1) {
			if (strcmp(v[i].status, "foreign") == 0)
				rc = run_foreign(&x, v[i].reason);
			else if (strcmp(v[i].status, "executed") == 0)
				rc = run_executed(&x);
			else
				rc = run_command(&x);
			if (rc == 0)
				done++;
		}
		xc_free(&x);
	}
	for (i = 0; i < n; i++) {
		free(v[i].status);
		free(v[i].own);
		free(v[i].reason);
		free(v[i].sender);
	}
	free(v);
	if (rc == -1) {
		*err = xasprintf("commands: %s", db_errmsg(db));
		return -1;
	}
	return (int)done;
}

int
cmdexec_nudges_stopped(struct db *db, int64_t partnership)
{
	int64_t v;

	return db_int(db, &v, "SELECT 1 FROM nudge_stops WHERE partnership "
	    "= ?", "I", partnership);
}
