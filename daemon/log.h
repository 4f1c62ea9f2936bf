/*
 * log: OpenSMTPD's logging API. Lines go to stderr in the foreground (-d)
 * and to syslog (the journal) otherwise. log_trace() prints only for the
 * subsystems enabled with -T (a trace mask). A line names the object it is
 * about: "imap team@c4c.test: UIDVALIDITY changed".
 * Nothing here ever logs a secret: callers must not pass one.
 */
#ifndef MISTOK_LOG_H
#define MISTOK_LOG_H

#include <stdarg.h>

enum trace_subsys {
	TRACE_IMAP	= 0x0001,
	TRACE_SMTP	= 0x0002,
	TRACE_DB	= 0x0004,
	TRACE_MIME	= 0x0008,
	TRACE_THREAD	= 0x0010,
	TRACE_OUTBOX	= 0x0020,
	TRACE_CMD	= 0x0040,
	TRACE_INVITE	= 0x0080,
	TRACE_REMIND	= 0x0100,
	TRACE_CONFIG	= 0x0200,
	TRACE_EVENT	= 0x0400,
	TRACE_ALL	= 0xffff,
};

/* foreground != 0: stderr; else syslog with the given ident. */
void log_init(int foreground, const char *ident);
/* Verbosity: 0 = info and above, 1 = also debug. */
void log_setverbose(int);
int log_getverbose(void);
/*
 * Parses "imap,smtp" or "all" into a mask. Returns -1 and sets *bad to the
 * first unknown name (pointer into a static table or the input) on error.
 */
int log_trace_parse(const char *spec, unsigned *mask, const char **bad);
void log_trace_set(unsigned mask);
int log_trace_enabled(unsigned subsys);
/* The comma-separated list of subsystem names, for usage messages. */
const char *log_trace_names(void);

/*
 * A test hook: when set, every formatted line is passed to fn (in addition
 * to the normal destination).
 */
void log_set_hook(void (*fn)(int prio, const char *line, void *arg), void *);

void log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void log_trace(unsigned subsys, const char *, ...)
    __attribute__((format(printf, 2, 3)));
void fatal(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));
void vlog(int prio, const char *, va_list);

#endif
