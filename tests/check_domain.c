/* The "domain" check on canned evidence. */
#include <check.h>

#include "evidence.h"

static struct sc_ctx ctx;

static struct sc_hits
run(struct sc_domain *dom)
{
	struct sc_hits h;

	memset(&h, 0, sizeof(h));
	sc_check_domain.assess(dom, &h);
	return h;
}

START_TEST(test_nxdomain)
{
	struct sc_domain *d = ev_domain(&ctx, "gone.example");
	struct sc_hits h;

	d->mx = ev_lookup(d, "gone.example", ns_t_mx, SC_DNS_NXDOMAIN, 0);
	ev_root(d, 1);
	h = run(d);
	ck_assert_ptr_nonnull(ev_hit(&h, "domain.nxdomain"));
	ck_assert_int_eq(h.n, 1);
	ck_assert_int_eq(sc_hits_missing(&h), 0);
	sc_hits_clear(&h);
	ev_free(d);
}
END_TEST

/* The resolver is checked before it is believed: an NXDOMAIN without
 * the SOA that proves it, with the SOA of a zone that does not hold the
 * name (an RPZ policy zone), or from a resolver that does not answer the
 * root is no evidence that the domain is gone. */
START_TEST(test_nxdomain_unproven)
{
	static const struct {
		enum sc_nx_proof proof;
		const char *zone;
		int root;
		const char *says;
	} c[] = {
		{ SC_NX_NO_SOA, NULL, 1, "without the SOA" },
		{ SC_NX_FOREIGN_SOA, "rpz.local", 1, "SOA of rpz.local" },
		{ SC_NX_PROVEN, "example", 0, "root's NS query" },
		{ SC_NX_PROVEN, "example", -1, "did not answer" },
	};
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct sc_domain *d = ev_domain(&ctx, "gone.example");
		struct sc_hits h;
		const char *detail;

		d->mx = ev_lookup(d, "gone.example", ns_t_mx, SC_DNS_NXDOMAIN,
		                  0);
		d->mx->nx_proof = c[i].proof;
		d->mx->nx_zone = c[i].zone ? sc_strdup(c[i].zone) : NULL;
		if (c[i].root >= 0)
			ev_root(d, c[i].root);
		sc_checks_ctx_free(&ctx, 0); /* the count starts again */
		h = run(d);
		ck_assert_ptr_null(ev_hit(&h, "domain.nxdomain"));
		detail = ev_hit(&h, "dns.resolver_untrusted");
		ck_assert_ptr_nonnull(detail);
		ck_assert_ptr_nonnull(strstr(detail, c[i].says));
		ck_assert_ptr_nonnull(strstr(detail, "gone.example"));
		ck_assert_int_eq(sc_hits_missing(&h), 1);
		/* Said once for the run, too. */
		ck_assert_ptr_nonnull(sc_ctx_notice(&ctx, 0));
		ck_assert_ptr_nonnull(strstr(sc_ctx_notice(&ctx, 0),
		                             "without proof 1 time "));
		ck_assert_ptr_null(sc_ctx_notice(&ctx, 1));
		sc_hits_clear(&h);
		ev_free(d);
	}
	sc_checks_ctx_free(&ctx, 0);
}
END_TEST

START_TEST(test_nxdomain_registrable_gone)
{
	struct sc_domain *d = ev_domain(&ctx, "mail.gone.example");
	struct sc_hits h;

	d->regdom = sc_strdup("gone.example");
	d->mx = ev_lookup(d, "mail.gone.example", ns_t_mx, SC_DNS_NXDOMAIN, 0);
	d->regdom_ns = ev_lookup(d, "gone.example", ns_t_ns, SC_DNS_NXDOMAIN, 0);
	ev_root(d, 1);
	h = run(d);
	ck_assert_ptr_nonnull(strstr(ev_hit(&h, "domain.nxdomain"),
	                             "anyone may register"));
	sc_hits_clear(&h);
	ev_free(d);
}
END_TEST

START_TEST(test_null_mx)
{
	struct sc_domain *d = ev_domain(&ctx, "nullmx.example");
	struct sc_hits h;

	d->mx = ev_lookup(d, "nullmx.example", ns_t_mx, SC_DNS_OK, 1, "0 ");
	h = run(d);
	ck_assert_ptr_nonnull(ev_hit(&h, "domain.null_mx"));
	sc_hits_clear(&h);
	ev_free(d);
}
END_TEST

/* MX records that all name the root, with other preferences than a
 * null MX's 0 (a typo'd null MX, or two of them): no host, so no mail;
 * one real host among them takes mail. */
START_TEST(test_mx_only_root)
{
	struct sc_domain *d = ev_domain(&ctx, "rootmx.example");
	struct sc_hits h;

	d->mx = ev_lookup(d, "rootmx.example", ns_t_mx, SC_DNS_OK, 2, "10 .",
	                  "20 ");
	h = run(d);
	ck_assert_ptr_null(ev_hit(&h, "domain.null_mx"));
	ck_assert_ptr_nonnull(ev_hit(&h, "domain.no_mail"));
	ck_assert_ptr_nonnull(strstr(ev_hit(&h, "domain.no_mail"),
	                             "names the root"));
	ck_assert(!sc_domain_takes_mail(d));
	sc_hits_clear(&h);
	ev_free(d);

	d = ev_domain(&ctx, "rootmx.example");
	d->mx = ev_lookup(d, "rootmx.example", ns_t_mx, SC_DNS_OK, 2, "10 .",
	                  "20 mx.rootmx.example");
	h = run(d);
	ck_assert_int_eq(h.n, 0);
	ck_assert(sc_domain_takes_mail(d));
	sc_hits_clear(&h);
	ev_free(d);
}
END_TEST

/* A preference-0 MX with a real host is not a null MX. */
START_TEST(test_pref0_is_not_null_mx)
{
	struct sc_domain *d = ev_domain(&ctx, "pref0.example");
	struct sc_hits h;

	d->mx = ev_lookup(d, "pref0.example", ns_t_mx, SC_DNS_OK, 1,
	                  "0 mx.pref0.example");
	h = run(d);
	ck_assert_int_eq(h.n, 0);
	sc_hits_clear(&h);
	ev_free(d);
}
END_TEST

START_TEST(test_implicit_mx)
{
	struct sc_domain *d = ev_domain(&ctx, "implicit.example");
	struct sc_hits h;

	d->mx = ev_lookup(d, "implicit.example", ns_t_mx, SC_DNS_NODATA, 0);
	d->a = ev_lookup(d, "implicit.example", ns_t_a, SC_DNS_OK, 1,
	                 "192.0.2.7");
	d->aaaa = ev_lookup(d, "implicit.example", ns_t_aaaa, SC_DNS_NODATA, 0);
	h = run(d);
	ck_assert_ptr_nonnull(ev_hit(&h, "domain.implicit_mx"));
	ck_assert_ptr_null(ev_hit(&h, "domain.no_mail"));
	sc_hits_clear(&h);
	ev_free(d);
}
END_TEST

START_TEST(test_no_mail)
{
	struct sc_domain *d = ev_domain(&ctx, "nomail.example");
	struct sc_hits h;

	d->mx = ev_lookup(d, "nomail.example", ns_t_mx, SC_DNS_NODATA, 0);
	d->a = ev_lookup(d, "nomail.example", ns_t_a, SC_DNS_NODATA, 0);
	d->aaaa = ev_lookup(d, "nomail.example", ns_t_aaaa, SC_DNS_NODATA, 0);
	h = run(d);
	ck_assert_ptr_nonnull(ev_hit(&h, "domain.no_mail"));
	sc_hits_clear(&h);
	ev_free(d);
}
END_TEST

/* Missing evidence never counts as good: a timeout is not "no record". */
START_TEST(test_timeout_is_unverified)
{
	static const sc_dns_outcome_t bad[] = { SC_DNS_TIMEOUT, SC_DNS_SERVFAIL,
	                                        SC_DNS_REFUSED, SC_DNS_ERROR };
	struct sc_domain *d = ev_domain(&ctx, "slow.example");
	struct sc_hits h;

	d->mx = ev_lookup(d, "slow.example", ns_t_mx, bad[_i], 0);
	h = run(d);
	ck_assert_int_eq(h.n, 1);
	ck_assert_ptr_nonnull(ev_hit(&h, "dns.unverified"));
	ck_assert_int_eq(sc_hits_missing(&h), 1);
	sc_hits_clear(&h);
	ev_free(d);
}
END_TEST

START_TEST(test_no_mx_and_address_timeout)
{
	struct sc_domain *d = ev_domain(&ctx, "half.example");
	struct sc_hits h;

	d->mx = ev_lookup(d, "half.example", ns_t_mx, SC_DNS_NODATA, 0);
	d->a = ev_lookup(d, "half.example", ns_t_a, SC_DNS_TIMEOUT, 0);
	d->aaaa = ev_lookup(d, "half.example", ns_t_aaaa, SC_DNS_NODATA, 0);
	h = run(d);
	ck_assert_ptr_nonnull(ev_hit(&h, "dns.unverified"));
	ck_assert_ptr_null(ev_hit(&h, "domain.no_mail"));
	ck_assert_int_eq(sc_hits_missing(&h), 1);
	sc_hits_clear(&h);
	ev_free(d);
}
END_TEST

START_TEST(test_healthy)
{
	struct sc_domain *d = ev_domain(&ctx, "good.example");
	struct sc_hits h;

	d->mx = ev_lookup(d, "good.example", ns_t_mx, SC_DNS_OK, 2,
	                  "10 mx1.good.example", "20 mx2.good.example");
	h = run(d);
	ck_assert_int_eq(h.n, 0);
	sc_hits_clear(&h);
	ev_free(d);
}
END_TEST

/* Names no one can register: whatever their MX lookup said (NXDOMAIN
 * from the root, an answer from a resolver that knows localhost), the
 * finding says what they are, not that "anyone may register" them.  A
 * private suffix (blogspot.com) and an ordinary gone domain keep
 * domain.nxdomain. */
START_TEST(test_unregistrable)
{
	static const struct {
		const char *name;
		const char *says;   /* NULL: not unregistrable */
	} v[] = {
		{ "localhost", "single label" },
		{ "123", "single label" },
		{ "1.2.3.4", "all-digit label" },
		{ "mail.example.42", "all-digit label" },
		{ "com", "public suffix" },
		{ "co.uk", "public suffix" },
		{ "blogspot.com", NULL },
		{ "gone.example", NULL },
		{ "4.example", NULL },
	};
	size_t i;
	int k;

	ctx.psl = psl_latest(NULL);
	ck_assert_ptr_nonnull(ctx.psl);
	for (i = 0; i < SC_ARRAY_LEN(v); i++)
		for (k = 0; k < 2; k++) {
			struct sc_domain *d = ev_domain(&ctx, v[i].name);
			struct sc_hits h;
			const char *det;

			ev_root(d, 1); /* an honest resolver */
			d->mx = k == 0 ? ev_lookup(d, v[i].name, ns_t_mx,
			                           SC_DNS_NXDOMAIN, 0)
			               : ev_lookup(d, v[i].name, ns_t_mx,
			                           SC_DNS_OK, 1, "10 mx.example");
			h = run(d);
			det = ev_hit(&h, "domain.unregistrable");
			if (v[i].says == NULL) {
				ck_assert_msg(det == NULL, "%s: %s", v[i].name, det);
				ck_assert(k == 1 ||
				          ev_hit(&h, "domain.nxdomain") != NULL);
			} else {
				ck_assert_msg(det != NULL && strstr(det, v[i].says),
				              "%s: %s", v[i].name, det ? det : "none");
				ck_assert_ptr_null(ev_hit(&h, "domain.nxdomain"));
				ck_assert_int_eq(h.n, 1);
			}
			sc_hits_clear(&h);
			ev_free(d);
		}
	psl_free(ctx.psl);
	ctx.psl = NULL;
}
END_TEST

Suite *domain_suite(void)
{
	Suite *s = suite_create("domain");
	TCase *tc = tcase_create("assess");

	tcase_add_test(tc, test_nxdomain);
	tcase_add_test(tc, test_nxdomain_unproven);
	tcase_add_test(tc, test_nxdomain_registrable_gone);
	tcase_add_test(tc, test_null_mx);
	tcase_add_test(tc, test_pref0_is_not_null_mx);
	tcase_add_test(tc, test_mx_only_root);
	tcase_add_test(tc, test_implicit_mx);
	tcase_add_test(tc, test_no_mail);
	tcase_add_loop_test(tc, test_timeout_is_unverified, 0, 4);
	tcase_add_test(tc, test_no_mx_and_address_timeout);
	tcase_add_test(tc, test_healthy);
	tcase_add_test(tc, test_unregistrable);
	suite_add_tcase(s, tc);
	return s;
}
