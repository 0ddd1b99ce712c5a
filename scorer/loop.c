/*
 * A small poll() loop.  There are few watchers at a time (c-ares keeps a
 * handful of sockets, probes one each), so a flat array beats a tree.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <time.h>

#include "internal.h"
#include "loop.h"

uint64_t
sc_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void
sc_loop_init(struct sc_loop *loop)
{
	memset(loop, 0, sizeof(*loop));
}

void
sc_loop_clear(struct sc_loop *loop)
{
	sc_free(loop->watch);
	memset(loop, 0, sizeof(*loop));
}

static struct sc_watch *
find_watch(struct sc_loop *loop, int fd)
{
	size_t i;

	for (i = 0; i < loop->nwatch; i++)
		if (loop->watch[i].fd == fd)
			return &loop->watch[i];
	return NULL;
}

sc_status_t
sc_loop_watch(struct sc_loop *loop, int fd, int events, sc_io_cb cb,
              void *arg)
{
	struct sc_watch *w = find_watch(loop, fd);

	if (events == 0) {
		if (w != NULL) {
			*w = loop->watch[--loop->nwatch];
			if (loop->ext.socket_cb != NULL)
				loop->ext.socket_cb(loop->ext.ud, fd, SC_EV_REMOVE);
		}
		return SC_OK;
	}
	if (w == NULL) {
		if (loop->nwatch == loop->capwatch) {
			size_t cap = loop->capwatch ? loop->capwatch * 2 : 16;
			void *p = sc_realloc(loop->watch, cap * sizeof(*w));

			if (p == NULL)
				return SC_ENOMEM;
			loop->watch = p;
			loop->capwatch = cap;
		}
		w = &loop->watch[loop->nwatch++];
		/* New to the caller's loop: compared below, so never stale. */
		w->events = 0;
	}
	w->fd = fd;
	w->cb = cb;
	w->arg = arg;
	if (loop->ext.socket_cb != NULL && w->events != events) {
		w->events = events;
		loop->ext.socket_cb(loop->ext.ud, fd, events);
	}
	w->events = events;
	return SC_OK;
}

/*
 * Armed timers live in a pairing heap: a batch arms a deadline per domain
 * and c-ares re-arms one short timer after every answer, so a sorted list
 * costs a walk past every deadline each time.  The heap is intrusive (no
 * allocation that could fail while arming) and O(log n) amortised.
 */
static int
timer_before(const struct sc_timer *a, const struct sc_timer *b)
{
	return a->due < b->due || (a->due == b->due && a->seq < b->seq);
}

/* Two roots (no parent, no sibling) into one. */
static struct sc_timer *
timer_meld(struct sc_timer *a, struct sc_timer *b)
{
	if (timer_before(b, a)) {
		struct sc_timer *t = a;

		a = b;
		b = t;
	}
	b->prev = a;
	b->sibling = a->child;
	if (a->child != NULL)
		a->child->prev = b;
	a->child = b;
	return a;
}

/* The children of a removed node into one heap: meld them in pairs left to
 * right, then the pairs right to left (what keeps the bound logarithmic). */
static struct sc_timer *
timer_merge_pairs(struct sc_timer *a)
{
	struct sc_timer *pairs = NULL, *root = NULL, *b, *next;

	while (a != NULL) {
		b = a->sibling;
		next = b != NULL ? b->sibling : NULL;
		a->prev = a->sibling = NULL;
		if (b != NULL) {
			b->prev = b->sibling = NULL;
			a = timer_meld(a, b);
		}
		a->sibling = pairs;     /* a stack: the last pair comes first */
		pairs = a;
		a = next;
	}
	while (pairs != NULL) {
		next = pairs->sibling;
		pairs->sibling = NULL;
		root = root != NULL ? timer_meld(root, pairs) : pairs;
		pairs = next;
	}
	return root;
}

static void
timer_unlink(struct sc_loop *loop, struct sc_timer *t)
{
	struct sc_timer *sub = timer_merge_pairs(t->child);

	if (t == loop->timers) {
		loop->timers = sub;
	} else {
		if (t->prev->child == t)
			t->prev->child = t->sibling;
		else
			t->prev->sibling = t->sibling;
		if (t->sibling != NULL)
			t->sibling->prev = t->prev;
		if (sub != NULL)
			loop->timers = timer_meld(loop->timers, sub);
	}
	t->child = t->sibling = t->prev = NULL;
	t->armed = 0;
}

void
sc_timer_stop(struct sc_loop *loop, struct sc_timer *t)
{
	if (!t->armed)
		return;
	timer_unlink(loop, t);
	sc_loop_ext_sync(loop);
}

void
sc_timer_start(struct sc_loop *loop, struct sc_timer *t, unsigned ms,
               sc_timer_cb cb, void *arg)
{
	if (t->armed)
		timer_unlink(loop, t);
	t->due = sc_now_ms() + ms;
	t->seq = loop->timer_seq++;
	t->cb = cb;
	t->arg = arg;
	t->armed = 1;
	t->child = t->sibling = t->prev = NULL;
	loop->timers = loop->timers != NULL ? timer_meld(loop->timers, t) : t;
	sc_loop_ext_sync(loop);
}

int
sc_loop_next_timeout(const struct sc_loop *loop)
{
	uint64_t now;

	if (loop->timers == NULL)
		return -1;
	now = sc_now_ms();
	if (loop->timers->due <= now)
		return 0;
	if (loop->timers->due - now > 0x7fffffff)
		return 0x7fffffff;
	return (int)(loop->timers->due - now);
}

/* Fire every timer that is due.  A callback may arm or stop timers, so
 * take the head afresh each time. */
static void
run_timers(struct sc_loop *loop)
{
	uint64_t now = sc_now_ms();
	struct sc_timer *t;

	while ((t = loop->timers) != NULL && t->due <= now) {
		timer_unlink(loop, t);
		t->cb(t->arg);
	}
	sc_loop_ext_sync(loop);
}

/* ext_due after sc_loop_ext_now(): the outside loop was told 0, and that
 * stands until it next calls sc_loop_action(), which re-tells the real
 * due time.  No monotonic due time comes near this value. */
#define EXT_DUE_NOW UINT64_MAX

void
sc_loop_ext_sync(struct sc_loop *loop)
{
	uint64_t due = loop->timers != NULL ? loop->timers->due : 0;
	long ms = -1;

	if (loop->ext.timer_cb == NULL || due == loop->ext_due ||
	    loop->ext_due == EXT_DUE_NOW)
		return;
	loop->ext_due = due;
	if (due != 0) {
		uint64_t now = sc_now_ms();

		ms = due <= now ? 0 : (long)(due - now);
	}
	loop->ext.timer_cb(loop->ext.ud, ms);
}

void
sc_loop_ext_now(struct sc_loop *loop)
{
	if (loop->ext.timer_cb == NULL || loop->ext_due == EXT_DUE_NOW)
		return;
	loop->ext_due = EXT_DUE_NOW;
	loop->ext.timer_cb(loop->ext.ud, 0);
}

void
sc_loop_action(struct sc_loop *loop, int fd, int revents)
{
	struct sc_watch *w;

	if (fd >= 0 && (w = find_watch(loop, fd)) != NULL)
		w->cb(fd, revents, w->arg);
	/* The outside loop's timer fired, or may be stale: either way, the
	 * next due time has to be told afresh. */
	loop->ext_due = 0;
	run_timers(loop);
}

static int
to_poll_events(int ev)
{
	return ((ev & SC_EV_IN) ? POLLIN : 0) | ((ev & SC_EV_OUT) ? POLLOUT : 0);
}

sc_status_t
sc_loop_once(struct sc_loop *loop, int max_wait_ms)
{
	struct pollfd stackfds[64], *fds = stackfds;
	size_t i, n = loop->nwatch;
	int wait = sc_loop_next_timeout(loop), rc;
	sc_status_t st = SC_OK;

	if (max_wait_ms >= 0 && (wait < 0 || wait > max_wait_ms))
		wait = max_wait_ms;
	if (n > SC_ARRAY_LEN(stackfds)) {
		fds = sc_calloc(n, sizeof(*fds));
		if (fds == NULL)
			return SC_ENOMEM;
	}
	for (i = 0; i < n; i++) {
		fds[i].fd = loop->watch[i].fd;
		fds[i].events = (short)to_poll_events(loop->watch[i].events);
		fds[i].revents = 0;
	}
	rc = poll(fds, (nfds_t)n, wait);
	if (rc < 0 && errno != EINTR) {
		st = SC_EINTERNAL;
		goto done;
	}
	/* A callback may remove or add watchers: look each fd up again. */
	for (i = 0; rc > 0 && i < n; i++) {
		struct sc_watch *w;
		int rev = 0;

		if (fds[i].revents == 0)
			continue;
		w = find_watch(loop, fds[i].fd);
		if (w == NULL)
			continue;
		if (fds[i].revents & (POLLIN | POLLHUP | POLLERR))
			rev |= SC_EV_IN;
		if (fds[i].revents & (POLLOUT | POLLERR))
			rev |= SC_EV_OUT;
		w->cb(w->fd, rev, w->arg);
	}
	run_timers(loop);
done:
	if (fds != stackfds)
		sc_free(fds);
	return st;
}
