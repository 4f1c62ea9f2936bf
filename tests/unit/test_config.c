/* config: INI parsing, defaults, every error at once, secrets, parsers. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "util.h"

static char tmpdir[64];
static int nfiles;

/* Writes text to a new file in tmpdir; returns its path (caller frees). */
static char *
fixture(const char *text)
{
	char *path;
	FILE *fp;

	path = xasprintf("%s/f%d.conf", tmpdir, ++nfiles);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	assert_int_equal(fclose(fp), 0);
	return path;
}

#define REQUIRED_MAILBOX						\
	"[mailbox]\n"							\
	"host = imap.example.org\n"					\
	"user = team@example.org\n"					\
	"password_file = /etc/mistok/secret\n"
#define REQUIRED_TEAM							\
	"[team]\n"							\
	"address = team@example.org\n"					\
	"coordinators = a@example.org\n"

/* Loads text; asserts success and returns the config. */
static struct config *
load_ok(const char *text)
{
	struct config *c = NULL;
	struct buf err;
	char *path = fixture(text);
	int n;

	buf_init(&err);
	n = config_load(path, &c, &err);
	if (n != 0)
		print_error("unexpected errors:\n%s", err.data);
	assert_int_equal(n, 0);
	assert_non_null(c);
	buf_free(&err);
	free(path);
	return c;
}

/*
 * Loads text that must fail; returns the error text with the temporary
 * path replaced by "F" so expectations read "F:3: …" (caller frees).
 */
static char *
load_bad(const char *text, int *nerr)
{
	struct config *c = (struct config *)1;
	struct buf err, out;
	char *path = fixture(text), *s, *hit;
	size_t plen = strlen(path);

	buf_init(&err);
	buf_init(&out);
	*nerr = config_load(path, &c, &err);
	assert_true(*nerr > 0);
	assert_null(c);
	assert_non_null(err.data);
	for (s = err.data; (hit = strstr(s, path)) != NULL; s = hit + plen) {
		buf_add(&out, s, (size_t)(hit - s));
		buf_addc(&out, 'F');
	}
	buf_adds(&out, s);
	buf_free(&err);
	free(path);
	return buf_steal(&out);
}

static size_t
count_lines(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static void
full_file_round_trips_every_key(void **state)
{
	struct config *c = load_ok(
	    "# every key, none at its default\n"
	    "[mailbox]\n"
	    "host = imap.c4c.test\n"
	    "port = 1993\n"
	    "tls = starttls\n"
	    "ca_file = /etc/ssl/private-ca.pem\n"
	    "user = Team@C4C.test\n"
	    "auth = xoauth2\n"
	    "password_command = pass show mistok  # a comment\n"
	    "folders = INBOX, Sent Items ,Archive/2026\n"
	    "idle = no\n"
	    "poll_interval = 2m\n"
	    "alert_after = 2h\n"
	    "max_message_size = 10K\n"
	    "\n"
	    "; smtp differs from the mailbox\n"
	    "[smtp]\n"
	    "host = smtp.c4c.test\n"
	    "port = 2525\n"
	    "tls = none\n"
	    "ca_file = rel/ca.pem\n"
	    "user = sender\n"
	    "auth = login\n"
	    "password_file = /run/smtp.pw\n"
	    "save_sent = no\n"
	    "[outbox]\n"
	    "retry_first = 30s\n"
	    "retry_max = 1d\n"
	    "give_up_after = 2w\n"
	    "[team]\n"
	    "address = team@c4c.test\n"
	    "name = Cities4Cities\n"
	    "domain = mail.c4c.test\n"
	    "tag = C4C\n"
	    "coordinators = A@c4c.test, b@Partner.org\n"
	    "language = EN\n"
	    "timezone = America/New_York\n"
	    "require_authenticated_sender = yes\n"
	    "authserv_id = mx.c4c.test\n"
	    "[schedule]\n"
	    "ua_hours = Mon-Thu 08:00-17:00, Fri 08:00-14:00\n"
	    "us_hours = Sun 10:00-12:00\n"
	    "relaxed_hours = 07:30-21:00\n"
	    "ua_holidays = yes\n"
	    "us_holidays = off\n"
	    "holidays_dir = /srv/holidays\n"
	    "[store]\n"
	    "path = /srv/mistok.db\n"
	    "[templates]\n"
	    "dir = /srv/templates\n"
	    "[calendar]\n"
	    "feed = /srv/www/mistok.ics\n");
	char *rel = xasprintf("%s/rel/ca.pem", tmpdir);

	assert_string_equal(c->mailbox.host, "imap.c4c.test");
	assert_int_equal(c->mailbox.port, 1993);
	assert_int_equal(c->mailbox.tls, TLS_STARTTLS);
	assert_string_equal(c->mailbox.ca_file, "/etc/ssl/private-ca.pem");
	assert_string_equal(c->mailbox.user, "Team@C4C.test");
	assert_int_equal(c->mailbox.auth, AUTH_XOAUTH2);
	assert_null(c->mailbox.password_file);
	assert_string_equal(c->mailbox.password_command, "pass show mistok");
	assert_non_null(c->folders);
	assert_string_equal(c->folders[0], "INBOX");
	assert_string_equal(c->folders[1], "Sent Items");
	assert_string_equal(c->folders[2], "Archive/2026");
	assert_null(c->folders[3]);
	assert_int_equal(c->idle, 0);
	assert_int_equal(c->poll_interval, 120);
	assert_int_equal(c->alert_after, 7200);
	assert_int_equal(c->max_message_size, 10240);

	assert_string_equal(c->smtp.host, "smtp.c4c.test");
	assert_int_equal(c->smtp.port, 2525);
	assert_int_equal(c->smtp.tls, TLS_NONE);
	assert_string_equal(c->smtp.ca_file, rel);	/* next to the file */
	assert_string_equal(c->smtp.user, "sender");
	assert_int_equal(c->smtp.auth, AUTH_LOGIN);
	assert_string_equal(c->smtp.password_file, "/run/smtp.pw");
	assert_null(c->smtp.password_command);	/* not inherited */
	assert_int_equal(c->save_sent, SAVE_SENT_NO);

	assert_int_equal(c->retry_first, 30);
	assert_int_equal(c->retry_max, 86400);
	assert_int_equal(c->give_up_after, 14 * 86400);

	assert_string_equal(c->team_address, "team@c4c.test");
	assert_string_equal(c->team_name, "Cities4Cities");
	assert_string_equal(c->team_domain, "mail.c4c.test");
	assert_string_equal(c->team_tag, "C4C");
	assert_string_equal(c->coordinators[0], "a@c4c.test");
	assert_string_equal(c->coordinators[1], "b@partner.org");
	assert_null(c->coordinators[2]);
	assert_string_equal(c->team_language, "en");
	assert_string_equal(c->team_timezone, "America/New_York");
	assert_int_equal(c->require_authenticated_sender, 1);
	assert_string_equal(c->authserv_id, "mx.c4c.test");

	assert_int_equal(c->ua_hours.n, 2);
	assert_int_equal(c->ua_hours.r[0].days, 0x0f);
	assert_int_equal(c->ua_hours.r[0].start, 8 * 60);
	assert_int_equal(c->ua_hours.r[0].end, 17 * 60);
	assert_int_equal(c->ua_hours.r[1].days, 0x10);
	assert_int_equal(c->ua_hours.r[1].end, 14 * 60);
	assert_int_equal(c->us_hours.n, 1);
	assert_int_equal(c->us_hours.r[0].days, 0x40);
	assert_int_equal(c->relaxed_start, 7 * 60 + 30);
	assert_int_equal(c->relaxed_end, 21 * 60);
	assert_int_equal(c->ua_holidays, 1);
	assert_int_equal(c->us_holidays, 0);
	assert_string_equal(c->holidays_dir, "/srv/holidays");
	assert_string_equal(c->store_path, "/srv/mistok.db");
	assert_string_equal(c->templates_dir, "/srv/templates");
	assert_string_equal(c->calendar_feed, "/srv/www/mistok.ics");
	free(rel);
	config_free(c);
}

static void
defaults_applied(void **state)
{
	struct config *c = load_ok(REQUIRED_MAILBOX REQUIRED_TEAM
	    "[smtp]\n"
	    "tls = starttls\n"
	    "ca_file =        # empty: the default\n");

	assert_int_equal(c->mailbox.port, 993);
	assert_int_equal(c->mailbox.tls, TLS_IMPLICIT);
	assert_null(c->mailbox.ca_file);
	assert_int_equal(c->mailbox.auth, AUTH_PLAIN);
	assert_null(c->folders);
	assert_int_equal(c->idle, 1);
	assert_int_equal(c->poll_interval, 60);
	assert_int_equal(c->alert_after, 3600);
	assert_int_equal(c->max_message_size, 50 * 1024 * 1024);
	/* [smtp] takes the mailbox account; port follows tls. */
	assert_string_equal(c->smtp.host, "imap.example.org");
	assert_string_equal(c->smtp.user, "team@example.org");
	assert_string_equal(c->smtp.password_file, "/etc/mistok/secret");
	assert_int_equal(c->smtp.tls, TLS_STARTTLS);
	assert_int_equal(c->smtp.port, 587);
	assert_int_equal(c->save_sent, SAVE_SENT_AUTO);
	assert_int_equal(c->retry_first, 60);
	assert_int_equal(c->retry_max, 6 * 3600);
	assert_int_equal(c->give_up_after, 3 * 86400);
	assert_string_equal(c->team_domain, "example.org");
	assert_string_equal(c->team_name, "mistok");
	assert_string_equal(c->team_tag, "mistok");
	assert_string_equal(c->team_language, "uk");
	assert_string_equal(c->team_timezone, "Europe/Kyiv");
	assert_int_equal(c->require_authenticated_sender, 0);
	assert_null(c->authserv_id);
	assert_int_equal(c->ua_hours.n, 1);
	assert_int_equal(c->ua_hours.r[0].days, 0x1f);
	assert_int_equal(c->ua_hours.r[0].start, 9 * 60);
	assert_int_equal(c->ua_hours.r[0].end, 18 * 60);
	assert_int_equal(c->us_hours.r[0].end, 17 * 60);
	assert_int_equal(c->relaxed_start, 8 * 60);
	assert_int_equal(c->relaxed_end, 20 * 60);
	assert_int_equal(c->ua_holidays, 0);
	assert_int_equal(c->us_holidays, 1);
	assert_string_equal(c->store_path, "/var/lib/mistok/mistok.db");
	assert_string_equal(c->templates_dir, DATADIR "/mistok/templates");
	assert_string_equal(c->holidays_dir, DATADIR "/mistok/holidays");
	assert_null(c->calendar_feed);
	config_free(c);

	/* Default ports for the other tls modes. */
	c = load_ok(REQUIRED_TEAM REQUIRED_MAILBOX "tls = none\n"
	    "[smtp]\nhost = smtp.example.org\n");
	assert_int_equal(c->mailbox.port, 143);
	assert_int_equal(c->smtp.port, 465);
	assert_string_equal(c->smtp.host, "smtp.example.org");
	config_free(c);
}

/* One bad line: the error names the right line and says what is wrong. */
static void
each_error_names_file_and_line(void **state)
{
	static const struct {
		const char	*text;
		const char	*want;
	} cases[] = {
		{ "[mailbx]\nhost = x\n", "F:1: unknown section [mailbx]; "
		    "did you mean [mailbox]?" },
		{ "[frobnicate]\n", "F:1: unknown section [frobnicate]\n" },
		{ "[team]\n\ncoordinator = a@b.c\n", "F:3: unknown key "
		    "[team] coordinator; did you mean coordinators?" },
		{ "[team]\nhost = x\n", "F:2: unknown key [team] host; it "
		    "belongs in [mailbox]" },
		{ "[team]\nbogus_thing = 1\n", "F:2: unknown key [team] "
		    "bogus_thing\n" },
		{ "[store]\npath = /a\n# c\npath = /b\n", "F:4: duplicate key "
		    "[store] path (first set on line 2)" },
		{ "[mailbox]\nport = 70000\n", "F:2: [mailbox] port: \"70000\" "
		    "is not a port number (1-65535)" },
		{ "[mailbox]\nport = 0\n", "F:2: [mailbox] port: \"0\" is "
		    "not" },
		{ "[mailbox]\ntls = ssl\n", "F:2: [mailbox] tls: \"ssl\" is "
		    "not "
		    "one of implicit, starttls, none" },
		{ "[smtp]\nauth = cram\n", "F:2: [smtp] auth: \"cram\" is not "
		    "one of plain, login, xoauth2" },
		{ "[smtp]\nsave_sent = maybe\n", "F:2: [smtp] save_sent: " },
		{ "[mailbox]\nidle = perhaps\n", "F:2: [mailbox] idle: "
		    "\"perhaps\" is not yes or no" },
		{ "[outbox]\nretry_first = 5x\n", "F:2: [outbox] retry_first: "
		    "\"5x\" is not a duration" },
		{ "[outbox]\nretry_first = 0s\n", "F:2: [outbox] retry_first: "
		    "\"0s\" is not a duration from 1s" },
		{ "[mailbox]\nmax_message_size = 5T\n", "F:2: [mailbox] "
		    "max_message_size: \"5T\" is not a size" },
		{ "[schedule]\nus_hours = Mon-Fri 9-17\n", "F:2: [schedule] "
		    "us_hours: \"Mon-Fri 9-17\" is not working hours" },
		{ "[schedule]\nrelaxed_hours = 20:00-08:00\n", "F:2: [schedule]"
		    " relaxed_hours: " },
		{ "[team]\nlanguage = de\n", "F:2: [team] language: \"de\" is "
		    "not uk or en" },
		{ "[team]\ntimezone = Europe/Atlantis\n", "F:2: [team] "
		    "timezone: \"Europe/Atlantis\" is not a time zone of the "
		    "system tzdata" },
		{ "[team]\ntimezone = ../../etc/passwd\n", "F:2: [team] "
		    "timezone: \"../../etc/passwd\" is not a time zone" },
		{ "[team]\ntimezone = zone.tab\n", "F:2: [team] timezone: "
		    "\"zone.tab\" is not a time zone" },
		{ "[team]\naddress = team.example.org\n", "F:2: [team] "
		    "address: \"team.example.org\" is not a mail address" },
		{ "[team]\ncoordinators = a@b.c, Bob <b@c.d>\n", "F:2: [team] "
		    "coordinators: \"bob <b@c.d>\" is not a mail address" },
		{ "[team]\ncoordinators = a@b.c,,d@e.f\n", "F:2: [team] "
		    "coordinators: \"a@b.c,,d@e.f\" is not a comma-separated" },
		{ "[team]\ntag = C4C+1\n", "F:2: [team] tag: \"C4C+1\" is" },
		{ "[team]\ntag = [C4C]\n", "F:2: [team] tag: \"[C4C]\" is" },
		{ "[team]\ndomain = -bad..org\n", "F:2: [team] domain: " },
		{ "[mailbox]\n\nhost imap.example.org\n", "F:3: expected "
		    "\"key = value\"" },
		{ "# top\nhost = x\n", "F:2: key outside any section" },
		{ "[team]\n = x\n", "F:2: missing key before '='" },
		{ "[team\n", "F:1: section header without ']'" },
		{ "[team] x\n", "F:1: text after section header" },
		{ "[mailbox]\npassword_file = /a\n\npassword_command = b\n",
		    "F:4: [mailbox] password_file and password_command are "
		    "both set; use one" },
		{ "[smtp]\npassword_command = b\npassword_file = /a\n",
		    "F:3: [smtp] password_file and password_command are "
		    "both set" },
		{ "[outbox]\nretry_first = 1h\nretry_max = 5m\n", "F:3: "
		    "[outbox] retry_max is shorter than retry_first" },
		{ "[team]\nrequire_authenticated_sender = yes\n", "F:2: [team] "
		    "require_authenticated_sender needs authserv_id" },
	};
	size_t i;
	char *e;
	int n;

	for (i = 0; i < nitems(cases); i++) {
		e = load_bad(cases[i].text, &n);
		if (strstr(e, cases[i].want) == NULL)
			fail_msg("case %zu: want \"%s\" in:\n%s", i,
			    cases[i].want, e);
		free(e);
	}
}

static void
missing_required_keys(void **state)
{
	char *e;
	int n;

	e = load_bad("[store]\npath = /x\n", &n);
	assert_non_null(strstr(e, "F: missing key [mailbox] host\n"));
	assert_non_null(strstr(e, "F: missing key [mailbox] user\n"));
	assert_non_null(strstr(e, "F: missing key [mailbox] password_file "
	    "or password_command\n"));
	assert_non_null(strstr(e, "F: missing key [team] address\n"));
	assert_non_null(strstr(e, "F: missing key [team] coordinators\n"));
	assert_int_equal(n, 5);
	assert_int_equal(count_lines(e), 5);
	free(e);

	/* An empty value is no value. */
	e = load_bad(REQUIRED_MAILBOX "[team]\naddress =\n"
	    "coordinators = a@b.c\n", &n);
	assert_string_equal(e, "F: missing key [team] address\n");
	assert_int_equal(n, 1);
	free(e);
}

static void
all_errors_reported_at_once(void **state)
{
	char *e;
	int n;

	e = load_bad(REQUIRED_MAILBOX REQUIRED_TEAM
	    "port = 993\n"			/* line 8: not a [team] key */
	    "[schedule]\n"
	    "ua_hours = Mon-Fri 09:00-25:00\n"	/* 10 */
	    "[outbox]\n"
	    "retry_max = forever\n"		/* 12 */
	    "retry_max = 1h\n"			/* 13 */
	    "[nowhere]\n"			/* 14 */
	    "key = ignored in an unknown section\n", &n);
	assert_int_equal(n, 5);
	assert_int_equal(count_lines(e), 5);
	assert_non_null(strstr(e, "F:8: unknown key [team] port; it belongs "
	    "in [mailbox]\n"));
	assert_non_null(strstr(e, "F:10: [schedule] ua_hours:"));
	assert_non_null(strstr(e, "F:12: [outbox] retry_max: \"forever\""));
	assert_non_null(strstr(e, "F:13: duplicate key [outbox] retry_max "
	    "(first set on line 12)\n"));
	assert_non_null(strstr(e, "F:14: unknown section [nowhere]\n"));
	free(e);
}

static void
unreadable_file_is_one_error(void **state)
{
	struct config *c = (struct config *)1;
	struct buf err;
	char *path = xasprintf("%s/does-not-exist.conf", tmpdir), *want;

	buf_init(&err);
	assert_int_equal(config_load(path, &c, &err), 1);
	assert_null(c);
	want = xasprintf("%s: %s\n", path, strerror(ENOENT));
	assert_string_equal(err.data, want);
	free(want);
	buf_reset(&err);
	assert_int_equal(config_load(tmpdir, &c, &err), 1);
	assert_non_null(strstr(err.data, strerror(EISDIR)));
	buf_free(&err);
	free(path);
}

static void
syntax_details(void **state)
{
	struct config *c;

	/* BOM, CRLF, tabs, both comment styles, trailing comments. */
	c = load_ok("\xef\xbb\xbf; generated on Windows\r\n"
	    "[mailbox]   # the team mailbox\r\n"
	    "\thost\t=\timap.example.org\t\r\n"
	    "user=team@example.org\r\n"
	    "password_command = cat /x#y  ;not a comment\r\n"
	    "folders =    # default\r\n"
	    REQUIRED_TEAM);
	assert_string_equal(c->mailbox.host, "imap.example.org");
	assert_string_equal(c->mailbox.password_command,
	    "cat /x#y  ;not a comment");
	assert_null(c->folders);
	config_free(c);
}

static void
password_file_mode_checked(void **state)
{
	struct config_account a;
	char *secret, *err, *path;
	FILE *fp;

	memset(&a, 0, sizeof(a));
	a.user = "team@example.org";
	path = xasprintf("%s/pw", tmpdir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("s3cr3t-Пароль\nsecond line\n", fp);
	fclose(fp);
	a.password_file = path;

	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(config_secret(&a, &secret, &err), -1);
	assert_null(secret);
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, "is readable by group or others "
	    "(mode 0644); chmod 600 it"));
	assert_null(strstr(err, "s3cr3t"));
	free(err);

	assert_int_equal(chmod(path, 0620), 0);
	assert_int_equal(config_secret(&a, &secret, &err), -1);
	assert_non_null(strstr(err, "writable by group or others (mode 0620)"));
	free(err);

	assert_int_equal(chmod(path, 0600), 0);
	assert_int_equal(config_secret(&a, &secret, &err), 0);
	assert_null(err);
	assert_string_equal(secret, "s3cr3t-Пароль");
	free(secret);

	/* CRLF and no final newline. */
	fp = fopen(path, "w");
	fputs("tok\r\n", fp);
	fclose(fp);
	assert_int_equal(config_secret(&a, &secret, &err), 0);
	assert_string_equal(secret, "tok");
	free(secret);

	fp = fopen(path, "w");
	fclose(fp);
	assert_int_equal(config_secret(&a, &secret, &err), -1);
	assert_non_null(strstr(err, "is empty"));
	free(err);

	a.password_file = tmpdir;	/* a directory */
	assert_int_equal(config_secret(&a, &secret, &err), -1);
	assert_non_null(strstr(err, "not a regular file"));
	free(err);

	a.password_file = NULL;
	assert_int_equal(config_secret(&a, &secret, &err), -1);
	assert_non_null(strstr(err, "no password_file or password_command"));
	free(err);
	unlink(path);
	free(path);
}

static void
password_command_read_and_failure_refused(void **state)
{
	struct config_account a;
	char *secret, *err;

	memset(&a, 0, sizeof(a));
	a.user = "team@example.org";
	a.password_command = "printf 'tok-123\\nignored\\n'";
	assert_int_equal(config_secret(&a, &secret, &err), 0);
	assert_null(err);
	assert_string_equal(secret, "tok-123");
	free(secret);

	/* Large output: the first line still comes through, no SIGPIPE. */
	a.password_command =
	    "echo first; head -c 200000 /dev/zero | tr '\\0' x";
	assert_int_equal(config_secret(&a, &secret, &err), 0);
	assert_string_equal(secret, "first");
	free(secret);

	a.password_command = "echo leaked-secret; exit 3";
	assert_int_equal(config_secret(&a, &secret, &err), -1);
	assert_null(secret);
	assert_non_null(strstr(err, "exited with status 3"));
	assert_null(strstr(err, "leaked"));
	free(err);

	a.password_command = "kill -TERM $$";
	assert_int_equal(config_secret(&a, &secret, &err), -1);
	assert_non_null(strstr(err, "killed by signal 15"));
	free(err);

	a.password_command = "true";
	assert_int_equal(config_secret(&a, &secret, &err), -1);
	assert_non_null(strstr(err, "printed nothing"));
	free(err);
}

static void
duration_parser(void **state)
{
	static const struct {
		const char	*s;
		int		 want;	/* -1 EINVAL, -2 ERANGE */
	} cases[] = {
		{ "30s", 30 }, { "5m", 300 }, { "1h", 3600 }, { "3d", 259200 },
		{ "2w", 1209600 }, { "90", 90 }, { "0s", 0 }, { "1h30m", 5400 },
		{ "2147483647", INT_MAX }, { "2147483647s", INT_MAX },
		{ "2147483648", -2 }, { "3551w", -2 }, { "24856d", -2 },
		{ "24855d", 24855 * 86400 }, { "24855d4h", -2 },
		{ "99999999999999999999s", -2 },
		{ "", -1 }, { "s", -1 }, { "5", 5 }, { "5x", -1 },
		{ "-5m", -1 }, { "+5m", -1 }, { "5 m", -1 }, { " 5m", -1 },
		{ "5M", -1 }, { "1h30", -1 }, { "1.5h", -1 }, { "5mm", -1 },
	};
	size_t i;
	int v;

	for (i = 0; i < nitems(cases); i++) {
		v = -77;
		errno = 0;
		if (cases[i].want >= 0) {
			if (config_parse_duration(cases[i].s, &v) != 0 ||
			    v != cases[i].want)
				fail_msg("\"%s\": got %d, want %d", cases[i].s,
				    v, cases[i].want);
		} else if (config_parse_duration(cases[i].s, &v) != -1 ||
		    v != -77 || errno != (cases[i].want == -1 ? EINVAL :
		    ERANGE))
			fail_msg("\"%s\": accepted or wrong errno %d",
			    cases[i].s, errno);
	}
}

static void
size_parser(void **state)
{
	size_t v;

	assert_int_equal(config_parse_size("512", &v), 0);
	assert_int_equal(v, 512);
	assert_int_equal(config_parse_size("10K", &v), 0);
	assert_int_equal(v, 10240);
	assert_int_equal(config_parse_size("50M", &v), 0);
	assert_int_equal(v, 50u << 20);
	assert_int_equal(config_parse_size("1G", &v), 0);
	assert_int_equal(v, 1u << 30);
	assert_int_equal(config_parse_size("2mb", &v), 0);
	assert_int_equal(v, 2u << 20);
	assert_int_equal(config_parse_size("0", &v), 0);
	assert_int_equal(v, 0);
	v = 7;
	assert_int_equal(config_parse_size("18446744073709551615", &v), 0);
	assert_true(v == SIZE_MAX);
	v = 7;
	errno = 0;
	assert_int_equal(config_parse_size("18446744073709551616", &v), -1);
	assert_int_equal(errno, ERANGE);
	assert_int_equal(config_parse_size("17179869184G", &v), -1);
	assert_int_equal(errno, ERANGE);
	assert_int_equal(v, 7);
	assert_int_equal(config_parse_size("", &v), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(config_parse_size("M", &v), -1);
	assert_int_equal(config_parse_size("5T", &v), -1);
	assert_int_equal(config_parse_size("5 M", &v), -1);
	assert_int_equal(config_parse_size("-5M", &v), -1);
	assert_int_equal(config_parse_size("5MK", &v), -1);
	assert_int_equal(v, 7);
}

static void
hours_parser(void **state)
{
	struct hours h;
	int b;

	assert_int_equal(config_parse_hours("Mon-Fri 09:00-17:00", &h), 0);
	assert_int_equal(h.n, 1);
	assert_int_equal(h.r[0].days, 0x1f);
	assert_int_equal(h.r[0].start, 540);
	assert_int_equal(h.r[0].end, 1020);

	assert_int_equal(config_parse_hours(
	    "mon-thu 9:00 - 17:30,  FRI 09:00-14:00,Sat 00:00-24:00", &h), 0);
	assert_int_equal(h.n, 3);
	assert_int_equal(h.r[0].days, 0x0f);
	assert_int_equal(h.r[0].end, 17 * 60 + 30);
	assert_int_equal(h.r[1].days, 0x10);
	assert_int_equal(h.r[2].days, 0x20);
	assert_int_equal(h.r[2].start, 0);
	assert_int_equal(h.r[2].end, 1440);

	/* Sun-Thu wraps round the week end. */
	assert_int_equal(config_parse_hours("Sun-Thu 08:00-16:00", &h), 0);
	assert_int_equal(h.r[0].days, 0x40 | 0x0f);

	assert_int_equal(config_parse_hours("Mon 1:00-2:00, Tue 1:00-2:00, "
	    "Wed 1:00-2:00, Thu 1:00-2:00, Fri 1:00-2:00, Sat 1:00-2:00, "
	    "Sun 1:00-2:00", &h), 0);
	assert_int_equal(h.n, HOURS_MAX);
	errno = 0;
	assert_int_equal(config_parse_hours("Mon 1:00-2:00, Tue 1:00-2:00, "
	    "Wed 1:00-2:00, Thu 1:00-2:00, Fri 1:00-2:00, Sat 1:00-2:00, "
	    "Sun 1:00-2:00, Mon 3:00-4:00", &h), -1);
	assert_int_equal(errno, ERANGE);

	static const char *bad[] = {
		"", "09:00-17:00", "Mon-Fri", "Mon-Fri 09:00", "Mon-Fri 9-17",
		"Mon-Fri 17:00-09:00", "Mon-Fri 09:00-09:00",
		"Mon-Fri 09:00-24:01", "Mon-Fri 24:00-24:00",
		"Mon-Fri 09:60-17:00", "Mon-Fri 009:00-17:00",
		"Mon-Fri 09:0-17:00", "Mon-Fri 09:00-17:00,",
		"Mon-Fri 09:00-17:00 extra", "Monday 09:00-17:00",
		"Mon-Fry 09:00-17:00", "Mon-Fri09:00-17:00", "Mo 09:00-17:00",
		"Mon-Fri 09:00-17:00,, Sat 10:00-12:00",
		"Mon-Fri 99999999999999999999:00-17:00",
	};
	size_t i;

	for (i = 0; i < nitems(bad); i++) {
		h.n = 42;
		if (config_parse_hours(bad[i], &h) != -1 || h.n != 42)
			fail_msg("accepted bad hours \"%s\"", bad[i]);
	}

	assert_int_equal(config_parse_bool("Yes", &b), 0);
	assert_int_equal(b, 1);
	assert_int_equal(config_parse_bool("off", &b), 0);
	assert_int_equal(b, 0);
	assert_int_equal(config_parse_bool("2", &b), -1);
}

static void
kiev_canonicalised(void **state)
{
	struct config *c;
	const char *z;

	assert_string_equal(config_canonical_zone("Europe/Kiev"),
	    "Europe/Kyiv");
	z = "America/Phoenix";
	assert_ptr_equal(config_canonical_zone(z), z);
	assert_non_null(config_canonical_zone("UTC"));
	assert_null(config_canonical_zone("Europe"));	/* a directory */
	assert_null(config_canonical_zone("Europe/Kyyiv"));
	assert_null(config_canonical_zone("/etc/passwd"));
	assert_null(config_canonical_zone("../zoneinfo/UTC"));
	assert_null(config_canonical_zone("tzdata.zi"));
	assert_null(config_canonical_zone(""));
	assert_null(config_canonical_zone(NULL));

	c = load_ok(REQUIRED_MAILBOX REQUIRED_TEAM
	    "timezone = Europe/Kiev\n");
	assert_string_equal(c->team_timezone, "Europe/Kyiv");
	config_free(c);
}

static void
default_path_from_environment(void **state)
{
	unsetenv("MISTOK_CONFIG");
	assert_string_equal(config_default_path(NULL),
	    SYSCONFDIR "/mistok/mistok.conf");
	setenv("MISTOK_CONFIG", "/tmp/elsewhere.conf", 1);
	assert_string_equal(config_default_path(NULL), "/tmp/elsewhere.conf");
	assert_string_equal(config_default_path("/x/-c.conf"), "/x/-c.conf");
	setenv("MISTOK_CONFIG", "", 1);
	assert_string_equal(config_default_path(NULL),
	    SYSCONFDIR "/mistok/mistok.conf");
	unsetenv("MISTOK_CONFIG");
}

static char *
top_path(const char *rel)
{
	const char *top = getenv("TOP");

	return xasprintf("%s/%s", top && *top ? top : ".", rel);
}

/* Reads a whole file; caller frees. */
static char *
slurp(const char *path)
{
	struct buf b;
	char chunk[4096];
	size_t n;
	FILE *fp = fopen(path, "r");

	if (fp == NULL)
		fail_msg("cannot open %s (set TOP to the source tree)", path);
	buf_init(&b);
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		buf_add(&b, chunk, n);
	fclose(fp);
	return buf_steal(&b);
}

/*
 * The example loads as-is, names every key in its section, and the values
 * it shows are the real defaults (except the required keys, which it fills
 * with example values).
 */
static void
example_is_valid_and_complete(void **state)
{
	struct config *c = NULL, *d;
	struct buf err;
	char *path = top_path("config/mistok.conf.example"), *text, *want;
	const char *sec, *key;
	size_t i;

	buf_init(&err);
	if (config_load(path, &c, &err) != 0)
		fail_msg("example does not load:\n%s", err.data);
	buf_free(&err);
	text = slurp(path);
	for (i = 0; config_key(i, &sec, &key) == 0; i++) {
		char *at, *next;

		want = xasprintf("\n[%s]", sec);
		if ((at = strstr(text, want)) == NULL)
			fail_msg("example lacks [%s]", sec);
		free(want);
		next = strstr(at + 1, "\n[");
		want = xasprintf("\n%s =", key);	/* may be empty */
		at = strstr(at, want);
		if (at == NULL || (next != NULL && at > next))
			fail_msg("example lacks [%s] %s", sec, key);
		free(want);
	}
	free(text);

	d = load_ok(REQUIRED_MAILBOX REQUIRED_TEAM);
	assert_int_equal(c->mailbox.port, d->mailbox.port);
	assert_int_equal(c->mailbox.tls, d->mailbox.tls);
	assert_int_equal(c->mailbox.auth, d->mailbox.auth);
	assert_null(c->mailbox.ca_file);
	assert_null(c->folders);
	assert_int_equal(c->idle, d->idle);
	assert_int_equal(c->poll_interval, d->poll_interval);
	assert_int_equal(c->alert_after, d->alert_after);
	assert_int_equal(c->max_message_size, d->max_message_size);
	assert_int_equal(c->smtp.port, d->smtp.port);
	assert_int_equal(c->smtp.tls, d->smtp.tls);
	assert_string_equal(c->smtp.host, c->mailbox.host);
	assert_int_equal(c->save_sent, d->save_sent);
	assert_int_equal(c->retry_first, d->retry_first);
	assert_int_equal(c->retry_max, d->retry_max);
	assert_int_equal(c->give_up_after, d->give_up_after);
	assert_string_equal(c->team_language, d->team_language);
	assert_string_equal(c->team_timezone, d->team_timezone);
	assert_int_equal(c->require_authenticated_sender,
	    d->require_authenticated_sender);
	assert_memory_equal(&c->ua_hours, &d->ua_hours, sizeof(c->ua_hours));
	assert_memory_equal(&c->us_hours, &d->us_hours, sizeof(c->us_hours));
	assert_int_equal(c->relaxed_start, d->relaxed_start);
	assert_int_equal(c->relaxed_end, d->relaxed_end);
	assert_int_equal(c->ua_holidays, d->ua_holidays);
	assert_int_equal(c->us_holidays, d->us_holidays);
	assert_string_equal(c->store_path, d->store_path);
	assert_null(c->calendar_feed);
	config_free(c);
	config_free(d);
	free(path);
}

/* The manual page names every section and key. */
static void
manual_names_every_key(void **state)
{
	char *path = top_path("contrib/man/mistok.conf.5"), *text, *want;
	const char *sec, *key;
	size_t i;

	text = slurp(path);
	for (i = 0; config_key(i, &sec, &key) == 0; i++) {
		want = xasprintf("\n.It Ic %s", key);
		if (strstr(text, want) == NULL)
			fail_msg("manual lacks key %s", key);
		free(want);
		want = xasprintf("\n.Ss [%s]", sec);
		if (strstr(text, want) == NULL)
			fail_msg("manual lacks section [%s]", sec);
		free(want);
	}
	free(text);
	free(path);
}

static int
setup(void **state)
{
	strcpy(tmpdir, "/tmp/test_config.XXXXXX");
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	char *cmd = xasprintf("rm -rf '%s'", tmpdir);
	int rc = system(cmd);

	free(cmd);
	return rc == 0 ? 0 : -1;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(full_file_round_trips_every_key),
		cmocka_unit_test(defaults_applied),
		cmocka_unit_test(each_error_names_file_and_line),
		cmocka_unit_test(missing_required_keys),
		cmocka_unit_test(all_errors_reported_at_once),
		cmocka_unit_test(unreadable_file_is_one_error),
		cmocka_unit_test(syntax_details),
		cmocka_unit_test(password_file_mode_checked),
		cmocka_unit_test(password_command_read_and_failure_refused),
		cmocka_unit_test(duration_parser),
		cmocka_unit_test(size_parser),
		cmocka_unit_test(hours_parser),
		cmocka_unit_test(kiev_canonicalised),
		cmocka_unit_test(default_path_from_environment),
		cmocka_unit_test(example_is_valid_and_complete),
		cmocka_unit_test(manual_names_every_key),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
