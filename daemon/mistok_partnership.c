/*
 * mistok partnership add|edit|list|show.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "directory.h"
#include "json.h"
#include "mistok.h"
#include "util.h"

static const struct cli_field_opt partnership_opts[] = {
	{ "slug", "slug" }, { "ua", "ua_org" }, { "ua-org", "ua_org" },
	{ "us", "us_org" }, { "us-org", "us_org" },
	{ "supporting", "supporting_orgs" },
	{ "supporting-orgs", "supporting_orgs" }, { "stage", "stage" },
	{ "coordinator", "coordinator" }, { "started", "started" },
	{ NULL, NULL },
};

static void
date_of(time_t t, char out[11])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

struct json *
cli_json_partnership(const struct dir_partnership *p)
{
	struct json *j, *a, *h;
	char d[11];
	size_t i;

	j = json_object();
	json_set_int(j, "id", p->id);
	json_set_string(j, "slug", p->slug);
	json_set_string(j, "ua_org", p->ua_org_name);
	json_set_string(j, "us_org", p->us_org_name);
	a = json_set(j, "supporting_orgs", json_array());
	for (i = 0; i < p->nsupporting; i++)
		json_append(a, json_string(p->supporting_names[i]));
	json_set_string(j, "stage", p->stage);
	if (p->coordinator_email != NULL) {
		a = json_set(j, "coordinator", json_object());
		json_set_string(a, "name", p->coordinator_name);
		json_set_string(a, "email", p->coordinator_email);
	} else
		json_set(j, "coordinator", json_null());
	if (p->started) {
		date_of(p->started, d);
		json_set_string(j, "started", d);
	} else
		json_set(j, "started", json_null());
	json_set(j, "created", cli_json_time(p->created));
	a = json_set(j, "history", json_array());
	for (i = 0; i < p->nhistory; i++) {
		h = json_append(a, json_object());
		json_set_string(h, "stage", p->history[i].stage);
		json_set(h, "at", cli_json_time(p->history[i].at));
		json_set_string(h, "actor", p->history[i].actor);
	}
	return j;
}

static int
partnership_list(struct cli *cli, struct db *db)
{
	static const char *const hdr[] = {
		"ID", "SLUG", "UA", "US", "STAGE", "COORDINATOR", "STARTED",
	};
	struct dir_partnership *v;
	struct json *a;
	const char **cells;
	char **strs;
	size_t n, i;

	if (directory_partnership_list(db, &v, &n) == -1) {
		fprintf(stderr, "mistok: reading partnerships: %s\n",
		    db_errmsg(db));
		return EX_SOFTWARE;
	}
	if (cli->json) {
		a = json_array();
		for (i = 0; i < n; i++)
			json_append(a, cli_json_partnership(&v[i]));
		cli_print_json(a);
		dir_partnership_list_free(v, n);
		return EX_OK;
	}
	cells = xcalloc(n * nitems(hdr) + 1, sizeof(*cells));
	strs = xcalloc(2 * n + 1, sizeof(*strs));
	for (i = 0; i < n; i++) {
		const char **row = cells + i * nitems(hdr);

		strs[2 * i] = xasprintf("%lld", (long long)v[i].id);
		strs[2 * i + 1] = xcalloc(1, 11);
		if (v[i].started)
			date_of(v[i].started, strs[2 * i + 1]);
		row[0] = strs[2 * i];
		row[1] = v[i].slug;
		row[2] = v[i].ua_org_name;
		row[3] = v[i].us_org_name;
		row[4] = v[i].stage;
		row[5] = v[i].coordinator_email;
		row[6] = v[i].started ? strs[2 * i + 1] : NULL;
	}
	cli_table(hdr, nitems(hdr), cells, n);
	for (i = 0; i < 2 * n; i++)
		free(strs[i]);
	free(strs);
	free(cells);
	dir_partnership_list_free(v, n);
	return EX_OK;
}

static int
partnership_show(struct cli *cli, struct db *db, const char *key)
{
	struct dir_partnership p;
	char d[11], t[ISO8601_LEN];
	int64_t id;
	size_t i;
	int rc;

	if ((rc = cli_dir_find(db, DIR_PARTNERSHIPS, key, &id)) != EX_OK)
		return rc;
	if (directory_partnership_by_id(db, id, &p) != 1) {
		fprintf(stderr, "mistok: reading partnership: %s\n",
		    db_errmsg(db));
		return EX_SOFTWARE;
	}
	if (cli->json)
		cli_print_json(cli_json_partnership(&p));
	else {
		printf("partnership #%lld: %s\n", (long long)p.id, p.slug);
		printf("  UA:           %s\n", p.ua_org_name);
		printf("  US:           %s\n", p.us_org_name);
		printf("  supporting:  ");
		for (i = 0; i < p.nsupporting; i++)
			printf("%s %s", i ? ";" : "", p.supporting_names[i]);
		printf("%s\n", p.nsupporting ? "" : " -");
		printf("  stage:        %s\n", p.stage);
		if (p.coordinator_email != NULL)
			printf("  coordinator:  %s <%s>\n",
			    p.coordinator_name ? p.coordinator_name : "",
			    p.coordinator_email);
		else
			printf("  coordinator:  -\n");
		if (p.started)
			date_of(p.started, d);
		printf("  started:      %s\n", p.started ? d : "-");
		printf("  history:\n");
		for (i = 0; i < p.nhistory; i++) {
			fmt_iso8601(p.history[i].at, t);
			printf("    %s  %-15s %s\n", t, p.history[i].stage,
			    p.history[i].actor ? p.history[i].actor : "");
		}
	}
	dir_partnership_free(&p);
	return EX_OK;
}

int
cmd_partnership(int argc, char **argv, struct cli *cli)
{
	struct dir_field *fields;
	struct dir_put put;
	struct db *db = NULL;
	char **pos;
	const char *sub;
	size_t nf, npos;
	int rc;

	if (argc < 2)
		return cli_usage("partnership");
	sub = argv[1];
	if (cli_dir_args(argc - 2, argv + 2, cli, partnership_opts, &fields,
	    &nf, &pos, &npos) == -1)
		return cli_usage("partnership");
	memset(&put, 0, sizeof(put));
	put.kind = DIR_PARTNERSHIPS;
	put.fields = fields;
	put.nfields = nf;
	if (strcmp(sub, "add") == 0 && npos == 0) {
		put.mode = DIR_PUT_ADD;
		if ((rc = cli_open_db(cli, DB_CREATE | DB_MIGRATE, &db)) ==
		    EX_OK && (rc = cli_dir_put(cli, db, &put)) == EX_OK)
			cli_dir_done(cli, "partnership", &put);
	} else if (strcmp(sub, "edit") == 0 && npos == 1 && nf > 0) {
		put.mode = DIR_PUT_EDIT;
		if ((rc = cli_open_db(cli, DB_CREATE | DB_MIGRATE, &db)) ==
		    EX_OK && (rc = cli_dir_find(db, DIR_PARTNERSHIPS, pos[0],
		    &put.id)) == EX_OK &&
		    (rc = cli_dir_put(cli, db, &put)) == EX_OK)
			cli_dir_done(cli, "partnership", &put);
	} else if (strcmp(sub, "list") == 0 && npos == 0 && nf == 0) {
		if ((rc = cli_open_db(cli, 0, &db)) == EX_OK)
			rc = partnership_list(cli, db);
	} else if (strcmp(sub, "show") == 0 && npos == 1 && nf == 0) {
		if ((rc = cli_open_db(cli, 0, &db)) == EX_OK)
			rc = partnership_show(cli, db, pos[0]);
	} else
		rc = cli_usage("partnership");
	free(fields);
	free(pos);
	db_close(db);
	return rc;
}
