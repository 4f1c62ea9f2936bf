/*
 * slots: each attendee's availability becomes a sorted list of disjoint UTC
 * intervals (one per working range of each local day, converted with tz),
 * plus their merged busy times; the grid is then walked once in time order
 * with a cursor per attendee, so a search costs O(grid points × attendees)
 * after O(days × attendees) zone conversions.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "slots.h"
#include "util.h"

#define DAY		86400
#define MISMATCH_SPAN	(35 * DAY)

/* Allowed [s, e); the working day the score is measured in is [ss, se). */
struct ivl {
	int64_t	s;
	int64_t	e;
	int64_t	ss;
	int64_t	se;
};

struct att {
	const struct slot_attendee *a;
	const struct tz	*z;
	struct ivl	*iv;
	size_t		 niv;
	size_t		 cap;
	size_t		 cur;
	struct slot_busy *busy;		/* sorted, merged */
	size_t		 nbusy;
	size_t		 bcur;
};

struct search {
	const struct slot_request *r;
	struct att	*at;
	size_t		 nat;
	int64_t		*bounds;	/* ndays + 1 local midnights, UTC */
	int		 ndays;
	int64_t		 dur;
	int64_t		 grid;
	int		 rstart;	/* relaxed hours, minutes */
	int		 rend;
};

struct cand {
	struct slot	s;
	int		valid;
};

static int64_t
local_utc(const struct tz *z, int64_t days, int minutes)
{
	return tz_utc(z, tz_date_from_days(days), 0, minutes, 0, 0, NULL);
}

static void
add_ivl(struct att *at, int64_t s, int64_t e, int64_t ss, int64_t se)
{
	if (e <= s)
		return;
	if (at->niv == at->cap) {
		at->cap = at->cap ? at->cap * 2 : 64;
		at->iv = xreallocarray(at->iv, at->cap, sizeof(*at->iv));
	}
	at->iv[at->niv].s = s;
	at->iv[at->niv].e = e;
	at->iv[at->niv].ss = ss;
	at->iv[at->niv].se = se;
	at->niv++;
}

static int
ivl_cmp(const void *a, const void *b)
{
	const struct ivl *x = a, *y = b;

	return x->s < y->s ? -1 : x->s > y->s;
}

static int
busy_cmp(const void *a, const void *b)
{
	const struct slot_busy *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/*
 * The attendee's working intervals around the window: normal hours, or
 * the relaxed day on each working day; holidays left out when asked.
 */
static void
build(const struct search *S, struct att *at, int relaxed, int holidays)
{
	const struct hours *h = at->a->hours;
	struct tz_local l;
	int64_t d, d0, d1;
	size_t i, n;
	int k, lo, hi, bit;

	at->niv = at->cur = 0;
	tz_local(at->z, S->bounds[0], &l);
	d0 = l.days - 1;
	tz_local(at->z, S->bounds[S->ndays], &l);
	d1 = l.days + 1;
	for (d = d0; d <= d1; d++) {
		if (holidays && holidays_lookup_days(at->a->holidays, d))
			continue;
		bit = 1 << tz_weekday(d);
		lo = INT_MAX;
		hi = INT_MIN;
		for (k = 0; k < h->n; k++) {
			if (!(h->r[k].days & bit))
				continue;
			if (h->r[k].start < lo)
				lo = h->r[k].start;
			if (h->r[k].end > hi)
				hi = h->r[k].end;
			if (!relaxed) {
				int64_t s = local_utc(at->z, d, h->r[k].start);
				int64_t e = local_utc(at->z, d, h->r[k].end);

				add_ivl(at, s, e, s, e);
			}
		}
		if (relaxed && lo < hi)
			add_ivl(at,
			    local_utc(at->z, d, lo < S->rstart ? lo : S->rstart),
			    local_utc(at->z, d, hi > S->rend ? hi : S->rend),
			    local_utc(at->z, d, lo), local_utc(at->z, d, hi));
	}
	if (at->niv > 1)
		qsort(at->iv, at->niv, sizeof(*at->iv), ivl_cmp);
	for (i = 0, n = 0; i < at->niv; i++) {
		if (n > 0 && at->iv[i].s <= at->iv[n - 1].e) {
			struct ivl *p = &at->iv[n - 1];

			if (at->iv[i].e > p->e)
				p->e = at->iv[i].e;
			if (at->iv[i].ss < p->ss)
				p->ss = at->iv[i].ss;
			if (at->iv[i].se > p->se)
				p->se = at->iv[i].se;
		} else
			at->iv[n++] = at->iv[i];
	}
	at->niv = n;
}

static void
load_busy(struct att *at)
{
	size_t i, n = 0;

	if (at->a->nbusy == 0)
		return;
	at->busy = xreallocarray(NULL, at->a->nbusy, sizeof(*at->busy));
	for (i = 0; i < at->a->nbusy; i++)
		if (at->a->busy[i].end > at->a->busy[i].start)
			at->busy[n++] = at->a->busy[i];
	qsort(at->busy, n, sizeof(*at->busy), busy_cmp);
	at->nbusy = 0;
	for (i = 0; i < n; i++) {
		if (at->nbusy > 0 && at->busy[i].start <=
		    at->busy[at->nbusy - 1].end) {
			if (at->busy[i].end > at->busy[at->nbusy - 1].end)
				at->busy[at->nbusy - 1].end = at->busy[i].end;
		} else
			at->busy[at->nbusy++] = at->busy[i];
	}
}

/*
 * Whether [s, e) fits the attendee; *score as in struct slot, in minutes.
 * Calls come with s increasing, so the cursors only move forward.
 */
static int
fits(struct att *at, int64_t s, int64_t e, int use_busy, int *score)
{
	const struct ivl *v;
	int64_t a, b;

	while (at->cur < at->niv && at->iv[at->cur].e <= s)
		at->cur++;
	if (at->cur == at->niv)
		return 0;
	v = &at->iv[at->cur];
	if (v->s > s || v->e < e)
		return 0;
	if (use_busy) {
		while (at->bcur < at->nbusy && at->busy[at->bcur].end <= s)
			at->bcur++;
		if (at->bcur < at->nbusy && at->busy[at->bcur].start < e)
			return 0;
	}
	a = s - v->ss;
	b = v->se - e;
	*score = (int)((a < b ? a : b) / 60);
	return 1;
}

static int
better(const struct slot *x, const struct slot *y)
{
	if (x->score != y->score)
		return x->score > y->score;
	if (x->optional_ok != y->optional_ok)
		return x->optional_ok > y->optional_ok;
	return x->start < y->start;
}

/* Walks the grid; keeps the best slot of each day in best[]. */
static int
walk(const struct search *S, int use_busy, struct cand *best)
{
	struct slot c;
	int64_t t;
	size_t i;
	int day = 0, found = 0, ok, sc;

	for (i = 0; i < S->nat; i++)
		S->at[i].cur = S->at[i].bcur = 0;
	memset(best, 0, S->ndays * sizeof(*best));
	for (t = S->bounds[0]; t + S->dur <= S->bounds[S->ndays];
	    t += S->grid) {
		while (t >= S->bounds[day + 1])
			day++;
		memset(&c, 0, sizeof(c));
		c.score = INT_MAX;
		c.worst = -1;
		ok = 1;
		for (i = 0; i < S->nat && ok; i++) {
			if (!S->at[i].a->required)
				continue;
			if (!fits(&S->at[i], t, t + S->dur, use_busy, &sc))
				ok = 0;
			else if (sc < c.score) {
				c.score = sc;
				c.worst = (int)i;
			}
		}
		if (!ok)
			continue;
		for (i = 0; i < S->nat; i++)
			if (!S->at[i].a->required &&
			    fits(&S->at[i], t, t + S->dur, use_busy, &sc))
				c.optional_ok++;
		c.start = (time_t)t;
		c.end = (time_t)(t + S->dur);
		if (!best[day].valid || better(&c, &best[day].s)) {
			best[day].s = c;
			best[day].valid = 1;
		}
		found++;
	}
	return found;
}

static int
cand_cmp(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	if (x->valid != y->valid)
		return x->valid ? -1 : 1;
	if (!x->valid)
		return 0;
	return better(&x->s, &y->s) ? -1 : better(&y->s, &x->s) ? 1 : 0;
}

int
slots_dst_mismatch(const struct tz *a, const struct tz *b, time_t t)
{
	int now, before, after;

	now = tz_offset(a, t) - tz_offset(b, t);
	before = tz_offset(a, t - MISMATCH_SPAN) -
	    tz_offset(b, t - MISMATCH_SPAN);
	after = tz_offset(a, t + MISMATCH_SPAN) -
	    tz_offset(b, t + MISMATCH_SPAN);
	return before == after && now != before;
}

static const char *
who(const struct att *at, char *buf, size_t len)
{
	if (at->a->label != NULL && *at->a->label != '\0')
		snprintf(buf, len, "%s (%s)", at->a->label, tz_name(at->z));
	else
		snprintf(buf, len, "%s", tz_name(at->z));
	return buf;
}

/* Order of attendees in reasons: label, then zone, then position. */
static int
att_order(const void *a, const void *b, void *arg)
{
	const struct search *S = arg;
	const struct att *x = &S->at[*(const size_t *)a];
	const struct att *y = &S->at[*(const size_t *)b];
	const char *lx = x->a->label ? x->a->label : "";
	const char *ly = y->a->label ? y->a->label : "";
	int c;

	if ((c = strcmp(lx, ly)) != 0)
		return c;
	if ((c = strcmp(tz_name(x->z), tz_name(y->z))) != 0)
		return c;
	return *(const size_t *)a < *(const size_t *)b ? -1 : 1;
}

/* The longest stretch of [s, e) intervals common to x and y, in seconds. */
static int64_t
common(const struct search *S, const struct att *x, const struct att *y)
{
	int64_t lo = S->bounds[0], hi = S->bounds[S->ndays], best = 0, s, e;
	size_t i = 0, j = 0;

	while (i < x->niv && j < y->niv) {
		s = x->iv[i].s > y->iv[j].s ? x->iv[i].s : y->iv[j].s;
		e = x->iv[i].e < y->iv[j].e ? x->iv[i].e : y->iv[j].e;
		if (s < lo)
			s = lo;
		if (e > hi)
			e = hi;
		if (e - s > best)
			best = e - s;
		if (x->iv[i].e < y->iv[j].e)
			i++;
		else
			j++;
	}
	return best;
}

static int64_t
longest(const struct search *S, const struct att *x)
{
	return common(S, x, x);
}

/*
 * Nothing fits even relaxed: find the first reason, from the attendees'
 * hours alone to holidays to busy time. Deterministic: attendees are taken
 * in att_order, pairs in that order too.
 */
static void
explain(const struct search *S, struct cand *best, char *out, size_t len)
{
	char a[160], b[160];
	size_t *ord, n = 0, i, j;
	int64_t c;
	int dmin = (int)(S->dur / 60);

	ord = xreallocarray(NULL, S->nat, sizeof(*ord));
	for (i = 0; i < S->nat; i++) {
		build(S, &S->at[i], 1, 0);
		if (S->at[i].a->required)
			ord[n++] = i;
	}
	qsort_r(ord, n, sizeof(*ord), att_order, (void *)S);
	for (i = 0; i < n; i++) {
		c = longest(S, &S->at[ord[i]]);
		if (c == 0) {
			snprintf(out, len, "%s has no working hours in the "
			    "window", who(&S->at[ord[i]], a, sizeof(a)));
			goto done;
		}
		if (c < S->dur) {
			snprintf(out, len, "%s has no %d-minute stretch of "
			    "working time in the window",
			    who(&S->at[ord[i]], a, sizeof(a)), dmin);
			goto done;
		}
	}
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			if (common(S, &S->at[ord[i]], &S->at[ord[j]]) == 0) {
				snprintf(out, len, "%s and %s share no working "
				    "hour", who(&S->at[ord[i]], a, sizeof(a)),
				    who(&S->at[ord[j]], b, sizeof(b)));
				goto done;
			}
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			if ((c = common(S, &S->at[ord[i]], &S->at[ord[j]])) <
			    S->dur) {
				snprintf(out, len, "%s and %s share at most %d "
				    "minutes of working time in the window, "
				    "less than the %d-minute meeting",
				    who(&S->at[ord[i]], a, sizeof(a)),
				    who(&S->at[ord[j]], b, sizeof(b)),
				    (int)(c / 60), dmin);
				goto done;
			}
	if (walk(S, 0, best) == 0) {
		snprintf(out, len, "no %d-minute time lies inside every "
		    "required attendee's working hours, even relaxed to "
		    "%02d:%02d-%02d:%02d", dmin, S->rstart / 60,
		    S->rstart % 60, S->rend / 60, S->rend % 60);
		goto done;
	}
	for (i = 0; i < S->nat; i++)
		build(S, &S->at[i], 1, 1);
	if (walk(S, 0, best) == 0)
		snprintf(out, len, "public holidays leave no common working "
		    "time in the window");
	else
		snprintf(out, len, "every common working time in the window "
		    "is already busy");
done:
	free(ord);
}

static int
check_request(const struct slot_request *r, char **err)
{
	const struct hours *h;
	size_t i, nreq = 0;
	int k;

	if (r->natt == 0 || r->natt > SLOTS_MAX_ATTENDEES) {
		*err = xasprintf("slots: %zu attendees (1-%d allowed)",
		    r->natt, SLOTS_MAX_ATTENDEES);
		return -1;
	}
	if (r->duration < 1 || r->duration > 1440) {
		*err = xasprintf("slots: duration %d minutes (1-1440 allowed)",
		    r->duration);
		return -1;
	}
	if (r->grid < 0 || r->grid > 1440) {
		*err = xasprintf("slots: grid %d minutes", r->grid);
		return -1;
	}
	if (r->relaxed_start < 0 || r->relaxed_end > 1440 ||
	    (r->relaxed_start >= r->relaxed_end &&
	    (r->relaxed_start || r->relaxed_end))) {
		*err = xasprintf("slots: relaxed hours %d-%d minutes",
		    r->relaxed_start, r->relaxed_end);
		return -1;
	}
	if (!tz_date_valid(r->from) || !tz_date_valid(r->to) ||
	    tz_days_from_date(r->to) < tz_days_from_date(r->from) ||
	    tz_days_from_date(r->to) - tz_days_from_date(r->from) >=
	    SLOTS_MAX_DAYS) {
		*err = xasprintf("slots: window %04d-%02d-%02d..%04d-%02d-%02d "
		    "(up to %d days, first day first)", r->from.year,
		    r->from.month, r->from.day, r->to.year, r->to.month,
		    r->to.day, SLOTS_MAX_DAYS);
		return -1;
	}
	for (i = 0; i < r->natt; i++) {
		h = r->att[i].hours;
		if (h == NULL || h->n < 0 || h->n > HOURS_MAX) {
			*err = xasprintf("slots: attendee %zu: no working "
			    "hours", i + 1);
			return -1;
		}
		for (k = 0; k < h->n; k++)
			if (h->r[k].start < 0 || h->r[k].end > 1440 ||
			    h->r[k].start >= h->r[k].end) {
				*err = xasprintf("slots: attendee %zu: bad "
				    "working hours", i + 1);
				return -1;
			}
		nreq += r->att[i].required != 0;
	}
	if (nreq == 0) {
		*err = xstrdup("slots: no required attendee");
		return -1;
	}
	return 0;
}

int
slots_find(const struct slot_request *r, struct slot_result *out,
    char **err)
{
	struct search S;
	struct cand *best = NULL;
	const struct tz *wz;
	int64_t d0;
	size_t i, j;
	int k, pass, nmax, rc = -1;
	char *zerr;

	*err = NULL;
	memset(out, 0, sizeof(*out));
	if (check_request(r, err) == -1)
		return -1;
	memset(&S, 0, sizeof(S));
	S.r = r;
	if ((wz = tz_get(r->zone, &zerr)) == NULL) {
		*err = xasprintf("slots: window: %s", zerr);
		free(zerr);
		return -1;
	}
	S.at = xcalloc(r->natt, sizeof(*S.at));
	S.nat = r->natt;
	for (i = 0; i < r->natt; i++) {
		S.at[i].a = &r->att[i];
		if ((S.at[i].z = tz_get(r->att[i].zone, &zerr)) == NULL) {
			*err = xasprintf("slots: attendee %zu: %s", i + 1,
			    zerr);
			free(zerr);
			goto out;
		}
		load_busy(&S.at[i]);
	}
	S.dur = (int64_t)r->duration * 60;
	S.grid = (int64_t)(r->grid ? r->grid : 15) * 60;
	S.rstart = r->relaxed_start || r->relaxed_end ? r->relaxed_start : 480;
	S.rend = r->relaxed_start || r->relaxed_end ? r->relaxed_end : 1200;
	d0 = tz_days_from_date(r->from);
	S.ndays = (int)(tz_days_from_date(r->to) - d0 + 1);
	S.bounds = xreallocarray(NULL, S.ndays + 1, sizeof(*S.bounds));
	for (k = 0; k <= S.ndays; k++)
		S.bounds[k] = local_utc(wz, d0 + k, 0);
	best = xreallocarray(NULL, S.ndays, sizeof(*best));
	nmax = r->max_slots > 0 && r->max_slots < SLOTS_MAX ? r->max_slots :
	    SLOTS_MAX;

	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < S.nat; i++)
			build(&S, &S.at[i], pass, 1);
		if (walk(&S, 1, best) > 0)
			break;
	}
	if (pass == 2) {
		explain(&S, best, out->reason, sizeof(out->reason));
		rc = 0;
		goto out;
	}
	out->relaxed = pass;
	qsort(best, S.ndays, sizeof(*best), cand_cmp);
	for (k = 0; k < S.ndays && k < nmax && best[k].valid; k++) {
		struct slot *s = &out->slot[out->n++];

		*s = best[k].s;
		s->relaxed = pass;
		for (i = 0; i < S.nat && !s->dst_mismatch; i++)
			for (j = i + 1; j < S.nat; j++)
				if (S.at[i].z != S.at[j].z &&
				    slots_dst_mismatch(S.at[i].z, S.at[j].z,
				    s->start)) {
					s->dst_mismatch = 1;
					break;
				}
	}
	rc = 0;
out:
	for (i = 0; i < S.nat; i++) {
		free(S.at[i].iv);
		free(S.at[i].busy);
	}
	free(S.at);
	free(S.bounds);
	free(best);
	return rc;
}
