/*
 * tmplset: the template set outgoing mail is written from. It reads
 * DIR/en/ and DIR/uk/ once, compiles every file with tmpl_compile(), checks
 * that every partial named exists in the same language and part, and
 * renders by name, language and part with the language fallback of
 * tmplset.h. The Mustache syntax itself is tmpl.c's.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "tmpl.h"
#include "tmplset.h"
#include "util.h"

#define TMPL_MAX_FILE	(1024 * 1024)

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

/* White space as tmpl.c's compiler sees it. */
static int
is_space(int ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' ||
	    ch == '\f' || ch == '\v';
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
