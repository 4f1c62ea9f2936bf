/*
 * cmdargs: the arguments of each keyword into its struct cmd_line member
 * — Org and Contact fields, Next-Step, Meeting and Reschedule, Report,
 * New-Partnership — and freeing them again.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "cmd_int.h"
#include "dates.h"
#include "util.h"

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

/*
 * A free-text field given once ("role coordinator"): 0, or -1 after the
 * error when it is a duplicate or empty.
 */
static int
text_field(struct pctx *p, char **dst, char *v, enum cmd_what what)
{
	if (cmd_duplicate(p, *dst != NULL, what))
		return -1;
	if (*v == '\0') {
		cmd_missing(p, what);
		return -1;
	}
	*dst = xstrdup(cmd_unquote(v));
	return 0;
}

/*
 * A field with a fixed set of values (country, kind, language) given once:
 * 0 with *dst its canonical value, or -1 after the error.
 */
static int
choice_field(struct pctx *p, char **dst, const char *v, enum cmd_what what,
    const char *(*value)(const char *, const char **))
{
	struct buf fv;
	const char *c, *sugg = NULL;

	if (cmd_duplicate(p, *dst != NULL, what))
		return -1;
	if (*v == '\0') {
		cmd_missing(p, what);
		return -1;
	}
	buf_init(&fv);
	cmd_fold(v, &fv);
	if ((c = value(fv.data, &sugg)) == NULL)
		cmd_bad_value(p, what, v, sugg);
	else
		*dst = xstrdup(c);
	buf_free(&fv);
	return c != NULL ? 0 : -1;
}

/* A zone field given once: 0, or -1 after the error. */
static int
zone_field(struct pctx *p, char **tz, const char *v)
{
	if (cmd_duplicate(p, *tz != NULL, CW_ZONE) ||
	    (*tz = cmd_zone_value(p, v)) == NULL)
		return -1;
	return 0;
}

/*
 * A bare argument that looks like a zone ("Europe/Kyiv") when *tz is not
 * set yet: 1 when taken, -1 after an error, 0 when it is not one.
 */
static int
bare_zone(struct pctx *p, const char *arg, char **tz)
{
	if (strchr(arg, '/') == NULL || *tz != NULL ||
	    strchr(arg, ' ') != NULL)
		return 0;
	return (*tz = cmd_zone_value(p, arg)) != NULL ? 1 : -1;
}

static int
parse_org(struct pctx *p, struct args *a, struct cmd_org *o)
{
	struct buf key, fv;
	const char *k, *c;
	char *v, *d, *save = NULL;
	size_t i;
	int z, rc = -1;

	if (a->n == 0) {
		cmd_missing(p, CW_NAME);
		return -1;
	}
	buf_init(&key);
	buf_init(&fv);
	o->name = xstrdup(cmd_unquote(a->v[0]));
	for (i = 1; i < a->n; i++) {
		k = cmd_arg_key(a->v[i], &key, &v);
		v = cmd_skip_poyas(k, v);
		cmd_fold(a->v[i], &fv);
		switch (cmd_field_lookup(org_fields, nitems(org_fields), k)) {
		case F_NAME:
			goto unknown;
		case F_COUNTRY:
			if (choice_field(p, &o->country, v, CW_COUNTRY,
			    cmd_country_value) != 0)
				goto out;
			break;
		case F_KIND:
			if (choice_field(p, &o->kind, v, CW_KIND,
			    cmd_kind_value) != 0)
				goto out;
			break;
		case F_TZ:
			if (zone_field(p, &o->tz, v) != 0)
				goto out;
			break;
		case F_DOMAIN:
			if (*v == '\0') {
				cmd_missing(p, CW_DOMAIN);
				goto out;
			}
			for (d = strtok_r(v, " ,", &save); d != NULL;
			    d = strtok_r(NULL, " ,", &save)) {
				if (d[0] == '@')
					d++;
				if (!cmd_valid_domain(d)) {
					cmd_bad_value(p, CW_DOMAIN, d, NULL);
					goto out;
				}
				if (o->ndomains == 64) {
					cmd_add_error(p, CE_EXTRA, CW_DOMAIN, d,
					    NULL, DATES_OK);
					goto out;
				}
				o->domains = xreallocarray(o->domains,
				    o->ndomains + 1, sizeof(char *));
				o->domains[o->ndomains++] = cmd_lower_dup(d);
			}
			break;
		case F_HOURS:
			if (cmd_hours_value(p, v, &o->has_hours, &o->hours,
			    &o->hours_text) != 0)
				goto out;
			break;
		default:
			/* Bare values: UA, municipality, Europe/Kyiv. */
			if ((c = cmd_country_value(fv.data, NULL)) != NULL &&
			    o->country == NULL) {
				o->country = xstrdup(c);
				break;
			}
			if ((c = cmd_kind_value(fv.data, NULL)) != NULL &&
			    o->kind == NULL) {
				o->kind = xstrdup(c);
				break;
			}
			if ((z = bare_zone(p, a->v[i], &o->tz)) < 0)
				goto out;
			if (z > 0)
				break;
		unknown:
			cmd_unknown_field(p, org_fields, nitems(org_fields), k,
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
parse_contact(struct pctx *p, struct args *a, struct cmd_contact *c)
{
	struct buf key, fv;
	const char *k, *l;
	char *v;
	size_t i;
	int z, rc = -1;

	if (a->n == 0) {
		cmd_missing(p, CW_EMAIL);
		return -1;
	}
	buf_init(&key);
	buf_init(&fv);
	if (cmd_parse_mailbox(p, a->v[0], &c->name, &c->email) != 0)
		goto out;
	for (i = 1; i < a->n; i++) {
		k = cmd_arg_key(a->v[i], &key, &v);
		v = cmd_skip_poyas(k, v);
		switch (cmd_field_lookup(contact_fields, nitems(contact_fields),
		    k)) {
		case F_ORG:
			if (text_field(p, &c->org, v, CW_NAME) != 0)
				goto out;
			break;
		case F_ROLE:
			if (text_field(p, &c->role, v, CW_TEXT) != 0)
				goto out;
			break;
		case F_TZ:
			if (zone_field(p, &c->tz, v) != 0)
				goto out;
			break;
		case F_LANG:
			if (choice_field(p, &c->lang, v, CW_LANG,
			    cmd_lang_value) != 0)
				goto out;
			break;
		case F_HOURS:
			if (cmd_hours_value(p, v, &c->has_hours, &c->hours,
			    &c->hours_text) != 0)
				goto out;
			break;
		default:
			cmd_fold(a->v[i], &fv);
			if (c->lang == NULL && (l = cmd_lang_value(fv.data,
			    NULL)) != NULL) {
				c->lang = xstrdup(l);
				break;
			}
			if ((z = bare_zone(p, a->v[i], &c->tz)) < 0)
				goto out;
			if (z > 0)
				break;
			cmd_unknown_field(p, contact_fields,
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
		cmd_missing(p, CW_TEXT);
		return -1;
	}
	buf_init(&key);
	buf_init(&fv);
	s->text = xstrdup(cmd_unquote(a->v[0]));
	for (i = 1; i < a->n; i++) {
		k = cmd_arg_key(a->v[i], &key, &v);
		switch (cmd_field_lookup(step_fields, nitems(step_fields), k)) {
		case F_DUE:
			if (cmd_duplicate(p, s->has_due, CW_DATE))
				goto out;
			if ((de = dates_parse_date(v, p->opts->zone,
			    p->opts->now, DATES_NEXT, &s->due)) != DATES_OK) {
				cmd_date_error(p, CW_DATE, v, de);
				goto out;
			}
			s->has_due = 1;
			break;
		case F_OWNER:
			if (cmd_duplicate(p, s->owner_kind != CMD_OWNER_NONE,
			    CW_OWNER))
				goto out;
			if (*v == '\0') {
				cmd_missing(p, CW_OWNER);
				goto out;
			}
			cmd_fold(v, &fv);
			if (strcmp(fv.data, "me") == 0 ||
			    strcmp(fv.data, "я") == 0 ||
			    strcmp(fv.data, "мене") == 0) {
				s->owner_kind = CMD_OWNER_ME;
				break;
			}
			s->owner_kind = CMD_OWNER_NAMED;
			s->owner = xstrdup(cmd_unquote(v));
			break;
		default:
			/* A bare date is the due date. */
			if (!s->has_due && dates_parse_date(a->v[i],
			    p->opts->zone, p->opts->now, DATES_NEXT,
			    &s->due) == DATES_OK) {
				s->has_due = 1;
				break;
			}
			cmd_unknown_field(p, step_fields, nitems(step_fields),
			    k, a->v[i]);
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

	if (cmd_duplicate(p, mt->has_window, CW_WINDOW))
		return -1;
	if ((de = dates_parse_window(v, p->opts->zone, p->opts->now,
	    DATES_NEXT, &mt->window)) != DATES_OK) {
		if (report)
			cmd_date_error(p, CW_WINDOW, v, de);
		return -1;
	}
	mt->has_window = 1;
	dates_window_utc(&mt->window, p->opts->zone, &mt->window_start,
	    &mt->window_end);
	return 0;
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
		if (cmd_is_open_quote(a->v[i], &ql, &close)) {
			if (cmd_duplicate(p, mt->title != NULL, CW_TITLE))
				goto out;
			mt->title = xstrdup(cmd_unquote(a->v[i]));
			continue;
		}
		if (cmd_is_url(a->v[i])) {
			if (cmd_duplicate(p, mt->link != NULL, CW_URL))
				goto out;
			mt->link = xstrdup(a->v[i]);
			continue;
		}
		k = cmd_arg_key(a->v[i], &key, &v);
		switch (cmd_field_lookup(meeting_fields, nitems(meeting_fields),
		    k)) {
		case F_WITH:
			if (*v == '\0') {
				cmd_missing(p, CW_WITH);
				goto out;
			}
			for (x = strtok_r(v, ",", &save); x != NULL;
			    x = strtok_r(NULL, ",", &save)) {
				str_trim(x);
				if (*x == '\0')
					continue;
				if (strchr(x, '@') != NULL) {
					char *nm = NULL, *em = NULL;

					if (cmd_parse_mailbox(p, x, &nm,
					    &em) != 0)
						goto out;
					free(nm);
					x = em;
				} else
					x = xstrdup(cmd_unquote(x));
				if (mt->nwith == 64) {
					free(x);
					cmd_add_error(p, CE_EXTRA, CW_WITH, v,
					    NULL, DATES_OK);
					goto out;
				}
				mt->with = xreallocarray(mt->with,
				    mt->nwith + 1, sizeof(char *));
				mt->with[mt->nwith++] = x;
			}
			break;
		case F_LINK:
			if (cmd_duplicate(p, mt->link != NULL, CW_URL))
				goto out;
			if (!cmd_is_url(v)) {
				cmd_bad_value(p, CW_URL, v, NULL);
				goto out;
			}
			mt->link = xstrdup(v);
			break;
		case F_TITLE:
			if (text_field(p, &mt->title, v, CW_TITLE) != 0)
				goto out;
			break;
		case F_AUTO:
			if (*v != '\0') {
				cmd_add_error(p, CE_EXTRA, CW_NONE, v, NULL,
				    DATES_OK);
				goto out;
			}
			mt->auto_book = 1;
			break;
		case F_DURATION:
			if (cmd_duplicate(p, mt->minutes != 0, CW_DURATION))
				goto out;
			if ((de = dates_parse_duration(v, &mt->minutes)) !=
			    DATES_OK) {
				cmd_date_error(p, CW_DURATION, v, de);
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
				if (cmd_duplicate(p, mt->minutes != 0,
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
				cmd_date_error(p, CW_DURATION, a->v[i], de);
			else if (dw != DATES_SYNTAX && dw != DATES_EMPTY)
				cmd_date_error(p, CW_WINDOW, a->v[i], dw);
			else
				cmd_unknown_field(p, meeting_fields,
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
		k = cmd_arg_key(a->v[i], &key, &v);
		cmd_fold(a->v[i], &fv);
		if (cmd_field_lookup(report_fields, nitems(report_fields), k) ==
		    F_FORMAT || cmd_format_value(fv.data, &r->format) == 0) {
			if (cmd_duplicate(p, has_fmt, CW_FORMAT))
				goto out;
			has_fmt = 1;
			if (cmd_format_value(fv.data, &r->format) == 0)
				continue;
			cmd_fold(v, &fv);
			if (*v == '\0') {
				cmd_missing(p, CW_FORMAT);
				goto out;
			}
			if (cmd_format_value(fv.data, &r->format) != 0) {
				cmd_bad_value(p, CW_FORMAT, v, NULL);
				goto out;
			}
			continue;
		}
		if (cmd_duplicate(p, r->has_range, CW_WINDOW))
			goto out;
		if ((de = dates_parse_window(a->v[i], p->opts->zone,
		    p->opts->now, DATES_LAST, &r->range)) != DATES_OK) {
			if (de == DATES_SYNTAX && strchr(a->v[i], '.') == NULL &&
			    !(a->v[i][0] >= '0' && a->v[i][0] <= '9'))
				cmd_unknown_field(p, report_fields,
				    nitems(report_fields), k, a->v[i]);
			else
				cmd_date_error(p, CW_WINDOW, a->v[i], de);
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
parse_newp(struct pctx *p, struct args *a, struct cmd_new_partnership *np)
{
	struct buf key;
	const char *k;
	char *v, *x, *y;
	size_t i;
	int rc;

	if (a->n == 0) {
		cmd_missing(p, CW_PAIR);
		return -1;
	}
	if ((rc = cmd_split_pair(cmd_unquote(a->v[0]), &x, &y)) <= 0) {
		cmd_bad_value(p, CW_PAIR, a->v[0], NULL);
		return -1;
	}
	np->ua_org = x;
	np->us_org = y;
	buf_init(&key);
	rc = -1;
	for (i = 1; i < a->n; i++) {
		k = cmd_arg_key(a->v[i], &key, &v);
		if (cmd_field_lookup(newp_fields, nitems(newp_fields), k) !=
		    F_COORD) {
			if (strchr(a->v[i], '@') != NULL &&
			    strchr(a->v[i], ' ') == NULL)
				v = a->v[i];
			else {
				cmd_unknown_field(p, newp_fields,
				    nitems(newp_fields), k, a->v[i]);
				goto out;
			}
		}
		if (cmd_duplicate(p, np->coordinator != NULL, CW_EMAIL))
			goto out;
		if (!cmd_valid_email(v)) {
			cmd_bad_value(p, CW_EMAIL, v, NULL);
			goto out;
		}
		np->coordinator = cmd_lower_dup(v);
	}
	rc = 0;
out:
	buf_free(&key);
	return rc;
}

void
cmd_line_free(struct cmd_line *l)
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
void
cmd_parse_command(struct pctx *p, enum cmd_kw kw, const char *argstr,
    struct cmd_line *l)
{
	struct args a;
	char *s = xstrdup(argstr);

	cmd_split_args(s, &a);
	if (a.overflow) {
		cmd_add_error(p, CE_EXTRA, CW_NONE, a.v[MAXARGS - 1], NULL,
		    DATES_OK);
		goto out;
	}
	switch (kw) {
	case CMD_PARTNERSHIP:
		if (a.n == 0)
			cmd_missing(p, CW_PARTNERSHIP);
		else if (cmd_parse_ref(p, a.v[0], &l->u.ref) == 0 && a.n > 1)
			cmd_add_error(p, CE_EXTRA, CW_NONE, a.v[1], NULL,
			    DATES_OK);
		break;
	case CMD_SHOW:
		if (a.n > 0 && cmd_parse_ref(p, a.v[0], &l->u.ref) == 0) {
			l->has_ref = 1;
			if (a.n > 1)
				cmd_add_error(p, CE_EXTRA, CW_NONE, a.v[1],
				    NULL, DATES_OK);
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
		cmd_parse_stage(p, &a, &l->u.stage);
		break;
	case CMD_NEXT_STEP:
		parse_step(p, &a, &l->u.step);
		break;
	case CMD_DONE:
	case CMD_CANCEL:
	case CMD_ASSIGN:
		cmd_one_id(p, &a, &l->u.id);
		break;
	case CMD_NOTE:
	case CMD_SEARCH:
		/* Free text: the ';' are part of it. */
		if (*argstr == '\0')
			cmd_missing(p, CW_TEXT);
		else
			l->u.text = xstrdup(argstr);
		break;
	case CMD_MEETING:
		parse_meeting(p, &a, &l->u.meeting, 0);
		break;
	case CMD_RESCHEDULE:
		if (a.n == 0)
			cmd_missing(p, CW_ID);
		else if (!cmd_parse_id(a.v[0], &l->u.meeting.id))
			cmd_bad_value(p, CW_ID, a.v[0], NULL);
		else
			parse_meeting(p, &a, &l->u.meeting, 1);
		break;
	case CMD_REPORT:
		parse_report(p, &a, &l->u.report);
		break;
	case CMD_DIGEST:
		cmd_no_args(p, &a);
		break;
	case CMD_HELP:
		break;
	case CMD_DRY_RUN:
		if (a.n > 1)
			cmd_add_error(p, CE_EXTRA, CW_NONE, a.v[1], NULL,
			    DATES_OK);
		else if (cmd_parse_bool_value(a.n ? a.v[0] : "", &l->u.dry_run)
		    != 0)
			cmd_bad_value(p, CW_BOOL, a.v[0], NULL);
		else if (l->u.dry_run)
			p->m->dry_run = 1;
		break;
	case CMD_NONE:
		break;
	}
out:
	free(s);
}
