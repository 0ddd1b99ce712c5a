/*
 * Compiling a text hash list into the corpus index, in bounded memory
 * whatever the size of the list: lines are parsed into 24-byte records
 * (hash, count) in a buffer; a full buffer is sorted (a counting sort on
 * the first 16 bits, then each bucket on its own) and spilled to an
 * unlinked temporary file as a sorted run; the runs are merged with a
 * heap (k-way), duplicates added up, and the records streamed to the
 * index while the prefix table is counted.  A list that fits in one
 * buffer never touches a temporary file.
 */
#define _GNU_SOURCE /* O_TMPFILE */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "corpus.h"
#include "internal.h"

#define REC 24u                      /* hash[20] + count (LE u32) */
#define MAX_LINE 128u                /* longer lines are malformed */
#define DEFAULT_MEM (256u << 20)
#define PROGRESS_BYTES (8u << 20)
#define PROGRESS_RECORDS (1u << 20)
/* What is not a text hash list, found early (/dev/zero, a binary file,
 * the wrong file): a line of junk longer than this, or this many junk
 * lines outnumbering the hashes. */
#define MAX_JUNK_LINE (16u << 20)
#define MAX_JUNK_LINES 1000u

struct build {
	sc_corpus_stats_t *st;
	sc_corpus_progress_cb progress;
	void *ud;
	const char *tmpdir;
	size_t mem;
	int has_counts;

	unsigned char *recs, *scratch; /* run buffer and sort scratch */
	size_t *bucket;                /* the counting sort's 65537 slots */
	size_t cap, n;
	int *run;                      /* spilled runs (fds) */
	unsigned char *obuf;           /* output writer */
	size_t olen, ocap;
	int out;
	uint64_t max_bytes;            /* input size limit, 0: none */
	uint64_t *table;               /* per-bucket counts, then offsets */
	unsigned bits;
	uint64_t written, total;
	unsigned char last[REC];
	int have_last;
};

static sc_status_t
berr(struct build *b, sc_status_t st, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static sc_status_t
berr(struct build *b, sc_status_t st, const char *fmt, ...)
{
	va_list ap;

	if (b->st->errmsg[0] == '\0') {
		va_start(ap, fmt);
		vsnprintf(b->st->errmsg, sizeof(b->st->errmsg), fmt, ap);
		va_end(ap);
	}
	return st;
}

static sc_status_t
write_all(struct build *b, int fd, const unsigned char *p, size_t n,
          off_t at)
{
	while (n > 0) {
		ssize_t w = at >= 0 ? pwrite(fd, p, n, at) : write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return berr(b, SC_EIO, "write: %s",
			            w < 0 ? strerror(errno) : "no progress");
		p += w;
		n -= (size_t)w;
		if (at >= 0)
			at += w;
	}
	return SC_OK;
}

/* ---- sorting a run -------------------------------------------------------- */

static int
rec_cmp(const unsigned char *a, const unsigned char *b)
{
	return memcmp(a, b, SC_SHA1_LEN);
}

static void
rec_swap(unsigned char *a, unsigned char *b)
{
	unsigned char t[REC];

	memcpy(t, a, REC);
	memcpy(a, b, REC);
	memcpy(b, t, REC);
}

static void
sift_down(unsigned char *v, size_t i, size_t n)
{
	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= n)
			return;
		if (c + 1 < n && rec_cmp(v + (c + 1) * REC, v + c * REC) > 0)
			c++;
		if (rec_cmp(v + i * REC, v + c * REC) >= 0)
			return;
		rec_swap(v + i * REC, v + c * REC);
		i = c;
	}
}

/* Small buckets (the usual case) by insertion, crowded ones (a skewed
 * list) by heapsort: no allocation, and never quadratic. */
static void
sort_bucket(unsigned char *v, size_t n)
{
	size_t i, j;

	if (n <= 32) {
		for (i = 1; i < n; i++)
			for (j = i; j > 0 && rec_cmp(v + (j - 1) * REC,
			                             v + j * REC) > 0; j--)
				rec_swap(v + (j - 1) * REC, v + j * REC);
		return;
	}
	for (i = n / 2; i-- > 0;)
		sift_down(v, i, n);
	for (i = n - 1; i > 0; i--) {
		rec_swap(v, v + i * REC);
		sift_down(v, 0, i);
	}
}

/* Sort b->recs[0..n) into b->scratch, then swap the two. */
static void
sort_run(struct build *b)
{
	static const size_t NB = 65536;
	size_t *start = b->bucket, i, sum = 0;
	unsigned char *t;

	memset(start, 0, (NB + 1) * sizeof(*start));
	for (i = 0; i < b->n; i++)
		start[(size_t)b->recs[i * REC] << 8 | b->recs[i * REC + 1]]++;
	for (i = 0; i < NB; i++) {
		size_t c = start[i];

		start[i] = sum;
		sum += c;
	}
	start[NB] = sum;
	for (i = 0; i < b->n; i++) {
		size_t k = (size_t)b->recs[i * REC] << 8 | b->recs[i * REC + 1];

		memcpy(b->scratch + start[k]++ * REC, b->recs + i * REC, REC);
	}
	/* start[k] is now the end of bucket k, the start of bucket k + 1. */
	for (i = 0; i < NB; i++) {
		size_t lo = i == 0 ? 0 : start[i - 1];

		sort_bucket(b->scratch + lo * REC, start[i] - lo);
	}
	t = b->recs;
	b->recs = b->scratch;
	b->scratch = t;
}

/* ---- writing the index ---------------------------------------------------- */

static unsigned
choose_bits(uint64_t n)
{
	unsigned bits = SC_CORPUS_MIN_BITS;

	/* 64 to 128 records a bucket (1.4 to 2.8 KiB: one page or two):
	 * the guess from the hash lands within a cache line or two of the
	 * record, and the table stays small enough (2 MiB for 20 million
	 * hashes) to live in the CPU's cache, so a lookup costs about one
	 * miss.  Smaller buckets would only grow the table. */
	while (bits < SC_CORPUS_MAX_BITS && ((uint64_t)64 << (bits + 1)) <= n)
		bits++;
	return bits;
}

static uint64_t
rec_offset(unsigned bits)
{
	return SC_CORPUS_HEADER + (((uint64_t)1 << bits) + 1) * 8;
}

static sc_status_t
out_flush(struct build *b)
{
	sc_status_t st = SC_OK;

	if (b->olen > 0)
		st = write_all(b, b->out, b->obuf, b->olen, -1);
	b->olen = 0;
	return st;
}

static sc_status_t
out_record(struct build *b, const unsigned char *r)
{
	if (b->olen + SC_CORPUS_RECORD > b->ocap) {
		sc_status_t st = out_flush(b);

		if (st != SC_OK)
			return st;
	}
	memcpy(b->obuf + b->olen, r + SC_CORPUS_SKIP, SC_CORPUS_KEY);
	memcpy(b->obuf + b->olen + SC_CORPUS_KEY, r + SC_SHA1_LEN, 4);
	b->olen += SC_CORPUS_RECORD;
	b->table[((uint32_t)r[0] << 24 | (uint32_t)r[1] << 16 |
	          (uint32_t)r[2] << 8 | r[3]) >> (32 - b->bits)]++;
	b->written++;
	b->total += sc_le32(r + SC_SHA1_LEN);
	return SC_OK;
}

/* Records arrive sorted; equal hashes are folded into one, counts added
 * (a count that overflows 32 bits stays at the largest). */
static sc_status_t
emit(struct build *b, const unsigned char *r)
{
	if (b->have_last && rec_cmp(b->last, r) == 0) {
		uint64_t c = (uint64_t)sc_le32(b->last + SC_SHA1_LEN) +
		             sc_le32(r + SC_SHA1_LEN);

		sc_put_le32(b->last + SC_SHA1_LEN,
		            c > UINT32_MAX ? UINT32_MAX : (uint32_t)c);
		b->st->duplicates++;
		return SC_OK;
	}
	if (b->have_last) {
		sc_status_t st = out_record(b, b->last);

		if (st != SC_OK)
			return st;
	}
	memcpy(b->last, r, REC);
	b->have_last = 1;
	return SC_OK;
}

static sc_status_t
out_begin(struct build *b)
{
	size_t nslot = ((size_t)1 << b->bits) + 1;

	b->table = sc_calloc(nslot, sizeof(*b->table));
	b->ocap = (1u << 20) / SC_CORPUS_RECORD * SC_CORPUS_RECORD;
	b->obuf = sc_malloc(b->ocap);
	if (b->table == NULL || b->obuf == NULL)
		return berr(b, SC_ENOMEM, "out of memory");
	if (lseek(b->out, (off_t)rec_offset(b->bits), SEEK_SET) < 0)
		return berr(b, SC_EIO, "seek: %s", strerror(errno));
	return SC_OK;
}

/* The table and the header go in last, once the counts are known. */
static sc_status_t
out_end(struct build *b)
{
	size_t nslot = ((size_t)1 << b->bits) + 1, i;
	unsigned char h[SC_CORPUS_HEADER], *t;
	uint64_t sum = 0;
	sc_status_t st;

	if (b->have_last && (st = out_record(b, b->last)) != SC_OK)
		return st;
	b->have_last = 0;
	if ((st = out_flush(b)) != SC_OK)
		return st;
	/* Counts per bucket become the first record of each, in place,
	 * and are written through the output buffer in slices. */
	for (i = 0; i < nslot; i++) {
		uint64_t c = b->table[i];

		b->table[i] = sum;
		sum += c;
	}
	t = b->obuf;
	for (i = 0; i < nslot; i += b->ocap / 8) {
		size_t k, m = nslot - i < b->ocap / 8 ? nslot - i : b->ocap / 8;

		for (k = 0; k < m; k++)
			sc_put_le64(t + 8 * k, b->table[i + k]);
		st = write_all(b, b->out, t, m * 8,
		               (off_t)(SC_CORPUS_HEADER + i * 8));
		if (st != SC_OK)
			return st;
	}
	memset(h, 0, sizeof(h));
	memcpy(h, SC_CORPUS_MAGIC, SC_CORPUS_MAGIC_LEN);
	sc_put_le32(h + 8, SC_CORPUS_VERSION);
	sc_put_le32(h + 12, SC_CORPUS_HEADER);
	sc_put_le64(h + 16, b->written);
	sc_put_le32(h + 24, b->bits);
	sc_put_le32(h + 28, SC_CORPUS_RECORD | SC_CORPUS_KEY << 16);
	sc_put_le64(h + 32, b->total);
	sc_put_le32(h + 40, b->has_counts ? SC_CORPUS_FLAG_COUNTS : 0);
	sc_put_le64(h + 48, SC_CORPUS_HEADER);
	sc_put_le64(h + 56, rec_offset(b->bits));
	b->st->records = b->written;
	return write_all(b, b->out, h, sizeof(h), 0);
}

/* ---- runs -------------------------------------------------------------- */

static sc_status_t
spill(struct build *b)
{
	char path[4096];
	sc_status_t st;
	int fd, *p;

	sort_run(b);
	if ((size_t)snprintf(path, sizeof(path), "%s/scorer-run.XXXXXX",
	                     b->tmpdir) >= sizeof(path))
		return berr(b, SC_EIO, "temporary directory name too long");
	p = sc_realloc(b->run, (b->st->runs + 1) * sizeof(*b->run));
	if (p == NULL)
		return berr(b, SC_ENOMEM, "out of memory");
	b->run = p;
	/* Unlinked at once: a crash or a kill leaves nothing behind. */
	if ((fd = mkstemp(path)) < 0)
		return berr(b, SC_EIO, "temporary file in %s: %s", b->tmpdir,
		            strerror(errno));
	(void)unlink(path);
	b->run[b->st->runs++] = fd;
	st = write_all(b, fd, b->recs, b->n * REC, -1);
	if (st == SC_OK && lseek(fd, 0, SEEK_SET) < 0)
		st = berr(b, SC_EIO, "seek: %s", strerror(errno));
	b->n = 0;
	return st;
}

struct runrd {
	int fd;
	unsigned char *buf;
	size_t pos, len, cap;
};

/* The current record of a run, refilling its buffer; NULL at its end. */
static const unsigned char *
run_peek(struct build *b, struct runrd *r, sc_status_t *st)
{
	if (r->pos + REC <= r->len)
		return r->buf + r->pos;
	r->len = 0;
	r->pos = 0;
	while (r->len < r->cap) {
		ssize_t got = read(r->fd, r->buf + r->len, r->cap - r->len);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			*st = berr(b, SC_EIO, "reading a run: %s", strerror(errno));
			return NULL;
		}
		if (got == 0)
			break;
		r->len += (size_t)got;
	}
	if (r->len % REC != 0) {
		*st = berr(b, SC_EIO, "a temporary run is truncated");
		return NULL;
	}
	return r->len > 0 ? r->buf : NULL;
}

static int
heap_less(struct runrd *rd, const size_t *h, size_t i, size_t j)
{
	return rec_cmp(rd[h[i]].buf + rd[h[i]].pos,
	               rd[h[j]].buf + rd[h[j]].pos) < 0;
}

static void
heap_down(struct runrd *rd, size_t *h, size_t n, size_t i)
{
	for (;;) {
		size_t c = 2 * i + 1, t;

		if (c >= n)
			return;
		if (c + 1 < n && heap_less(rd, h, c + 1, c))
			c++;
		if (!heap_less(rd, h, c, i))
			return;
		t = h[i];
		h[i] = h[c];
		h[c] = t;
		i = c;
	}
}

/* k-way merge of the runs through a min-heap of their current records. */
static sc_status_t
merge(struct build *b)
{
	size_t k = b->st->runs, n = 0, i, each;
	struct runrd *rd = sc_calloc(k, sizeof(*rd));
	size_t *h = sc_calloc(k, sizeof(*h));
	sc_status_t st = SC_OK;
	uint64_t done = 0;

	if (rd == NULL || h == NULL) {
		st = berr(b, SC_ENOMEM, "out of memory");
		goto done;
	}
	each = b->mem / (k + 1) / REC * REC;
	if (each > (1u << 20) / REC * REC)
		each = (1u << 20) / REC * REC;
	if (each < 64 * REC)
		each = 64 * REC;
	for (i = 0; i < k; i++) {
		rd[i].fd = b->run[i];
		rd[i].cap = each;
		if ((rd[i].buf = sc_malloc(each)) == NULL) {
			st = berr(b, SC_ENOMEM, "out of memory");
			goto done;
		}
		if (run_peek(b, &rd[i], &st) != NULL)
			h[n++] = i;
		else if (st != SC_OK)
			goto done;
	}
	for (i = n / 2; i-- > 0;)
		heap_down(rd, h, n, i);
	while (n > 0) {
		struct runrd *r = &rd[h[0]];

		if ((st = emit(b, r->buf + r->pos)) != SC_OK)
			goto done;
		r->pos += REC;
		if (run_peek(b, r, &st) == NULL) {
			if (st != SC_OK)
				goto done;
			h[0] = h[--n];
		}
		heap_down(rd, h, n, 0);
		if (++done % PROGRESS_RECORDS == 0 && b->progress != NULL)
			b->progress(b->ud, "merging", done, b->st->hashes);
	}
	if (b->progress != NULL)
		b->progress(b->ud, "merging", done, b->st->hashes);
done:
	for (i = 0; rd != NULL && i < k; i++)
		sc_free(rd[i].buf);
	sc_free(rd);
	sc_free(h);
	return st;
}

/* ---- reading the list ------------------------------------------------- */

/* A malformed line, counted; an input that is mostly junk is not a hash
 * list, and the build stops there rather than read it all. */
static sc_status_t
note_malformed(struct build *b)
{
	sc_corpus_stats_t *st = b->st;

	if (st->nbad < SC_CORPUS_BAD_LINES)
		st->bad_line[st->nbad++] = st->lines;
	st->malformed++;
	if (st->malformed >= MAX_JUNK_LINES && st->malformed > st->hashes)
		return berr(b, SC_EINVAL, "not a text hash list: %llu of its "
		            "first %llu lines are not HASH or HASH:COUNT (the "
		            "first at line %llu)", st->malformed, st->lines,
		            st->bad_line[0]);
	return SC_OK;
}

static sc_status_t
take_line(struct build *b, const char *s, size_t len)
{
	unsigned char *r = b->recs + b->n * REC;
	uint32_t count;
	int has, k;

	if (b->st->lines++ == 0 && len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
		s += 3; /* a UTF-8 byte-order mark, once, at the start */
		len -= 3;
	}
	k = sc_corpus_parse_line(s, len, r, &count, &has);
	if (k == 0) {
		b->st->blank++;
		return SC_OK;
	}
	if (k < 0)
		return note_malformed(b);
	sc_put_le32(r + SC_SHA1_LEN, count);
	b->has_counts |= has;
	b->st->hashes++;
	if (++b->n == b->cap)
		return spill(b);
	return SC_OK;
}

/* Lines through a buffer of our own: a line longer than MAX_LINE (a 1 MB
 * line of junk) is counted as one malformed line and skipped without
 * being kept, so no line can make the reader grow. */
static sc_status_t
read_lines(struct build *b, int fd, uint64_t size)
{
	size_t cap = b->mem / 8, pos = 0, len = 0;
	uint64_t nread = 0, next_report = PROGRESS_BYTES, junk = 0;
	int overlong = 0, eof = 0;
	sc_status_t st = SC_OK;
	char *buf;

	if (cap > (1u << 20))
		cap = 1u << 20;
	if (cap < 4096)
		cap = 4096;
	if ((buf = sc_malloc(cap)) == NULL)
		return berr(b, SC_ENOMEM, "out of memory");
	while (st == SC_OK) {
		char *nl = memchr(buf + pos, '\n', len - pos);
		ssize_t got;

		if (nl != NULL) {
			if (overlong) {
				b->st->lines++;
				st = note_malformed(b);
				overlong = 0;
				junk = 0;
			} else {
				st = take_line(b, buf + pos,
				               (size_t)(nl - (buf + pos)));
			}
			pos = (size_t)(nl - buf) + 1;
			continue;
		}
		if (len - pos > MAX_LINE) {
			overlong = 1;
			junk += len - pos;
			pos = len;
			/* A line that never ends (/dev/zero) would be read
			 * for ever. */
			if (junk > MAX_JUNK_LINE) {
				st = berr(b, SC_EINVAL, "not a text hash list: "
				          "line %llu is longer than %u MiB",
				          b->st->lines + 1, MAX_JUNK_LINE >> 20);
				break;
			}
		}
		if (eof)
			break;
		if (b->max_bytes > 0 && nread > b->max_bytes) {
			st = berr(b, SC_EINVAL, "larger than %llu MiB: compile "
			          "it into an index once (scorer corpus build)",
			          (unsigned long long)(b->max_bytes >> 20));
			break;
		}
		memmove(buf, buf + pos, len - pos);
		len -= pos;
		pos = 0;
		got = read(fd, buf + len, cap - len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			st = berr(b, SC_EIO, "read: %s", strerror(errno));
			break;
		}
		if (got == 0)
			eof = 1;
		len += (size_t)got;
		nread += (uint64_t)got;
		if (b->progress != NULL && nread >= next_report) {
			b->progress(b->ud, "reading", nread, size);
			next_report = nread + PROGRESS_BYTES;
		}
	}
	/* The last line may lack its newline. */
	if (st == SC_OK && overlong) {
		b->st->lines++;
		st = note_malformed(b);
	} else if (st == SC_OK && len > pos) {
		st = take_line(b, buf + pos, len - pos);
	}
	if (st == SC_OK && b->progress != NULL)
		b->progress(b->ud, "reading", nread, size);
	sc_free(buf);
	return st;
}

/* ---- the whole build -------------------------------------------------- */

sc_status_t
sc_corpus_build_fd(int in_fd, int out_fd, const char *tmpdir, size_t mem,
                   uint64_t max_bytes, sc_corpus_progress_cb progress,
                   void *ud, sc_corpus_stats_t *stats)
{
	struct build b;
	struct stat sb;
	sc_status_t st;
	unsigned i;
	size_t k;

	memset(stats, 0, sizeof(*stats));
	memset(&b, 0, sizeof(b));
	b.st = stats;
	b.progress = progress;
	b.ud = ud;
	b.tmpdir = tmpdir;
	b.out = out_fd;
	b.max_bytes = max_bytes;
	b.mem = mem != 0 ? mem : DEFAULT_MEM;
	/* Two record buffers (the run and the sort's scratch) share the
	 * budget; the 512 KiB of bucket counters come on top. */
	b.cap = b.mem / (2 * REC);
	if (b.cap < 64)
		b.cap = 64;
	b.recs = sc_malloc(b.cap * REC);
	b.scratch = sc_malloc(b.cap * REC);
	b.bucket = sc_malloc(65537 * sizeof(*b.bucket));
	if (b.recs == NULL || b.scratch == NULL || b.bucket == NULL) {
		st = berr(&b, SC_ENOMEM, "out of memory");
		goto done;
	}
	if ((st = read_lines(&b, in_fd, fstat(in_fd, &sb) == 0 &&
	                     S_ISREG(sb.st_mode) ? (uint64_t)sb.st_size : 0))
	    != SC_OK)
		goto done;
	b.bits = choose_bits(stats->hashes);
	if (stats->runs == 0) {
		/* It all fitted: sort in memory, no temporary file. */
		sort_run(&b);
		if ((st = out_begin(&b)) != SC_OK)
			goto done;
		for (k = 0; k < b.n && st == SC_OK; k++)
			st = emit(&b, b.recs + k * REC);
	} else {
		if (b.n > 0 && (st = spill(&b)) != SC_OK)
			goto done;
		sc_free(b.recs);
		sc_free(b.scratch);
		b.recs = b.scratch = NULL;
		if ((st = out_begin(&b)) != SC_OK)
			goto done;
		st = merge(&b);
	}
	if (st == SC_OK)
		st = out_end(&b);
done:
	for (i = 0; i < stats->runs; i++)
		close(b.run[i]);
	sc_free(b.run);
	sc_free(b.bucket);
	sc_free(b.recs);
	sc_free(b.scratch);
	sc_free(b.table);
	sc_free(b.obuf);
	return st;
}

/* ---- where the index goes ----------------------------------------------- */

/* The output of a build.  A regular file (or a new one) is replaced whole
 * at the end: the index is built in an unnamed file (O_TMPFILE) in the
 * same directory, named only once it is complete and renamed over the
 * target, so a reader never sees half an index, a failed build leaves
 * the old one, and a build killed at any point (SIGKILL too) leaves no
 * temporary file behind.  A symlink is followed: the file it names is
 * replaced and the link stays.  Anything else (/dev/null, /dev/full, a
 * FIFO) is written through, never replaced: the index, which needs
 * seeking, is built in an unnamed file in $TMPDIR and copied into it. */
struct outfile {
	char target[4096];   /* OUT, its symlinks followed */
	char dir[4096];      /* where the temporary files go */
	char named[4200];    /* the temporary's name, when it has one */
	int through;         /* not a regular file: written through */
	int fd;
};

/* The directory part of path, for the temporary files of a build. */
static void
dir_of(const char *path, char *dir, size_t len)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		snprintf(dir, len, ".");
	else if (slash == path)
		snprintf(dir, len, "/");
	else
		snprintf(dir, len, "%.*s", (int)(slash - path), path);
}

/* path with its symlinks followed to the file they name, which need not
 * exist yet.  -1 with errno (ELOOP, ENAMETOOLONG ...).  (The tool has a
 * twin in scorer/tool/tool_file.c: a fix to one is a fix to both.) */
static int
follow_links(const char *path, char *out, size_t len)
{
	char cur[4096], link[4096], dir[4096];
	struct stat sb;
	ssize_t n;
	int hops;

	if ((size_t)snprintf(cur, sizeof(cur), "%s", path) >= sizeof(cur))
		goto toolong;
	for (hops = 0; hops < 40; hops++) {
		if (lstat(cur, &sb) != 0 || !S_ISLNK(sb.st_mode)) {
			if ((size_t)snprintf(out, len, "%s", cur) >= len)
				goto toolong;
			return 0;
		}
		if ((n = readlink(cur, link, sizeof(link) - 1)) < 0)
			return -1;
		link[n] = '\0';
		/* /dev/stdout, /proc/self/fd/1: a link the kernel follows to
		 * what is not a path ("pipe:[1234]"): that is where to stop. */
		if (link[0] != '/' && strchr(link, ':') != NULL &&
		    stat(cur, &sb) == 0)
			return snprintf(out, len, "%s", cur) < (int)len ? 0 : -1;
		dir_of(cur, dir, sizeof(dir));
		if ((size_t)snprintf(cur, sizeof(cur), "%s%s%s",
		                     link[0] == '/' ? "" : dir,
		                     link[0] == '/' ? "" : "/", link) >=
		    sizeof(cur))
			goto toolong;
	}
	errno = ELOOP;
	return -1;
toolong:
	errno = ENAMETOOLONG;
	return -1;
}

static sc_status_t
out_fail(sc_corpus_stats_t *stats, sc_status_t st, const char *path,
         const char *why)
{
	snprintf(stats->errmsg, sizeof(stats->errmsg), "%.100s: %.150s", path,
	         why);
	return st;
}

/* Decide where the index goes and open the file it is built in. */
static sc_status_t
out_open(struct outfile *o, const char *out, int in_fd,
         sc_corpus_stats_t *stats)
{
	const char *tmp = getenv("TMPDIR");
	struct stat sb, in;

	memset(o, 0, sizeof(*o));
	o->fd = -1;
	if (follow_links(out, o->target, sizeof(o->target)) != 0)
		return out_fail(stats, SC_EIO, out, strerror(errno));
	if (stat(o->target, &sb) == 0) {
		if (S_ISDIR(sb.st_mode))
			return out_fail(stats, SC_EINVAL, out, "is a directory");
		o->through = !S_ISREG(sb.st_mode);
		/* Replacing the list with its own index would lose it. */
		if (!o->through && fstat(in_fd, &in) == 0 &&
		    in.st_dev == sb.st_dev && in.st_ino == sb.st_ino)
			return out_fail(stats, SC_EINVAL, out, "the same file as "
			                "the input list");
	} else if (errno != ENOENT) {
		return out_fail(stats, SC_EIO, out, strerror(errno));
	}
	if (o->through)
		snprintf(o->dir, sizeof(o->dir), "%s",
		         tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	else
		dir_of(o->target, o->dir, sizeof(o->dir));
#ifdef O_TMPFILE
	o->fd = open(o->dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0644);
#endif
	if (o->fd < 0) {
		/* No O_TMPFILE here (an old kernel, some file systems): a
		 * named temporary file, removed again on failure. */
		if (o->through)
			snprintf(o->named, sizeof(o->named),
			         "%s/scorer-index.XXXXXX", o->dir);
		else
			snprintf(o->named, sizeof(o->named), "%s.XXXXXX",
			         o->target);
		if ((o->fd = mkstemp(o->named)) < 0)
			return out_fail(stats, SC_EIO, o->named, strerror(errno));
		if (o->through) {
			(void)unlink(o->named);
			o->named[0] = '\0';
		}
	}
	/* An index is as readable as any file (mkstemp makes it 0600). */
	(void)fchmod(o->fd, 0644);
	return SC_OK;
}

/* The finished index into o->target: copied through, or given a name
 * and renamed over it. */
static sc_status_t
out_commit(struct outfile *o, sc_corpus_stats_t *stats)
{
	char proc[64], name[4200];
	unsigned char buf[1 << 16];
	ssize_t got;
	int fd, i;

	if (o->through) {
		if (lseek(o->fd, 0, SEEK_SET) < 0 ||
		    (fd = open(o->target, O_WRONLY | O_CLOEXEC)) < 0)
			return out_fail(stats, SC_EIO, o->target, strerror(errno));
		while ((got = read(o->fd, buf, sizeof(buf))) > 0) {
			ssize_t w, off = 0;

			while (off < got && ((w = write(fd, buf + off,
			                                (size_t)(got - off))) > 0 ||
			                     (w < 0 && errno == EINTR)))
				off += w > 0 ? w : 0;
			if (off < got) {
				got = -1;
				break;
			}
		}
		i = errno;
		if (close(fd) != 0 && got == 0) {
			got = -1;
			i = errno;
		}
		return got == 0 ? SC_OK
		                : out_fail(stats, SC_EIO, o->target, strerror(i));
	}
	if (fsync(o->fd) != 0)
		return out_fail(stats, SC_EIO, o->target, strerror(errno));
	if (o->named[0] != '\0') {
		if (rename(o->named, o->target) != 0)
			return out_fail(stats, SC_EIO, o->target, strerror(errno));
		o->named[0] = '\0';
		return SC_OK;
	}
	/* The unnamed file gets a name: the target's own when it is new,
	 * else a fresh one beside it, renamed over the target. */
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", o->fd);
	if (linkat(AT_FDCWD, proc, AT_FDCWD, o->target, AT_SYMLINK_FOLLOW) == 0)
		return SC_OK;
	for (i = 0; errno == EEXIST && i < 100; i++) {
		snprintf(name, sizeof(name), "%s.%d.%d", o->target, (int)getpid(),
		         i);
		if (linkat(AT_FDCWD, proc, AT_FDCWD, name, AT_SYMLINK_FOLLOW) != 0)
			continue;
		if (rename(name, o->target) == 0)
			return SC_OK;
		i = errno;
		(void)unlink(name);
		return out_fail(stats, SC_EIO, o->target, strerror(i));
	}
	return out_fail(stats, SC_EIO, o->target, strerror(errno));
}

static void
out_close(struct outfile *o)
{
	if (o->fd >= 0)
		close(o->fd);
	if (o->named[0] != '\0')
		(void)unlink(o->named);
}

static sc_status_t
build(const char *in, const char *out, size_t mem_bytes, unsigned flags,
      sc_corpus_progress_cb progress, void *userdata,
      sc_corpus_stats_t *stats)
{
	struct outfile o;
	unsigned char head[1];
	struct stat sb;
	sc_status_t st;
	int ifd;

	if (in == NULL || out == NULL || *in == '\0' || *out == '\0' ||
	    (flags & ~SC_CORPUS_ALLOW_EMPTY) != 0) {
		snprintf(stats->errmsg, sizeof(stats->errmsg), "%s",
		         flags & ~SC_CORPUS_ALLOW_EMPTY ? "unknown flags"
		                                         : "no file given");
		return SC_EINVAL;
	}
	if ((ifd = open(in, O_RDONLY | O_CLOEXEC)) < 0)
		return out_fail(stats, SC_EIO, in, strerror(errno));
	if (fstat(ifd, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		close(ifd);
		return out_fail(stats, SC_EINVAL, in, "is a directory");
	}
	if (pread(ifd, head, 1, 0) == 1 && sc_corpus_is_index(head, 1)) {
		close(ifd);
		snprintf(stats->errmsg, sizeof(stats->errmsg),
		         "%.200s is already an index, not a text list", in);
		return SC_EINVAL;
	}
	if ((st = out_open(&o, out, ifd, stats)) != SC_OK) {
		close(ifd);
		return st;
	}
	st = sc_corpus_build_fd(ifd, o.fd, o.dir, mem_bytes, 0, progress,
	                        userdata, stats);
	close(ifd);
	if (st != SC_OK && stats->errmsg[0] != '\0') {
		char why[sizeof(stats->errmsg)];

		snprintf(why, sizeof(why), "%s", stats->errmsg);
		out_fail(stats, st, in, why);
	}
	/* An empty index would call every address "not breached". */
	if (st == SC_OK && stats->records == 0 &&
	    !(flags & SC_CORPUS_ALLOW_EMPTY)) {
		snprintf(stats->errmsg, sizeof(stats->errmsg), "%.100s holds "
		         "no hash (%llu lines, %llu malformed): an empty index "
		         "is built only on request", in, stats->lines,
		         stats->malformed);
		st = SC_EINVAL;
	}
	if (st == SC_OK)
		st = out_commit(&o, stats);
	out_close(&o);
	return st;
}

/* The build fills a struct of ours; the caller's may be of another
 * version (its size member says). */
sc_status_t
sc_corpus_build_ex(const char *in, const char *out, size_t mem_bytes,
                   unsigned flags, sc_corpus_progress_cb progress,
                   void *userdata, sc_corpus_stats_t *stats)
{
	sc_corpus_stats_t local;
	sc_status_t st;

	memset(&local, 0, sizeof(local));
	if (stats != NULL && stats->size < sizeof(size_t))
		return SC_EINVAL;
	st = build(in, out, mem_bytes, flags, progress, userdata, &local);
	if (stats != NULL)
		(void)sc_struct_out(stats, &local, sizeof(local));
	return st;
}

sc_status_t
sc_corpus_build(const char *in, const char *out, size_t mem_bytes,
                sc_corpus_progress_cb progress, void *userdata,
                sc_corpus_stats_t *stats)
{
	return sc_corpus_build_ex(in, out, mem_bytes, 0, progress, userdata,
	                          stats);
}
