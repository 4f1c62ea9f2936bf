/*
 * cmdexec_ctx: the command mail being run — loading it with its sender's
 * language and zone, freeing it, and the helpers every line uses: what
 * was done, what failed, the audit rows, dates in the sender's zone.
 * It runs no line and sends nothing.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "cmdexec_int.h"
#include "compose.h"
#include "config.h"
#include "dates.h"
#include "db.h"
#include "directory.h"
#include "log.h"
#include "remind.h"
#include "tz.h"
#include "util.h"

void
cx_say(struct xc *x, const char *fmt, ...)
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
void
cx_fail(struct xc *x, const struct cmd_line *l, size_t lineno,
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

void
cx_audit(struct xc *x, const char *action, const char *object,
    const char *detail)
{
	if (db_exec(x->db, "INSERT INTO events (at, actor, action, object, "
	    "detail) VALUES (?, ?, ?, ?, ?)", "Ttttt", x->now, x->sender,
	    action, object, detail) == -1)
		log_warnx("command: events: %s", db_errmsg(x->db));
}

/* The audit row of action on kind:id ("message:12"). */
void
cx_audit_of(struct xc *x, const char *action, const char *kind, int64_t id,
    const char *detail)
{
	char *obj = xasprintf("%s:%lld", kind, (long long)id);

	cx_audit(x, action, obj, detail);
	free(obj);
}

/* The audit row of an executed line. */
void
cx_audit_line(struct xc *x, const struct cmd_line *l, int64_t pid)
{
	char *obj = pid > 0 ? xasprintf("partnership:%lld", (long long)pid)
	    : xasprintf("message:%lld", (long long)x->msg);
	char *det = xasprintf("message %lld line %zu: %s", (long long)x->msg,
	    l->lineno, l->text);

	cx_audit(x, "command", obj, det);
	free(obj);
	free(det);
	x->changes++;
}

char *
cx_fmt_day(const struct xc *x, struct tz_date d)
{
	struct tz_date today = dates_today(x->zone, x->now);

	return dates_format(d, &today, x->lang);
}

/* "Tue 10 Mar 2026, 17:00 EET" in the sender's zone. */
char *
cx_fmt_time(const struct xc *x, time_t t)
{
	struct tz_local lt;
	struct tz_date d;
	char *day, *s;

	tz_local(x->zone, t, &lt);
	d.year = lt.year;
	d.month = lt.month;
	d.day = lt.day;
	day = cx_fmt_day(x, d);
	s = xasprintf("%s, %02d:%02d %s", day, lt.hour, lt.min,
	    lt.abbr ? lt.abbr : "");
	free(day);
	return s;
}

const char *
cx_slug_of(struct xc *x, int64_t pid, char **keep)
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

/* Whether x answers mistok's own mail of kind (about an object). */
int
cx_own_is(const struct xc *x, const char *kind)
{
	return x->own_kind != NULL && strcmp(x->own_kind, kind) == 0 &&
	    x->own_object > 0;
}

/* A reply to the "how did the meeting go" mail (object: the meeting). */
int
cx_own_outcome(const struct xc *x)
{
	return cx_own_is(x, REMIND_OWN_OUTCOME);
}

void
cx_free(struct xc *x)
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
	cx_later_free(x);
	for (i = 0; i < x->natt; i++) {
		free(x->att[i].name);
		free(x->att[i].type);
		free(x->att[i].data);
	}
	free(x->att);
}

/* Loads message id and its sender's language and zone. 1, 0, -1. */
int
cx_load(struct xc *x, struct db *db, const struct config *conf, int64_t id,
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
