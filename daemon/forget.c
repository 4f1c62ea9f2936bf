/*
 * forget: directory_forget() — erasing a person. It is the one place
 * outside store.c that writes the message tables: erasing a person must
 * reach every copy of them.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "csv.h"
#include "db.h"
#include "dir_int.h"
#include "directory.h"
#include "log.h"
#include "thread.h"
#include "util.h"

/* ---- forgetting --------------------------------------------------------- */

/*
 * Replaces every case-insensitive occurrence of addr (lower case) in text;
 * the byte offsets *o1 and *o2 (negative: unset) move with the text: past
 * a replacement by its change in length, inside one to its start.
 * Returns a new string, or NULL when addr does not occur.
 */
static char *
scrub(const char *text, const char *addr, int64_t *o1, int64_t *o2)
{
	size_t alen = strlen(addr), plen = strlen(DIR_FORGOTTEN_EMAIL);
	const char *p = text, *hit;
	int64_t a1 = *o1, a2 = *o2, at, shift = 0;
	struct buf b;

	if (alen == 0 || strcasestr(text, addr) == NULL)
		return NULL;
	buf_init(&b);
	while ((hit = strcasestr(p, addr)) != NULL) {
		at = hit - text;	/* in the original text */
		if (a1 >= at + (int64_t)alen)
			*o1 += (int64_t)plen - (int64_t)alen;
		else if (a1 > at)
			*o1 = at + shift;
		if (a2 >= at + (int64_t)alen)
			*o2 += (int64_t)plen - (int64_t)alen;
		else if (a2 > at)
			*o2 = at + shift;
		shift += (int64_t)plen - (int64_t)alen;
		buf_add(&b, p, (size_t)(hit - p));
		buf_adds(&b, DIR_FORGOTTEN_EMAIL);
		p = hit + alen;
	}
	buf_adds(&b, p);
	return buf_steal(&b);
}

/* Rewrites the texts of one column that contain addr. */
static int
scrub_table(struct db *db, const char *select, const char *update,
    const char *addr, int offsets, size_t *count)
{
	sqlite3_stmt *st;
	int64_t *ids = NULL, *o1 = NULL, *o2 = NULL;
	char **texts = NULL, *t;
	size_t n = 0, i;
	int rc;

	if ((st = db_stmt(db, select)) == NULL || db_bind(st, "t", addr) == -1)
		return -1;
	while ((rc = db_step(st)) == 1) {
		const char *text = (const char *)sqlite3_column_text(st, 1);
		int64_t a = offsets && sqlite3_column_type(st, 2) !=
		    SQLITE_NULL ? sqlite3_column_int64(st, 2) : -1;
		int64_t b = offsets && sqlite3_column_type(st, 3) !=
		    SQLITE_NULL ? sqlite3_column_int64(st, 3) : -1;

		if (text == NULL || (t = scrub(text, addr, &a, &b)) == NULL)
			continue;
		ids = xreallocarray(ids, n + 1, sizeof(*ids));
		texts = xreallocarray(texts, n + 1, sizeof(*texts));
		o1 = xreallocarray(o1, n + 1, sizeof(*o1));
		o2 = xreallocarray(o2, n + 1, sizeof(*o2));
		ids[n] = sqlite3_column_int64(st, 0);
		texts[n] = t;
		o1[n] = a;
		o2[n++] = b;
	}
	for (i = 0; rc == 0 && i < n; i++)
		rc = offsets ?
		    db_exec(db, update, "tIII", texts[i], o1[i], o2[i], ids[i]) :
		    db_exec(db, update, "tI", texts[i], ids[i]);
	if (rc == 0)
		*count += n;
	for (i = 0; i < n; i++)
		free(texts[i]);
	free(texts);
	free(ids);
	free(o1);
	free(o2);
	return rc;
}

int
directory_forget(struct db *db, const char *email, const char *actor,
    struct dir_forget_stats *stats, char **err)
{
	sqlite3_stmt *st;
	char **addrs = NULL, *e, *detail, *object = NULL;
	size_t naddrs = 0, i;
	int64_t contact = 0;
	int rc;

	*err = NULL;
	memset(stats, 0, sizeof(*stats));
	e = xstrdup(email);
	str_trim(e);
	str_lower(e);
	if (!dir_valid_address(e)) {
		dir_set_err(err, "'%s' is not a mail address", e);
		free(e);
		return DIR_ERR_DATA;
	}
	if (db_begin(db) == -1) {
		free(e);
		return dir_db_fail(db, err, "begin");
	}
	if ((rc = directory_contact_by_email(db, e, &contact, NULL)) == -1)
		goto fail;
	if (rc == 1) {
		if ((st = db_stmt(db, "SELECT email FROM contact_addresses "
		    "WHERE contact = ? ORDER BY id")) == NULL ||
		    db_bind(st, "I", contact) == -1 ||
		    dir_strings_of(st, &addrs, &naddrs) == -1)
			goto fail;
		stats->contact = contact;
		stats->addresses = naddrs;
	} else
		dir_strv_add(&addrs, &naddrs, e);

	for (i = 0; i < naddrs; i++) {
		if (db_exec(db, "UPDATE messages SET from_email = ?, "
		    "from_name = NULL WHERE from_email = ?", "tt",
		    DIR_FORGOTTEN_EMAIL, addrs[i]) == -1)
			goto fail;
		stats->messages += (size_t)db_changes(db);
		if (db_exec(db, "UPDATE message_addresses SET email = ?, "
		    "name = NULL WHERE email = ?", "tt", DIR_FORGOTTEN_EMAIL,
		    addrs[i]) == -1)
			goto fail;
		stats->recipients += (size_t)db_changes(db);
		/* attendees is UNIQUE (meeting, email): a second forgotten
		 * attendee of one meeting is dropped rather than merged. */
		if (db_exec(db, "UPDATE OR IGNORE attendees SET email = ?, "
		    "name = NULL WHERE email = ?", "tt", DIR_FORGOTTEN_EMAIL,
		    addrs[i]) == -1)
			goto fail;
		stats->recipients += (size_t)db_changes(db);
		if (db_exec(db, "DELETE FROM attendees WHERE email = ?", "t",
		    addrs[i]) == -1)
			goto fail;
		stats->recipients += (size_t)db_changes(db);
		/* Who changed a stage or sent a command is an address too. */
		if (db_exec(db, "UPDATE stage_history SET actor = ? WHERE "
		    "actor = ?", "tt", DIR_FORGOTTEN_EMAIL, addrs[i]) == -1 ||
		    db_exec(db, "UPDATE events SET actor = ? WHERE actor = ?",
		    "tt", DIR_FORGOTTEN_EMAIL, addrs[i]) == -1)
			goto fail;
		if (thread_forget(db, addrs[i]) == -1)
			goto fail;
		if (scrub_table(db, "SELECT id, body, quote_off, sig_off "
		    "FROM messages WHERE instr(lower(body), ?) > 0",
		    "UPDATE messages SET body = ?, quote_off = nullif(?, -1), "
		    "sig_off = nullif(?, -1) WHERE id = ?", addrs[i], 1,
		    &stats->texts) == -1)
			goto fail;
		if (scrub_table(db, "SELECT id, subject FROM messages "
		    "WHERE instr(lower(subject), ?) > 0",
		    "UPDATE messages SET subject = ? WHERE id = ?", addrs[i], 0,
		    &stats->texts) == -1)
			goto fail;
		if (scrub_table(db, "SELECT id, text FROM calendar_parts "
		    "WHERE instr(lower(text), ?) > 0",
		    "UPDATE calendar_parts SET text = ? WHERE id = ?", addrs[i],
		    0, &stats->texts) == -1)
			goto fail;
	}
	if (contact != 0) {
		if (db_exec(db, "UPDATE steps SET owner_kind = NULL, "
		    "owner_id = NULL WHERE owner_kind = 'contact' AND "
		    "owner_id = ?", "I", contact) == -1 ||
		    db_exec(db, "DELETE FROM contacts WHERE id = ?", "I",
		    contact) == -1)
			goto fail;
		object = xasprintf("contact:%lld", (long long)contact);
	}
	detail = xasprintf("%zu addresses, %zu messages from, %zu recipient "
	    "rows, %zu texts", stats->addresses, stats->messages,
	    stats->recipients, stats->texts);
	rc = db_exec(db, "INSERT INTO events (at, actor, action, object, "
	    "detail) VALUES (?, ?, 'forget', ?, ?)", "Tttt", clock_now(),
	    actor ? actor : "cli", object, detail);
	free(detail);
	free(object);
	if (rc == -1 || db_commit(db) == -1)
		goto fail;
	dir_strv_free(addrs, naddrs);
	free(e);
	return 0;
fail:
	dir_db_fail(db, err, "forget");
	db_rollback(db);
	dir_strv_free(addrs, naddrs);
	free(e);
	memset(stats, 0, sizeof(*stats));
	return DIR_ERR_DB;
}
