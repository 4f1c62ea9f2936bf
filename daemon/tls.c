/*
 * tls: GnuTLS sessions and chain verification over DER buffers.
 *
 * A session pulls ciphertext through the caller's read function into a
 * 64 KB buffer and hands GnuTLS what it asks for from there. GnuTLS asks
 * for a record's 5-byte header, then its body; servers such as Dovecot
 * send 4 KB records, so reading the socket directly took two system
 * calls per 4 KB (385,000 for a 726 MB import), a tenth of the import's
 * CPU.
 *
 * Verification: a trust list holds ca_file's certificates or the system
 * store, and gnutls_x509_trust_list_verify_crt2() checks the chain, the
 * host name and the TLS server purpose in one call; a refusal is spelled
 * out bit by bit.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "log.h"
#include "tls.h"
#include "util.h"

static void
cert_reasons(unsigned status, const char *host, struct buf *b)
{
	static const struct {
		unsigned	 bit;
		const char	*text;
	} r[] = {
		{ GNUTLS_CERT_SIGNER_NOT_FOUND, "issued by an unknown CA" },
		{ GNUTLS_CERT_SIGNER_NOT_CA, "signer is not a CA" },
		{ GNUTLS_CERT_EXPIRED, "expired" },
		{ GNUTLS_CERT_NOT_ACTIVATED, "not yet valid" },
		{ GNUTLS_CERT_REVOKED, "revoked" },
		{ GNUTLS_CERT_INSECURE_ALGORITHM, "insecure algorithm" },
		{ GNUTLS_CERT_SIGNATURE_FAILURE, "bad signature" },
		{ GNUTLS_CERT_PURPOSE_MISMATCH, "not for TLS servers" },
	};
	size_t i;
	size_t start = b->len;

	for (i = 0; i < nitems(r); i++)
		if (status & r[i].bit)
			buf_printf(b, "%s%s", b->len > start ? ", " : "",
			    r[i].text);
	if (status & GNUTLS_CERT_UNEXPECTED_OWNER)
		buf_printf(b, "%shost name mismatch (not valid for %s)",
		    b->len > start ? ", " : "", host);
	if (b->len == start) {
		gnutls_datum_t out;

		if (gnutls_certificate_verification_status_print(status,
		    GNUTLS_CRT_X509, &out, 0) == 0) {
			buf_add(b, out.data, out.size);
			gnutls_free(out.data);
		} else
			buf_printf(b, "status 0x%x", status);
	}
}

int
tls_verify_chain(const struct tls_der *certs, size_t n, const char *host,
    int port, const char *ca_file, char **err)
{
	gnutls_x509_crt_t *crts = NULL;
	gnutls_x509_trust_list_t tl = NULL;
	gnutls_typed_vdata_st vd[2];
	unsigned i, status = 0;
	int rc, ret = -1;

	*err = NULL;
	if (n == 0) {
		*err = xasprintf("%s:%d sent no certificate", host, port);
		return -1;
	}
	crts = xcalloc(n, sizeof(*crts));
	for (i = 0; i < n; i++) {
		gnutls_datum_t d = { (unsigned char *)certs[i].data,
		    (unsigned)certs[i].len };

		if (gnutls_x509_crt_init(&crts[i]) < 0 ||
		    gnutls_x509_crt_import(crts[i], &d,
		    GNUTLS_X509_FMT_DER) < 0) {
			*err = xasprintf("certificate %u from %s:%d is "
			    "unreadable", i, host, port);
			goto out;
		}
	}
	if (gnutls_x509_trust_list_init(&tl, 0) < 0)
		fatalx("gnutls_x509_trust_list_init");
	if (ca_file != NULL) {
		rc = gnutls_x509_trust_list_add_trust_file(tl, ca_file,
		    NULL, GNUTLS_X509_FMT_PEM, 0, 0);
		if (rc <= 0) {
			*err = xasprintf("ca_file %s: no CA certificate read "
			    "(%s)", ca_file, rc < 0 ? gnutls_strerror(rc) :
			    "empty");
			goto out;
		}
	} else {
		rc = gnutls_x509_trust_list_add_system_trust(tl, 0, 0);
		if (rc <= 0) {
			*err = xasprintf("no system trust store (%s); set "
			    "ca_file", rc < 0 ? gnutls_strerror(rc) :
			    "empty");
			goto out;
		}
	}
	memset(vd, 0, sizeof(vd));
	vd[0].type = GNUTLS_DT_DNS_HOSTNAME;
	vd[0].data = (unsigned char *)host;
	vd[1].type = GNUTLS_DT_KEY_PURPOSE_OID;
	vd[1].data = (unsigned char *)GNUTLS_KP_TLS_WWW_SERVER;
	rc = gnutls_x509_trust_list_verify_crt2(tl, crts, (unsigned)n, vd, 2,
	    0, &status, NULL);
	if (rc < 0) {
		*err = xasprintf("certificate check for %s:%d failed: %s",
		    host, port, gnutls_strerror(rc));
		goto out;
	}
	if (status != 0) {
		struct buf b;
		gnutls_datum_t dn = { NULL, 0 };

		buf_init(&b);
		cert_reasons(status, host, &b);
		if (gnutls_x509_crt_get_dn3(crts[0], &dn, 0) == 0) {
			buf_printf(&b, "; subject %.*s", (int)dn.size,
			    (char *)dn.data);
			gnutls_free(dn.data);
		}
		if (gnutls_x509_crt_get_issuer_dn3(crts[0], &dn, 0) == 0) {
			buf_printf(&b, "; issuer %.*s", (int)dn.size,
			    (char *)dn.data);
			gnutls_free(dn.data);
		}
		*err = xasprintf("certificate of %s:%d refused, nothing sent: "
		    "%s", host, port, b.data);
		buf_free(&b);
		goto out;
	}
	ret = 0;
out:
	if (tl != NULL)
		gnutls_x509_trust_list_deinit(tl, 1);
	for (i = 0; i < n; i++)
		if (crts[i] != NULL)
			gnutls_x509_crt_deinit(crts[i]);
	free(crts);
	return ret;
}

/* ---- sessions ---------------------------------------------------------- */

#define TLS_RBUF	65536

struct tls_session {
	gnutls_session_t			 gs;
	gnutls_certificate_credentials_t	 cred;
	struct tls_io				 io;
	unsigned char				*rbuf;
	size_t					 roff, rlen;
	struct tls_der				*chain;
	size_t					 nchain;
};

static ssize_t
pull(gnutls_transport_ptr_t p, void *buf, size_t len)
{
	struct tls_session *t = p;
	long r;

	if (t->roff == t->rlen) {
		t->roff = t->rlen = 0;
		if ((r = t->io.read(t->io.arg, t->rbuf, TLS_RBUF)) < 0) {
			gnutls_transport_set_errno(t->gs, EIO);
			return -1;
		}
		t->rlen = (size_t)r;
		if (r == 0)
			return 0;
	}
	if (len > t->rlen - t->roff)
		len = t->rlen - t->roff;
	memcpy(buf, t->rbuf + t->roff, len);
	t->roff += len;
	return (ssize_t)len;
}

static int
pull_timeout(gnutls_transport_ptr_t p, unsigned int ms)
{
	struct tls_session *t = p;

	if (t->roff < t->rlen)
		return 1;
	return t->io.wait(t->io.arg, ms == GNUTLS_INDEFINITE_TIMEOUT ? -1 :
	    (int)ms);
}

static ssize_t
push(gnutls_transport_ptr_t p, const void *buf, size_t len)
{
	struct tls_session *t = p;
	long r = t->io.write(t->io.arg, buf, len);

	if (r < 0) {
		gnutls_transport_set_errno(t->gs, EIO);
		return -1;
	}
	return (ssize_t)r;
}

struct tls_session *
tls_client(const struct tls_io *io, const char *server_name, char **err)
{
	struct tls_session *t = xcalloc(1, sizeof(*t));
	unsigned char addr[16];
	int r;

	t->io = *io;
	t->rbuf = xmalloc(TLS_RBUF);
	if ((r = gnutls_certificate_allocate_credentials(&t->cred)) < 0 ||
	    (r = gnutls_init(&t->gs, GNUTLS_CLIENT)) < 0) {
		*err = xasprintf("TLS: %s", gnutls_strerror(r));
		t->gs = NULL;
		tls_free(t);
		return NULL;
	}
	if ((r = gnutls_set_default_priority(t->gs)) < 0 ||
	    (r = gnutls_credentials_set(t->gs, GNUTLS_CRD_CERTIFICATE,
	    t->cred)) < 0) {
		*err = xasprintf("TLS: %s", gnutls_strerror(r));
		tls_free(t);
		return NULL;
	}
	/* RFC 6066: no SNI for address literals. */
	if (server_name != NULL && *server_name != '\0' &&
	    inet_pton(AF_INET, server_name, addr) != 1 &&
	    inet_pton(AF_INET6, server_name, addr) != 1)
		(void)gnutls_server_name_set(t->gs, GNUTLS_NAME_DNS,
		    server_name, strlen(server_name));
	gnutls_transport_set_ptr(t->gs, t);
	gnutls_transport_set_pull_function(t->gs, pull);
	gnutls_transport_set_pull_timeout_function(t->gs, pull_timeout);
	gnutls_transport_set_push_function(t->gs, push);
	do {
		r = gnutls_handshake(t->gs);
	} while (r < 0 && !gnutls_error_is_fatal(r));
	if (r < 0) {
		*err = xasprintf("TLS handshake: %s", gnutls_strerror(r));
		tls_free(t);
		return NULL;
	}
	return t;
}

long
tls_read(struct tls_session *t, void *buf, size_t len)
{
	ssize_t r;

	do {
		r = gnutls_record_recv(t->gs, buf, len);
	} while (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED);
	if (r == GNUTLS_E_PREMATURE_TERMINATION)
		return 0;
	return r < 0 ? -1 : (long)r;
}

long
tls_write(struct tls_session *t, const void *buf, size_t len)
{
	const char *p = buf;
	size_t done = 0;
	ssize_t r;

	while (done < len) {
		r = gnutls_record_send(t->gs, p + done, len - done);
		if (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED)
			continue;
		if (r <= 0)
			return -1;
		done += (size_t)r;
	}
	return (long)len;
}

int
tls_pending(struct tls_session *t)
{
	return gnutls_record_check_pending(t->gs) > 0 || t->roff < t->rlen;
}

size_t
tls_peer_chain(struct tls_session *t, const struct tls_der **certs)
{
	const gnutls_datum_t *v;
	unsigned n = 0, i;

	if (t->chain == NULL &&
	    (v = gnutls_certificate_get_peers(t->gs, &n)) != NULL && n > 0) {
		t->chain = xcalloc(n, sizeof(*t->chain));
		for (i = 0; i < n; i++) {
			t->chain[i].data = v[i].data;
			t->chain[i].len = v[i].size;
		}
		t->nchain = n;
	}
	*certs = t->chain;
	return t->nchain;
}

void
tls_free(struct tls_session *t)
{
	if (t == NULL)
		return;
	if (t->gs != NULL)
		gnutls_deinit(t->gs);
	if (t->cred != NULL)
		gnutls_certificate_free_credentials(t->cred);
	free(t->chain);
	free(t->rbuf);
	free(t);
}
