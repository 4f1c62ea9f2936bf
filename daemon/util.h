/*
 * util: memory that never fails (out of memory aborts, as in OpenSMTPD),
 * a growable byte buffer, and small string helpers shared by every module.
 * Nothing here does I/O beyond fatal() on allocation failure.
 */
#ifndef MISTOK_UTIL_H
#define MISTOK_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define nitems(a) (sizeof(a) / sizeof((a)[0]))

void *xmalloc(size_t);
void *xcalloc(size_t, size_t);
void *xreallocarray(void *, size_t, size_t);
char *xstrdup(const char *);
char *xstrndup(const char *, size_t);
/* Returns a newly allocated string; the caller frees it. */
char *xasprintf(const char *, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *, va_list);

/*
 * A growable buffer. Always NUL-terminated after any append, so b->data can
 * be read as a string when no NUL was appended. buf_free() releases data;
 * buf_steal() hands it to the caller (who frees it) and resets the buffer.
 */
struct buf {
	char	*data;
	size_t	 len;
	size_t	 cap;
};

void buf_init(struct buf *);
void buf_free(struct buf *);
void buf_reset(struct buf *);
/* Room for more bytes and the NUL after data + len, len unchanged. */
void buf_reserve(struct buf *, size_t more);
void buf_add(struct buf *, const void *, size_t);
void buf_adds(struct buf *, const char *);
void buf_addc(struct buf *, int);
void buf_printf(struct buf *, const char *, ...)
    __attribute__((format(printf, 2, 3)));
char *buf_steal(struct buf *);

/* ASCII-only case helpers; addresses and keywords are compared with these. */
void str_lower(char *);

/*
 * A data directory: configured (NULL: installed, the default under
 * DATADIR), unless that is the installed default and missing because
 * mistok runs from the tree (build/x, build/tests/x, build/asan/tests/x);
 * then the tree's directory tree_dir ("templates", "contrib/holidays")
 * when it exists.
 * Caller frees.
 */
char *data_dir(const char *configured, const char *installed,
    const char *tree_dir);
/* A 64-bit FNV-1a hash of s, as a (signed) database integer: a compact
 * index key where collisions only cost a comparison. */
int64_t str_key(const char *s);
int str_casestarts(const char *s, const char *prefix);
/* Trims ASCII white space in place; returns s. */
char *str_trim(char *s);

/*
 * Time source. Production code asks now(); tests set a fixed clock with
 * clock_set_fake() (0 returns to the real clock).
 */
time_t clock_now(void);
void clock_set_fake(time_t);

/* Formats a UTC instant as 2026-12-01T14:00:00Z into a caller buffer. */
#define ISO8601_LEN 21
void fmt_iso8601(time_t, char out[ISO8601_LEN]);

#endif
