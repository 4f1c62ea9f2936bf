/*
 * cmd: command mail bodies into struct cmd_mail. One pass over the lines
 * of the body: skip quoted lines, read a reply word, then the block of
 * "Keyword: arguments" lines up to the first blank line, then the note.
 * Each command line is bounded (CMD_MAX_LINE bytes, CMD_MAX_LINES lines),
 * so the whole parse is linear in the body. The keyword table is in
 * cmdtab.c, the arguments of each keyword in cmdargs.c and cmdval.c, the
 * errors and suggestions in cmderr.c.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "cmd_int.h"
#include "dates.h"
#include "util.h"

void
cmd_fold(const char *s, struct buf *b)
{
	buf_reset(b);
	dates_fold(s, strlen(s), b);
}

/*
 * A line with white space normalised but case kept: tabs, CR, NBSP and
 * the other Unicode spaces become ' ', zero-width characters go, runs of
 * spaces collapse, both ends are trimmed. Byte patterns only: the rest of
 * the line is copied as it is.
 */
static void
norm_line(const char *s, size_t len, struct buf *b)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	int space = 1, sp;

	buf_reset(b);
	buf_add(b, "", 0);
	while (i < len) {
		sp = 0;
		if (p[i] < 0x20 || p[i] == ' ' || p[i] == 0x7f) {
			sp = 1;
			i++;
		} else if (p[i] == 0xc2 && i + 1 < len && p[i + 1] == 0xa0) {
			sp = 1;
			i += 2;
		} else if (p[i] == 0xe2 && i + 2 < len && p[i + 1] == 0x80 &&
		    (p[i + 2] <= 0x8a || p[i + 2] == 0xaf)) {
			sp = 1;
			i += 3;
		} else if (p[i] == 0xe3 && i + 2 < len && p[i + 1] == 0x80 &&
		    p[i + 2] == 0x80) {
			sp = 1;
			i += 3;
		} else if ((p[i] == 0xe2 && i + 2 < len && p[i + 1] == 0x80 &&
		    p[i + 2] >= 0x8b && p[i + 2] <= 0x8d) || (p[i] == 0xef &&
		    i + 2 < len && p[i + 1] == 0xbb && p[i + 2] == 0xbf)) {
			i += 3;
			continue;
		}
		if (sp) {
			if (!space)
				buf_addc(b, ' ');
			space = 1;
			continue;
		}
		buf_addc(b, p[i++]);
		space = 0;
	}
	if (b->len > 0 && b->data[b->len - 1] == ' ')
		b->data[--b->len] = '\0';
}

/*
 * Splits "Keyword: arguments". Returns 1 with the token (as written,
 * trimmed) and *args pointing after the colon, or 0 when the line has no
 * such shape: the token is 1-40 bytes of letters, '-', '_' and at most
 * two spaces, and a ':' follows it.
 */
static int
split_kw(const char *t, char *token, const char **args, int *hyphen,
    int *spaces)
{
	const char *c = strchr(t, ':');
	size_t n, i;

	*hyphen = *spaces = 0;
	if (c == NULL || c == t || (size_t)(c - t) > MAXTOKEN)
		return 0;
	n = (size_t)(c - t);
	while (n > 0 && t[n - 1] == ' ')
		n--;
	if (n == 0)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)t[i];

		if (ch == '-' || ch == '_')
			*hyphen = 1;
		else if (ch == ' ')
			(*spaces)++;
		else if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' &&
		    ch <= 'Z') || ch >= 0x80 || ch == '\''))
			return 0;
	}
	if (*spaces > 2 || t[0] == '-' || t[n - 1] == '-')
		return 0;
	memcpy(token, t, n);
	token[n] = '\0';
	c++;
	while (*c == ' ')
		c++;
	*args = c;
	return 1;
}

/* "Word:" near a keyword, or any "Word-Word:". */
static int
looks_like_keyword(const char *token, int hyphen, int spaces)
{
	if (spaces > 0)
		return 0;
	if (hyphen)
		return 1;
	return cmd_kw_suggest(token) != NULL;
}

static struct cmd_line *
new_line(struct pctx *p, enum cmd_kw kw)
{
	struct cmd_mail *m = p->m;
	struct cmd_line *l;

	if (m->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 8;
		m->lines = xreallocarray(m->lines, p->cap, sizeof(*l));
	}
	l = &m->lines[m->n++];
	memset(l, 0, sizeof(*l));
	l->lineno = p->lineno;
	l->text = xstrdup(p->text);
	l->kw = kw;
	l->ctx = -1;
	return l;
}

/*
 * The first line as a reply word: 1 when it is one (possibly with an
 * error for a bad snooze date), 0 when not.
 */
static int
reply_word(struct pctx *p, const char *t)
{
	static const struct {
		const char	*w;
		enum reply_word	 r;
	} words[] = {
		{ "done", REPLY_DONE }, { "готово", REPLY_DONE },
		{ "виконано", REPLY_DONE },
		{ "cancel", REPLY_CANCEL }, { "скасувати", REPLY_CANCEL },
		{ "stop", REPLY_STOP }, { "стоп", REPLY_STOP },
		{ "send", REPLY_SEND }, { "надіслати", REPLY_SEND },
		{ "yes", REPLY_YES }, { "так", REPLY_YES },
		{ "no", REPLY_NO }, { "ні", REPLY_NO },
		{ "snooze", REPLY_SNOOZE }, { "відкласти", REPLY_SNOOZE },
	};
	struct cmd_mail *m = p->m;
	struct buf b;
	enum dates_error de;
	const char *rest;
	size_t i, wl;
	int found = 0;

	buf_init(&b);
	cmd_fold(t, &b);
	while (b.len > 0 && strchr(".!", b.data[b.len - 1]) != NULL)
		b.data[--b.len] = '\0';
	if (b.len > 0 && b.data[0] == '#')
		memmove(b.data, b.data + 1, b.len--);
	if (b.len == 1 && b.data[0] >= '1' && b.data[0] <= '9') {
		m->first_word = REPLY_SLOT;
		m->slot = b.data[0] - '0';
		found = 1;
		goto done;
	}
	for (i = 0; i < nitems(words) && !found; i++) {
		wl = strlen(words[i].w);
		if (strncmp(b.data, words[i].w, wl) != 0)
			continue;
		rest = b.data + wl;
		if (*rest == '\0') {
			m->first_word = words[i].r;
			found = 1;
		} else if (*rest == ' ' && words[i].r == REPLY_SNOOZE) {
			m->first_word = REPLY_SNOOZE;
			found = 1;
			if ((de = dates_parse_date(rest + 1, p->opts->zone,
			    p->opts->now, DATES_NEXT, &m->snooze_until)) !=
			    DATES_OK)
				cmd_date_error(p, CW_DATE, rest + 1, de);
			else
				m->has_snooze = 1;
		}
	}
done:
	if (found)
		m->first_word_line = p->lineno;
	buf_free(&b);
	return found;
}

enum pstate { S_START, S_AFTER_REPLY, S_BLOCK, S_NOTE };

struct cmd_mail *
cmd_parse(const char *body, size_t len, size_t quote_off, size_t sig_off,
    const struct cmd_opts *opts)
{
	struct pctx p;
	struct cmd_mail *m = xcalloc(1, sizeof(*m));
	struct buf line, note;
	enum pstate st = S_START;
	enum cmd_kw kw;
	struct cmd_line *l;
	const char *nl, *args, *s;
	char token[MAXTOKEN + 1];
	size_t end = len, pos = 0, ll, nlines = 0;
	int ctx = -1, hy, sp, is_kw;

	memset(&p, 0, sizeof(p));
	p.opts = opts;
	p.m = m;
	if (body == NULL)
		len = end = 0;
	if (quote_off < end)
		end = quote_off;
	if (sig_off < end)
		end = sig_off;
	buf_init(&line);
	buf_init(&note);
	while (pos < end && !p.stop) {
		s = body + pos;
		nl = memchr(s, '\n', end - pos);
		ll = nl != NULL ? (size_t)(nl - s) : end - pos;
		pos += ll + (nl != NULL);
		p.lineno++;
		if (ll > 0 && s[ll - 1] == '\r')
			ll--;
		/* Quoted lines are ignored wherever they are. */
		{
			size_t k = 0;

			while (k < ll && (s[k] == ' ' || s[k] == '\t'))
				k++;
			if (k < ll && s[k] == '>')
				continue;
		}
		if (st == S_NOTE) {
			if (note.len == 0) {
				norm_line(s, ll > 256 ? 256 : ll, &line);
				if (line.len == 0)
					continue;
				m->note_line = p.lineno;
			}
			buf_add(&note, s, ll);
			buf_addc(&note, '\n');
			continue;
		}
		if (st == S_BLOCK && ll > CMD_MAX_LINE) {
			p.text = NULL;
			p.kw = CMD_NONE;
			cmd_add_error(&p, CE_LINE_TOO_LONG, CW_NONE, NULL, NULL,
			    DATES_OK);
			nlines++;
			continue;
		}
		norm_line(s, ll > CMD_MAX_LINE ? CMD_MAX_LINE : ll, &line);
		p.text = line.data;
		p.kw = CMD_NONE;
		p.failed = 0;
		if (line.len == 0) {
			if (st == S_BLOCK)
				st = S_NOTE;
			continue;
		}
		if (st == S_START && reply_word(&p, line.data)) {
			st = S_AFTER_REPLY;
			continue;
		}
		is_kw = split_kw(line.data, token, &args, &hy, &sp);
		kw = is_kw ? cmd_kw_lookup(token) : CMD_NONE;
		if (st != S_BLOCK && kw == CMD_NONE) {
			if (is_kw && looks_like_keyword(token, hy, sp)) {
				cmd_add_error(&p, CE_UNKNOWN_KEYWORD, CW_NONE,
				    token, cmd_kw_suggest(token), DATES_OK);
				st = S_BLOCK;
				nlines++;
				continue;
			}
			/* No keyword at the top: the rest is a note. */
			st = S_NOTE;
			m->note_line = p.lineno;
			buf_add(&note, s, ll);
			buf_addc(&note, '\n');
			continue;
		}
		st = S_BLOCK;
		if (++nlines > CMD_MAX_LINES) {
			cmd_add_error(&p, CE_TOO_MANY_LINES, CW_NONE, NULL,
			    NULL, DATES_OK);
			p.stop = 1;
			break;
		}
		if (kw == CMD_NONE) {
			if (is_kw)
				cmd_add_error(&p, CE_UNKNOWN_KEYWORD, CW_NONE,
				    token, cmd_kw_suggest(token), DATES_OK);
			else
				cmd_add_error(&p, CE_NOT_COMMAND, CW_NONE, NULL,
				    NULL, DATES_OK);
			continue;
		}
		p.kw = kw;
		l = new_line(&p, kw);
		l->ctx = ctx;
		cmd_parse_command(&p, kw, args, l);
		/* A context line applies to the lines below it. */
		if (kw == CMD_PARTNERSHIP || kw == CMD_NEW_PARTNERSHIP)
			ctx = (int)(m->n - 1);
	}
	/* The note: trailing blank lines go. */
	while (note.len > 0 && (note.data[note.len - 1] == '\n' ||
	    note.data[note.len - 1] == ' ' || note.data[note.len - 1] == '\t'
	    || note.data[note.len - 1] == '\r'))
		note.data[--note.len] = '\0';
	m->note = note.len > 0 ? buf_steal(&note) : NULL;
	if (m->note == NULL)
		m->note_line = 0;
	buf_free(&note);
	buf_free(&line);
	return m;
}

void
cmd_mail_free(struct cmd_mail *m)
{
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < m->n; i++)
		cmd_line_free(&m->lines[i]);
	free(m->lines);
	for (i = 0; i < m->nerrors; i++) {
		free(m->errors[i].text);
		free(m->errors[i].word);
	}
	free(m->errors);
	free(m->note);
	free(m);
}
