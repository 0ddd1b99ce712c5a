/*
 * The SPF evaluator (RFC 7208 check_host()) on canned DNS, and the check
 * "spf" assessing its evidence.  Answers come from a table, either at
 * once (inside ask(), as c-ares does for a name it cannot send) or later
 * (as from the loop), so both paths of the evaluator run.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include "evidence.h"
#include "spf.h"

/* One canned answer: name, type, outcome, up to 12 rdata strings. */
struct canned {
	const char *name;
	int qtype;
	sc_dns_outcome_t outcome;
	const char *rr[12];
};

struct fake {
	const struct canned *table;
	struct sc_lookup *lookups;     /* all asked, freed at the end */
	struct sc_lookup *later[64];   /* answered by flush() */
	size_t nlater;
	int deferred;
	unsigned asked;
	struct spf_eval *ev;
};

static void
fill(struct sc_lookup *lk, const struct fake *f)
{
	const struct canned *c;
	size_t i;

	lk->done = 1;
	lk->outcome = SC_DNS_NXDOMAIN;
	for (c = f->table; c->name != NULL; c++) {
		if (strcasecmp(c->name, lk->name) != 0)
			continue;
		if (c->qtype != lk->qtype) {
			lk->outcome = SC_DNS_NODATA; /* the name exists */
			continue;
		}
		lk->outcome = c->outcome;
		for (i = 0; i < 12 && c->rr[i] != NULL; i++) {
			const char *s = c->rr[i];

			/* libc, not sc_*: the fake must not fail when the
			 * library's allocations are made to */
			lk->rr = realloc(lk->rr, (lk->n + 1) * sizeof(*lk->rr));
			lk->rr[lk->n].pref = 10;
			lk->rr[lk->n].text = strdup(s);
			lk->rr[lk->n].len = strlen(s);
			lk->n++;
		}
		return;
	}
}

static struct sc_lookup *
fake_ask(void *owner, const char *name, int qtype)
{
	struct fake *f = owner;
	struct sc_lookup *lk = calloc(1, sizeof(*lk));

	lk->name = strdup(name);
	lk->qtype = qtype;
	lk->next = f->lookups;
	f->lookups = lk;
	f->asked++;
	if (f->deferred && f->nlater < 64) {
		f->later[f->nlater++] = lk;
		return lk;
	}
	fill(lk, f);
	sc_spf_eval_answer(f->ev);
	return lk;
}

static void
flush(struct fake *f)
{
	while (f->nlater > 0) {
		struct sc_lookup *lk = f->later[0];

		memmove(f->later, f->later + 1, --f->nlater * sizeof(*f->later));
		fill(lk, f);
		sc_spf_eval_answer(f->ev);
	}
}

static void
fake_free(struct fake *f)
{
	struct sc_lookup *lk, *next;

	for (lk = f->lookups; lk != NULL; lk = next) {
		next = lk->next;
		sc_lookup_free_data(lk);
		sc_free(lk->name);
		sc_free(lk);
	}
}

/* check_host(ip, sender) over the table; ev must be cleared. */
static void
eval(struct spf_eval *ev, struct fake *f, const char *ip, const char *sender,
     int audit)
{
	f->ev = ev;
	ck_assert_int_eq(sc_spf_eval_init(ev, ip, sender, "helo.example",
	                                  fake_ask, f), SC_OK);
	ev->audit = audit;
	sc_spf_eval_start(ev);
	flush(f);
	ck_assert(ev->finished);
}

static sc_spf_result_t
result_of(const struct canned *table, const char *ip, const char *sender,
          int deferred)
{
	struct fake f = { table, NULL, { NULL }, 0, deferred, 0, NULL };
	struct spf_eval ev;
	sc_spf_result_t r;

	eval(&ev, &f, ip, sender, 0);
	r = ev.result;
	sc_spf_eval_clear(&ev);
	fake_free(&f);
	return r;
}

#define TXT ns_t_txt
#define OK SC_DNS_OK

static const struct canned basic[] = {
	{ "x.example", TXT, OK, { "v=spf1 ip4:192.0.2.0/24 include:i.example "
	                          "a:h.example mx -all" } },
	{ "i.example", TXT, OK, { "v=spf1 ip6:2001:db8::/32 ~all" } },
	{ "h.example", ns_t_a, OK, { "198.51.100.7" } },
	{ "x.example", ns_t_mx, OK, { "mx1.example", "mx2.example" } },
	{ "mx2.example", ns_t_a, OK, { "203.0.113.9" } },
	{ "soft.example", TXT, OK, { "v=spf1 ~all" } },
	{ "none.example", TXT, OK, { "hello", "world" } },
	{ "two.example", TXT, OK, { "v=spf1 -all", "v=spf1 +all" } },
	{ "bad.example", TXT, OK, { "v=spf1 a:x.example moo -all" } },
	{ "tmp.example", TXT, SC_DNS_TIMEOUT, { NULL } },
	{ "inc-none.example", TXT, OK, { "v=spf1 include:none.example -all" } },
	{ "red.example", TXT, OK, { "v=spf1 redirect=x.example" } },
	{ "loop.example", TXT, OK, { "v=spf1 include:loop2.example -all" } },
	{ "loop2.example", TXT, OK, { "v=spf1 redirect=loop.example" } },
	{ NULL, 0, 0, { NULL } }
};

START_TEST(test_results)
{
	int d = _i; /* 0: answers at once, 1: answers later */

	ck_assert_int_eq(result_of(basic, "192.0.2.9", "a@x.example", d),
	                 SC_SPF_PASS);
	ck_assert_int_eq(result_of(basic, "2001:db8::1", "a@x.example", d),
	                 SC_SPF_PASS); /* include's ~all does not match */
	ck_assert_int_eq(result_of(basic, "198.51.100.7", "a@x.example", d),
	                 SC_SPF_PASS);
	ck_assert_int_eq(result_of(basic, "203.0.113.9", "a@x.example", d),
	                 SC_SPF_PASS);
	ck_assert_int_eq(result_of(basic, "::ffff:203.0.113.9", "a@x.example",
	                           d), SC_SPF_PASS);
	ck_assert_int_eq(result_of(basic, "203.0.113.10", "a@x.example", d),
	                 SC_SPF_FAIL);
	ck_assert_int_eq(result_of(basic, "203.0.113.10", "a@soft.example", d),
	                 SC_SPF_SOFTFAIL);
	ck_assert_int_eq(result_of(basic, "203.0.113.10", "a@none.example", d),
	                 SC_SPF_NONE);
	ck_assert_int_eq(result_of(basic, "203.0.113.10", "a@gone.example", d),
	                 SC_SPF_NONE);
	ck_assert_int_eq(result_of(basic, "203.0.113.10", "a@single", d),
	                 SC_SPF_NONE);
	ck_assert_int_eq(result_of(basic, "203.0.113.10", "a@two.example", d),
	                 SC_SPF_PERMERROR);
	ck_assert_int_eq(result_of(basic, "203.0.113.10", "a@bad.example", d),
	                 SC_SPF_PERMERROR);
	ck_assert_int_eq(result_of(basic, "203.0.113.10", "a@tmp.example", d),
	                 SC_SPF_TEMPERROR);
	ck_assert_int_eq(result_of(basic, "203.0.113.10", "a@inc-none.example",
	                           d), SC_SPF_PERMERROR);
	ck_assert_int_eq(result_of(basic, "192.0.2.9", "a@red.example", d),
	                 SC_SPF_PASS);
	ck_assert_int_eq(result_of(basic, "203.0.113.10", "a@loop.example", d),
	                 SC_SPF_PERMERROR);
}
END_TEST

static const struct canned limits[] = {
	{ "many.example", TXT, OK, { "v=spf1 include:a.example include:b.example "
	                             "include:c.example -all" } },
	{ "a.example", TXT, OK, { "v=spf1 a:h.example a:h.example a:h.example "
	                          "mx:h.example -all" } },
	{ "b.example", TXT, OK, { "v=spf1 a:h.example a:h.example a:h.example "
	                          "mx:h.example -all" } },
	{ "c.example", TXT, OK, { "v=spf1 a:h.example -all" } },
	{ "h.example", ns_t_a, OK, { "198.51.100.7" } },
	{ "h.example", ns_t_mx, OK, { "h.example" } },
	{ "voids.example", TXT, OK, { "v=spf1 a:n1.example a:n2.example "
	                              "a:n3.example -all" } },
	{ "two-voids.example", TXT, OK, { "v=spf1 a:n1.example a:n2.example "
	                                  "-all" } },
	{ "bigmx.example", TXT, OK, { "v=spf1 mx -all" } },
	{ "bigmx.example", ns_t_mx, OK, { "1.x", "2.x", "3.x", "4.x", "5.x",
	                                  "6.x", "7.x", "8.x", "9.x", "10.x",
	                                  "11.x" } },
	{ NULL, 0, 0, { NULL } }
};

START_TEST(test_limits)
{
	struct fake f = { limits, NULL, { NULL }, 0, 0, 0, NULL };
	struct spf_eval ev;

	/* 3 includes + 4 + 4 + 1 = 12: a receiver stops at the 11th */
	eval(&ev, &f, "192.0.2.1", "a@many.example", 0);
	ck_assert_int_eq(ev.result, SC_SPF_PERMERROR);
	ck_assert_int_eq(ev.perm, SPF_PERM_LOOKUPS);
	ck_assert_uint_eq(ev.lookups, 11);
	sc_spf_eval_clear(&ev);
	/* the assessment walks on and reports the real count, per branch */
	eval(&ev, &f, "192.0.2.1", "a@many.example", 1);
	ck_assert_int_eq(ev.result, SC_SPF_PERMERROR);
	ck_assert_uint_eq(ev.lookups, 12);
	ck_assert_uint_eq(ev.root->lookups, 3);
	ck_assert_uint_eq(ev.root->child->lookups, 4);
	ck_assert_str_eq(ev.root->child->next->next->domain, "c.example");
	sc_spf_eval_clear(&ev);
	eval(&ev, &f, "192.0.2.1", "a@voids.example", 0);
	ck_assert_int_eq(ev.perm, SPF_PERM_VOIDS);
	sc_spf_eval_clear(&ev);
	eval(&ev, &f, "192.0.2.1", "a@two-voids.example", 0);
	ck_assert_int_eq(ev.result, SC_SPF_FAIL);
	ck_assert_uint_eq(ev.voids, 2);
	sc_spf_eval_clear(&ev);
	eval(&ev, &f, "192.0.2.1", "a@bigmx.example", 0);
	ck_assert_int_eq(ev.perm, SPF_PERM_MX_NAMES);
	sc_spf_eval_clear(&ev);
	fake_free(&f);
}
END_TEST

static const struct canned exps[] = {
	{ "e.example", TXT, OK, { "v=spf1 -all exp=why.%{d}" } },
	{ "why.e.example", TXT, OK, { "%{i} is not %{l} of %{o}" } },
	{ "e2.example", TXT, OK, { "v=spf1 -all exp=gone.example" } },
	{ "e3.example", TXT, OK, { "v=spf1 include:e.example redirect=e.example" } },
	{ NULL, 0, 0, { NULL } }
};

START_TEST(test_explanation)
{
	struct fake f = { exps, NULL, { NULL }, 0, 1, 0, NULL };
	struct spf_eval ev;

	eval(&ev, &f, "192.0.2.1", "bob@e.example", 0);
	ck_assert_int_eq(ev.result, SC_SPF_FAIL);
	ck_assert_str_eq(ev.explanation, "192.0.2.1 is not bob of e.example");
	sc_spf_eval_clear(&ev);
	eval(&ev, &f, "192.0.2.1", "bob@e2.example", 0);
	ck_assert_str_eq(ev.explanation,
	                 "192.0.2.1 is not authorised to send mail for "
	                 "e2.example");
	sc_spf_eval_clear(&ev);
	/* through a redirect, the target's exp= counts (6.2) */
	eval(&ev, &f, "192.0.2.1", "bob@e3.example", 0);
	ck_assert_str_eq(ev.explanation, "192.0.2.1 is not bob of e3.example");
	sc_spf_eval_clear(&ev);
	fake_free(&f);
}
END_TEST

/* An include bomb: every record includes the next five; bounded by the
 * audit cap, a finding and no crash. */
START_TEST(test_include_bomb)
{
	static struct canned bomb[64];
	static char names[60][32], recs[60][200];
	struct fake f = { bomb, NULL, { NULL }, 0, 1, 0, NULL };
	struct spf_eval ev;
	int i, k;

	for (i = 0; i < 60; i++) {
		int o = 0;

		snprintf(names[i], sizeof(names[i]), "b%d.example", i);
		o += snprintf(recs[i] + o, sizeof(recs[i]) - o, "v=spf1");
		for (k = 1; k <= 5; k++)
			o += snprintf(recs[i] + o, sizeof(recs[i]) - o,
			              " include:b%d.example", (i + k) % 60);
		snprintf(recs[i] + o, sizeof(recs[i]) - o, " -all");
		bomb[i].name = names[i];
		bomb[i].qtype = ns_t_txt;
		bomb[i].outcome = OK;
		bomb[i].rr[0] = recs[i];
	}
	eval(&ev, &f, "192.0.2.1", "a@b0.example", 1);
	ck_assert_int_eq(ev.result, SC_SPF_PERMERROR);
	ck_assert_uint_le(f.asked, SPF_AUDIT_CAP + 2);
	sc_spf_eval_clear(&ev);
	fake_free(&f);
}
END_TEST

START_TEST(test_threshold)
{
	struct spf_eval ev;
	struct fake f = { NULL, NULL, { NULL }, 0, 0, 0, NULL };
	static const struct canned wide[] = {
		{ "w1.example", TXT, OK, { "v=spf1 ip4:0.0.0.0/1 -all" } },
		{ "w2.example", TXT, OK, { "v=spf1 ip4:10.0.0.0/8 ip4:10.1.0.0/16 "
		                           "-all" } },
		{ "w3.example", TXT, OK, { "v=spf1 ip4:10.0.0.0/8 ip4:11.0.0.0/24 "
		                           "-all" } },
		{ "w4.example", TXT, OK, { "v=spf1 ip6:2000::/16 -all" } },
		{ "w5.example", TXT, OK, { "v=spf1 -ip4:0.0.0.0/0 ip6:2001:db8::/32 "
		                           "a/4 -all" } },
		{ "w6.example", TXT, OK, { "v=spf1 ?include:w1.example -all" } },
		{ NULL, 0, 0, { NULL } }
	};

	f.table = wide;
	eval(&ev, &f, "192.0.2.1", "a@w1.example", 1);
	ck_assert(sc_spf_too_wide(&ev));
	ck_assert_uint_eq(sc_spf_v4_space(&ev), 1u << 31);
	sc_spf_eval_clear(&ev);
	eval(&ev, &f, "192.0.2.1", "a@w2.example", 1);
	ck_assert(!sc_spf_too_wide(&ev)); /* exactly a /8: overlaps merged */
	ck_assert_uint_eq(sc_spf_v4_space(&ev), 1u << 24);
	sc_spf_eval_clear(&ev);
	eval(&ev, &f, "192.0.2.1", "a@w3.example", 1);
	ck_assert(sc_spf_too_wide(&ev));
	sc_spf_eval_clear(&ev);
	eval(&ev, &f, "192.0.2.1", "a@w4.example", 1);
	ck_assert(sc_spf_too_wide(&ev));
	sc_spf_eval_clear(&ev);
	eval(&ev, &f, "192.0.2.1", "a@w5.example", 1);
	ck_assert(sc_spf_too_wide(&ev)); /* a/4 */
	sc_spf_eval_clear(&ev);
	eval(&ev, &f, "192.0.2.1", "a@w6.example", 1);
	ck_assert(!sc_spf_too_wide(&ev)); /* ?include never passes */
	sc_spf_eval_clear(&ev);
	fake_free(&f);
}
END_TEST

/* ---- the check's assess on canned evidence ----------------------------- */

static struct sc_ctx ctx;
static struct fake assess_fake;

/* The check's assessment of domain; the description too, its text in
 * *text if text is not NULL (else only exercised). */
static struct sc_hits
assess_for(const struct canned *table, const char *domain, int run_it,
           char **text)
{
	struct sc_domain *dom = ev_domain(&ctx, domain);
	struct spf_eval *ev = sc_calloc(1, sizeof(*ev));
	struct sc_hits h;
	char sender[128];

	memset(&assess_fake, 0, sizeof(assess_fake));
	assess_fake.table = table;
	snprintf(sender, sizeof(sender), "postmaster@%s", domain);
	assess_fake.ev = ev;
	ck_assert_int_eq(sc_spf_eval_init(ev, "192.0.2.1", sender, domain,
	                                  fake_ask, &assess_fake), SC_OK);
	ev->audit = 1;
	if (run_it)
		sc_spf_eval_start(ev);
	*sc_check_state(dom, &sc_check_spf) = ev;
	memset(&h, 0, sizeof(h));
	sc_check_spf.assess(dom, &h);
	json_decref(sc_describe_json(&sc_check_spf, dom));
	if (text != NULL)
		*text = ev_described(&sc_check_spf, dom);
	sc_check_spf.clear(dom);
	ev_free(dom);
	fake_free(&assess_fake);
	return h;
}

static const struct canned policies[] = {
	{ "good.example", TXT, OK, { "v=spf1 mx -all" } },
	{ "good.example", ns_t_mx, OK, { "mx.good.example" } },
	{ "mx.good.example", ns_t_a, OK, { "198.51.100.1" } },
	{ "plus.example", TXT, OK, { "v=spf1 +all" } },
	{ "qm.example", TXT, OK, { "v=spf1 ?all" } },
	{ "noall.example", TXT, OK, { "v=spf1 ip4:198.51.100.1" } },
	{ "soft.example", TXT, OK, { "v=spf1 ~all" } },
	{ "none.example", TXT, SC_DNS_NODATA, { NULL } },
	{ "two.example", TXT, OK, { "v=spf1 -all", "v=spf1 -all" } },
	{ "bad.example", TXT, OK, { "v=spf1 ip4:1.2.3.4/40 -all" } },
	{ "tmp.example", TXT, SC_DNS_SERVFAIL, { NULL } },
	{ "wide.example", TXT, OK, { "v=spf1 ip4:0.0.0.0/1 -all" } },
	{ "red.example", TXT, OK, { "v=spf1 redirect=good.example" } },
	{ "voids.example", TXT, OK, { "v=spf1 a:n1.example a:n2.example "
	                              "a:n3.example -all" } },
	{ NULL, 0, 0, { NULL } }
};

static void
expect_hit(const char *domain, const char *id, int incomplete)
{
	struct sc_hits h = assess_for(policies, domain, 1, NULL);

	if (id == NULL)
		ck_assert_msg(h.n == 0, "%s: %s", domain,
		              h.n ? h.hit[0].id : "");
	else
		ck_assert_msg(ev_hit(&h, id) != NULL, "%s: no %s", domain, id);
	ck_assert_int_eq(sc_hits_missing(&h), incomplete);
	sc_hits_clear(&h);
}

START_TEST(test_assess)
{
	expect_hit("good.example", NULL, 0);
	expect_hit("red.example", NULL, 0); /* redirect= is fine */
	expect_hit("plus.example", "spf.permissive", 0);
	expect_hit("qm.example", "spf.permissive", 0);
	expect_hit("noall.example", "spf.permissive", 0);
	expect_hit("soft.example", "spf.softfail", 0);
	expect_hit("none.example", "spf.missing", 0);
	expect_hit("gone.example", NULL, 0); /* NXDOMAIN: domain.nxdomain */
	expect_hit("two.example", "spf.multiple", 0);
	expect_hit("bad.example", "spf.invalid", 0);
	expect_hit("wide.example", "spf.permissive", 0);
	expect_hit("voids.example", "spf.void_lookups", 0);
	/* a DNS error is a temperror, never "no record" */
	expect_hit("tmp.example", "dns.unverified", 1);
}
END_TEST

START_TEST(test_assess_unfinished)
{
	struct sc_hits h = assess_for(policies, "good.example", 0, NULL);

	ck_assert_ptr_nonnull(ev_hit(&h, "dns.unverified"));
	ck_assert_ptr_null(ev_hit(&h, "spf.missing"));
	ck_assert_int_eq(sc_hits_missing(&h), 1);
	sc_hits_clear(&h);
}
END_TEST

/* The description, byte for byte: the text is what the jansson tree this
 * writer replaced gave (json_dumps, JSON_COMPACT). */
static const struct canned described[] = {
	{ "d.example", TXT, OK, { "v=spf1 a:void1.example include:i1.example "
	                          "redirect=r.example" } },
	{ "i1.example", TXT, OK, { "v=spf1 ip4:198.51.100.0/24 "
	                           "a:void2.example ?all" } },
	{ "r.example", TXT, OK, { "v=spf1 mx include:i2.example -all" } },
	{ "r.example", ns_t_mx, OK, { "mx.r.example" } },
	{ "mx.r.example", ns_t_a, OK, { "198.51.100.7" } },
	{ "i2.example", TXT, OK, { "v=spf1 ip4:203.0.113.0/24 -all" } },
	{ "e.example", TXT, OK, { "v=spf1 include:gone.example -all" } },
	{ "q.example", TXT, OK, { "v=spf1 a:x.example mo\"o\\ -all" } },
	{ "t.example", TXT, OK, { "v=spf1 include:tmp.example -all" } },
	{ "tmp.example", TXT, SC_DNS_SERVFAIL, { NULL } },
	{ "u.example", TXT, OK, { "v=spf1 -all exp=\xff\xfe" } },
	{ NULL, 0, 0, { NULL } }
};

static void
expect_text(const char *domain, int run_it, const char *want)
{
	char *text = NULL;
	struct sc_hits h = assess_for(described, domain, run_it, &text);

	ck_assert_ptr_nonnull(text);
	ck_assert_str_eq(text, want);
	sc_free(text);
	sc_hits_clear(&h);
}

START_TEST(test_describe_text)
{
	struct sc_domain *dom = ev_domain(&ctx, "x.example");

	expect_text("d.example", 1,
	    "\"spf\":{\"record\":\"v=spf1 a:void1.example include:i1.example "
	    "redirect=r.example\",\"result_for_all\":\"fail\","
	    "\"spoofer_ip\":\"192.0.2.1\",\"lookups\":6,\"void_lookups\":2,"
	    "\"ipv4_authorised\":512,\"term\":\"-all\","
	    "\"tree\":{\"domain\":\"d.example\","
	    "\"record\":\"v=spf1 a:void1.example include:i1.example "
	    "redirect=r.example\",\"lookups\":6,\"void_lookups\":2,"
	    "\"children\":[{\"domain\":\"i1.example\",\"via\":\"include\","
	    "\"record\":\"v=spf1 ip4:198.51.100.0/24 a:void2.example ?all\","
	    "\"lookups\":1,\"void_lookups\":1,\"children\":[]},"
	    "{\"domain\":\"r.example\",\"via\":\"redirect\","
	    "\"record\":\"v=spf1 mx include:i2.example -all\",\"lookups\":2,"
	    "\"void_lookups\":0,\"children\":[{\"domain\":\"i2.example\","
	    "\"via\":\"include\","
	    "\"record\":\"v=spf1 ip4:203.0.113.0/24 -all\",\"lookups\":0,"
	    "\"void_lookups\":0,\"children\":[]}]}]}}");
	expect_text("e.example", 1,
	    "\"spf\":{\"record\":\"v=spf1 include:gone.example -all\","
	    "\"result_for_all\":\"permerror\",\"spoofer_ip\":\"192.0.2.1\","
	    "\"lookups\":1,\"void_lookups\":0,\"ipv4_authorised\":0,"
	    "\"error\":\"include target gone.example has no SPF record\","
	    "\"term\":\"include:gone.example\","
	    "\"tree\":{\"domain\":\"e.example\","
	    "\"record\":\"v=spf1 include:gone.example -all\",\"lookups\":1,"
	    "\"void_lookups\":0,"
	    "\"error\":\"include target gone.example has no SPF record\","
	    "\"children\":[{\"domain\":\"gone.example\",\"via\":\"include\","
	    "\"record\":null,\"lookups\":0,\"void_lookups\":0,"
	    "\"error\":\"no SPF record\",\"children\":[]}]}}");
	expect_text("q.example", 1,
	    "\"spf\":{\"record\":\"v=spf1 a:x.example mo\\\"o\\\\ -all\","
	    "\"result_for_all\":\"permerror\",\"spoofer_ip\":\"192.0.2.1\","
	    "\"lookups\":0,\"void_lookups\":0,\"ipv4_authorised\":0,"
	    "\"error\":\"unknown mechanism: \\\"mo\\\"o\\\\\\\" in the record "
	    "of q.example\",\"term\":\"mo\\\"o\\\\\","
	    "\"tree\":{\"domain\":\"q.example\","
	    "\"record\":\"v=spf1 a:x.example mo\\\"o\\\\ -all\",\"lookups\":0,"
	    "\"void_lookups\":0,"
	    "\"error\":\"unknown mechanism: \\\"mo\\\"o\\\\\\\" in the record "
	    "of q.example\",\"children\":[]}}");
	expect_text("t.example", 1,
	    "\"spf\":{\"record\":\"v=spf1 include:tmp.example -all\","
	    "\"result_for_all\":\"temperror\",\"spoofer_ip\":\"192.0.2.1\","
	    "\"lookups\":1,\"void_lookups\":0,\"ipv4_authorised\":0,"
	    "\"error\":\"the TXT lookup of tmp.example failed (servfail)\","
	    "\"tree\":{\"domain\":\"t.example\","
	    "\"record\":\"v=spf1 include:tmp.example -all\",\"lookups\":1,"
	    "\"void_lookups\":0,\"children\":[{\"domain\":\"tmp.example\","
	    "\"via\":\"include\",\"record\":null,\"lookups\":0,"
	    "\"void_lookups\":0,"
	    "\"error\":\"the TXT lookup of tmp.example failed (servfail)\","
	    "\"children\":[]}]}}");
	expect_text("d.example", 0,
	    "\"spf\":{\"record\":null,\"result_for_all\":\"temperror\","
	    "\"spoofer_ip\":\"192.0.2.1\",\"lookups\":0,\"void_lookups\":0,"
	    "\"ipv4_authorised\":0,\"tree\":null}");
	/* A record that is not UTF-8 (the tree failed on it, and with it the
	 * domain's report): '?' for what JSON cannot hold. */
	expect_text("u.example", 1,
	    "\"spf\":{\"record\":\"v=spf1 -all exp=??\","
	    "\"result_for_all\":\"permerror\",\"spoofer_ip\":\"192.0.2.1\","
	    "\"lookups\":0,\"void_lookups\":0,\"ipv4_authorised\":0,"
	    "\"error\":\"non-ASCII character in a term: \\\"exp=??\\\" in the "
	    "record of u.example\",\"term\":\"exp=??\","
	    "\"tree\":{\"domain\":\"u.example\","
	    "\"record\":\"v=spf1 -all exp=??\",\"lookups\":0,"
	    "\"void_lookups\":0,"
	    "\"error\":\"non-ASCII character in a term: \\\"exp=??\\\" in the "
	    "record of u.example\",\"children\":[]}}");
	/* no evaluation at all */
	ev_assert_described(&sc_check_spf, dom, "\"spf\":{}");
	ev_free(dom);
}
END_TEST

START_TEST(test_api_arguments)
{
	sc_spf_result_t r;
	char *e = NULL;
	sc_ctx_t *c = NULL;

	ck_assert_int_eq(sc_spf_check_host(NULL, "192.0.2.1", "a@b.example",
	                                   NULL, &r, &e), SC_EINVAL);
	ck_assert_int_eq(sc_ctx_new(&c), SC_OK);
	ck_assert_int_eq(sc_spf_check_host(c, NULL, "a@b.example", NULL, &r,
	                                   &e), SC_EINVAL);
	ck_assert_int_eq(sc_spf_check_host(c, "192.0.2.1", "a@b.example", NULL,
	                                   NULL, &e), SC_EINVAL);
	ck_assert_str_eq(sc_spf_result_str(SC_SPF_SOFTFAIL), "softfail");
	ck_assert_str_eq(sc_spf_result_str((sc_spf_result_t)99), "?");
	sc_ctx_free(c);
}
END_TEST

/* Out of memory anywhere in an evaluation: an error result, no leak. */
START_TEST(test_out_of_memory)
{
	unsigned long n;
	int ok = 0;

	for (n = 1; n < 400 && !ok; n++) {
		struct fake f = { basic, NULL, { NULL }, 0, 0, 0, NULL };
		struct spf_eval ev;
		sc_status_t st;

		f.ev = &ev;
		sc_alloc_fail_at(n);
		st = sc_spf_eval_init(&ev, "192.0.2.9", "a@x.example", "h.example",
		                      fake_ask, &f);
		if (st == SC_OK) {
			sc_spf_eval_start(&ev);
			ok = ev.finished && ev.result == SC_SPF_PASS;
			sc_spf_eval_clear(&ev);
		}
		sc_alloc_fail_at(0);
		fake_free(&f);
	}
	ck_assert(ok);
}
END_TEST

Suite *spf_suite(void)
{
	Suite *s = suite_create("spf");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_results, 0, 2);
	tcase_add_test(tc, test_limits);
	tcase_add_test(tc, test_explanation);
	tcase_add_test(tc, test_include_bomb);
	tcase_add_test(tc, test_threshold);
	tcase_add_test(tc, test_assess);
	tcase_add_test(tc, test_assess_unfinished);
	tcase_add_test(tc, test_describe_text);
	tcase_add_test(tc, test_api_arguments);
	tcase_add_test(tc, test_out_of_memory);
	suite_add_tcase(s, tc);
	return s;
}
