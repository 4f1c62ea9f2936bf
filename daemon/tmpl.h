/*
 * tmpl: Mustache templates (the spec's required modules: interpolation,
 * sections, inverted sections, comments, partials, set delimiters; no
 * lambdas, inheritance or dynamic names), compiled once and rendered against
 * a json value tree; and the template set outgoing mail is written from.
 * Only tmpl_set_load() reads files; rendering does no I/O and never logs.
 */
#ifndef MISTOK_TMPL_H
#define MISTOK_TMPL_H

#include <stddef.h>

struct buf;
struct json;
struct tmpl;
struct tmpl_set;

/*
 * Compiles src[0..len) (UTF-8 expected, not checked here). name is used in
 * messages. Returns a template the caller frees with tmpl_free(), or NULL
 * with *err (caller frees) set to "NAME:LINE: message": unclosed tag,
 * unclosed section, mismatched or unexpected close tag, bad delimiter, bad
 * or empty tag name, unsupported tag ({{<, {{$, {{>*).
 */
struct tmpl *tmpl_compile(const char *name, const char *src, size_t len,
    char **err);
void tmpl_free(struct tmpl *);
/* The name given to tmpl_compile(); valid while the template lives. */
const char *tmpl_name(const struct tmpl *);

/*
 * Calls fn for every partial the template names ({{> NAME}}), in order,
 * with the tag's line. Stops and returns fn's value when it is non-zero.
 */
int tmpl_foreach_partial(const struct tmpl *,
    int (*fn)(const char *name, int line, void *arg), void *arg);

/*
 * Finds a partial by name for tmpl_render(); NULL when there is none (it
 * then renders as empty, as the spec says). The template stays owned by
 * whoever gave it.
 */
typedef const struct tmpl *(*tmpl_partial_fn)(const char *name, void *arg);

/* {{x}} is HTML-escaped: & < > " ' (as &amp; &lt; &gt; &quot; &#39;). */
#define TMPL_ESCAPE_HTML	0x1
/* Report every missing name (variable, section, partial) as an error. */
#define TMPL_STRICT		0x2
/* Nesting limit of partials within partials (stops endless recursion). */
#define TMPL_MAX_DEPTH		64

/*
 * Renders t with data as the root context, appending to out. partials may
 * be NULL. Falsey for sections: missing, null, false, "", 0 and []; an
 * object, even {}, is truthy. Values print as: strings as they are, numbers
 * in their shortest JSON form, true/false, null and missing names as
 * nothing, lists and objects as nothing.
 * Returns 0, or -1 with *err (caller frees; err may be NULL) when partials
 * nest deeper than TMPL_MAX_DEPTH or, with TMPL_STRICT, when names are
 * missing: one "NAME:LINE: message" line each. out holds the full
 * rendering in strict mode too.
 */
int tmpl_render(const struct tmpl *t, const struct json *data,
    tmpl_partial_fn partials, void *arg, int flags, struct buf *out,
    char **err);

/*
 * Template set. DIR/en/ and DIR/uk/ hold, per template NAME, the files
 * NAME.subject and NAME.txt (both required) and NAME.html (optional), and
 * partials _PART.subject, _PART.txt, _PART.html. {{> footer}} in
 * welcome.html names _footer.html of the same language: a partial is looked
 * up in the same language and the same part as the template using it.
 * NAME and PART are [A-Za-z0-9_-], NAME not starting with '_'. Files
 * starting with '.' or ending in '~' are ignored; any other file is an error.
 * Every file is read (at most 1 MiB, valid UTF-8), compiled, and every
 * partial it names must exist. As the spec says, a {{> footer}} alone on
 * its line replaces that whole line, newline included, so a partial file
 * should end with its own newline.
 * Returns the set (free with tmpl_set_free()), or NULL with every problem
 * appended to errors, one "FILE:LINE: message" (or "FILE: message") line
 * each.
 */
struct tmpl_set *tmpl_set_load(const char *dir, struct buf *errors);
void tmpl_set_free(struct tmpl_set *);
/* With on != 0 later renderings use TMPL_STRICT (for `template check`). */
void tmpl_set_strict(struct tmpl_set *, int on);

/*
 * 1 when template name exists in lang ("en" or "uk") with part ("subject",
 * "txt" or "html"), without any fallback.
 */
int tmpl_set_has(const struct tmpl_set *, const char *name, const char *lang,
    const char *part);

/*
 * Checks that every name of the NULL-terminated list exists in at least
 * one language (rendering falls back to it). Appends one line to errors
 * per missing name and returns how many are missing.
 */
int tmpl_set_require(const struct tmpl_set *, const char *const *names,
    struct buf *errors);

/* Calls fn for every template (not partial) name and its language. */
void tmpl_set_foreach(const struct tmpl_set *,
    void (*fn)(const char *name, const char *lang, void *arg), void *arg);

/*
 * Renders part ("subject", "txt" or "html") of template name in lang ("en"
 * or "uk") with data, appending to out. Language fallback: when name has no
 * file at all in lang, the other language is used; when name exists in lang
 * but lacks this part (an optional .html), there is no fallback and this is
 * an error, so one mail never mixes languages. .html escapes {{x}}; .txt
 * and .subject print values as they are. A subject is made one line: each
 * run of CR/LF becomes one space, and leading and trailing blanks go.
 * Returns 0, or -1 with *err set (caller frees): unknown language, unknown
 * template, missing part, or a render error (see tmpl_render).
 */
int tmpl_set_render(const struct tmpl_set *, const char *name,
    const char *lang, const char *part, const struct json *data,
    struct buf *out, char **err);

#endif
