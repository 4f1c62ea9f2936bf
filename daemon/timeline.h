/*
 * timeline: what a person reads and triages — a partnership's timeline
 * (its threads with their messages, its meetings and its stage changes,
 * interleaved by date), the list of mail still waiting for a partnership,
 * and a person's assignment of a message (its thread moves, the sender
 * may be learned, the events table keeps an audit row). Read-only queries
 * apart from timeline_assign(); it never prints, never threads and never
 * decides a partnership by itself (match.h does).
 */
#ifndef MISTOK_TIMELINE_H
#define MISTOK_TIMELINE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "directory.h"
#include "mime.h"

struct db;
struct thread_ctx;

/* One stored message as the timeline shows it. Strings owned. */
struct tl_message {
	int64_t		 id;
	char		*message_id;	/* NULL when none */
	time_t		 date;		/* UTC, 0: unknown */
	char		*direction;	/* "in", "out" or NULL */
	struct msg_addr	 from;		/* email "" when none */
	struct msg_addr	*to, *cc;
	size_t		 nto, ncc;
	char		*subject;	/* NULL when none */
	char		*kind;		/* correspondence, command, … */
	char		*rule;		/* own-id … assigned, none */
	int64_t		 thread;	/* 0: none */
	int64_t		 partnership;	/* 0: none */
	char		*slug;		/* the partnership's slug, or NULL */
};

/* A thread's messages of one partnership, oldest first. */
struct tl_thread {
	int64_t			 id;	/* 0: a message without a thread */
	char			*rule;	/* the thread's own rule, or NULL */
	time_t			 first, last;
	struct tl_message	*msgs;
	size_t			 nmsgs;
};

struct tl_attendee {
	char	*email;
	char	*name;
	char	*partstat;
};

struct tl_meeting {
	int64_t			 id;
	char			*uid;
	char			*title;
	int64_t			 sequence;
	time_t			 start;		/* UTC, 0: not set */
	int64_t			 duration;	/* seconds */
	char			*status;
	char			*link;
	struct tl_attendee	*att;
	size_t			 natt;
};

enum tl_type { TL_THREAD, TL_MEETING, TL_STAGE };

/* One line of the timeline: an index into threads, meetings or history. */
struct tl_entry {
	enum tl_type	 type;
	time_t		 date;	/* thread: its first message */
	size_t		 index;
};

struct timeline {
	struct dir_partnership	 p;	/* header, stage history */
	struct tl_thread	*threads;	/* by first date */
	size_t			 nthreads;
	struct tl_meeting	*meetings;	/* by start */
	size_t			 nmeetings;
	struct tl_entry		*entries;	/* everything, by date */
	size_t			 nentries;
};

/*
 * Loads partnership's timeline: every message whose partnership it is,
 * grouped by thread, with the meetings and the stage history. Returns 1
 * and *out (free with timeline_free()), 0 when there is no such
 * partnership, -1 with *err (caller frees).
 */
int timeline_load(struct db *, int64_t partnership, struct timeline *out,
    char **err);
void timeline_free(struct timeline *);

/*
 * The mail a person should triage: messages of kind correspondence or
 * command that have no partnership, newest first. Returns 0 with *out,
 * *n (free with tl_messages_free()), or -1 with *err (caller frees).
 */
int timeline_unassigned(struct db *, struct tl_message **out, size_t *n,
    char **err);
void tl_messages_free(struct tl_message *, size_t);

/* What timeline_assign() did about the sender. */
enum tl_learn {
	TL_SENDER_NONE,		/* no sender address */
	TL_SENDER_TEAM,		/* the team or a coordinator */
	TL_SENDER_KNOWN,	/* already a contact */
	TL_SENDER_LEARNED,	/* new learned contact at a partnership org */
	TL_SENDER_OTHER_ORG,	/* its domain's organisation is not in it */
	TL_SENDER_UNKNOWN,	/* an address at no known organisation */
};

struct tl_assign {
	int64_t			 thread;	/* 0: the message has none */
	int64_t			 old;		/* message's partnership before */
	char			*old_slug;	/* NULL: none */
	char			*slug;		/* the partnership's */
	struct tl_message	*moved;		/* messages whose partnership */
	size_t			 nmoved;	/* changed, oldest first */
	enum tl_learn		 sender;
	char			*sender_email;	/* NULL when none */
	int64_t			 contact;	/* known or learned, else 0 */
};

/*
 * A person files message under partnership (match_assign(): rule
 * assigned, the whole thread follows) in one transaction, learns the
 * sender as a contact when the address is unknown and its domain belongs
 * to one of the partnership's organisations (UA, US or supporting), and
 * records an events row (action "assign", object "message:ID", actor
 * actor). ctx tells the team's addresses. Returns 0 and *out (free with
 * tl_assign_free()), or -1 with *err (caller frees): no such message or
 * partnership, or a database error (nothing changed then).
 */
int timeline_assign(struct db *, int64_t message, int64_t partnership,
    const struct thread_ctx *ctx, const char *actor, struct tl_assign *out,
    char **err);
void tl_assign_free(struct tl_assign *);

#endif
