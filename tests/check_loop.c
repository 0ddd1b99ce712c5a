/* The event loop: timers in order, watchers that come and go. */
#include <check.h>
#include <unistd.h>

#include "internal.h"
#include "loop.h"

static int order[8], norder;

static void
record(void *arg)
{
	order[norder++] = (int)(intptr_t)arg;
}

START_TEST(test_timers_fire_in_order)
{
	struct sc_loop loop;
	struct sc_timer t[3];
	int guard = 0;

	memset(t, 0, sizeof(t));
	norder = 0;
	sc_loop_init(&loop);
	sc_timer_start(&loop, &t[0], 30, record, (void *)(intptr_t)3);
	sc_timer_start(&loop, &t[1], 10, record, (void *)(intptr_t)1);
	sc_timer_start(&loop, &t[2], 20, record, (void *)(intptr_t)2);
	while (norder < 3 && guard++ < 100)
		ck_assert_int_eq(sc_loop_once(&loop, 100), SC_OK);
	ck_assert_int_eq(norder, 3);
	ck_assert_int_eq(order[0], 1);
	ck_assert_int_eq(order[1], 2);
	ck_assert_int_eq(order[2], 3);
	ck_assert_int_eq(sc_loop_next_timeout(&loop), -1);
	sc_loop_clear(&loop);
}
END_TEST

START_TEST(test_stopped_timer_does_not_fire)
{
	struct sc_loop loop;
	struct sc_timer t;

	memset(&t, 0, sizeof(t));
	norder = 0;
	sc_loop_init(&loop);
	sc_timer_start(&loop, &t, 0, record, (void *)(intptr_t)1);
	sc_timer_stop(&loop, &t);
	sc_timer_stop(&loop, &t); /* twice is harmless */
	ck_assert_int_eq(sc_loop_once(&loop, 0), SC_OK);
	ck_assert_int_eq(norder, 0);
	sc_loop_clear(&loop);
}
END_TEST

static uint64_t fired_due[4096], fired_seq[4096];
static int nfired;

static void
record_due(void *arg)
{
	const struct sc_timer *t = arg;

	fired_seq[nfired] = t->seq;
	fired_due[nfired++] = t->due;
}

/* Many timers armed, re-armed and stopped in a scrambled order: every
 * armed one fires once, in order of due time, and no stopped one does. */
START_TEST(test_many_timers_in_order)
{
	struct sc_loop loop;
	static struct sc_timer t[200];
	unsigned seed = 12345;
	int i, armed = 0, guard = 0;

	memset(t, 0, sizeof(t));
	nfired = 0;
	sc_loop_init(&loop);
	for (i = 0; i < 200; i++) {
		seed = seed * 1103515245u + 12345u;
		sc_timer_start(&loop, &t[i], (seed >> 16) % 40, record_due, &t[i]);
	}
	for (i = 0; i < 200; i += 3) {
		seed = seed * 1103515245u + 12345u;
		sc_timer_start(&loop, &t[i], (seed >> 16) % 40, record_due, &t[i]);
	}
	for (i = 1; i < 200; i += 5)
		sc_timer_stop(&loop, &t[i]);
	for (i = 0; i < 200; i++)
		armed += t[i].armed;
	while (loop.timers != NULL && guard++ < 200)
		ck_assert_int_eq(sc_loop_once(&loop, 100), SC_OK);
	ck_assert_int_eq(nfired, armed);
	for (i = 1; i < nfired; i++)
		ck_assert(fired_due[i - 1] <= fired_due[i]);
	sc_loop_clear(&loop);
}
END_TEST

/* The heap under churn: thousands of timers, most re-armed or stopped
 * from anywhere in the heap (its root, first children, deep siblings),
 * some stopped from inside callbacks.  Every armed one fires once, in
 * order of due time and, for equal due times, in the order armed. */
static struct sc_timer churn[3000];
static struct sc_loop *churn_loop;

static void
record_and_stop(void *arg)
{
	struct sc_timer *t = arg;
	size_t i = (size_t)(t - churn);

	record_due(arg);
	/* A callback stops a timer further on, as a finished job does. */
	if (i + 7 < SC_ARRAY_LEN(churn))
		sc_timer_stop(churn_loop, &churn[i + 7]);
}

START_TEST(test_timer_heap_churn)
{
	struct sc_loop loop;
	unsigned seed = 777;
	size_t i, n = SC_ARRAY_LEN(churn);
	int round, guard = 0;

	memset(churn, 0, sizeof(churn));
	nfired = 0;
	sc_loop_init(&loop);
	churn_loop = &loop;
	for (round = 0; round < 4; round++) {
		for (i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			if ((seed >> 16) % 5 == 0)
				sc_timer_stop(&loop, &churn[i]);
			else
				sc_timer_start(&loop, &churn[i], (seed >> 16) % 30,
				    record_and_stop, &churn[i]);
		}
	}
	while (loop.timers != NULL && guard++ < 1000)
		ck_assert_int_eq(sc_loop_once(&loop, 100), SC_OK);
	ck_assert_ptr_null(loop.timers);
	ck_assert_int_gt(nfired, 100);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(churn[i].armed, 0);
	for (i = 1; i < (size_t)nfired; i++)
		ck_assert(fired_due[i - 1] < fired_due[i] ||
		    (fired_due[i - 1] == fired_due[i] &&
		    fired_seq[i - 1] < fired_seq[i]));
	sc_loop_clear(&loop);
}
END_TEST

struct pipe_state {
	struct sc_loop *loop;
	int reads;
};

/* Removes itself from inside its callback: the loop must cope. */
static void
on_readable(int fd, int revents, void *arg)
{
	struct pipe_state *ps = arg;
	char c;

	ck_assert(revents & SC_EV_IN);
	ck_assert_int_eq(read(fd, &c, 1), 1);
	ps->reads++;
	sc_loop_watch(ps->loop, fd, 0, NULL, NULL);
}

START_TEST(test_watch_and_unwatch_in_callback)
{
	struct sc_loop loop;
	struct pipe_state ps = { &loop, 0 };
	int p[2];

	ck_assert_int_eq(pipe(p), 0);
	sc_loop_init(&loop);
	ck_assert_int_eq(sc_loop_watch(&loop, p[0], SC_EV_IN, on_readable, &ps),
	                 SC_OK);
	ck_assert_int_eq(write(p[1], "xy", 2), 2);
	ck_assert_int_eq(sc_loop_once(&loop, 1000), SC_OK);
	ck_assert_int_eq(ps.reads, 1);
	ck_assert_int_eq(loop.nwatch, 0);
	/* Nothing watched, no timer: returns after the wait, no callback. */
	ck_assert_int_eq(sc_loop_once(&loop, 0), SC_OK);
	ck_assert_int_eq(ps.reads, 1);
	close(p[0]);
	close(p[1]);
	sc_loop_clear(&loop);
}
END_TEST

START_TEST(test_watch_out_of_memory)
{
	struct sc_loop loop;

	sc_loop_init(&loop);
	sc_alloc_fail_at(1);
	ck_assert_int_eq(sc_loop_watch(&loop, 0, SC_EV_IN, NULL, NULL),
	                 SC_ENOMEM);
	sc_alloc_fail_at(0);
	sc_loop_clear(&loop);
}
END_TEST

Suite *loop_suite(void)
{
	Suite *s = suite_create("loop");
	TCase *tc = tcase_create("loop");

	tcase_add_test(tc, test_timers_fire_in_order);
	tcase_add_test(tc, test_stopped_timer_does_not_fire);
	tcase_add_test(tc, test_many_timers_in_order);
	tcase_add_test(tc, test_timer_heap_churn);
	tcase_add_test(tc, test_watch_and_unwatch_in_callback);
	tcase_add_test(tc, test_watch_out_of_memory);
	suite_add_tcase(s, tc);
	return s;
}
