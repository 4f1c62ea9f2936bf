/*
 * mimecheck: the MIME parser from the command line, for the conformance
 * script (tests/conformance/mime.sh) and for looking at odd mail.
 *
 *   mimecheck parse FILE...         one JSON object per file and line
 *   mimecheck field KIND < VALUE    KIND: text, address, date, id, refs,
 *                                   irt (notmuch's In-Reply-To rule)
 *   mimecheck charset NAME < BYTES  the bytes converted to UTF-8
 *
 * A file that cannot be read prints {"file":…,"io_error":…}; the exit
 * status is 0 unless the usage is wrong.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mime.h"
#include "rfc2047.h"
#include "util.h"

static void
json_str(FILE *f, const char *s)
{
	const unsigned char *p;

	if (s == NULL) {
		fputs("null", f);
		return;
	}
	fputc('"', f);
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", f);
		else if (*p == '\r')
			fputs("\\r", f);
		else if (*p == '\t')
			fputs("\\t", f);
		else if (*p < 0x20)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

static void
json_addr(FILE *f, const struct msg_addr *a)
{
	fputs("{\"name\":", f);
	json_str(f, a->name);
	fputs(",\"email\":", f);
	json_str(f, a->email);
	fputc('}', f);
}

static void
json_addrs(FILE *f, const struct msg_addr *a, size_t n)
{
	size_t i;

	fputc('[', f);
	for (i = 0; i < n; i++) {
		if (i)
			fputc(',', f);
		json_addr(f, &a[i]);
	}
	fputc(']', f);
}

static void
json_strv(FILE *f, char **v)
{
	size_t i;

	fputc('[', f);
	for (i = 0; v != NULL && v[i] != NULL; i++) {
		if (i)
			fputc(',', f);
		json_str(f, v[i]);
	}
	fputc(']', f);
}

static int
read_all(FILE *in, struct buf *b)
{
	char chunk[65536];
	size_t n;

	while ((n = fread(chunk, 1, sizeof(chunk), in)) > 0)
		buf_add(b, chunk, n);
	return ferror(in) ? -1 : 0;
}

static void
print_msg(FILE *f, const char *file, const struct msg *m)
{
	size_t i;

	fputs("{\"file\":", f);
	json_str(f, file);
	fputs(",\"message_id\":", f);
	json_str(f, m->message_id);
	fputs(",\"in_reply_to\":", f);
	json_str(f, m->in_reply_to);
	fputs(",\"references\":", f);
	json_strv(f, m->references);
	fputs(",\"subject\":", f);
	json_str(f, m->subject);
	fprintf(f, ",\"date\":%lld,\"from\":", (long long)m->date);
	json_addr(f, &m->from);
	fputs(",\"to\":", f);
	json_addrs(f, m->to, m->nto);
	fputs(",\"cc\":", f);
	json_addrs(f, m->cc, m->ncc);
	fputs(",\"list_id\":", f);
	json_str(f, m->list_id);
	fputs(",\"body\":", f);
	json_str(f, m->body);
	fprintf(f, ",\"body_from_html\":%d,\"quote_off\":%zu,\"sig_off\":%zu",
	    m->body_from_html, m->quote_off, m->sig_off);
	fputs(",\"attachments\":[", f);
	for (i = 0; i < m->natt; i++) {
		fputs(i ? ",{\"name\":" : "{\"name\":", f);
		json_str(f, m->att[i].name);
		fputs(",\"type\":", f);
		json_str(f, m->att[i].type);
		fprintf(f, ",\"size\":%zu}", m->att[i].size);
	}
	fputs("],\"calendars\":[", f);
	for (i = 0; i < m->ncal; i++) {
		fputs(i ? ",{\"method\":" : "{\"method\":", f);
		json_str(f, m->cal[i].method);
		fprintf(f, ",\"len\":%zu}", strlen(m->cal[i].text));
	}
	fputs("],\"kind\":", f);
	json_str(f, msg_kind_name(m->kind));
	fputs(",\"bounced\":", f);
	json_strv(f, m->bounced);
	fputs(",\"error\":", f);
	json_str(f, m->error);
	fputs(",\"hash\":", f);
	json_str(f, m->content_hash);
	fputs("}\n", f);
}

static int
cmd_parse(int argc, char **argv)
{
	struct mime_opts o = { "c4c.test", 0, 0 };
	struct buf b;
	struct msg *m;
	FILE *in;
	int i;

	for (i = 0; i < argc; i++) {
		buf_init(&b);
		if ((in = fopen(argv[i], "rb")) == NULL ||
		    read_all(in, &b) == -1) {
			printf("{\"file\":");
			json_str(stdout, argv[i]);
			printf(",\"io_error\":");
			json_str(stdout, strerror(errno));
			printf("}\n");
			if (in)
				fclose(in);
			buf_free(&b);
			continue;
		}
		fclose(in);
		if (mime_parse(b.data ? b.data : "", b.len, &o, &m) == 0) {
			print_msg(stdout, argv[i], m);
			msg_free(m);
		}
		buf_free(&b);
		fflush(stdout);
	}
	return 0;
}

static int
cmd_field(const char *kind)
{
	struct msg_addr *a;
	struct buf b;
	char *s, **v;
	size_t n;

	buf_init(&b);
	if (read_all(stdin, &b) == -1)
		return 1;
	buf_add(&b, "", 0);
	if (strcmp(kind, "text") == 0) {
		s = rfc2047_decode(b.data, b.len);
		json_str(stdout, s);
		free(s);
	} else if (strcmp(kind, "address") == 0) {
		n = mime_parse_addresses(b.data, &a);
		json_addrs(stdout, a, n);
		msg_addr_free_array(a, n);
	} else if (strcmp(kind, "date") == 0)
		printf("%lld", (long long)mime_parse_date(b.data));
	else if (strcmp(kind, "id") == 0) {
		s = mime_parse_msgid(b.data);
		json_str(stdout, s);
		free(s);
	} else if (strcmp(kind, "irt") == 0) {
		s = mime_parse_msgid_strict(b.data);
		json_str(stdout, s);
		free(s);
	} else if (strcmp(kind, "refs") == 0) {
		v = mime_parse_references(b.data);
		json_strv(stdout, v);
		strv_free(v);
	} else {
		buf_free(&b);
		return 64;
	}
	putchar('\n');
	buf_free(&b);
	return 0;
}

static int
cmd_charset(const char *name)
{
	struct buf b;
	char *s;
	size_t n;

	buf_init(&b);
	if (read_all(stdin, &b) == -1)
		return 1;
	s = charset_to_utf8(name, b.data ? b.data : "", b.len, &n);
	fwrite(s, 1, n, stdout);
	free(s);
	buf_free(&b);
	return 0;
}

int
main(int argc, char **argv)
{
	int rc = 64;

	mime_init();
	if (argc >= 2 && strcmp(argv[1], "parse") == 0)
		rc = cmd_parse(argc - 2, argv + 2);
	else if (argc == 3 && strcmp(argv[1], "field") == 0)
		rc = cmd_field(argv[2]);
	else if (argc == 3 && strcmp(argv[1], "charset") == 0)
		rc = cmd_charset(argv[2]);
	else
		fprintf(stderr, "usage: mimecheck parse FILE... | "
		    "field text|address|date|id|irt|refs | charset NAME\n");
	mime_shutdown();
	return rc;
}
