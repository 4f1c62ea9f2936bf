/*
 * store: the queries of the message tables — messages with their
 * addresses, locations, attachments, calendar parts and Message-ID
 * references — and of sync_state. One call stores a parsed message at its
 * IMAP location, deduplicating by location, Message-ID and (for mail
 * without one) content hash. It never talks to a server, never parses
 * mail and never decides threads or partnerships: its hooks do, before
 * and after a new row is inserted (store_set_before_insert(),
 * store_set_after_insert()).
 */
#ifndef MISTOK_STORE_H
#define MISTOK_STORE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "mime.h"

struct db;

/* Where a message lies on the server. */
struct store_loc {
	const char	*folder;
	uint32_t	 uidvalidity;
	uint32_t	 uid;
};

/* What the server says about a message besides its bytes. */
struct store_extra {
	time_t		 internal_date;	/* 0: unknown */
	size_t		 size;		/* RFC822.SIZE, the full size */
	const char	*direction;	/* "in", "out" or NULL */
};

/* store_message() outcomes (>= 0); -1 is an error. */
enum store_outcome {
	STORE_NEW = 0,		/* a new message (and its location) */
	STORE_DUPLICATE,	/* known message: this location added to it */
	STORE_KNOWN,		/* this location was stored already */
};

/*
 * Stores m found at loc. Dedupe, in order: the same (folder,
 * uidvalidity, uid) → STORE_KNOWN; the same Message-ID, or for a message
 * without one a message without one with the same content hash → the
 * location is added (STORE_DUPLICATE: INBOX + Sent = one message, two
 * locations); else a new row with its addresses, attachments, calendar
 * parts and references (STORE_NEW), then store_after_insert().
 * The date stored is m->date, or the internal date when m has none.
 * Must run inside the caller's transaction (db_begin()); works under a
 * SAVEPOINT, so on failure (-1, *err set, caller frees) the transaction
 * is as before the call. *id (may be NULL) receives the message's id.
 */
int store_message(struct db *, const struct msg *m,
    const struct store_extra *, const struct store_loc *loc, int64_t *id,
    char **err);

/*
 * Stores a message that could not be stored normally, as kind
 * 'quarantined' with error (never NULL) and what little is known
 * (subject, from and the content hash when m is not NULL; m's Message-ID
 * is not kept, so a broken message cannot block the real one). Deduped
 * by location and by content hash like a message without Message-ID.
 * Same transaction rules and outcomes as store_message().
 */
int store_quarantine(struct db *, const struct msg *m, const char *error,
    const struct store_extra *, const struct store_loc *loc, int64_t *id,
    char **err);

/*
 * The keys threading and matching decide for a new row, written by the
 * INSERT itself (an UPDATE right after it cost a tenth of the import):
 * a before-insert hook fills them (pointers stay valid until the
 * after-insert hook of the same message has run). Without one the row
 * gets no thread, no partnership and rule 'none'.
 */
struct store_keys {
	int64_t		 thread;	/* 0: none */
	const char	*parent;
	const char	*conversation;
	const char	*subject_base;
	const char	*people;
	int		 subject_root;
	int64_t		 partnership;	/* 0: none */
	const char	*rule;		/* NULL: "none" */
};

/*
 * Called by store_message() for a new message before its row is inserted
 * (date as it will be stored), inside the same savepoint; a non-zero
 * return undoes the message and makes store_message() fail. fn NULL:
 * none.
 */
typedef int (*store_keys_hook)(struct db *, const struct msg *, time_t date,
    struct store_keys *, void *arg);
void store_set_before_insert(store_keys_hook fn, void *arg);

/*
 * The hook where threading and partnership matching plug in (a later
 * module): called by store_message() for each new message, inside the
 * same savepoint; a non-zero return undoes the insert and makes
 * store_message() fail. The default does nothing. fn NULL restores it.
 */
typedef int (*store_hook)(struct db *, int64_t id, const struct msg *,
    void *arg);
void store_set_after_insert(store_hook fn, void *arg);

/*
 * Drops folder's locations under any UIDVALIDITY but keep (after the
 * server changed it). The messages themselves stay: the rescan re-adds
 * their locations. Returns the number dropped, or -1.
 */
int64_t store_drop_locations(struct db *, const char *folder, uint32_t keep);

/* Per folder sync state. */
struct store_sync {
	uint32_t	uidvalidity;	/* 0: never synced */
	uint32_t	last_uid;
	time_t		last_sync;
};

/* 1 and *out when the folder has a row, 0 when not, -1 on error. */
int store_sync_get(struct db *, const char *folder, struct store_sync *out);
/*
 * Records that every message of folder up to last_uid under uidvalidity
 * is stored. last_uid never goes back under the same uidvalidity (two
 * writers may race); a new uidvalidity replaces the row. exists < 0
 * leaves the stored count alone. 0 or -1.
 */
int store_sync_set(struct db *, const char *folder, uint32_t uidvalidity,
    uint32_t last_uid, int64_t exists, time_t now);

/*
 * Sets message id's kind (one of DESIGN.md's kinds: the command module
 * marks command mail "command" after ingest). 0, or -1 for an unknown
 * kind or a database error.
 */
int store_set_kind(struct db *, int64_t id, const char *kind);

/* Count of messages of kind (NULL: all). 0 or -1. */
int store_count(struct db *, const char *kind, int64_t *n);

/* ---- reading, for `mistok messages` --------------------------------- */

struct store_filter {
	const char	*folder;	/* has a location in it; NULL: any */
	const char	*from;		/* sender address, or "@domain" */
	time_t		 since;		/* date >= since; 0: any */
	const char	*partnership;	/* slug; NULL: any */
};

struct store_location {
	char		*folder;
	int64_t		 uidvalidity;
	int64_t		 uid;
};

/* One stored message as listed; every pointer valid during the callback. */
struct store_row {
	int64_t			 id;
	const char		*message_id;	/* NULL when none */
	time_t			 date;		/* UTC */
	struct msg_addr		 from;
	struct msg_addr		*to, *cc;
	size_t			 nto, ncc;
	const char		*subject;
	int64_t			 thread;	/* 0: none yet */
	const char		*partnership;	/* slug or NULL */
	const char		*rule;
	const char		*kind;
	const char		*direction;	/* NULL when unknown */
	const char		*error;		/* NULL when none */
	int			 truncated;
	const char		*body;
	int64_t			 size;
	struct store_location	*loc;		/* first seen first */
	size_t			 nloc;
	struct msg_attachment	*att;
	size_t			 natt;
};

/*
 * Calls cb for each message matching f (NULL: all), oldest first; cb
 * returns 0 to go on, non-zero to stop. Returns 0, or -1 with *err
 * (caller frees).
 */
int store_list(struct db *, const struct store_filter *f,
    int (*cb)(void *arg, const struct store_row *), void *arg, char **err);

/* ---- look-ups, for the scheduler and the digest ------------------------ */

/*
 * The last correspondence of partnership (kinds correspondence and imip:
 * never commands, auto-replies, bounces or mistok's own mail), in
 * direction "in" or "out", or either when direction is NULL. Returns 1
 * with *id, *date and *dir (static "in", "out" or NULL; any output may be
 * NULL), 0 when there is none, -1 on a database error (logged). One
 * indexed look-up (messages_partnership).
 */
int store_last_mail(struct db *, int64_t partnership, const char *direction,
    int64_t *id, time_t *date, const char **dir);

/*
 * What a reply to message id threads under: its Message-ID (without <>),
 * References (the header's text) and Thread-Index, each a new string or
 * NULL when the message has none (caller frees). Returns 1, 0 when there
 * is no such message (outputs NULL), -1 on a database error (logged).
 */
int store_message_parent(struct db *, int64_t id, char **message_id,
    char **refs, char **thread_index);

/*
 * Calls cb with each To address of message id in header order, then each
 * Cc address; the string is valid during the call only. cb returns 0 to
 * go on, non-0 to stop (store_message_recipients then returns it).
 * Returns 0 (or cb's value), -1 on a database error (logged).
 */
int store_message_recipients(struct db *, int64_t id,
    int (*cb)(void *arg, const char *email), void *arg);

#endif
