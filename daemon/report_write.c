/*
 * report_write: the four renderings of a filled struct report (text,
 * CSV, JSON, and a self-contained HTML page with inline CSS and SVG
 * charts). The writers only read struct report; the figures and their
 * SQL are report.c's. Labels follow r->lang ("uk" or "en").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "json.h"
#include "report.h"
#include "tz.h"
#include "util.h"

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
