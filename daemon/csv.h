/*
 * csv: RFC 4180 text — a strict reader (quoted fields with embedded commas,
 * quotes and line breaks; CRLF or LF; a UTF-8 BOM tolerated; UTF-8
 * validated) that reports where a record went wrong by line and column,
 * and a writer that quotes only what needs it. It reads from memory and
 * writes into a struct buf; it never opens files and knows no columns.
 */
#ifndef MISTOK_CSV_H
#define MISTOK_CSV_H

#include <stddef.h>

struct buf;
struct csv;

/*
 * A reader over data[0..len), which must stay valid and unchanged until
 * csv_close(). Never NULL.
 */
struct csv *csv_open(const char *data, size_t len);
void csv_close(struct csv *);

/*
 * Reads the next record. Returns 1 and the record's fields (*fields[i],
 * NUL-terminated UTF-8, *nfields >= 1; owned by the reader and valid until
 * the next csv_read() or csv_close()), 0 at the end of the data, or -1 on
 * an error (see csv_error()); after an error every call returns -1.
 * Empty lines (outside quotes) are skipped. A field that starts with '"'
 * is quoted: "" inside stands for one quote, and only a comma or the end
 * of the line may follow the closing quote. A quote inside an unquoted
 * field is an error, as is a NUL byte or invalid UTF-8 anywhere.
 */
int csv_read(struct csv *, char ***fields, size_t *nfields);

/*
 * The 1-based line where the last record read began (the header is line
 * 1 in a file without blank lines); a record with quoted line breaks
 * spans several lines and is named by its first.
 */
size_t csv_line(const struct csv *);

/*
 * After csv_read() returned -1: the line and the 1-based field number of
 * the problem, and a static message ("unterminated quoted field", …).
 */
const char *csv_error(const struct csv *, size_t *line, size_t *column);

/*
 * Writers. csv_write_field() appends one field, quoted when it holds a
 * comma, a quote, CR or LF, or begins or ends with white space (so a
 * reader that trims still gets it back); NULL writes an empty field.
 * csv_write_row() joins n fields with commas and ends the line with CRLF
 * (RFC 4180).
 */
void csv_write_field(struct buf *, const char *s);
void csv_write_row(struct buf *, const char *const *fields, size_t n);

#endif
