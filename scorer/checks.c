/*
 * The registry of checks, in the order they start and assess (as curl
 * lists its TLS backends).  A new check is a file and a line here.
 */
#include <string.h>

#include "engine.h"
#include "internal.h"

const struct sc_check *const sc_checks[] = {
	&sc_check_domain,
	&sc_check_mx,
	&sc_check_starttls,
	&sc_check_disposable,
	&sc_check_lookalike,
	&sc_check_dmarc,
	&sc_check_tlsrpt,
	&sc_check_spf,
	&sc_check_mta_sts,
	&sc_check_breach,
	/* After starttls and mta_sts, whose evidence they read. */
	&sc_check_dane,
	&sc_check_interception,
};

const size_t sc_ncheck = SC_ARRAY_LEN(sc_checks);

/* Every registered check needs a state slot (and one stays for tests). */
typedef char sc_checks_fit[SC_ARRAY_LEN(sc_checks) < SC_MAX_CHECKS ? 1 : -1];

static size_t
index_of(const struct sc_check *check)
{
	size_t i;

	for (i = 0; i < sc_ncheck; i++)
		if (sc_checks[i] == check)
			return i;
	return SC_MAX_CHECKS - 1; /* not registered: a test's own check */
}

int
sc_check_enabled(const struct sc_ctx *ctx, const struct sc_check *check)
{
	size_t i = index_of(check);

	return i >= 32 || (ctx->skip & (UINT32_C(1) << i)) == 0;
}

sc_status_t
sc_ctx_skip_check(sc_ctx_t *ctx, const char *name)
{
	size_t i;

	if (ctx == NULL || name == NULL)
		return SC_EINVAL;
	if (ctx->ready)
		return sc_ctx_error(ctx, SC_EBUSY,
		                    "checks must be skipped before the first check");
	/* "domain" finds the MX hosts every other check builds on. */
	if (strcmp(name, "domain") == 0)
		return sc_ctx_error(ctx, SC_EINVAL,
		                    "the domain check cannot be skipped");
	for (i = 0; i < sc_ncheck; i++)
		if (strcmp(sc_checks[i]->name, name) == 0) {
			ctx->skip |= UINT32_C(1) << i;
			return SC_OK;
		}
	return sc_ctx_error(ctx, SC_ENOTFOUND, "no check named '%s'", name);
}

const char *
sc_check_name(size_t i)
{
	return i < sc_ncheck ? sc_checks[i]->name : NULL;
}

void **
sc_check_state(struct sc_domain *dom, const struct sc_check *check)
{
	return &dom->state_of[index_of(check)];
}

void *
sc_check_state_get(const struct sc_domain *dom, const struct sc_check *check)
{
	return dom->state_of[index_of(check)];
}

/* A rules set that leaves out an id would make that finding silently
 * harmless: refuse it when it is loaded instead. */
const char *
sc_checks_missing_rule(const struct sc_rules *rules)
{
	const char *const *id;
	size_t i;

	if (sc_rules_find(rules, "address.invalid") == NULL)
		return "address.invalid";
	for (i = 0; i < sc_ncheck; i++)
		for (id = sc_checks[i]->ids; id != NULL && *id != NULL; id++)
			if (sc_rules_find(rules, *id) == NULL)
				return *id;
	return NULL;
}
