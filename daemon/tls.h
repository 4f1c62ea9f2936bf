/*
 * tls: GnuTLS (the only module that includes it): the client side of a
 * TLS session over I/O functions the caller gives (imap.c hands it a
 * libetpan socket stream), with reads buffered 64 KB at a time, and the
 * server certificate check done before any credential is sent. It never
 * opens a connection, speaks a protocol or logs. SMTP relies on libcurl's
 * own TLS and verification instead.
 */
#ifndef MISTOK_TLS_H
#define MISTOK_TLS_H

#include <stddef.h>

/* One certificate in DER; the bytes stay the caller's. */
struct tls_der {
	const unsigned char	*data;
	size_t			 len;
};

/*
 * Verifies certs[0..n) (the server's certificate first, then what it sent
 * to chain it) against ca_file alone when non-NULL (PEM, replacing the
 * system store), else the system trust store; the leaf must be valid for
 * host (a name or an IP address) and for TLS servers. port only names the
 * peer in messages. Returns 0, or -1 with *err (caller frees): no
 * certificate, an unreadable one, no usable CA, or the reasons it was
 * refused with the leaf's subject and issuer.
 */
int tls_verify_chain(const struct tls_der *certs, size_t n, const char *host,
    int port, const char *ca_file, char **err);

/*
 * The transport under a session: read returns bytes read (> 0), 0 at the
 * end of the stream or -1; write returns bytes written (> 0) or -1. Both
 * may block; timeouts are theirs.
 */
struct tls_io {
	long	(*read)(void *arg, void *buf, size_t len);
	long	(*write)(void *arg, const void *buf, size_t len);
	int	(*wait)(void *arg, int ms);	/* > 0 readable, 0, -1 */
	void	*arg;
};

struct tls_session;

/*
 * A client session over io, handshake done: server_name (SNI; NULL or an
 * address literal sends none). NULL with *err (caller frees) on failure.
 * The certificate is NOT checked here: tls_peer_chain() and
 * tls_verify_chain() do that.
 */
struct tls_session *tls_client(const struct tls_io *io,
    const char *server_name, char **err);

/* Up to len bytes of plain text: > 0, 0 at the close, -1 on an error. */
long tls_read(struct tls_session *, void *buf, size_t len);
/* All of buf, or -1. */
long tls_write(struct tls_session *, const void *buf, size_t len);
/* Whether bytes are buffered that a wait on the socket would not see. */
int tls_pending(struct tls_session *);

/*
 * The peer's chain as the server sent it; the array and the bytes stay
 * the session's until it is freed. 0 certificates when there is none.
 */
size_t tls_peer_chain(struct tls_session *, const struct tls_der **certs);

/*
 * Frees the session without a close_notify: the protocol has ended it
 * already (LOGOUT), and a write to a peer that is gone would only wait or
 * fail (libetpan's own TLS stream sends none either).
 */
void tls_free(struct tls_session *);

#endif
