/* The waiter lists of shared results (waiters.h). */
#include "internal.h"
#include "waiters.h"

int
sc_waiter_add(struct sc_waiter **list, sc_waiter_fn fn, void *arg,
              const void *tag)
{
	struct sc_waiter *w = sc_malloc(sizeof(*w));

	if (w == NULL)
		return -1;
	w->fn = fn;
	w->arg = arg;
	w->tag = tag;
	w->next = *list;
	*list = w;
	return 0;
}

void
sc_waiter_forget(struct sc_waiter **list, const void *arg, const void *tag)
{
	while (*list != NULL) {
		struct sc_waiter *w = *list;

		if (w->arg == arg && w->tag == tag) {
			*list = w->next;
			sc_free(w);
		} else {
			list = &w->next;
		}
	}
}

struct sc_waiter *
sc_waiter_take(struct sc_waiter **list)
{
	struct sc_waiter *w = *list;

	*list = NULL;
	return w;
}

void
sc_waiter_free_all(struct sc_waiter **list)
{
	struct sc_waiter *w = sc_waiter_take(list), *next;

	for (; w != NULL; w = next) {
		next = w->next;
		sc_free(w);
	}
}
