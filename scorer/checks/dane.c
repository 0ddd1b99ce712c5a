/*
 * Check "dane": DNSSEC and DANE for SMTP (RFC 7672).
 *
 *   DOMAIN MX            its AD flag: is the domain signed?  (the "domain"
 *                        check asks; we read the flag)
 *   . NS                 asked only when that AD flag is clear (resolver.c):
 *                        a validating resolver sets AD on the signed
 *                        root, so a clear flag there means "could not
 *                        tell whether the resolver validates", and then
 *                        dnssec.unsigned is never reported; the
 *                        answer is kept on the context for 5 minutes
 *   _25._tcp.MX TLSA     per MX host (RFC 7672 2.2.3; always port 25,
 *                        whatever port the probe used), matched offline
 *                        against the chain the STARTTLS probe recorded
 *
 * Why offline matching rather than SSL_dane_enable() in the probe's
 * handshake: a probe is shared by every domain whose MX resolves to that
 * address (starttls.c), it starts before the TLSA answer may be in, and
 * different domains may publish different TLSA records for one server.
 * The chain as sent is all RFC 7672 needs: DANE-EE compares the leaf,
 * DANE-TA finds the anchor among the certificates sent (servers MUST send
 * it, 3.2.2) and verifies the leaf from it.
 *
 * DANE counts only when the resolver validated the TLSA answer (AD), the
 * MX answer (2.2.1) and the host's address answer (2.2.2); otherwise the
 * records are described as "not validated" and no finding is made.
 *
 * Findings: dane.mismatch (validated, usable TLSA records that match no
 * chain an address presented), dnssec.unsigned (the domain's MX answer
 * lacks AD from a resolver known to validate).
 */
#include <arpa/nameser.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "dane.h"
#include "checks.h"
#include "internal.h"
#include "resolver.h"
#include "starttls.h"

#define NS_T_TLSA 52
#define MAX_TLSA 16 /* records judged per host; more is abuse */

static struct sc_dane_state *
state_get(const struct sc_domain *dom)
{
	return sc_check_state_get(dom, &sc_check_dane);
}

/* ---- gathering --------------------------------------------------------- */

static void
start_hosts(struct sc_domain *dom, struct sc_dane_state *st)
{
	size_t i;

	if (st->h != NULL || dom->nhost == 0)
		return;
	if ((st->h = sc_calloc(dom->nhost, sizeof(*st->h))) == NULL) {
		dom->status = SC_ENOMEM;
		return;
	}
	/* List every host before asking: an answer may come at once. */
	for (i = 0; i < dom->nhost; i++) {
		if (dom->host[i].name[0] == '\0')
			continue;
		if ((st->h[st->n].host = sc_strdup(dom->host[i].name)) == NULL) {
			dom->status = SC_ENOMEM;
			return;
		}
		st->n++;
	}
	for (i = 0; i < st->n && dom->status == SC_OK; i++) {
		size_t len = strlen(st->h[i].host) + sizeof("_25._tcp.");
		char *name = sc_malloc(len);

		if (name == NULL) {
			dom->status = SC_ENOMEM;
			return;
		}
		snprintf(name, len, "_25._tcp.%s", st->h[i].host);
		st->h[i].tlsa = sc_domain_lookup(dom, name, NS_T_TLSA, NULL);
		sc_free(name);
	}
}

/* The MX answer is in.  The "domain" check's own follow-up runs first (it
 * lists the MX hosts), then we ask for their TLSA records, and, when the
 * answer is not authenticated, whether the resolver validates at all. */
static void
on_mx(struct sc_lookup *lk, void *arg)
{
	struct sc_domain *dom = arg;
	struct sc_dane_state *st = state_get(dom);

	if (st == NULL)
		return;
	if (st->mx_then != NULL)
		st->mx_then(lk, arg);
	if (dom->state == SC_JOB_DONE || dom->status != SC_OK)
		return;
	start_hosts(dom, st);
	if (!lk->ad && (lk->outcome == SC_DNS_OK ||
	                lk->outcome == SC_DNS_NODATA))
		sc_resolver_probe(dom);
}

static sc_status_t
dane_start(struct sc_domain *dom)
{
	void **slot = sc_check_state(dom, &sc_check_dane);
	struct sc_dane_state *st;

	/* An address literal has no MX, and "domain" asked nothing. */
	if (dom->mx == NULL)
		return SC_OK;
	if ((st = *slot = sc_calloc(1, sizeof(*st))) == NULL)
		return dom->status = SC_ENOMEM;
	if (dom->mx->done) {
		/* Answered inside sc_domain_lookup(): the hosts are listed. */
		on_mx(dom->mx, dom);
		return dom->status;
	}
	/* Chain onto the MX lookup's follow-up rather than ask again: one
	 * MX query per domain, and our lookups count as pending before it
	 * stops counting (engine.c, lookup_done_chained). */
	st->mx_then = dom->mx->then;
	dom->mx->then = on_mx;
	return SC_OK;
}

static void
dane_clear(struct sc_domain *dom)
{
	void **slot = sc_check_state(dom, &sc_check_dane);
	struct sc_dane_state *st = *slot;
	size_t i;

	if (st == NULL)
		return;
	for (i = 0; i < st->n; i++)
		sc_free(st->h[i].host);
	sc_free(st->h);
	sc_free(st);
	*slot = NULL;
}

/* ---- matching (RFC 6698 2.1, RFC 7672 3) -------------------------------- */

int
sc_dane_usable(const struct sc_tlsa *t)
{
	return (t->usage == SC_TLSA_DANE_TA || t->usage == SC_TLSA_DANE_EE) &&
	       t->selector <= SC_TLSA_SEL_SPKI && t->mtype <= SC_TLSA_MT_SHA512;
}

/* Does record t match cert?  1, 0, or -1 out of memory. */
static int
cert_matches(X509 *cert, const struct sc_tlsa *t)
{
	unsigned char *der = NULL, md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	int len, r = 0;

	if (t->selector == SC_TLSA_SEL_CERT)
		len = i2d_X509(cert, &der);
	else
		len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert), &der);
	if (len <= 0)
		return -1;
	switch (t->mtype) {
	case SC_TLSA_MT_FULL:
		r = (size_t)len == t->len && memcmp(der, t->data, t->len) == 0;
		break;
	case SC_TLSA_MT_SHA256:
	case SC_TLSA_MT_SHA512:
		if (EVP_Digest(der, (size_t)len, md, &mdlen,
		               t->mtype == SC_TLSA_MT_SHA256 ? EVP_sha256()
		                                             : EVP_sha512(),
		               NULL) != 1) {
			r = -1;
			break;
		}
		r = mdlen == t->len && memcmp(md, t->data, mdlen) == 0;
		break;
	}
	OPENSSL_free(der);
	return r;
}

/* DANE-TA (RFC 7672 3.1.2): the leaf must verify up to chain[ta], which
 * is trusted for this purpose alone, and name host (3.2.2); dates count. */
static int
verifies_from(const STACK_OF(X509) *chain, int ta, const char *host)
{
	X509_STORE *store = X509_STORE_new();
	X509_STORE_CTX *vctx = X509_STORE_CTX_new();
	STACK_OF(X509) *untrusted = sk_X509_new_null();
	X509_VERIFY_PARAM *param;
	int i, r = -1;

	if (store == NULL || vctx == NULL || untrusted == NULL ||
	    X509_STORE_add_cert(store, sk_X509_value(chain, ta)) != 1)
		goto done;
	/* The anchor need not be self-signed (RFC 7671 5.2.2). */
	X509_STORE_set_flags(store, X509_V_FLAG_PARTIAL_CHAIN);
	for (i = 1; i < sk_X509_num(chain); i++)
		if (i != ta && !sk_X509_push(untrusted, sk_X509_value(chain, i)))
			goto done;
	if (X509_STORE_CTX_init(vctx, store, sk_X509_value(chain, 0),
	                        untrusted) != 1)
		goto done;
	param = X509_STORE_CTX_get0_param(vctx);
	X509_VERIFY_PARAM_set_hostflags(param,
	                                X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
	if (X509_VERIFY_PARAM_set1_host(param, host, 0) != 1)
		goto done;
	r = X509_verify_cert(vctx) == 1;
done:
	sk_X509_free(untrusted); /* the certificates stay the chain's */
	X509_STORE_CTX_free(vctx);
	X509_STORE_free(store);
	return r;
}

int
sc_dane_match(const STACK_OF(X509) *chain, const char *host,
              const struct sc_tlsa *t, size_t n, size_t *which)
{
	size_t k;
	int i, r;

	if (chain == NULL || sk_X509_num(chain) < 1)
		return 0;
	for (k = 0; k < n; k++) {
		if (!sc_dane_usable(&t[k]))
			continue;
		if (t[k].usage == SC_TLSA_DANE_EE) {
			r = cert_matches(sk_X509_value(chain, 0), &t[k]);
			if (r != 0) {
				if (r > 0 && which != NULL)
					*which = k;
				return r;
			}
			continue;
		}
		for (i = 0; i < sk_X509_num(chain); i++) {
			r = cert_matches(sk_X509_value(chain, i), &t[k]);
			if (r == 1)
				r = verifies_from(chain, i, host);
			if (r < 0)
				return -1;
			if (r == 1) {
				if (which != NULL)
					*which = k;
				return 1;
			}
		}
	}
	return 0;
}

/* ---- judging (pure: the evidence in, a status out) ---------------------- */

static const struct sc_dane_host *
host_state(const struct sc_domain *dom, const char *host)
{
	const struct sc_dane_state *st = state_get(dom);
	size_t i;

	for (i = 0; st != NULL && i < st->n; i++)
		if (strcmp(st->h[i].host, host) == 0)
			return &st->h[i];
	return NULL;
}

/* The host's address records were validated: one answered lookup of
 * A/AAAA with data, every such one with AD. */
static int
addresses_secure(const struct sc_mxhost *h)
{
	const struct sc_lookup *set[2] = { h->a, h->aaaa };
	int k, any = 0;

	for (k = 0; k < 2; k++) {
		if (set[k] == NULL || !set[k]->done ||
		    set[k]->outcome != SC_DNS_OK)
			continue;
		if (!set[k]->ad)
			return 0;
		any = 1;
	}
	return any;
}

#define WHY(...) \
	do { \
		if (why != NULL) \
			snprintf(why, whylen, __VA_ARGS__); \
	} while (0)

/* The records of lk, parsed; how many (usable or not) in t[], the data in
 * buf (n * SC_TLSA_DATA_MAX octets).  Malformed text is skipped: dns.c
 * wrote it, so it does not happen. */
static size_t
records_of(const struct sc_lookup *lk, struct sc_tlsa *t, unsigned char *buf)
{
	size_t i, n = 0;

	for (i = 0; i < lk->n && n < MAX_TLSA; i++)
		if (sc_tlsa_text_parse(lk->rr[i].text, lk->rr[i].len, &t[n],
		                       buf + n * SC_TLSA_DATA_MAX,
		                       SC_TLSA_DATA_MAX) == 0)
			n++;
	return n;
}

/* Judge host i against every address the probe saw.  nomem is set when
 * the matcher ran out of memory. */
static enum sc_dane_status
judge(const struct sc_domain *dom, size_t i, char *why, size_t whylen,
      int *nomem, const char **bad_addr)
{
	const struct sc_mxhost *h = &dom->host[i];
	const struct sc_dane_host *dh = host_state(dom, h->name);
	const struct sc_starttls_state *tls =
	    sc_check_state_get(dom, &sc_check_starttls);
	const struct sc_lookup *lk = dh != NULL ? dh->tlsa : NULL;
	struct sc_tlsa t[MAX_TLSA];
	unsigned char *buf;
	size_t n, k, usable = 0, probed = 0, matched = 0;
	enum sc_dane_status s;

	if (lk == NULL || !lk->done) {
		WHY("TLSA records of %s were not asked before the deadline",
		    h->name);
		return dom->mx != NULL && dom->mx->ad ? SC_DANE_UNKNOWN
		                                      : SC_DANE_NONE;
	}
	if (!sc_lookup_answered(lk)) {
		WHY("the TLSA lookup of %s failed (%s)", lk->name,
		    sc_dns_outcome_str(lk->outcome));
		/* 2.2: a secure host whose TLSA lookup fails gets no mail. */
		return dom->mx != NULL && dom->mx->ad ? SC_DANE_UNKNOWN
		                                      : SC_DANE_NONE;
	}
	if (lk->outcome != SC_DNS_OK || lk->n == 0) {
		WHY("no TLSA records at %s", lk->name);
		return SC_DANE_NONE;
	}
	if (!lk->ad) {
		WHY("TLSA records at %s are not validated (no DNSSEC AD flag): "
		    "senders ignore them", lk->name);
		return SC_DANE_NONE;
	}
	if (dom->mx == NULL || !dom->mx->ad) {
		WHY("TLSA records at %s are validated, but the MX records of %s "
		    "are not, so senders do not use DANE (RFC 7672 2.2.1)",
		    lk->name, dom->name);
		return SC_DANE_NONE;
	}
	if (!addresses_secure(h)) {
		WHY("TLSA records at %s are validated, but the address records "
		    "of %s are not, so senders do not use DANE (RFC 7672 "
		    "2.2.2)", lk->name, h->name);
		return SC_DANE_NONE;
	}
	if ((buf = sc_malloc(MAX_TLSA * SC_TLSA_DATA_MAX)) == NULL) {
		*nomem = 1;
		return SC_DANE_UNKNOWN;
	}
	n = records_of(lk, t, buf);
	for (k = 0; k < n; k++)
		usable += sc_dane_usable(&t[k]) != 0;
	if (usable == 0) {
		WHY("none of the %zu TLSA records at %s is usable for SMTP "
		    "(RFC 7672 3.1.3: DANE-TA(2) or DANE-EE(3) only): senders "
		    "use TLS without authenticating the server", lk->n, lk->name);
		sc_free(buf);
		return SC_DANE_UNUSABLE;
	}
	if (!sc_check_enabled(dom->ctx, &sc_check_starttls)) {
		WHY("validated TLSA records at %s (not matched against the "
		    "server's certificate: the STARTTLS probe was skipped)",
		    lk->name);
		sc_free(buf);
		return SC_DANE_PUBLISHED;
	}
	s = SC_DANE_UNKNOWN;
	for (k = 0; tls != NULL && k < tls->n; k++) {
		const struct sc_starttls_entry *e = &tls->e[k];
		int r;

		if (strcmp(e->host, h->name) != 0)
			continue;
		probed++;
		if (e->res == NULL || e->res->outcome != SC_PROBE_TLS)
			continue;
		r = sc_dane_match(e->res->tls.chain, h->name, t, n, NULL);
		if (r < 0) {
			*nomem = 1;
			break;
		}
		if (r == 0) {
			WHY("no TLSA record at %s matches the certificate "
			    "chain %s (%s) presents", lk->name, h->name,
			    e->addr);
			if (bad_addr != NULL)
				*bad_addr = e->addr;
			sc_free(buf);
			return SC_DANE_MISMATCH;
		}
		matched++;
	}
	sc_free(buf);
	if (probed > 0 && matched == probed) {
		WHY("validated TLSA records at %s match the certificate of "
		    "every address of %s", lk->name, h->name);
		s = SC_DANE_MATCH;
	} else {
		WHY("validated TLSA records at %s, but %s did not complete a "
		    "TLS handshake on every address, so they could not be "
		    "matched", lk->name, h->name);
	}
	return s;
}

enum sc_dane_status
sc_dane_host_status(const struct sc_domain *dom, size_t i, char *why,
                    size_t whylen)
{
	int nomem = 0;
	enum sc_dane_status s;

	if (i >= dom->nhost)
		return SC_DANE_NONE;
	s = judge(dom, i, why, whylen, &nomem, NULL);
	return nomem ? SC_DANE_UNKNOWN : s;
}

int
sc_dane_resolver_validates(const struct sc_domain *dom)
{
	const struct sc_lookup *lk;
	int ad = 0;

	/* Any authenticated answer proves it; the root probe is the one
	 * asked for the purpose. */
	if (sc_resolver_root(dom, &ad) >= 0 && ad)
		return 1;
	for (lk = dom->lookups; lk != NULL; lk = lk->next)
		if (lk->done && lk->ad)
			return 1;
	return 0;
}

/* The domain's own answers: 1 signed, 0 unsigned, -1 cannot tell. */
static int
domain_signed(const struct sc_domain *dom)
{
	const struct sc_lookup *mx = dom->mx;

	if (mx == NULL || !mx->done ||
	    (mx->outcome != SC_DNS_OK && mx->outcome != SC_DNS_NODATA))
		return -1;
	if (mx->ad)
		return 1;
	return sc_dane_resolver_validates(dom) ? 0 : -1;
}

/* The leaf key's "3 1 1" record, for the fix (hex into out, 65 octets). */
static void
leaf_spki_sha256(const struct sc_domain *dom, const char *host,
                 const char *addr, char *out)
{
	const STACK_OF(X509) *chain = sc_starttls_chain(dom, host, addr);
	unsigned char *der = NULL, md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0, k;
	int len;

	out[0] = '\0';
	if (chain == NULL || sk_X509_num(chain) < 1)
		return;
	len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(sk_X509_value(chain, 0)),
	                      &der);
	if (len > 0 && EVP_Digest(der, (size_t)len, md, &mdlen, EVP_sha256(),
	                          NULL) == 1)
		for (k = 0; k < mdlen && k < 32; k++)
			snprintf(out + 2 * k, 3, "%02x", md[k]);
	OPENSSL_free(der);
}

static void
dane_assess(const struct sc_domain *dom, struct sc_hits *out)
{
	size_t i;

	if (state_get(dom) == NULL)
		return;
	for (i = 0; i < dom->nhost; i++) {
		char why[512], spki[65];
		const char *addr = NULL;
		int nomem = 0;

		if (dom->host[i].name[0] == '\0')
			continue;
		if (judge(dom, i, why, sizeof(why), &nomem, &addr) !=
		    SC_DANE_MISMATCH) {
			if (nomem)
				out->failed = 1;
			continue;
		}
		leaf_spki_sha256(dom, dom->host[i].name, addr, spki);
		sc_hits_add(out, "dane.mismatch", "%s; senders that validate "
		            "DANE refuse to deliver there (RFC 7672 2.2)%s%s",
		            why, spki[0] != '\0'
		                 ? ". The server's key as a DANE-EE record: "
		                   "3 1 1 " : "", spki);
	}
	if (domain_signed(dom) == 0)
		sc_hits_add(out, "dnssec.unsigned", "the answers for %s carry "
		            "no AD flag from a resolver that validates (it "
		            "authenticated the root): the zone is not signed, or "
		            "its chain of trust is broken (no DS record at the "
		            "parent)", dom->name);
}

/* ---- description ------------------------------------------------------- */

static const char *
status_str(enum sc_dane_status s)
{
	switch (s) {
	case SC_DANE_NONE: return "none";
	case SC_DANE_UNUSABLE: return "unusable";
	case SC_DANE_UNKNOWN: return "unknown";
	case SC_DANE_MATCH: return "match";
	case SC_DANE_MISMATCH: return "mismatch";
	case SC_DANE_PUBLISHED: return "published";
	}
	return "?";
}

/* One MX host: {"host", "tlsa_name", "tlsa": [...], "tlsa_validated",
 * "status", "detail"}. */
static void
describe_host(const struct sc_domain *dom, size_t i, struct sc_jw *jw)
{
	const struct sc_dane_host *dh = host_state(dom, dom->host[i].name);
	const struct sc_lookup *tlsa = dh != NULL ? dh->tlsa : NULL;
	char why[512] = "";
	int nomem = 0;
	enum sc_dane_status s = judge(dom, i, why, sizeof(why), &nomem, NULL);
	size_t k;

	if (nomem)
		sc_jw_fail(jw);
	sc_jw_lit(jw, "{");
	sc_jw_key(jw, "host");
	sc_jw_cstr(jw, dom->host[i].name);
	sc_jw_key(jw, "tlsa_name");
	sc_jw_cstr(jw, tlsa != NULL ? tlsa->name : NULL);
	sc_jw_key(jw, "tlsa");
	sc_jw_lit(jw, "[");
	for (k = 0; tlsa != NULL && tlsa->outcome == SC_DNS_OK && k < tlsa->n;
	     k++) {
		sc_jw_elem(jw);
		sc_jw_str(jw, tlsa->rr[k].text, tlsa->rr[k].len);
	}
	sc_jw_lit(jw, "]");
	sc_jw_key(jw, "tlsa_validated");
	sc_jw_bool(jw, tlsa != NULL && sc_lookup_answered(tlsa) && tlsa->ad);
	sc_jw_key(jw, "status");
	sc_jw_cstr(jw, status_str(s));
	sc_jw_key(jw, "detail");
	sc_jw_cstr(jw, why);
	sc_jw_lit(jw, "}");
}

/* {"resolver_validates", "domain_signed", "note", "hosts": [...]} */
static void
dane_describe(const struct sc_domain *dom, struct sc_jw *jw)
{
	int val = sc_dane_resolver_validates(dom) ? 1 : -1;
	size_t i;

	sc_jw_lit(jw, "{");
	sc_jw_key(jw, "resolver_validates");
	sc_jw_tristate(jw, val);
	sc_jw_key(jw, "domain_signed");
	sc_jw_tristate(jw, domain_signed(dom));
	sc_jw_key(jw, "note");
	if (val > 0)
		sc_jw_null(jw);
	else
		sc_jw_lit(jw, "\"could not tell whether the resolver "
		          "validates DNSSEC: no answer carried the AD flag, not "
		          "even the root's; dnssec.unsigned is not reported\"");
	sc_jw_key(jw, "hosts");
	sc_jw_lit(jw, "[");
	for (i = 0; i < dom->nhost; i++) {
		if (dom->host[i].name[0] == '\0')
			continue;
		sc_jw_elem(jw);
		describe_host(dom, i, jw);
	}
	sc_jw_lit(jw, "]");
	sc_jw_lit(jw, "}");
}

static const char *const dane_ids[] = {
	"dane.mismatch", "dnssec.unsigned", NULL
};

/* Once the evidence is in: which MX hosts DANE authenticates, a judgement
 * the "starttls" check reads (DANE senders look at no CA, name or date
 * there), stored on the hosts so that it asks nothing of this file. */
static void
dane_finish(struct sc_domain *dom)
{
	char why[256];
	size_t i;

	for (i = 0; i < dom->nhost; i++)
		dom->host[i].dane_authenticated =
		    dom->host[i].name[0] != '\0' &&
		    sc_dane_host_status(dom, i, why, sizeof(why)) ==
		        SC_DANE_MATCH;
}

const struct sc_check sc_check_dane = {
	.name = "dane",
	.ids = dane_ids,
	.start = dane_start,
	.finish = dane_finish,
	.assess = dane_assess,
	.describe = dane_describe,
	.clear = dane_clear,
};
