/*
 * The breach corpus: the text format, building the index (in memory and
 * through sorted runs), lookups, hostile files, out of memory.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <check.h>

#include "corpus.h"
#include "hash.h"
#include "internal.h"

static char dir[256];

static void
setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/check_corpus_XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void
teardown(void)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static const char *
path(const char *name)
{
	static char buf[2][512];
	static int i;

	i ^= 1;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", dir, name);
	return buf[i];
}

static void
write_file(const char *name, const void *data, size_t len)
{
	FILE *fp = fopen(path(name), "wb");

	ck_assert_ptr_nonnull(fp);
	ck_assert_uint_eq(fwrite(data, 1, len, fp), len);
	ck_assert_int_eq(fclose(fp), 0);
}

static void
hash_of(const char *addr, char hex[41])
{
	unsigned char h[SC_SHA1_LEN];

	ck_assert_int_eq(sc_sha1(addr, strlen(addr), h), SC_OK);
	sc_hex_upper(h, SC_SHA1_LEN, hex);
}

static int
lookup(sc_corpus_t *c, const char *key, unsigned long long *count)
{
	int found = -1;

	ck_assert_int_eq(sc_corpus_lookup(c, key, &found, count), SC_OK);
	return found;
}

/* ---- the text format ---------------------------------------------------- */

START_TEST(test_parse_line)
{
	unsigned char h[SC_SHA1_LEN];
	uint32_t n;
	int has;
	const char *good = "A94A8FE5CCB19BA61C4C0873D391E987982FBBD3";
	const char *lower = "a94a8fe5ccb19ba61c4c0873d391e987982fbbd3:42\r";

	ck_assert_int_eq(sc_corpus_parse_line(good, strlen(good), h, &n, &has),
	                 1);
	ck_assert_int_eq(has, 0);
	ck_assert_int_eq(h[0], 0xA9);
	ck_assert_int_eq(sc_corpus_parse_line(lower, strlen(lower), h, &n,
	                                      &has), 1);
	ck_assert_int_eq(has, 1);
	ck_assert_uint_eq(n, 42);
	ck_assert_int_eq(sc_corpus_parse_line("  \r", 3, h, &n, &has), 0);
	ck_assert_int_eq(sc_corpus_parse_line("", 0, h, &n, &has), 0);
	ck_assert_int_eq(sc_corpus_parse_line("A94A8FE5", 8, h, &n, &has), -1);
	ck_assert_int_eq(sc_corpus_parse_line(
	    "G94A8FE5CCB19BA61C4C0873D391E987982FBBD3", 40, h, &n, &has), -1);
	ck_assert_int_eq(sc_corpus_parse_line(
	    "A94A8FE5CCB19BA61C4C0873D391E987982FBBD3:", 41, h, &n, &has), -1);
	ck_assert_int_eq(sc_corpus_parse_line(
	    "A94A8FE5CCB19BA61C4C0873D391E987982FBBD3:1x", 43, h, &n, &has), -1);
	ck_assert_int_eq(sc_corpus_parse_line(
	    "A94A8FE5CCB19BA61C4C0873D391E987982FBBD3FF", 42, h, &n, &has), -1);
	/* A count past 32 bits is kept at the largest, not refused. */
	ck_assert_int_eq(sc_corpus_parse_line(
	    "A94A8FE5CCB19BA61C4C0873D391E987982FBBD3:99999999999", 52, h, &n,
	    &has), 1);
	ck_assert_uint_eq(n, UINT32_MAX);
}
END_TEST

/* ---- building and looking up ------------------------------------------- */

/* n addresses "user<i>@example.org" with count i + 1, one a line, in
 * reverse order, and every third hash in lower case. */
static void
write_list(const char *name, int n)
{
	FILE *fp = fopen(path(name), "w");
	char addr[64], hex[41];
	int i, k;

	ck_assert_ptr_nonnull(fp);
	for (i = n - 1; i >= 0; i--) {
		snprintf(addr, sizeof(addr), "user%d@example.org", i);
		hash_of(addr, hex);
		if (i % 3 == 0)
			for (k = 0; hex[k] != '\0'; k++)
				if (hex[k] >= 'A' && hex[k] <= 'F')
					hex[k] = (char)(hex[k] - 'A' + 'a');
		fprintf(fp, "%s:%d\n", hex, i + 1);
	}
	ck_assert_int_eq(fclose(fp), 0);
}

static void
check_all(sc_corpus_t *c, int n)
{
	unsigned long long count;
	char addr[64];
	int i;

	for (i = 0; i < n; i++) {
		snprintf(addr, sizeof(addr), "user%d@example.org", i);
		ck_assert_msg(lookup(c, addr, &count) == 1, "%s missing", addr);
		ck_assert_uint_eq(count, (unsigned long long)i + 1);
	}
	ck_assert_int_eq(lookup(c, "nobody@example.org", &count), 0);
	ck_assert_int_eq(lookup(c, "user-1@example.org", &count), 0);
}

START_TEST(test_build_and_lookup)
{
	sc_corpus_stats_t st = { .size = sizeof(st) };
	sc_corpus_info_t info = { .size = sizeof(info) };
	sc_corpus_t *c = NULL;
	char err[256];

	write_list("list.txt", 500);
	ck_assert_int_eq(sc_corpus_build(path("list.txt"), path("list.idx"), 0,
	                                 NULL, NULL, &st), SC_OK);
	ck_assert_uint_eq(st.lines, 500);
	ck_assert_uint_eq(st.records, 500);
	ck_assert_uint_eq(st.malformed, 0);
	ck_assert_uint_eq(st.runs, 0);
	ck_assert_int_eq(sc_corpus_open(path("list.idx"), &c, err, sizeof(err)),
	                 SC_OK);
	check_all(c, 500);
	/* Trimmed and lower-cased before hashing; a hash is looked up as is. */
	ck_assert_int_eq(lookup(c, "  USER7@Example.ORG\n", NULL), 1);
	ck_assert_int_eq(sc_corpus_info(c, &info), SC_OK);
	ck_assert_uint_eq(info.records, 500);
	ck_assert_int_eq(info.has_counts, 1);
	ck_assert_uint_eq(info.total, 500 * 501 / 2);
	ck_assert_int_eq(info.from_text, 0);
	ck_assert_uint_eq(info.record_size, 22);
	sc_corpus_close(c);

	/* The text list itself, compiled on the fly. */
	ck_assert_int_eq(sc_corpus_open(path("list.txt"), &c, err, sizeof(err)),
	                 SC_OK);
	check_all(c, 500);
	ck_assert_int_eq(sc_corpus_info(c, &info), SC_OK);
	ck_assert_int_eq(info.from_text, 1);
	sc_corpus_close(c);
}
END_TEST

/* First and last of the order, a hash given as hex, counts without a
 * count column, and duplicates added up. */
START_TEST(test_first_last_duplicates)
{
	const char *text =
	    "0000000000000000000000000000000000000000\n"
	    "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF:7\n"
	    "ffffffffffffffffffffffffffffffffffffffff:5\n"
	    "8000000000000000000000000000000000000001:1\n";
	unsigned long long count;
	sc_corpus_stats_t st = { .size = sizeof(st) };
	sc_corpus_t *c = NULL;

	write_file("edges.txt", text, strlen(text));
	ck_assert_int_eq(sc_corpus_build(path("edges.txt"), path("edges.idx"), 0,
	                                 NULL, NULL, &st), SC_OK);
	ck_assert_uint_eq(st.records, 3);
	ck_assert_uint_eq(st.duplicates, 1);
	ck_assert_int_eq(sc_corpus_open(path("edges.idx"), &c, NULL, 0), SC_OK);
	ck_assert_int_eq(lookup(c, "0000000000000000000000000000000000000000",
	                        &count), 1);
	ck_assert_uint_eq(count, 0);
	ck_assert_int_eq(lookup(c, "ffffffffffffffffffffffffffffffffffffffff",
	                        &count), 1);
	ck_assert_uint_eq(count, 12);
	ck_assert_int_eq(lookup(c, "8000000000000000000000000000000000000001",
	                        &count), 1);
	ck_assert_int_eq(lookup(c, "8000000000000000000000000000000000000000",
	                        &count), 0);
	ck_assert_int_eq(lookup(c, "0000000000000000000000000000000000000001",
	                        &count), 0);
	sc_corpus_close(c);
}
END_TEST

/* Memory for 85 records a run: the list goes through sorted runs on disk
 * and a k-way merge, and comes out the same. */
START_TEST(test_external_sort)
{
	sc_corpus_stats_t st = { .size = sizeof(st) };
	sc_corpus_t *c = NULL;
	int calls = 0;

	write_list("big.txt", 3000);
	ck_assert_int_eq(sc_corpus_build(path("big.txt"), path("big.idx"), 4096,
	                                 NULL, &calls, &st), SC_OK);
	ck_assert_uint_gt(st.runs, 10);
	ck_assert_uint_eq(st.records, 3000);
	ck_assert_int_eq(sc_corpus_open(path("big.idx"), &c, NULL, 0), SC_OK);
	check_all(c, 3000);
	sc_corpus_close(c);
}
END_TEST

static void
count_progress(void *ud, const char *phase, unsigned long long done,
               unsigned long long total)
{
	(void)phase;
	(void)done;
	(void)total;
	(*(int *)ud)++;
}

START_TEST(test_progress)
{
	sc_corpus_stats_t st = { .size = sizeof(st) };
	int calls = 0;

	write_list("p.txt", 200);
	ck_assert_int_eq(sc_corpus_build(path("p.txt"), path("p.idx"), 4096,
	                                 count_progress, &calls, &st), SC_OK);
	ck_assert_int_gt(calls, 1);
}
END_TEST

/* Malformed lines are skipped, counted, and the first ten listed. */
START_TEST(test_malformed_lines)
{
	sc_corpus_stats_t st = { .size = sizeof(st) };
	char text[4096];
	size_t k = 0;
	int i;

	k += (size_t)snprintf(text + k, sizeof(text) - k,
	                      "A94A8FE5CCB19BA61C4C0873D391E987982FBBD3\n"
	                      "not a hash\n\n");
	for (i = 0; i < 12; i++)
		k += (size_t)snprintf(text + k, sizeof(text) - k, "junk%d\n", i);
	k += (size_t)snprintf(text + k, sizeof(text) - k, "trailing-no-newline");
	write_file("bad.txt", text, k);
	ck_assert_int_eq(sc_corpus_build(path("bad.txt"), path("bad.idx"), 0,
	                                 NULL, NULL, &st), SC_OK);
	ck_assert_uint_eq(st.lines, 16);
	ck_assert_uint_eq(st.hashes, 1);
	ck_assert_uint_eq(st.blank, 1);
	ck_assert_uint_eq(st.malformed, 14);
	ck_assert_uint_eq(st.nbad, SC_CORPUS_BAD_LINES);
	ck_assert_uint_eq(st.bad_line[0], 2);
	ck_assert_uint_eq(st.bad_line[1], 4);
	ck_assert_uint_eq(st.bad_line[9], 12);
}
END_TEST

/* A 1 MB line of junk is one malformed line; the lines around it count. */
START_TEST(test_huge_line)
{
	const char *h = "A94A8FE5CCB19BA61C4C0873D391E987982FBBD3\n";
	size_t big = 1u << 20, k = 0;
	sc_corpus_stats_t st = { .size = sizeof(st) };
	sc_corpus_t *c = NULL;
	char *text = malloc(big + 200);

	ck_assert_ptr_nonnull(text);
	memcpy(text, h, strlen(h));
	k = strlen(h);
	memset(text + k, 'A', big);
	k += big;
	text[k++] = '\n';
	memcpy(text + k, "0000000000000000000000000000000000000000:3\n", 43);
	k += 43;
	write_file("huge.txt", text, k);
	free(text);
	ck_assert_int_eq(sc_corpus_build(path("huge.txt"), path("huge.idx"), 0,
	                                 NULL, NULL, &st), SC_OK);
	ck_assert_uint_eq(st.lines, 3);
	ck_assert_uint_eq(st.malformed, 1);
	ck_assert_uint_eq(st.bad_line[0], 2);
	ck_assert_uint_eq(st.records, 2);
	ck_assert_int_eq(sc_corpus_open(path("huge.txt"), &c, NULL, 0), SC_OK);
	ck_assert_int_eq(lookup(c, "0000000000000000000000000000000000000000",
	                        NULL), 1);
	sc_corpus_close(c);
}
END_TEST

/* A skewed list crowds one bucket and defeats the guess: the walk gives
 * up and the binary search finds every record, and no absent one. */
START_TEST(test_crowded_bucket)
{
	unsigned long long count;
	sc_corpus_t *c = NULL;
	char key[48];
	FILE *fp = fopen(path("skew.txt"), "w");
	int i;

	ck_assert_ptr_nonnull(fp);
	for (i = 0; i < 4000; i += 2)
		fprintf(fp, "0000000000000000000000000000000000%06X:%d\n", i, i);
	fclose(fp);
	ck_assert_int_eq(sc_corpus_build(path("skew.txt"), path("skew.idx"), 0,
	                                 NULL, NULL, NULL), SC_OK);
	ck_assert_int_eq(sc_corpus_open(path("skew.idx"), &c, NULL, 0), SC_OK);
	for (i = 0; i < 4000; i++) {
		snprintf(key, sizeof(key),
		         "0000000000000000000000000000000000%06X", i);
		ck_assert_int_eq(lookup(c, key, &count), i % 2 == 0);
		if (i % 2 == 0)
			ck_assert_uint_eq(count, (unsigned long long)i);
	}
	sc_corpus_close(c);
}
END_TEST

/* ---- hostile and odd files ---------------------------------------------- */

static sc_status_t
open_err(const char *name, char *err, size_t len)
{
	sc_corpus_t *c = NULL;
	sc_status_t st = sc_corpus_open(path(name), &c, err, len);

	if (st == SC_OK)
		sc_corpus_close(c);
	else
		ck_assert_ptr_null(c);
	return st;
}

static unsigned char *
read_whole(const char *name, size_t *len)
{
	FILE *fp = fopen(path(name), "rb");
	unsigned char *buf;
	long n;

	ck_assert_ptr_nonnull(fp);
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	buf = malloc((size_t)n);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, fp), (size_t)n);
	fclose(fp);
	*len = (size_t)n;
	return buf;
}

START_TEST(test_hostile_index)
{
	unsigned char *idx, *bad;
	char err[256];
	size_t len;

	write_list("h.txt", 50);
	ck_assert_int_eq(sc_corpus_build(path("h.txt"), path("h.idx"), 0, NULL,
	                                 NULL, NULL), SC_OK);
	idx = read_whole("h.idx", &len);
	bad = malloc(len);

	/* truncated: in the header, in the table, in the records */
	write_file("t1.idx", idx, 10);
	ck_assert_int_eq(open_err("t1.idx", err, sizeof(err)), SC_EIO);
	ck_assert_ptr_nonnull(strstr(err, "truncated"));
	write_file("t2.idx", idx, 1000);
	ck_assert_int_eq(open_err("t2.idx", err, sizeof(err)), SC_EIO);
	ck_assert_ptr_nonnull(strstr(err, "truncated"));
	write_file("t3.idx", idx, len - 5);
	ck_assert_int_eq(open_err("t3.idx", err, sizeof(err)), SC_EIO);

	/* wrong magic */
	memcpy(bad, idx, len);
	bad[3] = 'Z';
	write_file("m.idx", bad, len);
	ck_assert_int_eq(open_err("m.idx", err, sizeof(err)), SC_EIO);
	ck_assert_ptr_nonnull(strstr(err, "magic"));

	/* wrong version */
	memcpy(bad, idx, len);
	sc_put_le32(bad + 8, 99);
	write_file("v.idx", bad, len);
	ck_assert_int_eq(open_err("v.idx", err, sizeof(err)), SC_EIO);
	ck_assert_ptr_nonnull(strstr(err, "version 99"));

	/* a record count larger than the file, and an absurd one */
	memcpy(bad, idx, len);
	sc_put_le64(bad + 16, 51);
	write_file("c.idx", bad, len);
	ck_assert_int_eq(open_err("c.idx", err, sizeof(err)), SC_EIO);
	sc_put_le64(bad + 16, UINT64_MAX / 2);
	write_file("c2.idx", bad, len);
	ck_assert_int_eq(open_err("c2.idx", err, sizeof(err)), SC_EIO);

	/* prefix bits out of range, and a table pointing past the records */
	memcpy(bad, idx, len);
	sc_put_le32(bad + 24, 40);
	write_file("b.idx", bad, len);
	ck_assert_int_eq(open_err("b.idx", err, sizeof(err)), SC_EIO);
	memcpy(bad, idx, len);
	sc_put_le64(bad + SC_CORPUS_HEADER + 8 * 100, 1000);
	write_file("tb.idx", bad, len);
	ck_assert_int_eq(open_err("tb.idx", err, sizeof(err)), SC_EIO);
	ck_assert_ptr_nonnull(strstr(err, "prefix table"));

	/* building from an index is refused */
	ck_assert_int_eq(sc_corpus_build(path("h.idx"), path("x.idx"), 0, NULL,
	                                 NULL, NULL), SC_EINVAL);
	free(idx);
	free(bad);
}
END_TEST

START_TEST(test_empty_and_zero)
{
	sc_corpus_stats_t st = { .size = sizeof(st) };
	sc_corpus_info_t info = { .size = sizeof(info) };
	sc_corpus_t *c = NULL;
	char err[256];
	int found = 7;

	write_file("empty.txt", "", 0);
	ck_assert_int_eq(open_err("empty.txt", err, sizeof(err)), SC_EIO);
	ck_assert_ptr_nonnull(strstr(err, "empty"));
	/* A list of junk only: no hash at all is refused, not "clean". */
	write_file("junk.txt", "junk\nmore junk\n", 15);
	ck_assert_int_eq(open_err("junk.txt", err, sizeof(err)), SC_EIO);
	ck_assert_ptr_nonnull(strstr(err, "no hash"));
	/* No hash to index is a build error: an empty index would call
	 * every address "not breached".  Nothing is written. */
	ck_assert_int_eq(sc_corpus_build(path("empty.txt"), path("zero.idx"), 0,
	                                 NULL, NULL, &st), SC_EINVAL);
	ck_assert_ptr_nonnull(strstr(st.errmsg, "no hash"));
	ck_assert_int_eq(access(path("zero.idx"), F_OK), -1);
	ck_assert_int_eq(sc_corpus_build(path("junk.txt"), path("zero.idx"), 0,
	                                 NULL, NULL, &st), SC_EINVAL);
	ck_assert_uint_eq(st.malformed, 2);
	ck_assert_int_eq(sc_corpus_build_ex(path("empty.txt"), path("zero.idx"),
	                                    0, 2, NULL, NULL, &st), SC_EINVAL);
	/* Built on purpose, it opens and finds nothing. */
	ck_assert_int_eq(sc_corpus_build_ex(path("empty.txt"), path("zero.idx"),
	                                    0, SC_CORPUS_ALLOW_EMPTY, NULL, NULL,
	                                    &st), SC_OK);
	ck_assert_uint_eq(st.records, 0);
	ck_assert_int_eq(sc_corpus_open(path("zero.idx"), &c, err, sizeof(err)),
	                 SC_OK);
	ck_assert_int_eq(sc_corpus_lookup(c, "a@b.example", &found, NULL),
	                 SC_OK);
	ck_assert_int_eq(found, 0);
	ck_assert_int_eq(sc_corpus_info(c, &info), SC_OK);
	ck_assert_uint_eq(info.records, 0);
	sc_corpus_close(c);
	ck_assert_int_eq(open_err("missing", err, sizeof(err)), SC_EIO);
	ck_assert_int_eq(sc_corpus_open(dir, &c, err, sizeof(err)), SC_EIO);
}
END_TEST

/* What is not a hash list fails early, whatever its size: a device
 * (/dev/zero never ends), a line that never ends, a file of junk.  A few
 * junk lines among hashes are counted, as before. */
START_TEST(test_not_a_list)
{
	sc_corpus_stats_t st = { .size = sizeof(st) };
	sc_corpus_t *c = NULL;
	char err[256], *junk;
	const char *h = "A94A8FE5CCB19BA61C4C0873D391E987982FBBD3\n";
	size_t k = 0, n = 2000 * 12 + 100;
	int i;

	ck_assert_int_eq(sc_corpus_open("/dev/zero", &c, err, sizeof(err)),
	                 SC_EIO);
	ck_assert_ptr_nonnull(strstr(err, "not a regular file"));
	ck_assert_int_eq(sc_corpus_open(dir, &c, err, sizeof(err)), SC_EIO);
	ck_assert_ptr_nonnull(strstr(err, "is a directory"));
	ck_assert_int_eq(sc_corpus_build("/dev/zero", path("z.idx"), 0, NULL,
	                                 NULL, &st), SC_EINVAL);
	ck_assert_ptr_nonnull(strstr(st.errmsg, "not a text hash list"));
	ck_assert_ptr_nonnull(strstr(st.errmsg, "line 1 is longer"));
	ck_assert_int_eq(access(path("z.idx"), F_OK), -1);
	/* 2000 lines of junk after one hash: refused at the 1000th. */
	junk = malloc(n);
	ck_assert_ptr_nonnull(junk);
	k += (size_t)snprintf(junk + k, n - k, "%s", h);
	for (i = 0; i < 2000; i++)
		k += (size_t)snprintf(junk + k, n - k, "junk%06d\n", i);
	write_file("junk.txt", junk, k);
	free(junk);
	ck_assert_int_eq(sc_corpus_build(path("junk.txt"), path("j.idx"), 0,
	                                 NULL, NULL, &st), SC_EINVAL);
	ck_assert_uint_eq(st.malformed, 1000);
	ck_assert_ptr_nonnull(strstr(st.errmsg, "first at line 2"));
	ck_assert_int_eq(sc_corpus_open(path("junk.txt"), &c, err, sizeof(err)),
	                 SC_EIO);
	ck_assert_ptr_nonnull(strstr(err, "not a text hash list"));
	ck_assert_ptr_null(c);
}
END_TEST

static int
entries(void)
{
	char cmd[400], line[64];
	FILE *p;

	snprintf(cmd, sizeof(cmd), "ls -A '%s' | wc -l", dir);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_nonnull(fgets(line, sizeof(line), p));
	pclose(p);
	return atoi(line);
}

/* Where the index goes: a symlink is followed (the link stays, its
 * target gets the index); the list itself, directly or through a link,
 * is refused before anything is written; a directory is refused; a
 * device is written through, never replaced, and a full one is an error.
 * No temporary file is ever left behind. */
START_TEST(test_output_files)
{
	sc_corpus_stats_t st = { .size = sizeof(st) };
	sc_corpus_t *c = NULL;
	struct stat sb;
	char err[256];

	write_list("list.txt", 100);
	ck_assert_int_eq(mkdir(path("sub"), 0755), 0);
	ck_assert_int_eq(symlink("sub/real.idx", path("link.idx")), 0);
	ck_assert_int_eq(sc_corpus_build(path("list.txt"), path("link.idx"), 0,
	                                 NULL, NULL, &st), SC_OK);
	ck_assert_int_eq(lstat(path("link.idx"), &sb), 0);
	ck_assert(S_ISLNK(sb.st_mode));
	ck_assert_int_eq(sc_corpus_open(path("sub/real.idx"), &c, err,
	                                sizeof(err)), SC_OK);
	check_all(c, 100);
	sc_corpus_close(c);
	/* Again, over the existing index. */
	ck_assert_int_eq(sc_corpus_build(path("list.txt"), path("link.idx"), 0,
	                                 NULL, NULL, &st), SC_OK);
	ck_assert_int_eq(lstat(path("link.idx"), &sb), 0);
	ck_assert(S_ISLNK(sb.st_mode));
	ck_assert_int_eq(entries(), 3);       /* list.txt, sub, link.idx */

	ck_assert_int_eq(symlink("list.txt", path("self")), 0);
	ck_assert_int_eq(sc_corpus_build(path("list.txt"), path("list.txt"), 0,
	                                 NULL, NULL, &st), SC_EINVAL);
	ck_assert_ptr_nonnull(strstr(st.errmsg, "same file"));
	ck_assert_int_eq(sc_corpus_build(path("list.txt"), path("self"), 0, NULL,
	                                 NULL, &st), SC_EINVAL);
	ck_assert_int_eq(sc_corpus_open(path("list.txt"), &c, err, sizeof(err)),
	                 SC_OK);
	ck_assert(c->from_text);              /* still the list */
	sc_corpus_close(c);
	ck_assert_int_eq(sc_corpus_build(path("list.txt"), path("sub"), 0, NULL,
	                                 NULL, &st), SC_EINVAL);
	ck_assert_ptr_nonnull(strstr(st.errmsg, "directory"));

	/* Devices of our own (root only): /dev/null's and /dev/full's. */
	if (mknod(path("null"), S_IFCHR | 0666, makedev(1, 3)) == 0 &&
	    mknod(path("full"), S_IFCHR | 0666, makedev(1, 7)) == 0) {
		ck_assert_int_eq(sc_corpus_build(path("list.txt"), path("null"),
		                                 0, NULL, NULL, &st), SC_OK);
		ck_assert_int_eq(stat(path("null"), &sb), 0);
		ck_assert(S_ISCHR(sb.st_mode));
		ck_assert_int_eq(sc_corpus_build(path("list.txt"), path("full"),
		                                 0, NULL, NULL, &st), SC_EIO);
		ck_assert_ptr_nonnull(strstr(st.errmsg, "No space left"));
		ck_assert_int_eq(stat(path("full"), &sb), 0);
		ck_assert(S_ISCHR(sb.st_mode));
		ck_assert_int_eq(entries(), 6);
	}
}
END_TEST

START_TEST(test_null_arguments)
{
	sc_corpus_t *c = (sc_corpus_t *)1;
	int found;

	ck_assert_int_eq(sc_corpus_open(NULL, &c, NULL, 0), SC_EINVAL);
	ck_assert_ptr_null(c);
	ck_assert_int_eq(sc_corpus_open("x", NULL, NULL, 0), SC_EINVAL);
	ck_assert_int_eq(sc_corpus_lookup(NULL, "a@b", &found, NULL), SC_EINVAL);
	ck_assert_int_eq(sc_corpus_info(NULL, NULL), SC_EINVAL);
	ck_assert_int_eq(sc_corpus_build(NULL, "x", 0, NULL, NULL, NULL),
	                 SC_EINVAL);
	sc_corpus_close(NULL);
}
END_TEST

/* Every allocation of build, open and lookup fails in turn: an error,
 * never a crash or a leak (ASan), then success. */
START_TEST(test_out_of_memory)
{
	sc_corpus_t *c = NULL;
	sc_status_t st;
	unsigned long n;
	int ok = 0;

	write_list("oom.txt", 300);
	for (n = 1; n < 200 && !ok; n++) {
		sc_alloc_fail_at(n);
		st = sc_corpus_build(path("oom.txt"), path("oom.idx"), 2048, NULL,
		                     NULL, NULL);
		if (st == SC_OK)
			st = sc_corpus_open(path("oom.txt"), &c, NULL, 0);
		sc_alloc_fail_at(0);
		if (st == SC_OK) {
			check_all(c, 300);
			sc_corpus_close(c);
			ok = 1;
		} else {
			ck_assert_int_eq(st, SC_ENOMEM);
		}
	}
	ck_assert_int_eq(ok, 1);
}
END_TEST

Suite *corpus_suite(void)
{
	Suite *s = suite_create("corpus");
	TCase *t = tcase_create("format");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_set_timeout(t, 60);
	tcase_add_test(t, test_parse_line);
	tcase_add_test(t, test_build_and_lookup);
	tcase_add_test(t, test_first_last_duplicates);
	tcase_add_test(t, test_external_sort);
	tcase_add_test(t, test_progress);
	tcase_add_test(t, test_malformed_lines);
	tcase_add_test(t, test_huge_line);
	tcase_add_test(t, test_not_a_list);
	tcase_add_test(t, test_output_files);
	tcase_add_test(t, test_crowded_bucket);
	tcase_add_test(t, test_hostile_index);
	tcase_add_test(t, test_empty_and_zero);
	tcase_add_test(t, test_null_arguments);
	tcase_add_test(t, test_out_of_memory);
	suite_add_tcase(s, t);
	return s;
}
