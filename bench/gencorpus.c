/*
 * gencorpus N FILE: a synthetic breach corpus of N random SHA-1-like
 * hashes, "HASH:COUNT" a line (the Have I Been Pwned text form), in random
 * order.  A fixed seed, so every run of the benchmark reads the same list.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint64_t state = 0x9E3779B97F4A7C15ull;

/* xorshift64*: fast, and plenty random for uniform hashes. */
static uint64_t
next(void)
{
	state ^= state >> 12;
	state ^= state << 25;
	state ^= state >> 27;
	return state * 0x2545F4914F6CDD1Dull;
}

int
main(int argc, char **argv)
{
	static const char hex[] = "0123456789ABCDEF";
	static char buf[1 << 20];
	unsigned long long n, i;
	size_t k = 0;
	FILE *fp;
	int j;

	if (argc != 3 || (n = strtoull(argv[1], NULL, 10)) == 0) {
		fprintf(stderr, "usage: gencorpus N FILE\n");
		return 2;
	}
	if ((fp = fopen(argv[2], "w")) == NULL) {
		perror(argv[2]);
		return 1;
	}
	for (i = 0; i < n; i++) {
		uint64_t w[3] = { next(), next(), next() };

		if (k + 64 > sizeof(buf)) {
			fwrite(buf, 1, k, fp);
			k = 0;
		}
		for (j = 0; j < 40; j++)
			buf[k++] = hex[(w[j / 16] >> (4 * (j % 16))) & 15];
		k += (size_t)snprintf(buf + k, 16, ":%u\n",
		                      (unsigned)(w[2] >> 48) % 1000 + 1);
	}
	fwrite(buf, 1, k, fp);
	return fclose(fp) == 0 ? 0 : 1;
}
