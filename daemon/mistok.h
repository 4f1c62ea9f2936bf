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

struct config;
struct db;
struct json;

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

int cmd_backup(int, char **, struct cli *);
int cmd_messages(int, char **, struct cli *);
int cmd_status(int, char **, struct cli *);
int cmd_sync(int, char **, struct cli *);

#endif
