/*
 * mistok calendar [-o FILE]: the .ics feed of every meeting (METHOD:
 * PUBLISH) on stdout or into FILE (written to FILE.tmp, then renamed, so
 * a web server never serves half a file).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "meeting.h"
#include "mistok.h"
#include "util.h"

int
cmd_calendar(int argc, char **argv, struct cli *cli)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		CLI_OPT_JSON,
		{ 0 }
	};
	struct meeting_env env;
	const char *path = NULL;
	struct db *db = NULL;
	struct buf out;
	char *err = NULL, *tmp;
	FILE *f;
	int ch, rc;

	while ((ch = getopt_long(argc, argv, "o:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'o':
			path = optarg;
			break;
		case 'J':
			break;
		default:
			return cli_usage("calendar");
		}
	}
	if (optind != argc)
		return cli_usage("calendar");
	if ((rc = cli_open_db(cli, 0, &db)) != EX_OK)
		return rc;
	env = (struct meeting_env){ db, cli->conf, NULL, NULL };
	buf_init(&out);
	if (meeting_feed(&env, &out, &err) == -1) {
		fprintf(stderr, "mistok: calendar: %s\n", err);
		free(err);
		buf_free(&out);
		db_close(db);
		return EX_SOFTWARE;
	}
	db_close(db);
	if (path == NULL || strcmp(path, "-") == 0) {
		rc = fwrite(out.data, 1, out.len, stdout) == out.len ? EX_OK :
		    EX_IOERR;
		buf_free(&out);
		return rc;
	}
	tmp = xasprintf("%s.tmp", path);
	rc = EX_OK;
	if ((f = fopen(tmp, "w")) == NULL) {
		perror(tmp);
		rc = EX_CANTCREAT;
	} else {
		if (fwrite(out.data, 1, out.len, f) != out.len ||
		    fflush(f) != 0 || fsync(fileno(f)) != 0)
			rc = EX_IOERR;
		if (fclose(f) != 0)
			rc = EX_IOERR;
		if (rc == EX_OK && rename(tmp, path) != 0)
			rc = EX_CANTCREAT;
		if (rc != EX_OK) {
			perror(path);
			unlink(tmp);
		}
	}
	free(tmp);
	buf_free(&out);
	return rc;
}
