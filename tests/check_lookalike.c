/*
 * Lookalike detection against the shipped rules/providers.txt: what is
 * flagged and why, what must not be (providers, their subdomains, ordinary
 * domains), and hostile input.
 */
#include <stdio.h>
#include <string.h>

#include <check.h>

#include "domainset.h"
#include "internal.h"
#include "lookalike.h"
#include "testutil.h"

static struct sc_domainset *providers;
static struct sc_lookalike *la;

static void
setup(void)
{
	char path[4096], err[512];

	snprintf(path, sizeof(path), "%s/providers.txt", test_rules_dir());
	ck_assert_int_eq(sc_domainset_load(path, &providers, err, sizeof(err)),
	                 SC_OK);
	ck_assert_int_eq(sc_lookalike_new(providers, &la), SC_OK);
}

static void
teardown(void)
{
	sc_lookalike_free(la);
	la = NULL;
	sc_domainset_free(providers);
	providers = NULL;
}

static const struct flagged {
	const char *domain;
	const char *provider;
	const char *why;
} flagged[] = {
	/* typos: Damerau-Levenshtein distance 1, same suffix */
	{ "gmial.com", "gmail.com", "one letter swapped" },
	{ "gmai.com", "gmail.com", "one letter missing" },
	{ "gmaill.com", "gmail.com", "one letter added" },
	{ "gnail.com", "gmail.com", "one letter changed" },
	{ "hotmial.com", "hotmail.com", "one letter swapped" },
	{ "outlok.com", "outlook.com", "one letter missing" },
	{ "yahooo.com", "yahoo.com", "one letter added" },
	{ "yaho.co.uk", "yahoo.co.uk", "one letter missing" },
	{ "hotmail.co.uk.", "", "" }, /* a provider: see below */
	{ "hotmaill.co.uk", "hotmail.co.uk", "one letter added" },
	{ "iclod.com", "icloud.com", "one letter missing" },
	{ "protonmial.com", "protonmail.com", "one letter swapped" },
	{ "g-mail.com", "gmail.com", "one letter added" },
	/* a subdomain of a lookalike is one too */
	{ "mx.gmial.com", "gmail.com", "one letter swapped" },
	/* other top-level domain, big global brands only */
	{ "gmail.co", "gmail.com", "other top-level domain" },
	{ "gmail.cm", "gmail.com", "other top-level domain" },
	{ "gmail.con", "gmail.com", "other top-level domain" },
	{ "gmail.om", "gmail.com", "other top-level domain" },
	{ "gmail.com.br", "gmail.com", "other top-level domain" },
	{ "gmail.de", "gmail.com", "other top-level domain" },
	{ "hotmail.co", "hotmail.com", "other top-level domain" },
	{ "outlook.con", "outlook.com", "other top-level domain" },
	{ "outlook.cm", "outlook.com", "other top-level domain" },
	{ "yahoo.cm", "yahoo.com", "other top-level domain" },
	{ "icloud.co", "icloud.com", "other top-level domain" },
	{ "googlemail.de", "googlemail.com", "other top-level domain" },
	{ "protonmail.me", "protonmail.com", "other top-level domain" },
	/* visual confusables */
	{ "rnail.ru", "mail.ru", "looks alike: rn for m" },
	{ "grnail.com", "gmail.com", "looks alike: rn for m" },
	{ "gmail.corn", "gmail.com", "looks alike: rn for m" },
	{ "gmai1.com", "gmail.com", "looks alike: 1 for l" },
	{ "gma1l.com", "gmail.com", "looks alike: 1 for i" },
	{ "0utlook.com", "outlook.com", "looks alike: 0 for o" },
	{ "outl00k.com", "outlook.com", "looks alike: 0 for o" },
	{ "yah00.com", "yahoo.com", "looks alike: 0 for o" },
	{ "gmaii.com", "gmail.com", "looks alike: i for l" },
	{ "lcloud.com", "icloud.com", "looks alike: l for i" },
	{ "hotrnail.com", "hotmail.com", "looks alike: rn for m" },
	{ "vvanadoo.fr", "wanadoo.fr", "looks alike: vv for w" },
	{ "ic1oud.com", "icloud.com", "looks alike: 1 for l" },
	{ "GMAI1.COM.", "gmail.com", "looks alike: 1 for l" },
	/* IDN homographs (the U-label in the comment) */
	{ "xn--gmil-63d.com", "gmail.com", "homograph: Cyrillic letters" },
	/* gmаil.com, Cyrillic a */
	{ "xn--gmal-n9d.com", "gmail.com", "homograph: Cyrillic letters" },
	/* gmaіl.com, Cyrillic i */
	{ "xn--yhoo-53d.com", "yahoo.com", "homograph: Cyrillic letters" },
	/* yаhoo.com */
	{ "xn--lud-sedn9j.com", "icloud.com", "homograph: Cyrillic letters" },
	/* ісlоud.com, three Cyrillic letters */
	{ "xn--mil-6cd.ru", "mail.ru", "homograph: Cyrillic letters" },
	/* mаil.ru */
	{ "xn--utlook-h0e.com", "outlook.com", "homograph: Greek letters" },
	/* οutlook.com, Greek omicron */
	{ "xn--gmil-6na.com", "gmail.com",
	  "homograph: accented or foreign letters" },
	/* gmáil.com */
	{ "xn--gmal-nza.net", "gmail.com",
	  "homograph: accented or foreign letters" },
	/* gmaıl.net, dotless i and another suffix: seen in the wild */
	{ "xn--gmil-63d.co", "gmail.com", "homograph: Cyrillic letters" },
	/* gmаil.co */
	{ "xn--gmi-7cd.com", "gmail.com", "homograph: Cyrillic letters" },
	/* gmаi.com: homograph and typo */
};

START_TEST(test_flagged)
{
	const struct flagged *f = &flagged[_i];
	char provider[256], why[128];
	int got;

	got = sc_lookalike_match(la, f->domain, provider,
	                         sizeof(provider), why, sizeof(why));
	if (f->provider[0] == '\0') {
		ck_assert_msg(got == 0, "%s flagged: %s (%s)", f->domain,
		              provider, why);
		return;
	}
	ck_assert_msg(got == 1, "%s not flagged", f->domain);
	ck_assert_str_eq(provider, f->provider);
	ck_assert_str_eq(why, f->why);
}
END_TEST

static void
check_not_flagged(const char *domain)
{
	char provider[256], why[128];

	ck_assert_msg(sc_lookalike_match(la, domain, provider,
	                                 sizeof(provider), why,
	                                 sizeof(why)) == 0,
	              "%s flagged as %s (%s)", domain, provider, why);
	ck_assert_str_eq(provider, "");
	ck_assert_str_eq(why, "");
}

static void
provider_cb(const char *name, void *arg)
{
	char sub[300];

	(void)arg;
	check_not_flagged(name);
	snprintf(sub, sizeof(sub), "mx.%s", name);
	check_not_flagged(sub);
	snprintf(sub, sizeof(sub), "a.b.c.%s.", name);
	check_not_flagged(sub);
}

START_TEST(test_providers_not_flagged)
{
	sc_domainset_foreach(providers, provider_cb, NULL);
	check_not_flagged("GMAIL.COM");
	check_not_flagged("smtp.mail.yahoo.com");
}
END_TEST

/* Real domains people use, some a short edit away from a provider. */
static const char *const ordinary[] = {
	"gmx.at", "gmx.org", "mail.com", "email.com", "hotmail.co.uk",
	"yahoo.co.jp", "outlook.jp", "example.com", "example.org",
	"github.com", "gitlab.com", "google.com", "mail.google.com",
	"microsoft.com", "office365.com", "apple.com", "proton.ch",
	"protonvpn.com", "posteo.de", "mailbox.org", "mailfence.com",
	"debian.org", "kernel.org", "mozilla.org", "wikipedia.org",
	"ietf.org", "amazon.com", "amazon.de", "ebay.com", "paypal.com",
	"facebook.com", "netflix.com", "cloudflare.com", "nytimes.com",
	"bbc.co.uk", "gov.uk", "spiegel.de", "heise.de", "lemonde.fr",
	"corriere.it", "uni-heidelberg.de", "mit.edu", "harvard.edu",
	"ox.ac.uk", "uw.edu.pl", "yandex.net", "yahoo-inc.com",
	"mail.ch", "web.com", "live.nl", "msn.co.jp", "aol.de",
	"mall.ru", "gmxnet.de", "naver.jp", "daum.com", "orange.com",
	"laposte.fr", "free.com", "xn--mller-kva.de", "xn--80a1acny.xn--p1ai",
	"xn--bcher-kva.de", "gmailer.example", "my-gmail-archive.org",
	"cloud.com", "www.cloud.com",
	"gmail.com.evil.example", "hotmail.example.net",
};

START_TEST(test_ordinary_not_flagged)
{
	check_not_flagged(ordinary[_i]);
}
END_TEST

START_TEST(test_hostile)
{
	char big[1200], provider[8], why[8];
	size_t i;

	check_not_flagged("");
	check_not_flagged(".");
	check_not_flagged("..");
	check_not_flagged("com");
	check_not_flagged("co.uk");
	check_not_flagged(".gmail.com");
	check_not_flagged("gmail..com");
	check_not_flagged("gm\xc3\xa1il.com");
	check_not_flagged("\xff\xfe\x80");
	check_not_flagged("gmail.com\xff");
	check_not_flagged("xn--");
	check_not_flagged("xn--.com");
	check_not_flagged("xn--zzzzzzzzzzzzzzzzzzzz.com");
	check_not_flagged("xn--gmail-.com");
	check_not_flagged("xn--80a1acny.com");
	check_not_flagged("gm ail.com");

	/* 300 characters, one label and many */
	memset(big, 'a', 300);
	big[300] = '\0';
	check_not_flagged(big);
	for (i = 1; i < 300; i += 2)
		big[i] = '.';
	check_not_flagged(big);
	/* 100 labels, 199 bytes: valid, and not a lookalike */
	big[199] = '\0';
	check_not_flagged(big);
	/* 100 labels ending in a typo: still found */
	memcpy(big + 190, "gmial.com", 10);
	ck_assert_int_eq(sc_lookalike_match(la, big, NULL, 0, NULL, 0),
	                 1);
	/* 1000 bytes ending in a typo: too long to be a name */
	memset(big, 'a', 1000);
	memcpy(big + 1000, ".gmial.com", 11);
	check_not_flagged(big);

	/* Too small buffers are cut, not overrun. */
	ck_assert_int_eq(sc_lookalike_match(la, "gmial.com", provider,
	                                    sizeof(provider), why,
	                                    sizeof(why)),
	                 1);
	ck_assert_str_eq(provider, "gmail.c");
	ck_assert_str_eq(why, "one let");
	ck_assert_int_eq(sc_lookalike_match(la, "gmial.com", provider,
	                                    1, why, 1),
	                 1);
	ck_assert_str_eq(provider, "");

	ck_assert_int_eq(sc_lookalike_match(NULL, "gmial.com", provider,
	                                    sizeof(provider), why,
	                                    sizeof(why)),
	                 0);
	ck_assert_int_eq(sc_lookalike_match(la, NULL, provider,
	                                    sizeof(provider), why,
	                                    sizeof(why)),
	                 0);
}
END_TEST

/* Ties go to the first provider in byte order, whatever the table's
 * order; brands are only reported when their home domain is listed. */
START_TEST(test_order_independent)
{
	struct sc_domainset *small = NULL;
	struct sc_lookalike *small_la = NULL;
	char provider[256], why[128];

	ck_assert_int_eq(sc_domainset_new(&small), SC_OK);
	ck_assert_int_eq(sc_domainset_add(small, "mail.com"), SC_OK);
	ck_assert_int_eq(sc_domainset_add(small, "gmail.com"), SC_OK);
	ck_assert_int_eq(sc_domainset_add(small, "email.com"), SC_OK);
	ck_assert_int_eq(sc_domainset_add(small, "ymail.com"), SC_OK);
	ck_assert_int_eq(sc_lookalike_new(small, &small_la), SC_OK);
	/* kmail.com: one letter from gmail, email and ymail alike */
	ck_assert_int_eq(sc_lookalike_match(small_la, "kmail.com", provider,
	                                    sizeof(provider), why,
	                                    sizeof(why)),
	                 1);
	ck_assert_str_eq(provider, "email.com");
	ck_assert_str_eq(why, "one letter changed");
	/* gmail.co imitates gmail.com when that is a provider ... */
	ck_assert_int_eq(sc_lookalike_match(small_la, "gmail.co", provider,
	                                    sizeof(provider), why,
	                                    sizeof(why)),
	                 1);
	sc_lookalike_free(small_la);
	sc_domainset_free(small);
	/* ... and nothing when it is not. */
	ck_assert_int_eq(sc_domainset_new(&small), SC_OK);
	ck_assert_int_eq(sc_domainset_add(small, "ymail.com"), SC_OK);
	ck_assert_int_eq(sc_lookalike_new(small, &small_la), SC_OK);
	ck_assert_int_eq(sc_lookalike_match(small_la, "gmail.co", provider,
	                                    sizeof(provider), why,
	                                    sizeof(why)),
	                 0);
	sc_lookalike_free(small_la);
	sc_domainset_free(small);
}
END_TEST

/* Out of memory anywhere while preparing the list: SC_ENOMEM and nothing
 * leaked (the sanitizer and valgrind runs see leaks); then it works. */
START_TEST(test_prepare_out_of_memory)
{
	struct sc_lookalike *x = NULL;
	unsigned long n;
	char provider[256], why[128];

	for (n = 1; n < 20; n++) {
		sc_alloc_fail_at(n);
		if (sc_lookalike_new(providers, &x) == SC_OK)
			break;
		ck_assert_ptr_null(x);
	}
	sc_alloc_fail_at(0);
	ck_assert_uint_gt(n, 2);    /* the walk met failures before success */
	ck_assert_ptr_nonnull(x);
	ck_assert_int_eq(sc_lookalike_match(x, "gmial.com", provider,
	                                    sizeof(provider), why, sizeof(why)),
	                 1);
	sc_lookalike_free(x);
}
END_TEST

Suite *lookalike_suite(void);

Suite *lookalike_suite(void)
{
	Suite *s = suite_create("lookalike");
	TCase *tc = tcase_create("lookalike");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_flagged, 0, (int)SC_ARRAY_LEN(flagged));
	tcase_add_test(tc, test_providers_not_flagged);
	tcase_add_loop_test(tc, test_ordinary_not_flagged, 0,
	                    (int)SC_ARRAY_LEN(ordinary));
	tcase_add_test(tc, test_hostile);
	tcase_add_test(tc, test_order_independent);
	tcase_add_test(tc, test_prepare_out_of_memory);
	suite_add_tcase(s, tc);
	return s;
}
