/*
 * The engine through the public API, against the fake DNS server of
 * tests/dnsfake.h: one set of lookups per domain however many addresses
 * share it, domains in parallel, the per-domain deadline, freeing a
 * context with checks in flight, and callbacks that call back in.
 */
#include <arpa/nameser.h>
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "dnsfake.h"
#include "scorer.h"
#include "testutil.h"

/* Far above what a check against loopback needs (a few ms). */
#define WAIT_MS 20000

enum emode {
	E_WORLD,   /* MX of D: 10 mx.D; A of mx.*: 127.0.0.1; else NODATA */
	E_SILENT   /* never answers */
};

struct world {
	enum emode mode;
};

static size_t
world_respond(void *arg, const struct dnsfake_query *q, unsigned char *out,
              size_t cap)
{
	const struct world *w = arg;
	struct dnsmsg m;
	char host[300];

	if (__atomic_load_n(&w->mode, __ATOMIC_SEQ_CST) == E_SILENT)
		return 0;
	dnsmsg_reply(&m, q, ns_r_noerror, 0, out, cap);
	/* esc.test: its MX host's first label holds the octet 7 (c-ares
	 * hands the name out as "mx\007.esc.test"), and only that name has
	 * an address. */
	if (strcmp(q->name, "esc.test") == 0 && q->qtype == ns_t_mx) {
		dnsmsg_mx(&m, NULL, 10, "mx\a.esc.test");
	} else if (strcmp(q->name, "mx\a.esc.test") == 0) {
		if (q->qtype == ns_t_a)
			dnsmsg_a(&m, NULL, "127.0.0.1");
	} else if (strncmp(q->name, "spfmx.", 6) == 0 &&
	           q->qtype == ns_t_txt) {
		/* Asks again what the MX check asks: the MX, the MX host. */
		static const char *const spf[] = {
			"v=spf1 mx a:mx.spfmx.test. -all"
		};
		size_t len = strlen(spf[0]);

		dnsmsg_txt(&m, NULL, 1, spf, &len);
	} else if (strncmp(q->name, "nomx.", 5) == 0) {
		if (q->qtype == ns_t_a)
			dnsmsg_a(&m, NULL, "127.0.0.1");
	} else if (q->qtype == ns_t_mx && strncmp(q->name, "mx.", 3) != 0) {
		snprintf(host, sizeof(host), "mx.%s", q->name);
		dnsmsg_mx(&m, NULL, 10, host);
	} else if (q->qtype == ns_t_a && strncmp(q->name, "mx.", 3) == 0) {
		dnsmsg_a(&m, NULL, "127.0.0.1");
	}
	return m.len;
}

struct tally {
	sc_ctx_t *ctx;
	int calls, reports, errors;
	int freed;               /* set once the context is gone */
	int after_free;          /* callbacks seen after that: must be 0 */
	sc_verdict_t last_verdict;
	char last_domain[256];
	int implicit_mx;         /* reports with domain.implicit_mx */
	char spf[4096];          /* the last report's "spf" part */
	size_t nrecord;          /* the last report's lookups */
	/* test (e) */
	int resubmit;            /* submit this many more from the callback */
	sc_status_t resubmit_st, perform_st, check_st;
};

static void
on_done(void *ud, sc_status_t st, sc_report_t *rep)
{
	struct tally *t = ud;

	t->calls++;
	if (t->freed)
		t->after_free++;
	if (st == SC_OK && rep != NULL) {
		t->reports++;
		t->last_verdict = sc_report_verdict(rep);
		snprintf(t->last_domain, sizeof(t->last_domain), "%s",
		         sc_report_domain(rep));
		char *spf = NULL;

		if (sc_report_check_json(rep, "spf", &spf) == SC_OK)
			snprintf(t->spf, sizeof(t->spf), "%s", spf);
		sc_free(spf);
		t->nrecord = sc_report_record_count(rep);
		for (size_t i = 0; i < sc_report_finding_count(rep); i++)
			t->implicit_mx += strcmp(sc_report_finding(rep, i)->id,
			                         "domain.implicit_mx") == 0;
	} else {
		t->errors++;
	}
	sc_report_free(rep);
}

static sc_ctx_t *
new_ctx(const struct dnsfake *fs, unsigned timeout_ms)
{
	sc_ctx_t *ctx = NULL;
	char addr[64];

	ck_assert_int_eq(sc_ctx_new(&ctx), SC_OK);
	ck_assert_int_eq(sc_ctx_set_rules_dir(ctx, test_rules_dir()), SC_OK);
	ck_assert_int_eq(sc_ctx_add_resolver(ctx,
	                                     dnsfake_addr(fs, addr, sizeof(addr))),
	                 SC_OK);
	ck_assert_int_eq(sc_ctx_set_allow_loopback(ctx, 1), SC_OK);
	if (timeout_ms > 0)
		ck_assert_int_eq(sc_ctx_set_timeout_ms(ctx, timeout_ms), SC_OK);
	return ctx;
}

/* Run until nothing is in flight, bounded. */
static void
perform_all(sc_ctx_t *ctx)
{
	uint64_t end = dnsfake_now_ms() + WAIT_MS;
	size_t running = 1;

	while (running > 0 && dnsfake_now_ms() < end)
		ck_assert_int_eq(sc_perform(ctx, 200, &running), SC_OK);
	ck_assert_uint_eq(running, 0);
}

/* The questions the server was asked (a resend of a slow one, as under
 * valgrind, is the same question: counted once). */
static unsigned
queries(struct dnsfake *fs)
{
	ck_assert_uint_lt(dnsfake_nlog(fs), DNSFAKE_MAXLOG);
	return dnsfake_questions(fs);
}

/* The same, the root's aside: ". NS" is asked per context (is the
 * resolver believable?), once or by each domain in flight as the answers
 * happen to come; the questions of a domain are what these tests count. */
static unsigned
domain_queries(struct dnsfake *fs)
{
	ck_assert_uint_lt(dnsfake_nlog(fs), DNSFAKE_MAXLOG);
	return dnsfake_questions_except(fs, "");
}

/* n addresses at one domain, on a fresh server and context: the
 * questions the server was asked about the domain (the root's aside). */
static unsigned
queries_for(int n)
{
	struct world w = { E_WORLD };
	struct tally t;
	struct dnsfake fs;
	sc_ctx_t *ctx;
	char addr[64];
	unsigned q;
	int i;

	memset(&t, 0, sizeof(t));
	ck_assert_int_eq(dnsfake_start(&fs, world_respond, &w), 0);
	ctx = new_ctx(&fs, 0);
	for (i = 0; i < n; i++) {
		snprintf(addr, sizeof(addr), "user%d@same.test", i);
		ck_assert_int_eq(sc_check_async(ctx, addr, on_done, &t), SC_OK);
	}
	perform_all(ctx);
	ck_assert_int_eq(t.calls, n);
	ck_assert_int_eq(t.reports, n);
	ck_assert_int_ne(t.last_verdict, SC_VERDICT_ERROR);
	ck_assert_str_eq(t.last_domain, "same.test");
	q = domain_queries(&fs);
	sc_ctx_free(ctx);
	dnsfake_stop(&fs);
	return q;
}

/* (a) 50 addresses at one domain cost what one address costs. */
START_TEST(test_one_set_of_lookups_per_domain)
{
	unsigned one = queries_for(1), fifty = queries_for(50);

	/* MX, A, AAAA of the domain; A, AAAA of its MX host at least. */
	ck_assert_uint_ge(one, 5);
	ck_assert_uint_eq(fifty, one);
}
END_TEST

/* The cache lives as long as the context: a later check at a domain
 * already assessed asks nothing, and is answered in the same round. */
START_TEST(test_cache_outlives_the_first_round)
{
	struct world w = { E_WORLD };
	struct tally t;
	struct dnsfake fs;
	sc_ctx_t *ctx;
	sc_report_t *rep = NULL;
	unsigned before;

	memset(&t, 0, sizeof(t));
	ck_assert_int_eq(dnsfake_start(&fs, world_respond, &w), 0);
	ctx = new_ctx(&fs, 0);
	ck_assert_int_eq(sc_check(ctx, "a@same.test", &rep), SC_OK);
	ck_assert_ptr_nonnull(rep);
	sc_report_free(rep);
	before = queries(&fs);
	ck_assert_uint_ge(before, 5);
	ck_assert_int_eq(sc_check_async(ctx, "b@same.test", on_done, &t), SC_OK);
	ck_assert_int_eq(sc_check_async(ctx, "c@SAME.test", on_done, &t), SC_OK);
	ck_assert_int_eq(sc_perform(ctx, 0, NULL), SC_OK);
	ck_assert_int_eq(t.reports, 2);
	ck_assert_uint_eq(queries(&fs), before);
	sc_ctx_free(ctx);
	dnsfake_stop(&fs);
}
END_TEST

/* The addresses (NULL-ended) checked to the end on a fresh server and
 * context; the server stays up for its counts (dnsfake_stop() it). */
static void
check_all(struct dnsfake *fs, struct world *w, struct tally *t,
          const char *const *addr)
{
	sc_ctx_t *ctx;

	memset(t, 0, sizeof(*t));
	ck_assert_int_eq(dnsfake_start(fs, world_respond, w), 0);
	ctx = new_ctx(fs, 0);
	for (; *addr != NULL; addr++)
		ck_assert_int_eq(sc_check_async(ctx, *addr, on_done, t), SC_OK);
	perform_all(ctx);
	sc_ctx_free(ctx);
}

/* The domain's own address records matter only without MX records (the
 * implicit MX): a domain with MX records is not asked for them. */
START_TEST(test_implicit_mx_asked_after_mx)
{
	static const char *const addr[] = { "x@one.test", "y@nomx.test", NULL };
	struct world w = { E_WORLD };
	struct tally t;
	struct dnsfake fs;

	check_all(&fs, &w, &t, addr);
	ck_assert_int_eq(t.reports, 2);
	ck_assert_uint_eq(dnsfake_count_q(&fs, "one.test", ns_t_mx), 1);
	ck_assert_uint_eq(dnsfake_count_q(&fs, "one.test", ns_t_a), 0);
	ck_assert_uint_eq(dnsfake_count_q(&fs, "one.test", ns_t_aaaa), 0);
	ck_assert_uint_eq(dnsfake_count_q(&fs, "nomx.test", ns_t_a), 1);
	ck_assert_uint_eq(dnsfake_count_q(&fs, "nomx.test", ns_t_aaaa), 1);
	ck_assert_int_eq(t.implicit_mx, 1);
	dnsfake_stop(&fs);
}
END_TEST

/* A question two checks ask is sent once: SPF's "mx" and "a:MX-HOST."
 * (a final dot aside) get copies of the MX check's answers (one already
 * in when asked, one still in flight), and the SPF result is what the
 * answers say. */
START_TEST(test_question_asked_once)
{
	static const char *const addr[] = { "x@spfmx.test", NULL };
	struct world w = { E_WORLD };
	struct tally t;
	struct dnsfake fs;

	check_all(&fs, &w, &t, addr);
	ck_assert_int_eq(t.reports, 1);
	ck_assert_uint_eq(dnsfake_count_q(&fs, "spfmx.test", ns_t_mx), 1);
	ck_assert_uint_eq(dnsfake_count_q(&fs, "mx.spfmx.test", ns_t_a), 1);
	ck_assert_uint_eq(dnsfake_count_q(&fs, "mx.spfmx.test", ns_t_aaaa), 1);
	ck_assert_msg(strstr(t.spf, "\"result_for_all\":\"fail\"") != NULL,
	              "spf: %s", t.spf);
	ck_assert_msg(strstr(t.spf, "\"lookups\":2") != NULL, "spf: %s",
	              t.spf);
	/* The report lists the queries made: MX, SPF, DMARC, TLS-RPT, the
	 * MX host's A and AAAA, its TLSA, the root probe. */
	ck_assert_uint_eq(t.nrecord, dnsfake_nlog(&fs));
	dnsfake_stop(&fs);
}
END_TEST

/* (b) Two domains are asked independently and both complete. */
START_TEST(test_two_domains_in_parallel)
{
	struct world w = { E_WORLD };
	struct tally t;
	struct dnsfake fs;
	sc_ctx_t *ctx;
	unsigned one = queries_for(1);

	memset(&t, 0, sizeof(t));
	ck_assert_int_eq(dnsfake_start(&fs, world_respond, &w), 0);
	ctx = new_ctx(&fs, 0);
	ck_assert_int_eq(sc_check_async(ctx, "x@one.test", on_done, &t), SC_OK);
	ck_assert_int_eq(sc_check_async(ctx, "y@two.test", on_done, &t), SC_OK);
	ck_assert_int_eq(sc_check_async(ctx, "z@one.test", on_done, &t), SC_OK);
	perform_all(ctx);
	ck_assert_int_eq(t.calls, 3);
	ck_assert_int_eq(t.reports, 3);
	ck_assert_uint_eq(domain_queries(&fs), 2 * one);
	ck_assert_uint_eq(dnsfake_count_name(&fs, "one.test"),
	                  dnsfake_count_name(&fs, "two.test"));
	/* MX and SPF at least (A/AAAA only for a domain without MX). */
	ck_assert_uint_ge(dnsfake_count_name(&fs, "one.test"), 2);
	ck_assert_uint_ge(dnsfake_count_name(&fs, "mx.one.test"), 2);
	ck_assert_uint_ge(dnsfake_count_name(&fs, "mx.two.test"), 2);
	sc_ctx_free(ctx);
	dnsfake_stop(&fs);
}
END_TEST

/* (c) A server that never answers: the per-domain deadline (500 ms) ends
 * the check with a report, verdict error and dns.unverified, well within
 * 3 s (a bound far above the deadline, not a timing measurement). */
START_TEST(test_deadline_bounds_a_silent_server)
{
	struct world w = { E_SILENT };
	struct dnsfake fs;
	sc_ctx_t *ctx;
	sc_report_t *rep = NULL;
	uint64_t t0;
	unsigned wall;
	size_t i;
	int unverified = 0, timeouts = 0;

	ck_assert_int_eq(dnsfake_start(&fs, world_respond, &w), 0);
	ctx = new_ctx(&fs, 500);
	t0 = dnsfake_now_ms();
	ck_assert_int_eq(sc_check(ctx, "user@silent.test", &rep), SC_OK);
	wall = (unsigned)(dnsfake_now_ms() - t0);
	ck_assert_ptr_nonnull(rep);
	ck_assert_uint_lt(wall, 3000);
	ck_assert_uint_ge(wall, 400);
	ck_assert_int_eq(sc_report_verdict(rep), SC_VERDICT_ERROR);
	for (i = 0; i < sc_report_finding_count(rep); i++) {
		const sc_finding_t *f = sc_report_finding(rep, i);

		ck_assert_str_ne(f->id, "domain.nxdomain");
		unverified |= strcmp(f->id, "dns.unverified") == 0;
	}
	ck_assert(unverified);
	for (i = 0; i < sc_report_record_count(rep); i++)
		timeouts += sc_report_record(rep, i)->outcome == SC_DNS_TIMEOUT;
	ck_assert_int_ge(timeouts, 1);
	ck_assert_uint_gt(queries(&fs), 0);
	sc_report_free(rep);
	sc_ctx_free(ctx);
	dnsfake_stop(&fs);
}
END_TEST

/* A domain whose evidence was missing is not "could not be assessed" for
 * the rest of the run: a check that comes a timeout after its job ended
 * asks again (a timeout earlier it still shares the job), while a domain
 * assessed in full is never asked again. */
START_TEST(test_missing_evidence_asked_again)
{
	struct world w = { E_SILENT };
	struct dnsfake fs;
	sc_ctx_t *ctx;
	sc_report_t *rep = NULL;
	sc_stats_t st;
	unsigned asked;

	ck_assert_int_eq(dnsfake_start(&fs, world_respond, &w), 0);
	/* A timeout long enough that "at once" stays within it even under
	 * valgrind. */
	ctx = new_ctx(&fs, 1000);
	/* No mail server listens here: DNS evidence only. */
	ck_assert_int_eq(sc_ctx_skip_check(ctx, "starttls"), SC_OK);
	ck_assert_int_eq(sc_check(ctx, "a@back.test", &rep), SC_OK);
	ck_assert_int_eq(sc_report_verdict(rep), SC_VERDICT_ERROR);
	sc_report_free(rep);

	/* The server answers now; at once, the job is still shared. */
	__atomic_store_n(&w.mode, E_WORLD, __ATOMIC_SEQ_CST);
	asked = queries(&fs);
	ck_assert_int_eq(sc_check(ctx, "b@back.test", &rep), SC_OK);
	ck_assert_int_eq(sc_report_verdict(rep), SC_VERDICT_ERROR);
	sc_report_free(rep);
	ck_assert_uint_eq(queries(&fs), asked);

	/* A timeout later: a new job, with the evidence this time. */
	usleep(1100 * 1000);
	ck_assert_int_eq(sc_check(ctx, "c@back.test", &rep), SC_OK);
	ck_assert_int_ne(sc_report_verdict(rep), SC_VERDICT_ERROR);
	for (size_t i = 0; i < sc_report_finding_count(rep); i++)
		ck_assert_msg(!sc_report_finding(rep, i)->unverified, "%s",
		              sc_report_finding(rep, i)->id);
	sc_report_free(rep);
	ck_assert_uint_gt(queries(&fs), asked);
	memset(&st, 0, sizeof(st));
	st.size = sizeof(st);
	ck_assert_int_eq(sc_ctx_get_stats(ctx, &st), SC_OK);
	ck_assert_uint_eq(st.domain_misses, 2);
	ck_assert_uint_eq(st.domain_hits, 1);

	/* Assessed in full: shared from now on, however late. */
	asked = queries(&fs);
	usleep(1100 * 1000);
	ck_assert_int_eq(sc_check(ctx, "d@back.test", &rep), SC_OK);
	ck_assert_int_ne(sc_report_verdict(rep), SC_VERDICT_ERROR);
	sc_report_free(rep);
	ck_assert_uint_eq(queries(&fs), asked);
	sc_ctx_free(ctx);
	dnsfake_stop(&fs);
}
END_TEST

/* Evidence that does not come (a domain whose servers stay silent) is
 * asked again twice, a timeout apart, then no more: the run's cost of a
 * dead domain is bounded. */
START_TEST(test_missing_evidence_retries_capped)
{
	struct world w = { E_SILENT };
	struct dnsfake fs;
	sc_ctx_t *ctx;
	sc_report_t *rep = NULL;
	sc_stats_t st;
	unsigned asked = 0;
	int i;

	ck_assert_int_eq(dnsfake_start(&fs, world_respond, &w), 0);
	ctx = new_ctx(&fs, 200);
	ck_assert_int_eq(sc_ctx_skip_check(ctx, "starttls"), SC_OK);
	for (i = 0; i < 4; i++) {
		if (i > 0)
			usleep(250 * 1000);
		ck_assert_int_eq(sc_check(ctx, "a@dead.test", &rep), SC_OK);
		ck_assert_int_eq(sc_report_verdict(rep), SC_VERDICT_ERROR);
		sc_report_free(rep);
		if (i < 3)
			ck_assert_uint_gt(queries(&fs), asked);
		else
			ck_assert_uint_eq(queries(&fs), asked);
		asked = queries(&fs);
	}
	memset(&st, 0, sizeof(st));
	st.size = sizeof(st);
	ck_assert_int_eq(sc_ctx_get_stats(ctx, &st), SC_OK);
	ck_assert_uint_eq(st.domain_misses, 3);
	ck_assert_uint_eq(st.domain_hits, 1);
	sc_ctx_free(ctx);
	dnsfake_stop(&fs);
}
END_TEST

/* (d) sc_ctx_free() with checks in flight frees everything (ASan/LSan
 * watch) and runs no callback, then or later. */
START_TEST(test_free_with_checks_in_flight)
{
	static const enum emode modes[] = { E_SILENT, E_WORLD };
	size_t k;

	for (k = 0; k < sizeof(modes) / sizeof(modes[0]); k++) {
		struct world w = { modes[k] };
		struct tally t;
		struct dnsfake fs;
		sc_ctx_t *ctx;
		size_t running = 0;

		memset(&t, 0, sizeof(t));
		ck_assert_int_eq(dnsfake_start(&fs, world_respond, &w), 0);
		ctx = new_ctx(&fs, 0);
		ck_assert_int_eq(sc_check_async(ctx, "a@one.test", on_done, &t),
		                 SC_OK);
		ck_assert_int_eq(sc_check_async(ctx, "b@one.test", on_done, &t),
		                 SC_OK);
		ck_assert_int_eq(sc_check_async(ctx, "c@two.test", on_done, &t),
		                 SC_OK);
		/* An invalid address is queued at once: freed unreported too. */
		ck_assert_int_eq(sc_check_async(ctx, "bad", on_done, &t), SC_OK);
		if (modes[k] == E_SILENT) {
			/* Let the queries go out, so c-ares has sockets open. */
			ck_assert_int_eq(sc_perform(ctx, 50, &running), SC_OK);
			ck_assert_uint_eq(running, 3);
		}
		t.calls = 0;
		sc_ctx_free(ctx);
		t.freed = 1;
		ck_assert_int_eq(t.calls, 0);
		/* Answers still on their way find nobody. */
		usleep(100 * 1000);
		ck_assert_int_eq(t.after_free, 0);
		dnsfake_stop(&fs);
	}
}
END_TEST

static void
on_done_resubmit(void *ud, sc_status_t st, sc_report_t *rep)
{
	struct tally *t = ud;
	sc_report_t *inner = (sc_report_t *)1;

	on_done(ud, st, rep);
	if (t->resubmit > 0) {
		t->resubmit--;
		t->resubmit_st = sc_check_async(t->ctx, "next@two.test", on_done,
		                                t);
		t->perform_st = sc_perform(t->ctx, 0, NULL);
		t->check_st = sc_check(t->ctx, "blocking@one.test", &inner);
		if (inner != NULL && inner != (sc_report_t *)1)
			sc_report_free(inner);
	}
}

/* (e) A callback may submit another check (handed out later in the same
 * sc_perform()), but may not run the loop itself: SC_EBUSY. */
START_TEST(test_callback_reentry)
{
	struct world w = { E_WORLD };
	struct tally t;
	struct dnsfake fs;
	sc_ctx_t *ctx;

	memset(&t, 0, sizeof(t));
	ck_assert_int_eq(dnsfake_start(&fs, world_respond, &w), 0);
	ctx = new_ctx(&fs, 0);
	t.ctx = ctx;
	t.resubmit = 1;
	t.resubmit_st = t.perform_st = t.check_st = SC_EINTERNAL;
	ck_assert_int_eq(sc_check_async(ctx, "first@one.test", on_done_resubmit,
	                                &t), SC_OK);
	perform_all(ctx);
	ck_assert_int_eq(t.resubmit_st, SC_OK);
	ck_assert_int_eq(t.perform_st, SC_EBUSY);
	ck_assert_int_eq(t.check_st, SC_EBUSY);
	ck_assert_int_eq(t.calls, 2);
	ck_assert_int_eq(t.reports, 2);
	ck_assert_str_eq(t.last_domain, "two.test");
	ck_assert_uint_ge(dnsfake_count_name(&fs, "two.test"), 2);
	/* After the callbacks, the loop is ours again. */
	ck_assert_int_eq(sc_perform(ctx, 0, NULL), SC_OK);
	sc_ctx_free(ctx);
	dnsfake_stop(&fs);
}
END_TEST

/* A callback submitting at a domain already assessed: answered from the
 * cache in the same sc_perform(), no new query. */
START_TEST(test_callback_resubmit_cached_domain)
{
	struct world w = { E_WORLD };
	struct tally t;
	struct dnsfake fs;
	sc_ctx_t *ctx;
	unsigned before;

	memset(&t, 0, sizeof(t));
	ck_assert_int_eq(dnsfake_start(&fs, world_respond, &w), 0);
	ctx = new_ctx(&fs, 0);
	ck_assert_int_eq(sc_check_async(ctx, "a@two.test", on_done, &t), SC_OK);
	perform_all(ctx);
	before = queries(&fs);
	t.ctx = ctx;
	t.resubmit = 1;
	ck_assert_int_eq(sc_check_async(ctx, "b@two.test", on_done_resubmit,
	                                &t), SC_OK);
	ck_assert_int_eq(sc_perform(ctx, 0, NULL), SC_OK);
	ck_assert_int_eq(t.calls, 3);
	ck_assert_int_eq(t.resubmit_st, SC_OK);
	ck_assert_uint_eq(queries(&fs), before);
	sc_ctx_free(ctx);
	dnsfake_stop(&fs);
}
END_TEST

/* An MX host whose name holds an octet that is not printable is asked
 * under that name, not a mangled one ("mx007"), so it resolves: no false
 * mx.dangling.  The records show it in presentation form. */
START_TEST(test_mx_host_with_escaped_label)
{
	struct world w = { E_WORLD };
	struct dnsfake fs;
	sc_report_t *rep = NULL;
	sc_ctx_t *ctx;
	size_t i;
	int found = 0;

	ck_assert_int_eq(dnsfake_start(&fs, world_respond, &w), 0);
	ctx = new_ctx(&fs, 0);
	ck_assert_int_eq(sc_check(ctx, "a@esc.test", &rep), SC_OK);
	for (i = 0; i < sc_report_finding_count(rep); i++)
		ck_assert_str_ne(sc_report_finding(rep, i)->id, "mx.dangling");
	for (i = 0; i < sc_report_record_count(rep); i++) {
		const sc_record_t *r = sc_report_record(rep, i);

		if (strcmp(r->name, "mx\\007.esc.test") == 0 &&
		    strcmp(r->type, "A") == 0) {
			ck_assert_int_eq(r->outcome, SC_DNS_OK);
			found = 1;
		}
	}
	ck_assert(found);
	ck_assert_uint_ge(dnsfake_count_name(&fs, "mx\a.esc.test"), 1);
	sc_report_free(rep);
	sc_ctx_free(ctx);
	dnsfake_stop(&fs);
}
END_TEST

/* MX and the MX host's A answered, everything else silent: the job stays
 * running while a STARTTLS probe waits on a server that never greets. */
static size_t
probe_world(void *arg, const struct dnsfake_query *q, unsigned char *out,
            size_t cap)
{
	struct dnsmsg m;
	char host[300];

	(void)arg;
	if (q->qtype == ns_t_mx && strncmp(q->name, "mx.", 3) != 0) {
		dnsmsg_reply(&m, q, 0, 0, out, cap);
		snprintf(host, sizeof(host), "mx.%s", q->name);
		dnsmsg_mx(&m, NULL, 10, host);
		return m.len;
	}
	if (q->qtype == ns_t_a && strncmp(q->name, "mx.", 3) == 0) {
		dnsmsg_reply(&m, q, 0, 0, out, cap);
		dnsmsg_a(&m, NULL, "127.0.0.1");
		return m.len;
	}
	return 0;
}

static void
drop_report(void *ud, sc_status_t st, sc_report_t *rep)
{
	(void)ud;
	(void)st;
	sc_report_free(rep);
}

/* Freeing the context while a job runs with a probe in flight: the job's
 * deadline timer must leave the loop with it (ASan saw a use-after-free
 * when the probes were torn down after the jobs). */
START_TEST(test_free_with_probe_in_flight)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	struct dnsfake fs;
	sc_ctx_t *ctx = NULL;
	char addr[64];
	size_t running = 0;
	int l, i;

	l = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(l, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(0x7f000001);
	ck_assert_int_eq(bind(l, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(l, 16), 0);
	ck_assert_int_eq(getsockname(l, (struct sockaddr *)&sa, &sl), 0);
	dnsfake_start(&fs, probe_world, NULL);
	ck_assert_int_eq(sc_ctx_new(&ctx), SC_OK);
	ck_assert_int_eq(sc_ctx_set_rules_dir(ctx, test_rules_dir()), SC_OK);
	ck_assert_int_eq(sc_ctx_add_resolver(ctx, dnsfake_addr(&fs, addr,
	                                                       sizeof(addr))),
	                 SC_OK);
	ck_assert_int_eq(sc_ctx_set_allow_loopback(ctx, 1), SC_OK);
	ck_assert_int_eq(sc_ctx_set_smtp_port(ctx, ntohs(sa.sin_port)), SC_OK);
	ck_assert_int_eq(sc_check_async(ctx, "a@one.test", drop_report, NULL),
	                 SC_OK);
	for (i = 0; i < 5; i++)
		sc_perform(ctx, 100, &running);
	ck_assert_uint_eq(running, 1);
	sc_ctx_free(ctx);
	dnsfake_stop(&fs);
	close(l);
}
END_TEST

/* MX records name mx.DOMAIN, at 127.0.0.1; every other question has
 * no records (no MTA-STS, no DANE: mail can be read on the way). */
static size_t
plain_world(void *arg, const struct dnsfake_query *q, unsigned char *out,
            size_t cap)
{
	struct dnsmsg m;

	(void)arg;
	dnsmsg_reply(&m, q, 0, 0, out, cap);
	dnsmsg_mx_world(&m, q);
	return m.len;
}

static const sc_finding_t *
finding_of(const sc_report_t *rep, const char *id)
{
	size_t i;

	for (i = 0; i < sc_report_finding_count(rep); i++)
		if (strcmp(sc_report_finding(rep, i)->id, id) == 0)
			return sc_report_finding(rep, i);
	return NULL;
}

/* Rules loaded again between checks rate as the context's threat model
 * does (the default, full: mail read on the way is high), for a domain
 * not seen yet and for one seen under the old rules, whose cached job is
 * forgotten.  (They were once loaded without the model: an exposed
 * domain became secure.) */
START_TEST(test_rules_reloaded_keep_the_model)
{
	static const char *const addr[] = { "a@one.test", "b@two.test",
	                                    "c@one.test" };
	struct dnsfake fs;
	sc_ctx_t *ctx = NULL;
	sc_stats_t st = { .size = sizeof(st) };
	char res[64];
	size_t i;

	dnsfake_start(&fs, plain_world, NULL);
	ck_assert_int_eq(sc_ctx_new(&ctx), SC_OK);
	ck_assert_int_eq(sc_ctx_set_rules_dir(ctx, test_rules_dir()), SC_OK);
	ck_assert_int_eq(sc_ctx_add_resolver(ctx, dnsfake_addr(&fs, res,
	                                                       sizeof(res))),
	                 SC_OK);
	ck_assert_int_eq(sc_ctx_skip_check(ctx, "starttls"), SC_OK);
	for (i = 0; i < sizeof(addr) / sizeof(addr[0]); i++) {
		sc_report_t *rep = NULL;
		const sc_finding_t *f;

		ck_assert_int_eq(sc_check(ctx, addr[i], &rep), SC_OK);
		f = finding_of(rep, "interception.possible");
		ck_assert_msg(f != NULL, "%s: no interception.possible", addr[i]);
		ck_assert_int_eq(f->severity, SC_SEV_HIGH);
		ck_assert_int_eq(sc_report_verdict(rep), SC_VERDICT_INSECURE);
		sc_report_free(rep);
		if (i == 0) {
			ck_assert_int_eq(sc_ctx_set_rules_dir(ctx,
			                                      test_rules_dir()),
			                 SC_OK);
			ck_assert_int_eq(sc_ctx_get_stats(ctx, &st), SC_OK);
			ck_assert_uint_eq(st.domains_cached, 0);
		}
	}
	ck_assert_int_eq(sc_ctx_get_stats(ctx, &st), SC_OK);
	ck_assert_uint_eq(st.domain_misses, 3); /* one.test asked again */
	sc_ctx_free(ctx);
	dnsfake_stop(&fs);
}
END_TEST

Suite *engine_suite(void)
{
	Suite *s = suite_create("engine");
	TCase *tc = tcase_create("fake-server");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_one_set_of_lookups_per_domain);
	tcase_add_test(tc, test_cache_outlives_the_first_round);
	tcase_add_test(tc, test_implicit_mx_asked_after_mx);
	tcase_add_test(tc, test_question_asked_once);
	tcase_add_test(tc, test_two_domains_in_parallel);
	tcase_add_test(tc, test_deadline_bounds_a_silent_server);
	tcase_add_test(tc, test_free_with_checks_in_flight);
	tcase_add_test(tc, test_free_with_probe_in_flight);
	tcase_add_test(tc, test_callback_reentry);
	tcase_add_test(tc, test_callback_resubmit_cached_domain);
	tcase_add_test(tc, test_mx_host_with_escaped_label);
	tcase_add_test(tc, test_rules_reloaded_keep_the_model);
	tcase_add_test(tc, test_missing_evidence_asked_again);
	tcase_add_test(tc, test_missing_evidence_retries_capped);
	suite_add_tcase(s, tc);
	return s;
}
