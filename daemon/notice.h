/*
 * notice: the mail mistok writes to its own coordinators about its own
 * mail — a delivery that failed for good, a mail that bounced — from the
 * `notice` template in the team's language, composed and queued in the
 * outbox under the producer's dedupe key (so each notice goes out once).
 * It never sends, never decides that something failed and never writes
 * to a partner.
 */
#ifndef MISTOK_NOTICE_H
#define MISTOK_NOTICE_H

#include <stdint.h>

struct config;
struct db;
struct tmpl_set;

/* What a notice says (the template's notice object). */
struct notice {
	int		 failed;	/* refused for good */
	int		 bounced;	/* returned by a DSN */
	const char	*recipient;	/* the address(es) it was for */
	const char	*subject;	/* the mail's subject (may be NULL) */
	const char	*reason;	/* the server's words (may be NULL) */
	int64_t		 outbox_id;	/* the mail's outbox row */
};

/*
 * The template set notices and other producers render from: the daemon's
 * (mailtmpl_current()) when mistokd runs, else the config's [templates]
 * dir loaded once per process (kept until exit). NULL, logged once, when
 * that dir is broken.
 */
const struct tmpl_set *notice_templates(const struct config *);

/*
 * Queues n to every [team] coordinators address under dedupe_key, written
 * from the `notice` template in the team's language; when no template set
 * can be had, a plain text notice (outbox_plain_mail()) still goes out.
 * The Message-ID is recorded in own_ids (kind "notice", object the
 * outbox id of the mail it is about). Runs inside the caller's
 * transaction or not. Returns outbox_enqueue()'s 1 (queued) or 0 (the key
 * was known), *id the row (may be NULL); 0 without a row when there is no
 * coordinator; -1 with *err (caller frees).
 */
int notice_queue(struct db *, const struct config *, const char *dedupe_key,
    const struct notice *n, int64_t *id, char **err);

#endif
