/*
 * Event-loop integration: the test is the caller's loop.  It keeps the
 * sockets and the timer the library asks for, polls them itself, and
 * reports readiness with sc_socket_action(), as a libuv or epoll program
 * would.
 */
#include <check.h>
#include <poll.h>
#include <string.h>

#include "internal.h"
#include "loop.h"
#include "scorer.h"
#include "testutil.h"

struct outer {
	struct pollfd fds[64];
	int nfds;
	long timer_ms;        /* -1: none */
	uint64_t timer_set_at;
	int socket_calls, timer_calls, removes;
	int done;
	sc_verdict_t verdict;
};

static void
on_socket(void *ud, int fd, int what)
{
	struct outer *o = ud;
	int i;

	o->socket_calls++;
	for (i = 0; i < o->nfds; i++)
		if (o->fds[i].fd == fd)
			break;
	if (what & SC_POLL_REMOVE) {
		o->removes++;
		if (i < o->nfds)
			o->fds[i] = o->fds[--o->nfds];
		return;
	}
	if (i == o->nfds) {
		ck_assert_int_lt(o->nfds, 64);
		o->nfds++;
	}
	o->fds[i].fd = fd;
	o->fds[i].events = (short)(((what & SC_POLL_IN) ? POLLIN : 0) |
	                           ((what & SC_POLL_OUT) ? POLLOUT : 0));
}

static void
on_timeout(void *ud, long ms)
{
	struct outer *o = ud;

	o->timer_calls++;
	o->timer_ms = ms;
	o->timer_set_at = sc_now_ms();
}

static void
on_done(void *ud, sc_status_t st, sc_report_t *rep)
{
	struct outer *o = ud;

	ck_assert_int_eq(st, SC_OK);
	o->done++;
	o->verdict = sc_report_verdict(rep);
	sc_report_free(rep);
}

/* One turn of the caller's loop. */
static void
turn(sc_ctx_t *ctx, struct outer *o)
{
	struct pollfd fds[64];
	int i, n = o->nfds, wait = -1, rc;

	if (o->timer_ms >= 0) {
		uint64_t due = o->timer_set_at + (uint64_t)o->timer_ms;
		uint64_t now = sc_now_ms();

		wait = due <= now ? 0 : (int)(due - now);
	}
	memcpy(fds, o->fds, sizeof(fds));
	rc = poll(fds, (nfds_t)n, wait < 0 ? 1000 : wait);
	ck_assert_int_ge(rc, 0);
	for (i = 0; i < n && rc > 0; i++) {
		int ev = 0;

		if (fds[i].revents & (POLLIN | POLLHUP | POLLERR))
			ev |= SC_POLL_IN;
		if (fds[i].revents & POLLOUT)
			ev |= SC_POLL_OUT;
		if (ev != 0)
			ck_assert_int_eq(sc_socket_action(ctx, fds[i].fd, ev, NULL),
			                 SC_OK);
	}
	if (o->timer_ms >= 0 &&
	    sc_now_ms() >= o->timer_set_at + (uint64_t)o->timer_ms) {
		o->timer_ms = -1;
		ck_assert_int_eq(sc_socket_action(ctx, SC_SOCKET_TIMEOUT, 0, NULL),
		                 SC_OK);
	}
}

START_TEST(test_caller_loop_drives_checks)
{
	struct outer o;
	sc_ctx_t *ctx = NULL;
	int guard;

	memset(&o, 0, sizeof(o));
	o.timer_ms = -1;
	ck_assert_int_eq(sc_ctx_new(&ctx), SC_OK);
	ck_assert_int_eq(sc_ctx_set_rules_dir(ctx, test_rules_dir()), SC_OK);
	/* Nothing listens on port 9: the lookups fail fast, but sockets and
	 * timers are used for real. */
	ck_assert_int_eq(sc_ctx_add_resolver(ctx, "127.0.0.1:9"), SC_OK);
	ck_assert_int_eq(sc_ctx_set_timeout_ms(ctx, 3000), SC_OK);
	ck_assert_int_eq(sc_ctx_set_event_callbacks(ctx, on_socket, on_timeout,
	                                            &o), SC_OK);
	ck_assert_int_eq(sc_check_async(ctx, "a@example.com", on_done, &o),
	                 SC_OK);
	ck_assert_int_eq(sc_check_async(ctx, "b@example.org", on_done, &o),
	                 SC_OK);
	for (guard = 0; o.done < 2 && guard < 2000; guard++)
		turn(ctx, &o);
	ck_assert_int_eq(o.done, 2);
	ck_assert_int_eq(o.verdict, SC_VERDICT_ERROR);
	ck_assert_int_gt(o.socket_calls, 0);
	ck_assert_int_gt(o.timer_calls, 0);
	/* Once idle, every socket the library opened was released again
	 * or is still listed; none is listed twice. */
	ck_assert_int_le(o.nfds, 8);
	ck_assert_int_eq(sc_ctx_set_event_callbacks(ctx, on_socket, on_timeout,
	                                            &o), SC_EBUSY);
	sc_ctx_free(ctx);
}
END_TEST

/* sc_ctx_free() from the callbacks an outside loop gets: a completion
 * callback run by sc_socket_action(), and a socket callback run while a
 * check starts.  The context goes when that library call returns; the
 * loop stops using it (ASan checks nothing is touched after). */
struct freeing {
	struct outer o;
	sc_ctx_t *ctx;
	int freed;
};

static void
done_and_free(void *ud, sc_status_t st, sc_report_t *rep)
{
	struct freeing *f = ud;

	(void)st;
	f->o.done++;
	sc_report_free(rep);
	sc_ctx_free(f->ctx);
	f->freed = 1;
}

static void
socket_and_free(void *ud, int fd, int what)
{
	struct freeing *f = ud;

	on_socket(&f->o, fd, what);
	if (!f->freed) {
		f->freed = 1;
		sc_ctx_free(f->ctx);
	}
}

static sc_ctx_t *
outer_ctx(struct freeing *f, sc_socket_fn sock)
{
	memset(f, 0, sizeof(*f));
	f->o.timer_ms = -1;
	ck_assert_int_eq(sc_ctx_new(&f->ctx), SC_OK);
	ck_assert_int_eq(sc_ctx_set_rules_dir(f->ctx, test_rules_dir()), SC_OK);
	ck_assert_int_eq(sc_ctx_add_resolver(f->ctx, "127.0.0.1:9"), SC_OK);
	ck_assert_int_eq(sc_ctx_set_timeout_ms(f->ctx, 3000), SC_OK);
	ck_assert_int_eq(sc_ctx_set_event_callbacks(f->ctx, sock, on_timeout,
	                                            f), SC_OK);
	return f->ctx;
}

START_TEST(test_free_from_completion_callback)
{
	struct freeing f;
	sc_ctx_t *ctx = outer_ctx(&f, on_socket);
	int guard;

	/* Ready at once, then one in flight. */
	ck_assert_int_eq(sc_check_async(ctx, "bad", done_and_free, &f), SC_OK);
	ck_assert_int_eq(sc_check_async(ctx, "also bad", done_and_free, &f),
	                 SC_OK);
	ck_assert_int_eq(sc_check_async(ctx, "a@example.com", done_and_free,
	                                &f), SC_OK);
	for (guard = 0; !f.freed && guard < 2000; guard++)
		turn(ctx, &f.o);
	ck_assert(f.freed);
	ck_assert_int_eq(f.o.done, 1);
}
END_TEST

START_TEST(test_free_from_socket_callback)
{
	struct freeing f;
	sc_ctx_t *ctx = outer_ctx(&f, socket_and_free);

	/* The check's first lookup opens a socket: the callback that says
	 * so frees the context, which goes when sc_check_async() returns. */
	ck_assert_int_eq(sc_check_async(ctx, "a@example.com", done_and_free,
	                                &f), SC_OK);
	ck_assert(f.freed);
	ck_assert_int_eq(f.o.done, 0);
}
END_TEST

START_TEST(test_event_callback_arguments)
{
	sc_ctx_t *ctx = NULL;

	ck_assert_int_eq(sc_ctx_new(&ctx), SC_OK);
	ck_assert_int_eq(sc_ctx_set_event_callbacks(ctx, NULL, on_timeout, NULL),
	                 SC_EINVAL);
	ck_assert_int_eq(sc_ctx_set_event_callbacks(ctx, on_socket, NULL, NULL),
	                 SC_EINVAL);
	/* Without callbacks there is nothing to report readiness to. */
	ck_assert_int_eq(sc_socket_action(ctx, SC_SOCKET_TIMEOUT, 0, NULL),
	                 SC_EINVAL);
	ck_assert_int_eq(sc_socket_action(NULL, 0, 0, NULL), SC_EINVAL);
	sc_ctx_free(ctx);
}
END_TEST

Suite *events_suite(void)
{
	Suite *s = suite_create("events");
	TCase *tc = tcase_create("socket-api");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_caller_loop_drives_checks);
	tcase_add_test(tc, test_event_callback_arguments);
	tcase_add_test(tc, test_free_from_completion_callback);
	tcase_add_test(tc, test_free_from_socket_callback);
	suite_add_tcase(s, tc);
	return s;
}
