/*
 * The evidence the "dmarc" check keeps in its state slot (dmarc.c).
 * Declared here so that unit tests can hand canned evidence to the check.
 */
#ifndef SC_DMARC_H
#define SC_DMARC_H

#include <stddef.h>

#include "dns.h"

#define SC_DMARC_MAX_AUTH 8 /* distinct external report hosts asked about */

struct sc_dmarc_auth {
	char *host;               /* report destination host, lower case */
	struct sc_lookup *lk;     /* DOMAIN._report._dmarc.HOST TXT */
};

struct sc_dmarc_state {
	struct sc_lookup *own;    /* _dmarc.DOMAIN TXT */
	struct sc_lookup *org;    /* _dmarc.ORGDOMAIN TXT, when asked */
	struct sc_dmarc_auth auth[SC_DMARC_MAX_AUTH];
	size_t nauth;
	size_t auth_skipped;      /* external hosts beyond the limit */
};

#endif
