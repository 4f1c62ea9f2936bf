/*
 * libFuzzer target over invite_parse(): the line scanner, libical's
 * parser, VTIMEZONE expansion and the zone-name fallbacks. Any crash,
 * sanitizer report or leak is a finding; a result must also hold its
 * invariants (a UID, upper-case PARTSTATs, addresses and text valid
 * UTF-8, an error message on one line).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "invite.h"
#include "json.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
ok_text(const char *s)
{
	return s == NULL || json_utf8_valid(s, strlen(s));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct invite_msg *m = NULL;
	char *err = NULL;
	size_t i;

	if (invite_parse((const char *)data, size, "America/Chicago", &m,
	    &err) != 0) {
		if (m != NULL || err == NULL || strchr(err, '\n') != NULL ||
		    !ok_text(err))
			abort();
		free(err);
		return 0;
	}
	if (m == NULL || err != NULL || m->uid == NULL || *m->uid == '\0' ||
	    !ok_text(m->uid) || !ok_text(m->comment) ||
	    !ok_text(m->summary) || !ok_text(m->organizer) ||
	    (m->has_start && m->has_end && m->end < m->start))
		abort();
	for (i = 0; i < m->nattendees; i++) {
		const char *p;

		if (!ok_text(m->attendees[i].email) ||
		    !ok_text(m->attendees[i].name))
			abort();
		for (p = m->attendees[i].partstat; *p != '\0'; p++)
			if (*p >= 'a' && *p <= 'z')
				abort();
	}
	invite_msg_free(m);
	return 0;
}
