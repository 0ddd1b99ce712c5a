/* The CLI's batch input (scorer/tool/tool_batch_input.c, compiled into this
 * target): plain, numbered and CSV (libcsv) from a FILE * over the input.
 * The first byte picks the mode. */
#include "fuzz.h"

#include "tool_batch.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum batch_in_mode modes[] = {
		BATCH_IN_PLAIN, BATCH_IN_NUMBERED, BATCH_IN_CSV
	};
	struct batch_in in;
	struct batch_rec rec;
	char *buf;
	FILE *fp;
	int n, rc;

	if (size < 1)
		return 0;
	buf = fuzz_copy(data + 1, size - 1);
	fp = fmemopen(buf, size - 1 ? size - 1 : 1, "r");
	if (fp == NULL)
		abort();
	if (size == 1)
		(void)getc(fp); /* fmemopen wants a size >= 1: make it empty */
	if (batch_in_open(&in, fp, "fuzz input", modes[data[0] % 3],
	                  "email") == 0) {
		/* Every record ends: a bound far above what the input could
		 * hold proves the reader always makes progress. */
		for (n = 0; n <= (int)size + 2; n++) {
			rc = batch_in_next(&in, &rec);
			if (rc <= 0)
				break;
			if ((rec.address == NULL) == (rec.error == NULL))
				abort(); /* an address or an error, never both */
			batch_rec_clear(&rec);
		}
		if (n > (int)size + 2)
			abort();
	}
	batch_in_close(&in);
	fclose(fp);
	free(buf);
	return 0;
}
