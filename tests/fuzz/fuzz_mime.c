/*
 * libFuzzer target over the whole MIME path: mime_parse() (GMime structure,
 * own RFC 2047 decoder, addresses, HTML to text, quote and signature
 * offsets, classification) and the header-field parsers on their own.
 * Any crash, sanitizer report or leak is a finding; results must also hold
 * their invariants (UTF-8 subject and body, offsets inside the body).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mime.h"
#include "mime_text.h"
#include "rfc2047.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct mime_opts opts = { "c4c.test", 1 << 20, 0 };
	struct msg_addr *a;
	struct msg *m;
	char *s, **v;
	size_t n;

	mime_init();
	if (mime_parse((const char *)data, size, &opts, &m) != 0)
		abort();
	if (!utf8_valid(m->subject, strlen(m->subject)) ||
	    m->body_len != strlen(m->body) ||
	    m->quote_off > m->body_len || (m->sig_off > m->quote_off &&
	    m->sig_off != m->body_len) ||
	    m->from.email == NULL)
		abort();
	msg_free(m);

	/* The same bytes as one header value, through each field parser. */
	s = xstrndup((const char *)data, size);
	free(rfc2047_decode((const char *)data, size));
	n = mime_parse_addresses(s, &a);
	msg_addr_free_array(a, n);
	free(mime_parse_msgid(s));
	free(mime_parse_msgid_strict(s));
	v = mime_parse_references(s);
	strv_free(v);
	(void)mime_parse_date(s);
	free(html_to_text((const char *)data, size, NULL));
	free(s);
	return 0;
}
