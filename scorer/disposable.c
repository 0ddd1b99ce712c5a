/*
 * Check "disposable": a disposable or public-inbox service, where anyone
 * who knows (or guesses) the address reads the recovery mail.  The list
 * is data: rules/disposable.txt.
 */
#include "engine.h"

static void
disposable_assess(const struct sc_domain *dom, struct sc_hits *out)
{
	const char *hit;

	if (dom->ctx->disposable == NULL)
		return;
	hit = sc_domainset_match(dom->ctx->disposable, dom->name);
	if (hit != NULL)
		sc_hits_add(out, "domain.disposable",
		            "%s is a disposable or public inbox service (listed "
		            "as %s): anyone can read mail sent to it",
		            dom->name, hit);
}

static const char *const disposable_ids[] = { "domain.disposable", NULL };

const struct sc_check sc_check_disposable = {
	.name = "disposable",
	.ids = disposable_ids,
	.start = NULL,
	.assess = disposable_assess,
};
