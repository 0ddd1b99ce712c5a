/* TLS-RPT (RFC 8460): the record parser, and the "tlsrpt" check on
 * canned evidence. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include "tlsrpt.h"
#include "evidence.h"
#include "tlsrpt_parse.h"

static struct sc_ctx ctx;
static struct sc_tlsrpt_record rec;

static int
parse(const char *s)
{
	return sc_tlsrpt_parse(s, strlen(s), &rec);
}

/* ---- the parser --------------------------------------------------------- */

START_TEST(test_parse_good)
{
	const char *s = "v=TLSRPTv1; rua=mailto:tls@example.com, "
	                "https://reports.example.net/tlsrpt;ext-1.a=x;";

	ck_assert_int_eq(parse(s), 0);
	ck_assert_uint_eq(rec.nrua, 2);
	ck_assert_uint_eq(rec.rua[0].off, 16);
	ck_assert_uint_eq(rec.rua[0].len, 22);
	ck_assert_int_eq(strncmp(s + rec.rua[1].off, "https://reports", 15), 0);
	ck_assert_uint_eq(rec.nfield, 2);
	ck_assert_int_eq(parse("v=TLSRPTv1;rua=mailto:a@b.example"), 0);
}
END_TEST

struct bad {
	const char *text;
	size_t pos;
	const char *words;
};

static const struct bad bad[] = {
	{ "", 0, "empty" },
	{ "v=TLSRPTv1", 10, "rua= (where reports go) is missing" },
	{ "v=tlsrptv1; rua=mailto:a@b.example", 0, "must begin with" },
	{ "rua=mailto:a@b.example; v=TLSRPTv1", 0, "must begin with" },
	{ "v=TLSRPTv2; rua=mailto:a@b.example", 0, "must begin with" },
	{ "v=TLSRPTv1; rua=", 16, "empty" },
	{ "v=TLSRPTv1; rua=tls@b.example", 16, "scheme other than" },
	{ "v=TLSRPTv1; rua=ftp://b.example/", 16, "scheme other than" },
	{ "v=TLSRPTv1; rua=mailto:b.example", 16, "mailbox@domain" },
	{ "v=TLSRPTv1; rua=https:/b.example", 16, "//host" },
	{ "v=TLSRPTv1; rua=mailto:a@b.example,", 35, "empty URI" },
	{ "v=TLSRPTv1; rua = mailto:a@b.example", 15, "name=value" },
	{ "v=TLSRPTv1; rua=mailto:a@b.example; rua=mailto:c@d.example", 36,
	  "twice" },
	{ "v=TLSRPTv1; rua=mailto:a@b.example; x=a b", 39, "not allowed" },
	{ "v=TLSRPTv1; rua=mailto:a@b.example; x=", 38, "empty value" },
	{ "v=TLSRPTv1; rua=mailto:a@b.example; _x=1", 36, "name=value" },
};

START_TEST(test_parse_errors)
{
	const struct bad *b = &bad[_i];

	ck_assert_int_eq(parse(b->text), -1);
	ck_assert_msg(rec.pos == b->pos, "\"%s\": position %zu, not %zu (%s)",
	              b->text, rec.pos, b->pos, rec.reason);
	ck_assert_msg(strstr(rec.reason, b->words) != NULL,
	              "\"%s\": \"%s\" lacks \"%s\"", b->text, rec.reason,
	              b->words);
}
END_TEST

START_TEST(test_kind)
{
	ck_assert_int_eq(sc_tlsrpt_kind("v=TLSRPTv1; rua=x", 17),
	                 SC_TLSRPT_RECORD);
	ck_assert_int_eq(sc_tlsrpt_kind("v=TLSRPTv1", 10), SC_TLSRPT_RECORD);
	ck_assert_int_eq(sc_tlsrpt_kind("v=TLSRPTv10", 11), SC_TLSRPT_ATTEMPT);
	ck_assert_int_eq(sc_tlsrpt_kind("V=tlsrptv1;", 11), SC_TLSRPT_ATTEMPT);
	ck_assert_int_eq(sc_tlsrpt_kind("v=spf1 -all", 11), SC_TLSRPT_OTHER);
	ck_assert_int_eq(sc_tlsrpt_kind("", 0), SC_TLSRPT_OTHER);
}
END_TEST

START_TEST(test_hostile)
{
	static const char nul[] = "v=TLSRPTv1; rua=mailto:a@b\0c.example";
	size_t cap = 64 * 1024, n, i;
	char *s = malloc(cap);
	int c;

	ck_assert_int_eq(sc_tlsrpt_parse(NULL, 3, &rec), -1);
	ck_assert_int_eq(sc_tlsrpt_parse(nul, sizeof(nul) - 1, &rec), -1);
	ck_assert_uint_eq(rec.pos, 16 + 10);
	/* 10 kB in one URI */
	n = (size_t)snprintf(s, cap, "v=TLSRPTv1; rua=mailto:a@");
	memset(s + n, 'b', 10240 - n);
	ck_assert_int_eq(sc_tlsrpt_parse(s, 10240, &rec), 0);
	/* 1000 fields, 1000 URIs */
	n = (size_t)snprintf(s, cap, "v=TLSRPTv1; rua=mailto:a@b.example");
	for (i = 0; i < 1000; i++)
		n += (size_t)snprintf(s + n, cap - n, "; x%zu=%zu", i, i);
	ck_assert_int_eq(sc_tlsrpt_parse(s, n, &rec), 0);
	ck_assert_uint_eq(rec.nfield, 1001);
	n = (size_t)snprintf(s, cap, "v=TLSRPTv1; rua=mailto:a@b.example");
	for (i = 0; i < 1000; i++)
		n += (size_t)snprintf(s + n, cap - n, ",mailto:r%zu@b.example", i);
	ck_assert_int_eq(sc_tlsrpt_parse(s, n, &rec), 0);
	ck_assert_uint_eq(rec.rua_total, 1001);
	ck_assert_uint_eq(rec.nrua, SC_TLSRPT_MAX_URI);
	/* every byte in every position */
	n = (size_t)snprintf(s, cap, "v=TLSRPTv1; rua=mailto:a@b.example; x=1");
	for (i = 0; i < n; i++) {
		char keep = s[i];

		for (c = 0; c < 256; c++) {
			s[i] = (char)c;
			(void)sc_tlsrpt_parse(s, n, &rec);
			ck_assert_uint_le(rec.pos, n);
			(void)sc_tlsrpt_kind(s, n);
		}
		s[i] = keep;
	}
	free(s);
}
END_TEST

/* ---- the check ---------------------------------------------------------- */

static struct sc_domain *
dom_new(const char *name, sc_dns_outcome_t o, int n, const char *a,
        const char *b)
{
	struct sc_domain *d = ev_domain(&ctx, name);
	struct sc_tlsrpt_state *st = sc_calloc(1, sizeof(*st));
	char q[300];

	*sc_check_state(d, &sc_check_tlsrpt) = st;
	d->mx = ev_lookup(d, name, ns_t_mx, SC_DNS_OK, 1, "10 mx.example.net");
	snprintf(q, sizeof(q), "_smtp._tls.%s", name);
	st->lk = ev_lookup(d, q, ns_t_txt, o, n, a, b);
	return d;
}

static void
dom_free(struct sc_domain *d)
{
	sc_check_tlsrpt.clear(d);
	ev_free(d);
}

static struct sc_hits
run(struct sc_domain *d)
{
	struct sc_hits h;

	memset(&h, 0, sizeof(h));
	sc_check_tlsrpt.assess(d, &h);
	return h;
}

static void
assert_describes(struct sc_domain *d, const char *part)
{
	json_t *j = sc_describe_json(&sc_check_tlsrpt, d);
	char *s;

	ck_assert_ptr_nonnull(j);
	s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(j);
	ck_assert_msg(strstr(s, part) != NULL, "%s lacks %s", s, part);
	free(s);
}

START_TEST(test_check_good)
{
	struct sc_domain *d = dom_new("ok.example", SC_DNS_OK, 2,
	                              "v=spf1 -all",
	                              "v=TLSRPTv1; rua=mailto:t@ok.example");
	struct sc_hits h = run(d);

	ck_assert_uint_eq(h.n, 0);
	assert_describes(d, "\"rua\":[\"mailto:t@ok.example\"]");
	assert_describes(d, "\"status\":\"ok\"");
	sc_hits_clear(&h);
	dom_free(d);
}
END_TEST

START_TEST(test_check_missing)
{
	struct sc_domain *d = dom_new("none.example",
	                              _i == 0 ? SC_DNS_NXDOMAIN : SC_DNS_OK,
	                              _i == 0 ? 0 : 1, "unrelated", NULL);
	struct sc_hits h = run(d);

	ck_assert_uint_eq(h.n, 1);
	ck_assert_ptr_nonnull(ev_hit(&h, "tlsrpt.missing"));
	ck_assert_int_eq(sc_hits_missing(&h), 0);
	assert_describes(d, "\"status\":\"missing\"");
	sc_hits_clear(&h);
	dom_free(d);
}
END_TEST

START_TEST(test_check_invalid)
{
	struct sc_domain *d = dom_new("bad.example", SC_DNS_OK, 1,
	                              "v=TLSRPTv1; rua=tls@bad.example", NULL);
	struct sc_hits h = run(d);

	ck_assert_uint_eq(h.n, 1);
	ck_assert_ptr_nonnull(strstr(ev_hit(&h, "tlsrpt.invalid"),
	                             "character 17"));
	assert_describes(d, "\"error\":{\"position\":17,");
	sc_hits_clear(&h);
	dom_free(d);
}
END_TEST

/* RFC 8460 3: two records means none. */
START_TEST(test_check_multiple)
{
	struct sc_domain *d = dom_new("two.example", SC_DNS_OK, 2,
	                              "v=TLSRPTv1; rua=mailto:a@two.example",
	                              "v=TLSRPTv1; rua=mailto:b@two.example");
	struct sc_hits h = run(d);

	ck_assert_uint_eq(h.n, 1);
	ck_assert_ptr_nonnull(strstr(ev_hit(&h, "tlsrpt.invalid"), "2 TLS-RPT"));
	assert_describes(d, "\"records_found\":2");
	sc_hits_clear(&h);
	dom_free(d);
}
END_TEST

/* A record meant as TLS-RPT that senders discard: invalid, not missing. */
START_TEST(test_check_attempt)
{
	struct sc_domain *d = dom_new("case.example", SC_DNS_OK, 1,
	                              "V=TLSRPTv1; rua=mailto:a@case.example",
	                              NULL);
	struct sc_hits h = run(d);

	ck_assert_uint_eq(h.n, 1);
	ck_assert_ptr_nonnull(strstr(ev_hit(&h, "tlsrpt.invalid"),
	                             "senders ignore it"));
	sc_hits_clear(&h);
	dom_free(d);
}
END_TEST

START_TEST(test_check_dns_failure)
{
	static const sc_dns_outcome_t o[] = {
		SC_DNS_TIMEOUT, SC_DNS_SERVFAIL, SC_DNS_REFUSED, SC_DNS_ERROR
	};
	struct sc_domain *d = dom_new("slow.example", o[_i], 0, NULL, NULL);
	struct sc_hits h = run(d);

	ck_assert_uint_eq(h.n, 1);
	ck_assert_ptr_nonnull(ev_hit(&h, "dns.unverified"));
	ck_assert_ptr_null(ev_hit(&h, "tlsrpt.missing"));
	ck_assert_int_eq(sc_hits_missing(&h), 1);
	assert_describes(d, "\"status\":\"unverified\"");
	sc_hits_clear(&h);
	dom_free(d);
}
END_TEST

/* No mail, no TLS to report on: null MX, NXDOMAIN, no MX nor address. */
START_TEST(test_check_no_mail)
{
	struct sc_domain *d = ev_domain(&ctx, "nomail.example");
	struct sc_tlsrpt_state *st = sc_calloc(1, sizeof(*st));
	struct sc_hits h;

	*sc_check_state(d, &sc_check_tlsrpt) = st;
	if (_i == 0) {
		d->mx = ev_lookup(d, d->name, ns_t_mx, SC_DNS_OK, 1, "0 ");
	} else if (_i == 1) {
		d->mx = ev_lookup(d, d->name, ns_t_mx, SC_DNS_NXDOMAIN, 0);
	} else {
		d->mx = ev_lookup(d, d->name, ns_t_mx, SC_DNS_NODATA, 0);
		d->a = ev_lookup(d, d->name, ns_t_a, SC_DNS_NODATA, 0);
		d->aaaa = ev_lookup(d, d->name, ns_t_aaaa, SC_DNS_NODATA, 0);
	}
	st->lk = ev_lookup(d, "_smtp._tls.nomail.example", ns_t_txt,
	                   SC_DNS_NXDOMAIN, 0);
	h = run(d);
	ck_assert_uint_eq(h.n, 0);
	sc_hits_clear(&h);
	dom_free(d);
}
END_TEST

START_TEST(test_check_literal)
{
	struct sc_domain *d = ev_domain(&ctx, "[192.0.2.1]");
	struct sc_hits h = run(d);

	ck_assert_uint_eq(h.n, 0);
	assert_describes(d, "{\"status\":\"skipped\"}");
	sc_check_tlsrpt.clear(d);
	sc_hits_clear(&h);
	ev_free(d);
}
END_TEST

START_TEST(test_check_out_of_memory)
{
	unsigned long n, used;
	int done = 0;

	for (n = 1; n < 100 && !done; n++) {
		struct sc_domain *d = dom_new("bad.example", SC_DNS_OK, 1,
		                              "v=TLSRPTv1; rua=\xff", NULL);
		struct sc_hits h;
		json_t *j;

		memset(&h, 0, sizeof(h));
		sc_alloc_fail_at(n);
		sc_check_tlsrpt.assess(d, &h);
		j = sc_describe_json(&sc_check_tlsrpt, d);
		used = sc_alloc_count();
		sc_alloc_fail_at(0);
		if (used < n) {
			done = 1;
			ck_assert_uint_eq(h.n, 1);
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

Suite *tlsrpt_suite(void)
{
	Suite *s = suite_create("tlsrpt");
	TCase *p = tcase_create("parse");
	TCase *c = tcase_create("check");

	tcase_add_test(p, test_parse_good);
	tcase_add_loop_test(p, test_parse_errors, 0,
	                    (int)(sizeof(bad) / sizeof(bad[0])));
	tcase_add_test(p, test_kind);
	tcase_add_test(p, test_hostile);
	suite_add_tcase(s, p);
	tcase_add_test(c, test_check_good);
	tcase_add_loop_test(c, test_check_missing, 0, 2);
	tcase_add_test(c, test_check_invalid);
	tcase_add_test(c, test_check_multiple);
	tcase_add_test(c, test_check_attempt);
	tcase_add_loop_test(c, test_check_dns_failure, 0, 4);
	tcase_add_loop_test(c, test_check_no_mail, 0, 3);
	tcase_add_test(c, test_check_literal);
	tcase_add_test(c, test_check_out_of_memory);
	suite_add_tcase(s, c);
	return s;
}
