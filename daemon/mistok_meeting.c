/*
 * mistok meeting propose|book|reschedule|cancel|list|show: the meetings
 * of DESIGN.md "Meetings" on the command line, over meeting.c. Mail goes
 * to the outbox; mistokd sends it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "dates.h"
#include "db.h"
#include "json.h"
#include "meeting.h"
#include "mime.h"
#include "mistok.h"
#include "tz.h"
#include "util.h"

/* "a,b , c" → NULL-terminated list of copies (with_free()). */
static char **
split_with(const char *s)
{
	char **v, *copy, *p, *tok;
	size_t n = 0;

	copy = xstrdup(s);
	v = xcalloc(strlen(s) / 2 + 2, sizeof(*v));
	for (p = copy; (tok = strsep(&p, ",")) != NULL;) {
		tok = str_trim(tok);
		if (*tok != '\0')
			v[n++] = xstrdup(tok);
	}
	free(copy);
	return v;
}

static void
with_free(char **v)
{
	size_t i;

	for (i = 0; v != NULL && v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

/*
 * 2026-03-10T15:00:00Z (UTC), or 2026-03-10T17:00[:00] read in zone.
 * Returns 0 and *t, or -1.
 */
static int
parse_start(const char *s, const struct tz *zone, time_t *t)
{
	struct tz_date d;
	int h, mi, se = 0, n = 0, len = (int)strlen(s);
	char z = 0;
	const struct tz *utc;

	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d%n", &d.year, &d.month, &d.day, &h,
	    &mi, &n) != 5)
		return -1;
	if (s[n] == ':' && sscanf(s + n, ":%2d%n", &se, &len) == 1)
		n += len;
	if (s[n] == 'Z') {
		z = 'Z';
		n++;
	}
	if (s[n] != '\0' || !tz_date_valid(d) || h > 23 || mi > 59 ||
	    se > 59 || h < 0 || mi < 0 || se < 0)
		return -1;
	if (z == 'Z') {
		char *err = NULL;

		if ((utc = tz_get("UTC", &err)) == NULL) {
			free(err);
			return -1;
		}
		zone = utc;
	}
	*t = tz_utc(zone, d, h, mi, se, 0, NULL);
	return 0;
}

static struct json *
meeting_json(const struct meeting *m)
{
	struct json *o = json_object(), *a, *x;
	size_t i;

	json_set_int(o, "id", m->id);
	json_set_string(o, "uid", m->uid);
	json_set_int(o, "sequence", m->sequence);
	json_set_string(o, "status", meeting_status(m, clock_now()));
	json_set(o, "partnership", m->slug ? json_string(m->slug) :
	    json_null());
	json_set_string(o, "title", m->title);
	json_set(o, "start", cli_json_time(m->start));
	json_set(o, "end", cli_json_time(m->start + m->duration));
	json_set(o, "link", m->link ? json_string(m->link) : json_null());
	a = json_set(o, "attendees", json_array());
	for (i = 0; i < m->natt; i++) {
		x = json_append(a, json_object());
		json_set_string(x, "email", m->att[i].email);
		json_set(x, "name", m->att[i].name ?
		    json_string(m->att[i].name) : json_null());
		json_set_string(x, "partstat", m->att[i].partstat);
		json_set(x, "zone", m->att[i].zone ?
		    json_string(m->att[i].zone) : json_null());
	}
	return o;
}

static void
print_meeting(const struct tz *z, const struct meeting *m, int full)
{
	char when[64];
	size_t i;

	cli_local(z, m->start, when, sizeof(when));
	printf("%lld\t%s\t%-9s\t%s\t%s\n", (long long)m->id, when,
	    meeting_status(m, clock_now()), m->slug ? m->slug : "-",
	    m->title);
	if (!full)
		return;
	printf("  uid %s, sequence %d, %d min%s%s\n", m->uid, m->sequence,
	    m->duration / 60, m->link ? ", " : "", m->link ? m->link : "");
	for (i = 0; i < m->natt; i++)
		printf("  %-13s %s%s%s\n", m->att[i].partstat, m->att[i].email,
		    m->att[i].zone ? " " : "", m->att[i].zone ?
		    m->att[i].zone : "");
}

static int
fail(struct db *db, char *err, int code)
{
	fprintf(stderr, "mistok: %s\n", err ? err : "failed");
	free(err);
	if (db != NULL)
		db_close(db);
	return code;
}

static int
propose(struct cli *cli, struct db *db, const char *slug, const char *dur,
    const char *window, char **with, const char *zone)
{
	struct meeting_env env = { db, cli->conf, NULL, NULL };
	struct meeting_proposal pr;
	struct dates_window w;
	enum dates_error de;
	const struct tz *wz, *az;
	struct json *a, *o, *att, *x;
	char *err = NULL, iso[32];
	size_t i, j;
	int minutes;

	if ((de = dates_parse_duration(dur, &minutes)) != DATES_OK) {
		fprintf(stderr, "mistok: --duration %s: %s\n", dur,
		    dates_strerror(de, "en"));
		return EX_USAGE;
	}
	if ((wz = cli_zone(cli, zone)) == NULL)
		return EX_USAGE;
	if ((de = dates_parse_window(window, wz, clock_now(), DATES_NEXT,
	    &w)) != DATES_OK) {
		fprintf(stderr, "mistok: --window %s: %s\n", window,
		    dates_strerror(de, "en"));
		return EX_USAGE;
	}
	if (meeting_propose(&env, slug, minutes, w.from, w.to, tz_name(wz),
	    (const char *const *)with, &pr, &err) == -1) {
		meeting_proposal_free(&pr);
		fprintf(stderr, "mistok: %s\n", err);
		free(err);
		return EX_DATAERR;
	}
	if (pr.res.n == 0)
		fprintf(stderr, "mistok: no slot: %s\n", pr.res.reason);
	a = json_array();
	for (i = 0; i < (size_t)pr.res.n; i++) {
		o = json_append(a, json_object());
		json_set(o, "start", cli_json_time(pr.res.slot[i].start));
		json_set(o, "end", cli_json_time(pr.res.slot[i].end));
		json_set(o, "relaxed", json_bool(pr.res.slot[i].relaxed));
		json_set(o, "dst_mismatch",
		    json_bool(pr.res.slot[i].dst_mismatch));
		att = json_set(o, "attendees", json_array());
		if (!cli->json) {
			fmt_iso8601(pr.res.slot[i].start, iso);
			printf("%zu. %s%s%s\n", i + 1, iso,
			    pr.res.slot[i].relaxed ? " (outside normal hours)" :
			    "", pr.res.slot[i].dst_mismatch ?
			    " (DST-mismatch week)" : "");
		}
		for (j = 0; j < pr.npeople; j++) {
			struct tz_local l;

			if ((az = tz_get(pr.people[j].zone, &err)) == NULL) {
				free(err);
				err = NULL;
				continue;
			}
			x = json_append(att, json_object());
			json_set_string(x, "email", pr.people[j].email);
			json_set_string(x, "zone", tz_name(az));
			meeting_local_iso(az, pr.res.slot[i].start, iso,
			    sizeof(iso));
			json_set_string(x, "local_start", iso);
			if (!cli->json) {
				tz_local(az, pr.res.slot[i].start, &l);
				printf("   %-28s %.10s %.5s %s (%s)\n",
				    pr.people[j].email, iso, iso + 11, l.abbr,
				    tz_name(az));
			}
			meeting_local_iso(az, pr.res.slot[i].end, iso,
			    sizeof(iso));
			json_set_string(x, "local_end", iso);
		}
	}
	if (cli->json)
		cli_print_json(a);
	else {
		json_free(a);
		if (pr.id != 0)
			fprintf(stderr, "proposal %lld sent to the coordinator; "
			    "book slot N with: mistok meeting book --proposal "
			    "%lld --slot N\n", (long long)pr.id,
			    (long long)pr.id);
	}
	meeting_proposal_free(&pr);
	return EX_OK;
}

int
cmd_meeting(int argc, char **argv, struct cli *cli)
{
	static const struct option longopts[] = {
		{ "duration", required_argument, NULL, 'd' },
		{ "window", required_argument, NULL, 'w' },
		{ "with", required_argument, NULL, 'W' },
		{ "tz", required_argument, NULL, 'z' },
		{ "start", required_argument, NULL, 's' },
		{ "title", required_argument, NULL, 't' },
		{ "link", required_argument, NULL, 'l' },
		{ "proposal", required_argument, NULL, 'p' },
		{ "slot", required_argument, NULL, 'n' },
		{ "partnership", required_argument, NULL, 'P' },
		CLI_OPT_JSON,
		{ 0 }
	};
	const char *sub, *dur = NULL, *window = NULL, *zone = NULL;
	const char *start = NULL, *title = NULL, *link = NULL, *slug = NULL;
	const char *proposal = NULL, *slot = NULL;
	struct meeting_env env;
	struct meeting m, *v;
	const struct tz *z = NULL;
	struct db *db = NULL;
	struct json *a;
	char **with = NULL, *err = NULL, *end;
	int ch, rc, minutes = 0;
	int64_t id = 0, pid = 0;
	size_t n, i;
	time_t t = 0;

	if (argc < 2)
		return cli_usage("meeting");
	sub = argv[1];
	argc--;
	argv++;
	optind = 0;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd': dur = optarg; break;
		case 'w': window = optarg; break;
		case 'W':
			with_free(with);
			with = split_with(optarg);
			break;
		case 'z': zone = optarg; break;
		case 's': start = optarg; break;
		case 't': title = optarg; break;
		case 'l': link = optarg; break;
		case 'p': proposal = optarg; break;
		case 'n': slot = optarg; break;
		case 'P': slug = optarg; break;
		case 'J': cli->json = 1; break;
		default:
			with_free(with);
			return cli_usage("meeting");
		}
	}
	argc -= optind;
	argv += optind;
	mime_init();		/* compose writes with GMime */
	rc = EX_USAGE;
	if (strcmp(sub, "propose") == 0) {
		if (argc != 1 || dur == NULL || window == NULL)
			goto usage;
		if ((rc = cli_open_db(cli, 0, &db)) != EX_OK)
			goto out;
		rc = propose(cli, db, argv[0], dur, window, with, zone);
		goto out;
	}
	if (strcmp(sub, "list") == 0 || strcmp(sub, "show") == 0) {
		int show = strcmp(sub, "show") == 0;

		if (argc != (show ? 1 : 0))
			goto usage;
		if (show && ((id = strtoll(argv[0], &end, 10)) <= 0 ||
		    *end != '\0'))
			goto usage;
		if ((rc = cli_open_db(cli, 0, &db)) != EX_OK)
			goto out;
		if ((!cli->json || zone != NULL) &&
		    (z = cli_zone(cli, zone)) == NULL) {
			rc = EX_USAGE;
			goto out;
		}
		if (show) {
			if ((rc = meeting_get(db, id, &m)) != 1) {
				fprintf(stderr, "mistok: %s\n", rc == 0 ?
				    "no such meeting" : "database error");
				rc = rc == 0 ? EX_DATAERR : EX_SOFTWARE;
				goto out;
			}
			if (cli->json)
				cli_print_json(meeting_json(&m));
			else
				print_meeting(z, &m, 1);
			meeting_free(&m);
			rc = EX_OK;
			goto out;
		}
		if (slug != NULL && directory_partnership_by_slug(db, slug,
		    &pid) != 1) {
			fprintf(stderr, "mistok: no partnership '%s'\n", slug);
			rc = EX_DATAERR;
			goto out;
		}
		if (meeting_list(db, pid, &v, &n) == -1) {
			rc = fail(NULL, xstrdup("database error"),
			    EX_SOFTWARE);
			goto out;
		}
		a = json_array();
		for (i = 0; i < n; i++) {
			if (cli->json)
				json_append(a, meeting_json(&v[i]));
			else
				print_meeting(z, &v[i], 0);
		}
		if (cli->json)
			cli_print_json(a);
		else
			json_free(a);
		meeting_list_free(v, n);
		rc = EX_OK;
		goto out;
	}
	if (dur != NULL) {
		enum dates_error de = dates_parse_duration(dur, &minutes);

		if (de != DATES_OK) {
			fprintf(stderr, "mistok: --duration %s: %s\n", dur,
			    dates_strerror(de, "en"));
			goto out;
		}
	}
	if ((rc = cli_config(cli)) != EX_OK)
		goto out;
	rc = EX_USAGE;
	if (start != NULL) {
		if ((z = cli_zone(cli, zone)) == NULL)
			goto out;
		if (parse_start(start, z, &t) == -1) {
			fprintf(stderr, "mistok: --start %s: not "
			    "2026-03-10T15:00:00Z\n", start);
			goto out;
		}
	}
	if (strcmp(sub, "book") == 0 && proposal != NULL) {
		long k;

		if (argc != 0 || slot == NULL ||
		    (id = strtoll(proposal, &end, 10)) <= 0 || *end != '\0' ||
		    (k = strtol(slot, &end, 10)) < 1 || *end != '\0' || k > 99)
			goto usage;
		if ((rc = cli_open_db(cli, 0, &db)) != EX_OK)
			goto out;
		env = (struct meeting_env){ db, cli->conf, NULL, NULL };
		if (meeting_book_slot(&env, id, (int)k, title, link,
		    &err) == -1) {
			rc = fail(NULL, err, EX_DATAERR);
			goto out;
		}
		printf("%lld\n", (long long)id);
		rc = EX_OK;
		goto out;
	}
	if (strcmp(sub, "book") == 0) {
		if (argc != 1 || start == NULL || dur == NULL)
			goto usage;
		if ((rc = cli_open_db(cli, 0, &db)) != EX_OK)
			goto out;
		env = (struct meeting_env){ db, cli->conf, NULL, NULL };
		if (meeting_book(&env, argv[0], t, minutes,
		    (const char *const *)with, title, link, &id, &err) == -1) {
			rc = fail(NULL, err, EX_DATAERR);
			goto out;
		}
		if (cli->json) {
			a = json_object();
			json_set_int(a, "id", id);
			cli_print_json(a);
		} else
			printf("%lld\n", (long long)id);
		rc = EX_OK;
		goto out;
	}
	if (strcmp(sub, "reschedule") == 0 || strcmp(sub, "cancel") == 0) {
		int cancel = strcmp(sub, "cancel") == 0;

		if (argc != 1 || (id = strtoll(argv[0], &end, 10)) <= 0 ||
		    *end != '\0' || (!cancel && start == NULL))
			goto usage;
		if ((rc = cli_open_db(cli, 0, &db)) != EX_OK)
			goto out;
		env = (struct meeting_env){ db, cli->conf, NULL, NULL };
		if ((cancel ? meeting_cancel(&env, id, &err) :
		    meeting_reschedule(&env, id, t, minutes, &err)) == -1) {
			rc = fail(NULL, err, EX_DATAERR);
			goto out;
		}
		if (meeting_get(db, id, &m) == 1) {
			if (cli->json)
				cli_print_json(meeting_json(&m));
			else
				printf("%lld sequence %d %s\n", (long long)id,
				    m.sequence, m.status);
			meeting_free(&m);
		}
		rc = EX_OK;
		goto out;
	}
usage:
	rc = cli_usage("meeting");
out:
	with_free(with);
	if (db != NULL)
		db_close(db);
	mime_shutdown();
	return rc;
}
