/* A text hash list compiled into an index (scorer/corpus_build.c), as
 * `scorer corpus build` and sc_corpus_load() of a text list do, with a
 * memory budget small enough that inputs of a few KiB spill sorted runs
 * to temporary files and merge them.  Then the index is opened: what the
 * builder writes, the loader must accept. */
#define _GNU_SOURCE
#include "fuzz.h"

#include <sys/mman.h>

#include "corpus.h"

static const char *const files[] = { NULL }; /* runs are unlinked */

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *dir = fuzz_tmpdir(files);
	sc_corpus_stats_t stats = { .size = sizeof(stats) };
	struct sc_corpus *c = NULL;
	char path[64], err[256];
	int in, out;

	in = memfd_create("scorer-fuzz-in", MFD_CLOEXEC);
	out = memfd_create("scorer-fuzz-out", MFD_CLOEXEC);
	if (in < 0 || out < 0)
		abort();
	if (size && write(in, data, size) != (ssize_t)size)
		abort();
	(void)lseek(in, 0, SEEK_SET);
	/* 64 records (the minimum) per run. */
	if (sc_corpus_build_fd(in, out, dir, 1, 0, NULL, NULL, &stats) == SC_OK &&
	    stats.records > 0) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", out);
		if (sc_corpus_load(path, &c, err, sizeof(err)) != SC_OK) {
			fprintf(stderr, "builder output refused: %s\n", err);
			abort();
		}
		if (c->n != stats.records)
			abort();
		sc_corpus_unload(c);
	}
	close(in);
	close(out);
	return 0;
}
