/*
 * The check "ns": who answers for the domain's DNS, and for the zones of
 * its MX hosts?  Its state, declared here so that unit tests can build
 * canned evidence (tests/check_ns.c).  docs/ns.md.
 */
#ifndef SC_NS_H
#define SC_NS_H

#include "engine.h"
#include "nsprobe.h"

#define SC_NS_MAX_ADDRS 4     /* per NS host: two of each family */

/* One address of a nameserver, and what it answered. */
struct sc_ns_addr {
	char *addr;
	int queried;              /* 0: not asked (private or reserved) */
	struct sc_nsq *q;         /* the table's question, while held */
	int held;                 /* the domain waits for it */
	struct sc_nsq_result res; /* a copy, once it ended (PENDING: not in
	                           * time) */
};

struct sc_ns_zone;

/* One NS host of one zone. */
struct sc_ns_host {
	struct sc_ns_zone *zone;
	char *name;
	struct sc_lookup *a, *aaaa;
	char *regdom;             /* its registrable domain, when it does not
	                           * exist */
	struct sc_lookup *regdom_ns; /* ... and whether that exists */
	struct sc_ns_addr *addr;  /* as many as it has (SC_NS_MAX_ADDRS at
	                           * most), made when they are known */
	size_t naddr, cap;
	int asked;                /* the questions to its addresses went */
	struct sc_ns_host *next;
};

/* A zone whose delegation is judged: the address's domain (mx NULL), or
 * the registrable domain of an MX host (mx names the host). */
struct sc_ns_zone {
	char *name;               /* the name asked for NS */
	char *mx;                 /* NULL, or the MX host it is the zone of */
	char *alias;              /* NULL, or the alias (CNAME) of the
	                           * address's domain it is the target of */
	struct sc_lookup *ns;     /* NS of name */
	struct sc_lookup *parent; /* NS of the registrable domain, when name
	                           * has none (it is no zone's apex) */
	struct sc_ns_zone *next;
};

struct sc_ns_state {
	struct sc_lookup *mx;     /* the MX answer (the job's, copied) */
	struct sc_ns_zone *zones, **ztail;
	struct sc_ns_host *hosts, **htail;
	size_t nzone, nhost;
	unsigned port;            /* where the questions went */
};

/* The zone whose NS set was found: name, or its registrable domain, or
 * NULL when neither answered with NS records. */
const char *sc_ns_zone_apex(const struct sc_ns_zone *z);

extern const struct sc_check sc_check_ns;

#endif
