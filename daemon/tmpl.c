/*
 * tmpl: Mustache compiler and renderer (the template set is tmplset.c).
 *
 * Compiling turns the source into a node tree; standalone lines (a section,
 * inverted, close, comment, partial or delimiter tag alone on its line with
 * only blanks around it) are removed there, once. Text is split into one
 * node per source line, and every node that begins a source line carries
 * `bol`: when a standalone partial is rendered with an indentation, that
 * indentation is written before each such node. This is the spec's
 * "prepend the whitespace to each line of the partial" done at render time,
 * so compiled templates stay immutable and shareable.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "tmpl.h"
#include "util.h"

enum node_type {
	N_TEXT,
	N_VAR,
	N_SECTION,
	N_INVERTED,
	N_PARTIAL,
};

struct node;

struct nodes {
	struct node	**v;
	size_t		  n;
	size_t		  cap;
};

struct node {
	enum node_type	 type;
	int		 line;		/* of the tag; 0 for text */
	int		 bol;		/* begins a source line */
	int		 escape;	/* N_VAR: {{x}}, not {{{x}}} or {{&x}} */
	char		*text;		/* N_TEXT bytes, else the tag's name */
	size_t		 len;
	char		**parts;	/* dotted name; none for "." */
	size_t		 nparts;
	char		*indent;	/* standalone N_PARTIAL: its indentation */
	struct nodes	 children;	/* N_SECTION, N_INVERTED */
};

struct tmpl {
	char		*name;
	struct nodes	 root;
};

/* Nodes */

static struct node *
node_add(struct nodes *l, enum node_type type, int line)
{
	struct node *n = xcalloc(1, sizeof(*n));

	n->type = type;
	n->line = line;
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 8;
		l->v = xreallocarray(l->v, l->cap, sizeof(*l->v));
	}
	l->v[l->n++] = n;
	return n;
}

static void
nodes_free(struct nodes *l)
{
	struct node *n;
	size_t i, j;

	for (i = 0; i < l->n; i++) {
		n = l->v[i];
		free(n->text);
		for (j = 0; j < n->nparts; j++)
			free(n->parts[j]);
		free(n->parts);
		free(n->indent);
		nodes_free(&n->children);
		free(n);
	}
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

void
tmpl_free(struct tmpl *t)
{
	if (t == NULL)
		return;
	nodes_free(&t->root);
	free(t->name);
	free(t);
}

const char *
tmpl_name(const struct tmpl *t)
{
	return t->name;
}

/* Compiler */

#define MAX_DELIM	16
#define MAX_OPEN	256

struct compiler {
	const char	*name;
	const char	*s;
	size_t		 len;
	size_t		 pos;
	size_t		 lpos;		/* line counted up to here */
	int		 line;
	char		 otag[MAX_DELIM + 1];
	char		 ctag[MAX_DELIM + 1];
	struct node	*open[MAX_OPEN];	/* open sections */
	int		 nopen;
	struct nodes	*cur;		/* where nodes go */
	struct tmpl	*t;
	char		*err;
};

static int
cerr(struct compiler *c, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
cerr(struct compiler *c, int line, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	if (c->err != NULL)
		return -1;
	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	c->err = xasprintf("%s:%d: %s", c->name, line, msg);
	free(msg);
	return -1;
}

/* The line number of position p (positions are asked in increasing order). */
static int
line_at(struct compiler *c, size_t p)
{
	for (; c->lpos < p && c->lpos < c->len; c->lpos++)
		if (c->s[c->lpos] == '\n')
			c->line++;
	return c->line;
}

static int
is_blank(int ch)
{
	return ch == ' ' || ch == '\t';
}

static int
is_space(int ch)
{
	return is_blank(ch) || ch == '\n' || ch == '\r' || ch == '\f' ||
	    ch == '\v';
}

static int
at_bol(struct compiler *c, size_t p)
{
	return p == 0 || c->s[p - 1] == '\n';
}

/* Text nodes: one per source line, each knowing whether it begins one. */
static void
emit_text(struct compiler *c, size_t start, size_t end)
{
	struct node *n;
	size_t e;

	while (start < end) {
		for (e = start; e < end && c->s[e] != '\n'; e++)
			;
		if (e < end)
			e++;
		n = node_add(c->cur, N_TEXT, 0);	/* text has no errors */
		n->bol = at_bol(c, start);
		n->text = xstrndup(c->s + start, e - start);
		n->len = e - start;
		start = e;
	}
}

/* A tag that writes nothing but starts a line still takes the indentation. */
static void
emit_bol_marker(struct compiler *c, size_t tag, int line)
{
	struct node *n;

	if (!at_bol(c, tag))
		return;
	n = node_add(c->cur, N_TEXT, line);
	n->bol = 1;
	n->text = xstrdup("");
}

static const char *
find(const char *s, size_t len, size_t from, const char *needle)
{
	size_t n = strlen(needle);

	if (n == 0 || len < n)
		return NULL;
	for (; from + n <= len; from++)
		if (s[from] == needle[0] && memcmp(s + from, needle, n) == 0)
			return s + from;
	return NULL;
}

/* Splits a tag name ("a.b.c", or "." for the current context). */
static int
set_name(struct compiler *c, struct node *n, const char *name, size_t len,
    int line)
{
	size_t i, start;

	if (len == 0)
		return cerr(c, line, "empty tag");
	for (i = 0; i < len; i++)
		if (is_space((unsigned char)name[i]))
			return cerr(c, line, "bad tag name '%.*s'", (int)len,
			    name);
	n->text = xstrndup(name, len);
	n->len = len;
	if (len == 1 && name[0] == '.')
		return 0;
	n->parts = xreallocarray(NULL, len / 2 + 1, sizeof(*n->parts));
	for (start = 0, i = 0; i <= len; i++) {
		if (i < len && name[i] != '.')
			continue;
		if (i == start)
			return cerr(c, line, "bad tag name '%.*s'", (int)len,
			    name);
		n->parts[n->nparts++] = xstrndup(name + start, i - start);
		start = i + 1;
	}
	return 0;
}

static int
set_delimiters(struct compiler *c, const char *s, size_t len, int line)
{
	size_t i = 0, a, alen, b, blen;

	while (i < len && is_space((unsigned char)s[i]))
		i++;
	for (a = i; i < len && !is_space((unsigned char)s[i]); i++)
		;
	alen = i - a;
	while (i < len && is_space((unsigned char)s[i]))
		i++;
	for (b = i; i < len && !is_space((unsigned char)s[i]); i++)
		;
	blen = i - b;
	while (i < len && is_space((unsigned char)s[i]))
		i++;
	if (alen == 0 || blen == 0 || i != len)
		return cerr(c, line, "bad delimiter: want two delimiters, "
		    "as in {{=<%% %%>=}}");
	if (alen > MAX_DELIM || blen > MAX_DELIM)
		return cerr(c, line, "bad delimiter: longer than %d bytes",
		    MAX_DELIM);
	if (memchr(s + a, '=', alen) || memchr(s + b, '=', blen))
		return cerr(c, line, "bad delimiter: must not contain '='");
	memcpy(c->otag, s + a, alen);
	c->otag[alen] = '\0';
	memcpy(c->ctag, s + b, blen);
	c->ctag[blen] = '\0';
	return 0;
}

/* Handles one tag at c->pos; advances c->pos past it (and its line). */
static int
compile_tag(struct compiler *c, size_t tag)
{
	size_t olen = strlen(c->otag), cstart, cend, tagend, ls, after, i;
	char kind, closing[MAX_DELIM + 2];
	const char *close;
	int line = line_at(c, tag), standalone;
	struct node *n;

	cstart = tag + olen;
	kind = cstart < c->len ? c->s[cstart] : '\0';
	switch (kind) {
	case '{':
	case '=':
		snprintf(closing, sizeof(closing), "%c%s",
		    kind == '{' ? '}' : '=', c->ctag);
		cstart++;
		break;
	case '#':
	case '^':
	case '/':
	case '!':
	case '>':
	case '&':
		snprintf(closing, sizeof(closing), "%s", c->ctag);
		cstart++;
		break;
	case '<':
	case '$':
		return cerr(c, line, "unsupported tag '%s%c' (template "
		    "inheritance)", c->otag, kind);
	default:
		snprintf(closing, sizeof(closing), "%s", c->ctag);
		kind = '\0';
		break;
	}
	if ((close = find(c->s, c->len, cstart, closing)) == NULL)
		return cerr(c, line, "unclosed tag (no '%s')", closing);
	cend = close - c->s;
	tagend = cend + strlen(closing);

	/* Standalone: only blanks before it on its line and after it. */
	standalone = 0;
	ls = tag;
	after = tagend;
	if (kind != '\0' && kind != '{' && kind != '&') {
		while (ls > c->pos && is_blank(c->s[ls - 1]))
			ls--;
		for (i = tagend; i < c->len && is_blank(c->s[i]); i++)
			;
		if (at_bol(c, ls) && (i == c->len || c->s[i] == '\n' ||
		    (c->s[i] == '\r' && i + 1 < c->len &&
		    c->s[i + 1] == '\n'))) {
			standalone = 1;
			after = i == c->len ? i : i + (c->s[i] == '\r' ? 2 : 1);
		}
	}
	emit_text(c, c->pos, standalone ? ls : tag);
	c->pos = after;

	/* Trim the content. */
	while (cstart < cend && is_space((unsigned char)c->s[cstart]))
		cstart++;
	while (cend > cstart && is_space((unsigned char)c->s[cend - 1]))
		cend--;

	switch (kind) {
	case '!':
		if (!standalone)
			emit_bol_marker(c, tag, line);
		return 0;
	case '=':
		if (!standalone)
			emit_bol_marker(c, tag, line);
		return set_delimiters(c, c->s + cstart, cend - cstart, line);
	case '#':
	case '^':
		if (c->nopen == MAX_OPEN)
			return cerr(c, line, "sections nested too deep");
		n = node_add(c->cur, kind == '#' ? N_SECTION : N_INVERTED,
		    line);
		n->bol = !standalone && at_bol(c, tag);
		if (set_name(c, n, c->s + cstart, cend - cstart, line) == -1)
			return -1;
		c->open[c->nopen++] = n;
		c->cur = &n->children;
		return 0;
	case '/':
		if (!standalone)
			emit_bol_marker(c, tag, line);
		if (c->nopen == 0)
			return cerr(c, line, "unexpected close tag '%.*s'",
			    (int)(cend - cstart), c->s + cstart);
		n = c->open[c->nopen - 1];
		if (cend - cstart != n->len ||
		    memcmp(c->s + cstart, n->text, n->len) != 0)
			return cerr(c, line, "mismatched close tag '%.*s': "
			    "section '%s' opened at line %d is still open",
			    (int)(cend - cstart), c->s + cstart, n->text,
			    n->line);
		c->nopen--;
		c->cur = c->nopen ? &c->open[c->nopen - 1]->children :
		    &c->t->root;
		return 0;
	case '>':
		if (cstart < cend && c->s[cstart] == '*')
			return cerr(c, line, "unsupported tag '%s>*' (dynamic "
			    "names)", c->otag);
		n = node_add(c->cur, N_PARTIAL, line);
		if (standalone)
			n->indent = xstrndup(c->s + ls, tag - ls);
		else
			n->bol = at_bol(c, tag);
		return set_name(c, n, c->s + cstart, cend - cstart, line);
	default:	/* variables: '\0', '{', '&' */
		n = node_add(c->cur, N_VAR, line);
		n->bol = at_bol(c, tag);
		n->escape = kind == '\0';
		return set_name(c, n, c->s + cstart, cend - cstart, line);
	}
}

struct tmpl *
tmpl_compile(const char *name, const char *src, size_t len, char **err)
{
	struct compiler c;
	const char *tag;

	memset(&c, 0, sizeof(c));
	c.name = name;
	c.s = src;
	c.len = len;
	c.line = 1;
	memcpy(c.otag, "{{", 3);
	memcpy(c.ctag, "}}", 3);
	c.t = xcalloc(1, sizeof(*c.t));
	c.t->name = xstrdup(name);
	c.cur = &c.t->root;
	*err = NULL;

	while (c.pos < len) {
		if ((tag = find(src, len, c.pos, c.otag)) == NULL) {
			emit_text(&c, c.pos, len);
			c.pos = len;
			break;
		}
		if (compile_tag(&c, tag - src) == -1)
			break;
	}
	if (c.err == NULL && c.nopen > 0)
		cerr(&c, c.open[c.nopen - 1]->line, "unclosed section '%s'",
		    c.open[c.nopen - 1]->text);
	if (c.err != NULL) {
		*err = c.err;
		tmpl_free(c.t);
		return NULL;
	}
	return c.t;
}

static int
foreach_partial(const struct nodes *l,
    int (*fn)(const char *, int, void *), void *arg)
{
	size_t i;
	int rc;

	for (i = 0; i < l->n; i++) {
		if (l->v[i]->type == N_PARTIAL &&
		    (rc = fn(l->v[i]->text, l->v[i]->line, arg)) != 0)
			return rc;
		if ((rc = foreach_partial(&l->v[i]->children, fn, arg)) != 0)
			return rc;
	}
	return 0;
}

int
tmpl_foreach_partial(const struct tmpl *t,
    int (*fn)(const char *name, int line, void *arg), void *arg)
{
	return foreach_partial(&t->root, fn, arg);
}

/* Renderer */

struct render {
	tmpl_partial_fn		  lookup;
	void			 *arg;
	int			  flags;
	struct buf		 *out;
	const struct json	**stack;	/* context stack, top last */
	size_t			  depth;
	size_t			  cap;
	int			  nest;		/* partial depth */
	struct buf		  errs;
	int			  failed;
};

static void
rerr(struct render *r, const struct tmpl *t, const struct node *n,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
rerr(struct render *r, const struct tmpl *t, const struct node *n,
    const char *fmt, ...)
{
	struct buf line;
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	buf_init(&line);
	buf_printf(&line, "%s:%d: %s", t->name, n->line, msg);
	free(msg);
	buf_addc(&line, '\n');
	/* The same miss inside a loop is reported once. */
	if (r->errs.data == NULL || strstr(r->errs.data, line.data) == NULL)
		buf_add(&r->errs, line.data, line.len);
	buf_free(&line);
	r->failed = 1;
}

static void
push(struct render *r, const struct json *v)
{
	if (r->depth == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 16;
		r->stack = xreallocarray(r->stack, r->cap, sizeof(*r->stack));
	}
	r->stack[r->depth++] = v;
}

/* Returns 1 and sets *out (maybe JSON null) when the name resolves. */
static int
lookup(const struct render *r, const struct node *n, const struct json **out)
{
	const struct json *v = NULL;
	size_t i, d;

	if (n->nparts == 0) {
		*out = r->stack[r->depth - 1];
		return 1;
	}
	for (d = r->depth; d > 0; d--)
		if ((v = json_get(r->stack[d - 1], n->parts[0])) != NULL)
			break;
	for (i = 1; v != NULL && i < n->nparts; i++)
		v = json_get(v, n->parts[i]);
	*out = v;
	return v != NULL;
}

static int
truthy(const struct json *v)
{
	if (v == NULL)
		return 0;
	switch (v->type) {
	case JSON_NULL:
		return 0;
	case JSON_BOOL:
		return v->boolean;
	case JSON_NUMBER:
		return v->number != 0;
	case JSON_STRING:
		return v->string[0] != '\0';
	case JSON_ARRAY:
		return v->len > 0;
	case JSON_OBJECT:
		return 1;
	}
	return 0;
}

static void
write_escaped(struct buf *out, const char *s, size_t len, int html)
{
	size_t i, start;
	const char *rep;

	if (!html) {
		buf_add(out, s, len);
		return;
	}
	for (start = i = 0; i < len; i++) {
		switch (s[i]) {
		case '&':
			rep = "&amp;";
			break;
		case '<':
			rep = "&lt;";
			break;
		case '>':
			rep = "&gt;";
			break;
		case '"':
			rep = "&quot;";
			break;
		case '\'':
			rep = "&#39;";
			break;
		default:
			continue;
		}
		buf_add(out, s + start, i - start);
		buf_adds(out, rep);
		start = i + 1;
	}
	buf_add(out, s + start, len - start);
}

static void
render_var(struct render *r, const struct tmpl *t, const struct node *n)
{
	const struct json *v;
	struct buf num;
	int html = (r->flags & TMPL_ESCAPE_HTML) && n->escape;

	if (!lookup(r, n, &v)) {
		if (r->flags & TMPL_STRICT)
			rerr(r, t, n, "'%s' is missing", n->text);
		return;
	}
	switch (v->type) {
	case JSON_NULL:
		break;
	case JSON_BOOL:
		buf_adds(r->out, v->boolean ? "true" : "false");
		break;
	case JSON_NUMBER:
		buf_init(&num);
		json_write(&num, v, 0);
		buf_add(r->out, num.data, num.len);
		buf_free(&num);
		break;
	case JSON_STRING:
		write_escaped(r->out, v->string, strlen(v->string), html);
		break;
	case JSON_ARRAY:
	case JSON_OBJECT:
		if (r->flags & TMPL_STRICT)
			rerr(r, t, n, "'%s' is a list or an object, not a "
			    "value", n->text);
		break;
	}
}

static int render_nodes(struct render *, const struct tmpl *,
    const struct nodes *, const char *indent);

static int
render_section(struct render *r, const struct tmpl *t, const struct node *n,
    const char *indent)
{
	const struct json *v;
	size_t i;
	int found, rc = 0;

	found = lookup(r, n, &v);
	if (!found && (r->flags & TMPL_STRICT))
		rerr(r, t, n, "section '%s' is missing", n->text);
	if (n->type == N_INVERTED) {
		if (!truthy(v))
			rc = render_nodes(r, t, &n->children, indent);
		return rc;
	}
	if (!truthy(v))
		return 0;
	if (v->type == JSON_ARRAY) {
		for (i = 0; i < v->len && rc == 0; i++) {
			push(r, v->items[i]);
			rc = render_nodes(r, t, &n->children, indent);
			r->depth--;
		}
		return rc;
	}
	push(r, v);
	rc = render_nodes(r, t, &n->children, indent);
	r->depth--;
	return rc;
}

static int
render_partial(struct render *r, const struct tmpl *t, const struct node *n,
    const char *indent)
{
	const struct tmpl *p;
	char *sub;
	int rc;

	p = r->lookup ? r->lookup(n->text, r->arg) : NULL;
	if (p == NULL) {
		if (r->flags & TMPL_STRICT)
			rerr(r, t, n, "partial '%s' not found", n->text);
		return 0;
	}
	if (r->nest >= TMPL_MAX_DEPTH) {
		rerr(r, t, n, "partial '%s' nested too deep (recursion?)",
		    n->text);
		return -1;
	}
	/* Standalone: its own indentation adds to ours; inline: none. */
	sub = n->indent ? xasprintf("%s%s", indent, n->indent) : xstrdup("");
	r->nest++;
	rc = render_nodes(r, p, &p->root, sub);
	r->nest--;
	free(sub);
	return rc;
}

static int
render_nodes(struct render *r, const struct tmpl *t, const struct nodes *l,
    const char *indent)
{
	const struct node *n;
	size_t i;

	for (i = 0; i < l->n; i++) {
		n = l->v[i];
		if (n->bol && *indent != '\0')
			buf_adds(r->out, indent);
		switch (n->type) {
		case N_TEXT:
			buf_add(r->out, n->text, n->len);
			break;
		case N_VAR:
			render_var(r, t, n);
			break;
		case N_SECTION:
		case N_INVERTED:
			if (render_section(r, t, n, indent) == -1)
				return -1;
			break;
		case N_PARTIAL:
			if (render_partial(r, t, n, indent) == -1)
				return -1;
			break;
		}
	}
	return 0;
}

int
tmpl_render(const struct tmpl *t, const struct json *data,
    tmpl_partial_fn partials, void *arg, int flags, struct buf *out,
    char **err)
{
	struct render r;
	struct json *empty = NULL;
	int rc;

	memset(&r, 0, sizeof(r));
	r.lookup = partials;
	r.arg = arg;
	r.flags = flags;
	r.out = out;
	buf_init(&r.errs);
	if (data == NULL)
		data = empty = json_object();
	push(&r, data);
	rc = render_nodes(&r, t, &t->root, "");
	if (out->data == NULL)
		buf_adds(out, "");	/* a string even when empty */
	free(r.stack);
	json_free(empty);
	if (r.failed) {
		/* Drop the last newline: err is a message, not a file. */
		if (r.errs.len > 0 && r.errs.data[r.errs.len - 1] == '\n')
			r.errs.data[--r.errs.len] = '\0';
		if (err != NULL)
			*err = buf_steal(&r.errs);
		buf_free(&r.errs);
		return -1;
	}
	buf_free(&r.errs);
	if (err != NULL)
		*err = NULL;
	return rc;
}
