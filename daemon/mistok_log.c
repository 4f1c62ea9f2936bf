/*
 * mistok log: the audit log — stage changes, steps, assignments, command
 * mail (run, refused, failed) — oldest first, from the events table.
 * --since DATE reads DATE in the team's zone (or --tz); --json prints
 * the rows as objects (id, at, actor, action, object, detail).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <sysexits.h>

#include "audit.h"
#include "config.h"
#include "dates.h"
#include "db.h"
#include "json.h"
#include "mistok.h"
#include "tz.h"
#include "util.h"

struct logout {
	const struct tz	*zone;
	struct json	*a;
	size_t		 n;
};

static int
row(void *arg, const struct audit_row *r)
{
	struct logout *o = arg;
	struct json *j;
	char when[64];

	o->n++;
	if (o->a != NULL) {
		j = json_append(o->a, json_object());
		json_set_int(j, "id", r->id);
		json_set(j, "at", cli_json_time(r->at));
		json_set(j, "actor", r->actor ? json_string(r->actor) :
		    json_null());
		json_set_string(j, "action", r->action);
		json_set(j, "object", r->object ? json_string(r->object) :
		    json_null());
		json_set(j, "detail", r->detail ? json_string(r->detail) :
		    json_null());
		return 0;
	}
	cli_local(o->zone, r->at, when, sizeof(when));
	printf("%s  %-20s  %-16s  %-18s  %s\n", when,
	    r->actor ? r->actor : "-", r->action, r->object ? r->object : "-",
	    r->detail ? r->detail : "");
	return 0;
}

int
cmd_log(int argc, char **argv, struct cli *cli)
{
	static const struct option longopts[] = {
		{ "since", required_argument, NULL, 's' },
		{ "tz", required_argument, NULL, 'z' },
		CLI_OPT_JSON,
		{ 0 }
	};
	struct logout o = { NULL, NULL, 0 };
	struct tz_date d;
	const char *since = NULL, *zone = NULL;
	struct db *db = NULL;
	char *err = NULL;
	time_t from = 0;
	int ch, rc;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 's':
			since = optarg;
			break;
		case 'z':
			zone = optarg;
			break;
		case 'J':
			cli->json = 1;
			break;
		default:
			return cli_usage("log");
		}
	}
	if (optind != argc)
		return cli_usage("log");
	if ((rc = cli_open_db(cli, 0, &db)) != EX_OK)
		return rc;
	if ((o.zone = cli_zone(cli, zone)) == NULL) {
		db_close(db);
		return EX_USAGE;
	}
	if (since != NULL) {
		enum dates_error e = dates_parse_date(since, o.zone,
		    clock_now(), DATES_LAST, &d);

		if (e != DATES_OK) {
			fprintf(stderr, "mistok: log: --since '%s': %s\n",
			    since, dates_strerror(e, "en"));
			db_close(db);
			return EX_USAGE;
		}
		from = tz_utc(o.zone, d, 0, 0, 0, 0, NULL);
	}
	if (cli->json)
		o.a = json_array();
	if (audit_list(db, from, row, &o, &err) == -1) {
		fprintf(stderr, "mistok: %s\n", err);
		free(err);
		json_free(o.a);
		db_close(db);
		return EX_SOFTWARE;
	}
	if (o.a != NULL)
		cli_print_json(o.a);
	db_close(db);
	return EX_OK;
}
