/*
 * tls: the server certificate check done before any credential is sent,
 * with GnuTLS (the only module that includes it). It takes the peer's
 * chain as DER byte buffers, so it never opens a connection, speaks a
 * protocol or logs; imap.c hands it libetpan's chain. SMTP relies on
 * libcurl's own verification instead.
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

#endif
