/*
 * json: strict recursive-descent parser (depth-limited), value tree and
 * writer. Numbers are read and written in the C locale whatever the
 * process locale is, so "1.5" never turns into "1,5".
 */
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "log.h"
#include "util.h"

/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 if none. */
static size_t
utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return (n >= 2 && (s[1] & 0xc0) == 0x80) ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		if (n < 3 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
			return 0;
		if (c == 0xe0 && s[1] < 0xa0)		/* overlong */
			return 0;
		if (c == 0xed && s[1] >= 0xa0)		/* surrogate */
			return 0;
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if (n < 4 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 ||
		    (s[3] & 0xc0) != 0x80)
			return 0;
		if (c == 0xf0 && s[1] < 0x90)		/* overlong */
			return 0;
		if (c == 0xf4 && s[1] >= 0x90)		/* > U+10FFFF */
			return 0;
		return 4;
	}
	return 0;
}

int
json_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n;

	while (i < len) {
		if ((n = utf8_seq(p + i, len - i)) == 0)
			return 0;
		i += n;
	}
	return 1;
}

static void
utf8_put(struct buf *b, unsigned long cp)
{
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

/* The C locale for numbers, made once (a lost race only leaks one). */
static locale_t
c_locale(void)
{
	static locale_t loc;

	if (loc == (locale_t)0 &&
	    (loc = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0)) == (locale_t)0)
		fatal("newlocale");
	return loc;
}

/* Values */

static struct json *
json_new(enum json_type type)
{
	struct json *v = xcalloc(1, sizeof(*v));

	v->type = type;
	return v;
}

struct json *
json_null(void)
{
	return json_new(JSON_NULL);
}

struct json *
json_bool(int b)
{
	struct json *v = json_new(JSON_BOOL);

	v->boolean = b != 0;
	return v;
}

struct json *
json_int(int64_t i)
{
	struct json *v = json_new(JSON_NUMBER);

	v->is_int = 1;
	v->integer = i;
	v->number = (double)i;
	return v;
}

struct json *
json_number(double d)
{
	struct json *v = json_new(JSON_NUMBER);

	v->number = d;
	return v;
}

struct json *
json_stringn(const char *s, size_t len)
{
	struct json *v = json_new(JSON_STRING);

	v->string = xstrndup(s, len);
	return v;
}

struct json *
json_string(const char *s)
{
	if (s == NULL)
		return json_null();
	return json_stringn(s, strlen(s));
}

struct json *
json_array(void)
{
	return json_new(JSON_ARRAY);
}

struct json *
json_object(void)
{
	return json_new(JSON_OBJECT);
}

void
json_free(struct json *v)
{
	size_t i;

	if (v == NULL)
		return;
	switch (v->type) {
	case JSON_STRING:
		free(v->string);
		break;
	case JSON_ARRAY:
		for (i = 0; i < v->len; i++)
			json_free(v->items[i]);
		free(v->items);
		break;
	case JSON_OBJECT:
		for (i = 0; i < v->len; i++) {
			free(v->members[i].key);
			json_free(v->members[i].value);
		}
		free(v->members);
		break;
	default:
		break;
	}
	free(v);
}

struct json *
json_append(struct json *a, struct json *v)
{
	if (a->type != JSON_ARRAY)
		fatalx("json_append: not an array");
	if (a->len == a->cap) {
		a->cap = a->cap ? a->cap * 2 : 4;
		a->items = xreallocarray(a->items, a->cap, sizeof(*a->items));
	}
	a->items[a->len++] = v;
	return v;
}

static struct json_member *
member_find(const struct json *o, const char *key)
{
	size_t i;

	for (i = 0; i < o->len; i++)
		if (strcmp(o->members[i].key, key) == 0)
			return &o->members[i];
	return NULL;
}

static void
member_add(struct json *o, char *key, struct json *v)
{
	if (o->len == o->cap) {
		o->cap = o->cap ? o->cap * 2 : 4;
		o->members = xreallocarray(o->members, o->cap,
		    sizeof(*o->members));
	}
	o->members[o->len].key = key;
	o->members[o->len].value = v;
	o->len++;
}

struct json *
json_set(struct json *o, const char *key, struct json *v)
{
	struct json_member *m;

	if (o->type != JSON_OBJECT)
		fatalx("json_set: not an object");
	if ((m = member_find(o, key)) != NULL) {
		json_free(m->value);
		m->value = v;
	} else
		member_add(o, xstrdup(key), v);
	return v;
}

struct json *
json_set_string(struct json *o, const char *key, const char *s)
{
	return json_set(o, key, json_string(s));
}

struct json *
json_set_int(struct json *o, const char *key, int64_t i)
{
	return json_set(o, key, json_int(i));
}

struct json *
json_get(const struct json *o, const char *key)
{
	struct json_member *m;

	if (o == NULL || o->type != JSON_OBJECT)
		return NULL;
	m = member_find(o, key);
	return m ? m->value : NULL;
}

struct json *
json_at(const struct json *a, size_t i)
{
	if (a == NULL || a->type != JSON_ARRAY || i >= a->len)
		return NULL;
	return a->items[i];
}

const char *
json_str(const struct json *v)
{
	return (v != NULL && v->type == JSON_STRING) ? v->string : NULL;
}

/* Parser */

struct parser {
	const char	*s;
	size_t		 len;
	size_t		 pos;
	int		 depth;
	char		*err;
};

static int
perr(struct parser *p, const char *msg)
{
	size_t i, line = 1, col = 1;

	if (p->err != NULL)
		return -1;
	for (i = 0; i < p->pos && i < p->len; i++) {
		if (p->s[i] == '\n') {
			line++;
			col = 1;
		} else if (((unsigned char)p->s[i] & 0xc0) != 0x80)
			col++;
	}
	p->err = xasprintf("%zu:%zu: %s", line, col, msg);
	return -1;
}

static void
skip_ws(struct parser *p)
{
	while (p->pos < p->len && (p->s[p->pos] == ' ' ||
	    p->s[p->pos] == '\t' || p->s[p->pos] == '\n' ||
	    p->s[p->pos] == '\r'))
		p->pos++;
}

static int
hex4(struct parser *p, unsigned long *out)
{
	unsigned long v = 0;
	int i, c;

	if (p->len - p->pos < 4)
		return perr(p, "truncated \\u escape");
	for (i = 0; i < 4; i++) {
		c = p->s[p->pos + i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return perr(p, "bad hex digit in \\u escape");
	}
	p->pos += 4;
	*out = v;
	return 0;
}

/* At the opening quote; leaves the string (owned by b) in b. */
static int
parse_string(struct parser *p, struct buf *b)
{
	unsigned long cp, lo;
	size_t n;
	unsigned char c;

	p->pos++;
	for (;;) {
		if (p->pos >= p->len)
			return perr(p, "unterminated string");
		c = (unsigned char)p->s[p->pos];
		if (c == '"') {
			p->pos++;
			return 0;
		}
		if (c < 0x20)
			return perr(p, "control character in string");
		if (c >= 0x80) {
			n = utf8_seq((const unsigned char *)p->s + p->pos,
			    p->len - p->pos);
			if (n == 0)
				return perr(p, "invalid UTF-8 in string");
			buf_add(b, p->s + p->pos, n);
			p->pos += n;
			continue;
		}
		if (c != '\\') {
			buf_addc(b, c);
			p->pos++;
			continue;
		}
		if (++p->pos >= p->len)
			return perr(p, "unterminated string");
		c = (unsigned char)p->s[p->pos++];
		switch (c) {
		case '"':
		case '\\':
		case '/':
			buf_addc(b, c);
			break;
		case 'b':
			buf_addc(b, '\b');
			break;
		case 'f':
			buf_addc(b, '\f');
			break;
		case 'n':
			buf_addc(b, '\n');
			break;
		case 'r':
			buf_addc(b, '\r');
			break;
		case 't':
			buf_addc(b, '\t');
			break;
		case 'u':
			if (hex4(p, &cp) == -1)
				return -1;
			if (cp >= 0xdc00 && cp <= 0xdfff)
				return perr(p, "lone low surrogate");
			if (cp >= 0xd800 && cp <= 0xdbff) {
				if (p->len - p->pos < 2 ||
				    p->s[p->pos] != '\\' ||
				    p->s[p->pos + 1] != 'u')
					return perr(p, "lone high surrogate");
				p->pos += 2;
				if (hex4(p, &lo) == -1)
					return -1;
				if (lo < 0xdc00 || lo > 0xdfff)
					return perr(p, "bad low surrogate");
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				    (lo - 0xdc00);
			}
			if (cp == 0)
				return perr(p, "\\u0000 is not supported");
			utf8_put(b, cp);
			break;
		default:
			p->pos--;
			return perr(p, "bad escape in string");
		}
	}
}

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static struct json *
parse_number(struct parser *p)
{
	size_t start = p->pos;
	int isint = 1;
	char *text, *end;
	struct json *v;
	long long ll;
	double d;

	if (p->s[p->pos] == '-')
		p->pos++;
	if (p->pos >= p->len || !is_digit(p->s[p->pos])) {
		perr(p, "bad number");
		return NULL;
	}
	if (p->s[p->pos] == '0') {
		p->pos++;
		if (p->pos < p->len && is_digit(p->s[p->pos])) {
			perr(p, "leading zero in number");
			return NULL;
		}
	} else
		while (p->pos < p->len && is_digit(p->s[p->pos]))
			p->pos++;
	if (p->pos < p->len && p->s[p->pos] == '.') {
		isint = 0;
		p->pos++;
		if (p->pos >= p->len || !is_digit(p->s[p->pos])) {
			perr(p, "bad fraction in number");
			return NULL;
		}
		while (p->pos < p->len && is_digit(p->s[p->pos]))
			p->pos++;
	}
	if (p->pos < p->len && (p->s[p->pos] == 'e' || p->s[p->pos] == 'E')) {
		isint = 0;
		p->pos++;
		if (p->pos < p->len &&
		    (p->s[p->pos] == '+' || p->s[p->pos] == '-'))
			p->pos++;
		if (p->pos >= p->len || !is_digit(p->s[p->pos])) {
			perr(p, "bad exponent in number");
			return NULL;
		}
		while (p->pos < p->len && is_digit(p->s[p->pos]))
			p->pos++;
	}
	text = xstrndup(p->s + start, p->pos - start);
	if (isint) {
		errno = 0;
		ll = strtoll(text, &end, 10);
		if (errno == 0 && *end == '\0') {
			free(text);
			return json_int(ll);
		}
	}
	errno = 0;
	d = strtod_l(text, &end, c_locale());
	if (*end != '\0' || (errno == ERANGE && isinf(d))) {
		free(text);
		p->pos = start;
		perr(p, "number out of range");
		return NULL;
	}
	free(text);
	v = json_number(d);
	return v;
}

static int
match_word(struct parser *p, const char *w)
{
	size_t n = strlen(w);

	if (p->len - p->pos < n || memcmp(p->s + p->pos, w, n) != 0)
		return 0;
	p->pos += n;
	return 1;
}

static int
key_cmp(const void *a, const void *b)
{
	const struct json_member *ma = *(struct json_member *const *)a;
	const struct json_member *mb = *(struct json_member *const *)b;

	return strcmp(ma->key, mb->key);
}

/* Sorting pointers keeps the duplicate check O(n log n) on big objects. */
static const char *
find_duplicate(const struct json *o)
{
	struct json_member **v;
	const char *dup = NULL;
	size_t i;

	if (o->len < 2)
		return NULL;
	v = xreallocarray(NULL, o->len, sizeof(*v));
	for (i = 0; i < o->len; i++)
		v[i] = &o->members[i];
	qsort(v, o->len, sizeof(*v), key_cmp);
	for (i = 1; i < o->len && dup == NULL; i++)
		if (strcmp(v[i - 1]->key, v[i]->key) == 0)
			dup = v[i]->key;
	free(v);
	return dup;
}

static struct json *parse_value(struct parser *);

static struct json *
parse_array(struct parser *p)
{
	struct json *a = json_array(), *v;

	p->pos++;
	skip_ws(p);
	if (p->pos < p->len && p->s[p->pos] == ']') {
		p->pos++;
		return a;
	}
	for (;;) {
		if ((v = parse_value(p)) == NULL)
			goto fail;
		json_append(a, v);
		skip_ws(p);
		if (p->pos >= p->len) {
			perr(p, "unterminated array");
			goto fail;
		}
		if (p->s[p->pos] == ']') {
			p->pos++;
			return a;
		}
		if (p->s[p->pos] != ',') {
			perr(p, "expected ',' or ']'");
			goto fail;
		}
		p->pos++;
	}
fail:
	json_free(a);
	return NULL;
}

static struct json *
parse_object(struct parser *p)
{
	struct json *o = json_object(), *v;
	struct buf key;
	const char *dup;
	size_t open = p->pos;

	buf_init(&key);
	p->pos++;
	skip_ws(p);
	if (p->pos < p->len && p->s[p->pos] == '}') {
		p->pos++;
		return o;
	}
	for (;;) {
		skip_ws(p);
		if (p->pos >= p->len || p->s[p->pos] != '"') {
			perr(p, "expected a string key");
			goto fail;
		}
		buf_reset(&key);
		if (parse_string(p, &key) == -1)
			goto fail;
		skip_ws(p);
		if (p->pos >= p->len || p->s[p->pos] != ':') {
			perr(p, "expected ':'");
			goto fail;
		}
		p->pos++;
		if ((v = parse_value(p)) == NULL)
			goto fail;
		member_add(o, xstrdup(key.data ? key.data : ""), v);
		skip_ws(p);
		if (p->pos >= p->len) {
			perr(p, "unterminated object");
			goto fail;
		}
		if (p->s[p->pos] == '}') {
			p->pos++;
			break;
		}
		if (p->s[p->pos] != ',') {
			perr(p, "expected ',' or '}'");
			goto fail;
		}
		p->pos++;
	}
	buf_free(&key);
	if ((dup = find_duplicate(o)) != NULL) {
		char *msg = xasprintf("duplicate key \"%.40s\"", dup);

		p->pos = open;
		perr(p, msg);
		free(msg);
		json_free(o);
		return NULL;
	}
	return o;
fail:
	buf_free(&key);
	json_free(o);
	return NULL;
}

static struct json *
parse_value(struct parser *p)
{
	struct json *v = NULL;
	struct buf b;
	char c;

	skip_ws(p);
	if (p->pos >= p->len) {
		perr(p, "unexpected end of input");
		return NULL;
	}
	c = p->s[p->pos];
	switch (c) {
	case '{':
	case '[':
		if (++p->depth > JSON_MAX_DEPTH) {
			perr(p, "nesting too deep");
			return NULL;
		}
		v = c == '{' ? parse_object(p) : parse_array(p);
		p->depth--;
		return v;
	case '"':
		buf_init(&b);
		if (parse_string(p, &b) == -1) {
			buf_free(&b);
			return NULL;
		}
		v = json_stringn(b.data ? b.data : "", b.len);
		buf_free(&b);
		return v;
	case 't':
		if (match_word(p, "true"))
			return json_bool(1);
		break;
	case 'f':
		if (match_word(p, "false"))
			return json_bool(0);
		break;
	case 'n':
		if (match_word(p, "null"))
			return json_null();
		break;
	default:
		if (c == '-' || is_digit(c))
			return parse_number(p);
		break;
	}
	perr(p, "unexpected character");
	return NULL;
}

struct json *
json_parse(const char *text, size_t len, char **err)
{
	struct parser p = { text, len, 0, 0, NULL };
	struct json *v;

	*err = NULL;
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) {
		perr(&p, "byte order mark not allowed");
		*err = p.err;
		return NULL;
	}
	v = parse_value(&p);
	if (v != NULL) {
		skip_ws(&p);
		if (p.pos < p.len) {
			perr(&p, "trailing garbage after JSON value");
			json_free(v);
			v = NULL;
		}
	}
	if (v == NULL)
		*err = p.err ? p.err : xstrdup("invalid JSON");
	return v;
}

/* Writer */

void
json_write_stringn(struct buf *b, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n;

	buf_addc(b, '"');
	while (i < len) {
		if (p[i] >= 0x80) {
			if ((n = utf8_seq(p + i, len - i)) == 0) {
				buf_adds(b, "\xef\xbf\xbd");	/* U+FFFD */
				i++;
			} else {
				buf_add(b, p + i, n);
				i += n;
			}
			continue;
		}
		switch (p[i]) {
		case '"':
			buf_adds(b, "\\\"");
			break;
		case '\\':
			buf_adds(b, "\\\\");
			break;
		case '\b':
			buf_adds(b, "\\b");
			break;
		case '\f':
			buf_adds(b, "\\f");
			break;
		case '\n':
			buf_adds(b, "\\n");
			break;
		case '\r':
			buf_adds(b, "\\r");
			break;
		case '\t':
			buf_adds(b, "\\t");
			break;
		default:
			if (p[i] < 0x20)
				buf_printf(b, "\\u%04x", p[i]);
			else
				buf_addc(b, p[i]);
			break;
		}
		i++;
	}
	buf_addc(b, '"');
}

void
json_write_string(struct buf *b, const char *s)
{
	json_write_stringn(b, s, strlen(s));
}

/* The shortest "%.Ng" that reads back as the same double. */
static void
write_double(struct buf *b, double d)
{
	char tmp[40];
	locale_t old;
	int prec;

	if (!isfinite(d)) {
		buf_adds(b, "null");
		return;
	}
	if (d == 0)
		d = 0;		/* -0 prints as 0, as the integer -0 does */
	old = uselocale(c_locale());
	for (prec = 1; prec <= 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*g", prec, d);
		if (strtod(tmp, NULL) == d)
			break;
	}
	uselocale(old);
	buf_adds(b, tmp);
}

static void
indent(struct buf *b, int flags, int level)
{
	int i;

	if (!(flags & JSON_PRETTY))
		return;
	buf_addc(b, '\n');
	for (i = 0; i < level; i++)
		buf_adds(b, "  ");
}

static void
write_value(struct buf *b, const struct json *v, int flags, int level)
{
	size_t i;

	switch (v->type) {
	case JSON_NULL:
		buf_adds(b, "null");
		break;
	case JSON_BOOL:
		buf_adds(b, v->boolean ? "true" : "false");
		break;
	case JSON_NUMBER:
		if (v->is_int)
			buf_printf(b, "%lld", (long long)v->integer);
		else
			write_double(b, v->number);
		break;
	case JSON_STRING:
		json_write_string(b, v->string);
		break;
	case JSON_ARRAY:
		buf_addc(b, '[');
		for (i = 0; i < v->len; i++) {
			if (i > 0)
				buf_addc(b, ',');
			indent(b, flags, level + 1);
			write_value(b, v->items[i], flags, level + 1);
		}
		if (v->len > 0)
			indent(b, flags, level);
		buf_addc(b, ']');
		break;
	case JSON_OBJECT:
		buf_addc(b, '{');
		for (i = 0; i < v->len; i++) {
			if (i > 0)
				buf_addc(b, ',');
			indent(b, flags, level + 1);
			json_write_string(b, v->members[i].key);
			buf_addc(b, ':');
			if (flags & JSON_PRETTY)
				buf_addc(b, ' ');
			write_value(b, v->members[i].value, flags, level + 1);
		}
		if (v->len > 0)
			indent(b, flags, level);
		buf_addc(b, '}');
		break;
	}
}

void
json_write(struct buf *b, const struct json *v, int flags)
{
	write_value(b, v, flags, 0);
	if (flags & JSON_PRETTY)
		buf_addc(b, '\n');
}
