/*
 * Allocation failure over a WHOLE check: the fake DNS server of
 * tests/dnsfake.h answers MX, A, AAAA and TXT for a sound domain (SPF
 * with an include, DMARC, TLS-RPT), so the check does the real work of
 * the DNS checks without the lab; the probes that need other servers
 * (starttls, mta_sts, dane, breach) are skipped.  For n = 1, 2, ... the
 * nth allocation of the check fails: each run must end in SC_ENOMEM or a
 * complete report, never a crash, a hang or a leak (ASan, or valgrind
 * with `make valgrind`), and the walk must reach a run where the failure
 * point is never reached.  Only sc_malloc() and friends fail: c-ares,
 * jansson, libcurl and OpenSSL allocate on their own (docs/fuzzing.md).
 */
#include <arpa/nameser.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnsfake.h"
#include "internal.h"
#include "scorer.h"
#include "testutil.h"

#define DOMAIN "good.test"

static void
txt1(struct dnsmsg *m, const char *text)
{
	size_t len = strlen(text);

	dnsmsg_txt(m, NULL, 1, &text, &len);
}

static size_t
good_respond(void *arg, const struct dnsfake_query *q, unsigned char *out,
             size_t cap)
{
	struct dnsmsg m;

	(void)arg;
	dnsmsg_reply(&m, q, ns_r_noerror, 0, out, cap);
	if (strcasecmp(q->name, DOMAIN) == 0) {
		if (q->qtype == ns_t_mx) {
			dnsmsg_mx(&m, NULL, 10, "mx1." DOMAIN);
			dnsmsg_mx(&m, NULL, 20, "mx2." DOMAIN);
		} else if (q->qtype == ns_t_txt) {
			txt1(&m, "v=spf1 mx include:_spf." DOMAIN " -all");
			txt1(&m, "google-site-verification=abc");
		} else if (q->qtype == ns_t_a) {
			dnsmsg_a(&m, NULL, "192.0.2.10");
		}
	} else if (strncasecmp(q->name, "mx", 2) == 0) {
		if (q->qtype == ns_t_a)
			dnsmsg_a(&m, NULL, "192.0.2.25");
		else if (q->qtype == ns_t_aaaa)
			dnsmsg_aaaa(&m, NULL, "2001:db8::25");
	} else if (q->qtype == ns_t_txt) {
		if (strcasecmp(q->name, "_spf." DOMAIN) == 0)
			txt1(&m, "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 "
			         "exists:%{i}._x." DOMAIN " ~all");
		else if (strcasecmp(q->name, "_dmarc." DOMAIN) == 0)
			txt1(&m, "v=DMARC1; p=reject; sp=reject; "
			         "rua=mailto:dmarc@" DOMAIN
			         ",mailto:x@reports.example; adkim=s");
		else if (strcasecmp(q->name, "_smtp._tls." DOMAIN) == 0)
			txt1(&m, "v=TLSRPTv1; rua=mailto:tls@" DOMAIN);
		else if (strcasecmp(q->name, "_mta-sts." DOMAIN) == 0)
			txt1(&m, "v=STSv1; id=20240101");
	}
	return m.len;
}

static sc_ctx_t *
new_ctx(const struct dnsfake *fs)
{
	static const char *const skip[] = { "starttls", "mta_sts", "dane",
	                                    "breach" };
	sc_ctx_t *ctx = NULL;
	char addr[64];
	size_t i, j;

	ck_assert_int_eq(sc_ctx_new(&ctx), SC_OK);
	ck_assert_int_eq(sc_ctx_set_rules_dir(ctx, test_rules_dir()), SC_OK);
	ck_assert_int_eq(sc_ctx_add_resolver(ctx,
	                                     dnsfake_addr(fs, addr, sizeof(addr))),
	                 SC_OK);
	ck_assert_int_eq(sc_ctx_set_allow_loopback(ctx, 1), SC_OK);
	ck_assert_int_eq(sc_ctx_set_timeout_ms(ctx, 5000), SC_OK);
	/* Skip those of the probes this build has (dane may not exist). */
	for (i = 0; i < SC_ARRAY_LEN(skip); i++)
		for (j = 0; sc_check_name(j) != NULL; j++)
			if (strcmp(sc_check_name(j), skip[i]) == 0)
				ck_assert_int_eq(sc_ctx_skip_check(ctx, skip[i]),
				                 SC_OK);
	return ctx;
}

/* What a caller may rely on in a report handed back with SC_OK. */
static void
assert_complete(const sc_report_t *rep, unsigned long n)
{
	size_t i;
	char *js = NULL;

	ck_assert_msg(rep != NULL, "n=%lu: SC_OK without a report", n);
	ck_assert_str_eq(sc_report_domain(rep), DOMAIN);
	/* A grade exactly when the assessment is complete. */
	ck_assert_int_eq(sc_report_grade(rep) == NULL,
	                 sc_report_verdict(rep) == SC_VERDICT_ERROR);
	ck_assert_int_eq(sc_report_score(rep) < 0,
	                 sc_report_verdict(rep) == SC_VERDICT_ERROR);
	ck_assert_str_ne(sc_report_headline(rep), "");
	for (i = 0; i < sc_report_finding_count(rep); i++) {
		const sc_finding_t *f = sc_report_finding(rep, i);

		ck_assert_msg(f != NULL && f->id != NULL && f->detail != NULL &&
		              f->title != NULL, "n=%lu: finding %zu", n, i);
	}
	for (i = 0; i < sc_report_record_count(rep); i++)
		ck_assert_ptr_nonnull(sc_report_record(rep, i)->name);
	ck_assert_int_eq(sc_report_json(rep, &js), SC_OK);
	sc_free(js);
}

/* The baseline: without failures the check is sound and does the work. */
START_TEST(test_baseline)
{
	struct dnsfake fs;
	sc_ctx_t *ctx;
	sc_report_t *rep = NULL;
	size_t i;

	ck_assert_int_eq(dnsfake_start(&fs, good_respond, NULL), 0);
	ctx = new_ctx(&fs);
	sc_alloc_fail_at(0);
	ck_assert_int_eq(sc_check(ctx, "user@" DOMAIN, &rep), SC_OK);
	assert_complete(rep, 0);
	ck_assert_int_ne(sc_report_verdict(rep), SC_VERDICT_ERROR);
	for (i = 0; i < sc_report_finding_count(rep); i++)
		ck_assert_str_ne(sc_report_finding(rep, i)->id, "dns.unverified");
	ck_assert_uint_ge(sc_report_record_count(rep), 6);
	sc_report_free(rep);
	sc_ctx_free(ctx);
	dnsfake_stop(&fs);
}
END_TEST

/* SC_OOM_STRIDE=k tries every kth allocation only (valgrind is ~30x
 * slower; every allocation is still walked in the plain and ASan runs). */
static unsigned long
env_ul(const char *name, unsigned long dflt)
{
	const char *s = getenv(name);
	unsigned long k = s != NULL ? strtoul(s, NULL, 10) : dflt;

	return k > 0 ? k : dflt;
}

START_TEST(test_walk_whole_check)
{
	struct dnsfake fs;
	unsigned long n, step = env_ul("SC_OOM_STRIDE", 1), enomem = 0, reports = 0;
	unsigned long slow = 0;
	int done = 0;

	ck_assert_int_eq(dnsfake_start(&fs, good_respond, NULL), 0);
	/* SC_OOM_START=n: begin there, to debug one failure point. */
	for (n = env_ul("SC_OOM_START", 1); n < 100000 && !done; n += step) {
		sc_ctx_t *ctx = new_ctx(&fs);
		sc_report_t *rep = NULL;
		unsigned long used;
		uint64_t t0 = dnsfake_now_ms(), ms;
		sc_status_t st;

		sc_alloc_fail_at(n);
		st = sc_check(ctx, "user@" DOMAIN, &rep);
		used = sc_alloc_count();
		sc_alloc_fail_at(0);
		/* Never past the deadline (5 s) and its margin: that would
		 * be a hang.  A run that waits for the deadline is allowed
		 * (an allocation failure may cost a lookup, which then counts
		 * as unanswered) but counted and told. */
		ms = dnsfake_now_ms() - t0;
		ck_assert_msg(ms < 8000, "n=%lu: %u ms", n, (unsigned)ms);
		if (ms > 1000) {
			slow++;
			fprintf(stderr, "oom walk: n=%lu took %u ms\n", n,
			        (unsigned)ms);
		}
		ck_assert_msg(st == SC_OK || st == SC_ENOMEM, "n=%lu: %s", n,
		              sc_strerror(st));
		if (st == SC_OK) {
			assert_complete(rep, n);
			reports++;
		} else {
			ck_assert_msg(rep == NULL, "n=%lu: SC_ENOMEM and a report",
			              n);
			enomem++;
		}
		if (st == SC_OK && used < n)
			done = 1; /* the failure point was never reached */
		sc_report_free(rep);
		sc_ctx_free(ctx);
	}
	dnsfake_stop(&fs);
	fprintf(stderr, "oom walk: %lu failure points, %lu SC_ENOMEM, %lu "
	        "reports, %lu waited for the deadline\n", n - 1, enomem,
	        reports, slow);
	ck_assert_msg(done, "the walk did not reach the end (n=%lu)", n);
	ck_assert_uint_gt(enomem + reports, 1);
}
END_TEST

Suite *oom_suite(void)
{
	Suite *s = suite_create("oom");
	TCase *tc = tcase_create("whole_check");

	/* A few thousand checks on loopback; minutes under valgrind. */
	tcase_set_timeout(tc, 1800);
	tcase_add_test(tc, test_baseline);
	tcase_add_test(tc, test_walk_whole_check);
	suite_add_tcase(s, tc);
	return s;
}
