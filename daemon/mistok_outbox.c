/*
 * mistok outbox: lists the outbox (id, dedupe key, status, attempts, next
 * attempt, last error, recipients, subject), and `outbox retry ID` /
 * `outbox cancel ID`. The queries are outbox.c's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "json.h"
#include "mistok.h"
#include "outbox.h"
#include "util.h"

static struct json *
addr_list(const char *space_separated)
{
	struct json *a = json_array();
	char *copy = xstrdup(space_separated ? space_separated : ""), *p,
	    *save = NULL;

	for (p = strtok_r(copy, " ", &save); p != NULL;
	    p = strtok_r(NULL, " ", &save)) {
		struct json *o = json_object();

		json_set(o, "name", json_null());
		json_set_string(o, "email", p);
		json_append(a, o);
	}
	free(copy);
	return a;
}

static struct json *
mail_json(const struct outbox_mail *m)
{
	struct json *o = json_object();

	json_set_int(o, "id", m->id);
	json_set_string(o, "dedupe_key", m->dedupe_key);
	json_set_string(o, "status", m->status);
	json_set_int(o, "attempts", m->attempts);
	json_set(o, "next_attempt", cli_json_time(m->next_attempt));
	json_set(o, "created", cli_json_time(m->created));
	json_set(o, "sent_at", cli_json_time(m->sent_at));
	json_set_string(o, "last_error", m->last_error);
	if (m->last_code > 0)
		json_set_int(o, "last_code", m->last_code);
	else
		json_set(o, "last_code", json_null());
	json_set(o, "recipients", addr_list(m->recipients));
	json_set_string(o, "rejected", m->rejected);
	json_set_string(o, "subject", m->subject);
	json_set_string(o, "message_id", m->message_id);
	json_set_string(o, "sent_copy", m->copy);
	json_set_int(o, "resent_after_crash", m->recovered);
	return o;
}

static int
list(struct cli *cli, struct db *db)
{
	struct outbox_mail *v;
	struct json *a;
	char *err, when[ISO8601_LEN];
	size_t n, i;

	if (outbox_list(db, 0, &v, &n, &err) == -1) {
		fprintf(stderr, "mistok: %s\n", err);
		free(err);
		return EX_SOFTWARE;
	}
	if (cli->json) {
		a = json_array();
		for (i = 0; i < n; i++)
			json_append(a, mail_json(&v[i]));
		cli_print_json(a);
	} else {
		if (n > 0)
			printf("%-5s %-9s %3s %-20s %-28s %s\n", "ID", "STATUS",
			    "TRY", "NEXT ATTEMPT", "DEDUPE KEY",
			    "RECIPIENTS / SUBJECT / LAST ERROR");
		for (i = 0; i < n; i++) {
			if (v[i].next_attempt != 0)
				fmt_iso8601(v[i].next_attempt, when);
			else
				strcpy(when, "-");
			printf("%-5lld %-9s %3d %-20s %-28s %s\n",
			    (long long)v[i].id, v[i].status, v[i].attempts,
			    when, v[i].dedupe_key, v[i].recipients);
			printf("%69s %s\n", "", v[i].subject ?
			    v[i].subject : "(no subject)");
			if (v[i].last_error != NULL)
				printf("%69s %s\n", "", v[i].last_error);
		}
		if (n == 0)
			printf("The outbox is empty.\n");
	}
	for (i = 0; i < n; i++)
		outbox_mail_free(&v[i]);
	free(v);
	return EX_OK;
}

static int
act(struct db *db, const char *what, const char *arg)
{
	char *end, *err = NULL;
	long long id;
	int rc;

	errno = 0;
	id = strtoll(arg, &end, 10);
	if (errno != 0 || *end != '\0' || id <= 0) {
		fprintf(stderr, "mistok: outbox %s: \"%s\" is not a mail id\n",
		    what, arg);
		return EX_USAGE;
	}
	rc = strcmp(what, "retry") == 0 ? outbox_retry(db, id, &err) :
	    outbox_cancel(db, id, &err);
	if (rc == 1) {
		printf("outbox %lld: %s\n", id, strcmp(what, "retry") == 0 ?
		    "queued, due now" : "cancelled");
		return EX_OK;
	}
	fprintf(stderr, "mistok: %s\n", err);
	free(err);
	return rc == 0 ? EX_DATAERR : EX_SOFTWARE;
}

int
cmd_outbox(int argc, char **argv, struct cli *cli)
{
	static const struct option longopts[] = { CLI_OPT_JSON, { 0 } };
	struct db *db = NULL;
	int ch, rc;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (ch == 'J')
			cli->json = 1;
		else
			return cli_usage("outbox");
	}
	argc -= optind;
	argv += optind;
	if (argc != 0 && !(argc == 2 && (strcmp(argv[0], "retry") == 0 ||
	    strcmp(argv[0], "cancel") == 0)))
		return cli_usage("outbox");
	if ((rc = cli_open_db(cli, DB_CREATE | DB_MIGRATE, &db)) != EX_OK)
		return rc;
	rc = argc == 0 ? list(cli, db) : act(db, argv[0], argv[1]);
	db_close(db);
	return rc;
}
