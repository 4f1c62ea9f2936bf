/*
 * cmdexec_info: the lines that only answer — Show, Search and Report
 * (as text or an attachment). They read and never write the database.
 */
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "cmdexec_int.h"
#include "dates.h"
#include "log.h"
#include "report.h"
#include "search.h"
#include "steps.h"
#include "timeline.h"
#include "tz.h"
#include "util.h"

#define SEARCH_MAX	20	/* messages listed by Search */

/* ---- Show --------------------------------------------------------------- */

static int
show_step(const struct step *s, void *arg)
{
	struct xc *x = arg;
	char *day = s->has_due ? cx_fmt_day(x, s->due) : NULL;

	cx_say(x, "  #%lld %s%s%s%s%s", (long long)s->id, s->text,
	    day ? " — " : "", day ? day : "", s->owner_name ? " — " : "",
	    s->owner_name ? s->owner_name : "");
	free(day);
	return 0;
}

int
cx_exec_show(struct xc *x, int64_t pid)
{
	struct timeline t;
	struct steps_filter f;
	const struct tl_message *last[2] = { NULL, NULL };
	char *err = NULL, *when;
	size_t i, k;
	int rc;

	if ((rc = timeline_load(x->db, pid, &t, &err)) != 1) {
		free(err);
		return rc;
	}
	cx_say(x, "%s (#%lld): %s – %s", t.p.slug, (long long)t.p.id,
	    t.p.ua_org_name ? t.p.ua_org_name : "?",
	    t.p.us_org_name ? t.p.us_org_name : "?");
	cx_say(x, L(x, "stage: %s", "етап: %s"), t.p.stage ? t.p.stage : "-");
	for (i = 0; i < t.p.nhistory; i++) {
		when = cx_fmt_time(x, t.p.history[i].at);
		cx_say(x, "  %s  %s  %s", when, t.p.history[i].stage,
		    t.p.history[i].actor ? t.p.history[i].actor : "");
		free(when);
	}
	for (i = 0; i < t.nthreads; i++)
		for (k = 0; k < t.threads[i].nmsgs; k++) {
			const struct tl_message *m = &t.threads[i].msgs[k];
			int out;

			if (m->direction == NULL || strcmp(m->kind,
			    "correspondence") != 0)
				continue;
			out = strcmp(m->direction, "out") == 0;
			if (last[out] == NULL || m->date > last[out]->date)
				last[out] = m;
		}
	for (k = 0; k < 2; k++) {
		const struct tl_message *m = last[k];

		if (m == NULL) {
			cx_say(x, "%s -", k ? L(x, "last mail out:",
			    "останній лист від нас:") : L(x, "last mail in:",
			    "останній лист до нас:"));
			continue;
		}
		when = cx_fmt_time(x, m->date);
		cx_say(x, "%s %s, %s, \"%s\" (#%lld)", k ? L(x,
		    "last mail out:", "останній лист від нас:") : L(x,
		    "last mail in:", "останній лист до нас:"), when,
		    m->from.email, m->subject ? m->subject : "",
		    (long long)m->id);
		free(when);
	}
	cx_say(x, "%s", L(x, "open steps:", "відкриті кроки:"));
	memset(&f, 0, sizeof(f));
	f.partnership = pid;
	f.status = STEP_OPEN;
	if (steps_list(x->db, &f, show_step, x, &err) < 0) {
		free(err);
		timeline_free(&t);
		return -1;
	}
	cx_say(x, "%s", L(x, "meetings:", "зустрічі:"));
	for (i = 0; i < t.nmeetings; i++) {
		when = t.meetings[i].start ? cx_fmt_time(x,
		    t.meetings[i].start) : xstrdup("-");
		cx_say(x, "  #%lld %s, %s, %s", (long long)t.meetings[i].id,
		    when, t.meetings[i].status ? t.meetings[i].status : "",
		    t.meetings[i].title ? t.meetings[i].title : "");
		free(when);
	}
	timeline_free(&t);
	return 1;
}

/* ---- Search ------------------------------------------------------------- */

int
cx_exec_search(struct xc *x, const char *words)
{
	struct search_hit *h = NULL;
	char *when, *err = NULL;
	size_t n = 0, i;
	int partial = 0;

	if (search_query(x->db, words, x->msg, SEARCH_MAX + 1, &h, &n,
	    &partial, &err) == -1) {
		log_warnx("command: message %lld: %s", (long long)x->msg, err);
		free(err);
		return -1;
	}
	for (i = 0; i < n && i < SEARCH_MAX; i++) {
		when = cx_fmt_time(x, h[i].date);
		cx_say(x, "#%lld  %s  %s  %s  \"%s\"\n    %s",
		    (long long)h[i].id, when, h[i].from ? h[i].from : "",
		    h[i].slug ? h[i].slug : "-",
		    h[i].subject ? h[i].subject : "",
		    h[i].context ? h[i].context : "");
		free(when);
	}
	if (n > SEARCH_MAX)
		cx_say(x, "%s", L(x, "(more: add words to narrow it down)",
		    "(є ще: додайте слова, щоб звузити пошук)"));
	if (n == 0)
		cx_say(x, L(x, "no stored mail matches '%s'",
		    "жоден збережений лист не містить «%s»"), words);
	if (partial)
		cx_say(x, "%s", L(x, "(the search index is still catching up: "
		    "the newest mail may be missing)", "(пошуковий індекс ще "
		    "оновлюється: найновіших листів може бракувати)"));
	search_hits_free(h, n);
	return 1;
}

/* ---- Report ------------------------------------------------------------- */

int
cx_exec_report(struct xc *x, const struct cmd_line *l)
{
	const struct cmd_report *rp = &l->u.report;
	struct report r;
	struct tz_date from, to;
	struct buf b;
	char *err = NULL;
	struct attachment *a;

	if (rp->has_range) {
		from = rp->range.from;
		to = rp->range.to;
	} else {
		to = dates_today(x->zone, x->now);
		from = to;
		from.day = 1;
	}
	if (report_compute(x->db, from, to, x->conf, &r, &err) == -1) {
		cx_fail(x, l, 0, "%s", err ? err : "report");
		free(err);
		return 0;
	}
	memcpy(r.lang, x->lang, 2);
	r.lang[2] = '\0';
	buf_init(&b);
	if (rp->format == CMD_FMT_TEXT) {
		report_write_text(&b, &r);
		buf_addc(&b, '\0');
		cx_say(x, "%s", b.data);
		buf_free(&b);
	} else {
		if (rp->format == CMD_FMT_CSV)
			report_write_csv(&b, &r);
		else
			report_write_html(&b, &r);
		x->att = xreallocarray(x->att, x->natt + 1, sizeof(*x->att));
		a = &x->att[x->natt++];
		a->name = xasprintf("report-%04d-%02d-%02d-%04d-%02d-%02d.%s",
		    from.year, from.month, from.day, to.year, to.month, to.day,
		    rp->format == CMD_FMT_CSV ? "csv" : "html");
		a->type = xstrdup(rp->format == CMD_FMT_CSV ?
		    "text/csv" : "text/html");
		a->len = b.len;
		a->data = buf_steal(&b);
		cx_say(x, L(x, "the report is attached: %s",
		    "звіт у вкладенні: %s"), a->name);
	}
	report_free(&r);
	return 1;
}
