/*
 * mistok sync --once: one pass of the ingest engine over every folder,
 * with progress on stderr (a redrawn bar on a terminal, a line every few
 * seconds otherwise) and a summary per folder at the end.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "db.h"
#include "event.h"
#include "ingest.h"
#include "json.h"
#include "mime.h"
#include "mistok.h"
#include "util.h"

#define TTY_REDRAW_MS	100
#define PLAIN_EVERY_MS	5000

struct progress {
	int		 tty;
	int		 quiet;
	const char	*folder;
	int64_t		 start;		/* ev_now_ms() of the folder's start */
	int64_t		 last;		/* last output */
	size_t		 done, total;
	int		 drawn;		/* a bar is on the line */
};

static void
draw(struct progress *p, int final)
{
	int64_t now = ev_now_ms(), el = now - p->start;
	double rate = el > 0 ? (double)p->done * 1000.0 / (double)el : 0;
	long eta;
	int pct = p->total ? (int)(p->done * 100 / p->total) : 100;
	char bar[21];
	int i, fill = pct / 5;

	if (p->tty) {
		for (i = 0; i < 20; i++)
			bar[i] = i < fill ? '#' : '.';
		bar[20] = '\0';
		eta = rate > 0 && p->total > p->done ?
		    (long)((double)(p->total - p->done) / rate) : 0;
		fprintf(stderr, "\rsync %s: [%s] %zu/%zu %3d%% %.0f msg/s "
		    "ETA %ld:%02ld \033[K", p->folder, bar, p->done, p->total,
		    pct, rate, eta / 60, eta % 60);
		p->drawn = 1;
		if (final) {
			fputc('\n', stderr);
			p->drawn = 0;
		}
	} else
		fprintf(stderr, "sync %s: %zu/%zu (%.0f msg/s)\n", p->folder,
		    p->done, p->total, rate);
	fflush(stderr);
	p->last = now;
}

static void
on_progress(void *arg, const char *folder, size_t done, size_t total)
{
	struct progress *p = arg;
	int64_t now;

	p->done = done;
	p->total = total;
	if (p->quiet)
		return;
	now = ev_now_ms();
	if (now - p->last >= (p->tty ? TTY_REDRAW_MS : PLAIN_EVERY_MS))
		draw(p, 0);
}

static int
exit_code(enum ingest_status st)
{
	switch (st) {
	case INGEST_OK:
		return EX_OK;
	case INGEST_RETRY_NOW:
	case INGEST_RETRY_LATER:
		return EX_TEMPFAIL;
	case INGEST_FAIL:
		return EX_UNAVAILABLE;
	case INGEST_CONFIG:
		return EX_CONFIG;
	case INGEST_STORE:
		return EX_IOERR;
	}
	return EX_SOFTWARE;
}

static void
summary_json(struct ingest *ing, enum ingest_status st, const char *err)
{
	const struct ingest_counts *c;
	struct json *o, *a, *f;
	size_t i, n = ingest_nfolders(ing);

	o = json_object();
	json_set_string(o, "status", ingest_status_name(st));
	json_set(o, "error", json_string(err));
	a = json_set(o, "folders", json_array());
	for (i = 0; i <= n; i++) {
		c = ingest_counts(ing, i < n ? i : SIZE_MAX);
		f = i < n ? json_append(a, json_object()) :
		    json_set(o, "total", json_object());
		if (i < n)
			json_set_string(f, "name", ingest_folder(ing, i));
		json_set_int(f, "fetched", (int64_t)c->fetched);
		json_set_int(f, "new", (int64_t)c->added);
		json_set_int(f, "duplicates", (int64_t)c->duplicates);
		json_set_int(f, "known", (int64_t)c->known);
		json_set_int(f, "quarantined", (int64_t)c->quarantined);
		json_set_int(f, "headers_only", (int64_t)c->truncated);
	}
	cli_print_json(o);
}

static void
summary_text(struct ingest *ing, int64_t ms)
{
	const struct ingest_counts *c;
	size_t i, n = ingest_nfolders(ing);

	for (i = 0; i < n; i++) {
		c = ingest_counts(ing, i);
		printf("sync %s: %zu fetched, %zu new, %zu duplicates, "
		    "%zu quarantined, %zu headers only\n", ingest_folder(ing, i),
		    c->fetched, c->added, c->duplicates, c->quarantined,
		    c->truncated);
	}
	c = ingest_counts(ing, SIZE_MAX);
	printf("sync: %zu new, %zu duplicates, %zu quarantined in %lld.%01lld "
	    "s\n", c->added, c->duplicates, c->quarantined,
	    (long long)(ms / 1000), (long long)(ms % 1000 / 100));
}

int
cmd_sync(int argc, char **argv, struct cli *cli)
{
	static const struct option longopts[] = {
		{ "once", no_argument, NULL, 'o' },
		{ "quiet", no_argument, NULL, 'q' },
		CLI_OPT_JSON,
		{ 0 }
	};
	struct progress p;
	struct ingest *ing;
	struct db *db = NULL;
	enum ingest_status st, worst = INGEST_OK;
	char *err = NULL, *first_err = NULL;
	int64_t t0 = ev_now_ms();
	int ch, once = 0, rc, tries, done;
	size_t i;

	memset(&p, 0, sizeof(p));
	while ((ch = getopt_long(argc, argv, "q", longopts, NULL)) != -1) {
		switch (ch) {
		case 'o':
			once = 1;
			break;
		case 'q':
			p.quiet = 1;
			break;
		case 'J':
			cli->json = 1;
			break;
		default:
			return cli_usage("sync");
		}
	}
	if (optind != argc || !once) {
		if (!once)
			fprintf(stderr, "mistok: sync runs one pass with --once; "
			    "mistokd syncs continuously\n");
		return cli_usage("sync");
	}
	p.tty = isatty(STDERR_FILENO);
	if ((rc = cli_open_db(cli, DB_CREATE | DB_MIGRATE, &db)) != EX_OK)
		return rc;
	mime_init();
	ing = ingest_new(db, cli->conf);
	ingest_set_progress(ing, on_progress, &p);
	/* No loop to keep responsive: long FETCHes, fewer pipeline drains. */
	ingest_set_fetch_chunk(ing, INGEST_FETCH);

	/* A session lost at once (RETRY_NOW) gets one more try. */
	for (tries = 0; tries < 2; tries++) {
		st = ingest_connect(ing, &err);
		if (st != INGEST_RETRY_NOW)
			break;
		free(err);
		err = NULL;
	}
	if (st != INGEST_OK) {
		fprintf(stderr, "mistok: %s\n", err ? err : "cannot connect");
		worst = st;
		first_err = err;
		err = NULL;
		goto out;
	}
	for (i = 0; i < ingest_nfolders(ing); i++) {
		p.folder = ingest_folder(ing, i);
		p.start = p.last = ev_now_ms();
		p.done = p.total = 0;
		st = ingest_folder_open(ing, i, &err);
		if (st == INGEST_OK) {
			p.total = ingest_folder_total(ing);
			done = 0;
			while (st == INGEST_OK && !done)
				st = ingest_folder_step(ing, &done, &err);
		}
		if (!p.quiet && (p.total > 0 || p.drawn))
			draw(&p, 1);
		if (st != INGEST_OK) {
			fprintf(stderr, "mistok: %s\n", err ? err : "failed");
			if (worst == INGEST_OK)
				worst = st;
			if (first_err == NULL) {
				first_err = err;
				err = NULL;
			}
			free(err);
			err = NULL;
			/* Only a missing folder leaves the session usable. */
			if (!ingest_connected(ing))
				break;
		}
	}
out:
	if (cli->json)
		summary_json(ing, worst, first_err);
	else
		summary_text(ing, ev_now_ms() - t0);
	free(first_err);
	ingest_free(ing);
	mime_shutdown();
	db_close(db);
	return exit_code(worst);
}
