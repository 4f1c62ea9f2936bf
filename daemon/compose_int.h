/*
 * compose_int: what compose.c (the message and its MIME structure) and
 * compose_hdr.c (the top-level header, Message-ID and Thread-Index)
 * share: struct compose itself and the header helpers. Internal to
 * compose: nothing else includes it, and it never adds to compose.h.
 */
#ifndef MISTOK_COMPOSE_INT_H
#define MISTOK_COMPOSE_INT_H

#include <stddef.h>
#include <time.h>

struct buf;

struct part {
	char	*type;		/* full content type with parameters */
	char	*name;		/* attachment file name, NULL for alternatives */
	char	*data;
	size_t	 len;
};

struct rcpt {
	char	*name;		/* NULL when none */
	char	*email;
};

struct hdr {
	char	*name;
	char	*value;
};

struct compose {
	char		*from_name;
	char		*from_email;
	char		*domain;
	char		*msgid;
	char		*subject;
	char		*topic;
	time_t		 date;

	struct rcpt	*to, *cc, *bcc, *reply_to;
	size_t		 nto, ncc, nbcc, nreply_to;

	char		*in_reply_to;
	char		**refs;		/* NULL-terminated, cleaned */
	char		*thread_index;	/* base64, our value */

	struct hdr	*hdrs;
	size_t		 nhdrs;

	char		*text;
	size_t		 text_len;
	char		*html;
	size_t		 html_len;
	struct part	*alts;
	size_t		 nalts;
	struct part	*atts;
	size_t		 natts;

	char		**rcpts;	/* compose_rcpts() result */
	char		*error;		/* the first bad value, or NULL */
};

/* 1 when s is a msg-id's inside (no <>, white space or controls). */
int compose_valid_msgid(const char *s);

/* The id without surrounding blanks and <>; NULL when not valid. The
 * caller frees the result. */
char *compose_clean_msgid(const char *s);

/* <mistok.TIME.RANDOM@domain>: base32 of 80 random bits. The caller frees
 * the result. */
char *compose_new_msgid(const char *domain);

/* A new Thread-Index value (base64), the caller g_free()s it. */
char *compose_thread_index_new(time_t now);

/* The child of a parent's Thread-Index, NULL when the parent's value is
 * not a valid index; the caller g_free()s it. */
char *compose_thread_index_child(const char *parent, time_t now);

/* Appends c's top-level header, from From to MIME-Version, with CRLF
 * line ends, to msg. c->date and c->thread_index are set. */
void compose_hdr_write(struct compose *c, struct buf *msg);

#endif
