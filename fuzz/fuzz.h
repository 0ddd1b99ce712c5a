/*
 * Helpers shared by the fuzz targets (fuzz/fuzz_*.c).  Header-only, so each
 * target stays one file; nothing here may hide a bug from the sanitizers
 * (copies are exact-size heap blocks, so ASan sees every overread).
 */
#ifndef SC_FUZZ_H
#define SC_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input as a NUL-terminated heap string (exactly n + 1 bytes), for
 * interfaces that take C strings.  A NUL inside simply ends it early. */
static inline char *
fuzz_cstr(const uint8_t *data, size_t n)
{
	char *s = malloc(n + 1);

	if (s == NULL)
		abort();
	memcpy(s, data, n);
	s[n] = '\0';
	return s;
}

/* The input as an exact-size heap block, so that reading one byte past
 * the length is an ASan error even when libFuzzer's buffer is larger. */
static inline char *
fuzz_copy(const uint8_t *data, size_t n)
{
	char *s = malloc(n ? n : 1);

	if (s == NULL)
		abort();
	if (n)
		memcpy(s, data, n);
	return s;
}

/* Split the input at the first "\n---\n" (how seeds give two inputs, e.g.
 * findings.ini and scoring.ini): *a is before it, *b after (empty if the
 * separator is missing). */
static inline void
fuzz_split(const uint8_t *data, size_t n, size_t *alen, const uint8_t **b,
           size_t *blen)
{
	static const char sep[] = "\n---\n";
	size_t i;

	for (i = 0; i + sizeof(sep) - 1 <= n; i++)
		if (memcmp(data + i, sep, sizeof(sep) - 1) == 0) {
			*alen = i;
			*b = data + i + sizeof(sep) - 1;
			*blen = n - i - (sizeof(sep) - 1);
			return;
		}
	*alen = n;
	*b = data + n;
	*blen = 0;
}

/* A private directory for targets whose parser reads files (rules,
 * lists), created once per process and removed at exit.  /dev/shm when
 * it exists: the disk is not worth wearing out a million times. */
static char fuzz_dir[64];
static const char *const *fuzz_dir_files;

static inline void
fuzz_dir_cleanup(void)
{
	char path[128];
	size_t i;

	for (i = 0; fuzz_dir_files != NULL && fuzz_dir_files[i] != NULL; i++) {
		snprintf(path, sizeof(path), "%s/%s", fuzz_dir, fuzz_dir_files[i]);
		(void)unlink(path);
	}
	(void)rmdir(fuzz_dir);
}

/* files: the names the target writes, NULL-terminated (for cleanup). */
static inline const char *
fuzz_tmpdir(const char *const *files)
{
	if (fuzz_dir[0] == '\0') {
		const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm"
		                                                 : "/tmp";

		snprintf(fuzz_dir, sizeof(fuzz_dir), "%s/scorer-fuzz-XXXXXX",
		         base);
		if (mkdtemp(fuzz_dir) == NULL)
			abort();
		fuzz_dir_files = files;
		atexit(fuzz_dir_cleanup);
	}
	return fuzz_dir;
}

/* Write data to DIR/name; aborts on failure (a broken harness, not a
 * finding). */
static inline void
fuzz_write(const char *dir, const char *name, const uint8_t *data, size_t n)
{
	char path[128];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "wb");
	if (fp == NULL || (n && fwrite(data, 1, n, fp) != n) || fclose(fp) != 0)
		abort();
}

#endif
