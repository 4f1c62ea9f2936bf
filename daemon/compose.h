/*
 * compose: writes one outgoing RFC 5322 message (GMime) — From, To/Cc,
 * RFC 2047 subject and names, Date, mistok's own Message-ID, threading
 * (In-Reply-To, References, Thread-Index/Thread-Topic), the no-loop marks,
 * text + HTML (+ more alternatives, attachments) in 7-bit encodings with
 * CRLF line ends — as raw bytes for the outbox. Every header value is
 * stripped of control characters before it is set. It does no I/O, sends
 * nothing and renders no templates (mailtmpl.h does).
 */
#ifndef MISTOK_COMPOSE_H
#define MISTOK_COMPOSE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct buf;
struct compose;
struct config;
struct db;

/*
 * A new message from "from_name <from_email>" (the team). domain is the
 * right side of mistok's Message-IDs (<mistok.RANDOM@domain>). Strings are
 * copied. Free with compose_free().
 *
 * The setters below never fail: a bad value (an address that is not
 * local@domain, a header name that is not a token …) is remembered and
 * compose_write() then fails with that error. Text arguments are UTF-8.
 */
struct compose *compose_new(const char *from_name, const char *from_email,
    const char *domain);
/* compose_new() from the config's [team] name, address and domain. */
struct compose *compose_new_team(const struct config *);
void compose_free(struct compose *);

/* Recipients; name may be NULL. Bcc never appears in the header. */
void compose_add_to(struct compose *, const char *name, const char *email);
void compose_add_cc(struct compose *, const char *name, const char *email);
void compose_add_bcc(struct compose *, const char *email);
void compose_set_reply_to(struct compose *, const char *name,
    const char *email);

void compose_set_subject(struct compose *, const char *subject);
/* The Date header; default clock_now() at compose_write(). */
void compose_set_date(struct compose *, time_t);
/*
 * The Message-ID (without <>), e.g. to rebuild a mail with the same ID;
 * default: a fresh <mistok.RANDOM@domain> made by compose_new().
 */
void compose_set_message_id(struct compose *, const char *id);
/* The Message-ID without <>; valid while c lives. */
const char *compose_message_id(const struct compose *);

/*
 * Continues a conversation: parent_id is the Message-ID (without <>) of
 * the mail answered (it becomes In-Reply-To and the last References
 * entry), parent_refs its References (NULL-terminated, may be NULL),
 * parent_thread_index its raw Thread-Index (may be NULL) and own_id
 * mistok's own earlier Message-ID in this conversation (may be NULL; kept
 * in References even when the partner's client dropped it, since Gmail
 * and SES may rewrite IDs). Malformed IDs are skipped. Without a parent
 * Thread-Index a new conversation index is started.
 */
void compose_set_parent(struct compose *, const char *parent_id,
    const char *const *parent_refs, const char *parent_thread_index,
    const char *own_id);
/* Thread-Topic; default: the subject without reply prefixes and [tags]. */
void compose_set_thread_topic(struct compose *, const char *topic);

/*
 * An extra header (name: a token, not one compose writes itself). The
 * value is unstructured text, RFC 2047-encoded when not ASCII.
 */
void compose_add_header(struct compose *, const char *name,
    const char *value);

/*
 * The body. text (required) and html (optional) are UTF-8 with LF or
 * CRLF line ends; they become text/plain and text/html in quoted-printable
 * inside multipart/alternative (text alone when there is nothing else).
 */
void compose_set_text(struct compose *, const char *text, size_t len);
void compose_set_html(struct compose *, const char *html, size_t len);
/*
 * One more alternative after text and HTML, e.g. content_type
 * "text/calendar; method=REQUEST; charset=UTF-8" with the iCalendar bytes
 * (written as they are, base64). Order is kept.
 */
void compose_add_alternative(struct compose *, const char *content_type,
    const char *data, size_t len);
/*
 * An attachment (base64, Content-Disposition: attachment; filename
 * RFC 2231-encoded when not ASCII). With any attachment the message is
 * multipart/mixed with the alternative part first (old Outlook reads only
 * the first child).
 */
void compose_add_attachment(struct compose *, const char *filename,
    const char *content_type, const char *data, size_t len);

/*
 * Writes the message to out (appended): 7-bit bytes only, CRLF line ends,
 * header lines folded at 78 columns where they have white space. Returns 0,
 * or -1 with *err set (caller frees) on the first bad value given to a
 * setter, no recipient, or no text body. May be called again: the same
 * Message-ID and Date (once set) are used.
 */
int compose_write(struct compose *, struct buf *out, char **err);

/*
 * Envelope recipients (To, Cc, Bcc, lower-cased, each once), NULL
 * terminated; valid while c lives and no recipient is added.
 */
const char *const *compose_rcpts(struct compose *);

/*
 * Every header value compose writes goes through this: each run of control
 * characters (CR, LF, TAB, the rest of C0 and DEL) becomes one space and
 * the ends are trimmed. Returns a new string (caller frees); NULL for NULL.
 */
char *compose_clean(const char *s);

/*
 * Records msgid (without <>) as mistok's own in own_ids: what it was about
 * (kind: "followup", "notice", "reminder", "invite" …, and the object's id
 * or 0) and the partnership (0 when none). Recording an ID again updates
 * it. Returns 0, or -1 with *err set (caller frees).
 */
int compose_record_own_id(struct db *, const char *msgid, const char *kind,
    int64_t object, int64_t partnership, char **err);

/*
 * Looks msgid up in own_ids: returns 1 with *kind (caller frees), *object
 * and *partnership (0 for NULL) set, 0 when it is not mistok's, -1 on a
 * database error. Any output pointer may be NULL.
 */
int compose_own_id(struct db *, const char *msgid, char **kind,
    int64_t *object, int64_t *partnership);

#endif
