/*
 * search: messages_fts is an external-content FTS5 table over
 * messages(subject, body). Migration 7 dropped the insert trigger that
 * indexed each message as it was stored (a third of a first import's
 * CPU); instead kv "fts:upto" says how far the index goes and
 * search_catch_up() moves it forward in slices: in the daemon's
 * background module and before each query. db.c's delete and update
 * triggers touch only rows at or below the cursor, so the index never
 * holds a row whose text it did not get, and forgetting a contact
 * (which rewrites bodies) re-indexes only what was indexed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "db.h"
#include "event.h"
#include "log.h"
#include "search.h"
#include "util.h"

#define CURSOR		"fts:upto"
#define TICK_BEHIND_MS	10
#define TICK_IDLE_MS	5000

static int
cursor(struct db *db, int64_t *upto)
{
	char *v = NULL;
	int rc;

	*upto = 0;
	if ((rc = db_kv_get(db, CURSOR, &v)) == -1)
		return -1;
	if (rc == 1 && v != NULL)
		*upto = strtoll(v, NULL, 10);
	free(v);
	return 0;
}

int
search_backlog(struct db *db, int64_t *n)
{
	int64_t upto;

	*n = 0;
	if (cursor(db, &upto) == -1)
		return -1;
	return db_int(db, n, "SELECT count(*) FROM messages WHERE id > ?",
	    "I", upto) == -1 ? -1 : 0;
}

int
search_catch_up(struct db *db, size_t max_rows)
{
	int64_t upto, last = 0, n = 0;
	char val[32];
	int own = !db_in_transaction(db), rc;

	if (max_rows == 0)
		return 0;
	if (own && db_begin(db) == -1)
		return -1;
	if (cursor(db, &upto) == -1)
		goto fail;
	/* The slice's last id first: the cursor must cover exactly it. */
	rc = db_int(db, &last, "SELECT max(id) FROM (SELECT id FROM messages "
	    "WHERE id > ? ORDER BY id LIMIT ?)", "II", upto,
	    (int64_t)max_rows);
	if (rc == -1)
		goto fail;
	if (rc == 1 && last > upto) {
		if (db_exec(db, "INSERT INTO messages_fts (rowid, subject, "
		    "body) SELECT id, subject, body FROM messages WHERE id > ? "
		    "AND id <= ? ORDER BY id", "II", upto, last) == -1)
			goto fail;
		n = db_changes(db);
		snprintf(val, sizeof(val), "%lld", (long long)last);
		if (db_kv_set(db, CURSOR, val) == -1)
			goto fail;
	}
	if (own && db_commit(db) == -1)
		goto fail;
	if (n > 0)
		log_debug("search: %lld messages indexed, up to %lld",
		    (long long)n, (long long)last);
	return (int)n;
fail:
	log_warnx("search: catching up: %s", db_errmsg(db));
	if (own)
		db_rollback(db);
	return -1;
}

void
search_hits_free(struct search_hit *h, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(h[i].from);
		free(h[i].subject);
		free(h[i].slug);
		free(h[i].context);
	}
	free(h);
}

/* Every word as a quoted FTS5 string: no query syntax from mail. */
static char *
fts_query(const char *words)
{
	struct buf q;
	const char *p, *w;

	buf_init(&q);
	for (p = words; *p != '\0';) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		w = p;
		while (*p != '\0' && *p != ' ' && *p != '\t')
			p++;
		buf_adds(&q, q.len ? " \"" : "\"");
		for (; w < p; w++) {
			if (*w == '"')
				buf_addc(&q, '"');
			buf_addc(&q, *w);
		}
		buf_addc(&q, '"');
	}
	buf_addc(&q, '\0');
	return buf_steal(&q);
}

int
search_query(struct db *db, const char *words, int64_t exclude,
    size_t limit, struct search_hit **out, size_t *n, int *partial,
    char **err)
{
	sqlite3_stmt *st;
	struct search_hit *h;
	int64_t left = 0;
	char *q, *p;
	int rc;

	*out = NULL;
	*n = 0;
	*err = NULL;
	if (partial != NULL)
		*partial = 0;
	if (search_catch_up(db, SEARCH_QUERY_CATCH_UP) == -1 ||
	    search_backlog(db, &left) == -1) {
		*err = xasprintf("search: %s", db_errmsg(db));
		return -1;
	}
	if (partial != NULL)
		*partial = left > 0;
	q = fts_query(words);
	if (*q == '\0') {
		free(q);
		return 0;
	}
	if ((st = db_stmt(db, "SELECT m.id, m.date, m.from_email, "
	    "m.subject, p.slug, snippet(messages_fts, 1, '', '', '…', 12) "
	    "FROM messages_fts JOIN messages m ON m.id = messages_fts.rowid "
	    "LEFT JOIN partnerships p ON p.id = m.partnership "
	    "WHERE messages_fts MATCH ? AND m.kind != 'own' AND m.id != ? "
	    "ORDER BY m.date DESC, m.id DESC LIMIT ?")) == NULL ||
	    db_bind(st, "tII", q, exclude, (int64_t)limit) == -1) {
		free(q);
		*err = xasprintf("search: %s", db_errmsg(db));
		return -1;
	}
	free(q);
	while ((rc = db_step(st)) == 1) {
		*out = xreallocarray(*out, *n + 1, sizeof(**out));
		h = &(*out)[(*n)++];
		h->id = sqlite3_column_int64(st, 0);
		h->date = db_col_time(st, 1);
		h->from = db_col_strdup(st, 2);
		h->subject = db_col_strdup(st, 3);
		h->slug = db_col_strdup(st, 4);
		h->context = db_col_strdup(st, 5);
		for (p = h->context; p != NULL && *p != '\0'; p++)
			if (*p == '\n' || *p == '\r' || *p == '\t')
				*p = ' ';
	}
	if (rc == -1) {
		search_hits_free(*out, *n);
		*out = NULL;
		*n = 0;
		*err = xasprintf("search: %s", db_errmsg(db));
		return -1;
	}
	return 0;
}

/* ---- the daemon module -------------------------------------------------- */

static struct {
	struct daemon_ctx	*ctx;
	struct ev_timer		 timer;
	int			 failed;	/* logged once until it works */
} s;

static void
on_tick(struct ev_timer *t, void *arg)
{
	int n;

	(void)arg;
	n = search_catch_up(s.ctx->db, SEARCH_SLICE);
	if (n == -1 && !s.failed) {
		s.failed = 1;
		log_warnx("search: the index is behind; trying again");
	} else if (n >= 0)
		s.failed = 0;
	ev_timer_start(t, n == SEARCH_SLICE ? TICK_BEHIND_MS : TICK_IDLE_MS,
	    0);
}

static int
module_init(struct daemon_ctx *ctx)
{
	memset(&s, 0, sizeof(s));
	s.ctx = ctx;
	ev_timer_init(&s.timer, ctx->loop, on_tick, NULL);
	ev_timer_start(&s.timer, TICK_BEHIND_MS, 0);
	return 0;
}

static void
module_shutdown(struct daemon_ctx *ctx)
{
	(void)ctx;
	ev_timer_stop(&s.timer);
}

const struct daemon_module search_module = {
	"search", module_init, NULL, module_shutdown,
};
