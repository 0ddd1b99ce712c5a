/*
 * Domain sets: loading list files (good, malformed, missing, out of
 * memory), parent matching, and the shipped lists in rules/.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include <libpsl.h>

#include "domainset.h"
#include "internal.h"
#include "testutil.h"

static char *
path_in(const char *dir, const char *name)
{
	static char buf[1024];

	snprintf(buf, sizeof(buf), "%s/%s", dir, name);
	return buf;
}

/* A temp file holding TEXT; the caller unlinks it. */
static void
write_temp(char *path, size_t len, const char *text)
{
	int fd;
	FILE *f;

	snprintf(path, len, "/tmp/check_domainset_XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	f = fdopen(fd, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

/* ---- small sets ------------------------------------------------------- */

START_TEST(test_load_normalises)
{
	struct sc_domainset *set = NULL;
	char err[256];
	const char *path = path_in(test_data_dir(), "domainset-good.txt");

	ck_assert_int_eq(sc_domainset_load(path, &set, err, sizeof(err)),
	                 SC_OK);
	ck_assert_str_eq(err, "");
	/* Comments, blanks, CRLF, case, a final dot, a duplicate. */
	ck_assert_uint_eq(sc_domainset_count(set), 5);
	ck_assert(sc_domainset_contains(set, "mailinator.com"));
	ck_assert(sc_domainset_contains(set, "guerrillamail.com"));
	ck_assert(sc_domainset_contains(set, "yopmail.com"));
	ck_assert(sc_domainset_contains(set, "10minutemail.com"));
	ck_assert(sc_domainset_contains(set, "xn--80ak6aa92e.com"));
	ck_assert(!sc_domainset_contains(set, "yopmail.com   # trailing"));
	sc_domainset_free(set);
}
END_TEST

/* Names are inserted a few behind the parse (domainset.c, AHEAD): a
 * duplicate close behind its first, one far behind, and the last few
 * names of a file (inserted at the end) all count once and are found. */
START_TEST(test_load_duplicates_near_and_far)
{
	struct sc_domainset *set = NULL;
	char path[64], err[256], name[32];
	static char text[64 * 1024];
	size_t len = 0;
	int i;

	for (i = 0; i < 1000; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len,
		                        "d%d.example\n", i);
	for (i = 0; i < 1000; i += 7)      /* far: 1000 lines later */
		len += (size_t)snprintf(text + len, sizeof(text) - len,
		                        "D%d.Example.\nd%d.example\n", i, i);
	len += (size_t)snprintf(text + len, sizeof(text) - len,
	                        "last.example\nlast.example\n");
	write_temp(path, sizeof(path), text);
	ck_assert_int_eq(sc_domainset_load(path, &set, err, sizeof(err)),
	                 SC_OK);
	unlink(path);
	ck_assert_uint_eq(sc_domainset_count(set), 1001);
	for (i = 0; i < 1000; i++) {
		snprintf(name, sizeof(name), "d%d.example", i);
		ck_assert_msg(sc_domainset_contains(set, name), "%s", name);
	}
	ck_assert(sc_domainset_contains(set, "last.example"));
	ck_assert(!sc_domainset_contains(set, "d1000.example"));
	sc_domainset_free(set);
}
END_TEST

START_TEST(test_match_parents)
{
	struct sc_domainset *set = NULL;

	ck_assert_int_eq(sc_domainset_new(&set), SC_OK);
	ck_assert_int_eq(sc_domainset_add(set, "mailinator.com"), SC_OK);
	ck_assert_int_eq(sc_domainset_add(set, "b.example"), SC_OK);

	ck_assert_str_eq(sc_domainset_match(set, "mailinator.com"),
	                 "mailinator.com");
	ck_assert_str_eq(sc_domainset_match(set, "x.y.mailinator.com"),
	                 "mailinator.com");
	ck_assert_str_eq(sc_domainset_match(set, "X.MailInator.COM."),
	                 "mailinator.com");
	ck_assert_str_eq(sc_domainset_match(set, "a.b.example"), "b.example");
	/* Only whole labels: no suffix-of-a-label matches. */
	ck_assert_ptr_null(sc_domainset_match(set, "notmailinator.com"));
	ck_assert_ptr_null(sc_domainset_match(set, "mailinator.com.evil"));
	ck_assert_ptr_null(sc_domainset_match(set, "com"));
	ck_assert_ptr_null(sc_domainset_match(set, "example"));
	ck_assert_ptr_null(sc_domainset_match(set, ""));
	ck_assert_ptr_null(sc_domainset_match(set, "."));
	ck_assert_ptr_null(sc_domainset_match(set, NULL));
	ck_assert_ptr_null(sc_domainset_match(NULL, "mailinator.com"));

	ck_assert(sc_domainset_contains(set, "MAILINATOR.com."));
	ck_assert(!sc_domainset_contains(set, "x.mailinator.com"));
	ck_assert(!sc_domainset_contains(NULL, "mailinator.com"));
	ck_assert(!sc_domainset_contains(set, NULL));
	sc_domainset_free(set);
}
END_TEST

START_TEST(test_add_grows)
{
	struct sc_domainset *set = NULL;
	char name[64];
	int i;

	ck_assert_int_eq(sc_domainset_new(&set), SC_OK);
	ck_assert_uint_eq(sc_domainset_count(set), 0);
	ck_assert_ptr_null(sc_domainset_match(set, "a.example"));
	for (i = 0; i < 5000; i++) {
		snprintf(name, sizeof(name), "host%d.example", i);
		ck_assert_int_eq(sc_domainset_add(set, name), SC_OK);
	}
	ck_assert_int_eq(sc_domainset_add(set, "HOST7.example."), SC_OK);
	ck_assert_uint_eq(sc_domainset_count(set), 5000);
	for (i = 0; i < 5000; i++) {
		snprintf(name, sizeof(name), "www.host%d.example", i);
		ck_assert_ptr_nonnull(sc_domainset_match(set, name));
	}
	ck_assert_ptr_null(sc_domainset_match(set, "host5000.example"));
	sc_domainset_free(set);
}
END_TEST

static void
count_cb(const char *name, void *arg)
{
	ck_assert_ptr_nonnull(name);
	(*(size_t *)arg)++;
}

START_TEST(test_foreach)
{
	struct sc_domainset *set = NULL;
	size_t n = 0;

	ck_assert_int_eq(sc_domainset_new(&set), SC_OK);
	sc_domainset_foreach(set, count_cb, &n);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(sc_domainset_add(set, "a.example"), SC_OK);
	ck_assert_int_eq(sc_domainset_add(set, "b.example"), SC_OK);
	ck_assert_int_eq(sc_domainset_add(set, "a.example"), SC_OK);
	sc_domainset_foreach(set, count_cb, &n);
	ck_assert_uint_eq(n, 2);
	sc_domainset_foreach(NULL, count_cb, &n);
	sc_domainset_foreach(set, NULL, &n);
	ck_assert_uint_eq(n, 2);
	sc_domainset_free(set);
}
END_TEST

START_TEST(test_null_args)
{
	struct sc_domainset *set = NULL;
	char err[64];

	ck_assert_int_eq(sc_domainset_new(NULL), SC_EINVAL);
	ck_assert_int_eq(sc_domainset_load(NULL, &set, err, sizeof(err)),
	                 SC_EINVAL);
	ck_assert_int_eq(sc_domainset_load("x", NULL, err, sizeof(err)),
	                 SC_EINVAL);
	ck_assert_int_eq(sc_domainset_add(NULL, "a.example"), SC_EINVAL);
	ck_assert_int_eq(sc_domainset_new(&set), SC_OK);
	ck_assert_int_eq(sc_domainset_add(set, NULL), SC_EINVAL);
	ck_assert_uint_eq(sc_domainset_count(NULL), 0);
	sc_domainset_free(set);
	sc_domainset_free(NULL);
}
END_TEST

/* ---- malformed input -------------------------------------------------- */

START_TEST(test_bad_line_number)
{
	struct sc_domainset *set = NULL;
	char err[1200], want[1200];
	const char *path = path_in(test_data_dir(), "domainset-bad.txt");

	ck_assert_int_eq(sc_domainset_load(path, &set, err, sizeof(err)),
	                 SC_ERULES);
	ck_assert_ptr_null(set);
	snprintf(want, sizeof(want), "%s:5: space inside name", path);
	ck_assert_str_eq(err, want);
	/* No room for a message is not a crash. */
	ck_assert_int_eq(sc_domainset_load(path, &set, NULL, 0), SC_ERULES);
	ck_assert_int_eq(sc_domainset_load(path, &set, err, 1), SC_ERULES);
	ck_assert_str_eq(err, "");
}
END_TEST

static const struct bad {
	const char *line;
	const char *why;
} bad_lines[] = {
	{ "two words.com", "space inside name" },
	{ "tab\tinside.com", "space inside name" },
	{ "under_score.com", "invalid character for a host name" },
	{ "slash/.com", "invalid character for a host name" },
	{ "star.*.com", "invalid character for a host name" },
	{ "*.wild.com", "invalid character for a host name" },
	{ "gm\xc3\xa1il.com", "non-ASCII byte (write IDNs as xn-- A-labels)" },
	{ "a..b", "empty label" },
	{ ".a.b", "empty label" },
	{ "a.b..", "empty label" },
	{ ".", "empty name" },
	{ "-a.b", "label starts with '-'" },
	{ "a-.b", "label ends with '-'" },
	{ "a.b-", "label ends with '-'" },
	{ "a.b.-", "label starts with '-'" },
	{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.b",
	  "label longer than 63 bytes" },
};

START_TEST(test_bad_lines)
{
	const struct bad *b = &bad_lines[_i];
	struct sc_domainset *set = NULL;
	char path[64], text[512], err[512], want[600];

	/* Line 3, after a comment and a good name. */
	snprintf(text, sizeof(text), "# list\nok.example\n%s\nlast.example\n",
	         b->line);
	write_temp(path, sizeof(path), text);
	ck_assert_int_eq(sc_domainset_load(path, &set, err, sizeof(err)),
	                 SC_ERULES);
	unlink(path);
	snprintf(want, sizeof(want), "%s:3: %s", path, b->why);
	ck_assert_str_eq(err, want);
	ck_assert_ptr_null(set);

	/* Adding by hand applies the same rules. */
	ck_assert_int_eq(sc_domainset_new(&set), SC_OK);
	ck_assert_int_eq(sc_domainset_add(set, b->line), SC_EINVAL);
	ck_assert_uint_eq(sc_domainset_count(set), 0);
	sc_domainset_free(set);
}
END_TEST

START_TEST(test_long_names)
{
	struct sc_domainset *set = NULL;
	char name[600], path[64], text[700], err[1024], want[800];
	size_t i;

	/* 253 bytes in labels of 63: the longest name allowed. */
	memset(name, 'a', sizeof(name));
	for (i = 63; i < 253; i += 64)
		name[i] = '.';
	name[253] = '\0';
	ck_assert_int_eq(sc_domainset_new(&set), SC_OK);
	ck_assert_int_eq(sc_domainset_add(set, name), SC_OK);
	ck_assert_str_eq(sc_domainset_match(set, name), name);
	/* A final dot does not count. */
	name[253] = '.';
	name[254] = '\0';
	ck_assert_int_eq(sc_domainset_add(set, name), SC_OK);
	ck_assert_uint_eq(sc_domainset_count(set), 1);
	name[253] = 'a';
	ck_assert_int_eq(sc_domainset_add(set, name), SC_EINVAL);
	ck_assert_ptr_null(sc_domainset_match(set, name));
	name[254] = 'a';
	name[500] = '\0';
	ck_assert_int_eq(sc_domainset_add(set, name), SC_EINVAL);
	ck_assert_ptr_null(sc_domainset_match(set, name));
	sc_domainset_free(set);

	snprintf(text, sizeof(text), "ok.example\n%s\n", name);
	write_temp(path, sizeof(path), text);
	ck_assert_int_eq(sc_domainset_load(path, &set, err, sizeof(err)),
	                 SC_ERULES);
	unlink(path);
	snprintf(want, sizeof(want), "%s:2: name longer than 253 bytes", path);
	ck_assert_str_eq(err, want);
}
END_TEST

START_TEST(test_nul_byte)
{
	struct sc_domainset *set = NULL;
	char path[64], err[512], want[600];
	FILE *f;

	write_temp(path, sizeof(path), "");
	f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	fwrite("a.example\nb\0c.example\n", 1, 22, f);
	fclose(f);
	ck_assert_int_eq(sc_domainset_load(path, &set, err, sizeof(err)),
	                 SC_ERULES);
	unlink(path);
	snprintf(want, sizeof(want), "%s:2: NUL byte in line", path);
	ck_assert_str_eq(err, want);
}
END_TEST

START_TEST(test_empty_and_missing)
{
	struct sc_domainset *set = NULL;
	char path[64], err[512];

	write_temp(path, sizeof(path), "");
	ck_assert_int_eq(sc_domainset_load(path, &set, err, sizeof(err)),
	                 SC_OK);
	ck_assert_uint_eq(sc_domainset_count(set), 0);
	ck_assert_ptr_null(sc_domainset_match(set, "a.example"));
	sc_domainset_free(set);
	set = NULL;

	/* No final newline. */
	write_temp(path, sizeof(path), "# x\na.example");
	ck_assert_int_eq(sc_domainset_load(path, &set, err, sizeof(err)),
	                 SC_OK);
	unlink(path);
	ck_assert(sc_domainset_contains(set, "a.example"));
	sc_domainset_free(set);
	set = NULL;

	ck_assert_int_eq(sc_domainset_load("/nonexistent/list.txt", &set, err,
	                                   sizeof(err)),
	                 SC_EIO);
	ck_assert_ptr_null(set);
	ck_assert_str_eq(err,
	                 "/nonexistent/list.txt: No such file or directory");
	/* A directory opens but cannot be read: the message says why. */
	ck_assert_int_eq(sc_domainset_load("/", &set, err, sizeof(err)),
	                 SC_EIO);
	ck_assert_ptr_null(set);
	ck_assert_str_eq(err, "/: Is a directory");
}
END_TEST

/* A list that never ends (/dev/zero, a FIFO fed for ever) is refused
 * after 64 MiB, not read until memory runs out. */
START_TEST(test_endless_list)
{
	struct sc_domainset *set = NULL;
	char err[512];

	ck_assert_int_eq(sc_domainset_load("/dev/zero", &set, err, sizeof(err)),
	                 SC_ERULES);
	ck_assert_ptr_null(set);
	ck_assert_str_eq(err, "/dev/zero: larger than 64 MiB: not a domain "
	                 "list");
}
END_TEST

/* ---- out of memory ---------------------------------------------------- */

START_TEST(test_oom_load)
{
	const char *path = path_in(test_data_dir(), "domainset-good.txt");
	struct sc_domainset *set;
	unsigned long n;
	int ok = 0;

	for (n = 1; n < 100 && !ok; n++) {
		sc_status_t st;

		set = NULL;
		sc_alloc_fail_at(n);
		st = sc_domainset_load(path, &set, NULL, 0);
		/* The nth allocation never came: the load got through. */
		ok = sc_alloc_count() < n;
		sc_alloc_fail_at(0);
		if (st == SC_OK) {
			ck_assert_ptr_nonnull(set);
			ck_assert_uint_eq(sc_domainset_count(set), 5);
		} else {
			ck_assert_int_eq(st, SC_ENOMEM);
			ck_assert_ptr_null(set);
		}
		sc_domainset_free(set);
	}
	ck_assert(ok);
}
END_TEST

START_TEST(test_oom_add)
{
	struct sc_domainset *set = NULL;
	char name[64];
	unsigned long n;
	int i;

	/* Fail each allocation of 200 adds (the table grows on the way);
	 * names added before the failure stay. */
	for (n = 1; n < 400; n++) {
		ck_assert_int_eq(sc_domainset_new(&set), SC_OK);
		sc_alloc_fail_at(n);
		for (i = 0; i < 200; i++) {
			snprintf(name, sizeof(name), "h%d.example", i);
			if (sc_domainset_add(set, name) != SC_OK)
				break;
		}
		sc_alloc_fail_at(0);
		/* The failed add left nothing behind. */
		ck_assert_uint_eq(sc_domainset_count(set), (size_t)i);
		if (i > 0) {
			snprintf(name, sizeof(name), "h%d.example", i - 1);
			ck_assert_ptr_nonnull(sc_domainset_match(set, name));
		}
		sc_domainset_free(set);
	}
	sc_alloc_fail_at(1);
	ck_assert_int_eq(sc_domainset_new(&set), SC_ENOMEM);
	sc_alloc_fail_at(0);
	ck_assert_ptr_null(set);
}
END_TEST


/* ---- the compiled index ----------------------------------------------- */

/* A directory holding list.txt (TEXT) and its index list.idx. */
struct idx_dir {
	char dir[64], txt[96], idx[96];
};

static void
idx_dir_make(struct idx_dir *d, const char *text)
{
	char err[512];
	FILE *f;

	snprintf(d->dir, sizeof(d->dir), "/tmp/check_domainset_idx_XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(d->dir));
	snprintf(d->txt, sizeof(d->txt), "%s/list.txt", d->dir);
	snprintf(d->idx, sizeof(d->idx), "%s/list.idx", d->dir);
	f = fopen(d->txt, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_msg(sc_domainset_compile(d->txt, d->idx, err, sizeof(err)) ==
	              SC_OK, "%s", err);
}

static void
idx_dir_rm(struct idx_dir *d)
{
	unlink(d->txt);
	unlink(d->idx);
	rmdir(d->dir);
}

/* Rewrite the text with TEXT, its time stamp moved by DELTA seconds. */
static void
rewrite_text(const struct idx_dir *d, const char *text, long delta)
{
	struct stat st;
	struct timespec ts[2];
	FILE *f;

	ck_assert_int_eq(stat(d->txt, &st), 0);
	f = fopen(d->txt, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
	ts[0] = st.st_atim;
	ts[1] = st.st_mtim;
	ts[1].tv_sec += delta;
	ck_assert_int_eq(utimensat(AT_FDCWD, d->txt, ts, 0), 0);
}

static struct sc_domainset *
load_ok(const char *path)
{
	struct sc_domainset *set = NULL;
	char err[512];

	ck_assert_msg(sc_domainset_load(path, &set, err, sizeof(err)) == SC_OK,
	              "%s", err);
	return set;
}

static void
count_name(const char *name, void *arg)
{
	(void)name;
	(*(size_t *)arg)++;
}

START_TEST(test_index_mapped)
{
	struct idx_dir d;
	struct sc_domainset *set;
	size_t n = 0;

	idx_dir_make(&d, "# a list\nMailinator.com\nb.example.\n\n"
	             "b.example # again\nxn--80ak6aa92e.com\n");
	set = load_ok(d.txt);
	ck_assert_int_eq(sc_domainset_origin(set), SC_DOMAINSET_INDEX);
	ck_assert_uint_eq(sc_domainset_count(set), 3);
	ck_assert_str_eq(sc_domainset_match(set, "X.MAILINATOR.com."),
	                 "mailinator.com");
	ck_assert_str_eq(sc_domainset_match(set, "a.b.example"), "b.example");
	ck_assert(sc_domainset_contains(set, "xn--80ak6aa92e.com"));
	ck_assert_ptr_null(sc_domainset_match(set, "example"));
	ck_assert_ptr_null(sc_domainset_match(set, "notmailinator.com"));
	sc_domainset_foreach(set, count_name, &n);
	ck_assert_uint_eq(n, 3);
	/* Read-only. */
	ck_assert_int_eq(sc_domainset_add(set, "c.example"), SC_EINVAL);
	sc_domainset_free(set);
	idx_dir_rm(&d);
}
END_TEST

/* The shipped list, mapped, answers as the parsed text does. */
static void
same_answer(const char *name, void *arg)
{
	const struct sc_domainset *other = arg;
	char sub[300];

	ck_assert_msg(sc_domainset_contains(other, name), "%s", name);
	ck_assert_str_eq(sc_domainset_match(other, name), name);
	snprintf(sub, sizeof(sub), "q9z8-unlisted.%s", name);
	ck_assert_str_eq(sc_domainset_match(other, sub), name);
}

START_TEST(test_index_shipped_list)
{
	char dir[] = "/tmp/check_domainset_idx_XXXXXX", idx[96], err[512];
	const char *txt = path_in(test_rules_dir(), "disposable.txt");
	struct sc_domainset *text = NULL, *mapped = NULL;
	char copy[96];
	FILE *in, *out;
	char buf[65536];
	size_t n;

	/* A copy of the text with an index beside it (the rules/ one may
	 * not have been built). */
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(copy, sizeof(copy), "%s/disposable.txt", dir);
	snprintf(idx, sizeof(idx), "%s/disposable.idx", dir);
	in = fopen(txt, "rb");
	out = fopen(copy, "wb");
	ck_assert(in != NULL && out != NULL);
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		ck_assert_uint_eq(fwrite(buf, 1, n, out), n);
	fclose(in);
	ck_assert_int_eq(fclose(out), 0);
	ck_assert_msg(sc_domainset_compile(copy, idx, err, sizeof(err)) ==
	              SC_OK, "%s", err);
	ck_assert_int_eq(sc_domainset_load(txt, &text, err, sizeof(err)) ==
	                 SC_OK && text != NULL, 1);
	mapped = load_ok(copy);
	ck_assert_int_eq(sc_domainset_origin(mapped), SC_DOMAINSET_INDEX);
	ck_assert_uint_eq(sc_domainset_count(mapped), sc_domainset_count(text));
	sc_domainset_foreach(text, same_answer, mapped);
	sc_domainset_foreach(mapped, same_answer, text);
	sc_domainset_free(text);
	sc_domainset_free(mapped);
	unlink(copy);
	unlink(idx);
	rmdir(dir);
}
END_TEST

/* An edited text: its index is stale, and the text is read. */
START_TEST(test_index_stale)
{
	struct idx_dir d;
	struct sc_domainset *set;

	idx_dir_make(&d, "a.example\nb.example\n");
	/* Longer: the size tells. */
	rewrite_text(&d, "a.example\nb.example\nnew.example\n", 0);
	set = load_ok(d.txt);
	ck_assert_int_eq(sc_domainset_origin(set),
	                 SC_DOMAINSET_TEXT_STALE_INDEX);
	ck_assert(sc_domainset_contains(set, "new.example"));
	sc_domainset_free(set);
	/* The same size, another name, a later time stamp: the bytes
	 * tell. */
	ck_assert_int_eq(sc_domainset_compile(d.txt, d.idx, NULL, 0), SC_OK);
	rewrite_text(&d, "a.example\nb.example\nnew.exampli\n", 5);
	set = load_ok(d.txt);
	ck_assert_int_eq(sc_domainset_origin(set),
	                 SC_DOMAINSET_TEXT_STALE_INDEX);
	ck_assert(sc_domainset_contains(set, "new.exampli"));
	ck_assert(!sc_domainset_contains(set, "new.example"));
	sc_domainset_free(set);
	/* A copy: the time stamp moved, the bytes are the same, the index
	 * holds. */
	ck_assert_int_eq(sc_domainset_compile(d.txt, d.idx, NULL, 0), SC_OK);
	rewrite_text(&d, "a.example\nb.example\nnew.exampli\n", 60);
	set = load_ok(d.txt);
	ck_assert_int_eq(sc_domainset_origin(set), SC_DOMAINSET_INDEX);
	ck_assert(sc_domainset_contains(set, "new.exampli"));
	sc_domainset_free(set);
	/* A text that is now malformed is an error, as without an index. */
	rewrite_text(&d, "a.example\nb..example\n", 0);
	set = NULL;
	ck_assert_int_eq(sc_domainset_load(d.txt, &set, NULL, 0), SC_ERULES);
	ck_assert_ptr_null(set);
	/* No text: an index alone is not a list. */
	unlink(d.txt);
	ck_assert_int_eq(sc_domainset_load(d.txt, &set, NULL, 0), SC_EIO);
	idx_dir_rm(&d);
}
END_TEST

/* A damaged index: each header check, and a truncated file; the text is
 * read instead, and nothing reads past the mapping. */
static const struct {
	long off;      /* where to write, -1: truncate to len */
	long len;
	const char *bytes;
} damages[] = {
	{ 0, 1, "X" },                     /* magic */
	{ 8, 1, "\x05" },                  /* byte order */
	{ 12, 1, "\x07" },                 /* header size */
	{ 16, 1, "\x07" },                 /* the text's size */
	{ 56, 1, "\x03" },                 /* cap not a power of two */
	{ 64, 1, "\x07" },                 /* slots' offset */
	{ 80, 1, "\xff" },                 /* names' length */
	{ 88, 1, "\x01" },                 /* total */
	{ -1, 50, NULL },                  /* shorter than a header */
	{ -1, 4096, NULL },                /* cut in the slots */
};

START_TEST(test_index_damaged)
{
	struct idx_dir d;
	struct sc_domainset *set;
	int fd;

	idx_dir_make(&d, "a.example\nb.example\n");
	fd = open(d.idx, O_WRONLY);
	ck_assert_int_ge(fd, 0);
	if (damages[_i].off >= 0)
		ck_assert_int_eq(pwrite(fd, damages[_i].bytes,
		                        (size_t)damages[_i].len,
		                        damages[_i].off), damages[_i].len);
	else
		ck_assert_int_eq(ftruncate(fd, damages[_i].len), 0);
	close(fd);
	set = load_ok(d.txt);
	ck_assert_int_eq(sc_domainset_origin(set),
	                 SC_DOMAINSET_TEXT_STALE_INDEX);
	ck_assert(sc_domainset_contains(set, "b.example"));
	sc_domainset_free(set);
	idx_dir_rm(&d);
}
END_TEST

START_TEST(test_index_compile_errors)
{
	struct idx_dir d;
	char err[512];

	idx_dir_make(&d, "a.example\n");
	ck_assert_int_eq(sc_domainset_compile(NULL, d.idx, err, sizeof(err)),
	                 SC_EINVAL);
	ck_assert_int_eq(sc_domainset_compile("/nonexistent/list.txt", d.idx,
	                                      err, sizeof(err)), SC_EIO);
	ck_assert_int_eq(sc_domainset_compile(d.txt, "/nonexistent/list.idx",
	                                      err, sizeof(err)), SC_EIO);
	ck_assert(strstr(err, "/nonexistent/list.idx") != NULL);
	rewrite_text(&d, "a.example\nb..example\n", 0);
	ck_assert_int_eq(sc_domainset_compile(d.txt, d.idx, err, sizeof(err)),
	                 SC_ERULES);
	ck_assert(strstr(err, "list.txt:2") != NULL);
	idx_dir_rm(&d);
}
END_TEST

START_TEST(test_index_oom)
{
	struct idx_dir d;
	struct sc_domainset *set;
	unsigned long n;
	int ok = 0;

	idx_dir_make(&d, "a.example\nb.example\n");
	for (n = 1; n < 50 && !ok; n++) {
		sc_status_t st;

		set = NULL;
		sc_alloc_fail_at(n);
		st = sc_domainset_load(d.txt, &set, NULL, 0);
		ok = sc_alloc_count() < n;
		sc_alloc_fail_at(0);
		if (st == SC_OK)
			ck_assert(sc_domainset_contains(set, "b.example"));
		else
			ck_assert_int_eq(st, SC_ENOMEM);
		sc_domainset_free(set);
		st = sc_domainset_compile(d.txt, d.idx, NULL, 0);
		ck_assert_int_eq(st, SC_OK);
	}
	ck_assert(ok);
	for (n = 1; n < 50; n++) {
		sc_status_t st;

		sc_alloc_fail_at(n);
		st = sc_domainset_compile(d.txt, d.idx, NULL, 0);
		sc_alloc_fail_at(0);
		ck_assert(st == SC_OK || st == SC_ENOMEM);
		if (st == SC_OK)
			break;
	}
	set = load_ok(d.txt);
	ck_assert_int_eq(sc_domainset_origin(set), SC_DOMAINSET_INDEX);
	sc_domainset_free(set);
	idx_dir_rm(&d);
}
END_TEST

/* ---- the shipped lists ------------------------------------------------ */

START_TEST(test_disposable_list)
{
	const char *path = path_in(test_rules_dir(), "disposable.txt");
	struct sc_domainset *set = NULL;
	char err[512];
	double t0, ms;

	t0 = now_ms();
	ck_assert_int_eq(sc_domainset_load(path, &set, err, sizeof(err)),
	                 SC_OK);
	ms = now_ms() - t0;
	fprintf(stderr, "disposable.txt: %zu names loaded in %.1f ms\n",
	        sc_domainset_count(set), ms);
	ck_assert_uint_gt(sc_domainset_count(set), 100000);
	/* Generous: the target is well under 100 ms in an -O2 build, but
	 * sanitizers and busy CI machines are slower. */
	ck_assert(ms < 2000);

	ck_assert_str_eq(sc_domainset_match(set, "mailinator.com"),
	                 "mailinator.com");
	ck_assert_str_eq(sc_domainset_match(set, "x.y.mailinator.com"),
	                 "mailinator.com");
	ck_assert_ptr_nonnull(sc_domainset_match(set, "guerrillamail.com"));
	ck_assert_ptr_nonnull(sc_domainset_match(set, "yopmail.com"));
	/* From wildcard.json: every subdomain is disposable. */
	ck_assert_ptr_nonnull(sc_domainset_match(set, "anything.33mail.com"));
	ck_assert_ptr_null(sc_domainset_match(set, "example.com"));
	ck_assert_ptr_null(sc_domainset_match(set, "debian.org"));
	sc_domainset_free(set);
}
END_TEST

struct cross {
	const struct sc_domainset *other;
	unsigned long hits;
};

static void
not_in_other(const char *name, void *arg)
{
	struct cross *c = arg;

	if (sc_domainset_match(c->other, name) != NULL) {
		fprintf(stderr, "provider %s is in disposable.txt\n", name);
		c->hits++;
	}
}

START_TEST(test_providers_list)
{
	struct sc_domainset *prov = NULL, *disp = NULL;
	char err[512];
	struct cross c = { NULL, 0 };

	ck_assert_int_eq(sc_domainset_load(path_in(test_rules_dir(),
	                                           "providers.txt"),
	                                   &prov, err, sizeof(err)),
	                 SC_OK);
	ck_assert_uint_ge(sc_domainset_count(prov), 100);
	ck_assert(sc_domainset_contains(prov, "gmail.com"));
	ck_assert(sc_domainset_contains(prov, "hotmail.co.uk"));
	ck_assert(sc_domainset_contains(prov, "mail.ru"));
	ck_assert(sc_domainset_contains(prov, "proton.me"));
	ck_assert_str_eq(sc_domainset_match(prov, "mx.outlook.com"),
	                 "outlook.com");

	/* No provider may be (under) a disposable entry. */
	ck_assert_int_eq(sc_domainset_load(path_in(test_rules_dir(),
	                                           "disposable.txt"),
	                                   &disp, err, sizeof(err)),
	                 SC_OK);
	c.other = disp;
	sc_domainset_foreach(prov, not_in_other, &c);
	ck_assert_uint_eq(c.hits, 0);
	sc_domainset_free(prov);
	sc_domainset_free(disp);
}
END_TEST

static void
not_public_suffix(const char *name, void *arg)
{
	const psl_ctx_t *psl = psl_builtin();
	unsigned long *hits = arg;

	if (psl_is_public_suffix2(psl, name,
	                          PSL_TYPE_ICANN | PSL_TYPE_NO_STAR_RULE)) {
		fprintf(stderr, "disposable.txt: %s is a public suffix\n",
		        name);
		(*hits)++;
	}
}

/* An entry matches all names below it, so an ICANN suffix (edu.pl) in the
 * list would flag a whole registry.  The refresh script drops them. */
START_TEST(test_disposable_no_public_suffix)
{
	struct sc_domainset *set = NULL;
	char err[512];
	unsigned long hits = 0;

	if (psl_builtin() == NULL)
		return;
	ck_assert_int_eq(sc_domainset_load(path_in(test_rules_dir(),
	                                           "disposable.txt"),
	                                   &set, err, sizeof(err)),
	                 SC_OK);
	sc_domainset_foreach(set, not_public_suffix, &hits);
	ck_assert_uint_eq(hits, 0);
	sc_domainset_free(set);
}
END_TEST

Suite *domainset_suite(void);

Suite *domainset_suite(void)
{
	Suite *s = suite_create("domainset");
	TCase *tc = tcase_create("set");
	TCase *lists = tcase_create("lists");

	tcase_add_test(tc, test_load_normalises);
	tcase_add_test(tc, test_load_duplicates_near_and_far);
	tcase_add_test(tc, test_match_parents);
	tcase_add_test(tc, test_add_grows);
	tcase_add_test(tc, test_foreach);
	tcase_add_test(tc, test_null_args);
	tcase_add_test(tc, test_bad_line_number);
	tcase_add_loop_test(tc, test_bad_lines, 0,
	                    (int)SC_ARRAY_LEN(bad_lines));
	tcase_add_test(tc, test_long_names);
	tcase_add_test(tc, test_nul_byte);
	tcase_add_test(tc, test_empty_and_missing);
	tcase_add_test(tc, test_endless_list);
	tcase_add_test(tc, test_oom_load);
	tcase_add_test(tc, test_oom_add);
	tcase_add_test(tc, test_index_mapped);
	tcase_add_test(tc, test_index_stale);
	tcase_add_loop_test(tc, test_index_damaged, 0,
	                    (int)SC_ARRAY_LEN(damages));
	tcase_add_test(tc, test_index_compile_errors);
	tcase_add_test(tc, test_index_oom);
	suite_add_tcase(s, tc);

	tcase_add_test(lists, test_disposable_list);
	tcase_add_test(lists, test_index_shipped_list);
	tcase_add_test(lists, test_providers_list);
	tcase_add_test(lists, test_disposable_no_public_suffix);
	tcase_set_timeout(lists, 60);
	suite_add_tcase(s, lists);
	return s;
}
