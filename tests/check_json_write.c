/* The JSON writer: byte for byte what jansson writes for the same values,
 * including the report, which it writes without building a tree. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "engine.h"
#include "internal.h"
#include "json_reference.h"
#include "json_write.h"
#include "report.h"

static void
assert_same_as_jansson(const json_t *v)
{
	char *want = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER |
	                        JSON_ENCODE_ANY);
	struct sc_text *got = sc_text_json(v);

	ck_assert_ptr_nonnull(want);
	ck_assert_ptr_nonnull(got);
	ck_assert_str_eq(got->s, want);
	ck_assert_uint_eq(got->len, strlen(want));
	free(want);
	sc_text_unref(got);
}

START_TEST(test_values_as_jansson)
{
	char all[128];
	json_t *o;
	int i;

	for (i = 0; i < 128; i++)
		all[i] = (char)i;
	o = json_pack("{s:i, s:I, s:b, s:b, s:n, s:[], s:{}, s:[i, s, [s], {}],"
	              " s:{s:{s:s}}, s:s, s:f}",
	              "int", -42, "big", (json_int_t)9007199254740993LL,
	              "t", 1, "f", 0, "null", "empty_array", "empty_object",
	              "mixed", 1, "two", "three", "nested", "deep", "deeper",
	              "end", "\"quoted\\\" key", "utf-8: \xc3\xa9 \xe2\x82\xac "
	              "\xf0\x9f\x98\x80 / \x7f", "real", 1.5);
	ck_assert_ptr_nonnull(o);
	/* Every ASCII byte, NUL and the controls included, in a value and
	 * in a key. */
	json_object_set_new(o, "ascii", json_stringn(all, sizeof(all)));
	json_object_set_new(o, "key\n\t\x01\"\\", json_true());
	assert_same_as_jansson(o);
	assert_same_as_jansson(json_object_get(o, "ascii"));
	json_decref(o);
}
END_TEST

/* Strings that may not be UTF-8: the writer must give sc_json_string()'s
 * text for any bytes. */
START_TEST(test_any_bytes_as_sc_json_string)
{
	static const char *const pieces[] = {
		"a", "\"", "\\", "\n", "\x01", "\x1f", "\x7f", " ", "\xc3\xa9",
		"\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xc3", "\xe2\x82",
		"\xc0\x80", "\xc1\xbf", "\xe0\x80\x80", "\xed\xa0\x80",
		"\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\x80", "\xff", "\0",
		"plain text of twenty-nine ch", "0123456789abcdef", "/",
	};
	unsigned seed = 4242;
	int round;

	for (round = 0; round < 20000; round++) {
		char s[1280], *want;
		size_t len = 0, n;
		struct sc_jw jw = { 0 };
		json_t *j;
		char *got;

		seed = seed * 1103515245u + 12345u;
		/* Up to 40 pieces: past 16 bytes, where the writer scans a
		 * block at a time. */
		n = (seed >> 16) % 40;
		while (n-- > 0) {
			const char *p;
			size_t plen;

			seed = seed * 1103515245u + 12345u;
			p = pieces[(seed >> 16) % SC_ARRAY_LEN(pieces)];
			plen = p[0] == '\0' ? 1 : strlen(p);
			memcpy(s + len, p, plen);
			len += plen;
		}
		j = sc_json_string(s, len);
		ck_assert_ptr_nonnull(j);
		want = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
		sc_jw_str(&jw, s, len);
		got = sc_jw_finish(&jw, NULL);
		ck_assert_ptr_nonnull(got);
		ck_assert_str_eq(got, want);
		free(want);
		sc_free(got);
		json_decref(j);
	}
}
END_TEST

START_TEST(test_null_and_numbers)
{
	struct sc_jw jw = { 0 };
	size_t len;
	char *got;

	sc_jw_lit(&jw, "[");
	sc_jw_cstr(&jw, NULL);
	sc_jw_lit(&jw, ",");
	sc_jw_int(&jw, -9223372036854775807LL - 1);
	sc_jw_lit(&jw, ",");
	sc_jw_str(&jw, "", 0);
	sc_jw_lit(&jw, "]");
	got = sc_jw_finish(&jw, &len);
	ck_assert_str_eq(got, "[null,-9223372036854775808,\"\"]");
	ck_assert_uint_eq(len, strlen(got));
	ck_assert_ptr_null(jw.buf);
	sc_free(got);
}
END_TEST

/* Out of memory at any point: NULL, nothing leaked (ASan and valgrind
 * runs of the suite see leaks). */
START_TEST(test_out_of_memory)
{
	json_t *o = json_pack("{s:s, s:[s, s]}", "a", "b", "c", "d", "e");
	struct sc_jw jw = { 0 };
	char big[3000];
	unsigned long nth;

	memset(big, 'x', sizeof(big));
	sc_alloc_fail_at(1);
	ck_assert_ptr_null(sc_text_json(o));
	sc_alloc_fail_at(0);
	for (nth = 1; nth <= 3; nth++) {
		sc_alloc_fail_at(nth);
		sc_jw_str(&jw, big, sizeof(big));    /* allocates */
		sc_jw_str(&jw, big, sizeof(big));    /* grows */
		sc_jw_str(&jw, big, sizeof(big));
		ck_assert_ptr_null(sc_jw_finish(&jw, NULL));
		sc_alloc_fail_at(0);
	}
	json_decref(o);
}
END_TEST

START_TEST(test_shared_text)
{
	json_t *o = json_pack("{s:s}", "k", "v");
	struct sc_text *t = sc_text_json(o);

	ck_assert_ptr_nonnull(t);
	ck_assert_ptr_eq(sc_text_ref(t), t);
	ck_assert_uint_eq(t->refs, 2);
	sc_text_unref(t);
	ck_assert_str_eq(t->s, "{\"k\":\"v\"}");
	sc_text_unref(t);
	sc_text_unref(NULL);
	json_decref(o);
}
END_TEST

/* The report written field by field equals the tree the library used to
 * build and hand to json_dumps(), whether the domain's parts are written
 * from their arrays or spliced in as their shared texts. */
static json_t *
expected_report(const sc_report_t *rep, const sc_record_t *rec, size_t nrec,
                json_t *checks)
{
	json_t *f = json_array(), *r = json_array();
	size_t i, k;

	for (i = 0; i < rep->nfinding; i++) {
		const sc_finding_t *x = &rep->finding[i];

		json_t *tail, *o = json_pack("{s:s, s:s, s:s, s:i}", "id", x->id,
		    "severity", sc_severity_str(x->severity),
		    "category", sc_category_str(x->category), "points",
		    x->points);

		if (x->unverified)
			json_object_set_new(o, "unverified", json_true());
		tail = json_pack("{s:o, s:o, s:o, s:o}",
		    "title", sc_json_string(x->title, strlen(x->title)),
		    "detail", sc_json_string(x->detail, strlen(x->detail)),
		    "why", x->why ? json_string(x->why) : json_null(),
		    "fix", json_string(x->fix));
		json_object_update(o, tail);
		json_decref(tail);
		json_array_append_new(f, o);
	}
	for (i = 0; i < nrec; i++) {
		const sc_record_t *x = &rec[i];
		json_t *data = json_array();

		for (k = 0; k < x->count; k++)
			json_array_append_new(data, sc_json_string(x->data[k],
			    strlen(x->data[k])));
		json_array_append_new(r, json_pack(
		    "{s:s, s:s, s:s, s:b, s:i, s:o}", "name", x->name,
		    "type", x->type, "status", sc_dns_outcome_str(x->outcome),
		    "authenticated", x->authenticated,
		    "elapsed_ms", (int)x->elapsed_ms, "data", data));
	}
	return json_pack("{s:o, s:s, s:s, s:s, s:s, s:i, s:s, s:[s], s:i, "
	                 "s:{s:s, s:s, s:s}, s:o, s:o, s:O, s:s}",
	                 "address", sc_json_string(rep->address,
	                                           strlen(rep->address)),
	                 "domain", rep->domain, "verdict", "insecure",
	                 "headline", rep->headline,
	                 "grade", "D", "score", rep->score,
	                 "threat_model", "remote", "skipped", "starttls",
	                 "elapsed_ms", (int)rep->elapsed_ms, "interception",
	                 "verdict", "exposed", "via", "dane", "detail",
	                 rep->interception_why, "findings", f, "records", r,
	                 "checks", checks, "scorer_version", SC_VERSION);
}

START_TEST(test_report_as_the_tree_was)
{
	sc_finding_t finding[2] = {
		{ "spf.permissive", SC_SEV_HIGH, SC_CAT_SPOOFING,
		  "\"v=spf1 +all\"\n\x01 bad \xff byte", "Title \xc3\xa9",
		  NULL, "fix \\ it", 30, 0 },
		{ "tlsrpt.missing", SC_SEV_LOW, SC_CAT_INTERCEPTION, "d", "t",
		  "why", "fix", 3, 1 },
	};
	const char *data[] = { "10 mx.example.", "v=spf1 \xc3 -all", "" };
	sc_record_t record[2] = {
		{ "example.com", "MX", SC_DNS_OK, 1, 12, 3, data },
		{ "_dmarc.example.com", "TXT", SC_DNS_NXDOMAIN, 0, 0, 0, NULL },
	};
	struct sc_recset rs = { 1, record, 2, NULL };
	struct sc_findset fs = { .refs = 1, .finding = finding, .n = 2 };
	struct sc_jw jw = { 0 };
	sc_report_t rep;
	json_t *want_tree, *checks;
	char *want, *got;
	int pass;

	memset(&rep, 0, sizeof(rep));
	rep.address = "user\xfe@example.com";
	rep.domain = "example.com";
	rep.verdict = SC_VERDICT_INSECURE;
	rep.headline = "spf \"+all\": \x01";
	rep.threat_model = SC_THREAT_REMOTE;
	rep.skipped = 1u << 2; /* sc_checks[2]: starttls */
	rep.grade = 4;
	rep.score = 41;
	rep.elapsed_ms = 123;
	rep.finding = finding;
	rep.nfinding = 2;
	rep.records = &rs;
	rep.interception = SC_INTERCEPTION_EXPOSED;
	rep.interception_via = "dane";
	rep.interception_why = "TLSA \"records\" do not match";
	checks = json_pack("{s:{s:s, s:[i, b]}, s:{}, s:s%}", "spf", "record",
	                   "v=spf1 \xe2\x82\xac", "n", 3, 1, "dane",
	                   "dmarc", "v=DMARC1\0p=none", (size_t)15);
	rep.checks_text = sc_text_json(checks);
	want_tree = expected_report(&rep, record, 2, checks);
	ck_assert_ptr_nonnull(want_tree);
	want = json_dumps(want_tree, JSON_COMPACT | JSON_PRESERVE_ORDER);
	for (pass = 0; pass < 2; pass++) {
		/* pass 0: from the arrays; pass 1: the shared texts. */
		if (pass == 1) {
			sc_text_begin(&jw, 10);
			sc_json_records(&jw, record, 2);
			rs.text = sc_text_end(&jw);
			sc_text_begin(&jw, 10);
			sc_json_findings(&jw, finding, 2);
			fs.text = sc_text_end(&jw);
			rep.dom_findings = &fs;
			rep.finding_shared = 1;
		}
		ck_assert_int_eq(sc_report_json(&rep, &got), SC_OK);
		ck_assert_str_eq(got, want);
		sc_free(got);
	}
	/* No checks, no records: an empty object and array, as before. */
	sc_text_unref(rep.checks_text);
	rep.checks_text = NULL;
	rep.records = NULL;
	ck_assert_int_eq(sc_report_json(&rep, &got), SC_OK);
	ck_assert_ptr_nonnull(strstr(got, ",\"records\":[],\"checks\":{},"));
	sc_free(got);
	/* One check's JSON comes out of the shared text. */
	rep.checks_text = sc_text_json(checks);
	ck_assert_int_eq(sc_report_check_json(&rep, "spf", &got), SC_OK);
	ck_assert_str_eq(got, "{\"record\":\"v=spf1 \xe2\x82\xac\",\"n\":[3,true]}");
	sc_free(got);
	/* A NUL byte in a record (a TXT string may hold one) comes back. */
	ck_assert_int_eq(sc_report_check_json(&rep, "dmarc", &got), SC_OK);
	ck_assert_str_eq(got, "\"v=DMARC1\\u0000p=none\"");
	sc_free(got);
	ck_assert_int_eq(sc_report_check_json(&rep, "nope", &got),
	                 SC_ENOTFOUND);
	sc_text_unref(rep.checks_text);
	sc_text_unref(rs.text);
	sc_text_unref(fs.text);
	free(want);
	json_decref(want_tree);
	json_decref(checks);
}
END_TEST

Suite *json_write_suite(void)
{
	Suite *s = suite_create("json_write");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_values_as_jansson);
	tcase_add_test(tc, test_any_bytes_as_sc_json_string);
	tcase_add_test(tc, test_null_and_numbers);
	tcase_add_test(tc, test_out_of_memory);
	tcase_add_test(tc, test_shared_text);
	tcase_add_test(tc, test_report_as_the_tree_was);
	suite_add_tcase(s, tc);
	return s;
}
