/* The "ns" check on canned evidence: NS sets, the addresses of their
 * hosts, and what each address answered to the direct question. */
#include <check.h>
#include <stdio.h>

#include "evidence.h"
#include "ns.h"

static struct sc_ctx ctx;

static struct sc_domain *dom;
static struct sc_ns_state *st;

/* A job for x.example whose NS lookup answered with the given hosts (a
 * zone of the address's domain), or, with mx set, the zone of that MX
 * host's registrable domain. */
static struct sc_ns_zone *
zone(const char *name, const char *mx, int n, ...)
{
	struct sc_ns_zone *z = sc_calloc(1, sizeof(*z));
	va_list ap;
	int i;

	z->name = sc_strdup(name);
	z->mx = mx != NULL ? sc_strdup(mx) : NULL;
	z->ns = ev_lookup(dom, name, ns_t_ns, n > 0 ? SC_DNS_OK : SC_DNS_NODATA,
	                  0);
	z->ns->rr = sc_realloc(z->ns->rr, (size_t)(n ? n : 1) *
	                       sizeof(*z->ns->rr));
	va_start(ap, n);
	for (i = 0; i < n; i++) {
		const char *s = va_arg(ap, const char *);

		z->ns->rr[i].text = sc_strdup(s);
		z->ns->rr[i].len = strlen(s);
	}
	va_end(ap);
	z->ns->n = (size_t)n;
	*st->ztail = z;
	st->ztail = &z->next;
	st->nzone++;
	return z;
}

/* An NS host of z with its address lookups: "1.2.3.4" answers A,
 * "2001:db8::1" AAAA; NULL for a lookup that said NODATA. */
static struct sc_ns_host *
host(struct sc_ns_zone *z, const char *name, const char *v4, const char *v6)
{
	struct sc_ns_host *h = sc_calloc(1, sizeof(*h));

	h->zone = z;
	h->name = sc_strdup(name);
	h->addr = sc_calloc(SC_NS_MAX_ADDRS, sizeof(*h->addr));
	h->cap = SC_NS_MAX_ADDRS;
	h->a = v4 ? ev_lookup(dom, name, ns_t_a, SC_DNS_OK, 1, v4)
	          : ev_lookup(dom, name, ns_t_a, SC_DNS_NODATA, 0);
	h->aaaa = v6 ? ev_lookup(dom, name, ns_t_aaaa, SC_DNS_OK, 1, v6)
	             : ev_lookup(dom, name, ns_t_aaaa, SC_DNS_NODATA, 0);
	*st->htail = h;
	st->htail = &h->next;
	st->nhost++;
	return h;
}

/* h does not exist, nor does its registrable domain reg (proven unless
 * the caller changes it). */
static void
gone(struct sc_ns_host *h, const char *reg)
{
	h->a->outcome = h->aaaa->outcome = SC_DNS_NXDOMAIN;
	h->a->nx_proof = h->aaaa->nx_proof = SC_NX_PROVEN;
	h->regdom = sc_strdup(reg);
	h->regdom_ns = ev_lookup(dom, reg, ns_t_ns, SC_DNS_NXDOMAIN, 0);
}

/* What an address of h answered. */
static void
answered(struct sc_ns_host *h, const char *addr, enum sc_nsq_outcome o,
         const char *why)
{
	struct sc_ns_addr *a = &h->addr[h->naddr++];

	a->addr = sc_strdup(addr);
	a->queried = o != SC_NSQ_PENDING || why != NULL;
	a->res.outcome = o;
	a->res.rcode = -1;
	snprintf(a->res.why, sizeof(a->res.why), "%s", why ? why : "");
}

/* The nameserver of an MX host's zone answered with authority: the run
 * reaches nameservers as themselves, so lame answers are believed. */
static void
vouch(void)
{
	struct sc_ns_zone *z = zone("mx.example", "mx1.mx.example", 1,
	                            "ns.mx.example");

	answered(host(z, "ns.mx.example", "192.0.2.99", NULL), "192.0.2.99",
	         SC_NSQ_AUTH, "ok");
}

static void
setup(void)
{
	void **slot;

	memset(&ctx, 0, sizeof(ctx));
	dom = ev_domain(&ctx, "x.example");
	dom->regdom = sc_strdup("x.example");
	st = sc_calloc(1, sizeof(*st));
	st->ztail = &st->zones;
	st->htail = &st->hosts;
	st->port = 53;
	slot = sc_check_state(dom, &sc_check_ns);
	*slot = st;
	ev_root(dom, 1);
}

static void
teardown(void)
{
	sc_check_ns.clear(dom);
	ev_free(dom);
	sc_free(sc_check_ctx(&ctx, &sc_check_resolver));
}

static struct sc_hits
run(void)
{
	struct sc_hits h;

	memset(&h, 0, sizeof(h));
	sc_check_ns.assess(dom, &h);
	return h;
}

START_TEST(test_sound)
{
	struct sc_ns_zone *z = zone("x.example", NULL, 2, "ns1.dns.example",
	                            "ns2.dns.example");
	struct sc_ns_host *a = host(z, "ns1.dns.example", "192.0.2.1",
	                            "2001:db8::1");
	struct sc_ns_host *b = host(z, "ns2.dns.example", "192.0.2.2", NULL);
	struct sc_hits h;

	answered(a, "192.0.2.1", SC_NSQ_AUTH, "answered with authority");
	answered(a, "2001:db8::1", SC_NSQ_AUTH, "answered with authority");
	answered(b, "192.0.2.2", SC_NSQ_AUTH, "answered with authority");
	h = run();
	ck_assert_uint_eq(h.n, 0);
	sc_hits_clear(&h);
	ev_assert_described(&sc_check_ns, dom, "\"ns\":{\"port\":53,\"zones\":"
	    "[{\"zone\":\"x.example\",\"mx_host\":null,\"alias\":null,\"nameservers\":["
	    "{\"host\":\"ns1.dns.example\",\"status\":\"authoritative\","
	    "\"addresses\":[{\"address\":\"192.0.2.1\",\"answer\":"
	    "\"authoritative\",\"tcp\":false},{\"address\":\"2001:db8::1\","
	    "\"answer\":\"authoritative\",\"tcp\":false}]},"
	    "{\"host\":\"ns2.dns.example\",\"status\":\"authoritative\","
	    "\"addresses\":[{\"address\":\"192.0.2.2\",\"answer\":"
	    "\"authoritative\",\"tcp\":false}]}]}]}");
}
END_TEST

/* The host does not exist, nor does its registrable domain: anyone may
 * register it and answer for the zone. */
START_TEST(test_dangling)
{
	struct sc_ns_zone *z = zone("x.example", NULL, 2, "ns1.dns.example",
	                            "ns.gone.example");
	struct sc_ns_host *a = host(z, "ns1.dns.example", "192.0.2.1", NULL);
	struct sc_ns_host *b = host(z, "ns.gone.example", NULL, NULL);
	struct sc_hits h;
	const char *d;

	answered(a, "192.0.2.1", SC_NSQ_AUTH, "ok");
	gone(b, "gone.example");
	h = run();
	ck_assert_ptr_nonnull(d = ev_hit(&h, "ns.dangling"));
	ck_assert_ptr_nonnull(strstr(d, "nameserver ns.gone.example of "
	                             "x.example (the address's domain) lies in "
	                             "gone.example"));
	ck_assert_int_eq(sc_hits_missing(&h), 0);
	ck_assert_ptr_null(ev_hit(&h, "ns.unresolvable"));
	sc_hits_clear(&h);
}
END_TEST

/* "Does not exist" without its proof is not believed (resolver.h). */
START_TEST(test_dangling_unproven)
{
	struct sc_ns_zone *z = zone("x.example", NULL, 1, "ns.gone.example");
	struct sc_ns_host *b = host(z, "ns.gone.example", NULL, NULL);
	struct sc_hits h;

	gone(b, "gone.example");
	b->regdom_ns->nx_proof = SC_NX_NO_SOA;
	h = run();
	ck_assert_ptr_null(ev_hit(&h, "ns.dangling"));
	ck_assert_ptr_nonnull(ev_hit(&h, "dns.resolver_untrusted"));
	ck_assert_int_eq(sc_hits_missing(&h), 1);
	sc_hits_clear(&h);
}
END_TEST

/* A host that exists without an address, or that does not exist in a
 * domain that does: no resolver can ask it. */
START_TEST(test_unresolvable)
{
	struct sc_ns_zone *z = zone("x.example", NULL, 3, "ns1.dns.example",
	                            "ns2.x.example", "ns3.dns.example");
	struct sc_ns_host *a = host(z, "ns1.dns.example", "192.0.2.1", NULL);
	struct sc_ns_host *c;
	struct sc_hits h;
	size_t i, n = 0;

	answered(a, "192.0.2.1", SC_NSQ_AUTH, "ok");
	host(z, "ns2.x.example", NULL, NULL);
	c = host(z, "ns3.dns.example", NULL, NULL);
	c->a->outcome = c->aaaa->outcome = SC_DNS_NXDOMAIN;
	c->regdom = sc_strdup("dns.example");
	c->regdom_ns = ev_lookup(dom, "dns.example", ns_t_ns, SC_DNS_OK, 1,
	                         "ns1.dns.example");
	h = run();
	for (i = 0; i < h.n; i++)
		n += strcmp(h.hit[i].id, "ns.unresolvable") == 0;
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(h.n, 2);
	ck_assert_ptr_nonnull(strstr(ev_hit(&h, "ns.unresolvable"),
	                             "ns2.x.example"));
	sc_hits_clear(&h);
}
END_TEST

/* Definite non-answers count against the server, whatever the others
 * said: REFUSED, SERVFAIL, no AA. */
START_TEST(test_lame_answers)
{
	static const enum sc_nsq_outcome bad[] = {
		SC_NSQ_REFUSED, SC_NSQ_SERVFAIL, SC_NSQ_NOT_AUTH, SC_NSQ_RCODE,
		SC_NSQ_BADREPLY
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct sc_ns_zone *z;
		struct sc_ns_host *a;
		struct sc_hits h;

		teardown();
		setup();
		z = zone("x.example", NULL, 1, "ns1.dns.example");
		a = host(z, "ns1.dns.example", "192.0.2.1", "2001:db8::1");
		answered(a, "192.0.2.1", SC_NSQ_AUTH, "ok");
		answered(a, "2001:db8::1", bad[i], "THE REASON");
		h = run();
		ck_assert_ptr_nonnull(ev_hit(&h, "ns.lame"));
		ck_assert_ptr_nonnull(strstr(ev_hit(&h, "ns.lame"),
		                             "2001:db8::1 THE REASON"));
		ck_assert_ptr_nonnull(strstr(ev_hit(&h, "ns.lame"),
		                             "asked \"x.example SOA\" on port 53"));
		ck_assert_int_eq(sc_hits_missing(&h), 0);
		sc_hits_clear(&h);
	}
}
END_TEST

/* No answer is lame only when the network path is shown to work: another
 * nameserver of the zone answered, and no address of this one did. */
START_TEST(test_lame_silence)
{
	struct sc_ns_zone *z = zone("x.example", NULL, 3, "ns1.dns.example",
	                            "ns2.dns.example", "ns3.dns.example");
	struct sc_ns_host *a = host(z, "ns1.dns.example", "192.0.2.1", NULL);
	struct sc_ns_host *b = host(z, "ns2.dns.example", "192.0.2.2", NULL);
	struct sc_ns_host *c = host(z, "ns3.dns.example", "192.0.2.3",
	                            "2001:db8::3");
	struct sc_hits h;

	answered(a, "192.0.2.1", SC_NSQ_AUTH, "ok");
	answered(b, "192.0.2.2", SC_NSQ_TIMEOUT, "no answer to 3 tries");
	/* v4 answers, v6 is silent (a path of ours, maybe): not lame. */
	answered(c, "192.0.2.3", SC_NSQ_AUTH, "ok");
	answered(c, "2001:db8::3", SC_NSQ_TIMEOUT, "no answer");
	h = run();
	ck_assert_uint_eq(h.n, 1);
	ck_assert_ptr_nonnull(strstr(ev_hit(&h, "ns.lame"), "ns2.dns.example"));
	ck_assert_ptr_nonnull(strstr(ev_hit(&h, "ns.lame"),
	                             "while other nameservers of the zone "
	                             "answered"));
	sc_hits_clear(&h);
}
END_TEST

/* Every nameserver of the zone refused, and none of the run answered
 * with authority: something on our path may answer in their place (a
 * DNS proxy, a firewall); could not verify, never "lame".  Once another
 * server answers as itself, the refusals are believed. */
START_TEST(test_lame_not_believed)
{
	struct sc_ns_zone *z = zone("x.example", NULL, 2, "ns1.dns.example",
	                            "ns2.dns.example");
	struct sc_ns_host *a = host(z, "ns1.dns.example", "192.0.2.1", NULL);
	struct sc_ns_host *b = host(z, "ns2.dns.example", "192.0.2.2", NULL);
	struct sc_hits h;
	const char *d;
	char *json;

	answered(a, "192.0.2.1", SC_NSQ_REFUSED, "refused");
	/* Silent: an answer not believed proves no working path either. */
	answered(b, "192.0.2.2", SC_NSQ_TIMEOUT, "no answer to 3 tries");
	h = run();
	ck_assert_ptr_null(ev_hit(&h, "ns.lame"));
	ck_assert_ptr_nonnull(d = ev_hit(&h, "ns.unverified"));
	ck_assert_ptr_nonnull(strstr(d, "no nameserver of this run answered "
	                             "a direct question with authority"));
	ck_assert_int_eq(sc_hits_missing(&h), 1);
	ck_assert_uint_eq(h.n, 1);
	sc_hits_clear(&h);
	/* The report does not call it lame either. */
	ck_assert_ptr_nonnull(json = ev_described(&sc_check_ns, dom));
	ck_assert_ptr_null(strstr(json, "\"lame\""));
	sc_free(json);
	vouch();
	h = run();
	/* Both: the refusal is believed, and the silence now stands beside
	 * a believed answer. */
	ck_assert_uint_eq(h.n, 2);
	ck_assert_str_eq(h.hit[0].id, "ns.lame");
	ck_assert_str_eq(h.hit[1].id, "ns.lame");
	ck_assert_ptr_nonnull(strstr(h.hit[0].detail, "ns1.dns.example"));
	ck_assert_ptr_nonnull(strstr(h.hit[1].detail, "ns2.dns.example"));
	sc_hits_clear(&h);
	ck_assert_ptr_nonnull(json = ev_described(&sc_check_ns, dom));
	ck_assert_ptr_nonnull(strstr(json, "\"lame\""));
	sc_free(json);
}
END_TEST

/* What our own limits or path cut short says nothing about the server:
 * a question still in line at the deadline, one whose budget ran out,
 * TCP trouble after a truncated answer, one not sent from here.  With
 * another nameserver answering, such a server is could not verify, not
 * lame. */
START_TEST(test_cut_short_is_unknown)
{
	static const struct {
		enum sc_nsq_outcome o;
		int cut;
	} cases[] = {
		{ SC_NSQ_PENDING, 0 }, { SC_NSQ_TIMEOUT, 1 },
		{ SC_NSQ_UNREACHABLE, 1 }, { SC_NSQ_LOCAL, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sc_ns_zone *z;
		struct sc_ns_host *a, *b;
		struct sc_hits h;
		const char *d;

		teardown();
		setup();
		z = zone("x.example", NULL, 2, "ns1.dns.example",
		         "ns2.dns.example");
		a = host(z, "ns1.dns.example", "192.0.2.1", NULL);
		b = host(z, "ns2.dns.example", "192.0.2.2", NULL);
		answered(a, "192.0.2.1", SC_NSQ_AUTH, "ok");
		answered(b, "192.0.2.2", cases[i].o, "OUR LIMIT");
		b->addr[0].res.cut = cases[i].cut;
		h = run();
		ck_assert_msg(ev_hit(&h, "ns.lame") == NULL, "case %zu", i);
		ck_assert_ptr_nonnull(d = ev_hit(&h, "ns.unverified"));
		ck_assert_ptr_nonnull(strstr(d, "nameserver ns2.dns.example of "
		                             "x.example"));
		ck_assert_ptr_nonnull(strstr(d, "could not be judged"));
		ck_assert_ptr_nonnull(strstr(d, "192.0.2.2: "));
		ck_assert_int_eq(sc_hits_missing(&h), 1);
		sc_hits_clear(&h);
	}
}
END_TEST

/* Silence is lame only where another nameserver answered over the same
 * family: an IPv6-only nameserver silent while the others answered over
 * IPv4 alone may be our IPv6 path's fault. */
START_TEST(test_silence_same_family)
{
	struct sc_ns_zone *z = zone("x.example", NULL, 2, "ns1.dns.example",
	                            "ns2.dns.example");
	struct sc_ns_host *a = host(z, "ns1.dns.example", "192.0.2.1", NULL);
	struct sc_ns_host *b = host(z, "ns2.dns.example", NULL, "2001:db8::2");
	struct sc_hits h;

	answered(a, "192.0.2.1", SC_NSQ_AUTH, "ok");
	answered(b, "2001:db8::2", SC_NSQ_TIMEOUT, "no answer to 3 tries");
	h = run();
	ck_assert_ptr_null(ev_hit(&h, "ns.lame"));
	ck_assert_ptr_nonnull(ev_hit(&h, "ns.unverified"));
	sc_hits_clear(&h);
	/* ns1 answers over IPv6 too: the path works, the silence is ns2's. */
	a->aaaa = ev_lookup(dom, "ns1.dns.example", ns_t_aaaa, SC_DNS_OK, 1,
	                    "2001:db8::1");
	answered(a, "2001:db8::1", SC_NSQ_AUTH, "ok");
	h = run();
	ck_assert_ptr_nonnull(strstr(ev_hit(&h, "ns.lame"), "2001:db8::2: no "
	                             "answer to 3 tries, while other "
	                             "nameservers of the zone answered"));
	ck_assert_ptr_null(ev_hit(&h, "ns.unverified"));
	sc_hits_clear(&h);
}
END_TEST

/* Nothing of the zone answered: could not verify, never "lame". */
START_TEST(test_unverified)
{
	struct sc_ns_zone *z = zone("x.example", NULL, 2, "ns1.dns.example",
	                            "ns2.dns.example");
	struct sc_ns_host *a = host(z, "ns1.dns.example", "192.0.2.1", NULL);
	struct sc_ns_host *b = host(z, "ns2.dns.example", "192.0.2.2", NULL);
	struct sc_hits h;
	const char *d;

	answered(a, "192.0.2.1", SC_NSQ_UNREACHABLE, "Connection refused");
	answered(b, "192.0.2.2", SC_NSQ_PENDING, "");
	h = run();
	ck_assert_ptr_null(ev_hit(&h, "ns.lame"));
	ck_assert_ptr_nonnull(d = ev_hit(&h, "ns.unverified"));
	ck_assert_ptr_nonnull(strstr(d, "none of the 2 nameserver addresses "
	                             "of x.example"));
	ck_assert_int_eq(sc_hits_missing(&h), 1);
	sc_hits_clear(&h);
}
END_TEST

/* Addresses not asked (private, reserved) say nothing either way. */
START_TEST(test_not_asked)
{
	struct sc_ns_zone *z = zone("x.example", NULL, 1, "ns1.dns.example");
	struct sc_ns_host *a = host(z, "ns1.dns.example", "10.0.0.1", NULL);
	struct sc_hits h;

	answered(a, "10.0.0.1", SC_NSQ_PENDING, NULL);
	h = run();
	ck_assert_uint_eq(h.n, 0);
	sc_hits_clear(&h);
	ev_assert_described(&sc_check_ns, dom, "\"ns\":{\"port\":53,\"zones\":"
	    "[{\"zone\":\"x.example\",\"mx_host\":null,\"alias\":null,\"nameservers\":["
	    "{\"host\":\"ns1.dns.example\",\"status\":\"not_asked\","
	    "\"addresses\":[{\"address\":\"10.0.0.1\",\"answer\":"
	    "\"not_asked\",\"tcp\":false}]}]}]}");
}
END_TEST

/* The NS lookup failed: could not verify, with the resolver named. */
START_TEST(test_ns_lookup_failed)
{
	struct sc_ns_zone *z = zone("x.example", NULL, 0);
	struct sc_hits h;

	z->ns->outcome = SC_DNS_TIMEOUT;
	h = run();
	ck_assert_ptr_nonnull(strstr(ev_hit(&h, "dns.unverified"),
	                             "the NS lookup of x.example failed "
	                             "(timeout)"));
	sc_hits_clear(&h);
}
END_TEST

/* A name that is a CNAME is no zone apex: the NS records the resolver
 * followed it to belong to the target's zone, whose servers would refuse
 * "NAME SOA" (all lame).  Its registrable domain's NS set is judged. */
START_TEST(test_cname_is_no_apex)
{
	struct sc_ns_zone *z = zone("mail.x.example", NULL, 1,
	                            "ns1.other.example");

	z->ns->cname = 1;
	ck_assert_ptr_null(sc_ns_zone_apex(z));
	z->parent = ev_lookup(dom, "x.example", ns_t_ns, SC_DNS_OK, 1,
	                      "ns1.dns.example");
	ck_assert_str_eq(sc_ns_zone_apex(z), "x.example");
	z->ns->cname = 0;
	ck_assert_str_eq(sc_ns_zone_apex(z), "mail.x.example");
}
END_TEST

/* The alias's target zone is judged as well: whoever answers for it
 * answers for the mail (on_ns adds it); its findings say whose it is. */
START_TEST(test_alias_target_zone)
{
	struct sc_ns_zone *z = zone("x.provider.example", NULL, 1,
	                            "ns1.provider.example");
	struct sc_ns_host *a = host(z, "ns1.provider.example", "192.0.2.1",
	                            NULL);
	struct sc_hits h;
	char *json;

	z->alias = sc_strdup("x.example");
	answered(a, "192.0.2.1", SC_NSQ_REFUSED, "refused");
	vouch();
	h = run();
	ck_assert_ptr_nonnull(strstr(ev_hit(&h, "ns.lame"),
	                             "of x.provider.example (the zone of "
	                             "x.provider.example, which x.example is "
	                             "an alias of)"));
	sc_hits_clear(&h);
	ck_assert_ptr_nonnull(json = ev_described(&sc_check_ns, dom));
	ck_assert_ptr_nonnull(strstr(json, "\"alias\":\"x.example\""));
	sc_free(json);
}
END_TEST

/* No NS at the name (not a zone apex): its registrable domain's NS set
 * is the one judged; none there either: nothing to say. */
START_TEST(test_parent_zone)
{
	struct sc_ns_zone *z = zone("mail.x.example", NULL, 0);
	struct sc_ns_host *a;
	struct sc_hits h;

	sc_free(dom->name);
	dom->name = sc_strdup("mail.x.example");
	z->parent = ev_lookup(dom, "x.example", ns_t_ns, SC_DNS_OK, 1,
	                      "ns1.dns.example");
	a = host(z, "ns1.dns.example", "192.0.2.1", NULL);
	answered(a, "192.0.2.1", SC_NSQ_REFUSED, "refused");
	vouch();
	ck_assert_str_eq(sc_ns_zone_apex(z), "x.example");
	h = run();
	ck_assert_ptr_nonnull(strstr(ev_hit(&h, "ns.lame"),
	                             "of x.example (the zone of the address's "
	                             "domain)"));
	sc_hits_clear(&h);
	z->parent = ev_lookup(dom, "x.example", ns_t_ns, SC_DNS_NODATA, 0);
	ck_assert_ptr_null(sc_ns_zone_apex(z));
	h = run();
	ck_assert_uint_eq(h.n, 0);
	sc_hits_clear(&h);
}
END_TEST

/* The zone of an MX host: the detail says whose. */
START_TEST(test_mx_zone)
{
	struct sc_ns_zone *z = zone("mailer.example", "mx.mailer.example", 1,
	                            "ns.gone.example");
	struct sc_ns_host *b = host(z, "ns.gone.example", NULL, NULL);
	struct sc_hits h;

	gone(b, "gone.example");
	h = run();
	ck_assert_ptr_nonnull(strstr(ev_hit(&h, "ns.dangling"),
	                             "of mailer.example (the zone of MX host "
	                             "mx.mailer.example)"));
	sc_hits_clear(&h);
}
END_TEST

Suite *ns_suite(void)
{
	Suite *s = suite_create("ns");
	TCase *t = tcase_create("assess");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, test_sound);
	tcase_add_test(t, test_dangling);
	tcase_add_test(t, test_dangling_unproven);
	tcase_add_test(t, test_unresolvable);
	tcase_add_test(t, test_lame_answers);
	tcase_add_test(t, test_lame_silence);
	tcase_add_test(t, test_lame_not_believed);
	tcase_add_test(t, test_cut_short_is_unknown);
	tcase_add_test(t, test_silence_same_family);
	tcase_add_test(t, test_unverified);
	tcase_add_test(t, test_not_asked);
	tcase_add_test(t, test_ns_lookup_failed);
	tcase_add_test(t, test_parent_zone);
	tcase_add_test(t, test_cname_is_no_apex);
	tcase_add_test(t, test_alias_target_zone);
	tcase_add_test(t, test_mx_zone);
	suite_add_tcase(s, t);
	return s;
}
