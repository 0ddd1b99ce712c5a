/*
 * The libcurl adapter (scorer/http.c): libcurl is loaded at the first
 * fetch, not at start; a library that cannot be loaded, or is not
 * libcurl, fails the fetch with SC_EIO and says why, and the next fetch
 * tries again.
 */
#include <check.h>
#include <string.h>

#include "http.h"
#include "internal.h"
#include "loop.h"

static int done_calls;

static void
on_done(struct sc_fetch *f, void *arg)
{
	(void)arg;
	ck_assert_int_ne(f->outcome, SC_FETCH_OK);
	done_calls++;
}

/* GET a port where nothing listens: SC_OK and a failed outcome once
 * libcurl is there, or the status of the load. */
static sc_status_t
fetch_closed_port(struct sc_fetch *f, int run)
{
	struct sc_loop loop;
	struct sc_http http;
	sc_status_t st;
	int i;

	sc_loop_init(&loop);
	ck_assert_int_eq(sc_http_init(&http, &loop), SC_OK);
	memset(f, 0, sizeof(*f));
	f->timeout_ms = 2000;
	done_calls = 0;
	st = sc_http_get(&http, f, "http://127.0.0.1:9/x", on_done, NULL);
	for (i = 0; run && st == SC_OK && i < 100 && done_calls == 0; i++)
		ck_assert_int_eq(sc_loop_once(&loop, 50), SC_OK);
	sc_fetch_clear(f);
	sc_http_clear(&http);
	sc_loop_clear(&loop);
	return st;
}

START_TEST(test_load_failure)
{
	struct sc_fetch f;

	sc_http_test_library("libscorer-test-no-such-curl.so.4");
	ck_assert_int_eq(fetch_closed_port(&f, 0), SC_EIO);
	ck_assert_ptr_nonnull(strstr(sc_http_error(), "cannot load libcurl"));
	/* A library that is not libcurl. */
	sc_http_test_library("libc.so.6");
	ck_assert_int_eq(fetch_closed_port(&f, 0), SC_EIO);
	ck_assert_ptr_nonnull(strstr(sc_http_error(),
	                             "has no curl_global_init"));
	/* The default again: loaded at this fetch, which runs. */
	sc_http_test_library(NULL);
	ck_assert_int_eq(fetch_closed_port(&f, 1), SC_OK);
	ck_assert_int_eq(done_calls, 1);
}
END_TEST

/* A fetch that never started owns nothing of libcurl's: clearing it
 * needs no libcurl. */
START_TEST(test_clear_unstarted)
{
	struct sc_fetch f;

	sc_http_test_library("libscorer-test-no-such-curl.so.4");
	memset(&f, 0, sizeof(f));
	f.body = sc_strdup("canned");
	sc_fetch_clear(&f);
	ck_assert_ptr_null(f.body);
	sc_http_test_library(NULL);
}
END_TEST

Suite *http_suite(void)
{
	Suite *s = suite_create("http");
	TCase *tc = tcase_create("load");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_load_failure);
	tcase_add_test(tc, test_clear_unstarted);
	suite_add_tcase(s, tc);
	return s;
}
