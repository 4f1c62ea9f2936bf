/*
 * schedbench: one scheduler tick over a large network — PARTNERSHIPS
 * partnerships (default 1,000), STEPS open steps (default 20,000; due
 * dates spread over a year around now, a third overdue) and a few mails
 * each — in a fresh database under DIR. Prints the time of the first
 * tick (which queues the catch-up) and of a steady tick a minute later
 * (nothing new due), best of 5. Usage: schedbench DIR [PARTNERSHIPS STEPS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "db.h"
#include "remind.h"
#include "util.h"

static double
ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

#define X(call) do { if ((call) != 0) { \
	fprintf(stderr, "schedbench: %s: %s\n", #call, db_errmsg(db)); \
	return 1; } } while (0)

int
main(int argc, char **argv)
{
	struct remind_env env;
	struct remind_stats st;
	struct config *conf;
	struct buf errors;
	struct db *db;
	char *path, *err = NULL, buf[32];
	long np = 1000, ns = 20000, i;
	time_t now = 1802246400;	/* 2027-02-10T12:00:00Z, a Wednesday */
	double t0, t1, best = 1e9, first;
	FILE *f;
	int r;

	if (argc != 2 && argc != 4) {
		fprintf(stderr, "usage: schedbench DIR [PARTNERSHIPS STEPS]\n");
		return 64;
	}
	if (argc == 4) {
		np = atol(argv[2]);
		ns = atol(argv[3]);
	}
	path = xasprintf("%s/bench.conf", argv[1]);
	if ((f = fopen(path, "w")) == NULL)
		return 1;
	fprintf(f, "[mailbox]\nhost = 127.0.0.1\nuser = team@c4c.test\n"
	    "password_file = %s/pw\n[team]\naddress = team@c4c.test\n"
	    "coordinators = c0@c4c.test\n[store]\npath = %s/bench.db\n",
	    argv[1], argv[1]);
	fclose(f);
	buf_init(&errors);
	if (config_load(path, &conf, &errors) != 0) {
		fprintf(stderr, "%s", errors.data);
		return 1;
	}
	if (db_open(conf->store_path, DB_CREATE | DB_MIGRATE, &db, &err)) {
		fprintf(stderr, "schedbench: %s\n", err);
		return 1;
	}
	clock_set_fake(now - 400 * 86400);
	X(db_begin(db));
	X(db_exec(db, "INSERT INTO orgs (id, name, country, zone, language) "
	    "VALUES (1, 'Team', 'UA', 'Europe/Kyiv', 'uk'), (2, 'UA city', "
	    "'UA', 'Europe/Kyiv', 'uk'), (3, 'US city', 'US', "
	    "'America/Chicago', 'en')", ""));
	for (i = 0; i < 20; i++) {
		X(db_exec(db, "INSERT INTO contacts (id, name, org) VALUES "
		    "(?, ?, 1)", "It", (int64_t)i + 1, "Coordinator"));
		snprintf(buf, sizeof(buf), "c%ld@c4c.test", i);
		X(db_exec(db, "INSERT INTO contact_addresses (contact, email) "
		    "VALUES (?, ?)", "It", (int64_t)i + 1, buf));
	}
	for (i = 0; i < np; i++) {
		snprintf(buf, sizeof(buf), "p%ld", i);
		X(db_exec(db, "INSERT INTO partnerships (id, slug, ua_org, "
		    "us_org, stage, coordinator, started) VALUES (?, ?, 2, 3, "
		    "'contacted', ?, ?)", "ItIT", (int64_t)i + 1, buf,
		    (int64_t)(i % 20) + 1, now - 300 * 86400));
		/* Mail each way, ending at various ages. */
		snprintf(buf, sizeof(buf), "b%ld@x", i);
		X(db_exec(db, "INSERT INTO messages (message_id, content_hash, "
		    "date, partnership, direction, kind) VALUES (?, ?, ?, ?, "
		    "?, 'correspondence')", "ttTIt", buf, buf, now - (i % 40) *
		    86400 - 3600, (int64_t)i + 1, i % 2 ? "in" : "out"));
	}
	for (i = 0; i < ns; i++) {
		long day = (i * 7919) % 365 - 120;	/* -120 .. +244 days */
		time_t due = now + day * 86400;
		struct tm tm;

		gmtime_r(&due, &tm);
		strftime(buf, sizeof(buf), "%Y-%m-%d", &tm);
		X(db_exec(db, "INSERT INTO steps (partnership, text, owner_kind, "
		    "owner_id, due, due_date, due_zone, status, origin, created) "
		    "VALUES (?, 'A step', 'coordinator', ?, ?, ?, 'Europe/Kyiv', "
		    "'open', 'cli', ?)", "IITtT", (int64_t)(i % np) + 1,
		    (int64_t)(i % 20) + 1, due - due % 86400 + 86400 - 7200, buf,
		    now - 400 * 86400));
	}
	X(db_commit(db));
	X(db_exec(db, "ANALYZE", ""));

	memset(&env, 0, sizeof(env));
	env.db = db;
	env.conf = conf;
	snprintf(buf, sizeof(buf), "%lld", (long long)(now - 3600));
	db_kv_set(db, "remind.last_tick", buf);
	clock_set_fake(now);
	t0 = ms();
	r = remind_tick(&env, now, &st, &err);
	first = ms() - t0;
	if (r != 0) {
		fprintf(stderr, "schedbench: %s\n", err);
		return 1;
	}
	printf("first tick (an hour's window): %.1f ms, %zu queued\n", first,
	    st.queued);
	remind_stats_free(&st);
	for (i = 1; i <= 5; i++) {
		clock_set_fake(now + i * 60);
		t0 = ms();
		r = remind_tick(&env, now + i * 60, &st, &err);
		t1 = ms() - t0;
		if (r != 0)
			return 1;
		if (t1 < best)
			best = t1;
		remind_stats_free(&st);
	}
	printf("steady tick over %ld partnerships and %ld steps: %.1f ms "
	    "(best of 5; goal < 50 ms)\n", np, ns, best);
	db_close(db);
	config_free(conf);
	free(path);
	return 0;
}
