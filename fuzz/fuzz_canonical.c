/* rules/canonical.ini (provider-canonical address forms, scorer/hash.c
 * through libinih), then the rules applied to an address given after
 * "\n---\n". */
#include "fuzz.h"

#include "hash.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sc_canon c;
	const uint8_t *b;
	size_t alen, blen;
	char err[256], *text, *addr, *out = NULL;

	fuzz_split(data, size, &alen, &b, &blen);
	text = fuzz_cstr(data, alen);
	addr = fuzz_cstr(b, blen);
	if (sc_canon_parse(text, &c, err, sizeof(err)) == SC_OK) {
		if (sc_canon_apply(&c, addr, &out) == SC_OK)
			sc_free(out);
		out = NULL;
		if (sc_canon_apply(&c, "First.Last+tag@gmail.com", &out) == SC_OK)
			sc_free(out);
	}
	sc_canon_clear(&c);
	free(text);
	free(addr);
	return 0;
}
