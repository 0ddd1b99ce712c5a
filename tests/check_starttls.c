/* The "starttls" check's assessment and description on canned probe
 * results (the probe itself runs against the lab: tests/e2e). */
#include <check.h>
#include <stdarg.h>

#include "evidence.h"
#include "starttls.h"

static struct sc_ctx ctx;

static struct sc_domain *
new_dom(void)
{
	struct sc_domain *d = ev_domain(&ctx, "x.example");
	struct sc_starttls_state *st = sc_calloc(1, sizeof(*st));

	st->port = 25;
	*sc_check_state(d, &sc_check_starttls) = st;
	return d;
}

static void
add(struct sc_domain *d, const char *host, unsigned pref, const char *addr,
    struct sc_probe_result *res, int hostname_ok)
{
	struct sc_starttls_state *st = sc_check_state_get(d, &sc_check_starttls);
	struct sc_starttls_entry *e;

	st->e = sc_realloc(st->e, (st->n + 1) * sizeof(*st->e));
	e = &st->e[st->n++];
	memset(e, 0, sizeof(*e));
	e->host = sc_strdup(host);
	e->addr = sc_strdup(addr);
	e->pref = pref;
	e->res = res;
	e->hostname_ok = hostname_ok;
}

static void
free_dom(struct sc_domain *d)
{
	sc_check_starttls.clear(d);
	ev_free(d);
}

static struct sc_hits
run(struct sc_domain *d)
{
	struct sc_hits h;

	memset(&h, 0, sizeof(h));
	sc_check_starttls.assess(d, &h);
	return h;
}

/* A sound TLS result: TLS 1.3, trusted, in date. */
static void
sound(struct sc_probe_result *r)
{
	memset(r, 0, sizeof(*r));
	r->outcome = SC_PROBE_TLS;
	r->starttls_offered = 1;
	r->banner = sc_strdup("220 mx.x.example ESMTP");
	r->tls.done = 1;
	r->tls.version_num = TLS1_3_VERSION;
	strcpy(r->tls.version, "TLSv1.3");
	strcpy(r->tls.cipher, "TLS_AES_256_GCM_SHA384");
	r->tls.trusted = 1;
	r->tls.ncert = 1;
	r->tls.cert[0].subject = sc_strdup("CN=mx.x.example");
	r->tls.cert[0].issuer = sc_strdup("CN=Some CA");
	strcpy(r->tls.cert[0].not_before, "2026-01-01T00:00:00Z");
	strcpy(r->tls.cert[0].not_after, "2026-04-01T00:00:00Z");
	memset(r->tls.cert[0].sha256, 'a', 64);
}

START_TEST(test_sound)
{
	struct sc_domain *d = new_dom();
	struct sc_probe_result r;
	struct sc_hits h;

	sound(&r);
	add(d, "mx.x.example", 10, "192.0.2.1", &r, 1);
	h = run(d);
	ck_assert_uint_eq(h.n, 0);
	ck_assert_int_eq(sc_hits_missing(&h), 0);
	sc_hits_clear(&h);
	sc_probe_result_clear(&r);
	free_dom(d);
}
END_TEST

START_TEST(test_no_starttls)
{
	struct sc_domain *d = new_dom();
	struct sc_probe_result r;
	struct sc_hits h;

	memset(&r, 0, sizeof(r));
	r.outcome = SC_PROBE_NO_STARTTLS;
	strcpy(r.error, "the server does not offer STARTTLS");
	add(d, "mx.x.example", 10, "192.0.2.1", &r, 0);
	h = run(d);
	ck_assert_uint_eq(h.n, 1);
	ck_assert_ptr_nonnull(strstr(ev_hit(&h, "starttls.unsupported"),
	                             "mx.x.example"));
	sc_hits_clear(&h);
	free_dom(d);
}
END_TEST

/* Port 25 blocked: a finding of its own, and "could not verify", not
 * "insecure"; the report is not made incomplete by it. */
START_TEST(test_unreachable)
{
	struct sc_domain *d = new_dom();
	struct sc_probe_result r;
	struct sc_hits h;
	const char *detail;

	memset(&r, 0, sizeof(r));
	r.outcome = SC_PROBE_UNREACHABLE;
	strcpy(r.error, "could not connect to port 25: Connection refused");
	add(d, "mx.x.example", 10, "192.0.2.1", &r, 0);
	h = run(d);
	ck_assert_uint_eq(h.n, 1);
	detail = ev_hit(&h, "starttls.unreachable");
	ck_assert_ptr_nonnull(detail);
	ck_assert_ptr_nonnull(strstr(detail, "Connection refused"));
	ck_assert_ptr_nonnull(strstr(detail, "could not verify"));
	ck_assert_int_eq(sc_hits_missing(&h), 1);
	sc_hits_clear(&h);
	free_dom(d);
}
END_TEST

/* The domain's deadline came before the probe's answer. */
START_TEST(test_pending_is_timeout)
{
	struct sc_domain *d = new_dom();
	struct sc_probe_result r;
	struct sc_hits h;

	memset(&r, 0, sizeof(r));
	add(d, "mx.x.example", 10, "192.0.2.1", &r, 0);
	add(d, "mx2.x.example", 20, "192.0.2.2", NULL, 0);
	h = run(d);
	ck_assert_uint_eq(h.n, 2);
	ck_assert_ptr_nonnull(strstr(ev_hit(&h, "starttls.unreachable"),
	                             "timed out"));
	sc_hits_clear(&h);
	free_dom(d);
}
END_TEST

START_TEST(test_self_signed)
{
	struct sc_domain *d = new_dom();
	struct sc_probe_result r;
	struct sc_hits h;

	sound(&r);
	r.tls.trusted = 0;
	r.tls.self_signed = 1;
	strcpy(r.tls.verify_error, "self-signed certificate");
	add(d, "mx.x.example", 10, "192.0.2.1", &r, 1);
	h = run(d);
	ck_assert_uint_eq(h.n, 1);
	ck_assert_ptr_nonnull(strstr(ev_hit(&h, "tls.cert_invalid"),
	                             "(self-signed)"));
	sc_hits_clear(&h);
	sc_probe_result_clear(&r);
	free_dom(d);
}
END_TEST

/* A host DANE authenticates (the "dane" check's judgement, on the host):
 * DANE senders look at no CA, name or date, so neither does the check. */
START_TEST(test_dane_authenticated)
{
	struct sc_domain *d = new_dom();
	struct sc_mxhost *m = ev_host(d, "mx.x.example", 10);
	struct sc_probe_result r;
	struct sc_hits h;

	sound(&r);
	r.tls.trusted = 0;
	r.tls.self_signed = 1;
	strcpy(r.tls.verify_error, "self-signed certificate");
	add(d, "mx.x.example", 10, "192.0.2.1", &r, 0);
	m->dane_authenticated = 1;
	h = run(d);
	ck_assert_uint_eq(h.n, 0);
	sc_hits_clear(&h);
	m->dane_authenticated = 0;
	h = run(d);
	ck_assert_ptr_nonnull(ev_hit(&h, "tls.cert_invalid"));
	ck_assert_ptr_nonnull(ev_hit(&h, "tls.hostname_mismatch"));
	sc_hits_clear(&h);
	sc_probe_result_clear(&r);
	free_dom(d);
}
END_TEST

/* Expired but from a trusted authority: expired, not also untrusted. */
START_TEST(test_expired)
{
	struct sc_domain *d = new_dom();
	struct sc_probe_result r;
	struct sc_hits h;

	sound(&r);
	r.tls.expired = 1;
	add(d, "mx.x.example", 10, "192.0.2.1", &r, 1);
	h = run(d);
	ck_assert_uint_eq(h.n, 1);
	ck_assert_ptr_nonnull(strstr(ev_hit(&h, "tls.cert_expired"),
	                             "2026-04-01T00:00:00Z"));
	sc_hits_clear(&h);
	sc_probe_result_clear(&r);
	free_dom(d);
}
END_TEST

START_TEST(test_not_yet_valid)
{
	struct sc_domain *d = new_dom();
	struct sc_probe_result r;
	struct sc_hits h;

	sound(&r);
	r.tls.not_yet_valid = 1;
	add(d, "mx.x.example", 10, "192.0.2.1", &r, 1);
	h = run(d);
	ck_assert_ptr_nonnull(strstr(ev_hit(&h, "tls.cert_invalid"),
	                             "not valid yet"));
	sc_hits_clear(&h);
	sc_probe_result_clear(&r);
	free_dom(d);
}
END_TEST

START_TEST(test_hostname_mismatch)
{
	struct sc_domain *d = new_dom();
	struct sc_probe_result r;
	struct sc_hits h;

	sound(&r);
	add(d, "mail.x.example", 10, "192.0.2.1", &r, 0);
	h = run(d);
	ck_assert_uint_eq(h.n, 1);
	ck_assert_ptr_nonnull(strstr(ev_hit(&h, "tls.hostname_mismatch"),
	                             "CN=mx.x.example"));
	sc_hits_clear(&h);
	sc_probe_result_clear(&r);
	free_dom(d);
}
END_TEST

START_TEST(test_old_protocol)
{
	struct sc_domain *d = new_dom();
	struct sc_probe_result r;
	struct sc_hits h;

	sound(&r);
	r.tls.version_num = TLS1_VERSION;
	strcpy(r.tls.version, "TLSv1");
	add(d, "mx.x.example", 10, "192.0.2.1", &r, 1);
	h = run(d);
	ck_assert_uint_eq(h.n, 1);
	ck_assert_ptr_nonnull(strstr(ev_hit(&h, "tls.old_protocol"), "TLSv1"));
	r.tls.version_num = TLS1_2_VERSION;
	sc_hits_clear(&h);
	h = run(d);
	ck_assert_uint_eq(h.n, 0);
	sc_hits_clear(&h);
	sc_probe_result_clear(&r);
	free_dom(d);
}
END_TEST

/* Everything wrong at once: each finding once. */
START_TEST(test_all_tls_findings)
{
	struct sc_domain *d = new_dom();
	struct sc_probe_result r;
	struct sc_hits h;

	sound(&r);
	r.tls.trusted = 0;
	r.tls.expired = 1;
	r.tls.version_num = TLS1_1_VERSION;
	add(d, "mx.x.example", 10, "192.0.2.1", &r, 0);
	h = run(d);
	ck_assert_uint_eq(h.n, 4);
	ck_assert_ptr_nonnull(ev_hit(&h, "tls.cert_invalid"));
	ck_assert_ptr_nonnull(ev_hit(&h, "tls.cert_expired"));
	ck_assert_ptr_nonnull(ev_hit(&h, "tls.hostname_mismatch"));
	ck_assert_ptr_nonnull(ev_hit(&h, "tls.old_protocol"));
	sc_hits_clear(&h);
	sc_probe_result_clear(&r);
	free_dom(d);
}
END_TEST

/* One finding per id and host, whatever the number of its addresses;
 * another host gets its own. */
START_TEST(test_once_per_host)
{
	struct sc_domain *d = new_dom();
	struct sc_probe_result r;
	struct sc_hits h;

	memset(&r, 0, sizeof(r));
	r.outcome = SC_PROBE_NO_STARTTLS;
	add(d, "mx1.x.example", 10, "192.0.2.1", &r, 0);
	add(d, "mx1.x.example", 10, "2001:db8::1", &r, 0);
	add(d, "mx2.x.example", 20, "192.0.2.1", &r, 0);
	h = run(d);
	ck_assert_uint_eq(h.n, 2);
	ck_assert_ptr_nonnull(strstr(h.hit[0].detail, "mx1.x.example"));
	ck_assert_ptr_nonnull(strstr(h.hit[1].detail, "mx2.x.example"));
	sc_hits_clear(&h);
	free_dom(d);
}
END_TEST

START_TEST(test_no_mx_no_findings)
{
	struct sc_domain *d = ev_domain(&ctx, "x.example");
	struct sc_hits h = run(d);
	json_t *j = sc_describe_json(&sc_check_starttls, d);
	char *text;

	ck_assert_uint_eq(h.n, 0);
	ck_assert_ptr_nonnull(j);
	ck_assert_uint_eq(json_array_size(json_object_get(j, "hosts")), 0);
	json_decref(j);
	/* no state: the context's port */
	ctx.smtp_port = 587;
	text = ev_described(&sc_check_starttls, d);
	ctx.smtp_port = 0;
	ck_assert_str_eq(text, "\"starttls\":{\"port\":587,\"hosts\":[]}");
	sc_free(text);
	sc_hits_clear(&h);
	free_dom(d);
}
END_TEST

START_TEST(test_describe)
{
	struct sc_domain *d = new_dom();
	struct sc_probe_result r, u;
	json_t *j, *hosts, *a;

	sound(&r);
	r.next = 2;
	r.ext = sc_calloc(2, sizeof(char *));
	r.ext[0] = sc_strdup("PIPELINING");
	r.ext[1] = sc_strdup("STARTTLS");
	memset(&u, 0, sizeof(u));
	u.outcome = SC_PROBE_UNREACHABLE;
	strcpy(u.error, "timed out waiting for the banner");
	add(d, "mx.x.example", 10, "192.0.2.1", &r, 1);
	add(d, "mx.x.example", 10, "2001:db8::1", &u, 0);
	add(d, "mx2.x.example", 20, "192.0.2.9", NULL, 0);
	j = sc_describe_json(&sc_check_starttls, d);
	ck_assert_ptr_nonnull(j);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "port")), 25);
	hosts = json_object_get(j, "hosts");
	ck_assert_uint_eq(json_array_size(hosts), 2);
	ck_assert_str_eq(json_string_value(json_object_get(
	    json_array_get(hosts, 0), "host")), "mx.x.example");
	a = json_object_get(json_array_get(hosts, 0), "addresses");
	ck_assert_uint_eq(json_array_size(a), 2);
	ck_assert_str_eq(json_string_value(json_object_get(
	    json_array_get(a, 0), "status")), "tls");
	ck_assert(json_is_true(json_object_get(json_array_get(a, 0),
	                                       "starttls")));
	ck_assert_uint_eq(json_array_size(json_object_get(
	    json_array_get(a, 0), "ehlo")), 2);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(
	    json_array_get(a, 0), "tls"), "version")), "TLSv1.3");
	ck_assert_uint_eq(json_array_size(json_object_get(json_object_get(
	    json_array_get(a, 0), "tls"), "chain")), 1);
	ck_assert_str_eq(json_string_value(json_object_get(
	    json_array_get(a, 1), "status")), "unreachable");
	ck_assert_str_eq(json_string_value(json_object_get(
	    json_array_get(a, 1), "error")), "timed out waiting for the banner");
	a = json_object_get(json_array_get(hosts, 1), "addresses");
	ck_assert_str_eq(json_string_value(json_object_get(
	    json_array_get(a, 0), "status")), "timeout");
	json_decref(j);
	/* No chain kept in a canned result: nothing for DANE. */
	ck_assert_ptr_null(sc_starttls_chain(d, "mx.x.example", "192.0.2.1"));
	ck_assert_ptr_null(sc_starttls_chain(d, "nope.example", "192.0.2.1"));
	sc_probe_result_clear(&r);
	free_dom(d);
}
END_TEST

/* Every branch of the description, byte for byte: the text is what the
 * jansson tree this writer replaced gave (json_dumps, JSON_COMPACT). */
static const char describe_want[] =
    "\"starttls\":{\"port\":2525,\"hosts\":[{\"host\":\"mx.x.example\","
    "\"preference\":10,\"addresses\":[{\"address\":\"192.0.2.1\","
    "\"status\":\"tls\",\"elapsed_ms\":42,"
    "\"error\":\"kept from an earlier try\","
    "\"banner\":\"220 mx \\\"x\\\" \\\\ ESMTP\\t\xc3\xa9\",\"starttls\":true,"
    "\"ehlo\":[\"PIPELINING\",\"SIZE 10240000\",\"STARTTLS\"],"
    "\"tls\":{\"version\":\"TLSv1.3\",\"cipher\":\"TLS_AES_256_GCM_SHA384\","
    "\"trusted\":false,\"expired\":true,\"self_signed\":true,"
    "\"hostname_match\":false,\"chain\":[{\"subject\":\"CN=mx.x.example\","
    "\"issuer\":\"CN=Some CA\",\"not_before\":\"2026-01-01T00:00:00Z\","
    "\"not_after\":\"2026-04-01T00:00:00Z\","
    "\"sha256\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
    "aaaa\"},{\"subject\":\"CN=Some CA,O=Some \\\"Org\\\"\","
    "\"issuer\":\"CN=Root\",\"not_before\":\"2020-01-01T00:00:00Z\","
    "\"not_after\":\"2030-01-01T00:00:00Z\","
    "\"sha256\":\"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
    "bbbb\"}],\"verify_error\":\"unable to get local issuer certificate\"}},"
    "{\"address\":\"2001:db8::1\",\"status\":\"unreachable\","
    "\"elapsed_ms\":7000,\"error\":\"the connection closed\","
    "\"banner\":\"421 busy\"}]},{\"host\":\"mx2.x.example\",\"preference\":20,"
    "\"addresses\":[{\"address\":\"192.0.2.9\",\"status\":\"no_starttls\","
    "\"elapsed_ms\":3,\"error\":\"the server does not offer STARTTLS\","
    "\"banner\":\"220 plain\",\"starttls\":false,\"ehlo\":[]},"
    "{\"address\":\"192.0.2.10\",\"status\":\"timeout\"},"
    "{\"address\":\"192.0.2.11\",\"status\":\"timeout\"}]},"
    "{\"host\":\"mx.x.example\",\"preference\":30,"
    "\"addresses\":[{\"address\":\"192.0.2.12\",\"status\":\"unreachable\","
    "\"elapsed_ms\":7000,\"error\":\"the connection closed\","
    "\"banner\":\"421 busy\"}]}]}";

static void
ehlo(struct sc_probe_result *r, size_t n, ...)
{
	va_list ap;
	size_t i;

	r->ext = sc_calloc(n, sizeof(char *));
	r->next = n;
	va_start(ap, n);
	for (i = 0; i < n; i++)
		r->ext[i] = sc_strdup(va_arg(ap, const char *));
	va_end(ap);
}

START_TEST(test_describe_text)
{
	struct sc_domain *d = new_dom();
	struct sc_probe_result r, u, n, p;
	struct sc_starttls_state *st;
	char *text;

	/* TLS, untrusted and expired, a chain of two, an error kept */
	sound(&r);
	r.elapsed_ms = 42;
	sc_free(r.banner);
	r.banner = sc_strdup("220 mx \"x\" \\ ESMTP\t\xc3\xa9");
	ehlo(&r, 3, "PIPELINING", "SIZE 10240000", "STARTTLS");
	r.tls.trusted = 0;
	r.tls.expired = 1;
	r.tls.self_signed = 1;
	strcpy(r.tls.verify_error, "unable to get local issuer certificate");
	strcpy(r.error, "kept from an earlier try");
	r.tls.ncert = 2;
	r.tls.cert[1].subject = sc_strdup("CN=Some CA,O=Some \"Org\"");
	r.tls.cert[1].issuer = sc_strdup("CN=Root");
	strcpy(r.tls.cert[1].not_before, "2020-01-01T00:00:00Z");
	strcpy(r.tls.cert[1].not_after, "2030-01-01T00:00:00Z");
	memset(r.tls.cert[1].sha256, 'b', 64);
	/* unreachable after the banner: no EHLO part */
	memset(&u, 0, sizeof(u));
	u.outcome = SC_PROBE_UNREACHABLE;
	u.elapsed_ms = 7000;
	u.banner = sc_strdup("421 busy");
	strcpy(u.error, "the connection closed");
	/* no STARTTLS, nothing after EHLO */
	memset(&n, 0, sizeof(n));
	n.outcome = SC_PROBE_NO_STARTTLS;
	n.elapsed_ms = 3;
	n.banner = sc_strdup("220 plain");
	strcpy(n.error, "the server does not offer STARTTLS");
	/* a result still pending: a timeout, nothing else */
	memset(&p, 0, sizeof(p));
	p.elapsed_ms = 99;
	add(d, "mx.x.example", 10, "192.0.2.1", &r, 0);
	add(d, "mx.x.example", 10, "2001:db8::1", &u, 0);
	add(d, "mx2.x.example", 20, "192.0.2.9", &n, 0);
	add(d, "mx2.x.example", 20, "192.0.2.10", &p, 0);
	add(d, "mx2.x.example", 20, "192.0.2.11", NULL, 0);
	add(d, "mx.x.example", 30, "192.0.2.12", &u, 0);
	st = sc_check_state_get(d, &sc_check_starttls);
	st->port = 2525;
	text = ev_described(&sc_check_starttls, d);
	ck_assert_ptr_nonnull(text);
	ck_assert_str_eq(text, describe_want);
	sc_free(text);
	sc_probe_result_clear(&r);
	sc_probe_result_clear(&u);
	sc_probe_result_clear(&n);
	free_dom(d);
}
END_TEST

/* Out of memory while describing: NULL, nothing leaked. */
START_TEST(test_describe_oom)
{
	struct sc_domain *d = new_dom();
	struct sc_probe_result r;
	unsigned long n;

	sound(&r);
	add(d, "mx.x.example", 10, "192.0.2.1", &r, 1);
	for (n = 1; n < 200; n++) {
		json_t *j;

		sc_alloc_fail_at(n);
		j = sc_describe_json(&sc_check_starttls, d);
		sc_alloc_fail_at(0);
		json_decref(j);
	}
	sc_probe_result_clear(&r);
	free_dom(d);
}
END_TEST

START_TEST(test_ids)
{
	static const char *const want[] = {
		"starttls.unsupported", "starttls.unreachable",
		"tls.cert_invalid", "tls.cert_expired", "tls.hostname_mismatch",
		"tls.old_protocol"
	};
	size_t i, k;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		int found = 0;

		for (k = 0; sc_check_starttls.ids[k] != NULL; k++)
			found |= strcmp(sc_check_starttls.ids[k], want[i]) == 0;
		ck_assert_msg(found, "%s not declared", want[i]);
	}
}
END_TEST

Suite *starttls_suite(void)
{
	Suite *s = suite_create("starttls");
	TCase *tc = tcase_create("assess");

	tcase_add_test(tc, test_sound);
	tcase_add_test(tc, test_no_starttls);
	tcase_add_test(tc, test_unreachable);
	tcase_add_test(tc, test_pending_is_timeout);
	tcase_add_test(tc, test_self_signed);
	tcase_add_test(tc, test_dane_authenticated);
	tcase_add_test(tc, test_expired);
	tcase_add_test(tc, test_not_yet_valid);
	tcase_add_test(tc, test_hostname_mismatch);
	tcase_add_test(tc, test_old_protocol);
	tcase_add_test(tc, test_all_tls_findings);
	tcase_add_test(tc, test_once_per_host);
	tcase_add_test(tc, test_no_mx_no_findings);
	tcase_add_test(tc, test_describe);
	tcase_add_test(tc, test_describe_text);
	tcase_add_test(tc, test_describe_oom);
	tcase_add_test(tc, test_ids);
	suite_add_tcase(s, tc);
	return s;
}
