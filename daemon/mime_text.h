/*
 * mime_text: text helpers of the MIME modules that need no GMime — HTML
 * reduced to plain text, where a reply's quoted part and signature start,
 * header unfolding. Pure functions over UTF-8 bytes; they never cut text,
 * never allocate behind the caller's back, never log.
 */
#ifndef MISTOK_MIME_TEXT_H
#define MISTOK_MIME_TEXT_H

#include <stddef.h>

/*
 * Reduces UTF-8 HTML to text: script, style and head dropped, block
 * elements and <br> become line breaks, white space collapsed, entities
 * (named, &#decimal;, &#xhex;) decoded, &nbsp; a plain space. Returns a
 * string the caller frees; *outlen (if not NULL) gets its length.
 */
char *html_to_text(const char *html, size_t len, size_t *outlen);

/*
 * Offset in body where the quoted earlier message starts: an attribution
 * ("On … wrote:", "… пише:", "… написал(а):"), Outlook's "-----Original
 * Message-----" or a "From:"/"Sent:" block, or a run of ">" lines that
 * lasts to the end. len when there is none.
 */
size_t text_quote_offset(const char *body, size_t len);

/*
 * Offset of the signature separator line ("-- ", also "--") before limit
 * (pass the quote offset: a signature inside the quote is not the
 * sender's); len when there is none.
 */
size_t text_sig_offset(const char *body, size_t len, size_t limit);

/*
 * Copies a raw header value unfolded: CR/LF of folds removed, other
 * control characters turned into spaces, cut at a line break that is not
 * a fold, trimmed. The caller frees.
 */
char *hdr_unfold(const char *value);

/* A copy of the UTF-8 string s with ASCII and Cyrillic letters in lower
 * case (other bytes as they are), for matching lower-case words with
 * strstr(). The caller frees. */
char *utf8_lower(const char *s);

#endif
