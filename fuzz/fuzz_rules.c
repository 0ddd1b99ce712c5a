/* The rules files (scorer/rules.c through libinih): findings.ini, then
 * "\n---\n", then scoring.ini, written to a private directory and loaded
 * as sc_ctx_set_rules_dir() would. */
#include "fuzz.h"

#include "rules.h"

static const char *const files[] = { "findings.ini", "scoring.ini", NULL };

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *dir = fuzz_tmpdir(files);
	struct sc_rules r;
	const uint8_t *b;
	size_t alen, blen, i;
	char err[256];

	fuzz_split(data, size, &alen, &b, &blen);
	fuzz_write(dir, "findings.ini", data, alen);
	fuzz_write(dir, "scoring.ini", b, blen);
	memset(err, 'x', sizeof(err));
	if (sc_rules_load(dir, &r, err, sizeof(err)) == SC_OK) {
		for (i = 0; i < r.nrule; i++) {
			if (r.rule[i].f.id == NULL || r.rule[i].f.title == NULL)
				abort();
			if (sc_rules_find(&r, r.rule[i].f.id) == NULL)
				abort();
		}
	}
	if (memchr(err, '\0', sizeof(err)) == NULL)
		abort();
	sc_rules_clear(&r);
	return 0;
}
