/*
 * mistok org add|edit|list|show: its options, columns and text;
 * mistok_dir.c runs the subcommands. Also the JSON shape of an
 * organisation.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "directory.h"
#include "json.h"
#include "mistok.h"
#include "util.h"

static const struct cli_field_opt org_opts[] = {
	{ "name", "name" }, { "country", "country" }, { "kind", "kind" },
	{ "city", "city" }, { "region", "region" }, { "tz", "timezone" },
	{ "timezone", "timezone" }, { "lang", "language" },
	{ "language", "language" }, { "domains", "domains" },
	{ "hours", "hours" }, { NULL, NULL },
};

struct json *
cli_json_org(const struct dir_org *o)
{
	struct json *j, *a;
	size_t i;

	j = json_object();
	json_set_int(j, "id", o->id);
	json_set_string(j, "name", o->name);
	json_set_string(j, "country", o->country);
	json_set_string(j, "kind", o->kind);
	json_set_string(j, "city", o->city);
	json_set_string(j, "region", o->region);
	json_set_string(j, "timezone", o->zone);
	json_set_string(j, "language", o->language);
	a = json_set(j, "domains", json_array());
	for (i = 0; i < o->ndomains; i++)
		json_append(a, json_string(o->domains[i]));
	json_set_string(j, "hours", o->hours);
	json_set(j, "created", cli_json_time(o->created));
	return j;
}

/* The cli_dir_entity slots, typed for struct dir_org. */
static int
org_load(struct db *db, void **v, size_t *n)
{
	struct dir_org *o = NULL;
	int rc;

	rc = directory_org_list(db, &o, n);
	*v = o;
	return rc;
}

static void
org_list_free(void *v, size_t n)
{
	dir_org_list_free(v, n);
}

static struct json *
org_json(const void *o)
{
	return cli_json_org(o);
}

static int
org_row(const void *rec, const char **row, char **own)
{
	const struct dir_org *o = rec;
	struct buf b;
	size_t j;

	buf_init(&b);
	for (j = 0; j < o->ndomains; j++)
		buf_printf(&b, "%s%s", j ? " " : "", o->domains[j]);
	own[0] = xasprintf("%lld", (long long)o->id);
	own[1] = b.data;
	row[0] = own[0];
	row[1] = o->name;
	row[2] = o->country;
	row[3] = o->kind;
	row[4] = o->city;
	row[5] = o->zone;
	row[6] = o->language;
	row[7] = b.data;
	return 0;
}

/* What org show prints: the record, its contacts and partnerships. */
struct org_view {
	struct dir_org		 o;
	int64_t			 id;
	struct dir_contact	*cv;	/* every contact; those with org id */
	size_t			 nc;
	char			**slugs;	/* the partnerships found */
	size_t			 nslugs;
	size_t			 np;	/* the partnerships of the org */
};

static void
org_free(void *rec)
{
	struct org_view *w = rec;
	size_t i;

	for (i = 0; i < w->nslugs; i++)
		free(w->slugs[i]);
	free(w->slugs);
	dir_contact_list_free(w->cv, w->nc);
	dir_org_free(&w->o);
}

static int
org_get(struct db *db, int64_t id, void *rec)
{
	struct org_view *w = rec;
	struct dir_partnership p;
	int64_t *pids = NULL;
	size_t i;

	w->id = id;
	if (directory_org_get(db, id, &w->o) != 1)
		return -1;
	if (directory_contact_list(db, &w->cv, &w->nc) == -1 ||
	    directory_partnerships_of_org(db, id, &pids, &w->np) == -1) {
		org_free(w);
		return -1;
	}
	w->slugs = xcalloc(w->np + 1, sizeof(*w->slugs));
	for (i = 0; i < w->np; i++)
		if (directory_partnership_by_id(db, pids[i], &p) == 1) {
			w->slugs[w->nslugs++] = xstrdup(p.slug);
			dir_partnership_free(&p);
		}
	free(pids);
	return 1;
}

static struct json *
org_show_json(const void *rec)
{
	const struct org_view *w = rec;
	struct json *j, *a;
	size_t i;

	j = cli_json_org(&w->o);
	a = json_set(j, "contacts", json_array());
	for (i = 0; i < w->nc; i++)
		if (w->cv[i].org == w->id)
			json_append(a, json_int(w->cv[i].id));
	a = json_set(j, "partnerships", json_array());
	for (i = 0; i < w->nslugs; i++)
		json_append(a, json_string(w->slugs[i]));
	return j;
}

static void
org_text(const void *rec)
{
	const struct org_view *w = rec;
	const struct dir_org *o = &w->o;
	size_t i;
	int n;

	printf("organisation #%lld: %s\n", (long long)o->id, o->name);
	printf("  country:      %s\n", o->country);
	printf("  kind:         %s\n", o->kind);
	printf("  city:         %s%s%s%s\n", o->city ? o->city : "-",
	    o->region ? " (" : "", o->region ? o->region : "",
	    o->region ? ")" : "");
	printf("  time zone:    %s\n", o->zone);
	printf("  language:     %s\n", o->language);
	printf("  domains:     ");
	for (i = 0; i < o->ndomains; i++)
		printf(" %s", o->domains[i]);
	printf("%s\n", o->ndomains ? "" : " -");
	printf("  hours:        %s\n", o->hours ? o->hours :
	    "the [schedule] default");
	printf("  contacts:    ");
	for (n = 0, i = 0; i < w->nc; i++)
		if (w->cv[i].org == w->id)
			printf("%s %s <%s>", n++ ? "," : "",
			    w->cv[i].name ? w->cv[i].name : "",
			    w->cv[i].emails[0]);
	printf("%s\n", n ? "" : " -");
	printf("  partnerships:");
	for (i = 0; i < w->nslugs; i++)
		printf(" %s", w->slugs[i]);
	printf("%s\n", w->np ? "" : " -");
}

static const char *const org_header[] = {
	"ID", "NAME", "COUNTRY", "KIND", "CITY", "ZONE", "LANG", "DOMAINS",
};

static const struct cli_dir_entity org_entity = {
	.cmd = "org",
	.what = "organisation",
	.kind = DIR_ORGS,
	.opts = org_opts,
	.header = org_header,
	.ncols = nitems(org_header),
	.nown = 2,
	.size = sizeof(struct dir_org),
	.list = org_load,
	.list_free = org_list_free,
	.json = org_json,
	.row = org_row,
	.show_size = sizeof(struct org_view),
	.get = org_get,
	.show_json = org_show_json,
	.show_text = org_text,
	.show_free = org_free,
};

int
cmd_org(int argc, char **argv, struct cli *cli)
{
	return cli_dir_cmd(argc, argv, cli, &org_entity);
}
