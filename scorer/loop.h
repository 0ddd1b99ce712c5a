/*
 * The event loop every network step runs on: file descriptor watchers and
 * one-shot timers.  The default driver is poll(); the watcher set is kept
 * in a form that an outside loop can be told about instead (the multi
 * socket shape of curl), so DNS, SMTP and HTTPS share one loop.
 */
#ifndef SC_LOOP_H
#define SC_LOOP_H

#include <stddef.h>
#include <stdint.h>

#include "scorer.h"

#define SC_EV_IN 1
#define SC_EV_OUT 2

typedef void (*sc_io_cb)(int fd, int revents, void *arg);
typedef void (*sc_timer_cb)(void *arg);

struct sc_timer {
	uint64_t due;            /* monotonic ms */
	sc_timer_cb cb;
	void *arg;
	int armed;
	uint64_t seq;            /* arming order: ties fire first-armed first */
	/* Pairing heap links: the first child, the next sibling, and the node
	 * before (the parent when this is a first child, else the sibling). */
	struct sc_timer *child, *sibling, *prev;
};

struct sc_watch {
	int fd;
	int events;
	sc_io_cb cb;
	void *arg;
};

/* An outside event loop that drives ours (curl's multi socket shape):
 * told about every watcher change and about the first timer's due time. */
struct sc_loop_ext {
	void (*socket_cb)(void *ud, int fd, int what); /* SC_EV_* | REMOVE */
	void (*timer_cb)(void *ud, long timeout_ms);   /* -1: no timer */
	void *ud;
};

#define SC_EV_REMOVE 4

struct sc_loop {
	struct sc_watch *watch;
	size_t nwatch, capwatch;
	struct sc_timer *timers;      /* root of the heap: the first due */
	uint64_t timer_seq;
	struct sc_loop_ext ext;       /* socket_cb NULL: we poll() ourselves */
	uint64_t ext_due;             /* due time last told, 0: none */
};

uint64_t sc_now_ms(void);

void sc_loop_init(struct sc_loop *loop);
void sc_loop_clear(struct sc_loop *loop);

/* Watch fd for events (SC_EV_IN|SC_EV_OUT); events 0 stops watching.
 * Safe to call from inside a callback.  SC_ENOMEM on failure. */
sc_status_t sc_loop_watch(struct sc_loop *loop, int fd, int events,
                          sc_io_cb cb, void *arg);

/* Arm t to fire once after ms; re-arming moves it. */
void sc_timer_start(struct sc_loop *loop, struct sc_timer *t, unsigned ms,
                    sc_timer_cb cb, void *arg);
void sc_timer_stop(struct sc_loop *loop, struct sc_timer *t);

/* Milliseconds until the first timer is due (0 if overdue), -1 if none. */
int sc_loop_next_timeout(const struct sc_loop *loop);

/* Wait up to max_wait_ms (-1: until something happens) for I/O or a timer,
 * and run the callbacks of what is ready.  SC_EINTERNAL if poll() fails
 * other than by EINTR. */
sc_status_t sc_loop_once(struct sc_loop *loop, int max_wait_ms);

/* For an outside loop: fd is ready for revents (SC_EV_IN|SC_EV_OUT), or
 * fd < 0 for "the timer is due"; runs the callbacks, then the due timers,
 * and tells the outside loop the next due time. */
void sc_loop_action(struct sc_loop *loop, int fd, int revents);
/* Tell the outside loop when the first timer is due, if that changed. */
void sc_loop_ext_sync(struct sc_loop *loop);
/* Ask the outside loop for a turn at once (work is ready that no socket or
 * timer would wake it for); later due times are told after that turn. */
void sc_loop_ext_now(struct sc_loop *loop);

#endif
