/*
 * mistok step add|done|snooze, and the JSON shape of a step that `mistok
 * steps --json` shares. The queries are steps.c's.
 *
 * Dates: --due is read in the owner's zone (steps_due_zone(): the owner's,
 * else the coordinator's, else the team's), so "--due fri" means Friday
 * on the owner's calendar; a snooze is read in the step's due zone. A
 * step without --owner belongs to the partnership's coordinator, and
 * "--owner me" means that coordinator too (the command line has no
 * sender). `step done` on a done step says so on stdout and exits 0: the
 * step is in the state asked for, so scripts and repeated replies are
 * harmless.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "dates.h"
#include "db.h"
#include "directory.h"
#include "json.h"
#include "mistok.h"
#include "steps.h"
#include "tz.h"
#include "util.h"

struct json *
cli_json_step(const struct step *s, time_t now)
{
	struct json *j, *o;
	const struct tz *z;
	struct tz_date today;
	char day[16], *err = NULL;

	j = json_object();
	json_set_int(j, "id", s->id);
	json_set_string(j, "partnership", s->slug);
	json_set_string(j, "text", s->text);
	if (s->owner.kind != STEP_OWNER_NONE) {
		o = json_set(j, "owner", json_object());
		json_set_string(o, "kind", steps_owner_kind_name(s->owner.kind));
		json_set_int(o, "id", s->owner.id);
		json_set_string(o, "name", s->owner_name);
		json_set_string(o, "email", s->owner_email);
		json_set_string(o, "zone", s->owner_zone);
		json_set_string(o, "language", s->owner_language);
	} else
		json_set(j, "owner", json_null());
	if (s->coordinator_email != NULL) {
		o = json_set(j, "coordinator", json_object());
		json_set_string(o, "name", s->coordinator_name);
		json_set_string(o, "email", s->coordinator_email);
	} else
		json_set(j, "coordinator", json_null());
	if (s->has_due) {
		snprintf(day, sizeof(day), "%04d-%02d-%02d", s->due.year,
		    s->due.month, s->due.day);
		json_set_string(j, "due", day);
		json_set_string(j, "due_zone", s->due_zone);
		json_set(j, "due_at", cli_json_time(s->due_at));
		/* Days from today on the due zone's calendar to the due day. */
		if ((z = tz_get(s->due_zone, &err)) != NULL) {
			today = dates_today(z, now);
			json_set_int(j, "due_in_days",
			    tz_days_from_date(s->due) -
			    tz_days_from_date(today));
		} else {
			json_set(j, "due_in_days", json_null());
			free(err);
		}
	} else {
		json_set(j, "due", json_null());
		json_set(j, "due_zone", json_null());
		json_set(j, "due_at", json_null());
		json_set(j, "due_in_days", json_null());
	}
	json_set_string(j, "status", steps_status_name(s->status));
	json_set(j, "overdue", json_bool(s->status == STEP_OPEN &&
	    s->has_due && now >= s->due_at));
	json_set(j, "snoozed_until", cli_json_time(s->snoozed_until));
	json_set_int(j, "snoozes", s->snoozes);
	json_set_string(j, "origin", steps_origin_name(s->origin));
	json_set(j, "created", cli_json_time(s->created));
	json_set_string(j, "created_by", s->actor);
	json_set(j, "done_at", cli_json_time(s->done_at));
	json_set_string(j, "done_by", s->done_by);
	return j;
}

/* Prints a step as JSON, or its one-line summary after what. */
static int
report(struct cli *cli, struct db *db, int64_t id, const char *what)
{
	struct step s;
	char *err = NULL, *d;
	int r;

	if ((r = steps_get(db, id, &s, &err)) != 1) {
		fprintf(stderr, "mistok: step %lld: %s\n", (long long)id,
		    r == 0 ? "vanished" : err);
		free(err);
		return EX_SOFTWARE;
	}
	if (cli->json)
		cli_print_json(cli_json_step(&s, clock_now()));
	else {
		printf("step %lld %s: %s\n", (long long)s.id, what, s.text);
		printf("  partnership %s", s.slug);
		if (s.has_due) {
			d = dates_format(s.due, NULL, "en");
			printf(", due %s (%s)", d, s.due_zone);
			free(d);
		}
		if (s.owner.kind != STEP_OWNER_NONE)
			printf(", owner %s%s%s%s", s.owner_name ? s.owner_name :
			    "?", s.owner_email ? " <" : "",
			    s.owner_email ? s.owner_email : "",
			    s.owner_email ? ">" : "");
		printf("\n");
	}
	step_free(&s);
	return EX_OK;
}

static int
parse_id(const char *arg, int64_t *id)
{
	char *end;
	long long v;

	if (*arg == '#')
		arg++;
	errno = 0;
	v = strtoll(arg, &end, 10);
	if (errno != 0 || *end != '\0' || end == arg || v <= 0) {
		fprintf(stderr, "mistok: \"%s\" is not a step id\n", arg);
		return -1;
	}
	*id = v;
	return 0;
}

static int
step_add(struct cli *cli, struct db *db, int argc, char **argv,
    const char *due_arg, const char *owner_arg)
{
	struct step_owner owner = { STEP_OWNER_NONE, 0 };
	struct step_due due;
	const struct tz *zone;
	struct buf text;
	enum dates_error de;
	int64_t p, id;
	char *err = NULL, *zname;
	int i, r;

	if ((r = directory_find(db, DIR_PARTNERSHIPS, argv[0], &p, &err)) !=
	    1) {
		if (r == 0)
			fprintf(stderr, "mistok: no partnership '%s'\n",
			    argv[0]);
		else
			fprintf(stderr, "mistok: %s\n", err);
		free(err);
		return r == 0 ? EX_DATAERR : EX_SOFTWARE;
	}
	/* The text may come as one argument or as several words. */
	buf_init(&text);
	for (i = 1; i < argc; i++) {
		if (i > 1)
			buf_addc(&text, ' ');
		buf_adds(&text, argv[i]);
	}
	r = steps_owner_parse(db, cli->conf, p,
	    owner_arg != NULL ? owner_arg : "coordinator", NULL, &owner,
	    &err);
	if (r != 0 && owner_arg == NULL && r == STEPS_ERR_DATA) {
		/* No coordinator: the step has no owner. */
		free(err);
		err = NULL;
		owner.kind = STEP_OWNER_NONE;
		r = 0;
	}
	if (r != 0) {
		fprintf(stderr, "mistok: %s\n", err);
		free(err);
		buf_free(&text);
		return r == STEPS_ERR_DATA ? EX_DATAERR : EX_SOFTWARE;
	}
	zname = steps_due_zone(db, p, &owner, cli->conf->team_timezone);
	if (zname == NULL || (zone = tz_get(zname, &err)) == NULL) {
		fprintf(stderr, "mistok: time zone %s: %s\n",
		    zname ? zname : "?", err ? err : "database error");
		free(err);
		free(zname);
		buf_free(&text);
		return EX_SOFTWARE;
	}
	free(zname);
	de = dates_parse_date(due_arg, zone, clock_now(), DATES_NEXT,
	    &due.date);
	if (de != DATES_OK) {
		fprintf(stderr, "mistok: --due '%s': %s\n", due_arg,
		    dates_strerror(de, "en"));
		buf_free(&text);
		return EX_DATAERR;
	}
	due.zone = tz_name(zone);
	r = steps_add(db, p, text.data ? text.data : "", &owner, &due,
	    STEP_ORIGIN_CLI, "cli", &id, &err);
	buf_free(&text);
	if (r != 0) {
		fprintf(stderr, "mistok: %s\n", err);
		free(err);
		return r == STEPS_ERR_DATA ? EX_DATAERR : EX_SOFTWARE;
	}
	if (tz_days_from_date(due.date) <
	    tz_days_from_date(dates_today(zone, clock_now())))
		fprintf(stderr, "mistok: note: step %lld is due in the past "
		    "and already overdue\n", (long long)id);
	return report(cli, db, id, "added");
}

static int
step_done(struct cli *cli, struct db *db, int64_t id)
{
	struct step s;
	char *err = NULL, when[ISO8601_LEN];
	int r;

	r = steps_done(db, id, "cli", &err);
	if (r == STEPS_ALREADY) {
		if (steps_get(db, id, &s, &err) != 1) {
			fprintf(stderr, "mistok: %s\n", err ? err : "?");
			free(err);
			return EX_SOFTWARE;
		}
		if (cli->json)
			cli_print_json(cli_json_step(&s, clock_now()));
		else {
			fmt_iso8601(s.done_at, when);
			printf("step %lld was already done (%s by %s); "
			    "nothing changed\n", (long long)id, when,
			    s.done_by ? s.done_by : "?");
		}
		step_free(&s);
		return EX_OK;
	}
	if (r != 0) {
		fprintf(stderr, "mistok: %s\n", err);
		free(err);
		return r == STEPS_ERR_DATA ? EX_DATAERR : EX_SOFTWARE;
	}
	return report(cli, db, id, "done");
}

static int
step_snooze(struct cli *cli, struct db *db, int64_t id, const char *arg)
{
	const struct tz *zone;
	struct tz_local l;
	struct step s;
	char *err = NULL, *zname, when[ISO8601_LEN];
	time_t until;
	int r;

	if ((r = steps_get(db, id, &s, &err)) != 1) {
		if (r == 0)
			fprintf(stderr, "mistok: no step %lld\n",
			    (long long)id);
		else
			fprintf(stderr, "mistok: %s\n", err);
		free(err);
		return r == 0 ? EX_DATAERR : EX_SOFTWARE;
	}
	zname = s.due_zone != NULL ? xstrdup(s.due_zone) :
	    steps_due_zone(db, s.partnership, &s.owner,
	    cli->conf->team_timezone);
	step_free(&s);
	if (zname == NULL || (zone = tz_get(zname, &err)) == NULL) {
		fprintf(stderr, "mistok: time zone %s: %s\n",
		    zname ? zname : "?", err ? err : "database error");
		free(err);
		free(zname);
		return EX_SOFTWARE;
	}
	free(zname);
	if (steps_snooze_parse(arg, zone, clock_now(), &until, &err) == -1) {
		fprintf(stderr, "mistok: %s\n", err);
		free(err);
		return EX_DATAERR;
	}
	if ((r = steps_snooze(db, id, until, "cli", &err)) != 0) {
		fprintf(stderr, "mistok: %s\n", err);
		free(err);
		return r == STEPS_ERR_DATA ? EX_DATAERR : EX_SOFTWARE;
	}
	if (cli->json)
		return report(cli, db, id, "snoozed");
	tz_local(zone, until, &l);
	fmt_iso8601(until, when);
	printf("step %lld snoozed until %04d-%02d-%02d %02d:%02d %s (%s)\n",
	    (long long)id, l.year, l.month, l.day, l.hour, l.min,
	    tz_name(zone), when);
	return EX_OK;
}

int
cmd_step(int argc, char **argv, struct cli *cli)
{
	static const struct option longopts[] = {
		CLI_OPT_JSON,
		{ "due", required_argument, NULL, 'd' },
		{ "owner", required_argument, NULL, 'o' },
		{ 0 },
	};
	const char *due = NULL, *owner = NULL, *sub;
	struct db *db = NULL;
	int64_t id = 0;
	int ch, rc;

	/* "+": stop at the first word, then read options after it too. */
	while ((ch = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
		if (ch == 'J')
			cli->json = 1;
		else
			return cli_usage("step");
	}
	if (optind >= argc)
		return cli_usage("step");
	sub = argv[optind];
	argc -= optind;
	argv += optind;
	optind = 0;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'J':
			cli->json = 1;
			break;
		case 'd':
			due = optarg;
			break;
		case 'o':
			owner = optarg;
			break;
		default:
			return cli_usage("step");
		}
	}
	argc -= optind;
	argv += optind;
	if (strcmp(sub, "add") == 0) {
		if (argc < 2 || due == NULL) {
			if (argc >= 2)
				fprintf(stderr, "mistok: step add needs "
				    "--due DATE\n");
			return cli_usage("step");
		}
	} else if (strcmp(sub, "done") == 0 || strcmp(sub, "snooze") == 0) {
		if (due != NULL || owner != NULL ||
		    argc != (strcmp(sub, "done") == 0 ? 1 : 2))
			return cli_usage("step");
		if (parse_id(argv[0], &id) == -1)
			return EX_USAGE;
	} else {
		fprintf(stderr, "mistok: step: unknown action \"%s\"\n", sub);
		return cli_usage("step");
	}
	if ((rc = cli_open_db(cli, DB_MIGRATE, &db)) != EX_OK)
		return rc;
	if (strcmp(sub, "add") == 0)
		rc = step_add(cli, db, argc, argv, due, owner);
	else if (strcmp(sub, "done") == 0)
		rc = step_done(cli, db, id);
	else
		rc = step_snooze(cli, db, id, argv[1]);
	db_close(db);
	return rc;
}
