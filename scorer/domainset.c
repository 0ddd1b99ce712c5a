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
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

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

struct sc_domainset {
	struct slot *slots;
	size_t cap;   /* a power of two, or 0 before the first add */
	size_t count;
	struct block *blocks;
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

	if (set == NULL || name == NULL)
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

sc_status_t
sc_domainset_load(const char *path, struct sc_domainset **out, char *err,
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

/* Look up exactly s[0..len). */
static const char *
lookup(const struct sc_domainset *set, const char *s, size_t len)
{
	const struct slot *sl;

	if (set == NULL || set->count == 0)
		return NULL;
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
	for (i = 0; i < set->cap; i++)
		if (set->slots[i].name != NULL)
			fn(set->slots[i].name, arg);
}
