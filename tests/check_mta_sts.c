/*
 * The "mta_sts" check: assess and describe on canned evidence (a TXT
 * lookup, the policy host's addresses, a finished fetch), one test per
 * finding; the postfix-mta-sts-resolver reference outcomes (refdata*.tsv,
 * in tests/conformance/data/mta-sts-resolver); out of memory; and
 * the engine with a real HTTPS fetch to a server that never answers,
 * against the fake DNS server: the timeout, and freeing the context while
 * the fetch is under way.
 */
#include <arpa/nameser.h>
#include <check.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mta_sts.h"
#include "dnsfake.h"
#include "evidence.h"
#include "http.h"
#include "json_write.h"
#include "mta_sts_parse.h"
#include "testutil.h"

static struct sc_ctx ctx;

static const char good_policy[] = "version: STSv1\nmode: enforce\n"
                                  "mx: mx1.x.example\nmx: mx2.x.example\n"
                                  "max_age: 604800\n";

static struct sc_mta_sts_state *
state(struct sc_domain *d)
{
	void **slot = sc_check_state(d, &sc_check_mta_sts);

	if (*slot == NULL)
		*slot = sc_calloc(1, sizeof(struct sc_mta_sts_state));
	return *slot;
}

/* A domain with MX hosts mx1 and mx2 (both resolving), and a TXT answer
 * at _mta-sts of up to two strings (NULL: none). */
static struct sc_domain *
with_txt(sc_dns_outcome_t outcome, const char *t1, const char *t2)
{
	struct sc_domain *d = ev_domain(&ctx, "x.example");
	struct sc_mta_sts_state *st = state(d);
	int n = (t1 != NULL) + (t2 != NULL);

	d->mx = ev_lookup(d, "x.example", ns_t_mx, SC_DNS_OK, 2,
	                  "10 mx1.x.example", "20 mx2.x.example");
	ev_host(d, "mx1.x.example", 10);
	ev_host(d, "mx2.x.example", 20);
	if (n == 2)
		st->txt = ev_lookup(d, "_mta-sts.x.example", ns_t_txt, outcome,
		                    2, t1, t2);
	else if (n == 1)
		st->txt = ev_lookup(d, "_mta-sts.x.example", ns_t_txt, outcome,
		                    1, t1);
	else
		st->txt = ev_lookup(d, "_mta-sts.x.example", ns_t_txt, outcome,
		                    0);
	return d;
}

/* The policy host resolved to 127.0.0.1, and the fetch answered. */
static void
fetched(struct sc_domain *d, CURLcode code, long status, const char *ctype,
        const char *body, size_t len)
{
	struct sc_mta_sts_state *st = state(d);

	st->a = ev_lookup(d, "mta-sts.x.example", ns_t_a, SC_DNS_OK, 1,
	                  "127.0.0.1");
	st->aaaa = ev_lookup(d, "mta-sts.x.example", ns_t_aaaa, SC_DNS_NODATA,
	                     0);
	st->url = sc_strdup("https://mta-sts.x.example/.well-known/mta-sts.txt");
	st->fetch = sc_calloc(1, sizeof(*st->fetch));
	st->fetch->code = code;
	st->fetch->outcome = sc_http_classify(code, 0);
	st->fetch->status = status;
	if (body != NULL) {
		st->fetch->body = sc_malloc(len + 1);
		memcpy(st->fetch->body, body, len);
		st->fetch->body[len] = '\0';
		st->fetch->len = len;
	}
	snprintf(st->fetch->error, sizeof(st->fetch->error), "%s",
	         code == CURLE_OK ? "No error" : curl_easy_strerror(code));
	st->fetch_done = 1;
	st->content_type = ctype != NULL ? sc_strdup(ctype) : NULL;
}

static struct sc_domain *
with_policy(const char *body)
{
	struct sc_domain *d = with_txt(SC_DNS_OK, "v=STSv1; id=1", NULL);

	fetched(d, CURLE_OK, 200, "text/plain", body, strlen(body));
	return d;
}

static struct sc_hits
run(struct sc_domain *d)
{
	struct sc_hits h;

	memset(&h, 0, sizeof(h));
	sc_check_mta_sts.assess(d, &h);
	return h;
}

static void
done(struct sc_domain *d, struct sc_hits *h)
{
	sc_hits_clear(h);
	sc_check_mta_sts.clear(d);
	ev_free(d);
}

/* Exactly one mta_sts.* or dns.* finding, id, whose detail holds want. */
static void
expect_only(const struct sc_hits *h, const char *id, const char *want)
{
	const char *detail = ev_hit(h, id);

	ck_assert_msg(h->n == 1, "%zu findings, expected only %s (first: %s)",
	              h->n, id, h->n > 0 ? h->hit[0].id : "-");
	ck_assert_msg(detail != NULL, "no %s", id);
	ck_assert_msg(want == NULL || strstr(detail, want) != NULL,
	              "%s: \"%s\" does not say \"%s\"", id, detail, want);
}

/* ---- the TXT record --------------------------------------------------- */

START_TEST(test_no_record)
{
	struct sc_domain *d = with_txt(SC_DNS_NXDOMAIN, NULL, NULL);
	struct sc_hits h = run(d);

	expect_only(&h, "mta_sts.missing", "_mta-sts.x.example");
	ck_assert_int_eq(sc_hits_missing(&h), 0);
	done(d, &h);

	d = with_txt(SC_DNS_NODATA, NULL, NULL);
	h = run(d);
	expect_only(&h, "mta_sts.missing", "nodata");
	done(d, &h);

	/* Other TXT records at the name are ignored (3.1). */
	d = with_txt(SC_DNS_OK, "google-site-verification=x", "v=spf1 -all");
	h = run(d);
	expect_only(&h, "mta_sts.missing", "only other TXT");
	done(d, &h);
}
END_TEST

START_TEST(test_txt_lookup_failed)
{
	static const sc_dns_outcome_t fails[] = { SC_DNS_SERVFAIL,
	                                          SC_DNS_TIMEOUT,
	                                          SC_DNS_REFUSED, SC_DNS_ERROR };
	size_t i;

	for (i = 0; i < SC_ARRAY_LEN(fails); i++) {
		struct sc_domain *d = with_txt(fails[i], NULL, NULL);
		struct sc_hits h = run(d);

		/* Never "missing": the evidence is not there. */
		expect_only(&h, "dns.unverified",
		            sc_dns_outcome_str(fails[i]));
		ck_assert_int_eq(sc_hits_missing(&h), 1);
		done(d, &h);
	}
}
END_TEST

START_TEST(test_txt_invalid)
{
	struct sc_domain *d = with_txt(SC_DNS_OK, "v=STSv1; id=a-b", NULL);
	struct sc_hits h = run(d);

	expect_only(&h, "mta_sts.invalid", "letters and digits");
	done(d, &h);

	d = with_txt(SC_DNS_OK, "v=STSv1; id=1", "v=STSv1; id=2");
	h = run(d);
	expect_only(&h, "mta_sts.invalid", "2 records");
	done(d, &h);

	/* A broken record next to a good one is still two records. */
	d = with_txt(SC_DNS_OK, "v=STSv1; id=1", "v=STSv1;");
	h = run(d);
	expect_only(&h, "mta_sts.invalid", "exactly one");
	done(d, &h);

	d = with_txt(SC_DNS_OK, "id=1; v=STSv1;", NULL);
	h = run(d);
	expect_only(&h, "mta_sts.invalid", "does not begin");
	done(d, &h);

	/* A stray one next to a valid one: the valid one applies. */
	d = with_txt(SC_DNS_OK, "v=STSv2; id=1", "v=STSv1; id=1");
	fetched(d, CURLE_OK, 200, "text/plain", good_policy,
	        strlen(good_policy));
	h = run(d);
	ck_assert_int_eq(h.n, 0);
	done(d, &h);
}
END_TEST

/* ---- the policy host and the fetch ------------------------------------ */

START_TEST(test_policy_host_missing)
{
	struct sc_domain *d = with_txt(SC_DNS_OK, "v=STSv1; id=1", NULL);
	struct sc_mta_sts_state *st = state(d);
	struct sc_hits h;

	st->a = ev_lookup(d, "mta-sts.x.example", ns_t_a, SC_DNS_NXDOMAIN, 0);
	st->aaaa = ev_lookup(d, "mta-sts.x.example", ns_t_aaaa,
	                     SC_DNS_NXDOMAIN, 0);
	h = run(d);
	expect_only(&h, "mta_sts.policy_unavailable", "does not resolve");
	done(d, &h);

	d = with_txt(SC_DNS_OK, "v=STSv1; id=1", NULL);
	st = state(d);
	st->a = ev_lookup(d, "mta-sts.x.example", ns_t_a, SC_DNS_SERVFAIL, 0);
	st->aaaa = ev_lookup(d, "mta-sts.x.example", ns_t_aaaa,
	                     SC_DNS_NODATA, 0);
	h = run(d);
	expect_only(&h, "dns.unverified", "mta-sts.x.example");
	ck_assert_int_eq(sc_hits_missing(&h), 1);
	done(d, &h);

	/* The deadline came before the lookups were even asked. */
	d = with_txt(SC_DNS_OK, "v=STSv1; id=1", NULL);
	h = run(d);
	expect_only(&h, "dns.unverified", "not asked");
	done(d, &h);
}
END_TEST

struct fetch_case {
	CURLcode code;
	long status;
	const char *ctype;
	int truncated;
	int connected;   /* a TCP connection was made */
	const char *want;
};

/* What the server answered, once reached, is the domain's: unavailable.
 * Not reached (refused, a connect timeout) is "could not verify". */
static const struct fetch_case fetch_cases[] = {
	{ CURLE_OK, 404, "text/html", 0, 1, "HTTP 404" },
	{ CURLE_OK, 500, "text/plain", 0, 1, "HTTP 500" },
	{ CURLE_OK, 301, "text/html", 0, 1, "redirect" },
	{ CURLE_OK, 302, NULL, 0, 1, "must not follow" },
	{ CURLE_OK, 200, "text/html", 0, 1, "\"text/html\", not text/plain" },
	{ CURLE_OK, 200, NULL, 0, 1, "no Content-Type" },
	{ CURLE_OK, 200, "application/octet-stream", 0, 1, "not text/plain" },
	{ CURLE_PEER_FAILED_VERIFICATION, 0, NULL, 0, 1, "certificate" },
	{ CURLE_SSL_CERTPROBLEM, 0, NULL, 0, 1, "certificate" },
	{ CURLE_OPERATION_TIMEDOUT, 200, "text/plain", 0, 1, "curl error 28" },
	{ CURLE_OPERATION_TIMEDOUT, 0, NULL, 0, 1, "curl error 28" },
	{ CURLE_RECV_ERROR, 0, NULL, 0, 1, "curl error 56" },
	{ CURLE_WRITE_ERROR, 200, "text/plain", 1, 1, "larger than 64 KiB" },
	{ CURLE_FILESIZE_EXCEEDED, 200, "text/plain", 0, 1, "larger than 64" },
	/* never reached */
	{ CURLE_COULDNT_CONNECT, 0, NULL, 0, 0, "curl error 7" },
	{ CURLE_OPERATION_TIMEDOUT, 0, NULL, 0, 0, "curl error 28" },
};

START_TEST(test_fetch_fails)
{
	const struct fetch_case *c = &fetch_cases[_i];
	struct sc_domain *d = with_txt(SC_DNS_OK, "v=STSv1; id=1", NULL);
	struct sc_hits h;

	fetched(d, c->code, c->status, c->ctype, good_policy,
	        strlen(good_policy));
	state(d)->fetch->truncated = c->truncated;
	state(d)->fetch->connected = c->connected;
	state(d)->fetch->outcome = sc_http_classify(c->code, c->truncated);
	h = run(d);
	if (!c->connected) {
		expect_only(&h, "mta_sts.unreachable", c->want);
		ck_assert_ptr_nonnull(strstr(h.hit[0].detail,
		                             "could not verify"));
		ck_assert_int_eq(sc_hits_missing(&h), 1);
		done(d, &h);
		return;
	}
	expect_only(&h, "mta_sts.policy_unavailable", c->want);
	ck_assert_ptr_nonnull(strstr(h.hit[0].detail, "opportunistic"));
	ck_assert_int_eq(sc_hits_missing(&h), 0);
	done(d, &h);
}
END_TEST

START_TEST(test_fetch_unfinished)
{
	struct sc_domain *d = with_policy(good_policy);
	struct sc_hits h;

	state(d)->fetch_done = 0;
	h = run(d);
	expect_only(&h, "mta_sts.unreachable", "did not answer");
	ck_assert_int_eq(sc_hits_missing(&h), 1);
	done(d, &h);
}
END_TEST

/* ---- the policy ------------------------------------------------------- */

START_TEST(test_enforce_covers_all)
{
	struct sc_domain *d = with_policy(good_policy);
	struct sc_hits h = run(d);

	ck_assert_int_eq(h.n, 0);
	done(d, &h);

	/* Wildcard, case and a final dot on the MX name. */
	d = with_policy("version: STSv1\r\nmode: enforce\r\n"
	                "mx: *.X.EXAMPLE\r\nmax_age: 86400\r\n");
	sc_free(d->host[1].name);
	d->host[1].name = sc_strdup("mx2.x.example.");
	h = run(d);
	ck_assert_int_eq(h.n, 0);
	done(d, &h);

	/* text/plain with a charset is text/plain. */
	d = with_policy(good_policy);
	sc_free(state(d)->content_type);
	state(d)->content_type = sc_strdup("text/plain; charset=utf-8");
	h = run(d);
	ck_assert_int_eq(h.n, 0);
	done(d, &h);
}
END_TEST

START_TEST(test_mx_mismatch)
{
	struct sc_domain *d = with_policy("version: STSv1\nmode: enforce\n"
	                                  "mx: mx1.x.example\nmax_age: 60\n");
	struct sc_hits h = run(d);

	expect_only(&h, "mta_sts.mx_mismatch", "mx2.x.example");
	ck_assert_ptr_null(strstr(h.hit[0].detail, "mx1.x.example matches"));
	done(d, &h);

	/* A wildcard covers one label only. */
	d = with_policy("version: STSv1\nmode: enforce\nmx: *.example\n"
	                "max_age: 60\n");
	h = run(d);
	expect_only(&h, "mta_sts.mx_mismatch", "mx1.x.example, mx2.x.example");
	done(d, &h);
}
END_TEST

START_TEST(test_testing_mode)
{
	struct sc_domain *d = with_policy("version: STSv1\nmode: testing\n"
	                                  "mx: mx1.x.example\nmx: mx2.x.example"
	                                  "\nmax_age: 60\n");
	struct sc_hits h = run(d);

	expect_only(&h, "mta_sts.testing", "mode testing");
	ck_assert_ptr_null(strstr(h.hit[0].detail, "does not list"));
	done(d, &h);

	/* Testing and an unlisted MX: no mismatch (mail still flows), but
	 * the detail names it. */
	d = with_policy("version: STSv1\nmode: testing\nmx: mx1.x.example\n"
	                "max_age: 60\n");
	h = run(d);
	expect_only(&h, "mta_sts.testing", "mx2.x.example");
	done(d, &h);
}
END_TEST

START_TEST(test_mode_none)
{
	struct sc_domain *d = with_policy("version: STSv1\nmode: none\n"
	                                  "max_age: 60\n");
	struct sc_hits h = run(d);

	expect_only(&h, "mta_sts.missing", "mode none");
	done(d, &h);
}
END_TEST

START_TEST(test_policy_invalid)
{
	struct sc_domain *d = with_policy("version: STSv1\nmode: enforce\n"
	                                  "mx: mx1.x.example\nmax_age: 31557601"
	                                  "\n");
	struct sc_hits h = run(d);

	expect_only(&h, "mta_sts.invalid", "line 4: max_age");
	done(d, &h);

	d = with_policy("<html>not a policy</html>");
	h = run(d);
	expect_only(&h, "mta_sts.invalid", "is not a \"key: value\"");
	done(d, &h);

	/* An empty 200 answer (no body at all). */
	d = with_txt(SC_DNS_OK, "v=STSv1; id=1", NULL);
	fetched(d, CURLE_OK, 200, "text/plain", NULL, 0);
	h = run(d);
	expect_only(&h, "mta_sts.invalid", "empty");
	done(d, &h);
}
END_TEST

/* ---- when there is nothing to say ------------------------------------- */

START_TEST(test_no_mail_no_finding)
{
	struct sc_domain *d = with_txt(SC_DNS_NXDOMAIN, NULL, NULL);
	struct sc_hits h;

	/* The domain itself does not exist. */
	d->mx->outcome = SC_DNS_NXDOMAIN;
	h = run(d);
	ck_assert_int_eq(h.n, 0);
	done(d, &h);

	/* A null MX. */
	d = ev_domain(&ctx, "x.example");
	d->mx = ev_lookup(d, "x.example", ns_t_mx, SC_DNS_OK, 1, "0 .");
	state(d)->txt = ev_lookup(d, "_mta-sts.x.example", ns_t_txt,
	                          SC_DNS_NXDOMAIN, 0);
	h = run(d);
	ck_assert_int_eq(h.n, 0);
	done(d, &h);

	/* An address literal: no state, no lookups, nothing. */
	d = ev_domain(&ctx, "[192.0.2.1]");
	h = run(d);
	ck_assert_int_eq(h.n, 0);
	ck_assert_int_eq(sc_check_mta_sts.start(d), SC_OK);
	ck_assert_ptr_null(d->lookups);
	ck_assert_ptr_null(sc_check_state_get(d, &sc_check_mta_sts));
	done(d, &h);
}
END_TEST

/* No MX: the domain's own name is the mail host the policy must cover. */
START_TEST(test_implicit_mx)
{
	struct sc_domain *d = ev_domain(&ctx, "x.example");
	struct sc_hits h;

	d->mx = ev_lookup(d, "x.example", ns_t_mx, SC_DNS_NODATA, 0);
	d->a = ev_lookup(d, "x.example", ns_t_a, SC_DNS_OK, 1, "192.0.2.1");
	d->aaaa = ev_lookup(d, "x.example", ns_t_aaaa, SC_DNS_NODATA, 0);
	state(d)->txt = ev_lookup(d, "_mta-sts.x.example", ns_t_txt, SC_DNS_OK,
	                          1, "v=STSv1; id=1");
	fetched(d, CURLE_OK, 200, "text/plain", good_policy,
	        strlen(good_policy));
	h = run(d);
	expect_only(&h, "mta_sts.mx_mismatch", "x.example");
	sc_hits_clear(&h);
	sc_free(state(d)->fetch->body);
	state(d)->fetch->body = sc_strdup("version: STSv1\nmode: enforce\n"
	                                  "mx: x.example\nmax_age: 1\n");
	state(d)->fetch->len = strlen(state(d)->fetch->body);
	h = run(d);
	ck_assert_int_eq(h.n, 0);
	done(d, &h);
}
END_TEST

/* ---- describe --------------------------------------------------------- */

START_TEST(test_describe)
{
	struct sc_domain *d = with_policy("version: STSv1\nmode: enforce\n"
	                                  "mx: mx1.x.example\nmax_age: 60\n");
	json_t *j = sc_describe_json(&sc_check_mta_sts, d);
	json_t *cov;

	ck_assert_ptr_nonnull(j);
	ck_assert_str_eq(json_string_value(json_object_get(j, "txt")),
	                 "v=STSv1; id=1");
	ck_assert_str_eq(json_string_value(json_object_get(j, "id")), "1");
	ck_assert_str_eq(json_string_value(json_object_get(j, "policy_url")),
	                 "https://mta-sts.x.example/.well-known/mta-sts.txt");
	ck_assert_int_eq(json_integer_value(json_object_get(j, "http_status")),
	                 200);
	ck_assert_str_eq(json_string_value(json_object_get(
	                     json_object_get(j, "policy"), "mode")), "enforce");
	ck_assert_int_eq(json_integer_value(json_object_get(
	                     json_object_get(j, "policy"), "max_age")), 60);
	ck_assert_int_eq(json_array_size(json_object_get(
	                     json_object_get(j, "policy"), "mx")), 1);
	cov = json_object_get(j, "mx_covered");
	ck_assert(json_is_true(json_object_get(cov, "mx1.x.example")));
	ck_assert(json_is_false(json_object_get(cov, "mx2.x.example")));
	ck_assert(json_is_null(json_object_get(j, "error")));
	json_decref(j);
	sc_check_mta_sts.clear(d);
	ev_free(d);

	/* No record: nulls, and the reason. */
	d = with_txt(SC_DNS_NXDOMAIN, NULL, NULL);
	j = sc_describe_json(&sc_check_mta_sts, d);
	ck_assert_ptr_nonnull(j);
	ck_assert(json_is_null(json_object_get(j, "txt")));
	ck_assert(json_is_null(json_object_get(j, "policy")));
	ck_assert(json_is_null(json_object_get(j, "policy_url")));
	ck_assert_int_eq(json_object_size(json_object_get(j, "mx_covered")), 0);
	ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(j,
	                                                   "error")),
	                             "no MTA-STS record"));
	json_decref(j);
	sc_check_mta_sts.clear(d);
	ev_free(d);

	/* A record that is not UTF-8 still describes. */
	d = with_txt(SC_DNS_OK, "v=STSv1; id=\xff", NULL);
	j = sc_describe_json(&sc_check_mta_sts, d);
	ck_assert_ptr_nonnull(j);
	ck_assert_str_eq(json_string_value(json_object_get(j, "txt")),
	                 "v=STSv1; id=?");
	json_decref(j);
	sc_check_mta_sts.clear(d);
	ev_free(d);
}
END_TEST

START_TEST(test_describe_text)
{
	struct sc_domain *d;
	struct sc_mta_sts_state *st;

	/* Enforced, two patterns; an MX host they do not cover, whose name
	 * has a byte to escape. */
	d = with_policy(good_policy);
	ev_host(d, "mx\\032z.x.example", 30);
	ev_assert_described(&sc_check_mta_sts, d, "\"mta_sts\":{\"txt\":\"v=STSv1; id=1\",\"id\":\"1\","
	               "\"policy_url\":\"https://mta-sts.x.example/.well-know"
	               "n/mta-sts.txt\",\"http_status\":200,"
	               "\"policy\":{\"mode\":\"enforce\",\"max_age\":604800,"
	               "\"mx\":[\"mx1.x.example\",\"mx2.x.example\"]},"
	               "\"mx_covered\":{\"mx1.x.example\":true,"
	               "\"mx2.x.example\":true,"
	               "\"mx\\\\032z.x.example\":false},\"error\":null}");
	sc_check_mta_sts.clear(d);
	ev_free(d);

	/* Testing, a wildcard pattern. */
	d = with_policy("version: STSv1\nmode: testing\nmx: *.x.example\n"
	                "mx: mail.other.example\nmax_age: 31557600\n");
	ev_assert_described(&sc_check_mta_sts, d, "\"mta_sts\":{\"txt\":\"v=STSv1; id=1\",\"id\":\"1\","
	               "\"policy_url\":\"https://mta-sts.x.example/.well-know"
	               "n/mta-sts.txt\",\"http_status\":200,"
	               "\"policy\":{\"mode\":\"testing\","
	               "\"max_age\":31557600,\"mx\":[\"*.x.example\","
	               "\"mail.other.example\"]},"
	               "\"mx_covered\":{\"mx1.x.example\":true,"
	               "\"mx2.x.example\":true},\"error\":null}");
	sc_check_mta_sts.clear(d);
	ev_free(d);

	/* Mode none. */
	d = with_policy("version: STSv1\nmode: none\nmax_age: 0\n");
	ev_assert_described(&sc_check_mta_sts, d, "\"mta_sts\":{\"txt\":\"v=STSv1; id=1\",\"id\":\"1\","
	               "\"policy_url\":\"https://mta-sts.x.example/.well-know"
	               "n/mta-sts.txt\",\"http_status\":200,"
	               "\"policy\":{\"mode\":\"none\",\"max_age\":0,"
	               "\"mx\":[]},\"mx_covered\":{\"mx1.x.example\":false,"
	               "\"mx2.x.example\":false},\"error\":null}");
	sc_check_mta_sts.clear(d);
	ev_free(d);

	/* No MX: the domain itself must be covered. */
	d = ev_domain(&ctx, "x.example");
	st = state(d);
	d->mx = ev_lookup(d, "x.example", ns_t_mx, SC_DNS_NODATA, 0);
	st->txt = ev_lookup(d, "_mta-sts.x.example", ns_t_txt, SC_DNS_OK, 1,
	                    "v=STSv1; id=20240101T000000");
	fetched(d, CURLE_OK, 200, "text/plain", good_policy,
	        strlen(good_policy));
	ev_assert_described(&sc_check_mta_sts, d, "\"mta_sts\":{\"txt\":\"v=STSv1; id=20240101T000000\","
	               "\"id\":\"20240101T000000\","
	               "\"policy_url\":\"https://mta-sts.x.example/.well-know"
	               "n/mta-sts.txt\",\"http_status\":200,"
	               "\"policy\":{\"mode\":\"enforce\",\"max_age\":604800,"
	               "\"mx\":[\"mx1.x.example\",\"mx2.x.example\"]},"
	               "\"mx_covered\":{\"x.example\":false},\"error\":null}");
	sc_check_mta_sts.clear(d);
	ev_free(d);

	/* No record. */
	d = with_txt(SC_DNS_NXDOMAIN, NULL, NULL);
	ev_assert_described(&sc_check_mta_sts, d, "\"mta_sts\":{\"txt\":null,\"id\":null,"
	               "\"policy_url\":null,\"http_status\":null,"
	               "\"policy\":null,\"mx_covered\":{},"
	               "\"error\":\"_mta-sts.x.example holds no MTA-STS "
	               "record (nxdomain): senders apply no policy,"
	               " and STARTTLS to x.example can be stripped\"}");
	sc_check_mta_sts.clear(d);
	ev_free(d);

	/* The lookup failed. */
	d = with_txt(SC_DNS_SERVFAIL, NULL, NULL);
	ev_assert_described(&sc_check_mta_sts, d, "\"mta_sts\":{\"txt\":null,\"id\":null,"
	               "\"policy_url\":null,\"http_status\":null,"
	               "\"policy\":null,\"mx_covered\":{},"
	               "\"error\":\"the MTA-STS lookup of _mta-sts.x.example "
	               "failed (servfail)\"}");
	sc_check_mta_sts.clear(d);
	ev_free(d);

	/* A malformed record, with bytes to escape and one not UTF-8. */
	d = with_txt(SC_DNS_OK, "v=STSv1; id=\"a\\b\"\t\xff", NULL);
	ev_assert_described(&sc_check_mta_sts, d, "\"mta_sts\":{\"txt\":\"v=STSv1; "
	               "id=\\\"a\\\\b\\\"??\",\"id\":null,"
	               "\"policy_url\":null,\"http_status\":null,"
	               "\"policy\":null,\"mx_covered\":{},"
	               "\"error\":\"the TXT record \\\"v=STSv1; "
	               "id=\\\"a\\\\b\\\"??\\\" at _mta-sts.x.example is "
	               "malformed: the id is empty; senders ignore it (RFC "
	               "8461 3.1)\"}");
	sc_check_mta_sts.clear(d);
	ev_free(d);

	/* UTF-8 with controls: escaped, not replaced. */
	d = with_txt(SC_DNS_OK, "v=STSv1; id=\x01\t\xc3\xa9", NULL);
	ev_assert_described(&sc_check_mta_sts, d, "\"mta_sts\":{\"txt\":\"v=STSv1; "
	               "id=\\u0001\\t\303\251\",\"id\":null,"
	               "\"policy_url\":null,\"http_status\":null,"
	               "\"policy\":null,\"mx_covered\":{},"
	               "\"error\":\"the TXT record \\\"v=STSv1; id=????\\\" "
	               "at _mta-sts.x.example is malformed: the id is empty; "
	               "senders ignore it (RFC 8461 3.1)\"}");
	sc_check_mta_sts.clear(d);
	ev_free(d);

	/* Two records. */
	d = with_txt(SC_DNS_OK, "v=STSv1; id=1", "v=STSv1; id=2");
	ev_assert_described(&sc_check_mta_sts, d, "\"mta_sts\":{\"txt\":\"v=STSv1; id=1\",\"id\":null,"
	               "\"policy_url\":null,\"http_status\":null,"
	               "\"policy\":null,\"mx_covered\":{},"
	               "\"error\":\"_mta-sts.x.example holds 2 records "
	               "beginning with v=STSv1; senders apply no policy "
	               "unless there is exactly one (RFC 8461 3.1)\"}");
	sc_check_mta_sts.clear(d);
	ev_free(d);

	/* HTTP 404; no status at all; a fetch that did not finish. */
	d = with_txt(SC_DNS_OK, "v=STSv1; id=1", NULL);
	fetched(d, CURLE_OK, 404, "text/html", "no", 2);
	ev_assert_described(&sc_check_mta_sts, d, "\"mta_sts\":{\"txt\":\"v=STSv1; id=1\",\"id\":\"1\","
	               "\"policy_url\":\"https://mta-sts.x.example/.well-know"
	               "n/mta-sts.txt\",\"http_status\":404,\"policy\":null,"
	               "\"mx_covered\":{},\"error\":\"https://mta-sts.x.examp"
	               "le/.well-known/mta-sts.txt answered HTTP 404,"
	               " not 200\"}");
	sc_check_mta_sts.clear(d);
	ev_free(d);
	d = with_txt(SC_DNS_OK, "v=STSv1; id=1", NULL);
	fetched(d, CURLE_OK, 0, NULL, NULL, 0);
	ev_assert_described(&sc_check_mta_sts, d, "\"mta_sts\":{\"txt\":\"v=STSv1; id=1\",\"id\":\"1\","
	               "\"policy_url\":\"https://mta-sts.x.example/.well-know"
	               "n/mta-sts.txt\",\"http_status\":null,\"policy\":null,"
	               "\"mx_covered\":{},\"error\":\"https://mta-sts.x.examp"
	               "le/.well-known/mta-sts.txt answered HTTP 0,"
	               " not 200\"}");
	sc_check_mta_sts.clear(d);
	ev_free(d);
	d = with_policy(good_policy);
	state(d)->fetch_done = 0;
	ev_assert_described(&sc_check_mta_sts, d, "\"mta_sts\":{\"txt\":\"v=STSv1; id=1\",\"id\":\"1\","
	               "\"policy_url\":\"https://mta-sts.x.example/.well-know"
	               "n/mta-sts.txt\",\"http_status\":null,\"policy\":null,"
	               "\"mx_covered\":{},\"error\":\"https://mta-sts.x.examp"
	               "le/.well-known/mta-sts.txt did not answer within the "
	               "time limit\"}");
	sc_check_mta_sts.clear(d);
	ev_free(d);

	/* A malformed policy. */
	d = with_policy("version: STSv1\nmode: enforce\nmax_age: soon\n");
	ev_assert_described(&sc_check_mta_sts, d, "\"mta_sts\":{\"txt\":\"v=STSv1; id=1\",\"id\":\"1\","
	               "\"policy_url\":\"https://mta-sts.x.example/.well-know"
	               "n/mta-sts.txt\",\"http_status\":200,\"policy\":null,"
	               "\"mx_covered\":{},\"error\":\"the policy at "
	               "https://mta-sts.x.example/.well-known/mta-sts.txt is "
	               "malformed: line 3: max_age \\\"soon\\\" is not a "
	               "number of seconds; senders ignore it (RFC 8461 "
	               "3.2)\"}");
	sc_check_mta_sts.clear(d);
	ev_free(d);

	/* An address literal: nothing was looked at. */
	d = ev_domain(&ctx, "[192.0.2.1]");
	ev_assert_described(&sc_check_mta_sts, d, "\"mta_sts\":{\"txt\":null,\"id\":null,"
	               "\"policy_url\":null,\"http_status\":null,"
	               "\"policy\":null,\"mx_covered\":{},\"error\":null}");
	ev_free(d);
}
END_TEST

/* Every allocation of assess and describe fails in turn: a failed hits
 * set or a NULL description, never a crash or a leak. */
START_TEST(test_out_of_memory)
{
	unsigned long n;
	int done_ok = 0;

	for (n = 1; n < 500 && !done_ok; n++) {
		struct sc_domain *d = with_policy(
			"version: STSv1\nmode: enforce\nmx: mx1.x.example\n"
			"max_age: 60\n");
		struct sc_hits h;
		json_t *j;
		unsigned long used;

		memset(&h, 0, sizeof(h));
		sc_alloc_fail_at(n);
		sc_check_mta_sts.assess(d, &h);
		j = sc_describe_json(&sc_check_mta_sts, d);
		used = sc_alloc_count();
		sc_alloc_fail_at(0);
		if (!h.failed)
			ck_assert_ptr_nonnull(ev_hit(&h, "mta_sts.mx_mismatch"));
		if (j != NULL && !h.failed && used < n)
			done_ok = 1;
		json_decref(j);
		done(d, &h);
	}
	ck_assert(done_ok);
}
END_TEST

/* ---- conformance: postfix-mta-sts-resolver ---------------------------- */

/*
 * refdata.tsv, refdata_strict.tsv and refdata_nosni.tsv: a socketmap
 * request ("test DOMAIN") and the resolver's reply: "OK secure match=..."
 * when a policy applies, "NOTFOUND " when none does.  The DNS comes from
 * dnsmasq.conf.appendix (read in place); the policy bodies from SOURCE.md.
 * Each applicable line becomes canned evidence for assess(); the verdict
 * must agree: no mta_sts finding for "OK", some (missing, invalid,
 * policy_unavailable) for "NOTFOUND"; mode testing is "OK" in the strict
 * file only, and is mta_sts.testing for us either way.
 */

static const char conf_good[] = "version: STSv1\nmode: enforce\n"
                                "mx: mail.loc\nmax_age: 86400";

struct scenario {
	const char *domain;
	const char *body;
	const char *ctype;
	long status;
	CURLcode code;
};

static const struct scenario scenarios[] = {
	{ "good.loc", conf_good, "text/plain", 200, CURLE_OK },
	{ "valid-none.loc", "version: STSv1\nmode: none\nmax_age: 86400",
	  "text/plain", 200, CURLE_OK },
	{ "testing.loc", "version: STSv1\nmode: testing\nmx: mail.loc\n"
	  "max_age: 86400", "text/plain", 200, CURLE_OK },
	{ "no-record.loc", conf_good, "text/plain", 200, CURLE_OK },
	{ "bad-record1.loc", conf_good, "text/plain", 200, CURLE_OK },
	{ "bad-record2.loc", conf_good, "text/plain", 200, CURLE_OK },
	{ "bad-policy1.loc", "garbage", "text/plain", 200, CURLE_OK },
	{ "bad-policy2.loc", "version: STSv1\nmode: enforce\nmax_age: 86400",
	  "text/plain", 200, CURLE_OK },
	{ "bad-policy3.loc", conf_good, "text/html", 200, CURLE_OK },
	{ "bad-cert1.loc", NULL, NULL, 0, CURLE_PEER_FAILED_VERIFICATION },
	{ "bad-cert2.loc", NULL, NULL, 0, CURLE_PEER_FAILED_VERIFICATION },
};

/* The TXT value of _mta-sts.DOMAIN in the appendix, or NULL. */
static int
appendix_txt(const char *domain, char *out, size_t len)
{
	char path[1024], line[1024], want[300];
	FILE *fp;
	int found = 0;

	snprintf(path, sizeof(path), "%s/mta-sts-resolver/dnsmasq.conf.appendix",
	         test_conformance_dir());
	fp = fopen(path, "r");
	ck_assert_msg(fp != NULL, "cannot open %s", path);
	snprintf(want, sizeof(want), "txt-record=_mta-sts.%s,\"", domain);
	while (!found && fgets(line, sizeof(line), fp) != NULL) {
		char *end;

		if (strncmp(line, want, strlen(want)) != 0)
			continue;
		end = strrchr(line, '"');
		ck_assert_ptr_nonnull(end);
		*end = '\0';
		snprintf(out, len, "%s", line + strlen(want));
		found = 1;
	}
	fclose(fp);
	return found;
}

/* Why a request does not apply to scorer, or NULL. */
static const char *
not_applicable(const char *map, const char *dest)
{
	if (strcmp(map, "test") != 0)
		return "another socketmap name (resolver configuration)";
	if (dest[0] == '[')
		return "Postfix next-hop syntax ([host], [ip]:port)";
	if (dest[0] == '.')
		return "Postfix parent-domain lookup (.domain)";
	if (strchr(dest, ':') != NULL)
		return "Postfix next-hop with a port";
	return NULL;
}

enum conf_outcome { CONF_POLICY, CONF_TESTING, CONF_NONE };

static enum conf_outcome
conformance_case(const struct scenario *sc, int *covered)
{
	struct sc_domain *d = ev_domain(&ctx, sc->domain);
	struct sc_mta_sts_state *st = state(d);
	char txt[300], name[300];
	struct sc_hits h;
	enum conf_outcome o;
	json_t *j;

	/* address=/loc/127.0.0.1 in the appendix: every name resolves, and
	 * the upstream domains have no MX; "match=mail.loc" names the MX
	 * host the policy allows, so it plays the domain's MX host here. */
	snprintf(name, sizeof(name), "_mta-sts.%s", sc->domain);
	d->mx = ev_lookup(d, sc->domain, ns_t_mx, SC_DNS_OK, 1, "10 mail.loc");
	ev_host(d, "mail.loc", 10);
	if (appendix_txt(sc->domain, txt, sizeof(txt)))
		st->txt = ev_lookup(d, name, ns_t_txt, SC_DNS_OK, 1, txt);
	else
		st->txt = ev_lookup(d, name, ns_t_txt, SC_DNS_NODATA, 0);
	fetched(d, sc->code, sc->status, sc->ctype, sc->body,
	        sc->body != NULL ? strlen(sc->body) : 0);
	h = run(d);
	if (ev_hit(&h, "mta_sts.testing") != NULL && h.n == 1)
		o = CONF_TESTING;
	else if (h.n == 0)
		o = CONF_POLICY;
	else
		o = CONF_NONE;
	ck_assert_ptr_null(ev_hit(&h, "dns.unverified"));
	ck_assert_ptr_null(ev_hit(&h, "mta_sts.mx_mismatch"));
	j = sc_describe_json(&sc_check_mta_sts, d);
	ck_assert_ptr_nonnull(j);
	*covered = json_is_true(json_object_get(json_object_get(j,
	                                                        "mx_covered"),
	                                        "mail.loc"));
	json_decref(j);
	done(d, &h);
	return o;
}

static void
run_refdata(const char *file, int strict, int *ran, int *skipped)
{
	char path[1024], line[512];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/mta-sts-resolver/%s",
	         test_conformance_dir(), file);
	fp = fopen(path, "r");
	ck_assert_msg(fp != NULL, "cannot open %s", path);
	while (fgets(line, sizeof(line), fp) != NULL) {
		char map[64], dest[256], *tab, *reply;
		const struct scenario *sc = NULL;
		enum conf_outcome got;
		size_t i, n;
		int ok, covered = 0;

		line[strcspn(line, "\r\n")] = '\0';
		if ((tab = strchr(line, '\t')) == NULL)
			continue;
		*tab = '\0';
		reply = tab + 1;
		ck_assert_int_eq(sscanf(line, "%63s %255s", map, dest), 2);
		if (not_applicable(map, dest) != NULL) {
			(*skipped)++;
			continue;
		}
		/* "good.loc." is the same domain (a final dot). */
		n = strlen(dest);
		if (n > 1 && dest[n - 1] == '.')
			dest[n - 1] = '\0';
		for (i = 0; i < SC_ARRAY_LEN(scenarios); i++)
			if (strcmp(scenarios[i].domain, dest) == 0)
				sc = &scenarios[i];
		ck_assert_msg(sc != NULL, "%s: no scenario for %s", file, dest);
		ok = strncmp(reply, "OK secure", 9) == 0;
		ck_assert_msg(ok || strncmp(reply, "NOTFOUND", 8) == 0,
		              "%s: reply \"%s\"", file, reply);
		got = conformance_case(sc, &covered);
		if (ok) {
			ck_assert_msg(got == CONF_POLICY ||
			              (strict && got == CONF_TESTING),
			              "%s %s: expected a policy, got %d", file, dest,
			              (int)got);
			/* match=mail.loc: the MX host the policy allows */
			ck_assert_ptr_nonnull(strstr(reply, "match=mail.loc"));
			ck_assert_msg(covered, "%s %s: mail.loc not covered", file,
			              dest);
		} else {
			ck_assert_msg(got == CONF_NONE || (!strict && got == CONF_TESTING),
			              "%s %s: expected no policy, got %d", file,
			              dest, (int)got);
		}
		(*ran)++;
	}
	fclose(fp);
}

START_TEST(test_conformance_refdata)
{
	int ran = 0, skipped = 0;

	run_refdata("refdata.tsv", 0, &ran, &skipped);
	run_refdata("refdata_nosni.tsv", 0, &ran, &skipped);
	run_refdata("refdata_strict.tsv", 1, &ran, &skipped);
	ck_assert_int_eq(ran + skipped, 63);
	ck_assert_int_eq(ran, 36);
	printf("mta-sts-resolver: %d refdata lines run, %d not applicable\n",
	       ran, skipped);
}
END_TEST

/* ---- the engine: a real fetch to a server that never answers ---------- */

struct sts_world {
	int txt_ok;
};

/* MX of D: mx.D; A of mx.D and mta-sts.D: 127.0.0.1; _mta-sts.D: a
 * valid record; the rest NODATA. */
static size_t
sts_respond(void *arg, const struct dnsfake_query *q, unsigned char *out,
            size_t cap)
{
	const struct sts_world *w = arg;
	static const char *const rec[] = { "v=STSv1; id=1" };
	static const size_t len[] = { 13 };
	struct dnsmsg m;
	char host[300];

	dnsmsg_reply(&m, q, ns_r_noerror, 0, out, cap);
	if (q->qtype == ns_t_mx && strncmp(q->name, "mx.", 3) != 0 &&
	    strncmp(q->name, "_", 1) != 0 &&
	    strncmp(q->name, "mta-sts.", 8) != 0) {
		snprintf(host, sizeof(host), "mx.%s", q->name);
		dnsmsg_mx(&m, NULL, 10, host);
	} else if (q->qtype == ns_t_a && (strncmp(q->name, "mx.", 3) == 0 ||
	                                  strncmp(q->name, "mta-sts.", 8) == 0)) {
		dnsmsg_a(&m, NULL, "127.0.0.1");
	} else if (q->qtype == ns_t_txt && w->txt_ok &&
	           strncmp(q->name, "_mta-sts.", 9) == 0) {
		dnsmsg_txt(&m, NULL, 1, rec, len);
	}
	return m.len;
}

/* A TCP listener that never accepts: the kernel completes the handshake,
 * the TLS ClientHello is never answered. */
static int
silent_listener(unsigned *port)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	ck_assert_int_ge(fd, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(fd, 8), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
	*port = ntohs(sa.sin_port);
	return fd;
}

static sc_ctx_t *
sts_ctx(struct dnsfake *fs, unsigned port, unsigned timeout_ms)
{
	sc_ctx_t *c = NULL;
	char addr[64];

	ck_assert_int_eq(sc_ctx_new(&c), SC_OK);
	ck_assert_int_eq(sc_ctx_set_rules_dir(c, test_rules_dir()), SC_OK);
	ck_assert_int_eq(sc_ctx_add_resolver(c, dnsfake_addr(fs, addr,
	                                                     sizeof(addr))),
	                 SC_OK);
	ck_assert_int_eq(sc_ctx_set_allow_loopback(c, 1), SC_OK);
	ck_assert_int_eq(sc_ctx_set_timeout_ms(c, timeout_ms), SC_OK);
	ck_assert_int_eq(sc_ctx_set_https_port(c, port), SC_OK);
	/* Only the fetch matters here: no SMTP probe of mx.D, if built. */
	(void)sc_ctx_skip_check(c, "starttls");
	return c;
}

/* The TLS handshake is never answered: the fetch ends by its own
 * timeout, in time.  No connection was made from here (a middlebox that
 * swallows HTTPS looks the same), so it is "could not verify", not a
 * policy the domain fails to serve. */
START_TEST(test_engine_fetch_times_out)
{
	struct sts_world w = { 1 };
	struct dnsfake fs;
	sc_ctx_t *c;
	sc_report_t *rep = NULL;
	unsigned port;
	int fd = silent_listener(&port);
	uint64_t t0;
	size_t i;
	int seen = 0;
	char *js = NULL;

	ck_assert_int_eq(dnsfake_start(&fs, sts_respond, &w), 0);
	c = sts_ctx(&fs, port, 1500);
	t0 = dnsfake_now_ms();
	ck_assert_int_eq(sc_check(c, "a@stall.test", &rep), SC_OK);
	ck_assert_ptr_nonnull(rep);
	/* Held open for the fetch, ended by its own timeout (curl error 28,
	 * below).  The bound only tells a hang: under valgrind, loading
	 * libcurl and OpenSSL at the first fetch took the run to 3.1 s. */
	ck_assert_uint_lt(dnsfake_now_ms() - t0, 10000);
	for (i = 0; i < sc_report_finding_count(rep); i++) {
		const sc_finding_t *f = sc_report_finding(rep, i);

		if (strcmp(f->id, "mta_sts.unreachable") == 0) {
			seen = 1;
			ck_assert_ptr_nonnull(strstr(f->detail, "curl error 28"));
			ck_assert_int_eq(f->unverified, 1);
		}
		ck_assert_str_ne(f->id, "mta_sts.missing");
		ck_assert_str_ne(f->id, "mta_sts.policy_unavailable");
	}
	ck_assert(seen);
	ck_assert_int_eq(sc_report_interception(rep, NULL),
	                 SC_INTERCEPTION_UNKNOWN);
	ck_assert_int_eq(sc_report_check_json(rep, "mta_sts", &js), SC_OK);
	ck_assert_ptr_nonnull(strstr(js, "https://mta-sts.stall.test:"));
	sc_free(js);
	sc_report_free(rep);
	ck_assert_int_eq(dnsfake_count_name(&fs, "mta-sts.stall.test") >= 1, 1);
	sc_ctx_free(c);
	dnsfake_stop(&fs);
	close(fd);
}
END_TEST

static void
count_done(void *ud, sc_status_t st, sc_report_t *rep)
{
	(void)st;
	(*(int *)ud)++;
	sc_report_free(rep);
}

/* Free the context while the fetch is under way: the clear hook cancels
 * it, nothing runs on freed memory (ASan), no callback comes. */
START_TEST(test_engine_free_during_fetch)
{
	struct sts_world w = { 1 };
	struct dnsfake fs;
	sc_ctx_t *c;
	unsigned port;
	int fd = silent_listener(&port), calls = 0;
	uint64_t end;

	ck_assert_int_eq(dnsfake_start(&fs, sts_respond, &w), 0);
	c = sts_ctx(&fs, port, 10000);
	ck_assert_int_eq(sc_check_async(c, "a@stall.test", count_done, &calls),
	                 SC_OK);
	end = dnsfake_now_ms() + 5000;
	while (dnsfake_count_name(&fs, "mta-sts.stall.test") < 2 &&
	       dnsfake_now_ms() < end)
		ck_assert_int_eq(sc_perform(c, 50, NULL), SC_OK);
	ck_assert_int_ge(dnsfake_count_name(&fs, "mta-sts.stall.test"), 2);
	/* A little longer: the connection is made, the fetch is waiting. */
	ck_assert_int_eq(sc_perform(c, 200, NULL), SC_OK);
	ck_assert_int_eq(calls, 0);
	sc_ctx_free(c);
	ck_assert_int_eq(calls, 0);
	dnsfake_stop(&fs);
	close(fd);
}
END_TEST

/* A refused connection: no server reached, so nothing known about the
 * policy (our network may refuse it): mta_sts.unreachable, "could not
 * verify", at once; never policy_unavailable, and the address is not
 * called insecure for it. */
START_TEST(test_engine_connection_refused)
{
	struct sts_world w = { 1 };
	struct dnsfake fs;
	sc_ctx_t *c;
	sc_report_t *rep = NULL;
	unsigned port;
	int fd = silent_listener(&port);
	size_t i;
	int seen = 0;

	close(fd); /* nothing listens there now */
	ck_assert_int_eq(dnsfake_start(&fs, sts_respond, &w), 0);
	c = sts_ctx(&fs, port, 5000);
	ck_assert_int_eq(sc_check(c, "a@refused.test", &rep), SC_OK);
	for (i = 0; i < sc_report_finding_count(rep); i++)
	{
		const sc_finding_t *f = sc_report_finding(rep, i);

		ck_assert_str_ne(f->id, "mta_sts.policy_unavailable");
		if (strcmp(f->id, "mta_sts.unreachable") == 0) {
			seen = 1;
			ck_assert_int_eq(f->unverified, 1);
			ck_assert_ptr_nonnull(strstr(f->detail,
			                             "could not connect"));
		}
	}
	ck_assert(seen);
	ck_assert_int_ne(sc_report_verdict(rep), SC_VERDICT_SECURE);
	ck_assert_int_eq(sc_report_interception(rep, NULL),
	                 SC_INTERCEPTION_UNKNOWN);
	sc_report_free(rep);
	sc_ctx_free(c);
	dnsfake_stop(&fs);
}
END_TEST

Suite *mta_sts_suite(void)
{
	Suite *s = suite_create("mta_sts");
	TCase *tc = tcase_create("assess");

	tcase_add_test(tc, test_no_record);
	tcase_add_test(tc, test_txt_lookup_failed);
	tcase_add_test(tc, test_txt_invalid);
	tcase_add_test(tc, test_policy_host_missing);
	tcase_add_loop_test(tc, test_fetch_fails, 0,
	                    (int)SC_ARRAY_LEN(fetch_cases));
	tcase_add_test(tc, test_fetch_unfinished);
	tcase_add_test(tc, test_enforce_covers_all);
	tcase_add_test(tc, test_mx_mismatch);
	tcase_add_test(tc, test_testing_mode);
	tcase_add_test(tc, test_mode_none);
	tcase_add_test(tc, test_policy_invalid);
	tcase_add_test(tc, test_no_mail_no_finding);
	tcase_add_test(tc, test_implicit_mx);
	tcase_add_test(tc, test_describe);
	tcase_add_test(tc, test_describe_text);
	tcase_add_test(tc, test_out_of_memory);
	suite_add_tcase(s, tc);

	tc = tcase_create("conformance");
	tcase_add_test(tc, test_conformance_refdata);
	suite_add_tcase(s, tc);

	tc = tcase_create("engine");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_engine_fetch_times_out);
	tcase_add_test(tc, test_engine_free_during_fetch);
	tcase_add_test(tc, test_engine_connection_refused);
	suite_add_tcase(s, tc);
	return s;
}
