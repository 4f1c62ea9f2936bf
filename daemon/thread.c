/*
 * thread: conversations as connected components.
 *
 * Every message is a node; an edge joins two messages when
 *   - one names the other (In-Reply-To or any References id), directly
 *     or through a ghost: an id referenced but not seen yet keeps a row in
 *     ghosts with its thread, so whoever names it later (or the message
 *     itself, when it arrives) joins that thread;
 *   - both carry the same Outlook conversation (Thread-Index, first 22
 *     bytes), for replies from Outlook that dropped References, or,
 *     without one, the same iCalendar UID (an invitation, the replies to
 *     it, its updates and its cancel are one conversation);
 *   - both have the same normalised subject, are within the subject
 *     window of each other, at least one of them is a "subject root" (no
 *     In-Reply-To, no References, no Thread-Index reply blocks) and their
 *     participant sets are equal or one contains the other. The team's
 *     own addresses and coordinators are not participants; an empty set
 *     never matches. So a reply that already has references never pulls a
 *     stranger's "Re: Hello" in, and "Hello" from two different people are
 *     two conversations.
 * Every edge depends only on the two messages, never on arrival order, so
 * the threads (the components) come out the same in any order; new edges
 * merge threads. Each rule is an index look-up: messages.message_id,
 * ghosts.msgid, messages.conversation, messages(subject_base, date).
 *
 * The parent stored with a message is notmuch's: a clean In-Reply-To, else
 * the last References id (mime already dropped the garbage). The tree
 * shown (thread_tree) falls back along References when that parent is a
 * ghost, as notmuch does.
 */
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "config.h"
#include "db.h"
#include "invite.h"
#include "log.h"
#include "match.h"
#include "mime.h"
#include "mime_text.h"
#include "store.h"
#include "thread.h"
#include "util.h"

/* More References than this are cut to the last ones (a bound, not a rule
 * any real mail reaches). */
#define THREAD_MAX_REFS	512

void
thread_ctx_from_config(struct thread_ctx *ctx, const struct config *conf)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->team_address = conf->team_address;
	ctx->tag = conf->team_tag;
	ctx->coordinators = (const char *const *)conf->coordinators;
	ctx->subject_window = THREAD_SUBJECT_WINDOW;
}

/* ---- subject normalisation --------------------------------------------- */

/* Case-folded (NFKC first, so a full-width colon is ':'). */
static const char *const prefixes[] = {
	"re", "fwd", "fw", "aw", "wg", "sv", "vs", "antw", "odp", "rv",
	"enc", "tr", "відп", "пересл", "отв", "вдп",
};

/* Length of a reply/forward prefix at s ("re: ", "aw[2]: "), or 0. */
static size_t
prefix_len(const char *s)
{
	size_t i, n;
	const char *p;

	for (i = 0; i < nitems(prefixes); i++) {
		n = strlen(prefixes[i]);
		if (strncmp(s, prefixes[i], n) != 0)
			continue;
		p = s + n;
		while (*p == ' ')
			p++;
		if (*p == '[' || *p == '(') {
			char close = *p == '[' ? ']' : ')';
			const char *q = p + 1;

			while (*q >= '0' && *q <= '9')
				q++;
			if (q == p + 1 || *q != close)
				continue;
			p = q + 1;
			while (*p == ' ')
				p++;
		}
		if (*p != ':')
			continue;
		p++;
		while (*p == ' ')
			p++;
		return (size_t)(p - s);
	}
	return 0;
}

static void
trim_spaces(char *s)
{
	size_t n = strlen(s), k = 0;

	while (k < n && s[k] == ' ')
		k++;
	memmove(s, s + k, n - k + 1);
	n -= k;
	while (n > 0 && s[n - 1] == ' ')
		s[--n] = '\0';
}

/* One step of stripping; 1 when something was removed. */
static int
strip_once(char *s)
{
	size_t n = strlen(s), k;
	char *close;

	trim_spaces(s);
	n = strlen(s);
	if (n >= 5 && strcmp(s + n - 5, "(fwd)") == 0) {
		s[n - 5] = '\0';
		trim_spaces(s);
		return 1;
	}
	if (strncmp(s, "[fwd:", 5) == 0 && n > 6 && s[n - 1] == ']') {
		s[n - 1] = '\0';
		memmove(s, s + 5, n - 5);
		trim_spaces(s);
		return 1;
	}
	if (s[0] == '[' && (close = strchr(s, ']')) != NULL) {
		k = (size_t)(close - s) + 1;
		while (s[k] == ' ')
			k++;
		if (s[k] != '\0') {	/* never strip the whole subject */
			memmove(s, s + k, n - k + 1);
			return 1;
		}
	}
	if ((k = prefix_len(s)) > 0) {
		memmove(s, s + k, n - k + 1);
		return 1;
	}
	return 0;
}

/*
 * Whether s is in ASCII, the Cyrillic letters U+0400-045F and U+0490/1,
 * en and em dashes and guillemets only: text that NFKC leaves as it is
 * and whose case folding is plain lowering (utf8_lower()). Most subjects
 * are; GLib's normalizer took a third of the threading of a message.
 */
static int
nfkc_stable(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p != '\0') {
		if (*p < 0x80)
			p++;
		else if ((p[0] == 0xd0 && p[1] >= 0x80 && p[1] <= 0xbf) ||
		    (p[0] == 0xd1 && p[1] >= 0x80 && p[1] <= 0x9f) ||
		    (p[0] == 0xd2 && (p[1] == 0x90 || p[1] == 0x91)) ||
		    (p[0] == 0xc2 && (p[1] == 0xab || p[1] == 0xbb)))
			p += 2;
		else if (p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0x93 ||
		    p[2] == 0x94))
			p += 3;
		else
			return 0;
	}
	return 1;
}

char *
thread_subject_base(const char *subject)
{
	gchar *valid, *norm, *fold;
	char *out, *w;
	const char *r;
	int space = 0, rounds;

	if (subject == NULL)
		return NULL;
	if (nfkc_stable(subject)) {
		char *low = utf8_lower(subject);

		fold = g_strdup(low);
		free(low);
	} else {
		valid = g_utf8_make_valid(subject, -1);
		norm = g_utf8_normalize(valid, -1, G_NORMALIZE_NFKC);
		fold = g_utf8_casefold(norm != NULL ? norm : valid, -1);
		g_free(valid);
		g_free(norm);
	}
	/* Collapse every run of white space (ASCII, and what NFKC left of
	 * Unicode spaces) into one ASCII space. */
	out = xmalloc(strlen(fold) + 1);
	w = out;
	for (r = fold; *r != '\0'; r = g_utf8_next_char(r)) {
		gunichar c = g_utf8_get_char(r);

		if (g_unichar_isspace(c) || c == 0x200b || c == 0xfeff) {
			space = 1;
			continue;
		}
		if (space && w != out)
			*w++ = ' ';
		space = 0;
		memcpy(w, r, (size_t)(g_utf8_next_char(r) - r));
		w += g_utf8_next_char(r) - r;
	}
	*w = '\0';
	g_free(fold);
	for (rounds = 0; rounds < 64 && strip_once(out); rounds++)
		;
	trim_spaces(out);
	if (out[0] == '\0') {
		free(out);
		return NULL;
	}
	return out;
}

/* ---- iCalendar UID ------------------------------------------------------ */

/*
 * The conversation of an iMIP message: every mail about one meeting (the
 * invitation to each attendee, their replies, updates, the cancel)
 * carries its UID, and clients rarely reference the invitation's
 * Message-ID in a REPLY. "ical:UID", or NULL.
 */
static char *
calendar_conversation(const struct msg *m)
{
	struct invite_msg *im = NULL;
	char *err = NULL, *key = NULL;
	size_t i;

	for (i = 0; i < m->ncal && key == NULL; i++) {
		if (m->cal[i].text == NULL ||
		    invite_parse(m->cal[i].text, strlen(m->cal[i].text), NULL,
		    &im, &err) != 0) {
			free(err);
			err = NULL;
			continue;
		}
		if (im->uid != NULL && im->uid[0] != '\0')
			key = xasprintf("ical:%s", im->uid);
		invite_msg_free(im);
		im = NULL;
	}
	return key;
}

/* ---- Outlook Thread-Index ---------------------------------------------- */

char *
thread_conversation(const char *ti, int *reply)
{
	static const char hex[] = "0123456789abcdef";
	const char *p;
	guchar *raw;
	gsize len = 0;
	char *key;
	size_t i;

	if (reply != NULL)
		*reply = 0;
	if (ti == NULL)
		return NULL;
	while (*ti == ' ' || *ti == '\t')
		ti++;
	for (p = ti; *p != '\0' && *p != ' ' && *p != '\t'; p++)
		if (!g_ascii_isalnum(*p) && *p != '+' && *p != '/' &&
		    *p != '=')
			return NULL;
	{
		char *copy = xstrndup(ti, (size_t)(p - ti));

		raw = g_base64_decode(copy, &len);
		free(copy);
	}
	if (raw == NULL || len < 22) {
		g_free(raw);
		return NULL;
	}
	key = xmalloc(45);
	for (i = 0; i < 22; i++) {
		key[2 * i] = hex[raw[i] >> 4];
		key[2 * i + 1] = hex[raw[i] & 15];
	}
	key[44] = '\0';
	if (reply != NULL)
		*reply = len > 22;
	g_free(raw);
	return key;
}

/* ---- participants ------------------------------------------------------ */

int
thread_is_team(const struct thread_ctx *ctx, const char *email)
{
	const char *at, *tat;
	size_t i, local;

	if (ctx == NULL || email == NULL)
		return 0;
	if (ctx->team_address != NULL &&
	    (tat = strchr(ctx->team_address, '@')) != NULL &&
	    (at = strchr(email, '@')) != NULL &&
	    strcasecmp(at, tat) == 0) {
		local = (size_t)(tat - ctx->team_address);
		if (strncasecmp(email, ctx->team_address, local) == 0 &&
		    (email + local == at || email[local] == '+'))
			return 1;
	}
	for (i = 0; ctx->coordinators != NULL &&
	    ctx->coordinators[i] != NULL; i++)
		if (strcasecmp(ctx->coordinators[i], email) == 0)
			return 1;
	return 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
people_add(char ***v, size_t *n, const char *email,
    const struct thread_ctx *ctx)
{
	if (email == NULL || strchr(email, '@') == NULL ||
	    thread_is_team(ctx, email))
		return;
	*v = xreallocarray(*v, *n + 1, sizeof(**v));
	(*v)[(*n)++] = (char *)email;
}

/* from+to+cc without the team, sorted, unique, "\n"-joined; NULL if none. */
static char *
people_key(const struct msg *m, const struct thread_ctx *ctx)
{
	char **v = NULL;
	size_t n = 0, i;
	struct buf b;

	people_add(&v, &n, m->from.email, ctx);
	for (i = 0; i < m->nto; i++)
		people_add(&v, &n, m->to[i].email, ctx);
	for (i = 0; i < m->ncc; i++)
		people_add(&v, &n, m->cc[i].email, ctx);
	if (n == 0) {
		free(v);
		return NULL;
	}
	qsort(v, n, sizeof(*v), cmp_str);
	buf_init(&b);
	for (i = 0; i < n; i++) {
		if (i > 0 && strcmp(v[i], v[i - 1]) == 0)
			continue;
		if (b.len > 0)
			buf_addc(&b, '\n');
		buf_adds(&b, v[i]);
	}
	free(v);
	return buf_steal(&b);
}

/* Is every line of a also a line of b (both sorted)? */
static int
lines_subset(const char *a, const char *b)
{
	const char *ae, *be;
	size_t al, bl;
	int c;

	while (*a != '\0') {
		ae = strchr(a, '\n');
		al = ae ? (size_t)(ae - a) : strlen(a);
		for (;;) {
			if (*b == '\0')
				return 0;
			be = strchr(b, '\n');
			bl = be ? (size_t)(be - b) : strlen(b);
			c = strncmp(a, b, al < bl ? al : bl);
			if (c == 0)
				c = al < bl ? -1 : al > bl;
			b = be ? be + 1 : b + bl;
			if (c == 0)
				break;
			if (c < 0)
				return 0;
		}
		a = ae ? ae + 1 : a + al;
	}
	return 1;
}

static int
people_compatible(const char *a, const char *b)
{
	if (a == NULL || b == NULL || *a == '\0' || *b == '\0')
		return 0;
	return lines_subset(a, b) || lines_subset(b, a);
}

/* ---- the union of threads ---------------------------------------------- */

struct idvec {
	int64_t	*v;
	size_t	 n;
};

static void
idvec_add(struct idvec *s, int64_t id)
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
set_err(struct db *db, char **err, const char *what)
{
	if (err != NULL && *err == NULL)
		*err = xasprintf("thread: %s: %s", what, db_errmsg(db));
}

static int
widen_dates(struct db *db, int64_t thread, time_t date)
{
	if (date == 0)
		return 0;
	return db_exec(db, "UPDATE threads SET "
	    "first_date = CASE WHEN first_date IS NULL OR first_date > ?2 "
	    "  THEN ?2 ELSE first_date END, "
	    "last_date = CASE WHEN last_date IS NULL OR last_date < ?2 "
	    "  THEN ?2 ELSE last_date END WHERE id = ?1", "IT", thread, date);
}

/* Folds thread from into thread into. */
static int
merge(struct db *db, int64_t into, int64_t from)
{
	sqlite3_stmt *st;
	int64_t partnership = 0;
	char *rule = NULL, *base = NULL, *conv = NULL;
	time_t first = 0, last = 0;
	int rc;

	if ((st = db_stmt(db, "SELECT partnership, rule, first_date, "
	    "last_date, subject_base, conversation FROM threads "
	    "WHERE id = ?")) == NULL || db_bind(st, "I", from) == -1)
		return -1;
	if ((rc = db_step(st)) == 1) {
		partnership = sqlite3_column_int64(st, 0);
		rule = db_col_strdup(st, 1);
		first = db_col_time(st, 2);
		last = db_col_time(st, 3);
		base = db_col_strdup(st, 4);
		conv = db_col_strdup(st, 5);
		sqlite3_reset(st);
	}
	log_trace(TRACE_THREAD, "thread %lld: merged into %lld",
	    (long long)from, (long long)into);
	rc = rc == -1 ||
	    db_exec(db, "UPDATE messages SET thread = ?1 WHERE thread = ?2",
	    "II", into, from) == -1 ||
	    db_exec(db, "UPDATE ghosts SET thread = ?1 WHERE thread = ?2",
	    "II", into, from) == -1 ||
	    widen_dates(db, into, first) == -1 ||
	    widen_dates(db, into, last) == -1 ||
	    db_exec(db, "UPDATE threads SET subject_base = "
	    "coalesce(subject_base, ?2), conversation = "
	    "coalesce(conversation, ?3) WHERE id = ?1", "Itt", into, base,
	    conv) == -1 ||
	    match_threads_merged(db, into, partnership, rule) == -1 ||
	    db_exec(db, "DELETE FROM threads WHERE id = ?", "I", from) == -1 ?
	    -1 : 0;
	free(rule);
	free(base);
	free(conv);
	return rc;
}

/* Does refs_text ("<a> <b>", as store.c keeps References) name id? */
static int
names_id(const char *refs_text, const char *id)
{
	size_t n = strlen(id);
	const char *p;

	for (p = refs_text; (p = strstr(p, id)) != NULL; p++)
		if (p > refs_text && p[-1] == '<' && p[n] == '>')
			return 1;
	return 0;
}

/*
 * Adds the thread of refs[k]: 1 seen (message or ghost), 0 not. When it
 * is a threaded message, marks (covered[j] = 1) the other ids the message
 * itself named: threading it put them in its thread (as messages or
 * ghosts), and threads only ever merge, so they need neither a look-up
 * nor a ghost here. Most replies name the whole chain their parent did.
 */
static int
lookup_ref(struct db *db, const char **refs, size_t nrefs, size_t k,
    char *covered, struct idvec *threads)
{
	sqlite3_stmt *st;
	const char *text, *irt;
	int64_t t = 0;
	size_t j, ids = 0;
	int rc;

	if ((st = db_stmt(db, "SELECT coalesce(thread, 0), refs, in_reply_to "
	    "FROM messages WHERE message_id = ?")) == NULL ||
	    db_bind(st, "t", refs[k]) == -1)
		return -1;
	if ((rc = db_step(st)) == 1) {
		t = sqlite3_column_int64(st, 0);
		idvec_add(threads, t);
		text = (const char *)sqlite3_column_text(st, 1);
		irt = (const char *)sqlite3_column_text(st, 2);
		for (j = 0; text != NULL && text[j] != '\0'; j++)
			ids += text[j] == '<';
		/* Past THREAD_MAX_REFS the first ones were not linked. */
		for (j = 0; t > 0 && ids <= THREAD_MAX_REFS && j < nrefs; j++)
			if (!covered[j] && ((irt != NULL &&
			    strcmp(irt, refs[j]) == 0) ||
			    (text != NULL && names_id(text, refs[j]))))
				covered[j] = 1;
		sqlite3_reset(st);
		return 1;
	}
	if (rc == -1)
		return -1;
	rc = db_int(db, &t, "SELECT thread FROM ghosts WHERE msgid = ?", "t",
	    refs[k]);
	if (rc == 1)
		idvec_add(threads, t);
	return rc;
}

/* The lines of a people key, in place ("\n" becomes NUL). */
static size_t
people_split(char *key, char ***out)
{
	char **v = NULL, *p = key, *nl;
	size_t n = 0;

	for (;;) {
		v = xreallocarray(v, n + 1, sizeof(*v));
		v[n++] = p;
		if ((nl = strchr(p, '\n')) == NULL)
			break;
		*nl = '\0';
		p = nl + 1;
	}
	*out = v;
	return n;
}

/*
 * Threads holding a subject-compatible message (see the file comment),
 * through subject_people: a message Q whose participants contain P's
 * (a superset, or P itself) has a row for P's first participant; one
 * whose participants are contained in P's (a subset) has its own first
 * participant's row (first = 1) under one of P's. So one look-up per
 * participant of P finds every candidate, whatever else shares the
 * subject in the window; each is then checked against its message
 * (keys are hashes).
 */
static int
subject_threads(struct db *db, int64_t message, const char *base,
    const char *people, int root, time_t date, time_t window,
    struct idvec *threads)
{
	struct idvec cand = { NULL, 0 };
	sqlite3_stmt *st;
	char *copy = xstrdup(people), **pv = NULL;
	const char *p, *b;
	int64_t bkey;
	size_t npv, i;
	int rc = 0;

	npv = people_split(copy, &pv);
	bkey = str_key(base);
	for (i = 0; i < npv && rc != -1; i++) {
		if ((st = db_stmt(db, "SELECT message FROM subject_people "
		    "WHERE base = ?1 AND person = ?2 AND date BETWEEN ?3 AND ?4 "
		    "AND (first = 1 OR ?5 = 1) AND (root = 1 OR ?6 = 1) "
		    "AND message <> ?7 LIMIT ?8")) == NULL ||
		    db_bind(st, "IIIIiiIi", bkey, str_key(pv[i]),
		    (int64_t)(date - window), (int64_t)(date + window), i == 0,
		    root, message, THREAD_SUBJECT_CANDIDATES) == -1) {
			rc = -1;
			break;
		}
		while ((rc = db_step(st)) == 1)
			idvec_add(&cand, sqlite3_column_int64(st, 0));
	}
	for (i = 0; i < cand.n && rc != -1; i++) {
		if ((st = db_stmt(db, "SELECT thread, people, subject_base "
		    "FROM messages WHERE id = ? AND thread IS NOT NULL")) ==
		    NULL || db_bind(st, "I", cand.v[i]) == -1) {
			rc = -1;
			break;
		}
		if ((rc = db_step(st)) == 1) {
			p = (const char *)sqlite3_column_text(st, 1);
			b = (const char *)sqlite3_column_text(st, 2);
			if (b != NULL && strcmp(b, base) == 0 &&
			    people_compatible(people, p))
				idvec_add(threads, sqlite3_column_int64(st, 0));
			sqlite3_reset(st);
		}
	}
	free(cand.v);
	free(pv);
	free(copy);
	return rc == -1 ? -1 : 0;
}

/* The message's rows in subject_people, one per participant. */
static int
subject_index(struct db *db, int64_t message, const char *base,
    const char *people, int root, time_t date)
{
	char *copy = xstrdup(people), **pv = NULL;
	int64_t bkey = str_key(base);
	size_t npv, i;
	int rc = 0;

	npv = people_split(copy, &pv);
	for (i = 0; i < npv && rc == 0; i++)
		rc = db_exec(db, "INSERT OR IGNORE INTO subject_people (base, "
		    "person, date, message, first, root) VALUES "
		    "(?, ?, ?, ?, ?, ?)", "IITIii", bkey, str_key(pv[i]), date,
		    message, i == 0, root);
	free(pv);
	free(copy);
	return rc;
}

static int
cmp_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/*
 * What threading decided for one message between plan() (every look-up,
 * merge and the match: before the row exists, so its keys go into the
 * INSERT) and finish() (what needs the row's id).
 */
struct plan {
	const struct msg	*m;
	int64_t			 thread;
	const char		*parent;	/* into m */
	char			*conv, *base, *people;
	int			 root, was_ghost, fresh;
	time_t			 date;
	const char		**ghosts;	/* into m */
	size_t			 nghosts;
	struct match_result	 res;
};

static void
plan_free(struct plan *p)
{
	free(p->conv);
	free(p->base);
	free(p->people);
	free(p->ghosts);
	memset(p, 0, sizeof(*p));
}

/* message: the row's id when it exists already (else 0). */
static int
plan(struct db *db, int64_t message, const struct msg *m, time_t d,
    const struct thread_ctx *ctx, struct plan *p, char **err)
{
	static const struct thread_ctx noctx;
	const char *self = m->message_id, *parent = NULL;
	const char **refs = NULL, **ghosts = NULL;
	size_t nrefs = 0, nghosts = 0, i, j, first = 0;
	struct idvec threads = { NULL, 0 };
	char *conv, *base, *people, *covered = NULL;
	int64_t thread;
	time_t window;
	int reply = 0, root, rc = -1, r, was_ghost = 0, fresh = 0, irt_first;

	memset(p, 0, sizeof(*p));
	if (ctx == NULL)
		ctx = &noctx;
	window = ctx->subject_window > 0 ? ctx->subject_window :
	    THREAD_SUBJECT_WINDOW;

	/* Every id this message names, once, without itself. */
	if (m->references != NULL)
		while (m->references[first] != NULL)
			first++;
	first = first > THREAD_MAX_REFS ? first - THREAD_MAX_REFS : 0;
	refs = xreallocarray(NULL, THREAD_MAX_REFS + 2, sizeof(*refs));
	if (m->in_reply_to != NULL)
		refs[nrefs++] = m->in_reply_to;
	for (i = first; m->references != NULL && m->references[i] != NULL;
	    i++)
		refs[nrefs++] = m->references[i];
	for (i = j = 0; i < nrefs; i++) {
		size_t k;

		if (self != NULL && strcmp(refs[i], self) == 0)
			continue;
		for (k = 0; k < j && strcmp(refs[k], refs[i]) != 0; k++)
			;
		if (k == j)
			refs[j++] = refs[i];
	}
	nrefs = j;

	/* notmuch's parent: In-Reply-To, else the last References id. */
	if (m->in_reply_to != NULL &&
	    (self == NULL || strcmp(m->in_reply_to, self) != 0))
		parent = m->in_reply_to;
	else if (m->references != NULL)
		for (i = first; m->references[i] != NULL; i++)
			if (self == NULL || strcmp(m->references[i], self) != 0)
				parent = m->references[i];

	conv = thread_conversation(m->thread_index, &reply);
	if (conv == NULL && m->ncal > 0)
		conv = calendar_conversation(m);
	base = thread_subject_base(m->subject);
	people = people_key(m, ctx);
	root = m->in_reply_to == NULL && (m->references == NULL ||
	    m->references[0] == NULL) && !(conv != NULL && reply);

	/* Edges by references, ghosts, conversation, subject. */
	if (self != NULL && db_int(db, &thread, "SELECT thread FROM ghosts "
	    "WHERE msgid = ?", "t", self) == 1) {
		idvec_add(&threads, thread);
		was_ghost = 1;
	}
	/* In-Reply-To (refs[0] when there is one) first, then References
	 * from the last: the nearest ancestors name most of the others. */
	irt_first = nrefs > 0 && m->in_reply_to != NULL &&
	    strcmp(refs[0], m->in_reply_to) == 0;
	ghosts = xreallocarray(NULL, nrefs + 1, sizeof(*ghosts));
	covered = xcalloc(nrefs + 1, 1);
	for (j = 0; j < nrefs; j++) {
		i = irt_first ? (j == 0 ? 0 : nrefs - j) : nrefs - 1 - j;
		if (covered[i])
			continue;
		covered[i] = 1;
		if ((r = lookup_ref(db, refs, nrefs, i, covered,
		    &threads)) == -1) {
			set_err(db, err, "reference look-up");
			goto out;
		}
		if (r == 0)
			ghosts[nghosts++] = refs[i];
	}
	if (conv != NULL && db_int(db, &thread, "SELECT thread FROM messages "
	    "WHERE conversation = ? AND thread IS NOT NULL LIMIT 1", "t",
	    conv) == 1)
		idvec_add(&threads, thread);
	if (base != NULL && people != NULL && d > 0 &&
	    subject_threads(db, message, base, people, root, (time_t)d,
	    window, &threads) == -1) {
		set_err(db, err, "subject look-up");
		goto out;
	}

	/* The union: the oldest thread absorbs the others. */
	if (threads.n == 0) {
		fresh = 1;
		if (db_exec(db, "INSERT INTO threads (subject_base, "
		    "conversation, first_date, last_date) VALUES (?, ?, ?, ?)",
		    "ttTT", base, conv, (time_t)d, (time_t)d) == -1) {
			set_err(db, err, "thread insert");
			goto out;
		}
		thread = db_last_id(db);
	} else {
		qsort(threads.v, threads.n, sizeof(*threads.v), cmp_id);
		thread = threads.v[0];
		for (i = 1; i < threads.n; i++)
			if (merge(db, thread, threads.v[i]) == -1) {
				set_err(db, err, "merge");
				goto out;
			}
	}
	/* Matching sees the thread; the row gets both. */
	if (match_decide(db, thread, m, ctx, &p->res, err) == -1)
		goto out;
	p->m = m;
	p->thread = thread;
	p->parent = parent;
	p->conv = conv;
	p->base = base;
	p->people = people;
	p->root = root;
	p->was_ghost = was_ghost;
	p->fresh = fresh;
	p->date = d;
	p->ghosts = ghosts;
	p->nghosts = nghosts;
	conv = base = people = NULL;
	ghosts = NULL;
	rc = 0;
out:
	free(refs);
	free(covered);
	free(ghosts);
	free(threads.v);
	free(conv);
	free(base);
	free(people);
	return rc;
}

/* The rest, once the row (with the plan's keys) exists as message. */
static int
finish(struct db *db, int64_t message, struct plan *p, char **err)
{
	size_t i;

	if (p->base != NULL && p->people != NULL && p->date > 0 &&
	    subject_index(db, message, p->base, p->people, p->root,
	    p->date) == -1) {
		set_err(db, err, "subject index");
		return -1;
	}
	for (i = 0; i < p->nghosts; i++)
		if (db_exec(db, "INSERT OR IGNORE INTO ghosts (msgid, thread) "
		    "VALUES (?, ?)", "tI", p->ghosts[i], p->thread) == -1) {
			set_err(db, err, "ghost insert");
			return -1;
		}
	/* A thread row is written only when the message widens it. */
	if ((p->was_ghost && db_exec(db, "DELETE FROM ghosts WHERE msgid = ?",
	    "t", p->m->message_id) == -1) ||
	    (!p->fresh && db_exec(db, "UPDATE threads SET "
	    "first_date = CASE WHEN ?2 IS NULL THEN first_date "
	    "  WHEN first_date IS NULL OR first_date > ?2 THEN ?2 "
	    "  ELSE first_date END, "
	    "last_date = CASE WHEN ?2 IS NULL THEN last_date "
	    "  WHEN last_date IS NULL OR last_date < ?2 THEN ?2 "
	    "  ELSE last_date END, "
	    "subject_base = coalesce(subject_base, ?3), "
	    "conversation = coalesce(conversation, ?4) WHERE id = ?1 AND ("
	    "  (?2 IS NOT NULL AND (first_date IS NULL OR first_date > ?2 OR "
	    "   last_date IS NULL OR last_date < ?2)) OR "
	    "  (subject_base IS NULL AND ?3 IS NOT NULL) OR "
	    "  (conversation IS NULL AND ?4 IS NOT NULL))",
	    "ITtt", p->thread, p->date, p->base, p->conv) == -1)) {
		set_err(db, err, "thread update");
		return -1;
	}
	log_trace(TRACE_THREAD, "message %lld: thread %lld, parent %s, "
	    "partnership %lld (%s)", (long long)message, (long long)p->thread,
	    p->parent ? p->parent : "-", (long long)p->res.partnership,
	    match_rule_name(p->res.rule));
	if (match_offer(db, p->thread, &p->res) == -1) {
		set_err(db, err, "match");
		return -1;
	}
	return 0;
}

int
thread_add(struct db *db, int64_t message, const struct msg *m,
    const struct thread_ctx *ctx, char **err)
{
	struct plan p;
	int64_t d = 0;
	int rc = -1;

	if (db_int(db, &d, "SELECT coalesce(date, internal_date, 0) FROM "
	    "messages WHERE id = ?", "I", message) != 1) {
		set_err(db, err, "message not found");
		return -1;
	}
	if (plan(db, message, m, (time_t)d, ctx, &p, err) == -1)
		return -1;
	if (db_exec(db, "UPDATE messages SET thread = ?, parent = ?, "
	    "conversation = ?, subject_base = ?, people = ?, subject_root = ?, "
	    "partnership = nullif(?, 0), rule = ? WHERE id = ?", "IttttiItI",
	    p.thread, p.parent, p.conv, p.base, p.people, p.root,
	    p.res.partnership, match_rule_name(p.res.rule), message) == -1)
		set_err(db, err, "message update");
	else
		rc = finish(db, message, &p, err);
	plan_free(&p);
	return rc;
}

/* The plan of the message store_message() is inserting (one at a time). */
static struct plan pending;

int
thread_store_before(struct db *db, const struct msg *m, time_t date,
    struct store_keys *k, void *arg)
{
	char *err = NULL;

	plan_free(&pending);
	if (plan(db, 0, m, date, arg, &pending, &err) == -1) {
		log_warnx("thread: message %s: %s",
		    m->message_id ? m->message_id : "(no Message-ID)",
		    err ? err : "failed");
		free(err);
		plan_free(&pending);
		return -1;
	}
	k->thread = pending.thread;
	k->parent = pending.parent;
	k->conversation = pending.conv;
	k->subject_base = pending.base;
	k->people = pending.people;
	k->subject_root = pending.root;
	k->partnership = pending.res.partnership;
	k->rule = match_rule_name(pending.res.rule);
	return 0;
}

int
thread_forget(struct db *db, const char *email)
{
	struct { int64_t id, date; char *people, *base; int root; } *v = NULL;
	sqlite3_stmt *st;
	size_t n = 0, i, k, npv;
	char **pv, *copy;
	struct buf b;
	int rc;

	if ((st = db_stmt(db, "SELECT id, people, subject_base, "
	    "coalesce(date, internal_date, 0), subject_root FROM messages "
	    "WHERE instr(people, ?) > 0")) == NULL ||
	    db_bind(st, "t", email) == -1)
		return -1;
	while ((rc = db_step(st)) == 1) {
		v = xreallocarray(v, n + 1, sizeof(*v));
		v[n].id = sqlite3_column_int64(st, 0);
		v[n].people = db_col_strdup(st, 1);
		v[n].base = db_col_strdup(st, 2);
		v[n].date = sqlite3_column_int64(st, 3);
		v[n].root = sqlite3_column_int(st, 4);
		n++;
	}
	for (i = 0; i < n && rc == 0; i++) {
		/* The key without that line; the rows again from it. */
		copy = xstrdup(v[i].people);
		npv = people_split(copy, &pv);
		buf_init(&b);
		for (k = 0; k < npv; k++) {
			if (v[i].base != NULL && rc == 0)
				rc = db_exec(db, "DELETE FROM subject_people "
				    "WHERE base = ? AND person = ? AND date = ? "
				    "AND message = ?", "IIII", str_key(v[i].base),
				    str_key(pv[k]), v[i].date, v[i].id);
			if (strcmp(pv[k], email) == 0)
				continue;
			if (b.len > 0)
				buf_addc(&b, '\n');
			buf_adds(&b, pv[k]);
		}
		free(pv);
		free(copy);
		if (rc == 0)
			rc = db_exec(db, "UPDATE messages SET people = nullif(?, "
			    "'') WHERE id = ?", "tI", b.len ? b.data : "",
			    v[i].id);
		if (rc == 0 && b.len > 0 && v[i].base != NULL && v[i].date > 0)
			rc = subject_index(db, v[i].id, v[i].base, b.data,
			    v[i].root, (time_t)v[i].date);
		buf_free(&b);
	}
	for (i = 0; i < n; i++) {
		free(v[i].people);
		free(v[i].base);
	}
	free(v);
	return rc == 0 ? 0 : -1;
}

int
thread_store_hook(struct db *db, int64_t message, const struct msg *m,
    void *arg)
{
	char *err = NULL;
	int rc;

	/* Planned by thread_store_before(): the row has its keys. */
	if (pending.m == m && pending.m != NULL)
		rc = finish(db, message, &pending, &err);
	else
		rc = thread_add(db, message, m, arg, &err);
	plan_free(&pending);
	if (rc == -1) {
		log_warnx("thread: message %lld: %s", (long long)message,
		    err ? err : "failed");
		free(err);
		return -1;
	}
	return 0;
}

/* ---- the tree ---------------------------------------------------------- */

struct tnode {
	struct thread_node	 n;
	char			**refs;		/* newest first */
	size_t			 nrefs;
};

static int
cmp_tnode(const void *a, const void *b)
{
	const struct tnode *x = a, *y = b;
	int c;

	if (x->n.date != y->n.date)
		return x->n.date < y->n.date ? -1 : 1;
	if (x->n.message_id == NULL || y->n.message_id == NULL) {
		if (x->n.message_id != y->n.message_id)
			return x->n.message_id == NULL ? 1 : -1;
	} else if ((c = strcmp(x->n.message_id, y->n.message_id)) != 0)
		return c;
	return (x->n.id > y->n.id) - (x->n.id < y->n.id);
}

static size_t
find_node(const struct tnode *v, size_t n, const char *id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i].n.message_id != NULL &&
		    strcmp(v[i].n.message_id, id) == 0)
			return i;
	return SIZE_MAX;
}

/* Would making j the parent of i close a loop? */
static int
makes_loop(const struct tnode *v, size_t i, size_t j)
{
	size_t hops;

	for (hops = 0; j != SIZE_MAX && hops < 1000000; hops++) {
		if (j == i)
			return 1;
		j = v[j].n.parent;
	}
	return j != SIZE_MAX;
}

int
thread_tree(struct db *db, int64_t thread, struct thread_node **out,
    size_t *np, char **err)
{
	sqlite3_stmt *st;
	struct tnode *v = NULL;
	size_t n = 0, i, k, j;
	int rc;

	*out = NULL;
	*np = 0;
	if ((st = db_stmt(db, "SELECT id, message_id, parent, "
	    "coalesce(date, internal_date, 0) FROM messages "
	    "WHERE thread = ?")) == NULL || db_bind(st, "I", thread) == -1) {
		set_err(db, err, "tree");
		return -1;
	}
	while ((rc = db_step(st)) == 1) {
		v = xreallocarray(v, n + 1, sizeof(*v));
		memset(&v[n], 0, sizeof(v[n]));
		v[n].n.id = sqlite3_column_int64(st, 0);
		v[n].n.message_id = db_col_strdup(st, 1);
		v[n].n.parent_id = db_col_strdup(st, 2);
		v[n].n.date = db_col_time(st, 3);
		v[n].n.parent = SIZE_MAX;
		n++;
	}
	if (rc == -1)
		goto fail;
	for (i = 0; i < n; i++) {
		if ((st = db_stmt(db, "SELECT msgid FROM msgid_refs WHERE "
		    "message = ? AND position >= 0 ORDER BY position DESC")) ==
		    NULL || db_bind(st, "I", v[i].n.id) == -1)
			goto fail;
		while ((rc = db_step(st)) == 1) {
			v[i].refs = xreallocarray(v[i].refs, v[i].nrefs + 1,
			    sizeof(*v[i].refs));
			v[i].refs[v[i].nrefs++] = db_col_strdup(st, 0);
		}
		if (rc == -1)
			goto fail;
	}
	qsort(v, n, sizeof(*v), cmp_tnode);
	for (i = 0; i < n; i++) {
		/* The stored parent, then References from the last. */
		for (k = 0; k <= v[i].nrefs; k++) {
			const char *c = k == 0 ? v[i].n.parent_id :
			    v[i].refs[k - 1];

			if (c == NULL || (j = find_node(v, n, c)) == SIZE_MAX ||
			    j == i || makes_loop(v, i, j))
				continue;
			v[i].n.parent = j;
			break;
		}
	}
	*out = xreallocarray(NULL, n ? n : 1, sizeof(**out));
	for (i = 0; i < n; i++) {
		for (k = 0; k < v[i].nrefs; k++)
			free(v[i].refs[k]);
		free(v[i].refs);
		(*out)[i] = v[i].n;
		for (j = v[i].n.parent; j != SIZE_MAX; j = v[j].n.parent)
			(*out)[i].depth++;
	}
	free(v);
	*np = n;
	return 0;
fail:
	set_err(db, err, "tree");
	for (i = 0; i < n; i++) {
		for (k = 0; k < v[i].nrefs; k++)
			free(v[i].refs[k]);
		free(v[i].refs);
		free(v[i].n.message_id);
		free(v[i].n.parent_id);
	}
	free(v);
	return -1;
}

void
thread_tree_free(struct thread_node *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].message_id);
		free(v[i].parent_id);
	}
	free(v);
}
