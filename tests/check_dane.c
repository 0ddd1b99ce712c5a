/* TLSA parsing (hostile messages and text), DANE matching on chains made
 * here with OpenSSL, and the "dane" check's assessment on canned
 * evidence.  The lab runs the real thing (tests/e2e/cases-dane.tsv). */
#include <check.h>
#include <ctype.h>

#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include "dane.h"
#include "evidence.h"
#include "starttls.h"

/* ---- certificates ------------------------------------------------------ */

static EVP_PKEY *
new_key(void)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");

	ck_assert_ptr_nonnull(k);
	return k;
}

/* A certificate for cn (SAN dns:san when not NULL), signed by issuer's
 * key (itself when NULL), valid from now for a day (or in the past). */
static X509 *
new_cert(const char *cn, const char *san, EVP_PKEY *key, X509 *issuer,
         EVP_PKEY *issuer_key, int ca, int expired)
{
	X509 *c = X509_new();
	X509_NAME *n = X509_NAME_new();
	X509V3_CTX v3;
	X509_EXTENSION *ext;
	char buf[300];
	static long serial = 1;

	ck_assert_ptr_nonnull(c);
	X509_set_version(c, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(c), serial++);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
	                           (const unsigned char *)cn, -1, -1, 0);
	X509_set_subject_name(c, n);
	X509_set_issuer_name(c, issuer != NULL ? X509_get_subject_name(issuer)
	                                       : n);
	X509_NAME_free(n);
	if (expired) {
		X509_gmtime_adj(X509_getm_notBefore(c), -3 * 86400);
		X509_gmtime_adj(X509_getm_notAfter(c), -2 * 86400);
	} else {
		X509_gmtime_adj(X509_getm_notBefore(c), -60);
		X509_gmtime_adj(X509_getm_notAfter(c), 86400);
	}
	X509_set_pubkey(c, key);
	X509V3_set_ctx(&v3, issuer != NULL ? issuer : c, c, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &v3, NID_basic_constraints,
	                          ca ? "critical,CA:TRUE" : "CA:FALSE");
	X509_add_ext(c, ext, -1);
	X509_EXTENSION_free(ext);
	if (ca) {
		ext = X509V3_EXT_conf_nid(NULL, &v3, NID_key_usage,
		                          "critical,keyCertSign,cRLSign");
		X509_add_ext(c, ext, -1);
		X509_EXTENSION_free(ext);
	}
	if (san != NULL) {
		snprintf(buf, sizeof(buf), "DNS:%s", san);
		ext = X509V3_EXT_conf_nid(NULL, &v3, NID_subject_alt_name, buf);
		X509_add_ext(c, ext, -1);
		X509_EXTENSION_free(ext);
	}
	ck_assert_int_gt(X509_sign(c, issuer_key != NULL ? issuer_key : key,
	                           EVP_sha256()), 0);
	return c;
}

/* A lab: CA -> leaf for mx.x.example, the chain as a server sends it. */
struct pki {
	EVP_PKEY *ca_key, *leaf_key, *other_key;
	X509 *ca, *leaf, *other_leaf, *expired_leaf;
};

static struct pki pki;

static void
pki_setup(void)
{
	pki.ca_key = new_key();
	pki.leaf_key = new_key();
	pki.other_key = new_key();
	pki.ca = new_cert("Lab CA", NULL, pki.ca_key, NULL, NULL, 1, 0);
	pki.leaf = new_cert("mx.x.example", "mx.x.example", pki.leaf_key,
	                    pki.ca, pki.ca_key, 0, 0);
	pki.other_leaf = new_cert("mx.x.example", "mx.x.example",
	                          pki.other_key, NULL, NULL, 0, 0);
	pki.expired_leaf = new_cert("mx.x.example", "mx.x.example",
	                            pki.leaf_key, pki.ca, pki.ca_key, 0, 1);
}

static void
pki_teardown(void)
{
	X509_free(pki.ca);
	X509_free(pki.leaf);
	X509_free(pki.other_leaf);
	X509_free(pki.expired_leaf);
	EVP_PKEY_free(pki.ca_key);
	EVP_PKEY_free(pki.leaf_key);
	EVP_PKEY_free(pki.other_key);
}

static STACK_OF(X509) *
chain_of(X509 *leaf, X509 *ca)
{
	STACK_OF(X509) *s = sk_X509_new_null();

	X509_up_ref(leaf);
	sk_X509_push(s, leaf);
	if (ca != NULL) {
		X509_up_ref(ca);
		sk_X509_push(s, ca);
	}
	return s;
}

/* The association data of cert for selector/mtype, as hex. */
static void
assoc_hex(X509 *cert, unsigned selector, unsigned mtype, char *hex,
          size_t hexlen)
{
	unsigned char *der = NULL, md[EVP_MAX_MD_SIZE];
	const unsigned char *p;
	unsigned mdlen = 0, i;
	int len;

	len = selector == 0 ? i2d_X509(cert, &der)
	                    : i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert), &der);
	ck_assert_int_gt(len, 0);
	if (mtype == 0) {
		p = der;
		mdlen = (unsigned)len;
	} else {
		EVP_Digest(der, (size_t)len, md, &mdlen,
		           mtype == 1 ? EVP_sha256() : EVP_sha512(), NULL);
		p = md;
	}
	ck_assert_uint_lt(2 * mdlen, hexlen);
	for (i = 0; i < mdlen; i++)
		snprintf(hex + 2 * i, 3, "%02X", p[i]);
	OPENSSL_free(der);
}

/* "U S M HEX" for cert. */
static char *
record_for(X509 *cert, unsigned usage, unsigned selector, unsigned mtype)
{
	static char text[2][20000];
	static int k;
	char *t = text[k++ % 2];
	int n = snprintf(t, 20000, "%u %u %u ", usage, selector, mtype);

	assoc_hex(cert, selector, mtype, t + n, 20000 - (size_t)n);
	return t;
}

/* Match one text record against chain. */
static int
match1(const STACK_OF(X509) *chain, const char *host, const char *rec)
{
	static unsigned char buf[SC_TLSA_DATA_MAX];
	struct sc_tlsa t;

	ck_assert_int_eq(sc_tlsa_text_parse(rec, strlen(rec), &t, buf,
	                                    sizeof(buf)), 0);
	return sc_dane_match(chain, host, &t, 1, NULL);
}

/* ---- TLSA in DNS messages ---------------------------------------------- */

struct msg {
	unsigned char b[1024];
	size_t len;
};

static void
put(struct msg *m, const void *p, size_t n)
{
	memcpy(m->b + m->len, p, n);
	m->len += n;
}

static void
put16(struct msg *m, unsigned v)
{
	unsigned char x[2] = { (unsigned char)(v >> 8), (unsigned char)v };

	put(m, x, 2);
}

/* An answer to _25._tcp.mx.x.example TLSA: header, question, then the
 * records (owner: a pointer to the question name). */
static void
msg_start(struct msg *m, unsigned ancount)
{
	static const unsigned char qname[] = "\x03_25\x04_tcp\x02mx\x01x\x07"
	                                     "example";
	static const unsigned char hdr[] = { 0x12, 0x34, 0x81, 0xa0, 0, 1 };

	m->len = 0;
	put(m, hdr, sizeof(hdr));
	put16(m, ancount);
	put16(m, 0);
	put16(m, 0);
	put(m, qname, sizeof(qname)); /* with its root label */
	put16(m, 52);
	put16(m, 1);
}

static void
msg_rr(struct msg *m, unsigned type, const unsigned char *rdata,
       unsigned rdlen)
{
	put16(m, 0xc00c);
	put16(m, type);
	put16(m, 1);
	put16(m, 0);
	put16(m, 60);
	put16(m, rdlen);
	put(m, rdata, rdlen);
}

static const unsigned char rd311[] = { 3, 1, 1, 0xde, 0xad, 0xbe, 0xef };
static const unsigned char rd201[] = { 2, 0, 1, 0x01 };

START_TEST(test_msg_parse)
{
	struct msg m;
	struct sc_tlsa t[4];
	size_t n = 99;
	static const unsigned char sig[] = { 0, 52, 13, 5 };

	msg_start(&m, 3);
	msg_rr(&m, 52, rd311, sizeof(rd311));
	msg_rr(&m, 46, sig, sizeof(sig)); /* an RRSIG: skipped */
	msg_rr(&m, 52, rd201, sizeof(rd201));
	ck_assert_int_eq(sc_tlsa_msg_parse(m.b, m.len, t, 4, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(t[0].usage, 3);
	ck_assert_uint_eq(t[0].selector, 1);
	ck_assert_uint_eq(t[0].mtype, 1);
	ck_assert_uint_eq(t[0].len, 4);
	ck_assert_int_eq(memcmp(t[0].data, "\xde\xad\xbe\xef", 4), 0);
	ck_assert_uint_eq(t[1].usage, 2);
	ck_assert_uint_eq(t[1].len, 1);
	/* At most max are kept; the walk still checks the rest. */
	ck_assert_int_eq(sc_tlsa_msg_parse(m.b, m.len, t, 1, &n), 0);
	ck_assert_uint_eq(n, 1);
	/* NODATA: no answer at all. */
	msg_start(&m, 0);
	ck_assert_int_eq(sc_tlsa_msg_parse(m.b, m.len, t, 4, &n), 0);
	ck_assert_uint_eq(n, 0);
}
END_TEST

/* Every truncation of a good message is refused or parsed within its
 * bounds (ASan watches), never read past. */
START_TEST(test_msg_truncated)
{
	struct msg m;
	struct sc_tlsa t[4];
	size_t n, cut;
	unsigned char *copy;

	msg_start(&m, 2);
	msg_rr(&m, 52, rd311, sizeof(rd311));
	msg_rr(&m, 52, rd201, sizeof(rd201));
	for (cut = 0; cut < m.len; cut++) {
		copy = malloc(cut ? cut : 1);
		memcpy(copy, m.b, cut);
		ck_assert_int_eq(sc_tlsa_msg_parse(copy, cut, t, 4, &n), -1);
		free(copy);
	}
	ck_assert_int_eq(sc_tlsa_msg_parse(NULL, 0, t, 4, &n), -1);
}
END_TEST

START_TEST(test_msg_hostile)
{
	struct msg m;
	struct sc_tlsa t[4];
	size_t n;
	static const unsigned char shortrd[] = { 3, 1, 1 };
	unsigned char longlabel[80];

	/* rdata of 3 octets: no association data. */
	msg_start(&m, 1);
	msg_rr(&m, 52, shortrd, sizeof(shortrd));
	ck_assert_int_eq(sc_tlsa_msg_parse(m.b, m.len, t, 4, &n), -1);
	/* RDLENGTH beyond the message. */
	msg_start(&m, 1);
	msg_rr(&m, 52, rd311, sizeof(rd311));
	m.b[m.len - sizeof(rd311) - 1] = 200;
	ck_assert_int_eq(sc_tlsa_msg_parse(m.b, m.len, t, 4, &n), -1);
	/* ANCOUNT larger than what is there. */
	msg_start(&m, 5);
	msg_rr(&m, 52, rd311, sizeof(rd311));
	ck_assert_int_eq(sc_tlsa_msg_parse(m.b, m.len, t, 4, &n), -1);
	/* QDCOUNT of 65535 in a short message. */
	msg_start(&m, 0);
	m.b[4] = m.b[5] = 0xff;
	ck_assert_int_eq(sc_tlsa_msg_parse(m.b, m.len, t, 4, &n), -1);
	/* An extended label type (0x40) and a label past the end. */
	msg_start(&m, 0);
	m.b[12] = 0x41;
	ck_assert_int_eq(sc_tlsa_msg_parse(m.b, m.len, t, 4, &n), -1);
	msg_start(&m, 0);
	m.b[12] = 63;
	ck_assert_int_eq(sc_tlsa_msg_parse(m.b, 20, t, 4, &n), -1);
	/* A pointer whose second octet is missing. */
	msg_start(&m, 1);
	m.b[m.len++] = 0xc0;
	ck_assert_int_eq(sc_tlsa_msg_parse(m.b, m.len, t, 4, &n), -1);
	/* A pointer to itself is skipped, not followed: no loop. */
	msg_start(&m, 1);
	put16(&m, 0xc000 | (unsigned)m.len);
	put16(&m, 52);
	put16(&m, 1);
	put16(&m, 0);
	put16(&m, 60);
	put16(&m, sizeof(rd311));
	put(&m, rd311, sizeof(rd311));
	ck_assert_int_eq(sc_tlsa_msg_parse(m.b, m.len, t, 4, &n), 0);
	ck_assert_uint_eq(n, 1);
	/* A name of 128 labels is nonsense. */
	memset(longlabel, 0, sizeof(longlabel));
	msg_start(&m, 0);
	m.len = 12;
	{
		size_t i;

		for (i = 0; i < 130; i++) {
			m.b[m.len++] = 1;
			m.b[m.len++] = 'a';
		}
		m.b[m.len++] = 0;
		put16(&m, 52);
		put16(&m, 1);
	}
	ck_assert_int_eq(sc_tlsa_msg_parse(m.b, m.len, t, 4, &n), -1);
	(void)longlabel;
}
END_TEST

/* dns.c turns a TLSA answer into "U S M HEX" records. */
START_TEST(test_dns_tlsa_text)
{
	struct sc_lookup lk;
	struct msg m;

	msg_start(&m, 2);
	msg_rr(&m, 52, rd311, sizeof(rd311));
	msg_rr(&m, 52, rd201, sizeof(rd201));
	memset(&lk, 0, sizeof(lk));
	lk.qtype = 52;
	sc_dns_parse_answer_for_fuzz(&lk, m.b, (int)m.len);
	ck_assert_int_eq(lk.outcome, SC_DNS_OK);
	ck_assert_uint_eq(lk.n, 2);
	ck_assert_str_eq(lk.rr[0].text, "3 1 1 DEADBEEF");
	ck_assert_str_eq(lk.rr[1].text, "2 0 1 01");
	sc_lookup_free_data(&lk);
	/* Malformed: an error, not an empty answer. */
	msg_start(&m, 1);
	msg_rr(&m, 52, rd311, 3);
	memset(&lk, 0, sizeof(lk));
	lk.qtype = 52;
	sc_dns_parse_answer_for_fuzz(&lk, m.b, (int)m.len);
	ck_assert_int_eq(lk.outcome, SC_DNS_ERROR);
	ck_assert_uint_eq(lk.n, 0);
	ck_assert_str_eq(sc_dns_type_str(52), "TLSA");
}
END_TEST

START_TEST(test_text_parse)
{
	unsigned char buf[8];
	struct sc_tlsa t;
	static const char *const bad[] = {
		"", "3", "3 1 1", "3 1 1 ", "3 1 1 ABC", "3 1 1 ZZ",
		"256 1 1 AB", "3  1 1 AB", "3 1 AB", "-3 1 1 AB", "3 1 1 AB ",
		"3 1 1 0011223344556677AA", /* 9 octets: more than buf */
		"0003 1 1 AB"
	};
	size_t i;

	ck_assert_int_eq(sc_tlsa_text_parse("3 1 1 DEADbeef", 14, &t, buf,
	                                    sizeof(buf)), 0);
	ck_assert_uint_eq(t.usage, 3);
	ck_assert_uint_eq(t.len, 4);
	ck_assert_int_eq(memcmp(buf, "\xde\xad\xbe\xef", 4), 0);
	ck_assert_int_eq(sc_tlsa_text_parse("255 255 255 00", 14, &t, buf,
	                                    sizeof(buf)), 0);
	for (i = 0; i < SC_ARRAY_LEN(bad); i++)
		ck_assert_msg(sc_tlsa_text_parse(bad[i], strlen(bad[i]), &t,
		                                 buf, sizeof(buf)) == -1,
		              "accepted \"%s\"", bad[i]);
	ck_assert_int_eq(sc_tlsa_text_parse(NULL, 0, &t, buf, 8), -1);
	ck_assert_str_eq(sc_tlsa_usage_str(3), "DANE-EE");
	ck_assert_str_eq(sc_tlsa_usage_str(2), "DANE-TA");
	ck_assert_str_eq(sc_tlsa_usage_str(9), "unassigned");
}
END_TEST

/* ---- matching ----------------------------------------------------------- */

START_TEST(test_match_ee)
{
	STACK_OF(X509) *chain = chain_of(pki.leaf, pki.ca);
	STACK_OF(X509) *expired = chain_of(pki.expired_leaf, pki.ca);
	unsigned s, m;

	/* Every selector and matching type of the leaf matches. */
	for (s = 0; s < 2; s++)
		for (m = 0; m < 3; m++)
			ck_assert_int_eq(match1(chain, "mx.x.example",
			                        record_for(pki.leaf, 3, s, m)), 1);
	/* DANE-EE ignores names and dates (RFC 7672 3.1.1). */
	ck_assert_int_eq(match1(chain, "elsewhere.example",
	                        record_for(pki.leaf, 3, 1, 1)), 1);
	ck_assert_int_eq(match1(expired, "mx.x.example",
	                        record_for(pki.expired_leaf, 3, 0, 1)), 1);
	/* The same key in another certificate: 3 1 x matches, 3 0 x not. */
	ck_assert_int_eq(match1(expired, "mx.x.example",
	                        record_for(pki.leaf, 3, 1, 1)), 1);
	ck_assert_int_eq(match1(expired, "mx.x.example",
	                        record_for(pki.leaf, 3, 0, 1)), 0);
	/* Another key; the CA's certificate is no end entity. */
	ck_assert_int_eq(match1(chain, "mx.x.example",
	                        record_for(pki.other_leaf, 3, 1, 1)), 0);
	ck_assert_int_eq(match1(chain, "mx.x.example",
	                        record_for(pki.ca, 3, 1, 1)), 0);
	/* PKIX-EE is not used for SMTP (3.1.3), even when it would match;
	 * nor an unknown matching type. */
	ck_assert_int_eq(match1(chain, "mx.x.example",
	                        record_for(pki.leaf, 1, 1, 1)), 0);
	ck_assert_int_eq(match1(chain, "mx.x.example", "3 1 3 AB"), 0);
	/* No chain, an empty chain. */
	ck_assert_int_eq(match1(NULL, "mx.x.example",
	                        record_for(pki.leaf, 3, 1, 1)), 0);
	sk_X509_pop_free(chain, X509_free);
	sk_X509_pop_free(expired, X509_free);
}
END_TEST

START_TEST(test_match_ta)
{
	STACK_OF(X509) *chain = chain_of(pki.leaf, pki.ca);
	STACK_OF(X509) *leaf_only = chain_of(pki.leaf, NULL);
	STACK_OF(X509) *expired = chain_of(pki.expired_leaf, pki.ca);
	STACK_OF(X509) *self = chain_of(pki.other_leaf, pki.ca);

	ck_assert_int_eq(match1(chain, "mx.x.example",
	                        record_for(pki.ca, 2, 0, 1)), 1);
	ck_assert_int_eq(match1(chain, "mx.x.example",
	                        record_for(pki.ca, 2, 1, 2)), 1);
	/* DANE-TA checks the name (3.2.2) and the dates. */
	ck_assert_int_eq(match1(chain, "other.x.example",
	                        record_for(pki.ca, 2, 0, 1)), 0);
	ck_assert_int_eq(match1(expired, "mx.x.example",
	                        record_for(pki.ca, 2, 0, 1)), 0);
	/* The anchor must be sent: a leaf alone does not match 2 0 1 of
	 * the CA. */
	ck_assert_int_eq(match1(leaf_only, "mx.x.example",
	                        record_for(pki.ca, 2, 0, 1)), 0);
	/* The anchor is sent, but the leaf is not signed by it. */
	ck_assert_int_eq(match1(self, "mx.x.example",
	                        record_for(pki.ca, 2, 0, 1)), 0);
	/* PKIX-TA is not used for SMTP. */
	ck_assert_int_eq(match1(chain, "mx.x.example",
	                        record_for(pki.ca, 0, 0, 1)), 0);
	sk_X509_pop_free(chain, X509_free);
	sk_X509_pop_free(leaf_only, X509_free);
	sk_X509_pop_free(expired, X509_free);
	sk_X509_pop_free(self, X509_free);
}
END_TEST

/* Several records: any usable match will do; which says which one. */
START_TEST(test_match_set)
{
	STACK_OF(X509) *chain = chain_of(pki.leaf, pki.ca);
	static unsigned char buf[3][SC_TLSA_DATA_MAX];
	struct sc_tlsa t[3];
	const char *rec[3];
	size_t i, which = 99;

	rec[0] = "3 1 1 00";
	rec[1] = "1 1 1 00";
	rec[2] = record_for(pki.leaf, 3, 1, 2);
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(sc_tlsa_text_parse(rec[i], strlen(rec[i]),
		                                    &t[i], buf[i],
		                                    SC_TLSA_DATA_MAX), 0);
	ck_assert_int_eq(sc_dane_match(chain, "mx.x.example", t, 3, &which), 1);
	ck_assert_uint_eq(which, 2);
	ck_assert_int_eq(sc_dane_usable(&t[0]), 1);
	ck_assert_int_eq(sc_dane_usable(&t[1]), 0);
	ck_assert_int_eq(sc_dane_match(chain, "mx.x.example", t, 2, NULL), 0);
	sk_X509_pop_free(chain, X509_free);
}
END_TEST

/* ---- the check on canned evidence -------------------------------------- */

static struct sc_ctx ctx;
static struct sc_probe_result probe;

/* x.example: MX mx.x.example (AD as told), its A record (AD), its TLSA
 * answer (outcome, AD, up to 2 records), the probe saw chain. */
static struct sc_domain *
world(int mx_ad, sc_dns_outcome_t tlsa_outcome, int tlsa_ad,
      const char *r1, const char *r2, STACK_OF(X509) *chain)
{
	struct sc_domain *d = ev_domain(&ctx, "x.example");
	struct sc_dane_state *st = sc_calloc(1, sizeof(*st));
	struct sc_starttls_state *tls = sc_calloc(1, sizeof(*tls));
	struct sc_mxhost *h;
	int n = (r1 != NULL) + (r2 != NULL);

	ctx.timeout_ms = 1000;
	d->mx = ev_lookup(d, "x.example", ns_t_mx, SC_DNS_OK, 1,
	                  "10 mx.x.example");
	d->mx->ad = mx_ad;
	h = ev_host(d, "mx.x.example", 10);
	h->a = ev_lookup(d, "mx.x.example", ns_t_a, SC_DNS_OK, 1, "192.0.2.1");
	h->a->ad = mx_ad;
	h->aaaa = ev_lookup(d, "mx.x.example", ns_t_aaaa, SC_DNS_NODATA, 0);
	st->h = sc_calloc(1, sizeof(*st->h));
	st->h[0].host = sc_strdup("mx.x.example");
	st->n = 1;
	st->h[0].tlsa = n == 2
	    ? ev_lookup(d, "_25._tcp.mx.x.example", 52, tlsa_outcome, 2, r1, r2)
	    : n == 1 ? ev_lookup(d, "_25._tcp.mx.x.example", 52, tlsa_outcome,
	                         1, r1)
	             : ev_lookup(d, "_25._tcp.mx.x.example", 52, tlsa_outcome,
	                         0);
	st->h[0].tlsa->ad = tlsa_ad;
	*sc_check_state(d, &sc_check_dane) = st;
	memset(&probe, 0, sizeof(probe));
	probe.outcome = chain != NULL ? SC_PROBE_TLS : SC_PROBE_UNREACHABLE;
	probe.tls.done = chain != NULL;
	probe.tls.chain = chain;
	tls->port = 25;
	tls->e = sc_calloc(1, sizeof(*tls->e));
	tls->e[0].host = sc_strdup("mx.x.example");
	tls->e[0].addr = sc_strdup("192.0.2.1");
	tls->e[0].res = &probe;
	tls->n = 1;
	*sc_check_state(d, &sc_check_starttls) = tls;
	return d;
}

static void
world_free(struct sc_domain *d)
{
	struct sc_starttls_state *tls =
	    sc_check_state_get(d, &sc_check_starttls);

	sc_check_dane.clear(d);
	sc_free(tls->e[0].host);
	sc_free(tls->e[0].addr);
	sc_free(tls->e);
	sc_free(tls);
	*sc_check_state(d, &sc_check_starttls) = NULL;
	sc_tls_result_clear(&probe.tls);
	ev_free(d);
}

static struct sc_hits
assess(struct sc_domain *d)
{
	struct sc_hits h;

	memset(&h, 0, sizeof(h));
	sc_check_dane.assess(d, &h);
	return h;
}

START_TEST(test_check_match)
{
	struct sc_domain *d = world(1, SC_DNS_OK, 1, "3 1 1 00",
	                            record_for(pki.leaf, 3, 1, 1),
	                            chain_of(pki.leaf, pki.ca));
	struct sc_hits h = assess(d);
	json_t *j;

	ck_assert_uint_eq(h.n, 0);
	ck_assert_int_eq(sc_dane_host_status(d, 0, NULL, 0), SC_DANE_MATCH);
	ck_assert_int_eq(sc_dane_host_status(d, 7, NULL, 0), SC_DANE_NONE);
	j = sc_describe_json(&sc_check_dane, d);
	ck_assert_ptr_nonnull(j);
	ck_assert_str_eq(json_string_value(json_object_get(
	    json_array_get(json_object_get(j, "hosts"), 0), "status")), "match");
	ck_assert(json_is_true(json_object_get(j, "domain_signed")));
	ck_assert(json_is_true(json_object_get(j, "resolver_validates")));
	json_decref(j);
	sc_hits_clear(&h);
	world_free(d);
}
END_TEST

START_TEST(test_check_mismatch)
{
	struct sc_domain *d = world(1, SC_DNS_OK, 1,
	                            record_for(pki.other_leaf, 3, 1, 1), NULL,
	                            chain_of(pki.leaf, pki.ca));
	struct sc_hits h = assess(d);
	const char *det = ev_hit(&h, "dane.mismatch");
	char spki[80];

	ck_assert_ptr_nonnull(det);
	ck_assert_uint_eq(h.n, 1);
	ck_assert_ptr_nonnull(strstr(det, "192.0.2.1"));
	/* The fix: the key's record, ready to publish. */
	assoc_hex(pki.leaf, 1, 1, spki, sizeof(spki));
	{
		size_t i;

		for (i = 0; spki[i] != '\0'; i++)
			spki[i] = (char)tolower((unsigned char)spki[i]);
	}
	ck_assert_ptr_nonnull(strstr(det, spki));
	ck_assert_int_eq(sc_dane_host_status(d, 0, NULL, 0), SC_DANE_MISMATCH);
	sc_hits_clear(&h);
	world_free(d);
}
END_TEST

/* Not validated, unusable, no chain, no records: no finding. */
START_TEST(test_check_no_finding)
{
	struct sc_domain *d;
	struct sc_hits h;
	char why[512];

	/* TLSA without AD: ignored by senders. */
	d = world(1, SC_DNS_OK, 0, record_for(pki.other_leaf, 3, 1, 1), NULL,
	          chain_of(pki.leaf, pki.ca));
	h = assess(d);
	ck_assert_uint_eq(h.n, 0);
	ck_assert_int_eq(sc_dane_host_status(d, 0, why, sizeof(why)),
	                 SC_DANE_NONE);
	ck_assert_ptr_nonnull(strstr(why, "not validated"));
	sc_hits_clear(&h);
	world_free(d);
	/* Validated TLSA, but the MX answer is not (RFC 7672 2.2.1). */
	d = world(0, SC_DNS_OK, 1, record_for(pki.other_leaf, 3, 1, 1), NULL,
	          chain_of(pki.leaf, pki.ca));
	h = assess(d);
	ck_assert_ptr_null(ev_hit(&h, "dane.mismatch"));
	ck_assert_int_eq(sc_dane_host_status(d, 0, NULL, 0), SC_DANE_NONE);
	sc_hits_clear(&h);
	world_free(d);
	/* Only PKIX usages: unusable. */
	d = world(1, SC_DNS_OK, 1, record_for(pki.other_leaf, 1, 1, 1), NULL,
	          chain_of(pki.leaf, pki.ca));
	h = assess(d);
	ck_assert_uint_eq(h.n, 0);
	ck_assert_int_eq(sc_dane_host_status(d, 0, NULL, 0), SC_DANE_UNUSABLE);
	sc_hits_clear(&h);
	world_free(d);
	/* No handshake: cannot be matched. */
	d = world(1, SC_DNS_OK, 1, "3 1 1 00", NULL, NULL);
	h = assess(d);
	ck_assert_uint_eq(h.n, 0);
	ck_assert_int_eq(sc_dane_host_status(d, 0, NULL, 0), SC_DANE_UNKNOWN);
	sc_hits_clear(&h);
	world_free(d);
	/* A failed TLSA lookup of a signed domain: unknown. */
	d = world(1, SC_DNS_SERVFAIL, 0, NULL, NULL, chain_of(pki.leaf, NULL));
	h = assess(d);
	ck_assert_uint_eq(h.n, 0);
	ck_assert_int_eq(sc_dane_host_status(d, 0, NULL, 0), SC_DANE_UNKNOWN);
	sc_hits_clear(&h);
	world_free(d);
	/* No records (a validated denial). */
	d = world(1, SC_DNS_NXDOMAIN, 1, NULL, NULL, chain_of(pki.leaf, NULL));
	h = assess(d);
	ck_assert_uint_eq(h.n, 0);
	ck_assert_int_eq(sc_dane_host_status(d, 0, NULL, 0), SC_DANE_NONE);
	sc_hits_clear(&h);
	world_free(d);
}
END_TEST

/* dnssec.unsigned only when the resolver is known to validate. */
START_TEST(test_check_unsigned)
{
	struct sc_domain *d;
	struct sc_hits h;
	json_t *j;

	/* A plain resolver (or an authoritative server): AD nowhere. */
	d = world(0, SC_DNS_NXDOMAIN, 0, NULL, NULL, NULL);
	d->root = ev_lookup(d, ".", ns_t_ns, SC_DNS_OK, 1, "x");
	h = assess(d);
	ck_assert_uint_eq(h.n, 0);
	ck_assert_int_eq(sc_dane_resolver_validates(d), 0);
	j = sc_describe_json(&sc_check_dane, d);
	ck_assert(json_is_null(json_object_get(j, "domain_signed")));
	ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(j,
	                      "note")), "could not tell"));
	json_decref(j);
	sc_hits_clear(&h);
	/* The root validated: the domain's clear flag means unsigned. */
	d->root->ad = 1;
	h = assess(d);
	ck_assert_ptr_nonnull(ev_hit(&h, "dnssec.unsigned"));
	ck_assert_uint_eq(h.n, 1);
	j = sc_describe_json(&sc_check_dane, d);
	ck_assert(json_is_false(json_object_get(j, "domain_signed")));
	ck_assert(json_is_null(json_object_get(j, "note")));
	json_decref(j);
	sc_hits_clear(&h);
	/* The MX lookup failed: nothing to say about signing. */
	d->mx->outcome = SC_DNS_SERVFAIL;
	h = assess(d);
	ck_assert_uint_eq(h.n, 0);
	sc_hits_clear(&h);
	world_free(d);
}
END_TEST

/* Out of memory in describe and assess: reported, never a crash. */
START_TEST(test_check_oom)
{
	struct sc_domain *d = world(1, SC_DNS_OK, 1, "3 1 1 00",
	                            record_for(pki.leaf, 3, 1, 1),
	                            chain_of(pki.leaf, pki.ca));
	unsigned long n;

	for (n = 1; n < 200; n++) {
		struct sc_hits h;
		json_t *j;

		memset(&h, 0, sizeof(h));
		sc_alloc_fail_at(n);
		sc_check_dane.assess(d, &h);
		j = sc_describe_json(&sc_check_dane, d);
		sc_alloc_fail_at(0);
		json_decref(j);
		sc_hits_clear(&h);
	}
	world_free(d);
}
END_TEST

Suite *dane_suite(void)
{
	Suite *s = suite_create("dane");
	TCase *tc = tcase_create("tlsa");
	TCase *tm = tcase_create("match");

	tcase_add_test(tc, test_msg_parse);
	tcase_add_test(tc, test_msg_truncated);
	tcase_add_test(tc, test_msg_hostile);
	tcase_add_test(tc, test_dns_tlsa_text);
	tcase_add_test(tc, test_text_parse);
	suite_add_tcase(s, tc);
	tcase_add_unchecked_fixture(tm, pki_setup, pki_teardown);
	tcase_add_test(tm, test_match_ee);
	tcase_add_test(tm, test_match_ta);
	tcase_add_test(tm, test_match_set);
	tcase_add_test(tm, test_check_match);
	tcase_add_test(tm, test_check_mismatch);
	tcase_add_test(tm, test_check_no_finding);
	tcase_add_test(tm, test_check_unsigned);
	tcase_add_test(tm, test_check_oom);
	suite_add_tcase(s, tm);
	return s;
}
