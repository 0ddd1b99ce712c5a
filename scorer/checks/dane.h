/*
 * Check "dane": DNSSEC (is the domain signed, as a validating resolver
 * sees it?) and DANE for SMTP (RFC 7672: do the validated TLSA records at
 * _25._tcp.MX match the certificate chain the STARTTLS probe saw?).
 *
 * Declared here for the "interception" check, which reads each MX host's
 * DANE status, and for unit tests, which build canned states.
 */
#ifndef SC_DANE_H
#define SC_DANE_H

#include <openssl/x509.h>

#include "engine.h"
#include "tlsa_parse.h"

/* What DANE does for one MX host, per RFC 7672 2.2. */
enum sc_dane_status {
	SC_DANE_NONE = 0,  /* DANE does not apply: no validated TLSA records
	                    * (or the MX / address records are not secure) */
	SC_DANE_UNUSABLE,  /* validated TLSA, none usable for SMTP (3.1.3):
	                    * senders use TLS, but do not authenticate */
	SC_DANE_UNKNOWN,   /* validated TLSA, but no chain to match (the
	                    * probe did not get a handshake), or the TLSA
	                    * lookup failed */
	SC_DANE_MATCH,     /* every address presented a matching chain */
	SC_DANE_MISMATCH,  /* an address presented a chain no record matches */
	SC_DANE_PUBLISHED  /* validated, usable TLSA, and nothing to match
	                    * them against: the STARTTLS probe was skipped */
};

/* The domain's state slot. */
struct sc_dane_host {
	char *host;                /* MX host name */
	struct sc_lookup *tlsa;    /* _25._tcp.HOST TLSA, or NULL */
};

struct sc_dane_state {
	sc_lookup_cb mx_then;      /* the "domain" check's follow-up of the MX
	                            * lookup, which ours wraps */
	struct sc_dane_host *h;
	size_t n;
};

extern const struct sc_check sc_check_dane;

/*
 * Does one of the n TLSA records t[] match chain (leaf first) for MX host
 * `host`?  DANE-EE(3): the leaf's certificate or key, names and dates
 * ignored (RFC 7672 3.1.1).  DANE-TA(2): a certificate of the chain, from
 * which the leaf must then verify, with `host` as reference identifier
 * (RFC 7672 3.1.2, 3.2.2).  PKIX-TA(0) and PKIX-EE(1) are not used for
 * SMTP (3.1.3) and never match.
 * \return 1 matched (*which = its index), 0 not, -1 out of memory.
 */
int sc_dane_match(const STACK_OF(X509) *chain, const char *host,
                  const struct sc_tlsa *t, size_t n, size_t *which);

/* Is the record usable for SMTP: usage 2 or 3, selector 0 or 1, matching
 * type 0, 1 or 2 (RFC 7672 3.1.3, RFC 6698 2.1)? */
int sc_dane_usable(const struct sc_tlsa *t);

/* The DANE status of MX host i of dom; why (may be NULL) gets one line. */
enum sc_dane_status sc_dane_host_status(const struct sc_domain *dom, size_t i,
                                        char *why, size_t whylen);

/* Does the resolver validate?  1 yes (an answer carried AD), 0 no or
 * could not tell. */
int sc_dane_resolver_validates(const struct sc_domain *dom);

#endif
