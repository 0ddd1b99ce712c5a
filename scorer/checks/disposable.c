/*
 * Check "disposable": a disposable or public-inbox service, where anyone
 * who knows (or guesses) the address reads the recovery mail.  The list
 * is data: rules/disposable.txt, the check's context state.
 */
#include <stdio.h>

#include "checks.h"
#include "domainset.h"

/* A domain list of the rules directory, for ctx_init hooks. */
sc_status_t
sc_checks_load_list(struct sc_ctx *ctx, const char *dir, const char *file,
                    struct sc_domainset **out)
{
	char path[4096], err[512];
	sc_status_t st;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	st = sc_domainset_load(path, out, err, sizeof(err));
	if (st != SC_OK && st != SC_ENOMEM)
		return sc_ctx_error(ctx, SC_ERULES, "%s", err);
	return st;
}

static sc_status_t
disposable_ctx_init(struct sc_ctx *ctx, const char *dir, void *old, void **out)
{
	struct sc_domainset *set = NULL;
	sc_status_t st;

	(void)old; /* the list is the directory's: always read anew */
	st = sc_checks_load_list(ctx, dir, "disposable.txt", &set);
	*out = set;
	return st;
}

static void
disposable_ctx_free(struct sc_ctx *ctx, void *state)
{
	(void)ctx;
	sc_domainset_free(state);
}

static void
disposable_assess(const struct sc_domain *dom, struct sc_hits *out)
{
	const struct sc_domainset *list =
	    sc_check_ctx(dom->ctx, &sc_check_disposable);
	const char *hit;

	if (list == NULL)
		return;
	hit = sc_domainset_match(list, dom->name);
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
	.ctx_init = disposable_ctx_init,
	.ctx_free = disposable_ctx_free,
	.ctx_free_early = 1,
	.assess = disposable_assess,
};
