/*
 * The resolver, checked before it is believed (resolver.h).
 */
#include <arpa/nameser.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>

#include "checks.h"
#include "internal.h"
#include "resolver.h"

/* Whether the resolver answers the root, and validates, is the
 * resolver's property, not the domain's: one answer serves every domain
 * for ROOT_MEMO_MS (a batch of a million addresses would otherwise ask
 * once per domain).  A domain that uses the memo lists no ". NS" lookup
 * of its own.  The check's context state, made on demand. */
#define ROOT_MEMO_MS (5 * 60 * 1000)

struct resolver_ctx {
	int root_ok, root_ad;
	uint64_t root_until;          /* monotonic ms; 0: not known */
	char name[128];               /* for details: which resolver */
	unsigned long nx_untrusted;   /* NXDOMAINs not believed */
};

static struct resolver_ctx *
state_of(struct sc_ctx *ctx)
{
	void **slot = sc_check_ctx_slot(ctx, &sc_check_resolver);

	struct resolver_ctx *rc = *slot;

	if (rc == NULL && (rc = sc_calloc(1, sizeof(*rc))) != NULL) {
		if (ctx->dns.channel != NULL)
			sc_dns_servers_str(&ctx->dns, rc->name, sizeof(rc->name));
		*slot = rc;
	}
	return rc;
}

static void
resolver_ctx_free(struct sc_ctx *ctx, void *state)
{
	(void)ctx;
	sc_free(state);
}

static int
root_answered(const struct sc_lookup *lk)
{
	return lk->outcome == SC_DNS_OK && lk->n > 0;
}

static void
on_root(struct sc_lookup *lk, void *arg)
{
	struct sc_domain *dom = arg;
	struct resolver_ctx *rc = state_of(dom->ctx);

	/* A timeout says nothing lasting about the resolver: ask again for
	 * the next domain.  A definite answer (the root's NS, or a lie
	 * about it) is kept.  Out of memory: not kept, asked again. */
	if (rc == NULL || !lk->done || (lk->outcome != SC_DNS_OK &&
	                                lk->outcome != SC_DNS_NODATA &&
	                                lk->outcome != SC_DNS_NXDOMAIN))
		return;
	rc->root_ok = root_answered(lk);
	rc->root_ad = lk->ad;
	rc->root_until = sc_now_ms() + ROOT_MEMO_MS;
}

void
sc_resolver_probe(struct sc_domain *dom)
{
	const struct resolver_ctx *rc = sc_check_ctx(dom->ctx,
	                                             &sc_check_resolver);

	if (dom->root != NULL || dom->root_known)
		return;
	if (rc != NULL && rc->root_until != 0 && sc_now_ms() < rc->root_until) {
		dom->root_known = 1;
		dom->root_ok = rc->root_ok;
		dom->root_ad = rc->root_ad;
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
	const struct resolver_ctx *rc = state_of(dom->ctx);

	return rc != NULL && rc->name[0] != '\0' ? rc->name
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
	if (state_of(dom->ctx) != NULL)
		state_of(dom->ctx)->nx_untrusted++;
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

/* Said once for the run: every report concerned names it, too. */
static int
resolver_notice(const struct sc_ctx *ctx, const void *state, char *buf,
                size_t size)
{
	const struct resolver_ctx *rc = state;

	(void)ctx;
	if (rc == NULL || rc->nx_untrusted == 0)
		return 0;
	snprintf(buf, size, "the resolver %s answered \"does not exist\" "
	         "without proof %lu time%s (no SOA of an enclosing zone, or it "
	         "did not answer for the root), as a lying or filtering "
	         "resolver does, so those addresses could not be assessed. "
	         "Use another resolver "
	         "(--resolver)", rc->name[0] != '\0' ? rc->name : "of the system",
	         rc->nx_untrusted, rc->nx_untrusted == 1 ? "" : "s");
	return 1;
}

static const char *const resolver_ids[] = { "dns.resolver_untrusted", NULL };

/* No lookups of its own at start: the others ask it (sc_resolver_probe())
 * when an answer needs believing. */
const struct sc_check sc_check_resolver = {
	.name = "resolver",
	.ids = resolver_ids,
	.required = 1,
	.ctx_free = resolver_ctx_free,
	.notice = resolver_notice,
};
