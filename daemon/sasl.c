/*
 * sasl: SASL initial responses and the base64 encoder they need. Buffers
 * that held a secret are wiped before they are freed.
 */
#include <stdlib.h>
#include <string.h>

#include "sasl.h"
#include "util.h"

char *
sasl_base64(const void *data, size_t len)
{
	static const char tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *p = data;
	char *out, *o;
	size_t i;

	out = o = xmalloc((len + 2) / 3 * 4 + 1);
	for (i = 0; i + 2 < len; i += 3) {
		*o++ = tab[p[i] >> 2];
		*o++ = tab[((p[i] & 3) << 4) | (p[i + 1] >> 4)];
		*o++ = tab[((p[i + 1] & 15) << 2) | (p[i + 2] >> 6)];
		*o++ = tab[p[i + 2] & 63];
	}
	if (i < len) {
		*o++ = tab[p[i] >> 2];
		if (i + 1 < len) {
			*o++ = tab[((p[i] & 3) << 4) | (p[i + 1] >> 4)];
			*o++ = tab[(p[i + 1] & 15) << 2];
		} else {
			*o++ = tab[(p[i] & 3) << 4];
			*o++ = '=';
		}
		*o++ = '=';
	}
	*o = '\0';
	return out;
}

char *
sasl_xoauth2_ir(const char *user, const char *token)
{
	struct buf b;
	char *out;

	buf_init(&b);
	buf_printf(&b, "user=%s\001auth=Bearer %s\001\001", user, token);
	out = sasl_base64(b.data, b.len);
	explicit_bzero(b.data, b.len);
	buf_free(&b);
	return out;
}

char *
sasl_plain_ir(const char *user, const char *password)
{
	struct buf b;
	char *out;

	buf_init(&b);
	buf_addc(&b, '\0');
	buf_adds(&b, user);
	buf_addc(&b, '\0');
	buf_adds(&b, password);
	out = sasl_base64(b.data, b.len);
	explicit_bzero(b.data, b.len);
	buf_free(&b);
	return out;
}
