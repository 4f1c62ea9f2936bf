/*
 * cmdexec_int: what the cmdexec_*.c files share and nothing outside
 * them sees — the one command mail being run (struct xc), its meeting
 * lines left for after the commit, and the helpers every line uses to
 * say what it did, refuse a line, and write the audit row.
 * It never runs a line itself; cmdexec.c dispatches them.
 */
#ifndef MISTOK_CMDEXEC_INT_H
#define MISTOK_CMDEXEC_INT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "tz.h"
#include "util.h"

struct cmd_line;
struct cmd_mail;
struct cmd_ref;
struct config;
struct db;

/* A meeting line checked in the transaction, run after its commit. */
enum later_kind { LATER_PROPOSE, LATER_RESCHEDULE, LATER_CANCEL,
	LATER_SLOT, LATER_DIGEST, LATER_SEND };
struct later {
	enum later_kind		 kind;
	size_t			 lineno;
	int64_t			 partnership;
	char			*slug;
	int64_t			 id;		/* meeting or proposal */
	int			 slot;
	const struct cmd_line	*l;		/* LATER_PROPOSE, _RESCHEDULE */
	char			**with;		/* NULL-terminated or NULL */
};

struct attachment {
	char	*name;
	char	*type;
	char	*data;
	size_t	 len;
};

/* One command mail being run. */
struct xc {
	struct db		*db;
	const struct config	*conf;
	int64_t			 msg;
	char			*sender;
	char			*sender_name;
	char			*lang;		/* "uk" or "en" */
	const struct tz		*zone;		/* the sender's */
	time_t			 now;
	char			*subject;
	char			*message_id;
	char			*in_reply_to;
	char			*refs;
	char			*body;
	size_t			 body_len, quote_off, sig_off;
	int64_t			 partnership;	/* the mail's own */
	char			*own_id;
	char			*own_kind;
	int64_t			 own_object, own_partnership;
	struct cmd_mail		*cm;
	int64_t			*ctx;		/* per line: its resolved
						   (New-)Partnership */
	struct buf		 out;		/* what was done */
	struct buf		 errs;		/* what failed */
	size_t			 nerrs;
	struct later		*later;
	size_t			 nlater;
	struct attachment	*att;
	size_t			 natt;
	int			 changes;
};

static inline int
uk(const struct xc *x)
{
	return strcmp(x->lang, "uk") == 0;
}

/* English or Ukrainian. */
#define L(x, en, ua)	(uk(x) ? (ua) : (en))

/* ---- cmdexec_ctx.c: the mail being run ---------------------------------- */

/* Loads message id (own: the mistok id it answers, or NULL) and its
   sender's language and zone into x; 1, 0 (no such message), -1.
   x is cx_free()d by the caller in every case. */
int	 cx_load(struct xc *x, struct db *db, const struct config *conf,
	    int64_t id, const char *own);
void	 cx_free(struct xc *x);
/* A line of what was done. */
void	 cx_say(struct xc *x, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* An error about line l (NULL: line lineno, 0: the mail). */
void	 cx_fail(struct xc *x, const struct cmd_line *l, size_t lineno,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void	 cx_audit(struct xc *x, const char *action, const char *object,
	    const char *detail);
/* The audit row of action on kind:id ("partnership:3"). */
void	 cx_audit_of(struct xc *x, const char *action, const char *kind,
	    int64_t id, const char *detail);
/* The audit row of an executed line; counts it as a change. */
void	 cx_audit_line(struct xc *x, const struct cmd_line *l, int64_t pid);
/* Dates and times in the sender's zone and language; caller frees. */
char	*cx_fmt_day(const struct xc *x, struct tz_date d);
char	*cx_fmt_time(const struct xc *x, time_t t);
/* pid's slug, or "?"; *keep (caller frees) holds it. */
const char *cx_slug_of(struct xc *x, int64_t pid, char **keep);
/* Whether x answers mistok's own mail of kind (REMIND_OWN_STEP,
   "proposal", …) about an object (own_object > 0). */
int	 cx_own_is(const struct xc *x, const char *kind);
/* Whether x answers the "how did the meeting go" mail. */
int	 cx_own_outcome(const struct xc *x);

/* ---- cmdexec_dir.c: the directory lines --------------------------------- */
/* Each: 1 done, 0 refused (said why with cx_fail()), -1 database. */

int	 cx_resolve_ref(struct xc *x, const struct cmd_line *l,
	    const struct cmd_ref *r, int64_t *pid);
int	 cx_context(struct xc *x, const struct cmd_line *l, int64_t *pid);
int	 cx_exec_new_partnership(struct xc *x, const struct cmd_line *l,
	    int64_t *pid);
int	 cx_exec_org(struct xc *x, const struct cmd_line *l);
int	 cx_exec_contact(struct xc *x, const struct cmd_line *l);
int	 cx_exec_stage(struct xc *x, const struct cmd_line *l, int64_t pid);
/* 0 or -1. */
int	 cx_add_note(struct xc *x, int64_t pid, const char *text);
int	 cx_assign(struct xc *x, const struct cmd_line *l, int64_t message,
	    int64_t pid);
/* The stored message a forward carries: 1 and *id, 0 none, -1. */
int	 cx_forwarded_message(struct xc *x, int64_t *id);
int	 cx_is_forward(const struct xc *x);

/* ---- cmdexec_work.c: steps, meetings, reply words ----------------------- */

int	 cx_exec_step(struct xc *x, const struct cmd_line *l, int64_t pid);
int	 cx_do_done(struct xc *x, const struct cmd_line *l, size_t lineno,
	    int64_t id);
/* A new zeroed entry of x->later. */
struct later *cx_add_later(struct xc *x, enum later_kind k, size_t lineno);
void	 cx_later_free(struct xc *x);
int	 cx_check_meeting(struct xc *x, const struct cmd_line *l, int64_t pid);
int	 cx_check_meeting_id(struct xc *x, const struct cmd_line *l,
	    size_t lineno, int64_t id, int want_scheduled);
int	 cx_cancel_meeting(struct xc *x, const struct cmd_line *l,
	    size_t lineno, int64_t id);
/* After the commit: runs v (says what happened); Dry-Run: describes v. */
void	 cx_run_later(struct xc *x, struct later *v);
void	 cx_describe_later(struct xc *x, const struct later *v);
/* The reply word ("done", "snooze", a slot, …) of a reply to mistok. */
int	 cx_exec_reply_word(struct xc *x);

/* ---- cmdexec_info.c: Show, Search, Report ------------------------------- */

int	 cx_exec_show(struct xc *x, int64_t pid);
int	 cx_exec_search(struct xc *x, const char *words);
int	 cx_exec_report(struct xc *x, const struct cmd_line *l);

/* ---- cmdexec_answer.c: the answer and the coordinators' notice ---------- */

/* Queues the answer to x's mail (inside the caller's transaction). 0, -1. */
int	 cx_send_reply(struct xc *x, const char *text, int failed, int dry);
/* Sets the commands row's status (and reply unless NULL). 0, -1. */
int	 cx_mark(struct xc *x, const char *status, const char *reply);
/* In a transaction of its own: the answer, and the row marked status. */
int	 cx_finish(struct xc *x, const char *status, const char *text,
	    int failed, int dry);
/* A foreign mail: audited, the coordinators told, marked refused. */
int	 cx_run_foreign(struct xc *x, const char *reason);

#endif
