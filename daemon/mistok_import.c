/*
 * mistok import orgs|contacts|partnerships FILE: one transaction; the
 * first bad row aborts it all with "FILE:LINE: column C: message".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "directory.h"
#include "json.h"
#include "mistok.h"
#include "util.h"

/* The whole file; -1 with errno on failure. */
static int
slurp(const char *path, struct buf *b)
{
	char chunk[65536];
	FILE *f;
	size_t n;
	int e;

	if (strcmp(path, "-") == 0)
		f = stdin;
	else if ((f = fopen(path, "rb")) == NULL)
		return -1;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(b, chunk, n);
	e = ferror(f) ? EIO : 0;
	if (f != stdin)
		fclose(f);
	if (e) {
		errno = e;
		return -1;
	}
	return 0;
}

int
cmd_import(int argc, char **argv, struct cli *cli)
{
	static const struct option longopts[] = { CLI_OPT_JSON, { 0 } };
	struct dir_import_stats st;
	enum dir_kind k;
	struct db *db = NULL;
	struct json *j;
	struct buf data;
	char *err = NULL;
	int ch, rc;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (ch == 'J')
			cli->json = 1;
		else
			return cli_usage("import");
	}
	if (argc - optind != 2 || directory_kind_parse(argv[optind], &k) == -1)
		return cli_usage("import");
	buf_init(&data);
	if (slurp(argv[optind + 1], &data) == -1) {
		fprintf(stderr, "mistok: %s: %s\n", argv[optind + 1],
		    strerror(errno));
		buf_free(&data);
		return EX_NOINPUT;
	}
	if ((rc = cli_open_db(cli, DB_CREATE | DB_MIGRATE, &db)) != EX_OK) {
		buf_free(&data);
		return rc;
	}
	rc = directory_import(db, cli->conf, k, argv[optind + 1],
	    data.data ? data.data : "", data.len, &st, &err);
	buf_free(&data);
	db_close(db);
	if (rc != 0) {
		fprintf(stderr, "mistok: %s\nmistok: nothing imported\n", err);
		free(err);
		return rc == DIR_ERR_DATA ? EX_DATAERR : EX_SOFTWARE;
	}
	if (cli->json) {
		j = json_object();
		json_set_string(j, "kind", directory_kind_name(k));
		json_set_int(j, "rows", (int64_t)st.rows);
		json_set_int(j, "added", (int64_t)st.added);
		json_set_int(j, "updated", (int64_t)st.updated);
		json_set_int(j, "unchanged", (int64_t)st.unchanged);
		cli_print_json(j);
	} else
		printf("%s: %zu rows: %zu added, %zu updated, %zu unchanged\n",
		    directory_kind_name(k), st.rows, st.added, st.updated,
		    st.unchanged);
	return EX_OK;
}
