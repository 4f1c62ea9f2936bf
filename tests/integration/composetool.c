/*
 * composetool: composes one message from its arguments and writes the raw
 * bytes to stdout, for tests that read it back with another parser.
 *   composetool --from ADDR [--from-name N] --domain D --to ADDR
 *       [--to-name N] [--cc ADDR [--cc-name N]] [--date EPOCH]
 *       [--msgid ID] [--parent ID [--ref ID]... [--parent-ti TI]
 *       [--own-id ID]] [--ics FILE] [--id-file FILE]
 *       (--subject S --text FILE [--html FILE] |
 *        --templates DIR --template NAME [--lang L] [--data FILE.json])
 * The Message-ID goes to --id-file when given. Exit 0, 1 on error.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compose.h"
#include "json.h"
#include "mailtmpl.h"
#include "mime.h"
#include "tmplset.h"
#include "util.h"

static char *
slurp(const char *path, size_t *len)
{
	struct buf b;
	char chunk[8192];
	size_t n;
	FILE *f;

	if ((f = fopen(path, "rb")) == NULL) {
		perror(path);
		exit(1);
	}
	buf_init(&b);
	buf_adds(&b, "");
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	*len = b.len;
	return buf_steal(&b);
}

int
main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "from", required_argument, NULL, 'f' },
		{ "from-name", required_argument, NULL, 'F' },
		{ "domain", required_argument, NULL, 'D' },
		{ "to", required_argument, NULL, 't' },
		{ "to-name", required_argument, NULL, 'T' },
		{ "cc", required_argument, NULL, 'c' },
		{ "cc-name", required_argument, NULL, 'C' },
		{ "date", required_argument, NULL, 'd' },
		{ "msgid", required_argument, NULL, 'm' },
		{ "parent", required_argument, NULL, 'p' },
		{ "ref", required_argument, NULL, 'r' },
		{ "parent-ti", required_argument, NULL, 'i' },
		{ "own-id", required_argument, NULL, 'o' },
		{ "ics", required_argument, NULL, 'I' },
		{ "id-file", required_argument, NULL, 'x' },
		{ "subject", required_argument, NULL, 's' },
		{ "text", required_argument, NULL, 'a' },
		{ "html", required_argument, NULL, 'h' },
		{ "templates", required_argument, NULL, 'L' },
		{ "template", required_argument, NULL, 'n' },
		{ "lang", required_argument, NULL, 'l' },
		{ "data", required_argument, NULL, 'j' },
		{ 0 },
	};
	const char *from = NULL, *from_name = NULL, *domain = NULL;
	const char *to = NULL, *to_name = NULL, *cc = NULL, *cc_name = NULL;
	const char *msgid = NULL, *parent = NULL, *parent_ti = NULL;
	const char *own = NULL, *ics = NULL, *idfile = NULL, *subject = NULL;
	const char *text = NULL, *html = NULL, *tdir = NULL, *tname = NULL;
	const char *lang = NULL, *datafile = NULL;
	const char *refs[32];
	size_t nrefs = 0, len;
	time_t date = 0;
	struct compose *c;
	struct buf out;
	char *err, *s;
	int ch, rc = 0;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'f': from = optarg; break;
		case 'F': from_name = optarg; break;
		case 'D': domain = optarg; break;
		case 't': to = optarg; break;
		case 'T': to_name = optarg; break;
		case 'c': cc = optarg; break;
		case 'C': cc_name = optarg; break;
		case 'd': date = (time_t)strtoll(optarg, NULL, 10); break;
		case 'm': msgid = optarg; break;
		case 'p': parent = optarg; break;
		case 'r':
			if (nrefs + 1 < nitems(refs))
				refs[nrefs++] = optarg;
			break;
		case 'i': parent_ti = optarg; break;
		case 'o': own = optarg; break;
		case 'I': ics = optarg; break;
		case 'x': idfile = optarg; break;
		case 's': subject = optarg; break;
		case 'a': text = optarg; break;
		case 'h': html = optarg; break;
		case 'L': tdir = optarg; break;
		case 'n': tname = optarg; break;
		case 'l': lang = optarg; break;
		case 'j': datafile = optarg; break;
		default:
			fprintf(stderr, "composetool: bad arguments\n");
			return 1;
		}
	}
	refs[nrefs] = NULL;
	mime_init();
	c = compose_new(from_name, from, domain);
	if (date != 0)
		compose_set_date(c, date);
	if (msgid != NULL)
		compose_set_message_id(c, msgid);
	if (to != NULL)
		compose_add_to(c, to_name, to);
	if (cc != NULL)
		compose_add_cc(c, cc_name, cc);
	if (parent != NULL || own != NULL)
		compose_set_parent(c, parent, refs, parent_ti, own);
	if (tname != NULL) {
		struct buf errors;
		struct tmpl_set *set;
		struct mailtmpl_mail m;
		struct json *data;

		buf_init(&errors);
		if ((set = mailtmpl_load(tdir, &errors)) == NULL) {
			fprintf(stderr, "%s", errors.data);
			return 1;
		}
		buf_free(&errors);
		if (datafile != NULL) {
			s = slurp(datafile, &len);
			data = json_parse(s, len, &err);
			free(s);
		} else
			data = json_parse(mailtmpl_sample(tname),
			    strlen(mailtmpl_sample(tname)), &err);
		if (data == NULL ||
		    mailtmpl_render(set, tname, lang, "uk", data, &m, &err)) {
			fprintf(stderr, "composetool: %s\n", err);
			return 1;
		}
		mailtmpl_to_compose(&m, c);
		mailtmpl_mail_free(&m);
		json_free(data);
		tmpl_set_free(set);
	} else {
		compose_set_subject(c, subject);
		if (text != NULL) {
			s = slurp(text, &len);
			compose_set_text(c, s, len);
			free(s);
		}
		if (html != NULL) {
			s = slurp(html, &len);
			compose_set_html(c, s, len);
			free(s);
		}
	}
	if (ics != NULL) {
		s = slurp(ics, &len);
		compose_add_alternative(c,
		    "text/calendar; method=REQUEST; charset=UTF-8", s, len);
		compose_add_attachment(c, "invite.ics", "application/ics", s,
		    len);
		free(s);
	}
	buf_init(&out);
	if (compose_write(c, &out, &err) == -1) {
		fprintf(stderr, "composetool: %s\n", err);
		free(err);
		rc = 1;
	} else {
		fwrite(out.data, 1, out.len, stdout);
		if (idfile != NULL) {
			FILE *f = fopen(idfile, "w");

			if (f == NULL) {
				perror(idfile);
				rc = 1;
			} else {
				fprintf(f, "%s\n", compose_message_id(c));
				fclose(f);
			}
		}
	}
	buf_free(&out);
	compose_free(c);
	mime_shutdown();
	return rc;
}
