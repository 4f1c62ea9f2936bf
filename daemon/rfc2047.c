/*
 * rfc2047: encoded words, unfolding and charset conversion to UTF-8.
 *
 * Decoding works in two passes over a header value. The first cuts the
 * value at the end of the header, replaces every white-space run that holds
 * a line break (a fold) by a marker byte and other control characters by
 * spaces. The second finds encoded words, decodes each on its own and
 * keeps the decoded bytes of adjacent words of one charset together until
 * something else comes, so that a UTF-8 or other multibyte character split
 * across two words is converted whole. Folds inside an encoded word are
 * dropped (mailers fold inside long words); elsewhere a fold is one space.
 */
#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "rfc2047.h"
#include "util.h"

#define FOLD		'\001'	/* marks a fold in the working copy */
#define MAX_CHARSET	64

/*
 * Length of the well-formed UTF-8 sequence at s (of at most len bytes),
 * or 0 when it is not one.
 */
static size_t
utf8_seq(const unsigned char *s, size_t len)
{
	size_t n, k;
	unsigned cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 1;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 2;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 3;
		cp = s[0] & 0x07;
	} else
		return 0;
	if (n >= len)
		return 0;
	for (k = 1; k <= n; k++) {
		if ((s[k] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[k] & 0x3f);
	}
	if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n + 1;
}

int
utf8_valid(const char *in, size_t len)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t i = 0, n;

	while (i < len) {
		if ((n = utf8_seq(s + i, len - i)) == 0)
			return 0;
		i += n;
	}
	return 1;
}

/* Length of the prefix of s[0, len) that is ASCII without NULs. */
static size_t
ascii_span(const unsigned char *s, size_t len)
{
	const uint64_t hi = 0x8080808080808080ull, lo = 0x0101010101010101ull;
	uint64_t w;
	size_t i = 0;

	/* Eight bytes at a time: no high bit set, no zero byte. */
	for (; i + 8 <= len; i += 8) {
		memcpy(&w, s + i, 8);
		if ((w & hi) != 0 || ((w - lo) & ~w & hi) != 0)
			break;
	}
	while (i < len && s[i] != 0 && s[i] < 0x80)
		i++;
	return i;
}

/* Whether in[0, len) is well-formed UTF-8 without NULs. */
static int
utf8_clean(const char *in, size_t len)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t i = 0, n;

	while (i < len) {
		i += ascii_span(s + i, len - i);
		if (i == len)
			break;
		if (s[i] == 0)
			return 0;
		/* Two-byte sequences (Cyrillic) without the general case. */
		while (i + 1 < len && s[i] >= 0xc2 && s[i] <= 0xdf &&
		    (s[i + 1] & 0xc0) == 0x80)
			i += 2;
		if (i == len || s[i] < 0x80)
			continue;
		if ((n = utf8_seq(s + i, len - i)) == 0)
			return 0;
		i += n;
	}
	return 1;
}

/* Counts well-formed multibyte sequences and stray bytes. */
static void
utf8_stats(const char *in, size_t len, size_t *good, size_t *bad)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t i = 0, n;

	*good = *bad = 0;
	while (i < len) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if ((n = utf8_seq(s + i, len - i)) == 0) {
			(*bad)++;
			i++;
		} else {
			(*good)++;
			i += n;
		}
	}
}

/*
 * Windows-1251 puts lower-case Cyrillic at 0xe0-0xff, KOI8 at 0xc0-0xdf;
 * running text is mostly lower case, so the fuller half wins.
 */
static const char *
cyrillic_guess(const char *in, size_t len)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t i, lo = 0, hi = 0;

	for (i = 0; i < len; i++) {
		if (s[i] >= 0xe0)
			hi++;
		else if (s[i] >= 0xc0)
			lo++;
	}
	return lo > hi ? "koi8-u" : "windows-1251";
}

/*
 * Western text has single 8-bit letters inside ASCII words ("Frösche");
 * Cyrillic words are runs of 8-bit bytes. So 8-bit bytes that never stand
 * next to each other, and each touch an ASCII letter, read as
 * windows-1252.
 */
static int
looks_western(const char *in, size_t len)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t i;
	int seen = 0;

	for (i = 0; i < len; i++) {
		if (s[i] < 0x80)
			continue;
		if ((i > 0 && s[i - 1] >= 0x80) ||
		    (i + 1 < len && s[i + 1] >= 0x80))
			return 0;
		if (!((i > 0 && isalpha(s[i - 1])) ||
		    (i + 1 < len && isalpha(s[i + 1]))))
			return 0;
		seen = 1;
	}
	return seen;
}

const char *
charset_guess(const char *in, size_t len)
{
	size_t good, bad;

	utf8_stats(in, len, &good, &bad);
	if (good == 0 && bad == 0)
		return "us-ascii";
	if (bad == 0 || good >= bad * 4)
		return "utf-8";
	if (looks_western(in, len))
		return "windows-1252";
	return cyrillic_guess(in, len);
}

/* Appends in as UTF-8; stray bytes become U+FFFD, NULs are dropped. */
static void
utf8_repair(struct buf *out, const char *in, size_t len)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t i = 0, n, start = 0;

	while (i < len) {
		if (s[i] != 0 && (n = utf8_seq(s + i, len - i)) != 0) {
			i += n;
			continue;
		}
		buf_add(out, in + start, i - start);
		if (s[i] != 0)
			buf_adds(out, "\xef\xbf\xbd");
		start = ++i;
	}
	buf_add(out, in + start, i - start);
}

/*
 * Converters to UTF-8 stay open, a few charsets at a time: iconv_open()
 * loads (dlopen) the charset's gconv module and iconv_close() may unload
 * it again, which cost an import more than the conversions did. Mail
 * names a handful of charsets; the least recently used is closed when a
 * new one needs its slot. Charsets iconv does not know are not kept.
 * The import parses on a second thread (fetchpipe.c), so the slots are
 * under a lock and a converter in use is lent to one caller: another
 * caller of the same charset meanwhile gets a converter of its own.
 */
#define ICONV_SLOTS	8

static struct {
	char		name[MAX_CHARSET + 16];
	iconv_t		cd;
	unsigned	used;		/* clock of the last use, 0: empty */
	int		lent;
} converters[ICONV_SLOTS];
static unsigned converter_clock;
static pthread_mutex_t converter_lock = PTHREAD_MUTEX_INITIALIZER;

static iconv_t
converter(const char *charset)
{
	size_t i, victim = SIZE_MAX;
	iconv_t cd;

	if (strlen(charset) >= sizeof(converters[0].name))
		return iconv_open("UTF-8", charset);
	pthread_mutex_lock(&converter_lock);
	for (i = 0; i < ICONV_SLOTS; i++) {
		if (converters[i].used != 0 && !converters[i].lent &&
		    strcasecmp(converters[i].name, charset) == 0) {
			converters[i].used = ++converter_clock;
			converters[i].lent = 1;
			cd = converters[i].cd;
			pthread_mutex_unlock(&converter_lock);
			/* Back to the initial shift state. */
			(void)iconv(cd, NULL, NULL, NULL, NULL);
			return cd;
		}
		if (!converters[i].lent && (victim == SIZE_MAX ||
		    converters[i].used < converters[victim].used))
			victim = i;
	}
	pthread_mutex_unlock(&converter_lock);
	if ((cd = iconv_open("UTF-8", charset)) == (iconv_t)-1)
		return cd;
	pthread_mutex_lock(&converter_lock);
	/* A slot no caller holds (it may have been taken meanwhile). */
	if (victim != SIZE_MAX && !converters[victim].lent) {
		if (converters[victim].used != 0)
			iconv_close(converters[victim].cd);
		snprintf(converters[victim].name,
		    sizeof(converters[victim].name), "%s", charset);
		converters[victim].cd = cd;
		converters[victim].used = ++converter_clock;
		converters[victim].lent = 1;
	}
	pthread_mutex_unlock(&converter_lock);
	return cd;
}

/* Hands back what converter() gave (closes only what it did not keep). */
static void
converter_done(iconv_t cd)
{
	size_t i;

	pthread_mutex_lock(&converter_lock);
	for (i = 0; i < ICONV_SLOTS; i++)
		if (converters[i].used != 0 && converters[i].cd == cd) {
			converters[i].lent = 0;
			pthread_mutex_unlock(&converter_lock);
			return;
		}
	pthread_mutex_unlock(&converter_lock);
	iconv_close(cd);
}

/*
 * Single-byte charsets (windows-1251, KOI8-U, KOI8-R, ISO-8859-x: most
 * Ukrainian mail that is not UTF-8) convert through a table of each
 * byte's UTF-8, built once from iconv itself, so the output is iconv's
 * byte for byte at a fraction of its cost. A charset qualifies when
 * every ASCII byte stands for itself and every other byte converts on
 * its own or is undefined (UTF-7, ISO-2022 and the multibyte charsets
 * fail this). Tables are kept for the process, a few charsets at most.
 */
#define SB_SLOTS	8

struct sbtable {
	char		name[MAX_CHARSET + 16];
	int		ok;		/* 1 single-byte, 0 not */
	unsigned char	len[256];	/* 0: undefined in the charset */
	char		utf8[256][8];
};

static struct sbtable *sbtables[SB_SLOTS];

static void
sb_build(struct sbtable *t, const char *charset)
{
	iconv_t cd;
	char in, out[16], *ip, *op;
	size_t il, ol, r;
	int b;

	snprintf(t->name, sizeof(t->name), "%s", charset);
	t->ok = 0;
	if ((cd = iconv_open("UTF-8", charset)) == (iconv_t)-1)
		return;
	for (b = 0; b < 256; b++) {
		in = (char)b;
		ip = &in;
		il = 1;
		op = out;
		ol = sizeof(out);
		(void)iconv(cd, NULL, NULL, NULL, NULL);
		r = iconv(cd, &ip, &il, &op, &ol);
		if (r == (size_t)-1 && errno == EILSEQ && b >= 0x80) {
			t->len[b] = 0;
			continue;
		}
		if (r == (size_t)-1 || il != 0 || op == out ||
		    (size_t)(op - out) > sizeof(t->utf8[b]) ||
		    (b < 0x80 && (op - out != 1 || out[0] != (char)b))) {
			iconv_close(cd);
			return;
		}
		t->len[b] = (unsigned char)(op - out);
		memcpy(t->utf8[b], out, (size_t)(op - out));
	}
	iconv_close(cd);
	t->ok = 1;
}

/* The table of charset, NULL when it is not single-byte (or no slot). */
static const struct sbtable *
sb_table(const char *charset)
{
	const struct sbtable *found = NULL;
	size_t i;

	if (strlen(charset) >= sizeof(sbtables[0]->name))
		return NULL;
	pthread_mutex_lock(&converter_lock);
	for (i = 0; i < SB_SLOTS && sbtables[i] != NULL; i++)
		if (strcasecmp(sbtables[i]->name, charset) == 0)
			break;
	if (i < SB_SLOTS) {
		if (sbtables[i] == NULL) {
			sbtables[i] = xcalloc(1, sizeof(*sbtables[i]));
			sb_build(sbtables[i], charset);
		}
		if (sbtables[i]->ok)
			found = sbtables[i];
	}
	pthread_mutex_unlock(&converter_lock);
	return found;
}

/* in through a single-byte table; -1 (out unchanged) at an undefined byte. */
static int
sb_append(struct buf *out, const struct sbtable *t, const char *in,
    size_t len)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t oldlen = out->len, i;
	char *w;

	buf_reserve(out, len * 3);
	w = out->data + out->len;
	for (i = 0; i < len; i++) {
		unsigned n = t->len[s[i]];

		if (s[i] < 0x80) {
			if (s[i] != 0)	/* NULs dropped, as after iconv */
				*w++ = (char)s[i];
			continue;
		}
		if (n == 0) {
			out->len = oldlen;
			out->data[oldlen] = '\0';
			return -1;
		}
		if ((size_t)(w - out->data) + n + 1 > out->cap) {
			out->len = (size_t)(w - out->data);
			buf_reserve(out, (len - i) * 8);
			w = out->data + out->len;
		}
		memcpy(w, t->utf8[s[i]], n);
		w += n;
	}
	out->len = (size_t)(w - out->data);
	out->data[out->len] = '\0';
	return 0;
}

/* Appends the conversion; returns -1 (out unchanged) when iconv fails. */
static int
iconv_append(struct buf *out, const char *charset, const char *in,
    size_t len)
{
	const struct sbtable *t;
	iconv_t cd;
	size_t oldlen = out->len, inleft = len, outleft, done, r;
	char *ip = (char *)in, *op;

	if ((t = sb_table(charset)) != NULL)
		return sb_append(out, t, in, len);
	if ((cd = converter(charset)) == (iconv_t)-1)
		return -1;
	for (;;) {
		if (out->cap - out->len < inleft * 3 + 16) {
			out->cap = out->len + inleft * 3 + 64;
			out->data = xreallocarray(out->data, out->cap, 1);
		}
		op = out->data + out->len;
		outleft = out->cap - out->len - 1;
		r = iconv(cd, &ip, &inleft, &op, &outleft);
		out->len = op - out->data;
		if (r != (size_t)-1) {
			/* Flush any shift state (ISO-2022, UTF-7). */
			outleft = out->cap - out->len - 1;
			if (iconv(cd, NULL, NULL, &op, &outleft) ==
			    (size_t)-1)
				break;
			out->len = op - out->data;
			converter_done(cd);
			/* Drop NULs that a converter let through. */
			for (done = oldlen, r = oldlen; r < out->len; r++)
				if (out->data[r] != '\0')
					out->data[done++] = out->data[r];
			out->len = done;
			out->data[out->len] = '\0';
			return 0;
		}
		if (errno != E2BIG)
			break;
	}
	converter_done(cd);
	out->len = oldlen;
	if (out->data)
		out->data[oldlen] = '\0';
	return -1;
}

struct alias {
	const char *name, *iconv;
};

/* Labels seen in mail that iconv does not know, or knows narrower. */
static const struct alias aliases[] = {
	{ "ks_c_5601-1987", "CP949" },
	{ "gb2312", "GB18030" },
	{ "gbk", "GB18030" },
	{ "x-gbk", "GB18030" },
	{ "iso-8859-8-i", "ISO-8859-8" },
	{ "cp-1251", "CP1251" },
	{ "win-1251", "CP1251" },
	{ "x-cp1251", "CP1251" },
	{ "koi8", "KOI8-R" },
	{ "x-mac-cyrillic", "MAC-CYRILLIC" },
	{ "ibm866", "CP866" },
	{ "tis-620", "TIS-620" },
	{ "windows-874", "CP874" },
};

/* Labels for "no idea": the bytes decide. */
static const char *unlabelled[] = {
	"", "unknown", "unknown-8bit", "x-unknown", "8bit", "default",
	"x-user-defined", "us-ascii", "ascii", "ansi_x3.4-1968", "utf-8",
	"utf8", "x-utf-8",
};

/* ASCII bytes mean themselves in these, so pure ASCII is copied. */
static int
ascii_compatible(const char *cs)
{
	static const char *pfx[] = {
		"iso-8859", "iso8859", "windows-", "cp", "koi8", "us-ascii",
		"ascii", "utf-8", "utf8", "latin", "ibm", "gb", "big5",
		"euc-", "shift", "tis", "ks_c", "mac",
	};
	size_t i;

	if (*cs == '\0')
		return 1;
	for (i = 0; i < nitems(pfx); i++)
		if (strncasecmp(cs, pfx[i], strlen(pfx[i])) == 0)
			return 1;
	return 0;
}

/* Appends the guessed conversion of unlabelled or mislabelled bytes. */
static void
guess_append(struct buf *out, const char *in, size_t len)
{
	const char *cs, *other;
	size_t good, bad;

	if (utf8_clean(in, len)) {
		buf_add(out, in, len);
		return;
	}
	utf8_stats(in, len, &good, &bad);
	if (bad == 0 || good >= bad * 4) {
		utf8_repair(out, in, len);
		return;
	}
	if (looks_western(in, len) && iconv_append(out, "windows-1252", in,
	    len) == 0)
		return;
	cs = cyrillic_guess(in, len);
	other = strcmp(cs, "koi8-u") == 0 ? "windows-1251" : "koi8-u";
	if (iconv_append(out, cs, in, len) == 0 ||
	    iconv_append(out, other, in, len) == 0)
		return;
	utf8_repair(out, in, len);
}

static void
convert_append(struct buf *out, const char *charset, const char *in,
    size_t len)
{
	char cs[MAX_CHARSET + 1];
	const char *p, *name;
	size_t i, n;

	if (len == 0) {
		if (out->data == NULL)
			buf_add(out, "", 0);
		return;
	}
	/* "UTF-8*en" (RFC 2231 language), quotes, blanks. */
	p = charset ? charset : "";
	while (*p == ' ' || *p == '\t' || *p == '"')
		p++;
	for (n = 0; n < MAX_CHARSET && p[n] && p[n] != '*' && p[n] != '"' &&
	    p[n] != ' ' && p[n] != '\t' && p[n] != ';'; n++)
		cs[n] = p[n];
	cs[n] = '\0';

	if (ascii_span((const unsigned char *)in, len) == len &&
	    ascii_compatible(cs)) {
		buf_add(out, in, len);
		return;
	}
	for (i = 0; i < nitems(unlabelled); i++)
		if (strcasecmp(cs, unlabelled[i]) == 0) {
			guess_append(out, in, len);
			return;
		}
	name = cs;
	for (i = 0; i < nitems(aliases); i++)
		if (strcasecmp(cs, aliases[i].name) == 0)
			name = aliases[i].iconv;
	if (iconv_append(out, name, in, len) == 0)
		return;
	guess_append(out, in, len);
}

char *
charset_to_utf8(const char *charset, const char *in, size_t len,
    size_t *outlen)
{
	struct buf b;

	buf_init(&b);
	convert_append(&b, charset, in, len);
	if (b.data == NULL)
		buf_add(&b, "", 0);
	if (outlen)
		*outlen = b.len;
	return buf_steal(&b);
}

static int
b64val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Decodes one word's text on its own: padding ends this word only. */
static void
decode_b(struct buf *out, const char *s, size_t len)
{
	unsigned acc = 0;
	int bits = 0, v;
	size_t i;

	for (i = 0; i < len && s[i] != '='; i++) {
		if ((v = b64val((unsigned char)s[i])) < 0)
			continue;	/* folds, blanks, junk */
		acc = (acc << 6 | v) & 0xffffff;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf_addc(out, (acc >> bits) & 0xff);
		}
	}
}

static void
decode_q(struct buf *out, const char *s, size_t len)
{
	size_t i;
	int h, l;

	for (i = 0; i < len; i++) {
		if (s[i] == FOLD)
			continue;
		if (s[i] == '_')
			buf_addc(out, ' ');
		else if (s[i] == '=' && i + 2 < len &&
		    (h = hexval((unsigned char)s[i + 1])) >= 0 &&
		    (l = hexval((unsigned char)s[i + 2])) >= 0) {
			buf_addc(out, h << 4 | l);
			i += 2;
		} else
			buf_addc(out, s[i]);
	}
}

struct eword {
	const char	*cs;	/* charset, cslen bytes */
	size_t		 cslen;
	int		 enc;	/* 'B' or 'Q' */
	const char	*text;	/* encoded text, textlen bytes */
	size_t		 textlen;
	size_t		 end;	/* offset just past "?=" */
};

/* Parses an encoded word at s[i] ("=?"); returns 0 when there is none. */
static int
parse_eword(const char *s, size_t len, size_t i, struct eword *w)
{
	size_t j, k;

	if (i + 1 >= len || s[i] != '=' || s[i + 1] != '?')
		return 0;
	j = i + 2;
	for (k = j; k < len && k - j <= MAX_CHARSET; k++)
		if (s[k] == '?' || s[k] == ' ' || s[k] == '\t' ||
		    s[k] == FOLD || s[k] == '"' || s[k] == '(' || s[k] == ')')
			break;
	if (k == j || k >= len || s[k] != '?' || k - j > MAX_CHARSET)
		return 0;
	w->cs = s + j;
	w->cslen = k - j;
	if (k + 2 >= len || s[k + 2] != '?')
		return 0;
	if (s[k + 1] == 'B' || s[k + 1] == 'b')
		w->enc = 'B';
	else if (s[k + 1] == 'Q' || s[k + 1] == 'q')
		w->enc = 'Q';
	else
		return 0;
	w->text = s + k + 3;
	for (j = k + 3; j + 1 < len; j++)
		if (s[j] == '?' && s[j + 1] == '=')
			break;
	if (j + 1 >= len)
		return 0;
	w->textlen = j - (k + 3);
	w->end = j + 2;
	return 1;
}

static int
all_blank(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != FOLD)
			return 0;
	return 1;
}

static int
same_charset(const char *a, size_t alen, const char *b, size_t blen)
{
	const char *star;

	/* Ignore an RFC 2231 language suffix: "utf-8*uk". */
	if ((star = memchr(a, '*', alen)) != NULL)
		alen = star - a;
	if ((star = memchr(b, '*', blen)) != NULL)
		blen = star - b;
	return alen == blen && strncasecmp(a, b, alen) == 0;
}

/* Appends literal text: folds become spaces, raw 8-bit is converted. */
static void
literal_append(struct buf *out, const char *s, size_t len)
{
	char *tmp;
	size_t i;

	if (len == 0)
		return;
	tmp = xmalloc(len);
	for (i = 0; i < len; i++)
		tmp[i] = s[i] == FOLD ? ' ' : s[i];
	convert_append(out, NULL, tmp, len);
	free(tmp);
}

static void
flush_words(struct buf *out, char *cs, struct buf *pend)
{
	if (pend->len > 0)
		convert_append(out, cs, pend->data, pend->len);
	buf_reset(pend);
	cs[0] = '\0';
}

char *
rfc2047_decode(const char *in, size_t len)
{
	struct buf work, out, pend;
	struct eword w;
	char cs[MAX_CHARSET + 1];
	size_t i, j, lit, n;
	int prev_word = 0, fold;
	unsigned char c;

	buf_init(&work);
	buf_init(&out);
	buf_init(&pend);
	buf_add(&work, "", 0);	/* data is never NULL below */
	cs[0] = '\0';

	/* Pass 1: cut at the header's end, mark folds, blank controls. */
	for (i = 0; i < len; i++) {
		c = in[i];
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
			fold = 0;
			for (j = i; j < len; j++) {
				if (in[j] == '\n') {
					/* A break not followed by WSP ends it. */
					if (j + 1 >= len || (in[j + 1] != ' ' &&
					    in[j + 1] != '\t'))
						goto cut;
					fold = 1;
				} else if (in[j] == '\r')
					fold = 1;
				else if (in[j] != ' ' && in[j] != '\t')
					break;
			}
			if (fold)
				buf_addc(&work, FOLD);
			else
				buf_add(&work, in + i, j - i);
			i = j - 1;
		} else if (c == '\0')
			continue;
		else if (c < 0x20)
			buf_addc(&work, ' ');
		else
			buf_addc(&work, c);
	}
cut:
	/* Pass 2: literal text and encoded words. */
	i = lit = 0;
	n = work.len;
	while (i < n) {
		if (work.data[i] != '=' || !parse_eword(work.data, n, i, &w)) {
			i++;
			continue;
		}
		if (i > lit && !(prev_word && all_blank(work.data + lit,
		    i - lit))) {
			flush_words(&out, cs, &pend);
			literal_append(&out, work.data + lit, i - lit);
		}
		if (pend.len > 0 && !same_charset(cs, strlen(cs), w.cs,
		    w.cslen))
			flush_words(&out, cs, &pend);
		if (pend.len == 0) {
			memcpy(cs, w.cs, w.cslen);
			cs[w.cslen] = '\0';
		}
		if (w.enc == 'B')
			decode_b(&pend, w.text, w.textlen);
		else
			decode_q(&pend, w.text, w.textlen);
		prev_word = 1;
		i = lit = w.end;
	}
	flush_words(&out, cs, &pend);
	literal_append(&out, work.data + lit, n - lit);
	buf_free(&work);
	buf_free(&pend);

	/* Control characters from decoded words become spaces; trim. */
	if (out.data == NULL)
		buf_add(&out, "", 0);
	for (i = 0; i < out.len; i++)
		if ((unsigned char)out.data[i] < 0x20)
			out.data[i] = ' ';
	i = 0;
	while (i < out.len && out.data[i] == ' ')
		i++;
	j = out.len;
	while (j > i && out.data[j - 1] == ' ')
		j--;
	memmove(out.data, out.data + i, j - i);
	out.data[j - i] = '\0';
	out.len = j - i;
	return buf_steal(&out);
}
