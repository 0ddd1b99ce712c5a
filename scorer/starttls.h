/*
 * The STARTTLS probe (check "starttls"): for each address of each MX host,
 * connect to the SMTP port, read the banner, EHLO, STARTTLS, complete a
 * TLS handshake with SNI = the MX name, and QUIT.  Never MAIL, RCPT or
 * DATA.  Each address is probed once per context however many domains
 * share it; the results live in a context-wide table freed at teardown.
 *
 * Declared here so that unit tests can build canned results and the DANE
 * matcher can read the certificate chains.
 */
#ifndef SC_STARTTLS_H
#define SC_STARTTLS_H

#include "engine.h"
#include "smtp.h"
#include "tls.h"

/* How far a probe got: the outcome the findings are made of. */
enum sc_probe_outcome {
	SC_PROBE_PENDING = 0,   /* still running (or queued) */
	SC_PROBE_UNREACHABLE,   /* no connection, refused, hung up, timed
	                         * out, or no session: could not verify */
	SC_PROBE_NO_STARTTLS,   /* a session, but STARTTLS not offered (or
	                         * refused when asked) */
	SC_PROBE_TLS            /* the handshake completed: see tls */
};

/* The evidence of one address (IP + port), shared by every domain. */
struct sc_probe_result {
	enum sc_probe_outcome outcome;
	char error[256];          /* why UNREACHABLE / NO_STARTTLS, in words */
	int timed_out;            /* UNREACHABLE because a timer ran out */
	unsigned elapsed_ms;
	char *banner;             /* "220 mx.example ESMTP", first line only */
	char **ext;               /* EHLO keywords with their parameters */
	size_t next;
	int starttls_offered;
	struct sc_tls_result tls;
};

/* One (MX host, address) of a domain, and the probe it waits for. */
struct sc_starttls_entry {
	char *host;               /* MX host name */
	unsigned pref;
	char *addr;               /* textual IP */
	struct sc_probe *probe;   /* context-owned, NULL in unit tests */
	struct sc_probe_result *res; /* the probe's result (borrowed) */
	int held;                 /* the domain is held for it */
	int hostname_ok;          /* the certificate names host */
};

/* A domain's state slot for the check. */
struct sc_starttls_state {
	struct sc_starttls_entry *e;
	size_t n, cap;
	unsigned port;
};

extern const struct sc_check sc_check_starttls;

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

/* Free a result's contents (for canned results in tests). */
void sc_probe_result_clear(struct sc_probe_result *r);

#endif
