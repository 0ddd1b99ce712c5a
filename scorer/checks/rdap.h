/*
 * The check "rdap": where the registrations stand of the address's
 * registrable domain and of those of its MX and NS hosts (RDAP, RFC 9082
 * and 9083; the server from IANA's bootstrap file, RFC 9224).  Its state,
 * declared here so that unit tests can build canned evidence
 * (tests/check_rdap.c).  docs/rdap.md.
 */
#ifndef SC_RDAP_H
#define SC_RDAP_H

#include "engine.h"
#include "rdap_parse.h"

#define SC_RDAP_MAX_ITEMS 8   /* registrable domains per domain job */

/* Whose registrable domain it is. */
enum sc_rdap_role {
	SC_RDAP_ADDRESS = 0,      /* the address's own */
	SC_RDAP_MX,               /* an MX host's */
	SC_RDAP_NS                /* a nameserver's */
};

struct rdap_entry;

/* One registrable domain a domain job asked about, and, once settled, a
 * copy of what its registry said (so the job outlives the context's
 * cache entry). */
struct sc_rdap_item {
	char *name;               /* the registrable domain */
	enum sc_rdap_role role;
	char *via;                /* the MX or NS host it is the domain of */
	struct rdap_entry *e;     /* the context's entry, while held */
	int held;
	int settled;              /* the answer (or why none) is in */
	int ok;                   /* a domain object was read: rd */
	struct sc_rdap_domain rd;
	long long at;             /* when it was answered (seconds, UTC):
	                           * the "now" of its dates */
	char *url;                /* the URL asked, or NULL */
	char error[240];          /* why not ok */
};

struct sc_rdap_state {
	struct sc_rdap_item *item[SC_RDAP_MAX_ITEMS]; /* n, each allocated */
	size_t n;
	struct sc_lookup *mx, *ns;
	struct sc_rdap_limits lim;
	char bootstrap[80];       /* the bootstrap file's publication date */
};

/*
 * The item for registrable domain reg (owned: taken, or freed) of host,
 * whose role is given, if it is new in st; NULL when st has it already
 * (an address's domain first named as an MX or NS host's takes the
 * address role), when st is full (its last slot is kept for the
 * address's domain), or when out of memory (*nomem).
 */
struct sc_rdap_item *sc_rdap_claim(struct sc_rdap_state *st, char *reg,
                                   const char *host, enum sc_rdap_role role,
                                   int *nomem);

extern const struct sc_check sc_check_rdap;

#endif
