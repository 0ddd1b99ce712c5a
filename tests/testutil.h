/* Helpers shared by the unit suites. */
#ifndef SC_TESTUTIL_H
#define SC_TESTUTIL_H

#include <stdio.h>
#include <stdlib.h>

/* The published suites copied into the tree, tests/conformance/data
 * ($CONFORMANCE_DIR, set by the Makefile). */
static inline const char *
test_conformance_dir(void)
{
	const char *d = getenv("CONFORMANCE_DIR");
	return d != NULL ? d : "tests/conformance/data";
}

/* The rules/ of the source tree ($SC_RULES_DIR, set by the Makefile). */
static inline const char *
test_rules_dir(void)
{
	const char *d = getenv("SC_RULES_DIR");
	return d != NULL ? d : "rules";
}

/* tests/data ($SC_TESTDATA). */
static inline const char *
test_data_dir(void)
{
	const char *d = getenv("SC_TESTDATA");
	return d != NULL ? d : "tests/data";
}

#endif
