/*
 * The breach corpus: SHA-1 hashes of addresses, from a text hash list
 * ("HASH" or "HASH:COUNT" a line, as Have I Been Pwned publishes them) or
 * from a compiled index, memory-mapped.  The byte layout of the index is
 * in docs/breach.md; in short (all integers little-endian):
 *
 *   header (64 bytes): magic, version, record count, prefix bits B, record
 *       size, key bytes, sum of counts, flags, table and record offsets
 *   prefix table: 2^B + 1 u64, table[i] = the first record whose hash
 *       starts with the B-bit value i; table[2^B] = the record count
 *   records: sorted by hash, each bytes 2..19 of the hash (the first two
 *       are implied by the bucket, B >= 16) and a u32 count
 *
 * A lookup reads one table entry and the few records of one bucket,
 * guessing the position inside it from the hash (hashes are uniform).
 */
#ifndef SC_CORPUS_H
#define SC_CORPUS_H

#include <stddef.h>
#include <stdint.h>

#include "scorer.h"

#define SC_CORPUS_MAGIC "\x89SCBX\r\n\x1a"
#define SC_CORPUS_MAGIC_LEN 8
#define SC_CORPUS_VERSION 1u
#define SC_CORPUS_HEADER 64u
#define SC_CORPUS_SKIP 2u      /* leading hash bytes the bucket implies */
#define SC_CORPUS_KEY 18u      /* hash bytes stored per record */
#define SC_CORPUS_RECORD 22u   /* key + u32 count */
#define SC_CORPUS_MIN_BITS 16u
#define SC_CORPUS_MAX_BITS 22u /* a 32 MiB table: bounded build memory */
#define SC_CORPUS_FLAG_COUNTS 1u

#define SC_SHA1_LEN 20

/* A text list opened as a corpus is compiled on every open: beyond this
 * size it must be compiled once with `scorer corpus build` (and a file
 * that never ends is refused rather than read for ever). */
#define SC_CORPUS_TEXT_MAX ((uint64_t)1 << 30)

struct sc_corpus {
	unsigned char *map;       /* the whole index, read-only */
	size_t len;
	uint64_t n;               /* records */
	uint64_t total;           /* sum of the counts */
	unsigned bits;
	uint32_t flags;
	const unsigned char *table;
	const unsigned char *rec;
	int from_text;            /* compiled from a text list when opened */
	uint64_t malformed;       /* ... and its malformed lines */
};

/* Parse one line of a text hash list (without its newline): 1 and the
 * hash (and count, and whether one was given) for a good line, 0 for a
 * blank one, -1 for a malformed one.  Pure. */
int sc_corpus_parse_line(const char *s, size_t len,
                         unsigned char hash[SC_SHA1_LEN], uint32_t *count,
                         int *has_count);

/* Open path, an index or a text list (compiled on the fly into an
 * unlinked temporary file).  err gets a message on failure. */
sc_status_t sc_corpus_load(const char *path, struct sc_corpus **out,
                           char *err, size_t errlen);
void sc_corpus_unload(struct sc_corpus *c);

/* Is hash in the corpus?  1 and its count (0: none given), or 0. */
int sc_corpus_find(const struct sc_corpus *c,
                   const unsigned char hash[SC_SHA1_LEN], uint32_t *count);

/* Compile the text list on in_fd into an index on out_fd (positioned at
 * 0, empty, seekable).  Sorted runs go to unlinked temporary files in
 * tmpdir when the input does not fit in mem bytes.  An input over
 * max_bytes (0: no limit), or one that is not a hash list (a line of
 * junk over 16 MiB, 1000 junk lines outnumbering the hashes), stops the
 * build early with SC_EINVAL. */
sc_status_t sc_corpus_build_fd(int in_fd, int out_fd, const char *tmpdir,
                               size_t mem, uint64_t max_bytes,
                               sc_corpus_progress_cb progress, void *ud,
                               sc_corpus_stats_t *stats);

/* Does the file start with the index magic (or its first byte)? */
int sc_corpus_is_index(const unsigned char *head, size_t len);

/* Little-endian encoding of the format. */
static inline uint64_t
sc_le64(const unsigned char *p)
{
	return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 |
	       (uint64_t)p[3] << 24 | (uint64_t)p[4] << 32 |
	       (uint64_t)p[5] << 40 | (uint64_t)p[6] << 48 |
	       (uint64_t)p[7] << 56;
}

static inline uint32_t
sc_le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static inline void
sc_put_le64(unsigned char *p, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static inline void
sc_put_le32(unsigned char *p, uint32_t v)
{
	int i;

	for (i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

#endif
