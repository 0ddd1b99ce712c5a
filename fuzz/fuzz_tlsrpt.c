/* TLS-RPT records (scorer/tlsrpt_parse.c). */
#include "fuzz.h"

#include "tlsrpt_parse.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sc_tlsrpt_record rec;
	char *in = fuzz_copy(data, size);
	size_t i;

	(void)sc_tlsrpt_kind(in, size);
	memset(&rec, 0, sizeof(rec));
	(void)sc_tlsrpt_parse(in, size, &rec);
	if (rec.nrua > SC_TLSRPT_MAX_URI)
		abort();
	for (i = 0; i < rec.nrua; i++)
		if (rec.rua[i].off > size || rec.rua[i].len > size - rec.rua[i].off)
			abort();
	if (memchr(rec.reason, '\0', sizeof(rec.reason)) == NULL)
		abort();
	free(in);
	return 0;
}
