/* Address syntax (scorer/address.c): any bytes, any length. */
#include "fuzz.h"

#include "address.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sc_address a;
	char err[128];
	char *in = fuzz_copy(data, size);

	memset(&a, 0, sizeof(a));
	memset(err, 'x', sizeof(err));
	if (sc_address_parse(in, size, &a, err, sizeof(err)) == SC_OK) {
		/* What the checks rely on: both forms present, and the ASCII
		 * one really ASCII. */
		const char *p;

		if (a.local == NULL || a.domain_utf8 == NULL ||
		    a.domain_ascii == NULL)
			abort();
		for (p = a.domain_ascii; *p; p++)
			if ((unsigned char)*p >= 0x80)
				abort();
	} else if (memchr(err, '\0', sizeof(err)) == NULL) {
		abort(); /* err must always be terminated */
	}
	sc_address_clear(&a);
	/* A short error buffer must be cut, never overrun. */
	(void)sc_address_parse(in, size, &a, err, 1);
	sc_address_clear(&a);
	free(in);
	return 0;
}
