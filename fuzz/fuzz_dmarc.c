/* DMARC records (scorer/dmarc_parse.c). */
#include "fuzz.h"

#include "dmarc_parse.h"

static void
span_ok(const struct sc_span *s, size_t size)
{
	if (s->off > size || s->len > size - s->off)
		abort(); /* a span outside the record */
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sc_dmarc_record rec;
	char *in = fuzz_copy(data, size);
	size_t i;

	(void)sc_dmarc_kind(in, size);
	memset(&rec, 0, sizeof(rec));
	(void)sc_dmarc_parse(in, size, &rec);
	if (rec.nrua > SC_DMARC_MAX_URI || rec.nruf > SC_DMARC_MAX_URI)
		abort();
	for (i = 0; i < rec.nrua; i++) {
		span_ok(&rec.rua[i].uri, size);
		span_ok(&rec.rua[i].host, size);
	}
	for (i = 0; i < rec.nruf; i++) {
		span_ok(&rec.ruf[i].uri, size);
		span_ok(&rec.ruf[i].host, size);
	}
	span_ok(&rec.fo, size);
	if (memchr(rec.err.reason, '\0', sizeof(rec.err.reason)) == NULL)
		abort();
	(void)sc_dmarc_policy_str(rec.p);
	free(in);
	return 0;
}
