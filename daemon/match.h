/*
 * match: which partnership a message belongs to, and why. The first rule
 * with exactly one answer wins: own-id, plus-address, subject-tag,
 * thread, meeting-uid, participants; zero or several → none, never a
 * guess. It owns messages.partnership/rule and threads.partnership/rule
 * and learns contacts at known organisations' domains. It never threads
 * (thread.h) and never edits the directory beyond learned contacts.
 */
#ifndef MISTOK_MATCH_H
#define MISTOK_MATCH_H

#include <stdint.h>

struct db;
struct msg;
struct thread_ctx;

enum match_rule {
	MATCH_NONE = 0,
	MATCH_OWN_ID,
	MATCH_PLUS_ADDRESS,
	MATCH_SUBJECT_TAG,
	MATCH_THREAD,
	MATCH_MEETING_UID,
	MATCH_PARTICIPANTS,
	MATCH_ASSIGNED,
};

/* DESIGN.md's names: "own-id", "plus-address", … "none". */
const char *match_rule_name(enum match_rule);

struct match_result {
	enum match_rule	rule;
	int64_t		partnership;	/* 0 when rule is MATCH_NONE */
};

/*
 * Decides the partnership of m (its row may not exist yet; thread: its
 * thread after threading) without writing it; learns contacts
 * (contacts.learned = 1) for unknown from/to/cc addresses at a known
 * organisation's domain. 0 or -1 with *err (caller frees).
 */
int match_decide(struct db *, int64_t thread,
    const struct msg *m, const struct thread_ctx *, struct match_result *,
    char **err);

/*
 * After the caller stored r on the message (messages.partnership, rule:
 * thread.c does it in the same UPDATE as the threading keys): when r is
 * the message's own evidence (not thread, not none) offers it to the
 * thread; a thread takes it when it had none or a weaker rule, and its
 * unassigned messages follow (rule thread). 0 or -1.
 */
int match_offer(struct db *, int64_t thread, const struct match_result *);

/*
 * A person assigns message to partnership (rule assigned): it wins over
 * every other rule and moves the whole thread (every message not itself
 * assigned by a person). 0, or -1 with *err (unknown message or
 * partnership, database error).
 */
int match_assign(struct db *, int64_t message, int64_t partnership,
    char **err);

/*
 * thread.c's side of a merge: the thread `from` (partnership, rule) is
 * being folded into `into`; keeps the stronger claim (assigned > explicit
 * evidence > participants; on a tie the one into had) and lets the
 * messages follow. Call after moving the messages. 0 or -1.
 */
int match_threads_merged(struct db *, int64_t into, int64_t from_partnership,
    const char *from_rule);

#endif
