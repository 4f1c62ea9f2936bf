/*
 * mailtmpl: the templates mistok's own mail is written from — which names
 * mistok needs and the data each one gets (a sample per name, which
 * `mistok template check` renders in strict mode), the choice of language,
 * rendering one mail's subject, text and HTML, and the daemon module that
 * loads the set at start-up (a missing or broken template stops mistokd
 * there, never at send time). Mustache is tmpl.c's; files are tmplset.c's.
 */
#ifndef MISTOK_MAILTMPL_H
#define MISTOK_MAILTMPL_H

#include "daemon.h"

struct buf;
struct compose;
struct json;
struct tmpl_set;

/*
 * The templates mistok sends, NULL-terminated. Every template gets
 *   team         { name, address }
 *   coordinator  { name, email }   (who signs; name "" signs as the team)
 * and besides:
 *   followup  recipient { name }, partnership { tag, ua_org, us_org,
 *             stage }, message (the coordinator's words, may be ""),
 *             steps [ { text, due } ] (may be []) and has_steps
 *             (a boolean: steps is not empty)
 *   notice    notice { failed, bounced (booleans), recipient, subject,
 *             reason, outbox_id }
 *   test      address, sent_at
 *   invite, meeting_cancel, meeting_reminder
 *             recipient { name, email }, meeting { title, uid, link,
 *             update (a boolean: a reschedule), utc, local (the
 *             recipient's), times [ { name, email, zone, local } ] }
 *   meeting_reply  meeting { title, uid, id, utc, times }, reply { email,
 *             partstat, comment, declined, all_answered, counter, reply
 *             (booleans), proposed (times of a COUNTER) }, answers
 *             [ { email, name, partstat } ]
 *   proposal  proposal { id, partnership, duration, relaxed, slots [ { n,
 *             utc, relaxed, dst_mismatch, times } ] }
 *   step_due, step_overdue, quiet_partnership, no_answer,
 *   meeting_outcome, digest
 *             the reminders (remind.c, digest.c): recipient { name,
 *             email }, partnership { tag, slug, ua_org, us_org, stage }
 *             and step { id, text, due, owner, owner_is_recipient,
 *             today, days_left, days_over, repeat }, quiet { days,
 *             has_last, last }, unanswered { days, date, to, to_name }
 *             with followup { subject, text, lang }, meeting { id,
 *             title, when }, or digest (see digest.h)
 * mailtmpl_sample() gives a complete example of each.
 */
extern const char *const mailtmpl_names[];

/* Sample data (JSON text) of a name of mailtmpl_names, else NULL. */
const char *mailtmpl_sample(const char *name);

/*
 * Loads dir and checks it as mistokd and `mistok template check` do: every
 * file compiles, every partial exists, every name of mailtmpl_names
 * exists, and every template of mailtmpl_names renders every part, in each
 * language it exists in, with its sample in strict mode (a misspelt
 * {{name}} is a FILE:LINE error). Returns the set (non-strict, free with
 * tmpl_set_free()) or NULL with one line per problem appended to errors.
 */
struct tmpl_set *mailtmpl_load(const char *dir, struct buf *errors);

/*
 * The language to write name in: the recipient's (lang, may be NULL) when
 * the template exists in it, else the team's, else whichever it exists
 * in. Returns "en" or "uk", or NULL when name exists in neither.
 */
const char *mailtmpl_lang(const struct tmpl_set *, const char *name,
    const char *lang, const char *team_lang);

/* One rendered mail; strings owned by the struct (mailtmpl_mail_free). */
struct mailtmpl_mail {
	const char	*lang;		/* static "en" or "uk" */
	char		*subject;	/* one line */
	char		*text;
	char		*html;		/* NULL when the template has none */
	size_t		 text_len, html_len;
};

/*
 * Renders name for a recipient language (see mailtmpl_lang) into m.
 * Returns 0, or -1 with *err set (caller frees).
 */
int mailtmpl_render(const struct tmpl_set *, const char *name,
    const char *lang, const char *team_lang, const struct json *data,
    struct mailtmpl_mail *m, char **err);
void mailtmpl_mail_free(struct mailtmpl_mail *);
/* Sets c's subject, text and HTML from m. */
void mailtmpl_to_compose(const struct mailtmpl_mail *m, struct compose *c);

/*
 * The directory to load: configured, except when it is the built-in
 * default (DATADIR/mistok/templates) and does not exist while the running
 * binary sits in a build tree next to templates/ (running uninstalled, as
 * the tests do): then that tree's templates/. A configured [templates] dir
 * is always used as it is. Caller frees.
 */
char *mailtmpl_dir(const char *configured);

/*
 * The daemon module: init loads mailtmpl_dir(templates_dir) with
 * mailtmpl_load() and fails (each problem logged) when it is broken;
 * reload loads it again and keeps the old set when the new one is broken.
 */
extern const struct daemon_module mailtmpl_module;
/* The set the module holds; NULL before init. Valid until next reload. */
const struct tmpl_set *mailtmpl_current(void);

#endif
