/* mime: whole messages from tests/data/mime, header fields, body text,
 * classification, and bad input. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "mime.h"
#include "mime_text.h"
#include "util.h"

static const struct mime_opts opts = { "c4c.test", 0, 0 };

static char *
slurp(const char *name, size_t *len)
{
	const char *top = getenv("TOP");
	char *path, *data;
	struct buf b;
	char chunk[8192];
	size_t n;
	FILE *f;

	path = xasprintf("%s/tests/data/mime/%s", top ? top : ".", name);
	if ((f = fopen(path, "rb")) == NULL)
		fail_msg("cannot open %s", path);
	free(path);
	buf_init(&b);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	*len = b.len;
	data = buf_steal(&b);
	return data;
}

static struct msg *
parse_file(const char *name, const struct mime_opts *o)
{
	struct msg *m;
	size_t len;
	char *raw = slurp(name, &len);

	assert_int_equal(mime_parse(raw, len, o, &m), 0);
	assert_non_null(m);
	free(raw);	/* the msg must not point into raw */
	return m;
}

static struct msg *
parse_str(const char *s)
{
	struct msg *m;

	assert_int_equal(mime_parse(s, strlen(s), &opts, &m), 0);
	assert_non_null(m);
	return m;
}

static void
utf8_reply_headers(void **state)
{
	struct msg *m = parse_file("utf8-reply.eml", &opts);

	/* Three padded B words: GMime 3.2.13 would stop after the first. */
	assert_string_equal(m->subject,
	    "Партнерство Житомир — Сан-Дієго: план зустрічі на березень");
	assert_string_equal(m->from.name, "Олена Ковальчук");
	assert_string_equal(m->from.email, "olena.k@zhytomyr-rada.gov.ua");
	assert_int_equal(m->nto, 3);
	assert_string_equal(m->to[0].name, "Team C4C");
	assert_string_equal(m->to[0].email, "team@c4c.test");
	assert_null(m->to[1].name);
	assert_string_equal(m->to[1].email, "john@sandiego.example");
	assert_string_equal(m->to[2].name, "Smith, Ann");
	assert_string_equal(m->to[2].email, "ann.smith@sandiego.example");
	assert_int_equal(m->ncc, 1);
	assert_string_equal(m->cc[0].name, "Іван");
	assert_int_equal(m->date, 1772525700);	/* 2026-03-03T08:15:00Z */
	assert_string_equal(m->message_id, "CAB123.456@mail.example.org");
	assert_string_equal(m->in_reply_to, "mistok.p12.abc@c4c.test");
	assert_string_equal(m->references[0], "first@example.org");
	assert_string_equal(m->references[1], "mistok.p12.abc@c4c.test");
	assert_null(m->references[2]);
	assert_non_null(m->auth_results[0]);
	assert_non_null(strstr(m->auth_results[0], "dkim=pass"));
	assert_non_null(strstr(m->auth_results[1], "dmarc=pass"));
	assert_null(m->auth_results[2]);
	assert_string_equal(msg_header(m, "return-path"),
	    "<olena@zhytomyr-rada.gov.ua>");
	assert_null(msg_header(m, "X-Nothing"));
	assert_int_equal(m->kind, MSG_CORRESPONDENCE);
	assert_null(m->error);
	/* With a Message-ID nothing needs the bytes' hash. */
	assert_null(m->content_hash);
	msg_free(m);
}

static void
utf8_reply_quote_and_signature(void **state)
{
	struct msg *m = parse_file("utf8-reply.eml", &opts);

	assert_int_equal(m->body_len, strlen(m->body));
	assert_true(strncmp(m->body, "Добрий день!", 12) == 0);
	assert_true(m->sig_off < m->quote_off);
	assert_true(strncmp(m->body + m->sig_off, "-- \nОлена", 9) == 0);
	assert_true(strncmp(m->body + m->quote_off, "On Mon, 2 Mar", 13) == 0);
	/* Nothing is cut: the quote is still in the body. */
	assert_non_null(strstr(m->body, "> пропонуємо"));
	msg_free(m);
}

static void
cyrillic_bodies_from_declared_charsets(void **state)
{
	struct msg *m;

	m = parse_file("cp1251.eml", &opts);
	assert_string_equal(m->subject, "Привіт з Одеси");
	assert_string_equal(m->body,
	    "Шановні колеги, це лист у кодуванні windows-1251.\n"
	    "Їжак, ґанок, єнот.\n");
	msg_free(m);

	m = parse_file("koi8u.eml", &opts);
	assert_string_equal(m->subject, "Їжак у Києві");
	assert_string_equal(m->body, "Ґанок, їжак, єнот і Київ.\n");
	msg_free(m);

	m = parse_file("koi8r.eml", &opts);
	assert_string_equal(m->subject, "Встреча в Харькове");
	assert_string_equal(m->body,
	    "Здравствуйте, коллеги! Встреча в пятницу.\n");
	msg_free(m);
}

static void
split_words_and_raw_8bit_headers(void **state)
{
	struct msg *m;

	m = parse_file("split-char.eml", &opts);
	assert_string_equal(m->subject, "Зустріч");
	msg_free(m);

	m = parse_file("raw8bit.eml", &opts);
	assert_string_equal(m->subject, "Питання щодо партнерства");
	assert_string_equal(m->from.name, "Олег Петренко");
	/* No charset declared on the body either: guessed windows-1251. */
	assert_string_equal(m->body,
	    "Доброго дня, маємо питання щодо партнерства.\n");
	msg_free(m);
}

static void
html_only_reduced_to_text(void **state)
{
	struct msg *m = parse_file("html-only.eml", &opts);

	assert_true(m->body_from_html);
	assert_string_equal(m->body,
	    "Hello world & friends\n\nLine two Мир «ok»\nTail\nend");
	assert_null(strstr(m->body, "alert"));
	assert_null(strstr(m->body, "color"));
	msg_free(m);
}

static void
alternative_prefers_plain_and_outlook_quote(void **state)
{
	struct msg *m = parse_file("outlook-reply.eml", &opts);

	assert_false(m->body_from_html);
	assert_null(strstr(m->body, "HTML version"));
	assert_true(strncmp(m->body, "Добре, підтверджую.", 19) == 0);
	assert_true(strncmp(m->body + m->quote_off, "________", 8) == 0);
	assert_string_equal(m->thread_index, "AdXyz1234567890abcdefghijklm==");
	assert_string_equal(m->thread_topic, "Meeting");
	assert_int_equal(m->natt, 0);
	msg_free(m);
}

/* Base64 sizes are counted, not decoded: padding, CRLF and junk. */
static void
attachment_sizes_of_padded_base64(void **state)
{
	static const struct { const char *b64; size_t size; } t[] = {
		{ "QQ==", 1 }, { "QUI=", 2 }, { "QUJD", 3 },
		{ "QUJD\r\nRA==\r\n", 4 }, { "QU\tJD\r\n*RE\r\n", 4 },
		{ "", 0 },
	};
	struct msg *m;
	char *raw;
	size_t i;

	for (i = 0; i < nitems(t); i++) {
		raw = xasprintf("From: a@b.example\nSubject: s\n"
		    "MIME-Version: 1.0\nContent-Type: multipart/mixed; "
		    "boundary=Z\n\n--Z\nContent-Type: text/plain\n\nx\n--Z\n"
		    "Content-Type: application/octet-stream; name=a.bin\n"
		    "Content-Transfer-Encoding: base64\n\n%s\n--Z--\n",
		    t[i].b64);
		assert_int_equal(mime_parse(raw, strlen(raw), &opts, &m), 0);
		assert_int_equal(m->natt, 1);
		if (m->att[0].size != t[i].size)
			print_error("case %zu: %zu\n", i, m->att[0].size);
		assert_int_equal(m->att[0].size, t[i].size);
		msg_free(m);
		free(raw);
	}
}

static void
attachments_recorded_with_decoded_names(void **state)
{
	struct msg *m = parse_file("attachments.eml", &opts);

	assert_string_equal(m->body, "See attached.");
	assert_int_equal(m->natt, 2);
	assert_string_equal(m->att[0].name, "Меморандум.pdf");	/* RFC 2231 */
	assert_string_equal(m->att[0].type, "application/pdf");
	assert_int_equal(m->att[0].size, 9 + 1024);
	assert_string_equal(m->att[1].name, "фото.png");	/* RFC 2047 */
	assert_string_equal(m->att[1].type, "image/png");
	assert_int_equal(m->att[1].size, 8);
	msg_free(m);
}

static void
missing_message_id_and_bad_date(void **state)
{
	struct msg *m = parse_file("no-msgid.eml", &opts);
	struct msg *m2;

	assert_null(m->message_id);
	assert_null(m->in_reply_to);
	assert_null(m->references[0]);
	assert_int_equal(m->date, 0);
	assert_int_equal(strlen(m->content_hash), 64);
	/* The hash is of the raw bytes: same bytes, same hash; else not. */
	m2 = parse_file("no-msgid.eml", &opts);
	assert_string_equal(m->content_hash, m2->content_hash);
	msg_free(m2);
	m2 = parse_str("From: someone@example.org\n\nhello\n");
	assert_string_not_equal(m->content_hash, m2->content_hash);
	msg_free(m2);
	msg_free(m);
}

static void
broken_mime_keeps_what_it_can(void **state)
{
	struct msg *m = parse_file("broken-mime.eml", &opts);

	assert_non_null(m->error);
	assert_string_equal(m->subject, "Broken");
	assert_string_equal(m->message_id, "broken@example.org");
	assert_string_equal(m->body, "Readable text survives.");
	msg_free(m);
}

static void
dsn_bounce_lists_failed_recipients(void **state)
{
	struct msg *m = parse_file("dsn.eml", &opts);

	assert_int_equal(m->kind, MSG_BOUNCE);
	assert_string_equal(m->bounced[0], "nobody@partner.example");
	assert_string_equal(m->bounced[1], "gone@other.example");
	assert_null(m->bounced[2]);
	/* The returned original is an attachment, not the body. */
	assert_null(strstr(m->body, "Original text"));
	msg_free(m);

	m = parse_file("bounce-plain.eml", &opts);
	assert_int_equal(m->kind, MSG_BOUNCE);
	assert_string_equal(m->bounced[0], "lost@partner.example");
	assert_null(m->bounced[1]);
	msg_free(m);
}

static void
auto_replies_of_several_forms(void **state)
{
	static const char *files[] = {
		"ooo-rfc3834.eml", "ooo-outlook.eml", "ooo-uk.eml",
		"ooo-xautoreply.eml", "ooo-precedence.eml",
		"ooo-auto-prefix.eml",
	};
	struct msg *m;
	size_t i;

	for (i = 0; i < nitems(files); i++) {
		m = parse_file(files[i], &opts);
		if (m->kind != MSG_AUTOREPLY)
			print_error("%s: kind %s\n", files[i],
			    msg_kind_name(m->kind));
		assert_int_equal(m->kind, MSG_AUTOREPLY);
		msg_free(m);
	}
	m = parse_file("ooo-uk.eml", &opts);
	assert_string_equal(m->subject, "Автоматична відповідь: Зустріч");
	msg_free(m);
	/* "Auto-Submitted: no" is a person. */
	m = parse_str("From: a@b.example\nAuto-Submitted: no\nSubject: hi\n\n"
	    "x\n");
	assert_int_equal(m->kind, MSG_CORRESPONDENCE);
	msg_free(m);
}

static void
mailing_list(void **state)
{
	struct msg *m = parse_file("list.eml", &opts);

	assert_int_equal(m->kind, MSG_LIST);
	assert_string_equal(m->list_id, "partners.lists.example.org");
	assert_string_equal(m->precedence, "list");
	msg_free(m);
}

static void
imip_request_and_reply(void **state)
{
	struct msg *m = parse_file("imip-request.eml", &opts);

	assert_int_equal(m->kind, MSG_IMIP);
	/* Inline and application/ics copies are the same calendar: one. */
	assert_int_equal(m->ncal, 1);
	assert_string_equal(m->cal[0].method, "REQUEST");
	assert_non_null(strstr(m->cal[0].text, "BEGIN:VCALENDAR"));
	assert_non_null(strstr(m->cal[0].text, "SUMMARY:Зустріч"));
	assert_string_equal(m->body, "You are invited.");
	assert_int_equal(m->natt, 1);
	assert_string_equal(m->att[0].name, "invite.ics");
	assert_string_equal(m->att[0].type, "application/ics");
	msg_free(m);

	/* No method= parameter: METHOD comes from the body. */
	m = parse_file("imip-reply.eml", &opts);
	assert_int_equal(m->kind, MSG_IMIP);
	assert_int_equal(m->ncal, 1);
	assert_string_equal(m->cal[0].method, "REPLY");
	msg_free(m);
}

static void
own_mail_only_by_message_id(void **state)
{
	struct mime_opts other = { "elsewhere.test", 0, 0 };
	struct msg *m;

	m = parse_file("own.eml", &opts);
	assert_int_equal(m->kind, MSG_OWN);
	msg_free(m);
	/* Another domain: the same mail is just auto-generated. */
	m = parse_file("own.eml", &other);
	assert_int_equal(m->kind, MSG_AUTOREPLY);
	msg_free(m);
	/* A coordinator writing from the team's domain is not own mail. */
	m = parse_file("coordinator.eml", &opts);
	assert_int_equal(m->kind, MSG_CORRESPONDENCE);
	msg_free(m);
	assert_true(classify_is_own_id("mistok.x@C4C.test", "c4c.test"));
	assert_false(classify_is_own_id("mistok.x@c4c.test.evil", "c4c.test"));
	assert_false(classify_is_own_id("xmistok.x@c4c.test", "c4c.test"));
	assert_false(classify_is_own_id("mistok.x@c4c.test", NULL));
}

static void
classification_precedence(void **state)
{
	struct msg *m;

	/* A bounce that also says Auto-Submitted is a bounce. */
	m = parse_file("dsn.eml", &opts);
	assert_non_null(m->auto_submitted);
	assert_int_equal(m->kind, MSG_BOUNCE);
	msg_free(m);
	/* An auto-reply on a list is an auto-reply; a list post about
	 * "out of office hours" without RFC 3834 headers stays list. */
	m = parse_str("From: a@b.example\nList-Id: <l.example>\n"
	    "Auto-Submitted: auto-replied\nSubject: x\n\nx\n");
	assert_int_equal(m->kind, MSG_AUTOREPLY);
	msg_free(m);
	m = parse_str("From: a@b.example\nList-Id: <l.example>\n"
	    "Subject: Out of office hours support\n\nx\n");
	assert_int_equal(m->kind, MSG_LIST);
	msg_free(m);
	assert_string_equal(msg_kind_name(MSG_BOUNCE), "bounce");
	assert_string_equal(msg_kind_name(MSG_AUTOREPLY), "autoreply");
	assert_string_equal(msg_kind_name(MSG_IMIP), "imip");
	assert_string_equal(msg_kind_name(MSG_QUARANTINED), "quarantined");
}

static void
size_limit_parses_headers_only(void **state)
{
	struct mime_opts small = { "c4c.test", 100, 0 };
	struct mime_opts hdrs = { "c4c.test", 0, 1 };
	struct msg *m;

	m = parse_file("attachments.eml", &small);
	assert_true(m->truncated);
	assert_non_null(m->error);
	assert_non_null(strstr(m->error, "headers only"));
	assert_string_equal(m->subject, "Documents");
	assert_string_equal(m->message_id, "att@example.org");
	assert_string_equal(m->body, "");
	assert_int_equal(m->natt, 0);
	msg_free(m);

	m = parse_file("attachments.eml", &hdrs);
	assert_false(m->truncated);
	assert_string_equal(m->subject, "Documents");
	assert_int_equal(m->natt, 0);
	msg_free(m);
}

static void
deep_nesting_is_bounded(void **state)
{
	struct buf b;
	struct msg *m;
	int i, depth = 500;

	buf_init(&b);
	buf_adds(&b, "From: a@b.example\nSubject: deep\nMIME-Version: 1.0\n");
	for (i = 0; i < depth; i++)
		buf_printf(&b, "Content-Type: multipart/mixed; boundary=b%d\n"
		    "\n--b%d\n", i, i);
	buf_adds(&b, "Content-Type: text/plain\n\nleaf\n");
	for (i = depth - 1; i >= 0; i--)
		buf_printf(&b, "--b%d--\n", i);
	assert_int_equal(mime_parse(b.data, b.len, &opts, &m), 0);
	assert_string_equal(m->subject, "deep");
	assert_non_null(m->error);
	msg_free(m);
	buf_free(&b);
}

static void
big_attachment_size_without_keeping_it(void **state)
{
	struct buf b;
	struct msg *m;
	size_t i, lines = 70000;	/* 70000 * 54 bytes ≈ 3.8 MB decoded */

	buf_init(&b);
	buf_adds(&b, "From: a@b.example\nSubject: big\nMIME-Version: 1.0\n"
	    "Content-Type: multipart/mixed; boundary=Z\n\n--Z\n"
	    "Content-Type: text/plain\n\nsee file\n--Z\n"
	    "Content-Type: application/octet-stream; name=big.bin\n"
	    "Content-Transfer-Encoding: base64\n\n");
	for (i = 0; i < lines; i++)
		buf_adds(&b, "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlq"
		    "a2xtbm9wcXJzdHV2d3h5ejAx\n");
	buf_adds(&b, "--Z--\n");
	assert_int_equal(mime_parse(b.data, b.len, &opts, &m), 0);
	assert_int_equal(m->natt, 1);
	assert_string_equal(m->att[0].name, "big.bin");
	assert_int_equal(m->att[0].size, lines * 54);
	assert_string_equal(m->body, "see file");
	msg_free(m);
	buf_free(&b);
}

/*
 * mistok splits the top-level header block itself and hands GMime only
 * the Content-* fields with the body; these are the rules GMime's
 * message parser had, so the stored fields did not change.
 */
static void
top_level_fields(void **state)
{
	struct msg *m;

	/* An mbox "From " line before the fields is skipped. */
	m = parse_str("From someone@example.org Mon Apr  6 10:00:00 2026\n"
	    "Subject: kept\nMessage-ID: <a@b.example>\n\nbody\n");
	assert_string_equal(m->subject, "kept");
	assert_string_equal(m->message_id, "a@b.example");
	assert_string_equal(m->body, "body\n");
	assert_null(m->error);
	msg_free(m);

	/* A line that is no field is dropped with its continuation, noted. */
	m = parse_str("Subject: s\r\nbad line\r\n cont: x\r\nTo: a@b.example"
	    "\r\n\r\ntext\r\n");
	assert_string_equal(m->subject, "s");
	assert_int_equal(m->nto, 1);
	assert_int_equal(m->nhdr, 2);
	assert_string_equal(m->error, "invalid header name");
	assert_string_equal(m->body, "text\n");
	msg_free(m);

	/* A first line that is no field: no message, the input is text. */
	m = parse_str("just text\nSubject: no\n\nmore\n");
	assert_string_equal(m->subject, "");
	assert_non_null(strstr(m->error, "not a MIME message"));
	assert_non_null(strstr(m->body, "just text"));
	msg_free(m);

	/* Repeats: a second Subject that differs is noted, Received not. */
	m = parse_str("Received: one\nReceived: two\nSubject: a\n\nx");
	assert_null(m->error);
	msg_free(m);
	m = parse_str("Subject: a\nSubject: b\n\nx");
	assert_string_equal(m->subject, "a");
	assert_string_equal(m->error, "conflicting headers");
	msg_free(m);

	/* Blanks before the colon; folded Content-Type read by GMime. */
	m = parse_str("Subject : spaced\nContent-Type: text/plain;\n"
	    "\tcharset=koi8-r\nContent-Transfer-Encoding: 8bit\n\n"
	    "\xf0\xd2\xc9\xd7\xc5\xd4\n");
	assert_string_equal(m->subject, "spaced");
	assert_string_equal(m->body, "Привет\n");
	assert_string_equal(msg_header(m, "content-type"),
	    "text/plain; charset=koi8-r");
	msg_free(m);

	/* No fields at all, a blank line first: the rest is the body. */
	m = parse_str("\r\nonly a body\r\n");
	assert_string_equal(m->body, "only a body\n");
	msg_free(m);

	/* A multipart's boundary from a folded top-level field. */
	m = parse_str("Content-Type: multipart/mixed;\n boundary=\"B\"\n\n"
	    "--B\nContent-Type: text/plain\n\none\n--B\nContent-Type: "
	    "application/pdf\nContent-Disposition: attachment; "
	    "filename=a.pdf\nContent-Transfer-Encoding: base64\n\n"
	    "QUJDRA==\n--B--\n");
	assert_string_equal(m->body, "one");
	assert_int_equal(m->natt, 1);
	assert_string_equal(m->att[0].name, "a.pdf");
	assert_int_equal(m->att[0].size, 4);
	msg_free(m);
}

/* Transfer decoding of text parts (mistok's own QP decoder). */
static void
quoted_printable_bodies(void **state)
{
	struct msg *m;

	m = parse_str("Content-Type: text/plain; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
	    "=D0=9F=d1=80=D0=B8=D0=B2=D1=96=D1=82 soft=\r\nbreak, =\nLF soft, "
	    "a=3Db, =ZZ kept, ==41 and =4=41 kept, 100=\r\n%, end=A");
	/* As GMime decodes it: bad sequences kept whole, a cut one dropped. */
	assert_string_equal(m->body, "Привіт softbreak, LF soft, a=b, =ZZ "
	    "kept, ==41 and =4=41 kept, 100%, end");
	assert_null(m->error);
	msg_free(m);
	/* 8bit as it stands, line breaks made LF. */
	m = parse_str("Content-Type: text/plain; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: 8bit\r\n\r\nрядок\r\nдругий=41\r\n");
	assert_string_equal(m->body, "рядок\nдругий=41\n");
	msg_free(m);
}

static void
garbage_never_crashes(void **state)
{
	static const char *inputs[] = {
		"", "\n", "\r\n\r\n", ":", "From:", "From: <", "From: \"",
		"Subject: =?utf-8?B?", "Content-Type: multipart/mixed\n\n--",
		"Content-Type: multipart/mixed; boundary=\"\"\n\n--\n--\n",
		"To: ,,,;;;:::<<<>>>@@@\n\n",
		"Content-Type: text/plain; charset=x-nonsense\n\n\xff\xfe",
		"Content-Type: message/rfc822\n\nContent-Type: message/rfc822"
		"\n\nFrom: x\n\n",
	};
	char bin[4096];
	struct msg *m;
	size_t i;

	for (i = 0; i < nitems(inputs); i++) {
		m = parse_str(inputs[i]);
		assert_non_null(m->subject);
		assert_non_null(m->body);
		assert_non_null(m->from.email);
		msg_free(m);
	}
	for (i = 0; i < sizeof(bin); i++)
		bin[i] = (char)((i * 7919) >> 3);
	assert_int_equal(mime_parse(bin, sizeof(bin), &opts, &m), 0);
	msg_free(m);
	/* A NUL byte in a header: GMime keeps header values as C strings,
	 * so the value ends there; the rest of the message still parses. */
	assert_int_equal(mime_parse("Subject: a\0b\nTo: c@d.example\n\nx", 31,
	    &opts, &m), 0);
	assert_string_equal(m->subject, "a");
	assert_string_equal(m->body, "x");
	msg_free(m);
	assert_int_equal(mime_parse(NULL, 0, NULL, &m), 0);
	msg_free(m);
}

static void
address_lists(void **state)
{
	struct msg_addr *a;
	size_t n;

	n = mime_parse_addresses("Undisclosed recipients:;", &a);
	assert_int_equal(n, 0);
	msg_addr_free_array(a, n);

	n = mime_parse_addresses("A Group:Ed Jones <c@a.test>,joe@where.test,"
	    "John <jdoe@one.test>;, last@x.test", &a);
	assert_int_equal(n, 4);
	assert_string_equal(a[0].name, "Ed Jones");
	assert_string_equal(a[3].email, "last@x.test");
	msg_addr_free_array(a, n);

	n = mime_parse_addresses("\"=?ISO-8859-1?Q?a?= b\" <Test@Test.com>, "
	    "garbage, old@style.example (Old Style)", &a);
	assert_int_equal(n, 2);
	assert_string_equal(a[0].name, "a b");
	assert_string_equal(a[0].email, "test@test.com");
	assert_string_equal(a[1].email, "old@style.example");
	assert_string_equal(a[1].name, "Old Style");
	msg_addr_free_array(a, n);

	n = mime_parse_addresses("=?UTF-8?B?0J7Qu9C1?=\n =?UTF-8?B?0L3QsA==?= "
	    "<o@x.ua>", &a);
	assert_int_equal(n, 1);
	assert_string_equal(a[0].name, "Олена");
	msg_addr_free_array(a, n);
}

static void
message_ids_and_references(void **state)
{
	char *s, **v;

	s = mime_parse_msgid("  <a@b>  (comment)");
	assert_string_equal(s, "a@b");
	free(s);
	s = mime_parse_msgid("<>");
	assert_null(s);
	/* notmuch: In-Reply-To must be exactly one clean id. */
	s = mime_parse_msgid_strict(" <a@b> ");
	assert_string_equal(s, "a@b");
	free(s);
	assert_null(mime_parse_msgid_strict("<a@b> <c@d>"));
	assert_null(mime_parse_msgid_strict("Your message of Monday <a@b>"));
	assert_null(mime_parse_msgid_strict("<a b@c>"));
	assert_null(mime_parse_msgid_strict("a@b"));
	v = mime_parse_references("<a@b> junk <c@d>\n\t(x <no@no>) <e@f");
	assert_string_equal(v[0], "a@b");
	assert_string_equal(v[1], "c@d");
	assert_null(v[2]);
	strv_free(v);
	/* Found by fuzzing: white space skip_cfws does not skip (\v). */
	v = mime_parse_references("\v<a@b>\f");
	assert_string_equal(v[0], "a@b");
	strv_free(v);
}

static void
dates_in_utc(void **state)
{
	assert_int_equal(mime_parse_date("Tue, 1 Jul 2003 10:52:37 +0200"),
	    1057049557);
	assert_int_equal(mime_parse_date("Fri, 21 Nov 1997 09:55:06 -0600"),
	    880127706);
	assert_int_equal(mime_parse_date("not a date"), 0);
	assert_int_equal(mime_parse_date(""), 0);
}

static void
html_to_text_rules(void **state)
{
	const char *h = "<p>a&nbsp;b</p><ul><li>one<li>two</ul>"
	    "<table><tr><td>x</td><td>y</td></tr></table>"
	    "&#1050;&#x438;&#1111;&#1074; &unknown; 5 &lt; 6 &amp";
	char *t;
	size_t n;

	t = html_to_text(h, strlen(h), &n);
	assert_string_equal(t, "a b\n\none\ntwo\nx y\nКиїв &unknown; 5 < 6 &");
	assert_int_equal(n, strlen(t));
	free(t);
	t = html_to_text("<h1>T</h1>x<br>y<div>z</div>", 28, NULL);
	assert_string_equal(t, "T\n\nx\ny\nz");
	free(t);
	t = html_to_text("<pre>a\n  b</pre><STYLE>x</STYLE>c", 34, NULL);
	assert_string_equal(t, "a\n  b\nc");
	free(t);
	t = html_to_text("<", 1, NULL);
	assert_string_equal(t, "<");
	free(t);
}

static void
quote_detection(void **state)
{
	const char *a = "Thanks!\n\n> old\n> text\n";
	const char *b = "> q1\nanswer 1\n> q2\nanswer 2\n";
	const char *c = "Ok.\n\n-----Original Message-----\nFrom: x\n";
	const char *d = "Так.\n\nпн, 2 бер. 2026 р. о 09:00 Олена <o@x.ua> "
	    "пише:\n> текст\n";
	const char *e = "Ok.\nFrom: Ann\nSent: Monday\nTo: x\n";
	const char *f = "Hi\n-- \nsig\n> -- \n";

	assert_int_equal(text_quote_offset(a, strlen(a)), 9);
	/* Interleaved answers: no single quote to the end. */
	assert_int_equal(text_quote_offset(b, strlen(b)), strlen(b));
	assert_int_equal(text_quote_offset(c, strlen(c)), 5);
	assert_int_equal(text_quote_offset(d, strlen(d)),
	    strlen("Так.\n\n"));
	assert_int_equal(text_quote_offset(e, strlen(e)), 4);
	assert_int_equal(text_sig_offset(f, strlen(f), strlen(f)), 3);
	assert_int_equal(text_sig_offset(a, strlen(a), 5), strlen(a));
}

static void
dsn_parser(void **state)
{
	const char *t = "Reporting-MTA: dns; x\r\n\r\n"
	    "Final-Recipient: rfc822;A@B.example\r\nAction: failed\r\n\r\n"
	    "Original-Recipient: rfc822;c@d.example\r\nAction: Failed\r\n"
	    "\r\nFinal-Recipient: rfc822;e@f.example\r\nAction: delayed\r\n";
	char **v = dsn_failed_recipients(t, strlen(t));

	assert_string_equal(v[0], "a@b.example");
	assert_string_equal(v[1], "c@d.example");
	assert_null(v[2]);
	strv_free(v);
}

static int
setup(void **state)
{
	mime_init();
	return 0;
}

static int
teardown(void **state)
{
	mime_shutdown();
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(utf8_reply_headers),
		cmocka_unit_test(utf8_reply_quote_and_signature),
		cmocka_unit_test(cyrillic_bodies_from_declared_charsets),
		cmocka_unit_test(split_words_and_raw_8bit_headers),
		cmocka_unit_test(html_only_reduced_to_text),
		cmocka_unit_test(alternative_prefers_plain_and_outlook_quote),
		cmocka_unit_test(attachments_recorded_with_decoded_names),
		cmocka_unit_test(attachment_sizes_of_padded_base64),
		cmocka_unit_test(missing_message_id_and_bad_date),
		cmocka_unit_test(broken_mime_keeps_what_it_can),
		cmocka_unit_test(dsn_bounce_lists_failed_recipients),
		cmocka_unit_test(auto_replies_of_several_forms),
		cmocka_unit_test(mailing_list),
		cmocka_unit_test(imip_request_and_reply),
		cmocka_unit_test(own_mail_only_by_message_id),
		cmocka_unit_test(classification_precedence),
		cmocka_unit_test(size_limit_parses_headers_only),
		cmocka_unit_test(deep_nesting_is_bounded),
		cmocka_unit_test(big_attachment_size_without_keeping_it),
		cmocka_unit_test(top_level_fields),
		cmocka_unit_test(quoted_printable_bodies),
		cmocka_unit_test(garbage_never_crashes),
		cmocka_unit_test(address_lists),
		cmocka_unit_test(message_ids_and_references),
		cmocka_unit_test(dates_in_utc),
		cmocka_unit_test(html_to_text_rules),
		cmocka_unit_test(quote_detection),
		cmocka_unit_test(dsn_parser),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
