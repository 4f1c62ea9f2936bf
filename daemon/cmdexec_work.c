/*
 * cmdexec_work: the work lines of a command mail — Next-Step, Done,
 * Meeting, Reschedule, Cancel — and the reply words to mistok's own mail
 * (done, snooze, a slot number, cancel, stop, send). Meeting lines are
 * checked in the command's transaction and run after its commit; the
 * steps, meeting and remind modules do the work.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "cmdexec_int.h"
#include "config.h"
#include "dates.h"
#include "db.h"
#include "directory.h"
#include "log.h"
#include "meeting.h"
#include "mime.h"
#include "notice.h"
#include "remind.h"
#include "slots.h"
#include "steps.h"
#include "tz.h"
#include "util.h"

/* ---- steps -------------------------------------------------------------- */

int
cx_exec_step(struct xc *x, const struct cmd_line *l, int64_t pid)
{
	const struct cmd_step *s = &l->u.step;
	struct step_owner owner;
	struct step_due due;
	char *err = NULL, *zone = NULL, *day = NULL, *slug = NULL;
	const char *who = NULL;
	int64_t id;
	int rc;

	memset(&owner, 0, sizeof(owner));
	if (s->owner_kind != CMD_OWNER_NONE) {
		who = s->owner_kind == CMD_OWNER_ME ? "me" : s->owner;
		rc = steps_owner_parse(x->db, x->conf, pid, who, x->sender,
		    &owner, &err);
		if (rc == STEPS_ERR_DB)
			goto dberr;
		if (rc != 0) {
			cx_fail(x, l, 0, "%s", err);
			free(err);
			return 0;
		}
	}
	if (s->has_due) {
		if ((zone = steps_due_zone(x->db, pid, &owner,
		    x->conf->team_timezone)) == NULL)
			return -1;
		due.date = s->due;
		due.zone = zone;
	}
	/* Next steps answering the outcome mail come from its meeting. */
	rc = steps_add(x->db, pid, s->text, &owner, s->has_due ? &due : NULL,
	    cx_own_outcome(x) && l->ctx < 0 ? STEP_ORIGIN_MEETING :
	    STEP_ORIGIN_COMMAND, x->sender, &id, &err);
	free(zone);
	if (rc == STEPS_ERR_DB)
		goto dberr;
	if (rc != 0) {
		cx_fail(x, l, 0, "%s", err);
		free(err);
		return 0;
	}
	if (s->has_due)
		day = cx_fmt_day(x, s->due);
	cx_say(x, L(x, "%s: step #%lld created%s%s", "%s: крок №%lld "
	    "створено%s%s"), cx_slug_of(x, pid, &slug), (long long)id,
	    day ? L(x, ", due ", ", термін ") : "", day ? day : "");
	cx_audit_line(x, l, pid);
	free(day);
	free(slug);
	return 1;
dberr:
	log_warnx("command: %s", err ? err : "database");
	free(err);
	return -1;
}

int
cx_do_done(struct xc *x, const struct cmd_line *l, size_t lineno, int64_t id)
{
	char *err = NULL;
	int rc;

	rc = steps_done(x->db, id, x->sender, &err);
	if (rc == STEPS_ERR_DB) {
		log_warnx("command: %s", err ? err : "database");
		free(err);
		return -1;
	}
	if (rc == STEPS_ALREADY)
		cx_say(x, L(x, "step #%lld was done already",
		    "крок №%lld уже виконано"), (long long)id);
	else if (rc != 0) {
		cx_fail(x, l, lineno, "%s", err ? err : "refused");
		free(err);
		return 0;
	} else
		cx_say(x, L(x, "step #%lld done", "крок №%lld виконано"),
		    (long long)id);
	return 1;
}

/* ---- meetings ----------------------------------------------------------- */

struct later *
cx_add_later(struct xc *x, enum later_kind k, size_t lineno)
{
	struct later *v;

	x->later = xreallocarray(x->later, x->nlater + 1, sizeof(*x->later));
	v = &x->later[x->nlater++];
	memset(v, 0, sizeof(*v));
	v->kind = k;
	v->lineno = lineno;
	return v;
}

void
cx_later_free(struct xc *x)
{
	size_t i;

	for (i = 0; i < x->nlater; i++) {
		free(x->later[i].slug);
		strv_free(x->later[i].with);
	}
	free(x->later);
	x->later = NULL;
	x->nlater = 0;
}

/* "with": addresses, and organisations as their contacts' addresses. */
static int
expand_with(struct xc *x, const struct cmd_line *l, char ***out)
{
	const struct cmd_meeting *mt = &l->u.meeting;
	struct dir_contact *c = NULL;
	char **v, *err = NULL;
	size_t i, k, n = 0, nc = 0;
	int64_t org;
	int rc;

	*out = NULL;
	if (mt->nwith == 0)
		return 1;
	v = xcalloc(1, sizeof(*v));
	for (i = 0; i < mt->nwith; i++) {
		if (strchr(mt->with[i], '@') != NULL) {
			v = xreallocarray(v, n + 2, sizeof(*v));
			v[n++] = xstrdup(mt->with[i]);
			v[n] = NULL;
			continue;
		}
		rc = directory_find(x->db, DIR_ORGS, mt->with[i], &org, &err);
		if (rc != 1) {
			if (rc == 0)
				cx_fail(x, l, 0, "%s", err);
			free(err);
			strv_free(v);
			return rc;
		}
		if (c == NULL && directory_contact_list(x->db, &c, &nc) == -1) {
			strv_free(v);
			return -1;
		}
		for (k = 0; k < nc; k++)
			if (c[k].org == org && c[k].nemails > 0 &&
			    !c[k].learned) {
				v = xreallocarray(v, n + 2, sizeof(*v));
				v[n++] = xstrdup(c[k].emails[0]);
				v[n] = NULL;
			}
	}
	if (c != NULL)
		dir_contact_list_free(c, nc);
	*out = v;
	return 1;
}

static void
meeting_env(struct xc *x, struct meeting_env *env)
{
	memset(env, 0, sizeof(*env));
	env->db = x->db;
	env->conf = x->conf;
	env->tmpl = notice_templates(x->conf);
}

static void
people_free(struct meeting_person *pp, size_t np)
{
	size_t i;

	for (i = 0; i < np; i++)
		meeting_person_free(&pp[i]);
	free(pp);
}

/* Checks a Meeting line now; proposes it after the commit. */
int
cx_check_meeting(struct xc *x, const struct cmd_line *l, int64_t pid)
{
	struct meeting_env env;
	struct meeting_person *pp = NULL;
	struct later *v;
	char **with = NULL, *err = NULL, *slug = NULL;
	size_t np = 0;
	int rc;

	if ((rc = expand_with(x, l, &with)) != 1)
		return rc;
	meeting_env(x, &env);
	if (meeting_people(&env, pid, (const char *const *)with, &pp, &np,
	    &err) == -1 || np == 0) {
		cx_fail(x, l, 0, "%s", err ? err : L(x, "nobody to meet: the "
		    "partnership's organisations have no contacts",
		    "немає з ким зустрічатися: в організацій партнерства "
		    "немає контактів"));
		free(err);
		strv_free(with);
		people_free(pp, np);
		return 0;
	}
	people_free(pp, np);
	v = cx_add_later(x, LATER_PROPOSE, l->lineno);
	v->l = l;
	v->partnership = pid;
	v->slug = xstrdup(cx_slug_of(x, pid, &slug));
	v->with = with;
	free(slug);
	return 1;
}

/* The meeting id as a line names it: 1 (it exists, status ok), 0, -1. */
int
cx_check_meeting_id(struct xc *x, const struct cmd_line *l, size_t lineno,
    int64_t id, int want_scheduled)
{
	struct meeting m;
	int rc;

	if ((rc = meeting_get(x->db, id, &m)) != 1) {
		if (rc == 0)
			cx_fail(x, l, lineno, L(x, "there is no meeting #%lld",
			    "зустрічі №%lld немає"), (long long)id);
		return rc;
	}
	rc = 1;
	if (strcmp(m.status, "cancelled") == 0) {
		cx_fail(x, l, lineno, L(x, "meeting #%lld is cancelled already",
		    "зустріч №%lld уже скасовано"), (long long)id);
		rc = 0;
	} else if (want_scheduled && strcmp(m.status, "scheduled") != 0) {
		cx_fail(x, l, lineno, L(x, "meeting #%lld is %s, not scheduled",
		    "зустріч №%lld має статус %s, а не scheduled"),
		    (long long)id, m.status);
		rc = 0;
	}
	meeting_free(&m);
	return rc;
}

/*
 * Cancel (a line or the reply word): a scheduled meeting is cancelled
 * after the commit (METHOD:CANCEL to everyone); a proposal nobody was
 * invited to yet is withdrawn here, in the command's transaction.
 * 1, 0 (said why), -1.
 */
int
cx_cancel_meeting(struct xc *x, const struct cmd_line *l, size_t lineno,
    int64_t id)
{
	struct meeting m;
	struct later *v;
	char *err = NULL;
	int rc, proposed;

	if ((rc = cx_check_meeting_id(x, l, lineno, id, 0)) != 1)
		return rc;
	if ((rc = meeting_get(x->db, id, &m)) != 1)
		return rc;
	proposed = strcmp(m.status, "proposed") == 0;
	meeting_free(&m);
	if (!proposed) {
		v = cx_add_later(x, LATER_CANCEL, l ? l->lineno : lineno);
		v->id = id;
		return 1;
	}
	/* Nobody to send a CANCEL to: withdrawn in this transaction. */
	if ((rc = meeting_withdraw(x->db, id, &err)) != 1) {
		if (rc == -1)
			log_warnx("command: %s", err);
		else
			cx_fail(x, l, lineno, "%s", err);
		free(err);
		return rc;
	}
	cx_audit_of(x, "proposal_withdrawn", "meeting", id, NULL);
	cx_say(x, L(x, "proposal #%lld withdrawn; nobody had been invited",
	    "пропозицію №%lld відкликано; запрошень не було"), (long long)id);
	x->changes++;
	return 1;
}

/* The best start for meeting id in the line's window, or 0 (said). */
static time_t
reschedule_start(struct xc *x, const struct later *v, char **err)
{
	const struct cmd_meeting *mt = &v->l->u.meeting;
	struct meeting_env env;
	struct meeting m;
	struct meeting_person *pp = NULL;
	struct slot_attendee *sa;
	struct slot_request rq;
	struct slot_result res;
	char **with;
	size_t np = 0, i;
	time_t start = 0;

	meeting_env(x, &env);
	if (meeting_get(x->db, v->id, &m) != 1) {
		*err = xstrdup("meeting gone");
		return 0;
	}
	with = xcalloc(m.natt + 1, sizeof(*with));
	for (i = 0; i < m.natt; i++)
		with[i] = xstrdup(m.att[i].email);
	if (meeting_people(&env, m.partnership, (const char *const *)with,
	    &pp, &np, err) == -1)
		goto out;
	sa = xcalloc(np ? np : 1, sizeof(*sa));
	for (i = 0; i < np; i++) {
		sa[i].label = pp[i].name ? pp[i].name : pp[i].email;
		sa[i].zone = pp[i].zone;
		sa[i].hours = &pp[i].hours;
		sa[i].required = 1;
	}
	memset(&rq, 0, sizeof(rq));
	rq.att = sa;
	rq.natt = np;
	rq.duration = mt->minutes > 0 ? mt->minutes : m.duration / 60;
	rq.zone = tz_name(x->zone);
	rq.from = mt->window.from;
	rq.to = mt->window.to;
	rq.relaxed_start = x->conf->relaxed_start;
	rq.relaxed_end = x->conf->relaxed_end;
	if (slots_find(&rq, &res, err) == 0) {
		if (res.n > 0)
			start = res.slot[0].start;
		else
			*err = xstrdup(res.reason);
	}
	free(sa);
out:
	people_free(pp, np);
	strv_free(with);
	meeting_free(&m);
	return start;
}

/* After the commit: one meeting line. Says what happened. */
void
cx_run_later(struct xc *x, struct later *v)
{
	struct meeting_env env;
	struct remind_env renv;
	struct meeting_proposal prop;
	const struct cmd_meeting *mt = v->l ? &v->l->u.meeting : NULL;
	struct tz_date from, to;
	char *err = NULL, *when;
	time_t start;
	int i, rc = 0;

	meeting_env(x, &env);
	switch (v->kind) {
	case LATER_PROPOSE:
		if (mt->has_window) {
			from = mt->window.from;
			to = mt->window.to;
		} else {
			from = tz_date_from_days(tz_days_from_date(
			    dates_today(x->zone, x->now)) + 1);
			to = tz_date_from_days(tz_days_from_date(from) + 13);
		}
		memset(&prop, 0, sizeof(prop));
		rc = meeting_propose(&env, v->slug, mt->minutes > 0 ?
		    mt->minutes : 60, from, to, tz_name(x->zone),
		    (const char *const *)v->with, &prop, &err);
		if (rc == -1)
			break;
		if (prop.res.n == 0) {
			cx_say(x, L(x, "line %zu: no slot for the meeting: %s",
			    "рядок %zu: для зустрічі немає часу: %s"),
			    v->lineno, prop.res.reason);
			meeting_proposal_free(&prop);
			return;
		}
		if (mt->auto_book) {
			rc = meeting_book_slot(&env, prop.id, 1, mt->title,
			    mt->link, &err);
			if (rc == 0) {
				when = cx_fmt_time(x, prop.res.slot[0].start);
				cx_say(x, L(x, "%s: meeting #%lld booked for "
				    "%s; the invitations are on their way",
				    "%s: зустріч №%lld призначено на %s; "
				    "запрошення надсилаються"), v->slug,
				    (long long)prop.id, when);
				free(when);
			}
		} else {
			cx_say(x, L(x, "%s: meeting proposal #%lld (%d min); "
			    "reply to the proposal mail with the slot's "
			    "number:", "%s: пропозиція зустрічі №%lld (%d хв); "
			    "відповідайте на лист із пропозицією номером "
			    "часу:"), v->slug, (long long)prop.id,
			    prop.duration);
			for (i = 0; i < prop.res.n; i++) {
				when = cx_fmt_time(x, prop.res.slot[i].start);
				cx_say(x, "  %d) %s", i + 1, when);
				free(when);
			}
		}
		meeting_proposal_free(&prop);
		break;
	case LATER_RESCHEDULE:
		if ((start = reschedule_start(x, v, &err)) == 0) {
			rc = -1;
			break;
		}
		rc = meeting_reschedule(&env, v->id, start, mt->minutes, &err);
		if (rc == 0) {
			when = cx_fmt_time(x, start);
			cx_say(x, L(x, "meeting #%lld moved to %s; the updates "
			    "are on their way", "зустріч №%lld перенесено на "
			    "%s; оновлення надсилаються"), (long long)v->id,
			    when);
			free(when);
		}
		break;
	case LATER_CANCEL:
		rc = meeting_cancel(&env, v->id, &err);
		if (rc == 0)
			cx_say(x, L(x, "meeting #%lld cancelled; the attendees "
			    "are told", "зустріч №%lld скасовано; учасників "
			    "повідомлено"), (long long)v->id);
		break;
	case LATER_SLOT:
		rc = meeting_book_slot(&env, v->id, v->slot, NULL, NULL, &err);
		if (rc == 0)
			cx_say(x, L(x, "slot %d of proposal #%lld booked; the "
			    "invitations are on their way", "час %d пропозиції "
			    "№%lld призначено; запрошення надсилаються"),
			    v->slot, (long long)v->id);
		break;
	case LATER_DIGEST:
	case LATER_SEND:
		memset(&renv, 0, sizeof(renv));
		renv.db = x->db;
		renv.conf = x->conf;
		renv.tmpl = env.tmpl;
		if (v->kind == LATER_DIGEST)
			rc = remind_digest_for(&renv, x->sender, x->now, &err);
		else
			rc = remind_send_followup(&renv, x->own_id, &err);
		if (rc == 1 && v->kind == LATER_DIGEST)
			cx_say(x, "%s", L(x, "Digest: your digest is on its "
			    "way in a separate mail", "Дайджест: ваш дайджест "
			    "надійде окремим листом"));
		else if (rc == 1)
			cx_say(x, "%s", L(x, "the follow-up the reminder "
			    "proposed is on its way to the partner",
			    "запропонований лист партнерові надсилається"));
		else if (rc == 0)
			cx_say(x, "%s", v->kind == LATER_DIGEST ? L(x,
			    "Digest: this digest was queued already",
			    "Дайджест: цей дайджест уже в черзі") : L(x,
			    "that follow-up was sent already",
			    "цей лист уже надіслано"));
		if (rc >= 0)
			rc = 0;
		break;
	}
	if (rc == -1) {
		cx_say(x, L(x, "line %zu: not done: %s", "рядок %zu: не "
		    "виконано: %s"), v->lineno, err ? err : "?");
		log_warnx("command: message %lld line %zu: %s",
		    (long long)x->msg, v->lineno, err ? err : "?");
	} else {
		char *obj = xasprintf("message:%lld", (long long)x->msg);
		char *det = xasprintf("line %zu: %s", v->lineno,
		    v->kind == LATER_PROPOSE ? "meeting proposed" :
		    v->kind == LATER_RESCHEDULE ? "meeting rescheduled" :
		    v->kind == LATER_CANCEL ? "meeting cancelled" :
		    v->kind == LATER_SLOT ? "slot booked" :
		    v->kind == LATER_DIGEST ? "digest queued" :
		    "follow-up queued");

		if (db_begin(x->db) == 0) {
			cx_audit(x, "command", obj, det);
			db_commit(x->db);
		}
		free(obj);
		free(det);
	}
	free(err);
}

/* What a meeting line would do (Dry-Run). */
void
cx_describe_later(struct xc *x, const struct later *v)
{
	switch (v->kind) {
	case LATER_PROPOSE:
		cx_say(x, L(x, "%s: a meeting of %d min would be %s",
		    "%s: зустріч на %d хв було б %s"), v->slug,
		    v->l->u.meeting.minutes > 0 ? v->l->u.meeting.minutes : 60,
		    v->l->u.meeting.auto_book ? L(x, "booked at the best "
		    "slot", "призначено на найкращий час") : L(x,
		    "proposed", "запропоновано"));
		break;
	case LATER_RESCHEDULE:
		cx_say(x, L(x, "meeting #%lld would be moved",
		    "зустріч №%lld було б перенесено"), (long long)v->id);
		break;
	case LATER_CANCEL:
		cx_say(x, L(x, "meeting #%lld would be cancelled",
		    "зустріч №%lld було б скасовано"), (long long)v->id);
		break;
	case LATER_SLOT:
		cx_say(x, L(x, "slot %d of proposal #%lld would be booked",
		    "час %d пропозиції №%lld було б призначено"), v->slot,
		    (long long)v->id);
		break;
	case LATER_DIGEST:
		cx_say(x, "%s", L(x, "your digest would be sent",
		    "вам було б надіслано дайджест"));
		break;
	case LATER_SEND:
		cx_say(x, "%s", L(x, "the proposed follow-up would be sent",
		    "запропонований лист було б надіслано"));
		break;
	}
}

/* ---- replies to mistok's own mail --------------------------------------- */

/* The meeting an own mail is about: 1 and *id, 0. */
static int
own_meeting(struct xc *x, int64_t *id)
{
	if (x->own_kind == NULL || x->own_object <= 0)
		return 0;
	if (strcmp(x->own_kind, "invite") == 0)
		return db_int(x->db, id, "SELECT meeting FROM attendees "
		    "WHERE id = ?", "I", x->own_object) == 1;
	/* meeting.c's proposal, remind.c's 24-hour meeting reminder. */
	if (strcmp(x->own_kind, "proposal") == 0 ||
	    strcmp(x->own_kind, "meeting-reminder") == 0) {
		*id = x->own_object;
		return 1;
	}
	return 0;
}

/* "snooze" to a step reminder: until the date given, else tomorrow. */
static int
reply_snooze(struct xc *x, size_t ln)
{
	const struct cmd_mail *cm = x->cm;
	char *err = NULL, *when;
	time_t until;
	int rc;

	if (cm->has_snooze)
		until = tz_utc(x->zone, cm->snooze_until, 0, 0, 0, 0, NULL);
	else
		until = tz_utc(x->zone, tz_date_from_days(tz_days_from_date(
		    dates_today(x->zone, x->now)) + 1), 0, 0, 0, 0, NULL);
	rc = steps_snooze(x->db, x->own_object, until, x->sender, &err);
	if (rc == STEPS_ERR_DB) {
		free(err);
		return -1;
	}
	if (rc != 0) {
		cx_fail(x, NULL, ln, "%s", err ? err : "refused");
		free(err);
		return 0;
	}
	when = cx_fmt_time(x, until);
	cx_say(x, L(x, "step #%lld snoozed until %s",
	    "крок №%lld відкладено до %s"), (long long)x->own_object, when);
	free(when);
	x->changes++;
	return 1;
}

/* A slot number to a proposal: checked now, booked after the commit. */
static int
reply_slot(struct xc *x, size_t ln)
{
	const struct cmd_mail *cm = x->cm;
	struct meeting m;
	struct later *v;
	int64_t ns = 0;
	int rc;

	if ((rc = meeting_get(x->db, x->own_object, &m)) != 1) {
		if (rc == 0)
			cx_fail(x, NULL, ln, L(x, "proposal #%lld is gone",
			    "пропозиції №%lld уже немає"),
			    (long long)x->own_object);
		return rc;
	}
	rc = strcmp(m.status, "proposed") == 0;
	meeting_free(&m);
	if (!rc) {
		cx_fail(x, NULL, ln, L(x, "proposal #%lld was booked or "
		    "cancelled already", "пропозицію №%lld уже призначено "
		    "або скасовано"), (long long)x->own_object);
		return 0;
	}
	if (db_int(x->db, &ns, "SELECT count(*) FROM meeting_slots WHERE "
	    "meeting = ?", "I", x->own_object) == -1)
		return -1;
	if (cm->slot > ns) {
		cx_fail(x, NULL, ln, L(x, "proposal #%lld has %d slots; "
		    "there is no slot %d", "пропозиція №%lld має %d "
		    "варіантів; варіанта %d немає"),
		    (long long)x->own_object, (int)ns, cm->slot);
		return 0;
	}
	v = cx_add_later(x, LATER_SLOT, ln);
	v->id = x->own_object;
	v->slot = cm->slot;
	return 1;
}

/* "stop": no more nudges for the mail's partnership. */
static int
reply_stop(struct xc *x, size_t ln)
{
	char *slug = NULL;
	int64_t pid;

	pid = x->own_partnership > 0 ? x->own_partnership : x->partnership;
	if (pid <= 0) {
		cx_fail(x, NULL, ln, L(x, "'stop' needs a partnership: this "
		    "mail is about none", "«стоп» стосується партнерства, а "
		    "цей лист — жодного"));
		return 0;
	}
	if (db_exec(x->db, "INSERT OR REPLACE INTO nudge_stops "
	    "(partnership, at, actor) VALUES (?, ?, ?)", "ITt", pid,
	    x->now, x->sender) == -1)
		return -1;
	cx_audit_of(x, "nudges_stop", "partnership", pid, NULL);
	cx_say(x, L(x, "%s: no more nudges for this partnership",
	    "%s: більше жодних нагадувань щодо цього партнерства"),
	    cx_slug_of(x, pid, &slug));
	free(slug);
	x->changes++;
	return 1;
}

/* A reply word this mail cannot take: said, and 0. */
static int
refuse(struct xc *x, size_t ln, const char *why)
{
	cx_fail(x, NULL, ln, "%s", why);
	return 0;
}

int
cx_exec_reply_word(struct xc *x)
{
	const struct cmd_mail *cm = x->cm;
	size_t ln = cm->first_word_line;
	int64_t mid;

	switch (cm->first_word) {
	case REPLY_NONE:
	case REPLY_YES:
	case REPLY_NO:
		return 1;
	case REPLY_DONE:
		if (!cx_own_is(x, REMIND_OWN_STEP))
			return refuse(x, ln, L(x, "'done' answers a step "
			    "reminder; this mail answers none",
			    "«готово» — відповідь на нагадування про крок; "
			    "цей лист не відповідає на нього"));
		return cx_do_done(x, NULL, ln, x->own_object);
	case REPLY_SNOOZE:
		if (!cx_own_is(x, REMIND_OWN_STEP))
			return refuse(x, ln, L(x, "'snooze' answers a step "
			    "reminder; this mail answers none",
			    "«відкласти» — відповідь на нагадування про "
			    "крок; цей лист не відповідає на нього"));
		return reply_snooze(x, ln);
	case REPLY_SLOT:
		if (!cx_own_is(x, "proposal"))
			return refuse(x, ln, L(x, "a slot number answers a "
			    "meeting proposal; this mail answers none",
			    "номер часу — відповідь на пропозицію зустрічі; "
			    "цей лист не відповідає на неї"));
		return reply_slot(x, ln);
	case REPLY_CANCEL:
		if (!own_meeting(x, &mid))
			return refuse(x, ln, L(x, "'cancel' answers a "
			    "meeting's mail; this mail answers none (for a "
			    "step, answer 'done')", "«скасувати» — відповідь "
			    "на лист про зустріч; цей лист не такий (для "
			    "кроку відповідайте «готово»)"));
		return cx_cancel_meeting(x, NULL, ln, mid);
	case REPLY_STOP:
		return reply_stop(x, ln);
	case REPLY_SEND:
		if (!cx_own_is(x, REMIND_OWN_NUDGE))
			return refuse(x, ln, L(x, "'send' answers a "
			    "reminder that a partner has not answered; this "
			    "mail answers none", "«надіслати» — відповідь на "
			    "нагадування про лист без відповіді; цей лист не "
			    "відповідає на нього"));
		/* remind.c queues it in its own transaction. */
		cx_add_later(x, LATER_SEND, ln);
		return 1;
	}
	return 1;
}
