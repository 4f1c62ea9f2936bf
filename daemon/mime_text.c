/*
 * mime_text: HTML to text, quote and signature offsets, unfolding.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mime_text.h"
#include "util.h"

static void
put_utf8(struct buf *b, unsigned long cp)
{
	if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		cp = 0xfffd;
	if (cp < 0x80)
		buf_addc(b, (int)cp);
	else if (cp < 0x800) {
		buf_addc(b, 0xc0 | (int)(cp >> 6));
		buf_addc(b, 0x80 | (int)(cp & 0x3f));
	} else if (cp < 0x10000) {
		buf_addc(b, 0xe0 | (int)(cp >> 12));
		buf_addc(b, 0x80 | (int)((cp >> 6) & 0x3f));
		buf_addc(b, 0x80 | (int)(cp & 0x3f));
	} else {
		buf_addc(b, 0xf0 | (int)(cp >> 18));
		buf_addc(b, 0x80 | (int)((cp >> 12) & 0x3f));
		buf_addc(b, 0x80 | (int)((cp >> 6) & 0x3f));
		buf_addc(b, 0x80 | (int)(cp & 0x3f));
	}
}

struct entity {
	const char	*name;
	unsigned	 cp;
};

static const struct entity entities[] = {
	{ "amp", '&' }, { "lt", '<' }, { "gt", '>' }, { "quot", '"' },
	{ "apos", '\'' }, { "nbsp", ' ' }, { "copy", 0xa9 },
	{ "reg", 0xae }, { "trade", 0x2122 }, { "hellip", 0x2026 },
	{ "mdash", 0x2014 }, { "ndash", 0x2013 }, { "laquo", 0xab },
	{ "raquo", 0xbb }, { "lsquo", 0x2018 }, { "rsquo", 0x2019 },
	{ "ldquo", 0x201c }, { "rdquo", 0x201d }, { "bdquo", 0x201e },
	{ "bull", 0x2022 }, { "middot", 0xb7 }, { "euro", 0x20ac },
	{ "deg", 0xb0 }, { "times", 0xd7 }, { "shy", 0 }, { "zwnj", 0 },
	{ "zwj", 0 }, { "thinsp", ' ' }, { "ensp", ' ' }, { "emsp", ' ' },
	{ "sect", 0xa7 }, { "para", 0xb6 }, { "iexcl", 0xa1 },
	{ "cent", 0xa2 }, { "pound", 0xa3 }, { "yen", 0xa5 },
	{ "plusmn", 0xb1 }, { "frac12", 0xbd }, { "auml", 0xe4 },
	{ "ouml", 0xf6 }, { "uuml", 0xfc }, { "szlig", 0xdf },
	{ "eacute", 0xe9 }, { "egrave", 0xe8 }, { "agrave", 0xe0 },
	{ "ccedil", 0xe7 }, { "numero", 0x2116 },
};

/*
 * Decodes the entity at s (after '&'); returns the bytes consumed after
 * the '&', 0 when it is not one (the '&' is then literal).
 */
static size_t
entity(struct buf *b, const char *s, size_t len)
{
	unsigned long cp = 0;
	size_t i = 0, n;
	int hex = 0, digits = 0;

	if (len > 0 && s[0] == '#') {
		i = 1;
		if (i < len && (s[i] == 'x' || s[i] == 'X')) {
			hex = 1;
			i++;
		}
		for (; i < len && digits < 8; i++, digits++) {
			if (hex && isxdigit((unsigned char)s[i]))
				cp = cp * 16 + (isdigit((unsigned char)s[i]) ?
				    s[i] - '0' : (tolower((unsigned char)s[i]) -
				    'a' + 10));
			else if (!hex && isdigit((unsigned char)s[i]))
				cp = cp * 10 + (s[i] - '0');
			else
				break;
		}
		if (digits == 0)
			return 0;
		if (i < len && s[i] == ';')
			i++;
		if (cp == 0xa0)
			cp = ' ';
		put_utf8(b, cp);
		return i;
	}
	for (n = 0; n < len && n < 10 && isalnum((unsigned char)s[n]); n++)
		;
	if (n == 0)
		return 0;
	for (i = 0; i < nitems(entities); i++) {
		if (strlen(entities[i].name) != n ||
		    strncmp(entities[i].name, s, n) != 0)
			continue;
		if (entities[i].cp != 0)
			put_utf8(b, entities[i].cp);
		return n < len && s[n] == ';' ? n + 1 : n;
	}
	return 0;
}

static const char *blocks[] = {
	"p", "div", "br", "tr", "li", "ul", "ol", "table", "h1", "h2", "h3",
	"h4", "h5", "h6", "blockquote", "pre", "hr", "section", "article",
	"header", "footer", "dd", "dt", "dl", "address", "center", "form",
	"title", "body", "html", "nav", "aside", "main", "figure",
};

static int
is_block(const char *name)
{
	size_t i;

	for (i = 0; i < nitems(blocks); i++)
		if (strcmp(blocks[i], name) == 0)
			return 1;
	return 0;
}

/*
 * Ends the current line (want 1) or paragraph (want 2) unless the text
 * already ends so; never at the very start.
 */
static void
newline(struct buf *b, int want)
{
	int have = 0;

	while (b->len > 0 && b->data[b->len - 1] == ' ')
		b->len--;
	if (b->len == 0)
		return;
	while (have < want && (size_t)have < b->len &&
	    b->data[b->len - 1 - have] == '\n')
		have++;
	for (; have < want; have++)
		buf_addc(b, '\n');
}

/* Finds the end of a tag that starts at s[i] == '<', honouring quotes. */
static size_t
tag_end(const char *s, size_t len, size_t i)
{
	char q = 0;

	for (i++; i < len; i++) {
		if (q) {
			if (s[i] == q)
				q = 0;
		} else if (s[i] == '"' || s[i] == '\'')
			q = s[i];
		else if (s[i] == '>')
			return i;
	}
	return len;
}

/* Skips to just past "</name" ... ">" (case-insensitive), or len. */
static size_t
skip_raw(const char *s, size_t len, size_t i, const char *name)
{
	size_t n = strlen(name);

	for (; i + n + 2 <= len; i++)
		if (s[i] == '<' && s[i + 1] == '/' &&
		    strncasecmp(s + i + 2, name, n) == 0)
			return tag_end(s, len, i) + 1;
	return len;
}

char *
html_to_text(const char *s, size_t len, size_t *outlen)
{
	struct buf b;
	char name[16];
	size_t i = 0, j, n, e;
	int closing, pre = 0;
	unsigned char c;

	buf_init(&b);
	buf_add(&b, "", 0);
	while (i < len) {
		c = s[i];
		if (c == '<' && i + 1 < len && (isalpha((unsigned char)s[i + 1]) ||
		    s[i + 1] == '/' || s[i + 1] == '!' || s[i + 1] == '?')) {
			if (i + 3 < len && strncmp(s + i, "<!--", 4) == 0) {
				const char *end = memmem(s + i + 4, len - i - 4,
				    "-->", 3);
				i = end ? (size_t)(end - s) + 3 : len;
				continue;
			}
			e = tag_end(s, len, i);
			j = i + 1;
			closing = 0;
			if (j < len && s[j] == '/') {
				closing = 1;
				j++;
			}
			for (n = 0; j < e && n < sizeof(name) - 1 &&
			    isalnum((unsigned char)s[j]); j++, n++)
				name[n] = tolower((unsigned char)s[j]);
			name[n] = '\0';
			i = e < len ? e + 1 : len;
			if (!closing && (strcmp(name, "script") == 0 ||
			    strcmp(name, "style") == 0 ||
			    strcmp(name, "head") == 0 ||
			    strcmp(name, "title") == 0)) {
				i = skip_raw(s, len, i, name);
				continue;
			}
			if (strcmp(name, "pre") == 0)
				pre = !closing;
			if (strcmp(name, "br") == 0) {
				while (b.len > 0 && b.data[b.len - 1] == ' ')
					b.len--;
				buf_addc(&b, '\n');
			} else if (strcmp(name, "td") == 0 ||
			    strcmp(name, "th") == 0) {
				if (closing && b.len > 0 &&
				    b.data[b.len - 1] != '\n' &&
				    b.data[b.len - 1] != ' ')
					buf_addc(&b, ' ');
			} else if (is_block(name)) {
				/* Paragraphs and headings stand apart. */
				newline(&b, strcmp(name, "p") == 0 ||
				    (name[0] == 'h' && name[1] >= '1' &&
				    name[1] <= '6') ? 2 : 1);
			}
			continue;
		}
		if (c == '&') {
			n = entity(&b, s + i + 1, len - i - 1);
			if (n > 0) {
				i += n + 1;
				continue;
			}
		}
		if (!pre && (c == ' ' || c == '\t' || c == '\r' ||
		    c == '\n')) {
			if (b.len > 0 && b.data[b.len - 1] != ' ' &&
			    b.data[b.len - 1] != '\n')
				buf_addc(&b, ' ');
			i++;
			continue;
		}
		if (c == '\r') {
			i++;
			continue;
		}
		/* U+00A0 no-break space, as a plain space. */
		if (c == 0xc2 && i + 1 < len && (unsigned char)s[i + 1] == 0xa0) {
			buf_addc(&b, ' ');
			i += 2;
			continue;
		}
		buf_addc(&b, c);
		i++;
	}
	/* Trim trailing blanks and line breaks. */
	while (b.len > 0 && (b.data[b.len - 1] == ' ' ||
	    b.data[b.len - 1] == '\n'))
		b.len--;
	b.data[b.len] = '\0';
	if (outlen)
		*outlen = b.len;
	return buf_steal(&b);
}

/* Lower-cases one UTF-8 character (ASCII and Cyrillic); returns length. */
static size_t
lower_char(const unsigned char *s, unsigned *cp)
{
	unsigned c;

	if (s[0] < 0x80) {
		*cp = tolower(s[0]);
		return 1;
	}
	if ((s[0] & 0xe0) == 0xc0 && (s[1] & 0xc0) == 0x80) {
		c = (s[0] & 0x1f) << 6 | (s[1] & 0x3f);
		if (c >= 0x410 && c <= 0x42f)
			c += 0x20;
		else if (c >= 0x400 && c <= 0x40f)
			c += 0x50;
		else if (c == 0x490)
			c = 0x491;
		*cp = c;
		return 2;
	}
	*cp = s[0] | 0x100000;	/* other bytes compare as themselves */
	return 1;
}

char *
utf8_lower(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	char *out = xmalloc(strlen(s) + 1), *w = out;
	unsigned c;
	size_t n;

	while (*p != '\0') {
		n = lower_char(p, &c);
		if (c < 0x80)
			*w++ = (char)c;
		else if (n == 2) {
			*w++ = (char)(0xc0 | c >> 6);
			*w++ = (char)(0x80 | (c & 0x3f));
		} else
			*w++ = (char)*p;
		p += n;
	}
	*w = '\0';
	return out;
}

/* The line [s, e) with its line break excluded. */
struct line {
	const char	*s;
	size_t		 len, off;
};

static int
next_line(const char *body, size_t len, size_t *pos, struct line *l)
{
	const char *nl;

	if (*pos >= len)
		return 0;
	l->s = body + *pos;
	l->off = *pos;
	nl = memchr(l->s, '\n', len - *pos);
	l->len = nl ? (size_t)(nl - l->s) : len - *pos;
	*pos += l->len + (nl ? 1 : 0);
	if (l->len > 0 && l->s[l->len - 1] == '\r')
		l->len--;
	return 1;
}

static int
blank(const struct line *l)
{
	size_t i;

	for (i = 0; i < l->len; i++)
		if (l->s[i] != ' ' && l->s[i] != '\t')
			return 0;
	return 1;
}

static int
line_starts(const struct line *l, const char *prefix)
{
	size_t n = strlen(prefix), i = 0;

	while (i < l->len && (l->s[i] == ' ' || l->s[i] == '\t'))
		i++;
	return l->len - i >= n && strncasecmp(l->s + i, prefix, n) == 0;
}

/* The line (trimmed of blanks) ends with suffix. */
static int
line_ends(const struct line *l, const char *suffix)
{
	size_t n = strlen(suffix), e = l->len;

	while (e > 0 && (l->s[e - 1] == ' ' || l->s[e - 1] == '\t'))
		e--;
	return e >= n && memcmp(l->s + e - n, suffix, n) == 0;
}

/* The first and the last character of a line that is not a blank. */
static unsigned char
first_char(const struct line *l)
{
	size_t i = 0;

	while (i < l->len && (l->s[i] == ' ' || l->s[i] == '\t'))
		i++;
	return i < l->len ? (unsigned char)l->s[i] : 0;
}

static unsigned char
last_char(const struct line *l)
{
	size_t e = l->len;

	while (e > 0 && (l->s[e - 1] == ' ' || l->s[e - 1] == '\t'))
		e--;
	return e > 0 ? (unsigned char)l->s[e - 1] : 0;
}

static const char *attrib_end[] = {
	"wrote:", "writes:", "пише:", "написав:", "написала:",
	"написав(ла):", "написал:", "написала:", "написал(а):",
	"пишет:", "schrieb:", "a écrit :", "a écrit:", "escribió:",
	"napisał:", "napisała:",
};

static const char *original[] = {
	"-----Original Message-----", "----- Original Message -----",
	"-----Ursprüngliche Nachricht-----",
	"-----Вихідне повідомлення-----", "-----Оригінальне повідомлення-----",
	"-----Исходное сообщение-----", "-----Original message-----",
	"---------- Forwarded message", "-------- Original Message --------",
	"-------- Пересланное сообщение", "-------- Переслане повідомлення",
};

static const char *from_hdr[] = { "From:", "Від:", "От:", "Von:" };
static const char *sent_hdr[] = {
	"Sent:", "Date:", "Надіслано:", "Відправлено:", "Отправлено:",
	"Дата:", "Gesendet:",
};

static int
line_is_attribution(const struct line *l)
{
	size_t i;

	for (i = 0; i < nitems(attrib_end); i++)
		if (line_ends(l, attrib_end[i]))
			return 1;
	return 0;
}

static int
line_in(const struct line *l, const char **set, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (line_starts(l, set[i]))
			return 1;
	return 0;
}

size_t
text_quote_offset(const char *body, size_t len)
{
	struct line l, prev = { NULL, 0, 0 }, next, attr;
	size_t pos = 0, p2, quote_start = len;
	int have_prev = 0, in_quote = 0;

	/*
	 * One pass: the earliest attribution or Outlook header wins; a run of
	 * ">" lines counts only if nothing but blank lines follows it.
	 */
	while (next_line(body, len, &pos, &l)) {
		/*
		 * Most lines are none of these: every "original" line starts
		 * with '-', every header with F, V, В or О (0xd0) and every
		 * attribution ends with ':'.
		 */
		unsigned char first = first_char(&l);

		if (first == '-' && line_in(&l, original, nitems(original)))
			return l.off;
		if ((first == 'F' || first == 'f' || first == 'V' ||
		    first == 'v' || first == 0xd0) &&
		    line_in(&l, from_hdr, nitems(from_hdr))) {
			/* "From:" then "Sent:"/"Date:" within two lines. */
			p2 = pos;
			if (next_line(body, len, &p2, &next) &&
			    (line_in(&next, sent_hdr, nitems(sent_hdr)) ||
			    (next_line(body, len, &p2, &next) &&
			    line_in(&next, sent_hdr, nitems(sent_hdr)))))
				return have_prev && prev.len > 0 &&
				    prev.s[0] == '_' ? prev.off : l.off;
		}
		if (last_char(&l) == ':' && line_is_attribution(&l)) {
			/* Gmail wraps "On …, X <x@y>\nwrote:" over two lines. */
			attr = l;
			if (have_prev && !blank(&prev) && l.len < 16 &&
			    line_starts(&prev, "On "))
				attr = prev;
			p2 = pos;
			/* Only an attribution followed by a quote counts. */
			while (next_line(body, len, &p2, &next) && blank(&next))
				;
			if (p2 > pos && next.len > 0 && next.s[0] == '>')
				return attr.off;
			/* HTML mail: the quote is a <blockquote>, no ">". */
			if (line_starts(&attr, "On ") ||
			    line_ends(&l, "пише:"))
				return attr.off;
		}
		if (l.len > 0 && l.s[0] == '>') {
			if (!in_quote)
				quote_start = l.off;
			in_quote = 1;
		} else if (!blank(&l)) {
			in_quote = 0;
			quote_start = len;
		}
		prev = l;
		have_prev = 1;
	}
	return in_quote ? quote_start : len;
}

size_t
text_sig_offset(const char *body, size_t len, size_t limit)
{
	struct line l;
	size_t pos = 0;

	if (limit > len)
		limit = len;
	while (next_line(body, limit, &pos, &l))
		if ((l.len == 3 && memcmp(l.s, "-- ", 3) == 0) ||
		    (l.len == 2 && memcmp(l.s, "--", 2) == 0))
			return l.off;
	return len;
}

char *
hdr_unfold(const char *v)
{
	size_t n = strlen(v), i, j = 0, e;
	char *out = xmalloc(n + 1);

	/*
	 * Up to the first line break that is not a fold; CR dropped, other
	 * controls made spaces; one pass, one allocation.
	 */
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];

		if (c >= 0x20) {
			out[j++] = (char)c;
			continue;
		}
		if (c == '\r')
			continue;
		if (c == '\n') {
			if (v[i + 1] != ' ' && v[i + 1] != '\t')
				break;
			continue;
		}
		out[j++] = ' ';
	}
	for (i = 0; i < j && out[i] == ' '; i++)
		;
	for (e = j; e > i && out[e - 1] == ' '; e--)
		;
	memmove(out, out + i, e - i);
	out[e - i] = '\0';
	return out;
}
