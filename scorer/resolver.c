/*
 * The resolver, checked before it is believed (resolver.h).
 */
#include <arpa/nameser.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "engine.h"
#include "internal.h"
#include "resolver.h"

/* Whether the resolver answers the root, and validates, is the
 * resolver's property, not the domain's: one answer serves every domain
 * for ROOT_MEMO_MS (a batch of a million addresses would otherwise ask
 * once per domain).  A domain that uses the memo lists no ". NS" lookup
 * of its own. */
#define ROOT_MEMO_MS (5 * 60 * 1000)

static int
root_answered(const struct sc_lookup *lk)
{
	return lk->outcome == SC_DNS_OK && lk->n > 0;
}

static void
on_root(struct sc_lookup *lk, void *arg)
{
	struct sc_domain *dom = arg;
	struct sc_ctx *ctx = dom->ctx;

	/* A timeout says nothing lasting about the resolver: ask again for
	 * the next domain.  A definite answer (the root's NS, or a lie
	 * about it) is kept. */
	if (!lk->done || (lk->outcome != SC_DNS_OK &&
	                  lk->outcome != SC_DNS_NODATA &&
	                  lk->outcome != SC_DNS_NXDOMAIN))
		return;
	ctx->root_ok = root_answered(lk);
	ctx->root_ad = lk->ad;
	ctx->root_until = sc_now_ms() + ROOT_MEMO_MS;
}

void
sc_resolver_probe(struct sc_domain *dom)
{
	const struct sc_ctx *ctx = dom->ctx;

	if (dom->root != NULL || dom->root_known)
		return;
	if (ctx->root_until != 0 && sc_now_ms() < ctx->root_until) {
		dom->root_known = 1;
		dom->root_ok = ctx->root_ok;
		dom->root_ad = ctx->root_ad;
		return;
	}
	dom->root = sc_domain_lookup(dom, ".", ns_t_ns, on_root);
}

int
sc_resolver_root(const struct sc_domain *dom, int *ad)
{
	if (dom->root_known) {
		if (ad != NULL)
			*ad = dom->root_ad;
		return dom->root_ok;
	}
	if (dom->root == NULL || !dom->root->done)
		return -1;
	if (ad != NULL)
		*ad = dom->root->ad;
	return root_answered(dom->root);
}

const char *
sc_resolver_name(const struct sc_domain *dom)
{
	return dom->ctx->resolver_name[0] != '\0' ? dom->ctx->resolver_name
	                                          : "the system's resolver";
}

int
sc_resolver_believe_nx(const struct sc_domain *dom,
                       const struct sc_lookup *lk, struct sc_hits *out)
{
	const char *res = sc_resolver_name(dom);
	int root = sc_resolver_root(dom, NULL);

	if (lk->nx_proof == SC_NX_PROVEN && root == 1)
		return 1;
	/* The context's count, for the run's notice (sc_ctx_notice()). */
	dom->ctx->nx_untrusted++;
	if (lk->nx_proof == SC_NX_NO_SOA)
		sc_hits_add_missing(out, "dns.resolver_untrusted",
		    "the resolver %s answered that %s does not exist (NXDOMAIN) "
		    "without the SOA record that proves it (RFC 2308): a "
		    "lying or filtering resolver (captive portal, sandbox, DNS "
		    "block list) answers so, and it cannot be believed",
		    res, lk->name);
	else if (lk->nx_proof == SC_NX_FOREIGN_SOA)
		sc_hits_add_missing(out, "dns.resolver_untrusted",
		    "the resolver %s answered that %s does not exist with the "
		    "SOA of %s, a zone that does not hold the name: a filtering "
		    "resolver (an RPZ policy zone, a DNS firewall) blocks it, "
		    "so whether it exists is unknown", res, lk->name,
		    lk->nx_zone != NULL ? lk->nx_zone : "?");
	else
		sc_hits_add_missing(out, "dns.resolver_untrusted",
		    "the resolver %s answered that %s does not exist, but %s "
		    "the root's NS query: a resolver that cannot name the "
		    "root's servers is not believed when it says a name does "
		    "not exist", res, lk->name,
		    root < 0 ? "did not answer" : "gave no answer to");
	return 0;
}

void
sc_hits_dns_unverified(struct sc_hits *out, const struct sc_domain *dom,
                       const char *fmt, ...)
{
	char buf[900];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	sc_hits_add_missing(out, "dns.unverified", "%s; asked of resolver %s",
	                    buf, sc_resolver_name(dom));
}
