/*
 * audit: reads the audit log — the events table that the directory,
 * steps, assignment and command mail write (at, actor, action, object,
 * detail). It only reads; each module writes its own rows. It never
 * prints.
 */
#ifndef MISTOK_AUDIT_H
#define MISTOK_AUDIT_H

#include <stdint.h>
#include <time.h>

struct db;

/* One row; pointers valid during the callback. */
struct audit_row {
	int64_t		 id;
	time_t		 at;
	const char	*actor;		/* NULL when none */
	const char	*action;
	const char	*object;	/* NULL when none */
	const char	*detail;	/* NULL when none */
};

/*
 * Calls cb for every event at or after since (0: all), oldest first;
 * cb returns non-zero to stop. Returns 0, or -1 with *err (caller frees).
 */
int audit_list(struct db *, time_t since,
    int (*cb)(void *arg, const struct audit_row *), void *arg, char **err);

#endif
