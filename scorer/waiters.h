/*
 * Who waits for a result many share (a STARTTLS probe of probe.c, a
 * nameserver's answer of nsprobe.c): a list of (callback, arg, tag), each
 * told once when the result is in, unless it forgot first.  The
 * callback's type is the caller's (a pointer to a function converted to
 * another such pointer and back is kept intact, C99 6.3.2.3): the owner
 * casts it back to its own type to call it.
 */
#ifndef SC_WAITERS_H
#define SC_WAITERS_H

typedef void (*sc_waiter_fn)(void);

struct sc_waiter {
	sc_waiter_fn fn;
	void *arg;
	const void *tag;
	struct sc_waiter *next;
};

/* Add one: 0, or -1 when out of memory (nothing added). */
int sc_waiter_add(struct sc_waiter **list, sc_waiter_fn fn, void *arg,
                  const void *tag);
/* Whoever waits with arg and tag is removed, not called. */
void sc_waiter_forget(struct sc_waiter **list, const void *arg,
                      const void *tag);
/* Take the whole list (the result is in: the owner calls and frees each,
 * and no one joins a list that is being told). */
struct sc_waiter *sc_waiter_take(struct sc_waiter **list);
/* Free them all uncalled (the owner is going away). */
void sc_waiter_free_all(struct sc_waiter **list);

#endif
