/*
 * One runner for every unit suite.  The suite list is generated from the
 * tests/check_*.c files (build/suites.h), so adding a file adds its suite.
 * CK_RUN_SUITE=name and CK_RUN_CASE=name run one, as Check documents.
 */
#include <stdlib.h>

#include <check.h>

#include "testutil.h"

#define SUITE(fn) Suite *fn(void);
#include "suites.h"
#undef SUITE

int
main(void)
{
	SRunner *sr = srunner_create(NULL);
	int failed;

#define SUITE(fn) srunner_add_suite(sr, fn());
#include "suites.h"
#undef SUITE
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
