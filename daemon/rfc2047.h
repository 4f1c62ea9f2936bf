/*
 * rfc2047: mistok's own header decoding — RFC 2047 encoded words (B and Q),
 * header unfolding, and conversion of any charset to UTF-8 through iconv,
 * with guessing for raw 8-bit text (UTF-8, windows-1251, KOI8-U).
 * Exists because GMime 3.2.13 truncates after padded base64 words (INTEROP).
 * Pure functions on bytes: no GMime, no I/O, no logging; never fails.
 */
#ifndef MISTOK_RFC2047_H
#define MISTOK_RFC2047_H

#include <stddef.h>

/*
 * Converts len bytes labelled with charset to UTF-8. A NULL, empty or
 * unknown charset, or one whose conversion fails (mislabelled text), falls
 * back to a guess: UTF-8 when the bytes are (mostly) UTF-8, windows-1252
 * for lone 8-bit letters inside Latin words, else windows-1251 or KOI8-U
 * by letter statistics (lower case dominates running text). Text is never dropped:
 * bytes no converter accepts become U+FFFD. NUL bytes are dropped.
 * Returns a NUL-terminated string the caller frees; *outlen (if not NULL)
 * gets its length.
 */
char *charset_to_utf8(const char *charset, const char *in, size_t len,
    size_t *outlen);

/*
 * The charset name (a static string) that charset_to_utf8() would guess
 * for unlabelled bytes: "us-ascii", "utf-8", "windows-1252" (lone 8-bit
 * letters in Latin words), "windows-1251" or "koi8-u".
 */
const char *charset_guess(const char *in, size_t len);

/* Non-zero when the len bytes are well-formed UTF-8. */
int utf8_valid(const char *in, size_t len);

/*
 * Decodes an unstructured header value (a raw, possibly folded value as it
 * stands after "Name:", possibly followed by further header lines, which
 * end it): unfolds, decodes encoded words (whitespace between adjacent
 * words dropped, bytes of adjacent words of one charset joined before
 * conversion so a character split across words survives), converts raw
 * 8-bit text, turns control characters into spaces and trims.
 * Returns UTF-8 the caller frees.
 */
char *rfc2047_decode(const char *in, size_t len);

#endif
