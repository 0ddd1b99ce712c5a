/*
 * corpus_bench DIR: the breach corpus index against what people do with a
 * sorted text list and look(1).  Reads DIR/corpus.txt (bench/gencorpus),
 * and prints, without asserting anything (figures depend on the machine):
 *   - the build: time, peak memory, sorted runs;
 *   - the index: bytes per hash, bytes mapped;
 *   - lookups per second on one core, present and absent keys (the hash
 *     given, as the check has it after one SHA-1), and the SHA-1 itself;
 *   - the same keys by binary search over the sorted text list.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "corpus.h"
#include "hash.h"
#include "internal.h"

#define NKEYS 1000000
#define ROUNDS 5

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
die(const char *what)
{
	fprintf(stderr, "corpus_bench: %s\n", what);
	exit(1);
}

/* The first NKEYS hashes of the list: all present, in random order. */
static unsigned char *
present_keys(const char *path)
{
	unsigned char *keys = malloc((size_t)NKEYS * SC_SHA1_LEN);
	char line[128];
	FILE *fp = fopen(path, "r");
	size_t i = 0;

	if (fp == NULL || keys == NULL)
		die("cannot read the corpus");
	while (i < NKEYS && fgets(line, sizeof(line), fp) != NULL)
		if (sc_hex_decode(line, SC_SHA1_LEN, keys + i * SC_SHA1_LEN) == 0)
			i++;
	fclose(fp);
	if (i < NKEYS)
		die("corpus too small");
	return keys;
}

/* Random keys of another seed: absent (a collision is 2^-100 likely). */
static unsigned char *
absent_keys(void)
{
	unsigned char *keys = malloc((size_t)NKEYS * SC_SHA1_LEN);
	uint64_t s = 12345;
	size_t i;

	if (keys == NULL)
		die("out of memory");
	for (i = 0; i < (size_t)NKEYS * SC_SHA1_LEN; i++) {
		s = s * 6364136223846793005ull + 1442695040888963407ull;
		keys[i] = (unsigned char)(s >> 56);
	}
	return keys;
}

/* The best of ROUNDS passes over the keys: the machine is shared, and
 * the best pass is the one least disturbed by others. */
static double
bench_index(const struct sc_corpus *c, const unsigned char *keys, int want,
            double *ns)
{
	double best = 1e30;
	int r;
	size_t i;

	for (r = 0; r < ROUNDS; r++) {
		unsigned long hits = 0;
		double t0 = now(), t;

		for (i = 0; i < NKEYS; i++)
			hits += (unsigned long)sc_corpus_find(c, keys +
			                                      i * SC_SHA1_LEN, NULL);
		t = now() - t0;
		if (hits != (want ? (unsigned long)NKEYS : 0))
			die("wrong lookup results");
		if (t < best)
			best = t;
	}
	*ns = best * 1e9 / NKEYS;
	return NKEYS / best;
}

/* look(1): bisect byte offsets of the sorted list, back up to a line
 * start, compare the 40 hex digits. */
static int
look(const char *map, size_t len, const char *key)
{
	size_t lo = 0, hi = len;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2, s = mid;
		int cmp;

		while (s > lo && map[s - 1] != '\n')
			s--;
		cmp = memcmp(map + s, key, 40);
		if (cmp == 0)
			return 1;
		if (cmp < 0) {
			const char *nl = memchr(map + s, '\n', len - s);

			lo = nl != NULL ? (size_t)(nl - map) + 1 : len;
		} else {
			hi = s;
		}
	}
	return 0;
}

static double
bench_look(const char *map, size_t len, const unsigned char *keys, int want)
{
	unsigned long hits = 0;
	size_t i, n = NKEYS / 5;
	double t0 = now(), t;
	char hex[41];

	for (i = 0; i < n; i++) {
		sc_hex_upper(keys + i * SC_SHA1_LEN, SC_SHA1_LEN, hex);
		hits += (unsigned long)look(map, len, hex);
	}
	t = now() - t0;
	if (hits != (want ? n : 0))
		die("wrong look results");
	return (double)n / t;
}

/* The sorted text list, as `sort` would make it: from the index. */
static void
write_sorted(const struct sc_corpus *c, const char *path)
{
	FILE *fp = fopen(path, "w");
	unsigned char h[SC_SHA1_LEN];
	uint64_t b, i;
	char hex[41];

	if (fp == NULL)
		die("cannot write the sorted list");
	for (b = 0; b < ((uint64_t)1 << c->bits); b++) {
		uint64_t lo = sc_le64(c->table + 8 * b);
		uint64_t hi = sc_le64(c->table + 8 * (b + 1));

		for (i = lo; i < hi; i++) {
			const unsigned char *r = c->rec + i * SC_CORPUS_RECORD;

			memcpy(h + SC_CORPUS_SKIP, r, SC_CORPUS_KEY);
			/* The bucket gives the top bits; the record has the
			 * rest from byte 2 on, so bytes 0-1 come from b. */
			h[0] = (unsigned char)((b << (32 - c->bits)) >> 24);
			h[1] = (unsigned char)((b << (32 - c->bits)) >> 16);
			sc_hex_upper(h, SC_SHA1_LEN, hex);
			fprintf(fp, "%s:%u\n", hex,
			        sc_le32(r + SC_CORPUS_KEY));
		}
	}
	if (fclose(fp) != 0)
		die("cannot write the sorted list");
}

static size_t
resident(const void *map, size_t len)
{
	size_t pages = (len + 4095) / 4096, i, n = 0;
	unsigned char *v = malloc(pages);

	if (v == NULL || mincore((void *)map, len, v) != 0) {
		free(v);
		return 0;
	}
	for (i = 0; i < pages; i++)
		n += v[i] & 1;
	free(v);
	return n * 4096;
}

int
main(int argc, char **argv)
{
	char txt[4096], idx[4096], sorted[4096], err[512];
	unsigned char *present, *absent, h[SC_SHA1_LEN];
	struct sc_corpus *c = NULL;
	sc_corpus_stats_t st = { .size = sizeof(st) };
	struct rusage ru;
	double t0, t, ns_p, ns_a, rate_p, rate_a;
	struct stat sb;
	size_t i;
	char *map;
	int fd;

	if (argc != 2)
		die("usage: corpus_bench DIR");
	snprintf(txt, sizeof(txt), "%s/corpus.txt", argv[1]);
	snprintf(idx, sizeof(idx), "%s/corpus.idx", argv[1]);
	snprintf(sorted, sizeof(sorted), "%s/corpus-sorted.txt", argv[1]);

	t0 = now();
	if (sc_corpus_build(txt, idx, 256u << 20, NULL, NULL, &st) != SC_OK)
		die(st.errmsg);
	t = now() - t0;
	getrusage(RUSAGE_SELF, &ru);
	printf("build:   %llu lines in %.1f s (%.2f M lines/s), %u sorted "
	       "runs, peak RSS %.0f MiB (memory budget 256 MiB)\n",
	       st.lines, t, (double)st.lines / t / 1e6, st.runs,
	       (double)ru.ru_maxrss / 1024);

	if (sc_corpus_load(idx, &c, err, sizeof(err)) != SC_OK)
		die(err);
	printf("index:   %llu records, %zu bytes, %.2f bytes a hash (22-byte "
	       "records, 2^%u-entry prefix table), %.0f MiB mapped\n",
	       (unsigned long long)c->n, c->len, (double)c->len / (double)c->n,
	       c->bits, (double)c->len / 1048576);

	present = present_keys(txt);
	absent = absent_keys();
	/* Warm the page cache so that the figures are of lookups, not of
	 * the disk: one pass over every key. */
	(void)bench_index(c, present, 1, &ns_p);
	rate_p = bench_index(c, present, 1, &ns_p);
	rate_a = bench_index(c, absent, 0, &ns_a);
	printf("lookup:  present %.2f M/s (%.0f ns), absent %.2f M/s (%.0f ns),"
	       " one core, best of %d x %d random keys; %.0f MiB of the map resident\n",
	       rate_p / 1e6, ns_p, rate_a / 1e6, ns_a, ROUNDS, NKEYS,
	       (double)resident(c->map, c->len) / 1048576);

	t0 = now();
	for (i = 0; i < NKEYS; i++)
		(void)sc_sha1("someone@example.com", 19 + (i & 1), h);
	t = now() - t0;
	printf("sha1:    %.0f ns per address (OpenSSL EVP, once per form "
	       "checked)\n", t * 1e9 / NKEYS);

	write_sorted(c, sorted);
	if ((fd = open(sorted, O_RDONLY)) < 0 || fstat(fd, &sb) != 0)
		die("cannot open the sorted list");
	map = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED)
		die("cannot map the sorted list");
	(void)bench_look(map, (size_t)sb.st_size, present, 1);
	rate_p = bench_look(map, (size_t)sb.st_size, present, 1);
	rate_a = bench_look(map, (size_t)sb.st_size, absent, 0);
	printf("look(1): sorted text list (%.0f MiB, %.2f bytes a hash): "
	       "present %.2f M/s, absent %.2f M/s (binary search on bytes)\n",
	       (double)sb.st_size / 1048576, (double)sb.st_size /
	       (double)c->n, rate_p / 1e6, rate_a / 1e6);
	munmap(map, (size_t)sb.st_size);
	close(fd);
	sc_corpus_unload(c);
	free(present);
	free(absent);
	return 0;
}
