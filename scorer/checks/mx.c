/*
 * Check "mx": does every MX host resolve, to addresses on the Internet?
 * mx.dangling: a host that does not resolve, worst when its registrable
 * domain does not exist (whoever registers it receives the mail);
 * mx.private_address: a host (or, without MX, the domain itself) in
 * private, loopback or reserved space.
 */
#include <arpa/nameser.h>
#include <string.h>

#include "checks.h"
#include "internal.h"
#include "resolver.h"
#include "ipaddr.h"
#include "starttls.h"

/* As many as dns.c keeps answers: more than any real domain has, and a
 * hostile MX set cannot make us ask more than 128 questions. */
#define MAX_HOSTS 64

static struct sc_mxhost *
host_of(struct sc_domain *dom, const struct sc_lookup *lk)
{
	size_t i;

	for (i = 0; i < dom->nhost; i++)
		if (dom->host[i].a == lk || dom->host[i].aaaa == lk)
			return &dom->host[i];
	return NULL;
}

static int
resolved(const struct sc_lookup *lk)
{
	return lk != NULL && lk->outcome == SC_DNS_OK;
}

/* Both address lookups said the host is not there: ask whether its
 * registrable domain is, unless it is the domain's own (which exists,
 * since it answered the MX query) or already asked for another host. */
static void
on_host_addr(struct sc_lookup *lk, void *arg)
{
	struct sc_domain *dom = arg;
	struct sc_mxhost *h = host_of(dom, lk);
	size_t i;

	/* Addresses known: the STARTTLS probes of this host can start. */
	if (h != NULL && lk->outcome == SC_DNS_OK)
		sc_starttls_host_addrs(dom, h, lk);
	if (h == NULL || h->a == NULL || h->aaaa == NULL || !h->a->done ||
	    !h->aaaa->done || resolved(h->a) || resolved(h->aaaa))
		return;
	if (h->a->outcome != SC_DNS_NXDOMAIN &&
	    h->aaaa->outcome != SC_DNS_NXDOMAIN)
		return;
	sc_resolver_probe(dom); /* before "does not exist" is believed */
	if ((h->regdom = sc_registrable(dom->ctx, h->name)) == NULL)
		return;
	if (dom->regdom != NULL && strcmp(h->regdom, dom->regdom) == 0)
		return;
	for (i = 0; i < dom->nhost; i++)
		if (&dom->host[i] != h && dom->host[i].regdom_ns != NULL &&
		    strcmp(dom->host[i].regdom, h->regdom) == 0) {
			h->regdom_ns = dom->host[i].regdom_ns;
			return;
		}
	h->regdom_ns = sc_domain_lookup(dom, h->regdom, ns_t_ns, NULL);
}

static int
seen(const struct sc_domain *dom, const char *name)
{
	size_t i;

	for (i = 0; i < dom->nhost; i++)
		if (strcmp(dom->host[i].name, name) == 0)
			return 1;
	return 0;
}

sc_status_t
sc_mx_start_hosts(struct sc_domain *dom)
{
	const struct sc_lookup *mx = dom->mx;
	size_t i, n;

	if (mx == NULL || mx->outcome != SC_DNS_OK ||
	    sc_domain_mx_nowhere(dom) || !sc_check_enabled(dom->ctx, &sc_check_mx))
		return SC_OK;
	n = mx->n < MAX_HOSTS ? mx->n : MAX_HOSTS;
	dom->host = sc_calloc(n, sizeof(*dom->host));
	if (dom->host == NULL)
		return dom->status = SC_ENOMEM;
	for (i = 0; i < n; i++) {
		struct sc_mxhost *h = &dom->host[dom->nhost];

		if (mx->rr[i].text[0] == '\0' || seen(dom, mx->rr[i].text))
			continue;
		if ((h->name = sc_strdup(mx->rr[i].text)) == NULL)
			return dom->status = SC_ENOMEM;
		h->pref = mx->rr[i].pref;
		dom->nhost++;
	}
	/* Start only once every host is listed: on_host_addr looks hosts up
	 * by their lookups, and an answer may come back at once. */
	for (i = 0; i < dom->nhost; i++) {
		dom->host[i].a = sc_domain_lookup(dom, dom->host[i].name, ns_t_a,
		                                  on_host_addr);
		dom->host[i].aaaa = sc_domain_lookup(dom, dom->host[i].name,
		                                     ns_t_aaaa, on_host_addr);
	}
	return dom->status;
}

/* The first of the host's address lookups that says NXDOMAIN, or NULL. */
static const struct sc_lookup *
nx_of(const struct sc_mxhost *h)
{
	if (h->a != NULL && h->a->outcome == SC_DNS_NXDOMAIN)
		return h->a;
	if (h->aaaa != NULL && h->aaaa->outcome == SC_DNS_NXDOMAIN)
		return h->aaaa;
	return NULL;
}

static void
assess_dangling(const struct sc_domain *dom, const struct sc_mxhost *h,
                struct sc_hits *out)
{
	const struct sc_lookup *nx = nx_of(h);

	if (nx != NULL && !sc_resolver_believe_nx(dom, nx, out))
		return;
	if (h->regdom_ns != NULL && h->regdom_ns->outcome == SC_DNS_NXDOMAIN &&
	    h->regdom_ns->nx_proof == SC_NX_PROVEN) {
		sc_hits_add(out, "mx.dangling",
		            "MX host %s does not resolve and its registrable "
		            "domain %s does not exist: whoever registers %s "
		            "receives this domain's mail", h->name, h->regdom,
		            h->regdom);
		return;
	}
	sc_hits_add(out, "mx.dangling",
	            "MX host %s does not resolve (A: %s, AAAA: %s): mail "
	            "to it bounces, and whoever creates the name receives it",
	            h->name,
	            h->a ? sc_dns_outcome_str(h->a->outcome) : "not asked",
	            h->aaaa ? sc_dns_outcome_str(h->aaaa->outcome) : "not asked");
}

static int
usable_class(const struct sc_domain *dom, enum sc_ipclass c)
{
	return c == SC_IP_PUBLIC ||
	       (c == SC_IP_LOOPBACK && dom->ctx->allow_loopback);
}

/* One finding per host: the first address that is not routable. */
static void
assess_addresses(const struct sc_domain *dom, const char *host,
                 const struct sc_lookup *a, const struct sc_lookup *aaaa,
                 struct sc_hits *out)
{
	const struct sc_lookup *set[2] = { a, aaaa };
	size_t i, k;

	for (k = 0; k < 2; k++) {
		if (!resolved(set[k]))
			continue;
		for (i = 0; i < set[k]->n; i++) {
			enum sc_ipclass c = sc_ip_classify(set[k]->rr[i].text);

			if (usable_class(dom, c))
				continue;
			sc_hits_add(out, "mx.private_address",
			            "mail for %s goes to %s at %s, a %s address "
			            "that is not reachable on the Internet",
			            dom->name, host, set[k]->rr[i].text,
			            sc_ipclass_str(c));
			return;
		}
	}
}

static int
lookup_failed(const struct sc_lookup *lk)
{
	return lk == NULL || (lk->outcome != SC_DNS_OK &&
	                      lk->outcome != SC_DNS_NODATA &&
	                      lk->outcome != SC_DNS_NXDOMAIN);
}

static void
mx_assess(const struct sc_domain *dom, struct sc_hits *out)
{
	size_t i;

	for (i = 0; i < dom->nhost; i++) {
		const struct sc_mxhost *h = &dom->host[i];

		if (resolved(h->a) || resolved(h->aaaa)) {
			assess_addresses(dom, h->name, h->a, h->aaaa, out);
		} else if (lookup_failed(h->a) || lookup_failed(h->aaaa)) {
			sc_hits_dns_unverified(out, dom,
			    "the address lookups of MX host %s failed "
			    "(A: %s, AAAA: %s)", h->name,
			    h->a ? sc_dns_outcome_str(h->a->outcome) : "-",
			    h->aaaa ? sc_dns_outcome_str(h->aaaa->outcome)
			    : "-");
		} else {
			assess_dangling(dom, h, out);
		}
	}
	/* No MX: the domain's own address is the mail server. */
	if (dom->mx != NULL && dom->mx->outcome == SC_DNS_NODATA)
		assess_addresses(dom, dom->name, dom->a, dom->aaaa, out);
}

static const char *const mx_ids[] = {
	"mx.dangling", "mx.private_address", "dns.unverified",
	"dns.resolver_untrusted", NULL
};

const struct sc_check sc_check_mx = {
	.name = "mx",
	.ids = mx_ids,
	.start = NULL, /* started by the "domain" check once the MX is known */
	.assess = mx_assess,
};
