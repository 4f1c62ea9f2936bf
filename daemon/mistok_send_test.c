/*
 * mistok send-test ADDRESS: queues a small test mail to ADDRESS and sends
 * it at once through the outbox and [smtp], printing the outcome. When a
 * running mistokd takes the mail first, waits for its outcome instead.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "db.h"
#include "json.h"
#include "mistok.h"
#include "outbox.h"
#include "util.h"

#define SEND_TEST_WAIT	120	/* seconds for mistokd's outcome */

int
cmd_send_test(int argc, char **argv, struct cli *cli)
{
	static const struct option longopts[] = { CLI_OPT_JSON, { 0 } };
	struct outbox_stats stats;
	struct outbox_mail m;
	struct db *db = NULL;
	const char *rcpts[2];
	char *raw, *msgid, *key, *text, *err = NULL, when[ISO8601_LEN];
	size_t len;
	int64_t id;
	int ch, rc, i;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (ch == 'J')
			cli->json = 1;
		else
			return cli_usage("send-test");
	}
	if (argc - optind != 1 || strchr(argv[optind], '@') == NULL)
		return cli_usage("send-test");
	if ((rc = cli_open_db(cli, DB_CREATE | DB_MIGRATE, &db)) != EX_OK)
		return rc;
	rcpts[0] = argv[optind];
	rcpts[1] = NULL;
	fmt_iso8601(clock_now(), when);
	text = xasprintf("This is a test mail from mistok (%s), sent %s "
	    "through %s:%d.\nNo answer is needed.\n",
	    cli->conf->team_address, when, cli->conf->smtp.host,
	    cli->conf->smtp.port);
	raw = outbox_plain_mail(cli->conf, rcpts, "mistok test mail", text,
	    NULL, NULL, &msgid, &len);
	key = xasprintf("send-test:%s", msgid);
	if (outbox_enqueue(db, key, raw, len, cli->conf->team_address, rcpts,
	    msgid, "mistok test mail", 0, &id, &err) == -1) {
		fprintf(stderr, "mistok: %s\n", err);
		rc = EX_SOFTWARE;
		goto out;
	}
	if (outbox_run(db, cli->conf, 0, id, &stats, &err) == -1) {
		fprintf(stderr, "mistok: %s\n", err);
		rc = EX_CONFIG;
		goto out;
	}
	/* mistokd may have claimed it first: wait for the row to settle. */
	for (i = 0; i < SEND_TEST_WAIT * 5; i++) {
		if (outbox_get(db, id, &m, &err) != 1) {
			fprintf(stderr, "mistok: %s\n", err ? err :
			    "the test mail vanished");
			rc = EX_SOFTWARE;
			goto out;
		}
		if (strcmp(m.status, "sending") != 0)
			break;
		outbox_mail_free(&m);
		usleep(200000);
	}
	if (cli->json) {
		struct json *o = json_object();

		json_set_int(o, "id", id);
		json_set_string(o, "to", rcpts[0]);
		json_set_string(o, "message_id", m.message_id);
		json_set_string(o, "status", m.status);
		json_set_string(o, "error", m.last_error);
		json_set_int(o, "connections", stats.connections);
		cli_print_json(o);
	} else if (strcmp(m.status, "sent") == 0)
		printf("outbox %lld: sent to %s, Message-ID <%s>%s%s\n",
		    (long long)id, rcpts[0], m.message_id,
		    m.rejected ? "; refused: " : "",
		    m.rejected ? m.rejected : "");
	else
		printf("outbox %lld: %s%s%s\n", (long long)id, m.status,
		    m.last_error ? ": " : "",
		    m.last_error ? m.last_error : "");
	if (strcmp(m.status, "sent") == 0)
		rc = EX_OK;
	else if (strcmp(m.status, "failed") == 0)
		rc = EX_UNAVAILABLE;
	else
		rc = EX_TEMPFAIL;	/* queued: mistokd retries it */
	outbox_mail_free(&m);
out:
	free(err);
	free(key);
	free(raw);
	free(msgid);
	free(text);
	db_close(db);
	return rc;
}
