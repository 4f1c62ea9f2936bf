/*
 * tmplset: the template set outgoing mail is written from: DIR/en/ and
 * DIR/uk/, every file compiled with tmpl_compile() and checked once at
 * load, then rendered by name, language and part. Only tmpl_set_load()
 * reads files; rendering does no I/O, and the module never logs.
 */
#ifndef MISTOK_TMPLSET_H
#define MISTOK_TMPLSET_H

struct buf;
struct json;
struct tmpl_set;

/*
 * DIR/en/ and DIR/uk/ hold, per template NAME, the files NAME.subject and
 * NAME.txt (both required) and NAME.html (optional), and partials
 * _PART.subject, _PART.txt, _PART.html. {{> footer}} in
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
