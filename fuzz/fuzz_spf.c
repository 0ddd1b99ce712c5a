/* SPF record syntax (scorer/spf_parse.c): a TXT string as a hostile
 * domain could publish it. */
#include "fuzz.h"

#include "spf_parse.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spf_record rec;
	struct spf_error err;
	char *in = fuzz_copy(data, size);
	size_t i;

	(void)sc_spf_is_record(in, size);
	memset(&rec, 0, sizeof(rec));
	if (sc_spf_parse(in, size, &rec, &err) == SC_OK) {
		for (i = 0; i < rec.n; i++) {
			const struct spf_term *t = &rec.term[i];

			if (t->pos + t->len > size)
				abort(); /* a term outside the record */
			if (t->spec != NULL)
				(void)sc_spf_spec_uses_p(t->spec);
		}
	}
	sc_spf_record_clear(&rec);
	free(in);
	return 0;
}
