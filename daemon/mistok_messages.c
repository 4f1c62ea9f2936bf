/*
 * mistok messages: the stored messages, oldest first, filtered by folder,
 * sender, date and partnership; a table in the reader's local time, or
 * --json with DESIGN.md's fields.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "db.h"
#include "json.h"
#include "mistok.h"
#include "store.h"
#include "util.h"

struct out {
	int		 json;
	int		 text;		/* --text: the body too */
	struct json	*array;
	size_t		 n;
};

/*
 * YYYY-MM-DD (local midnight) or YYYY-MM-DDTHH:MM:SSZ (UTC). Returns 0
 * and *t, or -1.
 */
static int
parse_since(const char *s, time_t *t)
{
	struct tm tm;
	char *end;

	memset(&tm, 0, sizeof(tm));
	if ((end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm)) != NULL &&
	    *end == '\0') {
		*t = timegm(&tm);
		return 0;
	}
	memset(&tm, 0, sizeof(tm));
	if ((end = strptime(s, "%Y-%m-%d", &tm)) == NULL || *end != '\0' ||
	    strlen(s) != 10)
		return -1;
	tm.tm_isdst = -1;
	if ((*t = mktime(&tm)) == (time_t)-1)
		return -1;
	return 0;
}

static struct json *
row_json(const struct store_row *r, int text)
{
	struct json *o = json_object(), *a, *l;
	size_t i;

	json_set_int(o, "id", r->id);
	json_set(o, "message_id", json_string(r->message_id));
	json_set(o, "folder", json_string(r->nloc ? r->loc[0].folder : NULL));
	json_set(o, "uid", r->nloc ? json_int(r->loc[0].uid) : json_null());
	a = json_set(o, "locations", json_array());
	for (i = 0; i < r->nloc; i++) {
		l = json_append(a, json_object());
		json_set_string(l, "folder", r->loc[i].folder);
		json_set_int(l, "uidvalidity", r->loc[i].uidvalidity);
		json_set_int(l, "uid", r->loc[i].uid);
	}
	json_set(o, "date", cli_json_time(r->date));
	json_set(o, "from", cli_json_addr(&r->from));
	json_set(o, "to", cli_json_addrs(r->to, r->nto));
	json_set(o, "cc", cli_json_addrs(r->cc, r->ncc));
	json_set_string(o, "subject", r->subject);
	json_set(o, "thread", r->thread ? json_int(r->thread) : json_null());
	json_set(o, "partnership", json_string(r->partnership));
	json_set_string(o, "rule", r->rule);
	json_set_string(o, "kind", r->kind);
	a = json_set(o, "attachments", json_array());
	for (i = 0; i < r->natt; i++) {
		l = json_append(a, json_object());
		json_set(l, "name", json_string(r->att[i].name));
		json_set(l, "type", json_string(r->att[i].type));
		json_set_int(l, "size", (int64_t)r->att[i].size);
	}
	json_set(o, "direction", json_string(r->direction));
	json_set(o, "error", json_string(r->error));
	json_set(o, "truncated", json_bool(r->truncated));
	json_set_int(o, "size", r->size);
	if (text)
		json_set_string(o, "text", r->body);
	return o;
}

/* At most width UTF-8 characters of s, control characters as spaces. */
static void
print_cut(const char *s, int width)
{
	const unsigned char *p = (const unsigned char *)s;
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
	for (; n < width; n++)
		putchar(' ');
}

static int
on_row(void *arg, const struct store_row *r)
{
	struct out *o = arg;
	struct tm tm;
	time_t t = r->date;
	char date[32] = "-";

	o->n++;
	if (o->json) {
		json_append(o->array, row_json(r, o->text));
		return 0;
	}
	if (t != 0 && localtime_r(&t, &tm) != NULL)
		strftime(date, sizeof(date), "%Y-%m-%d %H:%M", &tm);
	printf("%6lld  %-16s  ", (long long)r->id, date);
	print_cut(*r->from.email ? r->from.email : "(no sender)", 28);
	printf("  ");
	print_cut(r->subject, 44);
	printf("  %s\n", r->kind);
	return 0;
}

int
cmd_messages(int argc, char **argv, struct cli *cli)
{
	static const struct option longopts[] = {
		{ "folder", required_argument, NULL, 'f' },
		{ "from", required_argument, NULL, 'F' },
		{ "since", required_argument, NULL, 's' },
		{ "partnership", required_argument, NULL, 'p' },
		{ "text", no_argument, NULL, 't' },
		CLI_OPT_JSON,
		{ 0 }
	};
	struct store_filter f;
	struct out o;
	struct db *db = NULL;
	char *from = NULL, *err = NULL;
	int ch, rc;

	memset(&f, 0, sizeof(f));
	memset(&o, 0, sizeof(o));
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			f.folder = optarg;
			break;
		case 'F':
			free(from);
			from = xstrdup(optarg);
			str_lower(from);
			f.from = from;
			break;
		case 's':
			if (parse_since(optarg, &f.since) == -1) {
				fprintf(stderr, "mistok: --since %s: expected "
				    "YYYY-MM-DD\n", optarg);
				free(from);
				return EX_USAGE;
			}
			break;
		case 'p':
			f.partnership = optarg;
			break;
		case 't':
			o.text = 1;
			break;
		case 'J':
			cli->json = 1;
			break;
		default:
			free(from);
			return cli_usage("messages");
		}
	}
	if (optind != argc) {
		free(from);
		return cli_usage("messages");
	}
	if ((rc = cli_open_db(cli, 0, &db)) != EX_OK) {
		free(from);
		return rc;
	}
	o.json = cli->json;
	if (o.json)
		o.array = json_array();
	else
		printf("%6s  %-16s  %-28s  %-44s  %s\n", "ID", "DATE", "FROM",
		    "SUBJECT", "KIND");
	if (store_list(db, &f, on_row, &o, &err) == -1) {
		fprintf(stderr, "mistok: %s\n", err);
		free(err);
		json_free(o.array);
		db_close(db);
		free(from);
		return EX_SOFTWARE;
	}
	if (o.json)
		cli_print_json(o.array);
	db_close(db);
	free(from);
	return EX_OK;
}
