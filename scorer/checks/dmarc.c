/*
 * Check "dmarc": can mail with this From domain be forged?  (RFC 7489,
 * with the DMARCbis tags np, psd and t.)
 *
 * Lookups: _dmarc.DOMAIN; when it holds no DMARC record and DOMAIN is
 * below its organizational domain (libpsl, sc_registrable()),
 * _dmarc.ORGDOMAIN (6.6.3); then, for each report host of the record that
 * applies at another organizational domain, the authorisation record
 * POLICYDOMAIN._report._dmarc.HOST (7.1).
 *
 * Findings: dmarc.missing, dmarc.invalid, dmarc.policy_none,
 * dmarc.partial, dmarc.rua_unauthorized, and dns.unverified when a lookup
 * failed: a timeout is never "no record".
 */
#include <arpa/nameser.h>
#include <stdio.h>
#include <string.h>

#include "dmarc.h"
#include "dmarc_parse.h"
#include "checks.h"
#include "internal.h"
#include "resolver.h"

static struct sc_dmarc_state *
state_of(struct sc_domain *dom)
{
	return *sc_check_state(dom, &sc_check_dmarc);
}

/* The organizational domain of the address's domain (RFC 7489 3.2). */
static const char *
org_of(const struct sc_domain *dom)
{
	return dom->regdom != NULL ? dom->regdom : dom->name;
}

static char *
concat(const char *a, const char *b, const char *c)
{
	size_t la = strlen(a), lb = strlen(b), lc = strlen(c);
	char *s = sc_malloc(la + lb + lc + 1);

	if (s == NULL)
		return NULL;
	memcpy(s, a, la);
	memcpy(s + la, b, lb);
	memcpy(s + la + lb, c, lc + 1);
	return s;
}

/* What a TXT answer at a _dmarc name holds (RFC 7489 6.6.3): the DMARC
 * records (those that start with v=DMARC1), the first record meant as
 * DMARC that does not, and how many other TXT records were discarded. */
struct txtset {
	size_t nrecord, nattempt, nother;
	const struct sc_rr *record, *attempt;
};

static void
classify(const struct sc_lookup *lk, struct txtset *t)
{
	size_t i;

	memset(t, 0, sizeof(*t));
	if (lk == NULL || lk->outcome != SC_DNS_OK)
		return;
	for (i = 0; i < lk->n; i++) {
		const struct sc_rr *rr = &lk->rr[i];

		switch (sc_dmarc_kind(rr->text, rr->len)) {
		case SC_DMARC_RECORD:
			if (t->nrecord++ == 0)
				t->record = rr;
			break;
		case SC_DMARC_ATTEMPT:
			if (t->nattempt++ == 0)
				t->attempt = rr;
			break;
		default:
			t->nother++;
		}
	}
}

/* ---- lookups ---------------------------------------------------------- */

static void
lower_copy(char *dst, const char *src, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		dst[i] = (char)(src[i] >= 'A' && src[i] <= 'Z' ? src[i] - 'A' + 'a'
		                                               : src[i]);
	dst[len] = '\0';
}

/* Is this report host at another organizational domain than the policy
 * domain's (RFC 7489 7.1)?  Only those need an authorisation record. */
static int
external(const struct sc_domain *dom, const char *host, int *oom)
{
	char *reg = sc_registrable(dom->ctx, host);
	int ext;

	if (reg == NULL && dom->ctx->psl != NULL &&
	    psl_registrable_domain(dom->ctx->psl, host) != NULL) {
		*oom = 1;
		return 0;
	}
	ext = strcmp(reg != NULL ? reg : host, org_of(dom)) != 0;
	sc_free(reg);
	return ext;
}

/* Ask whether each external report host of the record that applies
 * agreed to take reports for policy_domain (RFC 7489 7.1). */
static void
start_auth(struct sc_domain *dom, struct sc_dmarc_state *st,
           const struct sc_rr *rr, const char *policy_domain)
{
	struct sc_dmarc_record rec;
	size_t i, k;

	if (sc_dmarc_parse(rr->text, rr->len, &rec) != 0 && rec.err.fatal)
		return;
	for (i = 0; i < rec.nrua; i++) {
		const struct sc_dmarc_uri *u = &rec.rua[i];
		char host[256], *name;
		int seen = 0, oom = 0;

		if (u->host.len == 0 || u->host.len >= sizeof(host))
			continue;
		lower_copy(host, rr->text + u->host.off, u->host.len);
		if (!external(dom, host, &oom)) {
			if (oom)
				dom->status = SC_ENOMEM;
			continue;
		}
		for (k = 0; k < st->nauth; k++)
			seen |= strcmp(st->auth[k].host, host) == 0;
		if (seen)
			continue;
		if (st->nauth == SC_DMARC_MAX_AUTH) {
			st->auth_skipped++;
			continue;
		}
		if ((st->auth[st->nauth].host = sc_strdup(host)) == NULL) {
			dom->status = SC_ENOMEM;
			return;
		}
		k = st->nauth++;
		if ((name = concat(policy_domain, "._report._dmarc.", host)) ==
		    NULL) {
			dom->status = SC_ENOMEM;
			return;
		}
		st->auth[k].lk = sc_domain_lookup(dom, name, ns_t_txt, NULL);
		sc_free(name);
	}
}

static void
on_org(struct sc_lookup *lk, void *arg)
{
	struct sc_domain *dom = arg;
	struct sc_dmarc_state *st = state_of(dom);
	struct txtset t;

	st->org = lk; /* may run before sc_domain_lookup() returned */
	classify(lk, &t);
	if (t.nrecord == 1)
		start_auth(dom, st, t.record, org_of(dom));
}

static void
on_own(struct sc_lookup *lk, void *arg)
{
	struct sc_domain *dom = arg;
	struct sc_dmarc_state *st = state_of(dom);
	struct txtset t;
	char *name;

	st->own = lk;
	if (!sc_lookup_answered(lk))
		return; /* reported as dns.unverified; no fallback on a guess */
	classify(lk, &t);
	if (t.nrecord == 1) {
		start_auth(dom, st, t.record, dom->name);
		return;
	}
	/* RFC 7489 6.6.3: no record at the domain itself, so ask at its
	 * organizational domain.  Several records: no policy, no fallback. */
	if (t.nrecord > 0 || strcmp(org_of(dom), dom->name) == 0)
		return;
	if ((name = concat("_dmarc.", org_of(dom), "")) == NULL) {
		dom->status = SC_ENOMEM;
		return;
	}
	(void)sc_domain_lookup(dom, name, ns_t_txt, on_org);
	sc_free(name);
}

static sc_status_t
dmarc_start(struct sc_domain *dom)
{
	void **slot = sc_check_state(dom, &sc_check_dmarc);
	char *name;

	if (sc_domain_is_literal(dom))
		return SC_OK;
	if ((*slot = sc_calloc(1, sizeof(struct sc_dmarc_state))) == NULL ||
	    (name = concat("_dmarc.", dom->name, "")) == NULL)
		return dom->status = SC_ENOMEM;
	(void)sc_domain_lookup(dom, name, ns_t_txt, on_own);
	sc_free(name);
	return dom->status;
}

static void
dmarc_clear(struct sc_domain *dom)
{
	void **slot = sc_check_state(dom, &sc_check_dmarc);
	struct sc_dmarc_state *st = *slot;
	size_t i;

	if (st == NULL)
		return;
	for (i = 0; i < st->nauth; i++)
		sc_free(st->auth[i].host);
	sc_free(st);
	*slot = NULL;
}

/* ---- the assessment (pure) -------------------------------------------- */

enum outcome {
	O_SKIPPED,    /* nothing to check: an address literal */
	O_UNVERIFIED, /* a lookup failed */
	O_MISSING,
	O_MULTIPLE,   /* several records at one name: no policy (6.6.3) */
	O_ATTEMPT,    /* a record meant as DMARC, without v=DMARC1 first */
	O_RECORD      /* one record (which may still have errors) */
};

struct eval {
	enum outcome outcome;
	const struct sc_lookup *at;       /* where the record was found, or
	                                   * the lookup that failed */
	const char *policy_domain;        /* the domain of the _dmarc name */
	const struct sc_rr *rr;           /* the record (or attempt) */
	size_t nrecord, nignored;
	struct sc_dmarc_record rec;
	int errors;                       /* rec has syntax errors */
	enum sc_dmarc_policy policy;      /* what applies to the domain */
	const char *source;               /* "p", "sp", "np" */
};

/* The domain exists unless its MX lookup said NXDOMAIN (then DMARCbis'
 * np applies to it rather than sp). */
static int
domain_exists(const struct sc_domain *dom)
{
	return dom->mx == NULL || dom->mx->outcome != SC_DNS_NXDOMAIN;
}

static void
select_policy(const struct sc_domain *dom, int at_org, struct eval *ev)
{
	const struct sc_dmarc_record *r = &ev->rec;

	ev->policy = r->p;
	ev->source = "p";
	if (!at_org || strcmp(dom->name, ev->policy_domain) == 0)
		return; /* the domain's own record: p (6.6.3) */
	if (!domain_exists(dom) && r->np != SC_DMARC_UNSET) {
		ev->policy = r->np;
		ev->source = "np";
	} else if (r->sp != SC_DMARC_UNSET) {
		ev->policy = r->sp;
		ev->source = "sp";
	}
}

static void
take(const struct sc_domain *dom, const struct sc_lookup *lk,
     const struct txtset *t, const char *policy_domain, int at_org,
     struct eval *ev)
{
	ev->at = lk;
	ev->policy_domain = policy_domain;
	ev->nrecord = t->nrecord;
	if (t->nrecord > 1) {
		ev->outcome = O_MULTIPLE;
		ev->rr = t->record;
		return;
	}
	ev->outcome = t->nrecord == 1 ? O_RECORD : O_ATTEMPT;
	ev->rr = t->nrecord == 1 ? t->record : t->attempt;
	ev->errors = sc_dmarc_parse(ev->rr->text, ev->rr->len, &ev->rec) != 0;
	if (ev->outcome == O_RECORD && !ev->rec.err.fatal)
		select_policy(dom, at_org, ev);
}

/* Follow RFC 7489 6.6.3 over the evidence: the record that applies. */
static void
evaluate(const struct sc_domain *dom, const struct sc_dmarc_state *st,
         struct eval *ev)
{
	struct txtset own, org;
	int fallback;

	memset(ev, 0, sizeof(*ev));
	if (st == NULL || sc_domain_is_literal(dom)) {
		ev->outcome = O_SKIPPED;
		return;
	}
	if (!sc_lookup_answered(st->own)) {
		ev->outcome = O_UNVERIFIED;
		ev->at = st->own;
		ev->policy_domain = dom->name;
		return;
	}
	classify(st->own, &own);
	ev->nignored = own.nother;
	if (own.nrecord > 0) {
		take(dom, st->own, &own, dom->name, 0, ev);
		return;
	}
	fallback = strcmp(org_of(dom), dom->name) != 0;
	if (fallback && !sc_lookup_answered(st->org)) {
		ev->outcome = O_UNVERIFIED;
		ev->at = st->org;
		ev->policy_domain = org_of(dom);
		return;
	}
	classify(fallback ? st->org : NULL, &org);
	if (org.nrecord > 0) {
		take(dom, st->org, &org, org_of(dom), 1, ev);
		return;
	}
	/* No DMARC record anywhere: a broken attempt is worth more words
	 * than "missing", the domain's own first. */
	if (own.nattempt > 0)
		take(dom, st->own, &own, dom->name, 0, ev);
	else if (org.nattempt > 0)
		take(dom, st->org, &org, org_of(dom), 1, ev);
	else
		ev->outcome = O_MISSING;
	ev->nignored = own.nother + org.nother;
}

static const char *
lookup_why(const struct sc_lookup *lk)
{
	return lk == NULL ? "not asked before the deadline"
	                  : sc_dns_outcome_str(lk->outcome);
}

static void
assess_invalid(const struct sc_domain *dom, const struct eval *ev,
               struct sc_hits *out)
{
	char text[160];
	const struct sc_dmarc_error *e = &ev->rec.err;

	sc_printable(text, sizeof(text), ev->rr->text, ev->rr->len);
	if (ev->outcome == O_MULTIPLE) {
		sc_hits_add(out, "dmarc.invalid",
		            "%s holds %zu DMARC records: receivers then apply no "
		            "DMARC policy to %s at all (RFC 7489 6.6.3)",
		            ev->at->name, ev->nrecord, dom->name);
	} else if (ev->outcome == O_ATTEMPT) {
		sc_hits_add(out, "dmarc.invalid",
		            "the TXT record \"%s\" at %s is meant as DMARC, but "
		            "at character %zu %s%s: receivers discard it, so %s "
		            "has no DMARC policy (RFC 7489 6.6.3)", text,
		            ev->at->name, e->pos + 1,
		            strstr(e->reason, "v=DMARC1") != NULL ? ""
		                                                 : "it fails: ",
		            e->reason, dom->name);
	} else if (e->fatal) {
		sc_hits_add(out, "dmarc.invalid",
		            "the DMARC record \"%s\" at %s is malformed at "
		            "character %zu: %s; receivers apply no DMARC policy "
		            "to %s (RFC 7489 6.6.3)", text, ev->at->name,
		            e->pos + 1, e->reason, dom->name);
	} else {
		sc_hits_add(out, "dmarc.invalid",
		            "the DMARC record \"%s\" at %s has an error at "
		            "character %zu: %s; receivers ignore that tag and use "
		            "its default (RFC 7489 6.3)%s", text, ev->at->name,
		            e->pos + 1, e->reason,
		            ev->rec.nerror > 1 ? ", and there are more errors" : "");
	}
}

static void
assess_policy(const struct sc_domain *dom, const struct eval *ev,
              struct sc_hits *out)
{
	const struct sc_dmarc_record *r = &ev->rec;
	char where[300];

	if (strcmp(ev->policy_domain, dom->name) == 0)
		snprintf(where, sizeof(where), "the record at %s", ev->at->name);
	else
		snprintf(where, sizeof(where), "the record at %s, %s's "
		         "organizational domain", ev->at->name, dom->name);
	if (ev->policy == SC_DMARC_NONE) {
		sc_hits_add(out, "dmarc.policy_none",
		            "%s=none applies to %s (%s): mail that fails DMARC "
		            "is delivered as usual", ev->source, dom->name, where);
		return;
	}
	if (r->pct < 100 && r->t == 'y')
		sc_hits_add(out, "dmarc.partial",
		            "%s=%s applies to %s only in testing mode (t=y) and "
		            "to %d%% of failing mail (pct=%d) (%s)", ev->source,
		            sc_dmarc_policy_str(ev->policy), dom->name, r->pct,
		            r->pct, where);
	else if (r->pct < 100)
		sc_hits_add(out, "dmarc.partial",
		            "%s=%s applies to only %d%% of the mail from %s that "
		            "fails DMARC (pct=%d, %s): the rest is treated as "
		            "p=none", ev->source, sc_dmarc_policy_str(ev->policy),
		            r->pct, dom->name, r->pct, where);
	else if (r->t == 'y')
		sc_hits_add(out, "dmarc.partial",
		            "%s=%s applies to %s in testing mode only (t=y, %s): "
		            "receivers apply a policy one step weaker",
		            ev->source, sc_dmarc_policy_str(ev->policy),
		            dom->name, where);
}

/* Does the answer hold a record starting with v=DMARC1 (RFC 7489 7.1)? */
static int
authorizes(const struct sc_lookup *lk)
{
	size_t i;

	if (lk == NULL || lk->outcome != SC_DNS_OK)
		return 0;
	for (i = 0; i < lk->n; i++)
		if (sc_dmarc_kind(lk->rr[i].text, lk->rr[i].len) ==
		    SC_DMARC_RECORD)
			return 1;
	return 0;
}

static void
assess_auth(const struct sc_domain *dom, const struct sc_dmarc_state *st,
            const struct eval *ev, struct sc_hits *out)
{
	char list[600];
	size_t i, n = 0, len = 0;

	list[0] = '\0';
	for (i = 0; i < st->nauth; i++) {
		const struct sc_lookup *lk = st->auth[i].lk;

		if (!sc_lookup_answered(lk)) {
			sc_hits_dns_unverified(out, dom,
			    "could not verify that %s accepts DMARC reports "
			    "for %s: the lookup of %s._report._dmarc.%s "
			    "failed (%s)", st->auth[i].host,
			    ev->policy_domain, ev->policy_domain,
			    st->auth[i].host, lookup_why(lk));
			continue;
		}
		if (authorizes(lk))
			continue;
		if (len + strlen(st->auth[i].host) + 3 < sizeof(list))
			len += (size_t)snprintf(list + len, sizeof(list) - len,
			                        "%s%s", n > 0 ? ", " : "",
			                        st->auth[i].host);
		n++;
	}
	if (n > 0)
		sc_hits_add(out, "dmarc.rua_unauthorized",
		            "the DMARC reports of %s go to %s, which %s no "
		            "\"v=DMARC1\" record at %s._report._dmarc.%s (RFC "
		            "7489 7.1): receivers send no aggregate reports there",
		            dom->name, list, n > 1 ? "publish" : "publishes",
		            ev->policy_domain, n > 1 ? "HOST" : list);
}

static void
dmarc_assess(const struct sc_domain *dom, struct sc_hits *out)
{
	const struct sc_dmarc_state *st = sc_check_state_get(dom, &sc_check_dmarc);
	struct eval ev;

	evaluate(dom, st, &ev);
	switch (ev.outcome) {
	case O_SKIPPED:
		return;
	case O_UNVERIFIED:
		sc_hits_dns_unverified(out, dom,
		    "the DMARC lookup of _dmarc.%s failed (%s): whether "
		    "mail from %s can be forged could not be verified",
		    ev.policy_domain, lookup_why(ev.at), dom->name);
		return;
	default:
		break;
	}
	/* A domain that does not exist has bigger problems (domain.nxdomain);
	 * what DMARC says about it is in the description only. */
	if (!domain_exists(dom))
		return;
	switch (ev.outcome) {
	case O_MISSING:
		if (strcmp(org_of(dom), dom->name) != 0)
			sc_hits_add(out, "dmarc.missing",
			            "neither _dmarc.%s nor _dmarc.%s (its "
			            "organizational domain) holds a DMARC record%s",
			            dom->name, org_of(dom),
			            ev.nignored > 0 ? " (other TXT records there "
			                              "are not DMARC)" : "");
		else
			sc_hits_add(out, "dmarc.missing",
			            "_dmarc.%s holds no DMARC record%s", dom->name,
			            ev.nignored > 0 ? " (its TXT records are not "
			                              "DMARC)" : "");
		return;
	case O_MULTIPLE:
	case O_ATTEMPT:
		assess_invalid(dom, &ev, out);
		return;
	default:
		break;
	}
	if (ev.errors)
		assess_invalid(dom, &ev, out);
	if (ev.rec.err.fatal)
		return;
	assess_policy(dom, &ev, out);
	assess_auth(dom, st, &ev, out);
}

/* ---- the description -------------------------------------------------- */

/* The report URIs as the record has them (a TXT record may hold anything:
 * sc_jw_str() shows bytes that are not UTF-8 as '?'). */
static void
uri_list(struct sc_jw *out, const char *text, const struct sc_dmarc_uri *u,
         size_t n)
{
	size_t i;

	sc_jw_lit(out, "[");
	for (i = 0; i < n; i++) {
		sc_jw_elem(out);
		sc_jw_str(out, text + u[i].uri.off, u[i].uri.len);
	}
	sc_jw_lit(out, "]");
}

/* No policy applies: no record, several, or a fatal error. */
static void
describe_no_policy(struct sc_jw *out)
{
	sc_jw_key(out, "policy");
	sc_jw_null(out);
	sc_jw_key(out, "policy_source");
	sc_jw_null(out);
}

static void
describe_error(struct sc_jw *out, const struct eval *ev)
{
	sc_jw_key(out, "error");
	sc_jw_lit(out, "{");
	if (ev->outcome == O_MULTIPLE) {
		/* Not a syntax error: no position in any one record. */
		sc_jw_key(out, "reason");
		sc_jw_lit(out, "\"more than one DMARC record\"");
		sc_jw_key(out, "fatal");
		sc_jw_bool(out, 1);
	} else {
		sc_jw_key(out, "position");
		sc_jw_int(out, (long long)ev->rec.err.pos + 1);
		sc_jw_key(out, "reason");
		sc_jw_cstr(out, ev->rec.err.reason);
		sc_jw_key(out, "fatal");
		sc_jw_bool(out, ev->rec.err.fatal || ev->outcome != O_RECORD);
	}
	sc_jw_lit(out, "}");
}

/* The report hosts asked to take reports: true, false, or null when the
 * lookup gave no answer.  start_auth() asks each host once, so the keys
 * are unique. */
static void
describe_auth(struct sc_jw *out, const struct sc_dmarc_state *st)
{
	size_t i;

	sc_jw_key(out, "authorized");
	sc_jw_lit(out, "{");
	for (i = 0; i < st->nauth; i++) {
		const struct sc_lookup *lk = st->auth[i].lk;

		sc_jw_sep(out);
		sc_jw_cstr(out, st->auth[i].host);
		sc_jw_lit(out, ":");
		sc_jw_tristate(out, !sc_lookup_answered(lk) ? -1 : authorizes(lk) != 0);
	}
	sc_jw_lit(out, "}");
}

static void
describe_policy(struct sc_jw *out, const struct sc_dmarc_state *st,
                const struct eval *ev)
{
	sc_jw_key(out, "policy");
	sc_jw_cstr(out, sc_dmarc_policy_str(ev->policy));
	sc_jw_key(out, "policy_source");
	sc_jw_cstr(out, ev->source);
	sc_jw_key(out, "pct");
	sc_jw_int(out, ev->rec.pct);
	sc_jw_key(out, "testing");
	sc_jw_bool(out, ev->rec.t == 'y');
	sc_jw_key(out, "rua");
	uri_list(out, ev->rr->text, ev->rec.rua, ev->rec.nrua);
	sc_jw_key(out, "ruf");
	uri_list(out, ev->rr->text, ev->rec.ruf, ev->rec.nruf);
	describe_auth(out, st);
}

/* What was found where, after "status" and "organizational_domain". */
static void
describe_found(struct sc_jw *out, const struct sc_dmarc_state *st,
               const struct eval *ev)
{
	sc_jw_key(out, "record");
	if (ev->outcome == O_UNVERIFIED || ev->outcome == O_MISSING) {
		sc_jw_null(out);
		sc_jw_key(out, "found_at");
		sc_jw_null(out);
		describe_no_policy(out);
		return;
	}
	sc_jw_str(out, ev->rr->text, ev->rr->len);
	sc_jw_key(out, "found_at");
	sc_jw_cstr(out, ev->at->name);
	if (ev->outcome == O_MULTIPLE) {
		sc_jw_key(out, "records_found");
		sc_jw_int(out, (long long)ev->nrecord);
	}
	if (ev->errors || ev->outcome != O_RECORD)
		describe_error(out, ev);
	if (ev->outcome != O_RECORD || ev->rec.err.fatal)
		describe_no_policy(out);
	else
		describe_policy(out, st, ev);
}

static const char *const outcome_names[] = {
	"skipped", "unverified", "missing", "invalid", "invalid", "ok"
};

static void
dmarc_describe(const struct sc_domain *dom, struct sc_jw *out)
{
	const struct sc_dmarc_state *st = sc_check_state_get(dom, &sc_check_dmarc);
	struct eval ev;

	evaluate(dom, st, &ev);
	sc_jw_lit(out, "{");
	sc_jw_key(out, "status");
	sc_jw_cstr(out, ev.outcome == O_RECORD && ev.errors
	                ? "invalid" : outcome_names[ev.outcome]);
	if (ev.outcome != O_SKIPPED) {
		sc_jw_key(out, "organizational_domain");
		sc_jw_cstr(out, org_of(dom));
		describe_found(out, st, &ev);
	}
	sc_jw_lit(out, "}");
}

static const char *const dmarc_ids[] = {
	"dmarc.missing", "dmarc.invalid", "dmarc.policy_none", "dmarc.partial",
	"dmarc.rua_unauthorized", "dns.unverified", NULL
};

const struct sc_check sc_check_dmarc = {
	.name = "dmarc",
	.ids = dmarc_ids,
	.start = dmarc_start,
	.assess = dmarc_assess,
	.describe = dmarc_describe,
	.clear = dmarc_clear,
};
