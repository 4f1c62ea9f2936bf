/*
 * mistok partnership add|edit|list|show: its options, columns and text;
 * mistok_dir.c runs the subcommands. Also the JSON shape of a partnership.
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

/* The cli_dir_entity slots, typed for struct dir_partnership. */
static int
partnership_load(struct db *db, void **v, size_t *n)
{
	struct dir_partnership *p = NULL;
	int rc;

	rc = directory_partnership_list(db, &p, n);
	*v = p;
	return rc;
}

static void
partnership_list_free(void *v, size_t n)
{
	dir_partnership_list_free(v, n);
}

static struct json *
partnership_json(const void *p)
{
	return cli_json_partnership(p);
}

static int
partnership_row(const void *rec, const char **row, char **own)
{
	const struct dir_partnership *p = rec;

	own[0] = xasprintf("%lld", (long long)p->id);
	own[1] = xcalloc(1, 11);
	if (p->started)
		date_of(p->started, own[1]);
	row[0] = own[0];
	row[1] = p->slug;
	row[2] = p->ua_org_name;
	row[3] = p->us_org_name;
	row[4] = p->stage;
	row[5] = p->coordinator_email;
	row[6] = p->started ? own[1] : NULL;
	return 0;
}

static int
partnership_get(struct db *db, int64_t id, void *p)
{
	return directory_partnership_by_id(db, id, p);
}

static void
partnership_text(const void *rec)
{
	const struct dir_partnership *p = rec;
	char d[11], t[ISO8601_LEN];
	size_t i;

	printf("partnership #%lld: %s\n", (long long)p->id, p->slug);
	printf("  UA:           %s\n", p->ua_org_name);
	printf("  US:           %s\n", p->us_org_name);
	printf("  supporting:  ");
	for (i = 0; i < p->nsupporting; i++)
		printf("%s %s", i ? ";" : "", p->supporting_names[i]);
	printf("%s\n", p->nsupporting ? "" : " -");
	printf("  stage:        %s\n", p->stage);
	if (p->coordinator_email != NULL)
		printf("  coordinator:  %s <%s>\n",
		    p->coordinator_name ? p->coordinator_name : "",
		    p->coordinator_email);
	else
		printf("  coordinator:  -\n");
	if (p->started)
		date_of(p->started, d);
	printf("  started:      %s\n", p->started ? d : "-");
	printf("  history:\n");
	for (i = 0; i < p->nhistory; i++) {
		fmt_iso8601(p->history[i].at, t);
		printf("    %s  %-15s %s\n", t, p->history[i].stage,
		    p->history[i].actor ? p->history[i].actor : "");
	}
}

static void
partnership_free(void *p)
{
	dir_partnership_free(p);
}

static const char *const partnership_header[] = {
	"ID", "SLUG", "UA", "US", "STAGE", "COORDINATOR", "STARTED",
};

static const struct cli_dir_entity partnership_entity = {
	.cmd = "partnership",
	.what = "partnership",
	.kind = DIR_PARTNERSHIPS,
	.opts = partnership_opts,
	.header = partnership_header,
	.ncols = nitems(partnership_header),
	.nown = 2,
	.size = sizeof(struct dir_partnership),
	.list = partnership_load,
	.list_free = partnership_list_free,
	.json = partnership_json,
	.row = partnership_row,
	.show_size = sizeof(struct dir_partnership),
	.get = partnership_get,
	.show_json = partnership_json,
	.show_text = partnership_text,
	.show_free = partnership_free,
};

int
cmd_partnership(int argc, char **argv, struct cli *cli)
{
	return cli_dir_cmd(argc, argv, cli, &partnership_entity);
}
