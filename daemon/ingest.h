/*
 * ingest: the sync engine that takes the team mailbox into the store, and
 * the daemon module that runs it (connect, sync every folder, IDLE on
 * INBOX, poll the others, reconnect with backoff). Per folder it keeps
 * UIDVALIDITY and the last UID in the same transaction as the messages
 * they cover, so a crash refetches and never skips. It only reads the
 * server (EXAMINE, BODY.PEEK) and never decides threads or partnerships.
 */
#ifndef MISTOK_INGEST_H
#define MISTOK_INGEST_H

#include <stddef.h>
#include <stdint.h>

#include "daemon.h"
#include "imap.h"
#include "store.h"

struct config;
struct db;

/*
 * Messages per transaction, and bytes; messages per UID FETCH of
 * `mistok sync` (the daemon fetches INGEST_CHUNK at a time: a chunk is
 * one step of its loop, which a slow server must not hold for long);
 * bytes of parsed messages waiting between the fetch thread and the store.
 */
#define INGEST_CHUNK		500
#define INGEST_BATCH_BYTES	(32u * 1024 * 1024)
#define INGEST_FETCH		5000
#define INGEST_QUEUE_BYTES	(1536u * 1024)

/* Result classes: the imap ones, plus the store's and the config's. */
enum ingest_status {
	INGEST_OK = 0,
	INGEST_RETRY_NOW,	/* session gone; reconnect at once */
	INGEST_RETRY_LATER,	/* unreachable or dropped; back off */
	INGEST_FAIL,		/* refused: TLS, credentials, a missing folder */
	INGEST_CONFIG,		/* the secret cannot be read */
	INGEST_STORE,		/* the database failed; nothing half-stored */
};

const char *ingest_status_name(enum ingest_status);

/* Counters of one folder (or of all) since ingest_new(). */
struct ingest_counts {
	size_t	fetched;	/* messages the server passed */
	size_t	added;		/* new messages stored */
	size_t	duplicates;	/* known message, location added */
	size_t	known;		/* location already stored */
	size_t	quarantined;
	size_t	truncated;	/* over max_message_size: headers only */
	size_t	bytes;
};

/* Called after each message: done of total in folder. */
typedef void (*ingest_progress_fn)(void *arg, const char *folder,
    size_t done, size_t total);

struct ingest;

/*
 * A sync engine on db with conf (both borrowed; conf may be swapped with
 * ingest_set_config()). No connection is made yet.
 */
struct ingest *ingest_new(struct db *, const struct config *);
void ingest_free(struct ingest *);
void ingest_set_config(struct ingest *, const struct config *);
void ingest_set_progress(struct ingest *, ingest_progress_fn, void *arg);
/*
 * Messages per UID FETCH, i.e. per ingest_folder_step(): INGEST_CHUNK
 * unless set (0 sets it back). Bigger chunks drain the fetch pipeline
 * less often; the daemon keeps the default so its loop stays responsive.
 */
void ingest_set_fetch_chunk(struct ingest *, size_t messages);

/*
 * Reads the secret (never logged), connects, lists the folders and
 * resolves the ones to sync: the configured list, else INBOX and the
 * folder flagged \Sent. *err (caller frees) on failure.
 */
enum ingest_status ingest_connect(struct ingest *, char **err);
void ingest_disconnect(struct ingest *);
int ingest_connected(const struct ingest *);
/* The live session (NULL when disconnected), e.g. for imap_idle(). */
struct imap *ingest_imap(struct ingest *);

/* The folders resolved by the last ingest_connect(). */
size_t ingest_nfolders(const struct ingest *);
const char *ingest_folder(const struct ingest *, size_t i);
/* The index of INBOX (else 0): where IDLE waits. */
size_t ingest_idle_folder(const struct ingest *);

/*
 * EXAMINE folder i, handle a changed UIDVALIDITY (log, drop the old
 * locations, rescan from UID 1) and list the UIDs still to fetch.
 */
enum ingest_status ingest_folder_open(struct ingest *, size_t i, char **err);
/* Messages left to fetch in the open folder, and its total this pass. */
size_t ingest_folder_total(const struct ingest *);
/*
 * Fetches, parses and stores the next chunk (see ingest_set_fetch_chunk()) of
 * the open folder; *done = 1 once nothing is left (last_sync is then
 * recorded). A failure commits what was stored before it.
 */
enum ingest_status ingest_folder_step(struct ingest *, int *done, char **err);
/* open + steps until done. */
enum ingest_status ingest_sync_folder(struct ingest *, size_t i, char **err);

/* Counters of folder i since ingest_new(), or of all when i is SIZE_MAX. */
const struct ingest_counts *ingest_counts(const struct ingest *, size_t i);

/*
 * One message into the store, as the engine does it (exposed for tests):
 * parse (headers only when im->headers_only, with a note), direction from
 * the team address and coordinators, store_message(), and when that
 * fails store_quarantine() with the error. Must run inside a
 * transaction. Returns the store outcome (>= 0) with c updated (may be
 * NULL), or -1 with *err when not even the quarantine could be stored.
 */
int ingest_store_raw(struct db *, const struct config *,
    const struct store_loc *, const struct imap_msg *,
    struct ingest_counts *c, char **err);

/* The daemon module (mistokd.c's modules[]). */
extern const struct daemon_module ingest_module;

#endif
