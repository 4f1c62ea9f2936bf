/* rfc2047: encoded words, unfolding, charsets to UTF-8. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>

#include "rfc2047.h"
#include "util.h"

static void
check(const char *in, const char *want)
{
	char *got = rfc2047_decode(in, strlen(in));

	if (strcmp(got, want) != 0)
		print_error("decode(%s): got [%s], want [%s]\n", in, got, want);
	assert_string_equal(got, want);
	free(got);
}

static void
padded_b_words_keep_all_text(void **state)
{
	/* INTEROP: GMime 3.2.13 stops at the first word's padding. */
	check("=?UTF-8?B?SGVsbG8=?= =?UTF-8?B?IHdvcmxk?=", "Hello world");
	check("=?ISO-8859-1?B?SWYgeW91IGNhbiByZWFkIHRoaXMgeW8=?=\n"
	    "     =?ISO-8859-2?B?dSB1bmRlcnN0YW5kIHRoZSBleGFtcGxlLg==?=",
	    "If you can read this you understand the example.");
}

static void
cyrillic_char_split_across_words(void **state)
{
	/* "Зустріч": the bytes of "у" (d1 83) are split over two words. */
	check("=?UTF-8?B?0JfR?= =?UTF-8?B?g9GB0YLRgNGW0Yc=?=", "Зустріч");
	/* The same split in Q encoding, folded. */
	check("=?utf-8?q?=D0=97=D1?=\r\n =?utf-8?q?=83=D1=81?=", "Зус");
}

static void
q_words_and_whitespace(void **state)
{
	check("=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=", "ab");
	check("=?ISO-8859-1?Q?a?=\r\n    =?ISO-8859-1?Q?b?=", "ab");
	check("=?ISO-8859-1?Q?a_b?=", "a b");
	check("=?ISO-8859-1?Q?a?= =?ISO-8859-2?Q?_b?=", "a b");
	check("=?iso-8859-1?q?this=20is=20some=20text?=", "this is some text");
	check(" this =?iso-8859-1?q?is?= some =?iso-8859-1?q?t?=\n "
	    "=?iso-8859-1?q?e?= \n =?iso-8859-1?q?x?=\n =?iso-8859-1?q?t?=",
	    "this is some text");
	/* A fold inside a word (seen from real mailers) is dropped. */
	check("=?utf-8?Q?Hello\r\n   \t  _there!?=", "Hello there!");
	check("Les Communs - =?utf-8?Q?R=C3=A9capitulatif?= de la\r\n "
	    "=?utf-8?Q?r=C3=A9servation?= 13510164434879",
	    "Les Communs - Récapitulatif de la réservation 13510164434879");
}

static void
unfolding_and_header_end(void **state)
{
	check(" Fwd: \n\tSaying \n Hello\r\n", "Fwd: Saying Hello");
	check(" FWD: \n Saying Hello \nX-Mailer: 123\r\n", "FWD: Saying Hello");
	check("a;  b", "a;  b");
}

static void
broken_words_stay_literal(void **state)
{
	check(" =? \n", "=?");
	check("=?utf-8? ", "=?utf-8?");
	check(" let's = try =?iso-8859-1? to break\n =? the \n parser",
	    "let's = try =?iso-8859-1? to break =? the parser");
	check("=?utf-8?X?abc?=", "=?utf-8?X?abc?=");
	check("=?utf-8?B?", "=?utf-8?B?");
}

static void
cyrillic_charsets(void **state)
{
	/* KOI8-R and windows-1251 "Алфавит" (Thunderbird's samples). */
	check("=?koi8-r?B?4czGwdfJ1Ao=?=", "Алфавит");
	check("=?windows-1251?B?wOv04OLo8go=?=", "Алфавит");
	/* KOI8-U letters ґ і ї є. */
	check("=?koi8-u?Q?=AD=A6=A7=A4?=", "ґіїє");
	/* RFC 2231 language suffix in the charset. */
	check("=?US-ASCII*EN?Q?Keith_Moore?=", "Keith Moore");
}

static void
mislabelled_and_unknown_charsets(void **state)
{
	/* Labelled us-ascii, really UTF-8. */
	check("=?us-ascii?Q?=D0=9A=D0=B8=D1=97=D0=B2?=", "Київ");
	/* Labelled UTF-8, really windows-1251 ("Київ"). */
	check("=?utf-8?Q?=CA=E8=BF=E2?=", "Київ");
	/* An unknown charset name: the bytes decide. */
	check("=?x-made-up?Q?=D0=9A=D0=B8=D1=97=D0=B2?=", "Київ");
}

static void
raw_8bit_is_guessed(void **state)
{
	/* windows-1251 "Привіт колеги" */
	check("\xcf\xf0\xe8\xe2\xb3\xf2 \xea\xee\xeb\xe5\xe3\xe8",
	    "Привіт колеги");
	/* KOI8-U "Привіт колеги" */
	check("\xf0\xd2\xc9\xd7\xa6\xd4 \xcb\xcf\xcc\xc5\xc7\xc9",
	    "Привіт колеги");
	/* Raw UTF-8 stays. */
	check("ハロー・ワールド ", "ハロー・ワールド");
	/* A lone Latin-1 letter in a Latin word. */
	check("Fr\xf6sche", "Frösche");
}

/*
 * Single-byte charsets go through a table built from iconv: every byte
 * must come out as iconv itself converts it, and a byte the charset does
 * not define must not be converted by the table (the text is then
 * guessed, as when iconv fails).
 */
static void
single_byte_tables_match_iconv(void **state)
{
	static const char *cs[] = {
		"windows-1251", "KOI8-U", "koi8-r", "ISO-8859-5", "CP866",
		"ISO-8859-1",
	};
	char in[256], want[2048], *op, *got;
	size_t i, k, n, ol;
	iconv_t cd;

	for (i = 0; i < nitems(cs); i++) {
		/* The bytes iconv takes, one at a time: the same as a whole. */
		cd = iconv_open("UTF-8", cs[i]);
		assert_true(cd != (iconv_t)-1);
		n = 0;
		op = want;
		ol = sizeof(want);
		for (k = 1; k < 256; k++) {
			char b = (char)k, *bp = &b;
			size_t bl = 1;

			(void)iconv(cd, NULL, NULL, NULL, NULL);
			if (iconv(cd, &bp, &bl, &op, &ol) != (size_t)-1)
				in[n++] = (char)k;
		}
		iconv_close(cd);
		*op = '\0';
		got = charset_to_utf8(cs[i], in, n, NULL);
		assert_string_equal(got, want);
		free(got);
	}
	/* 0x98 is undefined in windows-1251: not a table conversion. */
	got = charset_to_utf8("windows-1251", "\xcf\xf0\xe8\x98", 4, NULL);
	assert_null(strstr(got, "\xd0\x9f\xd1\x80\xd0\xb8"));
	free(got);
}

static void
charset_to_utf8_basics(void **state)
{
	char *s;
	size_t n;

	s = charset_to_utf8("KOI8-U", "\xf0\xd2\xc9\xd7\xa6\xd4", 6, &n);
	assert_string_equal(s, "Привіт");
	assert_int_equal(n, strlen(s));
	free(s);
	/* Invalid UTF-8 inside mostly valid UTF-8: U+FFFD, nothing lost. */
	s = charset_to_utf8("utf-8", "\xd0\x9a\xd0\xb8\xff\xd1\x97\xd0\xb2",
	    9, NULL);
	assert_string_equal(s, "Ки\xef\xbf\xbdїв");
	free(s);
	/* NULs are dropped, the rest kept. */
	s = charset_to_utf8("us-ascii", "a\0b", 3, &n);
	assert_string_equal(s, "ab");
	assert_int_equal(n, 2);
	free(s);
	s = charset_to_utf8(NULL, "", 0, &n);
	assert_string_equal(s, "");
	assert_int_equal(n, 0);
	free(s);
	/*
	 * Clean UTF-8 is copied as it is, whatever the word boundaries of
	 * the eight-byte scan; a NUL, a stray or a cut-off sequence anywhere
	 * in a long text still takes the repairing path.
	 */
	{
		static const char *tails[] = { "", "\xff", "\xd0", "\xe2\x82",
		    "x\0y" };
		char text[64];
		size_t k, pad, tl;

		for (k = 0; k < nitems(tails); k++)
			for (pad = 0; pad < 9; pad++) {
				tl = k == 4 ? 3 : strlen(tails[k]);
				memset(text, 'a', pad);
				memcpy(text + pad, "Київ Київ Київ ", 27);
				memcpy(text + pad + 27, tails[k], tl);
				s = charset_to_utf8("utf-8", text, pad + 27 + tl,
				    &n);
				if (k == 0)
					assert_int_equal(n, pad + 27);
				else if (k == 4)
					assert_int_equal(n, pad + 29);
				else
					assert_memory_equal(s + pad + 27,
					    "\xef\xbf\xbd", 3);
				assert_int_equal(memcmp(s + pad, "Київ", 8), 0);
				free(s);
			}
	}
	assert_string_equal(charset_guess("abc", 3), "us-ascii");
	assert_string_equal(charset_guess("\xd0\x9a", 2), "utf-8");
	assert_string_equal(charset_guess("\xcf\xf0\xe8\xe2\xb3\xf2", 6),
	    "windows-1251");
	assert_string_equal(charset_guess("\xf0\xd2\xc9\xd7\xa6\xd4", 6),
	    "koi8-u");
	assert_true(utf8_valid("Київ", strlen("Київ")));
	assert_false(utf8_valid("\xc0\x80", 2));	/* overlong */
	assert_false(utf8_valid("\xed\xa0\x80", 3));	/* surrogate */
	assert_false(utf8_valid("\xd0", 1));		/* truncated */
}

static void
controls_and_binary_never_crash(void **state)
{
	char junk[512];
	char *s;
	size_t i;

	/* Decoded control characters become spaces, then trimmed. */
	check("=?utf-8?Q?a=0Ab=00c?=", "a bc");
	for (i = 0; i < sizeof(junk); i++)
		junk[i] = (char)(i * 37 + 11);
	s = rfc2047_decode(junk, sizeof(junk));
	assert_true(utf8_valid(s, strlen(s)));
	free(s);
	s = rfc2047_decode("=?", 2);
	assert_string_equal(s, "=?");
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(padded_b_words_keep_all_text),
		cmocka_unit_test(cyrillic_char_split_across_words),
		cmocka_unit_test(q_words_and_whitespace),
		cmocka_unit_test(unfolding_and_header_end),
		cmocka_unit_test(broken_words_stay_literal),
		cmocka_unit_test(cyrillic_charsets),
		cmocka_unit_test(mislabelled_and_unknown_charsets),
		cmocka_unit_test(raw_8bit_is_guessed),
		cmocka_unit_test(single_byte_tables_match_iconv),
		cmocka_unit_test(charset_to_utf8_basics),
		cmocka_unit_test(controls_and_binary_never_crash),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
