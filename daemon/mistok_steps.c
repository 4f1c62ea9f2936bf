/*
 * mistok steps: lists next steps, open ones by default, soonest due first
 * (undated last). Filters: --partnership SLUG, --owner X (an address, an
 * organisation's or a contact's name, "me"/"coordinator" with
 * --partnership), --overdue (open steps whose due day has ended on the
 * due zone's calendar), --status open|done|all. The queries are steps.c's.
 */
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

#define NCOLS	6

struct rows {
	struct cli	*cli;
	time_t		 now;
	struct json	*array;		/* --json */
	char		**cells;	/* NCOLS per row; NULL for "-" */
	size_t		 n;
	size_t		 cap;
};

static char *
when_left(const struct step *s, time_t now)
{
	struct buf b;
	char *err = NULL, when[ISO8601_LEN];
	const struct tz *z;
	int64_t left;

	buf_init(&b);
	if (s->status == STEP_DONE) {
		fmt_iso8601(s->done_at, when);
		when[10] = '\0';
		buf_printf(&b, "done %s", when);
	} else if (s->has_due && (z = tz_get(s->due_zone, &err)) != NULL) {
		left = tz_days_from_date(s->due) -
		    tz_days_from_date(dates_today(z, now));
		if (now >= s->due_at)
			buf_printf(&b, "OVERDUE %lldd", (long long)(left < 0 ?
			    -left : 0));
		else if (left == 0)
			buf_adds(&b, "today");
		else
			buf_printf(&b, "in %lldd", (long long)left);
	} else {
		free(err);
		return NULL;
	}
	if (s->status == STEP_OPEN && s->snoozed_until > now) {
		fmt_iso8601(s->snoozed_until, when);
		buf_printf(&b, ", snoozed to %.10s", when);
	}
	return buf_steal(&b);
}

static int
row(const struct step *s, void *arg)
{
	struct rows *r = arg;
	char **c;

	if (r->array != NULL) {
		json_append(r->array, cli_json_step(s, r->now));
		return 0;
	}
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 16;
		r->cells = xreallocarray(r->cells, r->cap * NCOLS,
		    sizeof(*r->cells));
	}
	c = &r->cells[r->n * NCOLS];
	c[0] = xasprintf("%lld", (long long)s->id);
	c[1] = s->has_due ? xasprintf("%04d-%02d-%02d", s->due.year,
	    s->due.month, s->due.day) : NULL;
	c[2] = when_left(s, r->now);
	c[3] = xstrdup(s->slug);
	if (s->owner.kind == STEP_OWNER_NONE)
		c[4] = NULL;
	else if (s->owner_email != NULL)
		c[4] = xstrdup(s->owner_email);
	else
		c[4] = xstrdup(s->owner_name ? s->owner_name : "?");
	c[5] = xstrdup(s->text);
	r->n++;
	return 0;
}

int
cmd_steps(int argc, char **argv, struct cli *cli)
{
	static const struct option longopts[] = {
		CLI_OPT_JSON,
		{ "partnership", required_argument, NULL, 'p' },
		{ "owner", required_argument, NULL, 'o' },
		{ "overdue", no_argument, NULL, 'O' },
		{ "status", required_argument, NULL, 's' },
		{ 0 },
	};
	static const char *const hdr[NCOLS] = {
		"ID", "DUE", "WHEN", "PARTNERSHIP", "OWNER", "STEP",
	};
	const char *slug = NULL, *owner = NULL, *status = "open";
	struct steps_filter f;
	struct rows r;
	struct db *db = NULL;
	char *err = NULL;
	size_t i;
	int ch, rc, overdue = 0;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'J':
			cli->json = 1;
			break;
		case 'p':
			slug = optarg;
			break;
		case 'o':
			owner = optarg;
			break;
		case 'O':
			overdue = 1;
			break;
		case 's':
			status = optarg;
			break;
		default:
			return cli_usage("steps");
		}
	}
	if (optind != argc)
		return cli_usage("steps");
	memset(&f, 0, sizeof(f));
	if (strcmp(status, "open") == 0)
		f.status = STEP_OPEN;
	else if (strcmp(status, "done") == 0)
		f.status = STEP_DONE;
	else if (strcmp(status, "all") == 0)
		f.status = STEPS_ANY_STATUS;
	else {
		fprintf(stderr, "mistok: --status takes open, done or all\n");
		return cli_usage("steps");
	}
	if ((rc = cli_open_db(cli, DB_MIGRATE, &db)) != EX_OK)
		return rc;
	if (slug != NULL && (rc = directory_find(db, DIR_PARTNERSHIPS, slug,
	    &f.partnership, &err)) != 1) {
		if (rc == 0)
			fprintf(stderr, "mistok: no partnership '%s'\n", slug);
		else
			fprintf(stderr, "mistok: %s\n", err);
		free(err);
		db_close(db);
		return rc == 0 ? EX_DATAERR : EX_SOFTWARE;
	}
	if (owner != NULL && (rc = steps_owner_parse(db, cli->conf,
	    f.partnership, owner, NULL, &f.owner, &err)) != 0) {
		fprintf(stderr, "mistok: %s\n", err);
		free(err);
		db_close(db);
		return rc == STEPS_ERR_DATA ? EX_DATAERR : EX_SOFTWARE;
	}
	memset(&r, 0, sizeof(r));
	r.cli = cli;
	r.now = clock_now();
	if (overdue)
		f.overdue_at = r.now;
	if (cli->json)
		r.array = json_array();
	if ((rc = steps_list(db, &f, row, &r, &err)) != 0) {
		fprintf(stderr, "mistok: %s\n", err);
		free(err);
		json_free(r.array);
		rc = EX_SOFTWARE;
	} else if (cli->json)
		cli_print_json(r.array);
	else if (r.n == 0)
		printf("No %ssteps.\n", overdue ? "overdue " :
		    f.status == STEP_DONE ? "done " :
		    f.status == STEP_OPEN ? "open " : "");
	else
		cli_table(hdr, NCOLS, (const char *const *)r.cells, r.n);
	for (i = 0; i < r.n * NCOLS; i++)
		free(r.cells[i]);
	free(r.cells);
	db_close(db);
	return rc == 0 ? EX_OK : rc;
}
