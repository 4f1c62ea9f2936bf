/* tmpl: Mustache rendering, compile errors, strict mode, template sets. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json.h"
#include "tmpl.h"
#include "tmplset.h"
#include "util.h"

static struct json *
data(const char *text)
{
	struct json *v;
	char *err = NULL;

	if ((v = json_parse(text, strlen(text), &err)) == NULL)
		fail_msg("test data: %s", err);
	return v;
}

struct named {
	const char	*name;
	struct tmpl	*t;
};

static const struct tmpl *
find_named(const char *name, void *arg)
{
	struct named *p;

	for (p = arg; p->name != NULL; p++)
		if (strcmp(p->name, name) == 0)
			return p->t;
	return NULL;
}

/*
 * Renders src with json, partials given as "name", "src", ..., NULL.
 * Returns the output (caller frees); *errp (if given) gets render errors.
 */
static char *
render_full(const char *src, const char *json, int flags, char **errp, ...)
{
	struct named parts[8];
	struct json *d = data(json);
	struct tmpl *t;
	struct buf out;
	const char *pname, *psrc;
	char *err = NULL;
	size_t n = 0, i;
	va_list ap;
	int rc;

	va_start(ap, errp);
	while ((pname = va_arg(ap, const char *)) != NULL) {
		psrc = va_arg(ap, const char *);
		assert_true(n < nitems(parts) - 1);
		parts[n].name = pname;
		parts[n].t = tmpl_compile(pname, psrc, strlen(psrc), &err);
		if (parts[n].t == NULL)
			fail_msg("partial %s: %s", pname, err);
		n++;
	}
	va_end(ap);
	parts[n].name = NULL;
	if ((t = tmpl_compile("t", src, strlen(src), &err)) == NULL)
		fail_msg("compile: %s", err);
	buf_init(&out);
	rc = tmpl_render(t, d, find_named, parts, flags, &out, &err);
	if (errp != NULL)
		*errp = err;
	else if (rc != 0)
		fail_msg("render: %s", err);
	else
		assert_null(err);
	tmpl_free(t);
	for (i = 0; i < n; i++)
		tmpl_free(parts[i].t);
	json_free(d);
	return buf_steal(&out);
}

#define CHECK(src, json, flags, want) do {				\
	char *got_ = render_full((src), (json), (flags), NULL, NULL);	\
	assert_string_equal(got_, (want));				\
	free(got_);							\
} while (0)

#define CHECKP(src, json, want, ...) do {				\
	char *got_ = render_full((src), (json), TMPL_ESCAPE_HTML, NULL,	\
	    __VA_ARGS__, NULL);						\
	assert_string_equal(got_, (want));				\
	free(got_);							\
} while (0)

/* Asserts that src fails to compile with exactly message want. */
static void
compile_fails(const char *src, const char *want)
{
	struct tmpl *t;
	char *err = NULL;

	t = tmpl_compile("mail.html", src, strlen(src), &err);
	if (t != NULL)
		fail_msg("compiled: %s", src);
	assert_non_null(err);
	assert_string_equal(err, want);
	free(err);
}

static void
escaping_follows_the_mode(void **state)
{
	const char *d = "{\"x\": \"<a href=\\\"u\\\">Tom & Jerry's</a>\"}";

	CHECK("{{x}}", d, TMPL_ESCAPE_HTML,
	    "&lt;a href=&quot;u&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;");
	CHECK("{{{x}}}|{{& x }}", d, TMPL_ESCAPE_HTML,
	    "<a href=\"u\">Tom & Jerry's</a>|<a href=\"u\">Tom & Jerry's</a>");
	/* Text mode (.txt, .subject) prints values as they are. */
	CHECK("{{x}}", d, 0, "<a href=\"u\">Tom & Jerry's</a>");
	/* Template text itself is never escaped. */
	CHECK("<b>&amp;</b>", "{}", TMPL_ESCAPE_HTML, "<b>&amp;</b>");
	/* UTF-8 passes through untouched. */
	CHECK("{{x}}", "{\"x\": \"\xd0\x9b\xd1\x8c\xd0\xb2\xd1\x96\xd0\xb2\"}",
	    TMPL_ESCAPE_HTML, "\xd0\x9b\xd1\x8c\xd0\xb2\xd1\x96\xd0\xb2");
}

static void
values_print_as_scalars(void **state)
{
	CHECK("{{i}} {{f}} {{t}} {{n}}|{{missing}}|{{list}}{{obj}}",
	    "{\"i\": 12, \"f\": 1.5, \"t\": true, \"n\": null, \"list\": [1],"
	    " \"obj\": {\"a\": 1}}", 0, "12 1.5 true ||");
}

static void
sections_iterate_and_push_context(void **state)
{
	const char *d = "{\"who\": \"team\", \"steps\": ["
	    "{\"text\": \"call\", \"due\": \"Mon\"},"
	    "{\"text\": \"send\", \"owner\": \"Oksana\"}],"
	    "\"p\": {\"slug\": \"lviv\"}, \"yes\": true, \"no\": false,"
	    "\"empty\": \"\", \"zero\": 0, \"none\": [], \"obj\": {},"
	    "\"names\": [\"a\", \"b\"], \"word\": \"hi\"}";

	/* Lists: once per item, parents visible, owner falls back to who. */
	CHECK("{{#steps}}{{text}}/{{#due}}{{due}}{{/due}}/{{owner}}{{who}};"
	    "{{/steps}}", d, 0, "call/Mon/team;send//Oksanateam;");
	CHECK("{{#p}}{{slug}}{{/p}}", d, 0, "lviv");
	CHECK("{{#names}}[{{.}}]{{/names}}", d, 0, "[a][b]");
	CHECK("{{#word}}{{.}}!{{/word}}", d, 0, "hi!");
	/* Truthiness: false, "", 0, [] and missing are falsey; {} is not. */
	CHECK("{{#yes}}Y{{/yes}}{{#no}}N{{/no}}{{#empty}}E{{/empty}}"
	    "{{#zero}}Z{{/zero}}{{#none}}L{{/none}}{{#obj}}O{{/obj}}"
	    "{{#nope}}M{{/nope}}", d, 0, "YO");
	CHECK("{{^yes}}Y{{/yes}}{{^no}}N{{/no}}{{^empty}}E{{/empty}}"
	    "{{^zero}}Z{{/zero}}{{^none}}L{{/none}}{{^obj}}O{{/obj}}"
	    "{{^nope}}M{{/nope}}", d, 0, "NEZLM");
	/* Nested sections with the same name close correctly. */
	CHECK("{{#yes}}a{{#yes}}b{{/yes}}c{{/yes}}", d, 0, "abc");
}

static void
dotted_names_resolve_strictly(void **state)
{
	const char *d = "{\"a\": {\"b\": {\"c\": \"deep\"}}, \"c\": \"top\","
	    "\"x\": {\"y\": {}}, \"y\": {\"z\": \"wrong\"}}";

	CHECK("{{a.b.c}}", d, 0, "deep");
	CHECK("{{#a}}{{b.c}}{{/a}}", d, 0, "deep");
	CHECK("{{a.b.z}}|{{a.q.c}}", d, 0, "|");
	/* The first part found stops the search: no fall back to "y". */
	CHECK("{{#x}}{{y.z}}{{/x}}", d, 0, "");
	CHECK("{{#a.b}}{{c}}{{/a.b}}", d, 0, "deep");
}

static void
standalone_lines_vanish(void **state)
{
	const char *d = "{\"l\": [1, 2], \"t\": true}";

	CHECK("Hello\n{{#l}}\n  item {{.}}\n{{/l}}\nbye\n", d, 0,
	    "Hello\n  item 1\n  item 2\nbye\n");
	CHECK("a\r\n  {{#t}}  \r\nb\r\n\t{{/t}}\r\nc", d, 0, "a\r\nb\r\nc");
	CHECK("x\n  {{! note }}\ny\n", d, 0, "x\ny\n");
	CHECK("{{^t}}\nno\n{{/t}}\nend", d, 0, "end");
	/* Not alone on the line: kept as written. */
	CHECK(" {{#t}}yes{{/t}} \n", d, 0, " yes \n");
	CHECK("v: {{t}}\n", d, 0, "v: true\n");
	/* A multi-line standalone comment. */
	CHECK("a\n{{!\n long\n}}\nb", d, 0, "a\nb");
}

static void
partials_render_and_indent(void **state)
{
	char *got, *err = NULL;

	CHECKP("[{{> sig }}]", "{\"name\": \"Ann\"}", "[-- Ann]",
	    "sig", "-- {{name}}");
	/* Missing partials render as nothing (spec). */
	CHECKP("[{{>nope}}]", "{}", "[]", "sig", "x");
	/* Standalone: indentation goes before each line of the partial. */
	CHECKP("list:\n  {{>item}}\nend\n", "{\"v\": \"1\\n2\"}",
	    "list:\n  <\n  1\n2\n  >\nend\n", "item", "<\n{{{v}}}\n>\n");
	/* Nested standalone partials add up their indentation. */
	CHECKP("{{>outer}}", "{}", "A\n  B\n  C\nD\n",
	    "outer", "A\n  {{>inner}}\nD\n", "inner", "B\nC\n");
	/* Partials see the context of the tag. */
	CHECKP("{{#p}}{{>slug}}{{/p}}", "{\"p\": {\"s\": \"kyiv\"}}", "kyiv",
	    "slug", "{{s}}");
	/* Endless recursion is stopped, not followed. */
	got = render_full("{{>me}}", "{}", 0, &err, "me", "x{{>me}}", NULL);
	assert_non_null(err);
	assert_non_null(strstr(err, "me:1: partial 'me' nested too deep"));
	free(err);
	free(got);
}

static void
delimiters_can_change(void **state)
{
	const char *d = "{\"x\": \"<1>\", \"s\": true}";

	CHECK("{{=<% %>=}}<% x %> {{x}} <%={{ }}=%>{{x}}", d, 0,
	    "<1> {{x}} <1>");
	CHECK("{{=[ ]=}}[#s][{x}][/s]", d, TMPL_ESCAPE_HTML, "<1>");
	CHECK("a\n{{=| |=}}\n|x|\n", d, TMPL_ESCAPE_HTML, "a\n&lt;1&gt;\n");
	/* Partials start with the default delimiters again. */
	CHECKP("{{=| |=}}|>p|", "{\"x\": \"y\"}", "y", "p", "{{x}}");
}

static void
compile_errors_name_the_line(void **state)
{
	compile_fails("Hi\n{{#steps}}\n{{text}}\n",
	    "mail.html:2: unclosed section 'steps'");
	compile_fails("{{#a}}\n{{#b}}\n{{/a}}\n{{/b}}",
	    "mail.html:3: mismatched close tag 'a': section 'b' opened at "
	    "line 2 is still open");
	compile_fails("x\n\n{{/a}}", "mail.html:3: unexpected close tag 'a'");
	compile_fails("a\nb {{name\nc", "mail.html:2: unclosed tag (no '}}')");
	compile_fails("{{{raw}}", "mail.html:1: unclosed tag (no '}}}')");
	compile_fails("\n{{=<%>=}}", "mail.html:2: bad delimiter: want two "
	    "delimiters, as in {{=<% %>=}}");
	compile_fails("{{=<% %> x=}}", "mail.html:1: bad delimiter: want "
	    "two delimiters, as in {{=<% %>=}}");
	compile_fails("{{=a= b=}}",
	    "mail.html:1: bad delimiter: must not contain '='");
	compile_fails("{{ }}", "mail.html:1: empty tag");
	compile_fails("{{first name}}", "mail.html:1: bad tag name "
	    "'first name'");
	compile_fails("{{a..b}}", "mail.html:1: bad tag name 'a..b'");
	compile_fails("{{<parent}}{{/parent}}", "mail.html:1: unsupported tag "
	    "'{{<' (template inheritance)");
	compile_fails("{{>*dyn}}", "mail.html:1: unsupported tag '{{>*' "
	    "(dynamic names)");
	/* A comment spanning lines still counts the lines after it. */
	compile_fails("{{!\n\n}}\n{{#x}}", "mail.html:4: unclosed section 'x'");
}

static void
strict_mode_reports_missing_names(void **state)
{
	char *got, *err = NULL;

	got = render_full("Hi {{name}},\n{{#steps}}{{text}} {{due}}\n"
	    "{{/steps}}{{#gone}}x{{/gone}}{{>footer}}{{obj}}",
	    "{\"name\": \"Ann\", \"steps\": [{\"text\": \"a\"},"
	    " {\"text\": \"b\"}], \"obj\": {}}", TMPL_STRICT, &err, NULL);
	/* The output is complete anyway. */
	assert_string_equal(got, "Hi Ann,\na \nb \n");
	assert_non_null(err);
	/* One line per problem; the miss inside the loop only once. */
	assert_string_equal(err, "t:2: 'due' is missing\n"
	    "t:3: section 'gone' is missing\n"
	    "t:3: partial 'footer' not found\n"
	    "t:3: 'obj' is a list or an object, not a value");
	free(err);
	free(got);

	/* Null is present, not missing. */
	got = render_full("[{{n}}]", "{\"n\": null}", TMPL_STRICT, &err, NULL);
	assert_null(err);
	assert_string_equal(got, "[]");
	free(got);
}

static void
compiled_template_is_reusable(void **state)
{
	struct tmpl *t;
	struct json *d1 = data("{\"n\": 1}"), *d2 = data("{\"n\": 2}");
	struct buf out;
	char *err;
	int i;

	t = tmpl_compile("r", "n={{n}};", 8, &err);
	assert_non_null(t);
	assert_string_equal(tmpl_name(t), "r");
	buf_init(&out);
	for (i = 0; i < 3; i++) {
		assert_int_equal(tmpl_render(t, d1, NULL, NULL, 0, &out, &err),
		    0);
		assert_int_equal(tmpl_render(t, d2, NULL, NULL, 0, &out, &err),
		    0);
	}
	assert_string_equal(out.data, "n=1;n=2;n=1;n=2;n=1;n=2;");
	buf_reset(&out);
	/* No data at all: everything renders empty. */
	assert_int_equal(tmpl_render(t, NULL, NULL, NULL, 0, &out, &err), 0);
	assert_string_equal(out.data, "n=;");
	buf_free(&out);
	tmpl_free(t);
	json_free(d1);
	json_free(d2);
}

/* Template sets on disk */

static void
put(const char *dir, const char *rel, const char *text)
{
	char *path = xasprintf("%s/%s", dir, rel);
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	free(path);
}

static char *
make_set_dir(void)
{
	char tmpl[] = "/tmp/mistok-tmpl-XXXXXX";
	char *dir, *p;

	assert_non_null(mkdtemp(tmpl));
	dir = xstrdup(tmpl);
	p = xasprintf("%s/en", dir);
	assert_int_equal(mkdir(p, 0700), 0);
	free(p);
	p = xasprintf("%s/uk", dir);
	assert_int_equal(mkdir(p, 0700), 0);
	free(p);
	put(dir, "en/reminder.subject", "Reminder:\n{{text}}\r\n");
	/* A standalone partial's line takes its newline away (spec). */
	put(dir, "en/reminder.txt", "Dear {{name}},\n{{text}}\n{{>footer}}\n");
	put(dir, "en/reminder.html", "<p>{{text}}</p>\n{{>footer}}\n");
	put(dir, "en/_footer.txt", "-- {{team}}");
	put(dir, "en/_footer.html", "<i>{{team}}</i>");
	put(dir, "en/digest.subject", "Digest");
	put(dir, "en/digest.txt", "{{#items}}* {{.}}\n{{/items}}");
	put(dir, "uk/reminder.subject",
	    "\xd0\x9d\xd0\xb0\xd0\xb3\xd0\xb0\xd0\xb4\xd1\x83\xd0\xb2\xd0\xb0"
	    "\xd0\xbd\xd0\xbd\xd1\x8f: {{text}}");
	put(dir, "uk/reminder.txt", "{{name}}: {{text}}\n{{>footer}}");
	put(dir, "uk/_footer.txt", "-- {{team}} (uk)");
	put(dir, "uk/.swap", "ignored");
	put(dir, "uk/reminder.txt~", "ignored {{#");
	return dir;
}

/* Setup and teardown, so a failed assertion still removes the dir. */
static int
set_dir_setup(void **state)
{
	*state = make_set_dir();
	return 0;
}

static int
set_dir_teardown(void **state)
{
	char *cmd = xasprintf("rm -rf '%s'", (char *)*state);
	int rc = system(cmd);

	free(cmd);
	free(*state);
	return rc == 0 ? 0 : -1;
}

static char *
set_render(struct tmpl_set *set, const char *name, const char *lang,
    const char *part, const struct json *d)
{
	struct buf out;
	char *err = NULL;

	buf_init(&out);
	if (tmpl_set_render(set, name, lang, part, d, &out, &err) != 0)
		fail_msg("%s/%s.%s: %s", lang, name, part, err);
	assert_null(err);
	return buf_steal(&out);
}

static void
collect(const char *name, const char *lang, void *arg)
{
	buf_printf(arg, "%s/%s ", lang, name);
}

#define SET_CHECK(set, name, lang, part, d, want) do {			\
	char *got_ = set_render((set), (name), (lang), (part), (d));	\
	assert_string_equal(got_, (want));				\
	free(got_);							\
} while (0)

static void
set_loads_and_renders(void **state)
{
	char *dir = *state, *err = NULL;
	struct json *d = data("{\"name\": \"Ann & Bo\", \"team\": \"C4C\","
	    "\"text\": \"call <Lviv>\\nsoon\", \"items\": [\"a\", \"b\"]}");
	struct tmpl_set *set;
	struct buf errors, out;

	buf_init(&errors);
	set = tmpl_set_load(dir, &errors);
	if (set == NULL)
		fail_msg("load: %s", errors.data);
	assert_int_equal(errors.len, 0);

	SET_CHECK(set, "reminder", "en", "txt", d,
	    "Dear Ann & Bo,\ncall <Lviv>\nsoon\n-- C4C");
	SET_CHECK(set, "reminder", "en", "html", d,
	    "<p>call &lt;Lviv&gt;\nsoon</p>\n<i>C4C</i>");
	/* A subject is one line, whatever the template and data hold. */
	SET_CHECK(set, "reminder", "en", "subject", d,
	    "Reminder: call <Lviv> soon");
	/* uk partials come from uk/. */
	SET_CHECK(set, "reminder", "uk", "txt", d,
	    "Ann & Bo: call <Lviv>\nsoon\n-- C4C (uk)");
	/* digest exists only in en: uk falls back to it. */
	SET_CHECK(set, "digest", "uk", "txt", d, "* a\n* b\n");
	assert_true(tmpl_set_has(set, "reminder", "en", "html"));
	assert_false(tmpl_set_has(set, "reminder", "uk", "html"));
	assert_false(tmpl_set_has(set, "digest", "uk", "txt"));
	assert_false(tmpl_set_has(set, "footer", "en", "txt"));

	/* Templates only, no partials, each language once. */
	tmpl_set_foreach(set, collect, &errors);
	assert_string_equal(errors.data, "en/digest en/reminder uk/reminder ");
	buf_reset(&errors);

	/* The names mistok needs: present in one language is enough. */
	{
		const char *const need[] = { "reminder", "digest", "invite",
		    "footer", NULL };
		char *expect;

		assert_int_equal(tmpl_set_require(set, need, &errors), 2);
		expect = xasprintf("%1$s: template 'invite' is missing (no "
		    "en/invite.txt nor uk/invite.txt)\n%1$s: template 'footer' "
		    "is missing (no en/footer.txt nor uk/footer.txt)\n", dir);
		assert_string_equal(errors.data, expect);
		free(expect);
		buf_reset(&errors);
	}

	/* reminder exists in uk without html: no mixing of languages. */
	buf_init(&out);
	assert_int_equal(tmpl_set_render(set, "reminder", "uk", "html", d,
	    &out, &err), -1);
	assert_string_equal(err, "template reminder has no html part in uk");
	free(err);
	assert_int_equal(tmpl_set_render(set, "nosuch", "en", "txt", d,
	    &out, &err), -1);
	assert_string_equal(err, "unknown template 'nosuch'");
	free(err);
	assert_int_equal(tmpl_set_render(set, "reminder", "de", "txt", d,
	    &out, &err), -1);
	assert_non_null(strstr(err, "unknown language 'de'"));
	free(err);
	assert_int_equal(tmpl_set_render(set, "footer", "en", "txt", d,
	    &out, &err), -1);	/* partials are not templates */
	free(err);

	/* Strict mode for `template check`. */
	tmpl_set_strict(set, 1);
	buf_reset(&out);
	assert_int_equal(tmpl_set_render(set, "reminder", "en", "txt",
	    NULL, &out, &err), -1);
	assert_non_null(strstr(err, "/en/reminder.txt:1: 'name' is missing"));
	assert_non_null(strstr(err, "/en/_footer.txt:1: 'team' is missing"));
	free(err);
	buf_free(&out);

	tmpl_set_free(set);
	buf_free(&errors);
	json_free(d);
}

static void
set_names_every_broken_file(void **state)
{
	char *dir = *state, *expect;
	struct tmpl_set *set;
	struct buf errors;

	put(dir, "uk/digest.subject", "ok");
	put(dir, "uk/digest.txt", "line\n{{#items}}\n{{/item}}\n");
	put(dir, "en/welcome.txt", "{{>header}}\n");	/* no .subject */
	put(dir, "en/notes.md", "what");
	put(dir, "en/bad.html", "x\xc3\x28y");	/* but no .txt either */

	buf_init(&errors);
	buf_adds(&errors, "earlier\n");		/* appended to, kept */
	set = tmpl_set_load(dir, &errors);
	assert_null(set);
	expect = xasprintf("earlier\n"
	    "%1$s/en/bad.html:1: not valid UTF-8\n"
	    "%1$s/en/notes.md: not a template file name (NAME.subject, "
	    "NAME.txt, NAME.html, or _NAME.* for a partial; NAME is "
	    "[A-Za-z0-9_-])\n"
	    "%1$s/uk/digest.txt:3: mismatched close tag 'item': section "
	    "'items' opened at line 2 is still open\n"
	    "%1$s/en/welcome.txt:1: partial 'header' not found (no "
	    "_header.txt in en/)\n"
	    "%1$s/en/welcome.subject: missing (every template needs .subject "
	    "and .txt)\n", dir);
	assert_string_equal(errors.data, expect);
	free(expect);
	buf_free(&errors);

	/* A missing language directory is an error too. */
	{
		char *cmd = xasprintf("rm -rf '%s/uk'", dir);

		assert_int_equal(system(cmd), 0);
		free(cmd);
	}
	put(dir, "en/welcome.subject", "w");
	put(dir, "en/_header.txt", "h");
	put(dir, "en/bad.html", "fixed");
	put(dir, "en/bad.subject", "s");
	put(dir, "en/bad.txt", "t");
	expect = xasprintf("%s/en/notes.md", dir);
	assert_int_equal(unlink(expect), 0);
	free(expect);
	buf_init(&errors);
	assert_null(tmpl_set_load(dir, &errors));
	expect = xasprintf("%s/uk: No such file or directory\n", dir);
	assert_string_equal(errors.data, expect);
	free(expect);
	buf_free(&errors);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(escaping_follows_the_mode),
		cmocka_unit_test(values_print_as_scalars),
		cmocka_unit_test(sections_iterate_and_push_context),
		cmocka_unit_test(dotted_names_resolve_strictly),
		cmocka_unit_test(standalone_lines_vanish),
		cmocka_unit_test(partials_render_and_indent),
		cmocka_unit_test(delimiters_can_change),
		cmocka_unit_test(compile_errors_name_the_line),
		cmocka_unit_test(strict_mode_reports_missing_names),
		cmocka_unit_test(compiled_template_is_reusable),
		cmocka_unit_test_setup_teardown(set_loads_and_renders,
		    set_dir_setup, set_dir_teardown),
		cmocka_unit_test_setup_teardown(set_names_every_broken_file,
		    set_dir_setup, set_dir_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
