/*
 * Check "domain": does the domain exist, and can it receive mail at all?
 * domain.nxdomain, domain.null_mx (RFC 7505), domain.implicit_mx
 * (RFC 5321 5.1: no MX, the A/AAAA is used), domain.no_mail.
 */
#include <arpa/nameser.h>
#include <string.h>

#include "checks.h"
#include "internal.h"
#include "resolver.h"

/* An NXDOMAIN for a subdomain is only a takeover by anyone when its
 * registrable domain is gone too, so ask about that; otherwise go on to
 * the MX hosts.  Without MX records the domain's own address is its mail
 * server (the implicit MX of RFC 5321 5.1), so only then is it asked:
 * most domains have MX records, and a batch pays for every query. */
static void
on_mx(struct sc_lookup *lk, void *arg)
{
	struct sc_domain *dom = arg;

	if (lk->outcome == SC_DNS_NODATA) {
		dom->a = sc_domain_lookup(dom, dom->name, ns_t_a, NULL);
		dom->aaaa = sc_domain_lookup(dom, dom->name, ns_t_aaaa, NULL);
	}
	if (lk->outcome != SC_DNS_NXDOMAIN) {
		(void)sc_mx_start_hosts(dom);
		return;
	}
	/* "Does not exist" is believed only from a resolver that answers
	 * the root (resolver.h). */
	sc_resolver_probe(dom);
	if (dom->regdom != NULL && strcmp(dom->regdom, dom->name) != 0)
		dom->regdom_ns = sc_domain_lookup(dom, dom->regdom, ns_t_ns, NULL);
}

/* Names no one can register, so no one's mail domain: a single label
 * ("localhost", "123"), a name ending in an all-digit label ("1.2.3.4":
 * no top-level domain is all digits, RFC 3696 2; an IP address without
 * its brackets), or a public suffix itself ("com", "co.uk"; the ICANN
 * part of the list: a private suffix such as blogspot.com is run by its
 * owner).  Their NXDOMAIN says nothing about a lapsed registration.  What
 * the name is, for the detail, or NULL. */
static const char *
unregistrable(const struct sc_domain *dom)
{
	const char *last = strrchr(dom->name, '.');

	/* A name with a registrable part is no public suffix: only the
	 * others need libpsl's (not cheap) answer. */
	if (dom->regdom == NULL && dom->ctx->psl != NULL &&
	    psl_is_public_suffix2(dom->ctx->psl, dom->name,
	                          PSL_TYPE_ICANN | PSL_TYPE_NO_STAR_RULE))
		return "is a public suffix, a registry's own zone (like com "
		       "or co.uk)";
	if (last == NULL)
		return "is a single label, a name for a host of the sender's "
		       "own network (like localhost), not a domain";
	if (strspn(last + 1, "0123456789") == strlen(last + 1))
		return "ends in an all-digit label, as an IP address without "
		       "its brackets does: no top-level domain is all digits";
	return NULL;
}

static sc_status_t
domain_start(struct sc_domain *dom)
{
	if (sc_domain_is_literal(dom))
		return SC_OK;
	dom->mx = sc_domain_lookup(dom, dom->name, ns_t_mx, on_mx);
	return dom->status;
}

static int
failed(const struct sc_lookup *lk)
{
	return lk == NULL || (lk->outcome != SC_DNS_OK &&
	                      lk->outcome != SC_DNS_NODATA &&
	                      lk->outcome != SC_DNS_NXDOMAIN);
}

static const char *
why_failed(const struct sc_lookup *lk)
{
	return lk == NULL ? "not asked" : sc_dns_outcome_str(lk->outcome);
}

static void
assess_nxdomain(const struct sc_domain *dom, struct sc_hits *out)
{
	const struct sc_lookup *ns = dom->regdom_ns;

	if (!sc_resolver_believe_nx(dom, dom->mx, out))
		return;
	if (ns != NULL && ns->outcome == SC_DNS_NXDOMAIN &&
	    ns->nx_proof == SC_NX_PROVEN)
		sc_hits_add(out, "domain.nxdomain",
		            "%s does not exist, nor does its registrable domain "
		            "%s: anyone may register it and receive this mail",
		            dom->name, dom->regdom);
	else
		sc_hits_add(out, "domain.nxdomain",
		            "%s does not exist (NXDOMAIN): no mail can be "
		            "delivered, and whoever creates it receives the mail",
		            dom->name);
}

static void
assess_no_mx(const struct sc_domain *dom, struct sc_hits *out)
{
	int has_a = dom->a != NULL && dom->a->outcome == SC_DNS_OK;
	int has_aaaa = dom->aaaa != NULL && dom->aaaa->outcome == SC_DNS_OK;

	if (has_a || has_aaaa) {
		sc_hits_add(out, "domain.implicit_mx",
		            "%s has no MX record; mail goes to its address "
		            "record (%s)", dom->name,
		            has_a ? dom->a->rr[0].text : dom->aaaa->rr[0].text);
	} else if (failed(dom->a) || failed(dom->aaaa)) {
		sc_hits_dns_unverified(out, dom,
		    "%s has no MX record and its A/AAAA lookups failed "
		    "(%s, %s)", dom->name, why_failed(dom->a),
		    why_failed(dom->aaaa));
	} else {
		sc_hits_add(out, "domain.no_mail",
		            "%s has neither an MX nor an A/AAAA record: it cannot "
		            "receive mail", dom->name);
	}
}

static void
domain_assess(const struct sc_domain *dom, struct sc_hits *out)
{
	const struct sc_lookup *mx = dom->mx;
	const char *what;

	if (sc_domain_is_literal(dom)) {
		sc_hits_add(out, "address.literal",
		            "the address names the server %s directly, not a "
		            "domain", dom->name);
		return;
	}
	if ((what = unregistrable(dom)) != NULL) {
		sc_hits_add(out, "domain.unregistrable",
		            "%s %s: no one can register it, so recovery mail "
		            "goes nowhere, or to whatever host the sender calls "
		            "by that name", dom->name, what);
		return;
	}
	if (mx == NULL || failed(mx)) {
		sc_hits_dns_unverified(out, dom,
		    "the MX lookup for %s failed (%s%s%s): nothing about "
		    "this domain could be verified", dom->name,
		    why_failed(mx), mx && mx->error ? ": " : "",
		    mx && mx->error ? mx->error : "");
		return;
	}
	if (mx->outcome == SC_DNS_NXDOMAIN)
		assess_nxdomain(dom, out);
	else if (sc_domain_null_mx(dom))
		sc_hits_add(out, "domain.null_mx",
		            "%s publishes a null MX (RFC 7505): it accepts no mail",
		            dom->name);
	else if (sc_domain_mx_nowhere(dom))
		sc_hits_add(out, "domain.no_mail",
		            "every MX record of %s names the root (\".\"), which "
		            "is no host: no mail can be delivered (a null MX, "
		            "RFC 7505, is a single \"MX 0 .\")", dom->name);
	else if (mx->outcome == SC_DNS_NODATA)
		assess_no_mx(dom, out);
}

static const char *const domain_ids[] = {
	"address.literal", "domain.nxdomain", "domain.null_mx",
	"domain.implicit_mx", "domain.no_mail", "dns.unverified",
	"dns.resolver_untrusted", "domain.unregistrable", NULL
};

const struct sc_check sc_check_domain = {
	.name = "domain",
	.ids = domain_ids,
	.required = 1,
	.start = domain_start,
	.assess = domain_assess,
};
