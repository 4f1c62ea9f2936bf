/*
 * mistok org add|edit|list|show, and the helpers the directory commands
 * share (option-to-column mapping, writes with their error messages,
 * text tables, the JSON shape of an organisation).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
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

int
cli_dir_args(int argc, char **argv, struct cli *cli,
    const struct cli_field_opt *map, struct dir_field **fields, size_t *nf,
    char ***pos, size_t *npos)
{
	const struct cli_field_opt *m;
	const char *name, *eq;
	size_t len;
	int i;

	*fields = xcalloc((size_t)argc + 1, sizeof(**fields));
	*pos = xcalloc((size_t)argc + 1, sizeof(**pos));
	*nf = *npos = 0;
	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			for (i++; i < argc; i++)
				(*pos)[(*npos)++] = argv[i];
			break;
		}
		if (strncmp(argv[i], "--", 2) != 0) {
			(*pos)[(*npos)++] = argv[i];
			continue;
		}
		name = argv[i] + 2;
		eq = strchr(name, '=');
		len = eq ? (size_t)(eq - name) : strlen(name);
		if (len == 4 && strncmp(name, "json", 4) == 0 && eq == NULL) {
			cli->json = 1;
			continue;
		}
		for (m = map; m != NULL && m->opt != NULL; m++)
			if (strlen(m->opt) == len &&
			    strncmp(m->opt, name, len) == 0)
				break;
		if (m == NULL || m->opt == NULL) {
			fprintf(stderr, "mistok: unknown option --%.*s\n",
			    (int)len, name);
			goto usage;
		}
		if (eq == NULL && i + 1 == argc) {
			fprintf(stderr, "mistok: --%s needs a value\n", m->opt);
			goto usage;
		}
		(*fields)[*nf].name = m->field;
		(*fields)[(*nf)++].value = eq ? eq + 1 : argv[++i];
	}
	return 0;
usage:
	free(*fields);
	free(*pos);
	*fields = NULL;
	*pos = NULL;
	return -1;
}

int
cli_dir_put(struct cli *cli, struct db *db, struct dir_put *p)
{
	char *err = NULL;
	int rc;

	p->conf = cli->conf;
	if (p->actor == NULL)
		p->actor = "cli";
	rc = directory_put(db, p, &err);
	if (rc == 0)
		return EX_OK;
	if (p->bad_field != NULL)
		fprintf(stderr, "mistok: %s: %s\n", p->bad_field, err);
	else
		fprintf(stderr, "mistok: %s\n", err);
	free(err);
	return rc == DIR_ERR_DATA ? EX_DATAERR : EX_SOFTWARE;
}

int
cli_dir_find(struct db *db, enum dir_kind k, const char *key, int64_t *id)
{
	char *err = NULL;
	int rc;

	rc = directory_find(db, k, key, id, &err);
	if (rc == 1)
		return EX_OK;
	fprintf(stderr, "mistok: %s\n", err ? err : "lookup failed");
	free(err);
	return rc == 0 ? EX_NOINPUT : EX_SOFTWARE;
}

/* Code points, close enough to columns for Latin and Cyrillic. */
static size_t
width(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

void
cli_table(const char *const *header, size_t ncols, const char *const *cells,
    size_t nrows)
{
	size_t *w, r, c, i;
	const char *s;

	w = xcalloc(ncols, sizeof(*w));
	for (c = 0; c < ncols; c++)
		w[c] = width(header[c]);
	for (r = 0; r < nrows; r++)
		for (c = 0; c < ncols; c++)
			if ((s = cells[r * ncols + c]) != NULL &&
			    width(s) > w[c])
				w[c] = width(s);
	for (r = 0; r <= nrows; r++) {
		for (c = 0; c < ncols; c++) {
			s = r == 0 ? header[c] : cells[(r - 1) * ncols + c];
			if (s == NULL)
				s = "-";
			fputs(s, stdout);
			if (c + 1 < ncols)
				for (i = width(s); i < w[c] + 2; i++)
					putchar(' ');
		}
		putchar('\n');
	}
	free(w);
}

void
cli_dir_done(struct cli *cli, const char *what, const struct dir_put *p)
{
	struct json *j;

	if (cli->json) {
		j = json_object();
		json_set_int(j, "id", p->out_id);
		json_set(j, "created", json_bool(p->created));
		json_set(j, "changed", json_bool(p->changed));
		cli_print_json(j);
	} else
		printf("%s #%lld %s\n", what, (long long)p->out_id,
		    p->created ? "added" : p->changed ? "changed" :
		    "unchanged");
}

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

static int
org_list(struct cli *cli, struct db *db)
{
	struct dir_org *v;
	struct json *a;
	const char **cells;
	char **doms;
	size_t n, i, j;
	struct buf b;
	static const char *const hdr[] = {
		"ID", "NAME", "COUNTRY", "KIND", "CITY", "ZONE", "LANG",
		"DOMAINS",
	};

	if (directory_org_list(db, &v, &n) == -1) {
		fprintf(stderr, "mistok: reading organisations: %s\n",
		    db_errmsg(db));
		return EX_SOFTWARE;
	}
	if (cli->json) {
		a = json_array();
		for (i = 0; i < n; i++)
			json_append(a, cli_json_org(&v[i]));
		cli_print_json(a);
		dir_org_list_free(v, n);
		return EX_OK;
	}
	cells = xcalloc(n * nitems(hdr) + 1, sizeof(*cells));
	doms = xcalloc(n * 2 + 1, sizeof(*doms));
	for (i = 0; i < n; i++) {
		const char **row = cells + i * nitems(hdr);

		buf_init(&b);
		for (j = 0; j < v[i].ndomains; j++)
			buf_printf(&b, "%s%s", j ? " " : "", v[i].domains[j]);
		doms[2 * i] = xasprintf("%lld", (long long)v[i].id);
		doms[2 * i + 1] = b.data;
		row[0] = doms[2 * i];
		row[1] = v[i].name;
		row[2] = v[i].country;
		row[3] = v[i].kind;
		row[4] = v[i].city;
		row[5] = v[i].zone;
		row[6] = v[i].language;
		row[7] = b.data;
	}
	cli_table(hdr, nitems(hdr), cells, n);
	for (i = 0; i < 2 * n; i++)
		free(doms[i]);
	free(doms);
	free(cells);
	dir_org_list_free(v, n);
	return EX_OK;
}

static int
org_show(struct cli *cli, struct db *db, const char *key)
{
	struct dir_org o;
	struct dir_contact *cv;
	struct dir_partnership p;
	struct json *j, *a;
	int64_t id, *pids = NULL;
	size_t i, nc = 0, np = 0;
	int rc;

	if ((rc = cli_dir_find(db, DIR_ORGS, key, &id)) != EX_OK)
		return rc;
	if (directory_org_get(db, id, &o) != 1 ||
	    directory_contact_list(db, &cv, &nc) == -1 ||
	    directory_partnerships_of_org(db, id, &pids, &np) == -1) {
		fprintf(stderr, "mistok: reading organisation: %s\n",
		    db_errmsg(db));
		return EX_SOFTWARE;
	}
	if (cli->json) {
		j = cli_json_org(&o);
		a = json_set(j, "contacts", json_array());
		for (i = 0; i < nc; i++)
			if (cv[i].org == id)
				json_append(a, json_int(cv[i].id));
		a = json_set(j, "partnerships", json_array());
		for (i = 0; i < np; i++)
			if (directory_partnership_by_id(db, pids[i], &p) == 1) {
				json_append(a, json_string(p.slug));
				dir_partnership_free(&p);
			}
		cli_print_json(j);
	} else {
		printf("organisation #%lld: %s\n", (long long)o.id, o.name);
		printf("  country:      %s\n", o.country);
		printf("  kind:         %s\n", o.kind);
		printf("  city:         %s%s%s%s\n", o.city ? o.city : "-",
		    o.region ? " (" : "", o.region ? o.region : "",
		    o.region ? ")" : "");
		printf("  time zone:    %s\n", o.zone);
		printf("  language:     %s\n", o.language);
		printf("  domains:     ");
		for (i = 0; i < o.ndomains; i++)
			printf(" %s", o.domains[i]);
		printf("%s\n", o.ndomains ? "" : " -");
		printf("  hours:        %s\n", o.hours ? o.hours :
		    "the [schedule] default");
		printf("  contacts:    ");
		for (rc = 0, i = 0; i < nc; i++)
			if (cv[i].org == id)
				printf("%s %s <%s>", rc++ ? "," : "",
				    cv[i].name ? cv[i].name : "",
				    cv[i].emails[0]);
		printf("%s\n", rc ? "" : " -");
		printf("  partnerships:");
		for (i = 0; i < np; i++)
			if (directory_partnership_by_id(db, pids[i], &p) == 1) {
				printf(" %s", p.slug);
				dir_partnership_free(&p);
			}
		printf("%s\n", np ? "" : " -");
	}
	free(pids);
	dir_contact_list_free(cv, nc);
	dir_org_free(&o);
	return EX_OK;
}

int
cmd_org(int argc, char **argv, struct cli *cli)
{
	struct dir_field *fields;
	struct dir_put put;
	struct db *db = NULL;
	char **pos;
	const char *sub;
	size_t nf, npos;
	int rc;

	if (argc < 2)
		return cli_usage("org");
	sub = argv[1];
	if (cli_dir_args(argc - 2, argv + 2, cli, org_opts, &fields, &nf,
	    &pos, &npos) == -1)
		return cli_usage("org");
	memset(&put, 0, sizeof(put));
	put.kind = DIR_ORGS;
	put.fields = fields;
	put.nfields = nf;
	if (strcmp(sub, "add") == 0 && npos == 0) {
		put.mode = DIR_PUT_ADD;
		if ((rc = cli_open_db(cli, DB_CREATE | DB_MIGRATE, &db)) ==
		    EX_OK && (rc = cli_dir_put(cli, db, &put)) == EX_OK)
			cli_dir_done(cli, "organisation", &put);
	} else if (strcmp(sub, "edit") == 0 && npos == 1 && nf > 0) {
		put.mode = DIR_PUT_EDIT;
		if ((rc = cli_open_db(cli, DB_CREATE | DB_MIGRATE, &db)) ==
		    EX_OK && (rc = cli_dir_find(db, DIR_ORGS, pos[0],
		    &put.id)) == EX_OK &&
		    (rc = cli_dir_put(cli, db, &put)) == EX_OK)
			cli_dir_done(cli, "organisation", &put);
	} else if (strcmp(sub, "list") == 0 && npos == 0 && nf == 0) {
		if ((rc = cli_open_db(cli, 0, &db)) == EX_OK)
			rc = org_list(cli, db);
	} else if (strcmp(sub, "show") == 0 && npos == 1 && nf == 0) {
		if ((rc = cli_open_db(cli, 0, &db)) == EX_OK)
			rc = org_show(cli, db, pos[0]);
	} else
		rc = cli_usage("org");
	free(fields);
	free(pos);
	db_close(db);
	return rc;
}
