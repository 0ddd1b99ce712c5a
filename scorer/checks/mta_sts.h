/*
 * The evidence the "mta_sts" check keeps in its state slot (mta_sts.c).
 * Declared here so that unit tests can hand canned evidence to the check.
 */
#ifndef SC_MTA_STS_H
#define SC_MTA_STS_H

#include "dns.h"
#include "http.h"

struct sc_lookup;
struct sc_fetch;

struct sc_mta_sts_state {
	struct sc_lookup *txt;      /* _mta-sts.DOMAIN TXT */
	struct sc_lookup *a, *aaaa; /* mta-sts.DOMAIN, when the TXT is valid */
	char *url;                  /* the policy URL, once known */
	struct sc_fetch *fetch;     /* the HTTPS GET, once started */
	int fetch_done;             /* its callback ran: results are valid */
	int held;                   /* the domain job is held for it */
	char *content_type;         /* as answered, or NULL */
	char *ca_file;              /* a copy: used during the handshake */
};

#endif
