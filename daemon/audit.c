/*
 * audit: the events table, read back in order.
 */
#include <stdlib.h>

#include "audit.h"
#include "db.h"
#include "util.h"

int
audit_list(struct db *db, time_t since,
    int (*cb)(void *arg, const struct audit_row *), void *arg, char **err)
{
	sqlite3_stmt *st;
	struct audit_row r;
	int rc;

	*err = NULL;
	if ((st = db_stmt(db, "SELECT id, at, actor, action, object, detail "
	    "FROM events WHERE at >= ? ORDER BY at, id")) == NULL ||
	    db_bind(st, "I", (int64_t)since) == -1) {
		*err = xasprintf("events: %s", db_errmsg(db));
		return -1;
	}
	while ((rc = db_step(st)) == 1) {
		r.id = sqlite3_column_int64(st, 0);
		r.at = (time_t)sqlite3_column_int64(st, 1);
		r.actor = (const char *)sqlite3_column_text(st, 2);
		r.action = (const char *)sqlite3_column_text(st, 3);
		r.object = (const char *)sqlite3_column_text(st, 4);
		r.detail = (const char *)sqlite3_column_text(st, 5);
		if (r.action == NULL)
			r.action = "";
		if (cb(arg, &r) != 0) {
			sqlite3_reset(st);
			return 0;
		}
	}
	if (rc == -1) {
		*err = xasprintf("events: %s", db_errmsg(db));
		return -1;
	}
	return 0;
}
