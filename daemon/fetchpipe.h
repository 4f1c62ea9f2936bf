/*
 * fetchpipe: imap_fetch() on a second thread, each message turned into an
 * item (parsed) on that thread too, the items handed to the caller in UID
 * order through a queue bounded in bytes. The caller stores while the next
 * messages arrive and parse. It owns no connection and no database: the
 * imap handle belongs to the fetch thread from start to finish, and the
 * parse function must not touch what the caller's thread uses.
 */
#ifndef MISTOK_FETCHPIPE_H
#define MISTOK_FETCHPIPE_H

#include <stddef.h>
#include <stdint.h>

#include "imap.h"

struct fetchpipe;

/*
 * Runs on the fetch thread for each message: returns the item (NULL is a
 * valid item) and sets *cost to the bytes it holds. m->raw is valid only
 * during the call.
 */
typedef void *(*fetchpipe_parse_fn)(void *arg, const struct imap_msg *m,
    size_t *cost);

/*
 * Starts fetching UIDs from..to (as imap_fetch()). At most max_cost bytes
 * of items wait in the queue (one item always may). NULL when no thread
 * can be started: the caller fetches the plain way.
 */
struct fetchpipe *fetchpipe_start(struct imap *, uint32_t from, uint32_t to,
    const struct imap_fetch_opts *, fetchpipe_parse_fn, void *arg,
    size_t max_cost);

/*
 * The next message: 1 with its fields in *m (m->raw is NULL) and its item
 * in *item (the caller's now), or 0 when the fetch has ended.
 */
int fetchpipe_next(struct fetchpipe *, struct imap_msg *m, void **item);

/*
 * Ends the fetch (stopping it when messages are still coming: the
 * response is read to its end and the rest dropped), joins the thread and
 * frees the pipe; items not taken go to free_item. Returns imap_fetch()'s
 * status, with its error in *err (the caller frees it).
 */
enum imap_status fetchpipe_finish(struct fetchpipe *,
    void (*free_item)(void *), char **err);

#endif
