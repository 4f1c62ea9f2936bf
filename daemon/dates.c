/*
 * dates: the date, window and duration phrases of mail commands and the
 * CLI. Every phrase is first folded (lower case, one kind of apostrophe,
 * single spaces), then cut into at most a few words and matched against
 * small tables; nothing here loops over more than the phrase's length.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dates.h"
#include "tz.h"
#include "util.h"

#define MAXWORDS	8
#define MAXWORDLEN	48
#define MAX_AHEAD	3660	/* days: "in N days" up to ten years */
#define MAX_WINDOW	366	/* days in a window */

/* Decodes one UTF-8 sequence; invalid bytes decode as U+FFFD, length 1. */
static size_t
u8_dec(const unsigned char *s, size_t len, uint32_t *cp)
{
	uint32_t c;
	size_t n, i;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, c = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, c = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, c = s[0] & 0x07;
	else
		goto bad;
	if (n > len)
		goto bad;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			goto bad;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && (c < 0x800 || (c >= 0xd800 && c <= 0xdfff))) ||
	    (n == 4 && (c < 0x10000 || c > 0x10ffff)))
		goto bad;
	*cp = c;
	return n;
bad:
	*cp = 0xfffd;
	return 1;
}

static void
u8_enc(struct buf *b, uint32_t c)
{
	if (c < 0x80)
		buf_addc(b, (int)c);
	else if (c < 0x800) {
		buf_addc(b, (int)(0xc0 | (c >> 6)));
		buf_addc(b, (int)(0x80 | (c & 0x3f)));
	} else if (c < 0x10000) {
		buf_addc(b, (int)(0xe0 | (c >> 12)));
		buf_addc(b, (int)(0x80 | ((c >> 6) & 0x3f)));
		buf_addc(b, (int)(0x80 | (c & 0x3f)));
	} else {
		buf_addc(b, (int)(0xf0 | (c >> 18)));
		buf_addc(b, (int)(0x80 | ((c >> 12) & 0x3f)));
		buf_addc(b, (int)(0x80 | ((c >> 6) & 0x3f)));
		buf_addc(b, (int)(0x80 | (c & 0x3f)));
	}
}

static int
is_space_cp(uint32_t c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c < 0x20 ||
	    c == 0x7f || c == 0xa0 || (c >= 0x2000 && c <= 0x200a) ||
	    c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f ||
	    c == 0x3000;
}

void
dates_fold(const char *s, size_t len, struct buf *out)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n, start = out->len;
	int space = 1;	/* trims the front */
	uint32_t c;

	buf_add(out, "", 0);
	while (i < len) {
		n = u8_dec(p + i, len - i, &c);
		if (c == 0xfffd && n == 1 && p[i] >= 0x80) {
			/* Not UTF-8: keep the byte, it matches nothing. */
			buf_addc(out, p[i]);
			space = 0;
			i++;
			continue;
		}
		i += n;
		if (c == 0x200b || c == 0x200c || c == 0x200d || c == 0xfeff ||
		    c == 0x2060 || c == 0xad)
			continue;
		if (is_space_cp(c)) {
			if (!space)
				buf_addc(out, ' ');
			space = 1;
			continue;
		}
		space = 0;
		if (c >= 'A' && c <= 'Z')
			c += 32;
		else if (c >= 0x410 && c <= 0x42f)
			c += 0x20;
		else if (c >= 0x400 && c <= 0x40f)
			c += 0x50;
		else if (c == 0x490)
			c = 0x491;
		else if (c == 0x2019 || c == 0x2bc || c == 0x2018 ||
		    c == '`' || c == 0x2b9 || c == 0x2032)
			c = '\'';
		u8_enc(out, c);
	}
	if (out->len > start && out->data[out->len - 1] == ' ')
		out->data[--out->len] = '\0';
}

/* The folded phrase cut at spaces (and commas) into words. */
struct words {
	struct buf	 b;
	char		*w[MAXWORDS];
	int		 n;
	int		 overflow;
};

static void
words_split(struct words *ws, const char *s)
{
	char *p;

	memset(ws, 0, sizeof(*ws));
	buf_init(&ws->b);
	dates_fold(s, strlen(s), &ws->b);
	for (p = ws->b.data; *p; p++)
		if (*p == ',')
			*p = ' ';
	p = ws->b.data;
	for (;;) {
		while (*p == ' ')
			p++;
		if (*p == '\0')
			break;
		if (ws->n == MAXWORDS) {
			ws->overflow = 1;
			break;
		}
		ws->w[ws->n++] = p;
		while (*p != ' ' && *p != '\0')
			p++;
		if (*p == ' ')
			*p++ = '\0';
	}
}

static int
in_set(const char *w, const char *const *set)
{
	for (; *set != NULL; set++)
		if (strcmp(w, *set) == 0)
			return 1;
	return 0;
}

/* Reads 1..maxdig digits making the whole word; -1 otherwise. */
static int
num_word(const char *s, int maxdig)
{
	int v = 0, n = 0;

	for (; *s >= '0' && *s <= '9'; s++, n++) {
		if (n == maxdig)
			return -1;
		v = v * 10 + (*s - '0');
	}
	return n > 0 && *s == '\0' ? v : -1;
}

/* Digits at *sp (at most maxdig); advances. -1 when none or too many. */
static int
num_prefix(const char **sp, int maxdig)
{
	const char *s = *sp;
	int v = 0, n = 0;

	for (; *s >= '0' && *s <= '9'; s++, n++) {
		if (n == maxdig)
			return -1;
		v = v * 10 + (*s - '0');
	}
	if (n == 0)
		return -1;
	*sp = s;
	return v;
}

/* Month tables: index 0 = January. */
static const char *const month_en[] = {
	"january", "february", "march", "april", "may", "june", "july",
	"august", "september", "october", "november", "december",
};
static const char *const month_uk_gen[] = {
	"січня", "лютого", "березня", "квітня", "травня", "червня", "липня",
	"серпня", "вересня", "жовтня", "листопада", "грудня",
};
static const char *const month_uk_nom[] = {
	"січень", "лютий", "березень", "квітень", "травень", "червень",
	"липень", "серпень", "вересень", "жовтень", "листопад", "грудень",
};
static const char *const month_uk_abbr[] = {
	"січ", "лют", "бер", "кві", "тра", "чер", "лип", "сер", "вер", "жов",
	"лис", "гру",
};
static const char *const month_en_short[] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
	"Nov", "Dec",
};

/* 1-12 for a month name, else 0. A trailing '.' is allowed. */
static int
month_lookup(const char *w)
{
	char tmp[MAXWORDLEN];
	size_t len = strlen(w);
	int i;

	if (len == 0 || len >= sizeof(tmp))
		return 0;
	memcpy(tmp, w, len + 1);
	if (tmp[len - 1] == '.')
		tmp[--len] = '\0';
	for (i = 0; i < 12; i++) {
		if (strcmp(tmp, month_en[i]) == 0 ||
		    strcmp(tmp, month_uk_gen[i]) == 0 ||
		    strcmp(tmp, month_uk_nom[i]) == 0 ||
		    strcmp(tmp, month_uk_abbr[i]) == 0 ||
		    (len == 3 && strncmp(tmp, month_en[i], 3) == 0))
			return i + 1;
	}
	if (strcmp(tmp, "sept") == 0)
		return 9;
	return 0;
}

/* Weekday tables: index 0 = Monday, as tz_weekday(). */
static const char *const wday_names[7][12] = {
	{ "mon", "monday", "пн", "понеділок", "понеділка", "пон", NULL },
	{ "tue", "tues", "tuesday", "вт", "вівторок", "вівторка", "вів", NULL },
	{ "wed", "wednesday", "ср", "середа", "середу", "середи", NULL },
	{ "thu", "thur", "thurs", "thursday", "чт", "четвер", "четверга", "чет", NULL },
	{ "fri", "friday", "пт", "п'ятниця", "п'ятницю", "пятниця",
	  "пятницю", "п'ятниці", "пятниці", "п'ят", NULL },
	{ "sat", "saturday", "сб", "субота", "суботу", "суботи", "суб", NULL },
	{ "sun", "sunday", "нд", "неділя", "неділю", "неділі", "нед", NULL },
};
static const char *const wday_en[] = {
	"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun",
};
static const char *const wday_uk[] = {
	"пн", "вт", "ср", "чт", "пт", "сб", "нд",
};

/* 0-6 for a weekday name (trailing '.' allowed), else -1. */
static int
wday_lookup(const char *w)
{
	char tmp[MAXWORDLEN];
	size_t len = strlen(w);
	int i;

	if (len == 0 || len >= sizeof(tmp))
		return -1;
	memcpy(tmp, w, len + 1);
	if (tmp[len - 1] == '.')
		tmp[--len] = '\0';
	for (i = 0; i < 7; i++)
		if (in_set(tmp, wday_names[i]))
			return i;
	return -1;
}

static const char *const unit_days[] = {
	"d", "day", "days", "дн", "дн.", "день", "дні", "днів", "дня", "д",
	NULL,
};
static const char *const unit_weeks[] = {
	"w", "wk", "wks", "week", "weeks", "тиж", "тиж.", "тиждень", "тижні",
	"тижнів", "тижня", NULL,
};

/*
 * "in 3d", "+2w", "3 days", "через тиждень", "in a week". 1 and *days when
 * the words are a relative date, 0 when they are not one, -1 and *e when
 * they are one but out of range.
 */
static int
relative_days(char **w, int n, int *days, enum dates_error *e)
{
	const char *unit, *p;
	int i = 0, v = -1, mul;
	int prefixed = 0;

	if (n == 0)
		return 0;
	if (strcmp(w[0], "in") == 0 || strcmp(w[0], "через") == 0 ||
	    strcmp(w[0], "within") == 0 || strcmp(w[0], "протягом") == 0) {
		prefixed = 1;
		i = 1;
	}
	if (i >= n)
		return 0;
	p = w[i];
	if (*p == '+') {
		prefixed = 1;
		if (*++p == '\0') {
			if (++i >= n)
				return 0;
			p = w[i];
		}
	}
	if (*p >= '0' && *p <= '9') {
		const char *q = p;

		while (*q >= '0' && *q <= '9')
			q++;
		if (q - p > 5) {
			*e = DATES_TOO_FAR;
			return -1;
		}
		v = atoi(p);
		if (*q != '\0') {
			unit = q;
			i++;
		} else {
			if (++i >= n)
				return 0;
			unit = w[i++];
		}
	} else if (prefixed && (strcmp(p, "a") == 0 ||
	    strcmp(p, "one") == 0 || strcmp(p, "один") == 0 ||
	    strcmp(p, "одну") == 0)) {
		v = 1;
		if (++i >= n)
			return 0;
		unit = w[i++];
	} else if (prefixed && i == 1) {
		/* "через тиждень", "in week" */
		v = 1;
		unit = p;
		i++;
	} else
		return 0;
	if (i != n)
		return 0;
	if (in_set(unit, unit_days))
		mul = 1;
	else if (in_set(unit, unit_weeks))
		mul = 7;
	else
		return 0;
	if ((long)v * mul > MAX_AHEAD) {
		*e = DATES_TOO_FAR;
		return -1;
	}
	*days = v * mul;
	return 1;
}

struct tz_date
dates_today(const struct tz *zone, time_t now)
{
	struct tz_local l;
	struct tz_date d;

	tz_local(zone, now, &l);
	d.year = l.year;
	d.month = l.month;
	d.day = l.day;
	return d;
}

static enum dates_error
check_ymd(int y, int m, int d, struct tz_date *out)
{
	struct tz_date t = { y, m, d };

	if (y < 2000 || y > 2199)
		return DATES_BAD_YEAR;
	if (m < 1 || m > 12)
		return DATES_BAD_MONTH;
	if (!tz_date_valid(t))
		return DATES_BAD_DAY;
	*out = t;
	return DATES_OK;
}

/*
 * Day d of month m in the year that bias picks relative to ref (days since
 * the epoch): NEXT the first on or after ref, LAST the last on or before.
 */
static enum dates_error
yearless(int m, int d, int64_t ref, enum dates_bias bias, struct tz_date *out)
{
	struct tz_date r = tz_date_from_days(ref), t;
	int k, y;

	if (m < 1 || m > 12)
		return DATES_BAD_MONTH;
	if (d < 1 || d > 31)
		return DATES_BAD_DAY;
	for (k = 0; k < 2; k++) {
		y = bias == DATES_NEXT ? r.year + k : r.year - k;
		t.year = y;
		t.month = m;
		t.day = d;
		if (!tz_date_valid(t))
			continue;
		if (bias == DATES_NEXT ? tz_days_from_date(t) >= ref :
		    tz_days_from_date(t) <= ref) {
			if (y < 2000 || y > 2199)
				return DATES_BAD_YEAR;
			*out = t;
			return DATES_OK;
		}
	}
	return DATES_BAD_DAY;
}

static int
year_word(const char *w)
{
	int y;

	if ((y = num_word(w, 4)) < 0)
		return -1;
	return strlen(w) == 2 ? 2000 + y : strlen(w) == 4 ? y : -2;
}

/* "5", "5th", "5-го": the day number, else -1. */
static int
day_word(const char *w)
{
	const char *p = w;
	int d;

	if ((d = num_prefix(&p, 2)) < 0)
		return -1;
	if (*p == '\0' || strcmp(p, "st") == 0 || strcmp(p, "nd") == 0 ||
	    strcmp(p, "rd") == 0 || strcmp(p, "th") == 0 ||
	    strcmp(p, "-го") == 0 || strcmp(p, ".") == 0)
		return d;
	return -1;
}

/*
 * The date forms over words w[0..n). today and ref are days since the
 * epoch: ref anchors year-less dates and weekdays (today, or the start of
 * a window), today the words "today", "tomorrow" and relative dates.
 */
static enum dates_error
parse_words(char **w, int n, int64_t today, int64_t ref,
    enum dates_bias bias, struct tz_date *out)
{
	enum dates_error e = DATES_SYNTAX;
	const char *p;
	int y, m, d, wd, k, rel;

	if (n == 0)
		return DATES_EMPTY;
	if (n == 1 && (strcmp(w[0], "today") == 0 ||
	    strcmp(w[0], "сьогодні") == 0)) {
		*out = tz_date_from_days(today);
		return DATES_OK;
	}
	if (n == 1 && (strcmp(w[0], "tomorrow") == 0 ||
	    strcmp(w[0], "завтра") == 0)) {
		*out = tz_date_from_days(today + 1);
		return DATES_OK;
	}
	if ((n == 1 && strcmp(w[0], "післязавтра") == 0) || (n == 4 &&
	    strcmp(w[0], "day") == 0 && strcmp(w[1], "after") == 0 &&
	    strcmp(w[2], "tomorrow") == 0)) {
		*out = tz_date_from_days(today + 2);
		return DATES_OK;
	}
	if ((rel = relative_days(w, n, &d, &e)) != 0) {
		if (rel < 0)
			return e;
		*out = tz_date_from_days(today + d);
		return DATES_OK;
	}
	e = DATES_SYNTAX;

	/* Weekdays, with an optional "on", "в", "у". */
	k = 0;
	if (n == 2 && (strcmp(w[0], "on") == 0 || strcmp(w[0], "в") == 0 ||
	    strcmp(w[0], "у") == 0 || strcmp(w[0], "во") == 0))
		k = 1;
	if (n == k + 1 && (wd = wday_lookup(w[k])) >= 0) {
		int64_t dd = ref;

		do
			dd += bias == DATES_NEXT ? 1 : -1;
		while (tz_weekday(dd) != wd);
		*out = tz_date_from_days(dd);
		return DATES_OK;
	}

	/* One numeric word: 2026-12-05, 05.12, 05.12.2026. */
	if (n == 1 && w[0][0] >= '0' && w[0][0] <= '9') {
		p = w[0];
		if (strchr(p, '/') != NULL)
			return DATES_AMBIGUOUS;
		if ((y = num_prefix(&p, 4)) >= 0 && p - w[0] == 4 &&
		    *p == '-') {
			p++;
			if ((m = num_prefix(&p, 2)) < 0 || *p++ != '-' ||
			    (d = num_prefix(&p, 2)) < 0 || *p != '\0')
				return DATES_SYNTAX;
			return check_ymd(y, m, d, out);
		}
		p = w[0];
		if ((d = num_prefix(&p, 2)) < 0 || *p++ != '.' ||
		    (m = num_prefix(&p, 2)) < 0)
			return DATES_SYNTAX;
		if (*p == '\0' || (p[0] == '.' && p[1] == '\0'))
			return yearless(m, d, ref, bias, out);
		if (*p++ != '.' || (y = year_word(p)) < 0)
			return DATES_SYNTAX;
		return check_ymd(y, m, d, out);
	}

	/* 5 Dec [2026], 5 грудня [2026] */
	if ((n == 2 || n == 3) && (d = day_word(w[0])) >= 0) {
		if ((m = month_lookup(w[1])) == 0)
			return DATES_SYNTAX;
		if (n == 2)
			return yearless(m, d, ref, bias, out);
		if ((y = year_word(w[2])) < 0)
			return strcmp(w[2], "р.") == 0 || strcmp(w[2], "року")
			    == 0 ? yearless(m, d, ref, bias, out) :
			    DATES_SYNTAX;
		return check_ymd(y, m, d, out);
	}
	/* Dec 5 [2026] */
	if ((n == 2 || n == 3) && (m = month_lookup(w[0])) != 0) {
		if ((d = day_word(w[1])) < 0)
			return DATES_SYNTAX;
		if (n == 2)
			return yearless(m, d, ref, bias, out);
		if ((y = year_word(w[2])) < 0)
			return DATES_SYNTAX;
		return check_ymd(y, m, d, out);
	}
	/* "5 грудня 2026 р." */
	if (n == 4 && (d = day_word(w[0])) >= 0 &&
	    (m = month_lookup(w[1])) != 0 && (y = year_word(w[2])) > 0 &&
	    (strcmp(w[3], "р.") == 0 || strcmp(w[3], "року") == 0))
		return check_ymd(y, m, d, out);
	return e;
}

static int64_t
today_days(const struct tz *zone, time_t now)
{
	return tz_days_from_date(dates_today(zone, now));
}

enum dates_error
dates_parse_date(const char *s, const struct tz *zone, time_t now,
    enum dates_bias bias, struct tz_date *out)
{
	struct words ws;
	enum dates_error e;
	int64_t td;

	if (s == NULL)
		return DATES_EMPTY;
	words_split(&ws, s);
	td = today_days(zone, now);
	e = ws.overflow ? DATES_SYNTAX :
	    parse_words(ws.w, ws.n, td, td, bias, out);
	buf_free(&ws.b);
	return e;
}

static int
phrase_is(char **w, int n, const char *const *set)
{
	char tmp[128];
	size_t len = 0, l;
	int i;

	tmp[0] = '\0';
	for (i = 0; i < n; i++) {
		l = strlen(w[i]);
		if (len + l + 2 > sizeof(tmp))
			return 0;
		if (i > 0)
			tmp[len++] = ' ';
		memcpy(tmp + len, w[i], l + 1);
		len += l;
	}
	return in_set(tmp, set);
}

static const char *const ph_next_week[] = {
	"next week", "наступного тижня", "наступний тиждень",
	"на наступному тижні", "наступному тижні", NULL,
};
static const char *const ph_this_week[] = {
	"this week", "цього тижня", "цей тиждень", "на цьому тижні", NULL,
};
static const char *const ph_last_week[] = {
	"last week", "минулого тижня", "минулий тиждень",
	"на минулому тижні", NULL,
};
static const char *const ph_next_month[] = {
	"next month", "наступного місяця", "наступний місяць", NULL,
};
static const char *const ph_this_month[] = {
	"this month", "цього місяця", "цей місяць", NULL,
};
static const char *const ph_last_month[] = {
	"last month", "минулого місяця", "минулий місяць", NULL,
};

static void
month_window(struct tz_date t, int delta, struct dates_window *out)
{
	struct tz_date a, b;

	a.year = t.year;
	a.month = t.month + delta;
	if (a.month < 1) {
		a.month += 12;
		a.year--;
	} else if (a.month > 12) {
		a.month -= 12;
		a.year++;
	}
	a.day = 1;
	b = a;
	if (++b.month > 12) {
		b.month = 1;
		b.year++;
	}
	out->from = a;
	out->to = tz_date_from_days(tz_days_from_date(b) - 1);
}

/* The split point of "A..B" or "A…B" in a folded phrase, or NULL. */
static char *
range_sep(char *s, size_t *seplen)
{
	char *p;

	if ((p = strstr(s, "..")) != NULL) {
		*seplen = 2;
		while (p[*seplen] == '.')
			(*seplen)++;
		return p;
	}
	if ((p = strstr(s, "\xe2\x80\xa6")) != NULL) {
		*seplen = 3;
		return p;
	}
	return NULL;
}

static void
split_words(char *s, char **w, int *n, int *overflow)
{
	*n = 0;
	*overflow = 0;
	for (;;) {
		while (*s == ' ' || *s == ',')
			s++;
		if (*s == '\0')
			return;
		if (*n == MAXWORDS) {
			*overflow = 1;
			return;
		}
		w[(*n)++] = s;
		while (*s != ' ' && *s != ',' && *s != '\0')
			s++;
		if (*s != '\0')
			*s++ = '\0';
	}
}

enum dates_error
dates_parse_window(const char *s, const struct tz *zone, time_t now,
    enum dates_bias bias, struct dates_window *out)
{
	struct dates_window win;
	struct buf b;
	enum dates_error e = DATES_OK;
	struct tz_date t;
	char *w[MAXWORDS], *w2[MAXWORDS], *sep;
	size_t seplen;
	int64_t td, a, z;
	int n, n2, ov, ov2, days, rel;

	if (s == NULL)
		return DATES_EMPTY;
	buf_init(&b);
	dates_fold(s, strlen(s), &b);
	td = today_days(zone, now);
	t = tz_date_from_days(td);
	if ((sep = range_sep(b.data, &seplen)) != NULL) {
		*sep = '\0';
		split_words(b.data, w, &n, &ov);
		split_words(sep + seplen, w2, &n2, &ov2);
		if (n == 0 || n2 == 0 || ov || ov2) {
			e = n == 0 && n2 == 0 ? DATES_EMPTY : DATES_SYNTAX;
			goto done;
		}
		if ((e = parse_words(w, n, td, td, bias, &win.from)) !=
		    DATES_OK)
			goto done;
		a = tz_days_from_date(win.from);
		if ((e = parse_words(w2, n2, td, a, DATES_NEXT, &win.to)) !=
		    DATES_OK)
			goto done;
		goto check;
	}
	split_words(b.data, w, &n, &ov);
	if (ov) {
		e = DATES_SYNTAX;
		goto done;
	}
	if (n == 0) {
		e = DATES_EMPTY;
		goto done;
	}
	if (phrase_is(w, n, ph_next_week) || phrase_is(w, n, ph_this_week) ||
	    phrase_is(w, n, ph_last_week)) {
		a = td - tz_weekday(td);	/* this Monday */
		if (phrase_is(w, n, ph_next_week))
			a += 7;
		else if (phrase_is(w, n, ph_last_week))
			a -= 7;
		win.from = tz_date_from_days(phrase_is(w, n, ph_this_week) ?
		    td : a);
		win.to = tz_date_from_days(a + 6);
		goto check;
	}
	if (phrase_is(w, n, ph_next_month)) {
		month_window(t, 1, &win);
		goto check;
	}
	if (phrase_is(w, n, ph_this_month)) {
		month_window(t, 0, &win);
		goto check;
	}
	if (phrase_is(w, n, ph_last_month)) {
		month_window(t, -1, &win);
		goto check;
	}
	if ((rel = relative_days(w, n, &days, &e)) != 0) {
		if (rel < 0)
			goto done;
		if (days == 0) {
			e = DATES_SYNTAX;
			goto done;
		}
		win.from = tz_date_from_days(td + 1);
		win.to = tz_date_from_days(td + days);
		goto check;
	}
	e = DATES_OK;
	if ((e = parse_words(w, n, td, td, bias, &win.from)) != DATES_OK)
		goto done;
	win.to = win.from;
check:
	a = tz_days_from_date(win.from);
	z = tz_days_from_date(win.to);
	if (z < a)
		e = DATES_ORDER;
	else if (z - a + 1 > MAX_WINDOW)
		e = DATES_TOO_LONG;
	else
		*out = win;
done:
	buf_free(&b);
	return e;
}

static const char *const unit_min[] = {
	"m", "min", "min.", "mins", "minute", "minutes", "хв", "хв.",
	"хвилина", "хвилини", "хвилин", "хвилину", "хвил", NULL,
};
static const char *const unit_hour[] = {
	"h", "hr", "hrs", "hour", "hours", "год", "год.", "година", "години",
	"годин", "годину", "г", NULL,
};

/*
 * A number with an optional fraction, in thousandths; advances. -1 when
 * there is none.
 */
static long
milli_prefix(const char **sp)
{
	const char *s = *sp;
	long v = 0, frac = 0, scale = 1000;
	int n = 0;

	while (*s >= '0' && *s <= '9') {
		if (++n > 5)
			return -2;
		v = v * 10 + (*s++ - '0');
	}
	if (n == 0)
		return -1;
	if ((*s == '.' || *s == ',') && s[1] >= '0' && s[1] <= '9') {
		s++;
		n = 0;
		while (*s >= '0' && *s <= '9') {
			if (++n > 3)
				return -2;
			scale /= 10;
			frac += (*s++ - '0') * scale;
		}
	}
	*sp = s;
	return v * 1000 + frac;
}

/* The unit word at *sp (letters, '.' and Cyrillic); advances. */
static int
unit_prefix(const char **sp, char *unit, size_t size)
{
	const char *s = *sp;
	size_t n = 0;

	while (*s == ' ')
		s++;
	while (*s != '\0' && *s != ' ' && !(*s >= '0' && *s <= '9')) {
		if (n + 1 >= size)
			return -1;
		unit[n++] = *s++;
	}
	unit[n] = '\0';
	while (*s == ' ')
		s++;
	*sp = s;
	return (int)n;
}

enum dates_error
dates_parse_duration(const char *str, int *minutes)
{
	struct buf b;
	enum dates_error e = DATES_DUR_SYNTAX;
	const char *s;
	char unit[32];
	long v, total = 0;
	int part, hours_seen = 0, mins_seen = 0;

	if (str == NULL)
		return DATES_EMPTY;
	buf_init(&b);
	dates_fold(str, strlen(str), &b);
	s = b.data;
	if (*s == '\0') {
		e = DATES_EMPTY;
		goto done;
	}
	for (part = 0; *s != '\0'; part++) {
		if (part == 2)
			goto done;
		if ((v = milli_prefix(&s)) < 0) {
			if (v == -2)
				e = DATES_DUR_RANGE;
			goto done;
		}
		if (unit_prefix(&s, unit, sizeof(unit)) < 0)
			goto done;
		if (unit[0] == '\0') {
			/* "1h30": minutes after hours. */
			if (part == 1 && hours_seen && *s == '\0') {
				memcpy(unit, "m", 2);
			} else {
				if (part == 0 && *s == '\0')
					e = DATES_DUR_UNIT;
				goto done;
			}
		}
		if (in_set(unit, unit_hour)) {
			if (hours_seen || mins_seen)
				goto done;
			hours_seen = 1;
			total += v * 60;
		} else if (in_set(unit, unit_min)) {
			if (mins_seen)
				goto done;
			mins_seen = 1;
			total += v;
		} else
			goto done;
	}
	if (total % 1000 != 0 || total < 1000 || total > 1440 * 1000) {
		e = DATES_DUR_RANGE;
		goto done;
	}
	*minutes = (int)(total / 1000);
	e = DATES_OK;
done:
	buf_free(&b);
	return e;
}

static const struct {
	const char	*en;
	const char	*uk;
} errtext[] = {
	[DATES_OK] = { "ok", "гаразд" },
	[DATES_EMPTY] = { "no date given", "дату не вказано" },
	[DATES_SYNTAX] = {
		"not a date (write 2026-12-05, 05.12, 5 Dec, fri, tomorrow "
		"or in 3d)",
		"це не дата (пишіть 2026-12-05, 05.12, 5 грудня, пт, завтра "
		"або через 3 дні)" },
	[DATES_AMBIGUOUS] = {
		"ambiguous date: write 2026-12-05 or day first with dots, "
		"05.12",
		"неоднозначна дата: пишіть 2026-12-05 або день спочатку через "
		"крапку, 05.12" },
	[DATES_BAD_MONTH] = { "no such month (1-12)",
		"такого місяця немає (1-12)" },
	[DATES_BAD_DAY] = { "no such day in that month",
		"такого дня в цьому місяці немає" },
	[DATES_BAD_YEAR] = { "year out of range (2000-2199)",
		"рік поза межами (2000-2199)" },
	[DATES_TOO_FAR] = { "too far ahead (at most ten years)",
		"надто далеко (щонайбільше десять років)" },
	[DATES_ORDER] = { "the window ends before it starts",
		"вікно закінчується раніше, ніж починається" },
	[DATES_TOO_LONG] = { "the window is longer than 366 days",
		"вікно довше за 366 днів" },
	[DATES_DUR_SYNTAX] = {
		"not a duration (write 45m, 1h, 90 min or 1 год 30 хв)",
		"це не тривалість (пишіть 45 хв, 1 год, 90 min або 1h30)" },
	[DATES_DUR_UNIT] = { "a duration needs a unit: 60m or 1h",
		"тривалості потрібна одиниця: 60 хв або 1 год" },
	[DATES_DUR_RANGE] = {
		"duration out of range (whole minutes, 1 minute to 24 hours)",
		"тривалість поза межами (цілі хвилини, від 1 хвилини до 24 "
		"годин)" },
};

const char *
dates_strerror(enum dates_error e, const char *lang)
{
	if ((unsigned)e >= nitems(errtext))
		e = DATES_SYNTAX;
	return lang != NULL && strcmp(lang, "uk") == 0 ? errtext[e].uk :
	    errtext[e].en;
}

void
dates_window_utc(const struct dates_window *w, const struct tz *zone,
    time_t *start, time_t *end)
{
	struct tz_date after;

	after = tz_date_from_days(tz_days_from_date(w->to) + 1);
	*start = tz_utc(zone, w->from, 0, 0, 0, 0, NULL);
	*end = tz_utc(zone, after, 0, 0, 0, 0, NULL);
}

char *
dates_format(struct tz_date d, const struct tz_date *today, const char *lang)
{
	int uk = lang != NULL && strcmp(lang, "uk") == 0;
	int wd = tz_weekday(tz_days_from_date(d));
	int m = d.month >= 1 && d.month <= 12 ? d.month - 1 : 0;

	if (today != NULL && today->year == d.year)
		return uk ? xasprintf("%s %d %s", wday_uk[wd], d.day,
		    month_uk_gen[m]) : xasprintf("%s %d %s", wday_en[wd],
		    d.day, month_en_short[m]);
	return uk ? xasprintf("%s %d %s %d", wday_uk[wd], d.day,
	    month_uk_gen[m], d.year) : xasprintf("%s %d %s %d", wday_en[wd],
	    d.day, month_en_short[m], d.year);
}
