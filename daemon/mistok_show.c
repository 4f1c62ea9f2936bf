/*
 * mistok show: a partnership's timeline — header (organisations, stage and
 * its history, coordinator), then its threads with their messages, its
 * meetings and its stage changes in date order, dates in the team's zone
 * (or --tz). --json gives one object. Also the helpers that unassigned
 * and assign share: a message as JSON and as a terminal line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "db.h"
#include "json.h"
#include "mistok.h"
#include "timeline.h"
#include "tz.h"
#include "util.h"

struct json *
cli_json_tl_message(const struct tl_message *m)
{
	struct json *o = json_object();

	json_set_int(o, "id", m->id);
	json_set(o, "message_id", json_string(m->message_id));
	json_set(o, "date", cli_json_time(m->date));
	json_set(o, "direction", json_string(m->direction));
	json_set(o, "from", cli_json_addr(&m->from));
	json_set(o, "to", cli_json_addrs(m->to, m->nto));
	json_set(o, "cc", cli_json_addrs(m->cc, m->ncc));
	json_set(o, "subject", json_string(m->subject));
	json_set(o, "kind", json_string(m->kind));
	json_set(o, "thread", m->thread ? json_int(m->thread) : json_null());
	json_set(o, "partnership", json_string(m->slug));
	json_set(o, "rule", json_string(m->rule));
	return o;
}

const struct tz *
cli_zone(struct cli *cli, const char *arg)
{
	const struct tz *z;
	const char *name = arg;
	char *err = NULL;

	if (name == NULL && cli->conf != NULL)
		name = cli->conf->team_timezone;
	if (name == NULL || *name == '\0')
		name = "UTC";
	if ((z = tz_get(name, &err)) == NULL) {
		fprintf(stderr, "mistok: time zone %s: %s\n", name, err);
		free(err);
	}
	return z;
}

void
cli_local(const struct tz *z, time_t t, char *out, size_t len)
{
	struct tz_local l;

	if (t == 0) {
		snprintf(out, len, "%-16s", "-");
		return;
	}
	tz_local(z, t, &l);
	snprintf(out, len, "%04d-%02d-%02d %02d:%02d", l.year, l.month, l.day,
	    l.hour, l.min);
}

void
cli_cut(const char *s, int width, int pad)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	int n = 0;

	while (*p && n < width) {
		if (n == width - 1 && p[1] != '\0') {
			fputs("…", stdout);
			n++;
			break;
		}
		if (*p < 0x20 || *p == 0x7f)
			putchar(' ');
		else {
			putchar(*p);
			while ((p[1] & 0xc0) == 0x80)
				putchar(*++p);
		}
		p++;
		n++;
	}
	for (; pad && n < width; n++)
		putchar(' ');
}

void
cli_tl_line(const struct tz *z, const struct tl_message *m, const char *indent)
{
	char date[32], *who;
	const char *arrow;

	cli_local(z, m->date, date, sizeof(date));
	if (m->direction != NULL && strcmp(m->direction, "out") == 0)
		arrow = "→";
	else if (m->direction != NULL && strcmp(m->direction, "in") == 0)
		arrow = "←";
	else
		arrow = "·";
	if (m->from.name != NULL && *m->from.name)
		who = xasprintf("%s <%s>", m->from.name, m->from.email);
	else if (*m->from.email)
		who = xstrdup(m->from.email);
	else
		who = xstrdup("(no sender)");
	printf("%s%6lld  %s %s ", indent, (long long)m->id, date, arrow);
	cli_cut(who, 36, 1);
	printf("  ");
	cli_cut(m->subject ? m->subject : "(no subject)", 50,
	    strcmp(m->kind ? m->kind : "", "correspondence") != 0);
	if (m->kind != NULL && strcmp(m->kind, "correspondence") != 0)
		printf("  [%s]", m->kind);
	putchar('\n');
	free(who);
}

/* ---- show -------------------------------------------------------------- */

static struct json *
show_json(const struct timeline *t)
{
	const struct dir_partnership *p = &t->p;
	struct json *o = json_object(), *a, *e, *x, *ms;
	size_t i, j;

	json_set_int(o, "id", p->id);
	json_set_string(o, "slug", p->slug);
	x = json_set(o, "ua_org", json_object());
	json_set(x, "id", p->ua_org ? json_int(p->ua_org) : json_null());
	json_set(x, "name", json_string(p->ua_org_name));
	x = json_set(o, "us_org", json_object());
	json_set(x, "id", p->us_org ? json_int(p->us_org) : json_null());
	json_set(x, "name", json_string(p->us_org_name));
	a = json_set(o, "supporting_orgs", json_array());
	for (i = 0; i < p->nsupporting; i++) {
		x = json_append(a, json_object());
		json_set_int(x, "id", p->supporting[i]);
		json_set(x, "name", json_string(p->supporting_names[i]));
	}
	json_set_string(o, "stage", p->stage);
	if (p->coordinator != 0) {
		x = json_set(o, "coordinator", json_object());
		json_set(x, "name", json_string(p->coordinator_name));
		json_set(x, "email", json_string(p->coordinator_email));
	} else
		json_set(o, "coordinator", json_null());
	json_set(o, "started", cli_json_time(p->started));
	a = json_set(o, "stage_history", json_array());
	for (i = 0; i < p->nhistory; i++) {
		x = json_append(a, json_object());
		json_set_string(x, "stage", p->history[i].stage);
		json_set(x, "at", cli_json_time(p->history[i].at));
		json_set(x, "actor", json_string(p->history[i].actor));
	}
	/* The timeline, interleaved by date. */
	a = json_set(o, "timeline", json_array());
	for (i = 0; i < t->nentries; i++) {
		e = json_append(a, json_object());
		switch (t->entries[i].type) {
		case TL_THREAD: {
			const struct tl_thread *th =
			    &t->threads[t->entries[i].index];

			json_set_string(e, "type", "thread");
			json_set(e, "date", cli_json_time(th->first));
			json_set(e, "thread", th->id ? json_int(th->id) :
			    json_null());
			json_set(e, "rule", json_string(th->rule));
			json_set(e, "last_date", cli_json_time(th->last));
			ms = json_set(e, "messages", json_array());
			for (j = 0; j < th->nmsgs; j++)
				json_append(ms, cli_json_tl_message(
				    &th->msgs[j]));
			break;
		}
		case TL_MEETING: {
			const struct tl_meeting *m =
			    &t->meetings[t->entries[i].index];

			json_set_string(e, "type", "meeting");
			json_set(e, "date", cli_json_time(m->start));
			json_set_int(e, "meeting", m->id);
			json_set(e, "uid", json_string(m->uid));
			json_set(e, "title", json_string(m->title));
			json_set_int(e, "sequence", m->sequence);
			json_set(e, "status", json_string(m->status));
			json_set(e, "end", m->start ? cli_json_time(m->start +
			    m->duration) : json_null());
			json_set(e, "link", json_string(m->link));
			ms = json_set(e, "attendees", json_array());
			for (j = 0; j < m->natt; j++) {
				x = json_append(ms, json_object());
				json_set(x, "name", json_string(
				    m->att[j].name));
				json_set(x, "email", json_string(
				    m->att[j].email));
				json_set(x, "partstat", json_string(
				    m->att[j].partstat));
			}
			break;
		}
		case TL_STAGE: {
			const struct dir_stage *s =
			    &p->history[t->entries[i].index];

			json_set_string(e, "type", "stage");
			json_set(e, "date", cli_json_time(s->at));
			json_set_string(e, "stage", s->stage);
			json_set(e, "actor", json_string(s->actor));
			break;
		}
		}
	}
	return o;
}

static void
show_text(const struct timeline *t, const struct tz *z)
{
	const struct dir_partnership *p = &t->p;
	char date[32];
	size_t i, j, nmsg = 0;

	for (i = 0; i < t->nthreads; i++)
		nmsg += t->threads[i].nmsgs;
	printf("%s  #%lld  %s – %s\n", p->slug, (long long)p->id,
	    p->ua_org_name ? p->ua_org_name : "?",
	    p->us_org_name ? p->us_org_name : "?");
	if (p->nsupporting > 0) {
		printf("  supporting:  ");
		for (i = 0; i < p->nsupporting; i++)
			printf("%s%s", i ? ", " : "", p->supporting_names[i]);
		putchar('\n');
	}
	printf("  stage:       %s\n", p->stage);
	for (i = 0; i < p->nhistory; i++) {
		cli_local(z, p->history[i].at, date, sizeof(date));
		printf("               %s  %s%s%s\n", date,
		    p->history[i].stage, p->history[i].actor ? "  by " : "",
		    p->history[i].actor ? p->history[i].actor : "");
	}
	if (p->coordinator != 0)
		printf("  coordinator: %s <%s>\n", p->coordinator_name ?
		    p->coordinator_name : "", p->coordinator_email ?
		    p->coordinator_email : "");
	if (p->started != 0) {
		char s[ISO8601_LEN];

		fmt_iso8601(p->started, s);
		printf("  started:     %.10s\n", s);
	}
	printf("  %zu threads, %zu messages, %zu meetings; times in %s\n\n",
	    t->nthreads, nmsg, t->nmeetings, tz_name(z));
	for (i = 0; i < t->nentries; i++) {
		switch (t->entries[i].type) {
		case TL_THREAD: {
			const struct tl_thread *th =
			    &t->threads[t->entries[i].index];

			printf("thread %lld  (%zu message%s, %s)  ",
			    (long long)th->id, th->nmsgs, th->nmsgs == 1 ?
			    "" : "s", th->rule ? th->rule : "none");
			cli_cut(th->msgs[0].subject ? th->msgs[0].subject :
			    "(no subject)", 60, 0);
			putchar('\n');
			for (j = 0; j < th->nmsgs; j++)
				cli_tl_line(z, &th->msgs[j], "  ");
			break;
		}
		case TL_MEETING: {
			const struct tl_meeting *m =
			    &t->meetings[t->entries[i].index];

			cli_local(z, m->start, date, sizeof(date));
			printf("meeting %lld  %s  %lld min  %s  ",
			    (long long)m->id, date,
			    (long long)(m->duration / 60), m->status ?
			    m->status : "");
			cli_cut(m->title ? m->title : "(no title)", 50, 0);
			printf("  (%zu attendees)\n", m->natt);
			break;
		}
		case TL_STAGE: {
			const struct dir_stage *s =
			    &p->history[t->entries[i].index];

			cli_local(z, s->at, date, sizeof(date));
			printf("stage     %s  → %s%s%s\n", date, s->stage,
			    s->actor ? "  by " : "", s->actor ? s->actor : "");
			break;
		}
		}
	}
}

int
cmd_show(int argc, char **argv, struct cli *cli)
{
	static const struct option longopts[] = {
		{ "tz", required_argument, NULL, 'z' },
		CLI_OPT_JSON,
		{ 0 }
	};
	const struct tz *z = NULL;
	const char *zone = NULL;
	struct timeline t;
	struct db *db = NULL;
	int64_t id;
	char *err = NULL;
	int ch, rc;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'z':
			zone = optarg;
			break;
		case 'J':
			cli->json = 1;
			break;
		default:
			return cli_usage("show");
		}
	}
	if (optind != argc - 1)
		return cli_usage("show");
	if ((rc = cli_open_db(cli, 0, &db)) != EX_OK)
		return rc;
	if ((!cli->json || zone != NULL) &&
	    (z = cli_zone(cli, zone)) == NULL) {
		db_close(db);
		return EX_USAGE;
	}
	if ((rc = cli_dir_find(db, DIR_PARTNERSHIPS, argv[optind], &id)) !=
	    EX_OK) {
		db_close(db);
		return rc;
	}
	if ((rc = timeline_load(db, id, &t, &err)) != 1) {
		if (rc == 0)
			fprintf(stderr, "mistok: no partnership %s\n",
			    argv[optind]);
		else
			fprintf(stderr, "mistok: %s\n", err);
		free(err);
		db_close(db);
		return rc == 0 ? EX_NOINPUT : EX_SOFTWARE;
	}
	if (cli->json)
		cli_print_json(show_json(&t));
	else
		show_text(&t, z);
	timeline_free(&t);
	db_close(db);
	return EX_OK;
}
