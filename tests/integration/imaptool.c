/*
 * imaptool: drives daemon/imap.c from the command line, for the tests and
 * benchmarks. The secret comes from a file (-P), never from argv.
 *
 *   imaptool [options] login
 *   imaptool [options] list
 *   imaptool [options] examine FOLDER
 *   imaptool [options] fetch FOLDER FROM TO [DIR]   (TO 0 = *)
 *   imaptool [options] uids FOLDER
 *   imaptool [options] idle FOLDER SECONDS [EVENTS]
 *   imaptool [options] append FOLDER FILE
 * Options: -h HOST -p PORT -t implicit|starttls|none -C CA_FILE -u USER
 *   -a plain|login|xoauth2 -P SECRET_FILE -T TIMEOUT -m MAX_SIZE
 *   -n MAX_COUNT -s (append with \Seen) -v (trace)
 *
 * Output (stdout): "caps ..." after login; "folder NAME FLAGS"; "state
 * uidvalidity=U uidnext=N exists=E highestmodseq=M"; per fetched message
 * "msg UID SIZE LEN FLAGS HEADERS_ONLY INTERNALDATE" (and DIR/UID holds
 * the bytes); "fetched N BYTES"; "event EPOCH_MS uid UID" in idle.
 * On failure: "error CLASS: message" on stderr; exit 1 FAIL, 2 RETRY_LATER,
 * 3 RETRY_NOW, 64 usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "imap.h"
#include "log.h"
#include "util.h"

static const char *outdir;
static unsigned long long bytes;

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: imaptool [-h host] [-p port] [-t tls] "
	    "[-C ca_file] [-u user] [-a auth] [-P secret_file] [-T timeout]\n"
	    "    [-m max_size] [-n max_count] [-s] [-v] "
	    "login|list|examine|fetch|uids|idle|append ...\n");
	exit(64);
}

static int
exit_code(enum imap_status st)
{
	switch (st) {
	case IMAP_OK:
		return 0;
	case IMAP_FAIL:
		return 1;
	case IMAP_RETRY_LATER:
		return 2;
	case IMAP_RETRY_NOW:
		return 3;
	}
	return 1;
}

static void
die_st(enum imap_status st, char *err)
{
	fprintf(stderr, "error %s: %s\n", imap_status_name(st),
	    err != NULL ? err : "?");
	free(err);
	exit(exit_code(st));
}

static long long
now_ms(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

static char *
read_secret(const char *path)
{
	char buf[4096];
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY)) == -1)
		fatal("%s", path);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		fatal("%s", path);
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	return xstrdup(buf);
}

static int
on_msg(void *arg, const struct imap_msg *m)
{
	size_t *limit = arg;
	char path[4096];
	FILE *f;

	printf("msg %u %u %zu %u %d %lld\n", m->uid, m->size, m->len,
	    m->flags, m->headers_only, (long long)m->internaldate);
	bytes += m->len;
	if (outdir != NULL) {
		snprintf(path, sizeof(path), "%s/%u", outdir, m->uid);
		if ((f = fopen(path, "w")) == NULL)
			fatal("%s", path);
		if (fwrite(m->raw, 1, m->len, f) != m->len || fclose(f) != 0)
			fatal("%s", path);
	}
	if (*limit != 0 && --*limit == 0)
		return -1;
	return 0;
}

static int
on_event(void *arg, const struct imap_msg *m)
{
	uint32_t *next = arg;

	printf("event %lld uid %u\n", now_ms(), m->uid);
	fflush(stdout);
	if (m->uid >= *next)
		*next = m->uid + 1;
	return 0;
}

static enum tls_mode
parse_tls(const char *s)
{
	if (strcmp(s, "implicit") == 0)
		return TLS_IMPLICIT;
	if (strcmp(s, "starttls") == 0)
		return TLS_STARTTLS;
	if (strcmp(s, "none") == 0)
		return TLS_NONE;
	usage();
}

static enum auth_mode
parse_auth(const char *s)
{
	if (strcmp(s, "plain") == 0)
		return AUTH_PLAIN;
	if (strcmp(s, "login") == 0)
		return AUTH_LOGIN;
	if (strcmp(s, "xoauth2") == 0)
		return AUTH_XOAUTH2;
	usage();
}

int
main(int argc, char **argv)
{
	struct imap_params p;
	struct imap_fetch_opts fo;
	struct imap_folder_state fs;
	enum imap_status st;
	struct imap *im;
	char *err = NULL, *secret = NULL;
	const char *cmd;
	int ch, seen = 0;

	memset(&p, 0, sizeof(p));
	memset(&fo, 0, sizeof(fo));
	p.host = "127.0.0.1";
	p.tls = TLS_IMPLICIT;
	p.auth = AUTH_PLAIN;
	log_init(1, "imaptool");
	while ((ch = getopt(argc, argv, "a:C:h:m:n:p:P:st:T:u:v")) != -1) {
		switch (ch) {
		case 'a':
			p.auth = parse_auth(optarg);
			break;
		case 'C':
			p.ca_file = optarg;
			break;
		case 'h':
			p.host = optarg;
			break;
		case 'm':
			fo.max_size = strtoull(optarg, NULL, 10);
			break;
		case 'n':
			fo.max_count = strtoull(optarg, NULL, 10);
			break;
		case 'p':
			p.port = atoi(optarg);
			break;
		case 'P':
			secret = read_secret(optarg);
			break;
		case 's':
			seen = 1;
			break;
		case 't':
			p.tls = parse_tls(optarg);
			break;
		case 'T':
			p.timeout = atoi(optarg);
			break;
		case 'u':
			p.user = optarg;
			break;
		case 'v':
			log_setverbose(1);
			log_trace_set(TRACE_IMAP);
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1 || p.user == NULL)
		usage();
	cmd = argv[0];
	p.secret = secret;

	im = imap_connect(&p, &st, &err);
	if (secret != NULL) {
		explicit_bzero(secret, strlen(secret));
		free(secret);
		p.secret = NULL;
	}
	if (im == NULL)
		die_st(st, err);
	printf("caps %s\n", imap_capabilities(im));

	if (strcmp(cmd, "login") == 0) {
		st = IMAP_OK;
	} else if (strcmp(cmd, "list") == 0) {
		struct imap_folder *v;
		const struct imap_folder *sent;
		size_t n, i;

		if ((st = imap_list_folders(im, &v, &n, &err)) == IMAP_OK) {
			for (i = 0; i < n; i++)
				printf("folder %s %#x\n", v[i].name,
				    v[i].flags);
			sent = imap_find_sent(v, n);
			printf("sent %s\n", sent != NULL ? sent->name : "-");
			imap_folders_free(v, n);
		}
	} else if (strcmp(cmd, "examine") == 0 && argc == 2) {
		if ((st = imap_examine(im, argv[1], &fs, &err)) == IMAP_OK)
			printf("state uidvalidity=%u uidnext=%u exists=%u "
			    "highestmodseq=%llu\n", fs.uidvalidity, fs.uidnext,
			    fs.exists, (unsigned long long)fs.highestmodseq);
	} else if (strcmp(cmd, "fetch") == 0 && (argc == 4 || argc == 5)) {
		size_t count = 0, stop_after = 0;

		outdir = argc == 5 ? argv[4] : NULL;
		if (getenv("IMAPTOOL_STOP_AFTER") != NULL)
			stop_after = strtoul(getenv("IMAPTOOL_STOP_AFTER"),
			    NULL, 10);
		if ((st = imap_examine(im, argv[1], &fs, &err)) == IMAP_OK)
			st = imap_fetch(im, strtoul(argv[2], NULL, 10),
			    strtoul(argv[3], NULL, 10), &fo, on_msg,
			    &stop_after, &count, &err);
		if (st == IMAP_OK)
			printf("fetched %zu %llu\n", count, bytes);
	} else if (strcmp(cmd, "uids") == 0 && argc == 2) {
		uint32_t *u;
		size_t n, i;

		if ((st = imap_examine(im, argv[1], &fs, &err)) == IMAP_OK &&
		    (st = imap_uids(im, 0, 0, &u, &n, &err)) == IMAP_OK) {
			for (i = 0; i < n; i++)
				printf("uid %u\n", u[i]);
			printf("uids %zu\n", n);
			free(u);
		}
	} else if (strcmp(cmd, "idle") == 0 && (argc == 3 || argc == 4)) {
		long long end = now_ms() + atoll(argv[2]) * 1000;
		uint32_t next;
		unsigned long events = 0, want = argc == 4 ?
		    strtoul(argv[3], NULL, 10) : 0;
		int news, cycles = 0;

		if ((st = imap_examine(im, argv[1], &fs, &err)) != IMAP_OK)
			goto out;
		next = fs.uidnext;
		printf("idling uidnext=%u\n", next);
		fflush(stdout);
		while (now_ms() < end && (want == 0 || events < want) &&
		    cycles++ < 1000) {
			int left = (int)((end - now_ms() + 999) / 1000);
			size_t got = 0;

			if ((st = imap_idle(im, left, &news, &err)) != IMAP_OK)
				break;
			printf("wake %lld %s\n", now_ms(),
			    news ? "news" : "timeout");
			st = imap_fetch(im, next, 0, NULL, on_event, &next,
			    &got, &err);
			if (st != IMAP_OK)
				break;
			events += got;
		}
		printf("events %lu\n", events);
	} else if (strcmp(cmd, "append") == 0 && argc == 3) {
		struct buf b;
		char chunk[65536];
		size_t n;
		FILE *f;

		if ((f = fopen(argv[2], "r")) == NULL)
			fatal("%s", argv[2]);
		buf_init(&b);
		while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
			buf_add(&b, chunk, n);
		fclose(f);
		st = imap_append(im, argv[1], b.data, b.len, seen, &err);
		buf_free(&b);
		if (st == IMAP_OK)
			printf("appended %zu\n", b.len);
	} else {
		imap_close(im);
		usage();
	}
out:
	imap_close(im);
	if (st != IMAP_OK)
		die_st(st, err);
	printf("ok\n");
	return 0;
}
