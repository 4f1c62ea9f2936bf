/*
 * dirfield: one validator per column, applied to a record being written —
 * org, contact and partnership fields, with the error naming the column —
 * and each record as its CSV row, the form records are compared in.
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

const char *
dir_field_value(const struct dir_put *p, const char *name)
{
	size_t i;
	const char *v = NULL;

	for (i = 0; i < p->nfields; i++)
		if (strcmp(p->fields[i].name, name) == 0)
			v = p->fields[i].value;
	return v;
}

int
dir_bad(struct dir_put *p, const char *col, char **err, const char *fmt, ...)
{
	va_list ap;

	p->bad_field = col != NULL ? dir_colname(p->kind, col) : NULL;
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

	if (dir_clean(v, &s) == -1)
		return dir_bad(p, col, err, "control character in the value");
	if (s == NULL) {
		dir_replace(slot, NULL);
		return 0;
	}
	if ((z = config_canonical_zone(s)) == NULL) {
		dir_bad(p, col, err, "unknown zone '%s'", s);
		free(s);
		return DIR_ERR_DATA;
	}
	dir_replace(slot, xstrdup(z));
	free(s);
	return 0;
}

static int
apply_language(struct dir_put *p, const char *col, const char *v,
    char **slot, char **err)
{
	char *s;

	if (dir_clean(v, &s) == -1)
		return dir_bad(p, col, err, "control character in the value");
	if (s != NULL) {
		str_lower(s);
		if (strcmp(s, "uk") != 0 && strcmp(s, "en") != 0) {
			dir_bad(p, col, err, "language '%s': uk or en", s);
			free(s);
			return DIR_ERR_DATA;
		}
	}
	dir_replace(slot, s);
	return 0;
}

static int
apply_hours(struct dir_put *p, const char *col, const char *v, char **slot,
    char **err)
{
	struct hours h;
	char *s;

	if (dir_clean(v, &s) == -1)
		return dir_bad(p, col, err, "control character in the value");
	if (s != NULL && config_parse_hours(s, &h) == -1) {
		dir_bad(p, col, err, "hours '%s' not understood (like "
		    "Mon-Fri 09:00-17:00, Sat 10:00-14:00)", s);
		free(s);
		return DIR_ERR_DATA;
	}
	dir_replace(slot, s);
	return 0;
}

static int
apply_text(struct dir_put *p, const char *col, const char *v, char **slot,
    char **err)
{
	char *s;

	if (dir_clean(v, &s) == -1)
		return dir_bad(p, col, err, "control character in the value");
	if (s != NULL && strlen(s) > 500) {
		free(s);
		return dir_bad(p, col, err, "longer than 500 bytes");
	}
	dir_replace(slot, s);
	return 0;
}

static int
unknown_field(struct dir_put *p, const char *name, char **err)
{
	char *known = NULL;
	struct buf b;
	size_t i;

	buf_init(&b);
	for (i = 0; i < dir_kinds[p->kind].ncols; i++)
		buf_printf(&b, "%s%s", i ? " " : "", dir_kinds[p->kind].cols[i]);
	known = buf_steal(&b);
	dir_bad(p, NULL, err, "unknown column '%s' (%s has: %s)", name,
	    dir_kinds[p->kind].name, known);
	free(known);
	return DIR_ERR_DATA;
}

/* The record as its CSV row: the change test and the export. */
void
dir_org_row(const struct dir_org *o, struct buf *b)
{
	const char *f[nitems(dir_org_cols)];
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

void
dir_contact_row(const struct dir_contact *c, struct buf *b)
{
	const char *f[nitems(dir_contact_cols)];
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

void
dir_partnership_row(const struct dir_partnership *p, struct buf *b)
{
	const char *f[nitems(dir_partnership_cols)];
	char date[11];
	struct buf d;
	size_t i;

	buf_init(&d);
	for (i = 0; i < p->nsupporting; i++)
		buf_printf(&d, "%s%s", i ? ";" : "", p->supporting_names[i]);
	if (p->started)
		dir_fmt_date(p->started, date);
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

int
dir_org_apply(struct db *db, struct dir_put *p, struct dir_org *o,
    const char *name, const char *v, char **err)
{
	char *s = NULL, **doms;
	size_t i, nd;
	int rc = 0;

	if (strcmp(name, "name") == 0) {
		if (dir_clean(v, &s) == -1 || s == NULL) {
			free(s);
			return dir_bad(p, name, err, "an organisation needs a name");
		}
		dir_replace(&o->name, s);
	} else if (strcmp(name, "country") == 0) {
		if (dir_clean(v, &s) == -1)
			return dir_bad(p, name, err, "control character");
		if (s != NULL)
			for (i = 0; s[i]; i++)
				s[i] = (char)toupper((unsigned char)s[i]);
		if (s == NULL || (strcmp(s, "UA") != 0 &&
		    strcmp(s, "US") != 0)) {
			rc = dir_bad(p, name, err, "country '%s': UA or US",
			    s ? s : "");
			free(s);
			return rc;
		}
		dir_replace(&o->country, s);
	} else if (strcmp(name, "kind") == 0) {
		if (dir_clean(v, &s) == -1)
			return dir_bad(p, name, err, "control character");
		if (s != NULL)
			str_lower(s);
		if (s == NULL || !dir_in_list(dir_org_kinds, s)) {
			char *k = dir_list_join(dir_org_kinds, ", ");

			rc = dir_bad(p, name, err, "kind '%s': one of %s",
			    s ? s : "", k);
			free(k);
			free(s);
			return rc;
		}
		dir_replace(&o->kind, s);
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
		dir_split_words(v ? v : "", ',', &doms, &nd);
		for (i = 0; i < nd && rc == 0; i++) {
			str_lower(doms[i]);
			if (doms[i][0] == '@')
				memmove(doms[i], doms[i] + 1, strlen(doms[i]));
			if (!dir_valid_domain(doms[i]))
				rc = dir_bad(p, name, err, "'%s' is not a mail "
				    "domain (ASCII; write an IDN as xn--…)",
				    doms[i]);
			else if (dir_in_list(dir_public_domains, doms[i]))
				rc = dir_bad(p, name, err, "%s is a public mail "
				    "provider, shared by strangers: list "
				    "these addresses on the contacts instead",
				    doms[i]);
			else if (dir_strv_has(doms, i, doms[i]))
				rc = dir_bad(p, name, err, "domain %s listed "
				    "twice", doms[i]);
		}
		if (rc != 0) {
			dir_strv_free(doms, nd);
			return rc;
		}
		dir_strv_free(o->domains, o->ndomains);
		o->domains = doms;
		o->ndomains = nd;
	} else
		return unknown_field(p, name, err);
	(void)db;
	return 0;
}

/* Validates one address into a lower-case copy. */
int
dir_check_address(struct dir_put *p, const char *col, const char *v, char **out,
    char **err)
{
	char *s;

	*out = NULL;
	if (dir_clean(v, &s) == -1 || s == NULL) {
		free(s);
		return dir_bad(p, col, err, "an address is needed");
	}
	/* Tolerate "<a@b>" and "mailto:a@b" as spreadsheets hold them. */
	if (str_casestarts(s, "mailto:"))
		memmove(s, s + 7, strlen(s + 7) + 1);
	if (s[0] == '<' && s[strlen(s) - 1] == '>') {
		memmove(s, s + 1, strlen(s));
		s[strlen(s) - 1] = '\0';
	}
	str_lower(s);
	if (!dir_valid_address(s)) {
		dir_bad(p, col, err, "'%s' is not a mail address", s);
		free(s);
		return DIR_ERR_DATA;
	}
	*out = s;
	return 0;
}

int
dir_contact_apply(struct db *db, struct dir_put *p, struct dir_contact *c,
    const char *name, const char *v, char **err)
{
	char *s = NULL, **words;
	size_t i, nw;
	int64_t org;
	int rc = 0;

	if (strcmp(name, "name") == 0)
		return apply_text(p, name, v, &c->name, err);
	else if (strcmp(name, "email") == 0) {
		if ((rc = dir_check_address(p, name, v, &s, err)) != 0)
			return rc;
		/* The primary goes first; it may have been a secondary. */
		for (i = 0; i < c->nemails; i++)
			if (strcmp(c->emails[i], s) == 0)
				break;
		if (i == c->nemails) {
			if (c->nemails == 0)
				dir_strv_add(&c->emails, &c->nemails, s);
			else
				dir_replace(&c->emails[0], xstrdup(s));
		} else if (i != 0) {
			char *t = c->emails[0];

			c->emails[0] = c->emails[i];
			c->emails[i] = t;
		}
		free(s);
	} else if (strcmp(name, "emails") == 0) {
		dir_split_words(v ? v : "", ',', &words, &nw);
		for (i = 0; i < nw && rc == 0; i++) {
			char *a;

			if ((rc = dir_check_address(p, name, words[i], &a, err))
			    == 0) {
				dir_replace(&words[i], a);
				if (dir_strv_has(words, i, a))
					rc = dir_bad(p, name, err, "%s listed "
					    "twice", a);
			}
		}
		if (rc != 0) {
			dir_strv_free(words, nw);
			return rc;
		}
		/* Keep the primary; the others are exactly these. */
		s = c->nemails ? xstrdup(c->emails[0]) : NULL;
		dir_strv_free(c->emails, c->nemails);
		c->emails = NULL;
		c->nemails = 0;
		if (s != NULL)
			dir_strv_add(&c->emails, &c->nemails, s);
		for (i = 0; i < nw; i++)
			if (s == NULL || strcmp(words[i], s) != 0)
				dir_strv_add(&c->emails, &c->nemails, words[i]);
		free(s);
		dir_strv_free(words, nw);
	} else if (strcmp(name, "organisation") == 0) {
		if (dir_clean(v, &s) == -1)
			return dir_bad(p, name, err, "control character");
		if (s == NULL) {
			c->org = 0;
			dir_replace(&c->org_name, NULL);
			return 0;
		}
		if ((rc = dir_org_by_name(db, s, &org)) == -1) {
			free(s);
			return dir_db_fail(db, err, "orgs");
		}
		if (rc == 0) {
			rc = dir_bad(p, name, err, "unknown organisation '%s'", s);
			free(s);
			return rc;
		}
		free(s);
		c->org = org;
		/* The stored spelling, so exports agree. */
		{
			struct dir_org o;

			if (directory_org_get(db, c->org, &o) != 1)
				return dir_db_fail(db, err, "orgs");
			dir_replace(&c->org_name, o.name);
			o.name = NULL;
			dir_replace(&c->eff_zone, o.zone);
			o.zone = NULL;
			dir_replace(&c->eff_language, o.language);
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

/* A partnership's organisation column: an existing one of country. */
static int
pick_org(struct db *db, struct dir_put *p, const char *col, const char *v,
    const char *country, int64_t *id, char **name, char **err)
{
	struct dir_org o;
	char *s;
	int rc;

	if (dir_clean(v, &s) == -1 || s == NULL) {
		free(s);
		return dir_bad(p, col, err, "an organisation is needed");
	}
	if ((rc = dir_org_by_name(db, s, id)) == -1) {
		free(s);
		return dir_db_fail(db, err, "orgs");
	}
	if (rc == 0) {
		rc = dir_bad(p, col, err, "unknown organisation '%s'", s);
		free(s);
		return rc;
	}
	free(s);
	if (directory_org_get(db, *id, &o) != 1)
		return dir_db_fail(db, err, "orgs");
	if (country != NULL && (o.country == NULL ||
	    strcmp(o.country, country) != 0)) {
		rc = dir_bad(p, col, err, "'%s' is not a%s organisation (its "
		    "country is %s)", o.name, strcmp(country, "UA") == 0 ?
		    " UA" : " US", o.country ? o.country : "unset");
		dir_org_free(&o);
		return rc;
	}
	dir_replace(name, o.name);
	o.name = NULL;
	dir_org_free(&o);
	return 0;
}

int
dir_valid_slug(const char *s)
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

int
dir_partnership_apply(struct db *db, struct dir_put *p,
    struct dir_partnership *x, const char *name, const char *v, char **err)
{
	char *s = NULL, **words;
	size_t i, nw;
	int64_t id;
	int rc = 0;

	if (strcmp(name, "slug") == 0) {
		if (dir_clean(v, &s) == -1 || s == NULL || !dir_valid_slug(s)) {
			rc = dir_bad(p, name, err, "slug '%s': lower-case letters, "
			    "digits and '-', with at least one letter",
			    s ? s : "");
			free(s);
			return rc;
		}
		dir_replace(&x->slug, s);
	} else if (strcmp(name, "ua_org") == 0)
		return pick_org(db, p, name, v, "UA", &x->ua_org,
		    &x->ua_org_name, err);
	else if (strcmp(name, "us_org") == 0)
		return pick_org(db, p, name, v, "US", &x->us_org,
		    &x->us_org_name, err);
	else if (strcmp(name, "supporting_orgs") == 0) {
		dir_split_words(v ? v : "", ';', &words, &nw);
		free(x->supporting);
		dir_strv_free(x->supporting_names, x->nsupporting);
		x->supporting = xcalloc(nw ? nw : 1, sizeof(*x->supporting));
		x->supporting_names = xcalloc(nw ? nw : 1,
		    sizeof(*x->supporting_names));
		x->nsupporting = 0;
		for (i = 0; i < nw && rc == 0; i++) {
			s = NULL;
			if ((rc = pick_org(db, p, name, words[i], NULL, &id,
			    &s, err)) != 0)
				break;
			if (dir_strv_has(x->supporting_names, x->nsupporting, s))
				rc = dir_bad(p, name, err, "'%s' listed twice", s);
			x->supporting[x->nsupporting] = id;
			x->supporting_names[x->nsupporting++] = s;
		}
		dir_strv_free(words, nw);
		return rc;
	} else if (strcmp(name, "stage") == 0) {
		if (dir_clean(v, &s) == -1)
			return dir_bad(p, name, err, "control character");
		if (s != NULL)
			str_lower(s);
		if (s == NULL || !dir_in_list(directory_stages, s)) {
			char *k = dir_list_join(directory_stages, ", ");

			rc = dir_bad(p, name, err, "stage '%s': one of %s",
			    s ? s : "", k);
			free(k);
			free(s);
			return rc;
		}
		dir_replace(&x->stage, s);
	} else if (strcmp(name, "coordinator") == 0) {
		if (dir_clean(v, &s) == -1)
			return dir_bad(p, name, err, "control character");
		if (s == NULL) {
			x->coordinator = 0;
			dir_replace(&x->coordinator_email, NULL);
			return 0;
		}
		free(s);
		if ((rc = dir_check_address(p, name, v, &s, err)) != 0)
			return rc;
		rc = directory_contact_by_email(db, s, &id, NULL);
		if (rc == 1)
			rc = directory_is_coordinator(db, p->conf, s);
		else if (rc == 0) {
			rc = dir_bad(p, name, err, "%s is not a contact (import "
			    "the contacts first)", s);
			free(s);
			return rc;
		}
		if (rc == -1) {
			free(s);
			return dir_db_fail(db, err, "contacts");
		}
		if (rc == 0) {
			rc = dir_bad(p, name, err, "%s is not a coordinator: not "
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
				return dir_db_fail(db, err, "contacts");
			}
			dir_replace(&x->coordinator_email, xstrdup(c.emails[0]));
			dir_contact_free(&c);
		}
		free(s);
	} else if (strcmp(name, "started") == 0) {
		if (dir_clean(v, &s) == -1)
			return dir_bad(p, name, err, "control character");
		if (s == NULL) {
			x->started = 0;
			return 0;
		}
		if (dir_parse_date(s, &x->started) == -1) {
			rc = dir_bad(p, name, err, "date '%s': YYYY-MM-DD", s);
			free(s);
			return rc;
		}
		free(s);
	} else
		return unknown_field(p, name, err);
	return 0;
}
