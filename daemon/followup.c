/*
 * followup: the follow-up producer (see followup.h). It reads the
 * directory through directory.h and, read-only, the stored mail
 * (messages, msgid_refs, own_ids, contact_addresses.bouncing) to choose
 * the recipient and the mail to answer; what it writes goes through
 * outbox.h and compose.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "compose.h"
#include "config.h"
#include "db.h"
#include "directory.h"
#include "followup.h"
#include "json.h"
#include "log.h"
#include "mailtmpl.h"
#include "outbox.h"
#include "thread.h"
#include "util.h"

/* Newest messages looked at for a default recipient (the SQL's 50). */
#define FOLLOWUP_SCAN	50

int
followup_may_answer(const char *kind)
{
	static const char *const ok[] = { "correspondence", "command",
	    "imip" };
	size_t i;

	for (i = 0; kind != NULL && i < nitems(ok); i++)
		if (strcmp(kind, ok[i]) == 0)
			return 1;
	return 0;
}

void
followup_result_free(struct followup_result *r)
{
	if (r == NULL)
		return;
	free(r->to);
	free(r->to_name);
	free(r->lang);
	free(r->subject);
	free(r->message_id);
	free(r->parent_id);
	free(r->dedupe_key);
	free(r->raw);
	memset(r, 0, sizeof(*r));
}

/* The mail answered: its row and threading fields. */
struct parent {
	int64_t	 id;
	int64_t	 thread;
	char	*message_id;
	char	*subject;
	char	*thread_index;
	char	**refs;		/* NULL-terminated */
	char	*own_id;	/* mistok's latest in its thread, or NULL */
};

static void
parent_free(struct parent *p)
{
	size_t i;

	free(p->message_id);
	free(p->subject);
	free(p->thread_index);
	for (i = 0; p->refs != NULL && p->refs[i] != NULL; i++)
		free(p->refs[i]);
	free(p->refs);
	free(p->own_id);
	memset(p, 0, sizeof(*p));
}

static int
in_partnership(const struct dir_partnership *p, int64_t org)
{
	size_t i;

	if (org == 0)
		return 0;
	if (org == p->ua_org || org == p->us_org)
		return 1;
	for (i = 0; i < p->nsupporting; i++)
		if (p->supporting[i] == org)
			return 1;
	return 0;
}

/*
 * The partner who last wrote in the partnership (never the team or a
 * coordinator). 1 and *email, 0 none, -1 error.
 */
static int
last_writer(struct db *db, const struct config *conf, int64_t pid,
    char **email)
{
	struct thread_ctx tctx;
	sqlite3_stmt *st;
	const char *e, *kind;
	int rc, n = 0;

	thread_ctx_from_config(&tctx, conf);
	st = db_stmt(db, "SELECT from_email, kind FROM messages WHERE "
	    "partnership = ? AND from_email <> '' ORDER BY date DESC, id DESC "
	    "LIMIT 50");
	if (st == NULL || db_bind(st, "I", pid) == -1)
		return -1;
	while ((rc = db_step(st)) == 1 && n++ < FOLLOWUP_SCAN) {
		e = (const char *)sqlite3_column_text(st, 0);
		kind = (const char *)sqlite3_column_text(st, 1);
		if (e == NULL || !followup_may_answer(kind) ||
		    thread_is_team(&tctx, e) ||
		    directory_is_coordinator(db, conf, e) == 1)
			continue;
		*email = xstrdup(e);
		sqlite3_reset(st);
		return 1;
	}
	sqlite3_reset(st);
	return rc == -1 ? -1 : 0;
}

/* The first entered contact of org (lowest id, not learned). */
static int
first_contact(struct db *db, int64_t org, char **email)
{
	struct dir_contact *cs;
	size_t n, i;
	int found = 0;

	if (org == 0)
		return 0;
	if (directory_contact_list(db, &cs, &n) == -1)
		return -1;
	for (i = 0; i < n && !found; i++)
		if (cs[i].org == org && !cs[i].learned && cs[i].nemails > 0) {
			*email = xstrdup(cs[i].emails[0]);
			found = 1;
		}
	dir_contact_list_free(cs, n);
	return found;
}

/*
 * The last mail from the recipient (any of the contact's addresses) in
 * the partnership that may be answered. 1 and *p, 0 none, -1 error.
 */
static int
find_parent(struct db *db, int64_t pid, const char *email, int64_t contact,
    struct parent *p)
{
	sqlite3_stmt *st;
	const char *kind;
	size_t n = 0;
	int rc, found = 0;

	memset(p, 0, sizeof(*p));
	st = db_stmt(db, "SELECT id, thread, message_id, subject, "
	    "thread_index, kind FROM messages WHERE partnership = ?1 AND "
	    "message_id IS NOT NULL AND (from_email = ?2 OR from_email IN "
	    "(SELECT email FROM contact_addresses WHERE contact = ?3)) "
	    "ORDER BY date DESC, id DESC LIMIT 50");
	if (st == NULL || db_bind(st, "ItI", pid, email, contact) == -1)
		return -1;
	while ((rc = db_step(st)) == 1) {
		kind = (const char *)sqlite3_column_text(st, 5);
		/* Never answer an auto-reply, a bounce or list mail. */
		if (!followup_may_answer(kind))
			continue;
		p->id = sqlite3_column_int64(st, 0);
		p->thread = sqlite3_column_int64(st, 1);
		p->message_id = db_col_strdup(st, 2);
		p->subject = db_col_strdup(st, 3);
		p->thread_index = db_col_strdup(st, 4);
		found = 1;
		break;
	}
	sqlite3_reset(st);
	if (rc == -1)
		return -1;
	if (!found)
		return 0;
	/* Its References, in order. */
	p->refs = xcalloc(1, sizeof(char *));
	st = db_stmt(db, "SELECT msgid FROM msgid_refs WHERE message = ? AND "
	    "position >= 0 ORDER BY position");
	if (st == NULL || db_bind(st, "I", p->id) == -1)
		return -1;
	while ((rc = db_step(st)) == 1 && n < 200) {
		p->refs = xreallocarray(p->refs, n + 2, sizeof(char *));
		p->refs[n++] = db_col_strdup(st, 0);
		p->refs[n] = NULL;
	}
	sqlite3_reset(st);
	if (rc == -1)
		return -1;
	/* mistok's own latest mail in that conversation. */
	if (p->thread != 0) {
		st = db_stmt(db, "SELECT m.message_id FROM messages m JOIN "
		    "own_ids o ON o.msgid = m.message_id WHERE m.thread = ? "
		    "ORDER BY m.date DESC, m.id DESC LIMIT 1");
		if (st == NULL || db_bind(st, "I", p->thread) == -1)
			return -1;
		if ((rc = db_step(st)) == 1)
			p->own_id = db_col_strdup(st, 0);
		sqlite3_reset(st);
		if (rc == -1)
			return -1;
	}
	return 1;
}

/* "Re: " + subject, unless it already starts with a Re: prefix. */
static char *
reply_subject(const char *s)
{
	while (s != NULL && (*s == ' ' || *s == '\t'))
		s++;
	if (s == NULL || *s == '\0')
		return NULL;
	if (strncasecmp(s, "re:", 3) == 0 || strncasecmp(s, "re :", 4) == 0)
		return xstrdup(s);
	return xasprintf("Re: %s", s);
}

static uint32_t
fnv1a(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 16777619u;
	}
	return h;
}

static struct json *
template_data(const struct config *conf, const struct dir_partnership *p,
    const char *to_name, const char *message)
{
	struct json *d = json_object(), *o;
	char *tag;

	o = json_set(d, "team", json_object());
	json_set_string(o, "name", conf->team_name);
	json_set_string(o, "address", conf->team_address);
	o = json_set(d, "coordinator", json_object());
	json_set_string(o, "name", p->coordinator_name ?
	    p->coordinator_name : "");
	json_set_string(o, "email", p->coordinator_email ?
	    p->coordinator_email : "");
	o = json_set(d, "recipient", json_object());
	json_set_string(o, "name", to_name ? to_name : "");
	o = json_set(d, "partnership", json_object());
	tag = conf->team_tag != NULL && *conf->team_tag != '\0' ?
	    xasprintf("[%s #%lld]", conf->team_tag, (long long)p->id) :
	    xstrdup("");
	json_set_string(o, "tag", tag);
	free(tag);
	json_set_string(o, "ua_org", p->ua_org_name ? p->ua_org_name : "");
	json_set_string(o, "us_org", p->us_org_name ? p->us_org_name : "");
	json_set_string(o, "stage", p->stage ? p->stage : "");
	json_set_string(d, "message", message ? message : "");
	/* Steps join the follow-up once steps.h is in the library. */
	json_set(d, "steps", json_array());
	json_set(d, "has_steps", json_bool(0));
	return d;
}

#define FAIL(c, ...) do {					\
	*err = xasprintf(__VA_ARGS__);				\
	if (code != NULL)					\
		*code = (c);					\
	goto out;						\
} while (0)

int
followup_make(struct db *db, const struct config *conf,
    const struct tmpl_set *set, const struct followup_opts *o,
    struct followup_result *r, int *code, char **err)
{
	struct dir_partnership p;
	struct dir_contact ct;
	struct dir_org org;
	struct parent par;
	struct mailtmpl_mail mm;
	struct compose *c = NULL;
	struct json *data = NULL;
	struct buf raw;
	char *to = NULL, *lang = NULL, *subj = NULL, day[16], *e = NULL;
	int64_t pid = 0, contact = 0, corg = 0, bouncing = 0;
	struct tm tm;
	time_t now = clock_now();
	int rc, ret = -1, havep = 0, havec = 0, haveparent = 0;

	memset(r, 0, sizeof(*r));
	memset(&mm, 0, sizeof(mm));
	memset(&par, 0, sizeof(par));
	buf_init(&raw);
	*err = NULL;
	if (code != NULL)
		*code = 2;
	if (o->slug == NULL || (rc = directory_partnership_by_slug(db,
	    o->slug, &pid)) == 0)
		FAIL(1, "no partnership '%s'", o->slug ? o->slug : "");
	if (rc == -1 || directory_partnership_by_id(db, pid, &p) != 1)
		FAIL(2, "partnership %s: %s", o->slug, db_errmsg(db));
	havep = 1;

	/* The recipient. */
	if (o->to != NULL) {
		char *q;

		to = xstrdup(o->to);
		for (q = to; *q; q++)
			if (*q >= 'A' && *q <= 'Z')
				*q += 'a' - 'A';
		if (strchr(to, '@') == NULL)
			FAIL(1, "'%s' is not an address", o->to);
	} else if ((rc = last_writer(db, conf, pid, &to)) == 0 &&
	    (rc = first_contact(db, p.ua_org, &to)) == 0 &&
	    (rc = first_contact(db, p.us_org, &to)) == 0)
		FAIL(1, "partnership %s: nobody to write to (no partner "
		    "mail and no contact); use --to", o->slug);
	if (rc == -1)
		FAIL(2, "partnership %s: %s", o->slug, db_errmsg(db));
	if ((rc = directory_contact_by_email(db, to, &contact, &corg)) == -1)
		FAIL(2, "%s: %s", to, db_errmsg(db));
	if (rc == 0 || !in_partnership(&p, corg)) {
		/* Not a contact there: an address at one of its domains. */
		if (directory_org_by_domain(db, to, &corg) != 1 ||
		    !in_partnership(&p, corg))
			FAIL(1, "%s is neither a contact nor an address of "
			    "an organisation of partnership %s", to, o->slug);
	}
	if (db_int(db, &bouncing, "SELECT bouncing FROM contact_addresses "
	    "WHERE email = ?", "t", to) == 1 && bouncing)
		FAIL(1, "%s is marked as bouncing (a DSN came back); correct "
		    "the contact first", to);
	if (contact != 0 && directory_contact_get(db, contact, &ct) == 1) {
		havec = 1;
		r->to_name = ct.name ? xstrdup(ct.name) : NULL;
		lang = ct.eff_language ? xstrdup(ct.eff_language) : NULL;
	} else if (corg != 0 && directory_org_get(db, corg, &org) == 1) {
		lang = org.language ? xstrdup(org.language) : NULL;
		dir_org_free(&org);
	}

	/* The mail answered. */
	if ((haveparent = find_parent(db, pid, to, contact, &par)) == -1)
		FAIL(2, "partnership %s: %s", o->slug, db_errmsg(db));

	data = template_data(conf, &p, r->to_name, o->message);
	if (mailtmpl_render(set, "followup", lang, conf->team_language, data,
	    &mm, &e) == -1)
		FAIL(2, "template followup: %s", e);
	c = compose_new_team(conf);
	compose_add_to(c, r->to_name, to);
	mailtmpl_to_compose(&mm, c);
	if (haveparent) {
		if ((subj = reply_subject(par.subject)) != NULL)
			compose_set_subject(c, subj);
		compose_set_parent(c, par.message_id,
		    (const char *const *)par.refs, par.thread_index,
		    par.own_id);
	}
	if (compose_write(c, &raw, &e) == -1)
		FAIL(2, "follow-up to %s: %s", to, e);

	gmtime_r(&now, &tm);
	strftime(day, sizeof(day), "%Y-%m-%d", &tm);
	r->partnership = pid;
	r->to = to;
	to = NULL;
	r->lang = xstrdup(mm.lang);
	r->subject = xstrdup(subj ? subj : mm.subject);
	r->message_id = xstrdup(compose_message_id(c));
	r->parent_id = haveparent ? xstrdup(par.message_id) : NULL;
	if (o->message != NULL && *o->message != '\0')
		r->dedupe_key = xasprintf("followup:%lld:%s:%s:%s:%08x",
		    (long long)pid, r->to, haveparent ? par.message_id : "new",
		    day, fnv1a(o->message));
	else
		r->dedupe_key = xasprintf("followup:%lld:%s:%s:%s",
		    (long long)pid, r->to, haveparent ? par.message_id : "new",
		    day);
	r->len = raw.len;
	r->raw = buf_steal(&raw);
	if (o->dry_run) {
		ret = 0;
		goto out;
	}

	/* Queue it and record its Message-ID together. */
	if (db_begin(db) == -1)
		FAIL(2, "%s", db_errmsg(db));
	rc = outbox_enqueue(db, r->dedupe_key, r->raw, r->len,
	    conf->team_address, compose_rcpts(c), r->message_id, r->subject,
	    pid, &r->outbox_id, &e);
	if (rc == 1 && compose_record_own_id(db, r->message_id, "followup",
	    r->outbox_id, pid, &e) == -1)
		rc = -1;
	if (rc == -1) {
		db_rollback(db);
		FAIL(2, "%s", e);
	}
	if (db_commit(db) == -1)
		FAIL(2, "%s", db_errmsg(db));
	r->queued = rc;
	if (rc == 0) {
		/* The earlier mail with this key is the one that counts. */
		struct outbox_mail m;

		if (outbox_get(db, r->outbox_id, &m, &e) == 1) {
			free(r->message_id);
			r->message_id = m.message_id ?
			    xstrdup(m.message_id) : NULL;
			outbox_mail_free(&m);
		}
		free(e);
		e = NULL;
	}
	log_info("followup %s: %s mail %lld to %s (%s)%s%s", o->slug,
	    rc == 1 ? "queued" : "already queued as", (long long)r->outbox_id,
	    r->to, r->lang, r->parent_id ? ", answering " : "",
	    r->parent_id ? r->parent_id : "");
	ret = 0;
out:
	if (ret == -1)
		followup_result_free(r);
	free(e);
	free(to);
	free(lang);
	free(subj);
	buf_free(&raw);
	json_free(data);
	mailtmpl_mail_free(&mm);
	compose_free(c);
	parent_free(&par);
	if (havec)
		dir_contact_free(&ct);
	if (havep)
		dir_partnership_free(&p);
	return ret;
}
