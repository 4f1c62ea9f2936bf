/*
 * config: a line-oriented INI reader driven by one key table (as in
 * OpenSMTPD and isync). Parsing never stops at the first problem: every
 * line is checked and each problem appended as "file:line: message".
 * Cross-key rules (required keys, [smtp] inheriting from [mailbox],
 * default ports) run after the whole file is read. The value syntax
 * (durations, sizes, hours, zones) is in confval.c; reading secrets is in
 * secret.c.
 */
#include <sys/stat.h>
#include <ctype.h>
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "confval.h"
#include "log.h"
#include "util.h"

#ifndef DATADIR
#define DATADIR "/usr/local/share"
#endif
#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif

enum ktype {
	K_STR, K_PATH, K_LIST, K_ENUM, K_PORT, K_BOOL, K_DURATION, K_SIZE,
	K_HOURS, K_RELAXED, K_ZONE, K_CLOCK, K_WEEKDAY
};

#define F_REQ	0x01	/* reported when missing */
#define F_LOWER	0x02	/* stored in lower case */

struct keydef {
	const char	*section;
	const char	*name;
	enum ktype	 type;
	size_t		 off;
	int		 flags;
	int		(*check)(const char *);	/* K_STR, K_LIST items */
	const char	*what;		/* what a value should be, for errors */
	const char *const *names;	/* K_ENUM: index = enum value */
};

static int printable(const char *);
static int valid_addr(const char *);
static int valid_domain(const char *);
static int valid_tag(const char *);
static int valid_lang(const char *);

static const char *const tls_names[] = { "implicit", "starttls", "none", 0 };
static const char *const auth_names[] = { "plain", "login", "xoauth2", 0 };
static const char *const save_sent_names[] = { "auto", "yes", "no", 0 };

#define OFF(f)	offsetof(struct config, f)
#define KEY(s, n, t, f, fl)	{ s, n, t, OFF(f), fl, NULL, NULL, NULL }
#define KEYC(s, n, t, f, fl, chk, w) { s, n, t, OFF(f), fl, chk, w, NULL }
#define KEYE(s, n, f, w, names)	{ s, n, K_ENUM, OFF(f), 0, NULL, w, names }
#define ADDR	"a mail address (team@example.org)"
#define ACCOUNT_KEYS(sec, a, req)					\
	KEY(sec, "host", K_STR, a.host, req),				\
	KEY(sec, "port", K_PORT, a.port, 0),				\
	KEYE(sec, "tls", a.tls, "one of implicit, starttls, none",	\
	    tls_names),							\
	KEY(sec, "ca_file", K_PATH, a.ca_file, 0),			\
	KEY(sec, "user", K_STR, a.user, req),				\
	KEYE(sec, "auth", a.auth, "one of plain, login, xoauth2",	\
	    auth_names),						\
	KEY(sec, "password_file", K_PATH, a.password_file, 0),		\
	KEY(sec, "password_command", K_STR, a.password_command, 0)

static const struct keydef keys[] = {
	ACCOUNT_KEYS("mailbox", mailbox, F_REQ),
	KEY("mailbox", "folders", K_LIST, folders, 0),
	KEY("mailbox", "idle", K_BOOL, idle, 0),
	KEY("mailbox", "poll_interval", K_DURATION, poll_interval, 0),
	KEY("mailbox", "alert_after", K_DURATION, alert_after, 0),
	KEY("mailbox", "max_message_size", K_SIZE, max_message_size, 0),
	ACCOUNT_KEYS("smtp", smtp, 0),
	KEYE("smtp", "save_sent", save_sent, "one of auto, yes, no",
	    save_sent_names),
	KEY("outbox", "retry_first", K_DURATION, retry_first, 0),
	KEY("outbox", "retry_max", K_DURATION, retry_max, 0),
	KEY("outbox", "give_up_after", K_DURATION, give_up_after, 0),
	KEYC("team", "address", K_STR, team_address, F_REQ | F_LOWER,
	    valid_addr, ADDR),
	KEY("team", "name", K_STR, team_name, 0),
	KEYC("team", "domain", K_STR, team_domain, F_LOWER, valid_domain,
	    "a domain name"),
	KEYC("team", "tag", K_STR, team_tag, 0, valid_tag,
	    "a tag without spaces, brackets, # or +"),
	KEYC("team", "coordinators", K_LIST, coordinators, F_REQ | F_LOWER,
	    valid_addr, ADDR),
	KEYC("team", "language", K_STR, team_language, F_LOWER, valid_lang,
	    "uk or en"),
	KEY("team", "timezone", K_ZONE, team_timezone, 0),
	KEY("team", "require_authenticated_sender", K_BOOL,
	    require_authenticated_sender, 0),
	KEY("team", "authserv_id", K_STR, authserv_id, 0),
	KEY("team", "command_max_age", K_DURATION, command_max_age, 0),
	KEY("schedule", "ua_hours", K_HOURS, ua_hours, 0),
	KEY("schedule", "us_hours", K_HOURS, us_hours, 0),
	KEY("schedule", "relaxed_hours", K_RELAXED, relaxed_start, 0),
	KEY("schedule", "ua_holidays", K_BOOL, ua_holidays, 0),
	KEY("schedule", "us_holidays", K_BOOL, us_holidays, 0),
	KEY("schedule", "holidays_dir", K_PATH, holidays_dir, 0),
	KEY("store", "path", K_PATH, store_path, 0),
	KEY("templates", "dir", K_PATH, templates_dir, 0),
	KEY("calendar", "feed", K_PATH, calendar_feed, 0),
	KEY("remind", "due_soon", K_DURATION, remind_due_soon, 0),
	KEY("remind", "quiet_after", K_DURATION, remind_quiet_after, 0),
	KEY("remind", "no_answer_after", K_DURATION, remind_no_answer_after,
	    0),
	KEY("remind", "overdue_repeat", K_DURATION, remind_overdue_repeat, 0),
	KEY("remind", "send_hour", K_CLOCK, remind_send_hour, 0),
	KEY("remind", "max_catch_up_age", K_DURATION,
	    remind_max_catch_up_age, 0),
	KEY("remind", "digest_day", K_WEEKDAY, remind_digest_day, 0),
	KEY("remind", "digest_hour", K_CLOCK, remind_digest_hour, 0),
};
#define NKEYS	nitems(keys)

/* What a value of each type looks like, for errors. */
static const char *type_what[] = {
	[K_STR] = "a string without control characters",
	[K_PATH] = "a path without control characters",
	[K_LIST] = "a comma-separated list of names",
	[K_PORT] = "a port number (1-65535)",
	[K_BOOL] = "yes or no",
	[K_DURATION] = "a duration from 1s to 68 years (30s, 5m, 1h, 3d, 2w)",
	[K_SIZE] = "a size of at least 1 byte (512, 10K, 50M, 1G)",
	[K_HOURS] = "working hours (Mon-Fri 09:00-17:00, Sat 10:00-14:00; "
	    "at most 7 ranges)",
	[K_RELAXED] = "a time range (08:00-20:00)",
	[K_ZONE] = "a time zone of the system tzdata",
	[K_CLOCK] = "a time of day (09:00)",
	[K_WEEKDAY] = "a weekday (Mon, Tue, ... Sun)",
};

static const char *sections[] = {
	"mailbox", "smtp", "outbox", "team", "schedule", "store", "templates",
	"calendar", "remind",
};

struct parser {
	const char	*file;
	char		*dir;		/* absolute directory of file */
	struct buf	*errors;
	int		 nerr;
	int		 line[NKEYS];	/* first line that names the key */
	int		 set[NKEYS];	/* a non-empty value was given */
};

static void perr(struct parser *, int, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static void
perr(struct parser *p, int line, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	if (line > 0)
		buf_printf(p->errors, "%s:%d: %s\n", p->file, line, msg);
	else
		buf_printf(p->errors, "%s: %s\n", p->file, msg);
	free(msg);
	p->nerr++;
}

int
config_key(size_t i, const char **section, const char **key)
{
	if (i >= NKEYS)
		return -1;
	*section = keys[i].section;
	*key = keys[i].name;
	return 0;
}

/* Near-miss suggestions. */

static size_t
levenshtein(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, prev[64], cur[64];

	if (la >= 64 || lb >= 64)
		return SIZE_MAX;
	for (j = 0; j <= lb; j++)
		prev[j] = j;
	for (i = 1; i <= la; i++) {
		cur[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
			size_t del = prev[j] + 1, ins = cur[j - 1] + 1;

			cur[j] = sub < del ? sub : del;
			if (ins < cur[j])
				cur[j] = ins;
		}
		memcpy(prev, cur, (lb + 1) * sizeof(prev[0]));
	}
	return prev[lb];
}

/* The closest of n names within distance 2, or NULL. */
static const char *
nearest(const char *word, const char *const *names, size_t n)
{
	const char *best = NULL;
	size_t i, d, bestd = 3;

	for (i = 0; i < n; i++)
		if ((d = levenshtein(word, names[i])) < bestd) {
			bestd = d;
			best = names[i];
		}
	return best;
}

static void
unknown_key(struct parser *p, int line, const char *sec, const char *key)
{
	const char *names[NKEYS], *best;
	size_t i, n = 0;

	for (i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].section, sec) == 0)
			names[n++] = keys[i].name;
	if ((best = nearest(key, names, n)) != NULL) {
		perr(p, line, "unknown key [%s] %s; did you mean %s?", sec,
		    key, best);
		return;
	}
	for (i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].name, key) == 0) {
			perr(p, line, "unknown key [%s] %s; it belongs in [%s]",
			    sec, key, keys[i].section);
			return;
		}
	perr(p, line, "unknown key [%s] %s", sec, key);
}

/* Values. */

static int
lookup(const char *v, const char *const *names)
{
	int i;

	for (i = 0; names[i] != NULL; i++)
		if (strcasecmp(v, names[i]) == 0)
			return i;
	return -1;
}

/* Letters, digits, '.', '-' and UTF-8 (IDN); no empty label at the ends. */
static int
valid_domain(const char *d)
{
	const char *s;

	if (*d == '\0' || *d == '.' || *d == '-' || d[strlen(d) - 1] == '.' ||
	    strstr(d, "..") != NULL)
		return 0;
	for (s = d; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '.' && *s != '-' &&
		    (unsigned char)*s < 0x80)
			return 0;
	return 1;
}

static int
printable(const char *s)
{
	for (; *s; s++)
		if (iscntrl((unsigned char)*s))
			return 0;
	return 1;
}

static int
valid_tag(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || strchr("[]#+<>", *s))
			return 0;
	return 1;
}

static int
valid_lang(const char *s)
{
	return strcmp(s, "uk") == 0 || strcmp(s, "en") == 0;
}

/* A bare address: local@domain, no display name or angle brackets. */
static int
valid_addr(const char *a)
{
	const char *at = strchr(a, '@'), *s;

	if (at == NULL || at == a || strchr(at + 1, '@') != NULL)
		return 0;
	for (s = a; s < at; s++)
		if ((unsigned char)*s <= ' ' || strchr("<>()[],;:\"\\", *s))
			return 0;
	return valid_domain(at + 1);
}

static void
free_list(char **l)
{
	size_t i;

	for (i = 0; l != NULL && l[i] != NULL; i++)
		free(l[i]);
	free(l);
}

/* Comma-separated, each item trimmed; NULL on an empty item. */
static char **
split_list(const char *v)
{
	char **l = NULL, *copy = xstrdup(v), *s = copy, *e;
	size_t n = 0;

	for (;;) {
		if ((e = strchr(s, ',')) != NULL)
			*e = '\0';
		str_trim(s);
		if (*s == '\0') {
			l = xreallocarray(l, n + 1, sizeof(*l));
			l[n] = NULL;
			free_list(l);
			free(copy);
			return NULL;
		}
		l = xreallocarray(l, n + 2, sizeof(*l));
		l[n++] = xstrdup(s);
		l[n] = NULL;
		if (e == NULL)
			break;
		s = e + 1;
	}
	free(copy);
	return l;
}

static void
set_str(char **sp, char *v)
{
	free(*sp);
	*sp = v;
}

/* Relative paths are read against the config file's directory. */
static char *
resolve(struct parser *p, const char *v)
{
	if (v[0] == '/')
		return xstrdup(v);
	return xasprintf("%s/%s", p->dir, v);
}

/* Parses v (non-empty) into the key's field; reports the problem if any. */
static void
set_value(struct parser *p, struct config *c, const struct keydef *k,
    const char *v, int line)
{
	void *f = (char *)c + k->off;
	const char *what = k->what ? k->what : type_what[k->type], *cp = v;
	int (*check)(const char *) = k->check ? k->check : printable;
	unsigned long long u;
	char *s, **l;
	size_t i, sz;
	int n;

	switch (k->type) {
	case K_STR:
	case K_PATH:
		s = k->type == K_PATH ? resolve(p, v) : xstrdup(v);
		if (k->flags & F_LOWER)
			str_lower(s);
		if (check(s)) {
			set_str(f, s);
			return;
		}
		free(s);
		break;
	case K_LIST:
		if ((l = split_list(v)) == NULL) {
			what = "a comma-separated list without empty items";
			break;
		}
		for (i = 0; l[i] != NULL; i++) {
			if (k->flags & F_LOWER)
				str_lower(l[i]);
			if (!check(l[i])) {
				perr(p, line, "[%s] %s: \"%s\" is not %s",
				    k->section, k->name, l[i], what);
				free_list(l);
				return;
			}
		}
		free_list(*(char ***)f);
		*(char ***)f = l;
		return;
	case K_ENUM:
		if ((n = lookup(v, k->names)) == -1)
			break;
		*(int *)f = n;	/* the enums follow the order of names */
		return;
	case K_PORT:
		if (confval_digits(&cp, &u, 65535) != 0 || *cp != '\0' ||
		    u == 0)
			break;
		*(int *)f = (int)u;
		return;
	case K_BOOL:
		if (config_parse_bool(v, f) == 0)
			return;
		break;
	case K_DURATION:
		if (config_parse_duration(v, &n) == -1 || n < 1)
			break;
		*(int *)f = n;
		return;
	case K_SIZE:
		if (config_parse_size(v, &sz) == -1 || sz < 1)
			break;
		*(size_t *)f = sz;
		return;
	case K_HOURS:
		if (config_parse_hours(v, f) == 0)
			return;
		break;
	case K_RELAXED:
		if (confval_timerange(v, v + strlen(v), &c->relaxed_start,
		    &c->relaxed_end) == 0)
			return;
		break;
	case K_ZONE:
		if ((cp = config_canonical_zone(v)) == NULL)
			break;
		set_str(f, xstrdup(cp));
		return;
	case K_CLOCK:
		if (config_parse_clock(v, f) == 0)
			return;
		break;
	case K_WEEKDAY:
		if (config_parse_weekday(v, f) == 0)
			return;
		break;
	}
	perr(p, line, "[%s] %s: \"%s\" is not %s", k->section, k->name, v,
	    what);
}

/* The file. */

static const char *
find_section(const char *name)
{
	size_t i;

	for (i = 0; i < nitems(sections); i++)
		if (strcmp(sections[i], name) == 0)
			return sections[i];
	return NULL;
}

/* A value's trailing comment starts at a '#' after white space. */
static void
strip_comment(char *v)
{
	char *s;

	for (s = v; *s; s++)
		if (*s == '#' && (s == v || s[-1] == ' ' || s[-1] == '\t')) {
			*s = '\0';
			break;
		}
	str_trim(v);
}

static void
parse_line(struct parser *p, struct config *c, char *s, int line,
    const char **sec, int *skipping)
{
	char *e, *key, *val;
	const char *best;
	size_t i;

	if (*s == '[') {
		if ((e = strchr(s, ']')) == NULL) {
			perr(p, line, "section header without ']'");
			return;
		}
		*e++ = '\0';
		while (*e == ' ' || *e == '\t')
			e++;
		if (*e != '\0' && *e != '#' && *e != ';') {
			perr(p, line, "text after section header");
			return;
		}
		key = str_trim(s + 1);
		if ((*sec = find_section(key)) != NULL) {
			*skipping = 0;
			return;
		}
		*skipping = 1;	/* its keys would only repeat the error */
		if ((best = nearest(key, sections, nitems(sections))) != NULL)
			perr(p, line, "unknown section [%s]; did you mean "
			    "[%s]?", key, best);
		else
			perr(p, line, "unknown section [%s]", key);
		return;
	}
	if ((e = strchr(s, '=')) == NULL) {
		perr(p, line, "expected \"key = value\"");
		return;
	}
	if (*skipping)
		return;
	if (*sec == NULL) {
		perr(p, line, "key outside any section");
		return;
	}
	*e = '\0';
	key = str_trim(s);
	val = e + 1;
	strip_comment(val);
	if (*key == '\0') {
		perr(p, line, "missing key before '='");
		return;
	}
	for (i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].section, *sec) == 0 &&
		    strcmp(keys[i].name, key) == 0)
			break;
	if (i == NKEYS) {
		unknown_key(p, line, *sec, key);
		return;
	}
	if (p->line[i] != 0) {
		perr(p, line, "duplicate key [%s] %s (first set on line %d)",
		    *sec, key, p->line[i]);
		return;
	}
	p->line[i] = line;
	if (*val == '\0')
		return;		/* "key =" keeps the default */
	p->set[i] = 1;
	set_value(p, c, &keys[i], val, line);
}

static void
set_defaults(struct config *c)
{
	c->mailbox.tls = c->smtp.tls = TLS_IMPLICIT;
	c->mailbox.auth = c->smtp.auth = AUTH_PLAIN;
	c->idle = 1;
	c->poll_interval = 60;
	c->alert_after = 3600;
	c->max_message_size = (size_t)50 << 20;
	c->save_sent = SAVE_SENT_AUTO;
	c->retry_first = 60;
	c->retry_max = 6 * 3600;
	c->give_up_after = 3 * 86400;
	c->team_name = xstrdup("mistok");
	c->team_tag = xstrdup("mistok");
	c->team_language = xstrdup("uk");
	c->team_timezone = xstrdup("Europe/Kyiv");
	config_parse_hours("Mon-Fri 09:00-18:00", &c->ua_hours);
	config_parse_hours("Mon-Fri 09:00-17:00", &c->us_hours);
	c->relaxed_start = 8 * 60;
	c->relaxed_end = 20 * 60;
	c->us_holidays = 1;
	c->holidays_dir = xstrdup(DATADIR "/mistok/holidays");
	c->store_path = xstrdup("/var/lib/mistok/mistok.db");
	c->templates_dir = xstrdup(DATADIR "/mistok/templates");
	c->command_max_age = 3 * 86400;
	c->remind_due_soon = 3 * 86400;
	c->remind_quiet_after = 21 * 86400;
	c->remind_no_answer_after = 7 * 86400;
	c->remind_overdue_repeat = 3 * 86400;
	c->remind_send_hour = 9 * 60;
	c->remind_max_catch_up_age = 7 * 86400;
	c->remind_digest_day = 0;
	c->remind_digest_hour = 8 * 60;
}

int
config_parse_clock(const char *v, int *minutes)
{
	unsigned h, m;
	char tail;

	if (strlen(v) != 5 || sscanf(v, "%2u:%2u%c", &h, &m, &tail) != 2 ||
	    !isdigit((unsigned char)v[0]) || !isdigit((unsigned char)v[3]) ||
	    h > 23 || m > 59)
		return -1;
	*minutes = (int)(h * 60 + m);
	return 0;
}

int
config_parse_weekday(const char *v, int *wday)
{
	static const char *const names[] = { "mon", "tue", "wed", "thu",
	    "fri", "sat", "sun" };
	static const char *const longnames[] = { "monday", "tuesday",
	    "wednesday", "thursday", "friday", "saturday", "sunday" };
	size_t i;

	for (i = 0; i < nitems(names); i++)
		if (strcasecmp(v, names[i]) == 0 ||
		    strcasecmp(v, longnames[i]) == 0) {
			*wday = (int)i;
			return 0;
		}
	return -1;
}

static void
inherit(char **dst, const char *src)
{
	if (*dst == NULL && src != NULL)
		*dst = xstrdup(src);
}

static size_t
key_index(const char *section, const char *name)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].section, section) == 0 &&
		    strcmp(keys[i].name, name) == 0)
			return i;
	fatalx("config: no key [%s] %s", section, name);
}

/* Rules over several keys, once the whole file is read. */
static void
finish(struct parser *p, struct config *c)
{
	static const char *accts[] = { "mailbox", "smtp" };
	struct config_account *a;
	size_t i, f, m;
	const char *at;

	for (i = 0; i < NKEYS; i++)
		if ((keys[i].flags & F_REQ) && !p->set[i])
			perr(p, 0, "missing key [%s] %s", keys[i].section,
			    keys[i].name);
	for (i = 0; i < nitems(accts); i++) {
		a = i == 0 ? &c->mailbox : &c->smtp;
		f = key_index(accts[i], "password_file");
		m = key_index(accts[i], "password_command");
		if (p->set[f] && p->set[m])
			perr(p, p->line[f] > p->line[m] ? p->line[f] :
			    p->line[m], "[%s] password_file and "
			    "password_command are both set; use one", accts[i]);
		else if (i == 0 && !p->set[f] && !p->set[m])
			perr(p, 0, "missing key [mailbox] password_file or "
			    "password_command");
		if (!p->set[key_index(accts[i], "port")])
			a->port = i == 0 ?
			    (a->tls == TLS_IMPLICIT ? 993 : 143) :
			    (a->tls == TLS_IMPLICIT ? 465 : 587);
	}
	/* [smtp] is usually the same account as [mailbox]. */
	inherit(&c->smtp.host, c->mailbox.host);
	inherit(&c->smtp.user, c->mailbox.user);
	inherit(&c->smtp.ca_file, c->mailbox.ca_file);
	if (!p->set[key_index("smtp", "auth")])
		c->smtp.auth = c->mailbox.auth;
	if (c->smtp.password_file == NULL && c->smtp.password_command == NULL) {
		inherit(&c->smtp.password_file, c->mailbox.password_file);
		inherit(&c->smtp.password_command, c->mailbox.password_command);
	}
	if (c->team_domain == NULL && c->team_address != NULL &&
	    (at = strchr(c->team_address, '@')) != NULL)
		c->team_domain = xstrdup(at + 1);
	if (c->retry_max < c->retry_first)
		perr(p, p->line[key_index("outbox", "retry_max")],
		    "[outbox] retry_max is shorter than retry_first");
	if (c->require_authenticated_sender && c->authserv_id == NULL)
		perr(p, p->line[key_index("team",
		    "require_authenticated_sender")], "[team] "
		    "require_authenticated_sender needs authserv_id");
}

int
config_load(const char *path, struct config **out, struct buf *errors)
{
	struct parser p;
	struct config *c;
	struct stat st;
	FILE *fp;
	char *line = NULL, *s, *d;
	const char *sec = NULL;
	size_t cap = 0;
	int lineno = 0, skipping = 0;

	*out = NULL;
	memset(&p, 0, sizeof(p));
	p.file = path;
	p.errors = errors;
	if ((fp = fopen(path, "re")) == NULL) {
		perr(&p, 0, "%s", strerror(errno));
		return 1;
	}
	if (fstat(fileno(fp), &st) == 0 && S_ISDIR(st.st_mode)) {
		perr(&p, 0, "%s", strerror(EISDIR));
		fclose(fp);
		return 1;
	}
	d = xstrdup(path);
	s = dirname(d);
	if ((p.dir = realpath(s, NULL)) == NULL)
		p.dir = xstrdup(s);
	free(d);
	c = xcalloc(1, sizeof(*c));
	c->path = xstrdup(path);
	set_defaults(c);
	while (getline(&line, &cap, fp) != -1) {
		s = line;
		if (++lineno == 1 && strncmp(s, "\xef\xbb\xbf", 3) == 0)
			s += 3;		/* a BOM from a Windows editor */
		str_trim(s);
		if (*s == '\0' || *s == '#' || *s == ';')
			continue;
		parse_line(&p, c, s, lineno, &sec, &skipping);
	}
	if (ferror(fp))
		perr(&p, 0, "%s", strerror(errno));
	free(line);
	fclose(fp);
	finish(&p, c);
	free(p.dir);
	if (p.nerr > 0) {
		config_free(c);
		return p.nerr;
	}
	log_trace(TRACE_CONFIG, "config %s: loaded", path);
	*out = c;
	return 0;
}

void
config_free(struct config *c)
{
	enum ktype t;
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < NKEYS; i++) {	/* every string is some key's */
		t = keys[i].type;
		if (t == K_STR || t == K_PATH || t == K_ZONE)
			free(*(char **)((char *)c + keys[i].off));
		else if (t == K_LIST)
			free_list(*(char ***)((char *)c + keys[i].off));
	}
	free(c->path);
	free(c);
}

const char *
config_default_path(const char *explicit_path)
{
	const char *env;

	if (explicit_path != NULL)
		return explicit_path;
	if ((env = getenv("MISTOK_CONFIG")) != NULL && *env != '\0')
		return env;
	return SYSCONFDIR "/mistok/mistok.conf";
}
