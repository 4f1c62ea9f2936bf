/*
 * report: the figures of a period. The SQL below is the definition of
 * each figure (README.md "The funders' report" words the same rules);
 * the writers, in report_write.c, only read struct report.
 *
 * Parameters shared by the queries: ?1 start, ?2 end (UTC, [start, end)),
 * ?3 asof = min(end, now), ?4 now.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "db.h"
#include "report.h"
#include "tz.h"
#include "util.h"

#define MAX_DAYS	3660		/* ten years */

const char *const report_stages[REPORT_NFUNNEL] = {
	"prospect", "contacted", "introduced", "meeting_held", "planning",
	"joint_projects",
};

/* Mail that counts as contact with a partner (never own, auto-replies,
 * bounces, lists, commands or quarantined mail). */
#define CONTACT(m) \
	m ".kind IN ('correspondence','imip') AND " \
	m ".direction IN ('in','out') AND " m ".date IS NOT NULL"

/* A meeting's end, and "held in the period". */
#define MEND(g)	"(" g ".start_utc + coalesce(" g ".duration, 0))"
#define HELD(g) \
	"(" g ".start_utc IS NOT NULL AND " MEND(g) " >= ?1 AND " \
	MEND(g) " < ?2 AND (" g ".status = 'held' OR (" g ".status = " \
	"'scheduled' AND " MEND(g) " <= ?4)))"

/* The partnerships accompanied in the period: id. */
#define ACCOMPANIED \
	"SELECT p.id AS id, p.slug AS slug FROM partnerships p WHERE " \
	"EXISTS (SELECT 1 FROM messages m WHERE m.partnership = p.id AND " \
	CONTACT("m") " AND m.date >= ?1 AND m.date < ?2) OR " \
	"EXISTS (SELECT 1 FROM meetings g WHERE g.partnership = p.id AND " \
	"((g.status <> 'cancelled' AND g.created >= ?1 AND g.created < ?2) " \
	"OR " HELD("g") ")) OR " \
	"EXISTS (SELECT 1 FROM stage_history h WHERE h.partnership = p.id " \
	"AND h.at >= ?1 AND h.at < ?2) OR " \
	"EXISTS (SELECT 1 FROM steps s WHERE s.partnership = p.id AND " \
	"((s.created >= ?1 AND s.created < ?2) OR (s.done_at >= ?1 AND " \
	"s.done_at < ?2)))"

/* Stage order; dormant and closed come after and never count as
 * progress. */
#define RANKS \
	"ranks(stage, r) AS (VALUES ('prospect', 1), ('contacted', 2), " \
	"('introduced', 3), ('meeting_held', 4), ('planning', 5), " \
	"('joint_projects', 6), ('dormant', 7), ('closed', 8))"

/* Known by the end: recorded, started or staged before it, or active in
 * the period (an import records old partnerships late). */
static const char SQL_TOTAL[] =
    "SELECT count(*) FROM partnerships q WHERE q.created < ?2 OR "
    "(q.started IS NOT NULL AND q.started < ?6) OR EXISTS (SELECT 1 FROM "
    "stage_history x WHERE x.partnership = q.id AND x.at < ?2) OR "
    "q.id IN (SELECT id FROM (" ACCOMPANIED "))";

static const char SQL_ACCOMPANIED[] = ACCOMPANIED " ORDER BY p.slug";

/* started is a calendar date stored as 00:00 UTC of that day: compared
 * with the period's days (?5, ?6: the UTC midnights of from and to+1);
 * without it, the instant the partnership was recorded. */
static const char SQL_INITIATED[] =
    "SELECT count(*) FROM partnerships WHERE CASE WHEN started IS NOT NULL "
    "THEN started >= ?5 AND started < ?6 "
    "ELSE created >= ?1 AND created < ?2 END";

static const char SQL_HELD[] =
    "SELECT " MEND("g") " FROM meetings g WHERE " HELD("g")
    " ORDER BY 1";

/* Set up in the period and not over by its end (nor by now). */
static const char SQL_PREPARED[] =
    "SELECT count(*) FROM meetings g WHERE g.created >= ?1 AND "
    "g.created < ?2 AND g.status <> 'cancelled' AND "
    "(g.start_utc IS NULL OR " MEND("g") " >= ?2 OR "
    "(g.status <> 'held' AND " MEND("g") " > ?4))";

static const char SQL_COMMUNITIES[] =
    "WITH act(p) AS ("
    "  SELECT m.partnership FROM messages m WHERE " CONTACT("m")
    "  AND m.partnership IS NOT NULL AND m.date >= ?1 AND m.date < ?2"
    "  GROUP BY m.partnership HAVING sum(m.direction = 'in') > 0 AND"
    "  sum(m.direction = 'out') > 0"
    "  UNION SELECT g.partnership FROM meetings g WHERE " HELD("g")
    ") SELECT DISTINCT o.name FROM act JOIN partnerships p ON p.id = act.p"
    " JOIN orgs o ON o.id = p.ua_org WHERE o.country = 'UA' ORDER BY o.name";

static const char SQL_TRANSITIONS[] =
    "WITH " RANKS ", h AS (SELECT stage, at, lag(stage) OVER "
    "  (PARTITION BY partnership ORDER BY at, id) AS prev "
    "  FROM stage_history) "
    "SELECT h.prev, h.stage, count(*) FROM h "
    "LEFT JOIN ranks a ON a.stage = h.prev "
    "LEFT JOIN ranks b ON b.stage = h.stage "
    "WHERE h.at >= ?1 AND h.at < ?2 AND (h.prev IS NULL OR h.prev <> h.stage) "
    "GROUP BY h.prev, h.stage "
    "ORDER BY coalesce(a.r, 0), coalesce(b.r, 99), h.prev, h.stage";

/* Stage just before the period (else the first one inside it) among the
 * first-contact stages; the last stage before its end planning or on. */
static const char SQL_FIRST_TO_PLANNING[] =
    "SELECT count(*) FROM (SELECT "
    " (SELECT stage FROM stage_history WHERE partnership = p.id AND at < ?1"
    "  ORDER BY at DESC, id DESC LIMIT 1) AS s0,"
    " (SELECT stage FROM stage_history WHERE partnership = p.id AND"
    "  at >= ?1 AND at < ?2 ORDER BY at, id LIMIT 1) AS s_in,"
    " (SELECT stage FROM stage_history WHERE partnership = p.id AND at < ?2"
    "  ORDER BY at DESC, id DESC LIMIT 1) AS s1 FROM partnerships p) "
    "WHERE coalesce(s0, s_in) IN ('prospect','contacted') AND "
    "s1 IN ('planning','joint_projects')";

/* Open at asof: recorded by then and not done by then. */
static const char SQL_NEXT_STEP[] =
    "WITH acc AS (" ACCOMPANIED ") SELECT count(*) FROM acc WHERE EXISTS ("
    "SELECT 1 FROM steps s WHERE s.partnership = acc.id AND s.due IS NOT "
    "NULL AND s.created <= ?3 AND (s.status = 'open' OR (s.status = 'done' "
    "AND s.done_at > ?3)))";

/* Contact mail in threads, in thread order, with the sender's side: the
 * contact's organisation, else the organisation of the sender's domain. */
static const char SQL_REPLIES[] =
    "SELECT m.thread, m.date, m.direction, coalesce("
    " (SELECT o.country FROM contact_addresses a JOIN contacts c ON "
    "  c.id = a.contact JOIN orgs o ON o.id = c.org WHERE "
    "  a.email = lower(m.from_email)),"
    " (SELECT o.country FROM org_domains d JOIN orgs o ON o.id = d.org "
    "  WHERE d.domain = lower(substr(m.from_email, "
    "  instr(m.from_email, '@') + 1)))) "
    "FROM messages m WHERE " CONTACT("m") " AND m.thread IS NOT NULL AND "
    "m.date < ?2 ORDER BY m.thread, m.date, m.id";

static const char SQL_US_CONTACTS[] =
    "SELECT o.kind, count(*), sum(c.learned <> 0) FROM contacts c "
    "JOIN orgs o ON o.id = c.org WHERE o.country = 'US' AND "
    "c.created >= ?1 AND c.created < ?2 GROUP BY o.kind";

/* Per partnership the furthest of the six stages reached before end. */
static const char SQL_FUNNEL[] =
    "WITH " RANKS " SELECT max(r.r) FROM stage_history h "
    "JOIN ranks r ON r.stage = h.stage WHERE h.at < ?2 AND r.r <= 6 "
    "GROUP BY h.partnership";

/* The kinds of DESIGN.md, always listed (with zero); others follow. */
static const char *const kinds[] = {
	"municipality", "volunteer", "diplomatic", "ngo", "other",
};

struct q {
	time_t	start, end, asof, now, dstart, dend;
};

static sqlite3_stmt *
prepare(struct db *db, const char *sql, const struct q *q, char **err)
{
	const time_t v[] = { q->start, q->end, q->asof, q->now, q->dstart,
	    q->dend };
	sqlite3_stmt *st;
	int i, n;

	if ((st = db_stmt(db, sql)) == NULL) {
		*err = xasprintf("report: %s", db_errmsg(db));
		return NULL;
	}
	/* Each query names the parameters it uses (?1 … ?6). */
	n = sqlite3_bind_parameter_count(st);
	for (i = 0; i < n && i < (int)nitems(v); i++)
		if (sqlite3_bind_int64(st, i + 1, (sqlite3_int64)v[i]) !=
		    SQLITE_OK) {
			*err = xasprintf("report: %s", db_errmsg(db));
			return NULL;
		}
	return st;
}

/* The one integer of sql; -1 on error. */
static int
count(struct db *db, const char *sql, const struct q *q, int64_t *out,
    char **err)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = prepare(db, sql, q, err)) == NULL)
		return -1;
	*out = 0;
	if ((rc = db_step(st)) == 1) {
		*out = sqlite3_column_int64(st, 0);
		rc = db_step(st) == -1 ? -1 : 0;
		sqlite3_reset(st);
	}
	if (rc == -1)
		*err = xasprintf("report: %s", db_errmsg(db));
	return rc == -1 ? -1 : 0;
}

/* The strings of column col of sql, NULL-terminated, and how many. */
static int
strings(struct db *db, const char *sql, int col, const struct q *q,
    char ***out, int64_t *n, char **err)
{
	sqlite3_stmt *st;
	size_t len = 0;
	char **v = xcalloc(1, sizeof(*v));
	int rc;

	if ((st = prepare(db, sql, q, err)) == NULL) {
		free(v);
		return -1;
	}
	while ((rc = db_step(st)) == 1) {
		v = xreallocarray(v, len + 2, sizeof(*v));
		v[len] = db_col_strdup(st, col);
		if (v[len] == NULL)
			v[len] = xstrdup("");
		v[++len] = NULL;
	}
	*out = v;
	*n = (int64_t)len;
	if (rc == -1) {
		*err = xasprintf("report: %s", db_errmsg(db));
		return -1;
	}
	return 0;
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* Median of v[0..n) (sorted here): the middle one, or the mean of the
 * two middle ones rounded down. */
static void
median(int64_t *v, size_t n, struct report_median *m)
{
	m->n = (int64_t)n;
	m->median = -1;
	if (n == 0)
		return;
	qsort(v, n, sizeof(*v), cmp_i64);
	if (n % 2)
		m->median = v[n / 2];
	else
		m->median = v[n / 2 - 1] + (v[n / 2] - v[n / 2 - 1]) / 2;
}

struct samples {
	int64_t	*v;
	size_t	 n, cap;
};

static void
sample_add(struct samples *s, int64_t x)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 16;
		s->v = xreallocarray(s->v, s->cap, sizeof(*s->v));
	}
	s->v[s->n++] = x;
}

static int
side_of(const unsigned char *country)
{
	if (country == NULL)
		return -1;
	if (strcmp((const char *)country, "UA") == 0)
		return REPORT_UA;
	if (strcmp((const char *)country, "US") == 0)
		return REPORT_US;
	return -1;
}

/*
 * Walks each thread's contact mail in order. A run is a stretch of mail in
 * one direction; the first message of the next run answers it, after the
 * time since the run's first message. A partner's answer counts for the
 * answering sender's side, the team's for the side of the run's first
 * sender. Only answers inside the period count.
 */
static int
replies(struct db *db, const struct q *q, struct report *r, char **err)
{
	struct samples partner[REPORT_NSIDES], team[REPORT_NSIDES];
	sqlite3_stmt *st;
	int64_t thread = 0, run_date = 0;
	int run_out = -1, run_side = -1, rc, i;

	memset(partner, 0, sizeof(partner));
	memset(team, 0, sizeof(team));
	if ((st = prepare(db, SQL_REPLIES, q, err)) == NULL)
		return -1;
	while ((rc = db_step(st)) == 1) {
		int64_t th = sqlite3_column_int64(st, 0);
		int64_t date = sqlite3_column_int64(st, 1);
		const char *dir = (const char *)sqlite3_column_text(st, 2);
		int out = dir != NULL && strcmp(dir, "out") == 0;
		int side = side_of(sqlite3_column_text(st, 3));

		if (th != thread || run_out == -1) {
			thread = th;
		} else if (out != run_out) {
			if (date >= q->start && date < q->end) {
				if (!out && side >= 0)
					sample_add(&partner[side],
					    date - run_date);
				else if (out && run_side >= 0)
					sample_add(&team[run_side],
					    date - run_date);
			}
		} else
			continue;
		run_out = out;
		run_date = date;
		run_side = side;
	}
	for (i = 0; i < REPORT_NSIDES; i++) {
		median(partner[i].v, partner[i].n, &r->partner_reply[i]);
		median(team[i].v, team[i].n, &r->team_reply[i]);
		free(partner[i].v);
		free(team[i].v);
	}
	if (rc == -1) {
		*err = xasprintf("report: %s", db_errmsg(db));
		return -1;
	}
	return 0;
}

static int
transitions(struct db *db, const struct q *q, struct report *r, char **err)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = prepare(db, SQL_TRANSITIONS, q, err)) == NULL)
		return -1;
	while ((rc = db_step(st)) == 1) {
		struct report_transition *t;

		r->transitions = xreallocarray(r->transitions,
		    r->ntransitions + 1, sizeof(*r->transitions));
		t = &r->transitions[r->ntransitions++];
		t->from = db_col_strdup(st, 0);
		t->to = db_col_strdup(st, 1);
		if (t->to == NULL)
			t->to = xstrdup("");
		t->count = sqlite3_column_int64(st, 2);
	}
	if (rc == -1)
		*err = xasprintf("report: %s", db_errmsg(db));
	return rc == -1 ? -1 : 0;
}

static struct report_kind *
kind_slot(struct report *r, const char *kind)
{
	size_t i;

	for (i = 0; i < r->nkinds; i++)
		if (strcmp(r->kinds[i].kind, kind) == 0)
			return &r->kinds[i];
	r->kinds = xreallocarray(r->kinds, r->nkinds + 1, sizeof(*r->kinds));
	memset(&r->kinds[r->nkinds], 0, sizeof(*r->kinds));
	r->kinds[r->nkinds].kind = xstrdup(kind);
	return &r->kinds[r->nkinds++];
}

static int
us_contacts(struct db *db, const struct q *q, struct report *r, char **err)
{
	sqlite3_stmt *st;
	size_t i;
	int rc;

	for (i = 0; i < nitems(kinds); i++)
		kind_slot(r, kinds[i]);
	if ((st = prepare(db, SQL_US_CONTACTS, q, err)) == NULL)
		return -1;
	while ((rc = db_step(st)) == 1) {
		const char *k = (const char *)sqlite3_column_text(st, 0);
		struct report_kind *s = kind_slot(r, k ? k : "other");

		s->contacts += sqlite3_column_int64(st, 1);
		s->learned += sqlite3_column_int64(st, 2);
		r->new_us_contacts += sqlite3_column_int64(st, 1);
	}
	if (rc == -1)
		*err = xasprintf("report: %s", db_errmsg(db));
	return rc == -1 ? -1 : 0;
}

static int
funnel(struct db *db, const struct q *q, struct report *r, char **err)
{
	sqlite3_stmt *st;
	int rc, i, reached;

	if ((st = prepare(db, SQL_FUNNEL, q, err)) == NULL)
		return -1;
	while ((rc = db_step(st)) == 1) {
		reached = sqlite3_column_int(st, 0);
		for (i = 0; i < reached && i < REPORT_NFUNNEL; i++)
			r->funnel[i]++;
	}
	if (rc == -1)
		*err = xasprintf("report: %s", db_errmsg(db));
	return rc == -1 ? -1 : 0;
}

/* Held meetings, counted per local month of their end. */
static int
months(struct db *db, const struct q *q, const struct tz *zone,
    struct report *r, char **err)
{
	sqlite3_stmt *st;
	struct tz_local l;
	int y = r->from.year, m = r->from.month, rc;
	size_t i;

	while (y < r->to.year || (y == r->to.year && m <= r->to.month)) {
		r->months = xreallocarray(r->months, r->nmonths + 1,
		    sizeof(*r->months));
		r->months[r->nmonths].year = y;
		r->months[r->nmonths].month = m;
		r->months[r->nmonths++].held = 0;
		if (++m > 12) {
			m = 1;
			y++;
		}
	}
	if ((st = prepare(db, SQL_HELD, q, err)) == NULL)
		return -1;
	while ((rc = db_step(st)) == 1) {
		r->meetings_held++;
		tz_local(zone, (time_t)sqlite3_column_int64(st, 0), &l);
		for (i = 0; i < r->nmonths; i++)
			if (r->months[i].year == l.year &&
			    r->months[i].month == l.month)
				r->months[i].held++;
	}
	if (rc == -1)
		*err = xasprintf("report: %s", db_errmsg(db));
	return rc == -1 ? -1 : 0;
}

int
report_compute(struct db *db, struct tz_date from, struct tz_date to,
    const struct config *conf, struct report *r, char **err)
{
	const struct tz *zone;
	const char *zname = conf && conf->team_timezone ?
	    conf->team_timezone : "UTC";
	struct tz_date after;
	struct q q;
	char *zerr = NULL;
	int64_t d0, d1;

	memset(r, 0, sizeof(*r));
	*err = NULL;
	if (!tz_date_valid(from) || !tz_date_valid(to)) {
		*err = xstrdup("report: no such date");
		return -1;
	}
	d0 = tz_days_from_date(from);
	d1 = tz_days_from_date(to);
	if (d1 < d0) {
		*err = xstrdup("report: the period ends before it begins");
		return -1;
	}
	if (d1 - d0 >= MAX_DAYS) {
		*err = xstrdup("report: a period of at most ten years");
		return -1;
	}
	if ((zone = tz_get(zname, &zerr)) == NULL) {
		*err = xasprintf("report: time zone %s: %s", zname, zerr);
		free(zerr);
		return -1;
	}
	r->from = from;
	r->to = to;
	r->zone = xstrdup(tz_name(zone));
	snprintf(r->lang, sizeof(r->lang), "%s", conf && conf->team_language &&
	    strcmp(conf->team_language, "en") == 0 ? "en" : "uk");
	after = tz_date_from_days(d1 + 1);
	r->start = tz_utc(zone, from, 0, 0, 0, 0, NULL);
	r->end = tz_utc(zone, after, 0, 0, 0, 0, NULL);
	r->generated = clock_now();
	r->asof = r->generated < r->end ? r->generated : r->end;

	q.start = r->start;
	q.end = r->end;
	q.asof = r->asof;
	q.now = r->generated;
	q.dstart = (time_t)(d0 * 86400);
	q.dend = (time_t)((d1 + 1) * 86400);

	if (count(db, SQL_TOTAL, &q, &r->partnerships_total, err) == -1 ||
	    strings(db, SQL_ACCOMPANIED, 1, &q, &r->accompanied_slugs,
	    &r->accompanied, err) == -1 ||
	    count(db, SQL_INITIATED, &q, &r->initiated, err) == -1 ||
	    months(db, &q, zone, r, err) == -1 ||
	    count(db, SQL_PREPARED, &q, &r->meetings_prepared, err) == -1 ||
	    strings(db, SQL_COMMUNITIES, 0, &q, &r->community_names,
	    &r->communities, err) == -1 ||
	    transitions(db, &q, r, err) == -1 ||
	    count(db, SQL_FIRST_TO_PLANNING, &q,
	    &r->first_contact_to_planning, err) == -1 ||
	    count(db, SQL_NEXT_STEP, &q, &r->with_next_step, err) == -1 ||
	    replies(db, &q, r, err) == -1 ||
	    us_contacts(db, &q, r, err) == -1 ||
	    funnel(db, &q, r, err) == -1) {
		report_free(r);
		return -1;
	}
	return 0;
}

static void
strv_free_(char **v)
{
	size_t i;

	for (i = 0; v != NULL && v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

void
report_free(struct report *r)
{
	size_t i;

	if (r == NULL)
		return;
	free(r->zone);
	strv_free_(r->accompanied_slugs);
	strv_free_(r->community_names);
	for (i = 0; i < r->ntransitions; i++) {
		free(r->transitions[i].from);
		free(r->transitions[i].to);
	}
	free(r->transitions);
	for (i = 0; i < r->nkinds; i++)
		free(r->kinds[i].kind);
	free(r->kinds);
	free(r->months);
	memset(r, 0, sizeof(*r));
}
