/*
 * csv: RFC 4180 reader and writer. The reader copies each record's
 * fields into one buffer (NUL-separated) and hands out pointers into it.
 */
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "json.h"
#include "util.h"

struct csv {
	const char	*data;
	size_t		 len;
	size_t		 pos;
	size_t		 line;		/* of data[pos] */
	size_t		 rec_line;	/* where the last record began */
	struct buf	 store;		/* the fields, NUL-separated */
	size_t		*offs;
	char		**fields;
	size_t		 cap;
	int		 failed;
	const char	*err;
	size_t		 err_line;
	size_t		 err_col;
};

struct csv *
csv_open(const char *data, size_t len)
{
	struct csv *c = xcalloc(1, sizeof(*c));

	c->data = data;
	c->len = len;
	c->line = 1;
	buf_init(&c->store);
	/* A BOM is tolerated (spreadsheets write one), only at the start. */
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		c->pos = 3;
	return c;
}

void
csv_close(struct csv *c)
{
	if (c == NULL)
		return;
	buf_free(&c->store);
	free(c->offs);
	free(c->fields);
	free(c);
}

size_t
csv_line(const struct csv *c)
{
	return c->rec_line;
}

const char *
csv_error(const struct csv *c, size_t *line, size_t *column)
{
	if (line != NULL)
		*line = c->err_line;
	if (column != NULL)
		*column = c->err_col;
	return c->err ? c->err : "no error";
}

static int
fail(struct csv *c, size_t line, size_t col, const char *msg)
{
	c->failed = 1;
	c->err = msg;
	c->err_line = line;
	c->err_col = col;
	return -1;
}

/* At a line break (CRLF, LF or a lone CR): consumes it. */
static int
eat_break(struct csv *c)
{
	if (c->pos >= c->len)
		return 0;
	if (c->data[c->pos] == '\r') {
		c->pos++;
		if (c->pos < c->len && c->data[c->pos] == '\n')
			c->pos++;
	} else if (c->data[c->pos] == '\n')
		c->pos++;
	else
		return 0;
	c->line++;
	return 1;
}

static void
push_offset(struct csv *c, size_t nf, size_t off)
{
	if (nf == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 16;
		c->offs = xreallocarray(c->offs, c->cap, sizeof(*c->offs));
		c->fields = xreallocarray(c->fields, c->cap,
		    sizeof(*c->fields));
	}
	c->offs[nf] = off;
}

int
csv_read(struct csv *c, char ***fields, size_t *nfields)
{
	size_t nf = 0, col = 1, start, fline, i;
	char ch;

	if (c->failed)
		return -1;
	while (eat_break(c))
		;
	if (c->pos >= c->len)
		return 0;
	c->rec_line = c->line;
	buf_reset(&c->store);
	buf_add(&c->store, "", 0);	/* data is never NULL below */

	for (;;) {
		start = c->store.len;
		fline = c->line;
		if (c->pos < c->len && c->data[c->pos] == '"') {
			c->pos++;
			for (;;) {
				if (c->pos >= c->len)
					return fail(c, fline, col,
					    "unterminated quoted field");
				ch = c->data[c->pos];
				if (ch == '"') {
					if (c->pos + 1 < c->len &&
					    c->data[c->pos + 1] == '"') {
						buf_addc(&c->store, '"');
						c->pos += 2;
						continue;
					}
					c->pos++;
					break;
				}
				if (ch == '\0')
					return fail(c, c->line, col,
					    "NUL byte in a field");
				/* Count lines as eat_break() does. */
				if (ch == '\n' || (ch == '\r' &&
				    (c->pos + 1 >= c->len ||
				    c->data[c->pos + 1] != '\n')))
					c->line++;
				buf_addc(&c->store, ch);
				c->pos++;
			}
			if (c->pos < c->len && c->data[c->pos] != ',' &&
			    c->data[c->pos] != '\r' && c->data[c->pos] != '\n')
				return fail(c, c->line, col,
				    "text after a closing quote (a quote "
				    "inside a quoted field is written \"\")");
		} else {
			while (c->pos < c->len) {
				ch = c->data[c->pos];
				if (ch == ',' || ch == '\r' || ch == '\n')
					break;
				if (ch == '"')
					return fail(c, c->line, col,
					    "quote inside an unquoted field "
					    "(quote the whole field)");
				if (ch == '\0')
					return fail(c, c->line, col,
					    "NUL byte in a field");
				buf_addc(&c->store, ch);
				c->pos++;
			}
		}
		if (!json_utf8_valid(c->store.data + start,
		    c->store.len - start))
			return fail(c, fline, col, "invalid UTF-8");
		buf_addc(&c->store, '\0');
		push_offset(c, nf++, start);
		if (c->pos < c->len && c->data[c->pos] == ',') {
			c->pos++;
			col++;
			continue;
		}
		eat_break(c);
		break;
	}
	/* The buffer may have moved while growing: point at it now. */
	for (i = 0; i < nf; i++)
		c->fields[i] = c->store.data + c->offs[i];
	*fields = c->fields;
	*nfields = nf;
	return 1;
}

void
csv_write_field(struct buf *b, const char *s)
{
	size_t len;
	const char *p;

	if (s == NULL || *s == '\0')
		return;
	len = strlen(s);
	if (strpbrk(s, ",\"\r\n") == NULL && s[0] != ' ' && s[0] != '\t' &&
	    s[len - 1] != ' ' && s[len - 1] != '\t') {
		buf_add(b, s, len);
		return;
	}
	buf_addc(b, '"');
	for (p = s; *p; p++) {
		if (*p == '"')
			buf_addc(b, '"');
		buf_addc(b, *p);
	}
	buf_addc(b, '"');
}

void
csv_write_row(struct buf *b, const char *const *fields, size_t n)
{
	size_t i;

	/* A lone empty field would be an empty line, which readers skip. */
	if (n == 1 && (fields[0] == NULL || *fields[0] == '\0'))
		buf_adds(b, "\"\"");
	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_addc(b, ',');
		csv_write_field(b, fields[i]);
	}
	buf_add(b, "\r\n", 2);
}
