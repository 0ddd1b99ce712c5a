/* A breach range API answer (scorer/breach_range.c): the JSON or the text
 * form, as a hostile or broken server could send it. */
#include "fuzz.h"

#include "breach.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sc_range r;
	char err[256], *in = fuzz_copy(data, size);
	size_t i;

	memset(&r, 0, sizeof(r));
	if (sc_range_parse(in, size, &r, err, sizeof(err)) == SC_OK) {
		if (r.n > SC_RANGE_MAX_ENTRIES)
			abort();
		for (i = 0; i < r.n; i++)
			if (sc_range_find(&r, r.e[i].suffix) == NULL)
				abort(); /* sorted and searchable */
		if (size >= SC_RANGE_SUFFIX)
			(void)sc_range_find(&r, (const unsigned char *)in);
	}
	sc_range_clear(&r);
	free(in);
	return 0;
}
