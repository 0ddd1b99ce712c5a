/* The "mx" check on canned evidence. */
#include <check.h>

#include "evidence.h"

static struct sc_ctx ctx;

static struct sc_hits
run(struct sc_domain *dom)
{
	struct sc_hits h;

	memset(&h, 0, sizeof(h));
	sc_check_mx.assess(dom, &h);
	return h;
}

static struct sc_domain *
with_mx(const char *host)
{
	struct sc_domain *d = ev_domain(&ctx, "x.example");

	d->regdom = sc_strdup("x.example");
	d->mx = ev_lookup(d, "x.example", ns_t_mx, SC_DNS_OK, 1, host);
	return d;
}

START_TEST(test_public_host_is_fine)
{
	struct sc_domain *d = with_mx("10 mx.x.example");
	struct sc_mxhost *m = ev_host(d, "mx.x.example", 10);
	struct sc_hits h;

	m->a = ev_lookup(d, "mx.x.example", ns_t_a, SC_DNS_OK, 1, "8.8.8.8");
	m->aaaa = ev_lookup(d, "mx.x.example", ns_t_aaaa, SC_DNS_NODATA, 0);
	h = run(d);
	ck_assert_int_eq(h.n, 0);
	sc_hits_clear(&h);
	ev_free(d);
}
END_TEST

START_TEST(test_dangling_host)
{
	struct sc_domain *d = with_mx("10 mx.x.example");
	struct sc_mxhost *m = ev_host(d, "mx.x.example", 10);
	struct sc_hits h;

	m->a = ev_lookup(d, "mx.x.example", ns_t_a, SC_DNS_NXDOMAIN, 0);
	m->aaaa = ev_lookup(d, "mx.x.example", ns_t_aaaa, SC_DNS_NXDOMAIN, 0);
	ev_root(d, 1);
	h = run(d);
	ck_assert_ptr_nonnull(ev_hit(&h, "mx.dangling"));
	ck_assert_int_eq(sc_hits_missing(&h), 0);
	sc_hits_clear(&h);
	ev_free(d);
}
END_TEST

/* An MX host "does not exist" only on an answer that proves it. */
START_TEST(test_dangling_unproven)
{
	struct sc_domain *d = with_mx("10 mx.x.example");
	struct sc_mxhost *m = ev_host(d, "mx.x.example", 10);
	struct sc_hits h;

	m->a = ev_lookup(d, "mx.x.example", ns_t_a, SC_DNS_NXDOMAIN, 0);
	m->aaaa = ev_lookup(d, "mx.x.example", ns_t_aaaa, SC_DNS_NXDOMAIN, 0);
	m->a->nx_proof = m->aaaa->nx_proof = SC_NX_NO_SOA;
	ev_root(d, 1);
	h = run(d);
	ck_assert_ptr_null(ev_hit(&h, "mx.dangling"));
	ck_assert_ptr_nonnull(strstr(ev_hit(&h, "dns.resolver_untrusted"),
	                             "mx.x.example"));
	ck_assert_int_eq(sc_hits_missing(&h), 1);
	sc_hits_clear(&h);
	ev_free(d);
}
END_TEST

START_TEST(test_dangling_registrable)
{
	struct sc_domain *d = with_mx("10 mail.lapsed.example");
	struct sc_mxhost *m = ev_host(d, "mail.lapsed.example", 10);
	struct sc_hits h;

	m->regdom = sc_strdup("lapsed.example");
	m->a = ev_lookup(d, "mail.lapsed.example", ns_t_a, SC_DNS_NXDOMAIN, 0);
	m->aaaa = ev_lookup(d, "mail.lapsed.example", ns_t_aaaa,
	                    SC_DNS_NXDOMAIN, 0);
	m->regdom_ns = ev_lookup(d, "lapsed.example", ns_t_ns, SC_DNS_NXDOMAIN,
	                         0);
	ev_root(d, 1);
	h = run(d);
	ck_assert_ptr_nonnull(strstr(ev_hit(&h, "mx.dangling"),
	                             "whoever registers lapsed.example"));
	sc_hits_clear(&h);
	ev_free(d);
}
END_TEST

START_TEST(test_host_timeout_is_unverified)
{
	struct sc_domain *d = with_mx("10 mx.x.example");
	struct sc_mxhost *m = ev_host(d, "mx.x.example", 10);
	struct sc_hits h;

	m->a = ev_lookup(d, "mx.x.example", ns_t_a, SC_DNS_TIMEOUT, 0);
	m->aaaa = ev_lookup(d, "mx.x.example", ns_t_aaaa, SC_DNS_NXDOMAIN, 0);
	h = run(d);
	ck_assert_ptr_null(ev_hit(&h, "mx.dangling"));
	ck_assert_ptr_nonnull(ev_hit(&h, "dns.unverified"));
	ck_assert_int_eq(sc_hits_missing(&h), 1);
	sc_hits_clear(&h);
	ev_free(d);
}
END_TEST

static const char *const private_addr[] = {
	"10.1.2.3", "192.168.1.5", "172.16.0.1", "169.254.1.1", "100.64.0.1",
	"192.0.2.1", "0.0.0.0", "224.0.0.1", "fd00::1", "fe80::1", "::",
	"::ffff:10.0.0.1", "2001:db8::25", "127.0.0.1", "::1",
};

START_TEST(test_private_addresses)
{
	struct sc_domain *d = with_mx("10 mx.x.example");
	struct sc_mxhost *m = ev_host(d, "mx.x.example", 10);
	struct sc_hits h;

	m->a = ev_lookup(d, "mx.x.example", ns_t_a, SC_DNS_OK, 1,
	                 private_addr[_i]);
	h = run(d);
	ck_assert_msg(ev_hit(&h, "mx.private_address") != NULL, "%s",
	              private_addr[_i]);
	sc_hits_clear(&h);
	ev_free(d);
}
END_TEST

START_TEST(test_loopback_allowed_in_labs)
{
	struct sc_ctx lab;
	struct sc_domain *d;
	struct sc_mxhost *m;
	struct sc_hits h;

	memset(&lab, 0, sizeof(lab));
	lab.allow_loopback = 1;
	d = ev_domain(&lab, "x.example");
	m = ev_host(d, "mx.x.example", 10);
	m->a = ev_lookup(d, "mx.x.example", ns_t_a, SC_DNS_OK, 1, "127.0.0.9");
	m->aaaa = ev_lookup(d, "mx.x.example", ns_t_aaaa, SC_DNS_OK, 1, "::1");
	memset(&h, 0, sizeof(h));
	sc_check_mx.assess(d, &h);
	ck_assert_int_eq(h.n, 0);
	sc_hits_clear(&h);
	ev_free(d);
}
END_TEST

/* Without MX the domain's own address is the mail server. */
START_TEST(test_implicit_mx_private)
{
	struct sc_domain *d = ev_domain(&ctx, "x.example");
	struct sc_hits h;

	d->mx = ev_lookup(d, "x.example", ns_t_mx, SC_DNS_NODATA, 0);
	d->a = ev_lookup(d, "x.example", ns_t_a, SC_DNS_OK, 1, "10.0.0.1");
	h = run(d);
	ck_assert_ptr_nonnull(ev_hit(&h, "mx.private_address"));
	sc_hits_clear(&h);
	ev_free(d);
}
END_TEST

Suite *mx_suite(void)
{
	Suite *s = suite_create("mx");
	TCase *tc = tcase_create("assess");

	tcase_add_test(tc, test_public_host_is_fine);
	tcase_add_test(tc, test_dangling_host);
	tcase_add_test(tc, test_dangling_unproven);
	tcase_add_test(tc, test_dangling_registrable);
	tcase_add_test(tc, test_host_timeout_is_unverified);
	tcase_add_loop_test(tc, test_private_addresses, 0,
	                    (int)SC_ARRAY_LEN(private_addr));
	tcase_add_test(tc, test_loopback_allowed_in_labs);
	tcase_add_test(tc, test_implicit_mx_private);
	suite_add_tcase(s, tc);
	return s;
}
