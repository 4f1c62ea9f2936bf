/*
 * The shape mistok org, contact and partnership share: add and edit from
 * --FIELD options, list as a table or a JSON array, show one record as
 * text or JSON, each driven by a struct cli_dir_entity that the entity's
 * own file fills in. Also the helpers other commands reuse: resolving a
 * NAME-or-ID (cli_dir_find()) and aligned text tables (cli_table()).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "directory.h"
#include "json.h"
#include "mistok.h"
#include "util.h"

/*
 * Splits argv into "--opt VALUE" / "--opt=VALUE" fields named by map's
 * columns (map ends with a NULL opt), --json, and positional arguments;
 * *fields and *pos point into argv (free the two arrays). -1 after
 * printing a usage error.
 */
static int
dir_args(int argc, char **argv, struct cli *cli,
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

/*
 * Runs directory_put() with cli's config and prints its error: EX_OK,
 * EX_DATAERR or EX_SOFTWARE.
 */
static int
dir_put(struct cli *cli, struct db *db, struct dir_put *p)
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

/* Reports a write: "organisation #3 added", or its JSON. */
static void
dir_done(struct cli *cli, const char *what, const struct dir_put *p)
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

/* ENTITY list: every record as a table, or a JSON array with --json. */
static int
dir_list(struct cli *cli, struct db *db, const struct cli_dir_entity *e)
{
	struct json *a;
	const char **cells;
	char **own;
	void *v;
	size_t n, i;
	int note = 0;

	if (e->list(db, &v, &n) == -1) {
		/* The three plurals are regular: "organisations". */
		fprintf(stderr, "mistok: reading %ss: %s\n", e->what,
		    db_errmsg(db));
		return EX_SOFTWARE;
	}
	if (cli->json) {
		a = json_array();
		for (i = 0; i < n; i++)
			json_append(a, e->json((char *)v + i * e->size));
		cli_print_json(a);
		e->list_free(v, n);
		return EX_OK;
	}
	cells = xcalloc(n * e->ncols + 1, sizeof(*cells));
	own = xcalloc(n * e->nown + 1, sizeof(*own));
	for (i = 0; i < n; i++)
		if (e->row((char *)v + i * e->size, cells + i * e->ncols,
		    own + i * e->nown))
			note = 1;
	cli_table(e->header, e->ncols, cells, n);
	if (note && e->note != NULL)
		printf("%s\n", e->note);
	for (i = 0; i < n * e->nown; i++)
		free(own[i]);
	free(own);
	free(cells);
	e->list_free(v, n);
	return EX_OK;
}

/* ENTITY show KEY: one record as text, or its JSON with --json. */
static int
dir_show(struct cli *cli, struct db *db, const struct cli_dir_entity *e,
    const char *key)
{
	void *rec;
	int64_t id;
	int rc;

	if ((rc = cli_dir_find(db, e->kind, key, &id)) != EX_OK)
		return rc;
	rec = xcalloc(1, e->show_size);
	if (e->get(db, id, rec) != 1) {
		fprintf(stderr, "mistok: reading %s: %s\n", e->what,
		    db_errmsg(db));
		free(rec);
		return EX_SOFTWARE;
	}
	if (cli->json)
		cli_print_json(e->show_json(rec));
	else
		e->show_text(rec);
	e->show_free(rec);
	free(rec);
	return EX_OK;
}

int
cli_dir_cmd(int argc, char **argv, struct cli *cli,
    const struct cli_dir_entity *e)
{
	struct dir_field *fields;
	struct dir_put put;
	struct db *db = NULL;
	char **pos;
	const char *sub;
	size_t nf, npos;
	int rc;

	if (argc < 2)
		return cli_usage(e->cmd);
	sub = argv[1];
	if (dir_args(argc - 2, argv + 2, cli, e->opts, &fields, &nf, &pos,
	    &npos) == -1)
		return cli_usage(e->cmd);
	memset(&put, 0, sizeof(put));
	put.kind = e->kind;
	put.fields = fields;
	put.nfields = nf;
	if (strcmp(sub, "add") == 0 && npos == 0) {
		put.mode = DIR_PUT_ADD;
		if ((rc = cli_open_db(cli, DB_CREATE | DB_MIGRATE, &db)) ==
		    EX_OK && (rc = dir_put(cli, db, &put)) == EX_OK)
			dir_done(cli, e->what, &put);
	} else if (strcmp(sub, "edit") == 0 && npos == 1 && nf > 0) {
		put.mode = DIR_PUT_EDIT;
		if ((rc = cli_open_db(cli, DB_CREATE | DB_MIGRATE, &db)) ==
		    EX_OK && (rc = cli_dir_find(db, e->kind, pos[0],
		    &put.id)) == EX_OK &&
		    (rc = dir_put(cli, db, &put)) == EX_OK)
			dir_done(cli, e->what, &put);
	} else if (strcmp(sub, "list") == 0 && npos == 0 && nf == 0) {
		if ((rc = cli_open_db(cli, 0, &db)) == EX_OK)
			rc = dir_list(cli, db, e);
	} else if (strcmp(sub, "show") == 0 && npos == 1 && nf == 0) {
		if ((rc = cli_open_db(cli, 0, &db)) == EX_OK)
			rc = dir_show(cli, db, e, pos[0]);
	} else if (e->verb != NULL && strcmp(sub, e->verb) == 0 &&
	    npos == 1 && nf == 0) {
		if ((rc = cli_open_db(cli, DB_MIGRATE, &db)) == EX_OK)
			rc = e->verb_fn(cli, db, pos[0]);
	} else
		rc = cli_usage(e->cmd);
	free(fields);
	free(pos);
	db_close(db);
	return rc;
}
