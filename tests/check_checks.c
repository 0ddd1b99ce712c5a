/*
 * The registry (scorer/checks.c) and the hooks through which the core
 * reaches a check: a fake check, registered on a context of its own
 * (sc_ctx_test_check()), logs every hook the core calls, so the order of
 * a check's life shows; then the whole check is walked with every
 * allocation failing in turn (as check_oom.c does), the fake check's own
 * allocations included: SC_OK or SC_ENOMEM, never a leak or a crash.
 * The fake DNS server of tests/dnsfake.h answers for one domain.
 */
#include <arpa/nameser.h>
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "checks.h"
#include "dnsfake.h"
#include "internal.h"
#include "json_write.h"
#include "testutil.h"

#define DOMAIN "fake.test"

static size_t
respond(void *arg, const struct dnsfake_query *q, unsigned char *out,
        size_t cap)
{
	struct dnsmsg m;

	(void)arg;
	dnsmsg_reply(&m, q, ns_r_noerror, 0, out, cap);
	if (strcasecmp(q->name, DOMAIN) == 0 && q->qtype == ns_t_mx)
		dnsmsg_mx(&m, NULL, 10, "mx." DOMAIN);
	else if (strcasecmp(q->name, "mx." DOMAIN) == 0 && q->qtype == ns_t_a)
		dnsmsg_a(&m, NULL, "192.0.2.25");
	return m.len;
}

/* What the fake check saw, in order: one letter a hook. */
static char calls[64];

static void
called(char c)
{
	size_t n = strlen(calls);

	if (n + 1 < sizeof(calls)) {
		calls[n] = c;
		calls[n + 1] = '\0';
	}
}

struct fake_ctx {
	unsigned long domains;
};

struct fake_dom {
	struct sc_lookup *txt;
	int judged;
};

/* I: ctx_init; F: ctx_free; S: start; J: finish; A: assess;
 * D: describe; C: clear; s, a, c: the address hooks. */
static sc_status_t
fake_ctx_init(struct sc_ctx *ctx, const char *dir, void *old, void **out)
{
	(void)ctx;
	(void)dir;
	called('I');
	if (old != NULL) {
		*out = old;
		return SC_OK;
	}
	*out = sc_calloc(1, sizeof(struct fake_ctx));
	return *out != NULL ? SC_OK : SC_ENOMEM;
}

static void
fake_ctx_free(struct sc_ctx *ctx, void *state)
{
	(void)ctx;
	called('F');
	sc_free(state);
}

static sc_status_t
fake_start(struct sc_domain *dom)
{
	void **slot = sc_check_state(dom, sc_check_at(dom->ctx, sc_ncheck));
	struct fake_dom *fd;

	called('S');
	if ((fd = sc_calloc(1, sizeof(*fd))) == NULL)
		return dom->status = SC_ENOMEM;
	*slot = fd;
	/* Work of its own on the domain job: a lookup. */
	fd->txt = sc_domain_lookup(dom, "_fake." DOMAIN, ns_t_txt, NULL);
	return dom->status;
}

static void
fake_finish(struct sc_domain *dom)
{
	struct fake_dom *fd = sc_check_state_get(dom,
	                                         sc_check_at(dom->ctx, sc_ncheck));
	struct fake_ctx *fc = sc_check_ctx(dom->ctx,
	                                   sc_check_at(dom->ctx, sc_ncheck));

	called('J');
	if (fd != NULL)
		fd->judged = 1;
	if (fc != NULL)
		fc->domains++;
}

static void
fake_assess(const struct sc_domain *dom, struct sc_hits *out)
{
	const struct fake_dom *fd =
	    sc_check_state_get(dom, sc_check_at(dom->ctx, sc_ncheck));

	called('A');
	if (fd != NULL && fd->judged)
		sc_hits_add(out, "fake.seen", "the fake check judged %s",
		            dom->name);
}

static void
fake_describe(const struct sc_domain *dom, struct sc_jw *jw)
{
	(void)dom;
	called('D');
	sc_jw_lit(jw, "{");
	sc_jw_key(jw, "fake");
	sc_jw_bool(jw, 1);
	sc_jw_lit(jw, "}");
}

static void
fake_clear(struct sc_domain *dom)
{
	void **slot = sc_check_state(dom, sc_check_at(dom->ctx, sc_ncheck));

	called('C');
	sc_free(*slot);
	*slot = NULL;
}

static sc_status_t
fake_start_address(struct sc_req *req)
{
	(void)req;
	called('s');
	return SC_OK;
}

static void
fake_assess_address(const struct sc_req *req, struct sc_hits *out)
{
	(void)req;
	(void)out;
	called('a');
}

static void
fake_clear_address(struct sc_req *req)
{
	(void)req;
	called('c');
}

static const char *const fake_ids[] = { "fake.seen", NULL };

static const struct sc_check fake = {
	.name = "fake",
	.ids = fake_ids,
	.ctx_init = fake_ctx_init,
	.ctx_free = fake_ctx_free,
	.start = fake_start,
	.finish = fake_finish,
	.assess = fake_assess,
	.describe = fake_describe,
	.clear = fake_clear,
	.start_address = fake_start_address,
	.assess_address = fake_assess_address,
	.clear_address = fake_clear_address,
};

static sc_ctx_t *
new_ctx(const struct dnsfake *fs, sc_status_t *st)
{
	static const char *const skip[] = { "starttls", "mta_sts", "dane",
	                                    "breach", "spf", "dmarc",
	                                    "tlsrpt" };
	sc_ctx_t *ctx = NULL;
	char addr[64];
	size_t i;

	if ((*st = sc_ctx_new(&ctx)) != SC_OK)
		return NULL;
	sc_ctx_test_check(ctx, &fake);
	if ((*st = sc_ctx_set_rules_dir(ctx, test_rules_dir())) != SC_OK ||
	    (*st = sc_ctx_add_resolver(ctx, dnsfake_addr(fs, addr,
	                                                 sizeof(addr)))) !=
	        SC_OK ||
	    (*st = sc_ctx_set_timeout_ms(ctx, 5000)) != SC_OK) {
		sc_ctx_free(ctx);
		return NULL;
	}
	for (i = 0; i < sizeof(skip) / sizeof(skip[0]); i++)
		if ((*st = sc_ctx_skip_check(ctx, skip[i])) != SC_OK) {
			sc_ctx_free(ctx);
			return NULL;
		}
	return ctx;
}

/* A check's life, in the order the core calls its hooks. */
START_TEST(test_hook_order)
{
	struct dnsfake fs;
	sc_report_t *rep = NULL;
	sc_status_t st;
	sc_ctx_t *ctx;
	char *js = NULL;

	calls[0] = '\0';
	ck_assert_int_eq(dnsfake_start(&fs, respond, NULL), 0);
	ctx = new_ctx(&fs, &st);
	ck_assert_ptr_nonnull(ctx);
	ck_assert_str_eq(calls, "I");          /* with the rules */
	ck_assert_int_eq(sc_check(ctx, "user@" DOMAIN, &rep), SC_OK);
	/* start, the address's start, then once the evidence is in:
	 * finish, assess, describe; the address's assess; and the request
	 * goes with its delivery (clear_address). */
	ck_assert_str_eq(calls, "ISsJADac");
	ck_assert_ptr_nonnull(strstr(sc_report_headline(rep), "") );
	ck_assert_int_eq(sc_report_json(rep, &js), SC_OK);
	ck_assert_ptr_nonnull(strstr(js, "\"fake\":{\"fake\":true}"));
	ck_assert_ptr_nonnull(strstr(js, "\"id\":\"fake.seen\""));
	sc_free(js);
	sc_report_free(rep);
	/* A second address of the domain: the job is cached, no hook runs
	 * for it but the address's own. */
	ck_assert_int_eq(sc_check(ctx, "other@" DOMAIN, &rep), SC_OK);
	ck_assert_str_eq(calls, "ISsJADacsac");
	sc_report_free(rep);
	/* The same rules again: the state that does not come from them is
	 * kept (ctx_init gets it back as old); the cached job, rated by the
	 * old rules, is forgotten (clear). */
	ck_assert_int_eq(sc_ctx_set_rules_dir(ctx, test_rules_dir()), SC_OK);
	ck_assert_str_eq(calls, "ISsJADacsacIC");
	/* Teardown: no job left; the states. */
	sc_ctx_free(ctx);
	ck_assert_str_eq(calls, "ISsJADacsacICF");
	dnsfake_stop(&fs);
}
END_TEST

/* A bad rules directory changes nothing: the new states are freed, the
 * old stay. */
START_TEST(test_staged_init)
{
	struct dnsfake fs;
	sc_status_t st;
	sc_ctx_t *ctx;
	void *before;

	ck_assert_int_eq(dnsfake_start(&fs, respond, NULL), 0);
	ctx = new_ctx(&fs, &st);
	ck_assert_ptr_nonnull(ctx);
	before = sc_check_ctx(ctx, &fake);
	ck_assert_ptr_nonnull(before);
	ck_assert_int_ne(sc_ctx_set_rules_dir(ctx, "/nonexistent/rules"),
	                 SC_OK);
	ck_assert_ptr_eq(sc_check_ctx(ctx, &fake), before);
	ck_assert_ptr_nonnull(sc_check_ctx(ctx, &sc_check_disposable));
	sc_ctx_free(ctx);
	dnsfake_stop(&fs);
}
END_TEST

/* Every allocation of a whole check fails in turn, the fake check's
 * included: a report or SC_ENOMEM, never a crash or a leak. */
START_TEST(test_oom_walk)
{
	struct dnsfake fs;
	unsigned long n;
	int done = 0;

	ck_assert_int_eq(dnsfake_start(&fs, respond, NULL), 0);
	for (n = 1; n < 100000 && !done; n++) {
		sc_report_t *rep = NULL;
		unsigned long used;
		sc_status_t st;
		sc_ctx_t *ctx;

		sc_alloc_fail_at(n);
		ctx = new_ctx(&fs, &st);
		if (ctx != NULL)
			st = sc_check(ctx, "user@" DOMAIN, &rep);
		used = sc_alloc_count();
		sc_alloc_fail_at(0);
		ck_assert_msg(st == SC_OK || st == SC_ENOMEM || st == SC_ERULES,
		              "n=%lu: %s", n, sc_strerror(st));
		ck_assert_msg(st == SC_OK || rep == NULL, "n=%lu", n);
		if (st == SC_OK && used < n)
			done = 1;
		sc_report_free(rep);
		sc_ctx_free(ctx);
	}
	dnsfake_stop(&fs);
	ck_assert_msg(done, "the walk did not reach the end (n=%lu)", n);
}
END_TEST

/* The registry's names, and the one check of a test after them. */
START_TEST(test_registry)
{
	sc_ctx_t *ctx;
	size_t i;

	ck_assert_int_eq(sc_ctx_new(&ctx), SC_OK);
	for (i = 0; i < sc_ncheck; i++) {
		ck_assert_ptr_eq(sc_check_at(ctx, i), sc_checks[i]);
		ck_assert_str_eq(sc_check_name(i), sc_checks[i]->name);
		ck_assert_uint_eq(sc_check_index(sc_checks[i]), i);
	}
	ck_assert_ptr_null(sc_check_at(ctx, sc_ncheck));
	ck_assert_ptr_null(sc_check_name(sc_ncheck));
	sc_ctx_test_check(ctx, &fake);
	ck_assert_ptr_eq(sc_check_at(ctx, sc_ncheck), &fake);
	ck_assert_ptr_null(sc_check_at(ctx, sc_ncheck + 1));
	ck_assert_uint_eq(sc_check_index(&fake), SC_MAX_CHECKS - 1);
	/* The required ones cannot be skipped; an unknown one is not
	 * found. */
	ck_assert_int_eq(sc_ctx_skip_check(ctx, "domain"), SC_EINVAL);
	ck_assert_int_eq(sc_ctx_skip_check(ctx, "resolver"), SC_EINVAL);
	ck_assert_int_eq(sc_ctx_skip_check(ctx, "nope"), SC_ENOTFOUND);
	ck_assert_int_eq(sc_ctx_skip_check(ctx, "spf"), SC_OK);
	sc_ctx_free(ctx);
}
END_TEST

Suite *checks_suite(void)
{
	Suite *s = suite_create("checks");
	TCase *tc = tcase_create("hooks");

	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, test_registry);
	tcase_add_test(tc, test_hook_order);
	tcase_add_test(tc, test_staged_init);
	tcase_add_test(tc, test_oom_walk);
	suite_add_tcase(s, tc);
	return s;
}
