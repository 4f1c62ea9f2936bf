/*
 * holidays: sets of public holidays read from data files with one
 * "YYYY-MM-DD name" per line ('#' comments), such as
 * contrib/holidays/us-federal.txt. It owns parsing and lookup by local
 * date. It never decides whose holidays apply (the caller attaches a set to
 * a person), never reads the config and never guesses a date.
 */
#ifndef MISTOK_HOLIDAYS_H
#define MISTOK_HOLIDAYS_H

#include <stddef.h>
#include <stdint.h>

#include "tz.h"
#include "util.h"

struct holidays;

/* An empty set; free with holidays_free(). */
struct holidays *holidays_new(void);
void holidays_free(struct holidays *);

/*
 * Adds every date of the file at path. All or nothing: on any problem
 * nothing of the file is added, one "file:line: message\n" per problem
 * (every one, not only the first) is appended to errors, and the number
 * of problems is returned; 0 on success. A date already in the set keeps
 * its first name.
 */
int holidays_load(struct holidays *, const char *path, struct buf *errors);

/* Adds one date; -1 when the date does not exist. name is copied. */
int holidays_add(struct holidays *, struct tz_date, const char *name);

/*
 * The holiday's name on a local date, or NULL. The pointer is owned by the
 * set and valid until holidays_free(). A NULL set has no holidays.
 */
const char *holidays_lookup(const struct holidays *, struct tz_date);
/* The same by days since 1970-01-01 (tz_days_from_date()). */
const char *holidays_lookup_days(const struct holidays *, int64_t days);
size_t holidays_count(const struct holidays *);

#endif
