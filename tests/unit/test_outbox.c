/*
 * outbox + smtp against a scripted SMTP server forked on loopback (plain
 * SMTP, no AUTH): dedupe, the state machine, 4xx/5xx, backoff bounds,
 * give up, recovery from 'sending', one failure notice, connection reuse,
 * per-recipient refusals, session failures, retry/cancel rules.
 */
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "db.h"
#include "log.h"
#include "mime.h"
#include "outbox.h"
#include "smtp.h"
#include "util.h"

static char dir[] = "/tmp/mistok-test-outbox.XXXXXX";
static char dbpath[256], capture[256];
static struct db *db;
static struct config conf;
static char *templates;
static char *coords[] = { "olena@c4c.test", "mark@c4c.test", NULL };
static pid_t srv_pid;
static int srv_port;

/* The server: RCPT to <bad…> always gets 550; others rcpt_code. */
static void
serve(int ls, int rcpt_code, int data_code)
{
	char line[1024];
	FILE *in, *out, *cap;
	int fd, indata;

	for (;;) {
		if ((fd = accept(ls, NULL, NULL)) == -1)
			_exit(1);
		in = fdopen(fd, "r");
		out = fdopen(dup(fd), "w");
		fprintf(out, "220 test ESMTP\r\n");
		fflush(out);
		indata = 0;
		cap = NULL;
		while (fgets(line, sizeof(line), in) != NULL) {
			if (indata) {
				if (strcmp(line, ".\r\n") == 0) {
					indata = 0;
					fclose(cap);
					fprintf(out, "%d done\r\n", data_code);
				} else
					fputs(line, cap);
			} else if (strncasecmp(line, "EHLO", 4) == 0)
				fprintf(out, "250-test\r\n250 8BITMIME\r\n");
			else if (strncasecmp(line, "MAIL", 4) == 0 ||
			    strncasecmp(line, "RSET", 4) == 0)
				fprintf(out, "250 ok\r\n");
			else if (strncasecmp(line, "RCPT TO:<bad", 12) == 0)
				fprintf(out, "550 5.1.1 no such user\r\n");
			else if (strncasecmp(line, "RCPT", 4) == 0)
				fprintf(out, "%d rcpt\r\n", rcpt_code);
			else if (strncasecmp(line, "DATA", 4) == 0) {
				indata = 1;
				cap = fopen(capture, "a");
				fprintf(cap, "X-Connection: %d\r\n", fd);
				fprintf(out, "354 go\r\n");
			} else if (strncasecmp(line, "QUIT", 4) == 0) {
				fprintf(out, "221 bye\r\n");
				fflush(out);
				break;
			} else
				fprintf(out, "502 what\r\n");
			fflush(out);
		}
		fclose(in);
		fclose(out);
	}
}

static void
srv_stop(void)
{
	if (srv_pid > 0) {
		kill(srv_pid, SIGKILL);
		waitpid(srv_pid, NULL, 0);
		srv_pid = 0;
	}
}

static void
srv_start(int rcpt_code, int data_code)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	int ls, one = 1;

	srv_stop();
	ls = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(ls >= 0);
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons((uint16_t)srv_port);
	assert_int_equal(bind(ls, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(ls, 8), 0);
	getsockname(ls, (struct sockaddr *)&sa, &sl);
	srv_port = ntohs(sa.sin_port);
	conf.smtp.port = srv_port;
	if ((srv_pid = fork()) == 0)
		serve(ls, rcpt_code, data_code);
	close(ls);
}

/* How many messages the server captured, and how often needle occurs. */
static int
captured(const char *needle)
{
	char line[1024];
	FILE *f = fopen(capture, "r");
	int n = 0;

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strstr(line, needle ? needle : "X-Connection:") != NULL)
			n++;
	fclose(f);
	return n;
}

static int
setup(void **state)
{
	char *err = NULL;

	assert_non_null(mkdtemp(dir));
	snprintf(dbpath, sizeof(dbpath), "%s/o.db", dir);
	snprintf(capture, sizeof(capture), "%s/capture", dir);
	assert_int_equal(db_open(dbpath, DB_CREATE | DB_MIGRATE, &db, &err),
	    0);
	memset(&conf, 0, sizeof(conf));
	conf.smtp.host = "127.0.0.1";
	conf.smtp.tls = TLS_NONE;
	conf.save_sent = SAVE_SENT_NO;
	conf.retry_first = 60;
	conf.retry_max = 3600;
	conf.give_up_after = 86400;
	conf.team_address = "team@c4c.test";
	conf.team_name = "Cities4Cities";
	conf.team_domain = "c4c.test";
	conf.team_language = "en";
	conf.coordinators = coords;
	/* Notices are written from the tree's templates (notice.c). */
	if (templates == NULL)
		templates = xasprintf("%s/templates", getenv("TOP") ?
		    getenv("TOP") : ".");
	conf.templates_dir = templates;
	srv_port = 0;
	return 0;
}

static int
teardown(void **state)
{
	char *cmd;

	srv_stop();
	clock_set_fake(0);
	db_close(db);
	cmd = xasprintf("rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	strcpy(dir, "/tmp/mistok-test-outbox.XXXXXX");
	return 0;
}

static int64_t
queue(const char *key, const char *rcpt1, const char *rcpt2)
{
	const char *rcpts[] = { rcpt1, rcpt2, NULL };
	char *raw, *id, *err = NULL;
	size_t len;
	int64_t row;

	raw = outbox_plain_mail(&conf, rcpts, key, "Hello.\n", NULL, NULL, &id,
	    &len);
	assert_true(outbox_enqueue(db, key, raw, len, "team@c4c.test", rcpts,
	    id, NULL, 0, &row, &err) >= 0);
	free(raw);
	free(id);
	return row;
}

static char *
col(int64_t id, const char *column)
{
	char *sql = xasprintf("SELECT %s FROM outbox WHERE id = %lld", column,
	    (long long)id), *v = NULL;
	sqlite3_stmt *st;

	assert_int_equal(sqlite3_prepare_v2(db_handle(db), sql, -1, &st,
	    NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		v = xstrdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	free(sql);
	return v;
}

static void
assert_col(int64_t id, const char *column, const char *want)
{
	char *v = col(id, column);

	if (want == NULL)
		assert_null(v);
	else {
		assert_non_null(v);
		assert_string_equal(v, want);
	}
	free(v);
}

static int64_t
count(const char *where)
{
	/* Not db_int(): its statement cache keys on constant SQL text. */
	char *sql = xasprintf("SELECT count(*) FROM outbox WHERE %s", where);
	sqlite3_stmt *st;
	int64_t n = -1;

	assert_int_equal(sqlite3_prepare_v2(db_handle(db), sql, -1, &st,
	    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	free(sql);
	return n;
}

static void
run(struct outbox_stats *st)
{
	char *err = NULL;

	assert_int_equal(outbox_run(db, &conf, 0, 0, st, &err), 0);
}

/*
 * The plain fallback (used when templates are broken) answers in the
 * thread: In-Reply-To the parent, References its own then it, one per
 * folded line; a control character in an id cannot add a header.
 */
static void
plain_mail_replies_in_the_thread(void **state)
{
	const char *rcpts[] = { "olena@c4c.test", NULL };
	const char *refs[] = { "r1@lviv.test", "p@lviv.test\r\nBcc: x@evil",
	    "p@lviv.test", NULL };
	struct msg *m = NULL;
	char *raw, *id;
	size_t len;

	raw = outbox_plain_mail(&conf, rcpts, "Re: s", "Done.\n",
	    "p@lviv.test", refs, &id, &len);
	assert_non_null(strstr(raw, "\r\nIn-Reply-To: <p@lviv.test>\r\n"
	    "References: <r1@lviv.test>\r\n <p@lviv.test  Bcc: x@evil>\r\n"
	    " <p@lviv.test>\r\n"));
	assert_null(strstr(raw, "\nBcc:"));
	assert_int_equal(mime_parse(raw, len, NULL, &m), 0);
	assert_string_equal(m->in_reply_to, "p@lviv.test");
	assert_non_null(m->references);
	assert_string_equal(m->references[0], "r1@lviv.test");
	msg_free(m);
	free(raw);
	free(id);
	/* No parent: no threading headers. */
	raw = outbox_plain_mail(&conf, rcpts, "s", "x\n", NULL, refs, &id,
	    &len);
	assert_null(strstr(raw, "In-Reply-To:"));
	assert_null(strstr(raw, "References:"));
	free(raw);
	free(id);
}

static void
same_key_queued_once(void **state)
{
	const char *rcpts[] = { "mayor@lviv.test", NULL };
	const char *bad[] = { "a b@lviv.test", NULL };
	char *err = NULL;
	int64_t a, b, c;

	a = queue("reminder:12:2026-12-01", "mayor@lviv.test", NULL);
	assert_true(a > 0);
	assert_int_equal(outbox_enqueue(db, "reminder:12:2026-12-01", "X: y\r\n"
	    "\r\nz\r\n", 10, "team@c4c.test", rcpts, NULL, NULL, 0, &b, &err),
	    0);
	assert_int_equal(b, a);
	assert_int_equal(count("1"), 1);
	assert_col(a, "subject", "reminder:12:2026-12-01");
	/* Bare LF, bad addresses, no recipient: refused, nothing queued. */
	assert_int_equal(outbox_enqueue(db, "k2", "X: y\n\nz\n", 8,
	    "team@c4c.test", rcpts, NULL, NULL, 0, &c, &err), -1);
	assert_non_null(strstr(err, "bare LF"));
	free(err);
	assert_int_equal(outbox_enqueue(db, "k3", "X: y\r\n\r\n", 8,
	    "team@c4c.test", bad, NULL, NULL, 0, &c, &err), -1);
	free(err);
	assert_int_equal(outbox_enqueue(db, "k4", "X: y\r\n\r\n", 8,
	    "team@c4c.test", NULL, NULL, NULL, 0, &c, &err), -1);
	free(err);
	assert_int_equal(count("1"), 1);
}

static void
sent_once_over_one_connection(void **state)
{
	struct outbox_stats st;
	int64_t ids[5];
	int i;

	srv_start(250, 250);
	for (i = 0; i < 5; i++) {
		char key[16];

		snprintf(key, sizeof(key), "k%d", i);
		ids[i] = queue(key, "mayor@lviv.test", NULL);
	}
	run(&st);
	assert_int_equal(st.sent, 5);
	assert_int_equal(st.connections, 1);
	assert_int_equal(captured(NULL), 5);
	for (i = 0; i < 5; i++) {
		assert_col(ids[i], "status", "sent");
		assert_col(ids[i], "attempts", "1");
		assert_col(ids[i], "copy", NULL);
	}
	/* Nothing is due any more: a second run sends nothing. */
	run(&st);
	assert_int_equal(st.sent, 0);
	assert_int_equal(captured(NULL), 5);
	/* The body was not rewritten: CRLF stays CRLF (no CR CR LF). */
	assert_int_equal(captured("\r\r"), 0);
}

static void
temporary_refusal_backs_off_then_sends_once(void **state)
{
	struct outbox_stats st;
	time_t t0 = 1796133600;
	int64_t id, next;
	char *v;

	clock_set_fake(t0);
	srv_start(451, 250);
	id = queue("k", "mayor@lviv.test", NULL);
	run(&st);
	assert_int_equal(st.deferred, 1);
	assert_col(id, "status", "queued");
	assert_col(id, "last_code", "451");
	v = col(id, "next_attempt");
	next = strtoll(v, NULL, 10);
	free(v);
	assert_true(next >= t0 + 45 && next <= t0 + 60);
	assert_int_equal(outbox_next_due(db), next - t0);
	/* Not due yet: nothing is tried. */
	run(&st);
	assert_int_equal(st.deferred + st.sent, 0);
	assert_int_equal(captured(NULL), 0);
	/* Second attempt, still 4xx: the wait doubles (90..120 s). */
	clock_set_fake(next);
	run(&st);
	v = col(id, "next_attempt");
	assert_true(strtoll(v, NULL, 10) >= next + 90 &&
	    strtoll(v, NULL, 10) <= next + 120);
	clock_set_fake(strtoll(v, NULL, 10));
	free(v);
	srv_start(250, 250);
	run(&st);
	assert_int_equal(st.sent, 1);
	assert_col(id, "status", "sent");
	assert_col(id, "attempts", "3");
	assert_int_equal(captured(NULL), 1);
	assert_int_equal(count("dedupe_key LIKE 'failed-notice:%'"), 0);
}

static void
permanent_refusal_fails_with_one_notice(void **state)
{
	struct outbox_stats st;
	char *err = NULL, *v;
	int64_t id, nid;

	srv_start(550, 250);
	id = queue("k", "mayor@lviv.test", NULL);
	run(&st);
	assert_int_equal(st.failed, 1);
	assert_col(id, "status", "failed");
	assert_col(id, "attempts", "1");
	assert_col(id, "last_code", "550");
	assert_int_equal(count("dedupe_key LIKE 'failed-notice:%'"), 1);
	v = xasprintf("dedupe_key = 'failed-notice:%lld' AND recipients = "
	    "'olena@c4c.test mark@c4c.test' AND status = 'queued'",
	    (long long)id);
	assert_int_equal(count(v), 1);
	free(v);
	/* The notice fails too (every RCPT is 550): no notice about it. */
	run(&st);
	assert_int_equal(count("status = 'failed'"), 2);
	assert_int_equal(count("1"), 2);
	/* Retried by hand and failing again: still one notice. */
	assert_int_equal(outbox_retry(db, id, &err), 1);
	run(&st);
	assert_col(id, "status", "failed");
	assert_col(id, "attempts", "2");
	assert_int_equal(count("dedupe_key LIKE 'failed-notice:%'"), 1);
	/* With a server that takes it, the notice goes out, once. */
	nid = id + 1;
	assert_int_equal(outbox_retry(db, nid, &err), 1);
	srv_start(250, 250);
	run(&st);
	assert_col(nid, "status", "sent");
	/* From the `notice` template (en), composed: one such mail. */
	assert_int_equal(captured("Subject: Not delivered: "), 1);
	assert_int_equal(captured("Auto-Submitted: auto-generated"), 1);
}

static void
gives_up_after_give_up_after(void **state)
{
	struct outbox_stats st;
	time_t t0 = 1796133600;
	int64_t id;
	char *v;
	int i;

	conf.give_up_after = 300;
	clock_set_fake(t0);
	srv_start(421, 250);
	id = queue("k", "mayor@lviv.test", NULL);
	for (i = 0; i < 20; i++) {
		run(&st);
		v = col(id, "status");
		if (strcmp(v, "failed") == 0) {
			free(v);
			break;
		}
		free(v);
		v = col(id, "next_attempt");
		/* Never scheduled past the give-up time. */
		assert_true(strtoll(v, NULL, 10) <= t0 + 300);
		clock_set_fake(strtoll(v, NULL, 10));
		free(v);
	}
	assert_true(i < 20);
	assert_true(clock_now() >= t0 + 300);
	v = col(id, "last_error");
	assert_non_null(strstr(v, "gave up after"));
	free(v);
	assert_int_equal(count("dedupe_key LIKE 'failed-notice:%'"), 1);
	assert_int_equal(captured(NULL), 0);
}

static void
backoff_bounds(void **state)
{
	uint32_t r[] = { 0, 1, 12345, 0x7fffffff, 0xffffffff };
	int a, i, d, prev = 0;

	for (a = 1; a <= 40; a++) {
		d = outbox_backoff(60, 21600, a, 0);
		assert_true(d >= prev);		/* grows without jitter */
		prev = d;
		for (i = 0; i < (int)nitems(r); i++) {
			d = outbox_backoff(60, 21600, a, r[i]);
			assert_true(d >= 45 && d <= 21600);
		}
	}
	assert_int_equal(outbox_backoff(60, 21600, 1, 0), 60);
	assert_int_equal(outbox_backoff(60, 21600, 2, 0), 120);
	assert_int_equal(outbox_backoff(60, 21600, 40, 0), 21600);
	assert_true(outbox_backoff(1, 1, 3, 0xffffffff) >= 1);
}

static void
crash_in_sending_resends_same_message_id(void **state)
{
	struct outbox_stats st;
	char *mid, *needle;
	int64_t id;

	id = queue("k", "mayor@lviv.test", NULL);
	/* A crash after "sending" was committed. */
	assert_int_equal(db_exec(db, "UPDATE outbox SET status = 'sending', "
	    "attempts = 1 WHERE id = ?", "I", id), 0);
	assert_int_equal(outbox_recover(db), 1);
	assert_col(id, "status", "queued");
	assert_col(id, "recovered", "1");
	assert_int_equal(outbox_recover(db), 0);
	srv_start(250, 250);
	run(&st);
	assert_col(id, "status", "sent");
	assert_col(id, "attempts", "2");
	mid = col(id, "message_id");
	needle = xasprintf("Message-ID: <%s>", mid);
	assert_int_equal(captured(needle), 1);
	free(needle);
	free(mid);
}

static void
refused_recipient_reported(void **state)
{
	struct outbox_stats st;
	int64_t id;
	char *v;

	srv_start(250, 250);
	id = queue("k", "mayor@lviv.test", "bad@lviv.test");
	run(&st);
	assert_col(id, "status", "sent");
	v = col(id, "rejected");
	assert_non_null(v);
	assert_non_null(strstr(v, "bad@lviv.test: 550 5.1.1 no such user"));
	assert_null(strstr(v, "mayor"));
	free(v);
	assert_int_equal(captured(NULL), 1);
	/* Every recipient refused: a 5xx failure. */
	id = queue("k2", "bad1@lviv.test", "bad2@lviv.test");
	run(&st);
	assert_col(id, "status", "failed");
	v = col(id, "rejected");
	assert_non_null(strstr(v, "bad1@lviv.test"));
	assert_non_null(strstr(v, "bad2@lviv.test"));
	free(v);
}

static void
dead_server_defers_and_ends_batch(void **state)
{
	struct outbox_stats st;
	int64_t a, b;
	char *v;

	srv_start(250, 250);
	srv_stop();		/* the port is now closed */
	a = queue("a", "mayor@lviv.test", NULL);
	b = queue("b", "mayor@lviv.test", NULL);
	run(&st);
	assert_int_equal(st.deferred, 1);
	assert_col(a, "status", "queued");
	assert_col(a, "attempts", "1");
	assert_col(b, "attempts", "0");		/* not even tried */
	v = col(a, "last_error");
	assert_non_null(strstr(v, "127.0.0.1"));
	free(v);
	assert_int_equal(count("status = 'failed'"), 0);
}

static void
retry_and_cancel_rules(void **state)
{
	struct outbox_stats st;
	char *err = NULL;
	int64_t id;

	id = queue("k", "mayor@lviv.test", NULL);
	assert_int_equal(outbox_cancel(db, id, &err), 1);
	assert_col(id, "status", "cancelled");
	srv_start(250, 250);
	run(&st);
	assert_int_equal(st.sent, 0);		/* cancelled is not sent */
	assert_int_equal(outbox_retry(db, id, &err), 1);
	run(&st);
	assert_col(id, "status", "sent");
	assert_int_equal(outbox_cancel(db, id, &err), 0);
	assert_non_null(strstr(err, "is sent"));
	free(err);
	assert_int_equal(outbox_retry(db, id, &err), 0);
	free(err);
	assert_int_equal(outbox_retry(db, 9999, &err), 0);
	assert_non_null(strstr(err, "no such mail"));
	free(err);
}

static void
classes(void **state)
{
	assert_int_equal(smtp_classify(0, 250, 0), SMTP_OK);
	assert_int_equal(smtp_classify(55, 451, 0), SMTP_RETRY_LATER);
	assert_int_equal(smtp_classify(55, 550, 0), SMTP_FAIL);
	assert_int_equal(smtp_classify(67, 535, 0), SMTP_FAIL); /* login */
	assert_int_equal(smtp_classify(67, 454, 0), SMTP_RETRY_LATER);
	assert_int_equal(smtp_classify(60, 0, 0), SMTP_FAIL);	/* cert */
	assert_int_equal(smtp_classify(64, 0, 0), SMTP_FAIL);	/* no TLS */
	assert_int_equal(smtp_classify(7, 0, 0), SMTP_RETRY_LATER);
	assert_int_equal(smtp_classify(28, 0, 0), SMTP_RETRY_LATER);
	assert_int_equal(smtp_classify(55, 0, 1), SMTP_RETRY_NOW);
	assert_int_equal(smtp_classify(56, 0, 0), SMTP_RETRY_LATER);
	assert_false(outbox_save_sent(&conf));
	conf.save_sent = SAVE_SENT_AUTO;
	conf.smtp.host = "smtp.gmail.com";
	assert_false(outbox_save_sent(&conf));
	conf.smtp.host = "smtp.office365.com";
	assert_false(outbox_save_sent(&conf));
	conf.smtp.host = "notgmail.com";
	assert_true(outbox_save_sent(&conf));
	conf.smtp.host = "mail.c4c.test";
	assert_true(outbox_save_sent(&conf));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(plain_mail_replies_in_the_thread,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(same_key_queued_once, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(sent_once_over_one_connection,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    temporary_refusal_backs_off_then_sends_once, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    permanent_refusal_fails_with_one_notice, setup, teardown),
		cmocka_unit_test_setup_teardown(gives_up_after_give_up_after,
		    setup, teardown),
		cmocka_unit_test(backoff_bounds),
		cmocka_unit_test_setup_teardown(
		    crash_in_sending_resends_same_message_id, setup, teardown),
		cmocka_unit_test_setup_teardown(refused_recipient_reported,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    dead_server_defers_and_ends_batch, setup, teardown),
		cmocka_unit_test_setup_teardown(retry_and_cancel_rules, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(classes, setup, teardown),
	};
	int rc;

	log_init(1, "test_outbox");
	signal(SIGPIPE, SIG_IGN);
	/* GMime once for the process (notices are composed with it). */
	mime_init();
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	mime_shutdown();
	free(templates);
	return rc;
}
