/*
 * outboxtool: queues test mail into a config's outbox, and measures SMTP
 * throughput, for tests/integration/outbox.sh and contrib/bench/smtp.sh.
 *   outboxtool CONF queue KEY-PREFIX N RCPT...   N mails, keys PREFIX:i
 *   outboxtool CONF bench N reuse|fresh RCPT     N mails straight through
 *                                                smtp.c; prints mails/s
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "db.h"
#include "log.h"
#include "outbox.h"
#include "smtp.h"
#include "util.h"

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int
bench(struct config *c, int n, int fresh, const char *rcpt)
{
	struct smtp_params p;
	struct smtp_result r;
	struct smtp *s;
	const char *rcpts[] = { rcpt, NULL };
	char *secret = NULL, *err = NULL, *raw, *id, subj[64];
	size_t len;
	double t0, t;
	int i, ok = 0;

	if (config_secret(&c->smtp, &secret, &err) == -1) {
		fprintf(stderr, "outboxtool: %s\n", err);
		return 1;
	}
	memset(&p, 0, sizeof(p));
	p.host = c->smtp.host;
	p.port = c->smtp.port;
	p.tls = c->smtp.tls;
	p.ca_file = c->smtp.ca_file;
	p.user = c->smtp.user;
	p.auth = c->smtp.auth;
	p.secret = secret;
	p.timeout = 30;
	p.no_reuse = fresh;
	s = smtp_new(&p);
	explicit_bzero(secret, strlen(secret));
	free(secret);
	t0 = now_s();
	for (i = 0; i < n; i++) {
		snprintf(subj, sizeof(subj), "bench %d", i);
		raw = outbox_plain_mail(c, rcpts, subj, "A bench mail.\n", NULL, NULL, &id,
		    &len);
		if (smtp_send(s, c->team_address, rcpts, 1, raw, len, &r) ==
		    SMTP_OK)
			ok++;
		else
			fprintf(stderr, "outboxtool: %s\n", r.error);
		smtp_result_free(&r);
		free(raw);
		free(id);
	}
	t = now_s() - t0;
	printf("%s %d sent %d connections %ld seconds %.2f mails_per_s %.1f\n",
	    fresh ? "fresh" : "reuse", n, ok, smtp_connections(s), t,
	    ok / (t > 0 ? t : 1e-9));
	smtp_free(s);
	return ok == n ? 0 : 1;
}

int
main(int argc, char *argv[])
{
	struct config *c = NULL;
	struct db *db;
	struct buf errors;
	char *err = NULL, *raw, *id, *key, subj[128];
	size_t len;
	int64_t row;
	int i, n, rc = 0;

	log_init(1, "outboxtool");
	if (argc < 6) {
		fprintf(stderr, "usage: outboxtool CONF queue PREFIX N RCPT... "
		    "| outboxtool CONF bench N reuse|fresh RCPT\n");
		return 64;
	}
	buf_init(&errors);
	if (config_load(argv[1], &c, &errors) != 0) {
		fputs(errors.data ? errors.data : "", stderr);
		return 78;
	}
	buf_free(&errors);
	if (strcmp(argv[2], "bench") == 0) {
		rc = bench(c, atoi(argv[3]), strcmp(argv[4], "fresh") == 0,
		    argv[5]);
		config_free(c);
		return rc;
	}
	if (db_open(c->store_path, DB_CREATE | DB_MIGRATE, &db, &err) == -1) {
		fprintf(stderr, "outboxtool: %s\n", err);
		return 1;
	}
	n = atoi(argv[4]);
	for (i = 0; i < n; i++) {
		snprintf(subj, sizeof(subj), "%s %d — тест", argv[3], i);
		raw = outbox_plain_mail(c, (const char *const *)argv + 5, subj,
		    "Тестовий лист.\nA test mail.\n", NULL, NULL, &id, &len);
		key = xasprintf("%s:%d", argv[3], i);
		if (outbox_enqueue(db, key, raw, len, c->team_address,
		    (const char *const *)argv + 5, id, NULL, 0, &row,
		    &err) == -1) {
			fprintf(stderr, "outboxtool: %s\n", err);
			free(err);
			rc = 1;
		}
		free(key);
		free(raw);
		free(id);
	}
	db_close(db);
	config_free(c);
	return rc;
}
