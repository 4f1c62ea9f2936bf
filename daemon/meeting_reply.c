/*
 * meeting_reply: meeting_scan() — iMIP REPLY and COUNTER parts and plain
 * yes/no answers read from stored mail, applied to attendees, and the
 * coordinator's notices. The cursor is kv "meeting:scan" (the highest
 * message id read: one value for the whole database, so a table of one
 * row would add nothing).
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

/* ---- replies ------------------------------------------------------------- */

static int
notify(const struct meeting_env *env, const struct meeting *m,
    const char *event, const char *email, const char *partstat,
    const char *comment, const struct invite_msg *counter, const char *key,
    char **err)
{
	struct meeting_coord co;
	struct json *d, *o, *a;
	char *s;
	size_t i;
	int rc;

	meeting_coordinator(env, m->partnership, &co);
	d = meeting_common_json(env->conf, co.name, co.email);
	o = json_set(d, "meeting", json_object());
	json_set_string(o, "title", m->title);
	json_set_string(o, "uid", m->uid);
	json_set_int(o, "id", m->id);
	s = meeting_utc_str(m->start);
	json_set_string(o, "utc", s);
	free(s);
	json_set(o, "times", meeting_times_json(m->att, m->natt, m->start,
	    m->start + m->duration, co.lang));
	o = json_set(d, "reply", json_object());
	json_set_string(o, "email", email ? email : "");
	json_set_string(o, "partstat", partstat ? partstat : "");
	json_set_string(o, "comment", comment ? comment : "");
	json_set(o, "declined", json_bool(strcmp(event, "declined") == 0));
	json_set(o, "all_answered", json_bool(strcmp(event, "all") == 0));
	json_set(o, "counter", json_bool(counter != NULL));
	json_set(o, "reply", json_bool(strcmp(event, "reply") == 0));
	if (counter != NULL && counter->has_start)
		json_set(o, "proposed", meeting_times_json(m->att, m->natt,
		    counter->start, counter->has_end ? counter->end :
		    counter->start + m->duration, co.lang));
	else
		json_set(o, "proposed", json_array());
	a = json_set(d, "answers", json_array());
	for (i = 0; i < m->natt; i++) {
		o = json_append(a, json_object());
		json_set_string(o, "email", m->att[i].email);
		json_set_string(o, "name", m->att[i].name ? m->att[i].name :
		    m->att[i].email);
		json_set_string(o, "partstat", m->att[i].partstat);
	}
	rc = meeting_send_mail(env, "meeting_reply", co.lang, d, co.name,
	    co.email, NULL, NULL, key, m->partnership, "meeting_reply", m->id,
	    err);
	json_free(d);
	meeting_coord_free(&co);
	return rc;
}

/*
 * Applies partstat of email to meeting uid. Returns 1 applied, 0 ignored
 * (unknown, stale, unchanged), -1 error. Runs in the caller's transaction.
 */
static int
apply(const struct meeting_env *env, const char *uid, const char *email,
    const char *partstat, int sequence, time_t dtstamp, int check_seq,
    const char *comment, char **err)
{
	struct meeting m;
	struct meeting_att *a = NULL;
	char *k2;
	int64_t last;
	size_t i, open = 0;
	int rc;

	if ((rc = meeting_get_uid(env->db, uid, &m)) != 1)
		return rc;
	for (i = 0; i < m.natt; i++)
		if (strcasecmp(m.att[i].email, email) == 0)
			a = &m.att[i];
	if (a == NULL || strcmp(m.status, "cancelled") == 0 ||
	    (check_seq && sequence < m.sequence)) {
		log_info("meeting %s: reply from %s ignored (%s)", uid, email,
		    a == NULL ? "not an attendee" : check_seq &&
		    sequence < m.sequence ? "older SEQUENCE" : "cancelled");
		meeting_free(&m);
		return 0;
	}
	if (dtstamp != 0 && (rc = db_int(env->db, &last, "SELECT dtstamp "
	    "FROM attendees WHERE id = ? AND dtstamp IS NOT NULL", "I",
	    a->id)) != 0) {
		if (rc == -1)
			goto dberr;
		if (last > (int64_t)dtstamp) {
			log_info("meeting %s: older reply from %s ignored",
			    uid, email);
			meeting_free(&m);
			return 0;
		}
	}
	if (strcmp(a->partstat, partstat) == 0 && comment == NULL) {
		meeting_free(&m);
		return 0;
	}
	if (db_exec(env->db, "UPDATE attendees SET partstat = ?, dtstamp = "
	    "coalesce(?, dtstamp) WHERE id = ?", "tTI", partstat, dtstamp,
	    a->id) == -1)
		goto dberr;
	free(a->partstat);
	a->partstat = xstrdup(partstat);
	log_info("meeting %s: %s is %s", uid, a->email, partstat);
	rc = 1;
	k2 = NULL;
	if (strcmp(partstat, "DECLINED") == 0) {
		k2 = xasprintf("meeting-declined:%s:%d:%s", uid, m.sequence,
		    a->email);
		if (notify(env, &m, "declined", a->email, partstat, comment,
		    NULL, k2, err) == -1)
			rc = -1;
	} else if (comment != NULL) {
		k2 = xasprintf("meeting-comment:%s:%d:%s:%lld", uid,
		    m.sequence, a->email, (long long)dtstamp);
		if (notify(env, &m, "reply", a->email, partstat, comment,
		    NULL, k2, err) == -1)
			rc = -1;
	}
	free(k2);
	for (i = 0; i < m.natt; i++)
		if (strcmp(m.att[i].partstat, "NEEDS-ACTION") == 0)
			open++;
	if (rc == 1 && open == 0) {
		k2 = xasprintf("meeting-answered:%s:%d", uid, m.sequence);
		if (notify(env, &m, "all", a->email, partstat, NULL, NULL, k2,
		    err) == -1)
			rc = -1;
		free(k2);
	}
	meeting_free(&m);
	return rc;
dberr:
	*err = xasprintf("database: %s", db_errmsg(env->db));
	meeting_free(&m);
	return -1;
}

static int
counter(const struct meeting_env *env, const struct invite_msg *im,
    int64_t message, char **err)
{
	struct meeting m;
	const char *who;
	char *key;
	int rc;

	if ((rc = meeting_get_uid(env->db, im->uid, &m)) != 1)
		return rc;
	who = im->nattendees > 0 ? im->attendees[0].email : "";
	key = xasprintf("meeting-counter:%s:%lld", m.uid, (long long)message);
	rc = notify(env, &m, "counter", who, im->nattendees > 0 ?
	    im->attendees[0].partstat : NULL, im->comment, im, key, err);
	free(key);
	meeting_free(&m);
	return rc == -1 ? -1 : 0;
}

static int
one_calendar(const struct meeting_env *env, int64_t message,
    const char *text, char **err)
{
	struct invite_msg *im = NULL;
	char *perr = NULL;
	size_t i;
	int rc = 0, r;

	if (invite_parse(text, strlen(text), env->conf->team_timezone, &im,
	    &perr) == -1) {
		log_warnx("meeting: message %lld: %s", (long long)message,
		    perr);
		free(perr);
		return 0;
	}
	if (im->uid == NULL)
		;
	else if (im->method == INVITE_COUNTER)
		rc = counter(env, im, message, err);
	else if (im->method == INVITE_REPLY) {
		/* The attendees the REPLY speaks for (normally one). */
		for (i = 0; i < im->nattendees && rc != -1; i++) {
			r = apply(env, im->uid, im->attendees[i].email,
			    im->attendees[i].partstat, im->sequence,
			    im->dtstamp, 1, im->comment, err);
			if (r == -1)
				rc = -1;
			else
				rc += r;
		}
	}
	invite_msg_free(im);
	return rc;
}

/* "yes"/"no"/"так"/"ні" on the first line that is not quoted. */
static const char *
plain_answer(const char *body, size_t len)
{
	static const char *const yes[] = { "yes", "так", "accept", NULL };
	static const char *const no[] = { "no", "ні", "decline", NULL };
	struct buf f;
	const char *p = body, *e, *end = body + len, *r = NULL;
	size_t i;

	while (p < end) {
		e = memchr(p, '\n', (size_t)(end - p));
		if (e == NULL)
			e = end;
		buf_init(&f);
		dates_fold(p, (size_t)(e - p), &f);
		if (f.len > 0 && f.data[0] != '>') {
			while (f.len > 0 && strchr(".!", f.data[f.len - 1]))
				f.data[--f.len] = '\0';
			for (i = 0; yes[i] != NULL && r == NULL; i++)
				if (strcmp(f.data, yes[i]) == 0)
					r = "ACCEPTED";
			for (i = 0; no[i] != NULL && r == NULL; i++)
				if (strcmp(f.data, no[i]) == 0)
					r = "DECLINED";
			buf_free(&f);
			return r;
		}
		buf_free(&f);
		p = e + 1;
	}
	return NULL;
}

static int
one_plain(const struct meeting_env *env, int64_t message,
    const char *in_reply_to, const char *body, size_t len, char **err)
{
	sqlite3_stmt *st;
	const char *ans;
	char *kind = NULL, *email = NULL, *uid = NULL;
	int64_t att = 0;
	int rc;

	if (compose_own_id(env->db, in_reply_to, &kind, &att, NULL) != 1 ||
	    strcmp(kind, "invite") != 0 || att == 0) {
		free(kind);
		return 0;
	}
	free(kind);
	if ((ans = plain_answer(body, len)) == NULL)
		return 0;
	if ((st = db_stmt(env->db, "SELECT a.email, m.uid FROM attendees a "
	    "JOIN meetings m ON m.id = a.meeting WHERE a.id = ?")) == NULL ||
	    db_bind(st, "I", att) == -1)
		return -1;
	if ((rc = db_step(st)) != 1)
		return rc;
	email = db_col_strdup(st, 0);
	uid = db_col_strdup(st, 1);
	sqlite3_reset(st);
	log_info("meeting %s: plain reply %lld counts as %s", uid,
	    (long long)message, ans);
	rc = apply(env, uid, email, ans, 0, 0, 0, NULL, err);
	free(email);
	free(uid);
	return rc;
}

#define SCAN_BATCH	200

int
meeting_scan(const struct meeting_env *env, char **err)
{
	sqlite3_stmt *st;
	struct {
		int64_t	 id;
		char	*kind;
		char	*irt;
		char	*body;
		size_t	 qoff;
	} *rows = NULL;
	char **cal = NULL, *val = NULL, num[32];
	size_t n, i, ncal, round;
	int64_t last = 0, top = 0;
	int rc, total = 0, r;

	*err = NULL;
	if (db_kv_get(env->db, "meeting:scan", &val) == 1)
		last = strtoll(val, NULL, 10);
	free(val);
	if (db_int(env->db, &top, "SELECT coalesce(max(id), 0) FROM messages",
	    "") == -1)
		return -1;
	for (round = 0; round < 10000; round++) {
		/*
		 * Only iMIP mail and replies to mistok's own invitations can
		 * answer a meeting: found through the kind index and the
		 * In-Reply-To rows of msgid_refs, not by reading every new
		 * message (a tenth of a first import's time).
		 */
		if ((st = db_stmt(env->db, "SELECT id FROM messages WHERE "
		    "kind = 'imip' AND id > ?1 AND id <= ?2 UNION "
		    "SELECT r.message FROM own_ids o JOIN msgid_refs r ON "
		    "r.msgid = o.msgid WHERE o.kind = 'invite' AND "
		    "r.position = -1 AND r.message > ?1 AND r.message <= ?2 "
		    "ORDER BY 1 LIMIT 200")) == NULL ||
		    db_bind(st, "II", last, top) == -1)
			return -1;
		rows = xcalloc(SCAN_BATCH, sizeof(*rows));
		n = 0;
		while (n < SCAN_BATCH && (rc = db_step(st)) == 1)
			rows[n++].id = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
		for (i = 0; i < n; i++) {
			if ((st = db_stmt(env->db, "SELECT kind, in_reply_to, "
			    "body, quote_off FROM messages WHERE id = ?")) ==
			    NULL || db_bind(st, "I", rows[i].id) == -1)
				return -1;
			if (db_step(st) == 1) {
				rows[i].kind = db_col_strdup(st, 0);
				rows[i].irt = db_col_strdup(st, 1);
				rows[i].body = db_col_strdup(st, 2);
				rows[i].qoff = (size_t)sqlite3_column_int64(st,
				    3);
			}
			sqlite3_reset(st);
		}
		if (n == 0) {
			free(rows);
			/* Nothing more can answer up to top: move past it. */
			if (top > last) {
				snprintf(num, sizeof(num), "%lld",
				    (long long)top);
				if (db_kv_set(env->db, "meeting:scan", num) ==
				    -1) {
					*err = xasprintf("database: %s",
					    db_errmsg(env->db));
					return -1;
				}
			}
			break;
		}
		/* One transaction per batch (a commit per message cost an
		 * import a tenth of its time in fsync), a savepoint per
		 * message: a failing one is undone alone, those before it
		 * are kept with the cursor. */
		r = 0;
		if (db_begin(env->db) == -1)
			r = -1;
		for (i = 0; i < n && r != -1; i++) {
			if (db_savepoint(env->db, "meeting_scan") == -1) {
				r = -1;
				break;
			}
			if (rows[i].kind == NULL)
				;	/* gone meanwhile */
			else if (strcmp(rows[i].kind, "imip") == 0) {
				/* The REPLY and COUNTER parts. */
				cal = NULL;
				ncal = 0;
				if ((st = db_stmt(env->db, "SELECT text FROM "
				    "calendar_parts WHERE message = ? AND "
				    "upper(coalesce(method, '')) IN ('REPLY', "
				    "'COUNTER', '') ORDER BY id")) == NULL ||
				    db_bind(st, "I", rows[i].id) == -1)
					r = -1;
				while (r != -1 && (rc = db_step(st)) == 1) {
					cal = xreallocarray(cal, ncal + 1,
					    sizeof(*cal));
					cal[ncal++] = db_col_strdup(st, 0);
				}
				for (size_t k = 0; k < ncal; k++) {
					if (r != -1 && cal[k] != NULL) {
						rc = one_calendar(env,
						    rows[i].id, cal[k], err);
						r = rc == -1 ? -1 : r + rc;
					}
					free(cal[k]);
				}
				free(cal);
			} else if (strcmp(rows[i].kind, "correspondence") ==
			    0 && rows[i].irt != NULL && rows[i].body != NULL) {
				size_t blen = strlen(rows[i].body);

				rc = one_plain(env, rows[i].id, rows[i].irt,
				    rows[i].body, rows[i].qoff < blen ?
				    rows[i].qoff : blen, err);
				r = rc == -1 ? -1 : r + rc;
			}
			if (db_release(env->db, "meeting_scan", r != -1) == -1) {
				r = -1;
				break;
			}
			total += r;
			r = 0;
			last = rows[i].id;
		}
		if (db_in_transaction(env->db)) {
			snprintf(num, sizeof(num), "%lld", (long long)last);
			if (db_kv_set(env->db, "meeting:scan", num) == -1 ||
			    db_commit(env->db) == -1) {
				db_rollback(env->db);
				r = -1;
			}
		}
		for (i = 0; i < n; i++) {
			free(rows[i].kind);
			free(rows[i].irt);
			free(rows[i].body);
		}
		free(rows);
		if (r == -1) {
			if (*err == NULL)
				*err = xasprintf("database: %s",
				    db_errmsg(env->db));
			return -1;
		}
	}
	if (total > 0)
		outbox_wake();
	return total;
}
