/*
 * ingest: IMAP → mime → store, the engine and the daemon module.
 *
 * The engine works folder by folder: EXAMINE (read-only), compare
 * UIDVALIDITY with sync_state, list the UIDs above the last one stored,
 * then fetch them in chunks (INGEST_CHUNK messages in the daemon, whose
 * loop waits for a chunk; INGEST_FETCH for `mistok sync`) with BODY.PEEK
 * (imap.c streams them one at a time), parsed on a second thread as they come
 * (fetchpipe.c) while this one stores. Each message is stored inside a
 * transaction that also moves sync_state's last UID; the transaction is
 * committed every INGEST_CHUNK messages or INGEST_BATCH_BYTES bytes. A
 * crash loses at most the open batch, which the next run fetches again;
 * dedupe by location, Message-ID and content hash makes that harmless.
 *
 * The daemon module runs the engine from one timer on the event loop, one
 * bounded step per callback (a connect, an EXAMINE, a chunk, an IDLE
 * slice), so signals are handled between steps. IDLE does not block: once
 * it is begun, the loop watches the IMAP socket, and the socket becoming
 * readable or the slice's timer (the next poll of the other folders, at
 * most 28 minutes, RFC 2177's 29) ends it with DONE; the other modules'
 * timers run meanwhile.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#include "bounce.h"
#include "config.h"
#include "db.h"
#include "cmdexec.h"
#include "event.h"
#include "fetchpipe.h"
#include "imap.h"
#include "ingest.h"
#include "meeting.h"
#include "log.h"
#include "mime.h"
#include "store.h"
#include "thread.h"
#include "util.h"

#define IDLE_MAX_SECONDS	(28 * 60)

struct folder {
	char			*name;
	struct ingest_counts	 counts;
};

struct ingest {
	struct db		*db;
	const struct config	*conf;
	struct imap		*imap;
	struct folder		*folders;
	size_t			 nfolders;
	size_t			 idle_folder;
	struct ingest_counts	 total;
	ingest_progress_fn	 progress;
	void			*progress_arg;
	size_t			 fetch_chunk;	/* messages per UID FETCH */
	struct thread_ctx	 tctx;		/* store's after-insert hook */

	/* The open folder. */
	size_t			 cur;		/* index, or SIZE_MAX */
	uint32_t		 uidvalidity;
	uint32_t		 exists;
	uint32_t		*uids;		/* left to fetch */
	size_t			 nuids;
	size_t			 pos;
	size_t			 done;		/* passed this pass */

	/* The open batch. */
	size_t			 batch_n;
	size_t			 batch_bytes;
	uint32_t		 batch_last;	/* highest UID handled */
	int			 failed;
	char			*fail_err;
};

const char *
ingest_status_name(enum ingest_status st)
{
	switch (st) {
	case INGEST_OK:
		return "ok";
	case INGEST_RETRY_NOW:
		return "retry-now";
	case INGEST_RETRY_LATER:
		return "retry-later";
	case INGEST_FAIL:
		return "fail";
	case INGEST_CONFIG:
		return "config";
	case INGEST_STORE:
		return "store";
	}
	return "?";
}

static enum ingest_status
from_imap(enum imap_status st)
{
	switch (st) {
	case IMAP_OK:
		return INGEST_OK;
	case IMAP_RETRY_NOW:
		return INGEST_RETRY_NOW;
	case IMAP_RETRY_LATER:
		return INGEST_RETRY_LATER;
	case IMAP_FAIL:
		break;
	}
	return INGEST_FAIL;
}

/*
 * Store's after-insert hook: threading and matching, then bounces, then
 * command mail is recognised (cmdexec_run() executes it once the pass is
 * committed).
 */
static int
after_insert(struct db *db, int64_t id, const struct msg *m, void *arg)
{
	struct ingest *ing = arg;

	if (thread_store_hook(db, id, m, &ing->tctx) != 0)
		return -1;
	if (bounce_store_hook(db, id, m, (void *)ing->conf) != 0)
		return -1;
	return cmdexec_store_hook(db, id, m, (void *)ing->conf);
}

struct ingest *
ingest_new(struct db *db, const struct config *conf)
{
	struct ingest *ing = xcalloc(1, sizeof(*ing));

	ing->db = db;
	ing->conf = conf;
	ing->cur = SIZE_MAX;
	ing->fetch_chunk = INGEST_CHUNK;
	/* Every new message is threaded and matched in its savepoint:
	 * before its row is inserted (the keys go into the INSERT), the
	 * rest after. */
	if (conf != NULL)
		thread_ctx_from_config(&ing->tctx, conf);
	store_set_before_insert(thread_store_before, &ing->tctx);
	store_set_after_insert(after_insert, ing);
	return ing;
}

static void
close_folder(struct ingest *ing)
{
	free(ing->uids);
	ing->uids = NULL;
	ing->nuids = ing->pos = ing->done = 0;
	ing->cur = SIZE_MAX;
}

static void
free_folders(struct ingest *ing)
{
	size_t i;

	for (i = 0; i < ing->nfolders; i++)
		free(ing->folders[i].name);
	free(ing->folders);
	ing->folders = NULL;
	ing->nfolders = 0;
}

void
ingest_free(struct ingest *ing)
{
	if (ing == NULL)
		return;
	ingest_disconnect(ing);
	free_folders(ing);
	free(ing->fail_err);
	store_set_before_insert(NULL, NULL);
	store_set_after_insert(NULL, NULL);
	free(ing);
}

void
ingest_set_config(struct ingest *ing, const struct config *conf)
{
	ing->conf = conf;
	if (conf != NULL)
		thread_ctx_from_config(&ing->tctx, conf);
}

void
ingest_set_fetch_chunk(struct ingest *ing, size_t messages)
{
	ing->fetch_chunk = messages > 0 ? messages : INGEST_CHUNK;
}

void
ingest_set_progress(struct ingest *ing, ingest_progress_fn fn, void *arg)
{
	ing->progress = fn;
	ing->progress_arg = arg;
}

void
ingest_disconnect(struct ingest *ing)
{
	close_folder(ing);
	if (ing->imap != NULL) {
		imap_close(ing->imap);
		ing->imap = NULL;
	}
}

int
ingest_connected(const struct ingest *ing)
{
	return ing->imap != NULL && imap_alive(ing->imap);
}

struct imap *
ingest_imap(struct ingest *ing)
{
	return ing->imap;
}

size_t
ingest_nfolders(const struct ingest *ing)
{
	return ing->nfolders;
}

const char *
ingest_folder(const struct ingest *ing, size_t i)
{
	return i < ing->nfolders ? ing->folders[i].name : NULL;
}

size_t
ingest_idle_folder(const struct ingest *ing)
{
	return ing->idle_folder;
}

size_t
ingest_folder_total(const struct ingest *ing)
{
	return ing->nuids;
}

const struct ingest_counts *
ingest_counts(const struct ingest *ing, size_t i)
{
	if (i < ing->nfolders)
		return &ing->folders[i].counts;
	return &ing->total;
}

static void
add_folder(struct ingest *ing, const char *name)
{
	size_t i;

	for (i = 0; i < ing->nfolders; i++)
		if (strcmp(ing->folders[i].name, name) == 0)
			return;
	ing->folders = xreallocarray(ing->folders, ing->nfolders + 1,
	    sizeof(*ing->folders));
	memset(&ing->folders[ing->nfolders], 0, sizeof(*ing->folders));
	ing->folders[ing->nfolders].name = xstrdup(name);
	ing->nfolders++;
}

/*
 * The folders to sync. Counters survive reconnects when the list stays
 * the same, so the daemon's figures are per run.
 */
static void
resolve_folders(struct ingest *ing, const struct imap_folder *list, size_t n)
{
	const struct config *c = ing->conf;
	const struct imap_folder *sent;
	struct folder *old = ing->folders;
	size_t i, j, nold = ing->nfolders;

	ing->folders = NULL;
	ing->nfolders = 0;
	if (c->folders != NULL && c->folders[0] != NULL) {
		for (i = 0; c->folders[i] != NULL; i++)
			add_folder(ing, c->folders[i]);
	} else {
		add_folder(ing, "INBOX");
		if ((sent = imap_find_sent(list, n)) != NULL)
			add_folder(ing, sent->name);
		else
			log_info("ingest %s: the server flags no folder "
			    "\\Sent; syncing INBOX only", c->mailbox.user);
	}
	ing->idle_folder = 0;
	for (i = 0; i < ing->nfolders; i++) {
		if (strcasecmp(ing->folders[i].name, "INBOX") == 0) {
			ing->idle_folder = i;
			break;
		}
	}
	for (i = 0; i < ing->nfolders; i++)
		for (j = 0; j < nold; j++)
			if (strcmp(ing->folders[i].name, old[j].name) == 0)
				ing->folders[i].counts = old[j].counts;
	for (j = 0; j < nold; j++)
		free(old[j].name);
	free(old);
}

enum ingest_status
ingest_connect(struct ingest *ing, char **err)
{
	const struct config *c = ing->conf;
	struct imap_params p;
	struct imap_folder *list = NULL;
	enum imap_status st;
	char *secret = NULL, *e = NULL;
	size_t n = 0;

	*err = NULL;
	ingest_disconnect(ing);
	if (config_secret(&c->mailbox, &secret, &e) == -1) {
		*err = xasprintf("ingest %s: %s", c->mailbox.user, e);
		free(e);
		return INGEST_CONFIG;
	}
	memset(&p, 0, sizeof(p));
	p.host = c->mailbox.host;
	p.port = c->mailbox.port;
	p.tls = c->mailbox.tls;
	p.ca_file = c->mailbox.ca_file;
	p.user = c->mailbox.user;
	p.auth = c->mailbox.auth;
	p.secret = secret;
	ing->imap = imap_connect(&p, &st, err);
	explicit_bzero(secret, strlen(secret));
	free(secret);
	if (ing->imap == NULL)
		return from_imap(st);
	if ((st = imap_list_folders(ing->imap, &list, &n, err)) != IMAP_OK) {
		ingest_disconnect(ing);
		return from_imap(st);
	}
	resolve_folders(ing, list, n);
	imap_folders_free(list, n);
	log_debug("ingest %s: connected to %s, %zu folder(s), IDLE %s",
	    c->mailbox.user, c->mailbox.host, ing->nfolders,
	    imap_has_idle(ing->imap) ? "offered" : "not offered");
	return INGEST_OK;
}

/* ---- one message ------------------------------------------------------ */

static int
is_team(const struct config *c, const char *email)
{
	size_t i;

	if (email == NULL || *email == '\0')
		return 0;
	if (c->team_address != NULL && strcasecmp(email, c->team_address) == 0)
		return 1;
	for (i = 0; c->coordinators != NULL && c->coordinators[i] != NULL; i++)
		if (strcasecmp(email, c->coordinators[i]) == 0)
			return 1;
	return 0;
}

static void
count(struct ingest_counts *c, int outcome)
{
	if (c == NULL)
		return;
	switch (outcome) {
	case STORE_NEW:
		c->added++;
		break;
	case STORE_DUPLICATE:
		c->duplicates++;
		break;
	case STORE_KNOWN:
		c->known++;
		break;
	}
}

/*
 * A message as the fetch thread leaves it: parsed, or NULL when it cannot
 * be. Touches nothing of the database's thread (mime_parse() is safe on
 * its own objects; the charset converters are shared under a lock).
 */
static struct msg *
parse_raw(const struct config *c, const struct imap_msg *im)
{
	struct mime_opts o;
	struct msg *m = NULL;

	memset(&o, 0, sizeof(o));
	o.own_domain = c->team_domain;
	o.max_size = c->max_message_size;
	o.headers_only = im->headers_only;
	if (mime_parse(im->raw, im->len, &o, &m) == -1)
		return NULL;
	return m;
}

/* The second half of ingest_store_raw(): takes m (NULL: unparseable). */
static int
store_parsed(struct db *db, const struct config *c,
    const struct store_loc *loc, const struct imap_msg *im, struct msg *m,
    struct ingest_counts *cnt, char **err)
{
	struct store_extra x;
	char *serr = NULL, *why;
	int rc;

	memset(&x, 0, sizeof(x));
	x.internal_date = im->internaldate;
	x.size = im->size ? im->size : im->len;
	if (cnt != NULL) {
		cnt->fetched++;
		cnt->bytes += im->len;
	}

	if (m == NULL) {
		why = xasprintf("cannot parse: %zu bytes", im->len);
		goto quarantine;
	}
	if (im->headers_only) {
		char *note = xasprintf("over max_message_size (%zu bytes): "
		    "headers only%s%s", (size_t)x.size, m->error ? "; " : "",
		    m->error ? m->error : "");

		free(m->error);
		m->error = note;
		m->truncated = 1;
		if (cnt != NULL)
			cnt->truncated++;
	}
	x.direction = is_team(c, m->from.email) ? "out" : "in";
	if (m->error != NULL)
		log_debug("ingest %s %u: %s", loc->folder, loc->uid, m->error);
	if ((rc = store_message(db, m, &x, loc, NULL, &serr)) >= 0) {
		count(cnt, rc);
		msg_free(m);
		return rc;
	}
	why = xasprintf("cannot store: %s", serr);
	free(serr);
	serr = NULL;

quarantine:
	log_warnx("ingest %s %u: %s; quarantined", loc->folder, loc->uid, why);
	rc = store_quarantine(db, m, why, &x, loc, NULL, &serr);
	free(why);
	if (m != NULL)
		msg_free(m);
	if (rc < 0) {
		*err = xasprintf("ingest %s %u: %s", loc->folder, loc->uid,
		    serr ? serr : "cannot store");
		free(serr);
		return -1;
	}
	if (rc == STORE_NEW && cnt != NULL)
		cnt->quarantined++;
	else
		count(cnt, rc);
	return rc;
}

int
ingest_store_raw(struct db *db, const struct config *c,
    const struct store_loc *loc, const struct imap_msg *im,
    struct ingest_counts *cnt, char **err)
{
	return store_parsed(db, c, loc, im, parse_raw(c, im), cnt, err);
}

/* ---- a folder ---------------------------------------------------------- */

static enum ingest_status
store_fail(struct ingest *ing, const char *what, char **err)
{
	free(*err);
	*err = xasprintf("ingest %s: %s: %s", ing->conf->mailbox.user, what,
	    db_errmsg(ing->db));
	if (db_in_transaction(ing->db))
		db_rollback(ing->db);
	return INGEST_STORE;
}

enum ingest_status
ingest_folder_open(struct ingest *ing, size_t i, char **err)
{
	struct imap_folder_state fs;
	struct store_sync ss;
	enum imap_status st;
	const char *name;
	uint32_t last = 0;
	int rc;
	int64_t dropped;

	*err = NULL;
	close_folder(ing);
	if (ing->imap == NULL || i >= ing->nfolders) {
		*err = xstrdup("ingest: not connected");
		return INGEST_RETRY_NOW;
	}
	name = ing->folders[i].name;
	if ((st = imap_examine(ing->imap, name, &fs, err)) != IMAP_OK)
		return from_imap(st);
	if ((rc = store_sync_get(ing->db, name, &ss)) == -1)
		return store_fail(ing, "sync state", err);
	if (rc == 1 && ss.uidvalidity != 0 &&
	    ss.uidvalidity != fs.uidvalidity) {
		log_warnx("ingest %s: UIDVALIDITY changed (%u → %u), "
		    "rescanning", name, ss.uidvalidity, fs.uidvalidity);
		if (db_begin(ing->db) == -1)
			return store_fail(ing, "begin", err);
		if ((dropped = store_drop_locations(ing->db, name,
		    fs.uidvalidity)) == -1 ||
		    store_sync_set(ing->db, name, fs.uidvalidity, 0,
		    fs.exists, clock_now()) == -1)
			return store_fail(ing, "UIDVALIDITY reset", err);
		if (db_commit(ing->db) == -1)
			return store_fail(ing, "commit", err);
		log_info("ingest %s: %lld old location(s) dropped", name,
		    (long long)dropped);
	} else if (rc == 1)
		last = ss.last_uid;

	ing->cur = i;
	ing->uidvalidity = fs.uidvalidity;
	ing->exists = fs.exists;
	/* Nothing new: no FETCH at all (a poll costs one EXAMINE). */
	if (fs.exists == 0 || (fs.uidnext != 0 && fs.uidnext <= last + 1))
		return INGEST_OK;
	if ((st = imap_uids(ing->imap, last + 1, 0, &ing->uids, &ing->nuids,
	    err)) != IMAP_OK) {
		close_folder(ing);
		return from_imap(st);
	}
	log_debug("ingest %s: %zu message(s) above UID %u", name, ing->nuids,
	    last);
	return INGEST_OK;
}

/*
 * After a committed batch: iMIP replies and plain answers to invitations
 * update the meetings (meeting.c keeps its own cursor, so a failure here
 * is retried after the next batch and never holds up ingest).
 */
static void
ingest_meetings(struct ingest *ing)
{
	struct meeting_env env = { ing->db, ing->conf, NULL, NULL };
	char *err = NULL;

	if (meeting_scan(&env, &err) == -1) {
		log_warnx("ingest: meeting replies: %s", err);
		free(err);
	}
}

/* Records the batch's progress in sync_state and commits it. */
static int
commit_batch(struct ingest *ing, uint32_t last)
{
	const char *name = ing->folders[ing->cur].name;

	if (!db_in_transaction(ing->db) && db_begin(ing->db) == -1)
		return -1;
	if (store_sync_set(ing->db, name, ing->uidvalidity, last, ing->exists,
	    clock_now()) == -1 || db_commit(ing->db) == -1) {
		db_rollback(ing->db);
		return -1;
	}
	ing->batch_n = ing->batch_bytes = 0;
	return 0;
}

/* Stores m (NULL: unparseable), moves the counters, commits a full batch. */
static int
store_one(struct ingest *ing, const struct imap_msg *im, struct msg *m)
{
	struct folder *f = &ing->folders[ing->cur];
	struct store_loc loc;
	struct ingest_counts before = f->counts;
	char *err = NULL;

	if (!db_in_transaction(ing->db) && db_begin(ing->db) == -1) {
		if (m != NULL)
			msg_free(m);
		ing->failed = 1;
		ing->fail_err = xasprintf("begin: %s", db_errmsg(ing->db));
		return -1;
	}
	loc.folder = f->name;
	loc.uidvalidity = ing->uidvalidity;
	loc.uid = im->uid;
	if (store_parsed(ing->db, ing->conf, &loc, im, m, &f->counts,
	    &err) == -1) {
		ing->failed = 1;
		ing->fail_err = err;
		return -1;
	}
	ing->total.fetched += f->counts.fetched - before.fetched;
	ing->total.added += f->counts.added - before.added;
	ing->total.duplicates += f->counts.duplicates - before.duplicates;
	ing->total.known += f->counts.known - before.known;
	ing->total.quarantined += f->counts.quarantined - before.quarantined;
	ing->total.truncated += f->counts.truncated - before.truncated;
	ing->total.bytes += f->counts.bytes - before.bytes;
	ing->batch_last = im->uid;
	ing->batch_n++;
	ing->batch_bytes += im->len;
	ing->done++;
	if (ing->progress != NULL)
		ing->progress(ing->progress_arg, f->name, ing->done,
		    ing->nuids);
	if (ing->batch_n >= INGEST_CHUNK ||
	    ing->batch_bytes >= INGEST_BATCH_BYTES) {
		if (commit_batch(ing, ing->batch_last) == -1) {
			ing->failed = 1;
			ing->fail_err = xasprintf("commit: %s",
			    db_errmsg(ing->db));
			return -1;
		}
	}
	return 0;
}

/* imap_fetch()'s callback when there is no fetch thread. */
static int
on_message(void *arg, const struct imap_msg *im)
{
	struct ingest *ing = arg;

	return store_one(ing, im, parse_raw(ing->conf, im));
}

/* fetchpipe's parse function, on the fetch thread. */
static void *
parse_item(void *arg, const struct imap_msg *im, size_t *cost)
{
	const struct config *c = arg;
	struct msg *m = parse_raw(c, im);
	size_t i;

	*cost = sizeof(*m) + 256;
	if (m != NULL) {
		*cost += m->body_len;
		for (i = 0; i < m->ncal; i++)
			*cost += m->cal[i].text ? strlen(m->cal[i].text) : 0;
	}
	return m;
}

static void
free_item(void *item)
{
	if (item != NULL)
		msg_free(item);
}

/*
 * UIDs from..to: fetched and parsed on a second thread while this one
 * stores (fetchpipe.c), or in turn when no thread can be had. The two
 * cores of a small server are then both busy: Dovecot and the fetch on
 * one side, SQLite on the other.
 */
static enum imap_status
fetch_and_store(struct ingest *ing, uint32_t from, uint32_t to,
    const struct imap_fetch_opts *fo, char **err)
{
	struct fetchpipe *p;
	struct imap_msg im;
	enum imap_status st;
	void *item;

	p = fetchpipe_start(ing->imap, from, to, fo, parse_item,
	    (void *)ing->conf, INGEST_QUEUE_BYTES);
	if (p == NULL)
		return imap_fetch(ing->imap, from, to, fo, on_message, ing,
		    NULL, err);
	while (fetchpipe_next(p, &im, &item))
		if (store_one(ing, &im, item) == -1)
			break;
	st = fetchpipe_finish(p, free_item, err);
	return st;
}

enum ingest_status
ingest_folder_step(struct ingest *ing, int *done, char **err)
{
	struct imap_fetch_opts fo;
	enum imap_status st;
	const char *name;
	uint32_t from, to;
	size_t end;

	*err = NULL;
	*done = 0;
	if (ing->cur == SIZE_MAX || ing->imap == NULL) {
		*err = xstrdup("ingest: no folder open");
		return INGEST_RETRY_NOW;
	}
	name = ing->folders[ing->cur].name;
	if (ing->pos >= ing->nuids) {
		/* Caught up: record when (and the server's count). */
		if (store_sync_set(ing->db, name, ing->uidvalidity, 0,
		    ing->exists, clock_now()) == -1)
			return store_fail(ing, "sync state", err);
		/* Command mail of this pass: run and answered now. */
		if (cmdexec_run(ing->db, ing->conf, 0, err) == -1) {
			log_warnx("ingest %s: %s", name, *err);
			free(*err);
			*err = NULL;
		}
		*done = 1;
		close_folder(ing);
		return INGEST_OK;
	}
	end = ing->pos + ing->fetch_chunk;
	if (end > ing->nuids)
		end = ing->nuids;
	from = ing->uids[ing->pos];
	to = ing->uids[end - 1];
	memset(&fo, 0, sizeof(fo));
	fo.max_size = ing->conf->max_message_size;
	ing->batch_n = ing->batch_bytes = 0;
	ing->batch_last = 0;
	ing->failed = 0;
	free(ing->fail_err);
	ing->fail_err = NULL;
	st = fetch_and_store(ing, from, to, &fo, err);
	if (ing->failed) {
		if (db_in_transaction(ing->db))
			db_rollback(ing->db);
		free(*err);
		*err = xasprintf("ingest %s: %s", name, ing->fail_err);
		return INGEST_STORE;
	}
	if (st != IMAP_OK) {
		/* Keep what came: it is whole, and last_uid says how far. */
		if (db_in_transaction(ing->db) && (ing->batch_last == 0 ||
		    commit_batch(ing, ing->batch_last) == -1))
			db_rollback(ing->db);
		return from_imap(st);
	}
	/* Every UID up to `to` is handled (or was expunged meanwhile). */
	if (commit_batch(ing, to) == -1)
		return store_fail(ing, "commit", err);
	ingest_meetings(ing);
	ing->pos = end;
	return INGEST_OK;
}

enum ingest_status
ingest_sync_folder(struct ingest *ing, size_t i, char **err)
{
	enum ingest_status st;
	int done = 0;

	if ((st = ingest_folder_open(ing, i, err)) != INGEST_OK)
		return st;
	while (!done)
		if ((st = ingest_folder_step(ing, &done, err)) != INGEST_OK)
			return st;
	return INGEST_OK;
}

/* ---- the daemon module ------------------------------------------------- */

enum dstate {
	D_CONNECT,	/* connect (again) */
	D_SYNC,		/* a pass over every folder, one step at a time */
	D_WAIT,		/* no IDLE: the timer is the next poll */
	D_IDLE,		/* catch up INBOX, then IDLE on it */
	D_IDLING,	/* in IDLE: the socket or the timer ends it */
};

static const char *const dstate_names[] = {
	"connect", "sync", "wait", "idle", "idling",
};

static struct {
	struct daemon_ctx	*ctx;
	struct ingest		*ing;
	struct ev_timer		 timer;
	struct ev_io		 io;		/* the IMAP socket, in D_IDLING */
	enum dstate		 state;
	size_t			 folder;
	int			 folder_open;
	unsigned		 attempt;	/* consecutive failures */
	time_t			 down_since;	/* first failure, 0: up */
	int			 alerted;
	int64_t			 next_poll;	/* ev_now_ms() */
	int			 use_idle;
	int			 caught_up;	/* D_IDLE: INBOX synced */
} d;

static void
enter(enum dstate s, int64_t delay_ms)
{
	if (d.state != s)
		log_trace(TRACE_IMAP, "ingest: %s -> %s", dstate_names[d.state],
		    dstate_names[s]);
	d.state = s;
	ev_timer_start(&d.timer, delay_ms, 0);
}

static void idle_finish(int);
static void on_idle_io(struct ev_io *, int, void *);

static void
mark_up(void)
{
	if (d.down_since != 0) {
		log_info("ingest %s: mailbox reachable again",
		    d.ctx->conf->mailbox.user);
		if (db_kv_del(d.ctx->db, "unreachable_since") == -1)
			log_warnx("ingest: cannot clear unreachable_since");
	}
	d.down_since = 0;
	d.alerted = 0;
}

/* A failed step: log, maybe alert, and reconnect after a backoff. */
static void
failed(enum ingest_status st, char *err)
{
	const struct config *c = d.ctx->conf;
	time_t now = clock_now();
	uint32_t rnd = 0;
	unsigned ms;
	char *v, t[ISO8601_LEN];

	ev_io_stop(&d.io);
	ingest_disconnect(d.ing);
	d.folder_open = 0;
	if (st == INGEST_RETRY_NOW && d.attempt == 0) {
		log_info("%s; reconnecting", err ? err : "session lost");
		free(err);
		d.attempt++;
		enter(D_CONNECT, 0);
		return;
	}
	if (d.down_since == 0 && st != INGEST_STORE)
		d.down_since = now;
	if (getrandom(&rnd, sizeof(rnd), GRND_NONBLOCK) != sizeof(rnd))
		rnd = (uint32_t)ev_now_ms() * 2654435761u;
	ms = imap_backoff_ms(d.attempt, rnd);
	if (d.attempt < 32)
		d.attempt++;
	log_warnx("%s (%s); retrying in %u.%u s", err ? err : "ingest failed",
	    ingest_status_name(st), ms / 1000, ms % 1000 / 100);
	free(err);
	if (d.down_since != 0 && !d.alerted &&
	    now - d.down_since >= c->alert_after) {
		fmt_iso8601(d.down_since, t);
		log_warnx("ingest %s: mailbox unreachable since %s (more than "
		    "alert_after)", c->mailbox.user, t);
		v = xasprintf("%lld", (long long)d.down_since);
		if (db_kv_set(d.ctx->db, "unreachable_since", v) == -1)
			log_warnx("ingest: cannot record unreachable_since");
		free(v);
		d.alerted = 1;
	}
	enter(D_CONNECT, ms);
}

static void
pass_done(void)
{
	const struct config *c = d.ctx->conf;
	const struct ingest_counts *t = ingest_counts(d.ing, SIZE_MAX);

	d.attempt = 0;
	d.caught_up = 0;
	d.next_poll = ev_now_ms() + (int64_t)c->poll_interval * 1000;
	log_debug("ingest %s: pass done (%zu new, %zu duplicates, %zu "
	    "quarantined so far)", c->mailbox.user, t->added, t->duplicates,
	    t->quarantined);
	if (d.use_idle)
		enter(D_IDLE, 0);
	else
		enter(D_WAIT, (int64_t)c->poll_interval * 1000);
}

static void
step_sync(void)
{
	enum ingest_status st;
	char *err = NULL;
	int done = 0;

	if (d.folder >= ingest_nfolders(d.ing)) {
		pass_done();
		return;
	}
	if (!d.folder_open) {
		st = ingest_folder_open(d.ing, d.folder, &err);
		if (st == INGEST_FAIL && ingest_connected(d.ing)) {
			/* A missing folder: say so, go on with the rest. */
			log_warnx("%s; skipped", err);
			free(err);
			d.folder++;
			enter(D_SYNC, 0);
			return;
		}
		if (st != INGEST_OK) {
			failed(st, err);
			return;
		}
		d.folder_open = 1;
		enter(D_SYNC, 0);
		return;
	}
	if ((st = ingest_folder_step(d.ing, &done, &err)) != INGEST_OK) {
		failed(st, err);
		return;
	}
	if (done) {
		d.folder_open = 0;
		d.folder++;
	}
	enter(D_SYNC, 0);
}

static void
step_idle(void)
{
	enum ingest_status st;
	enum imap_status ist;
	char *err = NULL;
	int64_t left;
	int secs;

	/*
	 * Catch up INBOX (it stays examined for IDLE), then give the loop
	 * a turn before idling: the catch-up may have queued work for other
	 * modules (answers to commands wake the outbox), and IDLE blocks the
	 * loop for the whole slice.
	 */
	if (!d.caught_up) {
		st = ingest_sync_folder(d.ing, ingest_idle_folder(d.ing),
		    &err);
		if (st != INGEST_OK) {
			failed(st, err);
			return;
		}
		d.caught_up = 1;
		enter(D_IDLE, 0);
		return;
	}
	d.caught_up = 0;
	left = d.next_poll - ev_now_ms();
	if (ingest_nfolders(d.ing) > 1 && left <= 0) {
		d.folder = 0;
		d.folder_open = 0;
		enter(D_SYNC, 0);
		return;
	}
	secs = IDLE_MAX_SECONDS;
	if (ingest_nfolders(d.ing) > 1 && left / 1000 + 1 < secs)
		secs = (int)(left / 1000) + 1;
	if ((ist = imap_idle_begin(ingest_imap(d.ing), &err)) != IMAP_OK) {
		failed(from_imap(ist), err);
		return;
	}
	if (imap_idle_pending(ingest_imap(d.ing))) {
		idle_finish(1);
		return;
	}
	/*
	 * The loop watches the socket: outbox, reminders and the rest run
	 * while the server is quiet, and SIGTERM is seen at once.
	 */
	ev_io_init(&d.io, d.ctx->loop, imap_fd(ingest_imap(d.ing)), EV_READ,
	    on_idle_io, NULL);
	ev_io_start(&d.io);
	enter(D_IDLING, (int64_t)secs * 1000);
}

/* The end of an IDLE: DONE, then catch up INBOX. */
static void
idle_finish(int spoke)
{
	enum imap_status ist;
	char *err = NULL;
	int news = 0;

	ev_io_stop(&d.io);
	ist = imap_idle_end(ingest_imap(d.ing), spoke, &news, &err);
	if (ist != IMAP_OK) {
		failed(from_imap(ist), err);
		return;
	}
	enter(D_IDLE, 0);
}

static void
on_idle_io(struct ev_io *io, int revents, void *arg)
{
	if (d.state != D_IDLING) {
		ev_io_stop(io);
		return;
	}
	ev_timer_stop(&d.timer);
	idle_finish(1);
}

static void
on_timer(struct ev_timer *t, void *arg)
{
	const struct config *c = d.ctx->conf;
	enum ingest_status st;
	char *err = NULL;

	switch (d.state) {
	case D_CONNECT:
		if ((st = ingest_connect(d.ing, &err)) != INGEST_OK) {
			failed(st, err);
			return;
		}
		mark_up();
		d.use_idle = c->idle && imap_has_idle(ingest_imap(d.ing));
		if (c->idle && !d.use_idle)
			log_info("ingest %s: the server has no IDLE; polling "
			    "every %d s", c->mailbox.user, c->poll_interval);
		d.folder = 0;
		d.folder_open = 0;
		enter(D_SYNC, 0);
		break;
	case D_SYNC:
		step_sync();
		break;
	case D_WAIT:
		d.folder = 0;
		d.folder_open = 0;
		enter(D_SYNC, 0);
		break;
	case D_IDLE:
		step_idle();
		break;
	case D_IDLING:
		idle_finish(0);
		break;
	}
}

static int
module_init(struct daemon_ctx *ctx)
{
	memset(&d, 0, sizeof(d));
	d.ctx = ctx;
	mime_init();
	d.ing = ingest_new(ctx->db, ctx->conf);
	ev_timer_init(&d.timer, ctx->loop, on_timer, NULL);
	ev_io_init(&d.io, ctx->loop, -1, EV_READ, on_idle_io, NULL);
	d.state = D_CONNECT;
	/* Connect from the loop: start-up never waits for the server. */
	ev_timer_start(&d.timer, 0, 0);
	return 0;
}

static void
module_reload(struct daemon_ctx *ctx, const struct config *old)
{
	ingest_set_config(d.ing, ctx->conf);
	/* Server, account or folders may have changed: start afresh. */
	ev_io_stop(&d.io);
	ingest_disconnect(d.ing);
	d.folder_open = 0;
	d.attempt = 0;
	enter(D_CONNECT, 0);
}

static void
module_shutdown(struct daemon_ctx *ctx)
{
	ev_timer_stop(&d.timer);
	ev_io_stop(&d.io);
	ingest_free(d.ing);
	d.ing = NULL;
	mime_shutdown();
}

const struct daemon_module ingest_module = {
	"ingest", module_init, module_reload, module_shutdown,
};
