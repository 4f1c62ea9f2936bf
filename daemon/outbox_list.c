/*
 * outbox_list: the queue as the operator sees it — listing and reading
 * rows (struct outbox_mail), retry and cancel by hand, and the bounce
 * side's look-ups (outbox_find_sent_to, outbox_mark_bounced). Nothing here
 * sends; the life of a mail and its delivery are in outbox.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compose.h"
#include "db.h"
#include "log.h"
#include "outbox.h"
#include "util.h"

/* ---- listing ------------------------------------------------------- */

#define MAIL_COLS "id, dedupe_key, status, attempts, next_attempt, " \
	"created, sent_at, last_error, last_code, env_from, recipients, " \
	"rejected, message_id, subject, copy, recovered"

/* The "ADDRESS: bounced: …" lines of rejected. */
static int
count_bounced(const char *rejected)
{
	const char *p = rejected, *nl, *b;
	int n = 0;

	while (p != NULL && *p != '\0') {
		nl = strchr(p, '\n');
		b = strstr(p, ": " OUTBOX_BOUNCED ": ");
		if (b != NULL && (nl == NULL || b < nl))
			n++;
		p = nl ? nl + 1 : NULL;
	}
	return n;
}

static void
read_mail(sqlite3_stmt *st, struct outbox_mail *m)
{
	memset(m, 0, sizeof(*m));
	m->id = sqlite3_column_int64(st, 0);
	m->dedupe_key = db_col_strdup(st, 1);
	m->status = db_col_strdup(st, 2);
	m->attempts = sqlite3_column_int(st, 3);
	m->next_attempt = db_col_time(st, 4);
	m->created = db_col_time(st, 5);
	m->sent_at = db_col_time(st, 6);
	m->last_error = db_col_strdup(st, 7);
	m->last_code = (long)sqlite3_column_int64(st, 8);
	m->env_from = db_col_strdup(st, 9);
	m->recipients = db_col_strdup(st, 10);
	m->rejected = db_col_strdup(st, 11);
	m->message_id = db_col_strdup(st, 12);
	m->subject = db_col_strdup(st, 13);
	m->copy = db_col_strdup(st, 14);
	m->recovered = sqlite3_column_int(st, 15);
	m->bounced = count_bounced(m->rejected);
}

void
outbox_mail_free(struct outbox_mail *m)
{
	if (m == NULL)
		return;
	free(m->dedupe_key);
	free(m->status);
	free(m->last_error);
	free(m->env_from);
	free(m->recipients);
	free(m->rejected);
	free(m->message_id);
	free(m->subject);
	free(m->copy);
	memset(m, 0, sizeof(*m));
}

int
outbox_list(struct db *db, size_t limit, struct outbox_mail **out,
    size_t *n, char **err)
{
	sqlite3_stmt *st;
	struct outbox_mail *v = NULL;
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	st = db_stmt(db, "SELECT " MAIL_COLS " FROM outbox ORDER BY id DESC "
	    "LIMIT ?");
	if (st == NULL || db_bind(st, "I", limit ? (int64_t)limit :
	    (int64_t)-1) == -1)
		goto fail;
	while ((rc = db_step(st)) == 1) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			v = xreallocarray(v, cap, sizeof(*v));
		}
		read_mail(st, &v[(*n)++]);
	}
	if (rc == -1) {
		while (*n > 0)
			outbox_mail_free(&v[--*n]);
		free(v);
		goto fail;
	}
	*out = v;
	return 0;
fail:
	*err = xasprintf("outbox: %s", db_errmsg(db));
	return -1;
}

int
outbox_get(struct db *db, int64_t id, struct outbox_mail *out, char **err)
{
	sqlite3_stmt *st;
	int rc;

	st = db_stmt(db, "SELECT " MAIL_COLS " FROM outbox WHERE id = ?");
	if (st == NULL || db_bind(st, "I", id) == -1 ||
	    (rc = db_step(st)) == -1) {
		*err = xasprintf("outbox %lld: %s", (long long)id,
		    db_errmsg(db));
		return -1;
	}
	if (rc == 0)
		return 0;
	read_mail(st, out);
	sqlite3_reset(st);
	return 1;
}

static int
state_error(struct db *db, int64_t id, const char *what, char **err)
{
	struct outbox_mail m;
	int rc;

	if ((rc = outbox_get(db, id, &m, err)) == -1)
		return -1;
	if (rc == 0)
		*err = xasprintf("outbox %lld: no such mail", (long long)id);
	else {
		*err = xasprintf("outbox %lld: is %s; only %s", (long long)id,
		    m.status, what);
		outbox_mail_free(&m);
	}
	return 0;
}

int
outbox_retry(struct db *db, int64_t id, char **err)
{
	*err = NULL;
	if (db_exec(db, "UPDATE outbox SET status = 'queued', next_attempt = "
	    "?, created = ? WHERE id = ? AND status IN ('queued', 'failed', "
	    "'cancelled')", "TTI", clock_now(), clock_now(), id) == -1) {
		*err = xasprintf("outbox %lld: %s", (long long)id,
		    db_errmsg(db));
		return -1;
	}
	if (db_changes(db) == 1) {
		log_info("outbox %lld: queued again", (long long)id);
		return 1;
	}
	return state_error(db, id, "queued, failed or cancelled mail can be "
	    "retried", err);
}

int
outbox_cancel(struct db *db, int64_t id, char **err)
{
	*err = NULL;
	if (db_exec(db, "UPDATE outbox SET status = 'cancelled', "
	    "next_attempt = NULL WHERE id = ? AND status IN ('queued', "
	    "'failed')", "I", id) == -1) {
		*err = xasprintf("outbox %lld: %s", (long long)id,
		    db_errmsg(db));
		return -1;
	}
	if (db_changes(db) == 1) {
		log_info("outbox %lld: cancelled", (long long)id);
		return 1;
	}
	return state_error(db, id, "queued or failed mail can be cancelled",
	    err);
}

int
outbox_find_sent_to(struct db *db, const char *address, time_t since,
    time_t until, int64_t *id)
{
	/* recipients is space-separated: pad it so each address is whole. */
	return db_int(db, id, "SELECT id FROM outbox WHERE status = 'sent' "
	    "AND sent_at BETWEEN ? AND ? AND instr(' ' || recipients || ' ', "
	    "' ' || lower(?) || ' ') > 0 ORDER BY sent_at DESC, id DESC "
	    "LIMIT 1", "IIt", (int64_t)since, (int64_t)until, address);
}

int
outbox_mark_bounced(struct db *db, int64_t id, const char *address,
    const char *reason, char **err)
{
	struct outbox_mail m;
	struct buf b;
	char *line, *why;
	int rc;

	*err = NULL;
	if ((rc = outbox_get(db, id, &m, err)) != 1) {
		if (rc == 0)
			*err = xasprintf("outbox %lld: no such mail",
			    (long long)id);
		return -1;
	}
	why = compose_clean(reason ? reason : "returned");
	line = xasprintf("%s: " OUTBOX_BOUNCED ": ", address);
	if (m.rejected != NULL && strstr(m.rejected, line) != NULL) {
		free(line);
		free(why);
		outbox_mail_free(&m);
		return 0;
	}
	buf_init(&b);
	if (m.rejected != NULL && *m.rejected != '\0')
		buf_printf(&b, "%s\n", m.rejected);
	buf_printf(&b, "%s%s", line, why);
	rc = db_exec(db, "UPDATE outbox SET rejected = ? WHERE id = ?", "tI",
	    b.data, id);
	if (rc == -1)
		*err = xasprintf("outbox %lld: %s", (long long)id,
		    db_errmsg(db));
	else
		log_info("outbox %lld: bounced for %s", (long long)id,
		    address);
	buf_free(&b);
	free(line);
	free(why);
	outbox_mail_free(&m);
	return rc == -1 ? -1 : 1;
}
