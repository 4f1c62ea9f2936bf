/*
 * mistok: the command-line front end. Global options, the sorted table of
 * subcommands (one line per subcommand; its code is in mistok_NAME.c),
 * help, and the helpers every subcommand shares.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"
#include "db.h"
#include "json.h"
#include "log.h"
#include "mime.h"
#include "mistok.h"
#include "util.h"

static int cmd_help(int, char **, struct cli *);

/* Sorted by name; a new subcommand is one line here. */
static const struct cli_command commands[] = {
	{ "assign", cmd_assign, "assign [--json] MESSAGE PARTNERSHIP",
	    "file a message and its thread under a partnership", NULL },
	{ "backup", cmd_backup, "backup [--force] [--json] FILE",
	    "write a consistent copy of the live database to FILE",
	    "Uses SQLite's online backup, so it is safe while mistokd runs.\n"
	    "The copy is written to FILE.tmp, synced and renamed; an existing\n"
	    "FILE is kept unless --force. This file is what to back up." },
	{ "calendar", cmd_calendar, "calendar [-o FILE]",
	    "write the .ics feed of every meeting (stdout by default)", NULL },
	{ "contact", cmd_contact, "contact add|edit|list|show|forget ...",
	    "the directory's contacts", DIR_HELP_CONTACT },
	{ "digest", cmd_digest, "digest [--to COORDINATOR] [--send] "
	    "[--format text|html]",
	    "print a coordinator's digest now, or queue it with --send",
	    REMIND_HELP_DIGEST },
	{ "export", cmd_export, "export [--json] orgs|contacts|partnerships "
	    "[FILE]", "write the directory as CSV (stdout by default)", NULL },
	{ "followup", cmd_followup, "followup [--to EMAIL] [--message TEXT] "
	    "[--dry-run | --now] [--json] PARTNERSHIP",
	    "write a follow-up to a partner, threaded into their last mail",
	    FOLLOWUP_HELP },
	{ "help", cmd_help, "help [COMMAND]",
	    "list the commands, or explain one", NULL },
	{ "import", cmd_import, "import [--json] orgs|contacts|partnerships "
	    "FILE", "add or update directory records from CSV", DIR_HELP_IMPORT },
	{ "log", cmd_log, "log [--since DATE] [--tz ZONE] [--json]",
	    "the audit log: stage changes, steps, command mail", NULL },
	{ "meeting", cmd_meeting, "meeting propose|book|reschedule|cancel|"
	    "list|show ...", "find slots, invite, move, cancel, list meetings",
	    MEETING_HELP },
	{ "messages", cmd_messages, "messages [--folder F] [--from ADDR] "
	    "[--since DATE] [--partnership SLUG] [--text] [--json]",
	    "list stored messages, oldest first",
	    "--from takes an address or @domain; --since a day YYYY-MM-DD (local\n"
	    "time). The table shows dates in local time; --json gives DESIGN.md's\n"
	    "fields (UTC), and --text adds each message's text." },
	{ "org", cmd_org, "org add|edit|list|show ...",
	    "the directory's organisations", DIR_HELP_ORG },
	{ "outbox", cmd_outbox, "outbox [--json] | outbox retry|cancel ID",
	    "list outgoing mail, or retry or cancel one", OUTBOX_HELP },
	{ "partnership", cmd_partnership, "partnership add|edit|list|show ...",
	    "the directory's partnerships", DIR_HELP_PARTNERSHIP },
	{ "remind", cmd_remind, "remind --run-once [--now ISO8601] [--json]",
	    "run one scheduler tick and print what it queued",
	    REMIND_HELP },
	{ "report", cmd_report, "report --from DATE --to DATE [--format "
	    "text|csv|json|html] [--lang uk|en] [-o FILE]",
	    "the funders' report of a period (README.md defines each figure)",
	    REPORT_HELP },
	{ "send-test", cmd_send_test, "send-test [--json] ADDRESS",
	    "send a small test mail to ADDRESS now and print the outcome",
	    NULL },
	{ "show", cmd_show, "show [--tz ZONE] [--json] PARTNERSHIP",
	    "a partnership's timeline: threads, meetings, stage changes", NULL },
	{ "status", cmd_status, "status [--json]",
	    "show the config, the database and the state of each folder",
	    "Shows the config and database paths, the schema version, per\n"
	    "folder UIDVALIDITY, last UID and last sync, since when the mailbox\n"
	    "has been unreachable, quarantined messages and the outbox." },
	{ "step", cmd_step, "step add SLUG TEXT --due DATE [--owner X] | "
	    "step done ID | step snooze ID DURATION [--json]",
	    "add a next step, mark one done, or snooze its reminders",
	    STEP_HELP },
	{ "steps", cmd_steps, "steps [--partnership SLUG] [--owner X] "
	    "[--overdue] [--status open|done|all] [--json]",
	    "list next steps, soonest due first", NULL },
	{ "sync", cmd_sync, "sync --once [--quiet] [--json]",
	    "fetch new mail from every folder once, then exit",
	    "Progress goes to stderr: a bar on a terminal, else a line every few\n"
	    "seconds; then one summary line per folder. Exit 0, 69 or 75 when the\n"
	    "server is unavailable, 78 for a configuration problem." },
	{ "template", cmd_template, "template render NAME [--lang uk|en] "
	    "[--data FILE.json] [--part subject|txt|html] [--dir DIR] | "
	    "template check [--dir DIR] [--json]",
	    "preview a mail template, or check them all", MAILTMPL_HELP },
	{ "unassigned", cmd_unassigned, "unassigned [--tz ZONE] [--json]",
	    "mail no rule could file under one partnership, newest first",
	    NULL },
};

static const struct cli_command *
find(const char *name)
{
	size_t i;

	for (i = 0; i < nitems(commands); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

/* Edit distance, for "did you mean"; names are short. */
static size_t
distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, prev, tmp, d[64];

	if (la >= nitems(d) || lb >= nitems(d))
		return 99;
	for (j = 0; j <= lb; j++)
		d[j] = j;
	for (i = 1; i <= la; i++) {
		prev = d[0];
		d[0] = i;
		for (j = 1; j <= lb; j++) {
			tmp = d[j];
			d[j] = prev + (a[i - 1] != b[j - 1]);
			if (d[j - 1] + 1 < d[j])
				d[j] = d[j - 1] + 1;
			if (tmp + 1 < d[j])
				d[j] = tmp + 1;
			prev = tmp;
		}
	}
	return d[lb];
}

static int
unknown(const char *name)
{
	const char *best = NULL;
	size_t i, dist, bestd = 3;

	for (i = 0; i < nitems(commands); i++) {
		dist = distance(name, commands[i].name);
		if (strncmp(name, commands[i].name, strlen(name)) == 0 &&
		    strlen(name) >= 2)
			dist = 1;
		if (dist < bestd) {
			bestd = dist;
			best = commands[i].name;
		}
	}
	fprintf(stderr, "mistok: unknown command \"%s\"", name);
	if (best != NULL)
		fprintf(stderr, "; did you mean \"%s\"?", best);
	fprintf(stderr, "\nRun \"mistok help\" for the list of commands.\n");
	return EX_USAGE;
}

static void
usage_text(FILE *f)
{
	size_t i;

	fprintf(f, "usage: mistok [-c FILE] [--json] COMMAND [ARGS]\n\n"
	    "  -c FILE   configuration (default $MISTOK_CONFIG, then "
	    SYSCONFDIR "/mistok/mistok.conf)\n"
	    "  --json    machine-readable output\n\n"
	    "Commands:\n");
	for (i = 0; i < nitems(commands); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\nRun \"mistok help COMMAND\" for one command's usage.\n");
}

static void
command_help(FILE *f, const struct cli_command *c)
{
	fprintf(f, "usage: mistok %s\n\n%s.\n", c->synopsis, c->summary);
	if (c->help != NULL)
		fprintf(f, "\n%s\n", c->help);
}

int
cli_usage(const char *name)
{
	const struct cli_command *c = find(name);

	if (c != NULL)
		fprintf(stderr, "usage: mistok %s\n", c->synopsis);
	return EX_USAGE;
}

static int
cmd_help(int argc, char **argv, struct cli *cli)
{
	const struct cli_command *c;

	if (argc == 1) {
		usage_text(stdout);
		return EX_OK;
	}
	if (argc != 2)
		return cli_usage("help");
	if ((c = find(argv[1])) == NULL)
		return unknown(argv[1]);
	command_help(stdout, c);
	return EX_OK;
}

int
cli_config(struct cli *cli)
{
	struct buf errors;

	if (cli->conf != NULL)
		return EX_OK;
	cli->config_path = config_default_path(cli->config_arg);
	buf_init(&errors);
	if (config_load(cli->config_path, &cli->conf, &errors) != 0) {
		fputs(errors.data ? errors.data : "", stderr);
		fprintf(stderr, "mistok: %s: configuration not valid\n",
		    cli->config_path);
		buf_free(&errors);
		return EX_CONFIG;
	}
	buf_free(&errors);
	return EX_OK;
}

int
cli_open_db(struct cli *cli, int flags, struct db **db)
{
	struct stat sb;
	char *err = NULL;
	int rc;

	if ((rc = cli_config(cli)) != EX_OK)
		return rc;
	if (!(flags & DB_CREATE) && stat(cli->conf->store_path, &sb) == -1 &&
	    errno == ENOENT) {
		fprintf(stderr, "mistok: database %s does not exist yet "
		    "(mistokd creates it)\n", cli->conf->store_path);
		return EX_NOINPUT;
	}
	if (db_open(cli->conf->store_path, flags, db, &err) == -1) {
		fprintf(stderr, "mistok: %s\n", err);
		free(err);
		return EX_SOFTWARE;
	}
	return EX_OK;
}

void
cli_print_json(struct json *v)
{
	struct buf b;

	buf_init(&b);
	json_write(&b, v, JSON_PRETTY);
	fwrite(b.data, 1, b.len, stdout);
	buf_free(&b);
	json_free(v);
}

struct json *
cli_json_time(time_t t)
{
	char s[ISO8601_LEN];

	if (t == 0)
		return json_null();
	fmt_iso8601(t, s);
	return json_string(s);
}

struct json *
cli_json_addr(const struct msg_addr *a)
{
	struct json *o = json_object();

	json_set(o, "name", json_string(a->name && *a->name ? a->name : NULL));
	json_set_string(o, "email", a->email ? a->email : "");
	return o;
}

struct json *
cli_json_addrs(const struct msg_addr *a, size_t n)
{
	struct json *arr = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_append(arr, cli_json_addr(&a[i]));
	return arr;
}

int
main(int argc, char *argv[])
{
	const struct cli_command *c;
	struct cli cli;
	int i, rc;

	memset(&cli, 0, sizeof(cli));
	cli.progname = "mistok";
	log_init(1, "mistok");

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "-c") == 0) {
			if (++i == argc) {
				fprintf(stderr, "mistok: -c needs a FILE\n");
				return EX_USAGE;
			}
			cli.config_arg = argv[i];
		} else if (strncmp(argv[i], "-c", 2) == 0)
			cli.config_arg = argv[i] + 2;
		else if (strcmp(argv[i], "--json") == 0)
			cli.json = 1;
		else if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			usage_text(stdout);
			return EX_OK;
		} else if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		} else {
			fprintf(stderr, "mistok: unknown option %s\n", argv[i]);
			usage_text(stderr);
			return EX_USAGE;
		}
	}
	if (i == argc) {
		usage_text(stderr);
		return EX_USAGE;
	}
	if ((c = find(argv[i])) == NULL)
		return unknown(argv[i]);
	/* CMD --help, before "--", is help whatever the command. */
	for (rc = i + 1; rc < argc && strcmp(argv[rc], "--") != 0; rc++)
		if (strcmp(argv[rc], "--help") == 0) {
			command_help(stdout, c);
			return EX_OK;
		}

	optind = 0;
	opterr = 1;
	rc = c->fn(argc - i, argv + i, &cli);
	if (fflush(stdout) == EOF && rc == EX_OK) {
		fprintf(stderr, "mistok: stdout: %s\n", strerror(errno));
		rc = EX_IOERR;
	}
	config_free(cli.conf);
	return rc;
}
