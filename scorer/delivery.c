/*
 * Where mail for a domain goes, as the core evidence of its job says (the
 * MX answer and, without MX records, its own address: dom->mx, dom->a,
 * dom->aaaa, which the "domain" check asks).  Every check that needs to
 * know whether the domain takes mail reads it here, below the checks.
 */
#include <string.h>

#include "engine.h"

static int
is_root(const char *host)
{
	return host[0] == '\0' || strcmp(host, ".") == 0;
}

/* RFC 7505 3: a null MX is a single MX of preference 0 and host ".". */
int
sc_domain_null_mx(const struct sc_domain *dom)
{
	const struct sc_lookup *mx = dom->mx;

	return mx != NULL && mx->outcome == SC_DNS_OK && mx->n == 1 &&
	       mx->rr[0].pref == 0 && is_root(mx->rr[0].text);
}

/* MX records, every one naming the root: a null MX, or records that
 * look like one ("MX 10 ."), which name no host either: a sender finds
 * no address for the root, so no mail can be delivered. */
int
sc_domain_mx_nowhere(const struct sc_domain *dom)
{
	const struct sc_lookup *mx = dom->mx;
	size_t i;

	if (mx == NULL || mx->outcome != SC_DNS_OK || mx->n == 0)
		return 0;
	for (i = 0; i < mx->n; i++)
		if (!is_root(mx->rr[i].text))
			return 0;
	return 1;
}

/* An address literal ([192.0.2.1]) names a host, not a domain: there is
 * nothing to look up. */
int
sc_domain_is_literal(const struct sc_domain *dom)
{
	return dom->name[0] == '[';
}

/* Mail can arrive: not NXDOMAIN, MX records that name a host, and
 * without MX records an address to go to (RFC 5321 5.1).  Unknown counts
 * as "takes mail". */
int
sc_domain_takes_mail(const struct sc_domain *dom)
{
	const struct sc_lookup *mx = dom->mx;

	if (mx == NULL || !sc_lookup_answered(mx))
		return 1;
	if (mx->outcome == SC_DNS_NXDOMAIN || sc_domain_mx_nowhere(dom))
		return 0;
	if (mx->outcome == SC_DNS_NODATA)
		return (dom->a == NULL || dom->a->outcome != SC_DNS_NODATA) ||
		       (dom->aaaa == NULL || dom->aaaa->outcome != SC_DNS_NODATA);
	return 1;
}
