/*
 * smtp: hands finished RFC 5322 messages to the submission server through
 * libcurl (only in smtp.c): implicit TLS or STARTTLS, verified, AUTH
 * (PLAIN, LOGIN, XOAUTH2), one easy handle kept across a batch so the
 * connection is reused, per-recipient rejections tolerated and reported,
 * timeouts, and a retry class per mail. It never rewrites the message
 * (the producer writes CRLF), never queues, and never sees the database.
 */
#ifndef MISTOK_SMTP_H
#define MISTOK_SMTP_H

#include <stddef.h>

#include "config.h"

/*
 * Retry classes, as imap.h's:
 *   SMTP_OK          the server accepted the mail for at least one
 *                    recipient (the others are in rejected[]).
 *   SMTP_RETRY_NOW   a reused connection was found dead before the
 *                    server took anything; send again at once (a fresh
 *                    connection is made).
 *   SMTP_RETRY_LATER unreachable, timed out, dropped, or a 4xx reply.
 *   SMTP_FAIL        a 5xx reply, authentication refused, an untrusted
 *                    certificate, no TLS where TLS is required, a bad
 *                    address: sending again will not help.
 */
enum smtp_status {
	SMTP_OK = 0,
	SMTP_RETRY_NOW,
	SMTP_RETRY_LATER,
	SMTP_FAIL,
};

const char *smtp_status_name(enum smtp_status);

struct smtp_params {
	const char	*host;
	int		 port;		/* 0: 465 (implicit) or 587 */
	enum tls_mode	 tls;		/* none: warned once per session */
	const char	*ca_file;	/* NULL: the system trust store */
	const char	*user;		/* NULL: no AUTH */
	enum auth_mode	 auth;		/* plain: PLAIN or LOGIN, as offered */
	const char	*secret;	/* password or OAuth2 access token */
	const char	*helo;		/* EHLO name; NULL: this host's name */
	int		 timeout;	/* seconds: connect, each reply, stalls;
					   0: 60 */
	int		 no_reuse;	/* a new connection per mail (bench) */
};

/* What one smtp_send() did. Free the strings with smtp_result_free(). */
struct smtp_result {
	enum smtp_status  status;
	long		  code;		/* the last SMTP reply code; 0: none */
	char		 *error;	/* why, when status != SMTP_OK; never
					   holds the secret */
	char		**rejected;	/* NULL-terminated "addr: 550 5.1.1 …"
					   for refused recipients, or NULL */
	size_t		  nrejected;
	int		  session;	/* the failure was the session's
					   (connect, TLS, EHLO, AUTH), not
					   this mail's (MAIL, RCPT, DATA) */
};

void smtp_result_free(struct smtp_result *);

struct smtp;

/*
 * A session for params (strings copied; the secret goes to libcurl, which
 * keeps it for reconnects until smtp_free()). No connection is made yet:
 * the first smtp_send() connects, later ones reuse the connection while
 * it lives (unless no_reuse).
 */
struct smtp *smtp_new(const struct smtp_params *);
/* QUITs a live connection and frees. NULL is fine. */
void smtp_free(struct smtp *);

/*
 * Sends raw (len bytes, CRLF line ends, 7-bit: curl declares no
 * 8BITMIME; dot-stuffing is curl's) from envelope sender from to the
 * nrcpt addresses. Fills *res (always; free with smtp_result_free()) and
 * returns res->status.
 */
enum smtp_status smtp_send(struct smtp *, const char *from,
    const char *const *rcpts, size_t nrcpt, const char *raw, size_t len,
    struct smtp_result *res);

/* Connections opened by this session so far (for the bench and tests). */
long smtp_connections(const struct smtp *);

/*
 * Classifies a libcurl result: curl_code is a CURLcode, reply the last
 * SMTP reply code (0: none), reused non-zero when the transfer ran on a
 * connection from an earlier mail. Exposed for the unit tests.
 */
enum smtp_status smtp_classify(int curl_code, long reply, int reused);

#endif
