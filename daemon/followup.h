/*
 * followup: the follow-up producer — a mail from the `followup` template to
 * one partner contact of a partnership, in that person's language,
 * threaded as an answer to the last mail that person wrote in the
 * partnership, recorded as mistok's own and queued in the outbox once per
 * dedupe key. It also holds the rule every producer obeys: an auto-reply,
 * a bounce or list mail is never answered. It never sends (outbox.c does).
 */
#ifndef MISTOK_FOLLOWUP_H
#define MISTOK_FOLLOWUP_H

#include <stddef.h>
#include <stdint.h>

struct config;
struct db;
struct tmpl_set;

/*
 * Whether a stored message of kind (DESIGN.md's kind strings) may be
 * answered by mistok: correspondence, command and imip may; autoreply,
 * bounce, list, own and quarantined never (RFC 3834: no mail loops).
 * Every producer that picks a parent to answer must ask this; followup.c
 * only picks parents it allows.
 */
int followup_may_answer(const char *kind);

struct followup_opts {
	const char	*slug;		/* the partnership */
	const char	*to;		/* NULL: the default recipient */
	const char	*message;	/* the coordinator's words, or NULL */
	int		 dry_run;	/* compose only: nothing queued or kept */
};

/* What followup_make() did; strings owned (followup_result_free()). */
struct followup_result {
	int64_t	 partnership;
	int64_t	 outbox_id;	/* 0 for a dry run */
	int	 queued;	/* 1 new, 0 the dedupe key was known */
	char	*to;		/* the recipient's address */
	char	*to_name;	/* NULL when unknown */
	char	*lang;		/* "uk" or "en" (static in spirit; owned) */
	char	*subject;
	char	*message_id;	/* without <> */
	char	*parent_id;	/* the mail answered, NULL: a new conversation */
	char	*dedupe_key;
	char	*raw;		/* the message (CRLF); len bytes */
	size_t	 len;
};
void followup_result_free(struct followup_result *);

/*
 * Writes and (unless dry_run) queues a follow-up:
 * - To: o->to, which must be a contact of the partnership's UA, US or a
 *   supporting organisation or an address at one of their domains; by
 *   default the partner (not the team, not a coordinator) who last wrote
 *   mail in the partnership, else the UA organisation's first entered
 *   contact, else the US organisation's. An address marked bouncing is
 *   refused. No Cc: the copy in the team's Sent folder is what the
 *   coordinators see.
 * - Language: the contact's (its own, else its organisation's), for an
 *   address without contact its organisation's, then the team's
 *   (mailtmpl_lang()).
 * - Threading: the last mail from that address in the partnership whose
 *   kind followup_may_answer() allows is the parent (In-Reply-To; its
 *   References + it; its Thread-Index continued; mistok's own latest
 *   Message-ID in that thread kept in References) and the subject is
 *   "Re: " + its subject (once), which Gmail needs to keep the thread;
 *   without one the template's subject starts a new conversation.
 * - Signed by the partnership's coordinator (name, else the team).
 * - Dedupe key "followup:<partnership>:<address>:<parent or new>:<UTC
 *   day>[:<hash of message>]": the same follow-up asked twice on a day is
 *   queued once.
 * The queueing and the own_ids row (kind "followup", object the outbox
 * id) are one transaction (must not be called inside one). Returns 0 with
 * r filled, or -1 with *err (caller frees): 1 for bad input (unknown
 * slug, address not in the partnership, bouncing, no recipient), 2 for a
 * database or template failure, in *code (may be NULL).
 */
int followup_make(struct db *, const struct config *,
    const struct tmpl_set *, const struct followup_opts *o,
    struct followup_result *r, int *code, char **err);

#endif
