/*
 * cmdexec: commands by mail (../shared/COMMANDS.md) — which stored mail
 * is a command, running it all or nothing, and the answer in its thread.
 * It owns the commands, notes and nudge_stops tables and the Search
 * index's queries; the work itself is the directory's, steps', meeting's,
 * match's and report's. It never parses MIME, never sends (the outbox
 * does) and never runs a line of a mail that has one bad line.
 */
#ifndef MISTOK_CMDEXEC_H
#define MISTOK_CMDEXEC_H

#include <stddef.h>
#include <stdint.h>

struct config;
struct db;
struct msg;

/* What a stored message is to this module. */
enum cx_verdict {
	CX_NONE = 0,	/* correspondence, or mail never answered */
	CX_COMMAND,	/* a trusted coordinator's command mail */
	CX_NOTE,	/* team-only mail without a keyword: stored only */
	CX_FOREIGN,	/* reads like commands, sender not trusted */
};

struct cx_recognition {
	enum cx_verdict	 verdict;
	int		 reply_to_own;	/* In-Reply-To/References name one of
					   mistok's Message-IDs */
	char		*own_id;	/* that id (caller frees), or NULL */
	const char	*reason;	/* static English: why CX_FOREIGN or
					   CX_NONE */
};

/*
 * Decides what m (as parsed; it need not be stored) is: the sender must
 * be a coordinator (config [team] coordinators, or
 * directory_is_coordinator()), vouched for by authres_vouches() when
 * require_authenticated_sender is set; every To/Cc address must be the
 * team's (any +detail) or a coordinator's; own mail, bounces,
 * auto-replies, list mail, iMIP and truncated mail are never commands.
 * Returns 0 with *out filled (free with cx_recognition_free()), or -1 on
 * a database error.
 */
int cmdexec_recognise(struct db *, const struct config *, const struct msg *,
    struct cx_recognition *out);
void cx_recognition_free(struct cx_recognition *);

/*
 * The after-insert step (ingest chains it after threading and matching;
 * arg is the const struct config *): recognises message id and records
 * it in the commands table (command mail also becomes kind "command").
 * Command mail (and foreign command mail) older than [team]
 * command_max_age — by INTERNALDATE, else Date — is recorded as "stale"
 * and never run, answered or told: a fresh import of an old mailbox must
 * not replay its history.
 * Runs inside the caller's transaction; never fails the insert (errors
 * are logged). Returns 0.
 */
int cmdexec_store_hook(struct db *, int64_t id, const struct msg *,
    void *arg);

/*
 * Runs the recorded work, oldest first, at most max mails (0: all): each
 * command mail is executed (one transaction, all or nothing; meeting
 * lines run after it, in the meeting module's own transactions) and
 * answered in its thread in the sender's language (dedupe key
 * "cmd-reply:ID"); each foreign one is told to the coordinators (key
 * "cmd-foreign:ID"); one that has waited longer than command_max_age
 * (mistok was down) becomes "stale" instead. Digest and "send" are run
 * by remind.c after the commit, as meeting lines are. Must run outside
 * a transaction. Returns the number
 * of mails handled, or -1 with *err (caller frees).
 */
int cmdexec_run(struct db *, const struct config *, size_t max, char **err);

/* Whether partnership's nudges were stopped by a "stop" reply: 1, 0, -1. */
int cmdexec_nudges_stopped(struct db *, int64_t partnership);

#endif
