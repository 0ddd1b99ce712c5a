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
