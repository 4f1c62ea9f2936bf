/*
 * tmpl: Mustache compiler, renderer and the template set.
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
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "tmpl.h"
#include "util.h"

#define TMPL_MAX_FILE	(1024 * 1024)

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

/* Template set */

static const char *const set_langs[] = { "en", "uk" };
enum { PART_SUBJECT, PART_TXT, PART_HTML };
static const char *const set_parts[] = { "subject", "txt", "html" };

struct entry {
	int		 lang;
	int		 part;
	int		 partial;
	char		*name;
	char		*path;
	struct tmpl	*t;
};

struct tmpl_set {
	char		*dir;
	struct entry	*v;
	size_t		 n;
	size_t		 cap;
	int		 strict;
};

static int
index_of(const char *const *tab, size_t n, const char *s)
{
	size_t i;

	for (i = 0; s != NULL && i < n; i++)
		if (strcmp(tab[i], s) == 0)
			return (int)i;
	return -1;
}

static const struct entry *
set_find(const struct tmpl_set *set, int lang, const char *name, int part,
    int partial)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		if (set->v[i].lang == lang && set->v[i].partial == partial &&
		    (part < 0 || set->v[i].part == part) &&
		    strcmp(set->v[i].name, name) == 0)
			return &set->v[i];
	return NULL;
}

void
tmpl_set_free(struct tmpl_set *set)
{
	size_t i;

	if (set == NULL)
		return;
	for (i = 0; i < set->n; i++) {
		free(set->v[i].name);
		free(set->v[i].path);
		tmpl_free(set->v[i].t);
	}
	free(set->v);
	free(set->dir);
	free(set);
}

void
tmpl_set_strict(struct tmpl_set *set, int on)
{
	set->strict = on != 0;
}

static int
valid_name(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > 64)
		return 0;
	for (i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '_' ||
		    s[i] == '-'))
			return 0;
	return 1;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Reads a whole template file; NULL with a message in errors. */
static char *
set_read(const char *path, size_t *lenp, struct buf *errors)
{
	struct stat st;
	char *text, *nl;
	size_t len, off, n;
	FILE *f;
	int line;

	if ((f = fopen(path, "rb")) == NULL) {
		buf_printf(errors, "%s: %s\n", path, strerror(errno));
		return NULL;
	}
	if (fstat(fileno(f), &st) == -1 || !S_ISREG(st.st_mode)) {
		buf_printf(errors, "%s: not a regular file\n", path);
		fclose(f);
		return NULL;
	}
	if (st.st_size > TMPL_MAX_FILE) {
		buf_printf(errors, "%s: larger than %d bytes\n", path,
		    TMPL_MAX_FILE);
		fclose(f);
		return NULL;
	}
	text = xmalloc((size_t)st.st_size + 1);
	len = fread(text, 1, (size_t)st.st_size, f);
	if (ferror(f)) {
		buf_printf(errors, "%s: read error\n", path);
		fclose(f);
		free(text);
		return NULL;
	}
	fclose(f);
	text[len] = '\0';
	if (memchr(text, '\0', len) != NULL) {
		buf_printf(errors, "%s: contains a NUL byte\n", path);
		free(text);
		return NULL;
	}
	/* Line by line: no UTF-8 sequence contains a '\n' byte. */
	for (off = 0, line = 1; off < len; off += n + 1, line++) {
		nl = memchr(text + off, '\n', len - off);
		n = nl ? (size_t)(nl - (text + off)) : len - off;
		if (!json_utf8_valid(text + off, n)) {
			buf_printf(errors, "%s:%d: not valid UTF-8\n", path,
			    line);
			free(text);
			return NULL;
		}
	}
	*lenp = len;
	return text;
}

/* Loads DIR/LANG/; returns the number of problems found. */
static int
set_load_lang(struct tmpl_set *set, const char *dir, int lang,
    struct buf *errors)
{
	char *ldir, *path, *text, *err, **files = NULL;
	const char *dot, *base;
	size_t nfiles = 0, i, len, blen;
	struct dirent *de;
	struct entry *e;
	int nerr = 0, part, partial;
	DIR *d;

	ldir = xasprintf("%s/%s", dir, set_langs[lang]);
	if ((d = opendir(ldir)) == NULL) {
		buf_printf(errors, "%s: %s\n", ldir, strerror(errno));
		free(ldir);
		return 1;
	}
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (de->d_name[0] == '.' || de->d_name[len - 1] == '~')
			continue;
		files = xreallocarray(files, nfiles + 1, sizeof(*files));
		files[nfiles++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (nfiles > 0)
		qsort(files, nfiles, sizeof(*files), name_cmp);

	for (i = 0; i < nfiles; i++) {
		path = xasprintf("%s/%s", ldir, files[i]);
		dot = strrchr(files[i], '.');
		part = dot ? index_of(set_parts, nitems(set_parts), dot + 1) :
		    -1;
		partial = files[i][0] == '_';
		base = files[i] + partial;
		blen = dot ? (size_t)(dot - base) : 0;
		if (part < 0 || !valid_name(base, blen)) {
			buf_printf(errors, "%s: not a template file name "
			    "(NAME.subject, NAME.txt, NAME.html, or _NAME.* "
			    "for a partial; NAME is [A-Za-z0-9_-])\n", path);
			nerr++;
			free(path);
			continue;
		}
		if ((text = set_read(path, &len, errors)) == NULL) {
			nerr++;
			free(path);
			continue;
		}
		if (set->n == set->cap) {
			set->cap = set->cap ? set->cap * 2 : 32;
			set->v = xreallocarray(set->v, set->cap,
			    sizeof(*set->v));
		}
		e = &set->v[set->n];
		memset(e, 0, sizeof(*e));
		/* A broken file stays listed (t NULL): it is not "missing". */
		if ((e->t = tmpl_compile(path, text, len, &err)) == NULL) {
			buf_printf(errors, "%s\n", err);
			free(err);
			nerr++;
		}
		free(text);
		e->lang = lang;
		e->part = part;
		e->partial = partial;
		e->name = xstrndup(base, blen);
		e->path = path;
		set->n++;
	}
	for (i = 0; i < nfiles; i++)
		free(files[i]);
	free(files);
	free(ldir);
	return nerr;
}

struct partial_check {
	const struct tmpl_set	*set;
	const struct entry	*e;
	struct buf		*errors;
	int			 nerr;
};

static int
check_partial(const char *name, int line, void *arg)
{
	struct partial_check *pc = arg;

	if (set_find(pc->set, pc->e->lang, name, pc->e->part, 1) == NULL) {
		buf_printf(pc->errors, "%s:%d: partial '%s' not found "
		    "(no _%s.%s in %s/)\n", pc->e->path, line, name, name,
		    set_parts[pc->e->part], set_langs[pc->e->lang]);
		pc->nerr++;
	}
	return 0;
}

struct tmpl_set *
tmpl_set_load(const char *dir, struct buf *errors)
{
	struct tmpl_set *set = xcalloc(1, sizeof(*set));
	struct partial_check pc = { set, NULL, errors, 0 };
	const struct entry *e;
	size_t i, ntemplates = 0;
	int lang, nerr = 0;

	set->dir = xstrdup(dir);
	for (lang = 0; lang < (int)nitems(set_langs); lang++)
		nerr += set_load_lang(set, dir, lang, errors);

	for (i = 0; i < set->n; i++) {
		e = &set->v[i];
		pc.e = e;
		if (e->t != NULL)
			tmpl_foreach_partial(e->t, check_partial, &pc);
		if (e->partial)
			continue;
		ntemplates++;
		/* Report a missing required part once, from its first file. */
		if (set_find(set, e->lang, e->name, -1, 0) != e)
			continue;
		if (set_find(set, e->lang, e->name, PART_SUBJECT, 0) == NULL) {
			buf_printf(errors, "%s/%s/%s.subject: missing (every "
			    "template needs .subject and .txt)\n", dir,
			    set_langs[e->lang], e->name);
			nerr++;
		}
		if (set_find(set, e->lang, e->name, PART_TXT, 0) == NULL) {
			buf_printf(errors, "%s/%s/%s.txt: missing (every "
			    "template needs .subject and .txt)\n", dir,
			    set_langs[e->lang], e->name);
			nerr++;
		}
	}
	nerr += pc.nerr;
	if (nerr == 0 && ntemplates == 0) {
		buf_printf(errors, "%s: no templates in en/ or uk/\n", dir);
		nerr++;
	}
	if (nerr > 0) {
		tmpl_set_free(set);
		return NULL;
	}
	return set;
}

int
tmpl_set_has(const struct tmpl_set *set, const char *name, const char *lang,
    const char *part)
{
	int l = index_of(set_langs, nitems(set_langs), lang);
	int p = index_of(set_parts, nitems(set_parts), part);

	if (l < 0 || p < 0 || name == NULL)
		return 0;
	return set_find(set, l, name, p, 0) != NULL;
}

int
tmpl_set_require(const struct tmpl_set *set, const char *const *names,
    struct buf *errors)
{
	int missing = 0;

	for (; *names != NULL; names++) {
		if (set_find(set, 0, *names, -1, 0) != NULL ||
		    set_find(set, 1, *names, -1, 0) != NULL)
			continue;
		buf_printf(errors, "%s: template '%s' is missing (no "
		    "%s/%s.txt nor %s/%s.txt)\n", set->dir, *names,
		    set_langs[0], *names, set_langs[1], *names);
		missing++;
	}
	return missing;
}

void
tmpl_set_foreach(const struct tmpl_set *set,
    void (*fn)(const char *name, const char *lang, void *arg), void *arg)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		if (!set->v[i].partial && set->v[i].part == PART_TXT)
			fn(set->v[i].name, set_langs[set->v[i].lang], arg);
}

struct set_ctx {
	const struct tmpl_set	*set;
	int			 lang;
	int			 part;
};

static const struct tmpl *
set_partial(const char *name, void *arg)
{
	struct set_ctx *sc = arg;
	const struct entry *e;

	e = set_find(sc->set, sc->lang, name, sc->part, 1);
	return e ? e->t : NULL;
}

/* Appends s as one line: CR/LF runs become one space, ends trimmed. */
static void
add_one_line(struct buf *out, const char *s, size_t len)
{
	size_t i, start, end;
	int inbreak = 0;

	for (start = 0; start < len && (is_space((unsigned char)s[start]));
	    start++)
		;
	for (end = len; end > start && is_space((unsigned char)s[end - 1]);
	    end--)
		;
	for (i = start; i < end; i++) {
		if (s[i] == '\r' || s[i] == '\n') {
			if (!inbreak)
				buf_addc(out, ' ');
			inbreak = 1;
			continue;
		}
		inbreak = 0;
		buf_addc(out, s[i]);
	}
	if (out->data == NULL)
		buf_adds(out, "");
}

int
tmpl_set_render(const struct tmpl_set *set, const char *name,
    const char *lang, const char *part, const struct json *data,
    struct buf *out, char **err)
{
	struct set_ctx sc = { set, 0, 0 };
	const struct entry *e;
	struct buf tmp;
	int flags, rc;

	*err = NULL;
	if (name == NULL) {
		*err = xstrdup("template: no name given");
		return -1;
	}
	if ((sc.lang = index_of(set_langs, nitems(set_langs), lang)) < 0) {
		*err = xasprintf("template %s: unknown language '%s' (en or "
		    "uk)", name, lang ? lang : "");
		return -1;
	}
	if ((sc.part = index_of(set_parts, nitems(set_parts), part)) < 0) {
		*err = xasprintf("template %s: unknown part '%s' (subject, "
		    "txt or html)", name, part ? part : "");
		return -1;
	}
	/* Fall back to the other language only when name is absent here. */
	if (set_find(set, sc.lang, name, -1, 0) == NULL)
		sc.lang = 1 - sc.lang;
	if (set_find(set, sc.lang, name, -1, 0) == NULL) {
		*err = xasprintf("unknown template '%s'", name);
		return -1;
	}
	if ((e = set_find(set, sc.lang, name, sc.part, 0)) == NULL) {
		*err = xasprintf("template %s has no %s part in %s", name,
		    part, set_langs[sc.lang]);
		return -1;
	}
	flags = (sc.part == PART_HTML ? TMPL_ESCAPE_HTML : 0) |
	    (set->strict ? TMPL_STRICT : 0);
	if (sc.part != PART_SUBJECT)
		return tmpl_render(e->t, data, set_partial, &sc, flags, out,
		    err);
	buf_init(&tmp);
	rc = tmpl_render(e->t, data, set_partial, &sc, flags, &tmp, err);
	add_one_line(out, tmp.data, tmp.len);
	buf_free(&tmp);
	return rc;
}
