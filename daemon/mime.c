/*
 * mime: GMime for the MIME structure and transfer decoding; mistok's own
 * code for everything GMime gets wrong or that mistok must control —
 * header decoding (rfc2047.c), addresses and ids (mime_hdr.c), body text
 * (mime_text.c), the kind (classify.c).
 *
 * The raw message is read in place: a GMimeStreamMem over a GByteArray
 * that borrows the caller's buffer (owner FALSE, never written), with the
 * parser's persist-stream mode, so parts refer to ranges of that buffer
 * and memory stays about the size of the message. Every GMime object is
 * released before mime_parse() returns, so the borrow ends there.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gmime/gmime.h>

#include "classify.h"
#include "log.h"
#include "mime.h"
#include "mime_text.h"
#include "rfc2047.h"
#include "util.h"

#define MAX_DEPTH	32		/* MIME nesting we walk */
#define MAX_PARTS	2000		/* parts we look at */
#define MIME_MAX_INPUT	((size_t)2 << 30)

static const char *fallback_charsets[] = {
	"utf-8", "windows-1251", "koi8-u", NULL
};

static int mime_ready;

void
mime_init(void)
{
	if (mime_ready++ == 0)
		g_mime_init();
}

void
mime_shutdown(void)
{
	if (mime_ready > 0 && --mime_ready == 0)
		g_mime_shutdown();
}

const char *
msg_kind_name(enum msg_kind k)
{
	switch (k) {
	case MSG_CORRESPONDENCE:
		return "correspondence";
	case MSG_COMMAND:
		return "command";
	case MSG_IMIP:
		return "imip";
	case MSG_BOUNCE:
		return "bounce";
	case MSG_AUTOREPLY:
		return "autoreply";
	case MSG_LIST:
		return "list";
	case MSG_OWN:
		return "own";
	case MSG_QUARANTINED:
		return "quarantined";
	}
	return "correspondence";
}

const char *
msg_header(const struct msg *m, const char *name)
{
	size_t i;

	for (i = 0; i < m->nhdr; i++)
		if (strcasecmp(m->hdr[i].name, name) == 0)
			return m->hdr[i].value;
	return NULL;
}

void
msg_free(struct msg *m)
{
	size_t i;

	if (m == NULL)
		return;
	free(m->message_id);
	free(m->in_reply_to);
	strv_free(m->references);
	free(m->subject);
	free(m->from.name);
	free(m->from.email);
	msg_addr_free_array(m->to, m->nto);
	msg_addr_free_array(m->cc, m->ncc);
	msg_addr_free_array(m->reply_to, m->nreply_to);
	free(m->list_id);
	free(m->thread_index);
	free(m->thread_topic);
	free(m->auto_submitted);
	free(m->precedence);
	strv_free(m->auth_results);
	free(m->body);
	for (i = 0; i < m->natt; i++) {
		free(m->att[i].name);
		free(m->att[i].type);
	}
	free(m->att);
	for (i = 0; i < m->ncal; i++) {
		free(m->cal[i].method);
		free(m->cal[i].text);
	}
	free(m->cal);
	strv_free(m->bounced);
	free(m->content_hash);
	free(m->error);
	for (i = 0; i < m->nhdr; i++) {
		free(m->hdr[i].name);
		free(m->hdr[i].value);
	}
	free(m->hdr);
	free(m);
}

time_t
mime_parse_date(const char *value)
{
	GDateTime *dt;
	char *v;
	time_t t;

	if (value == NULL)
		return 0;
	v = hdr_unfold(value);
	dt = g_mime_utils_header_decode_date(v);
	free(v);
	if (dt == NULL)
		return 0;
	t = (time_t)g_date_time_to_unix(dt);
	g_date_time_unref(dt);
	/* GMime answers garbage with the epoch; so do we (0 = unknown). */
	return t < 0 ? 0 : t;
}

/* State of one parse. */
struct walk {
	struct msg		*m;
	GMimeParserOptions	*popts;
	struct buf		 err;		/* "; "-separated problems */
	unsigned		 warned;	/* bit per GMime warning */
	struct buf		 plain, html;
	size_t			 nparts;
	int			 dsn_report;
	char			*dsn;
	size_t			 dsn_len;
};

static void
note(struct walk *w, const char *what)
{
	if (w->err.len > 0)
		buf_adds(&w->err, "; ");
	buf_adds(&w->err, what);
}

/* A field a message or part may have only once. */
static int
single_field(const char *name)
{
	static const char *once[] = {
		"bcc", "cc", "date", "from", "in-reply-to", "message-id",
		"references", "reply-to", "sender", "subject", "to",
	};
	size_t i;

	if (strncasecmp(name, "Content-", 8) == 0)
		return 1;
	for (i = 0; i < nitems(once); i++)
		if (strcasecmp(name, once[i]) == 0)
			return 1;
	return 0;
}

static void warn(struct walk *, GMimeParserWarning, const char *);

static void
gmime_warning(gint64 offset, GMimeParserWarning code, const gchar *item,
    gpointer arg)
{
	struct walk *w = arg;
	const char *what = NULL;

	switch (code) {
	case GMIME_WARN_MALFORMED_MULTIPART:
		what = "malformed multipart";
		break;
	case GMIME_WARN_TRUNCATED_MESSAGE:
		what = "truncated message";
		break;
	case GMIME_WARN_MALFORMED_MESSAGE:
		what = "malformed message";
		break;
	case GMIME_CRIT_INVALID_HEADER_NAME:
		what = "invalid header name";
		break;
	case GMIME_CRIT_CONFLICTING_HEADER:
		/*
		 * The top level is parsed as a part (see mime_parse), where
		 * GMime checks every repeated field; a message may repeat
		 * Received or Authentication-Results, and only these fields
		 * conflict when repeated (RFC 5322 3.6, and MIME's own).
		 */
		if (item == NULL || !single_field(item))
			return;
		what = "conflicting headers";
		break;
	case GMIME_CRIT_MULTIPART_WITHOUT_BOUNDARY:
		what = "multipart without boundary";
		break;
	case GMIME_CRIT_NESTING_OVERFLOW:
		what = "MIME nesting too deep";
		break;
	case GMIME_CRIT_PART_WITHOUT_HEADERS_OR_CONTENT:
		what = "part without headers or content";
		break;
	default:
		return;	/* duplicated headers, 8-bit headers: everyday mail */
	}
	warn(w, code, what);
}

/* Notes a problem once per kind and parse. */
static void
warn(struct walk *w, GMimeParserWarning code, const char *what)
{
	if (code < 32 && (w->warned & (1u << code)))
		return;
	if (code < 32)
		w->warned |= 1u << code;
	note(w, what);
}

/* Appends the whole of stream in to out, as it stands. */
static void
stream_append(GMimeStream *in, struct buf *out)
{
	gint64 len = g_mime_stream_length(in);
	ssize_t r;

	if (g_mime_stream_reset(in) == -1)
		return;
	if (len > 0)
		buf_reserve(out, (size_t)len + 1);
	for (;;) {
		buf_reserve(out, 8192);
		r = g_mime_stream_read(in, out->data + out->len,
		    out->cap - out->len - 1);
		if (r <= 0)
			break;
		out->len += (size_t)r;
	}
	out->data[out->len] = '\0';
	(void)g_mime_stream_reset(in);
}

static int
hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/*
 * Quoted-printable decoded in place (GMime's decoder went through two
 * stream copies and a byte-by-byte state machine), with GMime's rules:
 * "=XX" in either case; soft line breaks "=" CRLF and "=" LF; any other
 * "=" with the two bytes after it kept as they stand; an "=" with less
 * than two bytes after it at the end dropped.
 */
static void
qp_decode(struct buf *b, size_t from)
{
	unsigned char *s = (unsigned char *)b->data;
	size_t i = from, w = from, n = b->len;
	int hi, lo;

	while (i < n) {
		if (s[i] != '=') {
			s[w++] = s[i++];
			continue;
		}
		if (i + 1 < n && s[i + 1] == '\n') {
			i += 2;
		} else if (i + 2 >= n) {
			break;
		} else if (s[i + 1] == '\r' && s[i + 2] == '\n') {
			i += 3;
		} else if ((hi = hexval(s[i + 1])) >= 0 &&
		    (lo = hexval(s[i + 2])) >= 0) {
			s[w++] = (unsigned char)(hi << 4 | lo);
			i += 3;
		} else {
			s[w++] = s[i++];
			s[w++] = s[i++];
			s[w++] = s[i++];
		}
	}
	b->len = w;
	b->data[w] = '\0';
}

/* The transfer-decoded content of a leaf part, appended to out. */
static void
part_content(GMimePart *part, struct buf *out)
{
	GMimeDataWrapper *dw;
	GMimeStream *s;
	GByteArray *ba;
	size_t from = out->len;

	if ((dw = g_mime_part_get_content(part)) == NULL)
		return;
	s = g_mime_data_wrapper_get_stream(dw);
	switch (g_mime_data_wrapper_get_encoding(dw)) {
	case GMIME_CONTENT_ENCODING_DEFAULT:
	case GMIME_CONTENT_ENCODING_7BIT:
	case GMIME_CONTENT_ENCODING_8BIT:
	case GMIME_CONTENT_ENCODING_BINARY:
		if (s != NULL) {
			stream_append(s, out);
			return;
		}
		break;
	case GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE:
		if (s != NULL) {
			stream_append(s, out);
			qp_decode(out, from);
			return;
		}
		break;
	default:
		break;
	}
	s = g_mime_stream_mem_new();
	g_mime_data_wrapper_write_to_stream(dw, s);
	ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(s));
	if (ba != NULL && ba->len > 0)
		buf_add(out, ba->data, ba->len);
	g_object_unref(s);
}

/*
 * Base64 alphabet characters in p[0, n), written so that GCC can use
 * vector instructions (a table look-up cannot be): 8 GB/s against 2.
 */
#if defined(__GNUC__) && !defined(__clang__)
__attribute__((optimize("tree-vectorize")))
#endif
static size_t
base64_chars(const unsigned char *p, size_t n)
{
	size_t c = 0, k, i;
	unsigned part;

	while (n > 0) {
		k = n < 65536 ? n : 65536;
		part = 0;
		for (i = 0; i < k; i++) {
			unsigned char x = p[i];

			part += ((unsigned char)(x - 'A') < 26) |
			    ((unsigned char)(x - 'a') < 26) |
			    ((unsigned char)(x - '0') < 10) |
			    (x == '+') | (x == '/');
		}
		c += part;
		p += k;
		n -= k;
	}
	return c;
}

/*
 * The decoded size of base64 content, counted instead of decoded (it was
 * a tenth of an import's CPU): 6 bits per alphabet character; what the
 * decoder skips (line breaks, junk, '=' padding) is skipped here too.
 */
static size_t
base64_size(GMimeStream *in)
{
	static _Thread_local unsigned char buf[65536];
	ssize_t r;
	size_t c = 0;

	if (g_mime_stream_reset(in) == -1)
		return 0;
	while ((r = g_mime_stream_read(in, (char *)buf, sizeof(buf))) > 0)
		c += base64_chars(buf, (size_t)r);
	(void)g_mime_stream_reset(in);
	return c * 6 / 8;
}

/* The decoded size of a part without keeping it. */
static size_t
object_size(GMimeObject *obj)
{
	GMimeDataWrapper *dw;
	GMimeStream *s;
	size_t n;

	if (GMIME_IS_PART(obj) &&
	    (dw = g_mime_part_get_content(GMIME_PART(obj))) != NULL &&
	    g_mime_data_wrapper_get_encoding(dw) ==
	    GMIME_CONTENT_ENCODING_BASE64 &&
	    g_mime_data_wrapper_get_stream(dw) != NULL)
		return base64_size(g_mime_data_wrapper_get_stream(dw));
	s = g_mime_stream_null_new();
	if (GMIME_IS_PART(obj)) {
		if ((dw = g_mime_part_get_content(GMIME_PART(obj))) != NULL)
			g_mime_data_wrapper_write_to_stream(dw, s);
	} else
		g_mime_object_write_content_to_stream(obj, NULL, s);
	n = GMIME_STREAM_NULL(s)->written;
	g_object_unref(s);
	return n;
}

/* CRLF and lone CR become LF, in place. */
static void
crlf_to_lf(char *t, size_t *lenp)
{
	size_t i, j, len = *lenp;

	for (i = j = 0; i < len; i++)
		if (!(t[i] == '\r' && i + 1 < len && t[i + 1] == '\n'))
			t[j++] = t[i] == '\r' ? '\n' : t[i];
	t[j] = '\0';
	*lenp = j;
}

/* The text of a leaf part in UTF-8, CRLF turned into LF. */
static char *
part_text(GMimePart *part, size_t *lenp)
{
	struct buf raw;
	const char *cs;
	char *t;

	buf_init(&raw);
	part_content(part, &raw);
	cs = g_mime_object_get_content_type_parameter(GMIME_OBJECT(part),
	    "charset");
	t = charset_to_utf8(cs, raw.data ? raw.data : "", raw.len, lenp);
	buf_free(&raw);
	crlf_to_lf(t, lenp);
	return t;
}

static void
add_attachment(struct walk *w, GMimeObject *obj, const char *type)
{
	struct msg *m = w->m;
	struct msg_attachment *a;
	const char *name = NULL;

	if (GMIME_IS_PART(obj))
		name = g_mime_part_get_filename(GMIME_PART(obj));
	else {
		name = g_mime_object_get_content_disposition_parameter(obj,
		    "filename");
		if (name == NULL)
			name = g_mime_object_get_content_type_parameter(obj,
			    "name");
	}
	m->att = xreallocarray(m->att, m->natt + 1, sizeof(*m->att));
	a = &m->att[m->natt++];
	/* GMime decoded RFC 2231; 8-bit names went through fallbacks. */
	a->name = name && *name ? charset_to_utf8("utf-8", name, strlen(name),
	    NULL) : NULL;
	a->type = xstrdup(type);
	str_lower(a->type);
	a->size = object_size(obj);
}

/* METHOD from the content-type parameter, else the body's METHOD: line. */
static char *
calendar_method(GMimeObject *obj, const char *text)
{
	const char *p, *e;
	char *meth;

	p = g_mime_object_get_content_type_parameter(obj, "method");
	if (p != NULL && *p != '\0')
		meth = xstrdup(p);
	else {
		for (p = text; p != NULL; p = strchr(p, '\n')) {
			if (*p == '\n')
				p++;
			if (strncasecmp(p, "METHOD:", 7) == 0)
				break;
		}
		if (p == NULL)
			return NULL;
		p += 7;
		for (e = p; *e != '\0' && *e != '\r' && *e != '\n'; e++)
			;
		meth = xstrndup(p, e - p);
	}
	str_trim(meth);
	if (*meth == '\0') {
		free(meth);
		return NULL;
	}
	for (p = meth; *p != '\0'; p++)
		meth[p - meth] = (char)toupper((unsigned char)*p);
	return meth;
}

static void
add_calendar(struct walk *w, GMimePart *part)
{
	struct msg *m = w->m;
	size_t len, i;
	char *text;

	text = part_text(part, &len);
	/* iMIP sends the same calendar inline and as application/ics. */
	for (i = 0; i < m->ncal; i++)
		if (strcmp(m->cal[i].text, text) == 0) {
			free(text);
			return;
		}
	m->cal = xreallocarray(m->cal, m->ncal + 1, sizeof(*m->cal));
	m->cal[m->ncal].method = calendar_method(GMIME_OBJECT(part), text);
	m->cal[m->ncal].text = text;
	m->ncal++;
}

/*
 * Disposition "attachment" is one; "inline" is not; without a disposition,
 * a file name makes one.
 */
static int
is_attachment(GMimeObject *obj)
{
	GMimeContentDisposition *cd = g_mime_object_get_content_disposition(
	    obj);
	const char *d;

	if (cd != NULL && (d = g_mime_content_disposition_get_disposition(
	    cd)) != NULL && *d != '\0')
		return g_mime_content_disposition_is_attachment(cd);
	return GMIME_IS_PART(obj) &&
	    g_mime_part_get_filename(GMIME_PART(obj)) != NULL;
}

/* A plain-text leaf the body would use, somewhere below obj. */
static int
has_plain(GMimeObject *obj, int depth)
{
	GMimeContentType *ct = g_mime_object_get_content_type(obj);
	int i, n;

	if (depth > MAX_DEPTH)
		return 0;
	if (GMIME_IS_MULTIPART(obj)) {
		n = g_mime_multipart_get_count(GMIME_MULTIPART(obj));
		for (i = 0; i < n && i < MAX_PARTS; i++)
			if (has_plain(g_mime_multipart_get_part(
			    GMIME_MULTIPART(obj), i), depth + 1))
				return 1;
		return 0;
	}
	return GMIME_IS_PART(obj) && ct != NULL &&
	    g_mime_content_type_is_type(ct, "text", "plain") &&
	    !is_attachment(obj);
}

static void
append_text(struct buf *b, const char *t, size_t len)
{
	if (len == 0)
		return;
	if (b->len > 0 && b->data[b->len - 1] != '\n')
		buf_addc(b, '\n');
	buf_add(b, t, len);
}

static void walk_object(struct walk *, GMimeObject *, int depth, int body);

static void
walk_multipart(struct walk *w, GMimeMultipart *mp, GMimeContentType *ct,
    int depth, int body)
{
	int i, n, chosen = -1;
	const char *rt;

	n = g_mime_multipart_get_count(mp);
	if (ct != NULL && g_mime_content_type_is_type(ct, "multipart",
	    "report") && (rt = g_mime_content_type_get_parameter(ct,
	    "report-type")) != NULL && strcasecmp(rt, "delivery-status") == 0)
		w->dsn_report = 1;
	if (n == 0 && !(w->warned & 1u << GMIME_WARN_MALFORMED_MULTIPART)) {
		w->warned |= 1u << GMIME_WARN_MALFORMED_MULTIPART;
		note(w, "malformed multipart");
	}
	if (ct != NULL && g_mime_content_type_is_type(ct, "multipart",
	    "alternative") && body) {
		/* Plain text wins; else the last (richest) alternative. */
		for (i = 0; i < n && i < MAX_PARTS && chosen < 0; i++)
			if (has_plain(g_mime_multipart_get_part(mp, i),
			    depth + 1))
				chosen = i;
		if (chosen < 0)
			chosen = n - 1;
	}
	for (i = 0; i < n && w->nparts < MAX_PARTS; i++)
		walk_object(w, g_mime_multipart_get_part(mp, i), depth + 1,
		    body && (chosen < 0 || chosen == i));
}

static void
walk_object(struct walk *w, GMimeObject *obj, int depth, int body)
{
	GMimeContentType *ct;
	char *type, *t;
	size_t len;

	if (obj == NULL)
		return;
	if (depth > MAX_DEPTH) {
		if (!(w->warned & 1u << GMIME_CRIT_NESTING_OVERFLOW)) {
			w->warned |= 1u << GMIME_CRIT_NESTING_OVERFLOW;
			note(w, "MIME nesting too deep");
		}
		return;
	}
	if (++w->nparts > MAX_PARTS) {
		if (w->nparts == MAX_PARTS + 1)
			note(w, "too many MIME parts");
		return;
	}
	ct = g_mime_object_get_content_type(obj);
	type = ct ? g_mime_content_type_get_mime_type(ct) : NULL;
	if (GMIME_IS_MULTIPART(obj)) {
		walk_multipart(w, GMIME_MULTIPART(obj), ct, depth, body);
	} else if (GMIME_IS_MESSAGE_PART(obj)) {
		if (ct != NULL && g_mime_content_type_is_type(ct, "message",
		    "delivery-status") && w->dsn == NULL) {
			struct buf b;
			GMimeStream *s = g_mime_stream_mem_new();
			GByteArray *ba;

			g_mime_object_write_content_to_stream(obj, NULL, s);
			ba = g_mime_stream_mem_get_byte_array(
			    GMIME_STREAM_MEM(s));
			buf_init(&b);
			buf_add(&b, ba->data, ba->len);
			w->dsn_len = b.len;
			w->dsn = buf_steal(&b);
			g_object_unref(s);
		} else
			add_attachment(w, obj, type ? type : "message/rfc822");
	} else if (GMIME_IS_PART(obj)) {
		GMimePart *part = GMIME_PART(obj);

		if (ct != NULL && (g_mime_content_type_is_type(ct, "text",
		    "calendar") || g_mime_content_type_is_type(ct,
		    "application", "ics"))) {
			add_calendar(w, part);
			if (is_attachment(obj) || g_mime_content_type_is_type(
			    ct, "application", "ics"))
				add_attachment(w, obj, type);
		} else if (ct != NULL && (g_mime_content_type_is_type(ct,
		    "message", "delivery-status") ||
		    g_mime_content_type_is_type(ct, "message",
		    "global-delivery-status"))) {
			if (w->dsn == NULL) {
				struct buf b;

				buf_init(&b);
				part_content(part, &b);
				if (b.data == NULL)
					buf_add(&b, "", 0);
				w->dsn_len = b.len;
				w->dsn = buf_steal(&b);
			}
		} else if (body && !is_attachment(obj) && ct != NULL &&
		    g_mime_content_type_is_type(ct, "text", "plain")) {
			t = part_text(part, &len);
			append_text(&w->plain, t, len);
			free(t);
		} else if (body && !is_attachment(obj) && ct != NULL &&
		    g_mime_content_type_is_type(ct, "text", "html")) {
			t = part_text(part, &len);
			append_text(&w->html, t, len);
			free(t);
		} else if (is_attachment(obj) || ct == NULL ||
		    !(g_mime_content_type_is_type(ct, "text", "plain") ||
		    g_mime_content_type_is_type(ct, "text", "html")))
			add_attachment(w, obj, type ? type :
			    "application/octet-stream");
		/* Inline text/html in a chosen-against alternative: dropped. */
	}
	g_free(type);
}

/*
 * The top-level header block, split by mistok rather than GMime: GMime
 * checked and decoded every field while parsing (half its time, with a
 * warning callback), and mistok decodes the fields it keeps itself. The
 * rules are GMime's: a field name runs to the colon, blanks may only
 * stand before the colon, no control characters; a line that is not a
 * field is dropped with its continuation lines, and an mbox "From "
 * line before the first field is skipped. GMime still parses the
 * Content-* fields, with the body.
 */
struct field {
	const char	*name;		/* blanks before the colon dropped */
	size_t		 nlen;
	const char	*raw;		/* after the colon, folds and line
					   break kept (GMime's raw value) */
	size_t		 rlen;
};

struct fields {
	struct field	*v;
	size_t		 n;
	size_t		 body;		/* offset of the body, after the
					   blank line (or the input's end) */
};

/* Length of the field name of a field line, or 0 when it is not one. */
static size_t
field_name(const char *l, size_t len, size_t *colon)
{
	size_t i, nlen = 0;
	int blank = 0;

	for (i = 0; i < len && l[i] != ':'; i++) {
		unsigned char c = (unsigned char)l[i];

		if (c == ' ' || c == '\t')
			blank = 1;
		else if (blank || c < 0x20 || c == 0x7f)
			return 0;
		else
			nlen = i + 1;
	}
	if (i == len || nlen == 0)
		return 0;
	*colon = i;
	return nlen;
}

static int
same_field(const struct field *a, const struct field *b)
{
	return a->nlen == b->nlen && strncasecmp(a->name, b->name,
	    a->nlen) == 0;
}

/*
 * Splits raw[0, len) into fields up to the blank line. -1 when the first
 * line is not a field: GMime read such input as no message at all.
 */
static int
split_fields(const char *raw, size_t len, struct fields *f, struct walk *w)
{
	const char *l, *nl;
	size_t pos = 0, llen, colon, nlen, cap = 0, i;
	int dropping = 0;

	memset(f, 0, sizeof(*f));
	f->body = len;
	while (pos < len) {
		l = raw + pos;
		nl = memchr(l, '\n', len - pos);
		llen = nl ? (size_t)(nl - l) + 1 : len - pos;
		if (l[0] == '\n' || (l[0] == '\r' && llen > 1 &&
		    l[1] == '\n')) {
			f->body = pos + llen;
			break;
		}
		pos += llen;
		if ((l[0] == ' ' || l[0] == '\t') && (f->n > 0 || dropping)) {
			if (!dropping)
				f->v[f->n - 1].rlen += llen;
			continue;
		}
		if ((nlen = field_name(l, llen, &colon)) == 0) {
			if (f->n == 0 && ((llen >= 5 &&
			    strncmp(l, "From ", 5) == 0) || (llen >= 6 &&
			    strncmp(l, ">From ", 6) == 0)))
				continue;
			if (f->n == 0) {
				warn(w, GMIME_CRIT_INVALID_HEADER_NAME,
				    "invalid header name");
				free(f->v);
				f->v = NULL;
				return -1;
			}
			warn(w, GMIME_CRIT_INVALID_HEADER_NAME,
			    "invalid header name");
			dropping = 1;
			continue;
		}
		dropping = 0;
		if (f->n == cap) {
			cap = cap ? cap * 2 : 32;
			f->v = xreallocarray(f->v, cap, sizeof(*f->v));
		}
		f->v[f->n].name = l;
		f->v[f->n].nlen = nlen;
		f->v[f->n].raw = l + colon + 1;
		f->v[f->n].rlen = llen - colon - 1;
		f->n++;
	}
	if (f->n == 0 && f->body == len && len > 0) {
		/* No field and no body: nothing GMime read as a message. */
		return -1;
	}
	/* Repeated fields a message may have once (GMime's check). */
	for (i = 1; i < f->n; i++) {
		const struct field *a = &f->v[i];
		size_t j;
		char name[32];

		if (a->nlen >= sizeof(name))
			continue;
		memcpy(name, a->name, a->nlen);
		name[a->nlen] = '\0';
		if (!single_field(name) || strncasecmp(name, "Content-", 8) == 0)
			continue;
		for (j = 0; j < i; j++)
			if (same_field(a, &f->v[j]) && (a->rlen != f->v[j].rlen ||
			    memcmp(a->raw, f->v[j].raw, a->rlen) != 0)) {
				warn(w, GMIME_CRIT_CONFLICTING_HEADER,
				    "conflicting headers");
				break;
			}
	}
	return 0;
}

/*
 * What GMime parses: the top level's Content-* fields, a blank line and
 * the body, the body read in place from the borrowed buffer.
 */
static GMimeStream *
content_stream(GMimeStream *whole, size_t plen, const struct fields *f)
{
	GMimeStream *cat, *s;
	GByteArray *hb = g_byte_array_new();
	size_t i;

	for (i = 0; i < f->n; i++) {
		const struct field *x = &f->v[i];

		if (x->nlen < 8 || strncasecmp(x->name, "Content-", 8) != 0)
			continue;
		g_byte_array_append(hb, (const guint8 *)x->name, x->nlen);
		g_byte_array_append(hb, (const guint8 *)":", 1);
		g_byte_array_append(hb, (const guint8 *)x->raw, x->rlen);
		if (x->rlen == 0 || x->raw[x->rlen - 1] != '\n')
			g_byte_array_append(hb, (const guint8 *)"\r\n", 2);
	}
	g_byte_array_append(hb, (const guint8 *)"\r\n", 2);
	cat = g_mime_stream_cat_new();
	s = g_mime_stream_mem_new_with_byte_array(hb);
	g_mime_stream_cat_add_source(GMIME_STREAM_CAT(cat), s);
	g_object_unref(s);
	if (f->body < plen) {
		s = g_mime_stream_substream(whole, f->body, plen);
		g_mime_stream_cat_add_source(GMIME_STREAM_CAT(cat), s);
		g_object_unref(s);
	}
	return cat;
}

/* Header fields mistok keeps from the top-level header block. */
static void
take_headers(struct msg *m, const struct fields *f)
{
	const char *name, *raw;
	char *rawbuf;
	size_t nauth = 0, i;

	m->hdr = xcalloc(f->n > 0 ? f->n : 1, sizeof(*m->hdr));
	m->auth_results = xcalloc(1, sizeof(char *));
	for (i = 0; i < f->n; i++) {
		m->hdr[m->nhdr].name = xstrndup(f->v[i].name, f->v[i].nlen);
		name = m->hdr[m->nhdr].name;
		/* Up to a NUL, as GMime's copy was. */
		raw = rawbuf = xstrndup(f->v[i].raw, f->v[i].rlen);
		m->hdr[m->nhdr].value = hdr_unfold(raw);
		m->nhdr++;
		if (strcasecmp(name, "Subject") == 0 && m->subject == NULL)
			m->subject = rfc2047_decode(raw, strlen(raw));
		else if (strcasecmp(name, "Message-ID") == 0 &&
		    m->message_id == NULL)
			m->message_id = mime_parse_msgid(raw);
		else if (strcasecmp(name, "In-Reply-To") == 0 &&
		    m->in_reply_to == NULL) {
			char *u = hdr_unfold(raw);

			m->in_reply_to = mime_parse_msgid_strict(u);
			free(u);
		} else if (strcasecmp(name, "References") == 0 &&
		    m->references == NULL)
			m->references = mime_parse_references(raw);
		else if (strcasecmp(name, "Date") == 0 && m->date == 0)
			m->date = mime_parse_date(raw);
		else if (strcasecmp(name, "From") == 0 &&
		    m->from.email == NULL) {
			struct msg_addr *a;
			size_t k, na = mime_parse_addresses(raw, &a);

			if (na > 0) {
				m->from = a[0];
				for (k = 1; k < na; k++) {
					free(a[k].name);
					free(a[k].email);
				}
				free(a);
			} else {
				/* "From: Whomever": keep the name. */
				m->from.email = xstrdup("");
				m->from.name = rfc2047_decode(raw, strlen(raw));
				if (*m->from.name == '\0') {
					free(m->from.name);
					m->from.name = NULL;
				}
			}
		} else if (strcasecmp(name, "To") == 0 && m->to == NULL)
			m->nto = mime_parse_addresses(raw, &m->to);
		else if (strcasecmp(name, "Cc") == 0 && m->cc == NULL)
			m->ncc = mime_parse_addresses(raw, &m->cc);
		else if (strcasecmp(name, "Reply-To") == 0 &&
		    m->reply_to == NULL)
			m->nreply_to = mime_parse_addresses(raw,
			    &m->reply_to);
		else if (strcasecmp(name, "List-Id") == 0 &&
		    m->list_id == NULL) {
			char *u = hdr_unfold(raw), *lt = strchr(u, '<');

			m->list_id = lt ? mime_parse_msgid(lt) : NULL;
			if (m->list_id == NULL && *u != '\0')
				m->list_id = xstrdup(u);
			if (m->list_id != NULL)
				str_lower(m->list_id);
			free(u);
		} else if (strcasecmp(name, "Thread-Index") == 0 &&
		    m->thread_index == NULL)
			m->thread_index = hdr_unfold(raw);
		else if (strcasecmp(name, "Thread-Topic") == 0 &&
		    m->thread_topic == NULL)
			m->thread_topic = rfc2047_decode(raw, strlen(raw));
		else if (strcasecmp(name, "Auto-Submitted") == 0 &&
		    m->auto_submitted == NULL) {
			m->auto_submitted = hdr_unfold(raw);
			/* "auto-replied; owner-email=…": the keyword. */
			m->auto_submitted[strcspn(m->auto_submitted,
			    " \t;(")] = '\0';
			str_lower(m->auto_submitted);
		} else if (strcasecmp(name, "Precedence") == 0 &&
		    m->precedence == NULL) {
			m->precedence = hdr_unfold(raw);
			str_lower(m->precedence);
		} else if (strcasecmp(name, "Authentication-Results") == 0) {
			m->auth_results = xreallocarray(m->auth_results,
			    nauth + 2, sizeof(char *));
			m->auth_results[nauth++] = hdr_unfold(raw);
			m->auth_results[nauth] = NULL;
		}
		free(rawbuf);
	}
}

static char *
sha256_hex(const char *raw, size_t len)
{
	GChecksum *ck = g_checksum_new(G_CHECKSUM_SHA256);
	char *hex;

	g_checksum_update(ck, (const guchar *)raw, len);
	hex = xstrdup(g_checksum_get_string(ck));
	g_checksum_free(ck);
	return hex;
}

/* Length of the header section, including the blank line. */
static size_t
header_len(const char *raw, size_t len)
{
	const char *p = raw;
	size_t rest = len;

	while (rest > 0 && (p = memchr(p, '\n', rest)) != NULL) {
		p++;
		rest = len - (p - raw);
		if (rest > 0 && p[0] == '\n')
			return p - raw + 1;
		if (rest > 1 && p[0] == '\r' && p[1] == '\n')
			return p - raw + 2;
	}
	return len;
}

/* Fills in whatever a failed or partial parse left empty. */
static void
fill_defaults(struct msg *m)
{
	if (m->subject == NULL)
		m->subject = xstrdup("");
	if (m->from.email == NULL)
		m->from.email = xstrdup("");
	if (m->references == NULL)
		m->references = xcalloc(1, sizeof(char *));
	if (m->auth_results == NULL)
		m->auth_results = xcalloc(1, sizeof(char *));
	if (m->bounced == NULL)
		m->bounced = xcalloc(1, sizeof(char *));
	if (m->body == NULL) {
		m->body = xstrdup("");
		m->body_len = 0;
	}
}

int
mime_parse(const char *raw, size_t len, const struct mime_opts *opts,
    struct msg **out)
{
	static const struct mime_opts noopts;
	struct classify_in ci;
	struct walk w;
	struct msg *m;
	GByteArray *ba;
	GMimeStream *stream;
	GMimeParser *parser;
	GMimeStream *cstream = NULL;
	GMimeObject *top;
	struct fields f;
	size_t plen = len;
	int headers_only, split;

	*out = NULL;
	if (len > MIME_MAX_INPUT)
		return -1;
	if (raw == NULL)
		raw = "";
	if (opts == NULL)
		opts = &noopts;
	if (!mime_ready)
		mime_init();

	m = xcalloc(1, sizeof(*m));
	memset(&w, 0, sizeof(w));
	w.m = m;
	buf_init(&w.err);
	buf_init(&w.plain);
	buf_init(&w.html);
	headers_only = opts->headers_only;
	if (opts->max_size > 0 && len > opts->max_size) {
		m->truncated = 1;
		headers_only = 1;
		buf_printf(&w.err, "message of %zu bytes is over the limit of "
		    "%zu: headers only", len, opts->max_size);
	}
	split = split_fields(raw, len, &f, &w);
	if (headers_only)
		plen = split == 0 ? f.body : header_len(raw, len);

	/* Borrow raw in place (see the top of the file). */
	ba = g_byte_array_new();
	ba->data = (guint8 *)(uintptr_t)raw;
	ba->len = (guint)plen;
	stream = g_mime_stream_mem_new_with_byte_array(ba);
	g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(stream), FALSE);

	w.popts = g_mime_parser_options_new();
	g_mime_parser_options_set_fallback_charsets(w.popts,
	    fallback_charsets);
	g_mime_parser_options_set_warning_callback(w.popts, gmime_warning, &w);
	top = NULL;
	parser = NULL;
	if (split == 0) {
		/*
		 * The top level as a part, not a GMimeMessage, from its
		 * Content-* fields only: mistok reads the other fields
		 * itself, and GMimeMessage parsed every address list and
		 * date again.
		 */
		cstream = content_stream(stream, plen, &f);
		parser = g_mime_parser_new_with_stream(cstream);
		g_mime_parser_set_persist_stream(parser, TRUE);
		g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
		top = g_mime_parser_construct_part(parser, w.popts);
	}

	if (top == NULL) {
		/* No header at all: the whole input is text. */
		note(&w, "not a MIME message");
		m->body = charset_to_utf8(NULL, raw, plen, &m->body_len);
		crlf_to_lf(m->body, &m->body_len);
	}
	else {
		take_headers(m, &f);
		if (!headers_only)
			walk_object(&w, top, 0, 1);
	}

	if (m->body != NULL)
		;
	else if (w.plain.len > 0 && strspn(w.plain.data, " \t\r\n") < w.plain.len) {
		m->body_len = w.plain.len;
		m->body = buf_steal(&w.plain);
	} else if (w.html.len > 0) {
		m->body = html_to_text(w.html.data, w.html.len, &m->body_len);
		m->body_from_html = 1;
	} else if (w.plain.len > 0) {
		m->body_len = w.plain.len;
		m->body = buf_steal(&w.plain);
	}
	fill_defaults(m);
	m->quote_off = text_quote_offset(m->body, m->body_len);
	m->sig_off = text_sig_offset(m->body, m->body_len, m->quote_off);

	memset(&ci, 0, sizeof(ci));
	ci.own_domain = opts->own_domain;
	ci.dsn_report = w.dsn_report;
	ci.dsn = w.dsn;
	ci.dsn_len = w.dsn_len;
	classify(m, &ci);

	/*
	 * Only mail without a Message-ID is told apart by its bytes; hashing
	 * every message cost a fifth of the import's CPU time.
	 */
	if (m->message_id == NULL)
		m->content_hash = sha256_hex(raw, len);

	if (w.err.len > 0) {
		m->error = buf_steal(&w.err);
		log_trace(TRACE_MIME, "mime %s: %s", m->message_id ?
		    m->message_id : "(no Message-ID)", m->error);
	}

	if (top != NULL)
		g_object_unref(top);
	if (parser != NULL)
		g_object_unref(parser);
	if (cstream != NULL)
		g_object_unref(cstream);
	g_object_unref(stream);
	free(f.v);
	g_mime_parser_options_free(w.popts);
	/* End the borrow: GLib must not free the caller's buffer. */
	ba->data = NULL;
	ba->len = 0;
	g_byte_array_free(ba, TRUE);
	free(w.dsn);
	buf_free(&w.err);
	buf_free(&w.plain);
	buf_free(&w.html);
	*out = m;
	return 0;
}
