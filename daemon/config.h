/*
 * config: reads mistok.conf (INI) into a struct config. It owns the key
 * table, defaults and value syntax (durations 30s/5m/1h/3d/2w, sizes 50M,
 * hours "Mon-Fri 09:00-17:00"; confval.c), and reads secrets from a 0600
 * file or a password command (secret.c). It never logs or prints a secret;
 * errors name file:line, and every problem of a file is reported.
 */
#ifndef MISTOK_CONFIG_H
#define MISTOK_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

enum tls_mode { TLS_IMPLICIT, TLS_STARTTLS, TLS_NONE };
enum auth_mode { AUTH_PLAIN, AUTH_LOGIN, AUTH_XOAUTH2 };
enum save_sent { SAVE_SENT_AUTO, SAVE_SENT_YES, SAVE_SENT_NO };

/*
 * Working hours: a set of weekday ranges, e.g. "Mon-Thu 09:00-17:00,
 * Fri 09:00-14:00". days: bit 0 = Monday … bit 6 = Sunday. Minutes from
 * local midnight, start < end.
 */
#define HOURS_MAX 7
struct hours {
	int	n;
	struct {
		uint8_t	days;
		int	start;
		int	end;
	} r[HOURS_MAX];
};

/* A server account: [mailbox] and [smtp]. */
struct config_account {
	char		*host;
	int		 port;		/* 993/143 (IMAP), 465/587 (SMTP) */
	enum tls_mode	 tls;
	char		*ca_file;	/* NULL: the system trust store */
	char		*user;
	enum auth_mode	 auth;
	char		*password_file;	/* NULL when unset */
	char		*password_command;
};

struct config {
	char			*path;

	struct config_account	 mailbox;
	char			**folders;	/* NULL-terminated; NULL = default */
	int			 idle;		/* bool */
	int			 poll_interval;	/* seconds */
	int			 alert_after;	/* seconds */
	size_t			 max_message_size; /* bytes */

	struct config_account	 smtp;
	enum save_sent		 save_sent;

	int			 retry_first;	/* seconds */
	int			 retry_max;
	int			 give_up_after;

	char			*team_address;
	char			*team_name;
	char			*team_domain;
	char			*team_tag;
	char			**coordinators;	/* NULL-terminated, lower case */
	char			*team_language;	/* "uk" or "en" */
	char			*team_timezone;	/* IANA; Europe/Kiev → Europe/Kyiv */
	int			 require_authenticated_sender;
	char			*authserv_id;
	int			 command_max_age; /* seconds: 3d; older
						     command mail is never
						     run (a fresh import) */

	struct hours		 ua_hours;
	struct hours		 us_hours;
	int			 relaxed_start;	/* minutes */
	int			 relaxed_end;
	int			 ua_holidays;
	int			 us_holidays;

	char			*holidays_dir;	/* DATADIR/mistok/holidays */

	char			*store_path;
	char			*templates_dir;
	char			*calendar_feed;	/* [calendar] feed; NULL = none */

	/* [remind]: the scheduler (remind.c). Durations in seconds. */
	int			 remind_due_soon;	/* step due in N: 3d */
	int			 remind_quiet_after;	/* no mail: 21d */
	int			 remind_no_answer_after; /* unanswered: 7d */
	int			 remind_overdue_repeat;	/* 3d */
	int			 remind_send_hour;	/* minutes, 09:00 */
	int			 remind_max_catch_up_age; /* 7d */
	int			 remind_digest_day;	/* 0 = Monday … 6 */
	int			 remind_digest_hour;	/* minutes, 08:00 */
};

/*
 * Strings are never NULL except ca_file, password_file, password_command,
 * authserv_id, folders and calendar_feed (NULL when unset). Relative paths
 * in the file are made absolute against the config file's directory. An
 * empty value ("key =") means the key's default. [smtp] takes host, user,
 * auth, ca_file and the password (file or command, as a pair) from
 * [mailbox] when they are unset; its port defaults to 465, or 587 when tls
 * is not implicit.
 */

/*
 * Loads path. On success returns 0 and *out (free with config_free()).
 * On failure returns the number of errors, leaves *out NULL and appends one
 * "file:line: message\n" per problem to errors. An unreadable file is one
 * error "file: strerror".
 */
int config_load(const char *path, struct config **out, struct buf *errors);
void config_free(struct config *);

/*
 * The config path: explicit (from -c) if non-NULL, else $MISTOK_CONFIG,
 * else SYSCONFDIR/mistok/mistok.conf. Returned pointer is static or arg.
 */
const char *config_default_path(const char *explicit_path);

/*
 * Reads the account's secret: password_file (refused when readable by group
 * or others, or not a regular file) or the first line of password_command's
 * output (run with /bin/sh -c, no secret in argv). Returns 0 and *secret
 * (caller frees, and should explicit_bzero it) or -1 with *err (caller
 * frees) that never contains the secret.
 */
int config_secret(const struct config_account *, char **secret, char **err);

/*
 * Value parsers, exposed for tests and other modules (commands by mail).
 * Each returns 0 and fills its output, or -1 (errno EINVAL for bad syntax,
 * ERANGE for overflow) and leaves the output untouched. No white space is
 * allowed inside durations and sizes.
 */
int config_parse_duration(const char *, int *seconds);	/* 30s 5m 1h 3d 2w */
int config_parse_size(const char *, size_t *bytes);	/* 512 10K 50M 1G */
int config_parse_hours(const char *, struct hours *);	/* Mon-Fri 09:00-17:00 */
int config_parse_bool(const char *, int *);		/* yes/no/true/false/on/off/1/0 */
int config_parse_clock(const char *, int *minutes);	/* 09:00 */
int config_parse_weekday(const char *, int *wday);	/* Mon (0) … Sun (6) */
/*
 * Canonical IANA name (Europe/Kiev → Europe/Kyiv) when the system tzdata
 * ($TZDIR or /usr/share/zoneinfo) holds it; NULL when unknown. The result
 * is the argument itself or a static string.
 */
const char *config_canonical_zone(const char *);

/*
 * The key table, for documentation checks and `mistok config`: the i-th
 * key's section and name (static strings). Returns 0, or -1 past the end.
 */
int config_key(size_t i, const char **section, const char **key);

#endif
