/*
 * meeting_feed: the .ics feed of meetings (METHOD:PUBLISH), written
 * atomically, and mistokd's module keeping [calendar] feed current.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <unistd.h>

#include "compose.h"
#include "config.h"
#include "daemon.h"
#include "dates.h"
#include "db.h"
#include "directory.h"
#include "event.h"
#include "holidays.h"
#include "invite.h"
#include "json.h"
#include "log.h"
#include "mailtmpl.h"
#include "meeting.h"
#include "outbox.h"
#include "slots.h"
#include "tmplset.h"
#include "tz.h"
#include "util.h"
#include "meeting_int.h"

int
meeting_feed(const struct meeting_env *env, struct buf *out, char **err)
{
	struct meeting *v;
	struct invite *iv;
	struct invite_attendee **ia;
	char **desc;
	size_t n, i, j, k = 0;
	int rc;

	*err = NULL;
	if (meeting_list(env->db, 0, &v, &n) == -1) {
		*err = xstrdup("database error");
		return -1;
	}
	iv = xcalloc(n ? n : 1, sizeof(*iv));
	ia = xcalloc(n ? n : 1, sizeof(*ia));
	desc = xcalloc(n ? n : 1, sizeof(*desc));
	for (i = 0; i < n; i++) {
		if (strcmp(v[i].status, "proposed") == 0)
			continue;
		ia[k] = xcalloc(v[i].natt ? v[i].natt : 1, sizeof(**ia));
		for (j = 0; j < v[i].natt; j++) {
			ia[k][j].name = v[i].att[j].name;
			ia[k][j].email = v[i].att[j].email;
			ia[k][j].partstat = v[i].att[j].partstat;
		}
		desc[k] = meeting_description(&v[i], env->conf->team_language);
		iv[k].uid = v[i].uid;
		iv[k].sequence = v[i].sequence;
		iv[k].start = v[i].start;
		iv[k].end = v[i].start + v[i].duration;
		iv[k].summary = v[i].title;
		iv[k].description = desc[k];
		iv[k].link = v[i].link;
		iv[k].organizer_name = env->conf->team_name;
		iv[k].organizer_email = env->conf->team_address;
		iv[k].attendees = ia[k];
		iv[k].nattendees = v[i].natt;
		iv[k].cancelled = strcmp(v[i].status, "cancelled") == 0;
		k++;
	}
	rc = invite_build_feed(iv, k, out, err);
	for (i = 0; i < k; i++) {
		free(ia[i]);
		free(desc[i]);
	}
	free(ia);
	free(desc);
	free(iv);
	meeting_list_free(v, n);
	return rc;
}

int
meeting_feed_write(const struct meeting_env *env, const char *path,
    char **err)
{
	struct buf b;
	char *tmp;
	size_t off;
	ssize_t w;
	int fd, rc = -1;

	*err = NULL;
	buf_init(&b);
	if (meeting_feed(env, &b, err) == -1) {
		buf_free(&b);
		return -1;
	}
	tmp = xasprintf("%s.tmp", path);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644)) == -1) {
		*err = xasprintf("%s: %s", tmp, strerror(errno));
		goto out;
	}
	for (off = 0; off < b.len; off += (size_t)w)
		if ((w = write(fd, b.data + off, b.len - off)) <= 0) {
			if (w == -1 && errno == EINTR) {
				w = 0;
				continue;
			}
			*err = xasprintf("%s: %s", tmp, w == -1 ?
			    strerror(errno) : "short write");
			close(fd);
			unlink(tmp);
			goto out;
		}
	if (fsync(fd) == -1 || close(fd) == -1) {
		*err = xasprintf("%s: %s", tmp, strerror(errno));
		unlink(tmp);
		goto out;
	}
	if (rename(tmp, path) == -1) {
		*err = xasprintf("%s: %s", path, strerror(errno));
		unlink(tmp);
		goto out;
	}
	rc = 0;
out:
	free(tmp);
	buf_free(&b);
	return rc;
}

/* ---- the daemon module: the [calendar] feed file ------------------------- */

/*
 * Changes come from this process (replies read by ingest) and from the
 * CLI (book, reschedule, cancel): every FEED_POLL_MS a fingerprint of
 * what the feed shows is computed and the file rewritten when it moved
 * (or after a reload, or when the last write failed).
 */
#define FEED_POLL_MS	2000

static struct {
	struct daemon_ctx	*ctx;
	struct ev_timer		 timer;
	int			 running;
	int			 valid;		/* last holds a written state */
	int			 failing;	/* the last write failed */
	uint64_t		 last;
} feedmod;

/* FNV-1a over every field the feed shows; 0 and -1 on a database error. */
static int
feed_fingerprint(struct db *db, uint64_t *out)
{
	sqlite3_stmt *st;
	uint64_t h = 1469598103934665603ULL;
	const unsigned char *t;
	int rc, c, nc;

	if ((st = db_stmt(db, "SELECT m.id, m.uid, m.sequence, m.status, "
	    "m.start_utc, m.duration, m.title, m.link, (SELECT "
	    "group_concat(a.email || '=' || a.partstat || '=' || "
	    "coalesce(a.name, ''), ',') FROM attendees a WHERE a.meeting = "
	    "m.id) FROM meetings m ORDER BY m.id")) == NULL)
		return -1;
	while ((rc = db_step(st)) == 1) {
		nc = sqlite3_column_count(st);
		for (c = 0; c < nc; c++) {
			t = sqlite3_column_text(st, c);
			for (; t != NULL && *t != '\0'; t++) {
				h ^= *t;
				h *= 1099511628211ULL;
			}
			h ^= 0x1f;	/* field separator */
			h *= 1099511628211ULL;
		}
	}
	if (rc == -1)
		return -1;
	*out = h;
	return 0;
}

static void
feed_tick(struct ev_timer *t, void *arg)
{
	struct daemon_ctx *ctx = feedmod.ctx;
	struct meeting_env env = { ctx->db, ctx->conf, NULL, NULL };
	const char *path = ctx->conf->calendar_feed;
	uint64_t h;
	char *err = NULL;

	(void)t;
	(void)arg;
	if (path == NULL || *path == '\0')
		return;
	if (feed_fingerprint(ctx->db, &h) == -1) {
		log_warnx("calendar feed: database: %s", db_errmsg(ctx->db));
		return;
	}
	if (feedmod.valid && h == feedmod.last)
		return;
	if (meeting_feed_write(&env, path, &err) == -1) {
		/* Said once until it works again; retried each tick. */
		if (!feedmod.failing)
			log_warnx("calendar feed %s: %s", path, err);
		free(err);
		feedmod.failing = 1;
		feedmod.valid = 0;
		return;
	}
	log_debug("calendar feed %s written", path);
	feedmod.failing = 0;
	feedmod.valid = 1;
	feedmod.last = h;
}

static int
feed_init(struct daemon_ctx *ctx)
{
	feedmod.ctx = ctx;
	feedmod.valid = 0;
	feedmod.failing = 0;
	ev_timer_init(&feedmod.timer, ctx->loop, feed_tick, NULL);
	ev_timer_start(&feedmod.timer, 0, FEED_POLL_MS);
	feedmod.running = 1;
	return 0;
}

static void
feed_reload(struct daemon_ctx *ctx, const struct config *old)
{
	(void)ctx;
	(void)old;
	feedmod.valid = 0;	/* the path, team name or language may differ */
	if (feedmod.running)
		ev_timer_start(&feedmod.timer, 0, FEED_POLL_MS);
}

static void
feed_shutdown(struct daemon_ctx *ctx)
{
	(void)ctx;
	if (!feedmod.running)
		return;
	ev_timer_stop(&feedmod.timer);
	feedmod.running = 0;
}

const struct daemon_module meeting_feed_module = {
	"calendar-feed", feed_init, feed_reload, feed_shutdown,
};
