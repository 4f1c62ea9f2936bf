/*
 * timeline: a partnership's timeline, the triage list and a person's
 * assignment. Messages are read in one statement, then their addresses
 * (the statement cache holds one cursor per SQL text, so no statement is
 * stepped while another use of it is open).
 */
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "directory.h"
#include "log.h"
#include "match.h"
#include "thread.h"
#include "timeline.h"
#include "util.h"

#define MSG_COLUMNS \
	"SELECT m.id, m.message_id, m.date, m.direction, m.from_name, " \
	"m.from_email, m.subject, m.kind, m.rule, coalesce(m.thread, 0), " \
	"coalesce(m.partnership, 0), p.slug FROM messages m " \
	"LEFT JOIN partnerships p ON p.id = m.partnership "

static void
addr_free(struct msg_addr *a)
{
	free(a->name);
	free(a->email);
}

static void
addrs_free(struct msg_addr *a, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		addr_free(&a[i]);
	free(a);
}

static void
message_free(struct tl_message *m)
{
	free(m->message_id);
	free(m->direction);
	addr_free(&m->from);
	addrs_free(m->to, m->nto);
	addrs_free(m->cc, m->ncc);
	free(m->subject);
	free(m->kind);
	free(m->rule);
	free(m->slug);
	memset(m, 0, sizeof(*m));
}

void
tl_messages_free(struct tl_message *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		message_free(&v[i]);
	free(v);
}

static void
read_row(sqlite3_stmt *st, struct tl_message *m)
{
	memset(m, 0, sizeof(*m));
	m->id = sqlite3_column_int64(st, 0);
	m->message_id = db_col_strdup(st, 1);
	m->date = db_col_time(st, 2);
	m->direction = db_col_strdup(st, 3);
	m->from.name = db_col_strdup(st, 4);
	if ((m->from.email = db_col_strdup(st, 5)) == NULL)
		m->from.email = xstrdup("");
	m->subject = db_col_strdup(st, 6);
	m->kind = db_col_strdup(st, 7);
	m->rule = db_col_strdup(st, 8);
	m->thread = sqlite3_column_int64(st, 9);
	m->partnership = sqlite3_column_int64(st, 10);
	m->slug = db_col_strdup(st, 11);
}

static int
read_addresses(struct db *db, int64_t id, const char *role,
    struct msg_addr **out, size_t *n)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if ((st = db_stmt(db, "SELECT name, email FROM message_addresses "
	    "WHERE message = ? AND role = ? ORDER BY position")) == NULL ||
	    db_bind(st, "It", id, role) == -1)
		return -1;
	while ((rc = db_step(st)) == 1) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 4;
			*out = xreallocarray(*out, cap, sizeof(**out));
		}
		(*out)[*n].name = db_col_strdup(st, 0);
		if (((*out)[*n].email = db_col_strdup(st, 1)) == NULL)
			(*out)[*n].email = xstrdup("");
		(*n)++;
	}
	return rc;
}

/*
 * Runs st (bound; MSG_COLUMNS) to its end into *out, *n, then reads each
 * message's recipients. 0 or -1.
 */
static int
read_messages(struct db *db, sqlite3_stmt *st, struct tl_message **out,
    size_t *n)
{
	size_t cap = 0, i;
	int rc;

	*out = NULL;
	*n = 0;
	while ((rc = db_step(st)) == 1) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			*out = xreallocarray(*out, cap, sizeof(**out));
		}
		read_row(st, &(*out)[(*n)++]);
	}
	for (i = 0; rc == 0 && i < *n; i++)
		if (read_addresses(db, (*out)[i].id, "to", &(*out)[i].to,
		    &(*out)[i].nto) == -1 || read_addresses(db, (*out)[i].id,
		    "cc", &(*out)[i].cc, &(*out)[i].ncc) == -1)
			rc = -1;
	if (rc == -1) {
		tl_messages_free(*out, *n);
		*out = NULL;
		*n = 0;
		return -1;
	}
	return 0;
}

int
timeline_unassigned(struct db *db, struct tl_message **out, size_t *n,
    char **err)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(db, MSG_COLUMNS "WHERE m.partnership IS NULL AND "
	    "m.kind IN ('correspondence', 'command') "
	    "ORDER BY m.date DESC, m.id DESC")) == NULL ||
	    read_messages(db, st, out, n) == -1) {
		*err = xasprintf("unassigned: %s", db_errmsg(db));
		return -1;
	}
	return 0;
}

/* ---- the timeline ------------------------------------------------------ */

static void
meeting_free(struct tl_meeting *m)
{
	size_t i;

	free(m->uid);
	free(m->title);
	free(m->status);
	free(m->link);
	for (i = 0; i < m->natt; i++) {
		free(m->att[i].email);
		free(m->att[i].name);
		free(m->att[i].partstat);
	}
	free(m->att);
}

void
timeline_free(struct timeline *t)
{
	size_t i;

	for (i = 0; i < t->nthreads; i++) {
		free(t->threads[i].rule);
		tl_messages_free(t->threads[i].msgs, t->threads[i].nmsgs);
	}
	free(t->threads);
	for (i = 0; i < t->nmeetings; i++)
		meeting_free(&t->meetings[i]);
	free(t->meetings);
	free(t->entries);
	dir_partnership_free(&t->p);
	memset(t, 0, sizeof(*t));
}

static int
cmp_thread(const void *a, const void *b)
{
	const struct tl_thread *x = a, *y = b;

	if (x->first != y->first)
		return x->first < y->first ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

static int
cmp_entry(const void *a, const void *b)
{
	const struct tl_entry *x = a, *y = b;

	if (x->date != y->date)
		return x->date < y->date ? -1 : 1;
	if (x->type != y->type)
		return x->type < y->type ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

/* Splits msgs (ordered by thread, then date) into t->threads. */
static int
group_threads(struct db *db, struct timeline *t, struct tl_message *msgs,
    size_t n)
{
	struct tl_thread *th;
	sqlite3_stmt *st;
	size_t i, j;
	int rc;

	t->threads = xcalloc(n ? n : 1, sizeof(*t->threads));
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && msgs[i].thread != 0 &&
		    msgs[j].thread == msgs[i].thread; j++)
			;
		th = &t->threads[t->nthreads++];
		th->id = msgs[i].thread;
		th->nmsgs = j - i;
		th->msgs = xcalloc(th->nmsgs, sizeof(*th->msgs));
		memcpy(th->msgs, &msgs[i], th->nmsgs * sizeof(*th->msgs));
		th->first = th->msgs[0].date;
		th->last = th->msgs[th->nmsgs - 1].date;
	}
	for (i = 0; i < t->nthreads; i++) {
		th = &t->threads[i];
		if (th->id == 0)
			continue;
		if ((st = db_stmt(db, "SELECT rule FROM threads WHERE id = ?"))
		    == NULL || db_bind(st, "I", th->id) == -1)
			return -1;
		if ((rc = db_step(st)) == 1) {
			th->rule = db_col_strdup(st, 0);
			sqlite3_reset(st);
		} else if (rc == -1)
			return -1;
	}
	qsort(t->threads, t->nthreads, sizeof(*t->threads), cmp_thread);
	return 0;
}

static int
load_meetings(struct db *db, struct timeline *t)
{
	sqlite3_stmt *st;
	struct tl_meeting *m;
	size_t cap = 0, i;
	int rc;

	if ((st = db_stmt(db, "SELECT id, uid, title, sequence, start_utc, "
	    "duration, status, link FROM meetings WHERE partnership = ? "
	    "ORDER BY start_utc, id")) == NULL ||
	    db_bind(st, "I", t->p.id) == -1)
		return -1;
	while ((rc = db_step(st)) == 1) {
		if (t->nmeetings == cap) {
			cap = cap ? cap * 2 : 4;
			t->meetings = xreallocarray(t->meetings, cap,
			    sizeof(*t->meetings));
		}
		m = &t->meetings[t->nmeetings++];
		memset(m, 0, sizeof(*m));
		m->id = sqlite3_column_int64(st, 0);
		m->uid = db_col_strdup(st, 1);
		m->title = db_col_strdup(st, 2);
		m->sequence = sqlite3_column_int64(st, 3);
		m->start = db_col_time(st, 4);
		m->duration = sqlite3_column_int64(st, 5);
		m->status = db_col_strdup(st, 6);
		m->link = db_col_strdup(st, 7);
	}
	if (rc == -1)
		return -1;
	for (i = 0; i < t->nmeetings; i++) {
		size_t acap = 0;

		m = &t->meetings[i];
		if ((st = db_stmt(db, "SELECT email, name, partstat FROM "
		    "attendees WHERE meeting = ? ORDER BY id")) == NULL ||
		    db_bind(st, "I", m->id) == -1)
			return -1;
		while ((rc = db_step(st)) == 1) {
			if (m->natt == acap) {
				acap = acap ? acap * 2 : 4;
				m->att = xreallocarray(m->att, acap,
				    sizeof(*m->att));
			}
			m->att[m->natt].email = db_col_strdup(st, 0);
			m->att[m->natt].name = db_col_strdup(st, 1);
			m->att[m->natt].partstat = db_col_strdup(st, 2);
			m->natt++;
		}
		if (rc == -1)
			return -1;
	}
	return 0;
}

int
timeline_load(struct db *db, int64_t partnership, struct timeline *out,
    char **err)
{
	struct tl_message *msgs = NULL;
	sqlite3_stmt *st;
	size_t n = 0, i, k;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = directory_partnership_by_id(db, partnership, &out->p)) != 1) {
		if (rc == -1)
			*err = xasprintf("partnership %lld: %s",
			    (long long)partnership, db_errmsg(db));
		return rc;
	}
	if ((st = db_stmt(db, MSG_COLUMNS "WHERE m.partnership = ? "
	    "ORDER BY coalesce(m.thread, 0), m.date, m.id")) == NULL ||
	    db_bind(st, "I", partnership) == -1 ||
	    read_messages(db, st, &msgs, &n) == -1)
		goto fail;
	rc = group_threads(db, out, msgs, n);
	free(msgs);		/* the rows now belong to the threads */
	if (rc == -1 || load_meetings(db, out) == -1)
		goto fail;
	out->nentries = out->nthreads + out->nmeetings + out->p.nhistory;
	out->entries = xcalloc(out->nentries ? out->nentries : 1,
	    sizeof(*out->entries));
	k = 0;
	for (i = 0; i < out->nthreads; i++)
		out->entries[k++] = (struct tl_entry){ TL_THREAD,
		    out->threads[i].first, i };
	for (i = 0; i < out->nmeetings; i++)
		out->entries[k++] = (struct tl_entry){ TL_MEETING,
		    out->meetings[i].start, i };
	for (i = 0; i < out->p.nhistory; i++)
		out->entries[k++] = (struct tl_entry){ TL_STAGE,
		    out->p.history[i].at, i };
	qsort(out->entries, out->nentries, sizeof(*out->entries), cmp_entry);
	return 1;
fail:
	*err = xasprintf("partnership %lld: %s", (long long)partnership,
	    db_errmsg(db));
	timeline_free(out);
	return -1;
}

/* ---- assignment -------------------------------------------------------- */

void
tl_assign_free(struct tl_assign *a)
{
	free(a->old_slug);
	free(a->slug);
	tl_messages_free(a->moved, a->nmoved);
	free(a->sender_email);
	memset(a, 0, sizeof(*a));
}

/* 1 when org takes part in partnership (UA, US or supporting). */
static int
org_in(struct db *db, int64_t org, int64_t partnership)
{
	int64_t *ids = NULL;
	size_t n = 0, i;
	int found = 0;

	if (directory_partnerships_of_org(db, org, &ids, &n) == -1)
		return -1;
	for (i = 0; i < n; i++)
		if (ids[i] == partnership)
			found = 1;
	free(ids);
	return found;
}

/* Learns the sender of message when sensible; fills a->sender… */
static int
learn_sender(struct db *db, const struct tl_message *m, int64_t partnership,
    const struct thread_ctx *ctx, struct tl_assign *a)
{
	int64_t contact = 0, org = 0;
	int rc;

	if (m->from.email == NULL || strchr(m->from.email, '@') == NULL) {
		a->sender = TL_SENDER_NONE;
		return 0;
	}
	a->sender_email = xstrdup(m->from.email);
	if (ctx != NULL && thread_is_team(ctx, m->from.email)) {
		a->sender = TL_SENDER_TEAM;
		return 0;
	}
	if ((rc = directory_contact_by_email(db, m->from.email, &contact,
	    &org)) == -1)
		return -1;
	if (rc == 1) {
		a->sender = TL_SENDER_KNOWN;
		a->contact = contact;
		return 0;
	}
	if ((rc = directory_org_by_domain(db, m->from.email, &org)) == -1)
		return -1;
	if (rc == 0) {
		a->sender = TL_SENDER_UNKNOWN;
		return 0;
	}
	if ((rc = org_in(db, org, partnership)) == -1)
		return -1;
	if (rc == 0) {
		a->sender = TL_SENDER_OTHER_ORG;
		return 0;
	}
	if (directory_learn_contact(db, m->from.email, m->from.name, org,
	    &contact) == -1)
		return -1;
	a->sender = TL_SENDER_LEARNED;
	a->contact = contact;
	return 0;
}

/* The message alone (thread 0) or its whole thread, oldest first. */
static int
read_thread(struct db *db, int64_t message, int64_t thread,
    struct tl_message **v, size_t *n)
{
	sqlite3_stmt *st;

	if (thread == 0)
		st = db_stmt(db, MSG_COLUMNS "WHERE m.id = ?");
	else
		st = db_stmt(db, MSG_COLUMNS "WHERE m.thread = ? "
		    "ORDER BY m.date, m.id");
	if (st == NULL || db_bind(st, "I", thread ? thread : message) == -1)
		return -1;
	return read_messages(db, st, v, n);
}

int
timeline_assign(struct db *db, int64_t message, int64_t partnership,
    const struct thread_ctx *ctx, const char *actor, struct tl_assign *out,
    char **err)
{
	struct tl_message *self = NULL, *before = NULL, *after = NULL;
	struct dir_partnership p;
	sqlite3_stmt *st;
	size_t nself = 0, nbefore = 0, nafter = 0, i, j;
	char *object = NULL, *detail = NULL;
	int64_t was;

	memset(out, 0, sizeof(*out));
	if (db_begin(db) == -1) {
		*err = xasprintf("assign: %s", db_errmsg(db));
		return -1;
	}
	if ((st = db_stmt(db, MSG_COLUMNS "WHERE m.id = ?")) == NULL ||
	    db_bind(st, "I", message) == -1 ||
	    read_messages(db, st, &self, &nself) == -1)
		goto dberr;
	if (nself == 0) {
		*err = xasprintf("no message %lld", (long long)message);
		goto fail;
	}
	out->thread = self->thread;
	out->old = self->partnership;
	out->old_slug = self->slug ? xstrdup(self->slug) : NULL;
	if (read_thread(db, message, out->thread, &before, &nbefore) == -1)
		goto dberr;
	if (match_assign(db, message, partnership, err) == -1)
		goto fail;
	if (learn_sender(db, self, partnership, ctx, out) == -1 ||
	    read_thread(db, message, out->thread, &after, &nafter) == -1)
		goto dberr;
	/* Moved: now in partnership, before in another one or in none. */
	out->moved = xcalloc(nafter ? nafter : 1, sizeof(*out->moved));
	for (i = 0; i < nafter; i++) {
		if (after[i].partnership != partnership)
			continue;
		was = 0;
		for (j = 0; j < nbefore; j++)
			if (before[j].id == after[i].id)
				was = before[j].partnership;
		if (was == partnership)
			continue;
		out->moved[out->nmoved++] = after[i];
		memset(&after[i], 0, sizeof(after[i]));
	}
	if (directory_partnership_by_id(db, partnership, &p) != 1)
		goto dberr;
	out->slug = p.slug;
	p.slug = NULL;
	dir_partnership_free(&p);
	object = xasprintf("message:%lld", (long long)message);
	detail = xasprintf("partnership:%lld, thread %lld: %zu messages moved "
	    "from %s", (long long)partnership, (long long)out->thread,
	    out->nmoved, out->old_slug ? out->old_slug : "none");
	if (db_exec(db, "INSERT INTO events (at, actor, action, object, "
	    "detail) VALUES (?, ?, 'assign', ?, ?)", "Tttt", clock_now(),
	    actor ? actor : "cli", object, detail) == -1 ||
	    db_commit(db) == -1)
		goto dberr;
	log_info("timeline: message %lld assigned to partnership %lld, "
	    "%zu messages moved", (long long)message, (long long)partnership,
	    out->nmoved);
	free(object);
	free(detail);
	tl_messages_free(self, nself);
	tl_messages_free(before, nbefore);
	tl_messages_free(after, nafter);
	return 0;
dberr:
	if (*err == NULL)
		*err = xasprintf("assign: %s", db_errmsg(db));
fail:
	db_rollback(db);
	free(object);
	free(detail);
	tl_messages_free(self, nself);
	tl_messages_free(before, nbefore);
	tl_messages_free(after, nafter);
	tl_assign_free(out);
	return -1;
}
