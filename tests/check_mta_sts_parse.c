/*
 * The MTA-STS parsers (scorer/mta_sts_parse.c): the _mta-sts TXT record
 * (RFC 8461 3.1), the policy file (3.2), MX patterns (4.1) and the media
 * type (3.2); hostile input and out-of-memory walks.  Also the TXT records
 * of the postfix-mta-sts-resolver fixtures (tests/conformance/data/
 * mta-sts-resolver/dnsmasq.conf.appendix).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "mta_sts_parse.h"
#include "testutil.h"

static char why[SC_STS_WHY_LEN];

/* ---- TXT -------------------------------------------------------------- */

static enum sc_sts_txt_kind
txt(const char *s, struct sc_sts_txt *t)
{
	return sc_sts_txt_parse(s, strlen(s), t);
}

START_TEST(test_txt_valid)
{
	static const char *const ok[] = {
		"v=STSv1; id=20160831085700Z;",
		"v=STSv1;id=1",
		"v=STSv1; id=abc",
		"v=STSv1 ; id=abc ;",             /* sts-sep = *WSP ";" *WSP */
		"v=STSv1;\tid=X1\t;\text=v.a-l:u/e",
		"v=STSv1; ext.1_-=v; id=0",       /* an extension before id */
		"v=STSv1; id=01234567890123456789012345678901", /* 32 */
	};
	struct sc_sts_txt t;
	size_t i;

	for (i = 0; i < SC_ARRAY_LEN(ok); i++)
		ck_assert_msg(txt(ok[i], &t) == SC_STS_TXT_VALID, "%s: %s",
		              ok[i], t.why);
	ck_assert_int_eq(txt("v=STSv1; id=20160831085700Z;", &t),
	                 SC_STS_TXT_VALID);
	ck_assert_str_eq(t.id, "20160831085700Z");
}
END_TEST

START_TEST(test_txt_invalid)
{
	static const char *const bad[] = {
		"v=STSv1",                         /* no field */
		"v=STSv1;",                        /* no id */
		"v=STSv1; ext=1",                  /* no id */
		"v=STSv1; id=",                    /* empty id */
		"v=STSv1; id=012345678901234567890123456789012", /* 33 */
		"v=STSv1; id=2024-01-01",          /* not alphanumeric */
		"v=STSv1; id=1; id=2",             /* twice */
		"v=STSv1; id 1",                   /* no = */
		"v=STSv1; id=1;; x=1",             /* empty field */
		"v=STSv1; =1; id=1",               /* empty name */
		"v=STSv1; id=1; x=",               /* empty value */
		"v=STSv1; id=1; x=a b",            /* space in value */
		"v=STSv1; id=1 x=1",               /* missing ; */
		"v=STSv1; -x=1; id=1",             /* name starts with - */
		"v=STSv1; id=1; x=a=b",            /* = in value */
		"v=STSv1; id=1; abcdefghijabcdefghijabcdefghijabc=1", /* 33 */
	};
	struct sc_sts_txt t;
	size_t i;

	for (i = 0; i < SC_ARRAY_LEN(bad); i++) {
		ck_assert_msg(txt(bad[i], &t) == SC_STS_TXT_INVALID, "%s",
		              bad[i]);
		ck_assert_msg(t.why[0] != '\0', "%s: no reason", bad[i]);
		ck_assert_str_eq(t.id, "");
	}
	/* A NUL in the id. */
	ck_assert_int_eq(sc_sts_txt_parse("v=STSv1; id=a\0b", 15, &t),
	                 SC_STS_TXT_INVALID);
}
END_TEST

START_TEST(test_txt_other_and_stray)
{
	struct sc_sts_txt t;

	/* 3.1: records not beginning with v=STSv1 are discarded. */
	ck_assert_int_eq(txt("some-verification=abc", &t), SC_STS_TXT_OTHER);
	ck_assert_int_eq(txt("", &t), SC_STS_TXT_OTHER);
	ck_assert_int_eq(sc_sts_txt_parse(NULL, 0, &t), SC_STS_TXT_OTHER);
	ck_assert_int_eq(txt("v=spf1 -all", &t), SC_STS_TXT_OTHER);
	/* Meant as MTA-STS, but discarded by senders all the same. */
	ck_assert_int_eq(txt("v=STSv12; id=1", &t), SC_STS_TXT_STRAY);
	ck_assert_int_eq(txt("id=1; v=STSv1;", &t), SC_STS_TXT_STRAY);
	ck_assert_int_eq(txt("V=STSV1; id=1", &t), SC_STS_TXT_STRAY);
	ck_assert_int_eq(txt(" v=STSv1; id=1", &t), SC_STS_TXT_STRAY);
	ck_assert_ptr_nonnull(strstr(t.why, "does not begin"));
}
END_TEST

/* ---- policy ----------------------------------------------------------- */

static sc_status_t
pol(const char *s, struct sc_sts_policy *p)
{
	return sc_sts_policy_parse(s, strlen(s), p, why, sizeof(why));
}

START_TEST(test_policy_valid)
{
	struct sc_sts_policy p;

	ck_assert_int_eq(pol("version: STSv1\nmode: enforce\n"
	                     "mx: mail.example.com\nmx: *.example.net\n"
	                     "max_age: 604800\n", &p), SC_OK);
	ck_assert_int_eq(p.mode, SC_STS_MODE_ENFORCE);
	ck_assert_uint_eq(p.max_age, 604800);
	ck_assert_uint_eq(p.nmx, 2);
	ck_assert_str_eq(p.mx[0], "mail.example.com");
	ck_assert_str_eq(p.mx[1], "*.example.net");
	sc_sts_policy_clear(&p);

	/* CRLF, any order, trailing WSP, no WSP after ":", no final EOL. */
	ck_assert_int_eq(pol("mode:testing \r\nmax_age:\t0\r\nmx: a.b\t\r\n"
	                     "version: STSv1", &p), SC_OK);
	ck_assert_int_eq(p.mode, SC_STS_MODE_TESTING);
	ck_assert_uint_eq(p.max_age, 0);
	ck_assert_str_eq(p.mx[0], "a.b");
	sc_sts_policy_clear(&p);

	/* Mixed line ends; an unknown key is ignored; max_age at the top. */
	ck_assert_int_eq(pol("version: STSv1\r\nmode: enforce\nmx: a.b\r\n"
	                     "x-note: h\xc3\xa9llo world\nmax_age: 31557600\n",
	                     &p), SC_OK);
	ck_assert_uint_eq(p.max_age, 31557600);
	sc_sts_policy_clear(&p);

	/* mode none needs no mx. */
	ck_assert_int_eq(pol("version: STSv1\nmode: none\nmax_age: 1\n", &p),
	                 SC_OK);
	ck_assert_int_eq(p.mode, SC_STS_MODE_NONE);
	ck_assert_uint_eq(p.nmx, 0);
	sc_sts_policy_clear(&p);

	/* Trailing empty lines are tolerated; 10 digits with zeros. */
	ck_assert_int_eq(pol("version: STSv1\nmode: enforce\nmx: a\n"
	                     "max_age: 0000086400\n\n\r\n", &p), SC_OK);
	ck_assert_uint_eq(p.max_age, 86400);
	sc_sts_policy_clear(&p);
	sc_sts_policy_clear(NULL);
}
END_TEST

struct bad_policy {
	const char *text;
	const char *reason; /* a substring of why */
};

static const struct bad_policy bad_policies[] = {
	{ "", "empty" },
	{ "garbage", "not a \"key: value\"" },
	{ "version: STSv1\nmode: enforce\nmax_age: 1\n", "no mx line" },
	{ "version: STSv1\nmode: testing\nmax_age: 1\n", "no mx line" },
	{ "mode: enforce\nmx: a\nmax_age: 1\n", "no version" },
	{ "version: STSv1\nmx: a\nmax_age: 1\n", "no mode" },
	{ "version: STSv1\nmode: enforce\nmx: a\n", "no max_age" },
	{ "version: STSv2\nmode: enforce\nmx: a\nmax_age: 1", "not STSv1" },
	{ "version: stsv1\nmode: enforce\nmx: a\nmax_age: 1", "not STSv1" },
	{ "version: STSv1\nmode: doubt\nmx: a\nmax_age: 1", "not enforce" },
	{ "version: STSv1\nmode: Enforce\nmx: a\nmax_age: 1", "not enforce" },
	{ "version: STSv1\nmode: enforce\nmx: a\nmax_age: xxx", "not a number" },
	{ "version: STSv1\nmode: enforce\nmx: a\nmax_age: -1", "not a number" },
	{ "version: STSv1\nmode: enforce\nmx: a\nmax_age: 1.5", "not a number" },
	{ "version: STSv1\nmode: enforce\nmx: a\nmax_age: 31557601",
	  "over the limit" },
	{ "version: STSv1\nmode: enforce\nmx: a\nmax_age: 00000000001",
	  "not a number" },                       /* 11 digits */
	{ "version: STSv1\nmode: enforce\nmx: a\nmax_age: ", "not a number" },
	{ "version: STSv1\nversion: STSv1\nmode: enforce\nmx: a\nmax_age: 1",
	  "second version" },
	{ "version: STSv1\nmode: enforce\nmode: testing\nmx: a\nmax_age: 1",
	  "second mode" },
	{ "version: STSv1\nmode: enforce\nmx: a\nmax_age: 1\nmax_age: 2",
	  "second max_age" },
	{ "version: STSv1\n\nmode: enforce\nmx: a\nmax_age: 1", "empty" },
	{ " version: STSv1\nmode: enforce\nmx: a\nmax_age: 1", "not a" },
	{ "version : STSv1\nmode: enforce\nmx: a\nmax_age: 1", "not a" },
	{ "version= STSv1\nmode: enforce\nmx: a\nmax_age: 1", "not a" },
	{ "version: STSv1\rmode: enforce\nmx: a\nmax_age: 1", "control" },
	{ "version: STSv1\nmode: enforce\nmx: a\nmax_age: 1\n\r", "not a" },
	{ "version: STSv1\nmode: enforce\nmx: a\tb\nmax_age: 1", "control" },
	{ "Version: STSv1\nmode: enforce\nmx: a\nmax_age: 1", "case" },
	{ "version: STSv1\nmode: enforce\nmx: a\nmax_age: 1\nx:", "empty" },
	{ "version: STSv1\nmode: enforce\nmx: a\nmax_age: 1\n"
	  "abcdefghijabcdefghijabcdefghijabc: 1", "longer than" },
	{ "version: STSv1\nmode: enforce\nmx: a\nmax_age: 1\nx: a\x7f", "control" },
	/* mx patterns (3.2: ["*."] Domain) */
	{ "version: STSv1\nmode: enforce\nmx: \nmax_age: 1", "names no" },
	{ "version: STSv1\nmode: enforce\nmx: *\nmax_age: 1", "not a host" },
	{ "version: STSv1\nmode: enforce\nmx: *.\nmax_age: 1", "names no" },
	{ "version: STSv1\nmode: enforce\nmx: a.*.b\nmax_age: 1", "not a host" },
	{ "version: STSv1\nmode: enforce\nmx: **.b\nmax_age: 1", "not a host" },
	{ "version: STSv1\nmode: enforce\nmx: mail.b.\nmax_age: 1", "final dot" },
	{ "version: STSv1\nmode: enforce\nmx: a..b\nmax_age: 1", "empty label" },
	{ "version: STSv1\nmode: enforce\nmx: -a.b\nmax_age: 1", "begins" },
	{ "version: STSv1\nmode: enforce\nmx: a-.b\nmax_age: 1", "ends" },
	{ "version: STSv1\nmode: enforce\nmx: a_b.c\nmax_age: 1", "not a host" },
	{ "version: STSv1\nmode: enforce\nmx: a b\nmax_age: 1", "not a host" },
	{ "version: STSv1\nmode: enforce\nmx: b\xc3\xbc" "cher.de\nmax_age: 1",
	  "not a host" },                         /* U-label: A-labels only */
	{ "version: STSv1\nmode: enforce\nmx: "
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.b"
	  "\nmax_age: 1", "label longer" },       /* 64 */
};

START_TEST(test_policy_invalid)
{
	const struct bad_policy *b = &bad_policies[_i];
	struct sc_sts_policy p;

	ck_assert_msg(pol(b->text, &p) == SC_EINVAL, "case %d accepted", _i);
	ck_assert_msg(strstr(why, b->reason) != NULL,
	              "case %d: \"%s\" does not say \"%s\"", _i, why, b->reason);
	/* Nothing is left to free after a failure. */
	ck_assert_ptr_null(p.mx);
	ck_assert_ptr_null(p.buf);
	ck_assert_uint_eq(p.nmx, 0);
}
END_TEST

START_TEST(test_policy_reasons_name_the_line)
{
	struct sc_sts_policy p;

	ck_assert_int_eq(pol("version: STSv1\nmode: enforce\nmx: a\n"
	                     "max_age: xxx\n", &p), SC_EINVAL);
	ck_assert_ptr_nonnull(strstr(why, "line 4"));
	ck_assert_int_eq(pol("version: STSv1\r\nmode: x\r\n", &p), SC_EINVAL);
	ck_assert_ptr_nonnull(strstr(why, "line 2"));
	/* A NULL reason buffer is allowed. */
	ck_assert_int_eq(sc_sts_policy_parse("x", 1, &p, NULL, 0), SC_EINVAL);
	ck_assert_int_eq(sc_sts_policy_parse(NULL, 5, &p, why, sizeof(why)),
	                 SC_EINVAL);
	ck_assert_int_eq(sc_sts_policy_parse("x", 1, NULL, why, sizeof(why)),
	                 SC_EINVAL);
}
END_TEST

/* ---- hostile input ---------------------------------------------------- */

START_TEST(test_policy_junk)
{
	size_t n = 64 * 1024, i;
	char *buf = malloc(n);
	struct sc_sts_policy p;
	unsigned seed = 12345;

	ck_assert_ptr_nonnull(buf);
	for (i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		buf[i] = (char)(seed >> 16);
	}
	ck_assert_int_eq(sc_sts_policy_parse(buf, n, &p, why, sizeof(why)),
	                 SC_EINVAL);
	/* Junk made of plausible bytes: keys, colons, newlines. */
	for (i = 0; i < n; i++) {
		static const char set[] = "mx: ver\nsion\r:*.STSv1 max_age0";

		seed = seed * 1103515245u + 12345u;
		buf[i] = set[(seed >> 16) % (sizeof(set) - 1)];
	}
	ck_assert_int_eq(sc_sts_policy_parse(buf, n, &p, why, sizeof(why)),
	                 SC_EINVAL);
	/* The TXT parser and the matcher on the same bytes. */
	{
		struct sc_sts_txt t;

		memcpy(buf, "v=STSv1; id=1; x=", 17);
		(void)sc_sts_txt_parse(buf, n, &t);
		buf[n - 1] = '\0';
		(void)sc_sts_mx_match(buf, buf);
	}
	free(buf);
}
END_TEST

START_TEST(test_policy_many_mx)
{
	size_t cap = 10000 * 24 + 128, len = 0, i;
	char *buf = malloc(cap);
	struct sc_sts_policy p;

	ck_assert_ptr_nonnull(buf);
	len += (size_t)snprintf(buf + len, cap - len,
	                        "version: STSv1\nmode: enforce\nmax_age: 60\n");
	for (i = 0; i < 10000; i++)
		len += (size_t)snprintf(buf + len, cap - len,
		                        "mx: mx%zu.example.com\n", i);
	ck_assert_int_eq(sc_sts_policy_parse(buf, len, &p, why, sizeof(why)),
	                 SC_OK);
	ck_assert_uint_eq(p.nmx, 10000);
	ck_assert_str_eq(p.mx[9999], "mx9999.example.com");
	ck_assert(sc_sts_mx_match(p.mx[4242], "MX4242.example.com."));
	sc_sts_policy_clear(&p);
	free(buf);
}
END_TEST

START_TEST(test_policy_nul_bytes)
{
	static const char a[] = "version: STSv1\nmode: enforce\0\nmx: a\n"
	                        "max_age: 1\n";
	static const char b[] = "version: STSv1\nmode: enforce\nmx: a\n"
	                        "max_age: 1\n\0";
	static const char c[] = "version: STSv1\nmo\0de: enforce\nmx: a\n"
	                        "max_age: 1\n";
	struct sc_sts_policy p;

	ck_assert_int_eq(sc_sts_policy_parse(a, sizeof(a) - 1, &p, why,
	                                     sizeof(why)), SC_EINVAL);
	ck_assert_ptr_nonnull(strstr(why, "control"));
	ck_assert_int_eq(sc_sts_policy_parse(b, sizeof(b) - 1, &p, why,
	                                     sizeof(why)), SC_EINVAL);
	ck_assert_int_eq(sc_sts_policy_parse(c, sizeof(c) - 1, &p, why,
	                                     sizeof(why)), SC_EINVAL);
	/* The same policy without the NUL is fine, with or without the
	 * final newline. */
	ck_assert_int_eq(sc_sts_policy_parse(b, sizeof(b) - 2, &p, why,
	                                     sizeof(why)), SC_OK);
	sc_sts_policy_clear(&p);
	ck_assert_int_eq(sc_sts_policy_parse(b, sizeof(b) - 3, &p, why,
	                                     sizeof(why)), SC_OK);
	sc_sts_policy_clear(&p);
}
END_TEST

/* Every allocation of a parse fails in turn: SC_ENOMEM, nothing leaked
 * (ASan), and once past the last allocation the parse succeeds. */
START_TEST(test_policy_out_of_memory)
{
	static const char text[] = "version: STSv1\nmode: enforce\nmx: a.b\n"
	                           "mx: b.c\nmx: c.d\nmx: d.e\nmx: *.e.f\n"
	                           "max_age: 60\n";
	struct sc_sts_policy p;
	unsigned long n;
	int done = 0;

	for (n = 1; n < 100 && !done; n++) {
		sc_status_t st;
		unsigned long used;

		sc_alloc_fail_at(n);
		st = sc_sts_policy_parse(text, sizeof(text) - 1, &p, why,
		                         sizeof(why));
		used = sc_alloc_count();
		sc_alloc_fail_at(0);
		ck_assert_msg(st == SC_OK || st == SC_ENOMEM, "n=%lu: %d", n,
		              (int)st);
		if (st == SC_OK) {
			ck_assert_uint_eq(p.nmx, 5);
			done = used < n;
		} else {
			ck_assert_ptr_null(p.buf);
			ck_assert_ptr_null(p.mx);
		}
		sc_sts_policy_clear(&p);
	}
	ck_assert(done);
}
END_TEST

/* ---- MX patterns (4.1) ------------------------------------------------ */

START_TEST(test_mx_match)
{
	/* exact, case-insensitive, final dots */
	ck_assert(sc_sts_mx_match("mail.example.com", "mail.example.com"));
	ck_assert(sc_sts_mx_match("MAIL.example.COM", "mail.EXAMPLE.com"));
	ck_assert(sc_sts_mx_match("mail.example.com", "mail.example.com."));
	ck_assert(sc_sts_mx_match("mail.example.com.", "mail.example.com"));
	ck_assert(!sc_sts_mx_match("mail.example.com", "mail.example.co"));
	ck_assert(!sc_sts_mx_match("mail.example.com", "xmail.example.com"));
	ck_assert(!sc_sts_mx_match("example.com", "mail.example.com"));
	ck_assert(!sc_sts_mx_match("mail.example.com", "mail.example.com.."));

	/* the wildcard: exactly one extra label, leftmost */
	ck_assert(sc_sts_mx_match("*.example.com", "mail.example.com"));
	ck_assert(sc_sts_mx_match("*.example.com", "MX1.Example.Com."));
	ck_assert(sc_sts_mx_match("*.example.com.", "mx1.example.com"));
	ck_assert(!sc_sts_mx_match("*.example.com", "example.com"));
	ck_assert(!sc_sts_mx_match("*.example.com", "a.b.example.com"));
	ck_assert(!sc_sts_mx_match("*.example.com", ".example.com"));
	ck_assert(!sc_sts_mx_match("*.example.com", "mail.example.net"));
	ck_assert(!sc_sts_mx_match("*.example.com", "mailexample.com"));
	/* a star anywhere else matches nothing */
	ck_assert(!sc_sts_mx_match("mail.*.com", "mail.example.com"));
	ck_assert(!sc_sts_mx_match("*", "mail"));
	ck_assert(!sc_sts_mx_match("*.*.com", "a.b.com"));
	ck_assert(!sc_sts_mx_match("m*.example.com", "mx.example.com"));
	ck_assert(!sc_sts_mx_match("*example.com", "mx.example.com"));
	/* empty and NULL */
	ck_assert(!sc_sts_mx_match("", ""));
	ck_assert(!sc_sts_mx_match(".", "."));
	ck_assert(!sc_sts_mx_match(NULL, "a"));
	ck_assert(!sc_sts_mx_match("a", NULL));
}
END_TEST

START_TEST(test_media_type)
{
	ck_assert(sc_sts_media_type_ok("text/plain"));
	ck_assert(sc_sts_media_type_ok("text/plain; charset=utf-8"));
	ck_assert(sc_sts_media_type_ok("Text/Plain;charset=US-ASCII"));
	ck_assert(sc_sts_media_type_ok(" text/plain "));
	ck_assert(!sc_sts_media_type_ok("text/html"));
	ck_assert(!sc_sts_media_type_ok("text/plainx"));
	ck_assert(!sc_sts_media_type_ok("text/plain-x"));
	ck_assert(!sc_sts_media_type_ok("application/octet-stream"));
	ck_assert(!sc_sts_media_type_ok(""));
	ck_assert(!sc_sts_media_type_ok(NULL));
	ck_assert_str_eq(sc_sts_mode_str(SC_STS_MODE_TESTING), "testing");
	ck_assert_str_eq(sc_sts_mode_str((enum sc_sts_mode)9), "?");
}
END_TEST

/* ---- conformance: postfix-mta-sts-resolver ---------------------------- */

/*
 * dnsmasq.conf.appendix: txt-record=_mta-sts.DOMAIN,"VALUE".  SOURCE.md:
 * 16 are a valid "v=STSv1;id=20180907T090909;"; bad-record1 (v= not
 * first), bad-record2 (not MTA-STS) and bad-record3 (v=STSv12) are not
 * usable, and senders apply no policy for them.
 */
START_TEST(test_conformance_txt_records)
{
	char path[1024], line[1024];
	FILE *fp;
	int n = 0, valid = 0;

	snprintf(path, sizeof(path), "%s/mta-sts-resolver/dnsmasq.conf.appendix",
	         test_conformance_dir());
	fp = fopen(path, "r");
	ck_assert_msg(fp != NULL, "cannot open %s", path);
	while (fgets(line, sizeof(line), fp) != NULL) {
		char *domain, *value, *end;
		struct sc_sts_txt t;
		enum sc_sts_txt_kind k;
		int bad;

		if (strncmp(line, "txt-record=_mta-sts.", 20) != 0)
			continue;
		domain = line + 20;
		value = strchr(domain, ',');
		ck_assert_ptr_nonnull(value);
		*value++ = '\0';
		ck_assert_int_eq(*value, '"');
		value++;
		end = strrchr(value, '"');
		ck_assert_ptr_nonnull(end);
		*end = '\0';
		k = sc_sts_txt_parse(value, strlen(value), &t);
		bad = strncmp(domain, "bad-record", 10) == 0;
		ck_assert_msg(bad ? k != SC_STS_TXT_VALID : k == SC_STS_TXT_VALID,
		              "%s \"%s\": kind %d (%s)", domain, value, (int)k,
		              t.why);
		if (!bad)
			ck_assert_str_eq(t.id, "20180907T090909");
		/* record2 is not MTA-STS at all; 1 and 3 were meant as it */
		if (strcmp(domain, "bad-record2.loc") == 0)
			ck_assert_int_eq(k, SC_STS_TXT_OTHER);
		else if (bad)
			ck_assert_int_eq(k, SC_STS_TXT_STRAY);
		n++;
		valid += !bad;
	}
	fclose(fp);
	ck_assert_int_eq(n, 19);
	ck_assert_int_eq(valid, 16);
	printf("mta-sts-resolver: %d TXT records checked (%d valid, %d not)\n",
	       n, valid, n - valid);
}
END_TEST

/* The upstream policy bodies, as SOURCE.md lists them (nginx.conf itself
 * was not copied): each parses, or fails, as the resolver decides. */
static const struct {
	const char *name;
	const char *body;
	int valid;
} upstream_bodies[] = {
	{ "good.loc", "version: STSv1\nmode: enforce\nmx: mail.loc\n"
	              "max_age: 86400", 1 },
	{ "bad-policy1.loc", "garbage", 0 },
	{ "bad-policy2.loc", "version: STSv1\nmode: enforce\nmax_age: 86400", 0 },
	{ "bad-policy5.loc", "version: STSv1\nmode: enforce\nmx: mail.loc\n"
	                     "max_age: xxx", 0 },
	{ "bad-policy6.loc", "version: STSv1\nmode: enforce\nmx: mail.loc\n"
	                     "max_age: 31557601", 0 },
	{ "bad-policy7.loc", "version: STSv1\nmx: mail.loc\nmax_age: 86400", 0 },
	{ "bad-policy8.loc", "version: STSv1\nmode: doubt\nmx: mail.loc\n"
	                     "max_age: 86400", 0 },
	{ "valid-none.loc", "version: STSv1\nmode: none\nmax_age: 86400", 1 },
	{ "testing.loc", "version: STSv1\nmode: testing\nmx: mail.loc\n"
	                 "max_age: 86400", 1 },
};

START_TEST(test_conformance_policy_bodies)
{
	struct sc_sts_policy p;
	size_t i;

	for (i = 0; i < SC_ARRAY_LEN(upstream_bodies); i++) {
		sc_status_t st = pol(upstream_bodies[i].body, &p);

		ck_assert_msg((st == SC_OK) == upstream_bodies[i].valid,
		              "%s: %d (%s)", upstream_bodies[i].name, (int)st, why);
		if (st == SC_OK && p.nmx > 0)
			ck_assert(sc_sts_mx_match(p.mx[0], "mail.loc"));
		sc_sts_policy_clear(&p);
	}
}
END_TEST

Suite *mta_sts_parse_suite(void)
{
	Suite *s = suite_create("mta_sts_parse");
	TCase *tc = tcase_create("txt");

	tcase_add_test(tc, test_txt_valid);
	tcase_add_test(tc, test_txt_invalid);
	tcase_add_test(tc, test_txt_other_and_stray);
	suite_add_tcase(s, tc);

	tc = tcase_create("policy");
	tcase_add_test(tc, test_policy_valid);
	tcase_add_loop_test(tc, test_policy_invalid, 0,
	                    (int)SC_ARRAY_LEN(bad_policies));
	tcase_add_test(tc, test_policy_reasons_name_the_line);
	tcase_add_test(tc, test_policy_out_of_memory);
	suite_add_tcase(s, tc);

	tc = tcase_create("hostile");
	tcase_add_test(tc, test_policy_junk);
	tcase_add_test(tc, test_policy_many_mx);
	tcase_add_test(tc, test_policy_nul_bytes);
	suite_add_tcase(s, tc);

	tc = tcase_create("match");
	tcase_add_test(tc, test_mx_match);
	tcase_add_test(tc, test_media_type);
	suite_add_tcase(s, tc);

	tc = tcase_create("conformance");
	tcase_add_test(tc, test_conformance_txt_records);
	tcase_add_test(tc, test_conformance_policy_bodies);
	suite_add_tcase(s, tc);
	return s;
}
