/*
 * mistok.h: the CLI's shared state and its subcommands. mistok.c holds the
 * dispatch table and the global options; each subcommand lives in its own
 * daemon/mistok_NAME.c as one cmd_NAME() (notmuch-style), reads the store
 * through the library modules and is the only place that prints. No SQL
 * here or in any mistok_*.c file: queries belong to the owning module.
 */
#ifndef MISTOK_MISTOK_H
#define MISTOK_MISTOK_H

#include <getopt.h>
#include <sysexits.h>
#include <time.h>

#include "directory.h"

struct config;
struct db;
struct json;
struct msg_addr;

struct cli {
	const char	*progname;	/* "mistok" */
	const char	*config_arg;	/* -c FILE, or NULL */
	const char	*config_path;	/* resolved by cli_config() */
	int		 json;		/* --json, before or after CMD */
	struct config	*conf;		/* NULL until cli_config() */
};

/*
 * A subcommand. fn gets argv[0] = the command name and its own arguments;
 * getopt state is reset before the call (optind = 0), so fn parses with
 * getopt_long() and should list CLI_OPT_JSON among its long options. `CMD
 * --help` and `help CMD` never reach fn: they print synopsis and help.
 * fn returns a sysexits.h code: EX_OK, EX_USAGE (after cli_usage()),
 * EX_DATAERR, EX_NOINPUT, EX_UNAVAILABLE, EX_TEMPFAIL, EX_CONFIG, …
 */
struct cli_command {
	const char	*name;
	int		(*fn)(int argc, char **argv, struct cli *);
	const char	*synopsis;	/* "backup [--force] FILE" */
	const char	*summary;	/* one line for `mistok help` */
	const char	*help;		/* more lines, or NULL */
};

/* The long option every subcommand accepts; its short value is 'J'. */
#define CLI_OPT_JSON	{ "json", no_argument, NULL, 'J' }

/*
 * Loads the config once (-c, $MISTOK_CONFIG, SYSCONFDIR/mistok/mistok.conf)
 * into cli->conf. Returns EX_OK, or EX_CONFIG after printing every
 * "file:line: message" to stderr.
 */
int cli_config(struct cli *);

/*
 * Opens the store named by the config with db_open() flags. Returns EX_OK
 * and *db (close with db_close()), or prints why and returns EX_NOINPUT
 * (no such file), EX_CONFIG or EX_SOFTWARE.
 */
int cli_open_db(struct cli *, int flags, struct db **db);

/* Prints "usage: mistok SYNOPSIS" of cmd to stderr; returns EX_USAGE. */
int cli_usage(const char *cmd);

/* Writes v as pretty JSON on stdout and frees it. */
void cli_print_json(struct json *v);

/* A UTC instant as a JSON string "2026-12-01T14:00:00Z"; 0 gives null. */
struct json *cli_json_time(time_t);

/* An address as {"name": … or null, "email": …}; n of them as an array. */
struct json *cli_json_addr(const struct msg_addr *);
struct json *cli_json_addrs(const struct msg_addr *, size_t n);

int cmd_backup(int, char **, struct cli *);
int cmd_messages(int, char **, struct cli *);
int cmd_status(int, char **, struct cli *);
int cmd_log(int, char **, struct cli *);
int cmd_sync(int, char **, struct cli *);
/* Next steps (mistok_steps.c, mistok_step.c); a step as JSON at now. */
struct step;
int cmd_step(int, char **, struct cli *);
int cmd_steps(int, char **, struct cli *);
struct json *cli_json_step(const struct step *, time_t now);
#define STEP_HELP \
	"--due takes 2026-12-05, 05.12, 5 Dec, 5 грудня, fri, tomorrow, in 3d\n" \
	"and is a day on the owner's calendar (the owner's zone, else the\n" \
	"coordinator's, else the team's). --owner: an address, an organisation\n" \
	"or a contact's name, or me / coordinator (the partnership's\n" \
	"coordinator, also the default). snooze holds the step's reminders:\n" \
	"3d or 2w (until that day), 4h, or a date; the due date stays.\n" \
	"done on a done step says so and exits 0; an unknown partnership,\n" \
	"owner or step exits 65."
/* mistok_outbox.c, mistok_send_test.c: the outbox. */
int cmd_outbox(int, char **, struct cli *);
int cmd_send_test(int, char **, struct cli *);
#define OUTBOX_HELP \
	"Without arguments lists every mail, newest first: id, status,\n" \
	"attempts, next attempt (UTC), dedupe key, recipients, subject and\n" \
	"the last error. retry ID queues a failed, cancelled or queued mail\n" \
	"due now; cancel ID stops a queued or failed one."
/* mistok_followup.c: a follow-up to a partner, and its help text. */
int cmd_followup(int, char **, struct cli *);
#define FOLLOWUP_HELP \
	"Writes the followup template to --to (a contact or an address of the\n" \
	"partnership's organisations; default: the partner who last wrote in\n" \
	"it, else the UA organisation's first contact) in their language, in\n" \
	"answer to their last mail there (Re: its subject), with --message as\n" \
	"the coordinator's words, and queues it; mistokd sends it. --now sends\n" \
	"it from here at once; --dry-run prints the message and queues\n" \
	"nothing. Asked twice on a day, it is queued once. Exit 65 when the\n" \
	"recipient is not in the partnership or marked as bouncing."
/* mistok_template.c: template render|check, and its help text. */
int cmd_template(int, char **, struct cli *);
#define MAILTMPL_HELP \
	"render prints each part of NAME (or --part) rendered with FILE.json\n" \
	"(default: the built-in sample of a template mistok sends) in --lang\n" \
	"(default: the team's language, falling back to the other one).\n" \
	"check loads every template as mistokd does at start-up and renders\n" \
	"the ones mistok sends with their sample data in strict mode; each\n" \
	"problem is printed as FILE:LINE: message and the exit status is 65.\n" \
	"--dir DIR replaces the config's [templates] dir."

/*
 * Triage and reading (mistok_unassigned.c, mistok_assign.c,
 * mistok_show.c). Shared helpers in mistok_show.c: a timeline message as
 * JSON (new object); the zone to show dates in (--tz, else the team's,
 * else UTC; NULL after printing why); an instant as "YYYY-MM-DD HH:MM" in
 * it; s cut to width UTF-8 characters (padded when pad); one message as a
 * terminal line (id, local date, direction arrow, sender, subject, kind).
 */
struct tl_message;
struct tz;
int cmd_assign(int, char **, struct cli *);
int cmd_show(int, char **, struct cli *);
int cmd_unassigned(int, char **, struct cli *);
struct json *cli_json_tl_message(const struct tl_message *);
const struct tz *cli_zone(struct cli *, const char *arg);
void cli_local(const struct tz *, time_t, char *out, size_t len);
void cli_cut(const char *s, int width, int pad);
void cli_tl_line(const struct tz *, const struct tl_message *,
    const char *indent);

/* mistok_digest.c, mistok_remind.c: the scheduler by hand. */
int cmd_digest(int, char **, struct cli *);
int cmd_remind(int, char **, struct cli *);
#define REMIND_HELP_DIGEST \
	"Without --to: the first [team] coordinators address. Prints the\n" \
	"subject and text part, or with --format html the HTML part; --send\n" \
	"queues the mail in the outbox instead (mistokd sends it)."
#define REMIND_HELP \
	"Runs what mistokd's remind module does every minute: queues each due\n" \
	"reminder once (the reminders ledger) and prints one line per mail:\n" \
	"the instant it became due, the recipient, the ledger key. --now\n" \
	"(2026-12-01T09:00:00Z) is a testing aid: it sets the clock."

/* mistok_report.c: the funders' report. */
int cmd_report(int, char **, struct cli *);
#define REPORT_HELP \
	"The days from..to are both included and read in the team's zone;\n" \
	"DATE is 2026-12-31, 31.12.2026, 31 Dec, today, ... (a date without a\n" \
	"year is its last occurrence). --lang sets the labels (default the\n" \
	"team's language); -o writes FILE instead of stdout; --json is\n" \
	"--format json. The HTML page is self-contained and prints cleanly."

/* mistok_meeting.c, mistok_calendar.c: meetings and their feed. */
int cmd_meeting(int, char **, struct cli *);
int cmd_calendar(int, char **, struct cli *);
#define MEETING_HELP \
	"propose SLUG --duration 60m --window A..B [--with EMAIL,...] [--tz Z]\n" \
	"book SLUG --start 2026-03-10T15:00:00Z --duration 60m [--with ...]\n" \
	"     [--title T] [--link URL]   |   book --proposal ID --slot N\n" \
	"reschedule ID --start T [--duration D]   cancel ID\n" \
	"list [--partnership SLUG] [--tz Z] [--json]   show ID [--json]\n" \
	"--with defaults to every contact of the partnership's UA and US\n" \
	"organisations. Mail goes to the outbox; mistokd sends it."

/* The directory commands (mistok_org.c … mistok_export.c). */
int cmd_contact(int, char **, struct cli *);
int cmd_export(int, char **, struct cli *);
int cmd_import(int, char **, struct cli *);
int cmd_org(int, char **, struct cli *);
int cmd_partnership(int, char **, struct cli *);

/* Their help texts, for mistok.c's table. */
#define DIR_HELP_ORG \
	"mistok org add --name N --country UA|US --kind K --tz ZONE --lang uk|en\n" \
	"               [--city C] [--region R] [--domains 'd1 d2'] [--hours H]\n" \
	"mistok org edit NAME-or-ID --FIELD VALUE ...\n" \
	"mistok org list [--json]; mistok org show NAME-or-ID [--json]\n" \
	"Kinds: municipality volunteer diplomatic ngo other. An empty value\n" \
	"clears a field; --hours like \"Mon-Fri 09:00-17:00\"."
#define DIR_HELP_CONTACT \
	"mistok contact add --email A [--emails 'A2 A3'] [--name N] [--org ORG]\n" \
	"               [--role R] [--tz ZONE] [--lang uk|en] [--hours H]\n" \
	"mistok contact edit ADDRESS-NAME-or-ID --FIELD VALUE ...\n" \
	"mistok contact list [--json]; mistok contact show ADDRESS [--json]\n" \
	"mistok contact forget ADDRESS: erase the person and their addresses\n" \
	"and names in stored mail (audit-logged without the address).\n" \
	"Empty --tz, --lang or --hours mean the organisation's."
#define DIR_HELP_PARTNERSHIP \
	"mistok partnership add --slug S --ua ORG --us ORG [--stage STAGE]\n" \
	"               [--coordinator EMAIL] [--started YYYY-MM-DD]\n" \
	"               [--supporting 'ORG;ORG']\n" \
	"mistok partnership edit SLUG-or-ID --FIELD VALUE ...\n" \
	"mistok partnership list [--json]; mistok partnership show SLUG [--json]\n" \
	"Stages: prospect contacted introduced meeting_held planning\n" \
	"joint_projects dormant closed; each change is kept with its date."
#define DIR_HELP_IMPORT \
	"Columns (a header row, any order; optional ones in brackets):\n" \
	"  orgs          name,country,kind,city,region,timezone,language,domains,[hours]\n" \
	"  contacts      name,email,organisation,role,timezone,language,[emails],[hours]\n" \
	"  partnerships  slug,ua_org,us_org,stage,coordinator,started,[supporting_orgs]\n" \
	"A row updates the record with its name, email or slug, else adds one.\n" \
	"The first bad row aborts the whole import (exit 65) with FILE:LINE."

/*
 * Their shared shape (mistok_dir.c). cli_dir_cmd() runs ENTITY add (from
 * --FIELD VALUE / --FIELD=VALUE options named by opts; opts ends with a
 * NULL opt), edit KEY, list, show KEY and the entity's own verb, --json
 * anywhere, and returns a sysexits.h code after printing what happened.
 * cli_dir_find() resolves a NAME-or-ID: EX_OK, EX_NOINPUT (no such
 * record) or EX_SOFTWARE. cli_table() prints rows of ncols cells (NULL
 * shows as "-") under a header, aligned.
 */
struct cli_field_opt {
	const char	*opt;		/* "tz" for --tz */
	const char	*field;		/* the CSV column, "timezone" */
};
struct cli_dir_entity {
	const char	*cmd;		/* "org": the command, for usage */
	const char	*what;		/* "organisation #3 added"; plus an s
					 * in "reading organisations" */
	enum dir_kind	 kind;
	const struct cli_field_opt *opts;	/* add and edit */
	/*
	 * list: the records as an array of size-byte records (freed with
	 * list_free), each as JSON (new object) or a table row: row() sets
	 * ncols cells and may allocate nown strings in own, which the
	 * caller frees; when it returns 1 for some row, note follows.
	 */
	const char *const *header;
	size_t		 ncols;
	size_t		 nown;
	const char	*note;
	size_t		 size;
	int		(*list)(struct db *, void **v, size_t *n);
	void		(*list_free)(void *v, size_t n);
	struct json	*(*json)(const void *rec);
	int		(*row)(const void *rec, const char **cells, char **own);
	/*
	 * show: get() fills a zeroed show_size-byte record and returns 1,
	 * else it leaves nothing to free; show_free() frees its insides.
	 */
	size_t		 show_size;
	int		(*get)(struct db *, int64_t id, void *rec);
	struct json	*(*show_json)(const void *rec);
	void		(*show_text)(const void *rec);
	void		(*show_free)(void *rec);
	/* Or NULL: "ENTITY VERB ARG" on a store opened with DB_MIGRATE. */
	const char	*verb;
	int		(*verb_fn)(struct cli *, struct db *, const char *arg);
};
int cli_dir_cmd(int argc, char **argv, struct cli *,
    const struct cli_dir_entity *);
int cli_dir_find(struct db *, enum dir_kind, const char *key, int64_t *id);
void cli_table(const char *const *header, size_t ncols,
    const char *const *cells, size_t nrows);
/* The JSON shapes of the directory's records (new objects). */
struct json *cli_json_org(const struct dir_org *);
struct json *cli_json_contact(const struct dir_contact *);
struct json *cli_json_partnership(const struct dir_partnership *);

#endif
