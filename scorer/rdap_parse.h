/*
 * Pure parsers of the "rdap" check (rdap_parse.c): the RDAP domain object
 * a registry answers (RFC 9083 5.3), the bootstrap file that says which
 * server answers for which top-level domain (RFC 9224), and the RFC 3339
 * dates both use.  Bytes in, a struct out, no I/O; every field of an
 * answer is optional.  JSON is read with jansson.
 */
#ifndef SC_RDAP_PARSE_H
#define SC_RDAP_PARSE_H

#include <stddef.h>

#include "scorer.h"

/* ---- dates --------------------------------------------------------------- */

/* An RFC 3339 date-time ("2024-05-01T12:00:00Z", fractions of a second
 * and "+02:00" offsets allowed; RFC 9083 4.5 asks for it) or a full-date
 * ("2024-05-01", midnight UTC) in s[0..len): 0 and seconds since
 * 1970-01-01 UTC in *out, or -1. */
int sc_rfc3339_parse(const char *s, size_t len, long long *out);

/* "2024-05-01T12:00:00Z" of t (seconds since the epoch, UTC) into
 * buf[size] (21 bytes are enough). */
void sc_rfc3339_format(long long t, char *buf, size_t size);

/* ---- the domain object ------------------------------------------------- */

/* Status values (RFC 9083 10.2.2, the EPP statuses of RFC 8056) that
 * matter for a recovery address. */
#define SC_RDAP_PENDING_DELETE 0x01u     /* "pending delete" */
#define SC_RDAP_REDEMPTION 0x02u         /* "redemption period" */
#define SC_RDAP_CLIENT_XFER_LOCK 0x04u   /* "client transfer prohibited" */
#define SC_RDAP_SERVER_XFER_LOCK 0x08u   /* "server transfer prohibited" */

struct sc_rdap_domain {
	char ldh_name[256];       /* ldhName, lower case; "" when absent */
	unsigned status;          /* SC_RDAP_* bits */
	size_t nstatus;           /* status values given (0: no list) */
	char statuses[160];       /* "active, client transfer prohibited"
	                           * (printable, cut), for details */
	long long registered;     /* eventAction "registration" */
	long long reregistered;   /* "reregistration" (RFC 8056's registry
	                           * of event actions) */
	long long expires;        /* "expiration" */
	long long changed;        /* "last changed" */
	int has_registered, has_reregistered, has_expires, has_changed;
};

/*
 * Read an RDAP answer for a domain: a JSON object whose objectClassName,
 * when given, is "domain".  The status array and the events are read when
 * present (an event without a date that parses is left out); anything
 * else is ignored.  SC_OK; SC_EINVAL when it is no JSON object, or the
 * object of another class, with a reason in why[whylen]; SC_ENOMEM.
 */
sc_status_t sc_rdap_domain_parse(const char *body, size_t len,
                                 struct sc_rdap_domain *out, char *why,
                                 size_t whylen);

/* ---- the thresholds (rules/rdap.ini) ------------------------------------ */

/* How near an expiry, how young a registration, in days. */
struct sc_rdap_limits {
	unsigned expiring_days;   /* domain.expiring (high): 30 */
	unsigned renewal_days;    /* domain.renewal_due (medium): 90 */
	unsigned recent_days;     /* domain.recently_registered: 90 */
};

/* The shipped defaults, for a rules directory without rdap.ini. */
void sc_rdap_limits_default(struct sc_rdap_limits *out);

/* rdap.ini's text: a [thresholds] section with expiring_days,
 * renewal_due_days and recently_registered_days (0..3650 each; the
 * renewal band must reach at least as far as the expiring one).  Keys
 * left out keep the defaults.  SC_OK, or SC_ERULES with "rdap.ini:LINE:
 * why" in err. */
sc_status_t sc_rdap_limits_parse(const char *text, struct sc_rdap_limits *out,
                                 char *err, size_t errlen);

/* ---- the bootstrap file (RFC 9224) --------------------------------------- */

struct sc_rdap_service {
	char *label;              /* "com", or a longer suffix; lower case */
	char *url;                /* the base URL, ending in '/' (https when
	                           * the entry offers it); shared by the
	                           * labels of an entry */
	int https;                /* 0: the entry offers http only */
};

struct sc_rdap_bootstrap {
	struct sc_rdap_service *svc; /* sorted by label */
	size_t n;
	char *pool;               /* the text of every label and URL */
	char publication[40];     /* as the file says, printable */
	size_t skipped;           /* entries or labels that were not usable */
};

/*
 * Read IANA's bootstrap file for DNS (https://data.iana.org/rdap/dns.json):
 * {"services": [[["com", "net"], ["https://..."]], ...], "publication":
 * "...", ...}.  An entry's URLs: the first https one, else the first
 * http one (marked so).  Labels that are no DNS names, and URLs that are
 * neither, are skipped and counted.  SC_OK, SC_EINVAL (not that shape,
 * with why), SC_ENOMEM.  Free with sc_rdap_bootstrap_clear().
 */
sc_status_t sc_rdap_bootstrap_parse(const char *body, size_t len,
                                    struct sc_rdap_bootstrap *out, char *why,
                                    size_t whylen);
void sc_rdap_bootstrap_clear(struct sc_rdap_bootstrap *b);

/* The service for a domain name: the entry of its longest suffix of whole
 * labels (RFC 9224 4), or NULL.  Borrowed from b. */
const struct sc_rdap_service *
sc_rdap_bootstrap_find(const struct sc_rdap_bootstrap *b, const char *name);

#endif
