/*
 * mistok assign MESSAGE PARTNERSHIP: a person files a message (and so its
 * thread) under a partnership. The rule stored is "assigned", which no
 * later evidence overrides; the sender is learned as a contact when the
 * address is new and its domain belongs to one of the partnership's
 * organisations; the events table keeps who did it.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "json.h"
#include "mistok.h"
#include "thread.h"
#include "timeline.h"

static const char *
sender_text(enum tl_learn l)
{
	switch (l) {
	case TL_SENDER_NONE:
		return "none";
	case TL_SENDER_TEAM:
		return "team";
	case TL_SENDER_KNOWN:
		return "known";
	case TL_SENDER_LEARNED:
		return "learned";
	case TL_SENDER_OTHER_ORG:
		return "other-organisation";
	case TL_SENDER_UNKNOWN:
		return "unknown";
	}
	return "none";
}

/* "123" or "#123". Returns 0 and *id, or -1. */
static int
parse_id(const char *s, int64_t *id)
{
	char *end;
	long long v;

	if (*s == '#')
		s++;
	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v <= 0)
		return -1;
	*id = v;
	return 0;
}

int
cmd_assign(int argc, char **argv, struct cli *cli)
{
	static const struct option longopts[] = {
		CLI_OPT_JSON,
		{ 0 }
	};
	struct thread_ctx ctx;
	struct tl_assign a;
	const struct tz *z;
	struct json *o, *arr, *s;
	struct db *db = NULL;
	int64_t message, partnership;
	size_t i;
	char *err = NULL;
	int ch, rc;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'J':
			cli->json = 1;
			break;
		default:
			return cli_usage("assign");
		}
	}
	if (optind != argc - 2)
		return cli_usage("assign");
	if (parse_id(argv[optind], &message) == -1) {
		fprintf(stderr, "mistok: %s: not a message id (mistok "
		    "unassigned lists them)\n", argv[optind]);
		return EX_USAGE;
	}
	if ((rc = cli_open_db(cli, 0, &db)) != EX_OK)
		return rc;
	if ((rc = cli_dir_find(db, DIR_PARTNERSHIPS, argv[optind + 1],
	    &partnership)) != EX_OK) {
		db_close(db);
		return rc;
	}
	memset(&ctx, 0, sizeof(ctx));
	thread_ctx_from_config(&ctx, cli->conf);
	if (timeline_assign(db, message, partnership, &ctx, "cli", &a,
	    &err) == -1) {
		fprintf(stderr, "mistok: %s\n", err);
		rc = strncmp(err, "no ", 3) == 0 ? EX_NOINPUT : EX_SOFTWARE;
		free(err);
		db_close(db);
		return rc;
	}
	if (cli->json) {
		o = json_object();
		json_set_int(o, "message", message);
		json_set_string(o, "partnership", a.slug);
		json_set(o, "previous", json_string(a.old_slug));
		json_set(o, "thread", a.thread ? json_int(a.thread) :
		    json_null());
		arr = json_set(o, "moved", json_array());
		for (i = 0; i < a.nmoved; i++)
			json_append(arr, cli_json_tl_message(&a.moved[i]));
		s = json_set(o, "sender", json_object());
		json_set(s, "email", json_string(a.sender_email));
		json_set_string(s, "status", sender_text(a.sender));
		json_set(s, "contact", a.contact ? json_int(a.contact) :
		    json_null());
		cli_print_json(o);
	} else if ((z = cli_zone(cli, NULL)) != NULL) {
		printf("message %lld assigned to %s (before: %s)\n",
		    (long long)message, a.slug, a.old_slug ? a.old_slug :
		    "unassigned");
		printf("thread %lld: %zu message%s moved\n",
		    (long long)a.thread, a.nmoved, a.nmoved == 1 ? "" : "s");
		for (i = 0; i < a.nmoved; i++)
			cli_tl_line(z, &a.moved[i], "  ");
		switch (a.sender) {
		case TL_SENDER_LEARNED:
			printf("learned contact %s (id %lld) at the "
			    "partnership's organisation\n", a.sender_email,
			    (long long)a.contact);
			break;
		case TL_SENDER_OTHER_ORG:
			printf("sender %s not learned: its organisation is "
			    "not part of %s\n", a.sender_email, a.slug);
			break;
		case TL_SENDER_UNKNOWN:
			printf("sender %s not learned: no organisation has "
			    "its domain\n", a.sender_email);
			break;
		default:
			break;
		}
	}
	tl_assign_free(&a);
	db_close(db);
	return EX_OK;
}
