/*
 * tmpl: Mustache templates (the spec's required modules: interpolation,
 * sections, inverted sections, comments, partials, set delimiters; no
 * lambdas, inheritance or dynamic names), compiled once and rendered against
 * a json value tree. It never reads files (tmplset.h loads the template
 * set outgoing mail is written from), does no I/O and never logs.
 */
#ifndef MISTOK_TMPL_H
#define MISTOK_TMPL_H

#include <stddef.h>

struct buf;
struct json;
struct tmpl;

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

#endif
