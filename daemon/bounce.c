/*
 * bounce: DSNs about mistok's own mail (see bounce.h).
 *
 * The match is by failed recipient and time, not by the returned
 * Message-ID: mime.c keeps the returned message/rfc822 part only as an
 * attachment, and not every server returns the headers; mistok writes to
 * one partner address rarely enough that the newest mail sent to it in
 * the window is the one returned.
 */
#include <stdlib.h>
#include <string.h>

#include "bounce.h"
#include "config.h"
#include "db.h"
#include "directory.h"
#include "log.h"
#include "mime.h"
#include "notice.h"
#include "outbox.h"
#include "util.h"

/*
 * The server's words about addr in the DSN's human-readable part: the
 * first line naming it and the next ones up to a blank line, at most 300
 * bytes. Caller frees.
 */
static char *
reason_for(const struct msg *m, const char *addr)
{
	const char *p, *end, *body = m->body;
	struct buf b;

	buf_init(&b);
	if (body != NULL && (p = strcasestr(body, addr)) != NULL) {
		while (p > body && p[-1] != '\n')
			p--;
		end = strstr(p, "\n\n");
		if (end == NULL)
			end = p + strlen(p);
		if (end - p > 300)
			end = p + 300;
		buf_add(&b, p, end - p);
	}
	if (b.len == 0)
		buf_printf(&b, "returned by %s", m->from.email[0] ?
		    m->from.email : "the receiving server");
	return buf_steal(&b);
}

/* contact_addresses.bouncing = 1, learning the address when needed. */
static int
mark_address(struct db *db, const char *addr, time_t when)
{
	int64_t org = 0;

	if (directory_contact_by_email(db, addr, NULL, NULL) == 0 &&
	    directory_org_by_domain(db, addr, &org) == 1)
		directory_learn_contact(db, addr, NULL, org, NULL);
	if (db_exec(db, "UPDATE contact_addresses SET bouncing = 1, "
	    "bounced_at = ? WHERE email = ?", "Tt", when, addr) == -1)
		return -1;
	return db_changes(db);
}

int
bounce_handle(struct db *db, const struct config *conf, int64_t message,
    const struct msg *m, char **err)
{
	struct outbox_mail om;
	struct notice n;
	char *reason, *key, *e = NULL;
	time_t now = clock_now(), when;
	int64_t id;
	size_t i;
	int rc, marked = 0;

	*err = NULL;
	if (m->kind != MSG_BOUNCE || m->bounced == NULL)
		return 0;
	when = m->date != 0 ? m->date : now;
	for (i = 0; m->bounced[i] != NULL; i++) {
		const char *addr = m->bounced[i];

		rc = outbox_find_sent_to(db, addr, when - BOUNCE_WINDOW,
		    (when > now ? when : now) + 3600, &id);
		if (rc == -1)
			goto dberr;
		if (rc == 0) {
			log_info("bounce: message %lld: no mail of mistok's "
			    "to %s; nothing to mark", (long long)message,
			    addr);
			continue;
		}
		reason = reason_for(m, addr);
		rc = outbox_mark_bounced(db, id, addr, reason, &e);
		if (rc == -1) {
			free(reason);
			*err = e;
			return -1;
		}
		marked++;
		if (mark_address(db, addr, when) == -1) {
			free(reason);
			goto dberr;
		}
		if (outbox_get(db, id, &om, &e) != 1) {
			free(reason);
			*err = e ? e : xasprintf("outbox %lld: gone",
			    (long long)id);
			return -1;
		}
		if (!outbox_is_notice(om.dedupe_key)) {
			memset(&n, 0, sizeof(n));
			n.bounced = 1;
			n.recipient = addr;
			n.subject = om.subject;
			n.reason = reason;
			n.outbox_id = id;
			key = xasprintf(OUTBOX_BOUNCE_PREFIX "%lld:%s",
			    (long long)id, addr);
			if (notice_queue(db, conf, key, &n, NULL, &e) == -1) {
				/* The mark stays; the notice is logged. */
				log_warnx("bounce: %s", e);
				free(e);
				e = NULL;
			}
			free(key);
		}
		log_info("bounce: message %lld returns outbox %lld for %s",
		    (long long)message, (long long)id, addr);
		outbox_mail_free(&om);
		free(reason);
	}
	if (marked > 0)
		outbox_wake();
	return marked;
dberr:
	*err = xasprintf("bounce: message %lld: %s", (long long)message,
	    db_errmsg(db));
	return -1;
}

int
bounce_store_hook(struct db *db, int64_t message, const struct msg *m,
    void *arg)
{
	char *err = NULL;

	if (arg == NULL || m->kind != MSG_BOUNCE)
		return 0;
	if (bounce_handle(db, arg, message, m, &err) == -1) {
		log_warnx("%s", err ? err : "bounce: failed");
		free(err);
	}
	return 0;
}
