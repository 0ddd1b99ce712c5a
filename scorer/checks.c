/*
 * The registry of checks, in the order they start and assess (as curl
 * lists its TLS backends), and the core's only ways into them: their
 * hooks (engine.h, struct sc_check).  A new check is a file and a line
 * here.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "checks.h"
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
	/* Who answers for the domain's DNS (ns.c). */
	&sc_check_ns,
	/* Where the registrations stand (rdap.c): after ns, whose NS
	 * question it asks again. */
	&sc_check_rdap,
	/* After starttls and mta_sts, whose evidence they read. */
	&sc_check_dane,
	&sc_check_interception,
	/* Asked by the others, on demand: whether the resolver can be
	 * believed (resolver.h). */
	&sc_check_resolver,
};

const size_t sc_ncheck = SC_ARRAY_LEN(sc_checks);

/* Every registered check needs a state slot (and one stays for tests). */
typedef char sc_checks_fit[SC_ARRAY_LEN(sc_checks) < SC_MAX_CHECKS ? 1 : -1];

size_t
sc_check_index(const struct sc_check *check)
{
	size_t i;

	for (i = 0; i < sc_ncheck; i++)
		if (sc_checks[i] == check)
			return i;
	return SC_MAX_CHECKS - 1; /* not registered: a test's own check */
}

const struct sc_check *
sc_check_at(const struct sc_ctx *ctx, size_t i)
{
	if (i < sc_ncheck)
		return sc_checks[i];
	return i == sc_ncheck ? ctx->test_check : NULL;
}

void
sc_ctx_test_check(struct sc_ctx *ctx, const struct sc_check *c)
{
	ctx->test_check = c;
}

int
sc_check_enabled(const struct sc_ctx *ctx, const struct sc_check *check)
{
	size_t i = sc_check_index(check);

	return i >= 32 || (ctx->skip & (UINT32_C(1) << i)) == 0;
}

sc_status_t
sc_ctx_skip_check(sc_ctx_t *ctx, const char *name)
{
	size_t i;

	if (ctx == NULL || name == NULL)
		return SC_EINVAL;
	ctx->errmsg[0] = '\0';
	if (ctx->ready)
		return sc_ctx_error(ctx, SC_EBUSY, "checks to skip must be set "
		                    "before the first check");
	for (i = 0; i < sc_ncheck; i++) {
		if (strcmp(sc_checks[i]->name, name) != 0)
			continue;
		/* "domain" finds the MX hosts every other check builds on;
		 * "resolver" is what they ask before believing an answer. */
		if (sc_checks[i]->required)
			return sc_ctx_error(ctx, SC_EINVAL, "the %s check "
			                    "cannot be skipped", name);
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
	return &dom->state_of[sc_check_index(check)];
}

void *
sc_check_state_get(const struct sc_domain *dom, const struct sc_check *check)
{
	return dom->state_of[sc_check_index(check)];
}

void **
sc_check_ctx_slot(struct sc_ctx *ctx, const struct sc_check *check)
{
	return &ctx->check_ctx[sc_check_index(check)];
}

void *
sc_check_ctx(const struct sc_ctx *ctx, const struct sc_check *check)
{
	return ctx->check_ctx[sc_check_index(check)];
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

sc_status_t
sc_checks_ctx_init(struct sc_ctx *ctx, const char *dir)
{
	void *fresh[SC_MAX_CHECKS];
	const struct sc_check *c;
	sc_status_t st = SC_OK;
	size_t i, k, n;

	for (n = 0; (c = sc_check_at(ctx, n)) != NULL; n++) {
		k = sc_check_index(c);
		fresh[k] = ctx->check_ctx[k];
		if (c->ctx_init != NULL &&
		    (st = c->ctx_init(ctx, dir, ctx->check_ctx[k], &fresh[k])) !=
		        SC_OK)
			break;
	}
	for (i = 0; i < n; i++) {
		/* Failed: free what is new, keep the old.  Done: free what
		 * was replaced. */
		void *gone;

		c = sc_check_at(ctx, i);
		k = sc_check_index(c);
		gone = st != SC_OK ? fresh[k] : ctx->check_ctx[k];
		if (fresh[k] != ctx->check_ctx[k] && gone != NULL &&
		    c->ctx_free != NULL)
			c->ctx_free(ctx, gone);
		if (st == SC_OK)
			ctx->check_ctx[k] = fresh[k];
	}
	return st;
}

void
sc_checks_ctx_free(struct sc_ctx *ctx, int early)
{
	const struct sc_check *c;
	size_t i, k;

	for (i = 0; (c = sc_check_at(ctx, i)) != NULL; i++) {
		k = sc_check_index(c);
		if (ctx->check_ctx[k] == NULL || c->ctx_free == NULL ||
		    (c->ctx_free_early != 0) != (early != 0))
			continue;
		c->ctx_free(ctx, ctx->check_ctx[k]);
		ctx->check_ctx[k] = NULL;
	}
}

const char *
sc_checks_notice(const struct sc_ctx *ctx, size_t i, char *buf, size_t size)
{
	const struct sc_check *c;
	size_t k;

	for (k = 0; (c = sc_check_at(ctx, k)) != NULL; k++)
		if (c->notice != NULL &&
		    c->notice(ctx, ctx->check_ctx[sc_check_index(c)], buf, size) &&
		    i-- == 0)
			return buf;
	return NULL;
}

void
sc_describe(const struct sc_check *c, const struct sc_domain *dom,
            struct sc_jw *jw)
{
	if (c->describe == NULL)
		return;
	sc_jw_sep(jw);
	sc_jw_lit(jw, "\"");
	sc_jw_raw(jw, c->name, strlen(c->name));
	sc_jw_lit(jw, "\":");
	c->describe(dom, jw);
}

json_t *
sc_describe_json(const struct sc_check *c, const struct sc_domain *dom)
{
	struct sc_jw jw = { 0 };
	json_t *all, *d;
	char *text;
	size_t len;

	if (c->describe == NULL)
		return NULL;
	sc_jw_lit(&jw, "{");
	sc_describe(c, dom, &jw);
	sc_jw_lit(&jw, "}");
	if ((text = sc_jw_finish(&jw, &len)) == NULL)
		return NULL;
	/* A TXT record may hold a NUL byte: the text has it as \u0000. */
	all = json_loadb(text, len, JSON_ALLOW_NUL, NULL);
	sc_free(text);
	d = json_incref(json_object_get(all, c->name));
	json_decref(all);
	return d;
}
