/*
 * event: poll(2) loop, sorted timer list, self-pipe signals.
 *
 * Few watchers live in a daemon (the IMAP socket, a timer per module), so
 * plain arrays and a sorted list beat a heap for clarity. Callbacks may
 * stop and free watchers at any point of a round: stopping an fd watcher
 * also clears its entry in the round being dispatched, and timers are
 * unlinked before their callback runs.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "event.h"
#include "log.h"
#include "util.h"

#define EV_NSIG	65

struct ev_loop {
	struct ev_io	**ios;		/* started watchers; NULL = removed */
	size_t		  nios;
	size_t		  capios;
	struct ev_io	**polled;	/* this round's, parallel to pfds */
	struct pollfd	 *pfds;
	size_t		  npolled;
	size_t		  cappolled;
	struct ev_timer	 *timers;	/* sorted by (deadline, seq) */
	uint64_t	  seq;
	int		  dispatching;
	int		  brk;
};

/* Signals are per process: one table, one pipe. */
static int sig_pipe[2] = { -1, -1 };
static struct ev_loop *sig_loop;
static struct {
	void	(*cb)(int, void *);
	void	*arg;
} sig_handlers[EV_NSIG];

int64_t
ev_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct ev_loop *
ev_loop_new(void)
{
	return xcalloc(1, sizeof(struct ev_loop));
}

void
ev_loop_free(struct ev_loop *loop)
{
	struct ev_timer *t, *next;
	size_t i;
	int s;

	if (loop == NULL)
		return;
	for (i = 0; i < loop->nios; i++)
		if (loop->ios[i] != NULL)
			loop->ios[i]->active = 0;
	for (t = loop->timers; t != NULL; t = next) {
		next = t->next;
		t->active = 0;
		t->next = NULL;
	}
	if (sig_loop == loop) {
		for (s = 1; s < EV_NSIG; s++)
			if (sig_handlers[s].cb != NULL) {
				signal(s, SIG_DFL);
				sig_handlers[s].cb = NULL;
			}
		close(sig_pipe[0]);
		close(sig_pipe[1]);
		sig_pipe[0] = sig_pipe[1] = -1;
		sig_loop = NULL;
	}
	free(loop->ios);
	free(loop->polled);
	free(loop->pfds);
	free(loop);
}

void
ev_io_init(struct ev_io *io, struct ev_loop *loop, int fd, int events,
    void (*cb)(struct ev_io *, int, void *), void *arg)
{
	memset(io, 0, sizeof(*io));
	io->loop = loop;
	io->fd = fd;
	io->events = events;
	io->cb = cb;
	io->arg = arg;
}

void
ev_io_start(struct ev_io *io)
{
	struct ev_loop *loop = io->loop;

	if (io->active)
		return;
	if (loop->nios == loop->capios) {
		loop->capios = loop->capios ? loop->capios * 2 : 8;
		loop->ios = xreallocarray(loop->ios, loop->capios,
		    sizeof(*loop->ios));
	}
	loop->ios[loop->nios++] = io;
	io->active = 1;
}

static void
compact_ios(struct ev_loop *loop)
{
	size_t i, j;

	for (i = j = 0; i < loop->nios; i++)
		if (loop->ios[i] != NULL)
			loop->ios[j++] = loop->ios[i];
	loop->nios = j;
}

void
ev_io_stop(struct ev_io *io)
{
	struct ev_loop *loop = io->loop;
	size_t i;

	if (!io->active)
		return;
	io->active = 0;
	for (i = 0; i < loop->nios; i++)
		if (loop->ios[i] == io)
			loop->ios[i] = NULL;
	for (i = 0; i < loop->npolled; i++)
		if (loop->polled[i] == io)
			loop->polled[i] = NULL;
	if (!loop->dispatching)
		compact_ios(loop);
}

void
ev_io_set(struct ev_io *io, int events)
{
	io->events = events;
}

void
ev_timer_init(struct ev_timer *t, struct ev_loop *loop,
    void (*cb)(struct ev_timer *, void *), void *arg)
{
	memset(t, 0, sizeof(*t));
	t->loop = loop;
	t->cb = cb;
	t->arg = arg;
}

static void
timer_link(struct ev_timer *t)
{
	struct ev_timer **pp;

	t->seq = t->loop->seq++;
	for (pp = &t->loop->timers; *pp != NULL; pp = &(*pp)->next)
		if ((*pp)->deadline > t->deadline)
			break;
	t->next = *pp;
	*pp = t;
	t->active = 1;
}

void
ev_timer_stop(struct ev_timer *t)
{
	struct ev_timer **pp;

	if (!t->active)
		return;
	for (pp = &t->loop->timers; *pp != NULL; pp = &(*pp)->next)
		if (*pp == t) {
			*pp = t->next;
			break;
		}
	t->next = NULL;
	t->active = 0;
}

void
ev_timer_start(struct ev_timer *t, int64_t delay_ms, int64_t interval_ms)
{
	ev_timer_stop(t);
	t->deadline = ev_now_ms() + (delay_ms > 0 ? delay_ms : 0);
	t->interval = interval_ms > 0 ? interval_ms : 0;
	timer_link(t);
}

static void
sig_handler(int signo)
{
	int saved = errno;
	unsigned char c = (unsigned char)signo;

	if (sig_pipe[1] != -1)
		(void)!write(sig_pipe[1], &c, 1);
	errno = saved;
}

int
ev_signal(struct ev_loop *loop, int signo, void (*cb)(int, void *),
    void *arg)
{
	struct sigaction sa;
	int i;

	if (signo <= 0 || signo >= EV_NSIG ||
	    (sig_loop != NULL && sig_loop != loop)) {
		errno = EINVAL;
		return -1;
	}
	if (sig_pipe[0] == -1) {
		if (pipe2(sig_pipe, O_CLOEXEC | O_NONBLOCK) == -1)
			return -1;
		sig_loop = loop;
	}
	sig_handlers[signo].cb = cb;
	sig_handlers[signo].arg = arg;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = sig_handler;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	if (sigaction(signo, &sa, NULL) == -1) {
		i = errno;
		sig_handlers[signo].cb = NULL;
		errno = i;
		return -1;
	}
	return 0;
}

/* Reads the pipe dry, then runs each signal's callback once. */
static int
dispatch_signals(void)
{
	unsigned char buf[64];
	char seen[EV_NSIG] = { 0 };
	ssize_t n, i;
	int s, ran = 0;

	while ((n = read(sig_pipe[0], buf, sizeof(buf))) > 0)
		for (i = 0; i < n; i++)
			if (buf[i] < EV_NSIG)
				seen[buf[i]] = 1;
	for (s = 1; s < EV_NSIG; s++)
		if (seen[s] && sig_handlers[s].cb != NULL) {
			log_trace(TRACE_EVENT, "event: signal %d", s);
			sig_handlers[s].cb(s, sig_handlers[s].arg);
			ran++;
		}
	return ran;
}

int
ev_run_once(struct ev_loop *loop, int timeout_ms)
{
	struct ev_timer *t;
	struct ev_io *io;
	int64_t now, wait;
	uint64_t seq_before;
	size_t i, n, want;
	int rc, sigidx = -1, ran = 0, rev;

	want = loop->nios + 1;
	if (want > loop->cappolled) {
		loop->cappolled = want * 2;
		loop->pfds = xreallocarray(loop->pfds, loop->cappolled,
		    sizeof(*loop->pfds));
		loop->polled = xreallocarray(loop->polled, loop->cappolled,
		    sizeof(*loop->polled));
	}
	n = 0;
	for (i = 0; i < loop->nios; i++) {
		if ((io = loop->ios[i]) == NULL)
			continue;
		loop->pfds[n].fd = io->fd;
		loop->pfds[n].events = (short)io->events;
		loop->pfds[n].revents = 0;
		loop->polled[n++] = io;
	}
	if (sig_loop == loop && sig_pipe[0] != -1) {
		sigidx = (int)n;
		loop->pfds[n].fd = sig_pipe[0];
		loop->pfds[n].events = POLLIN;
		loop->pfds[n].revents = 0;
		loop->polled[n++] = NULL;
	}
	loop->npolled = n;

	if (loop->timers != NULL) {
		wait = loop->timers->deadline - ev_now_ms();
		if (wait < 0)
			wait = 0;
		if (timeout_ms < 0 || wait < timeout_ms)
			timeout_ms = wait > INT32_MAX ? INT32_MAX : (int)wait;
	}
	rc = poll(loop->pfds, (nfds_t)n, timeout_ms);
	if (rc == -1) {
		if (errno != EINTR) {
			loop->npolled = 0;
			return -1;
		}
		for (i = 0; i < n; i++)
			loop->pfds[i].revents = 0;
	}

	loop->dispatching = 1;
	seq_before = loop->seq;
	if (sigidx != -1 && loop->pfds[sigidx].revents)
		ran += dispatch_signals();
	for (i = 0; i < n; i++) {
		if ((int)i == sigidx || loop->pfds[i].revents == 0 ||
		    (io = loop->polled[i]) == NULL)
			continue;
		rev = loop->pfds[i].revents;
		log_trace(TRACE_EVENT, "event: fd %d ready 0x%x", io->fd, rev);
		io->cb(io, rev, io->arg);
		ran++;
	}
	loop->npolled = 0;

	now = ev_now_ms();
	/*
	 * Timers armed by this round's callbacks wait for the next one. A
	 * break (SIGTERM) ends the round before any timer: a timer callback
	 * may block (an IDLE slice) and would delay the stop.
	 */
	while (!loop->brk && (t = loop->timers) != NULL && t->deadline <= now &&
	    t->seq < seq_before) {
		loop->timers = t->next;
		t->next = NULL;
		t->active = 0;
		if (t->interval > 0) {
			t->deadline += t->interval;
			if (t->deadline <= now)
				t->deadline = now + t->interval;
			timer_link(t);
		}
		t->cb(t, t->arg);
		ran++;
	}
	loop->dispatching = 0;
	compact_ios(loop);
	return ran;
}

int
ev_run(struct ev_loop *loop)
{
	loop->brk = 0;
	while (!loop->brk)
		if (ev_run_once(loop, -1) == -1) {
			log_warn("event: poll");
			return -1;
		}
	return 0;
}

void
ev_break(struct ev_loop *loop)
{
	loop->brk = 1;
}
