/*
 * mistok backup FILE: a consistent copy of the live store (db_backup()).
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>

#include "config.h"
#include "db.h"
#include "json.h"
#include "mistok.h"
#include "util.h"

int
cmd_backup(int argc, char **argv, struct cli *cli)
{
	static const struct option longopts[] = {
		CLI_OPT_JSON,
		{ "force", no_argument, NULL, 'f' },
		{ 0 },
	};
	struct db *db;
	struct stat sb;
	struct json *o;
	char *err = NULL;
	int ch, force = 0, rc;

	while ((ch = getopt_long(argc, argv, "f", longopts, NULL)) != -1) {
		if (ch == 'J')
			cli->json = 1;
		else if (ch == 'f')
			force = 1;
		else
			return cli_usage("backup");
	}
	if (optind != argc - 1)
		return cli_usage("backup");

	if (!force && lstat(argv[optind], &sb) == 0) {
		fprintf(stderr, "mistok: %s: already exists (use --force to "
		    "replace it)\n", argv[optind]);
		return EX_CANTCREAT;
	}
	/* Any schema version: a backup copies pages, it reads no table. */
	if ((rc = cli_open_db(cli, DB_ANYVERSION, &db)) != EX_OK)
		return rc;
	if (db_backup(db, argv[optind], force, &err) == -1) {
		fprintf(stderr, "mistok: %s\n", err);
		free(err);
		db_close(db);
		return EX_IOERR;
	}
	if (stat(argv[optind], &sb) == -1)
		sb.st_size = 0;
	if (cli->json) {
		o = json_object();
		json_set_string(o, "database", db_path(db));
		json_set_string(o, "backup", argv[optind]);
		json_set_int(o, "size", (int64_t)sb.st_size);
		json_set_int(o, "schema_version", db_schema_version(db));
		cli_print_json(o);
	} else
		printf("%s: backed up to %s (%lld bytes)\n", db_path(db),
		    argv[optind], (long long)sb.st_size);
	db_close(db);
	return EX_OK;
}
