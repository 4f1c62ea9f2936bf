/*
 * mistok status: where the config and the store are, the schema version,
 * each folder's sync state, reachability, quarantined mail, the outbox.
 */
#include <stdio.h>
#include <stdlib.h>

#include "config.h"
#include "db.h"
#include "json.h"
#include "mistok.h"
#include "util.h"

static void
print_json(struct cli *cli, const struct db_status *st)
{
	struct json *o, *folders, *f, *ob;
	size_t i;

	o = json_object();
	json_set_string(o, "config", cli->config_path);
	json_set_string(o, "database", cli->conf->store_path);
	json_set_int(o, "schema_version", st->schema_version);
	folders = json_set(o, "folders", json_array());
	for (i = 0; i < st->nfolders; i++) {
		f = json_append(folders, json_object());
		json_set_string(f, "name", st->folders[i].name);
		json_set_int(f, "uidvalidity", st->folders[i].uidvalidity);
		json_set_int(f, "last_uid", st->folders[i].last_uid);
		json_set(f, "last_sync", cli_json_time(st->folders[i].last_sync));
	}
	json_set(o, "unreachable_since", cli_json_time(st->unreachable_since));
	json_set_int(o, "quarantined", st->quarantined);
	ob = json_set(o, "outbox", json_object());
	json_set_int(ob, "queued", st->outbox_queued);
	json_set_int(ob, "failed", st->outbox_failed);
	cli_print_json(o);
}

static void
print_text(struct cli *cli, const struct db_status *st, int missing)
{
	char t[ISO8601_LEN];
	size_t i;

	printf("config:             %s\n", cli->config_path);
	printf("database:           %s%s\n", cli->conf->store_path,
	    missing ? " (not created yet)" : "");
	printf("schema version:     %d", st->schema_version);
	if (!missing && st->schema_version < db_latest_version())
		printf(" (mistokd will migrate it to %d)", db_latest_version());
	printf("\n");
	printf("folders:            %s\n", st->nfolders ? "" : "none synced yet");
	for (i = 0; i < st->nfolders; i++) {
		if (st->folders[i].last_sync)
			fmt_iso8601(st->folders[i].last_sync, t);
		printf("  %-20s uidvalidity %lld, last uid %lld, last sync %s\n",
		    st->folders[i].name,
		    (long long)st->folders[i].uidvalidity,
		    (long long)st->folders[i].last_uid,
		    st->folders[i].last_sync ? t : "never");
	}
	if (st->unreachable_since) {
		fmt_iso8601(st->unreachable_since, t);
		printf("mailbox:            unreachable since %s\n", t);
	} else
		printf("mailbox:            reachable\n");
	printf("quarantined:        %lld\n", (long long)st->quarantined);
	printf("outbox:             %lld queued, %lld failed\n",
	    (long long)st->outbox_queued, (long long)st->outbox_failed);
}

int
cmd_status(int argc, char **argv, struct cli *cli)
{
	static const struct option longopts[] = { CLI_OPT_JSON, { 0 } };
	struct db_status st = { 0 };
	struct db *db = NULL;
	char *err = NULL;
	int ch, rc, missing = 0;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (ch == 'J')
			cli->json = 1;
		else
			return cli_usage("status");
	}
	if (optind != argc)
		return cli_usage("status");

	/* Never migrates: it shows the file as it is. */
	rc = cli_open_db(cli, 0, &db);
	if (rc == EX_NOINPUT)
		missing = 1;
	else if (rc != EX_OK)
		return rc;
	if (db != NULL && db_status(db, &st, &err) == -1) {
		fprintf(stderr, "mistok: %s\n", err);
		free(err);
		db_close(db);
		return EX_SOFTWARE;
	}
	if (cli->json)
		print_json(cli, &st);
	else
		print_text(cli, &st, missing);
	db_status_free(&st);
	db_close(db);
	return EX_OK;
}
