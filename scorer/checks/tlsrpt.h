/*
 * The evidence the "tlsrpt" check keeps in its state slot (tlsrpt.c).
 * Declared here so that unit tests can hand canned evidence to the check.
 */
#ifndef SC_TLSRPT_H
#define SC_TLSRPT_H

#include "dns.h"

struct sc_tlsrpt_state {
	struct sc_lookup *lk;    /* _smtp._tls.DOMAIN TXT */
};

#endif
