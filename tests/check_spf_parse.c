/* SPF record syntax and macro expansion (RFC 7208 4.5, 4.6, 5, 6, 7). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "spf_parse.h"

static sc_status_t
parse(const char *txt, struct spf_record *rec, struct spf_error *err)
{
	return sc_spf_parse(txt, strlen(txt), rec, err);
}

/* Does the record parse?  Cleans up either way. */
static int
parses(const char *txt)
{
	struct spf_record rec;
	struct spf_error err;
	sc_status_t st = parse(txt, &rec, &err);

	sc_spf_record_clear(&rec);
	return st == SC_OK;
}

START_TEST(test_selection)
{
	ck_assert(sc_spf_is_record("v=spf1", 6));
	ck_assert(sc_spf_is_record("V=SpF1 -all", 11));
	ck_assert(!sc_spf_is_record("v=spf10", 7));
	ck_assert(!sc_spf_is_record("v=spf1-all", 10));
	ck_assert(!sc_spf_is_record("spf1", 4));
	ck_assert(!sc_spf_is_record(NULL, 0));
}
END_TEST

START_TEST(test_terms_and_positions)
{
	struct spf_record rec;
	struct spf_error err;

	ck_assert_int_eq(parse("v=spf1 mx  ip4:192.0.2.0/24 a:%{d}.x.example/28//64"
	                       " ~all exp=e.example redirect=r.example", &rec,
	                       &err), SC_OK);
	ck_assert_uint_eq(rec.n, 6);
	ck_assert_int_eq(rec.term[0].kind, SPF_MX);
	ck_assert_uint_eq(rec.term[0].pos, 7);
	ck_assert_uint_eq(rec.term[1].pos, 11);
	ck_assert_int_eq(rec.term[1].kind, SPF_IP4);
	ck_assert_int_eq(rec.term[1].cidr4, 24);
	ck_assert_int_eq(rec.term[1].addr[0], 192);
	ck_assert_int_eq(rec.term[2].kind, SPF_A);
	ck_assert_str_eq(rec.term[2].spec, "%{d}.x.example");
	ck_assert_int_eq(rec.term[2].cidr4, 28);
	ck_assert_int_eq(rec.term[2].cidr6, 64);
	ck_assert_int_eq(rec.term[3].qual, '~');
	ck_assert_int_eq(rec.exp, 4);
	ck_assert_int_eq(rec.redirect, 5);
	ck_assert(rec.has_all);
	sc_spf_record_clear(&rec);
}
END_TEST

START_TEST(test_error_position)
{
	struct spf_record rec;
	struct spf_error err;

	ck_assert_int_eq(parse("v=spf1 mx foo -all", &rec, &err), SC_EINVAL);
	ck_assert_uint_eq(err.pos, 10);
	ck_assert_uint_eq(err.len, 3);
	ck_assert(strstr(err.msg, "unknown mechanism") != NULL);
	ck_assert_int_eq(parse("v=spf1 -all exp=a.example exp=b.example", &rec,
	                       &err), SC_EINVAL);
	ck_assert_uint_eq(err.pos, 26);
	ck_assert(strstr(err.msg, "twice") != NULL);
}
END_TEST

START_TEST(test_syntax_errors)
{
	static const char *const bad[] = {
		"v=spf1 all.", "v=spf1 all:x.example", "v=spf1 -all/8",
		"v=spf1 ip4:1.2.3.4/33", "v=spf1 ip4:1.2.3.4/032",
		"v=spf1 ip4:01.2.3.4", "v=spf1 ip4:1.2.3", "v=spf1 ip4:1.2.3.4:25",
		"v=spf1 ip4:1.2.3.4//32", "v=spf1 ip6:::1/129", "v=spf1 ip6:zz::1",
		"v=spf1 ip6", "v=spf1 a/33", "v=spf1 a//129", "v=spf1 a:",
		"v=spf1 a:museum", "v=spf1 a:museum.", "v=spf1 a:1.2.3.4",
		"v=spf1 a:x.-com", "v=spf1 include:x.example/24",
		"v=spf1 include", "v=spf1 exists", "v=spf1 ptr/0",
		"v=spf1 redirect:x.example", "v=spf1 redirect=", "v=spf1 exp=",
		"v=spf1 exp=-all", "v=spf1 =all", "v=spf1 1up=x",
		"v=spf1 foo=%abc", "v=spf1 a:%{x}.example", "v=spf1 a:%{d0}.example",
		"v=spf1 a:%{c}.example", "v=spf1 a:%{d", "v=spf1 a:%",
		"v=spf1 exp=%{r}.x.example",
		"v=spf1 a:x.example\rptr", "v=spf1 \x80" "a", "v=spf1 a:\xef.x.example",
		"v=spf1 redirect=a.example redirect=b.example",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(!parses(bad[i]), "accepted: %s", bad[i]);
}
END_TEST

START_TEST(test_valid_forms)
{
	static const char *const good[] = {
		"v=spf1", "v=spf1 ", "v=spf1  -all ", "v=spf1 a", "v=spf1 a/24",
		"v=spf1 a//64", "v=spf1 mx:x.example/0", "v=spf1 ip4:0.0.0.0/0",
		"v=spf1 ip6:::/0", "v=spf1 ip6:2001:db8::/32 ip6:::ffff:1.2.3.4",
		"v=spf1 a:x.example. a:x.co-op a:foo-bar.123-456",
		"v=spf1 exists:%{ir}.%{l1r+-}._spf.%{d}", "v=spf1 a:%%.%_.%-",
		"v=spf1 moo.cow-far_out=man:dog/cat -all", "v=spf1 default=pass",
		"v=spf1 exp=%{d}.x.example", "v=spf1 ptr ptr:x.example ?all",
		"v=spf1 a:foo:bar.x.example",
	};
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ck_assert_msg(parses(good[i]), "rejected: %s", good[i]);
}
END_TEST

static const unsigned char ip4[4] = { 192, 0, 2, 3 };
static const unsigned char ip6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
                                       0, 0, 0, 0, 0, 0, 0xcb, 0x01 };

static struct spf_macro_env
env74(int family)
{
	struct spf_macro_env e;

	memset(&e, 0, sizeof(e));
	e.sender = "strong-bad@email.example.com";
	e.local = "strong-bad";
	e.odomain = "email.example.com";
	e.domain = "email.example.com";
	e.family = family;
	e.ip = family == 4 ? ip4 : ip6;
	e.helo = "mx.example.org";
	e.now = 1234;
	return e;
}

static void
expect(int family, const char *spec, int exp, const char *want)
{
	struct spf_macro_env e = env74(family);
	char *out = NULL;

	ck_assert_int_eq(sc_spf_expand(spec, &e, exp, &out), SC_OK);
	ck_assert_msg(strcmp(out, want) == 0, "%s: %s, want %s", spec, out,
	              want);
	sc_free(out);
}

/* RFC 7208 7.4, every example. */
START_TEST(test_macro_vectors)
{
	expect(4, "%{s}", 0, "strong-bad@email.example.com");
	expect(4, "%{o}", 0, "email.example.com");
	expect(4, "%{d}", 0, "email.example.com");
	expect(4, "%{d4}", 0, "email.example.com");
	expect(4, "%{d3}", 0, "email.example.com");
	expect(4, "%{d2}", 0, "example.com");
	expect(4, "%{d1}", 0, "com");
	expect(4, "%{dr}", 0, "com.example.email");
	expect(4, "%{d2r}", 0, "example.email");
	expect(4, "%{l}", 0, "strong-bad");
	expect(4, "%{l-}", 0, "strong.bad");
	expect(4, "%{lr}", 0, "strong-bad");
	expect(4, "%{lr-}", 0, "bad.strong");
	expect(4, "%{l1r-}", 0, "strong");
	expect(4, "%{ir}.%{v}._spf.%{d2}", 0,
	       "3.2.0.192.in-addr._spf.example.com");
	expect(4, "%{lr-}.lp._spf.%{d2}", 0, "bad.strong.lp._spf.example.com");
	expect(4, "%{lr-}.lp.%{ir}.%{v}._spf.%{d2}", 0,
	       "bad.strong.lp.3.2.0.192.in-addr._spf.example.com");
	expect(4, "%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}", 0,
	       "3.2.0.192.in-addr.strong.lp._spf.example.com");
	expect(4, "%{d2}.trusted-domains.example.net", 0,
	       "example.com.trusted-domains.example.net");
	expect(6, "%{ir}.%{v}._spf.%{d2}", 0,
	       "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2"
	       ".ip6._spf.example.com");
}
END_TEST

START_TEST(test_macro_other)
{
	expect(4, "%{S}", 0, "strong-bad%40email.example.com");
	expect(4, "%%%_%-", 1, "% %20");
	expect(4, "%{c} %{t} %{r} %{h} %{p}", 1,
	       "192.0.2.3 1234 unknown mx.example.org unknown");
	expect(6, "%{c}", 1, "2001:db8::cb01");
	expect(4, "%{d99}", 0, "email.example.com");
	expect(4, "%{l+-}", 0, "strong.bad");
}
END_TEST

START_TEST(test_macro_errors_and_bounds)
{
	struct spf_macro_env e = env74(4);
	char spec[12000], *out = NULL;
	size_t i;

	ck_assert_int_eq(sc_spf_expand("%{x}", &e, 0, &out), SC_EINVAL);
	ck_assert_int_eq(sc_spf_expand("%{c}", &e, 0, &out), SC_EINVAL);
	ck_assert_int_eq(sc_spf_expand("%{d", &e, 0, &out), SC_EINVAL);
	ck_assert_int_eq(sc_spf_expand("%", &e, 0, &out), SC_EINVAL);
	ck_assert_ptr_null(out);
	/* 7.3: a long name loses labels on the left, down to 253 */
	for (i = 0; i + 4 < 800; i += 4)
		memcpy(spec + i, "%{d}", 4);
	spec[i] = '\0';
	ck_assert_int_eq(sc_spf_expand(spec, &e, 0, &out), SC_OK);
	ck_assert_uint_le(strlen(out), 253);
	sc_free(out);
	/* an expansion past the cap is refused, not grown */
	for (i = 0; i + 4 < sizeof(spec); i += 4)
		memcpy(spec + i, "%{s}", 4);
	spec[i] = '\0';
	ck_assert_int_eq(sc_spf_expand(spec, &e, 1, &out), SC_EINVAL);
}
END_TEST

START_TEST(test_names)
{
	ck_assert(sc_spf_valid_name("a.example", 1));
	ck_assert(sc_spf_valid_name("a.example.", 1));
	ck_assert(!sc_spf_valid_name("example", 1));
	ck_assert(sc_spf_valid_name("example", 0));
	ck_assert(!sc_spf_valid_name("a..example", 0));
	ck_assert(!sc_spf_valid_name("[1.2.3.4]", 0));
	ck_assert(!sc_spf_valid_name("", 0));
	ck_assert(!sc_spf_valid_name("a1234567890123456789012345678901234567890"
	                             "12345678901234567890123.example", 0));
}
END_TEST

/* Hostile records: big, many terms, unterminated macros; bounded. */
START_TEST(test_hostile)
{
	struct spf_record rec;
	struct spf_error err;
	char *big = malloc(12000);
	size_t i;

	memcpy(big, "v=spf1", 6);
	for (i = 6; i + 9 < 10240; i += 9)
		memcpy(big + i, " a:%{d}.x", 9);
	memcpy(big + i, " -all", 6);
	/* 1137 terms: more than SPF_MAX_TERMS */
	ck_assert_int_eq(sc_spf_parse(big, strlen(big), &rec, &err), SC_EINVAL);
	ck_assert(strstr(err.msg, "terms") != NULL);
	/* 10 kB of one term with an unterminated macro */
	memcpy(big, "v=spf1 a:", 9);
	memset(big + 9, 'x', 10000);
	memcpy(big + 10009, "%{d", 4);
	ck_assert_int_eq(sc_spf_parse(big, strlen(big), &rec, &err), SC_EINVAL);
	/* 1000 terms are fine */
	memcpy(big, "v=spf1", 6);
	for (i = 0; i < 1000; i++)
		memcpy(big + 6 + i * 3, " mx", 3);
	big[6 + 3000] = '\0';
	ck_assert_int_eq(sc_spf_parse(big, strlen(big), &rec, &err), SC_OK);
	ck_assert_uint_eq(rec.n, 1000);
	sc_spf_record_clear(&rec);
	/* NUL bytes inside the record are control characters */
	ck_assert_int_eq(sc_spf_parse("v=spf1 a\0b", 10, &rec, &err),
	                 SC_EINVAL);
	free(big);
}
END_TEST

/* Every allocation of the parser may fail: SC_ENOMEM, nothing leaked. */
START_TEST(test_out_of_memory)
{
	const char *txt = "v=spf1 a:%{d}.x.example mx/24 include:i.example "
	                  "redirect=r.example exp=e.example";
	struct spf_macro_env e = env74(4);
	unsigned long n;
	int ok = 0;

	for (n = 1; n < 100 && !ok; n++) {
		struct spf_record rec;
		struct spf_error err;
		char *out = NULL;
		sc_status_t st, st2;

		sc_alloc_fail_at(n);
		st = sc_spf_parse(txt, strlen(txt), &rec, &err);
		st2 = sc_spf_expand("%{ir}.%{l1r-}.%{S}", &e, 0, &out);
		sc_alloc_fail_at(0);
		ck_assert(st == SC_OK || st == SC_ENOMEM);
		ck_assert(st2 == SC_OK || st2 == SC_ENOMEM);
		ok = st == SC_OK && st2 == SC_OK;
		sc_spf_record_clear(&rec);
		sc_free(out);
	}
	ck_assert(ok);
}
END_TEST

Suite *spf_parse_suite(void)
{
	Suite *s = suite_create("spf_parse");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_selection);
	tcase_add_test(tc, test_terms_and_positions);
	tcase_add_test(tc, test_error_position);
	tcase_add_test(tc, test_syntax_errors);
	tcase_add_test(tc, test_valid_forms);
	tcase_add_test(tc, test_macro_vectors);
	tcase_add_test(tc, test_macro_other);
	tcase_add_test(tc, test_macro_errors_and_bounds);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_hostile);
	tcase_add_test(tc, test_out_of_memory);
	suite_add_tcase(s, tc);
	return s;
}
