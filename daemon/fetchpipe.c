/*
 * fetchpipe: a producer thread (imap_fetch() and the parse function) and
 * the caller as consumer, one mutex and two condition variables over a
 * FIFO of items. The producer blocks while the queue holds max_cost
 * bytes; the caller blocks while it is empty and the fetch goes on.
 * Signals stay with the caller's thread.
 */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "fetchpipe.h"
#include "log.h"
#include "util.h"

struct item {
	struct item	*next;
	struct imap_msg	 m;		/* raw NULL */
	void		*data;
	size_t		 cost;
};

struct fetchpipe {
	pthread_t		 th;
	pthread_mutex_t		 mu;
	pthread_cond_t		 can_put, can_get;
	struct item		*head, *tail;
	size_t			 cost, max_cost;
	int			 done, stop;
	enum imap_status	 st;
	char			*err;

	/* The fetch thread's, fixed before it starts. */
	struct imap		*imap;
	uint32_t		 from, to;
	struct imap_fetch_opts	 opts;
	int			 have_opts;
	fetchpipe_parse_fn	 parse;
	void			*arg;
};

/* imap_fetch()'s callback, on the fetch thread. */
static int
put(void *arg, const struct imap_msg *m)
{
	struct fetchpipe *p = arg;
	struct item *it;

	pthread_mutex_lock(&p->mu);
	if (p->stop) {
		pthread_mutex_unlock(&p->mu);
		return -1;
	}
	pthread_mutex_unlock(&p->mu);

	it = xcalloc(1, sizeof(*it));
	it->m = *m;
	it->m.raw = NULL;
	it->data = p->parse(p->arg, m, &it->cost);

	pthread_mutex_lock(&p->mu);
	while (!p->stop && p->head != NULL &&
	    p->cost + it->cost > p->max_cost)
		pthread_cond_wait(&p->can_put, &p->mu);
	if (p->tail != NULL)
		p->tail->next = it;
	else
		p->head = it;
	p->tail = it;
	p->cost += it->cost;
	pthread_cond_signal(&p->can_get);
	pthread_mutex_unlock(&p->mu);
	return 0;
}

static void *
run(void *arg)
{
	struct fetchpipe *p = arg;
	enum imap_status st;
	char *err = NULL;

	st = imap_fetch(p->imap, p->from, p->to, p->have_opts ? &p->opts :
	    NULL, put, p, NULL, &err);
	pthread_mutex_lock(&p->mu);
	p->st = st;
	p->err = err;
	p->done = 1;
	pthread_cond_signal(&p->can_get);
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

struct fetchpipe *
fetchpipe_start(struct imap *imap, uint32_t from, uint32_t to,
    const struct imap_fetch_opts *opts, fetchpipe_parse_fn parse, void *arg,
    size_t max_cost)
{
	struct fetchpipe *p = xcalloc(1, sizeof(*p));
	sigset_t all, old;
	int rc;

	p->imap = imap;
	p->from = from;
	p->to = to;
	if (opts != NULL) {
		p->opts = *opts;
		p->have_opts = 1;
	}
	p->parse = parse;
	p->arg = arg;
	p->max_cost = max_cost;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->can_put, NULL);
	pthread_cond_init(&p->can_get, NULL);
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	rc = pthread_create(&p->th, NULL, run, p);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		log_warnx("fetch: no thread (%s); fetching and parsing in turn",
		    strerror(rc));
		pthread_cond_destroy(&p->can_get);
		pthread_cond_destroy(&p->can_put);
		pthread_mutex_destroy(&p->mu);
		free(p);
		return NULL;
	}
	return p;
}

int
fetchpipe_next(struct fetchpipe *p, struct imap_msg *m, void **item)
{
	struct item *it;

	pthread_mutex_lock(&p->mu);
	while (p->head == NULL && !p->done)
		pthread_cond_wait(&p->can_get, &p->mu);
	if ((it = p->head) == NULL) {
		pthread_mutex_unlock(&p->mu);
		return 0;
	}
	if ((p->head = it->next) == NULL)
		p->tail = NULL;
	p->cost -= it->cost;
	pthread_cond_signal(&p->can_put);
	pthread_mutex_unlock(&p->mu);
	*m = it->m;
	*item = it->data;
	free(it);
	return 1;
}

enum imap_status
fetchpipe_finish(struct fetchpipe *p, void (*free_item)(void *), char **err)
{
	struct item *it;
	enum imap_status st;

	pthread_mutex_lock(&p->mu);
	p->stop = 1;
	pthread_cond_signal(&p->can_put);
	pthread_mutex_unlock(&p->mu);
	pthread_join(p->th, NULL);
	while ((it = p->head) != NULL) {
		p->head = it->next;
		if (free_item != NULL)
			free_item(it->data);
		free(it);
	}
	st = p->st;
	*err = p->err;
	pthread_cond_destroy(&p->can_get);
	pthread_cond_destroy(&p->can_put);
	pthread_mutex_destroy(&p->mu);
	free(p);
	return st;
}
