/* The "interception" check: its verdict on canned states of "starttls",
 * "mta_sts" and "dane" (the lab runs it for real: cases-dane.tsv). */
#include <arpa/nameser.h>
#include <check.h>

#include <openssl/evp.h>

#include "mta_sts.h"
#include "dane.h"
#include "evidence.h"
#include "http.h"
#include "mta_sts_parse.h"
#include "starttls.h"

static struct sc_ctx ctx;
static struct sc_probe_result probe[2];

enum tls { OK, CLEAR, BADCERT, DOWN, BADNAME };

/* x.example with MX mx1 and mx2 (one address each), probed as told. */
static struct sc_domain *
world(enum tls t1, enum tls t2)
{
	struct sc_domain *d = ev_domain(&ctx, "x.example");
	struct sc_starttls_state *tls = sc_calloc(1, sizeof(*tls));
	enum tls t[2] = { t1, t2 };
	size_t i;

	ctx.skip = 0;
	d->mx = ev_lookup(d, "x.example", ns_t_mx, SC_DNS_OK, 2,
	                  "10 mx1.x.example", "20 mx2.x.example");
	tls->port = 25;
	tls->e = sc_calloc(2, sizeof(*tls->e));
	for (i = 0; i < 2; i++) {
		char name[32], addr[32];
		struct sc_mxhost *h;

		snprintf(name, sizeof(name), "mx%zu.x.example", i + 1);
		snprintf(addr, sizeof(addr), "192.0.2.%zu", i + 1);
		h = ev_host(d, name, (unsigned)(10 * (i + 1)));
		h->a = ev_lookup(d, name, ns_t_a, SC_DNS_OK, 1, addr);
		memset(&probe[i], 0, sizeof(probe[i]));
		probe[i].outcome = t[i] == DOWN ? SC_PROBE_UNREACHABLE
		                 : t[i] == CLEAR ? SC_PROBE_NO_STARTTLS
		                                 : SC_PROBE_TLS;
		probe[i].tls.done = probe[i].outcome == SC_PROBE_TLS;
		probe[i].tls.trusted = t[i] != BADCERT;
		tls->e[i].host = sc_strdup(name);
		tls->e[i].addr = sc_strdup(addr);
		tls->e[i].pref = (unsigned)(10 * (i + 1));
		tls->e[i].res = &probe[i];
		tls->e[i].hostname_ok = t[i] != BADNAME;
	}
	tls->n = 2;
	*sc_check_state(d, &sc_check_starttls) = tls;
	return d;
}

/* _mta-sts answered (outcome); with a policy body when not NULL. */
static void
sts(struct sc_domain *d, sc_dns_outcome_t outcome, const char *body)
{
	struct sc_mta_sts_state *st = sc_calloc(1, sizeof(*st));

	*sc_check_state(d, &sc_check_mta_sts) = st;
	if (body == NULL) {
		st->txt = ev_lookup(d, "_mta-sts.x.example", ns_t_txt, outcome,
		                    0);
		return;
	}
	st->txt = ev_lookup(d, "_mta-sts.x.example", ns_t_txt, SC_DNS_OK, 1,
	                    "v=STSv1; id=1");
	st->a = ev_lookup(d, "mta-sts.x.example", ns_t_a, SC_DNS_OK, 1,
	                  "192.0.2.80");
	st->aaaa = ev_lookup(d, "mta-sts.x.example", ns_t_aaaa, SC_DNS_NODATA,
	                     0);
	st->url = sc_strdup("https://mta-sts.x.example/.well-known/mta-sts.txt");
	st->fetch = sc_calloc(1, sizeof(*st->fetch));
	st->fetch->code = 0;
	st->fetch->outcome = SC_FETCH_OK;
	st->fetch->status = 200;
	st->fetch->body = sc_strdup(body);
	st->fetch->len = strlen(body);
	st->fetch_done = 1;
	st->content_type = sc_strdup("text/plain");
}

#define ENFORCE "version: STSv1\nmode: enforce\nmx: *.x.example\n" \
	"max_age: 604800\n"
#define ENFORCE_MX1 "version: STSv1\nmode: enforce\nmx: mx1.x.example\n" \
	"max_age: 604800\n"
#define TESTING "version: STSv1\nmode: testing\nmx: *.x.example\n" \
	"max_age: 604800\n"

/* Validated DANE on both hosts, matching as told (the chains are not
 * built: a state whose probe is unreachable is "unknown"). */
static void
dane(struct sc_domain *d, int signed_mx, const char *r1, const char *r2)
{
	struct sc_dane_state *st = sc_calloc(1, sizeof(*st));
	const char *rec[2] = { r1, r2 };
	size_t i;

	d->mx->ad = signed_mx;
	st->h = sc_calloc(2, sizeof(*st->h));
	for (i = 0; i < 2; i++) {
		char name[64];

		st->h[i].host = sc_strdup(d->host[i].name);
		d->host[i].a->ad = signed_mx;
		snprintf(name, sizeof(name), "_25._tcp.%s", d->host[i].name);
		/* No record: a validated denial. */
		st->h[i].tlsa = rec[i] != NULL
		    ? ev_lookup(d, name, 52, SC_DNS_OK, 1, rec[i])
		    : ev_lookup(d, name, 52, SC_DNS_NXDOMAIN, 0);
		st->h[i].tlsa->ad = 1;
	}
	st->n = 2;
	*sc_check_state(d, &sc_check_dane) = st;
}

static void
world_free(struct sc_domain *d)
{
	struct sc_starttls_state *tls =
	    sc_check_state_get(d, &sc_check_starttls);
	size_t i;

	for (i = 0; i < tls->n; i++) {
		sc_free(tls->e[i].host);
		sc_free(tls->e[i].addr);
		sc_tls_result_clear(&probe[i].tls);
	}
	sc_free(tls->e);
	sc_free(tls);
	*sc_check_state(d, &sc_check_starttls) = NULL;
	sc_check_mta_sts.clear(d);
	sc_check_dane.clear(d);
	ev_free(d);
}

/* The verdict, and the finding when exposed (and only then). */
static void
expect(struct sc_domain *d, sc_interception_t want, const char *via,
       const char *detail_has)
{
	struct sc_interception iv;
	struct sc_hits h;
	json_t *j;

	sc_interception_eval(d, &iv);
	ck_assert_int_eq(iv.nomem, 0);
	ck_assert_msg(iv.verdict == want, "verdict %s, expected %s: %s",
	              sc_interception_verdict_str(iv.verdict),
	              sc_interception_verdict_str(want), iv.detail);
	if (via == NULL)
		ck_assert_ptr_null(iv.via);
	else
		ck_assert_str_eq(iv.via, via);
	if (detail_has != NULL)
		ck_assert_msg(strstr(iv.detail, detail_has) != NULL,
		              "\"%s\" not in \"%s\"", detail_has, iv.detail);
	/* The check judges once, in its finish hook, and its assess and
	 * describe read that judgement. */
	sc_check_interception.finish(d);
	ck_assert_ptr_nonnull(d->interception);
	ck_assert_int_eq(d->interception->verdict, iv.verdict);
	ck_assert_str_eq(d->interception->detail, iv.detail);
	memset(&h, 0, sizeof(h));
	sc_check_interception.assess(d, &h);
	if (want == SC_INTERCEPTION_EXPOSED) {
		ck_assert_uint_eq(h.n, 1);
		ck_assert_str_eq(h.hit[0].detail, iv.detail);
	} else if (iv.missing && !iv.cause_reported) {
		/* Evidence that decides is missing, and no other finding
		 * says so: this one does, and it is "could not verify". */
		ck_assert_uint_eq(h.n, 1);
		ck_assert_str_eq(h.hit[0].id, "interception.unverified");
		ck_assert_int_eq(h.hit[0].missing, 1);
	} else {
		ck_assert_uint_eq(h.n, 0);
	}
	ck_assert_ptr_null(ev_hit(&h, "dane.mismatch"));
	sc_hits_clear(&h);
	j = sc_describe_json(&sc_check_interception, d);
	ck_assert_ptr_nonnull(j);
	ck_assert_str_eq(json_string_value(json_object_get(j, "verdict")),
	                 sc_interception_verdict_str(want));
	if (want == SC_INTERCEPTION_UNKNOWN)
		ck_assert(json_is_null(json_object_get(j, "protected")));
	else
		ck_assert(json_is_boolean(json_object_get(j, "protected")) &&
		          json_is_true(json_object_get(j, "protected")) ==
		          (want == SC_INTERCEPTION_PROTECTED));
	ck_assert(via == NULL ? json_is_null(json_object_get(j, "via"))
	                      : strcmp(json_string_value(json_object_get(j,
	                               "via")), via) == 0);
	ck_assert(want == SC_INTERCEPTION_PROTECTED
	          ? json_is_null(json_object_get(j, "missing"))
	          : json_is_string(json_object_get(j, "missing")));
	json_decref(j);
	sc_check_interception.clear(d);
	ck_assert_ptr_null(d->interception);
}

START_TEST(test_mta_sts_enforce)
{
	struct sc_domain *d = world(OK, OK);

	sts(d, SC_DNS_OK, ENFORCE);
	expect(d, SC_INTERCEPTION_PROTECTED, "mta-sts", "MTA-STS");
	world_free(d);
}
END_TEST

START_TEST(test_no_policy)
{
	struct sc_domain *d = world(OK, OK);

	sts(d, SC_DNS_NXDOMAIN, NULL);
	expect(d, SC_INTERCEPTION_EXPOSED, NULL, "neither MTA-STS");
	world_free(d);
	/* Testing mode protects nobody; nor a policy that misses an MX. */
	d = world(OK, OK);
	sts(d, SC_DNS_OK, TESTING);
	expect(d, SC_INTERCEPTION_EXPOSED, NULL, "mode testing");
	world_free(d);
	d = world(OK, OK);
	sts(d, SC_DNS_OK, ENFORCE_MX1);
	expect(d, SC_INTERCEPTION_EXPOSED, NULL, "mx2.x.example");
	world_free(d);
	/* Without any MTA-STS state (check off in a test build). */
	d = world(OK, OK);
	expect(d, SC_INTERCEPTION_EXPOSED, NULL, "strips");
	world_free(d);
}
END_TEST

/* A server without STARTTLS: exposed even under an enforced policy. */
START_TEST(test_cleartext)
{
	struct sc_domain *d = world(OK, CLEAR);

	sts(d, SC_DNS_OK, ENFORCE);
	expect(d, SC_INTERCEPTION_EXPOSED, NULL, "mx2.x.example takes mail "
	       "without STARTTLS");
	world_free(d);
}
END_TEST

START_TEST(test_enforce_badcert)
{
	struct sc_domain *d = world(BADCERT, OK);

	sts(d, SC_DNS_OK, ENFORCE);
	expect(d, SC_INTERCEPTION_EXPOSED, NULL, "mx1.x.example presents");
	world_free(d);
	d = world(OK, BADNAME);
	sts(d, SC_DNS_OK, ENFORCE);
	expect(d, SC_INTERCEPTION_EXPOSED, NULL, "mx2.x.example presents");
	world_free(d);
}
END_TEST

/* Enforced, but a server could not be probed: cannot tell. */
START_TEST(test_enforce_unreachable)
{
	struct sc_domain *d = world(OK, DOWN);

	sts(d, SC_DNS_OK, ENFORCE);
	expect(d, SC_INTERCEPTION_UNKNOWN, NULL, "mx2.x.example");
	world_free(d);
}
END_TEST

/* The MTA-STS lookup failed and no DANE: cannot tell. */
START_TEST(test_sts_unverified)
{
	struct sc_domain *d = world(OK, OK);

	sts(d, SC_DNS_SERVFAIL, NULL);
	expect(d, SC_INTERCEPTION_UNKNOWN, NULL, "_mta-sts.x.example failed");
	world_free(d);
}
END_TEST

/* An enforced policy announced, but not read from here: its host not
 * reached, or its address lookups failed.  Unknown, said by mta_sts's
 * own finding, never "exposed" (a policy may well protect the mail). */
START_TEST(test_sts_not_read)
{
	struct sc_domain *d = world(OK, OK);
	struct sc_mta_sts_state *st;
	struct sc_interception iv;

	sts(d, SC_DNS_OK, ENFORCE);
	st = sc_check_state_get(d, &sc_check_mta_sts);
	st->fetch->outcome = SC_FETCH_CONNECT;
	st->fetch->code = 7;
	st->fetch->status = 0;
	st->fetch->connected = 0;
	expect(d, SC_INTERCEPTION_UNKNOWN, NULL, "could not connect");
	sc_interception_eval(d, &iv);
	ck_assert_int_eq(iv.missing, 1);
	ck_assert_int_eq(iv.cause_reported, 1);
	/* Reached, and refused the connection midway: the domain's fault,
	 * no policy for senders either. */
	st->fetch->connected = 1;
	expect(d, SC_INTERCEPTION_EXPOSED, NULL, "fetching");
	/* The policy host's addresses not looked up (timeouts). */
	st->fetch->connected = 0;
	st->a->outcome = SC_DNS_TIMEOUT;
	st->aaaa->outcome = SC_DNS_TIMEOUT;
	expect(d, SC_INTERCEPTION_UNKNOWN, NULL, "address lookups");
	world_free(d);
}
END_TEST

/* Validated TLSA on every host but no handshake to match them: unknown;
 * on one host only (the other has no TLSA): exposed. */
START_TEST(test_dane_pending)
{
	struct sc_domain *d = world(DOWN, DOWN);

	sts(d, SC_DNS_NXDOMAIN, NULL);
	dane(d, 1, "3 1 1 00", "3 1 1 00");
	expect(d, SC_INTERCEPTION_UNKNOWN, NULL, "TLSA");
	world_free(d);
	d = world(DOWN, DOWN);
	sts(d, SC_DNS_NXDOMAIN, NULL);
	dane(d, 1, "3 1 1 00", NULL);
	expect(d, SC_INTERCEPTION_EXPOSED, NULL, "mx2.x.example");
	world_free(d);
	/* Unsigned MX: the TLSA records do not count (RFC 7672 2.2.1). */
	d = world(DOWN, DOWN);
	sts(d, SC_DNS_NXDOMAIN, NULL);
	dane(d, 0, "3 1 1 00", "3 1 1 00");
	expect(d, SC_INTERCEPTION_EXPOSED, NULL, "neither");
	world_free(d);
}
END_TEST

/* DANE matching on both hosts, with chains the probe "saw". */
static void
chain_for(struct sc_probe_result *r, EVP_PKEY *key, char *rec, size_t len)
{
	X509 *c = X509_new();
	unsigned char *der = NULL, md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0, i;
	int n;

	X509_set_version(c, 2);
	X509_gmtime_adj(X509_getm_notBefore(c), 0);
	X509_gmtime_adj(X509_getm_notAfter(c), 3600);
	X509_set_pubkey(c, key);
	X509_sign(c, key, EVP_sha256());
	r->tls.chain = sk_X509_new_null();
	sk_X509_push(r->tls.chain, c);
	n = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(c), &der);
	EVP_Digest(der, (size_t)n, md, &mdlen, EVP_sha256(), NULL);
	OPENSSL_free(der);
	n = snprintf(rec, len, "3 1 1 ");
	for (i = 0; i < mdlen; i++)
		n += snprintf(rec + n, len - (size_t)n, "%02X", md[i]);
}

START_TEST(test_dane_match)
{
	struct sc_domain *d = world(BADNAME, BADNAME);
	EVP_PKEY *k = EVP_EC_gen("P-256");
	char r1[100], r2[100];

	chain_for(&probe[0], k, r1, sizeof(r1));
	chain_for(&probe[1], k, r2, sizeof(r2));
	sts(d, SC_DNS_NXDOMAIN, NULL);
	/* DANE-EE is the certificate check: names do not matter. */
	dane(d, 1, r1, r2);
	expect(d, SC_INTERCEPTION_PROTECTED, "dane", "DANE");
	world_free(d);
	/* A mismatch on one host: exposed, and says so. */
	d = world(OK, OK);
	chain_for(&probe[0], k, r1, sizeof(r1));
	chain_for(&probe[1], k, r2, sizeof(r2));
	sts(d, SC_DNS_NXDOMAIN, NULL);
	dane(d, 1, r1, "3 1 1 00");
	expect(d, SC_INTERCEPTION_EXPOSED, NULL, "do not match");
	world_free(d);
	EVP_PKEY_free(k);
}
END_TEST

/* No mail, a failed MX lookup, an address literal, checks off. */
START_TEST(test_unknown)
{
	struct sc_domain *d = world(OK, OK);

	d->mx->outcome = SC_DNS_TIMEOUT;
	expect(d, SC_INTERCEPTION_UNKNOWN, NULL, "MX lookup");
	d->mx->outcome = SC_DNS_NXDOMAIN;
	expect(d, SC_INTERCEPTION_UNKNOWN, NULL, "no mail is delivered");
	d->mx->outcome = SC_DNS_OK;
	sc_free(d->mx->rr[0].text);
	sc_free(d->mx->rr[1].text);
	d->mx->rr[0].text = sc_strdup("");
	d->mx->rr[0].pref = 0;
	d->mx->n = 1;
	expect(d, SC_INTERCEPTION_UNKNOWN, NULL, "no mail is delivered");
	d->mx = NULL;
	expect(d, SC_INTERCEPTION_UNKNOWN, NULL, "literal");
	world_free(d);
	d = world(OK, OK);
	sts(d, SC_DNS_OK, ENFORCE);
	/* Without the probe the claim narrows to the policies: an enforced
	 * MTA-STS policy protects as far as this run can tell. */
	ctx.skip = UINT32_C(1) << 2; /* "starttls", third in the registry */
	ck_assert_str_eq(sc_check_name(2), "starttls");
	expect(d, SC_INTERCEPTION_PROTECTED, "mta-sts", "probe was skipped");
	world_free(d);
	/* ... and no policy is exposed, probe or not. */
	d = world(OK, OK);
	ctx.skip = UINT32_C(1) << 2;
	sts(d, SC_DNS_NXDOMAIN, NULL);
	expect(d, SC_INTERCEPTION_EXPOSED, NULL, "neither");
	world_free(d);
	/* MTA-STS skipped as well, and no DANE: not assessed, and no
	 * evidence missing (the user narrowed the claim). */
	d = world(OK, OK);
	ctx.skip = UINT32_C(1) << 2 | UINT32_C(1) << 8;
	ck_assert_str_eq(sc_check_name(8), "mta_sts");
	expect(d, SC_INTERCEPTION_UNKNOWN, NULL, "switched off");
	{
		struct sc_interception iv;

		sc_interception_eval(d, &iv);
		ck_assert_int_eq(iv.missing, 0);
	}
	ctx.skip = 0;
	world_free(d);
}
END_TEST

static uint32_t
skip_bit(const char *name)
{
	size_t i;

	for (i = 0; sc_check_name(i) != NULL; i++)
		if (strcmp(sc_check_name(i), name) == 0)
			return UINT32_C(1) << i;
	ck_abort_msg("no check %s", name);
	return 0;
}

/* What was not looked at is not said to be missing, nor absent: MX
 * records that all name the root take no mail; a switched-off mx check
 * lists no host (not "no MX record"); a switched-off dane check is no
 * "no TLSA records".  (Each once gave a false line: "no mail" for a
 * domain with MX hosts, "DANE: no TLSA records" unasked.) */
START_TEST(test_not_looked_at)
{
	struct sc_domain *d = world(OK, OK);
	struct sc_interception iv;
	size_t i;

	/* "MX 10 ." and "MX 20 .": no null MX, and no host either. */
	for (i = 0; i < 2; i++) {
		sc_free(d->mx->rr[i].text);
		d->mx->rr[i].text = sc_strdup(".");
	}
	d->nhost = 0; /* as the mx check lists them; world_free() frees */
	sts(d, SC_DNS_NXDOMAIN, NULL);
	expect(d, SC_INTERCEPTION_UNKNOWN, NULL, "no mail is delivered");
	ck_assert(!sc_domain_takes_mail(d));
	d->nhost = 2;
	world_free(d);

	/* The mx check off: MX records, no host listed. */
	d = world(OK, OK);
	sts(d, SC_DNS_NXDOMAIN, NULL);
	d->nhost = 0;
	ctx.skip = skip_bit("mx");
	expect(d, SC_INTERCEPTION_UNKNOWN, NULL, "mx check was switched off");
	sc_interception_eval(d, &iv);
	ck_assert_int_eq(iv.missing, 0);
	ck_assert_ptr_null(strstr(iv.detail, "no MX"));
	/* ... and with the mx check on, hosts that could not be listed
	 * are missing evidence, said by interception.unverified. */
	ctx.skip = 0;
	sc_interception_eval(d, &iv);
	ck_assert_int_eq(iv.missing, 1);
	ck_assert_int_eq(iv.cause_reported, 0);
	expect(d, SC_INTERCEPTION_UNKNOWN, NULL, "could not be listed");
	d->nhost = 2;
	world_free(d);

	/* The dane check off, no MTA-STS: not assessed, not exposed. */
	d = world(OK, OK);
	sts(d, SC_DNS_NXDOMAIN, NULL);
	ctx.skip = skip_bit("dane");
	expect(d, SC_INTERCEPTION_UNKNOWN, NULL, "dane check was switched off");
	sc_interception_eval(d, &iv);
	ck_assert_int_eq(iv.missing, 0);
	ck_assert_ptr_null(strstr(iv.detail, "TLSA"));
	/* ... but a server without STARTTLS is exposed whatever DANE says. */
	world_free(d);
	d = world(CLEAR, OK);
	sts(d, SC_DNS_NXDOMAIN, NULL);
	ctx.skip = skip_bit("dane");
	expect(d, SC_INTERCEPTION_EXPOSED, NULL, "without STARTTLS");
	/* mta_sts and dane off: neither is said to be missing. */
	world_free(d);
	d = world(OK, OK);
	ctx.skip = skip_bit("dane") | skip_bit("mta_sts");
	expect(d, SC_INTERCEPTION_UNKNOWN, NULL, "not looked at for DANE");
	ctx.skip = 0;
	world_free(d);
}
END_TEST

/* No MX record: mail goes to the domain's own address (RFC 5321 5.1),
 * which is exposed without a policy, and "no mail" without an address. */
START_TEST(test_implicit_mx)
{
	struct sc_domain *d = world(OK, OK);
	struct sc_interception iv;

	d->nhost = 0; /* the hosts stay allocated for world_free() */
	d->mx->outcome = SC_DNS_NODATA;
	d->a = ev_lookup(d, "x.example", ns_t_a, SC_DNS_OK, 1, "192.0.2.7");
	d->aaaa = ev_lookup(d, "x.example", ns_t_aaaa, SC_DNS_NODATA, 0);
	sts(d, SC_DNS_NXDOMAIN, NULL);
	expect(d, SC_INTERCEPTION_EXPOSED, NULL, "own address");
	/* A policy would need the server's certificate, not probed here. */
	sc_check_mta_sts.clear(d);
	sts(d, SC_DNS_OK, "version: STSv1\nmode: enforce\nmx: x.example\n"
	    "max_age: 604800\n");
	sc_interception_eval(d, &iv);
	ck_assert_int_eq(iv.missing, 1);
	expect(d, SC_INTERCEPTION_UNKNOWN, NULL, "does not check");
	/* No address at all: no mail, nothing missing. */
	d->a->outcome = SC_DNS_NODATA;
	sc_interception_eval(d, &iv);
	ck_assert_int_eq(iv.missing, 0);
	expect(d, SC_INTERCEPTION_UNKNOWN, NULL, "no mail is delivered");
	d->nhost = 2;
	world_free(d);
}
END_TEST

START_TEST(test_oom)
{
	struct sc_domain *d = world(OK, OK);
	unsigned long n;

	sts(d, SC_DNS_OK, ENFORCE);
	for (n = 1; n < 300; n++) {
		struct sc_interception iv;
		struct sc_hits h;
		json_t *j;

		memset(&h, 0, sizeof(h));
		sc_alloc_fail_at(n);
		sc_interception_eval(d, &iv);
		sc_check_interception.assess(d, &h);
		j = sc_describe_json(&sc_check_interception, d);
		sc_alloc_fail_at(0);
		ck_assert(iv.nomem || iv.verdict == SC_INTERCEPTION_PROTECTED);
		json_decref(j);
		sc_hits_clear(&h);
	}
	world_free(d);
	ck_assert_str_eq(sc_interception_verdict_str((sc_interception_t)9),
	                 "unknown");
}
END_TEST

Suite *interception_suite(void)
{
	Suite *s = suite_create("interception");
	TCase *tc = tcase_create("verdict");

	tcase_add_test(tc, test_mta_sts_enforce);
	tcase_add_test(tc, test_no_policy);
	tcase_add_test(tc, test_cleartext);
	tcase_add_test(tc, test_enforce_badcert);
	tcase_add_test(tc, test_enforce_unreachable);
	tcase_add_test(tc, test_sts_unverified);
	tcase_add_test(tc, test_sts_not_read);
	tcase_add_test(tc, test_dane_pending);
	tcase_add_test(tc, test_dane_match);
	tcase_add_test(tc, test_unknown);
	tcase_add_test(tc, test_implicit_mx);
	tcase_add_test(tc, test_not_looked_at);
	tcase_add_test(tc, test_oom);
	suite_add_tcase(s, tc);
	return s;
}
