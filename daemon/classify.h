/*
 * classify: decides a parsed message's kind — own, bounce, auto-reply,
 * iMIP, mailing list or plain correspondence, in that precedence — and
 * finds a bounce's failed recipients. Works on struct msg and the few MIME
 * facts mime.c hands over; never sees GMime, never decides commands (that
 * needs the configuration and directory: the command module does it).
 */
#ifndef MISTOK_CLASSIFY_H
#define MISTOK_CLASSIFY_H

#include <stddef.h>

#include "mime.h"

/* What only the MIME walk knows; pointers valid for the call. */
struct classify_in {
	const char	*own_domain;	/* NULL: nothing is own mail */
	int		 dsn_report;	/* multipart/report;
					   report-type=delivery-status */
	const char	*dsn;		/* message/delivery-status text */
	size_t		 dsn_len;
};

/* Sets m->kind and, for bounces, m->bounced. */
void classify(struct msg *m, const struct classify_in *in);

/*
 * The Final-Recipient (else Original-Recipient) addresses of the
 * per-recipient blocks of a delivery-status text whose Action is
 * "failed", lower-cased, NULL-terminated; the caller frees (strv_free).
 */
char **dsn_failed_recipients(const char *text, size_t len);

/* Non-zero when the Message-ID is mistok's own: mistok.*@own_domain. */
int classify_is_own_id(const char *message_id, const char *own_domain);

#endif
