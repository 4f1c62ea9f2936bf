/*
 * dirget: whole directory records read back (an org with its domains, a
 * contact with its addresses, a partnership with its supporting orgs and
 * stage history), the lists of them, and freeing them; and the light
 * partnership columns the reminder scheduler walks every minute.
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
	dir_strv_free(o->domains, o->ndomains);
	memset(o, 0, sizeof(*o));
}

void
dir_contact_free(struct dir_contact *c)
{
	if (c == NULL)
		return;
	free(c->name);
	dir_strv_free(c->emails, c->nemails);
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
	dir_strv_free(p->supporting_names, p->nsupporting);
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
int
dir_ids_of(sqlite3_stmt *st, int64_t **ids, size_t *n)
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

int
dir_strings_of(sqlite3_stmt *st, char ***v, size_t *n)
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
	    dir_strings_of(st, &o->domains, &o->ndomains) == -1) {
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
	    dir_strings_of(st, &c->emails, &c->nemails) == -1) {
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
	if ((st = db_stmt(db, sql)) == NULL || dir_ids_of(st, &ids, &nids) == -1) \
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

/* ---- light reads for the scheduler -------------------------------------- */

int
directory_partnership_briefs(struct db *db,
    struct dir_partnership_brief **out, size_t *n)
{
	struct dir_partnership_brief *v = NULL;
	size_t len = 0, cap = 0;
	sqlite3_stmt *st;
	int r;

	*out = NULL;
	*n = 0;
	st = db_stmt(db, "SELECT id, coalesce(coordinator, 0), "
	    "coalesce(started, created) FROM partnerships "
	    "WHERE stage NOT IN ('closed', 'dormant') ORDER BY id");
	if (st == NULL)
		return -1;
	while ((r = db_step(st)) == 1) {
		if (len == cap) {
			cap = cap ? cap * 2 : 64;
			v = xreallocarray(v, cap, sizeof(*v));
		}
		v[len].id = sqlite3_column_int64(st, 0);
		v[len].coordinator = sqlite3_column_int64(st, 1);
		v[len].since = db_col_time(st, 2);
		len++;
	}
	if (r == -1) {
		free(v);
		return -1;
	}
	*out = v;
	*n = len;
	return 0;
}

int
directory_coordinates_open(struct db *db, int64_t contact)
{
	int64_t one;

	return db_int(db, &one, "SELECT 1 FROM partnerships WHERE "
	    "coordinator = ? AND stage <> 'closed' LIMIT 1", "I", contact);
}
