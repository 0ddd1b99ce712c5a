/*
 * The organizational domain (RFC 7489 3.2) against the Public Suffix
 * List's own test vectors: tests/conformance/data/publicsuffix/tests.txt (the
 * checkPublicSuffix cases, "input expected" per line, "null" for none),
 * run through sc_registrable(), the function the engine uses, with the
 * suite's pinned public_suffix_list.dat loaded through psl_load_file() so
 * that the expectations match the list they were written for.
 *
 * The engine only ever asks about domains in lower case (the address
 * parser folds them), and libpsl wants them so; the vectors with upper
 * case are therefore folded first, as libpsl's own test of this file
 * does.  The expected value keeps the input's form (U-label or A-label).
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "engine.h"
#include "internal.h"
#include "testutil.h"

static void
ascii_lower(char *s)
{
	for (; *s != '\0'; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

START_TEST(test_publicsuffix_vectors)
{
	struct sc_ctx ctx;
	char path[1024], line[1024], in[512], want[512];
	unsigned agree = 0, differ = 0, lineno = 0;
	FILE *fp;

	memset(&ctx, 0, sizeof(ctx));
	snprintf(path, sizeof(path), "%s/publicsuffix/public_suffix_list.dat",
	         test_conformance_dir());
	ctx.psl = psl_load_file(path);
	ck_assert_msg(ctx.psl != NULL, "cannot load %s", path);
	snprintf(path, sizeof(path), "%s/publicsuffix/tests.txt",
	         test_conformance_dir());
	fp = fopen(path, "r");
	ck_assert_msg(fp != NULL, "cannot open %s", path);
	while (fgets(line, sizeof(line), fp) != NULL) {
		char *got = NULL;
		const char *expect;

		lineno++;
		if (line[0] == '/' || sscanf(line, "%511s %511s", in, want) != 2)
			continue; /* comments (and commented-out vectors) */
		expect = strcmp(want, "null") == 0 ? NULL : want;
		if (strcmp(in, "null") != 0) {
			ascii_lower(in);
			got = sc_registrable(&ctx, in);
		}
		if ((got == NULL && expect == NULL) ||
		    (got != NULL && expect != NULL && strcmp(got, expect) == 0)) {
			agree++;
		} else {
			differ++;
			fprintf(stderr, "psl: tests.txt:%u: %s: got %s, "
			        "expected %s\n", lineno, in, got ? got : "null",
			        want);
		}
		sc_free(got);
	}
	fclose(fp);
	psl_free(ctx.psl);
	fprintf(stderr, "psl: tests.txt: %u agree, %u differ\n", agree, differ);
	ck_assert_uint_eq(differ, 0);
	ck_assert_uint_eq(agree, 78);
}
END_TEST

/* Without a list (no publicsuffix data at all) there is no organizational
 * domain to fall back to: NULL, never a guess. */
START_TEST(test_no_list)
{
	struct sc_ctx ctx;

	memset(&ctx, 0, sizeof(ctx));
	ck_assert_ptr_null(sc_registrable(&ctx, "a.example.com"));
}
END_TEST

/* A name from an answer may hold a dot inside a label, which c-ares
 * writes "\\."; the registrable domain is made of whole labels (the
 * engine asks its NS when an MX host does not resolve). */
START_TEST(test_escaped_dot)
{
	static const char *const v[][2] = {
		{ "mx.ex\\.ample.com", "ex\\.ample.com" },
		{ "a.b\\.example.com", "b\\.example.com" },
		{ "mail\\.x\\007.example.com", "example.com" },
		{ "x.a\\\\.example.com", "example.com" },
		{ "mx.example.com", "example.com" },
	};
	struct sc_ctx ctx;
	size_t i;

	memset(&ctx, 0, sizeof(ctx));
	ctx.psl = psl_latest(NULL);
	ck_assert_ptr_nonnull(ctx.psl);
	for (i = 0; i < SC_ARRAY_LEN(v); i++) {
		char *got = sc_registrable(&ctx, v[i][0]);

		ck_assert_msg(got != NULL && strcmp(got, v[i][1]) == 0,
		              "%s: %s, not %s", v[i][0], got ? got : "NULL",
		              v[i][1]);
		sc_free(got);
	}
	psl_free(ctx.psl);
}
END_TEST

Suite *psl_suite(void)
{
	Suite *s = suite_create("psl");
	TCase *tc = tcase_create("conformance");

	tcase_add_test(tc, test_publicsuffix_vectors);
	tcase_add_test(tc, test_no_list);
	tcase_add_test(tc, test_escaped_dot);
	suite_add_tcase(s, tc);
	return s;
}
