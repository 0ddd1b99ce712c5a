/* Lines of a breach hash list ("HASH" or "HASH:COUNT",
 * scorer/corpus.c), cut at newlines as the builder cuts them. */
#include "fuzz.h"

#include "corpus.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char hash[SC_SHA1_LEN];
	uint32_t count;
	int has;
	size_t start = 0, i;

	for (i = 0; i <= size; i++) {
		if (i == size || data[i] == '\n') {
			char *line = fuzz_copy(data + start, i - start);

			(void)sc_corpus_parse_line(line, i - start, hash, &count, &has);
			free(line);
			start = i + 1;
		}
	}
	return 0;
}
