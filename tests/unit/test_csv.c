/* csv: RFC 4180 reading and writing, and where errors are reported. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "util.h"

/* Reads all of text into "a|b|c\n" lines, or "ERR line:col: msg". */
static char *
dump(const char *text, size_t len)
{
	struct csv *c = csv_open(text, len);
	struct buf b;
	char **f;
	size_t n, i, line, col;
	const char *msg;
	int rc;

	buf_init(&b);
	while ((rc = csv_read(c, &f, &n)) == 1) {
		buf_printf(&b, "%zu:", csv_line(c));
		for (i = 0; i < n; i++)
			buf_printf(&b, "%s[%s]", i ? "|" : "", f[i]);
		buf_addc(&b, '\n');
	}
	if (rc == -1) {
		msg = csv_error(c, &line, &col);
		buf_printf(&b, "ERR %zu:%zu: %s", line, col, msg);
		/* An error sticks. */
		assert_int_equal(csv_read(c, &f, &n), -1);
	}
	csv_close(c);
	buf_add(&b, "", 0);
	return buf_steal(&b);
}

#define DUMP(lit) dump(lit, sizeof(lit) - 1)

static void
plain_fields_lf_and_crlf(void **state)
{
	char *s;

	s = DUMP("a,b,c\n1,2,3\n");
	assert_string_equal(s, "1:[a]|[b]|[c]\n2:[1]|[2]|[3]\n");
	free(s);
	s = DUMP("a,b,c\r\n1,2,3\r\n");
	assert_string_equal(s, "1:[a]|[b]|[c]\n2:[1]|[2]|[3]\n");
	free(s);
	/* No final line break; empty fields, a trailing comma. */
	s = DUMP("a,,c\r\n,x,");
	assert_string_equal(s, "1:[a]|[]|[c]\n2:[]|[x]|[]\n");
	free(s);
}

static void
quoted_fields_hold_commas_quotes_and_newlines(void **state)
{
	char *s;

	s = DUMP("name,note\n\"Kyiv, UA\",\"say \"\"hi\"\"\"\n"
	    "\"two\nlines\",\"crlf\r\ninside\"\nlast,\"\"\n");
	assert_string_equal(s, "1:[name]|[note]\n"
	    "2:[Kyiv, UA]|[say \"hi\"]\n"
	    "3:[two\nlines]|[crlf\r\ninside]\n"
	    "6:[last]|[]\n");
	free(s);
}

static void
bom_and_blank_lines_are_tolerated(void **state)
{
	char *s;

	s = DUMP("\xef\xbb\xbfname\n\nОлена\n\r\n\nІрина\n");
	assert_string_equal(s, "1:[name]\n3:[Олена]\n6:[Ірина]\n");
	free(s);
	/* A BOM later on is data, and valid UTF-8. */
	s = DUMP("a\n\xef\xbb\xbfx\n");
	assert_string_equal(s, "1:[a]\n2:[\xef\xbb\xbfx]\n");
	free(s);
	s = DUMP("");
	assert_string_equal(s, "");
	free(s);
}

static void
errors_name_line_and_column(void **state)
{
	char *s;

	s = DUMP("a,b\n1,\"open\nstill open\n");
	assert_string_equal(s, "1:[a]|[b]\nERR 2:2: unterminated quoted "
	    "field");
	free(s);
	s = DUMP("a,b,c\n1,2,\"x\"y\n");
	assert_string_equal(s, "1:[a]|[b]|[c]\nERR 2:3: text after a closing "
	    "quote (a quote inside a quoted field is written \"\")");
	free(s);
	s = DUMP("a,b\nx,ab\"c\n");
	assert_string_equal(s, "1:[a]|[b]\nERR 2:2: quote inside an unquoted "
	    "field (quote the whole field)");
	free(s);
	/* Latin-1 "é" is not UTF-8; nor an overlong '/' or a surrogate. */
	s = DUMP("a,b\nx,caf\xe9\n");
	assert_string_equal(s, "1:[a]|[b]\nERR 2:2: invalid UTF-8");
	free(s);
	s = DUMP("a\n\xc0\xaf\n");
	assert_string_equal(s, "1:[a]\nERR 2:1: invalid UTF-8");
	free(s);
	s = DUMP("a\n\"\xed\xa0\x80\"\n");
	assert_string_equal(s, "1:[a]\nERR 2:1: invalid UTF-8");
	free(s);
	/* A multi-line record is named by the line it starts on. */
	s = DUMP("a,b\n\"1\n2\n3\",\xff\n");
	assert_string_equal(s, "1:[a]|[b]\nERR 4:2: invalid UTF-8");
	free(s);
	{
		static const char nul[] = "a,b\nx,y\0z\n";

		s = dump(nul, sizeof(nul) - 1);
		assert_string_equal(s, "1:[a]|[b]\nERR 2:2: NUL byte in a "
		    "field");
		free(s);
	}
}

static void
writer_quotes_only_what_needs_it(void **state)
{
	const char *row[] = { "plain", "a,b", "say \"x\"", "two\nlines", "",
	    NULL, " lead", "Олена" };
	const char *one[] = { "" };
	struct buf b;

	buf_init(&b);
	csv_write_row(&b, row, nitems(row));
	assert_string_equal(b.data, "plain,\"a,b\",\"say \"\"x\"\"\","
	    "\"two\nlines\",,,\" lead\",Олена\r\n");
	buf_reset(&b);
	csv_write_row(&b, one, 1);
	assert_string_equal(b.data, "\"\"\r\n");
	buf_free(&b);
}

/* Whatever the writer writes, the reader gives back. */
static void
write_then_read_round_trips(void **state)
{
	static const char *const pool[] = {
		"", "x", ",", "\"", "\"\"", "a\r\nb", "\n", "\r", "  sp  ",
		"Київ, Україна", "end\"", "\"start", "a,\"b\",c", "\t",
	};
	const char *row[5];
	struct buf b;
	struct csv *c;
	char **f;
	size_t n, i, r, rows = 300;
	unsigned seed = 12345;

	buf_init(&b);
	for (r = 0; r < rows; r++) {
		for (i = 0; i < nitems(row); i++) {
			seed = seed * 1103515245u + 12345u;
			row[i] = pool[(seed >> 16) % nitems(pool)];
		}
		/* Keep every row non-empty, so none reads as a blank line. */
		row[0] = "k";
		csv_write_row(&b, row, nitems(row));
	}
	c = csv_open(b.data, b.len);
	seed = 12345;
	for (r = 0; r < rows; r++) {
		assert_int_equal(csv_read(c, &f, &n), 1);
		assert_int_equal(n, nitems(row));
		for (i = 0; i < nitems(row); i++) {
			seed = seed * 1103515245u + 12345u;
			if (i > 0)
				assert_string_equal(f[i],
				    pool[(seed >> 16) % nitems(pool)]);
		}
	}
	assert_int_equal(csv_read(c, &f, &n), 0);
	csv_close(c);
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plain_fields_lf_and_crlf),
		cmocka_unit_test(quoted_fields_hold_commas_quotes_and_newlines),
		cmocka_unit_test(bom_and_blank_lines_are_tolerated),
		cmocka_unit_test(errors_name_line_and_column),
		cmocka_unit_test(writer_quotes_only_what_needs_it),
		cmocka_unit_test(write_then_read_round_trips),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
