/*
 * report: the funders' report. report_compute() reads the figures of a
 * period (local days in the team's zone, both included) from the database
 * with this module's own read-only SQL into a struct report; the writers
 * turn a filled report into text, CSV, JSON or a self-contained HTML page
 * (inline CSS and SVG, no script, nothing remote). Figures and formatting
 * never mix: a writer never queries, compute never formats. Nothing here
 * prints or writes to the database. README.md "The funders' report"
 * defines every figure.
 */
#ifndef MISTOK_REPORT_H
#define MISTOK_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "tz.h"

struct buf;
struct config;
struct db;

/* The sides of a partnership, as orgs.country says. */
enum report_side { REPORT_UA, REPORT_US, REPORT_NSIDES };

/* The stages in their order; funnel[i] counts stage i or beyond. */
#define REPORT_NFUNNEL	6	/* prospect … joint_projects */
extern const char *const report_stages[REPORT_NFUNNEL];

/* A median of response times; median is in seconds, -1 when n is 0. */
struct report_median {
	int64_t	n;
	int64_t	median;
};

/* Consecutive stage_history rows of one partnership; from NULL: entered. */
struct report_transition {
	char	*from;
	char	*to;
	int64_t	 count;
};

struct report_month {
	int	year;
	int	month;			/* 1-12 */
	int64_t	held;
};

struct report_kind {
	char	*kind;			/* orgs.kind: municipality, … */
	int64_t	 contacts;
	int64_t	 learned;		/* of them, learned from mail */
};

/* Everything owned by the report; report_free() releases it. */
struct report {
	struct tz_date		 from, to;	/* the days asked for */
	char			*zone;		/* the team's IANA zone */
	char			 lang[3];	/* "uk" or "en": the writers' */
	time_t			 start, end;	/* UTC: [start, end) */
	time_t			 asof;		/* min(end, now) */
	time_t			 generated;	/* now */

	int64_t			 partnerships_total; /* created before end */
	int64_t			 accompanied;
	char			**accompanied_slugs;	/* accompanied of them */
	int64_t			 initiated;
	int64_t			 meetings_held;
	int64_t			 meetings_prepared;
	int64_t			 communities;
	char			**community_names;	/* communities of them */
	struct report_transition *transitions;
	size_t			 ntransitions;
	int64_t			 first_contact_to_planning;
	int64_t			 with_next_step;	/* of accompanied */
	struct report_median	 partner_reply[REPORT_NSIDES];
	struct report_median	 team_reply[REPORT_NSIDES];
	int64_t			 new_us_contacts;
	struct report_kind	*kinds;
	size_t			 nkinds;
	struct report_month	*months;		/* each month touched */
	size_t			 nmonths;
	int64_t			 funnel[REPORT_NFUNNEL];
};

/*
 * Fills *r (overwritten; report_free() it after success) with the figures
 * of the local days from..to in the config's [team] timezone, the
 * writers' language being [team] language. "Now" is clock_now(). Returns
 * 0, or -1 and *err (caller frees): bad dates, to before from, a period
 * over ten years, an unknown zone or a database error; *r is then empty.
 */
int report_compute(struct db *, struct tz_date from, struct tz_date to,
    const struct config *, struct report *r, char **err);
void report_free(struct report *);

/*
 * The writers append to out, in r->lang (labels in Ukrainian or English;
 * CSV and JSON keys are always the English snake_case names). Text is
 * for a terminal; CSV is RFC 4180 "figure,detail,value" rows (CRLF);
 * JSON is one pretty object; HTML is one UTF-8 page with a print style.
 */
void report_write_text(struct buf *out, const struct report *);
void report_write_csv(struct buf *out, const struct report *);
void report_write_json(struct buf *out, const struct report *);
void report_write_html(struct buf *out, const struct report *);

#endif
