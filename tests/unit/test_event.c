/* event: timer order, repeat and stop, fd readiness, signals into the loop. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "event.h"
#include "log.h"
#include "util.h"

struct rec {
	char	order[16];
	int	n;
};

/* A timer with a one-character tag; the timer comes first. */
struct tagged {
	struct ev_timer	t;
	char		tag;
};

static void
record(struct ev_timer *t, void *arg)
{
	struct rec *r = arg;

	if (r->n < (int)sizeof(r->order) - 1)
		r->order[r->n] = ((struct tagged *)t)->tag;
	r->n++;
}

/* Runs rounds until done() or the bound (2 s) is reached. */
static void
run_until(struct ev_loop *loop, int *counter, int want)
{
	int64_t end = ev_now_ms() + 2000;

	while (*counter < want && ev_now_ms() < end)
		assert_true(ev_run_once(loop, 50) >= 0);
}

static void
timers_fire_in_deadline_order(void **state)
{
	struct ev_loop *loop = ev_loop_new();
	struct tagged t[5];
	struct rec r = { "", 0 };
	static const struct {
		char	tag;
		int	delay;
	} plan[] = { { 'd', 60 }, { 'a', 10 }, { 'c', 40 }, { 'b', 10 },
		     { 'x', 20 } };
	size_t i;
	int64_t start = ev_now_ms();

	for (i = 0; i < nitems(plan); i++) {
		t[i].tag = plan[i].tag;
		ev_timer_init(&t[i].t, loop, record, &r);
		ev_timer_start(&t[i].t, plan[i].delay, 0);
	}
	ev_timer_stop(&t[4].t);		/* 'x' never fires */
	run_until(loop, &r.n, 4);
	/* Wait past x's deadline too: a stopped timer stays silent. */
	while (ev_now_ms() < start + 80)
		ev_run_once(loop, 10);
	assert_int_equal(r.n, 4);
	assert_string_equal(r.order, "abcd");
	assert_true(ev_now_ms() - start >= 60);
	for (i = 0; i < nitems(plan); i++)
		assert_false(t[i].t.active);
	ev_loop_free(loop);
}

static void
count(struct ev_timer *t, void *arg)
{
	(*(int *)arg)++;
}

static void
timer_never_fires_early(void **state)
{
	struct ev_loop *loop = ev_loop_new();
	struct ev_timer t;
	int n = 0;
	int64_t start = ev_now_ms();

	ev_timer_init(&t, loop, count, &n);
	ev_timer_start(&t, 100, 0);
	/* A short poll timeout must not make the timer fire. */
	while (ev_now_ms() - start < 90) {
		ev_run_once(loop, 5);
		if (ev_now_ms() - start < 100)
			assert_int_equal(n, 0);
	}
	run_until(loop, &n, 1);
	assert_int_equal(n, 1);
	assert_true(ev_now_ms() - start >= 100);
	ev_loop_free(loop);
}

static void
repeating_timer_repeats_and_skips_missed_ticks(void **state)
{
	struct ev_loop *loop = ev_loop_new();
	struct ev_timer t;
	int n = 0, i;

	ev_timer_init(&t, loop, count, &n);
	ev_timer_start(&t, 5, 5);
	run_until(loop, &n, 4);
	assert_true(n >= 4);
	assert_true(t.active);

	/* 20 periods pass without the loop running: one catch-up tick. */
	n = 0;
	usleep(100 * 1000);
	ev_run_once(loop, 0);
	assert_int_equal(n, 1);
	ev_timer_stop(&t);
	n = 0;
	for (i = 0; i < 5; i++)
		ev_run_once(loop, 5);
	assert_int_equal(n, 0);
	ev_loop_free(loop);
}

static void
rearm_zero(struct ev_timer *t, void *arg)
{
	(*(int *)arg)++;
	ev_timer_start(t, 0, 0);
}

static void
timer_rearmed_from_its_callback_waits_a_round(void **state)
{
	struct ev_loop *loop = ev_loop_new();
	struct ev_timer t;
	int n = 0;

	ev_timer_init(&t, loop, rearm_zero, &n);
	ev_timer_start(&t, 0, 0);
	assert_int_equal(ev_run_once(loop, 0), 1);
	assert_int_equal(n, 1);
	assert_int_equal(ev_run_once(loop, 0), 1);
	assert_int_equal(n, 2);
	ev_timer_stop(&t);
	ev_loop_free(loop);
}

struct iorec {
	int		 reads;
	int		 writes;
	int		 last;
	struct ev_io	*victim;
};

static void
on_io(struct ev_io *io, int revents, void *arg)
{
	struct iorec *r = arg;
	char c;

	r->last = revents;
	if (revents & EV_READ) {
		r->reads++;
		assert_int_equal(read(io->fd, &c, 1), 1);
	}
	if (revents & EV_WRITE) {
		r->writes++;
		ev_io_stop(io);
	}
}

static void
fd_watchers_see_readiness(void **state)
{
	struct ev_loop *loop = ev_loop_new();
	struct iorec r = { 0 };
	struct ev_io rd, wr;
	int p[2];

	assert_int_equal(pipe(p), 0);
	ev_io_init(&rd, loop, p[0], EV_READ, on_io, &r);
	ev_io_init(&wr, loop, p[1], EV_WRITE, on_io, &r);
	ev_io_start(&rd);
	assert_int_equal(ev_run_once(loop, 20), 0);	/* nothing to read */
	assert_int_equal(r.reads, 0);

	ev_io_start(&wr);				/* a pipe is writable */
	assert_int_equal(ev_run_once(loop, 1000), 1);
	assert_int_equal(r.writes, 1);
	assert_false(wr.active);

	assert_int_equal(write(p[1], "x", 1), 1);
	assert_int_equal(ev_run_once(loop, 1000), 1);
	assert_int_equal(r.reads, 1);
	assert_true(r.last & EV_READ);
	assert_int_equal(ev_run_once(loop, 20), 0);	/* drained */

	ev_io_stop(&rd);
	assert_int_equal(write(p[1], "y", 1), 1);
	assert_int_equal(ev_run_once(loop, 20), 0);	/* not watched */
	assert_int_equal(r.reads, 1);
	close(p[0]);
	close(p[1]);
	ev_loop_free(loop);
}

static void
stop_and_free_other(struct ev_io *io, int revents, void *arg)
{
	struct iorec *r = arg;
	char c;

	r->reads++;
	assert_int_equal(read(io->fd, &c, 1), 1);
	if (r->victim != NULL) {
		ev_io_stop(r->victim);
		free(r->victim);	/* ASan sees any later touch */
		r->victim = NULL;
	}
}

static void
callback_may_stop_and_free_a_ready_watcher(void **state)
{
	struct ev_loop *loop = ev_loop_new();
	struct iorec r = { 0 };
	struct ev_io first, *second = xmalloc(sizeof(*second));
	int p[2], q[2];

	assert_int_equal(pipe(p), 0);
	assert_int_equal(pipe(q), 0);
	ev_io_init(&first, loop, p[0], EV_READ, stop_and_free_other, &r);
	ev_io_init(second, loop, q[0], EV_READ, stop_and_free_other, &r);
	ev_io_start(&first);
	ev_io_start(second);
	r.victim = second;
	/* Both ready in one round: the second must not run once freed. */
	assert_int_equal(write(p[1], "x", 1), 1);
	assert_int_equal(write(q[1], "x", 1), 1);
	assert_int_equal(ev_run_once(loop, 1000), 1);
	assert_int_equal(r.reads, 1);
	assert_null(r.victim);
	ev_io_stop(&first);
	close(p[0]);
	close(p[1]);
	close(q[0]);
	close(q[1]);
	ev_loop_free(loop);
}

struct sigrec {
	int		 hup;
	int		 term;
	struct ev_loop	*loop;
};

static void
on_signal(int signo, void *arg)
{
	struct sigrec *r = arg;

	if (signo == SIGHUP)
		r->hup++;
	if (signo == SIGTERM) {
		r->term++;
		ev_break(r->loop);
	}
}

static void
raise_term(struct ev_timer *t, void *arg)
{
	raise(SIGTERM);
}

static void
too_late(struct ev_timer *t, void *arg)
{
	fail_msg("SIGTERM did not stop the loop");
}

static void
signals_arrive_as_callbacks(void **state)
{
	struct ev_loop *loop = ev_loop_new();
	struct sigrec r = { 0, 0, loop };
	struct ev_timer kick, guard;
	struct sigaction sa;
	int64_t start;

	assert_int_equal(ev_signal(loop, SIGHUP, on_signal, &r), 0);
	assert_int_equal(ev_signal(loop, SIGTERM, on_signal, &r), 0);
	assert_int_equal(ev_signal(loop, 0, on_signal, &r), -1);

	/* Raised outside the loop: delivered in the next round, once. */
	raise(SIGHUP);
	assert_int_equal(r.hup, 0);
	assert_int_equal(ev_run_once(loop, 1000), 1);
	assert_int_equal(r.hup, 1);
	assert_int_equal(ev_run_once(loop, 20), 0);

	/* SIGTERM from a timer ends ev_run promptly. */
	ev_timer_init(&kick, loop, raise_term, NULL);
	ev_timer_init(&guard, loop, too_late, NULL);
	ev_timer_start(&kick, 20, 0);
	ev_timer_start(&guard, 5000, 0);
	start = ev_now_ms();
	assert_int_equal(ev_run(loop), 0);
	assert_int_equal(r.term, 1);
	assert_true(ev_now_ms() - start < 1000);
	ev_timer_stop(&guard);

	/*
	 * A signal that breaks the loop wins over a timer due in the same
	 * round: a blocking timer callback (an IDLE slice) must not run
	 * after SIGTERM. The timer is due before the round begins.
	 */
	ev_timer_start(&guard, 0, 0);
	raise(SIGTERM);
	assert_int_equal(ev_run(loop), 0);
	assert_int_equal(r.term, 2);
	ev_timer_stop(&guard);

	/* Freeing the loop gives the signals back to their defaults. */
	ev_loop_free(loop);
	assert_int_equal(sigaction(SIGHUP, NULL, &sa), 0);
	assert_ptr_equal(sa.sa_handler, SIG_DFL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(timers_fire_in_deadline_order),
		cmocka_unit_test(timer_never_fires_early),
		cmocka_unit_test(repeating_timer_repeats_and_skips_missed_ticks),
		cmocka_unit_test(timer_rearmed_from_its_callback_waits_a_round),
		cmocka_unit_test(fd_watchers_see_readiness),
		cmocka_unit_test(callback_may_stop_and_free_a_ready_watcher),
		cmocka_unit_test(signals_arrive_as_callbacks),
	};

	log_init(1, "test_event");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
