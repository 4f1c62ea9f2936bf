/* sasl: base64 (RFC 4648 vectors) and the PLAIN and XOAUTH2 responses. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "sasl.h"
#include "util.h"

static void
base64_rfc4648_vectors(void **state)
{
	static const char *in[] = { "", "f", "fo", "foo", "foob", "fooba",
	    "foobar" };
	static const char *out[] = { "", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==",
	    "Zm9vYmE=", "Zm9vYmFy" };
	size_t i;

	for (i = 0; i < nitems(in); i++) {
		char *s = sasl_base64(in[i], strlen(in[i]));

		assert_string_equal(s, out[i]);
		free(s);
	}
}

static void
base64_all_bytes(void **state)
{
	unsigned char b[3] = { 0xff, 0x00, 0xfe };
	char *s = sasl_base64(b, sizeof(b));

	assert_string_equal(s, "/wD+");
	free(s);
}

/* Google's documented XOAUTH2 example (developers.google.com). */
static void
xoauth2_matches_google_example(void **state)
{
	char *s = sasl_xoauth2_ir("someuser@example.com",
	    "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg");

	assert_string_equal(s, "dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJl"
	    "YXJlciB5YTI5LnZGOWRmdDRxbVRjMk52YjNSbGNrQmhkSFJoZG1semRHRXVZMjl0"
	    "Q2cBAQ==");
	free(s);
}

static void
xoauth2_differs_with_token(void **state)
{
	char *a = sasl_xoauth2_ir("team@c4c.test", "tok1");
	char *b = sasl_xoauth2_ir("team@c4c.test", "tok2");

	assert_string_not_equal(a, b);
	free(a);
	free(b);
}

static void
plain_has_empty_authzid(void **state)
{
	char *s = sasl_plain_ir("team@c4c.test", "s3cret");

	/* base64("\0team@c4c.test\0s3cret") */
	assert_string_equal(s, "AHRlYW1AYzRjLnRlc3QAczNjcmV0");
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(base64_rfc4648_vectors),
		cmocka_unit_test(base64_all_bytes),
		cmocka_unit_test(xoauth2_matches_google_example),
		cmocka_unit_test(xoauth2_differs_with_token),
		cmocka_unit_test(plain_has_empty_authzid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
