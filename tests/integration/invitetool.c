/*
 * invitetool: the invite module from the command line, for tests that
 * check it against another parser.
 *   invitetool build request|cancel --uid U [--seq N] --start EPOCH
 *       --end EPOCH --summary S [--description D] [--link URL]
 *       [--org-name N] --org-email ADDR [--now EPOCH]
 *       --attendee 'EMAIL|NAME|PARTSTAT' ...
 *     writes the VCALENDAR to stdout.
 *   invitetool parse [--zone ZONE] [FILE]
 *     reads FILE (or stdin) and prints one JSON object: method, uid,
 *     sequence, dtstamp, start, end (UTC epoch or null), flags, tzid,
 *     organizer, comment, attendees [{email, name, partstat}].
 * Exit 0; 65 when build or parse refuses the input (the error on stderr);
 * 64 on usage errors.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "invite.h"
#include "json.h"
#include "util.h"

#define MAXATT 64

static void
usage(void)
{
	fprintf(stderr, "usage: invitetool build request|cancel ... | "
	    "invitetool parse [--zone Z] [FILE]\n");
	exit(64);
}

static int
cmd_build(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "uid", required_argument, NULL, 'u' },
		{ "seq", required_argument, NULL, 'q' },
		{ "start", required_argument, NULL, 's' },
		{ "end", required_argument, NULL, 'e' },
		{ "summary", required_argument, NULL, 'S' },
		{ "description", required_argument, NULL, 'd' },
		{ "link", required_argument, NULL, 'l' },
		{ "org-name", required_argument, NULL, 'N' },
		{ "org-email", required_argument, NULL, 'E' },
		{ "now", required_argument, NULL, 'n' },
		{ "attendee", required_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 },
	};
	struct invite_attendee att[MAXATT];
	struct invite iv;
	enum invite_method method;
	char *text, *err, *s, *bar;
	int c;

	if (argc < 2)
		usage();
	if (strcmp(argv[1], "request") == 0)
		method = INVITE_REQUEST;
	else if (strcmp(argv[1], "cancel") == 0)
		method = INVITE_CANCEL;
	else
		usage();
	memset(&iv, 0, sizeof(iv));
	memset(att, 0, sizeof(att));
	iv.attendees = att;
	optind = 2;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'u': iv.uid = optarg; break;
		case 'q': iv.sequence = atoi(optarg); break;
		case 's': iv.start = (time_t)strtoll(optarg, NULL, 10); break;
		case 'e': iv.end = (time_t)strtoll(optarg, NULL, 10); break;
		case 'S': iv.summary = optarg; break;
		case 'd': iv.description = optarg; break;
		case 'l': iv.link = optarg; break;
		case 'N': iv.organizer_name = optarg; break;
		case 'E': iv.organizer_email = optarg; break;
		case 'n':
			clock_set_fake((time_t)strtoll(optarg, NULL, 10));
			break;
		case 'a':
			if (iv.nattendees == MAXATT)
				usage();
			s = optarg;
			att[iv.nattendees].email = s;
			if ((bar = strchr(s, '|')) != NULL) {
				*bar++ = '\0';
				att[iv.nattendees].name = bar;
				if ((bar = strchr(bar, '|')) != NULL) {
					*bar++ = '\0';
					att[iv.nattendees].partstat = bar;
				}
			}
			iv.nattendees++;
			break;
		default:
			usage();
		}
	}
	if ((text = invite_build(&iv, method, &err)) == NULL) {
		fprintf(stderr, "invitetool: %s\n", err);
		free(err);
		return 65;
	}
	fputs(text, stdout);
	free(text);
	return 0;
}

static int
cmd_parse(int argc, char *argv[])
{
	struct invite_msg *m;
	struct json *o, *a, *x;
	struct buf in, out;
	const char *zone = NULL;
	char chunk[8192], *err;
	size_t n, i;
	FILE *f = stdin;
	int ai = 1;

	if (ai + 1 < argc && strcmp(argv[ai], "--zone") == 0) {
		zone = argv[ai + 1];
		ai += 2;
	}
	if (ai < argc && strcmp(argv[ai], "-") != 0 &&
	    (f = fopen(argv[ai], "rb")) == NULL) {
		perror(argv[ai]);
		return 66;
	}
	buf_init(&in);
	buf_adds(&in, "");
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&in, chunk, n);
	if (f != stdin)
		fclose(f);
	if (invite_parse(in.data, in.len, zone, &m, &err) != 0) {
		fprintf(stderr, "invitetool: %s\n", err);
		free(err);
		buf_free(&in);
		return 65;
	}
	buf_free(&in);
	o = json_object();
	json_set_string(o, "method", m->method_name);
	json_set_string(o, "uid", m->uid);
	json_set_int(o, "sequence", m->sequence);
	json_set_int(o, "dtstamp", (int64_t)m->dtstamp);
	json_set(o, "start", m->has_start ? json_int((int64_t)m->start) :
	    json_null());
	json_set(o, "end", m->has_end ? json_int((int64_t)m->end) :
	    json_null());
	json_set_int(o, "flags", m->time_flags);
	json_set_string(o, "tzid", m->tzid);
	json_set_string(o, "organizer", m->organizer);
	json_set_string(o, "summary", m->summary);
	json_set_string(o, "comment", m->comment);
	a = json_set(o, "attendees", json_array());
	for (i = 0; i < m->nattendees; i++) {
		x = json_append(a, json_object());
		json_set_string(x, "email", m->attendees[i].email);
		json_set_string(x, "name", m->attendees[i].name);
		json_set_string(x, "partstat", m->attendees[i].partstat);
	}
	buf_init(&out);
	json_write(&out, o, 0);
	puts(out.data);
	buf_free(&out);
	json_free(o);
	invite_msg_free(m);
	return 0;
}

int
main(int argc, char *argv[])
{
	if (argc < 2)
		usage();
	if (strcmp(argv[1], "build") == 0)
		return cmd_build(argc - 1, argv + 1);
	if (strcmp(argv[1], "parse") == 0)
		return cmd_parse(argc - 1, argv + 1);
	usage();
	return 64;
}
