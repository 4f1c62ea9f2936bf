/*
 * mistok digest: a coordinator's digest now — printed (text or HTML) or
 * queued in the outbox with --send. The content is digest.c's, the
 * rendering and queueing remind.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "db.h"
#include "mailtmpl.h"
#include "mistok.h"
#include "remind.h"
#include "util.h"

int
cmd_digest(int argc, char **argv, struct cli *cli)
{
	static const struct option opts[] = {
		{ "to", required_argument, NULL, 't' },
		{ "send", no_argument, NULL, 's' },
		{ "format", required_argument, NULL, 'f' },
		CLI_OPT_JSON,
		{ NULL, 0, NULL, 0 }
	};
	struct remind_env env;
	struct mailtmpl_mail mm;
	const char *to = NULL, *format = "text";
	struct db *db;
	char *err = NULL;
	int ch, send = 0, rc, r;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 't':
			to = optarg;
			break;
		case 's':
			send = 1;
			break;
		case 'f':
			format = optarg;
			break;
		case 'J':
			cli->json = 1;
			break;
		default:
			return cli_usage("digest");
		}
	}
	if (optind != argc || (strcmp(format, "text") != 0 &&
	    strcmp(format, "html") != 0))
		return cli_usage("digest");
	if ((rc = cli_config(cli)) != EX_OK)
		return rc;
	if (to == NULL) {
		if (cli->conf->coordinators == NULL ||
		    cli->conf->coordinators[0] == NULL) {
			fprintf(stderr, "mistok: no coordinator; use --to\n");
			return EX_USAGE;
		}
		to = cli->conf->coordinators[0];
	}
	if ((rc = cli_open_db(cli, DB_MIGRATE, &db)) != EX_OK)
		return rc;
	memset(&env, 0, sizeof(env));
	env.db = db;
	env.conf = cli->conf;
	if (send) {
		r = remind_digest_for(&env, to, clock_now(), &err);
		if (r == -1) {
			fprintf(stderr, "mistok: digest: %s\n", err);
			free(err);
			db_close(db);
			return EX_SOFTWARE;
		}
		printf("digest for %s %s\n", to, r == 1 ?
		    "queued in the outbox" : "was queued already");
		db_close(db);
		return EX_OK;
	}
	if (remind_digest_render(&env, to, clock_now(), &mm, &err) == -1) {
		fprintf(stderr, "mistok: digest: %s\n", err);
		free(err);
		db_close(db);
		return EX_SOFTWARE;
	}
	if (strcmp(format, "html") == 0 && mm.html != NULL)
		fwrite(mm.html, 1, mm.html_len, stdout);
	else {
		printf("Subject: %s\n\n", mm.subject);
		fwrite(mm.text, 1, mm.text_len, stdout);
	}
	mailtmpl_mail_free(&mm);
	db_close(db);
	return EX_OK;
}
