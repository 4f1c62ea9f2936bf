/*
 * mime: turns one raw RFC 5322 message into a parsed, UTF-8 struct msg —
 * headers (own RFC 2047 decoder), addresses, date, the readable body (HTML
 * reduced to text), attachments (recorded, never stored), iMIP calendar
 * parts, and the kind (own, bounce, auto-reply, iMIP, list, correspondence).
 * Never crashes on input, never does I/O, never decides commands or
 * partnerships. GMime lives here (mime.c) and nowhere else.
 */
#ifndef MISTOK_MIME_H
#define MISTOK_MIME_H

#include <stddef.h>
#include <time.h>

struct msg_addr {
	char	*name;		/* decoded UTF-8 display name, or NULL */
	char	*email;		/* lower-cased; never NULL ("" when absent) */
};

struct msg_attachment {
	char	*name;		/* decoded (RFC 2231/2047) file name or NULL */
	char	*type;		/* lower-case "type/subtype" */
	size_t	 size;		/* decoded size in bytes */
};

struct msg_calendar {
	char	*method;	/* upper-case METHOD (param, else body), or NULL */
	char	*text;		/* the part verbatim, converted to UTF-8 */
};

/* A top-level header as it stands: name, value unfolded, not decoded. */
struct msg_header {
	char	*name;
	char	*value;
};

/* DESIGN.md's kind values; msg_kind_name() gives the strings. */
enum msg_kind {
	MSG_CORRESPONDENCE,
	MSG_COMMAND,		/* set by the command module, never here */
	MSG_IMIP,
	MSG_BOUNCE,
	MSG_AUTOREPLY,
	MSG_LIST,
	MSG_OWN,
	MSG_QUARANTINED,	/* set by ingest, never here */
};

struct msg {
	char	*message_id;	/* without <>, NULL if none */
	char	*in_reply_to;	/* one clean msg-id (notmuch's rule) or NULL */
	char	**references;	/* NULL-terminated, in order, garbage dropped */
	char	*subject;	/* UTF-8, never NULL */
	time_t	 date;		/* UTC; 0 when missing or unparseable */

	struct msg_addr	 from;	/* from.email is "" when there is none */
	struct msg_addr	*to, *cc, *reply_to;
	size_t		 nto, ncc, nreply_to;

	char	*list_id;	/* the id inside <>, lower-cased, or NULL */
	char	*thread_index;	/* Outlook's Thread-Index, raw, or NULL */
	char	*thread_topic;	/* decoded, or NULL */
	char	*auto_submitted;/* lower-cased value, or NULL */
	char	*precedence;	/* lower-cased value, or NULL */
	char	**auth_results;	/* Authentication-Results values, topmost
				   first, unfolded; NULL-terminated */

	char	*body;		/* UTF-8 text, never NULL */
	size_t	 body_len;
	size_t	 quote_off;	/* byte offset of the quoted reply, or body_len */
	size_t	 sig_off;	/* byte offset of the "-- " line before the
				   quote, or body_len when there is none */
	int	 body_from_html;/* the body was reduced from text/html */

	struct msg_attachment	*att;
	size_t			 natt;
	struct msg_calendar	*cal;
	size_t			 ncal;

	enum msg_kind	 kind;
	char	**bounced;	/* failed recipients of a bounce, lower-cased,
				   NULL-terminated (empty when none found) */

	char	*content_hash;	/* hex SHA-256 of the raw message when it
				   has no Message-ID (dedupe), else NULL */
	char	*error;		/* parse problems, or NULL: the fields above
				   still hold what could be had */
	int	 truncated;	/* over max_size: headers only */

	struct msg_header	*hdr;	/* every top-level header, in order */
	size_t			 nhdr;
};

struct mime_opts {
	const char	*own_domain;	/* <mistok.…@own_domain> is MSG_OWN */
	size_t		 max_size;	/* 0: no limit; above: headers only */
	int		 headers_only;	/* skip the body and parts */
};

/*
 * Once per process, from the main thread, before any mime_parse();
 * mime_shutdown() at exit (tests: so GMime's globals are not leaks).
 * mime_parse() keeps nothing between calls but the charset converters
 * rfc2047.c holds open (a process-wide cache under a lock), so threads
 * may parse at the same time, each its own message.
 */
void mime_init(void);
void mime_shutdown(void);

/*
 * Parses len bytes of raw (not modified, not retained past the call; it
 * need not be NUL-terminated). Always stores a struct msg in *out that the
 * caller frees with msg_free(): on broken input ->error says what went
 * wrong. opts may be NULL. Returns 0, or -1 only when len is absurd
 * (> 2 GiB) and nothing was parsed (*out is then NULL).
 */
int mime_parse(const char *raw, size_t len, const struct mime_opts *opts,
    struct msg **out);
void msg_free(struct msg *);

/* The DESIGN.md string of a kind: "correspondence", "bounce", … */
const char *msg_kind_name(enum msg_kind);

/*
 * The first top-level header called name (case-insensitive), unfolded and
 * not decoded, or NULL. Valid as long as the msg.
 */
const char *msg_header(const struct msg *, const char *name);

/*
 * Header-field parsers, exposed for tests and other modules. Each returns
 * memory the caller frees.
 */
/* The first msg-id in a Message-ID value, without <>; NULL if none. */
char *mime_parse_msgid(const char *value);
/* notmuch's strict rule: exactly one <id> and nothing else, else NULL. */
char *mime_parse_msgid_strict(const char *value);
/* Every <id> of a References value, in order; NULL-terminated. */
char **mime_parse_references(const char *value);
/* An address list (groups flattened, garbage skipped); returns the count. */
size_t mime_parse_addresses(const char *value, struct msg_addr **out);
/* A date in UTC, 0 when unparseable. */
time_t mime_parse_date(const char *value);

void msg_addr_free_array(struct msg_addr *, size_t);
void strv_free(char **);

#endif
