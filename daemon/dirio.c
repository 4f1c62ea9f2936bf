/*
 * dirio: the directory's CSV import and export (DESIGN.md "Directory
 * import"). Import runs each row through directory_put(), so a row and a
 * `mistok org add` say the same about the same mistake; an export imports
 * back to the same records.
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

/* ---- import and export -------------------------------------------------- */

int
directory_import(struct db *db, const struct config *conf, enum dir_kind k,
    const char *name, const char *data, size_t len,
    struct dir_import_stats *stats, char **err)
{
	const struct dir_kind_info *ki = &dir_kinds[k];
	struct dir_field *fields = NULL;
	struct dir_put put;
	struct csv *c;
	char **rec, *msg = NULL, **keys = NULL, *key;
	const char **header = NULL;
	size_t nf, nheader = 0, i, j, *key_lines = NULL, nkeys = 0, line, col;
	int rc = DIR_ERR_DATA, r;

	*err = NULL;
	memset(stats, 0, sizeof(*stats));
	c = csv_open(data, len);
	if ((r = csv_read(c, &rec, &nf)) <= 0) {
		if (r == 0)
			dir_set_err(err, "%s: empty file: no header row", name);
		else {
			msg = (char *)csv_error(c, &line, &col);
			dir_set_err(err, "%s:%zu: column %zu: %s", name, line, col,
			    msg);
		}
		csv_close(c);
		return DIR_ERR_DATA;
	}
	header = xcalloc(nf, sizeof(*header));
	nheader = nf;
	for (i = 0; i < nf; i++) {
		char *h = xstrdup(rec[i]);

		str_trim(h);
		str_lower(h);
		header[i] = dir_colname(k, h);
		if (header[i] == NULL) {
			struct buf b;

			buf_init(&b);
			for (j = 0; j < ki->ncols; j++)
				buf_printf(&b, "%s%s", j ? " " : "",
				    ki->cols[j]);
			dir_set_err(err, "%s:%zu: unknown column '%s' (%s has: %s)",
			    name, csv_line(c), h, ki->name, b.data);
			buf_free(&b);
			free(h);
			goto out;
		}
		free(h);
		for (j = 0; j < i; j++)
			if (header[j] == header[i]) {
				dir_set_err(err, "%s:%zu: column %s appears twice",
				    name, csv_line(c), header[i]);
				goto out;
			}
	}
	for (i = 0; i < ki->nrequired; i++) {
		for (j = 0; j < nheader; j++)
			if (header[j] == ki->cols[i])
				break;
		if (j == nheader) {
			dir_set_err(err, "%s:%zu: missing column %s", name,
			    csv_line(c), ki->cols[i]);
			goto out;
		}
	}
	fields = xcalloc(nheader, sizeof(*fields));

	if (db_begin(db) == -1) {
		dir_set_err(err, "%s: database: %s", name, db_errmsg(db));
		rc = DIR_ERR_DB;
		goto out;
	}
	while ((r = csv_read(c, &rec, &nf)) == 1) {
		line = csv_line(c);
		if (nf != nheader) {
			dir_set_err(err, "%s:%zu: %zu fields, but the header has "
			    "%zu", name, line, nf, nheader);
			goto rollback;
		}
		for (i = 0; i < nf; i++) {
			fields[i].name = header[i];
			fields[i].value = rec[i];
		}
		/* The same key twice in one file is a mistake, not an update. */
		key = NULL;
		for (i = 0; i < nf; i++)
			if (header[i] == ki->cols[k == DIR_CONTACTS ? 1 : 0])
				key = xstrdup(rec[i]);
		if (key != NULL) {
			str_trim(key);
			if (k != DIR_ORGS)
				str_lower(key);
			for (i = 0; i < nkeys; i++)
				if (strcmp(keys[i], key) == 0)
					break;
			if (i < nkeys) {
				dir_set_err(err, "%s:%zu: column %s: '%s' is "
				    "already on line %zu", name, line,
				    ki->cols[k == DIR_CONTACTS ? 1 : 0], key,
				    key_lines[i]);
				free(key);
				goto rollback;
			}
			keys = xreallocarray(keys, nkeys + 1, sizeof(*keys));
			key_lines = xreallocarray(key_lines, nkeys + 1,
			    sizeof(*key_lines));
			keys[nkeys] = key;
			key_lines[nkeys++] = line;
		}
		memset(&put, 0, sizeof(put));
		put.kind = k;
		put.mode = DIR_PUT_UPSERT;
		put.fields = fields;
		put.nfields = nf;
		put.conf = conf;
		put.actor = "import";
		if ((r = directory_put(db, &put, &msg)) != 0) {
			if (put.bad_field != NULL)
				dir_set_err(err, "%s:%zu: column %s: %s", name,
				    line, put.bad_field, msg);
			else
				dir_set_err(err, "%s:%zu: %s", name, line, msg);
			free(msg);
			msg = NULL;
			if (r == DIR_ERR_DB)
				rc = DIR_ERR_DB;
			goto rollback;
		}
		stats->rows++;
		if (put.created)
			stats->added++;
		else if (put.changed)
			stats->updated++;
		else
			stats->unchanged++;
	}
	if (r == -1) {
		const char *m = csv_error(c, &line, &col);

		if (col <= nheader)
			dir_set_err(err, "%s:%zu: column %s: %s", name, line,
			    header[col - 1], m);
		else
			dir_set_err(err, "%s:%zu: column %zu: %s", name, line, col,
			    m);
		goto rollback;
	}
	if (stats->added + stats->updated > 0) {
		char *detail = xasprintf("%s %s: %zu rows, %zu added, %zu "
		    "updated", ki->name, name, stats->rows, stats->added,
		    stats->updated);

		r = db_exec(db, "INSERT INTO events (at, actor, action, "
		    "object, detail) VALUES (?, 'import', 'import', ?, ?)",
		    "Ttt", clock_now(), ki->name, detail);
		free(detail);
		if (r == -1) {
			dir_set_err(err, "%s: database: %s", name, db_errmsg(db));
			rc = DIR_ERR_DB;
			goto rollback;
		}
	}
	if (db_commit(db) == -1) {
		dir_set_err(err, "%s: database: commit: %s", name, db_errmsg(db));
		rc = DIR_ERR_DB;
		goto rollback;
	}
	rc = 0;
	goto out;

rollback:
	db_rollback(db);
	memset(stats, 0, sizeof(*stats));
out:
	for (i = 0; i < nkeys; i++)
		free(keys[i]);
	free(keys);
	free(key_lines);
	free(fields);
	free(header);
	csv_close(c);
	return rc;
}

int
directory_export(struct db *db, enum dir_kind k, struct buf *out, char **err)
{
	size_t i, n;

	*err = NULL;
	csv_write_row(out, dir_kinds[k].cols, dir_kinds[k].ncols);
	switch (k) {
	case DIR_ORGS: {
		struct dir_org *v;

		if (directory_org_list(db, &v, &n) == -1)
			break;
		for (i = 0; i < n; i++)
			dir_org_row(&v[i], out);
		dir_org_list_free(v, n);
		return 0;
	}
	case DIR_CONTACTS: {
		struct dir_contact *v;

		if (directory_contact_list(db, &v, &n) == -1)
			break;
		for (i = 0; i < n; i++)
			dir_contact_row(&v[i], out);
		dir_contact_list_free(v, n);
		return 0;
	}
	case DIR_PARTNERSHIPS: {
		struct dir_partnership *v;

		if (directory_partnership_list(db, &v, &n) == -1)
			break;
		for (i = 0; i < n; i++)
			dir_partnership_row(&v[i], out);
		dir_partnership_list_free(v, n);
		return 0;
	}
	}
	dir_db_fail(db, err, dir_kinds[k].name);
	return -1;
}
