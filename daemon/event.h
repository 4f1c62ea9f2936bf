/*
 * event: the daemon's one loop. poll(2) over file descriptors, one-shot and
 * repeating timers on the monotonic clock, and signals delivered into the
 * loop through a self-pipe (handlers run as ordinary callbacks, never in
 * signal context). Watchers are structs the caller embeds and owns; the
 * loop only links them. It never allocates per event and knows nothing of
 * mail, the database or the config.
 */
#ifndef MISTOK_EVENT_H
#define MISTOK_EVENT_H

#include <stdint.h>

struct ev_loop;

/* poll(2) event bits: EV_READ = POLLIN, EV_WRITE = POLLOUT. */
#define EV_READ		0x001
#define EV_WRITE	0x004

struct ev_io {
	struct ev_loop	*loop;
	int		 fd;
	int		 events;
	int		 active;
	/* revents: EV_READ/EV_WRITE and POLLERR/POLLHUP/POLLNVAL as polled. */
	void		(*cb)(struct ev_io *, int revents, void *arg);
	void		*arg;
};

struct ev_timer {
	struct ev_loop	*loop;
	int64_t		 deadline;	/* ev_now_ms() */
	int64_t		 interval;	/* 0: one-shot */
	uint64_t	 seq;		/* ties fire in the order armed */
	int		 active;
	struct ev_timer	*next;
	void		(*cb)(struct ev_timer *, void *arg);
	void		*arg;
};

/* Milliseconds on the monotonic clock. */
int64_t ev_now_ms(void);

/* A new loop (fatal on failure); ev_loop_free() after its last run. */
struct ev_loop *ev_loop_new(void);
/*
 * Frees the loop. Watchers still active are detached (their memory stays
 * the caller's); signal handlers it installed are reset to SIG_DFL.
 */
void ev_loop_free(struct ev_loop *);

/*
 * fd watchers: init once, start/stop any number of times; callbacks may
 * start and stop any watcher, including their own, and may free a stopped
 * one.
 */
void ev_io_init(struct ev_io *, struct ev_loop *, int fd, int events,
    void (*cb)(struct ev_io *, int revents, void *), void *arg);
void ev_io_start(struct ev_io *);
void ev_io_stop(struct ev_io *);
/* Changes the event mask of a watcher, started or not. */
void ev_io_set(struct ev_io *, int events);

/*
 * Timers: fire after delay_ms, then every interval_ms when that is not 0.
 * A repeating timer that fell behind (a suspended machine, a long
 * callback) fires once and resumes its period from now: missed ticks are
 * not replayed. Restarting an active timer re-arms it.
 */
void ev_timer_init(struct ev_timer *, struct ev_loop *,
    void (*cb)(struct ev_timer *, void *), void *arg);
void ev_timer_start(struct ev_timer *, int64_t delay_ms, int64_t interval_ms);
void ev_timer_stop(struct ev_timer *);

/*
 * Delivers signo into this loop: cb runs from the loop, once per arrival
 * burst (signals of one kind that arrive together may coalesce). One loop
 * per process handles signals. Returns 0 or -1 (errno).
 */
int ev_signal(struct ev_loop *, int signo, void (*cb)(int signo, void *),
    void *arg);

/*
 * Runs one poll round: waits at most timeout_ms (-1: until something
 * happens), dispatches ready fds, due timers and signals. Returns the
 * number of callbacks run, or -1 on a poll error other than EINTR.
 */
int ev_run_once(struct ev_loop *, int timeout_ms);
/* Runs rounds until ev_break(). Returns 0, or -1 on a poll error. */
int ev_run(struct ev_loop *);
void ev_break(struct ev_loop *);

#endif
