/*
 * confval: the value parsers behind config.h's config_parse_*() and
 * config_canonical_zone(). Each parser reads the whole string or fails
 * with errno EINVAL (syntax) or ERANGE (overflow) and leaves its output
 * untouched; the config file's line handling stays in config.c.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "config.h"
#include "confval.h"
#include "util.h"

static const char *day_names[] = {
	"mon", "tue", "wed", "thu", "fri", "sat", "sun",
};

static int
fail(int e)
{
	errno = e;
	return -1;
}

/* See confval.h. */
int
confval_digits(const char **sp, unsigned long long *v, unsigned long long max)
{
	const char *s = *sp;

	if (!isdigit((unsigned char)*s))
		return EINVAL;
	for (*v = 0; isdigit((unsigned char)*s); s++) {
		if (*v > (max - (unsigned)(*s - '0')) / 10)
			return ERANGE;
		*v = *v * 10 + (unsigned)(*s - '0');
	}
	*sp = s;
	return 0;
}

int
config_parse_duration(const char *s, int *seconds)
{
	unsigned long long v, mult, total = 0;
	const char *start = s;
	int e;

	if (s == NULL || *s == '\0')
		return fail(EINVAL);
	/* "1h30m" is allowed; a plain number alone is seconds. */
	while (*s) {
		if ((e = confval_digits(&s, &v, INT_MAX)) != 0)
			return fail(e);
		switch (*s) {
		case 's': mult = 1; break;
		case 'm': mult = 60; break;
		case 'h': mult = 3600; break;
		case 'd': mult = 86400; break;
		case 'w': mult = 7 * 86400; break;
		case '\0':
			if (total != 0 || strpbrk(start, "smhdw") != NULL)
				return fail(EINVAL);	/* "1h30" */
			mult = 1;
			s--;
			break;
		default: return fail(EINVAL);
		}
		s++;
		if (v > (INT_MAX - total) / mult)
			return fail(ERANGE);
		total += v * mult;
	}
	*seconds = (int)total;
	return 0;
}

int
config_parse_size(const char *s, size_t *bytes)
{
	unsigned long long v, mult = 1;
	int e;

	if (s == NULL)
		return fail(EINVAL);
	if ((e = confval_digits(&s, &v, SIZE_MAX)) != 0)
		return fail(e);
	switch (*s) {
	case 'k': case 'K': mult = 1ULL << 10; s++; break;
	case 'm': case 'M': mult = 1ULL << 20; s++; break;
	case 'g': case 'G': mult = 1ULL << 30; s++; break;
	}
	if (*s == 'b' || *s == 'B')
		s++;
	if (*s != '\0')
		return fail(EINVAL);
	if (v > SIZE_MAX / mult)
		return fail(ERANGE);
	*bytes = (size_t)(v * mult);
	return 0;
}

int
config_parse_bool(const char *s, int *v)
{
	static const char *yes[] = { "yes", "true", "on", "1" };
	static const char *no[] = { "no", "false", "off", "0" };
	size_t i;

	for (i = 0; s != NULL && i < nitems(yes); i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*v = 1;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*v = 0;
			return 0;
		}
	}
	return fail(EINVAL);
}

static void
skip_ws(const char **sp)
{
	while (**sp == ' ' || **sp == '\t')
		(*sp)++;
}

/* "9:00" or "09:00" .. "24:00" into minutes. */
static int
parse_clock(const char **sp, int *min)
{
	unsigned long long h, m;
	const char *s = *sp, *m0;

	if (confval_digits(&s, &h, 99) != 0 || s - *sp > 2 || *s++ != ':')
		return -1;
	m0 = s;
	if (confval_digits(&s, &m, 99) != 0 || s - m0 != 2 || m > 59 || h > 24 ||
	    (h == 24 && m != 0))
		return -1;
	*min = (int)(h * 60 + m);
	*sp = s;
	return 0;
}

/* See confval.h; the start is before 24:00. */
int
confval_timerange(const char *s, const char *end, int *start, int *stop)
{
	int a, b;

	skip_ws(&s);
	if (parse_clock(&s, &a) == -1)
		return -1;
	skip_ws(&s);
	if (*s++ != '-')
		return -1;
	skip_ws(&s);
	if (parse_clock(&s, &b) == -1)
		return -1;
	skip_ws(&s);
	if (s != end || a >= b)
		return -1;
	*start = a;
	*stop = b;
	return 0;
}

static int
parse_day(const char **sp)
{
	size_t i;

	for (i = 0; i < nitems(day_names); i++)
		if (strncasecmp(*sp, day_names[i], 3) == 0 &&
		    !isalpha((unsigned char)(*sp)[3])) {
			*sp += 3;
			return (int)i;
		}
	return -1;
}

int
config_parse_hours(const char *s, struct hours *out)
{
	struct hours h;
	const char *end;
	int d1, d2, d;

	if (s == NULL)
		return fail(EINVAL);
	memset(&h, 0, sizeof(h));
	for (;;) {
		if ((end = strchr(s, ',')) == NULL)
			end = s + strlen(s);
		if (h.n == HOURS_MAX)
			return fail(ERANGE);
		skip_ws(&s);
		if ((d1 = d2 = parse_day(&s)) == -1)
			return fail(EINVAL);
		if (*s == '-') {
			s++;
			if ((d2 = parse_day(&s)) == -1)
				return fail(EINVAL);
		}
		if (*s != ' ' && *s != '\t')
			return fail(EINVAL);
		/* Sun-Thu wraps round the week. */
		for (d = d1;; d = (d + 1) % 7) {
			h.r[h.n].days |= (uint8_t)(1 << d);
			if (d == d2)
				break;
		}
		if (confval_timerange(s, end, &h.r[h.n].start,
		    &h.r[h.n].end) == -1)
			return fail(EINVAL);
		h.n++;
		if (*end == '\0')
			break;
		s = end + 1;
	}
	*out = h;
	return 0;
}

static int
zone_exists(const char *name)
{
	const char *dir = getenv("TZDIR");
	char *path, magic[4];
	const char *p;
	int fd, ok = 0;

	if (*name == '\0' || *name == '/' || strlen(name) > 200)
		return 0;
	for (p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && strchr("/_+-.", *p) == NULL)
			return 0;
	if (strstr(name, "..") != NULL)
		return 0;
	path = xasprintf("%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo",
	    name);
	/* zoneinfo also holds zone.tab, tzdata.zi…: only TZif files count. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) != -1) {
		ok = read(fd, magic, 4) == 4 && memcmp(magic, "TZif", 4) == 0;
		close(fd);
	}
	free(path);
	return ok;
}

const char *
config_canonical_zone(const char *name)
{
	if (name == NULL)
		return NULL;
	/* Renamed in tzdata 2022b; the old name stays an alias. */
	if (strcmp(name, "Europe/Kiev") == 0 && zone_exists("Europe/Kyiv"))
		return "Europe/Kyiv";
	return zone_exists(name) ? name : NULL;
}

