/*
 * authres: reads Authentication-Results header values (RFC 8601) and
 * decides whether the receiving server vouches for a From domain. It
 * trusts only the topmost run of headers carrying the configured
 * authserv-id (a header further down may be the sender's forgery), and
 * only DMARC pass or a DKIM pass aligned with the From domain: SPF checks
 * the envelope, not the From. It never reads mail or the configuration.
 */
#ifndef MISTOK_AUTHRES_H
#define MISTOK_AUTHRES_H

#include <stddef.h>

/* One resinfo: "dkim=pass header.d=example.org". Strings lower case. */
struct authres_result {
	char	*method;	/* "dkim", "dmarc", "spf", … */
	char	*result;	/* "pass", "fail", "none", … */
	char	*header_d;	/* dkim: header.d, or NULL */
	char	*header_from;	/* dmarc: header.from, or NULL */
};

/* One header value. */
struct authres {
	char			*authserv_id;	/* lower case */
	struct authres_result	*r;
	size_t			 n;
};

/*
 * Parses one unfolded value (comments dropped, quoted strings read).
 * Returns 0 and *out (free with authres_free()), or -1 when there is no
 * authserv-id or a resinfo is not "method=result" (*out is then empty).
 */
int authres_parse(const char *value, struct authres *out);
void authres_free(struct authres *);

/*
 * Whether values (the Authentication-Results values of a message, topmost
 * first, NULL-terminated; may be NULL) vouch for from_domain: among the
 * headers at the top whose authserv-id is authserv_id (the run ends at
 * the first header that is not one, or does not parse) one shows
 * dmarc=pass (with header.from, when present, equal to from_domain) or
 * dkim=pass with header.d equal to from_domain (case-insensitive). A
 * topmost header of another authserv-id ends the run before it begins.
 * Returns 1, or 0 with *why (may be NULL; a static English reason).
 */
int authres_vouches(char *const *values, const char *authserv_id,
    const char *from_domain, const char **why);

#endif
