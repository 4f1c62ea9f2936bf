/*
 * mistok followup SLUG [--to EMAIL] [--message TEXT] [--dry-run] [--now]:
 * writes a follow-up to a partner of the partnership (followup.h says
 * whom, in which language and in answer to what) and queues it; a running
 * mistokd sends it within seconds, --now sends it from here at once.
 * --dry-run prints the message and queues nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "db.h"
#include "followup.h"
#include "json.h"
#include "mailtmpl.h"
#include "mistok.h"
#include "outbox.h"
#include "tmplset.h"
#include "util.h"

#define FOLLOWUP_WAIT	120	/* seconds for mistokd's outcome (--now) */

int
cmd_followup(int argc, char **argv, struct cli *cli)
{
	static const struct option longopts[] = {
		{ "to", required_argument, NULL, 't' },
		{ "message", required_argument, NULL, 'm' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "now", no_argument, NULL, 'N' },
		CLI_OPT_JSON, { 0 } };
	struct followup_opts o;
	struct followup_result r;
	struct outbox_stats stats;
	struct outbox_mail m;
	struct tmpl_set *set = NULL;
	struct db *db = NULL;
	struct buf errors;
	const char *status = "queued", *lasterr = NULL;
	char *dir = NULL, *err = NULL;
	int ch, rc, now = 0, code = 0, i, havem = 0;

	memset(&o, 0, sizeof(o));
	memset(&r, 0, sizeof(r));
	memset(&m, 0, sizeof(m));
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 't':
			o.to = optarg;
			break;
		case 'm':
			o.message = optarg;
			break;
		case 'n':
			o.dry_run = 1;
			break;
		case 'N':
			now = 1;
			break;
		case 'J':
			cli->json = 1;
			break;
		default:
			return cli_usage("followup");
		}
	}
	if (argc - optind != 1 || (now && o.dry_run))
		return cli_usage("followup");
	o.slug = argv[optind];
	if ((rc = cli_open_db(cli, DB_CREATE | DB_MIGRATE, &db)) != EX_OK)
		return rc;
	dir = mailtmpl_dir(cli->conf->templates_dir);
	buf_init(&errors);
	if ((set = mailtmpl_load(dir, &errors)) == NULL) {
		fprintf(stderr, "mistok: templates %s:\n%s", dir,
		    errors.data ? errors.data : "");
		rc = EX_CONFIG;
		goto out;
	}
	if (followup_make(db, cli->conf, set, &o, &r, &code, &err) == -1) {
		fprintf(stderr, "mistok: %s\n", err);
		rc = code == 1 ? EX_DATAERR : EX_SOFTWARE;
		goto out;
	}
	if (o.dry_run) {
		if (cli->json) {
			struct json *j = json_object();

			json_set_string(j, "to", r.to);
			json_set_string(j, "language", r.lang);
			json_set_string(j, "subject", r.subject);
			json_set_string(j, "message_id", r.message_id);
			json_set_string(j, "in_reply_to", r.parent_id);
			json_set_string(j, "dedupe_key", r.dedupe_key);
			json_set(j, "raw", json_stringn(r.raw, r.len));
			cli_print_json(j);
		} else
			fwrite(r.raw, 1, r.len, stdout);
		rc = EX_OK;
		goto out;
	}
	if (now) {
		if (outbox_run(db, cli->conf, 0, r.outbox_id, &stats,
		    &err) == -1) {
			fprintf(stderr, "mistok: %s\n", err);
			rc = EX_CONFIG;
			goto out;
		}
		/* mistokd may have claimed it first: wait for it to settle. */
		for (i = 0; i < FOLLOWUP_WAIT * 5; i++) {
			if (havem)
				outbox_mail_free(&m);
			if ((havem = outbox_get(db, r.outbox_id, &m,
			    &err)) != 1) {
				fprintf(stderr, "mistok: %s\n", err ? err :
				    "the mail vanished from the outbox");
				havem = 0;
				rc = EX_SOFTWARE;
				goto out;
			}
			if (strcmp(m.status, "sending") != 0)
				break;
			usleep(200000);
		}
		status = m.status;
		lasterr = m.last_error;
	} else
		outbox_wake();	/* a no-op here; mistokd polls the queue */
	if (cli->json) {
		struct json *j = json_object();

		json_set_int(j, "id", r.outbox_id);
		json_set(j, "queued", json_bool(r.queued));
		json_set_string(j, "status", status);
		json_set_string(j, "error", lasterr);
		json_set_string(j, "to", r.to);
		json_set_string(j, "language", r.lang);
		json_set_string(j, "subject", r.subject);
		json_set_string(j, "message_id", r.message_id);
		json_set_string(j, "in_reply_to", r.parent_id);
		json_set_string(j, "dedupe_key", r.dedupe_key);
		cli_print_json(j);
	} else
		printf("outbox %lld: %s%s to %s (%s), Message-ID <%s>%s%s%s\n",
		    (long long)r.outbox_id, r.queued ? "" : "already queued, ",
		    status, r.to, r.lang, r.message_id,
		    r.parent_id ? ", in reply to <" : "",
		    r.parent_id ? r.parent_id : "", r.parent_id ? ">" : "");
	if (strcmp(status, "sent") == 0 || strcmp(status, "queued") == 0)
		rc = EX_OK;
	else if (strcmp(status, "failed") == 0)
		rc = EX_UNAVAILABLE;
	else
		rc = EX_TEMPFAIL;
	if (now && strcmp(status, "queued") == 0)
		rc = EX_TEMPFAIL;	/* deferred: mistokd retries it */
out:
	if (havem)
		outbox_mail_free(&m);
	followup_result_free(&r);
	tmpl_set_free(set);
	buf_free(&errors);
	free(dir);
	free(err);
	db_close(db);
	return rc;
}
