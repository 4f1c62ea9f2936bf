/*
 * dirput: directory_put() — add, edit or upsert one record: load it (or
 * start an empty one), apply the fields (dirfield.c), check what spans
 * records (unique names, domains and addresses; the coordinator rule),
 * and write it under a SAVEPOINT with its stage history. Whether a record
 * changed is decided by comparing its CSV row before and after.
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
			return dir_db_fail(db, err, "orgs");
		if (rc == 0)
			return dir_bad(p, NULL, err, "no organisation #%lld",
			    (long long)p->id);
		id = p->id;
	} else {
		key = dir_field_value(p, "name");
		if (dir_clean(key, &name) == -1 || name == NULL) {
			free(name);
			return dir_bad(p, "name", err, "an organisation needs a "
			    "name");
		}
		rc = db_int(db, &id, "SELECT id FROM orgs WHERE name = ?", "t",
		    name);
		if (rc == -1) {
			free(name);
			return dir_db_fail(db, err, "orgs");
		}
		if (rc == 1 && p->mode == DIR_PUT_ADD) {
			rc = dir_bad(p, "name", err, "organisation '%s' exists",
			    name);
			free(name);
			return rc;
		}
		free(name);
		if (rc == 1 && directory_org_get(db, id, &o) != 1)
			return dir_db_fail(db, err, "orgs");
		if (rc == 0)
			o.kind = xstrdup("other");
	}
	if (id != 0)
		dir_org_row(&o, &before);

	for (i = 0; i < p->nfields; i++)
		if ((rc = dir_org_apply(db, p, &o, p->fields[i].name,
		    p->fields[i].value, err)) != 0)
			goto out;
	if (o.name == NULL) {
		rc = dir_bad(p, "name", err, "an organisation needs a name");
		goto out;
	}
	if (o.country == NULL) {
		rc = dir_bad(p, "country", err, "an organisation needs a country "
		    "(UA or US)");
		goto out;
	}
	if (o.zone == NULL) {
		rc = dir_bad(p, "timezone", err, "an organisation needs a time "
		    "zone (like Europe/Kyiv)");
		goto out;
	}
	if (o.language == NULL) {
		rc = dir_bad(p, "language", err, "an organisation needs a "
		    "language (uk or en)");
		goto out;
	}
	/* A rename must not take another organisation's name. */
	rc = db_int(db, &other, "SELECT id FROM orgs WHERE name = ? AND "
	    "id != ?", "tI", o.name, id);
	if (rc == -1) {
		rc = dir_db_fail(db, err, "orgs");
		goto out;
	}
	if (rc == 1) {
		rc = dir_bad(p, "name", err, "organisation '%s' exists", o.name);
		goto out;
	}
	for (i = 0; i < o.ndomains; i++) {
		char *owner = NULL;
		sqlite3_stmt *st;

		if ((st = db_stmt(db, "SELECT o.name FROM org_domains d JOIN "
		    "orgs o ON o.id = d.org WHERE d.domain = ? AND d.org != ?"))
		    == NULL || db_bind(st, "tI", o.domains[i], id) == -1 ||
		    (rc = db_step(st)) == -1) {
			rc = dir_db_fail(db, err, "org_domains");
			goto out;
		}
		if (rc == 1) {
			owner = db_col_strdup(st, 0);
			sqlite3_reset(st);
			rc = dir_bad(p, "domains", err, "domain %s belongs to '%s'",
			    o.domains[i], owner);
			free(owner);
			goto out;
		}
	}
	dir_org_row(&o, &after);
	p->out_id = id;
	p->created = id == 0;
	p->changed = id == 0 || before.len != after.len ||
	    memcmp(before.data, after.data, before.len) != 0;
	rc = 0;
	if (!p->changed)
		goto out;

	if (dir_savepoint(db) == -1) {
		rc = dir_db_fail(db, err, "savepoint");
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
		dir_db_fail(db, err, "orgs");
	if (dir_release(db, ok) == -1) {
		rc = DIR_ERR_DB;
		if (*err == NULL)
			dir_db_fail(db, err, "orgs");
		goto out;
	}
	p->out_id = id;
out:
	buf_free(&before);
	buf_free(&after);
	dir_org_free(&o);
	return rc;
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
			return dir_db_fail(db, err, "contacts");
		if (rc == 0)
			return dir_bad(p, NULL, err, "no contact #%lld",
			    (long long)p->id);
		id = p->id;
	} else {
		if ((rc = dir_check_address(p, "email", dir_field_value(p, "email"),
		    &key, err)) != 0)
			return rc;
		rc = directory_contact_by_email(db, key, &id, NULL);
		if (rc == -1) {
			free(key);
			return dir_db_fail(db, err, "contacts");
		}
		if (rc == 1 && p->mode == DIR_PUT_ADD) {
			rc = dir_bad(p, "email", err, "contact %s exists", key);
			free(key);
			return rc;
		}
		free(key);
		if (rc == 1 && directory_contact_get(db, id, &c) != 1)
			return dir_db_fail(db, err, "contacts");
	}
	was_learned = c.learned;
	if (id != 0)
		dir_contact_row(&c, &before);

	for (i = 0; i < p->nfields; i++)
		if ((rc = dir_contact_apply(db, p, &c, p->fields[i].name,
		    p->fields[i].value, err)) != 0)
			goto out;
	if (c.nemails == 0) {
		rc = dir_bad(p, "email", err, "a contact needs an address");
		goto out;
	}
	if (c.org == 0 && c.zone == NULL) {
		rc = dir_bad(p, "timezone", err, "a contact without an "
		    "organisation needs a time zone");
		goto out;
	}
	if (c.org == 0 && c.language == NULL) {
		rc = dir_bad(p, "language", err, "a contact without an "
		    "organisation needs a language (uk or en)");
		goto out;
	}
	for (i = 0; i < c.nemails; i++) {
		if ((st = db_stmt(db, "SELECT a.contact, coalesce(c.name, '') "
		    "FROM contact_addresses a JOIN contacts c ON c.id = "
		    "a.contact WHERE a.email = ? AND a.contact != ?")) == NULL ||
		    db_bind(st, "tI", c.emails[i], id) == -1 ||
		    (rc = db_step(st)) == -1) {
			rc = dir_db_fail(db, err, "contacts");
			goto out;
		}
		if (rc == 1) {
			cid = sqlite3_column_int64(st, 0);
			owner = db_col_strdup(st, 1);
			sqlite3_reset(st);
			rc = dir_bad(p, i == 0 ? "email" : "emails", err,
			    "%s belongs to contact #%lld '%s'", c.emails[i],
			    (long long)cid, owner);
			free(owner);
			goto out;
		}
	}
	dir_contact_row(&c, &after);
	p->out_id = id;
	p->created = id == 0;
	p->changed = id == 0 || was_learned || before.len != after.len ||
	    memcmp(before.data, after.data, before.len) != 0;
	rc = 0;
	if (!p->changed)
		goto out;

	if (dir_savepoint(db) == -1) {
		rc = dir_db_fail(db, err, "savepoint");
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
		dir_db_fail(db, err, "contacts");
	if (dir_release(db, ok) == -1) {
		rc = DIR_ERR_DB;
		if (*err == NULL)
			dir_db_fail(db, err, "contacts");
		goto out;
	}
	p->out_id = id;
out:
	buf_free(&before);
	buf_free(&after);
	dir_contact_free(&c);
	return rc;
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
			return dir_db_fail(db, err, "partnerships");
		if (rc == 0)
			return dir_bad(p, NULL, err, "no partnership #%lld",
			    (long long)p->id);
		id = p->id;
	} else {
		if (dir_clean(dir_field_value(p, "slug"), &key) == -1 || key == NULL ||
		    !dir_valid_slug(key)) {
			rc = dir_bad(p, "slug", err, "slug '%s': lower-case "
			    "letters, digits and '-', with at least one letter",
			    key ? key : "");
			free(key);
			return rc;
		}
		rc = directory_partnership_by_slug(db, key, &id);
		if (rc == -1) {
			free(key);
			return dir_db_fail(db, err, "partnerships");
		}
		if (rc == 1 && p->mode == DIR_PUT_ADD) {
			rc = dir_bad(p, "slug", err, "partnership %s exists", key);
			free(key);
			return rc;
		}
		free(key);
		if (rc == 1 && directory_partnership_by_id(db, id, &x) != 1)
			return dir_db_fail(db, err, "partnerships");
		if (rc == 0)
			x.stage = xstrdup("prospect");
	}
	if (id != 0) {
		dir_partnership_row(&x, &before);
		old_stage = xstrdup(x.stage);
	}
	for (i = 0; i < p->nfields; i++)
		if ((rc = dir_partnership_apply(db, p, &x, p->fields[i].name,
		    p->fields[i].value, err)) != 0)
			goto out;
	if (x.ua_org == 0) {
		rc = dir_bad(p, "ua_org", err, "a partnership needs its UA "
		    "organisation");
		goto out;
	}
	if (x.us_org == 0) {
		rc = dir_bad(p, "us_org", err, "a partnership needs its US "
		    "organisation");
		goto out;
	}
	for (i = 0; i < x.nsupporting; i++)
		if (x.supporting[i] == x.ua_org || x.supporting[i] == x.us_org) {
			rc = dir_bad(p, "supporting_orgs", err, "'%s' is already "
			    "the partnership's %s organisation",
			    x.supporting_names[i],
			    x.supporting[i] == x.ua_org ? "UA" : "US");
			goto out;
		}
	rc = db_int(db, &other, "SELECT id FROM partnerships WHERE slug = ? "
	    "AND id != ?", "tI", x.slug, id);
	if (rc == -1) {
		rc = dir_db_fail(db, err, "partnerships");
		goto out;
	}
	if (rc == 1) {
		rc = dir_bad(p, "slug", err, "partnership %s exists", x.slug);
		goto out;
	}
	dir_partnership_row(&x, &after);
	p->out_id = id;
	p->created = id == 0;
	p->changed = id == 0 || before.len != after.len ||
	    memcmp(before.data, after.data, before.len) != 0;
	rc = 0;
	if (!p->changed)
		goto out;

	if (dir_savepoint(db) == -1) {
		rc = dir_db_fail(db, err, "savepoint");
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
		dir_db_fail(db, err, "partnerships");
	if (dir_release(db, ok) == -1) {
		rc = DIR_ERR_DB;
		if (*err == NULL)
			dir_db_fail(db, err, "partnerships");
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
	return dir_bad(p, NULL, err, "unknown kind");
}
