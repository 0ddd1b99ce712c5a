/*
 * Canned evidence for the checks' assess functions: a domain job built by
 * hand, as if the DNS had answered, so each check is tested without a
 * network (the end-to-end tests use the real lab).
 */
#ifndef SC_TEST_EVIDENCE_H
#define SC_TEST_EVIDENCE_H

#include <arpa/nameser.h>
#include <check.h>
#include <stdarg.h>
#include <string.h>

#include "checks.h"
#include "internal.h"

/* A finished lookup with outcome and up to 8 answers ("10 mx.x" for MX). */
static inline struct sc_lookup *
ev_lookup(struct sc_domain *dom, const char *name, int qtype,
          sc_dns_outcome_t outcome, int n, ...)
{
	struct sc_lookup *lk = sc_calloc(1, sizeof(*lk));
	va_list ap;
	int i;

	lk->name = sc_strdup(name);
	lk->qtype = qtype;
	lk->outcome = outcome;
	lk->done = 1;
	lk->rr = sc_calloc((size_t)(n ? n : 1), sizeof(*lk->rr));
	va_start(ap, n);
	for (i = 0; i < n; i++) {
		const char *s = va_arg(ap, const char *);

		if (qtype == ns_t_mx) {
			unsigned pref = 0;
			int off = 0;

			sscanf(s, "%u %n", &pref, &off);
			lk->rr[i].pref = pref;
			s += off;
		}
		lk->rr[i].text = sc_strdup(s);
		lk->rr[i].len = strlen(s);
	}
	va_end(ap);
	lk->n = (size_t)n;
	/* An NXDOMAIN as an honest resolver gives it: with the SOA of an
	 * enclosing zone (tests of the proof set it otherwise). */
	if (outcome == SC_DNS_NXDOMAIN)
		lk->nx_proof = SC_NX_PROVEN;
	*dom->tail = lk;
	dom->tail = &lk->next;
	return lk;
}

static inline struct sc_domain *
ev_domain(struct sc_ctx *ctx, const char *name)
{
	struct sc_domain *dom = sc_calloc(1, sizeof(*dom));

	dom->ctx = ctx;
	dom->name = sc_strdup(name);
	dom->tail = &dom->lookups;
	dom->state = SC_JOB_DONE;
	return dom;
}

static inline struct sc_mxhost *
ev_host(struct sc_domain *dom, const char *name, unsigned pref)
{
	dom->host = sc_realloc(dom->host, (dom->nhost + 1) * sizeof(*dom->host));
	memset(&dom->host[dom->nhost], 0, sizeof(*dom->host));
	dom->host[dom->nhost].name = sc_strdup(name);
	dom->host[dom->nhost].pref = pref;
	return &dom->host[dom->nhost++];
}

/* What the resolver's root probe found, as a memo would give it: 1 it
 * answered the root's NS, 0 it did not. */
static inline void
ev_root(struct sc_domain *dom, int answered)
{
	dom->root_known = 1;
	dom->root_ok = answered;
	dom->root_ad = 0;
}

static inline void
ev_free(struct sc_domain *dom)
{
	struct sc_lookup *lk, *next;
	size_t i;

	for (lk = dom->lookups; lk != NULL; lk = next) {
		next = lk->next;
		sc_lookup_free_data(lk);
		sc_free(lk->name);
		sc_free(lk);
	}
	for (i = 0; i < dom->nhost; i++) {
		sc_free(dom->host[i].name);
		sc_free(dom->host[i].regdom);
	}
	sc_free(dom->host);
	sc_hits_clear(&dom->hits);
	sc_free(dom->name);
	sc_free(dom->regdom);
	sc_free(dom);
}

/* Is there a hit with this id?  Its detail, or NULL. */
static inline const char *
ev_hit(const struct sc_hits *h, const char *id)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		if (strcmp(h->hit[i].id, id) == 0)
			return h->hit[i].detail;
	return NULL;
}

/* Check c's part of the report's "checks" text for dom, exactly as a
 * report has it ("name":{...}); NULL when out of memory.  sc_free() it. */
static inline char *
ev_described(const struct sc_check *c, const struct sc_domain *dom)
{
	struct sc_jw jw = { 0 };

	sc_describe(c, dom, &jw);
	return sc_jw_finish(&jw, NULL);
}

/* That part is want, byte for byte. */
static inline void
ev_assert_described(const struct sc_check *c, const struct sc_domain *dom,
                    const char *want)
{
	char *got = ev_described(c, dom);

	ck_assert_ptr_nonnull(got);
	ck_assert_str_eq(got, want);
	sc_free(got);
}

#endif
