/* json: strict parsing, the value tree, and the writer's escaping. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "util.h"

static struct json *
parse_ok(const char *text)
{
	struct json *v;
	char *err = NULL;

	v = json_parse(text, strlen(text), &err);
	if (v == NULL)
		fail_msg("parse of %s failed: %s", text, err);
	assert_null(err);
	return v;
}

/* Asserts that text is rejected and that the message contains want. */
static void
parse_fails(const char *text, size_t len, const char *want)
{
	struct json *v;
	char *err = NULL;

	v = json_parse(text, len, &err);
	if (v != NULL)
		fail_msg("accepted invalid JSON: %.*s", (int)len, text);
	assert_non_null(err);
	if (want != NULL && strstr(err, want) == NULL)
		fail_msg("error \"%s\" lacks \"%s\"", err, want);
	free(err);
}

#define REJECT(s, want) parse_fails((s), sizeof(s) - 1, (want))

/* Writes v compactly; returns a string the caller frees. */
static char *
write_compact(const struct json *v)
{
	struct buf b;

	buf_init(&b);
	json_write(&b, v, 0);
	return buf_steal(&b);
}

static void
parses_nested_values(void **state)
{
	struct json *v = parse_ok(" {\"a\": [1, true, false, null, \"x\"],"
	    " \"b\": {\"c\": {}}, \"d\": []}\r\n");
	struct json *a = json_get(v, "a");

	assert_int_equal(v->type, JSON_OBJECT);
	assert_int_equal(v->len, 3);
	assert_string_equal(v->members[0].key, "a");
	assert_int_equal(a->type, JSON_ARRAY);
	assert_int_equal(a->len, 5);
	assert_int_equal(json_at(a, 0)->integer, 1);
	assert_int_equal(json_at(a, 1)->type, JSON_BOOL);
	assert_true(json_at(a, 1)->boolean);
	assert_false(json_at(a, 2)->boolean);
	assert_int_equal(json_at(a, 3)->type, JSON_NULL);
	assert_string_equal(json_str(json_at(a, 4)), "x");
	assert_null(json_at(a, 5));
	assert_int_equal(json_get(json_get(v, "b"), "c")->type, JSON_OBJECT);
	assert_int_equal(json_get(v, "d")->len, 0);
	assert_null(json_get(v, "missing"));
	assert_null(json_get(a, "a"));		/* not an object */
	json_free(v);

	/* Any value may be the top level. */
	v = parse_ok("\"only\"");
	assert_string_equal(json_str(v), "only");
	json_free(v);
	v = parse_ok("null");
	assert_int_equal(v->type, JSON_NULL);
	json_free(v);
}

static void
numbers_are_strict(void **state)
{
	struct json *v;

	v = parse_ok("[0, -0, 42, -17, 9223372036854775807, "
	    "9223372036854775808, 1.5, -2.25e2, 1E3, 0.001, 1e-400]");
	assert_true(json_at(v, 0)->is_int);
	assert_int_equal(json_at(v, 2)->integer, 42);
	assert_int_equal(json_at(v, 3)->integer, -17);
	assert_true(json_at(v, 4)->is_int);
	assert_true(json_at(v, 4)->integer == INT64_MAX);
	/* Beyond int64: still a number, as a double. */
	assert_false(json_at(v, 5)->is_int);
	assert_true(json_at(v, 5)->number > 9.2e18);
	assert_false(json_at(v, 6)->is_int);
	assert_true(json_at(v, 6)->number == 1.5);
	assert_true(json_at(v, 7)->number == -225.0);
	assert_true(json_at(v, 8)->number == 1000.0);
	assert_true(json_at(v, 9)->number == 0.001);
	assert_true(json_at(v, 10)->number == 0.0);	/* underflow is 0 */
	json_free(v);

	REJECT("01", "leading zero");
	REJECT("-", "bad number");
	REJECT("+1", "unexpected character");
	REJECT("1.", "fraction");
	REJECT(".5", "unexpected character");
	REJECT("1e", "exponent");
	REJECT("1e+", "exponent");
	REJECT("0x10", "trailing garbage");
	REJECT("1e999", "out of range");
	REJECT("-1e999", "out of range");
	REJECT("NaN", "unexpected character");
	REJECT("Infinity", "unexpected character");
}

static void
string_escapes_decode(void **state)
{
	struct json *v;

	v = parse_ok("[\"a\\\"b\\\\c\\/d\", \"\\b\\f\\n\\r\\t\", "
	    "\"\\u00e9\\u0416\", \"\\ud83d\\ude00\", \"\\uD834\\uDD1E\", "
	    "\"\xd0\x9a\xd0\xb8\xd1\x97\xd0\xb2 \xf0\x9f\x98\x80\"]");
	assert_string_equal(json_str(json_at(v, 0)), "a\"b\\c/d");
	assert_string_equal(json_str(json_at(v, 1)), "\b\f\n\r\t");
	assert_string_equal(json_str(json_at(v, 2)), "\xc3\xa9\xd0\x96");
	assert_string_equal(json_str(json_at(v, 3)), "\xf0\x9f\x98\x80");
	assert_string_equal(json_str(json_at(v, 4)), "\xf0\x9d\x84\x9e");
	assert_string_equal(json_str(json_at(v, 5)),
	    "\xd0\x9a\xd0\xb8\xd1\x97\xd0\xb2 \xf0\x9f\x98\x80");
	json_free(v);

	REJECT("\"\\ud83d\"", "lone high surrogate");
	REJECT("\"\\ud83dx\"", "lone high surrogate");
	REJECT("\"\\ud83d\\u0041\"", "bad low surrogate");
	REJECT("\"\\ude00\"", "lone low surrogate");
	REJECT("\"\\u0000\"", "\\u0000");
	REJECT("\"\\u12zz\"", "hex digit");
	REJECT("\"\\u12", "truncated");
	REJECT("\"\\x41\"", "bad escape");
	REJECT("\"tab\there\"", "control character");
	REJECT("\"line\nbreak\"", "control character");
	REJECT("\"open", "unterminated string");
	REJECT("'single'", "unexpected character");
}

static void
invalid_utf8_is_rejected(void **state)
{
	REJECT("\"\xc0\xaf\"", "UTF-8");		/* overlong '/' */
	REJECT("\"\xe0\x80\xaf\"", "UTF-8");		/* overlong, 3 bytes */
	REJECT("\"\xf0\x80\x80\xaf\"", "UTF-8");	/* overlong, 4 bytes */
	REJECT("\"\xed\xa0\x80\"", "UTF-8");		/* encoded surrogate */
	REJECT("\"\xf4\x90\x80\x80\"", "UTF-8");	/* above U+10FFFF */
	REJECT("\"\xf5\x80\x80\x80\"", "UTF-8");
	REJECT("\"\xd0\"", "UTF-8");			/* truncated */
	REJECT("\"\x80\"", "UTF-8");			/* lone continuation */
	REJECT("\"\xff\"", "UTF-8");
	REJECT("\"\xe2\x82\"", "UTF-8");

	assert_true(json_utf8_valid("\xe2\x82\xac \xf4\x8f\xbf\xbf", 8));
	assert_false(json_utf8_valid("\xe2\x82", 2));
	assert_true(json_utf8_valid("", 0));
}

static void
nesting_depth_is_limited(void **state)
{
	struct buf b;
	struct json *v;
	char *err = NULL;
	int i;

	/* Exactly the limit, alternating {"k":[{"k":[... */
	buf_init(&b);
	for (i = 0; i < JSON_MAX_DEPTH; i++)
		buf_adds(&b, i % 2 ? "[" : "{\"k\":");
	buf_adds(&b, "1");
	for (i = JSON_MAX_DEPTH - 1; i >= 0; i--)
		buf_addc(&b, i % 2 ? ']' : '}');
	v = json_parse(b.data, b.len, &err);
	if (v == NULL)
		fail_msg("depth %d refused: %s", JSON_MAX_DEPTH, err);
	json_free(v);

	/* One level more fails cleanly. */
	buf_reset(&b);
	for (i = 0; i <= JSON_MAX_DEPTH; i++)
		buf_addc(&b, '[');
	for (i = 0; i <= JSON_MAX_DEPTH; i++)
		buf_addc(&b, ']');
	parse_fails(b.data, b.len, "nesting too deep");

	/* And a hostile depth does not blow the stack. */
	buf_reset(&b);
	for (i = 0; i < 100000; i++)
		buf_addc(&b, '[');
	parse_fails(b.data, b.len, "nesting too deep");
	buf_free(&b);
}

static void
garbage_and_structure_errors(void **state)
{
	struct json *v;
	char *err = NULL;

	REJECT("{} x", "trailing garbage");
	REJECT("1 2", "trailing garbage");
	REJECT("[1] ]", "trailing garbage");
	REJECT("", "end of input");
	REJECT("   ", "end of input");
	REJECT("[1,]", "unexpected character");
	REJECT("[1 2]", "expected ',' or ']'");
	REJECT("{\"a\" 1}", "expected ':'");
	REJECT("{\"a\":1,}", "string key");
	REJECT("{a:1}", "string key");
	REJECT("[1", "unterminated array");
	REJECT("{\"a\":1", "unterminated object");
	REJECT("tru", "unexpected character");
	REJECT("nul", "unexpected character");
	REJECT("{\"a\":1,\"b\":2,\"a\":3}", "duplicate key \"a\"");
	REJECT("\xef\xbb\xbf{}", "byte order mark");
	/* Embedded NUL: the length is what counts. */
	parse_fails("{}\0{}", 5, "trailing garbage");

	/* Errors say where: line and column. */
	v = json_parse("{\n  \"a\": [1,\n  2,, 3]\n}", 23, &err);
	assert_null(v);
	assert_non_null(err);
	assert_true(strncmp(err, "3:5: ", 5) == 0);
	free(err);
}

static void
writer_escapes_strings(void **state)
{
	struct buf b;

	buf_init(&b);
	json_write_string(&b, "q\" b\\ s/ \x01\x1f\x7f\b\f\n\r\t");
	assert_string_equal(b.data,
	    "\"q\\\" b\\\\ s/ \\u0001\\u001f\x7f\\b\\f\\n\\r\\t\"");
	buf_reset(&b);
	/* Non-ASCII passes through as UTF-8, never as \u escapes. */
	json_write_string(&b, "\xd0\x9c\xd1\x96\xd1\x81\xd1\x82\xd0\xbe\xd0\xba"
	    " \xe2\x82\xac \xf0\x9f\x98\x80");
	assert_string_equal(b.data, "\"\xd0\x9c\xd1\x96\xd1\x81\xd1\x82\xd0\xbe"
	    "\xd0\xba \xe2\x82\xac \xf0\x9f\x98\x80\"");
	buf_reset(&b);
	/* Invalid UTF-8 becomes U+FFFD so the output stays valid JSON. */
	json_write_string(&b, "a\xff" "b\xd0");
	assert_string_equal(b.data, "\"a\xef\xbf\xbd" "b\xef\xbf\xbd\"");
	buf_reset(&b);
	json_write_stringn(&b, "ab\0cd", 5);
	assert_string_equal(b.data, "\"ab\\u0000cd\"");
	buf_free(&b);
}

static void
writer_round_trips(void **state)
{
	const char *src = "{\"name\":\"\xd0\x9a\xd0\xb8\xd1\x97\xd0\xb2\","
	    "\"n\":[0,-3,1.21,0.1,1e+300,-2.5e-05,123456789012345],"
	    "\"ok\":true,\"no\":null,\"s\":\"a\\\"\\\\\\n\\u0001\","
	    "\"o\":{},\"a\":[]}";
	struct json *v = parse_ok(src), *w;
	char *out, *out2, *err = NULL;

	out = write_compact(v);
	assert_string_equal(out, src);
	w = json_parse(out, strlen(out), &err);
	assert_non_null(w);
	out2 = write_compact(w);
	assert_string_equal(out, out2);
	free(out);
	free(out2);
	json_free(v);
	json_free(w);
}

static void
building_and_pretty_output(void **state)
{
	struct json *o = json_object(), *a;
	struct buf b;
	char *s;

	json_set_int(o, "id", 12);
	json_set_string(o, "slug", "lviv-madison");
	json_set_string(o, "partnership", NULL);	/* null */
	a = json_set(o, "to", json_array());
	json_append(a, json_string("a@example.org"));
	json_append(a, json_number(0.5));
	json_append(a, json_number(NAN));		/* not finite: null */
	json_append(a, json_bool(1));
	json_set(o, "slug", json_string("kyiv-austin"));  /* replaces */
	s = write_compact(o);
	assert_string_equal(s, "{\"id\":12,\"slug\":\"kyiv-austin\","
	    "\"partnership\":null,\"to\":[\"a@example.org\",0.5,null,true]}");
	free(s);

	buf_init(&b);
	json_write(&b, o, JSON_PRETTY);
	assert_string_equal(b.data, "{\n  \"id\": 12,\n  \"slug\": "
	    "\"kyiv-austin\",\n  \"partnership\": null,\n  \"to\": [\n"
	    "    \"a@example.org\",\n    0.5,\n    null,\n    true\n  ]\n}\n");
	buf_reset(&b);
	json_write(&b, json_get(o, "missing") ? o : json_get(o, "slug"), 0);
	assert_string_equal(b.data, "\"kyiv-austin\"");
	buf_free(&b);

	a = json_array();
	s = write_compact(a);
	assert_string_equal(s, "[]");
	free(s);
	buf_init(&b);
	json_write(&b, a, JSON_PRETTY);
	assert_string_equal(b.data, "[]\n");
	buf_free(&b);
	json_free(a);
	json_free(o);
}

static void
doubles_print_shortest(void **state)
{
	static const struct {
		double		 d;
		const char	*want;
	} cases[] = {
		{ 1.21, "1.21" }, { 0.1, "0.1" }, { 3.0, "3" },
		{ 1e21, "1e+21" }, { -0.5, "-0.5" },
		{ 0.30000000000000004, "0.30000000000000004" },
		{ 123456.789, "123456.789" },
	};
	struct json *v;
	char *s;
	size_t i;

	for (i = 0; i < nitems(cases); i++) {
		v = json_number(cases[i].d);
		s = write_compact(v);
		assert_string_equal(s, cases[i].want);
		free(s);
		json_free(v);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_nested_values),
		cmocka_unit_test(numbers_are_strict),
		cmocka_unit_test(string_escapes_decode),
		cmocka_unit_test(invalid_utf8_is_rejected),
		cmocka_unit_test(nesting_depth_is_limited),
		cmocka_unit_test(garbage_and_structure_errors),
		cmocka_unit_test(writer_escapes_strings),
		cmocka_unit_test(writer_round_trips),
		cmocka_unit_test(building_and_pretty_output),
		cmocka_unit_test(doubles_print_shortest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
