/*
 * compose_hdr: the top-level header of mistok's outgoing mail, written by
 * hand rather than by GMime: values stripped of control characters
 * (compose_clean), RFC 2047 encoded words and folding at 78 columns,
 * addresses, Date, mistok's Message-IDs and Outlook's Thread-Index and
 * Thread-Topic. The MIME structure of the body is compose.c's.
 */
#include <sys/random.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gmime/gmime.h>

#include "compose.h"
#include "compose_int.h"
#include "log.h"
#include "util.h"

/* ---- values -------------------------------------------------------------- */

char *
compose_clean(const char *s)
{
	struct buf b;
	int ctl = 0;
	char *r;

	if (s == NULL)
		return NULL;
	buf_init(&b);
	buf_adds(&b, "");
	for (; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch < 0x20 || ch == 0x7f) {
			ctl = 1;
			continue;
		}
		/* A run of controls is one space, none next to a space. */
		if (ctl && ch != ' ' && b.len > 0 && b.data[b.len - 1] != ' ')
			buf_addc(&b, ' ');
		ctl = 0;
		buf_addc(&b, ch);
	}
	r = buf_steal(&b);
	str_trim(r);
	return r;
}

/* 1 when s is a msg-id's inside (no <>, white space or controls). */
int
compose_valid_msgid(const char *s)
{
	const char *p;

	if (s == NULL || *s == '\0' || strlen(s) > 900 ||
	    strchr(s, '@') == NULL)
		return 0;
	for (p = s; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f ||
		    *p == '<' || *p == '>')
			return 0;
	return 1;
}

/* The id without surrounding blanks and <>; NULL when not valid. */
char *
compose_clean_msgid(const char *s)
{
	char *c, *p, *r = NULL;
	size_t n;

	if (s == NULL || (c = compose_clean(s)) == NULL)
		return NULL;
	p = c;
	n = strlen(p);
	if (n >= 2 && p[0] == '<' && p[n - 1] == '>') {
		p[n - 1] = '\0';
		p++;
	}
	if (compose_valid_msgid(p))
		r = xstrdup(p);
	free(c);
	return r;
}

static void
random_bytes(void *p, size_t n)
{
	ssize_t r;
	size_t off = 0;

	while (off < n) {
		r = getrandom((char *)p + off, n - off, 0);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			fatal("compose: getrandom");
		off += (size_t)r;
	}
}

/* <mistok.TIME.RANDOM@domain>: base32 of 80 random bits. */
char *
compose_new_msgid(const char *domain)
{
	static const char b32[] = "abcdefghijklmnopqrstuvwxyz234567";
	unsigned char r[10];
	char s[17];
	size_t i;
	uint64_t acc = 0;
	int bits = 0, j = 0;

	random_bytes(r, sizeof(r));
	for (i = 0; i < sizeof(r); i++) {
		acc = (acc << 8) | r[i];
		bits += 8;
		while (bits >= 5) {
			s[j++] = b32[(acc >> (bits - 5)) & 31];
			bits -= 5;
		}
	}
	s[j] = '\0';
	return xasprintf("mistok.%llx.%s@%s",
	    (unsigned long long)clock_now(), s, domain);
}

/* ---- Thread-Index (MS-OXOMSG PidTagConversationIndex) ------------------ */

/* 100 ns units since 1601, Windows' FILETIME. */
static uint64_t
filetime(time_t t)
{
	return ((uint64_t)t + 11644473600ULL) * 10000000ULL;
}

/* A new 22-byte header: the top 6 bytes of FILETIME and a random GUID. */
char *
compose_thread_index_new(time_t now)
{
	unsigned char raw[22];
	uint64_t ft = filetime(now);
	int i;

	for (i = 0; i < 6; i++)
		raw[i] = (unsigned char)(ft >> (56 - 8 * i));
	random_bytes(raw + 6, 16);
	return g_base64_encode(raw, sizeof(raw));
}

/*
 * The parent's index plus one 5-byte child block: a code bit, 31 bits of
 * time since the header's time (>> 18, or >> 23 with the code bit when
 * that overflows), 4 random bits and a 4-bit sequence. NULL when the
 * parent's value is not a valid index.
 */
char *
compose_thread_index_child(const char *parent, time_t now)
{
	guchar *raw;
	gsize len = 0;
	unsigned char *out;
	uint64_t ft = filetime(now), hft = 0, diff;
	uint32_t v;
	unsigned char rnd;
	char *copy, *r;
	int i;

	copy = compose_clean(parent);
	for (i = 0; copy[i] != '\0'; i++)
		if (!g_ascii_isalnum(copy[i]) && copy[i] != '+' &&
		    copy[i] != '/' && copy[i] != '=') {
			free(copy);
			return NULL;
		}
	raw = g_base64_decode(copy, &len);
	free(copy);
	if (raw == NULL || len < 22 || (len - 22) % 5 != 0 || len > 22 + 5 * 100) {
		g_free(raw);
		return NULL;
	}
	for (i = 0; i < 6; i++)
		hft = (hft << 8) | raw[i];
	hft <<= 16;
	diff = ft > hft ? ft - hft : 0;
	if ((diff >> 18) < (1ULL << 31))
		v = (uint32_t)(diff >> 18);
	else
		v = (uint32_t)(((diff >> 23) & 0x7fffffffULL) | 0x80000000ULL);
	random_bytes(&rnd, 1);
	out = xmalloc(len + 5);
	memcpy(out, raw, len);
	out[len] = (unsigned char)(v >> 24);
	out[len + 1] = (unsigned char)(v >> 16);
	out[len + 2] = (unsigned char)(v >> 8);
	out[len + 3] = (unsigned char)v;
	out[len + 4] = (unsigned char)((rnd & 0xf0) | (((len - 22) / 5 + 1) &
	    0x0f));
	r = g_base64_encode(out, len + 5);
	free(out);
	g_free(raw);
	return r;
}

/* ---- Thread-Topic -------------------------------------------------------- */

/* Reply and forward prefixes seen in the wild (INTEROP.md), lower case. */
static const char *const prefixes[] = {
	"re", "fwd", "fw", "aw", "wg", "sv", "vs", "antw", "odp", "rv",
	"enc", "tr", "відп", "пересл", "отв", "вдп", "Відп", "Пересл", "Отв",
	"Вдп", "ВІДП", "ПЕРЕСЛ", "ОТВ", "ВДП",
};

/* The subject without leading reply prefixes ("Re: ", "Відп: ", …). */
static char *
topic_of(const char *subject)
{
	const char *s = subject, *p;
	size_t i, n;
	int again = 1;

	while (again) {
		again = 0;
		while (*s == ' ')
			s++;
		for (i = 0; i < nitems(prefixes); i++) {
			n = strlen(prefixes[i]);
			if (strncasecmp(s, prefixes[i], n) != 0)
				continue;
			p = s + n;
			if (*p == '[' || *p == '(') {	/* Re[2]: */
				p++;
				while (*p >= '0' && *p <= '9')
					p++;
				if (*p != ']' && *p != ')')
					continue;
				p++;
			}
			if (*p == ':')
				p++;
			else if (strncmp(p, "\xef\xbc\x9a", 3) == 0)
				p += 3;			/* full-width colon */
			else
				continue;
			s = p;
			again = 1;
			break;
		}
	}
	return xstrdup(s);
}

/* ---- header writing ------------------------------------------------------ */

/*
 * The top-level header is written here, not by GMime: GMime 3.2 encodes
 * long non-ASCII text as adjacent padded base64 words, which Debian 12's
 * own GMime (notmuch, Evolution) then truncates on reading (INTEROP.md).
 * Our words are B-encoded UTF-8 whose payload, in every word but the last,
 * is a multiple of 3 bytes (no '=' padding) and ends on a character
 * boundary, so every decoder reads them whole.
 */
#define FOLD_AT		78
#define EW_OVERHEAD	12	/* "=?UTF-8?B?" "?=" */
#define EW_MAX		75

struct hw {
	struct buf	*b;
	size_t		 col;
};

static void
hw_start(struct hw *h, struct buf *b, const char *name)
{
	h->b = b;
	buf_printf(b, "%s:", name);
	h->col = strlen(name) + 1;
}

/* One token, after a space that may become a fold (CRLF SP). */
static void
hw_token(struct hw *h, const char *tok, size_t len)
{
	if (h->col + 1 + len > FOLD_AT && h->col > 1) {
		buf_adds(h->b, "\r\n ");
		h->col = 1;
	} else {
		buf_addc(h->b, ' ');
		h->col++;
	}
	buf_add(h->b, tok, len);
	h->col += len;
}

static void
hw_end(struct hw *h)
{
	buf_adds(h->b, "\r\n");
}

/* Length of the UTF-8 sequence starting with byte ch (1 for bad bytes). */
static size_t
u8len(unsigned char ch)
{
	if (ch >= 0xf0 && ch < 0xf8)
		return 4;
	if (ch >= 0xe0)
		return ch < 0xf0 ? 3 : 1;
	if (ch >= 0xc0)
		return 2;
	return 1;
}

static int
needs_encoding(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s >= 0x80 || (s[0] == '=' && s[1] == '?'))
			return 1;
	return 0;
}

/* Q-encodes (phrase-safe: only letters and digits literal) one chunk. */
static void
q_word(struct buf *w, const char *s, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;

	buf_adds(w, "=?UTF-8?Q?");
	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];

		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9'))
			buf_addc(w, ch);
		else if (ch == ' ')
			buf_addc(w, '_');
		else {
			buf_addc(w, '=');
			buf_addc(w, hex[ch >> 4]);
			buf_addc(w, hex[ch & 15]);
		}
	}
	buf_adds(w, "?=");
}

/* Writes s (UTF-8) as encoded words, folding between them. */
static void
hw_encoded(struct hw *h, const char *s)
{
	size_t len = strlen(s), off = 0, room, max, n, end, aligned, qlen;
	struct buf w;
	gchar *b64;

	buf_init(&w);
	while (off < len) {
		room = FOLD_AT - h->col - 1;
		if (room > EW_MAX)
			room = EW_MAX;
		if (room < EW_OVERHEAD + 8) {
			room = EW_MAX;
			h->col = FOLD_AT;	/* forces a fold */
		}
		max = (room - EW_OVERHEAD) / 4 * 3;
		/* The longest run of whole characters within max bytes. */
		for (end = off, aligned = off; end < len;) {
			n = u8len((unsigned char)s[end]);
			if (end + n > len)
				n = len - end;
			if (end + n - off > max)
				break;
			end += n;
			if ((end - off) % 3 == 0)
				aligned = end;
		}
		if (end == off)		/* cannot happen with max >= 6 */
			end = off + 1;
		buf_reset(&w);
		if (end == len || aligned > off) {
			if (end != len)
				end = aligned;
			b64 = g_base64_encode((const guchar *)s + off,
			    end - off);
			buf_printf(&w, "=?UTF-8?B?%s?=", b64);
			g_free(b64);
		} else {
			/* No padding-free cut: this word goes as Q. */
			for (end = off, qlen = 0; end < len;) {
				n = u8len((unsigned char)s[end]);
				if (end + n > len)
					n = len - end;
				if (EW_OVERHEAD + qlen + 3 * n > room)
					break;
				qlen += 3 * n;
				end += n;
			}
			if (end == off)
				end = off + u8len((unsigned char)s[off]);
			q_word(&w, s + off, end - off);
		}
		hw_token(h, w.data, w.len);
		off = end;
	}
	buf_free(&w);
}

/* Unstructured text (Subject, Thread-Topic, extra headers). */
static void
hw_text(struct hw *h, const char *s)
{
	const char *p, *e;

	if (needs_encoding(s)) {
		hw_encoded(h, s);
		return;
	}
	for (p = s; *p != '\0'; p = e) {
		while (*p == ' ')
			p++;
		if (*p == '\0')
			break;
		for (e = p; *e != '\0' && *e != ' '; e++)
			;
		hw_token(h, p, (size_t)(e - p));
	}
}

/* A display name: atoms, a quoted string, or encoded words. */
static void
hw_phrase(struct hw *h, const char *s)
{
	struct buf q;
	const char *p;
	int special = 0;

	if (needs_encoding(s)) {
		hw_encoded(h, s);
		return;
	}
	for (p = s; *p != '\0'; p++)
		if (strchr("()<>[]:;@\\,.\"", *p) != NULL)
			special = 1;
	if (!special) {
		hw_text(h, s);
		return;
	}
	buf_init(&q);
	buf_addc(&q, '"');
	for (p = s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			buf_addc(&q, '\\');
		buf_addc(&q, *p);
	}
	buf_addc(&q, '"');
	hw_token(h, q.data, q.len);
	buf_free(&q);
}

static void
hw_addresses(struct buf *b, const char *name, const struct rcpt *v,
    size_t n)
{
	struct hw h;
	char *a;
	size_t i;

	if (n == 0)
		return;
	hw_start(&h, b, name);
	for (i = 0; i < n; i++) {
		if (v[i].name != NULL && *v[i].name != '\0')
			hw_phrase(&h, v[i].name);
		a = xasprintf("<%s>%s", v[i].email, i + 1 < n ? "," : "");
		hw_token(&h, a, strlen(a));
		free(a);
	}
	hw_end(&h);
}

static void
hw_ids(struct buf *b, const char *name, char *const *ids)
{
	struct hw h;
	char *a;

	hw_start(&h, b, name);
	for (; *ids != NULL; ids++) {
		a = xasprintf("<%s>", *ids);
		hw_token(&h, a, strlen(a));
		free(a);
	}
	hw_end(&h);
}

static void
hw_simple(struct buf *b, const char *name, const char *value, int text)
{
	struct hw h;

	hw_start(&h, b, name);
	if (text)
		hw_text(&h, value);
	else
		hw_token(&h, value, strlen(value));
	hw_end(&h);
}

/* RFC 5322 date in UTC, without the locale. */
static void
hw_date(struct buf *b, time_t t)
{
	static const char *const days[] = { "Sun", "Mon", "Tue", "Wed",
	    "Thu", "Fri", "Sat" };
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr",
	    "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct tm tm;

	gmtime_r(&t, &tm);
	buf_printf(b, "Date: %s, %d %s %04d %02d:%02d:%02d +0000\r\n",
	    days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon],
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* Everything of the top-level header before the body's Content-* lines. */
void
compose_hdr_write(struct compose *c, struct buf *msg)
{
	struct rcpt from;
	char *topic, *irt[2];
	size_t i;

	from.name = c->from_name;
	from.email = c->from_email;
	hw_addresses(msg, "From", &from, 1);
	hw_addresses(msg, "To", c->to, c->nto);
	hw_addresses(msg, "Cc", c->cc, c->ncc);
	hw_addresses(msg, "Reply-To", c->reply_to, c->nreply_to);
	hw_simple(msg, "Subject", c->subject, 1);
	hw_date(msg, c->date);
	irt[0] = c->msgid;
	irt[1] = NULL;
	hw_ids(msg, "Message-ID", irt);
	if (c->in_reply_to != NULL) {
		irt[0] = c->in_reply_to;
		hw_ids(msg, "In-Reply-To", irt);
	}
	if (c->refs != NULL && c->refs[0] != NULL)
		hw_ids(msg, "References", c->refs);
	hw_simple(msg, "Thread-Index", c->thread_index, 0);
	topic = c->topic ? xstrdup(c->topic) : topic_of(c->subject);
	if (*topic != '\0')
		hw_simple(msg, "Thread-Topic", topic, 1);
	free(topic);
	hw_simple(msg, "Auto-Submitted", "auto-generated", 0);
	hw_simple(msg, "X-Auto-Response-Suppress", "OOF, AutoReply", 1);
	for (i = 0; i < c->nhdrs; i++)
		hw_simple(msg, c->hdrs[i].name, c->hdrs[i].value, 1);
	buf_adds(msg, "MIME-Version: 1.0\r\n");
}
