/*
 * outbox_copy: the Sent copies. Whether to keep one (servers that file
 * their own copy are left alone) and appending the pending ones to the
 * mailbox's \Sent folder over IMAP. The copy column goes pending → done
 * (or failed) here; the rest of a mail's life is in outbox.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "db.h"
#include "imap.h"
#include "log.h"
#include "outbox.h"
#include "util.h"

/* ---- whether to keep a copy ---------------------------------------- */

int
outbox_save_sent(const struct config *c)
{
	static const char *const keep[] = {
		"gmail.com", "googlemail.com", "office365.com", "outlook.com",
	};
	const char *h = c->smtp.host, *dot;
	size_t i, hl, kl;

	if (c->save_sent != SAVE_SENT_AUTO)
		return c->save_sent == SAVE_SENT_YES;
	hl = strlen(h);
	for (i = 0; i < nitems(keep); i++) {
		kl = strlen(keep[i]);
		if (hl < kl || strcasecmp(h + hl - kl, keep[i]) != 0)
			continue;
		dot = h + hl - kl;
		if (dot == h || dot[-1] == '.')
			return 0;
	}
	return 1;
}

/* ---- copies in Sent ------------------------------------------------ */

int
outbox_append_copies(struct db *db, const struct config *conf, char **err)
{
	struct imap_params p;
	struct imap *im;
	struct imap_folder *fl = NULL;
	const struct imap_folder *sent;
	enum imap_status st;
	sqlite3_stmt *q;
	int64_t *ids = NULL, pending = 0;
	size_t nf = 0, n = 0, i;
	char *secret = NULL, *e = NULL, *raw, *folder;
	size_t len;
	int done = 0, rc;

	*err = NULL;
	if (db_int(db, &pending, "SELECT count(*) FROM outbox WHERE copy = "
	    "'pending'", "") != 1 || pending == 0)
		return 0;
	if (config_secret(&conf->mailbox, &secret, &e) == -1) {
		*err = xasprintf("[mailbox] %s", e);
		free(e);
		return -1;
	}
	memset(&p, 0, sizeof(p));
	p.host = conf->mailbox.host;
	p.port = conf->mailbox.port;
	p.tls = conf->mailbox.tls;
	p.ca_file = conf->mailbox.ca_file;
	p.user = conf->mailbox.user;
	p.auth = conf->mailbox.auth;
	p.secret = secret;
	im = imap_connect(&p, &st, &e);
	explicit_bzero(secret, strlen(secret));
	free(secret);
	if (im == NULL) {
		*err = e;
		return -1;
	}
	if ((st = imap_list_folders(im, &fl, &nf, &e)) != IMAP_OK) {
		*err = e;
		imap_close(im);
		return -1;
	}
	if ((sent = imap_find_sent(fl, nf)) == NULL) {
		*err = xstrdup("the mailbox has no folder flagged \\Sent");
		imap_folders_free(fl, nf);
		imap_close(im);
		return -1;
	}
	folder = xstrdup(sent->name);
	imap_folders_free(fl, nf);

	q = db_stmt(db, "SELECT id FROM outbox WHERE copy = 'pending' "
	    "ORDER BY id");
	while (q != NULL && (rc = db_step(q)) == 1) {
		ids = xreallocarray(ids, n + 1, sizeof(*ids));
		ids[n++] = sqlite3_column_int64(q, 0);
	}
	for (i = 0; i < n; i++) {
		q = db_stmt(db, "SELECT raw FROM outbox WHERE id = ?");
		if (q == NULL || db_bind(q, "I", ids[i]) == -1 ||
		    db_step(q) != 1)
			continue;
		len = (size_t)sqlite3_column_bytes(q, 0);
		raw = xmalloc(len + 1);
		memcpy(raw, sqlite3_column_blob(q, 0), len);
		sqlite3_reset(q);
		st = imap_append(im, folder, raw, len, 1, &e);
		free(raw);
		if (st != IMAP_OK) {
			log_warnx("outbox %lld: copy to %s: %s",
			    (long long)ids[i], folder, e);
			free(e);
			e = NULL;
			if (st == IMAP_FAIL && imap_alive(im)) {
				db_exec(db, "UPDATE outbox SET copy = "
				    "'failed' WHERE id = ?", "I", ids[i]);
				continue;
			}
			break;
		}
		if (db_exec(db, "UPDATE outbox SET copy = 'done' WHERE id = ?",
		    "I", ids[i]) == 0)
			done++;
		log_trace(TRACE_OUTBOX, "outbox %lld: copy in %s",
		    (long long)ids[i], folder);
	}
	free(ids);
	free(folder);
	imap_close(im);
	return done;
}
