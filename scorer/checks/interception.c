/*
 * Check "interception": one answer to "can an attacker on the path read
 * recovery mail to this address?", from what "starttls", "mta_sts" and
 * "dane" saw (it runs after them and asks nothing itself).
 *
 * Protected only when every MX host takes mail over STARTTLS and senders
 * are told to insist on an authenticated server:
 *   via "dane"     every MX host has validated, usable TLSA records that
 *                  match the chain of each of its addresses (RFC 7672);
 *                  DANE then is the certificate check (DANE-EE ignores
 *                  names and dates, 3.1.1), or
 *   via "mta-sts"  a valid policy in mode enforce covers every MX host
 *                  (RFC 8461 4.1) and each address presents a certificate
 *                  that is trusted, current and names the host (4.2).
 * DANE is named when both hold: it has no trust-on-first-use window.
 *
 * Without either, opportunistic STARTTLS is all there is, and an active
 * attacker strips it or presents a certificate of their own: exposed,
 * whatever the servers support.  Unknown when the evidence that would
 * decide is missing (a policy is enforced but an MX could not be probed,
 * a lookup failed, the domain takes no mail).
 *
 * Finding: interception.possible, when exposed; its detail says which
 * path is missing and how to add one.  The weight stays with the causes
 * (starttls.unsupported, mta_sts.missing, tls.*, dane.mismatch), so the
 * rules ship it as info worth 0 points: a summary, not a second charge.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "mta_sts.h"
#include "dane.h"
#include "checks.h"
#include "internal.h"
#include "mta_sts_parse.h"
#include "starttls.h"

enum host_tls { T_OK, T_UNKNOWN, T_BADCERT, T_CLEAR };

/* How the probe saw every address of MX host `host`. */
static enum host_tls
host_tls(const struct sc_starttls_state *st, const char *host)
{
	size_t i, n = 0;
	int unknown = 0, bad = 0;

	for (i = 0; st != NULL && i < st->n; i++) {
		const struct sc_starttls_entry *e = &st->e[i];
		const struct sc_probe_result *r = e->res;

		if (strcmp(e->host, host) != 0)
			continue;
		n++;
		if (r == NULL || r->outcome == SC_PROBE_PENDING ||
		    r->outcome == SC_PROBE_UNREACHABLE)
			unknown = 1;
		else if (r->outcome == SC_PROBE_NO_STARTTLS)
			return T_CLEAR;
		else if (!r->tls.trusted || r->tls.expired ||
		         r->tls.not_yet_valid || !e->hostname_ok)
			bad = 1;
	}
	if (bad)
		return T_BADCERT;
	return n == 0 || unknown ? T_UNKNOWN : T_OK;
}

enum sts { S_NO, S_UNVERIFIED, S_SKIPPED, S_ENFORCED };

/* Is a valid enforce policy in place that covers every MX host?  The
 * "mta_sts" check's own judgement, so the two never disagree.  -1: out
 * of memory. */
static int
sts_of(const struct sc_domain *dom, enum sts *out, char *why, size_t whylen)
{
	const struct sc_mta_sts_state *st =
	    sc_check_state_get(dom, &sc_check_mta_sts);
	int r;

	*out = S_NO;
	snprintf(why, whylen, "no MTA-STS policy");
	if (!sc_check_enabled(dom->ctx, &sc_check_mta_sts)) {
		*out = S_SKIPPED;
		snprintf(why, whylen, "the MTA-STS check was switched off");
		return 0;
	}
	if (st == NULL)
		return 0;
	if ((r = sc_mta_sts_enforced(dom, why, whylen)) < 0)
		return -1;
	if (r == 1)
		*out = S_ENFORCED;
	else if (r == 2)
		*out = S_UNVERIFIED; /* the mta_sts check says what is missing */
	return 0;
}

static void
set(struct sc_interception *iv, sc_interception_t v, const char *via,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
set(struct sc_interception *iv, sc_interception_t v, const char *via,
    const char *fmt, ...)
{
	va_list ap;

	iv->verdict = v;
	iv->via = via;
	va_start(ap, fmt);
	vsnprintf(iv->detail, sizeof(iv->detail), fmt, ap);
	va_end(ap);
	sc_terminal_safe(iv->detail); /* it names MX hosts */
}

/* No MX records: mail goes to the domain's own address (RFC 5321 5.1),
 * which the probe does not reach.  Without any policy that is exposed
 * whatever the server does; with one, what decides was not seen. */
static int
resolved(const struct sc_lookup *lk)
{
	return lk != NULL && lk->done && lk->outcome == SC_DNS_OK;
}

static void
eval_implicit(const struct sc_domain *dom, enum sts sts,
              struct sc_interception *iv)
{
	if (!resolved(dom->a) && !resolved(dom->aaaa)) {
		/* dns.unverified names a lookup that failed. */
		iv->missing = !sc_lookup_answered(dom->a) || !sc_lookup_answered(dom->aaaa);
		iv->cause_reported = 1;
		set(iv, SC_INTERCEPTION_UNKNOWN, NULL, "no mail is delivered "
		    "to %s (no MX, A or AAAA record), so there is none to read "
		    "on the way", dom->name);
		return;
	}
	if (sts == S_NO && !(dom->mx != NULL && dom->mx->ad)) {
		set(iv, SC_INTERCEPTION_EXPOSED, NULL, "no MTA-STS or DANE "
		    "protects the mail server of %s: it has no MX record, so "
		    "mail goes to its own address (RFC 5321 5.1), over "
		    "opportunistic STARTTLS at best", dom->name);
		return;
	}
	iv->missing = sts != S_SKIPPED;
	set(iv, SC_INTERCEPTION_UNKNOWN, NULL, "%s has no MX record: mail goes "
	    "to its own address (RFC 5321 5.1), which the STARTTLS probe "
	    "does not check", dom->name);
}

void
sc_interception_eval(const struct sc_domain *dom, struct sc_interception *iv)
{
	const struct sc_starttls_state *tls =
	    sc_check_state_get(dom, &sc_check_starttls);
	const struct sc_lookup *mx = dom->mx;
	enum sts sts;
	char stswhy[512], dwhy[512] = "", nodwhy[512] = "";
	const char *clear = NULL, *badcert = NULL, *unknown = NULL;
	const char *mismatch = NULL, *nodane = NULL;
	size_t i, nhost = 0, dane_ok = 0, dane_pending = 0;
	int dane_on = sc_check_enabled(dom->ctx, &sc_check_dane);
	int probe_on = sc_check_enabled(dom->ctx, &sc_check_starttls);

	/* Field by field, not memset: detail is 2 KiB and set() writes it. */
	iv->verdict = SC_INTERCEPTION_UNKNOWN;
	iv->via = NULL;
	iv->detail[0] = '\0';
	iv->nomem = iv->missing = iv->cause_reported = 0;
	iv->narrowed = !probe_on;
	if (dom->name[0] == '[' || mx == NULL) {
		set(iv, SC_INTERCEPTION_UNKNOWN, NULL, "an address literal "
		    "names a host, not a mail domain");
		return;
	}
	if (!mx->done || (mx->outcome != SC_DNS_OK &&
	                  mx->outcome != SC_DNS_NODATA &&
	                  mx->outcome != SC_DNS_NXDOMAIN)) {
		/* dns.unverified says so already. */
		set(iv, SC_INTERCEPTION_UNKNOWN, NULL, "the MX lookup of %s "
		    "failed, so its mail servers are unknown", dom->name);
		return;
	}
	if (mx->outcome == SC_DNS_NXDOMAIN || sc_domain_mx_nowhere(dom)) {
		set(iv, SC_INTERCEPTION_UNKNOWN, NULL, "no mail is delivered "
		    "to %s, so there is none to read on the way", dom->name);
		return;
	}
	if (sts_of(dom, &sts, stswhy, sizeof(stswhy)) != 0) {
		iv->nomem = 1;
		return;
	}
	for (i = 0; i < dom->nhost; i++) {
		const char *h = dom->host[i].name;
		enum sc_dane_status ds;

		if (h[0] == '\0')
			continue;
		nhost++;
		switch (probe_on ? host_tls(tls, h) : T_OK) {
		case T_CLEAR:
			if (clear == NULL)
				clear = h;
			break;
		case T_BADCERT:
			if (badcert == NULL)
				badcert = h;
			break;
		case T_UNKNOWN:
			if (unknown == NULL)
				unknown = h;
			break;
		case T_OK:
			break;
		}
		ds = dane_on ? sc_dane_host_status(dom, i, dwhy, sizeof(dwhy))
		             : SC_DANE_NONE;
		if (ds == SC_DANE_MATCH || ds == SC_DANE_PUBLISHED)
			dane_ok++;
		else if (ds == SC_DANE_UNKNOWN)
			dane_pending++;
		else if (ds == SC_DANE_MISMATCH && mismatch == NULL)
			mismatch = h;
		else if (nodane == NULL) {
			nodane = h;
			snprintf(nodwhy, sizeof(nodwhy), "%s", dwhy);
		}
	}
	if (nhost == 0 && mx->outcome == SC_DNS_NODATA) {
		eval_implicit(dom, sts, iv);
		return;
	}
	if (nhost == 0) {
		/* MX records, but no host listed from them: the mx check was
		 * switched off (a narrower claim), or they could not be read. */
		iv->missing = sc_check_enabled(dom->ctx, &sc_check_mx);
		iv->cause_reported = !iv->missing;
		set(iv, SC_INTERCEPTION_UNKNOWN, NULL, "%s", iv->missing
		    ? "the MX hosts could not be listed from the MX records"
		    : "the mx check was switched off, so the MX hosts, which "
		      "decide it, were not looked at");
		return;
	}
	if (clear != NULL) {
		set(iv, SC_INTERCEPTION_EXPOSED, NULL, "MX host %s takes mail "
		    "without STARTTLS: anyone on the path reads it", clear);
		return;
	}
	if (dane_ok == nhost) {
		set(iv, SC_INTERCEPTION_PROTECTED, "dane", "DANE: validated "
		    "TLSA records %s every MX host%s%s",
		    probe_on ? "match the certificate of" : "are published for",
		    sts == S_ENFORCED ? "; an MTA-STS policy in mode enforce "
		                        "covers them as well" : "",
		    probe_on ? "" : " (certificates not matched: the STARTTLS "
		                    "probe was skipped)");
		return;
	}
	if (sts == S_ENFORCED && badcert == NULL && unknown == NULL) {
		set(iv, SC_INTERCEPTION_PROTECTED, "mta-sts", "MTA-STS: %s, %s",
		    stswhy, probe_on ? "and each presents a valid certificate "
		                       "for its name"
		                     : "and senders check each certificate "
		                       "(not checked here: the STARTTLS probe "
		                       "was skipped)");
		return;
	}
	if (sts == S_ENFORCED && badcert != NULL) {
		set(iv, SC_INTERCEPTION_EXPOSED, NULL, "MX host %s presents a "
		    "certificate that is not valid for its name: senders that "
		    "enforce MTA-STS refuse it, the others deliver to whoever "
		    "answers%s", badcert,
		    mismatch != NULL ? "; its TLSA records do not match either"
		                     : "");
		return;
	}
	if (sts == S_ENFORCED || (dane_ok + dane_pending == nhost)) {
		/* An MX host the probe could not reach is starttls.unreachable
		 * already; a TLSA lookup that failed is not. */
		iv->missing = 1;
		iv->cause_reported = unknown != NULL;
		set(iv, SC_INTERCEPTION_UNKNOWN, NULL, "%s, but the certificate "
		    "of MX host %s could not be checked (no TLS handshake)",
		    sts == S_ENFORCED ? stswhy : "validated TLSA records are "
		    "published for every MX host", unknown != NULL ? unknown
		    : mismatch != NULL ? mismatch : dom->host[0].name);
		return;
	}
	if (mismatch != NULL) {
		set(iv, SC_INTERCEPTION_EXPOSED, NULL, "the TLSA records of MX "
		    "host %s do not match its certificate (DANE senders refuse "
		    "it) and %s", mismatch, stswhy);
		return;
	}
	if (sts == S_UNVERIFIED || sts == S_SKIPPED) {
		/* A failed lookup is dns.unverified already; a skipped check
		 * narrows the claim and is no missing evidence. */
		iv->missing = sts == S_UNVERIFIED;
		iv->cause_reported = 1;
		set(iv, SC_INTERCEPTION_UNKNOWN, NULL, "%s, and MX host %s %s",
		    stswhy, nodane != NULL ? nodane : "?", dane_on
		    ? "has no DANE" : "was not looked at for DANE either (the "
		      "dane check was switched off)");
		return;
	}
	if (!dane_on) {
		/* A skipped check narrows the claim: DANE was not looked at,
		 * so it is not said to be missing. */
		iv->cause_reported = 1;
		set(iv, SC_INTERCEPTION_UNKNOWN, NULL, "%s, and the dane check "
		    "was switched off, so whether DANE protects MX host %s was "
		    "not looked at", stswhy, nodane != NULL ? nodane
		                                            : dom->host[0].name);
		return;
	}
	set(iv, SC_INTERCEPTION_EXPOSED, NULL, "neither MTA-STS in mode "
	    "enforce nor DANE protects MX host %s: senders fall back to "
	    "opportunistic STARTTLS, which an attacker on the path strips or "
	    "answers with a certificate of their own. MTA-STS: %s. DANE: %s",
	    nodane != NULL ? nodane : dom->host[0].name, stswhy,
	    nodwhy[0] != '\0' ? nodwhy : "no TLSA records");
}

/* Judged once per domain, when its evidence is complete: every report of
 * the domain and every hook below read this judgement. */
static void
interception_finish(struct sc_domain *dom)
{
	if (dom->interception == NULL &&
	    (dom->interception = sc_malloc(sizeof(*dom->interception))) ==
	        NULL) {
		dom->status = SC_ENOMEM;
		return;
	}
	sc_interception_eval(dom, dom->interception);
	if (dom->interception->nomem)
		dom->status = SC_ENOMEM;
}

static void
interception_clear(struct sc_domain *dom)
{
	sc_free(dom->interception);
	dom->interception = NULL;
}

static void
interception_assess(const struct sc_domain *dom, struct sc_hits *out)
{
	const struct sc_interception *iv = dom->interception;

	if (iv == NULL)
		return;
	if (iv->verdict == SC_INTERCEPTION_EXPOSED)
		sc_hits_add(out, "interception.possible", "%s", iv->detail);
	else if (iv->missing && !iv->cause_reported)
		sc_hits_add_missing(out, "interception.unverified", "%s",
		                    iv->detail);
}

/* {"verdict", "protected": true|false|null, "via": "mta-sts"|"dane"|null,
 *  "missing": what is missing and how to fix it, or null} */
static void
interception_describe(const struct sc_domain *dom, struct sc_jw *jw)
{
	const struct sc_interception *iv = dom->interception;

	if (iv == NULL)
		return;
	sc_jw_lit(jw, "{");
	sc_jw_key(jw, "verdict");
	sc_jw_cstr(jw, sc_interception_verdict_str(iv->verdict));
	sc_jw_key(jw, "protected");
	sc_jw_tristate(jw, iv->verdict == SC_INTERCEPTION_UNKNOWN ? -1
	                   : iv->verdict == SC_INTERCEPTION_PROTECTED);
	sc_jw_key(jw, "via");
	sc_jw_cstr(jw, iv->via);
	sc_jw_key(jw, "missing");
	sc_jw_cstr(jw, iv->verdict == SC_INTERCEPTION_PROTECTED ? NULL
	                                                        : iv->detail);
	sc_jw_key(jw, "detail");
	sc_jw_cstr(jw, iv->detail);
	sc_jw_lit(jw, "}");
}

static const char *const interception_ids[] = {
	"interception.possible", "interception.unverified", NULL
};

const struct sc_check sc_check_interception = {
	.name = "interception",
	.ids = interception_ids,
	.finish = interception_finish,
	.assess = interception_assess,
	.describe = interception_describe,
	.clear = interception_clear,
};
