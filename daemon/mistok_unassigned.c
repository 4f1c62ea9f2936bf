/*
 * mistok unassigned: the mail waiting for a person — correspondence and
 * command mail that no rule could file under exactly one partnership,
 * newest first, with the ids `mistok assign` takes. Own mail, lists,
 * auto-replies, bounces and iMIP replies are not listed: nobody files
 * them by hand.
 */
#include <stdio.h>
#include <stdlib.h>

#include "db.h"
#include "json.h"
#include "mistok.h"
#include "timeline.h"

int
cmd_unassigned(int argc, char **argv, struct cli *cli)
{
	static const struct option longopts[] = {
		{ "tz", required_argument, NULL, 'z' },
		CLI_OPT_JSON,
		{ 0 }
	};
	struct tl_message *v = NULL;
	const struct tz *z = NULL;
	const char *zone = NULL;
	struct json *a;
	struct db *db = NULL;
	size_t n = 0, i;
	char *err = NULL;
	int ch, rc;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'z':
			zone = optarg;
			break;
		case 'J':
			cli->json = 1;
			break;
		default:
			return cli_usage("unassigned");
		}
	}
	if (optind != argc)
		return cli_usage("unassigned");
	if ((rc = cli_open_db(cli, 0, &db)) != EX_OK)
		return rc;
	if ((!cli->json || zone != NULL) &&
	    (z = cli_zone(cli, zone)) == NULL) {
		db_close(db);
		return EX_USAGE;
	}
	if (timeline_unassigned(db, &v, &n, &err) == -1) {
		fprintf(stderr, "mistok: %s\n", err);
		free(err);
		db_close(db);
		return EX_SOFTWARE;
	}
	if (cli->json) {
		a = json_array();
		for (i = 0; i < n; i++)
			json_append(a, cli_json_tl_message(&v[i]));
		cli_print_json(a);
	} else {
		for (i = 0; i < n; i++)
			cli_tl_line(z, &v[i], "");
		fprintf(stderr, "%zu message%s without a partnership; file one "
		    "with: mistok assign ID PARTNERSHIP\n", n, n == 1 ? "" :
		    "s");
	}
	tl_messages_free(v, n);
	db_close(db);
	return EX_OK;
}
