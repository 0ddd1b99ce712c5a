/*
 * The checks, for the registry (checks.c) and for what checks ask of one
 * another (interception reads starttls, mta_sts and dane).  The core
 * (ctx.c, engine.c, report.c, json.c) does not include this: it reaches
 * a check through its table (engine.h, struct sc_check) alone.
 */
#ifndef SC_CHECKS_H
#define SC_CHECKS_H

#include "engine.h"

extern const struct sc_check sc_check_domain;
extern const struct sc_check sc_check_mx;
extern const struct sc_check sc_check_starttls;
extern const struct sc_check sc_check_disposable;
extern const struct sc_check sc_check_lookalike;
extern const struct sc_check sc_check_dmarc;
extern const struct sc_check sc_check_tlsrpt;
extern const struct sc_check sc_check_spf;
extern const struct sc_check sc_check_mta_sts;
extern const struct sc_check sc_check_breach;
extern const struct sc_check sc_check_ns;
extern const struct sc_check sc_check_rdap;
extern const struct sc_check sc_check_dane;
extern const struct sc_check sc_check_interception;
extern const struct sc_check sc_check_resolver;

/* Start the A/AAAA lookups of every MX host (check "mx"), once the
 * "domain" check has the MX answer. */
sc_status_t sc_mx_start_hosts(struct sc_domain *dom);

struct sc_domainset;
/* DIR/FILE as a domain list (domainset.h), for ctx_init hooks; the error
 * names the file and line (sc_ctx_error()). */
sc_status_t sc_checks_load_list(struct sc_ctx *ctx, const char *dir,
                                const char *file, struct sc_domainset **out);

/* The interception judgement of a finished job (interception.c), from
 * the states of starttls, mta_sts and dane; its finish hook stores it on
 * the domain. */
void sc_interception_eval(const struct sc_domain *dom,
                          struct sc_interception *out);
/* For interception.c: is a valid MTA-STS policy in mode enforce in place
 * that lists every MX host?  The "mta_sts" check's own judgement, in
 * words in why.  1 yes, 0 no, 2 unknown (a lookup failed, or the policy
 * host was not reached from here), -1 out of memory. */
int sc_mta_sts_enforced(const struct sc_domain *dom, char *why,
                        size_t whylen);

#endif
