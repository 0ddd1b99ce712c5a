/*
 * A set of domain names, read from a list file in rules/.
 *
 * The set is a small open-addressing hash table (linear probing, FNV-1a)
 * of pointers to NUL-terminated names.  No library: the job is one lookup
 * per parent of a name in a table that never shrinks, which fits in a page
 * of code, while a generic container would bring its own allocator (we
 * must allocate through sc_malloc() so that tests can fail allocations)
 * and a dependency for every packager.
 *
 * Loading reads the whole file into one buffer and normalises the names in
 * place, so a list of 150,000 names costs three allocations (buffer,
 * table, set), not 150,000.  Names added one by one are copied into blocks
 * of their own.  Every block sits on one list that sc_domainset_free()
 * walks.
 *
 * A list may also be compiled (sc_domainset_compile(), at build and
 * install time) into an index beside it, NAME.idx for NAME.txt: the same
 * hash table, written out with its names, that a later load maps instead
 * of parsing 146,000 lines (77 million instructions at every start).  The
 * text stays the source of truth: the index records the text's size,
 * modification time and a hash of its bytes, and a load that finds them
 * changed (a user edited the list, or copied the directory) checks the
 * bytes, and reads the text as before when they differ.  A damaged index
 * is treated the same way: it can make a load slower, never wrong.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "domainset.h"
#include "internal.h"

/* RFC 1035 section 2.3.4, in presentation form without the final dot. */
#define NAME_MAX_LEN 253
/* The most a list may hold: disposable.txt is about 2 MiB.  /dev/zero or
 * a FIFO that never ends would otherwise be read until memory runs out. */
#define LIST_MAX_BYTES ((size_t)64 << 20)
#define LABEL_MAX_LEN 63

/* Grow the table before more than 7 slots in 10 are taken: linear probing
 * stays short up to about there. */
#define LOAD_NUM 7
#define LOAD_DEN 10

struct block {
	struct block *next;
	char data[];
};

struct slot {
	const char *name; /* NULL: empty */
	uint64_t hash;
};

/* A slot of a compiled index: the name's offset in the index's strings
 * (0: empty) and the high half of its hash. */
struct idx_slot {
	uint32_t off;
	uint32_t hhi;
};

struct sc_domainset {
	struct slot *slots;
	size_t cap;   /* a power of two, or 0 before the first add */
	size_t count;
	struct block *blocks;
	/* A mapped index (sc_domainset_load() found a fresh one): then the
	 * fields above are unused and the set cannot grow. */
	void *map;
	size_t maplen;
	const struct idx_slot *islots;
	const char *istr;
	enum sc_domainset_origin origin;
};

/* FNV-1a, 64 bit: short keys, good spread, no tables. */
static uint64_t
hash_name(const char *s, size_t len)
{
	uint64_t h = 0xcbf29ce484222325u;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3u;
	}
	return h;
}

/* Smallest power of two that holds n names under the load limit. */
static size_t
cap_for(size_t n)
{
	size_t cap = 16;

	while (cap / LOAD_DEN * LOAD_NUM < n + 1) {
		if (cap > SIZE_MAX / 2 / sizeof(struct slot))
			return 0;
		cap *= 2;
	}
	return cap;
}

/* The slot holding (s, len), or the empty slot where it would go. */
static struct slot *
find_slot(struct slot *slots, size_t cap, const char *s, size_t len,
          uint64_t h)
{
	size_t i = (size_t)h & (cap - 1);

	for (;;) {
		struct slot *sl = &slots[i];

		if (sl->name == NULL)
			return sl;
		if (sl->hash == h && strncmp(sl->name, s, len) == 0 &&
		    sl->name[len] == '\0')
			return sl;
		i = (i + 1) & (cap - 1);
	}
}

static sc_status_t
resize(struct sc_domainset *set, size_t want)
{
	size_t cap = cap_for(want);
	struct slot *slots;
	size_t i;

	if (cap == 0)
		return SC_ENOMEM;
	if (cap <= set->cap)
		return SC_OK;
	slots = sc_calloc(cap, sizeof(*slots));
	if (slots == NULL)
		return SC_ENOMEM;
	for (i = 0; i < set->cap; i++) {
		const struct slot *old = &set->slots[i];

		if (old->name != NULL)
			*find_slot(slots, cap, old->name, strlen(old->name),
			           old->hash) = *old;
	}
	sc_free(set->slots);
	set->slots = slots;
	set->cap = cap;
	return SC_OK;
}

/* Insert name[0..len) of hash h where the table has room for it. */
static void
insert_hashed(struct sc_domainset *set, const char *name, size_t len,
              uint64_t h)
{
	struct slot *sl = find_slot(set->slots, set->cap, name, len, h);

	if (sl->name == NULL) {
		sl->name = name;
		sl->hash = h;
		set->count++;
	}
}

/* Insert NAME (NUL-terminated, normalised, owned by one of set's blocks).
 * A duplicate is not an error. */
static sc_status_t
insert(struct sc_domainset *set, const char *name)
{
	size_t len = strlen(name);
	sc_status_t st;

	st = resize(set, set->count + 1);
	if (st != SC_OK)
		return st;
	insert_hashed(set, name, len, hash_name(name, len));
	return SC_OK;
}

/* Loading a list inserts 146,000 names at random places of a 4 MB table:
 * each insert waits for memory.  So names are inserted AHEAD behind
 * the parse, their slots asked for in advance, and the waits overlap. */
#define AHEAD 16

struct ahead {
	struct {
		const char *name;
		size_t len;
		uint64_t h;
	} q[AHEAD];
	size_t n;
};

static void
ahead_push(struct sc_domainset *set, struct ahead *a, const char *name,
           size_t len)
{
	uint64_t h = hash_name(name, len);
	size_t i = a->n % AHEAD;

	__builtin_prefetch(&set->slots[(size_t)h & (set->cap - 1)]);
	if (a->n >= AHEAD)
		insert_hashed(set, a->q[i].name, a->q[i].len, a->q[i].h);
	a->q[i].name = name;
	a->q[i].len = len;
	a->q[i].h = h;
	a->n++;
}

static void
ahead_drain(struct sc_domainset *set, struct ahead *a)
{
	size_t k = a->n > AHEAD ? AHEAD : a->n;

	for (; k > 0; k--) {
		size_t i = (a->n - k) % AHEAD;

		insert_hashed(set, a->q[i].name, a->q[i].len, a->q[i].h);
	}
	a->n = 0;
}

static struct block *
block_new(struct sc_domainset *set, size_t size)
{
	struct block *b;

	if (size > SIZE_MAX - sizeof(*b))
		return NULL;
	b = sc_malloc(sizeof(*b) + size);
	if (b == NULL)
		return NULL;
	b->next = set->blocks;
	set->blocks = b;
	return b;
}

/* ---- names ------------------------------------------------------------ */

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static char
lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* What a byte may be in a host name, once lower-cased. */
enum { B_BAD, B_OK, B_DASH, B_DOT, B_SPACE, B_HIGH };

static unsigned char
byte_class(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
		return B_OK;
	if (c == '-')
		return B_DASH;
	if (c == '.')
		return B_DOT;
	if (is_space((char)c))
		return B_SPACE;
	return c >= 0x80 ? B_HIGH : B_BAD;
}

/* The slow path of normalise(): the byte at s[i] is not a letter, digit
 * or '-' inside a label; label is the length of the label so far. */
static const char *
special(const char *s, size_t i, size_t label)
{
	switch (byte_class((unsigned char)s[i])) {
	case B_DOT:
		if (label == 0)
			return "empty label";
		if (s[i - 1] == '-')
			return "label ends with '-'";
		return NULL;
	case B_SPACE:
		return "space inside name";
	case B_HIGH:
		return "non-ASCII byte (write IDNs as xn-- A-labels)";
	case B_DASH:
		return "label starts with '-'";
	default:
		return "invalid character for a host name";
	}
}

/*
 * Normalise the name in s[0..*len) in place (lower case, one trailing dot
 * dropped) and check it is a host name in A-label form: letters, digits
 * and hyphens in labels of 1 to 63 bytes, at most 253 bytes.  Returns NULL
 * or why not.  A list has 146,000 names to check at every start, so the
 * bytes of a label, almost all of them, take one test each.
 */
static const char *
normalise(char *s, size_t *len)
{
	size_t i, label = 0;
	const char *why;

	if (*len > 0 && s[*len - 1] == '.')
		(*len)--;
	if (*len == 0)
		return "empty name";
	if (*len > NAME_MAX_LEN)
		return "name longer than 253 bytes";
	for (i = 0; i < *len; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((unsigned)(c - 'A') < 26u)
			s[i] = (char)(c += 'a' - 'A');
		if ((unsigned)(c - 'a') < 26u || (unsigned)(c - '0') < 10u ||
		    (c == '-' && label > 0)) {
			if (++label > LABEL_MAX_LEN)
				return "label longer than 63 bytes";
			continue;
		}
		if ((why = special(s, i, label)) != NULL)
			return why;
		label = 0;                  /* a dot */
	}
	if (label == 0)
		return "empty label";
	if (s[*len - 1] == '-')
		return "label ends with '-'";
	return NULL;
}

/*
 * Cut a line s[0..len) down to its name: a '#' starts a comment, blanks
 * around are dropped.  Sets *start and returns the name's length (0: the
 * line holds no name).
 */
static size_t
strip_line(char *s, size_t len, char **start)
{
	char *hash = memchr(s, '#', len);

	if (hash != NULL)
		len = (size_t)(hash - s);
	while (len > 0 && is_space(*s)) {
		s++;
		len--;
	}
	while (len > 0 && is_space(s[len - 1]))
		len--;
	*start = s;
	return len;
}

/* ---- API -------------------------------------------------------------- */

sc_status_t
sc_domainset_new(struct sc_domainset **out)
{
	struct sc_domainset *set;

	if (out == NULL)
		return SC_EINVAL;
	*out = NULL;
	set = sc_calloc(1, sizeof(*set));
	if (set == NULL)
		return SC_ENOMEM;
	*out = set;
	return SC_OK;
}

void
sc_domainset_free(struct sc_domainset *set)
{
	struct block *b, *next;

	if (set == NULL)
		return;
	if (set->map != NULL)
		munmap(set->map, set->maplen);
	for (b = set->blocks; b != NULL; b = next) {
		next = b->next;
		sc_free(b);
	}
	sc_free(set->slots);
	sc_free(set);
}

sc_status_t
sc_domainset_add(struct sc_domainset *set, const char *name)
{
	struct block *b;
	char *s;
	size_t len;

	if (set == NULL || name == NULL || set->map != NULL)
		return SC_EINVAL;
	len = strlen(name);
	if (len > NAME_MAX_LEN + 1)
		return SC_EINVAL;
	b = block_new(set, len + 1);
	if (b == NULL)
		return SC_ENOMEM;
	s = b->data;
	memcpy(s, name, len);
	if (normalise(s, &len) != NULL) {
		/* The block is first on the list: take it back. */
		set->blocks = b->next;
		sc_free(b);
		return SC_EINVAL;
	}
	s[len] = '\0';
	return insert(set, s);
}

size_t
sc_domainset_count(const struct sc_domainset *set)
{
	return set == NULL ? 0 : set->count;
}

/* "FILE:LINE: why", or "FILE: why" for the file as a whole (line 0). */
static void
set_err(char *err, size_t errlen, const char *path, unsigned long line,
        const char *why)
{
	if (err == NULL || errlen == 0)
		return;
	if (line == 0)
		snprintf(err, errlen, "%s: %s", path, why);
	else
		snprintf(err, errlen, "%s:%lu: %s", path, line, why);
}

/* read_all(): the file is over LIST_MAX_BYTES (reported as SC_ERULES). */
#define SC_EFBIG_LIST ((sc_status_t)-1)

/* Read all of F into a new block of SET; *len gets the size. */
static sc_status_t
read_all(struct sc_domainset *set, FILE *f, char **data, size_t *len)
{
	size_t size = 64 * 1024, used = 0, n;
	struct block *b = NULL, *grown;

	for (;;) {
		/* The block is not on the list until the end, so a failed
		 * realloc leaves nothing behind but b, freed below. */
		grown = sc_realloc(b, sizeof(*b) + size + 1);
		if (grown == NULL) {
			sc_free(b);
			return SC_ENOMEM;
		}
		b = grown;
		n = fread(b->data + used, 1, size - used, f);
		used += n;
		if (used < size)
			break;
		if (size > LIST_MAX_BYTES) {
			sc_free(b);
			return SC_EFBIG_LIST;
		}
		size *= 2;
	}
	if (ferror(f)) {
		sc_free(b);
		return SC_EIO;
	}
	b->data[used] = '\0';
	b->next = set->blocks;
	set->blocks = b;
	*data = b->data;
	*len = used;
	return SC_OK;
}

static size_t
count_lines(const char *s, size_t len)
{
	size_t n = 1;
	const char *p = s, *end = s + len;

	while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		n++;
		p++;
	}
	return n;
}

/* Parse the buffer in place: every name becomes a NUL-terminated string
 * inside it. */
static sc_status_t
parse(struct sc_domainset *set, char *data, size_t len, const char *path,
      char *err, size_t errlen)
{
	char *p = data, *end = data + len;
	unsigned long lineno = 0;
	struct ahead a;
	sc_status_t st;

	/* One table allocation for the whole file: a comment line costs a
	 * slot it never uses, which is cheaper than growing. */
	st = resize(set, set->count + count_lines(data, len));
	if (st != SC_OK)
		return st;
	a.n = 0;
	if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
		p += 3; /* a UTF-8 byte-order mark, once, at the start */
	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		char *line_end = nl != NULL ? nl : end;
		char *name;
		size_t n = strip_line(p, (size_t)(line_end - p), &name);
		const char *why;

		lineno++;
		p = line_end + 1;
		if (n == 0)
			continue;
		why = memchr(name, '\0', n) != NULL ? "NUL byte in line"
		                                    : normalise(name, &n);
		if (why != NULL) {
			set_err(err, errlen, path, lineno, why);
			return SC_ERULES;
		}
		name[n] = '\0';
		ahead_push(set, &a, name, n);
	}
	ahead_drain(set, &a);
	return SC_OK;
}

/* The text list at path, parsed. */
static sc_status_t
load_text(const char *path, struct sc_domainset **out, char *err,
          size_t errlen)
{
	struct sc_domainset *set = NULL;
	FILE *f = NULL;
	char *data;
	size_t len;
	sc_status_t st;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (path == NULL || out == NULL)
		return SC_EINVAL;
	*out = NULL;
	f = fopen(path, "rb");
	if (f == NULL) {
		set_err(err, errlen, path, 0, strerror(errno));
		return SC_EIO;
	}
	st = sc_domainset_new(&set);
	if (st != SC_OK)
		goto done;
	st = read_all(set, f, &data, &len);
	if (st == SC_EIO)
		set_err(err, errlen, path, 0, strerror(errno));
	if (st == SC_EFBIG_LIST) {
		set_err(err, errlen, path, 0, "larger than 64 MiB: not a domain "
		        "list");
		st = SC_ERULES;
	}
	if (st != SC_OK)
		goto done;
	st = parse(set, data, len, path, err, errlen);
done:
	fclose(f);
	if (st != SC_OK) {
		sc_domainset_free(set);
		return st;
	}
	*out = set;
	return SC_OK;
}

/* ---- the compiled index ----------------------------------------------- */

#define IDX_MAGIC "SCDSET\0\1"
#define IDX_ENDIAN 0x01020304u
/* At most 3 slots in 4 taken: 146,000 names fit 2^18 slots (2 MiB). */
#define IDX_LOAD_NUM 3
#define IDX_LOAD_DEN 4

struct idx_head {
	char magic[8];
	uint32_t endian;      /* IDX_ENDIAN as written: same byte order */
	uint32_t head_size;   /* sizeof(struct idx_head) */
	uint64_t src_size;    /* the text list it was compiled from */
	int64_t src_mtime_s;
	int64_t src_mtime_ns;
	uint64_t src_hash;    /* text_hash() of its bytes */
	uint64_t count;       /* names */
	uint64_t cap;         /* slots, a power of two */
	uint64_t slots_off;   /* from the start of the file */
	uint64_t str_off;     /* names, NUL-terminated; offset 0 is "" */
	uint64_t str_len;
	uint64_t total;       /* the file's size */
};

/* A hash of the text's bytes, 8 at a time (a list is 2 MiB, and this runs
 * when the text's time stamp moved: after a copy, or an edit).  Not
 * against an adversary: whoever can write the rules directory decides
 * the list anyway. */
static uint64_t
text_hash(const unsigned char *p, size_t len)
{
	uint64_t h = 0x9e3779b97f4a7c15u ^ len, w;
	size_t i;

	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&w, p + i, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdu;
		h ^= h >> 29;
	}
	for (; i < len; i++)
		h = (h ^ p[i]) * 0x100000001b3u;
	return h ^ (h >> 32);
}

/* path with its ".txt" (if any) replaced by ".idx", into buf[size];
 * 0 when it does not fit. */
static int
idx_path(const char *path, char *buf, size_t size)
{
	size_t len = strlen(path);

	if (len >= 4 && strcmp(path + len - 4, ".txt") == 0)
		len -= 4;
	if (len + 5 > size)
		return 0;
	memcpy(buf, path, len);
	memcpy(buf + len, ".idx", 5);
	return 1;
}

/* Hash len bytes of the regular file at path: SC_OK, SC_ENOMEM, or SC_EIO
 * (errno set) when it cannot be read or is shorter. */
static sc_status_t
hash_file(const char *path, size_t len, uint64_t *h)
{
	unsigned char *buf;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	sc_status_t rc = SC_EIO;

	if (fd < 0)
		return SC_EIO;
	if ((buf = sc_malloc(len + 1)) == NULL)
		rc = SC_ENOMEM;
	if (buf != NULL) {
		while (got < len) {
			ssize_t n = read(fd, buf + got, len - got);

			if (n <= 0)
				break;
			got += (size_t)n;
		}
		if (got == len) {
			*h = text_hash(buf, len);
			rc = SC_OK;
		}
		sc_free(buf);
	}
	close(fd);
	return rc;
}

/* Is the mapped index m[0..len) whole and sound?  Everything a lookup
 * will trust is checked here, once. */
static int
idx_sound(const unsigned char *m, size_t len, struct idx_head *h)
{
	if (len < sizeof(*h))
		return 0;
	memcpy(h, m, sizeof(*h));
	if (memcmp(h->magic, IDX_MAGIC, 8) != 0 || h->endian != IDX_ENDIAN ||
	    h->head_size != sizeof(*h) || h->total != len)
		return 0;
	if (h->cap == 0 || (h->cap & (h->cap - 1)) != 0 ||
	    h->count >= h->cap || h->cap > UINT32_MAX)
		return 0;
	if (h->slots_off < sizeof(*h) || h->slots_off % 8 != 0 ||
	    h->slots_off > len || (len - h->slots_off) / 8 < h->cap)
		return 0;
	if (h->str_off > len || h->str_len > len - h->str_off ||
	    h->str_len == 0 || h->str_len > UINT32_MAX)
		return 0;
	/* Names start at offset 1 and each ends in a NUL: so does the
	 * region, and a bad offset cannot read past it. */
	return m[h->str_off] == '\0' && m[h->str_off + h->str_len - 1] == '\0';
}

/*
 * The index beside the text at path, if it is sound and was compiled
 * from the text as it is now: a set on it (*out), SC_OK.  Anything else
 * (no index, damaged, stale, the text not a regular file) leaves *out
 * NULL and says whether the index was there but stale (*stale), so that
 * the caller reads the text.  SC_ENOMEM only for out of memory.
 */
static sc_status_t
load_index(const char *path, struct sc_domainset **out, int *stale)
{
	char ipath[4096];
	struct stat ts, is;
	struct idx_head h;
	struct sc_domainset *set;
	void *m;
	int fd;
	uint64_t hash;

	*out = NULL;
	*stale = 0;
	if (!idx_path(path, ipath, sizeof(ipath)) || stat(path, &ts) != 0 ||
	    !S_ISREG(ts.st_mode))
		return SC_OK;
	if ((fd = open(ipath, O_RDONLY | O_CLOEXEC)) < 0)
		return SC_OK;
	if (fstat(fd, &is) != 0 || !S_ISREG(is.st_mode) || is.st_size <= 0 ||
	    (m = mmap(NULL, (size_t)is.st_size, PROT_READ, MAP_PRIVATE, fd,
	              0)) == MAP_FAILED) {
		close(fd);
		return SC_OK;
	}
	close(fd);
	*stale = 1;
	if (!idx_sound(m, (size_t)is.st_size, &h) ||
	    h.src_size != (uint64_t)ts.st_size)
		goto unmap;
	/* The same time stamp and size: the text is the one compiled (as
	 * make decides).  Else, e.g. after a copy, the bytes decide. */
	if ((h.src_mtime_s != (int64_t)ts.st_mtim.tv_sec ||
	     h.src_mtime_ns != (int64_t)ts.st_mtim.tv_nsec) &&
	    (hash_file(path, (size_t)ts.st_size, &hash) != SC_OK ||
	     hash != h.src_hash))
		goto unmap;
	*stale = 0;
	if ((set = sc_calloc(1, sizeof(*set))) == NULL) {
		munmap(m, (size_t)is.st_size);
		return SC_ENOMEM;
	}
	set->map = m;
	set->maplen = (size_t)is.st_size;
	set->islots = (const struct idx_slot *)((const char *)m + h.slots_off);
	set->istr = (const char *)m + h.str_off;
	set->cap = (size_t)h.cap;
	set->count = (size_t)h.count;
	set->origin = SC_DOMAINSET_INDEX;
	*out = set;
	return SC_OK;
unmap:
	munmap(m, (size_t)is.st_size);
	return SC_OK;
}

sc_status_t
sc_domainset_load(const char *path, struct sc_domainset **out, char *err,
                  size_t errlen)
{
	sc_status_t st;
	int stale = 0;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (path == NULL || out == NULL)
		return SC_EINVAL;
	*out = NULL;
	if ((st = load_index(path, out, &stale)) != SC_OK || *out != NULL)
		return st;
	st = load_text(path, out, err, errlen);
	if (st == SC_OK && stale)
		(*out)->origin = SC_DOMAINSET_TEXT_STALE_INDEX;
	return st;
}

enum sc_domainset_origin
sc_domainset_origin(const struct sc_domainset *set)
{
	return set != NULL ? set->origin : SC_DOMAINSET_TEXT;
}

/* Write all of buf[0..len) to fd: 0, or -1 with errno. */
static int
write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

sc_status_t
sc_domainset_compile(const char *path, const char *out_path, char *err,
                     size_t errlen)
{
	struct sc_domainset *set = NULL;
	struct idx_slot *slots = NULL;
	char *str = NULL, tmp[4096];
	struct idx_head h;
	struct stat ts;
	size_t i, used = 1, cap = 16;
	int fd = -1;
	sc_status_t st;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (path == NULL || out_path == NULL)
		return SC_EINVAL;
	if (stat(path, &ts) != 0 || !S_ISREG(ts.st_mode)) {
		set_err(err, errlen, path, 0, "not a regular file");
		return SC_EIO;
	}
	memset(&h, 0, sizeof(h));
	if ((st = hash_file(path, (size_t)ts.st_size, &h.src_hash)) != SC_OK) {
		if (st == SC_EIO)
			set_err(err, errlen, path, 0, strerror(errno));
		return st;
	}
	if ((st = load_text(path, &set, err, errlen)) != SC_OK)
		return st;
	st = SC_ENOMEM;
	while (cap / IDX_LOAD_DEN * IDX_LOAD_NUM < set->count + 1)
		cap *= 2;
	for (i = 0; i < set->cap; i++)
		if (set->slots[i].name != NULL)
			used += strlen(set->slots[i].name) + 1;
	if (cap > UINT32_MAX || used > UINT32_MAX) {
		set_err(err, errlen, path, 0, "too large for an index");
		st = SC_ERULES;
		goto done;
	}
	if ((slots = sc_calloc(cap, sizeof(*slots))) == NULL ||
	    (str = sc_malloc(used)) == NULL)
		goto done;
	str[0] = '\0';
	used = 1;
	for (i = 0; i < set->cap; i++) {
		const struct slot *sl = &set->slots[i];
		size_t j, n;

		if (sl->name == NULL)
			continue;
		j = (size_t)sl->hash & (cap - 1);
		while (slots[j].off != 0)
			j = (j + 1) & (cap - 1);
		slots[j].off = (uint32_t)used;
		slots[j].hhi = (uint32_t)(sl->hash >> 32);
		n = strlen(sl->name) + 1;
		memcpy(str + used, sl->name, n);
		used += n;
	}
	memcpy(h.magic, IDX_MAGIC, 8);
	h.endian = IDX_ENDIAN;
	h.head_size = sizeof(h);
	h.src_size = (uint64_t)ts.st_size;
	h.src_mtime_s = (int64_t)ts.st_mtim.tv_sec;
	h.src_mtime_ns = (int64_t)ts.st_mtim.tv_nsec;
	h.count = set->count;
	h.cap = cap;
	h.slots_off = sizeof(h);
	h.str_off = h.slots_off + cap * sizeof(*slots);
	h.str_len = used;
	h.total = h.str_off + used;
	/* Written whole beside, then renamed: a reader sees the old index
	 * or the new one, never half of one. */
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmpXXXXXX", out_path) >=
	    sizeof(tmp) || (fd = mkstemp(tmp)) < 0) {
		set_err(err, errlen, out_path, 0, strerror(errno));
		st = SC_EIO;
		goto done;
	}
	if (write_all(fd, &h, sizeof(h)) != 0 ||
	    write_all(fd, slots, cap * sizeof(*slots)) != 0 ||
	    write_all(fd, str, used) != 0 || fchmod(fd, 0644) != 0 ||
	    close(fd) != 0 || rename(tmp, out_path) != 0) {
		set_err(err, errlen, out_path, 0, strerror(errno));
		if (fd >= 0)
			close(fd);
		unlink(tmp);
		fd = -1;
		st = SC_EIO;
		goto done;
	}
	st = SC_OK;
done:
	sc_free(slots);
	sc_free(str);
	sc_domainset_free(set);
	return st;
}

/* Look up exactly s[0..len) in a mapped index. */
static const char *
lookup_index(const struct sc_domainset *set, const char *s, size_t len)
{
	uint64_t h = hash_name(s, len);
	size_t i = (size_t)h & (set->cap - 1), n;

	/* Bounded: idx_sound() saw an empty slot, but not where. */
	for (n = 0; n < set->cap; n++) {
		const struct idx_slot *sl = &set->islots[i];
		const char *name = set->istr + sl->off;

		if (sl->off == 0)
			return NULL;
		if (sl->hhi == (uint32_t)(h >> 32) &&
		    strncmp(name, s, len) == 0 && name[len] == '\0')
			return name;
		i = (i + 1) & (set->cap - 1);
	}
	return NULL;
}

/* Look up exactly s[0..len). */
static const char *
lookup(const struct sc_domainset *set, const char *s, size_t len)
{
	const struct slot *sl;

	if (set == NULL || set->count == 0)
		return NULL;
	if (set->map != NULL)
		return lookup_index(set, s, len);
	sl = find_slot(set->slots, set->cap, s, len, hash_name(s, len));
	return sl->name;
}

/* Copy DOMAIN lower-cased, without a final dot, into buf[NAME_MAX_LEN + 1].
 * Returns its length, or 0 when it cannot be a name in the set. */
static size_t
prepare(const char *domain, char *buf)
{
	size_t len, i;

	if (domain == NULL)
		return 0;
	len = strnlen(domain, NAME_MAX_LEN + 2);
	if (len > 0 && domain[len - 1] == '.')
		len--;
	if (len == 0 || len > NAME_MAX_LEN)
		return 0;
	for (i = 0; i < len; i++)
		buf[i] = lower(domain[i]);
	buf[len] = '\0';
	return len;
}

const char *
sc_domainset_match(const struct sc_domainset *set, const char *domain)
{
	char buf[NAME_MAX_LEN + 1];
	size_t len = prepare(domain, buf);
	const char *p = buf, *hit;

	if (len == 0)
		return NULL;
	/* x.y.mailinator.com, y.mailinator.com, mailinator.com, com. */
	for (;;) {
		hit = lookup(set, p, len - (size_t)(p - buf));
		if (hit != NULL)
			return hit;
		p = strchr(p, '.');
		if (p == NULL)
			return NULL;
		p++;
	}
}

int
sc_domainset_contains(const struct sc_domainset *set, const char *name)
{
	char buf[NAME_MAX_LEN + 1];
	size_t len = prepare(name, buf);

	return len != 0 && lookup(set, buf, len) != NULL;
}

void
sc_domainset_foreach(const struct sc_domainset *set,
                     void (*fn)(const char *name, void *arg), void *arg)
{
	size_t i;

	if (set == NULL || fn == NULL)
		return;
	if (set->map != NULL) {
		for (i = 0; i < set->cap; i++)
			if (set->islots[i].off != 0)
				fn(set->istr + set->islots[i].off, arg);
		return;
	}
	for (i = 0; i < set->cap; i++)
		if (set->slots[i].name != NULL)
			fn(set->slots[i].name, arg);
}
