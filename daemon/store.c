/*
 * store: messages and their satellite tables, sync_state.
 *
 * Every write runs under a SAVEPOINT inside the caller's transaction, so
 * one message that fails leaves the batch around it intact; the caller
 * decides whether to quarantine it or give the batch up.
 */
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "mime.h"
#include "store.h"
#include "util.h"

static store_hook after_insert;
static void *after_insert_arg;
static store_keys_hook before_insert;
static void *before_insert_arg;

void
store_set_before_insert(store_keys_hook fn, void *arg)
{
	before_insert = fn;
	before_insert_arg = arg;
}

void
store_set_after_insert(store_hook fn, void *arg)
{
	after_insert = fn;
	after_insert_arg = arg;
}

static void
set_err(struct db *db, char **err, const char *what)
{
	if (err != NULL && *err == NULL)
		*err = xasprintf("%s: %s", what, db_errmsg(db));
}

/* The message at loc, if any: 1 and *id, 0, or -1. */
static int
find_location(struct db *db, const struct store_loc *loc, int64_t *id)
{
	return db_int(db, id, "SELECT message FROM message_locations "
	    "WHERE folder = ? AND uidvalidity = ? AND uid = ?", "tII",
	    loc->folder, (int64_t)loc->uidvalidity, (int64_t)loc->uid);
}

static int
add_location(struct db *db, int64_t id, const struct store_loc *loc)
{
	return db_exec(db, "INSERT INTO message_locations (message, folder, "
	    "uidvalidity, uid, created) VALUES (?, ?, ?, ?, ?)", "ItIIT", id,
	    loc->folder, (int64_t)loc->uidvalidity, (int64_t)loc->uid,
	    clock_now());
}

/*
 * Finds an existing message that m duplicates: by Message-ID, or for a
 * message without one by content hash among those without one.
 */
static int
find_duplicate(struct db *db, const char *message_id, const char *hash,
    int64_t *id)
{
	if (message_id != NULL)
		return db_int(db, id, "SELECT id FROM messages "
		    "WHERE message_id = ?", "t", message_id);
	if (hash == NULL)
		return 0;
	/* INDEXED BY: left alone, SQLite walks every row without a
	 * Message-ID through the unique index (message_id IS NULL). */
	return db_int(db, id, "SELECT id FROM messages INDEXED BY messages_hash "
	    "WHERE message_id IS NULL AND content_hash = ? ORDER BY id LIMIT 1",
	    "t", hash);
}

static int
add_addresses(struct db *db, int64_t id, const char *role,
    const struct msg_addr *a, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (db_exec(db, "INSERT INTO message_addresses (message, role, "
		    "position, name, email) VALUES (?, ?, ?, ?, ?)", "ItItt",
		    id, role, (int64_t)i, a[i].name,
		    a[i].email ? a[i].email : "") == -1)
			return -1;
	return 0;
}

static int
add_parts(struct db *db, int64_t id, const struct msg *m)
{
	size_t i;

	if (add_addresses(db, id, "to", m->to, m->nto) == -1 ||
	    add_addresses(db, id, "cc", m->cc, m->ncc) == -1 ||
	    add_addresses(db, id, "reply_to", m->reply_to, m->nreply_to) == -1)
		return -1;
	for (i = 0; i < m->natt; i++)
		if (db_exec(db, "INSERT INTO attachments (message, name, type, "
		    "size) VALUES (?, ?, ?, ?)", "IttI", id, m->att[i].name,
		    m->att[i].type, (int64_t)m->att[i].size) == -1)
			return -1;
	for (i = 0; i < m->ncal; i++)
		if (db_exec(db, "INSERT INTO calendar_parts (message, method, "
		    "text) VALUES (?, ?, ?)", "Itt", id, m->cal[i].method,
		    m->cal[i].text ? m->cal[i].text : "") == -1)
			return -1;
	for (i = 0; m->references != NULL && m->references[i] != NULL; i++)
		if (db_exec(db, "INSERT INTO msgid_refs (message, msgid, "
		    "position) VALUES (?, ?, ?)", "ItI", id, m->references[i],
		    (int64_t)i) == -1)
			return -1;
	if (m->in_reply_to != NULL &&
	    db_exec(db, "INSERT INTO msgid_refs (message, msgid, position) "
	    "VALUES (?, ?, -1)", "It", id, m->in_reply_to) == -1)
		return -1;
	return 0;
}

/* References as "<a> <b>", or NULL when there are none. */
static char *
refs_text(const struct msg *m)
{
	struct buf b;
	size_t i;

	if (m->references == NULL || m->references[0] == NULL)
		return NULL;
	buf_init(&b);
	for (i = 0; m->references[i] != NULL; i++)
		buf_printf(&b, "%s<%s>", i ? " " : "", m->references[i]);
	return buf_steal(&b);
}

static int
insert_row(struct db *db, const struct msg *m, const struct store_extra *x,
    const struct store_keys *k, int64_t *id)
{
	char *refs = refs_text(m);
	time_t date = m->date ? m->date : x->internal_date;
	int rc;

	rc = db_exec(db, "INSERT INTO messages (message_id, content_hash, "
	    "date, internal_date, from_name, from_email, subject, body, "
	    "quote_off, sig_off, direction, kind, error, truncated, "
	    "in_reply_to, refs, list_id, thread_index, auto_submitted, size, "
	    "created, thread, parent, conversation, subject_base, people, "
	    "subject_root, partnership, rule) VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
	    "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, nullif(?, 0), ?, ?, ?, ?, "
	    "?, nullif(?, 0), ?)", "ttTTttttIItttitttttITIttttiIt",
	    m->message_id, m->content_hash ? m->content_hash : "",
	    date, x->internal_date, m->from.name,
	    m->from.email ? m->from.email : "", m->subject,
	    m->body ? m->body : "", (int64_t)m->quote_off, (int64_t)m->sig_off,
	    x->direction, msg_kind_name(m->kind), m->error, m->truncated != 0,
	    m->in_reply_to, refs, m->list_id, m->thread_index, m->auto_submitted,
	    (int64_t)x->size, clock_now(), k->thread, k->parent,
	    k->conversation, k->subject_base, k->people, k->subject_root,
	    k->partnership, k->rule != NULL ? k->rule : "none");
	free(refs);
	if (rc == -1)
		return -1;
	*id = db_last_id(db);
	return 0;
}

/* Location and duplicate checks shared by both entry points. */
static int
dedupe(struct db *db, const char *message_id, const char *hash,
    const struct store_loc *loc, int64_t *id, char **err)
{
	int rc;

	if ((rc = find_location(db, loc, id)) == -1) {
		set_err(db, err, "location look-up");
		return -1;
	}
	if (rc == 1)
		return STORE_KNOWN;
	if ((rc = find_duplicate(db, message_id, hash, id)) == -1) {
		set_err(db, err, "duplicate look-up");
		return -1;
	}
	if (rc == 0)
		return STORE_NEW;
	if (add_location(db, *id, loc) == -1) {
		set_err(db, err, "location insert");
		return -1;
	}
	return STORE_DUPLICATE;
}

int
store_message(struct db *db, const struct msg *m,
    const struct store_extra *x, const struct store_loc *loc, int64_t *idp,
    char **err)
{
	static const struct store_extra nox;
	struct store_keys keys;
	int64_t id = 0;
	int rc;

	if (x == NULL)
		x = &nox;
	if (db_savepoint(db, "store") == -1) {
		set_err(db, err, "savepoint");
		return -1;
	}
	rc = dedupe(db, m->message_id, m->content_hash, loc, &id, err);
	memset(&keys, 0, sizeof(keys));
	if (rc == STORE_NEW && before_insert != NULL &&
	    before_insert(db, m, m->date ? m->date : x->internal_date, &keys,
	    before_insert_arg) != 0) {
		if (err != NULL && *err == NULL)
			*err = xstrdup("before-insert hook failed");
		rc = -1;
	}
	if (rc == STORE_NEW) {
		if (insert_row(db, m, x, &keys, &id) == -1) {
			set_err(db, err, "message insert");
			rc = -1;
		} else if (add_parts(db, id, m) == -1) {
			set_err(db, err, "message parts insert");
			rc = -1;
		} else if (add_location(db, id, loc) == -1) {
			set_err(db, err, "location insert");
			rc = -1;
		} else if (after_insert != NULL &&
		    after_insert(db, id, m, after_insert_arg) != 0) {
			if (err != NULL && *err == NULL)
				*err = xstrdup("after-insert hook failed");
			rc = -1;
		}
	}
	if (rc == -1) {
		(void)db_release(db, "store", 0);
		return -1;
	}
	if (db_release(db, "store", 1) == -1) {
		set_err(db, err, "release");
		return -1;
	}
	if (idp != NULL)
		*idp = id;
	return rc;
}

int
store_quarantine(struct db *db, const struct msg *m, const char *error,
    const struct store_extra *x, const struct store_loc *loc, int64_t *idp,
    char **err)
{
	static const struct store_extra nox;
	const char *hash = m && m->content_hash ? m->content_hash : NULL;
	char *fallback = NULL;
	int64_t id = 0;
	int rc;

	if (x == NULL)
		x = &nox;
	if (hash == NULL)
		hash = fallback = xasprintf("quarantine:%s:%u:%u", loc->folder,
		    loc->uidvalidity, loc->uid);
	if (db_savepoint(db, "store") == -1) {
		set_err(db, err, "savepoint");
		free(fallback);
		return -1;
	}
	rc = dedupe(db, NULL, hash, loc, &id, err);
	if (rc == STORE_NEW) {
		if (db_exec(db, "INSERT INTO messages (message_id, "
		    "content_hash, date, internal_date, from_name, from_email, "
		    "subject, body, direction, kind, error, truncated, size, "
		    "created) VALUES (NULL, ?, ?, ?, ?, ?, ?, '', ?, "
		    "'quarantined', ?, ?, ?, ?)", "tTTtttttiIT", hash,
		    m && m->date ? m->date : x->internal_date, x->internal_date,
		    m ? m->from.name : NULL,
		    m && m->from.email ? m->from.email : "",
		    m ? m->subject : NULL, x->direction, error,
		    m ? m->truncated != 0 : 0, (int64_t)x->size,
		    clock_now()) == -1 ||
		    (id = db_last_id(db), add_location(db, id, loc)) == -1) {
			set_err(db, err, "quarantine insert");
			rc = -1;
		}
	}
	free(fallback);
	if (rc == -1) {
		(void)db_release(db, "store", 0);
		return -1;
	}
	if (db_release(db, "store", 1) == -1) {
		set_err(db, err, "release");
		return -1;
	}
	if (idp != NULL)
		*idp = id;
	return rc;
}

int64_t
store_drop_locations(struct db *db, const char *folder, uint32_t keep)
{
	if (db_exec(db, "DELETE FROM message_locations WHERE folder = ? AND "
	    "uidvalidity <> ?", "tI", folder, (int64_t)keep) == -1)
		return -1;
	return db_changes(db);
}

int
store_sync_get(struct db *db, const char *folder, struct store_sync *out)
{
	sqlite3_stmt *st;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((st = db_stmt(db, "SELECT uidvalidity, last_uid, last_sync FROM "
	    "sync_state WHERE folder = ?")) == NULL ||
	    db_bind(st, "t", folder) == -1)
		return -1;
	if ((rc = db_step(st)) == 1) {
		out->uidvalidity = (uint32_t)sqlite3_column_int64(st, 0);
		out->last_uid = (uint32_t)sqlite3_column_int64(st, 1);
		out->last_sync = db_col_time(st, 2);
		sqlite3_reset(st);
	}
	return rc;
}

int
store_sync_set(struct db *db, const char *folder, uint32_t uidvalidity,
    uint32_t last_uid, int64_t exists, time_t now)
{
	return db_exec(db, "INSERT INTO sync_state (folder, uidvalidity, "
	    "last_uid, last_sync, exists_count) VALUES (?1, ?2, ?3, ?4, "
	    "CASE WHEN ?5 < 0 THEN NULL ELSE ?5 END) "
	    "ON CONFLICT (folder) DO UPDATE SET "
	    "last_uid = CASE WHEN uidvalidity IS excluded.uidvalidity "
	    "  THEN max(last_uid, excluded.last_uid) ELSE excluded.last_uid END,"
	    "uidvalidity = excluded.uidvalidity,"
	    "last_sync = excluded.last_sync,"
	    "exists_count = coalesce(excluded.exists_count, exists_count)",
	    "tIITI", folder, (int64_t)uidvalidity, (int64_t)last_uid, now,
	    exists);
}

int
store_count(struct db *db, const char *kind, int64_t *n)
{
	*n = 0;
	if (kind == NULL)
		return db_int(db, n, "SELECT count(*) FROM messages", "") == -1 ?
		    -1 : 0;
	return db_int(db, n, "SELECT count(*) FROM messages WHERE kind = ?",
	    "t", kind) == -1 ? -1 : 0;
}

/* ---- listing ---------------------------------------------------------- */

static int
read_addresses(struct db *db, int64_t id, const char *role,
    struct msg_addr **out, size_t *n)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if ((st = db_stmt(db, "SELECT name, email FROM message_addresses "
	    "WHERE message = ? AND role = ? ORDER BY position")) == NULL ||
	    db_bind(st, "It", id, role) == -1)
		return -1;
	while ((rc = db_step(st)) == 1) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 4;
			*out = xreallocarray(*out, cap, sizeof(**out));
		}
		(*out)[*n].name = db_col_strdup(st, 0);
		(*out)[*n].email = db_col_strdup(st, 1);
		if ((*out)[*n].email == NULL)
			(*out)[*n].email = xstrdup("");
		(*n)++;
	}
	return rc;
}

static int
read_locations(struct db *db, struct store_row *r)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc;

	if ((st = db_stmt(db, "SELECT folder, uidvalidity, uid FROM "
	    "message_locations WHERE message = ? ORDER BY id")) == NULL ||
	    db_bind(st, "I", r->id) == -1)
		return -1;
	while ((rc = db_step(st)) == 1) {
		if (r->nloc == cap) {
			cap = cap ? cap * 2 : 2;
			r->loc = xreallocarray(r->loc, cap, sizeof(*r->loc));
		}
		r->loc[r->nloc].folder = db_col_strdup(st, 0);
		r->loc[r->nloc].uidvalidity = sqlite3_column_int64(st, 1);
		r->loc[r->nloc].uid = sqlite3_column_int64(st, 2);
		r->nloc++;
	}
	return rc;
}

static int
read_attachments(struct db *db, struct store_row *r)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc;

	if ((st = db_stmt(db, "SELECT name, type, size FROM attachments "
	    "WHERE message = ? ORDER BY id")) == NULL ||
	    db_bind(st, "I", r->id) == -1)
		return -1;
	while ((rc = db_step(st)) == 1) {
		if (r->natt == cap) {
			cap = cap ? cap * 2 : 2;
			r->att = xreallocarray(r->att, cap, sizeof(*r->att));
		}
		r->att[r->natt].name = db_col_strdup(st, 0);
		r->att[r->natt].type = db_col_strdup(st, 1);
		r->att[r->natt].size = (size_t)sqlite3_column_int64(st, 2);
		r->natt++;
	}
	return rc;
}

static void
row_free(struct store_row *r)
{
	size_t i;

	msg_addr_free_array(r->to, r->nto);
	msg_addr_free_array(r->cc, r->ncc);
	for (i = 0; i < r->nloc; i++)
		free(r->loc[i].folder);
	free(r->loc);
	for (i = 0; i < r->natt; i++) {
		free(r->att[i].name);
		free(r->att[i].type);
	}
	free(r->att);
}

static const char *
col_text(sqlite3_stmt *st, int col)
{
	return (const char *)sqlite3_column_text(st, col);
}

int
store_list(struct db *db, const struct store_filter *f,
    int (*cb)(void *, const struct store_row *), void *arg, char **err)
{
	static const struct store_filter nof;
	struct store_row r;
	sqlite3_stmt *st;
	int rc, stop = 0;

	*err = NULL;
	if (f == NULL)
		f = &nof;
	/* One fixed statement: an absent filter binds NULL. */
	st = db_stmt(db, "SELECT m.id, m.message_id, "
	    "coalesce(m.date, m.internal_date), m.from_name, m.from_email, "
	    "m.subject, m.thread, p.slug, m.rule, m.kind, m.direction, "
	    "m.error, m.truncated, m.body, m.size "
	    "FROM messages m LEFT JOIN partnerships p ON p.id = m.partnership "
	    "WHERE (?1 IS NULL OR EXISTS (SELECT 1 FROM message_locations l "
	    "  WHERE l.message = m.id AND l.folder = ?1)) "
	    "AND (?2 IS NULL OR m.from_email = ?2 OR (substr(?2, 1, 1) = '@' "
	    "  AND substr(m.from_email, -length(?2)) = ?2)) "
	    "AND (?3 IS NULL OR coalesce(m.date, m.internal_date) >= ?3) "
	    "AND (?4 IS NULL OR p.slug = ?4) "
	    "ORDER BY coalesce(m.date, m.internal_date), m.id");
	if (st == NULL || db_bind(st, "ttTt", f->folder, f->from, f->since,
	    f->partnership) == -1) {
		*err = xasprintf("messages: %s", db_errmsg(db));
		return -1;
	}
	while (!stop && (rc = db_step(st)) == 1) {
		memset(&r, 0, sizeof(r));
		r.id = sqlite3_column_int64(st, 0);
		r.message_id = col_text(st, 1);
		r.date = db_col_time(st, 2);
		r.from.name = (char *)col_text(st, 3);
		r.from.email = (char *)(col_text(st, 4) ? col_text(st, 4) : "");
		r.subject = col_text(st, 5) ? col_text(st, 5) : "";
		r.thread = sqlite3_column_int64(st, 6);
		r.partnership = col_text(st, 7);
		r.rule = col_text(st, 8) ? col_text(st, 8) : "none";
		r.kind = col_text(st, 9) ? col_text(st, 9) : "";
		r.direction = col_text(st, 10);
		r.error = col_text(st, 11);
		r.truncated = sqlite3_column_int(st, 12);
		r.body = col_text(st, 13) ? col_text(st, 13) : "";
		r.size = sqlite3_column_int64(st, 14);
		if (read_addresses(db, r.id, "to", &r.to, &r.nto) == -1 ||
		    read_addresses(db, r.id, "cc", &r.cc, &r.ncc) == -1 ||
		    read_locations(db, &r) == -1 ||
		    read_attachments(db, &r) == -1) {
			*err = xasprintf("messages: %s", db_errmsg(db));
			row_free(&r);
			sqlite3_reset(st);
			return -1;
		}
		stop = cb(arg, &r) != 0;
		row_free(&r);
	}
	if (stop) {
		sqlite3_reset(st);
		return 0;
	}
	if (rc == -1) {
		*err = xasprintf("messages: %s", db_errmsg(db));
		return -1;
	}
	return 0;
}

int
store_set_kind(struct db *db, int64_t id, const char *kind)
{
	int k;

	for (k = MSG_CORRESPONDENCE; k <= MSG_QUARANTINED; k++)
		if (strcmp(msg_kind_name((enum msg_kind)k), kind) == 0)
			break;
	if (k > MSG_QUARANTINED)
		return -1;
	return db_exec(db, "UPDATE messages SET kind = ? WHERE id = ?", "tI",
	    kind, id);
}

/* ---- look-ups ------------------------------------------------------------ */

int
store_last_mail(struct db *db, int64_t partnership, const char *direction,
    int64_t *id, time_t *date, const char **dir)
{
	sqlite3_stmt *st;
	const unsigned char *d;
	int r;

	/* The newest first, through messages_partnership (partnership, date);
	 * the kind test skips the few commands and auto-replies on the way. */
	st = db_stmt(db, "SELECT id, date, direction FROM messages "
	    "WHERE partnership = ?1 AND date IS NOT NULL "
	    "AND kind IN ('correspondence', 'imip') "
	    "AND (?2 IS NULL OR direction = ?2) "
	    "ORDER BY date DESC, id DESC LIMIT 1");
	if (st == NULL || db_bind(st, "It", partnership, direction) == -1)
		return -1;
	if ((r = db_step(st)) != 1)
		return r;
	if (id != NULL)
		*id = sqlite3_column_int64(st, 0);
	if (date != NULL)
		*date = db_col_time(st, 1);
	if (dir != NULL) {
		d = sqlite3_column_text(st, 2);
		*dir = d == NULL ? NULL : strcmp((const char *)d, "in") == 0 ?
		    "in" : strcmp((const char *)d, "out") == 0 ? "out" : NULL;
	}
	sqlite3_reset(st);
	return 1;
}

int
store_message_parent(struct db *db, int64_t id, char **message_id,
    char **refs, char **thread_index)
{
	sqlite3_stmt *st;
	int r;

	if (message_id != NULL)
		*message_id = NULL;
	if (refs != NULL)
		*refs = NULL;
	if (thread_index != NULL)
		*thread_index = NULL;
	st = db_stmt(db, "SELECT message_id, refs, thread_index "
	    "FROM messages WHERE id = ?");
	if (st == NULL || db_bind(st, "I", id) == -1)
		return -1;
	if ((r = db_step(st)) != 1)
		return r;
	if (message_id != NULL)
		*message_id = db_col_strdup(st, 0);
	if (refs != NULL)
		*refs = db_col_strdup(st, 1);
	if (thread_index != NULL)
		*thread_index = db_col_strdup(st, 2);
	sqlite3_reset(st);
	return 1;
}

int
store_message_recipients(struct db *db, int64_t id,
    int (*cb)(void *, const char *), void *arg)
{
	sqlite3_stmt *st;
	const char *email;
	int r, stop;

	/* role DESC: 'to' sorts after 'cc', so every To comes first. */
	st = db_stmt(db, "SELECT email FROM message_addresses "
	    "WHERE message = ? AND role IN ('to', 'cc') "
	    "ORDER BY role DESC, position");
	if (st == NULL || db_bind(st, "I", id) == -1)
		return -1;
	while ((r = db_step(st)) == 1) {
		if ((email = (const char *)sqlite3_column_text(st, 0)) == NULL)
			continue;
		if ((stop = cb(arg, email)) != 0) {
			sqlite3_reset(st);
			return stop;
		}
	}
	return r;
}
