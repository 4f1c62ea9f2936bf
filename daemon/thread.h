/*
 * thread: puts every stored message into its conversation. It owns the
 * threads and ghosts tables and the threading keys of messages (parent,
 * conversation, subject_base, people, subject_root). Links, strongest
 * first: In-Reply-To / References (notmuch's parent rule, ghosts for ids
 * not seen yet), Outlook's Thread-Index conversation or else the iMIP
 * calendar UID, and the normalised subject among the same participants.
 * It parses no mail (only an iMIP part's UID, through invite.h) and never
 * rescans: each message costs a few index look-ups. Partnerships: match.h.
 */
#ifndef MISTOK_THREAD_H
#define MISTOK_THREAD_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct config;
struct db;
struct msg;
struct store_keys;

/* Subject grouping: only within this distance in time (seconds). */
#define THREAD_SUBJECT_WINDOW		(60 * 86400)
/* At most this many subject candidates are compared per message. */
#define THREAD_SUBJECT_CANDIDATES	500

/*
 * What threading and matching need to know about the team. Everything is
 * borrowed; NULL members mean "none".
 */
struct thread_ctx {
	const char		*team_address;	/* team@example.org */
	const char		*tag;		/* the C4C of [C4C #12] */
	const char *const	*coordinators;	/* NULL-terminated, lower case */
	time_t			 subject_window; /* 0: THREAD_SUBJECT_WINDOW */
};

/* Fills ctx from conf (pointers into conf: valid while conf is). */
void thread_ctx_from_config(struct thread_ctx *, const struct config *);

/*
 * Threads and matches message (a messages row already stored with its
 * addresses and msgid_refs, m being what it was stored from). Runs inside
 * the caller's transaction; on -1 (*err set, caller frees) the caller
 * rolls back. The resulting partition into threads and the parent links
 * do not depend on the order in which messages arrive.
 */
int thread_add(struct db *, int64_t message, const struct msg *m,
    const struct thread_ctx *, char **err);

/*
 * The store hooks (store.h), both with arg a const struct thread_ctx *
 * that must outlive them; errors are logged. thread_store_before()
 * threads and matches a message before its row exists and hands the
 * keys to the INSERT; thread_store_hook(), after it, writes what needs
 * the row's id (subject index, ghosts, the thread's dates, the thread's
 * partnership). Set alone, thread_store_hook() does all of it with
 * thread_add() (one UPDATE more).
 */
int thread_store_before(struct db *, const struct msg *, time_t date,
    struct store_keys *, void *arg);
int thread_store_hook(struct db *, int64_t message, const struct msg *,
    void *arg);

/*
 * The subject with localised reply/forward prefixes (Re, Fwd, AW, Відп …
 * with [2]/(2) counters and ASCII or full-width colons), leading [tags],
 * "(fwd)" trailers and [Fwd: …] wrappers removed, white space collapsed
 * and Unicode case-folded. NULL when nothing is left. Caller frees.
 */
char *thread_subject_base(const char *subject);

/*
 * The conversation key of a Thread-Index value: hex of its first 22
 * decoded bytes. Returns the key (caller frees) or NULL when the value is
 * not base64 of at least 22 bytes; *reply (may be NULL) is set when the
 * index carries child blocks (a reply).
 */
char *thread_conversation(const char *thread_index, int *reply);

/*
 * Erasing a person (directory_forget()): email (lower case) leaves the
 * participants of every message and the subject index, so it neither
 * stays stored there nor links mail by subject any more. 0 or -1.
 */
int thread_forget(struct db *, const char *email);

/* 1 when email is the team's address (any +detail) or a coordinator's. */
int thread_is_team(const struct thread_ctx *, const char *email);

/*
 * A thread as a tree, for display and for the conformance checks. The
 * parent shown is the stored parent when it is a message of the thread,
 * else the last References id that is one (as notmuch shows it), never
 * making a cycle; the other messages are roots. Nodes come sorted by
 * date then Message-ID, parents before children is not guaranteed.
 */
struct thread_node {
	int64_t	 id;		/* messages.id */
	char	*message_id;	/* NULL when none */
	char	*parent_id;	/* stored parent Message-ID, or NULL */
	time_t	 date;
	size_t	 parent;	/* index into the array, or SIZE_MAX: a root */
	int	 depth;
};

/* 0 and *out, *n (free with thread_tree_free()) or -1 and *err. */
int thread_tree(struct db *, int64_t thread, struct thread_node **out,
    size_t *n, char **err);
void thread_tree_free(struct thread_node *, size_t);

#endif
