/*
 * bounce: what mistok does when a DSN about its own mail comes in — finds
 * the outbox mail it returns (the newest mail sent to the failed
 * recipient in the last BOUNCE_WINDOW), marks that mail and the
 * recipient's address as bouncing, and queues one notice to the
 * coordinators. It never answers the bounce and never parses mail (the
 * failed recipients come from mime's struct msg).
 */
#ifndef MISTOK_BOUNCE_H
#define MISTOK_BOUNCE_H

#include <stdint.h>

struct config;
struct db;
struct msg;

/* How far back a DSN is matched to a sent mail (seconds). */
#define BOUNCE_WINDOW	(14 * 86400)

/*
 * For a stored message m of kind bounce (others are ignored): for each
 * failed recipient, the outbox mail sent to it is marked
 * (outbox_mark_bounced()), the address is marked bouncing in
 * contact_addresses (an address at a known organisation's domain that is
 * no contact yet is learned first) and a notice is queued under
 * "bounce-notice:<outbox id>:<address>" — unless the returned mail was
 * itself a notice (no loop). Runs inside the caller's transaction.
 * Returns the number of outbox mails marked, or -1 with *err (caller
 * frees).
 */
int bounce_handle(struct db *, const struct config *, int64_t message,
    const struct msg *m, char **err);

/*
 * store_set_after_insert() step, chained after threading by ingest.c:
 * arg is the const struct config *. Errors are logged and never undo the
 * message (a bounce that cannot be matched is still stored).
 */
int bounce_store_hook(struct db *, int64_t message, const struct msg *,
    void *arg);

#endif
