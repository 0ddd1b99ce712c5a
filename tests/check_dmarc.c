/* The "dmarc" check on canned evidence: each finding, the policy that
 * applies (p, sp, np), the org-domain fallback, the rua authorisation,
 * DNS failures (dns.unverified, never dmarc.missing), the description,
 * and out-of-memory walks. */
#include <check.h>

#include "dmarc.h"
#include "dmarc_parse.h"
#include "evidence.h"
#include "json_write.h"
#include "rules.h"
#include "testutil.h"

static struct sc_ctx ctx;

/* A domain job with MX, the check's state, and its organizational domain
 * (NULL: the domain is its own). */
static struct sc_domain *
dom_new(const char *name, const char *org)
{
	struct sc_domain *d = ev_domain(&ctx, name);

	if (org != NULL)
		d->regdom = sc_strdup(org);
	*sc_check_state(d, &sc_check_dmarc) =
		sc_calloc(1, sizeof(struct sc_dmarc_state));
	d->mx = ev_lookup(d, name, ns_t_mx, SC_DNS_OK, 1, "10 mx.example.net");
	return d;
}

static struct sc_dmarc_state *
st(struct sc_domain *d)
{
	return *sc_check_state(d, &sc_check_dmarc);
}

static void
dom_free(struct sc_domain *d)
{
	sc_check_dmarc.clear(d);
	ck_assert_ptr_null(*sc_check_state(d, &sc_check_dmarc));
	ev_free(d);
}

/* _dmarc.NAME with one TXT answer (or none when txt is NULL). */
static struct sc_lookup *
txt(struct sc_domain *d, const char *name, sc_dns_outcome_t o,
    const char *text)
{
	char q[300];

	snprintf(q, sizeof(q), "_dmarc.%s", name);
	return text != NULL ? ev_lookup(d, q, ns_t_txt, o, 1, text)
	                    : ev_lookup(d, q, ns_t_txt, o, 0);
}

static void
add_auth(struct sc_domain *d, const char *host, const char *policy_domain,
         sc_dns_outcome_t o, const char *text)
{
	struct sc_dmarc_state *s = st(d);
	char q[300];

	snprintf(q, sizeof(q), "%s._report._dmarc.%s", policy_domain, host);
	s->auth[s->nauth].host = sc_strdup(host);
	s->auth[s->nauth].lk = text != NULL
	                       ? ev_lookup(d, q, ns_t_txt, o, 1, text)
	                       : ev_lookup(d, q, ns_t_txt, o, 0);
	s->nauth++;
}

static struct sc_hits
run(struct sc_domain *d)
{
	struct sc_hits h;

	memset(&h, 0, sizeof(h));
	sc_check_dmarc.assess(d, &h);
	return h;
}

/* The description, as a JSON string for easy matching. */
static char *
described(struct sc_domain *d)
{
	json_t *j = sc_describe_json(&sc_check_dmarc, d);
	char *s;

	ck_assert_ptr_nonnull(j);
	s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(j);
	ck_assert_ptr_nonnull(s);
	return s;
}

static void
assert_describes(struct sc_domain *d, const char *part)
{
	char *s = described(d);

	ck_assert_msg(strstr(s, part) != NULL, "%s lacks %s", s, part);
	free(s);
}

static void
assert_only(const struct sc_hits *h, const char *id)
{
	ck_assert_msg(h->n == 1 && strcmp(h->hit[0].id, id) == 0,
	              "expected only %s, got %zu hits, first %s", id, h->n,
	              h->n > 0 ? h->hit[0].id : "-");
}

/* ---- findings ------------------------------------------------------- */

START_TEST(test_good)
{
	struct sc_domain *d = dom_new("good.example", NULL);
	struct sc_hits h;

	st(d)->own = txt(d, "good.example", SC_DNS_OK,
	                 "v=DMARC1; p=reject; rua=mailto:d@good.example");
	h = run(d);
	ck_assert_uint_eq(h.n, 0);
	ck_assert_int_eq(sc_hits_missing(&h), 0);
	assert_describes(d, "\"policy\":\"reject\",\"policy_source\":\"p\"");
	assert_describes(d, "\"found_at\":\"_dmarc.good.example\"");
	assert_describes(d, "\"rua\":[\"mailto:d@good.example\"]");
	sc_hits_clear(&h);
	dom_free(d);
}
END_TEST

START_TEST(test_missing)
{
	struct sc_domain *d = dom_new("none.example", NULL);
	struct sc_hits h;

	st(d)->own = txt(d, "none.example", _i ? SC_DNS_NXDOMAIN : SC_DNS_NODATA,
	                 NULL);
	h = run(d);
	assert_only(&h, "dmarc.missing");
	ck_assert_int_eq(sc_hits_missing(&h), 0);
	assert_describes(d, "\"status\":\"missing\"");
	assert_describes(d, "\"record\":null");
	sc_hits_clear(&h);
	dom_free(d);
}
END_TEST

/* Only TXT records that are not DMARC: discarded (RFC 7489 6.6.3). */
START_TEST(test_other_txt_is_missing)
{
	struct sc_domain *d = dom_new("junk.example", NULL);
	struct sc_hits h;

	st(d)->own = txt(d, "junk.example", SC_DNS_OK, "site-verification=abc");
	h = run(d);
	assert_only(&h, "dmarc.missing");
	ck_assert_ptr_nonnull(strstr(h.hit[0].detail, "not DMARC"));
	sc_hits_clear(&h);
	dom_free(d);
}
END_TEST

/* A failed lookup is "could not verify", never "no record". */
START_TEST(test_dns_failure_is_unverified)
{
	static const sc_dns_outcome_t bad[] = {
		SC_DNS_TIMEOUT, SC_DNS_SERVFAIL, SC_DNS_REFUSED, SC_DNS_ERROR,
		SC_DNS_SKIPPED
	};
	struct sc_domain *d = dom_new("slow.example", NULL);
	struct sc_hits h;

	st(d)->own = txt(d, "slow.example", bad[_i], NULL);
	h = run(d);
	assert_only(&h, "dns.unverified");
	ck_assert_int_eq(sc_hits_missing(&h), 1);
	ck_assert_ptr_nonnull(strstr(h.hit[0].detail, "_dmarc.slow.example"));
	ck_assert_ptr_nonnull(strstr(h.hit[0].detail,
	                             sc_dns_outcome_str(bad[_i])));
	assert_describes(d, "\"status\":\"unverified\"");
	sc_hits_clear(&h);
	dom_free(d);
}
END_TEST

/* The same for the organizational domain's lookup, and for a fallback
 * that was never asked (the deadline came first). */
START_TEST(test_org_failure_is_unverified)
{
	struct sc_domain *d = dom_new("a.b.example", "b.example");
	struct sc_hits h;

	st(d)->own = txt(d, "a.b.example", SC_DNS_NXDOMAIN, NULL);
	if (_i == 0)
		st(d)->org = txt(d, "b.example", SC_DNS_SERVFAIL, NULL);
	h = run(d);
	assert_only(&h, "dns.unverified");
	ck_assert_int_eq(sc_hits_missing(&h), 1);
	ck_assert_ptr_nonnull(strstr(h.hit[0].detail, "_dmarc.b.example"));
	sc_hits_clear(&h);
	dom_free(d);
}
END_TEST

START_TEST(test_missing_with_fallback)
{
	struct sc_domain *d = dom_new("a.b.example", "b.example");
	struct sc_hits h;

	st(d)->own = txt(d, "a.b.example", SC_DNS_NXDOMAIN, NULL);
	st(d)->org = txt(d, "b.example", SC_DNS_NODATA, NULL);
	h = run(d);
	assert_only(&h, "dmarc.missing");
	ck_assert_ptr_nonnull(strstr(h.hit[0].detail, "_dmarc.a.b.example"));
	ck_assert_ptr_nonnull(strstr(h.hit[0].detail, "_dmarc.b.example"));
	assert_describes(d, "\"organizational_domain\":\"b.example\"");
	sc_hits_clear(&h);
	dom_free(d);
}
END_TEST

START_TEST(test_invalid_policy)
{
	struct sc_domain *d = dom_new("typo.example", NULL);
	struct sc_hits h;

	st(d)->own = txt(d, "typo.example", SC_DNS_OK, "v=DMARC1; p=rejet");
	h = run(d);
	assert_only(&h, "dmarc.invalid");
	ck_assert_ptr_nonnull(strstr(h.hit[0].detail, "character 13"));
	ck_assert_ptr_nonnull(strstr(h.hit[0].detail, "p=rejet"));
	ck_assert_ptr_nonnull(strstr(h.hit[0].detail, "no DMARC policy"));
	assert_describes(d, "\"error\":{\"fatal\":true,\"position\":13,");
	assert_describes(d, "\"policy\":null");
	sc_hits_clear(&h);
	dom_free(d);
}
END_TEST

START_TEST(test_invalid_missing_p)
{
	struct sc_domain *d = dom_new("nop.example", NULL);
	struct sc_hits h;

	st(d)->own = txt(d, "nop.example", SC_DNS_OK,
	                 "v=DMARC1; rua=mailto:x@nop.example");
	h = run(d);
	assert_only(&h, "dmarc.invalid");
	ck_assert_ptr_nonnull(strstr(h.hit[0].detail, "p= (the policy)"));
	sc_hits_clear(&h);
	dom_free(d);
}
END_TEST

/* "p=reject; v=DMARC1": receivers discard it; at an organizational
 * domain it is reported as invalid, not as missing. */
START_TEST(test_invalid_v_not_first)
{
	struct sc_domain *d = dom_new("vlast.example", NULL);
	struct sc_hits h;

	st(d)->own = txt(d, "vlast.example", SC_DNS_OK, "p=reject; v=DMARC1");
	h = run(d);
	assert_only(&h, "dmarc.invalid");
	ck_assert_ptr_nonnull(strstr(h.hit[0].detail, "character 1 "));
	ck_assert_ptr_nonnull(strstr(h.hit[0].detail, "v=DMARC1"));
	sc_hits_clear(&h);
	dom_free(d);
}
END_TEST

/* RFC 7489 6.6.3: several records at one name give no policy. */
START_TEST(test_multiple_records)
{
	struct sc_domain *d = dom_new("two.example", NULL);
	struct sc_hits h;

	st(d)->own = ev_lookup(d, "_dmarc.two.example", ns_t_txt, SC_DNS_OK, 3,
	                       "v=DMARC1; p=reject", "v=DMARC1; p=none",
	                       "unrelated");
	h = run(d);
	assert_only(&h, "dmarc.invalid");
	ck_assert_ptr_nonnull(strstr(h.hit[0].detail, "2 DMARC records"));
	assert_describes(d, "\"records_found\":2");
	sc_hits_clear(&h);
	dom_free(d);
}
END_TEST

/* A stray non-DMARC record next to the real one is discarded, not a
 * second record. */
START_TEST(test_stray_txt_ignored)
{
	struct sc_domain *d = dom_new("stray.example", NULL);
	struct sc_hits h;

	st(d)->own = ev_lookup(d, "_dmarc.stray.example", ns_t_txt, SC_DNS_OK, 2,
	                       "verification=123", "v=DMARC1; p=quarantine");
	h = run(d);
	ck_assert_uint_eq(h.n, 0);
	assert_describes(d, "\"policy\":\"quarantine\"");
	sc_hits_clear(&h);
	dom_free(d);
}
END_TEST

START_TEST(test_policy_none)
{
	struct sc_domain *d = dom_new("mon.example", NULL);
	struct sc_hits h;

	/* pct is moot when nothing is enforced: no dmarc.partial */
	st(d)->own = txt(d, "mon.example", SC_DNS_OK, "v=DMARC1; p=none; pct=10");
	h = run(d);
	assert_only(&h, "dmarc.policy_none");
	ck_assert_ptr_nonnull(strstr(h.hit[0].detail, "p=none applies"));
	sc_hits_clear(&h);
	dom_free(d);
}
END_TEST

START_TEST(test_partial)
{
	struct sc_domain *d = dom_new("half.example", NULL);
	struct sc_hits h;

	st(d)->own = txt(d, "half.example", SC_DNS_OK,
	                 "v=DMARC1; p=quarantine; pct=50");
	h = run(d);
	assert_only(&h, "dmarc.partial");
	ck_assert_ptr_nonnull(strstr(h.hit[0].detail, "50%"));
	assert_describes(d, "\"pct\":50");
	sc_hits_clear(&h);
	dom_free(d);
}
END_TEST

/* DMARCbis t=y: testing mode, a weaker policy is applied. */
START_TEST(test_testing_mode)
{
	struct sc_domain *d = dom_new("test.example", NULL);
	struct sc_hits h;

	st(d)->own = txt(d, "test.example", SC_DNS_OK, "v=DMARC1; p=reject; t=y");
	h = run(d);
	assert_only(&h, "dmarc.partial");
	ck_assert_ptr_nonnull(strstr(h.hit[0].detail, "t=y"));
	assert_describes(d, "\"testing\":true");
	sc_hits_clear(&h);
	dom_free(d);
}
END_TEST

/* An error in a tag other than the policy: reported, and the policy
 * still applies (RFC 7489 6.3), so no second finding for pct. */
START_TEST(test_nonfatal_error)
{
	struct sc_domain *d = dom_new("pct.example", NULL);
	struct sc_hits h;

	st(d)->own = txt(d, "pct.example", SC_DNS_OK,
	                 "v=DMARC1; p=reject; pct=fifty");
	h = run(d);
	assert_only(&h, "dmarc.invalid");
	ck_assert_ptr_nonnull(strstr(h.hit[0].detail, "use its default"));
	assert_describes(d, "\"policy\":\"reject\"");
	assert_describes(d, "\"fatal\":false");
	sc_hits_clear(&h);
	dom_free(d);
}
END_TEST

/* ---- which policy applies -------------------------------------------- */

/* A subdomain without a record of its own: the organizational domain's
 * sp applies (RFC 7489 6.6.3). */
START_TEST(test_subdomain_sp)
{
	struct sc_domain *d = dom_new("sub.org.example", "org.example");
	struct sc_hits h;

	st(d)->own = txt(d, "sub.org.example", SC_DNS_NXDOMAIN, NULL);
	st(d)->org = txt(d, "org.example", SC_DNS_OK,
	                 "v=DMARC1; p=reject; sp=none");
	h = run(d);
	assert_only(&h, "dmarc.policy_none");
	ck_assert_ptr_nonnull(strstr(h.hit[0].detail, "sp=none applies to "
	                                              "sub.org.example"));
	assert_describes(d, "\"found_at\":\"_dmarc.org.example\"");
	assert_describes(d, "\"policy\":\"none\",\"policy_source\":\"sp\"");
	sc_hits_clear(&h);
	dom_free(d);
}
END_TEST

/* Without sp, p applies to subdomains too. */
START_TEST(test_subdomain_p)
{
	struct sc_domain *d = dom_new("sub.org.example", "org.example");
	struct sc_hits h;

	st(d)->own = txt(d, "sub.org.example", SC_DNS_NODATA, NULL);
	st(d)->org = txt(d, "org.example", SC_DNS_OK, "v=DMARC1; p=reject");
	h = run(d);
	ck_assert_uint_eq(h.n, 0);
	assert_describes(d, "\"policy\":\"reject\",\"policy_source\":\"p\"");
	sc_hits_clear(&h);
	dom_free(d);
}
END_TEST

/* The subdomain's own record wins; its p applies, the org's sp does not. */
START_TEST(test_subdomain_own_record)
{
	struct sc_domain *d = dom_new("sub.org.example", "org.example");
	struct sc_hits h;

	st(d)->own = txt(d, "sub.org.example", SC_DNS_OK,
	                 "v=DMARC1; p=reject; sp=none");
	h = run(d);
	ck_assert_uint_eq(h.n, 0);
	assert_describes(d, "\"found_at\":\"_dmarc.sub.org.example\"");
	assert_describes(d, "\"policy_source\":\"p\"");
	sc_hits_clear(&h);
	dom_free(d);
}
END_TEST

/* DMARCbis np: for a subdomain that does not exist.  No finding (the
 * domain check says it does not exist), but the description shows np. */
START_TEST(test_nonexistent_subdomain_np)
{
	struct sc_domain *d = ev_domain(&ctx, "gone.org.example");
	struct sc_hits h;

	d->regdom = sc_strdup("org.example");
	*sc_check_state(d, &sc_check_dmarc) =
		sc_calloc(1, sizeof(struct sc_dmarc_state));
	d->mx = ev_lookup(d, "gone.org.example", ns_t_mx, SC_DNS_NXDOMAIN, 0);
	st(d)->own = txt(d, "gone.org.example", SC_DNS_NXDOMAIN, NULL);
	st(d)->org = txt(d, "org.example", SC_DNS_OK,
	                 "v=DMARC1; p=reject; sp=none; np=quarantine");
	h = run(d);
	ck_assert_uint_eq(h.n, 0);
	assert_describes(d, "\"policy\":\"quarantine\",\"policy_source\":"
	                    "\"np\"");
	sc_hits_clear(&h);
	dom_free(d);
}
END_TEST

/* No record at the subdomain but a broken attempt there, and none at the
 * organizational domain: the attempt is reported. */
START_TEST(test_attempt_at_subdomain)
{
	struct sc_domain *d = dom_new("sub.org.example", "org.example");
	struct sc_hits h;

	st(d)->own = txt(d, "sub.org.example", SC_DNS_OK, "v=DMARC2; p=reject");
	st(d)->org = txt(d, "org.example", SC_DNS_NXDOMAIN, NULL);
	h = run(d);
	assert_only(&h, "dmarc.invalid");
	ck_assert_ptr_nonnull(strstr(h.hit[0].detail, "DMARC1"));
	sc_hits_clear(&h);
	dom_free(d);
}
END_TEST

/* ---- the rua authorisation (RFC 7489 7.1) ----------------------------- */

START_TEST(test_rua_unauthorized)
{
	struct sc_domain *d = dom_new("ext.example", NULL);
	struct sc_hits h;

	st(d)->own = txt(d, "ext.example", SC_DNS_OK,
	                 "v=DMARC1; p=reject; rua=mailto:r@vendor.example");
	add_auth(d, "vendor.example", "ext.example",
	         _i == 0 ? SC_DNS_NXDOMAIN : SC_DNS_OK,
	         _i == 0 ? NULL : "v=spf1 -all");
	h = run(d);
	assert_only(&h, "dmarc.rua_unauthorized");
	ck_assert_ptr_nonnull(strstr(h.hit[0].detail, "ext.example._report."
	                                              "_dmarc.vendor.example"));
	assert_describes(d, "\"authorized\":{\"vendor.example\":false}");
	sc_hits_clear(&h);
	dom_free(d);
}
END_TEST

START_TEST(test_rua_authorized)
{
	struct sc_domain *d = dom_new("ok.example", NULL);
	struct sc_hits h;

	st(d)->own = txt(d, "ok.example", SC_DNS_OK,
	                 "v=DMARC1; p=reject; rua=mailto:r@vendor.example");
	add_auth(d, "vendor.example", "ok.example", SC_DNS_OK, "v=DMARC1");
	h = run(d);
	ck_assert_uint_eq(h.n, 0);
	assert_describes(d, "\"authorized\":{\"vendor.example\":true}");
	sc_hits_clear(&h);
	dom_free(d);
}
END_TEST

START_TEST(test_rua_lookup_failed)
{
	struct sc_domain *d = dom_new("ok.example", NULL);
	struct sc_hits h;

	st(d)->own = txt(d, "ok.example", SC_DNS_OK,
	                 "v=DMARC1; p=reject; rua=mailto:r@a.example,"
	                 "mailto:r@b.example");
	add_auth(d, "a.example", "ok.example", SC_DNS_TIMEOUT, NULL);
	add_auth(d, "b.example", "ok.example", SC_DNS_NODATA, NULL);
	st(d)->nauth++; /* a third, never asked: lk NULL */
	st(d)->auth[2].host = sc_strdup("c.example");
	h = run(d);
	ck_assert_uint_eq(h.n, 3);
	ck_assert_int_eq(sc_hits_missing(&h), 1);
	ck_assert_str_eq(h.hit[0].id, "dns.unverified");
	ck_assert_str_eq(h.hit[1].id, "dns.unverified");
	ck_assert_str_eq(h.hit[2].id, "dmarc.rua_unauthorized");
	ck_assert_ptr_nonnull(strstr(h.hit[2].detail, "b.example"));
	ck_assert_ptr_null(strstr(h.hit[2].detail, "a.example,"));
	assert_describes(d, "\"a.example\":null");
	sc_hits_clear(&h);
	dom_free(d);
}
END_TEST

/* ---- the rest --------------------------------------------------------- */

START_TEST(test_literal_and_unstarted)
{
	struct sc_domain *d = ev_domain(&ctx, "[192.0.2.1]");
	struct sc_hits h;

	h = run(d);
	ck_assert_uint_eq(h.n, 0);
	assert_describes(d, "{\"status\":\"skipped\"}");
	sc_check_dmarc.clear(d); /* nothing to free: fine */
	sc_hits_clear(&h);
	ev_free(d);
}
END_TEST

/* A record that is not UTF-8 still gives valid JSON. */
START_TEST(test_describe_binary)
{
	struct sc_domain *d = dom_new("bin.example", NULL);
	struct sc_lookup *lk;
	struct sc_hits h;

	lk = txt(d, "bin.example", SC_DNS_OK, "v=DMARC1; p=reject; x=\xff\xfe");
	lk->rr[0].text[22] = '\0'; /* and a NUL */
	st(d)->own = lk;
	h = run(d);
	assert_only(&h, "dmarc.invalid");
	assert_describes(d, "\"record\":\"v=DMARC1; p=reject; x=??\"");
	sc_hits_clear(&h);
	dom_free(d);
}
END_TEST

START_TEST(test_describe_text)
{
	struct sc_domain *d;
	struct sc_lookup *lk;

	/* At the organizational domain, every member: sp, pct, t=y, rua
	 * and ruf, report hosts that agreed, did not, and did not say. */
	d = dom_new("sub.org.example", "org.example");
	st(d)->own = txt(d, "sub.org.example", SC_DNS_NXDOMAIN, NULL);
	st(d)->org = txt(d, "org.example", SC_DNS_OK,
	                 "v=DMARC1; p=reject; sp=quarantine; pct=50; t=y; "
	                 "rua=mailto:a@v1.example,mailto:b@v2.example,"
	                 "mailto:c@v3.example; ruf=mailto:f@org.example");
	add_auth(d, "v1.example", "org.example", SC_DNS_OK, "v=DMARC1");
	add_auth(d, "v2.example", "org.example", SC_DNS_NODATA, NULL);
	add_auth(d, "v3.example", "org.example", SC_DNS_TIMEOUT, NULL);
	ev_assert_described(&sc_check_dmarc, d, "\"dmarc\":{\"status\":\"ok\","
	               "\"organizational_domain\":\"org.example\","
	               "\"record\":\"v=DMARC1; p=reject; sp=quarantine; "
	               "pct=50; t=y; rua=mailto:a@v1.example,"
	               "mailto:b@v2.example,mailto:c@v3.example; "
	               "ruf=mailto:f@org.example\","
	               "\"found_at\":\"_dmarc.org.example\","
	               "\"policy\":\"quarantine\",\"policy_source\":\"sp\","
	               "\"pct\":50,\"testing\":true,"
	               "\"rua\":[\"mailto:a@v1.example\","
	               "\"mailto:b@v2.example\",\"mailto:c@v3.example\"],"
	               "\"ruf\":[\"mailto:f@org.example\"],"
	               "\"authorized\":{\"v1.example\":true,"
	               "\"v2.example\":false,\"v3.example\":null}}");
	dom_free(d);

	/* An error that leaves the policy, in a record with bytes to
	 * escape. */
	d = dom_new("pct.example", NULL);
	st(d)->own = txt(d, "pct.example", SC_DNS_OK,
	                 "v=DMARC1; p=none; pct=\"f\\i\tft\xc3\xa9\"");
	ev_assert_described(&sc_check_dmarc, d, "\"dmarc\":{\"status\":\"invalid\","
	               "\"organizational_domain\":\"pct.example\","
	               "\"record\":\"v=DMARC1; p=none; "
	               "pct=\\\"f\\\\i\\tft\303\251\\\"\","
	               "\"found_at\":\"_dmarc.pct.example\","
	               "\"error\":{\"position\":23,"
	               "\"reason\":\"pct=\\\"f\\\\i?ft??\\\": pct must be a "
	               "whole number from 0 to 100\",\"fatal\":false},"
	               "\"policy\":\"none\",\"policy_source\":\"p\","
	               "\"pct\":100,\"testing\":false,\"rua\":[],\"ruf\":[],"
	               "\"authorized\":{}}");
	dom_free(d);

	/* A fatal error; one that is not UTF-8, with a NUL byte. */
	d = dom_new("typo.example", NULL);
	st(d)->own = txt(d, "typo.example", SC_DNS_OK, "v=DMARC1; p=rejet");
	ev_assert_described(&sc_check_dmarc, d, "\"dmarc\":{\"status\":\"invalid\","
	               "\"organizational_domain\":\"typo.example\","
	               "\"record\":\"v=DMARC1; p=rejet\","
	               "\"found_at\":\"_dmarc.typo.example\","
	               "\"error\":{\"position\":13,"
	               "\"reason\":\"p=rejet: the policy must be none,"
	               " quarantine or reject\",\"fatal\":true},"
	               "\"policy\":null,\"policy_source\":null}");
	dom_free(d);
	d = dom_new("bin.example", NULL);
	lk = txt(d, "bin.example", SC_DNS_OK, "v=DMARC1; p=reject; x=\xff\xfe");
	lk->rr[0].text[22] = '\0';
	st(d)->own = lk;
	ev_assert_described(&sc_check_dmarc, d, "\"dmarc\":{\"status\":\"invalid\","
	               "\"organizational_domain\":\"bin.example\","
	               "\"record\":\"v=DMARC1; p=reject; x=??\","
	               "\"found_at\":\"_dmarc.bin.example\","
	               "\"error\":{\"position\":23,"
	               "\"reason\":\"a control character (such as NUL) "
	               "inside a tag\",\"fatal\":false},"
	               "\"policy\":\"reject\",\"policy_source\":\"p\","
	               "\"pct\":100,\"testing\":false,\"rua\":[],\"ruf\":[],"
	               "\"authorized\":{}}");
	dom_free(d);

	/* Two records. */
	d = dom_new("two.example", NULL);
	st(d)->own = ev_lookup(d, "_dmarc.two.example", ns_t_txt, SC_DNS_OK, 2,
	                       "v=DMARC1; p=reject", "v=DMARC1; p=none");
	ev_assert_described(&sc_check_dmarc, d, "\"dmarc\":{\"status\":\"invalid\","
	               "\"organizational_domain\":\"two.example\","
	               "\"record\":\"v=DMARC1; p=reject\","
	               "\"found_at\":\"_dmarc.two.example\","
	               "\"records_found\":2,\"error\":{\"reason\":\"more "
	               "than one DMARC record\",\"fatal\":true},"
	               "\"policy\":null,\"policy_source\":null}");
	dom_free(d);

	/* A broken attempt at the subdomain, none at the org domain. */
	d = dom_new("sub.org.example", "org.example");
	st(d)->own = txt(d, "sub.org.example", SC_DNS_OK, "v=DMARC2; p=reject");
	st(d)->org = txt(d, "org.example", SC_DNS_NXDOMAIN, NULL);
	ev_assert_described(&sc_check_dmarc, d, "\"dmarc\":{\"status\":\"invalid\","
	               "\"organizational_domain\":\"org.example\","
	               "\"record\":\"v=DMARC2; p=reject\","
	               "\"found_at\":\"_dmarc.sub.org.example\","
	               "\"error\":{\"position\":3,"
	               "\"reason\":\"v=DMARC2: the version must be DMARC1\","
	               "\"fatal\":true},\"policy\":null,"
	               "\"policy_source\":null}");
	dom_free(d);

	/* Missing; unverified; an address literal. */
	d = dom_new("none.example", NULL);
	st(d)->own = txt(d, "none.example", SC_DNS_NXDOMAIN, NULL);
	ev_assert_described(&sc_check_dmarc, d, "\"dmarc\":{\"status\":\"missing\","
	               "\"organizational_domain\":\"none.example\","
	               "\"record\":null,\"found_at\":null,\"policy\":null,"
	               "\"policy_source\":null}");
	dom_free(d);
	d = dom_new("slow.example", NULL);
	st(d)->own = txt(d, "slow.example", SC_DNS_SERVFAIL, NULL);
	ev_assert_described(&sc_check_dmarc, d, "\"dmarc\":{\"status\":\"unverified\","
	               "\"organizational_domain\":\"slow.example\","
	               "\"record\":null,\"found_at\":null,\"policy\":null,"
	               "\"policy_source\":null}");
	dom_free(d);
	d = ev_domain(&ctx, "[192.0.2.1]");
	ev_assert_described(&sc_check_dmarc, d, "\"dmarc\":{\"status\":\"skipped\"}");
	ev_free(d);
}
END_TEST

/* Every id the check reports has a rule in rules/. */
START_TEST(test_ids_have_rules)
{
	struct sc_rules r;
	char err[256];
	const char *const *id;

	ck_assert_int_eq(sc_rules_load(test_rules_dir(), &r, err, sizeof(err)),
	                 SC_OK);
	for (id = sc_check_dmarc.ids; *id != NULL; id++)
		ck_assert_msg(sc_rules_find(&r, *id) != NULL, "no rule %s", *id);
	sc_rules_clear(&r);
}
END_TEST

/* Allocation failures in assess and describe: a failed flag or NULL,
 * never a crash or a leak. */
START_TEST(test_out_of_memory_assess)
{
	unsigned long n;
	int done = 0;

	for (n = 1; n < 200 && !done; n++) {
		struct sc_domain *d = dom_new("sub.org.example", "org.example");
		struct sc_hits h;
		json_t *j;
		unsigned long used;

		st(d)->own = txt(d, "sub.org.example", SC_DNS_NXDOMAIN, NULL);
		st(d)->org = txt(d, "org.example", SC_DNS_OK,
		                 "v=DMARC1; p=reject; sp=quarantine; pct=5; "
		                 "rua=mailto:a@v.example; x=\x01\xff");
		add_auth(d, "v.example", "org.example", SC_DNS_NODATA, NULL);
		memset(&h, 0, sizeof(h));
		sc_alloc_fail_at(n);
		sc_check_dmarc.assess(d, &h);
		j = sc_describe_json(&sc_check_dmarc, d);
		used = sc_alloc_count();
		sc_alloc_fail_at(0);
		if (used < n) {
			done = 1;
			ck_assert_int_eq(h.failed, 0);
			ck_assert_uint_eq(h.n, 3);
			ck_assert_ptr_nonnull(j);
		} else {
			ck_assert(h.failed || j == NULL);
		}
		json_decref(j);
		sc_hits_clear(&h);
		dom_free(d);
	}
	ck_assert(done);
}
END_TEST

/* A whole check through the engine, with allocation failures everywhere
 * (start, the lookups, clear).  The resolver on a closed port may take its
 * time to fail, so a short deadline ends each round: the lookups then end
 * as timeouts, which walks the dns.unverified paths as well. */
START_TEST(test_out_of_memory_walk)
{
	unsigned long n;
	int done = 0;

	for (n = 1; n < 5000 && !done; n++) {
		sc_ctx_t *c = NULL;
		sc_report_t *rep = NULL;
		unsigned long used;
		sc_status_t s;

		sc_alloc_fail_at(n);
		s = sc_ctx_new(&c);
		if (s == SC_OK)
			s = sc_ctx_set_rules_dir(c, test_rules_dir());
		if (s == SC_OK)
			s = sc_ctx_add_resolver(c, "127.0.0.1:9");
		if (s == SC_OK)
			s = sc_ctx_set_timeout_ms(c, 30);
		if (s == SC_OK)
			s = sc_check(c, "user@sub.example.com", &rep);
		used = sc_alloc_count();
		sc_alloc_fail_at(0);
		ck_assert_msg(s == SC_OK || s == SC_ENOMEM || s == SC_ERULES ||
		              s == SC_EDNS, "n=%lu: %d", n, s);
		if (s == SC_OK && used < n)
			done = 1;
		sc_report_free(rep);
		sc_ctx_free(c);
	}
	ck_assert(done);
}
END_TEST

Suite *dmarc_suite(void)
{
	Suite *s = suite_create("dmarc");
	TCase *tc = tcase_create("assess");
	TCase *oom = tcase_create("oom");

	tcase_add_test(tc, test_good);
	tcase_add_loop_test(tc, test_missing, 0, 2);
	tcase_add_test(tc, test_other_txt_is_missing);
	tcase_add_loop_test(tc, test_dns_failure_is_unverified, 0, 5);
	tcase_add_loop_test(tc, test_org_failure_is_unverified, 0, 2);
	tcase_add_test(tc, test_missing_with_fallback);
	tcase_add_test(tc, test_invalid_policy);
	tcase_add_test(tc, test_invalid_missing_p);
	tcase_add_test(tc, test_invalid_v_not_first);
	tcase_add_test(tc, test_multiple_records);
	tcase_add_test(tc, test_stray_txt_ignored);
	tcase_add_test(tc, test_policy_none);
	tcase_add_test(tc, test_partial);
	tcase_add_test(tc, test_testing_mode);
	tcase_add_test(tc, test_nonfatal_error);
	tcase_add_test(tc, test_subdomain_sp);
	tcase_add_test(tc, test_subdomain_p);
	tcase_add_test(tc, test_subdomain_own_record);
	tcase_add_test(tc, test_nonexistent_subdomain_np);
	tcase_add_test(tc, test_attempt_at_subdomain);
	tcase_add_loop_test(tc, test_rua_unauthorized, 0, 2);
	tcase_add_test(tc, test_rua_authorized);
	tcase_add_test(tc, test_rua_lookup_failed);
	tcase_add_test(tc, test_literal_and_unstarted);
	tcase_add_test(tc, test_describe_binary);
	tcase_add_test(tc, test_describe_text);
	tcase_add_test(tc, test_ids_have_rules);
	suite_add_tcase(s, tc);
	tcase_set_timeout(oom, 120);
	tcase_add_test(oom, test_out_of_memory_assess);
	tcase_add_test(oom, test_out_of_memory_walk);
	suite_add_tcase(s, oom);
	return s;
}
