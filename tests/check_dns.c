/*
 * The c-ares adapter (scorer/dns.c) against hostile and unusual answers.
 * A fake server (tests/dnsfake.h) on loopback answers each query with
 * bytes the test chooses; the real code drives it: a struct sc_loop,
 * sc_dns_init() pointed at the fake, sc_dns_lookup() and sc_loop_once()
 * until the callback ran.  Every wait is bounded, and the bounds are far
 * above what the lookups need, so a loaded machine does not make them
 * flaky.
 */
#include <arpa/nameser.h>
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "dns.h"
#include "dnsfake.h"
#include "internal.h"
#include "loop.h"

/* How long a test waits for a callback before it calls the lookup hung. */
#define WAIT_MS 15000

enum mode {
	M_MX,            /* two MX records */
	M_A,             /* two A records */
	M_AAAA,          /* one AAAA record */
	M_TXT,           /* two TXT RRs, the first of three strings */
	M_TXT_NUL,       /* a TXT string holding a NUL byte */
	M_NXDOMAIN,
	M_NODATA,
	M_SERVFAIL,
	M_REFUSED,
	M_FORMERR,
	M_TC,            /* TC and no answers over UDP, 30 MX over TCP */
	M_BIG_UDP,       /* a 700-octet answer over UDP, without TC */
	M_SHORT,         /* 5 octets */
	M_WRONG_ID,      /* a right answer with another id */
	M_OTHER_QNAME,   /* an answer whose question is another name */
	M_OTHER_OWNER,   /* right question, the A record for another name */
	M_OWNER_CASE,    /* the A record's owner in other case, final dot */
	M_CNAME_LOOP,    /* a CNAME b, b CNAME a */
	M_CNAME_CHAIN,   /* name CNAME alias.test, alias.test MX / A */
	M_FLOOD,         /* 200 records of the type asked */
	M_SILENT,        /* never answers */
	M_AD,            /* one A record with the AD bit */
	M_NX_SOA,        /* NXDOMAIN with the SOA of "test" */
	M_NX_ROOT_SOA,   /* NXDOMAIN with the root's SOA */
	M_NX_FOREIGN,    /* NXDOMAIN with the SOA of an RPZ zone */
	M_NX_SELF_SOA,   /* NXDOMAIN with the SOA of the name itself */
	M_NX_TAIL_SOA,   /* NXDOMAIN with the SOA of "ample.test" */
	M_NX_CNAME,      /* name CNAME gone.alias.test, NXDOMAIN, SOA of
	                  * alias.test */
	M_NX_BAD_AUTH    /* NXDOMAIN, NSCOUNT 1 and no record */
};

struct canned {
	enum mode mode;
};

static size_t
respond(void *arg, const struct dnsfake_query *q, unsigned char *out,
        size_t cap)
{
	const struct canned *c = arg;
	struct dnsmsg m;
	char host[64];
	int i;

	switch (c->mode) {
	case M_MX:
		dnsmsg_reply(&m, q, ns_r_noerror, 0, out, cap);
		dnsmsg_mx(&m, NULL, 10, "mx1.example.test");
		dnsmsg_mx(&m, NULL, 20, "mx2.example.test");
		break;
	case M_A:
		dnsmsg_reply(&m, q, ns_r_noerror, 0, out, cap);
		dnsmsg_a(&m, NULL, "192.0.2.1");
		dnsmsg_a(&m, NULL, "192.0.2.2");
		break;
	case M_AAAA:
		dnsmsg_reply(&m, q, ns_r_noerror, 0, out, cap);
		dnsmsg_aaaa(&m, NULL, "2001:db8::25");
		break;
	case M_TXT: {
		static const char *const s1[] = { "v=spf1 ", "include:a.test",
		                                  " -all" };
		static const size_t l1[] = { 7, 14, 5 };
		static const char *const s2[] = { "second" };
		static const size_t l2[] = { 6 };

		dnsmsg_reply(&m, q, ns_r_noerror, 0, out, cap);
		dnsmsg_txt(&m, NULL, 3, s1, l1);
		dnsmsg_txt(&m, NULL, 1, s2, l2);
		break;
	}
	case M_TXT_NUL: {
		static const char *const s[] = { "ab\0cd", "ef" };
		static const size_t l[] = { 5, 2 };

		dnsmsg_reply(&m, q, ns_r_noerror, 0, out, cap);
		dnsmsg_txt(&m, NULL, 2, s, l);
		break;
	}
	case M_NXDOMAIN:
		dnsmsg_reply(&m, q, ns_r_nxdomain, 0, out, cap);
		break;
	case M_NX_SOA:
	case M_NX_ROOT_SOA:
	case M_NX_FOREIGN:
	case M_NX_SELF_SOA:
	case M_NX_TAIL_SOA:
		dnsmsg_reply(&m, q, ns_r_nxdomain, 0, out, cap);
		dnsmsg_soa_auth(&m, c->mode == M_NX_SOA ? "test"
		                    : c->mode == M_NX_ROOT_SOA ? ""
		                    : c->mode == M_NX_FOREIGN ? "rpz.local"
		                    : c->mode == M_NX_TAIL_SOA ? "ample.test"
		                    : "gone.test");
		break;
	case M_NX_CNAME:
		dnsmsg_reply(&m, q, ns_r_nxdomain, 0, out, cap);
		dnsmsg_cname(&m, NULL, "gone.alias.test");
		dnsmsg_soa_auth(&m, "alias.test");
		break;
	case M_NX_BAD_AUTH:
		dnsmsg_reply(&m, q, ns_r_nxdomain, 0, out, cap);
		m.b[9] = 1;
		break;
	case M_NODATA:
		dnsmsg_reply(&m, q, ns_r_noerror, 0, out, cap);
		break;
	case M_SERVFAIL:
		dnsmsg_reply(&m, q, ns_r_servfail, 0, out, cap);
		break;
	case M_REFUSED:
		dnsmsg_reply(&m, q, ns_r_refused, 0, out, cap);
		break;
	case M_FORMERR:
		dnsmsg_reply(&m, q, ns_r_formerr, 0, out, cap);
		break;
	case M_TC:
		if (!q->tcp) {
			dnsmsg_reply(&m, q, ns_r_noerror, DNSF_TC, out, cap);
			break;
		}
		dnsmsg_reply(&m, q, ns_r_noerror, 0, out, cap);
		for (i = 0; i < 30; i++) {
			snprintf(host, sizeof(host),
			         "a-rather-long-mail-host-name-%02d.example.test", i);
			dnsmsg_mx(&m, NULL, (unsigned)(10 + i), host);
		}
		break;
	case M_BIG_UDP:
		/* 14 MX of ~50 octets: ~750 octets, over 512 and under the
		 * 1232 we advertise, so it needs no TCP. */
		dnsmsg_reply(&m, q, ns_r_noerror, 0, out, cap);
		for (i = 0; i < 14; i++) {
			snprintf(host, sizeof(host),
			         "a-rather-long-mail-host-name-%02d.example.test", i);
			dnsmsg_mx(&m, NULL, (unsigned)(10 + i), host);
		}
		break;
	case M_SHORT:
		memcpy(out, q->buf, 5);
		out[2] |= 0x80;
		return 5;
	case M_WRONG_ID: {
		struct dnsfake_query q2 = *q;

		q2.id ^= 0x5a5a;
		dnsmsg_reply(&m, &q2, ns_r_noerror, 0, out, cap);
		dnsmsg_a(&m, NULL, "192.0.2.1");
		break;
	}
	case M_OTHER_QNAME: {
		/* Same id, the question rewritten to another name. */
		dnsmsg_reply(&m, q, ns_r_noerror, 0, out, cap);
		m.len = 12;
		dnsmsg_name(&m, "evil.test");
		dnsmsg_u16(&m, (unsigned)q->qtype);
		dnsmsg_u16(&m, 1);
		dnsmsg_a(&m, NULL, "192.0.2.66");
		break;
	}
	case M_OTHER_OWNER:
		dnsmsg_reply(&m, q, ns_r_noerror, 0, out, cap);
		dnsmsg_a(&m, "evil.test", "192.0.2.66");
		break;
	case M_OWNER_CASE:
		dnsmsg_reply(&m, q, ns_r_noerror, 0, out, cap);
		dnsmsg_a(&m, "ViCtIm.TEST.", "192.0.2.8");
		break;
	case M_CNAME_LOOP:
		dnsmsg_reply(&m, q, ns_r_noerror, 0, out, cap);
		dnsmsg_cname(&m, NULL, "loop-b.test");
		dnsmsg_cname(&m, "loop-b.test", q->name);
		break;
	case M_CNAME_CHAIN:
		dnsmsg_reply(&m, q, ns_r_noerror, 0, out, cap);
		dnsmsg_cname(&m, NULL, "alias.test");
		if (q->qtype == ns_t_mx)
			dnsmsg_mx(&m, "alias.test", 10, "mx.alias.test");
		else
			dnsmsg_a(&m, "alias.test", "192.0.2.7");
		break;
	case M_FLOOD:
		/* Of the type asked: the cap must hold for each parser. */
		dnsmsg_reply(&m, q, ns_r_noerror, 0, out, cap);
		for (i = 0; i < 200; i++) {
			const char *s = host;
			size_t l;

			if (q->qtype == ns_t_a)
				snprintf(host, sizeof(host), "10.0.%d.%d", i / 250,
				         i % 250);
			else
				snprintf(host, sizeof(host), "m%03d.test", i);
			l = strlen(host);
			if (q->qtype == ns_t_a)
				dnsmsg_a(&m, NULL, host);
			else if (q->qtype == ns_t_mx)
				dnsmsg_mx(&m, NULL, (unsigned)i, host);
			else if (q->qtype == ns_t_txt)
				dnsmsg_txt(&m, NULL, 1, &s, &l);
		}
		break;
	case M_SILENT:
		return 0;
	case M_AD:
		dnsmsg_reply(&m, q, ns_r_noerror, DNSF_AD, out, cap);
		dnsmsg_a(&m, NULL, "192.0.2.1");
		break;
	default:
		return 0;
	}
	return m.len;
}

struct fixture {
	struct dnsfake fs;
	struct canned canned;
	struct sc_loop loop;
	struct sc_dns dns;
	int calls;
	unsigned wall_ms;
};

static void
on_lookup(struct sc_lookup *lk, void *arg)
{
	struct fixture *fx = arg;

	(void)lk;
	fx->calls++;
}

static void
fx_start(struct fixture *fx, enum mode mode, unsigned timeout_ms,
         unsigned tries)
{
	char servers[64], err[256] = "";

	memset(fx, 0, sizeof(*fx));
	fx->canned.mode = mode;
	ck_assert_int_eq(dnsfake_start(&fx->fs, respond, &fx->canned), 0);
	sc_loop_init(&fx->loop);
	ck_assert_msg(sc_dns_init(&fx->dns, &fx->loop,
	                          dnsfake_addr(&fx->fs, servers,
	                                       sizeof(servers)),
	                          timeout_ms, tries, err, sizeof(err)) == SC_OK,
	              "%s", err);
}

/* Run the loop until the callback ran (or WAIT_MS passed). */
static void
fx_wait(struct fixture *fx)
{
	uint64_t t0 = sc_now_ms(), end = t0 + WAIT_MS;

	while (fx->calls == 0 && sc_now_ms() < end)
		ck_assert_int_eq(sc_loop_once(&fx->loop, 100), SC_OK);
	fx->wall_ms = (unsigned)(sc_now_ms() - t0);
}

/* One lookup of name/qtype, waited for: the callback must run once. */
static void
fx_lookup(struct fixture *fx, struct sc_lookup *lk, const char *name,
          int qtype)
{
	memset(lk, 0, sizeof(*lk));
	ck_assert_int_eq(sc_dns_lookup(&fx->dns, lk, name, qtype, on_lookup, fx),
	                 SC_OK);
	fx_wait(fx);
	ck_assert_msg(fx->calls == 1, "callback ran %d times in %u ms",
	              fx->calls, fx->wall_ms);
	ck_assert(lk->done);
}

static void
fx_end(struct fixture *fx, struct sc_lookup *lk)
{
	sc_dns_clear(&fx->dns);
	sc_loop_clear(&fx->loop);
	dnsfake_stop(&fx->fs);
	if (lk != NULL) {
		sc_lookup_free_data(lk);
		sc_free(lk->name);
	}
}

/* A lookup whose reply is never accepted ends as a timeout, after the
 * per-try timeout (200 ms) doubled over 2 tries: 600 ms.  The upper bound
 * is generous on purpose. */
static void
expect_timeout(enum mode mode)
{
	struct fixture fx;
	struct sc_lookup lk;

	fx_start(&fx, mode, 200, 2);
	fx_lookup(&fx, &lk, "victim.test", ns_t_a);
	ck_assert_int_eq(lk.outcome, SC_DNS_TIMEOUT);
	ck_assert_uint_eq(lk.n, 0);
	ck_assert_uint_ge(fx.wall_ms, 150);
	ck_assert_uint_lt(fx.wall_ms, 8000);
	fx_end(&fx, &lk);
}

START_TEST(test_mx_answer)
{
	struct fixture fx;
	struct sc_lookup lk;

	fx_start(&fx, M_MX, 2000, 2);
	fx_lookup(&fx, &lk, "example.test", ns_t_mx);
	ck_assert_int_eq(lk.outcome, SC_DNS_OK);
	ck_assert_uint_eq(lk.n, 2);
	ck_assert_uint_eq(lk.rr[0].pref, 10);
	ck_assert_str_eq(lk.rr[0].text, "mx1.example.test");
	ck_assert_uint_eq(lk.rr[1].pref, 20);
	ck_assert_str_eq(lk.rr[1].text, "mx2.example.test");
	ck_assert_int_eq(lk.cname, 0);
	ck_assert_ptr_null(lk.target);
	ck_assert_str_eq(lk.name, "example.test");
	ck_assert_int_eq(lk.ad, 0);
	ck_assert_ptr_null(lk.error);
	fx_end(&fx, &lk);
}
END_TEST

START_TEST(test_a_and_aaaa_answers)
{
	struct fixture fx;
	struct sc_lookup lk;

	fx_start(&fx, M_A, 2000, 2);
	fx_lookup(&fx, &lk, "host.test", ns_t_a);
	ck_assert_int_eq(lk.outcome, SC_DNS_OK);
	ck_assert_uint_eq(lk.n, 2);
	ck_assert_str_eq(lk.rr[0].text, "192.0.2.1");
	ck_assert_str_eq(lk.rr[1].text, "192.0.2.2");
	fx_end(&fx, &lk);

	fx_start(&fx, M_AAAA, 2000, 2);
	fx_lookup(&fx, &lk, "host.test", ns_t_aaaa);
	ck_assert_int_eq(lk.outcome, SC_DNS_OK);
	ck_assert_uint_eq(lk.n, 1);
	ck_assert_str_eq(lk.rr[0].text, "2001:db8::25");
	fx_end(&fx, &lk);
}
END_TEST

/* RFC 7208 3.3: the strings of one TXT RR are joined without anything
 * between them; separate RRs stay separate. */
START_TEST(test_txt_strings_joined)
{
	struct fixture fx;
	struct sc_lookup lk;

	fx_start(&fx, M_TXT, 2000, 2);
	fx_lookup(&fx, &lk, "example.test", ns_t_txt);
	ck_assert_int_eq(lk.outcome, SC_DNS_OK);
	ck_assert_uint_eq(lk.n, 2);
	ck_assert_str_eq(lk.rr[0].text, "v=spf1 include:a.test -all");
	ck_assert_uint_eq(lk.rr[0].len, 26);
	ck_assert_str_eq(lk.rr[1].text, "second");
	ck_assert_uint_eq(lk.rr[1].len, 6);
	fx_end(&fx, &lk);
}
END_TEST

/* A NUL inside a TXT string is data: kept, with the length telling where
 * the record ends (a C string would stop at "ab"). */
START_TEST(test_txt_with_nul_byte)
{
	struct fixture fx;
	struct sc_lookup lk;

	fx_start(&fx, M_TXT_NUL, 2000, 2);
	fx_lookup(&fx, &lk, "example.test", ns_t_txt);
	ck_assert_int_eq(lk.outcome, SC_DNS_OK);
	ck_assert_uint_eq(lk.n, 1);
	ck_assert_uint_eq(lk.rr[0].len, 7);
	ck_assert_int_eq(memcmp(lk.rr[0].text, "ab\0cdef", 7), 0);
	ck_assert_int_eq(lk.rr[0].text[7], '\0');
	fx_end(&fx, &lk);
}
END_TEST

START_TEST(test_nxdomain)
{
	struct fixture fx;
	struct sc_lookup lk;

	fx_start(&fx, M_NXDOMAIN, 2000, 2);
	fx_lookup(&fx, &lk, "gone.test", ns_t_mx);
	ck_assert_int_eq(lk.outcome, SC_DNS_NXDOMAIN);
	ck_assert_uint_eq(lk.n, 0);
	fx_end(&fx, &lk);
}
END_TEST

/* "Does not exist" is believed only with its proof (RFC 2308 2.1): the
 * SOA of a zone that encloses the name asked, or a name its CNAME chain
 * reached.  No SOA, a foreign SOA (an RPZ policy zone) or the name's own
 * SOA prove nothing; a malformed authority section proves nothing and
 * breaks nothing.  A copy of the answer carries the proof along. */
START_TEST(test_nxdomain_proof)
{
	static const struct {
		enum mode mode;
		const char *name;
		enum sc_nx_proof proof;
		const char *zone;
	} c[] = {
		{ M_NXDOMAIN, "gone.test", SC_NX_NO_SOA, NULL },
		{ M_NX_SOA, "gone.test", SC_NX_PROVEN, "test" },
		{ M_NX_ROOT_SOA, "gone.test", SC_NX_PROVEN, "." },
		{ M_NX_FOREIGN, "gone.test", SC_NX_FOREIGN_SOA, "rpz.local" },
		{ M_NX_SELF_SOA, "gone.test", SC_NX_FOREIGN_SOA, "gone.test" },
		{ M_NX_SOA, "GONE.Test.", SC_NX_PROVEN, "test" },
		/* Label by label: "ex.ample" is one label, in test, not in
		 * ample.test (whose SOA only ends the same text). */
		{ M_NX_SOA, "ex\\.ample.test", SC_NX_PROVEN, "test" },
		{ M_NX_TAIL_SOA, "ex\\.ample.test", SC_NX_FOREIGN_SOA,
		  "ample.test" },
		{ M_NX_TAIL_SOA, "ex.ample.test", SC_NX_PROVEN, "ample.test" },
		{ M_NX_CNAME, "victim.test", SC_NX_PROVEN, "alias.test" },
		{ M_NX_BAD_AUTH, "gone.test", SC_NX_NO_SOA, NULL },
	};
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct fixture fx;
		struct sc_lookup lk, copy;

		fx_start(&fx, c[i].mode, 2000, 2);
		fx_lookup(&fx, &lk, c[i].name, ns_t_mx);
		ck_assert_int_eq(lk.outcome, SC_DNS_NXDOMAIN);
		ck_assert_msg(lk.nx_proof == c[i].proof, "case %zu: proof %d",
		              i, (int)lk.nx_proof);
		if (c[i].zone == NULL)
			ck_assert_ptr_null(lk.nx_zone);
		else
			ck_assert_str_eq(lk.nx_zone, c[i].zone);
		memset(&copy, 0, sizeof(copy));
		ck_assert_int_eq(sc_lookup_copy_answer(&copy, &lk), 0);
		ck_assert_int_eq(copy.nx_proof, lk.nx_proof);
		if (c[i].zone != NULL)
			ck_assert_str_eq(copy.nx_zone, c[i].zone);
		sc_lookup_free_data(&copy);
		fx_end(&fx, &lk);
	}
}
END_TEST

/* NOERROR without answers: the name exists, the type does not. */
START_TEST(test_nodata)
{
	struct fixture fx;
	struct sc_lookup lk;

	fx_start(&fx, M_NODATA, 2000, 2);
	fx_lookup(&fx, &lk, "example.test", ns_t_mx);
	ck_assert_int_eq(lk.outcome, SC_DNS_NODATA);
	ck_assert_uint_eq(lk.n, 0);
	fx_end(&fx, &lk);
}
END_TEST

/* SERVFAIL and REFUSED from the only resolver: the first answer is the
 * outcome, with its rcode (never NXDOMAIN or NODATA, never a generic
 * "could not contact"), at once and without retries. */
START_TEST(test_servfail_and_refused)
{
	static const struct {
		enum mode mode;
		sc_dns_outcome_t want;
	} t[] = { { M_SERVFAIL, SC_DNS_SERVFAIL }, { M_REFUSED, SC_DNS_REFUSED } };
	size_t i;

	for (i = 0; i < SC_ARRAY_LEN(t); i++) {
		struct fixture fx;
		struct sc_lookup lk;
		unsigned udp;

		fx_start(&fx, t[i].mode, 2000, 3);
		fx_lookup(&fx, &lk, "example.test", ns_t_mx);
		ck_assert_msg(lk.outcome == t[i].want, "outcome %d (%s)", lk.outcome, lk.error ? lk.error : "");
		ck_assert_uint_eq(lk.n, 0);
		/* Answered at once, so no try ran into its timeout. */
		ck_assert_uint_lt(fx.wall_ms, 1900);
		dnsfake_counts(&fx.fs, &udp, NULL);
		ck_assert_uint_eq(udp, 1);
		fx_end(&fx, &lk);
	}
}
END_TEST

/* Two resolvers, the first failing: c-ares moves on to the second, whose
 * answer is the outcome.  When both fail, c-ares 1.18 keeps no rcode:
 * the outcome is ERROR, still never NXDOMAIN. */
START_TEST(test_servfail_fails_over)
{
	struct dnsfake bad, good;
	struct canned cbad = { M_SERVFAIL }, cgood = { M_MX };
	struct fixture fx;
	struct sc_lookup lk;
	char servers[64], err[256] = "";
	unsigned udp;
	int both;

	for (both = 0; both < 2; both++) {
		ck_assert_int_eq(dnsfake_start(&bad, respond, &cbad), 0);
		ck_assert_int_eq(dnsfake_start(&good, respond,
		                               both ? &cbad : &cgood), 0);
		memset(&fx, 0, sizeof(fx));
		sc_loop_init(&fx.loop);
		snprintf(servers, sizeof(servers), "127.0.0.1:%u,127.0.0.1:%u",
		         bad.port, good.port);
		ck_assert_msg(sc_dns_init(&fx.dns, &fx.loop, servers, 2000, 2,
		                          err, sizeof(err)) == SC_OK, "%s", err);
		fx_lookup(&fx, &lk, "example.test", ns_t_mx);
		if (!both) {
			ck_assert_int_eq(lk.outcome, SC_DNS_OK);
			ck_assert_uint_eq(lk.n, 2);
		} else {
			ck_assert_int_eq(lk.outcome, SC_DNS_ERROR);
			ck_assert_ptr_nonnull(lk.error);
		}
		ck_assert_uint_lt(fx.wall_ms, 1900);
		dnsfake_counts(&bad, &udp, NULL);
		ck_assert_uint_eq(udp, 1);
		sc_dns_clear(&fx.dns);
		sc_loop_clear(&fx.loop);
		dnsfake_stop(&bad);
		dnsfake_stop(&good);
		sc_lookup_free_data(&lk);
		sc_free(lk.name);
	}
}
END_TEST

/* FORMERR without an OPT record: the server does not speak EDNS, so
 * c-ares asks once more without it (RFC 6891 7); a second FORMERR is
 * the outcome, ERROR. */
START_TEST(test_formerr)
{
	struct fixture fx;
	struct sc_lookup lk;

	struct dnsfake_query q;
	unsigned udp;

	fx_start(&fx, M_FORMERR, 2000, 2);
	fx_lookup(&fx, &lk, "example.test", ns_t_mx);
	ck_assert_int_eq(lk.outcome, SC_DNS_ERROR);
	ck_assert_ptr_nonnull(lk.error);
	ck_assert_uint_eq(lk.n, 0);
	dnsfake_counts(&fx.fs, &udp, NULL);
	ck_assert_uint_eq(udp, 2);
	dnsfake_last(&fx.fs, &q);
	ck_assert_int_eq(q.buf[10] << 8 | q.buf[11], 0); /* no OPT */
	ck_assert_uint_eq(q.len, q.qend);
	fx_end(&fx, &lk);
}
END_TEST

/* TC over UDP: c-ares must ask again over TCP, and the full answer
 * arrives from there. */
START_TEST(test_truncated_retries_over_tcp)
{
	struct fixture fx;
	struct sc_lookup lk;
	unsigned udp, tcp;

	fx_start(&fx, M_TC, 2000, 2);
	fx_lookup(&fx, &lk, "example.test", ns_t_mx);
	dnsfake_counts(&fx.fs, &udp, &tcp);
	ck_assert_uint_eq(udp, 1);
	ck_assert_uint_eq(tcp, 1);
	ck_assert_int_eq(lk.outcome, SC_DNS_OK);
	ck_assert_uint_eq(lk.n, 30);
	ck_assert_str_eq(lk.rr[29].text,
	                 "a-rather-long-mail-host-name-29.example.test");
	ck_assert_uint_eq(lk.rr[29].pref, 39);
	fx_end(&fx, &lk);
}
END_TEST

/* We advertise 1232 octets (EDNS): an answer of 750 without TC is whole,
 * and asking again over TCP would only cost a round trip. */
START_TEST(test_big_udp_answer_needs_no_tcp)
{
	struct fixture fx;
	struct sc_lookup lk;
	unsigned udp, tcp;

	fx_start(&fx, M_BIG_UDP, 2000, 2);
	fx_lookup(&fx, &lk, "example.test", ns_t_mx);
	ck_assert_int_eq(lk.outcome, SC_DNS_OK);
	ck_assert_uint_eq(lk.n, 14);
	dnsfake_counts(&fx.fs, &udp, &tcp);
	ck_assert_uint_eq(udp, 1);
	ck_assert_uint_eq(tcp, 0);
	fx_end(&fx, &lk);
}
END_TEST

/* Garbage that cannot be an answer is dropped; the lookup times out. */
START_TEST(test_short_message_ignored)
{
	expect_timeout(M_SHORT);
}
END_TEST

/* A reply with another id is not ours (it could be a spoofing attempt). */
START_TEST(test_wrong_id_ignored)
{
	expect_timeout(M_WRONG_ID);
}
END_TEST

/* A reply whose question names another name is not ours either. */
START_TEST(test_other_question_ignored)
{
	expect_timeout(M_OTHER_QNAME);
}
END_TEST

/* The right question, but the A record belongs to another name: it does
 * not answer what we asked.  Neither "no record" (the server did not say
 * so) nor an answer: an error, so nothing is concluded from it. */
START_TEST(test_answer_for_other_owner_not_taken)
{
	struct fixture fx;
	struct sc_lookup lk;

	fx_start(&fx, M_OTHER_OWNER, 2000, 2);
	fx_lookup(&fx, &lk, "victim.test", ns_t_a);
	ck_assert_int_eq(lk.outcome, SC_DNS_ERROR);
	ck_assert_uint_eq(lk.n, 0);
	fx_end(&fx, &lk);
}
END_TEST

/* DNS names compare without regard to ASCII case (RFC 4343), and a
 * resolver may echo the case it likes (0x20 randomisation): the record
 * is the answer. */
START_TEST(test_answer_owner_case_taken)
{
	struct fixture fx;
	struct sc_lookup lk;

	fx_start(&fx, M_OWNER_CASE, 2000, 2);
	fx_lookup(&fx, &lk, "victim.test", ns_t_a);
	ck_assert_int_eq(lk.outcome, SC_DNS_OK);
	ck_assert_uint_eq(lk.n, 1);
	ck_assert_str_eq(lk.rr[0].text, "192.0.2.8");
	fx_end(&fx, &lk);
}
END_TEST

/* a CNAME b, b CNAME a, and no A: ends at once, with no address. */
START_TEST(test_cname_loop)
{
	struct fixture fx;
	struct sc_lookup lk;

	fx_start(&fx, M_CNAME_LOOP, 2000, 2);
	fx_lookup(&fx, &lk, "loop-a.test", ns_t_a);
	ck_assert_int_eq(lk.outcome, SC_DNS_NODATA);
	ck_assert_uint_eq(lk.n, 0);
	ck_assert_uint_lt(fx.wall_ms, 1900);
	fx_end(&fx, &lk);
}
END_TEST

/* The answer a resolver gives for a name that is an alias: the CNAME,
 * then the records of its target, which are the answer. */
START_TEST(test_cname_chain_followed)
{
	struct fixture fx;
	struct sc_lookup lk;

	fx_start(&fx, M_CNAME_CHAIN, 2000, 2);
	fx_lookup(&fx, &lk, "victim.test", ns_t_mx);
	ck_assert_int_eq(lk.outcome, SC_DNS_OK);
	ck_assert_uint_eq(lk.n, 1);
	ck_assert_str_eq(lk.rr[0].text, "mx.alias.test");
	ck_assert_int_eq(lk.cname, 1); /* the records are alias.test's */
	ck_assert_str_eq(lk.target, "alias.test");
	fx_end(&fx, &lk);

	fx_start(&fx, M_CNAME_CHAIN, 2000, 2);
	fx_lookup(&fx, &lk, "victim.test", ns_t_a);
	ck_assert_int_eq(lk.outcome, SC_DNS_OK);
	ck_assert_uint_eq(lk.n, 1);
	ck_assert_str_eq(lk.rr[0].text, "192.0.2.7");
	fx_end(&fx, &lk);
}
END_TEST

/* 200 A records (3 KB: c-ares takes it over TCP): at most 64 are kept. */
START_TEST(test_answer_flood_capped)
{
	struct fixture fx;
	struct sc_lookup lk;

	fx_start(&fx, M_FLOOD, 2000, 2);
	fx_lookup(&fx, &lk, "flood.test", ns_t_a);
	ck_assert_int_eq(lk.outcome, SC_DNS_OK);
	ck_assert_uint_gt(lk.n, 0);
	ck_assert_uint_le(lk.n, 64);
	ck_assert_str_eq(lk.rr[0].text, "10.0.0.0");
	fx_end(&fx, &lk);
}
END_TEST

/* The cap is in add_rr(), shared by every parser: MX and TXT too. */
START_TEST(test_flood_of_mx_and_txt_capped)
{
	static const int types[] = { ns_t_mx, ns_t_txt };
	size_t i;

	for (i = 0; i < SC_ARRAY_LEN(types); i++) {
		struct fixture fx;
		struct sc_lookup lk;

		fx_start(&fx, M_FLOOD, 2000, 2);
		fx_lookup(&fx, &lk, "flood.test", types[i]);
		ck_assert_int_eq(lk.outcome, SC_DNS_OK);
		ck_assert_uint_eq(lk.n, 64);
		ck_assert_str_eq(lk.rr[0].text, "m000.test");
		ck_assert_str_eq(lk.rr[63].text, "m063.test");
		fx_end(&fx, &lk);
	}
}
END_TEST

/* A server that never answers: SC_DNS_TIMEOUT, within the configured
 * time (200 ms, then 400 ms) plus slack. */
START_TEST(test_no_answer_times_out)
{
	unsigned udp;
	struct fixture fx;
	struct sc_lookup lk;

	fx_start(&fx, M_SILENT, 200, 2);
	fx_lookup(&fx, &lk, "example.test", ns_t_mx);
	ck_assert_int_eq(lk.outcome, SC_DNS_TIMEOUT);
	ck_assert_uint_ge(fx.wall_ms, 500);
	ck_assert_uint_lt(fx.wall_ms, 8000);
	ck_assert_uint_ge(lk.elapsed_ms, 500);
	dnsfake_counts(&fx.fs, &udp, NULL);
	ck_assert_uint_eq(udp, 2); /* both tries went out */
	fx_end(&fx, &lk);
}
END_TEST

START_TEST(test_ad_bit)
{
	struct fixture fx;
	struct sc_lookup lk;

	fx_start(&fx, M_AD, 2000, 2);
	fx_lookup(&fx, &lk, "signed.test", ns_t_a);
	ck_assert_int_eq(lk.outcome, SC_DNS_OK);
	ck_assert_int_eq(lk.ad, 1);
	fx_end(&fx, &lk);

	fx_start(&fx, M_A, 2000, 2);
	fx_lookup(&fx, &lk, "unsigned.test", ns_t_a);
	ck_assert_int_eq(lk.outcome, SC_DNS_OK);
	ck_assert_int_eq(lk.ad, 0);
	fx_end(&fx, &lk);
}
END_TEST

/* The query itself: RD, AD (RFC 6840 5.7) and an OPT RR with DO
 * (RFC 3225) and our 1232-octet UDP size, so that a validating resolver
 * tells us what it validated. */
START_TEST(test_query_carries_ad_and_do)
{
	struct fixture fx;
	struct sc_lookup lk;
	struct dnsfake_query q;
	size_t off;

	fx_start(&fx, M_NODATA, 2000, 2);
	fx_lookup(&fx, &lk, "example.test", ns_t_txt);
	dnsfake_last(&fx.fs, &q);
	ck_assert_uint_ge(q.len, 12);
	ck_assert_str_eq(q.name, "example.test");
	ck_assert_int_eq(q.qtype, ns_t_txt);
	ck_assert_int_eq(q.buf[2] & 0x01, 0x01);          /* RD */
	ck_assert_int_eq(q.buf[3] & 0x20, 0x20);          /* AD */
	ck_assert_int_eq(q.buf[4] << 8 | q.buf[5], 1);    /* QDCOUNT */
	ck_assert_int_eq(q.buf[6] << 8 | q.buf[7], 0);    /* ANCOUNT */
	ck_assert_int_eq(q.buf[10] << 8 | q.buf[11], 1);  /* ARCOUNT */
	/* The OPT RR right after the question: root name, type 41, class =
	 * UDP size, TTL = ext-rcode, version, flags (DO is the top bit). */
	off = q.qend;
	ck_assert_uint_eq(q.len, off + 11);
	ck_assert_int_eq(q.buf[off], 0);
	ck_assert_int_eq(q.buf[off + 1] << 8 | q.buf[off + 2], 41);
	ck_assert_int_eq(q.buf[off + 3] << 8 | q.buf[off + 4], 1232);
	ck_assert_int_eq(q.buf[off + 6], 0);               /* version 0 */
	ck_assert_int_eq(q.buf[off + 7] & 0x80, 0x80);     /* DO */
	ck_assert_int_eq(q.buf[off + 9] << 8 | q.buf[off + 10], 0);
	fx_end(&fx, &lk);
}
END_TEST

/* A name no query can carry (a 64-octet label): the callback runs from
 * inside sc_dns_lookup(), with an ERROR outcome, and nothing is sent. */
START_TEST(test_unaskable_name)
{
	struct fixture fx;
	struct sc_lookup lk;
	char name[128];
	unsigned udp, tcp;

	memset(name, 'a', 64);
	strcpy(name + 64, ".test");
	fx_start(&fx, M_MX, 2000, 2);
	memset(&lk, 0, sizeof(lk));
	ck_assert_int_eq(sc_dns_lookup(&fx.dns, &lk, name, ns_t_mx, on_lookup,
	                               &fx), SC_OK);
	ck_assert_int_eq(fx.calls, 1);
	ck_assert_int_eq(lk.outcome, SC_DNS_ERROR);
	ck_assert_ptr_nonnull(lk.error);
	ck_assert(lk.done);
	ck_assert_uint_eq(fx.dns.inflight, 0);
	dnsfake_counts(&fx.fs, &udp, &tcp);
	ck_assert_uint_eq(udp + tcp, 0);
	fx_end(&fx, &lk);
}
END_TEST

/* A name as c-ares hands it out of an answer (an MX, NS or CNAME target,
 * in RFC 1035 5.1 presentation form) is asked under its own labels:
 * "\007" is the octet 7, "\." a dot inside a label, "\\" a backslash.
 * (c-ares' ares_create_query() asked "mx007" and "a\" for it.)  The
 * answer, owned by the name asked, is taken as ours. */
START_TEST(test_escaped_name_asked_as_itself)
{
	static const unsigned char want[] = {
		6, 'm', 'x', 7, '.', 'a', '\\', 4, 't', 'e', 's', 't', 0
	};
	struct fixture fx;
	struct sc_lookup lk;
	struct dnsfake_query q;

	fx_start(&fx, M_A, 2000, 2);
	fx_lookup(&fx, &lk, "mx\\007\\.a\\\\.test", ns_t_a);
	dnsfake_last(&fx.fs, &q);
	ck_assert_uint_ge(q.len, 12 + sizeof(want) + 4);
	ck_assert_mem_eq(q.buf + 12, want, sizeof(want));
	ck_assert_int_eq(lk.outcome, SC_DNS_OK);
	ck_assert_uint_eq(lk.n, 2);
	fx_end(&fx, &lk);
}
END_TEST

/* The conversion itself, on what presentation form allows and what it
 * does not. */
START_TEST(test_name_to_wire)
{
	static const struct {
		const char *name;
		const char *wire;   /* NULL: refused */
		size_t len;         /* of the wire form, the final 0 counted */
	} v[] = {
		{ "a.test", "\1a\4test", 8 },
		{ "a.test.", "\1a\4test", 8 },
		{ ".", "", 1 },
		{ "A\\065.b", "\2AA\1b", 6 },
		{ "\\000.x", "\1\0\1x", 5 },
		{ "\\255.x", "\1\377\1x", 5 },
		{ "\\\\.x", "\1\\\1x", 5 },
		{ "a\\.b.x", "\3a.b\1x", 7 },
		{ "a..b", NULL, 0 },
		{ ".a", NULL, 0 },
		{ "a\\256.x", NULL, 0 },
		{ "a\\07.x", NULL, 0 },
		{ "a\\", NULL, 0 },
	};
	unsigned char out[256], label[64];
	char big[300];
	size_t i;

	for (i = 0; i < SC_ARRAY_LEN(v); i++) {
		int n = sc_dns_name_wire(v[i].name, out, sizeof(out));

		if (v[i].wire == NULL) {
			ck_assert_msg(n == -1, "'%s' taken", v[i].name);
			continue;
		}
		ck_assert_msg(n == (int)v[i].len, "'%s': %d octets",
		              v[i].name, n);
		ck_assert_mem_eq(out, v[i].wire, v[i].len - 1);
		ck_assert_int_eq(out[n - 1], 0);
	}
	/* 63 octets a label, 255 a name. */
	memset(label, 'a', 63);
	snprintf(big, sizeof(big), "%.63s.x", (char *)label);
	ck_assert_int_eq(sc_dns_name_wire(big, out, sizeof(out)), 63 + 1 + 3);
	snprintf(big, sizeof(big), "%.63sa.x", (char *)label);
	ck_assert_int_eq(sc_dns_name_wire(big, out, sizeof(out)), -1);
	snprintf(big, sizeof(big), "%.63s.%.63s.%.63s.%.61s", (char *)label,
	         (char *)label, (char *)label, (char *)label);
	ck_assert_int_eq(sc_dns_name_wire(big, out, sizeof(out)), 255);
	strcat(big, "a");
	ck_assert_int_eq(sc_dns_name_wire(big, out, sizeof(out)), -1);
}
END_TEST

/* sc_dns_clear() with a lookup in flight: its callback runs once, with
 * ERROR, and nothing leaks (ASan). */
START_TEST(test_clear_cancels_in_flight)
{
	struct fixture fx;
	struct sc_lookup lk;
	int i;

	fx_start(&fx, M_SILENT, 2000, 2);
	memset(&lk, 0, sizeof(lk));
	ck_assert_int_eq(sc_dns_lookup(&fx.dns, &lk, "example.test", ns_t_mx,
	                               on_lookup, &fx), SC_OK);
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(sc_loop_once(&fx.loop, 10), SC_OK);
	ck_assert_int_eq(fx.calls, 0);
	sc_dns_clear(&fx.dns);
	ck_assert_int_eq(fx.calls, 1);
	ck_assert_int_eq(lk.outcome, SC_DNS_ERROR);
	/* The loop holds no watcher or timer of c-ares' any more. */
	ck_assert_uint_eq(fx.loop.nwatch, 0);
	ck_assert_int_eq(sc_loop_next_timeout(&fx.loop), -1);
	sc_dns_clear(&fx.dns); /* twice is harmless */
	fx_end(&fx, &lk);
}
END_TEST

/* An abandoned lookup (its deadline passed) keeps TIMEOUT, and its late
 * callback is never run. */
START_TEST(test_abandoned_lookup_ignores_late_answer)
{
	struct fixture fx;
	struct sc_lookup lk;
	uint64_t end;

	fx_start(&fx, M_MX, 2000, 2);
	memset(&lk, 0, sizeof(lk));
	ck_assert_int_eq(sc_dns_lookup(&fx.dns, &lk, "example.test", ns_t_mx,
	                               on_lookup, &fx), SC_OK);
	sc_dns_abandon(&lk);
	ck_assert_int_eq(lk.outcome, SC_DNS_TIMEOUT);
	/* Run until c-ares has taken the answer (nothing in flight). */
	end = sc_now_ms() + WAIT_MS;
	while (fx.dns.inflight > 0 && sc_now_ms() < end)
		ck_assert_int_eq(sc_loop_once(&fx.loop, 100), SC_OK);
	ck_assert_uint_eq(fx.dns.inflight, 0);
	ck_assert_int_eq(fx.calls, 0);
	ck_assert_int_eq(lk.outcome, SC_DNS_TIMEOUT);
	ck_assert_uint_eq(lk.n, 0);
	fx_end(&fx, &lk);
}
END_TEST

/* Many lookups at once on one channel: each callback once. */
START_TEST(test_many_in_flight)
{
	struct fixture fx;
	struct sc_lookup lk[40];
	uint64_t end;
	size_t i;
	char name[64];

	fx_start(&fx, M_A, 2000, 2);
	memset(lk, 0, sizeof(lk));
	for (i = 0; i < SC_ARRAY_LEN(lk); i++) {
		snprintf(name, sizeof(name), "h%zu.test", i);
		ck_assert_int_eq(sc_dns_lookup(&fx.dns, &lk[i], name, ns_t_a,
		                               on_lookup, &fx), SC_OK);
	}
	end = sc_now_ms() + WAIT_MS;
	while (fx.calls < (int)SC_ARRAY_LEN(lk) && sc_now_ms() < end)
		ck_assert_int_eq(sc_loop_once(&fx.loop, 100), SC_OK);
	ck_assert_int_eq(fx.calls, (int)SC_ARRAY_LEN(lk));
	for (i = 0; i < SC_ARRAY_LEN(lk); i++) {
		ck_assert_int_eq(lk[i].outcome, SC_DNS_OK);
		ck_assert_uint_eq(lk[i].n, 2);
		if (i + 1 < SC_ARRAY_LEN(lk)) {
			sc_lookup_free_data(&lk[i]);
			sc_free(lk[i].name);
		}
	}
	fx_end(&fx, &lk[SC_ARRAY_LEN(lk) - 1]);
}
END_TEST

START_TEST(test_bad_server_list)
{
	struct sc_loop loop;
	struct sc_dns dns;
	char err[256] = "";

	sc_loop_init(&loop);
	ck_assert_int_eq(sc_dns_init(&dns, &loop, "not an address", 1000, 2,
	                             err, sizeof(err)), SC_EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "not an address"));
	ck_assert_ptr_null(dns.channel);
	sc_dns_clear(&dns);
	sc_loop_clear(&loop);
}
END_TEST

Suite *dns_suite(void)
{
	Suite *s = suite_create("dns");
	TCase *tc = tcase_create("fake-server");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_mx_answer);
	tcase_add_test(tc, test_a_and_aaaa_answers);
	tcase_add_test(tc, test_txt_strings_joined);
	tcase_add_test(tc, test_txt_with_nul_byte);
	tcase_add_test(tc, test_nxdomain);
	tcase_add_test(tc, test_nxdomain_proof);
	tcase_add_test(tc, test_nodata);
	tcase_add_test(tc, test_servfail_and_refused);
	tcase_add_test(tc, test_servfail_fails_over);
	tcase_add_test(tc, test_formerr);
	tcase_add_test(tc, test_truncated_retries_over_tcp);
	tcase_add_test(tc, test_big_udp_answer_needs_no_tcp);
	tcase_add_test(tc, test_short_message_ignored);
	tcase_add_test(tc, test_wrong_id_ignored);
	tcase_add_test(tc, test_other_question_ignored);
	tcase_add_test(tc, test_answer_for_other_owner_not_taken);
	tcase_add_test(tc, test_answer_owner_case_taken);
	tcase_add_test(tc, test_cname_loop);
	tcase_add_test(tc, test_cname_chain_followed);
	tcase_add_test(tc, test_answer_flood_capped);
	tcase_add_test(tc, test_flood_of_mx_and_txt_capped);
	tcase_add_test(tc, test_no_answer_times_out);
	tcase_add_test(tc, test_ad_bit);
	tcase_add_test(tc, test_query_carries_ad_and_do);
	tcase_add_test(tc, test_unaskable_name);
	tcase_add_test(tc, test_escaped_name_asked_as_itself);
	tcase_add_test(tc, test_name_to_wire);
	tcase_add_test(tc, test_clear_cancels_in_flight);
	tcase_add_test(tc, test_abandoned_lookup_ignores_late_answer);
	tcase_add_test(tc, test_many_in_flight);
	tcase_add_test(tc, test_bad_server_list);
	suite_add_tcase(s, tc);
	return s;
}
