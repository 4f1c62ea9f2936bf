/*
 * compose: the writer of mistok's outgoing mail. Values are cleaned and
 * checked as they are set (errors are kept until compose_write()); at
 * write time compose_hdr.c writes the top-level header and the body is
 * built here as a GMime tree and serialised with DOS newlines; the bytes
 * are then checked to be 7-bit with CRLF only, since curl sends them as
 * they are and never declares 8BITMIME. Also the own_ids table's queries:
 * the Message-IDs mistok wrote and what about.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gmime/gmime.h>

#include "compose.h"
#include "compose_int.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "mime.h"
#include "util.h"

/* At most this many References entries are written (first + last ones). */
#define COMPOSE_MAX_REFS	20
/* Hard limit of a line (RFC 5322); our own lines stay within 78. */
#define COMPOSE_MAX_LINE	998

/* Headers compose writes itself; compose_add_header() refuses them. */
static const char *const own_headers[] = {
	"from", "to", "cc", "bcc", "reply-to", "subject", "date",
	"message-id", "in-reply-to", "references", "thread-index",
	"thread-topic", "auto-submitted", "x-auto-response-suppress",
	"mime-version", "sender", "return-path",
};

static void
set_error(struct compose *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
set_error(struct compose *c, const char *fmt, ...)
{
	va_list ap;

	if (c->error != NULL)
		return;
	va_start(ap, fmt);
	c->error = xvasprintf(fmt, ap);
	va_end(ap);
}

/* 1 when s is an ASCII local@domain fit for a header and the envelope. */
static int
valid_email(const char *s)
{
	const char *at = strrchr(s, '@'), *p;

	if (at == NULL || at == s || at[1] == '\0' || strlen(s) > 254)
		return 0;
	for (p = s; p < at; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f ||
		    strchr("()<>[],;:\\\"@", *p) != NULL)
			return 0;
	for (p = at + 1; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '.' || *p == '-'))
			return 0;
	return at[1] != '.' && p[-1] != '.';
}

struct compose *
compose_new(const char *from_name, const char *from_email,
    const char *domain)
{
	struct compose *c = xcalloc(1, sizeof(*c));
	char *d, *probe;

	mime_init();
	c->from_name = compose_clean(from_name);
	c->from_email = compose_clean(from_email ? from_email : "");
	if (!valid_email(c->from_email))
		set_error(c, "compose: not a valid From address \"%s\"",
		    c->from_email);
	d = compose_clean(domain ? domain : "");
	probe = xasprintf("x@%s", d);
	if (*d == '\0' || !valid_email(probe))
		set_error(c, "compose: not a valid Message-ID domain \"%s\"",
		    d);
	free(probe);
	c->domain = d;
	c->msgid = compose_new_msgid(d);
	c->subject = xstrdup("");
	return c;
}

struct compose *
compose_new_team(const struct config *conf)
{
	return compose_new(conf->team_name, conf->team_address,
	    conf->team_domain);
}

static void
rcpts_free(struct rcpt *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].email);
	}
	free(v);
}

static void
parts_free(struct part *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].type);
		free(v[i].name);
		free(v[i].data);
	}
	free(v);
}

static void
strv_clear(char ***v)
{
	char **p;

	if (*v == NULL)
		return;
	for (p = *v; *p != NULL; p++)
		free(*p);
	free(*v);
	*v = NULL;
}

void
compose_free(struct compose *c)
{
	size_t i;

	if (c == NULL)
		return;
	free(c->from_name);
	free(c->from_email);
	free(c->domain);
	free(c->msgid);
	free(c->subject);
	free(c->topic);
	rcpts_free(c->to, c->nto);
	rcpts_free(c->cc, c->ncc);
	rcpts_free(c->bcc, c->nbcc);
	rcpts_free(c->reply_to, c->nreply_to);
	free(c->in_reply_to);
	strv_clear(&c->refs);
	free(c->thread_index);
	for (i = 0; i < c->nhdrs; i++) {
		free(c->hdrs[i].name);
		free(c->hdrs[i].value);
	}
	free(c->hdrs);
	free(c->text);
	free(c->html);
	parts_free(c->alts, c->nalts);
	parts_free(c->atts, c->natts);
	strv_clear(&c->rcpts);
	free(c->error);
	free(c);
	mime_shutdown();
}

static void
add_rcpt(struct compose *c, struct rcpt **v, size_t *n, const char *what,
    const char *name, const char *email)
{
	struct rcpt *r;

	*v = xreallocarray(*v, *n + 1, sizeof(**v));
	r = &(*v)[(*n)++];
	r->name = compose_clean(name);
	if (r->name != NULL && *r->name == '\0') {
		free(r->name);
		r->name = NULL;
	}
	r->email = compose_clean(email ? email : "");
	if (!valid_email(r->email))
		set_error(c, "compose: not a valid %s address \"%s\"", what,
		    r->email);
	strv_clear(&c->rcpts);
}

void
compose_add_to(struct compose *c, const char *name, const char *email)
{
	add_rcpt(c, &c->to, &c->nto, "To", name, email);
}

void
compose_add_cc(struct compose *c, const char *name, const char *email)
{
	add_rcpt(c, &c->cc, &c->ncc, "Cc", name, email);
}

void
compose_add_bcc(struct compose *c, const char *email)
{
	add_rcpt(c, &c->bcc, &c->nbcc, "Bcc", NULL, email);
}

void
compose_set_reply_to(struct compose *c, const char *name, const char *email)
{
	rcpts_free(c->reply_to, c->nreply_to);
	c->reply_to = NULL;
	c->nreply_to = 0;
	add_rcpt(c, &c->reply_to, &c->nreply_to, "Reply-To", name, email);
}

void
compose_set_subject(struct compose *c, const char *subject)
{
	free(c->subject);
	c->subject = compose_clean(subject ? subject : "");
}

void
compose_set_date(struct compose *c, time_t t)
{
	c->date = t;
}

void
compose_set_message_id(struct compose *c, const char *id)
{
	char *m = compose_clean_msgid(id);

	if (m == NULL) {
		set_error(c, "compose: not a valid Message-ID \"%s\"",
		    id ? id : "");
		return;
	}
	free(c->msgid);
	c->msgid = m;
}

const char *
compose_message_id(const struct compose *c)
{
	return c->msgid;
}

void
compose_set_thread_topic(struct compose *c, const char *topic)
{
	free(c->topic);
	c->topic = compose_clean(topic);
}

static void
refs_push(char ***v, size_t *n, const char *id)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (strcmp((*v)[i], id) == 0)
			return;
	*v = xreallocarray(*v, *n + 2, sizeof(**v));
	(*v)[(*n)++] = xstrdup(id);
	(*v)[*n] = NULL;
}

void
compose_set_parent(struct compose *c, const char *parent_id,
    const char *const *parent_refs, const char *parent_thread_index,
    const char *own_id)
{
	char **refs = NULL, *id, *pid, *own, *ti = NULL;
	size_t n = 0, i;

	free(c->in_reply_to);
	strv_clear(&c->refs);
	free(c->thread_index);
	c->thread_index = NULL;

	pid = compose_clean_msgid(parent_id);
	own = compose_clean_msgid(own_id);
	for (i = 0; parent_refs != NULL && parent_refs[i] != NULL; i++) {
		if ((id = compose_clean_msgid(parent_refs[i])) == NULL)
			continue;
		if ((pid == NULL || strcmp(id, pid) != 0) &&
		    (own == NULL || strcmp(id, own) != 0))
			refs_push(&refs, &n, id);
		free(id);
	}
	/* Keep the first and the most recent ones when there are many. */
	while (n > COMPOSE_MAX_REFS - 2) {
		free(refs[1]);
		memmove(&refs[1], &refs[2], (n - 1) * sizeof(*refs));
		n--;
	}
	if (own != NULL)
		refs_push(&refs, &n, own);
	if (pid != NULL)
		refs_push(&refs, &n, pid);
	c->refs = refs;
	c->in_reply_to = pid;
	free(own);

	if (parent_thread_index != NULL)
		ti = compose_thread_index_child(parent_thread_index,
		    c->date ? c->date : clock_now());
	c->thread_index = ti ? xstrdup(ti) : NULL;
	g_free(ti);
}

/* A header name: printable ASCII without ':' or space (RFC 5322 ftext). */
static int
valid_header_name(const char *s)
{
	const char *p;

	if (s == NULL || *s == '\0' || strlen(s) > 76)
		return 0;
	for (p = s; *p != '\0'; p++)
		if (*p <= 0x20 || *p >= 0x7f || *p == ':')
			return 0;
	return 1;
}

void
compose_add_header(struct compose *c, const char *name, const char *value)
{
	size_t i;

	if (!valid_header_name(name)) {
		set_error(c, "compose: not a header name \"%s\"",
		    name ? name : "");
		return;
	}
	for (i = 0; i < nitems(own_headers); i++)
		if (strcasecmp(name, own_headers[i]) == 0 ||
		    strncasecmp(name, "content-", 8) == 0) {
			set_error(c, "compose: header %s is compose's own",
			    name);
			return;
		}
	c->hdrs = xreallocarray(c->hdrs, c->nhdrs + 1, sizeof(*c->hdrs));
	c->hdrs[c->nhdrs].name = xstrdup(name);
	c->hdrs[c->nhdrs].value = compose_clean(value ? value : "");
	c->nhdrs++;
}

/* Body text with LF line ends (GMime writes them as CRLF), ending in LF. */
static char *
lf_text(const char *s, size_t len, size_t *outlen)
{
	struct buf b;
	size_t i;

	buf_init(&b);
	buf_adds(&b, "");
	for (i = 0; i < len; i++) {
		if (s[i] == '\r') {
			buf_addc(&b, '\n');
			if (i + 1 < len && s[i + 1] == '\n')
				i++;
			continue;
		}
		buf_addc(&b, s[i]);
	}
	if (b.len > 0 && b.data[b.len - 1] != '\n')
		buf_addc(&b, '\n');
	*outlen = b.len;
	return buf_steal(&b);
}

void
compose_set_text(struct compose *c, const char *text, size_t len)
{
	free(c->text);
	c->text = lf_text(text ? text : "", text ? len : 0, &c->text_len);
}

void
compose_set_html(struct compose *c, const char *html, size_t len)
{
	free(c->html);
	c->html = NULL;
	if (html != NULL && len > 0)
		c->html = lf_text(html, len, &c->html_len);
}

static void
add_part(struct compose *c, struct part **v, size_t *n, const char *name,
    const char *type, const char *data, size_t len)
{
	struct part *p;
	char *t = compose_clean(type ? type : "");
	GMimeContentType *ct;

	if ((ct = g_mime_content_type_parse(NULL, t)) == NULL ||
	    strchr(t, '/') == NULL) {
		set_error(c, "compose: not a content type \"%s\"", t);
		free(t);
		if (ct != NULL)
			g_object_unref(ct);
		return;
	}
	g_object_unref(ct);
	*v = xreallocarray(*v, *n + 1, sizeof(**v));
	p = &(*v)[(*n)++];
	p->type = t;
	p->name = compose_clean(name);
	p->data = xmalloc(len + 1);
	if (len > 0)
		memcpy(p->data, data, len);
	p->data[len] = '\0';
	p->len = len;
}

void
compose_add_alternative(struct compose *c, const char *content_type,
    const char *data, size_t len)
{
	add_part(c, &c->alts, &c->nalts, NULL, content_type, data, len);
}

void
compose_add_attachment(struct compose *c, const char *filename,
    const char *content_type, const char *data, size_t len)
{
	if (filename == NULL || *filename == '\0') {
		set_error(c, "compose: an attachment needs a file name");
		return;
	}
	add_part(c, &c->atts, &c->natts, filename, content_type, data, len);
}

const char *const *
compose_rcpts(struct compose *c)
{
	struct rcpt *lists[] = { c->to, c->cc, c->bcc };
	size_t counts[] = { c->nto, c->ncc, c->nbcc };
	char **v, *e;
	size_t n = 0, i, j, k;
	int dup;

	if (c->rcpts != NULL)
		return (const char *const *)c->rcpts;
	v = xcalloc(c->nto + c->ncc + c->nbcc + 1, sizeof(*v));
	for (i = 0; i < nitems(lists); i++)
		for (j = 0; j < counts[i]; j++) {
			e = xstrdup(lists[i][j].email);
			str_lower(e);
			for (dup = 0, k = 0; k < n; k++)
				dup |= strcmp(v[k], e) == 0;
			if (dup)
				free(e);
			else
				v[n++] = e;
		}
	c->rcpts = v;
	return (const char *const *)v;
}

/* ---- the body ------------------------------------------------------------ */

/* A leaf part holding data in encoding. */
static GMimeObject *
leaf(const char *type, const char *data, size_t len,
    GMimeContentEncoding enc)
{
	GMimeContentType *ct = g_mime_content_type_parse(NULL, type);
	GMimePart *part;
	GMimeStream *st;
	GMimeDataWrapper *dw;

	part = g_mime_part_new_with_type(
	    g_mime_content_type_get_media_type(ct),
	    g_mime_content_type_get_media_subtype(ct));
	g_mime_object_set_content_type(GMIME_OBJECT(part), ct);
	g_object_unref(ct);
	st = g_mime_stream_mem_new_with_buffer(data, len);
	dw = g_mime_data_wrapper_new_with_stream(st,
	    GMIME_CONTENT_ENCODING_DEFAULT);
	g_mime_part_set_content(part, dw);
	g_object_unref(dw);
	g_object_unref(st);
	g_mime_part_set_content_encoding(part, enc);
	return GMIME_OBJECT(part);
}

/*
 * A text part, always quoted-printable: 7-bit, lines within 76 columns,
 * and Cyrillic still recognisable in a raw view.
 */
static GMimeObject *
text_leaf(const char *subtype, const char *data, size_t len)
{
	char *type = xasprintf("text/%s; charset=utf-8", subtype);
	GMimeObject *o;

	o = leaf(type, data, len, GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE);
	free(type);
	return o;
}

static GMimeObject *
build_body(struct compose *c)
{
	GMimeMultipart *alt = NULL, *mixed;
	GMimeObject *text, *o, *body;
	size_t i;

	text = text_leaf("plain", c->text, c->text_len);
	if (c->html == NULL && c->nalts == 0)
		body = text;
	else {
		alt = g_mime_multipart_new_with_subtype("alternative");
		g_mime_multipart_add(alt, text);
		g_object_unref(text);
		if (c->html != NULL) {
			o = text_leaf("html", c->html, c->html_len);
			g_mime_multipart_add(alt, o);
			g_object_unref(o);
		}
		for (i = 0; i < c->nalts; i++) {
			o = leaf(c->alts[i].type, c->alts[i].data,
			    c->alts[i].len, GMIME_CONTENT_ENCODING_BASE64);
			g_mime_multipart_add(alt, o);
			g_object_unref(o);
		}
		body = GMIME_OBJECT(alt);
	}
	if (c->natts == 0)
		return body;
	mixed = g_mime_multipart_new_with_subtype("mixed");
	g_mime_multipart_add(mixed, body);
	g_object_unref(body);
	for (i = 0; i < c->natts; i++) {
		o = leaf(c->atts[i].type, c->atts[i].data, c->atts[i].len,
		    GMIME_CONTENT_ENCODING_BASE64);
		g_mime_object_set_disposition(o, "attachment");
		g_mime_part_set_filename(GMIME_PART(o), c->atts[i].name);
		g_mime_multipart_add(mixed, o);
		g_object_unref(o);
	}
	return GMIME_OBJECT(mixed);
}

/*
 * Checks what curl will send as it is: 7-bit bytes, CRLF only, no line
 * over the hard limit.
 */
static int
check_output(const char *p, size_t len, char **err)
{
	size_t i, col = 0;

	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)p[i];

		if (ch >= 0x80 || ch == 0) {
			*err = xasprintf("compose: byte 0x%02x at %zu is not "
			    "7-bit", ch, i);
			return -1;
		}
		if (ch == '\r' && (i + 1 >= len || p[i + 1] != '\n')) {
			*err = xasprintf("compose: bare CR at %zu", i);
			return -1;
		}
		if (ch == '\n' && (i == 0 || p[i - 1] != '\r')) {
			*err = xasprintf("compose: bare LF at %zu", i);
			return -1;
		}
		col = ch == '\n' ? 0 : col + 1;
		if (col > COMPOSE_MAX_LINE + 1) {
			*err = xasprintf("compose: line longer than %d at %zu",
			    COMPOSE_MAX_LINE, i);
			return -1;
		}
	}
	return 0;
}

int
compose_write(struct compose *c, struct buf *out, char **err)
{
	GMimeObject *body;
	GMimeFormatOptions *fo;
	GMimeStream *st;
	GByteArray *ba;
	struct buf msg;
	char *ti = NULL;
	int rc;

	*err = NULL;
	if (c->error != NULL) {
		*err = xstrdup(c->error);
		return -1;
	}
	if (c->nto + c->ncc + c->nbcc == 0) {
		*err = xstrdup("compose: no recipient");
		return -1;
	}
	if (c->text == NULL) {
		*err = xstrdup("compose: no text body");
		return -1;
	}
	if (c->date == 0)
		c->date = clock_now();
	if (c->thread_index == NULL) {
		ti = compose_thread_index_new(c->date);
		c->thread_index = xstrdup(ti);
		g_free(ti);
	}

	buf_init(&msg);
	compose_hdr_write(c, &msg);

	/* GMime writes the body: its Content-* header, parts, encodings. */
	body = build_body(c);
	fo = g_mime_format_options_new();
	g_mime_format_options_set_newline_format(fo, GMIME_NEWLINE_FORMAT_DOS);
	g_mime_format_options_set_param_encoding_method(fo,
	    GMIME_PARAM_ENCODING_METHOD_RFC2231);
	st = g_mime_stream_mem_new();
	if (g_mime_object_write_to_stream(body, fo, st) == -1) {
		*err = xstrdup("compose: GMime could not write the body");
		rc = -1;
	} else {
		ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(st));
		buf_add(&msg, ba->data, ba->len);
		rc = check_output(msg.data, msg.len, err);
		if (rc == 0)
			buf_add(out, msg.data, msg.len);
	}
	g_object_unref(st);
	g_mime_format_options_free(fo);
	g_object_unref(body);
	buf_free(&msg);
	return rc;
}

/* ---- own_ids ------------------------------------------------------------- */

int
compose_record_own_id(struct db *db, const char *msgid, const char *kind,
    int64_t object, int64_t partnership, char **err)
{
	*err = NULL;
	if (!compose_valid_msgid(msgid) || kind == NULL || *kind == '\0') {
		*err = xasprintf("own id: bad Message-ID or kind");
		return -1;
	}
	if (db_exec(db, "INSERT INTO own_ids (msgid, kind, object, "
	    "partnership) VALUES (?, ?, nullif(?, 0), nullif(?, 0)) "
	    "ON CONFLICT (msgid) DO UPDATE "
	    "SET kind = excluded.kind, object = excluded.object, "
	    "partnership = excluded.partnership",
	    "ttII", msgid, kind, object, partnership) == -1) {
		*err = xasprintf("own id %s: %s", msgid, db_errmsg(db));
		return -1;
	}
	return 0;
}

int
compose_own_id(struct db *db, const char *msgid, char **kind,
    int64_t *object, int64_t *partnership)
{
	sqlite3_stmt *st;
	int r;

	st = db_stmt(db, "SELECT kind, coalesce(object, 0), "
	    "coalesce(partnership, 0) FROM own_ids WHERE msgid = ?");
	if (st == NULL || db_bind(st, "t", msgid) == -1)
		return -1;
	if ((r = db_step(st)) != 1)
		return r;
	if (kind != NULL)
		*kind = db_col_strdup(st, 0);
	if (object != NULL)
		*object = sqlite3_column_int64(st, 1);
	if (partnership != NULL)
		*partnership = sqlite3_column_int64(st, 2);
	sqlite3_reset(st);
	return 1;
}
