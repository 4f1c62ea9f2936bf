/*
 * imap: the IMAP session, over libetpan (the only file that includes it).
 *
 * Map of the file: errors and retry classes; TLS (a libetpan stream
 * driver over tls.c's session, and handing the chain to tls.c for the
 * check libetpan does not do);
 * authentication (a small SASL exchange of our own, since libetpan's needs
 * Cyrus SASL plugins; the initial responses come from sasl.c); connect;
 * capabilities; folders; EXAMINE; the streamed FETCH; IDLE; APPEND;
 * backoff.
 *
 * libetpan facts relied on (INTEROP.md, checked on Debian's 1.9.4):
 * - the per-message FETCH handler is only honoured when a progress callback
 *   is set too, and without it a whole FETCH response is kept in memory;
 * - mailimap_uid_fetch() consumes neither the set nor the fetch type;
 * - "UID FETCH n:*" returns the highest message even below n;
 * - capabilities are not re-read after STARTTLS;
 * - mailimap_compress() kills the session (no zlib): never called here.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <libetpan/libetpan.h>

#include "imap.h"
#include "log.h"
#include "sasl.h"
#include "tls.h"
#include "util.h"

#define IDLE_MAX	(29 * 60)	/* RFC 2177: re-issue before 30 min */
#define DEFAULT_TIMEOUT	60

struct imap {
	mailimap	*mi;
	char		*host;
	int		 port;
	char		*user;
	char		*ca_file;
	enum tls_mode	 tls;
	int		 dead;		/* connection gone or not trusted */
	int		 idle_setup;
	int		 idling;	/* between imap_idle_begin and _end */
	uint32_t	 idle_before;	/* EXISTS when IDLE began */
	struct buf	 caps;
};

const char *
imap_status_name(enum imap_status st)
{
	switch (st) {
	case IMAP_OK:
		return "ok";
	case IMAP_RETRY_NOW:
		return "retry-now";
	case IMAP_RETRY_LATER:
		return "retry-later";
	case IMAP_FAIL:
		return "fail";
	}
	return "?";
}

/* ---- errors ---------------------------------------------------------- */

static enum imap_status
seterr(struct imap *im, char **err, enum imap_status st, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static enum imap_status
seterr(struct imap *im, char **err, enum imap_status st, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	if (st == IMAP_RETRY_NOW || st == IMAP_RETRY_LATER)
		im->dead = 1;
	if (err != NULL) {
		free(*err);
		*err = xasprintf("imap %s: %s", im->user, msg);
	}
	log_trace(TRACE_IMAP, "imap %s: %s -> %s", im->user, msg,
	    imap_status_name(st));
	free(msg);
	return st;
}

/* The server's text for the last tagged response, or "". */
static const char *
server_text(struct imap *im)
{
	if (im->mi->imap_response != NULL && *im->mi->imap_response != '\0')
		return im->mi->imap_response;
	return "no reason given";
}

/*
 * Maps a libetpan error from the command `what` to a retry class. Errors
 * that leave the stream in an unknown place kill the session; a plain NO
 * leaves it usable.
 */
static enum imap_status
lib_error(struct imap *im, int r, const char *what, char **err)
{
	switch (r) {
	case MAILIMAP_ERROR_STREAM:
		return seterr(im, err, IMAP_RETRY_LATER,
		    "%s: connection lost or timed out", what);
	case MAILIMAP_ERROR_PARSE:
		return seterr(im, err, IMAP_RETRY_LATER,
		    "%s: cannot parse the server's answer", what);
	case MAILIMAP_ERROR_FATAL:
		return seterr(im, err, IMAP_RETRY_LATER,
		    "%s: server ended the session (BYE %s)", what,
		    server_text(im));
	case MAILIMAP_ERROR_CONNECTION_REFUSED:
		return seterr(im, err, IMAP_RETRY_LATER,
		    "%s: connection refused", what);
	case MAILIMAP_ERROR_MEMORY:
		fatalx("imap %s: out of memory in libetpan", im->user);
	case MAILIMAP_ERROR_PROTOCOL:
		return seterr(im, err, IMAP_FAIL, "%s: rejected as BAD (%s)",
		    what, server_text(im));
	case MAILIMAP_ERROR_BAD_STATE:
		return seterr(im, err, IMAP_FAIL,
		    "%s: not allowed in this session state", what);
	default:
		return seterr(im, err, IMAP_FAIL, "%s: refused (%s)", what,
		    server_text(im));
	}
}

static int
has_cap(struct imap *im, const char *name)
{
	return im->mi->imap_connection_info != NULL &&
	    im->mi->imap_connection_info->imap_capability != NULL &&
	    mailimap_has_extension(im->mi, name);
}

static int
has_auth(struct imap *im, const char *mech)
{
	return im->mi->imap_connection_info != NULL &&
	    im->mi->imap_connection_info->imap_capability != NULL &&
	    mailimap_has_authentication(im->mi, mech);
}

static enum imap_status connect_error(struct imap *, int, char **);

/* ---- TLS ------------------------------------------------------------- */

/*
 * libetpan's own TLS stream reads the socket through GnuTLS, two system
 * calls per TLS record. mistok's runs the session of tls.c (which reads
 * 64 KB at a time) over libetpan's plain socket stream, so timeouts,
 * cancelling and IDLE stay libetpan's.
 */
struct tls_low {
	mailstream_low		*inner;		/* the socket */
	struct tls_session	*tls;
};

/* What the socket stream does for both (fd, cancel, IDLE), it does. */
#define INNER(s)	(((struct tls_low *)(s)->data)->inner)

static long
tio_read(void *arg, void *buf, size_t len)
{
	return (long)mailstream_low_read(arg, buf, len);
}

/*
 * Our own send(), not libetpan's: MSG_NOSIGNAL, so that a server gone
 * away is an error here and not a SIGPIPE that kills `mistok sync`.
 */
static long
tio_write(void *arg, const void *buf, size_t len)
{
	mailstream_low *inner = arg;
	const char *p = buf;
	struct pollfd pfd;
	time_t timeout = mailstream_low_get_timeout(inner);
	size_t done = 0;
	ssize_t r;

	pfd.fd = mailstream_low_get_fd(inner);
	pfd.events = POLLOUT;
	while (done < len) {
		pfd.revents = 0;
		if (poll(&pfd, 1, timeout > 0 ? (int)timeout * 1000 :
		    DEFAULT_TIMEOUT * 1000) != 1)
			return -1;
		r = send(pfd.fd, p + done, len - done, MSG_NOSIGNAL);
		if (r == -1 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r <= 0)
			return -1;
		done += (size_t)r;
	}
	return (long)len;
}

static int
tio_wait(void *arg, int ms)
{
	struct pollfd pfd;

	pfd.fd = mailstream_low_get_fd(arg);
	pfd.events = POLLIN;
	pfd.revents = 0;
	return poll(&pfd, 1, ms);
}

static ssize_t
tlow_read(mailstream_low *s, void *buf, size_t count)
{
	struct tls_low *t = s->data;
	long r = tls_read(t->tls, buf, count);

	return r > 0 ? (ssize_t)r : -1;	/* a close is an error here */
}

static ssize_t
tlow_write(mailstream_low *s, const void *buf, size_t count)
{
	struct tls_low *t = s->data;

	return tls_write(t->tls, buf, count) < 0 ? -1 : (ssize_t)count;
}

static int
tlow_close(mailstream_low *s)
{
	struct tls_low *t = s->data;

	tls_free(t->tls);
	t->tls = NULL;
	return mailstream_low_close(t->inner);
}

static int
tlow_get_fd(mailstream_low *s)
{
	return mailstream_low_get_fd(INNER(s));
}

static void
tlow_free(mailstream_low *s)
{
	struct tls_low *t = s->data;

	tls_free(t->tls);
	mailstream_low_free(t->inner);
	free(t);
	free(s);
}

static void
tlow_cancel(mailstream_low *s)
{
	mailstream_low_cancel(INNER(s));
}

static struct mailstream_cancel *
tlow_get_cancel(mailstream_low *s)
{
	return mailstream_low_get_cancel(INNER(s));
}

static carray *
tlow_chain(mailstream_low *s)
{
	struct tls_low *t = s->data;
	const struct tls_der *der;
	size_t n, i;
	carray *a;

	if ((n = tls_peer_chain(t->tls, &der)) == 0 ||
	    (a = carray_new((unsigned)n)) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		MMAPString *str = mmap_string_new_len((const char *)
		    der[i].data, der[i].len);

		if (str == NULL || carray_add(a, str, NULL) < 0)
			fatalx("imap: out of memory");
	}
	return a;
}

static int
tlow_setup_idle(mailstream_low *s)
{
	return mailstream_low_setup_idle(INNER(s));
}

static int
tlow_unsetup_idle(mailstream_low *s)
{
	return mailstream_low_unsetup_idle(INNER(s));
}

static int
tlow_interrupt_idle(mailstream_low *s)
{
	return mailstream_low_interrupt_idle(INNER(s));
}

static mailstream_low_driver tls_driver = {
	tlow_read, tlow_write, tlow_close, tlow_get_fd, tlow_free,
	tlow_cancel, tlow_get_cancel, tlow_chain, tlow_setup_idle,
	tlow_unsetup_idle, tlow_interrupt_idle,
};

/*
 * A TLS stream over the socket stream inner (the new stream owns it), or
 * NULL with the reason logged: the handshake failed.
 */
static mailstream_low *
tls_low_new(struct imap *im, mailstream_low *inner)
{
	struct tls_io io = { tio_read, tio_write, tio_wait, inner };
	struct tls_low *t;
	struct tls_session *tls;
	mailstream_low *low;
	char *why = NULL;

	if ((tls = tls_client(&io, im->host, &why)) == NULL) {
		log_trace(TRACE_IMAP, "imap %s: %s", im->user, why);
		free(why);
		return NULL;
	}
	t = xcalloc(1, sizeof(*t));
	t->inner = inner;
	t->tls = tls;
	if ((low = mailstream_low_new(t, &tls_driver)) == NULL)
		fatalx("imap: out of memory");
	return low;
}

/* Buffered TLS bytes that a wait on the socket would not see. */
static int
tls_buffered(struct imap *im)
{
	mailstream_low *low;

	if (im->mi->imap_stream == NULL ||
	    (low = mailstream_get_low(im->mi->imap_stream)) == NULL ||
	    low->driver != &tls_driver)
		return 0;
	return tls_pending(((struct tls_low *)low->data)->tls);
}

/* A TCP connection to host:port within timeout seconds, or -1 (errno). */
static int
tcp_connect(const char *host, int port, int timeout)
{
	struct addrinfo hints, *res = NULL, *ai;
	struct pollfd pfd;
	char serv[16];
	int fd = -1, e = EHOSTUNREACH, r, soe;
	socklen_t sl;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(serv, sizeof(serv), "%d", port);
	if ((r = getaddrinfo(host, serv, &hints, &res)) != 0) {
		errno = r == EAI_SYSTEM ? errno : EHOSTUNREACH;
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, ai->ai_protocol);
		if (fd == -1) {
			e = errno;
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		if (errno == EINPROGRESS) {
			pfd.fd = fd;
			pfd.events = POLLOUT;
			pfd.revents = 0;
			r = poll(&pfd, 1, timeout * 1000);
			sl = sizeof(soe);
			if (r == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &soe,
			    &sl) == 0 && soe == 0)
				break;
			e = r == 0 ? ETIMEDOUT : r == 1 ? soe : errno;
		} else
			e = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd == -1)
		errno = e;
	return fd;
}

/* Implicit TLS: TCP, the handshake, then libetpan reads the greeting. */
static int
connect_tls(struct imap *im, int timeout)
{
	mailstream_low *inner, *low;
	mailstream *s;
	int fd;

	if ((fd = tcp_connect(im->host, im->port, timeout)) == -1)
		return MAILIMAP_ERROR_CONNECTION_REFUSED;
	if ((inner = mailstream_low_socket_open(fd)) == NULL)
		fatalx("imap: out of memory");
	mailstream_low_set_timeout(inner, (time_t)timeout);
	if ((low = tls_low_new(im, inner)) == NULL) {
		mailstream_low_close(inner);
		mailstream_low_free(inner);
		return MAILIMAP_ERROR_SSL;
	}
	if ((s = mailstream_new(low, 8192)) == NULL)
		fatalx("imap: out of memory");
	return mailimap_connect(im->mi, s);
}

/* STARTTLS, then the session over the same socket. */
static enum imap_status
start_tls(struct imap *im, char **err)
{
	mailstream_low *inner, *low;
	int r;

	if ((r = mailimap_starttls(im->mi)) != MAILIMAP_NO_ERROR) {
		if (r == MAILIMAP_ERROR_STARTTLS)
			return seterr(im, err, IMAP_FAIL, "STARTTLS refused "
			    "(%s)", server_text(im));
		return connect_error(im, MAILIMAP_ERROR_STREAM, err);
	}
	/*
	 * Anything already read past the OK came in the clear and would be
	 * taken for TLS-protected (the STARTTLS injection of
	 * CVE-2011-0411): refuse the session.
	 */
	if (im->mi->imap_stream->read_buffer_len > 0)
		return seterr(im, err, IMAP_FAIL, "%s:%d sent data after its "
		    "STARTTLS answer, before TLS began; refusing the session",
		    im->host, im->port);
	inner = mailstream_get_low(im->mi->imap_stream);
	if ((low = tls_low_new(im, inner)) == NULL)
		return connect_error(im, MAILIMAP_ERROR_SSL, err);
	mailstream_set_low(im->mi->imap_stream, low);
	return IMAP_OK;
}

/*
 * Verifies the peer's chain (tls.c) before anything secret is sent:
 * against ca_file alone when set, else the system store, with the host
 * name (or IP address) and the TLS server purpose.
 */
static enum imap_status
verify_chain(struct imap *im, char **err)
{
	carray *chain;
	struct tls_der *der = NULL;
	unsigned n = 0, i;
	enum imap_status st = IMAP_OK;
	char *why = NULL;

	chain = mailstream_get_certificate_chain(im->mi->imap_stream);
	if (chain != NULL)
		n = carray_count(chain);
	if (n > 0)
		der = xcalloc(n, sizeof(*der));
	for (i = 0; i < n; i++) {
		MMAPString *s = carray_get(chain, i);

		der[i].data = (const unsigned char *)s->str;
		der[i].len = s->len;
	}
	if (tls_verify_chain(der, n, im->host, im->port, im->ca_file,
	    &why) == -1) {
		st = seterr(im, err, IMAP_FAIL, "%s", why);
		free(why);
		im->dead = 1;	/* never LOGOUT over it either */
	} else
		log_trace(TRACE_IMAP, "imap %s: certificate of %s:%d verified "
		    "against %s", im->user, im->host, im->port,
		    im->ca_file != NULL ? im->ca_file : "the system store");
	free(der);
	if (chain != NULL)
		mailstream_certificate_chain_free(chain);
	return st;
}

/* ---- low-level commands ---------------------------------------------- */

static int
write_str(struct imap *im, const char *s, size_t len)
{
	if (mailstream_write(im->mi->imap_stream, s, len) != (ssize_t)len)
		return MAILIMAP_ERROR_STREAM;
	return MAILIMAP_NO_ERROR;
}

/*
 * Sends a tagged command line of our own and parses the whole answer the
 * way libetpan's commands do, so that untagged data (LIST, CAPABILITY)
 * lands in the session's response info. *cond: MAILIMAP_RESP_COND_STATE_*.
 */
static int
raw_command(struct imap *im, const char *cmd, int *cond)
{
	struct mailimap_response *resp;
	int r;

	if ((r = mailimap_send_current_tag(im->mi)) != MAILIMAP_NO_ERROR)
		return r;
	if ((r = write_str(im, cmd, strlen(cmd))) != MAILIMAP_NO_ERROR ||
	    (r = write_str(im, "\r\n", 2)) != MAILIMAP_NO_ERROR)
		return r;
	if (mailstream_flush(im->mi->imap_stream) == -1)
		return MAILIMAP_ERROR_STREAM;
	if (mailimap_read_line(im->mi) == NULL)
		return MAILIMAP_ERROR_STREAM;
	if ((r = mailimap_parse_response(im->mi, &resp)) != MAILIMAP_NO_ERROR)
		return r;
	*cond = resp->rsp_resp_done->rsp_data.rsp_tagged->rsp_cond_state->
	    rsp_type;
	mailimap_response_free(resp);
	return MAILIMAP_NO_ERROR;
}

static enum imap_status
refresh_caps(struct imap *im, char **err)
{
	struct mailimap_capability_data *cd = NULL;
	int r;

	r = mailimap_capability(im->mi, &cd);
	if (r != MAILIMAP_NO_ERROR)
		return lib_error(im, r, "CAPABILITY", err);
	mailimap_capability_data_free(cd);
	return IMAP_OK;
}

/* ---- authentication -------------------------------------------------- */

static enum imap_status
login_refused(struct imap *im, const char *how, char **err)
{
	const char *atom = NULL;

	if (im->mi->imap_response_info != NULL)
		atom = im->mi->imap_response_info->rsp_atom;
	if (atom != NULL && strcasecmp(atom, "UNAVAILABLE") == 0)
		return seterr(im, err, IMAP_RETRY_LATER,
		    "login temporarily unavailable (%s)", server_text(im));
	return seterr(im, err, IMAP_FAIL, "login refused (%s: %s%s%s%s)", how,
	    atom != NULL ? "[" : "", atom != NULL ? atom : "",
	    atom != NULL ? "] " : "", server_text(im));
}

/*
 * AUTHENTICATE mech with the initial response ir: inline when the server
 * offers SASL-IR, else after its first "+". A further challenge (XOAUTH2
 * sends its error that way) is answered with an empty line, or "*" to
 * cancel other mechanisms, and the tagged NO follows.
 */
static enum imap_status
sasl(struct imap *im, const char *mech, const char *ir, char **err)
{
	struct mailimap_response *resp;
	struct buf line;
	int inline_ir, sent, r, cond, i;
	char *what;

	what = xasprintf("AUTHENTICATE %s", mech);
	inline_ir = has_cap(im, "SASL-IR");
	buf_init(&line);
	buf_printf(&line, "AUTHENTICATE %s%s%s\r\n", mech,
	    inline_ir ? " " : "", inline_ir ? ir : "");
	r = mailimap_send_current_tag(im->mi);
	if (r == MAILIMAP_NO_ERROR)
		r = write_str(im, line.data, line.len);
	explicit_bzero(line.data, line.len);
	buf_free(&line);
	if (r == MAILIMAP_NO_ERROR && mailstream_flush(im->mi->imap_stream)
	    == -1)
		r = MAILIMAP_ERROR_STREAM;
	sent = inline_ir;
	for (i = 0; r == MAILIMAP_NO_ERROR; i++) {
		const char *l;

		if (mailimap_read_line(im->mi) == NULL) {
			r = MAILIMAP_ERROR_STREAM;
			break;
		}
		l = im->mi->imap_stream_buffer->str;
		if (l[0] != '+')
			break;
		if (i >= 3) {
			r = MAILIMAP_ERROR_PARSE;
			break;
		}
		if (!sent) {
			r = write_str(im, ir, strlen(ir));
			sent = 1;
		} else if (strcmp(mech, "XOAUTH2") == 0)
			r = MAILIMAP_NO_ERROR;	/* empty line acknowledges */
		else
			r = write_str(im, "*", 1);
		if (r == MAILIMAP_NO_ERROR)
			r = write_str(im, "\r\n", 2);
		if (r == MAILIMAP_NO_ERROR &&
		    mailstream_flush(im->mi->imap_stream) == -1)
			r = MAILIMAP_ERROR_STREAM;
	}
	if (r == MAILIMAP_NO_ERROR)
		r = mailimap_parse_response(im->mi, &resp);
	if (r != MAILIMAP_NO_ERROR) {
		enum imap_status st = lib_error(im, r, what, err);

		free(what);
		return st;
	}
	cond = resp->rsp_resp_done->rsp_data.rsp_tagged->rsp_cond_state->
	    rsp_type;
	mailimap_response_free(resp);
	if (cond != MAILIMAP_RESP_COND_STATE_OK) {
		enum imap_status st = login_refused(im, what, err);

		free(what);
		return st;
	}
	free(what);
	im->mi->imap_state = MAILIMAP_STATE_AUTHENTICATED;
	return IMAP_OK;
}

static enum imap_status
authenticate(struct imap *im, const struct imap_params *p, char **err)
{
	enum imap_status st;
	char *ir;
	int r;

	if (im->mi->imap_state == MAILIMAP_STATE_AUTHENTICATED)
		return IMAP_OK;		/* PREAUTH */
	if (p->secret == NULL)
		return seterr(im, err, IMAP_FAIL, "no secret to log in with");
	switch (p->auth) {
	case AUTH_XOAUTH2:
		if (!has_auth(im, "XOAUTH2"))
			log_warnx("imap %s: server does not announce "
			    "AUTH=XOAUTH2; trying anyway", im->user);
		ir = sasl_xoauth2_ir(p->user, p->secret);
		st = sasl(im, "XOAUTH2", ir, err);
		explicit_bzero(ir, strlen(ir));
		free(ir);
		return st;
	case AUTH_PLAIN:
		if (has_auth(im, "PLAIN")) {
			ir = sasl_plain_ir(p->user, p->secret);
			st = sasl(im, "PLAIN", ir, err);
			explicit_bzero(ir, strlen(ir));
			free(ir);
			return st;
		}
		/* FALLTHROUGH */
	case AUTH_LOGIN:
		if (has_cap(im, "LOGINDISABLED"))
			return seterr(im, err, IMAP_FAIL, "server refuses "
			    "LOGIN here (LOGINDISABLED): use TLS");
		r = mailimap_login(im->mi, p->user, p->secret);
		if (r == MAILIMAP_NO_ERROR)
			return IMAP_OK;
		if (r == MAILIMAP_ERROR_LOGIN)
			return login_refused(im, "LOGIN", err);
		return lib_error(im, r, "LOGIN", err);
	}
	return seterr(im, err, IMAP_FAIL, "unknown auth mode");
}

/* ---- connect --------------------------------------------------------- */

static enum imap_status
connect_error(struct imap *im, int r, char **err)
{
	const char *why;

	switch (r) {
	case MAILIMAP_ERROR_CONNECTION_REFUSED:
		why = errno != 0 && errno != EINPROGRESS && errno != EAGAIN ?
		    strerror(errno) : "refused, unreachable or timed out";
		return seterr(im, err, IMAP_RETRY_LATER,
		    "cannot connect to %s:%d (%s)", im->host, im->port, why);
	case MAILIMAP_ERROR_SSL:
		return seterr(im, err, IMAP_RETRY_LATER,
		    "TLS handshake with %s:%d failed (is it a TLS port?)",
		    im->host, im->port);
	case MAILIMAP_ERROR_DONT_ACCEPT_CONNECTION:
		return seterr(im, err, IMAP_RETRY_LATER,
		    "%s:%d does not accept the session (%s)", im->host,
		    im->port, server_text(im));
	case MAILIMAP_ERROR_STREAM:
	case MAILIMAP_ERROR_PARSE:
		return seterr(im, err, IMAP_RETRY_LATER,
		    "%s:%d closed the connection or sent no IMAP greeting",
		    im->host, im->port);
	default:
		return lib_error(im, r, "connect", err);
	}
}

struct imap *
imap_connect(const struct imap_params *p, enum imap_status *stp, char **err)
{
	struct imap *im;
	enum imap_status st;
	int r;

	im = xcalloc(1, sizeof(*im));
	buf_init(&im->caps);
	im->host = xstrdup(p->host);
	im->user = xstrdup(p->user != NULL ? p->user : "(no user)");
	im->ca_file = p->ca_file != NULL && *p->ca_file ?
	    xstrdup(p->ca_file) : NULL;
	im->tls = p->tls;
	im->port = p->port > 0 ? p->port : p->tls == TLS_IMPLICIT ? 993 : 143;
	if ((im->mi = mailimap_new(0, NULL)) == NULL)
		fatalx("mailimap_new");
	mailimap_set_timeout(im->mi, p->timeout > 0 ? p->timeout :
	    DEFAULT_TIMEOUT);

	log_trace(TRACE_IMAP, "imap %s: connecting to %s:%d (%s)", im->user,
	    im->host, im->port, p->tls == TLS_IMPLICIT ? "implicit TLS" :
	    p->tls == TLS_STARTTLS ? "STARTTLS" : "no TLS");
	errno = 0;
	if (p->tls == TLS_IMPLICIT)
		r = connect_tls(im, p->timeout > 0 ? p->timeout :
		    DEFAULT_TIMEOUT);
	else
		r = mailimap_socket_connect(im->mi, im->host,
		    (uint16_t)im->port);
	if (r != MAILIMAP_NO_ERROR_AUTHENTICATED &&
	    r != MAILIMAP_NO_ERROR_NON_AUTHENTICATED) {
		st = connect_error(im, r, err);
		goto fail;
	}

	if (p->tls == TLS_STARTTLS) {
		if (!has_cap(im, "STARTTLS") &&
		    (st = refresh_caps(im, err)) != IMAP_OK)
			goto fail;
		if (!has_cap(im, "STARTTLS")) {
			st = seterr(im, err, IMAP_FAIL, "%s:%d does not offer "
			    "STARTTLS", im->host, im->port);
			im->dead = 1;
			goto fail;
		}
		log_trace(TRACE_IMAP, "imap %s: capabilities before STARTTLS:"
		    " %s", im->user, imap_capabilities(im));
		if ((st = start_tls(im, err)) != IMAP_OK) {
			im->dead = 1;
			goto fail;
		}
	}
	if (p->tls != TLS_NONE) {
		if ((st = verify_chain(im, err)) != IMAP_OK)
			goto fail;
	} else
		log_warnx("imap %s: tls = none: the password and all mail "
		    "cross the network unencrypted", im->user);

	/* After STARTTLS the pre-TLS list must not be trusted: re-read. */
	if (p->tls == TLS_STARTTLS || !has_cap(im, "IMAP4rev1")) {
		if ((st = refresh_caps(im, err)) != IMAP_OK)
			goto fail;
	}
	log_trace(TRACE_IMAP, "imap %s: capabilities before login: %s",
	    im->user, imap_capabilities(im));
	if ((st = authenticate(im, p, err)) != IMAP_OK) {
		if (st == IMAP_FAIL)
			im->dead = 1;
		goto fail;
	}
	if ((st = refresh_caps(im, err)) != IMAP_OK)
		goto fail;
	log_trace(TRACE_IMAP, "imap %s: logged in to %s:%d", im->user,
	    im->host, im->port);
	*stp = IMAP_OK;
	return im;
fail:
	*stp = st;
	imap_close(im);
	return NULL;
}

void
imap_close(struct imap *im)
{
	if (im == NULL)
		return;
	if (im->mi != NULL) {
		if (im->idling && !im->dead && im->mi->imap_stream != NULL) {
			/* DONE first: LOGOUT is no answer to IDLE. */
			im->idling = 0;
			if (mailimap_idle_done(im->mi) != MAILIMAP_NO_ERROR)
				im->dead = 1;
		}
		if (im->idle_setup && im->mi->imap_stream != NULL)
			mailstream_unsetup_idle(im->mi->imap_stream);
		if (im->dead && im->mi->imap_stream != NULL) {
			/* No LOGOUT over a dead or untrusted connection. */
			mailstream_close(im->mi->imap_stream);
			im->mi->imap_stream = NULL;
			im->mi->imap_state = MAILIMAP_STATE_DISCONNECTED;
		}
		mailimap_free(im->mi);	/* LOGOUT when still connected */
	}
	buf_free(&im->caps);
	free(im->host);
	free(im->user);
	free(im->ca_file);
	free(im);
}

int
imap_alive(const struct imap *im)
{
	return im != NULL && !im->dead && im->mi->imap_stream != NULL;
}

int
imap_has_idle(const struct imap *im)
{
	return has_cap((struct imap *)im, "IDLE");
}

int
imap_has_condstore(const struct imap *im)
{
	return has_cap((struct imap *)im, "CONDSTORE");
}

const char *
imap_capabilities(struct imap *im)
{
	clistiter *cur;
	struct mailimap_capability_data *cd;

	buf_reset(&im->caps);
	if (im->mi->imap_connection_info == NULL ||
	    (cd = im->mi->imap_connection_info->imap_capability) == NULL)
		return im->caps.data;
	for (cur = clist_begin(cd->cap_list); cur != NULL;
	    cur = clist_next(cur)) {
		struct mailimap_capability *c = clist_content(cur);

		if (im->caps.len > 0)
			buf_addc(&im->caps, ' ');
		if (c->cap_type == MAILIMAP_CAPABILITY_AUTH_TYPE)
			buf_printf(&im->caps, "AUTH=%s",
			    c->cap_data.cap_auth_type);
		else if (c->cap_data.cap_name != NULL)
			buf_adds(&im->caps, c->cap_data.cap_name);
	}
	return im->caps.data;
}

/* ---- folders --------------------------------------------------------- */

static unsigned
use_flag(const char *f)
{
	static const struct {
		const char	*name;
		unsigned	 flag;
	} t[] = {
		{ "Sent", IMAP_USE_SENT }, { "Drafts", IMAP_USE_DRAFTS },
		{ "Trash", IMAP_USE_TRASH }, { "Junk", IMAP_USE_JUNK },
		{ "Spam", IMAP_USE_JUNK }, { "Archive", IMAP_USE_ARCHIVE },
		{ "All", IMAP_USE_ALL }, { "AllMail", IMAP_USE_ALL },
		{ "Flagged", IMAP_USE_FLAGGED }, { "Starred", IMAP_USE_FLAGGED },
		{ "Noselect", IMAP_NOSELECT }, { "NonExistent", IMAP_NOSELECT },
	};
	size_t i;

	for (i = 0; i < nitems(t); i++)
		if (strcasecmp(f, t[i].name) == 0)
			return t[i].flag;
	return 0;
}

enum imap_status
imap_list_folders(struct imap *im, struct imap_folder **out, size_t *np,
    char **err)
{
	clist *list = NULL;
	clistiter *cur, *fc;
	struct imap_folder *v;
	size_t n = 0;
	int r, cond;

	*out = NULL;
	*np = 0;
	if (has_cap(im, "SPECIAL-USE")) {
		r = raw_command(im, "LIST \"\" \"*\" RETURN (SPECIAL-USE)",
		    &cond);
		if (r != MAILIMAP_NO_ERROR)
			return lib_error(im, r, "LIST", err);
		if (cond != MAILIMAP_RESP_COND_STATE_OK)
			return lib_error(im, MAILIMAP_ERROR_LIST, "LIST", err);
		list = im->mi->imap_response_info->rsp_mailbox_list;
		im->mi->imap_response_info->rsp_mailbox_list = NULL;
	} else if (has_cap(im, "XLIST")) {
		if ((r = mailimap_xlist(im->mi, "", "*", &list)) !=
		    MAILIMAP_NO_ERROR)
			return lib_error(im, r, "XLIST", err);
	} else {
		if ((r = mailimap_list(im->mi, "", "*", &list)) !=
		    MAILIMAP_NO_ERROR)
			return lib_error(im, r, "LIST", err);
	}
	if (list == NULL)
		return IMAP_OK;
	v = xcalloc(clist_count(list) + 1, sizeof(*v));
	for (cur = clist_begin(list); cur != NULL; cur = clist_next(cur)) {
		struct mailimap_mailbox_list *mb = clist_content(cur);
		struct imap_folder *f = &v[n++];

		f->name = xstrdup(mb->mb_name);
		f->delim = mb->mb_delimiter;
		if (mb->mb_flag == NULL)
			continue;
		if (mb->mb_flag->mbf_sflag == MAILIMAP_MBX_LIST_SFLAG_NOSELECT)
			f->flags |= IMAP_NOSELECT;
		if (mb->mb_flag->mbf_oflags == NULL)
			continue;
		for (fc = clist_begin(mb->mb_flag->mbf_oflags); fc != NULL;
		    fc = clist_next(fc)) {
			struct mailimap_mbx_list_oflag *of = clist_content(fc);

			if (of->of_type == MAILIMAP_MBX_LIST_OFLAG_FLAG_EXT &&
			    of->of_flag_ext != NULL)
				f->flags |= use_flag(of->of_flag_ext);
		}
	}
	mailimap_list_result_free(list);
	*out = v;
	*np = n;
	return IMAP_OK;
}

void
imap_folders_free(struct imap_folder *v, size_t n)
{
	size_t i;

	for (i = 0; v != NULL && i < n; i++)
		free(v[i].name);
	free(v);
}

const struct imap_folder *
imap_find_sent(const struct imap_folder *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((v[i].flags & IMAP_USE_SENT) &&
		    !(v[i].flags & IMAP_NOSELECT))
			return &v[i];
	return NULL;
}

enum imap_status
imap_examine(struct imap *im, const char *folder,
    struct imap_folder_state *fs, char **err)
{
	struct mailimap_selection_info *sel;
	uint64_t modseq = 0;
	int r;

	memset(fs, 0, sizeof(*fs));
	if (has_cap(im, "CONDSTORE"))
		r = mailimap_examine_condstore(im->mi, folder, &modseq);
	else
		r = mailimap_examine(im->mi, folder);
	if (r != MAILIMAP_NO_ERROR) {
		char *what = xasprintf("EXAMINE %s", folder);
		enum imap_status st = lib_error(im, r, what, err);

		free(what);
		return st;
	}
	sel = im->mi->imap_selection_info;
	if (sel == NULL || sel->sel_uidvalidity == 0)
		return seterr(im, err, IMAP_FAIL, "EXAMINE %s: the server "
		    "gave no UIDVALIDITY", folder);
	fs->uidvalidity = sel->sel_uidvalidity;
	fs->uidnext = sel->sel_uidnext;
	fs->exists = sel->sel_exists;
	fs->highestmodseq = modseq;
	log_trace(TRACE_IMAP, "imap %s: EXAMINE %s: uidvalidity %u uidnext %u"
	    " exists %u", im->user, folder, fs->uidvalidity, fs->uidnext,
	    fs->exists);
	return IMAP_OK;
}

/* ---- fetch ----------------------------------------------------------- */

struct uidsize {
	uint32_t	uid;
	uint32_t	size;
};

enum fetch_pass { PASS_SIZES, PASS_BODY };

struct fetch_ctx {
	enum fetch_pass	 pass;
	uint32_t	 from, to;	/* accepted UIDs; to 0 = none above */
	/* PASS_SIZES */
	struct uidsize	*v;
	size_t		 n, cap;
	/* PASS_BODY */
	imap_msg_cb	 cb;
	void		*arg;
	int		 headers_only;
	int		 stopped;
	uint32_t	 last_uid;
	size_t		 count;
};

static time_t
date_time_utc(const struct mailimap_date_time *d)
{
	struct tm tm;
	time_t t;
	int z, off;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = d->dt_year - 1900;
	tm.tm_mon = d->dt_month - 1;
	tm.tm_mday = d->dt_day;
	tm.tm_hour = d->dt_hour;
	tm.tm_min = d->dt_min;
	tm.tm_sec = d->dt_sec;
	if ((t = timegm(&tm)) == (time_t)-1)
		return 0;
	z = d->dt_zone < 0 ? -d->dt_zone : d->dt_zone;
	off = (z / 100) * 3600 + (z % 100) * 60;
	return d->dt_zone < 0 ? t + off : t - off;
}

static unsigned
flag_bits(struct mailimap_msg_att_dynamic *dyn)
{
	clistiter *cur;
	unsigned f = 0;

	if (dyn == NULL || dyn->att_list == NULL)
		return 0;
	for (cur = clist_begin(dyn->att_list); cur != NULL;
	    cur = clist_next(cur)) {
		struct mailimap_flag_fetch *ff = clist_content(cur);

		if (ff->fl_type != MAILIMAP_FLAG_FETCH_OTHER ||
		    ff->fl_flag == NULL)
			continue;
		switch (ff->fl_flag->fl_type) {
		case MAILIMAP_FLAG_SEEN:
			f |= IMAP_FLAG_SEEN;
			break;
		case MAILIMAP_FLAG_ANSWERED:
			f |= IMAP_FLAG_ANSWERED;
			break;
		case MAILIMAP_FLAG_FLAGGED:
			f |= IMAP_FLAG_FLAGGED;
			break;
		case MAILIMAP_FLAG_DELETED:
			f |= IMAP_FLAG_DELETED;
			break;
		case MAILIMAP_FLAG_DRAFT:
			f |= IMAP_FLAG_DRAFT;
			break;
		}
	}
	return f;
}

/*
 * Called by libetpan for each FETCH response as it is parsed; libetpan
 * frees the attributes afterwards. Unsolicited FETCHes (flag changes, no
 * UID or no body) and the "n:*" extra are ignored.
 */
static void
on_msg_att(struct mailimap_msg_att *ma, void *arg)
{
	struct fetch_ctx *fc = arg;
	struct imap_msg m;
	clistiter *cur;
	int have_size = 0;

	memset(&m, 0, sizeof(m));
	for (cur = clist_begin(ma->att_list); cur != NULL;
	    cur = clist_next(cur)) {
		struct mailimap_msg_att_item *it = clist_content(cur);
		struct mailimap_msg_att_static *s;

		if (it->att_type == MAILIMAP_MSG_ATT_ITEM_DYNAMIC) {
			m.flags = flag_bits(it->att_data.att_dyn);
			continue;
		}
		if (it->att_type != MAILIMAP_MSG_ATT_ITEM_STATIC ||
		    (s = it->att_data.att_static) == NULL)
			continue;
		switch (s->att_type) {
		case MAILIMAP_MSG_ATT_UID:
			m.uid = s->att_data.att_uid;
			break;
		case MAILIMAP_MSG_ATT_RFC822_SIZE:
			m.size = s->att_data.att_rfc822_size;
			have_size = 1;
			break;
		case MAILIMAP_MSG_ATT_INTERNALDATE:
			if (s->att_data.att_internal_date != NULL)
				m.internaldate = date_time_utc(
				    s->att_data.att_internal_date);
			break;
		case MAILIMAP_MSG_ATT_BODY_SECTION:
			if (s->att_data.att_body_section != NULL &&
			    s->att_data.att_body_section->sec_body_part !=
			    NULL) {
				m.raw = s->att_data.att_body_section->
				    sec_body_part;
				m.len = s->att_data.att_body_section->
				    sec_length;
			} else if (s->att_data.att_body_section != NULL) {
				m.raw = "";	/* NIL body: still a message */
				m.len = 0;
			}
			break;
		}
	}
	if (m.uid == 0 || m.uid < fc->from || (fc->to != 0 && m.uid > fc->to))
		return;
	if (fc->pass == PASS_SIZES) {
		if (!have_size)
			return;
		if (fc->n == fc->cap) {
			fc->cap = fc->cap ? fc->cap * 2 : 256;
			fc->v = xreallocarray(fc->v, fc->cap, sizeof(*fc->v));
		}
		fc->v[fc->n].uid = m.uid;
		fc->v[fc->n].size = m.size;
		fc->n++;
		return;
	}
	if (m.raw == NULL || fc->stopped || m.uid <= fc->last_uid)
		return;
	m.headers_only = fc->headers_only;
	fc->last_uid = m.uid;
	fc->count++;
	if (fc->cb(fc->arg, &m) != 0)
		fc->stopped = 1;
}

static void
on_progress(size_t current, size_t maximum, void *arg)
{
	/* Only here because 1.9.4 ignores the handler without it. */
}

/* One UID FETCH first:last of what, streamed through on_msg_att. */
static int
run_fetch(struct imap *im, uint32_t first, uint32_t last, enum fetch_pass p,
    int headers_only, struct fetch_ctx *fc)
{
	struct mailimap_set *set;
	struct mailimap_fetch_type *ft;
	clist *result = NULL;
	int r;

	set = mailimap_set_new_interval(first, last);
	ft = mailimap_fetch_type_new_fetch_att_list_empty();
	if (set == NULL || ft == NULL)
		fatalx("imap: out of memory");
	mailimap_fetch_type_new_fetch_att_list_add(ft,
	    mailimap_fetch_att_new_uid());
	mailimap_fetch_type_new_fetch_att_list_add(ft,
	    mailimap_fetch_att_new_rfc822_size());
	if (p == PASS_BODY) {
		mailimap_fetch_type_new_fetch_att_list_add(ft,
		    mailimap_fetch_att_new_internaldate());
		mailimap_fetch_type_new_fetch_att_list_add(ft,
		    mailimap_fetch_att_new_flags());
		mailimap_fetch_type_new_fetch_att_list_add(ft,
		    mailimap_fetch_att_new_body_peek_section(
		    headers_only ? mailimap_section_new_header() :
		    mailimap_section_new(NULL)));
	}
	fc->pass = p;
	fc->headers_only = headers_only;
	fc->from = first;
	fc->to = last;
	mailimap_set_progress_callback(im->mi, on_progress, on_progress, fc);
	mailimap_set_msg_att_handler(im->mi, on_msg_att, fc);
	r = mailimap_uid_fetch(im->mi, set, ft, &result);
	mailimap_set_msg_att_handler(im->mi, NULL, NULL);
	mailimap_set_progress_callback(im->mi, NULL, NULL, NULL);
	if (r == MAILIMAP_NO_ERROR && result != NULL)
		mailimap_fetch_list_free(result);
	mailimap_set_free(set);
	mailimap_fetch_type_free(ft);
	return r;
}

static int
cmp_uidsize(const void *a, const void *b)
{
	const struct uidsize *x = a, *y = b;

	return x->uid < y->uid ? -1 : x->uid > y->uid;
}

enum imap_status
imap_fetch(struct imap *im, uint32_t from, uint32_t to,
    const struct imap_fetch_opts *o, imap_msg_cb cb, void *arg,
    size_t *count, char **err)
{
	struct fetch_ctx fc;
	size_t i, j, n;
	int r = MAILIMAP_NO_ERROR;

	if (count != NULL)
		*count = 0;
	if (from == 0)
		from = 1;
	if (to != 0 && to < from)
		return IMAP_OK;
	memset(&fc, 0, sizeof(fc));
	fc.cb = cb;
	fc.arg = arg;
	if (o == NULL || (o->max_size == 0 && o->max_count == 0)) {
		r = run_fetch(im, from, to, PASS_BODY, 0, &fc);
		goto done;
	}
	r = run_fetch(im, from, to, PASS_SIZES, 0, &fc);
	if (r != MAILIMAP_NO_ERROR)
		goto done;
	qsort(fc.v, fc.n, sizeof(*fc.v), cmp_uidsize);
	n = fc.n;
	if (o->max_count != 0 && n > o->max_count)
		n = o->max_count;
	/*
	 * Runs of neighbours of one kind (whole / header only) as one
	 * interval each: no other message lies between two neighbours, and
	 * new mail only comes above, so an interval holds exactly the run.
	 */
	for (i = 0; i < n && !fc.stopped && r == MAILIMAP_NO_ERROR; i = j) {
		int big = o->max_size != 0 && fc.v[i].size > o->max_size;

		for (j = i + 1; j < n; j++)
			if ((o->max_size != 0 &&
			    fc.v[j].size > o->max_size) != big)
				break;
		if (big)
			log_debug("imap %s: %zu message(s) from UID %u over "
			    "%zu bytes: headers only", im->user, j - i,
			    fc.v[i].uid, o->max_size);
		r = run_fetch(im, fc.v[i].uid, fc.v[j - 1].uid, PASS_BODY, big,
		    &fc);
	}
done:
	free(fc.v);
	if (count != NULL)
		*count = fc.count;
	if (r != MAILIMAP_NO_ERROR)
		return lib_error(im, r, "UID FETCH", err);
	return IMAP_OK;
}

enum imap_status
imap_uids(struct imap *im, uint32_t from, uint32_t to, uint32_t **uids,
    size_t *np, char **err)
{
	struct fetch_ctx fc;
	size_t i;
	int r;

	*uids = NULL;
	*np = 0;
	if (from == 0)
		from = 1;
	if (to != 0 && to < from)
		return IMAP_OK;
	memset(&fc, 0, sizeof(fc));
	r = run_fetch(im, from, to, PASS_SIZES, 0, &fc);
	if (r != MAILIMAP_NO_ERROR) {
		free(fc.v);
		return lib_error(im, r, "UID FETCH", err);
	}
	qsort(fc.v, fc.n, sizeof(*fc.v), cmp_uidsize);
	*uids = xcalloc(fc.n + 1, sizeof(**uids));
	for (i = 0; i < fc.n; i++)
		(*uids)[i] = fc.v[i].uid;
	*np = fc.n;
	free(fc.v);
	return IMAP_OK;
}

/* ---- IDLE ------------------------------------------------------------ */

enum imap_status
imap_idle_begin(struct imap *im, char **err)
{
	int r;

	if (!imap_has_idle(im))
		return seterr(im, err, IMAP_FAIL, "server has no IDLE");
	if (im->mi->imap_selection_info == NULL)
		return seterr(im, err, IMAP_FAIL, "IDLE without a folder");
	im->idle_before = im->mi->imap_selection_info->sel_exists;
	if ((r = mailimap_idle(im->mi)) != MAILIMAP_NO_ERROR) {
		if (r == MAILIMAP_ERROR_PARSE)
			return seterr(im, err, IMAP_RETRY_NOW, "IDLE: "
			    "unparsable answer; reconnecting");
		return lib_error(im, r, "IDLE", err);
	}
	im->idling = 1;
	log_trace(TRACE_IMAP, "imap %s: idling", im->user);
	return IMAP_OK;
}

int
imap_idle_pending(struct imap *im)
{
	return im->mi->imap_stream != NULL &&
	    (im->mi->imap_stream->read_buffer_len > 0 || tls_buffered(im));
}

enum imap_status
imap_idle_end(struct imap *im, int spoke, int *news, char **err)
{
	int r;

	*news = 0;
	if (!im->idling)
		return IMAP_OK;
	im->idling = 0;
	if ((r = mailimap_idle_done(im->mi)) != MAILIMAP_NO_ERROR) {
		if (r == MAILIMAP_ERROR_PARSE)
			return seterr(im, err, IMAP_RETRY_NOW, "IDLE DONE: "
			    "unparsable answer; reconnecting");
		return lib_error(im, r, "IDLE DONE", err);
	}
	if (spoke || (im->mi->imap_selection_info != NULL &&
	    im->mi->imap_selection_info->sel_exists != im->idle_before))
		*news = 1;
	log_trace(TRACE_IMAP, "imap %s: IDLE ended: %s", im->user,
	    *news ? "server spoke" : "timeout");
	return IMAP_OK;
}

enum imap_status
imap_idle(struct imap *im, int seconds, int *news, char **err)
{
	mailstream *s = im->mi->imap_stream;
	enum imap_status st;
	int w, wait_errno = 0;

	*news = 0;
	if (seconds < 1)
		seconds = 1;
	if (seconds > IDLE_MAX)
		seconds = IDLE_MAX;
	if (!im->idle_setup && imap_has_idle(im)) {
		if (mailstream_setup_idle(s) < 0)
			return seterr(im, err, IMAP_RETRY_LATER,
			    "cannot set up IDLE");
		im->idle_setup = 1;
	}
	if ((st = imap_idle_begin(im, err)) != IMAP_OK)
		return st;
	log_trace(TRACE_IMAP, "imap %s: waiting up to %d s", im->user,
	    seconds);
	/* Data may already sit in libetpan's buffer: don't wait for it. */
	if (imap_idle_pending(im))
		w = MAILSTREAM_IDLE_HASDATA;
	else {
		errno = 0;
		w = mailstream_wait_idle(s, seconds);
		wait_errno = errno;
	}
	if ((st = imap_idle_end(im, w == MAILSTREAM_IDLE_HASDATA, news,
	    err)) != IMAP_OK)
		return st;
	/*
	 * A signal (SIGTERM, SIGHUP) interrupts the wait's select(); the
	 * session is fine, since DONE was answered: let the caller's event
	 * loop see the signal instead of reconnecting.
	 */
	if (w == MAILSTREAM_IDLE_ERROR && wait_errno == EINTR) {
		log_trace(TRACE_IMAP, "imap %s: IDLE interrupted by a signal",
		    im->user);
		return IMAP_OK;
	}
	if (w == MAILSTREAM_IDLE_ERROR)
		return seterr(im, err, IMAP_RETRY_LATER, "IDLE: wait failed");
	return IMAP_OK;
}

int
imap_fd(struct imap *im)
{
	if (im == NULL || im->mi->imap_stream == NULL)
		return -1;
	return mailstream_low_get_fd(mailstream_get_low(im->mi->imap_stream));
}

/* ---- APPEND ---------------------------------------------------------- */

enum imap_status
imap_append(struct imap *im, const char *folder, const char *raw, size_t len,
    int seen, char **err)
{
	struct mailimap_flag_list *fl;
	int r;

	if ((fl = mailimap_flag_list_new_empty()) == NULL)
		fatalx("imap: out of memory");
	if (seen)
		mailimap_flag_list_add(fl, mailimap_flag_new_seen());
	r = mailimap_append(im->mi, folder, fl, NULL, raw, len);
	mailimap_flag_list_free(fl);
	if (r != MAILIMAP_NO_ERROR) {
		char *what = xasprintf("APPEND %s", folder);
		enum imap_status st = lib_error(im, r, what, err);

		free(what);
		return st;
	}
	return IMAP_OK;
}

/* ---- backoff ---------------------------------------------------------- */

unsigned
imap_backoff_ms(unsigned attempt, uint32_t rnd)
{
	const unsigned cap = 5 * 60 * 1000;
	unsigned full = 1000, half, i;

	for (i = 0; i < attempt && full < cap; i++)
		full *= 2;
	if (full > cap)
		full = cap;
	half = full / 2;
	return half + rnd % (full - half + 1);
}
