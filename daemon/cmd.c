/*
 * cmd: command mail bodies into struct cmd_mail. One pass over the lines
 * of the body: skip quoted lines, read a reply word, then the block of
 * "Keyword: arguments" lines up to the first blank line, then the note.
 * Each command line is bounded (CMD_MAX_LINE bytes, CMD_MAX_LINES lines),
 * so the whole parse is linear in the body.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "config.h"
#include "dates.h"
#include "util.h"

#define MAXTOKEN	40	/* bytes of a keyword before its colon */
#define MAXCP		64	/* code points compared for suggestions */
#define MAXARGS		32	/* ';'-separated arguments of one line */

static const struct cmd_keyword keywords[] = {
	{ CMD_PARTNERSHIP, "Partnership", "Партнерство",
	  "SLUG | #ID | \"UA org – US org\"",
	  "SLUG | #ID | \"орг. UA – орг. US\"",
	  "sets the partnership for the lines below",
	  "задає партнерство для рядків нижче" },
	{ CMD_NEW_PARTNERSHIP, "New-Partnership", "Нове-партнерство",
	  "UA org – US org ; coordinator EMAIL",
	  "орг. UA – орг. US ; координатор EMAIL",
	  "creates a partnership (and the context for the lines below)",
	  "створює партнерство (і контекст для рядків нижче)" },
	{ CMD_ORG, "Org", "Організація",
	  "name ; country UA/US ; kind municipality/volunteer/diplomatic/"
	  "ngo/other ; tz ZONE ; domain DOMAIN … ; hours Mon-Fri 09:00-17:00",
	  "назва ; країна UA/US ; тип municipality/volunteer/diplomatic/"
	  "ngo/other ; пояс ZONE ; домен DOMAIN … ; години Mon-Fri "
	  "09:00-17:00",
	  "adds or updates an organisation",
	  "додає або змінює організацію" },
	{ CMD_CONTACT, "Contact", "Контакт",
	  "Name <email> ; org ORG ; role TEXT ; tz ZONE ; lang uk/en ; "
	  "hours …",
	  "Ім'я <email> ; орг ORG ; роль TEXT ; пояс ZONE ; мова uk/en ; "
	  "години …",
	  "adds or updates a contact",
	  "додає або змінює контакт" },
	{ CMD_STAGE, "Stage", "Етап",
	  "prospect | contacted | introduced | meeting_held | planning | "
	  "joint_projects | dormant | closed",
	  "prospect | contacted | introduced | meeting_held | planning | "
	  "joint_projects | dormant | closed",
	  "records the partnership's stage",
	  "записує етап партнерства" },
	{ CMD_NEXT_STEP, "Next-Step", "Крок",
	  "text ; due DATE ; owner ORG/CONTACT/me",
	  "текст ; до DATE ; відповідальний ORG/CONTACT/я",
	  "adds a next step",
	  "додає наступний крок" },
	{ CMD_DONE, "Done", "Виконано", "#step", "#крок",
	  "marks a step done", "позначає крок виконаним" },
	{ CMD_NOTE, "Note", "Нотатка", "free text", "довільний текст",
	  "adds a note to the partnership", "додає нотатку до партнерства" },
	{ CMD_MEETING, "Meeting", "Зустріч",
	  "duration ; window ; \"title\" ; with ADDRESSES/ORGS ; link URL ; "
	  "auto",
	  "тривалість ; вікно ; \"назва\" ; з ADDRESSES/ORGS ; посилання "
	  "URL ; авто",
	  "proposes meeting slots, or books the best one with auto",
	  "пропонує час зустрічі або, з «авто», призначає найкращий" },
	{ CMD_RESCHEDULE, "Reschedule", "Перенести", "#meeting ; window",
	  "#зустріч ; вікно",
	  "moves a meeting into another window",
	  "переносить зустріч в інше вікно" },
	{ CMD_CANCEL, "Cancel", "Скасувати", "#meeting", "#зустріч",
	  "cancels a meeting", "скасовує зустріч" },
	{ CMD_SHOW, "Show", "Показати", "(none)", "(нічого)",
	  "a summary of the partnership: stage history, last mail, open "
	  "steps, meetings",
	  "підсумок партнерства: історія етапів, останні листи, відкриті "
	  "кроки, зустрічі" },
	{ CMD_SEARCH, "Search", "Пошук", "words", "слова",
	  "finds stored messages, newest first",
	  "шукає збережені листи, найновіші спершу" },
	{ CMD_ASSIGN, "Assign", "Призначити", "#message", "#лист",
	  "files the message's thread under the partnership",
	  "долучає гілку листа до партнерства" },
	{ CMD_REPORT, "Report", "Звіт", "FROM..TO ; format text/csv/html",
	  "FROM..TO ; формат text/csv/html",
	  "the activity report for a period", "звіт про роботу за період" },
	{ CMD_DIGEST, "Digest", "Дайджест", "(none)", "(нічого)",
	  "the digest now", "дайджест зараз" },
	{ CMD_HELP, "Help", "Довідка", "(none)", "(нічого)",
	  "this help", "ця довідка" },
	{ CMD_DRY_RUN, "Dry-Run", "Перевірка", "yes", "так",
	  "answers what the other lines would do and changes nothing",
	  "відповідає, що зробили б інші рядки, нічого не змінюючи" },
};

/* Further spellings (folded, without hyphens) of some keywords. */
static const struct {
	enum cmd_kw	 kw;
	const char	*alias;
} kw_alias[] = {
	{ CMD_ORG, "organisation" }, { CMD_ORG, "organization" },
	{ CMD_ORG, "орг" },
	{ CMD_NEXT_STEP, "step" }, { CMD_NEXT_STEP, "наступнийкрок" },
	{ CMD_STAGE, "стадія" },
	{ CMD_NOTE, "примітка" },
	{ CMD_HELP, "допомога" },
	{ CMD_DRY_RUN, "dryrun" },
	{ CMD_NEW_PARTNERSHIP, "новепартнерство" },
};

static const struct {
	const char	*name;
	const char	*uk;
} stages[] = {
	[STAGE_PROSPECT] = { "prospect", "потенційне" },
	[STAGE_CONTACTED] = { "contacted", "контакт" },
	[STAGE_INTRODUCED] = { "introduced", "знайомство" },
	[STAGE_MEETING_HELD] = { "meeting_held", "зустріч_відбулася" },
	[STAGE_PLANNING] = { "planning", "планування" },
	[STAGE_JOINT_PROJECTS] = { "joint_projects", "спільні_проєкти" },
	[STAGE_DORMANT] = { "dormant", "призупинено" },
	[STAGE_CLOSED] = { "closed", "закрито" },
};

static const struct {
	const char	*name;
	const char	*uk;
} kinds[] = {
	{ "municipality", "муніципалітет" }, { "volunteer", "волонтерська" },
	{ "diplomatic", "дипломатична" }, { "ngo", "го" },
	{ "other", "інше" },
};

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

/* Parser state for one mail. */
struct pctx {
	const struct cmd_opts	*opts;
	struct cmd_mail		*m;
	size_t			 cap;		/* of m->lines */
	size_t			 ecap;		/* of m->errors */
	size_t			 lineno;
	const char		*text;		/* current line, normalised */
	enum cmd_kw		 kw;
	int			 failed;	/* the current line has an error */
	int			 stop;		/* stop reading commands */
};

/* --- text helpers ------------------------------------------------------ */

static void
fold(const char *s, struct buf *b)
{
	buf_reset(b);
	dates_fold(s, strlen(s), b);
}

/*
 * A line with white space normalised but case kept: tabs, CR, NBSP and
 * the other Unicode spaces become ' ', zero-width characters go, runs of
 * spaces collapse, both ends are trimmed. Byte patterns only: the rest of
 * the line is copied as it is.
 */
static void
norm_line(const char *s, size_t len, struct buf *b)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	int space = 1, sp;

	buf_reset(b);
	buf_add(b, "", 0);
	while (i < len) {
		sp = 0;
		if (p[i] < 0x20 || p[i] == ' ' || p[i] == 0x7f) {
			sp = 1;
			i++;
		} else if (p[i] == 0xc2 && i + 1 < len && p[i + 1] == 0xa0) {
			sp = 1;
			i += 2;
		} else if (p[i] == 0xe2 && i + 2 < len && p[i + 1] == 0x80 &&
		    (p[i + 2] <= 0x8a || p[i + 2] == 0xaf)) {
			sp = 1;
			i += 3;
		} else if (p[i] == 0xe3 && i + 2 < len && p[i + 1] == 0x80 &&
		    p[i + 2] == 0x80) {
			sp = 1;
			i += 3;
		} else if ((p[i] == 0xe2 && i + 2 < len && p[i + 1] == 0x80 &&
		    p[i + 2] >= 0x8b && p[i + 2] <= 0x8d) || (p[i] == 0xef &&
		    i + 2 < len && p[i + 1] == 0xbb && p[i + 2] == 0xbf)) {
			i += 3;
			continue;
		}
		if (sp) {
			if (!space)
				buf_addc(b, ' ');
			space = 1;
			continue;
		}
		buf_addc(b, p[i++]);
		space = 0;
	}
	if (b->len > 0 && b->data[b->len - 1] == ' ')
		b->data[--b->len] = '\0';
}

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
static size_t
to_cps(const char *s, uint32_t *out)
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
static void
consider(const uint32_t *w, size_t nw, const char *cand, const char *show,
    size_t *best, const char **sugg)
{
	struct buf b;
	uint32_t c[MAXCP];
	size_t nc, d;

	buf_init(&b);
	fold(cand, &b);
	nc = to_cps(b.data, c);
	buf_free(&b);
	d = edit_distance(w, nw, c, nc);
	if (d > 0 && d <= near_limit(nw) && d < *best) {
		*best = d;
		*sugg = show;
	}
}

/* Folded and without '-', '_', ' ': the key keywords are compared by. */
static void
kw_key(const char *s, struct buf *b)
{
	size_t i, j;

	fold(s, b);
	for (i = j = 0; i < b->len; i++)
		if (b->data[i] != '-' && b->data[i] != '_' &&
		    b->data[i] != ' ')
			b->data[j++] = b->data[i];
	b->len = j;
	b->data[j] = '\0';
}

static enum cmd_kw
kw_lookup(const char *token)
{
	struct buf k, c;
	enum cmd_kw kw = CMD_NONE;
	size_t i;

	buf_init(&k);
	buf_init(&c);
	kw_key(token, &k);
	for (i = 0; i < nitems(keywords) && kw == CMD_NONE; i++) {
		kw_key(keywords[i].name, &c);
		if (strcmp(c.data, k.data) == 0)
			kw = keywords[i].kw;
		kw_key(keywords[i].uk, &c);
		if (strcmp(c.data, k.data) == 0)
			kw = keywords[i].kw;
	}
	for (i = 0; i < nitems(kw_alias) && kw == CMD_NONE; i++)
		if (strcmp(kw_alias[i].alias, k.data) == 0)
			kw = kw_alias[i].kw;
	buf_free(&k);
	buf_free(&c);
	return kw;
}

/* The nearest keyword (in the word's own script), or NULL. */
static const char *
kw_suggest(const char *token)
{
	struct buf k;
	uint32_t w[MAXCP];
	const char *sugg = NULL;
	size_t nw, i, best = SIZE_MAX;

	buf_init(&k);
	kw_key(token, &k);
	nw = to_cps(k.data, w);
	buf_free(&k);
	for (i = 0; i < nitems(keywords); i++) {
		consider(w, nw, keywords[i].name, keywords[i].name, &best,
		    &sugg);
		consider(w, nw, keywords[i].uk, keywords[i].uk, &best, &sugg);
	}
	return sugg;
}

/*
 * Splits "Keyword: arguments". Returns 1 with the token (as written,
 * trimmed) and *args pointing after the colon, or 0 when the line has no
 * such shape: the token is 1-40 bytes of letters, '-', '_' and at most
 * two spaces, and a ':' follows it.
 */
static int
split_kw(const char *t, char *token, const char **args, int *hyphen,
    int *spaces)
{
	const char *c = strchr(t, ':');
	size_t n, i;

	*hyphen = *spaces = 0;
	if (c == NULL || c == t || (size_t)(c - t) > MAXTOKEN)
		return 0;
	n = (size_t)(c - t);
	while (n > 0 && t[n - 1] == ' ')
		n--;
	if (n == 0)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)t[i];

		if (ch == '-' || ch == '_')
			*hyphen = 1;
		else if (ch == ' ')
			(*spaces)++;
		else if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' &&
		    ch <= 'Z') || ch >= 0x80 || ch == '\''))
			return 0;
	}
	if (*spaces > 2 || t[0] == '-' || t[n - 1] == '-')
		return 0;
	memcpy(token, t, n);
	token[n] = '\0';
	c++;
	while (*c == ' ')
		c++;
	*args = c;
	return 1;
}

/* "Word:" near a keyword, or any "Word-Word:". */
static int
looks_like_keyword(const char *token, int hyphen, int spaces)
{
	if (spaces > 0)
		return 0;
	if (hyphen)
		return 1;
	return kw_suggest(token) != NULL;
}

/* --- errors ------------------------------------------------------------ */

static void
add_error(struct pctx *p, enum cmd_errcode code, enum cmd_what what,
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

static void
bad_value(struct pctx *p, enum cmd_what what, const char *word,
    const char *sugg)
{
	add_error(p, CE_BAD_VALUE, what, word, sugg, DATES_OK);
}

static void
missing(struct pctx *p, enum cmd_what what)
{
	add_error(p, CE_MISSING, what, NULL, NULL, DATES_OK);
}

static void
date_error(struct pctx *p, enum cmd_what what, const char *word,
    enum dates_error de)
{
	add_error(p, CE_DATE, what, word, NULL, de);
}

/* --- arguments --------------------------------------------------------- */

struct args {
	char	*v[MAXARGS];
	size_t	 n;
	int	 overflow;
};

static int
is_open_quote(const char *s, size_t *len, const char **close)
{
	if (*s == '"') {
		*len = 1;
		*close = "\"";
		return 1;
	}
	if (strncmp(s, "\xe2\x80\x9c", 3) == 0) {	/* “ */
		*len = 3;
		*close = "\xe2\x80\x9d";
		return 1;
	}
	if (strncmp(s, "\xc2\xab", 2) == 0) {		/* « */
		*len = 2;
		*close = "\xc2\xbb";
		return 1;
	}
	if (strncmp(s, "\xe2\x80\x9e", 3) == 0) {	/* „ */
		*len = 3;
		*close = "\xe2\x80\x9c";
		return 1;
	}
	return 0;
}

/* Splits s in place at ';' outside quotes; trims; drops empty ones. */
static void
split_args(char *s, struct args *a)
{
	const char *close = NULL;
	char *start = s, *p = s;
	size_t ql;

	memset(a, 0, sizeof(*a));
	for (;;) {
		if (close == NULL && is_open_quote(p, &ql, &close)) {
			p += ql;
			continue;
		}
		if (close != NULL && strncmp(p, close, strlen(close)) == 0) {
			p += strlen(close);
			close = NULL;
			continue;
		}
		if (*p == '\0' || (*p == ';' && close == NULL)) {
			int end = *p == '\0';

			*p = '\0';
			str_trim(start);
			if (*start != '\0') {
				if (a->n == MAXARGS)
					a->overflow = 1;
				else
					a->v[a->n++] = start;
			}
			if (end)
				return;
			start = ++p;
			continue;
		}
		p++;
	}
}

/* Removes one pair of surrounding quotes in place. */
static char *
unquote(char *s)
{
	const char *close;
	size_t ql, cl, n = strlen(s);

	if (is_open_quote(s, &ql, &close)) {
		cl = strlen(close);
		if (n >= ql + cl && strcmp(s + n - cl, close) == 0) {
			s[n - cl] = '\0';
			memmove(s, s + ql, n - ql - cl + 1);
			str_trim(s);
		}
	}
	return s;
}

/*
 * Cuts "key value": the first word folded into key (up to 31 bytes), the
 * rest into *value (may be ""). Returns the key.
 */
static const char *
arg_key(char *arg, struct buf *key, char **value)
{
	char *sp = strchr(arg, ' ');
	char save;

	if (sp != NULL) {
		save = *sp;
		*sp = '\0';
		fold(arg, key);
		*sp = save;
		*value = sp + 1;
		while (**value == ' ')
			(*value)++;
	} else {
		fold(arg, key);
		*value = arg + strlen(arg);
	}
	/* "key: value" and "key=value" are forgiven. */
	if (key->len > 1 && (key->data[key->len - 1] == ':' ||
	    key->data[key->len - 1] == '='))
		key->data[--key->len] = '\0';
	return key->data;
}

struct field {
	int		 id;
	const char	*names[6];	/* folded; [0] is the English one */
};

static int
field_lookup(const struct field *f, size_t nf, const char *key)
{
	size_t i, j;

	for (i = 0; i < nf; i++)
		for (j = 0; j < nitems(f[i].names) && f[i].names[j]; j++)
			if (strcmp(f[i].names[j], key) == 0)
				return f[i].id;
	return -1;
}

static const char *
field_suggest(const struct field *f, size_t nf, const char *key)
{
	uint32_t w[MAXCP];
	const char *sugg = NULL;
	size_t nw, i, j, best = SIZE_MAX;

	nw = to_cps(key, w);
	for (i = 0; i < nf; i++)
		for (j = 0; j < nitems(f[i].names) && f[i].names[j]; j++)
			consider(w, nw, f[i].names[j], f[i].names[j], &best,
			    &sugg);
	return sugg;
}

static int
valid_email(const char *s)
{
	const char *at = strchr(s, '@'), *p;

	if (at == NULL || at == s || strchr(at + 1, '@') != NULL ||
	    strlen(s) > 254 || strchr(at + 1, '.') == NULL ||
	    at[1] == '.' || s[strlen(s) - 1] == '.')
		return 0;
	for (p = s; *p; p++)
		if ((unsigned char)*p <= ' ' || strchr("<>()[],;:\"\\", *p))
			return 0;
	return 1;
}

static char *
lower_dup(const char *s)
{
	char *r = xstrdup(s);

	str_lower(r);
	return r;
}

static int
valid_domain(const char *s)
{
	const char *p;

	if (*s == '\0' || strlen(s) > 253 || strchr(s, '.') == NULL ||
	    *s == '.' || *s == '-')
		return 0;
	for (p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '.'))
			return 0;
	return 1;
}

/* "#41", "41", "step #41": 1 and *id, else 0. */
static int
parse_id(const char *s, int64_t *id)
{
	const char *sp;
	int64_t v = 0;
	int n = 0;

	if ((sp = strrchr(s, ' ')) != NULL && strchr(sp, '#') != NULL)
		s = sp + 1;
	if (*s == '#')
		s++;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (++n > 15)
			return 0;
		v = v * 10 + (*s - '0');
	}
	if (n == 0 || *s != '\0' || v == 0)
		return 0;
	*id = v;
	return 1;
}

/* Finds the dash of "A – B" (en dash, em dash, or a spaced hyphen). */
static int
split_pair(const char *s, char **a, char **b)
{
	static const char *const dashes[] = {
		"\xe2\x80\x93", "\xe2\x80\x94", "\xe2\x80\x92",
		"\xe2\x88\x92", " - ", " -- ",
	};
	const char *d = NULL, *x;
	size_t i, dl = 0;

	for (i = 0; i < nitems(dashes); i++) {
		if ((x = strstr(s, dashes[i])) != NULL && (d == NULL || x < d)) {
			d = x;
			dl = strlen(dashes[i]);
		}
	}
	if (d == NULL)
		return 0;
	*a = str_trim(xstrndup(s, (size_t)(d - s)));
	*b = str_trim(xstrdup(d + dl));
	unquote(*a);
	unquote(*b);
	if (**a == '\0' || **b == '\0' || strlen(*a) > 200 ||
	    strlen(*b) > 200) {
		free(*a);
		free(*b);
		*a = *b = NULL;
		return -1;
	}
	return 1;
}

static int
parse_ref(struct pctx *p, char *arg, struct cmd_ref *r)
{
	struct buf b;
	char *a, *z;
	const char *q;
	int rc;

	memset(r, 0, sizeof(*r));
	unquote(arg);
	if (*arg == '#' || (*arg >= '0' && *arg <= '9')) {
		if (!parse_id(arg, &r->id)) {
			bad_value(p, CW_ID, arg, NULL);
			return -1;
		}
		r->kind = CMD_REF_ID;
		return 0;
	}
	if ((rc = split_pair(arg, &a, &z)) != 0) {
		if (rc < 0) {
			bad_value(p, CW_PARTNERSHIP, arg, NULL);
			return -1;
		}
		r->kind = CMD_REF_PAIR;
		r->ua_org = a;
		r->us_org = z;
		return 0;
	}
	buf_init(&b);
	fold(arg, &b);
	for (q = b.data; *q; q++)
		if (!((*q >= 'a' && *q <= 'z') || (*q >= '0' && *q <= '9') ||
		    *q == '-'))
			break;
	if (*q != '\0' || b.len == 0 || b.len > 64) {
		bad_value(p, CW_PARTNERSHIP, arg, NULL);
		buf_free(&b);
		return -1;
	}
	r->kind = CMD_REF_SLUG;
	r->slug = buf_steal(&b);
	return 0;
}

/* The arguments of a keyword that takes none (or ignores them). */
static int
no_args(struct pctx *p, struct args *a)
{
	if (a->n > 0) {
		add_error(p, CE_EXTRA, CW_NONE, a->v[0], NULL, DATES_OK);
		return -1;
	}
	return 0;
}

static int
one_id(struct pctx *p, struct args *a, int64_t *id)
{
	if (a->n == 0) {
		missing(p, CW_ID);
		return -1;
	}
	if (!parse_id(a->v[0], id)) {
		bad_value(p, CW_ID, a->v[0], NULL);
		return -1;
	}
	if (a->n > 1) {
		add_error(p, CE_EXTRA, CW_NONE, a->v[1], NULL, DATES_OK);
		return -1;
	}
	return 0;
}

static int
parse_stage(struct pctx *p, struct args *a, enum cmd_stage *st)
{
	struct buf b;
	uint32_t w[MAXCP];
	const char *sugg = NULL;
	size_t i, nw, best = SIZE_MAX;
	char *q;

	if (a->n == 0) {
		missing(p, CW_STAGE);
		return -1;
	}
	if (a->n > 1) {
		add_error(p, CE_EXTRA, CW_NONE, a->v[1], NULL, DATES_OK);
		return -1;
	}
	buf_init(&b);
	fold(a->v[0], &b);
	for (q = b.data; *q; q++)
		if (*q == ' ' || *q == '-')
			*q = '_';
	for (i = 0; i < nitems(stages); i++) {
		if (strcmp(b.data, stages[i].name) == 0 ||
		    strcmp(b.data, stages[i].uk) == 0) {
			*st = (enum cmd_stage)i;
			buf_free(&b);
			return 0;
		}
	}
	nw = to_cps(b.data, w);
	for (i = 0; i < nitems(stages); i++) {
		consider(w, nw, stages[i].name, stages[i].name, &best, &sugg);
		consider(w, nw, stages[i].uk, stages[i].uk, &best, &sugg);
	}
	buf_free(&b);
	bad_value(p, CW_STAGE, a->v[0], sugg);
	return -1;
}

/* Kind, country and language values; NULL when unknown. */
static const char *
kind_value(const char *folded, const char **sugg)
{
	uint32_t w[MAXCP];
	size_t i, nw, best = SIZE_MAX;

	for (i = 0; i < nitems(kinds); i++)
		if (strcmp(folded, kinds[i].name) == 0 ||
		    strcmp(folded, kinds[i].uk) == 0)
			return kinds[i].name;
	if (sugg != NULL) {
		nw = to_cps(folded, w);
		for (i = 0; i < nitems(kinds); i++) {
			consider(w, nw, kinds[i].name, kinds[i].name, &best,
			    sugg);
			consider(w, nw, kinds[i].uk, kinds[i].uk, &best, sugg);
		}
	}
	return NULL;
}

static const char *
country_value(const char *folded)
{
	static const char *const ua[] = { "ua", "ukraine", "україна", "укр",
		"уа", NULL };
	static const char *const us[] = { "us", "usa", "сша", "america",
		"united states", "америка", NULL };
	size_t i;

	for (i = 0; ua[i]; i++)
		if (strcmp(folded, ua[i]) == 0)
			return "UA";
	for (i = 0; us[i]; i++)
		if (strcmp(folded, us[i]) == 0)
			return "US";
	return NULL;
}

static const char *
lang_value(const char *folded, const char **sugg)
{
	static const char *const uk[] = { "uk", "ua", "укр", "українська",
		"ukrainian", NULL };
	static const char *const en[] = { "en", "англ", "англійська",
		"english", "eng", NULL };
	uint32_t w[MAXCP];
	size_t i, nw, best = SIZE_MAX;

	for (i = 0; uk[i]; i++)
		if (strcmp(folded, uk[i]) == 0)
			return "uk";
	for (i = 0; en[i]; i++)
		if (strcmp(folded, en[i]) == 0)
			return "en";
	if (sugg != NULL) {
		nw = to_cps(folded, w);
		for (i = 0; uk[i]; i++)
			consider(w, nw, uk[i], "uk", &best, sugg);
		for (i = 0; en[i]; i++)
			consider(w, nw, en[i], "en", &best, sugg);
	}
	return NULL;
}

/* A zone as written: canonical name, or NULL after an error. */
static char *
zone_value(struct pctx *p, const char *v)
{
	const char *z;

	if (*v == '\0') {
		missing(p, CW_ZONE);
		return NULL;
	}
	if ((z = config_canonical_zone(v)) == NULL) {
		bad_value(p, CW_ZONE, v, NULL);
		return NULL;
	}
	return xstrdup(z);
}

static int
hours_value(struct pctx *p, const char *v, int *has, struct hours *h,
    char **text)
{
	if (*v == '\0') {
		missing(p, CW_HOURS);
		return -1;
	}
	if (config_parse_hours(v, h) != 0) {
		bad_value(p, CW_HOURS, v, NULL);
		return -1;
	}
	*has = 1;
	*text = xstrdup(v);
	return 0;
}

static int
duplicate(struct pctx *p, int already, enum cmd_what what)
{
	if (already)
		add_error(p, CE_DUPLICATE, what, NULL, NULL, DATES_OK);
	return already;
}

enum { F_COUNTRY, F_KIND, F_TZ, F_DOMAIN, F_HOURS, F_ORG, F_ROLE, F_LANG,
	F_DUE, F_OWNER, F_WITH, F_LINK, F_TITLE, F_AUTO, F_DURATION,
	F_WINDOW, F_FORMAT, F_COORD, F_NAME, F_EMAIL };

static const struct field org_fields[] = {
	{ F_NAME, { "name", "назва" } },
	{ F_COUNTRY, { "country", "країна" } },
	{ F_KIND, { "kind", "тип", "вид", "type" } },
	{ F_TZ, { "tz", "timezone", "zone", "пояс", "часовий" } },
	{ F_DOMAIN, { "domain", "domains", "домен", "домени" } },
	{ F_HOURS, { "hours", "години", "графік" } },
};

static const struct field contact_fields[] = {
	{ F_ORG, { "org", "organisation", "organization", "організація",
	    "орг" } },
	{ F_ROLE, { "role", "роль", "посада" } },
	{ F_TZ, { "tz", "timezone", "zone", "пояс", "часовий" } },
	{ F_LANG, { "lang", "language", "мова" } },
	{ F_HOURS, { "hours", "години", "графік" } },
	{ F_EMAIL, { "email", "e-mail", "пошта", "адреса" } },
};

static const struct field step_fields[] = {
	{ F_DUE, { "due", "до", "термін", "by" } },
	{ F_OWNER, { "owner", "відповідальний", "хто", "who" } },
};

static const struct field meeting_fields[] = {
	{ F_WITH, { "with", "з", "із", "зі", "учасники" } },
	{ F_LINK, { "link", "url", "посилання" } },
	{ F_TITLE, { "title", "назва", "тема" } },
	{ F_AUTO, { "auto", "авто" } },
	{ F_DURATION, { "duration", "тривалість" } },
	{ F_WINDOW, { "window", "вікно" } },
};

static const struct field report_fields[] = {
	{ F_FORMAT, { "format", "формат" } },
};

static const struct field newp_fields[] = {
	{ F_COORD, { "coordinator", "координатор" } },
};

/* "часовий пояс Europe/Kyiv": skip the second word of the key. */
static char *
skip_poyas(const char *key, char *v)
{
	if (strcmp(key, "часовий") == 0 && strncmp(v, "пояс", 8) == 0) {
		v += 8;
		while (*v == ' ')
			v++;
	}
	return v;
}

static void
unknown_field(struct pctx *p, const struct field *f, size_t nf,
    const char *key, const char *arg)
{
	add_error(p, CE_UNKNOWN_FIELD, CW_NONE, arg,
	    field_suggest(f, nf, key), DATES_OK);
}

static int
parse_org(struct pctx *p, struct args *a, struct cmd_org *o)
{
	struct buf key, fv;
	const char *k, *sugg, *c;
	char *v, *d, *save = NULL;
	size_t i;
	int rc = -1;

	if (a->n == 0) {
		missing(p, CW_NAME);
		return -1;
	}
	buf_init(&key);
	buf_init(&fv);
	o->name = xstrdup(unquote(a->v[0]));
	for (i = 1; i < a->n; i++) {
		k = arg_key(a->v[i], &key, &v);
		v = skip_poyas(k, v);
		fold(a->v[i], &fv);
		switch (field_lookup(org_fields, nitems(org_fields), k)) {
		case F_NAME:
			goto unknown;
		case F_COUNTRY:
			if (duplicate(p, o->country != NULL, CW_COUNTRY))
				goto out;
			fold(v, &fv);
			if (*v == '\0') {
				missing(p, CW_COUNTRY);
				goto out;
			}
			if ((c = country_value(fv.data)) == NULL) {
				bad_value(p, CW_COUNTRY, v, NULL);
				goto out;
			}
			o->country = xstrdup(c);
			break;
		case F_KIND:
			if (duplicate(p, o->kind != NULL, CW_KIND))
				goto out;
			fold(v, &fv);
			sugg = NULL;
			if (*v == '\0') {
				missing(p, CW_KIND);
				goto out;
			}
			if ((c = kind_value(fv.data, &sugg)) == NULL) {
				bad_value(p, CW_KIND, v, sugg);
				goto out;
			}
			o->kind = xstrdup(c);
			break;
		case F_TZ:
			if (duplicate(p, o->tz != NULL, CW_ZONE) ||
			    (o->tz = zone_value(p, v)) == NULL)
				goto out;
			break;
		case F_DOMAIN:
			if (*v == '\0') {
				missing(p, CW_DOMAIN);
				goto out;
			}
			for (d = strtok_r(v, " ,", &save); d != NULL;
			    d = strtok_r(NULL, " ,", &save)) {
				if (d[0] == '@')
					d++;
				if (!valid_domain(d)) {
					bad_value(p, CW_DOMAIN, d, NULL);
					goto out;
				}
				if (o->ndomains == 64) {
					add_error(p, CE_EXTRA, CW_DOMAIN, d,
					    NULL, DATES_OK);
					goto out;
				}
				o->domains = xreallocarray(o->domains,
				    o->ndomains + 1, sizeof(char *));
				o->domains[o->ndomains++] = lower_dup(d);
			}
			break;
		case F_HOURS:
			if (duplicate(p, o->has_hours, CW_HOURS) ||
			    hours_value(p, v, &o->has_hours, &o->hours,
			    &o->hours_text) != 0)
				goto out;
			break;
		default:
			/* Bare values: UA, municipality, Europe/Kyiv. */
			if ((c = country_value(fv.data)) != NULL &&
			    o->country == NULL) {
				o->country = xstrdup(c);
				break;
			}
			if ((c = kind_value(fv.data, NULL)) != NULL &&
			    o->kind == NULL) {
				o->kind = xstrdup(c);
				break;
			}
			if (strchr(a->v[i], '/') != NULL && o->tz == NULL &&
			    strchr(a->v[i], ' ') == NULL) {
				if ((o->tz = zone_value(p, a->v[i])) == NULL)
					goto out;
				break;
			}
		unknown:
			unknown_field(p, org_fields, nitems(org_fields), k,
			    a->v[i]);
			goto out;
		}
	}
	rc = 0;
out:
	buf_free(&key);
	buf_free(&fv);
	return rc;
}

/* "Name <email>", "<email>", "email", "\"Name\" <email>". */
static int
parse_mailbox(struct pctx *p, char *s, char **name, char **email)
{
	char *lt = strrchr(s, '<'), *gt;

	*name = NULL;
	if (lt != NULL) {
		gt = strchr(lt, '>');
		if (gt == NULL || gt[1] != '\0') {
			bad_value(p, CW_EMAIL, s, NULL);
			return -1;
		}
		*gt = '\0';
		*lt = '\0';
		if (!valid_email(str_trim(lt + 1))) {
			bad_value(p, CW_EMAIL, lt + 1, NULL);
			return -1;
		}
		*email = lower_dup(str_trim(lt + 1));
		unquote(str_trim(s));
		if (*s != '\0')
			*name = xstrdup(s);
		return 0;
	}
	if (!valid_email(s)) {
		bad_value(p, CW_EMAIL, s, NULL);
		return -1;
	}
	*email = lower_dup(s);
	return 0;
}

static int
parse_contact(struct pctx *p, struct args *a, struct cmd_contact *c)
{
	struct buf key, fv;
	const char *k, *sugg, *l;
	char *v;
	size_t i;
	int rc = -1;

	if (a->n == 0) {
		missing(p, CW_EMAIL);
		return -1;
	}
	buf_init(&key);
	buf_init(&fv);
	if (parse_mailbox(p, a->v[0], &c->name, &c->email) != 0)
		goto out;
	for (i = 1; i < a->n; i++) {
		k = arg_key(a->v[i], &key, &v);
		v = skip_poyas(k, v);
		switch (field_lookup(contact_fields, nitems(contact_fields),
		    k)) {
		case F_ORG:
			if (duplicate(p, c->org != NULL, CW_NAME))
				goto out;
			if (*v == '\0') {
				missing(p, CW_NAME);
				goto out;
			}
			c->org = xstrdup(unquote(v));
			break;
		case F_ROLE:
			if (duplicate(p, c->role != NULL, CW_TEXT))
				goto out;
			if (*v == '\0') {
				missing(p, CW_TEXT);
				goto out;
			}
			c->role = xstrdup(unquote(v));
			break;
		case F_TZ:
			if (duplicate(p, c->tz != NULL, CW_ZONE) ||
			    (c->tz = zone_value(p, v)) == NULL)
				goto out;
			break;
		case F_LANG:
			if (duplicate(p, c->lang != NULL, CW_LANG))
				goto out;
			if (*v == '\0') {
				missing(p, CW_LANG);
				goto out;
			}
			fold(v, &fv);
			sugg = NULL;
			if ((l = lang_value(fv.data, &sugg)) == NULL) {
				bad_value(p, CW_LANG, v, sugg);
				goto out;
			}
			c->lang = xstrdup(l);
			break;
		case F_HOURS:
			if (duplicate(p, c->has_hours, CW_HOURS) ||
			    hours_value(p, v, &c->has_hours, &c->hours,
			    &c->hours_text) != 0)
				goto out;
			break;
		default:
			fold(a->v[i], &fv);
			if (c->lang == NULL && (l = lang_value(fv.data,
			    NULL)) != NULL) {
				c->lang = xstrdup(l);
				break;
			}
			if (strchr(a->v[i], '/') != NULL && c->tz == NULL &&
			    strchr(a->v[i], ' ') == NULL) {
				if ((c->tz = zone_value(p, a->v[i])) == NULL)
					goto out;
				break;
			}
			unknown_field(p, contact_fields,
			    nitems(contact_fields), k, a->v[i]);
			goto out;
		}
	}
	rc = 0;
out:
	buf_free(&key);
	buf_free(&fv);
	return rc;
}

static int
parse_step(struct pctx *p, struct args *a, struct cmd_step *s)
{
	struct buf key, fv;
	enum dates_error de;
	const char *k;
	char *v;
	size_t i;
	int rc = -1;

	if (a->n == 0) {
		missing(p, CW_TEXT);
		return -1;
	}
	buf_init(&key);
	buf_init(&fv);
	s->text = xstrdup(unquote(a->v[0]));
	for (i = 1; i < a->n; i++) {
		k = arg_key(a->v[i], &key, &v);
		switch (field_lookup(step_fields, nitems(step_fields), k)) {
		case F_DUE:
			if (duplicate(p, s->has_due, CW_DATE))
				goto out;
			if ((de = dates_parse_date(v, p->opts->zone,
			    p->opts->now, DATES_NEXT, &s->due)) != DATES_OK) {
				date_error(p, CW_DATE, v, de);
				goto out;
			}
			s->has_due = 1;
			break;
		case F_OWNER:
			if (duplicate(p, s->owner_kind != CMD_OWNER_NONE,
			    CW_OWNER))
				goto out;
			if (*v == '\0') {
				missing(p, CW_OWNER);
				goto out;
			}
			fold(v, &fv);
			if (strcmp(fv.data, "me") == 0 ||
			    strcmp(fv.data, "я") == 0 ||
			    strcmp(fv.data, "мене") == 0) {
				s->owner_kind = CMD_OWNER_ME;
				break;
			}
			s->owner_kind = CMD_OWNER_NAMED;
			s->owner = xstrdup(unquote(v));
			break;
		default:
			/* A bare date is the due date. */
			if (!s->has_due && dates_parse_date(a->v[i],
			    p->opts->zone, p->opts->now, DATES_NEXT,
			    &s->due) == DATES_OK) {
				s->has_due = 1;
				break;
			}
			unknown_field(p, step_fields, nitems(step_fields), k,
			    a->v[i]);
			goto out;
		}
	}
	rc = 0;
out:
	buf_free(&key);
	buf_free(&fv);
	return rc;
}

static int
set_window(struct pctx *p, const char *v, struct cmd_meeting *mt,
    int report)
{
	enum dates_error de;

	if (duplicate(p, mt->has_window, CW_WINDOW))
		return -1;
	if ((de = dates_parse_window(v, p->opts->zone, p->opts->now,
	    DATES_NEXT, &mt->window)) != DATES_OK) {
		if (report)
			date_error(p, CW_WINDOW, v, de);
		return -1;
	}
	mt->has_window = 1;
	dates_window_utc(&mt->window, p->opts->zone, &mt->window_start,
	    &mt->window_end);
	return 0;
}

static int
is_url(const char *s)
{
	return (str_casestarts(s, "https://") || str_casestarts(s,
	    "http://")) && strchr(s, ' ') == NULL && strlen(s) > 8;
}

static int
parse_meeting(struct pctx *p, struct args *a, struct cmd_meeting *mt,
    int first)
{
	struct buf key;
	struct dates_window w;
	enum dates_error de, dw;
	const char *k, *close;
	char *v, *x, *save = NULL;
	size_t i, ql;
	int minutes, rc = -1;

	buf_init(&key);
	for (i = first; i < a->n; i++) {
		if (is_open_quote(a->v[i], &ql, &close)) {
			if (duplicate(p, mt->title != NULL, CW_TITLE))
				goto out;
			mt->title = xstrdup(unquote(a->v[i]));
			continue;
		}
		if (is_url(a->v[i])) {
			if (duplicate(p, mt->link != NULL, CW_URL))
				goto out;
			mt->link = xstrdup(a->v[i]);
			continue;
		}
		k = arg_key(a->v[i], &key, &v);
		switch (field_lookup(meeting_fields, nitems(meeting_fields),
		    k)) {
		case F_WITH:
			if (*v == '\0') {
				missing(p, CW_WITH);
				goto out;
			}
			for (x = strtok_r(v, ",", &save); x != NULL;
			    x = strtok_r(NULL, ",", &save)) {
				str_trim(x);
				if (*x == '\0')
					continue;
				if (strchr(x, '@') != NULL) {
					char *nm = NULL, *em = NULL;

					if (parse_mailbox(p, x, &nm, &em) != 0)
						goto out;
					free(nm);
					x = em;
				} else
					x = xstrdup(unquote(x));
				if (mt->nwith == 64) {
					free(x);
					add_error(p, CE_EXTRA, CW_WITH, v,
					    NULL, DATES_OK);
					goto out;
				}
				mt->with = xreallocarray(mt->with,
				    mt->nwith + 1, sizeof(char *));
				mt->with[mt->nwith++] = x;
			}
			break;
		case F_LINK:
			if (duplicate(p, mt->link != NULL, CW_URL))
				goto out;
			if (!is_url(v)) {
				bad_value(p, CW_URL, v, NULL);
				goto out;
			}
			mt->link = xstrdup(v);
			break;
		case F_TITLE:
			if (duplicate(p, mt->title != NULL, CW_TITLE))
				goto out;
			if (*v == '\0') {
				missing(p, CW_TITLE);
				goto out;
			}
			mt->title = xstrdup(unquote(v));
			break;
		case F_AUTO:
			if (*v != '\0') {
				add_error(p, CE_EXTRA, CW_NONE, v, NULL,
				    DATES_OK);
				goto out;
			}
			mt->auto_book = 1;
			break;
		case F_DURATION:
			if (duplicate(p, mt->minutes != 0, CW_DURATION))
				goto out;
			if ((de = dates_parse_duration(v, &mt->minutes)) !=
			    DATES_OK) {
				date_error(p, CW_DURATION, v, de);
				goto out;
			}
			break;
		case F_WINDOW:
			if (set_window(p, v, mt, 1) != 0)
				goto out;
			break;
		default:
			de = dates_parse_duration(a->v[i], &minutes);
			if (de == DATES_OK) {
				if (duplicate(p, mt->minutes != 0,
				    CW_DURATION))
					goto out;
				mt->minutes = minutes;
				break;
			}
			dw = dates_parse_window(a->v[i], p->opts->zone,
			    p->opts->now, DATES_NEXT, &w);
			if (dw == DATES_OK) {
				if (set_window(p, a->v[i], mt, 1) != 0)
					goto out;
				break;
			}
			/* Say the most specific thing that went wrong. */
			if (de == DATES_DUR_UNIT || de == DATES_DUR_RANGE)
				date_error(p, CW_DURATION, a->v[i], de);
			else if (dw != DATES_SYNTAX && dw != DATES_EMPTY)
				date_error(p, CW_WINDOW, a->v[i], dw);
			else
				unknown_field(p, meeting_fields,
				    nitems(meeting_fields), k, a->v[i]);
			goto out;
		}
	}
	rc = 0;
out:
	buf_free(&key);
	return rc;
}

static int
format_value(const char *folded, enum cmd_format *f)
{
	if (strcmp(folded, "text") == 0 || strcmp(folded, "txt") == 0 ||
	    strcmp(folded, "текст") == 0)
		*f = CMD_FMT_TEXT;
	else if (strcmp(folded, "csv") == 0)
		*f = CMD_FMT_CSV;
	else if (strcmp(folded, "html") == 0)
		*f = CMD_FMT_HTML;
	else
		return -1;
	return 0;
}

static int
parse_report(struct pctx *p, struct args *a, struct cmd_report *r)
{
	struct buf key, fv;
	enum dates_error de;
	const char *k;
	char *v;
	size_t i;
	int rc = -1, has_fmt = 0;

	buf_init(&key);
	buf_init(&fv);
	r->format = CMD_FMT_TEXT;
	for (i = 0; i < a->n; i++) {
		k = arg_key(a->v[i], &key, &v);
		fold(a->v[i], &fv);
		if (field_lookup(report_fields, nitems(report_fields), k) ==
		    F_FORMAT || format_value(fv.data, &r->format) == 0) {
			if (duplicate(p, has_fmt, CW_FORMAT))
				goto out;
			has_fmt = 1;
			if (format_value(fv.data, &r->format) == 0)
				continue;
			fold(v, &fv);
			if (*v == '\0') {
				missing(p, CW_FORMAT);
				goto out;
			}
			if (format_value(fv.data, &r->format) != 0) {
				bad_value(p, CW_FORMAT, v, NULL);
				goto out;
			}
			continue;
		}
		if (duplicate(p, r->has_range, CW_WINDOW))
			goto out;
		if ((de = dates_parse_window(a->v[i], p->opts->zone,
		    p->opts->now, DATES_LAST, &r->range)) != DATES_OK) {
			if (de == DATES_SYNTAX && strchr(a->v[i], '.') == NULL &&
			    !(a->v[i][0] >= '0' && a->v[i][0] <= '9'))
				unknown_field(p, report_fields,
				    nitems(report_fields), k, a->v[i]);
			else
				date_error(p, CW_WINDOW, a->v[i], de);
			goto out;
		}
		r->has_range = 1;
	}
	rc = 0;
out:
	buf_free(&key);
	buf_free(&fv);
	return rc;
}

static int
parse_bool_value(const char *s, int *v)
{
	struct buf b;
	int rc = 0;

	buf_init(&b);
	fold(s, &b);
	if (b.len == 0 || strcmp(b.data, "так") == 0)
		*v = 1;
	else if (strcmp(b.data, "ні") == 0)
		*v = 0;
	else if (config_parse_bool(b.data, v) != 0)
		rc = -1;
	buf_free(&b);
	return rc;
}

static int
parse_newp(struct pctx *p, struct args *a, struct cmd_new_partnership *np)
{
	struct buf key;
	const char *k;
	char *v, *x, *y;
	size_t i;
	int rc;

	if (a->n == 0) {
		missing(p, CW_PAIR);
		return -1;
	}
	if ((rc = split_pair(unquote(a->v[0]), &x, &y)) <= 0) {
		bad_value(p, CW_PAIR, a->v[0], NULL);
		return -1;
	}
	np->ua_org = x;
	np->us_org = y;
	buf_init(&key);
	rc = -1;
	for (i = 1; i < a->n; i++) {
		k = arg_key(a->v[i], &key, &v);
		if (field_lookup(newp_fields, nitems(newp_fields), k) !=
		    F_COORD) {
			if (strchr(a->v[i], '@') != NULL &&
			    strchr(a->v[i], ' ') == NULL)
				v = a->v[i];
			else {
				unknown_field(p, newp_fields,
				    nitems(newp_fields), k, a->v[i]);
				goto out;
			}
		}
		if (duplicate(p, np->coordinator != NULL, CW_EMAIL))
			goto out;
		if (!valid_email(v)) {
			bad_value(p, CW_EMAIL, v, NULL);
			goto out;
		}
		np->coordinator = lower_dup(v);
	}
	rc = 0;
out:
	buf_free(&key);
	return rc;
}

/* --- lines ------------------------------------------------------------- */

static void
line_free(struct cmd_line *l)
{
	size_t i;

	free(l->text);
	switch (l->kw) {
	case CMD_PARTNERSHIP:
	case CMD_SHOW:
		free(l->u.ref.slug);
		free(l->u.ref.ua_org);
		free(l->u.ref.us_org);
		break;
	case CMD_NEW_PARTNERSHIP:
		free(l->u.newp.ua_org);
		free(l->u.newp.us_org);
		free(l->u.newp.coordinator);
		break;
	case CMD_ORG:
		free(l->u.org.name);
		free(l->u.org.country);
		free(l->u.org.kind);
		free(l->u.org.tz);
		for (i = 0; i < l->u.org.ndomains; i++)
			free(l->u.org.domains[i]);
		free(l->u.org.domains);
		free(l->u.org.hours_text);
		break;
	case CMD_CONTACT:
		free(l->u.contact.name);
		free(l->u.contact.email);
		free(l->u.contact.org);
		free(l->u.contact.role);
		free(l->u.contact.tz);
		free(l->u.contact.lang);
		free(l->u.contact.hours_text);
		break;
	case CMD_NEXT_STEP:
		free(l->u.step.text);
		free(l->u.step.owner);
		break;
	case CMD_NOTE:
	case CMD_SEARCH:
		free(l->u.text);
		break;
	case CMD_MEETING:
	case CMD_RESCHEDULE:
		free(l->u.meeting.title);
		for (i = 0; i < l->u.meeting.nwith; i++)
			free(l->u.meeting.with[i]);
		free(l->u.meeting.with);
		free(l->u.meeting.link);
		break;
	default:
		break;
	}
}

/* Parses the arguments of one keyword line into l. */
static void
parse_command(struct pctx *p, enum cmd_kw kw, const char *argstr,
    struct cmd_line *l)
{
	struct args a;
	char *s = xstrdup(argstr);

	split_args(s, &a);
	if (a.overflow) {
		add_error(p, CE_EXTRA, CW_NONE, a.v[MAXARGS - 1], NULL,
		    DATES_OK);
		goto out;
	}
	switch (kw) {
	case CMD_PARTNERSHIP:
		if (a.n == 0)
			missing(p, CW_PARTNERSHIP);
		else if (parse_ref(p, a.v[0], &l->u.ref) == 0 && a.n > 1)
			add_error(p, CE_EXTRA, CW_NONE, a.v[1], NULL,
			    DATES_OK);
		break;
	case CMD_SHOW:
		if (a.n > 0 && parse_ref(p, a.v[0], &l->u.ref) == 0) {
			l->has_ref = 1;
			if (a.n > 1)
				add_error(p, CE_EXTRA, CW_NONE, a.v[1], NULL,
				    DATES_OK);
		}
		break;
	case CMD_NEW_PARTNERSHIP:
		parse_newp(p, &a, &l->u.newp);
		break;
	case CMD_ORG:
		parse_org(p, &a, &l->u.org);
		break;
	case CMD_CONTACT:
		parse_contact(p, &a, &l->u.contact);
		break;
	case CMD_STAGE:
		parse_stage(p, &a, &l->u.stage);
		break;
	case CMD_NEXT_STEP:
		parse_step(p, &a, &l->u.step);
		break;
	case CMD_DONE:
	case CMD_CANCEL:
	case CMD_ASSIGN:
		one_id(p, &a, &l->u.id);
		break;
	case CMD_NOTE:
	case CMD_SEARCH:
		/* Free text: the ';' are part of it. */
		if (*argstr == '\0')
			missing(p, CW_TEXT);
		else
			l->u.text = xstrdup(argstr);
		break;
	case CMD_MEETING:
		parse_meeting(p, &a, &l->u.meeting, 0);
		break;
	case CMD_RESCHEDULE:
		if (a.n == 0)
			missing(p, CW_ID);
		else if (!parse_id(a.v[0], &l->u.meeting.id))
			bad_value(p, CW_ID, a.v[0], NULL);
		else
			parse_meeting(p, &a, &l->u.meeting, 1);
		break;
	case CMD_REPORT:
		parse_report(p, &a, &l->u.report);
		break;
	case CMD_DIGEST:
		no_args(p, &a);
		break;
	case CMD_HELP:
		break;
	case CMD_DRY_RUN:
		if (a.n > 1)
			add_error(p, CE_EXTRA, CW_NONE, a.v[1], NULL,
			    DATES_OK);
		else if (parse_bool_value(a.n ? a.v[0] : "", &l->u.dry_run)
		    != 0)
			bad_value(p, CW_BOOL, a.v[0], NULL);
		else if (l->u.dry_run)
			p->m->dry_run = 1;
		break;
	case CMD_NONE:
		break;
	}
out:
	free(s);
}

static struct cmd_line *
new_line(struct pctx *p, enum cmd_kw kw)
{
	struct cmd_mail *m = p->m;
	struct cmd_line *l;

	if (m->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 8;
		m->lines = xreallocarray(m->lines, p->cap, sizeof(*l));
	}
	l = &m->lines[m->n++];
	memset(l, 0, sizeof(*l));
	l->lineno = p->lineno;
	l->text = xstrdup(p->text);
	l->kw = kw;
	l->ctx = -1;
	return l;
}

/*
 * The first line as a reply word: 1 when it is one (possibly with an
 * error for a bad snooze date), 0 when not.
 */
static int
reply_word(struct pctx *p, const char *t)
{
	static const struct {
		const char	*w;
		enum reply_word	 r;
	} words[] = {
		{ "done", REPLY_DONE }, { "готово", REPLY_DONE },
		{ "виконано", REPLY_DONE },
		{ "cancel", REPLY_CANCEL }, { "скасувати", REPLY_CANCEL },
		{ "stop", REPLY_STOP }, { "стоп", REPLY_STOP },
		{ "send", REPLY_SEND }, { "надіслати", REPLY_SEND },
		{ "yes", REPLY_YES }, { "так", REPLY_YES },
		{ "no", REPLY_NO }, { "ні", REPLY_NO },
		{ "snooze", REPLY_SNOOZE }, { "відкласти", REPLY_SNOOZE },
	};
	struct cmd_mail *m = p->m;
	struct buf b;
	enum dates_error de;
	const char *rest;
	size_t i, wl;
	int found = 0;

	buf_init(&b);
	fold(t, &b);
	while (b.len > 0 && strchr(".!", b.data[b.len - 1]) != NULL)
		b.data[--b.len] = '\0';
	if (b.len > 0 && b.data[0] == '#')
		memmove(b.data, b.data + 1, b.len--);
	if (b.len == 1 && b.data[0] >= '1' && b.data[0] <= '9') {
		m->first_word = REPLY_SLOT;
		m->slot = b.data[0] - '0';
		found = 1;
		goto done;
	}
	for (i = 0; i < nitems(words) && !found; i++) {
		wl = strlen(words[i].w);
		if (strncmp(b.data, words[i].w, wl) != 0)
			continue;
		rest = b.data + wl;
		if (*rest == '\0') {
			m->first_word = words[i].r;
			found = 1;
		} else if (*rest == ' ' && words[i].r == REPLY_SNOOZE) {
			m->first_word = REPLY_SNOOZE;
			found = 1;
			if ((de = dates_parse_date(rest + 1, p->opts->zone,
			    p->opts->now, DATES_NEXT, &m->snooze_until)) !=
			    DATES_OK)
				date_error(p, CW_DATE, rest + 1, de);
			else
				m->has_snooze = 1;
		}
	}
done:
	if (found)
		m->first_word_line = p->lineno;
	buf_free(&b);
	return found;
}

enum pstate { S_START, S_AFTER_REPLY, S_BLOCK, S_NOTE };

struct cmd_mail *
cmd_parse(const char *body, size_t len, size_t quote_off, size_t sig_off,
    const struct cmd_opts *opts)
{
	struct pctx p;
	struct cmd_mail *m = xcalloc(1, sizeof(*m));
	struct buf line, note;
	enum pstate st = S_START;
	enum cmd_kw kw;
	struct cmd_line *l;
	const char *nl, *args, *s;
	char token[MAXTOKEN + 1];
	size_t end = len, pos = 0, ll, nlines = 0;
	int ctx = -1, hy, sp, is_kw;

	memset(&p, 0, sizeof(p));
	p.opts = opts;
	p.m = m;
	if (body == NULL)
		len = end = 0;
	if (quote_off < end)
		end = quote_off;
	if (sig_off < end)
		end = sig_off;
	buf_init(&line);
	buf_init(&note);
	while (pos < end && !p.stop) {
		s = body + pos;
		nl = memchr(s, '\n', end - pos);
		ll = nl != NULL ? (size_t)(nl - s) : end - pos;
		pos += ll + (nl != NULL);
		p.lineno++;
		if (ll > 0 && s[ll - 1] == '\r')
			ll--;
		/* Quoted lines are ignored wherever they are. */
		{
			size_t k = 0;

			while (k < ll && (s[k] == ' ' || s[k] == '\t'))
				k++;
			if (k < ll && s[k] == '>')
				continue;
		}
		if (st == S_NOTE) {
			if (note.len == 0) {
				norm_line(s, ll > 256 ? 256 : ll, &line);
				if (line.len == 0)
					continue;
				m->note_line = p.lineno;
			}
			buf_add(&note, s, ll);
			buf_addc(&note, '\n');
			continue;
		}
		if (st == S_BLOCK && ll > CMD_MAX_LINE) {
			p.text = NULL;
			p.kw = CMD_NONE;
			add_error(&p, CE_LINE_TOO_LONG, CW_NONE, NULL, NULL,
			    DATES_OK);
			nlines++;
			continue;
		}
		norm_line(s, ll > CMD_MAX_LINE ? CMD_MAX_LINE : ll, &line);
		p.text = line.data;
		p.kw = CMD_NONE;
		p.failed = 0;
		if (line.len == 0) {
			if (st == S_BLOCK)
				st = S_NOTE;
			continue;
		}
		if (st == S_START && reply_word(&p, line.data)) {
			st = S_AFTER_REPLY;
			continue;
		}
		is_kw = split_kw(line.data, token, &args, &hy, &sp);
		kw = is_kw ? kw_lookup(token) : CMD_NONE;
		if (st != S_BLOCK && kw == CMD_NONE) {
			if (is_kw && looks_like_keyword(token, hy, sp)) {
				add_error(&p, CE_UNKNOWN_KEYWORD, CW_NONE,
				    token, kw_suggest(token), DATES_OK);
				st = S_BLOCK;
				nlines++;
				continue;
			}
			/* No keyword at the top: the rest is a note. */
			st = S_NOTE;
			m->note_line = p.lineno;
			buf_add(&note, s, ll);
			buf_addc(&note, '\n');
			continue;
		}
		st = S_BLOCK;
		if (++nlines > CMD_MAX_LINES) {
			add_error(&p, CE_TOO_MANY_LINES, CW_NONE, NULL, NULL,
			    DATES_OK);
			p.stop = 1;
			break;
		}
		if (kw == CMD_NONE) {
			if (is_kw)
				add_error(&p, CE_UNKNOWN_KEYWORD, CW_NONE,
				    token, kw_suggest(token), DATES_OK);
			else
				add_error(&p, CE_NOT_COMMAND, CW_NONE, NULL,
				    NULL, DATES_OK);
			continue;
		}
		p.kw = kw;
		l = new_line(&p, kw);
		l->ctx = ctx;
		parse_command(&p, kw, args, l);
		/* A context line applies to the lines below it. */
		if (kw == CMD_PARTNERSHIP || kw == CMD_NEW_PARTNERSHIP)
			ctx = (int)(m->n - 1);
	}
	/* The note: trailing blank lines go. */
	while (note.len > 0 && (note.data[note.len - 1] == '\n' ||
	    note.data[note.len - 1] == ' ' || note.data[note.len - 1] == '\t'
	    || note.data[note.len - 1] == '\r'))
		note.data[--note.len] = '\0';
	m->note = note.len > 0 ? buf_steal(&note) : NULL;
	if (m->note == NULL)
		m->note_line = 0;
	buf_free(&note);
	buf_free(&line);
	return m;
}

void
cmd_mail_free(struct cmd_mail *m)
{
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < m->n; i++)
		line_free(&m->lines[i]);
	free(m->lines);
	for (i = 0; i < m->nerrors; i++) {
		free(m->errors[i].text);
		free(m->errors[i].word);
	}
	free(m->errors);
	free(m->note);
	free(m);
}

/* --- table, errors and help as text ------------------------------------ */

const struct cmd_keyword *
cmd_keywords(size_t *n)
{
	*n = nitems(keywords);
	return keywords;
}

const struct cmd_keyword *
cmd_keyword(enum cmd_kw kw)
{
	size_t i;

	for (i = 0; i < nitems(keywords); i++)
		if (keywords[i].kw == kw)
			return &keywords[i];
	return NULL;
}

const char *
cmd_stage_name(enum cmd_stage s)
{
	if ((unsigned)s >= nitems(stages))
		return "?";
	return stages[s].name;
}

static int
is_uk(const char *lang)
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
	int uk = is_uk(lang);
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
		buf_adds(&b, is_uk(lang) ? "\nНічого не виконано: виправте "
		    "рядки й надішліть лист ще раз.\n" : "\nNothing was done: "
		    "fix the lines and send the mail again.\n");
	return buf_steal(&b);
}

char *
cmd_help_text(const char *lang)
{
	int uk = is_uk(lang);
	struct buf b;
	size_t i;

	buf_init(&b);
	buf_adds(&b, uk ?
	    "Рядки на початку листа, по одному на рядок: «Ключове-слово: "
	    "аргументи», аргументи через «;».\nКоманди закінчуються на "
	    "першому порожньому рядку; решта листа стає нотаткою.\n"
	    "Ключові слова можна писати англійською або українською, "
	    "великими чи малими літерами.\n\n" :
	    "Lines at the top of a mail, one per line: \"Keyword: "
	    "arguments\", arguments separated by \";\".\nThe commands end "
	    "at the first blank line; the rest of the mail becomes a note.\n"
	    "Keywords may be written in English or Ukrainian, in any case.\n"
	    "\n");
	for (i = 0; i < nitems(keywords); i++) {
		if (uk)
			buf_printf(&b, "%s (%s): %s\n    %s\n", keywords[i].uk,
			    keywords[i].name, keywords[i].args_uk,
			    keywords[i].help_uk);
		else
			buf_printf(&b, "%s (%s): %s\n    %s\n",
			    keywords[i].name, keywords[i].uk,
			    keywords[i].args_en, keywords[i].help_en);
	}
	buf_adds(&b, uk ?
	    "\nДати: 2026-12-05, 05.12, 05.12.2026, 5 грудня, пт (наступна "
	    "п'ятниця), сьогодні, завтра, через 3 дні, +2w.\nВікна: "
	    "01.12..12.12 (обидва дні включно), наступного тижня (пн–нд), "
	    "через 2 тижні (від завтра).\nТривалість: 45 хв, 1 год, 90 min, "
	    "1h30.\nДати читаються у вашому часовому поясі.\n"
	    "\nУ відповідь на лист mistok першим рядком: готово, відкласти "
	    "3d, 1…9 (варіант часу), скасувати, стоп, надіслати.\n" :
	    "\nDates: 2026-12-05, 05.12, 05.12.2026, 5 Dec, Dec 5, fri (the "
	    "next Friday), today, tomorrow, in 3d, +2w.\nWindows: "
	    "01.12..12.12 (both days included), next week (Mon–Sun), in 2w "
	    "(from tomorrow).\nDurations: 45m, 1h, 90 min, 1h30.\nDates are "
	    "read in your time zone.\n"
	    "\nIn a reply to mistok's mail, as the first line: done, snooze "
	    "3d, 1…9 (pick a slot), cancel, stop, send.\n");
	return buf_steal(&b);
}
