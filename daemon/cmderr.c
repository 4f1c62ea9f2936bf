/*
 * cmderr: the parser's errors — recording them on the mail, the edit
 * distance its "did you mean" suggestions are chosen by, and their text in
 * English and Ukrainian.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "cmd_int.h"
#include "dates.h"
#include "util.h"

struct what_text {
	const char	*en, *uk;		/* what it is */
	const char	*expect_en, *expect_uk;	/* what is expected */
	int		 enumerated;		/* "unknown X" vs "invalid X" */
};

static const struct what_text whats[] = {
	[CW_NONE] = { "argument", "аргумент", "", "", 0 },
	[CW_STAGE] = { "stage", "етап",
	    "one of prospect, contacted, introduced, meeting_held, planning, "
	    "joint_projects, dormant, closed",
	    "одне з prospect, contacted, introduced, meeting_held, planning, "
	    "joint_projects, dormant, closed", 1 },
	[CW_KIND] = { "kind", "тип",
	    "municipality, volunteer, diplomatic, ngo or other",
	    "municipality, volunteer, diplomatic, ngo або other", 1 },
	[CW_COUNTRY] = { "country", "країна", "UA or US", "UA або US", 1 },
	[CW_LANG] = { "language", "мова", "uk or en", "uk або en", 1 },
	[CW_ZONE] = { "time zone", "часовий пояс",
	    "an IANA zone such as Europe/Kyiv or America/Chicago",
	    "пояс IANA, як-от Europe/Kyiv чи America/Chicago", 1 },
	[CW_HOURS] = { "hours", "години", "e.g. Mon-Fri 09:00-17:00",
	    "напр. Mon-Fri 09:00-17:00", 0 },
	[CW_EMAIL] = { "address", "адреса", "name@example.org",
	    "name@example.org", 0 },
	[CW_ID] = { "id", "номер", "#41", "#41", 0 },
	[CW_DATE] = { "date", "дата",
	    "2026-12-05, 05.12, 5 Dec, fri, tomorrow or in 3d",
	    "2026-12-05, 05.12, 5 грудня, пт, завтра або через 3 дні", 0 },
	[CW_WINDOW] = { "window", "вікно",
	    "2026-12-01..2026-12-12, next week or in 2w",
	    "2026-12-01..2026-12-12, наступного тижня або через 2 тижні", 0 },
	[CW_DURATION] = { "duration", "тривалість", "45m, 1h or 90 min",
	    "45 хв, 1 год або 90 min", 0 },
	[CW_FORMAT] = { "format", "формат", "text, csv or html",
	    "text, csv або html", 1 },
	[CW_BOOL] = { "value", "значення", "yes or no", "так або ні", 0 },
	[CW_PARTNERSHIP] = { "partnership", "партнерство",
	    "a slug (lviv-madison), #id or \"Lviv – Madison\"",
	    "slug (lviv-madison), #номер або \"Львів – Медісон\"", 0 },
	[CW_PAIR] = { "pair of organisations", "пара організацій",
	    "UA org – US org", "орг. UA – орг. US", 0 },
	[CW_NAME] = { "name", "назва", "a name", "назва", 0 },
	[CW_TEXT] = { "text", "текст", "some text", "текст", 0 },
	[CW_DOMAIN] = { "domain", "домен", "example.org", "example.org", 0 },
	[CW_URL] = { "link", "посилання", "https://…", "https://…", 0 },
	[CW_OWNER] = { "owner", "відповідальний", "an org, a contact or me",
	    "організація, контакт або я", 0 },
	[CW_TITLE] = { "title", "назва", "\"title\"", "\"назва\"", 0 },
	[CW_WITH] = { "attendees", "учасники", "with ADDRESS, ORG",
	    "з ADDRESS, ORG", 0 },
	[CW_SLOT] = { "slot", "варіант", "1 to 9", "від 1 до 9", 0 },
};

static size_t
u8_next(const char *s, uint32_t *cp)
{
	const unsigned char *p = (const unsigned char *)s;

	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if ((p[0] & 0xe0) == 0xc0 && (p[1] & 0xc0) == 0x80) {
		*cp = ((uint32_t)(p[0] & 0x1f) << 6) | (p[1] & 0x3f);
		return 2;
	}
	if ((p[0] & 0xf0) == 0xe0 && (p[1] & 0xc0) == 0x80 &&
	    (p[2] & 0xc0) == 0x80) {
		*cp = ((uint32_t)(p[0] & 0x0f) << 12) |
		    ((uint32_t)(p[1] & 0x3f) << 6) | (p[2] & 0x3f);
		return 3;
	}
	if ((p[0] & 0xf8) == 0xf0 && (p[1] & 0xc0) == 0x80 &&
	    (p[2] & 0xc0) == 0x80 && (p[3] & 0xc0) == 0x80) {
		*cp = ((uint32_t)(p[0] & 0x07) << 18) |
		    ((uint32_t)(p[1] & 0x3f) << 12) |
		    ((uint32_t)(p[2] & 0x3f) << 6) | (p[3] & 0x3f);
		return 4;
	}
	*cp = 0xfffd;
	return 1;
}

/* Code points of s without '-', '_' and ' '; at most MAXCP. */
size_t
cmd_to_cps(const char *s, uint32_t *out)
{
	size_t n = 0;
	uint32_t c;

	while (*s != '\0' && n < MAXCP) {
		s += u8_next(s, &c);
		if (c != '-' && c != '_' && c != ' ')
			out[n++] = c;
	}
	return n;
}

/*
 * Edit distance over code points (both at most MAXCP), counting a swap of
 * two neighbours as one edit (optimal string alignment): "Етпа" is one
 * edit from "Етап".
 */
static size_t
edit_distance(const uint32_t *a, size_t na, const uint32_t *b, size_t nb)
{
	size_t r0[MAXCP + 1], r1[MAXCP + 1], r2[MAXCP + 1];
	size_t *pp = r0, *prev = r1, *cur = r2, *t, i, j, best;

	for (j = 0; j <= nb; j++)
		prev[j] = j;
	for (i = 1; i <= na; i++) {
		cur[0] = i;
		for (j = 1; j <= nb; j++) {
			best = prev[j - 1] + (a[i - 1] != b[j - 1]);
			if (prev[j] + 1 < best)
				best = prev[j] + 1;
			if (cur[j - 1] + 1 < best)
				best = cur[j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && pp[j - 2] + 1 < best)
				best = pp[j - 2] + 1;
			cur[j] = best;
		}
		t = pp;
		pp = prev;
		prev = cur;
		cur = t;
	}
	return prev[nb];
}

/* The farthest a word may be from a candidate to be called a near miss. */
static size_t
near_limit(size_t n)
{
	return n <= 4 ? 1 : 2;
}

/*
 * Keeps cand as the best suggestion so far for the folded word when it is
 * nearer than *best and within the near-miss limit.
 */
void
cmd_consider(const uint32_t *w, size_t nw, const char *cand, const char *show,
    size_t *best, const char **sugg)
{
	struct buf b;
	uint32_t c[MAXCP];
	size_t nc, d;

	buf_init(&b);
	cmd_fold(cand, &b);
	nc = cmd_to_cps(b.data, c);
	buf_free(&b);
	d = edit_distance(w, nw, c, nc);
	if (d > 0 && d <= near_limit(nw) && d < *best) {
		*best = d;
		*sugg = show;
	}
}

void
cmd_add_error(struct pctx *p, enum cmd_errcode code, enum cmd_what what,
    const char *word, const char *sugg, enum dates_error de)
{
	struct cmd_mail *m = p->m;
	struct cmd_error *e;

	p->failed = 1;
	if (m->nerrors == CMD_MAX_ERRORS) {
		code = CE_TOO_MANY_ERRORS;
		what = CW_NONE;
		word = sugg = NULL;
		p->stop = 1;
	}
	if (m->nerrors == p->ecap) {
		p->ecap = p->ecap ? p->ecap * 2 : 4;
		m->errors = xreallocarray(m->errors, p->ecap, sizeof(*e));
	}
	e = &m->errors[m->nerrors++];
	memset(e, 0, sizeof(*e));
	e->lineno = p->lineno;
	e->text = p->text != NULL ? xstrdup(p->text) : NULL;
	e->code = code;
	e->kw = p->kw;
	e->what = what;
	e->word = word != NULL ? xstrndup(word, 200) : NULL;
	e->suggestion = sugg;
	e->date_err = de;
}

void
cmd_bad_value(struct pctx *p, enum cmd_what what, const char *word,
    const char *sugg)
{
	cmd_add_error(p, CE_BAD_VALUE, what, word, sugg, DATES_OK);
}

void
cmd_missing(struct pctx *p, enum cmd_what what)
{
	cmd_add_error(p, CE_MISSING, what, NULL, NULL, DATES_OK);
}

void
cmd_date_error(struct pctx *p, enum cmd_what what, const char *word,
    enum dates_error de)
{
	cmd_add_error(p, CE_DATE, what, word, NULL, de);
}

int
cmd_is_uk(const char *lang)
{
	return lang != NULL && strcmp(lang, "uk") == 0;
}

static const char *
field_list(enum cmd_kw kw, int uk)
{
	switch (kw) {
	case CMD_ORG:
		return uk ? "країна, тип, пояс, домен, години" :
		    "country, kind, tz, domain, hours";
	case CMD_CONTACT:
		return uk ? "орг, роль, пояс, мова, години" :
		    "org, role, tz, lang, hours";
	case CMD_NEXT_STEP:
		return uk ? "до, відповідальний" : "due, owner";
	case CMD_MEETING:
	case CMD_RESCHEDULE:
		return uk ? "тривалість, вікно, \"назва\", з, посилання, авто" :
		    "a duration, a window, \"title\", with, link, auto";
	case CMD_REPORT:
		return uk ? "FROM..TO, формат" : "FROM..TO, format";
	case CMD_NEW_PARTNERSHIP:
		return uk ? "координатор" : "coordinator";
	default:
		return "";
	}
}

char *
cmd_error_text(const struct cmd_error *e, const char *lang)
{
	const struct cmd_keyword *k = cmd_keyword(e->kw);
	const struct what_text *w = &whats[(unsigned)e->what <
	    nitems(whats) ? e->what : CW_NONE];
	const char *word = e->word != NULL ? e->word : "";
	int uk = cmd_is_uk(lang);
	struct buf b;

	buf_init(&b);
	if (e->lineno > 0)
		buf_printf(&b, uk ? "рядок %zu: " : "line %zu: ", e->lineno);
	switch (e->code) {
	case CE_UNKNOWN_KEYWORD:
		buf_printf(&b, uk ? "невідоме ключове слово «%s»" :
		    "unknown keyword '%s'", word);
		if (e->suggestion != NULL)
			buf_printf(&b, uk ? " — можливо, «%s»?" :
			    " — did you mean '%s'?", e->suggestion);
		else
			buf_adds(&b, uk ? "; список — у відповіді на «Довідка:»" :
			    "; send \"Help:\" for the list");
		break;
	case CE_NOT_COMMAND:
		buf_adds(&b, uk ? "очікувався рядок «Ключове-слово: аргументи» "
		    "(перед нотаткою залиште порожній рядок)" :
		    "expected 'Keyword: arguments' (leave a blank line before "
		    "a note)");
		break;
	case CE_MISSING:
		buf_printf(&b, uk ? "%s: бракує аргументу (%s)" :
		    "%s: missing the %s", k != NULL ? (uk ? k->uk : k->name) :
		    "?", uk ? w->uk : w->en);
		if (*(uk ? w->expect_uk : w->expect_en) != '\0')
			buf_printf(&b, uk ? "; очікується %s" :
			    "; expected %s", uk ? w->expect_uk : w->expect_en);
		break;
	case CE_BAD_VALUE:
		if (w->enumerated)
			buf_printf(&b, uk ? "невідоме значення (%s) «%s»" :
			    "unknown %s '%s'", uk ? w->uk : w->en, word);
		else
			buf_printf(&b, uk ? "неправильне значення (%s) «%s»" :
			    "invalid %s '%s'", uk ? w->uk : w->en, word);
		if (e->suggestion != NULL)
			buf_printf(&b, uk ? " — можливо, «%s»?" :
			    " — did you mean '%s'?", e->suggestion);
		else if (*(uk ? w->expect_uk : w->expect_en) != '\0')
			buf_printf(&b, uk ? "; очікується %s" :
			    "; expected %s", uk ? w->expect_uk : w->expect_en);
		break;
	case CE_UNKNOWN_FIELD:
		buf_printf(&b, uk ? "%s: незрозуміло «%s»" :
		    "%s: unexpected '%s'", k != NULL ? (uk ? k->uk : k->name) :
		    "?", word);
		if (e->suggestion != NULL)
			buf_printf(&b, uk ? " — можливо, «%s»?" :
			    " — did you mean '%s'?", e->suggestion);
		else if (*field_list(e->kw, uk) != '\0')
			buf_printf(&b, uk ? "; очікується %s" :
			    "; expected %s", field_list(e->kw, uk));
		break;
	case CE_DUPLICATE:
		buf_printf(&b, uk ? "%s вказано двічі" : "%s given twice",
		    uk ? w->uk : w->en);
		break;
	case CE_EXTRA:
		buf_printf(&b, uk ? "%s: зайвий аргумент «%s»" :
		    "%s: unexpected extra argument '%s'", k != NULL ?
		    (uk ? k->uk : k->name) : "?", word);
		break;
	case CE_DATE:
		buf_printf(&b, uk ? "%s «%s»: %s" : "%s '%s': %s",
		    uk ? w->uk : w->en, word,
		    dates_strerror(e->date_err, lang));
		break;
	case CE_TOO_MANY_LINES:
		buf_printf(&b, uk ? "забагато командних рядків (щонайбільше "
		    "%d)" : "too many command lines (max %d)", CMD_MAX_LINES);
		break;
	case CE_LINE_TOO_LONG:
		buf_printf(&b, uk ? "задовгий рядок (щонайбільше %d байтів)" :
		    "line too long (max %d bytes)", CMD_MAX_LINE);
		break;
	case CE_TOO_MANY_ERRORS:
		buf_adds(&b, uk ? "забагато помилок; далі не читалося" :
		    "too many errors; the rest was not read");
		break;
	}
	return buf_steal(&b);
}

char *
cmd_errors_text(const struct cmd_mail *m, const char *lang)
{
	struct buf b;
	size_t i;
	char *t;

	buf_init(&b);
	buf_add(&b, "", 0);
	for (i = 0; i < m->nerrors; i++) {
		t = cmd_error_text(&m->errors[i], lang);
		buf_adds(&b, t);
		buf_addc(&b, '\n');
		free(t);
		if (m->errors[i].text != NULL && *m->errors[i].text != '\0')
			buf_printf(&b, "    %s\n", m->errors[i].text);
	}
	if (m->nerrors > 0)
		buf_adds(&b, cmd_is_uk(lang) ? "\nНічого не виконано: виправте "
		    "рядки й надішліть лист ще раз.\n" : "\nNothing was done: "
		    "fix the lines and send the mail again.\n");
	return buf_steal(&b);
}
