/*
 * ftsbench: what the Search index costs a first import. Stores every
 * file of a maildir folder through ingest_store_raw() (ingest's hooks:
 * threading, matching, bounces, commands; 500 messages per transaction
 * as ingest commits) into a fresh database and prints the CPU time
 * (user + system, getrusage) of the import and, for the lazy index, of
 * the later catch-up (search_catch_up() in SEARCH_SLICE slices, as
 * mistokd's search module does).
 *   ftsbench DIR lazy    the index kept lazily (db migration 7)
 *   ftsbench DIR eager   migration 5's insert trigger put back: every
 *                        message indexed while it is stored
 */
#include <sys/resource.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "db.h"
#include "imap.h"
#include "ingest.h"
#include "log.h"
#include "mime.h"
#include "search.h"
#include "store.h"
#include "util.h"

static double
cpu(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct buf b;
	char tmp[65536];
	size_t n;

	if (f == NULL)
		fatal("%s", path);
	buf_init(&b);
	while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0)
		buf_add(&b, tmp, n);
	fclose(f);
	*len = b.len;
	buf_addc(&b, '\0');
	return buf_steal(&b);
}

static int
cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
main(int argc, char **argv)
{
	char dir[] = "/tmp/mistok-ftsbench.XXXXXX", *path, *err = NULL;
	char **names = NULL, *raw;
	struct config *conf = NULL;
	struct ingest *ing;
	struct buf errs;
	struct dirent *de;
	struct db *db;
	DIR *d;
	FILE *f;
	size_t n = 0, i, len;
	double t0, t_store, t_catch = 0;
	int64_t indexed = 0;
	int eager, k;

	if (argc != 3 || (strcmp(argv[2], "lazy") != 0 &&
	    strcmp(argv[2], "eager") != 0)) {
		fprintf(stderr, "usage: ftsbench MAILDIR-FOLDER lazy|eager\n");
		return 64;
	}
	eager = strcmp(argv[2], "eager") == 0;
	log_init(1, "ftsbench");
	log_setverbose(0);
	if ((d = opendir(argv[1])) == NULL)
		fatal("%s", argv[1]);
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.') {
			names = xreallocarray(names, n + 1, sizeof(*names));
			names[n++] = xasprintf("%s/%s", argv[1], de->d_name);
		}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp);
	if (mkdtemp(dir) == NULL)
		fatal("mkdtemp");
	path = xasprintf("%s/c.conf", dir);
	if ((f = fopen(path, "w")) == NULL)
		fatal("%s", path);
	fprintf(f, "[mailbox]\nhost = localhost\nuser = team@c4c.test\n"
	    "password_command = echo x\n[team]\naddress = team@c4c.test\n"
	    "domain = c4c.test\ncoordinators = olena@c4c.test\n"
	    "[store]\npath = %s/b.db\n", dir);
	fclose(f);
	buf_init(&errs);
	if (config_load(path, &conf, &errs) != 0)
		fatalx("config: %s", errs.data);
	buf_free(&errs);
	free(path);
	if (db_open(conf->store_path, DB_CREATE | DB_MIGRATE, &db, &err) != 0)
		fatalx("%s", err);
	if (eager && (db_exec(db, "DROP TRIGGER messages_fts_ai", "") == -1 ||
	    db_exec(db, "CREATE TRIGGER messages_fts_ai AFTER INSERT ON "
	    "messages BEGIN INSERT INTO messages_fts(rowid, subject, body) "
	    "VALUES (new.id, new.subject, new.body); END", "") == -1))
		fatalx("%s", db_errmsg(db));
	mime_init();
	ing = ingest_new(db, conf);

	t0 = cpu();
	for (i = 0; i < n; i++) {
		struct store_loc loc = { "INBOX", 1, (uint32_t)i + 1 };
		struct imap_msg im;

		raw = slurp(names[i], &len);
		memset(&im, 0, sizeof(im));
		im.uid = (uint32_t)i + 1;
		im.raw = raw;
		im.len = len;
		if (i % INGEST_CHUNK == 0 && db_begin(db) == -1)
			fatalx("begin");
		if (ingest_store_raw(db, conf, &loc, &im, NULL, &err) < 0)
			fatalx("%s", err);
		if ((i % INGEST_CHUNK == INGEST_CHUNK - 1 || i == n - 1) &&
		    db_commit(db) == -1)
			fatalx("commit");
		free(raw);
	}
	t_store = cpu() - t0;
	if (!eager) {
		t0 = cpu();
		while ((k = search_catch_up(db, SEARCH_SLICE)) > 0)
			;
		if (k == -1)
			fatalx("catch-up");
		t_catch = cpu() - t0;
	}
	if (db_int(db, &indexed, "SELECT count(*) FROM messages_fts_docsize",
	    "") != 1)
		fatalx("%s", db_errmsg(db));
	printf("%s: %zu messages: import %.2f s CPU", argv[2], n, t_store);
	if (!eager)
		printf(", later catch-up %.2f s CPU", t_catch);
	printf(" (%lld indexed)\n", (long long)indexed);
	ingest_free(ing);
	db_close(db);
	config_free(conf);
	mime_shutdown();
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	path = xasprintf("rm -rf '%s'", dir);
	if (system(path) != 0)
		log_warnx("cannot remove %s", dir);
	free(path);
	return 0;
}
