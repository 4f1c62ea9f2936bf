/* imap: the parts that need no server (backoff, \Sent lookup, names). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(backoff_doubles_to_five_minutes_with_jitter),
		cmocka_unit_test(find_sent_skips_noselect),
		cmocka_unit_test(status_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
