/*
 * directory: organisations, contacts, partnerships — the tables, the
 * small validators every writer shares, and the look-ups that finding,
 * threading and matching ask (by name, address, domain, slug).
 *
 * A write (dirput.c) loads the record (or starts an empty one), applies the
 * given fields through one validator per column (dirfield.c) — the same
 * for `mistok org add` and for a CSV row (dirio.c), so both say the same
 * thing about the same mistake — checks what spans records, and writes
 * under a SAVEPOINT. Reading whole records is dirget.c; erasing a person
 * is forget.c.
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
#include "util.h"

const char *const directory_stages[] = {
	"prospect", "contacted", "introduced", "meeting_held", "planning",
	"joint_projects", "dormant", "closed", NULL,
};

const char *const dir_org_kinds[] = {
	"municipality", "volunteer", "diplomatic", "ngo", "other", NULL,
};

/*
 * The CSV columns, required ones first (DESIGN.md "Directory import"); the
 * order is the export's. Pointers into these tables are the static
 * bad_field names.
 */
const char *const dir_org_cols[DIR_ORG_NCOLS] = {
	"name", "country", "kind", "city", "region", "timezone", "language",
	"domains", "hours",
};
const char *const dir_contact_cols[DIR_CONTACT_NCOLS] = {
	"name", "email", "organisation", "role", "timezone", "language",
	"emails", "hours",
};
const char *const dir_partnership_cols[DIR_PARTNERSHIP_NCOLS] = {
	"slug", "ua_org", "us_org", "stage", "coordinator", "started",
	"supporting_orgs",
};

const struct dir_kind_info dir_kinds[DIR_NKINDS] = {
	[DIR_ORGS] = { "orgs", "organisation", dir_org_cols,
	    nitems(dir_org_cols), 8 },
	[DIR_CONTACTS] = { "contacts", "contact", dir_contact_cols,
	    nitems(dir_contact_cols), 6 },
	[DIR_PARTNERSHIPS] = { "partnerships", "partnership",
	    dir_partnership_cols, nitems(dir_partnership_cols), 6 },
};

/* Free mail providers: a domain shared by strangers must not map to an
 * organisation, or every gmail.com sender would join it. */
const char *const dir_public_domains[] = {
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
	return dir_kinds[k].name;
}

/* ---- small helpers ------------------------------------------------------ */

int
dir_in_list(const char *const *list, const char *s)
{
	for (; *list != NULL; list++)
		if (strcmp(*list, s) == 0)
			return 1;
	return 0;
}

char *
dir_list_join(const char *const *list, const char *sep)
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

const char *
dir_colname(enum dir_kind k, const char *name)
{
	size_t i;

	for (i = 0; i < dir_kinds[k].ncols; i++)
		if (strcmp(dir_kinds[k].cols[i], name) == 0)
			return dir_kinds[k].cols[i];
	return NULL;
}

void
dir_set_err(char **err, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return;
	free(*err);
	va_start(ap, fmt);
	*err = xvasprintf(fmt, ap);
	va_end(ap);
}

int
dir_db_fail(struct db *db, char **err, const char *what)
{
	dir_set_err(err, "database: %s: %s", what, db_errmsg(db));
	return DIR_ERR_DB;
}

/* Replaces *slot with s (owned), freeing the old value. */
void
dir_replace(char **slot, char *s)
{
	free(*slot);
	*slot = s;
}

void
dir_strv_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
dir_strv_add(char ***v, size_t *n, const char *s)
{
	*v = xreallocarray(*v, *n + 1, sizeof(**v));
	(*v)[(*n)++] = xstrdup(s);
}

int
dir_strv_has(char **v, size_t n, const char *s)
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
int
dir_valid_domain(const char *d)
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
int
dir_valid_address(const char *a)
{
	const char *at = strrchr(a, '@'), *p;

	if (at == NULL || at == a || strchr(a, '@') != at || at - a > 64)
		return 0;
	for (p = a; p < at; p++)
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f ||
		    strchr("<>()[],;:\\\"", *p) != NULL)
			return 0;
	return dir_valid_domain(at + 1);
}

/* A trimmed copy, NULL for an empty value; -1 on a control character. */
int
dir_clean(const char *v, char **out)
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
int
dir_parse_date(const char *s, time_t *out)
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

void
dir_fmt_date(time_t t, char out[11])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

/* Splits on white space (and sep, when not 0) into trimmed words. */
void
dir_split_words(const char *s, int sep, char ***v, size_t *n)
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
			dir_strv_add(v, n, w);
		free(w);
		if (*p == ',' && sep != ';')
			p++;
	}
}

int
dir_savepoint(struct db *db)
{
	return db_savepoint(db, "directory");
}

int
dir_release(struct db *db, int ok)
{
	return db_release(db, "directory", ok);
}

/* ---- finding ------------------------------------------------------------ */

/* An organisation by name: exact, else the only case-insensitive match. */
int
dir_org_by_name(struct db *db, const char *name, int64_t *id)
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
	    dir_ids_of(st, &ids, &n) == -1)
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
		rc = dir_org_by_name(db, key, id);
	else if (k == DIR_PARTNERSHIPS)
		rc = directory_partnership_by_slug(db, key, id);
	else if (strchr(key, '@') != NULL)
		rc = directory_contact_by_email(db, key, id, NULL);
	else {
		if ((st = db_stmt(db, "SELECT id FROM contacts WHERE name = ? "
		    "COLLATE NOCASE ORDER BY id")) == NULL ||
		    db_bind(st, "t", key) == -1 || dir_ids_of(st, &ids, &n) == -1)
			rc = -1;
		else if (n > 1) {
			dir_set_err(err, "%zu contacts are named '%s'; use an "
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
		dir_db_fail(db, err, "find");
		return -1;
	}
	if (rc == 0)
		dir_set_err(err, "no %s '%s'", dir_kinds[k].one, key);
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
	    dir_ids_of(st, ids, n) == -1)
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
	if (!dir_valid_address(e)) {
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
	if (name != NULL && dir_clean(name, &n) == -1)
		n = NULL;
	if (dir_savepoint(db) == -1) {
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
	if (dir_release(db, rc) == -1)
		return -1;
	if (id != NULL)
		*id = cid;
	log_trace(TRACE_THREAD, "directory: learned contact %lld",
	    (long long)cid);
	return 1;
}

/* ---- writing ------------------------------------------------------------ */
