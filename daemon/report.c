/*
 * report: the figures of a period and their four renderings. The SQL
 * below is the definition of each figure (README.md "The funders'
 * report" words the same rules); the writers only read struct report.
 *
 * Parameters shared by the queries: ?1 start, ?2 end (UTC, [start, end)),
 * ?3 asof = min(end, now), ?4 now.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "csv.h"
#include "db.h"
#include "json.h"
#include "log.h"
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

/* ---- labels -------------------------------------------------------- */

enum label {
	L_TITLE, L_PERIOD, L_ZONE, L_ASOF, L_FIGURE, L_VALUE,
	L_ACCOMPANIED, L_INITIATED, L_HELD, L_PREPARED, L_COMMUNITIES,
	L_FIRST_TO_PLANNING, L_NEXT_STEP, L_PARTNER_REPLY, L_TEAM_REPLY,
	L_UA, L_US, L_NEW_US, L_TRANSITIONS, L_ENTERED, L_NONE,
	L_PER_MONTH, L_FUNNEL, L_BY_KIND, L_LEARNED, L_HOURS, L_ANSWERS,
	L_OF, L_TOTAL, L_LIST_ACCOMPANIED, L_LIST_COMMUNITIES, L_DEFINED,
	L_COUNT,
};

static const char *const labels[][2] = {
	[L_TITLE] = { "Funders' report", "Звіт для донорів" },
	[L_PERIOD] = { "Period", "Період" },
	[L_ZONE] = { "Time zone", "Часовий пояс" },
	[L_ASOF] = { "Figures as of", "Дані станом на" },
	[L_FIGURE] = { "Figure", "Показник" },
	[L_VALUE] = { "Value", "Значення" },
	[L_ACCOMPANIED] = { "Partnerships accompanied",
	    "Партнерства, що супроводжувались" },
	[L_INITIATED] = { "New partnerships initiated",
	    "Нові партнерства" },
	[L_HELD] = { "Online meetings held", "Проведені онлайн-зустрічі" },
	[L_PREPARED] = { "Online meetings prepared",
	    "Підготовлені онлайн-зустрічі" },
	[L_COMMUNITIES] = { "Ukrainian communities supported",
	    "Українські громади, що отримали підтримку" },
	[L_FIRST_TO_PLANNING] = { "Moved from first contact to planning "
	    "or beyond", "Перейшли від першого контакту до планування "
	    "або далі" },
	[L_NEXT_STEP] = { "Accompanied partnerships with a defined next step",
	    "Партнерства з визначеним наступним кроком" },
	[L_PARTNER_REPLY] = { "Median partner response time",
	    "Медіанний час відповіді партнера" },
	[L_TEAM_REPLY] = { "Median team response time",
	    "Медіанний час відповіді команди" },
	[L_UA] = { "Ukrainian side", "українська сторона" },
	[L_US] = { "US side", "американська сторона" },
	[L_NEW_US] = { "New US contacts", "Нові контакти у США" },
	[L_TRANSITIONS] = { "Stage transitions", "Зміни етапів" },
	[L_ENTERED] = { "(new)", "(нове)" },
	[L_NONE] = { "none", "немає" },
	[L_PER_MONTH] = { "Online meetings held per month",
	    "Проведені онлайн-зустрічі за місяцями" },
	[L_FUNNEL] = { "Stage funnel: partnerships that reached each stage",
	    "Воронка етапів: партнерства, що досягли етапу" },
	[L_BY_KIND] = { "by kind of organisation", "за типом організації" },
	[L_LEARNED] = { "learned from mail", "з листування" },
	[L_HOURS] = { "h", "год" },
	[L_ANSWERS] = { "answers", "відповідей" },
	[L_OF] = { "of", "з" },
	[L_TOTAL] = { "Partnerships known by the end of the period",
	    "Партнерства, відомі на кінець періоду" },
	[L_LIST_ACCOMPANIED] = { "Accompanied", "Супроводжувались" },
	[L_LIST_COMMUNITIES] = { "Communities", "Громади" },
	[L_DEFINED] = { "Every figure is defined in README.md, \"The "
	    "funders' report\".", "Кожен показник визначено в README.md, "
	    "розділ \"The funders' report\"." },
	[L_COUNT] = { "Count", "Кількість" },
};

static const char *const stage_uk[] = {
	"prospect", "потенційне", "contacted", "перший контакт",
	"introduced", "знайомство", "meeting_held", "зустріч відбулась",
	"planning", "планування", "joint_projects", "спільні проєкти",
	"dormant", "призупинене", "closed", "закрите",
	"municipality", "муніципалітет", "volunteer", "волонтерська",
	"diplomatic", "дипломатична", "ngo", "ГО", "other", "інша",
};

static const char *const month_names[][2] = {
	{ "Jan", "січ" }, { "Feb", "лют" }, { "Mar", "бер" }, { "Apr", "кві" },
	{ "May", "тра" }, { "Jun", "чер" }, { "Jul", "лип" }, { "Aug", "сер" },
	{ "Sep", "вер" }, { "Oct", "жов" }, { "Nov", "лис" }, { "Dec", "гру" },
};

static int
uk(const struct report *r)
{
	return strcmp(r->lang, "uk") == 0;
}

static const char *
L(const struct report *r, enum label l)
{
	return labels[l][uk(r)];
}

/* A stage or kind name in the report's language. */
static const char *
term(const struct report *r, const char *s)
{
	size_t i;

	if (!uk(r) || s == NULL)
		return s;
	for (i = 0; i + 1 < nitems(stage_uk); i += 2)
		if (strcmp(stage_uk[i], s) == 0)
			return stage_uk[i + 1];
	return s;
}

static void
fmt_day(struct tz_date d, char out[16])
{
	snprintf(out, 16, "%04u-%02u-%02u", (unsigned)d.year % 10000,
	    (unsigned)d.month % 100, (unsigned)d.day % 100);
}

/* Seconds as hours with one decimal ("2.5"); "-" when none. */
static void
fmt_hours(int64_t secs, char *out, size_t len)
{
	if (secs < 0)
		snprintf(out, len, "-");
	else
		snprintf(out, len, "%lld.%lld", (long long)(secs / 3600),
		    (long long)(secs % 3600 * 10 / 3600));
}

/* Share in per cent with no decimal; "-" when there is no base. */
static void
fmt_share(int64_t part, int64_t whole, char *out, size_t len)
{
	if (whole <= 0)
		snprintf(out, len, "-");
	else
		snprintf(out, len, "%lld%%",
		    (long long)((part * 100 + whole / 2) / whole));
}

/* ---- text ---------------------------------------------------------- */

static void
text_median(struct buf *b, const struct report *r, enum label l,
    const struct report_median *m)
{
	char h[32];
	int s;

	for (s = 0; s < REPORT_NSIDES; s++) {
		fmt_hours(m[s].median, h, sizeof(h));
		buf_printf(b, "  %s, %s: %s %s (%lld %s)\n", L(r, l),
		    L(r, s == REPORT_UA ? L_UA : L_US), h, L(r, L_HOURS),
		    (long long)m[s].n, L(r, L_ANSWERS));
	}
}

static void
text_list(struct buf *b, const char *label, char *const *v)
{
	size_t i;

	buf_printf(b, "    %s:", label);
	for (i = 0; v != NULL && v[i] != NULL; i++)
		buf_printf(b, "%s %s", i ? "," : "", v[i]);
	buf_adds(b, "\n");
}

void
report_write_text(struct buf *b, const struct report *r)
{
	char f[16], t[16], asof[ISO8601_LEN], share[16];
	size_t i;

	fmt_day(r->from, f);
	fmt_day(r->to, t);
	fmt_iso8601(r->asof, asof);
	fmt_share(r->with_next_step, r->accompanied, share, sizeof(share));
	buf_printf(b, "%s\n%s: %s .. %s (%s: %s)\n%s: %s\n\n",
	    L(r, L_TITLE), L(r, L_PERIOD), f, t, L(r, L_ZONE), r->zone,
	    L(r, L_ASOF), asof);
	buf_printf(b, "  %s: %lld\n", L(r, L_TOTAL),
	    (long long)r->partnerships_total);
	buf_printf(b, "  %s: %lld\n", L(r, L_ACCOMPANIED),
	    (long long)r->accompanied);
	text_list(b, L(r, L_LIST_ACCOMPANIED), r->accompanied_slugs);
	buf_printf(b, "  %s: %lld\n", L(r, L_INITIATED),
	    (long long)r->initiated);
	buf_printf(b, "  %s: %lld\n", L(r, L_HELD),
	    (long long)r->meetings_held);
	buf_printf(b, "  %s: %lld\n", L(r, L_PREPARED),
	    (long long)r->meetings_prepared);
	buf_printf(b, "  %s: %lld\n", L(r, L_COMMUNITIES),
	    (long long)r->communities);
	text_list(b, L(r, L_LIST_COMMUNITIES), r->community_names);
	buf_printf(b, "  %s: %lld\n", L(r, L_FIRST_TO_PLANNING),
	    (long long)r->first_contact_to_planning);
	buf_printf(b, "  %s: %lld %s %lld (%s)\n", L(r, L_NEXT_STEP),
	    (long long)r->with_next_step, L(r, L_OF),
	    (long long)r->accompanied, share);
	text_median(b, r, L_PARTNER_REPLY, r->partner_reply);
	text_median(b, r, L_TEAM_REPLY, r->team_reply);
	buf_printf(b, "  %s: %lld\n", L(r, L_NEW_US),
	    (long long)r->new_us_contacts);
	for (i = 0; i < r->nkinds; i++)
		buf_printf(b, "    %s: %lld (%s: %lld)\n",
		    term(r, r->kinds[i].kind), (long long)r->kinds[i].contacts,
		    L(r, L_LEARNED), (long long)r->kinds[i].learned);
	buf_printf(b, "\n%s:\n", L(r, L_TRANSITIONS));
	if (r->ntransitions == 0)
		buf_printf(b, "  %s\n", L(r, L_NONE));
	for (i = 0; i < r->ntransitions; i++)
		buf_printf(b, "  %s -> %s: %lld\n",
		    r->transitions[i].from ? term(r, r->transitions[i].from) :
		    L(r, L_ENTERED), term(r, r->transitions[i].to),
		    (long long)r->transitions[i].count);
	buf_printf(b, "\n%s:\n", L(r, L_PER_MONTH));
	for (i = 0; i < r->nmonths; i++)
		buf_printf(b, "  %04d-%02d: %lld\n", r->months[i].year,
		    r->months[i].month, (long long)r->months[i].held);
	buf_printf(b, "\n%s:\n", L(r, L_FUNNEL));
	for (i = 0; i < REPORT_NFUNNEL; i++)
		buf_printf(b, "  %s: %lld\n", term(r, report_stages[i]),
		    (long long)r->funnel[i]);
	buf_printf(b, "\n%s\n", L(r, L_DEFINED));
}

/* ---- CSV ----------------------------------------------------------- */

static void
csv_row(struct buf *b, const char *figure, const char *detail, int64_t v)
{
	char n[32];
	const char *f[3];

	snprintf(n, sizeof(n), "%lld", (long long)v);
	f[0] = figure;
	f[1] = detail;
	f[2] = n;
	csv_write_row(b, f, 3);
}

static const char *const side_keys[REPORT_NSIDES] = { "ua", "us" };

void
report_write_csv(struct buf *b, const struct report *r)
{
	static const char *const head[] = { "figure", "detail", "value" };
	char f[16], t[16], m[16], *tr;
	const char *row[3];
	size_t i;
	int s;

	fmt_day(r->from, f);
	fmt_day(r->to, t);
	csv_write_row(b, head, 3);
	row[0] = "period";
	row[1] = "from";
	row[2] = f;
	csv_write_row(b, row, 3);
	row[1] = "to";
	row[2] = t;
	csv_write_row(b, row, 3);
	row[0] = "timezone";
	row[1] = "";
	row[2] = r->zone;
	csv_write_row(b, row, 3);
	csv_row(b, "partnerships_total", "", r->partnerships_total);
	csv_row(b, "partnerships_accompanied", "", r->accompanied);
	csv_row(b, "partnerships_initiated", "", r->initiated);
	csv_row(b, "meetings_held", "", r->meetings_held);
	csv_row(b, "meetings_prepared", "", r->meetings_prepared);
	csv_row(b, "communities_supported", "", r->communities);
	csv_row(b, "first_contact_to_planning", "",
	    r->first_contact_to_planning);
	csv_row(b, "next_step", "with", r->with_next_step);
	csv_row(b, "next_step", "of", r->accompanied);
	for (s = 0; s < REPORT_NSIDES; s++) {
		csv_row(b, "partner_response_seconds", side_keys[s],
		    r->partner_reply[s].median);
		csv_row(b, "partner_response_answers", side_keys[s],
		    r->partner_reply[s].n);
	}
	for (s = 0; s < REPORT_NSIDES; s++) {
		csv_row(b, "team_response_seconds", side_keys[s],
		    r->team_reply[s].median);
		csv_row(b, "team_response_answers", side_keys[s],
		    r->team_reply[s].n);
	}
	csv_row(b, "new_us_contacts", "", r->new_us_contacts);
	for (i = 0; i < r->nkinds; i++) {
		csv_row(b, "new_us_contacts", r->kinds[i].kind,
		    r->kinds[i].contacts);
		csv_row(b, "new_us_contacts_learned", r->kinds[i].kind,
		    r->kinds[i].learned);
	}
	for (i = 0; i < r->ntransitions; i++) {
		tr = xasprintf("%s->%s", r->transitions[i].from ?
		    r->transitions[i].from : "", r->transitions[i].to);
		csv_row(b, "stage_transition", tr, r->transitions[i].count);
		free(tr);
	}
	for (i = 0; i < r->nmonths; i++) {
		snprintf(m, sizeof(m), "%04u-%02u",
		    (unsigned)r->months[i].year % 10000,
		    (unsigned)r->months[i].month % 100);
		csv_row(b, "meetings_held_month", m, r->months[i].held);
	}
	for (i = 0; i < REPORT_NFUNNEL; i++)
		csv_row(b, "stage_reached", report_stages[i], r->funnel[i]);
}

/* ---- JSON ---------------------------------------------------------- */

static struct json *
json_strv(char *const *v)
{
	struct json *a = json_array();
	size_t i;

	for (i = 0; v != NULL && v[i] != NULL; i++)
		json_append(a, json_string(v[i]));
	return a;
}

static struct json *
json_medians(const struct report_median *m)
{
	struct json *o = json_object(), *x;
	int s;

	for (s = 0; s < REPORT_NSIDES; s++) {
		x = json_set(o, side_keys[s], json_object());
		json_set_int(x, "answers", m[s].n);
		json_set(x, "median_seconds", m[s].median < 0 ? json_null() :
		    json_int(m[s].median));
	}
	return o;
}

void
report_write_json(struct buf *b, const struct report *r)
{
	struct json *o = json_object(), *a, *x;
	char f[16], t[16], iso[ISO8601_LEN], m[16];
	size_t i;

	fmt_day(r->from, f);
	fmt_day(r->to, t);
	json_set_string(o, "from", f);
	json_set_string(o, "to", t);
	json_set_string(o, "timezone", r->zone);
	fmt_iso8601(r->start, iso);
	json_set_string(o, "start", iso);
	fmt_iso8601(r->end, iso);
	json_set_string(o, "end", iso);
	fmt_iso8601(r->asof, iso);
	json_set_string(o, "as_of", iso);
	json_set_int(o, "partnerships_total", r->partnerships_total);
	json_set_int(o, "partnerships_accompanied", r->accompanied);
	json_set(o, "accompanied", json_strv(r->accompanied_slugs));
	json_set_int(o, "partnerships_initiated", r->initiated);
	json_set_int(o, "meetings_held", r->meetings_held);
	json_set_int(o, "meetings_prepared", r->meetings_prepared);
	json_set_int(o, "communities_supported", r->communities);
	json_set(o, "communities", json_strv(r->community_names));
	json_set_int(o, "first_contact_to_planning",
	    r->first_contact_to_planning);
	x = json_set(o, "next_step", json_object());
	json_set_int(x, "with", r->with_next_step);
	json_set_int(x, "of", r->accompanied);
	json_set(x, "share", r->accompanied ? json_number(
	    (double)r->with_next_step / (double)r->accompanied) : json_null());
	x = json_set(o, "response_time", json_object());
	json_set(x, "partner", json_medians(r->partner_reply));
	json_set(x, "team", json_medians(r->team_reply));
	x = json_set(o, "new_us_contacts", json_object());
	json_set_int(x, "total", r->new_us_contacts);
	a = json_set(x, "by_kind", json_array());
	for (i = 0; i < r->nkinds; i++) {
		struct json *k = json_append(a, json_object());

		json_set_string(k, "kind", r->kinds[i].kind);
		json_set_int(k, "contacts", r->kinds[i].contacts);
		json_set_int(k, "learned", r->kinds[i].learned);
	}
	a = json_set(o, "stage_transitions", json_array());
	for (i = 0; i < r->ntransitions; i++) {
		x = json_append(a, json_object());
		json_set(x, "from", json_string(r->transitions[i].from));
		json_set_string(x, "to", r->transitions[i].to);
		json_set_int(x, "count", r->transitions[i].count);
	}
	a = json_set(o, "meetings_per_month", json_array());
	for (i = 0; i < r->nmonths; i++) {
		x = json_append(a, json_object());
		snprintf(m, sizeof(m), "%04u-%02u",
		    (unsigned)r->months[i].year % 10000,
		    (unsigned)r->months[i].month % 100);
		json_set_string(x, "month", m);
		json_set_int(x, "held", r->months[i].held);
	}
	a = json_set(o, "stage_funnel", json_array());
	for (i = 0; i < REPORT_NFUNNEL; i++) {
		x = json_append(a, json_object());
		json_set_string(x, "stage", report_stages[i]);
		json_set_int(x, "reached", r->funnel[i]);
	}
	json_write(b, o, JSON_PRETTY);
	json_free(o);
}

/* ---- HTML ---------------------------------------------------------- */

/* Text as HTML character data or an attribute value. */
static void
html_esc(struct buf *b, const char *s)
{
	for (; s != NULL && *s != '\0'; s++)
		switch (*s) {
		case '&':
			buf_adds(b, "&amp;");
			break;
		case '<':
			buf_adds(b, "&lt;");
			break;
		case '>':
			buf_adds(b, "&gt;");
			break;
		case '"':
			buf_adds(b, "&quot;");
			break;
		case '\'':
			buf_adds(b, "&#39;");
			break;
		default:
			buf_addc(b, *s);
		}
}

static void
html_row(struct buf *b, const char *label, const char *value)
{
	buf_adds(b, "<tr><th scope=\"row\">");
	html_esc(b, label);
	buf_adds(b, "</th><td>");
	html_esc(b, value);
	buf_adds(b, "</td></tr>\n");
}

static void
html_row_n(struct buf *b, const char *label, int64_t v)
{
	char n[32];

	snprintf(n, sizeof(n), "%lld", (long long)v);
	html_row(b, label, n);
}

static void
html_list(struct buf *b, const char *label, char *const *v)
{
	struct buf s;
	size_t i;

	buf_init(&s);
	for (i = 0; v != NULL && v[i] != NULL; i++)
		buf_printf(&s, "%s%s", i ? ", " : "", v[i]);
	buf_adds(b, "<tr class=\"sub\"><th scope=\"row\">");
	html_esc(b, label);
	buf_adds(b, "</th><td>");
	html_esc(b, s.data ? s.data : "");
	buf_adds(b, "</td></tr>\n");
	buf_free(&s);
}

static const char HTML_STYLE[] =
    "body{font-family:\"DejaVu Sans\",Arial,sans-serif;color:#1a1a1a;"
    "margin:2em auto;max-width:60em;padding:0 1em;line-height:1.4}"
    "h1{font-size:1.6em;margin-bottom:.2em;color:#0057b7}"
    "h2{font-size:1.15em;margin-top:1.6em;border-bottom:2px solid #ffd700;"
    "padding-bottom:.2em}"
    ".meta{color:#555;margin:0}"
    "table{border-collapse:collapse;width:100%;margin:.6em 0}"
    "th,td{border:1px solid #ccc;padding:.3em .6em;text-align:left;"
    "vertical-align:top}"
    "td.n,th.n{text-align:right}"
    "thead th{background:#eef3fb}"
    "tr.sub th,tr.sub td{font-size:.85em;color:#444;font-weight:normal}"
    "svg{display:block;max-width:100%;height:auto;margin:.6em 0}"
    ".bar{fill:#0057b7}.fbar{fill:#e0a800}"
    "svg text{font-family:\"DejaVu Sans\",Arial,sans-serif;font-size:12px;"
    "fill:#1a1a1a}"
    "footer{margin-top:2em;font-size:.85em;color:#555}"
    "@media print{body{margin:0;max-width:none;font-size:10.5pt}"
    "h1{color:#000}h2{break-after:avoid;page-break-after:avoid}"
    "table,svg,figure{break-inside:avoid;page-break-inside:avoid}"
    "thead th{background:none}"
    ".bar{fill:#333}.fbar{fill:#888}"
    "@page{size:A4;margin:15mm}}";

static void
svg_months(struct buf *b, const struct report *r)
{
	const int W = 720, H = 240, left = 40, bottom = 40, top = 20;
	int64_t max = 1;
	size_t i, step;
	double bw, x, h;

	for (i = 0; i < r->nmonths; i++)
		if (r->months[i].held > max)
			max = r->months[i].held;
	bw = (double)(W - left - 10) / (double)(r->nmonths ? r->nmonths : 1);
	step = r->nmonths / 24 + 1;
	buf_printf(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" "
	    "viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" role=\"img\" "
	    "aria-label=\"", W, H, W, H);
	html_esc(b, L(r, L_PER_MONTH));
	buf_adds(b, "\">\n");
	buf_printf(b, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
	    "stroke=\"#999\"/>\n", left, H - bottom, W - 10, H - bottom);
	for (i = 0; i < r->nmonths; i++) {
		h = (double)(H - bottom - top) * (double)r->months[i].held /
		    (double)max;
		x = left + bw * (double)i;
		buf_printf(b, "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" "
		    "width=\"%.1f\" height=\"%.1f\"><title>%04d-%02d: %lld"
		    "</title></rect>\n", x + bw * 0.15, H - bottom - h,
		    bw * 0.7, h, r->months[i].year, r->months[i].month,
		    (long long)r->months[i].held);
		if (r->months[i].held > 0 || r->nmonths <= 24)
			buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" "
			    "text-anchor=\"middle\">%lld</text>\n",
			    x + bw / 2, H - bottom - h - 4,
			    (long long)r->months[i].held);
		if (i % step == 0)
			buf_printf(b, "<text x=\"%.1f\" y=\"%d\" "
			    "text-anchor=\"middle\">%s %02d</text>\n",
			    x + bw / 2, H - bottom + 16,
			    month_names[(r->months[i].month - 1) % 12][uk(r)],
			    r->months[i].year % 100);
	}
	buf_adds(b, "</svg>\n");
}

static void
svg_funnel(struct buf *b, const struct report *r)
{
	const int W = 720, row = 30, left = 170, right = 50;
	int64_t max = r->funnel[0] > 0 ? r->funnel[0] : 1;
	int H = row * REPORT_NFUNNEL + 10, i;
	double w;

	buf_printf(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" "
	    "viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" role=\"img\" "
	    "aria-label=\"", W, H, W, H);
	html_esc(b, L(r, L_FUNNEL));
	buf_adds(b, "\">\n");
	for (i = 0; i < REPORT_NFUNNEL; i++) {
		w = (double)(W - left - right) * (double)r->funnel[i] /
		    (double)max;
		buf_printf(b, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">",
		    left - 8, i * row + 24);
		html_esc(b, term(r, report_stages[i]));
		buf_printf(b, "</text>\n<rect class=\"fbar\" x=\"%d\" y=\"%d\" "
		    "width=\"%.1f\" height=\"%d\"><title>", left, i * row + 8,
		    w, row - 8);
		html_esc(b, report_stages[i]);
		buf_printf(b, ": %lld</title></rect>\n<text x=\"%.1f\" "
		    "y=\"%d\">%lld</text>\n", (long long)r->funnel[i],
		    left + w + 6, i * row + 24, (long long)r->funnel[i]);
	}
	buf_adds(b, "</svg>\n");
}

void
report_write_html(struct buf *b, const struct report *r)
{
	char f[16], t[16], asof[ISO8601_LEN], v[96], h[32];
	const char *lab;
	size_t i;
	int s;

	fmt_day(r->from, f);
	fmt_day(r->to, t);
	fmt_iso8601(r->asof, asof);
	buf_printf(b, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n<meta name=\"viewport\" "
	    "content=\"width=device-width, initial-scale=1\">\n<title>",
	    r->lang);
	html_esc(b, L(r, L_TITLE));
	buf_printf(b, " %s .. %s</title>\n<style>%s</style>\n</head>\n"
	    "<body>\n<h1>", f, t, HTML_STYLE);
	html_esc(b, L(r, L_TITLE));
	buf_adds(b, "</h1>\n<p class=\"meta\">");
	html_esc(b, L(r, L_PERIOD));
	buf_printf(b, ": %s .. %s (", f, t);
	html_esc(b, L(r, L_ZONE));
	buf_adds(b, ": ");
	html_esc(b, r->zone);
	buf_adds(b, ")</p>\n<p class=\"meta\">");
	html_esc(b, L(r, L_ASOF));
	buf_printf(b, ": %s</p>\n", asof);

	buf_adds(b, "<table id=\"summary\">\n<thead><tr><th>");
	html_esc(b, L(r, L_FIGURE));
	buf_adds(b, "</th><th>");
	html_esc(b, L(r, L_VALUE));
	buf_adds(b, "</th></tr></thead>\n<tbody>\n");
	html_row_n(b, L(r, L_TOTAL), r->partnerships_total);
	html_row_n(b, L(r, L_ACCOMPANIED), r->accompanied);
	html_list(b, L(r, L_LIST_ACCOMPANIED), r->accompanied_slugs);
	html_row_n(b, L(r, L_INITIATED), r->initiated);
	html_row_n(b, L(r, L_HELD), r->meetings_held);
	html_row_n(b, L(r, L_PREPARED), r->meetings_prepared);
	html_row_n(b, L(r, L_COMMUNITIES), r->communities);
	html_list(b, L(r, L_LIST_COMMUNITIES), r->community_names);
	html_row_n(b, L(r, L_FIRST_TO_PLANNING),
	    r->first_contact_to_planning);
	fmt_share(r->with_next_step, r->accompanied, h, sizeof(h));
	snprintf(v, sizeof(v), "%lld %s %lld (%s)",
	    (long long)r->with_next_step, L(r, L_OF),
	    (long long)r->accompanied, h);
	html_row(b, L(r, L_NEXT_STEP), v);
	for (s = 0; s < REPORT_NSIDES; s++) {
		const char *side = L(r, s == REPORT_UA ? L_UA : L_US);
		char *row;

		fmt_hours(r->partner_reply[s].median, h, sizeof(h));
		snprintf(v, sizeof(v), "%s %s (%lld %s)", h, L(r, L_HOURS),
		    (long long)r->partner_reply[s].n, L(r, L_ANSWERS));
		row = xasprintf("%s, %s", L(r, L_PARTNER_REPLY), side);
		html_row(b, row, v);
		free(row);
		fmt_hours(r->team_reply[s].median, h, sizeof(h));
		snprintf(v, sizeof(v), "%s %s (%lld %s)", h, L(r, L_HOURS),
		    (long long)r->team_reply[s].n, L(r, L_ANSWERS));
		row = xasprintf("%s, %s", L(r, L_TEAM_REPLY), side);
		html_row(b, row, v);
		free(row);
	}
	html_row_n(b, L(r, L_NEW_US), r->new_us_contacts);
	buf_adds(b, "</tbody>\n</table>\n");

	buf_adds(b, "<h2>");
	html_esc(b, L(r, L_NEW_US));
	buf_adds(b, ", ");
	html_esc(b, L(r, L_BY_KIND));
	buf_adds(b, "</h2>\n<table id=\"us-contacts\">\n<tbody>\n");
	for (i = 0; i < r->nkinds; i++) {
		snprintf(v, sizeof(v), "%lld (%s: %lld)",
		    (long long)r->kinds[i].contacts, L(r, L_LEARNED),
		    (long long)r->kinds[i].learned);
		html_row(b, term(r, r->kinds[i].kind), v);
	}
	buf_adds(b, "</tbody>\n</table>\n");

	buf_adds(b, "<h2>");
	html_esc(b, L(r, L_PER_MONTH));
	buf_adds(b, "</h2>\n<figure>\n");
	svg_months(b, r);
	buf_adds(b, "</figure>\n<h2>");
	html_esc(b, L(r, L_FUNNEL));
	buf_adds(b, "</h2>\n<figure>\n");
	svg_funnel(b, r);
	buf_adds(b, "</figure>\n");

	buf_adds(b, "<h2>");
	html_esc(b, L(r, L_TRANSITIONS));
	buf_adds(b, "</h2>\n<table id=\"transitions\">\n<tbody>\n");
	if (r->ntransitions == 0)
		html_row(b, L(r, L_NONE), "0");
	for (i = 0; i < r->ntransitions; i++) {
		char *row;

		lab = r->transitions[i].from ? term(r, r->transitions[i].from) :
		    L(r, L_ENTERED);
		row = xasprintf("%s \xe2\x86\x92 %s", lab,
		    term(r, r->transitions[i].to));
		html_row_n(b, row, r->transitions[i].count);
		free(row);
	}
	buf_adds(b, "</tbody>\n</table>\n<footer>");
	html_esc(b, L(r, L_DEFINED));
	buf_adds(b, "</footer>\n</body>\n</html>\n");
}
