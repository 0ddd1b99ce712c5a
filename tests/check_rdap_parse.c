/* The RDAP parsers (rdap_parse.c): RFC 3339 dates, the domain object of
 * RFC 9083, the bootstrap file of RFC 9224, rdap.ini's thresholds. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "rdap_parse.h"
#include "testutil.h"

/* ---- dates ---------------------------------------------------------------- */

static long long
when(const char *s)
{
	long long t = -42;

	ck_assert_msg(sc_rfc3339_parse(s, strlen(s), &t) == 0, "%s", s);
	return t;
}

START_TEST(test_date_valid)
{
	ck_assert_int_eq(when("1970-01-01T00:00:00Z"), 0);
	ck_assert_int_eq(when("1970-01-01"), 0);
	ck_assert_int_eq(when("2024-02-29T12:00:00Z"), 1709208000LL);
	ck_assert_int_eq(when("2024-02-29t12:00:00z"), 1709208000LL);
	ck_assert_int_eq(when("2024-02-29 12:00:00Z"), 1709208000LL);
	/* Offsets: local time minus the offset is UTC. */
	ck_assert_int_eq(when("2024-02-29T14:00:00+02:00"), 1709208000LL);
	ck_assert_int_eq(when("2024-02-29T07:30:00-04:30"), 1709208000LL);
	ck_assert_int_eq(when("2024-02-29T12:00:00.123456Z"), 1709208000LL);
	ck_assert_int_eq(when("1969-12-31T23:59:59Z"), -1);
	ck_assert_int_eq(when("2000-03-01T00:00:00Z"), 951868800LL);
	/* A leap second is read as the second before. */
	ck_assert_int_eq(when("2016-12-31T23:59:60Z"), 1483228799LL);
}
END_TEST

START_TEST(test_date_invalid)
{
	static const char *const bad[] = {
		"", "2024", "2024-1-01", "2024-13-01", "2024-00-10",
		"2023-02-29", "2024-04-31", "2024-02-29T", "2024-02-29T12:00Z",
		"2024-02-29T12:00:00", "2024-02-29T24:00:00Z",
		"2024-02-29T12:60:00Z", "2024-02-29T12:00:00+2:00",
		"2024-02-29T12:00:00+02:00x", "2024-02-29T12:00:00.Z",
		"2024-02-29X12:00:00Z", "２０２４-02-29", "2024-02-29 ",
		"-024-02-29",
	};
	long long t;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(sc_rfc3339_parse(bad[i], strlen(bad[i]), &t) != 0,
		              "'%s' taken", bad[i]);
	/* The length given bounds the read: no NUL is needed. */
	ck_assert_int_eq(sc_rfc3339_parse("2024-02-29T12:00:00Zjunk", 20, &t),
	                 0);
	ck_assert_int_ne(sc_rfc3339_parse("2024-02-29T12:00:00Z", 19, &t), 0);
}
END_TEST

START_TEST(test_date_format)
{
	static const char *const dates[] = {
		"1970-01-01T00:00:00Z", "2024-02-29T12:00:00Z",
		"1999-12-31T23:59:59Z", "2100-03-01T00:00:00Z",
		"1960-07-04T01:02:03Z",
	};
	char buf[32];
	size_t i;

	for (i = 0; i < sizeof(dates) / sizeof(dates[0]); i++) {
		sc_rfc3339_format(when(dates[i]), buf, sizeof(buf));
		ck_assert_str_eq(buf, dates[i]);
	}
}
END_TEST

/* ---- the domain object ---------------------------------------------------- */

static struct sc_rdap_domain rd;
static char why[256];

static sc_status_t
domain(const char *json)
{
	why[0] = '\0';
	return sc_rdap_domain_parse(json, strlen(json), &rd, why, sizeof(why));
}

START_TEST(test_domain_full)
{
	ck_assert_int_eq(domain(
	    "{\"objectClassName\":\"domain\",\"ldhName\":\"Example.COM.\","
	    "\"status\":[\"client transfer prohibited\",\"active\"],"
	    "\"events\":[{\"eventAction\":\"registration\","
	    "\"eventDate\":\"1995-08-14T04:00:00Z\"},"
	    "{\"eventAction\":\"expiration\","
	    "\"eventDate\":\"2026-08-13T04:00:00Z\"},"
	    "{\"eventAction\":\"last changed\","
	    "\"eventDate\":\"2024-08-14T07:01:34Z\"},"
	    "{\"eventAction\":\"last update of RDAP database\","
	    "\"eventDate\":\"2025-01-01T00:00:00Z\"}],"
	    "\"entities\":[{\"objectClassName\":\"entity\"}]}"), SC_OK);
	ck_assert_str_eq(rd.ldh_name, "example.com");
	ck_assert_uint_eq(rd.status, SC_RDAP_CLIENT_XFER_LOCK);
	ck_assert_uint_eq(rd.nstatus, 2);
	ck_assert_str_eq(rd.statuses, "client transfer prohibited, active");
	ck_assert(rd.has_registered && rd.has_expires && rd.has_changed);
	ck_assert(!rd.has_reregistered);
	ck_assert_int_eq(rd.registered, when("1995-08-14T04:00:00Z"));
	ck_assert_int_eq(rd.expires, when("2026-08-13T04:00:00Z"));
}
END_TEST

/* EPP's own spelling, as some servers send it; case does not matter. */
START_TEST(test_domain_status_spellings)
{
	ck_assert_int_eq(domain("{\"status\":[\"pendingDelete\","
	                        "\"Redemption Period\",\"serverTransferProhibited\","
	                        "\"client_transfer-prohibited\",7,null]}"),
	                 SC_OK);
	ck_assert_uint_eq(rd.status, SC_RDAP_PENDING_DELETE | SC_RDAP_REDEMPTION |
	                  SC_RDAP_SERVER_XFER_LOCK | SC_RDAP_CLIENT_XFER_LOCK);
	ck_assert_uint_eq(rd.nstatus, 4); /* the number and null are no status */
	/* RFC 9083 10.2.2's own "transfer prohibited" is a lock too. */
	ck_assert_int_eq(domain("{\"status\":[\"transfer prohibited\"]}"),
	                 SC_OK);
	ck_assert_uint_eq(rd.status, SC_RDAP_SERVER_XFER_LOCK);
	ck_assert_int_eq(domain("{\"status\":[\"clienttransferprohibitedx\","
	                        "\"transfer\"]}"), SC_OK);
	ck_assert_uint_eq(rd.status, 0);
}
END_TEST

/* Every member is optional; what is not understood is left out. */
START_TEST(test_domain_optional)
{
	ck_assert_int_eq(domain("{}"), SC_OK);
	ck_assert_str_eq(rd.ldh_name, "");
	ck_assert_uint_eq(rd.nstatus, 0);
	ck_assert(!rd.has_registered && !rd.has_expires);
	ck_assert_int_eq(domain("{\"status\":\"active\",\"events\":{},"
	                        "\"ldhName\":7}"), SC_OK);
	ck_assert_uint_eq(rd.nstatus, 0);
	/* Events without a date that parses, or without an action. */
	ck_assert_int_eq(domain("{\"events\":[{\"eventAction\":\"expiration\","
	                        "\"eventDate\":\"soon\"},{\"eventDate\":"
	                        "\"2024-01-01T00:00:00Z\"},7,"
	                        "{\"eventAction\":\"expiration\"}]}"), SC_OK);
	ck_assert(!rd.has_expires);
	/* Of two dates for one action, the later. */
	ck_assert_int_eq(domain("{\"events\":[{\"eventAction\":\"Registration\","
	                        "\"eventDate\":\"2024-01-01\"},{\"eventAction\":"
	                        "\"registration\",\"eventDate\":\"2020-01-01\"},"
	                        "{\"eventAction\":\"reregistration\",\"eventDate\":"
	                        "\"2023-05-05T00:00:00Z\"}]}"), SC_OK);
	ck_assert_int_eq(rd.registered, when("2024-01-01"));
	ck_assert(rd.has_reregistered);
	ck_assert_int_eq(rd.reregistered, when("2023-05-05"));
}
END_TEST

START_TEST(test_domain_refused)
{
	ck_assert_int_eq(domain(""), SC_EINVAL);
	ck_assert_ptr_nonnull(strstr(why, "not JSON"));
	ck_assert_int_eq(domain("{\"objectClassName\":\"domain\","), SC_EINVAL);
	ck_assert_int_eq(domain("[1,2]"), SC_EINVAL);
	ck_assert_ptr_nonnull(strstr(why, "not a JSON object"));
	ck_assert_int_eq(domain("{\"objectClassName\":\"entity\"}"), SC_EINVAL);
	ck_assert_ptr_nonnull(strstr(why, "\"entity\""));
	ck_assert_int_eq(domain("{\"errorCode\":404,\"title\":\"Not Found\"}"),
	                 SC_OK); /* an error object is just a bare domain */
	ck_assert_int_eq(sc_rdap_domain_parse(NULL, 0, &rd, why, sizeof(why)),
	                 SC_EINVAL);
	/* A status list longer than the text kept: cut, still read whole. */
	{
		char big[8192];
		size_t n = (size_t)snprintf(big, sizeof(big), "{\"status\":[");
		int i;

		for (i = 0; i < 100; i++)
			n += (size_t)snprintf(big + n, sizeof(big) - n,
			                      "%s\"status number %d\"",
			                      i ? "," : "", i);
		snprintf(big + n, sizeof(big) - n, ",\"pending delete\"]}");
		ck_assert_int_eq(domain(big), SC_OK);
		ck_assert_uint_eq(rd.nstatus, 101);
		ck_assert_uint_eq(rd.status, SC_RDAP_PENDING_DELETE);
		ck_assert_uint_lt(strlen(rd.statuses), sizeof(rd.statuses));
	}
	/* Control characters from the server never reach a detail. */
	ck_assert_int_eq(domain("{\"status\":[\"a\\u001b[2Jb\"]}"), SC_OK);
	ck_assert_ptr_null(strchr(rd.statuses, 0x1b));
}
END_TEST

/* ---- the bootstrap file --------------------------------------------------- */

static struct sc_rdap_bootstrap boot;

static sc_status_t
bootstrap(const char *json)
{
	sc_rdap_bootstrap_clear(&boot);
	why[0] = '\0';
	return sc_rdap_bootstrap_parse(json, strlen(json), &boot, why,
	                               sizeof(why));
}

static const char *
server(const char *name)
{
	const struct sc_rdap_service *s = sc_rdap_bootstrap_find(&boot, name);

	return s != NULL ? s->url : NULL;
}

START_TEST(test_bootstrap_find)
{
	ck_assert_int_eq(bootstrap(
	    "{\"version\":\"1.0\",\"publication\":\"2024-01-02T03:04:05Z\","
	    "\"services\":[[[\"com\",\"NET\"],[\"http://rdap.v.example/com/v1/\","
	    "\"https://rdap.v.example/com/v1/\"]],"
	    "[[\"sub.example.net\"],[\"https://sub.example/rdap\"]],"
	    "[[\"kg\"],[\"http://rdap.kg.example/\"]],"
	    "[[\"xn--p1ai\"],[\"https://rdap.rf.example/\"]]]}"), SC_OK);
	ck_assert_str_eq(boot.publication, "2024-01-02T03:04:05Z");
	ck_assert_uint_eq(boot.n, 5);
	ck_assert_str_eq(server("example.com"), "https://rdap.v.example/com/v1/");
	ck_assert_str_eq(server("A.B.Example.NET."),
	                 "https://rdap.v.example/com/v1/");
	/* The longest suffix of whole labels wins (RFC 9224 4); a base URL
	 * gets its final '/'. */
	ck_assert_str_eq(server("x.sub.example.net"), "https://sub.example/rdap/");
	ck_assert_str_eq(server("sub.example.net"), "https://sub.example/rdap/");
	ck_assert_str_eq(server("notsub.example.net"),
	                 "https://rdap.v.example/com/v1/");
	ck_assert_str_eq(server("xn--e1afmkfd.xn--p1ai"),
	                 "https://rdap.rf.example/");
	ck_assert_ptr_null(server("example.org"));
	ck_assert_ptr_null(server("com.org"));
	ck_assert_ptr_null(server(""));
	/* An entry with http only is kept, and marked. */
	ck_assert_int_eq(sc_rdap_bootstrap_find(&boot, "a.kg")->https, 0);
	ck_assert_int_eq(sc_rdap_bootstrap_find(&boot, "a.com")->https, 1);
	sc_rdap_bootstrap_clear(&boot);
	ck_assert_ptr_null(server("example.com"));
}
END_TEST

START_TEST(test_bootstrap_skips)
{
	/* Bad labels, URLs of other schemes, entries of another shape, and
	 * a label listed twice (the first wins) are skipped and counted. */
	ck_assert_int_eq(bootstrap(
	    "{\"services\":[[[\"a b\",\"-\",\"\",\"x..y\",7,\"ok\"],"
	    "[\"ftp://x/\",\"https://ok.example/\"]],"
	    "[[\"nourl\"],[\"ftp://x/\",\"mailto:a@b\",\"https://\"]],"
	    "[[\"ok\"],[\"https://second.example/\"]],"
	    "\"junk\",[[\"alone\"]]]}"), SC_OK);
	ck_assert_uint_eq(boot.n, 1);
	ck_assert_str_eq(server("x.ok"), "https://ok.example/");
	ck_assert_uint_ge(boot.skipped, 7);
	ck_assert_str_eq(boot.publication, "");
}
END_TEST

START_TEST(test_bootstrap_refused)
{
	ck_assert_int_eq(bootstrap("not json"), SC_EINVAL);
	ck_assert_ptr_nonnull(strstr(why, "not JSON"));
	ck_assert_int_eq(bootstrap("{\"services\":7}"), SC_EINVAL);
	ck_assert_ptr_nonnull(strstr(why, "services"));
	ck_assert_int_eq(bootstrap("[]"), SC_EINVAL);
	ck_assert_int_eq(sc_rdap_bootstrap_parse(NULL, 0, &boot, why,
	                                         sizeof(why)), SC_EINVAL);
	ck_assert_int_eq(bootstrap("{\"services\":[]}"), SC_OK);
	ck_assert_uint_eq(boot.n, 0);
	ck_assert_ptr_null(server("example.com"));
}
END_TEST

/* The file shipped in rules/ reads, and knows .com and .org. */
START_TEST(test_bootstrap_shipped)
{
	char path[4096], *text;
	size_t n;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/rdap-dns.json", test_rules_dir());
	ck_assert_ptr_nonnull(fp = fopen(path, "rb"));
	text = malloc(1u << 20);
	n = fread(text, 1, 1u << 20, fp);
	fclose(fp);
	ck_assert_int_eq(sc_rdap_bootstrap_parse(text, n, &boot, why,
	                                         sizeof(why)), SC_OK);
	free(text);
	ck_assert_uint_gt(boot.n, 1000);
	ck_assert_uint_eq(boot.skipped, 0);
	ck_assert_int_eq(strncmp(server("example.com"), "https://", 8), 0);
	ck_assert_ptr_nonnull(server("example.org"));
	ck_assert_ptr_null(server("example.test"));
	ck_assert_int_eq(strlen(boot.publication), 20);
	sc_rdap_bootstrap_clear(&boot);
}
END_TEST

/* ---- rdap.ini ------------------------------------------------------------- */

START_TEST(test_limits)
{
	struct sc_rdap_limits l;
	char err[200];

	ck_assert_int_eq(sc_rdap_limits_parse("", &l, err, sizeof(err)), SC_OK);
	ck_assert_uint_eq(l.expiring_days, 30);
	ck_assert_uint_eq(l.renewal_days, 90);
	ck_assert_uint_eq(l.recent_days, 90);
	ck_assert_int_eq(sc_rdap_limits_parse("[thresholds]\nexpiring_days = 7\n"
	                                      "recently_registered_days=0\n", &l,
	                                      err, sizeof(err)), SC_OK);
	ck_assert_uint_eq(l.expiring_days, 7);
	ck_assert_uint_eq(l.renewal_days, 90);
	ck_assert_uint_eq(l.recent_days, 0);
	ck_assert_int_eq(sc_rdap_limits_parse("[thresholds]\n\nexpiring_days = "
	                                      "-1\n", &l, err, sizeof(err)),
	                 SC_ERULES);
	ck_assert_str_eq(err, "rdap.ini:3: expiring_days wants a number of days "
	                 "(0..3650), not '-1'");
	ck_assert_uint_eq(l.expiring_days, 30); /* the defaults again */
	ck_assert_int_eq(sc_rdap_limits_parse("[other]\nx = 1\n", &l, err,
	                                      sizeof(err)), SC_ERULES);
	ck_assert_ptr_nonnull(strstr(err, "unknown section [other]"));
	ck_assert_int_eq(sc_rdap_limits_parse("[thresholds]\nfoo = 1\n", &l, err,
	                                      sizeof(err)), SC_ERULES);
	ck_assert_int_eq(sc_rdap_limits_parse("[thresholds]\nexpiring_days = "
	                                      "4000\n", &l, err, sizeof(err)),
	                 SC_ERULES);
	ck_assert_int_eq(sc_rdap_limits_parse("[thresholds]\nexpiring_days = 60\n"
	                                      "renewal_due_days = 45\n", &l, err,
	                                      sizeof(err)), SC_ERULES);
	ck_assert_ptr_nonnull(strstr(err, "below expiring_days"));
}
END_TEST

/* The rdap.ini shipped in rules/ holds the documented numbers. */
START_TEST(test_limits_shipped)
{
	char path[4096], text[4096], err[200];
	struct sc_rdap_limits l;
	size_t n;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/rdap.ini", test_rules_dir());
	ck_assert_ptr_nonnull(fp = fopen(path, "r"));
	n = fread(text, 1, sizeof(text) - 1, fp);
	fclose(fp);
	text[n] = '\0';
	ck_assert_int_eq(sc_rdap_limits_parse(text, &l, err, sizeof(err)), SC_OK);
	ck_assert_uint_eq(l.expiring_days, 30);
	ck_assert_uint_eq(l.renewal_days, 90);
	ck_assert_uint_eq(l.recent_days, 90);
}
END_TEST

Suite *rdap_parse_suite(void)
{
	Suite *s = suite_create("rdap_parse");
	TCase *t = tcase_create("dates");

	tcase_add_test(t, test_date_valid);
	tcase_add_test(t, test_date_invalid);
	tcase_add_test(t, test_date_format);
	suite_add_tcase(s, t);
	t = tcase_create("domain");
	tcase_add_test(t, test_domain_full);
	tcase_add_test(t, test_domain_status_spellings);
	tcase_add_test(t, test_domain_optional);
	tcase_add_test(t, test_domain_refused);
	suite_add_tcase(s, t);
	t = tcase_create("bootstrap");
	tcase_add_test(t, test_bootstrap_find);
	tcase_add_test(t, test_bootstrap_skips);
	tcase_add_test(t, test_bootstrap_refused);
	tcase_add_test(t, test_bootstrap_shipped);
	suite_add_tcase(s, t);
	t = tcase_create("limits");
	tcase_add_test(t, test_limits);
	tcase_add_test(t, test_limits_shipped);
	suite_add_tcase(s, t);
	return s;
}
