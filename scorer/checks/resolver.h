/*
 * The resolver is checked before it is believed.  A "does not exist"
 * answer is the strongest evidence scorer acts on (domain.nxdomain,
 * mx.dangling: "anyone may register it"), and a resolver that lies or
 * filters (a captive portal, a sandbox, an RPZ or Pi-hole block list)
 * gives exactly that answer.  So an NXDOMAIN counts only when
 *   - it carries its proof: the SOA of a zone enclosing the name in the
 *     authority section (RFC 2308 2.1; dns.c reads it into nx_proof), and
 *   - the resolver answers the root's NS query: one that says the root
 *     does not exist says so of everything.
 * The root probe also tells whether the resolver validates DNSSEC (its AD
 * flag on the signed root), which the "dane" check needs.
 */
#ifndef SC_RESOLVER_H
#define SC_RESOLVER_H

#include <stddef.h>

struct sc_domain;
struct sc_lookup;
struct sc_hits;

/* Ask ". NS" for dom, unless this job asked already or the context holds
 * a recent answer (kept 5 minutes: it is the resolver's, not the
 * domain's). */
void sc_resolver_probe(struct sc_domain *dom);

/* What the probe found for dom: 1 the resolver answered the root's NS,
 * 0 it did not (NXDOMAIN, no records, a failure), -1 not asked or not
 * answered yet.  *ad (when not NULL) is the answer's AD flag. */
int sc_resolver_root(const struct sc_domain *dom, int *ad);

/* Can the NXDOMAIN of lk be believed?  1 yes.  0 no: a finding
 * dns.resolver_untrusted (missing evidence) is added to out, saying what
 * the resolver did and which one it was. */
int sc_resolver_believe_nx(const struct sc_domain *dom,
                           const struct sc_lookup *lk, struct sc_hits *out);

/* dns.unverified (missing evidence), its detail from fmt, naming the
 * resolver that was asked: the fix may be another resolver, not the
 * domain. */
void sc_hits_dns_unverified(struct sc_hits *out, const struct sc_domain *dom,
                            const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* "127.0.0.1:53", or the system's resolvers: for details that name the
 * resolver that did not answer.  Borrowed from the context. */
const char *sc_resolver_name(const struct sc_domain *dom);

#endif
