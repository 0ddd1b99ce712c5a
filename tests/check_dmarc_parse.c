/* The DMARC record parser (scorer/dmarc_parse.c): tags, defaults, errors
 * and their positions, and hostile input. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmarc_parse.h"

static struct sc_dmarc_record rec;

static int
parse(const char *s)
{
	return sc_dmarc_parse(s, strlen(s), &rec);
}

/* The text of a span of s. */
static char *
span(const char *s, struct sc_span sp)
{
	static char buf[512];

	ck_assert_uint_lt(sp.len, sizeof(buf));
	memcpy(buf, s + sp.off, sp.len);
	buf[sp.len] = '\0';
	return buf;
}

START_TEST(test_minimal_defaults)
{
	ck_assert_int_eq(parse("v=DMARC1; p=reject"), 0);
	ck_assert_int_eq(rec.p, SC_DMARC_REJECT);
	ck_assert_int_eq(rec.sp, SC_DMARC_UNSET);
	ck_assert_int_eq(rec.np, SC_DMARC_UNSET);
	ck_assert_int_eq(rec.pct, 100);
	ck_assert_int_eq(rec.has_pct, 0);
	ck_assert_int_eq(rec.adkim, 'r');
	ck_assert_int_eq(rec.aspf, 'r');
	ck_assert_uint_eq(rec.ri, 86400);
	ck_assert_int_eq(rec.psd, 'u');
	ck_assert_int_eq(rec.t, 'n');
	ck_assert_uint_eq(rec.nrua, 0);
	ck_assert_uint_eq(rec.nerror, 0);
	ck_assert_uint_eq(rec.ntag, 2);
}
END_TEST

START_TEST(test_every_tag)
{
	const char *s = "v=DMARC1; p=quarantine; sp=reject; np=reject; "
	                "pct=25; rua=mailto:a@example.com,mailto:b@Rep.Example."
	                "NET!10m; ruf=mailto:f@example.com; adkim=s; aspf=s; "
	                "fo=1:d; ri=3600; psd=n; t=y";

	ck_assert_int_eq(parse(s), 0);
	ck_assert_int_eq(rec.p, SC_DMARC_QUARANTINE);
	ck_assert_int_eq(rec.sp, SC_DMARC_REJECT);
	ck_assert_int_eq(rec.np, SC_DMARC_REJECT);
	ck_assert_int_eq(rec.pct, 25);
	ck_assert_uint_eq(rec.nrua, 2);
	ck_assert_str_eq(span(s, rec.rua[0].uri), "mailto:a@example.com");
	ck_assert_str_eq(span(s, rec.rua[0].host), "example.com");
	ck_assert_int_eq(rec.rua[0].mailto, 1);
	/* the size limit is not part of the URI */
	ck_assert_str_eq(span(s, rec.rua[1].uri), "mailto:b@Rep.Example.NET");
	ck_assert_str_eq(span(s, rec.rua[1].host), "Rep.Example.NET");
	ck_assert_uint_eq(rec.nruf, 1);
	ck_assert_int_eq(rec.adkim, 's');
	ck_assert_int_eq(rec.aspf, 's');
	ck_assert_str_eq(span(s, rec.fo), "1:d");
	ck_assert_uint_eq(rec.ri, 3600);
	ck_assert_int_eq(rec.psd, 'n');
	ck_assert_int_eq(rec.t, 'y');
}
END_TEST

/* Receivers' leniency: spaces, case of names and keywords, a trailing
 * ";", an empty tag, unknown tags (RFC 7489 6.3). */
START_TEST(test_lenient)
{
	ck_assert_int_eq(parse("  v = DMARC1 ;P=Reject;  ; x_new=whatever ;"),
	                 0);
	ck_assert_int_eq(rec.p, SC_DMARC_REJECT);
	ck_assert_int_eq(parse("v=DMARC1;p=none;foo=bar;baz=1 2 3"), 0);
	ck_assert_int_eq(rec.p, SC_DMARC_NONE);
	ck_assert_int_eq(parse("v=DMARC1; p=reject; rua=https://r.example/x"), 0);
	ck_assert_str_eq(span("v=DMARC1; p=reject; rua=https://r.example/x",
	                      rec.rua[0].host), "r.example");
	ck_assert_int_eq(rec.rua[0].mailto, 0);
}
END_TEST

struct bad {
	const char *text;
	size_t pos;      /* 0-based */
	int fatal;
	const char *words;
};

static const struct bad bad[] = {
	{ "v=DMARC1; p=rejet", 12, 1, "none, quarantine or reject" },
	{ "v=DMARC1", 8, 1, "p= (the policy) is missing" },
	{ "v=DMARC1; rua=mailto:a@example.com", 34, 1, "missing" },
	{ "p=reject; v=DMARC1", 0, 1, "must begin with v=DMARC1" },
	{ "v=DMARC2; p=reject", 2, 1, "must be DMARC1" },
	{ "v=dmarc1; p=reject", 2, 1, "must be DMARC1" },
	{ "", 0, 1, "empty" },
	{ "; v=DMARC1; p=reject", 0, 1, "must begin" },
	{ "v=DMARC1; p=reject; p=none", 20, 1, "twice" },
	{ "v=DMARC1; p=reject; sp=nope", 23, 1, "sp=nope" },
	{ "v=DMARC1; p=reject; np=", 23, 1, "empty" },
	{ "v=DMARC1; p", 11, 1, "no \"=\"" },
	{ "v=DMARC1; p=reject extra", 12, 1, "p=reject extra" },
	{ "v=DMARC1; p=reject; pct=150", 24, 0, "0 to 100" },
	{ "v=DMARC1; p=reject; pct=abc", 24, 0, "0 to 100" },
	{ "v=DMARC1; p=reject; adkim=x", 26, 0, "r (relaxed) or s" },
	{ "v=DMARC1; p=reject; aspf=", 25, 0, "empty" },
	{ "v=DMARC1; p=reject; fo=2", 23, 0, "fo must be" },
	{ "v=DMARC1; p=reject; fo=1:", 23, 0, "fo must be" },
	{ "v=DMARC1; p=reject; ri=1h", 23, 0, "seconds" },
	{ "v=DMARC1; p=reject; psd=maybe", 24, 0, "psd must be" },
	{ "v=DMARC1; p=reject; t=true", 22, 0, "t must be y or n" },
	{ "v=DMARC1; p=reject; rua=", 24, 0, "empty URI" },
	{ "v=DMARC1; p=reject; rua=dmarc@example.com", 24, 0, "no scheme" },
	{ "v=DMARC1; p=reject; rua=mailto:example.com", 24, 0, "mailbox@domain" },
	{ "v=DMARC1; p=reject; rua=mailto:a@ex ample.com", 35, 0, "not allowed" },
	{ "v=DMARC1; p=reject; rua=mailto:a@x.example!", 42, 0, "size" },
	{ "v=DMARC1; p=reject; rua=mailto:a@x.example!10q", 45, 0, "unit" },
	{ "v=DMARC1; p=reject; rua=mailto:a@[1.2.3.4]", 33, 0, "host name" },
	{ "v=DMARC1; p=reject; pct=10; pct=20", 28, 0, "twice" },
	{ "v=DMARC1; p=reject; 9x=1", 20, 0, "tag name" },
	{ "v=DMARC1; p=reject; foo", 23, 0, "no \"=\"" },
};

START_TEST(test_errors)
{
	const struct bad *b = &bad[_i];

	ck_assert_int_eq(parse(b->text), -1);
	ck_assert_uint_ge(rec.nerror, 1);
	ck_assert_msg(rec.err.pos == b->pos, "\"%s\": position %zu, not %zu (%s)",
	              b->text, rec.err.pos, b->pos, rec.err.reason);
	ck_assert_msg(rec.err.fatal == b->fatal, "\"%s\": fatal %d (%s)",
	              b->text, rec.err.fatal, rec.err.reason);
	ck_assert_msg(strstr(rec.err.reason, b->words) != NULL,
	              "\"%s\": reason \"%s\" lacks \"%s\"", b->text,
	              rec.err.reason, b->words);
}
END_TEST

/* An error in a tag other than v/p/sp/np leaves the policy standing, the
 * tag at its default (RFC 7489 6.3); the other URIs are kept. */
START_TEST(test_nonfatal_keeps_policy)
{
	ck_assert_int_eq(parse("v=DMARC1; p=reject; pct=abc; "
	                       "rua=bad,mailto:ok@example.com"), -1);
	ck_assert_int_eq(rec.err.fatal, 0);
	ck_assert_int_eq(rec.p, SC_DMARC_REJECT);
	ck_assert_int_eq(rec.pct, 100);
	ck_assert_uint_eq(rec.nerror, 2);
	ck_assert_uint_eq(rec.nrua, 1);
}
END_TEST

/* A fatal error found after a harmless one is the one reported. */
START_TEST(test_fatal_wins)
{
	ck_assert_int_eq(parse("v=DMARC1; pct=abc"), -1);
	ck_assert_int_eq(rec.err.fatal, 1);
	ck_assert_ptr_nonnull(strstr(rec.err.reason, "p= (the policy)"));
	ck_assert_str_eq(rec.err.tag, "p");
}
END_TEST

START_TEST(test_kind)
{
	ck_assert_int_eq(sc_dmarc_kind("v=DMARC1; p=none", 16), SC_DMARC_RECORD);
	ck_assert_int_eq(sc_dmarc_kind(" v =DMARC1", 10), SC_DMARC_RECORD);
	ck_assert_int_eq(sc_dmarc_kind("v=DMARC1", 8), SC_DMARC_RECORD);
	ck_assert_int_eq(sc_dmarc_kind("v=DMARC1p=none", 14), SC_DMARC_ATTEMPT);
	ck_assert_int_eq(sc_dmarc_kind("v=DMARC2; p=none", 16), SC_DMARC_ATTEMPT);
	ck_assert_int_eq(sc_dmarc_kind("v=spf1 -all", 11), SC_DMARC_ATTEMPT);
	ck_assert_int_eq(sc_dmarc_kind("p=reject; v=DMARC1", 18),
	                 SC_DMARC_ATTEMPT);
	ck_assert_int_eq(sc_dmarc_kind("google-site-verification=x", 26),
	                 SC_DMARC_OTHER);
	ck_assert_int_eq(sc_dmarc_kind("", 0), SC_DMARC_OTHER);
	ck_assert_str_eq(sc_dmarc_policy_str(SC_DMARC_QUARANTINE), "quarantine");
	ck_assert_str_eq(sc_dmarc_policy_str(SC_DMARC_UNSET), "unset");
}
END_TEST

/* ---- hostile input ------------------------------------------------------ */

START_TEST(test_null_and_empty)
{
	ck_assert_int_eq(sc_dmarc_parse(NULL, 5, &rec), -1);
	ck_assert_ptr_nonnull(strstr(rec.err.reason, "empty"));
	ck_assert_int_eq(sc_dmarc_parse("", 0, &rec), -1);
	ck_assert_int_eq(parse(";;;;"), -1);
	ck_assert_int_eq(parse("   "), -1);
	ck_assert_int_eq(rec.err.fatal, 1);
}
END_TEST

START_TEST(test_nul_bytes)
{
	static const char a[] = "v=DMARC1; p=reject; x=a\0b";
	static const char b[] = "v=DMARC1; p=rej\0ect";
	static const char c[] = "v=DMARC1\0; p=reject";

	/* in an unknown tag: an error, but the policy stands */
	ck_assert_int_eq(sc_dmarc_parse(a, sizeof(a) - 1, &rec), -1);
	ck_assert_uint_eq(rec.err.pos, 23);
	ck_assert_int_eq(rec.err.fatal, 0);
	ck_assert_int_eq(rec.p, SC_DMARC_REJECT);
	/* in the policy: fatal, and the reason shows it as "?" */
	ck_assert_int_eq(sc_dmarc_parse(b, sizeof(b) - 1, &rec), -1);
	ck_assert_int_eq(rec.err.fatal, 1);
	ck_assert_ptr_nonnull(strstr(rec.err.reason, "rej?ect"));
	ck_assert_int_eq(sc_dmarc_parse(c, sizeof(c) - 1, &rec), -1);
	ck_assert_int_eq(rec.err.fatal, 1);
	ck_assert_int_eq(sc_dmarc_kind(c, sizeof(c) - 1), SC_DMARC_ATTEMPT);
}
END_TEST

/* 10 kB in one value: parsed, the excerpt in the reason cut short. */
START_TEST(test_huge_record)
{
	size_t n = 10240;
	char *s = malloc(n + 1);

	memcpy(s, "v=DMARC1; p=reject; rua=mailto:", 31);
	memset(s + 31, 'a', n - 31);
	s[n] = '\0';
	ck_assert_int_eq(sc_dmarc_parse(s, n, &rec), -1);
	ck_assert_int_eq(rec.err.fatal, 0);
	ck_assert_uint_lt(strlen(rec.err.reason), sizeof(rec.err.reason));
	ck_assert_ptr_nonnull(strstr(rec.err.reason, "..."));
	memset(s + 19, ' ', n - 19);
	ck_assert_int_eq(sc_dmarc_parse(s, n, &rec), 0);
	free(s);
}
END_TEST

/* 1000 tags, 1000 rua URIs: all seen, a bounded number kept. */
START_TEST(test_many_tags)
{
	size_t cap = 64 * 1024, n, i;
	char *s = malloc(cap);

	n = (size_t)snprintf(s, cap, "v=DMARC1; p=reject");
	for (i = 0; i < 1000; i++)
		n += (size_t)snprintf(s + n, cap - n, "; x%zu=%zu", i, i);
	ck_assert_int_eq(sc_dmarc_parse(s, n, &rec), 0);
	ck_assert_uint_eq(rec.ntag, 1002);
	n = (size_t)snprintf(s, cap, "v=DMARC1; p=reject; rua=");
	for (i = 0; i < 1000; i++)
		n += (size_t)snprintf(s + n, cap - n, "%smailto:r%zu@example.com",
		                      i ? "," : "", i);
	ck_assert_int_eq(sc_dmarc_parse(s, n, &rec), 0);
	ck_assert_uint_eq(rec.rua_total, 1000);
	ck_assert_uint_eq(rec.nrua, SC_DMARC_MAX_URI);
	/* the same tag 1000 times: one error each, the first reported */
	n = (size_t)snprintf(s, cap, "v=DMARC1; p=reject");
	for (i = 0; i < 1000; i++)
		n += (size_t)snprintf(s + n, cap - n, "; pct=%zu", i % 100);
	ck_assert_int_eq(sc_dmarc_parse(s, n, &rec), -1);
	ck_assert_uint_eq(rec.nerror, 999);
	ck_assert_ptr_nonnull(strstr(rec.err.reason, "twice"));
	free(s);
}
END_TEST

/* Every byte value in every position of a short record: no crash, and a
 * position inside the record (ASan/UBSan watch the reads). */
START_TEST(test_all_bytes)
{
	char s[] = "v=DMARC1; p=reject; rua=mailto:a@b.example; pct=5";
	size_t len = sizeof(s) - 1, i;
	int c;

	for (i = 0; i < len; i++) {
		char keep = s[i];

		for (c = 0; c < 256; c++) {
			s[i] = (char)c;
			(void)sc_dmarc_parse(s, len, &rec);
			ck_assert_uint_le(rec.err.pos, len);
			(void)sc_dmarc_kind(s, len);
		}
		s[i] = keep;
	}
}
END_TEST

Suite *dmarc_parse_suite(void)
{
	Suite *s = suite_create("dmarc_parse");
	TCase *tc = tcase_create("parse");
	TCase *hostile = tcase_create("hostile");

	tcase_add_test(tc, test_minimal_defaults);
	tcase_add_test(tc, test_every_tag);
	tcase_add_test(tc, test_lenient);
	tcase_add_loop_test(tc, test_errors, 0,
	                    (int)(sizeof(bad) / sizeof(bad[0])));
	tcase_add_test(tc, test_nonfatal_keeps_policy);
	tcase_add_test(tc, test_fatal_wins);
	tcase_add_test(tc, test_kind);
	suite_add_tcase(s, tc);
	tcase_add_test(hostile, test_null_and_empty);
	tcase_add_test(hostile, test_nul_bytes);
	tcase_add_test(hostile, test_huge_record);
	tcase_add_test(hostile, test_many_tags);
	tcase_add_test(hostile, test_all_bytes);
	suite_add_tcase(s, hostile);
	return s;
}
