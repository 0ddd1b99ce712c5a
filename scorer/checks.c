/*
 * The registry of checks, in the order they start and assess (as curl
 * lists its TLS backends).  A new check is a file and a line here.
 */
#include "engine.h"
#include "internal.h"

const struct sc_check *const sc_checks[] = {
	&sc_check_domain,
	&sc_check_mx,
	&sc_check_disposable,
	&sc_check_lookalike,
};

const size_t sc_ncheck = SC_ARRAY_LEN(sc_checks);

/* Every registered check needs a state slot (and one stays for tests). */
typedef char sc_checks_fit[SC_ARRAY_LEN(sc_checks) < SC_MAX_CHECKS ? 1 : -1];

static size_t
index_of(const struct sc_check *check)
{
	size_t i;

	for (i = 0; i < sc_ncheck; i++)
		if (sc_checks[i] == check)
			return i;
	return SC_MAX_CHECKS - 1; /* not registered: a test's own check */
}

void **
sc_check_state(struct sc_domain *dom, const struct sc_check *check)
{
	return &dom->state_of[index_of(check)];
}

void *
sc_check_state_get(const struct sc_domain *dom, const struct sc_check *check)
{
	return dom->state_of[index_of(check)];
}

/* A rules set that leaves out an id would make that finding silently
 * harmless: refuse it when it is loaded instead. */
const char *
sc_checks_missing_rule(const struct sc_rules *rules)
{
	const char *const *id;
	size_t i;

	if (sc_rules_find(rules, "address.invalid") == NULL)
		return "address.invalid";
	for (i = 0; i < sc_ncheck; i++)
		for (id = sc_checks[i]->ids; id != NULL && *id != NULL; id++)
			if (sc_rules_find(rules, *id) == NULL)
				return *id;
	return NULL;
}
