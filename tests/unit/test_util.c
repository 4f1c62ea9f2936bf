/* util: buffers, strings, the test clock. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "util.h"

static void
buf_grows_and_stays_terminated(void **state)
{
	struct buf b;
	int i;

	buf_init(&b);
	for (i = 0; i < 1000; i++)
		buf_printf(&b, "%d,", i);
	assert_int_equal(b.len, strlen(b.data));
	assert_true(strncmp(b.data, "0,1,2,", 6) == 0);
	assert_non_null(strstr(b.data, ",999,"));
	buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.data, "");
	buf_adds(&b, "abc");
	buf_addc(&b, 'd');
	char *s = buf_steal(&b);
	assert_string_equal(s, "abcd");
	assert_null(b.data);
	free(s);
	buf_free(&b);
}

/* str_key() is 64-bit FNV-1a (published test vectors). */
static void
str_key_is_fnv1a(void **state)
{
	assert_true((uint64_t)str_key("") == 0xcbf29ce484222325ull);
	assert_true((uint64_t)str_key("a") == 0xaf63dc4c8601ec8cull);
	assert_true((uint64_t)str_key("foobar") == 0x85944171f73967e8ull);
	assert_true(str_key("a@x") != str_key("b@x"));
}

/*
 * data_dir(): a configured directory as it is; the installed default,
 * when missing, found in the tree this binary runs from
 * (build/tests/test_util: two up); else the default as it is.
 */
static void
data_dir_falls_back_to_the_tree(void **state)
{
	const char *top = getenv("TOP") ? getenv("TOP") : ".";
	char *d, *want, real[4096], wreal[4096];

	d = data_dir("/etc/elsewhere", "/nonexistent/mistok/templates",
	    "templates");
	assert_string_equal(d, "/etc/elsewhere");
	free(d);
	d = data_dir(NULL, "/nonexistent/mistok/templates", "templates");
	want = xasprintf("%s/templates", top);
	assert_non_null(realpath(d, real));
	assert_non_null(realpath(want, wreal));
	assert_string_equal(real, wreal);
	free(d);
	free(want);
	d = data_dir(NULL, "/nonexistent/mistok/nothing", "no/such/dir");
	assert_string_equal(d, "/nonexistent/mistok/nothing");
	free(d);
}

static void
trim_and_lower(void **state)
{
	char a[] = "  \t Hello World \r\n";
	char b[] = "MiXeD@Example.ORG";

	assert_string_equal(str_trim(a), "Hello World");
	str_lower(b);
	assert_string_equal(b, "mixed@example.org");
	assert_true(str_casestarts("Partnership: x", "partnership:"));
	assert_false(str_casestarts("Part", "partnership"));
}

static void
fake_clock_and_iso8601(void **state)
{
	char out[ISO8601_LEN];

	clock_set_fake(1796133600); /* 2026-12-01T14:00:00Z */
	assert_int_equal(clock_now(), 1796133600);
	fmt_iso8601(clock_now(), out);
	assert_string_equal(out, "2026-12-01T14:00:00Z");
	clock_set_fake(0);
	assert_true(clock_now() > 1796133600 - 400 * 86400);
}

static void
trace_mask_parses_names(void **state)
{
	unsigned m;
	const char *bad = NULL;

	assert_int_equal(log_trace_parse("imap,smtp", &m, &bad), 0);
	assert_int_equal(m, TRACE_IMAP | TRACE_SMTP);
	assert_int_equal(log_trace_parse("imap,bogus", &m, &bad), -1);
	assert_string_equal(bad, "bogus");
	assert_int_equal(log_trace_parse("all", &m, &bad), 0);
	assert_int_equal(m, TRACE_ALL);
}

struct captured {
	char	line[256];
	int	n;
};

static void
capture(int prio, const char *line, void *arg)
{
	struct captured *c = arg;

	strncpy(c->line, line, sizeof(c->line) - 1);
	c->n++;
}

static void
log_lines_never_span_lines(void **state)
{
	struct captured c = { "", 0 };

	log_init(1, "test");
	log_set_hook(capture, &c);
	log_info("subject %s", "evil\r\nInjected: yes");
	assert_int_equal(c.n, 1);
	assert_null(strchr(c.line, '\n'));
	assert_null(strchr(c.line, '\r'));
	log_debug("hidden");
	assert_int_equal(c.n, 1);
	log_trace_set(TRACE_IMAP);
	log_trace(TRACE_SMTP, "hidden too");
	log_trace(TRACE_IMAP, "shown");
	assert_int_equal(c.n, 2);
	assert_string_equal(c.line, "shown");
	log_set_hook(NULL, NULL);
	log_trace_set(0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(buf_grows_and_stays_terminated),
		cmocka_unit_test(trim_and_lower),
		cmocka_unit_test(str_key_is_fnv1a),
		cmocka_unit_test(data_dir_falls_back_to_the_tree),
		cmocka_unit_test(fake_clock_and_iso8601),
		cmocka_unit_test(trace_mask_parses_names),
		cmocka_unit_test(log_lines_never_span_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
