/*
 * libFuzzer target over the command-mail parser: cmd_parse() on arbitrary
 * bytes (the first two bytes choose the quote and signature offsets), the
 * error and help texts in both languages, and the date, window and
 * duration readers on the same bytes as one phrase. Any crash, sanitizer
 * report or leak is a finding; results must hold their invariants (line
 * numbers rising, at most CMD_MAX_LINES lines, at most CMD_MAX_ERRORS + 1
 * errors), and the parse must stay linear (-timeout catches a slow input).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "dates.h"
#include "tz.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct tz *zone;
	struct cmd_opts opts;
	struct cmd_mail *m;
	struct dates_window w;
	struct tz_date d;
	size_t i, q, s;
	char *t, *str;
	int min;

	if (zone == NULL) {
		char *err = NULL;

		if ((zone = tz_get("Europe/Kyiv", &err)) == NULL)
			abort();
	}
	opts.zone = zone;
	opts.now = 1796133600;	/* 2026-12-01T14:00:00Z */
	q = size > 0 ? (size_t)data[0] * size / 255 : 0;
	s = size > 1 ? (size_t)data[1] * size / 255 : 0;
	m = cmd_parse((const char *)data, size, size > 2 && data[0] < 128 ?
	    size : q, size > 2 && data[1] < 128 ? size : s, &opts);
	if (m->n > CMD_MAX_LINES || m->nerrors > CMD_MAX_ERRORS + 1)
		abort();
	for (i = 0; i < m->n; i++)
		if (m->lines[i].lineno == 0 || (i > 0 &&
		    m->lines[i].lineno <= m->lines[i - 1].lineno) ||
		    m->lines[i].text == NULL)
			abort();
	for (i = 0; i < m->nerrors; i++) {
		t = cmd_error_text(&m->errors[i], i % 2 ? "uk" : "en");
		free(t);
	}
	t = cmd_errors_text(m, "uk");
	free(t);
	cmd_mail_free(m);

	/* The same bytes as one phrase, when short. */
	if (size < 256) {
		str = xstrndup((const char *)data, size);
		(void)dates_parse_date(str, zone, opts.now, DATES_NEXT, &d);
		(void)dates_parse_date(str, zone, opts.now, DATES_LAST, &d);
		if (dates_parse_window(str, zone, opts.now, DATES_NEXT, &w) ==
		    DATES_OK && tz_days_from_date(w.to) <
		    tz_days_from_date(w.from))
			abort();
		if (dates_parse_duration(str, &min) == DATES_OK &&
		    (min < 1 || min > 1440))
			abort();
		free(str);
	}
	return 0;
}
