/*
 * tz: a small TZif reader (RFC 8536). A zone is its table of transitions
 * (64-bit, version 2+ data) plus the footer's POSIX TZ rule. At load time
 * the footer's transitions are appended to the table up to TZ_EXT_YEAR, so
 * the common lookup is one binary search whether the file is "fat" (table
 * to 2037) or "slim" (table to the last rule change); past TZ_EXT_YEAR the
 * rule is evaluated on the fly.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tz.h"
#include "util.h"

#define TZ_EXT_YEAR	2100		/* footer precomputed up to here */
#define TZ_FILE_MAX	(1 << 20)
#define TZ_NAME_MAX	255
#define DAY		86400

struct tz_type {
	int32_t	utoff;
	int	isdst;
	size_t	abbr;			/* offset into abbrs */
};

/* A POSIX TZ rule date: Jn, n or Mm.w.d, at secs local time. */
struct tz_rule {
	char	kind;			/* 'J', 'N' or 'M' */
	int	day;			/* Jn, n; d of Mm.w.d (0 = Sunday) */
	int	week;
	int	month;
	int32_t	secs;
};

struct tz_footer {
	int		ok;		/* a non-empty footer was read */
	int		hasdst;
	int32_t		stdoff;		/* seconds east */
	int32_t		dstoff;
	int		stdtype;	/* index into types */
	int		dsttype;
	struct tz_rule	start;		/* DST starts (in standard time) */
	struct tz_rule	end;		/* DST ends (in DST) */
};

struct tz {
	char		*name;		/* canonical */
	char		*asked;		/* the name as first asked */
	int64_t		*trans;
	uint16_t	*idx;		/* type after each transition */
	size_t		 ntrans;
	struct tz_type	*types;
	size_t		 ntypes;
	char		*abbrs;
	size_t		 nabbrs;
	struct tz_footer ft;
	int64_t		 ext_end;	/* footer evaluated from here on */
	struct tz	*next;
};

struct tz_event {
	int64_t	t;
	int	type;
	int	order;			/* year * 2 + n: ties keep rule order */
};

static struct tz *cache;

static const struct {
	const char	*alias;
	const char	*canonical;
} aliases[] = {
	{ "Europe/Kiev", "Europe/Kyiv" },
	{ "Europe/Uzhgorod", "Europe/Kyiv" },
	{ "Europe/Zaporozhye", "Europe/Kyiv" },
};

/* Calendar arithmetic (H. Hinnant's days_from_civil and inverse). */

static int64_t
floordiv(int64_t a, int64_t b)
{
	int64_t q = a / b;

	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

int64_t
tz_days_from_date(struct tz_date dt)
{
	int64_t y = dt.year;
	int64_t m = dt.month, d = dt.day;
	int64_t era, yoe, doy, doe;

	/* Denormal months are folded into the year first. */
	y += floordiv(m - 1, 12);
	m = m - 1 - floordiv(m - 1, 12) * 12 + 1;
	y -= m <= 2;
	era = floordiv(y, 400);
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

struct tz_date
tz_date_from_days(int64_t z)
{
	struct tz_date dt;
	int64_t era, doe, yoe, y, doy, mp;

	z += 719468;
	era = floordiv(z, 146097);
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	dt.day = (int)(doy - (153 * mp + 2) / 5 + 1);
	dt.month = (int)(mp < 10 ? mp + 3 : mp - 9);
	dt.year = (int)(y + (dt.month <= 2));
	return dt;
}

int
tz_weekday(int64_t days)
{
	/* 1970-01-01 was a Thursday (3 when Monday is 0). */
	return (int)(days - floordiv(days + 3, 7) * 7 + 3);
}

static int
is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
month_days(int64_t y, int m)
{
	static const int n[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };

	return m == 2 && is_leap(y) ? 29 : n[m - 1];
}

int
tz_date_valid(struct tz_date dt)
{
	return dt.month >= 1 && dt.month <= 12 && dt.day >= 1 &&
	    dt.day <= month_days(dt.year, dt.month);
}

int
tz_date_parse(const char *s, struct tz_date *out)
{
	struct tz_date dt;
	int i;

	for (i = 0; i < 10; i++) {
		if (i == 4 || i == 7) {
			if (s[i] != '-')
				return -1;
		} else if (!isdigit((unsigned char)s[i]))
			return -1;
	}
	if (s[10] != '\0')
		return -1;
	dt.year = atoi(s);
	dt.month = (s[5] - '0') * 10 + (s[6] - '0');
	dt.day = (s[8] - '0') * 10 + (s[9] - '0');
	if (!tz_date_valid(dt))
		return -1;
	*out = dt;
	return 0;
}

/* The POSIX TZ footer. */

static const char *
parse_abbr(const char *p, const char **start, size_t *len)
{
	if (*p == '<') {
		*start = ++p;
		while (isalnum((unsigned char)*p) || *p == '+' || *p == '-')
			p++;
		if (*p != '>' || p - *start < 3)
			return NULL;
		*len = p - *start;
		return p + 1;
	}
	*start = p;
	while (isalpha((unsigned char)*p))
		p++;
	if (p - *start < 3)
		return NULL;
	*len = p - *start;
	return p;
}

/* [+-]hh[:mm[:ss]], hours up to maxh; returns seconds. */
static const char *
parse_hms(const char *p, int maxh, int32_t *out)
{
	int sign = 1, h = 0, m = 0, s = 0, n;

	if (*p == '+' || *p == '-')
		sign = *p++ == '-' ? -1 : 1;
	if (!isdigit((unsigned char)*p))
		return NULL;
	for (n = 0; isdigit((unsigned char)*p) && n < 3; n++)
		h = h * 10 + (*p++ - '0');
	if (h > maxh)
		return NULL;
	if (*p == ':') {
		p++;
		if (!isdigit((unsigned char)p[0]) ||
		    !isdigit((unsigned char)p[1]))
			return NULL;
		m = (p[0] - '0') * 10 + (p[1] - '0');
		p += 2;
		if (*p == ':') {
			p++;
			if (!isdigit((unsigned char)p[0]) ||
			    !isdigit((unsigned char)p[1]))
				return NULL;
			s = (p[0] - '0') * 10 + (p[1] - '0');
			p += 2;
		}
	}
	if (m > 59 || s > 59)
		return NULL;
	*out = sign * (h * 3600 + m * 60 + s);
	return p;
}

static const char *
parse_num(const char *p, int lo, int hi, int *out)
{
	int v = 0, n = 0;

	while (isdigit((unsigned char)*p) && n < 4) {
		v = v * 10 + (*p++ - '0');
		n++;
	}
	if (n == 0 || v < lo || v > hi)
		return NULL;
	*out = v;
	return p;
}

static const char *
parse_rule(const char *p, struct tz_rule *r)
{
	r->secs = 2 * 3600;
	r->week = r->month = 0;
	if (*p == 'J') {
		r->kind = 'J';
		p = parse_num(p + 1, 1, 365, &r->day);
	} else if (*p == 'M') {
		r->kind = 'M';
		if ((p = parse_num(p + 1, 1, 12, &r->month)) == NULL ||
		    *p++ != '.')
			return NULL;
		if ((p = parse_num(p, 1, 5, &r->week)) == NULL || *p++ != '.')
			return NULL;
		p = parse_num(p, 0, 6, &r->day);
	} else {
		r->kind = 'N';
		p = parse_num(p, 0, 365, &r->day);
	}
	if (p != NULL && *p == '/')
		p = parse_hms(p + 1, 167, &r->secs);	/* RFC 8536 3.3.1 */
	return p;
}

static size_t
add_abbr(struct tz *z, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < z->nabbrs; i += strlen(z->abbrs + i) + 1)
		if (strlen(z->abbrs + i) == len &&
		    memcmp(z->abbrs + i, s, len) == 0)
			return i;
	z->abbrs = xreallocarray(z->abbrs, z->nabbrs + len + 1, 1);
	memcpy(z->abbrs + z->nabbrs, s, len);
	z->abbrs[z->nabbrs + len] = '\0';
	i = z->nabbrs;
	z->nabbrs += len + 1;
	return i;
}

static int
add_type(struct tz *z, int32_t utoff, int isdst, const char *abbr,
    size_t len)
{
	size_t a = add_abbr(z, abbr, len), i;

	for (i = 0; i < z->ntypes; i++)
		if (z->types[i].utoff == utoff &&
		    z->types[i].isdst == isdst && z->types[i].abbr == a)
			return (int)i;
	if (z->ntypes >= UINT16_MAX)
		return -1;
	z->types = xreallocarray(z->types, z->ntypes + 1,
	    sizeof(*z->types));
	z->types[z->ntypes].utoff = utoff;
	z->types[z->ntypes].isdst = isdst;
	z->types[z->ntypes].abbr = a;
	return (int)z->ntypes++;
}

static int
parse_footer(struct tz *z, const char *s)
{
	struct tz_footer *f = &z->ft;
	const char *p = s, *sa, *da = NULL;
	size_t sl, dl = 0;
	int32_t off;

	if (*p == '\0')
		return 0;			/* empty: no rule */
	if ((p = parse_abbr(p, &sa, &sl)) == NULL ||
	    (p = parse_hms(p, 24, &off)) == NULL)
		return -1;
	f->stdoff = -off;
	if (*p != '\0') {
		if ((p = parse_abbr(p, &da, &dl)) == NULL)
			return -1;
		f->hasdst = 1;
		f->dstoff = f->stdoff + 3600;
		if (*p != ',' && *p != '\0') {
			if ((p = parse_hms(p, 24, &off)) == NULL)
				return -1;
			f->dstoff = -off;
		}
		if (*p == '\0') {
			/* POSIX leaves this to the implementation. */
			p = "M3.2.0,M11.1.0";
			p = parse_rule(p, &f->start);
			p = parse_rule(p + 1, &f->end);
		} else {
			if ((p = parse_rule(p + 1, &f->start)) == NULL ||
			    *p++ != ',' ||
			    (p = parse_rule(p, &f->end)) == NULL)
				return -1;
		}
		if (*p != '\0')
			return -1;
	}
	if ((f->stdtype = add_type(z, f->stdoff, 0, sa, sl)) < 0)
		return -1;
	if (f->hasdst && (f->dsttype = add_type(z, f->dstoff, 1, da, dl)) < 0)
		return -1;
	f->ok = 1;
	return 0;
}

/* The day (days since epoch) a rule names in year y. */
static int64_t
rule_day(const struct tz_rule *r, int64_t y)
{
	struct tz_date jan1 = { (int)y, 1, 1 };
	int64_t d0 = tz_days_from_date(jan1), d;
	struct tz_date first;
	int wd, n;

	switch (r->kind) {
	case 'J':
		return d0 + r->day - 1 + (is_leap(y) && r->day >= 60);
	case 'N':
		return d0 + r->day;
	default:
		first.year = (int)y;
		first.month = r->month;
		first.day = 1;
		d = tz_days_from_date(first);
		wd = (tz_weekday(d) + 1) % 7;	/* 0 = Sunday */
		d += (r->day - wd + 7) % 7 + (r->week - 1) * 7;
		n = month_days(y, r->month);
		while (d - tz_days_from_date(first) >= n)
			d -= 7;
		return d;
	}
}

/* The footer's two transitions of year y. */
static void
footer_year(const struct tz_footer *f, int64_t y, struct tz_event ev[2])
{
	ev[0].t = rule_day(&f->start, y) * DAY + f->start.secs - f->stdoff;
	ev[0].type = f->dsttype;
	ev[0].order = (int)(y * 2);
	ev[1].t = rule_day(&f->end, y) * DAY + f->end.secs - f->dstoff;
	ev[1].type = f->stdtype;
	ev[1].order = (int)(y * 2 + 1);
}

static int
event_cmp(const void *a, const void *b)
{
	const struct tz_event *x = a, *y = b;

	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

static int64_t
year_of(int64_t t)
{
	return tz_date_from_days(floordiv(t, DAY)).year;
}

/* Footer type at t. */
static int
footer_type(const struct tz *z, int64_t t)
{
	struct tz_event ev[6];
	int64_t y;
	int i, type;

	if (!z->ft.hasdst)
		return z->ft.stdtype;
	y = year_of(t);
	for (i = 0; i < 3; i++)
		footer_year(&z->ft, y - 1 + i, ev + 2 * i);
	qsort(ev, 6, sizeof(ev[0]), event_cmp);
	type = z->ft.stdtype;
	for (i = 0; i < 6 && ev[i].t <= t; i++)
		type = ev[i].type;
	return type;
}

/* The first footer transition after t, or INT64_MAX. */
static int64_t
footer_next(const struct tz *z, int64_t t)
{
	struct tz_event ev[6];
	int64_t y;
	int i;

	if (!z->ft.hasdst)
		return INT64_MAX;
	y = year_of(t);
	for (i = 0; i < 3; i++)
		footer_year(&z->ft, y + i, ev + 2 * i);
	qsort(ev, 6, sizeof(ev[0]), event_cmp);
	for (i = 0; i < 6; i++)
		if (ev[i].t > t)
			return ev[i].t;
	return INT64_MAX;
}

static int
in_footer(const struct tz *z, int64_t t)
{
	return z->ft.ok && (z->ntrans == 0 || t >= z->ext_end);
}

static int
type_at(const struct tz *z, int64_t t)
{
	size_t lo, hi, mid;

	if (in_footer(z, t))
		return footer_type(z, t);
	if (z->ntrans == 0 || t < z->trans[0])
		return 0;
	lo = 0;
	hi = z->ntrans;			/* trans[lo] <= t < trans[hi] */
	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if (z->trans[mid] <= t)
			lo = mid;
		else
			hi = mid;
	}
	return z->idx[lo];
}

/* The first transition after t, or INT64_MAX. */
static int64_t
next_transition(const struct tz *z, int64_t t)
{
	size_t lo, hi, mid;

	if (in_footer(z, t))
		return footer_next(z, t);
	lo = 0;
	hi = z->ntrans;			/* first trans > t */
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (z->trans[mid] <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < z->ntrans)
		return z->trans[lo];
	if (z->ft.ok)
		return footer_next(z, z->ext_end - 1);
	return INT64_MAX;
}

/* Appends the footer's transitions after the table up to TZ_EXT_YEAR. */
static void
extend_table(struct tz *z)
{
	struct tz_date jan1 = { TZ_EXT_YEAR, 1, 1 };
	int64_t limit = tz_days_from_date(jan1) * DAY, last, y;
	struct tz_event *ev;
	size_t n = 0, i;
	int cur;

	if (z->ntrans == 0)
		return;
	last = z->trans[z->ntrans - 1];
	z->ext_end = last >= limit ? last + 1 : limit;
	if (!z->ft.hasdst || last >= limit)
		return;
	/* Rules before 1900 are not real tzdata; bound the work. */
	if ((y = year_of(last)) < 1900)
		y = 1900;
	ev = xreallocarray(NULL, (TZ_EXT_YEAR - y + 1) * 2, sizeof(*ev));
	for (; y < TZ_EXT_YEAR; y++) {
		footer_year(&z->ft, y, ev + n);
		n += 2;
	}
	qsort(ev, n, sizeof(*ev), event_cmp);
	cur = z->idx[z->ntrans - 1];
	z->trans = xreallocarray(z->trans, z->ntrans + n, sizeof(*z->trans));
	z->idx = xreallocarray(z->idx, z->ntrans + n, sizeof(*z->idx));
	for (i = 0; i < n; i++) {
		if (ev[i].t <= last || ev[i].t >= limit ||
		    ev[i].type == cur)
			continue;
		z->trans[z->ntrans] = ev[i].t;
		z->idx[z->ntrans] = (uint16_t)ev[i].type;
		z->ntrans++;
		last = ev[i].t;
		cur = ev[i].type;
	}
	free(ev);
}

/* TZif parsing. */

static uint32_t
be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static int64_t
be64(const unsigned char *p)
{
	return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

struct tzif_counts {
	uint32_t	isut, isstd, leap, time, type, chr;
};

static int
read_header(const unsigned char *p, size_t len, struct tzif_counts *c,
    int *version)
{
	if (len < 44 || memcmp(p, "TZif", 4) != 0)
		return -1;
	*version = p[4] == 0 ? 1 : p[4] - '0';
	c->isut = be32(p + 20);
	c->isstd = be32(p + 24);
	c->leap = be32(p + 28);
	c->time = be32(p + 32);
	c->type = be32(p + 36);
	c->chr = be32(p + 40);
	if (c->type == 0 || c->type > 256 || c->chr == 0 ||
	    c->time > 100000 || c->chr > 100000 || c->leap > 100000 ||
	    (c->isut != 0 && c->isut != c->type) ||
	    (c->isstd != 0 && c->isstd != c->type))
		return -1;
	return 0;
}

static size_t
block_len(const struct tzif_counts *c, int tsize)
{
	return (size_t)c->time * tsize + c->time + (size_t)c->type * 6 +
	    c->chr + (size_t)c->leap * (tsize + 4) + c->isstd + c->isut;
}

static int
parse_tzif(struct tz *z, const unsigned char *buf, size_t len,
    const char **why)
{
	struct tzif_counts c;
	const unsigned char *p = buf, *tt, *ti, *ab;
	size_t n, i;
	int version, tsize = 4;
	char footer[256];
	const unsigned char *nl;

	*why = "not a TZif file";
	if (read_header(p, len, &c, &version) == -1)
		return -1;
	n = 44 + block_len(&c, 4);
	if (n > len)
		return -1;
	if (version >= 2) {
		p += n;
		len -= n;
		tsize = 8;
		if (read_header(p, len, &c, &version) == -1 ||
		    44 + block_len(&c, 8) > len)
			return -1;
	}
	if (c.leap != 0) {
		*why = "leap-second (right/) zones are not supported";
		return -1;
	}
	p += 44;
	z->ntrans = c.time;
	z->trans = xreallocarray(NULL, c.time, sizeof(*z->trans));
	z->idx = xreallocarray(NULL, c.time, sizeof(*z->idx));
	ti = p + (size_t)c.time * tsize;
	for (i = 0; i < c.time; i++) {
		z->trans[i] = tsize == 8 ? be64(p + i * 8) :
		    (int32_t)be32(p + i * 4);
		z->idx[i] = ti[i];
		*why = "bad transition";
		if (ti[i] >= c.type || (i > 0 && z->trans[i] <= z->trans[i - 1]))
			return -1;
	}
	tt = ti + c.time;
	ab = tt + (size_t)c.type * 6;
	*why = "bad time type";
	if (ab[c.chr - 1] != '\0')
		return -1;
	z->abbrs = xreallocarray(NULL, c.chr, 1);
	memcpy(z->abbrs, ab, c.chr);
	z->nabbrs = c.chr;
	z->types = xreallocarray(NULL, c.type, sizeof(*z->types));
	z->ntypes = c.type;
	for (i = 0; i < c.type; i++) {
		z->types[i].utoff = (int32_t)be32(tt + i * 6);
		z->types[i].isdst = tt[i * 6 + 4];
		z->types[i].abbr = tt[i * 6 + 5];
		if (z->types[i].utoff < -25 * 3600 ||
		    z->types[i].utoff > 26 * 3600 || z->types[i].isdst > 1 ||
		    z->types[i].abbr >= c.chr)
			return -1;
	}
	if (version >= 2) {
		p += block_len(&c, 8);
		len -= 44 + block_len(&c, 8);
		*why = "bad footer";
		if (len < 2 || p[0] != '\n')
			return -1;
		if ((nl = memchr(p + 1, '\n', len - 1)) == NULL ||
		    (size_t)(nl - p - 1) >= sizeof(footer))
			return -1;
		memcpy(footer, p + 1, nl - p - 1);
		footer[nl - p - 1] = '\0';
		if (parse_footer(z, footer) == -1)
			return -1;
	}
	extend_table(z);
	return 0;
}

static void
tz_free(struct tz *z)
{
	if (z == NULL)
		return;
	free(z->name);
	free(z->asked);
	free(z->trans);
	free(z->idx);
	free(z->types);
	free(z->abbrs);
	free(z);
}

static int
name_ok(const char *name)
{
	const char *p, *c;
	size_t n = strlen(name);

	if (n == 0 || n > TZ_NAME_MAX || name[0] == '/' || name[n - 1] == '/')
		return 0;
	for (p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && strchr("/_+-.", *p) == NULL)
			return 0;
	/* No "." or ".." component, no empty one. */
	for (c = name; c != NULL; c = (p = strchr(c, '/')) ? p + 1 : NULL) {
		if (*c == '/' || strncmp(c, "./", 2) == 0 || strcmp(c, ".") == 0 ||
		    strncmp(c, "../", 3) == 0 || strcmp(c, "..") == 0)
			return 0;
	}
	return 1;
}

static int
read_file(const char *path, unsigned char **out, size_t *len)
{
	FILE *fp;
	unsigned char *buf;
	size_t n;

	if ((fp = fopen(path, "rb")) == NULL)
		return -1;
	buf = xmalloc(TZ_FILE_MAX);
	n = fread(buf, 1, TZ_FILE_MAX, fp);
	if (ferror(fp) || n == TZ_FILE_MAX) {
		fclose(fp);
		free(buf);
		errno = EFBIG;
		return -1;
	}
	fclose(fp);
	*out = buf;
	*len = n;
	return 0;
}

static struct tz *
load(const char *name, const char *canonical, char **err)
{
	const char *dir = getenv("TZDIR"), *why;
	const char *try[2] = { canonical, name };
	unsigned char *buf = NULL;
	char *path = NULL;
	struct tz *z;
	size_t len = 0;
	int i, rc;

	if (dir == NULL || *dir == '\0')
		dir = "/usr/share/zoneinfo";
	for (i = 0; i < 2; i++) {
		free(path);
		path = xasprintf("%s/%s", dir, try[i]);
		if ((rc = read_file(path, &buf, &len)) == 0)
			break;
		if (errno != ENOENT || strcmp(name, canonical) == 0) {
			*err = xasprintf("time zone %s: %s: %s", name, path,
			    strerror(errno));
			free(path);
			return NULL;
		}
	}
	if (rc != 0) {
		*err = xasprintf("time zone %s: %s: %s", name, path,
		    strerror(errno));
		free(path);
		return NULL;
	}
	z = xcalloc(1, sizeof(*z));
	z->name = xstrdup(canonical);
	z->asked = xstrdup(name);
	if (parse_tzif(z, buf, len, &why) == -1) {
		*err = xasprintf("time zone %s: %s: %s", name, path, why);
		tz_free(z);
		z = NULL;
	}
	free(buf);
	free(path);
	return z;
}

const struct tz *
tz_get(const char *name, char **err)
{
	const char *canonical = name;
	struct tz *z;
	size_t i;

	*err = NULL;
	if (name == NULL || !name_ok(name)) {
		*err = xasprintf("time zone \"%s\": not a zone name",
		    name ? name : "");
		return NULL;
	}
	for (i = 0; i < nitems(aliases); i++)
		if (strcmp(name, aliases[i].alias) == 0)
			canonical = aliases[i].canonical;
	for (z = cache; z != NULL; z = z->next)
		if (strcmp(z->name, canonical) == 0 ||
		    strcmp(z->asked, name) == 0)
			return z;
	if ((z = load(name, canonical, err)) == NULL)
		return NULL;
	z->next = cache;
	cache = z;
	return z;
}

const char *
tz_name(const struct tz *z)
{
	return z->name;
}

void
tz_cache_clear(void)
{
	struct tz *z;

	while ((z = cache) != NULL) {
		cache = z->next;
		tz_free(z);
	}
}

int
tz_offset(const struct tz *z, time_t t)
{
	return z->types[type_at(z, t)].utoff;
}

void
tz_local(const struct tz *z, time_t t, struct tz_local *out)
{
	const struct tz_type *ty = &z->types[type_at(z, t)];
	int64_t l = (int64_t)t + ty->utoff, days, secs;
	struct tz_date dt, jan1;

	days = floordiv(l, DAY);
	secs = l - days * DAY;
	dt = tz_date_from_days(days);
	jan1.year = dt.year;
	jan1.month = jan1.day = 1;
	out->year = dt.year;
	out->month = dt.month;
	out->day = dt.day;
	out->hour = (int)(secs / 3600);
	out->min = (int)(secs / 60 % 60);
	out->sec = (int)(secs % 60);
	out->wday = tz_weekday(days);
	out->yday = (int)(days - tz_days_from_date(jan1));
	out->utoff = ty->utoff;
	out->isdst = ty->isdst;
	out->abbr = z->abbrs + ty->abbr;
	out->days = days;
}

time_t
tz_utc(const struct tz *z, struct tz_date dt, int hour, int min, int sec,
    int fold, enum tz_kind *kind)
{
	int64_t l, s, start, end, c, cand[8], gap_before = 0, gap_after = 0;
	int cur, nxt, off, noff, ncand = 0, gap = 0, k;
	enum tz_kind dummy;

	if (kind == NULL)
		kind = &dummy;
	l = tz_days_from_date(dt) * DAY + (int64_t)hour * 3600 + min * 60 +
	    sec;
	/*
	 * Walk the intervals of constant offset that can hold the answer
	 * (offsets stay within a day of UTC, so two days either side) and
	 * keep each reading l - offset that falls inside its own interval.
	 */
	s = l - 2 * DAY;
	cur = type_at(z, s);
	start = INT64_MIN;
	for (k = 0; k < 64; k++) {
		end = next_transition(z, s);
		off = z->types[cur].utoff;
		c = l - off;
		if (c >= start && c < end && ncand < (int)nitems(cand))
			cand[ncand++] = c;
		if (end == INT64_MAX || end > l + 2 * DAY)
			break;
		nxt = type_at(z, end);
		noff = z->types[nxt].utoff;
		if (end + off <= l && l < end + noff) {
			gap = 1;
			gap_before = l - off;
			gap_after = l - noff;
		}
		start = s = end;
		cur = nxt;
	}
	if (ncand == 1) {
		*kind = TZ_UNIQUE;
		return (time_t)cand[0];
	}
	if (ncand > 1) {
		int64_t lo = cand[0], hi = cand[0];

		for (k = 1; k < ncand; k++) {
			if (cand[k] < lo)
				lo = cand[k];
			if (cand[k] > hi)
				hi = cand[k];
		}
		*kind = TZ_OVERLAP;
		return (time_t)(fold ? hi : lo);
	}
	if (gap) {
		*kind = TZ_GAP;
		return (time_t)(fold ? gap_after : gap_before);
	}
	/* Not reached with a consistent table; answer something sane. */
	*kind = TZ_UNIQUE;
	return (time_t)(l - z->types[type_at(z, l)].utoff);
}
