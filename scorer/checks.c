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
