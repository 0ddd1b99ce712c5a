/*
 * The breach corpus index: opening (an index is mapped and checked; a text
 * list is compiled on the fly), lookups, and the public sc_corpus_* calls.
 * The build (external sort) is in corpus_build.c; the layout in corpus.h
 * and docs/breach.md.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "address.h"
#include "corpus.h"
#include "hash.h"
#include "internal.h"

static sc_status_t
fail(char *err, size_t errlen, sc_status_t st, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static sc_status_t
fail(char *err, size_t errlen, sc_status_t st, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return st;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
sc_hex_decode(const char *s, size_t n, unsigned char *out)
{
	size_t i;

	for (i = 0; i < n; i++) {
		int hi = hexval((unsigned char)s[2 * i]);
		int lo = hexval((unsigned char)s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

/* The text format: 40 hex digits, optionally ":" and a decimal count;
 * blanks around, and a CR before the newline, are allowed.  A count
 * beyond 32 bits is kept as the largest one (it is a count, not a key). */
int
sc_corpus_parse_line(const char *s, size_t len,
                     unsigned char hash[SC_SHA1_LEN], uint32_t *count,
                     int *has_count)
{
	uint64_t v = 0;
	size_t i;

	while (len > 0 && (s[len - 1] == '\r' || s[len - 1] == ' ' ||
	                   s[len - 1] == '\t'))
		len--;
	while (len > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	if (len == 0)
		return 0;
	*count = 0;
	*has_count = 0;
	if (len < 2 * SC_SHA1_LEN || sc_hex_decode(s, SC_SHA1_LEN, hash) != 0)
		return -1;
	if (len == 2 * SC_SHA1_LEN)
		return 1;
	if (s[2 * SC_SHA1_LEN] != ':' || len == 2 * SC_SHA1_LEN + 1 ||
	    len > 2 * SC_SHA1_LEN + 1 + 20)
		return -1;
	for (i = 2 * SC_SHA1_LEN + 1; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		if (v <= UINT32_MAX)
			v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*count = v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
	*has_count = 1;
	return 1;
}

/* The first byte alone marks an index: 0x89 starts no text line, so a
 * file that begins with it and then differs has the wrong magic (or is
 * damaged) rather than being a hash list. */
int
sc_corpus_is_index(const unsigned char *head, size_t len)
{
	return len > 0 && head[0] == (unsigned char)SC_CORPUS_MAGIC[0];
}

/* Check everything a lookup relies on, so that a truncated or hostile
 * index is refused here rather than read out of bounds later. */
static sc_status_t
check_index(struct sc_corpus *c, const char *path, char *err, size_t errlen)
{
	const unsigned char *h = c->map;
	uint64_t nslot, table_off, rec_off, prev, i;
	uint32_t version;

	if (c->len < SC_CORPUS_HEADER)
		return fail(err, errlen, SC_EIO, "%s: truncated index (%zu "
		            "bytes, the header alone is %u)", path, c->len,
		            SC_CORPUS_HEADER);
	if (memcmp(h, SC_CORPUS_MAGIC, SC_CORPUS_MAGIC_LEN) != 0)
		return fail(err, errlen, SC_EIO, "%s: not a scorer corpus index "
		            "(wrong magic)", path);
	version = sc_le32(h + 8);
	if (version != SC_CORPUS_VERSION)
		return fail(err, errlen, SC_EIO, "%s: index version %u, this "
		            "scorer reads version %u (rebuild it with scorer "
		            "corpus build)", path, version, SC_CORPUS_VERSION);
	c->n = sc_le64(h + 16);
	c->bits = sc_le32(h + 24);
	c->total = sc_le64(h + 32);
	c->flags = sc_le32(h + 40);
	if (sc_le32(h + 12) != SC_CORPUS_HEADER ||
	    sc_le32(h + 28) != (SC_CORPUS_RECORD | SC_CORPUS_KEY << 16) ||
	    c->bits < SC_CORPUS_MIN_BITS || c->bits > SC_CORPUS_MAX_BITS)
		return fail(err, errlen, SC_EIO, "%s: bad index header", path);
	nslot = ((uint64_t)1 << c->bits) + 1;
	table_off = sc_le64(h + 48);
	rec_off = sc_le64(h + 56);
	if (table_off != SC_CORPUS_HEADER ||
	    rec_off != table_off + nslot * 8 || rec_off > c->len)
		return fail(err, errlen, SC_EIO, "%s: truncated index (the "
		            "prefix table ends past the file)", path);
	if (c->n > (c->len - rec_off) / SC_CORPUS_RECORD)
		return fail(err, errlen, SC_EIO, "%s: truncated index (%llu "
		            "records announced, room for %llu)", path,
		            (unsigned long long)c->n,
		            (unsigned long long)((c->len - rec_off) /
		                                 SC_CORPUS_RECORD));
	if (c->len - rec_off != c->n * SC_CORPUS_RECORD)
		return fail(err, errlen, SC_EIO, "%s: %llu bytes after the "
		            "last record", path, (unsigned long long)(c->len -
		            rec_off - c->n * SC_CORPUS_RECORD));
	c->table = h + table_off;
	c->rec = h + rec_off;
	prev = 0;
	for (i = 0; i < nslot; i++) {
		uint64_t v = sc_le64(c->table + 8 * i);

		if (v < prev || v > c->n || (i == 0 && v != 0) ||
		    (i == nslot - 1 && v != c->n))
			return fail(err, errlen, SC_EIO, "%s: corrupt prefix "
			            "table (entry %llu)", path,
			            (unsigned long long)i);
		prev = v;
	}
	return SC_OK;
}

static sc_status_t
map_fd(struct sc_corpus *c, int fd, const char *path, char *err,
       size_t errlen)
{
	struct stat sb;

	if (fstat(fd, &sb) != 0)
		return fail(err, errlen, SC_EIO, "%s: %s", path, strerror(errno));
	if (!S_ISREG(sb.st_mode))
		return fail(err, errlen, SC_EIO, "%s: not a regular file", path);
	c->len = (size_t)sb.st_size;
	if (c->len < SC_CORPUS_HEADER)
		return check_index(c, path, err, errlen);
	c->map = mmap(NULL, c->len, PROT_READ, MAP_SHARED, fd, 0);
	if (c->map == MAP_FAILED) {
		c->map = NULL;
		return fail(err, errlen, SC_EIO, "%s: mmap: %s", path,
		            strerror(errno));
	}
	/* Lookups jump around: read-ahead would only waste the cache. */
	(void)madvise(c->map, c->len, MADV_RANDOM);
	return check_index(c, path, err, errlen);
}

/* A text list: compile it into an unlinked temporary file, then map it.
 * Nothing is left behind, and the next run compiles again (for large
 * lists `scorer corpus build` once is the better way, docs/breach.md). */
static sc_status_t
load_text(struct sc_corpus *c, int fd, const char *path, char *err,
          size_t errlen)
{
	const char *dir = getenv("TMPDIR");
	sc_corpus_stats_t stats;
	char tmpl[4096];
	sc_status_t st;
	int out;

	if (dir == NULL || *dir == '\0')
		dir = "/tmp";
	if ((size_t)snprintf(tmpl, sizeof(tmpl), "%s/scorer-corpus.XXXXXX",
	                     dir) >= sizeof(tmpl))
		return fail(err, errlen, SC_EIO, "TMPDIR too long");
	out = mkstemp(tmpl);
	if (out < 0)
		return fail(err, errlen, SC_EIO, "%s: %s", tmpl, strerror(errno));
	(void)unlink(tmpl);
	st = sc_corpus_build_fd(fd, out, dir, 0, SC_CORPUS_TEXT_MAX, NULL, NULL,
	                        &stats);
	if (st == SC_EINVAL)
		st = SC_EIO; /* not a hash list: as a bad index is */
	if (st == SC_OK && stats.records == 0)
		st = fail(err, errlen, SC_EIO, "%s: no hash in the file (%llu "
		          "malformed lines, first at line %llu)", path,
		          stats.malformed, stats.nbad ? stats.bad_line[0] : 0);
	else if (st != SC_OK)
		fail(err, errlen, st, "%s: %s", path, stats.errmsg);
	if (st == SC_OK) {
		st = map_fd(c, out, path, err, errlen);
		c->from_text = 1;
		c->malformed = stats.malformed;
	}
	close(out);
	return st;
}

void
sc_corpus_unload(struct sc_corpus *c)
{
	if (c == NULL)
		return;
	if (c->map != NULL)
		munmap(c->map, c->len);
	sc_free(c);
}

sc_status_t
sc_corpus_load(const char *path, struct sc_corpus **out, char *err,
               size_t errlen)
{
	struct sc_corpus *c;
	unsigned char head[1];
	struct stat sb;
	sc_status_t st;
	ssize_t got;
	int fd;

	*out = NULL;
	if ((c = sc_calloc(1, sizeof(*c))) == NULL)
		return fail(err, errlen, SC_ENOMEM, "out of memory");
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		sc_free(c);
		return fail(err, errlen, SC_EIO, "%s: %s", path, strerror(errno));
	}
	/* An index is mapped and a text list compiled whole: a device, a
	 * FIFO or a directory (/dev/zero never ends) is refused at once. */
	if (fstat(fd, &sb) != 0)
		st = fail(err, errlen, SC_EIO, "%s: %s", path, strerror(errno));
	else if (!S_ISREG(sb.st_mode))
		st = fail(err, errlen, SC_EIO, "%s: %s", path,
		          S_ISDIR(sb.st_mode) ? "is a directory"
		                              : "not a regular file");
	else
		st = SC_OK;
	if (st != SC_OK) {
		close(fd);
		sc_free(c);
		return st;
	}
	got = pread(fd, head, sizeof(head), 0);
	if (got < 0)
		st = fail(err, errlen, SC_EIO, "%s: %s", path, strerror(errno));
	else if (got == 0)
		st = fail(err, errlen, SC_EIO, "%s: empty file", path);
	else if (sc_corpus_is_index(head, (size_t)got))
		st = map_fd(c, fd, path, err, errlen);
	else
		st = load_text(c, fd, path, err, errlen);
	close(fd);
	if (st != SC_OK) {
		sc_corpus_unload(c);
		return st;
	}
	*out = c;
	return SC_OK;
}

static int
key_cmp(const unsigned char *rec, const unsigned char *key)
{
	return memcmp(rec, key, SC_CORPUS_KEY);
}

/* The bucket of the first B bits, then a guess inside it from the next
 * 32 bits: hashes are uniform, so the record is usually within a few
 * places of the guess, on the same cache line or the next.  A short walk
 * from the guess settles it (adjacent records: the prefetcher's case);
 * a bucket that a skewed list has crowded falls back to a binary search,
 * so a lookup stays O(log n) whatever the file holds. */
#define WALK 8

int
sc_corpus_find(const struct sc_corpus *c,
               const unsigned char hash[SC_SHA1_LEN], uint32_t *count)
{
	const unsigned char *key = hash + SC_CORPUS_SKIP;
	uint64_t top, lo, hi, n, pos, a, b;
	uint32_t frac;
	int cmp, i;

	if (c->n == 0)
		return 0;
	top = (uint64_t)hash[0] << 56 | (uint64_t)hash[1] << 48 |
	      (uint64_t)hash[2] << 40 | (uint64_t)hash[3] << 32 |
	      (uint64_t)hash[4] << 24 | (uint64_t)hash[5] << 16 |
	      (uint64_t)hash[6] << 8 | (uint64_t)hash[7];
	lo = sc_le64(c->table + 8 * (top >> (64 - c->bits)));
	hi = sc_le64(c->table + 8 * ((top >> (64 - c->bits)) + 1));
	if (lo >= hi)
		return 0;
	n = hi - lo;
	frac = (uint32_t)((top << c->bits) >> 32);
	/* frac/2^32 of the way in; a bucket past 2^32 records (a hostile
	 * list only) gets a coarser guess that stays inside it. */
	pos = lo + (n <= UINT32_MAX ? ((uint64_t)frac * n) >> 32
	                            : (n >> 32) * frac);
	cmp = key_cmp(c->rec + pos * SC_CORPUS_RECORD, key);
	if (cmp < 0) {
		for (i = 0; i < WALK; i++) {
			if (++pos >= hi)
				return 0;
			cmp = key_cmp(c->rec + pos * SC_CORPUS_RECORD, key);
			if (cmp >= 0)
				break;
		}
		a = pos + 1;
		b = hi;
	} else if (cmp > 0) {
		for (i = 0; i < WALK; i++) {
			if (pos-- == lo)
				return 0;
			cmp = key_cmp(c->rec + pos * SC_CORPUS_RECORD, key);
			if (cmp <= 0)
				break;
		}
		a = lo;
		b = pos;
	} else {
		goto found;
	}
	if (cmp == 0)
		goto found;
	if (i < WALK)
		return 0; /* walked past the place it would be */
	while (a < b) {
		uint64_t mid = a + (b - a) / 2;

		cmp = key_cmp(c->rec + mid * SC_CORPUS_RECORD, key);
		if (cmp == 0) {
			pos = mid;
			goto found;
		}
		if (cmp < 0)
			a = mid + 1;
		else
			b = mid;
	}
	return 0;
found:
	if (count != NULL)
		*count = sc_le32(c->rec + pos * SC_CORPUS_RECORD + SC_CORPUS_KEY);
	return 1;
}

/* ---- public ------------------------------------------------------------ */

sc_status_t
sc_corpus_open(const char *path, sc_corpus_t **out, char *err, size_t errlen)
{
	if (err != NULL && errlen > 0)
		*err = '\0';
	if (out == NULL)
		return fail(err, errlen, SC_EINVAL, "no output pointer");
	*out = NULL;
	if (path == NULL || *path == '\0')
		return fail(err, errlen, SC_EINVAL, "no corpus file given");
	return sc_corpus_load(path, out, err, errlen);
}

void
sc_corpus_close(sc_corpus_t *corpus)
{
	sc_corpus_unload(corpus);
}

/* A key that is not a SHA-1 must be an address: "not an address" would
 * otherwise be hashed and answered "not found", as if it had been
 * checked.  SC_OK, SC_EINVAL or SC_ENOMEM. */
static sc_status_t
is_address(const char *s)
{
	struct sc_address a;
	sc_status_t st = sc_address_parse(s, strlen(s), &a, NULL, 0);

	if (st == SC_OK)
		sc_address_clear(&a);
	return st;
}

sc_status_t
sc_corpus_lookup(const sc_corpus_t *corpus, const char *key, int *found,
                 unsigned long long *count)
{
	unsigned char hash[SC_SHA1_LEN];
	uint32_t n = 0;
	char *norm;
	sc_status_t st;

	if (found != NULL)
		*found = 0;
	if (count != NULL)
		*count = 0;
	if (corpus == NULL || key == NULL || found == NULL)
		return SC_EINVAL;
	if ((norm = sc_breach_normalize(key)) == NULL)
		return SC_ENOMEM;
	if (strlen(norm) == 2 * SC_SHA1_LEN &&
	    sc_hex_decode(norm, SC_SHA1_LEN, hash) == 0)
		st = SC_OK;
	else if ((st = is_address(norm)) == SC_OK)
		st = sc_sha1(norm, strlen(norm), hash);
	sc_free(norm);
	if (st != SC_OK)
		return st;
	*found = sc_corpus_find(corpus, hash, &n);
	if (count != NULL)
		*count = n;
	return SC_OK;
}

sc_status_t
sc_corpus_info(const sc_corpus_t *corpus, sc_corpus_info_t *out)
{
	sc_corpus_info_t info;

	if (corpus == NULL || out == NULL)
		return SC_EINVAL;
	memset(&info, 0, sizeof(info));
	info.version = SC_CORPUS_VERSION;
	info.prefix_bits = corpus->bits;
	info.record_size = SC_CORPUS_RECORD;
	info.has_counts = (corpus->flags & SC_CORPUS_FLAG_COUNTS) != 0;
	info.from_text = corpus->from_text;
	info.records = corpus->n;
	info.total = corpus->total;
	info.bytes = corpus->len;
	info.malformed = corpus->malformed;
	return sc_struct_out(out, &info, sizeof(info));
}
