/*
 * holidays: a sorted array of (day, name); lookups are a binary search, as
 * the slot search asks once per attendee and day.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "holidays.h"

struct holiday {
	int64_t	 days;
	char	*name;
};

struct holidays {
	struct holiday	*h;
	size_t		 n;
	size_t		 cap;
};

struct holidays *
holidays_new(void)
{
	return xcalloc(1, sizeof(struct holidays));
}

void
holidays_free(struct holidays *hs)
{
	size_t i;

	if (hs == NULL)
		return;
	for (i = 0; i < hs->n; i++)
		free(hs->h[i].name);
	free(hs->h);
	free(hs);
}

/* The index of the first entry with days >= d. */
static size_t
lower(const struct holidays *hs, int64_t d)
{
	size_t lo = 0, hi = hs->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (hs->h[mid].days < d)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int
holidays_add(struct holidays *hs, struct tz_date dt, const char *name)
{
	int64_t d;
	size_t i;

	if (!tz_date_valid(dt))
		return -1;
	d = tz_days_from_date(dt);
	i = lower(hs, d);
	if (i < hs->n && hs->h[i].days == d)
		return 0;
	if (hs->n == hs->cap) {
		hs->cap = hs->cap ? hs->cap * 2 : 32;
		hs->h = xreallocarray(hs->h, hs->cap, sizeof(*hs->h));
	}
	memmove(hs->h + i + 1, hs->h + i, (hs->n - i) * sizeof(*hs->h));
	hs->h[i].days = d;
	hs->h[i].name = xstrdup(name);
	hs->n++;
	return 0;
}

int
holidays_load(struct holidays *hs, const char *path, struct buf *errors)
{
	struct holidays *tmp;
	struct tz_date dt;
	FILE *fp;
	char *line = NULL, *s, date[11];
	size_t cap = 0, i;
	ssize_t len;
	int lineno = 0, nerr = 0;

	if ((fp = fopen(path, "r")) == NULL) {
		buf_printf(errors, "%s: %s\n", path, strerror(errno));
		return 1;
	}
	tmp = holidays_new();
	while ((len = getline(&line, &cap, fp)) != -1) {
		lineno++;
		if (memchr(line, '\0', len) != NULL) {
			buf_printf(errors, "%s:%d: NUL byte\n", path, lineno);
			nerr++;
			continue;
		}
		s = str_trim(line);
		if (*s == '\0' || *s == '#')
			continue;
		if (strlen(s) < 10 || (s[10] != ' ' && s[10] != '\t' &&
		    s[10] != '\0')) {
			buf_printf(errors, "%s:%d: expected \"YYYY-MM-DD "
			    "name\"\n", path, lineno);
			nerr++;
			continue;
		}
		memcpy(date, s, 10);
		date[10] = '\0';
		if (tz_date_parse(date, &dt) == -1) {
			buf_printf(errors, "%s:%d: \"%s\" is not a date\n",
			    path, lineno, date);
			nerr++;
			continue;
		}
		s = str_trim(s + 10);
		if (*s == '\0') {
			buf_printf(errors, "%s:%d: %s: missing the holiday's "
			    "name\n", path, lineno, date);
			nerr++;
			continue;
		}
		holidays_add(tmp, dt, s);
	}
	if (ferror(fp)) {
		buf_printf(errors, "%s: %s\n", path, strerror(errno));
		nerr++;
	}
	fclose(fp);
	free(line);
	if (nerr == 0)
		for (i = 0; i < tmp->n; i++)
			holidays_add(hs, tz_date_from_days(tmp->h[i].days),
			    tmp->h[i].name);
	holidays_free(tmp);
	return nerr;
}

const char *
holidays_lookup_days(const struct holidays *hs, int64_t d)
{
	size_t i;

	if (hs == NULL)
		return NULL;
	i = lower(hs, d);
	return i < hs->n && hs->h[i].days == d ? hs->h[i].name : NULL;
}

const char *
holidays_lookup(const struct holidays *hs, struct tz_date dt)
{
	if (!tz_date_valid(dt))
		return NULL;
	return holidays_lookup_days(hs, tz_days_from_date(dt));
}

size_t
holidays_count(const struct holidays *hs)
{
	return hs == NULL ? 0 : hs->n;
}
