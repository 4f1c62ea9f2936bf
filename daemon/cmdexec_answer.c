/*
 * cmdexec_answer: the mail cmdexec sends — the answer to a command mail
 * in its thread, and the coordinators' notice about mail that reads like
 * commands from someone untrusted — queued in the outbox in the same
 * transaction that marks the commands row. It never sends itself.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmdexec_int.h"
#include "compose.h"
#include "config.h"
#include "db.h"
#include "json.h"
#include "log.h"
#include "mailtmpl.h"
#include "mime.h"
#include "notice.h"
#include "outbox.h"
#include "tz.h"
#include "util.h"

#define FOREIGN_LINES	8	/* lines quoted in a foreign notice */

/* ---- the answer --------------------------------------------------------- */

static struct json *
base_data(const struct config *conf)
{
	struct json *d = json_object(), *o;

	o = json_set(d, "team", json_object());
	json_set_string(o, "name", conf->team_name);
	json_set_string(o, "address", conf->team_address);
	o = json_set(d, "coordinator", json_object());
	json_set_string(o, "name", "");
	json_set_string(o, "email", "");
	return d;
}

/* Queues the answer to x's mail. 0 or -1. */
int
cx_send_reply(struct xc *x, const char *text, int failed, int dry)
{
	const struct tmpl_set *set = notice_templates(x->conf);
	struct mailtmpl_mail mm;
	struct compose *c;
	struct json *d, *o;
	struct buf raw;
	char *err = NULL, *key, *subject = NULL, *msgid = NULL, **refs = NULL;
	const char *rcpt[2];
	size_t i, len;
	int rc = -1;
	int64_t row, pid = x->own_partnership > 0 ? x->own_partnership :
	    x->partnership;

	buf_init(&raw);
	key = xasprintf("cmd-reply:%lld", (long long)x->msg);
	rcpt[0] = x->sender;
	rcpt[1] = NULL;
	d = base_data(x->conf);
	o = json_set(d, "command", json_object());
	json_set_string(o, "subject", x->subject ? x->subject : "");
	json_set(o, "failed", json_bool(failed));
	json_set(o, "dry_run", json_bool(dry));
	json_set_string(o, "text", text);
	if (set != NULL && mailtmpl_render(set, "command_reply", x->lang,
	    x->conf->team_language, d, &mm, &err) == 0) {
		c = compose_new_team(x->conf);
		compose_add_to(c, x->sender_name, x->sender);
		mailtmpl_to_compose(&mm, c);
		if (x->message_id != NULL) {
			refs = x->refs ? mime_parse_references(x->refs) : NULL;
			compose_set_parent(c, x->message_id,
			    (const char *const *)refs, NULL, x->own_id);
			strv_free(refs);
		}
		for (i = 0; i < x->natt; i++)
			compose_add_attachment(c, x->att[i].name,
			    x->att[i].type, x->att[i].data, x->att[i].len);
		if (compose_write(c, &raw, &err) == 0) {
			msgid = xstrdup(compose_message_id(c));
			subject = xstrdup(mm.subject);
		}
		compose_free(c);
		mailtmpl_mail_free(&mm);
	}
	if (msgid == NULL) {
		/* Never lose an answer to a template problem. */
		log_warnx("command: message %lld: %s; answered in plain text",
		    (long long)x->msg, err ? err : "no templates");
		free(err);
		err = NULL;
		buf_free(&raw);
		subject = xasprintf("Re: %s", x->subject ? x->subject : "");
		refs = x->message_id != NULL && x->refs != NULL ?
		    mime_parse_references(x->refs) : NULL;
		raw.data = outbox_plain_mail(x->conf, rcpt, subject, text,
		    x->message_id, (const char *const *)refs, &msgid, &len);
		strv_free(refs);
		raw.len = len;
	}
	json_free(d);
	rc = outbox_enqueue(x->db, key, raw.data, raw.len,
	    x->conf->team_address, rcpt, msgid, subject, pid > 0 ? pid : 0,
	    &row, &err);
	if (rc == 1 && compose_record_own_id(x->db, msgid, "command_reply",
	    x->msg, pid > 0 ? pid : 0, &err) == -1)
		rc = -1;
	if (rc == -1)
		log_warnx("command: message %lld: answer: %s",
		    (long long)x->msg, err ? err : "?");
	free(err);
	free(key);
	free(subject);
	free(msgid);
	buf_free(&raw);
	return rc == -1 ? -1 : 0;
}

int
cx_mark(struct xc *x, const char *status, const char *reply)
{
	return db_exec(x->db, "UPDATE commands SET status = ?, reply = "
	    "coalesce(?, reply), handled = ? WHERE message = ?", "ttTI",
	    status, reply, x->now, x->msg);
}

/* ---- closing a mail ----------------------------------------------------- */

int
cx_finish(struct xc *x, const char *status, const char *text, int failed,
    int dry)
{
	if (db_begin(x->db) == -1)
		return -1;
	if (strcmp(status, "failed") == 0)
		cx_audit_of(x, "command_failed", "message", x->msg, text);
	if (cx_send_reply(x, text, failed, dry) == -1 ||
	    cx_mark(x, status, text) == -1) {
		db_rollback(x->db);
		return -1;
	}
	if (db_commit(x->db) == -1)
		return -1;
	outbox_wake();
	return 0;
}

/* ---- the coordinators' notice ------------------------------------------- */

int
cx_run_foreign(struct xc *x, const char *reason)
{
	const struct tmpl_set *set = notice_templates(x->conf);
	struct mailtmpl_mail mm;
	struct compose *c;
	struct json *d, *o;
	struct buf raw, lines;
	char *err = NULL, *key, *msgid = NULL, *subject = NULL;
	char when[64];
	const char *p;
	struct tz_local lt;
	size_t i, n = 0, len;
	int64_t row;
	int rc = 0;

	if (db_begin(x->db) == -1)
		return -1;
	cx_audit_of(x, "command_refused", "message", x->msg, reason);
	if (x->conf->coordinators == NULL || x->conf->coordinators[0] ==
	    NULL)
		goto done;
	buf_init(&lines);
	for (p = x->body; *p != '\0' && n < FOREIGN_LINES &&
	    (size_t)(p - x->body) < x->quote_off; n++) {
		const char *e = strchr(p, '\n');
		size_t l = e ? (size_t)(e - p) : strlen(p);

		if (l > 200)
			l = 200;
		buf_adds(&lines, "    ");
		buf_add(&lines, p, l);
		buf_addc(&lines, '\n');
		p = e ? e + 1 : p + strlen(p);
	}
	buf_addc(&lines, '\0');
	tz_local(x->zone, x->now, &lt);
	snprintf(when, sizeof(when), "%04d-%02d-%02d %02d:%02d (%s)",
	    lt.year, lt.month, lt.day, lt.hour, lt.min, tz_name(x->zone));
	d = base_data(x->conf);
	o = json_set(d, "foreign", json_object());
	json_set_string(o, "sender", x->sender);
	json_set_string(o, "subject", x->subject ? x->subject : "");
	json_set_string(o, "date", when);
	json_set_string(o, "reason", reason ? reason : "");
	json_set_int(o, "id", x->msg);
	json_set_string(o, "lines", lines.data);
	buf_init(&raw);
	if (set != NULL && mailtmpl_render(set, "command_foreign",
	    x->conf->team_language, x->conf->team_language, d, &mm,
	    &err) == 0) {
		c = compose_new_team(x->conf);
		for (i = 0; x->conf->coordinators[i] != NULL; i++)
			compose_add_to(c, NULL, x->conf->coordinators[i]);
		mailtmpl_to_compose(&mm, c);
		if (compose_write(c, &raw, &err) == 0) {
			msgid = xstrdup(compose_message_id(c));
			subject = xstrdup(mm.subject);
		}
		compose_free(c);
		mailtmpl_mail_free(&mm);
	}
	json_free(d);
	if (msgid == NULL) {
		char *text = xasprintf("A mail that reads like commands was "
		    "not run.\n\nFrom: %s\nSubject: %s\nWhy: %s\nMessage: "
		    "%lld\n\n%s", x->sender, x->subject ? x->subject : "",
		    reason ? reason : "", (long long)x->msg, lines.data);

		free(err);
		err = NULL;
		buf_free(&raw);
		subject = xasprintf("Command mail not run: from %s",
		    x->sender);
		raw.data = outbox_plain_mail(x->conf,
		    (const char *const *)x->conf->coordinators, subject, text,
		    NULL, NULL, &msgid, &len);
		raw.len = len;
		free(text);
	}
	buf_free(&lines);
	key = xasprintf("cmd-foreign:%lld", (long long)x->msg);
	rc = outbox_enqueue(x->db, key, raw.data, raw.len,
	    x->conf->team_address, (const char *const *)x->conf->coordinators,
	    msgid, subject, 0, &row, &err);
	if (rc == 1 && compose_record_own_id(x->db, msgid, "notice", x->msg,
	    0, &err) == -1)
		rc = -1;
	free(key);
	free(msgid);
	free(subject);
	buf_free(&raw);
	if (rc == -1) {
		log_warnx("command: message %lld: notice: %s",
		    (long long)x->msg, err ? err : "?");
		free(err);
		db_rollback(x->db);
		return -1;
	}
	free(err);
done:
	if (cx_mark(x, "refused", NULL) == -1 || db_commit(x->db) == -1) {
		db_rollback(x->db);
		return -1;
	}
	outbox_wake();
	log_info("command: message %lld from %s not run: %s",
	    (long long)x->msg, x->sender, reason ? reason : "");
	return 0;
}
