/*
 * outbox: the persistent queue of outgoing mail (the outbox table) and its
 * delivery. Each mail has a producer's dedupe key (queued once), states
 * queued → sending → sent | failed (| cancelled), attempts with jittered
 * backoff, failure notices to the coordinators, the copy in Sent, and the
 * daemon module that sends due mail in batches over one SMTP session. It
 * never composes what producers send and never parses incoming mail.
 *
 * Exactly once: "sending" is committed before a mail is handed to the
 * server and "sent" after. A mail found in "sending" at start-up (a crash
 * in between) is sent again with the same Message-ID: the one way a
 * duplicate can happen.
 */
#ifndef MISTOK_OUTBOX_H
#define MISTOK_OUTBOX_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "daemon.h"

struct config;
struct db;

/* Prefix of the dedupe keys of failure notices ("failed-notice:<id>"). */
#define OUTBOX_NOTICE_PREFIX	"failed-notice:"
/* … of bounce notices ("bounce-notice:<id>:<address>", bounce.c). */
#define OUTBOX_BOUNCE_PREFIX	"bounce-notice:"
/* The word of a bounced recipient's line in rejected. */
#define OUTBOX_BOUNCED		"bounced"

/*
 * Queues a mail. raw: the finished message (len bytes, CRLF line ends; a
 * bare LF is refused). env_from: the envelope sender; rcpts: envelope
 * recipients (NULL-terminated, at least one; no white space or <>).
 * message_id without <> (NULL: none recorded), subject for listings (NULL:
 * taken undecoded from raw), partnership 0 when none. Everything is
 * copied. The same dedupe_key queued again changes nothing.
 * Returns 1 (queued, *id the new row) or 0 (the key was known, *id the
 * existing row), or -1 with *err (caller frees).
 */
int outbox_enqueue(struct db *, const char *dedupe_key, const char *raw,
    size_t len, const char *env_from, const char *const *rcpts,
    const char *message_id, const char *subject, int64_t partnership,
    int64_t *id, char **err);

/* One row, as listed. outbox_mail_free() frees the strings. */
struct outbox_mail {
	int64_t	 id;
	char	*dedupe_key;
	char	*status;	/* queued sending sent failed cancelled */
	int	 attempts;
	time_t	 next_attempt;	/* 0: none */
	time_t	 created;
	time_t	 sent_at;	/* 0: not sent */
	char	*last_error;	/* NULL: none */
	long	 last_code;	/* the last SMTP reply code; 0: none */
	char	*env_from;
	char	*recipients;	/* space-separated */
	char	*rejected;	/* refused recipients, "\n"-separated */
	char	*message_id;
	char	*subject;
	char	*copy;		/* Sent copy: NULL, pending, done, skipped,
				   failed */
	int	 recovered;	/* resends after a crash in "sending" */
	int	 bounced;	/* recipients a DSN returned it for (their
				   "ADDRESS: bounced: REASON" lines are in
				   rejected); the status stays "sent" */
};

void outbox_mail_free(struct outbox_mail *);

/*
 * Rows, newest first (all when limit is 0). *out (caller frees each with
 * outbox_mail_free() and the array with free()) holds *n. 0 or -1.
 */
int outbox_list(struct db *, size_t limit, struct outbox_mail **out,
    size_t *n, char **err);
/* One row by id: 1 found, 0 not, -1 error. */
int outbox_get(struct db *, int64_t id, struct outbox_mail *out, char **err);

/*
 * `mistok outbox retry`: a failed, cancelled or queued mail is queued due
 * now (attempts kept, the give-up clock restarts). `cancel`: a queued or
 * failed mail is cancelled. Both return 1 done, 0 when the mail is in
 * another state (sending, sent) or missing (*err says which), -1 on error.
 */
int outbox_retry(struct db *, int64_t id, char **err);
int outbox_cancel(struct db *, int64_t id, char **err);

/*
 * For a DSN: the newest mail in status sent with address (lower case)
 * among its recipients, sent between since and until. 1 and *id, 0 when
 * none, -1 on error.
 */
int outbox_find_sent_to(struct db *, const char *address, time_t since,
    time_t until, int64_t *id);
/*
 * Marks mail id as bounced for address: the line "ADDRESS: bounced:
 * REASON" (reason cleaned of control characters) is added to rejected;
 * the status stays sent. Returns 1 marked, 0 when that address was
 * marked already, -1 with *err (caller frees).
 */
int outbox_mark_bounced(struct db *, int64_t id, const char *address,
    const char *reason, char **err);
/* Whether key is a notice's (failure or bounce): never noticed again. */
int outbox_is_notice(const char *key);

/*
 * Start-up recovery: every mail in "sending" goes back to "queued", due
 * now, with recovered + 1 (logged as a possible duplicate). Returns how
 * many, or -1.
 */
int outbox_recover(struct db *);

/*
 * The wait before attempt number attempts + 1 (attempts >= 1 made so
 * far): retry_first doubling per attempt up to retry_max, then jittered
 * by rnd into [3/4, 1] of that, never below 1 s.
 */
int outbox_backoff(int retry_first, int retry_max, int attempts,
    uint32_t rnd);

/* What one outbox_run() did. */
struct outbox_stats {
	size_t	sent;
	size_t	deferred;	/* back to queued, for later */
	size_t	failed;
	size_t	copies;		/* appended to Sent */
	long	connections;	/* SMTP connections opened */
};

/* Seconds until the next queued mail is due: 0 now, -1 none queued. */
long outbox_next_due(struct db *);

/*
 * Sends due mail (status queued, next_attempt <= now), oldest first, at
 * most max (0: no limit), over one SMTP session of conf's [smtp]; only
 * the mail only_id when that is not 0 (due or not). Then appends copies
 * to the Sent folder when conf's save_sent asks for them (see
 * outbox_save_sent()). Returns 0 (stats filled; per-mail outcomes are in
 * the rows), or -1 with *err when nothing could be tried (the secret is
 * unreadable, the database failed).
 */
int outbox_run(struct db *, const struct config *, size_t max,
    int64_t only_id, struct outbox_stats *, char **err);

/*
 * Whether sent mail is appended to Sent: save_sent yes/no as configured;
 * auto = yes, except where the submission server files sent mail itself:
 * Gmail (smtp.gmail.com, *.googlemail.com / *.gmail.com) and Microsoft 365
 * / Outlook.com (*.office365.com, *.outlook.com).
 */
int outbox_save_sent(const struct config *);

/*
 * Appends pending Sent copies (sent mail whose copy is "pending") over
 * one IMAP session to the folder flagged \Sent, with \Seen. Returns the
 * number appended, or -1 with *err (copies stay pending).
 */
int outbox_append_copies(struct db *, const struct config *, char **err);

/*
 * A plain notice (text/plain UTF-8, base64, RFC 2047 subject) from the
 * team to addrs (NULL-terminated), with a fresh Message-ID
 * <mistok.…@domain> (*msgid, without <>, caller frees). With parent
 * (a Message-ID without <>), a reply to it: In-Reply-To, and References
 * = refs (the parent's own ids without <>, NULL-terminated, may be NULL)
 * then the parent. Returns the raw message (caller frees) of *len bytes.
 */
char *outbox_plain_mail(const struct config *, const char *const *addrs,
    const char *subject, const char *text, const char *parent,
    const char *const *refs, char **msgid, size_t *len);

/* The daemon module: recovery at start, a timer, batches. */
extern const struct daemon_module outbox_module;
/* Makes a running module look at the queue soon (after an enqueue). */
void outbox_wake(void);

#endif
