/*
 * report: a simulated quarter (orgs, contacts, partnerships, stage
 * history, threads of mail of every kind, meetings, steps) is written to a
 * fresh database, and every figure of report_compute() is checked against
 * the same figure computed here from the in-test event lists with plain
 * loops (no SQL). Then hand-made edge cases: inclusive day boundaries in
 * Kyiv across the DST change, cancelled meetings, auto-replies and other
 * non-contact mail, an empty period, medians, bad periods; and the four
 * writers (JSON and CSV read back, HTML without scripts or remote parts).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "csv.h"
#include "db.h"
#include "json.h"
#include "report.h"
#include "util.h"

/* The period 2026-10-01 .. 2026-12-31 in Europe/Kyiv: EEST (+3) until
 * 2026-10-25T01:00Z, EET (+2) after. */
#define S	((time_t)1790802000)	/* 2026-09-30T21:00:00Z */
#define E	((time_t)1798754400)	/* 2026-12-31T22:00:00Z */
#define DST_END	((time_t)1792890000)	/* 2026-10-25T01:00:00Z */
#define DS	((time_t)1790812800)	/* 2026-10-01T00:00:00Z */
#define DE	((time_t)1798761600)	/* 2027-01-01T00:00:00Z */
#define T0	((time_t)1788220800)	/* 2026-09-01T00:00:00Z */
#define T1	((time_t)1801353600)	/* 2027-01-31T00:00:00Z */
#define NOW_IN	((time_t)1797336000)	/* 2026-12-15T12:00:00Z */
#define H	3600

static const struct tz_date FROM = { 2026, 10, 1 }, TO = { 2026, 12, 31 };

static char tmpdir[] = "/tmp/mistok-test-report.XXXXXX";
static int dbn;

/* ---- the model ------------------------------------------------------ */

struct m_org {
	const char	*name, *country, *kind, *domain;
};
static const struct m_org orgs[] = {	/* id = index + 1 */
	{ "Lviv City Council", "UA", "municipality", "lviv.test" },
	{ "Kharkiv City Council", "UA", "municipality", "kharkiv.test" },
	{ "Krylia Kharkova", "UA", "volunteer", "krylia.test" },
	{ "City of Madison", "US", "municipality", "madison.test" },
	{ "City of Tempe", "US", "municipality", "tempe.test" },
	{ "Dane County Ukraine Aid", "US", "volunteer", "daneaid.test" },
	{ "US Embassy Kyiv", "US", "diplomatic", "embassy.test" },
	{ "Cities4Cities", "UA", "ngo", "c4c.test" },
};
#define NORGS	((int)nitems(orgs))
#define TEAM_ORG 8

static const char *const stages[] = {	/* rank = index + 1 */
	"prospect", "contacted", "introduced", "meeting_held", "planning",
	"joint_projects", "dormant", "closed",
};

struct m_contact { char email[64]; int org, learned; time_t created; };
struct m_part { int ua, us; time_t started, created; };
struct m_stage { int p, stage; time_t at; };
struct m_msg {
	int thread, p;		/* 0: none */
	time_t date;
	int out;
	const char *kind;
	char from[64];
	int side;		/* of the sender: 0 UA, 1 US, -1 unknown */
};
struct m_meet { int p; time_t start; int dur; const char *status;
	time_t created; };
struct m_step { int p; time_t due, created, done_at; const char *status; };

struct model {
	struct m_contact c[64];	int nc;
	struct m_part p[12];	int np;
	struct m_stage s[64];	int ns;
	struct m_msg m[400];	int nm;
	int nthreads;
	struct m_meet g[40];	int ng;
	struct m_step st[40];	int nst;
	time_t now;
};

static uint32_t rng;
static uint32_t
rnd(uint32_t n)
{
	rng = rng * 1103515245u + 12345u;
	return ((rng >> 8) & 0xffffff) % n;
}
static time_t
rtime(void)
{
	return T0 + (time_t)rnd((uint32_t)(T1 - T0));
}

static int
org_side(int org)
{
	return strcmp(orgs[org - 1].country, "UA") == 0 ? 0 : 1;
}

/* A partner sender of org: its contact, or an address of its domain
 * only, or a stranger. */
static void
sender(struct m_msg *m, int org)
{
	switch (rnd(5)) {
	case 0:
		snprintf(m->from, sizeof(m->from), "x%u@%s", rnd(3),
		    orgs[org - 1].domain);
		m->side = org_side(org);
		break;
	case 1:
		snprintf(m->from, sizeof(m->from), "stranger@nowhere.test");
		m->side = -1;
		break;
	default:
		snprintf(m->from, sizeof(m->from), "c%d@%s", org,
		    orgs[org - 1].domain);
		m->side = org_side(org);
	}
}

static void
simulate(struct model *x, uint32_t seed, time_t now)
{
	static const char *const kinds[] = { "correspondence",
	    "correspondence", "correspondence", "correspondence", "imip",
	    "autoreply", "bounce", "list", "own", "command" };
	static const char *const mst[] = { "proposed", "scheduled",
	    "scheduled", "held", "cancelled" };
	int i, j, k, n;
	time_t t;

	memset(x, 0, sizeof(*x));
	rng = seed;
	x->now = now;
	/* One known contact per org (the senders c<org>@), then more. */
	for (i = 1; i <= NORGS; i++) {
		struct m_contact *c = &x->c[x->nc++];

		snprintf(c->email, sizeof(c->email), "c%d@%s", i,
		    orgs[i - 1].domain);
		c->org = i;
		c->created = rtime();
		c->learned = 0;
	}
	for (i = 0; i < 30; i++) {
		struct m_contact *c = &x->c[x->nc++];

		c->org = 1 + (int)rnd(NORGS);
		snprintf(c->email, sizeof(c->email), "n%d@%s", i,
		    orgs[c->org - 1].domain);
		c->created = rtime();
		c->learned = (int)rnd(3) == 0;
	}
	/* p01..p08 are busy; p09..p12 went quiet before the period (their
	 * stage rows end in September, nothing else refers to them). */
	x->np = 12;
	for (i = 0; i < x->np; i++) {
		struct m_part *p = &x->p[i];

		p->ua = 1 + (int)rnd(3);
		p->us = 4 + (int)rnd(4);
		p->created = rtime();
		p->started = rnd(2) ? 0 :
		    T0 + (time_t)rnd(150) * 86400;	/* a UTC midnight */
		/* Stage rows at increasing times, mostly forward. */
		t = T0 + (time_t)rnd(40 * 86400);
		k = (int)rnd(3);
		n = (int)rnd(6);
		for (j = 0; j < n && t < (i < 8 ? T1 : S); j++) {
			struct m_stage *s = &x->s[x->ns++];

			s->p = i + 1;
			s->stage = k;
			s->at = t;
			t += 3600 + (time_t)rnd(40 * 86400);
			k = rnd(5) ? (k + 1 + (int)rnd(2)) % 8 : (int)rnd(8);
		}
	}
	x->nthreads = 18;
	for (i = 1; i <= x->nthreads; i++) {
		int p = rnd(6) ? 1 + (int)rnd(8) : 0;
		int ua = p ? x->p[p - 1].ua : 1, us = p ? x->p[p - 1].us : 4;

		t = rtime();
		n = (int)rnd(22);
		for (j = 0; j < n && x->nm < 380; j++) {
			struct m_msg *m = &x->m[x->nm++];

			m->thread = i;
			m->p = p;
			m->kind = kinds[rnd(nitems(kinds))];
			m->out = (int)rnd(2);
			if (m->out) {
				snprintf(m->from, sizeof(m->from),
				    "olena@c4c.test");
				m->side = 0;
			} else
				sender(m, rnd(2) ? ua : us);
			/* Equal dates now and then: ties go by id. */
			if (rnd(8))
				t += (time_t)rnd(5 * 86400);
			m->date = t;
		}
	}
	for (i = 0; i < 12; i++) {		/* mail outside threads */
		struct m_msg *m = &x->m[x->nm++];

		m->p = 1 + (int)rnd(8);
		m->kind = "correspondence";
		m->out = (int)rnd(2);
		snprintf(m->from, sizeof(m->from), m->out ? "olena@c4c.test" :
		    "c1@lviv.test");
		m->side = 0;
		m->date = rtime();
	}
	x->ng = 36;
	for (i = 0; i < x->ng; i++) {
		struct m_meet *g = &x->g[i];

		g->p = 1 + (int)rnd(8);
		g->status = mst[rnd(nitems(mst))];
		g->start = rnd(8) ? rtime() : 0;
		g->dur = 1800 * (1 + (int)rnd(3));
		g->created = (g->start ? g->start : rtime()) -
		    (time_t)rnd(30 * 86400);
	}
	x->nst = 30;
	for (i = 0; i < x->nst; i++) {
		struct m_step *s = &x->st[i];

		s->p = 1 + (int)rnd(8);
		s->created = rtime();
		s->due = rnd(4) ? s->created + (time_t)rnd(20 * 86400) : 0;
		if (rnd(2)) {
			s->status = "done";
			s->done_at = s->created + (time_t)rnd(40 * 86400);
		} else
			s->status = "open";
	}
}

/* Writes the model into a new database. */
static struct db *
store(const struct model *x)
{
	struct db *db;
	char *path, *err = NULL, uid[32], hash[32];
	int i;

	path = xasprintf("%s/r%d.db", tmpdir, dbn++);
	assert_int_equal(db_open(path, DB_CREATE | DB_MIGRATE, &db, &err), 0);
	free(path);
	assert_int_equal(db_begin(db), 0);
	for (i = 0; i < NORGS; i++) {
		assert_int_equal(db_exec(db, "INSERT INTO orgs (id, name, "
		    "country, kind) VALUES (?, ?, ?, ?)", "ittt", i + 1,
		    orgs[i].name, orgs[i].country, orgs[i].kind), 0);
		assert_int_equal(db_exec(db, "INSERT INTO org_domains (org, "
		    "domain) VALUES (?, ?)", "it", i + 1, orgs[i].domain), 0);
	}
	assert_int_equal(db_exec(db, "INSERT INTO contacts (id, org, created) "
	    "VALUES (100, ?, ?)", "iT", TEAM_ORG, T0 - 86400), 0);
	assert_int_equal(db_exec(db, "INSERT INTO contact_addresses (contact, "
	    "email) VALUES (100, 'olena@c4c.test')", ""), 0);
	for (i = 0; i < x->nc; i++) {
		assert_int_equal(db_exec(db, "INSERT INTO contacts (id, org, "
		    "learned, created) VALUES (?, ?, ?, ?)", "iiiT", i + 1,
		    x->c[i].org, x->c[i].learned, x->c[i].created), 0);
		assert_int_equal(db_exec(db, "INSERT INTO contact_addresses "
		    "(contact, email) VALUES (?, ?)", "it", i + 1,
		    x->c[i].email), 0);
	}
	for (i = 0; i < x->np; i++) {
		char slug[16];

		snprintf(slug, sizeof(slug), "p%02d", i + 1);
		assert_int_equal(db_exec(db, "INSERT INTO partnerships (id, "
		    "slug, ua_org, us_org, started, created) VALUES "
		    "(?, ?, ?, ?, ?, ?)", "itiiTT", i + 1, slug, x->p[i].ua,
		    x->p[i].us, x->p[i].started, x->p[i].created), 0);
	}
	for (i = 0; i < x->ns; i++)
		assert_int_equal(db_exec(db, "INSERT INTO stage_history "
		    "(partnership, stage, at) VALUES (?, ?, ?)", "itT",
		    x->s[i].p, stages[x->s[i].stage], x->s[i].at), 0);
	for (i = 1; i <= x->nthreads; i++)
		assert_int_equal(db_exec(db, "INSERT INTO threads (id) "
		    "VALUES (?)", "i", i), 0);
	for (i = 0; i < x->nm; i++) {
		const struct m_msg *m = &x->m[i];

		snprintf(hash, sizeof(hash), "h%d", i);
		assert_int_equal(db_exec(db, "INSERT INTO messages (id, "
		    "content_hash, date, from_email, thread, partnership, "
		    "direction, kind) VALUES (?, ?, ?, ?, nullif(?, 0), "
		    "nullif(?, 0), ?, ?)", "itTtiitt", i + 1, hash, m->date,
		    m->from, m->thread, m->p, m->out ? "out" : "in", m->kind),
		    0);
	}
	for (i = 0; i < x->ng; i++) {
		snprintf(uid, sizeof(uid), "m%d@test", i);
		assert_int_equal(db_exec(db, "INSERT INTO meetings (uid, "
		    "partnership, start_utc, duration, status, created) VALUES "
		    "(?, ?, ?, ?, ?, ?)", "tiTitT", uid, x->g[i].p,
		    x->g[i].start, x->g[i].dur, x->g[i].status,
		    x->g[i].created), 0);
	}
	for (i = 0; i < x->nst; i++)
		assert_int_equal(db_exec(db, "INSERT INTO steps (partnership, "
		    "text, due, status, created, done_at) VALUES "
		    "(?, 'step', ?, ?, ?, ?)", "iTtTT", x->st[i].p, x->st[i].due,
		    x->st[i].status, x->st[i].created, x->st[i].done_at), 0);
	assert_int_equal(db_commit(db), 0);
	return db;
}

/* ---- the figures, computed from the model ---------------------------- */

static int
in_period(time_t t)
{
	return t >= S && t < E;
}

static int
is_contact(const struct m_msg *m)
{
	return strcmp(m->kind, "correspondence") == 0 ||
	    strcmp(m->kind, "imip") == 0;
}

static time_t
asof(const struct model *x)
{
	return x->now < E ? x->now : E;
}

static int
held(const struct model *x, const struct m_meet *g)
{
	time_t end = g->start + g->dur;

	if (g->start == 0 || !in_period(end))
		return 0;
	return strcmp(g->status, "held") == 0 ||
	    (strcmp(g->status, "scheduled") == 0 && end <= x->now);
}

static int
accompanied(const struct model *x, int p)
{
	int i;

	for (i = 0; i < x->nm; i++)
		if (x->m[i].p == p && is_contact(&x->m[i]) &&
		    in_period(x->m[i].date))
			return 1;
	for (i = 0; i < x->ng; i++)
		if (x->g[i].p == p && ((strcmp(x->g[i].status, "cancelled") &&
		    in_period(x->g[i].created)) || held(x, &x->g[i])))
			return 1;
	for (i = 0; i < x->ns; i++)
		if (x->s[i].p == p && in_period(x->s[i].at))
			return 1;
	for (i = 0; i < x->nst; i++)
		if (x->st[i].p == p && (in_period(x->st[i].created) ||
		    (x->st[i].done_at && in_period(x->st[i].done_at))))
			return 1;
	return 0;
}

/* The stage of p's last row before t (by time, then order), or -1; and
 * its first row in [a, b). */
static int
stage_before(const struct model *x, int p, time_t t)
{
	int i, best = -1;
	time_t bt = 0;

	for (i = 0; i < x->ns; i++)
		if (x->s[i].p == p && x->s[i].at < t &&
		    (best == -1 || x->s[i].at >= bt)) {
			best = i;
			bt = x->s[i].at;
		}
	return best == -1 ? -1 : x->s[best].stage;
}

static int
first_in(const struct model *x, int p)
{
	int i, best = -1;

	for (i = 0; i < x->ns; i++)
		if (x->s[i].p == p && in_period(x->s[i].at) &&
		    (best == -1 || x->s[i].at < x->s[best].at))
			best = i;
	return best == -1 ? -1 : x->s[best].stage;
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t u = *(const int64_t *)a, v = *(const int64_t *)b;

	return u < v ? -1 : u > v;
}

static int64_t
med(int64_t *v, int n)
{
	if (n == 0)
		return -1;
	qsort(v, (size_t)n, sizeof(*v), cmp_i64);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Response times: each thread's contact mail by (date, id); the first
 * message after a change of direction answers the first message of the
 * run before it. */
static void
expect_replies(const struct model *x, int64_t pm[2], int64_t pn[2],
    int64_t tm[2], int64_t tn[2])
{
	static int64_t ps[2][400], ts[2][400];
	int np[2] = { 0, 0 }, nt[2] = { 0, 0 }, th, i, j, k, idx[400], n;

	for (th = 1; th <= x->nthreads; th++) {
		n = 0;
		for (i = 0; i < x->nm; i++)
			if (x->m[i].thread == th && is_contact(&x->m[i]) &&
			    x->m[i].date < E)
				idx[n++] = i;
		/* insertion sort by (date, id) */
		for (i = 1; i < n; i++)
			for (j = i; j > 0 && x->m[idx[j]].date <
			    x->m[idx[j - 1]].date; j--) {
				k = idx[j];
				idx[j] = idx[j - 1];
				idx[j - 1] = k;
			}
		for (i = 0, k = 0; i < n; i++) {
			const struct m_msg *a = &x->m[idx[k]], *b = &x->m[idx[i]];

			if (b->out == a->out)
				continue;
			if (in_period(b->date)) {
				if (!b->out && b->side >= 0)
					ps[b->side][np[b->side]++] =
					    b->date - a->date;
				if (b->out && a->side >= 0)
					ts[a->side][nt[a->side]++] =
					    b->date - a->date;
			}
			k = i;
		}
	}
	for (i = 0; i < 2; i++) {
		pn[i] = np[i];
		tn[i] = nt[i];
		pm[i] = med(ps[i], np[i]);
		tm[i] = med(ts[i], nt[i]);
	}
}

/* Sums over the simulations, so the test knows each figure was
 * exercised with something other than zero (and not with everything). */
static int64_t sum_acc, sum_np, sum_init, sum_prep, sum_comm, sum_trans,
    sum_first, sum_step, sum_us;

static void
check_against_model(const struct model *x)
{
	struct db *db = store(x);
	struct config conf;
	struct report r;
	char *err = NULL;
	int64_t e, pm[2], pn[2], tm[2], tn[2], trans[9][8];
	int i, j, p, seen, n, ntrans;

	memset(&conf, 0, sizeof(conf));
	conf.team_timezone = (char *)"Europe/Kyiv";
	conf.team_language = (char *)"en";
	clock_set_fake(x->now);
	assert_int_equal(report_compute(db, FROM, TO, &conf, &r, &err), 0);
	assert_null(err);
	assert_int_equal(r.start, S);
	assert_int_equal(r.end, E);
	assert_int_equal(r.asof, asof(x));

	/* accompanied, and the slugs listed */
	for (e = 0, p = 1; p <= x->np; p++)
		e += accompanied(x, p);
	assert_int_equal(r.accompanied, e);
	for (n = 0; r.accompanied_slugs[n] != NULL; n++)
		assert_true(accompanied(x, atoi(r.accompanied_slugs[n] + 1)));
	assert_int_equal(n, e);

	/* initiated: the start day among the period's days, else created */
	for (e = 0, i = 0; i < x->np; i++)
		e += x->p[i].started ? x->p[i].started >= DS &&
		    x->p[i].started < DE : in_period(x->p[i].created);
	assert_int_equal(r.initiated, e);

	/* meetings held, per local month, and prepared */
	{
		int64_t permonth[3] = { 0, 0, 0 }, prep = 0;
		time_t end, local;
		struct tm tmv;

		for (e = 0, i = 0; i < x->ng; i++) {
			const struct m_meet *g = &x->g[i];

			end = g->start + g->dur;
			if (held(x, g)) {
				e++;
				local = end + (end < DST_END ? 3 : 2) * H;
				gmtime_r(&local, &tmv);
				permonth[tmv.tm_mon - 9]++;
			}
			if (in_period(g->created) &&
			    strcmp(g->status, "cancelled") != 0 &&
			    (g->start == 0 || end >= E ||
			    (strcmp(g->status, "held") != 0 && end > x->now)))
				prep++;
		}
		assert_int_equal(r.meetings_held, e);
		assert_true(e > 0);
		assert_int_equal(r.nmonths, 3);
		for (i = 0; i < 3; i++) {
			assert_int_equal(r.months[i].year, 2026);
			assert_int_equal(r.months[i].month, 10 + i);
			assert_int_equal(r.months[i].held, permonth[i]);
		}
		assert_int_equal(r.meetings_prepared, prep);
	}

	/* communities: UA orgs of partnerships with mail both ways or a
	 * held meeting */
	{
		int supported[NORGS + 1];

		memset(supported, 0, sizeof(supported));
		for (p = 1; p <= x->np; p++) {
			int in = 0, out = 0, met = 0;

			for (i = 0; i < x->nm; i++)
				if (x->m[i].p == p && is_contact(&x->m[i]) &&
				    in_period(x->m[i].date)) {
					in |= !x->m[i].out;
					out |= x->m[i].out;
				}
			for (i = 0; i < x->ng; i++)
				met |= x->g[i].p == p && held(x, &x->g[i]);
			if ((in && out) || met)
				supported[x->p[p - 1].ua] = 1;
		}
		for (e = 0, i = 1; i <= NORGS; i++)
			e += supported[i];
		assert_int_equal(r.communities, e);
		for (n = 0; r.community_names[n] != NULL; n++) {
			for (i = 1; i <= NORGS; i++)
				if (strcmp(orgs[i - 1].name,
				    r.community_names[n]) == 0)
					break;
			assert_true(i <= NORGS && supported[i]);
		}
		assert_int_equal(n, e);
	}

	/* stage transitions: consecutive rows of a partnership, the later
	 * one in the period (row 8 = entered, no earlier row) */
	memset(trans, 0, sizeof(trans));
	for (i = 0; i < x->ns; i++) {
		int prev = 8;

		if (!in_period(x->s[i].at))
			continue;
		for (j = 0; j < i; j++)		/* rows come in time order */
			if (x->s[j].p == x->s[i].p)
				prev = x->s[j].stage;
		if (prev != x->s[i].stage)
			trans[prev][x->s[i].stage]++;
	}
	for (ntrans = 0, i = 0; i < 9; i++)
		for (j = 0; j < 8; j++)
			ntrans += trans[i][j] > 0;
	assert_int_equal(r.ntransitions, ntrans);
	for (i = 0; i < (int)r.ntransitions; i++) {
		int a = 8, b = -1;

		for (j = 0; j < 8; j++) {
			if (r.transitions[i].from &&
			    strcmp(r.transitions[i].from, stages[j]) == 0)
				a = j;
			if (strcmp(r.transitions[i].to, stages[j]) == 0)
				b = j;
		}
		assert_true(b >= 0);
		assert_int_equal(r.transitions[i].count, trans[a][b]);
	}

	/* first contact to planning */
	for (e = 0, p = 1; p <= x->np; p++) {
		int s0 = stage_before(x, p, S), s1 = stage_before(x, p, E);

		if (s0 == -1)
			s0 = first_in(x, p);
		e += (s0 == 0 || s0 == 1) && (s1 == 4 || s1 == 5);
	}
	assert_int_equal(r.first_contact_to_planning, e);

	/* next step at asof, among the accompanied */
	for (e = 0, p = 1; p <= x->np; p++) {
		if (!accompanied(x, p))
			continue;
		for (seen = 0, i = 0; i < x->nst; i++) {
			const struct m_step *s = &x->st[i];

			seen |= s->p == p && s->due && s->created <= asof(x) &&
			    (strcmp(s->status, "open") == 0 ||
			    s->done_at > asof(x));
		}
		e += seen;
	}
	assert_int_equal(r.with_next_step, e);

	expect_replies(x, pm, pn, tm, tn);
	for (i = 0; i < 2; i++) {
		assert_int_equal(r.partner_reply[i].n, pn[i]);
		assert_int_equal(r.partner_reply[i].median, pm[i]);
		assert_int_equal(r.team_reply[i].n, tn[i]);
		assert_int_equal(r.team_reply[i].median, tm[i]);
	}
	assert_true(pn[0] + pn[1] + tn[0] + tn[1] > 0);

	/* new US contacts by kind */
	{
		static const char *const k[] = { "municipality", "volunteer",
		    "diplomatic", "ngo", "other" };
		int64_t tot = 0;

		assert_int_equal(r.nkinds, nitems(k));
		for (j = 0; j < (int)nitems(k); j++) {
			int64_t c = 0, l = 0;

			assert_string_equal(r.kinds[j].kind, k[j]);
			for (i = 0; i < x->nc; i++)
				if (strcmp(orgs[x->c[i].org - 1].country,
				    "US") == 0 && strcmp(orgs[x->c[i].org -
				    1].kind, k[j]) == 0 &&
				    in_period(x->c[i].created)) {
					c++;
					l += x->c[i].learned;
				}
			assert_int_equal(r.kinds[j].contacts, c);
			assert_int_equal(r.kinds[j].learned, l);
			tot += c;
		}
		assert_int_equal(r.new_us_contacts, tot);
	}

	/* funnel: furthest of the six stages reached before the end */
	for (j = 0; j < REPORT_NFUNNEL; j++) {
		for (e = 0, p = 1; p <= x->np; p++) {
			int reached = -1;

			for (i = 0; i < x->ns; i++)
				if (x->s[i].p == p && x->s[i].at < E &&
				    x->s[i].stage < 6 &&
				    x->s[i].stage > reached)
					reached = x->s[i].stage;
			e += reached >= j;
		}
		assert_int_equal(r.funnel[j], e);
	}

	sum_acc += r.accompanied;
	sum_np += x->np;
	sum_init += r.initiated;
	sum_prep += r.meetings_prepared;
	sum_comm += r.communities;
	sum_trans += (int64_t)r.ntransitions;
	sum_first += r.first_contact_to_planning;
	sum_step += r.with_next_step;
	sum_us += r.new_us_contacts;
	report_free(&r);
	db_close(db);
	clock_set_fake(0);
}

static void
simulated_quarter_matches_independent_figures(void **state)
{
	static struct model x;
	uint32_t seed;

	for (seed = 1; seed <= 6; seed++) {
		simulate(&x, seed * 7919u, NOW_IN);
		check_against_model(&x);
		/* later, when the whole period is past */
		simulate(&x, seed * 7919u, E + 40 * 86400);
		check_against_model(&x);
	}
	print_message("sums: accompanied %lld of %lld, initiated %lld, "
	    "prepared %lld, communities %lld, transitions %lld, first to "
	    "planning %lld, next step %lld, US contacts %lld\n",
	    (long long)sum_acc, (long long)sum_np, (long long)sum_init,
	    (long long)sum_prep, (long long)sum_comm, (long long)sum_trans,
	    (long long)sum_first, (long long)sum_step, (long long)sum_us);
	assert_true(sum_acc > 0 && sum_acc < sum_np);
	assert_true(sum_init > 0 && sum_prep > 0 && sum_comm > 0);
	assert_true(sum_trans > 0 && sum_first > 0 && sum_step > 0);
	assert_true(sum_us > 0);
}

/* ---- hand-made cases --------------------------------------------- */

static struct db *
small_db(void)
{
	struct db *db;
	char *path = xasprintf("%s/r%d.db", tmpdir, dbn++), *err = NULL;
	int i;

	assert_int_equal(db_open(path, DB_CREATE | DB_MIGRATE, &db, &err), 0);
	free(path);
	for (i = 0; i < NORGS; i++) {
		assert_int_equal(db_exec(db, "INSERT INTO orgs (id, name, "
		    "country, kind) VALUES (?, ?, ?, ?)", "ittt", i + 1,
		    orgs[i].name, orgs[i].country, orgs[i].kind), 0);
		assert_int_equal(db_exec(db, "INSERT INTO org_domains (org, "
		    "domain) VALUES (?, ?)", "it", i + 1, orgs[i].domain), 0);
	}
	/* p1 Lviv–Madison and p2 Kharkiv–Tempe, both recorded in August */
	assert_int_equal(db_exec(db, "INSERT INTO partnerships (id, slug, "
	    "ua_org, us_org, created) VALUES (1, 'lviv-madison', 1, 4, ?), "
	    "(2, 'kharkiv-tempe', 2, 5, ?)", "TT", T0 - 86400 * 20,
	    T0 - 86400 * 20), 0);
	assert_int_equal(db_exec(db, "INSERT INTO threads (id) VALUES (1), "
	    "(2)", ""), 0);
	return db;
}

static int msgn;

static void
add_msg(struct db *db, int thread, int p, time_t date, const char *dir,
    const char *kind, const char *from)
{
	char hash[16];

	snprintf(hash, sizeof(hash), "e%d", msgn++);
	assert_int_equal(db_exec(db, "INSERT INTO messages (content_hash, "
	    "date, from_email, thread, partnership, direction, kind) VALUES "
	    "(?, ?, ?, ?, ?, ?, ?)", "tTtiitt", hash, date, from, thread, p,
	    dir, kind), 0);
}

static struct report
run(struct db *db, struct tz_date from, struct tz_date to, time_t now)
{
	struct config conf;
	struct report r;
	char *err = NULL;

	memset(&conf, 0, sizeof(conf));
	conf.team_timezone = (char *)"Europe/Kyiv";
	conf.team_language = (char *)"uk";
	clock_set_fake(now);
	if (report_compute(db, from, to, &conf, &r, &err) != 0)
		fail_msg("report_compute: %s", err);
	clock_set_fake(0);
	return r;
}

/* October alone: 2026-09-30T21:00Z (EEST) .. 2026-10-31T22:00Z (EET). */
static void
boundaries_are_inclusive_local_days(void **state)
{
	struct tz_date oct1 = { 2026, 10, 1 }, oct31 = { 2026, 10, 31 };
	struct db *db = small_db();
	struct report r;

	/* p1: an exchange starting exactly at local 00:00 of 1 October and
	 * answered at 23:59:59 local of 31 October (after the DST end). */
	add_msg(db, 1, 1, S, "out", "correspondence", "olena@c4c.test");
	add_msg(db, 1, 1, (time_t)1793483999, "in", "correspondence",
	    "c1@lviv.test");
	/* p2: one second before the period and exactly at its end: never */
	add_msg(db, 2, 2, S - 1, "out", "correspondence", "olena@c4c.test");
	add_msg(db, 2, 2, (time_t)1793484000, "in", "correspondence",
	    "c2@kharkiv.test");
	/* a meeting of p2 ending exactly at the last second: held */
	assert_int_equal(db_exec(db, "INSERT INTO meetings (uid, partnership, "
	    "start_utc, duration, status, created) VALUES ('a', 2, ?, 3599, "
	    "'scheduled', ?)", "TT", (time_t)1793484000 - 3600, T0), 0);
	/* one of p1 ending exactly at local midnight: held on 1 November */
	assert_int_equal(db_exec(db, "INSERT INTO meetings (uid, partnership, "
	    "start_utc, duration, status, created) VALUES ('b', 1, ?, 1800, "
	    "'scheduled', ?)", "TT", (time_t)1793484000 - 1800, T0), 0);
	r = run(db, oct1, oct31, NOW_IN);
	assert_int_equal(r.start, S);
	assert_int_equal(r.end, 1793484000);
	assert_int_equal(r.accompanied, 2);	/* p2 by its meeting */
	assert_int_equal(r.meetings_held, 1);
	assert_int_equal(r.nmonths, 1);
	assert_int_equal(r.months[0].held, 1);
	assert_int_equal(r.communities, 2);	/* Lviv by mail, Kharkiv met */
	assert_int_equal(r.partner_reply[REPORT_UA].n, 1);
	assert_int_equal(r.partner_reply[REPORT_UA].median,
	    1793483999 - S);
	assert_int_equal(r.partner_reply[REPORT_US].n, 0);
	assert_int_equal(r.partner_reply[REPORT_US].median, -1);
	report_free(&r);

	/* 1 November only: p2's answer is in it and counts with the whole
	 * wait since 30 September; p2 wrote one way only in it. */
	r = run(db, (struct tz_date){ 2026, 11, 1 },
	    (struct tz_date){ 2026, 11, 1 }, NOW_IN);
	assert_int_equal(r.accompanied, 2);	/* p1 by its meeting */
	assert_int_equal(r.communities, 1);	/* Kharkiv: one way only */
	assert_string_equal(r.community_names[0], "Lviv City Council");
	assert_int_equal(r.partner_reply[REPORT_UA].n, 1);
	assert_int_equal(r.partner_reply[REPORT_UA].median,
	    1793484000 - (S - 1));
	assert_int_equal(r.meetings_held, 1);
	report_free(&r);
	db_close(db);
}

static void
cancelled_meetings_and_auto_replies_never_count(void **state)
{
	struct db *db = small_db();
	struct report r;
	time_t t = S + 10 * 86400;

	/* p1: only an auto-reply, a bounce, list mail, own mail and a
	 * command in the period; a cancelled meeting; a proposed one whose
	 * time passed (not held) */
	add_msg(db, 1, 1, t, "out", "correspondence", "olena@c4c.test");
	r = run(db, FROM, TO, NOW_IN);
	assert_int_equal(r.accompanied, 1);
	report_free(&r);
	assert_int_equal(db_exec(db, "DELETE FROM messages", ""), 0);
	add_msg(db, 1, 1, t, "out", "own", "team@c4c.test");
	add_msg(db, 1, 1, t + H, "in", "autoreply", "c1@lviv.test");
	add_msg(db, 1, 1, t + 2 * H, "in", "bounce", "mailer@lviv.test");
	add_msg(db, 1, 1, t + 3 * H, "in", "list", "c1@lviv.test");
	add_msg(db, 1, 1, t + 4 * H, "out", "command", "olena@c4c.test");
	assert_int_equal(db_exec(db, "INSERT INTO meetings (uid, partnership, "
	    "start_utc, duration, status, created) VALUES "
	    "('c', 1, ?, 3600, 'cancelled', ?), ('p', 2, ?, 3600, 'proposed', "
	    "?)", "TTTT", t, t, t, T0), 0);
	r = run(db, FROM, TO, NOW_IN);
	assert_int_equal(r.accompanied, 0);
	assert_int_equal(r.meetings_held, 0);
	assert_int_equal(r.meetings_prepared, 0);
	assert_int_equal(r.communities, 0);
	assert_int_equal(r.partner_reply[REPORT_UA].n, 0);
	assert_int_equal(r.team_reply[REPORT_UA].n, 0);
	report_free(&r);

	/* a scheduled meeting counts as held only after its end */
	assert_int_equal(db_exec(db, "INSERT INTO meetings (uid, partnership, "
	    "start_utc, duration, status, created) VALUES ('s', 1, ?, 3600, "
	    "'scheduled', ?)", "TT", NOW_IN - 1800, S + 86400), 0);
	r = run(db, FROM, TO, NOW_IN);
	assert_int_equal(r.meetings_held, 0);
	assert_int_equal(r.meetings_prepared, 1);
	report_free(&r);
	r = run(db, FROM, TO, NOW_IN + 1800);
	assert_int_equal(r.meetings_held, 1);
	assert_int_equal(r.meetings_prepared, 0);
	assert_int_equal(r.communities, 1);
	report_free(&r);
	db_close(db);
}

static void
empty_period_gives_zeros(void **state)
{
	struct tz_date d = { 2026, 7, 15 };
	struct db *db = small_db();
	struct report r;
	int i;

	add_msg(db, 1, 1, S + 86400, "out", "correspondence",
	    "olena@c4c.test");
	r = run(db, d, d, NOW_IN);
	assert_int_equal(r.accompanied, 0);
	assert_null(r.accompanied_slugs[0]);
	assert_int_equal(r.initiated, 0);
	assert_int_equal(r.meetings_held + r.meetings_prepared, 0);
	assert_int_equal(r.communities, 0);
	assert_int_equal(r.ntransitions, 0);
	assert_int_equal(r.with_next_step, 0);
	assert_int_equal(r.new_us_contacts, 0);
	assert_int_equal(r.nmonths, 1);
	for (i = 0; i < REPORT_NSIDES; i++)
		assert_int_equal(r.partner_reply[i].median, -1);
	report_free(&r);
	db_close(db);
}

static void
medians_and_sides(void **state)
{
	struct db *db = small_db();
	struct report r;
	time_t t = S + 86400;

	/* Thread 1: two team mails, then Lviv answers 4 h after the first;
	 * the team answers 1 h later; Lviv 2 h after that. Thread 2: team,
	 * then a Tempe address known only by its domain after 10 h, then a
	 * stranger (no side), then the team after 3 h (the run began with
	 * the Tempe mail: US side). */
	add_msg(db, 1, 1, t, "out", "correspondence", "olena@c4c.test");
	add_msg(db, 1, 1, t + H, "out", "correspondence", "olena@c4c.test");
	add_msg(db, 1, 1, t + 4 * H, "in", "correspondence", "c1@lviv.test");
	add_msg(db, 1, 1, t + 5 * H, "out", "correspondence", "olena@c4c.test");
	add_msg(db, 1, 1, t + 7 * H, "in", "imip", "c1@lviv.test");
	add_msg(db, 2, 2, t, "out", "correspondence", "olena@c4c.test");
	add_msg(db, 2, 2, t + 10 * H, "in", "correspondence",
	    "someone@tempe.test");
	add_msg(db, 2, 2, t + 11 * H, "in", "correspondence",
	    "stranger@nowhere.test");
	add_msg(db, 2, 2, t + 13 * H, "out", "correspondence",
	    "olena@c4c.test");
	r = run(db, FROM, TO, NOW_IN);
	assert_int_equal(r.partner_reply[REPORT_UA].n, 2);	/* 4h, 2h */
	assert_int_equal(r.partner_reply[REPORT_UA].median, 3 * H);
	assert_int_equal(r.team_reply[REPORT_UA].n, 1);
	assert_int_equal(r.team_reply[REPORT_UA].median, H);
	assert_int_equal(r.partner_reply[REPORT_US].n, 1);
	assert_int_equal(r.partner_reply[REPORT_US].median, 10 * H);
	assert_int_equal(r.team_reply[REPORT_US].n, 1);
	assert_int_equal(r.team_reply[REPORT_US].median, 3 * H);
	assert_int_equal(r.communities, 2);
	report_free(&r);
	db_close(db);
}

static void
bad_periods_are_refused(void **state)
{
	struct db *db = small_db();
	struct config conf;
	struct report r;
	char *err = NULL;

	memset(&conf, 0, sizeof(conf));
	conf.team_timezone = (char *)"Europe/Kyiv";
	assert_int_equal(report_compute(db, TO, FROM, &conf, &r, &err), -1);
	assert_non_null(strstr(err, "ends before"));
	free(err);
	assert_int_equal(report_compute(db, (struct tz_date){ 2026, 2, 29 },
	    TO, &conf, &r, &err), -1);
	free(err);
	assert_int_equal(report_compute(db, (struct tz_date){ 2010, 1, 1 },
	    TO, &conf, &r, &err), -1);
	assert_non_null(strstr(err, "ten years"));
	free(err);
	conf.team_timezone = (char *)"Mars/Olympus";
	assert_int_equal(report_compute(db, FROM, TO, &conf, &r, &err), -1);
	free(err);
	db_close(db);
}

/* ---- writers ------------------------------------------------------- */

static int64_t
json_int_value(const struct json *v)
{
	assert_non_null(v);
	assert_true(v->type == JSON_NUMBER && v->is_int);
	return v->integer;
}

static int64_t
csv_value(const char *text, const char *figure, const char *detail)
{
	struct csv *c = csv_open(text, strlen(text));
	char **f;
	size_t n;
	int64_t v = -99;

	while (csv_read(c, &f, &n) == 1)
		if (n == 3 && strcmp(f[0], figure) == 0 &&
		    strcmp(f[1], detail) == 0)
			v = strtoll(f[2], NULL, 10);
	csv_close(c);
	return v;
}

static void
writers_agree_with_the_figures(void **state)
{
	static struct model x;
	struct db *db;
	struct config conf;
	struct report r;
	struct buf b;
	struct json *j, *v;
	char *err = NULL;
	size_t i;

	simulate(&x, 4242, NOW_IN);
	db = store(&x);
	memset(&conf, 0, sizeof(conf));
	conf.team_timezone = (char *)"Europe/Kyiv";
	conf.team_language = (char *)"uk";
	clock_set_fake(NOW_IN);
	assert_int_equal(report_compute(db, FROM, TO, &conf, &r, &err), 0);
	clock_set_fake(0);
	assert_string_equal(r.lang, "uk");

	buf_init(&b);
	report_write_json(&b, &r);
	j = json_parse(b.data, b.len, &err);
	assert_non_null(j);
	assert_int_equal(json_int_value(json_get(j,
	    "partnerships_accompanied")), r.accompanied);
	assert_int_equal(json_int_value(json_get(j, "meetings_held")),
	    r.meetings_held);
	assert_int_equal(json_int_value(json_get(j, "communities_supported")),
	    r.communities);
	v = json_get(json_get(json_get(j, "response_time"), "partner"), "ua");
	if (r.partner_reply[0].n)
		assert_int_equal(json_int_value(json_get(v, "median_seconds")),
		    r.partner_reply[0].median);
	assert_string_equal(json_str(json_get(j, "from")), "2026-10-01");
	json_free(j);

	buf_reset(&b);
	report_write_csv(&b, &r);
	assert_int_equal(csv_value(b.data, "partnerships_accompanied", ""),
	    r.accompanied);
	assert_int_equal(csv_value(b.data, "meetings_prepared", ""),
	    r.meetings_prepared);
	assert_int_equal(csv_value(b.data, "next_step", "with"),
	    r.with_next_step);
	assert_int_equal(csv_value(b.data, "team_response_answers", "us"),
	    r.team_reply[1].n);
	assert_int_equal(csv_value(b.data, "meetings_held_month", "2026-11"),
	    r.months[1].held);
	for (i = 0; i < REPORT_NFUNNEL; i++)
		assert_int_equal(csv_value(b.data, "stage_reached",
		    report_stages[i]), r.funnel[i]);

	buf_reset(&b);
	report_write_text(&b, &r);
	assert_non_null(strstr(b.data, "Звіт для донорів"));
	assert_non_null(strstr(b.data, "2026-10-01 .. 2026-12-31"));

	buf_reset(&b);
	report_write_html(&b, &r);
	assert_non_null(strstr(b.data, "<html lang=\"uk\">"));
	assert_non_null(strstr(b.data, "@media print"));
	assert_non_null(strstr(b.data, "<svg"));
	assert_null(strstr(b.data, "<script"));
	assert_null(strstr(b.data, "src="));
	assert_null(strstr(b.data, "href="));
	assert_null(strstr(b.data, "url("));
	assert_non_null(strstr(b.data, "Проведені онлайн-зустрічі"));
	strcpy(r.lang, "en");
	buf_reset(&b);
	report_write_html(&b, &r);
	assert_non_null(strstr(b.data, "Online meetings held"));
	assert_null(strstr(b.data, "Проведені"));
	buf_free(&b);
	report_free(&r);
	db_close(db);
}

static int
setup(void **state)
{
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	char *cmd = xasprintf("rm -rf '%s'", tmpdir);
	int rc = system(cmd);

	free(cmd);
	return rc == 0 ? 0 : -1;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(simulated_quarter_matches_independent_figures),
		cmocka_unit_test(boundaries_are_inclusive_local_days),
		cmocka_unit_test(cancelled_meetings_and_auto_replies_never_count),
		cmocka_unit_test(empty_period_gives_zeros),
		cmocka_unit_test(medians_and_sides),
		cmocka_unit_test(bad_periods_are_refused),
		cmocka_unit_test(writers_agree_with_the_figures),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
