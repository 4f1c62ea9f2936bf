/*
 * mistok export orgs|contacts|partnerships [FILE]: the import's columns,
 * so an export imports back to the same records. --json prints the
 * records as `list --json` does.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "directory.h"
#include "json.h"
#include "mistok.h"
#include "util.h"

static struct json *
as_json(struct db *db, enum dir_kind k)
{
	struct json *a = json_array();
	size_t i, n;

	switch (k) {
	case DIR_ORGS: {
		struct dir_org *v;

		if (directory_org_list(db, &v, &n) == -1)
			goto fail;
		for (i = 0; i < n; i++)
			json_append(a, cli_json_org(&v[i]));
		dir_org_list_free(v, n);
		break;
	}
	case DIR_CONTACTS: {
		struct dir_contact *v;

		if (directory_contact_list(db, &v, &n) == -1)
			goto fail;
		for (i = 0; i < n; i++)
			json_append(a, cli_json_contact(&v[i]));
		dir_contact_list_free(v, n);
		break;
	}
	case DIR_PARTNERSHIPS: {
		struct dir_partnership *v;

		if (directory_partnership_list(db, &v, &n) == -1)
			goto fail;
		for (i = 0; i < n; i++)
			json_append(a, cli_json_partnership(&v[i]));
		dir_partnership_list_free(v, n);
		break;
	}
	}
	return a;
fail:
	json_free(a);
	return NULL;
}

int
cmd_export(int argc, char **argv, struct cli *cli)
{
	static const struct option longopts[] = { CLI_OPT_JSON, { 0 } };
	enum dir_kind k;
	struct db *db = NULL;
	struct json *j = NULL;
	struct buf out;
	const char *path = NULL;
	char *err = NULL;
	FILE *f;
	int ch, rc;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (ch == 'J')
			cli->json = 1;
		else
			return cli_usage("export");
	}
	if (argc - optind < 1 || argc - optind > 2 ||
	    directory_kind_parse(argv[optind], &k) == -1)
		return cli_usage("export");
	if (argc - optind == 2 && strcmp(argv[optind + 1], "-") != 0)
		path = argv[optind + 1];
	if ((rc = cli_open_db(cli, 0, &db)) != EX_OK)
		return rc;
	buf_init(&out);
	if (cli->json) {
		if ((j = as_json(db, k)) != NULL) {
			json_write(&out, j, JSON_PRETTY);
			json_free(j);
		} else
			err = xasprintf("database: %s", db_errmsg(db));
	} else if (directory_export(db, k, &out, &err) == -1)
		j = NULL;
	db_close(db);
	if (err != NULL) {
		fprintf(stderr, "mistok: export %s: %s\n",
		    directory_kind_name(k), err);
		free(err);
		buf_free(&out);
		return EX_SOFTWARE;
	}
	if (path == NULL) {
		fwrite(out.data, 1, out.len, stdout);
		buf_free(&out);
		return EX_OK;
	}
	if ((f = fopen(path, "wb")) == NULL) {
		fprintf(stderr, "mistok: %s: %s\n", path, strerror(errno));
		buf_free(&out);
		return EX_CANTCREAT;
	}
	if (fwrite(out.data, 1, out.len, f) != out.len || fflush(f) == EOF ||
	    fsync(fileno(f)) == -1) {
		fprintf(stderr, "mistok: %s: %s\n", path, strerror(errno));
		fclose(f);
		buf_free(&out);
		return EX_IOERR;
	}
	if (fclose(f) == EOF) {
		fprintf(stderr, "mistok: %s: %s\n", path, strerror(errno));
		buf_free(&out);
		return EX_IOERR;
	}
	buf_free(&out);
	return EX_OK;
}
