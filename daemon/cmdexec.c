/*
 * cmdexec: command mail from recognition to answer.
 *
 * At ingest (inside the message's savepoint) cmdexec_store_hook() only
 * decides and records: a commands row with status pending, foreign or
 * note. cmdexec_run() then takes each row in its own transaction:
 *   - every line is executed in one transaction; the first error (of the
 *     parser, or of a module refusing a line) rolls everything back and
 *     the answer lists the errors; Dry-Run rolls back too and answers
 *     what was done;
 *   - meeting lines (Meeting, Reschedule, Cancel, a slot number) are
 *     checked in that transaction but run after its commit, because the
 *     meeting module keeps its own transactions; the row is "executed"
 *     in between, so a crash never runs a line twice;
 *   - the answer is queued in the transaction that marks the row done.
 *
 * This file: recognition, the stale age, the store hook, and each mail's
 * transaction and line dispatch. The lines are cmdexec_dir.c's,
 * cmdexec_work.c's and cmdexec_info.c's; what is sent, cmdexec_answer.c's;
 * the mail being run (cmdexec_int.h), cmdexec_ctx.c's.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "authres.h"
#include "classify.h"
#include "cmd.h"
#include "cmdexec.h"
#include "cmdexec_int.h"
#include "compose.h"
#include "config.h"
#include "db.h"
#include "directory.h"
#include "log.h"
#include "mime.h"
#include "outbox.h"
#include "store.h"
#include "tz.h"
#include "util.h"

/* ---- recognition -------------------------------------------------------- */

static const char *
domain_of(const char *email)
{
	const char *at = strrchr(email, '@');

	return at != NULL ? at + 1 : "";
}

/* team@d or team+x@d. */
static int
is_team_address(const struct config *conf, const char *email)
{
	const char *t = conf->team_address, *at, *tat, *plus;

	if (t == NULL || *email == '\0')
		return 0;
	if (strcasecmp(t, email) == 0)
		return 1;
	at = strrchr(email, '@');
	tat = strrchr(t, '@');
	if (at == NULL || tat == NULL || strcasecmp(at, tat) != 0)
		return 0;
	plus = memchr(email, '+', (size_t)(at - email));
	return plus != NULL && (size_t)(plus - email) == (size_t)(tat - t) &&
	    strncasecmp(email, t, (size_t)(tat - t)) == 0;
}

static int
in_config_coordinators(const struct config *conf, const char *email)
{
	size_t i;

	for (i = 0; conf->coordinators != NULL &&
	    conf->coordinators[i] != NULL; i++)
		if (strcasecmp(conf->coordinators[i], email) == 0)
			return 1;
	return 0;
}

/* 1, 0, -1. */
static int
is_coordinator(struct db *db, const struct config *conf, const char *email)
{
	if (*email == '\0')
		return 0;
	if (in_config_coordinators(conf, email))
		return 1;
	return directory_is_coordinator(db, conf, email);
}

/* Whether id is mistok's: recorded in own_ids, or of its id shape. */
static int
own_id(struct db *db, const struct config *conf, const char *id)
{
	int rc;

	if (id == NULL)
		return 0;
	if ((rc = compose_own_id(db, id, NULL, NULL, NULL)) != 0)
		return rc;
	return classify_is_own_id(id, conf->team_domain);
}

/*
 * The Authentication-Results values the receiving server wrote: the
 * topmost one and those right below it with no other header between.
 * Whatever the sender wrote lies below the receiving server's Received
 * line, so it is never in this run. NULL-terminated, the strings
 * borrowed from m; caller frees the array.
 */
static char **
top_authres(const struct msg *m)
{
	char **v = xcalloc(m->nhdr + 1, sizeof(*v));
	size_t i, n = 0;

	for (i = 0; i < m->nhdr; i++)
		if (strcasecmp(m->hdr[i].name, "Authentication-Results") == 0)
			break;
	for (; i < m->nhdr && strcasecmp(m->hdr[i].name,
	    "Authentication-Results") == 0; i++)
		v[n++] = m->hdr[i].value;
	return v;
}

void
cx_recognition_free(struct cx_recognition *r)
{
	free(r->own_id);
	memset(r, 0, sizeof(*r));
}

int
cmdexec_recognise(struct db *db, const struct config *conf,
    const struct msg *m, struct cx_recognition *out)
{
	const struct tz *zone;
	struct cmd_opts o;
	struct cmd_mail *cm;
	const char *from = m->from.email, *why = NULL;
	char *e = NULL;
	size_t i, k;
	int rc, looks, coord;

	memset(out, 0, sizeof(*out));
	if (m->kind != MSG_CORRESPONDENCE || m->truncated) {
		out->reason = "not correspondence";
		return 0;
	}
	if (*from == '\0' || is_team_address(conf, from)) {
		out->reason = "no sender, or the team itself";
		return 0;
	}
	/* Any partner among the recipients: correspondence. */
	for (k = 0; k < 2; k++) {
		const struct msg_addr *a = k == 0 ? m->to : m->cc;
		size_t n = k == 0 ? m->nto : m->ncc;

		for (i = 0; i < n; i++) {
			if (is_team_address(conf, a[i].email))
				continue;
			if ((rc = is_coordinator(db, conf, a[i].email)) == -1)
				return -1;
			if (rc == 0) {
				out->reason = "a partner is among the "
				    "recipients";
				return 0;
			}
		}
	}
	/* A reply to mistok's own mail. */
	if ((rc = own_id(db, conf, m->in_reply_to)) == -1)
		return -1;
	if (rc == 1)
		out->own_id = xstrdup(m->in_reply_to);
	for (i = 0; out->own_id == NULL && m->references != NULL &&
	    m->references[i] != NULL; i++)
		;
	while (out->own_id == NULL && i-- > 0) {
		if ((rc = own_id(db, conf, m->references[i])) == -1)
			return -1;
		if (rc == 1)
			out->own_id = xstrdup(m->references[i]);
	}
	out->reply_to_own = out->own_id != NULL;

	/* Does it read like commands? */
	zone = tz_get(conf->team_timezone, &e);
	free(e);
	o.zone = zone != NULL ? zone : tz_get("UTC", NULL);
	o.now = clock_now();
	cm = cmd_parse(m->body, m->body_len, m->quote_off, m->sig_off, &o);
	looks = cm->n > 0 || cm->nerrors > 0 ||
	    (out->reply_to_own && cm->first_word != REPLY_NONE &&
	    cm->first_word != REPLY_YES && cm->first_word != REPLY_NO);
	cmd_mail_free(cm);

	if ((coord = is_coordinator(db, conf, from)) == -1)
		return -1;
	if (coord && conf->require_authenticated_sender) {
		char **run = top_authres(m);

		if (!authres_vouches(run, conf->authserv_id, domain_of(from),
		    &why))
			coord = 0;
		free(run);
	}
	else if (!coord)
		why = "the sender is not a coordinator";
	if (coord)
		out->verdict = looks ? CX_COMMAND : CX_NOTE;
	else if (looks) {
		out->verdict = CX_FOREIGN;
		out->reason = why;
	} else
		out->reason = why;
	return 0;
}

/*
 * Whether message id is too old to run: its INTERNALDATE (when the
 * server received it), else its Date, is more than [team]
 * command_max_age before now. A fresh import of an old mailbox must not
 * replay the commands in its history. Mail with neither date arrived
 * now as far as mistok can tell. 1 stale, 0 recent, -1 database error.
 */
static int
too_old(struct db *db, const struct config *conf, int64_t id, time_t now)
{
	int64_t when = 0;
	int rc;

	if (conf->command_max_age <= 0)
		return 0;
	rc = db_int(db, &when, "SELECT coalesce(nullif(internal_date, 0), "
	    "nullif(date, 0), 0) FROM messages WHERE id = ?", "I", id);
	if (rc == -1)
		return -1;
	return rc == 1 && when > 0 && when < (int64_t)now -
	    conf->command_max_age;
}

static void
log_stale(int64_t id, const char *sender, const struct config *conf)
{
	log_info("command: message %lld from %s is older than "
	    "command_max_age (%d s): recorded as stale, not run or answered",
	    (long long)id, sender, conf->command_max_age);
}

int
cmdexec_store_hook(struct db *db, int64_t id, const struct msg *m,
    void *arg)
{
	const struct config *conf = arg;
	struct cx_recognition r;
	const char *status = NULL;
	int stale;

	if (conf == NULL)
		return 0;
	if (cmdexec_recognise(db, conf, m, &r) == -1) {
		log_warnx("command: message %lld: %s", (long long)id,
		    db_errmsg(db));
		return 0;
	}
	switch (r.verdict) {
	case CX_COMMAND:
		status = "pending";
		break;
	case CX_FOREIGN:
		status = "foreign";
		break;
	case CX_NOTE:
		status = "note";
		break;
	case CX_NONE:
		break;
	}
	stale = 0;
	if ((r.verdict == CX_COMMAND || r.verdict == CX_FOREIGN) &&
	    (stale = too_old(db, conf, id, clock_now())) == 1) {
		status = "stale";
		r.reason = "older than command_max_age";
	} else if (stale == -1)
		log_warnx("command: message %lld: %s", (long long)id,
		    db_errmsg(db));
	if (status != NULL && (db_exec(db, "INSERT OR IGNORE INTO commands "
	    "(message, status, sender, own_id, reason, created) VALUES "
	    "(?, ?, ?, ?, ?, ?)", "IttttT", id, status, m->from.email,
	    r.own_id, r.reason, clock_now()) == -1 ||
	    (r.verdict == CX_COMMAND && store_set_kind(db, id, "command") ==
	    -1)))
		log_warnx("command: message %lld: %s", (long long)id,
		    db_errmsg(db));
	else if (stale == 1)
		log_stale(id, m->from.email, conf);
	else if (status != NULL)
		log_debug("command: message %lld from %s: %s", (long long)id,
		    m->from.email, status);
	cx_recognition_free(&r);
	return 0;
}

/* ---- one line ----------------------------------------------------------- */

static int
exec_line(struct xc *x, size_t i)
{
	const struct cmd_line *l = &x->cm->lines[i];
	struct later *v;
	int64_t pid = 0;
	char *t;
	int rc;

	switch (l->kw) {
	case CMD_NONE:
	case CMD_DRY_RUN:
		return 1;
	case CMD_PARTNERSHIP:
		if ((rc = cx_resolve_ref(x, l, &l->u.ref, &pid)) == 1)
			x->ctx[i] = pid;
		return rc;
	case CMD_NEW_PARTNERSHIP:
		if ((rc = cx_exec_new_partnership(x, l, &pid)) == 1)
			x->ctx[i] = pid;
		return rc;
	case CMD_ORG:
		return cx_exec_org(x, l);
	case CMD_CONTACT:
		return cx_exec_contact(x, l);
	case CMD_HELP:
		t = cmd_help_text(x->lang);
		cx_say(x, "%s", t);
		free(t);
		return 1;
	case CMD_DIGEST:
		/* remind.c queues it in its own transaction. */
		cx_add_later(x, LATER_DIGEST, l->lineno);
		return 1;
	case CMD_SEARCH:
		return cx_exec_search(x, l->u.text);
	case CMD_REPORT:
		return cx_exec_report(x, l);
	case CMD_DONE:
		if ((rc = cx_do_done(x, l, 0, l->u.id)) == 1)
			cx_audit_line(x, l, 0);
		return rc;
	case CMD_CANCEL:
		return cx_cancel_meeting(x, l, 0, l->u.id);
	case CMD_RESCHEDULE:
		if ((rc = cx_check_meeting_id(x, l, 0, l->u.meeting.id,
		    1)) != 1)
			return rc;
		if (!l->u.meeting.has_window) {
			cx_fail(x, l, 0, "%s", L(x, "Reschedule needs a "
			    "window: #meeting ; window", "Перенести: потрібне "
			    "вікно: №зустрічі ; вікно"));
			return 0;
		}
		v = cx_add_later(x, LATER_RESCHEDULE, l->lineno);
		v->id = l->u.meeting.id;
		v->l = l;
		return 1;
	case CMD_SHOW:
		if (l->has_ref) {
			if ((rc = cx_resolve_ref(x, l, &l->u.ref, &pid)) != 1)
				return rc;
		} else if ((rc = cx_context(x, l, &pid)) != 1)
			return rc;
		return cx_exec_show(x, pid);
	default:
		break;
	}
	/* The rest act on the context partnership. */
	if ((rc = cx_context(x, l, &pid)) != 1)
		return rc;
	switch (l->kw) {
	case CMD_STAGE:
		return cx_exec_stage(x, l, pid);
	case CMD_NEXT_STEP:
		return cx_exec_step(x, l, pid);
	case CMD_NOTE:
		if (cx_add_note(x, pid, l->u.text) == -1)
			return -1;
		cx_say(x, L(x, "%s: note added", "%s: нотатку додано"),
		    cx_slug_of(x, pid, &t));
		free(t);
		cx_audit_line(x, l, pid);
		return 1;
	case CMD_MEETING:
		return cx_check_meeting(x, l, pid);
	case CMD_ASSIGN:
		return cx_assign(x, l, l->u.id, pid);
	default:
		break;
	}
	return 1;
}

/* ---- one mail ----------------------------------------------------------- */

/* Runs x (loaded) all or nothing. 0 handled, -1 database error. */
static int
run_command(struct xc *x)
{
	struct cmd_opts o;
	struct cmd_mail *cm;
	char *t;
	size_t i;
	int rc = 1, assign_line = 0, ctx_line = -1;
	int64_t pid, fwd;

	o.zone = x->zone;
	o.now = x->now;
	cm = x->cm = cmd_parse(x->body, x->body_len, x->quote_off,
	    x->sig_off, &o);
	if (cm->nerrors > 0) {
		t = cmd_errors_text(cm, x->lang);
		rc = cx_finish(x, "failed", t, 1, 0);
		free(t);
		return rc;
	}
	if (cm->n == 0 && (cm->first_word == REPLY_NONE ||
	    cm->first_word == REPLY_YES || cm->first_word == REPLY_NO ||
	    x->own_id == NULL))
		return cx_mark(x, "note", NULL);
	if (cm->n > 0 && cm->first_word != REPLY_NONE && x->own_id == NULL &&
	    cm->first_word != REPLY_YES && cm->first_word != REPLY_NO) {
		cx_fail(x, NULL, cm->first_word_line, "%s", L(x, "a reply word "
		    "('done', 'snooze', a slot number, 'cancel', 'stop') only "
		    "works in a reply to mistok's mail", "слова відповіді "
		    "(«готово», «відкласти», номер часу, «скасувати», «стоп») "
		    "діють лише у відповіді на лист mistok"));
		goto failed;
	}
	x->ctx = xcalloc(cm->n ? cm->n : 1, sizeof(*x->ctx));

	if (db_begin(x->db) == -1)
		return -1;
	if ((rc = cx_exec_reply_word(x)) == -1)
		goto dberr;
	for (i = 0; i < cm->n; i++) {
		if (cm->lines[i].kw == CMD_ASSIGN)
			assign_line = 1;
		if (cm->lines[i].kw == CMD_PARTNERSHIP ||
		    cm->lines[i].kw == CMD_NEW_PARTNERSHIP)
			ctx_line = (int)i;
		if ((rc = exec_line(x, i)) == -1)
			goto dberr;
	}
	/* Filing by forwarding: a forward with a Partnership line. */
	if (x->nerrs == 0 && ctx_line >= 0 && !assign_line && x->ctx[ctx_line]
	    > 0 && cx_is_forward(x)) {
		if ((rc = cx_forwarded_message(x, &fwd)) == -1)
			goto dberr;
		if (rc == 1 && (rc = cx_assign(x, &cm->lines[ctx_line], fwd,
		    x->ctx[ctx_line])) == -1)
			goto dberr;
		if (rc == 0)
			cx_say(x, "%s", L(x, "the forwarded mail is not among "
			    "the stored mail: nothing filed", "пересланого "
			    "листа немає серед збережених: нічого не "
			    "віднесено"));
	} else if (x->nerrs == 0 && cm->note != NULL && cm->n > 0) {
		/* The text after the command lines: a note. */
		pid = ctx_line >= 0 ? x->ctx[ctx_line] :
		    x->own_partnership > 0 ? x->own_partnership :
		    x->partnership;
		if (pid > 0) {
			if (cx_add_note(x, pid, cm->note) == -1)
				goto dberr;
			cx_say(x, L(x, "%s: the text below the commands is "
			    "kept as a note", "%s: текст під командами "
			    "збережено як нотатку"), cx_slug_of(x, pid, &t));
			free(t);
		}
	}
	if (x->nerrs > 0) {
		db_rollback(x->db);
		goto failed;
	}
	if (cm->dry_run) {
		for (i = 0; i < x->nlater; i++)
			cx_describe_later(x, &x->later[i]);
		db_rollback(x->db);
		buf_addc(&x->out, '\0');
		return cx_finish(x, "done", x->out.data, 0, 1);
	}
	if (x->nlater == 0) {
		buf_addc(&x->out, '\0');
		if (cx_send_reply(x, x->out.data, 0, 0) == -1 ||
		    cx_mark(x, "done", x->out.data) == -1)
			goto dberr;
		if (db_commit(x->db) == -1)
			return -1;
		outbox_wake();
		return 0;
	}
	/* Meeting lines run in their own transactions, after this one. */
	buf_addc(&x->out, '\0');
	if (cx_mark(x, "executed", x->out.data) == -1)
		goto dberr;
	if (db_commit(x->db) == -1)
		return -1;
	x->out.len--;
	for (i = 0; i < x->nlater; i++)
		cx_run_later(x, &x->later[i]);
	buf_addc(&x->out, '\0');
	return cx_finish(x, "done", x->out.data, 0, 0);

dberr:
	log_warnx("command: message %lld: %s", (long long)x->msg,
	    db_errmsg(x->db));
	db_rollback(x->db);
	return -1;
failed:
	buf_printf(&x->errs, "\n");
	buf_addc(&x->errs, '\0');
	return cx_finish(x, "failed", x->errs.data, 1, 0);
}

/* A mail left "executed" by a crash: answer what was done. */
static int
run_executed(struct xc *x)
{
	char *text = NULL, *all;
	int rc;

	if (db_exec(x->db, "SELECT 1", "") == -1)
		return -1;
	{
		sqlite3_stmt *st = db_stmt(x->db, "SELECT reply FROM commands "
		    "WHERE message = ?");

		if (st == NULL || db_bind(st, "I", x->msg) == -1)
			return -1;
		if (db_step(st) == 1) {
			text = db_col_strdup(st, 0);
			sqlite3_reset(st);
		}
	}
	all = xasprintf("%s%s", text ? text : "", L(x, "(mistok stopped "
	    "while running the meeting lines; check them with Show)\n",
	    "(mistok зупинився під час рядків про зустрічі; перевірте їх "
	    "командою «Показати»)\n"));
	rc = cx_finish(x, "done", all, 0, 0);
	free(all);
	free(text);
	return rc;
}

int
cmdexec_run(struct db *db, const struct config *conf, size_t max,
    char **err)
{
	sqlite3_stmt *st;
	struct row {
		int64_t	 id;
		char	*status;
		char	*own;
		char	*reason;
		char	*sender;
	} *v = NULL;
	struct xc x;
	size_t n = 0, i, done = 0;
	int rc;

	*err = NULL;
	if (db_in_transaction(db)) {
		*err = xstrdup("commands: called inside a transaction");
		return -1;
	}
	if ((st = db_stmt(db, "SELECT message, status, own_id, reason, "
	    "sender FROM commands WHERE status IN ('pending', 'foreign', "
	    "'executed') ORDER BY message LIMIT ?")) == NULL ||
	    db_bind(st, "I", max > 0 ? (int64_t)max : INT64_MAX) == -1) {
		*err = xasprintf("commands: %s", db_errmsg(db));
		return -1;
	}
	while ((rc = db_step(st)) == 1) {
		v = xreallocarray(v, n + 1, sizeof(*v));
		v[n].id = sqlite3_column_int64(st, 0);
		v[n].status = db_col_strdup(st, 1);
		v[n].own = db_col_strdup(st, 2);
		v[n].reason = db_col_strdup(st, 3);
		v[n].sender = db_col_strdup(st, 4);
		n++;
	}
	for (i = 0; i < n && rc != -1; i++) {
		/* Mail that waited too long (mistok was down): not run. */
		if (strcmp(v[i].status, "executed") != 0 &&
		    (rc = too_old(db, conf, v[i].id, clock_now())) != 0) {
			if (rc == 1 && (rc = db_exec(db, "UPDATE commands SET "
			    "status = 'stale', reason = 'older than "
			    "command_max_age', handled = ? WHERE message = ?",
			    "TI", clock_now(), v[i].id)) == 0)
				log_stale(v[i].id, v[i].sender ?
				    v[i].sender : "?", conf);
			continue;
		}
		rc = cx_load(&x, db, conf, v[i].id, v[i].own);
		if (rc == 1) {
			if (strcmp(v[i].status, "foreign") == 0)
				rc = cx_run_foreign(&x, v[i].reason);
			else if (strcmp(v[i].status, "executed") == 0)
				rc = run_executed(&x);
			else
				rc = run_command(&x);
			if (rc == 0)
				done++;
		}
		cx_free(&x);
	}
	for (i = 0; i < n; i++) {
		free(v[i].status);
		free(v[i].own);
		free(v[i].reason);
		free(v[i].sender);
	}
	free(v);
	if (rc == -1) {
		*err = xasprintf("commands: %s", db_errmsg(db));
		return -1;
	}
	return (int)done;
}

int
cmdexec_nudges_stopped(struct db *db, int64_t partnership)
{
	int64_t v;

	return db_int(db, &v, "SELECT 1 FROM nudge_stops WHERE partnership "
	    "= ?", "I", partnership);
}
