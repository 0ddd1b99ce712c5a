/* The SMTP reply parser (scorer/smtp.c) on canned bytes. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "smtp.h"

/* Feed s whole; the status, the bytes used in *used. */
static enum sc_smtp_status
feed(struct sc_smtp_parser *p, const char *s, size_t len, size_t *used)
{
	return sc_smtp_parse(p, s, len, used);
}

START_TEST(test_single_line)
{
	struct sc_smtp_parser p;
	const char *s = "220 mx.example.com ESMTP ready\r\n";
	size_t used;

	sc_smtp_parser_init(&p);
	ck_assert_int_eq(feed(&p, s, strlen(s), &used), SC_SMTP_DONE);
	ck_assert_uint_eq(used, strlen(s));
	ck_assert_int_eq(p.reply.code, 220);
	ck_assert_uint_eq(p.reply.nline, 1);
	ck_assert_str_eq(p.reply.line[0], "mx.example.com ESMTP ready");
	sc_smtp_parser_reset(&p);
}
END_TEST

START_TEST(test_multiline_ehlo)
{
	struct sc_smtp_parser p;
	const char *s = "250-mx.example.com Hello\r\n250-PIPELINING\r\n"
	                "250-SIZE 10240000\r\n250-starttls\r\n250 8BITMIME\r\n";
	size_t used;

	sc_smtp_parser_init(&p);
	ck_assert_int_eq(feed(&p, s, strlen(s), &used), SC_SMTP_DONE);
	ck_assert_uint_eq(p.reply.nline, 5);
	ck_assert_str_eq(p.reply.line[2], "SIZE 10240000");
	/* Keywords are case-insensitive (RFC 5321 2.4). */
	ck_assert(sc_smtp_has_ext(&p.reply, "STARTTLS"));
	ck_assert(sc_smtp_has_ext(&p.reply, "SIZE"));
	ck_assert(!sc_smtp_has_ext(&p.reply, "SIZ"));
	ck_assert(!sc_smtp_has_ext(&p.reply, "CHUNKING"));
	sc_smtp_parser_reset(&p);
}
END_TEST

/* The greeting line is not an extension, whatever it says. */
START_TEST(test_greeting_is_not_extension)
{
	struct sc_smtp_parser p;
	const char *s = "250-STARTTLS\r\n250 8BITMIME\r\n";
	size_t used;

	sc_smtp_parser_init(&p);
	ck_assert_int_eq(feed(&p, s, strlen(s), &used), SC_SMTP_DONE);
	ck_assert(!sc_smtp_has_ext(&p.reply, "STARTTLS"));
	sc_smtp_parser_reset(&p);
}
END_TEST

/* A reply that comes a byte at a time is the same reply. */
START_TEST(test_byte_by_byte)
{
	struct sc_smtp_parser p;
	const char *s = "250-a\r\n250 b\r\n";
	size_t i, used, n = strlen(s);

	sc_smtp_parser_init(&p);
	for (i = 0; i + 1 < n; i++) {
		ck_assert_int_eq(feed(&p, s + i, 1, &used), SC_SMTP_MORE);
		ck_assert_uint_eq(used, 1);
	}
	ck_assert_int_eq(feed(&p, s + i, 1, &used), SC_SMTP_DONE);
	ck_assert_uint_eq(p.reply.nline, 2);
	ck_assert_str_eq(p.reply.line[1], "b");
	sc_smtp_parser_reset(&p);
}
END_TEST

/* Bytes after the reply are left for the next one. */
START_TEST(test_leftover)
{
	struct sc_smtp_parser p;
	const char *s = "220 hi\r\n250 next\r\n";
	size_t used;

	sc_smtp_parser_init(&p);
	ck_assert_int_eq(feed(&p, s, strlen(s), &used), SC_SMTP_DONE);
	ck_assert_uint_eq(used, 8);
	sc_smtp_parser_reset(&p);
	ck_assert_int_eq(feed(&p, s + 8, strlen(s) - 8, &used), SC_SMTP_DONE);
	ck_assert_int_eq(p.reply.code, 250);
	sc_smtp_parser_reset(&p);
}
END_TEST

START_TEST(test_bare_lf_and_code_only)
{
	struct sc_smtp_parser p;
	size_t used;

	sc_smtp_parser_init(&p);
	ck_assert_int_eq(feed(&p, "250-x\n250\n", 10, &used), SC_SMTP_DONE);
	ck_assert_uint_eq(p.reply.nline, 2);
	ck_assert_str_eq(p.reply.line[0], "x");
	ck_assert_str_eq(p.reply.line[1], "");
	sc_smtp_parser_reset(&p);
}
END_TEST

START_TEST(test_malformed)
{
	static const char *const bad[] = {
		"22 short\r\n",          /* two digits */
		"abc hello\r\n",         /* not a code */
		"220hello\r\n",          /* no separator */
		"120 too low\r\n",       /* first digit 1 */
		"620 too high\r\n",      /* first digit 6 */
		"\r\n",                  /* empty line */
		"250-a\r\n251 b\r\n",    /* mixed codes */
		"220-a\r\n550 b\r\n",
	};
	size_t i, used;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct sc_smtp_parser p;

		sc_smtp_parser_init(&p);
		ck_assert_msg(feed(&p, bad[i], strlen(bad[i]), &used) ==
		              SC_SMTP_EMALFORMED, "accepted: %s", bad[i]);
		/* Errors are sticky. */
		ck_assert_int_eq(feed(&p, "220 ok\r\n", 8, &used),
		                 SC_SMTP_EMALFORMED);
		sc_smtp_parser_reset(&p);
	}
}
END_TEST

START_TEST(test_nul_byte)
{
	struct sc_smtp_parser p;
	static const char s[] = "220 a\0b\r\n";
	size_t used;

	sc_smtp_parser_init(&p);
	ck_assert_int_eq(feed(&p, s, sizeof(s) - 1, &used),
	                 SC_SMTP_EMALFORMED);
	sc_smtp_parser_reset(&p);
}
END_TEST

/* Control bytes and 8-bit text survive as '?': it goes into JSON. */
START_TEST(test_cleaned_text)
{
	struct sc_smtp_parser p;
	const char *s = "220 a\x1b[31m\xc3\xa9\r\n";
	size_t used;

	sc_smtp_parser_init(&p);
	ck_assert_int_eq(feed(&p, s, strlen(s), &used), SC_SMTP_DONE);
	ck_assert_str_eq(p.reply.line[0], "a?[31m??");
	sc_smtp_parser_reset(&p);
}
END_TEST

/* A 1 MB line stops at the bound, fed whole or in pieces. */
START_TEST(test_huge_line)
{
	struct sc_smtp_parser p;
	size_t n = 1 << 20, used, off;
	char *s = malloc(n);

	ck_assert_ptr_nonnull(s);
	memset(s, 'x', n);
	memcpy(s, "220 ", 4);
	sc_smtp_parser_init(&p);
	ck_assert_int_eq(feed(&p, s, n, &used), SC_SMTP_ETOOLONG);
	ck_assert_uint_le(used, SC_SMTP_LINE_MAX + 2);
	sc_smtp_parser_reset(&p);

	sc_smtp_parser_init(&p);
	for (off = 0; off < n; off += 4096) {
		enum sc_smtp_status st = feed(&p, s + off, 4096, &used);

		if (st != SC_SMTP_MORE) {
			ck_assert_int_eq(st, SC_SMTP_ETOOLONG);
			break;
		}
	}
	ck_assert_uint_lt(off, 8192);
	sc_smtp_parser_reset(&p);
	free(s);
}
END_TEST

/* The longest line allowed still parses. */
START_TEST(test_longest_line)
{
	struct sc_smtp_parser p;
	char s[SC_SMTP_LINE_MAX + 3];
	size_t used;

	memset(s, 'y', sizeof(s));
	memcpy(s, "220 ", 4);
	memcpy(s + SC_SMTP_LINE_MAX, "\r\n", 2);
	sc_smtp_parser_init(&p);
	ck_assert_int_eq(feed(&p, s, SC_SMTP_LINE_MAX + 2, &used),
	                 SC_SMTP_DONE);
	ck_assert_uint_eq(strlen(p.reply.line[0]), SC_SMTP_LINE_MAX - 4);
	sc_smtp_parser_reset(&p);
}
END_TEST

/* 10000 continuation lines stop at SC_SMTP_MAX_LINES. */
START_TEST(test_endless_continuation)
{
	struct sc_smtp_parser p;
	const char *line = "220-more\r\n";
	size_t i, used, n = strlen(line);
	enum sc_smtp_status st = SC_SMTP_MORE;

	sc_smtp_parser_init(&p);
	for (i = 0; i < 10000 && st == SC_SMTP_MORE; i++)
		st = feed(&p, line, n, &used);
	ck_assert_int_eq(st, SC_SMTP_ETOOMANY);
	ck_assert_uint_eq(i, SC_SMTP_MAX_LINES + 1);
	ck_assert_uint_eq(p.reply.nline, SC_SMTP_MAX_LINES);
	sc_smtp_parser_reset(&p);
}
END_TEST

/* Exactly SC_SMTP_MAX_LINES lines are fine. */
START_TEST(test_max_lines)
{
	struct sc_smtp_parser p;
	size_t i, used;

	sc_smtp_parser_init(&p);
	for (i = 0; i + 1 < SC_SMTP_MAX_LINES; i++)
		ck_assert_int_eq(feed(&p, "250-x\r\n", 7, &used), SC_SMTP_MORE);
	ck_assert_int_eq(feed(&p, "250 x\r\n", 7, &used), SC_SMTP_DONE);
	ck_assert_uint_eq(p.reply.nline, SC_SMTP_MAX_LINES);
	sc_smtp_parser_reset(&p);
}
END_TEST

START_TEST(test_out_of_memory)
{
	struct sc_smtp_parser p;
	size_t used;

	sc_smtp_parser_init(&p);
	sc_alloc_fail_at(1);
	ck_assert_int_eq(feed(&p, "220 x\r\n", 7, &used), SC_SMTP_ENOMEM);
	sc_alloc_fail_at(0);
	sc_smtp_parser_reset(&p);
}
END_TEST

START_TEST(test_empty_input)
{
	struct sc_smtp_parser p;
	size_t used = 99;

	sc_smtp_parser_init(&p);
	ck_assert_int_eq(feed(&p, "", 0, &used), SC_SMTP_MORE);
	ck_assert_uint_eq(used, 0);
	ck_assert_str_eq(sc_smtp_status_str(SC_SMTP_ETOOLONG),
	                 "reply line too long");
	sc_smtp_parser_reset(&p);
}
END_TEST

Suite *smtp_suite(void)
{
	Suite *s = suite_create("smtp");
	TCase *tc = tcase_create("reply");

	tcase_add_test(tc, test_single_line);
	tcase_add_test(tc, test_multiline_ehlo);
	tcase_add_test(tc, test_greeting_is_not_extension);
	tcase_add_test(tc, test_byte_by_byte);
	tcase_add_test(tc, test_leftover);
	tcase_add_test(tc, test_bare_lf_and_code_only);
	tcase_add_test(tc, test_malformed);
	tcase_add_test(tc, test_nul_byte);
	tcase_add_test(tc, test_cleaned_text);
	tcase_add_test(tc, test_huge_line);
	tcase_add_test(tc, test_longest_line);
	tcase_add_test(tc, test_endless_continuation);
	tcase_add_test(tc, test_max_lines);
	tcase_add_test(tc, test_out_of_memory);
	tcase_add_test(tc, test_empty_input);
	suite_add_tcase(s, tc);
	return s;
}
