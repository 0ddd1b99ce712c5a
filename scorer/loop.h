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
	struct sc_timer *next;   /* armed timers, sorted by due */
};

struct sc_watch {
	int fd;
	int events;
	sc_io_cb cb;
	void *arg;
};

struct sc_loop {
	struct sc_watch *watch;
	size_t nwatch, capwatch;
	struct sc_timer *timers;
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

#endif
