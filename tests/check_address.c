/*
 * Tests of the address syntax parser (scorer/address.c): own vectors, the
 * edges of every length limit, hostile input, out of memory, and the two
 * published is_email suites in tests/conformance/data, with the
 * differences listed in tests/data/isemail-exceptions.txt.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <jansson.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "address.h"
#include "internal.h"
#include "testutil.h"

Suite *address_suite(void);

/* ---- own vectors ------------------------------------------------------ */

struct valid_case {
	const char *in;
	const char *local;
	const char *domain_utf8;
	const char *domain_ascii;
	int smtputf8, quoted, literal;
};

static const struct valid_case valid_cases[] = {
	{"user@example.com", "user", "example.com", "example.com", 0, 0, 0},
	{"User.Name+tag@Example.COM", "User.Name+tag", "example.com",
	 "example.com", 0, 0, 0},
	{"!#$%&'*+-/=?^_`{|}~@example.org", "!#$%&'*+-/=?^_`{|}~",
	 "example.org", "example.org", 0, 0, 0},
	/* RFC 5321: single-label domains are syntactically fine. */
	{"test@io", "test", "io", "io", 0, 0, 0},
	/* One trailing dot is stripped. */
	{"a@example.com.", "a", "example.com", "example.com", 0, 0, 0},
	{"a@1.2.3.4", "a", "1.2.3.4", "1.2.3.4", 0, 0, 0},
	{"a@c--n.com", "a", "c--n.com", "c--n.com", 0, 0, 0},
	/* R-LDH labels exist in the DNS; no IDNA check for them. */
	{"a@r3---sn-abc.example", "a", "r3---sn-abc.example",
	 "r3---sn-abc.example", 0, 0, 0},
	/* Quoted local parts (RFC 5321 4.1.2). */
	{"\"john doe\"@example.com", "\"john doe\"", "example.com",
	 "example.com", 0, 1, 0},
	{"\"\"@example.com", "\"\"", "example.com", "example.com", 0, 1, 0},
	{"\"a\\\"b\"@example.com", "\"a\\\"b\"", "example.com", "example.com",
	 0, 1, 0},
	{"\"a@b\"@example.com", "\"a@b\"", "example.com", "example.com", 0,
	 1, 0},
	{"\"a\\\\\"@example.com", "\"a\\\\\"", "example.com", "example.com",
	 0, 1, 0},
	{"\"a.(b)\"@example.com", "\"a.(b)\"", "example.com", "example.com",
	 0, 1, 0},
	/* Internationalised (RFC 6531, IDNA 2008). */
	{"user@b\xc3\xbc" "cher.de", "user", "b\xc3\xbc" "cher.de",
	 "xn--bcher-kva.de", 0, 0, 0},
	{"user@B\xc3\x9c" "CHER.DE", "user", "b\xc3\xbc" "cher.de",
	 "xn--bcher-kva.de", 0, 0, 0},
	{"user@XN--BCHER-KVA.de", "user", "b\xc3\xbc" "cher.de",
	 "xn--bcher-kva.de", 0, 0, 0},
	{"user@fa\xc3\x9f.de", "user", "fa\xc3\x9f.de", "xn--fa-hia.de", 0,
	 0, 0},
	/* U+3002 ideographic full stop is a dot under UTS #46. */
	{"user@b\xc3\xbc" "cher\xe3\x80\x82" "de", "user",
	 "b\xc3\xbc" "cher.de", "xn--bcher-kva.de", 0, 0, 0},
	{"\xc3\xb1o\xc3\xb1o@example.com", "\xc3\xb1o\xc3\xb1o",
	 "example.com", "example.com", 1, 0, 0},
	{"\"\xc3\xb1 o\"@example.com", "\"\xc3\xb1 o\"", "example.com",
	 "example.com", 1, 1, 0},
	{"\xe4\xbc\x8a\xe6\x98\xad\xe5\x82\x91@\xe9\x83\xb5\xe4\xbb\xb6."
	 "\xe5\x95\x86\xe5\x8b\x99",
	 "\xe4\xbc\x8a\xe6\x98\xad\xe5\x82\x91",
	 "\xe9\x83\xb5\xe4\xbb\xb6.\xe5\x95\x86\xe5\x8b\x99",
	 "xn--5nqv22n.xn--lhr59c", 1, 0, 0},
	/* Emoji: only through the transitional fallback. */
	{"a@\xf0\x9f\x98\x86.ws", "a", "\xf0\x9f\x98\x86.ws", "xn--k28h.ws", 0,
	 0, 0},
	/* Address literals (RFC 5321 4.1.3). */
	{"a@[192.0.2.1]", "a", "[192.0.2.1]", "[192.0.2.1]", 0, 0, 1},
	{"a@[IPv6:2001:DB8::1]", "a", "[ipv6:2001:db8::1]",
	 "[ipv6:2001:db8::1]", 0, 0, 1},
	{"a@[ipv6:::]", "a", "[ipv6:::]", "[ipv6:::]", 0, 0, 1},
	{"a@[IPv6:1:2:3:4:5:6:7:8]", "a", "[ipv6:1:2:3:4:5:6:7:8]",
	 "[ipv6:1:2:3:4:5:6:7:8]", 0, 0, 1},
	{"a@[IPv6:1:2:3:4::192.0.2.1]", "a", "[ipv6:1:2:3:4::192.0.2.1]",
	 "[ipv6:1:2:3:4::192.0.2.1]", 0, 0, 1},
	{"a@[IPv6:1:2:3:4:5:6:192.0.2.1]", "a",
	 "[ipv6:1:2:3:4:5:6:192.0.2.1]", "[ipv6:1:2:3:4:5:6:192.0.2.1]", 0,
	 0, 1},
};

struct invalid_case {
	const char *in;
	size_t len;         /* 0: strlen(in) */
	const char *reason; /* a part of the expected message */
};

static const struct invalid_case invalid_cases[] = {
	{"", 0, "address is empty"},
	{"test", 0, "missing @"},
	{"test.example.com", 0, "missing @"},
	{"@example.com", 0, "local part is empty"},
	{"test@", 0, "domain is empty"},
	{"test@.", 0, "domain is empty"},
	{".a@example.com", 0, "local part starts with a dot"},
	{"a.@example.com", 0, "local part ends with a dot"},
	{"a..b@example.com", 0, "two dots in a row in the local part at "
	 "position 3"},
	{"a,b@example.com", 0, "invalid character ',' at position 2"},
	{"abcd,@example.com", 0, "invalid character ',' at position 5"},
	{"a\\b@example.com", 0, "invalid character '\\' at position 2"},
	{"a@b@example.com", 0, "second @ at position 4"},
	{"a b@example.com", 0, "space at position 2"},
	{" a@example.com", 0, "space at position 1"},
	{"a@example.com ", 0, "space at position 14"},
	{"(comment)a@example.com", 0, "comment at position 1"},
	{"a(comment)@example.com", 0, "comment at position 2"},
	{"a@(comment)example.com", 0, "comment at position 3"},
	{"a\t@example.com", 0, "tab at position 2"},
	{"a\r\n@example.com", 0, "line break (CR or LF) at position 2"},
	{"a@example.com\n", 0, "line break (CR or LF) at position 14"},
	{"\x07@example.com", 0, "control character 0x07 at position 1"},
	{"a\x7f@example.com", 0, "control character 0x7F at position 2"},
	{"a\xc2\x85@example.com", 0, "control character U+0085 at position 2"},
	/* Invalid UTF-8: lone continuation, overlong, surrogate, truncated,
	 * beyond U+10FFFF. */
	{"a\x80@example.com", 0, "invalid UTF-8 at position 2"},
	{"a\xc0\xaf@example.com", 0, "invalid UTF-8 at position 2"},
	{"a\xed\xa0\x80@example.com", 0, "invalid UTF-8 at position 2"},
	{"a@example.com\xc3", 0, "invalid UTF-8 at position 14"},
	{"a\xf4\x90\x80\x80@example.com", 0, "invalid UTF-8"},
	{"a\xff@example.com", 0, "invalid UTF-8"},
	/* Quoted strings. */
	{"\"abc@example.com", 0, "quoted local part is not closed"},
	{"\"abc\\\"@example.com", 0, "quoted local part is not closed"},
	{"\"a\"b@example.com", 0, "'b' after the quoted string"},
	{"\"a\".b@example.com", 0, "dot after the quoted string"},
	{"a\"b\"@example.com", 0, "invalid character '\"' at position 2"},
	{"\"a\\\xc3\xbc\"@example.com", 0, "invalid quoted pair: U+00FC"},
	{"\"a\"", 0, "missing @"},
	/* Domain names. */
	{"a@example..com", 0, "empty label in domain"},
	{"a@.example.com", 0, "empty label in domain"},
	{"a@example.com..", 0, "empty label in domain"},
	{"a@-example.com", 0, "domain label starts with a hyphen"},
	{"a@example-.com", 0, "domain label ends with a hyphen"},
	{"a@exa_mple.com", 0, "invalid character '_' at position 6"},
	{"a@exa/mple.com", 0, "invalid character '/' at position 6"},
	{"a@ex,ample.com", 0, "invalid character ',' at position 5"},
	{"a@xn--test.com", 0, "invalid internationalised domain name ("},
	{"a@xn--a.com", 0, "invalid internationalised domain name"},
	{"a@ab--c\xc3\xbc.com", 0, "invalid internationalised domain name"},
	/* U+103FF is unassigned: disallowed in both IDNA modes. */
	{"a@\xf0\x90\x8f\xbf.com", 0, "invalid internationalised domain"},
	/* Literals. */
	{"a@[192.0.2.1", 0, "address literal is not closed with ']'"},
	{"a@[192.0.2.1].com", 0, "characters after the address literal"},
	{"a@[192.0.2.1].", 0, "characters after the address literal"},
	{"a@x[192.0.2.1]", 0, "invalid character '['"},
	{"a@[]", 0, "empty address literal"},
	{"a@[192.0.2]", 0, "invalid IPv4 address literal"},
	{"a@[192.0.2.256]", 0, "invalid IPv4 address literal"},
	{"a@[010.0.0.1]", 0, "invalid IPv4 address literal"},
	{"a@[2001:db8::1]", 0, "without the \"IPv6:\" tag"},
	{"a@[IPv6:2001:db8::g]", 0, "invalid IPv6 address literal"},
	{"a@[IPv6:1:2:3:4:5:6:7]", 0, "invalid IPv6 address literal"},
	{"a@[IPv6:1:2:3:4:5:6::8]", 0, "\"::\" for a single group"},
	{"a@[IPv6:1:2:3:4:5::192.0.2.1]", 0, "\"::\" for a single group"},
	{"a@[IPv6:1::2:]", 0, "invalid IPv6 address literal"},
	{"a@[IPv6:1:2:3:4:5:6:7:8:9]", 0, "invalid IPv6 address literal"},
	{"a@[IPv6:0000:0000:0000:0000:0000:0000:0000:0000:0000:0000]", 0,
	 "invalid IPv6 address literal"},
	{"a@[RFC-5322-literal]", 0, "unsupported address literal"},
	{"a@[x:y]", 0, "unsupported address literal"},
	{"a@[1.2.3.4\\]", 0, "unsupported address literal"},
	/* NUL inside: len counts it. */
	{"a\0b@example.com", 15, "NUL byte at position 2"},
	{"a@example.com\0", 14, "NUL byte at position 14"},
	{"\0", 1, "NUL byte at position 1"},
};

static char *
repeat(char c, size_t n)
{
	char *s = malloc(n + 1);

	ck_assert_ptr_nonnull(s);
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

START_TEST(test_valid)
{
	const struct valid_case *c = &valid_cases[_i];
	struct sc_address a;
	char err[128];
	sc_status_t rc;

	rc = sc_address_parse(c->in, strlen(c->in), &a, err, sizeof(err));
	ck_assert_msg(rc == SC_OK, "%s: %d %s", c->in, rc, err);
	ck_assert_str_eq(err, "");
	ck_assert_str_eq(a.local, c->local);
	ck_assert_str_eq(a.domain_utf8, c->domain_utf8);
	ck_assert_str_eq(a.domain_ascii, c->domain_ascii);
	ck_assert_int_eq(a.smtputf8, c->smtputf8);
	ck_assert_int_eq(a.quoted, c->quoted);
	ck_assert_int_eq(a.literal, c->literal);
	sc_address_clear(&a);
	ck_assert_ptr_null(a.local);
	sc_address_clear(&a); /* twice is harmless */
}
END_TEST

START_TEST(test_invalid)
{
	const struct invalid_case *c = &invalid_cases[_i];
	size_t len = c->len ? c->len : strlen(c->in);
	struct sc_address a;
	char err[160];
	sc_status_t rc;

	rc = sc_address_parse(c->in, len, &a, err, sizeof(err));
	ck_assert_msg(rc == SC_EINVAL, "case %d: accepted (%d)", _i, rc);
	ck_assert_msg(strstr(err, c->reason) != NULL,
	              "case %d: \"%s\" lacks \"%s\"", _i, err, c->reason);
	ck_assert_ptr_null(strchr(err, '\n'));
	ck_assert_ptr_null(a.local);
	ck_assert_ptr_null(a.domain_utf8);
	ck_assert_ptr_null(a.domain_ascii);
}
END_TEST

/* Build local@domain with the given lengths, domain made of labels of at
 * most `label` octets. */
static char *
make_address(size_t local, size_t domain, size_t label)
{
	char *s = malloc(local + 1 + domain + 1);
	size_t i, n = 0;

	ck_assert_ptr_nonnull(s);
	memset(s, 'l', local);
	s[local] = '@';
	for (i = 0; i < domain; i++) {
		/* a dot after every `label` octets, never first or last */
		if (n == label && i + 1 < domain) {
			s[local + 1 + i] = '.';
			n = 0;
		} else {
			s[local + 1 + i] = 'd';
			n++;
		}
	}
	s[local + 1 + domain] = '\0';
	return s;
}

static sc_status_t
parse_str(const char *s, char *err, size_t errlen)
{
	struct sc_address a;
	sc_status_t rc = sc_address_parse(s, strlen(s), &a, err, errlen);

	sc_address_clear(&a);
	return rc;
}

START_TEST(test_limits)
{
	char err[160], *s;

	/* RFC 5321 4.5.3.1.1: 64 octets of local part. */
	s = make_address(64, 11, 63);
	ck_assert_int_eq(parse_str(s, err, sizeof(err)), SC_OK);
	free(s);
	s = make_address(65, 11, 63);
	ck_assert_int_eq(parse_str(s, err, sizeof(err)), SC_EINVAL);
	ck_assert_str_eq(err, "local part is longer than 64 octets (65)");
	free(s);
	s = make_address(70, 11, 63);
	ck_assert_int_eq(parse_str(s, err, sizeof(err)), SC_EINVAL);
	ck_assert_str_eq(err, "local part is longer than 64 octets (70)");
	free(s);
	/* ... counted in octets, quotes included: 62 + 2 = 64. */
	s = make_address(64, 11, 63);
	s[0] = '"';
	s[63] = '"';
	ck_assert_int_eq(parse_str(s, err, sizeof(err)), SC_OK);
	free(s);
	/* 32 two-octet characters: 64 octets, 65 with one more. */
	{
		char buf[128] = "";
		int i;

		for (i = 0; i < 32; i++)
			strcat(buf, "\xc3\xb1");
		strcat(buf, "@x.org");
		ck_assert_int_eq(parse_str(buf, err, sizeof(err)), SC_OK);
		memmove(buf + 1, buf, strlen(buf) + 1);
		buf[0] = 'a';
		ck_assert_int_eq(parse_str(buf, err, sizeof(err)), SC_EINVAL);
		ck_assert_str_eq(err, "local part is longer than 64 octets "
		                 "(65)");
	}

	/* Labels: 63 octets, not 64. */
	s = make_address(1, 63, 63);
	ck_assert_int_eq(parse_str(s, err, sizeof(err)), SC_OK);
	free(s);
	s = make_address(1, 64, 64);
	ck_assert_int_eq(parse_str(s, err, sizeof(err)), SC_EINVAL);
	ck_assert_str_eq(err, "domain label longer than 63 octets (64)");
	free(s);

	/* Domain: 253 octets, not 254; with even a one-octet local part
	 * 253 is over the total, so the total limit speaks first. */
	s = make_address(1, 253, 63);
	ck_assert_int_eq(parse_str(s, err, sizeof(err)), SC_EINVAL);
	ck_assert_str_eq(err, "address is longer than 254 octets (255)");
	free(s);
	s = make_address(1, 254, 63);
	ck_assert_int_eq(parse_str(s, err, sizeof(err)), SC_EINVAL);
	ck_assert_str_eq(err, "domain is longer than 253 octets (254)");
	free(s);

	/* RFC 5321 4.5.3.1.3: 254 octets in all, not 255. */
	s = make_address(64, 189, 63);
	ck_assert_int_eq(strlen(s), 254);
	ck_assert_int_eq(parse_str(s, err, sizeof(err)), SC_OK);
	free(s);
	s = make_address(64, 190, 63);
	ck_assert_int_eq(parse_str(s, err, sizeof(err)), SC_EINVAL);
	ck_assert_str_eq(err, "address is longer than 254 octets (255)");
	free(s);
	/* A trailing dot is not counted. */
	s = make_address(64, 190, 63);
	s[254] = '.';
	ck_assert_int_eq(parse_str(s, err, sizeof(err)), SC_OK);
	free(s);

	/* In A-label form: 21 x U+00FC is 42 octets as UTF-8 but the
	 * A-label is 4 + 21 + 1 + ... octets; and 60 of them make an
	 * A-label longer than 63. */
	{
		char buf[256] = "a@";
		int i;

		for (i = 0; i < 60; i++)
			strcat(buf, "\xc3\xbc");
		strcat(buf, ".de");
		ck_assert_int_eq(parse_str(buf, err, sizeof(err)), SC_EINVAL);
		ck_assert_msg(strstr(err, "invalid internationalised") ||
		              strstr(err, "in A-label form"), "%s", err);
	}
}
END_TEST

START_TEST(test_arguments)
{
	struct sc_address a;
	char err[64], tiny[8];

	ck_assert_int_eq(sc_address_parse("a@b", 3, NULL, err, sizeof(err)),
	                 SC_EINVAL);
	ck_assert_str_eq(err, "no result structure given");
	ck_assert_int_eq(sc_address_parse(NULL, 3, &a, err, sizeof(err)),
	                 SC_EINVAL);
	ck_assert_str_eq(err, "no address given");
	ck_assert_ptr_null(a.local);
	ck_assert_int_eq(sc_address_parse(NULL, 0, &a, err, sizeof(err)),
	                 SC_EINVAL);
	ck_assert_str_eq(err, "address is empty");
	/* No room for a reason: still a status. */
	ck_assert_int_eq(sc_address_parse("a b@c", 5, &a, NULL, 0),
	                 SC_EINVAL);
	ck_assert_int_eq(sc_address_parse("a b@c", 5, &a, err, 0), SC_EINVAL);
	/* A short buffer is truncated and terminated. */
	memset(tiny, 'x', sizeof(tiny));
	ck_assert_int_eq(sc_address_parse("a b@c", 5, &a, tiny, sizeof(tiny)),
	                 SC_EINVAL);
	ck_assert_str_eq(tiny, "space a");
	/* len is honoured: no read past it, no NUL needed. */
	ck_assert_int_eq(sc_address_parse("a@b.cXXXX", 5, &a, err, sizeof(err)),
	                 SC_OK);
	ck_assert_str_eq(a.domain_ascii, "b.c");
	sc_address_clear(&a);
	sc_address_clear(NULL);
}
END_TEST

/* Hostile input: big, all one character, or just under the input cap.
 * Each must be refused quickly (the Check timeout catches a slow one). */
START_TEST(test_hostile)
{
	static const char fill[] = {'@', 'a', '.', '"', '\\', '[', '\xc3'};
	const size_t sizes[] = {1u << 20, 2048, 2049, 1000};
	char err[160];
	size_t i, j;

	for (i = 0; i < SC_ARRAY_LEN(fill); i++) {
		for (j = 0; j < SC_ARRAY_LEN(sizes); j++) {
			char *s = repeat(fill[i], sizes[j]);
			struct sc_address a;

			ck_assert_int_eq(sc_address_parse(s, sizes[j], &a, err,
			                                  sizeof(err)),
			                 SC_EINVAL);
			ck_assert_ptr_null(a.local);
			free(s);
		}
	}
	{
		/* 1 MB local part, 1 MB domain, 1 MB of labels. */
		char *s = repeat('a', 1u << 20);

		s[1u << 19] = '@';
		ck_assert_int_eq(parse_str(s, err, sizeof(err)), SC_EINVAL);
		ck_assert_str_eq(err, "address is far too long (1048576 "
		                 "octets; at most 254)");
		free(s);
	}
	{
		/* Just under the cap: the full scan runs. */
		char *s = repeat('a', 2048);

		s[2000] = '@';
		ck_assert_int_eq(parse_str(s, err, sizeof(err)), SC_EINVAL);
		ck_assert_str_eq(err, "local part is longer than 64 octets "
		                 "(2000)");
		s[2000] = 'a';
		s[3] = '@';
		for (i = 5; i < 2048; i += 2)
			s[i] = '.';
		ck_assert_int_eq(parse_str(s, err, sizeof(err)), SC_EINVAL);
		ck_assert_str_eq(err, "domain is longer than 253 octets (2043)");
		for (i = 5; i < 2048; i += 2)
			s[i] = '\xc3';
		ck_assert_int_eq(parse_str(s, err, sizeof(err)), SC_EINVAL);
		free(s);
	}
}
END_TEST

/*
 * Out of memory: fail the 1st, 2nd, ... allocation until the parse gets
 * through.  Each failure must be SC_ENOMEM with *out empty; LeakSanitizer
 * catches anything left behind.
 */
static const char *const oom_inputs[] = {
	"user@example.com",
	"\"quoted user\"@example.com",
	("user@b\xc3\xbc" "cher.de"),
	"user@xn--bcher-kva.de",
	"\xc3\xb1@\xe9\x83\xb5\xe4\xbb\xb6.\xe5\x95\x86\xe5\x8b\x99",
	"user@[IPv6:2001:db8::1]",
};

START_TEST(test_oom)
{
	const char *in = oom_inputs[_i];
	struct sc_address a;
	char err[160];
	unsigned long n;
	sc_status_t rc = SC_ENOMEM;

	for (n = 1; n < 100 && rc != SC_OK; n++) {
		sc_alloc_fail_at(n);
		rc = sc_address_parse(in, strlen(in), &a, err, sizeof(err));
		ck_assert_msg(rc == SC_OK || rc == SC_ENOMEM, "n=%lu: %d %s",
		              n, rc, err);
		if (rc == SC_ENOMEM) {
			ck_assert_ptr_null(a.local);
			ck_assert_ptr_null(a.domain_utf8);
			ck_assert_ptr_null(a.domain_ascii);
		}
		sc_address_clear(&a);
	}
	sc_alloc_fail_at(0);
	ck_assert_int_eq(rc, SC_OK);
	/* Each of the allocations was made to fail once. */
	ck_assert_uint_ge(n, 3);
}
END_TEST

/* ---- conformance ------------------------------------------------------ */

/*
 * tests/data/isemail-exceptions.txt: "<suite> <id>[,<id>...]: <reason>".
 * Every case where our verdict differs from the suite must be listed, and
 * every listed case must still differ.
 */
struct exception {
	char suite[32];
	long id;
	int seen;
};

struct exceptions {
	struct exception *e;
	size_t n;
};

static void
exceptions_load(struct exceptions *x)
{
	char path[1024], line[1024];
	FILE *f;
	size_t lineno = 0;

	x->e = NULL;
	x->n = 0;
	snprintf(path, sizeof(path), "%s/isemail-exceptions.txt",
	         test_data_dir());
	f = fopen(path, "r");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	while (fgets(line, sizeof(line), f) != NULL) {
		char suite[32], *ids, *colon, *tok;
		int off = 0;

		lineno++;
		if (line[0] == '#' || line[strspn(line, " \t\r\n")] == '\0')
			continue;
		colon = strchr(line, ':');
		ck_assert_msg(colon != NULL && sscanf(line, "%31s %n", suite,
		                                      &off) == 1 && off > 0,
		              "%s:%zu: expected \"suite ids: reason\"", path,
		              lineno);
		ck_assert_msg(colon[1 + strspn(colon + 1, " \t\r\n")] != '\0',
		              "%s:%zu: no reason given", path, lineno);
		*colon = '\0';
		ids = line + off;
		for (tok = strtok(ids, ", \t"); tok != NULL;
		     tok = strtok(NULL, ", \t")) {
			char *end;
			long id = strtol(tok, &end, 10);

			ck_assert_msg(*end == '\0' && end != tok,
			              "%s:%zu: bad id \"%s\"", path, lineno, tok);
			x->e = realloc(x->e, (x->n + 1) * sizeof(*x->e));
			ck_assert_ptr_nonnull(x->e);
			snprintf(x->e[x->n].suite, sizeof(x->e[x->n].suite),
			         "%s", suite);
			x->e[x->n].id = id;
			x->e[x->n].seen = 0;
			x->n++;
		}
	}
	fclose(f);
}

static struct exception *
exceptions_find(struct exceptions *x, const char *suite, long id)
{
	size_t i;

	for (i = 0; i < x->n; i++)
		if (x->e[i].id == id && strcmp(x->e[i].suite, suite) == 0)
			return &x->e[i];
	return NULL;
}

/* Print s[0..n) with control and non-ASCII bytes escaped. */
static void
print_escaped(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c >= 0x7F || c == '\\')
			fprintf(stderr, "\\x%02x", c);
		else
			fputc(c, stderr);
	}
}

/*
 * Run one case; returns 1 if something is wrong with it (an unlisted
 * difference or a listed case that now agrees).
 */
static int
check_case(struct exceptions *x, const char *suite, long id, const char *in,
           size_t len, int want_valid, const char *expected, size_t *agree,
           size_t *differ)
{
	struct sc_address a;
	char err[160];
	struct exception *e = exceptions_find(x, suite, id);
	sc_status_t rc = sc_address_parse(in, len, &a, err, sizeof(err));
	int got_valid = rc == SC_OK;

	sc_address_clear(&a);
	if (rc != SC_OK && rc != SC_EINVAL) {
		fprintf(stderr, "%s %ld: status %d\n", suite, id, rc);
		return 1;
	}
	if (e != NULL)
		e->seen = 1;
	if (got_valid == want_valid) {
		(*agree)++;
		if (e == NULL)
			return 0;
		fprintf(stderr, "%s %ld: listed as an exception but agrees "
		        "now; remove it from the list\n", suite, id);
		return 1;
	}
	(*differ)++;
	if (e != NULL)
		return 0;
	fprintf(stderr, "%s %ld: \"", suite, id);
	print_escaped(in, len);
	fprintf(stderr, "\" is %s (%s), we say %s%s\n",
	        want_valid ? "valid" : "invalid", expected,
	        got_valid ? "valid" : "invalid: ", got_valid ? "" : err);
	return 1;
}

/* Listed ids that the suite does not have are stale too. */
static int
check_unseen(struct exceptions *x, const char *suite)
{
	size_t i;
	int bad = 0;

	for (i = 0; i < x->n; i++) {
		if (strcmp(x->e[i].suite, suite) == 0 && !x->e[i].seen) {
			fprintf(stderr, "%s %ld: listed, but no such case\n",
			        suite, x->e[i].id);
			bad = 1;
		}
	}
	return bad;
}

static char *
read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	ck_assert_msg(f != NULL, "cannot open %s", path);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	ck_assert_int_ge(n, 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static int
hex4(const char *s, unsigned *v)
{
	char tmp[5], *end;

	memcpy(tmp, s, 4);
	tmp[4] = '\0';
	*v = (unsigned)strtoul(tmp, &end, 16);
	return end == tmp + 4;
}

/*
 * The four lone UTF-16 surrogates (\ud800) of tests.json make jansson
 * refuse the whole file, and UTF-8 cannot hold them.  Turn each into
 * \uffff, a code point the file does not otherwise use, and after decoding
 * into ED A0 80: the bytes a careless encoder emits for U+D800 (CESU-8).
 * That keeps the cases "malformed input", as SOURCE.md asks.
 */
static void
mark_lone_surrogates(char *s, size_t len)
{
	size_t i;
	unsigned v, w;

	for (i = 0; i + 1 < len; i++) {
		if (s[i] != '\\')
			continue;
		if (s[i + 1] != 'u' || i + 6 > len || !hex4(s + i + 2, &v)) {
			i++; /* skip the escaped character */
			continue;
		}
		if (v >= 0xD800 && v <= 0xDBFF && i + 12 <= len &&
		    s[i + 6] == '\\' && s[i + 7] == 'u' &&
		    hex4(s + i + 8, &w) && w >= 0xDC00 && w <= 0xDFFF) {
			i += 11; /* a proper pair */
			continue;
		}
		if (v >= 0xD800 && v <= 0xDFFF)
			memcpy(s + i + 2, "ffff", 4);
		i += 5;
	}
}

static char *
unmark_lone_surrogates(const char *s, size_t len)
{
	char *d = malloc(len + 1);
	size_t i;

	ck_assert_ptr_nonnull(d);
	memcpy(d, s, len);
	d[len] = '\0';
	for (i = 0; i + 2 < len; i++)
		if (memcmp(d + i, "\xef\xbf\xbf", 3) == 0)
			memcpy(d + i, "\xed\xa0\x80", 3);
	return d;
}

/*
 * hapi diagnoses are camelCase ISEMAIL_* names; the prefix is the
 * category.  Valid for a recovery address: "valid", the rfc5321* warnings
 * (quoted strings, address literals, numeric TLDs) and dnsWarn* (left to
 * the DNS checks).  Not: cfws*, deprecated*, rfc5322*, err*.
 */
static int
hapi_valid(const char *d)
{
	return strcmp(d, "valid") == 0 || strncmp(d, "rfc5321", 7) == 0 ||
	       strncmp(d, "dnsWarn", 7) == 0;
}

START_TEST(test_conformance_hapi)
{
	struct exceptions x;
	char path[1024], *text;
	size_t len, i, agree = 0, differ = 0;
	json_t *root;
	json_error_t jerr;
	int bad = 0;

	exceptions_load(&x);
	snprintf(path, sizeof(path), "%s/isemail-hapi/tests.json",
	         test_conformance_dir());
	text = read_file(path, &len);
	ck_assert_ptr_null(strstr(text, "\xef\xbf\xbf"));
	mark_lone_surrogates(text, len);
	root = json_loadb(text, len, JSON_ALLOW_NUL, &jerr);
	ck_assert_msg(root != NULL, "%s:%d: %s", path, jerr.line, jerr.text);
	ck_assert(json_is_array(root));
	for (i = 0; i < json_array_size(root); i++) {
		json_t *c = json_array_get(root, i);
		json_t *addr = json_array_get(c, 0);
		const char *diag = json_string_value(json_array_get(c, 1));
		char *in;

		ck_assert(json_is_string(addr) && diag != NULL);
		in = unmark_lone_surrogates(json_string_value(addr),
		                            json_string_length(addr));
		bad |= check_case(&x, "isemail-hapi", (long)i, in,
		                  json_string_length(addr), hapi_valid(diag),
		                  diag, &agree, &differ);
		free(in);
	}
	bad |= check_unseen(&x, "isemail-hapi");
	fprintf(stderr, "isemail-hapi: %zu agree, %zu differ (listed)\n",
	        agree, differ);
	ck_assert_uint_eq(agree + differ, 210);
	json_decref(root);
	free(text);
	free(x.e);
	ck_assert_msg(!bad, "isemail-hapi: see the cases above");
}
END_TEST

/*
 * Control characters are written as U+2400 + code (SOURCE.md): map
 * E2 90 80..E2 90 9F back to 0x00..0x1F.  Returns a malloc'd copy.
 */
static char *
unpicture(const char *s, size_t *len)
{
	size_t n = strlen(s), i, j = 0;
	char *d = malloc(n + 1);

	ck_assert_ptr_nonnull(d);
	for (i = 0; i < n; i++) {
		const unsigned char *u = (const unsigned char *)s + i;

		if (i + 2 < n && u[0] == 0xE2 && u[1] == 0x90 && u[2] <= 0x9F) {
			d[j++] = (char)(u[2] - 0x80);
			i += 2;
		} else {
			d[j++] = s[i];
		}
	}
	d[j] = '\0';
	*len = j;
	return d;
}

static char *
child_text(xmlNode *test, const char *name)
{
	xmlNode *n;

	for (n = test->children; n != NULL; n = n->next)
		if (n->type == XML_ELEMENT_NODE &&
		    xmlStrcmp(n->name, (const xmlChar *)name) == 0)
			return (char *)xmlNodeGetContent(n);
	return NULL;
}

/*
 * Categories of meta.xml.  Valid for a recovery address:
 * ISEMAIL_VALID_CATEGORY, ISEMAIL_DNSWARN (left to the DNS checks) and
 * ISEMAIL_RFC5321 (valid SMTP with unusual parts).  Not: ISEMAIL_CFWS,
 * ISEMAIL_DEPREC, ISEMAIL_RFC5322, ISEMAIL_ERR.
 */
static int
sayers_valid(const char *cat)
{
	return strcmp(cat, "ISEMAIL_VALID_CATEGORY") == 0 ||
	       strcmp(cat, "ISEMAIL_DNSWARN") == 0 ||
	       strcmp(cat, "ISEMAIL_RFC5321") == 0;
}

START_TEST(test_conformance_sayers)
{
	struct exceptions x;
	char path[1024];
	size_t agree = 0, differ = 0;
	xmlDoc *doc;
	xmlNode *t;
	int bad = 0;

	exceptions_load(&x);
	snprintf(path, sizeof(path), "%s/isemail-dominicsayers/tests.xml",
	         test_conformance_dir());
	doc = xmlReadFile(path, NULL, XML_PARSE_NONET);
	ck_assert_msg(doc != NULL, "cannot parse %s", path);
	for (t = xmlDocGetRootElement(doc)->children; t != NULL; t = t->next) {
		char *id, *addr, *cat, *in;
		size_t len;

		if (t->type != XML_ELEMENT_NODE ||
		    xmlStrcmp(t->name, (const xmlChar *)"test") != 0)
			continue;
		id = (char *)xmlGetProp(t, (const xmlChar *)"id");
		addr = child_text(t, "address");
		cat = child_text(t, "category");
		ck_assert(id != NULL && addr != NULL && cat != NULL);
		in = unpicture(addr, &len);
		bad |= check_case(&x, "isemail-dominicsayers", atol(id), in,
		                  len, sayers_valid(cat), cat, &agree,
		                  &differ);
		free(in);
		xmlFree(id);
		xmlFree(addr);
		xmlFree(cat);
	}
	bad |= check_unseen(&x, "isemail-dominicsayers");
	fprintf(stderr, "isemail-dominicsayers: %zu agree, %zu differ "
	        "(listed)\n", agree, differ);
	ck_assert_uint_eq(agree + differ, 164);
	xmlFreeDoc(doc);
	free(x.e);
	ck_assert_msg(!bad, "isemail-dominicsayers: see the cases above");
}
END_TEST

Suite *address_suite(void)
{
	Suite *s = suite_create("address");
	TCase *tc = tcase_create("vectors");
	TCase *conf = tcase_create("conformance");

	tcase_add_loop_test(tc, test_valid, 0, SC_ARRAY_LEN(valid_cases));
	tcase_add_loop_test(tc, test_invalid, 0, SC_ARRAY_LEN(invalid_cases));
	tcase_add_test(tc, test_limits);
	tcase_add_test(tc, test_arguments);
	tcase_add_test(tc, test_hostile);
	tcase_add_loop_test(tc, test_oom, 0, SC_ARRAY_LEN(oom_inputs));
	suite_add_tcase(s, tc);
	tcase_add_test(conf, test_conformance_hapi);
	tcase_add_test(conf, test_conformance_sayers);
	suite_add_tcase(s, conf);
	return s;
}
