/*
 * The check "starttls": what the probe (probe.h) saw of each address of
 * each MX host, per domain.  Declared here so that unit tests can build
 * canned results and the DANE matcher can read the certificate chains.
 */
#ifndef SC_STARTTLS_H
#define SC_STARTTLS_H

#include "engine.h"
#include "probe.h"

/* One (MX host, address) of a domain, and the probe it waits for. */
struct sc_starttls_entry {
	char *host;               /* MX host name */
	unsigned pref;
	char *addr;               /* textual IP */
	struct sc_probe *probe;   /* the table's, NULL in unit tests */
	const struct sc_probe_result *res; /* the probe's result (borrowed) */
	int held;                 /* the domain is held for it */
	int hostname_ok;          /* the certificate names host */
};

/* A domain's state slot for the check. */
struct sc_starttls_state {
	struct sc_starttls_entry *e;
	size_t n, cap;
	unsigned port;
};

/* Called by the "mx" check for each answered A/AAAA lookup of an MX host:
 * start (or join) the probe of each usable address.  Sets dom->status on
 * failure. */
void sc_starttls_host_addrs(struct sc_domain *dom, const struct sc_mxhost *h,
                            const struct sc_lookup *lk);

/*
 * The certificate chain the server at addr presented to the probe made
 * for MX host `host` of dom, leaf first, as sent (DER inside each X509),
 * or NULL when there was no handshake.  Borrowed: valid until the context
 * is freed.  For the DANE matcher (RFC 7672 TLSA records).
 */
const STACK_OF(X509) *sc_starttls_chain(const struct sc_domain *dom,
                                        const char *host, const char *addr);

#endif
