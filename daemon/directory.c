/*
 * directory: organisations, contacts, partnerships.
 *
 * A write loads the record (or starts an empty one), applies the given
 * fields through one validator per column — the same for `mistok org add`
 * and for a CSV row, so both say the same thing about the same mistake —
 * checks what spans records (unique names, domains and addresses; the
 * coordinator rule), and writes under a SAVEPOINT. Whether a record
 * changed is decided by comparing its CSV row before and after, which is
 * also what makes an export import back to the same records.
 *
 * directory_forget() is the one place that writes the message tables
 * (owned by store.c): erasing a person must reach every copy of them.
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
#include "directory.h"
#include "log.h"
#include "util.h"

const char *const directory_stages[] = {
	"prospect", "contacted", "introduced", "meeting_held", "planning",
	"joint_projects", "dormant", "closed", NULL,
};

static const char *const org_kinds[] = {
	"municipality", "volunteer", "diplomatic", "ngo", "other", NULL,
};

/*
 * The CSV columns, required ones first (DESIGN.md "Directory import"); the
 * order is the export's. Pointers into these tables are the static
 * bad_field names.
 */
static const char *const org_cols[] = {
	"name", "country", "kind", "city", "region", "timezone", "language",
	"domains", "hours",
};
static const char *const contact_cols[] = {
	"name", "email", "organisation", "role", "timezone", "language",
	"emails", "hours",
};
static const char *const partnership_cols[] = {
	"slug", "ua_org", "us_org", "stage", "coordinator", "started",
	"supporting_orgs",
};

static const struct kind_info {
	const char		*name;
	const char		*one;		/* "organisation" */
	const char *const	*cols;
	size_t			 ncols;
	size_t			 nrequired;
} kinds[] = {
	[DIR_ORGS] = { "orgs", "organisation", org_cols, nitems(org_cols), 8 },
	[DIR_CONTACTS] = { "contacts", "contact", contact_cols,
	    nitems(contact_cols), 6 },
	[DIR_PARTNERSHIPS] = { "partnerships", "partnership",
	    partnership_cols, nitems(partnership_cols), 6 },
};

/* Free mail providers: a domain shared by strangers must not map to an
 * organisation, or every gmail.com sender would join it. */
static const char *const public_domains[] = {
	"gmail.com", "googlemail.com", "outlook.com", "hotmail.com",
	"live.com", "msn.com", "yahoo.com", "icloud.com", "me.com", "aol.com",
	"proton.me", "protonmail.com", "gmx.com", "gmx.net", "mail.com",
	"ukr.net", "i.ua", "meta.ua", "bigmir.net", "yandex.ru", "mail.ru",
	NULL,
};

int
directory_kind_parse(const char *s, enum dir_kind *out)
{
	if (strcmp(s, "orgs") == 0 || strcmp(s, "org") == 0 ||
	    strcmp(s, "organisations") == 0)
		*out = DIR_ORGS;
	else if (strcmp(s, "contacts") == 0 || strcmp(s, "contact") == 0)
		*out = DIR_CONTACTS;
	else if (strcmp(s, "partnerships") == 0 ||
	    strcmp(s, "partnership") == 0)
		*out = DIR_PARTNERSHIPS;
	else
		return -1;
	return 0;
}

const char *
directory_kind_name(enum dir_kind k)
{
	return kinds[k].name;
}

/* ---- small helpers ------------------------------------------------------ */

static int
in_list(const char *const *list, const char *s)
{
	for (; *list != NULL; list++)
		if (strcmp(*list, s) == 0)
			return 1;
	return 0;
}

static char *
list_join(const char *const *list, const char *sep)
{
	struct buf b;

	buf_init(&b);
	for (; *list != NULL; list++) {
		if (b.len)
			buf_adds(&b, sep);
		buf_adds(&b, *list);
	}
	return buf_steal(&b);
}

static const char *
colname(enum dir_kind k, const char *name)
{
	size_t i;

	for (i = 0; i < kinds[k].ncols; i++)
		if (strcmp(kinds[k].cols[i], name) == 0)
			return kinds[k].cols[i];
	return NULL;
}

static void
set_err(char **err, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return;
	free(*err);
	va_start(ap, fmt);
	*err = xvasprintf(fmt, ap);
	va_end(ap);
}

static int
db_fail(struct db *db, char **err, const char *what)
{
	set_err(err, "database: %s: %s", what, db_errmsg(db));
	return DIR_ERR_DB;
}

/* Replaces *slot with s (owned), freeing the old value. */
static void
replace(char **slot, char *s)
{
	free(*slot);
	*slot = s;
}

static void
strv_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void
strv_add(char ***v, size_t *n, const char *s)
{
	*v = xreallocarray(*v, *n + 1, sizeof(**v));
	(*v)[(*n)++] = xstrdup(s);
}

static int
strv_has(char **v, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return 1;
	return 0;
}

static int
all_digits(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return 1;
}

/* A host name: ASCII labels of letters, digits and '-', at least one dot. */
static int
valid_domain(const char *d)
{
	size_t label = 0, dots = 0;
	const char *p;

	if (*d == '\0' || strlen(d) > 253)
		return 0;
	for (p = d; *p; p++) {
		if (*p == '.') {
			if (label == 0 || p[-1] == '-')
				return 0;
			label = 0;
			dots++;
			continue;
		}
		if (!isalnum((unsigned char)*p) && *p != '-')
			return 0;
		if (*p == '-' && label == 0)
			return 0;
		if (++label > 63)
			return 0;
	}
	return label > 0 && p[-1] != '-' && dots > 0;
}

/* local@domain, the local part printable ASCII without <>()[],;:\" space. */
static int
valid_address(const char *a)
{
	const char *at = strrchr(a, '@'), *p;

	if (at == NULL || at == a || strchr(a, '@') != at || at - a > 64)
		return 0;
	for (p = a; p < at; p++)
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f ||
		    strchr("<>()[],;:\\\"", *p) != NULL)
			return 0;
	return valid_domain(at + 1);
}

/* A trimmed copy, NULL for an empty value; -1 on a control character. */
static int
clean(const char *v, char **out)
{
	char *s, *p;

	*out = NULL;
	if (v == NULL)
		return 0;
	s = xstrdup(v);
	str_trim(s);
	for (p = s; *p; p++)
		if ((unsigned char)*p < ' ' || *p == 0x7f) {
			free(s);
			return -1;
		}
	if (*s == '\0') {
		free(s);
		return 0;
	}
	*out = s;
	return 0;
}

/* YYYY-MM-DD as 00:00 UTC of that day. */
static int
parse_date(const char *s, time_t *out)
{
	struct tm tm;
	int y, m, d, n = 0;
	time_t t;

	if (strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 ||
	    n != 10 || s[4] != '-' || s[7] != '-' || !isdigit((unsigned char)s[0])
	    || !isdigit((unsigned char)s[5]) || !isdigit((unsigned char)s[8]))
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	if (y < 1900 || (t = timegm(&tm)) == (time_t)-1 ||
	    tm.tm_mon != m - 1 || tm.tm_mday != d)
		return -1;
	*out = t;
	return 0;
}

static void
fmt_date(time_t t, char out[11])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

/* Splits on white space (and sep, when not 0) into trimmed words. */
static void
split_words(const char *s, int sep, char ***v, size_t *n)
{
	const char *p = s, *start;
	char *w;

	*v = NULL;
	*n = 0;
	while (*p) {
		while (*p && (isspace((unsigned char)*p) || *p == sep))
			p++;
		if (*p == '\0')
			break;
		start = p;
		if (sep == ';') {
			/* Names hold spaces: split on ';' alone. */
			while (*p && *p != ';')
				p++;
		} else
			while (*p && !isspace((unsigned char)*p) && *p != ',')
				p++;
		w = xstrndup(start, (size_t)(p - start));
		str_trim(w);
		if (*w)
			strv_add(v, n, w);
		free(w);
		if (*p == ',' && sep != ';')
			p++;
	}
}

static int
savepoint(struct db *db)
{
	return db_exec(db, "SAVEPOINT directory", "");
}

static int
release(struct db *db, int ok)
{
	if (!ok) {
		db_exec(db, "ROLLBACK TO directory", "");
		db_exec(db, "RELEASE directory", "");
		return -1;
	}
	return db_exec(db, "RELEASE directory", "");
}

/* ---- freeing ------------------------------------------------------------ */

void
dir_org_free(struct dir_org *o)
{
	if (o == NULL)
		return;
	free(o->name);
	free(o->country);
	free(o->kind);
	free(o->city);
	free(o->region);
	free(o->zone);
	free(o->language);
	free(o->hours);
	strv_free(o->domains, o->ndomains);
	memset(o, 0, sizeof(*o));
}

void
dir_contact_free(struct dir_contact *c)
{
	if (c == NULL)
		return;
	free(c->name);
	strv_free(c->emails, c->nemails);
	free(c->org_name);
	free(c->role);
	free(c->zone);
	free(c->language);
	free(c->hours);
	free(c->eff_zone);
	free(c->eff_language);
	free(c->eff_hours);
	memset(c, 0, sizeof(*c));
}

void
dir_partnership_free(struct dir_partnership *p)
{
	size_t i;

	if (p == NULL)
		return;
	free(p->slug);
	free(p->ua_org_name);
	free(p->us_org_name);
	free(p->supporting);
	strv_free(p->supporting_names, p->nsupporting);
	free(p->stage);
	free(p->coordinator_name);
	free(p->coordinator_email);
	for (i = 0; i < p->nhistory; i++) {
		free(p->history[i].stage);
		free(p->history[i].actor);
	}
	free(p->history);
	memset(p, 0, sizeof(*p));
}

void
dir_org_list_free(struct dir_org *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		dir_org_free(&v[i]);
	free(v);
}

void
dir_contact_list_free(struct dir_contact *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		dir_contact_free(&v[i]);
	free(v);
}

void
dir_partnership_list_free(struct dir_partnership *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		dir_partnership_free(&v[i]);
	free(v);
}

/* ---- reading ------------------------------------------------------------ */

/* Every row's first column as an id list (a statement run to its end). */
static int
ids_of(sqlite3_stmt *st, int64_t **ids, size_t *n)
{
	int rc;

	*ids = NULL;
	*n = 0;
	while ((rc = db_step(st)) == 1) {
		*ids = xreallocarray(*ids, *n + 1, sizeof(**ids));
		(*ids)[(*n)++] = sqlite3_column_int64(st, 0);
	}
	if (rc == -1) {
		free(*ids);
		*ids = NULL;
		*n = 0;
	}
	return rc;
}

static int
strings_of(sqlite3_stmt *st, char ***v, size_t *n)
{
	int rc;

	*v = NULL;
	*n = 0;
	while ((rc = db_step(st)) == 1) {
		*v = xreallocarray(*v, *n + 1, sizeof(**v));
		(*v)[(*n)++] = db_col_strdup(st, 0);
	}
	return rc;
}

int
directory_org_get(struct db *db, int64_t id, struct dir_org *o)
{
	sqlite3_stmt *st;
	int rc;

	memset(o, 0, sizeof(*o));
	if ((st = db_stmt(db, "SELECT id, name, country, kind, city, region, "
	    "zone, language, hours, created FROM orgs WHERE id = ?")) == NULL ||
	    db_bind(st, "I", id) == -1)
		return -1;
	if ((rc = db_step(st)) != 1)
		return rc;
	o->id = sqlite3_column_int64(st, 0);
	o->name = db_col_strdup(st, 1);
	o->country = db_col_strdup(st, 2);
	o->kind = db_col_strdup(st, 3);
	o->city = db_col_strdup(st, 4);
	o->region = db_col_strdup(st, 5);
	o->zone = db_col_strdup(st, 6);
	o->language = db_col_strdup(st, 7);
	o->hours = db_col_strdup(st, 8);
	o->created = db_col_time(st, 9);
	sqlite3_reset(st);
	if ((st = db_stmt(db, "SELECT domain FROM org_domains WHERE org = ? "
	    "ORDER BY id")) == NULL || db_bind(st, "I", id) == -1 ||
	    strings_of(st, &o->domains, &o->ndomains) == -1) {
		dir_org_free(o);
		return -1;
	}
	return 1;
}

int
directory_contact_get(struct db *db, int64_t id, struct dir_contact *c)
{
	sqlite3_stmt *st;
	int rc;

	memset(c, 0, sizeof(*c));
	if ((st = db_stmt(db, "SELECT c.id, c.name, c.org, o.name, c.role, "
	    "c.zone, c.language, c.hours, c.learned, c.created, "
	    "coalesce(c.zone, o.zone), coalesce(c.language, o.language), "
	    "coalesce(c.hours, o.hours) "
	    "FROM contacts c LEFT JOIN orgs o ON o.id = c.org "
	    "WHERE c.id = ?")) == NULL || db_bind(st, "I", id) == -1)
		return -1;
	if ((rc = db_step(st)) != 1)
		return rc;
	c->id = sqlite3_column_int64(st, 0);
	c->name = db_col_strdup(st, 1);
	c->org = sqlite3_column_int64(st, 2);
	c->org_name = db_col_strdup(st, 3);
	c->role = db_col_strdup(st, 4);
	c->zone = db_col_strdup(st, 5);
	c->language = db_col_strdup(st, 6);
	c->hours = db_col_strdup(st, 7);
	c->learned = sqlite3_column_int(st, 8);
	c->created = db_col_time(st, 9);
	c->eff_zone = db_col_strdup(st, 10);
	c->eff_language = db_col_strdup(st, 11);
	c->eff_hours = db_col_strdup(st, 12);
	sqlite3_reset(st);
	if ((st = db_stmt(db, "SELECT email FROM contact_addresses "
	    "WHERE contact = ? ORDER BY id")) == NULL ||
	    db_bind(st, "I", id) == -1 ||
	    strings_of(st, &c->emails, &c->nemails) == -1) {
		dir_contact_free(c);
		return -1;
	}
	return 1;
}

int
directory_partnership_by_id(struct db *db, int64_t id,
    struct dir_partnership *out)
{
	struct dir_partnership p;
	sqlite3_stmt *st;
	int rc;

	memset(&p, 0, sizeof(p));
	if ((st = db_stmt(db, "SELECT p.id, p.slug, p.ua_org, ua.name, "
	    "p.us_org, us.name, p.stage, p.coordinator, c.name, "
	    "(SELECT email FROM contact_addresses WHERE contact = c.id "
	    "  ORDER BY id LIMIT 1), p.started, p.created "
	    "FROM partnerships p LEFT JOIN orgs ua ON ua.id = p.ua_org "
	    "LEFT JOIN orgs us ON us.id = p.us_org "
	    "LEFT JOIN contacts c ON c.id = p.coordinator "
	    "WHERE p.id = ?")) == NULL || db_bind(st, "I", id) == -1)
		return -1;
	if ((rc = db_step(st)) != 1)
		return rc;
	if (out == NULL) {
		sqlite3_reset(st);
		return 1;
	}
	p.id = sqlite3_column_int64(st, 0);
	p.slug = db_col_strdup(st, 1);
	p.ua_org = sqlite3_column_int64(st, 2);
	p.ua_org_name = db_col_strdup(st, 3);
	p.us_org = sqlite3_column_int64(st, 4);
	p.us_org_name = db_col_strdup(st, 5);
	p.stage = db_col_strdup(st, 6);
	p.coordinator = sqlite3_column_int64(st, 7);
	p.coordinator_name = db_col_strdup(st, 8);
	p.coordinator_email = db_col_strdup(st, 9);
	p.started = db_col_time(st, 10);
	p.created = db_col_time(st, 11);
	sqlite3_reset(st);

	if ((st = db_stmt(db, "SELECT o.id, o.name FROM partnership_orgs po "
	    "JOIN orgs o ON o.id = po.org WHERE po.partnership = ? "
	    "ORDER BY po.rowid")) == NULL || db_bind(st, "I", id) == -1)
		goto fail;
	while ((rc = db_step(st)) == 1) {
		p.supporting = xreallocarray(p.supporting, p.nsupporting + 1,
		    sizeof(*p.supporting));
		p.supporting_names = xreallocarray(p.supporting_names,
		    p.nsupporting + 1, sizeof(*p.supporting_names));
		p.supporting[p.nsupporting] = sqlite3_column_int64(st, 0);
		p.supporting_names[p.nsupporting++] = db_col_strdup(st, 1);
	}
	if (rc == -1)
		goto fail;
	if ((st = db_stmt(db, "SELECT stage, at, actor FROM stage_history "
	    "WHERE partnership = ? ORDER BY at, id")) == NULL ||
	    db_bind(st, "I", id) == -1)
		goto fail;
	while ((rc = db_step(st)) == 1) {
		p.history = xreallocarray(p.history, p.nhistory + 1,
		    sizeof(*p.history));
		p.history[p.nhistory].stage = db_col_strdup(st, 0);
		p.history[p.nhistory].at = db_col_time(st, 1);
		p.history[p.nhistory++].actor = db_col_strdup(st, 2);
	}
	if (rc == -1)
		goto fail;
	*out = p;
	return 1;
fail:
	dir_partnership_free(&p);
	return -1;
}

#define LIST_BODY(type, sql, getter)					\
	sqlite3_stmt *st;						\
	int64_t *ids;							\
	size_t nids, i;							\
									\
	*out = NULL;							\
	*n = 0;								\
	if ((st = db_stmt(db, sql)) == NULL || ids_of(st, &ids, &nids) == -1) \
		return -1;						\
	*out = xcalloc(nids ? nids : 1, sizeof(type));			\
	for (i = 0; i < nids; i++)					\
		if (getter(db, ids[i], &(*out)[*n]) == 1)		\
			(*n)++;						\
		else {							\
			free(ids);					\
			getter##_fail_free(*out, *n);			\
			*out = NULL;					\
			*n = 0;						\
			return -1;					\
		}							\
	free(ids);							\
	return 0

#define directory_org_get_fail_free dir_org_list_free
#define directory_contact_get_fail_free dir_contact_list_free
#define directory_partnership_by_id_fail_free dir_partnership_list_free

int
directory_org_list(struct db *db, struct dir_org **out, size_t *n)
{
	LIST_BODY(struct dir_org, "SELECT id FROM orgs ORDER BY id",
	    directory_org_get);
}

int
directory_contact_list(struct db *db, struct dir_contact **out, size_t *n)
{
	LIST_BODY(struct dir_contact, "SELECT id FROM contacts ORDER BY id",
	    directory_contact_get);
}

int
directory_partnership_list(struct db *db, struct dir_partnership **out,
    size_t *n)
{
	LIST_BODY(struct dir_partnership,
	    "SELECT id FROM partnerships ORDER BY id",
	    directory_partnership_by_id);
}

/* ---- finding ------------------------------------------------------------ */

/* An organisation by name: exact, else the only case-insensitive match. */
static int
org_by_name(struct db *db, const char *name, int64_t *id)
{
	sqlite3_stmt *st;
	int64_t *ids;
	size_t n;
	int rc;

	if ((rc = db_int(db, id, "SELECT id FROM orgs WHERE name = ?", "t",
	    name)) != 0)
		return rc;
	if ((st = db_stmt(db, "SELECT id FROM orgs WHERE name = ? "
	    "COLLATE NOCASE LIMIT 2")) == NULL || db_bind(st, "t", name) == -1 ||
	    ids_of(st, &ids, &n) == -1)
		return -1;
	rc = n == 1;
	if (rc)
		*id = ids[0];
	free(ids);
	return rc;
}

int
directory_find(struct db *db, enum dir_kind k, const char *key, int64_t *id,
    char **err)
{
	sqlite3_stmt *st;
	int64_t *ids = NULL, v;
	size_t n = 0;
	int rc;

	if (err != NULL)
		*err = NULL;
	if (all_digits(key)) {
		static const char *const sql[] = {
			[DIR_ORGS] = "SELECT id FROM orgs WHERE id = ?",
			[DIR_CONTACTS] = "SELECT id FROM contacts WHERE id = ?",
			[DIR_PARTNERSHIPS] =
			    "SELECT id FROM partnerships WHERE id = ?",
		};
		v = strtoll(key, NULL, 10);
		rc = db_int(db, id, sql[k], "I", (int64_t)v);
	} else if (k == DIR_ORGS)
		rc = org_by_name(db, key, id);
	else if (k == DIR_PARTNERSHIPS)
		rc = directory_partnership_by_slug(db, key, id);
	else if (strchr(key, '@') != NULL)
		rc = directory_contact_by_email(db, key, id, NULL);
	else {
		if ((st = db_stmt(db, "SELECT id FROM contacts WHERE name = ? "
		    "COLLATE NOCASE ORDER BY id")) == NULL ||
		    db_bind(st, "t", key) == -1 || ids_of(st, &ids, &n) == -1)
			rc = -1;
		else if (n > 1) {
			set_err(err, "%zu contacts are named '%s'; use an "
			    "address or an id", n, key);
			free(ids);
			return 0;
		} else {
			rc = n == 1;
			if (rc)
				*id = ids[0];
		}
		free(ids);
	}
	if (rc == -1) {
		db_fail(db, err, "find");
		return -1;
	}
	if (rc == 0)
		set_err(err, "no %s '%s'", kinds[k].one, key);
	return rc;
}

/* ---- look-ups for threading and matching -------------------------------- */

int
directory_contact_by_email(struct db *db, const char *email,
    int64_t *contact, int64_t *org)
{
	sqlite3_stmt *st;
	char *e;
	int rc;

	e = xstrdup(email);
	str_lower(e);
	if ((st = db_stmt(db, "SELECT a.contact, c.org FROM contact_addresses a "
	    "JOIN contacts c ON c.id = a.contact WHERE a.email = ?")) == NULL ||
	    db_bind(st, "t", e) == -1) {
		free(e);
		return -1;
	}
	free(e);
	if ((rc = db_step(st)) == 1) {
		if (contact != NULL)
			*contact = sqlite3_column_int64(st, 0);
		if (org != NULL)
			*org = sqlite3_column_int64(st, 1);
		sqlite3_reset(st);
	}
	return rc;
}

int
directory_org_by_domain(struct db *db, const char *domain, int64_t *org)
{
	const char *at, *p;
	char *d;
	int64_t id;
	int rc = 0;

	if ((at = strrchr(domain, '@')) != NULL)
		domain = at + 1;
	d = xstrdup(domain);
	str_lower(d);
	for (p = d; p != NULL && strchr(p, '.') != NULL;
	    p = strchr(p, '.') ? strchr(p, '.') + 1 : NULL) {
		rc = db_int(db, &id, "SELECT org FROM org_domains "
		    "WHERE domain = ?", "t", p);
		if (rc != 0)
			break;
	}
	free(d);
	if (rc == 1 && org != NULL)
		*org = id;
	return rc;
}

static int
cmp_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

int
directory_partnerships_of_org(struct db *db, int64_t org, int64_t **ids,
    size_t *n)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(db, "SELECT id FROM partnerships "
	    "WHERE ua_org = ?1 OR us_org = ?1 "
	    "UNION SELECT partnership FROM partnership_orgs WHERE org = ?1 "
	    "ORDER BY 1")) == NULL || db_bind(st, "I", org) == -1 ||
	    ids_of(st, ids, n) == -1)
		return -1;
	/* UNION already sorts and dedupes; keep the contract explicit. */
	if (*n > 1)
		qsort(*ids, *n, sizeof(**ids), cmp_id);
	return 0;
}

int
directory_partnership_by_slug(struct db *db, const char *slug, int64_t *id)
{
	int64_t v;
	int rc;

	rc = db_int(db, &v, "SELECT id FROM partnerships WHERE slug = ?", "t",
	    slug);
	if (rc == 1 && id != NULL)
		*id = v;
	return rc;
}

/* The team's own organisation: the one owning [team] domain. */
static int
team_org(struct db *db, const struct config *conf, int64_t *org)
{
	const char *dom;

	if (conf == NULL || conf->team_domain == NULL ||
	    *conf->team_domain == '\0')
		return 0;
	dom = conf->team_domain;
	return db_int(db, org, "SELECT org FROM org_domains WHERE domain = ?",
	    "t", dom);
}

int
directory_is_coordinator(struct db *db, const struct config *conf,
    const char *email)
{
	int64_t contact, org = 0, team;
	char *e;
	size_t i;
	int rc;

	if ((rc = directory_contact_by_email(db, email, &contact, &org)) != 1)
		return rc;
	if (conf != NULL && conf->coordinators != NULL) {
		e = xstrdup(email);
		str_lower(e);
		for (i = 0; conf->coordinators[i] != NULL; i++)
			if (strcmp(conf->coordinators[i], e) == 0)
				break;
		rc = conf->coordinators[i] != NULL;
		free(e);
		if (rc)
			return 1;
	}
	if ((rc = team_org(db, conf, &team)) != 1)
		return rc;
	return org != 0 && org == team;
}

int
directory_learn_contact(struct db *db, const char *email, const char *name,
    int64_t org, int64_t *id)
{
	char *e, *n = NULL;
	int64_t cid;
	int rc;

	e = xstrdup(email);
	str_lower(e);
	if (!valid_address(e)) {
		log_warnx("directory: not learning an invalid address");
		free(e);
		return -1;
	}
	if ((rc = directory_contact_by_email(db, e, &cid, NULL)) != 0) {
		free(e);
		if (rc == 1 && id != NULL)
			*id = cid;
		return rc == 1 ? 0 : -1;
	}
	if (name != NULL && clean(name, &n) == -1)
		n = NULL;
	if (savepoint(db) == -1) {
		free(e);
		free(n);
		return -1;
	}
	rc = db_exec(db, "INSERT INTO contacts (name, org, learned, created) "
	    "VALUES (?, nullif(?, 0), 1, ?)", "tIT", n, org, clock_now()) == 0;
	cid = db_last_id(db);
	if (rc)
		rc = db_exec(db, "INSERT INTO contact_addresses (contact, email) "
		    "VALUES (?, ?)", "It", cid, e) == 0;
	free(n);
	free(e);
	if (release(db, rc) == -1)
		return -1;
	if (id != NULL)
		*id = cid;
	log_trace(TRACE_THREAD, "directory: learned contact %lld",
	    (long long)cid);
	return 1;
}

/* ---- writing ------------------------------------------------------------ */

static const char *
field_value(const struct dir_put *p, const char *name)
{
	size_t i;
	const char *v = NULL;

	for (i = 0; i < p->nfields; i++)
		if (strcmp(p->fields[i].name, name) == 0)
			v = p->fields[i].value;
	return v;
}

static int
bad(struct dir_put *p, const char *col, char **err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
bad(struct dir_put *p, const char *col, char **err, const char *fmt, ...)
{
	va_list ap;

	p->bad_field = col != NULL ? colname(p->kind, col) : NULL;
	free(*err);
	va_start(ap, fmt);
	*err = xvasprintf(fmt, ap);
	va_end(ap);
	return DIR_ERR_DATA;
}

/* Shared column validators; each replaces *slot on success. */
static int
apply_zone(struct dir_put *p, const char *col, const char *v, char **slot,
    char **err)
{
	const char *z;
	char *s;

	if (clean(v, &s) == -1)
		return bad(p, col, err, "control character in the value");
	if (s == NULL) {
		replace(slot, NULL);
		return 0;
	}
	if ((z = config_canonical_zone(s)) == NULL) {
		bad(p, col, err, "unknown zone '%s'", s);
		free(s);
		return DIR_ERR_DATA;
	}
	replace(slot, xstrdup(z));
	free(s);
	return 0;
}

static int
apply_language(struct dir_put *p, const char *col, const char *v,
    char **slot, char **err)
{
	char *s;

	if (clean(v, &s) == -1)
		return bad(p, col, err, "control character in the value");
	if (s != NULL) {
		str_lower(s);
		if (strcmp(s, "uk") != 0 && strcmp(s, "en") != 0) {
			bad(p, col, err, "language '%s': uk or en", s);
			free(s);
			return DIR_ERR_DATA;
		}
	}
	replace(slot, s);
	return 0;
}

static int
apply_hours(struct dir_put *p, const char *col, const char *v, char **slot,
    char **err)
{
	struct hours h;
	char *s;

	if (clean(v, &s) == -1)
		return bad(p, col, err, "control character in the value");
	if (s != NULL && config_parse_hours(s, &h) == -1) {
		bad(p, col, err, "hours '%s' not understood (like "
		    "Mon-Fri 09:00-17:00, Sat 10:00-14:00)", s);
		free(s);
		return DIR_ERR_DATA;
	}
	replace(slot, s);
	return 0;
}

static int
apply_text(struct dir_put *p, const char *col, const char *v, char **slot,
    char **err)
{
	char *s;

	if (clean(v, &s) == -1)
		return bad(p, col, err, "control character in the value");
	if (s != NULL && strlen(s) > 500) {
		free(s);
		return bad(p, col, err, "longer than 500 bytes");
	}
	replace(slot, s);
	return 0;
}

static int
unknown_field(struct dir_put *p, const char *name, char **err)
{
	char *known = NULL;
	struct buf b;
	size_t i;

	buf_init(&b);
	for (i = 0; i < kinds[p->kind].ncols; i++)
		buf_printf(&b, "%s%s", i ? " " : "", kinds[p->kind].cols[i]);
	known = buf_steal(&b);
	bad(p, NULL, err, "unknown column '%s' (%s has: %s)", name,
	    kinds[p->kind].name, known);
	free(known);
	return DIR_ERR_DATA;
}

/* The record as its CSV row: the change test and the export. */
static void
org_row(const struct dir_org *o, struct buf *b)
{
	const char *f[nitems(org_cols)];
	struct buf d;
	size_t i;

	buf_init(&d);
	for (i = 0; i < o->ndomains; i++)
		buf_printf(&d, "%s%s", i ? " " : "", o->domains[i]);
	f[0] = o->name;
	f[1] = o->country;
	f[2] = o->kind;
	f[3] = o->city;
	f[4] = o->region;
	f[5] = o->zone;
	f[6] = o->language;
	f[7] = d.data;
	f[8] = o->hours;
	csv_write_row(b, f, nitems(f));
	buf_free(&d);
}

static void
contact_row(const struct dir_contact *c, struct buf *b)
{
	const char *f[nitems(contact_cols)];
	struct buf d;
	size_t i;

	buf_init(&d);
	for (i = 1; i < c->nemails; i++)
		buf_printf(&d, "%s%s", i > 1 ? " " : "", c->emails[i]);
	f[0] = c->name;
	f[1] = c->nemails ? c->emails[0] : NULL;
	f[2] = c->org_name;
	f[3] = c->role;
	f[4] = c->zone;
	f[5] = c->language;
	f[6] = d.data;
	f[7] = c->hours;
	csv_write_row(b, f, nitems(f));
	buf_free(&d);
}

static void
partnership_row(const struct dir_partnership *p, struct buf *b)
{
	const char *f[nitems(partnership_cols)];
	char date[11];
	struct buf d;
	size_t i;

	buf_init(&d);
	for (i = 0; i < p->nsupporting; i++)
		buf_printf(&d, "%s%s", i ? ";" : "", p->supporting_names[i]);
	if (p->started)
		fmt_date(p->started, date);
	f[0] = p->slug;
	f[1] = p->ua_org_name;
	f[2] = p->us_org_name;
	f[3] = p->stage;
	f[4] = p->coordinator_email;
	f[5] = p->started ? date : NULL;
	f[6] = d.data;
	csv_write_row(b, f, nitems(f));
	buf_free(&d);
}

static int
org_apply(struct db *db, struct dir_put *p, struct dir_org *o,
    const char *name, const char *v, char **err)
{
	char *s = NULL, **doms;
	size_t i, nd;
	int rc = 0;

	if (strcmp(name, "name") == 0) {
		if (clean(v, &s) == -1 || s == NULL) {
			free(s);
			return bad(p, name, err, "an organisation needs a name");
		}
		replace(&o->name, s);
	} else if (strcmp(name, "country") == 0) {
		if (clean(v, &s) == -1)
			return bad(p, name, err, "control character");
		if (s != NULL)
			for (i = 0; s[i]; i++)
				s[i] = (char)toupper((unsigned char)s[i]);
		if (s == NULL || (strcmp(s, "UA") != 0 &&
		    strcmp(s, "US") != 0)) {
			rc = bad(p, name, err, "country '%s': UA or US",
			    s ? s : "");
			free(s);
			return rc;
		}
		replace(&o->country, s);
	} else if (strcmp(name, "kind") == 0) {
		if (clean(v, &s) == -1)
			return bad(p, name, err, "control character");
		if (s != NULL)
			str_lower(s);
		if (s == NULL || !in_list(org_kinds, s)) {
			char *k = list_join(org_kinds, ", ");

			rc = bad(p, name, err, "kind '%s': one of %s",
			    s ? s : "", k);
			free(k);
			free(s);
			return rc;
		}
		replace(&o->kind, s);
	} else if (strcmp(name, "city") == 0)
		return apply_text(p, name, v, &o->city, err);
	else if (strcmp(name, "region") == 0)
		return apply_text(p, name, v, &o->region, err);
	else if (strcmp(name, "timezone") == 0)
		return apply_zone(p, name, v, &o->zone, err);
	else if (strcmp(name, "language") == 0)
		return apply_language(p, name, v, &o->language, err);
	else if (strcmp(name, "hours") == 0)
		return apply_hours(p, name, v, &o->hours, err);
	else if (strcmp(name, "domains") == 0) {
		split_words(v ? v : "", ',', &doms, &nd);
		for (i = 0; i < nd && rc == 0; i++) {
			str_lower(doms[i]);
			if (doms[i][0] == '@')
				memmove(doms[i], doms[i] + 1, strlen(doms[i]));
			if (!valid_domain(doms[i]))
				rc = bad(p, name, err, "'%s' is not a mail "
				    "domain (ASCII; write an IDN as xn--…)",
				    doms[i]);
			else if (in_list(public_domains, doms[i]))
				rc = bad(p, name, err, "%s is a public mail "
				    "provider, shared by strangers: list "
				    "these addresses on the contacts instead",
				    doms[i]);
			else if (strv_has(doms, i, doms[i]))
				rc = bad(p, name, err, "domain %s listed "
				    "twice", doms[i]);
		}
		if (rc != 0) {
			strv_free(doms, nd);
			return rc;
		}
		strv_free(o->domains, o->ndomains);
		o->domains = doms;
		o->ndomains = nd;
	} else
		return unknown_field(p, name, err);
	(void)db;
	return 0;
}

static int
org_put(struct db *db, struct dir_put *p, char **err)
{
	struct dir_org o;
	struct buf before, after;
	const char *key;
	char *name = NULL;
	int64_t id = 0, other;
	size_t i;
	int rc, ok;

	memset(&o, 0, sizeof(o));
	buf_init(&before);
	buf_init(&after);
	if (p->mode == DIR_PUT_EDIT) {
		if ((rc = directory_org_get(db, p->id, &o)) == -1)
			return db_fail(db, err, "orgs");
		if (rc == 0)
			return bad(p, NULL, err, "no organisation #%lld",
			    (long long)p->id);
		id = p->id;
	} else {
		key = field_value(p, "name");
		if (clean(key, &name) == -1 || name == NULL) {
			free(name);
			return bad(p, "name", err, "an organisation needs a "
			    "name");
		}
		rc = db_int(db, &id, "SELECT id FROM orgs WHERE name = ?", "t",
		    name);
		if (rc == -1) {
			free(name);
			return db_fail(db, err, "orgs");
		}
		if (rc == 1 && p->mode == DIR_PUT_ADD) {
			rc = bad(p, "name", err, "organisation '%s' exists",
			    name);
			free(name);
			return rc;
		}
		free(name);
		if (rc == 1 && directory_org_get(db, id, &o) != 1)
			return db_fail(db, err, "orgs");
		if (rc == 0)
			o.kind = xstrdup("other");
	}
	if (id != 0)
		org_row(&o, &before);

	for (i = 0; i < p->nfields; i++)
		if ((rc = org_apply(db, p, &o, p->fields[i].name,
		    p->fields[i].value, err)) != 0)
			goto out;
	if (o.name == NULL) {
		rc = bad(p, "name", err, "an organisation needs a name");
		goto out;
	}
	if (o.country == NULL) {
		rc = bad(p, "country", err, "an organisation needs a country "
		    "(UA or US)");
		goto out;
	}
	if (o.zone == NULL) {
		rc = bad(p, "timezone", err, "an organisation needs a time "
		    "zone (like Europe/Kyiv)");
		goto out;
	}
	if (o.language == NULL) {
		rc = bad(p, "language", err, "an organisation needs a "
		    "language (uk or en)");
		goto out;
	}
	/* A rename must not take another organisation's name. */
	rc = db_int(db, &other, "SELECT id FROM orgs WHERE name = ? AND "
	    "id != ?", "tI", o.name, id);
	if (rc == -1) {
		rc = db_fail(db, err, "orgs");
		goto out;
	}
	if (rc == 1) {
		rc = bad(p, "name", err, "organisation '%s' exists", o.name);
		goto out;
	}
	for (i = 0; i < o.ndomains; i++) {
		char *owner = NULL;
		sqlite3_stmt *st;

		if ((st = db_stmt(db, "SELECT o.name FROM org_domains d JOIN "
		    "orgs o ON o.id = d.org WHERE d.domain = ? AND d.org != ?"))
		    == NULL || db_bind(st, "tI", o.domains[i], id) == -1 ||
		    (rc = db_step(st)) == -1) {
			rc = db_fail(db, err, "org_domains");
			goto out;
		}
		if (rc == 1) {
			owner = db_col_strdup(st, 0);
			sqlite3_reset(st);
			rc = bad(p, "domains", err, "domain %s belongs to '%s'",
			    o.domains[i], owner);
			free(owner);
			goto out;
		}
	}
	org_row(&o, &after);
	p->out_id = id;
	p->created = id == 0;
	p->changed = id == 0 || before.len != after.len ||
	    memcmp(before.data, after.data, before.len) != 0;
	rc = 0;
	if (!p->changed)
		goto out;

	if (savepoint(db) == -1) {
		rc = db_fail(db, err, "savepoint");
		goto out;
	}
	if (id == 0) {
		ok = db_exec(db, "INSERT INTO orgs (name, country, kind, city, "
		    "region, zone, language, hours, created) VALUES "
		    "(?, ?, ?, ?, ?, ?, ?, ?, ?)", "ttttttttT", o.name,
		    o.country, o.kind, o.city, o.region, o.zone, o.language,
		    o.hours, clock_now()) == 0;
		id = db_last_id(db);
	} else
		ok = db_exec(db, "UPDATE orgs SET name = ?, country = ?, "
		    "kind = ?, city = ?, region = ?, zone = ?, language = ?, "
		    "hours = ? WHERE id = ?", "ttttttttI", o.name, o.country,
		    o.kind, o.city, o.region, o.zone, o.language, o.hours,
		    id) == 0;
	if (ok)
		ok = db_exec(db, "DELETE FROM org_domains WHERE org = ?", "I",
		    id) == 0;
	for (i = 0; ok && i < o.ndomains; i++)
		ok = db_exec(db, "INSERT INTO org_domains (org, domain) "
		    "VALUES (?, ?)", "It", id, o.domains[i]) == 0;
	if (!ok)
		db_fail(db, err, "orgs");
	if (release(db, ok) == -1) {
		rc = DIR_ERR_DB;
		if (*err == NULL)
			db_fail(db, err, "orgs");
		goto out;
	}
	p->out_id = id;
out:
	buf_free(&before);
	buf_free(&after);
	dir_org_free(&o);
	return rc;
}

/* Validates one address into a lower-case copy. */
static int
check_address(struct dir_put *p, const char *col, const char *v, char **out,
    char **err)
{
	char *s;

	*out = NULL;
	if (clean(v, &s) == -1 || s == NULL) {
		free(s);
		return bad(p, col, err, "an address is needed");
	}
	/* Tolerate "<a@b>" and "mailto:a@b" as spreadsheets hold them. */
	if (str_casestarts(s, "mailto:"))
		memmove(s, s + 7, strlen(s + 7) + 1);
	if (s[0] == '<' && s[strlen(s) - 1] == '>') {
		memmove(s, s + 1, strlen(s));
		s[strlen(s) - 1] = '\0';
	}
	str_lower(s);
	if (!valid_address(s)) {
		bad(p, col, err, "'%s' is not a mail address", s);
		free(s);
		return DIR_ERR_DATA;
	}
	*out = s;
	return 0;
}

static int
contact_apply(struct db *db, struct dir_put *p, struct dir_contact *c,
    const char *name, const char *v, char **err)
{
	char *s = NULL, **words;
	size_t i, nw;
	int64_t org;
	int rc = 0;

	if (strcmp(name, "name") == 0)
		return apply_text(p, name, v, &c->name, err);
	else if (strcmp(name, "email") == 0) {
		if ((rc = check_address(p, name, v, &s, err)) != 0)
			return rc;
		/* The primary goes first; it may have been a secondary. */
		for (i = 0; i < c->nemails; i++)
			if (strcmp(c->emails[i], s) == 0)
				break;
		if (i == c->nemails) {
			if (c->nemails == 0)
				strv_add(&c->emails, &c->nemails, s);
			else
				replace(&c->emails[0], xstrdup(s));
		} else if (i != 0) {
			char *t = c->emails[0];

			c->emails[0] = c->emails[i];
			c->emails[i] = t;
		}
		free(s);
	} else if (strcmp(name, "emails") == 0) {
		split_words(v ? v : "", ',', &words, &nw);
		for (i = 0; i < nw && rc == 0; i++) {
			char *a;

			if ((rc = check_address(p, name, words[i], &a, err))
			    == 0) {
				replace(&words[i], a);
				if (strv_has(words, i, a))
					rc = bad(p, name, err, "%s listed "
					    "twice", a);
			}
		}
		if (rc != 0) {
			strv_free(words, nw);
			return rc;
		}
		/* Keep the primary; the others are exactly these. */
		s = c->nemails ? xstrdup(c->emails[0]) : NULL;
		strv_free(c->emails, c->nemails);
		c->emails = NULL;
		c->nemails = 0;
		if (s != NULL)
			strv_add(&c->emails, &c->nemails, s);
		for (i = 0; i < nw; i++)
			if (s == NULL || strcmp(words[i], s) != 0)
				strv_add(&c->emails, &c->nemails, words[i]);
		free(s);
		strv_free(words, nw);
	} else if (strcmp(name, "organisation") == 0) {
		if (clean(v, &s) == -1)
			return bad(p, name, err, "control character");
		if (s == NULL) {
			c->org = 0;
			replace(&c->org_name, NULL);
			return 0;
		}
		if ((rc = org_by_name(db, s, &org)) == -1) {
			free(s);
			return db_fail(db, err, "orgs");
		}
		if (rc == 0) {
			rc = bad(p, name, err, "unknown organisation '%s'", s);
			free(s);
			return rc;
		}
		free(s);
		c->org = org;
		/* The stored spelling, so exports agree. */
		{
			struct dir_org o;

			if (directory_org_get(db, c->org, &o) != 1)
				return db_fail(db, err, "orgs");
			replace(&c->org_name, o.name);
			o.name = NULL;
			replace(&c->eff_zone, o.zone);
			o.zone = NULL;
			replace(&c->eff_language, o.language);
			o.language = NULL;
			dir_org_free(&o);
		}
	} else if (strcmp(name, "role") == 0)
		return apply_text(p, name, v, &c->role, err);
	else if (strcmp(name, "timezone") == 0)
		return apply_zone(p, name, v, &c->zone, err);
	else if (strcmp(name, "language") == 0)
		return apply_language(p, name, v, &c->language, err);
	else if (strcmp(name, "hours") == 0)
		return apply_hours(p, name, v, &c->hours, err);
	else
		return unknown_field(p, name, err);
	return 0;
}

static int
contact_put(struct db *db, struct dir_put *p, char **err)
{
	struct dir_contact c;
	struct buf before, after;
	char *key = NULL, *owner;
	int64_t id = 0, cid;
	sqlite3_stmt *st;
	size_t i;
	int rc, r, ok, was_learned = 0;

	memset(&c, 0, sizeof(c));
	buf_init(&before);
	buf_init(&after);
	if (p->mode == DIR_PUT_EDIT) {
		if ((rc = directory_contact_get(db, p->id, &c)) == -1)
			return db_fail(db, err, "contacts");
		if (rc == 0)
			return bad(p, NULL, err, "no contact #%lld",
			    (long long)p->id);
		id = p->id;
	} else {
		if ((rc = check_address(p, "email", field_value(p, "email"),
		    &key, err)) != 0)
			return rc;
		rc = directory_contact_by_email(db, key, &id, NULL);
		if (rc == -1) {
			free(key);
			return db_fail(db, err, "contacts");
		}
		if (rc == 1 && p->mode == DIR_PUT_ADD) {
			rc = bad(p, "email", err, "contact %s exists", key);
			free(key);
			return rc;
		}
		free(key);
		if (rc == 1 && directory_contact_get(db, id, &c) != 1)
			return db_fail(db, err, "contacts");
	}
	was_learned = c.learned;
	if (id != 0)
		contact_row(&c, &before);

	for (i = 0; i < p->nfields; i++)
		if ((rc = contact_apply(db, p, &c, p->fields[i].name,
		    p->fields[i].value, err)) != 0)
			goto out;
	if (c.nemails == 0) {
		rc = bad(p, "email", err, "a contact needs an address");
		goto out;
	}
	if (c.org == 0 && c.zone == NULL) {
		rc = bad(p, "timezone", err, "a contact without an "
		    "organisation needs a time zone");
		goto out;
	}
	if (c.org == 0 && c.language == NULL) {
		rc = bad(p, "language", err, "a contact without an "
		    "organisation needs a language (uk or en)");
		goto out;
	}
	for (i = 0; i < c.nemails; i++) {
		if ((st = db_stmt(db, "SELECT a.contact, coalesce(c.name, '') "
		    "FROM contact_addresses a JOIN contacts c ON c.id = "
		    "a.contact WHERE a.email = ? AND a.contact != ?")) == NULL ||
		    db_bind(st, "tI", c.emails[i], id) == -1 ||
		    (rc = db_step(st)) == -1) {
			rc = db_fail(db, err, "contacts");
			goto out;
		}
		if (rc == 1) {
			cid = sqlite3_column_int64(st, 0);
			owner = db_col_strdup(st, 1);
			sqlite3_reset(st);
			rc = bad(p, i == 0 ? "email" : "emails", err,
			    "%s belongs to contact #%lld '%s'", c.emails[i],
			    (long long)cid, owner);
			free(owner);
			goto out;
		}
	}
	contact_row(&c, &after);
	p->out_id = id;
	p->created = id == 0;
	p->changed = id == 0 || was_learned || before.len != after.len ||
	    memcmp(before.data, after.data, before.len) != 0;
	rc = 0;
	if (!p->changed)
		goto out;

	if (savepoint(db) == -1) {
		rc = db_fail(db, err, "savepoint");
		goto out;
	}
	/* An entry made by a person is no longer "learned". */
	if (id == 0) {
		ok = db_exec(db, "INSERT INTO contacts (name, org, role, zone, "
		    "language, hours, learned, created) VALUES "
		    "(?, nullif(?, 0), ?, ?, ?, ?, 0, ?)", "tIttttT", c.name,
		    c.org, c.role, c.zone, c.language, c.hours,
		    clock_now()) == 0;
		id = db_last_id(db);
	} else
		ok = db_exec(db, "UPDATE contacts SET name = ?, "
		    "org = nullif(?, 0), role = ?, zone = ?, language = ?, "
		    "hours = ?, learned = 0 WHERE id = ?", "tIttttI", c.name,
		    c.org, c.role, c.zone, c.language, c.hours, id) == 0;
	/*
	 * Addresses in order (the first is the primary). Rows that stay keep
	 * their bounce state when the order is unchanged; a reorder rewrites
	 * them, carrying the state along.
	 */
	if (ok) {
		int64_t *bouncing = xcalloc(c.nemails, sizeof(*bouncing));
		int64_t *bounced_at = xcalloc(c.nemails, sizeof(*bounced_at));

		for (i = 0; ok && i < c.nemails; i++) {
			if ((st = db_stmt(db, "SELECT bouncing, "
			    "coalesce(bounced_at, 0) FROM contact_addresses "
			    "WHERE email = ?")) == NULL ||
			    db_bind(st, "t", c.emails[i]) == -1 ||
			    (r = db_step(st)) == -1) {
				ok = 0;
				break;
			}
			if (r == 1) {
				bouncing[i] = sqlite3_column_int64(st, 0);
				bounced_at[i] = sqlite3_column_int64(st, 1);
				sqlite3_reset(st);
			}
		}
		if (ok)
			ok = db_exec(db, "DELETE FROM contact_addresses WHERE "
			    "contact = ?", "I", id) == 0;
		for (i = 0; ok && i < c.nemails; i++)
			ok = db_exec(db, "INSERT INTO contact_addresses "
			    "(contact, email, bouncing, bounced_at) VALUES "
			    "(?, ?, ?, ?)", "ItIT", id, c.emails[i],
			    bouncing[i], (time_t)bounced_at[i]) == 0;
		free(bouncing);
		free(bounced_at);
	}
	if (!ok)
		db_fail(db, err, "contacts");
	if (release(db, ok) == -1) {
		rc = DIR_ERR_DB;
		if (*err == NULL)
			db_fail(db, err, "contacts");
		goto out;
	}
	p->out_id = id;
out:
	buf_free(&before);
	buf_free(&after);
	dir_contact_free(&c);
	return rc;
}

/* A partnership's organisation column: an existing one of country. */
static int
pick_org(struct db *db, struct dir_put *p, const char *col, const char *v,
    const char *country, int64_t *id, char **name, char **err)
{
	struct dir_org o;
	char *s;
	int rc;

	if (clean(v, &s) == -1 || s == NULL) {
		free(s);
		return bad(p, col, err, "an organisation is needed");
	}
	if ((rc = org_by_name(db, s, id)) == -1) {
		free(s);
		return db_fail(db, err, "orgs");
	}
	if (rc == 0) {
		rc = bad(p, col, err, "unknown organisation '%s'", s);
		free(s);
		return rc;
	}
	free(s);
	if (directory_org_get(db, *id, &o) != 1)
		return db_fail(db, err, "orgs");
	if (country != NULL && (o.country == NULL ||
	    strcmp(o.country, country) != 0)) {
		rc = bad(p, col, err, "'%s' is not a%s organisation (its "
		    "country is %s)", o.name, strcmp(country, "UA") == 0 ?
		    " UA" : " US", o.country ? o.country : "unset");
		dir_org_free(&o);
		return rc;
	}
	replace(name, o.name);
	o.name = NULL;
	dir_org_free(&o);
	return 0;
}

static int
valid_slug(const char *s)
{
	int letter = 0;

	if (*s == '\0' || strlen(s) > 64)
		return 0;
	for (; *s; s++) {
		if (*s >= 'a' && *s <= 'z')
			letter = 1;
		else if (!isdigit((unsigned char)*s) && *s != '-')
			return 0;
	}
	return letter;
}

static int
partnership_apply(struct db *db, struct dir_put *p,
    struct dir_partnership *x, const char *name, const char *v, char **err)
{
	char *s = NULL, **words;
	size_t i, nw;
	int64_t id;
	int rc = 0;

	if (strcmp(name, "slug") == 0) {
		if (clean(v, &s) == -1 || s == NULL || !valid_slug(s)) {
			rc = bad(p, name, err, "slug '%s': lower-case letters, "
			    "digits and '-', with at least one letter",
			    s ? s : "");
			free(s);
			return rc;
		}
		replace(&x->slug, s);
	} else if (strcmp(name, "ua_org") == 0)
		return pick_org(db, p, name, v, "UA", &x->ua_org,
		    &x->ua_org_name, err);
	else if (strcmp(name, "us_org") == 0)
		return pick_org(db, p, name, v, "US", &x->us_org,
		    &x->us_org_name, err);
	else if (strcmp(name, "supporting_orgs") == 0) {
		split_words(v ? v : "", ';', &words, &nw);
		free(x->supporting);
		strv_free(x->supporting_names, x->nsupporting);
		x->supporting = xcalloc(nw ? nw : 1, sizeof(*x->supporting));
		x->supporting_names = xcalloc(nw ? nw : 1,
		    sizeof(*x->supporting_names));
		x->nsupporting = 0;
		for (i = 0; i < nw && rc == 0; i++) {
			s = NULL;
			if ((rc = pick_org(db, p, name, words[i], NULL, &id,
			    &s, err)) != 0)
				break;
			if (strv_has(x->supporting_names, x->nsupporting, s))
				rc = bad(p, name, err, "'%s' listed twice", s);
			x->supporting[x->nsupporting] = id;
			x->supporting_names[x->nsupporting++] = s;
		}
		strv_free(words, nw);
		return rc;
	} else if (strcmp(name, "stage") == 0) {
		if (clean(v, &s) == -1)
			return bad(p, name, err, "control character");
		if (s != NULL)
			str_lower(s);
		if (s == NULL || !in_list(directory_stages, s)) {
			char *k = list_join(directory_stages, ", ");

			rc = bad(p, name, err, "stage '%s': one of %s",
			    s ? s : "", k);
			free(k);
			free(s);
			return rc;
		}
		replace(&x->stage, s);
	} else if (strcmp(name, "coordinator") == 0) {
		if (clean(v, &s) == -1)
			return bad(p, name, err, "control character");
		if (s == NULL) {
			x->coordinator = 0;
			replace(&x->coordinator_email, NULL);
			return 0;
		}
		free(s);
		if ((rc = check_address(p, name, v, &s, err)) != 0)
			return rc;
		rc = directory_contact_by_email(db, s, &id, NULL);
		if (rc == 1)
			rc = directory_is_coordinator(db, p->conf, s);
		else if (rc == 0) {
			rc = bad(p, name, err, "%s is not a contact (import "
			    "the contacts first)", s);
			free(s);
			return rc;
		}
		if (rc == -1) {
			free(s);
			return db_fail(db, err, "contacts");
		}
		if (rc == 0) {
			rc = bad(p, name, err, "%s is not a coordinator: not "
			    "in [team] coordinators, nor a contact of the "
			    "team's organisation (domain %s)", s,
			    p->conf && p->conf->team_domain ?
			    p->conf->team_domain : "unset");
			free(s);
			return rc;
		}
		x->coordinator = id;
		/* The primary address, as read back. */
		{
			struct dir_contact c;

			if (directory_contact_get(db, id, &c) != 1) {
				free(s);
				return db_fail(db, err, "contacts");
			}
			replace(&x->coordinator_email, xstrdup(c.emails[0]));
			dir_contact_free(&c);
		}
		free(s);
	} else if (strcmp(name, "started") == 0) {
		if (clean(v, &s) == -1)
			return bad(p, name, err, "control character");
		if (s == NULL) {
			x->started = 0;
			return 0;
		}
		if (parse_date(s, &x->started) == -1) {
			rc = bad(p, name, err, "date '%s': YYYY-MM-DD", s);
			free(s);
			return rc;
		}
		free(s);
	} else
		return unknown_field(p, name, err);
	return 0;
}

static int
partnership_put(struct db *db, struct dir_put *p, char **err)
{
	struct dir_partnership x;
	struct buf before, after;
	char *key = NULL, *old_stage = NULL, *detail;
	const char *actor = p->actor ? p->actor : "cli";
	int64_t id = 0, other;
	size_t i;
	int rc, ok;

	memset(&x, 0, sizeof(x));
	buf_init(&before);
	buf_init(&after);
	if (p->mode == DIR_PUT_EDIT) {
		if ((rc = directory_partnership_by_id(db, p->id, &x)) == -1)
			return db_fail(db, err, "partnerships");
		if (rc == 0)
			return bad(p, NULL, err, "no partnership #%lld",
			    (long long)p->id);
		id = p->id;
	} else {
		if (clean(field_value(p, "slug"), &key) == -1 || key == NULL ||
		    !valid_slug(key)) {
			rc = bad(p, "slug", err, "slug '%s': lower-case "
			    "letters, digits and '-', with at least one letter",
			    key ? key : "");
			free(key);
			return rc;
		}
		rc = directory_partnership_by_slug(db, key, &id);
		if (rc == -1) {
			free(key);
			return db_fail(db, err, "partnerships");
		}
		if (rc == 1 && p->mode == DIR_PUT_ADD) {
			rc = bad(p, "slug", err, "partnership %s exists", key);
			free(key);
			return rc;
		}
		free(key);
		if (rc == 1 && directory_partnership_by_id(db, id, &x) != 1)
			return db_fail(db, err, "partnerships");
		if (rc == 0)
			x.stage = xstrdup("prospect");
	}
	if (id != 0) {
		partnership_row(&x, &before);
		old_stage = xstrdup(x.stage);
	}
	for (i = 0; i < p->nfields; i++)
		if ((rc = partnership_apply(db, p, &x, p->fields[i].name,
		    p->fields[i].value, err)) != 0)
			goto out;
	if (x.ua_org == 0) {
		rc = bad(p, "ua_org", err, "a partnership needs its UA "
		    "organisation");
		goto out;
	}
	if (x.us_org == 0) {
		rc = bad(p, "us_org", err, "a partnership needs its US "
		    "organisation");
		goto out;
	}
	for (i = 0; i < x.nsupporting; i++)
		if (x.supporting[i] == x.ua_org || x.supporting[i] == x.us_org) {
			rc = bad(p, "supporting_orgs", err, "'%s' is already "
			    "the partnership's %s organisation",
			    x.supporting_names[i],
			    x.supporting[i] == x.ua_org ? "UA" : "US");
			goto out;
		}
	rc = db_int(db, &other, "SELECT id FROM partnerships WHERE slug = ? "
	    "AND id != ?", "tI", x.slug, id);
	if (rc == -1) {
		rc = db_fail(db, err, "partnerships");
		goto out;
	}
	if (rc == 1) {
		rc = bad(p, "slug", err, "partnership %s exists", x.slug);
		goto out;
	}
	partnership_row(&x, &after);
	p->out_id = id;
	p->created = id == 0;
	p->changed = id == 0 || before.len != after.len ||
	    memcmp(before.data, after.data, before.len) != 0;
	rc = 0;
	if (!p->changed)
		goto out;

	if (savepoint(db) == -1) {
		rc = db_fail(db, err, "savepoint");
		goto out;
	}
	if (id == 0) {
		ok = db_exec(db, "INSERT INTO partnerships (slug, ua_org, "
		    "us_org, stage, coordinator, started, created) VALUES "
		    "(?, ?, ?, ?, nullif(?, 0), ?, ?)", "tIItITT", x.slug,
		    x.ua_org, x.us_org, x.stage, x.coordinator, x.started,
		    clock_now()) == 0;
		id = db_last_id(db);
	} else
		ok = db_exec(db, "UPDATE partnerships SET slug = ?, "
		    "ua_org = ?, us_org = ?, stage = ?, "
		    "coordinator = nullif(?, 0), started = ? WHERE id = ?",
		    "tIItITI", x.slug, x.ua_org, x.us_org, x.stage,
		    x.coordinator, x.started, id) == 0;
	if (ok)
		ok = db_exec(db, "DELETE FROM partnership_orgs WHERE "
		    "partnership = ?", "I", id) == 0;
	for (i = 0; ok && i < x.nsupporting; i++)
		ok = db_exec(db, "INSERT INTO partnership_orgs (partnership, "
		    "org) VALUES (?, ?)", "II", id, x.supporting[i]) == 0;
	if (ok && (old_stage == NULL || strcmp(old_stage, x.stage) != 0))
		ok = db_exec(db, "INSERT INTO stage_history (partnership, "
		    "stage, at, actor) VALUES (?, ?, ?, ?)", "ItTt", id,
		    x.stage, clock_now(), actor) == 0;
	if (ok && old_stage != NULL && strcmp(old_stage, x.stage) != 0) {
		char *object = xasprintf("partnership:%lld", (long long)id);

		detail = xasprintf("%s -> %s", old_stage, x.stage);
		ok = db_exec(db, "INSERT INTO events (at, actor, action, "
		    "object, detail) VALUES (?, ?, 'stage', ?, ?)", "Tttt",
		    clock_now(), actor, object, detail) == 0;
		free(object);
		free(detail);
	}
	if (!ok)
		db_fail(db, err, "partnerships");
	if (release(db, ok) == -1) {
		rc = DIR_ERR_DB;
		if (*err == NULL)
			db_fail(db, err, "partnerships");
		goto out;
	}
	p->out_id = id;
out:
	free(old_stage);
	buf_free(&before);
	buf_free(&after);
	dir_partnership_free(&x);
	return rc;
}

int
directory_put(struct db *db, struct dir_put *p, char **err)
{
	*err = NULL;
	p->out_id = 0;
	p->created = p->changed = 0;
	p->bad_field = NULL;
	switch (p->kind) {
	case DIR_ORGS:
		return org_put(db, p, err);
	case DIR_CONTACTS:
		return contact_put(db, p, err);
	case DIR_PARTNERSHIPS:
		return partnership_put(db, p, err);
	}
	return bad(p, NULL, err, "unknown kind");
}

/* ---- import and export -------------------------------------------------- */

int
directory_import(struct db *db, const struct config *conf, enum dir_kind k,
    const char *name, const char *data, size_t len,
    struct dir_import_stats *stats, char **err)
{
	const struct kind_info *ki = &kinds[k];
	struct dir_field *fields = NULL;
	struct dir_put put;
	struct csv *c;
	char **rec, *msg = NULL, **keys = NULL, *key;
	const char **header = NULL;
	size_t nf, nheader = 0, i, j, *key_lines = NULL, nkeys = 0, line, col;
	int rc = DIR_ERR_DATA, r;

	*err = NULL;
	memset(stats, 0, sizeof(*stats));
	c = csv_open(data, len);
	if ((r = csv_read(c, &rec, &nf)) <= 0) {
		if (r == 0)
			set_err(err, "%s: empty file: no header row", name);
		else {
			msg = (char *)csv_error(c, &line, &col);
			set_err(err, "%s:%zu: column %zu: %s", name, line, col,
			    msg);
		}
		csv_close(c);
		return DIR_ERR_DATA;
	}
	header = xcalloc(nf, sizeof(*header));
	nheader = nf;
	for (i = 0; i < nf; i++) {
		char *h = xstrdup(rec[i]);

		str_trim(h);
		str_lower(h);
		header[i] = colname(k, h);
		if (header[i] == NULL) {
			struct buf b;

			buf_init(&b);
			for (j = 0; j < ki->ncols; j++)
				buf_printf(&b, "%s%s", j ? " " : "",
				    ki->cols[j]);
			set_err(err, "%s:%zu: unknown column '%s' (%s has: %s)",
			    name, csv_line(c), h, ki->name, b.data);
			buf_free(&b);
			free(h);
			goto out;
		}
		free(h);
		for (j = 0; j < i; j++)
			if (header[j] == header[i]) {
				set_err(err, "%s:%zu: column %s appears twice",
				    name, csv_line(c), header[i]);
				goto out;
			}
	}
	for (i = 0; i < ki->nrequired; i++) {
		for (j = 0; j < nheader; j++)
			if (header[j] == ki->cols[i])
				break;
		if (j == nheader) {
			set_err(err, "%s:%zu: missing column %s", name,
			    csv_line(c), ki->cols[i]);
			goto out;
		}
	}
	fields = xcalloc(nheader, sizeof(*fields));

	if (db_begin(db) == -1) {
		set_err(err, "%s: database: %s", name, db_errmsg(db));
		rc = DIR_ERR_DB;
		goto out;
	}
	while ((r = csv_read(c, &rec, &nf)) == 1) {
		line = csv_line(c);
		if (nf != nheader) {
			set_err(err, "%s:%zu: %zu fields, but the header has "
			    "%zu", name, line, nf, nheader);
			goto rollback;
		}
		for (i = 0; i < nf; i++) {
			fields[i].name = header[i];
			fields[i].value = rec[i];
		}
		/* The same key twice in one file is a mistake, not an update. */
		key = NULL;
		for (i = 0; i < nf; i++)
			if (header[i] == ki->cols[k == DIR_CONTACTS ? 1 : 0])
				key = xstrdup(rec[i]);
		if (key != NULL) {
			str_trim(key);
			if (k != DIR_ORGS)
				str_lower(key);
			for (i = 0; i < nkeys; i++)
				if (strcmp(keys[i], key) == 0)
					break;
			if (i < nkeys) {
				set_err(err, "%s:%zu: column %s: '%s' is "
				    "already on line %zu", name, line,
				    ki->cols[k == DIR_CONTACTS ? 1 : 0], key,
				    key_lines[i]);
				free(key);
				goto rollback;
			}
			keys = xreallocarray(keys, nkeys + 1, sizeof(*keys));
			key_lines = xreallocarray(key_lines, nkeys + 1,
			    sizeof(*key_lines));
			keys[nkeys] = key;
			key_lines[nkeys++] = line;
		}
		memset(&put, 0, sizeof(put));
		put.kind = k;
		put.mode = DIR_PUT_UPSERT;
		put.fields = fields;
		put.nfields = nf;
		put.conf = conf;
		put.actor = "import";
		if ((r = directory_put(db, &put, &msg)) != 0) {
			if (put.bad_field != NULL)
				set_err(err, "%s:%zu: column %s: %s", name,
				    line, put.bad_field, msg);
			else
				set_err(err, "%s:%zu: %s", name, line, msg);
			free(msg);
			msg = NULL;
			if (r == DIR_ERR_DB)
				rc = DIR_ERR_DB;
			goto rollback;
		}
		stats->rows++;
		if (put.created)
			stats->added++;
		else if (put.changed)
			stats->updated++;
		else
			stats->unchanged++;
	}
	if (r == -1) {
		const char *m = csv_error(c, &line, &col);

		if (col <= nheader)
			set_err(err, "%s:%zu: column %s: %s", name, line,
			    header[col - 1], m);
		else
			set_err(err, "%s:%zu: column %zu: %s", name, line, col,
			    m);
		goto rollback;
	}
	if (stats->added + stats->updated > 0) {
		char *detail = xasprintf("%s %s: %zu rows, %zu added, %zu "
		    "updated", ki->name, name, stats->rows, stats->added,
		    stats->updated);

		r = db_exec(db, "INSERT INTO events (at, actor, action, "
		    "object, detail) VALUES (?, 'import', 'import', ?, ?)",
		    "Ttt", clock_now(), ki->name, detail);
		free(detail);
		if (r == -1) {
			set_err(err, "%s: database: %s", name, db_errmsg(db));
			rc = DIR_ERR_DB;
			goto rollback;
		}
	}
	if (db_commit(db) == -1) {
		set_err(err, "%s: database: commit: %s", name, db_errmsg(db));
		rc = DIR_ERR_DB;
		goto rollback;
	}
	rc = 0;
	goto out;

rollback:
	db_rollback(db);
	memset(stats, 0, sizeof(*stats));
out:
	for (i = 0; i < nkeys; i++)
		free(keys[i]);
	free(keys);
	free(key_lines);
	free(fields);
	free(header);
	csv_close(c);
	return rc;
}

int
directory_export(struct db *db, enum dir_kind k, struct buf *out, char **err)
{
	size_t i, n;

	*err = NULL;
	csv_write_row(out, kinds[k].cols, kinds[k].ncols);
	switch (k) {
	case DIR_ORGS: {
		struct dir_org *v;

		if (directory_org_list(db, &v, &n) == -1)
			break;
		for (i = 0; i < n; i++)
			org_row(&v[i], out);
		dir_org_list_free(v, n);
		return 0;
	}
	case DIR_CONTACTS: {
		struct dir_contact *v;

		if (directory_contact_list(db, &v, &n) == -1)
			break;
		for (i = 0; i < n; i++)
			contact_row(&v[i], out);
		dir_contact_list_free(v, n);
		return 0;
	}
	case DIR_PARTNERSHIPS: {
		struct dir_partnership *v;

		if (directory_partnership_list(db, &v, &n) == -1)
			break;
		for (i = 0; i < n; i++)
			partnership_row(&v[i], out);
		dir_partnership_list_free(v, n);
		return 0;
	}
	}
	db_fail(db, err, kinds[k].name);
	return -1;
}

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
	if (!valid_address(e)) {
		set_err(err, "'%s' is not a mail address", e);
		free(e);
		return DIR_ERR_DATA;
	}
	if (db_begin(db) == -1) {
		free(e);
		return db_fail(db, err, "begin");
	}
	if ((rc = directory_contact_by_email(db, e, &contact, NULL)) == -1)
		goto fail;
	if (rc == 1) {
		if ((st = db_stmt(db, "SELECT email FROM contact_addresses "
		    "WHERE contact = ? ORDER BY id")) == NULL ||
		    db_bind(st, "I", contact) == -1 ||
		    strings_of(st, &addrs, &naddrs) == -1)
			goto fail;
		stats->contact = contact;
		stats->addresses = naddrs;
	} else
		strv_add(&addrs, &naddrs, e);

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
	strv_free(addrs, naddrs);
	free(e);
	return 0;
fail:
	db_fail(db, err, "forget");
	db_rollback(db);
	strv_free(addrs, naddrs);
	free(e);
	memset(stats, 0, sizeof(*stats));
	return DIR_ERR_DB;
}
