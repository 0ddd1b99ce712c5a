/*
 * Check "breach": hashing, canonical forms, range answers (JSON, text,
 * garbage, huge) and the assessment on canned results.  The range API and
 * the corpus on the wire are in tests/e2e/breach.sh.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "breach.h"
#include "checks.h"
#include "hash.h"
#include "internal.h"
#include "testutil.h"

static void
hex_of(const char *s, char out[41])
{
	unsigned char h[SC_SHA1_LEN];

	ck_assert_int_eq(sc_sha1(s, strlen(s), h), SC_OK);
	sc_hex_upper(h, SC_SHA1_LEN, out);
}

/* ---- hashing ------------------------------------------------------------ */

START_TEST(test_sha1_vectors)
{
	char hex[41];

	hex_of("test@example.com", hex);
	ck_assert_str_eq(hex, "567159D622FFBB50B11B0EFD307BE358624A26EE");
	hex_of("", hex);
	ck_assert_str_eq(hex, "DA39A3EE5E6B4B0D3255BFEF95601890AFD80709");
	hex_of("abc", hex); /* FIPS 180-2 appendix A */
	ck_assert_str_eq(hex, "A9993E364706816ABA3E25717850C26C9CD0D89D");
}
END_TEST

START_TEST(test_normalize)
{
	char *s = sc_breach_normalize("  Test@EXAMPLE.com\r\n");
	char hex[41];

	ck_assert_str_eq(s, "test@example.com");
	hex_of(s, hex);
	ck_assert_str_eq(hex, "567159D622FFBB50B11B0EFD307BE358624A26EE");
	sc_free(s);
	/* UTF-8 is kept byte for byte; only ASCII is lower-cased. */
	s = sc_breach_normalize("J\xc3\x9cRGEN@B\xc3\xbc" "cher.DE");
	ck_assert_str_eq(s, "j\xc3\x9crgen@b\xc3\xbc" "cher.de");
	sc_free(s);
	s = sc_breach_normalize("   ");
	ck_assert_str_eq(s, "");
	sc_free(s);
}
END_TEST

START_TEST(test_hex_decode)
{
	unsigned char b[3];

	ck_assert_int_eq(sc_hex_decode("a1B2c3", 3, b), 0);
	ck_assert_int_eq(b[0], 0xa1);
	ck_assert_int_eq(b[2], 0xc3);
	ck_assert_int_eq(sc_hex_decode("a1B2cg", 3, b), -1);
}
END_TEST

/* ---- canonical forms ------------------------------------------------------ */

static struct sc_canon canon;

static void
load_shipped(void)
{
	char err[300];

	ck_assert_int_eq(sc_canon_load(test_rules_dir(), &canon, err,
	                               sizeof(err)), SC_OK);
	ck_assert_uint_gt(canon.n, 3);
}

static void
clear_shipped(void)
{
	sc_canon_clear(&canon);
}

static void
expect_canon(const char *in, const char *want)
{
	char *out = (char *)1;

	ck_assert_int_eq(sc_canon_apply(&canon, in, &out), SC_OK);
	if (want == NULL)
		ck_assert_msg(out == NULL, "%s: got %s", in, out);
	else
		ck_assert_msg(out != NULL && strcmp(out, want) == 0,
		              "%s: got %s, want %s", in, out ? out : "(none)",
		              want);
	sc_free(out);
}

START_TEST(test_canonical_forms)
{
	expect_canon("j.doe+news@googlemail.com", "jdoe@gmail.com");
	expect_canon("j.doe@gmail.com", "jdoe@gmail.com");
	expect_canon("jdoe@gmail.com", NULL);
	expect_canon("jdoe+a+b@gmail.com", "jdoe@gmail.com");
	expect_canon("john.smith+x@outlook.com", "john.smith@outlook.com");
	expect_canon("john.smith@outlook.com", NULL);
	expect_canon("me+tag@fastmail.com", "me@fastmail.com");
	expect_canon("me+tag@proton.me", "me@proton.me");
	expect_canon("me+tag@example.com", NULL);    /* no provider rule */
	expect_canon("+tag@gmail.com", NULL);        /* nothing to keep */
	expect_canon("\"a.b+c\"@gmail.com", NULL);   /* quoted: as written */
	expect_canon("...@gmail.com", NULL);
	expect_canon("no-at-sign", NULL);
}
END_TEST

START_TEST(test_canonical_syntax)
{
	struct sc_canon c;
	char err[300];

	ck_assert_int_eq(sc_canon_parse("[x]\ndomains = a.example b.example\n"
	                                "subaddress = +-\nignore_dots = no\n",
	                                &c, err, sizeof(err)), SC_OK);
	ck_assert_uint_eq(c.n, 1);
	ck_assert_uint_eq(c.rule[0].ndomain, 2);
	ck_assert_str_eq(c.rule[0].subaddress, "+-");
	sc_canon_clear(&c);
	ck_assert_int_eq(sc_canon_parse("[x]\ndomains = a\nfrobnicate = 1\n",
	                                &c, err, sizeof(err)), SC_ERULES);
	ck_assert_ptr_nonnull(strstr(err, "canonical.ini:3"));
	ck_assert_int_eq(sc_canon_parse("[x]\nignore_dots = maybe\n", &c, err,
	                                sizeof(err)), SC_ERULES);
	ck_assert_ptr_nonnull(strstr(err, "ignore_dots"));
	ck_assert_int_eq(sc_canon_parse("[x]\nignore_dots = yes\n", &c, err,
	                                sizeof(err)), SC_ERULES);
	ck_assert_ptr_nonnull(strstr(err, "no domains"));
	ck_assert_int_eq(sc_canon_parse("domains = a\n", &c, err, sizeof(err)),
	                 SC_ERULES);
	ck_assert_int_eq(sc_canon_parse("", &c, err, sizeof(err)), SC_OK);
	ck_assert_uint_eq(c.n, 0);
	/* A rules directory without the file has no canonical forms. */
	ck_assert_int_eq(sc_canon_load("/nonexistent", &c, err, sizeof(err)),
	                 SC_OK);
	ck_assert_uint_eq(c.n, 0);
}
END_TEST

START_TEST(test_canonical_public)
{
	sc_ctx_t *ctx = NULL;
	char *out = NULL;

	ck_assert_int_eq(sc_ctx_new(&ctx), SC_OK);
	ck_assert_int_eq(sc_ctx_set_rules_dir(ctx, test_rules_dir()), SC_OK);
	ck_assert_int_eq(sc_address_canonical(ctx, "J.Doe+X@GoogleMail.com",
	                                      &out), SC_OK);
	ck_assert_str_eq(out, "jdoe@gmail.com");
	sc_free(out);
	ck_assert_int_eq(sc_address_canonical(ctx, "a@example.com", &out),
	                 SC_OK);
	ck_assert_ptr_null(out);
	ck_assert_int_eq(sc_address_canonical(ctx, NULL, &out), SC_EINVAL);
	ck_assert_int_eq(sc_address_canonical(NULL, "a@b", &out), SC_EINVAL);
	sc_ctx_free(ctx);
}
END_TEST

/* ---- range answers ------------------------------------------------------- */

static const char *sfx_a = "0018A45C4D1DEF81644B54AB7F969B88D6";
static const char *sfx_b = "00D4F6E8FA6EECAD2A3AA415EEC418D38E";

static const struct sc_range_entry *
find(const struct sc_range *r, const char *hex)
{
	unsigned char s[SC_RANGE_SUFFIX];

	ck_assert_int_eq(sc_hex_decode(hex, SC_RANGE_SUFFIX, s), 0);
	return sc_range_find(r, s);
}

START_TEST(test_range_text)
{
	char body[512], err[160];
	struct sc_range r;
	const struct sc_range_entry *e;

	snprintf(body, sizeof(body), "%s:3\r\n%s\r\n\r\n", sfx_b,
	         "0018a45c4d1def81644b54ab7f969b88d6");
	ck_assert_int_eq(sc_range_parse(body, strlen(body), &r, err,
	                                sizeof(err)), SC_OK);
	ck_assert_uint_eq(r.n, 2);
	e = find(&r, sfx_b);
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(e->count, 3);
	ck_assert_ptr_null(e->names);
	ck_assert_ptr_nonnull(find(&r, sfx_a));
	ck_assert_ptr_null(find(&r, "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"));
	sc_range_clear(&r);
	/* An empty answer is a valid "nothing under this prefix". */
	ck_assert_int_eq(sc_range_parse("", 0, &r, err, sizeof(err)), SC_OK);
	ck_assert_uint_eq(r.n, 0);
	ck_assert_ptr_null(find(&r, sfx_a));
}
END_TEST

START_TEST(test_range_json)
{
	char body[512], err[160];
	struct sc_range r;
	const struct sc_range_entry *e;

	snprintf(body, sizeof(body),
	         "[{\"hashSuffix\":\"%s\",\"websites\":[\"Adobe\",\"LinkedIn\"]},"
	         " {\"hashSuffix\":\"%s\",\"websites\":[]}]", sfx_a, sfx_b);
	ck_assert_int_eq(sc_range_parse(body, strlen(body), &r, err,
	                                sizeof(err)), SC_OK);
	ck_assert_uint_eq(r.n, 2);
	e = find(&r, sfx_a);
	ck_assert_str_eq(e->names, "Adobe, LinkedIn");
	ck_assert_uint_eq(e->count, 2);
	ck_assert_ptr_null(find(&r, sfx_b)->names);
	sc_range_clear(&r);
	ck_assert_int_eq(sc_range_parse("[]", 2, &r, err, sizeof(err)), SC_OK);
	ck_assert_uint_eq(r.n, 0);
}
END_TEST

static void
expect_garbage(const char *body)
{
	struct sc_range r;
	char err[160] = "";

	ck_assert_msg(sc_range_parse(body, strlen(body), &r, err, sizeof(err))
	              == SC_EINVAL, "accepted: %s", body);
	ck_assert_str_ne(err, "");
	ck_assert_ptr_null(r.e);
}

START_TEST(test_range_garbage)
{
	expect_garbage("<html><body>Service unavailable</body></html>");
	expect_garbage("0018A45C4D1DEF81644B54AB7F969B88D6:x\n");
	expect_garbage("0018A45C4D1DEF81644B54AB7F969B88D:1\n");
	expect_garbage("0018A45C4D1DEF81644B54AB7F969B88D6:\n");
	expect_garbage("0018A45C4D1DEF81644B54AB7F969B88D6;3\n");
	expect_garbage("{\"hashSuffix\":\"0018A45C4D1DEF81644B54AB7F969B88D6\"}");
	expect_garbage("[{\"hashSuffix\":\"0018A45C\"}]");
	expect_garbage("[{\"websites\":[\"A\"]}]");
	expect_garbage("[{\"hashSuffix\":\"0018A45C4D1DEF81644B54AB7F969B88D6\","
	               "\"websites\":[1]}]");
	expect_garbage("[{\"hashSuffix\":\"0018A45C4D1DEF81644B54AB7F969B88D6\"");
	expect_garbage("[1, 2]");
}
END_TEST

/* More suffixes than any prefix holds: refused, not truncated. */
START_TEST(test_range_huge)
{
	size_t n = SC_RANGE_MAX_ENTRIES + 1, i, line = 2 * SC_RANGE_SUFFIX + 3;
	char *body = malloc(n * line + 1), err[160];
	struct sc_range r;

	for (i = 0; i < n; i++)
		snprintf(body + i * line, line + 1, "%034zX:1\n", i);
	ck_assert_int_eq(sc_range_parse(body, n * line, &r, err, sizeof(err)),
	                 SC_EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "more than"));
	/* ... and one fewer is fine. */
	ck_assert_int_eq(sc_range_parse(body, (n - 1) * line, &r, err,
	                                sizeof(err)), SC_OK);
	ck_assert_uint_eq(r.n, n - 1);
	sc_range_clear(&r);
	free(body);
}
END_TEST

START_TEST(test_range_out_of_memory)
{
	char body[512], err[160];
	struct sc_range r;
	unsigned long k;
	sc_status_t st = SC_ENOMEM;

	snprintf(body, sizeof(body),
	         "[{\"hashSuffix\":\"%s\",\"websites\":[\"Adobe\"]},"
	         "{\"hashSuffix\":\"%s\"}]", sfx_a, sfx_b);
	for (k = 1; st != SC_OK && k < 50; k++) {
		sc_alloc_fail_at(k);
		st = sc_range_parse(body, strlen(body), &r, err, sizeof(err));
		sc_alloc_fail_at(0);
		ck_assert(st == SC_OK || st == SC_ENOMEM);
	}
	ck_assert_int_eq(st, SC_OK);
	ck_assert_uint_eq(r.n, 2);
	sc_range_clear(&r);
}
END_TEST

/* ---- the assessment on canned results ---------------------------------- */

static struct sc_hits
assess(struct sc_breach_req *br)
{
	struct sc_req req;
	struct sc_hits h;

	memset(&req, 0, sizeof(req));
	memset(&h, 0, sizeof(h));
	*sc_req_state(&req, &sc_check_breach) = br;
	sc_check_breach.assess_address(&req, &h);
	return h;
}

static const struct sc_hit *
hit(const struct sc_hits *h, const char *id)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		if (strcmp(h->hit[i].id, id) == 0)
			return &h->hit[i];
	return NULL;
}

START_TEST(test_assess_nothing)
{
	struct sc_breach_req br;
	struct sc_hits h;

	memset(&br, 0, sizeof(br));
	br.nkey = 1;
	br.key[0].api = SC_BAPI_ABSENT;
	h = assess(&br);
	ck_assert_uint_eq(h.n, 0);
	ck_assert_int_eq(sc_hits_missing(&h), 0);
	/* No state at all (neither corpus nor API): nothing. */
	h = assess(NULL);
	ck_assert_uint_eq(h.n, 0);
}
END_TEST

START_TEST(test_assess_found)
{
	struct sc_range_entry e = { { 0 }, 0, (char *)"Adobe, LinkedIn" };
	struct sc_breach_req br;
	struct sc_hits h;
	const struct sc_hit *f;

	memset(&br, 0, sizeof(br));
	br.nkey = 2;
	br.key[0].local_found = 1;
	br.key[0].local_count = 12;
	br.key[1].canonical = (char *)"jdoe@gmail.com";
	br.key[1].api = SC_BAPI_FOUND;
	br.key[1].hit = &e;
	h = assess(&br);
	ck_assert_uint_eq(h.n, 1); /* one finding, both matches in it */
	f = hit(&h, "breach.found");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(strstr(f->detail, "local breach corpus (the "
	                             "address as given, seen 12 times)"));
	ck_assert_ptr_nonnull(strstr(f->detail, "its canonical form "
	                             "jdoe@gmail.com, in: Adobe, LinkedIn"));
	ck_assert_int_eq(sc_hits_missing(&h), 0);
	sc_hits_clear(&h);
}
END_TEST

START_TEST(test_assess_unverified)
{
	struct sc_breach_req br;
	struct sc_hits h;
	const struct sc_hit *f;

	memset(&br, 0, sizeof(br));
	br.nkey = 1;
	br.key[0].api = SC_BAPI_FAILED;
	br.key[0].api_error = "the breach range API failed: HTTP 503 (3 tries)";
	h = assess(&br);
	f = hit(&h, "breach.unverified");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(strstr(f->detail, "HTTP 503"));
	ck_assert_ptr_null(hit(&h, "breach.found"));
	ck_assert_int_eq(sc_hits_missing(&h), 1);
	sc_hits_clear(&h);

	/* Still waiting when the deadline passed. */
	br.key[0].api = SC_BAPI_PENDING;
	h = assess(&br);
	ck_assert_ptr_nonnull(strstr(hit(&h, "breach.unverified")->detail,
	                             "in time"));
	ck_assert_int_eq(sc_hits_missing(&h), 1);
	sc_hits_clear(&h);

	/* An unreadable corpus. */
	memset(&br, 0, sizeof(br));
	br.used_corpus = 1;
	br.corpus_error = "x.idx: wrong magic";
	h = assess(&br);
	ck_assert_ptr_nonnull(strstr(hit(&h, "breach.unverified")->detail,
	                             "wrong magic"));
	ck_assert_int_eq(sc_hits_missing(&h), 1);
	sc_hits_clear(&h);
}
END_TEST

START_TEST(test_ids_have_rules)
{
	ck_assert_str_eq(sc_check_breach.ids[0], "breach.found");
	ck_assert_str_eq(sc_check_breach.ids[1], "breach.unverified");
	ck_assert_ptr_null(sc_check_breach.ids[2]);
}
END_TEST

/* A whole check with a corpus: the check does nothing without breach
 * options, and finds a listed address with them (an invalid resolver
 * answers at once; the breach lookup does not need it). */
/* A context looking addresses up in the corpus file, asking a resolver
 * that refuses at once. */
static sc_ctx_t *
corpus_ctx(const char *file)
{
	sc_ctx_t *ctx = NULL;

	ck_assert_int_eq(sc_ctx_new(&ctx), SC_OK);
	ck_assert_int_eq(sc_ctx_set_rules_dir(ctx, test_rules_dir()), SC_OK);
	ck_assert_int_eq(sc_ctx_add_resolver(ctx, "127.0.0.1:9"), SC_OK);
	ck_assert_int_eq(sc_ctx_set_timeout_ms(ctx, 1500), SC_OK);
	ck_assert_int_eq(sc_ctx_set_breach_corpus(ctx, file), SC_OK);
	return ctx;
}

/* The detail of the report's finding id; fails the test without one. */
static const char *
detail_of(const sc_report_t *rep, const char *id)
{
	const sc_finding_t *f;
	size_t i;

	for (i = 0; (f = sc_report_finding(rep, i)) != NULL; i++)
		if (strcmp(f->id, id) == 0)
			return f->detail;
	ck_abort_msg("no finding %s", id);
	return NULL;
}

START_TEST(test_check_with_corpus)
{
	char dir[] = "/tmp/check_breach_XXXXXX", file[128], hex[41];
	sc_report_t *rep = NULL;
	sc_ctx_t *ctx = NULL;
	FILE *fp;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(file, sizeof(file), "%s/c.txt", dir);
	fp = fopen(file, "w");
	hex_of("alice@example.invalid", hex);
	fprintf(fp, "%s:4\n", hex);
	fclose(fp);
	ctx = corpus_ctx(file);
	ck_assert_int_eq(sc_check(ctx, "Alice@Example.invalid", &rep), SC_OK);
	ck_assert_ptr_nonnull(strstr(detail_of(rep, "breach.found"),
	                             "seen 4 times"));
	ck_assert_int_eq(sc_report_verdict(rep), SC_VERDICT_INSECURE);
	sc_report_free(rep);
	sc_ctx_free(ctx);
	unlink(file);
	rmdir(dir);
}
END_TEST

/* An index with no record (built with SC_CORPUS_ALLOW_EMPTY) is refused
 * by the check, as a text list without a hash is: breach.unverified,
 * never "not breached". */
START_TEST(test_check_refuses_empty_index)
{
	char dir[] = "/tmp/check_breach_XXXXXX", txt[128], idx[128];
	sc_report_t *rep = NULL;
	sc_ctx_t *ctx = NULL;
	FILE *fp;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(txt, sizeof(txt), "%s/none.txt", dir);
	snprintf(idx, sizeof(idx), "%s/none.idx", dir);
	fp = fopen(txt, "w");
	ck_assert_ptr_nonnull(fp);
	fclose(fp);
	ck_assert_int_eq(sc_corpus_build_ex(txt, idx, 0, SC_CORPUS_ALLOW_EMPTY,
	                                    NULL, NULL, NULL), SC_OK);
	ctx = corpus_ctx(idx);
	ck_assert_int_eq(sc_check(ctx, "alice@example.invalid", &rep), SC_OK);
	ck_assert_ptr_nonnull(strstr(detail_of(rep, "breach.unverified"),
	                             "holds no hash"));
	ck_assert_int_ne(sc_report_verdict(rep), SC_VERDICT_SECURE);
	sc_report_free(rep);
	sc_ctx_free(ctx);
	unlink(txt);
	unlink(idx);
	rmdir(dir);
}
END_TEST

Suite *breach_suite(void)
{
	Suite *s = suite_create("breach");
	TCase *t = tcase_create("hash");
	TCase *c = tcase_create("canonical");
	TCase *r = tcase_create("range");
	TCase *a = tcase_create("assess");

	tcase_add_test(t, test_sha1_vectors);
	tcase_add_test(t, test_normalize);
	tcase_add_test(t, test_hex_decode);
	suite_add_tcase(s, t);
	tcase_add_checked_fixture(c, load_shipped, clear_shipped);
	tcase_add_test(c, test_canonical_forms);
	tcase_add_test(c, test_canonical_syntax);
	tcase_add_test(c, test_canonical_public);
	suite_add_tcase(s, c);
	tcase_set_timeout(r, 30);
	tcase_add_test(r, test_range_text);
	tcase_add_test(r, test_range_json);
	tcase_add_test(r, test_range_garbage);
	tcase_add_test(r, test_range_huge);
	tcase_add_test(r, test_range_out_of_memory);
	suite_add_tcase(s, r);
	tcase_set_timeout(a, 30);
	tcase_add_test(a, test_assess_nothing);
	tcase_add_test(a, test_assess_found);
	tcase_add_test(a, test_assess_unverified);
	tcase_add_test(a, test_ids_have_rules);
	tcase_add_test(a, test_check_with_corpus);
	tcase_add_test(a, test_check_refuses_empty_index);
	suite_add_tcase(s, a);
	return s;
}
