/*
 * mistok remind --run-once [--now ISO8601]: one tick of the scheduler,
 * printing what it queued (key, recipient, the instant it became due).
 * --now is a testing aid: it sets the clock every module reads.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "db.h"
#include "json.h"
#include "mistok.h"
#include "remind.h"
#include "util.h"

static int
parse_now(const char *s, time_t *out)
{
	struct tm tm;
	const char *e;

	memset(&tm, 0, sizeof(tm));
	if ((e = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm)) == NULL ||
	    *e != '\0') {
		memset(&tm, 0, sizeof(tm));
		if ((e = strptime(s, "%Y-%m-%dT%H:%MZ", &tm)) == NULL ||
		    *e != '\0')
			return -1;
	}
	*out = timegm(&tm);
	return 0;
}

int
cmd_remind(int argc, char **argv, struct cli *cli)
{
	static const struct option opts[] = {
		{ "run-once", no_argument, NULL, 'o' },
		{ "now", required_argument, NULL, 'n' },
		CLI_OPT_JSON,
		{ NULL, 0, NULL, 0 }
	};
	struct remind_env env;
	struct remind_stats st;
	struct json *a, *o;
	struct db *db;
	char *err = NULL, iso[ISO8601_LEN];
	time_t now = 0;
	size_t i;
	int ch, once = 0, rc;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'o':
			once = 1;
			break;
		case 'n':
			if (parse_now(optarg, &now) == -1) {
				fprintf(stderr, "mistok: --now: not "
				    "2026-12-01T09:00:00Z: %s\n", optarg);
				return EX_USAGE;
			}
			break;
		case 'J':
			cli->json = 1;
			break;
		default:
			return cli_usage("remind");
		}
	}
	if (!once || optind != argc)
		return cli_usage("remind");
	if (now != 0)
		clock_set_fake(now);
	if ((rc = cli_config(cli)) != EX_OK)
		return rc;
	if ((rc = cli_open_db(cli, DB_MIGRATE, &db)) != EX_OK)
		return rc;
	memset(&env, 0, sizeof(env));
	env.db = db;
	env.conf = cli->conf;
	env.collect = 1;
	if (remind_tick(&env, clock_now(), &st, &err) == -1) {
		fprintf(stderr, "mistok: %s\n", err);
		free(err);
		db_close(db);
		return EX_SOFTWARE;
	}
	if (cli->json) {
		a = json_array();
		for (i = 0; i < st.nitems; i++) {
			o = json_append(a, json_object());
			json_set_string(o, "key", st.items[i].key);
			json_set_string(o, "to", st.items[i].rcpt);
			json_set(o, "due", cli_json_time(st.items[i].due));
		}
		cli_print_json(a);
	} else {
		for (i = 0; i < st.nitems; i++) {
			fmt_iso8601(st.items[i].due, iso);
			printf("%s\t%s\t%s\n", iso, st.items[i].rcpt,
			    st.items[i].key);
		}
		fprintf(stderr, "remind: %zu queued, %zu skipped as older "
		    "than max_catch_up_age, %zu failed\n", st.queued,
		    st.skipped_old, st.errors);
	}
	rc = st.errors > 0 ? EX_TEMPFAIL : EX_OK;
	remind_stats_free(&st);
	db_close(db);
	return rc;
}
