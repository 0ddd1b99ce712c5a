/*
 * The event-loop tier: libuv drives the library.  scorer tells us which
 * sockets to watch and when its timer is due (sc_ctx_set_event_callbacks());
 * libuv watches them, and we report readiness back (sc_socket_action()).
 * All addresses are checked at once on libuv's thread, with no thread and
 * no poll() of the library's: the shape of curl's multi-uv.c.
 *
 *   libuv [--resolver HOST:PORT]... [--rules DIR] [--allow-loopback]
 *         [--ns-port N] ADDRESS...
 *
 * Build against an installed scorer (Debian: libuv1-dev):
 *
 *   cc -o libuv libuv.c $(pkg-config --cflags --libs scorer libuv)
 *
 * Output and exit status as the async example.  At the end the program
 * checks that the library released every socket it asked us to watch:
 * uv_loop_close() fails while a handle is left.
 */
/* uv.h uses POSIX types (pthread_rwlock_t) that strict C99 hides. */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <scorer.h>
#include <uv.h>

/* One socket the library asked us to watch.  scorer's socket callback
 * has no per-socket pointer (curl's has socketp), so we keep a list and
 * look the fd up; the library watches a handful of sockets at a time. */
struct watch {
	uv_poll_t poll;
	int fd;
	struct app *app;
	struct watch *next;
};

struct app {
	uv_loop_t *loop;
	uv_timer_t timer;
	sc_ctx_t *ctx;
	struct watch *watches;
	int naddr, done, insecure, error;
};

static int
usage(void)
{
	fprintf(stderr, "usage: libuv [--resolver HOST:PORT]... [--rules DIR] "
	                "[--allow-loopback] [--ns-port N] ADDRESS...\n");
	return 2;
}

static int
fail(const sc_ctx_t *ctx, const char *what, sc_status_t st)
{
	fprintf(stderr, "libuv: %s: %s (%s)\n", what, sc_strerror(st),
	        sc_ctx_errmsg(ctx));
	return 2;
}

static void
print_report(const sc_report_t *rep)
{
	size_t i;

	printf("%s %s %s %d\n", sc_report_address(rep),
	       sc_verdict_str(sc_report_verdict(rep)),
	       /* An address that could not be assessed has no grade. */
	       sc_report_grade(rep) != NULL ? sc_report_grade(rep) : "-",
	       sc_report_score(rep));
	for (i = 0; i < sc_report_finding_count(rep); i++) {
		const sc_finding_t *f = sc_report_finding(rep, i);

		printf("  %s %s: %s\n", sc_severity_str(f->severity), f->id,
		       f->detail);
	}
}

/* Runs from inside sc_socket_action(), that is from one of our libuv
 * callbacks below. */
static void
on_done(void *userdata, sc_status_t status, sc_report_t *report)
{
	struct app *app = userdata;

	app->done++;
	if (status != SC_OK) {
		fprintf(stderr, "libuv: a check failed: %s\n",
		        sc_strerror(status));
		app->error++;
	} else {
		print_report(report);
		fflush(stdout);
		if (sc_report_verdict(report) == SC_VERDICT_INSECURE)
			app->insecure++;
		else if (sc_report_verdict(report) == SC_VERDICT_ERROR)
			app->error++;
		sc_report_free(report);
	}
	/* A service would keep going; this program is done.  The library's
	 * sockets and timer are given back by sc_ctx_free() in main(). */
	if (app->done == app->naddr)
		uv_stop(app->loop);
}

/* Report readiness of one socket.  ctx and fd are copied out first: the
 * library may tell us to stop watching this very socket from inside
 * sc_socket_action(), and then the watch is on its way to be freed. */
static void
on_poll(uv_poll_t *handle, int status, int events)
{
	struct watch *w = handle->data;
	sc_ctx_t *ctx = w->app->ctx;
	int fd = w->fd, what = 0;
	sc_status_t st;

	if (status < 0)
		/* An error on the socket: let the library read it and find
		 * out, as curl's multi-uv.c does. */
		what = SC_POLL_IN | SC_POLL_OUT;
	if (events & (UV_READABLE | UV_DISCONNECT))
		what |= SC_POLL_IN;
	if (events & UV_WRITABLE)
		what |= SC_POLL_OUT;
	if ((st = sc_socket_action(ctx, fd, what, NULL)) != SC_OK)
		fail(ctx, "sc_socket_action", st);
}

static void
on_timer(uv_timer_t *timer)
{
	struct app *app = timer->data;
	sc_status_t st;

	st = sc_socket_action(app->ctx, SC_SOCKET_TIMEOUT, 0, NULL);
	if (st != SC_OK)
		fail(app->ctx, "sc_socket_action", st);
}

static void
free_watch(uv_handle_t *handle)
{
	free(handle->data);
}

/* scorer's socket callback: what is the full new set of events, or
 * SC_POLL_REMOVE.  It runs from inside sc_check_async(),
 * sc_socket_action() and sc_ctx_free(), so it only changes our
 * bookkeeping and never calls back into the library. */
static void
on_socket(void *userdata, int fd, int what)
{
	struct app *app = userdata;
	struct watch **pp, *w;
	int events = 0;

	for (pp = &app->watches; *pp != NULL && (*pp)->fd != fd;
	     pp = &(*pp)->next)
		;
	w = *pp;
	if (what & SC_POLL_REMOVE) {
		if (w == NULL)
			return;
		*pp = w->next;
		/* REMOVE comes before the library closes the fd, so the
		 * handle is stopped while the fd is still valid.  A libuv
		 * handle is closed asynchronously: the memory goes in
		 * free_watch(), and the same fd number may meanwhile come
		 * back for a new socket with a new handle. */
		uv_poll_stop(&w->poll);
		uv_close((uv_handle_t *)&w->poll, free_watch);
		return;
	}
	if (w == NULL) {
		if ((w = calloc(1, sizeof(*w))) == NULL) {
			/* The callback cannot fail: the lookup on this
			 * socket will run into the library's timeout. */
			fprintf(stderr, "libuv: out of memory\n");
			return;
		}
		if (uv_poll_init_socket(app->loop, &w->poll, fd) != 0) {
			fprintf(stderr, "libuv: cannot watch fd %d\n", fd);
			free(w);
			return;
		}
		w->fd = fd;
		w->app = app;
		w->poll.data = w;
		w->next = app->watches;
		app->watches = w;
	}
	if (what & SC_POLL_IN)
		events |= UV_READABLE;
	if (what & SC_POLL_OUT)
		events |= UV_WRITABLE;
	uv_poll_start(&w->poll, events, on_poll);
}

/* scorer's timer callback: one timer, re-armed by each call; -1 stops
 * it; 0 means as soon as possible, which libuv's timer does on the next
 * turn of the loop (calling sc_socket_action() from here instead would
 * re-enter the library). */
static void
on_timeout(void *userdata, long timeout_ms)
{
	struct app *app = userdata;

	if (timeout_ms < 0)
		uv_timer_stop(&app->timer);
	else
		uv_timer_start(&app->timer, on_timer, (uint64_t)timeout_ms, 0);
}

static void
print_handle(uv_handle_t *handle, void *arg)
{
	(void)arg;
	fprintf(stderr, "libuv: handle left open: %s\n",
	        uv_handle_type_name(uv_handle_get_type(handle)));
}

int
main(int argc, char **argv)
{
	struct app app;
	uv_loop_t loop;
	sc_status_t st;
	int i, rc = 2;

	memset(&app, 0, sizeof(app));
	if (uv_loop_init(&loop) != 0) {
		fprintf(stderr, "libuv: uv_loop_init failed\n");
		return 2;
	}
	app.loop = &loop;
	uv_timer_init(&loop, &app.timer);
	app.timer.data = &app;
	if ((st = sc_ctx_new(&app.ctx)) != SC_OK) {
		fprintf(stderr, "libuv: %s\n", sc_strerror(st));
		goto done;
	}
	for (i = 1; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
		if (strcmp(argv[i], "--resolver") == 0 && i + 1 < argc) {
			st = sc_ctx_add_resolver(app.ctx, argv[++i]);
			if (st != SC_OK) {
				rc = fail(app.ctx, "--resolver", st);
				goto done;
			}
		} else if (strcmp(argv[i], "--rules") == 0 && i + 1 < argc) {
			st = sc_ctx_set_rules_dir(app.ctx, argv[++i]);
			if (st != SC_OK) {
				rc = fail(app.ctx, "--rules", st);
				goto done;
			}
		} else if (strcmp(argv[i], "--allow-loopback") == 0) {
			sc_ctx_set_allow_loopback(app.ctx, 1);
		} else if (strcmp(argv[i], "--ns-port") == 0 && i + 1 < argc) {
			/* A lab's nameservers listen elsewhere than 53. */
			st = sc_ctx_set_ns_port(app.ctx, (unsigned)atoi(argv[++i]));
			if (st != SC_OK) {
				rc = fail(app.ctx, "--ns-port", st);
				goto done;
			}
		} else {
			rc = usage();
			goto done;
		}
	}
	if (i == argc) {
		rc = usage();
		goto done;
	}

	/* Before the first check: from now on the library never polls. */
	st = sc_ctx_set_event_callbacks(app.ctx, on_socket, on_timeout, &app);
	if (st != SC_OK) {
		rc = fail(app.ctx, "sc_ctx_set_event_callbacks", st);
		goto done;
	}
	/* Each call may already ask for sockets and the timer. */
	for (; i < argc; i++, app.naddr++) {
		st = sc_check_async(app.ctx, argv[i], on_done, &app);
		if (st != SC_OK) {
			rc = fail(app.ctx, argv[i], st);
			goto done;
		}
	}
	/* A report that is ready at once (an invalid address) is handed out
	 * by the next sc_socket_action(); the library asks for a timer due
	 * now to get one. */
	uv_run(&loop, UV_RUN_DEFAULT);
	if (app.done != app.naddr) {
		fprintf(stderr, "libuv: %d of %d reports\n", app.done, app.naddr);
		goto done;
	}
	rc = app.error > 0 ? 2 : app.insecure > 0 ? 1 : 0;
done:
	/* Freeing the context tells on_socket() SC_POLL_REMOVE for every
	 * socket still open and on_timeout() -1, so app must still be
	 * valid here. */
	sc_ctx_free(app.ctx);
	uv_close((uv_handle_t *)&app.timer, NULL);
	/* One more turn runs the close callbacks (free_watch()). */
	uv_run(&loop, UV_RUN_NOWAIT);
	if (uv_loop_close(&loop) != 0) {
		uv_walk(&loop, print_handle, NULL);
		fprintf(stderr, "libuv: the library left sockets watched\n");
		rc = 2;
	}
	return rc;
}
