/*
 * tls: GnuTLS chain verification over DER buffers. A trust list holds
 * ca_file's certificates or the system store, and
 * gnutls_x509_trust_list_verify_crt2() checks the chain, the host name and
 * the TLS server purpose in one call; a refusal is spelled out bit by bit.
 */
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
