/*
 * cmdexec_dir: the directory lines of a command mail — the Partnership
 * context, New-Partnership, Org, Contact, Stage, Note, Assign and filing
 * a forwarded mail. The writes are the directory's and match's; this
 * file only turns lines into their calls and says what they did.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd.h"
#include "cmdexec_int.h"
#include "dates.h"
#include "db.h"
#include "directory.h"
#include "log.h"
#include "match.h"
#include "mime.h"
#include "util.h"

/* ---- partnerships ------------------------------------------------------- */

/* Folded for comparison; caller frees. */
static char *
fold(const char *s)
{
	struct buf b;

	buf_init(&b);
	dates_fold(s, strlen(s), &b);
	buf_addc(&b, '\0');
	return buf_steal(&b);
}

/* Whether org id is called name (its name, or its city). */
static int
org_named(struct db *db, int64_t id, const char *name)
{
	struct dir_org o;
	char *a, *b, *c;
	int yes = 0;

	if (directory_org_get(db, id, &o) != 1)
		return 0;
	a = fold(name);
	b = fold(o.name ? o.name : "");
	c = fold(o.city ? o.city : "");
	yes = strcmp(a, b) == 0 || (*c != '\0' && strcmp(a, c) == 0);
	free(a);
	free(b);
	free(c);
	dir_org_free(&o);
	return yes;
}

static size_t
edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, *d, r;

	if (la > 64 || lb > 64)
		return 99;
	d = xcalloc((la + 1) * (lb + 1), sizeof(*d));
	for (i = 0; i <= la; i++)
		d[i * (lb + 1)] = i;
	for (j = 0; j <= lb; j++)
		d[j] = j;
	for (i = 1; i <= la; i++)
		for (j = 1; j <= lb; j++) {
			size_t c = d[(i - 1) * (lb + 1) + j - 1] +
			    (a[i - 1] != b[j - 1]);
			if (d[(i - 1) * (lb + 1) + j] + 1 < c)
				c = d[(i - 1) * (lb + 1) + j] + 1;
			if (d[i * (lb + 1) + j - 1] + 1 < c)
				c = d[i * (lb + 1) + j - 1] + 1;
			d[i * (lb + 1) + j] = c;
		}
	r = d[la * (lb + 1) + lb];
	free(d);
	return r;
}

/* Resolves a Partnership reference: 1 and *pid, 0 (error said), -1. */
int
cx_resolve_ref(struct xc *x, const struct cmd_line *l, const struct cmd_ref *r,
    int64_t *pid)
{
	struct dir_partnership *v = NULL, p;
	const char *best = NULL;
	size_t n = 0, i, bd = 3, dd;
	int rc = 0, found = 0;

	switch (r->kind) {
	case CMD_REF_ID:
		if ((rc = directory_partnership_by_id(x->db, r->id, &p)) == 1)
			dir_partnership_free(&p);
		if (rc == 1)
			*pid = r->id;
		else if (rc == 0)
			cx_fail(x, l, 0, L(x, "there is no partnership #%lld",
			    "партнерства №%lld немає"), (long long)r->id);
		return rc;
	case CMD_REF_SLUG:
		if ((rc = directory_partnership_by_slug(x->db, r->slug,
		    pid)) != 0)
			return rc;
		break;
	case CMD_REF_PAIR:
		break;
	}
	if (directory_partnership_list(x->db, &v, &n) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		if (r->kind == CMD_REF_PAIR) {
			if (org_named(x->db, v[i].ua_org, r->ua_org) &&
			    org_named(x->db, v[i].us_org, r->us_org)) {
				*pid = v[i].id;
				found++;
			}
		} else if ((dd = edit_distance(r->slug, v[i].slug)) < bd) {
			bd = dd;
			best = v[i].slug;
		}
	}
	if (r->kind == CMD_REF_PAIR && found == 1)
		rc = 1;
	else if (r->kind == CMD_REF_PAIR)
		cx_fail(x, l, 0, found ? L(x, "'%s – %s' names %d "
		    "partnerships; use the slug", "«%s – %s» відповідає %d "
		    "партнерствам; вкажіть ідентифікатор") : L(x, "there is "
		    "no partnership '%s – %s'%.0d",
		    "партнерства «%s – %s» немає%.0d"),
		    r->ua_org, r->us_org, found);
	else if (best != NULL)
		cx_fail(x, l, 0, L(x, "there is no partnership '%s' — did you "
		    "mean '%s'?", "партнерства «%s» немає — можливо, «%s»?"),
		    r->slug, best);
	else
		cx_fail(x, l, 0, L(x, "there is no partnership '%s'",
		    "партнерства «%s» немає"), r->slug);
	dir_partnership_list_free(v, n);
	return rc;
}

/* The line's partnership: 1 and *pid, 0 (said why), -1. */
int
cx_context(struct xc *x, const struct cmd_line *l, int64_t *pid)
{
	if (l->ctx >= 0) {
		*pid = x->ctx[l->ctx];
		return *pid > 0;	/* its own line failed and said so */
	}
	*pid = 0;
	if (cx_own_outcome(x) && db_int(x->db, pid, "SELECT partnership FROM "
	    "meetings WHERE id = ?", "I", x->own_object) == -1)
		return -1;
	if (*pid > 0)
		return 1;
	if (x->own_partnership > 0)
		*pid = x->own_partnership;
	else
		*pid = x->partnership;
	if (*pid > 0)
		return 1;
	cx_fail(x, l, 0, L(x, "which partnership? Put a 'Partnership:' line "
	    "above it, or reply in the partnership's thread",
	    "якого партнерства? Додайте вище рядок «Партнерство:» або "
	    "відповідайте в гілці партнерства"));
	return 0;
}

static int
stop_word(const char *w, size_t n)
{
	static const char *const stop[] = { "city", "of", "council", "the",
	    "and", "county", "town", "village", "municipality", "miska",
	    "rada", "mista", "oblasna", "silska", "selyshchna" };
	size_t i;

	for (i = 0; i < nitems(stop); i++)
		if (strlen(stop[i]) == n && memcmp(stop[i], w, n) == 0)
			return 1;
	return 0;
}

/* ASCII slug of a name: Ukrainian transliterated, the rest dropped. */
static void
slug_part(const char *s, struct buf *b)
{
	static const struct {
		const char *c, *l;
	} tr[] = {
		{ "а", "a" }, { "б", "b" }, { "в", "v" }, { "г", "h" },
		{ "ґ", "g" }, { "д", "d" }, { "е", "e" }, { "є", "ie" },
		{ "ж", "zh" }, { "з", "z" }, { "и", "y" }, { "і", "i" },
		{ "ї", "i" }, { "й", "i" }, { "к", "k" }, { "л", "l" },
		{ "м", "m" }, { "н", "n" }, { "о", "o" }, { "п", "p" },
		{ "р", "r" }, { "с", "s" }, { "т", "t" }, { "у", "u" },
		{ "ф", "f" }, { "х", "kh" }, { "ц", "ts" }, { "ч", "ch" },
		{ "ш", "sh" }, { "щ", "shch" }, { "ь", "" }, { "ю", "iu" },
		{ "я", "ia" },
	};
	char *f = fold(s), *p;
	size_t i, start = b->len;

	for (p = f; *p != '\0' && b->len - start < 24;) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')) {
			buf_addc(b, *p++);
			continue;
		}
		for (i = 0; i < nitems(tr); i++)
			if (strncmp(p, tr[i].c, strlen(tr[i].c)) == 0)
				break;
		if (i < nitems(tr)) {
			buf_adds(b, tr[i].l);
			p += strlen(tr[i].c);
		} else {
			/* One word only, not "city", "of", "council" … */
			if (b->len > start && !stop_word(b->data + start,
			    b->len - start))
				break;
			b->len = start;
			p++;
		}
	}
	if (b->len > start && stop_word(b->data + start, b->len - start))
		b->len = start;
	free(f);
}

/* An organisation's city (the slug's word), else the name as given. */
static const char *
city_of(struct xc *x, const char *name)
{
	static char city[128];
	struct dir_org o;
	int64_t id;
	char *e = NULL;
	const char *r = name;

	if (directory_find(x->db, DIR_ORGS, name, &id, &e) == 1 &&
	    directory_org_get(x->db, id, &o) == 1) {
		if (o.city != NULL && *o.city != '\0') {
			snprintf(city, sizeof(city), "%s", o.city);
			r = city;
		}
		dir_org_free(&o);
	}
	free(e);
	return r;
}

int
cx_exec_new_partnership(struct xc *x, const struct cmd_line *l, int64_t *pid)
{
	const struct cmd_new_partnership *np = &l->u.newp;
	struct dir_field f[6];
	struct dir_put p;
	struct buf slug;
	int64_t id, other;
	char *err = NULL, *base;
	int rc, i;

	buf_init(&slug);
	slug_part(city_of(x, np->ua_org), &slug);
	buf_addc(&slug, '-');
	slug_part(city_of(x, np->us_org), &slug);
	buf_addc(&slug, '\0');
	base = buf_steal(&slug);
	if (*base == '-' || base[strlen(base) - 1] == '-') {
		free(base);
		base = xstrdup("partnership");
	}
	/* A free slug: lviv-madison, lviv-madison-2, … */
	for (i = 1; i < 100; i++) {
		char *s = i == 1 ? xstrdup(base) : xasprintf("%s-%d", base, i);

		rc = directory_partnership_by_slug(x->db, s, &other);
		if (rc != 1) {
			free(base);
			base = s;
			break;
		}
		free(s);
	}
	memset(&p, 0, sizeof(p));
	f[0].name = "slug";
	f[0].value = base;
	f[1].name = "ua_org";
	f[1].value = np->ua_org;
	f[2].name = "us_org";
	f[2].value = np->us_org;
	f[3].name = "stage";
	f[3].value = "prospect";
	f[4].name = "coordinator";
	f[4].value = np->coordinator ? np->coordinator : x->sender;
	p.kind = DIR_PARTNERSHIPS;
	p.mode = DIR_PUT_ADD;
	p.fields = f;
	p.nfields = 5;
	p.conf = x->conf;
	p.actor = x->sender;
	rc = directory_put(x->db, &p, &err);
	if (rc == DIR_ERR_DB) {
		free(err);
		free(base);
		return -1;
	}
	if (rc != 0) {
		cx_fail(x, l, 0, "%s", err ? err : "refused");
		free(err);
		free(base);
		return 0;
	}
	id = p.out_id;
	*pid = id;
	cx_say(x, L(x, "partnership #%lld '%s' created (%s – %s), stage "
	    "prospect", "партнерство №%lld «%s» створено (%s – %s), етап "
	    "prospect"), (long long)id, base, np->ua_org, np->us_org);
	cx_audit_line(x, l, id);
	free(base);
	return 1;
}

/* directory_put() of one line; 1 done, 0 refused (said), -1. */
static int
put(struct xc *x, const struct cmd_line *l, struct dir_put *p)
{
	char *err = NULL;
	int rc;

	p->conf = x->conf;
	p->actor = x->sender;
	rc = directory_put(x->db, p, &err);
	if (rc == DIR_ERR_DB) {
		log_warnx("command: %s", err ? err : "database");
		free(err);
		return -1;
	}
	if (rc != 0) {
		cx_fail(x, l, 0, "%s", err ? err : "refused");
		free(err);
		return 0;
	}
	return 1;
}

/* Appends the field name = value to f[*n] when value is set. */
static void
field(struct dir_field *f, size_t *n, const char *name, const char *value)
{
	if (value == NULL)
		return;
	f[*n].name = name;
	f[(*n)++].value = value;
}

/* put() of an Org or Contact line, and what it did: 1, 0 (said), -1. */
static int
upsert(struct xc *x, const struct cmd_line *l, enum dir_kind kind,
    struct dir_field *f, size_t n, const char *added, const char *updated,
    const char *unchanged, const char *what)
{
	struct dir_put p;
	int rc;

	memset(&p, 0, sizeof(p));
	p.kind = kind;
	p.mode = DIR_PUT_UPSERT;
	p.fields = f;
	p.nfields = n;
	rc = put(x, l, &p);
	if (rc == 1) {
		cx_say(x, p.created ? added : p.changed ? updated : unchanged,
		    (long long)p.out_id, what);
		cx_audit_line(x, l, 0);
	}
	return rc;
}

int
cx_exec_org(struct xc *x, const struct cmd_line *l)
{
	const struct cmd_org *o = &l->u.org;
	struct dir_field f[9];
	struct buf d;
	size_t n = 0, i;
	int rc;

	buf_init(&d);
	f[n].name = "name";
	f[n++].value = o->name;
	field(f, &n, "country", o->country);
	field(f, &n, "kind", o->kind);
	/* A new organisation writes its country's language. */
	if (o->country != NULL) {
		int64_t id;
		char *e = NULL;

		if (directory_find(x->db, DIR_ORGS, o->name, &id, &e) == 0)
			field(f, &n, "language", strcmp(o->country, "UA") ==
			    0 ? "uk" : "en");
		free(e);
	}
	field(f, &n, "timezone", o->tz);
	if (o->ndomains > 0) {
		for (i = 0; i < o->ndomains; i++)
			buf_printf(&d, "%s%s", i ? " " : "", o->domains[i]);
		field(f, &n, "domains", d.data);
	}
	if (o->has_hours) {
		f[n].name = "hours";
		f[n++].value = o->hours_text;
	}
	rc = upsert(x, l, DIR_ORGS, f, n,
	    L(x, "organisation #%lld '%s' added",
	    "організацію №%lld «%s» додано"),
	    L(x, "organisation #%lld '%s' updated",
	    "організацію №%lld «%s» оновлено"),
	    L(x, "organisation #%lld '%s' unchanged",
	    "організація №%lld «%s» без змін"), o->name);
	buf_free(&d);
	return rc;
}

int
cx_exec_contact(struct xc *x, const struct cmd_line *l)
{
	const struct cmd_contact *c = &l->u.contact;
	struct dir_field f[8];
	size_t n = 0;

	f[n].name = "email";
	f[n++].value = c->email;
	field(f, &n, "name", c->name);
	field(f, &n, "organisation", c->org);
	field(f, &n, "role", c->role);
	field(f, &n, "timezone", c->tz);
	field(f, &n, "language", c->lang);
	if (c->has_hours) {
		f[n].name = "hours";
		f[n++].value = c->hours_text;
	}
	return upsert(x, l, DIR_CONTACTS, f, n,
	    L(x, "contact #%lld <%s> added", "контакт №%lld <%s> додано"),
	    L(x, "contact #%lld <%s> updated", "контакт №%lld <%s> оновлено"),
	    L(x, "contact #%lld <%s> unchanged",
	    "контакт №%lld <%s> без змін"), c->email);
}

int
cx_exec_stage(struct xc *x, const struct cmd_line *l, int64_t pid)
{
	struct dir_partnership old;
	struct dir_field f[1];
	struct dir_put p;
	const char *stage = cmd_stage_name(l->u.stage);
	char *was = NULL, *slug = NULL;
	int rc;

	if (directory_partnership_by_id(x->db, pid, &old) == 1) {
		was = old.stage;
		old.stage = NULL;
		dir_partnership_free(&old);
	}
	f[0].name = "stage";
	f[0].value = stage;
	memset(&p, 0, sizeof(p));
	p.kind = DIR_PARTNERSHIPS;
	p.mode = DIR_PUT_EDIT;
	p.id = pid;
	p.fields = f;
	p.nfields = 1;
	rc = put(x, l, &p);
	if (rc == 1) {
		if (was != NULL && strcmp(was, stage) == 0)
			cx_say(x, L(x, "%s: the stage is %s already",
			    "%s: етап уже %s"), cx_slug_of(x, pid, &slug),
			    stage);
		else
			cx_say(x, L(x, "%s: stage %s → %s", "%s: етап %s → %s"),
			    cx_slug_of(x, pid, &slug), was ? was : "-", stage);
		cx_audit_line(x, l, pid);
	}
	free(was);
	free(slug);
	return rc;
}

int
cx_add_note(struct xc *x, int64_t pid, const char *text)
{
	if (db_exec(x->db, "INSERT INTO notes (partnership, message, at, "
	    "actor, text) VALUES (?, ?, ?, ?, ?)", "IITtt", pid, x->msg,
	    x->now, x->sender, text) == -1)
		return -1;
	cx_audit_of(x, "note", "partnership", pid, text);
	return 0;
}

/* ---- Assign, filing by forwarding --------------------------------------- */

int
cx_assign(struct xc *x, const struct cmd_line *l, int64_t message, int64_t pid)
{
	char *err = NULL, *obj, *det, *slug = NULL;
	int64_t v;
	int rc;

	if ((rc = db_int(x->db, &v, "SELECT 1 FROM messages WHERE id = ?",
	    "I", message)) == -1)
		return -1;
	if (rc == 0) {
		cx_fail(x, l, 0, L(x, "there is no message #%lld",
		    "листа №%lld немає"), (long long)message);
		return 0;
	}
	if (match_assign(x->db, message, pid, &err) == -1) {
		cx_fail(x, l, 0, "%s", err ? err : "refused");
		free(err);
		return 0;
	}
	obj = xasprintf("message:%lld", (long long)message);
	det = xasprintf("partnership:%lld", (long long)pid);
	cx_audit(x, "assign", obj, det);
	free(obj);
	free(det);
	cx_say(x, L(x, "message #%lld and its thread filed under %s",
	    "лист №%lld і його гілку віднесено до %s"), (long long)message,
	    cx_slug_of(x, pid, &slug));
	free(slug);
	cx_audit_line(x, l, pid);
	return 1;
}

/* The value of a "Name: value" line of text (first one), or NULL. */
static char *
header_line(const char *text, const char *name)
{
	const char *p = text, *e;
	size_t nl = strlen(name);

	while (p != NULL && *p != '\0') {
		while (*p == ' ' || *p == '>' || *p == '*')
			p++;
		if (strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
			p += nl + 1;
			while (*p == ' ' || *p == '\t')
				p++;
			e = strchr(p, '\n');
			if (e == NULL)
				e = p + strlen(p);
			while (e > p && (e[-1] == '\r' || e[-1] == ' ' ||
			    e[-1] == '*'))
				e--;
			return xstrndup(p, (size_t)(e - p));
		}
		if ((p = strchr(p, '\n')) != NULL)
			p++;
	}
	return NULL;
}

/*
 * The stored message a forward carries: by the Message-ID in the
 * forwarded headers, else by its From address and subject. 1 and *id,
 * 0 none, -1.
 */
int
cx_forwarded_message(struct xc *x, int64_t *id)
{
	char *mid, *from, *subj, *clean = NULL;
	struct msg_addr *a = NULL;
	size_t n = 0;
	int rc = 0;

	if ((mid = header_line(x->body, "Message-ID")) != NULL) {
		clean = mime_parse_msgid(mid);
		free(mid);
		if (clean != NULL)
			rc = db_int(x->db, id, "SELECT id FROM messages "
			    "WHERE message_id = ? AND id != ?", "tI", clean,
			    x->msg);
		free(clean);
		if (rc != 0)
			return rc;
	}
	from = header_line(x->body, "From");
	if (from == NULL)
		from = header_line(x->body, "Від");
	subj = header_line(x->body, "Subject");
	if (subj == NULL)
		subj = header_line(x->body, "Тема");
	if (from != NULL && subj != NULL &&
	    (n = mime_parse_addresses(from, &a)) > 0)
		rc = db_int(x->db, id, "SELECT id FROM messages WHERE "
		    "from_email = ? AND subject = ? AND id != ? ORDER BY "
		    "date DESC LIMIT 1", "ttI", a[0].email, subj, x->msg);
	if (a != NULL)
		msg_addr_free_array(a, n);
	free(from);
	free(subj);
	return rc;
}

int
cx_is_forward(const struct xc *x)
{
	static const char *const pre[] = { "fwd:", "fw:", "пересл:",
	    "переслати:", "tr:", "wg:" };
	const char *s = x->subject;
	size_t i;

	while (s != NULL && (*s == ' ' || *s == '['))
		s++;
	for (i = 0; s != NULL && i < nitems(pre); i++)
		if (str_casestarts(s, pre[i]))
			return 1;
	return strstr(x->body, "Forwarded message") != NULL ||
	    strstr(x->body, "Original Message") != NULL ||
	    strstr(x->body, "Пересланий лист") != NULL ||
	    strstr(x->body, "Пересланное сообщение") != NULL;
}
