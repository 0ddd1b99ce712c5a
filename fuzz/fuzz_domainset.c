/* The data lists of rules/ (scorer/domainset.c): one name a line. */
#include "fuzz.h"

#include "domainset.h"

static const char *const files[] = { "list.txt", NULL };

static void
visit(const char *name, void *arg)
{
	(void)arg;
	if (strlen(name) > 253)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *dir = fuzz_tmpdir(files);
	struct sc_domainset *set = NULL;
	char path[128], err[256];

	fuzz_write(dir, "list.txt", data, size);
	snprintf(path, sizeof(path), "%s/list.txt", dir);
	if (sc_domainset_load(path, &set, err, sizeof(err)) == SC_OK) {
		(void)sc_domainset_match(set, "x.mailinator.com");
		(void)sc_domainset_contains(set, "example.com");
		(void)sc_domainset_count(set);
		sc_domainset_foreach(set, visit, NULL);
	}
	sc_domainset_free(set);
	return 0;
}
