/*
 * cmdval: the pieces command arguments are made of — splitting a line at
 * ';' outside quotes, "key value" fields, and single values (ids,
 * addresses, domains, partnership references, stages, kinds, countries,
 * languages, zones, hours, formats, yes/no), each with its error.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "cmd_int.h"
#include "config.h"
#include "dates.h"
#include "util.h"

static const struct cmd_names kinds[] = {
	{ "municipality", "муніципалітет" }, { "volunteer", "волонтерська" },
	{ "diplomatic", "дипломатична" }, { "ngo", "го" },
	{ "other", "інше" },
};

/*
 * The row of t[0..n) that folded names in either language, or -1 with
 * *sugg the nearest name (when sugg is not NULL and one is near).
 */
static int
names_lookup(const struct cmd_names *t, size_t n, const char *folded,
    const char **sugg)
{
	uint32_t w[MAXCP];
	size_t i, nw, best = SIZE_MAX;

	for (i = 0; i < n; i++)
		if (strcmp(folded, t[i].name) == 0 ||
		    strcmp(folded, t[i].uk) == 0)
			return (int)i;
	if (sugg != NULL) {
		nw = cmd_to_cps(folded, w);
		for (i = 0; i < n; i++) {
			cmd_consider(w, nw, t[i].name, t[i].name, &best, sugg);
			cmd_consider(w, nw, t[i].uk, t[i].uk, &best, sugg);
		}
	}
	return -1;
}

int
cmd_is_open_quote(const char *s, size_t *len, const char **close)
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
void
cmd_split_args(char *s, struct args *a)
{
	const char *close = NULL;
	char *start = s, *p = s;
	size_t ql;

	memset(a, 0, sizeof(*a));
	for (;;) {
		if (close == NULL && cmd_is_open_quote(p, &ql, &close)) {
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
char *
cmd_unquote(char *s)
{
	const char *close;
	size_t ql, cl, n = strlen(s);

	if (cmd_is_open_quote(s, &ql, &close)) {
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
const char *
cmd_arg_key(char *arg, struct buf *key, char **value)
{
	char *sp = strchr(arg, ' ');
	char save;

	if (sp != NULL) {
		save = *sp;
		*sp = '\0';
		cmd_fold(arg, key);
		*sp = save;
		*value = sp + 1;
		while (**value == ' ')
			(*value)++;
	} else {
		cmd_fold(arg, key);
		*value = arg + strlen(arg);
	}
	/* "key: value" and "key=value" are forgiven. */
	if (key->len > 1 && (key->data[key->len - 1] == ':' ||
	    key->data[key->len - 1] == '='))
		key->data[--key->len] = '\0';
	return key->data;
}

int
cmd_field_lookup(const struct field *f, size_t nf, const char *key)
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

	nw = cmd_to_cps(key, w);
	for (i = 0; i < nf; i++)
		for (j = 0; j < nitems(f[i].names) && f[i].names[j]; j++)
			cmd_consider(w, nw, f[i].names[j], f[i].names[j], &best,
			    &sugg);
	return sugg;
}

int
cmd_valid_email(const char *s)
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

char *
cmd_lower_dup(const char *s)
{
	char *r = xstrdup(s);

	str_lower(r);
	return r;
}

int
cmd_valid_domain(const char *s)
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
int
cmd_parse_id(const char *s, int64_t *id)
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
int
cmd_split_pair(const char *s, char **a, char **b)
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
	cmd_unquote(*a);
	cmd_unquote(*b);
	if (**a == '\0' || **b == '\0' || strlen(*a) > 200 ||
	    strlen(*b) > 200) {
		free(*a);
		free(*b);
		*a = *b = NULL;
		return -1;
	}
	return 1;
}

int
cmd_parse_ref(struct pctx *p, char *arg, struct cmd_ref *r)
{
	struct buf b;
	char *a, *z;
	const char *q;
	int rc;

	memset(r, 0, sizeof(*r));
	cmd_unquote(arg);
	if (*arg == '#' || (*arg >= '0' && *arg <= '9')) {
		if (!cmd_parse_id(arg, &r->id)) {
			cmd_bad_value(p, CW_ID, arg, NULL);
			return -1;
		}
		r->kind = CMD_REF_ID;
		return 0;
	}
	if ((rc = cmd_split_pair(arg, &a, &z)) != 0) {
		if (rc < 0) {
			cmd_bad_value(p, CW_PARTNERSHIP, arg, NULL);
			return -1;
		}
		r->kind = CMD_REF_PAIR;
		r->ua_org = a;
		r->us_org = z;
		return 0;
	}
	buf_init(&b);
	cmd_fold(arg, &b);
	for (q = b.data; *q; q++)
		if (!((*q >= 'a' && *q <= 'z') || (*q >= '0' && *q <= '9') ||
		    *q == '-'))
			break;
	if (*q != '\0' || b.len == 0 || b.len > 64) {
		cmd_bad_value(p, CW_PARTNERSHIP, arg, NULL);
		buf_free(&b);
		return -1;
	}
	r->kind = CMD_REF_SLUG;
	r->slug = buf_steal(&b);
	return 0;
}

/* The arguments of a keyword that takes none (or ignores them). */
int
cmd_no_args(struct pctx *p, struct args *a)
{
	if (a->n > 0) {
		cmd_add_error(p, CE_EXTRA, CW_NONE, a->v[0], NULL, DATES_OK);
		return -1;
	}
	return 0;
}

int
cmd_one_id(struct pctx *p, struct args *a, int64_t *id)
{
	if (a->n == 0) {
		cmd_missing(p, CW_ID);
		return -1;
	}
	if (!cmd_parse_id(a->v[0], id)) {
		cmd_bad_value(p, CW_ID, a->v[0], NULL);
		return -1;
	}
	if (a->n > 1) {
		cmd_add_error(p, CE_EXTRA, CW_NONE, a->v[1], NULL, DATES_OK);
		return -1;
	}
	return 0;
}

int
cmd_parse_stage(struct pctx *p, struct args *a, enum cmd_stage *st)
{
	struct buf b;
	const char *sugg = NULL;
	char *q;
	int i;

	if (a->n == 0) {
		cmd_missing(p, CW_STAGE);
		return -1;
	}
	if (a->n > 1) {
		cmd_add_error(p, CE_EXTRA, CW_NONE, a->v[1], NULL, DATES_OK);
		return -1;
	}
	buf_init(&b);
	cmd_fold(a->v[0], &b);
	for (q = b.data; *q; q++)
		if (*q == ' ' || *q == '-')
			*q = '_';
	i = names_lookup(cmd_stages, CMD_NSTAGES, b.data, &sugg);
	buf_free(&b);
	if (i < 0) {
		cmd_bad_value(p, CW_STAGE, a->v[0], sugg);
		return -1;
	}
	*st = (enum cmd_stage)i;
	return 0;
}

/* Kind, country and language values; NULL when unknown. */
const char *
cmd_kind_value(const char *folded, const char **sugg)
{
	int i = names_lookup(kinds, nitems(kinds), folded, sugg);

	return i >= 0 ? kinds[i].name : NULL;
}

const char *
cmd_country_value(const char *folded, const char **sugg)
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

const char *
cmd_lang_value(const char *folded, const char **sugg)
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
		nw = cmd_to_cps(folded, w);
		for (i = 0; uk[i]; i++)
			cmd_consider(w, nw, uk[i], "uk", &best, sugg);
		for (i = 0; en[i]; i++)
			cmd_consider(w, nw, en[i], "en", &best, sugg);
	}
	return NULL;
}

/* A zone as written: canonical name, or NULL after an error. */
char *
cmd_zone_value(struct pctx *p, const char *v)
{
	const char *z;

	if (*v == '\0') {
		cmd_missing(p, CW_ZONE);
		return NULL;
	}
	if ((z = config_canonical_zone(v)) == NULL) {
		cmd_bad_value(p, CW_ZONE, v, NULL);
		return NULL;
	}
	return xstrdup(z);
}

int
cmd_hours_value(struct pctx *p, const char *v, int *has, struct hours *h,
    char **text)
{
	if (cmd_duplicate(p, *has, CW_HOURS))
		return -1;
	if (*v == '\0') {
		cmd_missing(p, CW_HOURS);
		return -1;
	}
	if (config_parse_hours(v, h) != 0) {
		cmd_bad_value(p, CW_HOURS, v, NULL);
		return -1;
	}
	*has = 1;
	*text = xstrdup(v);
	return 0;
}

int
cmd_duplicate(struct pctx *p, int already, enum cmd_what what)
{
	if (already)
		cmd_add_error(p, CE_DUPLICATE, what, NULL, NULL, DATES_OK);
	return already;
}

/* "часовий пояс Europe/Kyiv": skip the second word of the key. */
char *
cmd_skip_poyas(const char *key, char *v)
{
	if (strcmp(key, "часовий") == 0 && strncmp(v, "пояс", 8) == 0) {
		v += 8;
		while (*v == ' ')
			v++;
	}
	return v;
}

void
cmd_unknown_field(struct pctx *p, const struct field *f, size_t nf,
    const char *key, const char *arg)
{
	cmd_add_error(p, CE_UNKNOWN_FIELD, CW_NONE, arg,
	    field_suggest(f, nf, key), DATES_OK);
}

/* "Name <email>", "<email>", "email", "\"Name\" <email>". */
int
cmd_parse_mailbox(struct pctx *p, char *s, char **name, char **email)
{
	char *lt = strrchr(s, '<'), *gt;

	*name = NULL;
	if (lt != NULL) {
		gt = strchr(lt, '>');
		if (gt == NULL || gt[1] != '\0') {
			cmd_bad_value(p, CW_EMAIL, s, NULL);
			return -1;
		}
		*gt = '\0';
		*lt = '\0';
		if (!cmd_valid_email(str_trim(lt + 1))) {
			cmd_bad_value(p, CW_EMAIL, lt + 1, NULL);
			return -1;
		}
		*email = cmd_lower_dup(str_trim(lt + 1));
		cmd_unquote(str_trim(s));
		if (*s != '\0')
			*name = xstrdup(s);
		return 0;
	}
	if (!cmd_valid_email(s)) {
		cmd_bad_value(p, CW_EMAIL, s, NULL);
		return -1;
	}
	*email = cmd_lower_dup(s);
	return 0;
}

int
cmd_is_url(const char *s)
{
	return (str_casestarts(s, "https://") || str_casestarts(s,
	    "http://")) && strchr(s, ' ') == NULL && strlen(s) > 8;
}

int
cmd_format_value(const char *folded, enum cmd_format *f)
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

int
cmd_parse_bool_value(const char *s, int *v)
{
	struct buf b;
	int rc = 0;

	buf_init(&b);
	cmd_fold(s, &b);
	if (b.len == 0 || strcmp(b.data, "так") == 0)
		*v = 1;
	else if (strcmp(b.data, "ні") == 0)
		*v = 0;
	else if (config_parse_bool(b.data, v) != 0)
		rc = -1;
	buf_free(&b);
	return rc;
}
