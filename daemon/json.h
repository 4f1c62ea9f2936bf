/*
 * json: a small strict JSON (RFC 8259) value tree, its parser and its
 * writer. The tree is the data model of the Mustache templates (tmpl.c) and
 * what the CLI's --json output is built from. The parser accepts valid UTF-8
 * only, nests at most JSON_MAX_DEPTH deep and rejects duplicate keys,
 * trailing garbage and "\u0000" (strings are C strings). It never does I/O.
 */
#ifndef MISTOK_JSON_H
#define MISTOK_JSON_H

#include <stddef.h>
#include <stdint.h>

struct buf;

#define JSON_MAX_DEPTH	64

enum json_type {
	JSON_NULL,
	JSON_BOOL,
	JSON_NUMBER,
	JSON_STRING,
	JSON_ARRAY,
	JSON_OBJECT,
};

struct json;

struct json_member {
	char		*key;
	struct json	*value;
};

/*
 * Read the fields directly, build with the constructors below. Objects keep
 * their members in insertion order, and the writer keeps that order.
 */
struct json {
	enum json_type	 type;
	int		 boolean;	/* JSON_BOOL: 0 or 1 */
	int		 is_int;	/* JSON_NUMBER: integer in range */
	int64_t		 integer;	/* valid when is_int */
	double		 number;	/* JSON_NUMBER, always set */
	char		*string;	/* JSON_STRING, valid UTF-8 */
	size_t		 len;		/* items or members */
	size_t		 cap;
	struct json	**items;	/* JSON_ARRAY */
	struct json_member *members;	/* JSON_OBJECT */
};

/*
 * Parses len bytes. Returns a tree the caller frees with json_free(), or
 * NULL with *err (caller frees) set to "LINE:COLUMN: message".
 */
struct json *json_parse(const char *text, size_t len, char **err);
void json_free(struct json *);

/* Constructors; each returns a new value owned by the caller. */
struct json *json_null(void);
struct json *json_bool(int);
struct json *json_int(int64_t);
struct json *json_number(double);
/* Copies s; NULL gives JSON null. s should be UTF-8 (see json_write). */
struct json *json_string(const char *s);
struct json *json_stringn(const char *s, size_t len);
struct json *json_array(void);
struct json *json_object(void);

/* Appends v to array a; a takes ownership of v. Returns v. */
struct json *json_append(struct json *a, struct json *v);
/*
 * Sets key in object o to v (replacing and freeing an old value); o takes
 * ownership of v, key is copied. Returns v.
 */
struct json *json_set(struct json *o, const char *key, struct json *v);
/* Shorthands for json_set(o, key, json_string(s)) and json_int(). */
struct json *json_set_string(struct json *o, const char *key, const char *s);
struct json *json_set_int(struct json *o, const char *key, int64_t);

/*
 * Look-ups; NULL when o is not an object (a not an array) or the key
 * (index) is absent. The result points into the tree.
 */
struct json *json_get(const struct json *o, const char *key);
struct json *json_at(const struct json *a, size_t i);
/* The string of a JSON_STRING value, else NULL. Points into the tree. */
const char *json_str(const struct json *);

/*
 * Writes v as JSON text. JSON_PRETTY indents by two spaces and ends with a
 * newline; otherwise the text is compact. Strings are written as UTF-8 with
 * only '"', '\\' and control characters escaped; an invalid UTF-8 byte
 * becomes U+FFFD so the output is always valid JSON. A number that is not
 * finite is written as null.
 */
#define JSON_PRETTY	0x1
void json_write(struct buf *, const struct json *v, int flags);
/* Writes s as a quoted, escaped JSON string (as above). */
void json_write_string(struct buf *, const char *s);
void json_write_stringn(struct buf *, const char *s, size_t len);

/* 1 when s[0..len) is valid UTF-8 (no overlongs, surrogates, > U+10FFFF). */
int json_utf8_valid(const char *s, size_t len);

#endif
