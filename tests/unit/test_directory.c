/*
 * directory: the demo network imports cleanly and idempotently, exports
 * back to itself, every bad file is refused whole with its exact message,
 * the look-ups matching relies on, stage history, learned contacts and
 * forgetting a person.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "db.h"
#include "directory.h"
#include "util.h"

static char tmpdir[] = "/tmp/mistok-test-directory.XXXXXX";
static int dbno;

/* olena is listed; mark is a coordinator by being at the team's org. */
static char *coordinators[] = { "olena@c4c.test", NULL };
static struct config conf;

static int
group_setup(void **state)
{
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	conf.team_domain = "c4c.test";
	conf.coordinators = coordinators;
	return 0;
}

static int
group_teardown(void **state)
{
	char *cmd = xasprintf("rm -rf '%s'", tmpdir);
	int rc = system(cmd);

	free(cmd);
	return rc == 0 ? 0 : -1;
}

static int
setup(void **state)
{
	char *path = xasprintf("%s/d%d.db", tmpdir, ++dbno), *err = NULL;
	struct db *db;

	clock_set_fake(1796133600);	/* 2026-12-01T14:00:00Z */
	if (db_open(path, DB_CREATE | DB_MIGRATE, &db, &err) == -1) {
		fprintf(stderr, "%s\n", err);
		free(err);
		free(path);
		return -1;
	}
	free(path);
	*state = db;
	return 0;
}

static int
teardown(void **state)
{
	db_close(*state);
	clock_set_fake(0);
	return 0;
}

static char *
slurp(const char *name, size_t *len)
{
	const char *top = getenv("TOP") ? getenv("TOP") : ".";
	char *path = xasprintf("%s/contrib/demo/%s", top, name);
	struct buf b;
	char chunk[4096];
	FILE *f;
	size_t n;

	f = fopen(path, "rb");
	if (f == NULL)
		fail_msg("%s: cannot open (set TOP)", path);
	buf_init(&b);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	free(path);
	*len = b.len;
	return buf_steal(&b);
}

static int
import_text(struct db *db, enum dir_kind k, const char *name,
    const char *text, struct dir_import_stats *st, char **err)
{
	return directory_import(db, &conf, k, name, text, strlen(text), st,
	    err);
}

static void
import_demo_file(struct db *db, enum dir_kind k, const char *file,
    struct dir_import_stats *st)
{
	char *text, *err = NULL;
	size_t len;
	int rc;

	text = slurp(file, &len);
	rc = directory_import(db, &conf, k, file, text, len, st, &err);
	if (rc != 0)
		fail_msg("%s: %s", file, err);
	free(text);
}

static void
import_demo(struct db *db)
{
	struct dir_import_stats st;

	import_demo_file(db, DIR_ORGS, "orgs.csv", &st);
	import_demo_file(db, DIR_CONTACTS, "contacts.csv", &st);
	import_demo_file(db, DIR_PARTNERSHIPS, "partnerships.csv", &st);
}

static int64_t
count(struct db *db, const char *sql)
{
	int64_t n = -1;

	assert_int_equal(db_int(db, &n, sql, ""), 1);
	return n;
}

static char *
export(struct db *db, enum dir_kind k)
{
	struct buf b;
	char *err = NULL;

	buf_init(&b);
	assert_int_equal(directory_export(db, k, &b, &err), 0);
	buf_add(&b, "", 0);
	return buf_steal(&b);
}

static void
demo_imports_cleanly_and_idempotently(void **state)
{
	struct db *db = *state;
	struct dir_import_stats st;

	import_demo_file(db, DIR_ORGS, "orgs.csv", &st);
	assert_int_equal(st.rows, 10);
	assert_int_equal(st.added, 10);
	import_demo_file(db, DIR_CONTACTS, "contacts.csv", &st);
	assert_int_equal(st.added, 14);
	import_demo_file(db, DIR_PARTNERSHIPS, "partnerships.csv", &st);
	assert_int_equal(st.added, 5);
	assert_int_equal(count(db, "SELECT count(*) FROM org_domains"), 10);
	assert_int_equal(count(db, "SELECT count(*) FROM partnership_orgs"),
	    2);
	/* One initial stage row each, no stage-change events yet. */
	assert_int_equal(count(db, "SELECT count(*) FROM stage_history"), 5);
	assert_int_equal(count(db, "SELECT count(*) FROM events "
	    "WHERE action = 'stage'"), 0);

	/* The same files again: nothing changes. */
	import_demo_file(db, DIR_ORGS, "orgs.csv", &st);
	assert_int_equal(st.unchanged, 10);
	assert_int_equal(st.updated + st.added, 0);
	import_demo_file(db, DIR_CONTACTS, "contacts.csv", &st);
	assert_int_equal(st.unchanged, 14);
	import_demo_file(db, DIR_PARTNERSHIPS, "partnerships.csv", &st);
	assert_int_equal(st.unchanged, 5);
	assert_int_equal(count(db, "SELECT count(*) FROM stage_history"), 5);
	assert_int_equal(count(db, "SELECT count(*) FROM orgs"), 10);
}

static void
export_imports_back_identically(void **state)
{
	struct db *db = *state, *db2;
	struct dir_import_stats st;
	enum dir_kind k;
	char *path, *err = NULL, *a, *b, *orgs;
	size_t len;

	import_demo(db);
	path = xasprintf("%s/roundtrip%d.db", tmpdir, dbno);
	assert_int_equal(db_open(path, DB_CREATE | DB_MIGRATE, &db2, &err),
	    0);
	for (k = DIR_ORGS; k <= DIR_PARTNERSHIPS; k++) {
		a = export(db, k);
		assert_int_equal(import_text(db2, k, "export.csv", a, &st,
		    &err), 0);
		b = export(db2, k);
		assert_string_equal(a, b);
		/* And it is a no-op on the database it came from. */
		assert_int_equal(import_text(db, k, "export.csv", a, &st,
		    &err), 0);
		assert_int_equal(st.unchanged, st.rows);
		free(a);
		free(b);
	}
	/* orgs.csv has all the columns: its export is the file, in CRLF. */
	a = export(db, DIR_ORGS);
	orgs = slurp("orgs.csv", &len);
	b = xstrdup(a);
	{
		char *r, *w;

		for (r = w = b; *r; r++)
			if (*r != '\r')
				*w++ = *r;
		*w = '\0';
	}
	assert_string_equal(b, orgs);
	free(a);
	free(b);
	free(orgs);
	db_close(db2);
	free(path);
}

/* Every bad file: the exact message, and nothing imported. */
static void
bad_files_are_refused_whole(void **state)
{
	static const struct {
		enum dir_kind	 kind;
		const char	*name;
		const char	*text;
		const char	*error;
	} cases[] = {
		{ DIR_ORGS, "orgs.csv",
		  "name,country,kind,city,region,timezone,language,domains,"
		  "mail\n",
		  "orgs.csv:1: unknown column 'mail' (orgs has: name country "
		  "kind city region timezone language domains hours)" },
		{ DIR_ORGS, "orgs.csv",
		  "name,country,kind,city,region,language,domains\n",
		  "orgs.csv:1: missing column timezone" },
		{ DIR_ORGS, "orgs.csv",
		  "name,country,kind,city,region,timezone,language,domains\n"
		  "A,UA,ngo,,,Europe/Kyiv,uk,a.test\n"
		  "B,US,ngo,,,Europe/Kiyv,en,b.test\n",
		  "orgs.csv:3: column timezone: unknown zone 'Europe/Kiyv'" },
		{ DIR_ORGS, "orgs.csv",
		  "name,country,kind,city,region,timezone,language,domains\n"
		  "A,UA,ngo,,,Europe/Kyiv,uk,a.test shared.test\n"
		  "B,US,ngo,,,America/Chicago,en,Shared.TEST\n",
		  "orgs.csv:3: column domains: domain shared.test belongs to "
		  "'A'" },
		{ DIR_ORGS, "orgs.csv",
		  "name,country,kind,city,region,timezone,language,domains\n"
		  "A,UA,ngo,,,Europe/Kyiv,uk,a.test\n"
		  "B,UK,ngo,,,Europe/London,en,b.test\n",
		  "orgs.csv:3: column country: country 'UK': UA or US" },
		{ DIR_ORGS, "orgs.csv",
		  "name,country,kind,city,region,timezone,language,domains\n"
		  "A,UA,ngo,,,Europe/Kyiv,uk,gmail.com\n",
		  "orgs.csv:2: column domains: gmail.com is a public mail "
		  "provider, shared by strangers: list these addresses on the "
		  "contacts instead" },
		{ DIR_ORGS, "orgs.csv",
		  "name,country,kind,city,region,timezone,language,domains\n"
		  "A,UA,ngo,,,Europe/Kyiv,uk,a.test\n"
		  "A,UA,ngo,,,Europe/Kyiv,uk,b.test\n",
		  "orgs.csv:3: column name: 'A' is already on line 2" },
		{ DIR_ORGS, "orgs.csv",
		  "name,country,kind,city,region,timezone,language,domains\n"
		  "A,UA,ngo,\"Kyiv\",,Europe/Kyiv,uk,a.test\n"
		  "B,US,ngo,\"Madison, WI,,America/Chicago,en,b.test\n",
		  "orgs.csv:3: column city: unterminated quoted field" },
		{ DIR_ORGS, "orgs.csv",
		  "name,country,kind,city,region,timezone,language,domains\n"
		  "A,UA,ngo,,,Europe/Kyiv,uk,a.test\n"
		  "B,US,ngo,\"Madison\" WI,,America/Chicago,en,b.test\n",
		  "orgs.csv:3: column city: text after a closing quote (a "
		  "quote inside a quoted field is written \"\")" },
		{ DIR_ORGS, "orgs.csv",
		  "name,country,kind,city,region,timezone,language,domains\n"
		  "A,UA,ngo,,,Europe/Kyiv,uk,a.test\n"
		  "B,UA,ngo,\xcb\xe0\xe2\xb3\xe2,,Europe/Kyiv,uk,b.test\n",
		  "orgs.csv:3: column city: invalid UTF-8" },
		{ DIR_ORGS, "orgs.csv",
		  "name,country,kind,city,region,timezone,language,domains\n"
		  "A,UA,ngo,,,Europe/Kyiv,uk\n",
		  "orgs.csv:2: 7 fields, but the header has 8" },
		{ DIR_ORGS, "orgs.csv",
		  "name,country,kind,city,region,timezone,language,domains,"
		  "hours\nA,UA,ngo,,,Europe/Kyiv,uk,a.test,weekdays\n",
		  "orgs.csv:2: column hours: hours 'weekdays' not understood "
		  "(like Mon-Fri 09:00-17:00, Sat 10:00-14:00)" },
		{ DIR_ORGS, "orgs.csv", "",
		  "orgs.csv: empty file: no header row" },
		{ DIR_CONTACTS, "contacts.csv",
		  "name,email,organisation,role,timezone,language\n"
		  "Olena,olena@c4c.test,Cities4Cities,coordinator,,uk\n"
		  "X,x@nowhere.test,Nowhere Council,,,\n",
		  "contacts.csv:3: column organisation: unknown organisation "
		  "'Nowhere Council'" },
		{ DIR_CONTACTS, "contacts.csv",
		  "name,email,organisation,role,timezone,language\n"
		  "Olena,olena@c4c.test,Cities4Cities,coordinator,,uk\n"
		  "\n\n"
		  "Mark,mark@c4c.test,Cities4Cities,,Europe/Kiyv,en\n",
		  "contacts.csv:5: column timezone: unknown zone "
		  "'Europe/Kiyv'" },
		{ DIR_CONTACTS, "contacts.csv",
		  "name,email,organisation,role,timezone,language,emails\n"
		  "Olena,olena@c4c.test,Cities4Cities,,,,\n"
		  "Mark,mark@c4c.test,Cities4Cities,,,,OLENA@c4c.test\n",
		  "contacts.csv:3: column emails: olena@c4c.test belongs to "
		  "contact #3 'Olena'" },
		{ DIR_CONTACTS, "contacts.csv",
		  "name,email,organisation,role,timezone,language\n"
		  "Olena,olena at c4c,Cities4Cities,,,\n",
		  "contacts.csv:2: column email: 'olena at c4c' is not a mail "
		  "address" },
		{ DIR_CONTACTS, "contacts.csv",
		  "name,email,organisation,role,timezone,language\n"
		  "Solo,solo@example.test,,,,\n",
		  "contacts.csv:2: column timezone: a contact without an "
		  "organisation needs a time zone" },
		{ DIR_PARTNERSHIPS, "partnerships.csv",
		  "slug,ua_org,us_org,stage,coordinator,started\n"
		  "a-b,Lviv City Council,City of Madison,planning,"
		  "mark@c4c.test,2026-06-15\n"
		  "c-d,Irpin City Council,City of Madison,signed,"
		  "mark@c4c.test,2026-06-15\n",
		  "partnerships.csv:3: column stage: stage 'signed': one of "
		  "prospect, contacted, introduced, meeting_held, planning, "
		  "joint_projects, dormant, closed" },
		{ DIR_PARTNERSHIPS, "partnerships.csv",
		  "slug,ua_org,us_org,stage,coordinator,started\n"
		  "a-b,City of Madison,Lviv City Council,planning,,\n",
		  "partnerships.csv:2: column ua_org: 'City of Madison' is not "
		  "a UA organisation (its country is US)" },
		{ DIR_PARTNERSHIPS, "partnerships.csv",
		  "slug,ua_org,us_org,stage,coordinator,started\n"
		  "a-b,Lviv City Council,City of Madison,planning,"
		  "mayor@lviv.test,\n",
		  "partnerships.csv:2: column coordinator: mayor@lviv.test is "
		  "not a coordinator: not in [team] coordinators, nor a "
		  "contact of the team's organisation (domain c4c.test)" },
		{ DIR_PARTNERSHIPS, "partnerships.csv",
		  "slug,ua_org,us_org,stage,coordinator,started\n"
		  "a-b,Lviv City Council,City of Madison,planning,,2026-02-30\n",
		  "partnerships.csv:2: column started: date '2026-02-30': "
		  "YYYY-MM-DD" },
		{ DIR_PARTNERSHIPS, "partnerships.csv",
		  "slug,ua_org,us_org,stage,coordinator,started\n"
		  "Lviv Madison,Lviv City Council,City of Madison,planning,,\n",
		  "partnerships.csv:2: column slug: slug 'Lviv Madison': "
		  "lower-case letters, digits and '-', with at least one "
		  "letter" },
	};
	struct db *db = *state;
	struct dir_import_stats st;
	struct dir_put put;
	struct dir_field f[] = {
		{ "name", "Cities4Cities" }, { "country", "UA" },
		{ "kind", "ngo" }, { "timezone", "Europe/Kyiv" },
		{ "language", "uk" }, { "domains", "c4c.test" },
	};
	int64_t before[4], n;
	char *err = NULL;
	size_t i;

	/* A small directory for the contact and partnership cases. */
	import_demo_file(db, DIR_ORGS, "orgs.csv", &st);
	{
		static const char contacts[] =
		    "name,email,organisation,role,timezone,language\n"
		    "Оксана Мельник,mayor@lviv.test,Lviv City Council,,,\n"
		    "Mark Stevens,mark@c4c.test,Cities4Cities,,,\n";

		assert_int_equal(import_text(db, DIR_CONTACTS, "c.csv",
		    contacts, &st, &err), 0);
	}
	memset(&put, 0, sizeof(put));
	put.kind = DIR_ORGS;
	put.mode = DIR_PUT_UPSERT;
	put.fields = f;
	put.nfields = nitems(f);
	assert_int_equal(directory_put(db, &put, &err), 0);
	assert_false(put.changed);

	for (i = 0; i < nitems(cases); i++) {
		before[0] = count(db, "SELECT count(*) FROM orgs");
		before[1] = count(db, "SELECT count(*) FROM contacts");
		before[2] = count(db, "SELECT count(*) FROM partnerships");
		before[3] = count(db, "SELECT count(*) FROM org_domains");
		err = NULL;
		if (import_text(db, cases[i].kind, cases[i].name,
		    cases[i].text, &st, &err) != DIR_ERR_DATA)
			fail_msg("case %zu imported", i);
		if (err == NULL || strcmp(err, cases[i].error) != 0)
			fail_msg("case %zu:\n got  %s\n want %s", i,
			    err ? err : "(null)", cases[i].error);
		free(err);
		assert_int_equal(st.rows, 0);
		assert_false(db_in_transaction(db));
		assert_int_equal(count(db, "SELECT count(*) FROM orgs"),
		    before[0]);
		assert_int_equal(count(db, "SELECT count(*) FROM contacts"),
		    before[1]);
		assert_int_equal(count(db,
		    "SELECT count(*) FROM partnerships"), before[2]);
		assert_int_equal(count(db,
		    "SELECT count(*) FROM org_domains"), before[3]);
	}
	/* The first good rows of the bad files did not stay either. */
	assert_int_equal(db_int(db, &n, "SELECT count(*) FROM orgs WHERE "
	    "name IN ('A', 'B')", ""), 1);
	assert_int_equal(n, 0);
}

static void
zones_are_canonical_and_fields_validated(void **state)
{
	struct db *db = *state;
	struct dir_import_stats st;
	struct dir_org o;
	struct dir_contact c;
	char *err = NULL;
	int64_t id;

	assert_int_equal(import_text(db, DIR_ORGS, "o.csv",
	    "timezone,name,country,kind,language,city,region,domains\n"
	    " Europe/Kiev , Kyiv Aid ,ua,NGO,UK,Kyiv,,\"aid.test "
	    "@Rada.Aid.TEST\"\n", &st, &err), 0);
	assert_int_equal(directory_find(db, DIR_ORGS, "kyiv aid", &id, &err),
	    1);
	assert_int_equal(directory_org_get(db, id, &o), 1);
	assert_string_equal(o.name, "Kyiv Aid");
	assert_string_equal(o.zone, "Europe/Kyiv");
	assert_string_equal(o.country, "UA");
	assert_string_equal(o.kind, "ngo");
	assert_string_equal(o.language, "uk");
	assert_null(o.region);
	assert_int_equal(o.ndomains, 2);
	assert_string_equal(o.domains[1], "rada.aid.test");
	dir_org_free(&o);

	/* A contact's empty zone and language are the organisation's. */
	assert_int_equal(import_text(db, DIR_CONTACTS, "c.csv",
	    "name,email,organisation,role,timezone,language,emails,hours\n"
	    "Ann,<Ann@Aid.Test>,Kyiv Aid,,,en,mailto:ann.k@aid.test,"
	    "Mon-Thu 10:00-16:00\n", &st, &err), 0);
	assert_int_equal(directory_find(db, DIR_CONTACTS, "ANN@aid.test", &id,
	    &err), 1);
	assert_int_equal(directory_contact_get(db, id, &c), 1);
	assert_int_equal(c.nemails, 2);
	assert_string_equal(c.emails[0], "ann@aid.test");
	assert_string_equal(c.emails[1], "ann.k@aid.test");
	assert_null(c.zone);
	assert_string_equal(c.eff_zone, "Europe/Kyiv");
	assert_string_equal(c.language, "en");
	assert_string_equal(c.hours, "Mon-Thu 10:00-16:00");
	dir_contact_free(&c);
}

static void
lookups_for_matching(void **state)
{
	struct db *db = *state;
	int64_t contact = 0, org = 0, madison, dane, lviv, id, *ids;
	size_t n;

	import_demo(db);
	assert_int_equal(directory_find(db, DIR_ORGS, "City of Madison",
	    &madison, NULL), 1);
	assert_int_equal(directory_find(db, DIR_ORGS, "Dane County Ukraine "
	    "Aid", &dane, NULL), 1);
	assert_int_equal(directory_find(db, DIR_ORGS, "Lviv City Council",
	    &lviv, NULL), 1);

	assert_int_equal(directory_contact_by_email(db, "Intl@Madison.TEST",
	    &contact, &org), 1);
	assert_int_equal(org, madison);
	assert_true(contact > 0);
	assert_int_equal(directory_contact_by_email(db, "nobody@madison.test",
	    NULL, NULL), 0);

	assert_int_equal(directory_org_by_domain(db, "MADISON.test", &org), 1);
	assert_int_equal(org, madison);
	org = 0;
	assert_int_equal(directory_org_by_domain(db, "new.staff@rada.lviv.test",
	    &org), 1);
	assert_int_equal(org, lviv);
	assert_int_equal(directory_org_by_domain(db, "test", &org), 0);
	assert_int_equal(directory_org_by_domain(db, "gmail.com", &org), 0);
	assert_int_equal(directory_org_by_domain(db, "xlviv.test", &org), 0);

	/* Madison is the US side of three; Dane County supports one. */
	assert_int_equal(directory_partnerships_of_org(db, madison, &ids, &n),
	    0);
	assert_int_equal(n, 3);
	assert_true(ids[0] < ids[1] && ids[1] < ids[2]);
	assert_int_equal(directory_partnership_by_slug(db, "lviv-madison",
	    &id), 1);
	assert_int_equal(ids[0], id);
	free(ids);
	assert_int_equal(directory_partnerships_of_org(db, dane, &ids, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(ids[0], id);
	free(ids);
	assert_int_equal(directory_partnership_by_slug(db, "nope", &id), 0);
	assert_int_equal(directory_partnership_by_id(db, 999, NULL), 0);

	/* Listed in [team] coordinators; at the team's org; neither. */
	assert_int_equal(directory_is_coordinator(db, &conf, "olena@c4c.test"),
	    1);
	assert_int_equal(directory_is_coordinator(db, &conf, "MARK@c4c.test"),
	    1);
	assert_int_equal(directory_is_coordinator(db, &conf, "mayor@lviv.test"),
	    0);
	assert_int_equal(directory_is_coordinator(db, &conf, "ghost@c4c.test"),
	    0);
	assert_int_equal(directory_is_coordinator(db, NULL, "olena@c4c.test"),
	    0);
}

static void
learned_contacts(void **state)
{
	struct db *db = *state;
	struct dir_contact c;
	struct dir_put put;
	struct dir_field f[] = {
		{ "email", "new.staff@lviv.test" }, { "name", "Nova" },
	};
	int64_t lviv, id, id2;

	import_demo(db);
	assert_int_equal(directory_org_by_domain(db, "lviv.test", &lviv), 1);
	assert_int_equal(directory_learn_contact(db, "New.Staff@lviv.test",
	    "Нова Людина", lviv, &id), 1);
	assert_int_equal(directory_contact_get(db, id, &c), 1);
	assert_true(c.learned);
	assert_string_equal(c.emails[0], "new.staff@lviv.test");
	assert_string_equal(c.eff_zone, "Europe/Kyiv");
	dir_contact_free(&c);
	/* Known: left alone, same id; an invalid address is refused. */
	assert_int_equal(directory_learn_contact(db, "new.staff@lviv.test",
	    "Other", 0, &id2), 0);
	assert_int_equal(id2, id);
	assert_int_equal(directory_learn_contact(db, "not an address", NULL,
	    0, &id2), -1);
	/* Inside a transaction, and rolled back with it. */
	assert_int_equal(db_begin(db), 0);
	assert_int_equal(directory_learn_contact(db, "x@kharkiv.test", NULL,
	    0, &id2), 1);
	assert_int_equal(db_rollback(db), 0);
	assert_int_equal(directory_contact_by_email(db, "x@kharkiv.test", NULL,
	    NULL), 0);

	/* A person's entry makes it a contact like any other. */
	memset(&put, 0, sizeof(put));
	put.kind = DIR_CONTACTS;
	put.mode = DIR_PUT_UPSERT;
	put.fields = f;
	put.nfields = nitems(f);
	{
		char *err = NULL;

		assert_int_equal(directory_put(db, &put, &err), 0);
	}
	assert_int_equal(put.out_id, id);
	assert_false(put.created);
	assert_true(put.changed);
	assert_int_equal(directory_contact_get(db, id, &c), 1);
	assert_false(c.learned);
	assert_string_equal(c.name, "Nova");
	assert_string_equal(c.org_name, "Lviv City Council");
	dir_contact_free(&c);
}

static void
stage_changes_are_dated_and_audited(void **state)
{
	struct db *db = *state;
	struct dir_partnership p;
	struct dir_put put;
	struct dir_field f[] = { { "stage", "joint_projects" } };
	char *err = NULL;
	int64_t id;

	import_demo(db);
	assert_int_equal(directory_find(db, DIR_PARTNERSHIPS, "lviv-madison",
	    &id, &err), 1);
	clock_set_fake(1796220000);	/* a day later */
	memset(&put, 0, sizeof(put));
	put.kind = DIR_PARTNERSHIPS;
	put.mode = DIR_PUT_EDIT;
	put.id = id;
	put.fields = f;
	put.nfields = 1;
	put.conf = &conf;
	put.actor = "mark@c4c.test";
	assert_int_equal(directory_put(db, &put, &err), 0);
	assert_true(put.changed);
	assert_int_equal(directory_partnership_by_id(db, id, &p), 1);
	assert_string_equal(p.stage, "joint_projects");
	assert_int_equal(p.nhistory, 2);
	assert_string_equal(p.history[0].stage, "planning");
	assert_int_equal(p.history[0].at, 1796133600);
	assert_string_equal(p.history[1].stage, "joint_projects");
	assert_int_equal(p.history[1].at, 1796220000);
	assert_string_equal(p.history[1].actor, "mark@c4c.test");
	/* Everything else kept. */
	assert_int_equal(p.nsupporting, 2);
	assert_string_equal(p.coordinator_email, "mark@c4c.test");
	dir_partnership_free(&p);
	assert_int_equal(count(db, "SELECT count(*) FROM events WHERE "
	    "action = 'stage' AND actor = 'mark@c4c.test' AND detail = "
	    "'planning -> joint_projects'"), 1);
	/* The same stage again is no change and no history. */
	assert_int_equal(directory_put(db, &put, &err), 0);
	assert_false(put.changed);
	assert_int_equal(count(db, "SELECT count(*) FROM stage_history"), 6);

	/* Supporting organisations must differ from the two sides. */
	f[0].name = "supporting_orgs";
	f[0].value = "Dane County Ukraine Aid; City of Madison";
	assert_int_equal(directory_put(db, &put, &err), DIR_ERR_DATA);
	assert_string_equal(put.bad_field, "supporting_orgs");
	assert_string_equal(err, "'City of Madison' is already the "
	    "partnership's US organisation");
	free(err);
}

static void
add_edit_and_find(void **state)
{
	struct db *db = *state;
	struct dir_put put;
	struct dir_field add[] = {
		{ "name", "Odesa City Council" }, { "country", "UA" },
		{ "kind", "municipality" }, { "timezone", "Europe/Kyiv" },
		{ "language", "uk" }, { "domains", "odesa.test" },
	};
	struct dir_field ren[] = { { "name", "Lviv City Council" } };
	struct dir_field bogus[] = { { "colour", "red" } };
	char *err = NULL;
	int64_t id;

	import_demo(db);
	memset(&put, 0, sizeof(put));
	put.kind = DIR_ORGS;
	put.mode = DIR_PUT_ADD;
	put.fields = add;
	put.nfields = nitems(add);
	assert_int_equal(directory_put(db, &put, &err), 0);
	assert_true(put.created);
	id = put.out_id;
	/* Adding it twice is refused. */
	assert_int_equal(directory_put(db, &put, &err), DIR_ERR_DATA);
	assert_string_equal(err, "organisation 'Odesa City Council' exists");
	free(err);
	/* A rename onto another's name is refused. */
	put.mode = DIR_PUT_EDIT;
	put.id = id;
	put.fields = ren;
	put.nfields = 1;
	assert_int_equal(directory_put(db, &put, &err), DIR_ERR_DATA);
	assert_string_equal(put.bad_field, "name");
	free(err);
	put.fields = bogus;
	assert_int_equal(directory_put(db, &put, &err), DIR_ERR_DATA);
	assert_null(put.bad_field);
	assert_non_null(strstr(err, "unknown column 'colour'"));
	free(err);

	assert_int_equal(directory_find(db, DIR_ORGS, "7", &id, &err), 1);
	assert_int_equal(id, 7);
	assert_int_equal(directory_find(db, DIR_ORGS, "Atlantis", &id, &err),
	    0);
	assert_string_equal(err, "no organisation 'Atlantis'");
	free(err);
	err = NULL;
	assert_int_equal(directory_find(db, DIR_CONTACTS, "Mark Stevens", &id,
	    &err), 1);
	assert_int_equal(directory_find(db, DIR_CONTACTS, "mark@c4c.test", &id,
	    &err), 1);
	assert_int_equal(directory_find(db, DIR_PARTNERSHIPS, "kharkiv-tempe",
	    &id, &err), 1);
	assert_int_equal(id, 2);
}

static char *
text1(struct db *db, const char *sql, int64_t id)
{
	sqlite3_stmt *st = db_stmt(db, sql);
	char *s = NULL;

	assert_non_null(st);
	assert_int_equal(db_bind(st, "I", id), 0);
	if (db_step(st) == 1) {
		s = db_col_strdup(st, 0);
		sqlite3_reset(st);
	}
	return s;
}

static void
forget_erases_a_person_everywhere(void **state)
{
	static const char body[] =
	    "Dear all,\nplease write to Mayor@Lviv.test or mayor@lviv.test.\n"
	    "-- \nОксана, mayor@lviv.test\n";
	struct db *db = *state;
	struct dir_forget_stats st;
	struct dir_put put;
	struct dir_field f[] = {
		{ "email", "mayor@lviv.test" },
		{ "emails", "oksana.m@lviv.test" },
	};
	char *err = NULL, *s;
	int64_t contact, m1, m2, n, sig;

	import_demo(db);
	memset(&put, 0, sizeof(put));
	put.kind = DIR_CONTACTS;
	put.mode = DIR_PUT_UPSERT;
	put.fields = f;
	put.nfields = nitems(f);
	assert_int_equal(directory_put(db, &put, &err), 0);
	contact = put.out_id;

	/* Two stored messages: one from her second address, one to her. */
	sig = (int64_t)(strstr(body, "-- \n") - body);
	assert_int_equal(db_exec(db, "INSERT INTO messages (message_id, "
	    "content_hash, from_name, from_email, subject, body, sig_off) "
	    "VALUES ('a@x', 'h1', 'Оксана Мельник', 'oksana.m@lviv.test', "
	    "'hi', 'see mayor@lviv.test', NULL)", ""), 0);
	m1 = db_last_id(db);
	assert_int_equal(db_exec(db, "INSERT INTO messages (message_id, "
	    "content_hash, from_name, from_email, subject, body, sig_off) "
	    "VALUES ('b@x', 'h2', 'Mark', 'mark@c4c.test', "
	    "'for mayor@lviv.test', ?, ?)", "tI", body, sig), 0);
	m2 = db_last_id(db);
	assert_int_equal(db_exec(db, "INSERT INTO message_addresses (message, "
	    "role, position, name, email) VALUES (?, 'to', 0, 'Оксана', "
	    "'mayor@lviv.test'), (?, 'cc', 0, 'Emily', 'intl@madison.test')",
	    "II", m2, m2), 0);

	/* Threading keys: her address among the participants. */
	assert_int_equal(db_exec(db, "UPDATE messages SET subject_base = "
	    "'for', date = 1000, people = 'intl@madison.test' || char(10) || "
	    "'mayor@lviv.test' WHERE id = ?", "I", m2), 0);
	assert_int_equal(db_exec(db, "INSERT INTO subject_people (base, person, "
	    "date, message, first, root) VALUES (mistok_key('for'), "
	    "mistok_key('intl@madison.test'), 1000, ?1, 1, 1), "
	    "(mistok_key('for'), mistok_key('mayor@lviv.test'), 1000, ?1, 0, 1)",
	    "I", m2), 0);
	assert_int_equal(db_exec(db, "INSERT INTO events (at, actor, action) "
	    "VALUES (1, 'oksana.m@lviv.test', 'command')", ""), 0);
	assert_int_equal(directory_forget(db, "MAYOR@lviv.test", "cli", &st,
	    &err), 0);
	assert_int_equal(count(db, "SELECT count(*) FROM events WHERE "
	    "actor = 'forgotten@invalid' AND action = 'command'"), 1);
	assert_int_equal(st.contact, contact);
	assert_int_equal(st.addresses, 2);
	assert_int_equal(st.messages, 1);
	assert_int_equal(st.recipients, 1);
	assert_int_equal(st.texts, 3);	/* two bodies, one subject */

	assert_int_equal(directory_contact_by_email(db, "mayor@lviv.test",
	    NULL, NULL), 0);
	assert_int_equal(directory_contact_by_email(db, "oksana.m@lviv.test",
	    NULL, NULL), 0);
	s = text1(db, "SELECT from_email || '|' || coalesce(from_name, "
	    "'NULL') || '|' || body FROM messages WHERE id = ?", m1);
	assert_string_equal(s, "forgotten@invalid|NULL|see forgotten@invalid");
	free(s);
	s = text1(db, "SELECT body FROM messages WHERE id = ?", m2);
	assert_string_equal(s, "Dear all,\nplease write to forgotten@invalid "
	    "or forgotten@invalid.\n-- \nОксана, forgotten@invalid\n");
	assert_null(strstr(s, "lviv"));
	/* The signature offset moved with the text. */
	assert_int_equal(db_int(db, &n, "SELECT sig_off FROM messages WHERE "
	    "id = ?", "I", m2), 1);
	assert_int_equal(n, (int64_t)(strstr(s, "-- \n") - s));
	free(s);
	s = text1(db, "SELECT subject FROM messages WHERE id = ?", m2);
	assert_string_equal(s, "for forgotten@invalid");
	free(s);
	s = text1(db, "SELECT group_concat(a, ', ') FROM (SELECT "
	    "coalesce(name, 'NULL') || ' ' || email AS a FROM "
	    "message_addresses WHERE message = ? ORDER BY role DESC)", m2);
	assert_string_equal(s, "NULL forgotten@invalid, Emily "
	    "intl@madison.test");
	free(s);
	s = text1(db, "SELECT people FROM messages WHERE id = ?", m2);
	assert_string_equal(s, "intl@madison.test");
	free(s);
	s = text1(db, "SELECT group_concat((person = "
	    "mistok_key('intl@madison.test')) || ' ' || first || ' ' || "
	    "(base = mistok_key('for')), ',') FROM subject_people WHERE "
	    "message = ?", m2);
	assert_string_equal(s, "1 1 1");
	free(s);
	/* Audited, without the address. */
	assert_int_equal(count(db, "SELECT count(*) FROM events WHERE "
	    "action = 'forget' AND detail NOT LIKE '%lviv%' AND "
	    "object NOT LIKE '%lviv%'"), 1);
	assert_int_equal(count(db, "SELECT count(*) FROM events WHERE "
	    "action = 'forget' AND (detail LIKE '%lviv%' OR "
	    "object LIKE '%lviv%')"), 0);
	/* Twice is harmless; not an address is a data error. */
	assert_int_equal(directory_forget(db, "mayor@lviv.test", "cli", &st,
	    &err), 0);
	assert_int_equal(st.contact + st.messages + st.texts, 0);
	assert_int_equal(directory_forget(db, "mayor", "cli", &st, &err),
	    DIR_ERR_DATA);
	free(err);
}

/* The scheduler's light reads agree with the whole records. */
static void
briefs_and_coordinators_for_the_scheduler(void **state)
{
	struct db *db = *state;
	struct dir_partnership *p;
	struct dir_partnership_brief *b;
	size_t np, nb, i, j;
	int64_t mark = 0, olena = 0;
	size_t ids[64], nids = 0;

	import_demo(db);
	assert_int_equal(directory_contact_by_email(db, "mark@c4c.test",
	    &mark, NULL), 1);
	assert_int_equal(directory_contact_by_email(db, "olena@c4c.test",
	    &olena, NULL), 1);
	/* One dormant, one closed, one never started. */
	assert_int_equal(db_exec(db, "UPDATE partnerships SET stage = "
	    "'dormant' WHERE slug = 'lviv-madison'", ""), 0);
	assert_int_equal(db_exec(db, "UPDATE partnerships SET stage = "
	    "'closed' WHERE slug = 'krylia-honolulu'", ""), 0);
	assert_int_equal(db_exec(db, "UPDATE partnerships SET started = NULL "
	    "WHERE slug = 'kharkiv-tempe'", ""), 0);

	assert_int_equal(directory_partnership_list(db, &p, &np), 0);
	assert_int_equal(directory_partnership_briefs(db, &b, &nb), 0);
	assert_true(np <= sizeof(ids) / sizeof(ids[0]));
	for (i = 0; i < np; i++)
		if (strcmp(p[i].stage, "closed") != 0 &&
		    strcmp(p[i].stage, "dormant") != 0)
			ids[nids++] = i;
	assert_true(nids > 0 && nids == np - 2);
	assert_int_equal(nb, nids);
	for (j = 0; j < nb; j++) {
		const struct dir_partnership *w = &p[ids[j]];

		assert_int_equal(b[j].id, w->id);	/* by id, as listed */
		assert_int_equal(b[j].coordinator, w->coordinator);
		assert_int_equal(b[j].since, w->started ? w->started :
		    w->created);
		if (strcmp(w->slug, "kharkiv-tempe") == 0)
			assert_int_equal(b[j].since, w->created);
	}
	free(b);
	dir_partnership_list_free(p, np);

	/* Olena coordinates open ones; Mark only a dormant and a closed
	 * one: dormant counts, closed does not. */
	assert_int_equal(directory_coordinates_open(db, olena), 1);
	assert_int_equal(directory_coordinates_open(db, mark), 1);
	assert_int_equal(db_exec(db, "UPDATE partnerships SET stage = "
	    "'closed' WHERE slug = 'lviv-madison'", ""), 0);
	assert_int_equal(directory_coordinates_open(db, mark), 0);
	assert_int_equal(directory_coordinates_open(db, 0), 0);

	/* Nothing open: an empty list. */
	assert_int_equal(db_exec(db, "UPDATE partnerships SET stage = "
	    "'closed'", ""), 0);
	assert_int_equal(directory_partnership_briefs(db, &b, &nb), 0);
	assert_int_equal(nb, 0);
	assert_null(b);
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(demo_imports_cleanly_and_idempotently),
		T(export_imports_back_identically),
		T(bad_files_are_refused_whole),
		T(zones_are_canonical_and_fields_validated),
		T(lookups_for_matching),
		T(learned_contacts),
		T(stage_changes_are_dated_and_audited),
		T(add_edit_and_find),
		T(forget_erases_a_person_everywhere),
		T(briefs_and_coordinators_for_the_scheduler),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
