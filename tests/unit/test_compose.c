/*
 * compose and mailtmpl: messages parse back with mime_parse() to what was
 * put in; no header injection through names, subjects or template data;
 * HTML escaped in the HTML part only; 7-bit, CRLF, short lines; threading
 * continuation; own ids; the template set of the source tree.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <glib.h>

#include "compose.h"
#include "config.h"
#include "db.h"
#include "json.h"
#include "mailtmpl.h"
#include "mime.h"
#include "thread.h"
#include "tmplset.h"
#include "util.h"

#define DOMAIN	"c4c.test"
#define NOW	1772445600	/* 2026-03-02T10:00:00Z */

static char tmpdir[] = "/tmp/mistok-test-compose.XXXXXX";

static int
setup(void **state)
{
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	mime_init();
	clock_set_fake(NOW);
	return 0;
}

static int
teardown(void **state)
{
	char *cmd = xasprintf("rm -rf '%s'", tmpdir);
	int rc = system(cmd);

	free(cmd);
	clock_set_fake(0);
	mime_shutdown();
	return rc == 0 ? 0 : -1;
}

static struct compose *
basic(void)
{
	struct compose *c = compose_new("Cities4Cities — команда",
	    "team@" DOMAIN, DOMAIN);

	compose_add_to(c, "Олена Коваль", "Olena@Lviv.test");
	return c;
}

/* Writes c; fails the test on an error. Caller frees the result. */
static char *
write_ok(struct compose *c, size_t *len)
{
	struct buf b;
	char *err = NULL;

	buf_init(&b);
	if (compose_write(c, &b, &err) != 0)
		fail_msg("compose_write: %s", err);
	*len = b.len;
	return buf_steal(&b);
}

static struct msg *
parse(const char *raw, size_t len)
{
	struct mime_opts o = { DOMAIN, 0, 0 };
	struct msg *m = NULL;

	assert_int_equal(mime_parse(raw, len, &o, &m), 0);
	assert_non_null(m);
	return m;
}

/* The raw header block (up to the first empty line), as a new string. */
static char *
header_block(const char *raw)
{
	const char *e = strstr(raw, "\r\n\r\n");

	assert_non_null(e);
	return xstrndup(raw, (size_t)(e - raw) + 2);
}

/* Number of header fields (lines not starting with blanks) named name. */
static int
count_fields(const char *raw, const char *name)
{
	char *h = header_block(raw), *p = h;
	size_t n = strlen(name);
	int count = 0;

	for (;;) {
		if (strncasecmp(p, name, n) == 0 && p[n] == ':')
			count++;
		if ((p = strstr(p, "\r\n")) == NULL)
			break;
		p += 2;
	}
	free(h);
	return count;
}

/* Decodes the quoted-printable body of the part of the given type. */
static char *
qp_part(const char *raw, const char *type)
{
	const char *p = strcasestr(raw, type), *b, *e;
	struct buf out;

	assert_non_null(p);
	b = strstr(p, "\r\n\r\n");
	assert_non_null(b);
	b += 4;
	e = strstr(b, "\r\n--");
	assert_non_null(e);
	buf_init(&out);
	buf_adds(&out, "");
	while (b < e) {
		if (b[0] == '=' && b + 2 < e && b[1] == '\r' && b[2] == '\n')
			b += 3;
		else if (b[0] == '=' && b + 2 < e && g_ascii_isxdigit(b[1]) &&
		    g_ascii_isxdigit(b[2])) {
			buf_addc(&out, g_ascii_xdigit_value(b[1]) * 16 +
			    g_ascii_xdigit_value(b[2]));
			b += 3;
		} else
			buf_addc(&out, *b++);
	}
	return buf_steal(&out);
}

static void
roundtrip_cyrillic_headers_and_body(void **state)
{
	struct compose *c = basic();
	static const char text[] = "Добрий день!\nДругий рядок.\n";
	static const char html[] = "<p>Добрий день!</p>\n";
	struct msg *m;
	char *raw;
	size_t len;

	compose_add_cc(c, "Марія Шевчук", "maria@" DOMAIN);
	compose_set_subject(c, "[C4C #12] Львів і Медісон: наступні кроки");
	compose_set_text(c, text, strlen(text));
	compose_set_html(c, html, strlen(html));
	raw = write_ok(c, &len);
	m = parse(raw, len);

	assert_null(m->error);
	assert_string_equal(m->subject,
	    "[C4C #12] Львів і Медісон: наступні кроки");
	assert_string_equal(m->from.email, "team@" DOMAIN);
	assert_string_equal(m->from.name, "Cities4Cities — команда");
	assert_int_equal(m->nto, 1);
	assert_string_equal(m->to[0].name, "Олена Коваль");
	assert_string_equal(m->to[0].email, "olena@lviv.test");
	assert_int_equal(m->ncc, 1);
	assert_string_equal(m->cc[0].name, "Марія Шевчук");
	assert_non_null(strstr(m->body, "Добрий день!\nДругий рядок."));
	assert_false(m->body_from_html);
	assert_int_equal(m->date, NOW);
	assert_string_equal(m->message_id, compose_message_id(c));
	assert_true(strncmp(m->message_id, "mistok.", 7) == 0);
	assert_non_null(strstr(m->message_id, "@" DOMAIN));
	assert_int_equal(m->kind, MSG_OWN);
	assert_string_equal(m->auto_submitted, "auto-generated");
	assert_string_equal(msg_header(m, "X-Auto-Response-Suppress"),
	    "OOF, AutoReply");
	assert_string_equal(msg_header(m, "MIME-Version"), "1.0");
	assert_int_equal(count_fields(raw, "Content-Type"), 1);
	assert_non_null(strcasestr(raw, "\r\nContent-Type: "
	    "multipart/alternative;"));
	assert_string_equal(m->thread_topic,
	    "[C4C #12] Львів і Медісон: наступні кроки");
	assert_null(m->in_reply_to);
	assert_true(m->references == NULL || m->references[0] == NULL);
	{
		int reply = 1;
		char *conv = thread_conversation(m->thread_index, &reply);

		assert_non_null(conv);	/* 22 bytes: a new conversation */
		assert_int_equal(reply, 0);
		free(conv);
	}
	/* Envelope: To and Cc, lower-cased. */
	assert_string_equal(compose_rcpts(c)[0], "olena@lviv.test");
	assert_string_equal(compose_rcpts(c)[1], "maria@" DOMAIN);
	assert_null(compose_rcpts(c)[2]);
	msg_free(m);
	free(raw);
	compose_free(c);
}

static void
text_only_is_single_part(void **state)
{
	struct compose *c = basic();
	struct msg *m;
	char *raw;
	size_t len;

	compose_set_subject(c, "Hello");
	compose_set_text(c, "Hi there", 8);
	raw = write_ok(c, &len);
	m = parse(raw, len);
	assert_non_null(strcasestr(raw, "\r\nContent-Type: text/plain; "
	    "charset=utf-8\r\n"));
	assert_non_null(strcasestr(raw, "\r\nContent-Transfer-Encoding: "
	    "quoted-printable\r\n"));
	assert_null(strcasestr(raw, "multipart"));
	assert_string_equal(m->body, "Hi there\n");
	msg_free(m);
	free(raw);
	compose_free(c);
}

static const char evil[] = "Evil\r\nBcc: x@y";

/* No injected field, and the text survives inside the value. */
static void
assert_not_injected(const char *raw, size_t len)
{
	struct msg *m = parse(raw, len);
	char *h;
	size_t i;

	assert_int_equal(count_fields(raw, "Bcc"), 0);
	for (i = 0; i < m->nhdr; i++)
		assert_true(strcasecmp(m->hdr[i].name, "Bcc") != 0);
	h = header_block(raw);
	assert_null(strstr(h, "\nBcc:"));
	free(h);
	assert_int_equal(m->nto, 1);
	assert_int_equal(m->ncc, 0);
	msg_free(m);
}

static void
crlf_in_name_subject_and_header_adds_no_field(void **state)
{
	struct compose *c = compose_new(evil, "team@" DOMAIN, DOMAIN);
	struct msg *m;
	char *raw;
	size_t len;

	compose_add_to(c, evil, "olena@lviv.test");
	compose_set_subject(c, evil);
	compose_add_header(c, "X-Mistok-Note", evil);
	compose_set_thread_topic(c, evil);
	compose_set_text(c, "x", 1);
	raw = write_ok(c, &len);
	assert_not_injected(raw, len);
	m = parse(raw, len);
	assert_string_equal(m->subject, "Evil Bcc: x@y");
	assert_string_equal(m->to[0].name, "Evil Bcc: x@y");
	assert_string_equal(m->from.name, "Evil Bcc: x@y");
	assert_string_equal(m->to[0].email, "olena@lviv.test");
	msg_free(m);
	free(raw);
	compose_free(c);

	/* In an address it is an error, never a header. */
	c = compose_new("Team", "team@" DOMAIN, DOMAIN);
	compose_add_to(c, NULL, "olena@lviv.test\r\nBcc: x@y");
	compose_set_text(c, "x", 1);
	{
		struct buf b;
		char *err = NULL;

		buf_init(&b);
		assert_int_equal(compose_write(c, &b, &err), -1);
		assert_non_null(strstr(err, "not a valid To address"));
		assert_int_equal(b.len, 0);
		free(err);
		buf_free(&b);
	}
	compose_free(c);

	/* Other control characters go too. */
	raw = compose_clean("a\tb\x01\x7f c\n");
	assert_string_equal(raw, "a b c");
	free(raw);
}

static struct tmpl_set *
source_templates(void)
{
	const char *top = getenv("TOP") ? getenv("TOP") : ".";
	char *dir = xasprintf("%s/templates", top);
	struct tmpl_set *set;
	struct buf errors;

	buf_init(&errors);
	set = mailtmpl_load(dir, &errors);
	if (set == NULL)
		fail_msg("%s: %s", dir, errors.data);
	buf_free(&errors);
	free(dir);
	return set;
}

/* followup's sample data with recipient.name and ua_org replaced. */
static struct json *
followup_data(const char *name, const char *org)
{
	const char *s = mailtmpl_sample("followup");
	struct json *d;
	char *err = NULL;

	d = json_parse(s, strlen(s), &err);
	assert_non_null(d);
	json_set_string(json_get(d, "recipient"), "name", name);
	json_set_string(json_get(d, "partnership"), "ua_org", org);
	return d;
}

static char *
compose_followup(const struct tmpl_set *set, const struct json *d,
    const char *lang, size_t *len)
{
	struct mailtmpl_mail mm;
	struct compose *c = compose_new("Cities4Cities", "team@" DOMAIN,
	    DOMAIN);
	char *err = NULL, *raw;

	if (mailtmpl_render(set, "followup", lang, "uk", d, &mm, &err) != 0)
		fail_msg("render: %s", err);
	compose_add_to(c, json_str(json_get(json_get(d, "recipient"),
	    "name")), "olena@lviv.test");
	mailtmpl_to_compose(&mm, c);
	mailtmpl_mail_free(&mm);
	raw = write_ok(c, len);
	compose_free(c);
	return raw;
}

static void
crlf_in_template_value_adds_no_field(void **state)
{
	struct tmpl_set *set = source_templates();
	struct json *d = followup_data(evil, evil);
	struct msg *m;
	char *raw;
	size_t len;

	raw = compose_followup(set, d, "en", &len);
	assert_not_injected(raw, len);
	m = parse(raw, len);
	/* The subject template put ua_org in; it stayed one line. */
	assert_non_null(strstr(m->subject, "Evil Bcc: x@y"));
	msg_free(m);
	free(raw);
	json_free(d);
	tmpl_set_free(set);
}

static void
html_escaped_in_html_part_only(void **state)
{
	static const char name[] = "<script>alert('x')</script> & \"Co\"";
	struct tmpl_set *set = source_templates();
	struct json *d = followup_data(name, "Rada <b>&</b>");
	char *raw, *html, *text;
	size_t len;

	raw = compose_followup(set, d, "uk", &len);
	html = qp_part(raw, "text/html");
	text = qp_part(raw, "text/plain");
	assert_non_null(strstr(html, "&lt;script&gt;alert(&#39;x&#39;)"
	    "&lt;/script&gt; &amp; &quot;Co&quot;"));
	assert_null(strstr(html, "<script>"));
	assert_non_null(strstr(html, "Rada &lt;b&gt;&amp;&lt;/b&gt;"));
	assert_non_null(strstr(text, name));
	assert_non_null(strstr(text, "Rada <b>&</b>"));
	assert_null(strstr(text, "&lt;"));
	/* The Ukrainian templates were used. */
	assert_non_null(strstr(text, "Добрий день"));
	assert_non_null(strstr(html, "lang=\"uk\""));
	free(html);
	free(text);
	free(raw);
	json_free(d);
	tmpl_set_free(set);
}

/* 7-bit, CRLF only, every line at most max columns. */
static void
assert_wire_clean(const char *raw, size_t len, size_t max)
{
	size_t i, col = 0;

	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)raw[i];

		if (ch >= 0x80 || ch == 0)
			fail_msg("byte 0x%02x at %zu", ch, i);
		if (ch == '\n' && (i == 0 || raw[i - 1] != '\r'))
			fail_msg("bare LF at %zu", i);
		if (ch == '\r' && (i + 1 == len || raw[i + 1] != '\n'))
			fail_msg("bare CR at %zu", i);
		if (ch == '\r')
			continue;
		if (ch == '\n') {
			col = 0;
			continue;
		}
		if (++col > max)
			fail_msg("line over %zu columns at %zu: %.80s", max, i,
			    raw + i - col + 1);
	}
	assert_true(len >= 2 && raw[len - 2] == '\r' && raw[len - 1] == '\n');
}

static void
seven_bit_crlf_and_short_lines(void **state)
{
	struct compose *c;
	struct buf text;
	struct msg *m;
	char *raw, *h, *p;
	size_t len;
	int i;

	buf_init(&text);
	for (i = 0; i < 40; i++)
		buf_adds(&text, "Довгий рядок без переносів, ");
	buf_adds(&text, "\nbare LF\rbare CR\r\nCRLF\n.\nFrom here\n");
	c = compose_new("Дуже Довге Імʼя Команди Міжмуніципального "
	    "Партнерства Міст України та США", "team@" DOMAIN, DOMAIN);
	compose_add_to(c, "Олександра-Анастасія Костянтинівна "
	    "Вишневецька-Добровольська", "a@lviv.test");
	compose_add_to(c, "€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€a€€€€€€€€€€€€€€€€€€€",
	    "b@lviv.test");
	compose_set_subject(c, "Партнерство між Львівською міською радою "
	    "та містом Медісон, штат Вісконсин: наступні кроки і "
	    "домовленості про зустріч 😀 у березні");
	compose_set_text(c, text.data, text.len);
	compose_set_html(c, text.data, text.len);
	compose_add_alternative(c, "text/calendar; method=REQUEST; "
	    "charset=UTF-8", "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", 32);
	raw = write_ok(c, &len);
	assert_wire_clean(raw, len, 78);

	/* Every encoded word but a field's last carries no padding. */
	h = header_block(raw);
	for (p = strstr(h, "=?"); p != NULL; p = strstr(p, "=?")) {
		char *e = strstr(p + 2, "?=");
		const char *next;

		assert_non_null(e);
		next = e + 2;
		if (strncmp(next, "\r\n =?", 5) == 0 || strncmp(next, " =?",
		    3) == 0)
			assert_true(strncmp(p, "=?UTF-8?Q?", 10) == 0 ||
			    e[-1] != '=');
		p = e + 2;
	}
	free(h);

	m = parse(raw, len);
	assert_string_equal(m->subject, "Партнерство між Львівською міською "
	    "радою та містом Медісон, штат Вісконсин: наступні кроки і "
	    "домовленості про зустріч 😀 у березні");
	assert_string_equal(m->to[1].name,
	    "€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€a€€€€€€€€€€€€€€€€€€€");
	assert_non_null(strstr(m->body, "bare LF\nbare CR\nCRLF\n.\nFrom here"));
	assert_non_null(strstr(m->body, "Довгий рядок без переносів, Довгий"));
	assert_int_equal(m->ncal, 1);
	msg_free(m);
	free(raw);
	compose_free(c);
	buf_free(&text);
}

static void
continuation_in_reply_to_references_thread_index(void **state)
{
	struct compose *c = basic(), *r;
	const char *refs[] = { "<root@lviv.test>", "garbage", "mid@lviv.test",
	    NULL };
	struct msg *m1, *m2;
	char *raw1, *raw2, *conv1, *conv2, *own;
	size_t len1, len2;
	int reply = 0;

	compose_set_subject(c, "Наступні кроки");
	compose_set_text(c, "1", 1);
	raw1 = write_ok(c, &len1);
	m1 = parse(raw1, len1);
	own = xstrdup(compose_message_id(c));

	/* The partner's reply dropped our id; we answer it. */
	r = basic();
	clock_set_fake(NOW + 86400);
	compose_set_subject(r, "Re: Відп: Наступні кроки");
	compose_set_text(r, "2", 1);
	compose_set_parent(r, "<reply@lviv.test>", refs, m1->thread_index,
	    own);
	raw2 = write_ok(r, &len2);
	clock_set_fake(NOW);
	m2 = parse(raw2, len2);

	assert_string_equal(m2->in_reply_to, "reply@lviv.test");
	assert_non_null(m2->references);
	assert_string_equal(m2->references[0], "root@lviv.test");
	assert_string_equal(m2->references[1], "mid@lviv.test");
	assert_string_equal(m2->references[2], own);
	assert_string_equal(m2->references[3], "reply@lviv.test");
	assert_null(m2->references[4]);
	assert_string_equal(m2->thread_topic, "Наступні кроки");
	assert_string_not_equal(m2->message_id, own);

	conv1 = thread_conversation(m1->thread_index, NULL);
	conv2 = thread_conversation(m2->thread_index, &reply);
	assert_non_null(conv2);
	assert_string_equal(conv1, conv2);
	assert_int_equal(reply, 1);
	{
		gsize n1 = 0, n2 = 0;
		guchar *b1 = g_base64_decode(m1->thread_index, &n1);
		guchar *b2 = g_base64_decode(m2->thread_index, &n2);

		assert_int_equal(n1, 22);
		assert_int_equal(n2, 27);
		assert_memory_equal(b1, b2, 22);
		/* A day later: the time delta in the child block is > 0. */
		assert_true(b2[22] != 0 || b2[23] != 0 || b2[24] != 0 ||
		    b2[25] != 0);
		g_free(b1);
		g_free(b2);
	}
	/* A broken parent index starts a new conversation. */
	compose_set_parent(r, "reply@lviv.test", NULL, "not base64!", NULL);
	free(raw2);
	msg_free(m2);
	raw2 = write_ok(r, &len2);
	m2 = parse(raw2, len2);
	conv2 = (free(conv2), thread_conversation(m2->thread_index, &reply));
	assert_non_null(conv2);
	assert_int_equal(reply, 0);
	assert_string_equal(m2->references[0], "reply@lviv.test");
	assert_null(m2->references[1]);

	free(conv1);
	free(conv2);
	free(own);
	msg_free(m1);
	msg_free(m2);
	free(raw1);
	free(raw2);
	compose_free(c);
	compose_free(r);
}

static void
own_id_recorded_and_found(void **state)
{
	struct compose *c = basic();
	struct db *db;
	char *path, *err = NULL, *kind = NULL;
	int64_t object = -1, partnership = -1, n = 0;

	path = xasprintf("%s/own.db", tmpdir);
	assert_int_equal(db_open(path, DB_CREATE | DB_MIGRATE, &db, &err), 0);
	assert_int_equal(compose_own_id(db, compose_message_id(c), &kind,
	    NULL, NULL), 0);
	assert_int_equal(compose_record_own_id(db, compose_message_id(c),
	    "followup", 7, 0, &err), 0);
	assert_int_equal(compose_own_id(db, compose_message_id(c), &kind,
	    &object, &partnership), 1);
	assert_string_equal(kind, "followup");
	assert_int_equal(object, 7);
	assert_int_equal(partnership, 0);
	free(kind);
	/* Stored as NULL (no such partnership), as match.c reads it. */
	assert_int_equal(db_int(db, &n, "SELECT count(*) FROM own_ids WHERE "
	    "msgid = ? AND partnership IS NULL", "t", compose_message_id(c)),
	    1);
	assert_int_equal(n, 1);
	/* Again: updated, not duplicated. */
	assert_int_equal(compose_record_own_id(db, compose_message_id(c),
	    "notice", 8, 0, &err), 0);
	assert_int_equal(compose_own_id(db, compose_message_id(c), &kind,
	    &object, NULL), 1);
	assert_string_equal(kind, "notice");
	assert_int_equal(object, 8);
	free(kind);
	assert_int_equal(compose_record_own_id(db, "no id", "x", 0, 0, &err),
	    -1);
	free(err);
	db_close(db);
	free(path);
	compose_free(c);
}

static void
calendar_alternative_and_attachment(void **state)
{
	static const char ics[] = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
	    "METHOD:REQUEST\r\nPRODID:-//mistok//EN\r\nEND:VCALENDAR\r\n";
	struct compose *c = basic();
	struct msg *m;
	char *raw, *h, *alt, *mixed;
	size_t len;

	compose_set_subject(c, "Зустріч");
	compose_set_text(c, "t", 1);
	compose_set_html(c, "<p>h</p>", 8);
	compose_add_alternative(c, "text/calendar; method=REQUEST; "
	    "charset=UTF-8", ics, strlen(ics));
	compose_add_attachment(c, "запрошення.ics", "application/ics", ics,
	    strlen(ics));
	raw = write_ok(c, &len);
	assert_wire_clean(raw, len, 78);
	h = header_block(raw);
	assert_non_null(strcasestr(h, "multipart/mixed"));
	free(h);
	/* The alternative comes first, then the attachment. */
	alt = strcasestr(raw, "multipart/alternative");
	mixed = strcasestr(raw, "application/ics");
	assert_non_null(alt);
	assert_non_null(mixed);
	assert_true(alt < mixed);
	assert_true(strcasestr(raw, "text/calendar") < mixed);
	m = parse(raw, len);
	assert_true(m->ncal >= 1);
	assert_string_equal(m->cal[0].method, "REQUEST");
	assert_non_null(strstr(m->cal[0].text, "PRODID:-//mistok//EN"));
	assert_true(m->natt >= 1);
	assert_string_equal(m->att[m->natt - 1].name, "запрошення.ics");
	assert_string_equal(m->body, "t\n");
	msg_free(m);
	free(raw);
	compose_free(c);
}

static void
bad_values_fail_at_write(void **state)
{
	struct compose *c;
	struct buf b;
	char *err = NULL;

	buf_init(&b);
	c = compose_new("Team", "not an address", DOMAIN);
	compose_add_to(c, NULL, "a@b.test");
	compose_set_text(c, "x", 1);
	assert_int_equal(compose_write(c, &b, &err), -1);
	assert_non_null(strstr(err, "From"));
	free(err);
	compose_free(c);

	c = basic();
	compose_set_text(c, "x", 1);
	compose_add_header(c, "Subject", "again");
	assert_int_equal(compose_write(c, &b, &err), -1);
	free(err);
	compose_free(c);

	c = basic();
	compose_add_header(c, "Bad Name", "v");
	compose_set_text(c, "x", 1);
	assert_int_equal(compose_write(c, &b, &err), -1);
	free(err);
	compose_free(c);

	c = compose_new("Team", "team@" DOMAIN, DOMAIN);
	compose_set_text(c, "x", 1);
	assert_int_equal(compose_write(c, &b, &err), -1);
	assert_non_null(strstr(err, "no recipient"));
	free(err);
	compose_free(c);

	c = basic();
	assert_int_equal(compose_write(c, &b, &err), -1);
	assert_non_null(strstr(err, "no text"));
	free(err);
	compose_free(c);
	assert_int_equal(b.len, 0);
	buf_free(&b);
}

static void
team_from_config(void **state)
{
	struct config conf;
	struct compose *c;
	struct msg *m;
	char *raw;
	size_t len;

	memset(&conf, 0, sizeof(conf));
	conf.team_name = "Cities4Cities";
	conf.team_address = "team@" DOMAIN;
	conf.team_domain = "mail." DOMAIN;
	c = compose_new_team(&conf);
	compose_add_to(c, NULL, "a@lviv.test");
	compose_set_text(c, "x", 1);
	raw = write_ok(c, &len);
	m = parse(raw, len);
	assert_string_equal(m->from.name, "Cities4Cities");
	assert_string_equal(m->from.email, "team@" DOMAIN);
	assert_non_null(strstr(m->message_id, "@mail." DOMAIN));
	assert_null(m->to[0].name);
	msg_free(m);
	free(raw);
	compose_free(c);
}

static void
language_choice_and_templates_of_the_tree(void **state)
{
	struct tmpl_set *set = source_templates();
	const char *const *n;
	static const char *const parts[] = { "subject", "txt", "html" };
	size_t i;

	for (n = mailtmpl_names; *n != NULL; n++)
		for (i = 0; i < nitems(parts); i++) {
			assert_true(tmpl_set_has(set, *n, "uk", parts[i]));
			assert_true(tmpl_set_has(set, *n, "en", parts[i]));
		}
	assert_string_equal(mailtmpl_lang(set, "followup", "en", "uk"), "en");
	assert_string_equal(mailtmpl_lang(set, "followup", NULL, "uk"), "uk");
	assert_string_equal(mailtmpl_lang(set, "followup", "de", "en"), "en");
	assert_null(mailtmpl_lang(set, "nosuch", "uk", "uk"));
	assert_null(mailtmpl_sample("nosuch"));
	tmpl_set_free(set);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(roundtrip_cyrillic_headers_and_body),
		cmocka_unit_test(text_only_is_single_part),
		cmocka_unit_test(crlf_in_name_subject_and_header_adds_no_field),
		cmocka_unit_test(crlf_in_template_value_adds_no_field),
		cmocka_unit_test(html_escaped_in_html_part_only),
		cmocka_unit_test(seven_bit_crlf_and_short_lines),
		cmocka_unit_test(
		    continuation_in_reply_to_references_thread_index),
		cmocka_unit_test(own_id_recorded_and_found),
		cmocka_unit_test(calendar_alternative_and_attachment),
		cmocka_unit_test(bad_values_fail_at_write),
		cmocka_unit_test(team_from_config),
		cmocka_unit_test(language_choice_and_templates_of_the_tree),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
