/*
 * threadbench: threading + partnership matching throughput.
 *
 *   threadbench COUNT [DBFILE]
 *
 * Builds COUNT synthetic messages (deterministic): conversations of 1-12
 * messages among contacts of 7 partnerships and unknown senders, replies
 * with In-Reply-To/References, some from Outlook with only Thread-Index,
 * some with only a localised "Re:" subject, 2% with a common subject
 * ("Meeting"), a tenth arriving out of order. Stores them through
 * store_message() in transactions of 500 (as ingest does) with
 * threading's store hooks (before and after the insert, as ingest sets
 * them), and prints the rate of the hooks alone (threading + matching)
 * and of store + hooks.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <glib.h>

#include "db.h"
#include "log.h"
#include "mime.h"
#include "store.h"
#include "thread.h"
#include "util.h"

#define NORGS		8
#define NCONTACTS	240
#define BATCH		500

static const struct thread_ctx ctx = { "team@c4c.test", "C4C", NULL, 0 };
static double hook_secs, hook_cpu;
static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t
rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static double
cpu(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int
timed_before(struct db *db, const struct msg *m, time_t date,
    struct store_keys *k, void *arg)
{
	double t0 = now(), c0 = cpu();
	int rc = thread_store_before(db, m, date, k, arg);

	hook_secs += now() - t0;
	hook_cpu += cpu() - c0;
	return rc;
}

static int
timed_hook(struct db *db, int64_t id, const struct msg *m, void *arg)
{
	double t0 = now(), c0 = cpu();
	int rc = thread_store_hook(db, id, m, arg);

	hook_secs += now() - t0;
	hook_cpu += cpu() - c0;
	return rc;
}

static const char *const domains[NORGS] = {
	"lviv-rada.gov.ua", "cityofmadison.com", "kharkiv.gov.ua",
	"madisonrotary.org", "omr.gov.ua", "austintexas.gov",
	"city.poltava.ua", "ci.eugene.or.us",
};

static void
directory(struct db *db)
{
	struct buf b;
	int i;

	buf_init(&b);
	for (i = 0; i < NORGS; i++)
		buf_printf(&b, "INSERT INTO orgs (id, name, kind) VALUES "
		    "(%d, 'org %d', 'municipality');"
		    "INSERT INTO org_domains (org, domain) VALUES (%d, '%s');",
		    i + 1, i + 1, i + 1, domains[i]);
	/* 1-2, 3-2 (one US city twice), 5-6, 7-8, 1-4, 3-6, 5-8 */
	buf_adds(&b, "INSERT INTO partnerships (id, slug, ua_org, us_org) "
	    "VALUES (1,'a',1,2),(2,'b',3,2),(3,'c',5,6),(4,'d',7,8),"
	    "(5,'e',1,4),(6,'f',3,6),(7,'g',5,8);");
	for (i = 0; i < NCONTACTS; i++)
		buf_printf(&b, "INSERT INTO contacts (id, name, org) VALUES "
		    "(%d, 'c%d', %d); INSERT INTO contact_addresses (contact, "
		    "email) VALUES (%d, 'person%d@%s');", i + 1, i,
		    i % NORGS + 1, i + 1, i, domains[i % NORGS]);
	if (sqlite3_exec(db_handle(db), b.data, NULL, NULL, NULL) != SQLITE_OK)
		fatalx("directory: %s", db_errmsg(db));
	buf_free(&b);
}

struct gen {
	struct msg	*m;
	time_t		 date;
};

static char *
person(int k)
{
	if (k < 0)
		return xasprintf("someone%d@gmail.com", -k);
	return xasprintf("person%d@%s", k, domains[k % NORGS]);
}

static void
set_addr(struct msg_addr *a, char *email)
{
	a->name = NULL;
	a->email = email;
}

static char *
thread_index(int conv, int reply)
{
	guchar b[27];
	gchar *s;
	char *out;
	int i;

	for (i = 0; i < 27; i++)
		b[i] = (guchar)((conv >> (8 * (i % 4))) + i);
	s = g_base64_encode(b, reply ? 27 : 22);
	out = xstrdup(s);
	g_free(s);
	return out;
}

static void
gen_free(struct msg *m)
{
	size_t i;

	free(m->message_id);
	free(m->in_reply_to);
	for (i = 0; m->references && m->references[i]; i++)
		free(m->references[i]);
	free(m->references);
	free(m->subject);
	free(m->from.email);
	for (i = 0; i < m->nto; i++)
		free(m->to[i].email);
	free(m->to);
	free(m->thread_index);
	free(m->body);
	free(m->content_hash);
	free(m);
}

static int
cmp_date(const void *a, const void *b)
{
	const struct gen *x = a, *y = b;

	return (x->date > y->date) - (x->date < y->date);
}

static struct gen *
generate(size_t count)
{
	struct gen *v = xcalloc(count, sizeof(*v));
	size_t n = 0, i, k;
	int conv = 0;
	time_t start = 1767225600;	/* 2026-01-01 */

	while (n < count) {
		int len = 1 + (int)rnd(12), j, a, b, outlook = rnd(20) == 0;
		int common = rnd(50) == 0;
		time_t t = start + (time_t)rnd(90 * 86400);
		char **chain = NULL;

		a = rnd(5) == 0 ? -(int)rnd(100000) - 1 : (int)rnd(NCONTACTS);
		b = (int)rnd(NCONTACTS);
		conv++;
		for (j = 0; j < len && n < count; j++) {
			struct msg *m = xcalloc(1, sizeof(*m));

			m->message_id = xasprintf("c%d.m%d@bench", conv, j);
			m->subject = common ? xasprintf("%sMeeting",
			    j ? "Re: " : "") : xasprintf("%sTopic %d",
			    j == 0 ? "" : rnd(3) == 0 ? "AW: " : "Re: ", conv);
			m->date = t + j * 3600 * (1 + (time_t)rnd(48));
			set_addr(&m->from, person(j % 2 ? b : a));
			m->to = xcalloc(2, sizeof(*m->to));
			set_addr(&m->to[0], person(j % 2 ? a : b));
			set_addr(&m->to[1], xstrdup("team@c4c.test"));
			m->nto = 2;
			m->body = xstrdup("");
			m->content_hash = xasprintf("%zu", n);
			m->kind = MSG_CORRESPONDENCE;
			if (outlook) {
				m->thread_index = thread_index(conv, j > 0);
			} else if (j > 0 && rnd(30) != 0) {
				size_t nr = (size_t)j < 10 ? (size_t)j : 10;

				m->in_reply_to = xstrdup(chain[j - 1]);
				m->references = xcalloc(nr + 1,
				    sizeof(*m->references));
				for (k = 0; k < nr; k++)
					m->references[k] =
					    xstrdup(chain[j - nr + k]);
			}
			chain = xreallocarray(chain, (size_t)j + 1,
			    sizeof(*chain));
			chain[j] = m->message_id;
			v[n].m = m;
			v[n].date = m->date;
			n++;
		}
		free(chain);
	}
	qsort(v, count, sizeof(*v), cmp_date);
	/* A tenth arrives late: swapped with one up to 50 places later. */
	for (i = 0; i + 1 < count; i++)
		if (rnd(10) == 0) {
			struct gen t;

			k = i + 1 + rnd(50);
			if (k >= count)
				k = count - 1;
			t = v[i];
			v[i] = v[k];
			v[k] = t;
		}
	return v;
}

int
main(int argc, char **argv)
{
	char dir[] = "/tmp/mistok-threadbench.XXXXXX", *path, *err = NULL;
	struct db *db;
	struct gen *v;
	size_t count, i;
	double t0, total;
	int64_t threads, assigned;

	if (argc < 2 || (count = strtoul(argv[1], NULL, 10)) == 0) {
		fprintf(stderr, "usage: threadbench COUNT [DBFILE]\n");
		return 64;
	}
	log_init(1, "threadbench");
	if (argc > 2)
		path = xstrdup(argv[2]);
	else {
		if (mkdtemp(dir) == NULL)
			fatal("mkdtemp");
		path = xasprintf("%s/bench.db", dir);
	}
	if (db_open(path, DB_CREATE | DB_MIGRATE, &db, &err) == -1)
		fatalx("%s", err);
	if (getenv("THREADBENCH_TEMP_MEMORY") != NULL &&
	    sqlite3_exec(db_handle(db), "PRAGMA temp_store = MEMORY", NULL,
	    NULL, NULL) != SQLITE_OK)
		fatalx("%s", db_errmsg(db));
	if (getenv("THREADBENCH_CACHE_KB") != NULL) {
		char *q = xasprintf("PRAGMA cache_size = -%ld",
		    strtol(getenv("THREADBENCH_CACHE_KB"), NULL, 10));

		if (sqlite3_exec(db_handle(db), q, NULL, NULL, NULL) !=
		    SQLITE_OK)
			fatalx("%s", db_errmsg(db));
		free(q);
	}
	directory(db);
	v = generate(count);
	store_set_before_insert(timed_before, (void *)&ctx);
	store_set_after_insert(timed_hook, (void *)&ctx);
	t0 = now();
	for (i = 0; i < count; i++) {
		struct store_loc loc = { "INBOX", 1, (uint32_t)(i + 1) };

		if (i % BATCH == 0 && db_begin(db) == -1)
			fatalx("begin");
		if (store_message(db, v[i].m, NULL, &loc, NULL, &err) < 0)
			fatalx("message %zu: %s", i, err);
		if ((i % BATCH == BATCH - 1 || i == count - 1) &&
		    db_commit(db) == -1)
			fatalx("commit");
	}
	total = now() - t0;
	store_set_before_insert(NULL, NULL);
	store_set_after_insert(NULL, NULL);
	if (db_int(db, &threads, "SELECT count(*) FROM threads", "") != 1 ||
	    db_int(db, &assigned, "SELECT count(*) FROM messages WHERE "
	    "partnership IS NOT NULL", "") != 1)
		fatalx("counts");
	printf("%zu messages: %lld threads, %lld with a partnership\n",
	    count, (long long)threads, (long long)assigned);
	printf("threading+matching: %.2f s, %.0f msgs/s (CPU %.2f s, "
	    "%.0f msgs/s)\n", hook_secs, count / hook_secs, hook_cpu,
	    count / hook_cpu);
	printf("store+threading+matching: %.2f s, %.0f msgs/s\n", total,
	    count / total);
	for (i = 0; i < count; i++)
		gen_free(v[i].m);
	free(v);
	db_close(db);
	if (argc <= 2) {
		unlink(path);
		free(path);
		path = xasprintf("rm -rf '%s'", dir);
		if (system(path) != 0)
			log_warnx("cannot remove %s", dir);
	}
	free(path);
	return 0;
}
