/*
 * log: stderr or syslog, verbosity, per-subsystem trace mask.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "log.h"

static int foreground = 1;
static int verbose;
static unsigned trace_mask;
static void (*hook)(int, const char *, void *);
static void *hook_arg;

static const struct {
	const char	*name;
	unsigned	 bit;
} subsys[] = {
	{ "imap", TRACE_IMAP },		{ "smtp", TRACE_SMTP },
	{ "db", TRACE_DB },		{ "mime", TRACE_MIME },
	{ "thread", TRACE_THREAD },	{ "outbox", TRACE_OUTBOX },
	{ "cmd", TRACE_CMD },		{ "invite", TRACE_INVITE },
	{ "remind", TRACE_REMIND },	{ "config", TRACE_CONFIG },
	{ "event", TRACE_EVENT },	{ "all", TRACE_ALL },
};

void
log_init(int fg, const char *ident)
{
	foreground = fg;
	if (!fg)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	tzset();
}

void
log_setverbose(int v)
{
	verbose = v;
}

int
log_getverbose(void)
{
	return verbose;
}

int
log_trace_parse(const char *spec, unsigned *mask, const char **bad)
{
	const char *p = spec, *e;
	size_t i, n;

	*mask = 0;
	while (*p) {
		e = strchr(p, ',');
		n = e ? (size_t)(e - p) : strlen(p);
		for (i = 0; i < sizeof(subsys) / sizeof(subsys[0]); i++)
			if (strlen(subsys[i].name) == n &&
			    strncmp(subsys[i].name, p, n) == 0)
				break;
		if (i == sizeof(subsys) / sizeof(subsys[0])) {
			if (bad)
				*bad = p;
			return -1;
		}
		*mask |= subsys[i].bit;
		p += n;
		if (*p == ',')
			p++;
	}
	return 0;
}

void
log_trace_set(unsigned m)
{
	trace_mask = m;
}

int
log_trace_enabled(unsigned s)
{
	return (trace_mask & s) != 0;
}

const char *
log_trace_names(void)
{
	return "imap,smtp,db,mime,thread,outbox,cmd,invite,remind,config,"
	    "event,all";
}

void
log_set_hook(void (*fn)(int, const char *, void *), void *arg)
{
	hook = fn;
	hook_arg = arg;
}

void
vlog(int prio, const char *fmt, va_list ap)
{
	char line[4096];
	size_t n;

	vsnprintf(line, sizeof(line), fmt, ap);
	/* One event, one line: never let data break the log format. */
	for (n = 0; line[n]; n++)
		if (line[n] == '\n' || line[n] == '\r')
			line[n] = ' ';
	if (hook)
		hook(prio, line, hook_arg);
	if (foreground)
		fprintf(stderr, "%s\n", line);
	else
		syslog(prio, "%s", line);
}

static void
logit(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
logit(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(prio, fmt, ap);
	va_end(ap);
}

static void
vwarn_errno(int prio, int saved, const char *fmt, va_list ap)
{
	char msg[4096];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	logit(prio, "%s: %s", msg, strerror(saved));
}

void
log_warn(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	if (fmt == NULL)
		logit(LOG_ERR, "%s", strerror(saved));
	else
		vwarn_errno(LOG_ERR, saved, fmt, ap);
	va_end(ap);
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_ERR, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_INFO, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (!verbose)
		return;
	va_start(ap, fmt);
	vlog(LOG_DEBUG, fmt, ap);
	va_end(ap);
}

void
log_trace(unsigned s, const char *fmt, ...)
{
	va_list ap;

	if (!(trace_mask & s))
		return;
	va_start(ap, fmt);
	vlog(LOG_DEBUG, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	vwarn_errno(LOG_CRIT, saved, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, fmt, ap);
	va_end(ap);
	exit(1);
}
