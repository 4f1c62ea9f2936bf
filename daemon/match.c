/*
 * match: partnership matching.
 *
 * Rules, in order; a rule counts only when it yields exactly one
 * partnership, otherwise the next one is tried:
 *   own-id        an id in In-Reply-To/References is one of mistok's own
 *                 (own_ids) that was about a partnership;
 *   plus-address  team+p12@ in To, Cc or Delivered-To;
 *   subject-tag   [TAG #12] in the subject;
 *   thread        the thread already belongs to a partnership;
 *   meeting-uid   a calendar part's UID is a known meeting's;
 *   participants  from/to/cc → contacts (else the domain) → organisations
 *                 → partnerships (UA, US or supporting organisation); the
 *                 candidates are the partnerships every participant's
 *                 organisation shares. The team's own addresses, its
 *                 coordinators and organisations of kind 'team' are not
 *                 participants; unknown addresses and organisations in no
 *                 partnership at all do not take part (they cannot tell
 *                 partnerships apart); mail with nobody in To or Cc
 *                 (BCC-only) is never matched this way.
 * A thread holds the strongest claim it has seen: assigned (a person) >
 * explicit evidence (own-id, plus-address, subject-tag, meeting-uid) >
 * participants; its messages without evidence of their own follow it
 * (rule thread).
 *
 * The directory queries sit together below ("directory look-ups") so
 * they can become calls into directory.c.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <glib.h>

#include "db.h"
#include "log.h"
#include "match.h"
#include "mime.h"
#include "thread.h"
#include "util.h"

static const char *const rule_names[] = {
	[MATCH_NONE] = "none",
	[MATCH_OWN_ID] = "own-id",
	[MATCH_PLUS_ADDRESS] = "plus-address",
	[MATCH_SUBJECT_TAG] = "subject-tag",
	[MATCH_THREAD] = "thread",
	[MATCH_MEETING_UID] = "meeting-uid",
	[MATCH_PARTICIPANTS] = "participants",
	[MATCH_ASSIGNED] = "assigned",
};

const char *
match_rule_name(enum match_rule r)
{
	if ((size_t)r >= nitems(rule_names))
		return "none";
	return rule_names[r];
}

/* How strong a thread's claim is. */
static int
rank(const char *rule)
{
	if (rule == NULL || strcmp(rule, "none") == 0 ||
	    strcmp(rule, "thread") == 0)
		return 0;
	if (strcmp(rule, "assigned") == 0)
		return 3;
	if (strcmp(rule, "participants") == 0)
		return 1;
	return 2;
}

/* A small set of partnership ids. */
struct pset {
	int64_t	*v;
	size_t	 n;
};

static void
pset_add(struct pset *s, int64_t id)
{
	size_t i;

	if (id <= 0)
		return;
	for (i = 0; i < s->n; i++)
		if (s->v[i] == id)
			return;
	s->v = xreallocarray(s->v, s->n + 1, sizeof(*s->v));
	s->v[s->n++] = id;
}

static void
pset_clear(struct pset *s)
{
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

/* Keeps in a only what b has too. */
static void
pset_intersect(struct pset *a, const struct pset *b)
{
	size_t i, j, k = 0;

	for (i = 0; i < a->n; i++)
		for (j = 0; j < b->n; j++)
			if (a->v[i] == b->v[j]) {
				a->v[k++] = a->v[i];
				break;
			}
	a->n = k;
}

/* ---- directory look-ups ------------------------------------------------ */

static int
dir_partnership_exists(struct db *db, int64_t id)
{
	int64_t x;

	return db_int(db, &x, "SELECT 1 FROM partnerships WHERE id = ?", "I",
	    id);
}

/*
 * What the directory knows of email: *known = 1 for a contact's address,
 * *org its organisation (else the organisation of its domain or a parent
 * domain; 0 when none), *team when that organisation is the team's own.
 */
static int
dir_address_db(struct db *db, const char *email, int *known, int64_t *org,
    int *team)
{
	sqlite3_stmt *st;
	const char *dom;
	int rc;

	*known = *team = 0;
	*org = 0;
	if ((st = db_stmt(db, "SELECT coalesce(c.org, 0), coalesce(o.kind, "
	    "'') FROM contact_addresses a JOIN contacts c ON c.id = a.contact "
	    "LEFT JOIN orgs o ON o.id = c.org WHERE a.email = ?")) == NULL ||
	    db_bind(st, "t", email) == -1)
		return -1;
	if ((rc = db_step(st)) == 1) {
		*known = 1;
		*org = sqlite3_column_int64(st, 0);
		*team = strcmp((const char *)sqlite3_column_text(st, 1),
		    "team") == 0;
		sqlite3_reset(st);
		return 0;
	}
	if (rc == -1 || (dom = strrchr(email, '@')) == NULL)
		return rc;
	/* lviv-rada.gov.ua, then gov.ua is not tried: at least two labels. */
	for (dom++; strchr(dom, '.') != NULL; dom = strchr(dom, '.') + 1) {
		if ((st = db_stmt(db, "SELECT d.org, o.kind FROM org_domains d "
		    "JOIN orgs o ON o.id = d.org WHERE d.domain = ?")) == NULL ||
		    db_bind(st, "t", dom) == -1)
			return -1;
		if ((rc = db_step(st)) == 1) {
			*org = sqlite3_column_int64(st, 0);
			*team = strcmp((const char *)sqlite3_column_text(st, 1),
			    "team") == 0;
			sqlite3_reset(st);
			return 0;
		}
		if (rc == -1)
			return -1;
	}
	return 0;
}

/* The partnerships org takes part in (UA, US or supporting). */
static int
dir_org_partnerships_db(struct db *db, int64_t org, struct pset *out)
{
	sqlite3_stmt *st;
	int rc;

	/* UNION ALL of three index searches (pset_add drops repeats):
	 * OR and UNION cost a temporary b-tree per call. */
	if ((st = db_stmt(db, "SELECT id FROM partnerships WHERE ua_org = ?1 "
	    "UNION ALL SELECT id FROM partnerships WHERE us_org = ?1 "
	    "UNION ALL SELECT partnership FROM partnership_orgs "
	    "WHERE org = ?1")) == NULL || db_bind(st, "I", org) == -1)
		return -1;
	while ((rc = db_step(st)) == 1)
		pset_add(out, sqlite3_column_int64(st, 0));
	return rc;
}

/*
 * The two look-ups above, remembered for as long as db_epoch() says the
 * directory cannot have changed (within one transaction, until a
 * directory row changes or something is rolled back): ingest asks them
 * for every address of every message, over and over the same few.
 */
struct dir_addr {
	int	known, team;
	int64_t	org;
};

static struct {
	struct db	*db;
	uint64_t	 epoch;
	GHashTable	*addrs;		/* email → struct dir_addr */
	GHashTable	*orgs;		/* int64_t org → struct pset */
} dircache;

static void
pset_free(gpointer p)
{
	struct pset *s = p;

	free(s->v);
	free(s);
}

/* 1 when the cache may be used (emptied first if it is stale). */
static int
dircache_valid(struct db *db)
{
	uint64_t e = db_epoch(db);

	if (e == 0)
		return 0;
	if (dircache.addrs == NULL) {
		dircache.addrs = g_hash_table_new_full(g_str_hash,
		    g_str_equal, free, free);
		dircache.orgs = g_hash_table_new_full(g_int64_hash,
		    g_int64_equal, free, pset_free);
	}
	if (dircache.db != db || dircache.epoch != e) {
		g_hash_table_remove_all(dircache.addrs);
		g_hash_table_remove_all(dircache.orgs);
		dircache.db = db;
		dircache.epoch = e;
	}
	return 1;
}

static int
dir_address(struct db *db, const char *email, int *known, int64_t *org,
    int *team)
{
	struct dir_addr *a;

	if (!dircache_valid(db))
		return dir_address_db(db, email, known, org, team);
	if ((a = g_hash_table_lookup(dircache.addrs, email)) == NULL) {
		a = xcalloc(1, sizeof(*a));
		if (dir_address_db(db, email, &a->known, &a->org,
		    &a->team) == -1) {
			free(a);
			return -1;
		}
		g_hash_table_insert(dircache.addrs, xstrdup(email), a);
	}
	*known = a->known;
	*org = a->org;
	*team = a->team;
	return 0;
}

static int
dir_org_partnerships(struct db *db, int64_t org, struct pset *out)
{
	struct pset *s;
	int64_t *key;
	size_t i;

	if (!dircache_valid(db))
		return dir_org_partnerships_db(db, org, out);
	if ((s = g_hash_table_lookup(dircache.orgs, &org)) == NULL) {
		s = xcalloc(1, sizeof(*s));
		if (dir_org_partnerships_db(db, org, s) == -1) {
			pset_free(s);
			return -1;
		}
		key = xmalloc(sizeof(*key));
		*key = org;
		g_hash_table_insert(dircache.orgs, key, s);
	}
	for (i = 0; i < s->n; i++)
		pset_add(out, s->v[i]);
	return 0;
}

static int
dir_learn(struct db *db, const char *email, const char *name, int64_t org)
{
	int64_t contact;

	if (db_exec(db, "INSERT INTO contacts (name, org, learned) "
	    "VALUES (?, ?, 1)", "tI", name, org) == -1)
		return -1;
	contact = db_last_id(db);
	if (db_exec(db, "INSERT INTO contact_addresses (contact, email) "
	    "VALUES (?, ?)", "It", contact, email) == -1)
		return -1;
	log_info("match: learned contact %s (organisation %lld)", email,
	    (long long)org);
	return 0;
}

static int
dir_own_id(struct db *db, const char *msgid, struct pset *out)
{
	int64_t p;
	int rc;

	/* mistok's ids are <mistok.…@domain> (DESIGN.md): skip the rest. */
	if (strncmp(msgid, "mistok.", 7) != 0)
		return 0;
	rc = db_int(db, &p, "SELECT coalesce(partnership, 0) FROM own_ids "
	    "WHERE msgid = ?", "t", msgid);
	if (rc == 1)
		pset_add(out, p);
	return rc == -1 ? -1 : 0;
}

static int
dir_meeting(struct db *db, const char *uid, struct pset *out)
{
	int64_t p;
	int rc;

	rc = db_int(db, &p, "SELECT coalesce(partnership, 0) FROM meetings "
	    "WHERE uid = ?", "t", uid);
	if (rc == 1)
		pset_add(out, p);
	return rc == -1 ? -1 : 0;
}

/* ---- evidence in the message ------------------------------------------- */

/* Adds n of team+pN@domain when email is one; the team address from ctx. */
static int
plus_address(struct db *db, const struct thread_ctx *ctx, const char *email,
    struct pset *out)
{
	const char *tat, *at, *p;
	size_t local;
	char *end;
	long long n;

	if (ctx->team_address == NULL || email == NULL ||
	    (tat = strchr(ctx->team_address, '@')) == NULL ||
	    (at = strchr(email, '@')) == NULL || strcasecmp(at, tat) != 0)
		return 0;
	local = (size_t)(tat - ctx->team_address);
	if (strncasecmp(email, ctx->team_address, local) != 0 ||
	    email[local] != '+')
		return 0;
	p = email + local + 1;
	if (*p != 'p' && *p != 'P')
		return 0;
	if (p[1] < '0' || p[1] > '9')
		return 0;
	n = strtoll(p + 1, &end, 10);
	if (end != at || n <= 0)
		return 0;
	switch (dir_partnership_exists(db, n)) {
	case -1:
		return -1;
	case 1:
		pset_add(out, n);
	}
	return 0;
}

/* Delivered-To: a bare address or <address>. */
static char *
header_address(const char *v)
{
	const char *s, *e;
	char *a;

	while (*v == ' ' || *v == '\t')
		v++;
	s = v;
	if (*s == '<')
		s++;
	for (e = s; *e != '\0' && *e != '>' && *e != ' ' && *e != '\t'; e++)
		;
	a = xstrndup(s, (size_t)(e - s));
	str_lower(a);
	return a;
}

static int
subject_tags(struct db *db, const char *tag, const char *subject,
    struct pset *out)
{
	const char *p, *q;
	size_t tl;
	long long n;
	char *end;

	if (tag == NULL || *tag == '\0' || subject == NULL)
		return 0;
	tl = strlen(tag);
	for (p = strchr(subject, '['); p != NULL; p = strchr(p + 1, '[')) {
		q = p + 1;
		while (*q == ' ')
			q++;
		if (strncasecmp(q, tag, tl) != 0)
			continue;
		q += tl;
		while (*q == ' ')
			q++;
		if (*q++ != '#' || *q < '0' || *q > '9')
			continue;
		n = strtoll(q, &end, 10);
		q = end;
		while (*q == ' ')
			q++;
		if (*q != ']' || n <= 0)
			continue;
		switch (dir_partnership_exists(db, n)) {
		case -1:
			return -1;
		case 1:
			pset_add(out, n);
		}
	}
	return 0;
}

/* Every UID property of an iCalendar text (unfolded). */
static int
calendar_uids(struct db *db, const char *text, struct pset *out)
{
	struct buf line;
	const char *p = text, *e;
	int rc = 0;

	buf_init(&line);
	while (rc == 0 && p != NULL && *p != '\0') {
		buf_reset(&line);
		/* One logical line: continuation lines start with SP/HT. */
		for (;;) {
			e = strchr(p, '\n');
			buf_add(&line, p, e ? (size_t)(e - p) : strlen(p));
			if (line.len > 0 && line.data[line.len - 1] == '\r')
				line.data[--line.len] = '\0';
			p = e ? e + 1 : NULL;
			if (p == NULL || (*p != ' ' && *p != '\t'))
				break;
			p++;
		}
		if (str_casestarts(line.data, "UID") &&
		    (line.data[3] == ':' || line.data[3] == ';')) {
			char *v = strchr(line.data, ':');

			if (v != NULL && *str_trim(v + 1) != '\0')
				rc = dir_meeting(db, str_trim(v + 1), out);
		}
	}
	buf_free(&line);
	return rc;
}

/* ---- deciding ---------------------------------------------------------- */

struct person {
	const struct msg_addr	*a;
	int			 known;
	int			 team;
	int64_t			 org;
};

static int
one(const struct pset *s, enum match_rule rule, struct match_result *r)
{
	if (s->n != 1)
		return 0;
	r->rule = rule;
	r->partnership = s->v[0];
	return 1;
}

static void
people_list(const struct msg *m, struct person **pv, size_t *n)
{
	size_t i;

	*pv = xreallocarray(NULL, 1 + m->nto + m->ncc, sizeof(**pv));
	*n = 0;
	(*pv)[(*n)++].a = &m->from;
	for (i = 0; i < m->nto; i++)
		(*pv)[(*n)++].a = &m->to[i];
	for (i = 0; i < m->ncc; i++)
		(*pv)[(*n)++].a = &m->cc[i];
}

int
match_decide(struct db *db, int64_t thread,
    const struct msg *m, const struct thread_ctx *ctx,
    struct match_result *r, char **err)
{
	static const struct thread_ctx noctx;
	struct pset s = { NULL, 0 }, ps = { NULL, 0 };
	struct person *pv = NULL;
	size_t npv = 0, i, j;
	int64_t tp = 0;
	int learn, have = 0, rc = -1;

	memset(r, 0, sizeof(*r));
	if (ctx == NULL)
		ctx = &noctx;
	learn = m->kind == MSG_CORRESPONDENCE || m->kind == MSG_IMIP ||
	    m->kind == MSG_COMMAND;

	/* Who is who; learn unknown addresses at known organisations. */
	people_list(m, &pv, &npv);
	for (i = 0; i < npv; i++) {
		const char *e = pv[i].a->email;

		pv[i].known = pv[i].team = 0;
		pv[i].org = 0;
		if (e == NULL || strchr(e, '@') == NULL ||
		    thread_is_team(ctx, e)) {
			pv[i].team = 1;
			continue;
		}
		for (j = 0; j < i && strcmp(pv[j].a->email, e) != 0; j++)
			;
		if (j < i) {		/* the same address twice */
			pv[i].team = 1;
			continue;
		}
		if (dir_address(db, e, &pv[i].known, &pv[i].org,
		    &pv[i].team) == -1)
			goto dberr;
		if (learn && !pv[i].known && !pv[i].team && pv[i].org != 0) {
			if (dir_learn(db, e, pv[i].a->name, pv[i].org) == -1)
				goto dberr;
			pv[i].known = 1;
		}
	}

	/* own-id: the ids it names, or its own (our Sent copy) */
	if (m->message_id != NULL && dir_own_id(db, m->message_id, &s) == -1)
		goto dberr;
	if (m->in_reply_to != NULL && dir_own_id(db, m->in_reply_to, &s) == -1)
		goto dberr;
	for (i = 0; m->references != NULL && m->references[i] != NULL; i++)
		if (dir_own_id(db, m->references[i], &s) == -1)
			goto dberr;
	if (one(&s, MATCH_OWN_ID, r))
		goto done;
	pset_clear(&s);

	/* plus-address */
	for (i = 0; i < m->nto; i++)
		if (plus_address(db, ctx, m->to[i].email, &s) == -1)
			goto dberr;
	for (i = 0; i < m->ncc; i++)
		if (plus_address(db, ctx, m->cc[i].email, &s) == -1)
			goto dberr;
	for (i = 0; i < m->nhdr; i++)
		if (strcasecmp(m->hdr[i].name, "Delivered-To") == 0) {
			char *a = header_address(m->hdr[i].value);

			j = plus_address(db, ctx, a, &s) == -1;
			free(a);
			if (j)
				goto dberr;
		}
	if (one(&s, MATCH_PLUS_ADDRESS, r))
		goto done;
	pset_clear(&s);

	/* subject-tag */
	if (subject_tags(db, ctx->tag, m->subject, &s) == -1)
		goto dberr;
	if (one(&s, MATCH_SUBJECT_TAG, r))
		goto done;
	pset_clear(&s);

	/* thread */
	if (thread > 0 && db_int(db, &tp, "SELECT coalesce(partnership, 0) "
	    "FROM threads WHERE id = ?", "I", thread) == -1)
		goto dberr;
	if (tp > 0) {
		r->rule = MATCH_THREAD;
		r->partnership = tp;
		goto done;
	}

	/* meeting-uid */
	for (i = 0; i < m->ncal; i++)
		if (m->cal[i].text != NULL &&
		    calendar_uids(db, m->cal[i].text, &s) == -1)
			goto dberr;
	if (one(&s, MATCH_MEETING_UID, r))
		goto done;
	pset_clear(&s);

	/* participants: never for BCC-only mail */
	if (m->nto + m->ncc == 0)
		goto done;
	for (i = 0; i < npv; i++) {
		if (pv[i].team || pv[i].org == 0)
			continue;
		pset_clear(&ps);
		if (dir_org_partnerships(db, pv[i].org, &ps) == -1)
			goto dberr;
		if (ps.n == 0)
			continue;	/* in no partnership: cannot tell */
		if (!have) {
			for (j = 0; j < ps.n; j++)
				pset_add(&s, ps.v[j]);
			have = 1;
		} else
			pset_intersect(&s, &ps);
	}
	(void)one(&s, MATCH_PARTICIPANTS, r);
done:
	rc = 0;
	goto out;
dberr:
	if (err != NULL && *err == NULL)
		*err = xasprintf("match: %s", db_errmsg(db));
out:
	pset_clear(&s);
	pset_clear(&ps);
	free(pv);
	return rc;
}

/* ---- storing ----------------------------------------------------------- */

/* The thread's messages follow its partnership; all: even explicit ones. */
static int
follow(struct db *db, int64_t thread, int64_t partnership, int all)
{
	if (partnership <= 0)
		return 0;
	if (all)
		return db_exec(db, "UPDATE messages SET partnership = ?1, "
		    "rule = 'thread' WHERE thread = ?2 AND rule <> 'assigned' "
		    "AND (partnership IS NOT ?1 OR rule <> 'thread')", "II",
		    partnership, thread);
	return db_exec(db, "UPDATE messages SET partnership = ?1, "
	    "rule = 'thread' WHERE thread = ?2 AND rule IN ('none', 'thread') "
	    "AND partnership IS NOT ?1", "II", partnership, thread);
}

/*
 * Offers (partnership, rule) to thread (partnership 0: nothing); it takes
 * a stronger claim. Either way its messages then follow what it holds.
 */
static int
offer(struct db *db, int64_t thread, int64_t partnership, const char *rule)
{
	sqlite3_stmt *st;
	int64_t cur = 0;
	char *cur_rule = NULL;
	int rc;

	if (thread <= 0)
		return 0;
	if ((st = db_stmt(db, "SELECT coalesce(partnership, 0), rule FROM "
	    "threads WHERE id = ?")) == NULL || db_bind(st, "I", thread) == -1)
		return -1;
	if ((rc = db_step(st)) == 1) {
		cur = sqlite3_column_int64(st, 0);
		cur_rule = db_col_strdup(st, 1);
		sqlite3_reset(st);
	}
	if (rc == -1)
		return -1;
	if (partnership > 0 && (cur == 0 || rank(rule) > rank(cur_rule))) {
		cur = partnership;
		rc = db_exec(db, "UPDATE threads SET partnership = ?, rule = ? "
		    "WHERE id = ?", "ItI", partnership, rule, thread);
		free(cur_rule);
		cur_rule = xstrdup(rule);
		if (rc == -1)
			goto out;
	}
	rc = follow(db, thread, cur, rank(cur_rule) == 3);
out:
	free(cur_rule);
	return rc;
}

int
match_offer(struct db *db, int64_t thread, const struct match_result *r)
{
	const char *name = match_rule_name(r->rule);

	if (rank(name) > 0)
		return offer(db, thread, r->partnership, name);
	return 0;
}

int
match_threads_merged(struct db *db, int64_t into, int64_t from_partnership,
    const char *from_rule)
{
	return offer(db, into, from_partnership,
	    from_rule != NULL ? from_rule : "participants");
}

int
match_assign(struct db *db, int64_t message, int64_t partnership,
    char **err)
{
	int64_t thread = 0;
	int rc;

	if ((rc = db_int(db, &thread, "SELECT coalesce(thread, 0) FROM "
	    "messages WHERE id = ?", "I", message)) != 1) {
		*err = rc == 0 ? xasprintf("no message %lld",
		    (long long)message) : xasprintf("assign: %s",
		    db_errmsg(db));
		return -1;
	}
	if ((rc = dir_partnership_exists(db, partnership)) != 1) {
		*err = rc == 0 ? xasprintf("no partnership %lld",
		    (long long)partnership) : xasprintf("assign: %s",
		    db_errmsg(db));
		return -1;
	}
	if (db_exec(db, "UPDATE messages SET partnership = ?, rule = "
	    "'assigned' WHERE id = ?", "II", partnership, message) == -1 ||
	    (thread > 0 && (db_exec(db, "UPDATE threads SET partnership = ?, "
	    "rule = 'assigned' WHERE id = ?", "II", partnership,
	    thread) == -1 || follow(db, thread, partnership, 1) == -1))) {
		*err = xasprintf("assign: %s", db_errmsg(db));
		return -1;
	}
	log_info("match: message %lld assigned to partnership %lld",
	    (long long)message, (long long)partnership);
	return 0;
}
