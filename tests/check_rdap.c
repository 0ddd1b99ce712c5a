/* The "rdap" check on canned evidence: what registries answered for the
 * registrable domains of a job (its items), judged against the
 * thresholds; and the enrollment date of one address. */
#include <arpa/nameser.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "dnsfake.h"
#include "evidence.h"
#include "rdap.h"
#include "testutil.h"

#define DAY 86400LL
#define NOW 1800000000LL /* 2027-01-15T08:00:00Z, the items' "now" */

static struct sc_ctx ctx;
static struct sc_domain *dom;
static struct sc_rdap_state *st;

static void
setup(void)
{
	memset(&ctx, 0, sizeof(ctx));
	dom = ev_domain(&ctx, "x.example");
	dom->regdom = sc_strdup("x.example");
	st = sc_calloc(1, sizeof(*st));
	sc_rdap_limits_default(&st->lim);
	snprintf(st->bootstrap, sizeof(st->bootstrap), "2026-01-30T00:00:01Z");
	*sc_check_state(dom, &sc_check_rdap) = st;
}

static void
teardown(void)
{
	sc_check_rdap.clear(dom);
	ev_free(dom);
}

/* An answered item: registered and expiring relative to NOW (days), and
 * its statuses ("" for a registry that lists none). */
static struct sc_rdap_item *
item(const char *name, enum sc_rdap_role role, const char *via,
     long long reg_days, long long exp_days, unsigned status,
     const char *statuses)
{
	struct sc_rdap_item *it = st->item[st->n++] =
	    sc_calloc(1, sizeof(*it));

	it->name = sc_strdup(name);
	it->role = role;
	it->via = via != NULL ? sc_strdup(via) : NULL;
	it->settled = it->ok = 1;
	it->at = NOW;
	it->url = sc_strdup("https://rdap.example/domain/x");
	it->rd.has_registered = 1;
	it->rd.registered = NOW + reg_days * DAY;
	it->rd.has_expires = 1;
	it->rd.expires = NOW + exp_days * DAY;
	it->rd.status = status;
	it->rd.nstatus = statuses[0] != '\0';
	snprintf(it->rd.statuses, sizeof(it->rd.statuses), "%s", statuses);
	snprintf(it->rd.ldh_name, sizeof(it->rd.ldh_name), "%s", name);
	return it;
}

/* A sound registration: old, a year ahead, locked. */
static struct sc_rdap_item *
sound(const char *name, enum sc_rdap_role role, const char *via)
{
	return item(name, role, via, -3650, 365, SC_RDAP_CLIENT_XFER_LOCK,
	            "client transfer prohibited");
}

static struct sc_hits
run(void)
{
	struct sc_hits h;

	memset(&h, 0, sizeof(h));
	sc_check_rdap.assess(dom, &h);
	return h;
}

static size_t
count(const struct sc_hits *h, const char *id)
{
	size_t i, n = 0;

	for (i = 0; i < h->n; i++)
		n += strcmp(h->hit[i].id, id) == 0;
	return n;
}

START_TEST(test_sound)
{
	struct sc_hits h;

	sound("x.example", SC_RDAP_ADDRESS, NULL);
	sound("dns.example", SC_RDAP_NS, "ns1.dns.example");
	h = run();
	ck_assert_uint_eq(h.n, 0);
	sc_hits_clear(&h);
	ev_assert_described(&sc_check_rdap, dom, "\"rdap\":{\"bootstrap\":"
	    "\"2026-01-30T00:00:01Z\",\"domains\":[{\"domain\":\"x.example\","
	    "\"role\":\"address\",\"host\":null,\"url\":"
	    "\"https://rdap.example/domain/x\",\"status\":\"client transfer "
	    "prohibited\",\"registered\":\"2017-01-17T08:00:00Z\",\"expires\":"
	    "\"2028-01-15T08:00:00Z\",\"transfer_locked\":true,\"error\":null},"
	    "{\"domain\":\"dns.example\",\"role\":\"ns\",\"host\":"
	    "\"ns1.dns.example\",\"url\":\"https://rdap.example/domain/x\","
	    "\"status\":\"client transfer prohibited\",\"registered\":"
	    "\"2017-01-17T08:00:00Z\",\"expires\":\"2028-01-15T08:00:00Z\","
	    "\"transfer_locked\":true,\"error\":null}]}");
}
END_TEST

/* Pending delete or redemption: critical, and the expiry that led there
 * is not said twice. */
START_TEST(test_pending_delete)
{
	struct sc_hits h;

	item("x.example", SC_RDAP_ADDRESS, NULL, -3650, -40,
	     SC_RDAP_PENDING_DELETE | SC_RDAP_CLIENT_XFER_LOCK,
	     "pending delete, client transfer prohibited");
	item("mailer.example", SC_RDAP_MX, "mx.mailer.example", -3650, -35,
	     SC_RDAP_REDEMPTION, "redemption period");
	h = run();
	ck_assert_uint_eq(count(&h, "domain.pending_delete"), 2);
	ck_assert_uint_eq(count(&h, "domain.expiring"), 0);
	ck_assert_ptr_nonnull(strstr(ev_hit(&h, "domain.pending_delete"),
	                             "address's domain x.example is in pending "
	                             "delete"));
	ck_assert_ptr_nonnull(strstr(h.hit[1].detail, "mailer.example (the "
	                             "domain of MX host mx.mailer.example) is in "
	                             "its redemption period"));
	sc_hits_clear(&h);
}
END_TEST

/* The bands of rdap.ini: at 30 days high, at 90 medium, beyond nothing;
 * an expiry passed is "expiring" too (a grace period). */
START_TEST(test_expiry_bands)
{
	static const struct { long long days; const char *id; } cases[] = {
		{ -3, "domain.expiring" }, { 0, "domain.expiring" },
		{ 30, "domain.expiring" }, { 31, "domain.renewal_due" },
		{ 90, "domain.renewal_due" }, { 91, NULL },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sc_hits h;

		teardown();
		setup();
		item("x.example", SC_RDAP_ADDRESS, NULL, -3650, cases[i].days,
		     SC_RDAP_CLIENT_XFER_LOCK, "client transfer prohibited");
		h = run();
		if (cases[i].id == NULL) {
			ck_assert_msg(h.n == 0, "%lld days", cases[i].days);
		} else {
			ck_assert_msg(h.n == 1 && strcmp(h.hit[0].id,
			              cases[i].id) == 0, "%lld days: %s",
			              cases[i].days, h.n ? h.hit[0].id : "none");
		}
		if (cases[i].days < 0)
			ck_assert_ptr_nonnull(strstr(h.hit[0].detail,
			                             "3 days ago"));
		sc_hits_clear(&h);
	}
	/* Thresholds are data. */
	teardown();
	setup();
	st->lim.expiring_days = 5;
	st->lim.renewal_days = 10;
	item("x.example", SC_RDAP_ADDRESS, NULL, -3650, 20,
	     SC_RDAP_CLIENT_XFER_LOCK, "client transfer prohibited");
	{
		struct sc_hits h = run();

		ck_assert_uint_eq(h.n, 0);
		sc_hits_clear(&h);
	}
}
END_TEST

START_TEST(test_recent)
{
	struct sc_hits h;
	struct sc_rdap_item *it;

	it = item("x.example", SC_RDAP_ADDRESS, NULL, -20, 345,
	          SC_RDAP_CLIENT_XFER_LOCK, "client transfer prohibited");
	h = run();
	ck_assert_ptr_nonnull(strstr(ev_hit(&h, "domain.recently_registered"),
	                             "registered on 2026-12-26T08:00:00Z, 20 "
	                             "days ago"));
	sc_hits_clear(&h);
	/* A reregistration is when the current registration began. */
	it->rd.registered = NOW - 3650 * DAY;
	it->rd.has_reregistered = 1;
	it->rd.reregistered = NOW - 89 * DAY;
	h = run();
	ck_assert_uint_eq(count(&h, "domain.recently_registered"), 1);
	sc_hits_clear(&h);
	it->rd.reregistered = NOW - 90 * DAY;
	h = run();
	ck_assert_uint_eq(h.n, 0);
	sc_hits_clear(&h);
}
END_TEST

/* Locked by the client or the registry: fine; no list at all: unknown,
 * so nothing is said. */
START_TEST(test_transfer_lock)
{
	struct sc_rdap_item *it;
	struct sc_hits h;

	it = item("x.example", SC_RDAP_ADDRESS, NULL, -3650, 365, 0, "active");
	h = run();
	ck_assert_ptr_nonnull(strstr(ev_hit(&h, "domain.transfer_unlocked"),
	                             "x.example has no transfer lock (status: "
	                             "active)"));
	sc_hits_clear(&h);
	it->rd.status = SC_RDAP_SERVER_XFER_LOCK;
	h = run();
	ck_assert_uint_eq(h.n, 0);
	sc_hits_clear(&h);
	it->rd.status = 0;
	it->rd.nstatus = 0;
	it->rd.statuses[0] = '\0';
	h = run();
	ck_assert_uint_eq(h.n, 0);
	sc_hits_clear(&h);
	ev_assert_described(&sc_check_rdap, dom, "\"rdap\":{\"bootstrap\":"
	    "\"2026-01-30T00:00:01Z\",\"domains\":[{\"domain\":\"x.example\","
	    "\"role\":\"address\",\"host\":null,\"url\":"
	    "\"https://rdap.example/domain/x\",\"status\":\"\",\"registered\":"
	    "\"2017-01-17T08:00:00Z\",\"expires\":\"2028-01-15T08:00:00Z\","
	    "\"transfer_locked\":null,\"error\":null}]}");
}
END_TEST

/* Not had: info, with the reason; never "missing evidence". */
START_TEST(test_unavailable)
{
	struct sc_rdap_item *it = st->item[st->n++] =
	    sc_calloc(1, sizeof(*it));
	struct sc_hits h;

	it->name = sc_strdup("x.example");
	it->settled = 1;
	snprintf(it->error, sizeof(it->error), "the RDAP server does not know "
	         "x.example (HTTP 404)");
	it = st->item[st->n++] = sc_calloc(1, sizeof(*it));
	it->name = sc_strdup("dns.example");
	it->role = SC_RDAP_NS;
	it->via = sc_strdup("ns1.dns.example");
	h = run();
	ck_assert_uint_eq(count(&h, "rdap.unavailable"), 2);
	ck_assert_int_eq(sc_hits_missing(&h), 0);
	ck_assert_ptr_nonnull(strstr(h.hit[0].detail, "no registration data "
	                             "for the address's domain x.example: the "
	                             "RDAP server does not know"));
	ck_assert_ptr_nonnull(strstr(h.hit[1].detail, "no RDAP answer for "
	                             "dns.example (the domain of nameserver "
	                             "ns1.dns.example) before the check's "
	                             "deadline"));
	sc_hits_clear(&h);
	ev_assert_described(&sc_check_rdap, dom, "\"rdap\":{\"bootstrap\":"
	    "\"2026-01-30T00:00:01Z\",\"domains\":[{\"domain\":\"x.example\","
	    "\"role\":\"address\",\"host\":null,\"url\":null,\"status\":null,"
	    "\"registered\":null,\"expires\":null,\"transfer_locked\":null,"
	    "\"error\":\"the RDAP server does not know x.example (HTTP 404)\"},"
	    "{\"domain\":\"dns.example\",\"role\":\"ns\",\"host\":"
	    "\"ns1.dns.example\",\"url\":null,\"status\":null,\"registered\":"
	    "null,\"expires\":null,\"transfer_locked\":null,\"error\":\"no "
	    "answer before the check's deadline\"}]}");
}
END_TEST

/* ---- the enrollment date: per address -------------------------------------- */

static struct sc_hits
run_address_day(int has, long long enrolled, int day)
{
	struct sc_req req;
	struct sc_hits h;

	memset(&req, 0, sizeof(req));
	memset(&h, 0, sizeof(h));
	req.ctx = &ctx;
	req.dom = dom;
	req.has_enrolled = has;
	req.enrolled = enrolled;
	req.enrolled_day = day;
	sc_check_rdap.assess_address(&req, &h);
	return h;
}

static struct sc_hits
run_address(int has, long long enrolled)
{
	return run_address_day(has, enrolled, 0);
}

START_TEST(test_re_registered)
{
	struct sc_rdap_item *it;
	struct sc_hits h;

	it = item("x.example", SC_RDAP_ADDRESS, NULL, -400, 330,
	          SC_RDAP_CLIENT_XFER_LOCK, "client transfer prohibited");
	/* The MX host's domain, registered late, is not the address's. */
	item("mailer.example", SC_RDAP_MX, "mx.mailer.example", -10, 355,
	     SC_RDAP_CLIENT_XFER_LOCK, "client transfer prohibited");
	h = run_address(1, NOW - 800 * DAY);
	ck_assert_uint_eq(h.n, 1);
	ck_assert_str_eq(h.hit[0].id, "domain.re_registered");
	ck_assert_ptr_nonnull(strstr(h.hit[0].detail, "x.example was "
	                             "registered on 2025-12-11T08:00:00Z, after "
	                             "this address was enrolled "
	                             "(2024-11-06T08:00:00Z)"));
	sc_hits_clear(&h);
	h = run_address(1, NOW - 400 * DAY); /* the same second: not later */
	ck_assert_uint_eq(h.n, 0);
	sc_hits_clear(&h);
	h = run_address(0, NOW - 800 * DAY); /* no date given */
	ck_assert_uint_eq(h.n, 0);
	sc_hits_clear(&h);
	/* A reregistration after the date counts, and data not had says
	 * nothing. */
	it->rd.registered = NOW - 4000 * DAY;
	it->rd.has_reregistered = 1;
	it->rd.reregistered = NOW - 100 * DAY;
	h = run_address(1, NOW - 200 * DAY);
	ck_assert_uint_eq(count(&h, "domain.re_registered"), 1);
	sc_hits_clear(&h);
	it->ok = 0;
	h = run_address(1, NOW - 200 * DAY);
	ck_assert_uint_eq(h.n, 0);
	sc_hits_clear(&h);
}
END_TEST

/* A day without a time (SC_CHECK_ENROLLED_DAY): a registration that day,
 * or before noon UTC the next (the day's end in UTC-12), may have come
 * before the user chose the address; one after is later, and the detail
 * names the day as given. */
START_TEST(test_re_registered_day)
{
	struct sc_rdap_item *it;
	long long day = 1700006400LL; /* 2023-11-15T00:00:00Z */
	struct sc_hits h;

	it = item("x.example", SC_RDAP_ADDRESS, NULL, 0, 330,
	          SC_RDAP_CLIENT_XFER_LOCK, "client transfer prohibited");
	it->rd.registered = day + 10 * 3600; /* 10:00 UTC the same day */
	h = run_address_day(1, day, 1);
	ck_assert_uint_eq(h.n, 0);
	sc_hits_clear(&h);
	h = run_address_day(1, day, 0); /* 00:00 UTC, a moment: later */
	ck_assert_uint_eq(count(&h, "domain.re_registered"), 1);
	sc_hits_clear(&h);
	it->rd.registered = day + 36 * 3600; /* 12:00 UTC the next day */
	h = run_address_day(1, day, 1);
	ck_assert_uint_eq(h.n, 0);
	sc_hits_clear(&h);
	it->rd.registered = day + 36 * 3600 + 1;
	h = run_address_day(1, day, 1);
	ck_assert_uint_eq(h.n, 1);
	ck_assert_ptr_nonnull(strstr(h.hit[0].detail, "after this address was "
	                             "enrolled (2023-11-15)"));
	sc_hits_clear(&h);
}
END_TEST

/* Which registrable domains a job asks about: each once; the address's
 * own keeps (or takes) the address role whichever answer named it first,
 * so that domain.re_registered compares its date; and the last slot is
 * kept for it should eight nameserver domains come first. */
START_TEST(test_claim)
{
	struct sc_rdap_item *it;
	char name[32];
	int nomem, i;

	/* ns1.x.example named x.example first, as a nameserver's. */
	it = sc_rdap_claim(st, sc_strdup("x.example"), "ns1.x.example",
	                   SC_RDAP_NS, &nomem);
	ck_assert_ptr_nonnull(it);
	ck_assert_int_eq(it->role, SC_RDAP_NS);
	ck_assert_ptr_null(sc_rdap_claim(st, sc_strdup("x.example"), "x.example",
	                                 SC_RDAP_ADDRESS, &nomem));
	ck_assert_int_eq(nomem, 0);
	ck_assert_int_eq(it->role, SC_RDAP_ADDRESS);
	ck_assert_ptr_null(it->via);
	ck_assert_uint_eq(st->n, 1);
	/* Once only, and never back to another role. */
	ck_assert_ptr_null(sc_rdap_claim(st, sc_strdup("x.example"),
	                                 "mx.x.example", SC_RDAP_MX, &nomem));
	ck_assert_int_eq(it->role, SC_RDAP_ADDRESS);

	/* A fresh job: eight nameserver domains come first. */
	teardown();
	setup();
	for (i = 0; i < SC_RDAP_MAX_ITEMS; i++) {
		snprintf(name, sizeof(name), "dns%d.example", i);
		it = sc_rdap_claim(st, sc_strdup(name), name, SC_RDAP_NS,
		                   &nomem);
		ck_assert_int_eq(nomem, 0);
		ck_assert_int_eq(it != NULL, i < SC_RDAP_MAX_ITEMS - 1);
	}
	it = sc_rdap_claim(st, sc_strdup("x.example"), "x.example",
	                   SC_RDAP_ADDRESS, &nomem);
	ck_assert_ptr_nonnull(it);
	ck_assert_uint_eq(st->n, SC_RDAP_MAX_ITEMS);
	ck_assert_ptr_null(sc_rdap_claim(st, sc_strdup("y.example"), "y.example",
	                                 SC_RDAP_MX, &nomem));
	ck_assert_int_eq(nomem, 0);
}
END_TEST

/* ---- the engine: the RDAP server's own name ------------------------------ */

/* rdap.flaky.test fails (SERVFAIL) until up is set, then is 127.0.0.1;
 * every other D has MX 10 mx.D and mx.D is 127.0.0.1. */
struct flaky_world {
	int up;
};

static size_t
flaky_respond(void *arg, const struct dnsfake_query *q, unsigned char *out,
              size_t cap)
{
	struct flaky_world *w = arg;
	struct dnsmsg m;

	if (strcmp(q->name, "rdap.flaky.test") == 0) {
		if (!__atomic_load_n(&w->up, __ATOMIC_SEQ_CST)) {
			dnsmsg_reply(&m, q, ns_r_servfail, 0, out, cap);
			return m.len;
		}
		dnsmsg_reply(&m, q, ns_r_noerror, 0, out, cap);
		if (q->qtype == ns_t_a)
			dnsmsg_a(&m, NULL, "127.0.0.1");
		return m.len;
	}
	dnsmsg_reply(&m, q, ns_r_noerror, 0, out, cap);
	dnsmsg_mx_world(&m, q);
	return m.len;
}

/* The detail of addr's rdap.unavailable ("" when there is none). */
static void
rdap_detail(sc_ctx_t *c, const char *addr, char *buf, size_t size)
{
	sc_report_t *rep = NULL;
	size_t i;

	buf[0] = '\0';
	ck_assert_int_eq(sc_check(c, addr, &rep), SC_OK);
	ck_assert_ptr_nonnull(rep);
	for (i = 0; i < sc_report_finding_count(rep); i++) {
		const sc_finding_t *f = sc_report_finding(rep, i);

		if (strcmp(f->id, "rdap.unavailable") == 0)
			snprintf(buf, size, "%s", f->detail);
	}
	sc_report_free(rep);
}

/* A passing failure to resolve the RDAP server's name is held for one
 * check's timeout (the domains checked meanwhile do not each ask it
 * again), then asked again: it does not cost the rest of a batch its
 * RDAP evidence. */
START_TEST(test_server_name_asked_again)
{
	struct flaky_world w = { 0 };
	struct dnsfake fs;
	sc_ctx_t *c = NULL;
	char path[] = "/tmp/sc-rdap-bootstrap-XXXXXX", addr[64], why[512];
	static const char boot[] = "{\"version\":\"1.0\",\"publication\":"
	    "\"2026-01-30T00:00:01Z\",\"services\":[[[\"test\"],"
	    "[\"https://rdap.flaky.test:1/\"]]]}";
	int fd = mkstemp(path);
	unsigned asked;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, boot, sizeof(boot) - 1),
	                 (ssize_t)(sizeof(boot) - 1));
	close(fd);
	ck_assert_int_eq(dnsfake_start(&fs, flaky_respond, &w), 0);
	ck_assert_int_eq(sc_ctx_new(&c), SC_OK);
	ck_assert_int_eq(sc_ctx_set_rules_dir(c, test_rules_dir()), SC_OK);
	ck_assert_int_eq(sc_ctx_add_resolver(c, dnsfake_addr(&fs, addr,
	                                                     sizeof(addr))),
	                 SC_OK);
	ck_assert_int_eq(sc_ctx_set_allow_loopback(c, 1), SC_OK);
	/* Long enough that "at once" stays within it under valgrind. */
	ck_assert_int_eq(sc_ctx_set_timeout_ms(c, 3000), SC_OK);
	ck_assert_int_eq(sc_ctx_set_rdap_bootstrap(c, path), SC_OK);
	ck_assert_int_eq(sc_ctx_skip_check(c, "starttls"), SC_OK);
	ck_assert_int_eq(sc_ctx_skip_check(c, "ns"), SC_OK);

	rdap_detail(c, "a@one.test", why, sizeof(why));
	ck_assert_msg(strstr(why, "rdap.flaky.test has no address") != NULL,
	              "%s", why);
	asked = dnsfake_count_name(&fs, "rdap.flaky.test");
	ck_assert_uint_ge(asked, 1);

	/* It resolves now; at once, the failure still holds. */
	__atomic_store_n(&w.up, 1, __ATOMIC_SEQ_CST);
	rdap_detail(c, "b@two.test", why, sizeof(why));
	ck_assert_msg(strstr(why, "has no address") != NULL, "%s", why);
	ck_assert_uint_eq(dnsfake_count_name(&fs, "rdap.flaky.test"), asked);

	/* A timeout later it is asked again, and the request is made (to
	 * port 1, where nothing listens: refused, a different reason). */
	usleep(3100 * 1000);
	rdap_detail(c, "c@three.test", why, sizeof(why));
	ck_assert_uint_gt(dnsfake_count_name(&fs, "rdap.flaky.test"), asked);
	ck_assert_msg(why[0] != '\0' && strstr(why, "has no address") == NULL,
	              "%s", why);

	sc_ctx_free(c);
	dnsfake_stop(&fs);
	unlink(path);
}
END_TEST

Suite *rdap_suite(void)
{
	Suite *s = suite_create("rdap");
	TCase *t = tcase_create("assess");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, test_sound);
	tcase_add_test(t, test_pending_delete);
	tcase_add_test(t, test_expiry_bands);
	tcase_add_test(t, test_recent);
	tcase_add_test(t, test_transfer_lock);
	tcase_add_test(t, test_unavailable);
	tcase_add_test(t, test_re_registered);
	tcase_add_test(t, test_re_registered_day);
	tcase_add_test(t, test_claim);
	suite_add_tcase(s, t);
	t = tcase_create("engine");
	tcase_set_timeout(t, 30);
	tcase_add_test(t, test_server_name_asked_again);
	suite_add_tcase(s, t);
	return s;
}
