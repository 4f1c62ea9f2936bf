/*
 * smtp: libcurl's SMTP behind a small session. Facts from INTEROP.md:
 * curl dot-stuffs but does not fix line ends (CURLOPT_CRLF stays off), it
 * never declares 8BITMIME, MAIL/RCPT/DATA rejections come back as
 * CURLE_SEND_ERROR with the reply code in CURLINFO_RESPONSE_CODE, and one
 * easy handle keeps its connection across transfers until an error.
 *
 * Which recipients the server refused is not something curl reports, so
 * the debug callback follows the dialogue: it remembers the address of
 * each RCPT command and the reply that answers it. It keeps nothing else
 * a client sends (AUTH lines carry the secret).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "log.h"
#include "smtp.h"
#include "util.h"

#define SMTP_REPLY_MAX	300

struct smtp {
	CURL		*h;
	char		*where;		/* "host:port", for messages */
	char		 errbuf[CURL_ERROR_SIZE];
	long		 connections;
	int		 no_reuse;
	int		 used;		/* a transfer ran on this handle */

	/* The upload of the current mail. */
	const char	*raw;
	size_t		 len;
	size_t		 off;

	/* The dialogue of the current mail, from the debug callback. */
	char		 verb[8];	/* the last command's verb */
	char		*rcpt;		/* the last RCPT's address */
	char		 reply[SMTP_REPLY_MAX];	/* the last reply line */
	int		 quitting;	/* QUIT sent: replies are not kept */
	struct smtp_result *res;
};

const char *
smtp_status_name(enum smtp_status st)
{
	switch (st) {
	case SMTP_OK:		return "ok";
	case SMTP_RETRY_NOW:	return "retry now";
	case SMTP_RETRY_LATER:	return "retry later";
	case SMTP_FAIL:		return "fail";
	}
	return "?";
}

void
smtp_result_free(struct smtp_result *r)
{
	size_t i;

	if (r == NULL)
		return;
	free(r->error);
	for (i = 0; i < r->nrejected; i++)
		free(r->rejected[i]);
	free(r->rejected);
	memset(r, 0, sizeof(*r));
}

static void
global_init(void)
{
	static int done;

	if (done)
		return;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		fatalx("smtp: curl_global_init failed");
	done = 1;
}

static size_t
on_read(char *out, size_t size, size_t nmemb, void *arg)
{
	struct smtp *s = arg;
	size_t n = size * nmemb;

	if (n > s->len - s->off)
		n = s->len - s->off;
	memcpy(out, s->raw + s->off, n);
	s->off += n;
	return n;
}

static void
add_rejected(struct smtp *s, const char *line)
{
	struct smtp_result *r = s->res;

	if (r == NULL)
		return;
	r->rejected = xreallocarray(r->rejected, r->nrejected + 2,
	    sizeof(*r->rejected));
	r->rejected[r->nrejected++] = xasprintf("%s: %s",
	    s->rcpt ? s->rcpt : "?", line);
	r->rejected[r->nrejected] = NULL;
}

/* One line without its CRLF, capped, control characters replaced. */
static void
copy_line(char *dst, size_t dstlen, const char *src, size_t n)
{
	size_t i, j = 0;

	while (n > 0 && (src[n - 1] == '\n' || src[n - 1] == '\r'))
		n--;
	for (i = 0; i < n && j + 1 < dstlen; i++)
		dst[j++] = (unsigned char)src[i] < 0x20 ? '?' : src[i];
	dst[j] = '\0';
}

static int
on_debug(CURL *h, curl_infotype type, char *data, size_t size, void *arg)
{
	struct smtp *s = arg;
	const char *lt, *gt;
	size_t i;

	switch (type) {
	case CURLINFO_HEADER_OUT:
		/*
		 * A command: keep its verb, and a RCPT's address. The QUIT
		 * curl sends after a refusal must not hide the refusal.
		 */
		if (size >= 4 && strncasecmp(data, "QUIT", 4) == 0) {
			s->quitting = 1;
			break;
		}
		for (i = 0; i < size && i + 1 < sizeof(s->verb) &&
		    isalpha((unsigned char)data[i]); i++)
			s->verb[i] = toupper((unsigned char)data[i]);
		s->verb[i] = '\0';
		if (strcmp(s->verb, "RCPT") == 0) {
			free(s->rcpt);
			s->rcpt = NULL;
			lt = memchr(data, '<', size);
			gt = lt ? memchr(lt, '>', size - (lt - data)) : NULL;
			if (lt != NULL && gt != NULL)
				s->rcpt = xstrndup(lt + 1, gt - lt - 1);
		}
		if (log_trace_enabled(TRACE_SMTP)) {
			if (strcmp(s->verb, "AUTH") == 0 || s->verb[0] == '\0')
				log_trace(TRACE_SMTP, "smtp %s: > %s …",
				    s->where, s->verb);
			else {
				char line[SMTP_REPLY_MAX];

				copy_line(line, sizeof(line), data, size);
				log_trace(TRACE_SMTP, "smtp %s: > %s",
				    s->where, line);
			}
		}
		break;
	case CURLINFO_HEADER_IN:
		if (s->quitting)
			break;
		copy_line(s->reply, sizeof(s->reply), data, size);
		log_trace(TRACE_SMTP, "smtp %s: < %s", s->where, s->reply);
		/* The last line of a reply: "550 text" (not "550-text"). */
		if (strcmp(s->verb, "RCPT") == 0 && strlen(s->reply) >= 3 &&
		    (s->reply[0] == '4' || s->reply[0] == '5') &&
		    (s->reply[3] == ' ' || s->reply[3] == '\0'))
			add_rejected(s, s->reply);
		break;
	default:
		break;
	}
	return 0;
}

struct smtp *
smtp_new(const struct smtp_params *p)
{
	struct smtp *s;
	char *url, *opts = NULL;
	int port = p->port, timeout = p->timeout > 0 ? p->timeout : 60;

	global_init();
	if (port == 0)
		port = p->tls == TLS_IMPLICIT ? 465 : 587;
	s = xcalloc(1, sizeof(*s));
	s->where = xasprintf("%s:%d", p->host, port);
	s->no_reuse = p->no_reuse;
	if ((s->h = curl_easy_init()) == NULL)
		fatalx("smtp: curl_easy_init failed");

	url = xasprintf("%s://%s:%d/%s", p->tls == TLS_IMPLICIT ? "smtps" :
	    "smtp", p->host, port, p->helo ? p->helo : "");
	curl_easy_setopt(s->h, CURLOPT_URL, url);
	free(url);
	if (p->tls == TLS_STARTTLS)
		curl_easy_setopt(s->h, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
	else if (p->tls == TLS_NONE)
		log_warnx("smtp %s: tls = none: the password and the mail "
		    "travel in clear", s->where);
	/* Verification is curl's default; say so anyway. */
	curl_easy_setopt(s->h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(s->h, CURLOPT_SSL_VERIFYHOST, 2L);
	if (p->ca_file != NULL)
		curl_easy_setopt(s->h, CURLOPT_CAINFO, p->ca_file);

	if (p->user != NULL && p->secret != NULL) {
		curl_easy_setopt(s->h, CURLOPT_USERNAME, p->user);
		switch (p->auth) {
		case AUTH_PLAIN:
			opts = "AUTH=PLAIN;AUTH=LOGIN";
			curl_easy_setopt(s->h, CURLOPT_PASSWORD, p->secret);
			break;
		case AUTH_LOGIN:
			opts = "AUTH=LOGIN";
			curl_easy_setopt(s->h, CURLOPT_PASSWORD, p->secret);
			break;
		case AUTH_XOAUTH2:
			opts = "AUTH=XOAUTH2";
			curl_easy_setopt(s->h, CURLOPT_XOAUTH2_BEARER,
			    p->secret);
			break;
		}
		curl_easy_setopt(s->h, CURLOPT_LOGIN_OPTIONS, opts);
	}

	curl_easy_setopt(s->h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(s->h, CURLOPT_CONNECTTIMEOUT, (long)timeout);
	curl_easy_setopt(s->h, CURLOPT_SERVER_RESPONSE_TIMEOUT, (long)timeout);
	curl_easy_setopt(s->h, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(s->h, CURLOPT_LOW_SPEED_TIME, (long)timeout);
	curl_easy_setopt(s->h, CURLOPT_ERRORBUFFER, s->errbuf);
	curl_easy_setopt(s->h, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(s->h, CURLOPT_READFUNCTION, on_read);
	curl_easy_setopt(s->h, CURLOPT_READDATA, s);
	/* The producer wrote CRLF; CURLOPT_CRLF would make it CR CR LF. */
	curl_easy_setopt(s->h, CURLOPT_CRLF, 0L);
	curl_easy_setopt(s->h, CURLOPT_DEBUGFUNCTION, on_debug);
	curl_easy_setopt(s->h, CURLOPT_DEBUGDATA, s);
	curl_easy_setopt(s->h, CURLOPT_VERBOSE, 1L);
#if LIBCURL_VERSION_NUM >= 0x080200
	curl_easy_setopt(s->h, CURLOPT_MAIL_RCPT_ALLOWFAILS, 1L);
#elif LIBCURL_VERSION_NUM >= 0x074500
	curl_easy_setopt(s->h, CURLOPT_MAIL_RCPT_ALLLOWFAILS, 1L);
#endif
	if (s->no_reuse) {
		curl_easy_setopt(s->h, CURLOPT_FORBID_REUSE, 1L);
		curl_easy_setopt(s->h, CURLOPT_FRESH_CONNECT, 1L);
	}
	return s;
}

void
smtp_free(struct smtp *s)
{
	if (s == NULL)
		return;
	/* curl_easy_cleanup() QUITs a live connection. */
	curl_easy_cleanup(s->h);
	free(s->rcpt);
	free(s->where);
	free(s);
}

long
smtp_connections(const struct smtp *s)
{
	return s->connections;
}

enum smtp_status
smtp_classify(int curl_code, long reply, int reused)
{
	if (curl_code == CURLE_OK)
		return SMTP_OK;
	if (reply >= 500 && reply <= 599)
		return SMTP_FAIL;
	if (reply >= 400 && reply <= 499)
		return SMTP_RETRY_LATER;
	switch (curl_code) {
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_USE_SSL_FAILED:
	case CURLE_LOGIN_DENIED:
	case CURLE_AUTH_ERROR:
	case CURLE_URL_MALFORMAT:
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_NOT_BUILT_IN:
	case CURLE_BAD_FUNCTION_ARGUMENT:
	case CURLE_UNKNOWN_OPTION:
		return SMTP_FAIL;
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
		/* A kept connection the server had closed meanwhile. */
		return reused ? SMTP_RETRY_NOW : SMTP_RETRY_LATER;
	default:
		return SMTP_RETRY_LATER;
	}
}

enum smtp_status
smtp_send(struct smtp *s, const char *from, const char *const *rcpts,
    size_t nrcpt, const char *raw, size_t len, struct smtp_result *res)
{
	struct curl_slist *list = NULL;
	CURLcode rc;
	char *mfrom;
	long reply = 0, conns = 0;
	size_t i;
	int reused;

	memset(res, 0, sizeof(*res));
	for (i = 0; i < nrcpt; i++)
		list = curl_slist_append(list, rcpts[i]);
	if (list == NULL) {
		res->status = SMTP_FAIL;
		res->error = xasprintf("smtp %s: no recipient", s->where);
		return res->status;
	}
	mfrom = xasprintf("<%s>", from);
	curl_easy_setopt(s->h, CURLOPT_MAIL_FROM, mfrom);
	curl_easy_setopt(s->h, CURLOPT_MAIL_RCPT, list);
	curl_easy_setopt(s->h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
	s->raw = raw;
	s->len = len;
	s->off = 0;
	s->verb[0] = '\0';
	s->reply[0] = '\0';
	s->quitting = 0;
	free(s->rcpt);
	s->rcpt = NULL;
	s->errbuf[0] = '\0';
	s->res = res;

	rc = curl_easy_perform(s->h);

	s->res = NULL;
	s->raw = NULL;
	curl_easy_setopt(s->h, CURLOPT_MAIL_RCPT, NULL);
	curl_slist_free_all(list);
	free(mfrom);
	curl_easy_getinfo(s->h, CURLINFO_RESPONSE_CODE, &reply);
	curl_easy_getinfo(s->h, CURLINFO_NUM_CONNECTS, &conns);
	s->connections += conns;
	reused = s->used && conns == 0;
	s->used = 1;

	/* The reply before any QUIT (curl's own figure may be QUIT's). */
	if (isdigit((unsigned char)s->reply[0]) &&
	    isdigit((unsigned char)s->reply[1]) &&
	    isdigit((unsigned char)s->reply[2]))
		reply = strtol(s->reply, NULL, 10);
	res->code = reply;
	res->status = smtp_classify(rc, reply, reused);
	if (res->status != SMTP_OK) {
		const char *why = s->errbuf[0] ? s->errbuf :
		    curl_easy_strerror(rc);

		if (reply >= 400 && s->reply[0] != '\0')
			res->error = xasprintf("smtp %s: %s: %s", s->where,
			    s->verb[0] ? s->verb : "reply", s->reply);
		else
			res->error = xasprintf("smtp %s: %s", s->where, why);
		res->session = strcmp(s->verb, "MAIL") != 0 &&
		    strcmp(s->verb, "RCPT") != 0 &&
		    strcmp(s->verb, "DATA") != 0;
	}
	if (res->nrejected > 0 || res->status != SMTP_OK)
		log_debug("smtp %s: %s (%s), %zu of %zu recipients refused",
		    s->where, smtp_status_name(res->status),
		    res->error ? res->error : "sent", res->nrejected, nrcpt);
	return res->status;
}
