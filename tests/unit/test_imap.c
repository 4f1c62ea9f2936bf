/*
 * imap: the parts that need no server (backoff, \Sent lookup, names), and
 * one a real server cannot show: data sent with the STARTTLS answer.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "imap.h"
#include "util.h"

static void
backoff_doubles_to_five_minutes_with_jitter(void **state)
{
	unsigned a, expect_full = 1000;

	for (a = 0; a < 20; a++) {
		unsigned lo = imap_backoff_ms(a, 0);
		unsigned hi = imap_backoff_ms(a, 0xffffffffu);
		unsigned mid = imap_backoff_ms(a, 12345);

		/* [half, full] of the step, never above 5 minutes */
		assert_int_equal(lo, expect_full / 2);
		assert_true(hi <= expect_full);
		assert_true(hi >= lo);
		assert_true(mid >= lo && mid <= expect_full);
		if (expect_full < 300000)
			expect_full = expect_full * 2 > 300000 ? 300000 :
			    expect_full * 2;
	}
	assert_int_equal(imap_backoff_ms(0, 0), 500);
	assert_int_equal(imap_backoff_ms(1, 0), 1000);
	assert_int_equal(imap_backoff_ms(9, 0), 150000);	/* capped */
	assert_int_equal(imap_backoff_ms(1000, 0), 150000);
	/* the jitter spreads: not every random value gives one delay */
	assert_int_not_equal(imap_backoff_ms(5, 1), imap_backoff_ms(5, 7777));
}

static void
find_sent_skips_noselect(void **state)
{
	struct imap_folder v[3] = {
		{ "INBOX", '/', 0 },
		{ "Old Sent", '/', IMAP_USE_SENT | IMAP_NOSELECT },
		{ "Sent", '/', IMAP_USE_SENT },
	};

	assert_ptr_equal(imap_find_sent(v, 3), &v[2]);
	assert_null(imap_find_sent(v, 1));
}

static void
status_names(void **state)
{
	assert_string_equal(imap_status_name(IMAP_OK), "ok");
	assert_string_equal(imap_status_name(IMAP_RETRY_LATER), "retry-later");
	assert_string_equal(imap_status_name(IMAP_FAIL), "fail");
}

/*
 * A fake server, because Dovecot never does this: it answers STARTTLS
 * and, in the same write, sends a line in the clear (the injection of
 * CVE-2011-0411). mistok must refuse the session and send nothing more:
 * no TLS handshake, no credentials.
 */
static void
starttls_injection_refused(void **state)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	struct imap_params p;
	enum imap_status st;
	struct imap *im;
	char *err = NULL, buf[512];
	int ls, c, status;
	pid_t pid;
	ssize_t n;

	ls = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(ls >= 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(ls, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(ls, 1), 0);
	assert_int_equal(getsockname(ls, (struct sockaddr *)&sa, &sl), 0);
	if ((pid = fork()) == 0) {
		const char *greet = "* OK [CAPABILITY IMAP4rev1 STARTTLS] "
		    "fake\r\n";
		size_t got = 0;

		alarm(20);
		if ((c = accept(ls, NULL, NULL)) < 0)
			_exit(1);
		(void)!write(c, greet, strlen(greet));
		/* The STARTTLS command, whatever its tag. */
		while (got < sizeof(buf) - 1 && (n = read(c, buf + got,
		    sizeof(buf) - 1 - got)) > 0) {
			got += (size_t)n;
			buf[got] = '\0';
			if (strstr(buf, "\r\n") != NULL)
				break;
		}
		if (got == 0 || strstr(buf, "STARTTLS") == NULL)
			_exit(2);
		{
			char tag[64], ans[256];
			int k;

			snprintf(tag, sizeof(tag), "%.*s",
			    (int)strcspn(buf, " "), buf);
			k = snprintf(ans, sizeof(ans), "%s OK Begin TLS\r\n"
			    "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] injected"
			    "\r\n", tag);
			(void)!write(c, ans, (size_t)k);
		}
		/* Anything more from the client is a failure. */
		n = read(c, buf, sizeof(buf));
		_exit(n > 0 ? 3 : 0);
	}
	assert_true(pid > 0);
	close(ls);
	memset(&p, 0, sizeof(p));
	p.host = "127.0.0.1";
	p.port = ntohs(sa.sin_port);
	p.tls = TLS_STARTTLS;
	p.user = "team@c4c.test";
	p.auth = AUTH_PLAIN;
	p.secret = "not-sent";
	p.timeout = 10;
	im = imap_connect(&p, &st, &err);
	assert_null(im);
	/*
	 * libetpan itself takes the tagged answer followed by more data as
	 * a failed STARTTLS; where it would not, imap.c refuses the bytes
	 * left in its buffer. Either way: FAIL, and not a byte more sent.
	 */
	assert_int_equal(st, IMAP_FAIL);
	assert_non_null(err);
	assert_non_null(strstr(err, "STARTTLS"));
	free(err);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(backoff_doubles_to_five_minutes_with_jitter),
		cmocka_unit_test(find_sent_skips_noselect),
		cmocka_unit_test(status_names),
		cmocka_unit_test(starttls_injection_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
