/*
 * imap: one IMAP session to the team mailbox through libetpan (only in
 * imap.c): connection, TLS checked by tls.c before any credential is sent,
 * login (SASL initial responses from sasl.c), LIST, read-only EXAMINE,
 * streamed UID FETCH with BODY.PEEK, IDLE and APPEND. It never sets \Seen,
 * stores flags, moves or expunges, and knows nothing of partnerships, sync
 * state or the database.
 */
#ifndef MISTOK_IMAP_H
#define MISTOK_IMAP_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "config.h"

/*
 * Retry classes, as isync sorts failures. Every call below returns one.
 *   IMAP_OK          done.
 *   IMAP_RETRY_NOW   the session is gone but a new one may work at once
 *                    (e.g. a confused IDLE); imap_close() and reconnect now.
 *   IMAP_RETRY_LATER the session is gone or the server is unreachable or
 *                    busy (refused, timed out, dropped, [UNAVAILABLE]);
 *                    imap_close() and reconnect after imap_backoff_ms().
 *   IMAP_FAIL        refused for a reason retrying will not fix: bad
 *                    credentials, an untrusted certificate, a folder that
 *                    does not exist. After imap_connect() nothing is
 *                    returned; after another call the session stays usable
 *                    when imap_alive() says so.
 */
enum imap_status {
	IMAP_OK = 0,
	IMAP_RETRY_NOW,
	IMAP_RETRY_LATER,
	IMAP_FAIL,
};

const char *imap_status_name(enum imap_status);

struct imap_params {
	const char	*host;
	int		 port;		/* 0: 993 (implicit) or 143 */
	enum tls_mode	 tls;
	const char	*ca_file;	/* NULL: the system trust store only */
	const char	*user;
	enum auth_mode	 auth;
	const char	*secret;	/* password or OAuth2 access token */
	int		 timeout;	/* seconds per network operation; 0: 60 */
};

struct imap;

/*
 * Connects, negotiates TLS (implicit, or STARTTLS after which the
 * capabilities are read again), verifies the server's chain against
 * ca_file (or the system store) and the host name, and only then
 * authenticates:
 *   AUTH_PLAIN   AUTHENTICATE PLAIN (SASL-IR when offered), else LOGIN;
 *   AUTH_LOGIN   the IMAP LOGIN command;
 *   AUTH_XOAUTH2 AUTHENTICATE XOAUTH2 with sasl_xoauth2_ir().
 * tls = none logs a warning; a server that says LOGINDISABLED is refused.
 * Returns the session (free with imap_close()) and sets *st = IMAP_OK, or
 * returns NULL with *st and *err (caller frees; never holds the secret).
 * params and its strings are copied; the secret is not kept.
 */
struct imap *imap_connect(const struct imap_params *, enum imap_status *st,
    char **err);

/* LOGOUT (bounded by the timeout) and free. NULL is fine. */
void imap_close(struct imap *);

/* 0 once the connection is known to be gone. */
int imap_alive(const struct imap *);

/* Capabilities as last read (after login). */
int imap_has_idle(const struct imap *);
int imap_has_condstore(const struct imap *);
/* Space-separated capability list (static per session; valid until the
 * next call into the session). */
const char *imap_capabilities(struct imap *);

/* Special-use flags of a folder (RFC 6154). */
#define IMAP_USE_SENT		0x01
#define IMAP_USE_DRAFTS		0x02
#define IMAP_USE_TRASH		0x04
#define IMAP_USE_JUNK		0x08
#define IMAP_USE_ARCHIVE	0x10
#define IMAP_USE_ALL		0x20
#define IMAP_USE_FLAGGED	0x40
#define IMAP_NOSELECT		0x100

struct imap_folder {
	char		*name;		/* the server's spelling (modified UTF-7) */
	char		 delim;		/* hierarchy delimiter, 0 if none */
	unsigned	 flags;		/* IMAP_USE_*, IMAP_NOSELECT */
};

/*
 * Lists all folders with their special-use flags: LIST RETURN
 * (SPECIAL-USE) when the server offers SPECIAL-USE, else XLIST when
 * offered (Gmail), else plain LIST. *out (caller frees with
 * imap_folders_free()) holds *n entries.
 */
enum imap_status imap_list_folders(struct imap *, struct imap_folder **out,
    size_t *n, char **err);
void imap_folders_free(struct imap_folder *, size_t n);
/* The first folder flagged \Sent, or NULL. Points into the array. */
const struct imap_folder *imap_find_sent(const struct imap_folder *,
    size_t n);

struct imap_folder_state {
	uint32_t	uidvalidity;
	uint32_t	uidnext;	/* 0 when the server did not say */
	uint32_t	exists;
	uint64_t	highestmodseq;	/* 0 without CONDSTORE */
};

/*
 * EXAMINE (read-only: nothing done in it can set \Seen), with CONDSTORE
 * when offered. A missing folder is IMAP_FAIL; the session stays usable.
 */
enum imap_status imap_examine(struct imap *, const char *folder,
    struct imap_folder_state *, char **err);

/* Message flags as fetched. */
#define IMAP_FLAG_SEEN		0x01
#define IMAP_FLAG_ANSWERED	0x02
#define IMAP_FLAG_FLAGGED	0x04
#define IMAP_FLAG_DELETED	0x08
#define IMAP_FLAG_DRAFT		0x10

struct imap_msg {
	uint32_t	 uid;
	uint32_t	 size;		/* RFC822.SIZE: the full size */
	time_t		 internaldate;	/* UTC; 0 when absent */
	unsigned	 flags;		/* IMAP_FLAG_* */
	int		 headers_only;	/* raw is the header: size > max_size */
	const char	*raw;		/* valid during the callback only */
	size_t		 len;
};

/* Returns 0 to go on, -1 to stop (the rest of the command is drained). */
typedef int (*imap_msg_cb)(void *arg, const struct imap_msg *);

struct imap_fetch_opts {
	size_t		max_size;	/* 0: no limit */
	size_t		max_count;	/* 0: no limit; else the lowest N UIDs */
};

/*
 * Fetches the messages of the examined folder with uid_from <= UID <=
 * uid_to (uid_to 0 = no upper bound; the "n:*" quirk that returns the
 * highest message even when it is below n is filtered out), each passed
 * to cb exactly once, in ascending UID order, with UID, RFC822.SIZE,
 * INTERNALDATE, FLAGS and BODY.PEEK[]. Messages stream one by one, so
 * memory stays at about one message whatever the range.
 * With max_size or max_count, a first cheap pass fetches (UID
 * RFC822.SIZE) of the range; then consecutive runs are fetched whole, and
 * a message larger than max_size as BODY.PEEK[HEADER] only
 * (headers_only = 1). Messages expunged meanwhile are simply absent.
 * *count (may be NULL) receives the number of messages passed to cb.
 */
enum imap_status imap_fetch(struct imap *, uint32_t uid_from, uint32_t uid_to,
    const struct imap_fetch_opts *, imap_msg_cb cb, void *arg,
    size_t *count, char **err);

/*
 * UIDs of the examined folder in [uid_from, uid_to] (0 = no bound) in
 * ascending order, for gap detection. *uids: caller frees.
 */
enum imap_status imap_uids(struct imap *, uint32_t uid_from, uint32_t uid_to,
    uint32_t **uids, size_t *n, char **err);

/*
 * IDLE on the examined folder for at most `seconds` (clamped to 29 min,
 * RFC 2177). *news = 1 when the server sent anything (new mail may
 * exist), 0 on a quiet timeout. Callers should fetch after every cycle
 * anyway. A server without IDLE gives IMAP_FAIL. A parse error during
 * IDLE (seen with libetpan 1.9.4) gives IMAP_RETRY_NOW.
 */
enum imap_status imap_idle(struct imap *, int seconds, int *news, char **err);

/*
 * IDLE for an event loop, in two halves: imap_idle_begin() sends IDLE and
 * reads the continuation; the caller then polls imap_fd() for reading (or
 * not at all when imap_idle_pending() says libetpan already holds data)
 * with its own timeout, runs its other timers meanwhile, and calls
 * imap_idle_end() with spoke = 1 when the socket became readable. That
 * sends DONE, reads what the server said and sets *news as imap_idle()
 * does. Nothing else may be called on the session in between, except
 * imap_close() (which ends the IDLE first).
 */
enum imap_status imap_idle_begin(struct imap *, char **err);
int imap_idle_pending(struct imap *);
enum imap_status imap_idle_end(struct imap *, int spoke, int *news,
    char **err);

/* The socket, for an event loop's poll(); -1 when not connected. */
int imap_fd(struct imap *);

/*
 * APPENDs raw (CRLF or LF line ends) to folder, with \Seen when seen != 0.
 * For copies of mistok's own mail in Sent.
 */
enum imap_status imap_append(struct imap *, const char *folder,
    const char *raw, size_t len, int seen, char **err);

/*
 * Reconnect delay for the attempt-th consecutive failure (0-based):
 * 1 s doubling to 5 min, jittered into [half, full] of that step by rnd
 * (any 32-bit random value), in milliseconds.
 */
unsigned imap_backoff_ms(unsigned attempt, uint32_t rnd);

#endif
