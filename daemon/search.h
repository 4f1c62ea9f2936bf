/*
 * search: the full-text index of the stored mail (messages_fts, FTS5 over
 * subject and body) — kept lazily behind ingest, so a first import does
 * not pay for it — and the queries over it. It owns the kv cursor
 * "fts:upto" (every message with id <= it is indexed; db.c's triggers
 * keep those rows current). It never stores mail and never formats
 * answers.
 */
#ifndef MISTOK_SEARCH_H
#define MISTOK_SEARCH_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "daemon.h"

struct db;

/* Rows indexed per tick of the daemon module. */
#define SEARCH_SLICE		2000
/* Rows search_query() indexes at most before it reads the index. */
#define SEARCH_QUERY_CATCH_UP	50000

/*
 * Indexes up to max_rows messages above the cursor, in id order, and
 * moves the cursor past them. Inside the caller's transaction when there
 * is one, else in its own. Returns the number indexed (0: current), or
 * -1 (database error, logged; nothing moved).
 */
int search_catch_up(struct db *, size_t max_rows);

/* Messages not yet indexed: 0 and *n, or -1. */
int search_backlog(struct db *, int64_t *n);

/* One match; strings owned by the hit (search_hits_free()). */
struct search_hit {
	int64_t	 id;
	time_t	 date;
	char	*from;		/* the sender's address */
	char	*subject;	/* may be NULL */
	char	*slug;		/* its partnership's, or NULL */
	char	*context;	/* a line of context around the words */
};
void search_hits_free(struct search_hit *, size_t);

/*
 * The messages (mistok's own left out, and exclude when not 0) holding
 * every word of words (each taken literally: no query syntax from
 * mail), newest first, at most limit. Catches the index up first (at
 * most SEARCH_QUERY_CATCH_UP rows); *partial (may be NULL) is set when
 * newer mail was still left unindexed. Returns 0 and *out (*n hits;
 * free with search_hits_free()), or -1 with *err (caller frees).
 */
int search_query(struct db *, const char *words, int64_t exclude,
    size_t limit, struct search_hit **out, size_t *n, int *partial,
    char **err);

/*
 * mistokd's module: indexes SEARCH_SLICE rows per tick while behind (a
 * tick every 10 ms, so the loop stays responsive), and looks again every
 * 5 s once current.
 */
extern const struct daemon_module search_module;

#endif
