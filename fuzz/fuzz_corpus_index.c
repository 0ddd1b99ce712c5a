/* A compiled breach corpus index as sc_corpus_load() opens it
 * (scorer/corpus.c): the header and prefix table checks, then lookups.
 * The input follows the 8-byte magic, so every input is taken for an
 * index (text lists are fuzz_corpus_build's).  The file lives in memory
 * (memfd), so a million loads cost no disk.  A valid index is at least
 * 512 KiB (a 2^16-entry table): run with -max_len=600000 (fuzz/run.sh). */
#define _GNU_SOURCE
#include "fuzz.h"

#include <sys/mman.h>

#include "corpus.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned char probe[3][SC_SHA1_LEN] = {
		{ 0 },
		{ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
		{ 0x5b, 0xaa, 0x61, 0xe4, 0xc9, 0xb9, 0x3f, 0x3f, 0x06, 0x82,
		  0x25, 0x0b, 0x6c, 0xf8, 0x33, 0x1b, 0x7e, 0xe6, 0x8f, 0xd8 }
	};
	struct sc_corpus *c = NULL;
	char path[64], err[256];
	uint32_t count;
	int fd, i;

	fd = memfd_create("scorer-fuzz-corpus", MFD_CLOEXEC);
	if (fd < 0)
		abort();
	if (write(fd, SC_CORPUS_MAGIC, SC_CORPUS_MAGIC_LEN) !=
	        SC_CORPUS_MAGIC_LEN ||
	    (size && write(fd, data, size) != (ssize_t)size))
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (sc_corpus_load(path, &c, err, sizeof(err)) == SC_OK) {
		for (i = 0; i < 3; i++)
			(void)sc_corpus_find(c, probe[i], &count);
		/* A hash taken from the input itself, so that lookups land
		 * in the buckets the fuzzer fills. */
		if (size >= SC_SHA1_LEN)
			(void)sc_corpus_find(c, data + size - SC_SHA1_LEN, &count);
		sc_corpus_unload(c);
	}
	close(fd);
	return 0;
}
