/*
 * Check "lookalike": a typo or confusable of a major mail provider
 * (gmial.com for gmail.com).  Whoever owns the lookalike domain receives
 * the recovery mail the user meant for the provider.  The matching is in
 * lookalike.c; the provider list is rules/providers.txt.
 */
#include "engine.h"
#include "lookalike.h"

static void
lookalike_assess(const struct sc_domain *dom, struct sc_hits *out)
{
	char provider[256], why[128];

	if (dom->ctx->providers == NULL)
		return;
	if (sc_lookalike_match(dom->ctx->providers, dom->name, provider,
	                       sizeof(provider), why, sizeof(why)))
		sc_hits_add(out, "domain.lookalike",
		            "%s looks like %s (%s): was %s meant?", dom->name,
		            provider, why, provider);
}

static const char *const lookalike_ids[] = { "domain.lookalike", NULL };

const struct sc_check sc_check_lookalike = {
	.name = "lookalike",
	.ids = lookalike_ids,
	.start = NULL,
	.assess = lookalike_assess,
};
