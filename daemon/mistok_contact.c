/*
 * mistok contact add|edit|list|show|forget.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "directory.h"
#include "json.h"
#include "mistok.h"
#include "util.h"

static const struct cli_field_opt contact_opts[] = {
	{ "name", "name" }, { "email", "email" }, { "emails", "emails" },
	{ "org", "organisation" }, { "organisation", "organisation" },
	{ "role", "role" }, { "tz", "timezone" }, { "timezone", "timezone" },
	{ "lang", "language" }, { "language", "language" },
	{ "hours", "hours" }, { NULL, NULL },
};

struct json *
cli_json_contact(const struct dir_contact *c)
{
	struct json *j, *a;
	size_t i;

	j = json_object();
	json_set_int(j, "id", c->id);
	json_set_string(j, "name", c->name);
	json_set_string(j, "email", c->nemails ? c->emails[0] : NULL);
	a = json_set(j, "address", json_object());
	json_set_string(a, "name", c->name);
	json_set_string(a, "email", c->nemails ? c->emails[0] : NULL);
	a = json_set(j, "emails", json_array());
	for (i = 0; i < c->nemails; i++)
		json_append(a, json_string(c->emails[i]));
	json_set_string(j, "organisation", c->org_name);
	json_set(j, "organisation_id", c->org ? json_int(c->org) :
	    json_null());
	json_set_string(j, "role", c->role);
	json_set_string(j, "timezone", c->zone);
	json_set_string(j, "language", c->language);
	json_set_string(j, "hours", c->hours);
	json_set_string(j, "effective_timezone", c->eff_zone);
	json_set_string(j, "effective_language", c->eff_language);
	json_set_string(j, "effective_hours", c->eff_hours);
	json_set(j, "learned", json_bool(c->learned));
	json_set(j, "created", cli_json_time(c->created));
	return j;
}

static int
contact_list(struct cli *cli, struct db *db)
{
	static const char *const hdr[] = {
		"ID", "NAME", "EMAIL", "ORGANISATION", "ROLE", "ZONE", "LANG",
	};
	struct dir_contact *v;
	struct json *a;
	const char **cells;
	char **ids;
	size_t n, i;

	if (directory_contact_list(db, &v, &n) == -1) {
		fprintf(stderr, "mistok: reading contacts: %s\n",
		    db_errmsg(db));
		return EX_SOFTWARE;
	}
	if (cli->json) {
		a = json_array();
		for (i = 0; i < n; i++)
			json_append(a, cli_json_contact(&v[i]));
		cli_print_json(a);
		dir_contact_list_free(v, n);
		return EX_OK;
	}
	cells = xcalloc(n * nitems(hdr) + 1, sizeof(*cells));
	ids = xcalloc(n + 1, sizeof(*ids));
	for (i = 0; i < n; i++) {
		const char **row = cells + i * nitems(hdr);

		ids[i] = xasprintf("%lld%s", (long long)v[i].id,
		    v[i].learned ? "*" : "");
		row[0] = ids[i];
		row[1] = v[i].name;
		row[2] = v[i].nemails ? v[i].emails[0] : NULL;
		row[3] = v[i].org_name;
		row[4] = v[i].role;
		row[5] = v[i].eff_zone;
		row[6] = v[i].eff_language;
	}
	cli_table(hdr, nitems(hdr), cells, n);
	for (i = 0; i < n; i++)
		if (v[i].learned) {
			printf("(* learned from mail)\n");
			break;
		}
	for (i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
	free(cells);
	dir_contact_list_free(v, n);
	return EX_OK;
}

static int
contact_show(struct cli *cli, struct db *db, const char *key)
{
	struct dir_contact c;
	int64_t id;
	size_t i;
	int rc;

	if ((rc = cli_dir_find(db, DIR_CONTACTS, key, &id)) != EX_OK)
		return rc;
	if (directory_contact_get(db, id, &c) != 1) {
		fprintf(stderr, "mistok: reading contact: %s\n",
		    db_errmsg(db));
		return EX_SOFTWARE;
	}
	if (cli->json)
		cli_print_json(cli_json_contact(&c));
	else {
		printf("contact #%lld: %s%s\n", (long long)c.id,
		    c.name ? c.name : "(no name)",
		    c.learned ? " (learned from mail)" : "");
		printf("  addresses:   ");
		for (i = 0; i < c.nemails; i++)
			printf(" %s", c.emails[i]);
		printf("\n");
		printf("  organisation: %s\n", c.org_name ? c.org_name : "-");
		printf("  role:         %s\n", c.role ? c.role : "-");
		printf("  time zone:    %s%s\n", c.eff_zone ? c.eff_zone : "-",
		    c.zone ? "" : " (the organisation's)");
		printf("  language:     %s%s\n",
		    c.eff_language ? c.eff_language : "-",
		    c.language ? "" : " (the organisation's)");
		printf("  hours:        %s%s\n", c.eff_hours ? c.eff_hours :
		    "the [schedule] default", c.hours || !c.eff_hours ? "" :
		    " (the organisation's)");
	}
	dir_contact_free(&c);
	return EX_OK;
}

static int
contact_forget(struct cli *cli, struct db *db, const char *addr)
{
	struct dir_forget_stats st;
	struct json *j;
	char *err = NULL;

	int rc;

	if ((rc = directory_forget(db, addr, "cli", &st, &err)) != 0) {
		fprintf(stderr, "mistok: forget: %s\n", err);
		free(err);
		return rc == DIR_ERR_DATA ? EX_DATAERR : EX_SOFTWARE;
	}
	if (cli->json) {
		j = json_object();
		json_set(j, "contact", st.contact ? json_int(st.contact) :
		    json_null());
		json_set_int(j, "addresses", (int64_t)st.addresses);
		json_set_int(j, "messages", (int64_t)st.messages);
		json_set_int(j, "recipients", (int64_t)st.recipients);
		json_set_int(j, "texts", (int64_t)st.texts);
		cli_print_json(j);
	} else if (st.contact == 0 && st.messages + st.recipients +
	    st.texts == 0)
		printf("nothing knew that address; nothing changed\n");
	else {
		if (st.contact != 0)
			printf("contact #%lld erased with %zu address%s\n",
			    (long long)st.contact, st.addresses,
			    st.addresses == 1 ? "" : "es");
		printf("stored mail: %zu sender%s, %zu recipient%s, %zu "
		    "text%s rewritten\n", st.messages,
		    st.messages == 1 ? "" : "s", st.recipients,
		    st.recipients == 1 ? "" : "s", st.texts,
		    st.texts == 1 ? "" : "s");
	}
	return EX_OK;
}

int
cmd_contact(int argc, char **argv, struct cli *cli)
{
	struct dir_field *fields;
	struct dir_put put;
	struct db *db = NULL;
	char **pos;
	const char *sub;
	size_t nf, npos;
	int rc;

	if (argc < 2)
		return cli_usage("contact");
	sub = argv[1];
	if (cli_dir_args(argc - 2, argv + 2, cli, contact_opts, &fields, &nf,
	    &pos, &npos) == -1)
		return cli_usage("contact");
	memset(&put, 0, sizeof(put));
	put.kind = DIR_CONTACTS;
	put.fields = fields;
	put.nfields = nf;
	if (strcmp(sub, "add") == 0 && npos == 0) {
		put.mode = DIR_PUT_ADD;
		if ((rc = cli_open_db(cli, DB_CREATE | DB_MIGRATE, &db)) ==
		    EX_OK && (rc = cli_dir_put(cli, db, &put)) == EX_OK)
			cli_dir_done(cli, "contact", &put);
	} else if (strcmp(sub, "edit") == 0 && npos == 1 && nf > 0) {
		put.mode = DIR_PUT_EDIT;
		if ((rc = cli_open_db(cli, DB_CREATE | DB_MIGRATE, &db)) ==
		    EX_OK && (rc = cli_dir_find(db, DIR_CONTACTS, pos[0],
		    &put.id)) == EX_OK &&
		    (rc = cli_dir_put(cli, db, &put)) == EX_OK)
			cli_dir_done(cli, "contact", &put);
	} else if (strcmp(sub, "list") == 0 && npos == 0 && nf == 0) {
		if ((rc = cli_open_db(cli, 0, &db)) == EX_OK)
			rc = contact_list(cli, db);
	} else if (strcmp(sub, "show") == 0 && npos == 1 && nf == 0) {
		if ((rc = cli_open_db(cli, 0, &db)) == EX_OK)
			rc = contact_show(cli, db, pos[0]);
	} else if (strcmp(sub, "forget") == 0 && npos == 1 && nf == 0) {
		if ((rc = cli_open_db(cli, DB_MIGRATE, &db)) == EX_OK)
			rc = contact_forget(cli, db, pos[0]);
	} else
		rc = cli_usage("contact");
	free(fields);
	free(pos);
	db_close(db);
	return rc;
}
